import KerasGraph
import TensorModule

extension AutoContrast: RunnableLayer {
    /// ``Ops/autoContrast(input:low:high:)`` (Keras reduces over axes 1 and 2 whatever `data_format` says).
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        _ = try outputShapes(inputShapes: inputShapes)
        let (low, high) = (Float(valueRange[0]), Float(valueRange[1]))
        return UnaryClosureLayer { x in try Ops.autoContrast(input: x, low: low, high: high) }
    }
}
