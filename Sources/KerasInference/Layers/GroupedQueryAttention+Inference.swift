import KerasGraph
import TensorModule

extension GroupedQueryAttention: RunnableLayer {
    /// As ``MultiHeadAttention`` (``MultiHeadForward``), each key/value head repeated over its group of query heads.
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        let (dq, _, _) = try resolvedSizes(inputShapes)
        let columns = [numQueryHeads, numKeyValueHeads] + (useGate ? [numQueryHeads] : []) + [numKeyValueHeads]
        let p = try MultiHeadForward.projections(self, names: projections,
                                                 columns: columns.map { $0 * headDim } + [dq], useBias: useBias)
        return MultiHeadForward(
            layer: name, className: className, roles: roles, heads: numQueryHeads, keyValueHeads: numKeyValueHeads,
            keyDim: headDim, valueDim: headDim, query: p[0], key: p[1], gate: useGate ? p[2] : nil,
            value: p[useGate ? 3 : 2], output: p[useGate ? 4 : 3], outputDims: [dq],
            fused: !roles.returnAttentionScores && dropout == 0, maskSemantics: .keras3,
            slidingWindow: slidingWindow).compiled()
    }
}
