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
        // A Keras 3 Functional model: an input, then a Conv3D (known to Keras, not run by KerasPort).
        let config = #"{"class_name": "Functional", "config": {"name": "m", "layers": [{"class_name": "InputLayer", "config": {"batch_shape": [null, 4, 4, 4, 1], "dtype": "float32", "name": "x"}, "name": "x", "inbound_nodes": []}, {"class_name": "Conv3D", "config": {"name": "c", "filters": 1, "kernel_size": [1, 1, 1]}, "name": "c", "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__", "config": {"shape": [null, 4, 4, 4, 1], "dtype": "float32", "keras_history": ["x", 0, 0]}}], "kwargs": {}}]}], "input_layers": [["x", 0, 0]], "output_layers": [["c", 0, 0]]}}"#
        let graph = try ModelConfigParser.parse(json: config, kerasVersion: "3.15.1", file: "m.json")
        #expect(throws: (any Error).self) { try CompiledModel(graph) }
        do {
            _ = try CompiledModel(graph)
        } catch {
            #expect("\(error)".contains("`c` (Conv3D)") && "\(error)".contains("not implemented yet"), "\(error)")
        }
    }
}
