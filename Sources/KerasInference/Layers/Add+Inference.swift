import KerasGraph
import TensorModule

extension Add: RunnableLayer {
    /// Keras `Add`: the element-wise sum, left to right, broadcasting as Keras does.
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        CompiledSum(twoEqualShapes: inputShapes.count == 2 && inputShapes[0] == inputShapes[1])
    }
}

/// A compiled `Add`; the plan switches it to flushing denormals in its own pass (two equal-shape inputs: one pass
/// over memory instead of the sum plus a scan of it), or, for two inputs of one shape, fuses it into the output
/// pass of the Dense / convolution producing one of them (see ``CompiledModel/fuse(_:outputSlots:)``).
struct CompiledSum: OutputFlushingLayer {
    /// Two inputs of the same (static) shape: no broadcasting, so it can run as a post-op of either producer.
    var twoEqualShapes = false
    var flushes = false

    func run(_ inputs: [Tensor]) throws -> [Tensor] {
        let x = try Add.equalRanks(inputs)
        return [flushes ? try Ops.addFlushingDenormals(inputs: x) : try Ops.add(inputs: x)]
    }

    func flushingOutputs() -> any CompiledLayer { CompiledSum(twoEqualShapes: twoEqualShapes, flushes: true) }
}
