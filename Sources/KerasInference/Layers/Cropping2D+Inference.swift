import KerasGraph
import TensorModule

extension Cropping2D: RunnableLayer {
    /// Removes rows and columns from the borders of the spatial axes of a rank-4 input, in its data format.
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        guard cropping.count == 2 else {
            throw inferenceError("`cropping` must be [[top, bottom], [left, right]], got \(cropping)")
        }
        let rows = try pair(cropping[0], "cropping"), cols = try pair(cropping[1], "cropping")
        let croppings = dataFormat == .channelsFirst ? [(0, 0), (0, 0), rows, cols] : [(0, 0), rows, cols, (0, 0)]
        return ValueSelectingLayer(UnaryClosureLayer { x in try Ops.crop(input: x, croppings: croppings) })
    }
}
