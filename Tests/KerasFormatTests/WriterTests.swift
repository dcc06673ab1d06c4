import Foundation
import HDF5
@testable import KerasFormat
import KerasGraph
import TensorModule
import Testing
import _TestSupport

/// Writing every fixture in every format that can express it, reading it back, and comparing with the graph the
/// fixture gave: layer names, classes, calls, configs as written, and weights bit for bit. The files come from our
/// writers only; that real Keras loads them and predicts the fixture's expected outputs is checked by
/// tools/interop.sh (which runs ``WriterInteropExport``).
@Suite("Writers: read → write → read round trip over every fixture")
struct WriterRoundTripTests {
    @Test("every format that can express the fixture writes it back equivalent", arguments: WriterFixture.all())
    func roundTrip(_ fixture: WriterFixture) throws {
        let original = try fixture.loadGraph()
        let folder = try TestFixtures.temporaryDirectory("writer-\(fixture.name)")
        defer { try? FileManager.default.removeItem(at: folder) }
        for format in KerasWriteFormat.allCases {
            let out = folder.appendingPathComponent(outputName(fixture.name, format)).path
            let json = format == .weightsH5 ? folder.appendingPathComponent("\(fixture.name).json").path : nil
            if let why = inexpressible[fixture.name]?[format] {
                let error = try #require(throws: FormatError.self, "\(fixture.name) as \(format.cliName)") {
                    try KerasFileWriter.write(original, to: out, format: format, architectureJSONPath: json,
                                              protecting: [fixture.path])
                }
                #expect(error.description.contains(why), "\(error)")
                #expect(!error.description.contains("\n"))
                #expect(!folderContents(folder).contains(outputName(fixture.name, format)))
                continue
            }
            try KerasFileWriter.write(original, to: out, format: format, architectureJSONPath: json,
                                      protecting: [fixture.path])
            let file = try KerasFile.open(out, architecture: json)
            #expect(file.format == expectedReadFormat(format), "\(fixture.name) as \(format.cliName)")
            let back = try file.loadGraph()
            let differences = graphDifferences(
                format == .legacyH5Keras2 ? portableKeras2(original)
                    : format == .keras || format == .weightsH5 ? try KerasOpTranslation.keras3(portableKeras3(original))
                    : portableKeras3(original), back, dialect: format.dialect, bfloat16Widened: format == .legacyH5Keras2 || format == .legacyH5Keras3,
                ignoreNestedSequentialInputs: format == .legacyH5Keras2)
            #expect(differences.isEmpty, "\(fixture.name) as \(format.cliName):\n\(differences.prefix(8).joined(separator: "\n"))")
            try expectH5dumpReads(out, format: format)
        }
        // No temporary files are left over.
        #expect(folderContents(folder).allSatisfy { !$0.hasSuffix(".kp-tmp") })
    }

    func expectedReadFormat(_ format: KerasWriteFormat) -> KerasFileFormat {
        switch format {
        case .legacyH5Keras2, .legacyH5Keras3: return .legacyH5
        case .weightsH5: return .weightsH5
        case .keras: return .kerasArchive
        }
    }

    /// h5dump (when installed) reads the whole file: for a `.keras` archive, its `model.weights.h5`.
    func expectH5dumpReads(_ path: String, format: KerasWriteFormat) throws {
        let h5dump = "/usr/bin/h5dump"
        // tools/install_deps.sh installs both tools; a missing one fails here rather than passing unchecked.
        guard FileManager.default.isExecutableFile(atPath: h5dump) else {
            Issue.record("h5dump is not installed (hdf5-tools): cannot check \(path)")
            return
        }
        var target = path
        if format == .keras {
            let unzip = "/usr/bin/unzip"
            guard FileManager.default.isExecutableFile(atPath: unzip) else {
                Issue.record("unzip is not installed: cannot check \(path)")
                return
            }
            let folder = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("unzipped")
            let (status, output) = try runProgram(unzip, ["-o", "-q", path, "-d", folder.path])
            #expect(status == 0, "unzip \(path): \(output)")
            target = folder.appendingPathComponent("model.weights.h5").path
        }
        let (status, output) = try runProgram(h5dump, ["-H", "-A", target])
        #expect(status == 0, "h5dump \(target): \(output.suffix(400))")
    }
}

/// The writers' layouts, checked with libhdf5 directly against what Keras writes (FORMATS.md §1–§3).
@Suite("Writers: file layouts")
struct WriterLayoutTests {
    /// A small Functional model: input, Dense `d1`, LeakyReLU `lr`, PReLU `pr`, Dense `d2`.
    static func smallModel(storage: StorageType = .float32, kind: ModelGraph.Kind = .functional, name: String = "small") -> ModelGraph {
        func w(_ name: String, _ shape: [Int], _ values: [Float]) -> Weight {
            Weight(name: name, tensor: Tensor(shape: shape, scalars: values), storageType: storage)
        }
        let input = InputLayer(common: LayerCommon(name: "x"), batchShape: [nil, 3])
        let d1 = Dense(common: LayerCommon(name: "d1"), units: 2,
                       weights: [w("kernel", [3, 2], [0.5, -1.25, 2, 0.125, -3, 1]), w("bias", [2], [0.25, -0.5])])
        let lr = LeakyReLU(common: LayerCommon(name: "lr"), negativeSlope: 0.2)
        var pr = PReLU(common: LayerCommon(name: "pr"))
        pr.weights = [w("alpha", [2], [0.75, -0.5])]
        let d2 = Dense(common: LayerCommon(name: "d2"), units: 1,
                       weights: [w("kernel", [2, 1], [1.5, -2]), w("bias", [1], [0.0625])])
        let nodes = [
            LayerNode(layer: input, calls: []),
            LayerNode(layer: d1, calls: [LayerCall(inputs: [TensorRef(layer: "x")])]),
            LayerNode(layer: lr, calls: [LayerCall(inputs: [TensorRef(layer: "d1")])]),
            LayerNode(layer: pr, calls: [LayerCall(inputs: [TensorRef(layer: "lr")])]),
            LayerNode(layer: d2, calls: [LayerCall(inputs: [TensorRef(layer: "pr")])]),
        ]
        return ModelGraph(name: name, kind: kind, nodes: nodes, inputs: [TensorRef(layer: "x")],
                          outputs: [TensorRef(layer: "d2")])
    }

    @Test("legacy .h5, Keras 2 dialect: tf_keras' attributes, `:0` names, empty lists as float64 (0,)")
    func legacyKeras2Layout() throws {
        let folder = try TestFixtures.temporaryDirectory("writer-layout")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("m.h5").path
        try KerasFileWriter.write(Self.smallModel(), to: path, format: .legacyH5Keras2)
        let root = try HDF5File.open(at: path).rootGroup()
        #expect(try root.attributes.string(named: "keras_version") == "2.21.0")
        #expect(try root.attributes.string(named: "backend") == "tensorflow")
        let config = try JSONValue.parse(try root.attributes.string(named: "model_config"))
        #expect(config["class_name"] == .string("Functional"))
        let mw = try root.group(at: "model_weights")
        #expect(try mw.attributes.strings(named: "layer_names") == ["x", "d1", "lr", "pr", "d2"])
        #expect(try mw.attributes.string(named: "keras_version") == "2.21.0")
        #expect(try mw.group(at: "d1").attributes.strings(named: "weight_names") == ["d1/kernel:0", "d1/bias:0"])
        #expect(try mw.dataset(at: "d1/d1/kernel:0").shape == [3, 2])
        #expect(try mw.dataset(at: "pr/pr/alpha:0").readFloats() == [0.75, -0.5])
        for empty in ["x", "lr", "top_level_model_weights"] {
            let attribute = try mw.group(at: empty).attributes.attribute(named: "weight_names")
            #expect(attribute.elementType == .float64 && attribute.shape == [0], "\(empty)")
        }
        #expect(try root.objectKind(at: "training_config") == nil && root.objectKind(at: "optimizer_weights") == nil)
    }

    @Test("legacy .h5, Keras 3 dialect: a Sequential model prefixes weight names with its name")
    func legacyKeras3SequentialLayout() throws {
        let folder = try TestFixtures.temporaryDirectory("writer-layout")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("m.h5").path
        try KerasFileWriter.write(Self.smallModel(kind: .sequential, name: "seq"), to: path, format: .legacyH5Keras3)
        let mw = try HDF5File.open(at: path).group(at: "model_weights")
        // Sequential: the input layer is not in `model.layers`.
        #expect(try mw.attributes.strings(named: "layer_names") == ["d1", "lr", "pr", "d2"])
        #expect(try mw.group(at: "d1").attributes.strings(named: "weight_names") == ["seq/d1/kernel", "seq/d1/bias"])
        #expect(try mw.dataset(at: "d1/seq/d1/kernel").readFloats() == [0.5, -1.25, 2, 0.125, -3, 1])
        #expect(try HDF5File.open(at: path).rootGroup().attributes.string(named: "keras_version") == "3.15.1")
    }

    @Test(".weights.h5: layers/<snake_case(class)>[_N]/vars/<i> with @name, root vars")
    func weightsLayout() throws {
        let folder = try TestFixtures.temporaryDirectory("writer-layout")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("m.weights.h5").path
        let json = folder.appendingPathComponent("m.json").path
        try KerasFileWriter.write(Self.smallModel(), to: path, format: .weightsH5, architectureJSONPath: json)
        let root = try HDF5File.open(at: path).rootGroup()
        #expect(try root.group(at: "layers/input_layer/vars").attributes.string(named: "name") == "x")
        #expect(try root.group(at: "layers/dense/vars").attributes.string(named: "name") == "d1")
        #expect(try root.dataset(at: "layers/dense/vars/1").readFloats() == [0.25, -0.5])
        #expect(try root.group(at: "layers/leaky_re_lu/vars").attributes.string(named: "name") == "lr")
        #expect(try root.dataset(at: "layers/p_re_lu/vars/0").readFloats() == [0.75, -0.5])
        #expect(try root.group(at: "layers/dense_1/vars").attributes.string(named: "name") == "d2")
        #expect(try root.group(at: "vars").attributes.string(named: "name") == "small")
        // The architecture JSON is Keras 3's `to_json()` form.
        let arch = try JSONValue.parse(String(decoding: try Data(contentsOf: URL(fileURLWithPath: json)), as: UTF8.self))
        #expect(arch["module"] == .string("keras.src.models.functional"))
        #expect(arch["class_name"] == .string("Functional"))
    }

    @Test(".keras: stored ZIP members metadata.json, config.json, model.weights.h5 in Keras' order")
    func archiveLayout() throws {
        let folder = try TestFixtures.temporaryDirectory("writer-layout")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("m.keras").path
        try KerasFileWriter.write(Self.smallModel(), to: path, format: .keras)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        // Local file headers: signature PK\3\4, compression method (offset 8) 0 = stored, name at offset 30.
        var names: [String] = []
        var offset = 0
        while offset + 30 <= bytes.count, bytes[offset..<(offset + 4)].elementsEqual([0x50, 0x4b, 0x03, 0x04]) {
            let method = Int(bytes[offset + 8]) | Int(bytes[offset + 9]) << 8
            #expect(method == 0, "member \(names.count) is compressed")
            let size = Int(bytes[offset + 18]) | Int(bytes[offset + 19]) << 8 | Int(bytes[offset + 20]) << 16 | Int(bytes[offset + 21]) << 24
            let nameLength = Int(bytes[offset + 26]) | Int(bytes[offset + 27]) << 8
            let extraLength = Int(bytes[offset + 28]) | Int(bytes[offset + 29]) << 8
            names.append(String(decoding: bytes[(offset + 30)..<(offset + 30 + nameLength)], as: UTF8.self))
            offset += 30 + nameLength + extraLength + size
        }
        #expect(names == ["metadata.json", "config.json", "model.weights.h5"])
        let file = try KerasFile.open(path)
        #expect(file.kerasVersion == "3.15.1")
        let saved = KerasArchiveWriter.dateSaved(Date(timeIntervalSince1970: 0))
        #expect(saved.count == 19 && saved.contains("@"), "date_saved \(saved) is %Y-%m-%d@%H:%M:%S")
    }

    @Test("float16, float64 and bfloat16 weights keep their stored type and bits", arguments: [StorageType.float16, .float64, .bfloat16])
    func storageTypes(_ storage: StorageType) throws {
        // Every value is exact in float16 and bfloat16 (few mantissa bits), so it survives narrowing unchanged.
        let graph = Self.smallModel(storage: storage)
        let folder = try TestFixtures.temporaryDirectory("writer-dtype")
        defer { try? FileManager.default.removeItem(at: folder) }
        for format in KerasWriteFormat.allCases {
            let path = folder.appendingPathComponent(outputName("m", format)).path
            let json = format == .weightsH5 ? folder.appendingPathComponent("m.json").path : nil
            try KerasFileWriter.write(graph, to: path, format: format, architectureJSONPath: json)
            let back = try KerasFile.open(path, architecture: json).loadGraph()
            let legacy = format == .legacyH5Keras2 || format == .legacyH5Keras3
            let differences = graphDifferences(graph, back, dialect: format.dialect, bfloat16Widened: legacy)
            #expect(differences.isEmpty, "\(storage) as \(format.cliName): \(differences)")
            if storage == .bfloat16 {
                let expected: StorageType = legacy ? .float32 : .bfloat16
                #expect(back.node(named: "d1")?.layer.weights.first?.storageType == expected, "\(format.cliName)")
            }
        }
        // bfloat16 in .weights.h5 is a 2-byte OPAQUE dataset with dtype="bfloat16", as Keras writes it.
        if storage == .bfloat16 {
            let dataset = try HDF5File.open(at: folder.appendingPathComponent(outputName("m", .weightsH5)).path)
                .dataset(at: "layers/dense/vars/0")
            #expect(dataset.elementType == .opaque(size: 2, tag: ""))
            #expect(try dataset.attributes.string(named: "dtype") == "bfloat16")
        }
    }

    @Test("name lists above 64512 bytes are split into layer_names0, layer_names1, … as Keras splits them")
    func chunkedLayerNames() throws {
        // 700 weightless layers with 100-character names: 70 000 bytes as fixed-length strings.
        var nodes = [LayerNode(layer: InputLayer(common: LayerCommon(name: "x"), batchShape: [nil, 2]), calls: [])]
        var previous = "x"
        for k in 0..<700 {
            let name = "dropout_" + String(k).padding(toLength: 92, withPad: "_", startingAt: 0)
            nodes.append(LayerNode(layer: Dropout(common: LayerCommon(name: name), rate: 0.1),
                                   calls: [LayerCall(inputs: [TensorRef(layer: previous)])]))
            previous = name
        }
        let graph = ModelGraph(name: "long", kind: .functional, nodes: nodes, inputs: [TensorRef(layer: "x")],
                               outputs: [TensorRef(layer: previous)])
        let folder = try TestFixtures.temporaryDirectory("writer-chunked")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("long.h5").path
        try KerasFileWriter.write(graph, to: path, format: .legacyH5Keras2)
        let attributes = try HDF5File.open(at: path).group(at: "model_weights").attributes
        #expect(try !attributes.contains("layer_names"))
        #expect(try attributes.contains("layer_names0") && attributes.contains("layer_names1") && !attributes.contains("layer_names2"))
        let back = try KerasFile.open(path).loadGraph()
        #expect(back.nodes.map(\.name) == graph.nodes.map(\.name))
    }
}

/// What the formats cannot express, refused before anything is written, with one line naming the layer.
@Suite("Writers: inexpressible layers")
struct WriterCompatibilityTests {
    func expectRefused(_ graph: ModelGraph, _ format: KerasWriteFormat, mentioning words: [String]) throws {
        let folder = try TestFixtures.temporaryDirectory("writer-refused")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent(outputName("m", format)).path
        let error = try #require(throws: FormatError.self) {
            try KerasFileWriter.write(graph, to: path, format: format)
        }
        for word in words { #expect(error.description.contains(word), "\(error)") }
        #expect(!error.description.contains("\n"))
        #expect(folderContents(folder).isEmpty, "nothing is written")
    }

    func replacing(_ graph: ModelGraph, _ name: String, with layer: any Layer) -> ModelGraph {
        var g = graph
        if let n = g.index(of: name) { g.nodes[n].layer = layer }
        return g
    }

    @Test("a Keras 3 LayerNormalization with rms_scaling has no Keras 2 form")
    func rmsScaling() throws {
        var graph = WriterLayoutTests.smallModel()
        var norm = LayerNormalization(common: LayerCommon(name: "lr"), axis: [-1])
        norm.rmsScaling = true
        norm.weights = [Weight(name: "gamma", tensor: Tensor(shape: [2], scalars: [1, 2])),
                        Weight(name: "beta", tensor: Tensor(shape: [2], scalars: [0, 0]))]
        graph = replacing(graph, "lr", with: norm)
        try expectRefused(graph, .legacyH5Keras2, mentioning: ["`lr`", "LayerNormalization", "rms_scaling"])
    }

    @Test("a negative LeakyReLU slope (Keras 2 only) has no Keras 3 form", arguments: [KerasWriteFormat.legacyH5Keras3, .weightsH5, .keras])
    func negativeSlope(_ format: KerasWriteFormat) throws {
        let graph = replacing(WriterLayoutTests.smallModel(), "lr",
                              with: LeakyReLU(common: LayerCommon(name: "lr"), negativeSlope: -0.5))
        try expectRefused(graph, format, mentioning: ["`lr`", "negative_slope", "--to-prelu"])
    }

    @Test("hard_sigmoid cannot change dialect")
    func hardSigmoid() throws {
        let keras3 = ActivationLayer(common: LayerCommon(name: "lr"),
                                     activation: Activation(.hardSigmoid(.keras3), spelling: .name("hard_sigmoid")))
        try expectRefused(replacing(WriterLayoutTests.smallModel(), "lr", with: keras3), .legacyH5Keras2,
                          mentioning: ["`lr`", "hard_sigmoid"])
        let keras2 = ActivationLayer(common: LayerCommon(name: "lr"),
                                     activation: Activation(.hardSigmoid(.keras2), spelling: .name("hard_sigmoid")))
        try expectRefused(replacing(WriterLayoutTests.smallModel(), "lr", with: keras2), .keras,
                          mentioning: ["`lr`", "hard_sigmoid"])
    }

    @Test("Keras 3's legacy .h5 loader drops a multi-axis `axis`, so keras3-h5 refuses it")
    func multiAxis() throws {
        var norm = LayerNormalization(common: LayerCommon(name: "lr"), axis: [1, 2])
        norm.weights = []
        let input = InputLayer(common: LayerCommon(name: "x"), batchShape: [nil, 2, 3])
        var ln = norm
        ln.weights = [Weight(name: "gamma", tensor: Tensor(shape: [2, 3], repeating: 1)),
                      Weight(name: "beta", tensor: Tensor(shape: [2, 3], repeating: 0))]
        let graph = ModelGraph(name: "m", kind: .functional,
                               nodes: [LayerNode(layer: input, calls: []),
                                       LayerNode(layer: ln, calls: [LayerCall(inputs: [TensorRef(layer: "x")])])],
                               inputs: [TensorRef(layer: "x")], outputs: [TensorRef(layer: "lr")])
        try expectRefused(graph, .legacyH5Keras3, mentioning: ["`lr`", "axis"])
    }

    @Test("an opaque layer read from a Keras 3 config is refused for the Keras 2 dialect, kept for Keras 3")
    func opaqueLayers() throws {
        let config = JSONValue.object([
            ("name", .string("lr")), ("trainable", .bool(true)),
            ("dtype", .object([("module", .string("keras")), ("class_name", .string("DTypePolicy")),
                               ("config", .object([("name", .string("float32"))])), ("registered_name", .null)])),
            ("scale", .number(2)),
        ])
        let opaque = OpaqueLayer(className: "Scale", common: LayerCommon(name: "lr"), config: config,
                                 registeredName: "my_pkg>Scale", module: "my_pkg.layers",
                                 weights: [Weight(name: "factor", tensor: Tensor(shape: [2], scalars: [3, -4]))],
                                 recordedOutputShapes: [[[nil, 2]]])
        let graph = replacing(WriterLayoutTests.smallModel(), "lr", with: opaque)
        try expectRefused(graph, .legacyH5Keras2, mentioning: ["`lr`", "my_pkg>Scale", "Keras 3"])

        // Keras 3 formats keep the config, the archive metadata and the weights.
        let folder = try TestFixtures.temporaryDirectory("writer-opaque")
        defer { try? FileManager.default.removeItem(at: folder) }
        for format in [KerasWriteFormat.keras, .legacyH5Keras3] {
            let path = folder.appendingPathComponent(outputName("m", format)).path
            try KerasFileWriter.write(graph, to: path, format: format)
            let back = try KerasFile.open(path).loadGraph()
            let layer = try #require(back.node(named: "lr")?.layer as? OpaqueLayer, "\(format.cliName)")
            #expect(layer.config == config)
            #expect(layer.registeredName == "my_pkg>Scale")
            #expect(layer.weights.map(\.tensor.scalars) == [[3, -4]])
            if format == .keras { #expect(layer.module == "my_pkg.layers") }
        }
    }

    /// A `/` is not refused but renamed (tools-made tf_keras models have them; see `LayerRenameTests`).
    @Test("layer names that would not survive as HDF5 groups are refused")
    func badNames() throws {
        for bad in [".", "", "nul\u{0}"] {
            let graph = replacing(WriterLayoutTests.smallModel(), "lr", with: LeakyReLU(common: LayerCommon(name: bad)))
            try expectRefused(graph, .legacyH5Keras2, mentioning: ["layer name"])
        }
    }
}

/// The safety rules: never over an input, never over an existing file unless asked, complete files only.
@Suite("Writers: output safety")
struct WriterSafetyTests {
    let graph = WriterLayoutTests.smallModel()

    @Test("an existing output is refused without overwrite and replaced with it")
    func existingOutput() throws {
        let folder = try TestFixtures.temporaryDirectory("writer-safety")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("m.h5").path
        try Data("precious".utf8).write(to: URL(fileURLWithPath: path))
        let error = try #require(throws: FormatError.self) {
            try KerasFileWriter.write(graph, to: path, format: .legacyH5Keras2)
        }
        #expect(error.description.contains("already exists") && error.description.contains(path))
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data("precious".utf8))
        // A dangling symlink counts as existing too.
        let link = folder.appendingPathComponent("dangling.h5").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: folder.appendingPathComponent("nowhere").path)
        #expect(throws: FormatError.self) { try KerasFileWriter.write(graph, to: link, format: .legacyH5Keras2) }

        try KerasFileWriter.write(graph, to: path, format: .legacyH5Keras2, overwrite: true)
        #expect(try KerasFile.open(path).loadGraph().nodes.count == graph.nodes.count)
        #expect(folderContents(folder) == ["dangling.h5", "m.h5"])
    }

    @Test("the input file is never written over, whatever the path spelling, even with overwrite")
    func inputProtected() throws {
        let folder = try TestFixtures.temporaryDirectory("writer-safety")
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("in.h5").path
        try KerasFileWriter.write(graph, to: input, format: .legacyH5Keras2)
        let before = try Data(contentsOf: URL(fileURLWithPath: input))
        let sub = folder.appendingPathComponent("sub")
        try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
        let symlink = folder.appendingPathComponent("alias.h5").path
        try FileManager.default.createSymbolicLink(atPath: symlink, withDestinationPath: input)
        let hardLink = folder.appendingPathComponent("hard.h5").path
        try FileManager.default.linkItem(atPath: input, toPath: hardLink)
        for spelling in [input, "\(sub.path)/../in.h5", symlink, hardLink] {
            let error = try #require(throws: FormatError.self, "\(spelling)") {
                try KerasFileWriter.write(graph, to: spelling, format: .legacyH5Keras3, overwrite: true, protecting: [input])
            }
            #expect(error.description.contains("input"), "\(error)")
        }
        // The architecture JSON is protected the same way.
        #expect(throws: FormatError.self) {
            try KerasFileWriter.write(graph, to: folder.appendingPathComponent("w.weights.h5").path, format: .weightsH5,
                                      overwrite: true, architectureJSONPath: input, protecting: [input])
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: input)) == before)
        // The shards of a sharded-weights input are inputs too.
        let index = folder.appendingPathComponent("w.weights.json").path
        try Data(#"{"metadata": {}, "weight_map": {"/layers/dense/vars": ["w_00000.weights.h5"]}}"#.utf8)
            .write(to: URL(fileURLWithPath: index))
        let shard = folder.appendingPathComponent("w_00000.weights.h5").path
        try before.write(to: URL(fileURLWithPath: shard))
        let shardError = try #require(throws: FormatError.self) {
            try KerasFileWriter.write(graph, to: shard, format: .weightsH5, overwrite: true, protecting: [index])
        }
        #expect(shardError.description.contains("input"), "\(shardError)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: shard)) == before)
        #expect(folderContents(folder) == ["alias.h5", "hard.h5", "in.h5", "sub", "w.weights.json", "w_00000.weights.h5"])
    }

    @Test("an unwritable folder gives one line naming the folder")
    func unwritableFolder() throws {
        let folder = try TestFixtures.temporaryDirectory("writer-safety")
        defer {
            chmod(folder.path, 0o755)
            try? FileManager.default.removeItem(at: folder)
        }
        // A path under a regular file: refused whoever runs the tests.
        let regular = folder.appendingPathComponent("plain").path
        try Data("x".utf8).write(to: URL(fileURLWithPath: regular))
        var error = try #require(throws: FormatError.self) {
            try KerasFileWriter.write(graph, to: "\(regular)/m.h5", format: .legacyH5Keras2)
        }
        #expect(error.description.contains("`\(regular)`") && error.description.contains("not a folder"), "\(error)")
        // A missing folder.
        error = try #require(throws: FormatError.self) {
            try KerasFileWriter.write(graph, to: "\(folder.path)/missing/m.h5", format: .keras)
        }
        #expect(error.description.contains("does not exist") && error.description.contains("missing"), "\(error)")
        // A read-only folder. chmod does not stop root, so as root use /proc, where nobody can create files.
        let readOnly: String
        if getuid() == 0 {
            readOnly = "/proc"
        } else {
            let locked = folder.appendingPathComponent("locked")
            try FileManager.default.createDirectory(at: locked, withIntermediateDirectories: true)
            chmod(locked.path, 0o500)
            readOnly = locked.path
        }
        for format in KerasWriteFormat.allCases {
            error = try #require(throws: FormatError.self, "\(format)") {
                try KerasFileWriter.write(graph, to: "\(readOnly)/\(outputName("m", format))", format: format)
            }
            #expect(error.description.contains("cannot write in the folder `\(readOnly)`"), "\(error)")
            #expect(!error.description.contains("\n"))
        }
        if getuid() != 0 { #expect(folderContents(URL(fileURLWithPath: readOnly)).isEmpty) }
    }

    @Test("a failure after the temporary files are complete leaves nothing behind", arguments: KerasWriteFormat.allCases)
    func failureMidway(_ format: KerasWriteFormat) throws {
        struct Injected: Error {}
        let folder = try TestFixtures.temporaryDirectory("writer-safety")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent(outputName("m", format)).path
        let json = format == .weightsH5 ? folder.appendingPathComponent("m.json").path : nil
        var seen: [String] = []
        let error = try #require(throws: FormatError.self) {
            try KerasFileWriter.write(graph, to: path, format: format, overwrite: false, architectureJSONPath: json,
                                      protecting: [], beforeCommit: { temporaryPaths in
                                          seen = temporaryPaths
                                          throw Injected()
                                      })
        }
        #expect(error.description.hasPrefix(path))
        // The temporary files existed, next to the output, and are gone now, with no output either.
        #expect(seen.count == (json == nil ? 1 : 2))
        #expect(seen.allSatisfy { URL(fileURLWithPath: $0).deletingLastPathComponent().path == folder.path })
        #expect(folderContents(folder).isEmpty, "left behind: \(folderContents(folder))")
    }

    @Test("a failure while writing leaves nothing behind (a duplicate weight path inside a nested model)")
    func failureWhileWriting() throws {
        // Two Sequential models, each with a Dense `d`, inside one nested Functional: tf_keras names both kernels
        // `d/kernel:0` in the nested model's group, which cannot hold both. The error comes while writing.
        func sequential(_ name: String) -> NestedModel {
            let input = InputLayer(common: LayerCommon(name: "\(name)_in"), batchShape: [nil, 2])
            let d = Dense(common: LayerCommon(name: "d"), units: 2,
                          weights: [Weight(name: "kernel", tensor: Tensor(shape: [2, 2], repeating: 1)),
                                    Weight(name: "bias", tensor: Tensor(shape: [2], repeating: 0))])
            return NestedModel(graph: ModelGraph(name: name, kind: .sequential,
                                                 nodes: [LayerNode(layer: input, calls: []),
                                                         LayerNode(layer: d, calls: [LayerCall(inputs: [TensorRef(layer: "\(name)_in")])])],
                                                 inputs: [TensorRef(layer: "\(name)_in")], outputs: [TensorRef(layer: "d")]))
        }
        let innerInput = InputLayer(common: LayerCommon(name: "i"), batchShape: [nil, 2])
        let inner = ModelGraph(name: "inner", kind: .functional, nodes: [
            LayerNode(layer: innerInput, calls: []),
            LayerNode(layer: sequential("s1"), calls: [LayerCall(inputs: [TensorRef(layer: "i")])]),
            LayerNode(layer: sequential("s2"), calls: [LayerCall(inputs: [TensorRef(layer: "s1")])]),
        ], inputs: [TensorRef(layer: "i")], outputs: [TensorRef(layer: "s2")])
        let outerInput = InputLayer(common: LayerCommon(name: "x"), batchShape: [nil, 2])
        let graph = ModelGraph(name: "outer", kind: .functional, nodes: [
            LayerNode(layer: outerInput, calls: []),
            LayerNode(layer: NestedModel(graph: inner), calls: [LayerCall(inputs: [TensorRef(layer: "x")])]),
        ], inputs: [TensorRef(layer: "x")], outputs: [TensorRef(layer: "inner")])

        let folder = try TestFixtures.temporaryDirectory("writer-safety")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("m.h5").path
        let error = try #require(throws: FormatError.self) {
            try KerasFileWriter.write(graph, to: path, format: .legacyH5Keras2)
        }
        #expect(error.description.contains("d/kernel:0"), "\(error)")
        #expect(folderContents(folder).isEmpty, "left behind: \(folderContents(folder))")
        // The Keras 3 dialect prefixes each with its Sequential model's name, so it can write the model.
        try KerasFileWriter.write(graph, to: path, format: .legacyH5Keras3)
        #expect(try KerasFile.open(path).loadGraph().nodes.count == 2)
    }
}

@Suite("Writers: format names")
struct WriteFormatNameTests {
    @Test func fromFileName() {
        #expect(KerasWriteFormat(fileName: "m.keras") == .keras)
        #expect(KerasWriteFormat(fileName: "dir.d/M.KERAS") == .keras)
        #expect(KerasWriteFormat(fileName: "m.weights.h5") == .weightsH5)
        #expect(KerasWriteFormat(fileName: "m.h5") == .legacyH5Keras2)
        #expect(KerasWriteFormat(fileName: "m.hdf5") == .legacyH5Keras2)
        #expect(KerasWriteFormat(fileName: "m.json") == nil)
        #expect(KerasWriteFormat(fileName: "m.weights.json") == nil)
    }

    @Test func fromCLIName() {
        #expect(KerasWriteFormat(cliName: "legacy-h5") == .legacyH5Keras2)
        #expect(KerasWriteFormat(cliName: "keras3-h5") == .legacyH5Keras3)
        #expect(KerasWriteFormat(cliName: "weights-h5") == .weightsH5)
        #expect(KerasWriteFormat(cliName: "keras") == .keras)
        #expect(KerasWriteFormat(cliName: "h5") == nil)
        for f in KerasWriteFormat.allCases { #expect(KerasWriteFormat(cliName: f.cliName) == f) }
    }
}
