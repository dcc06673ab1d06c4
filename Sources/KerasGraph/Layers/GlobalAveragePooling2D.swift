/// `keras.layers.GlobalAveragePooling2D`: the mean over both spatial axes:
/// `(batch, rows, cols, channels)` → `(batch, channels)`, or `(batch, 1, 1, channels)` with `keepDims`.
public struct GlobalAveragePooling2D: WeightlessLayer {
    public var className: String { "GlobalAveragePooling2D" }
    public var common: LayerCommon
    public var dataFormat: DataFormat
    public var keepDims: Bool

    public init(common: LayerCommon, dataFormat: DataFormat = .channelsLast, keepDims: Bool = false) {
        self.common = common
        self.dataFormat = dataFormat
        self.keepDims = keepDims
    }

    public func outputShapes(inputShapes: [Shape]) throws -> [Shape] {
        [try globalPoolingOutputShape(input: try singleInput(inputShapes), rank: 2, dataFormat: dataFormat,
                                      keepDims: keepDims)]
    }
}
