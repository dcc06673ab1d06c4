import KerasGraph

/// Turns a tf_keras-form model config (``ModelConfigFlavor/keras2``) into one that Keras 3's legacy `.h5` loader
/// reads as tf_keras does, where one spelling suits both. Each rule was found by loading files in tf_keras 2.21 and
/// Keras 3.15.1 (`load_model(..., compile=False)`) and comparing predictions:
///
/// - `DepthwiseConv2D`, `SeparableConv2D`, `Conv2DTranspose`: no `groups` key (tf_keras writes `groups: 1`, its
///   default; Keras 3 rejects the key for these classes).
/// - `SpatialDropout1D`/`2D`: no `trainable` and `noise_shape` keys (Keras 3's constructors take neither; tf_keras'
///   defaults are the same values).
/// - `ThresholdedReLU(theta)` is written as `ReLU(threshold=theta)`, which computes `x > theta ? x : 0` in both
///   (Keras 3 has no `ThresholdedReLU`).
/// - A layer object used as an activation (`Dense(activation=LeakyReLU(0.1))`) carries `module: "keras.layers"` and
///   `registered_name`, as tf_keras ≥ 2.13 writes it; Keras 3 cannot resolve it without.
/// - A nested Sequential model is written unbuilt (no input layer entry, no `batch_input_shape`), so that neither
///   Keras counts a construction node for it: calls on it are numbered from 0 in both (tf_keras numbers a built
///   model's calls from 1, Keras 3 from 0). It is built when the outer model calls it.
/// - A nested Functional model with one input or output writes it as a flat `[layer, node, tensor]` triple, so that
///   both return a tensor rather than a one-element list (a list breaks the next layer of an outer Sequential model
///   in Keras 3).
///
/// No portable spelling exists, and the tf_keras form is kept, for: a negative LeakyReLU `alpha` (Keras 3 refuses
/// it), Keras 2's `hard_sigmoid` (Keras 3 computes its own), and a multi-axis `axis` (Keras 3's legacy loader drops
/// it); ``WriteCompatibility`` lists them.
enum PortableKeras2Config {
    /// The portable form of a top-level `{"class_name", "config"}` model config.
    static func make(_ root: JSONValue) -> JSONValue {
        guard case let .object(members) = root else { return root }
        return .object(members.map { key, value in key == "config" ? (key, model(value)) : (key, value) })
    }

    /// A model's `config` (a Sequential list or dict, or a Functional dict) with its layer entries made portable.
    private static func model(_ config: JSONValue) -> JSONValue {
        switch config {
        case let .array(entries):
            return .array(entries.map { layerEntry($0).entry })
        case var .object(members):
            guard let k = members.firstIndex(where: { $0.0 == "layers" }), case let .array(entries) = members[k].1 else {
                return config
            }
            var unbuilt = Set<String>()
            var newEntries: [JSONValue] = []
            for entry in entries {
                let (e, madeUnbuilt) = layerEntry(entry)
                newEntries.append(e)
                if madeUnbuilt, case let .string(name)? = e["name"] { unbuilt.insert(name) }
            }
            members[k].1 = .array(newEntries.map { renumberCalls(in: $0, of: unbuilt) })
            if let o = members.firstIndex(where: { $0.0 == "output_layers" }) {
                members[o].1 = renumber(members[o].1, of: unbuilt)
            }
            return .object(members)
        default:
            return config
        }
    }

    /// One layer entry made portable; whether it is a nested Sequential model now written unbuilt.
    private static func layerEntry(_ entry: JSONValue) -> (entry: JSONValue, unbuilt: Bool) {
        guard case var .object(members) = entry, case let .string(cls)? = entry["class_name"],
              let c = members.firstIndex(where: { $0.0 == "config" }) else { return (entry, false) }
        var unbuilt = false
        switch cls {
        case "Sequential" where LayerRegistry.isModelConfig(members[c].1):
            // Always renumbered: the tf_keras form counts a nested model's calls from 1 whether or not its
            // input layer was written.
            members[c].1 = unbuiltSequential(model(members[c].1))
            unbuilt = true
        case "Functional", "Model":
            if LayerRegistry.isModelConfig(members[c].1) { members[c].1 = flatSingleRefs(model(members[c].1)) }
        case "DepthwiseConv2D", "SeparableConv2D", "Conv2DTranspose":
            members[c].1 = removing(["groups"], from: members[c].1, onlyIf: .number(1))
        case "SpatialDropout1D", "SpatialDropout2D":
            members[c].1 = removing(["trainable", "noise_shape"], from: members[c].1)
        case "ThresholdedReLU":
            let k = members.firstIndex(where: { $0.0 == "class_name" }) ?? 0
            members[k].1 = .string("ReLU")
            members[c].1 = thresholdedAsReLU(members[c].1)
        default:
            break
        }
        members[c].1 = activationObjects(members[c].1)
        return (.object(members), unbuilt)
    }

    /// The config without `keys` (only where the value is `onlyIf`, when given).
    private static func removing(_ keys: Set<String>, from config: JSONValue, onlyIf value: JSONValue? = nil) -> JSONValue {
        guard case let .object(members) = config else { return config }
        return .object(members.filter { key, v in !(keys.contains(key) && (value == nil || v == value)) })
    }

    /// `ThresholdedReLU`'s `{name, trainable, dtype, theta}` as `ReLU`'s config.
    private static func thresholdedAsReLU(_ config: JSONValue) -> JSONValue {
        guard case let .object(members) = config else { return config }
        let theta = config["theta"] ?? .number(1)
        return .object(members.filter { $0.0 != "theta" }
                       + [("max_value", .null), ("negative_slope", .number(0)), ("threshold", theta)])
    }

    /// `activation` objects written as tf_keras ≥ 2.13 writes them, with `module` and `registered_name`.
    private static func activationObjects(_ config: JSONValue) -> JSONValue {
        guard case var .object(members) = config,
              let k = members.firstIndex(where: { $0.0 == "activation" }),
              case var .object(object) = members[k].1, object.contains(where: { $0.0 == "class_name" }),
              !object.contains(where: { $0.0 == "module" }) else { return config }
        object.insert(("module", .string("keras.layers")), at: 0)
        object.append(("registered_name", .null))
        members[k].1 = .object(object)
        return .object(members)
    }

    /// A Sequential config without its input layer entry and input shapes.
    private static func unbuiltSequential(_ config: JSONValue) -> JSONValue {
        let shapeKeys: Set<String> = ["batch_input_shape", "batch_shape", "input_shape", "input_dim", "batch_size"]
        func strip(_ entries: [JSONValue]) -> [JSONValue] {
            var out = entries
            if case .string("InputLayer")? = out.first?["class_name"] { out.removeFirst() }
            return out.map { entry in
                guard case var .object(m) = entry, let c = m.firstIndex(where: { $0.0 == "config" }),
                      case let .object(cm) = m[c].1 else { return entry }
                m[c].1 = .object(cm.filter { !shapeKeys.contains($0.0) })
                return .object(m)
            }
        }
        switch config {
        case let .array(entries):
            return .array(strip(entries))
        case var .object(members):
            guard let k = members.firstIndex(where: { $0.0 == "layers" }), case let .array(entries) = members[k].1 else {
                return config
            }
            members[k].1 = .array(strip(entries))
            members.removeAll { $0.0 == "build_input_shape" }
            return .object(members)
        default:
            return config
        }
    }

    /// A Functional config whose single input or output is a flat triple.
    private static func flatSingleRefs(_ config: JSONValue) -> JSONValue {
        guard case var .object(members) = config else { return config }
        for key in ["input_layers", "output_layers"] {
            if let k = members.firstIndex(where: { $0.0 == key }), case let .array(refs) = members[k].1, refs.count == 1,
               case .array = refs[0] {
                members[k].1 = refs[0]
            }
        }
        return .object(members)
    }

    /// A layer entry whose inbound references to the models in `unbuilt` count from 0 (they counted from 1).
    private static func renumberCalls(in entry: JSONValue, of unbuilt: Set<String>) -> JSONValue {
        guard !unbuilt.isEmpty, case var .object(members) = entry,
              let k = members.firstIndex(where: { $0.0 == "inbound_nodes" }) else { return entry }
        members[k].1 = renumber(members[k].1, of: unbuilt)
        return .object(members)
    }

    /// Every `[layer, node, tensor(, kwargs)]` reference in `value` to a layer in `unbuilt`, with `node` one lower.
    private static func renumber(_ value: JSONValue, of unbuilt: Set<String>) -> JSONValue {
        guard !unbuilt.isEmpty, case let .array(items) = value else { return value }
        if case let .string(layer)? = items.first, items.count == 3 || items.count == 4 {
            guard unbuilt.contains(layer), case let .number(node) = items[1], node >= 1 else { return value }
            var copy = items
            copy[1] = .number(node - 1)
            return .array(copy)
        }
        return .array(items.map { renumber($0, of: unbuilt) })
    }
}
