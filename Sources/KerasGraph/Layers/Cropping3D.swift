/// `keras.layers.Cropping3D`: removes slices from the borders of the three spatial axes of a rank-5 input.
public struct Cropping3D: WeightlessLayer {
    public var className: String { "Cropping3D" }
    public var common: LayerCommon
    /// `[[before, after]]` per spatial axis, each ≥ 0.
    public var cropping: [[Int]]
    public var dataFormat: DataFormat

    public init(common: LayerCommon, cropping: [[Int]] = [[1, 1], [1, 1], [1, 1]], dataFormat: DataFormat = .channelsLast) {
        self.common = common
        self.cropping = cropping
        self.dataFormat = dataFormat
    }

    public func outputShapes(inputShapes: [Shape]) throws -> [Shape] {
        guard cropping.count == 3, cropping.allSatisfy({ $0.count == 2 && $0.allSatisfy { $0 >= 0 } }) else {
            throw configError("`cropping` must be three pairs of values >= 0, got \(cropping)")
        }
        let input = try singleInput(inputShapes)
        let layout = try spatialLayout(input, spatialRank: 3, dataFormat: dataFormat)
        var spatial: [Int?] = []
        for i in 0..<3 {
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
