extension Ops {
    /// Keras `Conv2DTranspose` on `NHWC` input: one `cblas_sgemm` (input · kernelᵀ) then col2im.
    ///
    /// - Parameters:
    ///   - input: `[batch, height, width, inChannels]`.
    ///   - kernel: `[kh, kw, filters, inChannels]` — note OUT before IN (Keras/TF layout).
    ///   - bias: `[filters]`, or `nil`.
    ///   - strides: `(height, width)`.
    ///   - padding: `.valid` or `.same`.
    ///   - outputPadding: Keras `output_padding`, or `nil`.
    ///   - dilation: `(height, width)` dilation rates.
    /// - Returns: `[batch, outH, outW, filters]` with Keras' sizes: without output padding,
    ///   `valid → in·s + max(k_eff − s, 0)` (= `(in − 1)·s + k_eff` when `k_eff ≥ s`) and `same → in·s`;
    ///   with it, `(in − 1)·s + k_eff − 2·pad + output_padding` (`pad = k_eff / 2` for same, 0 for valid).
    ///   The placement padding is TensorFlow's: the forward-convolution padding of the output size.
    /// - Throws: ``TensorError`` for shape mismatches or an inconsistent output padding.
    package static func conv2dTranspose(input: Tensor, kernel: Tensor, bias: Tensor? = nil,
                                       strides: (Int, Int) = (1, 1), padding: Padding = .valid,
                                       outputPadding: (Int, Int)? = nil, dilation: (Int, Int) = (1, 1),
                                       activation: Activation = .linear) throws(TensorError) -> Tensor {
        try conv2dTranspose(input: input, kernel: TransposedKernel(kernel, strides: strides, dilation: dilation),
                            bias: bias, strides: strides, padding: padding, outputPadding: outputPadding,
                            dilation: dilation, activation: activation)
    }

    /// ``conv2dTranspose(input:kernel:bias:strides:padding:outputPadding:dilation:activation:)`` with the kernel as a
    /// compiled layer holds it (its phases packed once for the direct kernel, ``TransposedKernel``), and `postOps`:
    /// further element-wise steps of its output pass (a fused following layer).
    package static func conv2dTranspose(input: Tensor, kernel prepared: TransposedKernel, bias: Tensor? = nil,
                                       strides: (Int, Int) = (1, 1), padding: Padding = .valid,
                                       outputPadding: (Int, Int)? = nil, dilation: (Int, Int) = (1, 1),
                                       activation: Activation = .linear,
                                       postOps: [PostOp] = []) throws(TensorError) -> Tensor {
        let op = "conv2dTranspose"
        let kernel = prepared.tensor
        guard input.rank == 4 else { throw .shape(op, "input \(input.shape) must be [batch, height, width, channels]") }
        guard kernel.rank == 4 else { throw .shape(op, "kernel \(kernel.shape) must be [kh, kw, out, in]") }
        let rows = try transposedAxis(op, "height", input: input.shape[1], kernel: kernel.shape[0], stride: strides.0,
                                      dilation: dilation.0, padding: padding, outputPadding: outputPadding?.0)
        let cols = try transposedAxis(op, "width", input: input.shape[2], kernel: kernel.shape[1], stride: strides.1,
                                      dilation: dilation.1, padding: padding, outputPadding: outputPadding?.1)
        return try transposedConvolution(op, input: input, batch: input.shape[0], channels: input.shape[3],
                                         kernel: prepared, bias: bias, rows: rows, cols: cols, activation: activation,
                                         postOps: postOps, outShape: { [input.shape[0], rows.input, cols.input, $0] })
    }

    /// Keras `Conv1DTranspose` on `NLC` input; kernel `[k, filters, inChannels]`.
    /// - Returns: `[batch, outSteps, filters]` (sizes as in ``conv2dTranspose(input:kernel:bias:strides:padding:outputPadding:dilation:activation:)``).
    /// - Throws: ``TensorError`` for shape mismatches.
    package static func conv1dTranspose(input: Tensor, kernel: Tensor, bias: Tensor? = nil, stride: Int = 1,
                                       padding: Padding = .valid, outputPadding: Int? = nil, dilation: Int = 1,
                                       activation: Activation = .linear) throws(TensorError) -> Tensor {
        try conv1dTranspose(input: input, kernel: TransposedKernel(kernel, strides: (1, stride), dilation: (1, dilation)),
                            bias: bias, stride: stride, padding: padding, outputPadding: outputPadding,
                            dilation: dilation, activation: activation)
    }

    /// ``conv1dTranspose(input:kernel:bias:stride:padding:outputPadding:dilation:activation:)`` with the kernel as a
    /// compiled layer holds it (``TransposedKernel``, made with strides `(1, stride)`), and `postOps` as in
    /// ``conv2dTranspose(input:kernel:bias:strides:padding:outputPadding:dilation:activation:postOps:)``.
    package static func conv1dTranspose(input: Tensor, kernel prepared: TransposedKernel, bias: Tensor? = nil,
                                       stride: Int = 1, padding: Padding = .valid, outputPadding: Int? = nil,
                                       dilation: Int = 1, activation: Activation = .linear,
                                       postOps: [PostOp] = []) throws(TensorError) -> Tensor {
        let op = "conv1dTranspose"
        let kernel = prepared.tensor
        guard input.rank == 3 else { throw .shape(op, "input \(input.shape) must be [batch, steps, channels]") }
        guard kernel.rank == 3 else { throw .shape(op, "kernel \(kernel.shape) must be [k, out, in]") }
        let cols = try transposedAxis(op, "steps", input: input.shape[1], kernel: kernel.shape[0], stride: stride,
                                      dilation: dilation, padding: padding, outputPadding: outputPadding)
        let rows = WindowAxis(input: 1, output: 1, padBefore: 0, kernel: 1, stride: 1, dilation: 1)
        return try transposedConvolution(op, input: input, batch: input.shape[0], channels: input.shape[2],
                                         kernel: prepared, bias: bias, rows: rows, cols: cols, activation: activation,
                                         postOps: postOps, outShape: { [input.shape[0], cols.input, $0] })
    }

    /// Keras' transposed output length (`deconv_output_length`), and TensorFlow's placement padding.
    /// The returned axis describes the *forward* convolution: `input` is the transposed output length,
    /// `output` the transposed input length.
    static func transposedAxis(_ op: String, _ name: String, input: Int, kernel: Int, stride: Int, dilation: Int,
                               padding: Padding, outputPadding: Int?) throws(TensorError) -> WindowAxis {
        guard padding != .causal else { throw .argument(op, "padding causal is not supported for transposed convolutions") }
        guard kernel > 0, stride > 0, dilation > 0 else {
            throw .argument(op, "\(name) kernel \(kernel), stride \(stride) and dilation \(dilation) must be positive")
        }
        guard input >= 0, input < Int.max / 4 / stride, kernel < Int.max / 4 / dilation else {
            throw TensorError(.overflow, operation: op, message: "\(name) size \(input) is too large")
        }
        let effective = (kernel - 1) * dilation + 1
        let length: Int
        if let outputPadding {
            guard outputPadding >= 0, outputPadding < stride || outputPadding < dilation else {
                throw .argument(op, "\(name) output_padding \(outputPadding) must be non-negative and smaller than the stride \(stride) or dilation \(dilation)")
            }
            let pad = padding == .same ? effective / 2 : 0
            length = (input - 1) * stride + effective - 2 * pad + outputPadding
        } else {
            length = padding == .valid ? input * stride + max(effective - stride, 0) : input * stride
        }
        guard length >= 0 else { throw .shape(op, "\(name) output length \(length) is negative") }
        // TensorFlow derives the padding from the forward convolution over the output length.
        let forward: WindowAxis
        if length == 0 {
            forward = WindowAxis(input: 0, output: 0, padBefore: 0, kernel: kernel, stride: stride, dilation: dilation)
        } else if padding == .valid && length < effective {
            throw .shape(op, "\(name) output length \(length) is smaller than the (dilated) kernel \(effective)")
        } else {
            forward = try WindowAxis.make(operation: op, axisName: name, input: length, kernel: kernel, stride: stride,
                                          dilation: dilation, padding: padding)
        }
        guard forward.output == input else {
            throw .shape(op, "\(name): output length \(length) (output_padding \(outputPadding.map(String.init) ?? "none")) is inconsistent with input length \(input) and stride \(stride)")
        }
        return forward
    }

    static func transposedConvolution(_ op: String, input: Tensor, batch: Int, channels: Int,
                                      kernel prepared: TransposedKernel, bias: Tensor?, rows: WindowAxis,
                                      cols: WindowAxis, activation: Activation, postOps: [PostOp] = [],
                                      outShape: (Int) -> [Int]) throws(TensorError) -> Tensor {
        let kernel = prepared.tensor
        let kshape = kernel.shape
        let filters = kshape[kshape.count - 2]
        guard kshape[kshape.count - 1] == channels else {
            throw .shape(op, "kernel \(kshape) expects \(kshape[kshape.count - 1]) input channels (last axis), input \(input.shape) has \(channels)")
        }
        try checkBias(bias, channels: filters, operation: op)
        try checkPostOps(postOps, columns: filters, operation: op)
        let shape = outShape(filters)
        let count = try Tensor.checkedCount(shape, operation: op)
        try checkPostOpTensors(postOps, count: count, operation: op)
        let pixels = rows.output * cols.output            // transposed-input pixels per image
        let width = rows.kernel * cols.kernel * filters   // columns of the GEMM result
        try BLAS.check(op, batch * pixels, width, channels)
        // Phase by phase on the direct kernel where it runs (Ops+TransposedDirect.swift), else one GEMM then col2im.
        let pass = PreparedPass(bias: bias, activation: activation, postOps: postOps, columns: filters)
        var output = Tensor.build(shape: shape, count: count) { out in
            let direct = input.scalars.withUnsafeBufferPointer { x in
                transposedDirect(input: x.baseAddress ?? dummyPointer, batch: batch, channels: channels,
                                 kernel: prepared, filters: filters, rows: rows, cols: cols, output: out.baseAddress!,
                                 pass: pass)
            }
            if direct { return }
            input.scalars.withUnsafeBufferPointer { x in
                kernel.scalars.withUnsafeBufferPointer { w in
                    let imagesPerChunk = max(1, min(batch, im2colBudget / max(pixels * width, 1)))
                    let columns = alignedFloats(imagesPerChunk * pixels * width)
                    defer { columns.deallocate() }
                    var n0 = 0
                    while n0 < batch {
                        let n1 = min(batch, n0 + imagesPerChunk)
                        // columns[(n, h, w), (i, j, f)] = Σ_c x[n, h, w, c] · kernel[i, j, f, c]
                        BLAS.sgemm(transposeB: true, m: (n1 - n0) * pixels, n: width, k: channels,
                                   a: (x.baseAddress ?? dummyPointer) + n0 * pixels * channels, lda: max(channels, 1),
                                   b: w.baseAddress ?? dummyPointer, ldb: max(channels, 1), c: columns, ldc: max(width, 1))
                        col2im(columns: columns, images: n1 - n0, filters: filters, rows: rows, cols: cols,
                               output: out.baseAddress! + n0 * rows.input * cols.input * filters)
                        n0 = n1
                    }
                }
            }
            pass.run(out.baseAddress!, rows: count / max(filters, 1), firstRow: 0, parallel: true)
        }
        if !activation.isElementwise {
            try applyActivation(activation, to: &output)
            applyPostOps(postOps, to: &output, columns: filters)
        }
        return output
    }

    /// Gathers each transposed-output pixel from the GEMM columns that land on it
    /// (`oh = h·stride − padBefore + i·dilation`), so output rows can be split across cores.
    static func col2im(columns: UnsafePointer<Float>, images: Int, filters: Int, rows: WindowAxis, cols: WindowAxis,
                       output: UnsafeMutablePointer<Float>) {
        let width = rows.kernel * cols.kernel * filters
        let lines = images * rows.input
        Parallel.forEachChunk(count: lines, work: lines * cols.input * filters * rows.kernel * cols.kernel) { range in
            for line in range {
                let n = line / rows.input, oh = line % rows.input
                let outLine = output + line * cols.input * filters
                outLine.update(repeating: 0, count: cols.input * filters)
                for i in 0..<rows.kernel {
                    let t = oh + rows.padBefore - i * rows.dilation
                    guard t >= 0, t % rows.stride == 0 else { continue }
                    let h = t / rows.stride
                    guard h < rows.output else { continue }
                    for ow in 0..<cols.input {
                        let o = outLine + ow * filters
                        for j in 0..<cols.kernel {
                            let u = ow + cols.padBefore - j * cols.dilation
                            guard u >= 0, u % cols.stride == 0 else { continue }
                            let wIndex = u / cols.stride
                            guard wIndex < cols.output else { continue }
                            let src = columns + ((n * rows.output + h) * cols.output + wIndex) * width
                                + (i * cols.kernel + j) * filters
                            addInPlace(o, src, filters)
                        }
                    }
                }
            }
        }
    }
}

/// `o[i] += x[i]` for `i < n`.
@inline(__always)
func addInPlace(_ o: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ n: Int) {
    let lanes = FloatVector.scalarCount
    var i = 0
    while i + lanes <= n {
        let xv = UnsafeRawPointer(x + i).loadUnaligned(as: FloatVector.self)
        let ov = UnsafeRawPointer(o + i).loadUnaligned(as: FloatVector.self)
        UnsafeMutableRawPointer(o + i).storeBytes(of: ov + xv, as: FloatVector.self)
        i += lanes
    }
    while i < n {
        o[i] += x[i]
        i += 1
    }
}
