import Foundation
import KerasFormat
import KerasGraph
import KerasInference
import TensorModule

/// Times a model: loading, then repeated `predict` on a random batch after warm-up, with an optional
/// per-step profile (of the plan `predict` runs: fused layers are one step). Used by `keras-port bench`; compared with Keras and ONNX Runtime by tools/bench_compare.
package struct Benchmark {
    package struct Result {
        package var batch: Int
        package var iterations: Int
        package var warmup: Int
        /// Seconds to open the file, read every weight and compile the plan.
        package var loadSeconds: Double
        package var medianSeconds: Double
        package var minSeconds: Double
        /// Every timed prediction's seconds, in the order they ran (how a fresh process warms up).
        package var times: [Double] = []
        /// Multiply-adds ×2 of Dense and convolution layers per batch, when known.
        package var flops: Double?
        /// Per layer: (name, class, median seconds per batch), in run order.
        package var profile: [(layer: String, className: String, seconds: Double)]
        /// The kernels the products and depthwise rows ran on: "avx512", "avx2" or "portable" (the start-up check
        /// of `KERASPORT_AVX512`'s default decides between the first two).
        package var kernels: String = Ops.kernelFamily
    }

    /// Runs the benchmark.
    ///
    /// - Parameters:
    ///   - path: the model file.
    ///   - architecture: the architecture JSON for weights-only files.
    ///   - batch: the batch size (unless `shapes` gives one).
    ///   - iterations: timed predictions.
    ///   - warmup: untimed predictions first.
    ///   - profile: also time each step of the plan.
    ///   - shapes: one full input shape per model input (batch first; the first one's batch is the batch size), for
    ///     models whose inputs have `None` sizes (e.g. an any-size image model); `nil` uses the declared shapes with
    ///     `batch`.
    package static func run(model path: String, architecture: String?, batch: Int, iterations: Int, warmup: Int,
                           profile: Bool, shapes: [[Int]]? = nil) throws -> Result {
        let start = DispatchTime.now().uptimeNanoseconds
        let compiled: CompiledModel
        do {
            // The graph is released once compiled: the model then holds the kernels it packed only once. The file
            // is closed meanwhile, on another thread.
            compiled = try KerasFile.withGraph(at: path, architecture: architecture) { graph in
                if let shapes {
                    guard shapes.count == graph.inputs.count else {
                        throw InferenceError("the model has \(graph.inputs.count) inputs (\(graph.inputs.map(\.layer).joined(separator: ", "))), got \(shapes.count) shapes")
                    }
                    guard let b = shapes.first?.first, shapes.allSatisfy({ $0.first == b && $0.allSatisfy { $0 >= 1 } }) else {
                        throw InferenceError("input shapes \(shapes) must have positive sizes and the same batch size first")
                    }
                }
                return try CompiledModel(consume graph, inputShapes: shapes.map { $0.map { [nil] + $0.dropFirst().map { $0 } } })
            }
        }
        let graph = compiled.structure
        let batch = shapes?.first?.first ?? batch
        let loadSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        var rng = SplitMix64(seed: 0x4B65_7261_7350_6F72)   // fixed seed: the same input every run
        let inputs: [Tensor] = try compiled.inputShapes.enumerated().map { i, s in
            guard let s else { throw InferenceError("model input \(i) has an unknown shape") }
            if let given = shapes?[i] {
                guard given.count == s.count, zip(given.dropFirst(), s.dropFirst()).allSatisfy({ $1 == nil || $1 == $0 }) else {
                    throw InferenceError("model input `\(graph.inputs[i].layer)` has shape \(s.kerasDescription), which shape \(given) does not fit")
                }
            }
            var shape = [batch]
            for d in s.dropFirst() {
                guard let d else { throw InferenceError("model input `\(graph.inputs[i].layer)` has an unknown size in \(s.kerasDescription) (give it with --shape)") }
                shape.append(d)
            }
            let n = shape.reduce(1, *)
            let integer = isIndexInput(graph, input: i)
            return Tensor(shape: shape, scalars: (0..<n).map { _ in integer ? Float(Int.random(in: 0..<2, using: &rng)) : Float.random(in: -1...1, using: &rng) })
        }
        for _ in 0..<max(warmup, 0) { _ = try compiled.predict(inputs) }
        var times: [Double] = []
        var perLayer: [String: [Double]] = [:]
        var order: [(String, String)] = []
        for it in 0..<max(iterations, 1) {
            let t0 = DispatchTime.now().uptimeNanoseconds
            if profile {
                _ = try compiled.predict(inputs) { layers, classNames, call, seconds in
                    let key = call == 0 ? layers : "\(layers)[\(call)]"
                    if it == 0 { order.append((key, classNames)) }
                    perLayer[key, default: []].append(seconds)
                }
            } else {
                _ = try compiled.predict(inputs)
            }
            times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        }
        let inOrder = times
        times.sort()
        return Result(batch: batch, iterations: times.count, warmup: warmup, loadSeconds: loadSeconds,
                      medianSeconds: median(times), minSeconds: times.first ?? 0, times: inOrder,
                      flops: flopCount(compiled, batch: batch),
                      profile: order.map { ($0.0, $0.1, median((perLayer[$0.0] ?? []).sorted())) })
    }

    private static func median(_ sorted: [Double]) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let m = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2
    }

    /// Whether model input `i` feeds an Embedding (integer indices).
    private static func isIndexInput(_ graph: ModelGraph, input i: Int) -> Bool {
        let name = graph.inputs[i].layer
        return graph.nodes.contains { node in node.layer is Embedding && node.calls.contains { $0.inputs.contains { $0.layer == name } } }
    }

    /// 2 × multiply-adds of the top-level Dense and convolution layers for one batch: each output element of a Dense
    /// or convolution costs its kernel's receptive field (grouped: one group's input channels), each depthwise output
    /// element its kernel window, a separable layer both its depthwise and its pointwise part, and a transposed
    /// convolution scatters every input element over its whole kernel (outputs cropped by its padding included).
    /// Layers inside nested models and every other layer are left out.
    static func flopCount(_ model: CompiledModel, batch: Int) -> Double? {
        var total = 0.0
        for (n, c) in model.analysis.order {
            let node = model.structure.nodes[n]   // kernel shapes from weightShape (a packed kernel is left out)
            let id = GraphAnalysis.CallID(node: n, call: c)
            guard let out = model.analysis.outputShapes[id]?.first else { continue }
            let outElems = Double(out.dropFirst().compactMap { $0 }.reduce(1, *)) * Double(batch)
            let inElems = (model.analysis.inputShapes[id]?.first ?? nil)
                .map { Double($0.dropFirst().compactMap { $0 }.reduce(1, *)) * Double(batch) }
            /// The product of the first `count` sizes of weight `w`'s shape, when it has `rank` axes.
            func kernel(_ w: Int, rank: Int, first count: Int) -> Double? {
                guard let k = model.weightShape(node: n, weight: w), k.count == rank else { return nil }
                return Double(k.prefix(count).reduce(1, *))
            }
            let macs: Double?
            switch node.layer {
            case is Dense:
                macs = model.weightShape(node: n, weight: 0)?.first.map { outElems * Double($0) }
            case is Conv1D: macs = kernel(0, rank: 3, first: 2).map { outElems * $0 }
            case is Conv2D: macs = kernel(0, rank: 4, first: 3).map { outElems * $0 }
            case is Conv3D: macs = kernel(0, rank: 5, first: 4).map { outElems * $0 }
            case is DepthwiseConv1D: macs = kernel(0, rank: 3, first: 1).map { outElems * $0 }
            case is DepthwiseConv2D: macs = kernel(0, rank: 4, first: 2).map { outElems * $0 }
            case is SeparableConv1D, is SeparableConv2D:
                // depthwise [k…, in, multiplier] then pointwise [1…, in · multiplier, filters]
                let rank = node.layer is SeparableConv1D ? 3 : 4
                guard let window = kernel(0, rank: rank, first: rank - 2),
                      let p = model.weightShape(node: n, weight: 1), p.count == rank, let filters = p.last, filters > 0
                else { macs = nil; break }
                let mid = Double(p[rank - 2])   // in · multiplier: the depthwise output's channels
                macs = outElems / Double(filters) * mid * window + outElems * mid
            case is Conv1DTranspose: macs = inElems.flatMap { i in kernel(0, rank: 3, first: 2).map { i * $0 } }
            case is Conv2DTranspose: macs = inElems.flatMap { i in kernel(0, rank: 4, first: 3).map { i * $0 } }
            case is Conv3DTranspose: macs = inElems.flatMap { i in kernel(0, rank: 5, first: 4).map { i * $0 } }
            default: macs = nil
            }
            if let macs { total += 2 * macs }
        }
        return total > 0 ? total : nil
    }
}

/// SplitMix64 (Steele, Lea, Flood 2014): a fast seeded generator for benchmark inputs (the system generator makes
/// a system call per value, seconds for a large batch).
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
