/// `keras.layers.DepthwiseConv1D`: convolves each input channel (of `(batch, steps, channels)`) with its own `depthMultiplier` filters.
///
/// Weights: the depthwise kernel `[k, in, depthMultiplier]`, then `bias` `[in · depthMultiplier]` when
/// `useBias`. `padding` may be `causal` (left padding only). Keras 3 names the kernel `kernel`, Keras 2 `depthwise_kernel`: ``kernelWeightName`` keeps the
/// name of the dialect the layer was read from, so that weight specs match the file.
public struct DepthwiseConv1D: Layer {
    public var className: String { "DepthwiseConv1D" }
    public var common: LayerCommon
    /// One value.
    public var kernelSize: [Int]
    public var strides: [Int]
    public var padding: Padding
    public var depthMultiplier: Int
    public var dataFormat: DataFormat
    public var dilationRate: [Int]
    public var activation: Activation
    public var useBias: Bool
    public var depthwiseInitializer: KerasObject?
    public var biasInitializer: KerasObject?
    public var depthwiseRegularizer: KerasObject?
    public var biasRegularizer: KerasObject?
    public var activityRegularizer: KerasObject?
    public var depthwiseConstraint: KerasObject?
    public var biasConstraint: KerasObject?
    /// `kernel` (Keras 3) or `depthwise_kernel` (Keras 2).
    public var kernelWeightName: String
    public var weights: [Weight]

    /// The Keras 3 name of the depthwise kernel.
    public static let keras3KernelName = "kernel"
    /// The Keras 2 name of the depthwise kernel.
    public static let keras2KernelName = "depthwise_kernel"

    public init(common: LayerCommon, kernelSize: [Int], strides: [Int] = [1], padding: Padding = .valid,
                depthMultiplier: Int = 1, dataFormat: DataFormat = .channelsLast, dilationRate: [Int] = [1],
                activation: Activation = .linear, useBias: Bool = true,
                depthwiseInitializer: KerasObject? = .glorotUniform,
                biasInitializer: KerasObject? = .zeros,
                depthwiseRegularizer: KerasObject? = nil, biasRegularizer: KerasObject? = nil,
                activityRegularizer: KerasObject? = nil,
                depthwiseConstraint: KerasObject? = nil, biasConstraint: KerasObject? = nil,
                kernelWeightName: String = DepthwiseConv1D.keras3KernelName, weights: [Weight] = []) {
        self.common = common
        self.kernelSize = kernelSize
        self.strides = strides
        self.padding = padding
        self.depthMultiplier = depthMultiplier
        self.dataFormat = dataFormat
        self.dilationRate = dilationRate
        self.activation = activation
        self.useBias = useBias
        self.depthwiseInitializer = depthwiseInitializer
        self.biasInitializer = biasInitializer
        self.depthwiseRegularizer = depthwiseRegularizer
        self.biasRegularizer = biasRegularizer
        self.activityRegularizer = activityRegularizer
        self.depthwiseConstraint = depthwiseConstraint
        self.biasConstraint = biasConstraint
        self.kernelWeightName = kernelWeightName
        self.weights = weights
    }

    public func weightSpecs(inputShapes: [Shape]) throws -> [WeightSpec] {
        let input = try singleInput(inputShapes)
        _ = try outputShapes(inputShapes: inputShapes)
        let channels = try knownChannels(try spatialLayout(input, spatialRank: 1, dataFormat: dataFormat), input: input)
        var specs = [WeightSpec(name: kernelWeightName, shape: kernelSize + [channels, depthMultiplier])]
        if useBias { specs.append(WeightSpec(name: "bias", shape: [saturatingProduct(channels, depthMultiplier)])) }
        return specs
    }

    public func outputShapes(inputShapes: [Shape]) throws -> [Shape] {
        guard depthMultiplier > 0 else { throw configError("`depth_multiplier` must be positive, got \(depthMultiplier)") }
        let input = try singleInput(inputShapes)
        let layout = try spatialLayout(input, spatialRank: 1, dataFormat: dataFormat)
        return [try convolutionOutputShape(input: input, rank: 1,
                                           outputChannels: layout.channels.map { saturatingProduct($0, depthMultiplier) },
                                           kernel: kernelSize, strides: strides, dilation: dilationRate,
                                           padding: padding, dataFormat: dataFormat)]
    }
}
