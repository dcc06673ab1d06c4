import KerasGraph
import ONNXProto
import TensorModule

extension ONNXLayerEmitter {
    // MARK: EinsumDense

    /// ONNX `Einsum` with Keras' equation (ellipses kept), then the bias (its shape aligns with the trailing output
    /// axes) and the activation.
    func einsumDense(_ l: EinsumDense, _ c: LayerContext, _ input: ONNXValue) throws -> ONNXValue {
        let x = b.converted(input, to: .native)
        let r = try l.resolved(input: x.shape)
        let kernel = try c.weight(0, "kernel")
        let w = b.constant(kernel.scalars, shape: kernel.shape, scope: c.scope, hint: "kernel")
        let equation = l.equation.filter { $0 != " " }
        var y = b.op("Einsum", [x.name, w], scope: c.scope, [b.attr("equation", string: equation)])
        if let biasShape = r.bias {
            let bias = try c.weight(1, "bias")
            y = binary("Add", y, b.constant(bias.scalars, shape: biasShape, scope: c.scope, hint: "bias"), c)
        }
        return try activation(l.activation.function, ONNXValue(name: y, layout: .native, shape: c.outputShape), c)
    }

    // MARK: MultiHeadAttention, GroupedQueryAttention

    struct AttentionPlan {
        var roles: MultiHeadAttentionRoles
        var heads: Int, keyValueHeads: Int, keyDim: Int, valueDim: Int
        var useBias: Bool, useGate: Bool
        var outputDims: [Int]
        var fused: Bool
        var keras2Mask: Bool
        var slidingWindow: Int?
    }

    func multiHeadAttention(_ l: MultiHeadAttention, _ c: LayerContext, _ inputs: [ONNXValue]) throws -> [ONNXValue] {
        let (q, _, _) = try l.resolvedShapes(inputs.map(\.shape))
        guard q.count == 3 else {
            throw c.error("attention over more than one axis (a rank-\(q.count) query) has no ONNX mapping in KerasPort")
        }
        let plan = AttentionPlan(roles: l.roles, heads: l.numHeads, keyValueHeads: l.numHeads, keyDim: l.keyDim,
                                 valueDim: l.valueDim, useBias: l.useBias, useGate: l.useGate,
                                 outputDims: l.outputDims(query: q),
                                 fused: l.maskSemantics == .keras3 && !l.roles.returnAttentionScores && l.dropout == 0,
                                 keras2Mask: l.maskSemantics == .keras2, slidingWindow: l.slidingWindow)
        return try attention(plan, c, inputs)
    }

    func groupedQueryAttention(_ l: GroupedQueryAttention, _ c: LayerContext, _ inputs: [ONNXValue]) throws -> [ONNXValue] {
        let (dq, _, _) = try l.resolvedSizes(inputs.map(\.shape))
        guard inputs[l.roles.query].rank == 3 else { throw c.error("expected a rank-3 query") }
        let plan = AttentionPlan(roles: l.roles, heads: l.numQueryHeads, keyValueHeads: l.numKeyValueHeads, keyDim: l.headDim,
                                 valueDim: l.headDim, useBias: l.useBias, useGate: l.useGate, outputDims: [dq],
                                 fused: !l.roles.returnAttentionScores && l.dropout == 0, keras2Mask: false,
                                 slidingWindow: l.slidingWindow)
        return try attention(plan, c, inputs)
    }

    /// Projections as `MatMul` (each `(d, heads, dim)` kernel a `(d, heads·dim)` matrix), per-head scores
    /// `(q·scale)·kᵀ` (Keras 3's fused path scales the products instead), the mask (attention mask input, causal and
    /// sliding-window bands) applied as Keras does (Keras 3: masked scores replaced by −1e9, and the probabilities of
    /// masked keys zeroed when the layer returns the scores; tf_keras: `+ (1 − mask)·(−1e9)`), softmax over the key
    /// steps, `probabilities·v`, merged heads, the gate, the output projection.
    func attention(_ p: AttentionPlan, _ c: LayerContext, _ inputs: [ONNXValue]) throws -> [ONNXValue] {
        let roles = p.roles
        guard inputs.count == roles.inputCount else { throw c.error("expected \(roles.inputCount) inputs, got \(inputs.count)") }
        let xs = inputs.map { b.converted($0, to: .native) }
        let xq = xs[roles.query], xv = xs[roles.value]
        let xk = roles.key.map { xs[$0] } ?? xv
        var index = 0
        func projection(_ name: String, _ x: ONNXValue, columns: Int) throws -> String {
            let k = try c.weight(index, "\(name)/kernel")
            index += 1
            guard k.count % columns == 0 else { throw c.error("`\(name)/kernel` \(k.shape) does not have \(columns) columns") }
            var y = b.op("MatMul", [x.name, b.constant(k.scalars, shape: [k.count / columns, columns], scope: c.scope, hint: "\(name)_W")],
                         scope: c.scope)
            if p.useBias {
                let bias = try c.weight(index, "\(name)/bias")
                index += 1
                y = binary("Add", y, b.constant(bias.scalars, shape: [bias.count], scope: c.scope, hint: "\(name)_B"), c)
            }
            return y
        }
        /// `[B, steps, count·dim]` → `[B, heads, steps, dim]`, key/value heads repeated over their query-head groups.
        func heads4(_ y: String, count: Int, dim: Int) -> String {
            let split = b.op("Reshape", [y, b.int64s([0, 0, count, dim])], scope: c.scope)
            var t = b.op("Transpose", [split], scope: c.scope, [b.attr("perm", ints: [0, 2, 1, 3])])
            if count < p.heads {
                let r = p.heads / count
                let u = b.op("Unsqueeze", [t, b.int64s([2])], scope: c.scope)                    // [B, count, 1, S, d]
                let shape = b.op("Shape", [u], scope: c.scope)
                let target = b.op("Mul", [shape, b.int64s([1, 1, r, 1, 1])], scope: c.scope)
                let e = b.op("Expand", [u, target], scope: c.scope)                               // [B, count, r, S, d]
                t = b.op("Reshape", [e, b.int64s([0, p.heads, -1, dim])], scope: c.scope)
            }
            return t
        }
        let scale = Float(1 / Double(p.keyDim).squareRoot())
        var q4 = heads4(try projection("query", xq, columns: p.heads * p.keyDim), count: p.heads, dim: p.keyDim)
        let k4 = heads4(try projection("key", xk, columns: p.keyValueHeads * p.keyDim), count: p.keyValueHeads, dim: p.keyDim)
        let gate = p.useGate ? try projection("gate", xq, columns: p.heads * p.valueDim) : nil
        let v4 = heads4(try projection("value", xv, columns: p.keyValueHeads * p.valueDim), count: p.keyValueHeads, dim: p.valueDim)
        if !p.fused { q4 = binary("Mul", q4, b.scalar(scale), c) }
        var scores = b.op("MatMul", [q4, b.op("Transpose", [k4], scope: c.scope, [b.attr("perm", ints: [0, 1, 3, 2])])], scope: c.scope)
        if p.fused { scores = binary("Mul", scores, b.scalar(scale), c) }

        // keep: a boolean [b|1, 1, T, S] (mask input and bands); value: the mask's own values (tf_keras).
        var keep: String? = nil
        var maskValue: String? = nil
        if let m = roles.attentionMask {
            let raw = xs[m]
            let f = b.op("Cast", [raw.name], scope: c.scope, [b.attr("to", int: Onnx_TensorProto.DataType.float.rawValue)])
            let m4: String
            switch raw.rank {
            case 3: m4 = b.op("Unsqueeze", [f, b.int64s([1])], scope: c.scope)
            case 4: m4 = f
            default: throw c.error("the attention mask \(raw.shape.kerasDescription) must have rank 3 or 4")
            }
            maskValue = m4
            keep = b.op("Not", [b.op("Equal", [m4, b.scalar(0)], scope: c.scope)], scope: c.scope)
        }
        // Keras masks (Embedding(mask_zero=True), Masking) on the query, value and key, combined with the attention
        // mask by logical and as Keras' `_compute_attention_mask` (and the engine) does: query `[B, T]` as
        // `[B, 1, T, 1]`, value and key `[B, S]` as `[B, 1, 1, S]`; the explicit mask then counts as boolean.
        func kerasMask(_ index: Int?) -> String? {
            index.flatMap { $0 < c.inputMasks.count ? c.inputMasks[$0] : nil }
        }
        var kerasKeep: [String] = []
        if let m = kerasMask(roles.query) {
            kerasKeep.append(b.op("Unsqueeze", [isKept(m, c), b.int64s([1, 3])], scope: c.scope))
        }
        for m in [kerasMask(roles.value), kerasMask(roles.key)].compactMap({ $0 }) {
            kerasKeep.append(b.op("Unsqueeze", [isKept(m, c), b.int64s([1, 2])], scope: c.scope))
        }
        if !kerasKeep.isEmpty {
            maskValue = nil
            for k in kerasKeep { keep = keep.map { b.op("And", [$0, k], scope: c.scope) } ?? k }
        }
        if roles.useCausalMask || p.slidingWindow != nil {
            // t (query step) down, s (key step) across.
            let t = b.op("Cast", [b.op("Range", [b.scalar(0), stepCount(xq.name, c), b.scalar(1)], scope: c.scope)], scope: c.scope,
                         [b.attr("to", int: Onnx_TensorProto.DataType.float.rawValue)])
            let s = b.op("Range", [b.scalar(0), stepCount(xv.name, c), b.scalar(1)], scope: c.scope)
            let tColumn = b.op("Unsqueeze", [t, b.int64s([1])], scope: c.scope)
            var band: String? = nil
            if roles.useCausalMask { band = b.op("LessOrEqual", [s, tColumn], scope: c.scope) }
            if let w = p.slidingWindow {
                let distance = b.op("Abs", [binary("Sub", tColumn, s, c)], scope: c.scope)
                let inside = binary("Less", distance, b.scalar(Float(w)), c)
                band = band.map { b.op("And", [$0, inside], scope: c.scope) } ?? inside
            }
            keep = keep.map { b.op("And", [$0, band!], scope: c.scope) } ?? band
            if maskValue != nil { maskValue = nil }   // tf_keras: a band makes the mask boolean.
        }
        if let keep {
            if p.keras2Mask {
                let k = maskValue ?? b.op("Cast", [keep], scope: c.scope, [b.attr("to", int: Onnx_TensorProto.DataType.float.rawValue)])
                scores = binary("Add", scores, binary("Mul", binary("Sub", b.scalar(1), k, c), b.scalar(-1e9), c), c)
            } else {
                scores = b.op("Where", [keep, scores, b.scalar(-1e9)], scope: c.scope)
            }
        }
        var probabilities = b.op("Softmax", [scores], scope: c.scope, [b.attr("axis", int: -1)])
        if let keep, !p.keras2Mask, !p.fused {
            probabilities = b.op("Where", [keep, probabilities, b.scalar(0)], scope: c.scope)
        }
        let context = b.op("MatMul", [probabilities, v4], scope: c.scope)                 // [B, H, T, dv]
        var merged = b.op("Reshape", [b.op("Transpose", [context], scope: c.scope, [b.attr("perm", ints: [0, 2, 1, 3])]),
                                      b.int64s([0, 0, p.heads * p.valueDim])], scope: c.scope)
        if let gate { merged = binary("Mul", merged, b.op("Sigmoid", [gate], scope: c.scope), c) }
        let outColumns = p.outputDims.reduce(1, *)
        var y = try projection("attention_output", ONNXValue(name: merged, layout: .native, shape: []), columns: outColumns)
        if p.outputDims.count > 1 { y = b.op("Reshape", [y, b.int64s([0, 0] + p.outputDims)], scope: c.scope) }
        var outs = [ONNXValue(name: y, layout: .native, shape: c.outputShapes[0])]
        if roles.returnAttentionScores {
            outs.append(ONNXValue(name: probabilities, layout: .native, shape: c.outputShapes[1]))
        }
        return outs
    }

    /// The number of steps (axis 1) of a `[B, steps, d]` tensor as a float scalar.
    func stepCount(_ x: String, _ c: LayerContext) -> String {
        let steps = b.op("Gather", [b.op("Shape", [x], scope: c.scope), b.int64s([1], scalar: true)], scope: c.scope, [b.attr("axis", int: 0)])
        return b.op("Cast", [steps], scope: c.scope, [b.attr("to", int: Onnx_TensorProto.DataType.float.rawValue)])
    }

    // MARK: Attention, AdditiveAttention

    /// Keras' dot-product `Attention`: `q·kᵀ` (times `scale`), or the concat form
    /// `concat_score_weight · Σ_d tanh(scale·(q + k))`; then `_apply_scores`.
    func dotAttention(_ l: Attention, _ c: LayerContext, _ inputs: [ONNXValue]) throws -> [ONNXValue] {
        guard inputs.count == 2 || inputs.count == 3 else { throw c.error("expected 2 or 3 inputs (query, value[, key]), got \(inputs.count)") }
        let xs = inputs.map { b.converted($0, to: .native) }
        let (q, v) = (xs[0], xs[1])
        let k = xs.count == 3 ? xs[2] : v
        let scale = l.useScale ? try c.weight(0, "scale").scalars.first : nil
        var scores: String
        switch l.scoreMode {
        case .dot:
            scores = b.op("MatMul", [q.name, b.op("Transpose", [k.name], scope: c.scope, [b.attr("perm", ints: [0, 2, 1])])], scope: c.scope)
            if let scale { scores = binary("Mul", scores, b.scalar(scale), c) }
        case .concat:
            let weight = try c.weight(l.useScale ? 1 : 0, "concat_score_weight").scalars.first ?? 1
            scores = additiveScores(q.name, k.name, weights: nil, inner: scale, outer: weight, c)
        }
        return applyScores(scores, value: v.name, causal: l.causal || l.options.useCausalMask,
                           returnScores: l.options.returnAttentionScores, c)
    }

    /// A float Keras mask (1 = keep) as boolean.
    func isKept(_ mask: String, _ c: LayerContext) -> String {
        b.op("Not", [b.op("Equal", [mask, b.scalar(0)], scope: c.scope)], scope: c.scope)
    }

    /// `AdditiveAttention`: `Σ_d scale[d]·tanh(q[t, d] + k[s, d])`, then `_apply_scores`.
    func additiveAttention(_ l: AdditiveAttention, _ c: LayerContext, _ inputs: [ONNXValue]) throws -> [ONNXValue] {
        guard inputs.count == 2 || inputs.count == 3 else { throw c.error("expected 2 or 3 inputs (query, value[, key]), got \(inputs.count)") }
        let xs = inputs.map { b.converted($0, to: .native) }
        let (q, v) = (xs[0], xs[1])
        let k = xs.count == 3 ? xs[2] : v
        let weights = l.useScale ? try c.weight(0, "scale") : nil
        let scores = additiveScores(q.name, k.name, weights: weights, inner: nil, outer: nil, c)
        return applyScores(scores, value: v.name, causal: l.causal || l.options.useCausalMask,
                           returnScores: l.options.returnAttentionScores, c)
    }

    /// `outer · Σ_d w[d]·tanh(inner·(q[b, t, d] + k[b, s, d]))` → `[B, T, S]`.
    func additiveScores(_ q: String, _ k: String, weights: Tensor?, inner: Float?, outer: Float?, _ c: LayerContext) -> String {
        let q4 = b.op("Unsqueeze", [q, b.int64s([2])], scope: c.scope)       // [B, T, 1, D]
        let k4 = b.op("Unsqueeze", [k, b.int64s([1])], scope: c.scope)       // [B, 1, S, D]
        var sum = binary("Add", q4, k4, c)
        if let inner { sum = binary("Mul", sum, b.scalar(inner), c) }
        var t = b.op("Tanh", [sum], scope: c.scope)
        if let weights { t = binary("Mul", t, b.constant(weights.scalars, shape: [weights.count], scope: c.scope, hint: "scale"), c) }
        var scores = reduce("ReduceSum", t, axes: [3], keepDims: false, c)
        if let outer { scores = binary("Mul", scores, b.scalar(outer), c) }
        return scores
    }

    /// Keras' `_apply_scores`: `scores − 1e9` where the causal band (above the diagonal) or the value's Keras mask
    /// removes a key step (once for a step removed by either), softmax over the last axis, `probabilities·value`; the
    /// output rows of query steps the query's Keras mask removes are 0 (`where(q_mask, output, 0)`, the returned
    /// scores are not masked), as both Keras generations and the engine compute it. A key's own mask is not used.
    func applyScores(_ scores: String, value: String, causal: Bool, returnScores: Bool, _ c: LayerContext) -> [ONNXValue] {
        var s = scores
        let queryMask = c.inputMasks.count > 0 ? c.inputMasks[0] : nil
        let valueMask = c.inputMasks.count > 1 ? c.inputMasks[1] : nil
        var removed: String? = nil
        if let vm = valueMask {
            removed = b.op("Unsqueeze", [b.op("Equal", [vm, b.scalar(0)], scope: c.scope), b.int64s([1])], scope: c.scope)
        }
        if causal {
            let t = b.op("Range", [b.scalar(0), stepCount(scores, c), b.scalar(1)], scope: c.scope)
            let steps = b.op("Gather", [b.op("Shape", [scores], scope: c.scope), b.int64s([2], scalar: true)], scope: c.scope,
                             [b.attr("axis", int: 0)])
            let j = b.op("Range", [b.scalar(0), b.op("Cast", [steps], scope: c.scope, [b.attr("to", int: Onnx_TensorProto.DataType.float.rawValue)]),
                                   b.scalar(1)], scope: c.scope)
            let above = binary("Greater", j, b.op("Unsqueeze", [t, b.int64s([1])], scope: c.scope), c)
            removed = removed.map { b.op("Or", [$0, above], scope: c.scope) } ?? above
        }
        if let removed {
            s = b.op("Where", [removed, binary("Sub", s, b.scalar(1e9), c), s], scope: c.scope)
        }
        let p = b.op("Softmax", [s], scope: c.scope, [b.attr("axis", int: -1)])
        var out = b.op("MatMul", [p, value], scope: c.scope)
        if let qm = queryMask {
            let keep = b.op("Unsqueeze", [isKept(qm, c), b.int64s([2])], scope: c.scope)
            out = b.op("Where", [keep, out, b.scalar(0)], scope: c.scope)
        }
        var outs = [ONNXValue(name: out, layout: .native, shape: c.outputShapes[0])]
        if returnScores { outs.append(ONNXValue(name: p, layout: .native, shape: c.outputShapes[1])) }
        return outs
    }
}
