import KerasGraph
import TensorModule

extension Multiply: RunnableLayer {
    /// Keras `Multiply`: the element-wise product, left to right, broadcasting as Keras does.
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        ClosureLayer { inputs in [try Ops.multiply(inputs: try Self.equalRanks(inputs))] }
    }
}
