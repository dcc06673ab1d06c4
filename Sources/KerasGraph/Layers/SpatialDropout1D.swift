/// `keras.layers.SpatialDropout1D`: drops whole channels of `(batch, steps, channels)` in training;
/// the identity at inference.
public struct SpatialDropout1D: InferenceIdentityLayer {
    public var className: String { "SpatialDropout1D" }
    public var common: LayerCommon
    public var rate: Double
    public var seed: Int?

    public init(common: LayerCommon, rate: Double, seed: Int? = nil) {
        self.common = common
        self.rate = rate
        self.seed = seed
    }

    public func outputShapes(inputShapes: [Shape]) throws -> [Shape] {
        [try singleInput(inputShapes, rank: 3)]
    }
}
