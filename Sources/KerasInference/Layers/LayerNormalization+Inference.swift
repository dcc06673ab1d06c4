import KerasGraph
import TensorModule

extension LayerNormalization: RunnableLayer {
    /// Per sample, the mean and variance over the normalised axes (two passes, as `tf.nn.moments`), then
    /// `x·inv + (beta − mean·inv)` with `inv = rsqrt(var + epsilon)·gamma`; `rms_scaling` (Keras 3) skips the
    /// centring.
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        let input = try singleInput(inputShapes)
        let axes = try normalizedAxes(rank: input.count)
        let hasGamma = scale || rmsScaling, hasBeta = center && !rmsScaling
        let gamma = hasGamma ? try weightTensor(0, "gamma") : nil
        let beta = hasBeta ? try weightTensor(hasGamma ? 1 : 0, "beta") : nil
        let (epsilon, rms) = (Float(self.epsilon), rmsScaling)
        return UnaryClosureLayer { x in
            try Ops.layerNorm(input: x, axes: axes, gamma: gamma, beta: beta, epsilon: epsilon, rmsScaling: rms)
        }
    }
}
