/// `keras.layers.AveragePooling2D`: the mean over `poolSize` windows moved by `strides`.
///
/// Output size per spatial axis: `floor((n - pool) / stride) + 1` for `valid`, `floor((n - 1) / stride) + 1`
/// for `same`. `strides` defaults to `poolSize` in Keras; decoders fill it in.
public struct AveragePooling2D: WeightlessLayer {
    public var className: String { "AveragePooling2D" }
    public var common: LayerCommon
    /// Two values (rows, cols).
    public var poolSize: [Int]
    /// Two values.
    public var strides: [Int]
    /// `valid` or `same`.
    public var padding: Padding
    public var dataFormat: DataFormat

    public init(common: LayerCommon, poolSize: [Int] = [2, 2], strides: [Int]? = nil, padding: Padding = .valid,
                dataFormat: DataFormat = .channelsLast) {
        self.common = common
        self.poolSize = poolSize
        self.strides = strides ?? poolSize
        self.padding = padding
        self.dataFormat = dataFormat
    }

    public func outputShapes(inputShapes: [Shape]) throws -> [Shape] {
        [try poolingOutputShape(input: try singleInput(inputShapes), rank: 2, poolSize: poolSize, strides: strides,
                                padding: padding, dataFormat: dataFormat)]
    }
}
