import KerasGraph

/// Recurrent layers (SimpleRNN, LSTM, GRU, wrappers, masking), keyed by Keras class name (aliases included).
///
/// A `Bidirectional` or `TimeDistributed` whose wrapped layer KerasPort does not decode (e.g. Keras 3's generic
/// `RNN` with a cell) stays an opaque layer, so the file can still be inspected and converted.
let recurrentLayerDecoders: [String: LayerDecoder] = [
    "SimpleRNN": { c throws in try SimpleRNN(config: c) },
    "LSTM": { c throws in try LSTM(config: c) },
    "GRU": { c throws in try GRU(config: c) },
    "Bidirectional": { c throws in try wrapperOrOpaque(c) { try Bidirectional(config: $0) } },
    "TimeDistributed": { c throws in try wrapperOrOpaque(c) { try TimeDistributed(config: $0) } },
    "Masking": { c throws in try Masking(config: c) },
    "RNN": { c throws in try rnnOrOpaque(c) },
    "ConvLSTM2D": { c throws in try ConvLSTM(config: c) },
]

/// An `RNN` of built-in cells, or an opaque layer naming the cell KerasPort does not run.
private func rnnOrOpaque(_ c: LayerConfig) throws -> any Layer {
    if let cell = c.value("cell"), case let .string(cls)? = cell["class_name"] {
        var names = [LayerRegistry.unregisteredName(cls)]
        if names[0] == "StackedRNNCells", case let .array(list)? = cell["config"]?["cells"] {
            names = list.map { item in
                if case let .string(s)? = item["class_name"] { return LayerRegistry.unregisteredName(s) }
                return "?"
            }
        }
        if let other = names.first(where: { RNN.cellLayerClasses[$0] == nil }) {
            var layer = OpaqueLayer(config: c, registeredName: nil)
            layer.unsupportedReason = "RNN with the cell `\(other)`: KerasPort runs SimpleRNNCell, LSTMCell, GRUCell and StackedRNNCells of them"
            return layer
        }
    }
    return try RNN(config: c)
}

/// The wrapper, or an opaque layer when the layer it wraps is not one KerasPort decodes.
private func wrapperOrOpaque(_ c: LayerConfig, _ decode: (LayerConfig) throws -> any Layer) throws -> any Layer {
    if let inner = c.value("layer"), case let .string(cls)? = inner["class_name"] {
        let name = LayerRegistry.unregisteredName(cls)
        let recurrent: Set<String> = ["SimpleRNN", "LSTM", "GRU"]
        let decodable = c.className == "Bidirectional" ? recurrent.contains(name) : LayerRegistry.isSupported(className: cls)
        if !decodable || LayerRegistry.modelClassNames.contains(name) { return OpaqueLayer(config: c) }
    }
    return try decode(c)
}
