internal import CKernels
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Splitting loops across the machine's cores.
enum Parallel {
    /// Threads a loop is split into: `KERASPORT_THREADS` when set to a positive number, else the processors this
    /// process may run on (its affinity mask, so `taskset` and container CPU sets are respected), at least 1.
    static let coreCount: Int = {
        if let v = getenv("KERASPORT_THREADS"), let n = Int(String(cString: v)), n > 0 { return n }
        return kp_usable_cpu_count()
    }()

    /// Work (roughly: elements touched) below which a loop stays on the calling thread.
    static let defaultThreshold = 65_536

    /// Chunks per core of a loop that does not choose its own split, outside a prediction on a small batch.
    static let dynamicChunksPerCore = 4

    /// `chunksPerCore` of a loop that does not choose its own: ``dynamicChunksPerCore``, or 1 inside
    /// ``Ops/withLoopSplit(forBatch:_:)`` for a small batch.
    @TaskLocal static var defaultChunksPerCore = dynamicChunksPerCore

    /// Runs `body` over `0..<count` split into contiguous chunks, concurrently when `work` is at
    /// least `threshold` and there is more than one core; otherwise once, on the calling thread.
    /// `body` must only write memory that belongs to its own range.
    ///
    /// `chunksPerCore` > 1 cuts the range finer: the threads take chunks as they become free, so a core that the
    /// system (or a virtual machine's host) slows down does less of the work instead of holding the others up.
    @inline(__always)
    static func forEachChunk(count: Int, work: Int, threshold: Int = defaultThreshold,
                             chunksPerCore: Int = defaultChunksPerCore, _ body: (Range<Int>) -> Void) {
        guard count > 0 else { return }
        let chunks = (work >= threshold && coreCount > 1) ? min(coreCount * max(chunksPerCore, 1), count) : 1
        if chunks == 1 {
            body(0..<count)
            return
        }
        // The spinning pool of CKernels (`kp_parallel_for`): at batch 1 a loop is tens of microseconds, about
        // what waking a sleeping thread costs. `body` only touches disjoint ranges of buffers that outlive this call.
        // Two chunks on two cores: the first (the calling thread's) ends where the pool's measured share for this
        // loop puts it.
        let site = adaptiveSplit ? siteKey(count: count, work: work) : -1
        let split = chunks == 2 && coreCount == 2 && adaptiveSplit
            ? twoWaySplit(count: count, share: fixedShare ?? kp_parallel_share_at(site)) : 0
        withoutActuallyEscaping(body) { escapable in
            var loop = Loop(body: escapable, count: count, chunks: chunks, split: split)
            if let order = serialChunks {
                for i in order == .forward ? Array(0..<chunks) : Array((0..<chunks).reversed()) { loop.run(i) }
                return
            }
            withUnsafeMutablePointer(to: &loop) { pointer in
                kp_parallel_for_split(chunks, coreCount, { context, i in
                    context!.assumingMemoryBound(to: Loop.self).pointee.run(i)
                }, pointer, split > 0 ? Double(split) / Double(count) : 0, site)
            }
        }
    }

    /// Whether a loop split in two on two cores splits where the pool measured the two threads would finish
    /// together (`kp_parallel_share`), rather than in halves: true unless the environment sets
    /// `KERASPORT_ADAPTIVE_SPLIT=0` (for comparisons). A virtual machine's host slows one virtual CPU for seconds at
    /// a time; with halves the other then waited at the end of every loop (EfficientNetB0 at batch 1 in such a
    /// spell: the worker's halves took 1.15× as long as the caller's, and the caller waited 1.5 ms of a 9.3 ms
    /// prediction; with a busy loop taking a quarter of the second CPU, the adapted split ran 0.94× the time of the
    /// halves). Each value is the same wherever the split falls.
    static let adaptiveSplit: Bool = {
        guard let v = getenv("KERASPORT_ADAPTIVE_SPLIT") else { return true }
        return String(cString: v) != "0"
    }()

    /// The order in which tests have the calling thread run a loop's chunks itself, one after the other (the same
    /// chunks as the pool would run at once): for code whose chunks hand each other work (``Ops/HaloExchange``).
    enum SerialOrder: Sendable { case forward, reverse }
    @TaskLocal static var serialChunks: SerialOrder? = nil

    /// A share that every loop split in two takes instead of the pool's (``Ops/withSplitShare(_:_:)``).
    @TaskLocal static var fixedShare: Double?

    /// The pool's site for a loop of `count` rows and `work` (`kp_parallel_share_at`): a hash of the two, so that the
    /// same loop of every prediction (the same layer, batch and shape) finds the share offset its own splits taught
    /// it, and loops of other sizes mostly others. Loops that collide share one offset, as every loop shared one share
    /// before.
    static func siteKey(count: Int, work: Int) -> Int {
        var h = UInt64(truncatingIfNeeded: count) &* 0x9E37_79B9_7F4A_7C15
        h = (h ^ UInt64(truncatingIfNeeded: work)) &* 0xBF58_476D_1CE4_E5B9
        return Int(truncatingIfNeeded: (h >> 40) & 0xFFFF)
    }

    /// The end of the first of two chunks of `count` (≥ 2) for the first thread's `share` of the work: the nearest
    /// whole count, at least 1 and at most count − 1.
    static func twoWaySplit(count: Int, share: Double) -> Int {
        guard count >= 2 else { return count }
        let s = share.isFinite ? min(max(share, 0), 1) : 0.5
        return min(count - 1, max(1, Int((Double(count) * s).rounded())))
    }

    /// One parallel loop as the pool's callback sees it: chunk i of `chunks` equal ones, or with `split` > 0 (two
    /// chunks) [0, split) and [split, count).
    private struct Loop {
        let body: (Range<Int>) -> Void
        let count: Int
        let chunks: Int
        let split: Int

        /// Runs chunk `i`.
        func run(_ i: Int) {
            body(split > 0 ? (i == 0 ? 0..<split : split..<count) : (count * i / chunks)..<(count * (i + 1) / chunks))
        }
    }
}

extension Ops {
    /// Runs `body` (a prediction on `batch` images) with the loop split its size calls for. Fewer images than twice
    /// the cores: loops that take the default split (element-wise steps, pooling, depthwise steps, products of over
    /// 1,024 rows, Winograd blocks, separable bands) take one chunk of consecutive rows per core, the first to the
    /// calling thread, as the smaller products and band-fused blocks split theirs, so a step mostly reads the rows
    /// the step before left in the same core's L2; in four chunks per core, taken as threads came free, about half
    /// of them were in the other core's cache. Two cores, batch 1, paired: DenseNet121 0.958× the time, Xception
    /// 0.978× (its 19 × 19 × 728 depthwise steps 117 → 76 µs), then with the larger products, Winograd blocks and
    /// separable bands too a further 0.985× (Xception), 0.978× (ResNet50), 0.988× (DenseNet121). At batch 8, where
    /// the activations no longer fit in L2, one chunk per core measured 0.998–1.004×: four stay, so that a core the
    /// system slows does less of the work.
    package static func withLoopSplit<R>(forBatch batch: Int, _ body: () throws -> R) rethrows -> R {
        let chunks = batch < 2 * Parallel.coreCount ? 1 : Parallel.dynamicChunksPerCore
        return try Parallel.$defaultChunksPerCore.withValue(chunks, operation: body)
    }

    /// Runs `body` with every loop that two cores split in two (``Parallel/forEachChunk(count:work:threshold:chunksPerCore:_:)``)
    /// ending the calling thread's part at `share` of its rows instead of where the pool's measurements put it: for
    /// tests that the values do not depend on where the split falls.
    package static func withSplitShare<R>(_ share: Double, _ body: () throws -> R) rethrows -> R {
        try Parallel.$fixedShare.withValue(share, operation: body)
    }
}
