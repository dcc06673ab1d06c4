import KerasGraph
import TensorModule

extension BatchNormalization: RunnableLayer {
    /// `y = x·scale + shift` along the normalised axes, with `scale = gamma·rsqrt(moving_variance + epsilon)` and
    /// `shift = beta − moving_mean·scale` folded once here, in float32 and in the order of TensorFlow's
    /// `tf.nn.batch_normalization` (what Keras 3 calls at inference).
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        let input = try singleInput(inputShapes)
        let rank = input.count
        let axes = try normalizedAxes(rank: rank)
        var next = 0
        func take(_ name: String) throws -> Tensor {
            defer { next += 1 }
            return try weightTensor(next, name)
        }
        let gamma = scale ? try take("gamma") : nil
        let beta = center ? try take("beta") : nil
        let mean = try take("moving_mean"), variance = try take("moving_variance")
        let count = mean.count
        for (name, t) in [("gamma", gamma), ("beta", beta), ("moving_variance", variance)] {
            if let t, t.count != count {
                throw inferenceError("weight `\(name)` has shape \(t.shape), expected \(mean.shape) like `moving_mean`")
            }
        }
        let epsilon = Float(self.epsilon)
        var scale = [Float](repeating: 0, count: count), shift = scale
        for c in 0..<count {
            var inv = 1 / (variance.scalars[c] + epsilon).squareRoot()
            if let gamma { inv *= gamma.scalars[c] }
            scale[c] = inv
            shift[c] = beta.map { $0.scalars[c] - mean.scalars[c] * inv } ?? -mean.scalars[c] * inv
        }
        let (scales, shifts) = (scale, shift)
        if axes.count == 1 {
            let axis = axes[0]
            // Over the last axis it is a per-column step that can join the producer's output pass.
            let fusable = axis == rank - 1 && (input.last ?? nil) == count
            return ElementwiseLayer(postOps: fusable ? [.scaleShift(scale: scales, shift: shifts)] : nil) { x in
                try scaleShift(x, axis: axis, scale: scales, shift: shifts)
            }
        }
        // Several axes (Keras 2): the weights have the input's rank with 1 on the other axes; broadcast them.
        let shape = mean.shape
        guard shape.count == rank else {
            throw inferenceError("weight `moving_mean` has shape \(shape), expected rank \(rank) for axes \(axis)")
        }
        let scaleTensor = Tensor(shape: shape, scalars: scales), shiftTensor = Tensor(shape: shape, scalars: shifts)
        return UnaryClosureLayer { x in
            try Ops.add(lhs: try Ops.multiply(lhs: x, rhs: scaleTensor), rhs: shiftTensor)
        }
    }

    /// `x·scale[c] + shift[c]` where `c` is the index along `axis`.
    func scaleShift(_ x: Tensor, axis: Int, scale: [Float], shift: [Float]) throws -> Tensor {
        guard axis < x.rank, x.shape[axis] == scale.count else {
            throw inferenceError("input \(x.shape) does not have \(scale.count) channels on axis \(axis)")
        }
        let channels = scale.count
        let inner = x.shape[(axis + 1)...].reduce(1, *)
        let outer = channels == 0 || inner == 0 ? 0 : x.count / (channels * inner)
        var y = x
        y.scalars.withUnsafeMutableBufferPointer { yb in
            scale.withUnsafeBufferPointer { sb in
                shift.withUnsafeBufferPointer { tb in
                    guard let p = yb.baseAddress, let s = sb.baseAddress, let t = tb.baseAddress else { return }
                    for o in 0..<outer {
                        let block = p + o * channels * inner
                        if inner == 1 {
                            for c in 0..<channels { block[c] = block[c] * s[c] + t[c] }
                        } else {
                            for c in 0..<channels {
                                let row = block + c * inner, sc = s[c], sh = t[c]
                                for i in 0..<inner { row[i] = row[i] * sc + sh }
                            }
                        }
                    }
                }
            }
        }
        return y
    }
}
