import KerasGraph
import TensorModule

// Preprocessing, scaling and normalization layers without a first-round mapping.

extension PyTorchGraphEmitter {
    /// A Python float32 tensor literal of `values`.
    static func floatTensor(_ values: [Float]) -> String {
        "torch.tensor([" + values.map { py($0) }.joined(separator: ", ") + "], dtype=torch.float32)"
    }

    /// `x · scale + offset` (each rounded to float32, as Keras casts both); a list broadcasts over the last axis.
    func emitRescaling(_ l: Rescaling, call: Int, input: (ref: TensorRef, shape: Shape), out: Shape) throws {
        let scale = l.scale.floats, offset = l.offset.floats
        let scalars = scale.count == 1 && offset.count == 1
        let (x, layout) = scalars ? anyName(of: input.ref) : (name(of: input.ref, in: .keras), .keras)
        func literal(_ v: [Float]) -> String { v.count == 1 ? P.py(v[0]) : P.floatTensor(v) }
        var e = "\(x) * \(literal(scale))"
        if offset.contains(where: { $0 != 0 }) { e += " + \(literal(offset))" }
        bind(e, layer: l, call: call, shape: out, layout: layout)
    }

    /// `(x − mean) / max(√variance, 1e-7)` (or `invert`: `mean + x · max(√variance, 1e-7)`); the statistics are
    /// buffers `mean` and `variance` in the shape they broadcast in (Keras' `count` is not needed).
    func emitNormalization(_ l: Normalization, call: Int, input: (ref: TensorRef, shape: Shape), out: Shape) throws {
        let rank = input.shape.count
        let kept = try l.keptAxes(rank: rank)
        let statShape = try l.statisticsShape(input.shape)
        let count = statShape.reduce(1, *)
        var mean: [Float], variance: [Float]
        if let m = l.configMean, let v = l.configVariance {
            (mean, variance) = (m.floats, v.floats)
        } else {
            mean = try P.weight(l, 0, "mean").scalars
            variance = try P.weight(l, 1, "variance").scalars
        }
        if mean.count == 1 { mean = [Float](repeating: mean[0], count: count) }
        if variance.count == 1 { variance = [Float](repeating: variance[0], count: count) }
        guard mean.count == count, variance.count == count else {
            throw PyTorchExportError.layer(l, "mean/variance hold \(mean.count)/\(variance.count) values, the kept axes \(statShape) need \(count)")
        }
        var broadcast = [Int](repeating: 1, count: rank)
        for (a, n) in zip(kept, statShape) { broadcast[a] = n }
        context.helpers.insert(.kerasNormalization)
        let a = module(l, "KerasNormalization(\(P.tuple(broadcast)), invert=\(l.invert ? "True" : "False"))",
                       tensors: [SafetensorsTensor(name: "mean", shape: broadcast, floats: mean),
                                 SafetensorsTensor(name: "variance", shape: broadcast, floats: variance)])
        bind("self.\(a)(\(name(of: input.ref, in: .keras)))", layer: l, call: call, shape: out, layout: .keras)
    }

    /// The central window; an image smaller than the target is resized as Keras' `smart_resize` does.
    func emitCenterCrop(_ l: CenterCrop, call: Int, input: (ref: TensorRef, shape: Shape), out: Shape) throws {
        guard input.shape.count == 4 else { throw PyTorchExportError.layer(l, "expected a rank-4 input") }
        let layout = channelsFirstLayout(l.dataFormat)
        let x = name(of: input.ref, in: layout)
        context.helpers.insert(.kerasResize)
        bind("_keras_center_crop(\(x), \(l.height), \(l.width))", layer: l, call: call, shape: out, layout: layout)
    }

    /// `tf.image.resize`: bilinear with half-pixel centres is `F.interpolate(mode="bilinear", align_corners=False,
    /// antialias=False)`, nearest with half-pixel centres is `mode="nearest-exact"`.
    func emitResizing(_ l: Resizing, call: Int, input: (ref: TensorRef, shape: Shape), out: Shape) throws {
        guard input.shape.count == 4 else { throw PyTorchExportError.layer(l, "expected a rank-4 input") }
        let mode: String
        switch l.interpolation {
        case .bilinear:
            guard !l.antialias else { throw PyTorchExportError.layer(l, "`antialias=True` has no exported form") }
            mode = "bilinear"
        case .nearest: mode = "nearest-exact"
        default:
            throw PyTorchExportError.layer(l, "interpolation `\(l.interpolation.rawValue)` has no exported form (bilinear and nearest do)")
        }
        guard !l.padToAspectRatio else { throw PyTorchExportError.layer(l, "`pad_to_aspect_ratio=True` has no exported form") }
        let layout = channelsFirstLayout(l.dataFormat)
        let x = name(of: input.ref, in: layout)
        context.helpers.insert(.kerasResize)
        bind("_keras_resize(\(x), \(l.height), \(l.width), \"\(mode)\", \(l.cropToAspectRatio ? "True" : "False"))",
             layer: l, call: call, shape: out, layout: layout)
    }

    /// TensorFlow's `Bucketize` as a float: the number of boundaries `b` with `!(x < b)` (NaN in the last bucket).
    func emitDiscretization(_ l: Discretization, call: Int, input: (ref: TensorRef, shape: Shape), out: Shape) throws {
        guard l.outputMode == "int" else {
            throw PyTorchExportError.layer(l, "`output_mode` `\(l.outputMode)` has no exported form (only `int`)")
        }
        guard let boundaries = l.binBoundaries else {
            throw PyTorchExportError.layer(l, "`bin_boundaries` is null (the layer was never adapted)")
        }
        let (x, layout) = anyName(of: input.ref)
        let b = P.floatTensor(boundaries.map { Float($0) })
        bind("(~(\(x).unsqueeze(-1) < \(b))).sum(dim=-1).to(torch.float32)", layer: l, call: call, shape: out,
             layout: layout)
    }

    /// `x · gamma` over the last axis: a module with parameter `gamma`.
    func emitLayerScale(_ l: LayerScale, call: Int, input: (ref: TensorRef, shape: Shape), out: Shape) throws {
        let gamma = try P.weight(l, 0, "gamma")
        context.helpers.insert(.layerScale)
        let a = module(l, "LayerScale(\(gamma.count))", tensors: [P.float("gamma", gamma, shape: [gamma.count])])
        bind("self.\(a)(\(name(of: input.ref, in: .keras)))", layer: l, call: call, shape: out, layout: .keras)
    }

    /// `inputs[0] + inputs[1] · scale`.
    func emitCustomScale(_ l: CustomScaleLayer, call: Int, inputs: [TensorRef], out: Shape) throws {
        guard inputs.count == 2 else { throw PyTorchExportError.layer(l, "expected 2 inputs, got \(inputs.count)") }
        let scale = P.py(Float(l.scale))
        try emitMerge(l, call: call, inputs: inputs, out: out) { "\($0[0]) + \($0[1]) * \(scale)" }
    }

    /// `x · any(x ≠ mask_value, axis=-1)` (the mask itself is tracked by `propagateMasks`).
    func emitMasking(_ l: Masking, call: Int, input: (ref: TensorRef, shape: Shape), out: Shape) throws {
        let x = name(of: input.ref, in: .keras)
        let v = P.py(Float(l.maskValue))
        bind("\(x) * (\(x) != \(v)).any(dim=-1, keepdim=True).to(\(x).dtype)", layer: l, call: call, shape: out,
             layout: .keras)
    }

    /// `x · rsqrt(Σx²)` over the axes with the tiny-norm bound of the Keras that wrote the file.
    func emitUnitNormalization(_ l: UnitNormalization, call: Int, input: (ref: TensorRef, shape: Shape), out: Shape) throws {
        let rank = input.shape.count
        let (x, layout) = anyName(of: input.ref)
        let axes = try l.normalizedAxes(rank: rank).map { physicalAxis($0, rank: rank, layout: layout) }
        let sum = "(\(x) * \(x)).sum(dim=\(P.tuple(axes)), keepdim=True)"
        let e: String
        switch l.tinyNormBound {
        case .keras3: e = "\(x) * torch.clamp(torch.rsqrt(\(sum)), max=1e12)"
        case .keras2: e = "\(x) * torch.rsqrt(torch.clamp(\(sum), min=1e-12))"
        }
        bind(e, layer: l, call: call, shape: out, layout: layout)
    }

    /// `nn.GroupNorm` on the channels-first view (channels at position 1), `eps` Keras'.
    func emitGroupNormalization(_ l: GroupNormalization, call: Int, input: (ref: TensorRef, shape: Shape), out: Shape) throws {
        let rank = input.shape.count
        let c = try l.channels(input.shape)
        guard let axis = normalized(l.axis, rank: rank), axis > 0 else {
            throw PyTorchExportError.layer(l, "axis \(l.axis) is out of range or the batch axis for a rank-\(rank) input")
        }
        // nn.GroupNorm takes channels at position 1: another axis is moved there and back.
        let layout = channelAtOne(axis: axis, rank: rank)
        var tensors: [SafetensorsTensor] = []
        var index = 0
        if l.scale { tensors.append(P.float("weight", try P.weight(l, index, "gamma"), shape: [c])); index += 1 }
        if l.center { tensors.append(P.float("bias", try P.weight(l, index, "beta"), shape: [c])) }
        let constructor: String
        if l.scale == l.center {
            constructor = "nn.GroupNorm(\(l.groups), \(c), eps=\(P.py(l.epsilon)), affine=\(l.scale ? "True" : "False"))"
        } else {
            context.helpers.insert(.groupNormPartial)
            constructor = "GroupNormPartial(\(l.groups), \(c), eps=\(P.py(l.epsilon)), scale=\(l.scale ? "True" : "False"), center=\(l.center ? "True" : "False"))"
        }
        let a = module(l, constructor, tensors: tensors)
        if let layout {
            bind("self.\(a)(\(name(of: input.ref, in: layout)))", layer: l, call: call, shape: out, layout: layout)
        } else {
            bind("self.\(a)(\(name(of: input.ref, in: .keras)).movedim(\(axis), 1)).movedim(1, \(axis))", layer: l,
                 call: call, shape: out, layout: .keras)
        }
    }

    /// Keras' masked GlobalAveragePooling1D: `Σ x·mask / Σ mask` over the steps.
    func emitMaskedAveragePooling1D(_ l: GlobalAveragePooling1D, call: Int, input: TensorRef, mask: String, out: Shape) throws {
        let x = name(of: input, in: .keras)
        let channelsFirst = l.dataFormat == .channelsFirst
        let m = channelsFirst ? "\(mask).unsqueeze(1).to(\(x).dtype)" : "\(mask).unsqueeze(-1).to(\(x).dtype)"
        let dim = channelsFirst ? 2 : 1
        bind("(\(x) * \(m)).sum(dim=\(dim), keepdim=\(l.keepDims ? "True" : "False")) / \(m).sum(dim=\(dim), keepdim=\(l.keepDims ? "True" : "False"))",
             layer: l, call: call, shape: out, layout: .keras)
    }
}
