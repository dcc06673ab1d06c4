import KerasGraph
import TensorModule

/// A compiled SimpleRNN, LSTM or GRU: one call of ``Ops/recurrent(input:mask:cell:kernel:recurrentKernel:bias:goBackwards:returnSequences:zeroOutputForMask:)``.
struct CompiledRecurrent: MaskConsumingLayer {
    let cell: Ops.RecurrentCell
    let kernel: Tensor
    let recurrentKernel: Tensor
    let bias: Tensor?
    let goBackwards: Bool
    let returnSequences: Bool
    let returnState: Bool
    let zeroOutputForMask: Bool

    func run(_ inputs: [Tensor]) throws -> [Tensor] { try run(inputs, mask: nil) }

    func run(_ inputs: [Tensor], mask: Tensor?) throws -> [Tensor] {
        let r = try result(inputs, mask: mask, goBackwards: goBackwards, zeroOutputForMask: zeroOutputForMask)
        return [r.output] + (returnState ? r.states : [])
    }

    func result(_ inputs: [Tensor], mask: Tensor?, goBackwards: Bool, zeroOutputForMask: Bool) throws -> Ops.RecurrentResult {
        guard inputs.count == 1 else { throw InferenceError("expected 1 input, got \(inputs.count)") }
        return try Ops.recurrent(input: inputs[0], mask: mask, cell: cell, kernel: kernel, recurrentKernel: recurrentKernel,
                                 bias: bias, goBackwards: goBackwards, returnSequences: returnSequences,
                                 zeroOutputForMask: zeroOutputForMask)
    }
}

extension RecurrentLayer {
    /// Checks the options KerasPort cannot run and builds the compiled layer.
    func compileRecurrent(inputShapes: [Shape]) throws -> CompiledRecurrent {
        guard inputShapes.count == 1 else {
            throw inferenceError("called with \(inputShapes.count) tensors: an `initial_state` or a hand-made `mask` argument, which KerasPort does not support (only masks from Embedding(mask_zero=True) and Masking)")
        }
        guard !options.stateful else {
            throw inferenceError("`stateful=True` is not supported: KerasPort does not keep states between predictions")
        }
        guard !options.timeMajor else {
            throw inferenceError("`time_major=True` (input [time, batch, features]) is not supported")
        }
        for (key, a) in [("activation", options.activation), ("recurrent_activation", options.recurrentActivation)]
        where !a.function.op.isElementwise {
            throw inferenceError("`\(key)` must be an element-wise function, got softmax")
        }
        let kernel = try weightTensor(0, "kernel")
        let recurrentKernel = try weightTensor(1, "recurrent_kernel")
        let bias = options.useBias ? try weightTensor(2, "bias") : nil
        let act = options.activation.function.op, rec = options.recurrentActivation.function.op
        let cell: Ops.RecurrentCell
        switch kind {
        case .simpleRNN: cell = .simple(activation: act)
        case .lstm: cell = .lstm(activation: act, recurrentActivation: rec)
        case .gru: cell = .gru(activation: act, recurrentActivation: rec, resetAfter: (self as? GRU)?.resetAfter ?? true)
        }
        return CompiledRecurrent(cell: cell, kernel: kernel, recurrentKernel: recurrentKernel, bias: bias,
                                 goBackwards: options.goBackwards, returnSequences: options.returnSequences,
                                 returnState: options.returnState, zeroOutputForMask: options.zeroOutputForMask)
    }
}
