// Image preprocessing as Keras' preprocessing layers compute it with the TensorFlow backend.

extension Ops {
    /// `tf.image.resize(images, (height, width), method="nearest")` on `NHWC`: TensorFlow's
    /// `ResizeNearestNeighbor` with half-pixel centres, source index `min(⌊(i + 0.5) · in/out⌋, in − 1)`.
    /// - Throws: ``TensorError`` for a wrong rank or non-positive sizes.
    package static func resizeNearest(input: Tensor, height: Int, width: Int) throws(TensorError) -> Tensor {
        let op = "resizeNearest"
        guard input.rank == 4 else { throw .shape(op, "input \(input.shape) must be [batch, height, width, channels]") }
        guard height > 0, width > 0 else { throw .argument(op, "output size (\(height), \(width)) must be positive") }
        let (batch, h, w, c) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
        let shape = [batch, height, width, c]
        let count = try Tensor.checkedCount(shape, operation: op)
        guard h > 0, w > 0 else {
            guard count == 0 else { throw .shape(op, "cannot resize the empty image \(input.shape)") }
            return Tensor(unchecked: shape, scalars: [])
        }
        func sources(_ input: Int, _ output: Int) -> [Int] {
            let scale = Float(input) / Float(output)
            return (0..<output).map { i in max(0, min(Int(((Float(i) + 0.5) * scale).rounded(.down)), input - 1)) }
        }
        let ys = sources(h, height), xs = sources(w, width)
        return Tensor.build(shape: shape, count: count) { out in
            input.scalars.withUnsafeBufferPointer { xb in
                let x = xb.baseAddress!, o = out.baseAddress!
                for line in 0..<(batch * height) {
                    let n = line / height, oy = line % height
                    let src = x + (n * h + ys[oy]) * w * c
                    let dst = o + line * width * c
                    for ox in 0..<width { (dst + ox * c).update(from: src + xs[ox] * c, count: c) }
                }
            }
        }
    }

    /// The centre window Keras crops an `NHWC` image to before resizing with `crop_to_aspect_ratio=True` (and in
    /// `smart_resize`): `(top, left, height, width)`, computed in float32 as Keras' TensorFlow backend does.
    package static func aspectRatioCrop(height: Int, width: Int, targetHeight: Int, targetWidth: Int)
        -> (top: Int, left: Int, height: Int, width: Int) {
        let cropHeight = max(min(height, Int(Float(width * targetHeight) / Float(targetWidth))), 1)
        let cropWidth = max(min(width, Int(Float(height * targetWidth) / Float(targetHeight))), 1)
        let top = Int(Float(height - cropHeight) / 2)
        let left = Int(Float(width - cropWidth) / 2)
        return (top, left, cropHeight, cropWidth)
    }

    /// `x · scale + offset` with `scale` and `offset` either one value or one per position of the last axis (Keras'
    /// `Rescaling`: a multiply, then an add, each rounded to float32).
    /// - Throws: ``TensorError`` when a list does not match the last axis.
    package static func rescale(input: Tensor, scale: [Float], offset: [Float]) throws(TensorError) -> Tensor {
        let op = "rescale"
        let c = input.shape.last ?? 1
        for v in [scale, offset] where v.count != 1 && v.count != c {
            throw .shape(op, "\(v.count) values do not match the last axis of input \(input.shape)")
        }
        guard input.count > 0, c > 0 else { return input }
        // Into a new tensor, in vectors, split across the cores: where the input was still held elsewhere (a model's
        // input), the copy-then-scale in place copied it first, on the calling thread (EfficientNetB0 batch 1: 30 µs
        // of the calling thread between the parallel steps). A multiply, then an add (two roundings, as Keras): SIMD
        // operators never fuse.
        return channelPass(input, scale, offset, vector: { x, s, o in x * s + o }, scalar: { x, s, o in
            let product = x * s
            return product + o
        })
    }

    /// `vector(x, a, b)` for every value `x` of `input`, with `a` and `b` each one value or one per position of the
    /// last axis (checked by the caller), into a new tensor, in vectors, split across the cores; `scalar` (the same
    /// values one at a time) for a block's tail. The operands are tiled to a whole number of channel runs and of
    /// vectors, so each block of values is one vector loop.
    @inline(__always)
    private static func channelPass(_ input: Tensor, _ a: [Float], _ b: [Float],
                                    vector: (FloatVector, FloatVector, FloatVector) -> FloatVector,
                                    scalar: (Float, Float, Float) -> Float) -> Tensor {
        let count = input.count, c = Swift.max(input.shape.last ?? 1, 1)
        let lanes = FloatVector.scalarCount
        let period = c * lanes * Swift.max(1, 256 / (c * lanes))
        var at = [Float](repeating: 0, count: period), bt = [Float](repeating: 0, count: period)
        for i in 0..<period {
            at[i] = a.count == 1 ? a[0] : a[i % c]
            bt[i] = b.count == 1 ? b[0] : b[i % c]
        }
        let blocks = (count + period - 1) / period
        return Tensor.build(shape: input.shape, count: count) { out in
            input.scalars.withUnsafeBufferPointer { xb in
                at.withUnsafeBufferPointer { ab in
                    bt.withUnsafeBufferPointer { bb in
                        let x = xb.baseAddress!, ap = ab.baseAddress!, bp = bb.baseAddress!, o = out.baseAddress!
                        Parallel.forEachChunk(count: blocks, work: count, chunksPerCore: 1) { range in
                            for block in range {
                                let start = block * period, n = Swift.min(period, count - start)
                                var i = 0
                                while i + lanes <= n {
                                    let xv = UnsafeRawPointer(x + start + i).loadUnaligned(as: FloatVector.self)
                                    let av = UnsafeRawPointer(ap + i).loadUnaligned(as: FloatVector.self)
                                    let bv = UnsafeRawPointer(bp + i).loadUnaligned(as: FloatVector.self)
                                    UnsafeMutableRawPointer(o + start + i).storeBytes(of: vector(xv, av, bv),
                                                                                      as: FloatVector.self)
                                    i += lanes
                                }
                                while i < n {
                                    o[start + i] = scalar(x[start + i], ap[i], bp[i])
                                    i += 1
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

extension Ops {
    /// Keras' `Normalization` when its statistics vary along the last axis only (or not at all): `(x − mean) /
    /// denominator`, or with `invert` `mean + x · denominator`, in one pass (the two element-wise operations, each
    /// rounded to float32, in the order Keras applies them: the same values as ``subtract(lhs:rhs:)`` then
    /// ``divide(lhs:rhs:)``, without the intermediate tensor). `mean` and `denominator` hold one value per position of
    /// the last axis, or one value.
    /// - Throws: ``TensorError`` when a list does not match the last axis.
    package static func normalize(input: Tensor, mean: [Float], denominator: [Float], invert: Bool) throws(TensorError)
        -> Tensor {
        let op = "normalize"
        let c = Swift.max(input.shape.last ?? 1, 1)
        for v in [mean, denominator] where v.count != 1 && v.count != c {
            throw .shape(op, "\(v.count) values do not match the last axis of input \(input.shape)")
        }
        guard input.count > 0 else { return input }
        return invert
            ? channelPass(input, mean, denominator, vector: { x, m, d in m + x * d }, scalar: { x, m, d in
                let product = x * d
                return m + product
            })
            : channelPass(input, mean, denominator, vector: { x, m, d in (x - m) / d }, scalar: { x, m, d in
                let difference = x - m
                return difference / d
            })
    }
}

extension Ops {
    /// TensorFlow's `Bucketize`: for each value, the number of `boundaries` (ascending) that are not greater than it,
    /// i.e. the count of `b` with `!(x < b)`; NaN counts every boundary. The index is returned as a float.
    package static func bucketize(input: Tensor, boundaries: [Float]) -> Tensor {
        var out = input
        out.scalars.withUnsafeMutableBufferPointer { p in
            for i in p.indices {
                let x = p[i]
                var k = 0
                for b in boundaries where !(x < b) { k += 1 }
                p[i] = Float(k)
            }
        }
        return out
    }
}
