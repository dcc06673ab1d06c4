import HDF5
import KerasGraph

/// Writes the legacy full-model HDF5 layout (`model.save('m.h5')`) of tf_keras 2.x or Keras 3:
///
/// ```
/// /                  @backend, @keras_version (VLEN UTF-8), @model_config (VLEN ASCII JSON)
/// /model_weights     @layer_names, @backend, @keras_version (VLEN ASCII)
///   <layer>          @weight_names (a float64 (0,) array when empty)
///     <weight name>  one dataset per weight, at the path its name spells
///   top_level_model_weights
/// ```
///
/// `layer_names` is Keras' `model.layers`: a Sequential model's input layer is not in it. Weight names are those the
/// writing Keras gives its variables:
/// - Keras 2 (tf_keras): `<layer>/<weight>:0`; inside a nested model, `<inner layer>/<weight>:0`.
/// - Keras 3 (≥ 3.3, `w.path`): `<layer>/<weight>`, with the names of the Sequential models that built the layer in
///   front (`seq/d1/kernel` → dataset `d1/seq/d1/kernel`; a Functional model adds nothing).
///
/// A nested model is one group holding all its layers' weights in Keras' order for a model (`trainable_weights +
/// non_trainable_weights`: every trainable weight layer by layer, then the rest), which is how Keras loads them back.
/// No `training_config` and no optimizer weights are written.
struct LegacyH5Writer {
    let dialect: ConfigDialect
    /// The output path, for messages.
    let file: String

    /// The `keras_version` written: tf_keras' for the Keras 2 dialect, Keras 3's for the Keras 3 dialect.
    var kerasVersion: String { dialect == .keras3 ? KerasFileWriter.keras3Version : KerasFileWriter.keras2Version }

    func write(_ graph: ModelGraph, modelConfig: String, into h5: HDF5File) throws {
        let root = try h5.rootGroup()
        try root.attributes.write(string: "tensorflow", named: "backend")
        try root.attributes.write(string: kerasVersion, named: "keras_version")
        try root.attributes.write(string: modelConfig, named: "model_config", as: .variableLength(.ascii))

        let weightsGroup = try root.createGroup(at: "model_weights")
        let layers = graph.nodes.enumerated().filter { n, node in
            !(graph.kind == .sequential && n == 0 && node.layer is InputLayer)
        }.map(\.element)
        try NameListAttribute.write(layers.map(\.name), named: "layer_names", on: weightsGroup.attributes, file: file,
                                    object: "model_weights")
        try weightsGroup.attributes.write(string: "tensorflow", named: "backend", as: .variableLength(.ascii))
        try weightsGroup.attributes.write(string: kerasVersion, named: "keras_version", as: .variableLength(.ascii))

        let scope = graph.kind == .sequential ? [graph.name] : []
        for node in layers {
            let entries: [(String, Weight)]
            if let nested = node.layer as? NestedModel {
                entries = nestedEntries(nested, outerScope: scope)
            } else if let rnn = node.layer as? RNN {
                // Each cell's weights under its scope (`rnn/stacked_rnn_cells/gru_cell/kernel:0`), as Keras names them.
                entries = rnn.weights.indices.map { (weightName(leafScope: scope, layer: rnn, weight: rnn.scopedWeight($0)), rnn.weights[$0]) }
            } else {
                entries = node.layer.weights.map { (weightName(leafScope: scope, layer: node.layer, weight: $0), $0) }
            }
            try writeGroup(try weightsGroup.createGroup(at: node.name), entries, object: "layer `\(node.name)`")
        }
        let topLevel = graph.topLevelWeights.map { (dialect == .keras3 ? $0.name : "\($0.name):0", $0) }
        try writeGroup(try weightsGroup.createGroup(at: "top_level_model_weights"), topLevel,
                       object: "the model's own weights")
    }

    /// `@weight_names` and one dataset per weight.
    private func writeGroup(_ group: HDF5Group, _ entries: [(String, Weight)], object: String) throws {
        var seen = Set<String>()
        for (name, _) in entries where !seen.insert(name).inserted {
            throw FormatError(file: file, object: object, "two weights would both be stored as `\(name)`")
        }
        try NameListAttribute.write(entries.map(\.0), named: "weight_names", on: group.attributes, file: file, object: object)
        for (name, weight) in entries {
            try group.writeWeight(weight, at: name, bfloat16: .float32)
        }
    }

    /// The variable name Keras gives a leaf layer's weight.
    private func weightName(leafScope: [String], layer: any Layer, weight: Weight) -> String {
        let short = shortName(weight.name, layer: layer)
        switch dialect {
        case .keras1, .keras2: return "\(layer.name)/\(short):0"
        case .keras3: return (leafScope + [layer.name, short]).joined(separator: "/")
        }
    }

    /// The weight's name in this dialect: DepthwiseConv2D and DepthwiseConv1D call their kernel `depthwise_kernel`
    /// in Keras 2, `kernel` in Keras 3.
    private func shortName(_ name: String, layer: any Layer) -> String {
        let current = (layer as? DepthwiseConv2D)?.kernelWeightName ?? (layer as? DepthwiseConv1D)?.kernelWeightName
        guard name == current else { return name }
        return dialect == .keras3 ? DepthwiseConv2D.keras3KernelName : DepthwiseConv2D.keras2KernelName
    }

    /// A nested model's weights, named and ordered as Keras saves a model used as a layer.
    private func nestedEntries(_ nested: NestedModel, outerScope: [String]) -> [(String, Weight)] {
        var slots: [(name: String, weight: Weight, trainable: Bool)] = []
        func walk(_ model: NestedModel, scope: [String], trainable: Bool) {
            // Keras 3 builds a Sequential model's layers inside its name scope; a Functional model's layers were
            // built before it existed, so the scope starts afresh.
            let inner = model.graph.kind == .sequential ? scope + [model.name] : []
            for node in model.graph.nodes {
                let t = trainable && node.layer.common.trainable
                if let child = node.layer as? NestedModel {
                    walk(child, scope: inner, trainable: t)
                    continue
                }
                for w in node.layer.weights {
                    let name = dialect == .keras3
                        ? weightName(leafScope: inner, layer: node.layer, weight: w)
                        : "\(node.name)/\(shortName(w.name, layer: node.layer)):0"
                    slots.append((name, w, t && !w.name.hasPrefix("moving_")))
                }
            }
            for w in model.graph.topLevelWeights {
                slots.append((dialect == .keras3 ? (inner + [w.name]).joined(separator: "/") : "\(w.name):0", w, trainable))
            }
        }
        walk(nested, scope: outerScope, trainable: nested.common.trainable)
        return (slots.filter(\.trainable) + slots.filter { !$0.trainable }).map { ($0.name, $0.weight) }
    }
}
