import KerasGraph
import TensorModule

extension CategoryEncoding: RunnableLayer {
    /// One-hot, multi-hot or count vectors of `num_tokens` floats; an id that is not an integer in
    /// `[0, num_tokens)` is an error naming the layer (tf_keras asserts the same; Keras 3 drops ids ≥ num_tokens).
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        guard !sparse else { throw inferenceError("`sparse=True` gives a sparse tensor; KerasPort runs dense tensors only") }
        guard let mode = Ops.CategoryMode(rawValue: outputMode) else {
            throw inferenceError("`output_mode` `\(outputMode)` is not supported (one_hot, multi_hot, count)")
        }
        let depth = numTokens
        return UnaryClosureLayer { x in try Ops.encodeCategories(input: x, depth: depth, mode: mode) }
    }
}
