import Foundation
@testable import HDF5
import Testing

/// Concurrency, open-object accounting, error printing, and refusing implausible reads.
@Suite struct ResourceTests {
    /// Runs `body` on a new thread and waits for it.
    static func onNewThread(_ body: @escaping @Sendable () -> Void) {
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            body()
            done.signal()
        }
        thread.start()
        done.wait()
    }

    /// What the string and dataset fixtures hold, read through this layer (checked against h5py
    /// by the other suites) as plain Sendable values.
    struct Reading: Equatable, Sendable {
        var strings: [String] = []
        var floats: [Float] = []
    }

    static func readStringsFixture() throws -> Reading {
        let root = try HDF5File.open(at: Fixture.strings).rootGroup()
        let strings = try root.attributes.strings(named: "vlen_utf8_array") + root.attributes.strings(named: "fixed_nullpad_array")
            + (try root.group(at: "chunked").attributes.chunkedStrings(named: "layer_names") ?? [])
        return Reading(strings: strings, floats: try root.dataset(at: "with_attrs").readFloats())
    }

    static func readDatasetsFixture() throws -> Reading {
        let file = try HDF5File.open(at: Fixture.datasets)
        let floats = try file.dataset(at: "gzip").readFloats() + file.dataset(at: "f16").readFloats()
            + file.dataset(at: "bf16").readBFloat16()
        return Reading(strings: try file.rootGroup().descendants().map(\.path), floats: floats)
    }

    @Test func concurrentReadsOfTwoFilesFromTwoThreads() throws {
        let expected = (try Self.readStringsFixture(), try Self.readDatasetsFixture())
        let failures = Failures()
        let group = DispatchGroup()
        for index in 0..<2 {
            group.enter()
            Thread {
                defer { group.leave() }
                for iteration in 0..<100 {
                    do {
                        let reading = index == 0 ? try Self.readStringsFixture() : try Self.readDatasetsFixture()
                        if reading != (index == 0 ? expected.0 : expected.1) {
                            failures.add("thread \(index) iteration \(iteration): different values")
                        }
                        // Errors on worker threads are thrown, not printed.
                        _ = try? HDF5File.open(at: Fixture.datasets).dataset(at: "missing-\(index)")
                    } catch {
                        failures.add("thread \(index) iteration \(iteration): \(error)")
                    }
                }
            }.start()
        }
        group.wait()
        #expect(failures.all.isEmpty, "\(failures.all.prefix(3))")
    }

    @Test func concurrentWritesToTwoFiles() throws {
        let folder = try temporaryFolder("concurrent-writes")
        let failures = Failures()
        let group = DispatchGroup()
        for index in 0..<2 {
            group.enter()
            Thread {
                defer { group.leave() }
                do {
                    for iteration in 0..<10 {
                        let path = folder.appendingPathComponent("t\(index)-\(iteration).h5").path
                        try WriteTests.writeSample(into: try HDF5File.create(at: path))
                        let file = try HDF5File.open(at: path)
                        if try file.dataset(at: "model_weights/dense/dense/kernel:0").readFloats() != [1, 2, 3, 4, 5, 6] {
                            failures.add("\(path): wrong values")
                        }
                    }
                } catch {
                    failures.add("thread \(index): \(error)")
                }
            }.start()
        }
        group.wait()
        #expect(failures.all.isEmpty, "\(failures.all.prefix(3))")
    }

    @Test func errorPrintingIsOffOnEveryThread() {
        #expect(HDF5Library.automaticErrorPrintingIsOff())
        let result = Failures()
        Self.onNewThread {
            if !HDF5Library.automaticErrorPrintingIsOff() { result.add("printing on for a new thread") }
        }
        #expect(result.all.isEmpty)
    }

    @Test func openObjectCountReturnsToZero() throws {
        let path = try temporaryFolder("count").appendingPathComponent("count.h5").path
        try WriteTests.writeSample(into: try HDF5File.create(at: path))
        #expect(try HDF5Library.openObjectCount(inFileNamed: path) == 0)
        do {
            let file = try HDF5File.open(at: path)
            let root = try file.rootGroup()
            let group = try root.group(at: "model_weights/dense")
            let dataset = try group.dataset(at: "dense/kernel:0")
            let attribute = try group.attributes.attribute(named: "weight_names")
            _ = try dataset.readFloats()
            _ = try attribute.readStrings()
            _ = try root.descendants()
            _ = try root.attributes.strings(named: "utf8_list")
            _ = try? root.dataset(at: "missing")
            _ = try? root.attributes.strings(named: "doubles")
            try withExtendedLifetime((file, root, group, dataset, attribute)) { () throws -> Void in
                // The file, the root group, the group, the dataset and the attribute.
                #expect(try HDF5Library.openObjectCount(inFileNamed: path) == 5)
                #expect(try HDF5Library.openObjectCount() >= 5)
            }
        }
        #expect(try HDF5Library.openObjectCount(inFileNamed: path) == 0)

        // Every read and failure path of the sample, then nothing is left open.
        try WriteTests.verifySample(try HDF5File.open(at: path))
        #expect(try HDF5Library.openObjectCount(inFileNamed: path) == 0)

        // Explicit close() releases identifiers while the Swift values are still alive.
        let file = try HDF5File.open(at: path)
        let group = try file.group(at: "model_weights")
        let dataset = try file.dataset(at: "f64")
        #expect(try HDF5Library.openObjectCount(inFileNamed: path) == 3)
        try dataset.close()
        try group.close()
        try file.close()
        #expect(try HDF5Library.openObjectCount(inFileNamed: path) == 0)
        withExtendedLifetime((file, group, dataset)) {}
    }

    @Test func implausibleReadsAreRefusedBeforeAllocating() throws {
        let file = try HDF5File.open(at: Fixture.datasets)
        // Inspecting works: the shape comes from metadata only.
        let huge = try file.dataset(at: "huge_unallocated")
        #expect(huge.shape == [1 << 20, 1 << 20])
        #expect(try huge.storageSize() == 0)
        let hugeError = try hdf5Error { _ = try huge.readFloats() }
        #expect(hugeError.code == .tooLarge)
        #expect(hugeError.description.hasPrefix("cannot read dataset '/huge_unallocated' in '\(Fixture.datasets)': reading needs 4398046511104 bytes"))
        let medium = try file.dataset(at: "medium_unallocated")
        let mediumError = try hdf5Error { _ = try medium.readFloats() }
        #expect(mediumError.code == .tooLarge)
        #expect(mediumError.description.contains("more than a"))
        // Small unwritten datasets read as their fill value (h5py's fillvalue=1.5).
        #expect(try file.dataset(at: "small_unallocated").readFloats() == [Float](repeating: 1.5, count: 16))
    }
}

/// A thread-safe list of failure messages for tests that run work on several threads.
final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [String] = []

    func add(_ message: String) {
        lock.lock()
        messages.append(message)
        lock.unlock()
    }

    var all: [String] {
        lock.lock()
        defer { lock.unlock() }
        return messages
    }
}
