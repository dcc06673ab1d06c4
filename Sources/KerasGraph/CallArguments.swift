/// One argument of a layer call as the model config recorded it: a tensor (standing for an entry of
/// ``LayerCall/inputs``), a constant, or a list or dictionary of them.
///
/// Most layers are called on one tensor or a list of tensors and need nothing of this; op layers (`TFOpLambda`,
/// Keras 3 `keras.ops` calls), attention and recurrent layers take constants and keyword tensors (`y=2.0`,
/// `value=…`, `initial_state=[…]`, `use_causal_mask=True`), which their decoders read from here and the writers put
/// back.
public indirect enum CallValue: Sendable, Equatable {
    /// The tensor ``LayerCall/inputs``[`index`].
    case tensor(Int)
    /// A constant as the file spelled it: a number, string, bool, null, a list of them, or a serialized object
    /// (Keras 3 writes NumPy constants as `{"class_name": "__numpy__", …}`).
    case constant(JSONValue)
    /// A list (or tuple) holding at least one tensor.
    case list([CallValue])
    /// A dictionary holding at least one tensor, keys in the file's order.
    case dictionary([CallKeyword])

    /// The value itself, or the one item of a one-item list (Keras 2 records a single tensor argument as a list
    /// of one, `[[layer, node, tensor, kwargs]]`).
    public var unwrapped: CallValue {
        if case let .list(items) = self, items.count == 1 { return items[0] }
        return self
    }

    /// The indices of every tensor inside, in order.
    public var tensorIndices: [Int] {
        switch self {
        case let .tensor(i): return [i]
        case .constant: return []
        case let .list(items): return items.flatMap(\.tensorIndices)
        case let .dictionary(items): return items.flatMap(\.value.tensorIndices)
        }
    }
}

/// A named argument.
public struct CallKeyword: Sendable, Equatable {
    public var name: String
    public var value: CallValue
    public init(_ name: String, _ value: CallValue) {
        self.name = name
        self.value = value
    }
}

/// The arguments of one layer call: positional, then keyword, as the file recorded them. Tensors are indices
/// into the call's ``LayerCall/inputs``, which hold every tensor of the call in the order they appear here.
public struct CallArguments: Sendable, Equatable {
    public var positional: [CallValue]
    public var keywords: [CallKeyword]

    public init(positional: [CallValue], keywords: [CallKeyword] = []) {
        self.positional = positional
        self.keywords = keywords
    }

    /// The keyword argument `name`, or `nil`.
    public func keyword(_ name: String) -> CallValue? { keywords.first { $0.name == name }?.value }

    /// The positional argument at `index`, or else the keyword argument `name` (Python's binding of either form).
    public func argument(_ index: Int, _ name: String) -> CallValue? {
        index < positional.count ? positional[index] : keyword(name)
    }

    /// True for the plain form every ordinary layer call has: the tensors passed as one positional argument
    /// (a tensor, or a list of them in order) and nothing else but call options that do not change an inference
    /// result (`training` as a constant, `mask=None`).
    public var isPlain: Bool {
        let options = keywords.allSatisfy { k in
            switch (k.name, k.value) {
            case ("training", .constant(.bool)), ("training", .constant(.null)), ("mask", .constant(.null)): return true
            default: return false
            }
        }
        guard options, positional.count == 1 else { return false }
        switch positional[0] {
        case .tensor(0): return true
        case let .list(items):
            return items.enumerated().allSatisfy { i, v in v == .tensor(i) }
        default: return false
        }
    }
}
