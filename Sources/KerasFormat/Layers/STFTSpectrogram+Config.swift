import KerasGraph

extension STFTSpectrogram: ConfigEncodable {
    /// Decodes a Keras 3 `STFTSpectrogram` config: `mode`, `frame_length`, `frame_step`, `fft_length`, `window`
    /// (a name or null), `periodic`, `scaling`, `padding`, `expand_dims`, `data_format`.
    package init(config c: LayerConfig) throws {
        var step: Int?, fft: Int?
        if c.value("frame_step") != nil { step = try c.positiveInt("frame_step", max: LayerConfig.maxDimension) }
        if c.value("fft_length") != nil { fft = try c.positiveInt("fft_length", max: LayerConfig.maxDimension) }
        self.init(common: try c.common(), mode: try c.string("mode", default: "log"),
                  frameLength: try c.positiveInt("frame_length", default: 256, max: LayerConfig.maxDimension),
                  frameStep: step, fftLength: fft, window: try c.string("window"),
                  periodic: try c.bool("periodic", default: false), scaling: try c.string("scaling"),
                  padding: try c.windowPadding(), expandDims: try c.bool("expand_dims", default: false),
                  dataFormat: try c.dataFormat())
    }

    /// Keras 3.15's `get_config` keys in order. The class is Keras 3 only (``KerasVersionRestricted``).
    package func configJSON(dialect: ConfigDialect) -> JSONValue {
        .object(ConfigEncoding.base(common, dialect) + [
            ("mode", .string(mode)), ("frame_length", .number(Double(frameLength))),
            ("frame_step", ConfigEncoding.int(frameStep)), ("fft_length", ConfigEncoding.int(fftLength)),
            ("window", window.map { .string($0) } ?? .null), ("periodic", .bool(periodic)),
            ("scaling", scaling.map { .string($0) } ?? .null), ("padding", .string(padding.rawValue)),
            ("data_format", .string(dataFormat.rawValue)), ("expand_dims", .bool(expandDims)),
        ])
    }
}

extension STFTSpectrogram: KerasVersionRestricted {
    package func writeProblem(format: KerasWriteFormat) -> String? { keras3OnlyProblem(format) }
}
