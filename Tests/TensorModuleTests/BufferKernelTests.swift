import Testing
@testable import TensorModule

/// `Ops.containsDenormals` (CKernels' `kp_contains_denormals`: blocks of 4096 floats on 16 or 8 lanes, the scan
/// stopping after the first block that holds one; buffers of 1 Mi floats or more split across cores) against the
/// definition, one value's bits at a time: every denormal pattern class at the positions where its paths split.
@Suite("Denormal scan")
struct DenormalScanTests {
    /// The definition: exponent bits 0 and mantissa not 0.
    static func isDenormal(_ x: Float) -> Bool { x.bitPattern & 0x7F80_0000 == 0 && x.bitPattern & 0x007F_FFFF != 0 }

    @Test("Finds one denormal wherever it is, and nothing else")
    func findsExactlyDenormals() {
        let values: [Float] = [
            Float(bitPattern: 0x0000_0001), Float(bitPattern: 0x8000_0001),  // the smallest denormals
            Float(bitPattern: 0x007F_FFFF), Float(bitPattern: 0x807F_FFFF),  // the largest
            Float.leastNormalMagnitude, -Float.leastNormalMagnitude, 0, -0.0, 1, -3.5,
            .infinity, -.infinity, .nan, Float(bitPattern: 0xFFC0_0001), .greatestFiniteMagnitude,
        ]
        // 65_535 and 150_528 (a 224 × 224 × 3 image): just under and over the size the cores share (in 32 Ki-float
        // blocks, a last partial one); 2^20 + 3: several blocks per core. Each scan split as a loop is outside a
        // prediction (four runs per core) and as in a prediction on one image (one run of blocks per core).
        for count in [1, 15, 16, 17, 4095, 4096, 4097, 12_345, 65_535, 150_528, (1 << 20) + 3] {
            var buffer = [Float](repeating: 0.5, count: count)
            let positions = Set([0, 1, 15, 16, 4095, 4096, 4097, count / 2, (1 << 15) - 1, 1 << 15, (1 << 17) + 7,
                                 (1 << 18) + 5, count - 1].filter { $0 < count })
            for position in positions.sorted() {
                for value in values {
                    buffer[position] = value
                    let found = buffer.withUnsafeBufferPointer { Ops.containsDenormals($0.baseAddress!, count: count) }
                    let foundInPrediction = Ops.withLoopSplit(forBatch: 1) {
                        buffer.withUnsafeBufferPointer { Ops.containsDenormals($0.baseAddress!, count: count) }
                    }
                    #expect(found == Self.isDenormal(value),
                            "count \(count), position \(position), bits 0x\(String(value.bitPattern, radix: 16))")
                    #expect(foundInPrediction == Self.isDenormal(value),
                            "batch-1 split: count \(count), position \(position)")
                    buffer[position] = 0.5
                }
            }
        }
    }

    @Test("Reads only the given count")
    func respectsCount() {
        // A denormal just past the end is not seen; the same one inside is.
        var buffer = [Float](repeating: 2, count: 4100)
        buffer[4099] = Float(bitPattern: 0x0000_0100)
        buffer.withUnsafeBufferPointer { p in
            #expect(!Ops.containsDenormals(p.baseAddress!, count: 4099))
            #expect(Ops.containsDenormals(p.baseAddress!, count: 4100))
            #expect(!Ops.containsDenormals(p.baseAddress!, count: 0))
        }
    }
}

/// The operations' own buffers (``alignedFloats(_:)``) start on a cache line, whatever their size: band buffers,
/// Winograd blocks, padded copies and the like, read and written with 16-lane loads and stores.
@Suite("Aligned operation buffers")
struct AlignedBufferTests {
    @Test("Every buffer starts on a 64-byte boundary and holds its count", arguments: [0, 1, 3, 16, 17, 4099, 1 << 18])
    func aligned(count: Int) {
        // Several at once, so they come from different places of the heap (malloc alone gives 16 bytes).
        let buffers = (0..<8).map { _ in alignedFloats(count) }
        defer { buffers.forEach { $0.deallocate() } }
        for b in buffers {
            #expect(Int(bitPattern: b) % 64 == 0)
            b.initialize(repeating: 1, count: max(count, 1))  // writable over its whole count
            #expect(b[max(count, 1) - 1] == 1)
        }
    }
}
