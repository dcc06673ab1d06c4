import Foundation
import HDF5
import KerasFormat
import KerasGraph
import NumPyFormat
import KerasInference
import Testing
import TensorModule
import _TestSupport

// Parity of SimpleRNN, LSTM, GRU, Bidirectional, TimeDistributed, Embedding(mask_zero) and Masking with real Keras
// is checked on the fixtures `rnn_text_k2/k3`, `rnn_merge_k2/k3`, `rnn_timedistributed_k2/k3` by ParityTests (every
// fixture, |ours − keras| ≤ 1e-5 + 1e-4·|keras|). This file checks what those cannot show on their own: the mask
// rules step by step on values worked out by hand, the refusals, the weight layout written for Keras 3 and the
// config round trip.

private func tensor(_ shape: [Int], _ values: [Float]) -> Tensor { Tensor(shape: shape, scalars: values) }

@Suite("Recurrent kernel: Keras' mask semantics")
struct RecurrentKernelTests {
    /// A linear SimpleRNN with kernel 1, recurrent kernel 1, no bias: h_t = x_t + h_{t−1}, a running sum.
    private func runningSum(_ x: [Float], mask: [Float]?, backwards: Bool = false, sequences: Bool = true,
                            zero: Bool = false) throws -> Ops.RecurrentResult {
        try Ops.recurrent(input: tensor([1, x.count, 1], x), mask: mask.map { tensor([1, x.count], $0) },
                          cell: .simple(activation: .linear), kernel: tensor([1, 1], [1]),
                          recurrentKernel: tensor([1, 1], [1]), bias: nil, goBackwards: backwards,
                          returnSequences: sequences, zeroOutputForMask: zero)
    }

    @Test("a masked step keeps the state and repeats the previous output (tf_keras and Keras 3 standalone RNNs)")
    func maskedStepRepeats() throws {
        let r = try runningSum([1, 2, 3, 4], mask: [1, 0, 1, 0])
        #expect(r.output.scalars == [1, 1, 4, 4])
        #expect(r.states[0].scalars == [4])
    }

    @Test("leading masked steps output the zero initial state")
    func leadingMasked() throws {
        #expect(try runningSum([5, 2, 3], mask: [0, 0, 1]).output.scalars == [0, 0, 3])
    }

    @Test("zero_output_for_mask (Bidirectional with return_sequences) outputs zeros at masked steps")
    func zeroOutput() throws {
        let r = try runningSum([1, 2, 3, 4], mask: [1, 0, 1, 0], zero: true)
        #expect(r.output.scalars == [1, 0, 4, 0])
        #expect(r.states[0].scalars == [4])
    }

    @Test("go_backwards runs the steps in reverse and returns them in that order, mask reversed with them")
    func backwards() throws {
        // steps run t = 3, 2, 1, 0 with mask 0, 1, 0, 1 → outputs 0, 3, 3, 4
        let r = try runningSum([1, 2, 3, 4], mask: [1, 0, 1, 0], backwards: true)
        #expect(r.output.scalars == [0, 3, 3, 4])
        let last = try runningSum([1, 2, 3, 4], mask: [1, 0, 1, 0], backwards: true, sequences: false)
        #expect(last.output.shape == [1, 1] && last.output.scalars == [4])
    }

    @Test("LSTM gate order i, f, c, o and GRU gate order z, r, h, worked out by hand on one step")
    func gateOrder() throws {
        // One unit, one step, x = 1, zero states; kernel columns = gate pre-activations, recurrent kernel unused.
        // LSTM (linear activations): i = 2, f = 3, g = 5, o = 7 → c = f·0 + i·g = 10, h = o·c = 70.
        let lstm = try Ops.recurrent(input: tensor([1, 1, 1], [1]), mask: nil,
                                     cell: .lstm(activation: .linear, recurrentActivation: .linear),
                                     kernel: tensor([1, 4], [2, 3, 5, 7]), recurrentKernel: tensor([1, 4], [0, 0, 0, 0]),
                                     bias: nil, goBackwards: false, returnSequences: false, zeroOutputForMask: false)
        #expect(lstm.output.scalars == [70])
        #expect(lstm.states[1].scalars == [10])
        // GRU reset_after (linear): z = 0.25, r = 3, ĥ = x_h + r·(h·U_h + b'_h) = 2 + 3·0.5 = 3.5 with recurrent bias
        // 0.5 on h; h = z·0 + (1 − z)·ĥ = 2.625.
        let gru = try Ops.recurrent(input: tensor([1, 1, 1], [1]), mask: nil,
                                    cell: .gru(activation: .linear, recurrentActivation: .linear, resetAfter: true),
                                    kernel: tensor([1, 3], [0.25, 3, 2]), recurrentKernel: tensor([1, 3], [0, 0, 0]),
                                    bias: tensor([2, 3], [0, 0, 0, 0, 0, 0.5]), goBackwards: false,
                                    returnSequences: false, zeroOutputForMask: false)
        #expect(gru.output.scalars == [2.625])
    }
}

@Suite("Recurrent layers in models: masks, refusals, formats")
struct RecurrentModelTests {
    private func fixture(_ path: String) -> String { TestFixtures.path("models/\(path)") }

    @Test("Keras 3's mask arguments and their NotEqual/Any op layers are dropped as derived data")
    func keras3MaskPlumbing() throws {
        let graph = try KerasFile.open(fixture("rnn_text_k3/model.keras")).loadGraph()
        #expect(!graph.nodes.contains { $0.layer.className == "NotEqual" })
        #expect(graph.nodes.allSatisfy { node in node.calls.allSatisfy { $0.inputs.count == 1 } || node.layer is InputLayer })
        let merge = try KerasFile.open(fixture("rnn_merge_k3/model.keras")).loadGraph()
        #expect(!merge.nodes.contains { ["NotEqual", "Any"].contains($0.layer.className) })
        #expect(merge.nodes.contains { $0.layer is Masking })
    }

    @Test("a hand-made Keras 3 `mask` argument is kept as an input and refused, never silently ignored")
    func handMadeMask() throws {
        let text = try String(contentsOfFile: fixture("rnn_text_k3/model.json"), encoding: .utf8)
        // The recorded masks now come straight from the token input, not from Keras' own NotEqual(tokens, 0).
        let edited = text.replacingOccurrences(of: #""keras_history": ["not_equal", 0, 0]"#,
                                               with: #""keras_history": ["tokens", 0, 0]"#)
        try #require(edited != text)
        let graph = try ModelConfigParser.parseArchitectureJSON(edited, file: "model.json")
        let bi = try #require(graph.node(named: "bi_lstm"))
        #expect(bi.calls[0].inputs.map(\.layer) == ["emb", "tokens"])
        let lstm = try #require(LayerRegistry.decode(LayerConfig(className: "LSTM", name: "l", config: try JSONValue.parse(
            #"{"name": "l", "units": 2}"#), dialect: .keras3)) as? LSTM)
        #expect {
            _ = try lstm.compile(inputShapes: [[nil, 4, 3], [nil, 4]])
        } throws: { "\($0)".contains("hand-made `mask`") }
    }

    @Test("stateful=True is refused, naming the layer")
    func statefulRefused() throws {
        var options = RecurrentOptions(units: 2)
        options.stateful = true
        let layer = LSTM(common: LayerCommon(name: "lstm_s"), options: options, weights: [
            Weight(name: "kernel", tensor: Tensor(shape: [3, 8], repeating: 0)),
            Weight(name: "recurrent_kernel", tensor: Tensor(shape: [2, 8], repeating: 0)),
            Weight(name: "bias", tensor: Tensor(shape: [8], repeating: 0)),
        ])
        #expect {
            _ = try layer.compile(inputShapes: [[nil, 4, 3]])
        } throws: { "\($0)".contains("lstm_s") && "\($0)".contains("stateful") }
    }

    @Test("a mask reaching Softmax (which Keras would apply it in) is an error naming the layer")
    func maskIntoUnsupportedLayer() throws {
        let input = InputLayer(common: LayerCommon(name: "ids"), batchShape: [nil, 4])
        let emb = Embedding(common: LayerCommon(name: "emb"), inputDim: 5, outputDim: 2, maskZero: true,
                            weights: [Weight(name: "embeddings", tensor: Tensor(shape: [5, 2], repeating: 1))])
        let gap = Softmax(common: LayerCommon(name: "gap"))
        let graph = ModelGraph(name: "m", kind: .functional, nodes: [
            LayerNode(layer: input, calls: []),
            LayerNode(layer: emb, calls: [LayerCall(inputs: [TensorRef(layer: "ids")])]),
            LayerNode(layer: gap, calls: [LayerCall(inputs: [TensorRef(layer: "emb")])]),
        ], inputs: [TensorRef(layer: "ids")], outputs: [TensorRef(layer: "gap")])
        #expect {
            _ = try CompiledModel(graph)
        } throws: { "\($0)".contains("`gap`") && "\($0)".contains("mask") }
        // Without mask_zero the same model compiles: masks cost nothing where there are none.
        var plain = graph
        plain.nodes[1].layer = Embedding(common: LayerCommon(name: "emb"), inputDim: 5, outputDim: 2, maskZero: false,
                                         weights: emb.weights)
        _ = try CompiledModel(plain)
    }

    @Test("a mask reaching a nested model that holds an LSTM is an error (Keras would apply it inside)")
    func maskIntoNestedModel() throws {
        let emb = Embedding(common: LayerCommon(name: "emb"), inputDim: 5, outputDim: 2, maskZero: true,
                            weights: [Weight(name: "embeddings", tensor: Tensor(shape: [5, 2], repeating: 1))])
        let lstm = LSTM(common: LayerCommon(name: "inner_lstm"), options: RecurrentOptions(units: 1), weights: [
            Weight(name: "kernel", tensor: Tensor(shape: [2, 4], repeating: 0.5)),
            Weight(name: "recurrent_kernel", tensor: Tensor(shape: [1, 4], repeating: 0.5)),
            Weight(name: "bias", tensor: Tensor(shape: [4], repeating: 0)),
        ])
        let inner = ModelGraph(name: "inner", kind: .functional, nodes: [
            LayerNode(layer: InputLayer(common: LayerCommon(name: "in"), batchShape: [nil, 3, 2]), calls: []),
            LayerNode(layer: lstm, calls: [LayerCall(inputs: [TensorRef(layer: "in")])]),
        ], inputs: [TensorRef(layer: "in")], outputs: [TensorRef(layer: "inner_lstm")])
        let graph = ModelGraph(name: "m", kind: .functional, nodes: [
            LayerNode(layer: InputLayer(common: LayerCommon(name: "ids"), batchShape: [nil, 3]), calls: []),
            LayerNode(layer: emb, calls: [LayerCall(inputs: [TensorRef(layer: "ids")])]),
            LayerNode(layer: NestedModel(className: "Functional", common: LayerCommon(name: "inner"), graph: inner),
                      calls: [LayerCall(inputs: [TensorRef(layer: "emb")])]),
        ], inputs: [TensorRef(layer: "ids")], outputs: [TensorRef(layer: "inner")])
        #expect {
            _ = try CompiledModel(graph)
        } throws: { "\($0)".contains("`inner`") && "\($0)".contains("inner_lstm") }
    }

    @Test("GlobalAveragePooling1D after a mask averages the unmasked steps only (0/0 = NaN for a fully masked row)")
    func maskedAverage() throws {
        let input = InputLayer(common: LayerCommon(name: "x"), batchShape: [nil, 3, 2])
        let masking = Masking(common: LayerCommon(name: "m"), maskValue: 0)
        let gap = GlobalAveragePooling1D(common: LayerCommon(name: "gap"))
        let graph = ModelGraph(name: "g", kind: .functional, nodes: [
            LayerNode(layer: input, calls: []),
            LayerNode(layer: masking, calls: [LayerCall(inputs: [TensorRef(layer: "x")])]),
            LayerNode(layer: gap, calls: [LayerCall(inputs: [TensorRef(layer: "m")])]),
        ], inputs: [TensorRef(layer: "x")], outputs: [TensorRef(layer: "gap")])
        // Row 0: steps (1, 2), (0, 0) masked, (3, 6) → mean (2, 4). Row 1: every step masked → NaN.
        let x = tensor([2, 3, 2], [1, 2, 0, 0, 3, 6, 0, 0, 0, 0, 0, 0])
        let y = try CompiledModel(graph).predict([x])[0]
        #expect(y.shape == [2, 2])
        #expect(Array(y.scalars[0..<2]) == [2, 4])
        #expect(y.scalars[2].isNaN && y.scalars[3].isNaN)
    }

    @Test("written .weights.h5 keeps RNN weights in the cell, forward_layer/backward_layer and layer sub-objects")
    func keras3WeightLayout() throws {
        let graph = try KerasFile.open(fixture("rnn_text_k2/model.h5")).loadGraph()
        let dir = try TestFixtures.temporaryDirectory("rnn-layout")
        let out = dir.appendingPathComponent("m.weights.h5").path
        try KerasFileWriter.write(graph, to: out, format: .weightsH5)
        let h5 = try HDF5File.open(at: out)
        let root = try h5.rootGroup()
        for path in ["layers/bidirectional/forward_layer/cell/vars/2", "layers/bidirectional/backward_layer/cell/vars/0",
                     "layers/gru/cell/vars/2", "layers/lstm/cell/vars/1", "layers/simple_rnn/cell/vars/0",
                     "layers/time_distributed/layer/vars/1"] {
            #expect(try root.objectKind(at: path) == .dataset, "\(path)")
        }
        #expect(try root.objectKind(at: "layers/lstm/vars/0") == nil)
    }

    @Test("converted to .keras and legacy .h5 (both dialects) and read back, the model predicts the same bits")
    func convertRoundTrip() throws {
        let source = try KerasFile.open(fixture("rnn_text_k2/model.h5")).loadGraph()
        let x = try readNPY(contentsOf: TestFixtures.url("models/rnn_text_k2/input_0.npy"))
        let expected = try CompiledModel(source).predict([x])
        let dir = try TestFixtures.temporaryDirectory("rnn-convert")
        for (name, format) in [("m.keras", KerasWriteFormat.keras), ("m2.h5", .legacyH5Keras2), ("m3.h5", .legacyH5Keras3)] {
            let out = dir.appendingPathComponent(name).path
            try KerasFileWriter.write(source, to: out, format: format)
            let outputs = try CompiledModel(try KerasFile.open(out).loadGraph()).predict([x])
            try #require(outputs.count == expected.count)
            for (a, b) in zip(outputs, expected) { #expect(bitwiseEqual(a, b), "\(name)") }
        }
    }

    /// The keys KerasPort leaves out on purpose: `quantization_config: null` (Keras 3.13+ only; older Keras 3
    /// releases reject it) and a wrapped layer's `build_config` (Keras builds the wrapped layer from the wrapper's
    /// input; the interop check loads such files in real Keras 3).
    private func withoutUnwrittenKeys(_ v: JSONValue) -> JSONValue {
        switch v {
        case let .object(members):
            return .object(members.filter { $0.0 != "quantization_config" && $0.0 != "build_config" }
                .map { ($0.0, withoutUnwrittenKeys($0.1)) })
        case let .array(items): return .array(items.map(withoutUnwrittenKeys))
        default: return v
        }
    }

    @Test("Keras 3 configs of SimpleRNN, LSTM, GRU, Bidirectional, TimeDistributed, Embedding round-trip as Keras wrote them")
    func configRoundTrip() throws {
        let text = try String(contentsOfFile: fixture("rnn_text_k3/model.json"), encoding: .utf8)
        let original = try JSONValue.parse(text)
        let graph = try ModelConfigParser.parseArchitectureJSON(text, file: "model.json")
        let encoded = try ModelConfigEncoder.encode(graph, flavor: .keras3)
        guard case let .array(originalLayers)? = original["config"]?["layers"],
              case let .array(ourLayers)? = encoded["config"]?["layers"] else {
            Issue.record("no layer lists")
            return
        }
        var compared = 0
        for ours in ourLayers {
            guard case let .string(name)? = ours["name"],
                  let theirs = originalLayers.first(where: { $0["name"] == .string(name) }),
                  case let .string(cls)? = theirs["class_name"],
                  ["SimpleRNN", "LSTM", "GRU", "Bidirectional", "TimeDistributed", "Embedding"].contains(cls) else { continue }
            let a = withoutUnwrittenKeys(ours["config"]!), b = withoutUnwrittenKeys(theirs["config"]!)
            #expect(a == b, "\(name): ours \(a.serialized()) vs Keras \(b.serialized())")
            compared += 1
        }
        #expect(compared == 7)
    }
}
