import KerasGraph
import TensorModule

extension MaxPooling3D: RunnableLayer {
    /// The maximum over each 3-D window, as TensorFlow's `MaxPool3D` (`same` padding split with the
    /// smaller half first). Channels-first input is transposed to channels-last and back.
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        guard poolSize.count == 3, strides.count == 3 else {
            throw inferenceError("`pool_size` and `strides` must have 3 values, got \(poolSize) and \(strides)")
        }
        guard padding != .causal else { throw inferenceError("`padding` must be `valid` or `same`, got `causal`") }
        let (pool, strides, padding, format) = (poolSize, self.strides, self.padding.op, dataFormat)
        return ValueSelectingLayer(UnaryClosureLayer { x in
            try ChannelLayout.run(x, format) {
                try Ops.pool3d(input: $0, kind: .max, poolSize: pool, strides: strides, padding: padding)
            }
        })
    }
}
