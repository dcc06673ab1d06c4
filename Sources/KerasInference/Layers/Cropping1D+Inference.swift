import KerasGraph
import TensorModule

extension Cropping1D: RunnableLayer {
    /// Removes steps from the start and end of `[batch, steps, features]`.
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        let c = try pair(cropping, "cropping")
        return ValueSelectingLayer(UnaryClosureLayer { x in try Ops.cropping1d(input: x, cropping: c) })
    }
}
