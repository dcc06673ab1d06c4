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

extension PositionalCallParameters {
    /// `arguments` as Keras 3 records them: tf_keras' first argument, a list of one tensor, becomes the tensor
    /// (Keras 3 would otherwise pass a list as the query).
    func keras3Arguments(_ arguments: CallArguments) -> CallArguments {
        guard let first = arguments.positional.first, case let .list(items) = first, items.count == 1,
              case .tensor = items[0] else { return arguments }
        var a = arguments
        a.positional[0] = items[0]
        return a
    }
}

/// A layer whose `.keras` `build_config` is not Keras' default `{"input_shape": …}` (Keras 3 calls
/// `build(**shapes_dict)` for layers whose `build` takes several shapes).
protocol CustomBuildConfig {
    /// The `build_config` for a first call with inputs of these shapes, or `nil` to write none.
    func archiveBuildConfig(inputShapes: [Shape?]) -> JSONValue?
}

/// `{"shapes_dict": {"query_shape", "value_shape", "key_shape"?}}` from a call's inputs and their roles, as Keras 3.15
/// writes it for `MultiHeadAttention` and `GroupedQueryAttention`.
func attentionBuildConfig(_ roles: MultiHeadAttentionRoles, _ shapes: [Shape?]) -> JSONValue? {
    func shape(_ i: Int) -> Shape?? { shapes.indices.contains(i) ? shapes[i] : nil }
    guard let q = shape(roles.query) ?? nil, let v = shape(roles.value) ?? nil else { return nil }
    var dict: [(String, JSONValue)] = [("query_shape", ConfigEncoding.shape(q)), ("value_shape", ConfigEncoding.shape(v))]
    if let k = roles.key, let ks = shape(k) ?? nil { dict.append(("key_shape", ConfigEncoding.shape(ks))) }
    return .object([("shapes_dict", .object(dict))])
}

extension MultiHeadAttention: CustomBuildConfig {
    func archiveBuildConfig(inputShapes: [Shape?]) -> JSONValue? { attentionBuildConfig(roles, inputShapes) }
}

extension GroupedQueryAttention: CustomBuildConfig {
    func archiveBuildConfig(inputShapes: [Shape?]) -> JSONValue? { attentionBuildConfig(roles, inputShapes) }
}

extension MultiHeadAttention: PositionalCallParameters {
    var positionalParameterNames: [String] { ["query", "value", "key"] }
}

extension GroupedQueryAttention: PositionalCallParameters {
    var positionalParameterNames: [String] { ["query", "value", "key"] }
}

/// A layer whose `.keras` config names its class differently from a legacy `.h5` config: Keras 3.15 writes
/// `GroupQueryAttention` (the exported name) in archives and `GroupedQueryAttention` (the Python class) in `.h5`, and
/// each loader resolves only its own.
protocol ArchiveClassName {
    var archiveClassName: String { get }
}

extension GroupedQueryAttention: ArchiveClassName {
    var archiveClassName: String { "GroupQueryAttention" }
}
