import KerasFormat
import Foundation
import KerasGraph
import Testing

// Inbound nodes as real Keras wrote them (printed by `model.to_json()`):
// tf_keras 2.21: `b = tf.math.add(tf.math.multiply(x, 2.0), y)`;
// Keras 3.15.1: `keras.ops.add(x, 1.0)` and `MultiHeadAttention(2, 3)(y, y, key=y, use_causal_mask=True)`.
@Suite("Call arguments: constants and keyword tensors of inbound nodes")
struct CallArgumentsTests {
    static let keras2 = """
        {"class_name": "Functional", "config": {"name": "m", "layers": [
          {"class_name": "InputLayer", "config": {"batch_input_shape": [null, 4], "dtype": "float32", "name": "x"}, "name": "x", "inbound_nodes": []},
          {"class_name": "TFOpLambda", "config": {"name": "tf.math.multiply", "trainable": true, "dtype": "float32", "function": "math.multiply"},
           "name": "tf.math.multiply", "inbound_nodes": [["x", 0, 0, {"y": 2.0}]]},
          {"class_name": "InputLayer", "config": {"batch_input_shape": [null, 4], "dtype": "float32", "name": "y"}, "name": "y", "inbound_nodes": []},
          {"class_name": "TFOpLambda", "config": {"name": "tf.math.add", "trainable": true, "dtype": "float32", "function": "math.add"},
           "name": "tf.math.add", "inbound_nodes": [["tf.math.multiply", 0, 0, {"y": ["y", 0, 0]}]]}],
         "input_layers": [["x", 0, 0], ["y", 0, 0]], "output_layers": [["tf.math.add", 0, 0]]}}
        """

    static func tensor(_ layer: String, _ shape: String) -> String {
        """
        {"class_name": "__keras_tensor__", "config": {"shape": \(shape), "dtype": "float32", "keras_history": ["\(layer)", 0, 0]}}
        """
    }

    static let keras3 = """
        {"module": "keras.src.models.functional", "class_name": "Functional", "config": {"name": "m", "layers": [
          {"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [null, 4], "dtype": "float32", "name": "x"}, "name": "x", "inbound_nodes": []},
          {"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [null, 3, 4], "dtype": "float32", "name": "y"}, "name": "y", "inbound_nodes": []},
          {"module": "keras.src.ops.numpy", "class_name": "Add", "config": {"name": "add"}, "name": "add",
           "inbound_nodes": [{"args": [\(tensor("x", "[null, 4]")), 1.0], "kwargs": {}}]},
          {"module": "keras.layers", "class_name": "MultiHeadAttention", "config": {"name": "mha", "num_heads": 2, "key_dim": 3}, "name": "mha",
           "inbound_nodes": [{"args": [\(tensor("y", "[null, 3, 4]")), \(tensor("y", "[null, 3, 4]"))],
                              "kwargs": {"key": \(tensor("y", "[null, 3, 4]")), "use_causal_mask": true}}]}],
         "input_layers": [["x", 0, 0], ["y", 0, 0]], "output_layers": [["add", 0, 0], ["mha", 0, 0]]}}
        """

    @Test("Keras 2: a keyword tensor is an input of the call; constants stay arguments; written back as Keras wrote them")
    func keras2() throws {
        let g = try ModelConfigParser.parse(json: Self.keras2, kerasVersion: "2.21.0", file: "k2.h5")
        let multiply = try #require(g.node(named: "tf.math.multiply"))
        #expect(multiply.calls == [LayerCall(inputs: [TensorRef(layer: "x")], arguments: CallArguments(
            positional: [.tensor(0)], keywords: [CallKeyword("y", .constant(.number(2)))]))])
        // The usual Keras 2 node, a list of one entry, is a list of one tensor (written back the same way).
        let wrapped = try ModelConfigParser.parse(json: Self.keras2.replacingOccurrences(
            of: #"[["x", 0, 0, {"y": 2.0}]]"#, with: #"[[["x", 0, 0, {"y": 2.0}]]]"#), kerasVersion: "2.21.0", file: "k2.h5")
        #expect(wrapped.node(named: "tf.math.multiply")?.calls[0].arguments?.positional == [.list([.tensor(0)])])
        #expect(wrapped.node(named: "tf.math.multiply")?.calls[0].arguments?.positional[0].unwrapped == .tensor(0))
        let add = try #require(g.node(named: "tf.math.add"))
        #expect(add.calls[0].inputs == [TensorRef(layer: "tf.math.multiply"), TensorRef(layer: "y")])
        #expect(add.calls[0].arguments?.keyword("y") == .tensor(1))

        let written = try ModelConfigEncoder.encode(g, flavor: .keras2)
        let original = try JSONValue.parse(Self.keras2)
        #expect(inbound(written) == inbound(original))
    }

    @Test("Keras 3: constants among positional arguments and keyword tensors; written back as Keras wrote them")
    func keras3() throws {
        let g = try ModelConfigParser.parse(json: Self.keras3, kerasVersion: "3.15.1", file: "k3.keras")
        let add = try #require(g.node(named: "add"))
        #expect(add.calls == [LayerCall(inputs: [TensorRef(layer: "x")], arguments: CallArguments(
            positional: [.tensor(0), .constant(.number(1))]))])
        let mha = try #require(g.node(named: "mha"))
        #expect(mha.calls[0].inputs == Array(repeating: TensorRef(layer: "y"), count: 3))
        #expect(mha.calls[0].arguments == CallArguments(positional: [.tensor(0), .tensor(1)], keywords: [
            CallKeyword("key", .tensor(2)), CallKeyword("use_causal_mask", .constant(.bool(true)))]))

        let written = try ModelConfigEncoder.encode(g, flavor: .keras3)
        #expect(inbound(written) == inbound(try JSONValue.parse(Self.keras3)))
        // Keras 2 records every argument after the first by name, so two positional arguments cannot be written.
        #expect(throws: FormatError.self) { try ModelConfigEncoder.encode(g, flavor: .keras2) }
    }

    @Test("call options that change no inference result (`training`, `mask=None`) leave the call plain")
    func plainOptions() {
        #expect(CallArguments(positional: [.tensor(0)], keywords: [CallKeyword("training", .constant(.bool(false)))]).isPlain)
        #expect(CallArguments(positional: [.list([.tensor(0), .tensor(1)])], keywords: [CallKeyword("mask", .constant(.null))]).isPlain)
        #expect(!CallArguments(positional: [.tensor(0)], keywords: [CallKeyword("mask", .tensor(1))]).isPlain)
        #expect(!CallArguments(positional: [.list([.tensor(1), .tensor(0)])]).isPlain)
    }

    /// Every layer's `inbound_nodes`, by layer name.
    func inbound(_ model: JSONValue) -> [String: JSONValue] {
        guard case let .array(layers)? = model["config"]?["layers"] else { return [:] }
        var out: [String: JSONValue] = [:]
        for l in layers {
            if case let .string(name)? = l["name"] { out[name] = l["inbound_nodes"] ?? .null }
        }
        return out
    }
}
