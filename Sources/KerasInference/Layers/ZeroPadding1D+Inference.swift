import KerasGraph
import TensorModule

extension ZeroPadding1D: RunnableLayer {
    /// Zeros before and after the steps axis (axis 1, or axis 2 for channels-first).
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        let p = try pair(padding, "padding")
        let paddings = dataFormat == .channelsFirst ? [(0, 0), (0, 0), p] : [(0, 0), p, (0, 0)]
        return ValueSelectingLayer(UnaryClosureLayer { x in try Ops.pad(input: x, paddings: paddings) })
    }
}
