import KerasGraph
import TensorModule

extension Pipeline: RunnableLayer {
    /// Each layer compiled for the shape the previous one gives, run in order.
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        let shapes = try stageShapes(inputShapes: inputShapes)
        var stages: [any CompiledLayer] = []
        for (layer, shape) in zip(layers, shapes) {
            guard let runnable = layer as? any RunnableLayer else {
                throw inferenceError("the layer `\(layer.name)` (\(layer.className)) cannot be run by KerasPort")
            }
            stages.append(try runnable.compile(inputShapes: [shape]))
        }
        let compiled = stages
        return UnaryClosureLayer { x in
            var y = x
            for stage in compiled {
                let out = try stage.run([y])
                guard out.count == 1 else { throw InferenceError("a Pipeline layer returned \(out.count) tensors") }
                y = out[0]
            }
            return y
        }
    }
}
