/// `keras.layers.ZeroPadding3D`: adds zeros around the three spatial axes of a rank-5 input.
public struct ZeroPadding3D: WeightlessLayer {
    public var className: String { "ZeroPadding3D" }
    public var common: LayerCommon
    /// `[[before, after]]` per spatial axis, each ≥ 0.
    public var padding: [[Int]]
    public var dataFormat: DataFormat

    public init(common: LayerCommon, padding: [[Int]] = [[1, 1], [1, 1], [1, 1]], dataFormat: DataFormat = .channelsLast) {
        self.common = common
        self.padding = padding
        self.dataFormat = dataFormat
    }

    public func outputShapes(inputShapes: [Shape]) throws -> [Shape] {
        guard padding.count == 3, padding.allSatisfy({ $0.count == 2 && $0.allSatisfy { $0 >= 0 } }) else {
            throw configError("`padding` must be three pairs of values >= 0, got \(padding)")
        }
        let input = try singleInput(inputShapes)
        let layout = try spatialLayout(input, spatialRank: 3, dataFormat: dataFormat)
        let spatial = (0..<3).map { i in layout.spatial[i].map { saturatingSum($0, padding[i][0] + padding[i][1]) } }
        return [layout.shape(spatial: spatial, channels: layout.channels)]
    }
}
