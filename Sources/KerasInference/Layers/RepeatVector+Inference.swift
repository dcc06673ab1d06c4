import KerasGraph
import TensorModule

extension RepeatVector: RunnableLayer {
    /// `[batch, features] → [batch, n, features]`.
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        let n = self.n
        return UnaryClosureLayer { x in try Ops.repeatVector(input: x, count: n) }
    }
}
