import KerasGraph
import TensorModule

extension ReversibleEmbedding: RunnableLayer {
    /// Forward: the embedding lookup. Reverse: `x · embeddingsᵀ` (or `x · reverse_embeddings`), then
    /// `tanh(logits / cap) · cap` with a soft cap. `mask_zero=True` (whose mask Keras sets on the lookup's output)
    /// and a `reverse_dtype` other than float32 are refused.
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        guard !embedding.maskZero else {
            throw inferenceError("`mask_zero=True` is not supported (KerasPort does not propagate this layer's mask)")
        }
        if let dtype = reverseDtype, dtype != "float32" {
            throw inferenceError("`reverse_dtype` `\(dtype)` is not supported (KerasPort computes in float32)")
        }
        let table = try weightTensor(0, "embeddings")
        guard reverse else { return UnaryClosureLayer { x in try Ops.embedding(indices: x, table: table) } }
        // [outputDim, inputDim]: the transposed table, or the separate reverse table.
        let kernel = tieWeights ? try Ops.transpose(input: table, permutation: [1, 0]) : try weightTensor(1, "reverse_embeddings")
        let cap = logitSoftCap.map { Float($0) }
        return UnaryClosureLayer { x in
            var logits = try Ops.dense(input: x, kernel: kernel)
            if let cap {
                for i in logits.scalars.indices { logits.scalars[i] /= cap }
                try Ops.applyActivation(.tanh, to: &logits)
                for i in logits.scalars.indices { logits.scalars[i] *= cap }
            }
            return logits
        }
    }
}
