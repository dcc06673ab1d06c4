extension Ops {
    /// Keras `Dot(axes, normalize)`: the batch-wise dot product (`batch_dot`) of two batch-first tensors.
    ///
    /// Axis `axes.0` of `lhs` is contracted with axis `axes.1` of `rhs` (negative counts from the end;
    /// the batch axis 0 cannot be contracted). The result has the batch axis, then `lhs`'s remaining
    /// axes, then `rhs`'s; when nothing remains it is `[batch, 1]`.
    /// - Parameters:
    ///   - normalize: L2-normalise both inputs along their contracted axes first, as Keras 3 does:
    ///     `x · min(rsqrt(Σx²), 1/normalizationEpsilon)`. Keras 2's `l2_normalize` equals
    ///     `normalizationEpsilon = 1e-6` (`rsqrt(max(Σx², 1e-12))`).
    /// - Throws: ``TensorError`` for differing batch or contracted sizes, or a bad axis.
    package static func dot(lhs: Tensor, rhs: Tensor, axes: (Int, Int), normalize: Bool = false,
                           normalizationEpsilon: Float = 1e-7) throws(TensorError) -> Tensor {
        let op = "dot"
        guard lhs.rank >= 2, rhs.rank >= 2 else { throw .shape(op, "inputs \(lhs.shape) and \(rhs.shape) need a batch axis and at least one more") }
        let a = try normalizeAxis(axes.0, rank: lhs.rank, operation: op)
        let b = try normalizeAxis(axes.1, rank: rhs.rank, operation: op)
        guard a > 0, b > 0 else { throw .argument(op, "axes \(axes) must not include the batch axis") }
        guard lhs.shape[0] == rhs.shape[0] else { throw .shape(op, "batch sizes of \(lhs.shape) and \(rhs.shape) differ") }
        guard lhs.shape[a] == rhs.shape[b] else {
            throw .shape(op, "axis \(axes.0) of \(lhs.shape) and axis \(axes.1) of \(rhs.shape) differ")
        }
        var x = lhs, y = rhs
        if normalize {
            x = try l2Normalize(input: x, axis: a, epsilon: normalizationEpsilon)
            y = try l2Normalize(input: y, axis: b, epsilon: normalizationEpsilon)
        }
        let batch = lhs.shape[0], depth = lhs.shape[a]
        let xRest = (1..<lhs.rank).filter { $0 != a }, yRest = (1..<rhs.rank).filter { $0 != b }
        let p = xRest.reduce(1) { $0 * lhs.shape[$1] }, q = yRest.reduce(1) { $0 * rhs.shape[$1] }
        x = try reshape(input: try transpose(input: x, permutation: [0] + xRest + [a]), shape: [batch, p, depth])
        y = try reshape(input: try transpose(input: y, permutation: [0, b] + yRest), shape: [batch, depth, q])
        let product = try batchMatmul(a: x, b: y)
        var shape = [batch] + xRest.map { lhs.shape[$0] } + yRest.map { rhs.shape[$0] }
        if shape.count == 1 { shape.append(1) }
        return try reshape(input: product, shape: shape)
    }

    /// `x · min(rsqrt(Σ x² along axis), 1/epsilon)` (Keras 3 `ops.normalize` with order 2).
    /// - Throws: ``TensorError`` for a bad axis.
    package static func l2Normalize(input: Tensor, axis: Int, epsilon: Float = 1e-7) throws(TensorError) -> Tensor {
        let a = try normalizeAxis(axis, rank: input.rank, operation: "l2Normalize")
        let outer = product(input.shape[..<a]), n = input.shape[a], inner = product(input.shape[(a + 1)...])
        var output = input
        let cap = 1 / epsilon
        output.scalars.withUnsafeMutableBufferPointer { buffer in
            guard let p = buffer.baseAddress else { return }
            var sums = [Float](repeating: 0, count: inner)
            for o in 0..<outer {
                let block = p + o * n * inner
                for j in 0..<inner { sums[j] = 0 }
                for k in 0..<n { for j in 0..<inner { let v = block[k * inner + j]; sums[j] += v * v } }
                for j in 0..<inner {
                    let r = 1 / sums[j].squareRoot()
                    sums[j] = r < cap || r.isNaN ? r : cap
                }
                for k in 0..<n { for j in 0..<inner { block[k * inner + j] *= sums[j] } }
            }
        }
        return output
    }
}
