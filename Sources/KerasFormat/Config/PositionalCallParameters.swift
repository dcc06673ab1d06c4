import KerasGraph

/// A layer whose call takes several positional tensors (Keras 3 records `mha(q, v)` as two `args`), which Keras 2
/// records as the first argument plus the others by name (`[[q, 0, 0, {"value": v}]]`): the names let a Keras 3
/// call be written in the Keras 2 dialect.
protocol PositionalCallParameters {
    /// The names of the call's positional parameters, in order.
    var positionalParameterNames: [String] { get }
}

extension PositionalCallParameters {
    /// `arguments` with every positional argument after the first passed by name, the first as Keras 2 records a
    /// single tensor (a list of one).
    func keras2Arguments(_ arguments: CallArguments, object: String) throws -> CallArguments {
        let names = positionalParameterNames
        guard arguments.positional.count <= names.count else {
            throw FormatError(object: object, "cannot be written in the Keras 2 dialect: the call passes \(arguments.positional.count) positional arguments, more than the \(names.count) it has names for")
        }
        let first = arguments.positional[0]
        let head: CallValue = if case .tensor = first { .list([first]) } else { first }
        let named = arguments.positional.dropFirst().enumerated().map { CallKeyword(names[$0.offset + 1], $0.element) }
        return CallArguments(positional: [head], keywords: named + arguments.keywords)
    }
}

extension MultiHeadAttention: PositionalCallParameters {
    var positionalParameterNames: [String] { ["query", "value", "key"] }
}
