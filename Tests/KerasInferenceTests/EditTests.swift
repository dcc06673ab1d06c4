import Foundation
import KerasPort
import Testing
import _TestSupport

/// Editing activation parameters: conversions that must not change what the model computes (checked with our
/// engine here, and — through tools/interop.sh — with real Keras), and edits that must be refused.
@Suite("Editing LeakyReLU and PReLU parameters")
struct EditTests {
    func load(_ fixture: String, _ file: String) throws -> ModelGraph {
        try KerasFile.open(TestFixtures.path("models/\(fixture)/\(file)")).loadGraph()
    }

    func input(_ fixture: String, _ i: Int = 0) throws -> Tensor {
        try readNPY(contentsOf: TestFixtures.url("models/\(fixture)/input_\(i).npy"))
    }

    func predict(_ g: ModelGraph, _ x: [Tensor]) throws -> [Tensor] { try CompiledModel(g).predict(x) }

    /// Exact equality except for the sign of zero (`closeness` with zero tolerance): PReLU computes
    /// relu(x) − α·relu(−x), LeakyReLU x > 0 ? x : α·x, which agree bit for bit apart from −0.0.
    func expectSame(_ a: [Tensor], _ b: [Tensor], _ what: String) {
        #expect(a.count == b.count)
        for (x, y) in zip(a, b) {
            let r = closeness(x, y, rtol: 0, atol: 0)
            #expect(r.ok, "\(what): \(r)")
        }
    }

    /// Writes the edited model where tools/interop.sh picks it up to load in real Keras (when it asks).
    func exportForInterop(_ g: ModelGraph, name: String, fixture: String, outputsUnchanged: Bool) throws {
        guard outputsUnchanged, let dir = ProcessInfo.processInfo.environment["KERASPORT_INTEROP_DIR"] else { return }
        let folder = URL(fileURLWithPath: dir).appendingPathComponent("edits")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (format, ext, loaders) in [(KerasWriteFormat.keras, "keras", ["keras3"]), (.legacyH5Keras2, "h5", ["keras3", "tf_keras"])] {
            let path = folder.appendingPathComponent("\(name).\(ext)").path
            try KerasFileWriter.write(g, to: path, format: format, overwrite: true)
            let entry: [String: Any] = ["file": path, "fixture": TestFixtures.path("models/\(fixture)"), "loaders": loaders]
            let data = try JSONSerialization.data(withJSONObject: entry)
            try data.write(to: folder.appendingPathComponent("\(name).\(ext).entry.json"))
        }
    }

    @Test("LeakyReLU → PReLU (alphas = slope, one per channel) predicts the same")
    func leakyToPReLU() throws {
        let g = try load("example", "model.h5")
        var edited = g
        try edited.convertLeakyReLUToPReLU("lrelu2")
        let p = try #require(edited.node(named: "lrelu2")?.layer as? PReLU)
        #expect(p.sharedAxes == [1, 2])
        #expect(p.weights[0].tensor.shape == [1, 1, 4])
        #expect(p.weights[0].tensor.scalars.allSatisfy { $0 == Float(0.2) })
        let x = [try input("example")]
        expectSame(try predict(edited, x), try predict(g, x), "to-prelu")
        try exportForInterop(edited, name: "example_to_prelu", fixture: "example", outputsUnchanged: true)
    }

    @Test("PReLU with equal alphas → LeakyReLU predicts the same; unequal alphas are refused")
    func preluToLeaky() throws {
        var g = try load("example", "model.h5")
        #expect(throws: ModelGraph.EditError.self) { try g.convertPReLUToLeakyReLU("prelu1") }
        try g.setAlphas(ofLayer: "prelu1", to: 0.25)
        var edited = g
        try edited.convertPReLUToLeakyReLU("prelu1")
        #expect((edited.node(named: "prelu1")?.layer as? LeakyReLU)?.negativeSlope == 0.25)
        let x = [try input("example")]
        expectSame(try predict(edited, x), try predict(g, x), "to-leaky-relu")
    }

    @Test("collapsing shared_axes keeps the function when the alphas are equal along the axes, else is refused")
    func sharedAxes() throws {
        var g = try load("prelu_k3", "model.keras")
        // prelu_none has alpha (5, 5, 3), one per element: collapsing needs equal values along axes 1 and 2.
        #expect(throws: ModelGraph.EditError.self) { try g.setSharedAxes(ofLayer: "prelu_none", to: [1, 2]) }
        try g.setAlphas(ofLayer: "prelu_none", to: Tensor(shape: [3], scalars: [-0.5, 0, 1.5]))
        var edited = g
        try edited.setSharedAxes(ofLayer: "prelu_none", to: [1, 2])
        let p = try #require(edited.node(named: "prelu_none")?.layer as? PReLU)
        #expect(p.weights[0].tensor == Tensor(shape: [1, 1, 3], scalars: [-0.5, 0, 1.5]))
        let x = try (0..<3).map { try input("prelu_k3", $0) }
        expectSame(try predict(edited, x), try predict(g, x), "shared-axes collapse")
        // And back: expanding repeats the values.
        var expanded = edited
        try expanded.setSharedAxes(ofLayer: "prelu_none", to: nil)
        #expect((expanded.node(named: "prelu_none")?.layer as? PReLU)?.weights[0].tensor.shape == [5, 5, 3])
        expectSame(try predict(expanded, x), try predict(g, x), "shared-axes expand")
        #expect(throws: ModelGraph.EditError.self) { try edited.setSharedAxes(ofLayer: "prelu_none", to: [0]) }
    }

    @Test("setting a slope changes exactly that layer, and survives writing and reading in every format")
    func setSlopeRoundTrip() throws {
        var g = try load("example", "model.h5")
        try g.setSlope(ofLayer: "lrelu2", to: 1.7)
        #expect(throws: ModelGraph.EditError.self) { try g.setSlope(ofLayer: "prelu1", to: 0.1) }
        #expect(throws: ModelGraph.EditError.self) { try g.setSlope(ofLayer: "nope", to: 0.1) }
        let dir = try TestFixtures.temporaryDirectory("edit")
        let x = [try input("example")]
        let expected = try predict(g, x)
        for (format, name) in [(KerasWriteFormat.keras, "m.keras"), (.legacyH5Keras2, "m.h5"), (.legacyH5Keras3, "m3.h5")] {
            let path = dir.appendingPathComponent(name).path
            try KerasFileWriter.write(g, to: path, format: format)
            let back = try KerasFile.open(path).loadGraph()
            #expect((back.node(named: "lrelu2")?.layer as? LeakyReLU)?.negativeSlope == 1.7, "\(format)")
            expectSame(try predict(back, x), expected, "\(format) round trip")
        }
    }

    @Test("alphas from a .npy: full shape, per channel, or one value; wrong sizes are refused")
    func alphasFromTensor() throws {
        var g = try load("example", "model.h5")
        try g.setAlphas(ofLayer: "prelu1", to: Tensor(shape: [1, 1, 4], scalars: [0.1, 0.2, 0.3, 0.4]))
        #expect((g.node(named: "prelu1")?.layer as? PReLU)?.weights[0].tensor.scalars == [0.1, 0.2, 0.3, 0.4])
        try g.setAlphas(ofLayer: "prelu1", to: Tensor(shape: [4], scalars: [1, 2, 3, 4]))
        #expect((g.node(named: "prelu1")?.layer as? PReLU)?.weights[0].tensor.shape == [1, 1, 4])
        #expect(throws: ModelGraph.EditError.self) { try g.setAlphas(ofLayer: "prelu1", to: Tensor(shape: [5], repeating: 0)) }
    }
}
