internal import CKernels

extension Ops {
    /// Keras `DepthwiseConv2D` on `NHWC` input: each input channel is convolved with its own
    /// `depthMultiplier` filters.
    ///
    /// - Parameters:
    ///   - input: `[batch, height, width, channels]`.
    ///   - kernel: `[kh, kw, channels, depthMultiplier]`.
    ///   - bias: `[channels · depthMultiplier]`, or `nil`.
    /// - Returns: `[batch, outHeight, outWidth, channels · depthMultiplier]`; output channel
    ///   `c · depthMultiplier + m` is input channel `c` convolved with `kernel[:, :, c, m]`.
    /// - Throws: ``TensorError`` for rank, channel, bias or window mismatches.
    ///   - zeroPadding: `((top, bottom), (left, right))` rows and columns of zeros around the input before the
    ///     convolution (a folded `ZeroPadding2D`), handled at the borders without a padded copy; `padding` then
    ///     applies to the padded size.
    ///   - postOps: further element-wise steps of the same output pass (a fused following layer).
    ///   - reluInput: convolve the ReLU of `input` (`x <= 0 ? +0 : x`, NaN kept: a ReLU layer before this one, whose
    ///     output is then never written), as the kernel reads it.
    package static func depthwiseConv2d(input: Tensor, kernel: Tensor, bias: Tensor? = nil,
                                       strides: (Int, Int) = (1, 1), padding: Padding = .valid,
                                       dilation: (Int, Int) = (1, 1),
                                       zeroPadding: ((Int, Int), (Int, Int)) = ((0, 0), (0, 0)),
                                       activation: Activation = .linear,
                                       postOps: [PostOp] = [], reluInput: Bool = false) throws(TensorError) -> Tensor {
        let op = "depthwiseConv2d"
        guard input.rank == 4 else { throw .shape(op, "input \(input.shape) must be [batch, height, width, channels]") }
        guard kernel.rank == 4 else { throw .shape(op, "kernel \(kernel.shape) must be [kh, kw, channels, depth_multiplier]") }
        guard padding != .causal else { throw .argument(op, "padding causal is only defined for 1-D operations") }
        let (rows, cols) = try WindowAxis.pair(operation: op, height: input.shape[1], width: input.shape[2],
                                               kernel: (kernel.shape[0], kernel.shape[1]), strides: strides,
                                               dilation: dilation, padding: padding, zeroPadding: zeroPadding)
        return try depthwise(op, input: input, batch: input.shape[0], channels: input.shape[3], kernel: kernel,
                             rows: rows, cols: cols, bias: bias, activation: activation, postOps: postOps,
                             reluInput: reluInput, outShape: { [input.shape[0], rows.output, cols.output, $0] })
    }

    /// Keras `DepthwiseConv1D` on `NLC` input; kernel `[k, channels, depthMultiplier]`.
    /// - Throws: ``TensorError`` for rank, channel, bias or window mismatches.
    package static func depthwiseConv1d(input: Tensor, kernel: Tensor, bias: Tensor? = nil, stride: Int = 1,
                                       padding: Padding = .valid, dilation: Int = 1,
                                       activation: Activation = .linear) throws(TensorError) -> Tensor {
        let op = "depthwiseConv1d"
        guard input.rank == 3 else { throw .shape(op, "input \(input.shape) must be [batch, steps, channels]") }
        guard kernel.rank == 3 else { throw .shape(op, "kernel \(kernel.shape) must be [k, channels, depth_multiplier]") }
        let cols = try WindowAxis.make(operation: op, axisName: "steps", input: input.shape[1], kernel: kernel.shape[0],
                                       stride: stride, dilation: dilation, padding: padding, allowCausal: true)
        let rows = WindowAxis(input: 1, output: 1, padBefore: 0, kernel: 1, stride: 1, dilation: 1)
        return try depthwise(op, input: input, batch: input.shape[0], channels: input.shape[2], kernel: kernel,
                             rows: rows, cols: cols, bias: bias, activation: activation,
                             outShape: { [input.shape[0], cols.output, $0] })
    }

    /// Keras `SeparableConv2D`: depthwise (no bias) then a 1×1 pointwise convolution with bias and activation.
    ///
    /// - Parameters:
    ///   - depthwiseKernel: `[kh, kw, channels, depthMultiplier]`.
    ///   - pointwiseKernel: `[1, 1, channels · depthMultiplier, filters]`.
    ///   - bias: `[filters]`, or `nil`.
    ///   - postOps: further element-wise steps of the pointwise convolution's output pass (a fused following layer).
    ///   - packedPointwiseKernel: `pointwiseKernel` packed by ``PackedKernel/pack(_:)`` (saves re-packing it per call).
    /// - Returns: `[batch, outHeight, outWidth, filters]`.
    /// - Throws: ``TensorError`` for shape mismatches.
    package static func separableConv2d(input: Tensor, depthwiseKernel: Tensor, pointwiseKernel: Tensor,
                                       bias: Tensor? = nil, strides: (Int, Int) = (1, 1),
                                       padding: Padding = .valid, dilation: (Int, Int) = (1, 1),
                                       activation: Activation = .linear, postOps: [PostOp] = [],
                                       packedPointwiseKernel: PackedKernel? = nil) throws(TensorError) -> Tensor {
        try separableConv2d(input: input, depthwiseKernel: depthwiseKernel,
                            pointwiseKernel: KernelOperand(pointwiseKernel, packed: packedPointwiseKernel), bias: bias,
                            strides: strides, padding: padding, dilation: dilation, activation: activation,
                            postOps: postOps)
    }

    /// Keras `SeparableConv2D` as above, with the pointwise kernel as a compiled layer holds it (possibly only
    /// packed, ``KernelOperand/packing(_:)``); with `reluInput`, on the ReLU of `input` as the depthwise kernel
    /// reads it (see ``depthwiseConv2d(input:kernel:bias:strides:padding:dilation:zeroPadding:activation:postOps:reluInput:)``).
    package static func separableConv2d(input: Tensor, depthwiseKernel: Tensor, pointwiseKernel: KernelOperand,
                                       bias: Tensor? = nil, strides: (Int, Int) = (1, 1),
                                       padding: Padding = .valid, dilation: (Int, Int) = (1, 1),
                                       activation: Activation = .linear,
                                       postOps: [PostOp] = [], reluInput: Bool = false) throws(TensorError) -> Tensor {
        let op = "separableConv2d"
        let shape = pointwiseKernel.shape
        guard shape.count == 4, shape[0] == 1, shape[1] == 1 else {
            throw .shape(op, "pointwise kernel \(shape) must be [1, 1, in·depth_multiplier, filters]")
        }
        // Band by band where that applies (the same values; Ops+SeparableBand.swift).
        if let output = separableConv2dBanded(input: input, depthwiseKernel: depthwiseKernel,
                                              pointwiseKernel: pointwiseKernel, bias: bias, strides: strides,
                                              padding: padding, dilation: dilation, activation: activation,
                                              postOps: postOps, reluInput: reluInput) {
            return output
        }
        let mid = try depthwiseConv2d(input: input, kernel: depthwiseKernel, strides: strides, padding: padding,
                                      dilation: dilation, reluInput: reluInput)
        do {
            return try conv2d(input: mid, kernel: pointwiseKernel, bias: bias, activation: activation, postOps: postOps)
        } catch {
            throw .shape(op, "pointwise kernel \(shape) does not fit depthwise output \(mid.shape): \(error.message)")
        }
    }

    /// Keras `SeparableConv1D`: depthwise `[k, channels, dm]` then pointwise `[1, channels·dm, filters]`.
    /// - Throws: ``TensorError`` for shape mismatches.
    package static func separableConv1d(input: Tensor, depthwiseKernel: Tensor, pointwiseKernel: Tensor,
                                       bias: Tensor? = nil, stride: Int = 1, padding: Padding = .valid,
                                       dilation: Int = 1, activation: Activation = .linear) throws(TensorError) -> Tensor {
        let op = "separableConv1d"
        guard pointwiseKernel.rank == 3, pointwiseKernel.shape[0] == 1 else {
            throw .shape(op, "pointwise kernel \(pointwiseKernel.shape) must be [1, in·depth_multiplier, filters]")
        }
        let mid = try depthwiseConv1d(input: input, kernel: depthwiseKernel, stride: stride, padding: padding,
                                      dilation: dilation)
        do {
            return try conv1d(input: mid, kernel: pointwiseKernel, bias: bias, activation: activation)
        } catch {
            throw .shape(op, "pointwise kernel \(pointwiseKernel.shape) does not fit depthwise output \(mid.shape): \(error.message)")
        }
    }

    static func depthwise(_ op: String, input: Tensor, batch: Int, channels: Int, kernel: Tensor,
                          rows: WindowAxis, cols: WindowAxis, bias: Tensor?, activation: Activation,
                          postOps: [PostOp] = [], reluInput: Bool = false,
                          outShape: (Int) -> [Int]) throws(TensorError) -> Tensor {
        let kshape = kernel.shape
        guard kshape[kshape.count - 2] == channels else {
            throw .shape(op, "kernel \(kshape) expects \(kshape[kshape.count - 2]) input channels, input \(input.shape) has \(channels)")
        }
        let dm = kshape[kshape.count - 1]
        let outChannels = channels * dm
        try checkBias(bias, channels: outChannels, operation: op)
        try checkPostOps(postOps, columns: outChannels, operation: op)
        let shape = outShape(outChannels)
        let count = try Tensor.checkedCount(shape, operation: op)
        try checkPostOpTensors(postOps, count: count, operation: op)
        // Bias, activation and post-ops run on each output row while it is still in cache.
        let rowPass = activation.isElementwise
        let pass = rowPass ? PreparedPass(bias: bias, activation: activation, postOps: postOps, columns: outChannels) : nil
        // The input's ReLU as the row kernel reads it; the portable loop reads a copy through the ReLU activation
        // (the same values).
        let readsReLU = reluInput && usesRowKernel(multiplier: dm)
        let source = reluInput && !readsReLU ? try Ops.activation(.relu, input: input) : input
        var output = Tensor.build(shape: shape, count: count) { out in
            source.scalars.withUnsafeBufferPointer { x in
                kernel.scalars.withUnsafeBufferPointer { w in
                    depthwiseLoop(input: x.baseAddress ?? dummyPointer, batch: batch, channels: channels,
                                  multiplier: dm, kernel: w.baseAddress ?? dummyPointer,
                                  rows: rows, cols: cols, output: out.baseAddress!, pass: pass, reluInput: readsReLU)
                }
            }
            if !rowPass {
                epilogue(out.baseAddress!, rows: count / max(outChannels, 1), columns: outChannels, bias: bias,
                         activation: activation)
            }
        }
        if !activation.isElementwise {
            try applyActivation(activation, to: &output)
            applyPostOps(postOps, to: &output, columns: outChannels)
        }
        return output
    }

    /// Whether a depthwise convolution with depth multiplier `dm` runs on the AVX2 / AVX-512 row kernel
    /// (`kp_depthwise_row`), not the portable loop: depth multiplier 1, unless the engine is forced to the portable
    /// path (`.blas`, for comparisons).
    static func usesRowKernel(multiplier dm: Int) -> Bool { dm == 1 && DirectGEMM.kernelsEnabled }

    /// Computes the depthwise convolution one output row (`line`: flattened `(n, oh)`) per work item, vectorised
    /// over channels, and runs `pass` on each row once it is complete (the AVX2 kernel applies it to the values in
    /// registers where it has the pass's form). Every output value is `0 + x·w + …` over the taps inside the input
    /// in kernel-row-major order (the AVX2 kernel keeps the sums in registers; the portable loop accumulates in the
    /// output row: the same values).
    /// - Parameter reluInput: read each input value through a ReLU (`KP_DW_RELU_INPUT`); only on the row kernel
    ///   (``usesRowKernel(multiplier:)``).
    static func depthwiseLoop(input: UnsafePointer<Float>, batch: Int, channels: Int, multiplier dm: Int,
                              kernel: UnsafePointer<Float>, rows: WindowAxis, cols: WindowAxis,
                              output: UnsafeMutablePointer<Float>, pass: PreparedPass?, reluInput: Bool = false) {
        let outChannels = channels * dm
        let lines = batch * rows.output
        let work = lines * cols.output * rows.kernel * cols.kernel * outChannels
        let direct = usesRowKernel(multiplier: dm)
        precondition(direct || !reluInput, "depthwiseLoop: the portable loop reads no ReLU of its input")
        let inputForm = reluInput ? Int32(KP_DW_RELU_INPUT) : 0
        let depthwiseRow = Ops.depthwiseRowKernel
        Parallel.forEachChunk(count: lines, work: work) { range in
            for line in range {
                let n = line / rows.output, oh = line % rows.output
                let image = input + n * rows.input * cols.input * channels
                let outLine = output + line * cols.output * outChannels
                if direct {
                    let applied = (pass ?? PreparedPass.none).withDepthwiseForm { form, sc, sh in
                        depthwiseRow(image, rows.input, cols.input, channels, kernel, rows.kernel, cols.kernel,
                                     oh, cols.output, rows.stride, cols.stride, rows.padBefore, cols.padBefore,
                                     rows.dilation, cols.dilation, outLine, form | inputForm, sc, sh)
                        return form > 0
                    }
                    if !applied { pass?.run(outLine, rows: cols.output, firstRow: line * cols.output) }
                    continue
                }
                outLine.update(repeating: 0, count: cols.output * outChannels)
                for i in 0..<rows.kernel {
                    let ih = oh * rows.stride - rows.padBefore + i * rows.dilation
                    if ih < 0 || ih >= rows.input { continue }
                    let inLine = image + ih * cols.input * channels
                    for j in 0..<cols.kernel {
                        let taps = kernel + (i * cols.kernel + j) * outChannels
                        for ow in 0..<cols.output {
                            let iw = ow * cols.stride - cols.padBefore + j * cols.dilation
                            if iw < 0 || iw >= cols.input { continue }
                            let o = outLine + ow * outChannels
                            let x = inLine + iw * channels
                            if dm == 1 {
                                multiplyAdd(o, x, taps, channels)
                            } else {
                                for c in 0..<channels {
                                    let v = x[c]
                                    let oc = o + c * dm, tc = taps + c * dm
                                    for mm in 0..<dm { oc[mm] += v * tc[mm] }
                                }
                            }
                        }
                    }
                }
                pass?.run(outLine, rows: cols.output, firstRow: line * cols.output)
            }
        }
    }
}

/// `o[i] += x[i] · w[i]` for `i < n`, in vectors (no fused multiply-add, so the tail rounds the same).
@inline(__always)
func multiplyAdd(_ o: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ n: Int) {
    let lanes = FloatVector.scalarCount
    var i = 0
    while i + lanes <= n {
        let xv = UnsafeRawPointer(x + i).loadUnaligned(as: FloatVector.self)
        let wv = UnsafeRawPointer(w + i).loadUnaligned(as: FloatVector.self)
        let ov = UnsafeRawPointer(o + i).loadUnaligned(as: FloatVector.self)
        UnsafeMutableRawPointer(o + i).storeBytes(of: ov + xv * wv, as: FloatVector.self)
        i += lanes
    }
    while i < n {
        o[i] += x[i] * w[i]
        i += 1
    }
}
