import Foundation
import KerasPort
import Testing
import TensorModule
import _TestSupport

/// A compiled model holds each kernel the direct GEMM kernel runs only in its packed layout (one copy of the
/// weights, not two); its `graph` rebuilds those kernels from the packing. The rebuilt graph must equal the loaded
/// one bit for bit, and predictions must not change.
@Suite("Compiled models hold packed kernels once")
struct PackedWeightsTests {
    /// Whether this machine packs kernels at all (AVX2 + FMA, `KERASPORT_KERNELS` not `blas`).
    static let packs = Ops.PackedKernel.pack(Tensor(shape: [2, 16], repeating: 1)) != nil

    @Test("graph rebuilds the packed kernels bit for bit; structure leaves them out", .enabled(
        if: FileManager.default.fileExists(atPath: TestFixtures.path("models/srresnet_k3/model.keras")),
        "fixture srresnet_k3 missing"))
    func graphRebuilt() throws {
        // Left out of `structure`: exactly the Conv2D kernels (weight 0), when this machine packs them.
        try checkRebuilt(fixture: "srresnet_k3") { loaded in
            loaded.nodes.filter { $0.layer.className == "Conv2D" }.map { "\($0.name)/0" }
        }
    }

    @Test("SeparableConv2D holds its pointwise kernel once; graph rebuilds it bit for bit", .enabled(
        if: FileManager.default.fileExists(atPath: TestFixtures.path("models/conv2d_k3/model.keras")),
        "fixture conv2d_k3 missing"))
    func separableRebuilt() throws {
        // conv2d_k3 has three SeparableConv2D layers (pointwise kernel = weight 1), Conv2D layers with groups 1
        // (packed) and groups > 1 (kept as values), DepthwiseConv2D and Conv2DTranspose (kept as values).
        try checkRebuilt(fixture: "conv2d_k3") { loaded in
            let separable = loaded.nodes.filter { $0.layer.className == "SeparableConv2D" }.map { "\($0.name)/1" }
            #expect(separable.count == 3)
            let convs = loaded.nodes.filter { ($0.layer as? Conv2D)?.groups == 1 }.map { "\($0.name)/0" }
            return separable + convs
        }
    }

    @Test("a layer called twice keeps its kernel until the whole model is compiled; graph rebuilds it", .enabled(
        if: FileManager.default.fileExists(atPath: TestFixtures.path("models/multi_io_k3/model.keras")),
        "fixture multi_io_k3 missing"))
    func sharedLayerRebuilt() throws {
        // multi_io_k3 calls its Dense `shared` twice: compiling drops a kernel from the graph as soon as its layer
        // is compiled only for layers called once, so the second call still finds the kernel.
        let c = try #require(ParityCase.all().first { $0.fixture == "multi_io_k3" })
        let graph = try KerasFile.open(c.url(c.file).path).loadGraph()
        #expect(graph.nodes.contains { $0.name == "shared" && $0.calls.count == 2 })
        // Every Dense and Conv2D kernel, the shared one included.
        var names: [String] = []
        for node in graph.nodes where node.layer.className == "Dense" || node.layer.className == "Conv2D" {
            names.append("\(node.name)/0")
        }
        #expect(names.count == 5)
        try checkRebuilt(fixture: "multi_io_k3") { _ in names }
    }

    /// Compiles fixture `fixture` and checks that the model's `graph` equals the loaded graph bit for bit, that
    /// `structure` leaves out exactly the weights `packedWeights(loaded)` names (`layer/index`; none when this
    /// machine does not pack), and that predictions match Keras and a model compiled from the rebuilt graph.
    private func checkRebuilt(fixture: String, packedWeights: (ModelGraph) -> [String]) throws {
        let c = try #require(ParityCase.all().first { $0.fixture == fixture })
        let loaded = try KerasFile.open(c.url(c.file).path).loadGraph()
        let model = try CompiledModel(loaded)
        let rebuilt = model.graph
        try #require(rebuilt.nodes.count == loaded.nodes.count)
        for (a, b) in zip(loaded.nodes, rebuilt.nodes) {
            #expect(a.name == b.name)
            try #require(a.layer.weights.count == b.layer.weights.count, "layer \(a.name)")
            for (wa, wb) in zip(a.layer.weights, b.layer.weights) {
                #expect(wa.name == wb.name && wa.storageType == wb.storageType)
                #expect(wa.tensor.shape == wb.tensor.shape
                        && wa.tensor.scalars.map(\.bitPattern) == wb.tensor.scalars.map(\.bitPattern),
                        "layer \(a.name) weight \(wa.name) differs after rebuilding")
            }
        }
        var leftOut: [String] = []
        for (n, node) in model.structure.nodes.enumerated() {
            for (i, w) in node.layer.weights.enumerated() where w.tensor.shape == [0] {
                leftOut.append("\(node.name)/\(i)")
                #expect(model.weightShape(node: n, weight: i) == loaded.nodes[n].layer.weights[i].tensor.shape)
            }
        }
        let expected = packedWeights(loaded)
        #expect(!expected.isEmpty)
        #expect(leftOut.sorted() == (Self.packs ? expected.sorted() : []), "left out: \(leftOut)")
        // The same predictions as a model compiled from a graph whose values another copy keeps alive.
        let inputs = try c.inputs.map { try readNPY(contentsOf: c.url($0)) }
        let again = try CompiledModel(rebuilt)
        let (y1, y2) = (try model.predict(inputs), try again.predict(inputs))
        for (a, b) in zip(y1, y2) { #expect(bitwiseEqual(a, b), "\(firstBitwiseDifference(a, b))") }
        for (i, name) in c.outputs.enumerated() {
            let close = closeness(y1[i], try readNPY(contentsOf: c.url(name)), rtol: c.rtol, atol: c.atol)
            #expect(close.ok, "output \(i): \(close)")
        }
    }
}
