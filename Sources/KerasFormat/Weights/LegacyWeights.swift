import HDF5
import KerasGraph

/// The weights of a legacy Keras HDF5 file (`model.save('x.h5')` or `save_weights('x.h5')`), grouped as the
/// file groups them: one entry per name in `layer_names`, in order.
struct LegacyWeights {
    struct LayerEntry {
        var name: String
        var weights: [StoredWeight]
    }

    /// Every layer listed in `layer_names`, including those without weights.
    var layers: [LayerEntry]
    /// `top_level_model_weights` (weights owned by the model itself), usually empty.
    var topLevel: [StoredWeight]
    /// `keras_version` of the weights group, or `nil` (Keras 1 files have none).
    var kerasVersion: String?
    var backend: String?

    /// Reads the catalog (names, shapes, types; no values) under `root` (`/` or `/model_weights`).
    static func read(root: HDF5Group, file: String) throws -> LegacyWeights {
        let attrs = root.attributes
        guard let layerNames = try attrs.chunkedStrings(named: "layer_names") else {
            throw FormatError(file: file, object: root.path, "no `layer_names` attribute: not a Keras weights group")
        }
        let version = try attrs.contains("keras_version") ? try attrs.string(named: "keras_version") : nil
        let backend = try attrs.contains("backend") ? try attrs.string(named: "backend") : nil
        var seen = Set<String>()
        var layers: [LayerEntry] = []
        for name in layerNames {
            guard seen.insert(name).inserted else {
                throw FormatError(file: file, object: "layer `\(name)`", "listed twice in `layer_names`")
            }
            // Opened first, looked up only when that fails (one path traversal instead of two): the same errors.
            let group: HDF5Group
            do {
                group = try root.group(at: name)
            } catch {
                guard try root.objectKind(at: name) == .group else {
                    throw FormatError(file: file, object: "layer `\(name)`",
                                      "listed in `layer_names` but the file has no group `\(root.path == "/" ? "" : root.path + "/")\(name)`")
                }
                throw error
            }
            layers.append(LayerEntry(name: name, weights: try readLayer(group, file: file)))
        }
        var topLevel: [StoredWeight] = []
        if try root.objectKind(at: "top_level_model_weights") == .group {
            topLevel = try readLayer(try root.group(at: "top_level_model_weights"), file: file)
        }
        return LegacyWeights(layers: layers, topLevel: topLevel, kerasVersion: version, backend: backend)
    }

    /// One layer group: the datasets named by `weight_names`, in that order.
    static func readLayer(_ group: HDF5Group, file: String) throws -> [StoredWeight] {
        let names = try group.attributes.chunkedStrings(named: "weight_names") ?? []
        var out: [StoredWeight] = []
        for wn in names {
            // Opened first, looked up only when that fails (one path traversal instead of two): the same errors.
            let dataset: HDF5Dataset
            do {
                dataset = try group.dataset(at: wn)
            } catch {
                guard try group.objectKind(at: wn) == .dataset else {
                    throw FormatError(file: file, object: "layer `\(group.name)`",
                                      "weight `\(wn)` is listed in `weight_names` but there is no dataset \(group.path)/\(wn)")
                }
                throw error
            }
            out.append(try StoredWeight(dataset: dataset, fileName: wn))
        }
        return out
    }
}
