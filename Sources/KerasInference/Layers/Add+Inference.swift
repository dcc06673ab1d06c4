import KerasGraph
import TensorModule

extension Add: RunnableLayer {
    /// Keras `Add`: the element-wise sum, left to right, broadcasting as Keras does.
    public func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        ClosureLayer { inputs in [try Ops.add(inputs: try Self.equalRanks(inputs))] }
    }
}
