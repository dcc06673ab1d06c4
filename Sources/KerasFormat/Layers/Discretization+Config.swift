import KerasGraph

extension Discretization: ConfigEncodable {
    /// Decodes a `Discretization` config: `bin_boundaries` (a list of numbers or `null`), `num_bins`, `epsilon`,
    /// `output_mode` (`int`, `one_hot`, `multi_hot`, `count`), `sparse`.
    package init(config c: LayerConfig) throws {
        var boundaries: [Double]?
        if let v = c.value("bin_boundaries") {
            guard case let .array(items) = v else { throw c.error("`bin_boundaries` must be a list of numbers") }
            boundaries = try items.map { item in
                guard case let .number(d) = item else { throw c.error("`bin_boundaries` must be a list of numbers") }
                return d
            }
        }
        let mode = try c.string("output_mode", default: "int")
        guard ["int", "one_hot", "multi_hot", "count"].contains(mode) else {
            throw c.error("`output_mode` must be int, one_hot, multi_hot or count, found `\(mode)`")
        }
        self.init(common: try c.common(), binBoundaries: boundaries, numBins: try c.int("num_bins"),
                  epsilon: try c.double("epsilon", default: 0.01), outputMode: mode, sparse: try c.bool("sparse", default: false))
    }

    /// Keras 3: `bin_boundaries, num_bins, epsilon, output_mode, sparse, name, dtype` (a plain string, no
    /// `trainable`). Keras 2: `name, dtype, bin_boundaries, num_bins, epsilon, output_mode, sparse`; tf_keras also writes
    /// `trainable`, which Keras 3 rejects, so it is left out.
    package func configJSON(dialect: ConfigDialect) -> JSONValue {
        let values: [(String, JSONValue)] = [
            ("bin_boundaries", binBoundaries.map { .array($0.map { .number($0) }) } ?? .null),
            ("num_bins", ConfigEncoding.int(numBins)), ("epsilon", .number(epsilon)),
            ("output_mode", .string(outputMode)), ("sparse", .bool(sparse)),
        ]
        if dialect == .keras3 {
            return .object(values + [("name", .string(common.name)), ("dtype", .string(common.dtype))])
        }
        return .object([("name", .string(common.name)), ("dtype", ConfigEncoding.dtype(common.dtype, dialect))] + values)
    }
}
