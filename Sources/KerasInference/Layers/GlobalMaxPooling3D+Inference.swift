import KerasGraph
import TensorModule

extension GlobalMaxPooling3D: RunnableLayer {
    /// The maximum over the three spatial axes per channel (the spatial axes merged into two, then the 2-D
    /// global pooling). Channels-first input is transposed to channels-last first.
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        let (keepDims, format) = (self.keepDims, dataFormat)
        return ValueSelectingLayer(UnaryClosureLayer { x in
            let t = format == .channelsFirst ? try ChannelLayout.toChannelsLast(x) : x
            guard t.rank == 5 else { throw inferenceError("expected a rank-5 input, got \(t.shape)") }
            let s = t.shape
            let merged = try Ops.reshape(input: t, shape: [s[0], s[1] * s[2], s[3], s[4]])
            let y = try Ops.globalMaxPool2d(input: merged, keepDims: false)
            return keepDims ? try Ops.reshape(input: y, shape: format == .channelsFirst ? [s[0], s[4], 1, 1, 1] : [s[0], 1, 1, 1, s[4]]) : y
        })
    }
}
