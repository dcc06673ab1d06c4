import Foundation
import HDF5
import Testing

/// Writing files, then reading them back with this layer, with h5dump and with h5py.
@Suite struct WriteTests {
    /// Writes one file with every kind of object the writer supports.
    static func writeSample(into file: HDF5File) throws {
        let root = try file.rootGroup()
        try root.attributes.write(string: "3.15.1", named: "keras_version")
        try root.attributes.write(string: "tensorflow", named: "backend", as: .variableLength(.ascii))
        try root.attributes.write(string: "fixed", named: "fixed_scalar", as: .fixedLength)
        try root.attributes.write(strings: ["dense", "d\u{00FC}nn", "\u{03BB}"], named: "utf8_list")
        try root.attributes.write(strings: ["kernel:0", "bias:0", "a_much_longer_name"], named: "fixed_list", as: .fixedLength)
        try root.attributes.write(strings: ["x", "yy"], named: "ascii_list", as: .variableLength(.ascii))
        try root.attributes.writeEmptyList(named: "empty")
        try root.attributes.write(doubles: [0.5, -1e300], named: "doubles")
        try root.attributes.write(floats: [1.5, 2.25], named: "floats")
        try root.attributes.write(int64s: [1, -2, 1 << 40], named: "ints")
        try root.attributes.write(double: 0.125, named: "double_scalar")
        try root.attributes.write(int64: 42, named: "int_scalar")
        try root.attributes.write(string: "first", named: "overwritten")
        try root.attributes.write(int64: 7, named: "overwritten")

        let weights = try root.createGroup(at: "model_weights/dense")
        try weights.attributes.write(strings: ["dense/kernel:0", "dense/bias:0"], named: "weight_names", as: .fixedLength)
        try weights.createDataset(at: "dense/kernel:0", shape: [2, 3], values: [Float](arrayLiteral: 1, 2, 3, 4, 5, 6))
        try weights.createDataset(at: "dense/bias:0", shape: [3], values: [Float](repeating: 0.5, count: 3))
        try root.createDataset(at: "f64", shape: [2], values: [0.1, -2.0] as [Double])
        try root.createDataset(at: "f16", shape: [4], values: [0.1, 1, -2.5, 70000] as [Float], storedAs: .float16)
        try root.createScalarDataset(at: "optimizer/iteration", value: 12_345_678_901)
        try root.createDataset(at: "i32", shape: [2], values: [7, -8] as [Int64], storedAs: .int32)
        try root.createDataset(
            at: "gzip", shape: [20, 10], values: (0..<200).map { Float($0) / 8 },
            storage: .chunked(chunkShape: [5, 5], gzipLevel: 6))
        let bf = try root.createOpaqueDataset(
            at: "layers/dense/vars/0", shape: [3], elementSize: 2, bytes: BFloat16.littleEndianBytes(from: [1, -2.5, 0.15625]))
        try bf.attributes.write(string: "bfloat16", named: "dtype")
        try root.createDataset(at: "empty", shape: [0, 4], values: [Float]())
    }

    /// Checks everything `writeSample` wrote, through this layer.
    static func verifySample(_ file: HDF5File) throws {
        let root = try file.rootGroup()
        let attributes = root.attributes
        #expect(try attributes.string(named: "keras_version") == "3.15.1")
        #expect(try attributes.attribute(named: "keras_version").elementType
            == .string(StringType(length: .variable, encoding: .utf8, padding: .nullTerminated)))
        #expect(try attributes.attribute(named: "keras_version").isScalar)
        #expect(try attributes.attribute(named: "backend").elementType
            == .string(StringType(length: .variable, encoding: .ascii, padding: .nullTerminated)))
        #expect(try attributes.string(named: "fixed_scalar") == "fixed")
        #expect(try attributes.strings(named: "utf8_list") == ["dense", "d\u{00FC}nn", "\u{03BB}"])
        let fixed = try attributes.attribute(named: "fixed_list")
        #expect(fixed.elementType == .string(StringType(length: .fixed(18), encoding: .ascii, padding: .nullPadded)))
        #expect(fixed.shape == [3])
        #expect(try fixed.readStrings() == ["kernel:0", "bias:0", "a_much_longer_name"])
        #expect(try attributes.strings(named: "ascii_list") == ["x", "yy"])
        let empty = try attributes.attribute(named: "empty")
        #expect(empty.elementType == .float64)
        #expect(empty.shape == [0])
        #expect(try empty.readStrings() == [])
        #expect(try attributes.doubles(named: "doubles") == [0.5, -1e300])
        #expect(try attributes.floats(named: "floats") == [1.5, 2.25])
        #expect(try attributes.int64s(named: "ints") == [1, -2, 1 << 40])
        #expect(try attributes.attribute(named: "double_scalar").readDouble() == 0.125)
        #expect(try attributes.attribute(named: "int_scalar").readInt64() == 42)
        #expect(try attributes.attribute(named: "int_scalar").isScalar)
        #expect(try attributes.attribute(named: "overwritten").readInt64() == 7)

        let dense = try root.group(at: "model_weights/dense")
        #expect(try dense.attributes.strings(named: "weight_names") == ["dense/kernel:0", "dense/bias:0"])
        let kernel = try dense.dataset(at: "dense/kernel:0")
        #expect(kernel.shape == [2, 3])
        #expect(kernel.elementType == .float32)
        #expect(try kernel.layout() == .contiguous)
        #expect(try kernel.readFloats() == [1, 2, 3, 4, 5, 6])
        #expect(try root.dataset(at: "model_weights/dense/dense/bias:0").readFloats() == [0.5, 0.5, 0.5])
        #expect(try root.dataset(at: "f64").readDoubles() == [0.1, -2.0])
        let f16 = try root.dataset(at: "f16")
        #expect(f16.elementType == .float16)
        // IEEE half round-to-nearest: 0.1 -> 0.0999755859375; 70000 is above the half range
        // (max 65504) and libhdf5's default overflow handling stores +infinity.
        #expect(sameBits(try f16.readFloats(), [0.0999755859375, 1, -2.5, .infinity]))
        let iteration = try root.dataset(at: "optimizer/iteration")
        #expect(iteration.isScalar)
        #expect(iteration.elementType == .int64)
        #expect(try iteration.readInt64Scalar() == 12_345_678_901)
        #expect(try root.dataset(at: "i32").elementType == .int32)
        #expect(try root.dataset(at: "i32").readInt64s() == [7, -8])
        let gzip = try root.dataset(at: "gzip")
        #expect(try gzip.layout() == .chunked(chunkShape: [5, 5], isCompressed: true))
        #expect(try gzip.readFloats() == (0..<200).map { Float($0) / 8 })
        let bf = try root.dataset(at: "layers/dense/vars/0")
        #expect(bf.elementType == .opaque(size: 2, tag: ""))
        #expect(try bf.readBFloat16() == [1, -2.5, 0.15625])
        #expect(try bf.attributes.string(named: "dtype") == "bfloat16")
        let emptyDataset = try root.dataset(at: "empty")
        #expect(emptyDataset.shape == [0, 4])
        #expect(try emptyDataset.readFloats() == [])
    }

    @Test func roundTripOnDisk() throws {
        let path = try temporaryFolder("write").appendingPathComponent("sample.h5").path
        do {
            let file = try HDF5File.create(at: path)
            try Self.writeSample(into: file)
            try file.close()
        }
        try Self.verifySample(try HDF5File.open(at: path))
        #expect(try HDF5Library.openObjectCount(inFileNamed: path) == 0)
    }

    @Test func roundTripInMemory() throws {
        let bytes: [UInt8]
        do {
            let file = try HDF5File.createInMemory(name: "model.weights.h5")
            #expect(file.isInMemory)
            #expect(file.path == "model.weights.h5")
            try Self.writeSample(into: file)
            bytes = try file.imageBytes()
        }
        #expect(bytes.starts(with: [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]))
        let image = try HDF5File.open(image: bytes, name: "in-memory.h5")
        #expect(image.mode == .readOnly)
        #expect(try image.size() == bytes.count)
        try Self.verifySample(image)
        // The same bytes on disk are an ordinary HDF5 file.
        let path = try temporaryFolder("image").appendingPathComponent("from-image.h5").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        try Self.verifySample(try HDF5File.open(at: path))
        // And an image read from disk matches the file's bytes.
        #expect(try HDF5File.open(at: path).imageBytes() == bytes)
    }

    @Test func fixtureOpenedFromMemoryReadsLikeTheFile() throws {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: Fixture.datasets)))
        let file = try HDF5File.open(image: bytes, name: "datasets.h5 (memory)")
        let kernel = try file.dataset(at: "model_weights/d1/d1/kernel:0")
        #expect(try kernel.readFloats() == [0, 1, 2, 3, 4, 5])
        let missing = try hdf5Error { _ = try file.dataset(at: "zz") }
        #expect(missing.description.hasPrefix("cannot open dataset '/zz' in 'datasets.h5 (memory)': H5Dopen2: "))
        // Two images opened at once are independent files.
        let other = try HDF5File.open(image: bytes, name: "second")
        #expect(try other.dataset(at: "f32").shape == [3, 4])
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/h5dump"),
                   "h5dump is not installed (hdf5-tools; tools/install_deps.sh installs it)"))
    func h5dumpReadsTheWrittenFile() throws {
        let h5dump = "/usr/bin/h5dump"
        let path = try temporaryFolder("h5dump").appendingPathComponent("sample.h5").path
        try Self.writeSample(into: try HDF5File.create(at: path))
        let (status, output) = try run(h5dump, ["-A", path])
        #expect(status == 0)
        #expect(output.contains("ATTRIBUTE \"fixed_list\""))
        #expect(output.contains("STRSIZE 18;"))
        #expect(output.contains("STRPAD H5T_STR_NULLPAD;"))
        #expect(output.contains("STRSIZE H5T_VARIABLE;"))
        #expect(output.contains("CSET H5T_CSET_UTF8;"))
        #expect(output.contains("DATATYPE  H5T_STD_I64LE"))
        #expect(output.contains("DATASPACE  SCALAR"))
        let data = try run(h5dump, ["-d", "/optimizer/iteration", path])
        #expect(data.status == 0)
        #expect(data.output.contains("12345678901"))
    }

    @Test(.enabled(if: venvPython != nil, "tools/.venv with h5py is missing (tools/setup_venv.sh makes it)"))
    func h5pyReadsTheWrittenFile() throws {
        let python = try #require(venvPython)
        let path = try temporaryFolder("h5py").appendingPathComponent("sample.h5").path
        try Self.writeSample(into: try HDF5File.create(at: path))
        let script = """
            import h5py, json, sys, numpy as np
            def dec(v):
                if isinstance(v, bytes): return v.decode()
                if isinstance(v, np.ndarray): return [dec(x) for x in v.tolist()]
                if isinstance(v, list): return [dec(x) for x in v]
                if isinstance(v, (np.floating, float)): return float(v)
                if isinstance(v, (np.integer, int)): return int(v)
                return v
            f = h5py.File(sys.argv[1], "r")
            out = {k: dec(f.attrs[k]) for k in ["keras_version", "backend", "utf8_list", "fixed_list", "empty", "int_scalar"]}
            out["weight_names"] = dec(f["model_weights/dense"].attrs["weight_names"])
            out["kernel"] = f["model_weights/dense/dense/kernel:0"][()].ravel().tolist()
            out["f16"] = [str(x) for x in f["f16"][()].tolist()]
            out["f16_dtype"] = str(f["f16"].dtype)
            out["iteration"] = int(f["optimizer/iteration"][()])
            out["gzip_sum"] = float(f["gzip"][()].sum())
            print(json.dumps(out))
            """
        let (status, output) = try run(python, ["-c", script, path])
        #expect(status == 0)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        #expect(json["keras_version"] as? String == "3.15.1")
        #expect(json["backend"] as? String == "tensorflow")
        #expect(json["utf8_list"] as? [String] == ["dense", "d\u{00FC}nn", "\u{03BB}"])
        #expect(json["fixed_list"] as? [String] == ["kernel:0", "bias:0", "a_much_longer_name"])
        #expect((json["empty"] as? [Any])?.isEmpty == true)
        #expect(json["int_scalar"] as? Int == 42)
        #expect(json["weight_names"] as? [String] == ["dense/kernel:0", "dense/bias:0"])
        #expect(json["kernel"] as? [Double] == [1, 2, 3, 4, 5, 6])
        #expect(json["f16_dtype"] as? String == "float16")
        #expect(json["f16"] as? [String] == ["0.0999755859375", "1.0", "-2.5", "inf"])
        #expect(json["iteration"] as? Int == 12_345_678_901)
        #expect(json["gzip_sum"] as? Double == Double((0..<200).reduce(0, +)) / 8)
    }

    @Test func creationModes() throws {
        let path = try temporaryFolder("modes").appendingPathComponent("x.h5").path
        try HDF5File.create(at: path).rootGroup().createGroup(at: "old")
        let exists = try hdf5Error { _ = try HDF5File.create(at: path, mode: .failIfExists) }
        #expect(exists.code == .alreadyExists)
        #expect(exists.description == "cannot create file '\(path)': the file already exists")
        #expect(try HDF5File.open(at: path).rootGroup().exists("old"))
        _ = try HDF5File.create(at: path, mode: .truncate)
        #expect(try !HDF5File.open(at: path).rootGroup().exists("old"))
        let missingFolder = try hdf5Error { _ = try HDF5File.create(at: "/nonexistent-dir/x.h5") }
        #expect(missingFolder.description.hasPrefix("cannot create file '/nonexistent-dir/x.h5': H5Fcreate: "))
    }

    @Test func openReadWriteAndModify() throws {
        let path = try temporaryFolder("rw").appendingPathComponent("x.h5").path
        try HDF5File.create(at: path).rootGroup().createDataset(at: "a", shape: [1], values: [Float(1)])
        do {
            let file = try HDF5File.open(at: path, mode: .readWrite)
            #expect(file.mode == .readWrite)
            try file.rootGroup().attributes.write(string: "added", named: "note")
            try file.rootGroup().createGroup(at: "g")
        }
        let file = try HDF5File.open(at: path)
        #expect(try file.rootGroup().attributes.string(named: "note") == "added")
        #expect(try file.rootGroup().objectKind(at: "g") == .group)
        // Writing into a read-only file fails with libhdf5's error.
        let readOnly = try hdf5Error { try file.rootGroup().attributes.write(string: "x", named: "y") }
        #expect(readOnly.function == "H5Acreate2")
        #expect(readOnly.description.hasPrefix("cannot write attribute 'y' of '/' in '\(path)': H5Acreate2: "))
    }

    @Test func creationOrderTracking() throws {
        let file = try HDF5File.createInMemory(tracksCreationOrder: true)
        let root = try file.rootGroup()
        for name in ["c", "a", "b"] { try root.createGroup(at: name) }
        #expect(try root.children(order: .creation).map(\.name) == ["c", "a", "b"])
        let child = try root.createGroup(at: "ordered", tracksCreationOrder: true)
        try child.createDataset(at: "z", shape: [], values: [Float(1)])
        try child.createGroup(at: "y")
        #expect(try child.children(order: .creation).map(\.name) == ["z", "y"])
        #expect(try child.children().map(\.name) == ["y", "z"])
    }

    @Test func invalidWritesAreRejected() throws {
        let root = try HDF5File.createInMemory(name: "bad-writes").rootGroup()
        try root.createGroup(at: "g")
        let existingGroup = try hdf5Error { try root.createGroup(at: "g") }
        #expect(existingGroup.code == .alreadyExists)
        #expect(existingGroup.description == "cannot create group '/g' in 'bad-writes': an object with that name already exists")
        #expect(try root.groupCreatingIfNeeded(at: "g").path == "/g")
        #expect(try root.groupCreatingIfNeeded(at: "g/h/i").path == "/g/h/i")
        try root.createDataset(at: "d", shape: [2], values: [Float](repeating: 0, count: 2))
        #expect(try hdf5Error { try root.createDataset(at: "d", shape: [2], values: [Float](repeating: 0, count: 2)) }.code == .alreadyExists)
        let count = try hdf5Error { try root.createDataset(at: "e", shape: [2, 2], values: [Float](repeating: 0, count: 3)) }
        #expect(count.code == .invalidArgument)
        #expect(count.description == "cannot create dataset '/e' in 'bad-writes': shape [2, 2] holds 4 elements but 3 values were given")
        #expect(try hdf5Error { try root.createDataset(at: "e", shape: [-1], values: [Float]()) }.code == .invalidArgument)
        #expect(try hdf5Error { try root.createDataset(at: "e", shape: [1], values: [Float(1)], storedAs: .int8) }.code == .invalidArgument)
        #expect(try hdf5Error { try root.createDataset(at: "e", shape: [1], values: [Int64(1)], storedAs: .float32) }.code == .invalidArgument)
        #expect(try hdf5Error {
            try root.createDataset(at: "e", shape: [4], values: [Float](repeating: 0, count: 4), storage: .chunked(chunkShape: [5]))
        }.code == .invalidArgument)
        #expect(try hdf5Error {
            try root.createDataset(at: "e", shape: [4], values: [Float](repeating: 0, count: 4), storage: .chunked(chunkShape: [2], gzipLevel: 10))
        }.code == .invalidArgument)
        #expect(try hdf5Error {
            try root.createDataset(at: "e", shape: [], values: [Float(0)], storage: .chunked(chunkShape: []))
        }.code == .invalidArgument)
        #expect(try hdf5Error { try root.createOpaqueDataset(at: "e", shape: [2], elementSize: 2, bytes: [1, 2, 3]) }.code == .invalidArgument)
        #expect(try hdf5Error { try root.attributes.write(string: "a\u{0}b", named: "nul") }.code == .invalidArgument)
        #expect(try hdf5Error { try root.attributes.write(string: "x", named: "") }.code == .invalidArgument)
        #expect(try !root.exists("e"))  // nothing half-made was left behind
        try root.attributes.write(string: "x", named: "gone")
        try root.attributes.delete("gone")
        #expect(try !root.attributes.contains("gone"))
        #expect(try hdf5Error { try root.attributes.delete("gone") }.code == .objectNotFound)
    }
}
