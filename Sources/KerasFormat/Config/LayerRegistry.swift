import KerasGraph

/// Turns one layer config into a typed ``Layer``: the decoders in `builtinLayerDecoders` for known classes,
/// ``InputLayer`` and ``NestedModel`` for inputs and models used as layers, and ``OpaqueLayer`` for every other
/// class, so that a file with unknown layers can still be read and inspected.
package enum LayerRegistry {
    /// Class names of models that may appear as layers.
    package static let modelClassNames: Set<String> = ["Sequential", "Functional", "Model"]

    /// The class name without a registration package: `my_pkg>Scale` → `Scale`, `Custom>Adam` → `Adam`.
    package static func unregisteredName(_ className: String) -> String {
        guard let gt = className.lastIndex(of: ">") else { return className }
        return String(className[className.index(after: gt)...])
    }

    /// True when KerasPort decodes `className` into a typed layer (rather than an ``OpaqueLayer``).
    package static func isSupported(className: String) -> Bool {
        let name = unregisteredName(className)
        return name == "InputLayer" || modelClassNames.contains(name) || builtinLayerDecoders[name] != nil
    }

    /// Every class name KerasPort decodes, sorted.
    package static var supportedClassNames: [String] {
        (Array(builtinLayerDecoders.keys) + ["InputLayer"] + modelClassNames).sorted()
    }

    /// Decodes `c` into a typed layer, or an ``OpaqueLayer`` for a class KerasPort does not know.
    ///
    /// A registered name (`package>Name`) is looked up by the part after `>`; the full name is kept on an opaque
    /// layer for re-export.
    /// - Throws: ``FormatError`` naming the layer and what is wrong with its config.
    package static func decode(_ c: LayerConfig) throws -> any Layer {
        let registered = c.className.contains(">") ? c.className : nil
        var c = c
        c.className = unregisteredName(c.className)
        do {
            if let module = c.module, isOpModule(module) {
                // A `keras.ops` call: never the layer of the same class name.
                if let decoder = kerasOpDecoders[c.className] { return try decoder(c) }
                return OpaqueLayer(config: c, registeredName: registered)
            }
            if isModulelessKerasOp(c), let decoder = kerasOpDecoders[c.className] {
                // A `keras.ops` call as Keras 3 writes it into a legacy `.h5` (no module; see below).
                return try decoder(c)
            }
            if c.className == "InputLayer" { return try InputLayer(config: c) }
            if modelClassNames.contains(c.className), isModelConfig(c.config) { return try NestedModel(config: c) }
            if let decoder = builtinLayerDecoders[c.className] { return try decoder(c) }
            var opaque = OpaqueLayer(config: c, registeredName: registered)
            if registered == nil { opaque.unsupportedReason = unsupportedReason(className: c.className) }
            return opaque
        } catch var e as FormatError {
            let here = "layer `\(c.name)` (\(c.className))"
            if let inner = e.object, inner != here {
                // An error inside a nested model: say which model it is in.
                e.object = modelClassNames.contains(c.className) ? "\(here), \(inner)" : inner
            } else {
                e.object = here
            }
            throw e
        } catch {
            throw FormatError(object: "layer `\(c.name)` (\(c.className))", "\(error)")
        }
    }

    /// True for the module of a Keras 3 `keras.ops` operation saved in a functional model (`keras.src.ops.numpy`,
    /// `keras.src.ops.nn`, `keras.ops`, …).
    package static func isOpModule(_ module: String) -> Bool {
        module == "keras.ops" || module.hasPrefix("keras.ops.") || module.hasPrefix("keras.src.ops")
    }

    /// True for a `keras.ops` call as Keras 3 writes it into a legacy `.h5`, which records no module: in a Keras 3
    /// config, a class name of a Keras 3 op (``kerasOpDecoders``) whose config is `{name, <the op's own
    /// arguments>}`, as Keras 3 writes an operation's config, with neither `trainable` nor `dtype`, which every
    /// Keras layer writes. This tells the op `Add` from the layer `Add` and a `DepthToSpace` op from a custom layer
    /// of that name; a hand-written layer config without `trainable` (`{"name", "target_shape"}`) stays a layer, and
    /// so does a config that could be either (`Softmax` / `Concatenate` as `{name, axis}`).
    static func isModulelessKerasOp(_ c: LayerConfig) -> Bool {
        guard c.module == nil, c.dialect == .keras3, kerasOpDecoders[c.className] != nil, c.has("name"),
              case let .object(members) = c.config, members.allSatisfy({ opConfigKeys.contains($0.0) }) else { return false }
        guard builtinLayerDecoders[c.className] != nil else { return true }
        // A class name that is also a layer's: only where the config cannot be the layer's. The element-wise ops
        // write `{name}` alone (their layers at least `trainable` and `dtype`); the reshape op writes `newshape`.
        // `Softmax` / `Concatenate` with `{name, axis}` could be either and stay layers.
        let keys = Set(members.map(\.0))
        if ["Add", "Subtract", "Multiply", "Maximum", "Minimum"].contains(c.className) { return keys == ["name"] }
        return keys.contains("newshape")
    }

    /// The config keys of the Keras 3.15 ops KerasPort decodes (`name` and their own arguments).
    static let opConfigKeys: Set<String> = [
        "name", "axis", "keepdims", "initial", "newshape", "shape", "axes", "x_min", "x_max", "approximate",
        "negative_slope", "alpha", "block_size", "data_format", "size", "interpolation", "antialias",
        "crop_to_aspect_ratio", "pad_to_aspect_ratio", "fill_mode", "fill_value",
    ]

    /// True for a config that holds a model's topology (a list of layers, or a dict with `layers`).
    static func isModelConfig(_ config: JSONValue) -> Bool {
        switch config {
        case .array: return true
        case .object: return config["layers"] != nil
        default: return false
        }
    }
}
