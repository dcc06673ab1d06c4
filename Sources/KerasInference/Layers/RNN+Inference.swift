import KerasGraph
import TensorModule

extension RNN: RunnableLayer {
    /// Each cell run over the whole sequence in turn with the SimpleRNN/LSTM/GRU code
    /// (``Ops/recurrent(input:mask:cell:kernel:recurrentKernel:bias:goBackwards:returnSequences:zeroOutputForMask:)``):
    /// every cell but the last returns its sequence, the first one reads the input backwards when `go_backwards`
    /// (so the later ones read its outputs, and the mask, in that reversed order). Uses the input's Keras mask.
    /// `stateful=True`, `time_major=True` and extra call tensors (`initial_state`) are refused.
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        guard inputShapes.count == 1 else {
            throw inferenceError("called with \(inputShapes.count) tensors: an `initial_state` or a hand-made `mask` argument, which KerasPort does not support")
        }
        guard !stateful else {
            throw inferenceError("`stateful=True` is not supported: KerasPort does not keep states between predictions")
        }
        guard !timeMajor else { throw inferenceError("`time_major=True` (input [time, batch, features]) is not supported") }
        guard !returnState || cells.count == 1 else {
            throw inferenceError("`return_state` with a StackedRNNCells is not supported")
        }
        guard var features = inputShapes[0].count == 3 ? inputShapes[0][2] : nil else {
            throw inferenceError("expected input [batch, time, features] with known features")
        }
        var compiled: [CompiledRecurrent] = []
        var start = 0
        for (i, cell) in cells.enumerated() {
            var layer = cell
            let last = i == cells.count - 1
            layer.options.returnSequences = last ? returnSequences : true
            layer.options.returnState = last && returnState
            layer.options.goBackwards = i == 0 && goBackwards
            layer.options.zeroOutputForMask = last && zeroOutputForMask
            layer.options.stateful = false
            layer.options.timeMajor = false
            let n = weightCounts[i]
            guard start + n <= weights.count else {
                throw inferenceError("holds \(weights.count) weights, fewer than its cells need")
            }
            layer.weights = Array(weights[start..<(start + n)])
            start += n
            do {
                compiled.append(try layer.compileRecurrent(inputShapes: [[nil, inputShapes[0][1], features]]))
            } catch let e as InferenceError {
                throw inferenceError("cell `\(cell.name)`: \(e.reason)")
            }
            features = cell.options.units
        }
        return CompiledRNNStack(cells: compiled, reverseMaskAfterFirst: goBackwards && cells.count > 1)
    }
}

/// The compiled cells of an ``RNN``, run one after the other over the sequence.
struct CompiledRNNStack: MaskConsumingLayer {
    let cells: [CompiledRecurrent]
    /// The first cell ran backwards: its output sequence (read by the next cells) is in reversed time order.
    let reverseMaskAfterFirst: Bool

    func run(_ inputs: [Tensor]) throws -> [Tensor] { try run(inputs, mask: nil) }

    func run(_ inputs: [Tensor], mask: Tensor?) throws -> [Tensor] {
        var x = inputs
        var m = mask
        for (i, cell) in cells.enumerated() {
            let out = try cell.run(x, mask: m)
            if i == cells.count - 1 { return out }
            x = [out[0]]
            if i == 0, reverseMaskAfterFirst, let mask { m = try Ops.reverse(mask, axis: 1) }
        }
        return x
    }
}
