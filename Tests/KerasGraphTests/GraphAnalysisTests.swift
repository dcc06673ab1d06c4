import KerasGraph
import TensorModule
import Testing

/// Graph analysis on hand-built graphs. Expected shapes follow Keras' rules for the layers involved
/// (Dense maps the last axis to `units`; LeakyReLU and PReLU keep the shape).
@Suite("Graph analysis")
struct GraphAnalysisTests {
    func input(_ name: String, _ shape: Shape?) -> LayerNode {
        LayerNode(layer: InputLayer(common: LayerCommon(name: name), batchShape: shape), calls: [])
    }

    func node(_ layer: any Layer, _ calls: [[TensorRef]]) -> LayerNode {
        LayerNode(layer: layer, calls: calls.map { LayerCall(inputs: $0) })
    }

    func dense(_ name: String, _ units: Int, in inFeatures: Int? = nil) -> Dense {
        var d = Dense(common: LayerCommon(name: name), units: units)
        if let inFeatures {
            d.weights = [Weight(name: "kernel", tensor: Tensor(shape: [inFeatures, units], scalars: Array(repeating: 0, count: inFeatures * units))),
                         Weight(name: "bias", tensor: Tensor(shape: [units], scalars: Array(repeating: 0, count: units)))]
        }
        return d
    }

    func lrelu(_ name: String) -> LeakyReLU { LeakyReLU(common: LayerCommon(name: name)) }

    func ref(_ layer: String, _ node: Int = 0, _ tensor: Int = 0) -> TensorRef {
        TensorRef(layer: layer, node: node, tensor: tensor)
    }

    func expectError(_ expected: GraphError, _ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            try body()
            Issue.record("no error; expected \(expected)", sourceLocation: sourceLocation)
        } catch let e as GraphError {
            #expect(e == expected, sourceLocation: sourceLocation)
        } catch {
            Issue.record("unexpected \(error)", sourceLocation: sourceLocation)
        }
    }

    // MARK: Order and shapes

    @Test("a chain: order follows the nodes, shapes flow through")
    func chain() throws {
        let g = ModelGraph(name: "m", kind: .sequential,
                           nodes: [input("x", [nil, 4]), node(dense("d1", 3, in: 4), [[ref("x")]]),
                                   node(lrelu("a"), [[ref("d1")]]), node(dense("d2", 2, in: 3), [[ref("a")]])],
                           inputs: [ref("x")], outputs: [ref("d2")])
        let a = try GraphAnalysis.analyze(g)
        #expect(a.order.map(\.node) == [0, 1, 2, 3])
        #expect(a.shape(of: ref("d1")) == [nil, 3])
        #expect(a.inputShapes(ofLayer: "d2") == [[nil, 3]])
        #expect(a.modelInputShapes == [[nil, 4]])
        #expect(a.modelOutputShapes == [[nil, 2]])
        #expect(a.unsupportedLayers.isEmpty)
    }

    @Test("nodes listed out of order are still ordered producers first")
    func reversed() throws {
        let g = ModelGraph(name: "m", kind: .functional,
                           nodes: [node(dense("d2", 2), [[ref("a")]]), node(lrelu("a"), [[ref("d1")]]),
                                   node(dense("d1", 3), [[ref("x")]]), input("x", [nil, 4])],
                           inputs: [ref("x")], outputs: [ref("d2")])
        let a = try GraphAnalysis.analyze(g, checkWeights: false)
        #expect(a.order.map(\.node) == [3, 2, 1, 0])
        #expect(a.modelOutputShapes == [[nil, 2]])
    }

    @Test("a shared layer: one node, two calls, each with its own shapes; weights checked once")
    func sharedLayer() throws {
        let g = ModelGraph(name: "m", kind: .functional,
                           nodes: [input("a", [nil, 4]), input("b", [2, 4]),
                                   node(dense("shared", 3, in: 4), [[ref("a")], [ref("b")]]),
                                   node(lrelu("act"), [[ref("shared", 1)]])],
                           inputs: [ref("a"), ref("b")], outputs: [ref("shared"), ref("act")])
        let a = try GraphAnalysis.analyze(g)
        #expect(a.order.map { [$0.node, $0.call] } == [[0, 0], [1, 0], [2, 0], [2, 1], [3, 0]])
        #expect(a.outputShapes(ofLayer: "shared", call: 0) == [[nil, 3]])
        #expect(a.outputShapes(ofLayer: "shared", call: 1) == [[2, 3]])
        #expect(a.shape(of: ref("act")) == [2, 3])
    }

    @Test("a shared layer called on inputs needing other weights is an error")
    func sharedLayerDisagrees() {
        let g = ModelGraph(name: "m", kind: .functional,
                           nodes: [input("a", [nil, 4]), input("b", [nil, 5]),
                                   node(dense("shared", 3, in: 4), [[ref("a")], [ref("b")]])],
                           inputs: [ref("a"), ref("b")], outputs: [ref("shared", 1)])
        expectError(.incompatibleInput(layer: "shared", className: "Dense",
                                       reason: "shared layer: call 1 needs weights [kernel [5, 3], bias [3]], but call 0 needs [kernel [4, 3], bias [3]]")) {
            _ = try GraphAnalysis.analyze(g)
        }
        #expect((try? GraphAnalysis.analyze(g, checkWeights: false)) != nil)
    }

    @Test("weights that do not fit the input are reported; checkWeights: false skips the check")
    func weightMismatch() throws {
        let g = ModelGraph(name: "m", kind: .sequential,
                           nodes: [input("x", [nil, 4]), node(dense("d", 3, in: 5), [[ref("x")]])],
                           inputs: [ref("x")], outputs: [ref("d")])
        expectError(.weightMismatch(layer: "d", weight: "kernel", expected: [4, 3], found: [5, 3])) {
            _ = try GraphAnalysis.analyze(g)
        }
        let unloaded = ModelGraph(name: "m", kind: .sequential,
                                  nodes: [input("x", [nil, 4]), node(dense("d", 3), [[ref("x")]])],
                                  inputs: [ref("x")], outputs: [ref("d")])
        expectError(.weightCount(layer: "d", expected: ["kernel", "bias"], found: [])) {
            _ = try GraphAnalysis.analyze(unloaded)
        }
        #expect(try GraphAnalysis.analyze(unloaded, checkWeights: false).modelOutputShapes == [[nil, 3]])
    }

    @Test("a layer that cannot take its input throws its own error")
    func incompatible() {
        let g = ModelGraph(name: "m", kind: .sequential,
                           nodes: [input("x", [nil]), node(dense("d", 3), [[ref("x")]])],
                           inputs: [ref("x")], outputs: [ref("d")])
        expectError(.incompatibleInput(layer: "d", className: "Dense", reason: "expected rank >= 2 input, got (None,)")) {
            _ = try GraphAnalysis.analyze(g, checkWeights: false)
        }
    }

    // MARK: Feeding shapes

    @Test("given input shapes override the declared ones; rank and count are checked")
    func feeding() throws {
        let g = ModelGraph(name: "m", kind: .sequential,
                           nodes: [input("x", [nil, 4]), node(dense("d", 3, in: 4), [[ref("x")]])],
                           inputs: [ref("x")], outputs: [ref("d")])
        #expect(try GraphAnalysis.analyze(g, inputShapes: [[8, 4]]).modelOutputShapes == [[8, 3]])
        #expect(try GraphAnalysis.analyze(g, inputShapes: [[8, nil]]).modelOutputShapes == [[8, 3]])
        expectError(.incompatibleInput(layer: "x", className: "InputLayer",
                                       reason: "expected an input of shape (None, 4), got (None, 4, 1)")) {
            _ = try GraphAnalysis.analyze(g, inputShapes: [[nil, 4, 1]])
        }
        expectError(.incompatibleInput(layer: "x", className: "InputLayer",
                                       reason: "expected an input of shape (None, 4), got (None, 5)")) {
            _ = try GraphAnalysis.analyze(g, inputShapes: [[nil, 5]])
        }
        expectError(.incompatibleInput(layer: "m", className: "Sequential", reason: "the model takes 1 inputs, got 2")) {
            _ = try GraphAnalysis.analyze(g, inputShapes: [[nil, 4], [nil, 4]])
        }
    }

    @Test("an input of unknown shape makes everything downstream unknown")
    func unknownInput() throws {
        let g = ModelGraph(name: "m", kind: .sequential,
                           nodes: [input("x", nil), node(dense("d", 3, in: 4), [[ref("x")]])],
                           inputs: [ref("x")], outputs: [ref("d")])
        let a = try GraphAnalysis.analyze(g)
        #expect(a.modelOutputShapes == [nil])
        #expect(a.inputShapes(ofLayer: "d") == [nil])
        #expect(try GraphAnalysis.analyze(g, inputShapes: [[nil, 4]]).modelOutputShapes == [[nil, 3]])
    }

    // MARK: Broken graphs

    @Test("a cycle is reported with a layer on it, not a layer downstream")
    func cycle() {
        let g = ModelGraph(name: "m", kind: .functional,
                           nodes: [input("x", [nil, 4]), node(lrelu("p"), [[ref("x")]]),
                                   node(lrelu("a"), [[ref("b")]]), node(lrelu("b"), [[ref("a")]]),
                                   node(lrelu("after"), [[ref("b")]])],
                           inputs: [ref("x")], outputs: [ref("after")])
        do {
            _ = try GraphAnalysis.analyze(g)
            Issue.record("cycle accepted")
        } catch let GraphError.cycle(layer) {
            #expect(layer == "a" || layer == "b")
        } catch {
            Issue.record("unexpected \(error)")
        }
        let selfLoop = ModelGraph(name: "m", kind: .functional,
                                  nodes: [input("x", [nil, 4]), node(lrelu("s"), [[ref("s")]])],
                                  inputs: [ref("x")], outputs: [ref("s")])
        expectError(.cycle(layer: "s")) { _ = try GraphAnalysis.analyze(selfLoop) }
    }

    @Test("references to missing layers, calls or tensors", arguments: [
        (TensorRef(layer: "ghost"), GraphError.danglingReference(layer: "d", reference: "layer `ghost`")),
        (TensorRef(layer: "x", node: 1), .danglingReference(layer: "d", reference: "node 1 of layer `x` (it has 1 call)")),
        (TensorRef(layer: "x", node: 0, tensor: 1), .danglingReference(layer: "d", reference: "tensor x[0][1] (the call has 1 output)")),
        (TensorRef(layer: "x", node: 0, tensor: -1), .danglingReference(layer: "d", reference: "tensor x[0][-1]")),
    ])
    func dangling(ref: TensorRef, error: GraphError) {
        let g = ModelGraph(name: "m", kind: .functional,
                           nodes: [input("x", [nil, 4]), node(dense("d", 3), [[ref]])],
                           inputs: [TensorRef(layer: "x")], outputs: [TensorRef(layer: "d")])
        expectError(error) { _ = try GraphAnalysis.analyze(g, checkWeights: false) }
    }

    @Test("model inputs and outputs must exist; inputs must be input layers; names must be unique")
    func modelLevel() {
        let base = [input("x", [nil, 4]), node(lrelu("a"), [[ref("x")]])]
        expectError(.danglingReference(layer: "m", reference: "node 3 of layer `a` (it has 1 call)")) {
            _ = try GraphAnalysis.analyze(ModelGraph(name: "m", kind: .functional, nodes: base, inputs: [ref("x")], outputs: [ref("a", 3)]))
        }
        expectError(.danglingReference(layer: "m", reference: "model input a[0][0], which is not an input layer")) {
            _ = try GraphAnalysis.analyze(ModelGraph(name: "m", kind: .functional, nodes: base, inputs: [ref("a")], outputs: [ref("a")]))
        }
        expectError(.duplicateLayerName("a")) {
            _ = try GraphAnalysis.analyze(ModelGraph(name: "m", kind: .functional, nodes: base + [node(lrelu("a"), [[ref("x")]])],
                                                     inputs: [ref("x")], outputs: [ref("a")]))
        }
    }

    @Test("a 20 000-layer chain is analysed without deep recursion")
    func longChain() throws {
        var nodes = [input("x", [nil, 4])]
        var previous = "x"
        for k in 0..<20_000 {
            nodes.append(node(lrelu("l\(k)"), [[ref(previous)]]))
            previous = "l\(k)"
        }
        let g = ModelGraph(name: "m", kind: .sequential, nodes: nodes, inputs: [ref("x")], outputs: [ref(previous)])
        let a = try GraphAnalysis.analyze(g)
        #expect(a.order.count == 20_001)
        #expect(a.modelOutputShapes == [[nil, 4]])
    }

    // MARK: Opaque and nested layers

    @Test("opaque layers: unknown shapes downstream, or the shapes the file recorded")
    func opaque() throws {
        var opaque = OpaqueLayer(className: "Scale", common: LayerCommon(name: "s"), config: .object([]),
                                 weights: [Weight(name: "w", tensor: Tensor(shape: [7], scalars: Array(repeating: 1, count: 7)))])
        let g = { (o: OpaqueLayer) in
            ModelGraph(name: "m", kind: .sequential,
                       nodes: [self.input("x", [nil, 4]), self.node(o, [[self.ref("x")]]), self.node(self.dense("d", 2, in: 6), [[self.ref("s")]])],
                       inputs: [self.ref("x")], outputs: [self.ref("d")])
        }
        let a = try GraphAnalysis.analyze(g(opaque))
        #expect(a.unsupportedLayers == ["s"])
        #expect(a.shape(of: ref("s")) == nil)
        #expect(a.modelOutputShapes == [nil])
        #expect(try opaque.weightSpecs(inputShapes: []) == [WeightSpec(name: "w", shape: [7])])
        #expect(opaque.parameterCount == 7)

        opaque.recordedOutputShapes = [[[nil, 6]]]
        let b = try GraphAnalysis.analyze(g(opaque))
        #expect(b.shape(of: ref("s")) == [nil, 6])
        #expect(b.modelOutputShapes == [[nil, 2]])
    }

    func innerModel() -> NestedModel {
        var p = PReLU(common: LayerCommon(name: "in_p"))
        p.weights = [Weight(name: "alpha", tensor: Tensor(shape: [3], scalars: [1, 2, 3]))]
        let graph = ModelGraph(name: "inner", kind: .sequential,
                               nodes: [input("in_x", [nil, 4]), node(dense("in_d", 3, in: 4), [[ref("in_x")]]),
                                       node(p, [[ref("in_d")]])],
                               inputs: [ref("in_x")], outputs: [ref("in_p")])
        return NestedModel(graph: graph)
    }

    @Test("a nested model: inner graph analysed with the outer call's shapes; weights concatenated")
    func nested() throws {
        let inner = innerModel()
        #expect(inner.className == "Sequential")
        #expect(inner.weights.map(\.name) == ["in_d/kernel", "in_d/bias", "in_p/alpha"])
        #expect(inner.parameterCount == 12 + 3 + 3)
        #expect(try inner.weightSpecs(inputShapes: [[nil, 4]]).map(\.shape) == [[4, 3], [3], [3]])
        #expect(try inner.outputShapes(inputShapes: [[5, 4]]) == [[5, 3]])

        let g = ModelGraph(name: "outer", kind: .functional,
                           nodes: [input("x", [2, 4]), node(inner, [[ref("x")], [ref("x")]]),
                                   node(dense("out", 1, in: 3), [[ref("inner", 1)]])],
                           inputs: [ref("x")], outputs: [ref("out")])
        let a = try GraphAnalysis.analyze(g)
        #expect(a.outputShapes(ofLayer: "inner", call: 1) == [[2, 3]])
        #expect(a.nested[GraphAnalysis.CallID(node: 1, call: 0)]?.shape(of: ref("in_d")) == [2, 3])
        #expect(a.modelOutputShapes == [[2, 1]])

        // Inner weights are checked against the outer call's shapes.
        let wide = ModelGraph(name: "outer", kind: .functional,
                              nodes: [input("x", [nil, 5]), node(inner, [[ref("x")]])],
                              inputs: [ref("x")], outputs: [ref("inner")])
        expectError(.incompatibleInput(layer: "in_x", className: "InputLayer",
                                       reason: "expected an input of shape (None, 4), got (None, 5)")) {
            _ = try GraphAnalysis.analyze(wide)
        }
    }

    @Test("setting a nested model's weights distributes them over its layers")
    func nestedWeightsSetter() throws {
        var inner = innerModel()
        let values = inner.weights.map { w -> Weight in
            var w = w
            w.tensor = Tensor(shape: w.tensor.shape, scalars: w.tensor.scalars.map { $0 + 10 })
            return w
        }
        // Clear, then set: the counts come from the weight specs, not from what the layers hold.
        for n in inner.graph.nodes.indices { inner.graph.nodes[n].layer.weights = [] }
        inner.weights = values
        #expect(inner.graph.nodes[1].layer.weights.map(\.name) == ["kernel", "bias"])
        #expect(inner.graph.nodes[2].layer.weights.first?.tensor.scalars == [11, 12, 13])
        #expect(inner.graph.topLevelWeights.isEmpty)
        try inner.validateWeights(inputShapes: [[nil, 4]])

        // One weight too many: it lands in the model's own weights, and validation reports the count.
        inner.weights = values + [values[2]]
        #expect(inner.graph.topLevelWeights.count == 1)
        #expect(throws: GraphError.self) { try inner.validateWeights(inputShapes: [[nil, 4]]) }
    }

    @Test("an unsupported layer inside a nested model makes its outputs unknown, and is named")
    func nestedOpaque() throws {
        let opaque = OpaqueLayer(className: "Custom", common: LayerCommon(name: "c"), config: .object([]))
        let graph = ModelGraph(name: "inner", kind: .sequential,
                               nodes: [input("in_x", [nil, 4]), node(opaque, [[ref("in_x")]])],
                               inputs: [ref("in_x")], outputs: [ref("c")])
        let inner = NestedModel(graph: graph)
        let g = ModelGraph(name: "outer", kind: .functional,
                           nodes: [input("x", [nil, 4]), node(inner, [[ref("x")]]), node(lrelu("after"), [[ref("inner")]])],
                           inputs: [ref("x")], outputs: [ref("after")])
        let a = try GraphAnalysis.analyze(g)
        #expect(a.unsupportedLayers == ["inner/c"])
        #expect(a.modelOutputShapes == [nil])
        expectError(.incompatibleInput(layer: "inner", className: "Sequential",
                                       reason: "output shapes unknown (unsupported inner layers `c`)")) {
            _ = try inner.outputShapes(inputShapes: [[nil, 4]])
        }
    }

    @Test("shared nested models 60 levels deep are analysed once per input shape, not 2^60 times")
    func exponentialNesting() throws {
        var level = innerModel()
        for depth in 0..<60 {
            // A model calling the level below twice on its one input, returning both results.
            let graph = ModelGraph(name: "m\(depth)", kind: .functional,
                                   nodes: [input("x\(depth)", [nil, 4]), node(level, [[ref("x\(depth)")], [ref("x\(depth)")]])],
                                   inputs: [ref("x\(depth)")],
                                   outputs: [ref(level.name, 0, 0), ref(level.name, 1, 0)])
            level = NestedModel(graph: graph)
        }
        let top = ModelGraph(name: "top", kind: .functional,
                             nodes: [input("x", [nil, 4]), node(level, [[ref("x")]])],
                             inputs: [ref("x")], outputs: [ref(level.name)])
        let a = try GraphAnalysis.analyze(top)
        #expect(a.modelOutputShapes == [[nil, 3]])
    }

    @Test("InputLayer: no inputs, its shape; unknown shape throws")
    func inputLayer() throws {
        let x = InputLayer(common: LayerCommon(name: "x"), batchShape: [nil, 3])
        #expect(try x.outputShapes(inputShapes: []) == [[nil, 3]])
        #expect(throws: GraphError.self) { try x.outputShapes(inputShapes: [[nil, 3]]) }
        #expect(throws: GraphError.self) {
            try InputLayer(common: LayerCommon(name: "u"), batchShape: nil).outputShapes(inputShapes: [])
        }
        #expect(try x.resolvedShape(given: [4, nil]) == [4, 3])
    }
}
