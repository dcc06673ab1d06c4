import KerasGraph
import TensorModule

extension ZeroPadding2D: RunnableLayer {
    /// Rows and columns of zeros around the spatial axes of a rank-4 input, in its data format.
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        guard padding.count == 2 else {
            throw inferenceError("`padding` must be [[top, bottom], [left, right]], got \(padding)")
        }
        let rows = try pair(padding[0], "padding"), cols = try pair(padding[1], "padding")
        let paddings = dataFormat == .channelsFirst ? [(0, 0), (0, 0), rows, cols] : [(0, 0), rows, cols, (0, 0)]
        return ValueSelectingLayer(UnaryClosureLayer { x in try Ops.pad(input: x, paddings: paddings) })
    }
}
