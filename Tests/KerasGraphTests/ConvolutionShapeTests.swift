import KerasGraph
import Testing

@Suite("Convolution layer shapes and weight specs")
struct ConvolutionShapeTests {
    @Test func conv1D() throws {
        // L.Conv1D(4, 3) on (None, 10, 3) -> (None, 8, 4), kernel (3, 3, 4), bias (4,)
        let plain = Conv1D(common: layerCommon("c"), filters: 4, kernelSize: [3])
        #expect(try outputShape(plain, [nil, 10, 3]) == [nil, 8, 4])
        #expect(try specs(plain, [nil, 10, 3]) == ["kernel [3, 3, 4]", "bias [4]"])
        // L.Conv1D(4, 3, strides=2, padding='same') on (None, 10, 3) -> (None, 5, 4)
        let same = Conv1D(common: layerCommon("c"), filters: 4, kernelSize: [3], strides: [2], padding: .same)
        #expect(try outputShape(same, [nil, 10, 3]) == [nil, 5, 4])
        // L.Conv1D(4, 3, padding='causal', dilation_rate=2) on (None, 10, 3) -> (None, 10, 4)
        let causal = Conv1D(common: layerCommon("c"), filters: 4, kernelSize: [3], padding: .causal, dilationRate: [2])
        #expect(try outputShape(causal, [nil, 10, 3]) == [nil, 10, 4])
        // L.Conv1D(6, 3, groups=3, use_bias=False) on (None, None, 3) -> (None, None, 6), kernel (3, 1, 6)
        let grouped = Conv1D(common: layerCommon("c"), filters: 6, kernelSize: [3], groups: 3, useBias: false)
        #expect(try outputShape(grouped, [nil, nil, 3]) == [nil, nil, 6])
        #expect(try specs(grouped, [nil, nil, 3]) == ["kernel [3, 1, 6]"])
    }

    @Test func conv2D() throws {
        // L.Conv2D(4, (3, 2)) on (None, 8, 8, 3) -> (None, 6, 7, 4), kernel (3, 2, 3, 4), bias (4,)
        let rect = Conv2D(common: layerCommon("conv"), filters: 4, kernelSize: [3, 2])
        #expect(try outputShape(rect, [nil, 8, 8, 3]) == [nil, 6, 7, 4])
        #expect(try specs(rect, [nil, 8, 8, 3]) == ["kernel [3, 2, 3, 4]", "bias [4]"])
        // L.Conv2D(6, 3, groups=3) on (None, 8, 8, 3) -> (None, 6, 6, 6), kernel (3, 3, 1, 6), bias (6,)
        let grouped = Conv2D(common: layerCommon("conv"), filters: 6, kernelSize: [3, 3], groups: 3)
        #expect(try outputShape(grouped, [nil, 8, 8, 3]) == [nil, 6, 6, 6])
        #expect(try specs(grouped, [nil, 8, 8, 3]) == ["kernel [3, 3, 1, 6]", "bias [6]"])
        // L.Conv2D(4, 3, strides=2, padding='same') on (None, 7, None, 3) -> (None, 4, None, 4)
        let same = Conv2D(common: layerCommon("conv"), filters: 4, kernelSize: [3, 3], strides: [2, 2], padding: .same)
        #expect(try outputShape(same, [nil, 7, nil, 3]) == [nil, 4, nil, 4])
        // L.Conv2D(4, 3, dilation_rate=2) on (None, 9, 9, 3) -> (None, 5, 5, 4)
        let dilated = Conv2D(common: layerCommon("conv"), filters: 4, kernelSize: [3, 3], dilationRate: [2, 2])
        #expect(try outputShape(dilated, [nil, 9, 9, 3]) == [nil, 5, 5, 4])
        // L.Conv2D(4, 3, strides=(3, 2)) on (None, 10, 9, 3) -> (None, 3, 4, 4)
        let strided = Conv2D(common: layerCommon("conv"), filters: 4, kernelSize: [3, 3], strides: [3, 2])
        #expect(try outputShape(strided, [nil, 10, 9, 3]) == [nil, 3, 4, 4])
        // L.Conv2D(4, 3, data_format='channels_first') on (None, 3, 8, 8) -> (None, 4, 6, 6), kernel (3, 3, 3, 4)
        let first = Conv2D(common: layerCommon("conv"), filters: 4, kernelSize: [3, 3], dataFormat: .channelsFirst)
        #expect(try outputShape(first, [nil, 3, 8, 8]) == [nil, 4, 6, 6])
        #expect(try specs(first, [nil, 3, 8, 8]) == ["kernel [3, 3, 3, 4]", "bias [4]"])
    }

    @Test func convolutionErrorsNameTheLayer() {
        let conv = Conv2D(common: layerCommon("conv7"), filters: 4, kernelSize: [3, 3])
        // L.Conv2D(4, 3) on (None, 2, 2, 3): "Computed output size would be zero or negative"
        let small = graphErrorText { _ = try outputShape(conv, [nil, 2, 2, 3]) }
        #expect(small?.hasPrefix("layer `conv7` (Conv2D):") == true)
        #expect(small?.contains("size 0") == true)
        // L.Conv2D(4, 3) on (None, 8, 3): "expected min_ndim=4"
        let rank = graphErrorText { _ = try outputShape(conv, [nil, 8, 3]) }
        #expect(rank?.contains("rank-4") == true)
        // L.Conv2D(4, 3, groups=2) on (None, 8, 8, 3): input channels not divisible by groups
        let groups = Conv2D(common: layerCommon("conv7"), filters: 4, kernelSize: [3, 3], groups: 2)
        let channels = graphErrorText { _ = try specs(groups, [nil, 8, 8, 3]) }
        #expect(channels?.contains("`groups` (2)") == true)
        // L.Conv2D(6, 3, groups=4): "The number of filters must be evenly divisible by the number of groups"
        let filters = graphErrorText { _ = try outputShape(Conv2D(common: layerCommon("conv7"), filters: 6, kernelSize: [3, 3], groups: 4), [nil, 8, 8, 4]) }
        #expect(filters?.contains("invalid config") == true)
        // Unknown channel count: no kernel shape.
        let unknown = graphErrorText { _ = try specs(conv, [nil, 8, 8, nil]) }
        #expect(unknown?.contains("channel axis") == true)
        // Strides > 1 with dilation > 1 is rejected by Keras' BaseConv.
        let both = Conv2D(common: layerCommon("conv7"), filters: 4, kernelSize: [3, 3], strides: [2, 2], dilationRate: [2, 2])
        #expect(graphErrorText { _ = try outputShape(both, [nil, 9, 9, 3]) }?.contains("dilation_rate") == true)
    }

    @Test func depthwiseConv2D() throws {
        // L.DepthwiseConv2D(3, depth_multiplier=2) on (None, 8, 8, 3) -> (None, 6, 6, 6), kernel (3, 3, 3, 2), bias (6,)
        let dw = DepthwiseConv2D(common: layerCommon("dw"), kernelSize: [3, 3], depthMultiplier: 2)
        #expect(try outputShape(dw, [nil, 8, 8, 3]) == [nil, 6, 6, 6])
        #expect(try specs(dw, [nil, 8, 8, 3]) == ["kernel [3, 3, 3, 2]", "bias [6]"])
        // tf_keras: same layer, weights depthwise_kernel (3, 3, 3, 2), bias (6,)
        var keras2 = dw
        keras2.kernelWeightName = DepthwiseConv2D.keras2KernelName
        #expect(try specs(keras2, [nil, 8, 8, 3]) == ["depthwise_kernel [3, 3, 3, 2]", "bias [6]"])
        // L.DepthwiseConv2D(3, strides=2, padding='same', use_bias=False) on (None, 7, 7, 5) -> (None, 4, 4, 5), kernel (3, 3, 5, 1)
        let strided = DepthwiseConv2D(common: layerCommon("dw"), kernelSize: [3, 3], strides: [2, 2], padding: .same, useBias: false)
        #expect(try outputShape(strided, [nil, 7, 7, 5]) == [nil, 4, 4, 5])
        #expect(try specs(strided, [nil, 7, 7, 5]) == ["kernel [3, 3, 5, 1]"])
    }

    @Test func separableConv2D() throws {
        // L.SeparableConv2D(4, 3) on (None, 8, 8, 3) -> (None, 6, 6, 4),
        // depthwise_kernel (3, 3, 3, 1), pointwise_kernel (1, 1, 3, 4), bias (4,)
        let sep = SeparableConv2D(common: layerCommon("sep"), filters: 4, kernelSize: [3, 3])
        #expect(try outputShape(sep, [nil, 8, 8, 3]) == [nil, 6, 6, 4])
        #expect(try specs(sep, [nil, 8, 8, 3]) == ["depthwise_kernel [3, 3, 3, 1]", "pointwise_kernel [1, 1, 3, 4]", "bias [4]"])
        // L.SeparableConv2D(4, 3, depth_multiplier=2, padding='same') on (None, 8, 8, 3) -> (None, 8, 8, 4),
        // depthwise_kernel (3, 3, 3, 2), pointwise_kernel (1, 1, 6, 4)
        let dm = SeparableConv2D(common: layerCommon("sep"), filters: 4, kernelSize: [3, 3], padding: .same, depthMultiplier: 2)
        #expect(try outputShape(dm, [nil, 8, 8, 3]) == [nil, 8, 8, 4])
        #expect(try specs(dm, [nil, 8, 8, 3]) == ["depthwise_kernel [3, 3, 3, 2]", "pointwise_kernel [1, 1, 6, 4]", "bias [4]"])
    }

    @Test func conv2DTranspose() throws {
        // L.Conv2DTranspose(4, 3) on (None, 8, 8, 3) -> (None, 10, 10, 4), kernel (3, 3, 4, 3), bias (4,)
        let plain = Conv2DTranspose(common: layerCommon("up"), filters: 4, kernelSize: [3, 3])
        #expect(try outputShape(plain, [nil, 8, 8, 3]) == [nil, 10, 10, 4])
        #expect(try specs(plain, [nil, 8, 8, 3]) == ["kernel [3, 3, 4, 3]", "bias [4]"])
        // L.Conv2DTranspose(4, 3, strides=2, padding='same') on (None, 5, None, 3) -> (None, 10, None, 4)
        let same = Conv2DTranspose(common: layerCommon("up"), filters: 4, kernelSize: [3, 3], strides: [2, 2], padding: .same)
        #expect(try outputShape(same, [nil, 5, nil, 3]) == [nil, 10, nil, 4])
        // L.Conv2DTranspose(4, 3, strides=2, output_padding=1) on (None, 5, 5, 3) -> (None, 12, 12, 4)
        let op = Conv2DTranspose(common: layerCommon("up"), filters: 4, kernelSize: [3, 3], strides: [2, 2], outputPadding: [1, 1])
        #expect(try outputShape(op, [nil, 5, 5, 3]) == [nil, 12, 12, 4])
        // L.Conv2DTranspose(4, 4, strides=2, padding='same', output_padding=1) on (None, 5, 5, 3) -> (None, 9, 9, 4)
        let sameOp = Conv2DTranspose(common: layerCommon("up"), filters: 4, kernelSize: [4, 4], strides: [2, 2],
                                     padding: .same, outputPadding: [1, 1])
        #expect(try outputShape(sameOp, [nil, 5, 5, 3]) == [nil, 9, 9, 4])
        // L.Conv2DTranspose(4, (3, 2), strides=(1, 3)) on (None, 5, 5, 3) -> (None, 7, 15, 4), kernel (3, 2, 4, 3)
        let rect = Conv2DTranspose(common: layerCommon("up"), filters: 4, kernelSize: [3, 2], strides: [1, 3])
        #expect(try outputShape(rect, [nil, 5, 5, 3]) == [nil, 7, 15, 4])
        #expect(try specs(rect, [nil, 5, 5, 3]) == ["kernel [3, 2, 4, 3]", "bias [4]"])
        // L.Conv2DTranspose(2, 3, dilation_rate=2, padding='same', output_padding=0) on (None, 5, 5, 3) -> (None, 5, 5, 2)
        let dilated = Conv2DTranspose(common: layerCommon("up"), filters: 2, kernelSize: [3, 3], padding: .same,
                                      outputPadding: [0, 0], dilationRate: [2, 2])
        #expect(try outputShape(dilated, [nil, 5, 5, 3]) == [nil, 5, 5, 2])
        // Keras: "Strides must be greater than output padding"
        let bad = Conv2DTranspose(common: layerCommon("up9"), filters: 4, kernelSize: [3, 3], strides: [2, 2], outputPadding: [2, 1])
        #expect(graphErrorText { _ = try outputShape(bad, [nil, 5, 5, 3]) }?.contains("layer `up9` (Conv2DTranspose)") == true)
    }
}
