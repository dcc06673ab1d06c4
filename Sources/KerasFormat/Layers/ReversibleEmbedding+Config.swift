import KerasGraph

extension ReversibleEmbedding: ConfigEncodable {
    /// Decodes a Keras 3 `ReversibleEmbedding` config: the ``Embedding`` keys, `tie_weights` (default true),
    /// `reverse_dtype`, `logit_soft_cap`; and each recorded call's `reverse` (a keyword or the second positional
    /// argument, a constant bool; default false).
    package init(config c: LayerConfig) throws {
        var modes: [Bool] = []
        for call in c.calls {
            switch call.argument(1, "reverse") {
            case nil, .constant(.null)?: modes.append(false)
            case let .constant(.bool(b))?: modes.append(b)
            case let other?: throw c.error("a call's `reverse` must be a constant true or false, found \(other)")
            }
        }
        var cap: Double?
        if case .number? = c.value("logit_soft_cap") { cap = try c.double("logit_soft_cap") }
        if let cap, !(cap > 0) { throw c.error("`logit_soft_cap` must be positive, found \(cap)") }
        self.init(embedding: try Embedding(config: c), tieWeights: try c.bool("tie_weights", default: true),
                  reverseDtype: try c.string("reverse_dtype"), logitSoftCap: cap, callModes: modes)
    }

    /// The ``Embedding`` keys (Keras 3 dialect), then `tie_weights, reverse_dtype, logit_soft_cap`. The class is
    /// Keras 3 only (``KerasVersionRestricted``).
    package func configJSON(dialect: ConfigDialect) -> JSONValue {
        guard case let .object(m) = embedding.configJSON(dialect: dialect) else { return .null }
        return .object(m + [("tie_weights", .bool(tieWeights)), ("reverse_dtype", reverseDtype.map { .string($0) } ?? .null),
                            ("logit_soft_cap", logitSoftCap.map { .number($0) } ?? .null)])
    }
}

extension ReversibleEmbedding: KerasVersionRestricted {
    package func writeProblem(format: KerasWriteFormat) -> String? { keras3OnlyProblem(format) }
}
