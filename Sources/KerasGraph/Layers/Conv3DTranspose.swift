/// `keras.layers.Conv3DTranspose` (`Convolution3DTranspose`): the transpose (gradient) of a 3-D convolution, to upsample.
///
/// Weights: `kernel` `[kd, kh, kw, filters, in]` (output channels before input channels, unlike Conv3D), then
/// `bias` `[filters]` when `useBias`. Output size per spatial axis, with `k' = (k-1)·dilation + 1`:
/// `valid`: `(n-1)·s + k' + (outputPadding ?? max(k', s) - k')`; `same`: `n·s`, or `(n-1)·s + k' mod 2 + outputPadding`.
public struct Conv3DTranspose: Layer {
    public var className: String { "Conv3DTranspose" }
    public var common: LayerCommon
    public var filters: Int
    /// Three values (depth, rows, cols).
    public var kernelSize: [Int]
    public var strides: [Int]
    public var padding: Padding
    /// Three values, each less than the stride on that axis, or `nil` for Keras' inferred default.
    public var outputPadding: [Int]?
    public var dataFormat: DataFormat
    public var dilationRate: [Int]
    public var activation: Activation
    public var useBias: Bool
    public var kernelInitializer: KerasObject?
    public var biasInitializer: KerasObject?
    public var kernelRegularizer: KerasObject?
    public var biasRegularizer: KerasObject?
    public var activityRegularizer: KerasObject?
    public var kernelConstraint: KerasObject?
    public var biasConstraint: KerasObject?
    public var weights: [Weight]

    public init(common: LayerCommon, filters: Int, kernelSize: [Int], strides: [Int] = [1, 1, 1],
                padding: Padding = .valid, outputPadding: [Int]? = nil, dataFormat: DataFormat = .channelsLast,
                dilationRate: [Int] = [1, 1, 1], activation: Activation = .linear, useBias: Bool = true,
                kernelInitializer: KerasObject? = .glorotUniform,
                biasInitializer: KerasObject? = .zeros,
                kernelRegularizer: KerasObject? = nil, biasRegularizer: KerasObject? = nil,
                activityRegularizer: KerasObject? = nil,
                kernelConstraint: KerasObject? = nil, biasConstraint: KerasObject? = nil,
                weights: [Weight] = []) {
        self.common = common
        self.filters = filters
        self.kernelSize = kernelSize
        self.strides = strides
        self.padding = padding
        self.outputPadding = outputPadding
        self.dataFormat = dataFormat
        self.dilationRate = dilationRate
        self.activation = activation
        self.useBias = useBias
        self.kernelInitializer = kernelInitializer
        self.biasInitializer = biasInitializer
        self.kernelRegularizer = kernelRegularizer
        self.biasRegularizer = biasRegularizer
        self.activityRegularizer = activityRegularizer
        self.kernelConstraint = kernelConstraint
        self.biasConstraint = biasConstraint
        self.weights = weights
    }

    public func weightSpecs(inputShapes: [Shape]) throws -> [WeightSpec] {
        _ = try outputShapes(inputShapes: inputShapes)
        return try transposedConvolutionWeightSpecs(input: try singleInput(inputShapes), rank: 3, filters: filters,
                                                    kernel: kernelSize, useBias: useBias, dataFormat: dataFormat)
    }

    public func outputShapes(inputShapes: [Shape]) throws -> [Shape] {
        [try transposedConvolutionOutputShape(input: try singleInput(inputShapes), rank: 3, filters: filters,
                                              kernel: kernelSize, strides: strides, dilation: dilationRate,
                                              padding: padding, outputPadding: outputPadding, dataFormat: dataFormat)]
    }
}
