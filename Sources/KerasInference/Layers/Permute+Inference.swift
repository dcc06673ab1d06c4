import KerasGraph
import TensorModule

extension Permute: RunnableLayer {
    /// Reorders the non-batch axes (`dims` is 1-based).
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        let dims = self.dims
        return ValueSelectingLayer(UnaryClosureLayer { x in try Ops.permute(input: x, dims: dims) })
    }
}
