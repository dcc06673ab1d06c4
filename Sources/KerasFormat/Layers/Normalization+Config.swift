import KerasGraph

extension Normalization: ConfigEncodable {
    /// Decodes a `Normalization` config: `axis` (an int, a list, or `null` for one statistic over everything; default
    /// -1), `invert` (default false), `mean` and `variance` (numbers or lists when given to the constructor, else
    /// `null` and the statistics are the weights `mean`, `variance`, `count`).
    package init(config c: LayerConfig) throws {
        let axis: [Int]
        if c.has("axis") {
            guard let list = try c.intList("axis") else { throw c.error("`axis` must be an int or a list") }
            axis = list
        } else if case .null? = c.config["axis"] {
            axis = []
        } else {
            axis = [-1]
        }
        let mean = try c.scalarOrList("mean"), variance = try c.scalarOrList("variance")
        guard (mean == nil) == (variance == nil) else { throw c.error("`mean` and `variance` must both be given or both be null") }
        self.init(common: try c.common(), axis: axis, invert: try c.bool("invert", default: false),
                  configMean: mean, configVariance: variance)
    }

    /// `axis` (a list; `[]` for Keras' `axis=None`), `invert`, `mean`, `variance` in both dialects, as Keras 2 and 3 write them.
    package func configJSON(dialect: ConfigDialect) -> JSONValue {
        .object(ConfigEncoding.base(common, dialect) + [
            ("axis", ConfigEncoding.ints(axis)), ("invert", .bool(invert)),
            ("mean", configMean?.json ?? .null), ("variance", configVariance?.json ?? .null),
        ])
    }
}
