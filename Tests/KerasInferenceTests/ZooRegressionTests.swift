import Foundation
import KerasFormat
import KerasGraph
import KerasPort
import Testing
import _TestSupport

/// Regressions for the real-world zoo failures of issue 13 (round 2), each on a small fixture made by real Keras
/// (tools/fixtures_zoofix.py): Keras 3 `keras.ops` calls in a legacy `.h5` (no module), Keras masks reaching
/// attention layers, Keras 3 preprocessing layers in a legacy `.h5`.
@Suite("Zoo regressions")
struct ZooRegressionTests {
    static func path(_ fixture: String, _ file: String) -> String { TestFixtures.path("models/\(fixture)/\(file)") }

    /// Predicts the fixture's inputs from `file` and compares each output with Keras' within the fixture bound
    /// (|ours − keras| ≤ 1e-5 + 1e-4·|keras|).
    static func expectParity(_ fixture: String, _ file: String) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: path(fixture, "manifest.json")))
        let m = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        func files(_ key: String) -> [String] { (m[key] as? [[String: Any]] ?? []).compactMap { $0["file"] as? String } }
        let model = try CompiledModel(try KerasFile.open(path(fixture, file)).loadGraph())
        let inputs = try files("inputs").map { try readNPY(contentsOf: URL(fileURLWithPath: path(fixture, $0))) }
        let expected = try files("outputs").map { try readNPY(contentsOf: URL(fileURLWithPath: path(fixture, $0))) }
        let outputs = try model.predict(inputs)
        try #require(outputs.count == expected.count)
        for (i, (ours, keras)) in zip(outputs, expected).enumerated() {
            let r = closeness(ours, keras, rtol: 1e-4, atol: 1e-5)
            #expect(r.ok, "\(fixture)/\(file) output \(i): \(r)")
        }
    }

    // MARK: keras.ops in a legacy .h5

    @Test("Keras 3 legacy .h5: module-less op entries (DepthToSpace; Add/Multiply beside an Add layer) decode as ops")
    func modulelessOpsDecode() throws {
        let graph = try KerasFile.open(Self.path("ops_legacy_h5_k3", "model.h5")).loadGraph()
        let ops = Dictionary(uniqueKeysWithValues: graph.nodes.compactMap { n in (n.layer as? OpLayer).map { (n.name, $0) } })
        #expect(ops["depth_to_space"]?.source == .keras(module: "keras.src.ops.nn"))
        #expect(ops["add"]?.source == .keras(module: "keras.src.ops.numpy"))
        #expect(ops["multiply"]?.source == .keras(module: "keras.src.ops.numpy"))
        // The Add *layer* (config with trainable and dtype) stays a layer.
        #expect(graph.nodes.first { $0.name == "add_layer" }?.layer is Add)
        #expect(!graph.nodes.contains { $0.layer is OpaqueLayer })
    }

    @Test("Keras 3 legacy .h5 with keras.ops calls predicts as Keras", arguments: ["model.h5", "model.keras"])
    func modulelessOpsParity(_ file: String) throws {
        try Self.expectParity("ops_legacy_h5_k3", file)
    }

    @Test("a module-less `DepthToSpace` whose config has trainable/dtype (a custom layer) is not taken for the op")
    func customLayerNamedLikeAnOpStaysOpaque() throws {
        let json = #"""
        {"class_name": "Functional", "config": {"name": "m", "layers": [
          {"class_name": "InputLayer", "config": {"batch_shape": [null, 2, 2, 4], "dtype": "float32", "name": "x"},
           "name": "x", "inbound_nodes": []},
          {"class_name": "DepthToSpace", "config": {"name": "d2s", "trainable": true, "dtype": "float32", "block_size": 2},
           "name": "d2s", "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__", "config": {"shape": [null, 2, 2, 4],
           "dtype": "float32", "keras_history": ["x", 0, 0]}}], "kwargs": {}}]}],
          "input_layers": [["x", 0, 0]], "output_layers": [["d2s", 0, 0]]}}
        """#
        let graph = try ModelConfigParser.parse(json: json, kerasVersion: "3.15.1", file: "m.h5")
        #expect(graph.nodes.first { $0.name == "d2s" }?.layer is OpaqueLayer)
    }

    // MARK: Keras 3 preprocessing in a legacy .h5

    @Test("Keras 3 Rescaling(offset) → adapted Normalization (weights) → hard_silu, from its legacy .h5 and its .keras",
          arguments: ["model.h5", "model.keras"])
    func preprocessingLegacyH5(_ file: String) throws {
        try Self.expectParity("preprocessing_legacy_h5_k3", file)
    }

    // MARK: Keras masks reaching attention

    @Test("Keras masks (Embedding mask_zero) into MultiHeadAttention / Attention / AdditiveAttention, tf_keras")
    func attentionKerasMasksK2() throws { try Self.expectParity("attention_keras_masks_k2", "model.h5") }

    @Test("Keras masks (Embedding mask_zero) into MultiHeadAttention / Attention / AdditiveAttention, Keras 3")
    func attentionKerasMasksK3() throws { try Self.expectParity("attention_keras_masks_k3", "model.keras") }

    @Test("the Keras masks change the attention outputs (the fixture exercises them)")
    func masksMatter() throws {
        // Without the masks (the same weights, the token inputs with no padding) the outputs must differ from
        // Keras' masked ones for the padded rows: checks that the fixture is not passing by accident.
        let fixture = "attention_keras_masks_k3"
        let graph = try KerasFile.open(Self.path(fixture, "model.keras")).loadGraph()
        let model = try CompiledModel(graph)
        let a = try readNPY(contentsOf: URL(fileURLWithPath: Self.path(fixture, "input_0.npy")))
        let b = try readNPY(contentsOf: URL(fileURLWithPath: Self.path(fixture, "input_1.npy")))
        let m = try readNPY(contentsOf: URL(fileURLWithPath: Self.path(fixture, "input_2.npy")))
        #expect(a.scalars.contains(0) && b.scalars.contains(0))
        let expected = try readNPY(contentsOf: URL(fileURLWithPath: Self.path(fixture, "expected_0.npy")))
        var unpadded = a
        for i in unpadded.scalars.indices where unpadded.scalars[i] == 0 { unpadded.scalars[i] = 1 }
        var bUnpadded = b
        for i in bUnpadded.scalars.indices where bUnpadded.scalars[i] == 0 { bUnpadded.scalars[i] = 1 }
        let out = try model.predict([unpadded, bUnpadded, m])[0]
        #expect(!closeness(out, expected, rtol: 1e-4, atol: 1e-5).ok)
    }
}
