import KerasGraph
import TensorModule

extension Minimum: RunnableLayer {
    /// Keras `Minimum`: the element-wise minimum (`tf.minimum`: NaN wins), left to right, broadcasting as Keras does.
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        ClosureLayer { inputs in [try Ops.minimum(inputs: try Self.equalRanks(inputs))] }
    }
}
