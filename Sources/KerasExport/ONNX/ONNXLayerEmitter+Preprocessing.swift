import KerasGraph
import ONNXProto
import TensorModule

extension ONNXLayerEmitter {
    // MARK: Preprocessing layers

    /// `x · scale + offset` (a multiply, then an add, as Keras), lists broadcast over the last Keras axis.
    func rescaling(_ l: Rescaling, _ c: LayerContext, _ x: ONNXValue) throws -> ONNXValue {
        func operand(_ v: ScalarOrList) -> String {
            let values = v.floats
            if values.count == 1 { return b.scalar(values[0]) }
            let kerasShape = [Int](repeating: 1, count: x.rank - 1) + [values.count]
            return b.broadcastConstant(values, kerasShape: kerasShape, like: x, scope: c.scope, hint: "rescale")
        }
        var y = binary("Mul", x.name, operand(l.scale), c)
        if l.offset.floats.contains(where: { $0 != 0 }) { y = binary("Add", y, operand(l.offset), c) }
        return ONNXValue(name: y, layout: x.layout, shape: c.outputShape)
    }

    /// `(x − mean) / max(√variance, 1e-7)`, or with `invert` `mean + x · max(√variance, 1e-7)`, the statistics laid out
    /// over the kept axes.
    func normalization(_ l: Normalization, _ c: LayerContext, _ x: ONNXValue) throws -> ONNXValue {
        let kept = try l.keptAxes(rank: x.rank)
        let statShape = try l.statisticsShape(x.shape)
        let count = statShape.reduce(1, *)
        var mean: [Float], variance: [Float]
        if let m = l.configMean, let v = l.configVariance {
            mean = m.floats
            variance = v.floats
        } else {
            mean = try c.weight(0, "mean").scalars
            variance = try c.weight(1, "variance").scalars
        }
        if mean.count == 1 { mean = [Float](repeating: mean[0], count: count) }
        if variance.count == 1 { variance = [Float](repeating: variance[0], count: count) }
        guard mean.count == count, variance.count == count else {
            throw c.error("mean/variance hold \(mean.count)/\(variance.count) values, the kept axes \(statShape) need \(count)")
        }
        var kerasShape = [Int](repeating: 1, count: x.rank)
        for (a, n) in zip(kept, statShape) { kerasShape[a] = n }
        let denominator = variance.map { max($0.squareRoot(), Normalization.epsilon) }
        let m = b.broadcastConstant(mean, kerasShape: kerasShape, like: x, scope: c.scope, hint: "mean")
        let d = b.broadcastConstant(denominator, kerasShape: kerasShape, like: x, scope: c.scope, hint: "std")
        let y = l.invert ? binary("Add", m, binary("Mul", x.name, d, c), c) : binary("Div", binary("Sub", x.name, m, c), d, c)
        return ONNXValue(name: y, layout: x.layout, shape: c.outputShape)
    }

    /// TensorFlow's `Bucketize`: the number of boundaries `b` with `!(x < b)` (NaN counts every boundary), as float.
    func discretization(_ l: Discretization, _ c: LayerContext, _ input: ONNXValue) throws -> ONNXValue {
        guard l.outputMode == "int" else { throw c.error("`output_mode` `\(l.outputMode)` has no ONNX mapping (only `int`)") }
        guard let boundaries = l.binBoundaries else {
            throw c.error("`bin_boundaries` is null (the layer was never adapted), so the buckets are unknown")
        }
        let x = b.converted(input, to: .native)
        var xf = x.name
        if x.rank == 0 { throw c.error("needs an input with a batch axis") }
        xf = b.op("Cast", [xf], scope: c.scope, [b.attr("to", int: Onnx_TensorProto.DataType.float.rawValue)])
        if boundaries.isEmpty {
            return ONNXValue(name: binary("Mul", xf, b.scalar(0), c), layout: .native, shape: c.outputShape)
        }
        let expanded = b.op("Unsqueeze", [xf, b.int64s([-1])], scope: c.scope)
        let bounds = b.constant(boundaries.map { Float($0) }, shape: [boundaries.count], scope: c.scope, hint: "boundaries")
        let below = binary("Less", expanded, bounds, c)
        let counted = b.op("Cast", [b.op("Not", [below], scope: c.scope)], scope: c.scope,
                           [b.attr("to", int: Onnx_TensorProto.DataType.float.rawValue)])
        let y = reduce("ReduceSum", counted, axes: [x.rank], keepDims: false, c)
        return ONNXValue(name: y, layout: .native, shape: c.outputShape)
    }

    /// The central window (offsets `(in − out) // 2`), or Keras' `smart_resize` (centre crop to the aspect ratio,
    /// then bilinear) when the image is smaller than the target on an axis. Needs known image sizes.
    func centerCrop(_ l: CenterCrop, _ c: LayerContext, _ x: ONNXValue) throws -> ONNXValue {
        guard x.rank == 4 else { throw c.error("expected a rank-4 input, got \(x.shape.kerasDescription)") }
        let sizes = spatialSizes(x.shape, l.dataFormat)
        guard let h = sizes[0], let w = sizes[1] else {
            throw c.error("needs known image sizes for ONNX (whether it crops or resizes depends on them), got \(x.shape.kerasDescription)")
        }
        if h >= l.height, w >= l.width {
            let top = (h - l.height) / 2, left = (w - l.width) / 2
            return try sliceSpatial(c, x, l.dataFormat, starts: [top, left], sizes: [l.height, l.width])
        }
        return try resize2D(c, x, l.dataFormat, height: l.height, width: l.width, nearest: false, cropToAspectRatio: true)
    }

    /// `tf.image.resize` (bilinear with half-pixel centres, or nearest), after the centre crop to the target's aspect
    /// ratio with `crop_to_aspect_ratio`.
    func resizing(_ l: Resizing, _ c: LayerContext, _ x: ONNXValue) throws -> ONNXValue {
        guard l.interpolation == .bilinear || l.interpolation == .nearest else {
            throw c.error("interpolation `\(l.interpolation.rawValue)` has no ONNX mapping in KerasPort (only bilinear and nearest)")
        }
        guard !l.antialias || l.interpolation == .nearest else { throw c.error("`antialias=True` has no ONNX mapping in KerasPort") }
        guard !l.padToAspectRatio else { throw c.error("`pad_to_aspect_ratio=True` has no ONNX mapping in KerasPort") }
        return try resize2D(c, x, l.dataFormat, height: l.height, width: l.width, nearest: l.interpolation == .nearest,
                            cropToAspectRatio: l.cropToAspectRatio)
    }

    /// Static spatial `Slice` of a rank-4 tensor.
    func sliceSpatial(_ c: LayerContext, _ x: ONNXValue, _ dataFormat: DataFormat, starts: [Int], sizes: [Int]) throws -> ONNXValue {
        let axes = spatialAxes(rank: x.rank, count: 2, dataFormat).map { x.layout.physicalAxis($0, rank: x.rank) }
        let ends = zip(starts, sizes).map { $0 + $1 }
        let y = b.op("Slice", [x.name, b.int64s(starts), b.int64s(ends), b.int64s(axes)], scope: c.scope)
        var shape = x.shape
        for (a, n) in zip(spatialAxes(rank: x.rank, count: 2, dataFormat), sizes) { shape[a] = n }
        return ONNXValue(name: y, layout: x.layout, shape: shape)
    }

    /// Resizes the two spatial axes of a rank-4 tensor as TensorFlow's `resize` (v2) does: bilinear with half-pixel
    /// centres (ONNX `Resize` linear, `half_pixel`) or nearest with half-pixel centres, source
    /// `min(⌊(o + 0.5)·in/out⌋, in − 1)` (a `Gather` of those rows and columns when sizes are known, else `Resize`
    /// `half_pixel` with `round_prefer_ceil`, the same index). `legacy` is TF1's bilinear without half-pixel centres
    /// (`asymmetric`); nearest with `halfPixel` false takes `⌊o·in/out⌋`.
    func resize2D(_ c: LayerContext, _ input: ONNXValue, _ dataFormat: DataFormat, height: Int, width: Int, nearest: Bool,
                  cropToAspectRatio: Bool, halfPixel: Bool = true) throws -> ONNXValue {
        guard input.rank == 4 else { throw c.error("expected a rank-4 input, got \(input.shape.kerasDescription)") }
        var x = input
        if cropToAspectRatio {
            let sizes = spatialSizes(x.shape, dataFormat)
            guard let h = sizes[0], let w = sizes[1] else {
                throw c.error("`crop_to_aspect_ratio` needs known image sizes for ONNX, got \(x.shape.kerasDescription)")
            }
            let box = Ops.aspectRatioCrop(height: h, width: w, targetHeight: height, targetWidth: width)
            if box.height != h || box.width != w {
                x = try sliceSpatial(c, x, dataFormat, starts: [box.top, box.left], sizes: [box.height, box.width])
            }
        }
        let targets = [height, width]
        let kerasAxes = spatialAxes(rank: 4, count: 2, dataFormat)
        let sizes = spatialSizes(x.shape, dataFormat)
        if nearest, let h = sizes[0], let w = sizes[1] {
            var y = x.name
            for (i, n) in [h, w].enumerated() {
                let out = targets[i]
                let scale = Float(n) / Float(out)
                let indices = (0..<out).map { o in
                    let s = halfPixel ? (Float(o) + 0.5) * scale : Float(o) * scale
                    return max(0, min(Int(s.rounded(.down)), n - 1))
                }
                if indices == Array(0..<n) { continue }
                y = b.op("Gather", [y, b.int64s(indices)], scope: c.scope,
                         [b.attr("axis", int: x.layout.physicalAxis(kerasAxes[i], rank: 4))])
            }
            return ONNXValue(name: y, layout: x.layout, shape: c.outputShape)
        }
        // Resize runs channels-first (ONNX Runtime's linear Resize wants the scaled axes last).
        let xc = spatialInput(x, dataFormat)
        let batchAndChannels = b.op("Slice", [b.op("Shape", [xc.name], scope: c.scope), b.int64s([0]), b.int64s([2])],
                                    scope: c.scope)
        let sizesInput = b.op("Concat", [batchAndChannels, b.int64s(targets)], scope: c.scope, [b.attr("axis", int: 0)])
        var attributes = [b.attr("mode", string: nearest ? "nearest" : "linear")]
        if nearest {
            attributes += [b.attr("coordinate_transformation_mode", string: halfPixel ? "half_pixel" : "asymmetric"),
                           b.attr("nearest_mode", string: halfPixel ? "round_prefer_ceil" : "floor")]
        } else {
            attributes.append(b.attr("coordinate_transformation_mode", string: halfPixel ? "half_pixel" : "asymmetric"))
        }
        let y = b.op("Resize", [xc.name, "", "", sizesInput], scope: c.scope, attributes)
        return spatialOutput(y, dataFormat, shape: c.outputShape)
    }

    // MARK: Application layers

    /// `x · gamma` over the last Keras axis.
    func layerScale(_ l: LayerScale, _ c: LayerContext, _ x: ONNXValue) throws -> ONNXValue {
        let gamma = try c.weight(0, "gamma")
        let kerasShape = [Int](repeating: 1, count: x.rank - 1) + [gamma.count]
        let g = b.broadcastConstant(gamma.scalars, kerasShape: kerasShape, like: x, scope: c.scope, hint: "gamma")
        return ONNXValue(name: binary("Mul", x.name, g, c), layout: x.layout, shape: c.outputShape)
    }

    /// `inputs[0] + inputs[1] · scale` (keras.applications' InceptionResNetV2 block).
    func customScale(_ l: CustomScaleLayer, _ c: LayerContext, _ inputs: [ONNXValue]) throws -> ONNXValue {
        guard inputs.count == 2 else { throw c.error("expected 2 inputs, got \(inputs.count)") }
        let xs = try aligned(c, inputs)
        let scaled = binary("Mul", xs[1].name, b.scalar(Float(l.scale)), c)
        return ONNXValue(name: binary("Add", xs[0].name, scaled, c), layout: xs[0].layout, shape: c.outputShape)
    }

    // MARK: Normalization layers

    /// `x·rsqrt(Σx²)` over the axes: Keras 3 `x · min(rsqrt(Σx²), 1e12)`, tf_keras `x · rsqrt(max(Σx², 1e-12))`.
    func unitNormalization(_ l: UnitNormalization, _ c: LayerContext, _ x: ONNXValue) throws -> ONNXValue {
        let axes = try l.normalizedAxes(rank: x.rank).map { x.layout.physicalAxis($0, rank: x.rank) }.sorted()
        let sum = reduce("ReduceSum", binary("Mul", x.name, x.name, c), axes: axes, keepDims: true, c)
        let inv: String
        switch l.tinyNormBound {
        case .keras3:
            inv = b.op("Min", [b.op("Reciprocal", [b.op("Sqrt", [sum], scope: c.scope)], scope: c.scope), b.scalar(1e12)],
                       scope: c.scope)
        case .keras2:
            inv = b.op("Reciprocal", [b.op("Sqrt", [b.op("Max", [sum, b.scalar(1e-12)], scope: c.scope)], scope: c.scope)],
                       scope: c.scope)
        }
        return ONNXValue(name: binary("Mul", x.name, inv, c), layout: x.layout, shape: c.outputShape)
    }

    /// Per sample and group: moments over the group's channels and every non-batch axis, then
    /// `x·inv + (beta − mean·inv)` with `inv = rsqrt(var + ε)·gamma`. Runs on a reshape `(N, …, G, C/G)` of the
    /// channels-last tensor (channels on the Keras axis moved last first).
    func groupNormalization(_ l: GroupNormalization, _ c: LayerContext, _ input: ONNXValue) throws -> ONNXValue {
        let channels = try l.channels(input.shape)
        guard let axis = input.physicalAxis(l.axis), axis > 0 else { throw c.error("axis \(l.axis) is out of range") }
        let kerasAxis = l.axis < 0 ? l.axis + input.rank : l.axis
        let g = l.groups
        let x = b.converted(input, to: .native)
        // Move the channel axis last.
        let rank = x.rank
        let toLast = (0..<rank).filter { $0 != kerasAxis } + [kerasAxis]
        var xt = x.name
        if kerasAxis != rank - 1 { xt = b.op("Transpose", [xt], scope: c.scope, [b.attr("perm", ints: toLast)]) }
        // (N, rest…, C) → (N, −1, G, C/G): moments over axes 1 and 3.
        let grouped = b.op("Reshape", [xt, b.int64s([0, -1, g, channels / g])], scope: c.scope)
        let mean = reduce("ReduceMean", grouped, axes: [1, 3], keepDims: true, c)
        let d = binary("Sub", grouped, mean, c)
        let variance = reduce("ReduceMean", binary("Mul", d, d, c), axes: [1, 3], keepDims: true, c)
        let rstd = b.op("Reciprocal", [b.op("Sqrt", [binary("Add", variance, b.scalar(Float(l.epsilon)), c)], scope: c.scope)],
                        scope: c.scope)
        var index = 0
        let gamma = l.scale ? try c.weight(index, "gamma") : nil
        if l.scale { index += 1 }
        let beta = l.center ? try c.weight(index, "beta") : nil
        var inv = rstd
        if let gamma {
            inv = binary("Mul", rstd, b.constant(gamma.scalars, shape: [g, channels / g], scope: c.scope, hint: "gamma"), c)
        }
        var shift = binary("Mul", b.op("Neg", [mean], scope: c.scope), inv, c)
        if let beta {
            shift = binary("Add", b.constant(beta.scalars, shape: [g, channels / g], scope: c.scope, hint: "beta"), shift, c)
        }
        let y = binary("Add", binary("Mul", grouped, inv, c), shift, c)
        let shapeOf = b.op("Shape", [xt], scope: c.scope)
        var out = b.op("Reshape", [y, shapeOf], scope: c.scope)
        if kerasAxis != rank - 1 {
            var inverse = [Int](repeating: 0, count: rank)
            for (i, p) in toLast.enumerated() { inverse[p] = i }
            out = b.op("Transpose", [out], scope: c.scope, [b.attr("perm", ints: inverse)])
        }
        _ = axis
        return ONNXValue(name: out, layout: .native, shape: c.outputShape)
    }
}
