import KerasGraph
import TensorModule

extension Conv3D: RunnableLayer {
    /// A 3-D convolution over NDHWC as 2-D convolutions per depth tap (strides, dilation, groups, TensorFlow's
    /// `same` padding), then bias and activation. Channels-first input is transposed to channels-last and back.
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        let kernel = try weightTensor(0, "kernel")
        let bias = useBias ? try weightTensor(1, "bias") : nil
        let strides = try triple(self.strides, "strides"), dilation = try triple(dilationRate, "dilation_rate")
        let (padding, groups, format) = (self.padding.op, self.groups, dataFormat)
        let activation = self.activation.function.op
        return UnaryClosureLayer { x in
            try ChannelLayout.run(x, format, activation: activation) { x, activation in
                try Ops.conv3d(input: x, kernel: kernel, bias: bias, strides: strides, padding: padding,
                               dilation: dilation, groups: groups, activation: activation)
            }
        }
    }
}
