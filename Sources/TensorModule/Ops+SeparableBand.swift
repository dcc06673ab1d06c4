internal import CKernels

/// Keras `SeparableConv2D` band by band: the depthwise output of a few output rows (a band, kept in L2) and at once
/// the 1×1 pointwise GEMM over it, writing the final output rows, with the output pass on them while they are in
/// cache; instead of the whole depthwise output as a tensor (up to 11 MB in Xception's entry flow at batch 1), written
/// to memory and read back by the GEMM. The values are the unfused path's bit for bit: each depthwise row is the same
/// `kp_depthwise_row` call, and `kp_gemm` computes each output row from that row of A alone (its 6-row tiles only
/// group rows; a partial tile repeats a row and discards it; the K slices and the narrow kernel's order follow the
/// segments, here the 1×1 convolution's own, `Geometry.pointwise`), so the rows a GEMM call covers do not change a
/// value.
extension Ops {
    /// Floats of depthwise output per band, about 256 KiB: the band (the GEMM's A), the pointwise kernel and the band's
    /// output share a core's 1 MiB L2. (512 KiB measured the same on Xception's entry-flow shapes.)
    static let separableBandFloats = 1 << 16

    /// Pointwise kernels of more packed floats than this (256 KiB) are not banded: every band's GEMM streams the whole
    /// kernel from L3, so bands win only where the kernel is small beside the intermediate they keep out of memory.
    /// Measured in process against the unfused path on Xception's shapes (2 cores, paired runs, median ratios): kernels
    /// of 32–256 KiB (147×147×64→128, 147×147×128→128, 74×74×256→256) 0.80–0.87 at batch 1 and 0.64–0.81 at batch 8
    /// (74×74×128→256: 1.00 / 0.88); larger kernels all banded: 19×19×728→728 1.09 (b1), 10×10×1536→2048 1.9 (b1) and
    /// 3.0 (b8); even with bands of at least 288 rows where the unfused product splits rows (m > 1024) only
    /// 0.96–1.04, within the noise.
    static let separableBandMaxKernelFloats = 1 << 16

    /// The number of bands for the band-fused path (a multiple of the core count, so the cores get equal shares), or
    /// `nil` for the unfused one.
    static func separableBandCount(lines: Int, lineFloats: Int, packedFloats: Int) -> Int? {
        guard lines > 1, lineFloats > 0, lineFloats <= separableBandFloats,
              packedFloats <= separableBandMaxKernelFloats else { return nil }
        let perBand = max(1, separableBandFloats / lineFloats)
        let cores = Parallel.coreCount
        let bands = min(lines, ((lines + perBand - 1) / perBand + cores - 1) / cores * cores)
        return bands > 1 ? bands : nil
    }

    /// What the band-fused separable paths (this file's and ``separableConv2dMaxPooled(input:depthwiseKernel:pointwiseKernel:bias:strides:padding:dilation:activation:postOps:reluInput:pool:)``)
    /// run on: the packed pointwise kernel, the input channels, the filters and the depthwise windows; `nil` where
    /// they do not run (band fusion off, no AVX2 kernels or the engine forced to `.blas`, a depth multiplier other
    /// than 1, a pointwise kernel not held packed or not `[1, 1, channels, filters]`, a non-element-wise activation,
    /// `causal` padding, windows that do not fit).
    static func separableBandLayout(input: Tensor, depthwiseKernel: Tensor, pointwiseKernel: KernelOperand,
                                    strides: (Int, Int), padding: Padding, dilation: (Int, Int), activation: Activation)
        -> (packed: PackedKernel, channels: Int, filters: Int, rows: WindowAxis, cols: WindowAxis)? {
        let op = "separableConv2d"
        guard bandFusion, DirectGEMM.kernelsEnabled, activation.isElementwise,
              input.rank == 4, depthwiseKernel.rank == 4, padding != .causal,
              let packed = pointwiseKernel.packed else { return nil }
        let channels = input.shape[3]
        let ks = depthwiseKernel.shape, ps = pointwiseKernel.shape
        guard ks[2] == channels, ks[3] == 1, ps.count == 4, ps[0] == 1, ps[1] == 1, ps[2] == channels,
              packed.k == channels, packed.n == ps[3] else { return nil }
        let filters = ps[3]
        guard DirectGEMM.use(columns: filters, kernelCount: channels * filters),
              let rows = try? WindowAxis.make(operation: op, axisName: "height", input: input.shape[1],
                                              kernel: ks[0], stride: strides.0, dilation: dilation.0,
                                              padding: padding, zeroPadding: (0, 0)),
              let cols = try? WindowAxis.make(operation: op, axisName: "width", input: input.shape[2],
                                              kernel: ks[1], stride: strides.1, dilation: dilation.1,
                                              padding: padding, zeroPadding: (0, 0)) else { return nil }
        return (packed, channels, filters, rows, cols)
    }

    /// ``separableConv2d(input:depthwiseKernel:pointwiseKernel:bias:strides:padding:dilation:activation:postOps:)``
    /// band-fused, or `nil` (having done nothing) where that path does not apply: band fusion off (``bandFusion``,
    /// `KERASPORT_BAND_FUSION=0`), no AVX2 kernels or the engine forced to `.blas`, a depth multiplier other than 1, a pointwise kernel not held packed, a non-element-wise activation,
    /// any argument the unfused path would reject (it then throws its own error), or shapes where bands do not pay
    /// (``separableBandCount(lines:lineFloats:packedFloats:)``). `bands` overrides the number of bands (tests).
    /// `reluInput`: the depthwise kernel reads the ReLU of each input value (`KP_DW_RELU_INPUT`).
    static func separableConv2dBanded(input: Tensor, depthwiseKernel: Tensor, pointwiseKernel: KernelOperand,
                                      bias: Tensor?, strides: (Int, Int), padding: Padding, dilation: (Int, Int),
                                      activation: Activation, postOps: [PostOp], reluInput: Bool = false,
                                      bands: Int? = nil) -> Tensor? {
        let op = "separableConv2d"
        guard let (packed, channels, filters, rows, cols) = separableBandLayout(
            input: input, depthwiseKernel: depthwiseKernel, pointwiseKernel: pointwiseKernel, strides: strides,
            padding: padding, dilation: dilation, activation: activation) else { return nil }
        let batch = input.shape[0]
        let shape = [batch, rows.output, cols.output, filters]
        let lines = batch * rows.output, lineFloats = cols.output * channels
        guard let count = try? Tensor.checkedCount(shape, operation: op), count > 0, lineFloats > 0,
              (try? checkBias(bias, channels: filters, operation: op)) != nil,
              (try? checkPostOps(postOps, columns: filters, operation: op)) != nil,
              (try? checkPostOpTensors(postOps, count: count, operation: op)) != nil else { return nil }
        let packedFloats = packed.transposed ? channels * filters : kp_packed_b_count(channels, filters)
        guard let bands = bands ?? separableBandCount(lines: lines, lineFloats: lineFloats,
                                                      packedFloats: Int(packedFloats)),
              bands >= 1 else { return nil }
        let pass = PreparedPass(bias: bias, activation: activation, postOps: postOps, columns: filters)
        return Tensor.build(shape: shape, count: count) { out in
            input.scalars.withUnsafeBufferPointer { x in
                depthwiseKernel.scalars.withUnsafeBufferPointer { w in
                    separableBands(input: x.baseAddress!, channels: channels, kernel: w.baseAddress!, rows: rows,
                                   cols: cols, lines: lines, bands: min(bands, lines), pointwise: packed, filters: filters,
                                   output: out.baseAddress!, pass: pass, reluInput: reluInput)
                }
            }
        }
    }

    /// The `bands` bands of output lines (`[lines·b / bands, lines·(b+1) / bands)`), in runs of consecutive bands across
    /// the cores (a loop's default split, ``withLoopSplit(forBatch:_:)``): a thread's next band then reads the two
    /// input rows its windows share with the band before from its own L2, where with one band per chunk the next band
    /// was mostly the other core's (Xception's 147×147×128→128 layer in isolation, tools/xcep_bench/band.c, 2
    /// threads, 50 bands: CPU time summed over the threads, median of 30 alternating runs, 10.6 ms with one band per
    /// chunk, 10.1 ms with chunks of 3 bands, 9.9 ms with 6 — four chunks per core — and 9.8 ms with one chunk per
    /// core, the split of a prediction on a small batch). The band's
    /// depthwise rows (`kp_depthwise_row`) into the thread's scratch buffer, then `output` rows = scratch ·
    /// `pointwise` with `pass` on them (``DirectGEMM/multiply(a:geometry:m:b:c:ldc:splitColumns:wideTiles:pass:firstRow:)``
    /// on this thread: a loop nested in the band loop runs on its thread).
    static func separableBands(input: UnsafePointer<Float>, channels: Int, kernel: UnsafePointer<Float>,
                               rows: WindowAxis, cols: WindowAxis, lines: Int, bands: Int,
                               pointwise: PackedKernel, filters: Int, output: UnsafeMutablePointer<Float>,
                               pass: PreparedPass, reluInput: Bool = false) {
        let lineFloats = cols.output * channels
        let bandLines = (lines + bands - 1) / bands  // the longest band
        let work = lines * lineFloats * (rows.kernel * cols.kernel + filters)
        let inputForm = reluInput ? Int32(KP_DW_RELU_INPUT) : 0
        Parallel.forEachChunk(count: bands, work: work) { range in
            let scratch = threadScratch(bandLines * lineFloats, operation: "separableConv2d")
            for b in range {
                let l0 = lines * b / bands, l1 = lines * (b + 1) / bands
                separableRows(l0..<l1, input: input, channels: channels, kernel: kernel, rows: rows, cols: cols,
                              inputForm: inputForm, depthwise: scratch, pointwise: pointwise, filters: filters,
                              into: output + l0 * cols.output * filters, pass: pass)
            }
        }
    }

    /// Separable output rows `lines` (flattened `(n, oh)`) on this thread: their depthwise rows into `depthwise`
    /// (room for them all), then their 1×1 product with `pointwise` and `pass` into `c` (rows numbered as in the
    /// whole output for the pass). The rows of ``separableBands(input:channels:kernel:rows:cols:lines:bands:pointwise:filters:output:pass:reluInput:)``
    /// and of ``separableConv2dMaxPooled(input:depthwiseKernel:pointwiseKernel:bias:strides:padding:dilation:activation:postOps:reluInput:pool:)``.
    static func separableRows(_ lines: Range<Int>, input: UnsafePointer<Float>, channels: Int,
                              kernel: UnsafePointer<Float>, rows: WindowAxis, cols: WindowAxis, inputForm: Int32,
                              depthwise: UnsafeMutablePointer<Float>, pointwise: PackedKernel, filters: Int,
                              into c: UnsafeMutablePointer<Float>, pass: PreparedPass) {
        let lineFloats = cols.output * channels, imageFloats = rows.input * cols.input * channels
        let depthwiseRow = Ops.depthwiseRowKernel
        for line in lines {
            let n = line / rows.output, oh = line % rows.output
            depthwiseRow(input + n * imageFloats, rows.input, cols.input, channels, kernel, rows.kernel,
                         cols.kernel, oh, cols.output, rows.stride, cols.stride, rows.padBefore,
                         cols.padBefore, rows.dilation, cols.dilation, depthwise + (line - lines.lowerBound) * lineFloats,
                         inputForm, nil, nil)
        }
        let m = lines.count * cols.output
        DirectGEMM.multiply(a: depthwise, geometry: .pointwise(rows: m, channels: channels), m: m, b: pointwise, c: c,
                            ldc: filters, splitColumns: false, pass: pass, firstRow: lines.lowerBound * cols.output)
    }
}
