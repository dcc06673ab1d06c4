/// `keras.layers.Softmax`: `exp(x) / sum(exp(x))` over ``axis`` (jointly over several axes when more than one).
public struct Softmax: WeightlessLayer {
    public var className: String { "Softmax" }
    public var common: LayerCommon
    /// The axes (negative counts from the end); usually `[-1]`.
    public var axis: [Int]

    public init(common: LayerCommon, axis: [Int] = [-1]) {
        self.common = common
        self.axis = axis
    }

    public func outputShapes(inputShapes: [Shape]) throws -> [Shape] {
        let input = try singleInput(inputShapes)
        guard !axis.isEmpty else { throw configError("`axis` is empty") }
        for a in axis where normalizedAxis(a, rank: input.count) == nil {
            throw inputError("`axis` \(a) is out of range for input \(input.kerasDescription)")
        }
        return [input]
    }
}
