import KerasGraph

extension ConvLSTM: ConfigEncodable {
    /// Decodes a `ConvLSTM1D` / `ConvLSTM2D` / `ConvLSTM3D` config (the rank from the class name): the LSTM options
    /// (``RecurrentOptions/init(config:kind:)``, `filters` as the units), `unit_forget_bias`, and `kernel_size`,
    /// `strides`, `padding`, `data_format`, `dilation_rate` with one value per spatial axis.
    package init(config c: LayerConfig) throws {
        let rank: Int
        switch c.className {
        case "ConvLSTM1D": rank = 1
        case "ConvLSTM3D": rank = 3
        default: rank = 2
        }
        let filters = try c.positiveInt("filters", max: LayerConfig.maxDimension)
        guard case var .object(members) = c.config else { throw c.error("the config must be an object") }
        members.removeAll { $0.0 == "units" }
        members.append(("units", .number(Double(filters))))
        let lstm = LayerConfig(className: "LSTM", name: c.name, config: .object(members), dialect: c.dialect,
                               kerasVersion: c.kerasVersion)
        let (kernel, strides, dilation) = try c.convolutionWindow(rank: rank, refuseStridedDilation: false)
        self.init(common: try c.common(), options: try RecurrentOptions(config: lstm, kind: .lstm), kernelSize: kernel,
                  strides: strides, padding: try c.windowPadding(), dataFormat: try c.dataFormat(),
                  dilationRate: dilation, unitForgetBias: try c.bool("unit_forget_bias", default: true))
    }

    /// The LSTM keys (``RecurrentOptions``) with `filters, kernel_size, strides, padding, data_format,
    /// dilation_rate` in place of `units`, without Keras 2's `implementation`.
    package func configJSON(dialect: ConfigDialect) -> JSONValue {
        guard case let .object(lstm) = options.configEntries(common: common, kind: .lstm, dialect: dialect,
                                                             unitForgetBias: unitForgetBias) else { return .null }
        let conv: [(String, JSONValue)] = [
            ("filters", .number(Double(filters))), ("kernel_size", ConfigEncoding.ints(kernelSize)),
            ("strides", ConfigEncoding.ints(strides)), ("padding", .string(padding.rawValue)),
            ("data_format", .string(dataFormat.rawValue)), ("dilation_rate", ConfigEncoding.ints(dilationRate)),
        ]
        var out: [(String, JSONValue)] = []
        for (key, value) in lstm where key != "implementation" {
            if key == "units" { out += conv } else { out.append((key, value)) }
        }
        return .object(out)
    }
}
