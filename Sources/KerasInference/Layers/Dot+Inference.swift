import KerasGraph
import TensorModule

extension Dot: RunnableLayer {
    /// The batch-wise dot product over the configured axes (`batch_dot`), optionally of L2-normalised inputs
    /// (Keras 3's `normalize`: `x·min(rsqrt(Σx²), 1e7)`).
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        guard inputShapes.count == 2 else {
            throw inferenceError("expected exactly 2 inputs, got \(inputShapes.count)")
        }
        let axes = try resolvedAxes(inputShapes[0], inputShapes[1])
        let normalize = self.normalize
        return ClosureLayer { inputs in
            guard inputs.count == 2 else { throw inferenceError("expected exactly 2 inputs, got \(inputs.count)") }
            return [try Ops.dot(lhs: inputs[0], rhs: inputs[1], axes: axes, normalize: normalize)]
        }
    }
}
