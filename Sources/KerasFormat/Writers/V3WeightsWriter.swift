import HDF5
import KerasGraph

/// Writes the Keras 3 weights layout (`model.save_weights('w.weights.h5')`, and `model.weights.h5` inside a
/// `.keras` archive), as Keras 3.15's `saving_lib` with `H5IOStore` does:
///
/// ```
/// /layers/<snake_case(class)>[_N]/vars   @name = layer name; datasets "0", "1", … (trainable, then non-trainable)
/// /layers/sequential/layers/…            a nested model's layers, then its own /layers/sequential/vars
/// /vars                                  @name = model name; the model's own weights
/// ```
///
/// `N` counts the layers of one model with the same class, in `model.layers` order (a Sequential model's input
/// layer is not among them); every layer gets a `vars` group with its name, weights or not (Keras ≥ 3.6).
/// bfloat16 weights are OPAQUE datasets with `dtype = "bfloat16"`.
struct V3WeightsWriter {
    func write(_ graph: ModelGraph, into h5: HDF5File) throws {
        let root = try h5.rootGroup()
        try writeLayers(of: graph, in: root)
        try writeVars(graph.topLevelWeights, name: graph.name, in: try root.createGroup(at: "vars"))
    }

    private func writeLayers(of graph: ModelGraph, in group: HDF5Group) throws {
        var counters: [String: Int] = [:]
        for (n, node) in graph.nodes.enumerated() {
            if graph.kind == .sequential && n == 0 && node.layer is InputLayer { continue }
            let snake = kerasSnakeCase(Self.keras3ClassName(node.layer))
            let k = counters[snake, default: 0]
            counters[snake] = k + 1
            let objectGroup = try group.createGroup(at: "layers/" + snake + (k == 0 ? "" : "_\(k)"))
            if let nested = node.layer as? NestedModel {
                try writeLayers(of: nested.graph, in: objectGroup)
                try writeVars(nested.graph.topLevelWeights, name: nested.name, in: try objectGroup.createGroup(at: "vars"))
            } else if let sub = node.layer as? V3SublayerWeights {
                // The layer's own (empty) vars, then each sub-layer's, as Keras 3 saves e.g. MultiHeadAttention.
                try writeVars([], name: node.name, in: try objectGroup.createGroup(at: "vars"))
                var start = 0
                for group in sub.v3WeightGroups {
                    let slice = Array(node.layer.weights[min(start, node.layer.weights.count)..<min(start + group.count, node.layer.weights.count)])
                    try writeVars(slice, name: group.name, in: try objectGroup.createGroup(at: group.object + "/vars"))
                    start += group.count
                }
            } else {
                // The layer's own `vars` and those of the objects it holds (an RNN's `cell/vars`, …).
                var rest = node.layer.weights[...]
                for sub in v3VariableGroups(of: node.layer) {
                    let owner = sub.path.isEmpty ? objectGroup : try objectGroup.createGroup(at: sub.path)
                    let all = node.layer.weights
                    let mine = sub.aliases.filter { $0 < all.count }.map { all[$0] } + Array(rest.prefix(sub.count))
                    rest = rest.dropFirst(sub.count)
                    try writeVars(mine, name: sub.name, in: try owner.createGroup(at: "vars"))
                }
            }
        }
    }

    private func writeVars(_ weights: [Weight], name: String, in vars: HDF5Group) throws {
        try vars.attributes.write(string: name, named: "name")
        for (i, w) in weights.enumerated() {
            try vars.writeWeight(w, at: String(i), bfloat16: .opaqueWithAttribute)
        }
    }

    /// The Python class Keras 3 instantiates for the layer, whose snake-cased name is the group name: the class the
    /// Keras 3 config names (`ThresholdedReLU` is a `ReLU`), `Sequential` or `Functional` for nested models.
    static func keras3ClassName(_ layer: any Layer) -> String {
        if let nested = layer as? NestedModel { return nested.graph.kind == .sequential ? "Sequential" : "Functional" }
        if let opaque = layer as? OpaqueLayer { return opaque.className }
        if let encodable = layer as? any ConfigEncodable { return encodable.kerasClassName(dialect: .keras3) }
        return layer.className
    }
}
