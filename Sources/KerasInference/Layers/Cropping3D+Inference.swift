import KerasGraph
import TensorModule

extension Cropping3D: RunnableLayer {
    /// Slices removed from the three spatial axes of a rank-5 input, in its data format.
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        guard cropping.count == 3 else { throw inferenceError("`cropping` must have three pairs, got \(cropping)") }
        let sides = try cropping.map { try pair($0, "cropping") }
        let all = dataFormat == .channelsFirst ? [(0, 0), (0, 0)] + sides : [(0, 0)] + sides + [(0, 0)]
        return ValueSelectingLayer(UnaryClosureLayer { x in try Ops.crop(input: x, croppings: all) })
    }
}
