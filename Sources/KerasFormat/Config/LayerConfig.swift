import KerasGraph

/// Which Keras wrote a config. Key names and value forms differ between them.
package enum ConfigDialect: String, Sendable, Equatable {
    /// Keras 1.x (`output_dim`, `nb_filter`, `border_mode`, …).
    case keras1
    /// Keras 2.x, tf.keras and tf_keras (`alpha`, `batch_input_shape`, string dtypes).
    case keras2
    /// Keras 3 (`negative_slope`, `batch_shape`, DTypePolicy dicts).
    case keras3
}

/// One layer's entry in a model config, before it is decoded into a typed ``Layer``.
///
/// This is the only place a layer config exists as untyped JSON; decoders (`Dense+Config.swift`, …)
/// read it through the typed accessors below, which throw a ``FormatError`` naming the layer and key.
package struct LayerConfig: Sendable {
    /// The Keras class name (`Dense`); for registered custom classes, the part after `>`.
    package var className: String
    /// The layer's name.
    package var name: String
    /// The `config` object.
    package var config: JSONValue
    package var dialect: ConfigDialect
    /// The `keras_version` the file states, when it states one.
    package var kerasVersion: String?
    /// The `module` a `.keras` archive's config names for the class (`keras.layers`, `keras.src.ops.numpy`, …),
    /// when it names one. Keras 3 saves `keras.ops` calls of a functional model with class names that collide
    /// with layers (`Add`, `Reshape`), so the registry dispatches on module and class name together.
    package var module: String?
    /// How each call (inbound node) of the layer passed its arguments, in call order; empty in Sequential models.
    /// Decoders of layers whose meaning depends on call arguments (op layers, attention) read them here.
    package var calls: [CallArguments]

    package init(className: String, name: String, config: JSONValue, dialect: ConfigDialect, kerasVersion: String? = nil,
                module: String? = nil, calls: [CallArguments] = []) {
        self.className = className
        self.name = name
        self.config = config
        self.dialect = dialect
        self.kerasVersion = kerasVersion
        self.module = module
        self.calls = calls
    }

    /// An error about this layer's config.
    package func error(_ reason: String) -> FormatError {
        FormatError(object: "layer `\(name)` (\(className))", reason)
    }

    /// The raw value of `key`, treating JSON `null` as absent.
    package func value(_ key: String) -> JSONValue? {
        guard let v = config[key] else { return nil }
        if case .null = v { return nil }
        return v
    }

    /// True when `key` is present (even if `null`).
    package func has(_ key: String) -> Bool { config[key] != nil }

    // MARK: Scalars

    package func double(_ key: String) throws -> Double? {
        guard let v = value(key) else { return nil }
        switch v {
        case let .number(d): return d
        // Keras 2.0.0–2.0.5 wrote numpy values as {"type": "ndarray", "value": x}.
        case .object where v["value"] != nil:
            if case let .number(d)? = v["value"] { return d }
            throw error("`\(key)` must be a number")
        default: throw error("`\(key)` must be a number, found \(v.kindName)")
        }
    }

    package func double(_ key: String, default d: Double) throws -> Double { try double(key) ?? d }

    package func float(_ key: String) throws -> Float? { try double(key).map(Float.init) }

    package func float(_ key: String, default d: Float) throws -> Float { try float(key) ?? d }

    package func int(_ key: String) throws -> Int? {
        guard let d = try double(key) else { return nil }
        guard d.rounded() == d, abs(d) < 1e15 else { throw error("`\(key)` must be an integer, found \(d)") }
        return Int(d)
    }

    package func int(_ key: String, default d: Int) throws -> Int { try int(key) ?? d }

    /// A required integer.
    package func requiredInt(_ key: String) throws -> Int {
        guard let v = try int(key) else { throw error("missing `\(key)`") }
        return v
    }

    package func bool(_ key: String) throws -> Bool? {
        guard let v = value(key) else { return nil }
        guard case let .bool(b) = v else { throw error("`\(key)` must be true or false, found \(v.kindName)") }
        return b
    }

    package func bool(_ key: String, default d: Bool) throws -> Bool { try bool(key) ?? d }

    package func string(_ key: String) throws -> String? {
        guard let v = value(key) else { return nil }
        guard case let .string(s) = v else { throw error("`\(key)` must be a string, found \(v.kindName)") }
        return s
    }

    package func string(_ key: String, default d: String) throws -> String { try string(key) ?? d }

    // MARK: Lists

    /// A list of integers; a bare integer is read as a one-element list (Keras accepts both, e.g. `shared_axes`).
    package func intList(_ key: String) throws -> [Int]? {
        guard let v = value(key) else { return nil }
        switch v {
        case .number: return [try requiredInt(key)]
        case let .array(items):
            var out: [Int] = []
            for item in items {
                guard case let .number(d) = item, d.rounded() == d, abs(d) < 1e15 else {
                    throw error("`\(key)` must be a list of integers")
                }
                out.append(Int(d))
            }
            return out
        default: throw error("`\(key)` must be a list of integers, found \(v.kindName)")
        }
    }

    /// A list of integers or `null`s (a shape such as `[null, 8, 8, 3]`).
    package func shape(_ key: String) throws -> Shape? {
        guard let v = value(key) else { return nil }
        guard case let .array(items) = v else { throw error("`\(key)` must be a list, found \(v.kindName)") }
        var out: Shape = []
        for item in items {
            switch item {
            case .null: out.append(nil)
            case let .number(d) where d.rounded() == d && d >= 0 && d < 1e12: out.append(Int(d))
            default: throw error("`\(key)` must hold non-negative integers or null")
            }
        }
        return out
    }

    /// An integer or a list of `count` integers (kernel sizes, strides): `3` becomes `[3, 3]`.
    package func intTuple(_ key: String, count: Int) throws -> [Int]? {
        guard let list = try intList(key) else { return nil }
        if list.count == 1 && count > 1 { return Array(repeating: list[0], count: count) }
        guard list.count == count else { throw error("`\(key)` must have \(count) values, found \(list.count)") }
        return list
    }

    // MARK: Objects

    /// A serialized Keras object (initializer, regularizer, constraint), kept uninterpreted; `nil` for `null`.
    package func kerasObject(_ key: String) throws -> KerasObject? {
        guard let v = value(key) else { return nil }
        switch v {
        case let .string(s): return KerasObject(className: s, isIdentifier: true)
        case .object:
            guard case let .string(cls)? = v["class_name"] else { throw error("`\(key)` has no `class_name`") }
            return KerasObject(className: cls, config: v["config"] ?? .object([]))
        default: throw error("`\(key)` must be a string or an object, found \(v.kindName)")
        }
    }

    /// The dtype policy name, from a string (`"float32"`) or a policy object (`DTypePolicy`, `Policy`).
    package func dtypeName() -> String {
        guard let v = value("dtype") else { return "float32" }
        switch v {
        case let .string(s): return s
        case .object:
            if case let .string(s)? = v["config"]?["name"] { return s }
            return "float32"
        default: return "float32"
        }
    }

    /// The properties every layer has.
    package func common() throws -> LayerCommon {
        LayerCommon(name: name, trainable: try bool("trainable", default: true), dtype: dtypeName())
    }
}

extension JSONValue {
    /// `null`, `boolean`, `number`, `string`, `list` or `object`, for messages.
    package var kindName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .number: return "number"
        case .string: return "string"
        case .array: return "list"
        case .object: return "object"
        }
    }
}
