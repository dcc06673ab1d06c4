import Foundation
import KerasGraph
import ONNXProto
import TensorModule

extension ONNXGraphBuilder {
    /// A float64 initializer (rank 1, or rank 0 with `scalar`): token tables compare exactly beyond float32's 2^24.
    func doubles(_ values: [Double], scalar: Bool = false, scope: String, hint: String) -> String {
        var t = Onnx_TensorProto()
        t.name = fresh(scope, hint)
        t.dataType = Int32(Onnx_TensorProto.DataType.double.rawValue)
        t.dims = scalar ? [] : [Int64(values.count)]
        var data = Data(capacity: values.count * 8)
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        t.rawData = data
        graph.initializer.append(t)
        return t.name
    }
}

extension ONNXLayerEmitter {
    // MARK: CategoryEncoding, IntegerLookup

    func cast(_ x: String, to type: Onnx_TensorProto.DataType, _ c: LayerContext) -> String {
        b.op("Cast", [x], scope: c.scope, [b.attr("to", int: type.rawValue)])
    }

    /// One-hot / multi-hot / count vectors of `depth` from ids (float64, any integer-valued id; an id outside
    /// `[0, depth)`, e.g. the −1 IntegerLookup gives a mask token, matches no category): `ids == range(depth)` on a
    /// new last axis, then for multi_hot the maximum and for count the sum over the input's last axis. `one_hot`
    /// replaces a last axis of size 1 (TensorFlow's shapes, as the engine).
    func encodeCategories(_ ids: String, inputShape: Shape, depth: Int, mode: String, _ c: LayerContext) throws -> String {
        let rank = inputShape.count
        guard rank >= 1 else { throw c.error("the input must have at least one axis") }
        var x = ids
        if mode == "one_hot", rank > 1, inputShape.last == 1 {
            x = b.op("Squeeze", [x, b.int64s([rank - 1])], scope: c.scope)
        }
        let range = b.doubles((0..<depth).map(Double.init), scope: c.scope, hint: "categories")
        let hits = cast(b.op("Equal", [b.op("Unsqueeze", [x, b.int64s([-1])], scope: c.scope), range], scope: c.scope), to: .float, c)
        switch mode {
        case "one_hot": return hits
        case "multi_hot": return reduce("ReduceMax", hits, axes: [rank - 1], keepDims: false, c)
        case "count": return reduce("ReduceSum", hits, axes: [rank - 1], keepDims: false, c)
        default: throw c.error("`output_mode` `\(mode)` has no ONNX mapping (one_hot, multi_hot, count)")
        }
    }

    /// CategoryEncoding (`sparse=False`): see ``encodeCategories``. An id outside `[0, num_tokens)` gives no count
    /// (Keras 3 drops it; tf_keras and the engine refuse it at run time, which an ONNX graph cannot).
    func categoryEncoding(_ l: CategoryEncoding, _ c: LayerContext, _ input: ONNXValue) throws -> ONNXValue {
        guard !l.sparse else { throw c.error("`sparse=True` gives a sparse tensor, which has no ONNX mapping") }
        let x = b.converted(input, to: .native)
        let ids = cast(x.name, to: .double, c)
        let y = try encodeCategories(ids, inputShape: x.shape, depth: l.numTokens, mode: l.outputMode, c)
        return ONNXValue(name: y, layout: .native, shape: c.outputShape)
    }

    /// IntegerLookup with the vocabulary in its config, as the engine computes it (tokens compared as float64):
    /// token → index by `Equal` against the vocabulary and `ArgMax` (the first occurrence), the mask token → 0
    /// (`int`) or nothing (encodings), an out-of-vocabulary token → the OOV index (`floormod` over several OOV
    /// buckets); `invert` maps indices back to tokens through a `Gather` table (unknown index → the OOV token).
    /// `one_hot`, `multi_hot` and `count` then encode the indices over the layer's depth. An out-of-vocabulary token
    /// with `num_oov_indices=0`, an error in Keras and the engine, gives −1 here (an ONNX graph cannot raise).
    func integerLookup(_ l: IntegerLookup, _ c: LayerContext, _ input: ONNXValue) throws -> ONNXValue {
        guard !l.sparse else { throw c.error("`sparse=True` gives a sparse tensor, which has no ONNX mapping") }
        guard l.numOOVIndices <= 1 || l.oovMethod == "floormod" else {
            throw c.error("`oov_method` `\(l.oovMethod)` hashes tokens with TensorFlow's FarmHash/SipHash, which has no ONNX mapping")
        }
        let x = b.converted(input, to: .native)
        let xd = cast(x.name, to: .double, c)
        let column = b.op("Unsqueeze", [xd, b.int64s([-1])], scope: c.scope)
        /// `(found, position)` of each value in `table` (first occurrence).
        func find(_ table: [Double], hint: String) -> (found: String, position: String) {
            let hits = cast(b.op("Equal", [column, b.doubles(table, scope: c.scope, hint: hint)], scope: c.scope), to: .float, c)
            let found = cast(reduce("ReduceMax", hits, axes: [-1], keepDims: false, c), to: .bool, c)
            let position = b.op("ArgMax", [hits], scope: c.scope, [b.attr("axis", int: -1), b.attr("keepdims", int: 0)])
            return (found, position)
        }
        if l.invert {
            guard l.outputMode == "int" else { throw c.error("`invert=True` needs `output_mode=\"int\"`") }
            // Index → token: the mask token at 0 (with a mask token), the OOV token at the OOV indices.
            var tokens = [Double](repeating: Double(l.oovToken), count: l.vocabularySize)
            if let mask = l.maskToken { tokens[0] = Double(mask) }
            for (i, t) in l.vocabulary.enumerated() { tokens[l.tokenStartIndex + i] = Double(t) }
            let oov = b.doubles([Double(l.oovToken)], scalar: true, scope: c.scope, hint: "oov_token")
            var y = oov
            if !tokens.isEmpty {
                let (found, position) = find((0..<tokens.count).map(Double.init), hint: "indices")
                let table = b.doubles(tokens, scope: c.scope, hint: "tokens")
                let token = b.op("Gather", [table, position], scope: c.scope, [b.attr("axis", int: 0)])
                y = b.op("Where", [found, token, oov], scope: c.scope)
            } else {
                y = b.op("Expand", [oov, b.op("Shape", [xd], scope: c.scope)], scope: c.scope)
            }
            return ONNXValue(name: cast(y, to: .float, c), layout: .native, shape: c.outputShape)
        }
        let encoded = l.outputMode != "int"
        // Out of vocabulary.
        var index: String
        switch l.numOOVIndices {
        case 0:
            index = b.doubles([-1], scalar: true, scope: c.scope, hint: "no_oov")
        case 1:
            index = b.doubles([Double(l.oovStartIndex)], scalar: true, scope: c.scope, hint: "oov")
        default:
            let n = b.doubles([Double(l.numOOVIndices)], scalar: true, scope: c.scope, hint: "oov_count")
            let k = b.op("Floor", [xd], scope: c.scope)
            let m = binary("Sub", k, binary("Mul", b.op("Floor", [binary("Div", k, n, c)], scope: c.scope), n, c), c)
            index = binary("Add", m, b.doubles([Double(l.oovStartIndex)], scalar: true, scope: c.scope, hint: "oov"), c)
        }
        if !l.vocabulary.isEmpty {
            let (found, position) = find(l.vocabulary.map(Double.init), hint: "vocabulary")
            let known = binary("Add", cast(position, to: .double, c),
                               b.doubles([Double(l.tokenStartIndex)], scalar: true, scope: c.scope, hint: "first"), c)
            index = b.op("Where", [found, known, index], scope: c.scope)
        }
        if let mask = l.maskToken {
            let isMask = b.op("Equal", [xd, b.doubles([Double(mask)], scalar: true, scope: c.scope, hint: "mask")], scope: c.scope)
            index = b.op("Where", [isMask, b.doubles([encoded ? -1 : 0], scalar: true, scope: c.scope, hint: "mask_index"), index],
                         scope: c.scope)
        }
        // A scalar result (no vocabulary, one OOV index) still takes the input's shape.
        index = b.op("Expand", [index, b.op("Shape", [xd], scope: c.scope)], scope: c.scope)
        guard encoded else { return ONNXValue(name: cast(index, to: .float, c), layout: .native, shape: c.outputShape) }
        let y = try encodeCategories(index, inputShape: x.shape, depth: l.depth, mode: l.outputMode, c)
        return ONNXValue(name: y, layout: .native, shape: c.outputShape)
    }
}
