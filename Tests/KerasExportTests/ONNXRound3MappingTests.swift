import Foundation
@testable import KerasExport
import KerasGraph
import ONNXProto
import SwiftProtobuf
import TensorModule
import Testing

/// The structure of the round-3 mappings (1-D/3-D convolution variants, RNN cells, ConvLSTM2D, lookup layers, Keras
/// masks into attention) and their refusals; values are checked against real Keras in ONNX Runtime by
/// tools/check_onnx.py (``ONNXRuntimeCheckTests``).
@Suite("ONNX export: convolution variants, RNN cells, ConvLSTM2D, lookups, attention masks")
struct ONNXRound3MappingTests {
    func refusal(_ g: ModelGraph, options: ONNXExportOptions = ONNXExportOptions()) -> String? {
        do {
            _ = try ONNXExporter.export(g, options: options)
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test("DepthwiseConv1D with causal padding: a grouped Conv padded on the left only, kernel (in·mult, 1, k)")
    func causalDepthwise1D() throws {
        let dw = DepthwiseConv1D(common: common("dw"), kernelSize: [3], padding: .causal, depthMultiplier: 2,
                                 dilationRate: [2], weights: [Weight(name: "kernel", tensor: ramp([3, 4, 2])),
                                                             Weight(name: "bias", tensor: ramp([8]))])
        let m = try exported(graph([input("x", [nil, 9, 4]), call(dw, "x")], inputs: ["x"], outputs: ["dw"]))
        let conv = try #require(m.nodes("Conv").first)
        #expect(conv.attribute("group")?.i == 4)
        #expect(conv.attribute("pads")?.ints == [4, 0])
        #expect(m.initializer(conv.input[1])?.dims == [8, 1, 3])
        // Output channel c·mult + m holds kernel[:, c, m]: channel 1 (c 0, m 1) starts with kernel[0, 0, 1].
        let w = try #require(m.initializer(conv.input[1])).floats
        #expect(w[3] == ramp([3, 4, 2]).scalars[1])
    }

    @Test("SeparableConv1D: the depthwise Conv then a kernel-1 Conv with the bias")
    func separable1D() throws {
        let sc = SeparableConv1D(common: common("sc"), filters: 5, kernelSize: [3], strides: [2], padding: .same,
                                 depthMultiplier: 2,
                                 weights: [Weight(name: "depthwise_kernel", tensor: ramp([3, 4, 2])),
                                           Weight(name: "pointwise_kernel", tensor: ramp([1, 8, 5])),
                                           Weight(name: "bias", tensor: ramp([5]))])
        let m = try exported(graph([input("x", [nil, 9, 4]), call(sc, "x")], inputs: ["x"], outputs: ["sc"]))
        let convs = m.nodes("Conv")
        #expect(convs.count == 2)
        #expect(convs[0].attribute("group")?.i == 4)
        #expect(convs[1].attribute("kernel_shape")?.ints == [1])
        #expect(convs[1].input.count == 3)
    }

    @Test("Conv1DTranspose and Conv3DTranspose: ConvTranspose with kernel (in, out, k…) and TensorFlow's crop")
    func transposedRanks() throws {
        let t1 = Conv1DTranspose(common: common("t1"), filters: 2, kernelSize: [3], strides: [2], padding: .same,
                                 weights: [Weight(name: "kernel", tensor: ramp([3, 2, 4])), Weight(name: "bias", tensor: ramp([2]))])
        let m1 = try exported(graph([input("x", [nil, 5, 4]), call(t1, "x")], inputs: ["x"], outputs: ["t1"]))
        let n1 = try #require(m1.nodes("ConvTranspose").first)
        #expect(m1.initializer(n1.input[1])?.dims == [4, 2, 3])
        #expect(n1.attribute("pads")?.ints == [0, 1])
        let t3 = Conv3DTranspose(common: common("t3"), filters: 2, kernelSize: [2, 2, 2], strides: [2, 2, 2], padding: .valid,
                                 outputPadding: [1, 0, 1],
                                 weights: [Weight(name: "kernel", tensor: ramp([2, 2, 2, 2, 3])), Weight(name: "bias", tensor: ramp([2]))])
        let m3 = try exported(graph([input("x", [nil, 3, 3, 3, 3]), call(t3, "x")], inputs: ["x"], outputs: ["t3"]))
        let n3 = try #require(m3.nodes("ConvTranspose").first)
        #expect(m3.initializer(n3.input[1])?.dims == [3, 2, 2, 2, 2])
        #expect(n3.attribute("output_padding")?.ints == [1, 0, 1])
    }

    @Test("Conv3D with groups: one Conv with group and a (out, in/groups, kd, kh, kw) kernel")
    func conv3DGroups() throws {
        let c3 = Conv3D(common: common("c3"), filters: 4, kernelSize: [2, 2, 2], groups: 2,
                        weights: [Weight(name: "kernel", tensor: ramp([2, 2, 2, 2, 4])), Weight(name: "bias", tensor: ramp([4]))])
        let m = try exported(graph([input("x", [nil, 3, 3, 3, 4]), call(c3, "x")], inputs: ["x"], outputs: ["c3"]))
        let conv = try #require(m.nodes("Conv").first)
        #expect(conv.attribute("group")?.i == 2)
        #expect(m.initializer(conv.input[1])?.dims == [4, 2, 2, 2, 2])
    }

    @Test("RNN over a StackedRNNCells: one ONNX recurrent op per cell, the first one reading backwards")
    func stackedCells() throws {
        func weights(_ gates: Int, _ features: Int, _ units: Int) -> [Weight] {
            [Weight(name: "kernel", tensor: ramp([features, gates * units])),
             Weight(name: "recurrent_kernel", tensor: ramp([units, gates * units])),
             Weight(name: "bias", tensor: ramp([gates * units]))]
        }
        let lstm = LSTM(common: common("lstm_cell"), options: RecurrentOptions(units: 3))
        let gru = GRU(common: common("gru_cell"), options: RecurrentOptions(units: 2), resetAfter: false)
        let rnn = RNN(common: common("rnn"), cells: [lstm, gru], goBackwards: true,
                      weights: weights(4, 5, 3) + weights(3, 3, 2))
        let m = try exported(graph([input("x", [nil, 6, 5]), call(rnn, "x")], inputs: ["x"], outputs: ["rnn"]))
        #expect(m.nodes("LSTM").count == 1)
        let g = try #require(m.nodes("GRU").first)
        #expect(g.attribute("linear_before_reset")?.i == 0)
        // go_backwards: only the first cell's input is reversed (one Slice with step −1).
        #expect(m.nodes("Slice").filter { $0.input.count == 5 }.count == 1)
    }

    @Test("ConvLSTM2D is a Scan over time (dynamic length) with the recurrent same Conv in its body; go_backwards scans in reverse")
    func convLSTMScan() throws {
        for backwards in [false, true] {
            let layer = ConvLSTM(common: common("cl"), options: RecurrentOptions(units: 3, returnSequences: true, goBackwards: backwards),
                                   kernelSize: [3, 3], padding: .same,
                                   weights: [Weight(name: "kernel", tensor: ramp([3, 3, 2, 12])),
                                             Weight(name: "recurrent_kernel", tensor: ramp([3, 3, 3, 12])),
                                             Weight(name: "bias", tensor: ramp([12]))])
            let m = try exported(graph([input("x", [nil, nil, 6, 5, 2]), call(layer, "x")], inputs: ["x"], outputs: ["cl"]))
            let scan = try #require(m.nodes("Scan").first)
            #expect(scan.attribute("scan_input_directions")?.ints == [backwards ? 1 : 0])
            let body = try #require(scan.attribute("body")?.g)
            let recurrent = try #require(body.node.first { $0.opType == "Conv" })
            #expect(recurrent.attribute("pads")?.ints == [1, 1, 1, 1])
            #expect(body.input.count == 3 && body.output.count == 3)
        }
    }

    @Test("Hashing: refused below opset 18 naming the layer and the opset; from 18 FarmHash in uint64 ops with BitwiseXor")
    func hashingOpset() throws {
        let g = graph([input("ids", [nil, 5]), call(Hashing(common: common("hash"), numBins: 7), "ids")],
                      inputs: ["ids"], outputs: ["hash"])
        let message = refusal(g)
        #expect(message?.contains("layer `hash` (Hashing)") == true && message?.contains("opset 18") == true, "\(message ?? "exported")")
        let m = try exported(g, opset: 18)
        #expect(!m.nodes("BitwiseXor").isEmpty)
        // One branch per FarmHash length class (1–3, 4–7, 8–16, 17–32 bytes), chosen by Where.
        #expect(m.nodes("Where").count >= 3)
    }

    @Test("outputs: only the selected outputs and the layers they need are exported; an unknown name is refused")
    func selectedOutputs() throws {
        let dense = Dense(common: common("d"), units: 2, weights: [Weight(name: "kernel", tensor: ramp([3, 2])),
                                                                     Weight(name: "bias", tensor: ramp([2]))])
        let g = graph([input("x", [nil, 3]), input("ids", [nil, 5]), call(dense, "x"),
                       call(Hashing(common: common("hash"), numBins: 7), "ids")],
                      inputs: ["x", "ids"], outputs: ["d", "hash"])
        #expect(refusal(g)?.contains("Hashing") == true)
        let data = try ONNXExporter.export(g, options: ONNXExportOptions(outputs: ["d"]))
        let m = try Onnx_ModelProto(serializedBytes: data)
        #expect(m.graph.output.map(\.name) == ["d"])
        #expect(m.graph.input.map(\.name) == ["x", "ids"])
        #expect(m.nodes("Gemm").count == 1)
        let unknown = refusal(g, options: ONNXExportOptions(outputs: ["nope"]))
        #expect(unknown?.contains("`nope`") == true && unknown?.contains("d, hash") == true, "\(unknown ?? "exported")")
    }

    @Test("IntegerLookup: tokens compared in float64 (exact beyond 2^24), the first occurrence's index, the mask token first")
    func integerLookup() throws {
        let big: Int64 = (1 << 40) + 1
        let lookup = IntegerLookup(common: common("lk"), vocabulary: [big, 7, 7], maskToken: 0)
        let m = try exported(graph([input("t", [nil, 4]), call(lookup, "t")], inputs: ["t"], outputs: ["lk"]))
        let vocabulary = try #require(m.graph.initializer.first { $0.name.contains("vocabulary") })
        #expect(vocabulary.dataType == Int32(Onnx_TensorProto.DataType.double.rawValue))
        let values = vocabulary.rawData.withUnsafeBytes { raw in
            (0..<(raw.count / 8)).map { Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self))) }
        }
        #expect(values == [Double(big), 7, 7])
        #expect(m.nodes("ArgMax").count == 1)
        // The mask test comes last (applied over the vocabulary result), so it wins.
        #expect(m.nodes("Where").count == 2)
    }

    @Test("Keras masks into attention: MultiHeadAttention ANDs the query and value masks into its mask; Attention zeroes masked query rows")
    func attentionMasks() throws {
        let embedding = Embedding(common: common("emb"), inputDim: 10, outputDim: 4, maskZero: true,
                                  weights: [Weight(name: "embeddings", tensor: ramp([10, 4]))])
        let attention = Attention(common: common("att"))
        let lone = try exported(graph([input("t", [nil, 6]), call(embedding, "t"), call(attention, "emb", "emb")],
                                      inputs: ["t"], outputs: ["att"]))
        // Value mask → scores − 1e9; query mask → where(q_mask, output, 0).
        #expect(lone.nodes("Where").count == 2)
        let plain = Embedding(common: common("emb"), inputDim: 10, outputDim: 4,
                              weights: [Weight(name: "embeddings", tensor: ramp([10, 4]))])
        let unmasked = try exported(graph([input("t", [nil, 6]), call(plain, "t"), call(attention, "emb", "emb")],
                                          inputs: ["t"], outputs: ["att"]))
        #expect(unmasked.nodes("Where").isEmpty)
    }
}
