import KerasGraph
import TensorModule

extension AdditiveAttention: RunnableLayer {
    /// Scores `Σ_d scale[d]·tanh(q[t, d] + k[s, d])`, then as ``Attention`` (Keras masks included).
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        _ = try outputShapes(inputShapes: inputShapes)
        let scale = useScale ? try weightTensor(0, "scale") : nil
        return DotAttentionForward(layer: name, className: className, causal: causal || options.useCausalMask,
                                   returnScores: options.returnAttentionScores) { q, k in
            try Ops.additiveAttentionScores(query: q, key: k, weights: scale)
        }
    }
}
