/// `keras.layers.GlobalAveragePooling3D`: the mean over the three spatial axes:
/// `(batch, d, rows, cols, channels)` → `(batch, channels)`, or `(batch, 1, 1, 1, channels)` with `keepDims`.
public struct GlobalAveragePooling3D: WeightlessLayer {
    public var className: String { "GlobalAveragePooling3D" }
    public var common: LayerCommon
    public var dataFormat: DataFormat
    public var keepDims: Bool

    public init(common: LayerCommon, dataFormat: DataFormat = .channelsLast, keepDims: Bool = false) {
        self.common = common
        self.dataFormat = dataFormat
        self.keepDims = keepDims
    }

    public func outputShapes(inputShapes: [Shape]) throws -> [Shape] {
        [try globalPoolingOutputShape(input: try singleInput(inputShapes), rank: 3, dataFormat: dataFormat,
                                      keepDims: keepDims)]
    }
}
