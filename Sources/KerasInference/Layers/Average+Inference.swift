import KerasGraph
import TensorModule

extension Average: RunnableLayer {
    /// Keras `Average`: the left-to-right sum divided by the number of inputs, broadcasting as Keras does.
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        ClosureLayer { inputs in [try Ops.average(inputs: try Self.equalRanks(inputs))] }
    }
}
