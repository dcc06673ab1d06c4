import Foundation
import KerasFormat
import KerasGraph
import KerasInference
import Testing

/// An op KerasPort cannot run fails with one line naming the op and the layer; the model can still be read.
@Suite("Op layers: unsupported ops are named")
struct OpLayerErrorTests {
    // tf_keras 2.21: `tf.linalg.svd(tf.reshape(x, (-1, 4, 3)))[0]` records `function: "linalg.svd"`.
    static let keras2 = """
        {"class_name": "Functional", "config": {"name": "m", "layers": [
          {"class_name": "InputLayer", "config": {"batch_input_shape": [null, 4, 3], "dtype": "float32", "name": "x"}, "name": "x", "inbound_nodes": []},
          {"class_name": "TFOpLambda", "config": {"name": "tf.linalg.svd", "trainable": true, "dtype": "float32", "function": "linalg.svd"},
           "name": "tf.linalg.svd", "inbound_nodes": [["x", 0, 0, {}]]}],
         "input_layers": [["x", 0, 0]], "output_layers": [["tf.linalg.svd", 0, 0]]}}
        """

    // Keras 3.15.1: `keras.ops.svd(x)` saves class SVD of module keras.src.ops.linalg.
    static let keras3 = """
        {"module": "keras.src.models.functional", "class_name": "Functional", "config": {"name": "m", "layers": [
          {"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [null, 4, 3], "dtype": "float32", "name": "x"}, "name": "x", "inbound_nodes": []},
          {"module": "keras.src.ops.linalg", "class_name": "SVD", "config": {"name": "svd", "full_matrices": true, "compute_uv": true},
           "registered_name": "SVD", "name": "svd", "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__",
           "config": {"shape": [null, 4, 3], "dtype": "float32", "keras_history": ["x", 0, 0]}}], "kwargs": {}}]}],
         "input_layers": [["x", 0, 0]], "output_layers": [["svd", 0, 0]]}}
        """

    // Keras 3.15.1: `keras.ops.add(x, 1.0)` is class Add of keras.src.ops.numpy; a module KerasPort does not know
    // with the class name of a layer must not become that layer.
    static let keras3Unknown = keras3.replacingOccurrences(of: "\"keras.src.ops.linalg\", \"class_name\": \"SVD\"",
                                                           with: "\"keras.src.ops.math\", \"class_name\": \"Add\"")

    // tf_keras 2.21: `tf.image.resize(x, (8, 8), antialias=True)`.
    static let keras2Option = keras2.replacingOccurrences(of: "\"function\": \"linalg.svd\"", with: "\"function\": \"image.resize\"")
        .replacingOccurrences(of: "[[\"x\", 0, 0, {}]]", with: "[[\"x\", 0, 0, {\"size\": [8, 8], \"antialias\": true}]]")
        .replacingOccurrences(of: "[null, 4, 3]", with: "[null, 4, 4, 3]")

    @Test("an op called with an option KerasPort cannot run fails naming the op, the option and the layer")
    func unsupportedOption() throws {
        let graph = try ModelConfigParser.parse(json: Self.keras2Option, kerasVersion: "2.21.0", file: "m")
        #expect(throws: (any Error).self) { try CompiledModel(graph) }
        do {
            _ = try CompiledModel(graph)
        } catch {
            let text = "\(error)"
            #expect(text.contains("the op `tf.image.resize` cannot be run"), "\(text)")
            #expect(text.contains("antialias"), "\(text)")
            #expect(text.contains("`tf.linalg.svd`"), "\(text)")  // the layer's name in this JSON
        }
    }

    @Test("an unsupported op fails naming the op and the layer", arguments: [
        (keras2, "2.21.0", "tf.linalg.svd", "`tf.linalg.svd`"),
        (keras3, "3.15.1", "keras.src.ops.linalg.SVD", "`svd`"),
        (keras3Unknown, "3.15.1", "keras.src.ops.math.Add", "`svd`"),
    ])
    func unsupportedOp(_ json: String, _ version: String, _ op: String, _ layer: String) throws {
        let graph = try ModelConfigParser.parse(json: json, kerasVersion: version, file: "m")
        #expect(graph.nodes.contains { $0.layer is OpaqueLayer })
        do {
            _ = try CompiledModel(graph)
            Issue.record("compiled a model holding \(op)")
        } catch {
            let text = "\(error)"
            #expect(text.contains("the op `\(op)` cannot be run"), "\(text)")
            #expect(text.contains(layer), "\(text)")
            #expect(!text.contains("\n"))
        }
    }
}
