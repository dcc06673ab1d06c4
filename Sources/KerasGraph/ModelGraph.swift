/// One output tensor of one call of a layer: Keras' `(layer_name, node_index, tensor_index)` triple.
public struct TensorRef: Hashable, Sendable, CustomStringConvertible {
    public var layer: String
    public var node: Int
    public var tensor: Int

    public init(layer: String, node: Int = 0, tensor: Int = 0) {
        self.layer = layer
        self.node = node
        self.tensor = tensor
    }

    public var description: String { "\(layer)[\(node)][\(tensor)]" }
}

/// One call of a layer on some tensors (a Keras "inbound node"). A shared layer has several calls.
public struct LayerCall: Sendable, Equatable {
    /// The tensors passed in, in argument order (positional arguments first, then keyword arguments).
    public var inputs: [TensorRef]
    /// How the layer was called, when that is more than passing `inputs` (constants, keyword arguments such as
    /// `value=`, `initial_state=` or `use_causal_mask=True`); `nil` for the plain call on a tensor or a list of tensors.
    public var arguments: CallArguments?

    public init(inputs: [TensorRef], arguments: CallArguments? = nil) {
        self.inputs = inputs
        self.arguments = arguments
    }
}

/// A layer in a model, with the calls that wire it into the graph.
public struct LayerNode: Sendable {
    public var layer: any Layer
    /// Empty for an `InputLayer`; one entry per call otherwise.
    public var calls: [LayerCall]

    public init(layer: any Layer, calls: [LayerCall]) {
        self.layer = layer
        self.calls = calls
    }

    public var name: String { layer.name }
}

/// A Keras model: layers, how they are connected, and which tensors are its inputs and outputs.
///
/// Both Sequential and Functional models are held in this one form. A Sequential model keeps
/// `kind == .sequential` (so writers can write it back as one) and has its chain spelled out as calls,
/// beginning with an `InputLayer` node. Models used as layers inside other models are ``NestedModel`` layers.
///
/// The graph knows no file format.
public struct ModelGraph: Sendable {
    public enum Kind: String, Sendable, Equatable {
        case sequential = "Sequential"
        case functional = "Functional"
    }

    public var name: String
    public var kind: Kind
    /// Layers in Keras' `model.layers` order (for Sequential, with the InputLayer first).
    public var nodes: [LayerNode]
    /// The model's input tensors, in order (each the output of an `InputLayer`).
    public var inputs: [TensorRef]
    /// The model's output tensors, in order.
    public var outputs: [TensorRef]
    /// Weights owned by the model itself rather than a layer (`top_level_model_weights`); usually empty.
    public var topLevelWeights: [Weight]

    public init(name: String, kind: Kind, nodes: [LayerNode], inputs: [TensorRef], outputs: [TensorRef],
                topLevelWeights: [Weight] = []) {
        self.name = name
        self.kind = kind
        self.nodes = nodes
        self.inputs = inputs
        self.outputs = outputs
        self.topLevelWeights = topLevelWeights
    }

    /// The node whose layer is named `name`.
    public func node(named name: String) -> LayerNode? { nodes.first { $0.name == name } }

    /// The index in ``nodes`` of the layer named `name`.
    public func index(of name: String) -> Int? { nodes.firstIndex { $0.name == name } }
}
