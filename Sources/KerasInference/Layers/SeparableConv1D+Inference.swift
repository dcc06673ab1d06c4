import KerasGraph
import TensorModule

extension SeparableConv1D: RunnableLayer {
    /// A depthwise 1-D convolution (no bias) then a pointwise (kernel size 1) convolution with the bias and
    /// activation fused.
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        let depthwise = try weightTensor(0, "depthwise_kernel")
        let pointwise = try weightTensor(1, "pointwise_kernel")
        let bias = useBias ? try weightTensor(2, "bias") : nil
        let stride = try single(strides, "strides"), dilation = try single(dilationRate, "dilation_rate")
        let (padding, format) = (self.padding.op, dataFormat)
        let activation = self.activation.function.op
        return UnaryClosureLayer { x in
            try ChannelLayout.run(x, format, activation: activation) { x, activation in
                try Ops.separableConv1d(input: x, depthwiseKernel: depthwise, pointwiseKernel: pointwise, bias: bias,
                                        stride: stride, padding: padding, dilation: dilation, activation: activation)
            }
        }
    }
}
