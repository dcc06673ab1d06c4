import KerasGraph

/// Preprocessing layers, named activations' layers and the layers keras.applications define, keyed by Keras class name (aliases included).
let preprocessingLayerDecoders: [String: LayerDecoder] = {
    var d: [String: LayerDecoder] = [
        // Preprocessing
        "Rescaling": { c throws in try Rescaling(config: c) },
        "Normalization": { c throws in try Normalization(config: c) },
        "CenterCrop": { c throws in try CenterCrop(config: c) },
        "Resizing": { c throws in try Resizing(config: c) },
        // Discretization runs with output_mode="int"; the other modes stay opaque (readable, writable, not run).
        "Discretization": { c throws in
            let d = try Discretization(config: c)
            guard d.outputMode != "int" else { return d }
            var opaque = OpaqueLayer(config: c, registeredName: nil)
            opaque.unsupportedReason = "Discretization with output_mode `\(d.outputMode)` is not implemented (only `int`)"
            return opaque
        },

        // keras.applications' own layers
        "LayerScale": { c throws in try LayerScale(config: c) },
        "CustomScaleLayer": { c throws in try CustomScaleLayer(config: c) },

        // Dropout of 3-D feature maps (identity at inference)
        "SpatialDropout3D": { c throws in try SpatialDropout3D(config: c) },
    ]
    // Identity at inference: Identity, ActivityRegularization, StochasticDepth, random augmentation.
    for (name, _) in InferenceIdentity.classNames {
        d[name] = { c throws in try InferenceIdentity(config: c) }
    }
    return d
}()
