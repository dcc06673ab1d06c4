/// `keras.layers.GlobalAveragePooling1D`: the mean over the steps axis:
/// `(batch, steps, channels)` → `(batch, channels)`, or `(batch, 1, channels)` with `keepDims`.
public struct GlobalAveragePooling1D: WeightlessLayer {
    public var className: String { "GlobalAveragePooling1D" }
    public var common: LayerCommon
    public var dataFormat: DataFormat
    public var keepDims: Bool

    public init(common: LayerCommon, dataFormat: DataFormat = .channelsLast, keepDims: Bool = false) {
        self.common = common
        self.dataFormat = dataFormat
        self.keepDims = keepDims
    }

    public func outputShapes(inputShapes: [Shape]) throws -> [Shape] {
        [try globalPoolingOutputShape(input: try singleInput(inputShapes), rank: 1, dataFormat: dataFormat,
                                      keepDims: keepDims)]
    }
}
