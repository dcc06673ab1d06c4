import KerasGraph
import TensorModule

// The layer families mapped after the first round (preprocessing, 3-D spatial, framework ops, recurrent,
// attention): `emitLayer` hands every class it does not know to `emitExtendedLayer`, which dispatches to the
// family files `PyTorchGraphEmitter+<Family>.swift`. Keras masks (Embedding(mask_zero=True), Masking) are
// tracked here, following the rules of `KerasInference/Masks.swift`.

extension PyTorchGraphEmitter {
    /// Emits one call of a layer of the later families; `false` when the class has no mapping.
    func emitExtendedLayer(_ layer: any Layer, call: Int, inputs: [TensorRef], outputShapes: [Shape],
                           nested: GraphAnalysis?) throws -> Bool {
        let out = outputShapes.first ?? []
        func single() throws -> (ref: TensorRef, shape: Shape) { try singleInput(of: layer, inputs) }
        switch layer {
        // Preprocessing and scaling
        case let l as Rescaling: try emitRescaling(l, call: call, input: try single(), out: out)
        case let l as Normalization: try emitNormalization(l, call: call, input: try single(), out: out)
        case let l as CenterCrop: try emitCenterCrop(l, call: call, input: try single(), out: out)
        case let l as Resizing: try emitResizing(l, call: call, input: try single(), out: out)
        case let l as Discretization: try emitDiscretization(l, call: call, input: try single(), out: out)
        case let l as LayerScale: try emitLayerScale(l, call: call, input: try single(), out: out)
        case let l as CustomScaleLayer: try emitCustomScale(l, call: call, inputs: inputs, out: out)
        case let l as Masking: try emitMasking(l, call: call, input: try single(), out: out)
        case let l as UnitNormalization: try emitUnitNormalization(l, call: call, input: try single(), out: out)
        case let l as GroupNormalization: try emitGroupNormalization(l, call: call, input: try single(), out: out)
        // 3-D spatial
        case let l as MaxPooling3D:
            try emitPooling(l, max: true, poolSize: l.poolSize, strides: l.strides, padding: l.padding,
                            dataFormat: l.dataFormat, call: call, input: try single(), out: out)
        case let l as AveragePooling3D:
            try emitPooling(l, max: false, poolSize: l.poolSize, strides: l.strides, padding: l.padding,
                            dataFormat: l.dataFormat, call: call, input: try single(), out: out)
        case let l as GlobalAveragePooling3D:
            try emitGlobalPooling(l, max: false, dataFormat: l.dataFormat, keepDims: l.keepDims, call: call,
                                  input: try single(), out: out)
        case let l as GlobalMaxPooling3D:
            try emitGlobalPooling(l, max: true, dataFormat: l.dataFormat, keepDims: l.keepDims, call: call,
                                  input: try single(), out: out)
        case let l as ZeroPadding3D:
            let (ref, shape) = try single()
            let first = l.dataFormat == .channelsFirst ? 2 : 1
            var pads: [Int: (Int, Int)] = [:]
            for i in 0..<3 { pads[first + i] = (l.padding[i][0], l.padding[i][1]) }
            try emitPad(l, call: call, ref: ref, rank: shape.count, pads: pads, out: out)
        case let l as Cropping3D:
            let (ref, shape) = try single()
            let first = l.dataFormat == .channelsFirst ? 2 : 1
            var crops: [Int: (Int, Int)] = [:]
            for i in 0..<3 { crops[first + i] = (l.cropping[i][0], l.cropping[i][1]) }
            emitCrop(l, call: call, ref: ref, rank: shape.count, crops: crops, out: out)
        case let l as UpSampling3D:
            let (ref, shape) = try single()
            guard shape.count == 5 else { throw PyTorchExportError.layer(l, "expected a rank-5 input") }
            let layout = channelsFirstLayout(l.dataFormat)
            let x = name(of: ref, in: layout)
            bind("\(x).repeat_interleave(\(l.size[0]), dim=2).repeat_interleave(\(l.size[1]), dim=3).repeat_interleave(\(l.size[2]), dim=4)",
                 layer: l, call: call, shape: out, layout: layout)
        // Framework ops
        case let l as OpLayer: try emitOp(l, call: call, inputs: inputs, out: out)
        // Recurrent
        case let l as any RecurrentLayer: try emitRecurrent(l, call: call, inputs: inputs, outputShapes: outputShapes)
        case let l as Bidirectional: try emitBidirectional(l, call: call, inputs: inputs, outputShapes: outputShapes)
        case let l as TimeDistributed: try emitTimeDistributed(l, call: call, inputs: inputs, out: out)
        // Attention
        case let l as EinsumDense: try emitEinsumDense(l, call: call, input: try single(), out: out)
        case let l as MultiHeadAttention:
            try emitMultiHeadAttention(l, call: call, inputs: inputs, outputShapes: outputShapes)
        case let l as GroupedQueryAttention:
            try emitGroupedQueryAttention(l, call: call, inputs: inputs, outputShapes: outputShapes)
        case let l as Attention: try emitDotAttention(l, call: call, inputs: inputs, outputShapes: outputShapes)
        case let l as AdditiveAttention:
            try emitAdditiveAttention(l, call: call, inputs: inputs, outputShapes: outputShapes)
        // Categorical, RNN with cells, ConvLSTM2D (PyTorchGraphEmitter+Breadth.swift)
        case let l as CategoryEncoding: try emitCategoryEncoding(l, call: call, input: try single(), out: out)
        case let l as IntegerLookup: try emitIntegerLookup(l, call: call, input: try single(), out: out)
        case let l as Hashing: try emitHashing(l, call: call, input: try single(), out: out)
        case let l as RNN: try emitRNN(l, call: call, inputs: inputs, outputShapes: outputShapes)
        case let l as ConvLSTM: try emitConvLSTM2D(l, call: call, inputs: inputs, outputShapes: outputShapes)
        default:
            return false
        }
        return true
    }

    // MARK: - Keras 3 activations

    /// The expression of a Keras 3 activation without a first-round mapping, as Keras 3.15 computes it.
    func keras3Activation(_ function: ActivationFunction, _ x: String, rank: Int, layout: TensorLayout,
                          layer: any Layer) throws -> String {
        switch function {
        case .hardShrink(let t):
            // NaN is not above the threshold: 0, as Keras' where(|x| > t, x, 0).
            return "torch.where(torch.abs(\(x)) > \(P.py(t)), \(x), torch.zeros_like(\(x)))"
        case .hardTanh: return "F.hardtanh(\(x))"
        case .logSigmoid: return "F.logsigmoid(\(x))"
        case .softShrink(let t): return "F.softshrink(\(x), \(P.py(t)))"
        case .sparsePlus:
            return "torch.where(\(x) <= -1.0, torch.zeros_like(\(x)), torch.where(\(x) < 1.0, 0.25 * (\(x) + 1.0) ** 2, \(x)))"
        case .sparseSigmoid:
            return "torch.where(\(x) <= -1.0, torch.zeros_like(\(x)), torch.where(\(x) >= 1.0, torch.ones_like(\(x)), 0.5 * (\(x) + 1.0)))"
        case .squareplus(let b): return "(\(x) + torch.sqrt(\(x) * \(x) + \(P.py(b)))) / 2.0"
        case .tanhShrink: return "F.tanhshrink(\(x))"
        case .sparsemax(let axis):
            guard let a = normalized(axis, rank: rank), a > 0 else {
                throw PyTorchExportError.layer(layer, "sparsemax axis \(axis) is out of range for rank \(rank)")
            }
            context.helpers.insert(.sparsemax)
            return "_keras_sparsemax(\(x), \(physicalAxis(a, rank: rank, layout: layout)))"
        default:
            throw PyTorchExportError.layer(layer, "the activation \(function) has no PyTorch mapping in KerasPort yet")
        }
    }

    /// A Python `lambda v: …` applying `function` element-wise (recurrent cells).
    func activationLambda(_ function: ActivationFunction, layer: any Layer) throws -> String {
        switch function {
        case .softmax, .logSoftmax, .sparsemax:
            throw PyTorchExportError.layer(layer, "a recurrent activation must be element-wise, got \(function)")
        default:
            return "lambda v: " + (try activation(function, "v", rank: 2, layout: .keras, layer: layer))
        }
    }

    // MARK: - Masks

    /// After a layer's call: the masks its outputs carry (Keras' rules, as KerasInference applies them). A mask is
    /// a boolean `[batch, time]` tensor variable.
    func propagateMasks(_ layer: any Layer, call: Int, inputs: [TensorRef], outputCount: Int) throws {
        let inMask = inputs.first.flatMap { masks[$0] }
        func set(_ i: Int, _ m: String?) {
            masks[TensorRef(layer: layer.name, node: call, tensor: i)] = m
        }
        switch layer {
        case let e as Embedding:
            guard e.maskZero else { return }
            let m = newVariable()
            forwardLines.append("\(m) = \(name(of: inputs[0], in: .keras)) != 0  # mask of \(layer.name)")
            set(0, m)
        case let m as Masking:
            let v = newVariable()
            forwardLines.append("\(v) = (\(name(of: inputs[0], in: .keras)) != \(P.py(Float(m.maskValue)))).any(dim=-1)  # mask of \(layer.name)")
            set(0, v)
        case let r as any RecurrentLayer:
            guard let inMask else { return }
            if r.options.returnSequences { set(0, inMask) }
        case let r as RNN:
            guard let inMask else { return }
            if r.returnSequences { set(0, inMask) }
        case let m as MultiHeadAttention:
            // The output carries the query's mask (not the scores); Keras 3 also removes the masks of the tensors it
            // reads, so the layers that run after it see them unmasked (the engine does the same, in the same order).
            let query = m.roles.query < inputs.count ? masks[inputs[m.roles.query]] : nil
            set(0, query)
            if m.maskSemantics == .keras3 {
                for r in [m.roles.query, m.roles.value] + [m.roles.key].compactMap({ $0 }) where r < inputs.count {
                    masks[inputs[r]] = nil
                }
            }
        case is Attention, is AdditiveAttention:
            set(0, inMask)  // the query's mask, on the output (not the scores)
        case let b as Bidirectional:
            guard let inMask, b.forward.options.returnSequences else { return }
            set(0, inMask)
            if b.mergeMode == nil { set(1, inMask) }
        case is GlobalAveragePooling1D:
            return  // consumed (a masked mean), not carried on
        case let t as TimeDistributed:
            guard let inMask else { return }
            if t.layer is any RecurrentLayer || t.layer is Bidirectional || t.layer is RNN
                || t.layer is MultiHeadAttention || t.layer is Attention || t.layer is AdditiveAttention
                || Self.maskUsingClasses.contains(t.layer.className) {
                throw PyTorchExportError.layer(layer, "a TimeDistributed `\(t.layer.className)` would use the mask per step, which the export does not do")
            }
            set(0, inMask)
        case let c as Concatenate:
            let ms = inputs.map { masks[$0] }
            guard ms.contains(where: { $0 != nil }) else { return }
            guard c.axis == -1 else {
                throw PyTorchExportError.layer(layer, "Concatenate along axis \(c.axis) of masked inputs combines masks in a way the export does not implement")
            }
            set(0, try andMasks(ms, inputs: inputs, layer: layer))
        case is NestedModel:
            return
        default:
            if Self.maskPassThrough.contains(layer.className) || layer is any InferenceIdentityLayer {
                if let inMask { for i in 0..<outputCount { set(i, inMask) } }
            } else if Self.maskMerge.contains(layer.className) {
                let ms = inputs.map { masks[$0] }
                guard ms.contains(where: { $0 != nil }) else { return }
                set(0, try andMasks(ms, inputs: inputs, layer: layer))
            }
        }
    }

    /// Checks before a layer's call that no mask reaches a layer which would use it and the export does not.
    func refuseUnsupportedMask(_ layer: any Layer, inputs: [TensorRef]) throws {
        guard inputs.contains(where: { masks[$0] != nil }) else { return }
        if Self.maskUsingClasses.contains(layer.className) {
            throw PyTorchExportError.layer(layer, "a Keras mask reaches this layer, which would apply it; the export does not")
        }
        if let nested = layer as? NestedModel,
           let user = nested.graph.nodes.first(where: { node in
               node.layer is any RecurrentLayer || node.layer is Bidirectional || node.layer is GlobalAveragePooling1D
                   || node.layer is RNN || node.layer is MultiHeadAttention || node.layer is Attention
                   || node.layer is AdditiveAttention || Self.maskUsingClasses.contains(node.layer.className)
           }) {
            throw PyTorchExportError.layer(layer, "a Keras mask reaches this nested model, and `\(user.name)` (\(user.layer.className)) inside would use it; the export does not pass masks into nested models")
        }
    }

    func andMasks(_ ms: [String?], inputs: [TensorRef], layer: any Layer) throws -> String {
        // Keras: an input without a mask counts as all-true.
        let present = ms.compactMap { $0 }
        if present.count == 1 { return present[0] }
        let v = newVariable()
        forwardLines.append("\(v) = \(present.joined(separator: " & "))  # mask of \(layer.name)")
        return v
    }

    static let maskPassThrough: Set<String> = [
        "Activation", "Dense", "Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "GaussianNoise",
        "GaussianDropout", "AlphaDropout", "ActivityRegularization", "Identity", "LeakyReLU", "PReLU", "ReLU", "ELU",
        "ThresholdedReLU", "BatchNormalization", "LayerNormalization", "GroupNormalization", "UnitNormalization",
        "Rescaling", "Normalization",
    ]
    static let maskMerge: Set<String> = ["Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum"]
    /// Classes Keras would apply a mask in and the export (like the engine) does not: a mask reaching one is refused.
    static let maskUsingClasses: Set<String> = ["Softmax", "GroupedQueryAttention", "Lambda", "ConvLSTM2D"]
}
