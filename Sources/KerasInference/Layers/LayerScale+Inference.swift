import KerasGraph
import TensorModule

extension LayerScale: RunnableLayer {
    /// `x · gamma`, `gamma` broadcast over the last axis.
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        let gamma = try weightTensor(0, "gamma")
        return UnaryClosureLayer { x in try Ops.multiply(lhs: x, rhs: gamma) }
    }
}
