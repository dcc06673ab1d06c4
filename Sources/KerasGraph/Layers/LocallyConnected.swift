import TensorModule

/// tf_keras' `LocallyConnected1D` and `LocallyConnected2D`: a convolution whose weights are not shared, one kernel
/// per output position. (Keras 3 has no such layers.)
///
/// tf_keras stores the weights in one of three layouts, chosen by ``implementation``:
/// - 1: `kernel` `[outPositions, k…·in, filters]` (each output position's window, flattened as (k…, in));
///   `valid` padding only;
/// - 2: `kernel` `[in…, in, out…, filters]`, a dense kernel of which only the pairs inside each window count (tf_keras
///   multiplies it by a 0/1 mask);
/// - 3: `kernel` `[entries]`, the values of the sparse matrix's entries in sorted (output index, input index) order.
///
/// `bias` is `[out…, filters]` (in either data format). The window of output `o` on an axis of length `L` is `[o·s, o·s + k)` for `valid`
/// and `[o·s − ⌊k/2⌋, o·s + k − ⌊k/2⌋)` clipped to `[0, L)` for `same` (tf_keras' `conv_connected_inputs`).
public struct LocallyConnected: Layer {
    /// The number of spatial axes: 1 or 2.
    public var rank: Int
    public var className: String { "LocallyConnected\(rank)D" }
    public var common: LayerCommon
    public var filters: Int
    public var kernelSize: [Int]
    public var strides: [Int]
    public var padding: Padding
    public var dataFormat: DataFormat
    public var activation: Activation
    public var useBias: Bool
    /// tf_keras' `implementation`: 1, 2 or 3 (the weight layout).
    public var implementation: Int
    public var kernelInitializer: KerasObject?
    public var biasInitializer: KerasObject?
    public var kernelRegularizer: KerasObject?
    public var biasRegularizer: KerasObject?
    public var activityRegularizer: KerasObject?
    public var kernelConstraint: KerasObject?
    public var biasConstraint: KerasObject?
    public var weights: [Weight]

    public init(common: LayerCommon, filters: Int, kernelSize: [Int], strides: [Int]? = nil, padding: Padding = .valid,
                dataFormat: DataFormat = .channelsLast, activation: Activation = .linear, useBias: Bool = true,
                implementation: Int = 1, kernelInitializer: KerasObject? = .glorotUniform,
                biasInitializer: KerasObject? = .zeros, kernelRegularizer: KerasObject? = nil,
                biasRegularizer: KerasObject? = nil, activityRegularizer: KerasObject? = nil,
                kernelConstraint: KerasObject? = nil, biasConstraint: KerasObject? = nil, weights: [Weight] = []) {
        self.rank = kernelSize.count
        self.common = common
        self.filters = filters
        self.kernelSize = kernelSize
        self.strides = strides ?? Array(repeating: 1, count: kernelSize.count)
        self.padding = padding
        self.dataFormat = dataFormat
        self.activation = activation
        self.useBias = useBias
        self.implementation = implementation
        self.kernelInitializer = kernelInitializer
        self.biasInitializer = biasInitializer
        self.kernelRegularizer = kernelRegularizer
        self.biasRegularizer = biasRegularizer
        self.activityRegularizer = activityRegularizer
        self.kernelConstraint = kernelConstraint
        self.biasConstraint = biasConstraint
        self.weights = weights
    }

    /// The known input spatial sizes and channels, and the output spatial sizes.
    public func geometry(_ input: Shape) throws -> (spatial: [Int], channels: Int, output: [Int]) {
        guard (1...2).contains(rank) else { throw configError("`kernel_size` must have 1 or 2 values, got \(kernelSize)") }
        try validateWindow(kernel: kernelSize, strides: strides, rank: rank)
        guard filters > 0 else { throw configError("`filters` must be positive, got \(filters)") }
        guard padding != .causal else { throw configError("`padding` must be `valid` or `same`, got `causal`") }
        guard (1...3).contains(implementation) else { throw configError("`implementation` must be 1, 2 or 3, got \(implementation)") }
        if implementation == 1, padding != .valid {
            throw configError("`padding=\"same\"` needs implementation 2 or 3 (tf_keras refuses it with implementation 1)")
        }
        let layout = try spatialLayout(input, spatialRank: rank, dataFormat: dataFormat)
        let channels = try knownChannels(layout, input: input)
        var spatial: [Int] = [], output: [Int] = []
        for (i, n) in layout.spatial.enumerated() {
            guard let n else {
                throw inputError("the spatial axes must have known sizes (tf_keras builds one kernel per position), got \(input.kerasDescription)")
            }
            let out = padding == .same ? (n + strides[i] - 1) / strides[i] : (n - kernelSize[i] + strides[i]) / strides[i]
            guard out > 0 else {
                throw inputError("the output would be empty on spatial axis \(i + 1) for input \(input.kerasDescription) with kernel_size \(kernelSize) and strides \(strides)")
            }
            spatial.append(n)
            output.append(out)
        }
        return (spatial, channels, output)
    }

    /// The input positions (per axis, as a range) that output position `o` on axis `axis` reads.
    public func window(axis: Int, output o: Int, inputLength: Int) -> Range<Int> {
        let k = kernelSize[axis], s = strides[axis]
        let left = k / 2
        let center = o * s + (padding == .valid ? left : 0)
        return max(0, center - left)..<min(inputLength, center + k - left)
    }

    public func weightSpecs(inputShapes: [Shape]) throws -> [WeightSpec] {
        let (spatial, channels, output) = try geometry(try singleInput(inputShapes))
        let outPositions = output.reduce(1, *)
        let kernel: [Int]
        switch implementation {
        case 1:
            kernel = [outPositions, kernelSize.reduce(1, *) * channels, filters]
        case 2:
            kernel = dataFormat == .channelsLast ? spatial + [channels] + output + [filters]
                : [channels] + spatial + [filters] + output
        default:
            // One entry per (output position, filter, connected input position, input channel).
            var entries = 0
            for o in 0..<outPositions {
                var connected = 1
                var rest = o
                for axis in (0..<rank).reversed() {
                    connected *= window(axis: axis, output: rest % output[axis], inputLength: spatial[axis]).count
                    rest /= output[axis]
                }
                entries += connected
            }
            kernel = [entries * channels * filters]
        }
        var specs = [WeightSpec(name: "kernel", shape: kernel)]
        if useBias {
            specs.append(WeightSpec(name: "bias", shape: output + [filters]))
        }
        return specs
    }

    public func outputShapes(inputShapes: [Shape]) throws -> [Shape] {
        let input = try singleInput(inputShapes)
        let (_, _, output) = try geometry(input)
        let layout = try spatialLayout(input, spatialRank: rank, dataFormat: dataFormat)
        return [layout.shape(spatial: output, channels: filters)]
    }
}
