import KerasGraph

extension GroupNormalization: ConfigEncodable {
    /// Decodes a `GroupNormalization` config: `groups` (default 32), `axis` (one int), `epsilon`, `center`, `scale`,
    /// initializers, regularizers, constraints.
    package init(config c: LayerConfig) throws {
        let axes = try c.axes("axis") ?? [-1]
        guard axes.count == 1 else { throw c.error("`axis` must be one integer") }
        self.init(
            common: try c.common(),
            groups: try c.positiveInt("groups", default: 32, max: LayerConfig.maxDimension),
            axis: axes[0],
            epsilon: try c.boundedDouble("epsilon", default: 1e-3, minimum: 0),
            center: try c.bool("center", default: true),
            scale: try c.bool("scale", default: true),
            betaInitializer: try c.anyKerasObject("beta_initializer") ?? .zeros,
            gammaInitializer: try c.anyKerasObject("gamma_initializer") ?? .ones,
            betaRegularizer: try c.anyKerasObject("beta_regularizer"),
            gammaRegularizer: try c.anyKerasObject("gamma_regularizer"),
            betaConstraint: try c.anyKerasObject("beta_constraint"),
            gammaConstraint: try c.anyKerasObject("gamma_constraint"))
    }

    /// Both dialects (tf_keras 2.21 and Keras 3.15 write the same keys): `groups, axis, epsilon, center, scale`,
    /// initializers, regularizers, constraints.
    package func configJSON(dialect: ConfigDialect) -> JSONValue {
        typealias E = ConfigEncoding
        return .object(E.base(common, dialect) + [
            ("groups", .number(Double(groups))), ("axis", .number(Double(axis))), ("epsilon", .number(epsilon)),
            ("center", .bool(center)), ("scale", .bool(scale)),
            ("beta_initializer", E.object(betaInitializer, .initializer, dialect)),
            ("gamma_initializer", E.object(gammaInitializer, .initializer, dialect)),
            ("beta_regularizer", E.object(betaRegularizer, .regularizer, dialect)),
            ("gamma_regularizer", E.object(gammaRegularizer, .regularizer, dialect)),
            ("beta_constraint", E.object(betaConstraint, .constraint, dialect)),
            ("gamma_constraint", E.object(gammaConstraint, .constraint, dialect)),
        ])
    }
}
