/// `keras.layers.Conv3D` (`Convolution3D`): a 3-D convolution over `(batch, depth, rows, cols, channels)` (or
/// channels first).
///
/// Weights: `kernel` `[kd, kh, kw, in/groups, filters]`, then `bias` `[filters]` when `useBias`.
public struct Conv3D: Layer {
    public var className: String { "Conv3D" }
    public var common: LayerCommon
    public var filters: Int
    /// Three values (depth, rows, cols).
    public var kernelSize: [Int]
    /// Three values (depth, rows, cols).
    public var strides: [Int]
    public var padding: Padding
    public var dataFormat: DataFormat
    /// Three values (depth, rows, cols).
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
    public var weights: [Weight]

    public init(common: LayerCommon, filters: Int, kernelSize: [Int], strides: [Int] = [1, 1, 1], padding: Padding = .valid,
                dataFormat: DataFormat = .channelsLast, dilationRate: [Int] = [1, 1, 1], groups: Int = 1,
                activation: Activation = .linear, useBias: Bool = true,
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
        self.weights = weights
    }

    public func weightSpecs(inputShapes: [Shape]) throws -> [WeightSpec] {
        let input = try singleInput(inputShapes)
        _ = try outputShapes(inputShapes: inputShapes)
        let channels = try knownChannels(try spatialLayout(input, spatialRank: 3, dataFormat: dataFormat), input: input)
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
        return [try convolutionOutputShape(input: input, rank: 3, outputChannels: filters, kernel: kernelSize,
                                           strides: strides, dilation: dilationRate, padding: padding,
                                           dataFormat: dataFormat)]
    }
}
