import KerasGraph
import Testing

@Suite("Pooling and normalization layer shapes")
struct PoolingAndNormalizationShapeTests {
    @Test func pooling1D() throws {
        // L.MaxPooling1D() on (None, 9, 3) -> (None, 4, 3)
        #expect(try outputShape(MaxPooling1D(common: layerCommon("p")), [nil, 9, 3]) == [nil, 4, 3])
        // L.MaxPooling1D(3, strides=1, padding='same') on (None, 9, 3) -> (None, 9, 3)
        let same = MaxPooling1D(common: layerCommon("p"), poolSize: [3], strides: [1], padding: .same)
        #expect(try outputShape(same, [nil, 9, 3]) == [nil, 9, 3])
        // L.AveragePooling1D(3, strides=2) on (None, 10, 3) -> (None, 4, 3)
        let avg = AveragePooling1D(common: layerCommon("p"), poolSize: [3], strides: [2])
        #expect(try outputShape(avg, [nil, 10, 3]) == [nil, 4, 3])
    }

    @Test func pooling2D() throws {
        // L.MaxPooling2D() on (None, 9, 7, 3) -> (None, 4, 3, 3)
        #expect(try outputShape(MaxPooling2D(common: layerCommon("p")), [nil, 9, 7, 3]) == [nil, 4, 3, 3])
        // L.MaxPooling2D(3, strides=2, padding='same') on (None, 9, None, 3) -> (None, 5, None, 3)
        let same = MaxPooling2D(common: layerCommon("p"), poolSize: [3, 3], strides: [2, 2], padding: .same)
        #expect(try outputShape(same, [nil, 9, nil, 3]) == [nil, 5, nil, 3])
        // L.AveragePooling2D((2, 3)) on (None, 8, 8, 3) -> (None, 4, 2, 3)   (strides default to pool_size)
        #expect(try outputShape(AveragePooling2D(common: layerCommon("p"), poolSize: [2, 3]), [nil, 8, 8, 3]) == [nil, 4, 2, 3])
        // L.MaxPooling2D(data_format='channels_first') on (None, 3, 8, 6) -> (None, 3, 4, 3)
        let first = MaxPooling2D(common: layerCommon("p"), dataFormat: .channelsFirst)
        #expect(try outputShape(first, [nil, 3, 8, 6]) == [nil, 3, 4, 3])
        // L.MaxPooling2D(3) on (None, 2, 8, 3): "Computed output size would be zero or negative"
        let tooSmall = graphErrorText { _ = try outputShape(MaxPooling2D(common: layerCommon("pool3"), poolSize: [3, 3]), [nil, 2, 8, 3]) }
        #expect(tooSmall?.hasPrefix("layer `pool3` (MaxPooling2D):") == true)
    }

    @Test func globalPooling() throws {
        // L.GlobalAveragePooling1D() on (None, 9, 3) -> (None, 3)
        #expect(try outputShape(GlobalAveragePooling1D(common: layerCommon("g")), [nil, 9, 3]) == [nil, 3])
        // L.GlobalMaxPooling1D(keepdims=True) on (None, 9, 3) -> (None, 1, 3)
        #expect(try outputShape(GlobalMaxPooling1D(common: layerCommon("g"), keepDims: true), [nil, 9, 3]) == [nil, 1, 3])
        // L.GlobalAveragePooling2D() on (None, 8, 8, 3) -> (None, 3)
        #expect(try outputShape(GlobalAveragePooling2D(common: layerCommon("g")), [nil, 8, 8, 3]) == [nil, 3])
        // L.GlobalMaxPooling2D(keepdims=True) on (None, None, 8, 3) -> (None, 1, 1, 3)
        #expect(try outputShape(GlobalMaxPooling2D(common: layerCommon("g"), keepDims: true), [nil, nil, 8, 3]) == [nil, 1, 1, 3])
    }

    @Test func batchNormalizationWeightLists() throws {
        // L.BatchNormalization() on (None, 4, 4, 5): gamma, beta, moving_mean, moving_variance, each (5,)
        let bn = BatchNormalization(common: layerCommon("bn"))
        #expect(try outputShape(bn, [nil, 4, 4, 5]) == [nil, 4, 4, 5])
        #expect(try specs(bn, [nil, 4, 4, 5]) == ["gamma [5]", "beta [5]", "moving_mean [5]", "moving_variance [5]"])
        // L.BatchNormalization(center=False): gamma, moving_mean, moving_variance
        let noCenter = BatchNormalization(common: layerCommon("bn"), center: false)
        #expect(try specs(noCenter, [nil, 4, 4, 5]) == ["gamma [5]", "moving_mean [5]", "moving_variance [5]"])
        // L.BatchNormalization(scale=False) on (None, 6): beta, moving_mean, moving_variance
        let noScale = BatchNormalization(common: layerCommon("bn"), scale: false)
        #expect(try specs(noScale, [nil, 6]) == ["beta [6]", "moving_mean [6]", "moving_variance [6]"])
        // L.BatchNormalization(axis=1) on (None, 4, 5, 6): each (4,)
        let axis1 = BatchNormalization(common: layerCommon("bn"), axis: [1])
        #expect(try specs(axis1, [nil, 4, 5, 6]) == ["gamma [4]", "beta [4]", "moving_mean [4]", "moving_variance [4]"])
        // tf_keras BatchNormalization(axis=[1, 3]) built on (None, 4, 5, 6): each (1, 4, 1, 6)
        let multi = BatchNormalization(common: layerCommon("bn"), axis: [1, 3])
        #expect(try specs(multi, [nil, 4, 5, 6]).first == "gamma [1, 4, 1, 6]")
        // tf_keras BatchNormalization(axis=[3]) built on (None, 4, 5, 6): each (6,)
        #expect(try specs(BatchNormalization(common: layerCommon("bn"), axis: [3]), [nil, 4, 5, 6]).first == "gamma [6]")
    }

    @Test func batchNormalizationErrors() {
        let outOfRange = graphErrorText { _ = try specs(BatchNormalization(common: layerCommon("bn4"), axis: [3]), [nil, 6]) }
        #expect(outOfRange?.contains("layer `bn4` (BatchNormalization)") == true)
        let unknown = graphErrorText { _ = try specs(BatchNormalization(common: layerCommon("bn4")), [nil, 4, nil]) }
        #expect(unknown?.contains("known size") == true)
    }

    @Test func layerNormalization() throws {
        // L.LayerNormalization() on (None, 4, 5): gamma (5,), beta (5,)
        let ln = LayerNormalization(common: layerCommon("ln"))
        #expect(try outputShape(ln, [nil, 4, 5]) == [nil, 4, 5])
        #expect(try specs(ln, [nil, 4, 5]) == ["gamma [5]", "beta [5]"])
        // L.LayerNormalization(axis=[1, 2]) on (None, 4, 5, 6): gamma (4, 5), beta (4, 5)
        #expect(try specs(LayerNormalization(common: layerCommon("ln"), axis: [1, 2]), [nil, 4, 5, 6]) == ["gamma [4, 5]", "beta [4, 5]"])
        // L.LayerNormalization(center=False) on (None, 4, 5): gamma (5,)
        #expect(try specs(LayerNormalization(common: layerCommon("ln"), center: false), [nil, 4, 5]) == ["gamma [5]"])
        // Keras 3 rms_scaling: gamma only (build adds beta only when center and not rms_scaling)
        #expect(try specs(LayerNormalization(common: layerCommon("ln"), rmsScaling: true), [nil, 4, 5]) == ["gamma [5]"])
    }
}
