import KerasGraph

extension BatchNormalization: ConfigEncodable {
    /// Decodes a `BatchNormalization` config: `axis` (an int or a list; Keras 3's legacy loader turns a
    /// one-element list back into an int, and both read the same here), `momentum`, `epsilon` (≥ 0, default 1e-3),
    /// `center`, `scale`, initializers, regularizers, constraints, and Keras 3's training-only `synchronized` and
    /// `renorm*` keys. Keras 1: only `mode` 0 (feature-wise, with moving statistics) is accepted.
    package init(config c: LayerConfig) throws {
        if let mode = try c.int("mode"), mode != 0 {
            throw c.error("`mode` \(mode) is not supported (only mode 0, feature-wise normalisation with moving statistics)")
        }
        if c.value("virtual_batch_size") != nil { throw c.error("`virtual_batch_size` is not supported") }
        self.init(
            common: try c.common(),
            axis: try c.axes("axis") ?? [-1],
            momentum: try c.double("momentum", default: 0.99),
            epsilon: try c.boundedDouble("epsilon", default: BatchNormalization.defaultEpsilon, minimum: 0),
            center: try c.bool("center", default: true),
            scale: try c.bool("scale", default: true),
            betaInitializer: try c.anyKerasObject("beta_initializer", "beta_init") ?? .zeros,
            gammaInitializer: try c.anyKerasObject("gamma_initializer", "gamma_init") ?? .ones,
            movingMeanInitializer: try c.anyKerasObject("moving_mean_initializer") ?? .zeros,
            movingVarianceInitializer: try c.anyKerasObject("moving_variance_initializer") ?? .ones,
            betaRegularizer: try c.anyKerasObject("beta_regularizer"),
            gammaRegularizer: try c.anyKerasObject("gamma_regularizer"),
            betaConstraint: try c.anyKerasObject("beta_constraint"),
            gammaConstraint: try c.anyKerasObject("gamma_constraint"),
            synchronized: try c.bool("synchronized", default: false),
            renorm: try c.bool("renorm", default: false),
            renormClipping: c.value("renorm_clipping"),
            renormMomentum: try c.double("renorm_momentum", default: 0.99))
    }

    /// Keras 2: `axis, momentum, epsilon, center, scale`, four initializers, two regularizers, two constraints
    /// (tf_keras adds `renorm, renorm_clipping, renorm_momentum` only when `renorm` is on). Keras 3: the same, then
    /// `synchronized`; the `renorm*` keys (Keras 3.14+) only when `renorm` is on, since older Keras 3 releases reject
    /// them. `axis` is an int for one axis, a list for several; Keras 3 accepts only one axis, so a multi-axis layer
    /// has no Keras 3 form (the list is written, and Keras 3 rejects it).
    package func configJSON(dialect: ConfigDialect) -> JSONValue {
        typealias E = ConfigEncoding
        var m = E.base(common, dialect) + [
            ("axis", E.axis(axis)), ("momentum", .number(momentum)), ("epsilon", .number(epsilon)),
            ("center", .bool(center)), ("scale", .bool(scale)),
            ("beta_initializer", E.object(betaInitializer, .initializer, dialect)),
            ("gamma_initializer", E.object(gammaInitializer, .initializer, dialect)),
            ("moving_mean_initializer", E.object(movingMeanInitializer, .initializer, dialect)),
            ("moving_variance_initializer", E.object(movingVarianceInitializer, .initializer, dialect)),
            ("beta_regularizer", E.object(betaRegularizer, .regularizer, dialect)),
            ("gamma_regularizer", E.object(gammaRegularizer, .regularizer, dialect)),
            ("beta_constraint", E.object(betaConstraint, .constraint, dialect)),
            ("gamma_constraint", E.object(gammaConstraint, .constraint, dialect)),
        ]
        if dialect == .keras3 { m.append(("synchronized", .bool(synchronized))) }
        if renorm {
            m += [("renorm", .bool(true)), ("renorm_clipping", renormClipping ?? .null),
                  ("renorm_momentum", .number(renormMomentum))]
        }
        return .object(m)
    }
}
