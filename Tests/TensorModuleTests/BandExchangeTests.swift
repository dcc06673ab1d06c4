import Dispatch
import Synchronization
import Testing
@testable import TensorModule

/// `Ops.HaloExchange` on its own, for any number of chunks (the band-fused path makes one per core): every expanded
/// row a chunk's output lines reach comes out as the row made in place, whichever order the chunks run in (one
/// thread first to last, last to first, or all at once on several threads), including chunks of one line and
/// chunks that end at image boundaries; and where one thread runs the chunks first to last, each row the chunk below
/// owes is made once more (the chunk below has not started) and each one the chunk above owes is copied.
@Suite("Band-fused blocks: expanded rows shared between chunks")
struct BandExchangeTests {
    struct Geometry: CustomTestStringConvertible, Sendable {
        var batch: Int, outRows: Int, height: Int, stride: Int, pad: Int, reach: Int
        var testDescription: String { "\(batch) × \(height) rows → \(outRows), stride \(stride), pad \(pad), reach \(reach)" }
    }

    static let geometries = [
        Geometry(batch: 1, outRows: 14, height: 14, stride: 1, pad: 1, reach: 3),
        Geometry(batch: 2, outRows: 14, height: 14, stride: 1, pad: 2, reach: 5),
        Geometry(batch: 1, outRows: 7, height: 14, stride: 2, pad: 0, reach: 3),
        Geometry(batch: 3, outRows: 10, height: 20, stride: 2, pad: 2, reach: 5),
        Geometry(batch: 1, outRows: 9, height: 9, stride: 1, pad: 2, reach: 5),
        Geometry(batch: 1, outRows: 5, height: 15, stride: 3, pad: 0, reach: 2),   // windows that share no row
    ]

    /// Rows made and rows read wrong, counted by every thread.
    final class Tally: Sendable {
        let made = Mutex(0), wrong = Mutex<[String]>([])
    }

    /// Row r of image n, as `make` writes it.
    static func value(_ n: Int, _ r: Int, _ j: Int) -> Float { Float(n * 100_000 + r * 1_000 + j) }

    @Test("every chunk reads each row as made in place", arguments: geometries)
    func rowsAsMade(_ g: Geometry) {
        let rowFloats = 5, lines = g.batch * g.outRows
        // Chunkings: two, three and many chunks, one-line chunks, chunks ending at an image boundary.
        var chunkings: [[Int]] = [[0, lines / 2, lines], [0, 1, lines - 1, lines], Array(0...lines),
                                  [0, lines / 3, 2 * lines / 3, lines]]
        if g.batch > 1 { chunkings.append([0, g.outRows, g.outRows + 1, lines]) }
        for cuts in chunkings where Set(cuts).count == cuts.count {
            for mode in ["forward", "reverse", "concurrent"] {
                let exchange = Ops.HaloExchange(lines: lines, outRows: g.outRows, height: g.height,
                                                stride: g.stride, padBefore: g.pad, reach: g.reach,
                                                rowFloats: rowFloats)
                let tally = Tally()
                let make: @Sendable (Int, Int, Int, UnsafeMutablePointer<Float>) -> Void = { n, r0, r1, into in
                    tally.made.withLock { $0 += r1 - r0 }
                    for r in r0..<r1 {
                        for j in 0..<rowFloats { into[(r - r0) * rowFloats + j] = Self.value(n, r, j) }
                    }
                }
                /// Chunk `i`: its exports, then the rows its lines reach, image by image, in two fills per image
                /// (as bands do), checked.
                let run: @Sendable (Int) -> Void = { i in
                    let (start, end) = (cuts[i], cuts[i + 1])
                    let chunk = exchange.chunk(start: start, end: end, make: make)
                    var line = start
                    while line < end {
                        let n = line / g.outRows, first = line % g.outRows
                        let last = min(g.outRows, first + (end - line))
                        let lo = max(0, min(g.height, first * g.stride - g.pad))
                        let hi = max(lo, min(g.height, (last - 1) * g.stride - g.pad + g.reach))
                        let buffer = UnsafeMutablePointer<Float>.allocate(capacity: max(1, (hi - lo) * rowFloats))
                        defer { buffer.deallocate() }
                        let mid = lo + (hi - lo) / 2
                        chunk.fill(n, lo, mid, into: buffer, make: make)
                        chunk.fill(n, mid, hi, into: buffer + (mid - lo) * rowFloats, make: make)
                        for r in lo..<hi {
                            for j in 0..<rowFloats where buffer[(r - lo) * rowFloats + j] != Self.value(n, r, j) {
                                tally.wrong.withLock { $0.append("chunk \(start)..<\(end): image \(n) row \(r)") }
                            }
                        }
                        line += last - first
                    }
                }
                let count = cuts.count - 1
                switch mode {
                case "forward": for i in 0..<count { run(i) }
                case "reverse": for i in (0..<count).reversed() { run(i) }
                default: DispatchQueue.concurrentPerform(iterations: count) { run($0) }
                }
                let failures = tally.wrong.withLock { $0 }
                #expect(failures.isEmpty, "\(g.testDescription), cuts \(cuts), \(mode): \(failures.prefix(3))")
                if mode == "forward" {
                    // Rows made: every chunk's reach, less the rows the chunk above owed it (copied; none where
                    // either chunk is too short to exchange). A chunk's own rows for its neighbours are made once
                    // and copied, and the rows the chunk below owes it are made (that chunk has not started).
                    var expected = 0
                    for i in 0..<count {
                        let (start, end) = (cuts[i], cuts[i + 1])
                        var line = start
                        while line < end {
                            let first = line % g.outRows, last = min(g.outRows, first + (end - line))
                            let lo = max(0, min(g.height, first * g.stride - g.pad))
                            expected += max(lo, min(g.height, (last - 1) * g.stride - g.pad + g.reach)) - lo
                            line += last - first
                        }
                        if let up = exchange.boundary(at: start), !Self.isShort(cuts, i, exchange),
                           !Self.isShort(cuts, i - 1, exchange) {
                            expected -= up.mid - up.lo
                        }
                    }
                    #expect(tally.made.withLock { $0 } == expected, "\(g.testDescription), cuts \(cuts): rows made")
                }
            }
        }
    }

    /// Whether chunk `i` exchanges nothing (too short: the rows it owes above and below overlap).
    static func isShort(_ cuts: [Int], _ i: Int, _ e: Ops.HaloExchange) -> Bool {
        guard i >= 0, let up = e.boundary(at: cuts[i]), let down = e.boundary(at: cuts[i + 1]) else { return false }
        return up.n == down.n && down.lo < up.hi
    }

    /// Where two chunks meet: the rows both windows reach, split between them (the chunk above makes the first
    /// half); none at an image boundary or where the windows share no row.
    @Test("shared rows at a boundary")
    func boundaries() throws {
        let e = Ops.HaloExchange(lines: 28, outRows: 14, height: 14, stride: 1, padBefore: 1, reach: 3,
                                 rowFloats: 1)
        let b = try #require(e.boundary(at: 7))
        #expect((b.n, b.lo, b.mid, b.hi) == (0, 6, 7, 8))
        let c = try #require(e.boundary(at: 21))
        #expect((c.n, c.lo, c.mid, c.hi) == (1, 6, 7, 8))
        #expect(e.boundary(at: 14) == nil && e.boundary(at: 0) == nil && e.boundary(at: 28) == nil)
        let s2 = Ops.HaloExchange(lines: 7, outRows: 7, height: 14, stride: 2, padBefore: 0, reach: 3,
                                  rowFloats: 1)
        let d = try #require(s2.boundary(at: 4))   // rows 6–8 and 8–10: row 8, made by the chunk below
        #expect((d.lo, d.mid, d.hi) == (8, 8, 9))
        let apart = Ops.HaloExchange(lines: 5, outRows: 5, height: 15, stride: 3, padBefore: 0, reach: 2,
                                     rowFloats: 1)
        #expect(apart.boundary(at: 2) == nil)
    }
}
