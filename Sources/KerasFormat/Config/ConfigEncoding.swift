import KerasGraph

/// A layer that can write its Keras `config` object, the inverse of its `init(config:)` decoder.
///
/// Writers call it through `layer as? ConfigEncodable`. ``ConfigDialect/keras1`` is written as
/// ``ConfigDialect/keras2`` (KerasPort never writes Keras 1 configs).
package protocol ConfigEncodable {
    /// The layer's `config` object as the given Keras writes it (`layer.get_config()`), keys in Keras' order.
    ///
    /// - ``ConfigDialect/keras2``: the tf_keras 2.x form: `dtype` a plain string (`{"class_name": "Policy", …}`
    ///   for mixed precision), float32-rounded values where tf_keras rounds them (`alpha`, `theta`, ReLU values),
    ///   nested initializers/regularizers/constraints as `{"class_name", "config"}`. Keys that tf_keras writes at a
    ///   fixed default but Keras 3 rejects (`groups: 1` on depthwise/separable/transposed convolutions, `trainable` and
    ///   `noise_shape` on spatial dropout) are left out, so that the config loads in Keras 2 and Keras 3 alike.
    /// - ``ConfigDialect/keras3``: the Keras 3 form: `dtype` a `DTypePolicy` object, exact decimal values, nested
    ///   objects with `module` and `registered_name`.
    ///
    /// Where a value has no spelling in the target dialect the closest valid form is written (each layer's doc
    /// comment says which); writers are expected to check such cases.
    func configJSON(dialect: ConfigDialect) -> JSONValue

    /// The `class_name` to write with the config for this dialect; the layer's own class name except where a
    /// dialect has no such class (`ThresholdedReLU` is written as `ReLU` for Keras 3).
    func kerasClassName(dialect: ConfigDialect) -> String
}

extension ConfigEncodable where Self: Layer {
    package func kerasClassName(dialect: ConfigDialect) -> String { className }
}

/// Which module a nested Keras object belongs to (Keras 3 writes it as `module`).
package enum KerasObjectKind: String, Sendable {
    case initializer = "keras.initializers"
    case regularizer = "keras.regularizers"
    case constraint = "keras.constraints"
}

/// Shared pieces of layer config encoding: the common keys, dtype, nested objects, activations and numbers.
package enum ConfigEncoding {
    /// `name`, `trainable`, `dtype`: the keys every layer config starts with.
    package static func base(_ common: LayerCommon, _ dialect: ConfigDialect) -> [(String, JSONValue)] {
        [("name", .string(common.name)), ("trainable", .bool(common.trainable)), ("dtype", dtype(common.dtype, dialect))]
    }

    /// A dtype policy: Keras 2 writes `"float32"` (or `{"class_name": "Policy", "config": {"name": "mixed_float16"}}`
    /// for mixed precision), Keras ≥ 3.4 a `DTypePolicy` object.
    package static func dtype(_ name: String, _ dialect: ConfigDialect) -> JSONValue {
        switch dialect {
        case .keras1, .keras2:
            guard name.hasPrefix("mixed_") else { return .string(name) }
            return .object([("class_name", .string("Policy")), ("config", .object([("name", .string(name))]))])
        case .keras3:
            return .object([("module", .string("keras")), ("class_name", .string("DTypePolicy")),
                            ("config", .object([("name", .string(name))])), ("registered_name", .null)])
        }
    }

    /// Keys that Keras 3.15 adds to variance-scaling initializers and that tf_keras rejects.
    static let keras3OnlyInitializerKeys: Set<String> = ["input_axes", "output_axes"]

    /// A nested initializer, regularizer or constraint; `null` for `nil`. A string identifier stays a string.
    ///
    /// Keras 2: `{"class_name", "config"}` (the form every Keras 2 and Keras 3 accepts), without Keras 3's
    /// `input_axes` / `output_axes` initializer keys (tf_keras rejects them; their only values in practice are `null`,
    /// tf_keras' behaviour). Keras 3: `{"module", "class_name", "config", "registered_name"}`.
    package static func object(_ object: KerasObject?, _ kind: KerasObjectKind, _ dialect: ConfigDialect) -> JSONValue {
        guard let object else { return .null }
        if object.isIdentifier { return .string(object.className) }
        switch dialect {
        case .keras1, .keras2:
            var config = object.config
            if kind == .initializer, case let .object(members) = config {
                config = .object(members.filter { !keras3OnlyInitializerKeys.contains($0.0) })
            }
            return .object([("class_name", .string(object.className)), ("config", config)])
        case .keras3:
            return .object([("module", .string(kind.rawValue)), ("class_name", .string(object.className)),
                            ("config", object.config), ("registered_name", .null)])
        }
    }

    /// A float that Keras 2 rounds to float32 before writing (`float(np.float32(x))`, e.g. 0.3 →
    /// `0.30000001192092896`) and Keras 3 writes as the decimal the user gave (0.3): for Keras 3 the shortest
    /// decimal that reads back as the same `Float`.
    package static func float32(_ x: Float, _ dialect: ConfigDialect) -> JSONValue {
        switch dialect {
        case .keras1, .keras2: return .number(Double(x))
        case .keras3: return .number(shortestDouble(x))
        }
    }

    /// The `Double` whose shortest decimal is the `Float`'s shortest decimal (`Float(0.3)` → `0.3`).
    package static func shortestDouble(_ x: Float) -> Double {
        guard x.isFinite else { return Double(x) }
        return Double(x.description) ?? Double(x)
    }

    /// A list of integers.
    package static func ints(_ values: [Int]) -> JSONValue { .array(values.map { .number(Double($0)) }) }

    /// An integer or `null`.
    package static func int(_ value: Int?) -> JSONValue { value.map { .number(Double($0)) } ?? .null }

    /// A shape with `null` for unknown sizes, or `null`.
    package static func shape(_ shape: Shape?) -> JSONValue {
        guard let shape else { return .null }
        return .array(shape.map { $0.map { .number(Double($0)) } ?? .null })
    }

    /// An axis list as Keras writes it: a bare integer for one axis, a list for several.
    package static func axis(_ axes: [Int]) -> JSONValue {
        axes.count == 1 ? .number(Double(axes[0])) : ints(axes)
    }

    /// A layer's `activation` value.
    ///
    /// A string identifier is written as read. A serialized activation layer (`LeakyReLU`, `ReLU`, `ELU`, `Softmax`,
    /// `Activation`) is re-encoded for the target dialect (so a Keras 2 `alpha` becomes Keras 3's `negative_slope`),
    /// and any activation object is wrapped as tf_keras and Keras 3 both write it,
    /// `{"module": "keras.layers", "class_name", "config", "registered_name": null}`: Keras 3 cannot resolve a layer
    /// used as an activation from the older two-key form. A serialized function
    /// (`{"class_name": "function", "config": "relu"}`) becomes the plain name, as `get_config` writes built-ins.
    ///
    /// Not expressible: `hard_sigmoid` differs between Keras 2 (`clip(0.2x + 0.5, 0, 1)`) and Keras 3
    /// (`relu6(x + 3) / 6`), so writing one dialect's `hard_sigmoid` for the other changes results; the name is
    /// written unchanged and writers must check ``ActivationFunction/hardSigmoid(_:)`` against the target.
    package static func activation(_ activation: Activation, _ dialect: ConfigDialect) -> JSONValue {
        switch activation.spelling {
        case let .name(name):
            return .string(name)
        case let .object(className, config):
            if className == "function", case let .string(name) = config {
                // Keras 3's get_config writes built-in activation functions by name in both dialects.
                return .string(name)
            }
            let inner = activationLayerConfig(activation.function, className: className, config: config, dialect) ?? config
            // Both dialects use the `module` form: Keras 3 cannot resolve a layer used as an activation from the
            // two-key `{"class_name", "config"}` form, and tf_keras writes (and reads) the `module` form.
            return .object([("module", .string("keras.layers")), ("class_name", .string(className)),
                            ("config", inner), ("registered_name", .null)])
        }
    }

    /// The config of a serialized activation layer, re-encoded for `dialect`; `nil` for classes not handled.
    static func activationLayerConfig(_ function: ActivationFunction, className: String, config: JSONValue,
                                      _ dialect: ConfigDialect) -> JSONValue? {
        var common = LayerCommon(name: "activation")
        if case let .string(name)? = config["name"] { common.name = name }
        if case let .bool(t)? = config["trainable"] { common.trainable = t }
        switch config["dtype"] {
        case let .string(s)?: common.dtype = s
        case let .object(o)?:
            if case let .string(s)? = JSONValue.object(o)["config"]?["name"] { common.dtype = s }
        default: break
        }
        switch (className, function) {
        case let ("LeakyReLU", .leakyReLU(slope)):
            return LeakyReLU(common: common, negativeSlope: slope).configJSON(dialect: dialect)
        case ("ReLU", .relu):
            return ReLU(common: common).configJSON(dialect: dialect)
        case let ("ReLU", .leakyReLU(slope)):
            return ReLU(common: common, negativeSlope: slope).configJSON(dialect: dialect)
        case let ("ELU", .elu(alpha)):
            return ELU(common: common, alpha: alpha).configJSON(dialect: dialect)
        case let ("Softmax", .softmax(axis)):
            return Softmax(common: common, axis: [axis]).configJSON(dialect: dialect)
        case ("Activation", _):
            guard case let .string(name)? = config["activation"] else { return nil }
            return ActivationLayer(common: common, activation: Activation(function, spelling: .name(name)))
                .configJSON(dialect: dialect)
        default:
            return nil
        }
    }
}
