import KerasGraph
import Testing

@Suite("Core layer shapes")
struct CoreLayerShapeTests {
    @Test func identityLayersKeepTheShape() throws {
        // L.Activation('relu') on (None, 4, 5) -> (None, 4, 5)
        let act = ActivationLayer(common: layerCommon("a"), activation: Activation(.relu, spelling: .name("relu")))
        #expect(try outputShape(act, [nil, 4, 5]) == [nil, 4, 5])
        // L.Dropout(0.5) on (None, 3, 4) -> (None, 3, 4)
        #expect(try outputShape(Dropout(common: layerCommon("d"), rate: 0.5), [nil, 3, 4]) == [nil, 3, 4])
        // L.SpatialDropout1D(0.2) on (None, 7, 3) -> (None, 7, 3)
        #expect(try outputShape(SpatialDropout1D(common: layerCommon("s"), rate: 0.2), [nil, 7, 3]) == [nil, 7, 3])
        // L.SpatialDropout2D(0.2) on (None, 5, 5, 3) -> (None, 5, 5, 3)
        #expect(try outputShape(SpatialDropout2D(common: layerCommon("s"), rate: 0.2), [nil, 5, 5, 3]) == [nil, 5, 5, 3])
        // L.GaussianNoise(0.1) on (2, 3) -> (2, 3): a known batch size is kept
        #expect(try outputShape(GaussianNoise(common: layerCommon("g"), stddev: 0.1), [2, 3]) == [2, 3])
        #expect(try outputShape(GaussianDropout(common: layerCommon("g"), rate: 0.1), [nil, 3]) == [nil, 3])
        #expect(try outputShape(AlphaDropout(common: layerCommon("g"), rate: 0.1), [nil, 3]) == [nil, 3])
        #expect(try specs(Dropout(common: layerCommon("d"), rate: 0.5), [nil, 3]).isEmpty)
    }

    @Test func spatialDropoutChecksTheRank() {
        // Keras: SpatialDropout1D has InputSpec(ndim=3)
        let text = graphErrorText { _ = try outputShape(SpatialDropout1D(common: layerCommon("sd"), rate: 0.2), [nil, 3]) }
        #expect(text?.contains("`sd` (SpatialDropout1D)") == true)
    }

    @Test func flatten() throws {
        let f = Flatten(common: layerCommon("flat"))
        // L.Flatten() on (None, 4, 5, 6) -> (None, 120)
        #expect(try outputShape(f, [nil, 4, 5, 6]) == [nil, 120])
        // L.Flatten() on (None, None, 5) -> (None, None)
        #expect(try outputShape(f, [nil, nil, 5]) == [nil, nil])
        // L.Flatten() on (None,) -> (None, 1)
        #expect(try outputShape(f, [nil]) == [nil, 1])
    }

    @Test func reshape() throws {
        // L.Reshape((-1, 2)) on (None, 4, 6) -> (None, 12, 2)
        #expect(try outputShape(Reshape(common: layerCommon("r"), targetShape: [-1, 2]), [nil, 4, 6]) == [nil, 12, 2])
        // L.Reshape((3, -1)) on (None, None, 6) -> (None, 3, None)
        #expect(try outputShape(Reshape(common: layerCommon("r"), targetShape: [3, -1]), [nil, nil, 6]) == [nil, 3, nil])
        // L.Reshape((2, 12)) on (None, 4, 6) -> (None, 2, 12)
        #expect(try outputShape(Reshape(common: layerCommon("r"), targetShape: [2, 12]), [nil, 4, 6]) == [nil, 2, 12])
    }

    @Test func reshapeRejectsWrongSizes() {
        // L.Reshape((5, 5)) and L.Reshape((5, -1)) on (None, 4, 6): "The total size of the tensor must be unchanged"
        let fixed = graphErrorText { _ = try outputShape(Reshape(common: layerCommon("rs"), targetShape: [5, 5]), [nil, 4, 6]) }
        #expect(fixed?.contains("layer `rs` (Reshape)") == true)
        #expect(fixed?.contains("[5, 5]") == true)
        let inferred = graphErrorText { _ = try outputShape(Reshape(common: layerCommon("rs"), targetShape: [5, -1]), [nil, 4, 6]) }
        #expect(inferred?.contains("layer `rs` (Reshape)") == true)
        let twoUnknown = graphErrorText { _ = try outputShape(Reshape(common: layerCommon("rs"), targetShape: [-1, -1]), [nil, 4]) }
        #expect(twoUnknown?.contains("invalid config") == true)
    }

    @Test func permute() throws {
        // L.Permute((2, 1)) on (None, 4, 6) -> (None, 6, 4)
        #expect(try outputShape(Permute(common: layerCommon("p"), dims: [2, 1]), [nil, 4, 6]) == [nil, 6, 4])
        // L.Permute((3, 1, 2)) on (None, 4, None, 6) -> (None, 6, 4, None)
        #expect(try outputShape(Permute(common: layerCommon("p"), dims: [3, 1, 2]), [nil, 4, nil, 6]) == [nil, 6, 4, nil])
        // L.Permute((2, 1)) on (None, 4, 6, 7): "expected ndim=3"
        let text = graphErrorText { _ = try outputShape(Permute(common: layerCommon("perm"), dims: [2, 1]), [nil, 4, 6, 7]) }
        #expect(text?.contains("layer `perm` (Permute)") == true)
        let bad = graphErrorText { _ = try outputShape(Permute(common: layerCommon("perm"), dims: [0, 1]), [nil, 4, 6]) }
        #expect(bad?.contains("permutation") == true)
    }

    @Test func repeatVector() throws {
        // L.RepeatVector(3) on (None, 5) -> (None, 3, 5)
        #expect(try outputShape(RepeatVector(common: layerCommon("rv"), n: 3), [nil, 5]) == [nil, 3, 5])
        // L.RepeatVector(2) on (None, 4, 6): "expected ndim=2"
        let text = graphErrorText { _ = try outputShape(RepeatVector(common: layerCommon("rv"), n: 2), [nil, 4, 6]) }
        #expect(text?.contains("layer `rv` (RepeatVector)") == true)
    }

    @Test func embedding() throws {
        let e = Embedding(common: layerCommon("emb"), inputDim: 10, outputDim: 4)
        // L.Embedding(10, 4) on (None, 7) -> (None, 7, 4), embeddings (10, 4)
        #expect(try outputShape(e, [nil, 7]) == [nil, 7, 4])
        #expect(try specs(e, [nil, 7]) == ["embeddings [10, 4]"])
        // L.Embedding(10, 4) on (None, None, 3) -> (None, None, 3, 4)
        #expect(try outputShape(e, [nil, nil, 3]) == [nil, nil, 3, 4])
    }

    @Test func dense() throws {
        let d = Dense(common: layerCommon("d1"), units: 5)
        // L.Dense(5) on (None, 7) -> (None, 5), kernel (7, 5), bias (5,)
        #expect(try outputShape(d, [nil, 7]) == [nil, 5])
        #expect(try specs(d, [nil, 7]) == ["kernel [7, 5]", "bias [5]"])
        // L.Dense(5) on (None, 3, 7) -> (None, 3, 5)
        #expect(try outputShape(d, [nil, 3, 7]) == [nil, 3, 5])
    }
}
