import Foundation
import KerasPort
import Testing
import _TestSupport

@Suite("keras-port layers")
struct LayersCommandTests {
    @Test("layers --markdown prints the README section with its markers; layers lists classes, activations and reasons")
    func layersCommand() throws {
        let md = try CLI.run(["layers", "--markdown"])
        #expect(md.status == 0)
        #expect(md.stdout == LayerRegistry.readmeBeginMarker + "\n" + LayerRegistry.supportedLayersMarkdown()
                + LayerRegistry.readmeEndMarker + "\n")
        let plain = try CLI.run(["layers"])
        #expect(plain.status == 0)
        #expect(plain.stdout.contains("  Rescaling\n") && plain.stdout.contains("  hard_silu\n"))
        #expect(plain.stdout.contains("  StringLookup: takes strings"))
    }

    @Test("compiling a model with an unsupported class names the layer and the reason")
    func predictNamesTheReason() throws {
        // A Keras 3 Functional model: an input, then a MelSpectrogram (known to Keras, not run by KerasPort).
        let config = #"{"class_name": "Functional", "config": {"name": "m", "layers": [{"class_name": "InputLayer", "config": {"batch_shape": [null, 4, 4, 4, 1], "dtype": "float32", "name": "x"}, "name": "x", "inbound_nodes": []}, {"class_name": "MelSpectrogram", "config": {"name": "c", "fft_length": 8}, "name": "c", "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__", "config": {"shape": [null, 4, 4, 4, 1], "dtype": "float32", "keras_history": ["x", 0, 0]}}], "kwargs": {}}]}], "input_layers": [["x", 0, 0]], "output_layers": [["c", 0, 0]]}}"#
        let graph = try ModelConfigParser.parse(json: config, kerasVersion: "3.15.1", file: "m.json")
        #expect(throws: (any Error).self) { try CompiledModel(graph) }
        do {
            _ = try CompiledModel(graph)
        } catch {
            #expect("\(error)".contains("`c` (MelSpectrogram)") && "\(error)".contains("does not compute yet"), "\(error)")
        }
    }

    /// A Keras 3 Functional model `x → <cls>(config)` with input `dtype` and shape `[null, 3]`.
    private func oneLayerModel(_ cls: String, _ config: String, dtype: String) -> String {
        #"{"class_name": "Functional", "config": {"name": "m", "layers": [{"class_name": "InputLayer", "config": {"batch_shape": [null, 3], "dtype": "\#(dtype)", "name": "x"}, "name": "x", "inbound_nodes": []}, {"class_name": "\#(cls)", "config": \#(config), "name": "c", "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__", "config": {"shape": [null, 3], "dtype": "\#(dtype)", "keras_history": ["x", 0, 0]}}], "kwargs": {}}]}], "input_layers": [["x", 0, 0]], "output_layers": [["c", 0, 0]]}}"#
    }

    @Test("text layers (StringLookup, TextVectorization) and salted or text Hashing read but are refused at predict, with the reason",
          arguments: [
              ("StringLookup", #"{"name": "c", "vocabulary": ["a", "b"], "output_mode": "int"}"#, "string", "takes strings (text input)"),
              ("TextVectorization", #"{"name": "c", "max_tokens": 10, "output_mode": "int"}"#, "string", "takes strings (text input)"),
              ("Hashing", #"{"name": "c", "num_bins": 7, "salt": 1337}"#, "int64", "SipHash"),
              ("Hashing", #"{"name": "c", "num_bins": 7, "mask_value": ""}"#, "string", "takes strings"),
          ])
    func textAndHashingAreRefused(_ cls: String, _ config: String, _ dtype: String, _ reason: String) throws {
        let graph = try ModelConfigParser.parse(json: oneLayerModel(cls, config, dtype: dtype), kerasVersion: "3.15.1",
                                                file: "m.json")
        #expect(graph.nodes.last?.layer.className == cls)
        let error = #expect(throws: (any Error).self) { try CompiledModel(graph) }
        #expect("\(error.map { "\($0)" } ?? "")".contains("`c` (\(cls))"))
        #expect("\(error.map { "\($0)" } ?? "")".contains(reason), "\(String(describing: error))")
    }

    @Test("IntegerLookup whose vocabulary is not in the config (adapted) is refused at predict, naming where it is")
    func adaptedIntegerLookupIsRefused() throws {
        let config = #"{"name": "c", "vocabulary": null, "num_oov_indices": 1, "oov_token": -1, "mask_token": null, "output_mode": "int", "vocabulary_size": 4}"#
        let graph = try ModelConfigParser.parse(json: oneLayerModel("IntegerLookup", config, dtype: "int64"),
                                                kerasVersion: "3.15.1", file: "m.json")
        let error = #expect(throws: (any Error).self) { try CompiledModel(graph) }
        let text = "\(error.map { "\($0)" } ?? "")"
        #expect(text.contains("`c` (IntegerLookup)") && text.contains("assets"), "\(text)")
    }

    @Test("CategoryEncoding refuses an id outside [0, num_tokens), naming the layer")
    func categoryEncodingRange() throws {
        let config = #"{"name": "c", "num_tokens": 4, "output_mode": "multi_hot"}"#
        let graph = try ModelConfigParser.parse(json: oneLayerModel("CategoryEncoding", config, dtype: "int32"),
                                                kerasVersion: "3.15.1", file: "m.json")
        let model = try CompiledModel(graph)
        let ok = try model.predict([Tensor(shape: [1, 3], scalars: [0, 3, 3])])
        #expect(ok[0].scalars == [1, 0, 0, 1])
        let error = #expect(throws: (any Error).self) { try model.predict([Tensor(shape: [1, 3], scalars: [0, 4, 1])]) }
        let text = "\(error.map { "\($0)" } ?? "")"
        #expect(text.contains("`c` (CategoryEncoding)") && text.contains("id 4.0"), "\(text)")
    }
}
