/// `keras.layers.ConvLSTM1D`, `ConvLSTM2D` and `ConvLSTM3D`: an LSTM whose input and recurrent transformations are
/// ``rank``-D convolutions, over `[batch, time, spatial…, channels]` (channels last).
///
/// ``options`` carries the LSTM arguments (`units` is `filters`; activations, `use_bias`, the sequence options,
/// initializers, …); the convolution arguments apply to the input convolution, the recurrent one is always `same`
/// with stride 1. Weights: `kernel` `[k…, in, 4·filters]`, `recurrent_kernel` `[k…, filters, 4·filters]`,
/// `bias` `[4·filters]` (gates i, f, c, o). Outputs: `[batch, time, out…, filters]` with `return_sequences`, else
/// `[batch, out…, filters]`; with `return_state` the final h and c follow.
public struct ConvLSTM: Layer {
    /// The number of spatial axes: 1, 2 or 3.
    public var rank: Int
    public var className: String { "ConvLSTM\(rank)D" }
    public var common: LayerCommon
    public var options: RecurrentOptions
    public var kernelSize: [Int]
    public var strides: [Int]
    public var padding: Padding
    public var dataFormat: DataFormat
    public var dilationRate: [Int]
    public var unitForgetBias: Bool
    public var weights: [Weight]

    /// `strides` and `dilationRate` default to ones of the kernel's rank.
    public init(common: LayerCommon, options: RecurrentOptions, kernelSize: [Int], strides: [Int]? = nil,
                padding: Padding = .valid, dataFormat: DataFormat = .channelsLast, dilationRate: [Int]? = nil,
                unitForgetBias: Bool = true, weights: [Weight] = []) {
        self.rank = kernelSize.count
        self.common = common
        self.options = options
        self.kernelSize = kernelSize
        self.strides = strides ?? Array(repeating: 1, count: kernelSize.count)
        self.padding = padding
        self.dataFormat = dataFormat
        self.dilationRate = dilationRate ?? Array(repeating: 1, count: kernelSize.count)
        self.unitForgetBias = unitForgetBias
        self.weights = weights
    }

    public var filters: Int { options.units }

    /// The input `[batch, time, …]` and the shape of one step.
    private func stepShape(_ shapes: [Shape]) throws -> (batch: Int?, time: Int?, step: Shape) {
        guard let input = shapes.first, input.count == rank + 3 else {
            throw inputError("expected input [batch, time, \(rank) spatial axes, channels]")
        }
        return (input[0], input[1], [input[0]] + Array(input[2...]))
    }

    public func weightSpecs(inputShapes: [Shape]) throws -> [WeightSpec] {
        _ = try outputShapes(inputShapes: inputShapes)
        let (_, _, step) = try stepShape(inputShapes)
        let channels = try knownChannels(try spatialLayout(step, spatialRank: rank, dataFormat: dataFormat), input: step)
        var specs = [WeightSpec(name: "kernel", shape: kernelSize + [channels, 4 * filters]),
                     WeightSpec(name: "recurrent_kernel", shape: kernelSize + [filters, 4 * filters])]
        if options.useBias { specs.append(WeightSpec(name: "bias", shape: [4 * filters])) }
        return specs
    }

    public func outputShapes(inputShapes: [Shape]) throws -> [Shape] {
        guard (1...3).contains(rank) else { throw configError("`kernel_size` must have 1, 2 or 3 values, got \(kernelSize)") }
        guard filters > 0 else { throw configError("`filters` must be positive, got \(filters)") }
        guard padding != .causal else { throw configError("`padding` must be `valid` or `same`, got `causal`") }
        let (batch, time, step) = try stepShape(inputShapes)
        let out = try convolutionOutputShape(input: step, rank: rank, outputChannels: filters, kernel: kernelSize,
                                             strides: strides, dilation: dilationRate, padding: padding,
                                             dataFormat: dataFormat)
        let state: Shape = out
        var shapes: [Shape] = [options.returnSequences ? [batch, time] + Array(out.dropFirst()) : state]
        if options.returnState { shapes += [state, state] }
        return shapes
    }
}
