import KerasGraph
import TensorModule

extension Padding {
    /// The kernel library's form of this padding mode.
    var op: Ops.Padding {
        switch self {
        case .valid: return .valid
        case .same: return .same
        case .causal: return .causal
        }
    }
}

extension Layer {
    /// An ``InferenceError`` naming this layer and its class: `layer `name` (Class): reason`.
    func inferenceError(_ reason: String) -> InferenceError {
        InferenceError("layer `\(name)` (\(className)): \(reason)")
    }

    /// The weight at `index`, or an error naming the layer and the weight it expected there.
    func weightTensor(_ index: Int, _ expected: String) throws -> Tensor {
        guard index < weights.count else {
            throw inferenceError("weight `\(expected)` is missing (the layer holds \(weights.count) weights)")
        }
        return weights[index].tensor
    }

    /// Two values of a per-axis config list (`strides`, `pool_size`, …) as a pair, or an error naming the key.
    func pair(_ values: [Int], _ key: String) throws -> (Int, Int) {
        guard values.count == 2 else { throw inferenceError("`\(key)` must have 2 values, got \(values)") }
        return (values[0], values[1])
    }

    /// The one value of a per-axis config list of a 1-D layer, or an error naming the key.
    func single(_ values: [Int], _ key: String) throws -> Int {
        guard values.count == 1 else { throw inferenceError("`\(key)` must have 1 value, got \(values)") }
        return values[0]
    }
}

extension InferenceIdentityLayer {
    /// Dropout and noise layers are the identity at inference (Keras calls them with `training=False`).
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        IdentityLayer()
    }
}

/// Moving the channel axis of `[batch, channels, spatial…]` tensors (Keras `channels_first`) to the end and
/// back, so that the channels-last kernels can run them.
enum ChannelLayout {
    /// `[batch, channels, s1, …, sk]` → `[batch, s1, …, sk, channels]`.
    static func toChannelsLast(_ x: Tensor) throws -> Tensor {
        guard x.rank > 2 else { return x }
        return try Ops.transpose(input: x, permutation: [0] + Array(2..<x.rank) + [1])
    }

    /// `[batch, s1, …, sk, channels]` → `[batch, channels, s1, …, sk]`.
    static func toChannelsFirst(_ x: Tensor) throws -> Tensor {
        guard x.rank > 2 else { return x }
        return try Ops.transpose(input: x, permutation: [0, x.rank - 1] + Array(1..<(x.rank - 1)))
    }

    /// Runs a channels-last `body` on `x` laid out as `format`: channels-first input is transposed to
    /// channels-last, run, and the (rank-preserving) result transposed back.
    static func run(_ x: Tensor, _ format: DataFormat, _ body: (Tensor) throws -> Tensor) throws -> Tensor {
        switch format {
        case .channelsLast: return try body(x)
        case .channelsFirst: return try toChannelsFirst(try body(try toChannelsLast(x)))
        }
    }
}

extension ChannelLayout {
    /// Runs a channels-last convolution `body` with `activation` fused where that gives Keras' result: always
    /// for element-wise functions; for softmax (an axis-wise function, whose axis refers to the layer's own
    /// layout) only on channels-last data, otherwise after transposing back.
    static func run(_ x: Tensor, _ format: DataFormat, activation: Ops.Activation,
                    _ body: (Tensor, Ops.Activation) throws -> Tensor) throws -> Tensor {
        if format == .channelsLast || activation.isElementwise {
            return try run(x, format) { try body($0, activation) }
        }
        var y = try run(x, format) { try body($0, .linear) }
        try Ops.applyActivation(activation, to: &y)
        return y
    }
}

extension MergingLayer {
    /// The inputs of an element-wise merge with equal ranks: as Keras' `Merge` layer does, each lower-rank input
    /// gets size-1 axes inserted after the batch axis until the ranks match (so non-batch axes line up from the
    /// right and the batch axes stay together).
    static func equalRanks(_ inputs: [Tensor]) throws -> [Tensor] {
        let rank = inputs.map(\.rank).max() ?? 0
        return try inputs.map { x in
            guard x.rank < rank, let batch = x.shape.first else { return x }
            let ones = [Int](repeating: 1, count: rank - x.rank)
            return try Ops.reshape(input: x, shape: [batch] + ones + x.shape.dropFirst())
        }
    }
}
