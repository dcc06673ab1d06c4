import KerasGraph
import TensorModule

extension ConvLSTM2D: RunnableLayer {
    /// The input convolution of all steps at once, then per step the recurrent `same` convolution and the LSTM
    /// update (``Ops/convLSTM2d(input:kernel:recurrentKernel:bias:strides:padding:dilation:activation:recurrentActivation:goBackwards:returnSequences:)``).
    /// `stateful=True`, `channels_first`, `initial_state` tensors and Keras masks are refused.
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        guard inputShapes.count == 1 else {
            throw inferenceError("called with \(inputShapes.count) tensors: an `initial_state` argument, which KerasPort does not support")
        }
        guard !options.stateful else {
            throw inferenceError("`stateful=True` is not supported: KerasPort does not keep states between predictions")
        }
        guard dataFormat == .channelsLast else { throw inferenceError("`data_format=\"channels_first\"` is not supported") }
        for (key, a) in [("activation", options.activation), ("recurrent_activation", options.recurrentActivation)]
        where !a.function.op.isElementwise {
            throw inferenceError("`\(key)` must be an element-wise function, got softmax")
        }
        let kernel = try weightTensor(0, "kernel")
        let recurrentKernel = try weightTensor(1, "recurrent_kernel")
        let bias = options.useBias ? try weightTensor(2, "bias") : nil
        let strides = try pair(self.strides, "strides"), dilation = try pair(dilationRate, "dilation_rate")
        let (padding, act, rec) = (self.padding.op, options.activation.function.op, options.recurrentActivation.function.op)
        let (backwards, sequences, states) = (options.goBackwards, options.returnSequences, options.returnState)
        return ClosureLayer { inputs in
            let r = try Ops.convLSTM2d(input: inputs[0], kernel: kernel, recurrentKernel: recurrentKernel, bias: bias,
                                       strides: strides, padding: padding, dilation: dilation, activation: act,
                                       recurrentActivation: rec, goBackwards: backwards, returnSequences: sequences)
            return [r.output] + (states ? r.states : [])
        }
    }
}
