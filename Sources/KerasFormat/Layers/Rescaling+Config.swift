import KerasGraph

extension LayerConfig {
    /// A number or a flat list of numbers (`Rescaling`'s `scale`/`offset`, `Normalization`'s `mean`/`variance`);
    /// `nil` when absent or `null`.
    func scalarOrList(_ key: String) throws -> ScalarOrList? {
        guard let v = value(key) else { return nil }
        switch v {
        case let .number(d):
            guard d.isFinite else { throw error("`\(key)` must be finite, found \(d)") }
            return .scalar(d)
        case let .array(items):
            var out: [Double] = []
            for item in items {
                guard case let .number(d) = item, d.isFinite else {
                    throw error("`\(key)` must be a number or a flat list of finite numbers")
                }
                out.append(d)
            }
            guard !out.isEmpty else { throw error("`\(key)` is an empty list") }
            return .list(out)
        default:
            throw error("`\(key)` must be a number or a list of numbers, found \(v.kindName)")
        }
    }
}

extension ScalarOrList {
    /// The JSON value as Keras writes it (a number or a list).
    var json: JSONValue {
        switch self {
        case let .scalar(d): return .number(d)
        case let .list(v): return .array(v.map { .number($0) })
        }
    }
}

extension Rescaling: ConfigEncodable {
    /// Decodes a `Rescaling` config: `scale` (required), `offset` (default 0), each a number or a per-channel list.
    package init(config c: LayerConfig) throws {
        guard let scale = try c.scalarOrList("scale") else { throw c.error("missing `scale`") }
        self.init(common: try c.common(), scale: scale, offset: try c.scalarOrList("offset") ?? .scalar(0))
    }

    /// `scale, offset` in both dialects, as read.
    package func configJSON(dialect: ConfigDialect) -> JSONValue {
        .object(ConfigEncoding.base(common, dialect) + [("scale", scale.json), ("offset", offset.json)])
    }
}
