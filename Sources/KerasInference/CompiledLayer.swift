import KerasGraph
import TensorModule

/// A layer ready to run for inputs of known shapes: weights re-laid-out and constants folded once, at compile time.
///
/// Instances are immutable and may be run from several threads at once.
package protocol CompiledLayer: Sendable {
    /// Runs the layer on one call's inputs (batch axis first), returning its outputs.
    func run(_ inputs: [Tensor]) throws -> [Tensor]
}

/// A Keras layer KerasPort can run. Each layer type conforms in `Layers/<Type>+Inference.swift`.
package protocol RunnableLayer: Layer {
    /// Prepares this layer to run on inputs of the given shapes (batch axis included, usually `nil`).
    func compile(inputShapes: [Shape]) throws -> any CompiledLayer
}

/// A compiled layer that can replace every denormal of its outputs by a zero of the same sign in its own pass, so
/// the plan need not check its outputs afterwards (see ``Denormals``).
protocol OutputFlushingLayer: CompiledLayer {
    /// This layer with that flush in its output pass.
    func flushingOutputs() -> any CompiledLayer
}

/// A compiled layer each of whose output values is one of its inputs' values or a zero (max pooling, padding,
/// cropping, reshaping): from inputs without denormals, which every tensor of a plan is (``Denormals``), it makes
/// outputs without them, so the plan does not check its outputs (a pass over them as long as the layer's own).
struct ValueSelectingLayer: CompiledLayer {
    let layer: any CompiledLayer
    /// For a channels-last `MaxPooling2D` with no folded zero padding: its window, for the layer before it to pool
    /// its own output band by band (``CompiledModel/poolFuse(_:outputSlots:)``).
    var maxPool: Ops.MaxPoolWindow?
    init(_ layer: any CompiledLayer, maxPool: Ops.MaxPoolWindow? = nil) { (self.layer, self.maxPool) = (layer, maxPool) }
    func run(_ inputs: [Tensor]) throws -> [Tensor] { try layer.run(inputs) }
}

/// A compiled layer made from a closure, for layers with nothing to prepare.
package struct ClosureLayer: CompiledLayer {
    let body: @Sendable ([Tensor]) throws -> [Tensor]
    package init(_ body: @escaping @Sendable ([Tensor]) throws -> [Tensor]) { self.body = body }
    package func run(_ inputs: [Tensor]) throws -> [Tensor] { try body(inputs) }
}

/// A compiled single-input, single-output layer from a closure.
package struct UnaryClosureLayer: CompiledLayer {
    let body: @Sendable (Tensor) throws -> Tensor
    package init(_ body: @escaping @Sendable (Tensor) throws -> Tensor) { self.body = body }
    package func run(_ inputs: [Tensor]) throws -> [Tensor] {
        guard inputs.count == 1 else { throw InferenceError("expected 1 input, got \(inputs.count)") }
        return [try body(inputs[0])]
    }
}

/// A single-input layer whose output pass (bias, activation) can also run element-wise steps of the layers that
/// follow it (Dense, convolutions): the execution plan fuses those layers into it.
struct OutputPassLayer: CompiledLayer {
    /// Runs the layer with extra post-ops appended to its output pass.
    let body: @Sendable (Tensor, [Ops.PostOp]) throws -> Tensor
    /// The post-ops fused so far.
    var postOps: [Ops.PostOp] = []
    /// Whether post-ops act on the output's last axis as columns (false e.g. for channels-first output or a
    /// softmax activation, where the plan must not fuse).
    let acceptsPostOps: Bool
    /// Where in `postOps` the second input (a fused residual `Add`'s other operand) is added, when there is one.
    private(set) var residualAt: Int?
    /// The layer's weights (by index in `Layer.weights`) that this compiled layer holds only as the direct GEMM
    /// kernel's packed copy: the plan drops its graph's reference to their values (see ``CompiledModel/graph``).
    var packedKernels: [Int: Ops.PackedKernel] = [:]
    /// What the plan needs to run this layer as one stage of a band-fused pair (a 1×1 convolution, a depthwise
    /// convolution; see ``CompiledModel/bandFuse(_:outputSlots:)``), when it can be one.
    var bandStage: BandStage?
    /// The layer run on the ReLU of its input, read as its kernel loads it (depthwise and separable convolutions),
    /// when it can be: the plan then drops a ReLU step before it (``CompiledModel/foldReLUIntoReaders(_:outputSlots:)``).
    var reluInputBody: (@Sendable (Tensor, [Ops.PostOp]) throws -> Tensor)?
    /// For an element-wise layer run as an output pass of its own (its input copied through these post-ops, then
    /// `postOps`): those post-ops.
    var elementwiseOps: [Ops.PostOp]?
    /// The layer with its output pass and then a max pooling of its output, band-fused (a separable convolution's
    /// ``Ops/separableConv2dMaxPooled(input:depthwiseKernel:pointwiseKernel:bias:strides:padding:dilation:activation:postOps:reluInput:pool:)``),
    /// or `nil` from the call where that path does not run (the plan then runs the layer and the pooling).
    var pooledBody: (@Sendable (Tensor, [Ops.PostOp], Ops.MaxPoolWindow) throws -> Tensor?)?

    init(acceptsPostOps: Bool, _ body: @escaping @Sendable (Tensor, [Ops.PostOp]) throws -> Tensor) {
        self.acceptsPostOps = acceptsPostOps
        self.body = body
    }

    /// A layer that runs `body(x, reluInput, postOps)`: with `reluInput` true on the ReLU of its input `x` as it
    /// reads it (the values of `body(relu(x), false, postOps)`), for ``readingReLUInput()``.
    init(acceptsPostOps: Bool, readsReLUInput: Bool,
         _ body: @escaping @Sendable (Tensor, _ reluInput: Bool, [Ops.PostOp]) throws -> Tensor) {
        self.init(acceptsPostOps: acceptsPostOps) { x, ops in try body(x, false, ops) }
        if readsReLUInput { reluInputBody = { x, ops in try body(x, true, ops) } }
    }

    /// This layer run on the ReLU of its input (`x <= 0 ? +0 : x`) as its kernel reads it, or `nil` when it cannot:
    /// no such form, or a residual operand already joined to it. (The copy is no band stage: the plan folds ReLUs
    /// after band fusion.)
    func readingReLUInput() -> OutputPassLayer? {
        guard let reluInputBody, residualAt == nil else { return nil }
        var copy = OutputPassLayer(acceptsPostOps: acceptsPostOps, reluInputBody)
        copy.postOps = postOps
        copy.packedKernels = packedKernels
        return copy
    }

    /// Whether this layer computes exactly Keras' `relu` of its one input (`x <= 0 ? +0 : x`) on inputs without
    /// denormals (which every tensor of a plan is): an element-wise ReLU run on its own, its denormal flush after it.
    var isPlainReLU: Bool {
        guard let ops = elementwiseOps, ops.count == 1, case .activation(let a) = ops[0], residualAt == nil,
              postOps.allSatisfy({ $0 == .flushDenormals }) else { return false }
        switch a {
        case .relu, .reluGeneral(0, nil, 0, _): return true
        default: return false
        }
    }

    func run(_ inputs: [Tensor]) throws -> [Tensor] {
        guard let at = residualAt else {
            guard inputs.count == 1 else { throw InferenceError("expected 1 input, got \(inputs.count)") }
            return [try body(inputs[0], postOps)]
        }
        guard inputs.count == 2 else { throw InferenceError("expected 2 inputs (with a fused Add's operand), got \(inputs.count)") }
        var ops = postOps
        ops.insert(.addTensor(inputs[1]), at: at)
        return [try body(inputs[0], ops)]
    }

    /// This layer with `ops` appended to its output pass.
    func appending(_ ops: [Ops.PostOp]) -> OutputPassLayer {
        var copy = self
        copy.postOps += ops
        return copy
    }

    /// This layer with a residual `Add` appended to its output pass: run with a second input, the `Add`'s other
    /// operand (of the output's shape), which the pass adds after flushing denormals (the plan's flush at the
    /// layer boundary) and applying `before` (a `CustomScaleLayer`'s scale); `nil` when it already has one.
    func addingResidual(before: [Ops.PostOp] = []) -> OutputPassLayer? {
        guard residualAt == nil, acceptsPostOps else { return nil }
        var copy = self
        copy.postOps.append(.flushDenormals)
        copy.postOps += before
        copy.residualAt = copy.postOps.count
        return copy
    }
}

/// A layer whose output pass is followed by the max pooling that alone reads its output, run as one step
/// (``CompiledModel/poolFuse(_:outputSlots:)``): band-fused where ``OutputPassLayer/pooledBody`` runs, else the
/// layer then the pooling. Either way the values of the two steps.
struct PooledOutputLayer: CompiledLayer {
    let layer: OutputPassLayer
    let window: Ops.MaxPoolWindow
    let pooling: any CompiledLayer

    func run(_ inputs: [Tensor]) throws -> [Tensor] {
        guard inputs.count == 1 else { throw InferenceError("expected 1 input, got \(inputs.count)") }
        if let body = layer.pooledBody, let y = try body(inputs[0], layer.postOps, window) { return [y] }
        return try pooling.run(try layer.run(inputs))
    }
}

/// A layer that is the identity at inference (Dropout, noise layers): the plan lets its input stand for its output.
struct IdentityLayer: CompiledLayer {
    func run(_ inputs: [Tensor]) throws -> [Tensor] {
        guard inputs.count == 1 else { throw InferenceError("expected 1 input, got \(inputs.count)") }
        return inputs
    }
}

/// An element-wise single-input layer that the plan can run as post-ops of the layer producing its input; run on
/// its own, it is `body`.
struct ElementwiseLayer: CompiledLayer {
    let body: @Sendable (Tensor) throws -> Tensor
    /// The same computation as post-ops over the input's last axis, or `nil` when it cannot be expressed so.
    let postOps: [Ops.PostOp]?

    init(postOps: [Ops.PostOp]?, _ body: @escaping @Sendable (Tensor) throws -> Tensor) {
        self.postOps = postOps
        self.body = body
    }

    func run(_ inputs: [Tensor]) throws -> [Tensor] {
        guard inputs.count == 1 else { throw InferenceError("expected 1 input, got \(inputs.count)") }
        return [try body(inputs[0])]
    }
}

/// An element-wise layer run as its post-ops over a copy of its input (see ``Ops/applyingPostOps(_:to:)``).
struct PostOpsLayer: CompiledLayer {
    let postOps: [Ops.PostOp]

    func run(_ inputs: [Tensor]) throws -> [Tensor] {
        guard inputs.count == 1 else { throw InferenceError("expected 1 input, got \(inputs.count)") }
        return [try Ops.applyingPostOps(postOps, to: inputs[0])]
    }
}

/// A convolution or max pooling that can take the zeros of a `ZeroPadding2D` feeding it into its own padding
/// (handled at the borders or in its packing, with no padded copy of the input): the plan folds such pairs (see
/// ``CompiledModel/foldZeroPadding(_:sources:outputSlots:)``).
protocol ZeroPaddingAbsorbing: RunnableLayer {
    /// This layer compiled to run on the padding layer's input (`inputShapes`, laid out as `format`) with
    /// `((top, bottom), (left, right))` zeros around its spatial axes first; `nil` when it cannot.
    func compile(inputShapes: [Shape], zeroPadding: ((Int, Int), (Int, Int)),
                 format: DataFormat) throws -> (any CompiledLayer)?
}
