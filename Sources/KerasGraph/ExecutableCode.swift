/// A layer whose saved configuration carries Python code that Keras runs when it loads the model.
///
/// Keras' `Lambda` layer saves its function as marshalled Python bytecode (Keras 2: `function` is
/// `[base64 bytecode, defaults, closure]` with `function_type: "lambda"`; Keras 3: `{"class_name": "__lambda__",
/// "config": {"code": …}}`), and Keras rebuilds and runs it when loading with `safe_mode=False` (CVE-2025-9906 was a
/// way around `safe_mode`). A `Lambda` may instead name a Python function (`function_type: "function"`, or Keras 3's
/// `class_name: "function"`), which Keras imports by module and name. KerasPort never runs any of it: such layers are
/// kept opaque (inspectable, convertible, not runnable). Writers copy the config unchanged, so the code travels on
/// into converted files; `convert` and `edit` warn naming each such layer, and an exporter to formats that cannot
/// hold Python code must refuse them.
public struct ExecutableCodeLayer: Sendable, Hashable, CustomStringConvertible {
    /// `doubler`, or `backbone/doubler` inside the nested model `backbone`.
    public var path: String
    /// The layer's class name, such as `Lambda`.
    public var className: String
    /// What the layer carries, such as `marshalled Python bytecode (the layer's function)`.
    public var code: String

    public init(path: String, className: String, code: String) {
        self.path = path
        self.className = className
        self.code = code
    }

    /// `layer `doubler` (Lambda) carries marshalled Python bytecode (the layer's function)`.
    public var description: String { "layer `\(path)` (\(className)) carries \(code)" }
}

extension ModelGraph {
    /// Every layer, nested models included, whose configuration carries Python code (see ``ExecutableCodeLayer``),
    /// in graph order. Empty for models made only of built-in layers.
    public var layersCarryingExecutableCode: [ExecutableCodeLayer] {
        var found: [ExecutableCodeLayer] = []
        collectExecutableCode(prefix: [], into: &found)
        return found
    }

    /// The warning `convert`, `edit` and `export` print for each layer carrying code (one line each).
    public func executableCodeWarnings(action: String) -> [String] {
        layersCarryingExecutableCode.map {
            "warning: \($0); KerasPort never runs it, and \(action) — Keras runs it when loading the file with safe_mode=False"
        }
    }

    private func collectExecutableCode(prefix: [String], into found: inout [ExecutableCodeLayer]) {
        for node in nodes {
            let path = prefix + [node.name]
            if let code = Self.executableCode(in: node.layer) {
                found.append(ExecutableCodeLayer(path: path.joined(separator: "/"), className: node.layer.className, code: code))
            }
            if let nested = node.layer as? NestedModel {
                nested.graph.collectExecutableCode(prefix: path, into: &found)
            }
        }
    }

    /// What Python code `layer`'s configuration carries, or nil. Only opaque layers keep their configuration; every
    /// built-in layer KerasPort runs is plain data.
    public static func executableCode(in layer: any Layer) -> String? {
        guard let opaque = layer as? OpaqueLayer else { return nil }
        let config = opaque.config
        var parts: [String] = []
        if opaque.className == "Lambda" {
            parts += functionCode(config["function"], type: config["function_type"], role: "the layer's function")
            parts += functionCode(config["output_shape"], type: config["output_shape_type"], role: "its output_shape function")
            parts += functionCode(config["mask"], type: config["mask_type"], role: "its mask function")
            if parts.isEmpty { parts.append("a Python function (the layer's function)") }
        } else if containsKeras3Lambda(config, depth: 0) {
            parts.append("marshalled Python bytecode (a `__lambda__` in its config)")
        }
        return parts.isEmpty ? nil : parts.joined(separator: " and ")
    }

    /// The code a Lambda's `function`/`output_shape`/`mask` entry carries in either dialect.
    private static func functionCode(_ value: JSONValue?, type: JSONValue?, role: String) -> [String] {
        guard let value, value != .null else { return [] }
        if case .object = value, case let .string(cls)? = value["class_name"] {  // Keras 3
            if cls == "__lambda__" { return ["marshalled Python bytecode (\(role))"] }
            if cls == "function" {
                let name: String
                if case let .string(n)? = value["config"] { name = n } else { name = "?" }
                var module = ""
                if case let .string(m)? = value["module"] { module = m + "." }
                return ["a reference to the Python function `\(module)\(name)` (\(role))"]
            }
            return []
        }
        switch type {  // Keras 2
        case .string("lambda")?: return ["marshalled Python bytecode (\(role))"]
        case .string("function")?:
            if case let .string(n) = value { return ["a reference to the Python function `\(n)` (\(role))"] }
            return ["a reference to a Python function (\(role))"]
        case nil:
            // Keras 1 and early Keras 2 wrote the bytecode without a type: a list whose first element is a string.
            if case let .array(a) = value, case .string? = a.first { return ["marshalled Python bytecode (\(role))"] }
            return []
        default: return []
        }
    }

    /// Whether a Keras 3 config holds a `{"class_name": "__lambda__"}` object anywhere.
    private static func containsKeras3Lambda(_ value: JSONValue, depth: Int) -> Bool {
        guard depth < 64 else { return false }
        switch value {
        case let .object(o):
            if case .string("__lambda__")? = value["class_name"] { return true }
            return o.contains { containsKeras3Lambda($0.1, depth: depth + 1) }
        case let .array(a):
            return a.contains { containsKeras3Lambda($0, depth: depth + 1) }
        default:
            return false
        }
    }
}
