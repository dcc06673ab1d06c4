internal import CKernels

/// Keras `SeparableConv2D` (with its output pass: BatchNormalization and the like) and the `MaxPooling2D` that alone
/// reads its output, band by band: each band's depthwise rows, their 1×1 product through the output pass into a
/// buffer that stays in L2, and at once the max pooling of the band's windows, so the separable output (Xception's
/// block2 and block3: 147 × 147 × 128 and 74 × 74 × 256 at batch 1, 11 MB and 5.6 MB) is never written to memory and
/// read back; only the pooled output (a quarter of it) is. The values are those of the two layers run one after the
/// other, bit for bit: each separable row is made as ``separableConv2dBanded(input:depthwiseKernel:pointwiseKernel:bias:strides:padding:dilation:activation:postOps:reluInput:bands:)``
/// makes it (the same depthwise row call, the same product of that row through the same pass, the row numbered as
/// in the whole output), and each pooled row by the same row kernel as ``maxPool2d(input:poolSize:strides:padding:zeroPadding:)``
/// over the same values (the band's rows, the windows' rows above and below it being the pooling's own padding,
/// which it skips, only at the image's edges).
extension Ops {
    /// A max pooling's window over a channels-last image (no folded zero padding).
    package struct MaxPoolWindow: Sendable, Equatable {
        package let size: (Int, Int), strides: (Int, Int), padding: Padding
        package init(size: (Int, Int), strides: (Int, Int), padding: Padding) {
            (self.size, self.strides, self.padding) = (size, strides, padding)
        }
        package static func == (a: Self, b: Self) -> Bool {
            a.size == b.size && a.strides == b.strides && a.padding == b.padding
        }
    }

    /// Floats of a band's two buffers (its new depthwise rows and its separable output rows): 512 KiB, within a
    /// core's L2 beside the pointwise kernel.
    static let separablePoolBandFloats = 1 << 17

    /// The separable convolution then the max pooling `pool` of its output, band-fused, or `nil` (having done
    /// nothing) where the band-fused separable path would not run (``separableConv2dBanded(input:depthwiseKernel:pointwiseKernel:bias:strides:padding:dilation:activation:postOps:reluInput:bands:)``'s
    /// conditions: a pointwise kernel of at most ``separableBandMaxKernelFloats`` packed floats among them) or the
    /// pooling is not a valid max pooling of that output; the caller then runs the two layers. `postOps` must hold
    /// no residual `Add`.
    package static func separableConv2dMaxPooled(input: Tensor, depthwiseKernel: Tensor, pointwiseKernel: KernelOperand,
                                         bias: Tensor?, strides: (Int, Int), padding: Padding, dilation: (Int, Int),
                                         activation: Activation, postOps: [PostOp], reluInput: Bool,
                                         pool: MaxPoolWindow) -> Tensor? {
        let op = "separableConv2d"
        guard pool.padding != .causal, !postOps.contains(where: { if case .addTensor = $0 { true } else { false } }),
              let (packed, channels, filters, rows, cols) = separableBandLayout(
                input: input, depthwiseKernel: depthwiseKernel, pointwiseKernel: pointwiseKernel, strides: strides,
                padding: padding, dilation: dilation, activation: activation),
              let pRows = try? WindowAxis.make(operation: "maxPool2d", axisName: "height", input: rows.output,
                                               kernel: pool.size.0, stride: pool.strides.0, dilation: 1,
                                               padding: pool.padding, zeroPadding: (0, 0)),
              let pCols = try? WindowAxis.make(operation: "maxPool2d", axisName: "width", input: cols.output,
                                               kernel: pool.size.1, stride: pool.strides.1, dilation: 1,
                                               padding: pool.padding, zeroPadding: (0, 0)) else { return nil }
        let batch = input.shape[0]
        let convShape = [batch, rows.output, cols.output, filters]
        let shape = [batch, pRows.output, pCols.output, filters]
        let packedFloats = packed.transposed ? channels * filters : kp_packed_b_count(channels, filters)
        guard let convCount = try? Tensor.checkedCount(convShape, operation: op), convCount > 0,
              let count = try? Tensor.checkedCount(shape, operation: op), count > 0,
              packedFloats <= separableBandMaxKernelFloats,
              (try? checkBias(bias, channels: filters, operation: op)) != nil,
              (try? checkPostOps(postOps, columns: filters, operation: op)) != nil else { return nil }
        // Pooled rows per band: their separable rows (new depthwise rows and output rows) within the budget.
        let rowFloats = cols.output * (channels + filters)
        let fit = max(1, separablePoolBandFloats / rowFloats)
        let bandRows = max(1, (fit - pRows.kernel) / pRows.stride + 1)
        let convRowsMax = (bandRows - 1) * pRows.stride + pRows.kernel
        let outFloats = cols.output * filters, dwFloats = cols.output * channels
        let pass = PreparedPass(bias: bias, activation: activation, postOps: postOps, columns: filters)
        let inputForm = reluInput ? Int32(KP_DW_RELU_INPUT) : 0
        let maxPoolRow = Ops.maxPoolRowKernel
        let lines = batch * pRows.output
        let work = convCount * (rows.kernel * cols.kernel + channels) + count * pRows.kernel * pCols.kernel
        return Tensor.build(shape: shape, count: count) { out in
            let output = out.baseAddress!
            input.scalars.withUnsafeBufferPointer { xs in
                depthwiseKernel.scalars.withUnsafeBufferPointer { ws in
                    let x = xs.baseAddress!, kernel = ws.baseAddress!
                    Parallel.forEachChunk(count: lines, work: work) { chunk in
                        // The separable output rows [lo, hi) of the current image, then room for the new
                        // depthwise rows of a band (64-byte aligned).
                        let convFloats = (convRowsMax * outFloats + 15) / 16 * 16
                        let scratch = threadScratch(convFloats + convRowsMax * dwFloats, operation: op)
                        let conv = scratch, dw = scratch + convFloats
                        var line = chunk.lowerBound
                        while line < chunk.upperBound {
                            let n = line / pRows.output, first = line % pRows.output
                            let last = min(pRows.output, first + (chunk.upperBound - line))
                            var (lo, hi) = (0, 0)
                            var p = first
                            while p < last {
                                let p1 = min(last, p + bandRows)
                                // The separable rows the band's windows reach.
                                let needLo = max(0, min(rows.output, p * pRows.stride - pRows.padBefore))
                                let needHi = max(needLo, min(rows.output,
                                                             (p1 - 1) * pRows.stride - pRows.padBefore + pRows.kernel))
                                keepBandRows(conv, lo: &lo, hi: &hi, from: needLo, rowFloats: outFloats)
                                if needHi > hi {
                                    separableRows((n * rows.output + hi)..<(n * rows.output + needHi), input: x,
                                                  channels: channels, kernel: kernel, rows: rows, cols: cols,
                                                  inputForm: inputForm, depthwise: dw, pointwise: packed,
                                                  filters: filters, into: conv + (hi - lo) * outFloats, pass: pass)
                                    hi = needHi
                                }
                                // The band's pooled rows from rows [lo, hi): the rows beyond them are the image's
                                // edges (the pooling's padding) or rows no window of the band reaches.
                                for q in p..<p1 {
                                    maxPoolRow(conv, hi - lo, cols.output, filters, pRows.kernel, pCols.kernel,
                                               pRows.stride, pCols.stride, pRows.padBefore + lo, pCols.padBefore,
                                               0, 0, 0, 0, q, pCols.output,
                                               output + ((n * pRows.output + q) * pCols.output) * filters)
                                }
                                p = p1
                            }
                            line += last - first
                        }
                    }
                }
            }
        }
    }
}
