import KerasGraph
import TensorModule

extension PyTorchGraphEmitter {
    typealias P = PyTorchGraphEmitter

    /// The one input of `layer`'s call and its shape, or an error naming the layer.
    func singleInput(of layer: any Layer, _ inputs: [TensorRef]) throws -> (ref: TensorRef, shape: Shape) {
        guard inputs.count == 1, let v = values[inputs[0]] else {
            throw PyTorchExportError.layer(layer, "expected 1 input, got \(inputs.count)")
        }
        return (inputs[0], v.shape)
    }

    /// Emits one call of one layer.
    func emitLayer(_ layer: any Layer, call: Int, inputs: [TensorRef], outputShapes: [Shape],
                   nested: GraphAnalysis?) throws {
        let out = outputShapes.first ?? []
        func single() throws -> (ref: TensorRef, shape: Shape) { try singleInput(of: layer, inputs) }
        switch layer {
        // MARK: Identity at inference
        case is any InferenceIdentityLayer:
            alias(try single().ref, layer: layer, call: call)

        // MARK: Core
        case let l as Dense:
            let (ref, _) = try single()
            let kernel = try P.weight(l, 0, "kernel")
            let (inF, units) = (kernel.shape[0], kernel.shape[1])
            var tensors = [P.float("weight", try P.permuted(kernel, [1, 0]))]
            if l.useBias { tensors.append(P.float("bias", try P.weight(l, 1, "bias"))) }
            let a = module(l, "nn.Linear(\(inF), \(units), bias=\(l.useBias ? "True" : "False"))", tensors: tensors)
            let x = name(of: ref, in: .keras)
            bind(try activation(l.activation.function, "self.\(a)(\(x))", rank: out.count, layout: .keras, layer: l),
                 layer: l, call: call, shape: out, layout: .keras)

        case let l as ActivationLayer:
            let (ref, _) = try single()
            let (x, layout) = anyName(of: ref)
            if case .linear = l.activation.function {
                alias(ref, layer: l, call: call)
                return
            }
            bind(try activation(l.activation.function, x, rank: out.count, layout: layout, layer: l),
                 layer: l, call: call, shape: out, layout: layout)

        case let l as Embedding:
            let (ref, _) = try single()
            let table = try P.weight(l, 0, "embeddings")
            let a = module(l, "nn.Embedding(\(table.shape[0]), \(table.shape[1]))", tensors: [P.float("weight", table)])
            bind("self.\(a)(\(name(of: ref, in: .keras)).long())", layer: l, call: call, shape: out, layout: .keras)

        case let l as Flatten:
            let (ref, shape) = try single()
            let x = name(of: ref, in: .keras)
            if l.dataFormat == .channelsFirst && shape.count >= 3 {
                let permutation = [0] + Array(2..<shape.count) + [1]
                bind("\(x).permute(\(permutation.map(String.init).joined(separator: ", "))).flatten(1)",
                     layer: l, call: call, shape: out, layout: .keras)
            } else {
                bind("\(x).flatten(1)", layer: l, call: call, shape: out, layout: .keras)
            }

        case let l as Reshape:
            let (ref, _) = try single()
            bind("\(name(of: ref, in: .keras)).reshape((-1,) + \(P.tuple(l.targetShape)))", layer: l, call: call,
                 shape: out, layout: .keras)

        case let l as Permute:
            let (ref, _) = try single()
            bind("\(name(of: ref, in: .keras)).permute(0, \(l.dims.map(String.init).joined(separator: ", ")))",
                 layer: l, call: call, shape: out, layout: .keras)

        case let l as RepeatVector:
            let (ref, _) = try single()
            bind("\(name(of: ref, in: .keras)).unsqueeze(1).repeat(1, \(l.n), 1)", layer: l, call: call,
                 shape: out, layout: .keras)

        // MARK: Activation layers
        case let l as LeakyReLU:
            let (ref, _) = try single()
            let (x, layout) = anyName(of: ref)
            // Keras 1/2 fall back to plain relu for a zero slope (0 at -inf, where leaky_relu gives 0·-inf = NaN).
            let a = module(l, l.negativeSlope == 0 && l.reluWhenSlopeIsZero
                ? "nn.ReLU()" : "nn.LeakyReLU(negative_slope=\(P.py(l.negativeSlope)))")
            bind("self.\(a)(\(x))", layer: l, call: call, shape: out, layout: layout)

        case let l as ReLU:
            let (ref, _) = try single()
            let (x, layout) = anyName(of: ref)
            let constructor: String
            switch (l.negativeSlope, l.maxValue, l.threshold) {
            case (0, nil, 0): constructor = "nn.ReLU()"
            case (0, 6?, 0): constructor = "nn.ReLU6()"
            case (let s, nil, 0): constructor = "nn.LeakyReLU(negative_slope=\(P.py(s)))"
            default:
                context.helpers.insert(.kerasReLU)
                constructor = "KerasReLU(negative_slope=\(P.py(l.negativeSlope)), max_value=\(l.maxValue.map { P.py($0) } ?? "None"), threshold=\(P.py(l.threshold)))"
            }
            let a = module(l, constructor)
            bind("self.\(a)(\(x))", layer: l, call: call, shape: out, layout: layout)

        case let l as ThresholdedReLU:
            let (ref, _) = try single()
            let (x, layout) = anyName(of: ref)
            let a = module(l, "nn.Threshold(threshold=\(P.py(l.theta)), value=0.0)")
            bind("self.\(a)(\(x))", layer: l, call: call, shape: out, layout: layout)

        case let l as ELU:
            let (ref, _) = try single()
            let (x, layout) = anyName(of: ref)
            let a = module(l, "nn.ELU(alpha=\(P.py(l.alpha)))")
            bind("self.\(a)(\(x))", layer: l, call: call, shape: out, layout: layout)

        case let l as Softmax:
            let (ref, shape) = try single()
            let (x, layout) = anyName(of: ref)
            let axes = try l.axis.map { a -> Int in
                guard let n = normalized(a, rank: shape.count), n > 0 else {
                    throw PyTorchExportError.layer(l, "axis \(a) is out of range for input \(shape.kerasDescription)")
                }
                return physicalAxis(n, rank: shape.count, layout: layout)
            }
            if axes.count == 1 {
                bind("torch.softmax(\(x), dim=\(axes[0]))", layer: l, call: call, shape: out, layout: layout)
            } else {
                bind("torch.exp(\(x) - torch.logsumexp(\(x), dim=\(P.tuple(axes)), keepdim=True))", layer: l,
                     call: call, shape: out, layout: layout)
            }

        case let l as PReLU:
            try emitPReLU(l, call: call, input: try single(), out: out)

        // MARK: Normalization
        case let l as BatchNormalization:
            try emitBatchNorm(l, call: call, input: try single(), out: out)

        case let l as LayerNormalization:
            try emitLayerNorm(l, call: call, input: try single(), out: out)

        // MARK: Convolutions
        case is Conv1D, is Conv2D, is Conv3D, is DepthwiseConv1D, is DepthwiseConv2D, is SeparableConv1D, is SeparableConv2D:
            try emitConvolution(layer, call: call, input: try single(), out: out)
        case let l as any TransposedConvolutionGeometry:
            try emitTransposedConvolution(l, call: call, input: try single(), out: out)

        // MARK: Pooling
        case let l as MaxPooling1D:
            try emitPooling(l, max: true, poolSize: l.poolSize, strides: l.strides, padding: l.padding,
                            dataFormat: l.dataFormat, call: call, input: try single(), out: out)
        case let l as MaxPooling2D:
            try emitPooling(l, max: true, poolSize: l.poolSize, strides: l.strides, padding: l.padding,
                            dataFormat: l.dataFormat, call: call, input: try single(), out: out)
        case let l as AveragePooling1D:
            try emitPooling(l, max: false, poolSize: l.poolSize, strides: l.strides, padding: l.padding,
                            dataFormat: l.dataFormat, call: call, input: try single(), out: out)
        case let l as AveragePooling2D:
            try emitPooling(l, max: false, poolSize: l.poolSize, strides: l.strides, padding: l.padding,
                            dataFormat: l.dataFormat, call: call, input: try single(), out: out)
        case let l as GlobalAveragePooling1D:
            try emitGlobalPooling(l, max: false, dataFormat: l.dataFormat, keepDims: l.keepDims, call: call,
                                  input: try single(), out: out)
        case let l as GlobalAveragePooling2D:
            try emitGlobalPooling(l, max: false, dataFormat: l.dataFormat, keepDims: l.keepDims, call: call,
                                  input: try single(), out: out)
        case let l as GlobalMaxPooling1D:
            try emitGlobalPooling(l, max: true, dataFormat: l.dataFormat, keepDims: l.keepDims, call: call,
                                  input: try single(), out: out)
        case let l as GlobalMaxPooling2D:
            try emitGlobalPooling(l, max: true, dataFormat: l.dataFormat, keepDims: l.keepDims, call: call,
                                  input: try single(), out: out)

        // MARK: Padding, cropping, upsampling
        case let l as ZeroPadding1D:
            let (ref, shape) = try single()
            let axis = l.dataFormat == .channelsFirst ? 2 : 1
            try emitPad(l, call: call, ref: ref, rank: shape.count, pads: [axis: (l.padding[0], l.padding[1])], out: out)
        case let l as ZeroPadding2D:
            let (ref, shape) = try single()
            let axes = l.dataFormat == .channelsFirst ? (2, 3) : (1, 2)
            try emitPad(l, call: call, ref: ref, rank: shape.count,
                        pads: [axes.0: (l.padding[0][0], l.padding[0][1]), axes.1: (l.padding[1][0], l.padding[1][1])],
                        out: out)
        case let l as Cropping1D:
            let (ref, shape) = try single()
            emitCrop(l, call: call, ref: ref, rank: shape.count, crops: [1: (l.cropping[0], l.cropping[1])], out: out)
        case let l as Cropping2D:
            let (ref, shape) = try single()
            let axes = l.dataFormat == .channelsFirst ? (2, 3) : (1, 2)
            emitCrop(l, call: call, ref: ref, rank: shape.count,
                     crops: [axes.0: (l.cropping[0][0], l.cropping[0][1]), axes.1: (l.cropping[1][0], l.cropping[1][1])],
                     out: out)
        case let l as UpSampling1D:
            let (ref, shape) = try single()
            let (x, layout) = anyName(of: ref)
            bind("\(x).repeat_interleave(\(l.size), dim=\(physicalAxis(1, rank: shape.count, layout: layout)))",
                 layer: l, call: call, shape: out, layout: layout)
        case let l as UpSampling2D:
            try emitUpSampling2D(l, call: call, input: try single(), out: out)

        // MARK: Merging
        case let l as Add:
            try emitMerge(l, call: call, inputs: inputs, out: out) { $0.joined(separator: " + ") }
        case let l as Subtract:
            guard inputs.count == 2 else { throw PyTorchExportError.layer(l, "expected 2 inputs, got \(inputs.count)") }
            try emitMerge(l, call: call, inputs: inputs, out: out) { $0.joined(separator: " - ") }
        case let l as Multiply:
            try emitMerge(l, call: call, inputs: inputs, out: out) { $0.joined(separator: " * ") }
        case let l as Average:
            try emitMerge(l, call: call, inputs: inputs, out: out) { "(\($0.joined(separator: " + "))) / \($0.count)" }
        case let l as Maximum:
            try emitMerge(l, call: call, inputs: inputs, out: out) { names in
                names.dropFirst().reduce(names[0]) { "torch.maximum(\($0), \($1))" }
            }
        case let l as Minimum:
            try emitMerge(l, call: call, inputs: inputs, out: out) { names in
                names.dropFirst().reduce(names[0]) { "torch.minimum(\($0), \($1))" }
            }
        case let l as Concatenate:
            try emitConcatenate(l, call: call, inputs: inputs, out: out)
        case let l as Dot:
            guard inputs.count == 2, let a = values[inputs[0]], let b = values[inputs[1]] else {
                throw PyTorchExportError.layer(l, "expected 2 inputs, got \(inputs.count)")
            }
            let (x, y) = try l.resolvedAxes(a.shape, b.shape)
            context.helpers.insert(.keras_dot)
            bind("_keras_dot(\(name(of: inputs[0], in: .keras)), \(name(of: inputs[1], in: .keras)), \(x), \(y), \(l.normalize ? "True" : "False"))",
                 layer: l, call: call, shape: out, layout: .keras)

        // MARK: Models
        case let l as NestedModel:
            try emitNested(l, call: call, inputs: inputs, outputShapes: outputShapes, nested: nested)

        case let l as OpaqueLayer:
            throw PyTorchExportError.layer(l, "KerasPort does not support this layer class, so it cannot be exported to PyTorch")
        default:
            if try emitExtendedLayer(layer, call: call, inputs: inputs, outputShapes: outputShapes, nested: nested) {
                return
            }
            if try emitBreadth3Layer(layer, call: call, inputs: inputs, outputShapes: outputShapes, nested: nested) {
                return
            }
            throw PyTorchExportError.layer(layer, "no PyTorch mapping for this layer class yet")
        }
    }

    func normalized(_ axis: Int, rank: Int) -> Int? {
        let a = axis < 0 ? axis + rank : axis
        return (0..<rank).contains(a) ? a : nil
    }

    // MARK: - Activation functions

    /// The expression applying `function` to `x` (held in `layout`, Keras rank `rank`).
    func activation(_ function: ActivationFunction, _ x: String, rank: Int, layout: TensorLayout,
                    layer: any Layer) throws -> String {
        switch function {
        case .linear: return x
        case .relu: return "F.relu(\(x))"
        case .relu6: return "F.relu6(\(x))"
        case .leakyReLU(let slope): return "F.leaky_relu(\(x), negative_slope=\(P.py(slope)))"
        case .elu(let alpha): return "F.elu(\(x), alpha=\(P.py(alpha)))"
        case .selu: return "F.selu(\(x))"
        case .gelu(let approximate): return "F.gelu(\(x), approximate=\"\(approximate ? "tanh" : "none")\")"
        case .sigmoid: return "torch.sigmoid(\(x))"
        case .hardSigmoid(.keras2): return "torch.clamp(0.2 * \(x) + 0.5, 0.0, 1.0)"
        case .hardSigmoid(.keras3): return "F.hardsigmoid(\(x))"
        case .tanh: return "torch.tanh(\(x))"
        case .softmax(let axis):
            guard let a = normalized(axis, rank: rank), a > 0 else {
                throw PyTorchExportError.layer(layer, "softmax axis \(axis) is out of range for rank \(rank)")
            }
            return "torch.softmax(\(x), dim=\(physicalAxis(a, rank: rank, layout: layout)))"
        case .softplus: return "F.softplus(\(x))"
        case .softsign: return "F.softsign(\(x))"
        case .swish: return "F.silu(\(x))"
        case .exponential: return "torch.exp(\(x))"
        case .mish: return "F.mish(\(x))"
        case .hardSilu: return "F.hardswish(\(x))"
        case .celu(let alpha): return "F.celu(\(x), alpha=\(P.py(alpha)))"
        case .logSoftmax(let axis):
            guard let a = normalized(axis, rank: rank), a > 0 else {
                throw PyTorchExportError.layer(layer, "log_softmax axis \(axis) is out of range for rank \(rank)")
            }
            return "torch.log_softmax(\(x), dim=\(physicalAxis(a, rank: rank, layout: layout)))"
        case .hardShrink, .hardTanh, .logSigmoid, .softShrink, .sparsePlus, .sparseSigmoid, .squareplus, .tanhShrink,
             .sparsemax:
            return try keras3Activation(function, x, rank: rank, layout: layout, layer: layer)
        }
    }

    // MARK: - PReLU

    func emitPReLU(_ l: PReLU, call: Int, input: (ref: TensorRef, shape: Shape), out: Shape) throws {
        let alpha = try P.weight(l, 0, "alpha")
        let rank = input.shape.count
        let shape = alpha.shape
        let count = alpha.count
        if count == 1 {
            // One alpha for every element: nn.PReLU's single parameter, any layout.
            let (x, layout) = anyName(of: input.ref)
            let a = module(l, "nn.PReLU(num_parameters=1)", tensors: [P.float("weight", alpha, shape: [1])])
            bind("self.\(a)(\(x))", layer: l, call: call, shape: out, layout: layout)
            return
        }
        let lastOnly = shape.dropLast().allSatisfy { $0 == 1 }
        let firstOnly = shape.dropFirst().allSatisfy { $0 == 1 }
        if lastOnly && (rank == 2 || rank >= 3) {
            // Channel-wise over the last axis: nn.PReLU on the channels-first view.
            let c = shape.last!
            let a = module(l, "nn.PReLU(num_parameters=\(c))", tensors: [P.float("weight", alpha, shape: [c])])
            let x = name(of: input.ref, in: rank >= 3 ? .moved : .keras)
            bind("self.\(a)(\(x))", layer: l, call: call, shape: out, layout: rank >= 3 ? .moved : .keras)
        } else if firstOnly {
            // Channel-wise over axis 1 (a channels-first Keras tensor): nn.PReLU as is.
            let c = shape.first!
            let a = module(l, "nn.PReLU(num_parameters=\(c))", tensors: [P.float("weight", alpha, shape: [c])])
            bind("self.\(a)(\(name(of: input.ref, in: .keras)))", layer: l, call: call, shape: out, layout: .keras)
        } else {
            context.helpers.insert(.kerasPReLU)
            let a = module(l, "KerasPReLU(\(P.tuple(shape)))", tensors: [P.float("alpha", alpha)])
            bind("self.\(a)(\(name(of: input.ref, in: .keras)))", layer: l, call: call, shape: out, layout: .keras)
        }
    }

    // MARK: - Normalization

    /// The layout in which Keras axis `axis` of a rank-`rank` tensor sits at position 1, or `nil`.
    func channelAtOne(axis: Int, rank: Int) -> TensorLayout? {
        if axis == 1 { return .keras }
        if axis == rank - 1 && rank >= 3 { return .moved }
        return nil
    }

    func emitBatchNorm(_ l: BatchNormalization, call: Int, input: (ref: TensorRef, shape: Shape), out: Shape) throws {
        let rank = input.shape.count
        let axes = try l.normalizedAxes(rank: rank)
        guard axes.count == 1, let layout = channelAtOne(axis: axes[0], rank: rank), rank <= 5 else {
            throw PyTorchExportError.layer(l, "axis \(l.axis) on a rank-\(rank) input has no nn.BatchNorm form (it needs one channel axis)")
        }
        var index = 0
        func take(_ name: String) throws -> Tensor {
            defer { index += 1 }
            return try P.weight(l, index, name)
        }
        let gamma = l.scale ? try take("gamma") : nil
        let beta = l.center ? try take("beta") : nil
        let mean = try take("moving_mean"), variance = try take("moving_variance")
        let c = mean.count
        var tensors: [SafetensorsTensor] = []
        if let gamma { tensors.append(P.float("weight", gamma, shape: [c])) }
        if let beta { tensors.append(P.float("bias", beta, shape: [c])) }
        tensors += [P.float("running_mean", mean, shape: [c]), P.float("running_var", variance, shape: [c]),
                    SafetensorsTensor(name: "num_batches_tracked", shape: [], int64s: [0])]
        let constructor: String
        if l.scale && l.center {
            let kind = rank <= 3 ? "1d" : rank == 4 ? "2d" : "3d"
            constructor = "nn.BatchNorm\(kind)(\(c), eps=\(P.py(l.epsilon)))"
        } else {
            context.helpers.insert(.batchNormPartial)
            constructor = "BatchNormPartial(\(c), eps=\(P.py(l.epsilon)), scale=\(l.scale ? "True" : "False"), center=\(l.center ? "True" : "False"))"
        }
        let a = module(l, constructor, tensors: tensors)
        bind("self.\(a)(\(name(of: input.ref, in: layout)))", layer: l, call: call, shape: out, layout: layout)
    }

    func emitLayerNorm(_ l: LayerNormalization, call: Int, input: (ref: TensorRef, shape: Shape), out: Shape) throws {
        let rank = input.shape.count
        // Sorted: Keras reshapes gamma/beta (stored in the config's axis order) to the input's broadcast shape, so
        // their values are laid out in increasing axis order whatever order the config lists the axes in.
        let axes = try l.normalizedAxes(rank: rank).sorted()
        guard !axes.contains(0) else {
            throw PyTorchExportError.layer(l, "axis \(l.axis) includes the batch axis")
        }
        // nn.LayerNorm normalises trailing axes: other axes are moved to the end (in increasing order) and back.
        let trailing = Array((rank - axes.count)..<rank)
        let moved = axes != trailing
        let normalized = try axes.map { a -> Int in
            guard let d = input.shape[a] else { throw PyTorchExportError.layer(l, "normalised axis \(a) has unknown size") }
            return d
        }
        let hasGamma = l.scale || l.rmsScaling, hasBeta = l.center && !l.rmsScaling
        let gamma = hasGamma ? try P.weight(l, 0, "gamma") : nil
        let beta = hasBeta ? try P.weight(l, hasGamma ? 1 : 0, "beta") : nil
        var tensors: [SafetensorsTensor] = []
        if let gamma { tensors.append(P.float("weight", gamma, shape: normalized)) }
        if let beta { tensors.append(P.float("bias", beta, shape: normalized)) }
        let shape = P.list(normalized), eps = P.py(l.epsilon)
        let constructor: String
        if l.rmsScaling {
            // Keras 3's rms_scaling divides by the standard deviation (not the root mean square): no nn.RMSNorm.
            context.helpers.insert(.kerasRMSScaling)
            constructor = "KerasRMSScaling(\(shape), eps=\(eps))"
        } else if hasGamma {
            constructor = "nn.LayerNorm(\(shape), eps=\(eps), bias=\(hasBeta ? "True" : "False"))"
        } else if hasBeta {
            context.helpers.insert(.layerNormPartial)
            constructor = "LayerNormPartial(\(shape), eps=\(eps))"
        } else {
            constructor = "nn.LayerNorm(\(shape), eps=\(eps), elementwise_affine=False)"
        }
        let a = module(l, constructor, tensors: tensors)
        let x = name(of: input.ref, in: .keras)
        if moved {
            let (from, to) = (P.tuple(axes), P.tuple(trailing))
            bind("self.\(a)(\(x).movedim(\(from), \(to))).movedim(\(to), \(from))", layer: l, call: call, shape: out,
                 layout: .keras)
        } else {
            bind("self.\(a)(\(x))", layer: l, call: call, shape: out, layout: .keras)
        }
    }

    // MARK: - Merging

    /// Element-wise merges: in the inputs' common layout when all have the same shape and layout, else in Keras'.
    func emitMerge(_ l: any Layer, call: Int, inputs: [TensorRef], out: Shape,
                   _ combine: ([String]) -> String) throws {
        guard !inputs.isEmpty else { throw PyTorchExportError.layer(l, "no inputs") }
        let first = values[inputs[0]]!
        let same = inputs.allSatisfy { values[$0]!.shape == first.shape && values[$0]!.produced == first.produced }
        let layout = same ? first.produced : .keras
        bind(combine(inputs.map { name(of: $0, in: layout) }), layer: l, call: call, shape: out, layout: layout)
    }

    func emitConcatenate(_ l: Concatenate, call: Int, inputs: [TensorRef], out: Shape) throws {
        guard let first = inputs.first.flatMap({ values[$0] }) else { throw PyTorchExportError.layer(l, "no inputs") }
        let rank = first.shape.count
        guard let axis = normalized(l.axis, rank: rank), axis > 0 else {
            throw PyTorchExportError.layer(l, "axis \(l.axis) is out of range for rank \(rank)")
        }
        let same = inputs.allSatisfy { values[$0]!.shape.count == rank && values[$0]!.produced == first.produced }
        let layout = same ? first.produced : .keras
        let names = inputs.map { name(of: $0, in: layout) }
        bind("torch.cat([\(names.joined(separator: ", "))], dim=\(physicalAxis(axis, rank: rank, layout: layout)))",
             layer: l, call: call, shape: out, layout: layout)
    }

    // MARK: - Nested models

    func emitNested(_ l: NestedModel, call: Int, inputs: [TensorRef], outputShapes: [Shape],
                    nested: GraphAnalysis?) throws {
        let attribute: String
        if let a = attributes[l.name] {
            attribute = a
        } else {
            guard let nested else { throw PyTorchExportError.layer(l, "the nested model's shapes are unknown") }
            let a = identifier(l.name)
            attributes[l.name] = a
            let className = context.uniqueClassName("Nested_" + a)
            let inner = PyTorchGraphEmitter(graph: l.graph, analysis: nested, className: className,
                                            prefix: prefix + a + ".", context: context, channelsFirst: false)
            context.classes.append(try inner.emit())
            initLines.append("self.\(a) = \(className)()")
            attribute = a
        }
        let args = inputs.map { name(of: $0, in: .keras) }.joined(separator: ", ")
        if outputShapes.count == 1 {
            bind("self.\(attribute)(\(args))", layer: l, call: call, shape: outputShapes[0], layout: .keras)
        } else {
            let v = newVariable()
            forwardLines.append("\(v) = self.\(attribute)(\(args))  # \(l.name) (\(l.className))")
            for (i, s) in outputShapes.enumerated() {
                bind("\(v)[\(i)]", layer: l, call: call, tensor: i, shape: s, layout: .keras)
            }
        }
    }
}
