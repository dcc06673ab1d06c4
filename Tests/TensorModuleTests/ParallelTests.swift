import Dispatch
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

    @Test("Loops after the workers have gone to sleep still finish")
    func afterSleep() async throws {
        #expect(visits(count: 100) == [Int](repeating: 1, count: 100))
        try await Task.sleep(nanoseconds: 5_000_000)   // 25× the workers' polling time
        #expect(visits(count: 100) == [Int](repeating: 1, count: 100))
    }
}
