import KerasGraph

/// A layer whose Keras 3 object keeps its weights in sub-layers rather than in its own `vars`:
/// `layers/multi_head_attention/query_dense/vars/0` (tf_keras' `.weights.h5` spells the attribute with its
/// leading underscore, `_query_dense`).
protocol V3SublayerWeights {
    /// The sub-objects under the layer's object that hold its weights, in the layer's weight order, each with the
    /// sub-layer's name (written as its `vars/@name`) and how many consecutive weights it holds.
    var v3WeightGroups: [(object: String, name: String, count: Int)] { get }
}

extension MultiHeadAttention: V3SublayerWeights {
    var v3WeightGroups: [(object: String, name: String, count: Int)] {
        // Keras 3.15 has properties for four of them (saved without the underscore); the gate only as `_gate_dense`.
        let objects = ["query": "query_dense", "key": "key_dense", "gate": "_gate_dense", "value": "value_dense",
                       "attention_output": "output_dense"]
        return projections.map { (objects[$0]!, $0, useBias ? 2 : 1) }
    }
}

extension GroupedQueryAttention: V3SublayerWeights {
    /// Keras 3.15 saves these sub-layers under their attribute names with the underscore (`_query_dense`).
    var v3WeightGroups: [(object: String, name: String, count: Int)] {
        let objects = ["query": "_query_dense", "key": "_key_dense", "gate": "_gate_dense", "value": "_value_dense",
                       "attention_output": "_output_dense"]
        return projections.map { (objects[$0]!, $0, useBias ? 2 : 1) }
    }
}
