import KerasGraph
import TensorModule

extension Dense: RunnableLayer {
    /// `activation(x · kernel + bias)` over the last axis with one GEMM (the direct AVX2 kernel on a packed copy of the kernel, or `sgemm`); the bias and the activation are
    /// applied in the same pass over the output.
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        let kernel = try weightTensor(0, "kernel")
        let bias = useBias ? try weightTensor(1, "bias") : nil
        let operand = Ops.KernelOperand.packing(kernel)
        let activation = self.activation.function.op
        var layer = OutputPassLayer(acceptsPostOps: activation.isElementwise) { x, postOps in
            try Ops.dense(input: x, kernel: operand, bias: bias, activation: activation, postOps: postOps)
        }
        layer.packedKernels = operand.packedOnly.map { [0: $0] } ?? [:]
        return layer
    }
}
