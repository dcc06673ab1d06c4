internal import CKernels

extension Ops {
    /// Keras `MaxPooling2D` on `NHWC` input.
    ///
    /// Matches TensorFlow's CPU kernel: the running maximum starts at `-Float.greatestFiniteMagnitude`
    /// and takes a value only when it is greater, so padding never wins and NaNs are skipped.
    /// - Parameters:
    ///   - poolSize: `(height, width)` window.
    ///   - strides: `(height, width)` steps; `nil` means `poolSize` (the Keras default).
    ///   - padding: `.valid` or `.same`.
    /// - Returns: `[batch, outH, outW, channels]`.
    /// - Throws: ``TensorError`` for a wrong rank or a window that does not fit.
    ///   - zeroPadding: `((top, bottom), (left, right))` rows and columns of zeros around the input before the
    ///     pooling (a folded `ZeroPadding2D`; `padding` then applies to the padded size). The zeros are values
    ///     like any other: a window that covers one takes the maximum with 0 (a window of negative values next to
    ///     the border gives 0), while `same` padding beyond them never wins. No padded tensor is written.
    package static func maxPool2d(input: Tensor, poolSize: (Int, Int), strides: (Int, Int)? = nil,
                                 padding: Padding = .valid,
                                 zeroPadding: ((Int, Int), (Int, Int)) = ((0, 0), (0, 0))) throws(TensorError) -> Tensor {
        try pool2d("maxPool2d", input: input, poolSize: poolSize, strides: strides, padding: padding, max: true,
                   zeroPadding: zeroPadding)
    }

    /// Keras `AveragePooling2D` on `NHWC` input. With `same` padding each window is averaged over
    /// the input values it covers only (padding is excluded from the count), as TensorFlow does.
    /// - Returns: `[batch, outH, outW, channels]`.
    /// - Throws: ``TensorError`` for a wrong rank or a window that does not fit.
    package static func avgPool2d(input: Tensor, poolSize: (Int, Int), strides: (Int, Int)? = nil,
                                 padding: Padding = .valid) throws(TensorError) -> Tensor {
        try pool2d("avgPool2d", input: input, poolSize: poolSize, strides: strides, padding: padding, max: false)
    }

    /// Keras `MaxPooling1D` on `NLC` input; `stride` `nil` means `poolSize`.
    /// - Throws: ``TensorError`` for a wrong rank or a window that does not fit.
    package static func maxPool1d(input: Tensor, poolSize: Int, stride: Int? = nil,
                                 padding: Padding = .valid) throws(TensorError) -> Tensor {
        try pool1d("maxPool1d", input: input, poolSize: poolSize, stride: stride, padding: padding, max: true)
    }

    /// Keras `AveragePooling1D` on `NLC` input (padding excluded from the count with `same`).
    /// - Throws: ``TensorError`` for a wrong rank or a window that does not fit.
    package static func avgPool1d(input: Tensor, poolSize: Int, stride: Int? = nil,
                                 padding: Padding = .valid) throws(TensorError) -> Tensor {
        try pool1d("avgPool1d", input: input, poolSize: poolSize, stride: stride, padding: padding, max: false)
    }

    /// Keras `GlobalAveragePooling2D`: mean over height and width of `NHWC` input.
    /// - Returns: `[batch, channels]`, or `[batch, 1, 1, channels]` with `keepDims`.
    /// - Throws: ``TensorError`` unless the input has rank 4.
    package static func globalAvgPool2d(input: Tensor, keepDims: Bool = false) throws(TensorError) -> Tensor {
        guard input.rank == 4 else { throw .shape("globalAvgPool2d", "input \(input.shape) must be [batch, height, width, channels]") }
        return globalPool(input: input, max: false, keptShape: keepDims ? [input.shape[0], 1, 1, input.shape[3]] : nil)
    }

    /// Keras `GlobalMaxPooling2D`: maximum over height and width of `NHWC` input.
    /// - Returns: `[batch, channels]`, or `[batch, 1, 1, channels]` with `keepDims`.
    /// - Throws: ``TensorError`` unless the input has rank 4.
    package static func globalMaxPool2d(input: Tensor, keepDims: Bool = false) throws(TensorError) -> Tensor {
        guard input.rank == 4 else { throw .shape("globalMaxPool2d", "input \(input.shape) must be [batch, height, width, channels]") }
        return globalPool(input: input, max: true, keptShape: keepDims ? [input.shape[0], 1, 1, input.shape[3]] : nil)
    }

    /// Keras `GlobalAveragePooling1D`: mean over the steps of `NLC` input.
    /// - Returns: `[batch, channels]`, or `[batch, 1, channels]` with `keepDims`.
    /// - Throws: ``TensorError`` unless the input has rank 3.
    package static func globalAvgPool1d(input: Tensor, keepDims: Bool = false) throws(TensorError) -> Tensor {
        guard input.rank == 3 else { throw .shape("globalAvgPool1d", "input \(input.shape) must be [batch, steps, channels]") }
        return globalPool(input: input, max: false, keptShape: keepDims ? [input.shape[0], 1, input.shape[2]] : nil)
    }

    /// Keras `GlobalMaxPooling1D`: maximum over the steps of `NLC` input.
    /// - Returns: `[batch, channels]`, or `[batch, 1, channels]` with `keepDims`.
    /// - Throws: ``TensorError`` unless the input has rank 3.
    package static func globalMaxPool1d(input: Tensor, keepDims: Bool = false) throws(TensorError) -> Tensor {
        guard input.rank == 3 else { throw .shape("globalMaxPool1d", "input \(input.shape) must be [batch, steps, channels]") }
        return globalPool(input: input, max: true, keptShape: keepDims ? [input.shape[0], 1, input.shape[2]] : nil)
    }

    static func pool2d(_ op: String, input: Tensor, poolSize: (Int, Int), strides: (Int, Int)?, padding: Padding,
                       max: Bool, zeroPadding: ((Int, Int), (Int, Int)) = ((0, 0), (0, 0))) throws(TensorError) -> Tensor {
        guard input.rank == 4 else { throw .shape(op, "input \(input.shape) must be [batch, height, width, channels]") }
        guard padding != .causal else { throw .argument(op, "padding causal is not defined for pooling") }
        let s = strides ?? poolSize
        let rows = try WindowAxis.make(operation: op, axisName: "height", input: input.shape[1], kernel: poolSize.0,
                                       stride: s.0, dilation: 1, padding: padding, zeroPadding: zeroPadding.0)
        let cols = try WindowAxis.make(operation: op, axisName: "width", input: input.shape[2], kernel: poolSize.1,
                                       stride: s.1, dilation: 1, padding: padding, zeroPadding: zeroPadding.1)
        return try pool(op, input: input, channels: input.shape[3], rows: rows, cols: cols, max: max,
                        shape: [input.shape[0], rows.output, cols.output, input.shape[3]],
                        zeros: (zeroPadding.0, zeroPadding.1))
    }

    static func pool1d(_ op: String, input: Tensor, poolSize: Int, stride: Int?, padding: Padding,
                       max: Bool) throws(TensorError) -> Tensor {
        guard input.rank == 3 else { throw .shape(op, "input \(input.shape) must be [batch, steps, channels]") }
        guard padding != .causal else { throw .argument(op, "padding causal is not defined for pooling") }
        let cols = try WindowAxis.make(operation: op, axisName: "steps", input: input.shape[1], kernel: poolSize,
                                       stride: stride ?? poolSize, dilation: 1, padding: padding)
        let rows = WindowAxis(input: 1, output: 1, padBefore: 0, kernel: 1, stride: 1, dilation: 1)
        return try pool(op, input: input, channels: input.shape[2], rows: rows, cols: cols, max: max,
                        shape: [input.shape[0], cols.output, input.shape[2]])
    }

    /// The pooling loop. `zeros` are rows / columns of zeros ((before, after) per axis, already counted in the
    /// axes' `padBefore` and output sizes) that lie around the input as values, a folded `ZeroPadding2D`: a window
    /// takes them in its row-major order as it would from the padded tensor (the same comparisons, in the same
    /// order, as pooling that tensor), while positions beyond them (the pooling's own `same` padding) are skipped.
    static func pool(_ op: String, input: Tensor, channels: Int, rows: WindowAxis, cols: WindowAxis, max: Bool,
                     shape: [Int], zeros: ((Int, Int), (Int, Int)) = ((0, 0), (0, 0))) throws(TensorError) -> Tensor {
        let count = try Tensor.checkedCount(shape, operation: op)
        let batch = input.shape[0]
        return Tensor.build(shape: shape, count: count) { out in
            input.scalars.withUnsafeBufferPointer { xb in
                let x = xb.baseAddress ?? dummyPointer, o = out.baseAddress!
                let lines = batch * rows.output
                // The AVX2 or AVX-512 row kernel for max pooling (each window's maximum in registers; the same
                // values), unless the engine is forced to the portable path (`.blas`, for comparisons).
                let direct = max && DirectGEMM.kernelsEnabled
                let maxPoolRow = Ops.maxPoolRowKernel
                Parallel.forEachChunk(count: lines, work: count * rows.kernel * cols.kernel) { range in
                    for line in range {
                        let n = line / rows.output, oh = line % rows.output
                        let image = x + n * rows.input * cols.input * channels
                        if direct {
                            maxPoolRow(image, rows.input, cols.input, channels, rows.kernel, cols.kernel, rows.stride,
                                       cols.stride, rows.padBefore, cols.padBefore, zeros.0.0, zeros.0.1, zeros.1.0,
                                       zeros.1.1, oh, cols.output, o + line * cols.output * channels)
                            continue
                        }
                        // The window's rows and columns inside the input and its zeros, relative to the input.
                        let h0 = Swift.max(oh * rows.stride - rows.padBefore, -zeros.0.0)
                        let h1 = Swift.min(oh * rows.stride - rows.padBefore + rows.kernel, rows.input + zeros.0.1)
                        for ow in 0..<cols.output {
                            let w0 = Swift.max(ow * cols.stride - cols.padBefore, -zeros.1.0)
                            let w1 = Swift.min(ow * cols.stride - cols.padBefore + cols.kernel, cols.input + zeros.1.1)
                            let dst = o + (line * cols.output + ow) * channels
                            dst.update(repeating: max ? -Float.greatestFiniteMagnitude : 0, count: channels)
                            for ih in h0..<Swift.max(h1, h0) {
                                let rowInside = ih >= 0 && ih < rows.input
                                for iw in w0..<Swift.max(w1, w0) {
                                    guard rowInside, iw >= 0, iw < cols.input else {
                                        // A zero of the folded padding: max(·, 0); a sum is unchanged by it.
                                        if max { maxZeroInPlace(dst, channels) }
                                        continue
                                    }
                                    let src = image + (ih * cols.input + iw) * channels
                                    if max { maxInPlace(dst, src, channels) } else { addInPlace(dst, src, channels) }
                                }
                            }
                            if !max {
                                let taps = Float(Swift.max(h1 - h0, 0) * Swift.max(w1 - w0, 0))
                                for c in 0..<channels { dst[c] /= taps }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Positions per segment from which global pooling reduces an image in ``globalPoolSegments`` fixed segments
    /// of its positions.
    static let globalPoolSegmentMin = 1024

    /// Images of at least 4 × ``globalPoolSegmentMin`` positions are reduced in this many fixed segments of their
    /// positions (each from +0 / −inf in order), then the segments' results in order: the cores can split one image's
    /// positions (at batch 1, EfficientNetB0's squeeze-and-excitation mean over 112 × 112 × 32 took longer on two
    /// cores than on one when they split its channels: each core's 16 channels are half of every pixel's two cache
    /// lines, and the lines come in pairs), and the values depend on the image's shape alone, not on the batch or
    /// the number of cores.
    static let globalPoolSegments = 4

    /// The position ranges global pooling reduces an image of `positions` positions in, one after the other.
    static func globalPoolSegmentBounds(positions: Int) -> [Range<Int>] {
        let segments = positions >= globalPoolSegments * globalPoolSegmentMin ? globalPoolSegments : 1
        return (0..<segments).map { s in s * positions / segments..<(s + 1) * positions / segments }
    }

    /// Reduces every axis between the batch and the channels (mean or max).
    static func globalPool(input: Tensor, max: Bool, keptShape: [Int]?) -> Tensor {
        let batch = input.shape[0], channels = input.shape[input.rank - 1]
        let positions = product(input.shape.dropFirst().dropLast())
        let shape = keptShape ?? [batch, channels]
        let bounds = globalPoolSegmentBounds(positions: positions)
        let segments = bounds.count
        return Tensor.build(shape: shape, count: batch * channels) { out in
            input.scalars.withUnsafeBufferPointer { xb in
                let x = xb.baseAddress ?? dummyPointer, o = out.baseAddress!
                // Each segment's result per image and channel (the output itself where there is one segment).
                let partial = segments == 1 ? o : alignedFloats(batch * segments * channels)
                defer { if segments > 1 { partial.deallocate() } }
                if DirectGEMM.kernelsEnabled {
                    // The AVX2 column reduction (the same values): the running values in registers, and the cores
                    // split images × segments × blocks of up to 64 channels (at batch 1 the images alone left one
                    // core idle: EfficientNetB0's squeeze-and-excitation means over 112×112×32 and 56×56×144 took
                    // 0.06–0.09 ms each on two cores). Where blocks of 64 would not give each core two (a small
                    // batch of images in one segment), one block per core of whole vectors: the means are
                    // memory-bound, and blocks of 64 left one core all of a 32-channel image, two thirds of a
                    // 96-channel one.
                    var width = 64
                    if batch * segments * ((channels + 63) / 64) < 2 * Parallel.coreCount {
                        width = Swift.max(8, ((channels + Parallel.coreCount - 1) / Parallel.coreCount + 7) / 8 * 8)
                    }
                    let blocks = (channels + width - 1) / width
                    Parallel.forEachChunk(count: batch * segments * blocks, work: input.count) { range in
                        for i in range {
                            let n = i / (segments * blocks), s = i / blocks % segments
                            let c0 = (i % blocks) * width, c1 = Swift.min(channels, c0 + width)
                            kp_column_reduce(x + (n * positions + bounds[s].lowerBound) * channels, bounds[s].count,
                                             channels, c0, c1, partial + (n * segments + s) * channels, max ? 1 : 0)
                        }
                    }
                } else {
                    Parallel.forEachChunk(count: batch * segments, work: input.count) { range in
                        for i in range {
                            let n = i / segments, dst = partial + i * channels
                            dst.update(repeating: max ? -.infinity : 0, count: channels)
                            for p in bounds[i % segments] {
                                let src = x + (n * positions + p) * channels
                                if max { maxInPlace(dst, src, channels) } else { addInPlace(dst, src, channels) }
                            }
                        }
                    }
                }
                for n in 0..<batch {
                    let dst = o + n * channels
                    if segments > 1 {
                        dst.update(from: partial + n * segments * channels, count: channels)
                        for s in 1..<segments {
                            let src = partial + (n * segments + s) * channels
                            if max { maxInPlace(dst, src, channels) } else { addInPlace(dst, src, channels) }
                        }
                    }
                    if !max {
                        let d = Float(positions)
                        for c in 0..<channels { dst[c] /= d }
                    }
                }
            }
        }
    }
}

/// `o[i] = 0 > o[i] ? 0 : o[i]`: ``maxInPlace(_:_:_:)`` with `x` a row of zeros (+0).
@inline(__always)
func maxZeroInPlace(_ o: UnsafeMutablePointer<Float>, _ n: Int) {
    let lanes = FloatVector.scalarCount
    let zero = FloatVector(repeating: 0)
    var i = 0
    while i + lanes <= n {
        let ov = UnsafeRawPointer(o + i).loadUnaligned(as: FloatVector.self)
        UnsafeMutableRawPointer(o + i).storeBytes(of: ov.replacing(with: zero, where: zero .> ov), as: FloatVector.self)
        i += lanes
    }
    while i < n {
        if 0 > o[i] { o[i] = 0 }
        i += 1
    }
}

/// `o[i] = x[i] > o[i] ? x[i] : o[i]` (NaN in `x` never replaces; TensorFlow's pooling comparison).
@inline(__always)
func maxInPlace(_ o: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ n: Int) {
    let lanes = FloatVector.scalarCount
    var i = 0
    while i + lanes <= n {
        let xv = UnsafeRawPointer(x + i).loadUnaligned(as: FloatVector.self)
        let ov = UnsafeRawPointer(o + i).loadUnaligned(as: FloatVector.self)
        UnsafeMutableRawPointer(o + i).storeBytes(of: ov.replacing(with: xv, where: xv .> ov), as: FloatVector.self)
        i += lanes
    }
    while i < n {
        if x[i] > o[i] { o[i] = x[i] }
        i += 1
    }
}
