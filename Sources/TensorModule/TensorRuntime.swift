internal import CKernels
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Process-wide settings for running models.
package enum TensorRuntime {
    /// Called by `KerasFile.loadGraph` (before the weights are read, so they come from the heap and the pages of a
    /// kernel freed once packed are reused) and by `CompiledModel` (once per process; later calls do nothing). With glibc it makes `malloc` keep freed
    /// blocks in the heap (no `mmap` for large blocks) and trim free memory only beyond 512 MiB: every layer allocates its output
    /// tensor, and without this each large tensor's pages are unmapped when freed and faulted in again for the next
    /// one (measured on a 16 MiB LeakyReLU: 3× slower). The cost is that up to 512 MiB of freed memory stays with
    /// the process. `KERASPORT_KEEP_MEMORY=0` leaves `malloc` as it is.
    package static func prepareForInference() {
        _ = prepared
    }

    /// For a process that has not called BLAS yet (a command-line tool's start): stops the worker threads OpenBLAS
    /// started when it was loaded, which would otherwise poll for work on a second core during the first tenth of a
    /// second; the first GEMM that wants threads starts them again (``BLAS/stopIdleThreads()``). Never call it while
    /// another thread may be running a model. Returns whether there were threads to stop.
    @discardableResult
    package static func stopIdleBLASThreadsAtStartup() -> Bool {
        BLAS.stopIdleThreads()
    }

    private static let prepared: Bool = {
        if let v = getenv("KERASPORT_KEEP_MEMORY"), String(cString: v) == "0" { return false }
        return kp_keep_freed_memory() != 0
    }()
}
