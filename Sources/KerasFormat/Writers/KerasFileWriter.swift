import Foundation
import HDF5
public import KerasGraph

/// Writes a ``ModelGraph`` as a Keras file that real Keras loads: a legacy `.h5` (Keras 2 or Keras 3 dialect), a
/// Keras 3 `.weights.h5` (with the architecture JSON when asked), or a `.keras` archive.
///
/// Everything is written from the graph (never copied from an input file); weights keep their stored type (float16,
/// float32, float64; bfloat16 where the format has a form for it) and their bits.
///
/// ```swift
/// let graph = try KerasFile.open("old.h5").loadGraph()
/// try KerasFileWriter.write(graph, to: "new.keras", format: .keras, protecting: ["old.h5"])
/// ```
///
/// Safety: the output is built under a temporary name in its own folder and moved into place only when complete; on
/// any error the temporary file is removed and nothing is left behind. An existing output is refused unless
/// `overwrite`, and a path that is one of `inputPaths` (by device and inode, or resolved path) is always refused.
public struct KerasFileWriter {
    /// The `keras_version` written in Keras 2 dialect files: tf_keras 2.21.0, the Keras 2 these files are tested with.
    public static let keras2Version = "2.21.0"
    /// The `keras_version` written in Keras 3 files: Keras 3.15.1, the Keras 3 these files are tested with.
    public static let keras3Version = "3.15.1"

    /// Writes `graph` to `path` in `format`.
    ///
    /// - Parameters:
    ///   - graph: the model, with weights (e.g. from ``KerasFile/loadGraph()``).
    ///   - path: the output file.
    ///   - format: what to write; ``KerasWriteFormat/init(fileName:)`` infers it from a file name.
    ///   - overwrite: replace `path` (and `architectureJSONPath`) if it exists; refused otherwise.
    ///   - architectureJSONPath: also write the architecture as `model.to_json()` would (Keras 3 serialization, or the
    ///     tf_keras form for ``KerasWriteFormat/legacyH5Keras2``), the companion of a ``KerasWriteFormat/weightsH5``.
    ///   - inputPaths: files that must not be written over (the input the graph was read from, its architecture JSON).
    /// - Throws: ``FormatError`` with one line naming the output (and the layer, where one is at fault): a layer the
    ///   format cannot express, an output that exists or is an input, a folder that cannot be written, a failure while
    ///   writing.
    /// - Returns: the layers renamed on the way (slashes become underscores), empty for most models.
    @discardableResult
    public static func write(_ graph: ModelGraph, to path: String, format: KerasWriteFormat, overwrite: Bool = false,
                             architectureJSONPath: String? = nil,
                             protecting inputPaths: [String] = []) throws -> [ModelGraph.LayerRename] {
        let (renamed, renames) = renamedForWriting(graph, format: format)
        try write(renamed, to: path, format: format, overwrite: overwrite, architectureJSONPath: architectureJSONPath,
                  protecting: inputPaths, beforeCommit: nil)
        return renames
    }

    /// `graph` with the layer names `format` cannot hold renamed, and the renames.
    ///
    /// Keras 3 refuses `/` in layer names, which tf_keras allowed (its DenseNet has `conv1/conv`): every format
    /// written here is meant to load in Keras 3 (``KerasWriteFormat/legacyH5Keras2`` in Keras 2 and Keras 3), so
    /// each `/` becomes `_`, de-duplicated against every name in the model (``ModelGraph/renamingSlashes()``).
    /// Weights stay attached to their layers. Models without such names are returned unchanged.
    package static func renamedForWriting(_ graph: ModelGraph,
                                         format: KerasWriteFormat) -> (graph: ModelGraph, renames: [ModelGraph.LayerRename]) {
        guard format.refusesSlashInLayerNames else { return (graph, []) }
        return graph.renamingSlashes()
    }

    /// ``write(_:to:format:overwrite:architectureJSONPath:protecting:)`` with a hook that runs when every temporary
    /// file is complete, before they are moved into place (tests use it to fail a write midway).
    static func write(_ graph: ModelGraph, to path: String, format: KerasWriteFormat, overwrite: Bool,
                      architectureJSONPath: String?, protecting inputPaths: [String],
                      beforeCommit: ((_ temporaryPaths: [String]) throws -> Void)?) throws {
        // 1. Everything that can be checked in memory: what the format can express, the weights, the configs.
        // tf_keras op layers become the Keras 3 ops that compute the same, where a Keras 3 config names their module.
        var graph = graph
        if format == .keras || format == .weightsH5, KerasOpTranslation.hasTensorFlowOps(graph) {
            do {
                graph = try KerasOpTranslation.keras3(graph)
            } catch var e as FormatError {
                e.file = path
                throw e
            }
        }
        try WriteCompatibility.check(graph, format: format, file: path)
        do {
            _ = try GraphAnalysis.analyze(graph, inputShapes: nil, checkWeights: true)
        } catch let e as GraphError {
            throw FormatError(file: path, "cannot write this model: \(e.description)")
        }
        let modelConfig: String?
        switch format {
        case .legacyH5Keras2: modelConfig = PortableKeras2Config.make(try encode(graph, .keras2, file: path)).serialized()
        case .legacyH5Keras3: modelConfig = try encode(graph, .keras3, file: path).serialized()
        case .keras: modelConfig = try encode(graph, .kerasArchive, file: path).serialized()
        case .weightsH5: modelConfig = nil
        }
        let architectureJSON = try architectureJSONPath.map { _ in try toJSON(graph, format: format, file: path) }

        // 2. The destinations.
        if let json = architectureJSONPath, absolute(json) == absolute(path) {
            throw FormatError(file: path, "the architecture JSON must go to another file than the model")
        }
        let inputs = withShards(inputPaths)
        let main = try OutputFile.prepare(path, overwrite: overwrite,
                                          protecting: inputs + (architectureJSONPath.map { [$0] } ?? []))
        let json = try architectureJSONPath.map {
            try OutputFile.prepare($0, overwrite: overwrite, protecting: inputs + [path])
        }
        let outputs = [main] + (json.map { [$0] } ?? [])

        // 3. Write the temporary files, then move them into place.
        do {
            switch format {
            case .legacyH5Keras2, .legacyH5Keras3:
                try writeHDF5(at: main.temporaryPath) { h5 in
                    try LegacyH5Writer(dialect: format.dialect, file: path).write(graph, modelConfig: modelConfig ?? "", into: h5)
                }
            case .weightsH5:
                try writeHDF5(at: main.temporaryPath) { h5 in try V3WeightsWriter().write(graph, into: h5) }
            case .keras:
                try KerasArchiveWriter.write(graph, config: modelConfig ?? "", to: main.temporaryPath)
            }
            if let json, let architectureJSON {
                guard FileManager.default.createFile(atPath: json.temporaryPath, contents: Data(architectureJSON.utf8)) else {
                    throw FormatError(file: json.path, "cannot write the architecture JSON")
                }
            }
            try beforeCommit?(outputs.map(\.temporaryPath))
        } catch {
            for output in outputs { output.discard() }
            throw describe(error, path: path)
        }
        for (k, output) in outputs.enumerated() {
            do {
                try output.commit()
            } catch {
                for later in outputs[(k + 1)...] { later.discard() }
                for earlier in outputs[..<k] { earlier.retract() }
                throw describe(error, path: path)
            }
        }
    }

    /// The model config for `flavor`, with errors naming the output.
    static func encode(_ graph: ModelGraph, _ flavor: ModelConfigFlavor, file: String) throws -> JSONValue {
        do {
            return try ModelConfigEncoder.encode(graph, flavor: flavor)
        } catch let e as FormatError {
            throw FormatError(file: file, object: e.object, "cannot write the model config: \(e.reason)")
        }
    }

    /// What `model.to_json()` gives: Keras 3's serialization (the `.keras` `config.json` form), or for the Keras 2
    /// dialect tf_keras' `{"class_name", "config", "keras_version", "backend"}`.
    static func toJSON(_ graph: ModelGraph, format: KerasWriteFormat, file: String) throws -> String {
        guard format == .legacyH5Keras2 else { return try encode(graph, .kerasArchive, file: file).serialized() }
        guard case let .object(members) = PortableKeras2Config.make(try encode(graph, .keras2, file: file)) else {
            throw FormatError(file: file, "cannot write the model config: it is not a JSON object")
        }
        return JSONValue.object(members + [("keras_version", .string(keras2Version)), ("backend", .string("tensorflow"))])
            .serialized()
    }

    /// Creates the HDF5 file at `temporaryPath` (which must not exist), runs `body`, and closes the file.
    private static func writeHDF5(at temporaryPath: String, _ body: (HDF5File) throws -> Void) throws {
        let h5 = try HDF5File.create(at: temporaryPath, mode: .failIfExists)
        do {
            try body(h5)
            try h5.flush()
            try h5.close()
        } catch {
            try? h5.close()
            throw error
        }
    }

    /// The paths, plus the shard files of any sharded-weights index (`*.weights.json`) among them: they are inputs
    /// too.
    static func withShards(_ paths: [String]) -> [String] {
        var out = paths
        for path in paths where path.lowercased().hasSuffix(".json") {
            guard let text = try? KerasFile.readText(path, what: "sharded weights index", limit: 64 << 20),
                  let index = try? JSONValue.parse(text), case let .object(map)? = index["weight_map"] else { continue }
            let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
            for (_, value) in map {
                let names: [JSONValue]
                switch value {
                case let .array(a): names = a
                default: names = [value]
                }
                for case let .string(name) in names where !name.contains("/") {
                    out.append(folder.appendingPathComponent(name).path)
                }
            }
        }
        return out
    }

    private static func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }

    /// One line naming the output for any error met while writing (an HDF5 error names the temporary file, which the
    /// caller never sees, so it is reworded).
    private static func describe(_ error: any Error, path: String) -> FormatError {
        switch error {
        case let e as FormatError:
            return e.inFile(path)
        case let e as HDF5Error:
            var what = "cannot \(e.action)"
            if let attribute = e.attributeName { what += " attribute `\(attribute)`" + (e.objectPath == nil ? "" : " of") }
            if let object = e.objectPath { what += " `\(object)`" }
            return FormatError(file: path, "\(what): \(e.reason)")
        default:
            return FormatError(file: path, "cannot write: \(error)")
        }
    }
}
