import KerasGraph
import TensorModule

extension LayerScale: RunnableLayer {
    /// `x · gamma`, `gamma` broadcast over the last axis; a step the plan can join to the output pass of the Dense
    /// before it (ConvNeXt's second pointwise layer) as the scale/shift `x · gamma + (−0)`, which is `x · gamma` bit
    /// for bit (adding −0 leaves every value as it is, +0 and −0 included), so the residual `Add` after it joins too.
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        let gamma = try weightTensor(0, "gamma")
        let columns = try singleInput(inputShapes).last ?? nil
        let fusable = gamma.rank == 1 && columns == gamma.count
        let postOps: [Ops.PostOp]? = fusable
            ? [.scaleShift(scale: gamma.scalars, shift: [Float](repeating: -0.0, count: gamma.count))] : nil
        return ElementwiseLayer(postOps: postOps) { x in try Ops.multiply(lhs: x, rhs: gamma) }
    }
}
