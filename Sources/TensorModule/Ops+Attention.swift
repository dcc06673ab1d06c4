extension Ops {
    /// How masked attention scores are removed before the softmax.
    package enum AttentionMaskForm: Sendable, Equatable {
        /// Keras 3: masked scores are replaced by −1e9 before the softmax; with `zeroMasked` the masked
        /// probabilities are set to 0 afterwards (Keras 3's `Softmax` layer, which `MultiHeadAttention` uses when it
        /// returns the scores; its fused `dot_product_attention` path does not zero them). The mask is true where it
        /// is non-zero.
        case replace(zeroMasked: Bool)
        /// tf_keras: `scores + (1 − mask)·(−1e9)` with the mask's own values (a 0/1 float mask, or a boolean one as
        /// 0/1); a fully masked row then gets (nearly) uniform weights.
        case additive
    }

    /// The softmax over the last axis of attention scores `[B, N, T, S]`, with an optional mask and the causal and
    /// sliding-window bands of Keras' attention layers.
    ///
    /// - Parameters:
    ///   - scores: `[B, N, T, S]` (batch, heads, query steps, key steps).
    ///   - mask: `[b, n, t, s]` with each size 1 or equal to the scores' (broadcast); non-zero keeps a score.
    ///   - causal: keep only `s ≤ t` (combined with `mask` by logical and).
    ///   - slidingWindow: keep only `|t − s| < w` (Keras 3 `sliding_window`).
    ///   - form: how masked scores are removed (see ``AttentionMaskForm``).
    /// - Throws: ``TensorError`` when the shapes do not broadcast.
    package static func attentionSoftmax(scores: Tensor, mask: Tensor? = nil, causal: Bool = false,
                                        slidingWindow: Int? = nil,
                                        form: AttentionMaskForm = .replace(zeroMasked: false)) throws(TensorError) -> Tensor {
        let op = "attentionSoftmax"
        guard scores.rank == 4 else { throw .shape(op, "scores \(scores.shape) must be [batch, heads, query, key]") }
        let (b, n, t, s) = (scores.shape[0], scores.shape[1], scores.shape[2], scores.shape[3])
        if let mask {
            guard mask.rank == 4, zip(mask.shape, scores.shape).allSatisfy({ $0 == 1 || $0 == $1 }) else {
                throw .shape(op, "mask \(mask.shape) does not broadcast to the scores \(scores.shape)")
            }
        }
        var output = scores
        guard s > 0, output.count > 0 else { return output }
        let masked = mask != nil || causal || slidingWindow != nil
        let maskShape = mask?.shape ?? [1, 1, 1, 1]
        let maskScalars = mask?.scalars ?? [1]
        let ms = rowMajorStrides(maskShape).enumerated().map { maskShape[$0.offset] == 1 ? 0 : $0.element }
        let largeNegative: Float = -1e9
        output.scalars.withUnsafeMutableBufferPointer { ob in
            maskScalars.withUnsafeBufferPointer { mb in
                let o = ob.baseAddress!, m = mb.baseAddress!
                Parallel.forEachChunk(count: b * n * t, work: scores.count * 8) { range in
                    var keep = [Bool](repeating: true, count: s)
                    for row in range {
                        let p = o + row * s
                        let ti = row % t, ni = (row / t) % n, bi = row / (t * n)
                        if masked {
                            let base = bi * ms[0] + ni * ms[1] + ti * ms[2]
                            for j in 0..<s {
                                let value = mask == nil ? 1 : m[base + j * ms[3]]
                                var k = value != 0
                                if causal, j > ti { k = false }
                                if let w = slidingWindow, abs(ti - j) >= w { k = false }
                                keep[j] = k
                                switch form {
                                case .replace:
                                    if !k { p[j] = largeNegative }
                                case .additive:
                                    // tf_keras: the mask's own value unless a causal band made it boolean.
                                    let keepValue: Float = causal || slidingWindow != nil ? (k ? 1 : 0) : value
                                    p[j] = p[j] + (1 - keepValue) * largeNegative
                                }
                            }
                        }
                        softmaxRow(p, count: s)
                        if masked, case .replace(zeroMasked: true) = form {
                            for j in 0..<s where !keep[j] { p[j] = 0 }
                        }
                    }
                }
            }
        }
        return output
    }

    /// Additive attention scores `[B, T, S]` from a query `[B, T, D]` and a key `[B, S, D]`:
    /// `outer · Σ_d weights[d] · tanh(inner · (q[t, d] + k[s, d]))`, the form of Keras' `AdditiveAttention`
    /// (`weights` = its `scale`, `inner` = 1, `outer` = 1) and of `Attention(score_mode="concat")` (`weights` = nil,
    /// `inner` = its `scale`, `outer` = its `concat_score_weight`).
    /// - Throws: ``TensorError`` when the shapes disagree.
    package static func additiveAttentionScores(query: Tensor, key: Tensor, weights: Tensor? = nil, inner: Float? = nil,
                                               outer: Float? = nil) throws(TensorError) -> Tensor {
        let op = "additiveAttentionScores"
        guard query.rank == 3, key.rank == 3, query.shape[0] == key.shape[0], query.shape[2] == key.shape[2] else {
            throw .shape(op, "query \(query.shape) and key \(key.shape) must be [batch, steps, dim] with equal batch and dim")
        }
        let (b, t, s, d) = (query.shape[0], query.shape[1], key.shape[1], query.shape[2])
        if let weights, weights.count != d { throw .shape(op, "scale \(weights.shape) must have \(d) values") }
        let outShape = [b, t, s]
        let count = try Tensor.checkedCount(outShape, operation: op)
        let w = weights?.scalars
        return Tensor.build(shape: outShape, count: count) { out in
            var row = [Float](repeating: 0, count: d)
            for bi in 0..<b {
                for ti in 0..<t {
                    for si in 0..<s {
                        let q = (bi * t + ti) * d, k = (bi * s + si) * d
                        for j in 0..<d {
                            let sum = query.scalars[q + j] + key.scalars[k + j]
                            row[j] = inner.map { $0 * sum } ?? sum
                        }
                        row.withUnsafeMutableBufferPointer { mapInPlace(TanhKernel(), $0.baseAddress!, d) }
                        var acc: Float = 0
                        if let w {
                            for j in 0..<d { acc += w[j] * row[j] }
                        } else {
                            for j in 0..<d { acc += row[j] }
                        }
                        out[(bi * t + ti) * s + si] = outer.map { $0 * acc } ?? acc
                    }
                }
            }
        }
    }

    /// How ``unitNormalize(input:axes:form:)`` bounds a tiny norm.
    package enum UnitNormForm: Sendable, Equatable {
        /// Keras 3 `ops.normalize`: `x · min(rsqrt(Σx²), 1e12)`.
        case keras3
        /// tf_keras `tf.linalg.l2_normalize`: `x · rsqrt(max(Σx², 1e-12))`.
        case keras2
    }

    /// Keras `UnitNormalization`: every vector along `axes` scaled to unit L2 norm.
    /// - Throws: ``TensorError`` for bad axes.
    package static func unitNormalize(input: Tensor, axes: [Int], form: UnitNormForm) throws(TensorError) -> Tensor {
        let op = "unitNormalize"
        guard !axes.isEmpty else { throw .argument(op, "axes must not be empty") }
        var normalized: [Int] = []
        for a in axes { normalized.append(try normalizeAxis(a, rank: input.rank, operation: op)) }
        normalized = Array(Set(normalized)).sorted()
        guard normalized.count == axes.count else { throw .argument(op, "axes \(axes) repeat an axis") }
        if normalized != Array(normalized[0]..<input.rank) {
            let rest = (0..<input.rank).filter { !normalized.contains($0) }
            let permutation = rest + normalized
            let y = try unitNormalize(input: try transpose(input: input, permutation: permutation),
                                      axes: Array(rest.count..<input.rank), form: form)
            var inverse = [Int](repeating: 0, count: input.rank)
            for (i, p) in permutation.enumerated() { inverse[p] = i }
            return try transpose(input: y, permutation: inverse)
        }
        let group = product(input.shape[normalized[0]...])
        var output = input
        guard group > 0, input.count > 0 else { return output }
        output.scalars.withUnsafeMutableBufferPointer { yb in
            let y = yb.baseAddress!
            Parallel.forEachChunk(count: input.count / group, work: input.count * 3) { range in
                for r in range {
                    let p = y + r * group
                    var sq: Float = 0
                    for j in 0..<group { sq += p[j] * p[j] }
                    let inv: Float
                    switch form {
                    case .keras3: inv = min(1 / sq.squareRoot(), 1e12)
                    case .keras2: inv = 1 / max(sq, 1e-12).squareRoot()
                    }
                    for j in 0..<group { p[j] = p[j] * inv }
                }
            }
        }
        return output
    }

    /// Keras `GroupNormalization`: the channels on `axis` split into `groups` consecutive groups; per sample and
    /// group, the mean and variance over the group's channels and every other non-batch axis (two passes, as
    /// `tf.nn.moments`), then `x·inv + (beta − mean·inv)` with `inv = rsqrt(var + epsilon)·gamma` per channel.
    /// - Parameters:
    ///   - gamma, beta: `[C]` or `nil`.
    /// - Throws: ``TensorError`` for a bad axis, a channel count not divisible by `groups`, or bad parameter sizes.
    package static func groupNorm(input: Tensor, groups: Int, axis: Int = -1, gamma: Tensor? = nil, beta: Tensor? = nil,
                                 epsilon: Float = 1e-3) throws(TensorError) -> Tensor {
        let op = "groupNorm"
        let a = try normalizeAxis(axis, rank: input.rank, operation: op)
        guard a > 0 else { throw .argument(op, "axis \(axis) is the batch axis") }
        let c = input.shape[a]
        guard groups > 0, c % groups == 0 else {
            throw .argument(op, "\(c) channels cannot be split into \(groups) groups")
        }
        for (name, t) in [("gamma", gamma), ("beta", beta)] {
            if let t, t.count != c { throw .shape(op, "\(name) \(t.shape) must have \(c) values") }
        }
        let batch = input.shape[0]
        let pre = product(input.shape[1..<a]), post = product(input.shape[(a + 1)...])
        let cg = c / groups
        let groupCount = pre * cg * post
        var output = input
        guard input.count > 0, groupCount > 0 else { return output }
        let g = gamma?.scalars, bt = beta?.scalars
        output.scalars.withUnsafeMutableBufferPointer { yb in
            let y = yb.baseAddress!
            Parallel.forEachChunk(count: batch * groups, work: input.count * 4) { range in
                for item in range {
                    let bi = item / groups, gi = item % groups
                    let sample = y + bi * pre * c * post
                    // Two passes over the group's elements: x[p, gi·cg + k, q].
                    var sum: Float = 0
                    for p in 0..<pre {
                        for k in 0..<cg {
                            let row = sample + (p * c + gi * cg + k) * post
                            for q in 0..<post { sum += row[q] }
                        }
                    }
                    let mean = sum / Float(groupCount)
                    var sq: Float = 0
                    for p in 0..<pre {
                        for k in 0..<cg {
                            let row = sample + (p * c + gi * cg + k) * post
                            for q in 0..<post { let d = row[q] - mean; sq += d * d }
                        }
                    }
                    let r = 1 / (sq / Float(groupCount) + epsilon).squareRoot()
                    for k in 0..<cg {
                        let ch = gi * cg + k
                        let inv = g.map { r * $0[ch] } ?? r
                        var res = -mean * inv
                        if let bt { res = res + bt[ch] }
                        for p in 0..<pre {
                            let row = sample + (p * c + ch) * post
                            for q in 0..<post { row[q] = row[q] * inv + res }
                        }
                    }
                }
            }
        }
        return output
    }
}
