import KerasGraph
import ONNXProto
import TensorModule

extension ONNXLayerEmitter {
    // MARK: Convolutions

    func convolution(_ l: some ConvolutionGeometry, _ c: LayerContext, _ input: ONNXValue, filters: Int,
                     groups: Int) throws -> ONNXValue {
        let rank = l.spatialRank
        guard input.rank == rank + 2 else { throw c.error("expected a rank-\(rank + 2) input, got \(input.shape.kerasDescription)") }
        let x = spatialInput(input, l.dataFormat)
        let kernel = try c.weight(0, "kernel")
        let (wShape, wValues) = convKernel(kernel)
        var inputs = [x.name, b.constant(wValues, shape: wShape, scope: c.scope, hint: "W")]
        if l.useBias { inputs.append(b.constant(try c.weight(1, "bias").scalars, shape: [filters], scope: c.scope, hint: "B")) }
        let y = b.op("Conv", inputs, scope: c.scope, try convolutionAttributes(l, input: input, group: groups, c))
        return try activation(l.activation.function, spatialOutput(y, l.dataFormat, shape: c.outputShape), c)
    }

    /// A `Conv`'s attributes for `l`'s window over `input`: `kernel_shape`, `strides`, `dilations`, `group`, then the
    /// padding (``padAttributes``).
    func convolutionAttributes(_ l: some ConvolutionGeometry, input: ONNXValue, group: Int,
                               _ c: LayerContext) throws -> [Onnx_AttributeProto] {
        let attributes = [b.attr("kernel_shape", ints: l.kernelSize), b.attr("strides", ints: l.strides),
                          b.attr("dilations", ints: l.dilationRate), b.attr("group", int: group)]
        return attributes + (try padAttributes(l.padding, input: spatialSizes(input.shape, l.dataFormat),
                                               kernel: l.kernelSize, strides: l.strides, dilation: l.dilationRate, c))
    }

    /// DepthwiseConv2D as a grouped `Conv` with `group = in`: Keras' `(kh, kw, in, mult)` becomes
    /// `(in·mult, 1, kh, kw)`, output channel `c·mult + m` from input channel `c`.
    func depthwise(_ l: DepthwiseConv2D, _ c: LayerContext, _ input: ONNXValue) throws -> ONNXValue {
        let y = try depthwiseConv(l, c, input, kernel: try c.weight(0, l.kernelWeightName),
                                  bias: l.useBias ? try c.weight(1, "bias") : nil)
        return try activation(l.activation.function, spatialOutput(y, l.dataFormat, shape: c.outputShape), c)
    }

    /// The depthwise `Conv` of `l`'s window (channels-first output name).
    func depthwiseConv(_ l: some ConvolutionGeometry, _ c: LayerContext, _ input: ONNXValue, kernel: Tensor,
                       bias: Tensor?) throws -> String {
        guard input.rank == 4, kernel.rank == 4 else { throw c.error("expected a rank-4 input and kernel") }
        let x = spatialInput(input, l.dataFormat)
        let (channels, multiplier) = (kernel.shape[2], kernel.shape[3])
        let (_, values) = permute(kernel.scalars, shape: kernel.shape, perm: [2, 3, 0, 1])
        var inputs = [x.name, b.constant(values, shape: [channels * multiplier, 1, kernel.shape[0], kernel.shape[1]],
                                         scope: c.scope, hint: "W")]
        if let bias { inputs.append(b.constant(bias.scalars, shape: [bias.count], scope: c.scope, hint: "B")) }
        return b.op("Conv", inputs, scope: c.scope, try convolutionAttributes(l, input: input, group: channels, c))
    }

    /// SeparableConv2D: the depthwise `Conv` (strides, dilation and padding), then a 1×1 `Conv` with the bias.
    func separable(_ l: SeparableConv2D, _ c: LayerContext, _ input: ONNXValue) throws -> ONNXValue {
        let depth = try depthwiseConv(l, c, input, kernel: try c.weight(0, "depthwise_kernel"), bias: nil)
        let (wShape, wValues) = convKernel(try c.weight(1, "pointwise_kernel"))
        var inputs = [depth, b.constant(wValues, shape: wShape, scope: c.scope, hint: "W")]
        if l.useBias { inputs.append(b.constant(try c.weight(2, "bias").scalars, shape: [l.filters], scope: c.scope, hint: "B")) }
        let y = b.op("Conv", inputs, scope: c.scope, [b.attr("kernel_shape", ints: [1, 1])])
        return try activation(l.activation.function, spatialOutput(y, l.dataFormat, shape: c.outputShape), c)
    }

    /// Keras' `deconv_output_length`.
    func transposedOutputLength(_ n: Int, effective: Int, stride: Int, padding: Padding, outputPadding: Int?,
                                _ c: LayerContext) throws -> Int {
        switch (padding, outputPadding) {
        case (.valid, nil): return n * stride + max(effective - stride, 0)
        case (.same, nil): return n * stride
        case (.valid, let p?): return (n - 1) * stride + effective + p
        case (.same, let p?): return (n - 1) * stride + effective - 2 * (effective / 2) + p
        case (.causal, _): throw c.error("padding `causal` is not valid for a transposed convolution")
        }
    }

    // MARK: Pooling

    /// MaxPool / AveragePool (padding excluded from the average, as TensorFlow does).
    func pooling(_ op: String, _ c: LayerContext, _ input: ONNXValue, rank: Int, pool: [Int], strides: [Int],
                 padding: Padding, dataFormat: DataFormat) throws -> ONNXValue {
        guard input.rank == rank + 2 else { throw c.error("expected a rank-\(rank + 2) input, got \(input.shape.kerasDescription)") }
        let x = spatialInput(input, dataFormat)
        var attributes = [b.attr("kernel_shape", ints: pool), b.attr("strides", ints: strides)]
        attributes += try padAttributes(padding, input: spatialSizes(input.shape, dataFormat), kernel: pool,
                                        strides: strides, dilation: [Int](repeating: 1, count: rank), c)
        if op == "AveragePool" { attributes.append(b.attr("count_include_pad", int: 0)) }
        return spatialOutput(b.op(op, [x.name], scope: c.scope, attributes), dataFormat, shape: c.outputShape)
    }

    /// Global pooling: `GlobalAveragePool` / `GlobalMaxPool` (then `Flatten` without keepdims) when the input is
    /// already channels-first in the graph, otherwise ReduceMean / ReduceMax over the spatial axes in the input's layout.
    func globalPooling(_ op: String, _ c: LayerContext, _ x: ONNXValue, dataFormat: DataFormat, keepDims: Bool) throws -> ONNXValue {
        guard x.rank >= 3 else { throw c.error("expected an input of rank 3 or more, got \(x.shape.kerasDescription)") }
        let spatial = dataFormat == .channelsLast ? Array(1..<(x.rank - 1)) : Array(2..<x.rank)
        let axes = spatial.map { x.layout.physicalAxis($0, rank: x.rank) }.sorted()
        if axes == Array(2..<x.rank) {
            let pooled = b.op(op == "ReduceMean" ? "GlobalAveragePool" : "GlobalMaxPool", [x.name], scope: c.scope)
            if keepDims { return ONNXValue(name: pooled, layout: x.layout, shape: c.outputShape) }
            return ONNXValue(name: b.op("Flatten", [pooled], scope: c.scope, [b.attr("axis", int: 1)]), layout: .native,
                             shape: c.outputShape)
        }
        let y = reduce(op, x.name, axes: axes, keepDims: keepDims, c)
        return ONNXValue(name: y, layout: keepDims ? x.layout : .native, shape: c.outputShape)
    }

    // MARK: Padding, cropping, resizing

    /// The Keras axes of the spatial dimensions.
    func spatialAxes(rank: Int, count: Int, _ dataFormat: DataFormat) -> [Int] {
        dataFormat == .channelsLast ? Array(1...count) : Array(2..<(2 + count))
    }

    /// `Pad` in the input's layout; a channels-last input of a 2-D/3-D padding goes channels-first first (NCHW
    /// graphs), so that ONNX Runtime folds the `Pad` into a following `Conv` (ResNet's `conv1_pad`).
    func zeroPadding(_ c: LayerContext, _ input: ONNXValue, spatial: [[Int]], dataFormat: DataFormat) throws -> ONNXValue {
        guard input.rank == spatial.count + 2, spatial.allSatisfy({ $0.count == 2 }) else {
            throw c.error("padding \(spatial) does not fit input \(input.shape.kerasDescription)")
        }
        let x = b.options.layout == .nchw && input.rank >= 4 && dataFormat == .channelsLast
            ? b.converted(input, to: .channelsFirst) : input
        var begins = [Int](repeating: 0, count: x.rank), ends = begins
        for (i, axis) in spatialAxes(rank: x.rank, count: spatial.count, dataFormat).enumerated() {
            let p = x.layout.physicalAxis(axis, rank: x.rank)
            begins[p] = spatial[i][0]
            ends[p] = spatial[i][1]
        }
        let y = b.op("Pad", [x.name, b.int64s(begins + ends), b.scalar(0)], scope: c.scope, [b.attr("mode", string: "constant")])
        return ONNXValue(name: y, layout: x.layout, shape: c.outputShape)
    }

    func cropping(_ c: LayerContext, _ x: ONNXValue, spatial: [[Int]], dataFormat: DataFormat) throws -> ONNXValue {
        guard x.rank == spatial.count + 2, spatial.allSatisfy({ $0.count == 2 }) else {
            throw c.error("cropping \(spatial) does not fit input \(x.shape.kerasDescription)")
        }
        var starts: [Int] = [], ends: [Int] = [], axes: [Int] = []
        for (i, axis) in spatialAxes(rank: x.rank, count: spatial.count, dataFormat).enumerated() {
            axes.append(x.layout.physicalAxis(axis, rank: x.rank))
            starts.append(spatial[i][0])
            ends.append(spatial[i][1] == 0 ? Int(Int64.max) : -spatial[i][1])
        }
        let y = b.op("Slice", [x.name, b.int64s(starts), b.int64s(ends), b.int64s(axes)], scope: c.scope)
        return ONNXValue(name: y, layout: x.layout, shape: c.outputShape)
    }

    /// UpSampling as `Resize`: nearest (`asymmetric`, `floor`: output pixel `o` takes input `⌊o/s⌋`), or bilinear
    /// with half-pixel centres as `tf.image.resize` (no antialiasing when enlarging).
    func upSampling(_ c: LayerContext, _ input: ONNXValue, size: [Int], dataFormat: DataFormat, bilinear: Bool) throws -> ONNXValue {
        guard input.rank == size.count + 2 else { throw c.error("size \(size) does not fit input \(input.shape.kerasDescription)") }
        // Bilinear resizing runs channels-first (ONNX Runtime's linear Resize wants the scaled axes last).
        let x = bilinear ? spatialInput(input, dataFormat) : input
        var scales = [Float](repeating: 1, count: x.rank)
        for (i, axis) in spatialAxes(rank: x.rank, count: size.count, dataFormat).enumerated() {
            scales[x.layout.physicalAxis(axis, rank: x.rank)] = Float(size[i])
        }
        var attributes = [b.attr("mode", string: bilinear ? "linear" : "nearest")]
        if bilinear {
            attributes.append(b.attr("coordinate_transformation_mode", string: "half_pixel"))
        } else {
            attributes += [b.attr("coordinate_transformation_mode", string: "asymmetric"),
                           b.attr("nearest_mode", string: "floor")]
        }
        let y = b.op("Resize", [x.name, "", b.constant(scales, shape: [scales.count], scope: c.scope, hint: "scales")],
                     scope: c.scope, attributes)
        let out = ONNXValue(name: y, layout: x.layout, shape: c.outputShape)
        if bilinear && b.options.layout == .nhwc { return b.converted(out, to: .native) }
        return out
    }

    /// TensorFlow's `depth_to_space` (NHWC, channel order `(bh, bw, c)`) is ONNX `DepthToSpace` in mode `DCR`.
    /// For the op layers (`keras.ops.depth_to_space` / sub-pixel heads) once the engine runs them.
    func depthToSpace(_ c: LayerContext, _ input: ONNXValue, blockSize: Int, dataFormat: DataFormat = .channelsLast) throws -> ONNXValue {
        guard input.rank == 4 else { throw c.error("depth_to_space needs a rank-4 input, got \(input.shape.kerasDescription)") }
        let x = spatialInput(input, dataFormat)
        let y = b.op("DepthToSpace", [x.name], scope: c.scope,
                     [b.attr("blocksize", int: blockSize), b.attr("mode", string: "DCR")])
        return spatialOutput(y, dataFormat, shape: c.outputShape)
    }
}
