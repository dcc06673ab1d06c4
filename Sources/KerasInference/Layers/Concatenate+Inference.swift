import KerasGraph
import TensorModule

extension Concatenate: RunnableLayer {
    /// Joins the inputs along `axis`.
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        let axis = self.axis
        return ClosureLayer { inputs in [try Ops.concatenate(inputs: inputs, axis: axis)] }
    }
}
