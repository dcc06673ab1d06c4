import Dispatch
public import KerasGraph
public import TensorModule

/// A model graph compiled into an execution plan: the layer calls in dependency order, each layer prepared
/// once, and each intermediate tensor released as soon as its last reader has run.
///
/// ```swift
/// let graph = try KerasFile.open("model.h5").loadGraph()
/// let model = try CompiledModel(graph)
/// let y = try model.predict([x])[0]          // x: Tensor [batch, …]
/// ```
///
/// `CompiledModel` is immutable and `Sendable`: `predict` may run on several threads at once.
public struct CompiledModel: Sendable {
    /// One layer call in the plan.
    struct Step: Sendable {
        var layerName: String
        var className: String
        var call: Int
        var layer: any CompiledLayer
        var inputs: [Int]     // slot indices
        var outputs: [Int]    // slot indices
        /// Slots whose last reader is this step: released after it runs.
        var releases: [Int]
        /// Whether the layer itself flushes denormals from its outputs (fused output pass), so the plan need not.
        var flushesOutputs = false
        /// The mask slot of the first input, for a layer that runs with its Keras mask (see `Masks.swift`).
        var maskInput: Int?
        /// The mask slot (or `nil`) of every input, for a layer that runs with all its inputs' Keras masks.
        var inputMasks: [Int?]?
        /// A mask this step makes for its output (Embedding(mask_zero), Masking, merges of masked inputs).
        var maskComputation: MaskComputation?
    }

    /// The graph this model was compiled from, its weights included.
    ///
    /// Memory: the plan holds each Dense / convolution kernel that the direct GEMM kernel runs only in that
    /// kernel's packed layout, not also as the graph's values (ResNet50: 98 MB of weights once, not twice). The
    /// model stores its graph with those weights left out (``structure``) and rebuilds them from the packed
    /// copies each time this property is read (packing only moves values and pads with zeros, so they come back
    /// bit for bit): a read costs a copy of those weights, so keep the result rather than reading it repeatedly.
    /// The values are freed only when nothing else holds them: a caller that keeps its own copy of the graph (or
    /// of a layer's weights) keeps them alive, as does a nested model's graph (its inner plan is compiled from it).
    public var graph: ModelGraph {
        guard !packedWeights.isEmpty else { return structure }
        var g = structure
        for w in packedWeights {
            g.nodes[w.node].layer.weights[w.weight].tensor = Tensor(shape: w.shape, scalars: w.packed.unpacked())
        }
        return g
    }

    /// The graph without the weights the plan holds only in packed form (each left as an empty tensor of shape
    /// `[0]`): topology, layer configs and every other weight, for what needs no kernel values (input and output
    /// names, activation parameters).
    package let structure: ModelGraph
    /// A weight of ``structure`` held only in packed form: node and weight index, its shape, and the packed copy.
    private struct PackedWeight: Sendable {
        var node: Int, weight: Int
        var shape: [Int]
        var packed: Ops.PackedKernel
    }
    private let packedWeights: [PackedWeight]

    /// The shape of weight `weight` of top-level node `node`, also for a weight ``structure`` leaves out.
    package func weightShape(node: Int, weight: Int) -> [Int]? {
        if let w = packedWeights.first(where: { $0.node == node && $0.weight == weight }) { return w.shape }
        guard node < structure.nodes.count, weight < structure.nodes[node].layer.weights.count else { return nil }
        return structure.nodes[node].layer.weights[weight].tensor.shape
    }
    package let analysis: GraphAnalysis
    /// One step per layer call: run when an observer wants every layer's output.
    let steps: [Step]
    /// The same plan with element-wise layers fused into the output pass of the Dense / convolution before
    /// them (see ``fuse(_:outputSlots:)``): run when nobody observes the intermediate outputs.
    let fusedSteps: [Step]
    let inputSlots: [Int]
    let outputSlots: [Int]
    let slotCount: Int
    /// The declared input shapes (batch axis first, usually `nil`).
    public var inputShapes: [Shape?] { analysis.modelInputShapes }
    public var outputShapes: [Shape?] { analysis.modelOutputShapes }

    /// Compiles `graph`. Fails when a layer cannot be run, naming it.
    ///
    /// - Parameter inputShapes: overrides the declared input shapes (e.g. to fix a `None` spatial size).
    /// Memory: the initializer owns `graph`. Each Dense / convolution kernel the plan holds packed is dropped from
    /// it as soon as its layer is compiled, so when the caller passes its last reference (as `predict` and `bench`
    /// do), a kernel's values are freed before the next layer is packed and `malloc` hands their pages to the next
    /// packing: a load then faults in about one copy of the kernels, not two (zeroing fresh pages was most of the
    /// packing time).
    public init(_ graph: consuming ModelGraph, inputShapes: [Shape]? = nil) throws {
        TensorRuntime.prepareForInference()
        let analysis = try GraphAnalysis.analyze(graph, inputShapes: inputShapes, checkWeights: true)
        self.analysis = analysis
        if let first = analysis.unsupportedLayers.first {
            let layer = CompiledModel.layer(atPath: first, in: graph)
            if let opaque = layer as? OpaqueLayer, let op = opaque.frameworkOpName {
                let why = opaque.unsupportedReason.map { " (\($0))" } ?? ""
                throw InferenceError("layer `\(first)` (\(opaque.className)): the op `\(op)` cannot be run by KerasPort\(why); "
                                     + "it can still be inspected and converted")
            }
            let className = layer.map { " (\($0.className))" } ?? ""
            let reason = (layer as? OpaqueLayer)?.unsupportedReason.map { ": \($0)" } ?? ""
            throw InferenceError("layer `\(first)`\(className): this layer class cannot be run by KerasPort\(reason) "
                                 + "(it can still be inspected and converted)")
        }
        var slotOf: [TensorRef: Int] = [:]
        func slot(_ r: TensorRef) -> Int {
            if let s = slotOf[r] { return s }
            let s = slotOf.count
            slotOf[r] = s
            return s
        }
        var steps: [Step] = []
        var sources: [(layer: any Layer, inputShapes: [Shape])] = []
        var inputSlots: [Int] = []
        for ref in graph.inputs { inputSlots.append(slot(ref)) }
        // Nodes called once: their packed kernels leave `graph` right after they are compiled.
        var calls: [Int: Int] = [:]
        for (n, _) in analysis.order { calls[n, default: 0] += 1 }
        var packed: [PackedWeight] = []
        var taken = Set<[Int]>()
        // Outputs of ZeroPadding2D steps: a layer reading one may be recompiled with the padding folded in
        // (``foldZeroPadding(_:sources:outputSlots:)``), so it keeps its weights in `sources` until the end.
        var paddingOutputs = Set<Int>()
        for (n, c) in analysis.order {
            let node = graph.nodes[n]
            if node.layer is InputLayer { continue }
            let id = GraphAnalysis.CallID(node: n, call: c)
            guard let ins = analysis.inputShapes[id], let outs = analysis.outputShapes[id] else {
                throw InferenceError("layer `\(node.name)`: input shapes unknown")
            }
            let known = ins.compactMap { $0 }
            guard known.count == ins.count else { throw InferenceError("layer `\(node.name)`: input shapes unknown") }
            let callLayer = (node.layer as? any CallSpecificLayer)?.forCall(c) ?? node.layer
            guard let runnable = callLayer as? any RunnableLayer else {
                throw InferenceError.unsupported(node.layer, path: node.name)
            }
            let compiled: any CompiledLayer
            do {
                compiled = try runnable.compile(inputShapes: known)
            } catch let e as InferenceError {
                throw e
            } catch {
                throw InferenceError("layer `\(node.name)` (\(node.layer.className)): \(error)")
            }
            let step = Step(layerName: node.name, className: node.layer.className, call: c, layer: compiled,
                            inputs: node.calls[c].inputs.map(slot),
                            outputs: outs.indices.map { slot(TensorRef(layer: node.name, node: c, tensor: $0)) },
                            releases: [])
            steps.append(step)
            if node.layer is ZeroPadding2D { paddingOutputs.formUnion(step.outputs) }
            if step.inputs.contains(where: paddingOutputs.contains) {
                sources.append((node.layer, known))
            } else {
                if calls[n] == 1 { CompiledModel.takePackedWeights(of: step, node: n, from: &graph, into: &packed, taken: &taken) }
                sources.append((graph.nodes[n].layer, known))
            }
        }
        let outputSlots = graph.outputs.map(slot)
        let maskSlots = try CompiledModel.planMasks(&steps, graph: graph, analysis: analysis, firstSlot: slotOf.count)
        self.steps = CompiledModel.withReleases(steps, outputSlots: outputSlots)
        let folded = CompiledModel.foldZeroPadding(steps, sources: sources, outputSlots: outputSlots)
        let fused = CompiledModel.poolFuse(CompiledModel.fuse(folded, outputSlots: outputSlots), outputSlots: outputSlots)
        let banded = CompiledModel.bandFuse(fused, outputSlots: outputSlots)
        self.fusedSteps = CompiledModel.withReleases(CompiledModel.foldReLUIntoReaders(banded, outputSlots: outputSlots),
                                                     outputSlots: outputSlots)
        self.inputSlots = inputSlots
        self.outputSlots = outputSlots
        self.slotCount = slotOf.count + maskSlots
        // The rest (nodes called more than once, layers recompiled with a folded padding).
        var nodeIndex: [String: Int] = [:]
        for (i, node) in graph.nodes.enumerated() { nodeIndex[node.name] = i }
        for step in self.steps {
            guard let n = nodeIndex[step.layerName] else { continue }
            CompiledModel.takePackedWeights(of: step, node: n, from: &graph, into: &packed, taken: &taken)
        }
        sources = []
        self.packedWeights = packed
        self.structure = graph
    }

    /// Moves the weights `step` holds only packed out of top-level node `node` of `graph` (see ``graph``): each is
    /// left as an empty tensor and recorded in `packed` with its place, shape and packed copy. Once nothing else
    /// holds the values (the initializer owns its graph), they are freed.
    private static func takePackedWeights(of step: Step, node n: Int, from graph: inout ModelGraph,
                                          into packed: inout [PackedWeight], taken: inout Set<[Int]>) {
        guard let layer = step.layer as? OutputPassLayer, !layer.packedKernels.isEmpty, n < graph.nodes.count,
              graph.nodes[n].name == step.layerName else { return }
        for (w, kernel) in layer.packedKernels.sorted(by: { $0.key < $1.key }) where !taken.contains([n, w]) {
            guard w < graph.nodes[n].layer.weights.count else { continue }
            let shape = graph.nodes[n].layer.weights[w].tensor.shape
            guard let last = shape.last, kernel.n == last, kernel.k * kernel.n == shape.reduce(1, *) else { continue }
            taken.insert([n, w])
            graph.nodes[n].layer.weights[w].tensor = Tensor(shape: [0], scalars: [])
            packed.append(PackedWeight(node: n, weight: w, shape: shape, packed: kernel))
        }
    }

    /// Decides where Keras masks flow (``MaskRule``): fills each step's ``Step/maskInput`` and
    /// ``Step/maskComputation`` and returns how many mask slots (numbered from `firstSlot`) the plan needs. A mask
    /// reaching a layer that would use it but that KerasPort cannot apply it in is an error naming the layer.
    static func planMasks(_ steps: inout [Step], graph: ModelGraph, analysis: GraphAnalysis, firstSlot: Int) throws -> Int {
        var maskOf: [Int: Int] = [:]     // tensor slot → mask slot
        var count = 0
        func newSlot() -> Int { defer { count += 1 }; return firstSlot + count }
        var layers: [String: any Layer] = [:]
        for node in graph.nodes { layers[node.name] = node.layer }
        for i in steps.indices {
            guard let layer = layers[steps[i].layerName] else { continue }
            let rule = MaskRule.of(layer)
            let inMasks = steps[i].inputs.map { maskOf[$0] }
            let first = inMasks.first ?? nil
            switch rule {
            case .drop:
                break
            case .passThrough:
                if let m = first { for o in steps[i].outputs { maskOf[o] = m } }
            case let .consume(carries):
                guard let m = first else { break }
                guard steps[i].layer is any MaskConsumingLayer else {
                    throw InferenceError("layer `\(steps[i].layerName)` (\(steps[i].className)): receives a Keras mask but cannot apply it")
                }
                steps[i].maskInput = m
                for (o, carry) in zip(steps[i].outputs, carries) where carry { maskOf[o] = m }
            case let .consumePerInput(carriedFrom, carries):
                guard inMasks.contains(where: { $0 != nil }) else { break }
                guard steps[i].layer is any InputMasksConsumingLayer else {
                    throw InferenceError("layer `\(steps[i].layerName)` (\(steps[i].className)): receives a Keras mask but cannot apply it")
                }
                steps[i].inputMasks = inMasks
                if carriedFrom < inMasks.count, let m = inMasks[carriedFrom] {
                    for (o, carry) in zip(steps[i].outputs, carries) where carry { maskOf[o] = m }
                }
                if let mha = layer as? MultiHeadAttention, mha.maskSemantics == .keras3 {
                    // Keras 3's MultiHeadAttention removes the masks of its query, value and key tensors
                    // (`backend.set_keras_mask(t, None)`): the layers that run after it see them unmasked.
                    for r in [mha.roles.query, mha.roles.value] + [mha.roles.key].compactMap({ $0 })
                    where r < steps[i].inputs.count {
                        maskOf[steps[i].inputs[r]] = nil
                    }
                }
            case let .consumeWith(replacement):
                guard let m = first else { break }
                steps[i].layer = replacement
                steps[i].maskInput = m
            case .notEqualZero:
                let s = newSlot()
                steps[i].maskComputation = .notEqualZero(into: s)
                for o in steps[i].outputs { maskOf[o] = s }
            case let .anyNotEqual(value):
                let s = newSlot()
                steps[i].maskComputation = .anyNotEqual(value, into: s)
                for o in steps[i].outputs { maskOf[o] = s }
            case .and:
                let present = inMasks.compactMap { $0 }
                if present.count == 1 {
                    for o in steps[i].outputs { maskOf[o] = present[0] }
                } else if present.count > 1 {
                    let s = newSlot()
                    steps[i].maskComputation = .and(present, into: s)
                    for o in steps[i].outputs { maskOf[o] = s }
                }
            case let .unsupported(reason):
                if inMasks.contains(where: { $0 != nil }) {
                    throw InferenceError("layer `\(steps[i].layerName)` (\(steps[i].className)): receives a Keras mask (from Embedding(mask_zero=True) or Masking): \(reason)")
                }
            }
        }
        return count
    }

    /// `steps` with liveness filled in: each slot released after its last reader (model outputs never).
    static func withReleases(_ steps: [Step], outputSlots: [Int]) -> [Step] {
        var steps = steps
        var lastReader: [Int: Int] = [:]
        for (i, s) in steps.enumerated() {
            steps[i].releases = []
            for x in s.inputs { lastReader[x] = i }
        }
        let keep = Set(outputSlots)
        for (x, i) in lastReader.sorted(by: { $0.key < $1.key }) where !keep.contains(x) { steps[i].releases.append(x) }
        return steps
    }

    /// Folds each `ZeroPadding2D` whose output only one ``ZeroPaddingAbsorbing`` layer (Conv2D, DepthwiseConv2D,
    /// MaxPooling2D) reads, and that is not a model output, into that layer: it runs on the padding layer's input
    /// with the zeros as part of its own padding, so the padded tensor is never written. The values are the same
    /// (a convolution tap on a padding zero adds `x·0`, which the folded kernel skips; a max-pooling window takes
    /// the zeros as values, in the order it would read them from the padded tensor). `sources` holds
    /// each step's graph layer and input shapes. The graph (its layers and weights) is untouched.
    static func foldZeroPadding(_ steps: [Step], sources: [(layer: any Layer, inputShapes: [Shape])],
                                outputSlots: [Int]) -> [Step] {
        var readers: [Int: Int] = [:]
        for s in steps { for x in s.inputs { readers[x, default: 0] += 1 } }
        let modelOutputs = Set(outputSlots)
        // Output slot of a foldable padding step → that step's index and its padding.
        var pads: [Int: (step: Int, padding: ((Int, Int), (Int, Int)), format: DataFormat)] = [:]
        for (i, step) in steps.enumerated() {
            guard let pad = sources[i].layer as? ZeroPadding2D, step.inputs.count == 1, step.outputs.count == 1,
                  let x = step.outputs.first, readers[x] == 1, !modelOutputs.contains(x),
                  sources[i].inputShapes.count == 1, sources[i].inputShapes[0].count == 4,
                  pad.padding.count == 2, pad.padding.allSatisfy({ $0.count == 2 && $0.allSatisfy { $0 >= 0 } })
            else { continue }
            pads[x] = (i, ((pad.padding[0][0], pad.padding[0][1]), (pad.padding[1][0], pad.padding[1][1])),
                       pad.dataFormat)
        }
        guard !pads.isEmpty else { return steps }
        var replaced: [Int: Step] = [:]
        var dropped = Set<Int>()
        for (t, step) in steps.enumerated() {
            guard step.inputs.count == 1, let pad = pads[step.inputs[0]],
                  let conv = sources[t].layer as? any ZeroPaddingAbsorbing,
                  let compiled = try? conv.compile(inputShapes: sources[pad.step].inputShapes,
                                                   zeroPadding: pad.padding, format: pad.format)
            else { continue }
            var folded = step
            let padStep = steps[pad.step]
            folded.layer = compiled
            folded.inputs = padStep.inputs
            folded.layerName = padStep.layerName + "+" + step.layerName
            folded.className = padStep.className + "+" + step.className
            replaced[t] = folded
            dropped.insert(pad.step)
        }
        return steps.indices.compactMap { i in dropped.contains(i) ? nil : (replaced[i] ?? steps[i]) }
    }

    /// Fuses each element-wise layer (``ElementwiseLayer`` with post-ops: activations, LeakyReLU, PReLU, ReLU,
    /// channels-last BatchNormalization) into the output pass of the ``OutputPassLayer`` (Dense, Conv1D, Conv2D)
    /// whose output it alone reads, when that output is not a model output; the others run as a ``PostOpsLayer``.
    /// Likewise a two-input `Add` of same-shape tensors (a residual connection) joins the output pass of the step
    /// producing one operand, which then reads the other as a second input (computed earlier in the plan): the
    /// sum is added to each block of output rows in cache (`a + b` is `b + a` in floating point, so the values are
    /// the same), and Dropout-like identity layers between the two are skipped. The fused pass computes the same
    /// values: the plan's denormal flush at the layer boundary becomes a post-op between the two layers' steps,
    /// and one more at the end replaces the plan's check of the output. Dense / convolution steps with nothing
    /// to fuse get that final flush too.
    static func fuse(_ steps: [Step], outputSlots: [Int]) -> [Step] {
        var readers: [Int: Int] = [:]
        for s in steps { for x in s.inputs { readers[x, default: 0] += 1 } }
        let modelOutputs = Set(outputSlots)
        var fused: [Step] = []
        var producerOf: [Int: Int] = [:]   // slot → index in `fused` of the output-pass step producing it
        var producedAt: [Int: Int] = [:]   // slot → index in `fused` of the step producing it (any step)
        for step in steps {
            // Dropout and noise layers: their input stands for their output (no step at all) when the producer of
            // the input is an output-pass step it alone reads, so that what follows can fuse into that step.
            if step.layer is IdentityLayer, step.inputs.count == 1, step.outputs.count == 1,
               step.maskInput == nil, step.maskComputation == nil,
               let x = step.inputs.first, readers[x] == 1, !modelOutputs.contains(x), let p = producerOf[x] {
                fused[p].layerName += "+" + step.layerName
                fused[p].className += "+" + step.className
                fused[p].outputs = step.outputs
                producerOf[x] = nil
                producerOf[step.outputs[0]] = p
                producedAt[step.outputs[0]] = p
                continue
            }
            // A residual `Add` of two same-shape tensors: into the output pass of the step producing one operand
            // (which it alone reads), when the other operand is ready before that step runs; else, when the step
            // producing the other operand comes after it (Xception's shortcut convolutions, computed before the
            // branch that ends in a max pooling), that step is moved to run last so far, where the other operand is
            // ready: nothing after it read its one output (the `Add` alone reads it), and its inputs were all
            // computed before it. (The plan's liveness is worked out afterwards.)
            func residualTarget(_ k: Int, moving: Bool, before: [Ops.PostOp] = []) -> (k: Int, p: Int, layer: OutputPassLayer)? {
                let x = step.inputs[k], other = step.inputs[1 - k]
                guard x != other, readers[x] == 1, !modelOutputs.contains(x), var p = producerOf[x],
                      fused[p].maskInput == nil, fused[p].maskComputation == nil,
                      let layer = (fused[p].layer as? OutputPassLayer)?.addingResidual(before: before) else { return nil }
                if let q = producedAt[other], q > p {
                    guard moving, fused[p].outputs == [x] else { return nil }
                    fused.append(fused.remove(at: p))
                    for (slot, i) in producedAt where i > p { producedAt[slot] = i - 1 }
                    for (slot, i) in producerOf where i > p { producerOf[slot] = i - 1 }
                    p = fused.count - 1
                    (producedAt[x], producerOf[x]) = (p, p)
                }
                return (k, p, layer)
            }
            // InceptionResNetV2's `CustomScaleLayer` (`inputs[0] + inputs[1] · scale`) likewise, into the output pass
            // of the step producing the scaled operand, as the scale and then the residual `Add`.
            func sumTarget() -> (k: Int, p: Int, layer: OutputPassLayer)? {
                guard step.inputs.count == 2, step.outputs.count == 1, step.maskInput == nil,
                      step.maskComputation == nil else { return nil }
                if let sum = step.layer as? CompiledSum, sum.twoEqualShapes {
                    return residualTarget(1, moving: false) ?? residualTarget(0, moving: false)
                        ?? residualTarget(1, moving: true) ?? residualTarget(0, moving: true)
                }
                if let sum = step.layer as? CompiledScaledSum, let columns = sum.columns {
                    let scale = CompiledScaledSum.scaledOps(scale: sum.scale, columns: columns)
                    return residualTarget(1, moving: false, before: scale) ?? residualTarget(1, moving: true, before: scale)
                }
                return nil
            }
            if let target = sumTarget() {
                let (k, p) = (target.k, target.p)
                fused[p].layer = target.layer
                fused[p].inputs.append(step.inputs[1 - k])
                fused[p].layerName += "+" + step.layerName
                fused[p].className += "+" + step.className
                fused[p].outputs = step.outputs
                producerOf[step.inputs[k]] = nil
                producerOf[step.outputs[0]] = p
                producedAt[step.outputs[0]] = p
                continue
            }
            if step.inputs.count == 1, step.outputs.count == 1,
               let element = step.layer as? ElementwiseLayer, let ops = element.postOps,
               let x = step.inputs.first, readers[x] == 1, !modelOutputs.contains(x),
               let p = producerOf[x], let producer = fused[p].layer as? OutputPassLayer {
                fused[p].layer = producer.appending([.flushDenormals] + ops)
                fused[p].layerName += "+" + step.layerName
                fused[p].className += "+" + step.className
                fused[p].outputs = step.outputs
                producerOf[x] = nil
                producerOf[step.outputs[0]] = p
                producedAt[step.outputs[0]] = p
                continue
            }
            var step = step
            if step.inputs.count == 1, step.outputs.count == 1, step.maskInput == nil, step.maskComputation == nil,
               let element = step.layer as? ElementwiseLayer, let ops = element.postOps {
                // An element-wise layer with no producer to join (DenseNet's and ResNetV2's BatchNormalization
                // before its ReLU): one output pass of its own, which the layers after it can join in turn.
                var layer = OutputPassLayer(acceptsPostOps: true) { x, more in try Ops.applyingPostOps(ops + more, to: x) }
                layer.elementwiseOps = ops
                step.layer = layer
            }
            fused.append(step)
            for o in step.outputs { producedAt[o] = fused.count - 1 }
            if step.outputs.count == 1, let layer = step.layer as? OutputPassLayer, layer.acceptsPostOps {
                producerOf[step.outputs[0]] = fused.count - 1
            }
        }
        for i in fused.indices {
            // An element-wise layer left on its own: one pass that copies each block of its input and runs the
            // post-ops and the denormal flush on it in cache (its own kernel plus the plan's check is three passes).
            if fused[i].inputs.count == 1, fused[i].outputs.count == 1,
               let element = fused[i].layer as? ElementwiseLayer, let ops = element.postOps {
                fused[i].layer = PostOpsLayer(postOps: ops + [.flushDenormals])
                fused[i].flushesOutputs = true
                continue
            }
            if fused[i].layer is ValueSelectingLayer || fused[i].layer is IdentityLayer {
                fused[i].flushesOutputs = true
                continue
            }
            if let layer = fused[i].layer as? any OutputFlushingLayer {
                fused[i].layer = layer.flushingOutputs()
                fused[i].flushesOutputs = true
                continue
            }
            guard let layer = fused[i].layer as? OutputPassLayer, layer.acceptsPostOps else { continue }
            fused[i].layer = layer.appending([.flushDenormals])
            fused[i].flushesOutputs = true
        }
        return fused
    }

    /// The layer at `path` (`outer/inner` inside nested models), as ``GraphAnalysis/unsupportedLayers`` names them.
    static func layer(atPath path: String, in graph: ModelGraph) -> (any Layer)? {
        if let node = graph.node(named: path) { return node.layer }
        for node in graph.nodes {
            guard let nested = node.layer as? NestedModel, path.hasPrefix(node.name + "/") else { continue }
            if let found = layer(atPath: String(path.dropFirst(node.name.count + 1)), in: nested.graph) { return found }
        }
        return nil
    }

    /// Runs the model on one tensor per model input (in ``ModelGraph/inputs`` order), each with the batch axis
    /// first; returns one tensor per model output.
    ///
    /// - Throws: ``InferenceError`` when an input's shape does not match the model's, naming the input and the
    ///   expected shape; errors from layers name the layer.
    public func predict(_ inputs: [Tensor]) throws -> [Tensor] {
        try run(inputs, observer: nil)
    }

    /// Runs the model and reports every layer call's outputs as they are computed (for debugging:
    /// finding the first layer whose output diverges from Keras).
    public func predict(_ inputs: [Tensor], observe: (_ layer: String, _ call: Int, _ outputs: [Tensor]) -> Void) throws -> [Tensor] {
        try withoutActuallyEscaping(observe) { try run(inputs, observer: $0) }
    }

    /// Runs the model exactly as ``predict(_:)`` does (element-wise layers fused into the preceding output pass)
    /// and reports each step's wall time: `layers` and `classes` join the names of the layers one step runs with
    /// `+` (e.g. `conv1+prelu1`, `Conv2D+PReLU`); `call` counts calls of shared layers. For profiling.
    package func predict(_ inputs: [Tensor],
                        timing: (_ layers: String, _ classes: String, _ call: Int, _ seconds: Double) -> Void) throws -> [Tensor] {
        try withoutActuallyEscaping(timing) { timing in
            try run(inputs, observer: nil) { step, nanoseconds in
                timing(step.layerName, step.className, step.call, Double(nanoseconds) / 1e9)
            }
        }
    }

    private func run(_ inputs: [Tensor], observer: ((String, Int, [Tensor]) -> Void)?,
                     timing: ((Step, UInt64) -> Void)? = nil) throws -> [Tensor] {
        let batch = inputs.first.map { $0.rank > 0 ? $0.shape[0] : 1 } ?? 1
        return try Ops.withLoopSplit(forBatch: batch) { try runSteps(inputs, observer: observer, timing: timing) }
    }

    private func runSteps(_ inputs: [Tensor], observer: ((String, Int, [Tensor]) -> Void)?,
                          timing: ((Step, UInt64) -> Void)?) throws -> [Tensor] {
        guard inputs.count == inputSlots.count else {
            throw InferenceError("the model has \(inputSlots.count) inputs (\(structure.inputs.map(\.layer).joined(separator: ", "))), got \(inputs.count)")
        }
        var slots = [Tensor?](repeating: nil, count: slotCount)
        for (i, x) in inputs.enumerated() {
            try checkInput(x, index: i)
            slots[inputSlots[i]] = Denormals.flushed(x)
        }
        for step in observer == nil ? fusedSteps : steps {
            let started = timing == nil ? 0 : DispatchTime.now().uptimeNanoseconds
            var args: [Tensor] = []
            args.reserveCapacity(step.inputs.count)
            for s in step.inputs {
                guard let t = slots[s] else { throw InferenceError("layer `\(step.layerName)`: an input was not computed") }
                args.append(t)
            }
            let outs: [Tensor]
            do {
                if let m = step.maskInput, let consumer = step.layer as? any MaskConsumingLayer {
                    outs = try consumer.run(args, mask: slots[m])
                } else if let masks = step.inputMasks, let consumer = step.layer as? any InputMasksConsumingLayer {
                    outs = try consumer.run(args, masks: masks.map { $0.flatMap { slots[$0] } })
                } else {
                    outs = try step.layer.run(args)
                }
                if let computation = step.maskComputation {
                    slots[computation.slot] = try computation.compute(inputs: args, slots: slots)
                }
            } catch let e as InferenceError {
                throw e
            } catch {
                throw InferenceError("layer `\(step.layerName)` (\(step.className)): \(error)")
            }
            guard outs.count == step.outputs.count else {
                throw InferenceError("layer `\(step.layerName)`: produced \(outs.count) outputs, expected \(step.outputs.count)")
            }
            let flushed = step.flushesOutputs ? outs : outs.map(Denormals.flushed)
            observer?(step.layerName, step.call, flushed)
            for (s, t) in zip(step.outputs, flushed) { slots[s] = t }
            for s in step.releases { slots[s] = nil }
            timing?(step, DispatchTime.now().uptimeNanoseconds - started)
        }
        return try outputSlots.map { s in
            guard let t = slots[s] else { throw InferenceError("a model output was not computed") }
            return t
        }
    }

    private func checkInput(_ x: Tensor, index i: Int) throws {
        let name = structure.inputs[i].layer
        guard let declared = analysis.modelInputShapes[i] else { return }
        let ok = x.rank == declared.count && zip(x.shape.dropFirst(), declared.dropFirst()).allSatisfy { d, e in e == nil || e == d }
        guard ok else {
            throw InferenceError("model input `\(name)` expects shape \(declared.kerasDescription) (batch first), got \(x.shape)")
        }
    }
}
