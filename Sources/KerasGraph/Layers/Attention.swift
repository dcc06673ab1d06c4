/// `keras.layers.Attention`: dot-product (Luong) attention `softmax(scores)·value` over a list input
/// `[query (B, Tq, dim), value (B, Tv, dv), key (B, Tv, dim)]` (the key defaults to the value).
///
/// Scores: `score_mode="dot"`: `query·keyᵀ`, times the scalar weight `scale` when `use_scale`;
/// `"concat"`: `concat_score_weight · Σ tanh(scale·(query + key))` (scale only with `use_scale`).
/// Outputs: `(B, Tq, dv)` and, with `return_attention_scores`, the probabilities `(B, Tq, Tv)`.
public struct Attention: Layer {
    public enum ScoreMode: String, Sendable, Equatable { case dot, concat }
    public var className: String { "Attention" }
    public var common: LayerCommon
    public var useScale: Bool
    public var scoreMode: ScoreMode
    /// Ignored at inference.
    public var dropout: Double
    public var seed: Int?
    /// tf.keras ≤ 2.9's `causal` config key (later versions take `use_causal_mask` at call time).
    public var causal: Bool
    public var options: DotAttentionOptions
    /// 2 (query, value) or 3 (query, value, key).
    public var inputCount: Int
    public var weights: [Weight]

    public init(common: LayerCommon, useScale: Bool = false, scoreMode: ScoreMode = .dot, dropout: Double = 0,
                seed: Int? = nil, causal: Bool = false, options: DotAttentionOptions = DotAttentionOptions(),
                inputCount: Int = 2, weights: [Weight] = []) {
        self.common = common
        self.useScale = useScale
        self.scoreMode = scoreMode
        self.dropout = dropout
        self.seed = seed
        self.causal = causal
        self.options = options
        self.inputCount = inputCount
        self.weights = weights
    }

    public var weightNames: [String] { (useScale ? ["scale"] : []) + (scoreMode == .concat ? ["concat_score_weight"] : []) }

    public func weightSpecs(inputShapes: [Shape]) throws -> [WeightSpec] {
        _ = try dotAttentionOutputShapes(inputShapes, inputCount: inputCount, options: options)
        return weightNames.map { WeightSpec(name: $0, shape: []) }
    }

    public func outputShapes(inputShapes: [Shape]) throws -> [Shape] {
        try dotAttentionOutputShapes(inputShapes, inputCount: inputCount, options: options)
    }
}


extension Layer {
    /// The output shapes of `Attention` / `AdditiveAttention` for `[query, value, key?]`.
    func dotAttentionOutputShapes(_ shapes: [Shape], inputCount: Int, options: DotAttentionOptions) throws -> [Shape] {
        guard shapes.count == inputCount else {
            throw inputError("expected \(inputCount) inputs [query, value\(inputCount == 3 ? ", key" : "")], got \(shapes.count)")
        }
        let q = shapes[0], v = shapes[1], k = shapes.count == 3 ? shapes[2] : v
        guard q.count == 3, v.count == 3, k.count == 3 else {
            throw inputError("query, value and key must be [batch, steps, dim], got \(shapes.map(\.kerasDescription).joined(separator: ", "))")
        }
        if let a = q[2], let b = k[2], a != b {
            throw inputError("query \(q.kerasDescription) and key \(k.kerasDescription) differ in the last axis")
        }
        if let a = v[1], let b = k[1], a != b {
            throw inputError("value \(v.kerasDescription) and key \(k.kerasDescription) differ in steps")
        }
        let output: Shape = [q[0], q[1], v[2]]
        return options.returnAttentionScores ? [output, [q[0], q[1], v[1]]] : [output]
    }
}
