/// Keras 3 `keras.layers.GroupQueryAttention` (Python class `GroupedQueryAttention`, which names its
/// `.weights.h5` group `grouped_query_attention` and legacy `.h5` configs; `.keras` configs say
/// `GroupQueryAttention`): multi-head attention whose
/// `numKeyValueHeads` key/value heads each serve `numQueryHeads / numKeyValueHeads` consecutive query heads.
///
/// Inputs as ``MultiHeadAttention`` (query `[B, T, d]`, value, optional key and attention mask; see ``roles``);
/// output `[B, T, d]` and, with `return_attention_scores`, the scores `[B, query heads, T, S]`.
/// Weights in Keras order (biases with `use_bias`): `query/kernel (d, q_heads, head_dim)`, `query/bias`,
/// `key/kernel (dk, kv_heads, head_dim)`, `key/bias`, `gate/…` (`use_gate`, like the query), `value/kernel
/// (dv, kv_heads, head_dim)`, `value/bias`, `attention_output/kernel (q_heads, head_dim, d)`, `attention_output/bias (d)`.
public struct GroupedQueryAttention: Layer {
    public var className: String { "GroupedQueryAttention" }
    public var common: LayerCommon
    public var headDim: Int
    public var numQueryHeads: Int
    public var numKeyValueHeads: Int
    /// Ignored at inference.
    public var dropout: Double
    public var useBias: Bool
    public var useGate: Bool
    public var slidingWindow: Int?
    public var kernelInitializer: KerasObject?
    public var biasInitializer: KerasObject?
    public var kernelRegularizer: KerasObject?
    public var biasRegularizer: KerasObject?
    public var activityRegularizer: KerasObject?
    public var kernelConstraint: KerasObject?
    public var biasConstraint: KerasObject?
    public var seed: Int?
    public var roles: MultiHeadAttentionRoles
    public var weights: [Weight]

    public init(common: LayerCommon, headDim: Int, numQueryHeads: Int, numKeyValueHeads: Int, dropout: Double = 0,
                useBias: Bool = true, useGate: Bool = false, slidingWindow: Int? = nil,
                kernelInitializer: KerasObject? = .glorotUniform, biasInitializer: KerasObject? = .zeros,
                kernelRegularizer: KerasObject? = nil, biasRegularizer: KerasObject? = nil,
                activityRegularizer: KerasObject? = nil, kernelConstraint: KerasObject? = nil,
                biasConstraint: KerasObject? = nil, seed: Int? = nil, roles: MultiHeadAttentionRoles = .plain,
                weights: [Weight] = []) {
        self.common = common
        self.headDim = headDim
        self.numQueryHeads = numQueryHeads
        self.numKeyValueHeads = numKeyValueHeads
        self.dropout = dropout
        self.useBias = useBias
        self.useGate = useGate
        self.slidingWindow = slidingWindow
        self.kernelInitializer = kernelInitializer
        self.biasInitializer = biasInitializer
        self.kernelRegularizer = kernelRegularizer
        self.biasRegularizer = biasRegularizer
        self.activityRegularizer = activityRegularizer
        self.kernelConstraint = kernelConstraint
        self.biasConstraint = biasConstraint
        self.seed = seed
        self.roles = roles
        self.weights = weights
    }

    /// The sub-layers that own weights, in Keras' weight order.
    public var projections: [String] {
        ["query", "key"] + (useGate ? ["gate"] : []) + ["value", "attention_output"]
    }

    /// The feature sizes of query, value and key, checked.
    public func resolvedSizes(_ inputShapes: [Shape]) throws -> (query: Int, value: Int, key: Int) {
        guard inputShapes.count == roles.inputCount else {
            throw inputError("expected \(roles.inputCount) inputs, got \(inputShapes.count)")
        }
        guard numKeyValueHeads > 0, numQueryHeads % numKeyValueHeads == 0 else {
            throw configError("`num_query_heads` \(numQueryHeads) must be a multiple of `num_key_value_heads` \(numKeyValueHeads)")
        }
        let q = inputShapes[roles.query], v = inputShapes[roles.value]
        let k = roles.key.map { inputShapes[$0] } ?? v
        guard q.count == 3, v.count == 3, k.count == 3, let dq = q[2], let dv = v[2], let dk = k[2] else {
            throw inputError("query, value and key must be [batch, steps, features] with known features, got \(q.kerasDescription), \(v.kerasDescription), \(k.kerasDescription)")
        }
        if let m = roles.attentionMask, inputShapes[m].count != 3 {
            throw inputError("the attention mask must be [batch, query steps, key steps], got \(inputShapes[m].kerasDescription)")
        }
        return (dq, dv, dk)
    }

    public func weightSpecs(inputShapes: [Shape]) throws -> [WeightSpec] {
        let (dq, dv, dk) = try resolvedSizes(inputShapes)
        var specs: [WeightSpec] = []
        func projection(_ name: String, kernel: [Int], bias: [Int]) {
            specs.append(WeightSpec(name: "\(name)/kernel", shape: kernel))
            if useBias { specs.append(WeightSpec(name: "\(name)/bias", shape: bias)) }
        }
        projection("query", kernel: [dq, numQueryHeads, headDim], bias: [numQueryHeads, headDim])
        projection("key", kernel: [dk, numKeyValueHeads, headDim], bias: [numKeyValueHeads, headDim])
        if useGate { projection("gate", kernel: [dq, numQueryHeads, headDim], bias: [numQueryHeads, headDim]) }
        projection("value", kernel: [dv, numKeyValueHeads, headDim], bias: [numKeyValueHeads, headDim])
        projection("attention_output", kernel: [numQueryHeads, headDim, dq], bias: [dq])
        return specs
    }

    public func outputShapes(inputShapes: [Shape]) throws -> [Shape] {
        _ = try resolvedSizes(inputShapes)
        let q = inputShapes[roles.query], v = inputShapes[roles.value]
        guard roles.returnAttentionScores else { return [q] }
        return [q, [q[0], numQueryHeads, q[1], v[1]]]
    }
}
