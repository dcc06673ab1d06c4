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
        let c = try #require(ParityCase.all().first { $0.fixture == "srresnet_k3" })
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
        // Left out of `structure`: exactly the Conv2D kernels (weight 0), when this machine packs them.
        var leftOut: [String] = []
        for node in model.structure.nodes {
            for (i, w) in node.layer.weights.enumerated() where w.tensor.shape == [0] {
                leftOut.append("\(node.name)/\(i)")
            }
        }
        let convs = loaded.nodes.filter { $0.layer.className == "Conv2D" }.map { "\($0.name)/0" }
        #expect(leftOut.sorted() == (Self.packs ? convs.sorted() : []), "left out: \(leftOut)")
        for node in model.structure.nodes.filter({ $0.layer.className == "Conv2D" }) {
            let n = try #require(model.structure.nodes.firstIndex { $0.name == node.name })
            #expect(model.weightShape(node: n, weight: 0) == loaded.nodes[n].layer.weights[0].tensor.shape)
        }
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
