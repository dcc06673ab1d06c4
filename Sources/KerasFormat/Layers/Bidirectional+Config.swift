import KerasGraph

extension Bidirectional: ConfigEncodable {
    /// Decodes a `Bidirectional` config: `layer` (a SimpleRNN, LSTM or GRU config), `merge_mode` (`concat`, `sum`,
    /// `mul`, `ave` or `null`), and `backward_layer` when given; without it the backward layer is a copy of `layer`
    /// running in the other direction, named `backward_<name>` (as Keras builds it).
    ///
    /// - Throws: when `layer` is not a recurrent layer KerasPort decodes (the registry then keeps the wrapper
    ///   opaque).
    package init(config c: LayerConfig) throws {
        guard let forward = try c.wrappedLayer("layer") else { throw c.error("missing `layer`") }
        guard let forwardRNN = forward as? any RecurrentLayer else {
            throw c.error("wraps `\(forward.className)`, which is not a recurrent layer KerasPort decodes")
        }
        let backwardRNN: any RecurrentLayer
        let explicit = c.value("backward_layer") != nil
        if let backward = try c.wrappedLayer("backward_layer") {
            guard let b = backward as? any RecurrentLayer else {
                throw c.error("`backward_layer` is `\(backward.className)`, not a recurrent layer KerasPort decodes")
            }
            backwardRNN = b
        } else {
            var b = forwardRNN
            b.options.goBackwards.toggle()
            let base = forwardRNN.name.hasPrefix("forward_") ? String(forwardRNN.name.dropFirst("forward_".count)) : forwardRNN.name
            b.name = "backward_" + base
            backwardRNN = b
        }
        var mode: MergeMode?
        if c.has("merge_mode") {
            if let s = try c.string("merge_mode") {
                guard let m = MergeMode(rawValue: s) else {
                    throw c.error("`merge_mode` must be one of concat, sum, mul, ave or null, got `\(s)`")
                }
                mode = m
            }
        } else {
            mode = .concat
        }
        self.init(common: try c.common(), forward: forwardRNN, backward: backwardRNN, mergeMode: mode,
                  hasBackwardLayerConfig: explicit)
    }

    /// Keras 2: `layer, merge_mode` (`backward_layer` after them when the source had one). Keras 3: `merge_mode,
    /// layer, backward_layer`.
    package func configJSON(dialect: ConfigDialect) -> JSONValue {
        typealias E = ConfigEncoding
        let merge: (String, JSONValue) = ("merge_mode", mergeMode.map { .string($0.rawValue) } ?? .null)
        let layer: (String, JSONValue) = ("layer", E.wrappedLayer(forward, dialect))
        var m = E.base(common, dialect)
        if dialect == .keras3 {
            m += [merge, layer]
        } else {
            m += [layer, merge]
        }
        if hasBackwardLayerConfig || dialect == .keras3 { m.append(("backward_layer", E.wrappedLayer(backward, dialect))) }
        return .object(m)
    }
}
