import KerasGraph
import TensorModule

extension ActivationLayer: RunnableLayer {
    /// The activation function applied element-wise (softmax over its axis), as Keras defines it for the
    /// version that wrote the file (the decoder picked the variant, e.g. Keras 2's hard sigmoid).
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        let activation = self.activation.function.op
        // `linear` (ConvNeXt's `identity` in place of stochastic depth): the plan lets its input stand for its output.
        if activation == .linear { return IdentityLayer() }
        return ElementwiseLayer(postOps: activation.isElementwise ? [.activation(activation)] : nil) { x in
            try Ops.activation(activation, input: x)
        }
    }
}
