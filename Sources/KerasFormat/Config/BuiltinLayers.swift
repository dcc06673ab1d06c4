import KerasGraph

/// Decodes one layer config into a typed layer.
package typealias LayerDecoder = @Sendable (LayerConfig) throws -> any Layer

/// The decoders for every layer class KerasPort understands, keyed by Keras class name (including Keras 1 and
/// Keras 2 aliases): the core families below merged with the families in `BuiltinLayers+<Family>.swift`, one file
/// per family so that adding a family touches its own file. Classes not listed anywhere become opaque layers.
/// A class name registered by two families is a programming error (`LayerRegistryTests` checks it).
let builtinLayerDecoders: [String: LayerDecoder] = {
    var all: [String: LayerDecoder] = [:]
    for (_, family) in builtinLayerFamilies {
        all.merge(family) { first, _ in first }
    }
    return all
}()

/// Every family of decoders, in the order the README's table lists them.
let builtinLayerFamilies: [(name: String, decoders: [String: LayerDecoder])] = [
    ("Core, convolution, pooling, normalization, activation, merging and reshaping", coreLayerDecoders),
    ("1-D and 3-D convolution variants", convolutionLayerDecoders),
    ("Preprocessing and application layers", preprocessingLayerDecoders),
    ("Lookup and encoding (numeric input)", lookupLayerDecoders),
    ("Recurrent", recurrentLayerDecoders),
    ("Attention and normalization", attentionLayerDecoders),
    ("Framework op layers", opLayerDecoders),
    ("Adaptive pooling, RMS normalization, spectral normalization, locally connected and other late additions", breadth3LayerDecoders),
]

/// The layers KerasPort has run since its first release.
///
/// Keras 1 names: `Convolution1D`/`AtrousConvolution1D` → ``Conv1D``, `Convolution2D`/`AtrousConvolution2D` →
/// ``Conv2D``, `SeparableConvolution2D` → ``SeparableConv2D``. Keras 1's `Merge` and `Deconvolution2D` (which
/// carries an explicit `output_shape`) are not decoded and stay opaque.
let coreLayerDecoders: [String: LayerDecoder] = [
    // Core
    "Dense": { c throws in try Dense(config: c) },
    "Activation": { c throws in try ActivationLayer(config: c) },
    "Dropout": { c throws in try Dropout(config: c) },
    "SpatialDropout1D": { c throws in try SpatialDropout1D(config: c) },
    "SpatialDropout2D": { c throws in try SpatialDropout2D(config: c) },
    "GaussianNoise": { c throws in try GaussianNoise(config: c) },
    "GaussianDropout": { c throws in try GaussianDropout(config: c) },
    "AlphaDropout": { c throws in try AlphaDropout(config: c) },
    "Flatten": { c throws in try Flatten(config: c) },
    "Reshape": { c throws in try Reshape(config: c) },
    "Permute": { c throws in try Permute(config: c) },
    "RepeatVector": { c throws in try RepeatVector(config: c) },
    "Embedding": { c throws in try Embedding(config: c) },

    // Convolution
    "Conv1D": { c throws in try Conv1D(config: c) },
    "Convolution1D": { c throws in try Conv1D(config: c) },
    "AtrousConvolution1D": { c throws in try Conv1D(config: c) },
    "Conv2D": { c throws in try Conv2D(config: c) },
    "Convolution2D": { c throws in try Conv2D(config: c) },
    "AtrousConvolution2D": { c throws in try Conv2D(config: c) },
    "DepthwiseConv2D": { c throws in try DepthwiseConv2D(config: c) },
    "SeparableConv2D": { c throws in try SeparableConv2D(config: c) },
    "SeparableConvolution2D": { c throws in try SeparableConv2D(config: c) },
    "Conv2DTranspose": { c throws in try Conv2DTranspose(config: c) },
    "Convolution2DTranspose": { c throws in try Conv2DTranspose(config: c) },

    // Pooling
    "MaxPooling1D": { c throws in try MaxPooling1D(config: c) },
    "MaxPool1D": { c throws in try MaxPooling1D(config: c) },
    "MaxPooling2D": { c throws in try MaxPooling2D(config: c) },
    "MaxPool2D": { c throws in try MaxPooling2D(config: c) },
    "AveragePooling1D": { c throws in try AveragePooling1D(config: c) },
    "AvgPool1D": { c throws in try AveragePooling1D(config: c) },
    "AveragePooling2D": { c throws in try AveragePooling2D(config: c) },
    "AvgPool2D": { c throws in try AveragePooling2D(config: c) },
    "GlobalAveragePooling1D": { c throws in try GlobalAveragePooling1D(config: c) },
    "GlobalAvgPool1D": { c throws in try GlobalAveragePooling1D(config: c) },
    "GlobalAveragePooling2D": { c throws in try GlobalAveragePooling2D(config: c) },
    "GlobalAvgPool2D": { c throws in try GlobalAveragePooling2D(config: c) },
    "GlobalMaxPooling1D": { c throws in try GlobalMaxPooling1D(config: c) },
    "GlobalMaxPool1D": { c throws in try GlobalMaxPooling1D(config: c) },
    "GlobalMaxPooling2D": { c throws in try GlobalMaxPooling2D(config: c) },
    "GlobalMaxPool2D": { c throws in try GlobalMaxPooling2D(config: c) },
    "MaxPooling3D": { c throws in try MaxPooling3D(config: c) },
    "MaxPool3D": { c throws in try MaxPooling3D(config: c) },
    "AveragePooling3D": { c throws in try AveragePooling3D(config: c) },
    "AvgPool3D": { c throws in try AveragePooling3D(config: c) },
    "GlobalMaxPooling3D": { c throws in try GlobalMaxPooling3D(config: c) },
    "GlobalMaxPool3D": { c throws in try GlobalMaxPooling3D(config: c) },
    "GlobalAveragePooling3D": { c throws in try GlobalAveragePooling3D(config: c) },
    "GlobalAvgPool3D": { c throws in try GlobalAveragePooling3D(config: c) },

    // Normalization
    "BatchNormalization": { c throws in try BatchNormalization(config: c) },
    "LayerNormalization": { c throws in try LayerNormalization(config: c) },

    // Activation layers
    "LeakyReLU": { c throws in try LeakyReLU(config: c) },
    "PReLU": { c throws in try PReLU(config: c) },
    "ReLU": { c throws in try ReLU(config: c) },
    "ELU": { c throws in try ELU(config: c) },
    "Softmax": { c throws in try Softmax(config: c) },
    "ThresholdedReLU": { c throws in try ThresholdedReLU(config: c) },

    // Merging
    "Add": { c throws in try Add(config: c) },
    "Subtract": { c throws in try Subtract(config: c) },
    "Multiply": { c throws in try Multiply(config: c) },
    "Average": { c throws in try Average(config: c) },
    "Maximum": { c throws in try Maximum(config: c) },
    "Minimum": { c throws in try Minimum(config: c) },
    "Concatenate": { c throws in try Concatenate(config: c) },
    "Dot": { c throws in try Dot(config: c) },

    // Reshaping
    "ZeroPadding1D": { c throws in try ZeroPadding1D(config: c) },
    "ZeroPadding2D": { c throws in try ZeroPadding2D(config: c) },
    "Cropping1D": { c throws in try Cropping1D(config: c) },
    "Cropping2D": { c throws in try Cropping2D(config: c) },
    "UpSampling1D": { c throws in try UpSampling1D(config: c) },
    "UpSampling2D": { c throws in try UpSampling2D(config: c) },
    "ZeroPadding3D": { c throws in try ZeroPadding3D(config: c) },
    "Cropping3D": { c throws in try Cropping3D(config: c) },
    "UpSampling3D": { c throws in try UpSampling3D(config: c) },
]
