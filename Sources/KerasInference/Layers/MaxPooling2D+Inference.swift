import KerasGraph
import TensorModule

extension MaxPooling2D: RunnableLayer, ZeroPaddingAbsorbing {
    /// The maximum over each window (padding never wins, as in TensorFlow).
    /// Channels-first input is transposed to channels-last and back.
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        try compile(zeroPadding: ((0, 0), (0, 0)))
    }

    /// The pooling run on a `ZeroPadding2D`'s input with its zeros (ResNet's `pool1_pad` before `pool1`): the zeros
    /// take part in the windows as values (a window of negative numbers at the border gives 0, exactly as pooling
    /// the padded tensor does; they are not the `-inf` of `same` padding), and no padded tensor is written.
    func compile(inputShapes: [Shape], zeroPadding: ((Int, Int), (Int, Int)),
                 format: DataFormat) throws -> (any CompiledLayer)? {
        guard format == dataFormat else { return nil }
        return try compile(zeroPadding: zeroPadding)
    }

    private func compile(zeroPadding: ((Int, Int), (Int, Int))) throws -> any CompiledLayer {
        let pool = try pair(poolSize, "pool_size"), strides = try pair(self.strides, "strides")
        guard padding != .causal else { throw inferenceError("`padding` must be `valid` or `same`, got `causal`") }
        let (padding, format) = (self.padding.op, dataFormat)
        let unpadded = zeroPadding.0 == (0, 0) && zeroPadding.1 == (0, 0) && format == .channelsLast
        return ValueSelectingLayer(UnaryClosureLayer { x in
            try ChannelLayout.run(x, format) {
                try Ops.maxPool2d(input: $0, poolSize: pool, strides: strides, padding: padding,
                                  zeroPadding: zeroPadding)
            }
        }, maxPool: unpadded ? Ops.MaxPoolWindow(size: pool, strides: strides, padding: padding) : nil)
    }
}
