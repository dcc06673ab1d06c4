public import KerasGraph

/// Recurrent layers (SimpleRNN, LSTM, GRU, wrappers, masking), keyed by Keras class name (aliases included).
let recurrentLayerDecoders: [String: LayerDecoder] = [:]
