import KerasGraph

extension LayerConfig {
    /// The roles of a `MultiHeadAttention`'s call inputs, from its recorded calls: Keras 3 `args`/`kwargs`
    /// (`mha(q, v, key=k, attention_mask=m, use_causal_mask=True)`) or tf_keras' first argument plus keywords
    /// (`[["q", 0, 0, {"value": ["v", 0, 0], …}]]`). Every call of a shared layer must have the same structure.
    /// No calls (a layer not called in the model): the plain `mha(query, value)`.
    func multiHeadAttentionRoles() throws -> MultiHeadAttentionRoles {
        try sameForEveryCall(calls.map(multiHeadAttentionRoles)) ?? .plain
    }

    private func multiHeadAttentionRoles(_ call: CallArguments) throws -> MultiHeadAttentionRoles {
        let names = ["query", "value", "key"]
        guard call.positional.count <= names.count else {
            throw error("a call passes \(call.positional.count) positional arguments; only query, value and key are supported positionally")
        }
        func tensor(_ index: Int, _ name: String, required: Bool) throws -> Int? {
            switch call.argument(index, name)?.unwrapped {
            case let .tensor(i)?: return i
            case nil, .constant(.null)?:
                if required { throw error("a call has no `\(name)` tensor") }
                return nil
            case let other?: throw error("a call's `\(name)` must be one tensor, found \(describe(other))")
            }
        }
        var roles = MultiHeadAttentionRoles(query: try tensor(0, "query", required: true)!,
                                            value: try tensor(1, "value", required: true)!,
                                            key: try tensor(2, "key", required: false))
        for k in call.keywords {
            switch k.name {
            case "query", "value", "key": continue
            case "attention_mask": roles.attentionMask = try tensor(Int.max, "attention_mask", required: false)
            case "use_causal_mask": roles.useCausalMask = try callFlag(k)
            case "return_attention_scores": roles.returnAttentionScores = try callFlag(k)
            case "training": try callConstant(k)
            case "query_mask", "value_mask", "key_mask":
                guard case .constant(.null) = k.value else {
                    throw error("a call passes `\(k.name)` explicitly; only `attention_mask` is supported")
                }
            default: throw error("a call passes `\(k.name)`, which KerasPort does not support")
            }
        }
        return roles
    }

    /// The options of an `Attention` / `AdditiveAttention` call `att([query, value, key?], …)`, and how many inputs
    /// (2 or 3) it has; `nil` when the layer is not called in the model.
    func dotAttentionCall() throws -> (options: DotAttentionOptions, inputCount: Int)? {
        let resolved = try calls.map { call throws -> DotAttentionCallStructure in
            guard call.positional.count <= 1 else {
                throw error("a call passes \(call.positional.count) positional arguments; expected the list [query, value, key]")
            }
            guard case let .list(items)? = call.argument(0, "inputs"), (2...3).contains(items.count),
                  items.enumerated().allSatisfy({ $0.element == .tensor($0.offset) }) else {
                throw error("a call's inputs must be a list of 2 or 3 tensors [query, value, key]")
            }
            var s = DotAttentionCallStructure(options: DotAttentionOptions(), inputCount: items.count)
            for k in call.keywords {
                switch k.name {
                case "inputs": continue
                case "use_causal_mask": s.options.useCausalMask = try callFlag(k)
                case "return_attention_scores": s.options.returnAttentionScores = try callFlag(k)
                case "training": try callConstant(k)
                case "mask":
                    guard k.value.tensorIndices.isEmpty else {
                        throw error("a call passes `mask` tensors explicitly (not supported)")
                    }
                default: throw error("a call passes `\(k.name)`, which KerasPort does not support")
                }
            }
            return s
        }
        return try sameForEveryCall(resolved).map { ($0.options, $0.inputCount) }
    }

    /// The one value every call resolves to; an error when a shared layer's calls differ.
    private func sameForEveryCall<T: Equatable>(_ values: [T]) throws -> T? {
        guard let first = values.first else { return nil }
        guard values.allSatisfy({ $0 == first }) else {
            throw error("the layer is called \(values.count) times with different arguments (roles of the inputs or options); a shared attention layer must be called the same way each time")
        }
        return first
    }

    private func callFlag(_ k: CallKeyword) throws -> Bool {
        switch k.value {
        case let .constant(.bool(b)): return b
        case .constant(.null): return false
        default: throw error("a call's `\(k.name)` must be true or false, found \(describe(k.value))")
        }
    }

    private func callConstant(_ k: CallKeyword) throws {
        guard case .constant = k.value else { throw error("a call's `\(k.name)` must be a constant, found \(describe(k.value))") }
    }

    private func describe(_ v: CallValue) -> String {
        switch v {
        case .tensor: return "a tensor"
        case let .constant(c): return c.kindName
        case .list: return "a list"
        case .dictionary: return "a dictionary"
        }
    }
}

private struct DotAttentionCallStructure: Equatable {
    var options: DotAttentionOptions
    var inputCount: Int
}
