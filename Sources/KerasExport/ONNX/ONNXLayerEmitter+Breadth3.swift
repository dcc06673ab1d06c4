import KerasGraph
import ONNXProto
import TensorModule

/// The third breadth round's classes: RMSNormalization, Pipeline, SpectralNormalization, RandomCrop, AutoContrast,
/// ReversibleEmbedding (the same math as their `KerasInference` kernels).
extension ONNXLayerEmitter {
    /// `x · rsqrt(mean(x², axes) + ε) · scale` over the input's last axes (Keras broadcasts `scale` from the right).
    func rmsNormalization(_ l: RMSNormalization, _ c: LayerContext, _ x: ONNXValue) throws -> ONNXValue {
        let axes = try l.normalizedAxes(rank: x.rank)
        guard axes == Array((x.rank - axes.count)..<x.rank) else {
            throw c.error("`axis` \(l.axis) must be the input's last axes: Keras multiplies by `scale` broadcast from the right")
        }
        let scale = try c.weight(0, "scale")
        let kerasShape = (0..<x.rank).map { axes.contains($0) ? (x.shape[$0] ?? 1) : 1 }
        guard scale.count == kerasShape.reduce(1, *) else {
            throw c.error("scale \(scale.shape) does not fit input \(x.shape.kerasDescription)")
        }
        let physical = axes.map { x.layout.physicalAxis($0, rank: x.rank) }.sorted()
        let meanSquare = reduce("ReduceMean", binary("Mul", x.name, x.name, c), axes: physical, keepDims: true, c)
        let inv = b.op("Reciprocal", [b.op("Sqrt", [binary("Add", meanSquare, b.scalar(Float(l.epsilon)), c)], scope: c.scope)],
                       scope: c.scope)
        let y = binary("Mul", binary("Mul", x.name, inv, c),
                       b.broadcastConstant(scale.scalars, kerasShape: kerasShape, like: x, scope: c.scope, hint: "scale"), c)
        return ONNXValue(name: y, layout: x.layout, shape: c.outputShape)
    }

    /// Each stage emitted in turn, as its own layer (`pipeline/stage`).
    func pipeline(_ l: Pipeline, _ c: LayerContext, _ x: ONNXValue) throws -> ONNXValue {
        let shapes: [Shape]
        do { shapes = try l.stageShapes(inputShapes: [x.shape]) } catch { throw c.error("\(error)") }
        var y = x
        for (i, layer) in l.layers.enumerated() {
            let stage = LayerContext(layer: layer, path: c.path + "/" + layer.name, scope: c.scope + "/" + layer.name,
                                     outputShapes: [shapes[i + 1]], nested: nil)
            let out = try emitLayer(stage, [y])
            guard out.count == 1 else { throw stage.error("\(out.count) outputs made, 1 expected") }
            y = ONNXValue(name: out[0].name, layout: out[0].layout, shape: shapes[i + 1])
        }
        return y
    }

    /// At inference Keras runs the wrapped layer with its stored kernel (no power iteration).
    func spectralNormalization(_ l: SpectralNormalization, _ c: LayerContext, _ inputs: [ONNXValue]) throws -> [ONNXValue] {
        let inner = LayerContext(layer: l.layer, path: c.path + "/" + l.layer.name, scope: c.scope + "/" + l.layer.name,
                                 outputShapes: c.outputShapes, nested: c.nested)
        return try emitLayer(inner, inputs)
    }

    /// Keras 3: the input unchanged at inference (only when that is the declared shape); tf_keras: `smart_resize` (centre crop to the target's aspect
    /// ratio, then bilinear resize).
    func randomCrop(_ l: RandomCrop, _ c: LayerContext, _ x: ONNXValue) throws -> ONNXValue {
        if l.semantics == .keras3 {
            // Keras 3 declares `(height, width)` but returns its input unchanged at inference: an ONNX graph cannot
            // declare one shape and carry another, so only a crop to the input's own size (a no-op) is mapped.
            guard x.shape == c.outputShape else {
                throw c.error("Keras 3's RandomCrop declares output \(c.outputShape.kerasDescription) but returns its input \(x.shape.kerasDescription) unchanged at inference; no ONNX mapping unless the sizes agree")
            }
            return x
        }
        guard l.dataFormat ?? .channelsLast == .channelsLast else { throw c.error("tf_keras' RandomCrop is channels-last only") }
        return try resize2D(c, x, .channelsLast, height: l.height, width: l.width, nearest: false, cropToAspectRatio: true)
    }

    /// Per image and channel: `(x − lo)·255/(hi − lo)` clipped to [0, 255], with `value_range` mapped to [0, 255]
    /// before and back after; where that is NaN (a constant channel) the input is kept.
    func autoContrast(_ l: AutoContrast, _ c: LayerContext, _ input: ONNXValue) throws -> ONNXValue {
        guard l.dataFormat == .channelsLast else { throw c.error("only channels_last has an ONNX mapping") }
        guard input.rank == 4 else { throw c.error("expected images [batch, rows, cols, channels], got \(input.shape.kerasDescription)") }
        let x = b.converted(input, to: .native)
        let (low, high) = (Float(l.valueRange[0]), Float(l.valueRange[1]))
        let mapped = !(low == 0 && high == 255)
        var v = x.name
        if mapped {
            v = binary("Mul", binary("Div", binary("Sub", v, b.scalar(low), c), b.scalar(high - low), c), b.scalar(255), c)
        }
        let lo = reduce("ReduceMin", v, axes: [1, 2], keepDims: true, c)
        let hi = reduce("ReduceMax", v, axes: [1, 2], keepDims: true, c)
        let scale = binary("Div", b.scalar(255), binary("Sub", hi, lo, c), c)
        let offset = b.op("Neg", [binary("Mul", lo, scale, c)], scope: c.scope)
        let raw = binary("Add", binary("Mul", v, scale, c), offset, c)
        var y = binary("Min", binary("Max", raw, b.scalar(0), c), b.scalar(255), c)
        if mapped {
            y = binary("Add", binary("Mul", binary("Div", y, b.scalar(255), c), b.scalar(high - low), c), b.scalar(low), c)
        }
        let out = b.op("Where", [b.op("IsNaN", [raw], scope: c.scope), x.name, y], scope: c.scope)
        return ONNXValue(name: out, layout: .native, shape: c.outputShape)
    }

    /// Lookup calls gather rows of the table; reverse calls multiply by the transposed table (or the separate
    /// `reverse_embeddings`), then `tanh(logits/cap)·cap` with `logit_soft_cap`.
    func reversibleEmbedding(_ l: ReversibleEmbedding, _ c: LayerContext, _ input: ONNXValue) throws -> ONNXValue {
        guard !l.embedding.maskZero else { throw c.error("`mask_zero=True` has no ONNX mapping in KerasPort") }
        if let dtype = l.reverseDtype, dtype != "float32" { throw c.error("`reverse_dtype` `\(dtype)` has no ONNX mapping (float32 only)") }
        guard l.reverse else { return try embedding(c, input) }
        let table = try c.weight(0, "embeddings")
        guard table.rank == 2 else { throw c.error("embeddings \(table.shape) must be rank 2") }
        let kernel: (shape: [Int], values: [Float])
        if l.tieWeights {
            kernel = permute(table.scalars, shape: table.shape, perm: [1, 0])
        } else {
            let k = try c.weight(1, "reverse_embeddings")
            kernel = (k.shape, k.scalars)
        }
        let x = b.converted(input, to: .native)
        let k = b.constant(kernel.values, shape: kernel.shape, scope: c.scope, hint: "kernel")
        var y = b.op("MatMul", [x.name, k], scope: c.scope)
        if let cap = l.logitSoftCap {
            let capName = b.scalar(Float(cap))
            y = binary("Mul", b.op("Tanh", [binary("Div", y, capName, c)], scope: c.scope), capName, c)
        }
        return ONNXValue(name: y, layout: .native, shape: c.outputShape)
    }
}

extension ONNXLayerEmitter {
    /// Keras 3's adaptive pooling, one spatial axis after another (as the engine and Keras' TensorFlow backend do):
    /// on an axis of length `L` pooled to `n`, output `i` reduces the static `Slice` `[⌊i·L/n⌋, ⌈(i+1)·L/n⌉)`
    /// (`ReduceMean` / `ReduceMax`), and the `n` results are concatenated. Needs known spatial sizes.
    func adaptivePooling(_ l: AdaptivePooling, _ c: LayerContext, _ input: ONNXValue) throws -> ONNXValue {
        guard input.rank == l.rank + 2 else { throw c.error("expected a rank-\(l.rank + 2) input, got \(input.shape.kerasDescription)") }
        let first = l.dataFormat == .channelsLast ? 1 : 2
        var x = input
        for (k, n) in l.outputSize.enumerated() {
            let kerasAxis = first + k
            guard let length = x.shape[kerasAxis] else {
                throw c.error("needs known spatial sizes for ONNX (static pooling windows), got \(input.shape.kerasDescription)")
            }
            let axis = x.layout.physicalAxis(kerasAxis, rank: x.rank)
            var parts: [String] = []
            for i in 0..<n {
                let start = i * length / n
                let end = min(((i + 1) * length + n - 1) / n, length)
                let window = b.op("Slice", [x.name, b.int64s([start]), b.int64s([end]), b.int64s([axis])], scope: c.scope)
                parts.append(reduce(l.kind == .max ? "ReduceMax" : "ReduceMean", window, axes: [axis], keepDims: true, c))
            }
            let joined = parts.count == 1 ? parts[0] : b.op("Concat", parts, scope: c.scope, [b.attr("axis", int: axis)])
            var shape = x.shape
            shape[kerasAxis] = n
            x = ONNXValue(name: joined, layout: x.layout, shape: shape)
        }
        return ONNXValue(name: x.name, layout: x.layout, shape: c.outputShape)
    }
}

extension ONNXLayerEmitter {
    /// tf_keras' LocallyConnected1D/2D (channels-last) is linear in its input, so it is exported as one `MatMul` of the
    /// flattened input `[N, spatial·in]` by a dense matrix `[spatial·in, out·filters]`, plus the bias `[out·filters]`,
    /// reshaped to `[N, out…, filters]`, then the activation. The matrix is the layer's kernel (any of the three
    /// weight layouts) scattered to its window positions: row `r` is the layer applied to the `r`-th unit input
    /// (exact: products with 1 and sums with 0). Refused above 2²⁴ matrix entries (64 MB of float32).
    func locallyConnected(_ l: LocallyConnected, _ c: LayerContext, _ input: ONNXValue) throws -> ONNXValue {
        guard l.dataFormat == .channelsLast else { throw c.error("`data_format=\"channels_first\"` has no ONNX mapping in KerasPort") }
        let geometry: (spatial: [Int], channels: Int, output: [Int])
        do { geometry = try l.geometry(input.shape) } catch { throw c.error("\(error)") }
        let (spatial, channels, output) = geometry
        let inFlat = spatial.reduce(1, *) * channels, outFlat = output.reduce(1, *) * l.filters
        guard inFlat * outFlat <= 1 << 24 else {
            throw c.error("the dense ONNX matrix would have \(inFlat)×\(outFlat) entries (above 2^24), refused")
        }
        let windows = (0..<l.rank).map { axis in
            (0..<output[axis]).map { l.window(axis: axis, output: $0, inputLength: spatial[axis]) }
        }
        let layout: Ops.LocalKernelLayout = l.implementation == 1 ? .perPosition : l.implementation == 2 ? .maskedDense : .sparseEntries
        let matrix: Tensor
        do {
            let packed = try Ops.LocalWeights(kernel: try c.weight(0, "kernel"), layout: layout, inputSpatial: spatial,
                                              inChannels: channels, filters: l.filters, windows: windows)
            var basis = [Float](repeating: 0, count: inFlat * inFlat)
            for r in 0..<inFlat { basis[r * inFlat + r] = 1 }
            let units = Tensor(shape: [inFlat] + spatial + [channels], scalars: basis)
            matrix = try Ops.locallyConnected(input: units, weights: packed, bias: nil, outputSpatial: output, activation: .linear)
        } catch let e as ONNXExportError { throw e } catch { throw c.error("\(error)") }
        let x = b.converted(input, to: .native)
        let flat = b.op("Reshape", [x.name, b.int64s([0, inFlat])], scope: c.scope)
        var y = b.op("MatMul", [flat, b.constant(matrix.scalars, shape: [inFlat, outFlat], scope: c.scope, hint: "W")], scope: c.scope)
        if l.useBias {
            let bias = try c.weight(1, "bias")
            guard bias.count == outFlat else { throw c.error("bias \(bias.shape) must hold \(outFlat) values") }
            y = binary("Add", y, b.constant(bias.scalars, shape: [outFlat], scope: c.scope, hint: "B"), c)
        }
        y = b.op("Reshape", [y, b.int64s([0] + output + [l.filters])], scope: c.scope)
        return try activation(l.activation.function, ONNXValue(name: y, layout: .native, shape: c.outputShape), c)
    }
}

extension ONNXLayerEmitter {
    /// Keras 3's STFTSpectrogram (channels-last): every channel's signal `(N·C, 1, T)` convolved (`Conv`, stride
    /// `frame_step`, TensorFlow padding) with the stored DFT kernels (window and scaling folded in by Keras), giving
    /// `(N·C, bins, frames)` real and imaginary parts, then per `mode`: `real`, `imag`, `stft` (real bins then
    /// imaginary bins), `psd` (power, interior bins doubled), `magnitude` √max(power, 1e-7), `log`
    /// log(max(magnitude, 1e-7)), `angle` atan2(imag, real) (from `Atan` with the quadrant fixed by `Where`; a
    /// signed zero imaginary part with a negative real part gives +π). Laid out `[N, frames, C·bins]`
    /// (`[N, frames, bins, C]` with `expand_dims`). Needs known channels and frame count.
    func stftSpectrogram(_ l: STFTSpectrogram, _ c: LayerContext, _ input: ONNXValue) throws -> ONNXValue {
        guard l.dataFormat == .channelsLast else { throw c.error("`data_format=\"channels_first\"` has no ONNX mapping in KerasPort") }
        let modes = ["log", "magnitude", "psd", "real", "imag", "angle", "stft"]
        guard modes.contains(l.mode) else { throw c.error("`mode` `\(l.mode)` has no ONNX mapping") }
        let x = b.converted(input, to: .native)
        guard x.rank == 3, let channels = x.shape[2] else { throw c.error("expected [batch, time, channels] with known channels, got \(x.shape.kerasDescription)") }
        let out = c.outputShape
        guard let frames = out[1] else { throw c.error("needs a known number of frames for ONNX, got output \(out.kerasDescription)") }
        let scope = c.scope
        let signals = b.op("Reshape", [b.op("Transpose", [x.name], scope: scope, [b.attr("perm", ints: [0, 2, 1])]),
                                       b.int64s([-1, 1, x.shape[1] ?? -1])], scope: scope)
        var next = 0
        func part(_ name: String) throws -> String {
            defer { next += 1 }
            let k = try c.weight(next, name)
            guard k.shape == [l.frameLength, 1, l.bins] else { throw c.error("\(name) \(k.shape) must be [\(l.frameLength), 1, \(l.bins)]") }
            let (shape, values) = convKernel(k)
            var attributes = [b.attr("kernel_shape", ints: [l.frameLength]), b.attr("strides", ints: [l.step])]
            attributes += try padAttributes(l.padding, input: [x.shape[1]], kernel: [l.frameLength], strides: [l.step],
                                            dilation: [1], c)
            return b.op("Conv", [signals, b.constant(values, shape: shape, scope: scope, hint: name)], scope: scope, attributes)
        }
        let re = l.mode == "imag" ? nil : try part("real_kernel")
        let im = l.mode == "real" ? nil : try part("imag_kernel")
        var bins = l.bins
        let y: String
        switch l.mode {
        case "real": y = re!
        case "imag": y = im!
        case "stft":
            y = b.op("Concat", [re!, im!], scope: scope, [b.attr("axis", int: 1)])
            bins *= 2
        case "angle":
            let (r, i) = (re!, im!)
            let base = b.op("Atan", [binary("Div", i, r, c)], scope: scope)
            let zero = b.scalar(0)
            let negative = binary("Less", r, zero, c)
            let shifted = b.op("Where", [b.op("Less", [i, zero], scope: scope), binary("Sub", base, b.scalar(Float.pi), c),
                                         binary("Add", base, b.scalar(Float.pi), c)], scope: scope)
            let quadrant = b.op("Where", [negative, shifted, base], scope: scope)
            let origin = b.op("And", [binary("Equal", r, zero, c), binary("Equal", i, zero, c)], scope: scope)
            y = b.op("Where", [origin, zero, quadrant], scope: scope)
        default:
            let (r, i) = (re!, im!)
            let power = binary("Add", binary("Mul", r, r, c), binary("Mul", i, i, c), c)
            let eps = b.scalar(1e-7)
            switch l.mode {
            case "psd":
                let factors = (0..<bins).map { $0 >= 1 && $0 <= bins - 2 ? Float(2) : 1 }
                y = binary("Mul", power, b.constant(factors, shape: [bins, 1], scope: scope, hint: "psd_factors"), c)
            case "magnitude":
                y = b.op("Sqrt", [binary("Max", power, eps, c)], scope: scope)
            default:
                y = b.op("Log", [binary("Max", b.op("Sqrt", [binary("Max", power, eps, c)], scope: scope), eps, c)], scope: scope)
            }
        }
        // (N·C, B, F) → (N, C, B, F) → (N, F, C, B) → (N, F, C·B), or (N, F, B, C) with expand_dims.
        let split = b.op("Reshape", [y, b.int64s([-1, channels, bins, frames])], scope: scope)
        let result: String
        if l.expandDims {
            result = b.op("Transpose", [split], scope: scope, [b.attr("perm", ints: [0, 3, 2, 1])])
        } else {
            let t = b.op("Transpose", [split], scope: scope, [b.attr("perm", ints: [0, 3, 1, 2])])
            result = b.op("Reshape", [t, b.int64s([0, 0, channels * bins])], scope: scope)
        }
        return ONNXValue(name: result, layout: .native, shape: out)
    }
}
