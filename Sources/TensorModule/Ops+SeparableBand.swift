internal import CKernels
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Keras `SeparableConv2D` band by band: the depthwise output of a few output rows (a band, kept in L2) and at once
/// the 1×1 pointwise GEMM over it, writing the final output rows, with the output pass on them while they are in
/// cache; instead of the whole depthwise output as a tensor (up to 11 MB in Xception's entry flow at batch 1), written
/// to memory and read back by the GEMM. The values are the unfused path's bit for bit: each depthwise row is the same
/// `kp_depthwise_row` call, and `kp_gemm` computes each output row from that row of A alone (its 6-row tiles only
/// group rows; a partial tile repeats a row and discards it; the K slices follow the segments, here the same 256-float
/// pieces as the 1×1 convolution's), so the rows a GEMM call covers do not change a value.
extension Ops {
    /// Floats of depthwise output per band, about 256 KiB: the band (the GEMM's A), the pointwise kernel's K slice
    /// and the band's output share a core's 1 MiB L2.
    static let separableBandFloats = 1 << 16

    /// Pointwise kernels of more packed floats than this (256 KiB) are not banded: every band's GEMM streams the whole
    /// kernel, so the unfused path (whose GEMM splits the kernel's columns between the cores at small batches, each
    /// streaming its half once) moves less data when the kernel is larger than the intermediate it would save.
    static let separableBandMaxKernelFloats = 1 << 16

    /// The number of bands for the band-fused path (a multiple of the core count, so the cores get equal shares), or
    /// `nil` for the unfused one.
    static func separableBandCount(lines: Int, lineFloats: Int, outW: Int, packedFloats: Int) -> Int? {
        let t = bandTuning
        guard t.budget > 0, lines > 1, lineFloats > 0, lineFloats <= t.budget else { return nil }
        var perBand = max(1, t.budget / lineFloats)
        if packedFloats > t.maxKernel {
            // TEMPORARY rule 1: large kernels banded only where the unfused GEMM splits rows (m > 1024), bands of at
            // least minRows GEMM rows.
            guard t.rule == 1, lines * outW > 1024 else { return nil }
            perBand = max(perBand, (t.minRows + outW - 1) / outW)
        }
        let cores = Parallel.coreCount
        let bands = min(lines, ((lines + perBand - 1) / perBand + cores - 1) / cores * cores)
        return bands > 1 ? bands : nil
    }

    // TEMPORARY (tuning): KERASPORT_SEP_BAND = budget in KiB (0: off), KERASPORT_SEP_BMAX = max packed kernel KiB,
    // KERASPORT_SEP_RULE, KERASPORT_SEP_MINROWS.
    static let bandTuning: (budget: Int, maxKernel: Int, rule: Int, minRows: Int) = {
        func value(_ name: String, _ fallback: Int, scale: Int = 256) -> Int {
            if let v = getenv(name), let n = Int(String(cString: v)) { return n * scale }
            return fallback
        }
        return (value("KERASPORT_SEP_BAND", separableBandFloats),
                value("KERASPORT_SEP_BMAX", separableBandMaxKernelFloats),
                value("KERASPORT_SEP_RULE", 0, scale: 1), value("KERASPORT_SEP_MINROWS", 0, scale: 1))
    }()

    /// ``separableConv2d(input:depthwiseKernel:pointwiseKernel:bias:strides:padding:dilation:activation:postOps:)``
    /// band-fused, or `nil` (having done nothing) where that path does not apply: no AVX2 kernels or the engine forced
    /// to `.blas`, a depth multiplier other than 1, a pointwise kernel not held packed, a non-element-wise activation,
    /// any argument the unfused path would reject (it then throws its own error), or shapes where bands do not pay
    /// (``separableBandCount(lines:lineFloats:outW:packedFloats:)``). `bands` overrides the number of bands (tests).
    static func separableConv2dBanded(input: Tensor, depthwiseKernel: Tensor, pointwiseKernel: KernelOperand,
                                      bias: Tensor?, strides: (Int, Int), padding: Padding, dilation: (Int, Int),
                                      activation: Activation, postOps: [PostOp], bands: Int? = nil) -> Tensor? {
        let op = "separableConv2d"
        guard DirectGEMM.available, DirectGEMM.engine != .blas, activation.isElementwise,
              input.rank == 4, depthwiseKernel.rank == 4, padding != .causal,
              let packed = pointwiseKernel.packed else { return nil }
        let (batch, channels) = (input.shape[0], input.shape[3])
        let ks = depthwiseKernel.shape, ps = pointwiseKernel.shape
        guard ks[2] == channels, ks[3] == 1, ps == [1, 1, channels, ps[3]], packed.k == channels,
              packed.n == ps[3] else { return nil }
        let filters = ps[3]
        guard DirectGEMM.use(columns: filters, kernelCount: channels * filters),
              let rows = try? WindowAxis.make(operation: op, axisName: "height", input: input.shape[1],
                                              kernel: ks[0], stride: strides.0, dilation: dilation.0,
                                              padding: padding, zeroPadding: (0, 0)),
              let cols = try? WindowAxis.make(operation: op, axisName: "width", input: input.shape[2],
                                              kernel: ks[1], stride: strides.1, dilation: dilation.1,
                                              padding: padding, zeroPadding: (0, 0)) else { return nil }
        let shape = [batch, rows.output, cols.output, filters]
        let lines = batch * rows.output, lineFloats = cols.output * channels
        guard let count = try? Tensor.checkedCount(shape, operation: op), count > 0, lineFloats > 0,
              (try? checkBias(bias, channels: filters, operation: op)) != nil,
              (try? checkPostOps(postOps, columns: filters, operation: op)) != nil,
              (try? checkPostOpTensors(postOps, count: count, operation: op)) != nil else { return nil }
        let packedFloats = packed.transposed ? channels * filters : kp_packed_b_count(channels, filters)
        guard let bands = bands ?? separableBandCount(lines: lines, lineFloats: lineFloats, outW: cols.output,
                                                      packedFloats: Int(packedFloats)),
              bands >= 1 else { return nil }
        return Tensor.build(shape: shape, count: count) { out in
            input.scalars.withUnsafeBufferPointer { x in
                depthwiseKernel.scalars.withUnsafeBufferPointer { w in
                    separableBands(input: x.baseAddress!, channels: channels, kernel: w.baseAddress!, rows: rows,
                                   cols: cols, lines: lines, bands: min(bands, lines), pointwise: packed, filters: filters,
                                   output: out.baseAddress!) { o, rows, firstRow in
                        epilogue(o, rows: rows, columns: filters, bias: bias, activation: activation,
                                 postOps: postOps, firstRow: firstRow, parallel: false)
                    }
                }
            }
        }
    }

    /// The `bands` bands of output lines (`[lines·b / bands, lines·(b+1) / bands)`), one work item each across the cores: the band's
    /// depthwise rows (`kp_depthwise_row`) into the thread's scratch buffer, then `output` rows = scratch ·
    /// `pointwise` (``DirectGEMM/multiply(a:geometry:m:b:c:ldc:finished:)`` on this thread: a loop nested in the
    /// band loop runs on its thread), then `finished(rows pointer, row count, first row in the whole output)`.
    static func separableBands(input: UnsafePointer<Float>, channels: Int, kernel: UnsafePointer<Float>,
                               rows: WindowAxis, cols: WindowAxis, lines: Int, bands: Int,
                               pointwise: PackedKernel, filters: Int, output: UnsafeMutablePointer<Float>,
                               finished: (UnsafeMutablePointer<Float>, Int, Int) -> Void) {
        let lineFloats = cols.output * channels
        let imageFloats = rows.input * cols.input * channels
        let bandLines = (lines + bands - 1) / bands  // the longest band
        let work = lines * lineFloats * (rows.kernel * cols.kernel + filters)
        Parallel.forEachChunk(count: bands, work: work, chunksPerCore: bands) { range in
            guard let scratch = kp_thread_scratch(bandLines * lineFloats) else {
                fatalError("separableConv2d: cannot allocate a band buffer of \(bandLines * lineFloats) floats")
            }
            for b in range {
                let l0 = lines * b / bands, l1 = lines * (b + 1) / bands
                for line in l0..<l1 {
                    let n = line / rows.output, oh = line % rows.output
                    kp_depthwise_row(input + n * imageFloats, rows.input, cols.input, channels, kernel, rows.kernel,
                                     cols.kernel, oh, cols.output, rows.stride, cols.stride, rows.padBefore,
                                     cols.padBefore, rows.dilation, cols.dilation, scratch + (line - l0) * lineFloats)
                }
                let m = (l1 - l0) * cols.output, first = l0 * cols.output
                let c = output + first * filters
                DirectGEMM.multiply(a: scratch, geometry: .matrix(rows: m, k: channels, lda: channels), m: m,
                                    b: pointwise, c: c, ldc: filters) { done, _ in
                    finished(c + done.lowerBound * filters, done.count, first + done.lowerBound)
                }
            }
        }
    }
}
