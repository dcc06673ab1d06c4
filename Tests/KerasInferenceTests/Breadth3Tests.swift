import KerasGraph
import KerasInference
import Testing
import TensorModule
import _TestSupport

// Numeric parity of these layers is checked on the breadth3_* fixtures (ParityTests, made by real Keras with
// tools/fixtures_breadth3.py); these tests check what is refused and the per-call behaviour.

private func common(_ name: String) -> LayerCommon { LayerCommon(name: name) }

@Suite("Third breadth round: refusals and per-call layers")
struct Breadth3Tests {
    @Test("RMSNormalization over a non-trailing axis is refused naming the layer (Keras broadcasts scale from the right)")
    func rmsNonTrailingAxis() throws {
        let layer = RMSNormalization(common: common("rms"), axis: [1])
        let scale = Weight(name: "scale", tensor: Tensor(shape: [4], scalars: [1, 1, 1, 1]))
        var l = layer
        l.weights = [scale]
        #expect(try l.weightSpecs(inputShapes: [[nil, 4, 3]]) == [WeightSpec(name: "scale", shape: [4])])
        let error = #expect(throws: InferenceError.self) { try l.compile(inputShapes: [[nil, 4, 3]]) }
        #expect(error?.description.contains("`rms`") == true)
        #expect(error?.description.contains("last axes") == true)
    }

    @Test("LocallyConnected: same padding needs implementation 2 or 3; weight layouts per implementation")
    func locallyConnectedLayouts() throws {
        let same1 = LocallyConnected(common: common("lc"), filters: 2, kernelSize: [3], padding: .same, implementation: 1)
        #expect(throws: GraphError.self) { try same1.outputShapes(inputShapes: [[nil, 8, 3]]) }
        // tf_keras 2.21: LocallyConnected1D(2, 3, strides=2, implementation=k) on (8, 3) → 3 outputs.
        let impl1 = LocallyConnected(common: common("a"), filters: 2, kernelSize: [3], strides: [2], implementation: 1)
        #expect(try impl1.weightSpecs(inputShapes: [[nil, 8, 3]]).map(\.shape) == [[3, 9, 2], [3, 2]])
        let impl2 = LocallyConnected(common: common("b"), filters: 2, kernelSize: [3], strides: [2], implementation: 2)
        #expect(try impl2.weightSpecs(inputShapes: [[nil, 8, 3]]).map(\.shape) == [[8, 3, 3, 2], [3, 2]])
        // same padding, kernel 3: windows [0,2), [0,3), … [6,8) → 2 + 3·6 + 2 = 22 positions · 3 · 2.
        let impl3 = LocallyConnected(common: common("c"), filters: 2, kernelSize: [3], padding: .same, implementation: 3)
        #expect(try impl3.weightSpecs(inputShapes: [[nil, 8, 3]]).map(\.shape) == [[22 * 3 * 2], [8, 2]])
    }

    @Test("ReversibleEmbedding: each call runs in its own direction")
    func reversibleEmbeddingCalls() throws {
        let table = Tensor(shape: [3, 2], scalars: [1, 2, 3, 4, 5, 6])
        let layer = ReversibleEmbedding(embedding: Embedding(common: common("emb"), inputDim: 3, outputDim: 2),
                                        callModes: [false, true], weights: [Weight(name: "embeddings", tensor: table)])
        let forward = try #require(layer.forCall(0) as? ReversibleEmbedding)
        let reverse = try #require(layer.forCall(1) as? ReversibleEmbedding)
        #expect(try forward.outputShapes(inputShapes: [[nil, 4]]) == [[nil, 4, 2]])
        #expect(try reverse.outputShapes(inputShapes: [[nil, 4, 2]]) == [[nil, 4, 3]])
        let y = try reverse.compile(inputShapes: [[1, 2]]).run([Tensor(shape: [1, 2], scalars: [1, -1])])
        // x · tableᵀ = [1−2, 3−4, 5−6]
        #expect(y[0].scalars == [-1, -1, -1])
        var masked = layer
        masked.embedding.maskZero = true
        #expect(throws: InferenceError.self) { try masked.compile(inputShapes: [[nil, 4]]) }
    }
}
