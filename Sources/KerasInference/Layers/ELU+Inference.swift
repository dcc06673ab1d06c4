import KerasGraph
import TensorModule

extension ELU: RunnableLayer {
    /// `x > 0 ? x : alpha·(eˣ − 1)`, as TensorFlow's `elu` scaled by `alpha` on the negative side.
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        let alpha = self.alpha
        return UnaryClosureLayer { x in try Ops.activation(.elu(alpha: alpha), input: x) }
    }
}
