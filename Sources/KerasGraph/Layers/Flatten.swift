/// `keras.layers.Flatten`: `(batch, d1, d2, …)` → `(batch, d1·d2·…)`.
///
/// With `dataFormat == .channelsFirst` Keras moves the channel axis last before flattening, so the element
/// order differs; the shape does not. A rank-1 input `(batch,)` becomes `(batch, 1)`.
public struct Flatten: WeightlessLayer {
    public var className: String { "Flatten" }
    public var common: LayerCommon
    public var dataFormat: DataFormat

    public init(common: LayerCommon, dataFormat: DataFormat = .channelsLast) {
        self.common = common
        self.dataFormat = dataFormat
    }

    public func outputShapes(inputShapes: [Shape]) throws -> [Shape] {
        let input = try singleInput(inputShapes)
        guard let batch = input.first else { throw inputError("expected an input with a batch axis, got ()") }
        let rest = input.dropFirst()
        return [[batch, rest.isEmpty ? 1 : try knownProduct(rest, of: input)]]
    }
}
