import KerasGraph

extension InferenceIdentity: ConfigEncodable {
    /// Decodes any of ``InferenceIdentity/classNames``: the config's keys other than `name`, `trainable` and `dtype`
    /// are kept as read, for writing back (nothing at inference reads them).
    package init(config c: LayerConfig) throws {
        guard case let .object(members) = c.config else { throw c.error("config must be an object") }
        let options = members.filter { !["name", "trainable", "dtype"].contains($0.0) }
        self.init(className: c.className, common: try c.common(), options: .object(options),
                  readFromKeras3: c.dialect == .keras3)
    }

    /// `name, trainable, dtype` in the target dialect, then the other keys as read, less the keys the other Keras
    /// does not take: tf_keras' `rng_type` when writing Keras 3, Keras 3's `data_format: channels_last` (tf_keras'
    /// only layout) when writing Keras 2. `WriteCompatibility` refuses the classes one Keras does not have.
    package func configJSON(dialect: ConfigDialect) -> JSONValue {
        guard case var .object(members) = options else { return .object(ConfigEncoding.base(common, dialect)) }
        if dialect == .keras3, !readFromKeras3 {
            members.removeAll { $0.0 == "rng_type" }
        } else if dialect != .keras3, readFromKeras3 {
            members.removeAll { $0.0 == "data_format" && $0.1 == .string("channels_last") }
        }
        return .object(ConfigEncoding.base(common, dialect) + members)
    }

    /// The classes of ``InferenceIdentity/classNames`` that tf_keras 2.21 has (the others are Keras 3 only).
    static let keras2ClassNames: Set<String> = [
        "Identity", "ActivityRegularization", "StochasticDepth", "RandomFlip", "RandomRotation", "RandomZoom",
        "RandomContrast", "RandomBrightness", "RandomTranslation", "RandomHeight", "RandomWidth",
    ]
    /// The classes of ``InferenceIdentity/classNames`` that Keras 3.15 does not have.
    static let keras2OnlyClassNames: Set<String> = ["RandomHeight", "RandomWidth"]

    /// Why this layer cannot be written in `dialect`, or `nil`.
    func writeProblem(dialect: ConfigDialect) -> String? {
        if dialect == .keras3, Self.keras2OnlyClassNames.contains(className) {
            return "Keras 3 has no `\(className)` (it is the identity at inference: remove it, or write legacy-h5)"
        }
        if dialect != .keras3, !Self.keras2ClassNames.contains(className) {
            return "tf_keras has no `\(className)`; write a Keras 3 format (keras3-h5, weights-h5, keras)"
        }
        if dialect != .keras3, readFromKeras3, case let .string(f)? = options["data_format"], f != "channels_last" {
            return "tf_keras' `\(className)` has no `data_format` and is always channels-last; write a Keras 3 format"
        }
        return nil
    }

    package var archiveModule: String {
        className == "StochasticDepth" ? "keras.src.applications.convnext" : "keras.layers"
    }
}

extension InferenceIdentity: ArchiveRegistered {}
