import KerasGraph
import TensorModule

extension Add: RunnableLayer {
    /// Keras `Add`: the element-wise sum, left to right, broadcasting as Keras does.
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        CompiledSum()
    }
}

/// A compiled `Add`; the plan switches it to flushing denormals in its own pass (two equal-shape inputs: one pass
/// over memory instead of the sum plus a scan of it).
struct CompiledSum: OutputFlushingLayer {
    var flushes = false

    func run(_ inputs: [Tensor]) throws -> [Tensor] {
        let x = try Add.equalRanks(inputs)
        return [flushes ? try Ops.addFlushingDenormals(inputs: x) : try Ops.add(inputs: x)]
    }

    func flushingOutputs() -> any CompiledLayer { CompiledSum(flushes: true) }
}
