/// Which input of a `MultiHeadAttention` call plays which role, and the call's options, resolved from the call's
/// arguments (`mha(q, v, key=k, attention_mask=m, use_causal_mask=True)`) when the layer is decoded. Indices are
/// into the call's inputs.
public struct MultiHeadAttentionRoles: Sendable, Equatable {
    public var query: Int
    public var value: Int
    public var key: Int?
    public var attentionMask: Int?
    public var useCausalMask: Bool
    public var returnAttentionScores: Bool

    /// The plain call `mha(query, value)`.
    public static let plain = MultiHeadAttentionRoles(query: 0, value: 1)

    public init(query: Int, value: Int, key: Int? = nil, attentionMask: Int? = nil, useCausalMask: Bool = false,
                returnAttentionScores: Bool = false) {
        self.query = query
        self.value = value
        self.key = key
        self.attentionMask = attentionMask
        self.useCausalMask = useCausalMask
        self.returnAttentionScores = returnAttentionScores
    }

    /// The number of inputs a call with these roles has.
    public var inputCount: Int { ([query, value] + [key, attentionMask].compactMap { $0 }).max()! + 1 }
}

/// The options of an `Attention` / `AdditiveAttention` call (`att([q, v, k], use_causal_mask=True)`): the inputs
/// are query, value and optionally key, in that order.
public struct DotAttentionOptions: Sendable, Equatable {
    public var useCausalMask: Bool
    public var returnAttentionScores: Bool
    public init(useCausalMask: Bool = false, returnAttentionScores: Bool = false) {
        self.useCausalMask = useCausalMask
        self.returnAttentionScores = returnAttentionScores
    }
}

/// How masked attention scores are removed: the two Keras generations differ for float masks and fully masked rows.
public enum AttentionMaskSemantics: Sendable, Equatable {
    /// Keras 3: a mask is true where non-zero; masked scores are replaced before the softmax.
    case keras3
    /// tf_keras: `scores + (1 − mask)·(−1e9)` with the mask's values.
    case keras2
}
