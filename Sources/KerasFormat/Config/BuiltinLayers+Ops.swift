public import KerasGraph

/// Layers that record raw framework calls in a functional model: tf_keras' `TFOpLambda` and `SlicingOpLambda`,
/// keyed by class name like every other family.
let opLayerDecoders: [String: LayerDecoder] = [:]

/// Keras 3 `keras.ops` calls saved as entries of a functional model's layer list (`module: "keras.src.ops.numpy"`,
/// `keras.src.ops.nn`, …), keyed by the op's class name. These names collide with layers (`Add`, `Reshape`), so
/// ``LayerRegistry`` looks here only for entries whose module is a `keras.src.ops` module, and never falls back to
/// the layer of the same name.
let kerasOpDecoders: [String: LayerDecoder] = [:]
