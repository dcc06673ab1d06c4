import KerasGraph

extension Conv3D: ConfigEncodable {
    /// Decodes a `Conv3D` config (`filters`, `kernel_size`, `strides`, `padding` valid/same, `data_format`,
    /// `dilation_rate`, `groups`, `activation`, `use_bias`, initializers, regularizers, constraints).
    package init(config c: LayerConfig) throws {
        let filters = try c.positiveInt("filters", max: LayerConfig.maxDimension)
        let groups = try c.positiveInt("groups", default: 1)
        guard filters % groups == 0 else { throw c.error("`filters` (\(filters)) must be divisible by `groups` (\(groups))") }
        guard let kernel = try c.positiveTuple(["kernel_size"], count: 3) else {
            throw c.error("missing `kernel_size`")
        }
        let strides = try c.positiveTuple(["strides"], count: 3) ?? [1, 1, 1]
        let dilation = try c.positiveTuple(["dilation_rate"], count: 3) ?? [1, 1, 1]
        if strides.contains(where: { $0 > 1 }) && dilation.contains(where: { $0 > 1 }) {
            throw c.error("`strides` > 1 is not supported together with `dilation_rate` > 1")
        }
        self.init(
            common: try c.common(), filters: filters, kernelSize: kernel, strides: strides,
            padding: try c.windowPadding(), dataFormat: try c.dataFormat(), dilationRate: dilation,
            groups: groups, activation: try c.activation(), useBias: try c.bool("use_bias", default: true),
            kernelInitializer: try c.anyKerasObject("kernel_initializer") ?? .glorotUniform,
            biasInitializer: try c.anyKerasObject("bias_initializer") ?? .zeros,
            kernelRegularizer: try c.anyKerasObject("kernel_regularizer"),
            biasRegularizer: try c.anyKerasObject("bias_regularizer"),
            activityRegularizer: try c.anyKerasObject("activity_regularizer"),
            kernelConstraint: try c.anyKerasObject("kernel_constraint"),
            biasConstraint: try c.anyKerasObject("bias_constraint"))
    }

    /// The same keys in both dialects: `filters, kernel_size, strides, padding, data_format, dilation_rate, groups,
    /// activation, use_bias`, initializers, regularizers (with `activity_regularizer`), constraints.
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
