import KerasGraph
import TensorModule

extension PReLU: RunnableLayer {
    /// `relu(x) - alpha·relu(-x)` as Keras computes it (piecewise for any alpha), with `alpha` broadcast
    /// over the shared axes.
    ///
    /// TensorFlow flushes the denormal product `alpha·relu(-x)` to zero before the subtraction, so where that
    /// product is denormal Keras gives `+0.0` whatever the signs; the fused kernel gives the denormal itself,
    /// which is replaced here by `+0.0`.
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        let alpha = try weightTensor(0, "alpha")
        let fused = inputShapes.first.flatMap { Ops.preluPostOp(alpha: alpha, sample: Array($0.dropFirst())) }
        return ElementwiseLayer(postOps: fused.map { [$0, .flushDenormalsToPositiveZero] }) { x in
            Denormals.flushedToPositiveZero(try Ops.prelu(input: x, alpha: alpha))
        }
    }
}
