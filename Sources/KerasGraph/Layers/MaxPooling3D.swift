/// `keras.layers.MaxPooling3D`: the maximum over `poolSize` windows of a rank-5 input moved by `strides`.
public struct MaxPooling3D: WeightlessLayer {
    public var className: String { "MaxPooling3D" }
    public var common: LayerCommon
    /// Three values (depth, rows, cols).
    public var poolSize: [Int]
    /// Three values.
    public var strides: [Int]
    /// `valid` or `same`.
    public var padding: Padding
    public var dataFormat: DataFormat

    public init(common: LayerCommon, poolSize: [Int] = [2, 2, 2], strides: [Int]? = nil, padding: Padding = .valid,
                dataFormat: DataFormat = .channelsLast) {
        self.common = common
        self.poolSize = poolSize
        self.strides = strides ?? poolSize
        self.padding = padding
        self.dataFormat = dataFormat
    }

    public func outputShapes(inputShapes: [Shape]) throws -> [Shape] {
        [try poolingOutputShape(input: try singleInput(inputShapes), rank: 3, poolSize: poolSize, strides: strides,
                                padding: padding, dataFormat: dataFormat)]
    }
}
