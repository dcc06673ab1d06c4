import KerasGraph
import TensorModule

extension RMSNormalization: RunnableLayer {
    /// ``Ops/rmsNormalize(input:trailingAxes:epsilon:scale:)`` over the normalised axes, which must be the input's
    /// last ones: Keras multiplies by `scale` broadcast from the right, which is a per-axis scale only there.
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        let input = try singleInput(inputShapes)
        let axes = try normalizedAxes(rank: input.count)
        guard axes == Array((input.count - axes.count)..<input.count) else {
            throw inferenceError("`axis` \(axis) must be the input's last axes: Keras multiplies by `scale` broadcast from the right, which is not a per-axis scale for other axes")
        }
        let scale = try weightTensor(0, "scale")
        let (k, eps) = (axes.count, Float(epsilon))
        return UnaryClosureLayer { x in try Ops.rmsNormalize(input: x, trailingAxes: k, epsilon: eps, scale: scale) }
    }
}
