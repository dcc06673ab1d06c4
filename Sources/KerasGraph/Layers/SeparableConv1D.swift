/// `keras.layers.SeparableConv1D` (`SeparableConvolution1D`): a depthwise 1-D convolution followed by a
/// pointwise (kernel size 1) convolution, over `(batch, steps, channels)`.
///
/// Weights: `depthwise_kernel` `[k, in, depthMultiplier]`, `pointwise_kernel`
/// `[1, in · depthMultiplier, filters]`, then `bias` `[filters]` when `useBias`. `padding` may be `causal` (left padding only).
public struct SeparableConv1D: Layer {
    public var className: String { "SeparableConv1D" }
    public var common: LayerCommon
    public var filters: Int
    /// One value.
    public var kernelSize: [Int]
    public var strides: [Int]
    public var padding: Padding
    public var dataFormat: DataFormat
    public var dilationRate: [Int]
    public var depthMultiplier: Int
    public var activation: Activation
    public var useBias: Bool
    public var depthwiseInitializer: KerasObject?
    public var pointwiseInitializer: KerasObject?
    public var biasInitializer: KerasObject?
    public var depthwiseRegularizer: KerasObject?
    public var pointwiseRegularizer: KerasObject?
    public var biasRegularizer: KerasObject?
    public var activityRegularizer: KerasObject?
    public var depthwiseConstraint: KerasObject?
    public var pointwiseConstraint: KerasObject?
    public var biasConstraint: KerasObject?
    public var weights: [Weight]

    public init(common: LayerCommon, filters: Int, kernelSize: [Int], strides: [Int] = [1],
                padding: Padding = .valid, dataFormat: DataFormat = .channelsLast, dilationRate: [Int] = [1],
                depthMultiplier: Int = 1, activation: Activation = .linear, useBias: Bool = true,
                depthwiseInitializer: KerasObject? = .glorotUniform,
                pointwiseInitializer: KerasObject? = .glorotUniform,
                biasInitializer: KerasObject? = .zeros,
                depthwiseRegularizer: KerasObject? = nil, pointwiseRegularizer: KerasObject? = nil,
                biasRegularizer: KerasObject? = nil, activityRegularizer: KerasObject? = nil,
                depthwiseConstraint: KerasObject? = nil, pointwiseConstraint: KerasObject? = nil,
                biasConstraint: KerasObject? = nil, weights: [Weight] = []) {
        self.common = common
        self.filters = filters
        self.kernelSize = kernelSize
        self.strides = strides
        self.padding = padding
        self.dataFormat = dataFormat
        self.dilationRate = dilationRate
        self.depthMultiplier = depthMultiplier
        self.activation = activation
        self.useBias = useBias
        self.depthwiseInitializer = depthwiseInitializer
        self.pointwiseInitializer = pointwiseInitializer
        self.biasInitializer = biasInitializer
        self.depthwiseRegularizer = depthwiseRegularizer
        self.pointwiseRegularizer = pointwiseRegularizer
        self.biasRegularizer = biasRegularizer
        self.activityRegularizer = activityRegularizer
        self.depthwiseConstraint = depthwiseConstraint
        self.pointwiseConstraint = pointwiseConstraint
        self.biasConstraint = biasConstraint
        self.weights = weights
    }

    public func weightSpecs(inputShapes: [Shape]) throws -> [WeightSpec] {
        let input = try singleInput(inputShapes)
        _ = try outputShapes(inputShapes: inputShapes)
        let channels = try knownChannels(try spatialLayout(input, spatialRank: 1, dataFormat: dataFormat), input: input)
        var specs = [WeightSpec(name: "depthwise_kernel", shape: kernelSize + [channels, depthMultiplier]),
                     WeightSpec(name: "pointwise_kernel", shape: [1, saturatingProduct(channels, depthMultiplier), filters])]
        if useBias { specs.append(WeightSpec(name: "bias", shape: [filters])) }
        return specs
    }

    public func outputShapes(inputShapes: [Shape]) throws -> [Shape] {
        guard filters > 0 else { throw configError("`filters` must be positive, got \(filters)") }
        guard depthMultiplier > 0 else { throw configError("`depth_multiplier` must be positive, got \(depthMultiplier)") }
        let input = try singleInput(inputShapes)
        return [try convolutionOutputShape(input: input, rank: 1, outputChannels: filters, kernel: kernelSize,
                                           strides: strides, dilation: dilationRate, padding: padding,
                                           dataFormat: dataFormat)]
    }
}
