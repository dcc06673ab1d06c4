internal import CKernels
import Dispatch
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

    /// Faults in about `bytes` of heap memory at once, on two cores, and frees it again (``prepareForInference()``
    /// keeps freed memory in the heap): the weights read next are carved from pages already present instead of
    /// faulting them in one by one while they are copied. On this virtual machine a first touch costs about
    /// 2–3 µs per 4 KiB page (zeroing plus the host's fault handling), which was about half of reading a model's
    /// weights; `MADV_POPULATE_WRITE` (Linux 5.14+) faults a range in one call, and two threads fault in two
    /// halves at once. Nothing is reserved when `malloc` is left as it is (`KERASPORT_KEEP_MEMORY=0`), for less
    /// than 1 MiB, or beyond 448 MiB (under the 512 MiB trim threshold, so the freed block stays in the heap);
    /// failures are ignored (the pages then fault in during the reads, as before). The pages are those the weights
    /// occupy next, so the process's peak memory does not grow.
    package static func prefaultHeap(bytes: Int) {
        #if os(Linux) && canImport(Glibc)
        guard prepared, bytes >= 1 << 20 else { return }
        let size = min(bytes, 448 << 20)
        guard let block = malloc(size) else { return }
        defer { free(block) }
        let page = 4096
        let start = (Int(bitPattern: block) + page - 1) & ~(page - 1)
        let end = (Int(bitPattern: block) + size) & ~(page - 1)
        guard end > start else { return }
        let pages = (end - start) / page
        let parts = max(1, min(2, pages / 256))
        DispatchQueue.concurrentPerform(iterations: parts) { i in
            let first = pages * i / parts, last = pages * (i + 1) / parts
            _ = madvise(UnsafeMutableRawPointer(bitPattern: start + first * page), (last - first) * page, 23)  // MADV_POPULATE_WRITE
        }
        #endif
    }

    private static let prepared: Bool = {
        if let v = getenv("KERASPORT_KEEP_MEMORY"), String(cString: v) == "0" { return false }
        return kp_keep_freed_memory() != 0
    }()
}
