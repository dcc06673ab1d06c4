import KerasGraph

extension LayerNormalization: ConfigEncodable {
    /// Decodes a `LayerNormalization` config: `axis` (an int or a list), `epsilon` (≥ 0, default 1e-3), `center`,
    /// `scale`, Keras 3's `rms_scaling`, initializers, regularizers, constraints.
    package init(config c: LayerConfig) throws {
        self.init(
            common: try c.common(),
            axis: try Self.sortedAxes(c.axes("axis") ?? [-1]),
            epsilon: try c.boundedDouble("epsilon", default: 1e-3, minimum: 0),
            center: try c.bool("center", default: true),
            scale: try c.bool("scale", default: true),
            rmsScaling: try c.bool("rms_scaling", default: false),
            betaInitializer: try c.anyKerasObject("beta_initializer") ?? .zeros,
            gammaInitializer: try c.anyKerasObject("gamma_initializer") ?? .ones,
            betaRegularizer: try c.anyKerasObject("beta_regularizer"),
            gammaRegularizer: try c.anyKerasObject("gamma_regularizer"),
            betaConstraint: try c.anyKerasObject("beta_constraint"),
            gammaConstraint: try c.anyKerasObject("gamma_constraint"))
    }

    /// Non-negative axes in increasing order. tf_keras keeps `axis` in the order given (`[3, 1]`, gamma shaped
    /// `(6, 3)`) but reshapes gamma and beta to the input's axis order, so their values are in sorted-axis order
    /// whatever their stored shape; Keras 3 sorts the axes and shapes gamma `(3, 6)`, and refuses the other shape. The
    /// stored weights are reshaped to the sorted shape when read (KerasFile+Load).
    static func sortedAxes(_ axes: [Int]) -> [Int] {
        axes.count > 1 && axes.allSatisfy({ $0 >= 0 }) ? axes.sorted() : axes
    }

    /// Keras 2: `axis, epsilon, center, scale`, initializers, regularizers, constraints. Keras 3: the same with
    /// `rms_scaling` after `scale`. Keras 2 has no RMS scaling: a layer with ``rmsScaling`` has no Keras 2 form
    /// (the key is left out, which changes the computation).
    ///
    /// Caveat for legacy `.h5` files: Keras 3.15's legacy loader (`saving_utils.model_from_config`) pops `axis` and
    /// restores it only when it is a number or a one-element list, so a multi-axis layer reloads with `axis=-1`
    /// (verified: Keras 3.15.1 cannot reload its own `.h5` of `LayerNormalization(axis=[1, 2])`). `.keras` archives
    /// and Keras 2 keep the list.
    package func configJSON(dialect: ConfigDialect) -> JSONValue {
        typealias E = ConfigEncoding
        var m = E.base(common, dialect) + [
            ("axis", E.axis(axis)), ("epsilon", .number(epsilon)), ("center", .bool(center)), ("scale", .bool(scale)),
        ]
        if dialect == .keras3 { m.append(("rms_scaling", .bool(rmsScaling))) }
        m += [
            ("beta_initializer", E.object(betaInitializer, .initializer, dialect)),
            ("gamma_initializer", E.object(gammaInitializer, .initializer, dialect)),
            ("beta_regularizer", E.object(betaRegularizer, .regularizer, dialect)),
            ("gamma_regularizer", E.object(gammaRegularizer, .regularizer, dialect)),
            ("beta_constraint", E.object(betaConstraint, .constraint, dialect)),
            ("gamma_constraint", E.object(gammaConstraint, .constraint, dialect)),
        ]
        return .object(m)
    }
}
