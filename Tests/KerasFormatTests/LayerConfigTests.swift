import KerasFormat
import KerasGraph
import Testing

// Decoder and encoder tests for the typed layers' configs.
//
// `kerasConfigPairs` holds `layer.get_config()` as written by real Keras, serialized with `json.dumps` (tf_keras
// values through `.item()`, as its HDF5 writer does): tf_keras 2.21.0 (`TF_USE_LEGACY_KERAS=1`, `import tf_keras`)
// and Keras 3.15.1, for the expression shown beside each. Comparisons are exact (`JSONValue` equality, key order
// included); the only edits are the documented ones in `droppingRecentKeras3Keys` and `strippingObjectWrappers`.

/// One layer's config as tf_keras 2.21 and Keras 3.15.1 write it.
struct KerasConfigPair: CustomTestStringConvertible, Sendable {
    var className: String
    /// The class Keras 3 writes (Keras 3 has no `ThresholdedReLU`; the equivalent is a `ReLU`).
    var keras3ClassName: String
    var keras2Expression: String
    var keras2: String
    var keras3Expression: String
    var keras3: String
    var testDescription: String { keras3Expression }

    init(className: String, keras3ClassName: String? = nil, keras2Expression: String, keras2: String,
         keras3Expression: String, keras3: String) {
        self.className = className
        self.keras3ClassName = keras3ClassName ?? className
        self.keras2Expression = keras2Expression
        self.keras2 = keras2
        self.keras3Expression = keras3Expression
        self.keras3 = keras3
    }
}

let kerasConfigPairs: [KerasConfigPair] = [
    KerasConfigPair(
        className: "Activation",
        keras2Expression: #"L.Activation('tanh', name='x')"#,
        keras2: #"{"name": "x", "trainable": true, "dtype": "float32", "activation": "tanh"}"#,
        keras3Expression: #"L.Activation('tanh', name='x')"#,
        keras3: #"{"name": "x", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "activation": "tanh"}"#),
    KerasConfigPair(
        className: "Dropout",
        keras2Expression: #"L.Dropout(0.3, noise_shape=(None,1,5), seed=3, name='x')"#,
        keras2: #"{"name": "x", "trainable": true, "dtype": "float32", "rate": 0.3, "noise_shape": [null, 1, 5], "seed": 3}"#,
        keras3Expression: #"L.Dropout(0.3, noise_shape=(None,1,5), seed=3, name='x')"#,
        keras3: #"{"name": "x", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "rate": 0.3, "seed": 3, "noise_shape": [null, 1, 5]}"#),
    KerasConfigPair(
        className: "SpatialDropout1D",
        keras2Expression: #"L.SpatialDropout1D(0.2, name='x')"#,
        keras2: #"{"name": "x", "trainable": true, "dtype": "float32", "rate": 0.2, "noise_shape": null, "seed": null}"#,
        keras3Expression: #"L.SpatialDropout1D(0.2, name='x')"#,
        keras3: #"{"rate": 0.2, "seed": null, "name": "x", "dtype": "float32"}"#),
    KerasConfigPair(
        className: "SpatialDropout2D",
        keras2Expression: #"L.SpatialDropout2D(0.3, name='x')"#,
        keras2: #"{"name": "x", "trainable": true, "dtype": "float32", "rate": 0.3, "noise_shape": null, "seed": null}"#,
        keras3Expression: #"L.SpatialDropout2D(0.3, name='x')"#,
        keras3: #"{"rate": 0.3, "seed": null, "name": "x", "dtype": "float32", "data_format": "channels_last"}"#),
    KerasConfigPair(
        className: "GaussianNoise",
        keras2Expression: #"L.GaussianNoise(0.3, seed=1, name='x')"#,
        keras2: #"{"name": "x", "trainable": true, "dtype": "float32", "stddev": 0.3, "seed": 1}"#,
        keras3Expression: #"L.GaussianNoise(0.3, seed=1, name='x')"#,
        keras3: #"{"name": "x", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "stddev": 0.3, "seed": 1}"#),
    KerasConfigPair(
        className: "GaussianDropout",
        keras2Expression: #"L.GaussianDropout(0.1, name='x')"#,
        keras2: #"{"name": "x", "trainable": true, "dtype": "float32", "rate": 0.1, "seed": null}"#,
        keras3Expression: #"L.GaussianDropout(0.1, name='x')"#,
        keras3: #"{"name": "x", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "rate": 0.1, "seed": null}"#),
    KerasConfigPair(
        className: "AlphaDropout",
        keras2Expression: #"L.AlphaDropout(0.1, name='x')"#,
        keras2: #"{"name": "x", "trainable": true, "dtype": "float32", "rate": 0.1, "seed": null}"#,
        keras3Expression: #"L.AlphaDropout(0.1, name='x')"#,
        keras3: #"{"name": "x", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "rate": 0.1, "seed": null, "noise_shape": null}"#),
    KerasConfigPair(
        className: "Flatten",
        keras2Expression: #"L.Flatten(name='x')"#,
        keras2: #"{"name": "x", "trainable": true, "dtype": "float32", "data_format": "channels_last"}"#,
        keras3Expression: #"L.Flatten(name='x')"#,
        keras3: #"{"name": "x", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "data_format": "channels_last"}"#),
    KerasConfigPair(
        className: "Reshape",
        keras2Expression: #"L.Reshape((2,-1), name='x')"#,
        keras2: #"{"name": "x", "trainable": true, "dtype": "float32", "target_shape": [2, -1]}"#,
        keras3Expression: #"L.Reshape((2,-1), name='x')"#,
        keras3: #"{"name": "x", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "target_shape": [2, -1]}"#),
    KerasConfigPair(
        className: "Permute",
        keras2Expression: #"L.Permute((3,1,2), name='x')"#,
        keras2: #"{"name": "x", "trainable": true, "dtype": "float32", "dims": [3, 1, 2]}"#,
        keras3Expression: #"L.Permute((3,1,2), name='x')"#,
        keras3: #"{"name": "x", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "dims": [3, 1, 2]}"#),
    KerasConfigPair(
        className: "RepeatVector",
        keras2Expression: #"L.RepeatVector(3, name='x')"#,
        keras2: #"{"name": "x", "trainable": true, "dtype": "float32", "n": 3}"#,
        keras3Expression: #"L.RepeatVector(3, name='x')"#,
        keras3: #"{"name": "x", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "n": 3}"#),
    KerasConfigPair(
        className: "Embedding",
        keras2Expression: #"L.Embedding(10, 4, mask_zero=True, name='x')"#,
        keras2: #"{"name": "x", "trainable": true, "dtype": "float32", "batch_input_shape": [null, null], "input_dim": 10, "output_dim": 4, "embeddings_initializer": {"module": "keras.initializers", "class_name": "RandomUniform", "config": {"minval": -0.05, "maxval": 0.05, "seed": null}, "registered_name": null}, "embeddings_regularizer": null, "activity_regularizer": null, "embeddings_constraint": null, "mask_zero": true, "input_length": null}"#,
        keras3Expression: #"L.Embedding(10, 4, mask_zero=True, name='x')"#,
        keras3: #"{"name": "x", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "input_dim": 10, "output_dim": 4, "embeddings_initializer": {"module": "keras.initializers", "class_name": "RandomUniform", "config": {"seed": null, "minval": -0.05, "maxval": 0.05}, "registered_name": null}, "embeddings_regularizer": null, "activity_regularizer": null, "embeddings_constraint": null, "mask_zero": true, "quantization_config": null}"#),
    KerasConfigPair(
        className: "Conv1D",
        keras2Expression: #"L.Conv1D(4, 3, strides=2, padding='causal', activation='relu', use_bias=False, name='x')"#,
        keras2: #"{"name": "x", "trainable": true, "dtype": "float32", "filters": 4, "kernel_size": [3], "strides": [2], "padding": "causal", "data_format": "channels_last", "dilation_rate": [1], "groups": 1, "activation": "relu", "use_bias": false, "kernel_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": null}, "registered_name": null}, "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": null}, "kernel_regularizer": null, "bias_regularizer": null, "activity_regularizer": null, "kernel_constraint": null, "bias_constraint": null}"#,
        keras3Expression: #"L.Conv1D(4, 3, strides=2, padding='causal', activation='relu', use_bias=False, name='x')"#,
        keras3: #"{"name": "x", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "filters": 4, "kernel_size": [3], "strides": [2], "padding": "causal", "data_format": "channels_last", "dilation_rate": [1], "groups": 1, "activation": "relu", "use_bias": false, "kernel_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": null, "input_axes": null, "output_axes": null}, "registered_name": null}, "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": null}, "kernel_regularizer": null, "bias_regularizer": null, "activity_regularizer": null, "kernel_constraint": null, "bias_constraint": null}"#),
    KerasConfigPair(
        className: "Conv2D",
        keras2Expression: #"L.Conv2D(6, (3,2), strides=(2,1), padding='same', groups=3, kernel_regularizer='l2', kernel_constraint='non_neg', name='x')"#,
        keras2: #"{"name": "x", "trainable": true, "dtype": "float32", "filters": 6, "kernel_size": [3, 2], "strides": [2, 1], "padding": "same", "data_format": "channels_last", "dilation_rate": [1, 1], "groups": 3, "activation": "linear", "use_bias": true, "kernel_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": null}, "registered_name": null}, "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": null}, "kernel_regularizer": {"module": "keras.regularizers", "class_name": "L2", "config": {"l2": 0.009999999776482582}, "registered_name": null}, "bias_regularizer": null, "activity_regularizer": null, "kernel_constraint": {"module": "keras.constraints", "class_name": "NonNeg", "config": {}, "registered_name": null}, "bias_constraint": null}"#,
        keras3Expression: #"L.Conv2D(6, (3,2), strides=(2,1), padding='same', groups=3, kernel_regularizer='l2', kernel_constraint='non_neg', name='x')"#,
        keras3: #"{"name": "x", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "filters": 6, "kernel_size": [3, 2], "strides": [2, 1], "padding": "same", "data_format": "channels_last", "dilation_rate": [1, 1], "groups": 3, "activation": "linear", "use_bias": true, "kernel_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": null, "input_axes": null, "output_axes": null}, "registered_name": null}, "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": null}, "kernel_regularizer": {"module": "keras.regularizers", "class_name": "L2", "config": {"l2": 0.01}, "registered_name": null}, "bias_regularizer": null, "activity_regularizer": null, "kernel_constraint": {"module": "keras.constraints", "class_name": "NonNeg", "config": {}, "registered_name": null}, "bias_constraint": null}"#),
    KerasConfigPair(
        className: "DepthwiseConv2D",
        keras2Expression: #"L.DepthwiseConv2D(3, depth_multiplier=2, strides=2, name='x')"#,
        keras2: #"{"name": "x", "trainable": true, "dtype": "float32", "kernel_size": [3, 3], "strides": [2, 2], "padding": "valid", "data_format": "channels_last", "dilation_rate": [1, 1], "groups": 1, "activation": "linear", "use_bias": true, "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": null}, "bias_regularizer": null, "activity_regularizer": null, "bias_constraint": null, "depth_multiplier": 2, "depthwise_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": null}, "registered_name": null}, "depthwise_regularizer": null, "depthwise_constraint": null}"#,
        keras3Expression: #"L.DepthwiseConv2D(3, depth_multiplier=2, strides=2, name='x')"#,
        keras3: #"{"name": "x", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "depth_multiplier": 2, "kernel_size": [3, 3], "strides": [2, 2], "padding": "valid", "data_format": "channels_last", "dilation_rate": [1, 1], "activation": "linear", "use_bias": true, "depthwise_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": null, "input_axes": null, "output_axes": null}, "registered_name": null}, "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": null}, "depthwise_regularizer": null, "bias_regularizer": null, "activity_regularizer": null, "depthwise_constraint": null, "bias_constraint": null}"#),
    KerasConfigPair(
        className: "SeparableConv2D",
        keras2Expression: #"L.SeparableConv2D(4, 3, depth_multiplier=2, name='x')"#,
        keras2: #"{"name": "x", "trainable": true, "dtype": "float32", "filters": 4, "kernel_size": [3, 3], "strides": [1, 1], "padding": "valid", "data_format": "channels_last", "dilation_rate": [1, 1], "groups": 1, "activation": "linear", "use_bias": true, "kernel_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": null}, "registered_name": null}, "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": null}, "kernel_regularizer": null, "bias_regularizer": null, "activity_regularizer": null, "kernel_constraint": null, "bias_constraint": null, "depth_multiplier": 2, "depthwise_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": null}, "registered_name": null}, "pointwise_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": null}, "registered_name": null}, "depthwise_regularizer": null, "pointwise_regularizer": null, "depthwise_constraint": null, "pointwise_constraint": null}"#,
        keras3Expression: #"L.SeparableConv2D(4, 3, depth_multiplier=2, name='x')"#,
        keras3: #"{"name": "x", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "depth_multiplier": 2, "filters": 4, "kernel_size": [3, 3], "strides": [1, 1], "padding": "valid", "data_format": "channels_last", "dilation_rate": [1, 1], "activation": "linear", "use_bias": true, "depthwise_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": null, "input_axes": null, "output_axes": null}, "registered_name": null}, "pointwise_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": null, "input_axes": null, "output_axes": null}, "registered_name": null}, "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": null}, "depthwise_regularizer": null, "pointwise_regularizer": null, "bias_regularizer": null, "activity_regularizer": null, "depthwise_constraint": null, "pointwise_constraint": null, "bias_constraint": null}"#),
    KerasConfigPair(
        className: "Conv2DTranspose",
        keras2Expression: #"L.Conv2DTranspose(4, 3, strides=2, output_padding=1, name='x')"#,
        keras2: #"{"name": "x", "trainable": true, "dtype": "float32", "filters": 4, "kernel_size": [3, 3], "strides": [2, 2], "padding": "valid", "data_format": "channels_last", "dilation_rate": [1, 1], "groups": 1, "activation": "linear", "use_bias": true, "kernel_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": null}, "registered_name": null}, "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": null}, "kernel_regularizer": null, "bias_regularizer": null, "activity_regularizer": null, "kernel_constraint": null, "bias_constraint": null, "output_padding": [1, 1]}"#,
        keras3Expression: #"L.Conv2DTranspose(4, 3, strides=2, output_padding=1, name='x')"#,
        keras3: #"{"name": "x", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "filters": 4, "kernel_size": [3, 3], "strides": [2, 2], "padding": "valid", "output_padding": [1, 1], "data_format": "channels_last", "dilation_rate": [1, 1], "activation": "linear", "use_bias": true, "kernel_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": null, "input_axes": null, "output_axes": null}, "registered_name": null}, "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": null}, "kernel_regularizer": null, "bias_regularizer": null, "activity_regularizer": null, "kernel_constraint": null, "bias_constraint": null}"#),
    KerasConfigPair(
        className: "MaxPooling1D",
        keras2Expression: #"L.MaxPooling1D(3, name='x')"#,
        keras2: #"{"name": "x", "trainable": true, "dtype": "float32", "strides": [3], "pool_size": [3], "padding": "valid", "data_format": "channels_last"}"#,
        keras3Expression: #"L.MaxPooling1D(3, name='x')"#,
        keras3: #"{"name": "x", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "pool_size": [3], "padding": "valid", "strides": [3], "data_format": "channels_last"}"#),
    KerasConfigPair(
        className: "AveragePooling1D",
        keras2Expression: #"L.AveragePooling1D(2, strides=1, padding='same', name='x')"#,
        keras2: #"{"name": "x", "trainable": true, "dtype": "float32", "strides": [1], "pool_size": [2], "padding": "same", "data_format": "channels_last"}"#,
        keras3Expression: #"L.AveragePooling1D(2, strides=1, padding='same', name='x')"#,
        keras3: #"{"name": "x", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "pool_size": [2], "padding": "same", "strides": [1], "data_format": "channels_last"}"#),
    KerasConfigPair(
        className: "MaxPooling2D",
        keras2Expression: #"L.MaxPooling2D(3, strides=1, padding='same', name='x')"#,
        keras2: #"{"name": "x", "trainable": true, "dtype": "float32", "pool_size": [3, 3], "padding": "same", "strides": [1, 1], "data_format": "channels_last"}"#,
        keras3Expression: #"L.MaxPooling2D(3, strides=1, padding='same', name='x')"#,
        keras3: #"{"name": "x", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "pool_size": [3, 3], "padding": "same", "strides": [1, 1], "data_format": "channels_last"}"#),
    KerasConfigPair(
        className: "AveragePooling2D",
        keras2Expression: #"L.AveragePooling2D((2,3), name='x')"#,
        keras2: #"{"name": "x", "trainable": true, "dtype": "float32", "pool_size": [2, 3], "padding": "valid", "strides": [2, 3], "data_format": "channels_last"}"#,
        keras3Expression: #"L.AveragePooling2D((2,3), name='x')"#,
        keras3: #"{"name": "x", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "pool_size": [2, 3], "padding": "valid", "strides": [2, 3], "data_format": "channels_last"}"#),
    KerasConfigPair(
        className: "GlobalAveragePooling1D",
        keras2Expression: #"L.GlobalAveragePooling1D(name='x')"#,
        keras2: #"{"name": "x", "trainable": true, "dtype": "float32", "data_format": "channels_last", "keepdims": false}"#,
        keras3Expression: #"L.GlobalAveragePooling1D(name='x')"#,
        keras3: #"{"name": "x", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "data_format": "channels_last", "keepdims": false}"#),
    KerasConfigPair(
        className: "GlobalMaxPooling1D",
        keras2Expression: #"L.GlobalMaxPooling1D(keepdims=True, name='x')"#,
        keras2: #"{"name": "x", "trainable": true, "dtype": "float32", "data_format": "channels_last", "keepdims": true}"#,
        keras3Expression: #"L.GlobalMaxPooling1D(keepdims=True, name='x')"#,
        keras3: #"{"name": "x", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "data_format": "channels_last", "keepdims": true}"#),
    KerasConfigPair(
        className: "GlobalAveragePooling2D",
        keras2Expression: #"L.GlobalAveragePooling2D(keepdims=True, name='x')"#,
        keras2: #"{"name": "x", "trainable": true, "dtype": "float32", "data_format": "channels_last", "keepdims": true}"#,
        keras3Expression: #"L.GlobalAveragePooling2D(keepdims=True, name='x')"#,
        keras3: #"{"name": "x", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "data_format": "channels_last", "keepdims": true}"#),
    KerasConfigPair(
        className: "GlobalMaxPooling2D",
        keras2Expression: #"L.GlobalMaxPooling2D(name='x')"#,
        keras2: #"{"name": "x", "trainable": true, "dtype": "float32", "data_format": "channels_last", "keepdims": false}"#,
        keras3Expression: #"L.GlobalMaxPooling2D(name='x')"#,
        keras3: #"{"name": "x", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "data_format": "channels_last", "keepdims": false}"#),
    KerasConfigPair(
        className: "BatchNormalization",
        keras2Expression: #"L.BatchNormalization(axis=1, center=False, epsilon=1e-5, momentum=0.9, name='x')"#,
        keras2: #"{"name": "x", "trainable": true, "dtype": "float32", "axis": 1, "momentum": 0.9, "epsilon": 1e-05, "center": false, "scale": true, "beta_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": null}, "gamma_initializer": {"module": "keras.initializers", "class_name": "Ones", "config": {}, "registered_name": null}, "moving_mean_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": null}, "moving_variance_initializer": {"module": "keras.initializers", "class_name": "Ones", "config": {}, "registered_name": null}, "beta_regularizer": null, "gamma_regularizer": null, "beta_constraint": null, "gamma_constraint": null}"#,
        keras3Expression: #"L.BatchNormalization(axis=1, center=False, epsilon=1e-5, momentum=0.9, name='x')"#,
        keras3: #"{"name": "x", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "axis": 1, "momentum": 0.9, "epsilon": 1e-05, "center": false, "scale": true, "beta_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": null}, "gamma_initializer": {"module": "keras.initializers", "class_name": "Ones", "config": {}, "registered_name": null}, "moving_mean_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": null}, "moving_variance_initializer": {"module": "keras.initializers", "class_name": "Ones", "config": {}, "registered_name": null}, "beta_regularizer": null, "gamma_regularizer": null, "beta_constraint": null, "gamma_constraint": null, "synchronized": false, "renorm": false, "renorm_clipping": null, "renorm_momentum": 0.99}"#),
    KerasConfigPair(
        className: "LayerNormalization",
        keras2Expression: #"L.LayerNormalization(axis=[1,2], scale=False, name='x')"#,
        keras2: #"{"name": "x", "trainable": true, "dtype": "float32", "axis": [1, 2], "epsilon": 0.001, "center": true, "scale": false, "beta_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": null}, "gamma_initializer": {"module": "keras.initializers", "class_name": "Ones", "config": {}, "registered_name": null}, "beta_regularizer": null, "gamma_regularizer": null, "beta_constraint": null, "gamma_constraint": null}"#,
        keras3Expression: #"L.LayerNormalization(axis=[1,2], scale=False, name='x')"#,
        keras3: #"{"name": "x", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "axis": [1, 2], "epsilon": 0.001, "center": true, "scale": false, "rms_scaling": false, "beta_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": null}, "gamma_initializer": {"module": "keras.initializers", "class_name": "Ones", "config": {}, "registered_name": null}, "beta_regularizer": null, "gamma_regularizer": null, "beta_constraint": null, "gamma_constraint": null}"#),
    KerasConfigPair(
        className: "ReLU",
        keras2Expression: #"L.ReLU(max_value=6.0, negative_slope=0.1, threshold=0.5, name='x')"#,
        keras2: #"{"name": "x", "trainable": true, "dtype": "float32", "max_value": 6.0, "negative_slope": 0.10000000149011612, "threshold": 0.5}"#,
        keras3Expression: #"L.ReLU(max_value=6.0, negative_slope=0.1, threshold=0.5, name='x')"#,
        keras3: #"{"name": "x", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "max_value": 6.0, "negative_slope": 0.1, "threshold": 0.5}"#),
    KerasConfigPair(
        className: "ELU",
        keras2Expression: #"L.ELU(alpha=0.7, name='x')"#,
        keras2: #"{"name": "x", "trainable": true, "dtype": "float32", "alpha": 0.699999988079071}"#,
        keras3Expression: #"L.ELU(alpha=0.7, name='x')"#,
        keras3: #"{"name": "x", "alpha": 0.7, "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}}"#),
    KerasConfigPair(
        className: "Softmax",
        keras2Expression: #"L.Softmax(axis=[1,2], name='x')"#,
        keras2: #"{"name": "x", "trainable": true, "dtype": "float32", "axis": [1, 2]}"#,
        keras3Expression: #"L.Softmax(axis=[1,2], name='x')"#,
        keras3: #"{"name": "x", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "axis": [1, 2]}"#),
    KerasConfigPair(
        className: "LeakyReLU",
        keras2Expression: #"L.LeakyReLU(0.1, name='x')"#,
        keras2: #"{"name": "x", "trainable": true, "dtype": "float32", "alpha": 0.10000000149011612}"#,
        keras3Expression: #"L.LeakyReLU(0.1, name='x')"#,
        keras3: #"{"name": "x", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "negative_slope": 0.1}"#),
    KerasConfigPair(
        className: "PReLU",
        keras2Expression: #"L.PReLU(shared_axes=[1,2], name='x')"#,
        keras2: #"{"name": "x", "trainable": true, "dtype": "float32", "alpha_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": null}, "alpha_regularizer": null, "alpha_constraint": null, "shared_axes": [1, 2]}"#,
        keras3Expression: #"L.PReLU(shared_axes=[1,2], name='x')"#,
        keras3: #"{"name": "x", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "alpha_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": null}, "alpha_regularizer": null, "alpha_constraint": null, "shared_axes": [1, 2]}"#),
    KerasConfigPair(
        className: "ThresholdedReLU",
        keras3ClassName: "ReLU",
        keras2Expression: #"L.ThresholdedReLU(0.7, name='x')"#,
        keras2: #"{"name": "x", "trainable": true, "dtype": "float32", "theta": 0.699999988079071}"#,
        keras3Expression: #"L.ReLU(threshold=0.7, name='x')"#,
        keras3: #"{"name": "x", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "max_value": null, "negative_slope": 0.0, "threshold": 0.7}"#),
    KerasConfigPair(
        className: "Dense",
        keras2Expression: #"L.Dense(3, activation=L.LeakyReLU(0.1, name='lr'), name='x')"#,
        keras2: #"{"name": "x", "trainable": true, "dtype": "float32", "units": 3, "activation": {"module": "keras.layers", "class_name": "LeakyReLU", "config": {"name": "lr", "trainable": true, "dtype": "float32", "alpha": 0.10000000149011612}, "registered_name": null}, "use_bias": true, "kernel_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": null}, "registered_name": null}, "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": null}, "kernel_regularizer": null, "bias_regularizer": null, "activity_regularizer": null, "kernel_constraint": null, "bias_constraint": null}"#,
        keras3Expression: #"L.Dense(3, activation=L.LeakyReLU(0.1, name='lr'), name='x')"#,
        keras3: #"{"name": "x", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "units": 3, "activation": {"module": "keras.layers", "class_name": "LeakyReLU", "config": {"name": "lr", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "negative_slope": 0.1}, "registered_name": null}, "use_bias": true, "kernel_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": null, "input_axes": null, "output_axes": null}, "registered_name": null}, "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": null}, "kernel_regularizer": null, "bias_regularizer": null, "kernel_constraint": null, "bias_constraint": null, "quantization_config": null}"#),
    KerasConfigPair(
        className: "Dense",
        keras2Expression: #"L.Dense(3, kernel_initializer='he_normal', bias_initializer=keras.initializers.Constant(0.1), activation='softmax', name='x')"#,
        keras2: #"{"name": "x", "trainable": true, "dtype": "float32", "units": 3, "activation": "softmax", "use_bias": true, "kernel_initializer": {"module": "keras.initializers", "class_name": "HeNormal", "config": {"seed": null}, "registered_name": null}, "bias_initializer": {"module": "keras.initializers", "class_name": "Constant", "config": {"value": 0.1}, "registered_name": null}, "kernel_regularizer": null, "bias_regularizer": null, "activity_regularizer": null, "kernel_constraint": null, "bias_constraint": null}"#,
        keras3Expression: #"L.Dense(3, kernel_initializer='he_normal', bias_initializer=keras.initializers.Constant(0.1), activation='softmax', name='x')"#,
        keras3: #"{"name": "x", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "units": 3, "activation": "softmax", "use_bias": true, "kernel_initializer": {"module": "keras.initializers", "class_name": "HeNormal", "config": {"seed": null, "input_axes": null, "output_axes": null}, "registered_name": null}, "bias_initializer": {"module": "keras.initializers", "class_name": "Constant", "config": {"value": 0.1}, "registered_name": null}, "kernel_regularizer": null, "bias_regularizer": null, "kernel_constraint": null, "bias_constraint": null, "quantization_config": null}"#),
    KerasConfigPair(
        className: "Add",
        keras2Expression: #"L.Add(name='x')"#,
        keras2: #"{"name": "x", "trainable": true, "dtype": "float32"}"#,
        keras3Expression: #"L.Add(name='x')"#,
        keras3: #"{"name": "x", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}}"#),
    KerasConfigPair(
        className: "Subtract",
        keras2Expression: #"L.Subtract(name='x')"#,
        keras2: #"{"name": "x", "trainable": true, "dtype": "float32"}"#,
        keras3Expression: #"L.Subtract(name='x')"#,
        keras3: #"{"name": "x", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}}"#),
    KerasConfigPair(
        className: "Multiply",
        keras2Expression: #"L.Multiply(name='x')"#,
        keras2: #"{"name": "x", "trainable": true, "dtype": "float32"}"#,
        keras3Expression: #"L.Multiply(name='x')"#,
        keras3: #"{"name": "x", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}}"#),
    KerasConfigPair(
        className: "Average",
        keras2Expression: #"L.Average(name='x')"#,
        keras2: #"{"name": "x", "trainable": true, "dtype": "float32"}"#,
        keras3Expression: #"L.Average(name='x')"#,
        keras3: #"{"name": "x", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}}"#),
    KerasConfigPair(
        className: "Maximum",
        keras2Expression: #"L.Maximum(name='x')"#,
        keras2: #"{"name": "x", "trainable": true, "dtype": "float32"}"#,
        keras3Expression: #"L.Maximum(name='x')"#,
        keras3: #"{"name": "x", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}}"#),
    KerasConfigPair(
        className: "Minimum",
        keras2Expression: #"L.Minimum(name='x')"#,
        keras2: #"{"name": "x", "trainable": true, "dtype": "float32"}"#,
        keras3Expression: #"L.Minimum(name='x')"#,
        keras3: #"{"name": "x", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}}"#),
    KerasConfigPair(
        className: "Concatenate",
        keras2Expression: #"L.Concatenate(axis=1, name='x')"#,
        keras2: #"{"name": "x", "trainable": true, "dtype": "float32", "axis": 1}"#,
        keras3Expression: #"L.Concatenate(axis=1, name='x')"#,
        keras3: #"{"name": "x", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "axis": 1}"#),
    KerasConfigPair(
        className: "Dot",
        keras2Expression: #"L.Dot(axes=(1,2), normalize=True, name='x')"#,
        keras2: #"{"name": "x", "trainable": true, "dtype": "float32", "axes": [1, 2], "normalize": true}"#,
        keras3Expression: #"L.Dot(axes=(1,2), normalize=True, name='x')"#,
        keras3: #"{"name": "x", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "axes": [1, 2], "normalize": true}"#),
    KerasConfigPair(
        className: "ZeroPadding1D",
        keras2Expression: #"L.ZeroPadding1D(3, name='x')"#,
        keras2: #"{"name": "x", "trainable": true, "dtype": "float32", "padding": [3, 3]}"#,
        keras3Expression: #"L.ZeroPadding1D(3, name='x')"#,
        keras3: #"{"name": "x", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "padding": [3, 3], "data_format": "channels_last"}"#),
    KerasConfigPair(
        className: "ZeroPadding2D",
        keras2Expression: #"L.ZeroPadding2D(((1,2),(3,4)), name='x')"#,
        keras2: #"{"name": "x", "trainable": true, "dtype": "float32", "padding": [[1, 2], [3, 4]], "data_format": "channels_last"}"#,
        keras3Expression: #"L.ZeroPadding2D(((1,2),(3,4)), name='x')"#,
        keras3: #"{"name": "x", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "padding": [[1, 2], [3, 4]], "data_format": "channels_last"}"#),
    KerasConfigPair(
        className: "Cropping1D",
        keras2Expression: #"L.Cropping1D((1,2), name='x')"#,
        keras2: #"{"name": "x", "trainable": true, "dtype": "float32", "cropping": [1, 2]}"#,
        keras3Expression: #"L.Cropping1D((1,2), name='x')"#,
        keras3: #"{"name": "x", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "cropping": [1, 2]}"#),
    KerasConfigPair(
        className: "Cropping2D",
        keras2Expression: #"L.Cropping2D(((1,2),(3,4)), name='x')"#,
        keras2: #"{"name": "x", "trainable": true, "dtype": "float32", "cropping": [[1, 2], [3, 4]], "data_format": "channels_last"}"#,
        keras3Expression: #"L.Cropping2D(((1,2),(3,4)), name='x')"#,
        keras3: #"{"name": "x", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "cropping": [[1, 2], [3, 4]], "data_format": "channels_last"}"#),
    KerasConfigPair(
        className: "UpSampling1D",
        keras2Expression: #"L.UpSampling1D(3, name='x')"#,
        keras2: #"{"name": "x", "trainable": true, "dtype": "float32", "size": 3}"#,
        keras3Expression: #"L.UpSampling1D(3, name='x')"#,
        keras3: #"{"name": "x", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "size": 3}"#),
    KerasConfigPair(
        className: "UpSampling2D",
        keras2Expression: #"L.UpSampling2D((2,3), interpolation='bilinear', name='x')"#,
        keras2: #"{"name": "x", "trainable": true, "dtype": "float32", "size": [2, 3], "data_format": "channels_last", "interpolation": "bilinear"}"#,
        keras3Expression: #"L.UpSampling2D((2,3), interpolation='bilinear', name='x')"#,
        keras3: #"{"name": "x", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "size": [2, 3], "data_format": "channels_last", "interpolation": "bilinear"}"#),
]

/// Decodes `json` as a `className` layer config of `dialect` through the layer registry.
func decodeLayer(_ className: String, _ json: String, _ dialect: ConfigDialect) throws -> any Layer {
    let config = try JSONValue.parse(json)
    guard case let .string(name)? = config["name"] else { throw LayerConfigTestFailure("config has no name") }
    return try LayerRegistry.decode(LayerConfig(className: className, name: name, config: config, dialect: dialect))
}

/// The layer's config for `dialect`.
func encodeLayer(_ layer: any Layer, _ dialect: ConfigDialect) throws -> JSONValue {
    let encodable = try #require(layer as? ConfigEncodable, "\(layer.className) is not ConfigEncodable")
    return encodable.configJSON(dialect: dialect)
}

/// The message of the `FormatError` thrown when decoding, or `nil`.
func decodeError(_ className: String, _ json: String, _ dialect: ConfigDialect = .keras3) -> String? {
    do {
        _ = try decodeLayer(className, json, dialect)
        return nil
    } catch let e as FormatError {
        return e.description
    } catch {
        return "unexpected error: \(error)"
    }
}

struct LayerConfigTestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// Keras 3.15 writes `quantization_config: null` (since 3.13) and `renorm`, `renorm_clipping`, `renorm_momentum`
/// (since 3.14); KerasPort leaves them out at their defaults so that older Keras 3 releases can read its files.
func droppingRecentKeras3Keys(_ v: JSONValue) -> JSONValue {
    guard case let .object(members) = v else { return v }
    let renormOff = v["renorm"] == .bool(false)
    return .object(members.filter { key, value in
        if key == "quantization_config", value == .null { return false }
        if renormOff, ["renorm", "renorm_clipping", "renorm_momentum"].contains(key) { return false }
        return true
    })
}

/// tf_keras ≥ 2.13 adds `module` and `registered_name` to nested initializers, regularizers and constraints;
/// KerasPort's Keras 2 form is `{"class_name", "config"}`, which every Keras 2 and Keras 3 reads. (Activation
/// objects keep the `module` form: Keras 3 needs it.)
func strippingObjectWrappers(_ v: JSONValue) -> JSONValue {
    guard case let .object(members) = v else { return v }
    return .object(members.map { key, value in
        guard case let .object(inner) = value, value["class_name"] != nil, key != "dtype", key != "activation" else {
            return (key, value)
        }
        return (key, .object(inner.filter { $0.0 == "class_name" || $0.0 == "config" }))
    })
}

/// Keys tf_keras writes at fixed defaults that Keras 3 rejects (verified: loading tf_keras' own config through
/// Keras 3.15.1's legacy loader fails with "Unrecognized keyword arguments ... {'groups': 1}" and
/// "unexpected keyword argument 'trainable'"); KerasPort's Keras 2 form leaves them out.
func droppingKeysKeras3Rejects(_ v: JSONValue, className: String) -> JSONValue {
    let rejected: Set<String>
    switch className {
    case "DepthwiseConv2D", "Conv2DTranspose": rejected = ["groups"]
    case "SeparableConv2D": rejected = ["groups", "kernel_initializer", "kernel_regularizer", "kernel_constraint"]
    case "SpatialDropout1D", "SpatialDropout2D": rejected = ["trainable", "noise_shape"]
    default: return v
    }
    guard case let .object(members) = v else { return v }
    return .object(members.filter { !rejected.contains($0.0) })
}

/// Nested initializers, regularizers and constraints reduced to their class name (their own configs differ between
/// Keras versions, e.g. `L2(0.01)` is `0.009999999776482582` in tf_keras, and are passed through unchanged), and
/// the activation object stripped of wrapper keys.
func classNamesOnly(_ v: JSONValue) -> JSONValue {
    guard case let .object(members) = strippingObjectWrappers(v) else { return v }
    return .object(members.map { key, value in
        let nested = ["_initializer", "_regularizer", "_constraint"].contains { key.hasSuffix($0) }
        guard nested, case let .string(cls)? = value["class_name"] else { return (key, value) }
        return (key, .string(cls))
    })
}

@Suite("Layer config decoding and encoding")
struct LayerConfigTests {
    // MARK: Round trips against real Keras configs

    @Test(arguments: kerasConfigPairs)
    func keras3ConfigRoundTrips(pair: KerasConfigPair) throws {
        let layer = try decodeLayer(pair.keras3ClassName, pair.keras3, .keras3)
        #expect(try encodeLayer(layer, .keras3) == droppingRecentKeras3Keys(try JSONValue.parse(pair.keras3)))
    }

    @Test(arguments: kerasConfigPairs)
    func keras2ConfigRoundTrips(pair: KerasConfigPair) throws {
        let layer = try decodeLayer(pair.className, pair.keras2, .keras2)
        #expect(layer.className == pair.className)
        let expected = droppingKeysKeras3Rejects(strippingObjectWrappers(try JSONValue.parse(pair.keras2)), className: pair.className)
        #expect(try encodeLayer(layer, .keras2) == expected)
        let encodable = try #require(layer as? ConfigEncodable)
        #expect(encodable.kerasClassName(dialect: .keras2) == pair.className)
        #expect(encodable.kerasClassName(dialect: .keras3) == pair.keras3ClassName)
    }

    /// A Keras 2 config re-encoded for Keras 3 gives what Keras 3 writes for the same layer.
    @Test(arguments: kerasConfigPairs)
    func keras2ConfigEncodesAsKeras3(pair: KerasConfigPair) throws {
        let layer = try decodeLayer(pair.className, pair.keras2, .keras2)
        let expected = classNamesOnly(droppingRecentKeras3Keys(try JSONValue.parse(pair.keras3)))
        #expect(classNamesOnly(try encodeLayer(layer, .keras3)) == expected)
    }

    /// A Keras 3 config re-encoded for Keras 2 gives what tf_keras writes for the same layer.
    @Test(arguments: kerasConfigPairs.filter { $0.className == $0.keras3ClassName })
    func keras3ConfigEncodesAsKeras2(pair: KerasConfigPair) throws {
        let layer = try decodeLayer(pair.className, pair.keras3, .keras3)
        let expected = droppingKeysKeras3Rejects(classNamesOnly(try JSONValue.parse(pair.keras2)), className: pair.className)
        #expect(classNamesOnly(try encodeLayer(layer, .keras2)) == expected)
    }

    // MARK: Typed values

    @Test func keras2AndKeras3DecodeToTheSameValues() throws {
        for pair in kerasConfigPairs where pair.className == pair.keras3ClassName {
            let a = try decodeLayer(pair.className, pair.keras2, .keras2)
            let b = try decodeLayer(pair.className, pair.keras3, .keras3)
            // Every field that affects results agrees; the encoders show it through a dialect-neutral re-encoding.
            #expect(classNamesOnly(try encodeLayer(a, .keras3)) == classNamesOnly(try encodeLayer(b, .keras3)),
                    "\(pair.keras3Expression)")
        }
    }

    @Test func convolutionFields() throws {
        let conv = try #require(try decodeLayer("Conv2D", kerasConfigPairs.first { $0.className == "Conv2D" }!.keras3, .keras3) as? Conv2D)
        // L.Conv2D(6, (3,2), strides=(2,1), padding='same', groups=3, kernel_regularizer='l2', kernel_constraint='non_neg')
        #expect(conv.filters == 6 && conv.kernelSize == [3, 2] && conv.strides == [2, 1] && conv.padding == .same)
        #expect(conv.groups == 3 && conv.dilationRate == [1, 1] && conv.dataFormat == .channelsLast && conv.useBias)
        #expect(conv.kernelRegularizer?.className == "L2" && conv.kernelConstraint?.className == "NonNeg")
        #expect(conv.dimOrdering == nil)

        let c1 = try #require(try decodeLayer("Conv1D", #"{"name": "c", "filters": 4, "kernel_size": 3, "strides": 2, "padding": "causal", "activation": "relu", "use_bias": false}"#, .keras2) as? Conv1D)
        #expect(c1.kernelSize == [3] && c1.strides == [2] && c1.padding == .causal && !c1.useBias)
        #expect(c1.activation.function == .relu)
    }

    @Test func depthwiseKernelNameFollowsTheDialect() throws {
        let pair = try #require(kerasConfigPairs.first { $0.className == "DepthwiseConv2D" })
        // Keras 3 names the variable `kernel`, tf_keras `depthwise_kernel` (FORMATS.md §8).
        let k3 = try #require(try decodeLayer("DepthwiseConv2D", pair.keras3, .keras3) as? DepthwiseConv2D)
        let k2 = try #require(try decodeLayer("DepthwiseConv2D", pair.keras2, .keras2) as? DepthwiseConv2D)
        #expect(k3.kernelWeightName == "kernel" && k2.kernelWeightName == "depthwise_kernel")
        #expect(k3.depthMultiplier == 2 && k3.strides == [2, 2])
    }

    @Test func normalizationFields() throws {
        let bnPair = try #require(kerasConfigPairs.first { $0.className == "BatchNormalization" })
        // L.BatchNormalization(axis=1, center=False, epsilon=1e-5, momentum=0.9)
        let bn = try #require(try decodeLayer("BatchNormalization", bnPair.keras2, .keras2) as? BatchNormalization)
        #expect(bn.axis == [1] && !bn.center && bn.scale && bn.epsilon == 1e-5 && bn.momentum == 0.9)
        #expect(bn.weightNames == ["gamma", "moving_mean", "moving_variance"])
        // A one-element list axis (as Keras 2 may write it) reads like the int.
        let listAxis = try #require(try decodeLayer("BatchNormalization", #"{"name": "b", "axis": [3]}"#, .keras2) as? BatchNormalization)
        #expect(listAxis.axis == [3] && listAxis.epsilon == 1e-3)
        #expect(try encodeLayer(listAxis, .keras3)["axis"] == .number(3))
        // tf_keras accepts several axes; the list is kept and written back.
        let multi = try #require(try decodeLayer("BatchNormalization", #"{"name": "b", "axis": [1, 3]}"#, .keras2) as? BatchNormalization)
        #expect(multi.axis == [1, 3])
        #expect(try encodeLayer(multi, .keras2)["axis"] == .array([.number(1), .number(3)]))

        let lnPair = try #require(kerasConfigPairs.first { $0.className == "LayerNormalization" })
        let ln = try #require(try decodeLayer("LayerNormalization", lnPair.keras3, .keras3) as? LayerNormalization)
        #expect(ln.axis == [1, 2] && ln.center && !ln.scale && !ln.rmsScaling && ln.epsilon == 1e-3)
    }

    @Test func activationLayerFields() throws {
        // tf_keras writes float32-rounded values; they decode to the Float Keras computes with.
        let relu = try #require(try decodeLayer("ReLU", #"{"name": "r", "max_value": 6.0, "negative_slope": 0.10000000149011612, "threshold": 0.5}"#, .keras2) as? ReLU)
        #expect(relu.maxValue == 6 && relu.negativeSlope == Float(0.1) && relu.threshold == 0.5)
        let elu = try #require(try decodeLayer("ELU", #"{"name": "e"}"#, .keras3) as? ELU)
        #expect(elu.alpha == 1)
        let softmax = try #require(try decodeLayer("Softmax", #"{"name": "s", "axis": [1, 2]}"#, .keras3) as? Softmax)
        #expect(softmax.axis == [1, 2])
        let theta = try #require(try decodeLayer("ThresholdedReLU", #"{"name": "t", "theta": 0.699999988079071}"#, .keras2) as? ThresholdedReLU)
        #expect(theta.theta == Float(0.7))
        let leaky = try #require(try decodeLayer("LeakyReLU", #"{"name": "l", "alpha": 0.20000000298023224}"#, .keras2) as? LeakyReLU)
        #expect(leaky.negativeSlope == Float(0.2))
        // Keras 2 writes alpha rounded to float32; Keras 3 the short decimal.
        #expect(try encodeLayer(leaky, .keras2)["alpha"] == .number(0.20000000298023224))
        #expect(try encodeLayer(leaky, .keras3)["negative_slope"] == .number(0.2))
    }

    @Test func reshapingFields() throws {
        // Keras normalises padding/cropping forms; every accepted form decodes to pairs.
        func zp2(_ padding: String) throws -> [[Int]] {
            let layer = try decodeLayer("ZeroPadding2D", #"{"name": "z", "padding": \#(padding)}"#, .keras3)
            return try #require(layer as? ZeroPadding2D).padding
        }
        #expect(try zp2("2") == [[2, 2], [2, 2]])
        #expect(try zp2("[2, 1]") == [[2, 2], [1, 1]])
        #expect(try zp2("[[1, 2], [3, 4]]") == [[1, 2], [3, 4]])
        #expect(try zp2("[1, 2, 3, 4]") == [[1, 2], [3, 4]])  // Keras 1 4-tuple (top, bottom, left, right)
        #expect(try zp2(#"{"top_pad": 1, "right_pad": 2}"#) == [[1, 0], [0, 2]])  // Keras 1 dict
        let crop = try #require(try decodeLayer("Cropping1D", #"{"name": "c", "cropping": 2}"#, .keras3) as? Cropping1D)
        #expect(crop.cropping == [2, 2])
        let up = try #require(try decodeLayer("UpSampling2D", #"{"name": "u", "size": 3, "interpolation": "bilinear"}"#, .keras3) as? UpSampling2D)
        #expect(up.size == [3, 3] && up.interpolation == .bilinear)
        let pool = try #require(try decodeLayer("MaxPooling2D", #"{"name": "p", "pool_size": [3, 3], "strides": null}"#, .keras3) as? MaxPooling2D)
        #expect(pool.strides == [3, 3])  // strides default to pool_size
        let dot = try #require(try decodeLayer("Dot", #"{"name": "d", "axes": -1}"#, .keras3) as? Dot)
        #expect(dot.axes == [-1] && !dot.normalize)
        let cat = try #require(try decodeLayer("Concatenate", #"{"name": "c", "axis": [2]}"#, .keras3) as? Concatenate)
        #expect(cat.axis == 2)
    }

    // MARK: Keras 1

    // Keras 1 configs below follow keras 1.2.2's get_config (keras/layers/*.py at tag 1.2.2): key names and value
    // forms as that source writes them.

    @Test func keras1Convolution2D() throws {
        let json = #"{"name": "convolution2d_1", "trainable": true, "nb_filter": 4, "nb_row": 3, "nb_col": 2, "init": "glorot_uniform", "activation": "relu", "border_mode": "same", "subsample": [2, 2], "dim_ordering": "th", "W_regularizer": {"name": "WeightRegularizer", "l1": 0.0, "l2": 0.01}, "b_regularizer": null, "activity_regularizer": null, "W_constraint": {"name": "MaxNorm", "m": 2, "axis": 0}, "b_constraint": null, "bias": true}"#
        let conv = try #require(try decodeLayer("Convolution2D", json, .keras1) as? Conv2D)
        #expect(conv.filters == 4 && conv.kernelSize == [3, 2] && conv.strides == [2, 2] && conv.padding == .same)
        #expect(conv.dimOrdering == .th && conv.dataFormat == .channelsFirst && conv.useBias)
        #expect(conv.activation.function == .relu)
        #expect(conv.kernelInitializer == KerasObject(className: "glorot_uniform", isIdentifier: true))
        #expect(conv.kernelRegularizer == KerasObject(className: "L1L2", config: .object([("l1", .number(0)), ("l2", .number(0.01))])))
        #expect(conv.kernelConstraint == KerasObject(className: "MaxNorm", config: .object([("max_value", .number(2)), ("axis", .number(0))])))
        // Output shapes follow the channels-first layout: (None, 3, 8, 8) -> (None, 4, 4, 4).
        #expect(try conv.outputShapes(inputShapes: [[nil, 3, 8, 8]]) == [[nil, 4, 4, 4]])
        // Written back as Keras 2 (`data_format`, not `dim_ordering`).
        let k2 = try encodeLayer(conv, .keras2)
        #expect(k2["data_format"] == .string("channels_first") && k2["dim_ordering"] == nil)
        #expect(k2["kernel_regularizer"] == .object([("class_name", .string("L1L2")), ("config", .object([("l1", .number(0)), ("l2", .number(0.01))]))]))
    }

    @Test func keras1Convolution1DAndAtrous() throws {
        let json = #"{"name": "c1", "nb_filter": 8, "filter_length": 5, "init": "uniform", "activation": "linear", "border_mode": "valid", "subsample_length": 1, "bias": false, "input_dim": 3, "input_length": 20, "atrous_rate": 2}"#
        let conv = try #require(try decodeLayer("AtrousConvolution1D", json, .keras1) as? Conv1D)
        #expect(conv.filters == 8 && conv.kernelSize == [5] && conv.dilationRate == [2] && !conv.useBias)
        // (None, 20, 3) with k=5, d=2: 20 - 2·4 = 12 steps.
        #expect(try conv.outputShapes(inputShapes: [[nil, 20, 3]]) == [[nil, 12, 8]])
        #expect(try conv.weightSpecs(inputShapes: [[nil, 20, 3]]) == [WeightSpec(name: "kernel", shape: [5, 3, 8])])
    }

    @Test func keras1LayersWithRenamedKeys() throws {
        let dense = try #require(try decodeLayer("Dense", #"{"name": "dense_1", "output_dim": 6, "init": "glorot_uniform", "activation": "softmax", "W_regularizer": null, "b_regularizer": null, "activity_regularizer": null, "W_constraint": null, "b_constraint": null, "bias": true, "input_dim": 784}"#, .keras1) as? Dense)
        #expect(dense.units == 6 && dense.activation.function == .softmax(axis: -1))
        #expect(try #require(try decodeLayer("Dropout", #"{"name": "d", "p": 0.25}"#, .keras1) as? Dropout).rate == 0.25)
        #expect(try #require(try decodeLayer("GaussianNoise", #"{"name": "g", "sigma": 0.5}"#, .keras1) as? GaussianNoise).stddev == 0.5)
        #expect(try #require(try decodeLayer("UpSampling1D", #"{"name": "u", "length": 3}"#, .keras1) as? UpSampling1D).size == 3)
        let pool1 = try #require(try decodeLayer("MaxPooling1D", #"{"name": "p", "stride": null, "pool_length": 3, "border_mode": "valid"}"#, .keras1) as? MaxPooling1D)
        #expect(pool1.poolSize == [3] && pool1.strides == [3])
        let pool2 = try #require(try decodeLayer("AveragePooling2D", #"{"name": "p", "pool_size": [2, 2], "border_mode": "same", "strides": [1, 1], "dim_ordering": "th"}"#, .keras1) as? AveragePooling2D)
        #expect(pool2.padding == .same && pool2.strides == [1, 1] && pool2.dataFormat == .channelsFirst)
        let bn = try #require(try decodeLayer("BatchNormalization", #"{"name": "bn", "epsilon": 0.001, "mode": 0, "axis": 1, "gamma_regularizer": null, "beta_regularizer": null, "momentum": 0.99}"#, .keras1) as? BatchNormalization)
        #expect(bn.axis == [1] && bn.weightNames == ["gamma", "beta", "moving_mean", "moving_variance"])
        let emb = try #require(try decodeLayer("Embedding", #"{"name": "e", "input_dim": 100, "output_dim": 8, "init": "uniform", "input_length": 10, "mask_zero": false, "activity_regularizer": null, "W_regularizer": null, "W_constraint": null, "dropout": 0.0}"#, .keras1) as? Embedding)
        #expect(emb.inputDim == 100 && emb.outputDim == 8 && emb.inputLength == 10)
        let sep = try #require(try decodeLayer("SeparableConvolution2D", #"{"name": "s", "nb_filter": 4, "nb_row": 3, "nb_col": 3, "init": "glorot_uniform", "activation": "linear", "border_mode": "valid", "subsample": [1, 1], "depth_multiplier": 2, "dim_ordering": "tf", "bias": true}"#, .keras1) as? SeparableConv2D)
        #expect(sep.filters == 4 && sep.depthMultiplier == 2 && sep.dimOrdering == .tf && sep.dataFormat == .channelsLast)
        #expect(try #require(try decodeLayer("ELU", #"{"name": "e", "alpha": 0.5}"#, .keras1) as? ELU).alpha == 0.5)
    }

    @Test func aliasesDecodeToTheSameTypes() throws {
        #expect(try decodeLayer("MaxPool2D", #"{"name": "p"}"#, .keras2) is MaxPooling2D)
        #expect(try decodeLayer("AvgPool1D", #"{"name": "p"}"#, .keras2) is AveragePooling1D)
        #expect(try decodeLayer("GlobalAvgPool2D", #"{"name": "p"}"#, .keras2) is GlobalAveragePooling2D)
        #expect(try decodeLayer("Convolution2DTranspose", #"{"name": "t", "filters": 2, "kernel_size": 3}"#, .keras2) is Conv2DTranspose)
        #expect(try decodeLayer("AtrousConvolution2D", #"{"name": "a", "nb_filter": 2, "nb_row": 3, "nb_col": 3, "atrous_rate": [2, 2]}"#, .keras1) is Conv2D)
        // Keras 1 Merge is not decoded: it stays opaque.
        #expect(try decodeLayer("Merge", #"{"name": "m", "mode": "sum"}"#, .keras1) is OpaqueLayer)
        #expect(!LayerRegistry.isSupported(className: "Merge"))
        for name in ["Conv1D", "Convolution1D", "SeparableConvolution2D", "ThresholdedReLU", "Cropping2D", "Dot"] {
            #expect(LayerRegistry.isSupported(className: name), "\(name)")
        }
    }

    // MARK: Errors

    @Test func invalidConfigsAreOneLineErrorsNamingLayerAndKey() {
        let cases: [(String, String, String)] = [
            ("Conv2D", #"{"name": "c9", "filters": 0, "kernel_size": 3}"#, "`filters` must be a positive integer"),
            ("Conv2D", #"{"name": "c9", "filters": 4}"#, "missing `kernel_size`"),
            ("Conv2D", #"{"name": "c9", "filters": 4, "kernel_size": [3, 0]}"#, "`kernel_size` must hold positive integers"),
            ("Conv2D", #"{"name": "c9", "filters": 4, "kernel_size": 3, "strides": [1, 2, 3]}"#, "`strides` must have 2 values"),
            ("Conv2D", #"{"name": "c9", "filters": 4, "kernel_size": 3, "padding": "causal"}"#, "`padding` must be `valid` or `same`, found `causal`"),
            ("Conv2D", #"{"name": "c9", "filters": 6, "kernel_size": 3, "groups": 4}"#, "`filters` (6) must be divisible by `groups` (4)"),
            ("Conv2D", #"{"name": "c9", "filters": 4, "kernel_size": 3, "data_format": "nchw"}"#, "`data_format` must be `channels_last` or `channels_first`"),
            ("Conv2D", #"{"name": "c9", "filters": 4, "kernel_size": 3, "strides": 2, "dilation_rate": 2}"#, "`dilation_rate`"),
            ("Conv1D", #"{"name": "c9", "filters": 4, "kernel_size": 3, "padding": "full"}"#, "`padding` must be `valid`, `same` or `causal`"),
            ("Conv2DTranspose", #"{"name": "c9", "filters": 4, "kernel_size": 3, "strides": 2, "output_padding": 2}"#, "`output_padding` [2, 2] must be >= 0 and less than `strides`"),
            ("Dropout", #"{"name": "c9", "rate": 1.5}"#, "`rate` must be between 0 and 1"),
            ("Dropout", #"{"name": "c9"}"#, "missing `rate`"),
            ("GaussianNoise", #"{"name": "c9", "stddev": -1}"#, "`stddev` must be a number >= 0"),
            ("Reshape", #"{"name": "c9", "target_shape": [-1, -1]}"#, "`target_shape` must hold sizes >= 0 and at most one -1"),
            ("Permute", #"{"name": "c9", "dims": [1, 3]}"#, "`dims` must be a permutation"),
            ("RepeatVector", #"{"name": "c9", "n": -2}"#, "`n` must be a positive integer"),
            ("Embedding", #"{"name": "c9", "input_dim": 10}"#, "missing `output_dim`"),
            ("MaxPooling2D", #"{"name": "c9", "pool_size": "2"}"#, "`pool_size` must be a list of integers"),
            ("BatchNormalization", #"{"name": "c9", "mode": 2}"#, "`mode` 2 is not supported"),
            ("BatchNormalization", #"{"name": "c9", "epsilon": -1}"#, "`epsilon` must be a number >= 0"),
            ("ReLU", #"{"name": "c9", "max_value": -1}"#, "`max_value` must be a finite number >= 0"),
            ("ThresholdedReLU", #"{"name": "c9", "theta": -0.5}"#, "`theta` must be a finite number >= 0"),
            ("Dot", #"{"name": "c9", "axes": [0, 1]}"#, "`axes` must be one or two non-batch axes"),
            ("Dot", #"{"name": "c9"}"#, "missing `axes`"),
            ("Concatenate", #"{"name": "c9", "axis": [1, 2]}"#, "`axis` must be one integer"),
            ("ZeroPadding2D", #"{"name": "c9", "padding": [[1, 2, 3], [1, 1]]}"#, "`padding` must be an integer, a pair or a pair of pairs"),
            ("Cropping1D", #"{"name": "c9", "cropping": [-1, 0]}"#, "`cropping` must be an integer, a pair of non-negative integers"),
            ("UpSampling2D", #"{"name": "c9", "interpolation": "cubic"}"#, "`interpolation` must be one of"),
            ("PReLU", #"{"name": "c9", "shared_axes": [0]}"#, "`shared_axes` must hold axes >= 1"),
            ("Activation", #"{"name": "c9", "activation": "nope"}"#, "unknown activation `nope`"),
        ]
        for (cls, json, fragment) in cases {
            let message = decodeError(cls, json)
            #expect(message?.hasPrefix("layer `c9` (\(cls)): ") == true, "\(cls) \(json): \(message ?? "no error")")
            #expect(message?.contains(fragment) == true, "\(cls) \(json): \(message ?? "no error")")
            #expect(message?.contains("\n") == false)
        }
    }

    // MARK: Encoding helpers

    @Test func dtypeEncoding() {
        // tf_keras: "float32"; mixed precision {"class_name": "Policy", "config": {"name": "mixed_float16"}} (FORMATS.md §1.6)
        #expect(ConfigEncoding.dtype("float32", .keras2) == .string("float32"))
        #expect(ConfigEncoding.dtype("mixed_float16", .keras2)
                == .object([("class_name", .string("Policy")), ("config", .object([("name", .string("mixed_float16"))]))]))
        // Keras 3.15.1: keras.layers.Dense(2, dtype='mixed_float16').get_config()['dtype']
        #expect(ConfigEncoding.dtype("mixed_float16", .keras3)
                == (try? JSONValue.parse(#"{"module": "keras", "class_name": "DTypePolicy", "config": {"name": "mixed_float16"}, "registered_name": null}"#)))
    }

    @Test func floatEncoding() {
        // tf_keras LeakyReLU(0.3).get_config()['alpha'] == 0.30000001192092896; Keras 3 keeps 0.3.
        #expect(ConfigEncoding.float32(0.3, .keras2) == .number(0.30000001192092896))
        #expect(ConfigEncoding.float32(0.3, .keras3) == .number(0.3))
        #expect(ConfigEncoding.float32(1, .keras3) == .number(1))
        #expect(ConfigEncoding.shortestDouble(Float(0.699999988079071)) == 0.7)
    }

    @Test func objectEncoding() {
        let glorot = KerasObject(className: "GlorotUniform",
                                 config: .object([("seed", .null), ("input_axes", .null), ("output_axes", .null)]))
        // tf_keras rejects Keras 3.15's input_axes/output_axes, so the Keras 2 form leaves them out.
        #expect(ConfigEncoding.object(glorot, .initializer, .keras2)
                == .object([("class_name", .string("GlorotUniform")), ("config", .object([("seed", .null)]))]))
        #expect(ConfigEncoding.object(glorot, .initializer, .keras3)
                == .object([("module", .string("keras.initializers")), ("class_name", .string("GlorotUniform")),
                            ("config", glorot.config), ("registered_name", .null)]))
        #expect(ConfigEncoding.object(KerasObject(className: "l2", isIdentifier: true), .regularizer, .keras3) == .string("l2"))
        #expect(ConfigEncoding.object(nil, .constraint, .keras2) == .null)
        #expect(ConfigEncoding.object(KerasObject(className: "NonNeg"), .constraint, .keras3)["module"] == .string("keras.constraints"))
    }

    @Test func activationObjectsAreReencodedForTheTarget() throws {
        // A Keras 3 `LeakyReLU` activation object written for Keras 2 uses tf_keras' `alpha` (rounded to float32).
        let k3 = try #require(kerasConfigPairs.first { $0.className == "Dense" })
        let dense = try decodeLayer("Dense", k3.keras3, .keras3)
        let act = try encodeLayer(dense, .keras2)["activation"]
        #expect(act?["class_name"] == .string("LeakyReLU"))
        #expect(act?["config"]?["alpha"] == .number(0.10000000149011612))
        #expect(act?["config"]?["negative_slope"] == nil)
        #expect(act?["config"]?["dtype"] == .string("float32"))
        // A serialized function is written by name, as get_config writes built-in activations.
        let fn = Activation(.relu, spelling: .object(className: "function", config: .string("relu")))
        #expect(ConfigEncoding.activation(fn, .keras3) == .string("relu"))
        #expect(ConfigEncoding.activation(fn, .keras2) == .string("relu"))
    }

    @Test func everyDecoderProducesAnEncodableLayer() throws {
        for pair in kerasConfigPairs {
            let layer = try decodeLayer(pair.className, pair.keras2, .keras2)
            #expect(layer is ConfigEncodable, "\(pair.className)")
        }
    }
}
