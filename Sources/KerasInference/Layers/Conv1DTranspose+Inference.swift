import KerasGraph
import TensorModule

extension Conv1DTranspose: RunnableLayer {
    /// The transpose of a 1-D convolution (kernel `[k, filters, in]`), through the 2-D transposed convolution with
    /// height 1 (its sub-kernels packed here, once): Keras' output length and TensorFlow's placement padding; bias,
    /// activation and the element-wise layers after it fused.
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        let kernel = try weightTensor(0, "kernel")
        let bias = useBias ? try weightTensor(1, "bias") : nil
        let stride = try single(strides, "strides"), dilation = try single(dilationRate, "dilation_rate")
        let outputPadding = try self.outputPadding.map { try single($0, "output_padding") }
        let (padding, format) = (self.padding.op, dataFormat)
        let activation = self.activation.function.op
        let prepared = Ops.TransposedKernel(kernel, strides: (1, stride), dilation: (1, dilation))
        // Element-wise layers after it (BatchNormalization, ReLU, LeakyReLU, PReLU, a residual Add) join its output
        // pass where the plan fuses them (channels-last, an element-wise activation).
        return OutputPassLayer(acceptsPostOps: format == .channelsLast && activation.isElementwise) { x, postOps in
            try ChannelLayout.run(x, format, activation: activation) { x, activation in
                try Ops.conv1dTranspose(input: x, kernel: prepared, bias: bias, stride: stride, padding: padding,
                                        outputPadding: outputPadding, dilation: dilation, activation: activation,
                                        postOps: postOps)
            }
        }
    }
}
