import Foundation
import HDF5
public import KerasGraph
import TensorModule

/// An opened Keras model file: its format, the model graph from its architecture, and a catalog of where each
/// layer's weights are. Opening reads the architecture and the weights' names, shapes and types only;
/// ``loadGraph()`` reads the values.
///
/// ```swift
/// let file = try KerasFile.open("model.h5")               // or .keras, .weights.h5 + architecture:
/// let graph = try file.loadGraph()                        // typed layers with weights
/// ```
///
/// Not `Sendable` (it keeps the HDF5 file open); the ``ModelGraph`` it returns is.
public final class KerasFile {
    /// The path given to ``open(_:architecture:)``.
    public let path: String
    public let format: KerasFileFormat
    /// `keras_version` as the file states it (`metadata.json` for `.keras`); `nil` when absent (Keras 1).
    public let kerasVersion: String?
    /// `backend` as the file states it, if any.
    public let backend: String?
    /// The config dialect the architecture was read in.
    package let dialect: ConfigDialect
    /// The model graph, with no weight values (see ``loadGraph()``).
    public let architecture: ModelGraph
    /// The analysis of ``architecture`` (shapes, order) — weights not checked.
    package let analysis: GraphAnalysis
    /// Where each layer's weights are in the file.
    package let assignment: WeightAssignment
    /// The path of the architecture JSON used, when it came from a separate file.
    public let architecturePath: String?

    /// Keeps the HDF5 files (and in-memory images) open for on-demand reads.
    private let keepAlive: [AnyObject]

    private init(path: String, format: KerasFileFormat, kerasVersion: String?, backend: String?, dialect: ConfigDialect,
                 architecture: ModelGraph, analysis: GraphAnalysis, assignment: WeightAssignment,
                 architecturePath: String?, keepAlive: [AnyObject]) {
        self.path = path
        self.format = format
        self.kerasVersion = kerasVersion
        self.backend = backend
        self.dialect = dialect
        self.architecture = architecture
        self.analysis = analysis
        self.assignment = assignment
        self.architecturePath = architecturePath
        self.keepAlive = keepAlive
    }

    // MARK: - Opening

    /// Opens a Keras file of any supported kind, detected from its content (not its name).
    ///
    /// - Parameters:
    ///   - path: the model or weights file.
    ///   - architecture: a `model.to_json()` file, needed for weights-only files; for full-model files it
    ///     replaces the file's own architecture.
    /// - Throws: ``FormatError`` (or `HDF5Error`) with one line naming the file and what was wrong.
    public static func open(_ path: String, architecture: String? = nil) throws -> KerasFile {
        do {
            return try openFile(path, architecture: architecture)
        } catch let e as GraphError {
            // A layer that cannot take its input (found while matching weights): name the file too.
            throw FormatError(file: architecture ?? path, e.description)
        }
    }

    private static func openFile(_ path: String, architecture: String?) throws -> KerasFile {
        let kind = try sniff(path)
        let archJSON: String? = try architecture.map { try readText($0, what: "architecture JSON") }
        switch kind {
        case .zip:
            return try openArchive(path, architecture: archJSON, architecturePath: architecture)
        case .json:
            return try openSharded(path, architecture: archJSON, architecturePath: architecture)
        case .hdf5:
            return try openHDF5(path, architecture: archJSON, architecturePath: architecture)
        }
    }

    private enum Sniffed { case hdf5, zip, json }

    /// Looks at the first bytes: HDF5 signature, ZIP local header, or JSON.
    private static func sniff(_ path: String) throws -> Sniffed {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw FormatError(file: path, "no such file")
        }
        guard !isDir.boolValue else { throw FormatError(file: path, "is a directory, not a Keras file") }
        guard let handle = FileHandle(forReadingAtPath: path) else { throw FormatError(file: path, "cannot be read (permission denied?)") }
        defer { try? handle.close() }
        let head = [UInt8]((try? handle.read(upToCount: 1024)) ?? Data())
        if head.starts(with: [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]) { return .hdf5 }
        if head.starts(with: [0x50, 0x4b, 0x03, 0x04]) || head.starts(with: [0x50, 0x4b, 0x05, 0x06]) { return .zip }
        if let first = head.first(where: { ![0x20, 0x09, 0x0a, 0x0d].contains($0) }), first == UInt8(ascii: "{") { return .json }
        // HDF5 allows a user block: the signature may sit at 512, 1024, 2048, … bytes; let libhdf5 decide.
        if (try? HDF5File.open(at: path)) != nil { return .hdf5 }
        throw FormatError(file: path, "not a Keras file: expected an HDF5 file (.h5), a .keras archive (ZIP) or a .weights.json")
    }

    static func readText(_ path: String, what: String, limit: Int = 256 << 20) throws -> String {
        guard FileManager.default.fileExists(atPath: path) else { throw FormatError(file: path, "no such file (\(what))") }
        // The size of the file itself, not of a symbolic link naming it.
        let attrs = try? FileManager.default.attributesOfItem(atPath: URL(fileURLWithPath: path).resolvingSymlinksInPath().path)
        if let size = attrs?[.size] as? Int, size > limit {
            throw FormatError(file: path, "\(what) is \(size) bytes, above the \(limit)-byte limit")
        }
        guard let data = FileManager.default.contents(atPath: path) else { throw FormatError(file: path, "cannot be read") }
        guard let text = String(data: data, encoding: .utf8) else { throw FormatError(file: path, "\(what) is not UTF-8 text") }
        return text
    }

    private static func parseArchitecture(_ json: String, path: String, kerasVersion: String?) throws -> ModelGraph {
        try ModelConfigParser.parse(json: json, kerasVersion: kerasVersion, file: path)
    }

    private static func parseAndAnalyze(_ json: String, path: String, kerasVersion: String?) throws -> (ModelGraph, GraphAnalysis) {
        let graph = try parseArchitecture(json, path: path, kerasVersion: kerasVersion)
        return (graph, try analyze(graph, file: path))
    }

    private static func analyze(_ graph: ModelGraph, file: String) throws -> GraphAnalysis {
        do {
            return try GraphAnalysis.analyze(graph, inputShapes: nil, checkWeights: false)
        } catch let e as GraphError {
            throw FormatError(file: file, e.description)
        }
    }

    /// The architecture parsed and analysed on another thread (``BackgroundWork``) while this one reads the weights'
    /// catalog: the parse is pure Swift and the catalog goes through libhdf5 (DenseNet121's `.keras`: a 13 ms parse
    /// beside 60 ms of HDF5 walks). Its errors come as the in-order parse throws them; every caller waits for it
    /// before returning, also when the weights fail (their error is then the one thrown, as when the parse came
    /// after them).
    private static func parseInBackground(_ json: String, path: String,
                                          kerasVersion: String?) -> BackgroundWork<Result<(ModelGraph, GraphAnalysis), any Error>> {
        BackgroundWork { Result { try parseAndAnalyze(json, path: path, kerasVersion: kerasVersion) } }
    }

    private static func openHDF5(_ path: String, architecture: String?, architecturePath: String?) throws -> KerasFile {
        let h5 = try HDF5File.open(at: path)
        try h5.checkSelfContained()
        let root = try h5.rootGroup()
        let attrs = root.attributes
        if try attrs.contains("layer_names") || attrs.contains("layer_names0") {
            // save_weights (Keras 1/2): weights at the root; architecture from the separate JSON.
            let weights = try LegacyWeights.read(root: root, file: path)
            guard let architecture else {
                throw FormatError(file: path, "weights-only file (save_weights): pass the architecture JSON with --config (model.to_json())")
            }
            let dialect = KerasFile.dialect(version: weights.kerasVersion ?? "1")
            let graph = try parseArchitecture(architecture, path: architecturePath ?? path, kerasVersion: weights.kerasVersion ?? "1")
            let analysis = try analyze(graph, file: architecturePath ?? path)
            let assignment = try WeightAssignment.legacy(weights, graph: graph, analysis: analysis, path: path)
            return KerasFile(path: path, format: .legacyWeightsH5, kerasVersion: weights.kerasVersion, backend: weights.backend,
                             dialect: dialect, architecture: graph, analysis: analysis, assignment: assignment,
                             architecturePath: architecturePath, keepAlive: [h5])
        }
        if try root.objectKind(at: "model_weights") == .group {
            let mw = try root.group(at: "model_weights")
            // The architecture and the version it is read in, where they can be read at once without an error, are
            // parsed while the weights' catalog is read; used only if the steps below read the same ones (else, or
            // on any error here, everything happens in order as before).
            let early: (json: String, kerasVersion: String, parse: BackgroundWork<Result<(ModelGraph, GraphAnalysis), any Error>>)? = {
                guard let json = try? architecture ?? (attrs.contains("model_config") ? attrs.string(named: "model_config") : nil),
                      let rootVersion = try? (attrs.contains("keras_version") ? attrs.string(named: "keras_version") : nil) as String??,
                      let weightsVersion = try? (mw.attributes.contains("keras_version") ? mw.attributes.string(named: "keras_version") : nil) as String??
                else { return nil }
                let version = rootVersion ?? weightsVersion ?? "1"
                return (json, version, parseInBackground(json, path: architecturePath ?? path, kerasVersion: version))
            }()
            defer { early?.parse.wait() }
            let weights = try LegacyWeights.read(root: mw, file: path)
            let rootVersion = try attrs.contains("keras_version") ? try attrs.string(named: "keras_version") : nil
            let version = rootVersion ?? weights.kerasVersion
            let rootBackend = try attrs.contains("backend") ? try attrs.string(named: "backend") : nil
            let json: String
            if let early {
                json = early.json   // read above, from `architecture` or the attribute, as the branches below would
            } else if let architecture {
                json = architecture
            } else if try attrs.contains("model_config") {
                json = try attrs.string(named: "model_config")
            } else {
                throw FormatError(file: path, "no `model_config` attribute: pass the architecture JSON with --config")
            }
            let (graph, analysis) = if let early, early.kerasVersion == version ?? "1" {
                try early.parse.wait().get()
            } else {
                try parseAndAnalyze(json, path: architecturePath ?? path, kerasVersion: version ?? "1")
            }
            let assignment = try WeightAssignment.legacy(weights, graph: graph, analysis: analysis, path: path)
            return KerasFile(path: path, format: .legacyH5, kerasVersion: version, backend: rootBackend ?? weights.backend,
                             dialect: KerasFile.dialect(version: version ?? "1", fallback: graph),
                             architecture: graph, analysis: analysis, assignment: assignment,
                             architecturePath: architecturePath, keepAlive: [h5])
        }
        for marker in ["layers", "vars", "_layer_checkpoint_dependencies"] where try root.objectKind(at: marker) == .group {
            var v3 = V3Weights()
            try v3.add(file: h5, name: path)
            try v3.finish()
            guard let architecture else {
                throw FormatError(file: path, "Keras 3 weights file (.weights.h5): pass the architecture JSON with --config (model.to_json())")
            }
            let graph = try parseArchitecture(architecture, path: architecturePath ?? path, kerasVersion: nil)
            let analysis = try analyze(graph, file: architecturePath ?? path)
            return KerasFile(path: path, format: .weightsH5, kerasVersion: nil, backend: nil,
                             dialect: KerasFile.dialect(version: nil, fallback: graph),
                             architecture: graph, analysis: analysis,
                             assignment: WeightAssignment.v3(v3, graph: graph, analysis: analysis),
                             architecturePath: architecturePath, keepAlive: [h5])
        }
        throw FormatError(file: path, "an HDF5 file, but not a Keras file: no `model_weights`, `layer_names` or `layers` at its root")
    }

    private static func openArchive(_ path: String, architecture: String?, architecturePath: String?) throws -> KerasFile {
        let zip = try KerasArchiveReader(path: path)
        let config = try architecture ?? zip.text("config.json")
        var version: String?
        if let meta = try? zip.text("metadata.json", limit: 1 << 20), let m = try? JSONValue.parse(meta),
           case let .string(v)? = m["keras_version"] {
            version = v
        }
        let configPath = architecturePath ?? "\(path)/config.json"
        let parse = parseInBackground(config, path: configPath, kerasVersion: version)
        defer { parse.wait() }
        let h5: HDF5File
        if let stored = zip.storedRange("model.weights.h5") {
            // Stored uncompressed (as Keras writes it): read in place, memory-mapped, not extracted.
            h5 = try HDF5File.open(mapping: path, offset: stored.offset, length: stored.length, name: "\(path)/model.weights.h5")
        } else {
            guard let weightsData = try zip.bytes("model.weights.h5", expectingHDF5: true) else {
                if zip.memberNames.contains("model.weights.npz") {
                    throw FormatError(file: path, "the archive holds model.weights.npz (weights_format=\"npz\"), which KerasPort does not read")
                }
                throw FormatError(file: path, "the .keras archive has no `model.weights.h5`")
            }
            h5 = try HDF5File.open(image: weightsData, name: "\(path)/model.weights.h5")
        }
        try h5.checkSelfContained()
        var v3 = V3Weights()
        try v3.add(file: h5, name: "\(path)/model.weights.h5")
        try v3.finish()
        let (graph, analysis) = try parse.wait().get()
        return KerasFile(path: path, format: .kerasArchive, kerasVersion: version, backend: nil,
                         dialect: KerasFile.dialect(version: version, fallback: graph),
                         architecture: graph, analysis: analysis,
                         assignment: WeightAssignment.v3(v3, graph: graph, analysis: analysis),
                         architecturePath: architecturePath, keepAlive: [h5])
    }

    private static func openSharded(_ path: String, architecture: String?, architecturePath: String?) throws -> KerasFile {
        let text = try readText(path, what: "sharded weights index", limit: 64 << 20)
        let index: JSONValue
        do { index = try JSONValue.parse(text) } catch { throw FormatError(file: path, "malformed JSON: \(error)") }
        guard case let .object(map)? = index["weight_map"] else {
            throw FormatError(file: path, "a JSON file, but not a sharded weights index: no `weight_map` object")
        }
        var shardNames: [String] = []
        for (key, value) in map {
            let files: [JSONValue]
            switch value {
            case let .array(a): files = a
            case .string: files = [value]
            default: throw FormatError(file: path, object: key, "`weight_map` entries must list shard file names")
            }
            for f in files {
                guard case let .string(name) = f else { throw FormatError(file: path, object: key, "shard names must be strings") }
                guard !name.isEmpty, !name.contains("/"), !name.contains("\\"), name != "..", name != ".",
                      !name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
                    throw FormatError(file: path, object: key, "shard name `\(name)` must be a plain file name in the index's folder")
                }
                if !shardNames.contains(name) { shardNames.append(name) }
            }
        }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        var v3 = V3Weights()
        var files: [HDF5File] = []
        for name in shardNames {
            let shardPath = folder.appendingPathComponent(name).path
            let h5: HDF5File
            do {
                h5 = try HDF5File.open(at: shardPath)
                try h5.checkSelfContained()
            } catch {
                throw FormatError(file: path, object: "shard `\(name)`", "\(error)")
            }
            try v3.add(file: h5, name: shardPath)
            files.append(h5)
        }
        try v3.finish()
        guard let architecture else {
            throw FormatError(file: path, "sharded weights: pass the architecture JSON with --config (model.to_json())")
        }
        let graph = try parseArchitecture(architecture, path: architecturePath ?? path, kerasVersion: nil)
        let analysis = try analyze(graph, file: architecturePath ?? path)
        return KerasFile(path: path, format: .shardedWeights, kerasVersion: nil, backend: nil,
                         dialect: KerasFile.dialect(version: nil, fallback: graph),
                         architecture: graph, analysis: analysis,
                         assignment: WeightAssignment.v3(v3, graph: graph, analysis: analysis),
                         architecturePath: architecturePath, keepAlive: files)
    }

    private static func dialect(version: String?, fallback graph: ModelGraph? = nil) -> ConfigDialect {
        if let v = version, let d = ModelConfigParser.dialect(forKerasVersion: v) { return d }
        return .keras3
    }
}
