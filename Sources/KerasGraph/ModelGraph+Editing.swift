import TensorModule

/// Editing the activation parameters of a model: LeakyReLU slopes, PReLU alphas and `shared_axes`,
/// and swapping a LeakyReLU for an equivalent PReLU or back. Every edit keeps the model's function the
/// same except where the edit itself changes a value.
///
/// Layers are named by path: `prelu`, or `backbone/prelu` inside the nested model `backbone`.
extension ModelGraph {
    /// An edit that cannot be made, naming the layer and why.
    public struct EditError: Error, CustomStringConvertible, Sendable {
        public var layer: String
        public var reason: String
        public var description: String { "layer `\(layer)`: \(reason)" }
    }

    /// Applies `body` to the layer at `path`, recursing into nested models.
    mutating func modifyLayer(at path: String, _ body: (inout any Layer, GraphAnalysis?) throws -> Void) throws {
        let parts = path.split(separator: "/").map(String.init)
        guard !parts.isEmpty else { throw EditError(layer: path, reason: "empty layer name") }
        try modify(parts[...], fullPath: path, body)
    }

    private mutating func modify(_ parts: ArraySlice<String>, fullPath: String,
                                 _ body: (inout any Layer, GraphAnalysis?) throws -> Void) throws {
        guard let n = index(of: parts.first!) else {
            throw EditError(layer: fullPath, reason: "no such layer (layers: \(nodes.map(\.name).joined(separator: ", ")))")
        }
        if parts.count == 1 {
            let analysis = try? GraphAnalysis.analyze(self, inputShapes: nil, checkWeights: false)
            try body(&nodes[n].layer, analysis)
            return
        }
        guard var nested = nodes[n].layer as? NestedModel else {
            throw EditError(layer: fullPath, reason: "`\(parts.first!)` is not a nested model")
        }
        try nested.graph.modify(parts.dropFirst(), fullPath: fullPath, body)
        nodes[n].layer = nested
    }

    /// Sets a LeakyReLU's slope (or a ReLU's `negative_slope`).
    public mutating func setSlope(ofLayer path: String, to slope: Float) throws {
        guard slope.isFinite else { throw EditError(layer: path, reason: "slope must be finite, got \(slope)") }
        try modifyLayer(at: path) { layer, _ in
            switch layer {
            case var l as LeakyReLU:
                l.negativeSlope = slope
                layer = l
            case var l as ReLU:
                l.negativeSlope = slope
                layer = l
            default:
                throw EditError(layer: path, reason: "is a \(layer.className), not a LeakyReLU or ReLU")
            }
        }
    }

    /// Sets every alpha of a PReLU to one value.
    public mutating func setAlphas(ofLayer path: String, to value: Float) throws {
        try modifyLayer(at: path) { layer, _ in
            guard var p = layer as? PReLU, let alpha = p.weights.first else {
                throw EditError(layer: path, reason: "is a \(layer.className), not a PReLU with weights")
            }
            p.weights[0].tensor = Tensor(shape: alpha.tensor.shape, repeating: value)
            layer = p
        }
    }

    /// Replaces a PReLU's alphas with `values`, which must have the alpha's shape (or broadcast to it
    /// from a single value or one value per channel).
    public mutating func setAlphas(ofLayer path: String, to values: Tensor) throws {
        try modifyLayer(at: path) { layer, _ in
            guard var p = layer as? PReLU, let alpha = p.weights.first else {
                throw EditError(layer: path, reason: "is a \(layer.className), not a PReLU with weights")
            }
            let shape = alpha.tensor.shape
            if values.shape == shape {
                p.weights[0].tensor = values
            } else if values.count == 1 {
                p.weights[0].tensor = Tensor(shape: shape, repeating: values.scalars[0])
            } else if let c = shape.last, values.count == c, values.rank <= 1 || values.shape.dropLast().allSatisfy({ $0 == 1 }) {
                let reps = alpha.tensor.count / max(c, 1)
                p.weights[0].tensor = Tensor(shape: shape, scalars: Array((0..<reps).map { _ in values.scalars }.joined()))
            } else {
                throw EditError(layer: path, reason: "alphas of shape \(values.shape) do not fit the alpha shape \(shape)")
            }
            layer = p
        }
    }

    /// Changes a PReLU's `shared_axes`. Collapsing an axis is allowed only when the alphas along it are all
    /// equal (so the function does not change); expanding repeats the values.
    public mutating func setSharedAxes(ofLayer path: String, to axes: [Int]?) throws {
        try modifyLayer(at: path) { layer, analysis in
            guard var p = layer as? PReLU, let alpha = p.weights.first?.tensor else {
                throw EditError(layer: path, reason: "is a \(layer.className), not a PReLU with weights")
            }
            let name = p.name
            var target = p
            target.sharedAxes = axes?.isEmpty == true ? nil : axes?.sorted()
            // The input shape, from the analysis or, failing that, from the current alpha (non-shared axes).
            guard let input = Self.analysisInput(analysis, layer: name) ?? Self.inputFromAlpha(alpha, shared: p.sharedAxes) else {
                throw EditError(layer: path, reason: "cannot determine the input shape")
            }
            let newShape: [Int]
            do { newShape = try target.alphaShape(inputShape: input) } catch {
                throw EditError(layer: path, reason: "\(error)")
            }
            for a in target.sharedAxes ?? [] where a < 1 || a >= input.count {
                throw EditError(layer: path, reason: "shared axis \(a) is out of range for input \(input.kerasDescription)")
            }
            p.weights[0].tensor = try Self.reshapeAlpha(alpha, to: newShape, layer: path)
            p.sharedAxes = target.sharedAxes
            layer = p
        }
    }

    private static func analysisInput(_ analysis: GraphAnalysis?, layer: String) -> Shape? {
        guard let s = analysis?.inputShapes(ofLayer: layer)?.first ?? nil else { return nil }
        return s
    }

    private static func inputFromAlpha(_ alpha: Tensor, shared: [Int]?) -> Shape? {
        if let shared, !shared.isEmpty { return nil }
        return [nil] + alpha.shape.map { Optional($0) }
    }

    /// Broadcasts or collapses an alpha tensor to `shape` (same rank); collapsing requires equal values.
    static func reshapeAlpha(_ alpha: Tensor, to shape: [Int], layer: String) throws -> Tensor {
        guard alpha.rank == shape.count else {
            throw EditError(layer: layer, reason: "alpha rank \(alpha.rank) differs from the new shape \(shape)")
        }
        // Strides of the source for reading with broadcasting (size-1 source axes repeat).
        var srcStrides = [Int](repeating: 0, count: alpha.rank)
        var s = 1
        for i in stride(from: alpha.rank - 1, through: 0, by: -1) {
            srcStrides[i] = alpha.shape[i] == 1 ? 0 : s
            s *= alpha.shape[i]
        }
        for i in 0..<shape.count where shape[i] != alpha.shape[i] && shape[i] != 1 && alpha.shape[i] != 1 {
            throw EditError(layer: layer, reason: "cannot turn alpha shape \(alpha.shape) into \(shape)")
        }
        // Collapsing (target 1, source > 1): every slice along that axis must be equal.
        for i in 0..<shape.count where shape[i] == 1 && alpha.shape[i] > 1 {
            let inner = alpha.shape[(i + 1)...].reduce(1, *)
            let outer = alpha.shape[..<i].reduce(1, *)
            for o in 0..<outer {
                for k in 1..<alpha.shape[i] {
                    for j in 0..<inner {
                        let a = alpha.scalars[(o * alpha.shape[i]) * inner + j]
                        let b = alpha.scalars[(o * alpha.shape[i] + k) * inner + j]
                        guard a.bitPattern == b.bitPattern else {
                            throw EditError(layer: layer, reason: "cannot share axis \(i + 1): the alphas along it differ (\(a) vs \(b)); set them equal first")
                        }
                    }
                }
            }
        }
        let count = shape.reduce(1, *)
        var out = [Float](repeating: 0, count: count)
        var index = [Int](repeating: 0, count: shape.count)
        for flat in 0..<count {
            var src = 0
            for i in 0..<shape.count { src += (alpha.shape[i] == 1 ? 0 : index[i]) * srcStrides[i] }
            out[flat] = alpha.scalars[src]
            var k = shape.count - 1
            while k >= 0 {
                index[k] += 1
                if index[k] < shape[k] { break }
                index[k] = 0
                k -= 1
            }
        }
        return Tensor(shape: shape, scalars: out)
    }

    /// Replaces a LeakyReLU with a PReLU computing the same function: alphas all equal to the slope, with
    /// `sharedAxes` (default: every axis but the channels, i.e. one alpha per channel), ready for fine-tuning.
    public mutating func convertLeakyReLUToPReLU(_ path: String, sharedAxes: [Int]? = nil) throws {
        try modifyLayer(at: path) { layer, analysis in
            guard let l = layer as? LeakyReLU else {
                throw EditError(layer: path, reason: "is a \(layer.className), not a LeakyReLU")
            }
            guard let input = Self.analysisInput(analysis, layer: l.name) else {
                throw EditError(layer: path, reason: "cannot determine the input shape")
            }
            let axes = sharedAxes ?? (input.count > 2 ? Array(1..<(input.count - 1)) : nil)
            var p = PReLU(common: l.common, sharedAxes: axes)
            let shape: [Int]
            do { shape = try p.alphaShape(inputShape: input) } catch { throw EditError(layer: path, reason: "\(error)") }
            p.weights = [Weight(name: "alpha", tensor: Tensor(shape: shape, repeating: l.negativeSlope))]
            layer = p
        }
    }

    /// Replaces a PReLU whose alphas are all equal with a LeakyReLU of that slope.
    public mutating func convertPReLUToLeakyReLU(_ path: String) throws {
        try modifyLayer(at: path) { layer, _ in
            guard let p = layer as? PReLU, let alpha = p.weights.first?.tensor, let first = alpha.scalars.first else {
                throw EditError(layer: path, reason: "is a \(layer.className), not a PReLU with weights")
            }
            guard alpha.scalars.allSatisfy({ $0.bitPattern == first.bitPattern }) else {
                throw EditError(layer: path, reason: "its alphas differ (min \(alpha.scalars.min()!), max \(alpha.scalars.max()!)); only a PReLU with one alpha value equals a LeakyReLU")
            }
            layer = LeakyReLU(common: p.common, negativeSlope: first)
        }
    }
}
