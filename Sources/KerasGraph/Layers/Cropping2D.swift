/// `keras.layers.Cropping2D`: removes rows and columns from the borders of a rank-4 input.
public struct Cropping2D: WeightlessLayer {
    public var className: String { "Cropping2D" }
    public var common: LayerCommon
    /// `[[top, bottom], [left, right]]`, each ≥ 0 (an int, or a pair `(rows, cols)`, in the config is expanded).
    public var cropping: [[Int]]
    public var dataFormat: DataFormat

    public init(common: LayerCommon, cropping: [[Int]] = [[0, 0], [0, 0]], dataFormat: DataFormat = .channelsLast) {
        self.common = common
        self.cropping = cropping
        self.dataFormat = dataFormat
    }

    public func outputShapes(inputShapes: [Shape]) throws -> [Shape] {
        guard cropping.count == 2, cropping.allSatisfy({ $0.count == 2 && $0.allSatisfy { $0 >= 0 } }) else {
            throw configError("`cropping` must be [[top, bottom], [left, right]] with values >= 0, got \(cropping)")
        }
        let input = try singleInput(inputShapes)
        let layout = try spatialLayout(input, spatialRank: 2, dataFormat: dataFormat)
        var spatial: [Int?] = []
        for i in 0..<2 {
            guard let n = layout.spatial[i] else { spatial.append(nil); continue }
            let left = n - cropping[i][0] - cropping[i][1]
            guard left > 0 else {
                throw inputError("cropping \(cropping) leaves \(left) on spatial axis \(i + 1) of input \(input.kerasDescription)")
            }
            spatial.append(left)
        }
        return [layout.shape(spatial: spatial, channels: layout.channels)]
    }
}
