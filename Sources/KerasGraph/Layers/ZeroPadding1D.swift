/// `keras.layers.ZeroPadding1D`: adds zeros before and after the steps axis of `(batch, steps, features)`.
public struct ZeroPadding1D: WeightlessLayer {
    public var className: String { "ZeroPadding1D" }
    public var common: LayerCommon
    /// `[before, after]`, each ≥ 0 (an int in the config means both).
    public var padding: [Int]
    /// Keras 3 only; channels-first pads axis 2.
    public var dataFormat: DataFormat

    public init(common: LayerCommon, padding: [Int] = [1, 1], dataFormat: DataFormat = .channelsLast) {
        self.common = common
        self.padding = padding
        self.dataFormat = dataFormat
    }

    public func outputShapes(inputShapes: [Shape]) throws -> [Shape] {
        try requireCount(padding, 2, "padding")
        try requireAll(padding, atLeast: 0, "padding")
        let input = try singleInput(inputShapes)
        let layout = try spatialLayout(input, spatialRank: 1, dataFormat: dataFormat)
        let steps = layout.spatial[0].map { saturatingSum($0, padding[0] + padding[1]) }
        return [layout.shape(spatial: [steps], channels: layout.channels)]
    }
}
