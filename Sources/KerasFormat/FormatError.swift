/// An error reading or writing a Keras file. Every message is one line that names the file, and where
/// it applies the layer or weight, and what was expected.
public struct FormatError: Error, CustomStringConvertible, Sendable {
    /// The file involved (may be empty when parsing a config held in memory).
    public var file: String
    /// The layer, weight or object path involved, if any.
    public var object: String?
    /// What went wrong, lower-case, no final period.
    public var reason: String

    public init(file: String = "", object: String? = nil, _ reason: String) {
        self.file = file
        self.object = object
        self.reason = reason
    }

    public var description: String {
        var s = file.isEmpty ? "" : "\(file): "
        if let object { s += "\(object): " }
        return s + reason
    }

    /// The same error with `file` filled in when it was empty.
    public func inFile(_ path: String) -> FormatError {
        var e = self
        if e.file.isEmpty { e.file = path }
        return e
    }
}
