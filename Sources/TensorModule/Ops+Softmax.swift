extension Ops {
    /// Softmax over one axis: `exp(x - max) · (1 / Σ exp(x - max))`, as TensorFlow computes it.
    /// - Parameters:
    ///   - input: any shape of rank ≥ 1.
    ///   - axis: the axis to normalise over; negative counts from the end (default: last).
    /// - Throws: ``TensorError`` when `axis` is out of range.
    package static func softmax(input: Tensor, axis: Int = -1) throws(TensorError) -> Tensor {
        let a = try normalizeAxis(axis, rank: input.rank, operation: "softmax")
        let outer = product(input.shape[..<a])
        let n = input.shape[a]
        let inner = product(input.shape[(a + 1)...])
        var output = input
        guard n > 0, outer > 0, inner > 0 else { return output }
        output.scalars.withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress!
            Parallel.forEachChunk(count: outer, work: input.count * 8) { range in
                if inner == 1 {
                    for o in range { softmaxRow(base + o * n, count: n) }
                } else {
                    var scratch = [Float](repeating: 0, count: inner)
                    scratch.withUnsafeMutableBufferPointer { s in
                        for o in range { softmaxStrided(base + o * n * inner, n: n, inner: inner, scratch: s.baseAddress!) }
                    }
                }
            }
        }
        return output
    }

    /// Softmax of one contiguous row in place.
    static func softmaxRow(_ p: UnsafeMutablePointer<Float>, count n: Int) {
        // NaNs are skipped here; a NaN element still turns the whole row into NaN through the sum.
        let m = vectorMax(p, n)
        mapInPlace(ExpShiftKernel(shift: m), p, n)
        let s = vectorSum(p, n)
        let r = 1 / s
        for j in 0..<n { p[j] *= r }
    }

    /// Softmax along the outer index of an `[n, inner]` block in place; `scratch` holds `inner` floats.
    static func softmaxStrided(_ p: UnsafeMutablePointer<Float>, n: Int, inner: Int, scratch: UnsafeMutablePointer<Float>) {
        scratch.update(from: p, count: inner)
        for k in 1..<max(n, 1) {
            let row = p + k * inner
            for j in 0..<inner where row[j] > scratch[j] || row[j].isNaN {
                scratch[j] = scratch[j].isNaN ? scratch[j] : row[j]
            }
        }
        for k in 0..<n {
            let row = p + k * inner
            for j in 0..<inner { row[j] -= scratch[j] }
        }
        mapInPlace(ExpKernel(), p, n * inner)
        for j in 0..<inner { scratch[j] = 0 }
        for k in 0..<n {
            let row = p + k * inner
            for j in 0..<inner { scratch[j] += row[j] }
        }
        for j in 0..<inner { scratch[j] = 1 / scratch[j] }
        for k in 0..<n {
            let row = p + k * inner
            for j in 0..<inner { row[j] *= scratch[j] }
        }
    }
}

/// e^(x - shift).
struct ExpShiftKernel: VectorKernel {
    var shift: Float
    @inline(__always) func callAsFunction(_ x: FloatVector) -> FloatVector { VectorMath.exp(x - shift) }
}

/// max p[0..<n] (NaNs skipped unless all are NaN; then the first element).
@inline(__always)
func vectorMax(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
    let lanes = FloatVector.scalarCount
    var i = 0
    var m = p[0]
    if n >= lanes {
        var acc = UnsafeRawPointer(p).loadUnaligned(as: FloatVector.self)
        i = lanes
        while i + lanes <= n {
            let v = UnsafeRawPointer(p + i).loadUnaligned(as: FloatVector.self)
            acc = acc.replacing(with: v, where: v .> acc)
            i += lanes
        }
        m = acc[0]
        for j in 1..<lanes where acc[j] > m || m.isNaN { m = acc[j] }
    }
    while i < n {
        if p[i] > m || m.isNaN { m = p[i] }
        i += 1
    }
    return m
}

/// Σ p[0..<n], accumulated in vector lanes (pairwise-ish, more accurate than a running scalar sum).
@inline(__always)
func vectorSum(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
    let lanes = FloatVector.scalarCount
    var acc = FloatVector(repeating: 0)
    var i = 0
    let raw = UnsafeRawPointer(p)
    while i + lanes <= n {
        acc += raw.loadUnaligned(fromByteOffset: i * 4, as: FloatVector.self)
        i += lanes
    }
    var s = acc.sum()
    while i < n { s += p[i]; i += 1 }
    return s
}
