import KerasGraph
import TensorModule

extension UnitNormalization: RunnableLayer {
    /// `x·rsqrt(Σx²)` over the axes, with the tiny-norm bound of the Keras that wrote the file.
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        let input = try singleInput(inputShapes)
        let axes = try normalizedAxes(rank: input.count)
        let form: Ops.UnitNormForm = tinyNormBound == .keras3 ? .keras3 : .keras2
        return UnaryClosureLayer { x in try Ops.unitNormalize(input: x, axes: axes, form: form) }
    }
}
