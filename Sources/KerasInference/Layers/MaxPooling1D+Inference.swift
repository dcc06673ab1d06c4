import KerasGraph
import TensorModule

extension MaxPooling1D: RunnableLayer {
    /// The maximum over each window (padding never wins, as in TensorFlow).
    /// Channels-first input is transposed to channels-last and back.
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        let pool = try single(poolSize, "pool_size"), stride = try single(strides, "strides")
        guard padding != .causal else { throw inferenceError("`padding` must be `valid` or `same`, got `causal`") }
        let (padding, format) = (self.padding.op, dataFormat)
        return ValueSelectingLayer(UnaryClosureLayer { x in
            try ChannelLayout.run(x, format) {
                try Ops.maxPool1d(input: $0, poolSize: pool, stride: stride, padding: padding)
            }
        })
    }
}
