import KerasGraph
import TensorModule

extension CustomScaleLayer: RunnableLayer {
    /// `inputs[0] + inputs[1] · scale` (the product rounded to float32 first, as TensorFlow computes it).
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        let scale = Tensor(scalar: Float(self.scale))
        return ClosureLayer { xs in
            guard xs.count == 2 else { throw inferenceError("expected 2 inputs, got \(xs.count)") }
            return [try Ops.add(lhs: xs[0], rhs: try Ops.multiply(lhs: xs[1], rhs: scale))]
        }
    }
}
