import KerasGraph
import TensorModule

extension ThresholdedReLU: RunnableLayer {
    /// Keras 2's `x · cast(x > theta)` (so negative inputs give `-0.0`, as in TensorFlow).
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        let theta = self.theta
        return UnaryClosureLayer { x in try Ops.activation(.thresholdedReLU(theta: theta), input: x) }
    }
}
