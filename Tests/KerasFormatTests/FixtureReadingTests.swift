import Foundation
import KerasFormat
import KerasGraph
import TensorModule
import Testing
import _TestSupport

/// One file of one fixture, as the fixture's manifest.json lists it (written by tools/make_fixtures.py
/// from what real Keras reported when it saved the model).
struct FixtureFile: CustomStringConvertible, Sendable {
    var fixture: String
    var file: String
    var config: String?
    var format: String
    var description: String { "\(fixture)/\(file)" }

    static func all() -> [FixtureFile] {
        let root = TestFixtures.url("models")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        var out: [FixtureFile] = []
        for name in names.sorted() {
            guard let m = Manifest.load(name) else { continue }
            for f in m.files {
                out.append(FixtureFile(fixture: name, file: f["file"] as? String ?? "", config: f["config"] as? String,
                                       format: f["format"] as? String ?? ""))
            }
        }
        return out
    }

    var path: String { TestFixtures.path("models/\(fixture)/\(file)") }
    var configPath: String? { config.map { TestFixtures.path("models/\(fixture)/\($0)") } }
}

/// A fixture's manifest.json.
struct Manifest {
    var raw: [String: Any]
    static func load(_ fixture: String) -> Manifest? {
        guard let data = FileManager.default.contents(atPath: TestFixtures.path("models/\(fixture)/manifest.json")),
              let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        return Manifest(raw: obj)
    }
    var files: [[String: Any]] { raw["files"] as? [[String: Any]] ?? [] }
    var layers: [[String: Any]] { raw["layers"] as? [[String: Any]] ?? [] }
    var kerasVersion: String { raw["keras_version"] as? String ?? "" }
}

func shapeFromJSON(_ any: Any?) -> Shape? {
    guard let list = any as? [Any] else { return nil }
    return list.map { ($0 as? NSNumber)?.intValue }
}

/// Finds the layer at a manifest path (`inner/dense`) in a graph.
func findLayer(at path: String, in graph: ModelGraph) -> (any Layer)? {
    var g = graph
    let parts = path.split(separator: "/").map(String.init)
    for (i, p) in parts.enumerated() {
        guard let node = g.node(named: p) else { return nil }
        if i == parts.count - 1 { return node.layer }
        guard let nested = node.layer as? NestedModel else { return nil }
        g = nested.graph
    }
    return nil
}

@Suite("Reading every fixture file made by real Keras")
struct FixtureReadingTests {
    @Test("decoded graph matches what Keras reported", arguments: FixtureFile.all())
    func readsFixture(_ f: FixtureFile) throws {
        let file = try KerasFile.open(f.path, architecture: f.configPath)
        let graph = try file.loadGraph()
        let manifest = try #require(Manifest.load(f.fixture))
        let analysis = try GraphAnalysis.analyze(graph)
        for entry in manifest.layers {
            let name = try #require(entry["name"] as? String)
            // The synthetic Keras 1 fixture lists the Keras 3 model its weights came from, which has a Permute
            // standing in for Keras 1's channels-first flatten: compare only the layers both have.
            if f.format == "keras1_weights_h5" && findLayer(at: name, in: graph) == nil { continue }
            let layer = try #require(findLayer(at: name, in: graph), "layer \(name) missing from the decoded graph")
            #expect(layer.className == entry["class_name"] as? String || (entry["class_name"] as? String).map { ["Model", "Functional", "Sequential"].contains($0) } == true,
                    "layer \(name): class \(layer.className), Keras says \(entry["class_name"] ?? "?")")
            // Weights: names and shapes, in order (nested models list every inner weight).
            let expectedWeights = (entry["weights"] as? [[String: Any]] ?? []).map { w in
                (w["shape"] as? [Any] ?? []).compactMap { ($0 as? NSNumber)?.intValue }
            }
            if layer is LayerNormalization {
                // tf_keras' `axis=[3, 1]` weights (6, 3) are read with sorted axes (3, 6): the same values.
                #expect(layer.weights.map(\.tensor.count) == expectedWeights.map { $0.reduce(1, *) }, "layer \(name): weight sizes")
            } else if !(layer is NestedModel) && !(layer is SpectralNormalization) {
                #expect(layer.weights.map(\.tensor.shape) == expectedWeights, "layer \(name): weight shapes")
            } else {
                // Nested models list every inner weight; Keras 3's `SpectralNormalization.weights` lists its own
                // tracked kernel and `vector_u` before the wrapped layer's bias, while every file (legacy .h5 of both
                // Keras versions, `.keras`) stores the wrapped layer's weights then `vector_u`, KerasPort's order.
                #expect(layer.weights.map(\.tensor.shape).sorted { $0.lexicographicallyPrecedes($1) }
                        == expectedWeights.sorted { $0.lexicographicallyPrecedes($1) }, "nested model \(name): weight shapes")
            }
            // Output shapes of top-level layers.
            if !name.contains("/"), f.format != "keras1_weights_h5", let expected = shapeFromJSON(entry["output_shape"]),
               let ours = analysis.outputShapes(ofLayer: name)?.first,
               !ModelConfigTests.keras3AttentionQuirks.contains(layer.className) {
                // (Keras 3 reports static shapes for EinsumDense/MultiHeadAttention that differ from what it computes.)
                #expect(ours == expected, "layer \(name): output shape \(ours.kerasDescription), Keras \(expected.kerasDescription)")
            }
            // PReLU alphas and LeakyReLU slopes as Keras reported them.
            if let prelu = layer as? PReLU, let alphas = entry["alpha_values"] as? [NSNumber] {
                #expect(prelu.weights.first?.tensor.scalars == alphas.map(\.floatValue), "layer \(name): alpha values")
            }
            if let lrelu = layer as? LeakyReLU {
                let slope = (entry["negative_slope"] as? NSNumber) ?? (entry["alpha"] as? NSNumber)
                if let slope { #expect(lrelu.negativeSlope == slope.floatValue, "layer \(name): slope") }
            }
        }
    }
}
