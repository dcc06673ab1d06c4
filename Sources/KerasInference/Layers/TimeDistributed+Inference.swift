import KerasGraph
import TensorModule

extension TimeDistributed: RunnableLayer {
    /// The wrapped layer compiled for one step's shape and run once on all `batch·time` steps (reshaped to
    /// `[batch·time, …]` and back).
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        guard let runnable = layer as? any RunnableLayer else {
            throw inferenceError("the wrapped layer `\(layer.name)` (\(layer.className)) cannot be run by KerasPort")
        }
        let input = try singleInput(inputShapes)
        var stepShape = try innerInputShape(inputShapes)
        if let b = input[0], let t = input[1] { stepShape[0] = b * t }
        let inner = try runnable.compile(inputShapes: [stepShape])
        return UnaryClosureLayer { x in
            guard x.rank >= 3 else { throw InferenceError("expected input [batch, time, …], got \(x.shape)") }
            let (b, t) = (x.shape[0], x.shape[1])
            let steps = try Ops.reshape(input: x, shape: [b * t] + x.shape.dropFirst(2))
            let out = try inner.run([steps])
            guard out.count == 1, let y = out.first, y.rank >= 1, y.shape[0] == b * t else {
                throw InferenceError("the wrapped layer must return one tensor with \(b * t) rows")
            }
            return try Ops.reshape(input: y, shape: [b, t] + y.shape.dropFirst())
        }
    }
}
