import Foundation
@testable import KerasExport
import KerasGraph
import ONNXProto
import SwiftProtobuf
import TensorModule
import Testing

// MARK: - Graph building helpers

func common(_ name: String) -> LayerCommon { LayerCommon(name: name) }

func input(_ name: String, _ shape: Shape) -> LayerNode {
    LayerNode(layer: InputLayer(common: common(name), batchShape: shape), calls: [])
}

func call(_ layer: any Layer, _ from: String...) -> LayerNode {
    LayerNode(layer: layer, calls: [LayerCall(inputs: from.map { TensorRef(layer: $0) })])
}

/// Distinct values 0.01, 0.02, … so that a permuted layout shows.
func ramp(_ shape: [Int], scale: Float = 0.01) -> Tensor {
    let n = shape.reduce(1, *)
    return Tensor(shape: shape, scalars: (0..<n).map { Float($0 + 1) * scale })
}

/// A 1×1 Conv2D (or Conv1D for rank 3) so that the exporter runs the following layer channels-first.
func pointwiseConv(_ name: String, rank: Int, channels: Int, from: String) -> LayerNode {
    if rank == 3 {
        return call(Conv1D(common: common(name), filters: channels, kernelSize: [1],
                           weights: [Weight(name: "kernel", tensor: ramp([1, channels, channels])),
                                     Weight(name: "bias", tensor: ramp([channels]))]), from)
    }
    return call(Conv2D(common: common(name), filters: channels, kernelSize: [1, 1],
                       weights: [Weight(name: "kernel", tensor: ramp([1, 1, channels, channels])),
                                 Weight(name: "bias", tensor: ramp([channels]))]), from)
}

func graph(_ nodes: [LayerNode], inputs: [String], outputs: [String]) -> ModelGraph {
    ModelGraph(name: "m", kind: .functional, nodes: nodes, inputs: inputs.map { TensorRef(layer: $0) },
               outputs: outputs.map { TensorRef(layer: $0) })
}

func exported(_ g: ModelGraph, opset: Int = 17, layout: ONNXExportOptions.Layout = .nchw) throws -> Onnx_ModelProto {
    let data = try ONNXExporter.export(g, options: ONNXExportOptions(opset: opset, layout: layout))
    return try Onnx_ModelProto(serializedBytes: data)
}

extension Onnx_ModelProto {
    func nodes(_ op: String) -> [Onnx_NodeProto] { graph.node.filter { $0.opType == op } }
    func initializer(_ name: String) -> Onnx_TensorProto? { graph.initializer.first { $0.name == name } }
}

extension Onnx_NodeProto {
    func attribute(_ name: String) -> Onnx_AttributeProto? { attribute.first { $0.name == name } }
}

extension Onnx_TensorProto {
    var floats: [Float] {
        rawData.withUnsafeBytes { raw in
            (0..<(raw.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
        }
    }
}

/// Every subset of 1..<rank (Keras' `shared_axes` choices for a rank-`rank` input).
func sharedAxesCombinations(rank: Int) -> [[Int]] {
    let axes = Array(1..<rank)
    return (0..<(1 << axes.count)).map { mask in axes.enumerated().filter { mask & (1 << $0.offset) != 0 }.map(\.element) }
}

struct PReLUCase: CustomStringConvertible, Sendable {
    var rank: Int
    var sharedAxes: [Int]
    var layout: ONNXExportOptions.Layout
    var description: String { "rank \(rank) shared_axes \(sharedAxes) \(layout.rawValue)" }

    static let all: [PReLUCase] = [3, 4, 5].flatMap { rank in
        sharedAxesCombinations(rank: rank).flatMap { axes in
            ONNXExportOptions.Layout.allCases.map { PReLUCase(rank: rank, sharedAxes: axes, layout: $0) }
        }
    }
}

@Suite("ONNX export: graph structure")
struct ONNXExportTests {
    @Test("LeakyReLU becomes LeakyRelu with alpha always written, also when it equals ONNX's default")
    func leakyReluAlpha() throws {
        for slope: Float in [0.3, 0.01, 0.2, 1.7, -0.5] {
            let g = graph([input("x", [nil, 4]), call(LeakyReLU(common: common("lrelu"), negativeSlope: slope), "x")],
                          inputs: ["x"], outputs: ["lrelu"])
            let m = try exported(g)
            let nodes = m.nodes("LeakyRelu")
            try #require(nodes.count == 1)
            let alpha = try #require(nodes[0].attribute("alpha"))
            #expect(alpha.type == .float && alpha.f == slope)
            #expect(m.nodes("Max").isEmpty, "LeakyReLU must not be written as max(x, αx)")
        }
    }

    @Test("Keras 2's slope-0 LeakyReLU is Relu; the leaky_relu activation keeps its slope")
    func leakyReluSpecialForms() throws {
        let g = graph([input("x", [nil, 4]),
                       call(LeakyReLU(common: common("l0"), negativeSlope: 0, reluWhenSlopeIsZero: true), "x"),
                       call(Dense(common: common("d"), units: 2, activation: Activation(.leakyReLU(negativeSlope: 0.2), spelling: .name("leaky_relu")),
                                  weights: [Weight(name: "kernel", tensor: ramp([4, 2])), Weight(name: "bias", tensor: ramp([2]))]), "l0")],
                      inputs: ["x"], outputs: ["d"])
        let m = try exported(g)
        #expect(m.nodes("Relu").count == 1)
        let leaky = m.nodes("LeakyRelu")
        try #require(leaky.count == 1)
        #expect(leaky[0].attribute("alpha")?.f == 0.2)
        #expect(m.nodes("Gemm").count == 1)
    }

    /// The slope must broadcast unidirectionally against the PRelu input as laid out in the graph: it is Keras'
    /// alpha with the batch axis in front, permuted like the input, the leading 1 dropped.
    @Test("PReLU slope is laid out to broadcast against its input, for every shared_axes and rank", arguments: PReLUCase.all)
    func preluSlope(_ c: PReLUCase) throws {
        let shape: [Int] = Array([5, 4, 3, 2].suffix(c.rank - 1))   // (…, C) with C last
        let channels = shape.last!
        let alphaShape = shape.enumerated().map { c.sharedAxes.contains($0.offset + 1) ? 1 : $0.element }
        let alpha = ramp(alphaShape, scale: -0.1)
        var nodes = [input("x", [nil] + shape)]
        var from = "x"
        if c.rank <= 4 {   // a convolution first, so that the NCHW export runs the PReLU channels-first
            nodes.append(pointwiseConv("conv", rank: c.rank, channels: channels, from: "x"))
            from = "conv"
        }
        nodes.append(call(PReLU(common: common("prelu"), sharedAxes: c.sharedAxes.isEmpty ? nil : c.sharedAxes,
                                weights: [Weight(name: "alpha", tensor: alpha)]), from))
        let m = try exported(graph(nodes, inputs: ["x"], outputs: ["prelu"]), layout: c.layout)
        let prelu = try #require(m.nodes("PRelu").first)
        let slope = try #require(m.initializer(prelu.input[1]))
        #expect(m.nodes("Max").isEmpty)
        let channelsFirst = c.layout == .nchw && c.rank <= 4
        // Expected: alpha index (i1, …, i_{r-1}) sits at (i_{r-1}, i1, …, i_{r-2}) channels-first.
        let expectedShape = channelsFirst ? [alphaShape.last!] + alphaShape.dropLast() : alphaShape
        // Leading 1s are dropped (broadcasting aligns from the right), keeping at least one axis.
        var trimmed = expectedShape
        while trimmed.count > 1, trimmed.first == 1 { trimmed.removeFirst() }
        #expect(slope.dims.map(Int.init) == trimmed)
        var expected = [Float](repeating: .nan, count: alpha.count)
        var strides = [Int](repeating: 1, count: expectedShape.count)
        for i in stride(from: expectedShape.count - 2, through: 0, by: -1) { strides[i] = strides[i + 1] * expectedShape[i + 1] }
        for flat in 0..<alpha.count {
            var rest = flat, index = [Int](repeating: 0, count: alphaShape.count)
            for k in stride(from: alphaShape.count - 1, through: 0, by: -1) {
                index[k] = rest % alphaShape[k]
                rest /= alphaShape[k]
            }
            let target = channelsFirst ? [index.last!] + index.dropLast() : index
            expected[zip(target, strides).reduce(0) { $0 + $1.0 * $1.1 }] = alpha.scalars[flat]
        }
        #expect(slope.floats == expected)
        // Unidirectional broadcast: the slope's trailing dims each equal the input's or are 1.
        let inputDims = channelsFirst ? [channels] + shape.dropLast() : shape
        for (s, x) in zip(slope.dims.reversed(), inputDims.reversed()) { #expect(s == 1 || Int(s) == x) }
    }

    @Test("a Conv2D stack in NCHW has one transpose at each end; --layout nhwc wraps each convolution")
    func transposesAtBoundaries() throws {
        let g = graph([input("img", [nil, 6, 6, 3]),
                       pointwiseConv("c1", rank: 4, channels: 3, from: "img"),
                       call(PReLU(common: common("p"), sharedAxes: [1, 2], weights: [Weight(name: "alpha", tensor: ramp([1, 1, 3]))]), "c1"),
                       pointwiseConv("c2", rank: 4, channels: 3, from: "p"),
                       call(LeakyReLU(common: common("l"), negativeSlope: 0.2), "c2"),
                       pointwiseConv("c3", rank: 4, channels: 3, from: "l"),
                       call(Flatten(common: common("flat")), "c3")],
                      inputs: ["img"], outputs: ["flat"])
        let nchw = try exported(g)
        #expect(nchw.nodes("Transpose").count == 2)
        #expect(nchw.nodes("Conv").count == 3)
        let nhwc = try exported(g, layout: .nhwc)
        #expect(nhwc.nodes("Transpose").count == 6)
    }

    @Test("inputs and outputs keep Keras' names and channels-last shapes with a dynamic batch axis")
    func boundary() throws {
        let g = graph([input("image", [nil, 6, 6, 3]), pointwiseConv("features", rank: 4, channels: 3, from: "image")],
                      inputs: ["image"], outputs: ["features"])
        let m = try exported(g)
        #expect(m.graph.input.map(\.name) == ["image"])
        #expect(m.graph.output.map(\.name) == ["features"])
        for v in [m.graph.input[0], m.graph.output[0]] {
            let dims = v.type.tensorType.shape.dim
            #expect(dims.count == 4)
            #expect(dims[0].dimParam == "batch")
            #expect(dims.dropFirst().map(\.dimValue) == [6, 6, 3])
            #expect(v.type.tensorType.elemType == Int32(Onnx_TensorProto.DataType.float.rawValue))
        }
        #expect(m.opsetImport.map(\.version) == [17])
        #expect(m.irVersion == 8)
        #expect(m.opsetImport.allSatisfy { $0.domain.isEmpty })
    }

    @Test("Reduce ops take axes as an attribute before opset 18 and as an input from 18")
    func reduceAxesByOpset() throws {
        // Channels-last input straight from the model input (no convolution before): ReduceMean over axes 1, 2.
        let g = graph([input("x", [nil, 4, 4, 3]), call(GlobalAveragePooling2D(common: common("gap")), "x")],
                      inputs: ["x"], outputs: ["gap"])
        let old = try #require(try exported(g, opset: 17).nodes("ReduceMean").first)
        #expect(old.input.count == 1)
        #expect(old.attribute("axes")?.ints == [1, 2])
        let new = try #require(try exported(g, opset: 18).nodes("ReduceMean").first)
        #expect(new.input.count == 2)
        #expect(new.attribute("axes") == nil)
        for opset in ONNXExporter.supportedOpsets {
            #expect(try exported(g, opset: opset).opsetImport.first?.version == Int64(opset))
        }
    }

    @Test("a shared layer's weights are written once; each call gets its own nodes")
    func sharedLayer() throws {
        let dense = Dense(common: common("shared"), units: 3,
                          weights: [Weight(name: "kernel", tensor: ramp([4, 3])), Weight(name: "bias", tensor: ramp([3]))])
        let node = LayerNode(layer: dense, calls: [LayerCall(inputs: [TensorRef(layer: "a")]), LayerCall(inputs: [TensorRef(layer: "b")])])
        let g = ModelGraph(name: "m", kind: .functional, nodes: [input("a", [nil, 4]), input("b", [nil, 4]), node],
                           inputs: [TensorRef(layer: "a"), TensorRef(layer: "b")],
                           outputs: [TensorRef(layer: "shared", node: 0), TensorRef(layer: "shared", node: 1)])
        let m = try exported(g)
        #expect(m.nodes("Gemm").count == 2)
        #expect(m.graph.initializer.count == 2)
        #expect(m.graph.output.map(\.name) == ["shared", "shared_1"])
    }

    @Test("an opset outside 13–21 is refused")
    func opsetRange() throws {
        let g = graph([input("x", [nil, 4]), call(LeakyReLU(common: common("l")), "x")], inputs: ["x"], outputs: ["l"])
        for opset in [12, 22] {
            #expect(throws: ONNXExportError.self) { try exported(g, opset: opset) }
        }
    }

    @Test("an unmapped layer is refused with one line naming the layer and its class")
    func unmappedLayer() throws {
        for recorded: [[Shape?]?] in [[[[nil, 2]]], []] {   // with and without output shapes in the file
            let opaque = OpaqueLayer(className: "MyScale", common: common("scale_1"), config: .object([]),
                                     recordedOutputShapes: recorded)
            let g = graph([input("x", [nil, 2]), call(opaque, "x"), call(LeakyReLU(common: common("after")), "scale_1")],
                          inputs: ["x"], outputs: ["after"])
            do {
                _ = try exported(g)
                Issue.record("an OpaqueLayer was exported")
            } catch {
                let text = "\(error)"
                #expect(text.contains("`scale_1`") && text.contains("MyScale") && text.contains("no ONNX mapping"), "\(text)")
                #expect(!text.contains("\n"))
            }
        }
    }

    @Test("depth_to_space maps to DepthToSpace in mode DCR (TensorFlow's channel order)")
    func depthToSpaceHelper() throws {
        let builder = ONNXGraphBuilder(options: ONNXExportOptions())
        let emitter = ONNXLayerEmitter(builder: builder)
        let layer = LeakyReLU(common: common("d2s"))   // any layer: the context only names it in errors
        let context = ONNXLayerEmitter.LayerContext(layer: layer, path: "d2s", scope: "d2s",
                                                    outputShapes: [[nil, 8, 8, 2]], nested: nil)
        let x = ONNXValue(name: "x", layout: .native, shape: [nil, 4, 4, 8])
        let y = try emitter.depthToSpace(context, x, blockSize: 2)
        let node = try #require(builder.graph.node.first { $0.opType == "DepthToSpace" })
        #expect(node.attribute("mode")?.s == Data("DCR".utf8))
        #expect(node.attribute("blocksize")?.i == 2)
        #expect(y.layout == .channelsFirst)
        #expect(builder.graph.node.filter { $0.opType == "Transpose" }.count == 1)
    }

    @Test("Triton config.pbtxt declares names, types, dims without the batch axis and max_batch_size")
    func tritonConfig() throws {
        let repo = TritonModelRepository(
            name: "classifier", maxBatchSize: 16,
            inputs: [ONNXTensorSignature(name: "image", elementType: .float32, shape: [nil, 224, 224, 3]),
                     ONNXTensorSignature(name: "tokens", elementType: .int32, shape: [nil, nil])],
            outputs: [ONNXTensorSignature(name: "probs", elementType: .float32, shape: [nil, 1000])])
        let text = repo.configText
        #expect(text.contains("name: \"classifier\"\nplatform: \"onnxruntime_onnx\"\nmax_batch_size: 16\n"))
        #expect(text.contains("name: \"image\"\n    data_type: TYPE_FP32\n    dims: [ 224, 224, 3 ]"))
        #expect(text.contains("name: \"tokens\"\n    data_type: TYPE_INT32\n    dims: [ -1 ]"))
        #expect(text.contains("output [\n  {\n    name: \"probs\"\n    data_type: TYPE_FP32\n    dims: [ 1000 ]"))
        #expect(!TritonModelRepository.isValidName("../x"))
        #expect(TritonModelRepository.isValidName("model_v2.1-a"))
    }
}
