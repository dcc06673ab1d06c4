public import Foundation
import HDF5

/// The one error type KerasPort's front door (``KerasModel``) throws: what kind of failure it is, the file, the
/// layer or weight involved when there is one, and a one-line description. The error of the module that failed
/// is kept as ``underlying`` for callers who want every detail.
public struct KerasPortError: Error, CustomStringConvertible, LocalizedError, Sendable {
    /// What kind of failure this is.
    public enum Kind: String, Sendable, Hashable {
        /// The file does not exist or cannot be read.
        case fileNotFound
        /// The file is not a Keras file KerasPort reads, or its content is broken or refused (hostile input).
        case invalidFile
        /// The model holds a layer or op KerasPort can read but not run (``KerasPortError/object`` names it).
        case unsupported
        /// The architecture does not fit together: shapes, weights, references.
        case invalidModel
        /// An input given to ``KerasModel/predict(_:)`` does not fit the model.
        case invalidInput
        /// Writing a file failed.
        case writeFailed
    }

    public var kind: Kind
    /// The file involved, when there is one.
    public var file: URL?
    /// The layer, weight or object involved (`layer `conv1` (Conv2D)`), when known.
    public var object: String?
    /// The one-line message, naming the file and object when known.
    public var message: String
    /// The error of the module that failed (`FormatError`, `HDF5Error`, `GraphError`, `InferenceError`, …).
    public var underlying: (any Error)?

    public init(kind: Kind, file: URL? = nil, object: String? = nil, message: String,
                underlying: (any Error)? = nil) {
        self.kind = kind
        self.file = file
        self.object = object
        self.message = message
        self.underlying = underlying
    }

    public var description: String { message }
    public var errorDescription: String? { message }

    /// `error` as a ``KerasPortError`` of `kind` (kept when it already is one), with the file filled in.
    static func wrapping(_ error: any Error, kind: Kind, file: URL?) -> KerasPortError {
        if let e = error as? KerasPortError { return e }
        var message = "\(error)"
        var object: String?
        var kind = kind
        switch error {
        case let e as FormatError:
            object = e.object
            message = file.map { e.inFile($0.path).description } ?? e.description
        case let e as HDF5Error:
            if e.code == .fileNotFound { kind = .fileNotFound }
        case let e as GraphError:
            kind = .invalidModel
            message = prefixed(e.description, file)
        case let e as InferenceError:
            message = prefixed(e.description, file)
            if e.description.contains("cannot be run by KerasPort") || e.description.contains("not supported") {
                kind = .unsupported
            }
        default:
            message = prefixed(message, file)
        }
        return KerasPortError(kind: kind, file: file, object: object, message: message,
                              underlying: error)
    }

    private static func prefixed(_ message: String, _ file: URL?) -> String {
        guard let file, !message.hasPrefix(file.path) else { return message }
        return "\(file.path): \(message)"
    }
}
