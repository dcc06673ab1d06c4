import KerasGraph
import TensorModule

extension Conv2D: RunnableLayer, ZeroPaddingAbsorbing {
    /// A GEMM per convolution (the direct AVX2 kernel, or im2col + `sgemm`) over NHWC (strides, dilation, groups, TensorFlow's `same` padding), with the bias and
    /// the activation fused into the output pass. Channels-first input (Keras 2/3 `channels_first`, Keras 1
    /// `dim_ordering = "th"`, whose kernels the weight reader already turned into `[kh, kw, in, out]`) is
    /// transposed NCHW → NHWC, run, and transposed back.
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        try compile(zeroPadding: ((0, 0), (0, 0)))
    }

    func compile(inputShapes: [Shape], zeroPadding: ((Int, Int), (Int, Int)),
                 format: DataFormat) throws -> (any CompiledLayer)? {
        guard format == dataFormat else { return nil }
        return try compile(zeroPadding: zeroPadding)
    }

    private func compile(zeroPadding: ((Int, Int), (Int, Int))) throws -> OutputPassLayer {
        let kernel = try weightTensor(0, "kernel")
        let bias = useBias ? try weightTensor(1, "bias") : nil
        let operand = groups == 1 ? Ops.KernelOperand.packing(kernel) : Ops.KernelOperand.packingGroups(kernel, groups: groups)
        let winograd = groups == 1 ? Ops.WinogradKernel.make(operand) : nil
        let strides = try pair(self.strides, "strides"), dilation = try pair(dilationRate, "dilation_rate")
        let (padding, groups, format) = (self.padding.op, self.groups, dataFormat)
        let activation = self.activation.function.op
        var layer = OutputPassLayer(acceptsPostOps: format == .channelsLast && activation.isElementwise) { x, postOps in
            try ChannelLayout.run(x, format, activation: activation) { x, activation in
                try Ops.conv2d(input: x, kernel: operand, bias: bias, strides: strides, padding: padding,
                               dilation: dilation, groups: groups, zeroPadding: zeroPadding, activation: activation,
                               postOps: postOps, winograd: winograd)
            }
        }
        layer.packedKernels = operand.packedOnly.map { [0: $0] } ?? [:]
        if groups == 1, format == .channelsLast, strides == (1, 1), zeroPadding.0 == (0, 0), zeroPadding.1 == (0, 0),
           let stage = Ops.PointwiseStage(kernel: operand, bias: bias, activation: activation) {
            layer.bandStage = .pointwise(stage)
        } else if groups == 1, format == .channelsLast, winograd == nil || strides != (1, 1),
                  let stage = Ops.ConvolutionStage(kernel: operand, bias: bias, activation: activation, strides: strides,
                                                   padding: padding, dilation: dilation, zeroPadding: zeroPadding) {
            // Any other convolution (a stem) may be a band-fused block's first stage; not one that may run through
            // Winograd's algorithm, whose values the stage's direct product would not repeat.
            layer.bandStage = .convolution(stage)
        }
        return layer
    }
}
