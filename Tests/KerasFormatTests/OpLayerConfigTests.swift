import Foundation
import KerasFormat
import KerasGraph
import TensorModule
import Testing
import _TestSupport

/// Framework op layers (tf_keras `TFOpLambda`/`SlicingOpLambda`, Keras 3 `keras.ops` entries): decoding into typed
/// operations, writing back what Keras saved, and one-line errors naming the op for what KerasPort cannot run.
/// Model JSON below is as tf_keras 2.21 / Keras 3.15.1 wrote it (`model.to_json()`), reduced to the layers at hand.
@Suite("Op layers: decoding, write-back and errors")
struct OpLayerConfigTests {
    /// The fixtures made by tools/fixtures_k2.py / fixtures_k3.py, with the flavor to write them back in.
    static let fixtures: [(String, String, ModelConfigFlavor)] = [
        ("espcn_k2", "model.h5", .keras2), ("ops_k2", "model.h5", .keras2), ("ops_tf_only_k2", "model.h5", .keras2),
        ("espcn_k3", "model.keras", .kerasArchive), ("ops_k3", "model.keras", .kerasArchive),
    ]

    static func isOpEntry(_ layer: JSONValue) -> Bool {
        if case let .string(module)? = layer["module"], module.hasPrefix("keras.src.ops") { return true }
        if case let .string(cls)? = layer["class_name"], cls == "TFOpLambda" || cls == "SlicingOpLambda" { return true }
        return false
    }

    @Test("every op layer of the fixtures decodes into a typed OpLayer, none opaque", arguments: fixtures.map(\.0))
    func decodesTyped(_ fixture: String) throws {
        let file = Self.fixtures.first { $0.0 == fixture }!.1
        let graph = try KerasFile.open(TestFixtures.path("models/\(fixture)/\(file)")).loadGraph()
        let ops = graph.nodes.compactMap { $0.layer as? OpLayer }
        #expect(ops.count >= 2)
        #expect(!graph.nodes.contains { $0.layer is OpaqueLayer })
    }

    @Test("op layer entries are written back as Keras saved them: class, module, config and call arguments",
          arguments: fixtures.map(\.0))
    func writesBackAsSaved(_ fixture: String) throws {
        let (_, file, flavor) = Self.fixtures.first { $0.0 == fixture }!
        let folder = "models/\(fixture)"
        let saved = try JSONValue.parse(String(contentsOfFile: TestFixtures.path("\(folder)/saved_config.json"), encoding: .utf8))
        let graph = try KerasFile.open(TestFixtures.path("\(folder)/\(file)")).loadGraph()
        // Serialized and read again, as a file holds it (a float constant `4.0` is then the number 4, as saved).
        let written = try JSONValue.parse(ModelConfigEncoder.encode(graph, flavor: flavor).serialized())
        guard case let .array(savedLayers)? = saved["config"]?["layers"],
              case let .array(writtenLayers)? = written["config"]?["layers"] else {
            Issue.record("no layer lists")
            return
        }
        var compared = 0
        for layer in savedLayers where Self.isOpEntry(layer) {
            let name = layer["name"]
            let mine = try #require(writtenLayers.first { $0["name"] == name }, "\(String(describing: name)) not written")
            for key in ["class_name", "module", "registered_name", "config", "inbound_nodes"] {
                #expect(mine[key] == layer[key], "\(String(describing: name)) `\(key)`: wrote \(mine[key]?.serialized() ?? "nothing"), Keras saved \(layer[key]?.serialized() ?? "nothing")")
            }
            #expect(mine["build_config"] == nil)
            compared += 1
        }
        #expect(compared >= 2)
    }

    static let keras2Header = """
        {"class_name": "Functional", "config": {"name": "m", "layers": [
          {"class_name": "InputLayer", "config": {"batch_input_shape": [null, 4, 4, 3], "dtype": "float32", "name": "x"}, "name": "x", "inbound_nodes": []},
        """

    static func keras2(_ function: String, _ kwargs: String) -> String {
        keras2Header + """
          {"class_name": "TFOpLambda", "config": {"name": "op", "trainable": true, "dtype": "float32", "function": "\(function)"},
           "name": "op", "inbound_nodes": [["x", 0, 0, \(kwargs)]]}],
         "input_layers": [["x", 0, 0]], "output_layers": [["op", 0, 0]]}}
        """
    }

    @Test("a supported TF op called with an option KerasPort cannot run stays opaque, the reason naming the op and the option",
          arguments: [
            ("image.resize", #"{"size": [8, 8], "antialias": true}"#, "antialias"),
            ("compat.v1.pad", #"{"paddings": [[0, 0], [1, 1], [1, 1], [0, 0]], "mode": "REFLECT"}"#, "mode"),
            ("cast", #"{"dtype": "int32"}"#, "int32"),
            ("nn.depth_to_space", #"{"block_size": 2, "data_format": "NCHW"}"#, "data_format"),
            ("math.reduce_sum", #"{"axis": 1, "foo": 3}"#, "foo"),
          ])
    func refusesOptions(_ function: String, _ kwargs: String, _ option: String) throws {
        let g = try ModelConfigParser.parse(json: Self.keras2(function, kwargs), kerasVersion: "2.21.0", file: "k2.h5")
        let opaque = try #require(g.node(named: "op")?.layer as? OpaqueLayer)
        #expect(opaque.frameworkOpName == "tf.\(function)")
        let reason = try #require(opaque.unsupportedReason)
        #expect(reason.contains("tf.\(function)"), "\(reason)")
        #expect(reason.contains(option), "\(reason)")
        #expect(!reason.contains("\n"))
        // Written back unchanged in the Keras 2 dialect.
        #expect(try ModelConfigEncoder.encode(g, flavor: .keras2).serialized().contains("\"function\": \"\(function)\""))
    }

    @Test("TF ops read with Python argument binding and TF defaults")
    func tensorflowDefaults() throws {
        func op(_ function: String, _ kwargs: String) throws -> OpLayer {
            let g = try ModelConfigParser.parse(json: Self.keras2(function, kwargs), kerasVersion: "2.21.0", file: "k2.h5")
            return try #require(g.node(named: "op")?.layer as? OpLayer)
        }
        // tf.nn.leaky_relu's alpha defaults to 0.2; tf.nn.gelu's approximate to False; tf.nn.softmax's axis to -1.
        #expect(try op("nn.leaky_relu", "{}").operation == .activation(.leakyReLU(alpha: 0.2)))
        #expect(try op("nn.gelu", "{}").operation == .activation(.gelu(approximate: false)))
        #expect(try op("nn.softmax", "{}").operation == .activation(.softmax(axis: -1)))
        // compat.v1 spellings: keep_dims / reduction_indices, and TF 1's resize (no half-pixel centres).
        #expect(try op("compat.v1.reduce_mean", #"{"reduction_indices": [1], "keep_dims": true}"#).operation
                == .reduce(.mean, axes: [1], keepDims: true))
        #expect(try op("compat.v1.image.resize_images", #"{"size": [8, 8], "method": 1}"#).operation
                == .resize(height: 8, width: 8, method: .nearest, halfPixelCenters: false))
        // `2.0 - x`: the constant is the first operand.
        let json = Self.keras2Header + """
          {"class_name": "TFOpLambda", "config": {"name": "op", "trainable": true, "dtype": "float32", "function": "math.subtract"},
           "name": "op", "inbound_nodes": [["_CONSTANT_VALUE", -1, 2.0, {"y": ["x", 0, 0], "name": null}]]}],
         "input_layers": [["x", 0, 0]], "output_layers": [["op", 0, 0]]}}
        """
        let g = try ModelConfigParser.parse(json: json, kerasVersion: "2.21.0", file: "k2.h5")
        let sub = try #require(g.node(named: "op")?.layer as? OpLayer)
        #expect(sub.operands == [.constant(Tensor(scalar: 2)), .input(0)])
        // Written back in the Keras 2 dialect as a float (`2.0`: tf_keras would read `2` as int32).
        #expect(try ModelConfigEncoder.encode(g, flavor: .keras2).serialized().contains(#"["_CONSTANT_VALUE", -1, 2.0, {"#))
    }

    @Test("tf_keras ops become the Keras 3 ops computing the same for .keras; one with none is refused naming it")
    func translatesToKeras3() throws {
        let graph = try KerasFile.open(TestFixtures.path("models/ops_k2/model.h5")).loadGraph()
        let translated = try KerasOpTranslation.keras3(graph)
        let ops = translated.nodes.compactMap { $0.layer as? OpLayer }
        #expect(ops.count == graph.nodes.filter { $0.layer is OpLayer }.count)
        #expect(ops.allSatisfy { if case .keras = $0.source { true } else { false } })
        let depthless = try #require(translated.node(named: "tf.nn.space_to_depth")?.layer as? OpLayer)
        #expect(depthless.opName == "keras.src.ops.nn.SpaceToDepth")
        #expect(translated.node(named: "tf.__operators__.getitem")?.layer.className == "GetItem")

        let tfOnly = try KerasFile.open(TestFixtures.path("models/ops_tf_only_k2/model.h5")).loadGraph()
        let error = try #require(throws: FormatError.self) { try KerasOpTranslation.keras3(tfOnly) }
        #expect(error.description.contains("`tf.math.rsqrt`"), "\(error)")
        #expect(error.description.contains("legacy-h5"), "\(error)")
    }

    @Test("an unknown TF function or Keras 3 op class stays opaque and is read, not guessed")
    func unknownOpsStayOpaque() throws {
        let g = try ModelConfigParser.parse(json: Self.keras2("linalg.svd", "{}"), kerasVersion: "2.21.0", file: "k2.h5")
        let opaque = try #require(g.node(named: "op")?.layer as? OpaqueLayer)
        #expect(opaque.frameworkOpName == "tf.linalg.svd")
    }

    @Test("Python subscript rules: negative bounds, reversed steps, clamping, ellipsis, new axes")
    func sliceResolution() throws {
        // Each as Python evaluates it on numpy.arange(5)[...] (or on a [2, 5, 3] array).
        func axis(_ item: OpLayer.SliceItem, _ n: Int) throws -> OpLayer.SliceAxis {
            try OpLayer.resolveSlice([item], shape: [n])[0]
        }
        #expect(try axis(.range(start: nil, stop: nil, step: -2), 5) == .kept(start: 4, step: -2, count: 3)) // [4, 2, 0]
        #expect(try axis(.range(start: -10, stop: 2, step: nil), 5) == .kept(start: 0, step: 1, count: 2))   // [0, 1]
        #expect(try axis(.range(start: 3, stop: 1, step: nil), 5) == .kept(start: 3, step: 1, count: 0))     // []
        #expect(try axis(.range(start: 1, stop: -1, step: 2), 5) == .kept(start: 1, step: 2, count: 2))      // [1, 3]
        #expect(try axis(.range(start: -1, stop: -4, step: -1), 5) == .kept(start: 4, step: -1, count: 3))   // [4, 3, 2]
        #expect(try axis(.index(-1), 5) == .removed(index: 4))
        #expect(throws: GraphError.self) { try axis(.index(5), 5) }
        // x[..., None, 1] on [2, 5, 3] → shape [2, 5, 1].
        let r = try OpLayer.resolveSlice([.ellipsis, .newAxis, .index(1)], shape: [2, 5, 3])
        #expect(r == [.kept(start: 0, step: 1, count: 2), .kept(start: 0, step: 1, count: 5), .inserted, .removed(index: 1)])
        // Unknown batch size: a full slice keeps it unknown.
        #expect(try OpLayer.resolveSlice([.range(start: nil, stop: nil, step: nil), .range(start: 1, stop: nil, step: nil)],
                                         shape: [nil, 4]) == [.kept(start: nil, step: 1, count: nil), .kept(start: 1, step: 1, count: 3)])
    }
}
