import KerasGraph

extension CategoryEncoding: ConfigEncodable {
    /// Decodes a `CategoryEncoding` config: `num_tokens`, `output_mode` (`one_hot`, `multi_hot`, `count`), `sparse`
    /// (Keras 3 does not write it).
    package init(config c: LayerConfig) throws {
        let n = try c.positiveInt("num_tokens", max: LayerConfig.maxDimension)
        let mode = try c.string("output_mode", default: "multi_hot")
        guard CategoryEncoding.outputModes.contains(mode) else {
            throw c.error("`output_mode` must be one_hot, multi_hot or count, found `\(mode)`")
        }
        self.init(common: try c.common(), numTokens: n, outputMode: mode, sparse: try c.bool("sparse", default: false))
    }

    /// Keras 3: `num_tokens, output_mode` (and `sparse` only when true). Keras 2: `num_tokens, output_mode, sparse`.
    package func configJSON(dialect: ConfigDialect) -> JSONValue {
        var m = ConfigEncoding.base(common, dialect) + [
            ("num_tokens", .number(Double(numTokens))), ("output_mode", .string(outputMode)),
        ]
        if dialect != .keras3 || sparse { m.append(("sparse", .bool(sparse))) }
        return .object(m)
    }
}
