import Foundation
import KerasExport
import KerasPort
import Testing
import _TestSupport

/// The third round's PyTorch mappings, checked structurally: weight layouts (Conv3d / ConvTranspose1d / ConvLSTM's
/// convolutions, as torch.nn documents them), the IntegerLookup vocabulary buffer, the RNN cell modules, the Keras
/// masks reaching attention. Numbers in real PyTorch against real Keras: tools/check_pytorch.py
/// (PyTorchExportCLITests.breadth runs it on these fixtures).
@Suite("PyTorch export: 1-D/3-D convolutions, lookups, RNN cells, ConvLSTM2D, attention masks")
struct PyTorchBreadthExportTests {
    func export(_ fixture: String) throws -> (ModelGraph, PyTorchExport) {
        let graph = try KerasFile.open(TestFixtures.path("models/\(fixture)")).loadGraph()
        return (graph, try PyTorchExport(graph: graph, options: .init(source: fixture)))
    }

    func tensor(_ e: PyTorchExport, _ name: String) throws -> SafetensorsTensor {
        try #require(e.tensors.first { $0.name == name }, "no tensor \(name) in \(e.tensors.map(\.name))")
    }

    func floats(_ t: SafetensorsTensor) -> [Float] {
        stride(from: 0, to: t.data.count, by: 4).map { i in
            Float(bitPattern: UInt32(t.data[i]) | UInt32(t.data[i + 1]) << 8 | UInt32(t.data[i + 2]) << 16 | UInt32(t.data[i + 3]) << 24)
        }
    }

    func int64s(_ t: SafetensorsTensor) -> [Int64] {
        stride(from: 0, to: t.data.count, by: 8).map { i in
            Int64(bitPattern: (0..<8).reduce(UInt64(0)) { $0 | UInt64(t.data[i + $1]) << (8 * UInt64($1)) })
        }
    }

    func kerasWeight(_ g: ModelGraph, _ layer: String, _ index: Int) throws -> Tensor {
        try #require(g.node(named: layer)).layer.weights[index].tensor
    }

    @Test("Conv3D with groups → nn.Conv3d: kernel (kd, kh, kw, in/groups, out) as (out, in/groups, kd, kh, kw)")
    func conv3dGroups() throws {
        let (g, e) = try export("conv_breadth_k3/model.keras")
        let k = try kerasWeight(g, "conv3d_groups", 0)  // (1, 2, 3, 2, 4)
        #expect(k.shape == [1, 2, 3, 2, 4])
        let w = try tensor(e, "conv3d_groups.weight")
        #expect(w.shape == [4, 2, 1, 2, 3])
        let values = floats(w)
        for o in 0..<4 { for i in 0..<2 { for y in 0..<2 { for x in 0..<3 {
            #expect(values[((o * 2 + i) * 2 + y) * 3 + x] == k.scalars[((y * 3 + x) * 2 + i) * 4 + o])
        } } } }
        #expect(e.source.contains("self.conv3d_groups = nn.Conv3d(4, 4, (1, 2, 3), stride=(1, 2, 1), padding=(0, 0, 0), dilation=(1, 1, 1), groups=2, bias=False)"))
    }

    @Test("Conv1DTranspose → nn.ConvTranspose1d: kernel (k, out, in) as (in, out, k); Keras' window cropped by _conv_transpose")
    func conv1dTranspose() throws {
        let (g, e) = try export("conv_breadth_k3/model.keras")
        let k = try kerasWeight(g, "conv1dt_outpad", 0)  // (4, 3, 4): k, filters, in
        let w = try tensor(e, "conv1dt_outpad.weight")
        #expect(w.shape == [4, 3, 4])
        let values = floats(w)
        for i in 0..<4 { for o in 0..<3 { for t in 0..<4 {
            #expect(values[(i * 3 + o) * 4 + t] == k.scalars[(t * 3 + o) * 4 + i])
        } } }
        #expect(e.source.contains("nn.ConvTranspose1d(4, 3, (4,), stride=(3,), dilation=(1,), bias=True)"))
        #expect(e.source.contains("_conv_transpose(self.conv1dt_outpad, "))
        #expect(e.source.contains("nn.ConvTranspose3d("))
    }

    @Test("DepthwiseConv1D and SeparableConv1D: grouped 1-D convolutions, output channel c·m + k from input c")
    func depthwiseSeparable1D() throws {
        let (g, e) = try export("conv_breadth_k3/model.keras")
        let k = try kerasWeight(g, "dw1d_strided", 0)  // (3, 4, 2): k, in, multiplier
        let w = try tensor(e, "dw1d_strided.weight")
        #expect(w.shape == [8, 1, 3])
        let values = floats(w)
        for c in 0..<4 { for m in 0..<2 { for t in 0..<3 {
            #expect(values[(c * 2 + m) * 3 + t] == k.scalars[(t * 4 + c) * 2 + m])
        } } }
        #expect(try tensor(e, "sep1d_same.depthwise.weight").shape == [8, 1, 3])
        #expect(try tensor(e, "sep1d_same.pointwise.weight").shape == [5, 8, 1])
        #expect(e.source.contains("class SeparableConv1d(nn.Module)"))
    }

    @Test("Keras 2's causal SeparableConv1D is padded on the left")
    func causalSeparable() throws {
        let (_, e) = try export("conv_breadth_k2/model.h5")
        #expect(e.source.contains("self.sep1d_causal(F.pad("))
        #expect(e.source.contains(", [4, 0]))"))
    }

    @Test("ConvLSTM2D → KerasConvLSTM2d: input and recurrent kernels (kh, kw, in, 4f) as (4f, in, kh, kw), gates i, f, c, o")
    func convLSTM() throws {
        let (g, e) = try export("conv_lstm_k3/model.keras")
        let k = try kerasWeight(g, "clstm_same_seq", 0)  // (3, 3, 2, 12)
        let r = try kerasWeight(g, "clstm_same_seq", 1)  // (3, 3, 3, 12)
        let w = try tensor(e, "clstm_same_seq.input_conv.weight")
        #expect(w.shape == [12, 2, 3, 3])
        let values = floats(w)
        for o in 0..<12 { for i in 0..<2 { for y in 0..<3 { for x in 0..<3 {
            #expect(values[((o * 2 + i) * 3 + y) * 3 + x] == k.scalars[((y * 3 + x) * 2 + i) * 12 + o])
        } } } }
        #expect(try tensor(e, "clstm_same_seq.recurrent_conv.weight").shape == [12, 3, 3, 3])
        #expect(floats(try tensor(e, "clstm_same_seq.recurrent_conv.weight")).count == r.count)
        #expect(try tensor(e, "clstm_same_seq.input_conv.bias").shape == [12])
        #expect(!e.tensors.contains { $0.name == "clstm_dilated.input_conv.bias" })
        #expect(e.source.contains("class KerasConvLSTM2d(nn.Module)"))
    }

    @Test("IntegerLookup: the config's vocabulary as an int64 buffer; Hashing as FarmHash in Python integers")
    func lookups() throws {
        let (_, e) = try export("lookup_k3/model.keras")
        let v = try tensor(e, "lookup_mask_oov3.vocabulary")
        #expect(v.dtype == .i64 && v.shape == [5])
        #expect(int64s(v) == [12, 7, 30, 4, -3])
        #expect(e.source.contains("KerasIntegerLookup(5, 0, 3, 1, -1, False, \"int\", 9, \"lookup_mask_oov3\")"))
        #expect(e.source.contains("_keras_hashing("))
        #expect(e.source.contains("def _fingerprint64(s):"))
        #expect(e.source.contains("_keras_encode(_keras_hashing("))
    }

    @Test("RNN with one cell takes the layer's name; a StackedRNNCells one module per cell, masked loops behind a mask")
    func rnnCells() throws {
        let (g, e) = try export("rnn_cells_k3/model.keras")
        let rnn = try #require(g.node(named: "rnn_lstm")?.layer as? RNN)
        #expect(try tensor(e, "rnn_lstm.weight_ih_l0").shape == [16, 3])
        #expect(floats(try tensor(e, "rnn_lstm.bias_ih_l0")) == rnn.weights[2].tensor.scalars)
        #expect(e.source.contains("self.rnn_lstm = nn.LSTM(3, 4, bias=True, batch_first=True)"))
        #expect(try tensor(e, "rnn_stacked_cell0.weight_ih_l0").shape == [16, 3])
        #expect(try tensor(e, "rnn_stacked_cell1.weight_ih_l0").shape == [9, 4])
        #expect(try tensor(e, "rnn_stacked_cell2.weight_ih_l0").shape == [2, 3])
        #expect(e.source.contains("self.rnn_stacked_masked_cell0 = KerasRecurrent(\"lstm\""))
        // rnn_stacked_backwards (go_backwards, no mask) needs no flipped mask; a stack behind a mask would.
        #expect(!e.source.contains("# the first cell's outputs are in reversed step order"))
    }

    @Test("Keras masks into attention: combined into one boolean mask for MultiHeadAttention, query/value masks for Attention")
    func attentionMasks() throws {
        for fixture in ["attention_keras_masks_k3/model.keras", "attention_keras_masks_k2/model.h5"] {
            let (_, e) = try export(fixture)
            #expect(e.source.contains("_attention_keras_mask("), "\(fixture)")
            #expect(e.source.contains("# Keras masks into mha_causal_explicit"), "\(fixture)")
            #expect(e.source.contains(", query_mask="), "\(fixture)")
            #expect(e.source.contains(", value_mask="), "\(fixture)")
        }
    }

    @Test("a Keras mask reaching a layer that would apply it and the export does not (Softmax) is still refused by name")
    func maskRefusals() throws {
        let tokens = InputLayer(common: LayerCommon(name: "tok", dtype: "int32"), batchShape: [nil, 4])
        var embedding = Embedding(common: LayerCommon(name: "emb"), inputDim: 5, outputDim: 3, maskZero: true)
        embedding.weights = [Weight(name: "embeddings", tensor: Tensor(shape: [5, 3], repeating: 0.5))]
        let softmax = Softmax(common: LayerCommon(name: "sm"))
        let graph = ModelGraph(
            name: "m", kind: .functional,
            nodes: [LayerNode(layer: tokens, calls: []),
                    LayerNode(layer: embedding, calls: [LayerCall(inputs: [TensorRef(layer: "tok")])]),
                    LayerNode(layer: softmax, calls: [LayerCall(inputs: [TensorRef(layer: "emb")])])],
            inputs: [TensorRef(layer: "tok")], outputs: [TensorRef(layer: "sm")])
        #expect(throws: PyTorchExportError("layer `sm` (Softmax): a Keras mask reaches this layer, which would apply it; the export does not")) {
            try PyTorchExport(graph: graph)
        }
    }

    @Test("LocallyConnected1D (implementation 1) → one nn.Linear: kernel (positions, k·in, filters) placed in each position's window, zero elsewhere")
    func locallyConnected1D() throws {
        let (g, e) = try export("breadth3_local_k2/model.h5")
        let k = try kerasWeight(g, "lc1d_impl1", 0)  // input (8, 3), kernel 3, 4 filters, valid: 6 positions
        #expect(k.shape == [6, 9, 4])
        let w = try tensor(e, "lc1d_impl1.weight")
        #expect(w.shape == [24, 24])
        let values = floats(w)
        for o in 0..<6 { for j in 0..<4 { for i in 0..<8 { for c in 0..<3 {
            let p = i - o
            let expected: Float = (0..<3).contains(p) ? k.scalars[(o * 9 + p * 3 + c) * 4 + j] : 0
            #expect(values[(o * 4 + j) * 24 + i * 3 + c] == expected)
        } } } }
        #expect(e.source.contains("self.lc1d_impl1 = nn.Linear(24, 24, bias=True)"))
    }
}
