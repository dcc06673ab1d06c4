import KerasGraph
import TensorModule

extension PReLU: RunnableLayer {
    /// `relu(x) - alpha·relu(-x)` as Keras computes it (piecewise for any alpha), with `alpha` broadcast
    /// over the shared axes.
    public func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        let alpha = weights[0].tensor
        return UnaryClosureLayer { x in try Ops.prelu(input: x, alpha: alpha) }
    }
}
