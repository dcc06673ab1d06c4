public import Foundation

// `URL` forms of the PyTorch export and safetensors reading (file URLs only).

extension PyTorchExport {
    /// Writes `model.py` and `model.safetensors` into the folder at a file URL (`write(to:)` with its path).
    public func write(to directory: URL) throws {
        guard directory.isFileURL else {
            throw PyTorchExportError("\(directory.absoluteString): not a file URL; the export writes local files only")
        }
        try write(to: directory.path)
    }
}

extension Safetensors {
    /// Reads a whole `.safetensors` file at a file URL (`read(path:)` with its path).
    public static func read(_ url: URL) throws -> (metadata: [String: String], tensors: [SafetensorsEntry]) {
        guard url.isFileURL else { throw SafetensorsError("\(url.absoluteString): not a file URL") }
        return try read(path: url.path)
    }
}
