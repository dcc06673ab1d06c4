import KerasGraph
import TensorModule

extension Attention: RunnableLayer {
    /// Scores as Keras computes them (`batch_matmul(q, kᵀ)·scale`, or the concat form), a causal band as
    /// `scores − 1e9`, the softmax over the value steps, then `probabilities·value`.
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        _ = try outputShapes(inputShapes: inputShapes)
        let scale = useScale ? try weightTensor(0, "scale").scalars.first : nil
        let concatWeight = scoreMode == .concat ? try weightTensor(useScale ? 1 : 0, "concat_score_weight").scalars.first : nil
        let mode = scoreMode
        return DotAttentionForward(layer: name, className: className, causal: causal || options.useCausalMask,
                                   returnScores: options.returnAttentionScores) { q, k in
            switch mode {
            case .dot:
                var scores = try Ops.batchMatmul(a: q, b: k, transposeB: true)
                if let scale { for i in scores.scalars.indices { scores.scalars[i] *= scale } }
                return scores
            case .concat:
                return try Ops.additiveAttentionScores(query: q, key: k, inner: scale, outer: concatWeight)
            }
        }
    }
}

/// `Attention` / `AdditiveAttention` at inference: `scores(query, key)`, then Keras' `_apply_scores`. With Keras
/// masks (``InputMasksConsumingLayer``; inputs query, value, optional key), the value's mask removes key steps (as
/// the causal band does, one `− 1e9` for a step removed by either) and the query's mask zeroes the output rows of
/// masked query steps (`where(q_mask, output, 0)`; the returned scores are not masked), as both Keras generations
/// compute it; a key's own mask is not used by Keras.
struct DotAttentionForward: InputMasksConsumingLayer {
    let layer: String, className: String
    let causal: Bool
    let returnScores: Bool
    let scores: @Sendable (_ query: Tensor, _ key: Tensor) throws -> Tensor

    func run(_ inputs: [Tensor]) throws -> [Tensor] { try run(inputs, masks: []) }

    func run(_ inputs: [Tensor], masks: [Tensor?]) throws -> [Tensor] {
        let (q, v) = (inputs[0], inputs[1])
        let k = inputs.count == 3 ? inputs[2] : v
        let queryMask = masks.count > 0 ? masks[0] : nil, valueMask = masks.count > 1 ? masks[1] : nil
        let (b, t, s) = (q.shape[0], q.shape[1], v.shape[1])
        if let m = queryMask, m.shape != [b, t] {
            throw InferenceError("layer `\(layer)` (\(className)): the query's Keras mask \(m.shape) does not match its [batch, steps] = [\(b), \(t)]")
        }
        if let m = valueMask, m.shape != [b, s] {
            throw InferenceError("layer `\(layer)` (\(className)): the value's Keras mask \(m.shape) does not match its [batch, steps] = [\(b), \(s)]")
        }
        var outputs = try applyAttentionScores(try scores(q, k), value: v, causal: causal, valueMask: valueMask,
                                               returnScores: returnScores)
        if let m = queryMask {
            let d = outputs[0].shape[2]
            for bi in 0..<b {
                for ti in 0..<t where m.scalars[bi * t + ti] == 0 {
                    for j in 0..<d { outputs[0].scalars[(bi * t + ti) * d + j] = 0 }
                }
            }
        }
        return outputs
    }
}

/// Keras' `_apply_scores`: masked scores lowered by 1e9 (`where(mask, scores, scores − 1e9)`, the mask being the
/// causal band and the value's Keras mask `[B, S]` by logical and), the softmax over the last axis, then
/// `probabilities·value`; the probabilities as a second output when asked.
func applyAttentionScores(_ scores: Tensor, value: Tensor, causal: Bool, valueMask: Tensor? = nil,
                          returnScores: Bool) throws -> [Tensor] {
    var scores = scores
    if causal || valueMask != nil {
        let (b, t, s) = (scores.shape[0], scores.shape[1], scores.shape[2])
        for bi in 0..<b {
            for ti in 0..<t {
                for si in 0..<s {
                    let removed = (causal && si > ti) || (valueMask.map { $0.scalars[bi * s + si] == 0 } ?? false)
                    if removed { scores.scalars[(bi * t + ti) * s + si] -= 1e9 }
                }
            }
        }
    }
    let probabilities = try Ops.softmax(input: scores, axis: -1)
    let output = try Ops.batchMatmul(a: probabilities, b: value)
    return returnScores ? [output, probabilities] : [output]
}
