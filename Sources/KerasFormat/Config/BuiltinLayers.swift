public import KerasGraph

/// Decodes one layer config into a typed layer.
public typealias LayerDecoder = @Sendable (LayerConfig) throws -> any Layer

/// The decoders for every layer class KerasPort understands, keyed by Keras class name
/// (including Keras 1 and Keras 2 aliases). Classes not listed here become opaque layers.
let builtinLayerDecoders: [String: LayerDecoder] = [
    "Dense": { c throws in try Dense(config: c) },
    "LeakyReLU": { c throws in try LeakyReLU(config: c) },
    "PReLU": { c throws in try PReLU(config: c) },
]
