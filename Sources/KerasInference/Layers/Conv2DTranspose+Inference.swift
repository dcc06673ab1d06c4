import KerasGraph
import TensorModule

extension Conv2DTranspose: RunnableLayer {
    /// The transpose of a 2-D convolution (kernel `[kh, kw, filters, in]`, output channels first), phase by phase
    /// on the direct GEMM kernel (its sub-kernels packed here, once), else one `sgemm` then col2im; Keras' output
    /// sizes and TensorFlow's placement padding; bias, activation and the element-wise layers after it fused.
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        let kernel = try weightTensor(0, "kernel")
        let bias = useBias ? try weightTensor(1, "bias") : nil
        let strides = try pair(self.strides, "strides"), dilation = try pair(dilationRate, "dilation_rate")
        let outputPadding = try self.outputPadding.map { try pair($0, "output_padding") }
        let (padding, format) = (self.padding.op, dataFormat)
        let activation = self.activation.function.op
        let prepared = Ops.TransposedKernel(kernel, strides: strides, dilation: dilation)
        // Element-wise layers after it (BatchNormalization, ReLU, LeakyReLU, PReLU, a residual Add) join its output
        // pass where the plan fuses them (channels-last, an element-wise activation).
        return OutputPassLayer(acceptsPostOps: format == .channelsLast && activation.isElementwise) { x, postOps in
            try ChannelLayout.run(x, format, activation: activation) { x, activation in
                try Ops.conv2dTranspose(input: x, kernel: prepared, bias: bias, strides: strides, padding: padding,
                                        outputPadding: outputPadding, dilation: dilation, activation: activation,
                                        postOps: postOps)
            }
        }
    }
}
