import KerasGraph

/// Attention and the normalization layers transformers use, keyed by Keras class name (aliases included).
let attentionLayerDecoders: [String: LayerDecoder] = [
    "MultiHeadAttention": { c throws in try MultiHeadAttention(config: c) },
    "GroupedQueryAttention": { c throws in try GroupedQueryAttention(config: c) },
    "GroupQueryAttention": { c throws in try GroupedQueryAttention(config: c) },
    "Attention": { c throws in try Attention(config: c) },
    "AdditiveAttention": { c throws in try AdditiveAttention(config: c) },
    "EinsumDense": { c throws in try EinsumDense(config: c) },
    "UnitNormalization": { c throws in try UnitNormalization(config: c) },
    "GroupNormalization": { c throws in try GroupNormalization(config: c) },
]
