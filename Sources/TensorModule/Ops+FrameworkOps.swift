#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Kernels for framework op layers (tf_keras `TFOpLambda`/`SlicingOpLambda`, Keras 3 `keras.ops` calls):
/// element-wise math, reductions, depth/space rearrangement, nearest and legacy resizing, batched matmul and strided
/// slicing, each as TensorFlow computes it on CPU.
extension Ops {
    /// An element-wise function of one float.
    package enum UnaryMath: String, Sendable, Equatable, CaseIterable {
        case square, sqrt, rsqrt, exp, log, abs, negative
    }

    /// Applies `f` to every element (`square` is `x·x`, `rsqrt` is `1/sqrt(x)`, as TensorFlow).
    package static func unary(_ f: UnaryMath, input: Tensor) -> Tensor {
        var out = input
        out.scalars.withUnsafeMutableBufferPointer { p in
            switch f {
            case .square: for i in p.indices { p[i] = p[i] * p[i] }
            case .sqrt: for i in p.indices { p[i] = p[i].squareRoot() }
            case .rsqrt: for i in p.indices { p[i] = 1 / p[i].squareRoot() }
            case .exp: for i in p.indices { p[i] = expf(p[i]) }
            case .log: for i in p.indices { p[i] = logf(p[i]) }
            case .abs: for i in p.indices { p[i] = Swift.abs(p[i]) }
            case .negative: for i in p.indices { p[i] = -p[i] }
            }
        }
        return out
    }

    /// `clip_by_value(x, lo, hi)`: `min(max(x, lo), hi)` (NaN propagates as in TensorFlow's `Minimum(Maximum(…))`).
    package static func clip(input: Tensor, min lo: Float, max hi: Float) -> Tensor {
        var out = input
        out.scalars.withUnsafeMutableBufferPointer { p in
            for i in p.indices {
                let x = p[i]
                if x.isNaN { continue }
                p[i] = Swift.min(Swift.max(x, lo), hi)
            }
        }
        return out
    }

    /// `pow(a, b)` element-wise with broadcasting (C `powf`, as TensorFlow's `Pow` for floats).
    package static func power(lhs: Tensor, rhs: Tensor) throws(TensorError) -> Tensor {
        try broadcastScalar("power", lhs, rhs) { powf($0, $1) }
    }

    /// A scalar function over the broadcast of two tensors (slow path for functions with no vector kernel).
    static func broadcastScalar(_ op: String, _ a: Tensor, _ b: Tensor,
                                _ f: (Float, Float) -> Float) throws(TensorError) -> Tensor {
        let shape = try broadcastShape(a.shape, b.shape, operation: op)
        let count = try Tensor.checkedCount(shape, operation: op)
        let rank = shape.count
        let pa = [Int](repeating: 1, count: rank - a.rank) + a.shape
        let pb = [Int](repeating: 1, count: rank - b.rank) + b.shape
        let sa = rowMajorStrides(pa).enumerated().map { pa[$0.offset] == 1 ? 0 : $0.element }
        let sb = rowMajorStrides(pb).enumerated().map { pb[$0.offset] == 1 ? 0 : $0.element }
        var out = [Float](repeating: 0, count: count)
        var index = [Int](repeating: 0, count: rank)
        var ia = 0, ib = 0
        for o in 0..<count {
            out[o] = f(a.scalars[ia], b.scalars[ib])
            var d = rank - 1
            while d >= 0 {
                index[d] += 1
                ia += sa[d]
                ib += sb[d]
                if index[d] < shape[d] { break }
                ia -= sa[d] * index[d]
                ib -= sb[d] * index[d]
                index[d] = 0
                d -= 1
            }
        }
        return Tensor(unchecked: shape, scalars: out)
    }

    /// A reduction over axes.
    package enum Reduction: String, Sendable, Equatable, CaseIterable {
        case sum, mean, max, min, prod
    }

    /// Reduces `axes` (all axes when `nil`; negative counts from the end), keeping them as size 1 when `keepDims`.
    /// `mean` is the sum divided by the count, as TensorFlow; `max` of an empty axis is `-inf`.
    /// - Throws: ``TensorError`` for an axis out of range.
    package static func reduce(_ r: Reduction, input: Tensor, axes: [Int]?, keepDims: Bool) throws(TensorError) -> Tensor {
        let op = "reduce_\(r.rawValue)"
        var reduced = Set<Int>()
        for a in axes ?? Array(0..<input.rank) { reduced.insert(try normalizeAxis(a, rank: input.rank, operation: op)) }
        let rank = input.rank
        var keptShape: [Int] = [], fullShape: [Int] = []
        for i in 0..<rank {
            if reduced.contains(i) {
                fullShape.append(1)
                if keepDims { keptShape.append(1) }
            } else {
                fullShape.append(input.shape[i])
                keptShape.append(input.shape[i])
            }
        }
        let count = try Tensor.checkedCount(fullShape, operation: op)
        let initial: Float
        switch r {
        case .sum, .mean: initial = 0
        case .max: initial = -.infinity
        case .min: initial = .infinity
        case .prod: initial = 1
        }
        var out = [Float](repeating: initial, count: count)
        let outStrides = rowMajorStrides(fullShape).enumerated().map { reduced.contains($0.offset) ? 0 : $0.element }
        var index = [Int](repeating: 0, count: rank)
        var o = 0
        for i in 0..<input.count {
            let x = input.scalars[i]
            switch r {
            case .sum, .mean: out[o] += x
            case .max: out[o] = x.isNaN || out[o].isNaN ? .nan : Swift.max(out[o], x)
            case .min: out[o] = x.isNaN || out[o].isNaN ? .nan : Swift.min(out[o], x)
            case .prod: out[o] *= x
            }
            var d = rank - 1
            while d >= 0 {
                index[d] += 1
                o += outStrides[d]
                if index[d] < input.shape[d] { break }
                o -= outStrides[d] * index[d]
                index[d] = 0
                d -= 1
            }
        }
        if r == .mean {
            let n = Float(reduced.reduce(1) { $0 * input.shape[$1] })
            for i in out.indices { out[i] /= n }
        }
        return Tensor(unchecked: keptShape, scalars: out)
    }

    /// `tf.nn.depth_to_space` on `NHWC` (DCR order): output `[n, h·b + i, w·b + j, c]` is input
    /// `[n, h, w, (i·b + j)·C/b² + c]`.
    /// - Throws: ``TensorError`` for a wrong rank or channels not divisible by `b²`.
    package static func depthToSpace(input: Tensor, blockSize b: Int) throws(TensorError) -> Tensor {
        let op = "depth_to_space"
        guard input.rank == 4 else { throw .shape(op, "input \(input.shape) must be [batch, height, width, channels]") }
        guard b >= 2 else { throw .argument(op, "block size \(b) must be at least 2") }
        let (n, h, w, c) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
        guard c % (b * b) == 0 else { throw .shape(op, "channels \(c) are not divisible by block size² \(b * b)") }
        let oc = c / (b * b)
        let shape = [n, h * b, w * b, oc]
        let count = try Tensor.checkedCount(shape, operation: op)
        var out = [Float](repeating: 0, count: count)
        var src = 0
        for bn in 0..<n {
            for y in 0..<h {
                for x in 0..<w {
                    for i in 0..<b {
                        for j in 0..<b {
                            let dst = ((bn * h * b + y * b + i) * w * b + x * b + j) * oc
                            for ch in 0..<oc { out[dst + ch] = input.scalars[src + ch] }
                            src += oc
                        }
                    }
                }
            }
        }
        return Tensor(unchecked: shape, scalars: out)
    }

    /// `tf.nn.space_to_depth` on `NHWC`, the inverse of ``depthToSpace(input:blockSize:)``.
    /// - Throws: ``TensorError`` for a wrong rank or a height or width not divisible by `b`.
    package static func spaceToDepth(input: Tensor, blockSize b: Int) throws(TensorError) -> Tensor {
        let op = "space_to_depth"
        guard input.rank == 4 else { throw .shape(op, "input \(input.shape) must be [batch, height, width, channels]") }
        guard b >= 2 else { throw .argument(op, "block size \(b) must be at least 2") }
        let (n, h, w, c) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
        guard h % b == 0, w % b == 0 else { throw .shape(op, "height \(h) and width \(w) must be divisible by \(b)") }
        let shape = [n, h / b, w / b, c * b * b]
        let count = try Tensor.checkedCount(shape, operation: op)
        var out = [Float](repeating: 0, count: count)
        var dst = 0
        for bn in 0..<n {
            for y in 0..<(h / b) {
                for x in 0..<(w / b) {
                    for i in 0..<b {
                        for j in 0..<b {
                            let src = ((bn * h + y * b + i) * w + x * b + j) * c
                            for ch in 0..<c { out[dst + ch] = input.scalars[src + ch] }
                            dst += c
                        }
                    }
                }
            }
        }
        return Tensor(unchecked: shape, scalars: out)
    }

    /// `tf.image.resize(…, method="nearest")` on `NHWC`: TensorFlow 2's half-pixel rule,
    /// source `min(floor((o + 0.5)·in/out), in − 1)`; with `halfPixelCenters == false` the TF 1 rule
    /// `min(floor(o·in/out), in − 1)` (`tf.compat.v1.image.resize`).
    package static func resizeNearest(input: Tensor, height: Int, width: Int,
                                     halfPixelCenters: Bool = true) throws(TensorError) -> Tensor {
        let op = "resizeNearest"
        guard input.rank == 4 else { throw .shape(op, "input \(input.shape) must be [batch, height, width, channels]") }
        guard height > 0, width > 0 else { throw .argument(op, "output size (\(height), \(width)) must be positive") }
        let (n, h, w, c) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
        let shape = [n, height, width, c]
        let count = try Tensor.checkedCount(shape, operation: op)
        guard h > 0, w > 0 else {
            guard count == 0 else { throw .shape(op, "cannot resize the empty image \(input.shape)") }
            return Tensor(unchecked: shape, scalars: [])
        }
        func source(_ o: Int, _ inSize: Int, _ outSize: Int) -> Int {
            let scale = Float(inSize) / Float(outSize)
            let s = halfPixelCenters ? (Float(o) + 0.5) * scale : Float(o) * scale
            return Swift.max(0, Swift.min(Int(s.rounded(.down)), inSize - 1))
        }
        let ys = (0..<height).map { source($0, h, height) }, xs = (0..<width).map { source($0, w, width) }
        var out = [Float](repeating: 0, count: count)
        var dst = 0
        for bn in 0..<n {
            for oy in 0..<height {
                for ox in 0..<width {
                    let src = ((bn * h + ys[oy]) * w + xs[ox]) * c
                    for ch in 0..<c { out[dst + ch] = input.scalars[src + ch] }
                    dst += c
                }
            }
        }
        return Tensor(unchecked: shape, scalars: out)
    }

    /// `tf.compat.v1.image.resize` bilinear (`align_corners=False`, `half_pixel_centers=False`): source
    /// `o·in/out`, the TF 1 rule.
    package static func resizeBilinearLegacy(input: Tensor, height: Int, width: Int) throws(TensorError) -> Tensor {
        let op = "resizeBilinearLegacy"
        guard input.rank == 4 else { throw .shape(op, "input \(input.shape) must be [batch, height, width, channels]") }
        guard height > 0, width > 0 else { throw .argument(op, "output size (\(height), \(width)) must be positive") }
        let (n, h, w, c) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
        let shape = [n, height, width, c]
        let count = try Tensor.checkedCount(shape, operation: op)
        guard h > 0, w > 0 else {
            guard count == 0 else { throw .shape(op, "cannot resize the empty image \(input.shape)") }
            return Tensor(unchecked: shape, scalars: [])
        }
        func weights(_ inSize: Int, _ outSize: Int) -> [(Int, Int, Float)] {
            let scale = Float(inSize) / Float(outSize)
            return (0..<outSize).map { o in
                let s = Float(o) * scale
                let lower = Int(s.rounded(.down))
                return (lower, Swift.min(lower + 1, inSize - 1), s - Float(lower))
            }
        }
        let ys = weights(h, height), xs = weights(w, width)
        var out = [Float](repeating: 0, count: count)
        let x = input.scalars
        for bn in 0..<n {
            for oy in 0..<height {
                let (y0, y1, dy) = ys[oy]
                for ox in 0..<width {
                    let (x0, x1, dx) = xs[ox]
                    let tl = ((bn * h + y0) * w + x0) * c, tr = ((bn * h + y0) * w + x1) * c
                    let bl = ((bn * h + y1) * w + x0) * c, br = ((bn * h + y1) * w + x1) * c
                    let d = ((bn * height + oy) * width + ox) * c
                    for ch in 0..<c {
                        let t = x[tl + ch] + (x[tr + ch] - x[tl + ch]) * dx
                        let b = x[bl + ch] + (x[br + ch] - x[bl + ch]) * dx
                        out[d + ch] = t + (b - t) * dy
                    }
                }
            }
        }
        return Tensor(unchecked: shape, scalars: out)
    }

    /// Batched matrix product `op(a)·op(b)` over the last two axes, the leading axes broadcast (`tf.linalg.matmul`,
    /// `keras.ops.matmul`). Rank-1 operands are not accepted here (callers expand them).
    /// - Throws: ``TensorError`` for ranks below 2, inner dimensions that differ, or batch axes that do not broadcast.
    package static func matmul(lhs: Tensor, rhs: Tensor, transposeA: Bool = false,
                              transposeB: Bool = false) throws(TensorError) -> Tensor {
        let op = "matmul"
        guard lhs.rank >= 2, rhs.rank >= 2 else { throw .shape(op, "operands \(lhs.shape) and \(rhs.shape) need rank 2 or more") }
        let (ar, ac) = (lhs.shape[lhs.rank - 2], lhs.shape[lhs.rank - 1])
        let (br, bc) = (rhs.shape[rhs.rank - 2], rhs.shape[rhs.rank - 1])
        let (m, k) = transposeA ? (ac, ar) : (ar, ac)
        let (k2, n) = transposeB ? (bc, br) : (br, bc)
        guard k == k2 else { throw .shape(op, "inner dimensions differ: \(lhs.shape) · \(rhs.shape)") }
        let batchA = Array(lhs.shape.dropLast(2)), batchB = Array(rhs.shape.dropLast(2))
        let batch = try broadcastShape(batchA, batchB, operation: op)
        let shape = batch + [m, n]
        let count = try Tensor.checkedCount(shape, operation: op)
        try BLAS.check(op, m, n, k)
        let batches = batch.reduce(1, *)
        let pa = [Int](repeating: 1, count: batch.count - batchA.count) + batchA
        let pb = [Int](repeating: 1, count: batch.count - batchB.count) + batchB
        let sa = rowMajorStrides(pa).enumerated().map { pa[$0.offset] == 1 ? 0 : $0.element }
        let sb = rowMajorStrides(pb).enumerated().map { pb[$0.offset] == 1 ? 0 : $0.element }
        let bs = rowMajorStrides(batch)
        return Tensor.buildZeroed(shape: shape, count: count) { out in
            lhs.scalars.withUnsafeBufferPointer { ab in
                rhs.scalars.withUnsafeBufferPointer { bb in
                    for t in 0..<batches {
                        var ia = 0, ib = 0, rem = t
                        for d in batch.indices {
                            let i = rem / bs[d]
                            rem %= bs[d]
                            ia += i * sa[d]
                            ib += i * sb[d]
                        }
                        BLAS.sgemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                                   a: ab.baseAddress! + ia * ar * ac, lda: ac,
                                   b: bb.baseAddress! + ib * br * bc, ldb: bc,
                                   c: out.baseAddress! + t * m * n, ldc: n)
                    }
                }
            }
        }
    }

    /// Strided slicing: for each axis `i` of `input`, `count[i]` elements starting at `start[i]` with step
    /// `step[i]` (negative steps walk backwards). The caller resolves Python slice rules into these.
    /// - Throws: ``TensorError`` when the arrays do not match the rank or a slice leaves the axis.
    package static func stridedSlice(input: Tensor, start: [Int], step: [Int], count: [Int]) throws(TensorError) -> Tensor {
        let op = "strided_slice"
        let rank = input.rank
        guard start.count == rank, step.count == rank, count.count == rank else {
            throw .argument(op, "slice of \(start.count) axes does not fit input \(input.shape)")
        }
        for i in 0..<rank where count[i] > 0 {
            let last = start[i] + (count[i] - 1) * step[i]
            guard step[i] != 0, start[i] >= 0, start[i] < input.shape[i], last >= 0, last < input.shape[i] else {
                throw .argument(op, "axis \(i): slice start \(start[i]) step \(step[i]) count \(count[i]) leaves size \(input.shape[i])")
            }
        }
        let total = try Tensor.checkedCount(count, operation: op)
        let strides = rowMajorStrides(input.shape)
        var out = [Float](repeating: 0, count: total)
        guard total > 0 else { return Tensor(unchecked: count, scalars: out) }
        var index = [Int](repeating: 0, count: rank)
        var src = zip(start, strides).reduce(0) { $0 + $1.0 * $1.1 }
        for o in 0..<total {
            out[o] = input.scalars[src]
            var d = rank - 1
            while d >= 0 {
                index[d] += 1
                src += step[d] * strides[d]
                if index[d] < count[d] { break }
                src -= step[d] * strides[d] * index[d]
                index[d] = 0
                d -= 1
            }
        }
        return Tensor(unchecked: count, scalars: out)
    }
}
