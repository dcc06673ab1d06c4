import KerasGraph

/// Issue 13's third breadth round, keyed by Keras class name: Keras 3's `RMSNormalization`, adaptive pooling,
/// `AutoContrast`, `ReversibleEmbedding`,
/// `STFTSpectrogram` and `Pipeline`; `ConvLSTM1D`/`ConvLSTM3D` (``ConvLSTM``, which `ConvLSTM2D` shares);
/// the `SpectralNormalization` wrapper; `RandomCrop` at inference; tf_keras' `LocallyConnected1D/2D`.
///
/// A `SpectralNormalization` whose wrapped layer KerasPort does not decode stays an opaque layer.
let breadth3LayerDecoders: [String: LayerDecoder] = [
    "RMSNormalization": { c throws in try RMSNormalization(config: c) },
    "AdaptiveAveragePooling1D": { c throws in try AdaptivePooling(config: c) },
    "AdaptiveAveragePooling2D": { c throws in try AdaptivePooling(config: c) },
    "AdaptiveAveragePooling3D": { c throws in try AdaptivePooling(config: c) },
    "AdaptiveMaxPooling1D": { c throws in try AdaptivePooling(config: c) },
    "AdaptiveMaxPooling2D": { c throws in try AdaptivePooling(config: c) },
    "AdaptiveMaxPooling3D": { c throws in try AdaptivePooling(config: c) },
    "ConvLSTM1D": { c throws in try ConvLSTM(config: c) },
    "ConvLSTM3D": { c throws in try ConvLSTM(config: c) },
    "SpectralNormalization": { c throws in try spectralNormalizationOrOpaque(c) },
    "LocallyConnected1D": { c throws in try LocallyConnected(config: c) },
    "LocallyConnected2D": { c throws in try LocallyConnected(config: c) },
    "RandomCrop": { c throws in try RandomCrop(config: c) },
    "AutoContrast": { c throws in try AutoContrast(config: c) },
    "ReversibleEmbedding": { c throws in try ReversibleEmbedding(config: c) },
    "STFTSpectrogram": { c throws in try STFTSpectrogram(config: c) },
    "Pipeline": { c throws in try pipelineOrOpaque(c) },
]

/// The wrapper, or an opaque layer when the layer it wraps is not one KerasPort decodes.
private func spectralNormalizationOrOpaque(_ c: LayerConfig) throws -> any Layer {
    if let inner = c.value("layer"), case let .string(cls)? = inner["class_name"] {
        let name = LayerRegistry.unregisteredName(cls)
        if !LayerRegistry.isSupported(className: cls) || LayerRegistry.modelClassNames.contains(name) {
            var layer = OpaqueLayer(config: c)
            layer.unsupportedReason = "it wraps `\(name)`, a class KerasPort does not run"
            return layer
        }
    }
    return try SpectralNormalization(config: c)
}

/// The pipeline, or an opaque layer naming the first layer in it that KerasPort does not decode.
private func pipelineOrOpaque(_ c: LayerConfig) throws -> any Layer {
    if case let .array(items)? = c.value("layers") {
        for item in items {
            if case let .string(cls)? = item["class_name"], !LayerRegistry.isSupported(className: cls)
                || LayerRegistry.modelClassNames.contains(LayerRegistry.unregisteredName(cls)) {
                var layer = OpaqueLayer(config: c)
                layer.unsupportedReason = "it holds `\(LayerRegistry.unregisteredName(cls))`, a class KerasPort does not run"
                return layer
            }
        }
    }
    return try Pipeline(config: c)
}
