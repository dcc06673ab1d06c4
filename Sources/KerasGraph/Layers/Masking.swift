/// `keras.layers.Masking`: marks the time steps whose features all equal `maskValue` as masked (for the
/// recurrent layers after it) and multiplies them by 0: `x · any(x ≠ maskValue, axis=-1)`.
public struct Masking: WeightlessLayer {
    public var className: String { "Masking" }
    public var common: LayerCommon
    public var maskValue: Double

    public init(common: LayerCommon, maskValue: Double = 0) {
        self.common = common
        self.maskValue = maskValue
    }

    public func outputShapes(inputShapes: [Shape]) throws -> [Shape] {
        let input = try singleInput(inputShapes)
        guard input.count >= 2 else { throw inputError("expected input of rank ≥ 2, got \(input.kerasDescription)") }
        return [input]
    }
}
