/// `keras.layers.ZeroPadding2D`: adds rows and columns of zeros around a rank-4 input.
public struct ZeroPadding2D: WeightlessLayer {
    public var className: String { "ZeroPadding2D" }
    public var common: LayerCommon
    /// `[[top, bottom], [left, right]]`, each ≥ 0 (an int, or a pair `(rows, cols)`, in the config is expanded).
    public var padding: [[Int]]
    public var dataFormat: DataFormat

    public init(common: LayerCommon, padding: [[Int]] = [[1, 1], [1, 1]], dataFormat: DataFormat = .channelsLast) {
        self.common = common
        self.padding = padding
        self.dataFormat = dataFormat
    }

    public func outputShapes(inputShapes: [Shape]) throws -> [Shape] {
        guard padding.count == 2, padding.allSatisfy({ $0.count == 2 && $0.allSatisfy { $0 >= 0 } }) else {
            throw configError("`padding` must be [[top, bottom], [left, right]] with values >= 0, got \(padding)")
        }
        let input = try singleInput(inputShapes)
        let layout = try spatialLayout(input, spatialRank: 2, dataFormat: dataFormat)
        let spatial = (0..<2).map { i in layout.spatial[i].map { saturatingSum($0, padding[i][0] + padding[i][1]) } }
        return [layout.shape(spatial: spatial, channels: layout.channels)]
    }
}
