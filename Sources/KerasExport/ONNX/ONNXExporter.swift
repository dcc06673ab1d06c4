public import Foundation
public import KerasGraph
import ONNXProto
import SwiftProtobuf

/// How ``ONNXExporter`` writes a model.
public struct ONNXExportOptions: Sendable, Equatable {
    /// The layout of the tensors between convolution-like ops inside the exported graph.
    public enum Layout: String, Sendable, Equatable, CaseIterable {
        /// Convolutions, pooling and resizing run in NCHW (ONNX's layout): one transpose where a channels-last
        /// stretch of the model begins and one where it ends; element-wise ops in between stay channels-first.
        case nchw
        /// Every tensor stays in Keras' channels-last layout; each convolution-like op is wrapped in its own pair of
        /// transposes (ONNX convolutions are NCHW only).
        case nhwc
    }

    /// How PReLU is written.
    public enum PReLUForm: String, Sendable, Equatable, CaseIterable {
        /// ONNX `PRelu` with the slope laid out to broadcast against the input (the standard op).
        case prelu
        /// `relu(x) − α·relu(−x)`, TensorFlow's own formula (and Keras' ONNX export's): four element-wise ops that
        /// ONNX Runtime 1.32 runs faster than its `PRelu` kernel on large tensors. Same values (piecewise, never
        /// `max(x, αx)`).
        case decomposed
    }

    /// The ONNX operator set (default opset, domain ""); 13–21.
    public var opset: Int
    public var layout: Layout
    public var preluForm: PReLUForm
    /// Written as the model's `producer_version`.
    public var producerVersion: String
    /// Only these outputs (their ONNX names: the Keras layer names, `name_1`, … for a layer's further outputs), and
    /// only the layers they need, e.g. to leave out a part of the model that has no ONNX mapping; `nil`: every
    /// output. The model's inputs are all kept.
    public var outputs: [String]?

    public init(opset: Int = ONNXExporter.defaultOpset, layout: Layout = .nchw, preluForm: PReLUForm = .prelu,
                producerVersion: String = "", outputs: [String]? = nil) {
        self.opset = opset
        self.layout = layout
        self.preluForm = preluForm
        self.producerVersion = producerVersion
        self.outputs = outputs
    }
}

/// An export that cannot be done: one line naming the layer (and class) or option involved.
public struct ONNXExportError: Error, CustomStringConvertible, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// One input or output of an exported model, as the ONNX graph declares it.
public struct ONNXTensorSignature: Sendable, Equatable {
    public enum ElementType: String, Sendable, Equatable {
        case float32, int32, int64
        /// The Triton `DataType` name.
        public var tritonName: String {
            switch self {
            case .float32: "TYPE_FP32"
            case .int32: "TYPE_INT32"
            case .int64: "TYPE_INT64"
            }
        }
    }

    public var name: String
    public var elementType: ElementType
    /// Keras' shape, batch axis first; `nil` is a dynamic axis.
    public var shape: Shape
}

/// Writes a Keras model graph as an ONNX model: standard ONNX ops only (default domain), float32, a dynamic batch
/// axis, Keras' input and output names and channels-last shapes at the boundary.
///
/// ```swift
/// let graph = try KerasFile.open("model.h5").loadGraph()
/// let bytes = try ONNXExporter.export(graph)                         // opset 17, NCHW inside
/// try bytes.write(to: URL(fileURLWithPath: "model.onnx"))
/// ```
///
/// A layer with no mapping is refused with an error naming it and its class.
public enum ONNXExporter {
    public static let defaultOpset = 17
    public static let supportedOpsets = 13...21

    /// The serialized ONNX `ModelProto`.
    /// - Throws: ``ONNXExportError`` for an unmapped layer, an option it cannot honour, or an opset out of range;
    ///   ``GraphError`` when the graph itself is inconsistent.
    public static func export(_ graph: ModelGraph, options: ONNXExportOptions = ONNXExportOptions()) throws -> Data {
        try exportModel(graph, options: options).model.serializedData()
    }

    /// The serialized model with its inputs and outputs (names, element types, Keras shapes), e.g. for a Triton
    /// config.
    public static func exportWithSignature(_ graph: ModelGraph, options: ONNXExportOptions = ONNXExportOptions()) throws
        -> (model: Data, inputs: [ONNXTensorSignature], outputs: [ONNXTensorSignature])
    {
        let r = try exportModel(graph, options: options)
        return (try r.model.serializedData(), r.inputs, r.outputs)
    }

    /// The ONNX IR version that goes with an opset (the one the ONNX release introducing the opset wrote).
    static func irVersion(opset: Int) -> Int64 {
        switch opset {
        case ...14: 7
        case 15...18: 8
        case 19...20: 9
        default: 10
        }
    }

    struct Result {
        var model: Onnx_ModelProto
        var inputs: [ONNXTensorSignature]
        var outputs: [ONNXTensorSignature]
    }

    static func exportModel(_ graph: ModelGraph, options: ONNXExportOptions) throws -> Result {
        guard supportedOpsets.contains(options.opset) else {
            throw ONNXExportError("opset \(options.opset) is not supported (give \(supportedOpsets.lowerBound)–\(supportedOpsets.upperBound))")
        }
        let analysis = try GraphAnalysis.analyze(graph)
        let builder = ONNXGraphBuilder(options: options)
        let emitter = ONNXLayerEmitter(builder: builder)

        // Inputs: Keras' input layer names, Keras' shapes.
        var inputs: [ONNXTensorSignature] = []
        var inputValues: [ONNXValue] = []
        for (i, ref) in graph.inputs.enumerated() {
            guard let node = graph.node(named: ref.layer), let input = node.layer as? InputLayer else {
                throw ONNXExportError("model input \(i) `\(ref.layer)` is not an InputLayer")
            }
            guard let shape = analysis.modelInputShapes[i] ?? input.batchShape else {
                throw ONNXExportError("model input `\(ref.layer)`: its shape is unknown")
            }
            let type = try elementType(ofInput: input)
            let name = builder.reserve(ref.layer)
            inputs.append(ONNXTensorSignature(name: name, elementType: type, shape: shape))
            builder.graph.input.append(builder.valueInfo(name: name, type: type, shape: shape))
            inputValues.append(ONNXValue(name: name, layout: .native, shape: shape))
        }
        // Output names: the layer producing each output; a layer's further outputs `name_1`, `name_2`, … (Keras 2's
        // names; Keras 3 repeats the layer name, which ONNX cannot).
        var outputNames: [String] = []
        for (i, ref) in graph.outputs.enumerated() {
            var name = ref.layer
            let earlier = graph.outputs[..<i].filter { $0.layer == ref.layer }.count
            if earlier > 0 { name += "_\(earlier)" }
            if builder.isReserved(name) { name += "_output\(i)" }
            outputNames.append(builder.reserve(name))
        }
        var selected = Array(graph.outputs.indices)
        if let wanted = options.outputs {
            guard !wanted.isEmpty else { throw ONNXExportError("no outputs selected (the model's outputs: \(outputNames.joined(separator: ", ")))") }
            selected = try wanted.map { name in
                guard let i = outputNames.firstIndex(of: name) else {
                    throw ONNXExportError("output `\(name)` is not an output of the model (its outputs: \(outputNames.joined(separator: ", ")))")
                }
                return i
            }
        }

        let outs = try emitter.emit(graph: graph, analysis: analysis, inputs: inputValues, prefix: "",
                                    only: options.outputs == nil ? nil : selected.map { graph.outputs[$0] })
        var outputs: [ONNXTensorSignature] = []
        for (i, value) in outs.enumerated() where selected.contains(i) {
            let native = builder.converted(value, to: .native)
            builder.node("Identity", [native.name], outputs: [outputNames[i]], name: "\(outputNames[i])/output")
            let shape = analysis.modelOutputShapes[i] ?? value.shape
            outputs.append(ONNXTensorSignature(name: outputNames[i], elementType: .float32, shape: shape))
            builder.graph.output.append(builder.valueInfo(name: outputNames[i], type: .float32, shape: shape))
        }

        var model = Onnx_ModelProto()
        model.irVersion = irVersion(opset: options.opset)
        model.producerName = "keras-port"
        model.producerVersion = options.producerVersion
        model.docString = "Exported from the Keras model `\(graph.name)` by keras-port."
        var opset = Onnx_OperatorSetIdProto()
        opset.domain = ""
        opset.version = Int64(options.opset)
        model.opsetImport = [opset]
        builder.graph.name = graph.name.isEmpty ? "model" : graph.name
        model.graph = builder.graph
        return Result(model: model, inputs: inputs, outputs: outputs)
    }

    static func elementType(ofInput input: InputLayer) throws -> ONNXTensorSignature.ElementType {
        switch input.common.dtype {
        case "float32", "float16", "float64", "bfloat16", "mixed_float16", "mixed_bfloat16", "": .float32
        case "int32", "uint8", "int8", "int16", "uint16", "bool": .int32
        case "int64", "uint32", "uint64": .int64
        default:
            throw ONNXExportError("model input `\(input.name)`: dtype `\(input.common.dtype)` has no ONNX mapping")
        }
    }
}
