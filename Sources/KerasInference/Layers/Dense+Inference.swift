import KerasGraph
import TensorModule

extension Dense: RunnableLayer {
    /// `activation(x · kernel + bias)` over the last axis with one GEMM (the direct AVX2 kernel on a packed copy of the kernel, or `sgemm`); the bias and the activation are
    /// applied in the same pass over the output.
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        let kernel = try weightTensor(0, "kernel")
        let bias = useBias ? try weightTensor(1, "bias") : nil
        let packed = Ops.PackedKernel.pack(kernel)
        let activation = self.activation.function.op
        return OutputPassLayer(acceptsPostOps: activation.isElementwise) { x, postOps in
            try Ops.dense(input: x, kernel: kernel, bias: bias, activation: activation, postOps: postOps,
                          packedKernel: packed)
        }
    }
}
