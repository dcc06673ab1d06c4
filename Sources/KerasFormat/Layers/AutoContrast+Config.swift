import KerasGraph

extension AutoContrast: ConfigEncodable {
    /// Decodes a Keras 3 `AutoContrast` config: `value_range` (two numbers, sorted as Keras sorts them; default
    /// `[0, 255]`), `data_format`, `bounding_box_format`.
    package init(config c: LayerConfig) throws {
        var range: [Double] = [0, 255]
        if let v = c.value("value_range") {
            guard case let .array(items) = v, items.count == 2, case let .number(a) = items[0], case let .number(b) = items[1] else {
                throw c.error("`value_range` must be a list of two numbers")
            }
            range = [a, b].sorted()
        }
        self.init(common: try c.common(), valueRange: range, dataFormat: try c.dataFormat(),
                  boundingBoxFormat: try c.string("bounding_box_format"))
    }

    /// `data_format`, `bounding_box_format` when set, `value_range`, as Keras 3.15 writes them. The class is Keras 3
    /// only (``KerasVersionRestricted``).
    package func configJSON(dialect: ConfigDialect) -> JSONValue {
        var m = ConfigEncoding.base(common, dialect) + [("data_format", .string(dataFormat.rawValue))]
        if let boundingBoxFormat { m.append(("bounding_box_format", .string(boundingBoxFormat))) }
        m.append(("value_range", .array(valueRange.map { .number($0) })))
        return .object(m)
    }
}

extension AutoContrast: KerasVersionRestricted {
    package func writeProblem(format: KerasWriteFormat) -> String? { keras3OnlyProblem(format) }
}
