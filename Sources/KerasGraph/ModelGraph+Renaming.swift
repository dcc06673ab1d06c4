/// Renaming layers whose names Keras 3 refuses: tf_keras (and Keras 2) allowed `/` in layer names
/// (keras.applications' DenseNet in tf_keras has `conv1/conv`, `conv2_block1_0_bn`, …), Keras 3 raises on them.
extension ModelGraph {
    /// One renamed layer (or model): its old and new name, and the path of the model it belongs to (the new names
    /// of the enclosing models joined by `/`, beginning with the top model's name; empty for the top model itself).
    public struct LayerRename: Sendable, Equatable, CustomStringConvertible {
        public var model: String
        public var from: String
        public var to: String

        public init(model: String, from: String, to: String) {
            self.model = model
            self.from = from
            self.to = to
        }

        public var description: String {
            model.isEmpty ? "model `\(from)` → `\(to)`" : "`\(model)`: layer `\(from)` → `\(to)`"
        }
    }

    /// Whether any layer or model name, at any depth, contains `/`.
    public var hasSlashInNames: Bool {
        name.contains("/") || nodes.contains { node in
            node.name.contains("/") || ((node.layer as? NestedModel)?.graph.hasSlashInNames ?? false)
        }
    }

    /// The graph with every `/` in a layer or model name (nested models too) replaced by `_`, and the renames.
    ///
    /// Deterministic: names are visited depth first in ``nodes`` order (a model's own name before its layers). A new
    /// name that is already taken anywhere in the model (old names included) gets the first free suffix `_1`, `_2`, …;
    /// names without `/` never change. Every reference follows: the calls' inbound tensors, the model's inputs and
    /// outputs, a nested model's graph name. Weights stay attached to their layers (they are named within the
    /// layer), so files written from the result store them under the new layer names.
    public func renamingSlashes() -> (graph: ModelGraph, renames: [LayerRename]) {
        guard hasSlashInNames else { return (self, []) }
        var used = Set<String>()
        collectNames(into: &used)
        var renames: [LayerRename] = []
        var graph = self
        let top = Self.freeName(for: name, used: &used)
        if top != name { renames.append(LayerRename(model: "", from: name, to: top)) }
        graph.name = top
        graph.renameSlashes(modelPath: top, used: &used, renames: &renames)
        return (graph, renames)
    }

    private func collectNames(into used: inout Set<String>) {
        used.insert(name)
        for node in nodes {
            used.insert(node.name)
            if let nested = node.layer as? NestedModel { nested.graph.collectNames(into: &used) }
        }
    }

    /// `name` unchanged when it holds no `/`; otherwise `/` → `_` with the first suffix that makes it unused.
    private static func freeName(for name: String, used: inout Set<String>) -> String {
        guard name.contains("/") else { return name }
        let base = name.replacingSlashes()
        var candidate = base
        var k = 0
        while used.contains(candidate) {
            k += 1
            candidate = "\(base)_\(k)"
        }
        used.insert(candidate)
        return candidate
    }

    private mutating func renameSlashes(modelPath: String, used: inout Set<String>, renames: inout [LayerRename]) {
        var map: [String: String] = [:]
        for n in nodes.indices {
            let old = nodes[n].name
            let new = Self.freeName(for: old, used: &used)
            if new != old {
                map[old] = new
                renames.append(LayerRename(model: modelPath, from: old, to: new))
                nodes[n].layer.name = new
            }
            if var nested = nodes[n].layer as? NestedModel {
                let innerOld = nested.graph.name
                // The inner graph is named like its layer; a different inner name is renamed on its own.
                nested.graph.name = innerOld == old ? new : Self.freeName(for: innerOld, used: &used)
                nested.graph.renameSlashes(modelPath: modelPath + "/" + new, used: &used, renames: &renames)
                nodes[n].layer = nested
            }
        }
        guard !map.isEmpty else { return }
        func follow(_ ref: TensorRef) -> TensorRef {
            guard let new = map[ref.layer] else { return ref }
            var r = ref
            r.layer = new
            return r
        }
        for n in nodes.indices {
            for c in nodes[n].calls.indices {
                nodes[n].calls[c].inputs = nodes[n].calls[c].inputs.map(follow)
            }
        }
        inputs = inputs.map(follow)
        outputs = outputs.map(follow)
    }
}

extension String {
    fileprivate func replacingSlashes() -> String {
        String(map { $0 == "/" ? "_" : $0 })
    }
}
