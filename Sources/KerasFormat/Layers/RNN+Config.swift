import KerasGraph

extension RNN: ConfigEncodable {
    /// The cell classes an `RNN` runs, with the layer class standing for each.
    static let cellLayerClasses: [String: String] = ["SimpleRNNCell": "SimpleRNN", "LSTMCell": "LSTM", "GRUCell": "GRU"]

    /// Decodes an `RNN` config whose `cell` is a `SimpleRNNCell`, `LSTMCell`, `GRUCell` or a `StackedRNNCells` of
    /// them (the cell configs decoded as the matching layer's), and the sequence options.
    package init(config c: LayerConfig) throws {
        guard let cell = c.value("cell"), case let .string(cls)? = cell["class_name"] else {
            throw c.error("`cell` must be a cell object with `class_name` and `config`")
        }
        let inner = cell["config"] ?? .object([])
        var cells: [any RecurrentLayer] = []
        var stack: LayerCommon?
        if LayerRegistry.unregisteredName(cls) == "StackedRNNCells" {
            let stackConfig = LayerConfig(className: "StackedRNNCells", name: RNN.name(inner, "stacked_rnn_cells"),
                                          config: inner, dialect: c.dialect, kerasVersion: c.kerasVersion)
            stack = try stackConfig.common()
            guard case let .array(list)? = inner["cells"], !list.isEmpty else {
                throw c.error("StackedRNNCells `cells` must be a non-empty list of cells")
            }
            cells = try list.map { try RNN.cell($0, c) }
        } else {
            cells = [try RNN.cell(cell, c)]
        }
        self.init(common: try c.common(), cells: cells, stack: stack,
                  returnSequences: try c.bool("return_sequences", default: false),
                  returnState: try c.bool("return_state", default: false),
                  goBackwards: try c.bool("go_backwards", default: false),
                  stateful: try c.bool("stateful", default: false), unroll: try c.bool("unroll", default: false),
                  zeroOutputForMask: try c.bool("zero_output_for_mask", default: false),
                  timeMajor: try c.bool("time_major", default: false))
    }

    private static func name(_ config: JSONValue, _ fallback: String) -> String {
        if case let .string(s)? = config["name"] { return s }
        return fallback
    }

    /// One built-in cell, decoded with the decoder of the layer class it belongs to.
    private static func cell(_ object: JSONValue, _ c: LayerConfig) throws -> any RecurrentLayer {
        guard case let .string(cls)? = object["class_name"],
              let layerClass = cellLayerClasses[LayerRegistry.unregisteredName(cls)] else {
            throw c.error("`cell` must be SimpleRNNCell, LSTMCell, GRUCell or a StackedRNNCells of them, found \(object["class_name"].map { $0.serialized() } ?? "none")")
        }
        let config = object["config"] ?? .object([])
        let lc = LayerConfig(className: layerClass, name: name(config, kerasSnakeCase(cls)), config: config,
                             dialect: c.dialect, kerasVersion: c.kerasVersion)
        guard let layer = try LayerRegistry.decode(lc) as? any RecurrentLayer else {
            throw c.error("cannot decode the `\(cls)` cell")
        }
        return layer
    }

    /// Keras 3: `return_sequences, return_state, go_backwards, stateful, unroll, zero_output_for_mask, cell`.
    /// Keras 2: the same with `time_major` (only when true) instead of `zero_output_for_mask`. The cell is written
    /// as `{module, class_name, config, registered_name}`, a stack as `StackedRNNCells` with `cells`; a cell's config
    /// is its layer's without the sequence options and `activity_regularizer`.
    package func configJSON(dialect: ConfigDialect) -> JSONValue {
        typealias E = ConfigEncoding
        var m = E.base(common, dialect) + [
            ("return_sequences", .bool(returnSequences)), ("return_state", .bool(returnState)),
            ("go_backwards", .bool(goBackwards)), ("stateful", .bool(stateful)), ("unroll", .bool(unroll)),
        ]
        if dialect == .keras3 {
            m.append(("zero_output_for_mask", .bool(zeroOutputForMask)))
        } else if timeMajor {
            m.append(("time_major", .bool(timeMajor)))
        }
        let cellObjects = cells.map { RNN.cellObject($0, dialect) }
        if let stack {
            let config = E.base(stack, dialect) + [("cells", .array(cellObjects))]
            m.append(("cell", .object([("module", .string("keras.layers")), ("class_name", .string("StackedRNNCells")),
                                       ("config", .object(config)), ("registered_name", .null)])))
        } else {
            m.append(("cell", cellObjects[0]))
        }
        return .object(m)
    }

    private static let sequenceKeys: Set<String> = [
        "return_sequences", "return_state", "go_backwards", "stateful", "unroll", "zero_output_for_mask", "time_major",
        "activity_regularizer",
    ]

    private static func cellObject(_ cell: any RecurrentLayer, _ dialect: ConfigDialect) -> JSONValue {
        var config: JSONValue = .object([])
        if let encodable = cell as? any ConfigEncodable, case let .object(members) = encodable.configJSON(dialect: dialect) {
            var kept = members.filter { !sequenceKeys.contains($0.0) }
            if dialect == .keras3, cell.kind == .simpleRNN { kept.append(("seed", ConfigEncoding.int(cell.options.seed))) }
            config = .object(kept)
        }
        return .object([("module", .string("keras.layers")), ("class_name", .string(cell.kind.cellClassName)),
                        ("config", config), ("registered_name", .null)])
    }
}
