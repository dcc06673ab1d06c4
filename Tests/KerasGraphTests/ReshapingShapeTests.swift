import KerasGraph
import Testing

@Suite("Padding, cropping and upsampling shapes")
struct ReshapingShapeTests {
    @Test func zeroPadding() throws {
        // L.ZeroPadding1D() on (None, 5, 3) -> (None, 7, 3)
        #expect(try outputShape(ZeroPadding1D(common: layerCommon("z")), [nil, 5, 3]) == [nil, 7, 3])
        // L.ZeroPadding1D((1, 3)) on (None, None, 3) -> (None, None, 3)
        #expect(try outputShape(ZeroPadding1D(common: layerCommon("z"), padding: [1, 3]), [nil, nil, 3]) == [nil, nil, 3])
        // L.ZeroPadding2D() on (None, 5, 6, 3) -> (None, 7, 8, 3)
        #expect(try outputShape(ZeroPadding2D(common: layerCommon("z")), [nil, 5, 6, 3]) == [nil, 7, 8, 3])
        // L.ZeroPadding2D(((1, 2), (3, 4))) on (None, 5, 6, 3) -> (None, 8, 13, 3)
        let asym = ZeroPadding2D(common: layerCommon("z"), padding: [[1, 2], [3, 4]])
        #expect(try outputShape(asym, [nil, 5, 6, 3]) == [nil, 8, 13, 3])
        // L.ZeroPadding2D((2, 1)) on (None, 5, None, 3) -> (None, 9, None, 3)
        let pair = ZeroPadding2D(common: layerCommon("z"), padding: [[2, 2], [1, 1]])
        #expect(try outputShape(pair, [nil, 5, nil, 3]) == [nil, 9, nil, 3])
        // L.ZeroPadding2D(1, data_format='channels_first') on (None, 3, 8, 6) -> (None, 3, 10, 8)
        let first = ZeroPadding2D(common: layerCommon("z"), dataFormat: .channelsFirst)
        #expect(try outputShape(first, [nil, 3, 8, 6]) == [nil, 3, 10, 8])
    }

    @Test func cropping() throws {
        // L.Cropping1D((1, 2)) on (None, 6, 3) -> (None, 3, 3)
        #expect(try outputShape(Cropping1D(common: layerCommon("c"), cropping: [1, 2]), [nil, 6, 3]) == [nil, 3, 3])
        // L.Cropping2D(((1, 2), (0, 3))) on (None, 6, 7, 3) -> (None, 3, 4, 3)
        let c2 = Cropping2D(common: layerCommon("c"), cropping: [[1, 2], [0, 3]])
        #expect(try outputShape(c2, [nil, 6, 7, 3]) == [nil, 3, 4, 3])
        // L.Cropping2D(1) on (None, None, 7, 3) -> (None, None, 5, 3)
        let one = Cropping2D(common: layerCommon("c"), cropping: [[1, 1], [1, 1]])
        #expect(try outputShape(one, [nil, nil, 7, 3]) == [nil, nil, 5, 3])
        // L.Cropping1D((3, 3)) on (None, 6, 3): Keras raises (nothing left)
        let all = graphErrorText { _ = try outputShape(Cropping1D(common: layerCommon("crop"), cropping: [3, 3]), [nil, 6, 3]) }
        #expect(all?.hasPrefix("layer `crop` (Cropping1D):") == true)
    }

    @Test func upSampling() throws {
        // L.UpSampling1D(3) on (None, 4, 3) -> (None, 12, 3)
        #expect(try outputShape(UpSampling1D(common: layerCommon("u"), size: 3), [nil, 4, 3]) == [nil, 12, 3])
        // L.UpSampling2D((2, 3)) on (None, 4, None, 3) -> (None, 8, None, 3)
        #expect(try outputShape(UpSampling2D(common: layerCommon("u"), size: [2, 3]), [nil, 4, nil, 3]) == [nil, 8, nil, 3])
        // L.UpSampling2D(2, interpolation='bilinear') on (None, 4, 5, 3) -> (None, 8, 10, 3)
        let bilinear = UpSampling2D(common: layerCommon("u"), interpolation: .bilinear)
        #expect(try outputShape(bilinear, [nil, 4, 5, 3]) == [nil, 8, 10, 3])
        let rank = graphErrorText { _ = try outputShape(UpSampling2D(common: layerCommon("up2")), [nil, 4, 3]) }
        #expect(rank?.hasPrefix("layer `up2` (UpSampling2D):") == true)
    }

    @Test func everyInputLayerErrorNamesTheLayer() {
        // Layers taking one input reject two.
        let layers: [any Layer] = [
            Flatten(common: layerCommon("x1")), Dense(common: layerCommon("x1"), units: 2),
            Conv2D(common: layerCommon("x1"), filters: 2, kernelSize: [1, 1]), MaxPooling2D(common: layerCommon("x1")),
            BatchNormalization(common: layerCommon("x1")), UpSampling1D(common: layerCommon("x1")),
        ]
        for layer in layers {
            let text = graphErrorText { _ = try layer.outputShapes(inputShapes: [[nil, 4, 4, 4], [nil, 4, 4, 4]]) }
            #expect(text == "layer `x1` (\(layer.className)): expected 1 input, got 2")
        }
    }
}
