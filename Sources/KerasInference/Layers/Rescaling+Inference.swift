import KerasGraph
import TensorModule

extension Rescaling: RunnableLayer {
    /// `x · scale + offset` in float32 (Keras casts both to the compute dtype), lists broadcast over the last axis.
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        let scale = self.scale.floats, offset = self.offset.floats
        return UnaryClosureLayer { x in try Ops.rescale(input: x, scale: scale, offset: offset) }
    }
}
