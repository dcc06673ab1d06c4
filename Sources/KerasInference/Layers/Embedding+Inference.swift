import KerasGraph
import TensorModule

extension Embedding: RunnableLayer {
    /// Gathers rows of `embeddings` by index. Indices arrive as floats (from `.npy` or a float tensor) and are
    /// truncated toward zero as Keras' cast to int32 does; an index outside `[0, input_dim)` (or not finite) is a
    /// thrown error naming the position, as TensorFlow's gather raises one.
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        let table = try weightTensor(0, "embeddings")
        return UnaryClosureLayer { x in try Ops.embedding(indices: x, table: table) }
    }
}
