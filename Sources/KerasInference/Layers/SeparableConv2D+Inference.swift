import KerasGraph
import TensorModule

extension SeparableConv2D: RunnableLayer {
    /// A depthwise convolution (no bias) then a 1×1 pointwise convolution (its kernel packed once, here, and held only packed) with the
    /// bias, the activation and the element-wise layers the plan fuses after it (BatchNormalization, ReLU, …) in
    /// the pointwise convolution's output pass; the plan may have it read the ReLU of its input instead of a ReLU
    /// step before it (``CompiledModel/foldReLUIntoReaders(_:outputSlots:)``).
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        let depthwise = try weightTensor(0, "depthwise_kernel")
        let pointwise = try weightTensor(1, "pointwise_kernel")
        let bias = useBias ? try weightTensor(2, "bias") : nil
        // Held once: only packed where the direct GEMM kernel runs it (the model's `graph` rebuilds the values).
        let operand = Ops.KernelOperand.packing(pointwise)
        let strides = try pair(self.strides, "strides"), dilation = try pair(dilationRate, "dilation_rate")
        let (padding, format) = (self.padding.op, dataFormat)
        let activation = self.activation.function.op
        var layer = OutputPassLayer(acceptsPostOps: format == .channelsLast && activation.isElementwise,
                                    readsReLUInput: format == .channelsLast) { x, reluInput, postOps in
            try ChannelLayout.run(x, format, activation: activation) { x, activation in
                try Ops.separableConv2d(input: x, depthwiseKernel: depthwise, pointwiseKernel: operand, bias: bias,
                                        strides: strides, padding: padding, dilation: dilation, activation: activation,
                                        postOps: postOps, reluInput: reluInput)
            }
        }
        if format == .channelsLast, activation.isElementwise {
            layer.pooledBody = { x, postOps, pool in
                Ops.separableConv2dMaxPooled(input: x, depthwiseKernel: depthwise, pointwiseKernel: operand, bias: bias,
                                             strides: strides, padding: padding, dilation: dilation,
                                             activation: activation, postOps: postOps, reluInput: false, pool: pool)
            }
        }
        layer.packedKernels = operand.packedOnly.map { [1: $0] } ?? [:]
        return layer
    }
}
