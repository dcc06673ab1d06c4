import KerasGraph
import TensorModule

extension AdditiveAttention: RunnableLayer {
    /// Scores `Σ_d scale[d]·tanh(q[t, d] + k[s, d])`, then as ``Attention``.
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        _ = try outputShapes(inputShapes: inputShapes)
        let scale = useScale ? try weightTensor(0, "scale") : nil
        let causal = self.causal || options.useCausalMask
        let returnScores = options.returnAttentionScores
        return ClosureLayer { inputs in
            let (q, v) = (inputs[0], inputs[1])
            let k = inputs.count == 3 ? inputs[2] : v
            let scores = try Ops.additiveAttentionScores(query: q, key: k, weights: scale)
            return try applyAttentionScores(scores, value: v, causal: causal, returnScores: returnScores)
        }
    }
}
