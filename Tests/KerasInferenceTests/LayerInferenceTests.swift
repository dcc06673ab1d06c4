import KerasGraph
import KerasInference
import Testing
import TensorModule
import _TestSupport

// Expected values in this file come from Keras 3.15.1 (TensorFlow 2.21 backend, CPU); the Keras expression is in a
// comment beside each check. TensorFlow cannot run NCHW convolutions or pooling on the CPU, so those layers were run
// inside `keras.Sequential([...]).compile(jit_compile=True)` + `predict` (XLA), which can.
//
// Tolerance: rtol 1e-6, atol 1e-6 unless stated — these inputs are small exact binary fractions, so only the last
// ulp of a few sums (summed in another order than TensorFlow) can differ.

private func common(_ name: String) -> LayerCommon { LayerCommon(name: name) }

/// Runs `layer` compiled for the shape of `x` (batch axis unknown) on `x`.
private func run(_ layer: some RunnableLayer, _ xs: Tensor...) throws -> Tensor {
    let shapes: [Shape] = xs.map { [nil] + $0.shape.dropFirst().map { Optional($0) } }
    let outs = try layer.compile(inputShapes: shapes).run(xs)
    guard outs.count == 1 else { throw InferenceError("expected 1 output, got \(outs.count)") }
    return outs[0]
}

private func expectClose(_ actual: Tensor, _ shape: [Int], _ expected: [Float], rtol: Float = 1e-6, atol: Float = 1e-6,
                         sourceLocation: SourceLocation = #_sourceLocation) {
    let r = closeness(actual, Tensor(shape: shape, scalars: expected), rtol: rtol, atol: atol)
    #expect(r.ok, "\(r) (shape \(actual.shape), expected \(shape))", sourceLocation: sourceLocation)
}

/// `(arange(n).reshape(shape) + offset) / scale` as float32, the inputs the Keras expressions use.
private func ramp(_ shape: [Int], offset: Float = 0, scale: Float = 1) -> Tensor {
    let n = shape.reduce(1, *)
    return Tensor(shape: shape, scalars: (0..<n).map { (Float($0) + offset) / scale })
}

@Suite("Layers in channels_first layout")
struct ChannelsFirstTests {
    @Test("Flatten(data_format=channels_first) moves channels last before flattening")
    func flattenChannelsFirst() throws {
        // keras.layers.Flatten(data_format="channels_first")(arange(12).reshape(1, 3, 2, 2))
        let y = try run(Flatten(common: common("f"), dataFormat: .channelsFirst), ramp([1, 3, 2, 2]))
        #expect(y.shape == [1, 12])
        #expect(y.scalars == [0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11])
    }

    @Test("Flatten channels_last (and Keras 1, which has no data format) is a plain C-order flatten")
    func flattenChannelsLast() throws {
        let y = try run(Flatten(common: common("f")), ramp([1, 3, 2, 2]))
        #expect(y.shape == [1, 12])
        #expect(y.scalars == (0..<12).map(Float.init))
    }

    private func conv(_ activation: ActivationFunction) -> Conv2D {
        // kernel = (arange(24).reshape(2, 2, 2, 3) - 12) / 8, bias = [0.5, -0.25, 1.0]
        let kernel = ramp([2, 2, 2, 3], offset: -12, scale: 8)
        return Conv2D(common: common("c"), filters: 3, kernelSize: [2, 2], dataFormat: .channelsFirst,
                      activation: Activation(activation, spelling: .name("x")),
                      weights: [Weight(name: "kernel", tensor: kernel),
                                Weight(name: "bias", tensor: Tensor(shape: [3], scalars: [0.5, -0.25, 1.0]))])
    }

    @Test("Conv2D channels_first with relu")
    func conv2dChannelsFirst() throws {
        // Conv2D(3, 2, data_format="channels_first", activation="relu") on (arange(18).reshape(1, 2, 3, 3) - 8) / 4
        let y = try run(conv(.relu), ramp([1, 2, 3, 3], offset: -8, scale: 4))
        expectClose(y, [1, 3, 2, 2], [5.375, 5.0, 4.25, 3.875, 4.25, 4.125, 3.875, 3.75, 5.125, 5.25, 5.5, 5.625])
    }

    @Test("Conv2D channels_first with softmax normalises over the layer's last axis (width), not the channels")
    func conv2dChannelsFirstSoftmax() throws {
        // The same layer with activation="softmax".
        let y = try run(conv(.softmax(axis: -1)), ramp([1, 2, 3, 3], offset: -8, scale: 4))
        expectClose(y, [1, 3, 2, 2], [0.5926666259765625, 0.4073334336280823, 0.5926666259765625, 0.4073334336280823,
                                      0.531209409236908, 0.4687906503677368, 0.531209409236908, 0.4687906503677368,
                                      0.4687906503677368, 0.531209409236908, 0.4687906503677368, 0.531209409236908])
    }

    private let image = ramp([1, 2, 3, 4], offset: -10, scale: 3)   // (arange(24).reshape(1, 2, 3, 4) - 10) / 3

    @Test("GlobalAveragePooling2D channels_first keepdims gives (batch, C, 1, 1)")
    func globalPoolKeepDims() throws {
        // GlobalAveragePooling2D(data_format="channels_first", keepdims=True)(x)
        let y = try run(GlobalAveragePooling2D(common: common("g"), dataFormat: .channelsFirst, keepDims: true), image)
        expectClose(y, [1, 2, 1, 1], [-1.4999998807907104, 2.5])
    }

    @Test("MaxPooling2D channels_first same padding")
    func maxPoolChannelsFirst() throws {
        // MaxPooling2D(2, padding="same", data_format="channels_first")(x)
        let layer = MaxPooling2D(common: common("p"), poolSize: [2, 2], padding: .same, dataFormat: .channelsFirst)
        let y = try run(layer, image)
        expectClose(y, [1, 2, 2, 2], [-1.6666666269302368, -1.0, -0.3333333432674408, 0.3333333432674408,
                                      2.3333332538604736, 3.0, 3.6666667461395264, 4.333333492279053], rtol: 0, atol: 0)
    }

    @Test("ZeroPadding2D channels_first pads the last two axes")
    func zeroPaddingChannelsFirst() throws {
        // ZeroPadding2D(((1, 0), (0, 1)), data_format="channels_first")(x)
        let y = try run(ZeroPadding2D(common: common("z"), padding: [[1, 0], [0, 1]], dataFormat: .channelsFirst), image)
        #expect(y.shape == [1, 2, 4, 5])
        #expect(Array(y.scalars[0..<10]) == [0, 0, 0, 0, 0, image.scalars[0], image.scalars[1], image.scalars[2],
                                              image.scalars[3], 0])
    }

    @Test("UpSampling2D channels_first bilinear")
    func upSamplingChannelsFirst() throws {
        // UpSampling2D((2, 1), data_format="channels_first", interpolation="bilinear")(x); first channel, 6×4
        let layer = UpSampling2D(common: common("u"), size: [2, 1], dataFormat: .channelsFirst, interpolation: .bilinear)
        let y = try run(layer, image)
        #expect(y.shape == [1, 2, 6, 4])
        let first = Tensor(shape: [24], scalars: Array(y.scalars[0..<24]))
        expectClose(first, [24], [-3.3333332538604736, -3.0, -2.6666667461395264, -2.3333332538604736, -3.0,
                                  -2.6666667461395264, -2.3333334922790527, -2.0, -2.3333332538604736, -2.0,
                                  -1.6666667461395264, -1.3333332538604736, -1.6666667461395264, -1.3333332538604736,
                                  -1.0, -0.6666666269302368, -1.0, -0.6666666865348816, -0.3333333730697632, 0.0,
                                  -0.6666666865348816, -0.3333333432674408, 0.0, 0.3333333432674408])
    }

    @Test("BatchNormalization(axis=1) on a rank-4 input")
    func batchNormAxis1() throws {
        // BatchNormalization(axis=1, epsilon=0.01), gamma [1.5, -0.5], beta [0.25, 2.0], moving_mean [0.1, -1.0],
        // moving_variance [2.0, 0.5]; bn(x, training=False)
        func w(_ n: String, _ v: [Float]) -> Weight { Weight(name: n, tensor: Tensor(shape: [2], scalars: v)) }
        let bn = BatchNormalization(common: common("bn"), axis: [1], epsilon: 0.01,
                                    weights: [w("gamma", [1.5, -0.5]), w("beta", [0.25, 2.0]),
                                              w("moving_mean", [0.1, -1.0]), w("moving_variance", [2.0, 0.5])])
        let y = try run(bn, image)
        expectClose(y, [1, 2, 3, 4], [
            -3.3825299739837646, -3.0298571586608887, -2.6771843433380127, -2.3245115280151367, -1.9718387126922607,
            -1.6191658973693848, -1.2664930820465088, -0.9138202667236328, -0.5611474514007568, -0.20847466588020325,
            0.14419814944267273, 0.4968709647655487, 0.8330999612808228, 0.5997200012207031, 0.3663399815559387,
            0.13296008110046387, -0.10041999816894531, -0.33379995822906494, -0.5671800374984741, -0.8005599975585938,
            -1.0339398384094238, -1.267320156097412, -1.5006999969482422, -1.7340800762176514])
    }
}

@Suite("Layer semantics at inference")
struct LayerSemanticsTests {
    @Test("Softmax over two axes normalises jointly")
    func softmaxTwoAxes() throws {
        // Softmax(axis=(1, 2))(x) with x = (arange(24).reshape(1, 2, 3, 4) - 10) / 3; the first column of each
        // (axis-1, axis-2) slab: indices 0, 4, 8, 12, 16, 20.
        let y = try run(Softmax(common: common("s"), axis: [1, 2]), ramp([1, 2, 3, 4], offset: -10, scale: 3))
        let column = stride(from: 0, to: 24, by: 4).map { y.scalars[$0] }
        let expected: [Float] = [0.0009374856599606574, 0.0035565097350627184, 0.013492219150066376,
                                 0.051184993237257004, 0.19417884945869446, 0.7366499900817871]
        for (a, e) in zip(column, expected) { #expect(abs(a - e) <= 1e-6 + 1e-5 * e, "\(a) vs \(e)") }
    }

    @Test("Add of a rank-2 and a rank-3 input aligns the non-batch axes from the right")
    func addDifferentRanks() throws {
        // keras.layers.Add()([[[1, 2, 3]], arange(6).reshape(1, 2, 3)])
        let a = Tensor(shape: [1, 3], scalars: [1, 2, 3])
        let y = try run(Add(common: common("add")), a, ramp([1, 2, 3]))
        #expect(y.shape == [1, 2, 3])
        #expect(y.scalars == [1, 3, 5, 4, 6, 8])
    }

    @Test("identity layers return their input unchanged")
    func identity() throws {
        let x = ramp([2, 3], offset: -1)
        #expect(try run(Dropout(common: common("d"), rate: 0.5), x) == x)
        #expect(try run(GaussianNoise(common: common("n"), stddev: 1), x) == x)
        #expect(try run(AlphaDropout(common: common("a"), rate: 0.5), x) == x)
    }

    @Test("Embedding: float indices truncate like Keras' int32 cast; an out-of-range index throws")
    func embedding() throws {
        let table = ramp([3, 2])
        let layer = Embedding(common: common("emb"), inputDim: 3, outputDim: 2,
                              weights: [Weight(name: "embeddings", tensor: table)])
        let y = try run(layer, Tensor(shape: [1, 2], scalars: [2, 0.9]))
        #expect(y.shape == [1, 2, 2])
        #expect(y.scalars == [4, 5, 0, 1])
        #expect(throws: (any Error).self) { try run(layer, Tensor(shape: [1, 1], scalars: [3])) }
        #expect(throws: (any Error).self) { try run(layer, Tensor(shape: [1, 1], scalars: [-1])) }
    }

    @Test("UpSampling2D with an interpolation KerasPort does not compute fails to compile, naming the layer")
    func unsupportedInterpolation() throws {
        let layer = UpSampling2D(common: common("up_bicubic"), interpolation: .bicubic)
        do {
            _ = try layer.compile(inputShapes: [[nil, 2, 2, 1]])
            Issue.record("compiling bicubic upsampling did not throw")
        } catch {
            #expect("\(error)".contains("up_bicubic"))
            #expect("\(error)".contains("bicubic"))
        }
    }
}

@Suite("CompiledModel plans and errors")
struct CompiledModelTests {
    private func input(_ name: String, _ shape: Shape) -> LayerNode {
        LayerNode(layer: InputLayer(common: common(name), batchShape: shape), calls: [])
    }

    private func dense(_ name: String, from: String, kernel: [Float], bias: [Float], units: Int) -> LayerNode {
        let inFeatures = kernel.count / units
        return LayerNode(layer: Dense(common: common(name), units: units,
                                      weights: [Weight(name: "kernel", tensor: Tensor(shape: [inFeatures, units], scalars: kernel)),
                                                Weight(name: "bias", tensor: Tensor(shape: [units], scalars: bias))]),
                         calls: [LayerCall(inputs: [TensorRef(layer: from)])])
    }

    @Test("a model with a layer of an unsupported class fails at init, naming the layer and the class")
    func opaqueLayerFails() throws {
        let opaque = OpaqueLayer(className: "MyScale", common: common("scale_1"), config: .object([]),
                                 recordedOutputShapes: [[[nil, 2]]])
        let graph = ModelGraph(name: "m", kind: .functional,
                               nodes: [input("in", [nil, 2]),
                                       LayerNode(layer: opaque, calls: [LayerCall(inputs: [TensorRef(layer: "in")])])],
                               inputs: [TensorRef(layer: "in")], outputs: [TensorRef(layer: "scale_1")])
        do {
            _ = try CompiledModel(graph)
            Issue.record("CompiledModel accepted a model with an OpaqueLayer")
        } catch {
            let text = "\(error)"
            #expect(text.contains("scale_1"), "\(text)")
            #expect(text.contains("MyScale"), "\(text)")
        }
    }

    @Test("an unsupported layer inside a nested model is named with its path and class")
    func nestedOpaqueLayerFails() throws {
        let opaque = OpaqueLayer(className: "MyScale", common: common("scale_1"), config: .object([]),
                                 recordedOutputShapes: [[[nil, 2]]])
        let inner = ModelGraph(name: "inner", kind: .functional,
                               nodes: [input("inner_in", [nil, 2]),
                                       LayerNode(layer: opaque, calls: [LayerCall(inputs: [TensorRef(layer: "inner_in")])])],
                               inputs: [TensorRef(layer: "inner_in")], outputs: [TensorRef(layer: "scale_1")])
        let graph = ModelGraph(name: "outer", kind: .functional,
                               nodes: [input("in", [nil, 2]),
                                       LayerNode(layer: NestedModel(graph: inner), calls: [LayerCall(inputs: [TensorRef(layer: "in")])])],
                               inputs: [TensorRef(layer: "in")], outputs: [TensorRef(layer: "inner")])
        do {
            _ = try CompiledModel(graph)
            Issue.record("CompiledModel accepted a nested OpaqueLayer")
        } catch {
            let text = "\(error)"
            #expect(text.contains("inner/scale_1"), "\(text)")
            #expect(text.contains("MyScale"), "\(text)")
        }
    }

    @Test("a wrong input shape names the model input and its expected shape")
    func wrongInputShape() throws {
        let graph = ModelGraph(name: "m", kind: .functional,
                               nodes: [input("pixels", [nil, 3]),
                                       dense("d", from: "pixels", kernel: [1, 2, 3, 4, 5, 6], bias: [0, 0], units: 2)],
                               inputs: [TensorRef(layer: "pixels")], outputs: [TensorRef(layer: "d")])
        let model = try CompiledModel(graph)
        do {
            _ = try model.predict([Tensor(shape: [1, 4], repeating: 1)])
            Issue.record("predict accepted a [1, 4] input for a (None, 3) model")
        } catch {
            let text = "\(error)"
            #expect(text.contains("pixels"), "\(text)")
            #expect(text.contains("(None, 3)"), "\(text)")
        }
        // The right shape runs: [1, 1, 1] · [[1, 2], [3, 4], [5, 6]] = [9, 12].
        #expect(try model.predict([Tensor(shape: [1, 3], repeating: 1)])[0].scalars == [9, 12])
    }

    @Test("a nested model runs as one layer and gives what its inner layers give")
    func nestedModel() throws {
        let inner = ModelGraph(name: "inner", kind: .functional,
                               nodes: [input("inner_in", [nil, 2]),
                                       dense("inner_dense", from: "inner_in", kernel: [1, -1, 2, 0.5], bias: [0.5, 0], units: 2)],
                               inputs: [TensorRef(layer: "inner_in")], outputs: [TensorRef(layer: "inner_dense")])
        let graph = ModelGraph(name: "outer", kind: .functional,
                               nodes: [input("in", [nil, 2]),
                                       LayerNode(layer: NestedModel(graph: inner), calls: [LayerCall(inputs: [TensorRef(layer: "in")])]),
                                       dense("head", from: "inner", kernel: [1, 1], bias: [0], units: 1)],
                               inputs: [TensorRef(layer: "in")], outputs: [TensorRef(layer: "head")])
        let model = try CompiledModel(graph)
        // x = [1, 2]: inner = [1·1 + 2·2 + 0.5, 1·(-1) + 2·0.5] = [5.5, 0]; head = 5.5.
        let y = try model.predict([Tensor(shape: [1, 2], scalars: [1, 2])])
        #expect(y[0].shape == [1, 1])
        #expect(y[0].scalars == [5.5])
    }

    @Test("an error inside a nested model names the nested model and the inner layer")
    func nestedModelRunError() throws {
        let emb = Embedding(common: common("emb"), inputDim: 3, outputDim: 1,
                            weights: [Weight(name: "embeddings", tensor: ramp([3, 1]))])
        let inner = ModelGraph(name: "tokens", kind: .functional,
                               nodes: [input("ids", [nil, 2]),
                                       LayerNode(layer: emb, calls: [LayerCall(inputs: [TensorRef(layer: "ids")])])],
                               inputs: [TensorRef(layer: "ids")], outputs: [TensorRef(layer: "emb")])
        let graph = ModelGraph(name: "outer", kind: .functional,
                               nodes: [input("in", [nil, 2]),
                                       LayerNode(layer: NestedModel(graph: inner), calls: [LayerCall(inputs: [TensorRef(layer: "in")])])],
                               inputs: [TensorRef(layer: "in")], outputs: [TensorRef(layer: "tokens")])
        let model = try CompiledModel(graph)
        #expect(try model.predict([Tensor(shape: [1, 2], scalars: [2, 1])])[0].scalars == [2, 1])
        do {
            _ = try model.predict([Tensor(shape: [1, 2], scalars: [0, 7])])
            Issue.record("an out-of-range index did not throw")
        } catch {
            let text = "\(error)"
            #expect(text.contains("tokens"), "\(text)")
            #expect(text.contains("emb"), "\(text)")
            #expect(text.contains("7"), "\(text)")
        }
    }
}

@Suite("More layers in channels_first layout")
struct ChannelsFirstMoreTests {
    private let image = ramp([1, 2, 3, 3], offset: -8, scale: 4)   // (arange(18).reshape(1, 2, 3, 3) - 8) / 4
    private let sequence = ramp([1, 3, 4], offset: -5, scale: 2)  // (arange(12).reshape(1, 3, 4) - 5) / 2

    @Test("DepthwiseConv2D channels_first, depth_multiplier 2 (output channel c·2 + m)")
    func depthwiseChannelsFirst() throws {
        // DepthwiseConv2D(2, depth_multiplier=2, data_format="channels_first"),
        // kernel (arange(16).reshape(2, 2, 2, 2) - 7) / 8, bias [0.5, -0.5, 1, -1]
        let layer = DepthwiseConv2D(common: common("dw"), kernelSize: [2, 2], depthMultiplier: 2,
                                    dataFormat: .channelsFirst,
                                    weights: [Weight(name: "kernel", tensor: ramp([2, 2, 2, 2], offset: -7, scale: 8)),
                                              Weight(name: "bias", tensor: Tensor(shape: [4], scalars: [0.5, -0.5, 1, -1]))])
        expectClose(try run(layer, image), [1, 4, 2, 2],
                    [2.125, 2.0, 1.75, 1.625, 0.375, 0.375, 0.375, 0.375, 2.25, 2.375, 2.625, 2.75, 0.625, 0.875, 1.375, 1.625])
    }

    @Test("Conv2DTranspose channels_first, strides 2 (kernel [kh, kw, out, in])")
    func transposedChannelsFirst() throws {
        // Conv2DTranspose(3, 2, strides=2, data_format="channels_first"),
        // kernel (arange(24).reshape(2, 2, 3, 2) - 12) / 8, bias [0.5, -0.25, 1.0]; first output channel (6×6)
        let layer = Conv2DTranspose(common: common("tc"), filters: 3, kernelSize: [2, 2], strides: [2, 2],
                                    dataFormat: .channelsFirst,
                                    weights: [Weight(name: "kernel", tensor: ramp([2, 2, 3, 2], offset: -12, scale: 8)),
                                              Weight(name: "bias", tensor: Tensor(shape: [3], scalars: [0.5, -0.25, 1.0]))])
        let y = try run(layer, image)
        #expect(y.shape == [1, 3, 6, 6])
        expectClose(Tensor(shape: [36], scalars: Array(y.scalars[0..<36])), [36], [
            3.15625, 1.84375, 2.4375, 1.5, 1.71875, 1.15625, 0.53125, -0.78125, 0.5625, -0.375, 0.59375, 0.03125,
            1.0, 0.8125, 0.28125, 0.46875, -0.4375, 0.125, 0.625, 0.4375, 0.65625, 0.84375, 0.6875, 1.25,
            -1.15625, -0.21875, -1.875, -0.5625, -2.59375, -0.90625, 0.71875, 1.65625, 0.75, 2.0625, 0.78125, 2.46875])
    }

    @Test("Conv1D channels_first")
    func conv1dChannelsFirst() throws {
        // Conv1D(2, 2, data_format="channels_first"), kernel (arange(12).reshape(2, 3, 2) - 6) / 4, bias [0.25, -0.5]
        let layer = Conv1D(common: common("c1"), filters: 2, kernelSize: [2], dataFormat: .channelsFirst,
                           weights: [Weight(name: "kernel", tensor: ramp([2, 3, 2], offset: -6, scale: 4)),
                                     Weight(name: "bias", tensor: Tensor(shape: [2], scalars: [0.25, -0.5]))])
        expectClose(try run(layer, sequence), [1, 2, 3], [5.75, 5.0, 4.25, 4.625, 4.625, 4.625])
    }

    @Test("AveragePooling1D channels_first, same padding counts only real steps")
    func avgPool1dChannelsFirst() throws {
        // AveragePooling1D(3, strides=2, padding="same", data_format="channels_first")
        let layer = AveragePooling1D(common: common("ap"), poolSize: [3], strides: [2], padding: .same,
                                     dataFormat: .channelsFirst)
        expectClose(try run(layer, sequence), [1, 3, 2], [-2.0, -1.25, 0.0, 0.75, 2.0, 2.75])
    }

    @Test("GlobalMaxPooling1D channels_first reduces the last axis")
    func globalMax1dChannelsFirst() throws {
        // GlobalMaxPooling1D(data_format="channels_first")
        let y = try run(GlobalMaxPooling1D(common: common("gm"), dataFormat: .channelsFirst), sequence)
        #expect(y.shape == [1, 3])
        #expect(y.scalars == [-1.0, 1.0, 3.0])
    }

    @Test("Cropping2D channels_first crops the last two axes")
    func cropping2dChannelsFirst() throws {
        // Cropping2D(((1, 0), (0, 1)), data_format="channels_first")
        let y = try run(Cropping2D(common: common("cr"), cropping: [[1, 0], [0, 1]], dataFormat: .channelsFirst), image)
        #expect(y.shape == [1, 2, 2, 2])
        #expect(y.scalars == [-1.25, -1.0, -0.5, -0.25, 1.0, 1.25, 1.75, 2.0])
    }
}
