/// A layer whose computation differs between the calls of its node, by a call argument the model config records
/// (ReversibleEmbedding's `reverse=True`): shapes are computed and the layer is compiled per call from
/// ``forCall(_:)``. Weights are the node's, shared by every call.
public protocol CallSpecificLayer: Layer {
    /// This layer as it runs in call `index` of its node.
    func forCall(_ index: Int) -> any Layer
}
