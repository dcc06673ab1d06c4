import KerasGraph

extension ELU: ConfigEncodable {
    /// Decodes an `ELU` config: `alpha` (default 1).
    package init(config c: LayerConfig) throws {
        let alpha = try c.float("alpha", default: 1)
        guard alpha.isFinite else { throw c.error("`alpha` must be a finite number, found \(alpha)") }
        self.init(common: try c.common(), alpha: alpha)
    }

    /// Keras 2: `name, trainable, dtype, alpha` (rounded to float32). Keras 3: `name, alpha, trainable, dtype`.
    package func configJSON(dialect: ConfigDialect) -> JSONValue {
        let base = ConfigEncoding.base(common, dialect)
        let alpha: (String, JSONValue) = ("alpha", ConfigEncoding.float32(self.alpha, dialect))
        return .object(dialect == .keras3 ? [base[0], alpha, base[1], base[2]] : base + [alpha])
    }
}
