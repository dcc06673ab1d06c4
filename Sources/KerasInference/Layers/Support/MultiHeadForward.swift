import KerasGraph
import TensorModule

/// The computation `MultiHeadAttention` and `GroupedQueryAttention` share: projections as matrix products (each
/// `EinsumDense` kernel `(d, heads, dim)` is a `(d, heads·dim)` matrix, the output kernel `(heads, value_dim, out…)` a
/// `(heads·value_dim, out)` one), per-head scores `(q·scale)·kᵀ` as one batched product over `[batch, heads]`, the
/// masked softmax over the key steps, then `probabilities·v`. The scale `1/√key_dim` multiplies the projected
/// query as Keras does, except on Keras 3's fused path (`fused`: no scores returned, no dropout, rank-3 inputs), which
/// scales the products. With fewer key/value heads than query heads (grouped-query attention), each key/value head
/// serves `heads / keyValueHeads` consecutive query heads (Keras' `ops.repeat` on the head axis).
///
/// With Keras masks on its inputs (``InputMasksConsumingLayer``), the query, value and key masks are combined with the
/// explicit attention mask as Keras' `_compute_attention_mask` does (``combinedAttentionMask``).
struct MultiHeadForward: InputMasksConsumingLayer {
    typealias Projection = (kernel: Tensor, bias: Tensor?)
    let layer: String, className: String
    let roles: MultiHeadAttentionRoles
    let heads: Int, keyValueHeads: Int, keyDim: Int, valueDim: Int
    let query: Projection, key: Projection, gate: Projection?, value: Projection, output: Projection
    let outputDims: [Int]
    let fused: Bool
    let maskSemantics: AttentionMaskSemantics
    let slidingWindow: Int?

    /// The layer's projection weights in Keras order (`name/kernel`, `name/bias` when `useBias`), each kernel as a
    /// matrix of `columns` columns.
    static func projections(_ layer: some Layer, names: [String], columns: [Int], useBias: Bool) throws -> [Projection] {
        var index = 0
        return try zip(names, columns).map { name, columns in
            guard index < layer.weights.count else {
                throw InferenceError("layer `\(layer.name)` (\(layer.className)): weight `\(name)/kernel` is missing")
            }
            let k = layer.weights[index].tensor
            index += 1
            var bias: Tensor?
            if useBias {
                guard index < layer.weights.count else {
                    throw InferenceError("layer `\(layer.name)` (\(layer.className)): weight `\(name)/bias` is missing")
                }
                bias = Tensor(shape: [layer.weights[index].tensor.count], scalars: layer.weights[index].tensor.scalars)
                index += 1
            }
            return (Tensor(shape: [k.count / columns, columns], scalars: k.scalars), bias)
        }
    }

    func compiled() -> any CompiledLayer { self }

    func run(_ inputs: [Tensor]) throws -> [Tensor] { try run(inputs, masks: []) }

    func run(_ inputs: [Tensor], masks: [Tensor?]) throws -> [Tensor] {
        guard inputs.count == roles.inputCount else {
            throw InferenceError("layer `\(layer)` (\(className)): expected \(roles.inputCount) inputs, got \(inputs.count)")
        }
        let xq = inputs[roles.query], xv = inputs[roles.value]
        let xk = roles.key.map { inputs[$0] } ?? xv
        let batch = xq.shape[0]
        let querySteps = xq.shape.dropFirst().dropLast().reduce(1, *)
        let keySteps = xv.shape.dropFirst().dropLast().reduce(1, *)
        /// `[B, steps…, d]` projected to `[B, heads, steps, dim]` (key/value heads repeated up to `heads`).
        func heads4(_ x: Tensor, _ p: Projection, steps: Int, count: Int, dim: Int) throws -> Tensor {
            let y = try Ops.dense(input: x, kernel: p.kernel, bias: p.bias)
            var t = try Ops.transpose(input: Tensor(shape: [batch, steps, count, dim], scalars: y.scalars),
                                      permutation: [0, 2, 1, 3])
            if count < heads {
                let repeats = heads / count, block = steps * dim
                var scalars = [Float](repeating: 0, count: batch * heads * block)
                for b in 0..<batch {
                    for h in 0..<heads {
                        let src = (b * count + h / repeats) * block, dst = (b * heads + h) * block
                        for i in 0..<block { scalars[dst + i] = t.scalars[src + i] }
                    }
                }
                t = Tensor(shape: [batch, heads, steps, dim], scalars: scalars)
            }
            return t
        }
        let scale = Float(1 / Double(keyDim).squareRoot())
        var q4 = try heads4(xq, query, steps: querySteps, count: heads, dim: keyDim)
        let k4 = try heads4(xk, key, steps: keySteps, count: keyValueHeads, dim: keyDim)
        let v4 = try heads4(xv, value, steps: keySteps, count: keyValueHeads, dim: valueDim)
        if !fused { for i in q4.scalars.indices { q4.scalars[i] *= scale } }
        var scores = try Ops.batchMatmul(a: q4, b: k4, transposeB: true)
        if fused { for i in scores.scalars.indices { scores.scalars[i] *= scale } }
        var mask: Tensor?
        func keras(_ index: Int?) -> Tensor? { index.flatMap { $0 < masks.count ? masks[$0] : nil } }
        let queryMask = keras(roles.query), keyMasks = [keras(roles.value), keras(roles.key)]
        if queryMask != nil || keyMasks.contains(where: { $0 != nil }) {
            guard xq.rank == 3, xv.rank == 3 else {
                throw InferenceError("layer `\(layer)` (\(className)): a Keras mask (Embedding(mask_zero=True) or Masking) is supported for rank-3 query/value only")
            }
            do {
                mask = try combinedAttentionMask(batch: batch, querySteps: querySteps, keySteps: keySteps,
                                                 queryMask: queryMask, keyMasks: keyMasks,
                                                 explicit: roles.attentionMask.map { inputs[$0] })
            } catch let e as InferenceError {
                throw InferenceError("layer `\(layer)` (\(className)): \(e.reason)")
            }
        } else if let m = roles.attentionMask {
            let raw = inputs[m]
            switch raw.rank {
            case 3: mask = Tensor(shape: [raw.shape[0], 1, raw.shape[1], raw.shape[2]], scalars: raw.scalars)
            case 4: mask = raw
            default:
                throw InferenceError("layer `\(layer)` (\(className)): the attention mask \(raw.shape) must have rank 3 or 4")
            }
        }
        let form: Ops.AttentionMaskForm = maskSemantics == .keras2 ? .additive : .replace(zeroMasked: !fused)
        let probabilities = try Ops.attentionSoftmax(scores: scores, mask: mask, causal: roles.useCausalMask,
                                                     slidingWindow: slidingWindow, form: form)
        let context = try Ops.batchMatmul(a: probabilities, b: v4)   // [B, heads, T, value_dim]
        var merged = try Ops.transpose(input: context, permutation: [0, 2, 1, 3])
        merged = Tensor(shape: Array(xq.shape.dropLast()) + [heads * valueDim], scalars: merged.scalars)
        if let gate {
            let g = try Ops.dense(input: xq, kernel: gate.kernel, bias: gate.bias, activation: .sigmoid)
            merged = try Ops.multiply(lhs: merged, rhs: g)
        }
        let y = try Ops.dense(input: merged, kernel: output.kernel, bias: output.bias)
        let result = Tensor(shape: Array(xq.shape.dropLast()) + outputDims, scalars: y.scalars)
        guard roles.returnAttentionScores else { return [result] }
        let scoreShape = [batch, heads] + Array(xq.shape.dropFirst().dropLast()) + Array(xv.shape.dropFirst().dropLast())
        return [result, Tensor(shape: scoreShape, scalars: probabilities.scalars)]
    }
}
