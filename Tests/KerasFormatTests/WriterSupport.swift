import Foundation
@testable import KerasFormat
import KerasGraph
import TensorModule
import Testing
import _TestSupport

/// One fixture as a source for the writers: its first model file (as its manifest lists it) and that file's
/// architecture JSON when it needs one.
struct WriterFixture: CustomStringConvertible, Sendable {
    var name: String
    var file: String
    var config: String?

    var description: String { name }
    var folder: String { TestFixtures.path("models/\(name)") }
    var path: String { "\(folder)/\(file)" }
    var configPath: String? { config.map { "\(folder)/\($0)" } }

    /// Every fixture under Fixtures/models that has a manifest listing a file.
    static func all() -> [WriterFixture] {
        let root = TestFixtures.path("models")
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).sorted()
        return names.compactMap { name in
            guard let data = FileManager.default.contents(atPath: "\(root)/\(name)/manifest.json"),
                  let manifest = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                  let files = manifest["files"] as? [[String: Any]], let first = files.first,
                  let file = first["file"] as? String else { return nil }
            return WriterFixture(name: name, file: file, config: first["config"] as? String)
        }
    }

    func loadGraph() throws -> ModelGraph {
        try KerasFile.open(path, architecture: configPath).loadGraph()
    }
}

/// The (fixture, format) pairs a format cannot express, with a piece of the error that says why. Every other pair
/// must write and read back.
let inexpressible: [String: [KerasWriteFormat: String]] = [
    // Keras 3's hard_sigmoid (relu6(x + 3) / 6) has no Keras 2 name.
    "activations_k3": [.legacyH5Keras2: "hard_sigmoid"],
    // Keras 2's hard_sigmoid (clip(0.2x + 0.5, 0, 1)) has no Keras 3 name.
    "activations_k2": [.legacyH5Keras3: "hard_sigmoid", .weightsH5: "hard_sigmoid", .keras: "hard_sigmoid"],
    // Keras 3 refuses LeakyReLU(alpha=-0.5).
    "special_k2": [.legacyH5Keras3: "negative", .weightsH5: "negative", .keras: "negative"],
    // LayerNormalization(axis=[1, 2, 3]): Keras 3's legacy .h5 loader keeps only a single-int axis.
    "batchnorm_k3": [.legacyH5Keras3: "axis"],
    // An LSTM's recurrent_activation hard_sigmoid, each version's own function (see the activations fixtures).
    "rnn_timedistributed_k2": [.legacyH5Keras3: "hard_sigmoid", .weightsH5: "hard_sigmoid", .keras: "hard_sigmoid"],
    "rnn_timedistributed_k3": [.legacyH5Keras2: "hard_sigmoid"],
    // Keras 3 activation names (celu, hard_silu, …) that tf_keras cannot resolve, and Keras 3's hard_sigmoid.
    "activations_by_name_k3": [.legacyH5Keras2: "activation"],
    "activations_by_name_k2": [.legacyH5Keras3: "hard_sigmoid", .weightsH5: "hard_sigmoid", .keras: "hard_sigmoid"],
    // Normalization(axis=(1, 3)): Keras 3's legacy .h5 loader keeps only a single-int axis.
    "preprocessing_k3": [.legacyH5Keras3: "axis"],
    "preprocessing_k2": [.legacyH5Keras3: "axis"],
    // Keras 3's RandomGrayscale / RandomColorJitter have no tf_keras class; tf_keras' RandomHeight has no Keras 3 one.
    "identities_k3": [.legacyH5Keras2: "tf_keras has no"],
    "identities_k2": [.legacyH5Keras3: "Keras 3 has no", .weightsH5: "Keras 3 has no", .keras: "Keras 3 has no"],
    // tf_keras TFOpLambda layers: Keras 3 has no such class; .keras and .weights.h5 get the Keras 3 ops computing
    // the same, where every op has one (ops_tf_only_k2 holds tf.math.rsqrt first, which has none KerasPort writes).
    "espcn_k2": [.legacyH5Keras3: "TFOpLambda"],
    "ops_k2": [.legacyH5Keras3: "TFOpLambda"],
    "ops_tf_only_k2": [.legacyH5Keras3: "TFOpLambda", .weightsH5: "tf.math.rsqrt", .keras: "tf.math.rsqrt"],
    // Keras 3 keras.ops entries are found by their module, which only .keras archives record.
    "espcn_k3": [.legacyH5Keras2: "keras.ops", .legacyH5Keras3: "keras.ops"],
    "ops_k3": [.legacyH5Keras2: "keras.ops", .legacyH5Keras3: "keras.ops"],
    "convnext_block_k3": [.legacyH5Keras2: "keras.ops", .legacyH5Keras3: "keras.ops"],
    // The same keras.ops (MobileNetV3's hard sigmoid), and Keras 3's hard_silu, which tf_keras cannot resolve.
    "applications_blocks_k3": [.legacyH5Keras2: "activation", .legacyH5Keras3: "keras.ops"],
    // The same read from Keras 3's own legacy .h5 (op entries without a module), and Keras 3's hard_silu.
    "ops_legacy_h5_k3": [.legacyH5Keras2: "keras.ops", .legacyH5Keras3: "keras.ops"],
    "preprocessing_legacy_h5_k3": [.legacyH5Keras2: "activation"],
    // MultiHeadAttention(use_gate=True) has no Keras 2 form.
    "mha_k3": [.legacyH5Keras2: "use_gate"],
    // Keras 3's GroupQueryAttention has no tf_keras class.
    "gqa_k3": [.legacyH5Keras2: "GroupQueryAttention"],
    // LayerNormalization(rms_scaling=True) has no Keras 2 form; multi-axis layers no Keras 3 legacy .h5 form.
    "norms_k3": [.legacyH5Keras2: "rms_scaling", .legacyH5Keras3: "axis"],
    "norms_k2": [.legacyH5Keras3: "axis"],
    // tf_keras runs SeparableConv1D(padding="causal"); Keras 3 refuses that padding.
    "conv_breadth_k2": [.legacyH5Keras3: "causal", .weightsH5: "causal", .keras: "causal"],
    // tf_keras' ConvLSTM2D defaults to its own hard_sigmoid (see the activations fixtures).
    "conv_lstm_k2": [.legacyH5Keras3: "hard_sigmoid", .weightsH5: "hard_sigmoid", .keras: "hard_sigmoid"],
    // Keras 3 only classes (RMSNormalization, adaptive pools, AutoContrast, ReversibleEmbedding), a multi-axis
    // RMSNormalization (Keras 3's legacy .h5 loader keeps a single-int axis), RandomCrop's Keras 3 inference.
    "breadth3_norm_pool_k3": [.legacyH5Keras2: "tf_keras has no", .legacyH5Keras3: "axis"],
    "breadth3_image_k3": [.legacyH5Keras2: "tf_keras"],
    "breadth3_audio_k3": [.legacyH5Keras2: "tf_keras has no"],
    "breadth3_pipeline_k3": [.legacyH5Keras2: "tf_keras has no"],
    // tf_keras' RandomCrop resizes at inference (Keras 3's passes through); LocallyConnected is tf_keras only.
    "breadth3_image_k2": [.legacyH5Keras3: "RandomCrop", .weightsH5: "RandomCrop", .keras: "RandomCrop"],
    "breadth3_local_k2": [.legacyH5Keras3: "Keras 3 has no", .weightsH5: "Keras 3 has no", .keras: "Keras 3 has no"],
]

/// The graph as the Keras 2 dialect `.h5` writer spells it for both Keras versions: `ThresholdedReLU(theta)` as
/// `ReLU(threshold=theta)` (Keras 3 has no ThresholdedReLU), recursively.
func portableKeras2(_ graph: ModelGraph) -> ModelGraph {
    var g = graph
    for n in g.nodes.indices {
        if let t = g.nodes[n].layer as? ThresholdedReLU {
            g.nodes[n].layer = ReLU(common: t.common, threshold: t.theta)
        } else if var nested = g.nodes[n].layer as? NestedModel {
            nested.graph = portableKeras2(nested.graph)
            g.nodes[n].layer = nested
        } else if let named = g.nodes[n].layer as? PositionalCallParameters {
            // Keras 3's `mha(q, v)` is written as Keras 2's `[[q, 0, 0, {"value": v}]]`.
            for c in g.nodes[n].calls.indices {
                if let a = g.nodes[n].calls[c].arguments, a.positional.count > 1 {
                    g.nodes[n].calls[c].arguments = try? named.keras2Arguments(a, object: "")
                }
            }
        }
    }
    return g
}

/// `graph` with only its attention calls as the Keras 2 dialect writes them (`[[q, 0, 0, {"value": v}]]`).
func portableKeras2Calls(_ graph: ModelGraph) -> ModelGraph {
    var g = graph
    for n in g.nodes.indices {
        if let named = g.nodes[n].layer as? PositionalCallParameters {
            for c in g.nodes[n].calls.indices {
                if let a = g.nodes[n].calls[c].arguments, a.positional.count > 1 {
                    g.nodes[n].calls[c].arguments = try? named.keras2Arguments(a, object: "")
                }
            }
        } else if var nested = g.nodes[n].layer as? NestedModel {
            nested.graph = portableKeras2Calls(nested.graph)
            g.nodes[n].layer = nested
        }
    }
    return g
}

/// `graph` as the Keras 3 dialect writes it: tf_keras' `mha(q, value=v)` first argument, a list of one tensor,
/// becomes the tensor.
func portableKeras3(_ graph: ModelGraph) -> ModelGraph {
    var g = graph
    for n in g.nodes.indices {
        if let named = g.nodes[n].layer as? PositionalCallParameters {
            for c in g.nodes[n].calls.indices {
                if let a = g.nodes[n].calls[c].arguments { g.nodes[n].calls[c].arguments = named.keras3Arguments(a) }
            }
        } else if var nested = g.nodes[n].layer as? NestedModel {
            nested.graph = portableKeras3(nested.graph)
            g.nodes[n].layer = nested
        }
    }
    return g
}

/// The file name a format is written under in tests.
func outputName(_ fixture: String, _ format: KerasWriteFormat) -> String {
    switch format {
    case .legacyH5Keras2: return "\(fixture).keras2.h5"
    case .legacyH5Keras3: return "\(fixture).keras3.h5"
    case .weightsH5: return "\(fixture).weights.h5"
    case .keras: return "\(fixture).keras"
    }
}

/// The Keras class a layer is written as in `dialect`.
func writtenClass(_ layer: any Layer, _ dialect: ConfigDialect) -> String {
    if let nested = layer as? NestedModel { return nested.graph.kind.rawValue }
    if let opaque = layer as? OpaqueLayer { return opaque.className }
    if let encodable = layer as? any ConfigEncodable { return encodable.kerasClassName(dialect: dialect) }
    return layer.className
}

/// How two graphs differ, as lines naming the layer (empty when equivalent): model names, kinds, inputs and outputs;
/// per layer its name, written class, calls, config as written in `dialect`, and weights (shape, bits, stored
/// type; bfloat16 may come back as float32 where `bfloat16Widened`). A DepthwiseConv2D kernel's name follows the
/// dialect, so names are compared for other layers only. A nested Sequential model's input layer may be written
/// without a name or shape (`ignoreNestedSequentialInputs`), when the format builds it on first call instead.
func graphDifferences(_ a: ModelGraph, _ b: ModelGraph, dialect: ConfigDialect, bfloat16Widened: Bool,
                      ignoreNestedSequentialInputs: Bool = false, path: String = "") -> [String] {
    var out: [String] = []
    let model = path.isEmpty ? "model" : "model `\(path)`"
    if a.name != b.name { out.append("\(model): name `\(a.name)` vs `\(b.name)`") }
    if a.kind != b.kind { out.append("\(model): kind \(a.kind) vs \(b.kind)") }
    // A nested Sequential model written unbuilt gets its input layer back under another name and maybe no shape.
    let skipInput = ignoreNestedSequentialInputs && !path.isEmpty && a.kind == .sequential
    var renamedInput: [String: String] = [:]
    if skipInput, let x = a.nodes.first, let y = b.nodes.first, x.layer is InputLayer, y.layer is InputLayer {
        renamedInput[y.name] = x.name
    }
    func mapped(_ refs: [TensorRef]) -> [TensorRef] {
        refs.map { r in TensorRef(layer: renamedInput[r.layer] ?? r.layer, node: r.node, tensor: r.tensor) }
    }
    if a.inputs != mapped(b.inputs) { out.append("\(model): inputs \(a.inputs) vs \(b.inputs)") }
    if a.outputs != mapped(b.outputs) { out.append("\(model): outputs \(a.outputs) vs \(b.outputs)") }
    out += weightDifferences(a.topLevelWeights, b.topLevelWeights, where: "\(model) own weights", compareNames: true,
                             bfloat16Widened: bfloat16Widened)
    guard a.nodes.count == b.nodes.count else {
        return out + ["\(model): \(a.nodes.count) layers vs \(b.nodes.count): \(a.nodes.map(\.name)) vs \(b.nodes.map(\.name))"]
    }
    for (n, (x, y)) in zip(a.nodes, b.nodes).enumerated() {
        let here = path.isEmpty ? x.name : "\(path)/\(x.name)"
        if skipInput && n == 0 && x.layer is InputLayer && y.layer is InputLayer { continue }
        if x.name != y.name { out.append("layer `\(here)`: renamed `\(y.name)`"); continue }
        let cx = writtenClass(x.layer, dialect), cy = writtenClass(y.layer, dialect)
        if cx != cy { out.append("layer `\(here)`: class \(cx) vs \(cy)"); continue }
        if x.calls != y.calls.map({ LayerCall(inputs: mapped($0.inputs), arguments: $0.arguments) }) {
            out.append("layer `\(here)`: calls \(x.calls) vs \(y.calls)")
        }
        if x.layer.common.trainable != y.layer.common.trainable { out.append("layer `\(here)`: trainable differs") }
        if let nx = x.layer as? NestedModel, let ny = y.layer as? NestedModel {
            out += graphDifferences(nx.graph, ny.graph, dialect: dialect, bfloat16Widened: bfloat16Widened,
                                    ignoreNestedSequentialInputs: ignoreNestedSequentialInputs, path: here)
            continue
        }
        if let ex = x.layer as? any ConfigEncodable, let ey = y.layer as? any ConfigEncodable {
            let jx = ex.configJSON(dialect: dialect), jy = ey.configJSON(dialect: dialect)
            if jx != jy { out.append("layer `\(here)`: config \(jx.serialized()) vs \(jy.serialized())") }
        }
        out += weightDifferences(x.layer.weights, y.layer.weights, where: "layer `\(here)`",
                                 compareNames: !(x.layer is DepthwiseConv2D || x.layer is DepthwiseConv1D), bfloat16Widened: bfloat16Widened)
    }
    return out
}

func weightDifferences(_ a: [Weight], _ b: [Weight], where label: String, compareNames: Bool,
                       bfloat16Widened: Bool) -> [String] {
    guard a.count == b.count else { return ["\(label): \(a.count) weights vs \(b.count)"] }
    var out: [String] = []
    for (x, y) in zip(a, b) {
        if compareNames && x.name != y.name { out.append("\(label): weight `\(x.name)` came back as `\(y.name)`") }
        if !bitwiseEqual(x.tensor, y.tensor) {
            out.append("\(label): weight `\(x.name)` differs (shape \(x.tensor.shape) vs \(y.tensor.shape), or bits)")
        }
        let widened = bfloat16Widened && x.storageType == .bfloat16 && y.storageType == .float32
        if x.storageType != y.storageType && !widened {
            out.append("\(label): weight `\(x.name)` stored as \(y.storageType), was \(x.storageType)")
        }
    }
    return out
}

/// Runs a program; its exit status and combined output.
func runProgram(_ executable: String, _ arguments: [String]) throws -> (Int32, String) {
    try Programs.runCombined(executable, arguments)
}

/// The files in a folder (names), including hidden ones.
func folderContents(_ folder: URL) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
}
