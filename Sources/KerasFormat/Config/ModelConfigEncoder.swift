import KerasGraph

/// Which Keras model config to write.
package enum ModelConfigFlavor: String, Sendable, CaseIterable {
    /// The legacy `.h5` `model_config` of tf_keras 2.x: Keras 2 layer configs, `batch_input_shape`,
    /// `[[[layer, node, tensor, {}], …]]` inbound nodes, `input_layers`/`output_layers` as lists of triples.
    /// Loads in tf_keras and in Keras 3.
    case keras2
    /// The legacy `.h5` `model_config` of Keras 3 (`use_legacy_config=True`): Keras 3 layer configs, `batch_shape`,
    /// `DTypePolicy` objects, `{"args", "kwargs"}` inbound nodes with `__keras_tensor__` objects (shapes included),
    /// one input/output written as a flat triple. Loads in Keras 3 only.
    case keras3
    /// A `.keras` archive's `config.json`: as ``keras3``, with `module`, `registered_name` and `build_config` on
    /// every layer and on the model. `compile_config` is not written (writers add it when they have one).
    case kerasArchive

    /// The dialect of the layer configs.
    package var dialect: ConfigDialect { self == .keras2 ? .keras2 : .keras3 }
}

/// Writes a ``ModelGraph`` as a Keras model config, the inverse of ``ModelConfigParser``.
///
/// Layer configs come from ``ConfigEncodable/configJSON(dialect:)``; an ``OpaqueLayer`` writes its config as read.
///
/// ```swift
/// let json = try ModelConfigEncoder.encode(graph, flavor: .keras2).serialized()
/// ```
package struct ModelConfigEncoder {
    /// The model config of `graph` (the `{"class_name", "config"}` object, plus the archive keys for
    /// ``ModelConfigFlavor/kerasArchive``).
    /// - Throws: ``FormatError`` naming the layer: a layer with no config encoder, a Sequential model that is not
    ///   a chain, an input of unknown shape in a Functional model, or a graph whose references do not resolve.
    package static func encode(_ graph: ModelGraph, flavor: ModelConfigFlavor) throws -> JSONValue {
        try Encoder(flavor: flavor).topLevel(graph)
    }

    /// ``encode(_:flavor:)`` as JSON text, written as Python's `json.dumps` writes it.
    package static func encodeJSON(_ graph: ModelGraph, flavor: ModelConfigFlavor) throws -> String {
        try encode(graph, flavor: flavor).serialized()
    }

    /// Layer classes that Keras 3 builds in `__init__`, so that a `.keras` archive has no `build_config` for them.
    static let builtAtInit: Set<String> = [
        "Activation", "ActivityRegularization", "AlphaDropout", "Dropout", "ELU", "GaussianDropout", "GaussianNoise",
        "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalAveragePooling3D", "GlobalMaxPooling1D",
        "GlobalMaxPooling2D", "GlobalMaxPooling3D", "Identity", "LeakyReLU", "Masking", "UnitNormalization", "MaxPooling1D", "MaxPooling2D", "MaxPooling3D",
        "AveragePooling1D", "AveragePooling2D", "AveragePooling3D", "ReLU", "Reshape", "Softmax",
        "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D",
    ]

    /// Layer classes whose several inputs are separate positional arguments in Keras 3 (`layer(q, v)`), rather than
    /// one list argument (`Add()([a, b])`).
    static let positionalInputs: Set<String> = ["MultiHeadAttention", "GroupedQueryAttention"]
}

private struct Encoder {
    let flavor: ModelConfigFlavor
    var dialect: ConfigDialect { flavor.dialect }

    func topLevel(_ graph: ModelGraph) throws -> JSONValue {
        let (className, config, buildConfig) = try model(graph, name: graph.name, trainable: true, dtype: "float32")
        switch flavor {
        case .keras2, .keras3:
            return .object([("class_name", .string(className)), ("config", config)])
        case .kerasArchive:
            return .object(archiveHeader(className) + [("config", config)] + archiveRegistration(className)
                + [("build_config", buildConfig)])
        }
    }

    func archiveHeader(_ modelClass: String) -> [(String, JSONValue)] {
        let module = modelClass == "Sequential" ? "keras" : "keras.src.models.functional"
        return [("module", .string(module)), ("class_name", .string(modelClass))]
    }

    func archiveRegistration(_ modelClass: String) -> [(String, JSONValue)] {
        [("registered_name", modelClass == "Sequential" ? .null : .string(modelClass))]
    }

    /// A model's class name, its `config`, and its archive `build_config`.
    func model(_ graph: ModelGraph, name: String, trainable: Bool,
               dtype: String) throws -> (String, JSONValue, JSONValue) {
        let analysis = try? GraphAnalysis.analyze(graph, checkWeights: false)
        switch graph.kind {
        case .sequential:
            return try sequential(graph, name: name, trainable: trainable, dtype: dtype, analysis: analysis)
        case .functional:
            return try functional(graph, name: name, trainable: trainable, analysis: analysis)
        }
    }

    // MARK: Sequential

    func sequential(_ graph: ModelGraph, name: String, trainable: Bool, dtype: String,
                    analysis: GraphAnalysis?) throws -> (String, JSONValue, JSONValue) {
        // The graph must be the chain a Sequential model is: an input layer, then one call per layer on the
        // previous layer's output.
        var inputShape: Shape?
        var entries: [JSONValue] = []
        for (n, node) in graph.nodes.enumerated() {
            if n == 0, let input = node.layer as? InputLayer, node.calls.isEmpty {
                inputShape = input.batchShape
                // An unbuilt model's input has no shape to write; Keras then has no InputLayer entry either.
                if input.batchShape != nil { entries.append(try layerEntry(node, index: n, graph: graph, analysis: analysis)) }
                continue
            }
            guard n > 0, node.calls.count == 1,
                  node.calls[0].inputs == [TensorRef(layer: graph.nodes[n - 1].name)] else {
                throw FormatError(object: "model `\(name)`, layer `\(node.name)` (\(node.layer.className))",
                                  "a Sequential model must be a chain of single calls starting at an input layer")
            }
            entries.append(try layerEntry(node, index: n, graph: graph, analysis: analysis))
        }

        var config: [(String, JSONValue)] = [("name", .string(name))]
        if dialect == .keras3 {
            config += [("trainable", .bool(trainable)), ("dtype", ConfigEncoding.dtype(dtype, dialect))]
        }
        config.append(("layers", .array(entries)))
        if dialect == .keras3, let inputShape { config.append(("build_input_shape", ConfigEncoding.shape(inputShape))) }
        return ("Sequential", .object(config), .object([("input_shape", ConfigEncoding.shape(inputShape))]))
    }

    // MARK: Functional

    func functional(_ graph: ModelGraph, name: String, trainable: Bool,
                    analysis: GraphAnalysis?) throws -> (String, JSONValue, JSONValue) {
        var entries: [JSONValue] = []
        for (n, node) in graph.nodes.enumerated() {
            if let input = node.layer as? InputLayer, input.batchShape == nil {
                throw FormatError(object: "layer `\(node.name)` (InputLayer)", "the input shape is unknown, so it cannot be written")
            }
            entries.append(try layerEntry(node, index: n, graph: graph, analysis: analysis))
        }
        let inputs = try graph.inputs.map { try historyTriple($0, graph: graph, analysis: analysis, object: "model `\(name)` inputs") }
        let outputs = try graph.outputs.map { try historyTriple($0, graph: graph, analysis: analysis, object: "model `\(name)` outputs") }
        let config: [(String, JSONValue)] = [
            ("name", .string(name)), ("trainable", .bool(trainable)), ("layers", .array(entries)),
            ("input_layers", tripleList(inputs)), ("output_layers", tripleList(outputs)),
        ]
        return ("Functional", .object(config), .object([("input_shape", .null)]))
    }

    /// Keras 3 writes one triple flat, several as a list; Keras 2 always a list.
    func tripleList(_ triples: [JSONValue]) -> JSONValue {
        if dialect == .keras3 && triples.count == 1 { return triples[0] }
        return .array(triples)
    }

    /// `[layer, node, tensor]`, with Keras 2's numbering of a nested model's calls (from 1: its own construction
    /// node is node 0).
    func historyTriple(_ ref: TensorRef, graph: ModelGraph, analysis: GraphAnalysis?, object: String) throws -> JSONValue {
        let producer = try producer(of: ref, graph: graph, analysis: analysis, object: object)
        var node = ref.node
        if dialect != .keras3, let nested = producer.layer as? NestedModel, !nested.graph.inputs.isEmpty { node += 1 }
        return .array([.string(ref.layer), .number(Double(node)), .number(Double(ref.tensor))])
    }

    // MARK: Layers

    func layerEntry(_ node: LayerNode, index n: Int, graph: ModelGraph, analysis: GraphAnalysis?) throws -> JSONValue {
        let layer = node.layer
        let object = "layer `\(node.name)` (\(layer.className))"
        let firstInputs = analysis?.inputShapes[GraphAnalysis.CallID(node: n, call: 0)]

        let className: String
        let config: JSONValue
        var module = "keras.layers"
        var registered: JSONValue = .null
        var buildConfig: JSONValue?
        var isModel = false

        switch layer {
        case let input as InputLayer:
            className = "InputLayer"
            config = input.configJSON(dialect: dialect)
        case let nested as NestedModel:
            let (cls, cfg, build) = try model(nested.graph, name: nested.name, trainable: nested.common.trainable,
                                              dtype: nested.common.dtype)
            className = cls
            config = cfg
            module = cls == "Sequential" ? "keras" : "keras.src.models.functional"
            registered = cls == "Sequential" ? .null : .string(cls)
            buildConfig = build
            isModel = true
        case let opaque as OpaqueLayer:
            className = flavor == .kerasArchive ? opaque.className : opaque.kerasClassName(dialect: dialect)
            config = opaque.configJSON(dialect: dialect)
            module = opaque.module ?? module
            registered = opaque.registeredName.map { .string($0) } ?? .null
            buildConfig = opaque.buildConfig
        case let op as OpLayer:
            // A framework op: Keras 3 names its module and registers it under its class name, with no build config.
            // Which formats can hold op layers at all is checked before writing (WriteCompatibility).
            if case let .keras(opModule) = op.source {
                module = opModule
                registered = .string(op.className)
            }
            className = op.className
            config = op.configJSON(dialect: dialect)
        case let encodable as any ConfigEncodable:
            if flavor == .kerasArchive, let named = encodable as? ArchiveClassName {
                className = named.archiveClassName
            } else {
                className = encodable.kerasClassName(dialect: dialect)
            }
            config = encodable.configJSON(dialect: dialect)
            if let r = encodable as? any ArchiveRegistered, r.archiveModule != "keras.layers" {
                module = r.archiveModule
                registered = .string(className)
            }
            if let custom = encodable as? CustomBuildConfig, let ins = firstInputs {
                buildConfig = custom.archiveBuildConfig(inputShapes: ins)
            } else if !ModelConfigEncoder.builtAtInit.contains(className), let ins = firstInputs, !ins.isEmpty,
               ins.allSatisfy({ $0 != nil }) {
                let shapes = ins.map { ConfigEncoding.shape($0) }
                buildConfig = .object([("input_shape", shapes.count == 1 ? shapes[0] : .array(shapes))])
            }
        default:
            throw FormatError(object: object, "cannot be written: KerasPort has no config encoder for this class")
        }

        var entry: [(String, JSONValue)] = []
        if flavor == .kerasArchive { entry.append(("module", .string(module))) }
        entry += [("class_name", .string(className)), ("config", config)]
        if flavor == .kerasArchive {
            entry.append(("registered_name", registered))
            if let buildConfig { entry.append(("build_config", buildConfig)) }
            if isModel { entry.append(("compile_config", .object([]))) }
        }
        if graph.kind == .functional {
            entry.append(("name", .string(node.name)))
            let calls = try node.calls.enumerated().map { c, call in
                try inboundNode(call, call: c, consumer: layer, graph: graph, analysis: analysis, object: object)
            }
            entry.append(("inbound_nodes", .array(calls)))
        }
        return .object(entry)
    }

    func inboundNode(_ call: LayerCall, call c: Int, consumer: any Layer, graph: ModelGraph, analysis: GraphAnalysis?,
                     object: String) throws -> JSONValue {
        var recorded = call.arguments
        if recorded == nil, let op = consumer as? OpLayer, case .tensorflow = op.source, call.inputs.count == 1 {
            // A TF op's lone tensor argument is recorded bare (`["x", 0, 0, {}]`): as a list of one, TensorFlow
            // would stack it into a new axis.
            recorded = CallArguments(positional: [.tensor(0)])
        }
        if var arguments = recorded {
            if let named = consumer as? PositionalCallParameters {
                if dialect != .keras3, arguments.positional.count > 1 {
                    arguments = try named.keras2Arguments(arguments, object: object)
                } else if dialect == .keras3 {
                    arguments = named.keras3Arguments(arguments)
                }
            }
            // A binary TF op's constant first argument (`1.0 - x`) is a float: tf_keras converts it to a tensor on
            // its own, so an integral value must be written `1.0`, not `1` (int32, which fails against a float).
            var floatConstants = false
            if let op = consumer as? OpLayer, case .binary = op.operation { floatConstants = true }
            return try inboundNode(arguments, call: call, graph: graph, analysis: analysis, object: object,
                                   floatConstants: floatConstants)
        }
        switch dialect {
        case .keras1, .keras2:
            return .array(try call.inputs.map { ref in
                guard case var .array(triple) = try historyTriple(ref, graph: graph, analysis: analysis, object: object) else { return .null }
                triple.append(.object([]))
                return .array(triple)
            })
        case .keras3:
            let tensors = try call.inputs.map { try kerasTensor($0, graph: graph, analysis: analysis, object: object) }
            let args: [JSONValue]
            if tensors.count == 1 || ModelConfigEncoder.positionalInputs.contains(consumer.className) {
                args = tensors
            } else {
                args = [.array(tensors)]
            }
            return .object([("args", .array(args)), ("kwargs", .object([]))])
        }
    }

    /// An inbound node written from recorded call arguments (constants, keyword tensors), in this dialect's form.
    func inboundNode(_ arguments: CallArguments, call: LayerCall, graph: ModelGraph, analysis: GraphAnalysis?,
                     object: String, floatConstants: Bool = false) throws -> JSONValue {
        func tensor(_ i: Int) throws -> TensorRef {
            guard call.inputs.indices.contains(i) else {
                throw FormatError(object: object, "a call argument refers to input \(i) of \(call.inputs.count)")
            }
            return call.inputs[i]
        }
        switch dialect {
        case .keras3:
            func value(_ v: CallValue) throws -> JSONValue {
                switch v {
                case let .tensor(i): return try kerasTensor(try tensor(i), graph: graph, analysis: analysis, object: object)
                case let .constant(c): return c
                case let .list(items): return .array(try items.map(value))
                case let .dictionary(items): return .object(try items.map { ($0.name, try value($0.value)) })
                }
            }
            return .object([("args", .array(try arguments.positional.map(value))),
                             ("kwargs", .object(try arguments.keywords.map { ($0.name, try value($0.value)) }))])
        case .keras1, .keras2:
            // Keras 2 records the first argument's structure, every other argument by name in `kwargs`.
            guard arguments.positional.count <= 1 else {
                throw FormatError(object: object, "cannot be written in the Keras 2 dialect: the call passes "
                                  + "\(arguments.positional.count) positional arguments, which Keras 2 records by name")
            }
            func keyword(_ v: CallValue) throws -> JSONValue {
                switch v {
                case let .tensor(i): return try historyTriple(try tensor(i), graph: graph, analysis: analysis, object: object)
                case let .constant(c): return c
                case let .list(items): return .array(try items.map(keyword))
                case let .dictionary(items): return .object(try items.map { ($0.name, try keyword($0.value)) })
                }
            }
            let kwargs = JSONValue.object(try arguments.keywords.map { ($0.name, try keyword($0.value)) })
            func first(_ v: CallValue) throws -> JSONValue {
                switch v {
                case let .tensor(i):
                    guard case var .array(triple) = try historyTriple(try tensor(i), graph: graph, analysis: analysis,
                                                                      object: object) else { return .null }
                    triple.append(kwargs)
                    return .array(triple)
                case let .constant(c):
                    var value = c
                    if floatConstants, case let .number(d) = c { value = JSONValue.pythonFloat(d) }
                    return .array([.string("_CONSTANT_VALUE"), .number(-1), value, kwargs])
                case let .list(items): return .array(try items.map(first))
                case let .dictionary(items): return .object(try items.map { ($0.name, try first($0.value)) })
                }
            }
            guard let head = arguments.positional.first else { return .array([]) }
            return try first(head)
        }
    }

    /// The node producing `ref`, looked up through the analysis' name index when there is one (a scan of the
    /// nodes per reference made writing a 20,000-layer functional model quadratic).
    func producer(of ref: TensorRef, graph: ModelGraph, analysis: GraphAnalysis?, object: String) throws -> LayerNode {
        if let n = analysis?.nodeIndex(ofLayer: ref.layer), graph.nodes.indices.contains(n), graph.nodes[n].name == ref.layer {
            return graph.nodes[n]
        }
        guard let producer = graph.node(named: ref.layer) else {
            throw FormatError(object: object, "refers to unknown layer `\(ref.layer)`")
        }
        return producer
    }

    func kerasTensor(_ ref: TensorRef, graph: ModelGraph, analysis: GraphAnalysis?, object: String) throws -> JSONValue {
        let producer = try producer(of: ref, graph: graph, analysis: analysis, object: object)
        let shape = analysis?.shape(of: ref)
        return .object([
            ("class_name", .string("__keras_tensor__")),
            ("config", .object([
                ("shape", ConfigEncoding.shape(shape)),
                ("dtype", .string(tensorDType(producer.layer))),
                ("keras_history", .array([.string(ref.layer), .number(Double(ref.node)), .number(Double(ref.tensor))])),
            ])),
        ])
    }

    /// The dtype of a layer's output tensors: an input's own dtype, else the policy's compute dtype.
    func tensorDType(_ layer: any Layer) -> String {
        if layer is InputLayer { return layer.common.dtype }
        switch layer.common.dtype {
        case "mixed_float16", "float16": return "float16"
        case "mixed_bfloat16", "bfloat16": return "bfloat16"
        case "float64": return "float64"
        default: return "float32"
        }
    }
}
