import KerasGraph
import TensorModule

extension Reshape: RunnableLayer {
    /// The same values under `[batch] + targetShape` (one `-1` inferred per sample).
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        let target = targetShape
        return ValueSelectingLayer(UnaryClosureLayer { x in
            guard let batch = x.shape.first else { throw inferenceError("input has no batch axis") }
            let perSample = x.shape.dropFirst().reduce(1, *)
            var shape = target
            if let i = shape.firstIndex(of: -1) {
                let known = shape.filter { $0 != -1 }.reduce(1, *)
                guard known > 0, perSample % known == 0 else {
                    throw inferenceError("cannot reshape \(x.shape) to target_shape \(target)")
                }
                shape[i] = perSample / known
            }
            return try Ops.reshape(input: x, shape: [batch] + shape)
        })
    }
}
