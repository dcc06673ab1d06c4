import KerasGraph

/// Reads a Keras model config (the topology: layers and how they are connected) into a ``ModelGraph``.
///
/// Handles every form Keras has written:
/// - the `model_config` attribute of a legacy `.h5` file, from Keras 1, Keras 2 / tf.keras / tf_keras, and Keras 3;
/// - `model.to_json()` files (the same JSON, with `keras_version` and `backend` at the top);
/// - a `.keras` archive's `config.json` (`module`, `registered_name`, `build_config`, `compile_config` are ignored,
///   except that unknown layers keep theirs for re-export).
///
/// Sequential models come as a list of layers (Keras 1 and ≤ 2.1) or a dict with `layers` (Keras ≥ 2.2), with or
/// without an `InputLayer` entry; when there is none, one is made from the first layer's `batch_input_shape`,
/// `batch_shape`, `input_shape` or `input_dim`, or Keras 3's `build_input_shape`, and named as Keras names it.
/// Functional models come with Keras 1/2 inbound nodes (`[[[layer, node, tensor, kwargs], …]]`) or Keras 3 ones
/// (`[{"args": […], "kwargs": {…}}]` holding `__keras_tensor__` objects). Models used as layers become
/// ``NestedModel`` layers, parsed recursively. A layer with several inbound nodes (a shared layer) gets several calls.
///
/// ```swift
/// let graph = try ModelConfigParser.parse(json: text, kerasVersion: "2.21.0", file: "model.h5")
/// ```
package struct ModelConfigParser {
    /// Parses a model config held as JSON text.
    /// - Parameters:
    ///   - json: the config (`model_config`, `config.json`, or a `to_json()` file).
    ///   - kerasVersion: the `keras_version` the file states, if any; it decides the dialect. When `nil`, a
    ///     top-level `keras_version` key is used, and failing that, clues in the config.
    ///   - file: the file it came from, for error messages.
    /// - Throws: ``FormatError`` naming the file (and the layer, where there is one): malformed JSON, a missing
    ///   key, a value of the wrong type, a reference to a layer or call that does not exist, two layers with
    ///   one name, or a layer config its decoder rejects.
    package static func parse(json: String, kerasVersion: String?, file: String) throws -> ModelGraph {
        let root: JSONValue
        do {
            root = try JSONValue.parse(json)
        } catch let e as FormatError {
            throw FormatError(file: file, object: "model config", e.reason)
        }
        return try parse(root, kerasVersion: kerasVersion, file: file)
    }

    /// Parses a model config already read as JSON. See ``parse(json:kerasVersion:file:)``.
    package static func parse(_ root: JSONValue, kerasVersion: String?, file: String) throws -> ModelGraph {
        do {
            guard case .object = root else {
                throw FormatError("the model config must be an object, found \(root.kindName)")
            }
            let version = kerasVersion ?? root.string("keras_version")
            let dialect = detectDialect(root, kerasVersion: version)
            guard let className = root.string("class_name") else {
                throw FormatError(object: "model config", "missing `class_name`")
            }
            guard let config = root["config"] else { throw FormatError(object: "model config", "missing `config`") }
            return try parseModel(className: className, config: config, name: nil, dialect: dialect,
                                  kerasVersion: version)
        } catch let e as FormatError {
            throw e.inFile(file)
        } catch {
            throw FormatError(file: file, "\(error)")
        }
    }

    /// Parses the JSON written by `model.to_json()` (an architecture file that goes with a weights-only `.h5`).
    /// Its `keras_version` key decides the dialect.
    package static func parseArchitectureJSON(_ json: String, file: String) throws -> ModelGraph {
        try parse(json: json, kerasVersion: nil, file: file)
    }

    // MARK: Dialect

    /// The dialect of a `keras_version` string: `1.2.2` → Keras 1, `2.2.4-tf`/`2.21.0` → Keras 2, `3.15.1` → Keras 3.
    package static func dialect(forKerasVersion version: String) -> ConfigDialect? {
        let major = version.drop { $0 == " " || $0 == "v" }.prefix { $0.isNumber }
        switch major {
        case "1": return .keras1
        case "2": return .keras2
        case "3": return .keras3
        default: return nil
        }
    }

    /// The dialect of a model config: from `kerasVersion` (or a top-level `keras_version`) when it names one,
    /// else from clues in the config. Keras 3 clues: `batch_shape`, `DTypePolicy` objects, `__keras_tensor__`
    /// objects, `{"args", "kwargs"}` inbound nodes. Keras 1 clues (when no Keras 2 key such as `units` or
    /// `kernel_initializer` is present): `output_dim`, `nb_filter`, `border_mode`, `init`, `input_dtype`, ….
    /// Otherwise Keras 2.
    package static func detectDialect(_ root: JSONValue, kerasVersion: String?) -> ConfigDialect {
        if let v = kerasVersion ?? root.string("keras_version"), let d = dialect(forKerasVersion: v) { return d }
        if let module = root.string("module") {
            if module.hasPrefix("tf_keras") || module.contains(".engine.") { return .keras2 }
            if module.hasPrefix("keras") { return .keras3 }
        }
        let keras1Keys: Set<String> = ["output_dim", "nb_filter", "nb_row", "nb_col", "border_mode", "dim_ordering",
                                       "input_dtype", "W_regularizer", "b_regularizer", "W_constraint", "init",
                                       "subsample", "consume_less"]
        let keras2Keys: Set<String> = ["units", "filters", "kernel_initializer", "kernel_size", "use_bias",
                                       "padding", "strides", "data_format"]
        var keras1 = false, keras2 = false
        var stack: [JSONValue] = [root]
        while let v = stack.popLast() {
            switch v {
            case let .array(items): stack.append(contentsOf: items)
            case let .object(members):
                for (key, value) in members {
                    if key == "batch_shape" || (key == "args" && v["kwargs"] != nil) { return .keras3 }
                    if key == "class_name", case let .string(c) = value, c == "DTypePolicy" || c == "__keras_tensor__" {
                        return .keras3
                    }
                    if keras1Keys.contains(key) { keras1 = true }
                    if keras2Keys.contains(key) { keras2 = true }
                    stack.append(value)
                }
            default: break
            }
        }
        return keras1 && !keras2 ? .keras1 : .keras2
    }

    // MARK: Models

    /// Parses one model's `config` (top level or nested): a Sequential list, a Sequential dict, or a Functional
    /// dict. `name` is used when the config has none.
    static func parseModel(className: String, config: JSONValue, name: String?, dialect: ConfigDialect,
                           kerasVersion: String?) throws -> ModelGraph {
        let cls = LayerRegistry.unregisteredName(className)
        let ctx = Context(dialect: dialect, kerasVersion: kerasVersion)
        switch config {
        case let .array(entries):
            return try ctx.sequential(entries, name: name ?? "sequential", buildInputShape: nil)
        case .object:
            let modelName = config.string("name") ?? name ?? (cls == "Sequential" ? "sequential" : "model")
            guard let layersValue = config["layers"] else {
                throw FormatError(object: "model `\(modelName)`", "missing `layers` in the \(cls) config")
            }
            guard case let .array(entries) = layersValue else {
                throw FormatError(object: "model `\(modelName)`", "`layers` must be a list, found \(layersValue.kindName)")
            }
            let isFunctional = cls != "Sequential" || config["input_layers"] != nil
            if isFunctional {
                return try ctx.functional(entries, config: config, name: modelName)
            }
            return try ctx.sequential(entries, name: modelName, buildInputShape: config["build_input_shape"])
        default:
            throw FormatError(object: "model config", "`config` must be a list or an object, found \(config.kindName)")
        }
    }
}

// MARK: - Implementation

/// One entry of a `layers` list, before decoding.
private struct Entry {
    var className: String
    var name: String
    var config: JSONValue
    var raw: JSONValue

    var unregisteredClassName: String { LayerRegistry.unregisteredName(className) }
}

/// One reference to a tensor in a config, before it is resolved.
private struct RawRef {
    var layer: String
    var node: Int
    var tensor: Int
    /// The tensor's shape, when the file recorded it (Keras 3 `__keras_tensor__`).
    var shape: Shape?
}

private struct Context {
    var dialect: ConfigDialect
    var kerasVersion: String?

    // MARK: Entries and layers

    func entries(_ values: [JSONValue], model: String) throws -> [Entry] {
        var out: [Entry] = []
        var seen = Set<String>()
        for (k, v) in values.enumerated() {
            guard case .object = v else {
                throw FormatError(object: "model `\(model)`, layer #\(k)", "must be an object, found \(v.kindName)")
            }
            guard let cls = v.string("class_name") else {
                throw FormatError(object: "model `\(model)`, layer #\(k)", "missing `class_name`")
            }
            let config = v["config"] ?? .object([])
            if case .null = config {} else if case .object = config {} else if case .array = config {} else {
                throw FormatError(object: "model `\(model)`, layer #\(k) (\(cls))",
                                  "`config` must be an object, found \(config.kindName)")
            }
            var name: String
            if let n = v["name"] {
                guard case let .string(s) = n else {
                    throw FormatError(object: "model `\(model)`, layer #\(k) (\(cls))", "`name` must be a string, found \(n.kindName)")
                }
                name = s
            } else if let n = config["name"] {
                guard case let .string(s) = n else {
                    throw FormatError(object: "model `\(model)`, layer #\(k) (\(cls))", "`name` must be a string, found \(n.kindName)")
                }
                name = s
            } else if case .array = config {
                name = "sequential_\(k)"  // a Keras 1 list-form Sequential nested as a layer has no name
            } else {
                throw FormatError(object: "model `\(model)`, layer #\(k) (\(cls))", "missing `name`")
            }
            guard seen.insert(name).inserted else {
                throw FormatError(object: "model `\(model)`", "two layers are named `\(name)`")
            }
            out.append(Entry(className: cls, name: name, config: config == .null ? .object([]) : config, raw: v))
        }
        return out
    }

    func decode(_ e: Entry, calls: [CallArguments] = []) throws -> any Layer {
        let c = LayerConfig(className: e.className, name: e.name, config: e.config, dialect: dialect,
                            kerasVersion: kerasVersion, module: e.raw.string("module"), calls: calls)
        let layer = try LayerRegistry.decode(c)
        guard var opaque = layer as? OpaqueLayer else { return layer }
        // Keep the `.keras` archive metadata of layers we cannot interpret, for re-export.
        opaque.module = e.raw.string("module")
        if let reg = e.raw.string("registered_name") { opaque.registeredName = reg }
        if let build = e.raw["build_config"], build != .null { opaque.buildConfig = build }
        return opaque
    }

    // MARK: Sequential

    func sequential(_ values: [JSONValue], name: String, buildInputShape: JSONValue?) throws -> ModelGraph {
        let parsed = try entries(values, model: name)
        var nodes: [LayerNode] = []
        var rest = parsed[...]
        let input: TensorRef

        if let first = parsed.first, first.unregisteredClassName == "InputLayer" {
            let layer = try decode(first)
            nodes.append(LayerNode(layer: layer, calls: []))
            input = TensorRef(layer: layer.name)
            rest = rest.dropFirst()
        } else if let first = parsed.first {
            let layer = try synthesizedInput(for: first, buildInputShape: buildInputShape,
                                             taken: Set(parsed.map(\.name)), model: name)
            nodes.append(LayerNode(layer: layer, calls: []))
            input = TensorRef(layer: layer.name)
        } else {
            // An empty Sequential model.
            return ModelGraph(name: name, kind: .sequential, nodes: [], inputs: [], outputs: [])
        }

        var previous = input
        for e in rest {
            let layer = try decode(e)
            if layer is InputLayer {
                throw FormatError(object: "model `\(name)`, layer `\(e.name)` (InputLayer)",
                                  "an input layer may only come first in a Sequential model")
            }
            nodes.append(LayerNode(layer: layer, calls: [LayerCall(inputs: [previous])]))
            previous = TensorRef(layer: layer.name)
        }
        return ModelGraph(name: name, kind: .sequential, nodes: nodes, inputs: [input], outputs: [previous])
    }

    /// The input layer Keras makes for a Sequential model whose config has none: the shape from the first layer's
    /// `batch_input_shape` / `batch_shape` / `input_shape` / `input_dim`, or the model's `build_input_shape`;
    /// named `<first layer>_input` (Keras 1/2) or `input_layer` (Keras 3).
    func synthesizedInput(for first: Entry, buildInputShape: JSONValue?, taken: Set<String>,
                          model: String) throws -> InputLayer {
        let c = LayerConfig(className: first.unregisteredClassName, name: first.name, config: first.config,
                            dialect: dialect, kerasVersion: kerasVersion)
        var shape: Shape?
        if case .object = first.config {
            if let s = try c.shape("batch_input_shape") ?? c.shape("batch_shape") {
                shape = s
            } else if let s = try c.shape("input_shape") {
                shape = [nil] + s
            } else if let d = try c.int("input_dim") {
                shape = [nil, d]
            }
            if var s = shape, let batch = try c.int("batch_size"), !s.isEmpty, s[0] == nil {
                s[0] = batch
                shape = s
            }
        }
        if shape == nil, let build = buildInputShape, build != .null {
            let holder = LayerConfig(className: "Sequential", name: model, config: .object([("build_input_shape", build)]),
                                     dialect: dialect, kerasVersion: kerasVersion)
            // Keras 3 writes a single shape; a list of shapes would mean several inputs, which Sequential lacks.
            shape = try? holder.shape("build_input_shape")
        }
        var dtype = "float32"
        if case .object = first.config {
            dtype = (try? c.string("input_dtype")) ?? c.dtypeName()
        }
        var inputName = dialect == .keras3 ? "input_layer" : "\(first.name)_input"
        if taken.contains(inputName) {
            var k = 1
            while taken.contains("\(inputName)_\(k)") { k += 1 }
            inputName = "\(inputName)_\(k)"
        }
        return InputLayer(common: LayerCommon(name: inputName, dtype: dtype), batchShape: shape)
    }

    // MARK: Functional

    func functional(_ values: [JSONValue], config: JSONValue, name: String) throws -> ModelGraph {
        let parsed = try entries(values, model: name)

        // Inbound nodes → raw references and call arguments, per layer and call.
        var rawCalls: [[[RawRef]]] = []
        var callArguments: [[CallArguments]] = []
        for e in parsed {
            let object = "layer `\(e.name)` (\(e.unregisteredClassName))"
            var calls: [[RawRef]] = []
            var arguments: [CallArguments] = []
            switch e.raw["inbound_nodes"] {
            case nil, .null?: break
            case let .array(nodes)?:
                for node in nodes {
                    let (refs, args) = try call(inNode: node, object: object)
                    calls.append(refs)
                    arguments.append(args)
                }
            case let other?:
                throw FormatError(object: object, "`inbound_nodes` must be a list, found \(other.kindName)")
            }
            rawCalls.append(calls)
            callArguments.append(arguments)
        }

        var layers: [any Layer] = []
        layers.reserveCapacity(parsed.count)
        for (n, e) in parsed.enumerated() { layers.append(try decode(e, calls: callArguments[n])) }
        var index: [String: Int] = [:]
        for (n, layer) in layers.enumerated() { index[layer.name] = n }
        // An input layer is a source: Keras writes no inbound nodes for it, and reading ignores any.
        for n in layers.indices where layers[n] is InputLayer {
            rawCalls[n] = []
            callArguments[n] = []
        }

        guard let inputsValue = config["input_layers"] else {
            throw FormatError(object: "model `\(name)`", "missing `input_layers`")
        }
        guard let outputsValue = config["output_layers"] else {
            throw FormatError(object: "model `\(name)`", "missing `output_layers`")
        }
        let rawInputs = try refList(inputsValue, object: "model `\(name)`, `input_layers`")
        let rawOutputs = try refList(outputsValue, object: "model `\(name)`, `output_layers`")
        // Keras cannot build a functional model without outputs (found by tools/fuzz.py, seed 123693448195935:
        // predict then failed with a message naming no file).
        guard !rawOutputs.isEmpty else {
            throw FormatError(object: "model `\(name)`, `output_layers`", "is empty: a functional model needs at least one output")
        }

        // Keras 1/2 count a nested model's own construction node as its node 0, so calls in the outer model
        // are numbered from 1 (tf_keras `_should_skip_first_node`, Keras 2.2 `kept_nodes = 1`).
        var offsets = [Int](repeating: 0, count: layers.count)
        var refsTo: [[Int]] = Array(repeating: [], count: layers.count)
        for ref in rawCalls.joined().joined() + rawOutputs {
            if let p = index[ref.layer] { refsTo[p].append(ref.node) }
        }
        for (p, layer) in layers.enumerated() {
            guard let nested = layer as? NestedModel, !nested.graph.inputs.isEmpty else { continue }
            let count = rawCalls[p].count
            let fits = { (o: Int) in refsTo[p].allSatisfy { $0 - o >= 0 && $0 - o < count } }
            let preferred = dialect == .keras3 ? 0 : 1
            offsets[p] = fits(preferred) || !fits(1 - preferred) ? preferred : 1 - preferred
        }

        func resolve(_ ref: RawRef, object: String) throws -> TensorRef {
            guard let p = index[ref.layer] else {
                throw FormatError(object: object, "refers to unknown layer `\(ref.layer)`")
            }
            let isInput = layers[p] is InputLayer
            let node = isInput ? ref.node : ref.node - offsets[p]
            let count = isInput ? 1 : rawCalls[p].count
            guard node >= 0, node < count else {
                let calls = count == 1 ? "1 call" : "\(count) calls"
                throw FormatError(object: object,
                                  "refers to node \(ref.node) of layer `\(ref.layer)`, which has \(calls)")
            }
            return TensorRef(layer: ref.layer, node: node, tensor: ref.tensor)
        }

        var nodes: [LayerNode] = []
        for (n, layer) in layers.enumerated() {
            let object = "layer `\(layer.name)` (\(layer.className))"
            let calls = try rawCalls[n].enumerated().map { c, refs in
                let arguments = callArguments[n][c]
                return LayerCall(inputs: try refs.map { try resolve($0, object: object) },
                                 arguments: arguments.isPlain ? nil : arguments)
            }
            nodes.append(LayerNode(layer: layer, calls: calls))
        }
        nodes = try prunedMaskPlumbing(nodes, parsed: parsed, outputs: rawOutputs.map(\.layer), object: "model `\(name)`",
                                       resolve: resolve)

        // Record the output shapes Keras 3 wrote for tensors of layers we cannot interpret.
        for call in rawCalls.joined() {
            for ref in call {
                guard let shape = ref.shape, let p = index[ref.layer], var opaque = nodes[p].layer as? OpaqueLayer,
                      let resolved = try? resolve(ref, object: "") else { continue }
                while opaque.recordedOutputShapes.count <= resolved.node { opaque.recordedOutputShapes.append(nil) }
                var shapes = opaque.recordedOutputShapes[resolved.node] ?? []
                while shapes.count <= resolved.tensor { shapes.append(nil) }
                shapes[resolved.tensor] = shape
                opaque.recordedOutputShapes[resolved.node] = shapes
                nodes[p].layer = opaque
            }
        }

        let inputs = try rawInputs.map { try resolve($0, object: "model `\(name)`, `input_layers`") }
        for ref in inputs where !(layers[index[ref.layer] ?? 0] is InputLayer) {
            throw FormatError(object: "model `\(name)`, `input_layers`", "`\(ref.layer)` is not an input layer")
        }
        let outputs = try rawOutputs.map { try resolve($0, object: "model `\(name)`, `output_layers`") }
        return ModelGraph(name: name, kind: .functional, nodes: nodes, inputs: inputs, outputs: outputs)
    }

    // MARK: Keras 3 mask arguments

    /// Keras 3 op classes that compute masks (when KerasPort decodes them, they are still pruned as mask plumbing).
    static let maskOpClassNames: Set<String> = ["NotEqual", "Any", "LogicalOr"]

    /// Keras 3 records the Keras mask a layer was called with as a `mask` keyword argument, computed by op layers
    /// it adds to the model: `NotEqual(ids, 0)` for `Embedding(mask_zero=True)` on `ids`, `Any(NotEqual(x, v),
    /// axis=-1)` for `Masking(v)` on `x`. Such a mask is derived data: Keras 3 and tf_keras compute it again from the
    /// layer that made it when they build the model, and so does KerasPort at inference (`Masks.swift`). So those
    /// arguments are not calls' inputs, and the op layers that only compute them are dropped from the graph; a model
    /// written back lets Keras recreate them.
    ///
    /// A `mask` argument of any other form (a mask the model's author computed and passed by hand) is kept as the
    /// call's last input, so that it is never silently ignored: the recurrent layers take it as their mask, other
    /// layers refuse the extra input.
    func prunedMaskPlumbing(_ nodes: [LayerNode], parsed: [Entry], outputs: [String], object: String,
                            resolve: (RawRef, String) throws -> TensorRef) throws -> [LayerNode] {
        var nodes = nodes
        let indexOf = Dictionary(nodes.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
        /// The first call's arguments of layer `name` as written: tensor references and constants.
        func args(_ name: String) -> [JSONValue] {
            guard let n = indexOf[name], n < parsed.count, case let .array(calls)? = parsed[n].raw["inbound_nodes"],
                  let first = calls.first, case let .array(a)? = first["args"] else { return [] }
            return a
        }
        func ref(_ v: JSONValue) -> RawRef? {
            var refs: [RawRef] = []
            try? collectKerasTensors(v, into: &refs, object: object)
            return refs.count == 1 ? refs[0] : nil
        }
        func number(_ v: JSONValue) -> Double? { if case let .number(d) = v { return d }; return nil }
        /// Whether `x` is the input of an `Embedding(mask_zero=True)` (`value` 0) or a `Masking(value)` call.
        func feedsMaskingLayer(_ x: RawRef, value: Double, embedding: Bool) -> Bool {
            nodes.contains { node in
                let matches: Bool
                if embedding, let e = node.layer as? Embedding { matches = e.maskZero && value == 0 }
                else if !embedding, let m = node.layer as? Masking { matches = m.maskValue == value }
                else { matches = false }
                return matches && args(node.name).compactMap(ref).contains { $0.layer == x.layer && $0.node == x.node && $0.tensor == x.tensor }
            }
        }
        /// The layers of a mask Keras derived itself, or `nil`.
        func derivedMaskChain(_ producer: String) -> [String]? {
            guard let n = indexOf[producer] else { return nil }
            let cls = nodes[n].layer.className
            let a = args(producer)
            if cls == "NotEqual", a.count == 2, let x = ref(a[0]), let v = number(a[1]),
               feedsMaskingLayer(x, value: v, embedding: true) {
                return [producer]
            }
            // Keras 3 merge layers (Add, …) combine their inputs' masks with `ops.logical_or`.
            if cls == "LogicalOr", a.count == 2, let x = ref(a[0]), let y = ref(a[1]),
               let cx = derivedMaskChain(x.layer), let cy = derivedMaskChain(y.layer) {
                return [producer] + cx + cy
            }
            if cls == "Any", a.count == 1, let inner = ref(a[0]), let q = indexOf[inner.layer],
               nodes[q].layer.className == "NotEqual", n < parsed.count,
               parsed[n].config["axis"].flatMap(number) == -1 {
                let b = args(inner.layer)
                if b.count == 2, let x = ref(b[0]), let v = number(b[1]), feedsMaskingLayer(x, value: v, embedding: false) {
                    return [producer, inner.layer]
                }
            }
            return nil
        }

        var derived = Set<String>()
        for (n, e) in parsed.enumerated() where n < nodes.count {
            guard case let .array(calls)? = e.raw["inbound_nodes"] else { continue }
            for (c, call) in calls.enumerated() where c < nodes[n].calls.count {
                guard let mask = call["kwargs"]?["mask"] else { continue }
                var refs: [RawRef] = []
                try collectKerasTensors(mask, into: &refs, object: object)
                // The call's arguments already hold the mask's tensors as inputs (keyword `mask`). A mask Keras
                // derived itself is dropped from the call; any other stays one of its inputs.
                var chains: [[String]] = []
                for r in refs {
                    guard let chain = derivedMaskChain(r.layer) else { chains = []; break }
                    chains.append(chain)
                }
                guard !chains.isEmpty else { continue }
                for chain in chains { derived.formUnion(chain) }
                nodes[n].calls[c] = Self.removingKeyword("mask", from: nodes[n].calls[c])
            }
        }
        guard !derived.isEmpty else { return nodes }
        // Drop the derived-mask layers nothing else reads.
        var uses: [String: Int] = [:]
        for node in nodes { for call in node.calls { for ref in call.inputs { uses[ref.layer, default: 0] += 1 } } }
        for o in outputs { uses[o, default: 0] += 1 }
        var pruned = Set<String>()
        var work = Array(derived)
        while let name = work.popLast() {
            guard derived.contains(name), !pruned.contains(name), uses[name, default: 0] == 0, let n = indexOf[name] else { continue }
            pruned.insert(name)
            for call in nodes[n].calls {
                for r in call.inputs {
                    uses[r.layer, default: 1] -= 1
                    if uses[r.layer] == 0 { work.append(r.layer) }
                }
            }
        }
        return nodes.filter { !pruned.contains($0.name) }
    }

    /// `call` without the keyword argument `name` and the inputs only it passed (the other tensor indices
    /// renumbered); a call left plain loses its recorded arguments.
    static func removingKeyword(_ name: String, from call: LayerCall) -> LayerCall {
        guard var arguments = call.arguments, let value = arguments.keyword(name) else { return call }
        let dropped = Set(value.tensorIndices)
        arguments.keywords.removeAll { $0.name == name }
        var kept: [Int: Int] = [:]
        var inputs: [TensorRef] = []
        for (i, ref) in call.inputs.enumerated() where !dropped.contains(i) {
            kept[i] = inputs.count
            inputs.append(ref)
        }
        func renumber(_ v: CallValue) -> CallValue {
            switch v {
            case let .tensor(i): return .tensor(kept[i] ?? i)
            case .constant: return v
            case let .list(items): return .list(items.map(renumber))
            case let .dictionary(items): return .dictionary(items.map { CallKeyword($0.name, renumber($0.value)) })
            }
        }
        arguments.positional = arguments.positional.map(renumber)
        arguments.keywords = arguments.keywords.map { CallKeyword($0.name, renumber($0.value)) }
        return LayerCall(inputs: inputs, arguments: arguments.isPlain ? nil : arguments)
    }

    // MARK: Inbound nodes

    /// The tensors one inbound node passes, in argument order, and how it passes them.
    ///
    /// Keras 3: `{"args": […], "kwargs": {…}}` with `__keras_tensor__` objects anywhere inside. Keras 1/2: the first
    /// argument's structure of `[layer, node, tensor, kwargs]` entries (or `["_CONSTANT_VALUE", -1, value, kwargs]`
    /// for a constant), each carrying the same `kwargs`: every other argument by name, tensors in it as
    /// `[layer, node, tensor]` triples.
    func call(inNode node: JSONValue, object: String) throws -> ([RawRef], CallArguments) {
        var refs: [RawRef] = []
        switch node {
        case .object where node["args"] != nil || node["kwargs"] != nil:
            var positional: [CallValue] = []
            if case let .array(args)? = node["args"] {
                for a in args { positional.append(try keras3Value(a, refs: &refs, object: object)) }
            } else if let args = node["args"] {
                positional.append(try keras3Value(args, refs: &refs, object: object))
            }
            var keywords: [CallKeyword] = []
            if case let .object(members)? = node["kwargs"] {
                for (k, v) in members { keywords.append(CallKeyword(k, try keras3Value(v, refs: &refs, object: object))) }
            }
            return (refs, CallArguments(positional: positional, keywords: keywords))
        case .array, .object:
            var kwargs: JSONValue?
            let first = try legacyValue(node, refs: &refs, kwargs: &kwargs, object: object)
            var keywords: [CallKeyword] = []
            if case let .object(members)? = kwargs {
                for (k, v) in members { keywords.append(CallKeyword(k, try legacyKeyword(v, refs: &refs, object: object))) }
            }
            // A node that is one bare entry (layers that keep their input structure, such as TF-op layers) is one
            // tensor; the usual `[[layer, node, tensor, kwargs]]` stays a list of one, so that both write back as read.
            return (refs, CallArguments(positional: [first], keywords: keywords))
        default:
            throw FormatError(object: object, "an inbound node must be a list or an object, found \(node.kindName)")
        }
    }

    /// A Keras 3 argument: tensors become `.tensor(i)` (appended to `refs`), containers holding tensors stay
    /// containers, everything else is a constant.
    func keras3Value(_ v: JSONValue, refs: inout [RawRef], object: String) throws -> CallValue {
        var found: [RawRef] = []
        try collectKerasTensors(v, into: &found, object: object)
        if found.isEmpty { return .constant(v) }
        switch v {
        case let .array(items):
            return .list(try items.map { try keras3Value($0, refs: &refs, object: object) })
        case let .object(members) where v.string("class_name") != "__keras_tensor__":
            return .dictionary(try members.map { CallKeyword($0.0, try keras3Value($0.1, refs: &refs, object: object)) })
        default:
            refs.append(found[0])
            return .tensor(refs.count - 1)
        }
    }

    /// The first-argument structure of a Keras 1/2 inbound node; `kwargs` receives the first entry's kwargs.
    func legacyValue(_ v: JSONValue, refs: inout [RawRef], kwargs: inout JSONValue?, object: String) throws -> CallValue {
        switch v {
        case let .array(items):
            if case let .string(first)? = items.first {
                if items.count == 4, kwargs == nil { kwargs = items[3] }
                if first == "_CONSTANT_VALUE" { return .constant(items.count > 2 ? items[2] : .null) }
                refs.append(try legacyRef(v, object: object))
                return .tensor(refs.count - 1)
            }
            return .list(try items.map { try legacyValue($0, refs: &refs, kwargs: &kwargs, object: object) })
        case let .object(members):
            return .dictionary(try members.map {
                CallKeyword($0.0, try legacyValue($0.1, refs: &refs, kwargs: &kwargs, object: object))
            })
        default:
            throw FormatError(object: object, "an inbound tensor must be a list `[layer, node, tensor]`, found \(v.kindName)")
        }
    }

    /// A Keras 1/2 keyword argument: `[layer, node, tensor]` triples are tensors, anything else a constant.
    func legacyKeyword(_ v: JSONValue, refs: inout [RawRef], object: String) throws -> CallValue {
        if isLegacyTriple(v) {
            refs.append(try legacyRef(v, object: object))
            return .tensor(refs.count - 1)
        }
        guard containsLegacyTriple(v) else { return .constant(v) }
        switch v {
        case let .array(items): return .list(try items.map { try legacyKeyword($0, refs: &refs, object: object) })
        case let .object(members):
            return .dictionary(try members.map { CallKeyword($0.0, try legacyKeyword($0.1, refs: &refs, object: object)) })
        default: return .constant(v)
        }
    }

    func isLegacyTriple(_ v: JSONValue) -> Bool {
        guard case let .array(items) = v, items.count == 3, case .string = items[0],
              intValue(items[1]) != nil, intValue(items[2]) != nil else { return false }
        return true
    }

    func containsLegacyTriple(_ v: JSONValue) -> Bool {
        if isLegacyTriple(v) { return true }
        switch v {
        case let .array(items): return items.contains { containsLegacyTriple($0) }
        case let .object(members): return members.contains { containsLegacyTriple($0.1) }
        default: return false
        }
    }

    /// The tensors one inbound node passes, in argument order.
    func refs(inNode node: JSONValue, object: String) throws -> [RawRef] {
        var out: [RawRef] = []
        switch node {
        case .object where node["args"] != nil || node["kwargs"] != nil:
            // Keras 3: {"args": [...], "kwargs": {...}} with __keras_tensor__ objects anywhere inside.
            if let args = node["args"] { try collectKerasTensors(args, into: &out, object: object) }
            if case let .object(kwargs)? = node["kwargs"] {
                // `mask` is the Keras mask Keras 3 recorded for the call; it is derived data (see `prunedMaskPlumbing`).
                for (key, value) in kwargs where key != "mask" { try collectKerasTensors(value, into: &out, object: object) }
            } else if let kwargs = node["kwargs"] {
                try collectKerasTensors(kwargs, into: &out, object: object)
            }
        case .array, .object:
            // Keras 1/2: [[layer, node, tensor, kwargs], ...], possibly nested (list or dict arguments).
            try collectLegacyRefs(node, into: &out, object: object)
        default:
            throw FormatError(object: object, "an inbound node must be a list or an object, found \(node.kindName)")
        }
        return out
    }

    func collectKerasTensors(_ v: JSONValue, into out: inout [RawRef], object: String) throws {
        switch v {
        case let .array(items):
            for item in items { try collectKerasTensors(item, into: &out, object: object) }
        case let .object(members):
            if v.string("class_name") == "__keras_tensor__" {
                let config = v["config"] ?? .object([])
                guard let history = config["keras_history"] else {
                    throw FormatError(object: object, "a `__keras_tensor__` in `inbound_nodes` has no `keras_history`")
                }
                var ref = try legacyRef(history, object: object)
                ref.shape = shapeValue(config["shape"])
                out.append(ref)
            } else {
                for (_, m) in members { try collectKerasTensors(m, into: &out, object: object) }
            }
        default:
            break
        }
    }

    func collectLegacyRefs(_ v: JSONValue, into out: inout [RawRef], object: String) throws {
        switch v {
        case let .array(items):
            if case let .string(first)? = items.first {
                // tf.keras writes a constant argument of a TF op layer as `["_CONSTANT_VALUE", -1, value, kwargs]`.
                if first == "_CONSTANT_VALUE" { return }
                out.append(try legacyRef(v, object: object))
            } else {
                for item in items { try collectLegacyRefs(item, into: &out, object: object) }
            }
        case let .object(members):
            for (_, m) in members { try collectLegacyRefs(m, into: &out, object: object) }
        default:
            throw FormatError(object: object, "an inbound tensor must be a list `[layer, node, tensor]`, found \(v.kindName)")
        }
    }

    /// `[layer, node, tensor]` or `[layer, node, tensor, kwargs]`.
    func legacyRef(_ v: JSONValue, object: String) throws -> RawRef {
        guard case let .array(items) = v, items.count == 3 || items.count == 4, case let .string(layer) = items[0],
              let node = intValue(items[1]), let tensor = intValue(items[2]), node >= 0, tensor >= 0 else {
            throw FormatError(object: object,
                              "a tensor reference must be `[layer, node, tensor]`, found \(v.serialized().prefix(80))")
        }
        return RawRef(layer: layer, node: node, tensor: tensor, shape: nil)
    }

    /// `input_layers` / `output_layers`: one triple, a list of triples, or a dict (nested) of them.
    func refList(_ v: JSONValue, object: String) throws -> [RawRef] {
        var out: [RawRef] = []
        switch v {
        case .array, .object: try collectLegacyRefs(v, into: &out, object: object)
        default: throw FormatError(object: object, "must be a list of `[layer, node, tensor]`, found \(v.kindName)")
        }
        return out
    }

    func intValue(_ v: JSONValue) -> Int? {
        guard case let .number(d) = v, d.rounded() == d, abs(d) < 1e15 else { return nil }
        return Int(d)
    }

    /// A recorded shape, or `nil` when absent or not a list of non-negative integers and nulls.
    func shapeValue(_ v: JSONValue?) -> Shape? {
        guard case let .array(items)? = v else { return nil }
        var out: Shape = []
        for item in items {
            switch item {
            case .null: out.append(nil)
            case let .number(d) where d.rounded() == d && d >= 0 && d < 1e12: out.append(Int(d))
            default: return nil
            }
        }
        return out
    }
}

extension JSONValue {
    /// The string member `key` of an object, or `nil`.
    fileprivate func string(_ key: String) -> String? {
        guard case let .string(s)? = self[key] else { return nil }
        return s
    }
}
