/// `keras.layers.SpatialDropout3D`: drops whole feature maps of a rank-5 input in training;
/// the identity at inference.
public struct SpatialDropout3D: InferenceIdentityLayer {
    public var className: String { "SpatialDropout3D" }
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
        [try singleInput(inputShapes, rank: 5)]
    }
}
