import KerasGraph

extension Conv2D: ConfigEncodable {
    /// Decodes a `Conv2D` config, or Keras 1 `Convolution2D` / `AtrousConvolution2D` (`nb_filter`, `nb_row`,
    /// `nb_col`, `subsample`, `border_mode`, `dim_ordering`, `atrous_rate`, `bias`, `init`, `W_regularizer`, …).
    /// A Keras 1 `dim_ordering` is kept in ``dimOrdering`` (and `th` makes the layer channels-first).
    package init(config c: LayerConfig) throws {
        let filters = try c.positiveInt("filters", "nb_filter", max: LayerConfig.maxDimension)
        let groups = try c.positiveInt("groups", default: 1)
        guard filters % groups == 0 else { throw c.error("`filters` (\(filters)) must be divisible by `groups` (\(groups))") }
        guard let kernel = try c.positiveTuple(["kernel_size"], count: 2) ?? c.positivePair("nb_row", "nb_col") else {
            throw c.error("missing `kernel_size`")
        }
        let strides = try c.positiveTuple(["strides", "subsample"], count: 2) ?? [1, 1]
        let dilation = try c.positiveTuple(["dilation_rate", "atrous_rate"], count: 2) ?? [1, 1]
        if strides.contains(where: { $0 > 1 }) && dilation.contains(where: { $0 > 1 }) {
            throw c.error("`strides` > 1 is not supported together with `dilation_rate` > 1")
        }
        self.init(
            common: try c.common(), filters: filters, kernelSize: kernel, strides: strides,
            padding: try c.windowPadding(), dataFormat: try c.dataFormat(), dilationRate: dilation,
            groups: groups, activation: try c.activation(), useBias: try c.bool("use_bias") ?? c.bool("bias") ?? true,
            kernelInitializer: try c.anyKerasObject("kernel_initializer", "init") ?? .glorotUniform,
            biasInitializer: try c.anyKerasObject("bias_initializer") ?? .zeros,
            kernelRegularizer: try c.anyKerasObject("kernel_regularizer", "W_regularizer"),
            biasRegularizer: try c.anyKerasObject("bias_regularizer", "b_regularizer"),
            activityRegularizer: try c.anyKerasObject("activity_regularizer"),
            kernelConstraint: try c.anyKerasObject("kernel_constraint", "W_constraint"),
            biasConstraint: try c.anyKerasObject("bias_constraint", "b_constraint"),
            dimOrdering: try c.dimOrdering())
    }

    /// The same keys in both dialects: `filters, kernel_size, strides, padding, data_format, dilation_rate, groups,
    /// activation, use_bias`, initializers, regularizers (with `activity_regularizer`), constraints.
    /// ``dimOrdering`` is not written (it is a Keras 1 key; `data_format` carries the layout).
    package func configJSON(dialect: ConfigDialect) -> JSONValue {
        typealias E = ConfigEncoding
        return .object(E.base(common, dialect) + [
            ("filters", .number(Double(filters))), ("kernel_size", E.ints(kernelSize)), ("strides", E.ints(strides)),
            ("padding", .string(padding.rawValue)), ("data_format", .string(dataFormat.rawValue)),
            ("dilation_rate", E.ints(dilationRate)), ("groups", .number(Double(groups))),
            ("activation", E.activation(activation, dialect)), ("use_bias", .bool(useBias)),
            ("kernel_initializer", E.object(kernelInitializer, .initializer, dialect)),
            ("bias_initializer", E.object(biasInitializer, .initializer, dialect)),
            ("kernel_regularizer", E.object(kernelRegularizer, .regularizer, dialect)),
            ("bias_regularizer", E.object(biasRegularizer, .regularizer, dialect)),
            ("activity_regularizer", E.object(activityRegularizer, .regularizer, dialect)),
            ("kernel_constraint", E.object(kernelConstraint, .constraint, dialect)),
            ("bias_constraint", E.object(biasConstraint, .constraint, dialect)),
        ])
    }
}
