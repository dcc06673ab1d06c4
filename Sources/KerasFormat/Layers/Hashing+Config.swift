import KerasGraph

extension Hashing: ConfigEncodable {
    /// Decodes a `Hashing` config with a numeric (or null) `mask_value` and a null `salt`: `num_bins`,
    /// `output_mode`, `sparse`. The registry keeps the other forms opaque, with the reason.
    package init(config c: LayerConfig) throws {
        if let salt = c.value("salt"), salt != .null { throw c.error("a `salt` (SipHash) is not supported") }
        let mode = try c.string("output_mode", default: "int")
        guard Hashing.outputModes.contains(mode) else {
            throw c.error("`output_mode` must be int, one_hot, multi_hot or count, found `\(mode)`")
        }
        self.init(common: try c.common(), numBins: try c.positiveInt("num_bins", max: Int(Int32.max)),
                  maskValue: try c.double("mask_value"), outputMode: mode, sparse: try c.bool("sparse", default: false))
    }

    /// Both dialects: `num_bins, salt, mask_value, output_mode, sparse` (`salt` null).
    package func configJSON(dialect: ConfigDialect) -> JSONValue {
        .object(ConfigEncoding.base(common, dialect) + [
            ("num_bins", .number(Double(numBins))), ("salt", .null), ("mask_value", maskValue.map { .number($0) } ?? .null),
            ("output_mode", .string(outputMode)), ("sparse", .bool(sparse)),
        ])
    }
}
