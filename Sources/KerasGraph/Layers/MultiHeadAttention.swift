/// `keras.layers.MultiHeadAttention`: scaled dot-product attention over `numHeads` heads, with learned query, key,
/// value and output projections (Keras' `EinsumDense` sub-layers `query`, `key`, `value`, `attention_output`, and
/// Keras 3's optional sigmoid `gate`).
///
/// Inputs (see ``roles``): query `[B, T…, dq]`, value `[B, S…, dv]`, optional key `[B, S…, dk]` (else the value),
/// optional attention mask broadcastable to `[B, T, S]`. Outputs: `[B, T…, *outputShape]` (default `[B, T…, dq]`)
/// and, with `return_attention_scores`, the scores `[B, heads, T…, S…]`.
///
/// Weights, in Keras order (`use_bias` adds each bias): `query/kernel (dq, heads, key_dim)`, `query/bias
/// (heads, key_dim)`, `key/…` likewise from `dk`, `gate/kernel (dq, heads, value_dim)` and `gate/bias` (Keras 3
/// `use_gate`), `value/kernel (dv, heads, value_dim)`, `value/bias (heads, value_dim)`,
/// `attention_output/kernel (heads, value_dim, *out)`, `attention_output/bias (*out)`.
public struct MultiHeadAttention: Layer {
    public var className: String { "MultiHeadAttention" }
    public var common: LayerCommon
    public var numHeads: Int
    public var keyDim: Int
    /// `value_dim` (Keras: `key_dim` when not given).
    public var valueDim: Int
    /// Ignored at inference.
    public var dropout: Double
    public var useBias: Bool
    /// Keras 3 `use_gate`.
    public var useGate: Bool
    /// `output_shape` without the batch and attention axes, or `nil` for the query's last size.
    public var outputShape: [Int]?
    /// `attention_axes` as saved (`nil`: all axes but batch, heads and features). Only the default is supported.
    public var attentionAxes: [Int]?
    /// Keras 3 `sliding_window`.
    public var slidingWindow: Int?
    /// tf_keras `softmax_robust_masking`.
    public var softmaxRobustMasking: Bool
    public var kernelInitializer: KerasObject?
    public var biasInitializer: KerasObject?
    public var kernelRegularizer: KerasObject?
    public var biasRegularizer: KerasObject?
    public var activityRegularizer: KerasObject?
    public var kernelConstraint: KerasObject?
    public var biasConstraint: KerasObject?
    public var seed: Int?
    /// Which call input is which; from the call's arguments.
    public var roles: MultiHeadAttentionRoles
    public var maskSemantics: AttentionMaskSemantics
    /// tf_keras' `query_shape`, `key_shape`, `value_shape` config keys (its `from_config` builds the layer from
    /// them), when the file recorded them.
    public var keras2BuildShapes: [Shape?] = []
    public var weights: [Weight]

    public init(common: LayerCommon, numHeads: Int, keyDim: Int, valueDim: Int? = nil, dropout: Double = 0,
                useBias: Bool = true, useGate: Bool = false, outputShape: [Int]? = nil, attentionAxes: [Int]? = nil,
                slidingWindow: Int? = nil, softmaxRobustMasking: Bool = false,
                kernelInitializer: KerasObject? = .glorotUniform, biasInitializer: KerasObject? = .zeros,
                kernelRegularizer: KerasObject? = nil, biasRegularizer: KerasObject? = nil,
                activityRegularizer: KerasObject? = nil, kernelConstraint: KerasObject? = nil,
                biasConstraint: KerasObject? = nil, seed: Int? = nil, roles: MultiHeadAttentionRoles = .plain,
                maskSemantics: AttentionMaskSemantics = .keras3, weights: [Weight] = []) {
        self.common = common
        self.numHeads = numHeads
        self.keyDim = keyDim
        self.valueDim = valueDim ?? keyDim
        self.dropout = dropout
        self.useBias = useBias
        self.useGate = useGate
        self.outputShape = outputShape
        self.attentionAxes = attentionAxes
        self.slidingWindow = slidingWindow
        self.softmaxRobustMasking = softmaxRobustMasking
        self.kernelInitializer = kernelInitializer
        self.biasInitializer = biasInitializer
        self.kernelRegularizer = kernelRegularizer
        self.biasRegularizer = biasRegularizer
        self.activityRegularizer = activityRegularizer
        self.kernelConstraint = kernelConstraint
        self.biasConstraint = biasConstraint
        self.seed = seed
        self.roles = roles
        self.maskSemantics = maskSemantics
        self.weights = weights
    }

    /// The sub-layers that own weights, in Keras' weight order, with their weight count.
    public var projections: [String] {
        ["query", "key"] + (useGate ? ["gate"] : []) + ["value", "attention_output"]
    }

    /// The shapes of query, value and key (the value's when no key is passed), checked against each other.
    public func resolvedShapes(_ inputShapes: [Shape]) throws -> (query: Shape, value: Shape, key: Shape) {
        guard inputShapes.count == roles.inputCount else {
            throw inputError("expected \(roles.inputCount) inputs (query, value\(roles.key != nil ? ", key" : "")\(roles.attentionMask != nil ? ", attention_mask" : "")), got \(inputShapes.count)")
        }
        let q = inputShapes[roles.query], v = inputShapes[roles.value]
        let k = roles.key.map { inputShapes[$0] } ?? v
        guard q.count >= 3, v.count == q.count, k.count == q.count else {
            throw inputError("query, value and key must have the same rank ≥ 3, got \(q.kerasDescription), \(v.kerasDescription), \(k.kerasDescription)")
        }
        for (name, s) in [("query", q), ("value", v), ("key", k)] where s.last! == nil {
            throw inputError("the \(name)'s last axis must have a known size, got \(s.kerasDescription)")
        }
        for i in 1..<(v.count - 1) {
            if let a = v[i], let b = k[i], a != b {
                throw inputError("value \(v.kerasDescription) and key \(k.kerasDescription) differ on axis \(i)")
            }
        }
        if let axes = attentionAxes {
            let rank = q.count + 1
            let normalized = axes.map { $0 >= 0 ? $0 : rank - 1 + $0 }
            guard normalized == Array(1..<(rank - 2)) else {
                throw configError("`attention_axes` \(axes) is not supported for rank-\(q.count) inputs (only the default, all axes but batch, heads and features: \(Array(1..<(rank - 2))))")
            }
        }
        return (q, v, k)
    }

    /// The output projection's trailing shape: `output_shape`, or the query's feature size.
    public func outputDims(query: Shape) -> [Int] { outputShape ?? [query.last!!] }

    public func weightSpecs(inputShapes: [Shape]) throws -> [WeightSpec] {
        let (q, v, k) = try resolvedShapes(inputShapes)
        let (dq, dv, dk) = (q.last!!, v.last!!, k.last!!)
        var specs: [WeightSpec] = []
        func projection(_ name: String, kernel: [Int], bias: [Int]) {
            specs.append(WeightSpec(name: "\(name)/kernel", shape: kernel))
            if useBias { specs.append(WeightSpec(name: "\(name)/bias", shape: bias)) }
        }
        projection("query", kernel: [dq, numHeads, keyDim], bias: [numHeads, keyDim])
        projection("key", kernel: [dk, numHeads, keyDim], bias: [numHeads, keyDim])
        if useGate { projection("gate", kernel: [dq, numHeads, valueDim], bias: [numHeads, valueDim]) }
        projection("value", kernel: [dv, numHeads, valueDim], bias: [numHeads, valueDim])
        let out = outputDims(query: q)
        projection("attention_output", kernel: [numHeads, valueDim] + out, bias: out)
        return specs
    }

    public func outputShapes(inputShapes: [Shape]) throws -> [Shape] {
        let (q, v, _) = try resolvedShapes(inputShapes)
        if let m = roles.attentionMask {
            let mask = inputShapes[m]
            guard mask.count == 3 || mask.count == 4 else {
                throw inputError("the attention mask must have rank 3 ([batch, query steps, key steps]) or 4, got \(mask.kerasDescription)")
            }
        }
        if q.count > 3, roles.useCausalMask || slidingWindow != nil {
            throw configError("a causal mask or sliding window over several attention axes is not supported")
        }
        let output = Array(q.dropLast()) + outputDims(query: q).map { Optional($0) }
        guard roles.returnAttentionScores else { return [output] }
        let scores: Shape = [q[0], numHeads] + Array(q.dropFirst().dropLast()) + Array(v.dropFirst().dropLast())
        return [output, scores]
    }
}
