/// The kinds of Keras file ``KerasFileWriter`` writes.
public enum KerasWriteFormat: String, Sendable, Equatable, CaseIterable, CustomStringConvertible {
    /// Legacy full-model HDF5 in the Keras 2 dialect (tf_keras 2.x: `alpha`, `batch_input_shape`, string dtypes,
    /// `:0` weight names), spelled so that Keras 2 (tf_keras) and Keras 3 both load it (see `PortableKeras2Config`).
    /// Keras 3 cannot load a few Keras 2 models in any spelling: a negative LeakyReLU `alpha`, a multi-axis
    /// normalization `axis`, a Functional model nested in a Functional model; and it reads Keras 2's `hard_sigmoid`
    /// as its own, different function. Those files load in tf_keras only.
    case legacyH5Keras2
    /// Legacy full-model HDF5 in the Keras 3 dialect (what Keras 3's `model.save('m.h5')` writes). Keras 3 only.
    case legacyH5Keras3
    /// Keras 3 `.weights.h5` (`layers/<class>/vars/<i>`), optionally with the architecture JSON next to it.
    case weightsH5
    /// Keras 3 `.keras` archive (ZIP of `metadata.json`, `config.json`, `model.weights.h5`).
    case keras

    /// The format for an output file name: `.keras` → ``keras``, `.weights.h5` → ``weightsH5``, `.h5` / `.hdf5` →
    /// ``legacyH5Keras2`` (the form both Keras 2 and Keras 3 load); `nil` for other names. Case-insensitive.
    public init?(fileName: String) {
        let name = fileName.lowercased()
        if name.hasSuffix(".keras") {
            self = .keras
        } else if name.hasSuffix(".weights.h5") {
            self = .weightsH5
        } else if name.hasSuffix(".h5") || name.hasSuffix(".hdf5") {
            self = .legacyH5Keras2
        } else {
            return nil
        }
    }

    /// The format for a command-line name: `legacy-h5`, `keras3-h5`, `weights-h5`, `keras`.
    package init?(cliName: String) {
        guard let f = Self.allCases.first(where: { $0.cliName == cliName.lowercased() }) else { return nil }
        self = f
    }

    /// The command-line name: `legacy-h5`, `keras3-h5`, `weights-h5`, `keras`.
    package var cliName: String {
        switch self {
        case .legacyH5Keras2: return "legacy-h5"
        case .legacyH5Keras3: return "keras3-h5"
        case .weightsH5: return "weights-h5"
        case .keras: return "keras"
        }
    }

    public var description: String {
        switch self {
        case .legacyH5Keras2: return "legacy HDF5 model, Keras 2 dialect (.h5)"
        case .legacyH5Keras3: return "legacy HDF5 model, Keras 3 dialect (.h5)"
        case .weightsH5: return "Keras 3 weights (.weights.h5)"
        case .keras: return "Keras 3 archive (.keras)"
        }
    }

    /// Whether layer names holding `/` must be renamed: Keras 3 refuses them, and every format here is loaded by
    /// Keras 3 (``legacyH5Keras2`` by Keras 2 and Keras 3), so all of them do.
    package var refusesSlashInLayerNames: Bool { true }

    /// The config dialect the file's architecture is written in.
    package var dialect: ConfigDialect { self == .legacyH5Keras2 ? .keras2 : .keras3 }

    /// The Keras versions that load files of this kind.
    var loadedBy: String { self == .legacyH5Keras2 ? "Keras 2 and Keras 3" : "Keras 3" }
}
