import KerasGraph
import TensorModule

extension DepthwiseConv2D: RunnableLayer, ZeroPaddingAbsorbing {
    /// Each input channel convolved with its own `depth_multiplier` filters; output channel `c·dm + m` is
    /// channel `c` with `kernel[:, :, c, m]`, as TensorFlow orders them. Bias, activation and the element-wise
    /// layers the plan fuses after it (BatchNormalization, ReLU, …) run on each output row while it is in cache.
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        try compile(zeroPadding: ((0, 0), (0, 0)))
    }

    func compile(inputShapes: [Shape], zeroPadding: ((Int, Int), (Int, Int)),
                 format: DataFormat) throws -> (any CompiledLayer)? {
        guard format == dataFormat else { return nil }
        return try compile(zeroPadding: zeroPadding)
    }

    private func compile(zeroPadding: ((Int, Int), (Int, Int))) throws -> OutputPassLayer {
        let kernel = try weightTensor(0, kernelWeightName)
        let bias = useBias ? try weightTensor(1, "bias") : nil
        let strides = try pair(self.strides, "strides"), dilation = try pair(dilationRate, "dilation_rate")
        let (padding, format) = (self.padding.op, dataFormat)
        let activation = self.activation.function.op
        var layer = OutputPassLayer(acceptsPostOps: format == .channelsLast && activation.isElementwise,
                                    readsReLUInput: format == .channelsLast) { x, reluInput, postOps in
            try ChannelLayout.run(x, format, activation: activation) { x, activation in
                try Ops.depthwiseConv2d(input: x, kernel: kernel, bias: bias, strides: strides, padding: padding,
                                        dilation: dilation, zeroPadding: zeroPadding, activation: activation,
                                        postOps: postOps, reluInput: reluInput)
            }
        }
        if format == .channelsLast,
           let stage = Ops.DepthwiseStage(kernel: kernel, bias: bias, strides: strides, padding: padding,
                                          dilation: dilation, zeroPadding: zeroPadding, activation: activation) {
            layer.bandStage = .depthwise(stage)
        }
        return layer
    }
}
