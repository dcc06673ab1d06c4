extension Ops {
    /// Keras `Conv2D` on `NHWC` input: im2col + `cblas_sgemm` per group, then bias and activation.
    ///
    /// - Parameters:
    ///   - input: `[batch, height, width, channels]`.
    ///   - kernel: `[kh, kw, channels / groups, filters]` (Keras layout).
    ///   - bias: `[filters]`, or `nil`.
    ///   - strides: `(height, width)` steps, ≥ 1.
    ///   - padding: `.valid` or `.same` (TensorFlow semantics: extra padding goes after).
    ///   - dilation: `(height, width)` dilation rates, ≥ 1.
    ///   - groups: channel groups; `channels` and `filters` must both be divisible by it.
    ///   - zeroPadding: `((top, bottom), (left, right))` rows and columns of zeros around the input before the
    ///     convolution (a folded `ZeroPadding2D`; `padding` then applies to the padded size). The zeros are never
    ///     a separate tensor: the direct kernel's padded copy or im2col writes them.
    ///   - activation: fused into the bias pass.
    ///   - postOps: further element-wise steps of the same output pass (a fused following layer).
    ///   - packedKernel: `kernel` packed by ``PackedKernel/pack(_:)`` (optional; saves re-packing it per call).
    ///   - winograd: `kernel` as a ``WinogradKernel`` (optional): 3×3 stride-1 convolutions may then run through
    ///     Winograd's algorithm (see ``Winograd``).
    /// - Returns: `[batch, outHeight, outWidth, filters]`; `same` gives `ceil(in / stride)`,
    ///   `valid` gives `(in - (k - 1)·dilation - 1) / stride + 1`.
    /// - Throws: ``TensorError`` for rank, channel, group, bias or window mismatches.
    package static func conv2d(input: Tensor, kernel: Tensor, bias: Tensor? = nil,
                              strides: (Int, Int) = (1, 1), padding: Padding = .valid,
                              dilation: (Int, Int) = (1, 1), groups: Int = 1,
                              zeroPadding: ((Int, Int), (Int, Int)) = ((0, 0), (0, 0)),
                              activation: Activation = .linear, postOps: [PostOp] = [],
                              packedKernel: PackedKernel? = nil,
                              winograd: WinogradKernel? = nil) throws(TensorError) -> Tensor {
        try conv2d(input: input, kernel: KernelOperand(kernel, packed: packedKernel), bias: bias, strides: strides,
                   padding: padding, dilation: dilation, groups: groups, zeroPadding: zeroPadding,
                   activation: activation, postOps: postOps, winograd: winograd)
    }

    /// ``conv2d(input:kernel:bias:strides:padding:dilation:groups:zeroPadding:activation:postOps:packedKernel:)``
    /// with the kernel as a compiled layer holds it (possibly only packed).
    package static func conv2d(input: Tensor, kernel: KernelOperand, bias: Tensor? = nil,
                              strides: (Int, Int) = (1, 1), padding: Padding = .valid,
                              dilation: (Int, Int) = (1, 1), groups: Int = 1,
                              zeroPadding: ((Int, Int), (Int, Int)) = ((0, 0), (0, 0)),
                              activation: Activation = .linear, postOps: [PostOp] = [],
                              winograd: WinogradKernel? = nil) throws(TensorError) -> Tensor {
        let op = "conv2d"
        guard input.rank == 4 else { throw .shape(op, "input \(input.shape) must be [batch, height, width, channels]") }
        guard kernel.shape.count == 4 else { throw .shape(op, "kernel \(kernel.shape) must be [kh, kw, in/groups, out]") }
        guard padding != .causal else { throw .argument(op, "padding causal is only defined for Conv1D") }
        let (rows, cols) = try WindowAxis.pair(operation: op, height: input.shape[1], width: input.shape[2],
                                               kernel: (kernel.shape[0], kernel.shape[1]), strides: strides,
                                               dilation: dilation, padding: padding, zeroPadding: zeroPadding)
        // Kernel rows or columns whose taps only ever meet padding (a 3×3 `same` layer on a 1-pixel-wide input:
        // InceptionV3's and ResNet's last stages at small input sizes) are cut off: their products are zeros.
        let (rowTaps, colTaps) = (rows.reachedTaps, cols.reachedTaps)
        let cut = rowTaps.count < rows.kernel || colTaps.count < cols.kernel
        return try convolution(op, input: input, batch: input.shape[0], channels: input.shape[3],
                               kernel: cut ? kernel.cropped(rows: rowTaps, cols: colTaps, groups: groups) : kernel,
                               kernelInChannels: kernel.shape[2], filters: kernel.shape[3], bias: bias,
                               rows: rows.cut(to: rowTaps), cols: cols.cut(to: colTaps), groups: groups,
                               activation: activation, postOps: postOps, winograd: cut ? nil : winograd,
                               outShape: { [input.shape[0], rows.output, cols.output, $0] })
    }

    /// Keras `Conv1D` on `NLC` input (`[batch, steps, channels]`), via the 2-D kernel with height 1.
    ///
    /// - Parameters:
    ///   - kernel: `[k, channels / groups, filters]`.
    ///   - padding: `.valid`, `.same`, or `.causal` (`(k - 1)·dilation` zeros before the sequence).
    ///   - postOps: further element-wise steps of the same output pass (a fused following layer).
    ///   - packedKernel: `kernel` packed by ``PackedKernel/pack(_:)`` (optional; saves re-packing it per call).
    /// - Returns: `[batch, outSteps, filters]`.
    /// - Throws: ``TensorError`` for rank, channel, group, bias or window mismatches.
    package static func conv1d(input: Tensor, kernel: Tensor, bias: Tensor? = nil, stride: Int = 1,
                              padding: Padding = .valid, dilation: Int = 1, groups: Int = 1,
                              activation: Activation = .linear, postOps: [PostOp] = [],
                              packedKernel: PackedKernel? = nil) throws(TensorError) -> Tensor {
        try conv1d(input: input, kernel: KernelOperand(kernel, packed: packedKernel), bias: bias, stride: stride,
                   padding: padding, dilation: dilation, groups: groups, activation: activation, postOps: postOps)
    }

    /// ``conv1d(input:kernel:bias:stride:padding:dilation:groups:activation:postOps:packedKernel:)`` with the
    /// kernel as a compiled layer holds it (possibly only packed).
    package static func conv1d(input: Tensor, kernel: KernelOperand, bias: Tensor? = nil, stride: Int = 1,
                              padding: Padding = .valid, dilation: Int = 1, groups: Int = 1,
                              activation: Activation = .linear, postOps: [PostOp] = []) throws(TensorError) -> Tensor {
        let op = "conv1d"
        guard input.rank == 3 else { throw .shape(op, "input \(input.shape) must be [batch, steps, channels]") }
        guard kernel.shape.count == 3 else { throw .shape(op, "kernel \(kernel.shape) must be [k, in/groups, out]") }
        let cols = try WindowAxis.make(operation: op, axisName: "steps", input: input.shape[1], kernel: kernel.shape[0],
                                       stride: stride, dilation: dilation, padding: padding, allowCausal: true)
        let rows = WindowAxis(input: 1, output: 1, padBefore: 0, kernel: 1, stride: 1, dilation: 1)
        return try convolution(op, input: input, batch: input.shape[0], channels: input.shape[2], kernel: kernel,
                               kernelInChannels: kernel.shape[1], filters: kernel.shape[2], bias: bias,
                               rows: rows, cols: cols, groups: groups, activation: activation, postOps: postOps,
                               outShape: { [input.shape[0], cols.output, $0] })
    }

    /// Shared body of conv1d / conv2d: validation, then im2col + GEMM per group and row chunk.
    static func convolution(_ op: String, input: Tensor, batch: Int, channels: Int, kernel: KernelOperand,
                            kernelInChannels: Int, filters: Int, bias: Tensor?,
                            rows: WindowAxis, cols: WindowAxis, groups: Int, activation: Activation,
                            postOps: [PostOp], winograd: WinogradKernel? = nil,
                            outShape: (Int) -> [Int]) throws(TensorError) -> Tensor {
        guard groups >= 1 else { throw .argument(op, "groups \(groups) must be ≥ 1") }
        guard channels % groups == 0, filters % groups == 0 else {
            throw .shape(op, "input channels \(channels) and filters \(filters) must be divisible by groups \(groups)")
        }
        guard kernelInChannels * groups == channels else {
            throw .shape(op, "kernel \(kernel.shape) expects \(kernelInChannels * groups) input channels (groups \(groups)), input \(input.shape) has \(channels)")
        }
        if groups > 1, kernelInChannels == 1 {
            // One input channel per group is a depthwise convolution (ConvNeXt's 7×7 `Conv2D(groups=channels)`):
            // the kernel `[…, 1, C·m]` holds the same floats in the same order as the depthwise `[…, C, m]`, and
            // output channel `c·m + j` is group `c`'s `j`-th filter in both, so it runs on the depthwise kernel
            // (vectorised across channels) instead of one tiny GEMM per group.
            var shape = kernel.shape
            shape[shape.count - 2] = channels
            shape[shape.count - 1] = filters / channels
            return try depthwise(op, input: input, batch: batch, channels: channels,
                                 kernel: try reshape(input: kernel.tensor, shape: shape), rows: rows, cols: cols, bias: bias,
                                 activation: activation, postOps: postOps, outShape: outShape)
        }
        try checkBias(bias, channels: filters, operation: op)
        try checkPostOps(postOps, columns: filters, operation: op)
        let shape = outShape(filters)
        let count = try Tensor.checkedCount(shape, operation: op)
        try checkPostOpTensors(postOps, count: count, operation: op)
        let m = batch * rows.output * cols.output
        let k = rows.kernel * cols.kernel * kernelInChannels
        try BLAS.check(op, m, filters, k, channels)
        // Bias, activation and post-ops on each finished block of rows while it is still in cache, as one pass
        // prepared once for all blocks (preparing it per block took 0.6–0.9 % of a prediction's samples).
        let pass = PreparedPass(bias: bias, activation: activation, postOps: postOps, columns: filters)
        var output = Tensor.build(shape: shape, count: count) { out in
            input.scalars.withUnsafeBufferPointer { x in
                convolve(input: x.baseAddress ?? dummyPointer, batch: batch, channels: channels,
                         kernel: kernel, groups: groups, filters: filters,
                         rows: rows, cols: cols, output: out.baseAddress!, winograd: winograd, pass: pass)
            }
        }
        if !activation.isElementwise {
            try applyActivation(activation, to: &output)
            applyPostOps(postOps, to: &output, columns: filters)
        }
        return output
    }

    /// Largest im2col buffer, in floats, built at once (chunks of output rows beyond it).
    static let im2colBudget = 1 << 21

    /// `output[m, filters] = im2col(input)[m, k] · kernel[k, filters]`, group by group, with `pass` over each range
    /// of output rows while it is in cache (in the GEMM's registers where ``DirectGEMM`` can, else once all the
    /// range's columns are computed).
    static func convolve(input: UnsafePointer<Float>, batch: Int, channels: Int, kernel: KernelOperand,
                         groups: Int, filters: Int, rows: WindowAxis, cols: WindowAxis,
                         output: UnsafeMutablePointer<Float>, winograd: WinogradKernel? = nil, pass: PreparedPass) {
        let m = batch * rows.output * cols.output
        guard m > 0, filters > 0 else { return }
        let finished = { (done: Range<Int>, concurrent: Bool) in
            pass.run(output + done.lowerBound * filters, rows: done.count, firstRow: done.lowerBound,
                     parallel: !concurrent)
        }
        let cin = channels / groups
        if groups == 1, let winograd, winograd.cin == channels, winograd.cout == filters,
           Winograd.applies(rows: rows, cols: cols),
           let tile = Winograd.choose(batch: batch, rows: rows, cols: cols, cin: channels, cout: filters) {
            convolveWinograd(input: input, batch: batch, cin: channels, cout: filters, rows: rows, cols: cols,
                             kernel: winograd.transformed(m: tile), output: output, finished: finished)
            return
        }
        let taps = rows.kernel * cols.kernel
        let k = taps * cin
        if groups > 1, kernel.groupKernels.count == groups, DirectGEMM.kernelsEnabled,
           convolveGroupedDirect(input: input, batch: batch, channels: channels, kernels: kernel.groupKernels,
                                 filters: filters, rows: rows, cols: cols, output: output, pass: pass) {
            return
        }
        if groups == 1, DirectGEMM.use(columns: filters, kernelCount: k * filters),
           convolveDirect(input: input, batch: batch, channels: channels, kernel: kernel, filters: filters,
                          rows: rows, cols: cols, output: output, pass: pass) {
            return
        }
        kernel.withValues { kernel in
            convolveBLAS(input: input, batch: batch, channels: channels, kernel: kernel, groups: groups,
                         filters: filters, rows: rows, cols: cols, output: output, finished: finished)
        }
    }

    /// ``convolve(input:batch:channels:kernel:groups:filters:rows:cols:output:winograd:pass:)`` through OpenBLAS;
    /// `finished` is called with each range of output rows once all its columns are computed (covering `0..<m`,
    /// on the calling thread).
    static func convolveBLAS(input: UnsafePointer<Float>, batch: Int, channels: Int, kernel: UnsafePointer<Float>,
                             groups: Int, filters: Int, rows: WindowAxis, cols: WindowAxis,
                             output: UnsafeMutablePointer<Float>,
                             finished: (Range<Int>, _ concurrent: Bool) -> Void) {
        let m = batch * rows.output * cols.output
        let cin = channels / groups, cout = filters / groups
        let taps = rows.kernel * cols.kernel
        let k = taps * cin
        // 1×1, stride 1, no padding, one group: the input already is the patch matrix.
        if taps == 1, groups == 1, rows.stride == 1, cols.stride == 1, rows.padBefore == 0, cols.padBefore == 0,
           rows.output == rows.input, cols.output == cols.input {
            BLAS.sgemm(m: m, n: filters, k: k, a: input, lda: max(k, 1), b: kernel, ldb: filters, c: output, ldc: filters)
            finished(0..<m, false)
            return
        }
        let chunkRows = max(1, min(m, im2colBudget / max(k, 1)))
        let patches = alignedFloats(chunkRows * k)
        defer { patches.deallocate() }
        for g in 0..<groups {
            var r0 = 0
            while r0 < m {
                let r1 = min(m, r0 + chunkRows)
                im2col(input: input, channels: channels, channelOffset: g * cin, groupChannels: cin,
                       rows: rows, cols: cols, rowRange: r0..<r1, patches: patches)
                BLAS.sgemm(m: r1 - r0, n: cout, k: k, a: patches, lda: max(k, 1),
                           b: kernel + g * cout, ldb: filters, c: output + r0 * filters + g * cout, ldc: filters)
                if groups == 1 { finished(r0..<r1, false) }
                r0 = r1
            }
        }
        if groups > 1 { finished(0..<m, false) }
    }

    /// The convolution through ``DirectGEMM``: the kernel reads each patch from a zero-padded copy of the input
    /// (no im2col buffer), and `pass` over the output as ``DirectGEMM/multiply(a:geometry:m:b:c:ldc:splitColumns:wideTiles:pass:firstRow:)``
    /// runs it. Returns `false` (having done nothing) when the padded copy would be much larger than the input (huge
    /// dilations or paddings), leaving the job to the im2col path.
    static func convolveDirect(input: UnsafePointer<Float>, batch: Int, channels: Int, kernel: KernelOperand,
                               filters: Int, rows: WindowAxis, cols: WindowAxis,
                               output: UnsafeMutablePointer<Float>, pass: PreparedPass) -> Bool {
        withPaddedInput(input, batch: batch, channels: channels, rows: rows, cols: cols) { source, hp, wp in
            let geometry = directGeometry(rows: rows, cols: cols, paddedHeight: hp, paddedWidth: wp,
                                          channels: channels)
            let packed = kernel.packedFor(k: geometry.k, n: filters)
            DirectGEMM.multiply(a: source, geometry: geometry, m: batch * rows.output * cols.output, b: packed,
                                c: output, ldc: filters, pass: pass)
        }
    }

    /// The direct GEMM's view of a one-group convolution's windows over a zero-padded NHWC copy `paddedHeight` ×
    /// `paddedWidth` pixels large (``withPaddedInput(_:batch:channels:rows:cols:_:)``): all output rows of each image.
    static func directGeometry(rows: WindowAxis, cols: WindowAxis, paddedHeight hp: Int, paddedWidth wp: Int,
                               channels: Int) -> DirectGEMM.Geometry {
        let offsets: [Int], lengths: [Int]
        if cols.dilation == 1 {
            // The taps of one kernel row are adjacent pixels holding all channels: one segment per kernel row.
            offsets = (0..<rows.kernel).map { $0 * rows.dilation * wp * channels }
            lengths = Array(repeating: cols.kernel * channels, count: rows.kernel)
        } else {
            offsets = tapOffsets(rows: rows, cols: cols, paddedWidth: wp, channels: channels)
            lengths = Array(repeating: channels, count: offsets.count)
        }
        return DirectGEMM.Geometry(outH: rows.output, outW: cols.output, imageStride: hp * wp * channels,
                                   rowStride: rows.stride * wp * channels, colStride: cols.stride * channels,
                                   segmentOffsets: offsets, segmentLengths: lengths)
    }

    /// A grouped convolution through ``DirectGEMM``, one product per group (`kernels[g]`: its `[kh·kw·in/groups,
    /// out/groups]` kernel, packed) reading the group's channels of the zero-padded input copy, one segment per tap,
    /// into its output columns; then `pass` over the output. With at least two groups per core the cores split the
    /// groups (each product on one thread, over all rows), else each product splits its rows. Returns `false`
    /// (having done nothing) where ``convolveDirect(input:batch:channels:kernel:filters:rows:cols:output:pass:)``
    /// does. The same values as the im2col + GEMM path (each output a sum over its group's taps and channels in the
    /// same order), up to the summation order within the products.
    static func convolveGroupedDirect(input: UnsafePointer<Float>, batch: Int, channels: Int, kernels: [PackedKernel],
                                      filters: Int, rows: WindowAxis, cols: WindowAxis,
                                      output: UnsafeMutablePointer<Float>, pass: PreparedPass) -> Bool {
        let groups = kernels.count
        guard groups > 0, channels % groups == 0, filters % groups == 0 else { return false }
        let (cin, cout) = (channels / groups, filters / groups)
        let m = batch * rows.output * cols.output
        let done = withPaddedInput(input, batch: batch, channels: channels, rows: rows, cols: cols) { source, hp, wp in
            // Group g's product reads the same taps from its first channel on.
            let offsets = tapOffsets(rows: rows, cols: cols, paddedWidth: wp, channels: channels)
            let geometry = DirectGEMM.Geometry(outH: rows.output, outW: cols.output, imageStride: hp * wp * channels,
                                               rowStride: rows.stride * wp * channels, colStride: cols.stride * channels,
                                               segmentOffsets: offsets,
                                               segmentLengths: Array(repeating: cin, count: offsets.count))
            func product(_ g: Int) {
                DirectGEMM.multiply(a: source + g * cin, geometry: geometry, m: m, b: kernels[g],
                                    c: output + g * cout, ldc: filters, splitColumns: false, pass: .none)
            }
            if groups >= 2 * Parallel.coreCount {
                Parallel.forEachChunk(count: groups, work: m * filters * rows.kernel * cols.kernel * cin) { range in
                    for g in range { product(g) }
                }
            } else {
                for g in 0..<groups { product(g) }
            }
        }
        if done { pass.run(output, rows: m, firstRow: 0, parallel: true) }
        return done
    }

    /// Offsets of a window's taps (kernel row by kernel row) from the window's first pixel in a zero-padded NHWC
    /// copy `paddedWidth` pixels wide.
    private static func tapOffsets(rows: WindowAxis, cols: WindowAxis, paddedWidth wp: Int, channels: Int) -> [Int] {
        (0..<rows.kernel).flatMap { i in
            (0..<cols.kernel).map { j in (i * rows.dilation * wp + j * cols.dilation) * channels }
        }
    }

    /// Whether ``withPaddedInput(_:batch:channels:rows:cols:_:)`` makes its copy (calls its body): false when the
    /// copy would be much larger than the input (huge dilations or paddings).
    static func paddedInputFits(batch: Int, channels: Int, rows: WindowAxis, cols: WindowAxis) -> Bool {
        let inputCount = batch * rows.input * cols.input * channels
        let (paddedCount, o1) = (batch * rows.paddedExtent).multipliedReportingOverflow(by: cols.paddedExtent * channels)
        return !o1 && paddedCount <= 2 * inputCount + (1 << 20)
    }

    /// Calls `body` with the input zero-padded to every row and column the windows reach (the input itself where
    /// it needs no padding) and the padded height and width; returns `false` without calling it when the copy
    /// would be much larger than the input (``paddedInputFits(batch:channels:rows:cols:)``).
    static func withPaddedInput(_ input: UnsafePointer<Float>, batch: Int, channels: Int, rows: WindowAxis,
                                cols: WindowAxis,
                                _ body: (UnsafePointer<Float>, _ hp: Int, _ wp: Int) -> Void) -> Bool {
        guard paddedInputFits(batch: batch, channels: channels, rows: rows, cols: cols) else { return false }
        let hp = rows.paddedExtent, wp = cols.paddedExtent
        withZeroPadded(input, batch: batch, channels: channels, height: rows.input, width: cols.input,
                       top: rows.padBefore, paddedHeight: hp, left: cols.padBefore, paddedWidth: wp) { body($0, hp, wp) }
        return true
    }

    /// Calls `body` with `batch` NHWC images `height` × `width` placed at row `top` and column `left` of zeros
    /// `paddedHeight` × `paddedWidth` large (the input itself where that adds nothing), in a buffer freed after it.
    static func withZeroPadded(_ input: UnsafePointer<Float>, batch: Int, channels: Int, height: Int, width: Int,
                               top: Int, paddedHeight hp: Int, left: Int, paddedWidth wp: Int,
                               _ body: (UnsafePointer<Float>) -> Void) {
        guard hp != height || wp != width else { return body(input) }
        let paddedCount = batch * hp * wp * channels
        let buffer = alignedFloats(paddedCount)
        defer { buffer.deallocate() }
        // Each padded row: zeros, the input row, zeros; rows outside the input: all zeros.
        let line = width * channels, paddedLine = wp * channels
        let before = left * channels, after = paddedLine - before - line
        Parallel.forEachChunk(count: batch * hp, work: paddedCount) { range in
            for row in range {
                let (n, h) = (row / hp, row % hp - top)
                let dst = buffer + row * paddedLine
                if h < 0 || h >= height {
                    dst.initialize(repeating: 0, count: paddedLine)
                    continue
                }
                dst.initialize(repeating: 0, count: before)
                (dst + before).initialize(from: input + (n * height + h) * line, count: line)
                (dst + before + line).initialize(repeating: 0, count: after)
            }
        }
        body(UnsafePointer(buffer))
    }

    /// Writes patch rows `rowRange` (flattened `(n, oh, ow)`) as `[kh][kw][groupChannels]`, zeros outside the input.
    static func im2col(input: UnsafePointer<Float>, channels: Int, channelOffset: Int, groupChannels cin: Int,
                       rows: WindowAxis, cols: WindowAxis, rowRange: Range<Int>, patches: UnsafeMutablePointer<Float>) {
        let k = rows.kernel * cols.kernel * cin
        let perImage = rows.output * cols.output
        let contiguousTaps = cols.dilation == 1 && cin == channels
        Parallel.forEachChunk(count: rowRange.count, work: rowRange.count * k) { local in
            for r in (rowRange.lowerBound + local.lowerBound)..<(rowRange.lowerBound + local.upperBound) {
                let n = r / perImage, rem = r % perImage
                let oh = rem / cols.output, ow = rem % cols.output
                var dst = patches + (r - rowRange.lowerBound) * k
                let image = input + n * rows.input * cols.input * channels + channelOffset
                for i in 0..<rows.kernel {
                    let ih = oh * rows.stride - rows.padBefore + i * rows.dilation
                    if ih < 0 || ih >= rows.input {
                        dst.update(repeating: 0, count: cols.kernel * cin)
                        dst += cols.kernel * cin
                        continue
                    }
                    let line = image + ih * cols.input * channels
                    let iw0 = ow * cols.stride - cols.padBefore
                    if contiguousTaps, iw0 >= 0, iw0 + cols.kernel <= cols.input {
                        // The whole kernel row is inside the image and its taps are adjacent pixels
                        // holding all channels: one copy.
                        dst.update(from: line + iw0 * channels, count: cols.kernel * cin)
                        dst += cols.kernel * cin
                        continue
                    }
                    for j in 0..<cols.kernel {
                        let iw = iw0 + j * cols.dilation
                        if iw < 0 || iw >= cols.input {
                            dst.update(repeating: 0, count: cin)
                        } else if cin <= 8 {
                            let src = line + iw * channels
                            for c in 0..<cin { dst[c] = src[c] }
                        } else {
                            dst.update(from: line + iw * channels, count: cin)
                        }
                        dst += cin
                    }
                }
            }
        }
    }
}

extension WindowAxis {
    /// Rows / columns the windows reach, counted from the first padding row / column: the size of the zero-padded
    /// copy ``Ops/withPaddedInput(_:batch:channels:rows:cols:_:)`` makes.
    var paddedExtent: Int {
        max(input + padBefore, (output - 1) * stride + (kernel - 1) * dilation + 1)
    }
}
