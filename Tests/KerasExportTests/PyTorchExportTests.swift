import Foundation
import KerasExport
import KerasPort
import Testing
import _TestSupport

/// The generated PyTorch module and its weights, checked structurally: the weight layouts PyTorch expects
/// (documented in torch.nn: Linear.weight (out, in), Conv2d.weight (out, in/groups, kh, kw), PReLU.weight (C,) or
/// (1,), BatchNorm running stats + num_batches_tracked), the activation mappings, and refusals. Numeric agreement
/// with real Keras in real PyTorch is tools/check_pytorch.py's job (PyTorchExportCLITests runs it).
@Suite("PyTorch export")
struct PyTorchExportTests {
    func export(_ fixture: String, channelsFirst: Bool = false) throws -> (ModelGraph, PyTorchExport) {
        let graph = try KerasFile.open(TestFixtures.path("models/\(fixture)")).loadGraph()
        return (graph, try PyTorchExport(graph: graph, options: .init(source: fixture, channelsFirst: channelsFirst)))
    }

    func tensor(_ e: PyTorchExport, _ name: String) throws -> SafetensorsTensor {
        try #require(e.tensors.first { $0.name == name }, "no tensor \(name) in \(e.tensors.map(\.name))")
    }

    func floats(_ t: SafetensorsTensor) -> [Float] {
        stride(from: 0, to: t.data.count, by: 4).map { i in
            Float(bitPattern: UInt32(t.data[i]) | UInt32(t.data[i + 1]) << 8 | UInt32(t.data[i + 2]) << 16 | UInt32(t.data[i + 3]) << 24)
        }
    }

    func kerasWeight(_ g: ModelGraph, _ layer: String, _ index: Int) throws -> Tensor {
        try #require(g.node(named: layer)).layer.weights[index].tensor
    }

    @Test("Dense → nn.Linear with the kernel transposed to (out, in)")
    func dense() throws {
        let (g, e) = try export("example/model.h5")
        let kernel = try kerasWeight(g, "logits", 0)  // (36, 3)
        let w = try tensor(e, "logits.weight")
        #expect(w.shape == [3, 36] && w.dtype == .f32)
        let values = floats(w)
        for o in 0..<3 { for i in 0..<36 { #expect(values[o * 36 + i] == kernel.scalars[i * 3 + o]) } }
        #expect(e.source.contains("self.logits = nn.Linear(36, 3, bias=True)"))
    }

    @Test("Conv2D → nn.Conv2d with the kernel (kh, kw, in, out) as (out, in, kh, kw)")
    func conv2d() throws {
        let (g, e) = try export("example/model.h5")
        let k = try kerasWeight(g, "conv1", 0)  // (3, 3, 3, 4)
        let w = try tensor(e, "conv1.weight")
        #expect(w.shape == [4, 3, 3, 3])
        let values = floats(w)
        for o in 0..<4 { for i in 0..<3 { for y in 0..<3 { for x in 0..<3 {
            #expect(values[((o * 3 + i) * 3 + y) * 3 + x] == k.scalars[((y * 3 + x) * 3 + i) * 4 + o])
        } } } }
    }

    @Test("channel-wise PReLU → nn.PReLU(num_parameters=C) with weight (C,); LeakyReLU's slope always written")
    func activations() throws {
        let (g, e) = try export("example/model.h5")
        #expect(e.source.contains("self.prelu1 = nn.PReLU(num_parameters=4)"))
        #expect(try tensor(e, "prelu1.weight").shape == [4])
        #expect(floats(try tensor(e, "prelu1.weight")) == (try kerasWeight(g, "prelu1", 0)).scalars)
        #expect(e.source.contains("self.lrelu2 = nn.LeakyReLU(negative_slope=0.2)"))
    }

    @Test("LeakyReLU/ReLU forms: explicit slopes; Keras 2's zero slope is relu (0 at -inf); ReLU options as Keras computes them")
    func leakyForms() throws {
        let (_, e) = try export("leaky_relu_k2/model.h5")
        #expect(e.source.contains("self.lrelu_0 = nn.ReLU()"))
        #expect(e.source.contains("self.lrelu_default = nn.LeakyReLU(negative_slope=0.3)"))
        #expect(e.source.contains("self.lrelu_1_7 = nn.LeakyReLU(negative_slope=1.7)"))
        #expect(e.source.contains("self.relu_max6 = nn.ReLU6()"))
        #expect(e.source.contains("self.relu_all = KerasReLU(negative_slope=0.2, max_value=1.0, threshold=0.25)"))
        let (_, k3) = try export("leaky_relu_k3/model.keras")
        #expect(!k3.source.contains("nn.ReLU()"), "Keras 3's LeakyReLU(0) is leaky_relu (NaN at -inf)")
    }

    @Test("PReLU shared_axes without an nn.PReLU form → KerasPReLU (piecewise, alpha in Keras' shape); never max")
    func preluForms() throws {
        let (g, e) = try export("prelu_k3/model.keras")
        for node in g.nodes {
            guard let p = node.layer as? PReLU else { continue }
            let alpha = p.weights[0].tensor
            if alpha.count == 1 {
                #expect(e.source.contains("self.\(p.name) = nn.PReLU(num_parameters=1)"))
                #expect(try tensor(e, "\(p.name).weight").shape == [1])
            } else if alpha.shape.dropLast().allSatisfy({ $0 == 1 }) {
                #expect(e.source.contains("self.\(p.name) = nn.PReLU(num_parameters=\(alpha.shape.last!))"))
            } else {
                #expect(e.source.contains("self.\(p.name) = KerasPReLU("))
                #expect(try tensor(e, "\(p.name).alpha").shape == alpha.shape)
            }
        }
        #expect(e.source.contains("torch.where(x > 0, x, self.alpha * x)"))
        #expect(!e.source.contains("torch.max"))  // neither torch.max nor torch.maximum
    }

    @Test("'same' padding with stride 2 is padded explicitly, the odd pixel after (TensorFlow's rule)")
    func samePadding() throws {
        let (_, e) = try export("conv2d_k3/model.keras")
        #expect(e.source.contains("self.c_same_s2 = nn.Conv2d(4, 3, (3, 3), stride=(2, 2), padding=(0, 0)"))
        #expect(e.source.contains("self.c_same_s2(_pad_same(x1, (3, 3), (2, 2), (1, 1)))"))
        #expect(e.source.contains("total // 2, total - total // 2"))
        #expect(!e.source.contains("padding=\"same\""))
    }

    @Test("BatchNormalization → running stats, num_batches_tracked (I64 scalar), Keras' epsilon")
    func batchNorm() throws {
        let (g, e) = try export("batchnorm_k3/model.keras")
        let bn = try #require(g.nodes.compactMap { $0.layer as? BatchNormalization }.first { $0.scale && $0.center })
        let n = try tensor(e, "\(bn.name).num_batches_tracked")
        #expect(n.dtype == .i64 && n.shape == [] && n.data == [UInt8](repeating: 0, count: 8))
        #expect(floats(try tensor(e, "\(bn.name).running_var")) == bn.weights[3].tensor.scalars)
        #expect(e.source.contains("eps=\(bn.epsilon)"))
    }

    @Test("nested models are submodules: their weights' keys carry the attribute path")
    func nested() throws {
        let (_, e) = try export("nested_seq_in_func_k3/model.keras")
        #expect(e.source.contains("class Nested_inner(nn.Module):"))
        #expect(e.tensors.contains { $0.name.hasPrefix("inner.") })
    }

    @Test("--channels-first: rank-4 inputs and outputs are taken and returned NCHW (no boundary permute)")
    func channelsFirst() throws {
        let (_, e) = try export("srresnet_k3/model.keras", channelsFirst: true)
        #expect(!e.source.contains(".permute("))
        let (_, e2) = try export("srresnet_k3/model.keras")
        #expect(e2.source.components(separatedBy: ".permute(").count - 1 == 2)
    }

    @Test("Keras names become Python identifiers that clash with nothing: inputs named like locals or keywords")
    func names() throws {
        let dense = Dense(common: LayerCommon(name: "forward"), units: 2,
                          weights: [Weight(name: "kernel", tensor: Tensor(shape: [3, 2], repeating: 0.5)),
                                    Weight(name: "bias", tensor: Tensor(shape: [2], repeating: 0))])
        let graph = ModelGraph(
            name: "m", kind: .functional,
            nodes: [LayerNode(layer: InputLayer(common: LayerCommon(name: "x1"), batchShape: [nil, 3]), calls: []),
                    LayerNode(layer: InputLayer(common: LayerCommon(name: "lambda"), batchShape: [nil, 3]), calls: []),
                    LayerNode(layer: Add(common: LayerCommon(name: "add/1")), calls: [LayerCall(inputs: [TensorRef(layer: "x1"), TensorRef(layer: "lambda")])]),
                    LayerNode(layer: dense, calls: [LayerCall(inputs: [TensorRef(layer: "add/1")])])],
            inputs: [TensorRef(layer: "x1"), TensorRef(layer: "lambda")], outputs: [TensorRef(layer: "forward")])
        let e = try PyTorchExport(graph: graph)
        #expect(e.source.contains("def forward(self, x1, lambda_):"))
        #expect(e.source.contains("x2 = x1 + lambda_  # add/1 (Add)"))
        #expect(e.source.contains("self.forward_ = nn.Linear(3, 2, bias=True)"))
        #expect(e.tensors.map(\.name) == ["forward_.weight", "forward_.bias"])
    }

    struct Fancy: WeightlessLayer {
        var className: String { "FancyLayer" }
        var common: LayerCommon
        func outputShapes(inputShapes: [Shape]) throws -> [Shape] { inputShapes }
    }

    @Test("a layer without a PyTorch mapping is refused with an error naming it")
    func refusal() throws {
        let graph = ModelGraph(
            name: "m", kind: .functional,
            nodes: [LayerNode(layer: InputLayer(common: LayerCommon(name: "in"), batchShape: [nil, 3]), calls: []),
                    LayerNode(layer: Fancy(common: LayerCommon(name: "odd")), calls: [LayerCall(inputs: [TensorRef(layer: "in")])])],
            inputs: [TensorRef(layer: "in")], outputs: [TensorRef(layer: "odd")])
        #expect(throws: PyTorchExportError("layer `odd` (FancyLayer): no PyTorch mapping for this layer class yet")) {
            try PyTorchExport(graph: graph)
        }
    }
}

/// The layer families mapped in the second round, checked structurally (numbers: tools/check_pytorch.py, run by
/// PyTorchExportCLITests).
@Suite("PyTorch export: recurrent, attention, ops, preprocessing")
struct PyTorchExportFamilyTests {
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

    @Test("GRU weights in PyTorch's layout and gate order: Keras z, r, h columns become r, z, n rows")
    func gruGateOrder() throws {
        let (g, e) = try export("rnn_text_k3/model.keras")
        let gru = try #require(g.node(named: "gru")?.layer as? GRU)
        let kernel = gru.weights[0].tensor  // (in, 3u), columns z, r, h
        let (inputs, u) = (kernel.shape[0], gru.options.units)
        let w = try tensor(e, "gru.weight_ih_l0")
        #expect(w.shape == [3 * u, inputs])
        let values = floats(w)
        let kerasBlock = [1, 0, 2]  // PyTorch block b comes from Keras block kerasBlock[b]
        for b in 0..<3 { for j in 0..<u { for i in 0..<inputs {
            #expect(values[(b * u + j) * inputs + i] == kernel.scalars[i * 3 * u + kerasBlock[b] * u + j])
        } } }
        #expect(try tensor(e, "gru.bias_hh_l0").shape == [3 * u])
    }

    @Test("LSTM keeps Keras' gate order (i, f, c, o = i, f, g, o); its single bias goes to bias_ih, bias_hh is zero")
    func lstmBias() throws {
        let (g, e) = try export("rnn_text_k3/model.keras")
        let lstm = try #require(g.node(named: "lstm_back")?.layer as? LSTM)
        #expect(floats(try tensor(e, "lstm_back.bias_ih_l0")) == lstm.weights[2].tensor.scalars)
        #expect(floats(try tensor(e, "lstm_back.bias_hh_l0")).allSatisfy { $0 == 0 })
    }

    @Test("a Keras mask (Embedding(mask_zero=True)) is carried to the recurrent layers, which run the masked loop")
    func masks() throws {
        let (_, e) = try export("rnn_text_k3/model.keras")
        #expect(e.source.contains("!= 0  # mask of emb"))
        #expect(e.source.contains("self.bi_lstm_forward = KerasRecurrent(\"lstm\""))
        #expect(e.source.contains("class KerasRecurrent(nn.Module)"))
    }

    @Test("depth_to_space keeps TensorFlow's DCR channel order (not PixelShuffle's CRD)")
    func depthToSpace() throws {
        let (_, e) = try export("espcn_k3/model.keras")
        #expect(e.source.contains("_depth_to_space("))
        #expect(e.source.contains("x.reshape(n, b, b, c // (b * b), h, w).permute(0, 3, 4, 1, 5, 2)"))
        #expect(!e.source.contains("PixelShuffle("))
    }

    @Test("MultiHeadAttention: state_dict keys keep Keras' projection names and kernel shapes")
    func attentionKeys() throws {
        let (g, e) = try export("mha_k3/model.keras")
        let mha = try #require(g.nodes.first { $0.layer is MultiHeadAttention }?.layer as? MultiHeadAttention)
        let q = try tensor(e, "\(mha.name).query.kernel")
        #expect(q.shape == mha.weights[0].tensor.shape)
        #expect(floats(q) == mha.weights[0].tensor.scalars)
        _ = try tensor(e, "\(mha.name).attention_output.kernel")
    }

    @Test("LayerNormalization over non-trailing axes moves them to the end and back; negative-step slices select indices")
    func movedAxesAndSlices() throws {
        let (_, norms) = try export("norms_k3/model.keras")
        #expect(norms.source.contains(".movedim((1, 2), (2, 3))).movedim((2, 3), (1, 2))"))
        let (_, ops) = try export("ops_k3/model.keras")
        #expect(ops.source.contains("index_select("))
        #expect(ops.source.contains("slice(None, None, -2)"))
    }

    @Test("an option without an exported form is refused naming the layer and the option")
    func refusals() throws {
        let input = InputLayer(common: LayerCommon(name: "img"), batchShape: [nil, 8, 8, 3])
        func graph(_ layer: any Layer) -> ModelGraph {
            ModelGraph(name: "m", kind: .functional,
                       nodes: [LayerNode(layer: input, calls: []),
                               LayerNode(layer: layer, calls: [LayerCall(inputs: [TensorRef(layer: "img")])])],
                       inputs: [TensorRef(layer: "img")], outputs: [TensorRef(layer: layer.name)])
        }
        #expect(throws: PyTorchExportError("layer `resize` (Resizing): interpolation `bicubic` has no exported form (bilinear and nearest do)")) {
            try PyTorchExport(graph: graph(Resizing(common: LayerCommon(name: "resize"), height: 4, width: 4, interpolation: .bicubic)))
        }
        #expect(throws: PyTorchExportError("layer `resize_aa` (Resizing): `antialias=True` has no exported form")) {
            try PyTorchExport(graph: graph(Resizing(common: LayerCommon(name: "resize_aa"), height: 4, width: 4, antialias: true)))
        }
        let discretize = Discretization(common: LayerCommon(name: "buckets"), binBoundaries: nil)
        #expect(throws: PyTorchExportError("layer `buckets` (Discretization): `bin_boundaries` is null (the layer was never adapted)")) {
            try PyTorchExport(graph: graph(discretize))
        }
    }
}
