import Foundation
import Testing
import _TestSupport

/// The venv's python when it can import torch and safetensors (tools/requirements-pytorch.txt), else `nil`.
let pytorchPython: String? = Programs.venvPython(running: "import torch, safetensors")

@Suite("keras-port export --format pytorch")
struct PyTorchExportCLITests {
    func temporaryDirectory() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("kp-pt-\(UUID().uuidString)").path
    }

    @Test("export writes model.py and model.safetensors; inspect lists the tensors")
    func exportAndInspect() throws {
        let out = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let r = try CLI.run(["export", TestFixtures.path("models/example/model.h5"), "--format", "pytorch", out])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(FileManager.default.fileExists(atPath: out + "/model.py"))
        let inspect = try CLI.run(["inspect", out + "/model.safetensors"])
        #expect(inspect.status == 0, "\(inspect.stderr)")
        #expect(inspect.stdout.contains("7 tensors"))
        #expect(inspect.stdout.contains("prelu1.weight  F32  (4,)"))
        #expect(inspect.stdout.contains("conv1.weight   F32  (4, 3, 3, 3)"))
        #expect(inspect.stdout.contains("metadata source: model.h5"))
        #expect(inspect.stdout.contains("375 elements"))
        let json = try CLI.run(["inspect", out + "/model.safetensors", "--json"])
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect((obj["tensors"] as? [[String: Any]])?.count == 7)
    }

    @Test("a damaged safetensors file is a one-line error naming it")
    func damaged() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kp-\(UUID().uuidString).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data([16, 0, 0, 0, 0, 0, 0, 0] + Array("{\"a\":1}         ".utf8)).write(to: URL(fileURLWithPath: path))
        let r = try CLI.run(["inspect", path])
        #expect(r.status != 0)
        #expect(r.stderr.contains(path) && r.stderr.contains("`a`"), "\(r.stderr)")
    }

    /// A fixture subset covering every mapping family; tools/test.sh runs the script on every fixture.
    @Test("real PyTorch loads the export strictly and predicts what Keras predicted (tools/check_pytorch.py)",
          .enabled(if: pytorchPython != nil, "torch/safetensors not installed in tools/.venv (tools/setup_venv.sh --pytorch)"))
    func realPyTorch() throws {
        let (status, text) = try checkPyTorch([
            "example", "prelu_k3", "conv2d_k3", "conv1d_k3", "batchnorm_k3", "shape2d_k3", "merge_k3",
            "special_prelu_k3", "special_k2", "nested_k2", "leaky_relu_k2", "embedding_k3"])
        #expect(status == 0, "\(text)")
        #expect(text.contains("24/24 exports verified"), "\(text)")
    }

    /// Runs tools/check_pytorch.py with `arguments`; (exit status, output).
    func checkPyTorch(_ arguments: [String]) throws -> (Int32, String) {
        let r = try Programs.runTool("check_pytorch.py", ["--binary", CLI.binary.path] + arguments, python: pytorchPython!,
                                     environment: ["CUDA_VISIBLE_DEVICES": ""])
        return (r.status, r.output)
    }

    @Test("recurrent, attention, framework-op, preprocessing and 3-D fixtures export and match Keras in real PyTorch",
          .enabled(if: pytorchPython != nil, "torch/safetensors not installed in tools/.venv (tools/setup_venv.sh --pytorch)"))
    func laterFamilies() throws {
        let (status, text) = try checkPyTorch([
            "rnn_text_k2", "rnn_merge_k3", "rnn_timedistributed_k3", "mha_masks_k3", "gqa_k3", "attention_k2",
            "einsum_k3", "preprocessing_k3", "ops_k2", "ops_k3", "ops_tf_only_k2", "espcn_k3", "norms_k3", "shape3d_k3",
            "applications_layers_k3", "activations_by_name_k3", "identities_k2"])
        #expect(status == 0, "\(text)")
        #expect(text.contains("34/34 exports verified"), "\(text)")
    }

    @Test("1-D/3-D convolution variants, lookups and Hashing, RNN cells, ConvLSTM2D and Keras masks into attention export and match Keras in real PyTorch",
          .enabled(if: pytorchPython != nil, "torch/safetensors not installed in tools/.venv (tools/setup_venv.sh --pytorch)"))
    func breadth() throws {
        let (status, text) = try checkPyTorch([
            "--strict", "conv_breadth_k2", "conv_breadth_k3", "lookup_k2", "lookup_k3", "rnn_cells_k2", "rnn_cells_k3",
            "conv_lstm_k2", "conv_lstm_k3", "attention_keras_masks_k2", "attention_keras_masks_k3"])
        #expect(status == 0, "\(text)")
        #expect(text.contains("20/20 exports verified"), "\(text)")
    }

    @Test("RMSNormalization, adaptive pooling, SpectralNormalization, RandomCrop, AutoContrast, ReversibleEmbedding, Pipeline, LocallyConnected, STFTSpectrogram and ConvLSTM1D/3D export and match Keras in real PyTorch",
          .enabled(if: pytorchPython != nil, "torch/safetensors not installed in tools/.venv (tools/setup_venv.sh --pytorch)"))
    func breadth3() throws {
        let (status, text) = try checkPyTorch([
            "--strict", "breadth3_norm_pool_k3", "breadth3_image_k3", "breadth3_image_k2", "breadth3_pipeline_k3",
            "breadth3_local_k2", "breadth3_audio_k3", "breadth3_convlstm_k2", "breadth3_convlstm_k3"])
        #expect(status == 0, "\(text)")
        #expect(text.contains("16/16 exports verified"), "\(text)")
    }

    @Test("real-world zoo models (ESPCN's depth_to_space head, a masked bidirectional text RNN) export and match Keras",
          .enabled(if: pytorchPython != nil, "torch/safetensors not installed in tools/.venv (tools/setup_venv.sh --pytorch)"),
          .enabled(if: ["espcn_k2", "text_rnn_k3"].allSatisfy { FileManager.default.fileExists(
              atPath: TestFixtures.repositoryRoot.appendingPathComponent("tools/.cache/zoo/\($0)/manifest.json").path) },
                   "the zoo cache (tools/zoo.py) has not built espcn_k2 and text_rnn_k3"))
    func zoo() throws {
        let (status, text) = try checkPyTorch(["--zoo", "espcn_k2,text_rnn_k3"])
        #expect(status == 0, "\(text)")
        #expect(text.contains("3/3 exports verified"), "\(text)")
    }
}
