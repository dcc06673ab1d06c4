import Foundation
@testable import KerasExport
import KerasGraph
import ONNXProto
import SwiftProtobuf
import TensorModule
import Testing

/// The round-2 mappings' structure (values are checked against real Keras in ONNX Runtime by tools/check_onnx.py,
/// ``ONNXRuntimeCheckTests``) and the refusals: an option without a mapping is named in an error, never dropped.
@Suite("ONNX export: layer mappings and refusals")
struct ONNXLayerMappingTests {
    func expectRefusal(_ g: ModelGraph, mentions parts: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try ONNXExporter.export(g)
            Issue.record("the export succeeded; expected a refusal mentioning \(parts)", sourceLocation: sourceLocation)
        } catch let e as ONNXExportError {
            for p in parts {
                #expect(e.message.contains(p), "\(e.message) does not mention \(p)", sourceLocation: sourceLocation)
            }
            #expect(!e.message.contains("\n"), sourceLocation: sourceLocation)
        } catch {
            Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test("LSTM: Keras' gate blocks i, f, c, o are written in ONNX's order i, o, f, c (W and B)")
    func lstmGateOrder() throws {
        let (features, units) = (2, 3)
        // Each gate block holds its Keras gate number, so the reorder shows.
        func blocks(_ rows: Int) -> Tensor {
            Tensor(shape: [rows, 4 * units], scalars: (0..<(rows * 4 * units)).map { Float(($0 % (4 * units)) / units) })
        }
        let bias = Tensor(shape: [4 * units], scalars: (0..<(4 * units)).map { Float($0 / units) })
        let lstm = LSTM(common: common("lstm"), options: RecurrentOptions(units: units),
                        weights: [Weight(name: "kernel", tensor: blocks(features)),
                                  Weight(name: "recurrent_kernel", tensor: blocks(units)),
                                  Weight(name: "bias", tensor: bias)])
        let m = try exported(graph([input("x", [nil, 5, features]), call(lstm, "x")], inputs: ["x"], outputs: ["lstm"]))
        let node = try #require(m.nodes("LSTM").first)
        let w = try #require(m.initializer(node.input[1]))
        #expect(w.dims == [1, 12, 2])
        // W rows (gate·u + j), each `features` long: gates in ONNX order i(0), o(3), f(1), c(2).
        let rowGates = stride(from: 0, to: w.floats.count, by: features).map { w.floats[$0] }
        #expect(rowGates == [0, 0, 0, 3, 3, 3, 1, 1, 1, 2, 2, 2])
        let b = try #require(m.initializer(node.input[3]))
        #expect(b.floats == [0, 0, 0, 3, 3, 3, 1, 1, 1, 2, 2, 2] + [Float](repeating: 0, count: 12))
        #expect(node.attribute("hidden_size")?.i == 3)
        #expect(node.attribute("activations")?.strings.map { String(decoding: $0, as: UTF8.self) } == ["Sigmoid", "Tanh", "Tanh"])
    }

    @Test("GRU: linear_before_reset is Keras' reset_after; the (2, 3u) bias splits into input and recurrent biases")
    func gruResetAfter() throws {
        for resetAfter in [true, false] {
            let units = 2
            let bias = resetAfter ? ramp([2, 3 * units]) : ramp([3 * units])
            let gru = GRU(common: common("gru"), options: RecurrentOptions(units: units), resetAfter: resetAfter,
                          weights: [Weight(name: "kernel", tensor: ramp([3, 3 * units])),
                                    Weight(name: "recurrent_kernel", tensor: ramp([units, 3 * units])),
                                    Weight(name: "bias", tensor: bias)])
            let m = try exported(graph([input("x", [nil, nil, 3]), call(gru, "x")], inputs: ["x"], outputs: ["gru"]))
            let node = try #require(m.nodes("GRU").first)
            #expect(node.attribute("linear_before_reset")?.i == (resetAfter ? 1 : 0))
            let b = try #require(m.initializer(node.input[3]))
            let expected = resetAfter ? bias.scalars : bias.scalars + [Float](repeating: 0, count: 3 * units)
            #expect(b.floats == expected)
        }
    }

    @Test("Conv2DTranspose on an image of unknown size exports with explicit pads and dynamic spatial axes")
    func transposedConvolutionAnySize() throws {
        for (padding, outputPadding, pads, extra) in [(Padding.same, nil as [Int]?, [0, 0, 1, 1], nil as [Int]?),
                                                      (.valid, nil, [0, 0, 0, 0], nil),
                                                      (.same, [1, 1], [0, 0, 1, 1], nil),
                                                      (.valid, [1, 1], [0, 0, 0, 0], [1, 1] as [Int]?)] {
            let ct = Conv2DTranspose(common: common("ct"), filters: 2, kernelSize: [3, 3], strides: [2, 2], padding: padding,
                                     outputPadding: outputPadding,
                                     weights: [Weight(name: "kernel", tensor: ramp([3, 3, 2, 3])), Weight(name: "bias", tensor: ramp([2]))])
            let m = try exported(graph([input("x", [nil, nil, nil, 3]), call(ct, "x")], inputs: ["x"], outputs: ["ct"]))
            let node = try #require(m.nodes("ConvTranspose").first)
            #expect(node.attribute("pads")?.ints == pads.map(Int64.init), "\(padding) \(String(describing: outputPadding))")
            #expect(node.attribute("output_padding")?.ints == extra?.map(Int64.init))
            #expect(m.graph.input[0].type.tensorType.shape.dim.map(\.dimParam).filter { !$0.isEmpty }.count == 3)
        }
    }

    @Test("options without an ONNX mapping are refused, naming the layer and the option")
    func refusals() {
        expectRefusal(graph([input("x", [nil, 8, 8, 3]),
                             call(Resizing(common: common("r"), height: 4, width: 4, interpolation: .bicubic), "x")],
                            inputs: ["x"], outputs: ["r"]),
                      mentions: ["layer `r` (Resizing)", "bicubic"])
        expectRefusal(graph([input("x", [nil, nil, nil, 3]), call(CenterCrop(common: common("cc"), height: 4, width: 4), "x")],
                            inputs: ["x"], outputs: ["cc"]),
                      mentions: ["layer `cc` (CenterCrop)", "known image sizes"])
        let stateful = LSTM(common: common("s"), options: RecurrentOptions(units: 2, stateful: true),
                            weights: [Weight(name: "kernel", tensor: ramp([3, 8])), Weight(name: "recurrent_kernel", tensor: ramp([2, 8])),
                                      Weight(name: "bias", tensor: ramp([8]))])
        expectRefusal(graph([input("x", [2, 4, 3]), call(stateful, "x")], inputs: ["x"], outputs: ["s"]),
                      mentions: ["layer `s` (LSTM)", "stateful"])
        let softmaxCell = SimpleRNN(common: common("rnn"),
                                    options: RecurrentOptions(units: 2, activation: Activation(.softmax(axis: -1), spelling: .name("softmax"))),
                                    weights: [Weight(name: "kernel", tensor: ramp([3, 2])), Weight(name: "recurrent_kernel", tensor: ramp([2, 2])),
                                              Weight(name: "bias", tensor: ramp([2]))])
        expectRefusal(graph([input("x", [nil, 4, 3]), call(softmaxCell, "x")], inputs: ["x"], outputs: ["rnn"]),
                      mentions: ["layer `rnn` (SimpleRNN)", "activation"])
    }

    @Test("a Keras mask reaching a layer that would use it and has no masked mapping is refused by name")
    func maskRefusal() {
        let embedding = Embedding(common: common("emb"), inputDim: 10, outputDim: 4, maskZero: true,
                                  weights: [Weight(name: "embeddings", tensor: ramp([10, 4]))])
        let g = graph([input("tokens", [nil, 6]), call(embedding, "tokens"), call(Softmax(common: common("sm")), "emb")],
                      inputs: ["tokens"], outputs: ["sm"])
        expectRefusal(g, mentions: ["layer `sm` (Softmax)", "mask"])
    }

    @Test("a masked GlobalAveragePooling1D averages over the unmasked steps only; without a mask it is a plain mean")
    func maskedAverage() throws {
        let embedding = Embedding(common: common("emb"), inputDim: 10, outputDim: 4, maskZero: true,
                                  weights: [Weight(name: "embeddings", tensor: ramp([10, 4]))])
        let masked = try exported(graph([input("tokens", [nil, 6]), call(embedding, "tokens"),
                                         call(GlobalAveragePooling1D(common: common("gap")), "emb")],
                                        inputs: ["tokens"], outputs: ["gap"]))
        #expect(masked.nodes("Equal").count == 1)
        #expect(masked.nodes("Div").count == 1)
        let plain = Embedding(common: common("emb"), inputDim: 10, outputDim: 4,
                              weights: [Weight(name: "embeddings", tensor: ramp([10, 4]))])
        let unmasked = try exported(graph([input("tokens", [nil, 6]), call(plain, "tokens"),
                                           call(GlobalAveragePooling1D(common: common("gap")), "emb")],
                                          inputs: ["tokens"], outputs: ["gap"]))
        #expect(unmasked.nodes("Equal").isEmpty)
    }
}
