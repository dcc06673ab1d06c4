import KerasGraph
import TensorModule

extension Bidirectional: RunnableLayer {
    /// Runs the forward and backward layers (each as ``Ops/recurrent(input:mask:cell:kernel:recurrentKernel:bias:goBackwards:returnSequences:zeroOutputForMask:)``),
    /// reverses the backward sequence back to input order, and merges. As in Keras, with `return_sequences` both
    /// directions output zeros at masked steps.
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        let f = try forward.compileRecurrent(inputShapes: inputShapes)
        let b = try backward.compileRecurrent(inputShapes: inputShapes)
        return CompiledBidirectional(forward: f, backward: b, mergeMode: mergeMode)
    }
}

struct CompiledBidirectional: MaskConsumingLayer {
    let forward: CompiledRecurrent
    let backward: CompiledRecurrent
    let mergeMode: Bidirectional.MergeMode?

    func run(_ inputs: [Tensor]) throws -> [Tensor] { try run(inputs, mask: nil) }

    func run(_ inputs: [Tensor], mask: Tensor?) throws -> [Tensor] {
        let sequences = forward.returnSequences
        let f = try forward.result(inputs, mask: mask, goBackwards: forward.goBackwards, zeroOutputForMask: sequences)
        let b = try backward.result(inputs, mask: mask, goBackwards: backward.goBackwards, zeroOutputForMask: sequences)
        var y = b.output
        if sequences { y = try Ops.reversingTime(y) }
        let x = f.output
        let states = forward.returnState ? f.states + b.states : []
        guard let mode = mergeMode else { return [x, y] + states }
        let merged: Tensor
        switch mode {
        case .concat: merged = try Ops.concatenate(inputs: [x, y], axis: -1)
        case .sum: merged = Tensor(shape: x.shape, scalars: zip(x.scalars, y.scalars).map { $0 + $1 })
        case .mul: merged = Tensor(shape: x.shape, scalars: zip(x.scalars, y.scalars).map { $0 * $1 })
        case .ave: merged = Tensor(shape: x.shape, scalars: zip(x.scalars, y.scalars).map { ($0 + $1) / 2 })
        }
        return [merged] + states
    }
}
