import KerasGraph
import TensorModule

extension Attention: RunnableLayer {
    /// Scores as Keras computes them (`batch_matmul(q, kᵀ)·scale`, or the concat form), a causal band as
    /// `scores − 1e9`, the softmax over the value steps, then `probabilities·value`.
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        _ = try outputShapes(inputShapes: inputShapes)
        let scale = useScale ? try weightTensor(0, "scale").scalars.first : nil
        let concatWeight = scoreMode == .concat ? try weightTensor(useScale ? 1 : 0, "concat_score_weight").scalars.first : nil
        let mode = scoreMode, causal = self.causal || options.useCausalMask
        let returnScores = options.returnAttentionScores
        return ClosureLayer { inputs in
            let (q, v) = (inputs[0], inputs[1])
            let k = inputs.count == 3 ? inputs[2] : v
            var scores: Tensor
            switch mode {
            case .dot:
                scores = try Ops.batchMatmul(a: q, b: k, transposeB: true)
                if let scale { for i in scores.scalars.indices { scores.scalars[i] *= scale } }
            case .concat:
                scores = try Ops.additiveAttentionScores(query: q, key: k, inner: scale, outer: concatWeight)
            }
            return try applyAttentionScores(scores, value: v, causal: causal, returnScores: returnScores)
        }
    }
}


/// Keras' `_apply_scores`: masked scores lowered by 1e9 (`where(mask, scores, scores − 1e9)`), the softmax over
/// the last axis, then `probabilities·value`; the probabilities as a second output when asked.
func applyAttentionScores(_ scores: Tensor, value: Tensor, causal: Bool, returnScores: Bool) throws -> [Tensor] {
    var scores = scores
    if causal {
        let (b, t, s) = (scores.shape[0], scores.shape[1], scores.shape[2])
        for bi in 0..<b {
            for ti in 0..<t where ti + 1 < s {
                for si in (ti + 1)..<s { scores.scalars[(bi * t + ti) * s + si] -= 1e9 }
            }
        }
    }
    let probabilities = try Ops.softmax(input: scores, axis: -1)
    let output = try Ops.batchMatmul(a: probabilities, b: value)
    return returnScores ? [output, probabilities] : [output]
}
