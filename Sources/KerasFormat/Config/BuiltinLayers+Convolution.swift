import KerasGraph

/// The 1-D and 3-D convolution variants (issue 13 "Breadth"), keyed by Keras class name (aliases included).
let convolutionLayerDecoders: [String: LayerDecoder] = [
    "Conv3D": { c throws in try Conv3D(config: c) },
    "Convolution3D": { c throws in try Conv3D(config: c) },
    "Conv1DTranspose": { c throws in try Conv1DTranspose(config: c) },
    "Convolution1DTranspose": { c throws in try Conv1DTranspose(config: c) },
    "Conv3DTranspose": { c throws in try Conv3DTranspose(config: c) },
    "Convolution3DTranspose": { c throws in try Conv3DTranspose(config: c) },
    "SeparableConv1D": { c throws in try SeparableConv1D(config: c) },
    "SeparableConvolution1D": { c throws in try SeparableConv1D(config: c) },
    "DepthwiseConv1D": { c throws in try DepthwiseConv1D(config: c) },
]
