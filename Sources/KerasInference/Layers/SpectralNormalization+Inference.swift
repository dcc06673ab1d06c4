import KerasGraph
import TensorModule

extension SpectralNormalization: RunnableLayer {
    /// The wrapped layer with its stored kernel: Keras normalises the kernel only in training (and stores the
    /// result), so at inference the wrapper computes exactly what the wrapped layer does.
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        guard let runnable = layer as? any RunnableLayer else {
            throw inferenceError("the wrapped layer `\(layer.name)` (\(layer.className)) cannot be run by KerasPort")
        }
        return try runnable.compile(inputShapes: inputShapes)
    }
}
