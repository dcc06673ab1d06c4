/// An error reading or writing a Keras file. Every message is one line that names the file, and where
/// it applies the layer or weight, and what was expected.
public struct FormatError: Error, CustomStringConvertible, Sendable {
    /// The file involved (may be empty when parsing a config held in memory).
    public var file: String
    /// The layer, weight or object path involved, if any.
    public var object: String?
    /// What went wrong, lower-case, no final period.
    public var reason: String

    package init(file: String = "", object: String? = nil, _ reason: String) {
        self.file = file
        self.object = object
        self.reason = reason
    }

    public var description: String {
        var s = file.isEmpty ? "" : "\(file): "
        if let object { s += "\(object): " }
        return Self.oneLine(s + reason)
    }

    /// `text` with control characters (a newline in a layer name, a libhdf5 message) written as escapes, so a
    /// message stays on one line whatever the file holds.
    static func oneLine(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return text }
        var out = String.UnicodeScalarView()
        for u in text.unicodeScalars {
            if u.value < 0x20 || u.value == 0x7F {
                out.append(contentsOf: "\\u{\(String(u.value, radix: 16))}".unicodeScalars)
            } else {
                out.append(u)
            }
        }
        return String(out)
    }

    /// The same error with `file` filled in when it was empty.
    package func inFile(_ path: String) -> FormatError {
        var e = self
        if e.file.isEmpty { e.file = path }
        return e
    }
}
