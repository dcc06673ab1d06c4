import KerasGraph
import TensorModule

extension EinsumDense: RunnableLayer {
    /// The einsum as one (batched) matrix product (``Ops/einsum(_:_:_:)``), then the bias (broadcast) and the
    /// activation.
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        let input = try singleInput(inputShapes)
        let r = try resolved(input: input)
        let kernel = try weightTensor(0, "kernel")
        let bias = r.bias != nil ? try weightTensor(1, "bias") : nil
        let plan: Ops.EinsumPlan
        do {
            plan = try Ops.EinsumPlan(equation, lhsRank: input.count, rhsRank: kernel.rank)
        } catch {
            throw inferenceError("\(error)")
        }
        let activation = self.activation.function.op
        return UnaryClosureLayer { x in
            var y = try Ops.einsum(plan, x, kernel)
            if let bias { y = try Ops.add(lhs: y, rhs: bias) }
            if activation != .linear { try Ops.applyActivation(activation, to: &y) }
            return y
        }
    }
}
