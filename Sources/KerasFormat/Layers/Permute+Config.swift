import KerasGraph

extension Permute: ConfigEncodable {
    /// Decodes a `Permute` config: `dims`, a permutation of `1...n`.
    package init(config c: LayerConfig) throws {
        guard let dims = try c.intList("dims") else { throw c.error("missing `dims`") }
        guard !dims.isEmpty, dims.sorted() == Array(1...dims.count) else {
            throw c.error("`dims` must be a permutation of 1...\(max(dims.count, 1)), found \(dims)")
        }
        self.init(common: try c.common(), dims: dims)
    }

    /// `dims` in both dialects.
    package func configJSON(dialect: ConfigDialect) -> JSONValue {
        .object(ConfigEncoding.base(common, dialect) + [("dims", ConfigEncoding.ints(dims))])
    }
}
