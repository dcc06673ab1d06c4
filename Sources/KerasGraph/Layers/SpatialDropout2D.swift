/// `keras.layers.SpatialDropout2D`: drops whole feature maps of a rank-4 input in training;
/// the identity at inference.
public struct SpatialDropout2D: InferenceIdentityLayer {
    public var className: String { "SpatialDropout2D" }
    public var common: LayerCommon
    public var rate: Double
    public var seed: Int?
    public var dataFormat: DataFormat

    public init(common: LayerCommon, rate: Double, seed: Int? = nil, dataFormat: DataFormat = .channelsLast) {
        self.common = common
        self.rate = rate
        self.seed = seed
        self.dataFormat = dataFormat
    }

    public func outputShapes(inputShapes: [Shape]) throws -> [Shape] {
        [try singleInput(inputShapes, rank: 4)]
    }
}
