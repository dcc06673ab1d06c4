import KerasGraph

extension PReLU: ConfigEncodable {
    /// Decodes a `PReLU` config: `shared_axes` (null, an int or a list; each ≥ 1), and the alpha
    /// initializer/regularizer/constraint kept for re-export (Keras 1: `init`).
    package init(config c: LayerConfig) throws {
        let shared = try c.axes("shared_axes")
        if let shared, shared.contains(where: { $0 < 1 }) {
            throw c.error("`shared_axes` must hold axes >= 1 (the batch axis is 0), found \(shared)")
        }
        self.init(
            common: try c.common(),
            sharedAxes: shared,
            alphaInitializer: try c.anyKerasObject("alpha_initializer", "init") ?? .zeros,
            alphaRegularizer: try c.anyKerasObject("alpha_regularizer"),
            alphaConstraint: try c.anyKerasObject("alpha_constraint"))
    }

    /// `alpha_initializer, alpha_regularizer, alpha_constraint, shared_axes` (a list or `null`) in both dialects.
    package func configJSON(dialect: ConfigDialect) -> JSONValue {
        typealias E = ConfigEncoding
        return .object(E.base(common, dialect) + [
            ("alpha_initializer", E.object(alphaInitializer, .initializer, dialect)),
            ("alpha_regularizer", E.object(alphaRegularizer, .regularizer, dialect)),
            ("alpha_constraint", E.object(alphaConstraint, .constraint, dialect)),
            ("shared_axes", sharedAxes.map(E.ints) ?? .null),
        ])
    }
}
