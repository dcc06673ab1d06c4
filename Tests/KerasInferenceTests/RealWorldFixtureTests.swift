import Foundation
import KerasPort
import Testing
import _TestSupport

/// The small committed representatives of the real-world zoo (`Fixtures/models/realworld/<name>/`, made by
/// `tools/zoo.py --fixtures` with real Keras; the full zoo is `tools/zoo.sh`). Each fixture's test is enabled
/// when every layer of the model runs on this build (the model compiles), and otherwise skipped with the missing
/// layer named: the layers come from the recurrent, attention and op-lambda work.
enum RealWorld {
    static func url(_ fixture: String, _ file: String) -> URL { TestFixtures.url("models/realworld/\(fixture)/\(file)") }

    static func manifest(_ fixture: String) throws -> [String: Any] {
        let data = try Data(contentsOf: url(fixture, "manifest.json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func files(_ fixture: String, _ key: String, _ m: [String: Any]) -> [String] {
        (m[key] as? [[String: Any]] ?? []).compactMap { $0["file"] as? String }
    }

    static func graph(_ fixture: String) throws -> ModelGraph {
        let m = try manifest(fixture)
        let file = try #require(files(fixture, "files", m).first)
        return try KerasFile.open(url(fixture, file).path).loadGraph()
    }

    /// Whether this build runs every layer of the fixture's model.
    static func runs(_ fixture: String) -> Bool {
        guard let g = try? graph(fixture) else { return false }
        return (try? CompiledModel(g)) != nil
    }

    /// Predicts the fixture's inputs and compares with Keras' outputs within the fixture bound
    /// (|ours − keras| ≤ 1e-5 + 1e-4·|keras|, from the manifest).
    static func expectParity(_ fixture: String, graph g: ModelGraph? = nil) throws {
        let m = try manifest(fixture)
        let model = try CompiledModel(try g ?? graph(fixture))
        let inputs = try files(fixture, "inputs", m).map { try readNPY(contentsOf: url(fixture, $0)) }
        let expected = try files(fixture, "outputs", m).map { try readNPY(contentsOf: url(fixture, $0)) }
        let tol = m["tolerance"] as? [String: Any]
        let outputs = try model.predict(inputs)
        try #require(outputs.count == expected.count)
        for (i, (ours, keras)) in zip(outputs, expected).enumerated() {
            let r = closeness(ours, keras, rtol: (tol?["rtol"] as? NSNumber)?.floatValue ?? 1e-4,
                              atol: (tol?["atol"] as? NSNumber)?.floatValue ?? 1e-5)
            #expect(r.ok, "\(fixture) output \(i): \(r)")
        }
    }
}

@Suite("Real-world representatives (Fixtures/models/realworld)")
struct RealWorldFixtureTests {
    @Test("ESPCN, tf_keras: sub-pixel head tf.nn.depth_to_space",
          .enabled(if: RealWorld.runs("espcn_k2"), "needs TFOpLambda `nn.depth_to_space` (tf.nn.depth_to_space), not run by this build"))
    func espcnK2() throws { try RealWorld.expectParity("espcn_k2") }

    @Test("ESPCN, Keras 3: sub-pixel head keras.ops.depth_to_space",
          .enabled(if: RealWorld.runs("espcn_k3"), "needs the Keras 3 op `keras.src.ops.nn.DepthToSpace` (keras.ops.depth_to_space), not run by this build"))
    func espcnK3() throws { try RealWorld.expectParity("espcn_k3") }

    @Test("text model, tf_keras: Embedding(mask_zero) → Bidirectional(LSTM) → Bidirectional(GRU)",
          .enabled(if: RealWorld.runs("text_rnn_k2"), "needs Bidirectional, LSTM and GRU (with Embedding masks), not run by this build"))
    func textRNNK2() throws { try RealWorld.expectParity("text_rnn_k2") }

    @Test("text model, Keras 3: Embedding(mask_zero) → Bidirectional(LSTM) → Bidirectional(GRU)",
          .enabled(if: RealWorld.runs("text_rnn_k3"), "needs Bidirectional, LSTM and GRU (with Embedding masks), not run by this build"))
    func textRNNK3() throws { try RealWorld.expectParity("text_rnn_k3") }

    @Test("transformer block, tf_keras: MultiHeadAttention, LayerNormalization, gelu",
          .enabled(if: RealWorld.runs("transformer_k2"), "needs MultiHeadAttention, not run by this build"))
    func transformerK2() throws { try RealWorld.expectParity("transformer_k2") }

    @Test("transformer block, Keras 3: MultiHeadAttention, LayerNormalization, gelu",
          .enabled(if: RealWorld.runs("transformer_k3"), "needs MultiHeadAttention, not run by this build"))
    func transformerK3() throws { try RealWorld.expectParity("transformer_k3") }

    /// tf_keras names with `/` (as in its DenseNet): read and run as they are, and renamed when written for Keras 3
    /// (real Keras 3 loading the result is checked by tools/zoo_check.py on `slash_names_k2` and `densenet121_k2`).
    @Test("tf_keras layer names with `/`: predicts, and converts to .keras with the layers renamed")
    func slashNames() throws {
        try RealWorld.expectParity("slash_names_k2")
        let folder = try TestFixtures.temporaryDirectory("realworld-slash")
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("m.keras").path
        let renames = try KerasFileWriter.write(try RealWorld.graph("slash_names_k2"), to: out, format: .keras)
        #expect(renames.map { "\($0.from)→\($0.to)" } == [
            "input/image→input_image", "conv1/conv→conv1_conv_1", "conv1/bn→conv1_bn", "conv1/relu→conv1_relu",
            "conv2/prelu→conv2_prelu", "pool/gap→pool_gap", "fc/out→fc_out",
        ])
        let back = try KerasFile.open(out).loadGraph()
        #expect(!back.hasSlashInNames)
        #expect(back.node(named: "conv1_conv")?.layer.weights.first?.tensor.shape == [3, 3, 4, 4])
        #expect(back.node(named: "conv1_conv_1")?.layer.weights.first?.tensor.shape == [3, 3, 3, 4])
        try RealWorld.expectParity("slash_names_k2", graph: back)
    }
}
