/// `keras.layers.UpSampling3D`: repeats each slice of the three spatial axes `size` times (nearest).
public struct UpSampling3D: WeightlessLayer {
    public var className: String { "UpSampling3D" }
    public var common: LayerCommon
    /// Three factors, each ≥ 1.
    public var size: [Int]
    public var dataFormat: DataFormat

    public init(common: LayerCommon, size: [Int] = [2, 2, 2], dataFormat: DataFormat = .channelsLast) {
        self.common = common
        self.size = size
        self.dataFormat = dataFormat
    }

    public func outputShapes(inputShapes: [Shape]) throws -> [Shape] {
        try requireCount(size, 3, "size")
        try requireAll(size, atLeast: 1, "size")
        let input = try singleInput(inputShapes)
        let layout = try spatialLayout(input, spatialRank: 3, dataFormat: dataFormat)
        let spatial = (0..<3).map { i in layout.spatial[i].map { saturatingProduct($0, size[i]) } }
        return [layout.shape(spatial: spatial, channels: layout.channels)]
    }
}
