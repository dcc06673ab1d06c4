import KerasGraph

extension Reshape: ConfigEncodable {
    /// Decodes a `Reshape` config: `target_shape`, a list of sizes ≥ 0 with at most one `-1`.
    package init(config c: LayerConfig) throws {
        guard let target = try c.intList("target_shape") else { throw c.error("missing `target_shape`") }
        guard target.allSatisfy({ $0 >= -1 && $0 < 1 << 40 }), target.filter({ $0 == -1 }).count <= 1 else {
            throw c.error("`target_shape` must hold sizes >= 0 and at most one -1, found \(target)")
        }
        self.init(common: try c.common(), targetShape: target)
    }

    /// `target_shape` in both dialects.
    package func configJSON(dialect: ConfigDialect) -> JSONValue {
        .object(ConfigEncoding.base(common, dialect) + [("target_shape", ConfigEncoding.ints(targetShape))])
    }
}
