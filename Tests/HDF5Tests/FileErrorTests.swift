import Foundation
import HDF5
import Testing

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
