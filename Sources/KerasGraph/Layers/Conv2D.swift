/// `keras.layers.Conv2D` (Keras 1: `Convolution2D`, `AtrousConvolution2D`): a 2-D convolution over
/// `(batch, rows, cols, channels)` (or channels first).
///
/// Weights: `kernel` `[kh, kw, in/groups, filters]`, then `bias` `[filters]` when `useBias`, in Keras 2/3 layout.
/// Keras 1 files with `dim_ordering = "th"` store kernels `[filters, in, kh, kw]`: ``dimOrdering`` records this so
/// that weight readers can transpose them; such a layer is also channels-first.
public struct Conv2D: Layer {
    public var className: String { "Conv2D" }
    public var common: LayerCommon
    public var filters: Int
    /// Two values (rows, cols).
    public var kernelSize: [Int]
    /// Two values (rows, cols).
    public var strides: [Int]
    public var padding: Padding
    public var dataFormat: DataFormat
    /// Two values (rows, cols).
    public var dilationRate: [Int]
    public var groups: Int
    public var activation: Activation
    public var useBias: Bool
    public var kernelInitializer: KerasObject?
    public var biasInitializer: KerasObject?
    public var kernelRegularizer: KerasObject?
    public var biasRegularizer: KerasObject?
    public var activityRegularizer: KerasObject?
    public var kernelConstraint: KerasObject?
    public var biasConstraint: KerasObject?
    /// Keras 1's `dim_ordering`, when the layer came from a Keras 1 config; `nil` otherwise.
    public var dimOrdering: DimOrdering?
    public var weights: [Weight]

    public init(common: LayerCommon, filters: Int, kernelSize: [Int], strides: [Int] = [1, 1], padding: Padding = .valid,
                dataFormat: DataFormat = .channelsLast, dilationRate: [Int] = [1, 1], groups: Int = 1,
                activation: Activation = .linear, useBias: Bool = true,
                kernelInitializer: KerasObject? = .glorotUniform,
                biasInitializer: KerasObject? = .zeros,
                kernelRegularizer: KerasObject? = nil, biasRegularizer: KerasObject? = nil,
                activityRegularizer: KerasObject? = nil,
                kernelConstraint: KerasObject? = nil, biasConstraint: KerasObject? = nil,
                dimOrdering: DimOrdering? = nil, weights: [Weight] = []) {
        self.common = common
        self.filters = filters
        self.kernelSize = kernelSize
        self.strides = strides
        self.padding = padding
        self.dataFormat = dataFormat
        self.dilationRate = dilationRate
        self.groups = groups
        self.activation = activation
        self.useBias = useBias
        self.kernelInitializer = kernelInitializer
        self.biasInitializer = biasInitializer
        self.kernelRegularizer = kernelRegularizer
        self.biasRegularizer = biasRegularizer
        self.activityRegularizer = activityRegularizer
        self.kernelConstraint = kernelConstraint
        self.biasConstraint = biasConstraint
        self.dimOrdering = dimOrdering
        self.weights = weights
    }

    public func weightSpecs(inputShapes: [Shape]) throws -> [WeightSpec] {
        let input = try singleInput(inputShapes)
        _ = try outputShapes(inputShapes: inputShapes)
        let channels = try knownChannels(try spatialLayout(input, spatialRank: 2, dataFormat: dataFormat), input: input)
        guard channels % groups == 0 else {
            throw inputError("the input's \(channels) channels are not divisible by `groups` (\(groups))")
        }
        var specs = [WeightSpec(name: "kernel", shape: kernelSize + [channels / groups, filters])]
        if useBias { specs.append(WeightSpec(name: "bias", shape: [filters])) }
        return specs
    }

    public func outputShapes(inputShapes: [Shape]) throws -> [Shape] {
        try validateConvolution(filters: filters, groups: groups, strides: strides, dilation: dilationRate)
        guard padding != .causal else { throw configError("`padding` `causal` is only valid for Conv1D") }
        let input = try singleInput(inputShapes)
        return [try convolutionOutputShape(input: input, rank: 2, outputChannels: filters, kernel: kernelSize,
                                           strides: strides, dilation: dilationRate, padding: padding,
                                           dataFormat: dataFormat)]
    }
}
