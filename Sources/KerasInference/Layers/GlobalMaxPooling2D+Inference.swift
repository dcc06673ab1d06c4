import KerasGraph
import TensorModule

extension GlobalMaxPooling2D: RunnableLayer {
    /// The maximum over the spatial axes, per channel. Channels-first input is transposed to channels-last first;
    /// with `keepdims` the kept size-1 axes are put back where the layer's data format has them.
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        let (keepDims, format) = (self.keepDims, dataFormat)
        return ValueSelectingLayer(UnaryClosureLayer { x in
            let y = try Ops.globalMaxPool2d(input: format == .channelsFirst ? try ChannelLayout.toChannelsLast(x) : x,
                              keepDims: keepDims)
            return keepDims && format == .channelsFirst ? try ChannelLayout.toChannelsFirst(y) : y
        })
    }
}
