import KerasGraph
import TensorModule

extension MultiHeadAttention: RunnableLayer {
    /// Projections as matrix products (each `EinsumDense` kernel `(d, heads, dim)` is a `(d, heads·dim)` matrix, the
    /// output kernel `(heads, value_dim, out…)` a `(heads·value_dim, out)` one), per-head scores
    /// `(q·scale)·kᵀ` as one batched product over `[batch, heads]`, the masked softmax over the key steps, then
    /// `probabilities·v`. The scale `1/√key_dim` multiplies the projected query as Keras does, except on Keras 3's
    /// fused path (no scores returned, no dropout, rank-3 inputs), which scales the products.
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        let (q, _, _) = try resolvedShapes(inputShapes)
        _ = try outputShapes(inputShapes: inputShapes)
        if let m = roles.attentionMask, q.count != 3 {
            throw inferenceError("an attention mask (input \(m)) is supported for rank-3 query/value only, got a rank-\(q.count) query")
        }
        var index = 0
        func next(_ name: String) throws -> Tensor {
            defer { index += 1 }
            return try weightTensor(index, name)
        }
        func projection(_ name: String, columns: Int) throws -> (kernel: Tensor, bias: Tensor?) {
            let k = try next("\(name)/kernel")
            let kernel = Tensor(shape: [k.count / columns, columns], scalars: k.scalars)
            let bias = useBias ? try next("\(name)/bias") : nil
            return (kernel, bias.map { Tensor(shape: [$0.count], scalars: $0.scalars) })
        }
        let (heads, keyDim, valueDim) = (numHeads, self.keyDim, self.valueDim)
        let query = try projection("query", columns: heads * keyDim)
        let key = try projection("key", columns: heads * keyDim)
        let gate = useGate ? try projection("gate", columns: heads * valueDim) : nil
        let value = try projection("value", columns: heads * valueDim)
        let outDims = outputDims(query: q)
        let output = try projection("attention_output", columns: outDims.reduce(1, *))

        return MultiHeadForward(
            layer: name, className: className, roles: roles, heads: heads, keyValueHeads: heads, keyDim: keyDim,
            valueDim: valueDim, query: query, key: key, gate: gate, value: value, output: output, outputDims: outDims,
            fused: maskSemantics == .keras3 && !roles.returnAttentionScores && dropout == 0 && q.count == 3,
            maskSemantics: maskSemantics, slidingWindow: slidingWindow).compiled()
    }
}
