import KerasGraph

extension AveragePooling2D: ConfigEncodable {
    /// Decodes a `AveragePooling2D` config (Keras 1: `border_mode`, `dim_ordering`): `pool_size` (default 2; required in Keras 3),
    /// `strides` (`null` means `pool_size`), `padding` `valid`/`same`, `data_format`.
    package init(config c: LayerConfig) throws {
        let pool = try c.positiveTuple(["pool_size"], count: 2) ?? [2, 2]
        self.init(common: try c.common(), poolSize: pool, strides: try c.positiveTuple(["strides"], count: 2) ?? pool,
                  padding: try c.windowPadding(), dataFormat: try c.dataFormat())
    }

    /// `pool_size, padding, strides, data_format` in both dialects.
    package func configJSON(dialect: ConfigDialect) -> JSONValue {
        .object(ConfigEncoding.base(common, dialect) + [
            ("pool_size", ConfigEncoding.ints(poolSize)), ("padding", .string(padding.rawValue)),
            ("strides", ConfigEncoding.ints(strides)), ("data_format", .string(dataFormat.rawValue)),
        ])
    }
}
