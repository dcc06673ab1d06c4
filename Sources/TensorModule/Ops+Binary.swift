internal import CKernels

extension Ops {
    /// `lhs + rhs` with NumPy broadcasting.
    /// - Throws: ``TensorError`` when the shapes do not broadcast.
    package static func add(lhs: Tensor, rhs: Tensor) throws(TensorError) -> Tensor {
        try broadcast("add", lhs, rhs, AddKernel.self)
    }

    /// `lhs − rhs` with NumPy broadcasting (Keras `Subtract`).
    /// - Throws: ``TensorError`` when the shapes do not broadcast.
    package static func subtract(lhs: Tensor, rhs: Tensor) throws(TensorError) -> Tensor {
        try broadcast("subtract", lhs, rhs, SubtractKernel.self)
    }

    /// `lhs · rhs` with NumPy broadcasting.
    /// - Throws: ``TensorError`` when the shapes do not broadcast.
    package static func multiply(lhs: Tensor, rhs: Tensor) throws(TensorError) -> Tensor {
        try broadcast("multiply", lhs, rhs, MultiplyKernel.self)
    }

    /// `lhs / rhs` with NumPy broadcasting.
    /// - Throws: ``TensorError`` when the shapes do not broadcast.
    package static func divide(lhs: Tensor, rhs: Tensor) throws(TensorError) -> Tensor {
        try broadcast("divide", lhs, rhs, DivideKernel.self)
    }

    /// Element-wise maximum with NumPy broadcasting, as `tf.maximum`: a NaN operand wins (lhs first),
    /// and on ties (including `±0`) the rhs is returned.
    /// - Throws: ``TensorError`` when the shapes do not broadcast.
    package static func maximum(lhs: Tensor, rhs: Tensor) throws(TensorError) -> Tensor {
        try broadcast("maximum", lhs, rhs, MaximumKernel.self)
    }

    /// Element-wise minimum with NumPy broadcasting, as `tf.minimum` (NaN wins, ties return rhs).
    /// - Throws: ``TensorError`` when the shapes do not broadcast.
    package static func minimum(lhs: Tensor, rhs: Tensor) throws(TensorError) -> Tensor {
        try broadcast("minimum", lhs, rhs, MinimumKernel.self)
    }

    /// Keras `Add`: `((x0 + x1) + x2) + …`, left to right.
    /// - Throws: ``TensorError`` for no inputs or shapes that do not broadcast.
    package static func add(inputs: [Tensor]) throws(TensorError) -> Tensor {
        try fold("add", inputs, AddKernel.self)
    }

    /// ``add(inputs:)`` with every denormal of the sum replaced by a zero of the same sign, as
    /// ``flushDenormals(_:count:toPositiveZero:)`` would do afterwards: in the same pass when two inputs have
    /// the same shape (a residual connection), else as a second pass over the sum.
    /// - Throws: ``TensorError`` for no inputs or shapes that do not broadcast.
    package static func addFlushingDenormals(inputs: [Tensor]) throws(TensorError) -> Tensor {
        if inputs.count == 2, inputs[0].shape == inputs[1].shape, DirectGEMM.available, inputs[0].count > 0 {
            return sameShapeSum(inputs[0], inputs[1], flush: true)
        }
        var sum = try add(inputs: inputs)
        sum.scalars.withUnsafeMutableBufferPointer { buffer in
            guard let p = buffer.baseAddress else { return }
            Parallel.forEachChunk(count: buffer.count, work: buffer.count) { range in
                flushDenormals(p + range.lowerBound, count: range.count, toPositiveZero: false)
            }
        }
        return sum
    }

    /// `a + b` for equal shapes with the AVX2 kernel (requires ``DirectGEMM/available``), split across the cores
    /// and streamed past the caches when large; denormal sums flushed to signed zeros when `flush`.
    static func sameShapeSum(_ a: Tensor, _ b: Tensor, flush: Bool) -> Tensor {
        let stream = a.count >= streamingThreshold
        return Tensor.build(shape: a.shape, count: a.count) { out in
            a.scalars.withUnsafeBufferPointer { ab in
                b.scalars.withUnsafeBufferPointer { bb in
                    let ap = ab.baseAddress!, bp = bb.baseAddress!, op = out.baseAddress!
                    Parallel.forEachChunk(count: a.count, work: a.count) { range in
                        kp_add(op + range.lowerBound, ap + range.lowerBound, bp + range.lowerBound, range.count,
                               stream ? 1 : 0, flush ? 1 : 0)
                        if stream { kp_store_fence() }
                    }
                }
            }
        }
    }

    /// Keras `Multiply`: left-to-right product.
    /// - Throws: ``TensorError`` for no inputs or shapes that do not broadcast.
    package static func multiply(inputs: [Tensor]) throws(TensorError) -> Tensor {
        try fold("multiply", inputs, MultiplyKernel.self)
    }

    /// Keras `Maximum`: left-to-right `tf.maximum`.
    /// - Throws: ``TensorError`` for no inputs or shapes that do not broadcast.
    package static func maximum(inputs: [Tensor]) throws(TensorError) -> Tensor {
        try fold("maximum", inputs, MaximumKernel.self)
    }

    /// Keras `Minimum`: left-to-right `tf.minimum`.
    /// - Throws: ``TensorError`` for no inputs or shapes that do not broadcast.
    package static func minimum(inputs: [Tensor]) throws(TensorError) -> Tensor {
        try fold("minimum", inputs, MinimumKernel.self)
    }

    /// Keras `Average`: the left-to-right sum divided by the number of inputs.
    /// - Throws: ``TensorError`` for no inputs or shapes that do not broadcast.
    package static func average(inputs: [Tensor]) throws(TensorError) -> Tensor {
        let sum = try fold("average", inputs, AddKernel.self)
        return try broadcast("average", sum, Tensor(scalar: Float(inputs.count)), DivideKernel.self)
    }

    /// The NumPy broadcast of two shapes.
    /// - Throws: ``TensorError`` naming `operation` when an axis differs and neither side is 1.
    package static func broadcastShape(_ a: [Int], _ b: [Int], operation: String = "broadcast") throws(TensorError) -> [Int] {
        let rank = max(a.count, b.count)
        let pa = [Int](repeating: 1, count: rank - a.count) + a
        let pb = [Int](repeating: 1, count: rank - b.count) + b
        var out = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            if pa[i] == pb[i] || pb[i] == 1 { out[i] = pa[i] } else if pa[i] == 1 { out[i] = pb[i] } else {
                throw .shape(operation, "shapes \(a) and \(b) do not broadcast")
            }
        }
        return out
    }

    static func fold<K: BinaryKernel>(_ op: String, _ inputs: [Tensor], _ kernel: K.Type) throws(TensorError) -> Tensor {
        guard var acc = inputs.first else { throw .argument(op, "needs at least one input") }
        for t in inputs.dropFirst() { acc = try broadcast(op, acc, t, kernel) }
        return acc
    }

    /// Applies `K` element-wise over the broadcast shape. The innermost (collapsed) axis runs as a
    /// vector loop with each operand either contiguous or a repeated scalar.
    static func broadcast<K: BinaryKernel>(_ op: String, _ a: Tensor, _ b: Tensor, _ kernel: K.Type) throws(TensorError) -> Tensor {
        if K.self == AddKernel.self, a.shape == b.shape, DirectGEMM.available, a.count > 0 {
            // Equal shapes (a residual connection): the AVX2 sum, streamed past the caches when large.
            return sameShapeSum(a, b, flush: false)
        }
        let shape = try broadcastShape(a.shape, b.shape, operation: op)
        let count = try Tensor.checkedCount(shape, operation: op)
        let rank = shape.count
        let pa = [Int](repeating: 1, count: rank - a.rank) + a.shape
        let pb = [Int](repeating: 1, count: rank - b.rank) + b.shape
        // Collapse axes (innermost first) into runs where each operand is either present on every
        // axis of the run (then contiguous across it) or broadcast on every axis of it.
        var groups: [(dim: Int, a: Int, b: Int, presentA: Bool, presentB: Bool)] = []
        var strideA = 1, strideB = 1
        for i in stride(from: rank - 1, through: 0, by: -1) where shape[i] != 1 {
            let ua = pa[i] != 1, ub = pb[i] != 1
            if let last = groups.last, last.presentA == ua, last.presentB == ub {
                groups[groups.count - 1].dim *= shape[i]
            } else {
                groups.append((shape[i], ua ? strideA : 0, ub ? strideB : 0, ua, ub))
            }
            if ua { strideA *= pa[i] }
            if ub { strideB *= pb[i] }
        }
        groups.reverse()
        var dims = groups.map(\.dim), sa = groups.map(\.a), sb = groups.map(\.b)
        if dims.isEmpty { dims = [1]; sa = [1]; sb = [1] }
        let inner = dims[dims.count - 1], ia = sa[sa.count - 1], ib = sb[sb.count - 1]
        let outerDims = Array(dims.dropLast()), outerA = Array(sa.dropLast()), outerB = Array(sb.dropLast())
        let outerCount = count / max(inner, 1)
        if dims.count == 2, inner < 64, count > 0, sa[1] == 1, sb[1] == 1,
           (sa[0] == inner && sb[0] == 0) || (sa[0] == 0 && sb[0] == inner) {
            return periodic(a, b, tiledA: sa[0] == 0, inner: inner, shape: shape, count: count, K.self)
        }
        return Tensor.build(shape: shape, count: count) { out in
            a.scalars.withUnsafeBufferPointer { ab in
                b.scalars.withUnsafeBufferPointer { bb in
                    let ap = ab.baseAddress!, bp = bb.baseAddress!, op = out.baseAddress!
                    Parallel.forEachChunk(count: outerCount, work: count) { range in
                        // Start offsets of the first outer index of this chunk.
                        var index = [Int](repeating: 0, count: outerDims.count)
                        var rem = range.lowerBound, offA = 0, offB = 0
                        for d in stride(from: outerDims.count - 1, through: 0, by: -1) {
                            index[d] = rem % outerDims[d]
                            rem /= outerDims[d]
                            offA += index[d] * outerA[d]
                            offB += index[d] * outerB[d]
                        }
                        for o in range {
                            binaryRun(K.self, ap + offA, ia, bp + offB, ib, op + o * inner, inner)
                            var d = outerDims.count - 1
                            while d >= 0 {
                                index[d] += 1
                                offA += outerA[d]
                                offB += outerB[d]
                                if index[d] < outerDims[d] { break }
                                offA -= outerA[d] * index[d]
                                offB -= outerB[d] * index[d]
                                index[d] = 0
                                d -= 1
                            }
                        }
                    }
                }
            }
        }
    }
}

extension Ops {
    /// A contiguous operand against a short run repeated along it (`x − mean` of a 3-channel NHWC image: `inner`
    /// channels, every pixel): the short run is tiled to a few hundred elements once, and the contiguous operand is
    /// processed in runs of that length, instead of one `inner`-element run (vector tail) per pixel. The same
    /// element-wise operations in the same order as the general path.
    static func periodic<K: BinaryKernel>(_ a: Tensor, _ b: Tensor, tiledA: Bool, inner: Int, shape: [Int], count: Int,
                                          _ kernel: K.Type) -> Tensor {
        let small = tiledA ? a : b, full = tiledA ? b : a
        let period = inner * Swift.max(1, 256 / inner)
        var tile = [Float](repeating: 0, count: period)
        small.scalars.withUnsafeBufferPointer { s in
            for i in 0..<period { tile[i] = s[i % inner] }
        }
        let blocks = (count + period - 1) / period
        return Tensor.build(shape: shape, count: count) { out in
            full.scalars.withUnsafeBufferPointer { fb in
                tile.withUnsafeBufferPointer { tb in
                    let fp = fb.baseAddress!, tp = tb.baseAddress!, op = out.baseAddress!
                    Parallel.forEachChunk(count: blocks, work: count) { range in
                        for block in range {
                            let start = block * period, n = Swift.min(period, count - start)
                            if tiledA {
                                binaryRun(K.self, tp, 1, fp + start, 1, op + start, n)
                            } else {
                                binaryRun(K.self, fp + start, 1, tp, 1, op + start, n)
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A binary function on vectors.
protocol BinaryKernel {
    static func apply(_ a: FloatVector, _ b: FloatVector) -> FloatVector
}

enum AddKernel: BinaryKernel {
    @inline(__always) static func apply(_ a: FloatVector, _ b: FloatVector) -> FloatVector { a + b }
}

enum SubtractKernel: BinaryKernel {
    @inline(__always) static func apply(_ a: FloatVector, _ b: FloatVector) -> FloatVector { a - b }
}

enum MultiplyKernel: BinaryKernel {
    @inline(__always) static func apply(_ a: FloatVector, _ b: FloatVector) -> FloatVector { a * b }
}

enum DivideKernel: BinaryKernel {
    @inline(__always) static func apply(_ a: FloatVector, _ b: FloatVector) -> FloatVector { a / b }
}

/// tf.maximum: a if a is NaN, else b if b is NaN, else (a > b ? a : b).
enum MaximumKernel: BinaryKernel {
    @inline(__always) static func apply(_ a: FloatVector, _ b: FloatVector) -> FloatVector {
        var r = b.replacing(with: a, where: a .> b)
        r.replace(with: b, where: b .!= b)
        r.replace(with: a, where: a .!= a)
        return r
    }
}

/// tf.minimum: a if a is NaN, else b if b is NaN, else (a < b ? a : b).
enum MinimumKernel: BinaryKernel {
    @inline(__always) static func apply(_ a: FloatVector, _ b: FloatVector) -> FloatVector {
        var r = b.replacing(with: a, where: a .< b)
        r.replace(with: b, where: b .!= b)
        r.replace(with: a, where: a .!= a)
        return r
    }
}

/// `out[i] = K(a[i·sa], b[i·sb])` for `i < n`, where each stride is 0 (repeat) or 1 (contiguous).
@inline(__always)
func binaryRun<K: BinaryKernel>(_ k: K.Type, _ a: UnsafePointer<Float>, _ sa: Int, _ b: UnsafePointer<Float>, _ sb: Int,
                                _ out: UnsafeMutablePointer<Float>, _ n: Int) {
    let lanes = FloatVector.scalarCount
    let aScalar = FloatVector(repeating: a[0]), bScalar = FloatVector(repeating: b[0])
    var i = 0
    while i + lanes <= n {
        let av = sa == 0 ? aScalar : UnsafeRawPointer(a + i).loadUnaligned(as: FloatVector.self)
        let bv = sb == 0 ? bScalar : UnsafeRawPointer(b + i).loadUnaligned(as: FloatVector.self)
        UnsafeMutableRawPointer(out + i).storeBytes(of: K.apply(av, bv), as: FloatVector.self)
        i += lanes
    }
    if i < n {
        var av = aScalar, bv = bScalar
        for j in 0..<(n - i) {
            if sa != 0 { av[j] = a[i + j] }
            if sb != 0 { bv[j] = b[i + j] }
        }
        let r = K.apply(av, bv)
        for j in 0..<(n - i) { out[i + j] = r[j] }
    }
}
