/// The result of checking a ``ModelGraph``: an execution order for its layer calls, and the shapes of every
/// tensor.
///
/// ```swift
/// let analysis = try GraphAnalysis.analyze(graph)
/// for (node, call) in analysis.order { … }
/// let shape = analysis.shape(of: TensorRef(layer: "d1"))   // [nil, 5]
/// ```
///
/// A shape is `nil` when it cannot be known: downstream of a layer of an unsupported class (``OpaqueLayer``)
/// whose output shapes the file did not record, or of an input whose shape the file does not give.
/// Every other problem throws.
package struct GraphAnalysis: Sendable {
    /// One call of one layer: `node` indexes ``ModelGraph/nodes``, `call` that node's ``LayerNode/calls``.
    /// An `InputLayer` (which has no calls) has one pseudo-call, 0, producing the input tensor.
    package struct CallID: Hashable, Sendable, CustomStringConvertible {
        package var node: Int
        package var call: Int
        package init(node: Int, call: Int) {
            self.node = node
            self.call = call
        }
        package var description: String { "(\(node), \(call))" }
    }

    /// Every layer call in an order where each call comes after the calls producing its inputs. Among calls that
    /// are ready at the same time, the one earlier in ``ModelGraph/nodes`` comes first, so a graph whose layers
    /// are already in order keeps that order. Input layers appear as call 0.
    package var order: [(node: Int, call: Int)]
    /// The shapes of each call's inputs (`nil` entries are unknown). Input layers map to `[]`.
    package var inputShapes: [CallID: [Shape?]]
    /// The shapes of each call's outputs; absent when unknown.
    package var outputShapes: [CallID: [Shape]]
    /// For calls of ``NestedModel`` layers: the analysis of the inner graph for that call.
    package var nested: [CallID: GraphAnalysis]
    /// The shapes of the model's inputs, in ``ModelGraph/inputs`` order.
    package var modelInputShapes: [Shape?]
    /// The shapes of the model's outputs, in ``ModelGraph/outputs`` order.
    package var modelOutputShapes: [Shape?]
    /// Names of the layers of a class KerasPort does not support (``OpaqueLayer``); those inside nested models
    /// as `outer/inner`.
    package var unsupportedLayers: [String]

    private var nodeIndex: [String: Int]

    fileprivate init(nodeIndex: [String: Int]) {
        self.order = []
        self.inputShapes = [:]
        self.outputShapes = [:]
        self.nested = [:]
        self.modelInputShapes = []
        self.modelOutputShapes = []
        self.unsupportedLayers = []
        self.nodeIndex = nodeIndex
    }

    /// The index in the analysed graph's ``ModelGraph/nodes`` of the layer named `name` (a dictionary lookup,
    /// unlike ``ModelGraph/index(of:)``'s scan).
    package func nodeIndex(ofLayer name: String) -> Int? { nodeIndex[name] }

    /// The shape of the tensor `ref` refers to, or `nil` when unknown or when `ref` names nothing in the graph.
    package func shape(of ref: TensorRef) -> Shape? {
        guard let n = nodeIndex[ref.layer], let outs = outputShapes[CallID(node: n, call: ref.node)],
              ref.tensor >= 0, ref.tensor < outs.count else { return nil }
        return outs[ref.tensor]
    }

    /// The output shapes of call `call` of the layer named `layer`, or `nil` when unknown.
    package func outputShapes(ofLayer layer: String, call: Int = 0) -> [Shape]? {
        guard let n = nodeIndex[layer] else { return nil }
        return outputShapes[CallID(node: n, call: call)]
    }

    /// The input shapes of call `call` of the layer named `layer`, or `nil` when the layer has no such call.
    package func inputShapes(ofLayer layer: String, call: Int = 0) -> [Shape?]? {
        guard let n = nodeIndex[layer] else { return nil }
        return inputShapes[CallID(node: n, call: call)]
    }

    /// Orders the calls of `graph`, infers every tensor's shape, and checks each layer's weights.
    ///
    /// - Parameters:
    ///   - graph: the model.
    ///   - inputShapes: shapes to feed the model's inputs (batch axis included), overriding the input layers'
    ///     declared shapes; unknown axes of a given shape are filled in from the declared one. `nil`: the
    ///     declared shapes.
    ///   - checkWeights: whether to check each layer's weights against what its config and input shapes need
    ///     (``Layer/validateWeights(inputShapes:)``, on the first call of each layer; a shared layer's other calls
    ///     must need the same weights). Turn it off for a graph read from a config without weights.
    /// - Throws: ``GraphError``: a reference to a missing layer, call or tensor (``GraphError/danglingReference(layer:reference:)``),
    ///   a cycle (``GraphError/cycle(layer:)``, naming a layer on it), two layers with one name, an input a layer
    ///   cannot take, or weights that do not fit.
    package static func analyze(_ graph: ModelGraph, inputShapes: [Shape]? = nil,
                               checkWeights: Bool = true) throws -> GraphAnalysis {
        try analyze(graph, feeding: inputShapes.map { $0.map { Optional($0) } }, checkWeights: checkWeights)
    }

    /// The most layer calls one analysis visits, nested models' calls included; beyond it analysis throws
    /// instead of running for a very long time (a hostile file can nest shared models so that the number of
    /// calls grows exponentially with the file's size).
    package static let maxCalls = 10_000_000

    /// As ``analyze(_:inputShapes:checkWeights:)``, where a `nil` input shape means "the declared one".
    static func analyze(_ graph: ModelGraph, feeding: [Shape?]?, checkWeights: Bool,
                        budget: CallBudget = CallBudget(maxCalls)) throws -> GraphAnalysis {
        var analyzer = try Analyzer(graph, budget: budget)
        return try analyzer.run(feeding: feeding, checkWeights: checkWeights)
    }
}

/// How many more layer calls an analysis may visit (shared by the analyses of nested models).
final class CallBudget {
    var remaining: Int
    init(_ remaining: Int) { self.remaining = remaining }
}

// MARK: - Implementation

private struct Analyzer {
    typealias CallID = GraphAnalysis.CallID

    let graph: ModelGraph
    let budget: CallBudget
    var nodeIndex: [String: Int] = [:]
    /// First vertex of each node; the node's vertices are `vertexStart[n] ..< vertexStart[n] + callCount[n]`.
    var vertexStart: [Int] = []
    var callCount: [Int] = []
    /// Vertex → (node, call).
    var vertices: [CallID] = []

    init(_ graph: ModelGraph, budget: CallBudget) throws {
        self.graph = graph
        self.budget = budget
        for (n, node) in graph.nodes.enumerated() {
            guard nodeIndex[node.name] == nil else { throw GraphError.duplicateLayerName(node.name) }
            nodeIndex[node.name] = n
            let count = node.calls.isEmpty && node.layer is InputLayer ? 1 : node.calls.count
            vertexStart.append(vertices.count)
            callCount.append(count)
            for c in 0..<count { vertices.append(CallID(node: n, call: c)) }
        }
    }

    func isSource(_ n: Int) -> Bool { graph.nodes[n].calls.isEmpty }

    /// The vertex producing `ref`, as seen from the layer `consumer`.
    func producer(of ref: TensorRef, consumer: String) throws -> Int {
        guard let p = nodeIndex[ref.layer] else {
            throw GraphError.danglingReference(layer: consumer, reference: "layer `\(ref.layer)`")
        }
        guard ref.node >= 0, ref.node < callCount[p] else {
            let calls = callCount[p] == 1 ? "1 call" : "\(callCount[p]) calls"
            throw GraphError.danglingReference(
                layer: consumer, reference: "node \(ref.node) of layer `\(ref.layer)` (it has \(calls))")
        }
        guard ref.tensor >= 0 else {
            throw GraphError.danglingReference(layer: consumer, reference: "tensor \(ref)")
        }
        return vertexStart[p] + ref.node
    }

    func inputRefs(_ v: Int) -> [TensorRef] {
        let id = vertices[v]
        let node = graph.nodes[id.node]
        return node.calls.isEmpty ? [] : node.calls[id.call].inputs
    }

    /// Kahn's algorithm, iterative, taking the ready vertex with the lowest index first.
    func topologicalOrder() throws -> [Int] {
        let n = vertices.count
        var indegree = [Int](repeating: 0, count: n)
        var successors = [[Int]](repeating: [], count: n)
        for v in 0..<n {
            let consumer = graph.nodes[vertices[v].node].name
            for ref in inputRefs(v) {
                let p = try producer(of: ref, consumer: consumer)
                successors[p].append(v)
                indegree[v] += 1
            }
        }
        var heap = MinHeap()
        for v in 0..<n where indegree[v] == 0 { heap.push(v) }
        var order: [Int] = []
        order.reserveCapacity(n)
        var remaining = indegree
        while let v = heap.pop() {
            order.append(v)
            for s in successors[v] {
                remaining[s] -= 1
                if remaining[s] == 0 { heap.push(s) }
            }
        }
        if order.count < n {
            throw GraphError.cycle(layer: graph.nodes[vertices[try cycleVertex(remaining: remaining)].node].name)
        }
        return order
    }

    /// A vertex on a cycle: walk back from an unfinished vertex through unfinished producers until one repeats.
    func cycleVertex(remaining: [Int]) throws -> Int {
        guard var v = remaining.indices.first(where: { remaining[$0] > 0 }) else { return 0 }
        var seen = Set<Int>()
        while !seen.contains(v) {
            seen.insert(v)
            let consumer = graph.nodes[vertices[v].node].name
            var next: Int?
            for ref in inputRefs(v) {
                let p = try producer(of: ref, consumer: consumer)
                if remaining[p] > 0 { next = p; break }
            }
            guard let next else { return v }
            v = next
        }
        return v
    }

    mutating func run(feeding: [Shape?]?, checkWeights: Bool) throws -> GraphAnalysis {
        let order = try topologicalOrder()

        // Which input layer each model input feeds.
        if let feeding, feeding.count != graph.inputs.count {
            throw GraphError.incompatibleInput(
                layer: graph.name, className: graph.kind.rawValue,
                reason: "the model takes \(graph.inputs.count) inputs, got \(feeding.count)")
        }
        var fed: [Int: Shape] = [:]
        for (k, ref) in graph.inputs.enumerated() {
            let p = try producer(of: ref, consumer: graph.name)
            let node = graph.nodes[vertices[p].node]
            guard isSource(vertices[p].node), let input = node.layer as? InputLayer, ref.tensor == 0 else {
                throw GraphError.danglingReference(layer: graph.name,
                                                   reference: "model input \(ref), which is not an input layer")
            }
            if let given = feeding?[k] {
                fed[p] = try input.resolvedShape(given: given)
            }
        }

        var result = GraphAnalysis(nodeIndex: nodeIndex)
        var firstSpecs: [Int: (call: Int, specs: [WeightSpec])] = [:]

        func shape(of ref: TensorRef, consumer: String) throws -> Shape? {
            let p = try producer(of: ref, consumer: consumer)
            guard let outs = result.outputShapes[vertices[p]] else { return nil }
            guard ref.tensor < outs.count else {
                let count = outs.count == 1 ? "1 output" : "\(outs.count) outputs"
                throw GraphError.danglingReference(layer: consumer, reference: "tensor \(ref) (the call has \(count))")
            }
            return outs[ref.tensor]
        }

        // Analyses of nested models, by node and input shapes: a shared model called on equal shapes is analysed once.
        var nestedMemo: [NestedKey: GraphAnalysis] = [:]

        for v in order {
            let id = vertices[v]
            let node = graph.nodes[id.node]
            let layer = node.layer
            result.order.append((node: id.node, call: id.call))
            budget.remaining -= 1
            guard budget.remaining >= 0 else {
                throw GraphError.invalidConfig(
                    layer: graph.name, className: graph.kind.rawValue,
                    reason: "the model has more than \(GraphAnalysis.maxCalls) layer calls with nested models expanded")
            }

            if isSource(id.node) {
                // An input layer's pseudo-call.
                result.inputShapes[id] = []
                if let shape = fed[v] ?? (layer as? InputLayer)?.batchShape {
                    result.outputShapes[id] = [shape]
                }
                continue
            }

            let ins = try node.calls[id.call].inputs.map { try shape(of: $0, consumer: node.name) }
            result.inputShapes[id] = ins

            if let nestedModel = layer as? NestedModel {
                // Unknown input shapes fall back to the inner model's declared ones.
                let key = NestedKey(node: id.node, inputs: ins)
                let inner: GraphAnalysis
                if let memo = nestedMemo[key] {
                    inner = memo
                } else {
                    inner = try GraphAnalysis.analyze(nestedModel.graph, feeding: ins, checkWeights: checkWeights,
                                                      budget: budget)
                    nestedMemo[key] = inner
                }
                result.nested[id] = inner
                let outs = inner.modelOutputShapes.compactMap { $0 }
                if outs.count == inner.modelOutputShapes.count { result.outputShapes[id] = outs }
                for name in inner.unsupportedLayers where !result.unsupportedLayers.contains("\(node.name)/\(name)") {
                    result.unsupportedLayers.append("\(node.name)/\(name)")
                }
                continue
            }

            if let opaque = layer as? OpaqueLayer {
                if !result.unsupportedLayers.contains(node.name) { result.unsupportedLayers.append(node.name) }
                if let outs = opaque.recordedOutputShapes(call: id.call) { result.outputShapes[id] = outs }
                continue
            }

            let known = ins.compactMap { $0 }
            guard known.count == ins.count else { continue }  // downstream of an unknown shape

            if checkWeights {
                if let first = firstSpecs[id.node] {
                    let specs = try layer.weightSpecs(inputShapes: known)
                    if specs != first.specs {
                        throw GraphError.incompatibleInput(
                            layer: node.name, className: layer.className,
                            reason: "shared layer: call \(id.call) needs weights \(describe(specs)), "
                                + "but call \(first.call) needs \(describe(first.specs))")
                    }
                } else {
                    try layer.validateWeights(inputShapes: known)
                    firstSpecs[id.node] = (id.call, try layer.weightSpecs(inputShapes: known))
                }
            }
            let callLayer = (layer as? any CallSpecificLayer)?.forCall(id.call) ?? layer
            result.outputShapes[id] = try callLayer.outputShapes(inputShapes: known)
        }

        result.modelInputShapes = try graph.inputs.map { try shape(of: $0, consumer: graph.name) }
        result.modelOutputShapes = try graph.outputs.map { try shape(of: $0, consumer: graph.name) }
        return result
    }

    func describe(_ specs: [WeightSpec]) -> String {
        "[" + specs.map { "\($0.name) \($0.shape)" }.joined(separator: ", ") + "]"
    }
}

private struct NestedKey: Hashable {
    var node: Int
    var inputs: [Shape?]
}

/// A binary min-heap of vertex indices.
private struct MinHeap {
    var items: [Int] = []

    mutating func push(_ x: Int) {
        items.append(x)
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard items[parent] > items[i] else { break }
            items.swapAt(parent, i)
            i = parent
        }
    }

    mutating func pop() -> Int? {
        guard let top = items.first else { return nil }
        let last = items.removeLast()
        guard !items.isEmpty else { return top }
        items[0] = last
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < items.count && items[l] < items[m] { m = l }
            if r < items.count && items[r] < items[m] { m = r }
            guard m != i else { break }
            items.swapAt(i, m)
            i = m
        }
        return top
    }
}
