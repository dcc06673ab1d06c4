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

    /// True for a config that holds a model's topology (a list of layers, or a dict with `layers`).
    static func isModelConfig(_ config: JSONValue) -> Bool {
        switch config {
        case .array: return true
        case .object: return config["layers"] != nil
        default: return false
        }
    }
}
