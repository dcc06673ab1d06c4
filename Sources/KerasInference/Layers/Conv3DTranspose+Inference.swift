import KerasGraph
import TensorModule

extension Conv3DTranspose: RunnableLayer {
    /// The transpose of a 3-D convolution (kernel `[kd, kh, kw, filters, in]`): 2-D transposed convolutions per
    /// depth tap (their kernels prepared here, once), scattered along the depth axis, with Keras' output sizes and TensorFlow's placement padding;
    /// then bias and activation.
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        let kernel = try weightTensor(0, "kernel")
        let bias = useBias ? try weightTensor(1, "bias") : nil
        let strides = try triple(self.strides, "strides"), dilation = try triple(dilationRate, "dilation_rate")
        let outputPadding = try self.outputPadding.map { try triple($0, "output_padding") }
        let (padding, format) = (self.padding.op, dataFormat)
        let activation = self.activation.function.op
        let depthTaps = Ops.transposedDepthTaps(kernel, strides: strides, dilation: dilation)
        return UnaryClosureLayer { x in
            try ChannelLayout.run(x, format, activation: activation) { x, activation in
                try Ops.conv3dTranspose(input: x, kernel: kernel, depthTaps: depthTaps, bias: bias, strides: strides,
                                        padding: padding, outputPadding: outputPadding, dilation: dilation,
                                        activation: activation)
            }
        }
    }
}
