extension Ops {
    /// Keras `BatchNormalization` at inference, in TensorFlow's fused form:
    /// `scale = gamma · rsqrt(variance + epsilon)`, `y = x · scale + (beta − mean · scale)`.
    ///
    /// - Parameters:
    ///   - input: any shape.
    ///   - axis: the feature axis (negative counts from the end; Keras default −1).
    ///   - mean, variance: the moving statistics, `[channels]`.
    ///   - gamma, beta: `[channels]`, or `nil` when the layer has `scale` / `center` off.
    ///   - epsilon: Keras `epsilon` (default 1e-3).
    ///   - form: the order of operations — `.scaleShift` (Keras 3, `tf.nn.batch_normalization`) or
    ///     `.centered` (Keras 2's fused kernel, `(x − mean)·scale + beta`). Both are the same function;
    ///     picking the one the file's Keras used makes most outputs bit-identical (measured on TF 2.21:
    ///     ~80% of elements exact with the matching form, ~50% with the other, the rest within 2 ulp).
    /// - Throws: ``TensorError`` for a bad axis or parameter shapes.
    package static func batchNorm(input: Tensor, axis: Int = -1, mean: Tensor, variance: Tensor, gamma: Tensor? = nil,
                                 beta: Tensor? = nil, epsilon: Float = 1e-3,
                                 form: BatchNormForm = .scaleShift) throws(TensorError) -> Tensor {
        let op = "batchNorm"
        let a = try normalizeAxis(axis, rank: input.rank, operation: op)
        let channels = input.shape[a]
        for (name, t) in [("mean", mean), ("variance", variance), ("gamma", gamma), ("beta", beta)] {
            if let t, t.count != channels || t.rank != 1 {
                throw .shape(op, "\(name) \(t.shape) must be [\(channels)] for input \(input.shape) axis \(axis)")
            }
        }
        var scale = [Float](repeating: 0, count: channels), shift = scale
        for c in 0..<channels {
            var inv = 1 / (variance.scalars[c] + epsilon).squareRoot()
            if let gamma { inv *= gamma.scalars[c] }
            scale[c] = inv
            shift[c] = beta.map { $0.scalars[c] - mean.scalars[c] * inv } ?? (-mean.scalars[c] * inv)
        }
        if form == .centered {
            return try centeredBatchNorm(input: input, axis: a, mean: mean.scalars, scale: scale,
                                         beta: beta?.scalars ?? [Float](repeating: 0, count: channels))
        }
        let outer = product(input.shape[..<a]), inner = product(input.shape[(a + 1)...])
        var output = input
        guard input.count > 0 else { return output }
        output.scalars.withUnsafeMutableBufferPointer { yb in
            scale.withUnsafeBufferPointer { sb in
                shift.withUnsafeBufferPointer { tb in
                    let y = yb.baseAddress!, s = sb.baseAddress!, t = tb.baseAddress!
                    Parallel.forEachChunk(count: outer, work: input.count) { range in
                        for o in range {
                            let block = y + o * channels * inner
                            if inner == 1 {
                                scaleShift(block, s, t, channels)
                            } else {
                                for c in 0..<channels {
                                    let p = block + c * inner
                                    let sc = s[c], sh = t[c]
                                    for i in 0..<inner { p[i] = p[i] * sc + sh }
                                }
                            }
                        }
                    }
                }
            }
        }
        return output
    }

    /// The two orders of operations for inference batch normalisation.
    package enum BatchNormForm: String, Sendable, Equatable {
        /// `x·scale + (beta − mean·scale)` with `scale = gamma·rsqrt(var + eps)` (Keras 3).
        case scaleShift
        /// `(x − mean)·scale + beta` (Keras 2 / tf.keras fused batch norm).
        case centered
    }

    /// The two orders of operations for layer normalisation.
    package enum LayerNormForm: String, Sendable, Equatable {
        /// `x·inv + (−mean·inv + beta)` with `inv = rsqrt(var + eps)·gamma` (Keras 3).
        case scaleShift
        /// `((x − mean)·rsqrt(var + eps))·gamma + beta` (tf.keras fused path).
        case centered
    }

    static func centeredBatchNorm(input: Tensor, axis a: Int, mean: [Float], scale: [Float],
                                  beta: [Float]) throws(TensorError) -> Tensor {
        let channels = input.shape[a]
        let outer = product(input.shape[..<a]), inner = product(input.shape[(a + 1)...])
        var output = input
        guard input.count > 0 else { return output }
        output.scalars.withUnsafeMutableBufferPointer { yb in
            let y = yb.baseAddress!
            Parallel.forEachChunk(count: outer, work: input.count) { range in
                for o in range {
                    let block = y + o * channels * inner
                    for c in 0..<channels {
                        let p = block + c * inner
                        let m = mean[c], sc = scale[c], b = beta[c]
                        for i in 0..<inner { p[i] = (p[i] - m) * sc + b }
                    }
                }
            }
        }
        return output
    }

    /// Keras `LayerNormalization` over `axes`, with the two-pass mean and variance of
    /// `tf.nn.moments`: `inv = rsqrt(var + eps)·gamma`, `y = x·inv + (beta − mean·inv)`.
    ///
    /// - Parameters:
    ///   - axes: the normalised axes (negative counts from the end); Keras default `[-1]`.
    ///   - gamma, beta: the Keras weights, shaped as the normalised axes (`[C]` for `axes == [-1]`);
    ///     any shape with that many elements is accepted, read in axis order.
    ///   - epsilon: Keras `epsilon` (default 1e-3).
    ///   - rmsScaling: Keras 3 `rms_scaling=True`: `y = x · rsqrt(var + eps) · gamma`, no centering.
    ///   - form: `.scaleShift` (Keras 3, above) or `.centered` (tf.keras' fused path:
    ///     `((x − mean)·rsqrt(var + eps))·gamma + beta`); same function, different rounding.
    /// - Throws: ``TensorError`` for bad axes or parameter sizes.
    package static func layerNorm(input: Tensor, axes: [Int] = [-1], gamma: Tensor? = nil, beta: Tensor? = nil,
                                 epsilon: Float = 1e-3, rmsScaling: Bool = false,
                                 form: LayerNormForm = .scaleShift) throws(TensorError) -> Tensor {
        let op = "layerNorm"
        guard !axes.isEmpty else { throw .argument(op, "axes must not be empty") }
        var normalized: [Int] = []
        for axis in axes { normalized.append(try normalizeAxis(axis, rank: input.rank, operation: op)) }
        normalized.sort()
        guard Set(normalized).count == normalized.count else { throw .argument(op, "axes \(axes) repeat an axis") }
        let groupSize = normalized.reduce(1) { $0 * input.shape[$1] }
        for (name, t) in [("gamma", gamma), ("beta", beta)] {
            if let t, t.count != groupSize {
                throw .shape(op, "\(name) \(t.shape) must have \(groupSize) values for input \(input.shape) axes \(axes)")
            }
        }
        let first = normalized[0]
        let trailing = normalized == Array(first..<input.rank)
        if !trailing {
            // Move the normalised axes to the end, normalise, move them back.
            let rest = (0..<input.rank).filter { !normalized.contains($0) }
            let permutation = rest + normalized
            let moved = try transpose(input: input, permutation: permutation)
            let y = try layerNorm(input: moved, axes: Array((rest.count)..<input.rank), gamma: gamma.map { flat($0) },
                                  beta: beta.map { flat($0) }, epsilon: epsilon, rmsScaling: rmsScaling, form: form)
            var inverse = [Int](repeating: 0, count: input.rank)
            for (i, p) in permutation.enumerated() { inverse[p] = i }
            return try transpose(input: y, permutation: inverse)
        }
        let rows = groupSize == 0 ? 0 : input.count / groupSize
        var output = input
        guard input.count > 0 else { return output }
        let gammaScalars = gamma?.scalars ?? [], betaScalars = beta?.scalars ?? []
        output.scalars.withUnsafeMutableBufferPointer { yb in
            gammaScalars.withUnsafeBufferPointer { gb in
                betaScalars.withUnsafeBufferPointer { bb in
                    // An empty array may still have a base address: only a weight that exists is passed on.
                    let y = yb.baseAddress!, g = gamma == nil ? nil : gb.baseAddress, b = beta == nil ? nil : bb.baseAddress
                    Parallel.forEachChunk(count: rows, work: input.count * 3) { range in
                        for r in range {
                            normalizeRow(y + r * groupSize, groupSize, gamma: g, beta: b, epsilon: epsilon,
                                         rmsScaling: rmsScaling, centered: form == .centered)
                        }
                    }
                }
            }
        }
        return output
    }

    static func flat(_ t: Tensor) -> Tensor { Tensor(unchecked: [t.count], scalars: t.scalars) }

    static func normalizeRow(_ p: UnsafeMutablePointer<Float>, _ n: Int, gamma: UnsafePointer<Float>?,
                             beta: UnsafePointer<Float>?, epsilon: Float, rmsScaling: Bool, centered: Bool) {
        let count = Float(n)
        let mean = vectorSum(p, n) / count
        var acc = FloatVector(repeating: 0)
        let lanes = FloatVector.scalarCount
        var i = 0
        while i + lanes <= n {
            let d = UnsafeRawPointer(p + i).loadUnaligned(as: FloatVector.self) - mean
            acc += d * d
            i += lanes
        }
        var sq = acc.sum()
        while i < n { let d = p[i] - mean; sq += d * d; i += 1 }
        let variance = sq / count
        let r = 1 / (variance + epsilon).squareRoot()
        if rmsScaling {
            for j in 0..<n {
                let v = p[j] * r
                p[j] = gamma.map { v * $0[j] } ?? v
            }
            return
        }
        if centered {
            for j in 0..<n {
                var v = (p[j] - mean) * r
                if let gamma { v = v * gamma[j] }
                if let beta { v = v + beta[j] }
                p[j] = v
            }
            return
        }
        if let gamma {
            for j in 0..<n {
                let inv = r * gamma[j]
                var res = -mean * inv
                if let beta { res = res + beta[j] }
                p[j] = p[j] * inv + res
            }
        } else {
            let res = -mean * r
            if let beta {
                for j in 0..<n { p[j] = p[j] * r + (res + beta[j]) }
            } else {
                for j in 0..<n { p[j] = p[j] * r + res }
            }
        }
    }
}

/// `p[i] = p[i]·s[i] + t[i]`.
@inline(__always)
func scaleShift(_ p: UnsafeMutablePointer<Float>, _ s: UnsafePointer<Float>, _ t: UnsafePointer<Float>, _ n: Int) {
    let lanes = FloatVector.scalarCount
    var i = 0
    while i + lanes <= n {
        let v = UnsafeRawPointer(p + i).loadUnaligned(as: FloatVector.self)
        let sv = UnsafeRawPointer(s + i).loadUnaligned(as: FloatVector.self)
        let tv = UnsafeRawPointer(t + i).loadUnaligned(as: FloatVector.self)
        UnsafeMutableRawPointer(p + i).storeBytes(of: v * sv + tv, as: FloatVector.self)
        i += lanes
    }
    while i < n {
        p[i] = p[i] * s[i] + t[i]
        i += 1
    }
}
