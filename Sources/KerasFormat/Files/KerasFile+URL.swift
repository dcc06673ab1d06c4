public import Foundation
public import KerasGraph

// `URL` forms of the step-by-step API (the front door, `KerasModel(contentsOf:)`, takes URLs too). File URLs only:
// a model is read and written through libhdf5 and the file system, never fetched.

extension KerasFile {
    /// Opens the Keras model file at a file URL: `open(_:architecture:)` with the URLs' paths.
    /// - Throws: `FormatError` naming the URL when it is not a file URL, else as `open(_:architecture:)`.
    public static func open(_ url: URL, architecture: URL? = nil) throws -> KerasFile {
        try open(try filePath(url), architecture: try architecture.map(filePath))
    }
}

extension KerasFileWriter {
    /// Writes `graph` to a file URL: `write(_:to:format:overwrite:architectureJSONPath:protecting:)` with paths.
    /// - Throws: `FormatError` naming the URL when it is not a file URL, else as the path form.
    @discardableResult
    public static func write(_ graph: ModelGraph, to url: URL, format: KerasWriteFormat, overwrite: Bool = false,
                             architectureJSON: URL? = nil,
                             protecting inputs: [URL] = []) throws -> [ModelGraph.LayerRename] {
        try write(graph, to: try filePath(url), format: format, overwrite: overwrite,
                  architectureJSONPath: try architectureJSON.map(filePath), protecting: try inputs.map(filePath))
    }
}

/// The path of a file URL; any other URL is refused (KerasPort reads and writes local files only).
private func filePath(_ url: URL) throws -> String {
    guard url.isFileURL else {
        throw FormatError(file: url.absoluteString, "not a file URL; KerasPort reads and writes local files only")
    }
    return url.path
}
