public import KerasGraph

/// Preprocessing layers, named activations' layers and the layers keras.applications define, keyed by Keras class name (aliases included).
let preprocessingLayerDecoders: [String: LayerDecoder] = [:]
