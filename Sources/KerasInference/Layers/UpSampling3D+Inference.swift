import KerasGraph
import TensorModule

extension UpSampling3D: RunnableLayer {
    /// Repeats every slice of each spatial axis `size` times. Channels-first input is transposed to channels-last and back.
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        guard size.count == 3 else { throw inferenceError("`size` must have 3 values, got \(size)") }
        let (size, format) = (self.size, dataFormat)
        return UnaryClosureLayer { x in
            try ChannelLayout.run(x, format) { try Ops.upSampling3d(input: $0, size: size) }
        }
    }
}
