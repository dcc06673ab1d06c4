import KerasGraph
import ONNXProto
import TensorModule

/// Turns layer calls into ONNX nodes, following the graph's execution order.
final class ONNXLayerEmitter {
    let b: ONNXGraphBuilder

    init(builder: ONNXGraphBuilder) { self.b = builder }

    var opset: Int { b.opset }

    /// Emits every call of `graph` (nested models inlined, their tensors named `outer/inner/…`), with `inputs` feeding
    /// the graph's inputs; returns the values of its outputs. With `only`, just the calls those tensors need are
    /// emitted, and the other outputs come back as placeholders (not to be used).
    func emit(graph: ModelGraph, analysis: GraphAnalysis, inputs: [ONNXValue], prefix: String,
              only: [TensorRef]? = nil) throws -> [ONNXValue] {
        guard inputs.count == graph.inputs.count else {
            throw ONNXExportError("model `\(graph.name)`: \(graph.inputs.count) inputs expected, \(inputs.count) given")
        }
        var env: [TensorRef: ONNXValue] = [:]
        for (ref, value) in zip(graph.inputs, inputs) { env[ref] = value }
        // Keras masks ([batch, time] float, 1 = keep) of the tensors that carry one.
        var masks: [TensorRef: String] = [:]
        let needed = only.map { Self.callsNeeded(by: $0, in: graph) }
        for (n, c) in analysis.order {
            let node = graph.nodes[n]
            if let needed, !needed.contains(GraphAnalysis.CallID(node: n, call: c)) { continue }
            if node.layer is InputLayer {
                guard env[TensorRef(layer: node.name)] != nil else {
                    throw ONNXExportError("layer `\(prefix)\(node.name)` (InputLayer) is not one of the model's inputs")
                }
                continue
            }
            if node.layer is OpaqueLayer {
                throw ONNXExportError("layer `\(prefix)\(node.name)` (\(node.layer.className)): not supported by KerasPort, so it has no ONNX mapping")
            }
            let call = node.calls[c]
            let ins: [ONNXValue] = try call.inputs.map { ref in
                guard let v = env[ref] else {
                    throw ONNXExportError("layer `\(prefix)\(node.name)` (\(node.layer.className)): input \(ref) was not computed")
                }
                return v
            }
            let id = GraphAnalysis.CallID(node: n, call: c)
            guard let outShapes = analysis.outputShapes[id] else {
                throw ONNXExportError("layer `\(prefix)\(node.name)` (\(node.layer.className)): output shape unknown")
            }
            let scope = prefix + node.name + (c > 0 ? "_call\(c)" : "")
            let callLayer = (node.layer as? any CallSpecificLayer)?.forCall(c) ?? node.layer
            var context = LayerContext(layer: callLayer, path: prefix + node.name, scope: scope,
                                       outputShapes: outShapes, nested: analysis.nested[id])
            let inMasks = call.inputs.map { masks[$0] }
            let rule = ONNXMaskRule.of(node.layer)
            context.mask = try maskInput(rule, inMasks, context)
            if case .consumePerInput = rule { context.inputMasks = inMasks }
            let outs = try emitLayer(context, ins)
            guard outs.count == outShapes.count else {
                throw ONNXExportError("layer `\(context.path)` (\(node.layer.className)): \(outs.count) outputs made, \(outShapes.count) expected")
            }
            for (t, v) in outs.enumerated() {
                env[TensorRef(layer: node.name, node: c, tensor: t)] = ONNXValue(name: v.name, layout: v.layout, shape: outShapes[t])
            }
            for (t, m) in try outputMasks(rule, inMasks, ins, outs.count, context).enumerated() {
                if let m { masks[TensorRef(layer: node.name, node: c, tensor: t)] = m }
            }
        }
        return try graph.outputs.map { ref in
            guard let v = env[ref] else {
                if let only, !only.contains(ref) { return ONNXValue(name: "", layout: .native, shape: []) }
                throw ONNXExportError("model `\(graph.name)`: output \(ref) was not computed")
            }
            return v
        }
    }

    /// The calls (node, call index) that compute `refs`, transitively.
    static func callsNeeded(by refs: [TensorRef], in graph: ModelGraph) -> Set<GraphAnalysis.CallID> {
        var index: [String: Int] = [:]
        for (i, node) in graph.nodes.enumerated() { index[node.name] = i }
        var needed: Set<GraphAnalysis.CallID> = []
        var stack = refs
        while let ref = stack.popLast() {
            guard let n = index[ref.layer] else { continue }
            let id = GraphAnalysis.CallID(node: n, call: ref.node)
            guard needed.insert(id).inserted, ref.node < graph.nodes[n].calls.count else { continue }
            stack += graph.nodes[n].calls[ref.node].inputs
        }
        return needed
    }

    struct LayerContext {
        var layer: any Layer
        /// `outer/inner` path of the layer, for errors.
        var path: String
        /// Prefix of the ONNX names made for this call.
        var scope: String
        var outputShapes: [Shape]
        var nested: GraphAnalysis?
        /// The Keras mask of the first input, for the layers that use it (recurrent layers, masked average pooling).
        var mask: String? = nil
        /// The Keras masks of every input (`nil` where none), for the layers that use them all (attention).
        var inputMasks: [String?] = []
        var outputShape: Shape { outputShapes[0] }

        func error(_ reason: String) -> ONNXExportError {
            ONNXExportError("layer `\(path)` (\(layer.className)): \(reason)")
        }

        func weight(_ index: Int, _ name: String) throws -> Tensor {
            guard index < layer.weights.count else { throw error("weight \(index) (`\(name)`) is missing") }
            return layer.weights[index].tensor
        }
    }

    // MARK: - Dispatch

    func emitLayer(_ c: LayerContext, _ inputs: [ONNXValue]) throws -> [ONNXValue] {
        func one() throws -> ONNXValue {
            guard inputs.count == 1 else { throw c.error("expected 1 input, got \(inputs.count)") }
            return inputs[0]
        }
        switch c.layer {
        case is any InferenceIdentityLayer:
            return [try one()]
        case let l as NestedModel:
            guard let analysis = c.nested else { throw c.error("the nested model was not analysed") }
            return try emit(graph: l.graph, analysis: analysis, inputs: inputs, prefix: c.scope + "/")
        case let l as Dense: return [try dense(l, c, try one())]
        case let l as ActivationLayer: return [try activation(l.activation.function, try one(), c)]
        case let l as LeakyReLU: return [leakyReLU(l, try one(), c)]
        case let l as PReLU: return [try prelu(l, try one(), c)]
        case let l as ReLU: return [relu(slope: l.negativeSlope, maxValue: l.maxValue, threshold: l.threshold, try one(), c)]
        case let l as ELU: return [unary("Elu", try one(), c, [b.attr("alpha", float: l.alpha)])]
        case let l as ThresholdedReLU: return [unary("ThresholdedRelu", try one(), c, [b.attr("alpha", float: l.theta)])]
        case let l as Softmax: return [try softmax(axes: l.axis, try one(), c)]
        case let l as Conv1D: return [try convolution(l, c, try one(), filters: l.filters, groups: l.groups)]
        case let l as Conv2D: return [try convolution(l, c, try one(), filters: l.filters, groups: l.groups)]
        case let l as DepthwiseConv2D: return [try depthwise(l, c, try one())]
        case let l as SeparableConv2D: return [try separable(l, c, try one())]
        case let l as any TransposedConvolutionGeometry: return [try transposedConvolutionN(l, c, try one())]
        case let l as Conv3D: return [try convolution(l, c, try one(), filters: l.filters, groups: l.groups)]
        case let l as DepthwiseConv1D: return [try depthwise1D(l, c, try one())]
        case let l as SeparableConv1D: return [try separable1D(l, c, try one())]
        case let l as CategoryEncoding: return [try categoryEncoding(l, c, try one())]
        case let l as IntegerLookup: return [try integerLookup(l, c, try one())]
        case let l as Hashing: return [try hashing(l, c, try one())]
        case let l as RNN: return try rnnStack(l, c, inputs, mask: c.mask)
        case let l as ConvLSTM: return try convLSTM(l, c, inputs)
        case let l as MaxPooling1D:
            return [try pooling("MaxPool", c, try one(), rank: 1, pool: l.poolSize, strides: l.strides, padding: l.padding, dataFormat: l.dataFormat)]
        case let l as MaxPooling2D:
            return [try pooling("MaxPool", c, try one(), rank: 2, pool: l.poolSize, strides: l.strides, padding: l.padding, dataFormat: l.dataFormat)]
        case let l as AveragePooling1D:
            return [try pooling("AveragePool", c, try one(), rank: 1, pool: l.poolSize, strides: l.strides, padding: l.padding, dataFormat: l.dataFormat)]
        case let l as AveragePooling2D:
            return [try pooling("AveragePool", c, try one(), rank: 2, pool: l.poolSize, strides: l.strides, padding: l.padding, dataFormat: l.dataFormat)]
        case let l as GlobalAveragePooling1D where c.mask != nil: return [try maskedAverage(l, c, try one(), mask: c.mask!)]
        case let l as GlobalAveragePooling1D: return [try globalPooling("ReduceMean", c, try one(), dataFormat: l.dataFormat, keepDims: l.keepDims)]
        case let l as GlobalAveragePooling2D: return [try globalPooling("ReduceMean", c, try one(), dataFormat: l.dataFormat, keepDims: l.keepDims)]
        case let l as GlobalMaxPooling1D: return [try globalPooling("ReduceMax", c, try one(), dataFormat: l.dataFormat, keepDims: l.keepDims)]
        case let l as GlobalMaxPooling2D: return [try globalPooling("ReduceMax", c, try one(), dataFormat: l.dataFormat, keepDims: l.keepDims)]
        case let l as BatchNormalization: return [try batchNormalization(l, c, try one())]
        case let l as LayerNormalization: return [try layerNormalization(l, c, try one())]
        case let l as ZeroPadding1D:
            return [try zeroPadding(c, try one(), spatial: [l.padding], dataFormat: l.dataFormat)]
        case let l as ZeroPadding2D:
            return [try zeroPadding(c, try one(), spatial: l.padding, dataFormat: l.dataFormat)]
        case let l as Cropping1D:
            return [try cropping(c, try one(), spatial: [l.cropping], dataFormat: .channelsLast)]
        case let l as Cropping2D:
            return [try cropping(c, try one(), spatial: l.cropping, dataFormat: l.dataFormat)]
        case let l as UpSampling1D:
            return [try upSampling(c, try one(), size: [l.size], dataFormat: .channelsLast, bilinear: false)]
        case let l as UpSampling2D:
            switch l.interpolation {
            case .nearest, .bilinear: break
            default: throw c.error("interpolation `\(l.interpolation.rawValue)` has no ONNX mapping (only nearest and bilinear)")
            }
            return [try upSampling(c, try one(), size: l.size, dataFormat: l.dataFormat, bilinear: l.interpolation == .bilinear)]
        case let l as Flatten: return [try flatten(l, c, try one())]
        case let l as Reshape: return [try reshape(l, c, try one())]
        case let l as Permute:
            let x = b.converted(try one(), to: .native)
            return [ONNXValue(name: b.op("Transpose", [x.name], scope: c.scope, [b.attr("perm", ints: [0] + l.dims)]),
                              layout: .native, shape: c.outputShape)]
        case let l as RepeatVector:
            let x = try one()
            let u = b.op("Unsqueeze", [x.name, b.int64s([1])], scope: c.scope)
            return [ONNXValue(name: b.op("Expand", [u, b.int64s([1, l.n, 1])], scope: c.scope), layout: .native, shape: c.outputShape)]
        case is Embedding:
            return [try embedding(c, try one())]
        case is Add: return [try merge(c, inputs, op: "Add", chain: true)]
        case is Subtract: return [try merge(c, inputs, op: "Sub", chain: true)]
        case is Multiply: return [try merge(c, inputs, op: "Mul", chain: true)]
        case is Maximum: return [try merge(c, inputs, op: "Max", chain: false)]
        case is Minimum: return [try merge(c, inputs, op: "Min", chain: false)]
        case is Average:
            let sum = try merge(c, inputs, op: "Add", chain: true)
            let name = b.op("Div", [sum.name, b.scalar(Float(inputs.count))], scope: c.scope)
            return [ONNXValue(name: name, layout: sum.layout, shape: c.outputShape)]
        case let l as Concatenate: return [try concatenate(l, c, inputs)]
        case let l as Dot: return [try dot(l, c, inputs)]
        case let l as OpLayer: return [try opLayer(l, c, inputs)]
        case let l as Rescaling: return [try rescaling(l, c, try one())]
        case let l as Normalization: return [try normalization(l, c, try one())]
        case let l as Discretization: return [try discretization(l, c, try one())]
        case let l as CenterCrop: return [try centerCrop(l, c, try one())]
        case let l as Resizing: return [try resizing(l, c, try one())]
        case let l as LayerScale: return [try layerScale(l, c, try one())]
        case let l as CustomScaleLayer: return [try customScale(l, c, inputs)]
        case let l as UnitNormalization: return [try unitNormalization(l, c, try one())]
        case let l as GroupNormalization: return [try groupNormalization(l, c, try one())]
        case let l as MaxPooling3D:
            return [try pooling("MaxPool", c, try one(), rank: 3, pool: l.poolSize, strides: l.strides, padding: l.padding, dataFormat: l.dataFormat)]
        case let l as AveragePooling3D:
            return [try pooling("AveragePool", c, try one(), rank: 3, pool: l.poolSize, strides: l.strides, padding: l.padding, dataFormat: l.dataFormat)]
        case let l as GlobalAveragePooling3D: return [try globalPooling("ReduceMean", c, try one(), dataFormat: l.dataFormat, keepDims: l.keepDims)]
        case let l as GlobalMaxPooling3D: return [try globalPooling("ReduceMax", c, try one(), dataFormat: l.dataFormat, keepDims: l.keepDims)]
        case let l as ZeroPadding3D: return [try zeroPadding(c, try one(), spatial: l.padding, dataFormat: l.dataFormat)]
        case let l as Cropping3D: return [try cropping(c, try one(), spatial: l.cropping, dataFormat: l.dataFormat)]
        case let l as UpSampling3D:
            return [try upSampling(c, try one(), size: l.size, dataFormat: l.dataFormat, bilinear: false)]
        case let l as Masking: return [try masking(l, c, try one())]
        case let l as any RecurrentLayer: return try recurrent(l, c, inputs, mask: c.mask)
        case let l as Bidirectional: return try bidirectional(l, c, inputs, mask: c.mask)
        case let l as EinsumDense: return [try einsumDense(l, c, try one())]
        case let l as MultiHeadAttention: return try multiHeadAttention(l, c, inputs)
        case let l as GroupedQueryAttention: return try groupedQueryAttention(l, c, inputs)
        case let l as Attention: return try dotAttention(l, c, inputs)
        case let l as AdditiveAttention: return try additiveAttention(l, c, inputs)
        case let l as TimeDistributed: return [try timeDistributed(l, c, try one())]
        case let l as RMSNormalization: return [try rmsNormalization(l, c, try one())]
        case let l as AdaptivePooling: return [try adaptivePooling(l, c, try one())]
        case let l as LocallyConnected: return [try locallyConnected(l, c, try one())]
        case let l as STFTSpectrogram: return [try stftSpectrogram(l, c, try one())]
        case let l as Pipeline: return [try pipeline(l, c, try one())]
        case let l as SpectralNormalization: return try spectralNormalization(l, c, inputs)
        case let l as RandomCrop: return [try randomCrop(l, c, try one())]
        case let l as AutoContrast: return [try autoContrast(l, c, try one())]
        case let l as ReversibleEmbedding: return [try reversibleEmbedding(l, c, try one())]
        case is OpaqueLayer:
            throw c.error("not supported by KerasPort, so it has no ONNX mapping")
        default:
            throw c.error("no ONNX mapping for this layer class")
        }
    }

    // MARK: - Helpers

    func unary(_ op: String, _ x: ONNXValue, _ c: LayerContext, _ attributes: [Onnx_AttributeProto] = []) -> ONNXValue {
        ONNXValue(name: b.op(op, [x.name], scope: c.scope, attributes), layout: x.layout, shape: x.shape)
    }

    func binary(_ op: String, _ x: String, _ y: String, _ c: LayerContext) -> String {
        b.op(op, [x, y], scope: c.scope)
    }

    /// `Reduce*` over ONNX axes: axes as an attribute before opset 18 (13 for ReduceSum), as an input from then on.
    func reduce(_ op: String, _ x: String, axes: [Int], keepDims: Bool, _ c: LayerContext) -> String {
        let axesAsInput = op == "ReduceSum" ? opset >= 13 : opset >= 18
        if axesAsInput {
            return b.op(op, [x, b.int64s(axes)], scope: c.scope, [b.attr("keepdims", int: keepDims ? 1 : 0)])
        }
        return b.op(op, [x], scope: c.scope, [b.attr("axes", ints: axes), b.attr("keepdims", int: keepDims ? 1 : 0)])
    }

    /// The input laid out with channels on axis 1, as ONNX's spatial ops want it.
    func spatialInput(_ x: ONNXValue, _ dataFormat: DataFormat) -> ONNXValue {
        b.converted(x, to: dataFormat == .channelsLast ? .channelsFirst : .native)
    }

    /// The output of a spatial op (channels on axis 1); under `--layout nhwc` turned back to Keras' layout at once.
    func spatialOutput(_ name: String, _ dataFormat: DataFormat, shape: Shape) -> ONNXValue {
        let v = ONNXValue(name: name, layout: dataFormat == .channelsLast ? .channelsFirst : .native, shape: shape)
        if b.options.layout == .nhwc { return b.converted(v, to: .native) }
        return v
    }

    /// The Keras spatial sizes of `shape` (without batch and channels).
    func spatialSizes(_ shape: Shape, _ dataFormat: DataFormat) -> [Int?] {
        dataFormat == .channelsLast ? Array(shape.dropFirst().dropLast()) : Array(shape.dropFirst(2))
    }

    /// Explicit `pads` (begins, then ends) for TensorFlow's padding, or `auto_pad` SAME_UPPER (TensorFlow's "same":
    /// the odd pixel at the end) where an input size is unknown and the stride is above 1.
    func padAttributes(_ padding: Padding, input: [Int?], kernel: [Int], strides: [Int], dilation: [Int],
                       _ c: LayerContext) throws -> [Onnx_AttributeProto] {
        let n = kernel.count
        guard strides.count == n, dilation.count == n, input.count == n else {
            throw c.error("kernel \(kernel), strides \(strides), dilation \(dilation) and input \(input) disagree in rank")
        }
        switch padding {
        case .valid:
            return [b.attr("pads", ints: [Int](repeating: 0, count: 2 * n))]
        case .causal:
            return [b.attr("pads", ints: (0..<n).map { (kernel[$0] - 1) * dilation[$0] } + [Int](repeating: 0, count: n))]
        case .same:
            var begins: [Int] = [], ends: [Int] = []
            for i in 0..<n {
                let effective = (kernel[i] - 1) * dilation[i] + 1
                let total: Int
                if let size = input[i] {
                    let out = (size + strides[i] - 1) / strides[i]
                    total = max((out - 1) * strides[i] + effective - size, 0)
                } else if strides[i] == 1 {
                    total = effective - 1
                } else {
                    return [b.attr("auto_pad", string: "SAME_UPPER")]
                }
                begins.append(total / 2)
                ends.append(total - total / 2)
            }
            return [b.attr("pads", ints: begins + ends)]
        }
    }

    /// A Keras kernel `(k…, in, out)` as ONNX `(out, in, k…)`.
    func convKernel(_ kernel: Tensor) -> (shape: [Int], values: [Float]) {
        let r = kernel.rank
        return permute(kernel.scalars, shape: kernel.shape, perm: [r - 1, r - 2] + Array(0..<(r - 2)))
    }
}
