import KerasGraph
import TensorModule

// Keras masks at inference.
//
// Keras attaches a boolean mask `[batch, time]` to the output of `Embedding(mask_zero=True)` (index ≠ 0) and of
// `Masking` (any feature ≠ mask_value), and each later layer either passes it on, uses it, or drops it. KerasPort
// decides what happens to masks when it compiles a model (``MaskRule``, from the layer class, following Keras 3
// and tf_keras, whose rules agree here):
//
// - pass-through layers (element-wise, Dense, normalization, dropout/noise, activation layers): the output carries
//   the input's mask. This is aliasing decided at compile time; nothing runs.
// - merge layers (Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate on the last axis): the AND of
//   their inputs' masks.
// - consumers (SimpleRNN, LSTM, GRU, Bidirectional): run with the mask (``MaskConsumingLayer``); their sequence
//   outputs carry it on, states do not. GlobalAveragePooling1D with a mask runs as a masked average.
// - attention (MultiHeadAttention, Attention, AdditiveAttention): run with every input's mask
//   (``InputMasksConsumingLayer``), combined as Keras does (query mask `[B, T, 1]`, value and key masks
//   `[B, 1, S]`, an explicit `attention_mask` and the causal band, by logical and; Attention and
//   AdditiveAttention mask the value steps and zero the masked query rows); the first output carries the query's
//   mask on, as in both Keras generations.
// - layers Keras would *use* the mask in but KerasPort does not apply it for (Softmax, GroupedQueryAttention,
//   Concatenate along another axis, a TimeDistributed recurrent layer): compiling a model where a mask reaches one
//   of them is an error naming the layer.
// - every other layer drops the mask (Keras 3 drops it with a warning; tf_keras refuses to build such a model).
//
// A model without Embedding(mask_zero=True) or Masking has no masks, and its plan has no mask work at all.
// Masks do not cross nested-model boundaries: a mask made inside stays inside, and a mask reaching a nested model
// that holds a layer which would use it is an error. Keras 3 files also record masks as `mask` arguments of calls; the parser drops
// those Keras derived itself (see `ModelConfigParser.prunedMaskPlumbing`) and keeps others as inputs, which
// the recurrent layers refuse.

/// A compiled layer that uses the Keras mask of its first input.
protocol MaskConsumingLayer: CompiledLayer {
    /// Runs the layer with `mask` `[batch, time]` (1 = keep, 0 = masked), or `nil` when the input has none.
    func run(_ inputs: [Tensor], mask: Tensor?) throws -> [Tensor]
}

/// A compiled layer that uses the Keras masks of all its inputs (attention: query, value and key masks).
protocol InputMasksConsumingLayer: CompiledLayer {
    /// Runs the layer with one mask `[batch, steps]` (1 = keep, 0 = masked) or `nil` per input.
    func run(_ inputs: [Tensor], masks: [Tensor?]) throws -> [Tensor]
}

/// What a layer does with the masks of its inputs.
enum MaskRule {
    /// The outputs carry no mask.
    case drop
    /// Every output carries the first input's mask.
    case passThrough
    /// The layer runs with the first input's mask; the outputs flagged `true` carry it on.
    case consume(carries: [Bool])
    /// The layer runs with every input's mask (``InputMasksConsumingLayer``); the outputs flagged `true` carry
    /// the mask of input `carriedFrom` on.
    case consumePerInput(carriedFrom: Int, carries: [Bool])
    /// When a mask arrives, the step runs `replacement` with it instead (a layer whose masked form is another
    /// kernel: GlobalAveragePooling1D); its output carries no mask.
    case consumeWith(any MaskConsumingLayer)
    /// `Embedding(mask_zero=True)`: the output's mask is `input ≠ 0`.
    case notEqualZero
    /// `Masking`: the output's mask is `any(input ≠ value, axis=-1)`.
    case anyNotEqual(Float)
    /// Merge layers: the AND of the inputs' masks.
    case and
    /// Keras uses the mask here and KerasPort does not apply it: an error when a mask arrives.
    case unsupported(String)

    /// Classes that pass the mask on unchanged (Keras' `supports_masking = True` with the default `compute_mask`).
    static let passThroughClasses: Set<String> = [
        "Activation", "Dense", "Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "GaussianNoise",
        "GaussianDropout", "AlphaDropout", "ActivityRegularization", "Identity", "LeakyReLU", "PReLU", "ReLU", "ELU",
        "ThresholdedReLU", "BatchNormalization", "LayerNormalization", "GroupNormalization", "UnitNormalization",
        "Rescaling", "Normalization",
    ]
    static let mergeClasses: Set<String> = ["Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum"]
    static let usingClasses: Set<String> = [
        "Softmax", "GroupedQueryAttention", "Lambda", "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D",
    ]

    static func of(_ layer: any Layer) -> MaskRule {
        switch layer {
        case let e as Embedding: return e.maskZero ? .notEqualZero : .drop
        case let m as Masking: return .anyNotEqual(Float(m.maskValue))
        case let r as any RecurrentLayer:
            return .consume(carries: [r.options.returnSequences]
                            + Array(repeating: false, count: r.options.returnState ? r.kind.stateCount : 0))
        case let r as RNN:
            return .consume(carries: [r.returnSequences]
                            + Array(repeating: false, count: r.returnState ? (r.cells.last?.kind.stateCount ?? 0) : 0))
        case let b as Bidirectional:
            let seq = b.forward.options.returnSequences
            let merged = b.mergeMode == nil ? [seq, seq] : [seq]
            let states = b.forward.options.returnState ? 2 * b.forward.kind.stateCount : 0
            return .consume(carries: merged + Array(repeating: false, count: states))
        case let m as MultiHeadAttention:
            // Keras sets the query's mask on the attention output (not on the scores).
            return .consumePerInput(carriedFrom: m.roles.query, carries: [true] + (m.roles.returnAttentionScores ? [false] : []))
        case let a as Attention:
            return .consumePerInput(carriedFrom: 0, carries: [true] + (a.options.returnAttentionScores ? [false] : []))
        case let a as AdditiveAttention:
            return .consumePerInput(carriedFrom: 0, carries: [true] + (a.options.returnAttentionScores ? [false] : []))
        case let t as TimeDistributed:
            if t.layer is any RecurrentLayer || t.layer is Bidirectional || usingClasses.contains(t.layer.className)
                || t.layer is MultiHeadAttention || t.layer is Attention || t.layer is AdditiveAttention {
                return .unsupported("a TimeDistributed `\(t.layer.className)` would use the mask per step, which KerasPort does not do")
            }
            return .passThrough
        case let nested as NestedModel:
            // Keras passes a mask into a nested model; KerasPort does not, so a nested model with a layer that would
            // use it is refused rather than run without it.
            if let user = nested.graph.nodes.first(where: { node in
                switch MaskRule.of(node.layer) {
                case .consume, .consumePerInput, .consumeWith, .unsupported: return true
                default: return false
                }
            }) {
                return .unsupported("KerasPort does not pass masks into nested models, and `\(user.name)` (\(user.layer.className)) inside would use it")
            }
            return .drop
        case let g as GlobalAveragePooling1D:
            return .consumeWith(MaskedGlobalAveragePooling1D(channelsFirst: g.dataFormat == .channelsFirst,
                                                             keepDims: g.keepDims))
        case let c as Concatenate:
            return c.axis == -1 ? .and : .unsupported("Concatenate along axis \(c.axis) combines masks in a way KerasPort does not implement")
        default:
            if passThroughClasses.contains(layer.className) { return .passThrough }
            if mergeClasses.contains(layer.className) { return .and }
            if usingClasses.contains(layer.className) {
                return .unsupported("Keras applies the mask in this layer, which KerasPort does not")
            }
            return .drop
        }
    }
}

/// A mask computed by a step of the plan, into a mask slot.
enum MaskComputation: Sendable {
    /// `input ≠ 0` of the step's first input (Embedding).
    case notEqualZero(into: Int)
    /// `any(input ≠ value, axis=-1)` of the step's first input (Masking).
    case anyNotEqual(Float, into: Int)
    /// The AND of other mask slots (merge layers).
    case and([Int], into: Int)

    var slot: Int {
        switch self {
        case let .notEqualZero(s), let .anyNotEqual(_, s), let .and(_, s): return s
        }
    }

    func compute(inputs: [Tensor], slots: [Tensor?]) throws -> Tensor {
        switch self {
        case .notEqualZero:
            let x = inputs[0]
            return Tensor(shape: x.shape, scalars: x.scalars.map { $0 != 0 ? 1 : 0 })
        case let .anyNotEqual(value, _):
            let x = inputs[0]
            guard let features = x.shape.last, features > 0 else { return Tensor(shape: Array(x.shape.dropLast()), repeating: 0) }
            let rows = x.count / features
            var out = [Float](repeating: 0, count: rows)
            x.scalars.withUnsafeBufferPointer { p in
                for r in 0..<rows where (0..<features).contains(where: { p[r * features + $0] != value }) { out[r] = 1 }
            }
            return Tensor(shape: Array(x.shape.dropLast()), scalars: out)
        case let .and(sources, _):
            var result: Tensor?
            for s in sources {
                guard let m = slots[s] else { throw InferenceError("a mask was not computed") }
                guard var r = result else { result = m; continue }
                guard r.shape == m.shape else {
                    throw InferenceError("cannot combine masks of shapes \(r.shape) and \(m.shape)")
                }
                for i in r.scalars.indices where m.scalars[i] == 0 { r.scalars[i] = 0 }
                result = r
            }
            guard let result else { throw InferenceError("no mask to combine") }
            return result
        }
    }
}

/// GlobalAveragePooling1D with a mask, as Keras computes it: `sum(x·mask, steps) / sum(mask, steps)` (a row with
/// every step masked gives 0/0 = NaN, as in Keras).
struct MaskedGlobalAveragePooling1D: MaskConsumingLayer {
    let channelsFirst: Bool
    let keepDims: Bool

    func run(_ inputs: [Tensor]) throws -> [Tensor] {
        throw InferenceError("the masked GlobalAveragePooling1D needs its mask")
    }

    func run(_ inputs: [Tensor], mask: Tensor?) throws -> [Tensor] {
        guard inputs.count == 1, let x = inputs.first, x.rank == 3 else {
            throw InferenceError("expected one input [batch, steps, channels]")
        }
        let batch = x.shape[0]
        let (steps, channels) = channelsFirst ? (x.shape[2], x.shape[1]) : (x.shape[1], x.shape[2])
        guard let mask, mask.shape == [batch, steps] else {
            throw InferenceError("mask \(mask?.shape ?? []) does not match the input's [batch, steps] = [\(batch), \(steps)]")
        }
        var out = [Float](repeating: 0, count: batch * channels)
        for b in 0..<batch {
            var weight: Float = 0
            for t in 0..<steps { weight += mask.scalars[b * steps + t] }
            for c in 0..<channels {
                var sum: Float = 0
                for t in 0..<steps {
                    let v = channelsFirst ? x.scalars[(b * channels + c) * steps + t] : x.scalars[(b * steps + t) * channels + c]
                    sum += v * mask.scalars[b * steps + t]
                }
                out[b * channels + c] = sum / weight
            }
        }
        let shape = keepDims ? (channelsFirst ? [batch, channels, 1] : [batch, 1, channels]) : [batch, channels]
        return [Tensor(shape: shape, scalars: out)]
    }
}

/// The masks of an attention call combined as Keras does, as a `[B, 1, T, S]` tensor of 0/1 (1 = attend), or `nil`
/// when the call has no Keras mask: the query mask `[B, T]` as `[B, T, 1]`, each of `keyMasks` (value, key) `[B, S]`
/// as `[B, 1, S]`, and the explicit attention mask (rank 3 `[B, T, S]` or rank 4 `[B, heads, T, S]`, each axis 1 or
/// full; non-zero = attend, as both Keras generations cast it to bool once a Keras mask is present), all by logical
/// and. The causal band is left to the caller (combined by logical and as well).
func combinedAttentionMask(batch: Int, querySteps t: Int, keySteps s: Int, queryMask: Tensor?, keyMasks: [Tensor?],
                           explicit: Tensor?) throws -> Tensor? {
    let keys = keyMasks.compactMap { $0 }
    guard queryMask != nil || !keys.isEmpty else { return nil }
    if let q = queryMask, q.shape != [batch, t] {
        throw InferenceError("the query's Keras mask \(q.shape) does not match its [batch, steps] = [\(batch), \(t)]")
    }
    for k in keys where k.shape != [batch, s] {
        throw InferenceError("a value/key Keras mask \(k.shape) does not match its [batch, steps] = [\(batch), \(s)]")
    }
    var heads = 1
    var explicitShape: [Int] = []
    if let e = explicit {
        switch e.rank {
        case 3: explicitShape = [e.shape[0], 1, e.shape[1], e.shape[2]]
        case 4: explicitShape = e.shape; heads = e.shape[1]
        default: throw InferenceError("the attention mask \(e.shape) must have rank 3 or 4")
        }
        let full = [batch, heads, t, s]
        guard zip(explicitShape, full).allSatisfy({ $0 == 1 || $0 == $1 }) else {
            throw InferenceError("the attention mask \(e.shape) does not broadcast to [batch, query steps, key steps] = [\(batch), \(t), \(s)]")
        }
    }
    let es = explicitShape.isEmpty ? [] : explicitShape.indices.map { i in
        explicitShape[i] == 1 ? 0 : explicitShape[(i + 1)...].reduce(1, *)
    }
    var out = [Float](repeating: 0, count: batch * heads * t * s)
    for b in 0..<batch {
        for h in 0..<heads {
            for i in 0..<t {
                if let q = queryMask, q.scalars[b * t + i] == 0 { continue }
                for j in 0..<s {
                    if keys.contains(where: { $0.scalars[b * s + j] == 0 }) { continue }
                    if let e = explicit, e.scalars[b * es[0] + h * es[1] + i * es[2] + j * es[3]] == 0 { continue }
                    out[((b * heads + h) * t + i) * s + j] = 1
                }
            }
        }
    }
    return Tensor(shape: [batch, heads, t, s], scalars: out)
}
