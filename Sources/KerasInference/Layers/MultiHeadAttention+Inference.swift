import KerasGraph
import TensorModule

extension MultiHeadAttention: RunnableLayer {
    /// Projections as matrix products (each `EinsumDense` kernel `(d, heads, dim)` is a `(d, heads·dim)` matrix, the
    /// output kernel `(heads, value_dim, out…)` a `(heads·value_dim, out)` one), per-head scores
    /// `(q·scale)·kᵀ` as one batched product over `[batch, heads]`, the masked softmax over the key steps, then
    /// `probabilities·v`. The scale `1/√key_dim` multiplies the projected query as Keras does, except on Keras 3's
    /// fused path (no scores returned, no dropout, rank-3 inputs), which scales the products.
    public func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
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

        let roles = self.roles
        let scale = Float(1 / Double(keyDim).squareRoot())
        let fused = maskSemantics == .keras3 && !roles.returnAttentionScores && dropout == 0 && q.count == 3
        let form: Ops.AttentionMaskForm = maskSemantics == .keras2 ? .additive : .replace(zeroMasked: !fused)
        let window = slidingWindow
        let name = self.name
        return ClosureLayer { inputs in
            guard inputs.count == roles.inputCount else {
                throw InferenceError("layer `\(name)` (MultiHeadAttention): expected \(roles.inputCount) inputs, got \(inputs.count)")
            }
            let xq = inputs[roles.query], xv = inputs[roles.value]
            let xk = roles.key.map { inputs[$0] } ?? xv
            let batch = xq.shape[0]
            let querySteps = xq.shape.dropFirst().dropLast().reduce(1, *)
            let keySteps = xv.shape.dropFirst().dropLast().reduce(1, *)
            /// `[B, steps…, d]` projected to `[B, heads, steps, dim]`.
            func heads4(_ x: Tensor, _ p: (kernel: Tensor, bias: Tensor?), steps: Int, dim: Int) throws -> Tensor {
                let y = try Ops.dense(input: x, kernel: p.kernel, bias: p.bias)
                return try Ops.transpose(input: Tensor(shape: [batch, steps, heads, dim], scalars: y.scalars),
                                         permutation: [0, 2, 1, 3])
            }
            var q4 = try heads4(xq, query, steps: querySteps, dim: keyDim)
            let k4 = try heads4(xk, key, steps: keySteps, dim: keyDim)
            let v4 = try heads4(xv, value, steps: keySteps, dim: valueDim)
            if !fused { for i in q4.scalars.indices { q4.scalars[i] *= scale } }
            var scores = try Ops.batchMatmul(a: q4, b: k4, transposeB: true)
            if fused { for i in scores.scalars.indices { scores.scalars[i] *= scale } }
            var mask: Tensor?
            if let m = roles.attentionMask {
                let raw = inputs[m]
                switch raw.rank {
                case 3: mask = Tensor(shape: [raw.shape[0], 1, raw.shape[1], raw.shape[2]], scalars: raw.scalars)
                case 4: mask = raw
                default:
                    throw InferenceError("layer `\(name)` (MultiHeadAttention): the attention mask \(raw.shape) must have rank 3 or 4")
                }
            }
            let probabilities = try Ops.attentionSoftmax(scores: scores, mask: mask, causal: roles.useCausalMask,
                                                         slidingWindow: window, form: form)
            let context = try Ops.batchMatmul(a: probabilities, b: v4)   // [B, heads, T, value_dim]
            var merged = try Ops.transpose(input: context, permutation: [0, 2, 1, 3])
            merged = Tensor(shape: Array(xq.shape.dropLast()) + [heads * valueDim], scalars: merged.scalars)
            if let gate {
                let g = try Ops.dense(input: xq, kernel: gate.kernel, bias: gate.bias, activation: .sigmoid)
                merged = try Ops.multiply(lhs: merged, rhs: g)
            }
            let y = try Ops.dense(input: merged, kernel: output.kernel, bias: output.bias)
            let result = Tensor(shape: Array(xq.shape.dropLast()) + outDims, scalars: y.scalars)
            guard roles.returnAttentionScores else { return [result] }
            let scoreShape = [batch, heads] + Array(xq.shape.dropFirst().dropLast()) + Array(xv.shape.dropFirst().dropLast())
            return [result, Tensor(shape: scoreShape, scalars: probabilities.scalars)]
        }
    }
}
