import KerasGraph
import TensorModule

extension ZeroPadding3D: RunnableLayer {
    /// Zeros added around the three spatial axes of a rank-5 input, in its data format.
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        guard padding.count == 3 else { throw inferenceError("`padding` must have three pairs, got \(padding)") }
        let sides = try padding.map { try pair($0, "padding") }
        let all = dataFormat == .channelsFirst ? [(0, 0), (0, 0)] + sides : [(0, 0)] + sides + [(0, 0)]
        return ValueSelectingLayer(UnaryClosureLayer { x in try Ops.pad(input: x, paddings: all) })
    }
}
