import KerasGraph

extension UpSampling2D: ConfigEncodable {
    /// Decodes an `UpSampling2D` config: `size` (an int or a pair, each ≥ 1, default 2), `data_format` (Keras 1:
    /// `dim_ordering`, not saved by Keras 1: such layers read as channels-last), `interpolation` (default `nearest`).
    package init(config c: LayerConfig) throws {
        let raw = try c.string("interpolation", default: "nearest")
        guard let interpolation = Interpolation(rawValue: raw) else {
            throw c.error("`interpolation` must be one of \(Interpolation.allCases.map(\.rawValue).joined(separator: ", ")), found `\(raw)`")
        }
        self.init(common: try c.common(), size: try c.positiveTuple(["size"], count: 2) ?? [2, 2],
                  dataFormat: try c.dataFormat(), interpolation: interpolation)
    }

    /// `size, data_format, interpolation` in both dialects.
    package func configJSON(dialect: ConfigDialect) -> JSONValue {
        .object(ConfigEncoding.base(common, dialect) + [
            ("size", ConfigEncoding.ints(size)), ("data_format", .string(dataFormat.rawValue)),
            ("interpolation", .string(interpolation.rawValue)),
        ])
    }
}
