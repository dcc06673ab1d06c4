/// A JSON value, kept only where the graph must carry something it does not interpret:
/// the config of an opaque (unsupported) layer, and serialized Keras objects such as
/// initializers, regularizers and constraints, so that writers can put them back.
public enum JSONValue: Sendable, Equatable, Hashable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    /// Key order is kept, so that a re-written config reads like the original.
    case object([(String, JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case let (.bool(x), .bool(y)): return x == y
        case let (.number(x), .number(y)): return x == y || (x.isNaN && y.isNaN)
        case let (.string(x), .string(y)): return x == y
        case let (.array(x), .array(y)): return x == y
        case let (.object(x), .object(y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    public func hash(into h: inout Hasher) {
        switch self {
        case .null: h.combine(0)
        case let .bool(b): h.combine(b)
        case let .number(n): h.combine(n)
        case let .string(s): h.combine(s)
        case let .array(a): h.combine(a)
        case let .object(o): for (k, v) in o { h.combine(k); h.combine(v) }
        }
    }

    /// The member named `key` of an object, or `nil`.
    public subscript(key: String) -> JSONValue? {
        guard case let .object(members) = self else { return nil }
        return members.first { $0.0 == key }?.1
    }
}

/// A serialized Keras object (initializer, regularizer, constraint, dtype policy) that the graph keeps
/// for re-export but does not interpret. `nil` where the file said `null`.
public struct KerasObject: Sendable, Equatable, Hashable {
    /// `GlorotUniform`, `Zeros`, `L2`, `NonNeg`, … or a plain string identifier such as `"zeros"` (Keras 2).
    public var className: String
    /// The object's own config (`{}` when none).
    public var config: JSONValue
    /// True when the file held just the string identifier (`"zeros"`) rather than a `{class_name, config}` dict.
    public var isIdentifier: Bool

    public init(className: String, config: JSONValue = .object([]), isIdentifier: Bool = false) {
        self.className = className
        self.config = config
        self.isIdentifier = isIdentifier
    }
}
