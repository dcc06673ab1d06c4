import CKernels
import Dispatch
#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import TensorModule

/// Runs `forEachChunk` over `count` (as large work, so it is split) and returns how often each index was visited.
private func visits(count: Int, nested: Bool = false) -> [Int] {
    var seen = [Int](repeating: 0, count: count)
    seen.withUnsafeMutableBufferPointer { seen in
        let p = seen.baseAddress!
        Parallel.forEachChunk(count: count, work: 1 << 30) { range in
            if nested {
                // A loop inside a loop body runs on that thread alone, over the body's own range.
                Parallel.forEachChunk(count: range.count, work: 1 << 30) { inner in
                    for i in inner { p[range.lowerBound + i] += 1 }
                }
            } else {
                for i in range { p[i] += 1 }
            }
        }
    }
    return seen
}

@Suite("Parallel loops (the spinning thread pool)")
struct ParallelTests {
    @Test("Every index is visited exactly once", arguments: [1, 2, 3, 7, 64, 1001])
    func coverage(count: Int) {
        #expect(visits(count: count) == [Int](repeating: 1, count: count))
    }

    @Test("A loop started inside a loop body runs (alone) and covers its range")
    func nested() {
        #expect(visits(count: 513, nested: true) == [Int](repeating: 1, count: 513))
    }

    @Test("Loops started from many threads at once all finish, each covering its range")
    func concurrentCallers() {
        let callers = 8, rounds = 300
        let buffer = UnsafeMutablePointer<Int>.allocate(capacity: callers)
        buffer.initialize(repeating: 0, count: callers)
        defer { buffer.deallocate() }
        let address = Int(bitPattern: buffer)   // each caller writes only its own slot
        DispatchQueue.concurrentPerform(iterations: callers) { c in
            let failures = UnsafeMutablePointer<Int>(bitPattern: address)!
            for r in 0..<rounds {
                let count = 1 + (c * 37 + r * 11) % 300
                if visits(count: count) != [Int](repeating: 1, count: count) { failures[c] += 1 }
            }
        }
        #expect((0..<callers).map { buffer[$0] } == [Int](repeating: 0, count: callers))
    }

    /// `Ops.withLoopSplit`: a prediction on fewer images than twice the cores cuts a loop that does not choose its
    /// own split into one chunk per core (consecutive, in order), a larger batch into four per core; a loop's
    /// explicit `chunksPerCore` wins either way. The chunks still cover the range once.
    @Test("small batches split loops into one chunk per core")
    func loopSplitForBatch() {
        /// The ranges a loop over `count` indexes is cut into (each chunk records its start in its own slot).
        func chunks(count: Int, chunksPerCore: Int? = nil) -> [Range<Int>] {
            var ends = [Int](repeating: -1, count: count)
            ends.withUnsafeMutableBufferPointer { ends in
                let p = ends.baseAddress!
                let body = { (range: Range<Int>) in p[range.lowerBound] = range.upperBound }
                if let chunksPerCore {
                    Parallel.forEachChunk(count: count, work: 1 << 30, chunksPerCore: chunksPerCore, body)
                } else {
                    Parallel.forEachChunk(count: count, work: 1 << 30, body)
                }
            }
            return ends.enumerated().filter { $0.element >= 0 }.map { $0.offset..<$0.element }
        }
        let cores = Parallel.coreCount
        for (batch, perCore) in [(1, 1), (2 * cores - 1, 1), (2 * cores, 4), (64, 4)] {
            let ranges = Ops.withLoopSplit(forBatch: batch) { chunks(count: 1000) }
            #expect(ranges.count == (cores > 1 ? cores * perCore : 1), "batch \(batch)")
            #expect(ranges.first?.lowerBound == 0 && ranges.last?.upperBound == 1000)
            #expect(zip(ranges, ranges.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound }, "batch \(batch)")
            let explicit = Ops.withLoopSplit(forBatch: batch) { chunks(count: 1000, chunksPerCore: 2) }
            #expect(explicit.count == (cores > 1 ? 2 * cores : 1), "batch \(batch), two chunks per core asked for")
        }
        #expect(chunks(count: 1000).count == (cores > 1 ? 4 * cores : 1), "outside a prediction")
    }

    @Test("a loop's first chunk runs on the calling thread")
    func firstChunkOnCaller() {
        let caller = pthread_self()
        for count in [2, 3, 1000] {
            var first = [pthread_t?](repeating: nil, count: 1)
            first.withUnsafeMutableBufferPointer { first in
                let p = first.baseAddress!
                Ops.withLoopSplit(forBatch: 1) {
                    Parallel.forEachChunk(count: count, work: 1 << 30) { range in
                        if range.lowerBound == 0 { p[0] = pthread_self() }
                    }
                }
            }
            #expect(first[0].map { pthread_equal($0, caller) != 0 } == true, "count \(count)")
        }
    }

    @Test("a loop split in two ends its first chunk at the share, within 1 … count − 1")
    func twoWaySplit() {
        #expect(Parallel.twoWaySplit(count: 1000, share: 0.5) == 500)
        #expect(Parallel.twoWaySplit(count: 1000, share: 0.55) == 550)
        #expect(Parallel.twoWaySplit(count: 7, share: 0.5) == 4)   // 3.5 rounds away from zero
        #expect(Parallel.twoWaySplit(count: 2, share: 0.3) == 1)
        #expect(Parallel.twoWaySplit(count: 10, share: 0) == 1)
        #expect(Parallel.twoWaySplit(count: 10, share: 1) == 9)
        #expect(Parallel.twoWaySplit(count: 10, share: .nan) == 5)
    }

    @Test("the two-thread share moves a hundredth of the way to the share that evens the loop, within 0.3 … 0.7")
    func shareUpdate() {
        // Both halves in the same time: no change.
        #expect(kp_parallel_share_update(0.5, 0.5, 100_000, 100_000) == 0.5)
        // The worker twice as slow per unit of work: evening out wants 2/3 for the caller.
        let moved = kp_parallel_share_update(0.5, 0.5, 100_000, 200_000)
        #expect(abs(moved - (0.5 + 0.01 * (2.0 / 3.0 - 0.5))) < 1e-12)
        // From a share of 0.6 that the caller ran in the same time as the worker its 0.4: its speed is 1.5× the
        // worker's, so 0.6 is even and stays.
        #expect(abs(kp_parallel_share_update(0.6, 0.6, 100_000, 100_000) - 0.6) < 1e-12)
        // Clamped at 0.3 and 0.7.
        #expect(kp_parallel_share_update(0.7, 0.5, 10_000, 1_000_000) == 0.7)
        #expect(kp_parallel_share_update(0.3, 0.5, 1_000_000, 10_000) == 0.3)
        // Loops under 20 µs in all, and invalid measurements, change nothing.
        #expect(kp_parallel_share_update(0.5, 0.5, 5_000, 14_000) == 0.5)
        #expect(kp_parallel_share_update(0.5, 0.5, 0, 100_000) == 0.5)
        #expect(kp_parallel_share_update(0.5, 1.0, 100_000, 100_000) == 0.5)
        #expect((0.3...0.7).contains(kp_parallel_share()))
    }

    @Test("a site's loop moves the shared share a hundredth and the site's offset a twentieth of its miss")
    func siteUpdate() {
        func update(_ share: Double, _ offset: Double, used: Double, _ c: Int, _ w: Int) -> (Double, Double) {
            var (s, o) = (share, offset)
            kp_parallel_site_update(&s, &o, used, c, w)
            return (s, o)
        }
        // Both parts in the same time at the share + offset the split used: no change.
        let same = update(0.5, 0.05, used: 0.55, 100_000, 100_000)
        #expect(abs(same.0 - 0.5) < 1e-12 && abs(same.1 - 0.05) < 1e-12)
        // The worker twice as slow per unit of work on halves: the miss is 2/3 − 1/2.
        let miss = 2.0 / 3.0 - 0.5
        let moved = update(0.5, 0, used: 0.5, 100_000, 200_000)
        #expect(abs(moved.0 - (0.5 + 0.01 * miss)) < 1e-12)
        #expect(abs(moved.1 - 0.05 * miss) < 1e-12)
        // A site whose offset has already taken the imbalance leaves the shared share alone.
        let learned = update(0.5, miss, used: 2.0 / 3.0, 100_000, 100_000)
        #expect(abs(learned.0 - 0.5) < 1e-12 && abs(learned.1 - miss) < 1e-12)
        // The offset stays within ±0.2, the share within 0.3 … 0.7.
        #expect(update(0.5, 0.2, used: 0.5, 10_000, 1_000_000).1 == 0.2)
        #expect(update(0.5, -0.2, used: 0.5, 1_000_000, 10_000).1 == -0.2)
        #expect(update(0.7, 0.1, used: 0.5, 10_000, 1_000_000).0 == 0.7)
        // Loops under 20 µs in all change neither.
        let short = update(0.5, 0.1, used: 0.5, 5_000, 14_000)
        #expect(short.0 == 0.5 && short.1 == 0.1)
        // No site: the shared share; any site's share within 0.3 … 0.7.
        #expect(kp_parallel_share_at(-1) == kp_parallel_share())
        #expect((0.3...0.7).contains(kp_parallel_share_at(Parallel.siteKey(count: 56, work: 1 << 20))))
    }

    @Test("a loop's site depends only on its rows and work, and loops of other sizes mostly take other sites")
    func siteKeys() {
        #expect(Parallel.siteKey(count: 112, work: 802_816) == Parallel.siteKey(count: 112, work: 802_816))
        var slots = Set<Int>()
        for count in 1...1000 {
            let key = Parallel.siteKey(count: count, work: count * 37)
            #expect((0..<65_536).contains(key))
            slots.insert(key % 256)
        }
        // 1,000 keys thrown at 256 slots at random leave about 256·e^(−1000/256) ≈ 5 empty.
        #expect(slots.count >= 230, "\(slots.count) of 256 slots")
    }

    @Test("Loops after the workers have gone to sleep still finish")
    func afterSleep() async throws {
        #expect(visits(count: 100) == [Int](repeating: 1, count: 100))
        try await Task.sleep(nanoseconds: 5_000_000)   // 25× the workers' polling time
        #expect(visits(count: 100) == [Int](repeating: 1, count: 100))
    }
}
