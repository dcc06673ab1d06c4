import KerasGraph

extension UpSampling3D: ConfigEncodable {
    /// Decodes an `UpSampling3D` config: `size` (an int or three, each ≥ 1, default 2), `data_format`.
    package init(config c: LayerConfig) throws {
        self.init(common: try c.common(), size: try c.positiveTuple(["size"], count: 3) ?? [2, 2, 2],
                  dataFormat: try c.dataFormat())
    }

    /// `size, data_format` in both dialects.
    package func configJSON(dialect: ConfigDialect) -> JSONValue {
        .object(ConfigEncoding.base(common, dialect) + [
            ("size", ConfigEncoding.ints(size)), ("data_format", .string(dataFormat.rawValue)),
        ])
    }
}
