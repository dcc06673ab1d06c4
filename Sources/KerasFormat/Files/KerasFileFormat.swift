/// The kinds of Keras file KerasPort reads and writes.
public enum KerasFileFormat: String, Sendable, Equatable, CaseIterable, CustomStringConvertible {
    /// Legacy full-model HDF5 (`model.save('m.h5')`): `model_config` + `model_weights` (Keras 1, 2 and 3).
    case legacyH5 = "legacy-h5"
    /// Legacy weights-only HDF5 (`save_weights('w.h5')`, Keras 1/2): needs the architecture JSON.
    case legacyWeightsH5 = "legacy-weights-h5"
    /// Keras 3 `.weights.h5` (`layers/<class>/vars/<i>`): needs the architecture JSON.
    case weightsH5 = "weights-h5"
    /// Keras 3 sharded weights: `<name>.weights.json` + `<name>_NNNNN.weights.h5`: needs the architecture JSON.
    case shardedWeights = "sharded-weights"
    /// Keras 3 `.keras` archive (ZIP of `metadata.json`, `config.json`, `model.weights.h5`).
    case kerasArchive = "keras"

    public var description: String {
        switch self {
        case .legacyH5: return "legacy HDF5 model (.h5)"
        case .legacyWeightsH5: return "legacy HDF5 weights (.h5, save_weights)"
        case .weightsH5: return "Keras 3 weights (.weights.h5)"
        case .shardedWeights: return "Keras 3 sharded weights (.weights.json)"
        case .kerasArchive: return "Keras 3 archive (.keras)"
        }
    }

    /// Whether files of this kind carry their own architecture.
    public var containsArchitecture: Bool { self == .legacyH5 || self == .kerasArchive }
}
