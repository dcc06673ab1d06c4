import HDF5
import KerasGraph

/// The weights of a Keras 3 `.weights.h5` file (also `model.weights.h5` in a `.keras` archive and each
/// shard of sharded weights): for every object path (`layers/dense`, `layers/lstm/cell`, `` for the model),
/// the datasets of its `vars` group, in numeric key order.
struct V3Weights {
    struct Entry {
        var weights: [StoredWeight]
        /// `vars/@name` (Keras ≥ 3.6), the layer's name.
        var layerName: String?
    }

    /// Keyed by the object path without `/vars` and without a leading slash (`layers/dense_1`).
    var entries: [String: Entry] = [:]
    /// True when layers are stored under `_layer_checkpoint_dependencies` (tf.keras 2.13/2.14 files).
    var usesCheckpointDependencies = false
    /// Variables collected by ``add(file:name:)``, before ``finish()`` orders and checks them.
    private var pending: [String: (items: [(Int, StoredWeight)], name: String?, file: String)] = [:]

    /// Orders each object's variables by index and checks that none is missing. Call after the last ``add(file:name:)``.
    mutating func finish() throws {
        for (owner, p) in pending {
            let items = p.items.sorted { $0.0 < $1.0 }
            for (expected, item) in items.enumerated() where item.0 != expected {
                throw FormatError(file: p.file, object: owner.isEmpty ? "vars" : owner + "/vars",
                                  "variable \(expected) is missing (found \(items.map(\.0)))")
            }
            entries[owner] = Entry(weights: items.map(\.1), layerName: p.name)
        }
        pending = [:]
    }

    /// Adds the catalog of one file (values are read later).
    mutating func add(file h5: HDF5File, name file: String) throws {
        let root = try h5.rootGroup()
        var groups: [String] = []
        for link in try root.descendants() where link.kind == .group && link.name == "vars" {
            groups.append(link.path)
        }
        if try root.objectKind(at: "vars") == .group, !groups.contains("vars") { groups.append("vars") }
        for varsPath in groups {
            let owner = varsPath == "vars" ? "" : String(varsPath.dropLast("/vars".count))
            let g = try root.group(at: varsPath)
            var items: [(Int, StoredWeight)] = []
            for child in try g.children() {
                guard child.kind == .dataset else { continue }
                guard let index = Int(child.name), index >= 0, String(index) == child.name else {
                    throw FormatError(file: file, object: "\(varsPath)/\(child.name)",
                                      "expected datasets named 0, 1, 2, … in a `vars` group")
                }
                items.append((index, try StoredWeight(dataset: try g.dataset(at: child.name), fileName: child.name)))
            }
            let name = try g.attributes.contains("name") ? try g.attributes.string(named: "name") : nil
            // Sharded weights may split one object's variables over several shards: collect, check in `finish`.
            var entry = pending[owner] ?? (items: [], name: name, file: file)
            for item in items where entry.items.contains(where: { $0.0 == item.0 }) {
                throw FormatError(file: file, object: "\(varsPath)/\(item.0)", "variable stored twice (also in \(entry.file))")
            }
            entry.items += items
            entry.name = entry.name ?? name
            pending[owner] = entry
        }
        if try root.objectKind(at: "_layer_checkpoint_dependencies") == .group, try root.objectKind(at: "layers") != .group {
            usesCheckpointDependencies = true
        }
    }

    /// The entry for `path` (`layers/dense`), honouring the `_layer_checkpoint_dependencies` spelling.
    func entry(_ path: String) -> Entry? {
        if let e = entries[path] { return e }
        if usesCheckpointDependencies, path.hasPrefix("layers") {
            return entries["_layer_checkpoint_dependencies" + path.dropFirst("layers".count)]
        }
        return nil
    }
}

/// Keras' `snake_case` of a class name, as used for `.weights.h5` paths: `PReLU` → `p_re_lu`,
/// `Conv2D` → `conv2d`, `BatchNormalization` → `batch_normalization`. The same three steps as
/// Keras' `naming.to_snake_case`.
func kerasSnakeCase(_ name: String) -> String {
    func isUpper(_ c: Unicode.Scalar) -> Bool { ("A"..."Z").contains(c) }
    func isLower(_ c: Unicode.Scalar) -> Bool { ("a"..."z").contains(c) }
    // re.sub(r"\W+", "", name)
    let chars = name.unicodeScalars.filter { $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" }
    let c = Array(chars)
    // re.sub("(.)([A-Z][a-z]+)", r"\1_\2", ·): "_" before an uppercase letter that starts a lowercase run.
    var s1: [Unicode.Scalar] = []
    var i = 0
    while i < c.count {
        if i + 2 < c.count, isUpper(c[i + 1]), isLower(c[i + 2]) {
            s1 += [c[i], "_", c[i + 1]]
            var j = i + 2
            while j < c.count, isLower(c[j]) { s1.append(c[j]); j += 1 }
            i = j
        } else {
            s1.append(c[i])
            i += 1
        }
    }
    // re.sub("([a-z])([A-Z])", r"\1_\2", ·).lower()
    var out = String.UnicodeScalarView()
    for (k, ch) in s1.enumerated() {
        out.append(ch)
        if isLower(ch), k + 1 < s1.count, isUpper(s1[k + 1]) { out.append("_") }
    }
    return String(out).lowercased()
}
