import Foundation
import KerasPort
import Testing
import _TestSupport

/// Layer names with `/` (tf_keras' DenseNet `conv1/conv`), which Keras 3 refuses, are renamed when writing.
@Suite("Writers: layer names with `/` renamed")
struct LayerRenameTests {
    /// The writer tests' small model with `d1` → `block/d1`, `lr` → `block/lr`, and `pr` → `block_lr` (the name the
    /// second rename would take, so it must move on to `block_lr_1`).
    static func slashModel() -> ModelGraph {
        var g = WriterLayoutTests.smallModel()
        let names = ["d1": "block/d1", "lr": "block/lr", "pr": "block_lr"]
        for n in g.nodes.indices {
            if let new = names[g.nodes[n].name] { g.nodes[n].layer.name = new }
            for c in g.nodes[n].calls.indices {
                for i in g.nodes[n].calls[c].inputs.indices {
                    if let new = names[g.nodes[n].calls[c].inputs[i].layer] { g.nodes[n].calls[c].inputs[i].layer = new }
                }
            }
        }
        return g
    }

    @Test("`/` → `_`, de-duplicated against every name, references and weights follow")
    func renamesGraph() throws {
        let g = Self.slashModel()
        #expect(g.hasSlashInNames)
        let (renamed, renames) = g.renamingSlashes()
        #expect(renames == [ModelGraph.LayerRename(model: "small", from: "block/d1", to: "block_d1"),
                            ModelGraph.LayerRename(model: "small", from: "block/lr", to: "block_lr_1")])
        #expect(renamed.nodes.map(\.name) == ["x", "block_d1", "block_lr_1", "block_lr", "d2"])
        #expect(!renamed.hasSlashInNames)
        #expect(renamed.nodes[2].calls[0].inputs[0].layer == "block_d1")
        #expect(renamed.nodes[3].calls[0].inputs[0].layer == "block_lr_1")
        #expect(renamed.nodes[1].layer.weights == g.nodes[1].layer.weights)
        // Deterministic, and a model without `/` is returned as it is.
        #expect(g.renamingSlashes().renames == renames)
        #expect(WriterLayoutTests.smallModel().renamingSlashes().renames.isEmpty)
    }

    @Test("nested models: inner names renamed too, the nested model's own name with its graph")
    func renamesNested() throws {
        let inner = Self.slashModel()
        var innerNamed = inner
        innerNamed.name = "back/bone"
        let input = InputLayer(common: LayerCommon(name: "in/put"), batchShape: [nil, 3])
        let nested = NestedModel(graph: innerNamed)
        let outer = ModelGraph(name: "outer", kind: .functional,
                               nodes: [LayerNode(layer: input, calls: []),
                                       LayerNode(layer: nested, calls: [LayerCall(inputs: [TensorRef(layer: "in/put")])])],
                               inputs: [TensorRef(layer: "in/put")], outputs: [TensorRef(layer: "back/bone")])
        let (renamed, renames) = outer.renamingSlashes()
        #expect(renames.map(\.description) == [
            "`outer`: layer `in/put` → `in_put`", "`outer`: layer `back/bone` → `back_bone`",
            "`outer/back_bone`: layer `block/d1` → `block_d1`", "`outer/back_bone`: layer `block/lr` → `block_lr_1`",
        ])
        #expect(renamed.inputs == [TensorRef(layer: "in_put")] && renamed.outputs == [TensorRef(layer: "back_bone")])
        let n = try #require(renamed.nodes[1].layer as? NestedModel)
        #expect(n.name == "back_bone" && n.graph.name == "back_bone")
        #expect(n.graph.nodes.map(\.name) == ["x", "block_d1", "block_lr_1", "block_lr", "d2"])
        #expect(!renamed.hasSlashInNames)
    }

    @Test("every format: written with the new names, weights attached, same predictions", arguments: KerasWriteFormat.allCases)
    func writesRenamed(_ format: KerasWriteFormat) throws {
        let folder = try TestFixtures.temporaryDirectory("rename")
        defer { try? FileManager.default.removeItem(at: folder) }
        let g = Self.slashModel()
        let path = folder.appendingPathComponent(format == .keras ? "m.keras" : format == .weightsH5 ? "m.weights.h5" : "m.h5").path
        let json = format == .weightsH5 ? folder.appendingPathComponent("m.json").path : nil
        let renames = try KerasFileWriter.write(g, to: path, format: format, architectureJSONPath: json)
        #expect(renames.map(\.to) == ["block_d1", "block_lr_1"])
        let back = try KerasFile.open(path, architecture: json).loadGraph()
        #expect(back.nodes.map(\.name) == ["x", "block_d1", "block_lr_1", "block_lr", "d2"])
        #expect(back.node(named: "block_d1")?.layer.weights.map(\.tensor) == g.nodes[1].layer.weights.map(\.tensor))
        #expect(back.node(named: "block_lr")?.layer.weights.map(\.tensor) == g.nodes[3].layer.weights.map(\.tensor))
        let x = Tensor(shape: [2, 3], scalars: [1, -2, 0.5, -0.25, 3, -1])
        let ours = try CompiledModel(back).predict([x])
        let original = try CompiledModel(g).predict([x])
        #expect(ours.map(\.scalars) == original.map(\.scalars))
    }
}
