import Foundation
import HDF5
import Testing

/// `HDF5File.open(mapping:offset:length:name:)`: an HDF5 file stored inside another file (as `model.weights.h5` in a
/// `.keras` zip), read in place from a memory mapping. Expected values: h5py's, from Fixtures/hdf5/expected.json.
@Suite struct MappedImageTests {
    /// datasets.h5 behind `prefix` junk bytes (an offset that is not a multiple of the page size).
    private func embedded(prefix: Int) throws -> (path: String, length: Int) {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: Fixture.datasets))
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mapped-\(UUID().uuidString).bin").path
        var data = Data((0..<prefix).map { UInt8(truncatingIfNeeded: $0 &* 7) })
        data.append(bytes)
        data.append(Data(repeating: 0xEE, count: 100))
        try data.write(to: URL(fileURLWithPath: path))
        return (path, bytes.count)
    }

    @Test("datasets read in place equal h5py's", arguments: [0, 1000, 4096 + 13])
    func readsInPlace(prefix: Int) throws {
        let (path, length) = try embedded(prefix: prefix)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let file = try HDF5File.open(mapping: path, offset: prefix, length: length, name: "archive/datasets.h5")
        #expect(file.mode == .readOnly)
        #expect(file.path == "archive/datasets.h5")
        for name in ["f32", "f64", "i32", "gzip", "model_weights/d1/d1/kernel:0"] {
            let expected = try #require(try Fixture.expected("datasets", "datasets", name) as? [String: Any])
            let floats = try jsonDoubles(expected["float32"] as Any).map { Float($0) }
            #expect(sameBits(try file.dataset(at: name).readFloats(), floats), "dataset \(name)")
        }
    }

    /// The mapping outlives the `HDF5File` while a dataset opened from it is alive (libhdf5's weak close), and is
    /// released with the last of them.
    @Test func datasetOutlivesFile() throws {
        let (path, length) = try embedded(prefix: 77)
        defer { try? FileManager.default.removeItem(atPath: path) }
        var dataset: HDF5Dataset?
        do {
            let file = try HDF5File.open(mapping: path, offset: 77, length: length, name: "x")
            dataset = try file.dataset(at: "f32")
        }
        let expected = try #require(try Fixture.expected("datasets", "datasets", "f32") as? [String: Any])
        #expect(sameBits(try #require(dataset).readFloats(),
                         try jsonDoubles(expected["float32"] as Any).map { Float($0) }))
        dataset = nil
        // Many opens and closes: every mapping is released (a leak would exhaust nothing here, but a double
        // release would crash).
        for _ in 0..<50 {
            let f = try HDF5File.open(mapping: path, offset: 77, length: length, name: "x")
            _ = try f.dataset(at: "i32").readFloats()
        }
    }

    @Test func errors() throws {
        let (path, length) = try embedded(prefix: 10)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let outside = try hdf5Error { _ = try HDF5File.open(mapping: path, offset: 10, length: length + 1000, name: "a.keras/w.h5") }
        #expect(outside.code == .invalidArgument)
        #expect(outside.description.hasPrefix("cannot open memory-mapped file 'a.keras/w.h5': bytes 10..<"))
        let shifted = try hdf5Error { _ = try HDF5File.open(mapping: path, offset: 3, length: length, name: "a.keras/w.h5") }
        #expect(shifted.code == .notHDF5)
        let missing = try hdf5Error { _ = try HDF5File.open(mapping: path + ".missing", offset: 0, length: 8, name: "m") }
        #expect(missing.code == .fileNotFound)
        let truncated = try hdf5Error { _ = try HDF5File.open(mapping: path, offset: 10, length: length / 2, name: "half") }
        #expect(truncated.code == .library)
    }
}
