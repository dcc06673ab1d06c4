extension Ops {
    /// PReLU exactly as Keras computes it: `relu(x) + (-alpha)·relu(-x)`.
    ///
    /// For finite x this is `x > 0 ? x : alpha·x`; for special values it matches Keras/TensorFlow bit
    /// for bit: `-0.0` gives `+0.0` (for alpha ≥ 0), `-inf` with alpha 0 gives NaN (`-0·inf`), NaN passes
    /// through. Any alpha (0, negative, above 1) is allowed.
    ///
    /// - Parameters:
    ///   - input: `[batch, d1, …, dk]`.
    ///   - alpha: the Keras `alpha` weight: the input shape without the batch axis, with shared axes
    ///     set to 1 (e.g. `[1, 1, C]` for NHWC with `shared_axes=[1, 2]`). Any shape that broadcasts
    ///     (NumPy rules, right-aligned) to `[d1, …, dk]` is accepted.
    /// - Throws: ``TensorError`` when `alpha` does not broadcast to the per-sample shape.
    package static func prelu(input: Tensor, alpha: Tensor) throws(TensorError) -> Tensor {
        guard input.rank >= 1 else {
            throw .shape("prelu", "input \(input.shape) needs a batch axis")
        }
        let sample = Array(input.shape.dropFirst())
        var alphaShape = alpha.shape
        if alphaShape.count == input.rank, alphaShape.first == 1 { alphaShape.removeFirst() }
        guard alphaShape.count <= sample.count,
              zip(alphaShape.reversed(), sample.reversed()).allSatisfy({ $0 == $1 || $0 == 1 }) else {
            throw .shape("prelu", "alpha \(alpha.shape) does not broadcast to input \(input.shape) without its batch axis")
        }
        var output = input
        if let op = preluPostOp(alpha: alpha, sample: sample), let columns = sample.last {
            // Per-channel alphas need no broadcast copy: every row of `columns` values uses the same row of alphas.
            applyPostOps([op], to: &output, columns: columns)
            return output
        }
        let sampleCount = product(sample[...])
        let expanded = try broadcastScalars(alpha.scalars, from: alphaShape, to: sample, operation: "prelu")
        let batch = input.shape[0]
        guard sampleCount > 0, batch > 0 else { return output }
        output.scalars.withUnsafeMutableBufferPointer { out in
            expanded.withUnsafeBufferPointer { a in
                let o = out.baseAddress!, ap = a.baseAddress!
                Parallel.forEachChunk(count: batch, work: input.count) { range in
                    for b in range { preluRow(o + b * sampleCount, ap, sampleCount) }
                }
            }
        }
        return output
    }

    /// PReLU with `alpha` as a post-op of a Dense / convolution output pass (``PostOp/prelu(alpha:period:)``),
    /// for inputs whose per-sample shape is `sample` (`nil` for sizes unknown until run time); `nil` when the
    /// alpha does not broadcast as ``prelu(input:alpha:)`` requires, or depends on an unknown size.
    package static func preluPostOp(alpha: Tensor, sample: [Int?]) -> PostOp? {
        guard let columns = sample.last ?? nil, columns > 0 else { return nil }
        var alphaShape = alpha.shape
        if alphaShape.count == sample.count + 1, alphaShape.first == 1 { alphaShape.removeFirst() }
        guard alphaShape.count <= sample.count,
              zip(alphaShape.reversed(), sample.reversed()).allSatisfy({ $1 == nil ? $0 == 1 : ($0 == $1 || $0 == 1) })
        else { return nil }
        if alphaShape.dropLast().allSatisfy({ $0 == 1 }) {
            // One alpha per channel (or one for all): the same row of alphas for every output row.
            let perColumn = alpha.count == columns ? alpha.scalars : [Float](repeating: alpha.scalars.first ?? 0, count: columns)
            return alpha.count == columns || alpha.count == 1 ? .prelu(alpha: perColumn, period: 1) : nil
        }
        let known = sample.compactMap { $0 }
        guard known.count == sample.count,
              let expanded = try? broadcastScalars(alpha.scalars, from: alphaShape, to: known, operation: "prelu")
        else { return nil }
        return .prelu(alpha: expanded, period: expanded.count / columns)
    }

    static func preluRow(_ x: UnsafeMutablePointer<Float>, _ alpha: UnsafePointer<Float>, _ n: Int) {
        let lanes = FloatVector.scalarCount
        var i = 0
        while i + lanes <= n {
            let v = UnsafeRawPointer(x + i).loadUnaligned(as: FloatVector.self)
            let a = UnsafeRawPointer(alpha + i).loadUnaligned(as: FloatVector.self)
            UnsafeMutableRawPointer(x + i).storeBytes(of: preluVector(v, a), as: FloatVector.self)
            i += lanes
        }
        if i < n {
            var v = FloatVector(repeating: 0), a = FloatVector(repeating: 0)
            for j in 0..<(n - i) { v[j] = x[i + j]; a[j] = alpha[i + j] }
            let r = preluVector(v, a)
            for j in 0..<(n - i) { x[i + j] = r[j] }
        }
    }

    @inline(__always)
    static func preluVector(_ x: FloatVector, _ alpha: FloatVector) -> FloatVector {
        let pos = vrelu(x)
        let neg = (-alpha) * vrelu(-x)
        // For NaN x both terms are NaN; TensorFlow's add returns the first (x's own NaN).
        return (pos + neg).replacing(with: x, where: x .!= x)
    }
}

/// Expands `scalars` of shape `from` to shape `to` by NumPy broadcasting (right-aligned).
/// Callers have checked compatibility; throws only on count mismatch.
func broadcastScalars(_ scalars: [Float], from: [Int], to: [Int], operation: String) throws(TensorError) -> [Float] {
    if from == to { return scalars }
    let padded = [Int](repeating: 1, count: to.count - from.count) + from
    guard Tensor.elementCount(of: padded) == scalars.count else {
        throw .shape(operation, "\(scalars.count) values do not match shape \(from)")
    }
    let total = product(to[...])
    var out = [Float](repeating: 0, count: total)
    guard total > 0 else { return out }
    // Strides of the source, 0 on broadcast axes.
    var strides = [Int](repeating: 0, count: to.count)
    var s = 1
    for d in stride(from: to.count - 1, through: 0, by: -1) {
        strides[d] = padded[d] == 1 ? 0 : s
        s *= padded[d]
    }
    var index = [Int](repeating: 0, count: to.count)
    var src = 0
    for i in 0..<total {
        out[i] = scalars[src]
        var d = to.count - 1
        while d >= 0 {
            index[d] += 1
            src += strides[d]
            if index[d] < to[d] { break }
            src -= strides[d] * index[d]
            index[d] = 0
            d -= 1
        }
    }
    return out
}
