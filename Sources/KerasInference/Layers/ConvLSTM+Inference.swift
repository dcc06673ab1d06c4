import KerasGraph
import TensorModule

extension ConvLSTM: RunnableLayer {
    /// The input convolution of all steps at once, then per step the recurrent `same` convolution and the LSTM
    /// update (``Ops/convLSTM(input:kernel:recurrentKernel:bias:strides:padding:dilation:activation:recurrentActivation:goBackwards:returnSequences:)``).
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
        guard strides.count == rank, dilationRate.count == rank else {
            throw inferenceError("`strides` and `dilation_rate` must have \(rank) values, got \(strides) and \(dilationRate)")
        }
        let kernel = try weightTensor(0, "kernel")
        let recurrentKernel = try weightTensor(1, "recurrent_kernel")
        let bias = options.useBias ? try weightTensor(2, "bias") : nil
        let (strides, dilation) = (self.strides, dilationRate)
        let (padding, act, rec) = (self.padding.op, options.activation.function.op, options.recurrentActivation.function.op)
        let (backwards, sequences, states) = (options.goBackwards, options.returnSequences, options.returnState)
        return ClosureLayer { inputs in
            let r = try Ops.convLSTM(input: inputs[0], kernel: kernel, recurrentKernel: recurrentKernel, bias: bias,
                                     strides: strides, padding: padding, dilation: dilation, activation: act,
                                     recurrentActivation: rec, goBackwards: backwards, returnSequences: sequences)
            return [r.output] + (states ? r.states : [])
        }
    }
}
