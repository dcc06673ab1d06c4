/// `keras.layers.UpSampling2D`: scales rows and columns by `size`, repeating pixels (`nearest`) or
/// interpolating (`bilinear`, …).
public struct UpSampling2D: WeightlessLayer {
    public var className: String { "UpSampling2D" }
    public var common: LayerCommon
    /// `[rows, cols]` factors, each ≥ 1.
    public var size: [Int]
    public var dataFormat: DataFormat
    public var interpolation: Interpolation

    public init(common: LayerCommon, size: [Int] = [2, 2], dataFormat: DataFormat = .channelsLast,
                interpolation: Interpolation = .nearest) {
        self.common = common
        self.size = size
        self.dataFormat = dataFormat
        self.interpolation = interpolation
    }

    public func outputShapes(inputShapes: [Shape]) throws -> [Shape] {
        try requireCount(size, 2, "size")
        try requireAll(size, atLeast: 1, "size")
        let input = try singleInput(inputShapes)
        let layout = try spatialLayout(input, spatialRank: 2, dataFormat: dataFormat)
        let spatial = (0..<2).map { i in layout.spatial[i].map { saturatingProduct($0, size[i]) } }
        return [layout.shape(spatial: spatial, channels: layout.channels)]
    }
}
