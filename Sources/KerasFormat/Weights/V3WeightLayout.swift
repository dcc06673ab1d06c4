import KerasGraph

/// Where Keras 3's `saving_lib` keeps a layer's variables in a `.weights.h5` (and a `.keras` archive), relative to the
/// layer's object path (`layers/lstm`): the layer's own `vars`, and those of the objects it holds as attributes.
///
/// - plain layers: their own `vars`;
/// - `SimpleRNN`/`LSTM`/`GRU`: an empty `vars`, the cell's variables in `cell/vars` (named `lstm_cell`, …);
/// - `Bidirectional`: `forward_layer/cell/vars`, then `backward_layer/cell/vars` (weights in that order);
/// - `TimeDistributed`: the wrapped layer's groups under `layer/`.
///
/// Each entry: the sub-path (`""` for the layer's own), the `vars/@name` Keras writes, and how many of the layer's
/// weights (in order) live there.
struct V3VariableGroup {
    var path: String
    var name: String
    var count: Int
    /// Indices (into the layer's weights) of variables Keras stores again at the start of this group, before the
    /// group's own `count`: `SpectralNormalization` keeps its wrapped layer's kernel as an attribute of its own, so
    /// Keras 3 writes it in both `layer/vars` and the wrapper's `vars`. Readers skip them; writers repeat them.
    var aliases: [Int] = []
}

func v3VariableGroups(of layer: any Layer) -> [V3VariableGroup] {
    func prefixed(_ groups: [V3VariableGroup], _ prefix: String) -> [V3VariableGroup] {
        groups.map { V3VariableGroup(path: $0.path.isEmpty ? prefix : prefix + "/" + $0.path, name: $0.name, count: $0.count,
                                     aliases: $0.aliases) }
    }
    switch layer {
    case let rnn as any RecurrentLayer:
        return [V3VariableGroup(path: "", name: rnn.name, count: 0),
                V3VariableGroup(path: "cell", name: kerasSnakeCase(rnn.kind.cellClassName), count: rnn.weights.count)]
    case let l as ConvLSTM:
        return [V3VariableGroup(path: "", name: l.name, count: 0),
                V3VariableGroup(path: "cell", name: "conv_lstm_cell", count: l.weights.count)]
    case let rnn as RNN:
        // `cell/vars`, or for a stack `cell/vars` (empty) and `cell/cells/<snake_case(class)>[_N]/vars` per cell.
        let cells = zip(rnn.cells, rnn.weightCounts).map { (name: $0.0.name, snake: kerasSnakeCase($0.0.kind.cellClassName), count: $0.1) }
        guard let stack = rnn.stack else {
            return [V3VariableGroup(path: "", name: rnn.name, count: 0)]
                + cells.map { V3VariableGroup(path: "cell", name: $0.name, count: $0.count) }
        }
        var used: [String: Int] = [:]
        return [V3VariableGroup(path: "", name: rnn.name, count: 0), V3VariableGroup(path: "cell", name: stack.name, count: 0)]
            + cells.map { cell in
                let n = used[cell.snake, default: -1] + 1
                used[cell.snake] = n
                return V3VariableGroup(path: "cell/cells/" + (n == 0 ? cell.snake : "\(cell.snake)_\(n)"), name: cell.name, count: cell.count)
            }
    case let bi as Bidirectional:
        var forward = bi.forward, backward = bi.backward
        forward.name = bi.forwardScope
        backward.name = bi.backwardScope
        return [V3VariableGroup(path: "", name: bi.name, count: 0)]
            + prefixed(v3VariableGroups(of: forward), "forward_layer")
            + prefixed(v3VariableGroups(of: backward), "backward_layer")
    case let sn as SpectralNormalization:
        // The wrapped layer's variables under `layer/`, then the wrapper's own `vars`: the wrapped kernel again (Keras
        // 3 tracks `self.kernel = self.layer.kernel`) and `vector_u`.
        let inner = sn.layer.weights
        let kernel = inner.firstIndex { $0.name == "kernel" } ?? inner.firstIndex { $0.name == "embeddings" } ?? 0
        return prefixed(v3VariableGroups(of: sn.layer), "layer")
            + [V3VariableGroup(path: "", name: sn.name, count: 1, aliases: [kernel])]
    case let p as Pipeline:
        // The pipeline's own (empty) `vars`, and an empty `layers/<snake_case(class)>[_N]/vars` per layer, as Keras 3
        // writes them (its layers are weightless).
        var used: [String: Int] = [:]
        return [V3VariableGroup(path: "", name: p.name, count: 0)] + p.layers.map { layer in
            let snake = kerasSnakeCase(layer.className)
            let n = used[snake, default: -1] + 1
            used[snake] = n
            return V3VariableGroup(path: "layers/" + (n == 0 ? snake : "\(snake)_\(n)"), name: layer.name, count: 0)
        }
    case let td as TimeDistributed:
        return [V3VariableGroup(path: "", name: td.name, count: 0)] + prefixed(v3VariableGroups(of: td.layer), "layer")
    default:
        return [V3VariableGroup(path: "", name: layer.name, count: layer.weights.count)]
    }
}
