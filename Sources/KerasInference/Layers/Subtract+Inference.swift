import KerasGraph
import TensorModule

extension Subtract: RunnableLayer {
    /// Keras `Subtract`: `a − b` of exactly two inputs, broadcasting as Keras does.
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        guard inputShapes.count == 2 else {
            throw inferenceError("expected exactly 2 inputs, got \(inputShapes.count)")
        }
        return ClosureLayer { inputs in
            let xs = try Self.equalRanks(inputs)
            guard xs.count == 2 else { throw inferenceError("expected exactly 2 inputs, got \(xs.count)") }
            return [try Ops.subtract(lhs: xs[0], rhs: xs[1])]
        }
    }
}
