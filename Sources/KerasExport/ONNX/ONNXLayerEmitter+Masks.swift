import KerasGraph
import ONNXProto
import TensorModule

/// What a layer does with the Keras masks of its inputs in the exported graph: the rules KerasPort's inference
/// follows (Keras 3 and tf_keras agree here). A mask is a float `[batch, time]` tensor, 1 = keep. A layer Keras
/// would use a mask in and the export does not apply it for is refused when a mask reaches it, never exported
/// without it.
enum ONNXMaskRule {
    case drop
    case passThrough
    /// Recurrent layers: run with the first input's mask; the outputs flagged carry it on.
    case consume(carries: [Bool])
    /// Attention layers: run with every input's mask; the outputs flagged carry the mask of input `carriedFrom`.
    case consumePerInput(carriedFrom: Int, carries: [Bool])
    /// GlobalAveragePooling1D: a masked average when a mask arrives; no mask out.
    case maskedAverage
    /// `Embedding(mask_zero=True)`: `input ≠ 0`.
    case notEqualZero
    /// `Masking`: `any(input ≠ value, axis=-1)`.
    case anyNotEqual(Float)
    /// Merges: the AND of the inputs' masks.
    case and
    case unsupported(String)

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

    static func of(_ layer: any Layer) -> ONNXMaskRule {
        switch layer {
        case let e as Embedding: return e.maskZero ? .notEqualZero : .drop
        case let m as Masking: return .anyNotEqual(Float(m.maskValue))
        case let r as any RecurrentLayer:
            return .consume(carries: [r.options.returnSequences]
                            + Array(repeating: false, count: r.options.returnState ? r.kind.stateCount : 0))
        case let r as RNN:
            return .consume(carries: [r.returnSequences]
                            + Array(repeating: false, count: r.returnState ? (r.cells.last?.kind.stateCount ?? 0) : 0))
        case let m as MultiHeadAttention:
            // Keras sets the query's mask on the attention output (not on the scores).
            return .consumePerInput(carriedFrom: m.roles.query, carries: [true] + (m.roles.returnAttentionScores ? [false] : []))
        case let a as Attention:
            return .consumePerInput(carriedFrom: 0, carries: [true] + (a.options.returnAttentionScores ? [false] : []))
        case let a as AdditiveAttention:
            return .consumePerInput(carriedFrom: 0, carries: [true] + (a.options.returnAttentionScores ? [false] : []))
        case let b as Bidirectional:
            let seq = b.forward.options.returnSequences
            let merged = b.mergeMode == nil ? [seq, seq] : [seq]
            let states = b.forward.options.returnState ? 2 * b.forward.kind.stateCount : 0
            return .consume(carries: merged + Array(repeating: false, count: states))
        case let t as TimeDistributed:
            if t.layer is any RecurrentLayer || t.layer is Bidirectional || t.layer is RNN || usingClasses.contains(t.layer.className)
                || t.layer is MultiHeadAttention || t.layer is Attention || t.layer is AdditiveAttention {
                return .unsupported("a TimeDistributed `\(t.layer.className)` would use the mask per step, which the ONNX export does not do")
            }
            return .passThrough
        case let nested as NestedModel:
            if let user = nested.graph.nodes.first(where: { node in
                switch ONNXMaskRule.of(node.layer) {
                case .consume, .consumePerInput, .maskedAverage, .unsupported: return true
                default: return false
                }
            }) {
                return .unsupported("masks are not passed into nested models, and `\(user.name)` (\(user.layer.className)) inside would use it")
            }
            return .drop
        case is GlobalAveragePooling1D: return .maskedAverage
        case let c as Concatenate:
            return c.axis == -1 ? .and : .unsupported("Concatenate along axis \(c.axis) combines masks in a way the ONNX export does not implement")
        default:
            if passThroughClasses.contains(layer.className) { return .passThrough }
            if mergeClasses.contains(layer.className) { return .and }
            if usingClasses.contains(layer.className) {
                return .unsupported("Keras applies the mask in this layer, which the ONNX export does not")
            }
            return .drop
        }
    }
}

extension ONNXLayerEmitter {
    /// The mask a layer runs with (the first input's, for consumers); throws when a mask reaches a layer that would
    /// use it and cannot.
    func maskInput(_ rule: ONNXMaskRule, _ masks: [String?], _ c: LayerContext) throws -> String? {
        guard masks.contains(where: { $0 != nil }) else { return nil }
        switch rule {
        case .unsupported(let reason):
            throw c.error("receives a Keras mask (from Embedding(mask_zero=True) or Masking): \(reason)")
        case .consume, .maskedAverage:
            return masks[0]
        case .consumePerInput:
            return nil
        default:
            return nil
        }
    }

    /// The masks of a call's outputs (`nil` where none).
    func outputMasks(_ rule: ONNXMaskRule, _ masks: [String?], _ inputs: [ONNXValue], _ count: Int, _ c: LayerContext) throws -> [String?] {
        let none = [String?](repeating: nil, count: count)
        switch rule {
        case .drop, .unsupported, .maskedAverage:
            return none
        case .passThrough:
            guard let m = masks.first ?? nil else { return none }
            return [String?](repeating: m, count: count)
        case .consume(let carries):
            guard let m = masks.first ?? nil else { return none }
            return (0..<count).map { $0 < carries.count && carries[$0] ? m : nil }
        case .consumePerInput(let from, let carries):
            guard from < masks.count, let m = masks[from] else { return none }
            return (0..<count).map { $0 < carries.count && carries[$0] ? m : nil }
        case .and:
            let present = masks.compactMap { $0 }
            guard var acc = present.first else { return none }
            for m in present.dropFirst() { acc = binary("Mul", acc, m, c) }
            return [String?](repeating: acc, count: count)
        case .notEqualZero:
            let x = b.converted(inputs[0], to: .native)
            let xf = b.op("Cast", [x.name], scope: c.scope, [b.attr("to", int: Onnx_TensorProto.DataType.float.rawValue)])
            let equal = b.op("Equal", [xf, b.scalar(0)], scope: c.scope)
            let m = b.op("Cast", [b.op("Not", [equal], scope: c.scope)], scope: c.scope,
                         [b.attr("to", int: Onnx_TensorProto.DataType.float.rawValue)])
            guard x.rank == 2 else { throw c.error("a mask_zero Embedding needs [batch, time] indices for its mask, got \(x.shape.kerasDescription)") }
            return [String?](repeating: m, count: count)
        case .anyNotEqual(let value):
            let x = b.converted(inputs[0], to: .native)
            guard x.rank == 3 else { throw c.error("the mask of Masking needs a [batch, time, features] input, got \(x.shape.kerasDescription)") }
            return [String?](repeating: anyNotEqual(x.name, value, keepDims: false, c), count: count)
        }
    }

    /// `any(x ≠ value, axis=-1)` as float.
    func anyNotEqual(_ x: String, _ value: Float, keepDims: Bool, _ c: LayerContext) -> String {
        let differs = b.op("Cast", [b.op("Not", [b.op("Equal", [x, b.scalar(value)], scope: c.scope)], scope: c.scope)], scope: c.scope,
                           [b.attr("to", int: Onnx_TensorProto.DataType.float.rawValue)])
        return reduce("ReduceMax", differs, axes: [-1], keepDims: keepDims, c)
    }

    /// Keras' `Masking`: `x · any(x ≠ mask_value, axis=-1)` (a multiplication, as Keras: an infinite feature in a
    /// masked step gives NaN).
    func masking(_ l: Masking, _ c: LayerContext, _ input: ONNXValue) throws -> ONNXValue {
        let x = b.converted(input, to: .native)
        let keep = anyNotEqual(x.name, Float(l.maskValue), keepDims: true, c)
        return ONNXValue(name: binary("Mul", x.name, keep, c), layout: .native, shape: c.outputShape)
    }

    /// GlobalAveragePooling1D with a mask: `Σ x·m / Σ m` over the steps.
    func maskedAverage(_ l: GlobalAveragePooling1D, _ c: LayerContext, _ input: ONNXValue, mask: String) throws -> ONNXValue {
        let x = b.converted(input, to: .native)
        let channelsFirst = l.dataFormat == .channelsFirst
        let m = b.op("Unsqueeze", [mask, b.int64s([channelsFirst ? 1 : 2])], scope: c.scope)
        let timeAxis = channelsFirst ? 2 : 1
        let sum = reduce("ReduceSum", binary("Mul", x.name, m, c), axes: [timeAxis], keepDims: l.keepDims, c)
        let weight = reduce("ReduceSum", m, axes: [timeAxis], keepDims: l.keepDims, c)
        return ONNXValue(name: binary("Div", sum, weight, c), layout: .native, shape: c.outputShape)
    }
}
