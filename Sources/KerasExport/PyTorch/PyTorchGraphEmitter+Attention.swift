import KerasGraph
import TensorModule

// Attention layers and EinsumDense as generated modules whose parameters keep Keras' names and shapes:
// `EinsumDense` (`kernel`, `bias`), `KerasMultiHeadAttention` (sub-modules `query`, `key`, `value`,
// `attention_output`, optional `gate`, each an `EinsumDense`-like projection), `KerasDotAttention`.

extension PyTorchGraphEmitter {
    func emitEinsumDense(_ l: EinsumDense, call: Int, input: (ref: TensorRef, shape: Shape), out: Shape) throws {
        let resolved: (kernel: [Int], bias: [Int]?, output: Shape)
        do { resolved = try l.resolved(input: input.shape) } catch {
            throw PyTorchExportError.layer(l, "\(error)")
        }
        let kernel = try P.weight(l, 0, "kernel")
        var tensors = [P.float("kernel", kernel, shape: resolved.kernel)]
        if let b = resolved.bias { tensors.append(P.float("bias", try P.weight(l, 1, "bias"), shape: b)) }
        context.helpers.insert(.einsumDense)
        let equation = l.equation.filter { $0 != " " }
        let a = module(l, "EinsumDense(\"\(equation)\", \(P.tuple(resolved.kernel)), \(resolved.bias.map { P.tuple($0) } ?? "None"))",
                       tensors: tensors)
        bind(try activation(l.activation.function, "self.\(a)(\(name(of: input.ref, in: .keras)))", rank: out.count,
                            layout: .keras, layer: l),
             layer: l, call: call, shape: out, layout: .keras)
    }

    /// The projections of a MultiHeadAttention / GroupedQueryAttention: `(name, kernel, bias)` in Keras' order.
    func attentionProjections(_ l: any Layer, names: [String], useBias: Bool) throws -> [SafetensorsTensor] {
        var index = 0, tensors: [SafetensorsTensor] = []
        for n in names {
            let k = try P.weight(l, index, "\(n)/kernel")
            index += 1
            tensors.append(P.float("\(n).kernel", k))
            if useBias {
                let b = try P.weight(l, index, "\(n)/bias")
                index += 1
                tensors.append(P.float("\(n).bias", b))
            }
        }
        return tensors
    }

    func emitAttentionCall(_ l: any Layer, attribute a: String, roles: MultiHeadAttentionRoles, call: Int,
                           inputs: [TensorRef], outputShapes: [Shape]) throws {
        guard inputs.count == roles.inputCount else {
            throw PyTorchExportError.layer(l, "expected \(roles.inputCount) inputs, got \(inputs.count)")
        }
        let q = name(of: inputs[roles.query], in: .keras), v = name(of: inputs[roles.value], in: .keras)
        let k = roles.key.map { name(of: inputs[$0], in: .keras) } ?? "None"
        var m = roles.attentionMask.map { name(of: inputs[$0], in: .keras) } ?? "None"
        // Keras masks on the query / value / key: combined with the explicit mask as Keras does (the engine's
        // `combinedAttentionMask`), into the one boolean [B, T, S] mask the module applies.
        let queryMask = masks[inputs[roles.query]], valueMask = masks[inputs[roles.value]]
        let keyMask = roles.key.flatMap { masks[inputs[$0]] }
        if queryMask != nil || valueMask != nil || keyMask != nil {
            guard values[inputs[roles.query]]?.shape.count == 3, values[inputs[roles.value]]?.shape.count == 3 else {
                throw PyTorchExportError.layer(l, "a Keras mask (Embedding(mask_zero=True) or Masking) is exported for rank-3 query/value only")
            }
            context.helpers.insert(.attentionKerasMask)
            let combined = newVariable()
            forwardLines.append("\(combined) = _attention_keras_mask(\(q), \(v), \(queryMask ?? "None"), \(valueMask ?? "None"), \(keyMask ?? "None"), \(m == "None" ? "None" : m))  # Keras masks into \(l.name)")
            m = combined
        }
        let r = newVariable()
        forwardLines.append("\(r) = self.\(a)(\(q), \(v), \(k), \(m), causal=\(roles.useCausalMask ? "True" : "False"))  # \(l.name) (\(l.className))")
        bind("\(r)[0]", layer: l, call: call, shape: outputShapes[0], layout: .keras)
        if roles.returnAttentionScores {
            bind("\(r)[1]", layer: l, call: call, tensor: 1, shape: outputShapes[1], layout: .keras)
        }
    }

    func emitMultiHeadAttention(_ l: MultiHeadAttention, call: Int, inputs: [TensorRef], outputShapes: [Shape]) throws {
        guard inputs.count == l.roles.inputCount, let qShape = values[inputs[l.roles.query]]?.shape else {
            throw PyTorchExportError.layer(l, "expected \(l.roles.inputCount) inputs, got \(inputs.count)")
        }
        guard !l.softmaxRobustMasking else {
            throw PyTorchExportError.layer(l, "`softmax_robust_masking=True` has no exported form")
        }
        if let axes = l.attentionAxes, axes.map({ $0 < 0 ? $0 + qShape.count : $0 }) != Array(1..<(qShape.count - 1)) {
            throw PyTorchExportError.layer(l, "`attention_axes` \(axes) (attention over some of the step axes) has no exported form")
        }
        if let m = l.roles.attentionMask, let shape = values[inputs[m]]?.shape, qShape.count != 3 || shape.count != 3 {
            throw PyTorchExportError.layer(l, "an attention mask is exported for rank-3 query/value and mask only")
        }
        let tensors = try attentionProjections(l, names: l.projections, useBias: l.useBias)
        let fused = l.maskSemantics == .keras3 && !l.roles.returnAttentionScores && l.dropout == 0 && qShape.count == 3
        context.helpers.insert(.multiHeadAttention)
        let scale = Float(1 / Double(l.keyDim).squareRoot())
        let constructor = "KerasMultiHeadAttention(\(l.numHeads), \(l.numHeads), \(l.keyDim), \(l.valueDim), \(P.tuple(l.outputDims(query: qShape))), \(P.py(scale)), use_gate=\(l.useGate ? "True" : "False"), fused=\(fused ? "True" : "False"), keras2_mask=\(l.maskSemantics == .keras2 ? "True" : "False"), sliding_window=\(l.slidingWindow.map(String.init) ?? "None"), shapes={\(tensors.map { "\"\($0.name)\": \(P.tuple($0.shape))" }.joined(separator: ", "))})"
        let a = module(l, constructor, tensors: tensors)
        try emitAttentionCall(l, attribute: a, roles: l.roles, call: call, inputs: inputs, outputShapes: outputShapes)
    }

    func emitGroupedQueryAttention(_ l: GroupedQueryAttention, call: Int, inputs: [TensorRef], outputShapes: [Shape]) throws {
        guard inputs.count == l.roles.inputCount, let qShape = values[inputs[l.roles.query]]?.shape,
              let dq = qShape.last ?? nil else {
            throw PyTorchExportError.layer(l, "expected \(l.roles.inputCount) inputs, got \(inputs.count)")
        }
        let tensors = try attentionProjections(l, names: l.projections, useBias: l.useBias)
        let fused = !l.roles.returnAttentionScores && l.dropout == 0
        context.helpers.insert(.multiHeadAttention)
        let scale = Float(1 / Double(l.headDim).squareRoot())
        let constructor = "KerasMultiHeadAttention(\(l.numQueryHeads), \(l.numKeyValueHeads), \(l.headDim), \(l.headDim), (\(dq),), \(P.py(scale)), use_gate=\(l.useGate ? "True" : "False"), fused=\(fused ? "True" : "False"), keras2_mask=False, sliding_window=\(l.slidingWindow.map(String.init) ?? "None"), shapes={\(tensors.map { "\"\($0.name)\": \(P.tuple($0.shape))" }.joined(separator: ", "))})"
        let a = module(l, constructor, tensors: tensors)
        try emitAttentionCall(l, attribute: a, roles: l.roles, call: call, inputs: inputs, outputShapes: outputShapes)
    }

    /// Keras `Attention` (dot or concat scores) and `AdditiveAttention`, through `KerasDotAttention`.
    func emitDotAttentionCommon(_ l: any Layer, mode: String, weights: [(String, Tensor)], causal: Bool,
                                returnScores: Bool, call: Int, inputs: [TensorRef], outputShapes: [Shape]) throws {
        guard inputs.count == 2 || inputs.count == 3 else {
            throw PyTorchExportError.layer(l, "expected 2 or 3 inputs (query, value, key), got \(inputs.count)")
        }
        context.helpers.insert(.dotAttention)
        let shapes = weights.map { "\"\($0.0)\": \(P.tuple($0.1.shape))" }.joined(separator: ", ")
        let a = module(l, "KerasDotAttention(\"\(mode)\", {\(shapes)})", tensors: weights.map { P.float($0.0, $0.1) })
        let names = inputs.map { name(of: $0, in: .keras) }
        // Keras masks: the value's removes key steps, the query's zeroes the output rows (a key's own mask is not
        // used by Keras).
        var maskArguments = ""
        if let qm = masks[inputs[0]] { maskArguments += ", query_mask=\(qm)" }
        if let vm = masks[inputs[1]] { maskArguments += ", value_mask=\(vm)" }
        let r = newVariable()
        forwardLines.append("\(r) = self.\(a)(\(names[0]), \(names[1]), \(names.count == 3 ? names[2] : "None"), causal=\(causal ? "True" : "False")\(maskArguments))  # \(l.name) (\(l.className))")
        bind("\(r)[0]", layer: l, call: call, shape: outputShapes[0], layout: .keras)
        if returnScores { bind("\(r)[1]", layer: l, call: call, tensor: 1, shape: outputShapes[1], layout: .keras) }
    }

    func emitDotAttention(_ l: Attention, call: Int, inputs: [TensorRef], outputShapes: [Shape]) throws {
        var weights: [(String, Tensor)] = []
        for (i, n) in l.weightNames.enumerated() { weights.append((n, try P.weight(l, i, n))) }
        try emitDotAttentionCommon(l, mode: l.scoreMode == .dot ? "dot" : "concat", weights: weights,
                                   causal: l.causal || l.options.useCausalMask,
                                   returnScores: l.options.returnAttentionScores, call: call, inputs: inputs,
                                   outputShapes: outputShapes)
    }

    func emitAdditiveAttention(_ l: AdditiveAttention, call: Int, inputs: [TensorRef], outputShapes: [Shape]) throws {
        let weights = l.useScale ? [("scale", try P.weight(l, 0, "scale"))] : []
        try emitDotAttentionCommon(l, mode: "additive", weights: weights, causal: l.causal || l.options.useCausalMask,
                                   returnScores: l.options.returnAttentionScores, call: call, inputs: inputs,
                                   outputShapes: outputShapes)
    }
}
