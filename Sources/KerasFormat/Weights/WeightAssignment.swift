import KerasGraph

/// Which stored weights belong to which layer: the catalog of a file matched against a model graph.
/// Built from names and shapes only; no weight values are read.
package struct WeightAssignment {
    /// Keyed by the layer's path from the top model: `["conv"]`, or `["inner", "dense"]` inside a nested model.
    package var layers: [[String]: [StoredWeight]] = [:]
    /// Weights owned by the top model itself (`top_level_model_weights`, or the root `vars` of a `.weights.h5`).
    package var topLevel: [StoredWeight] = []

    /// The stored weights of the layer at `path`, `[]` when it has none.
    package func weights(at path: [String]) -> [StoredWeight] { layers[path] ?? [] }
}

/// The weights a layer needs given the graph analysis: from its first call whose input shapes are all
/// known; `nil` when no call has known inputs (downstream of an unsupported layer) or for an opaque layer.
func expectedSpecs(node n: Int, in graph: ModelGraph, analysis: GraphAnalysis) throws -> [WeightSpec]? {
    let node = graph.nodes[n]
    if node.layer is OpaqueLayer { return nil }
    if node.layer is InputLayer { return [] }
    for c in node.calls.indices {
        guard let ins = analysis.inputShapes[GraphAnalysis.CallID(node: n, call: c)] else { continue }
        let known = ins.compactMap { $0 }
        if known.count == ins.count { return try node.layer.weightSpecs(inputShapes: known) }
    }
    return nil
}

/// The analysis of a nested model's inner graph, from the first call of the node that has one.
func innerAnalysis(node n: Int, in graph: ModelGraph, analysis: GraphAnalysis) -> GraphAnalysis? {
    for c in graph.nodes[n].calls.indices {
        if let a = analysis.nested[GraphAnalysis.CallID(node: n, call: c)] { return a }
    }
    return nil
}

/// Whether a weight is non-trainable in Keras (BatchNormalization's moving statistics).
func isNonTrainable(_ spec: WeightSpec) -> Bool { spec.name.hasPrefix("moving_") }

extension WeightAssignment {
    // MARK: - Legacy HDF5 (`layer_names` / `weight_names`)

    /// Matches a legacy file's layers to the graph's layers, as Keras' `load_weights_from_hdf5_group` does:
    /// by name when every weighted layer of the model has a group of that name in the file, otherwise by order
    /// of the layers that have weights (Keras' "topological" loading).
    static func legacy(_ file: LegacyWeights, graph: ModelGraph, analysis: GraphAnalysis, path: String) throws -> WeightAssignment {
        var result = WeightAssignment()
        result.topLevel = file.topLevel
        let byName = Dictionary(file.layers.map { ($0.name, $0.weights) }, uniquingKeysWith: { a, _ in a })
        // The model's layers that need weights (opaque layers: when the file has weights for them).
        var weighted: [Int] = []
        for n in graph.nodes.indices {
            let node = graph.nodes[n]
            if let specs = try expectedSpecs(node: n, in: graph, analysis: analysis) {
                if !specs.isEmpty { weighted.append(n) }
            } else if !(byName[node.name]?.isEmpty ?? true) || node.layer is NestedModel {
                weighted.append(n)
            }
        }
        let fileWeighted = file.layers.filter { !$0.weights.isEmpty }
        let allNamed = weighted.allSatisfy { byName[graph.nodes[$0].name] != nil }
        var pairs: [(Int, [StoredWeight])] = []
        if allNamed {
            let modelNames = Set(weighted.map { graph.nodes[$0].name })
            for entry in fileWeighted where !modelNames.contains(entry.name) {
                throw FormatError(file: path, object: "layer `\(entry.name)`",
                                  "the file has \(entry.weights.count) weights for this layer, but the model has no layer of that name with weights")
            }
            pairs = weighted.map { ($0, byName[graph.nodes[$0].name] ?? []) }
        } else {
            guard weighted.count == fileWeighted.count else {
                throw FormatError(file: path,
                                  "layer count mismatch: the model has \(weighted.count) layers with weights (\(weighted.map { graph.nodes[$0].name }.joined(separator: ", "))), the file \(fileWeighted.count) (\(fileWeighted.map(\.name).joined(separator: ", ")))")
            }
            pairs = zip(weighted, fileWeighted.map(\.weights)).map { ($0, $1) }
        }
        for (n, stored) in pairs {
            let node = graph.nodes[n]
            if let nested = node.layer as? NestedModel, let inner = innerAnalysis(node: n, in: graph, analysis: analysis) {
                try result.distribute(stored, over: nested.graph, analysis: inner, prefix: [node.name], file: path)
            } else {
                result.layers[[node.name]] = stored
            }
        }
        return result
    }

    /// One leaf (non-model) layer inside a nested model, in Keras' `model.layers` walk order.
    private struct Leaf {
        var path: [String]
        var specs: [WeightSpec]
        var trainable: Bool
    }

    private static func leaves(of graph: ModelGraph, analysis: GraphAnalysis, prefix: [String], trainable: Bool) throws -> [Leaf] {
        var out: [Leaf] = []
        for n in graph.nodes.indices {
            let node = graph.nodes[n]
            let t = trainable && node.layer.common.trainable
            if let nested = node.layer as? NestedModel, let inner = innerAnalysis(node: n, in: graph, analysis: analysis) {
                out += try leaves(of: nested.graph, analysis: inner, prefix: prefix + [node.name], trainable: t)
            } else if let specs = try expectedSpecs(node: n, in: graph, analysis: analysis), !specs.isEmpty {
                out.append(Leaf(path: prefix + [node.name], specs: specs, trainable: t))
            }
        }
        return out
    }

    /// Splits the flat weight list of a nested model (one `model_weights/<model>` group) over its layers:
    /// by the layer name in each weight's path (`inner/dense/kernel:0`) when that names every layer,
    /// otherwise in Keras' order for a model's weights: every trainable weight (layer by layer), then every
    /// non-trainable one.
    mutating func distribute(_ stored: [StoredWeight], over graph: ModelGraph, analysis: GraphAnalysis,
                             prefix: [String], file: String) throws {
        let leaves = try Self.leaves(of: graph, analysis: analysis, prefix: prefix, trainable: true)
        let needed = leaves.reduce(0) { $0 + $1.specs.count }
        guard needed == stored.count else {
            throw FormatError(file: file, object: "layer `\(prefix.joined(separator: "/"))`",
                              "the nested model needs \(needed) weights, the file has \(stored.count)")
        }
        // By name: the component before the variable name is the owning layer.
        var groups: [String: [StoredWeight]] = [:]
        for w in stored {
            let parts = w.fileName.split(separator: "/")
            if parts.count >= 2 { groups[String(parts[parts.count - 2]), default: []].append(w) }
        }
        if leaves.allSatisfy({ groups[$0.path.last!]?.count == $0.specs.count }) {
            for leaf in leaves { layers[leaf.path] = groups[leaf.path.last!] }
            return
        }
        // Keras order: trainable weights of trainable layers, then the rest.
        var slots: [(leaf: Int, spec: Int, trainable: Bool)] = []
        for (l, leaf) in leaves.enumerated() {
            for (s, spec) in leaf.specs.enumerated() {
                slots.append((l, s, leaf.trainable && !isNonTrainable(spec)))
            }
        }
        let ordered = slots.filter(\.trainable) + slots.filter { !$0.trainable }
        var perLeaf = leaves.map { [StoredWeight?](repeating: nil, count: $0.specs.count) }
        for (slot, w) in zip(ordered, stored) { perLeaf[slot.leaf][slot.spec] = w }
        for (l, leaf) in leaves.enumerated() { layers[leaf.path] = perLeaf[l].compactMap { $0 } }
    }

    // MARK: - Keras 3 `.weights.h5`

    /// Matches a `.weights.h5` catalog to the graph as Keras 3's `saving_lib` walks a model:
    /// `layers/<snake_case(class)>[_N]` with one counter per class name and container, every layer of
    /// `model.layers` counted (a Sequential model's `InputLayer` is not in `model.layers`).
    static func v3(_ file: V3Weights, graph: ModelGraph, analysis: GraphAnalysis) -> WeightAssignment {
        var result = WeightAssignment()
        result.topLevel = file.entry("vars")?.weights ?? file.entries[""]?.weights ?? []
        result.walkV3(file, graph: graph, analysis: analysis, objectPrefix: "", layerPrefix: [])
        return result
    }

    private mutating func walkV3(_ file: V3Weights, graph: ModelGraph, analysis: GraphAnalysis?,
                                 objectPrefix: String, layerPrefix: [String]) {
        var counters: [String: Int] = [:]
        for n in graph.nodes.indices {
            let node = graph.nodes[n]
            if graph.kind == .sequential && node.layer is InputLayer { continue }
            let snake = kerasSnakeCase(v3ClassName(node.layer))
            let k = counters[snake, default: 0]
            counters[snake] = k + 1
            let objectPath = objectPrefix + "layers/" + snake + (k == 0 ? "" : "_\(k)")
            if let nested = node.layer as? NestedModel {
                let inner = analysis.flatMap { innerAnalysis(node: n, in: graph, analysis: $0) }
                walkV3(file, graph: nested.graph, analysis: inner, objectPrefix: objectPath + "/", layerPrefix: layerPrefix + [node.name])
            } else if let sub = node.layer as? V3SublayerWeights {
                // Weights in sub-layer objects (`…/query_dense/vars`), Keras 3 or tf_keras (`_query_dense`) spelling.
                var collected: [StoredWeight] = [], found = false
                for group in sub.v3WeightGroups {
                    if let entry = file.entry(objectPath + "/" + group.object) ?? file.entry(objectPath + "/_" + group.object) {
                        collected += entry.weights
                        found = true
                    }
                }
                if found { layers[layerPrefix + [node.name]] = collected }
            } else {
                // The layer's own `vars` and those of the objects it holds (an RNN's `cell`, …), in weight order.
                var found = false
                var weights: [StoredWeight] = []
                for group in v3VariableGroups(of: node.layer) {
                    guard let entry = file.entry(group.path.isEmpty ? objectPath : objectPath + "/" + group.path) else { continue }
                    found = true
                    weights += entry.weights.dropFirst(group.aliases.count)
                }
                if found { layers[layerPrefix + [node.name]] = weights }
            }
        }
    }

    /// The Python class name Keras 3 derives the group name from.
    private func v3ClassName(_ layer: any Layer) -> String {
        if let nested = layer as? NestedModel {
            return nested.graph.kind == .sequential ? "Sequential" : "Functional"
        }
        return layer.className
    }
}
