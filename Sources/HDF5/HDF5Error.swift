internal import CHDF5

/// An error from the HDF5 layer: a failed libhdf5 call or input that failed validation.
///
/// The ``description`` is one line that names what was being done, the object and the file, the C
/// function that failed and the most specific message from libhdf5's error stack, for example
///
///     cannot open dataset '/model_weights/d1/d1/kernel:0' in 'x.h5': H5Dopen2: object 'kernel:0' doesn't exist
///
/// The whole libhdf5 error stack is kept in ``stack`` for debugging.
package struct HDF5Error: Error, CustomStringConvertible, Sendable {
    /// What kind of failure this is, for callers that want to react to some of them.
    package enum Code: Sendable, Hashable {
        /// The file does not exist (or a parent folder is missing).
        case fileNotFound
        /// The file exists but is not an HDF5 file (no HDF5 signature).
        case notHDF5
        /// A group, dataset, attribute or link does not exist.
        case objectNotFound
        /// Something with that name already exists.
        case alreadyExists
        /// The object exists but has another kind or element type than the operation needs.
        case typeMismatch
        /// A dataspace or shape is invalid or unsupported (rank above 32, null dataspace, …).
        case invalidShape
        /// The data would need more memory than the file can plausibly hold.
        case tooLarge
        /// An argument given by the caller is invalid (shape and value count disagree, …).
        case invalidArgument
        /// The object was already closed with `close()`.
        case closed
        /// The file points outside itself (an external link, external raw storage, a virtual dataset) or needs a
        /// filter plugin: refused before anything is read, the target never opened.
        case refused
        /// Any other failure reported by libhdf5.
        case library
    }

    /// One frame of libhdf5's error stack, outermost (the API function) first.
    package struct Frame: Sendable, Hashable, CustomStringConvertible {
        /// The libhdf5 function that pushed the frame, such as `H5Dopen2` or `H5G__loc_find_cb`.
        package var function: String
        /// The frame's own message, such as `object 'kernel:0' doesn't exist`.
        package var message: String
        /// libhdf5's major error class, such as `Dataset`.
        package var major: String
        /// libhdf5's minor error class, such as `Object not found`.
        package var minor: String

        /// `function(): message [major: minor]`, like libhdf5's own error printout.
        package var description: String { "\(function)(): \(message) [\(major): \(minor)]" }
    }

    /// The kind of failure.
    package var code: Code
    /// What was being done, as a verb phrase such as `open dataset`.
    package var action: String
    /// The file involved, as given when it was opened (or the name given to an in-memory file).
    package var filePath: String?
    /// The path of the object involved inside the file, such as `/model_weights/conv` (for an
    /// attribute, the object that carries it).
    package var objectPath: String?
    /// The attribute involved, if any, such as `layer_names`.
    package var attributeName: String?
    /// The libhdf5 function whose failure caused this error, if any.
    package var function: String?
    /// A one-line explanation: a validation message, or the most specific libhdf5 message.
    package var reason: String
    /// libhdf5's error stack at the moment of failure (empty for validation errors).
    package var stack: [Frame]

    /// Creates an error. The layer builds these through its error chokepoint; this initialiser is
    /// public so that tests and callers can construct or re-wrap errors.
    package init(
        code: Code, action: String, filePath: String? = nil, objectPath: String? = nil,
        attributeName: String? = nil, function: String? = nil, reason: String, stack: [Frame] = []
    ) {
        self.code = code
        self.action = action
        self.filePath = filePath
        self.objectPath = objectPath
        self.attributeName = attributeName
        self.function = function
        self.reason = reason
        self.stack = stack
    }

    /// One line: `cannot <action> '<object>' in '<file>': <function>: <reason>`, or for an
    /// attribute `cannot <action> attribute '<name>' of '<object>' in '<file>': …`.
    package var description: String {
        var text = "cannot \(action)"
        if let attributeName { text += " attribute '\(attributeName)'" + (objectPath == nil ? "" : " of") }
        if let objectPath { text += " '\(objectPath)'" }
        if let filePath { text += (objectPath == nil ? " '" : " in '") + filePath + "'" }
        text += ": "
        if let function { text += "\(function): " }
        text += reason
        return Self.oneLine(text)
    }

    /// `text` on one line: libhdf5 messages (a failed write reports a `ctime` ending in a newline) and names from
    /// a file may hold control characters; each run of them becomes one space.
    static func oneLine(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return text }
        var out = String.UnicodeScalarView()
        var previousWasControl = false
        for u in text.unicodeScalars {
            let control = u.value < 0x20 || u.value == 0x7F
            if control {
                if !previousWasControl { out.append(" ") }
            } else {
                out.append(u)
            }
            previousWasControl = control
        }
        return String(out)
    }

    /// The description followed by every frame of libhdf5's error stack, one per line.
    package var detailedDescription: String {
        ([description] + stack.enumerated().map { "  #\($0.offset): \($0.element)" }).joined(separator: "\n")
    }
}

/// Where an operation happened, for error messages.
struct ErrorContext {
    var action: String
    var file: String?
    var object: String?
    var attribute: String?

    init(action: String, file: String? = nil, object: String? = nil, attribute: String? = nil) {
        self.action = action
        self.file = file
        self.object = object
        self.attribute = attribute
    }

    /// A validation error (no libhdf5 call failed) in this context.
    func error(_ code: HDF5Error.Code, _ reason: String) -> HDF5Error {
        HDF5Error(code: code, action: action, filePath: file, objectPath: object, attributeName: attribute, reason: reason)
    }
}
