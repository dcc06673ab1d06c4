import KerasFormat
import KerasGraph
import Testing

// Config round trips for the preprocessing, keras.applications, identity-at-inference and 3-D shape layers against configs
// written by real Keras: `layer.get_config()` serialized with `json.dumps`, tf_keras 2.21.0 and Keras 3.15.1, for the
// expression shown (the applications' classes from `keras.src.applications.convnext` / `.inception_resnet_v2` and
// `tf_keras.src.applications.…`). Uses the helpers of LayerConfigTests.swift.

struct PreprocessingConfigPair: CustomTestStringConvertible, Sendable {
    var className: String
    var expression: String
    /// Whether the two Keras write the same keys, so that each dialect's config re-encodes as the other's.
    var crossDialect: Bool
    var keras2: String
    var keras3: String
    var testDescription: String { expression }
}

let preprocessingConfigPairs: [PreprocessingConfigPair] = [
    PreprocessingConfigPair(
        className: "Rescaling", expression: #"L.Rescaling(1/255., offset=-1, name='x')"#, crossDialect: true,
        keras2: #"{"name": "x", "trainable": true, "dtype": "float32", "scale": 0.00392156862745098, "offset": -1}"#,
        keras3: #"{"name": "x", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "scale": 0.00392156862745098, "offset": -1}"#),
    PreprocessingConfigPair(
        className: "Rescaling", expression: #"L.Rescaling([0.5, 2.0, 1.0], offset=[0.1, 0.0, 0.2], name='x')"#, crossDialect: true,
        keras2: #"{"name": "x", "trainable": true, "dtype": "float32", "scale": [0.5, 2.0, 1.0], "offset": [0.1, 0.0, 0.2]}"#,
        keras3: #"{"name": "x", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "scale": [0.5, 2.0, 1.0], "offset": [0.1, 0.0, 0.2]}"#),
    PreprocessingConfigPair(
        className: "Normalization", expression: #"L.Normalization(name='x')"#, crossDialect: true,
        keras2: #"{"name": "x", "trainable": true, "dtype": "float32", "axis": [-1], "invert": false, "mean": null, "variance": null}"#,
        keras3: #"{"name": "x", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "axis": [-1], "invert": false, "mean": null, "variance": null}"#),
    PreprocessingConfigPair(
        className: "Normalization", expression: #"L.Normalization(axis=(1, 3), invert=True, name='x')"#, crossDialect: true,
        keras2: #"{"name": "x", "trainable": true, "dtype": "float32", "axis": [1, 3], "invert": true, "mean": null, "variance": null}"#,
        keras3: #"{"name": "x", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "axis": [1, 3], "invert": true, "mean": null, "variance": null}"#),
    PreprocessingConfigPair(
        className: "Normalization", expression: #"L.Normalization(axis=None, name='x')"#, crossDialect: true,
        keras2: #"{"name": "x", "trainable": true, "dtype": "float32", "axis": [], "invert": false, "mean": null, "variance": null}"#,
        keras3: #"{"name": "x", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "axis": [], "invert": false, "mean": null, "variance": null}"#),
    PreprocessingConfigPair(
        className: "Normalization", expression: #"L.Normalization(mean=[1.0, 2.0], variance=[3.0, 4.0], name='x')"#, crossDialect: true,
        keras2: #"{"name": "x", "trainable": true, "dtype": "float32", "axis": [-1], "invert": false, "mean": [1.0, 2.0], "variance": [3.0, 4.0]}"#,
        keras3: #"{"name": "x", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "axis": [-1], "invert": false, "mean": [1.0, 2.0], "variance": [3.0, 4.0]}"#),
    PreprocessingConfigPair(
        className: "CenterCrop", expression: #"L.CenterCrop(4, 5, name='x')"#, crossDialect: true,
        keras2: #"{"name": "x", "trainable": true, "dtype": "float32", "height": 4, "width": 5}"#,
        keras3: #"{"name": "x", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "data_format": "channels_last", "height": 4, "width": 5}"#),
    PreprocessingConfigPair(
        className: "Resizing", expression: #"L.Resizing(5, 6, name='x')"#, crossDialect: true,
        keras2: #"{"name": "x", "trainable": true, "dtype": "float32", "height": 5, "width": 6, "interpolation": "bilinear", "crop_to_aspect_ratio": false}"#,
        keras3: #"{"name": "x", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "data_format": "channels_last", "height": 5, "width": 6, "interpolation": "bilinear", "crop_to_aspect_ratio": false, "pad_to_aspect_ratio": false, "fill_mode": "constant", "fill_value": 0.0, "antialias": false}"#),
    PreprocessingConfigPair(
        className: "Resizing", expression: #"L.Resizing(4, 4, interpolation='nearest', crop_to_aspect_ratio=True, name='x')"#, crossDialect: true,
        keras2: #"{"name": "x", "trainable": true, "dtype": "float32", "height": 4, "width": 4, "interpolation": "nearest", "crop_to_aspect_ratio": true}"#,
        keras3: #"{"name": "x", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "data_format": "channels_last", "height": 4, "width": 4, "interpolation": "nearest", "crop_to_aspect_ratio": true, "pad_to_aspect_ratio": false, "fill_mode": "constant", "fill_value": 0.0, "antialias": false}"#),
    PreprocessingConfigPair(
        className: "LayerScale", expression: #"LayerScale(1e-6, 96, name='x')"#, crossDialect: true,
        keras2: #"{"name": "x", "trainable": true, "dtype": "float32", "init_values": 1e-06, "projection_dim": 96}"#,
        keras3: #"{"name": "x", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "init_values": 1e-06, "projection_dim": 96}"#),
    PreprocessingConfigPair(
        className: "CustomScaleLayer", expression: #"CustomScaleLayer(0.17, name='x')"#, crossDialect: true,
        keras2: #"{"name": "x", "trainable": true, "dtype": "float32", "scale": 0.17}"#,
        keras3: #"{"name": "x", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "scale": 0.17}"#),
    PreprocessingConfigPair(
        className: "StochasticDepth", expression: #"StochasticDepth(0.1, name='x')"#, crossDialect: true,
        keras2: #"{"name": "x", "trainable": true, "dtype": "float32", "drop_path_rate": 0.1}"#,
        keras3: #"{"name": "x", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "drop_path_rate": 0.1}"#),
    PreprocessingConfigPair(
        className: "Identity", expression: #"L.Identity(name='x')"#, crossDialect: true,
        keras2: #"{"name": "x", "trainable": true, "dtype": "float32"}"#,
        keras3: #"{"name": "x", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}}"#),
    PreprocessingConfigPair(
        className: "ActivityRegularization", expression: #"L.ActivityRegularization(l1=0.01, name='x')"#, crossDialect: true,
        keras2: #"{"name": "x", "trainable": true, "dtype": "float32", "l1": 0.01, "l2": 0.0}"#,
        keras3: #"{"name": "x", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "l1": 0.01, "l2": 0.0}"#),
    PreprocessingConfigPair(
        className: "SpatialDropout3D", expression: #"L.SpatialDropout3D(0.5, name='x')"#, crossDialect: false,
        keras2: #"{"name": "x", "trainable": true, "dtype": "float32", "rate": 0.5, "noise_shape": null, "seed": null}"#,
        keras3: #"{"rate": 0.5, "seed": null, "name": "x", "dtype": "float32", "data_format": "channels_last"}"#),
    PreprocessingConfigPair(
        className: "RandomFlip", expression: #"L.RandomFlip('horizontal', seed=3, name='x')"#, crossDialect: false,
        keras2: #"{"name": "x", "trainable": true, "dtype": "float32", "rng_type": "stateful", "mode": "horizontal", "seed": 3}"#,
        keras3: #"{"name": "x", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "data_format": "channels_last", "seed": 3, "mode": "horizontal"}"#),
    PreprocessingConfigPair(
        className: "RandomRotation", expression: #"L.RandomRotation(0.2, name='x')"#, crossDialect: false,
        keras2: #"{"name": "x", "trainable": true, "dtype": "float32", "rng_type": "stateful", "factor": 0.2, "fill_mode": "reflect", "fill_value": 0.0, "interpolation": "bilinear", "seed": null}"#,
        keras3: #"{"name": "x", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "data_format": "channels_last", "factor": [-0.2, 0.2], "fill_mode": "reflect", "fill_value": 0.0, "interpolation": "bilinear", "seed": null}"#),
    PreprocessingConfigPair(
        className: "ZeroPadding3D", expression: #"L.ZeroPadding3D(((1,2),(0,1),(2,0)), name='x')"#, crossDialect: true,
        keras2: #"{"name": "x", "trainable": true, "dtype": "float32", "padding": [[1, 2], [0, 1], [2, 0]], "data_format": "channels_last"}"#,
        keras3: #"{"name": "x", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "padding": [[1, 2], [0, 1], [2, 0]], "data_format": "channels_last"}"#),
    PreprocessingConfigPair(
        className: "Cropping3D", expression: #"L.Cropping3D(((1,0),(0,1),(1,1)), name='x')"#, crossDialect: true,
        keras2: #"{"name": "x", "trainable": true, "dtype": "float32", "cropping": [[1, 0], [0, 1], [1, 1]], "data_format": "channels_last"}"#,
        keras3: #"{"name": "x", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "cropping": [[1, 0], [0, 1], [1, 1]], "data_format": "channels_last"}"#),
    PreprocessingConfigPair(
        className: "UpSampling3D", expression: #"L.UpSampling3D((2,1,3), name='x')"#, crossDialect: true,
        keras2: #"{"name": "x", "trainable": true, "dtype": "float32", "size": [2, 1, 3], "data_format": "channels_last"}"#,
        keras3: #"{"name": "x", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "size": [2, 1, 3], "data_format": "channels_last"}"#),
    PreprocessingConfigPair(
        className: "GlobalAveragePooling3D", expression: #"L.GlobalAveragePooling3D(name='x')"#, crossDialect: true,
        keras2: #"{"name": "x", "trainable": true, "dtype": "float32", "data_format": "channels_last", "keepdims": false}"#,
        keras3: #"{"name": "x", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "data_format": "channels_last", "keepdims": false}"#),
    PreprocessingConfigPair(
        className: "GlobalMaxPooling3D", expression: #"L.GlobalMaxPooling3D(keepdims=True, name='x')"#, crossDialect: true,
        keras2: #"{"name": "x", "trainable": true, "dtype": "float32", "data_format": "channels_last", "keepdims": true}"#,
        keras3: #"{"name": "x", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "data_format": "channels_last", "keepdims": true}"#),
    PreprocessingConfigPair(
        className: "MaxPooling3D", expression: #"L.MaxPooling3D((2,2,1), strides=(1,2,1), padding='same', name='x')"#, crossDialect: true,
        keras2: #"{"name": "x", "trainable": true, "dtype": "float32", "pool_size": [2, 2, 1], "padding": "same", "strides": [1, 2, 1], "data_format": "channels_last"}"#,
        keras3: #"{"name": "x", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "pool_size": [2, 2, 1], "padding": "same", "strides": [1, 2, 1], "data_format": "channels_last"}"#),
    PreprocessingConfigPair(
        className: "AveragePooling3D", expression: #"L.AveragePooling3D(2, name='x')"#, crossDialect: true,
        keras2: #"{"name": "x", "trainable": true, "dtype": "float32", "pool_size": [2, 2, 2], "padding": "valid", "strides": [2, 2, 2], "data_format": "channels_last"}"#,
        keras3: #"{"name": "x", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "pool_size": [2, 2, 2], "padding": "valid", "strides": [2, 2, 2], "data_format": "channels_last"}"#),
    PreprocessingConfigPair(
        className: "Discretization", expression: #"L.Discretization(bin_boundaries=[-1.0, 0.0, 0.5], name='x')"#, crossDialect: false,
        keras2: #"{"name": "x", "trainable": true, "dtype": "int64", "bin_boundaries": [-1.0, 0.0, 0.5], "num_bins": null, "epsilon": 0.01, "output_mode": "int", "sparse": false}"#,
        keras3: #"{"bin_boundaries": [-1.0, 0.0, 0.5], "num_bins": null, "epsilon": 0.01, "output_mode": "int", "sparse": false, "name": "x", "dtype": "float32"}"#),
]

/// tf_keras writes `trainable` and `noise_shape: null` for SpatialDropout3D and `trainable` for Discretization, which
/// Keras 3 rejects; KerasPort's Keras 2 form leaves them out (as for SpatialDropout1D/2D).
func droppingSpatialDropoutKeys(_ v: JSONValue, className: String) -> JSONValue {
    guard ["SpatialDropout3D", "Discretization"].contains(className), case let .object(members) = v else { return v }
    return .object(members.filter { $0.0 != "trainable" && $0.0 != "noise_shape" })
}

@Suite("Preprocessing, applications and identity layer configs")
struct PreprocessingConfigTests {
    @Test(arguments: preprocessingConfigPairs)
    func keras3ConfigRoundTrips(pair: PreprocessingConfigPair) throws {
        let layer = try decodeLayer(pair.className, pair.keras3, .keras3)
        #expect(layer.className == pair.className)
        #expect(!(layer is OpaqueLayer))
        #expect(try encodeLayer(layer, .keras3) == (try JSONValue.parse(pair.keras3)))
    }

    @Test(arguments: preprocessingConfigPairs)
    func keras2ConfigRoundTrips(pair: PreprocessingConfigPair) throws {
        let layer = try decodeLayer(pair.className, pair.keras2, .keras2)
        #expect(layer.className == pair.className)
        #expect(try encodeLayer(layer, .keras2) == droppingSpatialDropoutKeys(try JSONValue.parse(pair.keras2), className: pair.className))
    }

    @Test(arguments: preprocessingConfigPairs.filter(\.crossDialect))
    func keras2ConfigEncodesAsKeras3(pair: PreprocessingConfigPair) throws {
        let layer = try decodeLayer(pair.className, pair.keras2, .keras2)
        #expect(try encodeLayer(layer, .keras3) == (try JSONValue.parse(pair.keras3)))
    }

    @Test(arguments: preprocessingConfigPairs.filter(\.crossDialect))
    func keras3ConfigEncodesAsKeras2(pair: PreprocessingConfigPair) throws {
        let layer = try decodeLayer(pair.className, pair.keras3, .keras3)
        #expect(try encodeLayer(layer, .keras2) == (try JSONValue.parse(pair.keras2)))
    }

    @Test func randomLayersDropTheKeysTheOtherKerasRejects() throws {
        let k2 = try decodeLayer("RandomFlip", #"{"name": "x", "trainable": true, "dtype": "float32", "rng_type": "stateful", "mode": "horizontal", "seed": 3}"#, .keras2)
        #expect(try encodeLayer(k2, .keras3)["rng_type"] == nil)
        #expect(try encodeLayer(k2, .keras3)["mode"] == .string("horizontal"))
        let k3 = try decodeLayer("RandomFlip", preprocessingConfigPairs.first { $0.className == "RandomFlip" }!.keras3, .keras3)
        #expect(try encodeLayer(k3, .keras2)["data_format"] == nil)
    }

    @Test func typedValues() throws {
        let r = try #require(try decodeLayer("Rescaling", #"{"name": "r", "scale": [0.5, 2], "offset": -1}"#, .keras3) as? Rescaling)
        #expect(r.scale == .list([0.5, 2]) && r.offset == .scalar(-1))
        let n = try #require(try decodeLayer("Normalization", #"{"name": "n", "axis": [], "invert": true, "mean": null, "variance": null}"#, .keras3) as? Normalization)
        #expect(n.axis == [] && n.invert && n.configMean == nil)
        #expect(try n.weightSpecs(inputShapes: [[nil, 4, 3]]).map(\.shape) == [[], [], []])
        let n2 = try #require(try decodeLayer("Normalization", #"{"name": "n", "axis": [1, -1]}"#, .keras3) as? Normalization)
        #expect(try n2.weightSpecs(inputShapes: [[nil, 4, 5, 3]]).map(\.shape) == [[4, 3], [4, 3], []])
        let s = try #require(try decodeLayer("Resizing", #"{"name": "s", "height": 3, "width": 4, "interpolation": "lanczos3"}"#, .keras3) as? Resizing)
        #expect(s.interpolation == .lanczos3)
        #expect(try s.outputShapes(inputShapes: [[nil, 9, 9, 2]]) == [[nil, 3, 4, 2]])
    }

    @Test func discretizationModesOtherThanIntStayOpaqueWithTheReason() throws {
        let layer = try decodeLayer("Discretization", #"{"name": "d", "bin_boundaries": [0.0], "output_mode": "one_hot"}"#, .keras3)
        let opaque = try #require(layer as? OpaqueLayer)
        #expect(opaque.unsupportedReason?.contains("one_hot") == true)
        #expect(try decodeLayer("Discretization", #"{"name": "d", "bin_boundaries": [0.0]}"#, .keras3) is Discretization)
    }

    @Test func invalidConfigsAreOneLineErrorsNamingLayerAndKey() {
        #expect(decodeError("Rescaling", #"{"name": "r"}"#)?.contains("`scale`") == true)
        #expect(decodeError("Rescaling", #"{"name": "r", "scale": "x"}"#)?.contains("`scale`") == true)
        #expect(decodeError("Normalization", #"{"name": "n", "mean": [1], "variance": null}"#)?.contains("`mean`") == true)
        #expect(decodeError("Resizing", #"{"name": "s", "height": 3, "width": 4, "interpolation": "cubic"}"#)?.contains("`interpolation`") == true)
        #expect(decodeError("CenterCrop", #"{"name": "c", "height": 0, "width": 4}"#)?.contains("`height`") == true)
        #expect(decodeError("LayerScale", #"{"name": "l", "projection_dim": 4}"#)?.contains("`init_values`") == true)
    }
}
