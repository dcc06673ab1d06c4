import KerasGraph
import TensorModule

extension DepthwiseConv2D: RunnableLayer {
    /// Each input channel convolved with its own `depth_multiplier` filters; output channel `c·dm + m` is
    /// channel `c` with `kernel[:, :, c, m]`, as TensorFlow orders them. Bias and activation are fused.
    public func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        let kernel = try weightTensor(0, kernelWeightName)
        let bias = useBias ? try weightTensor(1, "bias") : nil
        let strides = try pair(self.strides, "strides"), dilation = try pair(dilationRate, "dilation_rate")
        let (padding, format) = (self.padding.op, dataFormat)
        let activation = self.activation.function.op
        return UnaryClosureLayer { x in
            try ChannelLayout.run(x, format, activation: activation) { x, activation in
                try Ops.depthwiseConv2d(input: x, kernel: kernel, bias: bias, strides: strides, padding: padding,
                                        dilation: dilation, activation: activation)
            }
        }
    }
}
