import KerasGraph
import TensorModule

extension DepthwiseConv1D: RunnableLayer {
    /// Each input channel convolved with its own `depth_multiplier` filters along the steps (the 2-D depthwise
    /// kernel with height 1); output channel `c·dm + m` is channel `c` with `kernel[:, c, m]`. `causal` pads on the
    /// left only. Bias and activation fused.
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        let kernel = try weightTensor(0, kernelWeightName)
        let bias = useBias ? try weightTensor(1, "bias") : nil
        let stride = try single(strides, "strides"), dilation = try single(dilationRate, "dilation_rate")
        let (padding, format) = (self.padding.op, dataFormat)
        let activation = self.activation.function.op
        return UnaryClosureLayer { x in
            try ChannelLayout.run(x, format, activation: activation) { x, activation in
                try Ops.depthwiseConv1d(input: x, kernel: kernel, bias: bias, stride: stride, padding: padding,
                                        dilation: dilation, activation: activation)
            }
        }
    }
}
