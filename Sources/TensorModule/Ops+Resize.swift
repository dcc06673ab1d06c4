extension Ops {
    /// How ``upSampling2d(input:size:interpolation:)`` fills new pixels.
    package enum Interpolation: String, Sendable, Equatable {
        /// Each pixel repeated (Keras `ops.repeat` along height, then width).
        case nearest
        /// `tf.image.resize(method="bilinear")`: half-pixel centres, no antialiasing.
        case bilinear
    }

    /// Keras `UpSampling1D(size)` on `NLC`: each step repeated `size` times.
    /// - Throws: ``TensorError`` for a wrong rank or a non-positive size.
    package static func upSampling1d(input: Tensor, size: Int) throws(TensorError) -> Tensor {
        let op = "upSampling1d"
        guard input.rank == 3 else { throw .shape(op, "input \(input.shape) must be [batch, steps, channels]") }
        guard size >= 1 else { throw .argument(op, "size \(size) must be ≥ 1") }
        return try repeatAxis(op, input, axis: 1, times: size)
    }

    /// Keras `UpSampling2D(size, interpolation)` on `NHWC`.
    ///
    /// - Parameters:
    ///   - size: `(height, width)` integer factors.
    ///   - interpolation: `.nearest` (pixel repetition) or `.bilinear` (TensorFlow `ResizeBilinear` with
    ///     `half_pixel_centers=True`: source `= (dst + 0.5)·(in/out) − 0.5`, clamped neighbours,
    ///     `top + (bottom − top)·dy` with `top = tl + (tr − tl)·dx`, as TensorFlow computes it).
    /// - Returns: `[batch, height·size.0, width·size.1, channels]`.
    /// - Throws: ``TensorError`` for a wrong rank or a non-positive factor.
    package static func upSampling2d(input: Tensor, size: (Int, Int),
                                    interpolation: Interpolation = .nearest) throws(TensorError) -> Tensor {
        let op = "upSampling2d"
        guard input.rank == 4 else { throw .shape(op, "input \(input.shape) must be [batch, height, width, channels]") }
        guard size.0 >= 1, size.1 >= 1 else { throw .argument(op, "size \(size) must be ≥ 1") }
        switch interpolation {
        case .nearest:
            return try repeatAxis(op, try repeatAxis(op, input, axis: 1, times: size.0), axis: 2, times: size.1)
        case .bilinear:
            let (h, w) = (input.shape[1], input.shape[2])
            let (oh, ohOverflow) = h.multipliedReportingOverflow(by: size.0)
            let (ow, owOverflow) = w.multipliedReportingOverflow(by: size.1)
            guard !ohOverflow, !owOverflow else { throw TensorError(.overflow, operation: op, message: "output size overflows") }
            return try resizeBilinear(input: input, height: oh, width: ow)
        }
    }

    /// `tf.image.resize(images, (height, width), method="bilinear")` on `NHWC` (half-pixel centres,
    /// no antialiasing — the upsampling case of Keras).
    /// - Throws: ``TensorError`` for a wrong rank or non-positive sizes.
    package static func resizeBilinear(input: Tensor, height: Int, width: Int) throws(TensorError) -> Tensor {
        let op = "resizeBilinear"
        guard input.rank == 4 else { throw .shape(op, "input \(input.shape) must be [batch, height, width, channels]") }
        guard height > 0, width > 0 else { throw .argument(op, "output size (\(height), \(width)) must be positive") }
        let (batch, h, w, c) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
        let shape = [batch, height, width, c]
        let count = try Tensor.checkedCount(shape, operation: op)
        guard h > 0, w > 0 else {
            guard count == 0 else { throw .shape(op, "cannot resize the empty image \(input.shape)") }
            return Tensor(unchecked: shape, scalars: [])
        }
        let ys = interpolationWeights(input: h, output: height)
        let xs = interpolationWeights(input: w, output: width)
        return Tensor.build(shape: shape, count: count) { out in
            input.scalars.withUnsafeBufferPointer { xb in
                let x = xb.baseAddress!, o = out.baseAddress!
                Parallel.forEachChunk(count: batch * height, work: count * 4) { range in
                    for line in range {
                        let n = line / height, oy = line % height
                        let (y0, y1, dy) = ys[oy]
                        let top = x + (n * h + y0) * w * c, bottom = x + (n * h + y1) * w * c
                        let dst = o + line * width * c
                        for ox in 0..<width {
                            let (x0, x1, dx) = xs[ox]
                            let tl = top + x0 * c, tr = top + x1 * c, bl = bottom + x0 * c, br = bottom + x1 * c
                            let d = dst + ox * c
                            for ch in 0..<c {
                                let t = tl[ch] + (tr[ch] - tl[ch]) * dx
                                let b = bl[ch] + (br[ch] - bl[ch]) * dx
                                d[ch] = t + (b - t) * dy
                            }
                        }
                    }
                }
            }
        }
    }

    /// TensorFlow's `compute_interpolation_weights` with the half-pixel scaler.
    static func interpolationWeights(input: Int, output: Int) -> [(Int, Int, Float)] {
        let scale = Float(input) / Float(output)
        return (0..<output).map { i in
            let source = (Float(i) + 0.5) * scale - 0.5
            let lowerF = source.rounded(.down)
            let lower = max(Int(lowerF), 0)
            let upper = min(Int(source.rounded(.up)), input - 1)
            return (lower, upper, source - lowerF)
        }
    }

    /// Repeats every slice along `axis` `times` times in place (NumPy `repeat`).
    static func repeatAxis(_ op: String, _ input: Tensor, axis: Int, times: Int) throws(TensorError) -> Tensor {
        var shape = input.shape
        let (d, overflow) = shape[axis].multipliedReportingOverflow(by: times)
        guard !overflow else { throw TensorError(.overflow, operation: op, message: "output size overflows") }
        shape[axis] = d
        let count = try Tensor.checkedCount(shape, operation: op)
        let outer = product(input.shape[...axis]), inner = product(input.shape[(axis + 1)...])
        return Tensor.build(shape: shape, count: count) { out in
            input.scalars.withUnsafeBufferPointer { xb in
                let x = xb.baseAddress!, o = out.baseAddress!
                Parallel.forEachChunk(count: outer, work: count) { range in
                    for i in range {
                        for r in 0..<times { (o + (i * times + r) * inner).update(from: x + i * inner, count: inner) }
                    }
                }
            }
        }
    }
}
