import KerasGraph
import TensorModule

extension UpSampling2D: RunnableLayer {
    /// `nearest` repeats pixels; `bilinear` is TensorFlow's resize with half-pixel centres and no antialiasing
    /// (what Keras 2 and 3 call). Other interpolations are not implemented: compiling fails, naming the layer.
    /// Channels-first input is transposed to channels-last and back.
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        let size = try pair(self.size, "size")
        let interpolation: Ops.Interpolation
        switch self.interpolation {
        case .nearest: interpolation = .nearest
        case .bilinear: interpolation = .bilinear
        default:
            throw inferenceError("interpolation `\(self.interpolation.rawValue)` is not supported "
                                 + "(only `nearest` and `bilinear`)")
        }
        let format = dataFormat
        return UnaryClosureLayer { x in
            try ChannelLayout.run(x, format) {
                try Ops.upSampling2d(input: $0, size: size, interpolation: interpolation)
            }
        }
    }
}
