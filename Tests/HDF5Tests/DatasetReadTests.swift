import Foundation
import HDF5
import Testing

/// Reading datasets written by h5py (Fixtures/hdf5/datasets.h5). Expected values come from
/// expected.json: h5py's read-back, and numpy's float32 cast of it for the `Float` reads.
@Suite struct DatasetReadTests {
    static let numericDatasets = [
        "f16", "f32", "f64", "f32_big_endian", "i8", "i32", "u16", "i64_array", "iteration", "empty_f32", "scalar_f64",
        "gzip", "nested/a/b/c/leaf", "model_weights/d1/d1/kernel:0",
    ]

    @Test(arguments: numericDatasets)
    func shapeAndValues(name: String) throws {
        let file = try HDF5File.open(at: Fixture.datasets)
        let expected = try #require(try Fixture.expected("datasets", "datasets", name) as? [String: Any])
        let dataset = try file.dataset(at: name)
        let shape = try jsonShape(expected["shape"] as Any)
        #expect(dataset.shape == shape)
        #expect(dataset.elementCount == shape.reduce(1, *))
        #expect(dataset.path == "/" + name)
        // Tolerance 0: float16/32 and these integers widen exactly to Double; the Float reads must
        // round like numpy's astype(float32) (round-to-nearest, overflow to infinity).
        #expect(sameBits(try dataset.readDoubles(), try jsonDoubles(expected["values"] as Any)))
        let floats = try jsonDoubles(expected["float32"] as Any).map { Float($0) }
        #expect(sameBits(try dataset.readFloats(), floats))
    }

    /// Reads of at least 64 KiB leave 128 bytes of spare capacity (so a 64-byte-aligned copy of the same size, a
    /// packed kernel, fits in the heap block once the array is freed); the values and count are the written ones, as
    /// for a small read, and converting reads (float64 → Float) get the same.
    @Test func largeReadsKeepSpareCapacity() throws {
        let path = try temporaryFolder("spare").appendingPathComponent("spare.h5").path
        let big = (0..<(384 * 64)).map { Float($0) * 0.25 - 7 }   // 96 KiB
        let small = [Float](big.prefix(100))
        do {
            let f = try HDF5File.create(at: path)
            let root = try f.rootGroup()
            try root.createDataset(at: "big", shape: [384, 64], values: big)
            try root.createDataset(at: "small", shape: [100], values: small)
            try f.close()
        }
        let file = try HDF5File.open(at: path)
        let read = try file.dataset(at: "big").readFloats()
        #expect(sameBits(read, big))
        #expect(read.count == big.count && read.capacity >= big.count + 32)
        let doubles = try file.dataset(at: "big").readDoubles()
        #expect(doubles == big.map(Double.init) && doubles.capacity >= big.count + 16)
        #expect(sameBits(try file.dataset(at: "small").readFloats(), small))
    }

    @Test func elementTypes() throws {
        let file = try HDF5File.open(at: Fixture.datasets)
        let cases: [(String, ElementType)] = [
            ("f16", .float16), ("f32", .float32), ("f64", .float64), ("f32_big_endian", .float32), ("i8", .int8),
            ("i32", .int32), ("u16", .uint16), ("i64_array", .int64), ("iteration", .int64),
            ("bf16", .opaque(size: 2, tag: "")),
            ("strings_ds", .string(StringType(length: .variable, encoding: .utf8, padding: .nullTerminated))),
            ("compound", .other("compound")),
        ]
        for (name, type) in cases {
            #expect(try file.dataset(at: name).elementType == type, "dataset \(name)")
        }
        let tagged = try #require(try Fixture.expected("datasets", "opaque_tagged") as? [String: Any])
        let opaque = try file.dataset(at: "opaque_tagged")
        #expect(opaque.elementType == .opaque(size: 4, tag: try #require(tagged["tag"] as? String)))
        #expect(try opaque.readRawBytes() == (try jsonInts(tagged["bytes"] as Any)).map { UInt8($0) })
    }

    @Test func int64Scalar() throws {
        let file = try HDF5File.open(at: Fixture.datasets)
        let iteration = try file.dataset(at: "iteration")
        #expect(iteration.isScalar)
        #expect(iteration.shape == [])
        #expect(iteration.elementCount == 1)
        #expect(try iteration.readInt64Scalar() == (try jsonInts([try Fixture.expected("datasets", "datasets", "iteration", "int")])).first)
        #expect(try file.dataset(at: "i64_array").readInt64s() == (try jsonInts(try Fixture.expected("datasets", "datasets", "i64_array", "ints"))))
        let notSingle = try hdf5Error { _ = try file.dataset(at: "i64_array").readInt64Scalar() }
        #expect(notSingle.code == .invalidShape)
        let floats = try hdf5Error { _ = try file.dataset(at: "scalar_f64").readInt64Scalar() }
        #expect(floats.code == .typeMismatch)
    }

    @Test func bfloat16WidensExactly() throws {
        let file = try HDF5File.open(at: Fixture.datasets)
        let expected = try #require(try Fixture.expected("datasets", "bf16") as? [String: Any])
        let dataset = try file.dataset(at: "bf16")
        #expect(dataset.shape == (try jsonShape(expected["shape"] as Any)))
        #expect(try dataset.attributes.string(named: "dtype") == expected["dtype_attr"] as? String)
        // Tolerance 0: widening bfloat16 (bits << 16) is exact.
        let floats = try jsonDoubles(expected["floats"] as Any).map { Float($0) }
        #expect(sameBits(try dataset.readBFloat16(), floats))
        let bits = try jsonInts(try Fixture.expected("datasets", "bf16_bits")).map { UInt16($0) }
        #expect(try dataset.readRawBytes() == bits.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })
        #expect(sameBits(bits.map(BFloat16.float(fromBits:)), floats))
        // Not numeric: the Float reader refuses opaque data instead of guessing.
        #expect(try hdf5Error { _ = try dataset.readFloats() }.code == .typeMismatch)
        #expect(try hdf5Error { _ = try file.dataset(at: "f32").readBFloat16() }.code == .typeMismatch)
    }

    @Test func bfloat16NarrowingRoundsToNearestEven() {
        // IEEE round-to-nearest-even on the 7-bit bfloat16 mantissa (the rule ml_dtypes and TF use).
        #expect(BFloat16.bits(from: 1.0) == 0x3F80)
        #expect(BFloat16.bits(from: 1 + 0x1p-8) == 0x3F80)            // tie -> even (down)
        #expect(BFloat16.bits(from: 1 + 3 * 0x1p-8) == 0x3F82)        // tie -> even (up)
        #expect(BFloat16.bits(from: 1 + 0x1p-8 + 0x1p-20) == 0x3F81)  // above the tie -> up
        #expect(BFloat16.bits(from: -.infinity) == 0xFF80)
        #expect(BFloat16.float(fromBits: BFloat16.bits(from: .nan)).isNaN)
        #expect(BFloat16.floats(fromLittleEndianBytes: BFloat16.littleEndianBytes(from: [-2.5, 0.15625])) == [-2.5, 0.15625])
    }

    @Test func layouts() throws {
        let file = try HDF5File.open(at: Fixture.datasets)
        #expect(try file.dataset(at: "gzip").layout() == .chunked(chunkShape: [5, 5], isCompressed: true))
        #expect(try file.dataset(at: "f32").layout() == .contiguous)
        #expect(try file.dataset(at: "f32").storageSize() == 3 * 4 * 4)
    }

    @Test func nonNumericDatasetsAreRefused() throws {
        let file = try HDF5File.open(at: Fixture.datasets)
        let strings = try hdf5Error { _ = try file.dataset(at: "strings_ds").readFloats() }
        #expect(strings.code == .typeMismatch)
        #expect(strings.description == "cannot read dataset '/strings_ds' in '\(Fixture.datasets)': the elements are string(variable-length, UTF-8, null-terminated), not numbers")
        #expect(try hdf5Error { _ = try file.dataset(at: "strings_ds").readRawBytes() }.code == .typeMismatch)
        #expect(try hdf5Error { _ = try file.dataset(at: "compound").readDoubles() }.code == .typeMismatch)
        #expect(try hdf5Error { _ = try file.dataset(at: "f32").readInt64s() }.code == .typeMismatch)
    }

    @Test func keepsWorkingAfterTheFileIsReleased() throws {
        var dataset: HDF5Dataset?
        do {
            let file = try HDF5File.open(at: Fixture.datasets)
            dataset = try file.dataset(at: "model_weights/d1/d1/kernel:0")
        }
        #expect(try dataset?.readFloats() == [0, 1, 2, 3, 4, 5])
    }
}
