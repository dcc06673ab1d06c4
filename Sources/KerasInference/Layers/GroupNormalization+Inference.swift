import KerasGraph
import TensorModule

extension GroupNormalization: RunnableLayer {
    /// Per sample and group, two-pass moments, then `x·inv + (beta − mean·inv)` with `inv = rsqrt(var + ε)·gamma`
    /// (Keras 3's and tf_keras' form).
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        let input = try singleInput(inputShapes)
        _ = try channels(input)
        let gamma = scale ? try weightTensor(0, "gamma") : nil
        let beta = center ? try weightTensor(scale ? 1 : 0, "beta") : nil
        let (groups, axis, epsilon) = (self.groups, self.axis, Float(self.epsilon))
        return UnaryClosureLayer { x in
            try Ops.groupNorm(input: x, groups: groups, axis: axis, gamma: gamma, beta: beta, epsilon: epsilon)
        }
    }
}
