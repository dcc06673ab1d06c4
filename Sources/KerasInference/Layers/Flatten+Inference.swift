import KerasGraph
import TensorModule

extension Flatten: RunnableLayer {
    /// `[batch, d1, …] → [batch, d1·…]` in row-major order. With `data_format = channels_first` (Keras 2/3)
    /// the channel axis is first moved last, as Keras does, so the flattened order is channels-last. A Keras 1
    /// `Flatten` has no data format (it decodes as channels-last) and flattens a Theano-ordered tensor as is.
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        let moveChannels = dataFormat == .channelsFirst
        return ValueSelectingLayer(UnaryClosureLayer { x in
            try Ops.flatten(input: moveChannels ? try ChannelLayout.toChannelsLast(x) : x)
        })
    }
}
