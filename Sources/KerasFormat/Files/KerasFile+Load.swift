import KerasGraph
import TensorModule

extension KerasFile {
    /// The model graph with every weight read from the file and checked against what each layer needs.
    ///
    /// - Throws: ``FormatError`` naming the layer and weight when a count or shape does not match, or when
    ///   a value cannot be read.
    public func loadGraph() throws -> ModelGraph {
        // The weights are read into heap memory that `malloc` keeps when freed (no `mmap` per large block): when a
        // compiled model drops a kernel it has packed, the next packing reuses those pages instead of faulting in
        // fresh ones.
        TensorRuntime.prepareForInference()
        var graph = architecture
        do {
            try bind(&graph, analysis: analysis, prefix: [])
        } catch let e as GraphError {
            throw FormatError(file: path, e.description)
        }
        graph.topLevelWeights = try assignment.topLevel.map { try readWeight($0, name: $0.shortName, layer: "(model)") }
        do {
            _ = try GraphAnalysis.analyze(graph, inputShapes: nil, checkWeights: true)
        } catch let e as GraphError {
            throw FormatError(file: path, e.description)
        }
        return graph
    }

    /// The stored weights of the layer at `path` (`["conv"]`, `["inner", "dense"]`), with their expected
    /// names when known; values are not read.
    package func storedWeights(ofLayerAt path: [String]) -> [StoredWeight] { assignment.weights(at: path) }

    /// Reads the values of one layer's weights (e.g. a PReLU's alphas for `inspect`) without loading the rest.
    /// When the layer's weight specs are known, each stored shape is checked against its spec before anything is
    /// read (a dataset claiming more than the layer needs is refused before allocating).
    package func loadWeights(ofLayerAt path: [String]) throws -> [Weight] {
        let stored = assignment.weights(at: path)
        let label = path.joined(separator: "/")
        if let (specs, layer) = try? specsAndLayer(path: path), specs.count == stored.count {
            return try zip(specs, stored).map { spec, s in
                var w = try checkedShape(s, spec: spec, layer: layer, label: label)
                w.name = spec.name
                return w
            }
        }
        return try stored.map { try readWeight($0, name: $0.shortName, layer: label) }
    }

    /// The weight specs of the layer at `path` and the layer, when its input shapes are known.
    private func specsAndLayer(path: [String]) throws -> (specs: [WeightSpec], layer: any Layer)? {
        var graph = architecture
        var a = analysis
        for (i, name) in path.enumerated() {
            guard let n = a.nodeIndex(ofLayer: name) else { break }   // not graph.index(of:): linear per call
            if i == path.count - 1 {
                if let specs = try expectedSpecs(node: n, in: graph, analysis: a) { return (specs, graph.nodes[n].layer) }
                break
            }
            guard let nested = graph.nodes[n].layer as? NestedModel, let inner = innerAnalysis(node: n, in: graph, analysis: a) else { break }
            graph = nested.graph
            a = inner
        }
        return nil
    }

    private func readWeight(_ s: StoredWeight, name: String, layer: String) throws -> Weight {
        let tensor: Tensor
        do {
            tensor = try s.read()
        } catch let e as FormatError {
            throw e
        } catch {
            throw FormatError(file: path, object: "layer `\(layer)`, weight `\(s.fileName)`", "cannot read: \(error)")
        }
        return Weight(name: name, tensor: tensor, storageType: s.storageType)
    }

    /// Reads and checks the weights of every layer of `graph` (recursively for nested models).
    private func bind(_ graph: inout ModelGraph, analysis: GraphAnalysis, prefix: [String]) throws {
        for n in graph.nodes.indices {
            let name = graph.nodes[n].name
            let layerPath = prefix + [name]
            if var nested = graph.nodes[n].layer as? NestedModel {
                if let inner = innerAnalysis(node: n, in: graph, analysis: analysis) {
                    try bind(&nested.graph, analysis: inner, prefix: layerPath)
                    graph.nodes[n].layer = nested
                }
                continue
            }
            let stored = assignment.weights(at: layerPath)
            let label = layerPath.joined(separator: "/")
            guard let specs = try expectedSpecs(node: n, in: graph, analysis: analysis) else {
                // Opaque layer, or shapes unknown: keep what the file has, under its own names.
                graph.nodes[n].layer.weights = try stored.map { try readWeight($0, name: $0.shortName, layer: label) }
                continue
            }
            let className = graph.nodes[n].layer.className
            guard specs.count == stored.count else {
                throw FormatError(file: path, object: "layer `\(label)` (\(className))",
                                  "expected \(specs.count) weights [\(specs.map(\.name).joined(separator: ", "))], the file has \(stored.count) [\(stored.map(\.fileName).joined(separator: ", "))]")
            }
            var weights: [Weight] = []
            for (spec, s) in zip(specs, stored) {
                var w = try checkedShape(s, spec: spec, layer: graph.nodes[n].layer, label: label)
                w.name = spec.name
                weights.append(w)
            }
            graph.nodes[n].layer.weights = weights
        }
    }

    /// Checks a stored weight's shape against the spec before reading it; Keras 1 Theano-ordered convolution
    /// kernels (`(out, in, kh, kw)`) are transposed to Keras' `(kh, kw, in, out)`.
    private func checkedShape(_ s: StoredWeight, spec: WeightSpec, layer: any Layer, label: String) throws -> Weight {
        if s.shape == spec.shape { return try readWeight(s, name: spec.name, layer: label) }
        let thPermutation: [Int]? = {
            guard spec.shape.count == 4, s.shape.count == 4, spec.name == "kernel" || spec.name == "depthwise_kernel" else { return nil }
            let th = (layer as? Conv2D)?.dimOrdering == .th
            // (out, in, kh, kw) → (kh, kw, in, out)
            let permuted = [s.shape[2], s.shape[3], s.shape[1], s.shape[0]]
            let keras1 = (format == .legacyH5 || format == .legacyWeightsH5) && (kerasVersion == nil || kerasVersion?.hasPrefix("1") == true)
            return (th || keras1) && permuted == spec.shape ? [2, 3, 1, 0] : nil
        }()
        if layer is LayerNormalization, s.shape.reduce(1, *) == spec.shape.reduce(1, *) {
            // tf_keras' gamma/beta of an unsorted multi-axis layer (`axis=[3, 1]`, shape (6, 3)) hold their values in
            // sorted-axis order (Keras reshapes them to the input's axis order): the same values, shaped as the
            // sorted axes.
            var w = try readWeight(s, name: spec.name, layer: label)
            w.tensor = Tensor(shape: spec.shape, scalars: w.tensor.scalars)
            return w
        }
        if let perm = thPermutation {
            var w = try readWeight(s, name: spec.name, layer: label)
            w.tensor = try Ops.transpose(input: w.tensor, permutation: perm)
            return w
        }
        throw FormatError(file: path, object: "layer `\(label)` (\(layer.className)), weight `\(spec.name)`",
                          "has shape \(s.shape) in the file, expected \(spec.shape)")
    }
}
