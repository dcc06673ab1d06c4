/// Which Keras recurrent cell a layer runs.
public enum RecurrentKind: String, Sendable, Equatable {
    case simpleRNN = "SimpleRNN"
    case lstm = "LSTM"
    case gru = "GRU"

    /// Gate blocks along the kernels' column axis: 1 (SimpleRNN), 4 (LSTM: i, f, c, o), 3 (GRU: z, r, h).
    public var gates: Int {
        switch self {
        case .simpleRNN: return 1
        case .lstm: return 4
        case .gru: return 3
        }
    }

    /// States returned with `return_state`: h (and c for LSTM).
    public var stateCount: Int { self == .lstm ? 2 : 1 }

    /// The cell class Keras builds inside the layer (its snake-cased name is the cell's weight scope).
    public var cellClassName: String { rawValue + "Cell" }
}

/// The options `SimpleRNN`, `LSTM` and `GRU` share (Keras' `RNN` base class and the cell's arguments).
public struct RecurrentOptions: Sendable, Equatable {
    public var units: Int
    public var activation: Activation
    /// LSTM and GRU only (ignored by SimpleRNN).
    public var recurrentActivation: Activation
    public var useBias: Bool
    public var returnSequences: Bool
    public var returnState: Bool
    public var goBackwards: Bool
    /// Must be false to run: KerasPort does not keep states between predictions.
    public var stateful: Bool
    /// No effect on results.
    public var unroll: Bool
    /// tf_keras `time_major` (input `[time, batch, features]`); refused at inference when true.
    public var timeMajor: Bool
    /// Keras 3's `zero_output_for_mask` (Bidirectional sets it on its layers when `return_sequences`):
    /// masked steps output zeros instead of the previous output.
    public var zeroOutputForMask: Bool
    /// Training-only; kept for re-export.
    public var dropout: Double
    public var recurrentDropout: Double
    /// Keras 2's `implementation` (1 or 2); no effect on results.
    public var implementation: Int?
    public var seed: Int?
    public var kernelInitializer: KerasObject?
    public var recurrentInitializer: KerasObject?
    public var biasInitializer: KerasObject?
    public var kernelRegularizer: KerasObject?
    public var recurrentRegularizer: KerasObject?
    public var biasRegularizer: KerasObject?
    public var activityRegularizer: KerasObject?
    public var kernelConstraint: KerasObject?
    public var recurrentConstraint: KerasObject?
    public var biasConstraint: KerasObject?

    public init(units: Int, activation: Activation = Activation(.tanh, spelling: .name("tanh")),
                recurrentActivation: Activation = Activation(.sigmoid, spelling: .name("sigmoid")),
                useBias: Bool = true, returnSequences: Bool = false, returnState: Bool = false,
                goBackwards: Bool = false, stateful: Bool = false, unroll: Bool = false, timeMajor: Bool = false,
                zeroOutputForMask: Bool = false, dropout: Double = 0, recurrentDropout: Double = 0,
                implementation: Int? = nil, seed: Int? = nil,
                kernelInitializer: KerasObject? = .glorotUniform,
                recurrentInitializer: KerasObject? = KerasObject(className: "Orthogonal",
                                                                 config: .object([("gain", .number(1)), ("seed", .null)])),
                biasInitializer: KerasObject? = .zeros,
                kernelRegularizer: KerasObject? = nil, recurrentRegularizer: KerasObject? = nil,
                biasRegularizer: KerasObject? = nil, activityRegularizer: KerasObject? = nil,
                kernelConstraint: KerasObject? = nil, recurrentConstraint: KerasObject? = nil,
                biasConstraint: KerasObject? = nil) {
        self.units = units
        self.activation = activation
        self.recurrentActivation = recurrentActivation
        self.useBias = useBias
        self.returnSequences = returnSequences
        self.returnState = returnState
        self.goBackwards = goBackwards
        self.stateful = stateful
        self.unroll = unroll
        self.timeMajor = timeMajor
        self.zeroOutputForMask = zeroOutputForMask
        self.dropout = dropout
        self.recurrentDropout = recurrentDropout
        self.implementation = implementation
        self.seed = seed
        self.kernelInitializer = kernelInitializer
        self.recurrentInitializer = recurrentInitializer
        self.biasInitializer = biasInitializer
        self.kernelRegularizer = kernelRegularizer
        self.recurrentRegularizer = recurrentRegularizer
        self.biasRegularizer = biasRegularizer
        self.activityRegularizer = activityRegularizer
        self.kernelConstraint = kernelConstraint
        self.recurrentConstraint = recurrentConstraint
        self.biasConstraint = biasConstraint
    }
}

/// `SimpleRNN`, `LSTM` and `GRU`: one recurrent cell run over the time axis of `[batch, time, features]` input.
///
/// Weights, as Keras stores them (the cell's variables): `kernel` `[features, gates·units]`, `recurrent_kernel`
/// `[units, gates·units]`, then `bias` `[gates·units]` (a GRU with `reset_after` has `[2, 3·units]`: input bias,
/// recurrent bias) when `use_bias`.
///
/// Outputs: `[batch, time, units]` with `return_sequences`, else `[batch, units]`; with `return_state` the final
/// states follow, `[batch, units]` each (h, and c for LSTM).
public protocol RecurrentLayer: Layer {
    var kind: RecurrentKind { get }
    var options: RecurrentOptions { get set }
    /// The bias shape: `[gates·units]`, or `[2, 3·units]` for a GRU with `reset_after`.
    var biasShape: [Int] { get }
}

extension RecurrentLayer {
    public var biasShape: [Int] { [kind.gates * options.units] }

    /// The input `[batch, time, features]` with known `features`.
    func recurrentInput(_ shapes: [Shape]) throws -> (batch: Int?, time: Int?, features: Int) {
        let input = try singleRecurrentInput(shapes)
        guard input.count == 3, let f = input[2] else {
            throw inputError("expected input [batch, time, features] with known features, got \(input.kerasDescription)")
        }
        return (input[0], input[1], f)
    }

    /// The first input. Further tensors (a Keras 3 call's `initial_state`, or a `mask` computed by hand) are
    /// allowed in the graph, so the file can be inspected and converted; inference refuses them.
    func singleRecurrentInput(_ shapes: [Shape]) throws -> Shape {
        guard let first = shapes.first else { throw inputError("expected 1 input, got none") }
        return first
    }

    public func weightSpecs(inputShapes: [Shape]) throws -> [WeightSpec] {
        let (_, _, features) = try recurrentInput(inputShapes)
        guard options.units > 0 else { throw configError("`units` must be positive, got \(options.units)") }
        let width = kind.gates * options.units
        var specs = [WeightSpec(name: "kernel", shape: [features, width]),
                     WeightSpec(name: "recurrent_kernel", shape: [options.units, width])]
        if options.useBias { specs.append(WeightSpec(name: "bias", shape: biasShape)) }
        return specs
    }

    public func outputShapes(inputShapes: [Shape]) throws -> [Shape] {
        let (batch, time, _) = try recurrentInput(inputShapes)
        guard options.units > 0 else { throw configError("`units` must be positive, got \(options.units)") }
        let u: Int? = options.units
        var out: [Shape] = [options.returnSequences ? [batch, time, u] : [batch, u]]
        if options.returnState { out += Array(repeating: [batch, u], count: kind.stateCount) }
        return out
    }
}
