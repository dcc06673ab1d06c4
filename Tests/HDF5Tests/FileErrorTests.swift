import Foundation
import HDF5
import Testing
import _TestSupport

/// Opening bad files: each is a thrown HDF5Error whose one-line message names the file.
@Suite struct FileErrorTests {
    @Test func missingFile() throws {
        let path = Fixture.path("does-not-exist.h5")
        let error = try hdf5Error { _ = try HDF5File.open(at: path) }
        #expect(error.code == .fileNotFound)
        #expect(error.description == "cannot open file '\(path)': no such file")
        let parent = try hdf5Error { _ = try HDF5File.open(at: "/nonexistent-dir/x.h5") }
        #expect(parent.code == .fileNotFound)
    }

    @Test func textFileRenamedH5() throws {
        let path = Fixture.path("not_hdf5.h5")
        let error = try hdf5Error { _ = try HDF5File.open(at: path) }
        #expect(error.code == .notHDF5)
        #expect(error.description == "cannot open file '\(path)': not an HDF5 file (no HDF5 signature found)")
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        let image = try hdf5Error { _ = try HDF5File.open(image: bytes, name: "archive.keras/model.weights.h5") }
        #expect(image.code == .notHDF5)
        #expect(image.description.hasPrefix("cannot open in-memory file 'archive.keras/model.weights.h5': not an HDF5 file"))
        #expect(try hdf5Error { _ = try HDF5File.open(image: []) }.code == .notHDF5)
    }

    @Test func truncatedFile() throws {
        let path = Fixture.path("truncated.h5")
        let error = try hdf5Error { _ = try HDF5File.open(at: path) }
        #expect(error.code == .library)
        #expect(error.function == "H5Fopen")
        #expect(error.description.hasPrefix("cannot open file '\(path)': H5Fopen: "))
        #expect(error.description.contains("truncated"))
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        let image = try hdf5Error { _ = try HDF5File.open(image: bytes, name: "truncated-image") }
        #expect(image.description.hasPrefix("cannot open in-memory file 'truncated-image': H5Fopen: "))
        #expect(image.description.contains("truncated"))
    }

    @Test func directory() throws {
        let error = try hdf5Error { _ = try HDF5File.open(at: Fixture.path("")) }
        #expect(error.code == .invalidArgument)
        #expect(error.description.contains("is a directory"))
        let device = try hdf5Error { _ = try HDF5File.open(at: "/dev/null") }
        #expect(device.description == "cannot open file '/dev/null': is not a regular file")
    }

    @Test func useAfterClose() throws {
        let file = try HDF5File.open(at: Fixture.datasets)
        let group = try file.group(at: "nested")
        #expect(file.isOpen)
        try file.close()
        try file.close()  // closing twice is fine
        #expect(!file.isOpen)
        #expect(try hdf5Error { _ = try file.rootGroup() }.code == .closed)
        // The group keeps the underlying file open (libhdf5's weak close).
        #expect(try group.exists("a/b"))
        try group.close()
        #expect(!group.isOpen)
        let closed = try hdf5Error { _ = try group.children() }
        #expect(closed.code == .closed)
        #expect(closed.description == "cannot list group '/nested' in '\(Fixture.datasets)': the object was already closed")
    }

    /// A file whose variable-length strings sit in two global heap collections (attribute `first` in the first,
    /// `second`'s 40 strings in the second), its bytes and the byte offsets of its collections.
    static func fileWithTwoCollections(_ name: String) throws -> (path: String, bytes: [UInt8], collections: [Int]) {
        let dir = try TestFixtures.temporaryDirectory(name)
        let path = dir.appendingPathComponent("two_collections.h5").path
        do {
            let f = try HDF5File.create(at: path)
            let root = try f.rootGroup()
            try root.attributes.write(strings: ["a", "b"], named: "first")
            // Data after the first collection keeps libhdf5 from growing it; more than its 4 KiB of strings then
            // go to a second collection.
            try root.createDataset(at: "pad", shape: [1024], values: [Float](repeating: 1, count: 1024))
            try root.attributes.write(strings: (0..<40).map { String(repeating: "x", count: 200) + "\($0)" }, named: "second")
            try f.close()
        }
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let signature: [UInt8] = [0x47, 0x43, 0x4F, 0x4C, 1, 0, 0, 0]
        let collections = (0..<(bytes.count - 8)).filter { bytes[$0..<$0 + 8].elementsEqual(signature) }
        try #require(collections.count >= 2, "expected two global heap collections, found \(collections)")
        return (path, bytes, collections)
    }

    /// Variable-length strings are checked against the collection their heap IDs name, and only that one: a file
    /// whose second collection is corrupted still reads the strings of its first, and refuses those of the second,
    /// naming the attribute, the object, the file and the collection's offset, before libhdf5 parses it.
    @Test func globalHeapCollectionsAreCheckedWhenReferenced() throws {
        let (path, original, collections) = try Self.fileWithTwoCollections("heap")
        var bytes = original
        let last = try #require(collections.last)
        // The first object's size (after index 2 bytes, reference count 2, reserved 4): far past the collection.
        for k in 0..<8 { bytes[last + 16 + 8 + k] = k == 5 ? 0x40 : 0 }
        try Data(bytes).write(to: URL(fileURLWithPath: path))

        let file = try HDF5File.open(at: path)
        let root = try file.rootGroup()
        let second = try root.attributes.attribute(named: "second")
        let error = try hdf5Error { _ = try second.readStrings() }
        #expect(error.description.contains(path) && error.description.contains("second"), "\(error)")
        #expect(error.description.contains("corrupted global heap collection at byte \(last)"), "\(error)")
        let first = try root.attributes.attribute(named: "first")
        if collections.first != last {
            #expect(try first.readStrings() == ["a", "b"])
        }
    }

    /// In-memory images (`open(image:)`, libhdf5's copy; `open(mapping:…)`, read in place) get the same check as files
    /// on disk, from the core driver's buffer, when a heap ID names a collection (they were scanned whole when opened,
    /// a quarter of loading a 114 MB `.keras` archive): the corrupted collection is refused, naming the attribute and
    /// the collection's offset, and the sound one still reads.
    @Test func globalHeapCollectionsOfImagesAreCheckedWhenReferenced() throws {
        let (path, original, collections) = try Self.fileWithTwoCollections("heap-image")
        let dir = URL(fileURLWithPath: path).deletingLastPathComponent()
        var bytes = original
        let first = try #require(collections.first), last = try #require(collections.last)
        // The sound file's strings read from both kinds of image.
        let sound = bytes
        for k in 0..<8 { bytes[last + 16 + 8 + k] = k == 5 ? 0x40 : 0 }   // an object far past its collection
        let embedded = dir.appendingPathComponent("embedded.bin").path
        try Data([UInt8](repeating: 0xAB, count: 1000) + bytes).write(to: URL(fileURLWithPath: embedded))
        let soundEmbedded = dir.appendingPathComponent("sound.bin").path
        try Data([UInt8](repeating: 0xAB, count: 1000) + sound).write(to: URL(fileURLWithPath: soundEmbedded))
        let images: [(String, () throws -> HDF5File)] = [
            ("copied", { try HDF5File.open(image: bytes, name: "copied.h5") }),
            ("mapped", { try HDF5File.open(mapping: embedded, offset: 1000, length: bytes.count, name: "mapped.h5") }),
        ]
        for (kind, open) in images {
            let root = try open().rootGroup()
            let error = try hdf5Error { _ = try root.attributes.attribute(named: "second").readStrings() }
            #expect(error.description.contains("\(kind).h5") && error.description.contains("second"), "\(kind): \(error)")
            #expect(error.description.contains("corrupted global heap collection at byte \(last)"), "\(kind): \(error)")
            if first != last {
                #expect(try root.attributes.attribute(named: "first").readStrings() == ["a", "b"], "\(kind)")
            }
        }
        let expected = (0..<40).map { String(repeating: "x", count: 200) + "\($0)" }
        #expect(try HDF5File.open(image: sound, name: "s").rootGroup().attributes.attribute(named: "second").readStrings() == expected)
        let mapped = try HDF5File.open(mapping: soundEmbedded, offset: 1000, length: sound.count, name: "s")
        #expect(try mapped.rootGroup().attributes.attribute(named: "second").readStrings() == expected)
    }

    /// An attribute message whose datatype size runs past the message (tools/fuzz.py seed 239085709670522: one flipped
    /// bit made libhdf5 1.10.8 decode past the object header in `H5Aexists` and crash) is refused before libhdf5 decodes
    /// it, naming the file, the object and the attribute looked up; the object's other operations are unaffected.
    @Test func corruptedAttributeMessageIsRefusedBeforeLibhdf5DecodesIt() throws {
        let dir = try TestFixtures.temporaryDirectory("attr")
        let path = dir.appendingPathComponent("attr.h5").path
        do {
            let f = try HDF5File.create(at: path)
            let g = try f.rootGroup().createGroup(at: "layer")
            try g.attributes.write(strings: ["layer/kernel:0"], named: "weight_names")
            try f.close()
        }
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let name = Array("weight_names".utf8) + [0]
        let at = try #require((8..<(bytes.count - name.count)).first { bytes[$0..<$0 + name.count].elementsEqual(name) })
        // Version 1 attribute message: version, reserved, name size (13), datatype size, dataspace size, then the name.
        try #require(bytes[at - 8] == 1 && bytes[at - 6] == 13 && bytes[at - 5] == 0)
        bytes[at - 3] = 0x80  // datatype size += 32768
        try Data(bytes).write(to: URL(fileURLWithPath: path))

        let file = try HDF5File.open(at: path)
        let group = try file.group(at: "layer")
        for body in [{ _ = try group.attributes.contains("weight_names") }, { _ = try group.attributes.names() },
                     { _ = try group.attributes.strings(named: "weight_names") }] as [() throws -> Void] {
            let error = try hdf5Error(body)
            #expect(error.description.contains(path) && error.description.contains("/layer"), "\(error)")
            #expect(error.description.contains("corrupted attribute message"), "\(error)")
            #expect(error.description.contains("exceed the message"), "\(error)")
        }
        #expect(try file.rootGroup().attributes.names().isEmpty)
    }

    /// A compact dataset whose layout message holds fewer bytes than its shape needs (tools/fuzz.py seed
    /// 111780292059837: libhdf5 1.10.8 copied the dataspace's size out of the short buffer and crashed) is refused
    /// before reading, naming the dataset. The file is made with h5py (compact layout), when the venv exists.
    @Test(.enabled(if: venvPython != nil, "tools/.venv with h5py is missing (tools/setup_venv.sh makes it)"))
    func compactDatasetShorterThanItsShapeIsRefused() throws {
        let python = try #require(venvPython)
        let dir = try TestFixtures.temporaryDirectory("compact")
        let path = dir.appendingPathComponent("compact.h5").path
        let script = """
            import h5py, numpy as np, sys
            with h5py.File(sys.argv[1], "w") as f:
                space = h5py.h5s.create_simple((5,))
                dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
                dcpl.set_layout(h5py.h5d.COMPACT)
                d = h5py.h5d.create(f.id, b"c", h5py.h5t.IEEE_F32LE, space, dcpl=dcpl)
                d.write(h5py.h5s.ALL, h5py.h5s.ALL, np.arange(1, 6, dtype="<f4"))
            """
        let made = try run(python, ["-c", script, path])
        try #require(made.status == 0)
        #expect(try HDF5File.open(at: path).dataset(at: "c").readFloats() == [1, 2, 3, 4, 5])
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        // The layout message (version 3, class 0 = compact, 2-byte size 20) followed by the values 1.0, 2.0.
        let pattern: [UInt8] = [3, 0, 20, 0, 0, 0, 0x80, 0x3F, 0, 0, 0, 0x40]
        let at = try #require((0..<(bytes.count - pattern.count)).first { bytes[$0..<$0 + pattern.count].elementsEqual(pattern) })
        bytes[at + 2] = 0  // the compact size: 0 bytes
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let error = try hdf5Error { _ = try HDF5File.open(at: path).dataset(at: "c").readFloats() }
        #expect(error.description.contains(path) && error.description.contains("'/c'"), "\(error)")
        // Our check refuses it first on libhdf5 1.10; libhdf5 1.12 and later check the size themselves when opening.
        #expect(error.description.contains("stores 0 bytes but shape [5] of float32 needs 20")
                || error.description.contains("size of compact dataset's data buffer doesn't match"), "\(error)")
    }

    @Test func errorStackIsCapturedAndDescribed() throws {
        let error = try hdf5Error { _ = try HDF5File.open(at: Fixture.datasets).dataset(at: "nope") }
        #expect(error.stack.first?.function == "H5Dopen2")
        #expect(error.stack.contains { $0.minor == "Object not found" })
        #expect(error.detailedDescription.hasPrefix(error.description + "\n  #0: H5Dopen2(): "))
    }

    @Test func libraryFacts() throws {
        #expect(HDF5Library.version.hasPrefix("1."))
        #expect(HDF5Library.isThreadSafe)  // Debian's libhdf5 is built thread-safe
    }
}
