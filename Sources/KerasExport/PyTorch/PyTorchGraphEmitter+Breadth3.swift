import KerasGraph
import TensorModule

// The third-round classes (RMSNormalization, adaptive pooling, SpectralNormalization, RandomCrop, AutoContrast,
// ReversibleEmbedding, Pipeline), following the engine's `KerasInference/Layers/*+Inference.swift`.

extension PyTorchGraphEmitter {
    /// Emits one call of a third-round class; `false` when the class has no mapping here.
    func emitBreadth3Layer(_ layer: any Layer, call: Int, inputs: [TensorRef], outputShapes: [Shape],
                           nested: GraphAnalysis?) throws -> Bool {
        let out = outputShapes.first ?? []
        func single() throws -> (ref: TensorRef, shape: Shape) { try singleInput(of: layer, inputs) }
        switch layer {
        case let l as RMSNormalization: try emitRMSNormalization(l, call: call, input: try single(), out: out)
        case let l as AdaptivePooling: try emitAdaptivePooling(l, call: call, input: try single(), out: out)
        case let l as SpectralNormalization:
            // At inference both Keras versions call the wrapped layer with its stored kernel.
            try emitLayer(l.layer, call: call, inputs: inputs, outputShapes: outputShapes, nested: nested)
            for i in outputShapes.indices {
                values[TensorRef(layer: l.name, node: call, tensor: i)] =
                    values[TensorRef(layer: l.layer.name, node: call, tensor: i)]
            }
        case let l as RandomCrop:
            let input = try single()
            guard l.semantics == .keras2 else {
                // Keras 3 returns its input unchanged at inference.
                alias(input.ref, layer: l, call: call)
                return true
            }
            guard l.dataFormat ?? .channelsLast == .channelsLast, input.shape.count == 4 else {
                throw PyTorchExportError.layer(l, "tf_keras' RandomCrop is mapped for channels-last images [batch, height, width, channels] only")
            }
            // tf_keras: smart_resize, i.e. Resizing(crop_to_aspect_ratio=True), bilinear.
            let x = name(of: input.ref, in: .moved)
            context.helpers.insert(.kerasResize)
            bind("_keras_resize(\(x), \(l.height), \(l.width), \"bilinear\", True)", layer: l, call: call, shape: out,
                 layout: .moved)
        case let l as AutoContrast:
            let input = try single()
            guard input.shape.count == 4 else { throw PyTorchExportError.layer(l, "expected a rank-4 input") }
            guard l.valueRange.count == 2 else { throw PyTorchExportError.layer(l, "`value_range` must have two values") }
            // Keras reduces over axes 1 and 2 whatever `data_format` says: computed in Keras' layout.
            let x = name(of: input.ref, in: .keras)
            context.helpers.insert(.kerasAutoContrast)
            bind("_keras_auto_contrast(\(x), \(P.py(l.valueRange[0])), \(P.py(l.valueRange[1])))", layer: l,
                 call: call, shape: out, layout: .keras)
        case let l as ReversibleEmbedding: try emitReversibleEmbedding(l, call: call, input: try single(), out: out)
        case let l as Pipeline: try emitPipeline(l, call: call, input: try single(), out: out)
        case let l as LocallyConnected: try emitLocallyConnected(l, call: call, input: try single(), out: out)
        case let l as STFTSpectrogram: try emitSTFTSpectrogram(l, call: call, input: try single(), out: out)
        default:
            return false
        }
        return true
    }

    /// `x · rsqrt(mean(x², axes) + epsilon) · scale` over the input's trailing axes (as the engine requires).
    func emitRMSNormalization(_ l: RMSNormalization, call: Int, input: (ref: TensorRef, shape: Shape), out: Shape) throws {
        let rank = input.shape.count
        let axes = try l.normalizedAxes(rank: rank)
        guard axes == Array((rank - axes.count)..<rank) else {
            throw PyTorchExportError.layer(l, "`axis` \(l.axis) must be the input's last axes (Keras multiplies by `scale` broadcast from the right)")
        }
        let scale = try P.weight(l, 0, "scale")
        let a = parameterModule(l, [("scale", scale)])
        let x = name(of: input.ref, in: .keras)
        bind("\(x) * torch.rsqrt(\(x).square().mean(dim=\(P.tuple(axes)), keepdim=True) + \(P.py(l.epsilon))) * self.\(a).scale",
             layer: l, call: call, shape: out, layout: .keras)
    }

    /// Keras 3's bins are PyTorch's (`floor(i·L/n)` to `ceil((i+1)·L/n)`): `F.adaptive_{avg,max}_pool{1,2,3}d`.
    func emitAdaptivePooling(_ l: AdaptivePooling, call: Int, input: (ref: TensorRef, shape: Shape), out: Shape) throws {
        guard (1...3).contains(l.rank), input.shape.count == l.rank + 2, l.outputSize.count == l.rank else {
            throw PyTorchExportError.layer(l, "expected a rank-\(l.rank + 2) input and \(l.rank) output sizes")
        }
        let layout = channelsFirstLayout(l.dataFormat)
        let x = name(of: input.ref, in: layout)
        let function = l.kind == .max ? "adaptive_max_pool" : "adaptive_avg_pool"
        bind("F.\(function)\(l.rank)d(\(x), \(P.tuple(l.outputSize)))", layer: l, call: call, shape: out, layout: layout)
    }

    /// Lookup: `nn.Embedding`. Reverse: `x · embeddingsᵀ` (or `x · reverse_embeddings`), soft-capped when asked.
    func emitReversibleEmbedding(_ l: ReversibleEmbedding, call: Int, input: (ref: TensorRef, shape: Shape), out: Shape) throws {
        guard !l.embedding.maskZero else { throw PyTorchExportError.layer(l, "`mask_zero=True` has no exported form") }
        if let dtype = l.reverseDtype, dtype != "float32" {
            throw PyTorchExportError.layer(l, "`reverse_dtype` `\(dtype)` has no exported form (float32 does)")
        }
        var params = [("embeddings", try P.weight(l, 0, "embeddings"))]
        if !l.tieWeights { params.append(("reverse_embeddings", try P.weight(l, 1, "reverse_embeddings"))) }
        let a = parameterModule(l, params)
        let x = name(of: input.ref, in: .keras)
        let reverse = call < l.callModes.count ? l.callModes[call] : l.reverse
        guard reverse else {
            bind("F.embedding(\(x).long(), self.\(a).embeddings)", layer: l, call: call, shape: out, layout: .keras)
            return
        }
        var logits = l.tieWeights ? "torch.matmul(\(x), self.\(a).embeddings.t())"
                                  : "torch.matmul(\(x), self.\(a).reverse_embeddings)"
        if let cap = l.logitSoftCap {
            logits = "torch.tanh(\(logits) / \(P.py(cap))) * \(P.py(cap))"
        }
        bind(logits, layer: l, call: call, shape: out, layout: .keras)
    }

    /// Each stage in order (the stages are weightless); stage layers are renamed `<pipeline>/<stage>` so that they
    /// cannot meet the model's own layer names.
    func emitPipeline(_ l: Pipeline, call: Int, input: (ref: TensorRef, shape: Shape), out: Shape) throws {
        let shapes = try l.stageShapes(inputShapes: [input.shape])
        var ref = input.ref
        for (i, stage) in l.layers.enumerated() {
            var renamed = stage
            renamed.common.name = l.name + "/" + stage.name
            try emitLayer(renamed, call: call, inputs: [ref], outputShapes: [shapes[i + 1]], nested: nil)
            ref = TensorRef(layer: renamed.name, node: call, tensor: 0)
            guard values[ref] != nil else { throw PyTorchExportError.layer(l, "stage `\(stage.name)` gave no output") }
        }
        if l.layers.isEmpty {
            alias(input.ref, layer: l, call: call)
        } else {
            values[TensorRef(layer: l.name, node: call, tensor: 0)] = values[ref]
        }
    }

    /// tf_keras' LocallyConnected1D/2D (any of its three kernel layouts, re-laid-out as the engine does) as one
    /// `nn.Linear` over the flattened channels-last input whose weight is zero outside each output position's window.
    func emitLocallyConnected(_ l: LocallyConnected, call: Int, input: (ref: TensorRef, shape: Shape), out: Shape) throws {
        guard l.dataFormat == .channelsLast else {
            throw PyTorchExportError.layer(l, "`data_format=\"channels_first\"` has no exported form")
        }
        let (spatial, channels, output) = try l.geometry(input.shape)
        let windows = (0..<l.rank).map { axis in
            (0..<output[axis]).map { l.window(axis: axis, output: $0, inputLength: spatial[axis]) }
        }
        let layout: Ops.LocalKernelLayout = l.implementation == 1 ? .perPosition : l.implementation == 2 ? .maskedDense : .sparseEntries
        let packed = try Ops.LocalWeights(kernel: try P.weight(l, 0, "kernel"), layout: layout, inputSpatial: spatial,
                                          inChannels: channels, filters: l.filters, windows: windows)
        let f = l.filters
        let inFeatures = spatial.reduce(1, *) * channels, outFeatures = packed.positions.count * f
        // nn.Linear's weight [out, in]: row o·f + j, column i·channels + c.
        var weight = [Float](repeating: 0, count: inFeatures * outFeatures)
        for (o, positions) in packed.positions.enumerated() {
            for (p, i) in positions.enumerated() {
                for c in 0..<channels {
                    let src = packed.offsets[o] + (p * channels + c) * f
                    for j in 0..<f { weight[(o * f + j) * inFeatures + i * channels + c] = packed.values[src + j] }
                }
            }
        }
        var tensors = [SafetensorsTensor(name: "weight", shape: [outFeatures, inFeatures], floats: weight)]
        if l.useBias {
            let bias = try P.weight(l, 1, "bias")
            guard bias.count == outFeatures else {
                throw PyTorchExportError.layer(l, "bias \(bias.shape) must hold \(outFeatures) values")
            }
            tensors.append(P.float("bias", bias, shape: [outFeatures]))
        }
        let a = module(l, "nn.Linear(\(inFeatures), \(outFeatures), bias=\(l.useBias ? "True" : "False"))", tensors: tensors)
        let x = name(of: input.ref, in: .keras)
        let y = "self.\(a)(\(x).flatten(1)).reshape((-1,) + \(P.tuple(output + [f])))"
        bind(try activation(l.activation.function, y, rank: out.count, layout: .keras, layer: l), layer: l, call: call,
             shape: out, layout: .keras)
    }

    /// Keras 3's STFTSpectrogram: its stored DFT kernels as `F.conv1d` over each channel's signal (TensorFlow `same`
    /// padding when asked), then the mode's combination, laid out as Keras does (channels last only, as the engine).
    func emitSTFTSpectrogram(_ l: STFTSpectrogram, call: Int, input: (ref: TensorRef, shape: Shape), out: Shape) throws {
        guard l.dataFormat == .channelsLast else {
            throw PyTorchExportError.layer(l, "`data_format=\"channels_first\"` has no exported form")
        }
        let modes = ["log", "magnitude", "psd", "real", "imag", "stft", "angle"]
        guard modes.contains(l.mode) else { throw PyTorchExportError.layer(l, "`mode` `\(l.mode)` has no exported form") }
        guard input.shape.count == 3 else { throw PyTorchExportError.layer(l, "expected input [batch, time, channels]") }
        guard l.padding == .valid || l.padding == .same else {
            throw PyTorchExportError.layer(l, "padding `\(l.padding)` has no exported form")
        }
        var params: [(String, Tensor)] = []
        var next = 0
        for (kernel, used) in [("real_kernel", l.mode != "imag"), ("imag_kernel", l.mode != "real")] where used {
            let k = try P.weight(l, next, kernel)
            guard k.rank == 3, k.shape[1] == 1 else {
                throw PyTorchExportError.layer(l, "`\(kernel)` \(k.shape) must be [frame, 1, bins]")
            }
            params.append((kernel, try P.permuted(k, [2, 1, 0])))  // (frame, 1, bins) → conv1d's (bins, 1, frame)
            next += 1
        }
        let a = parameterModule(l, params)
        let x = name(of: input.ref, in: .keras)
        let real = l.mode == "imag" ? "None" : "self.\(a).real_kernel"
        let imag = l.mode == "real" ? "None" : "self.\(a).imag_kernel"
        context.helpers.insert(.kerasSTFT)
        context.helpers.insert(.padSame)
        bind("_keras_stft(\(x), \(real), \(imag), \"\(l.mode)\", \(l.step), \(l.padding == .same ? "True" : "False"), \(l.expandDims ? "True" : "False"))",
             layer: l, call: call, shape: out, layout: .keras)
    }

    /// A plain `nn.Module()` holding `parameters` (state_dict keys `<attribute>.<name>`), created on the layer's
    /// first call.
    func parameterModule(_ layer: any Layer, _ parameters: [(String, Tensor)]) -> String {
        if let a = attributes[layer.name] { return a }
        let a = module(layer, "nn.Module()", tensors: parameters.map { P.float($0.0, $0.1) })
        for (n, t) in parameters {
            initLines.append("self.\(a).\(n) = nn.Parameter(torch.zeros(\(P.tuple(t.shape))))")
        }
        return a
    }
}
