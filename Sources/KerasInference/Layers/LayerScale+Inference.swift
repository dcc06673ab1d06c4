import KerasGraph
import TensorModule

extension LayerScale: RunnableLayer {
    /// `x · gamma`, `gamma` broadcast over the last axis; a step the plan can join to the output pass of the Dense
    /// before it (ConvNeXt's second pointwise layer) as the scale/shift `x · gamma + (−0)`, which is `x · gamma` bit
    /// for bit (``Ops/PostOp/multiplying(by:)``), so the residual `Add` after it joins too.
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        let gamma = try weightTensor(0, "gamma")
        let columns = try singleInput(inputShapes).last ?? nil
        let fusable = gamma.rank == 1 && columns == gamma.count
        let postOps: [Ops.PostOp]? = fusable ? [.multiplying(by: gamma.scalars)] : nil
        return ElementwiseLayer(postOps: postOps) { x in try Ops.multiply(lhs: x, rhs: gamma) }
    }
}
