import KerasGraph
import TensorModule

extension PyTorchGraphEmitter {
    /// The layout in which a layer with `dataFormat` sees channels at position 1 and the spatial axes after it.
    func channelsFirstLayout(_ dataFormat: DataFormat) -> TensorLayout {
        dataFormat == .channelsFirst ? .keras : .moved
    }

    /// What the generated code does before a convolution: the symmetric `padding=` of the PyTorch module, and an
    /// expression wrapping the input (explicit TensorFlow padding), for Keras' `padding`.
    func convolutionPadding(_ layer: any Layer, padding: Padding, kernel: [Int], strides: [Int], dilation: [Int])
        throws -> (modulePadding: [Int], wrap: (String) -> String) {
        let spatial = kernel.count
        switch padding {
        case .valid:
            return (Array(repeating: 0, count: spatial), { $0 })
        case .causal:
            guard spatial == 1 else { throw PyTorchExportError.layer(layer, "causal padding is only valid for Conv1D") }
            let left = (kernel[0] - 1) * dilation[0]
            return ([0], { "F.pad(\($0), [\(left), 0])" })
        case .same:
            let totals = zip(kernel, dilation).map { ($0 - 1) * $1 }
            if strides.allSatisfy({ $0 == 1 }) && totals.allSatisfy({ $0 % 2 == 0 }) {
                return (totals.map { $0 / 2 }, { $0 })
            }
            if strides.allSatisfy({ $0 == 1 }) {
                // Stride 1: the padding does not depend on the input size; the odd pixel goes after.
                var flat: [Int] = []
                for t in totals.reversed() { flat += [t / 2, t - t / 2] }
                return (Array(repeating: 0, count: spatial), { "F.pad(\($0), \(P.list(flat)))" })
            }
            context.helpers.insert(.padSame)
            let (k, s, d) = (P.tuple(kernel), P.tuple(strides), P.tuple(dilation))
            return (Array(repeating: 0, count: spatial), { "_pad_same(\($0), \(k), \(s), \(d))" })
        }
    }

    func emitConvolution(_ layer: any Layer, call: Int, input: (ref: TensorRef, shape: Shape), out: Shape) throws {
        let rank = input.shape.count
        guard let g = layer as? any ConvolutionGeometry else { throw PyTorchExportError.layer(layer, "not a convolution") }
        let (kernelSize, strides, dilation, padding) = (g.kernelSize, g.strides, g.dilationRate, g.padding)
        let (dataFormat, activation, useBias) = (g.dataFormat, g.activation.function, g.useBias)
        let spatial = kernelSize.count
        guard rank == spatial + 2, strides.count == spatial, dilation.count == spatial else {
            throw PyTorchExportError.layer(layer, "expected a rank-\(spatial + 2) input with \(spatial) strides and dilations")
        }
        let (modulePadding, wrap) = try convolutionPadding(layer, padding: padding, kernel: kernelSize,
                                                            strides: strides, dilation: dilation)
        let options = "stride=\(P.tuple(strides)), padding=\(P.tuple(modulePadding)), dilation=\(P.tuple(dilation))"
        let conv = "nn.Conv\(spatial)d"
        let layout = channelsFirstLayout(dataFormat)
        var tensors: [SafetensorsTensor] = []
        let constructor: String
        switch layer {
        case let l as Conv1D:
            let kernel = try P.weight(l, 0, "kernel")  // (k, in/groups, out)
            let inPerGroup = kernel.shape[1]
            tensors.append(P.float("weight", try P.permuted(kernel, [2, 1, 0])))
            if useBias { tensors.append(P.float("bias", try P.weight(l, 1, "bias"))) }
            constructor = "\(conv)(\(inPerGroup * l.groups), \(l.filters), \(P.tuple(kernelSize)), \(options), groups=\(l.groups), bias=\(useBias ? "True" : "False"))"
        case let l as Conv2D:
            let kernel = try P.weight(l, 0, "kernel")  // (kh, kw, in/groups, out)
            let inPerGroup = kernel.shape[2]
            tensors.append(P.float("weight", try P.permuted(kernel, [3, 2, 0, 1])))
            if useBias { tensors.append(P.float("bias", try P.weight(l, 1, "bias"))) }
            constructor = "\(conv)(\(inPerGroup * l.groups), \(l.filters), \(P.tuple(kernelSize)), \(options), groups=\(l.groups), bias=\(useBias ? "True" : "False"))"
        case let l as DepthwiseConv2D:
            let kernel = try P.weight(l, 0, l.kernelWeightName)  // (kh, kw, in, multiplier)
            let (c, m) = (kernel.shape[2], kernel.shape[3])
            // Output channel c·m + k comes from input channel c: (in, m, kh, kw) → (in·m, 1, kh, kw).
            tensors.append(P.float("weight", try P.permuted(kernel, [2, 3, 0, 1]), shape: [c * m, 1] + kernelSize))
            if useBias { tensors.append(P.float("bias", try P.weight(l, 1, "bias"))) }
            constructor = "\(conv)(\(c), \(c * m), \(P.tuple(kernelSize)), \(options), groups=\(c), bias=\(useBias ? "True" : "False"))"
        case let l as SeparableConv2D:
            context.helpers.insert(.separableConv2d)
            let depthwise = try P.weight(l, 0, "depthwise_kernel")  // (kh, kw, in, multiplier)
            let pointwise = try P.weight(l, 1, "pointwise_kernel")  // (1, 1, in·multiplier, out)
            let (c, m) = (depthwise.shape[2], depthwise.shape[3])
            tensors.append(P.float("depthwise.weight", try P.permuted(depthwise, [2, 3, 0, 1]), shape: [c * m, 1] + kernelSize))
            tensors.append(P.float("pointwise.weight", try P.permuted(pointwise, [3, 2, 0, 1])))
            if useBias { tensors.append(P.float("pointwise.bias", try P.weight(l, 2, "bias"))) }
            constructor = "SeparableConv2d(\(c), \(l.filters), \(P.tuple(kernelSize)), depth_multiplier=\(m), \(options), bias=\(useBias ? "True" : "False"))"
        case let l as Conv3D:
            let kernel = try P.weight(l, 0, "kernel")  // (kd, kh, kw, in/groups, out)
            let inPerGroup = kernel.shape[3]
            tensors.append(P.float("weight", try P.permuted(kernel, [4, 3, 0, 1, 2])))
            if useBias { tensors.append(P.float("bias", try P.weight(l, 1, "bias"))) }
            constructor = "\(conv)(\(inPerGroup * l.groups), \(l.filters), \(P.tuple(kernelSize)), \(options), groups=\(l.groups), bias=\(useBias ? "True" : "False"))"
        case let l as DepthwiseConv1D:
            let kernel = try P.weight(l, 0, l.kernelWeightName)  // (k, in, multiplier)
            let (c, m) = (kernel.shape[1], kernel.shape[2])
            // Output channel c·m + k comes from input channel c: (in, m, k) → (in·m, 1, k).
            tensors.append(P.float("weight", try P.permuted(kernel, [1, 2, 0]), shape: [c * m, 1] + kernelSize))
            if useBias { tensors.append(P.float("bias", try P.weight(l, 1, "bias"))) }
            constructor = "\(conv)(\(c), \(c * m), \(P.tuple(kernelSize)), \(options), groups=\(c), bias=\(useBias ? "True" : "False"))"
        case let l as SeparableConv1D:
            context.helpers.insert(.separableConv1d)
            let depthwise = try P.weight(l, 0, "depthwise_kernel")  // (k, in, multiplier)
            let pointwise = try P.weight(l, 1, "pointwise_kernel")  // (1, in·multiplier, out)
            let (c, m) = (depthwise.shape[1], depthwise.shape[2])
            tensors.append(P.float("depthwise.weight", try P.permuted(depthwise, [1, 2, 0]), shape: [c * m, 1] + kernelSize))
            tensors.append(P.float("pointwise.weight", try P.permuted(pointwise, [2, 1, 0])))
            if useBias { tensors.append(P.float("pointwise.bias", try P.weight(l, 2, "bias"))) }
            constructor = "SeparableConv1d(\(c), \(l.filters), \(P.tuple(kernelSize)), depth_multiplier=\(m), \(options), bias=\(useBias ? "True" : "False"))"
        default:
            throw PyTorchExportError.layer(layer, "not a convolution")
        }
        let a = module(layer, constructor, tensors: tensors)
        let x = wrap(name(of: input.ref, in: layout))
        bind(try self.activation(activation, "self.\(a)(\(x))", rank: out.count, layout: layout, layer: layer),
             layer: layer, call: call, shape: out, layout: layout)
    }

    /// Conv1DTranspose / Conv2DTranspose / Conv3DTranspose → `nn.ConvTranspose{1,2,3}d` run through
    /// `_conv_transpose`, which asks PyTorch for the full output and crops Keras' window (its output length and
    /// TensorFlow's placement of the `same` padding and of `output_padding`).
    func emitTransposedConvolution(_ layer: any TransposedConvolutionGeometry, call: Int,
                                   input: (ref: TensorRef, shape: Shape), out: Shape) throws {
        let (kernelSize, strides, dilation, padding) = (layer.kernelSize, layer.strides, layer.dilationRate, layer.padding)
        let (outputPadding, dataFormat, activation, useBias) =
            (layer.outputPadding, layer.dataFormat, layer.activation.function, layer.useBias)
        let spatial = kernelSize.count
        guard input.shape.count == spatial + 2, strides.count == spatial, dilation.count == spatial else {
            throw PyTorchExportError.layer(layer, "expected a rank-\(spatial + 2) input with \(spatial) strides and dilations")
        }
        guard padding != .causal else { throw PyTorchExportError.layer(layer, "causal padding is not valid here") }
        let kernel = try P.weight(layer, 0, "kernel")  // (k…, out, in)
        let (filters, channels) = (kernel.shape[spatial], kernel.shape[spatial + 1])
        // (k…, out, in) → (in, out, k…)
        var tensors = [P.float("weight", try P.permuted(kernel, [spatial + 1, spatial] + Array(0..<spatial)))]
        if useBias { tensors.append(P.float("bias", try P.weight(layer, 1, "bias"))) }
        let a = module(layer, "nn.ConvTranspose\(spatial)d(\(channels), \(filters), \(P.tuple(kernelSize)), stride=\(P.tuple(strides)), dilation=\(P.tuple(dilation)), bias=\(useBias ? "True" : "False"))",
                       tensors: tensors)
        context.helpers.insert(.convTranspose)
        let layout = channelsFirstLayout(dataFormat)
        let x = name(of: input.ref, in: layout)
        let expression = "_conv_transpose(self.\(a), \(x), \(P.tuple(kernelSize)), \(P.tuple(strides)), \(P.tuple(dilation)), \(padding == .same ? "True" : "False"), \(outputPadding.map { P.tuple($0) } ?? "None"))"
        bind(try self.activation(activation, expression, rank: spatial + 2, layout: layout, layer: layer),
             layer: layer, call: call, shape: out, layout: layout)
    }

    // MARK: - Pooling

    func emitPooling(_ l: any Layer, max: Bool, poolSize: [Int], strides: [Int], padding: Padding,
                     dataFormat: DataFormat, call: Int, input: (ref: TensorRef, shape: Shape), out: Shape) throws {
        let spatial = poolSize.count
        guard input.shape.count == spatial + 2, strides.count == spatial else {
            throw PyTorchExportError.layer(l, "expected a rank-\(spatial + 2) input")
        }
        let layout = channelsFirstLayout(dataFormat)
        let x = name(of: input.ref, in: layout)
        let (k, s) = (P.tuple(poolSize), P.tuple(strides))
        let expression: String
        switch padding {
        case .valid:
            expression = "F.\(max ? "max" : "avg")_pool\(spatial)d(\(x), \(k), \(s))"
        case .same:
            context.helpers.insert(max ? .maxPoolSame : .avgPoolSame)
            expression = "_\(max ? "max" : "avg")_pool_same(\(x), \(k), \(s))"
        case .causal:
            throw PyTorchExportError.layer(l, "causal padding is not valid for pooling")
        }
        bind(expression, layer: l, call: call, shape: out, layout: layout)
    }

    func emitGlobalPooling(_ l: any Layer, max: Bool, dataFormat: DataFormat, keepDims: Bool, call: Int,
                           input: (ref: TensorRef, shape: Shape), out: Shape) throws {
        let rank = input.shape.count
        guard rank >= 3 else { throw PyTorchExportError.layer(l, "expected a rank ≥ 3 input") }
        let (x, layout) = anyName(of: input.ref)
        let kerasAxes = dataFormat == .channelsFirst ? Array(2..<rank) : Array(1..<(rank - 1))
        let axes = kerasAxes.map { physicalAxis($0, rank: rank, layout: layout) }
        let op = max ? "amax" : "mean"
        bind("\(x).\(op)(dim=\(P.tuple(axes)), keepdim=\(keepDims ? "True" : "False"))", layer: l, call: call,
             shape: out, layout: keepDims ? layout : .keras)
    }

    // MARK: - Padding, cropping, upsampling

    func emitPad(_ l: any Layer, call: Int, ref: TensorRef, rank: Int, pads: [Int: (Int, Int)], out: Shape) throws {
        let (x, layout) = anyName(of: ref)
        var physical: [Int: (Int, Int)] = [:]
        for (axis, p) in pads { physical[physicalAxis(axis, rank: rank, layout: layout)] = p }
        let lowest = physical.keys.min() ?? rank - 1
        var flat: [Int] = []
        for axis in stride(from: rank - 1, through: lowest, by: -1) {
            let p = physical[axis] ?? (0, 0)
            flat += [p.0, p.1]
        }
        bind("F.pad(\(x), \(P.list(flat)))", layer: l, call: call, shape: out, layout: layout)
    }

    func emitCrop(_ l: any Layer, call: Int, ref: TensorRef, rank: Int, crops: [Int: (Int, Int)], out: Shape) {
        let (x, layout) = anyName(of: ref)
        var physical: [Int: (Int, Int)] = [:]
        for (axis, c) in crops { physical[physicalAxis(axis, rank: rank, layout: layout)] = c }
        let highest = physical.keys.max() ?? 0
        let slices = (0...highest).map { axis -> String in
            guard let (a, b) = physical[axis] else { return ":" }
            return "\(a):\(b == 0 ? "" : String(-b))"
        }
        bind("\(x)[\(slices.joined(separator: ", "))]", layer: l, call: call, shape: out, layout: layout)
    }

    func emitUpSampling2D(_ l: UpSampling2D, call: Int, input: (ref: TensorRef, shape: Shape), out: Shape) throws {
        guard input.shape.count == 4 else { throw PyTorchExportError.layer(l, "expected a rank-4 input") }
        let layout = channelsFirstLayout(l.dataFormat)
        let x = name(of: input.ref, in: layout)
        switch l.interpolation {
        case .nearest:
            bind("\(x).repeat_interleave(\(l.size[0]), dim=2).repeat_interleave(\(l.size[1]), dim=3)", layer: l,
                 call: call, shape: out, layout: layout)
        case .bilinear:
            // TensorFlow's resize (half-pixel centres, no antialiasing) is PyTorch's align_corners=False.
            bind("F.interpolate(\(x), scale_factor=(\(l.size[0]).0, \(l.size[1]).0), mode=\"bilinear\", align_corners=False)",
                 layer: l, call: call, shape: out, layout: layout)
        default:
            throw PyTorchExportError.layer(l, "interpolation `\(l.interpolation.rawValue)` has no exported form (nearest and bilinear do)")
        }
    }
}
