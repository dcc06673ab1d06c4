public import KerasGraph

/// Attention and the normalization layers transformers use, keyed by Keras class name (aliases included).
let attentionLayerDecoders: [String: LayerDecoder] = [
    "MultiHeadAttention": { c throws in try MultiHeadAttention(config: c) },
]
