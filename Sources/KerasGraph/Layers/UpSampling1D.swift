/// `keras.layers.UpSampling1D`: repeats each step `size` times: `(batch, steps, features)` →
/// `(batch, steps · size, features)`.
public struct UpSampling1D: WeightlessLayer {
    public var className: String { "UpSampling1D" }
    public var common: LayerCommon
    /// The repeat count, ≥ 1 (Keras 1: `length`).
    public var size: Int

    public init(common: LayerCommon, size: Int = 2) {
        self.common = common
        self.size = size
    }

    public func outputShapes(inputShapes: [Shape]) throws -> [Shape] {
        guard size >= 1 else { throw configError("`size` must be >= 1, got \(size)") }
        let input = try singleInput(inputShapes, rank: 3)
        return [[input[0], input[1].map { saturatingProduct($0, size) }, input[2]]]
    }
}
