/// A kernel was called with shapes or arguments it cannot work with.
///
/// Every kernel validates its inputs before touching memory and throws this error instead of
/// trapping, so malformed model files surface as one readable line, for example
/// `conv2d: kernel [3, 3, 4, 8] expects 4 input channels, input [1, 5, 5, 3] has 3`.
public struct TensorError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What kind of problem this is.
    public enum Kind: String, Sendable, Equatable {
        /// Shapes do not fit together (ranks, dimensions, element counts).
        case shapeMismatch
        /// A scalar argument is out of its domain (negative stride, zero groups, bad axis, …).
        case invalidArgument
        /// An index (e.g. an embedding id) is outside the table.
        case indexOutOfRange
        /// A size is too large to be represented (element count or BLAS dimension overflow).
        case overflow
    }

    /// What kind of problem this is.
    public var kind: Kind
    /// The kernel that failed, e.g. `conv2d`.
    public var operation: String
    /// One line saying what was expected and what was found.
    public var message: String

    /// Creates an error for `operation`.
    package init(_ kind: Kind, operation: String, message: String) {
        self.kind = kind
        self.operation = operation
        self.message = message
    }

    /// `"<operation>: <message>"`.
    public var description: String { "\(operation): \(message)" }

    static func shape(_ operation: String, _ message: String) -> TensorError {
        TensorError(.shapeMismatch, operation: operation, message: message)
    }

    static func argument(_ operation: String, _ message: String) -> TensorError {
        TensorError(.invalidArgument, operation: operation, message: message)
    }
}
