public import KerasGraph

extension InferenceIdentity: ConfigEncodable {
    /// Decodes any of ``InferenceIdentity/classNames``: the config's keys other than `name`, `trainable` and `dtype`
    /// are kept as read, for writing back (nothing at inference reads them).
    public init(config c: LayerConfig) throws {
        guard case let .object(members) = c.config else { throw c.error("config must be an object") }
        let options = members.filter { !["name", "trainable", "dtype"].contains($0.0) }
        self.init(className: c.className, common: try c.common(), options: .object(options),
                  readFromKeras3: c.dialect == .keras3)
    }

    /// `name, trainable, dtype` in the target dialect, then the other keys as read.
    public func configJSON(dialect: ConfigDialect) -> JSONValue {
        guard case let .object(members) = options else { return .object(ConfigEncoding.base(common, dialect)) }
        return .object(ConfigEncoding.base(common, dialect) + members)
    }

    public var archiveModule: String {
        className == "StochasticDepth" ? "keras.src.applications.convnext" : "keras.layers"
    }
}

extension InferenceIdentity: ArchiveRegistered {}
