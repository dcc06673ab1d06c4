/// Transposed convolutions on the direct GEMM kernel, phase by phase, with no column buffer and no col2im.
///
/// With stride `s` (dilation 1), output row `oh` receives kernel row `i` from input row `h` exactly where
/// `oh + padBefore = h·s + i`: only the kernel rows `i ≡ (oh + padBefore) mod s` reach it, and along those taps `h`
/// steps down by one as `i` steps up by `s`. So the output rows of one residue `r` of the kernel rows (and the columns
/// of one residue `c`) are an ordinary stride-1 convolution of the input with the sub-kernel of taps `i ≡ r`, `j ≡ c`,
/// flipped (the "sub-pixel" form of a transposed convolution). Each of the `s_h·s_w` phases is one product of the
/// direct kernel, its windows read from a zero-padded copy of the input; the product's rows (the phase's output
/// pixels, every `s`-th of the output) are then moved into place. The sub-kernels are packed once, when a layer is
/// compiled (``TransposedKernel``).
///
/// Each output is a sum over the same taps and channels as the GEMM + col2im path's, in a different order (one chain
/// of FMAs over all its taps instead of one dot product per tap then added up), so the two agree to rounding.
extension Ops {
    /// A transposed convolution's kernel (`[kh, kw, filters, in]`, or `[k, filters, in]` in one dimension) with, on
    /// machines that run the direct GEMM kernel, one packed sub-kernel per phase (made once, where a compiled layer
    /// keeps it). Immutable; safe to share between threads.
    package final class TransposedKernel: Sendable {
        /// The kernel as given (the GEMM + col2im path's operand).
        package let tensor: Tensor
        let strides: Strides
        /// Phase `r·s_w + c`: the taps `i ≡ r (mod s_h)`, `j ≡ c (mod s_w)`, packed as a
        /// `[taps_r·taps_c·in, filters]` matrix in the order the phase's windows read the input (kernel rows from the
        /// last tap to the first, within each the kernel columns likewise, then the input channels); `nil` for a phase
        /// without taps. Empty where the direct kernel does not run, and for a kernel shorter than its stride.
        let phases: [PackedKernel?]

        /// Two-element strides (a `Sendable` pair).
        struct Strides: Sendable, Equatable { let rows: Int, cols: Int }

        /// - Parameters:
        ///   - kernel: `[kh, kw, filters, in]` (or `[k, filters, in]`, read as `kh = 1`).
        ///   - strides, dilation: the layer's (height, width) strides and dilation rates; phases are made only for a
        ///     dilation of 1 and positive strides.
        package init(_ kernel: Tensor, strides: (Int, Int), dilation: (Int, Int)) {
            tensor = kernel
            self.strides = Strides(rows: strides.0, cols: strides.1)
            let shape = kernel.shape
            guard DirectGEMM.available, shape.count == 3 || shape.count == 4, dilation == (1, 1),
                  strides.0 > 0, strides.1 > 0, kernel.count > 0, kernel.count <= DirectGEMM.maxPackedFloats else {
                phases = []
                return
            }
            let (kh, kw) = shape.count == 4 ? (shape[0], shape[1]) : (1, shape[0])
            let (filters, channels) = (shape[shape.count - 2], shape[shape.count - 1])
            // A kernel shorter than its stride leaves phases without taps, which this path does not run (and a
            // file's strides, however large, then cost nothing here: the loops below are bounded by the kernel).
            guard strides.0 <= kh, strides.1 <= kw else {
                phases = []
                return
            }
            var made: [PackedKernel?] = []
            kernel.scalars.withUnsafeBufferPointer { w in
                for r in 0..<strides.0 {
                    for c in 0..<strides.1 {
                        let tr = Ops.transposedTaps(residue: r, kernel: kh, stride: strides.0)
                        let tc = Ops.transposedTaps(residue: c, kernel: kw, stride: strides.1)
                        guard tr > 0, tc > 0 else {
                            made.append(nil)
                            continue
                        }
                        // The phase's taps in the order of its matrix's rows: kernel row r + s_h·(tr − 1 − u),
                        // column c + s_w·(tc − 1 − v), each a filters × in block of the kernel.
                        let taps = (0..<(tr * tc)).map { t in
                            let (i, j) = (r + strides.0 * (tr - 1 - t / tc), c + strides.1 * (tc - 1 - t % tc))
                            return UnsafePointer(w.baseAddress! + (i * kw + j) * filters * channels)
                        }
                        made.append(Ops.packTaps(taps, channels: channels, filters: filters))
                    }
                }
            }
            phases = made
        }
    }

    /// The `[taps·in, filters]` matrix whose rows are each tap's input channels in turn, packed, from the taps'
    /// `filters × in` blocks (the transposed convolution's kernel layout), without an unpacked copy first: each panel's
    /// 16 filters are gathered from 16 rows of a block read in step (the cores split the panels); the narrow kernel's
    /// `filters × k` layout is the blocks' rows copied whole.
    static func packTaps(_ taps: [UnsafePointer<Float>], channels: Int, filters: Int) -> PackedKernel {
        let k = taps.count * channels
        return PackedKernel(k: k, n: filters) { out, transposed in
            if transposed {
                for f in 0..<filters {
                    for (t, tap) in taps.enumerated() {
                        (out + f * k + t * channels).initialize(from: tap + f * channels, count: channels)
                    }
                }
                return
            }
            Parallel.forEachChunk(count: (filters + 15) / 16, work: k * filters, threshold: 1 << 18) { range in
                for p in range {
                    let (f0, width) = (p * 16, min(16, filters - p * 16))
                    var dst = out + p * k * 16
                    for tap in taps {
                        for ch in 0..<channels {
                            var src = tap + f0 * channels + ch
                            for j in 0..<width {
                                dst[j] = src.pointee
                                src += channels
                            }
                            for j in width..<16 { dst[j] = 0 }
                            dst += 16
                        }
                    }
                }
            }
        }
    }

    /// The number of kernel taps `i < kernel` with `i ≡ residue (mod stride)`.
    static func transposedTaps(residue: Int, kernel: Int, stride: Int) -> Int {
        residue < kernel ? (kernel - residue + stride - 1) / stride : 0
    }

    /// One axis of a transposed convolution as its phases see it (dilation 1): for residue `r` of the kernel taps,
    /// the first output position it reaches, how many it reaches (every `stride`-th), its taps, and the input position
    /// of its first output's first window (the window then covers `taps` consecutive input positions).
    struct TransposedPhaseAxis {
        let first: [Int], count: [Int], taps: [Int], windowStart: [Int]
        /// Zeros before the input, and the padded length, that every phase's windows fit in.
        let padBefore: Int, padded: Int

        /// `nil` where a phase that reaches outputs has no taps, or the axis has a dilation or negative padding.
        init?(_ axis: WindowAxis) {
            let s = axis.stride
            guard axis.dilation == 1, s > 0, axis.padBefore >= 0 else { return nil }
            var (first, count, taps, start) = ([Int](), [Int](), [Int](), [Int]())
            var (low, high) = (0, axis.output - 1)
            for r in 0..<s {
                let o0 = ((r - axis.padBefore) % s + s) % s
                let n = o0 < axis.input ? (axis.input - o0 + s - 1) / s : 0
                let t = Ops.transposedTaps(residue: r, kernel: axis.kernel, stride: s)
                if n > 0 && t == 0 { return nil }
                // The largest input position the first output's taps read: (o0 + padBefore − r) / s.
                let top = (o0 + axis.padBefore - r) / s
                first.append(o0); count.append(n); taps.append(t); start.append(top - max(t - 1, 0))
                if n > 0 {
                    low = min(low, top - (t - 1))
                    high = max(high, top + n - 1)
                }
            }
            (self.first, self.count, self.taps, windowStart) = (first, count, taps, start)
            padBefore = -low
            padded = high - low + 1
        }
    }

    /// A transposed convolution (`rows` / `cols`: the forward axes, as ``transposedAxis(_:_:input:kernel:stride:dilation:padding:outputPadding:)``
    /// makes them) into `output` (`[batch, rows.input, cols.input, filters]`) through the direct kernel, with `pass`
    /// on every value (output row `r` of the pass is output pixel `r`); `false` (having done nothing) where that path does not apply: no phases (no direct kernel,
    /// a dilation), the engine bound to OpenBLAS, a phase without taps that reaches outputs, or a padded input copy
    /// much larger than the input.
    static func transposedDirect(input: UnsafePointer<Float>, batch: Int, channels: Int, kernel: TransposedKernel,
                                 filters: Int, rows: WindowAxis, cols: WindowAxis, output: UnsafeMutablePointer<Float>,
                                 pass: PreparedPass) -> Bool {
        let (sh, sw) = (kernel.strides.rows, kernel.strides.cols)
        guard !kernel.phases.isEmpty, kernel.phases.count == sh * sw, rows.stride == sh, cols.stride == sw, filters > 0, channels > 0,
              batch > 0, rows.input > 0, cols.input > 0, rows.output > 0, cols.output > 0,
              DirectGEMM.use(columns: filters, kernelCount: kernel.tensor.count),
              let ph = TransposedPhaseAxis(rows), let pw = TransposedPhaseAxis(cols) else { return false }
        let inputCount = batch * rows.output * cols.output * channels
        let (paddedCount, o1) = (batch * ph.padded).multipliedReportingOverflow(by: pw.padded * channels)
        guard !o1, paddedCount <= 2 * inputCount + (1 << 20) else { return false }
        for r in 0..<sh where ph.count[r] > 0 {
            for c in 0..<sw where pw.count[c] > 0 && kernel.phases[r * sw + c] == nil { return false }
        }
        // A pass whose steps depend on the output row (a residual, a PReLU alpha per position) runs over the whole
        // output once it is in place; any other in the products, on rows still in cache.
        let byRow = pass.postOps.contains {
            switch $0 {
            case .addTensor: true
            case .prelu(_, let period): period > 1
            default: false
            }
        }
        let productPass = byRow ? PreparedPass.none : pass
        let (outH, outW) = (rows.input, cols.input)
        let imageStride = ph.padded * pw.padded * channels, rowStride = pw.padded * channels
        // A phase's product runs in chunks whose rows (at most about 1 MiB of output) stay in cache until they are
        // moved into place: whole images where a phase of one image fits, else rows of one image.
        let budget = max(1, (1 << 18) / filters)
        let scratch = alignedFloats(max(budget, pw.count.max() ?? 1) * filters)
        defer { scratch.deallocate() }
        withZeroPadded(input, batch: batch, channels: channels, height: rows.output, width: cols.output,
                       top: ph.padBefore, paddedHeight: ph.padded, left: pw.padBefore, paddedWidth: pw.padded) { x in
            for r in 0..<sh where ph.count[r] > 0 {
                for c in 0..<sw where pw.count[c] > 0 {
                    let (lines, width) = (ph.count[r], pw.count[c])
                    let geometryOffsets = (0..<ph.taps[r]).map { $0 * rowStride }
                    let segment = pw.taps[c] * channels
                    // The phase's first window in image 0.
                    let origin = x + ((ph.windowStart[r] + ph.padBefore) * pw.padded
                                      + pw.windowStart[c] + pw.padBefore) * channels
                    let linesPerChunk = max(1, min(lines, budget / width))
                    let imagesPerChunk = linesPerChunk == lines ? max(1, min(batch, budget / (lines * width))) : 1
                    var n = 0
                    while n < batch {
                        let images = min(imagesPerChunk, batch - n)
                        var a0 = 0
                        while a0 < lines {
                            let a1 = images > 1 ? lines : min(lines, a0 + linesPerChunk)
                            let geometry = DirectGEMM.Geometry(
                                outH: a1 - a0, outW: width, imageStride: imageStride, rowStride: rowStride,
                                colStride: channels, segmentOffsets: geometryOffsets,
                                segmentLengths: Array(repeating: segment, count: geometryOffsets.count))
                            let m = images * (a1 - a0) * width
                            DirectGEMM.multiply(a: origin + n * imageStride + a0 * rowStride, geometry: geometry, m: m,
                                                b: kernel.phases[r * sw + c]!, c: scratch, ldc: filters,
                                                pass: productPass)
                            // Row (image, line, b) of the product: output pixel (first + s_h·line, first + s_w·b).
                            let chunkLines = images * (a1 - a0)
                            Parallel.forEachChunk(count: chunkLines, work: m * filters) { range in
                                for l in range {
                                    let (img, a) = (n + l / (a1 - a0), a0 + l % (a1 - a0))
                                    let oh = ph.first[r] + sh * a
                                    var dst = output + ((img * outH + oh) * outW + pw.first[c]) * filters
                                    var src = UnsafePointer(scratch + l * width * filters)
                                    for _ in 0..<width {
                                        dst.update(from: src, count: filters)
                                        dst += sw * filters
                                        src += filters
                                    }
                                }
                            }
                            a0 = a1
                        }
                        n += images
                    }
                }
            }
        }
        if byRow { pass.run(output, rows: batch * outH * outW, firstRow: 0, parallel: true) }
        return true
    }
}
