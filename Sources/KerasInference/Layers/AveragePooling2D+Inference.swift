import KerasGraph
import TensorModule

extension AveragePooling2D: RunnableLayer {
    /// The mean over each window; with `same` padding only the input values a window covers are counted, as TensorFlow
    /// does. Channels-first input is transposed to channels-last and back.
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        let pool = try pair(poolSize, "pool_size"), strides = try pair(self.strides, "strides")
        guard padding != .causal else { throw inferenceError("`padding` must be `valid` or `same`, got `causal`") }
        let (padding, format) = (self.padding.op, dataFormat)
        return UnaryClosureLayer { x in
            try ChannelLayout.run(x, format) {
                try Ops.avgPool2d(input: $0, poolSize: pool, strides: strides, padding: padding)
            }
        }
    }
}
