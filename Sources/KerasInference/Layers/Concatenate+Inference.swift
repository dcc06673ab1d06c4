import KerasGraph
import TensorModule

extension Concatenate: RunnableLayer {
    /// Joins the inputs along `axis`.
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        CompiledConcatenate(axis: axis)
    }
}

/// A compiled `Concatenate`; the plan switches it to flushing denormals in its own copy (see
/// ``Ops/concatenate(inputs:axis:flushingDenormals:)``), so the output is not scanned again afterwards (DenseNet:
/// each of its 58 concatenations copies the whole growing block tensor, and the scan was one more read of it).
struct CompiledConcatenate: OutputFlushingLayer {
    let axis: Int
    var flushes = false

    func run(_ inputs: [Tensor]) throws -> [Tensor] {
        [try Ops.concatenate(inputs: inputs, axis: axis, flushingDenormals: flushes)]
    }

    func flushingOutputs() -> any CompiledLayer { CompiledConcatenate(axis: axis, flushes: true) }
}
