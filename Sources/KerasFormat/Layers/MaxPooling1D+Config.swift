import KerasGraph

extension MaxPooling1D: ConfigEncodable {
    /// Decodes a `MaxPooling1D` config (Keras 1: `pool_length`, `stride`, `border_mode`): `pool_size`
    /// (default 2), `strides` (`null` means `pool_size`), `padding` `valid`/`same`, `data_format`.
    package init(config c: LayerConfig) throws {
        let pool = try c.positiveTuple(["pool_size", "pool_length"], count: 1) ?? [2]
        self.init(common: try c.common(), poolSize: pool,
                  strides: try c.positiveTuple(["strides", "stride"], count: 1) ?? pool,
                  padding: try c.windowPadding(), dataFormat: try c.dataFormat())
    }

    /// Keras 2: `strides, pool_size, padding, data_format`; Keras 3: `pool_size, padding, strides, data_format`.
    package func configJSON(dialect: ConfigDialect) -> JSONValue {
        let pool: (String, JSONValue) = ("pool_size", ConfigEncoding.ints(poolSize))
        let strides: (String, JSONValue) = ("strides", ConfigEncoding.ints(self.strides))
        let padding: (String, JSONValue) = ("padding", .string(self.padding.rawValue))
        let format: (String, JSONValue) = ("data_format", .string(dataFormat.rawValue))
        return .object(ConfigEncoding.base(common, dialect)
                       + (dialect == .keras3 ? [pool, padding, strides, format] : [strides, pool, padding, format]))
    }
}
