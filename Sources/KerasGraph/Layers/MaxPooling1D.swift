/// `keras.layers.MaxPooling1D`: the maximum over `poolSize` windows moved by `strides`.
///
/// Output size along the steps axis: `floor((n - pool) / stride) + 1` for `valid`, `floor((n - 1) / stride) + 1`
/// for `same`. `strides` defaults to `poolSize` in Keras; decoders fill it in.
public struct MaxPooling1D: WeightlessLayer {
    public var className: String { "MaxPooling1D" }
    public var common: LayerCommon
    /// One value (Keras 1: `pool_length`).
    public var poolSize: [Int]
    /// One value (Keras 1: `stride`).
    public var strides: [Int]
    /// `valid` or `same`.
    public var padding: Padding
    public var dataFormat: DataFormat

    public init(common: LayerCommon, poolSize: [Int] = [2], strides: [Int]? = nil, padding: Padding = .valid,
                dataFormat: DataFormat = .channelsLast) {
        self.common = common
        self.poolSize = poolSize
        self.strides = strides ?? poolSize
        self.padding = padding
        self.dataFormat = dataFormat
    }

    public func outputShapes(inputShapes: [Shape]) throws -> [Shape] {
        [try poolingOutputShape(input: try singleInput(inputShapes), rank: 1, poolSize: poolSize, strides: strides,
                                padding: padding, dataFormat: dataFormat)]
    }
}
