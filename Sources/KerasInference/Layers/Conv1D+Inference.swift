import KerasGraph
import TensorModule

extension Conv1D: RunnableLayer {
    /// A GEMM per convolution (the direct AVX2 kernel, or im2col + `sgemm`) over `[batch, steps, channels]` (`valid`, `same` or `causal` padding, dilation, groups),
    /// with the bias and the activation fused into the output pass. Channels-first input is transposed to
    /// channels-last and back.
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        let kernel = try weightTensor(0, "kernel")
        let bias = useBias ? try weightTensor(1, "bias") : nil
        let operand = groups == 1 ? Ops.KernelOperand.packing(kernel) : Ops.KernelOperand.packingGroups(kernel, groups: groups)
        let stride = try single(strides, "strides"), dilation = try single(dilationRate, "dilation_rate")
        let (padding, groups, format) = (self.padding.op, self.groups, dataFormat)
        let activation = self.activation.function.op
        var layer = OutputPassLayer(acceptsPostOps: format == .channelsLast && activation.isElementwise) { x, postOps in
            try ChannelLayout.run(x, format, activation: activation) { x, activation in
                try Ops.conv1d(input: x, kernel: operand, bias: bias, stride: stride, padding: padding,
                               dilation: dilation, groups: groups, activation: activation, postOps: postOps)
            }
        }
        layer.packedKernels = operand.packedOnly.map { [0: $0] } ?? [:]
        return layer
    }
}
