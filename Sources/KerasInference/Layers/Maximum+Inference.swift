import KerasGraph
import TensorModule

extension Maximum: RunnableLayer {
    /// Keras `Maximum`: the element-wise maximum (`tf.maximum`: NaN wins), left to right, broadcasting as Keras does.
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        ClosureLayer { inputs in [try Ops.maximum(inputs: try Self.equalRanks(inputs))] }
    }
}
