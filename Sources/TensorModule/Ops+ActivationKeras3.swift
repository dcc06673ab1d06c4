#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// The activations Keras 3 added (`keras.activations.celu`, `hard_shrink`, …), each as its TensorFlow backend
// computes it (keras/src/backend/tensorflow/nn.py), and the two axis-wise ones, `log_softmax` and `sparsemax`.

extension Ops {
    /// Runs `row` over every 1-D slice of `input` along `axis` (moved last and back when it is not the last axis).
    static func alongAxis(_ input: Tensor, axis: Int, operation: String,
                          row: @escaping (UnsafeMutablePointer<Float>, Int) -> Void) throws(TensorError) -> Tensor {
        let a = try normalizeAxis(axis, rank: input.rank, operation: operation)
        let last = input.rank - 1
        var perm = Array(0..<input.rank)
        perm.swapAt(a, last)
        var t = a == last ? input : try transpose(input: input, permutation: perm)
        let n = t.shape[last]
        let total = t.count
        let rows = n == 0 ? 0 : total / n
        if rows > 0 {
            t.scalars.withUnsafeMutableBufferPointer { buffer in
                let base = buffer.baseAddress!
                Parallel.forEachChunk(count: rows, work: total * 8) { range in
                    for r in range { row(base + r * n, n) }
                }
            }
        }
        return a == last ? t : try transpose(input: t, permutation: perm)
    }

    /// `tf.nn.log_softmax` of one row in place: (x − max) − log(Σ exp(x − max)).
    static func logSoftmaxRow(_ p: UnsafeMutablePointer<Float>, _ n: Int) {
        var m = -Float.infinity
        for j in 0..<n where p[j] > m || p[j].isNaN { m = p[j].isNaN ? .nan : max(m, p[j]); if m.isNaN { break } }
        var s: Float = 0
        for j in 0..<n {
            p[j] -= m
            s += expf(p[j])
        }
        let l = logf(s)
        for j in 0..<n { p[j] -= l }
    }

    /// Keras 3.15's `sparsemax` of one row in place, step for step: sort descending, cumulative sums `c`, support
    /// `z_i − (c_i − 1)/i > 0`, `k` = its size, `τ = (Σ_support c_i − 1) / k`, `max(x − τ, 0)`.
    ///
    /// Keras sums the cumulative sums over the support, not the sorted values (textbook sparsemax takes
    /// `τ = (c_k − 1)/k`), so its rows need not sum to 1 (`[1, 0.9, 0]` → `[0.05, 0, 0]`); KerasPort computes what
    /// Keras computes.
    static func sparsemaxRow(_ p: UnsafeMutablePointer<Float>, _ n: Int) {
        let sorted = UnsafeBufferPointer(start: p, count: n).sorted(by: >)
        var cumsum: Float = 0
        var k: Float = 0
        var supportSum: Float = 0
        for (i, z) in sorted.enumerated() {
            cumsum += z
            if z - (cumsum - 1) / Float(i + 1) > 0 {
                k += 1
                supportSum += cumsum
            }
        }
        let tau = (supportSum - 1) / k
        for j in 0..<n { p[j] = max(p[j] - tau, 0) }
    }
}

struct CELUKernel: VectorKernel {
    var alpha: Float
    @inline(__always) func callAsFunction(_ x: FloatVector) -> FloatVector {
        let positive = x.replacing(with: 0, where: x .< 0)
        let negative = x.replacing(with: 0, where: x .> 0)
        return positive + alpha * (VectorMath.exp(negative / alpha) - 1)
    }
}

struct HardShrinkKernel: VectorKernel {
    var threshold: Float
    @inline(__always) func callAsFunction(_ x: FloatVector) -> FloatVector {
        let magnitude = unsafeBitCast(unsafeBitCast(x, to: IntVector.self) & IntVector(repeating: 0x7FFF_FFFF),
                                      to: FloatVector.self)
        return FloatVector(repeating: 0).replacing(with: x, where: magnitude .> threshold)
    }
}

struct HardTanhKernel: VectorKernel {
    @inline(__always) func callAsFunction(_ x: FloatVector) -> FloatVector { vclip(x, -1, 1) }
}

struct LogSigmoidKernel: VectorKernel {
    @inline(__always) func callAsFunction(_ x: FloatVector) -> FloatVector { -VectorMath.softplus(-x) }
}

struct SoftShrinkKernel: VectorKernel {
    var threshold: Float
    @inline(__always) func callAsFunction(_ x: FloatVector) -> FloatVector {
        let inner = FloatVector(repeating: 0).replacing(with: x + threshold, where: x .< -threshold)
        return inner.replacing(with: x - threshold, where: x .> threshold)
    }
}

struct SparsePlusKernel: VectorKernel {
    @inline(__always) func callAsFunction(_ x: FloatVector) -> FloatVector {
        let s = x + 1
        let inner = x.replacing(with: 0.25 * (s * s), where: x .< 1)
        return inner.replacing(with: 0, where: x .<= -1)
    }
}

struct SparseSigmoidKernel: VectorKernel {
    @inline(__always) func callAsFunction(_ x: FloatVector) -> FloatVector {
        let inner = (0.5 * (x + 1)).replacing(with: 1, where: x .>= 1)
        return inner.replacing(with: 0, where: x .<= -1)
    }
}

struct SquareplusKernel: VectorKernel {
    var b: Float
    @inline(__always) func callAsFunction(_ x: FloatVector) -> FloatVector {
        (x + (x * x + b).squareRoot()) / 2
    }
}

struct TanhShrinkKernel: VectorKernel {
    @inline(__always) func callAsFunction(_ x: FloatVector) -> FloatVector { x - VectorMath.tanh(x) }
}
