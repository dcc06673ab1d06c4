// The CBLAS seam: OpenBLAS through the `CBLAS` system library on Linux, Apple's Accelerate (the same CBLAS
// interface: `cblas_sgemm`, `CblasRowMajor`, 32-bit integers) on Darwin. Package.swift links one or the other.
#if canImport(Accelerate)
internal import Accelerate
#else
internal import CBLAS
#endif

/// The only place that calls BLAS (OpenBLAS on Linux, Accelerate on Darwin). Both split large GEMMs across the
/// cores themselves, so callers never wrap these calls in their own parallel loops.
enum BLAS {
    /// Throws when a GEMM dimension does not fit the 32-bit `blasint` of OpenBLAS.
    static func check(_ operation: String, _ dims: Int...) throws(TensorError) {
        for d in dims where d > Int(Int32.max) {
            throw TensorError(.overflow, operation: operation,
                              message: "dimension \(d) is too large for BLAS (limit \(Int32.max))")
        }
    }

    /// Row-major `C[m×n] = op(A)·op(B) + beta·C`, where `op(A)` is `m×k` and `op(B)` is `k×n`.
    /// Dimensions must have passed ``check(_:_:)``. With `k == 0`, `C` is scaled by `beta`.
    ///
    /// The corresponding C function is `cblas_sgemm`.
    static func sgemm(transposeA: Bool = false, transposeB: Bool = false,
                      m: Int, n: Int, k: Int,
                      a: UnsafePointer<Float>, lda: Int,
                      b: UnsafePointer<Float>, ldb: Int,
                      beta: Float = 0,
                      c: UnsafeMutablePointer<Float>, ldc: Int) {
        guard m > 0, n > 0 else { return }
        guard k > 0 else {
            for i in 0..<m {
                let row = c + i * ldc
                for j in 0..<n { row[j] = beta == 0 ? 0 : beta * row[j] }
            }
            return
        }
        if m == 1 {
            // A single row: GEMV is much faster than a packed GEMM in OpenBLAS 0.3.21 (which does not
            // forward such calls itself). y = op(B)ᵀ-shaped product of the row with B.
            cblas_sgemv(CblasRowMajor, transposeB ? CblasNoTrans : CblasTrans,
                        Int32(transposeB ? n : k), Int32(transposeB ? k : n),
                        1, b, Int32(ldb), a, Int32(transposeA ? lda : 1), beta, c, 1)
            return
        }
        cblas_sgemm(CblasRowMajor,
                    transposeA ? CblasTrans : CblasNoTrans,
                    transposeB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k),
                    1, a, Int32(lda), b, Int32(ldb),
                    beta, c, Int32(ldc))
    }
}

#if !canImport(Accelerate) && canImport(Glibc)
import Glibc

extension BLAS {
    /// Stops OpenBLAS's worker threads, when this OpenBLAS has them (its pthread build): they start when the library
    /// is loaded, before `main`, and poll for work with `sched_yield` for about 2^28 cycles (a tenth of a second here)
    /// before they sleep, on a 2-core machine taking the core that reading and packing a model's weights use (a
    /// ConvNeXtTiny `bench` process: ~40–70 ms of CPU time). The next GEMM large enough for threads starts them again
    /// (`exec_blas_async` re-creates a pool that was shut down: the path OpenBLAS's own fork handler relies on, which
    /// calls the same function). Returns whether they were stopped (`false`: no such function, nothing done).
    ///
    /// Call only while no BLAS call can be running in any thread: the command-line tool does so before anything else.
    /// The corresponding C function is OpenBLAS's `blas_thread_shutdown_`, looked up at run time.
    static func stopIdleThreads() -> Bool {
        guard let process = dlopen(nil, RTLD_NOW) else { return false }
        defer { dlclose(process) }
        guard let symbol = dlsym(process, "blas_thread_shutdown_") else { return false }
        typealias Shutdown = @convention(c) () -> Int32
        return unsafeBitCast(symbol, to: Shutdown.self)() == 0
    }
}
#else
extension BLAS {
    /// Accelerate starts no threads of its own at load time: nothing to stop.
    static func stopIdleThreads() -> Bool { false }
}
#endif
