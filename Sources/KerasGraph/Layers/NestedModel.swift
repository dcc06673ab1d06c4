import TensorModule

/// A model used as a layer inside another model (`keras.Sequential`, `keras.Model` / Functional).
///
/// Its weights are its inner layers' weights, concatenated in ``ModelGraph/nodes`` order (each named
/// `<layer>/<weight>`), then the inner model's own ``ModelGraph/topLevelWeights``. Its output shapes come from
/// analysing the inner graph with the shapes it is called on.
public struct NestedModel: Layer {
    /// `Sequential`, `Functional` or `Model` (the name Keras ≤ 2.3 used for Functional models), as the file said.
    public var className: String
    /// Name, trainable flag and dtype of the model.
    public var common: LayerCommon
    /// The inner model.
    public var graph: ModelGraph

    public init(className: String, common: LayerCommon, graph: ModelGraph) {
        self.className = className
        self.common = common
        self.graph = graph
    }

    /// Wraps `graph`, named like it.
    public init(graph: ModelGraph, trainable: Bool = true, dtype: String = "float32") {
        self.init(className: graph.kind.rawValue, common: LayerCommon(name: graph.name, trainable: trainable, dtype: dtype),
                  graph: graph)
    }

    /// The inner layers' weights in node order, named `<layer>/<weight>`, then the inner model's own weights.
    ///
    /// Setting distributes the list over the inner layers in order, each taking as many as it needs (from its
    /// ``Layer/weightSpecs(inputShapes:)`` with the inner model's declared input shapes, or else as many as it
    /// holds now); a `<layer>/` prefix is removed. Weights left over go to ``ModelGraph/topLevelWeights``, so that
    /// ``Layer/validateWeights(inputShapes:)`` reports the mismatch.
    public var weights: [Weight] {
        get {
            var out: [Weight] = []
            for node in graph.nodes {
                for var w in node.layer.weights {
                    w.name = "\(node.name)/\(w.name)"
                    out.append(w)
                }
            }
            return out + graph.topLevelWeights
        }
        set {
            let counts = (try? weightCountsFromSpecs()) ?? graph.nodes.map { $0.layer.weights.count }
            var rest = newValue[...]
            for (n, count) in counts.enumerated() {
                let prefix = graph.nodes[n].name + "/"
                let taken = rest.prefix(count).map { w -> Weight in
                    var w = w
                    if w.name.hasPrefix(prefix) { w.name.removeFirst(prefix.count) }
                    return w
                }
                rest = rest.dropFirst(taken.count)
                graph.nodes[n].layer.weights = taken
            }
            graph.topLevelWeights = Array(rest)
        }
    }

    /// How many weights each inner layer needs, with the inner model's declared input shapes.
    private func weightCountsFromSpecs() throws -> [Int] {
        let analysis = try GraphAnalysis.analyze(graph, inputShapes: nil, checkWeights: false)
        return try graph.nodes.indices.map { try specs(node: $0, analysis: analysis).count }
    }

    /// The weights inner layer `n` needs on its first call whose input shapes are all known; the weights it holds
    /// when there is no such call (an input layer, or a layer downstream of an unsupported one).
    private func specs(node n: Int, analysis: GraphAnalysis) throws -> [WeightSpec] {
        let node = graph.nodes[n]
        for c in node.calls.indices {
            guard let ins = analysis.inputShapes[GraphAnalysis.CallID(node: n, call: c)] else { continue }
            let known = ins.compactMap { $0 }
            if known.count == ins.count { return try node.layer.weightSpecs(inputShapes: known) }
        }
        return node.layer.weights.map { WeightSpec(name: $0.name, shape: $0.tensor.shape) }
    }

    /// The weights of every inner layer for the given inputs, named `<layer>/<weight>`, in ``weights`` order.
    ///
    /// A Sequential or Functional model has no weights of its own (only subclassed models do, and those are
    /// opaque), so none are expected: weights in ``ModelGraph/topLevelWeights`` make validation fail.
    public func weightSpecs(inputShapes: [Shape]) throws -> [WeightSpec] {
        let analysis = try GraphAnalysis.analyze(graph, inputShapes: inputShapes, checkWeights: false)
        var out: [WeightSpec] = []
        for n in graph.nodes.indices {
            for spec in try specs(node: n, analysis: analysis) {
                out.append(WeightSpec(name: "\(graph.nodes[n].name)/\(spec.name)", shape: spec.shape))
            }
        }
        return out
    }

    /// The inner model's output shapes when fed `inputShapes`.
    /// - Throws: ``GraphError`` from the inner graph, or when an output shape is unknown (an unsupported inner layer).
    public func outputShapes(inputShapes: [Shape]) throws -> [Shape] {
        let analysis = try GraphAnalysis.analyze(graph, inputShapes: inputShapes, checkWeights: false)
        let outs = analysis.modelOutputShapes.compactMap { $0 }
        guard outs.count == analysis.modelOutputShapes.count else {
            let which = analysis.unsupportedLayers.map { "`\($0)`" }.joined(separator: ", ")
            throw GraphError.incompatibleInput(
                layer: name, className: className,
                reason: "output shapes unknown" + (which.isEmpty ? "" : " (unsupported inner layers \(which))"))
        }
        return outs
    }
}
