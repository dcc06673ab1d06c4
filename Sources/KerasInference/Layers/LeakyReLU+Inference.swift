import KerasGraph
import TensorModule

extension LeakyReLU: RunnableLayer {
    /// `x > 0 ? x : slope·x`, the piecewise definition, for every slope (also above 1, where it differs from
    /// `max(x, slope·x)`); bit-exact with TensorFlow's kernel.
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        let slope = negativeSlope
        if slope == 0 && reluWhenSlopeIsZero {
            // Keras 2: backend.relu(x, alpha=0) is plain relu (-inf → 0, not NaN).
            return ElementwiseLayer(postOps: [.activation(.relu)]) { x in try Ops.activation(.relu, input: x) }
        }
        return ElementwiseLayer(postOps: [.activation(.leakyReLU(negativeSlope: slope))]) { x in
            Ops.leakyReLU(input: x, negativeSlope: slope)
        }
    }
}
