/// `keras.layers.AdditiveAttention`: Bahdanau attention; scores `Σ_d scale[d]·tanh(query[t, d] + key[s, d])`
/// (`scale`, shape `(dim,)`, only with `use_scale`, the default), then as ``Attention``.
public struct AdditiveAttention: Layer {
    public var className: String { "AdditiveAttention" }
    public var common: LayerCommon
    public var useScale: Bool
    /// Ignored at inference.
    public var dropout: Double
    public var seed: Int?
    /// tf.keras ≤ 2.9's `causal` config key.
    public var causal: Bool
    public var options: DotAttentionOptions
    public var inputCount: Int
    public var weights: [Weight]

    public init(common: LayerCommon, useScale: Bool = true, dropout: Double = 0, seed: Int? = nil, causal: Bool = false,
                options: DotAttentionOptions = DotAttentionOptions(), inputCount: Int = 2, weights: [Weight] = []) {
        self.common = common
        self.useScale = useScale
        self.dropout = dropout
        self.seed = seed
        self.causal = causal
        self.options = options
        self.inputCount = inputCount
        self.weights = weights
    }

    public func weightSpecs(inputShapes: [Shape]) throws -> [WeightSpec] {
        _ = try dotAttentionOutputShapes(inputShapes, inputCount: inputCount, options: options)
        guard useScale else { return [] }
        guard let dim = inputShapes[0].last!, inputShapes[0].count == 3 else {
            throw inputError("the query's last axis must have a known size, got \(inputShapes[0].kerasDescription)")
        }
        return [WeightSpec(name: "scale", shape: [dim])]
    }

    public func outputShapes(inputShapes: [Shape]) throws -> [Shape] {
        try dotAttentionOutputShapes(inputShapes, inputCount: inputCount, options: options)
    }
}
