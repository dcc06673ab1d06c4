import Foundation
import KerasFormat
import KerasGraph
import Testing

/// How attention layers read the roles of their inputs from the recorded call arguments, and what they refuse.
/// Call structures as real Keras writes them (see CallArgumentsTests and the mha_*/attention_* fixtures).
@Suite("Attention layers: call roles and configs")
struct AttentionConfigTests {
    static func keras3Tensor(_ layer: String, _ shape: String = "[null, 3, 4]") -> String {
        #"{"class_name": "__keras_tensor__", "config": {"shape": \#(shape), "dtype": "float32", "keras_history": ["\#(layer)", 0, 0]}}"#
    }

    /// A Keras 3 functional model with inputs q (3, 4), v (5, 4), m (3, 5) and one MultiHeadAttention with these
    /// inbound nodes.
    static func keras3Model(nodes: String, config: String = #""num_heads": 2, "key_dim": 3"#) -> String {
        """
        {"module": "keras.src.models.functional", "class_name": "Functional", "config": {"name": "m", "layers": [
          {"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [null, 3, 4], "dtype": "float32", "name": "q"}, "name": "q", "inbound_nodes": []},
          {"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [null, 5, 4], "dtype": "float32", "name": "v"}, "name": "v", "inbound_nodes": []},
          {"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [null, 3, 5], "dtype": "float32", "name": "m"}, "name": "m", "inbound_nodes": []},
          {"module": "keras.layers", "class_name": "MultiHeadAttention", "config": {"name": "mha", \(config)}, "name": "mha",
           "inbound_nodes": \(nodes)}],
         "input_layers": [["q", 0, 0], ["v", 0, 0], ["m", 0, 0]], "output_layers": [["mha", 0, 0]]}}
        """
    }

    @Test("Keras 3: query and value positional, key and attention_mask by keyword, options as constants")
    func keras3Roles() throws {
        let node = #"[{"args": [\#(Self.keras3Tensor("q")), \#(Self.keras3Tensor("v", "[null, 5, 4]"))], "kwargs": {"attention_mask": \#(Self.keras3Tensor("m", "[null, 3, 5]")), "return_attention_scores": true, "use_causal_mask": true, "training": false}}]"#
        let g = try ModelConfigParser.parse(json: Self.keras3Model(nodes: node), kerasVersion: "3.15.1", file: "t.keras")
        let mha = try #require(g.node(named: "mha")?.layer as? MultiHeadAttention)
        #expect(mha.roles == MultiHeadAttentionRoles(query: 0, value: 1, key: nil, attentionMask: 2, useCausalMask: true,
                                                     returnAttentionScores: true))
        #expect(mha.maskSemantics == .keras3)
        let shapes = try mha.outputShapes(inputShapes: [[nil, 3, 4], [nil, 5, 4], [nil, 3, 5]])
        #expect(shapes == [[nil, 3, 4], [nil, 2, 3, 5]])
    }

    @Test("tf_keras: the first argument plus `value`/`key` by name")
    func keras2Roles() throws {
        let json = """
            {"class_name": "Functional", "config": {"name": "m", "layers": [
              {"class_name": "InputLayer", "config": {"batch_input_shape": [null, 3, 4], "dtype": "float32", "name": "q"}, "name": "q", "inbound_nodes": []},
              {"class_name": "InputLayer", "config": {"batch_input_shape": [null, 5, 4], "dtype": "float32", "name": "v"}, "name": "v", "inbound_nodes": []},
              {"class_name": "MultiHeadAttention", "config": {"name": "mha", "num_heads": 2, "key_dim": 3, "value_dim": 2,
                "query_shape": [null, 3, 4], "key_shape": [null, 5, 4], "value_shape": [null, 5, 4], "softmax_robust_masking": false},
               "name": "mha", "inbound_nodes": [[["q", 0, 0, {"value": ["v", 0, 0], "key": ["v", 0, 0]}]]]}],
             "input_layers": [["q", 0, 0], ["v", 0, 0]], "output_layers": [["mha", 0, 0]]}}
            """
        let g = try ModelConfigParser.parse(json: json, kerasVersion: "2.21.0", file: "t.h5")
        let mha = try #require(g.node(named: "mha")?.layer as? MultiHeadAttention)
        #expect(mha.roles == MultiHeadAttentionRoles(query: 0, value: 1, key: 2))
        #expect(mha.maskSemantics == .keras2)
        #expect(mha.keras2BuildShapes == [[nil, 3, 4], [nil, 5, 4], [nil, 5, 4]])
        let specs = try mha.weightSpecs(inputShapes: [[nil, 3, 4], [nil, 5, 4], [nil, 5, 4]])
        #expect(specs.map(\.name) == ["query/kernel", "query/bias", "key/kernel", "key/bias", "value/kernel", "value/bias",
                                      "attention_output/kernel", "attention_output/bias"])
        #expect(specs.map(\.shape) == [[4, 2, 3], [2, 3], [4, 2, 3], [2, 3], [4, 2, 2], [2, 2], [2, 2, 4], [4]])
    }

    @Test("a shared layer called with different argument structures is refused, naming the layer")
    func sharedDifferently() throws {
        let a = #"{"args": [\#(Self.keras3Tensor("q")), \#(Self.keras3Tensor("v", "[null, 5, 4]"))], "kwargs": {}}"#
        let b = #"{"args": [\#(Self.keras3Tensor("q")), \#(Self.keras3Tensor("v", "[null, 5, 4]"))], "kwargs": {"use_causal_mask": true}}"#
        let error = try #require(throws: FormatError.self) {
            try ModelConfigParser.parse(json: Self.keras3Model(nodes: "[\(a), \(b)]"), kerasVersion: "3.15.1", file: "t.keras")
        }
        #expect(error.description.contains("`mha`") && error.description.contains("different arguments"), "\(error)")
    }

    @Test("explicit query/value/key masks and unknown call arguments are refused by name")
    func unsupportedArguments() throws {
        for (kwargs, word) in [(#""value_mask": \#(Self.keras3Tensor("m", "[null, 3, 5]"))"#, "value_mask"),
                               (#""some_option": 3"#, "some_option")] {
            let node = #"[{"args": [\#(Self.keras3Tensor("q")), \#(Self.keras3Tensor("v", "[null, 5, 4]"))], "kwargs": {\#(kwargs)}}]"#
            let error = try #require(throws: FormatError.self) {
                try ModelConfigParser.parse(json: Self.keras3Model(nodes: node), kerasVersion: "3.15.1", file: "t.keras")
            }
            #expect(error.description.contains(word), "\(error)")
        }
    }

    @Test("softmax_robust_masking=True is refused; a non-default attention_axes is refused when shapes are known")
    func refusedOptions() throws {
        let node = #"[{"args": [\#(Self.keras3Tensor("q")), \#(Self.keras3Tensor("v", "[null, 5, 4]"))], "kwargs": {}}]"#
        #expect(throws: FormatError.self) {
            try ModelConfigParser.parse(json: Self.keras3Model(nodes: node, config: #""num_heads": 2, "key_dim": 3, "softmax_robust_masking": true"#),
                                        kerasVersion: "3.15.1", file: "t.keras")
        }
        let g = try ModelConfigParser.parse(json: Self.keras3Model(nodes: node, config: #""num_heads": 2, "key_dim": 3, "attention_axes": [2]"#),
                                            kerasVersion: "3.15.1", file: "t.keras")
        let mha = try #require(g.node(named: "mha")?.layer as? MultiHeadAttention)
        #expect(throws: GraphError.self) { try mha.outputShapes(inputShapes: [[nil, 3, 4], [nil, 5, 4]]) }
    }

    @Test("EinsumDense kernel, bias and output shapes follow Keras' _analyze_split_string")
    func einsumShapes() throws {
        func layer(_ eq: String, _ out: Shape, _ bias: String?) -> EinsumDense {
            EinsumDense(common: LayerCommon(name: "e"), equation: eq, outputShape: out, biasAxes: bias)
        }
        let a = try layer("abc,cde->abde", [nil, 2, 3], "de").resolved(input: [nil, 4, 6])
        #expect(a.kernel == [6, 2, 3] && a.bias == [2, 3] && a.output == [nil, 4, 2, 3])
        let b = try layer("abc,cd->abd", [nil, 5], "b").resolved(input: [nil, 4, 6])
        #expect(b.bias == [4, 1])
        let c = try layer("...b,bc->...c", [3], "c").resolved(input: [nil, 4, 3, 6])
        #expect(c.kernel == [6, 3] && c.bias == [3] && c.output == [nil, 4, 3, 3])
        #expect(throws: GraphError.self) { try layer("abc,cd->abx", [nil, 5], nil).resolved(input: [nil, 4, 6]) }
    }
}
