import Foundation
import HDF5
import KerasFormat
import KerasGraph
import Testing
import _TestSupport

/// Loading's work beside the HDF5 reads: the architecture parsed while the weights are catalogued, the file closed
/// while the caller compiles. Each gives what the sequential order gave, and leaves nothing open or running.
@Suite("concurrent parts of loading")
struct ConcurrentLoadTests {
    /// A fresh copy of a fixture (its own file name, so libhdf5's count of its open objects is this test's alone).
    static func copy(_ fixture: String, _ file: String) throws -> String {
        let dir = try TestFixtures.temporaryDirectory("concurrent-load")
        let to = dir.appendingPathComponent(file)
        try FileManager.default.copyItem(at: TestFixtures.url("models/\(fixture)/\(file)"), to: to)
        return to.path
    }

    @Test("withGraph hands over the graph loadGraph reads, and the file is closed when it returns",
          arguments: [("batchnorm_k3", "model.keras"), ("batchnorm_k2", "model.h5")])
    func withGraphClosesBeforeReturning(fixture: String, file: String) throws {
        let path = try Self.copy(fixture, file)
        // libhdf5's name for the weights: the archive's member, or the file itself.
        let hdf5Name = file.hasSuffix(".keras") ? "\(path)/model.weights.h5" : path
        let expected = try KerasFile.open(path).loadGraph()
        #expect(try HDF5Library.openObjectCount(inFileNamed: hdf5Name) == 0)
        let (names, weights) = try KerasFile.withGraph(at: path, architecture: nil) { graph in
            (graph.nodes.map(\.name), graph.nodes.flatMap { $0.layer.weights.map(\.tensor.scalars) })
        }
        #expect(names == expected.nodes.map(\.name))
        #expect(weights == expected.nodes.flatMap { $0.layer.weights.map(\.tensor.scalars) })
        #expect(!weights.isEmpty)
        // Closed by the time withGraph returns (while the body ran it may still have been open, or being closed).
        #expect(try HDF5Library.openObjectCount(inFileNamed: hdf5Name) == 0)

        // A body that throws: its error comes out, and the file is closed all the same.
        struct Stop: Error {}
        #expect(throws: Stop.self) { _ = try KerasFile.withGraph(at: path, architecture: nil) { _ in throw Stop() } }
        #expect(try HDF5Library.openObjectCount(inFileNamed: hdf5Name) == 0)
    }

    @Test("an .h5 whose architecture is parsed beside its weights gives the sequential parse's graph")
    func speculativeParseMatches() throws {
        let path = TestFixtures.path("models/batchnorm_k2/model.h5")
        let file = try KerasFile.open(path)
        let json = try HDF5File.open(at: path).rootGroup().attributes.string(named: "model_config")
        let sequential = try ModelConfigParser.parse(json: json, kerasVersion: file.kerasVersion ?? "1", file: path)
        #expect(file.architecture.nodes.map(\.name) == sequential.nodes.map(\.name))
        #expect(file.architecture.nodes.map(\.layer.className) == sequential.nodes.map(\.layer.className))
        #expect(file.architecture.inputs == sequential.inputs && file.architecture.outputs == sequential.outputs)
    }
}
