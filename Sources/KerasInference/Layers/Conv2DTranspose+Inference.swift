import KerasGraph
import TensorModule

extension Conv2DTranspose: RunnableLayer {
    /// The transpose of a 2-D convolution (kernel `[kh, kw, filters, in]`, output channels first), one `sgemm`
    /// then col2im, with Keras' output sizes and TensorFlow's placement padding; bias and activation fused.
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        let kernel = try weightTensor(0, "kernel")
        let bias = useBias ? try weightTensor(1, "bias") : nil
        let strides = try pair(self.strides, "strides"), dilation = try pair(dilationRate, "dilation_rate")
        let outputPadding = try self.outputPadding.map { try pair($0, "output_padding") }
        let (padding, format) = (self.padding.op, dataFormat)
        let activation = self.activation.function.op
        return UnaryClosureLayer { x in
            try ChannelLayout.run(x, format, activation: activation) { x, activation in
                try Ops.conv2dTranspose(input: x, kernel: kernel, bias: bias, strides: strides, padding: padding,
                                        outputPadding: outputPadding, dilation: dilation, activation: activation)
            }
        }
    }
}
