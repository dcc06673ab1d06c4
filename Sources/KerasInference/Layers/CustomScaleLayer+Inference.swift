import KerasGraph
import TensorModule

extension CustomScaleLayer: RunnableLayer {
    /// `inputs[0] + inputs[1] · scale`.
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        let same = inputShapes.count == 2 && inputShapes[0] == inputShapes[1]
        return CompiledScaledSum(scale: Float(scale), columns: same ? inputShapes[1].last.flatMap { $0 } : nil)
    }
}

/// A compiled `CustomScaleLayer` (InceptionResNetV2's blocks: `shortcut + residual · scale`): the product rounded to
/// float32 and its denormals flushed (TensorFlow computes it as its own op, with flush-to-zero on), then the sum.
///
/// For inputs of one static shape (`columns`, their last axis, known) the plan fuses it into the output pass of
/// the layer producing `inputs[1]` (InceptionResNetV2's up-projection convolution), as a residual `Add` after a
/// scale (``scaledOps``), so that the block's convolution, scale, sum and the ReLU after them are one pass over
/// memory (see ``CompiledModel/fuse(_:outputSlots:)``). Run on its own it applies the same post-ops, so both give
/// the same bits.
struct CompiledScaledSum: OutputFlushingLayer {
    let scale: Float
    /// The inputs' last axis, when both have the same static shape.
    let columns: Int?
    /// Whether the sum's denormals are flushed in the same pass (the plan's flush at the layer boundary).
    var flushes = false

    /// `inputs[1] · scale`, flushed, as post-ops over `columns` values per row (the product's one rounding,
    /// ``Ops/PostOp/multiplying(by:)``).
    static func scaledOps(scale: Float, columns: Int) -> [Ops.PostOp] {
        [.multiplying(by: [Float](repeating: scale, count: columns)), .flushDenormals]
    }

    func run(_ inputs: [Tensor]) throws -> [Tensor] {
        guard inputs.count == 2 else { throw InferenceError("expected 2 inputs (shortcut, residual), got \(inputs.count)") }
        let (shortcut, residual) = (inputs[0], inputs[1])
        if let columns, shortcut.shape == residual.shape, residual.shape.last == columns {
            let ops = Self.scaledOps(scale: scale, columns: columns) + [.addTensor(shortcut)]
            return [try Ops.applyingPostOps(flushes ? ops + [.flushDenormals] : ops, to: residual)]
        }
        let product = try Ops.applyingPostOps([.flushDenormals],
                                              to: try Ops.multiply(lhs: residual, rhs: Tensor(scalar: scale)))
        let sum = try Ops.add(lhs: shortcut, rhs: product)
        return [flushes ? try Ops.applyingPostOps([.flushDenormals], to: sum) : sum]
    }

    func flushingOutputs() -> any CompiledLayer {
        var copy = self
        copy.flushes = true
        return copy
    }
}
