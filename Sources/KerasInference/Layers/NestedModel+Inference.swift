import KerasGraph
import TensorModule

extension NestedModel: RunnableLayer {
    /// The inner model compiled for the shapes this call feeds it, run as one step of the outer model. Errors from
    /// inside name the nested model and the inner layer.
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        let inner: CompiledModel
        do {
            inner = try CompiledModel(graph, inputShapes: inputShapes)
        } catch {
            throw inferenceError("\(error)")
        }
        let name = self.name, className = self.className
        return ClosureLayer { inputs in
            do {
                return try inner.predict(inputs)
            } catch {
                throw InferenceError("layer `\(name)` (\(className)): \(error)")
            }
        }
    }
}
