public import KerasGraph
public import TensorModule

/// A layer ready to run for inputs of known shapes: weights re-laid-out and constants folded once, at compile time.
///
/// Instances are immutable and may be run from several threads at once.
public protocol CompiledLayer: Sendable {
    /// Runs the layer on one call's inputs (batch axis first), returning its outputs.
    func run(_ inputs: [Tensor]) throws -> [Tensor]
}

/// A Keras layer KerasPort can run. Each layer type conforms in `Layers/<Type>+Inference.swift`.
public protocol RunnableLayer: Layer {
    /// Prepares this layer to run on inputs of the given shapes (batch axis included, usually `nil`).
    func compile(inputShapes: [Shape]) throws -> any CompiledLayer
}

/// A compiled layer made from a closure, for layers with nothing to prepare.
public struct ClosureLayer: CompiledLayer {
    let body: @Sendable ([Tensor]) throws -> [Tensor]
    public init(_ body: @escaping @Sendable ([Tensor]) throws -> [Tensor]) { self.body = body }
    public func run(_ inputs: [Tensor]) throws -> [Tensor] { try body(inputs) }
}

/// A compiled single-input, single-output layer from a closure.
public struct UnaryClosureLayer: CompiledLayer {
    let body: @Sendable (Tensor) throws -> Tensor
    public init(_ body: @escaping @Sendable (Tensor) throws -> Tensor) { self.body = body }
    public func run(_ inputs: [Tensor]) throws -> [Tensor] {
        guard inputs.count == 1 else { throw InferenceError("expected 1 input, got \(inputs.count)") }
        return [try body(inputs[0])]
    }
}
