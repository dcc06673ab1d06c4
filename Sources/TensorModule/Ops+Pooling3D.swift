extension Ops {
    /// Which reduction a pooling window computes.
    package enum PoolKind: Sendable, Equatable {
        /// The maximum (padding never wins; NaN propagates as in TensorFlow's `MaxPool3D`).
        case max
        /// The mean over the window's elements inside the input (padding is not counted), as `AvgPool3D`.
        case average
    }

    /// TensorFlow's `MaxPool3D` / `AvgPool3D` on `NDHWC`: windows of `poolSize` moved by `strides`, `valid` or `same`
    /// padding (TensorFlow's split: the smaller half before).
    /// - Throws: ``TensorError`` for a wrong rank, window or padding, or an empty output.
    package static func pool3d(input: Tensor, kind: PoolKind, poolSize: [Int], strides: [Int],
                              padding: Padding) throws(TensorError) -> Tensor {
        let op = "pool3d"
        guard input.rank == 5 else { throw .shape(op, "input \(input.shape) must be [batch, depth, height, width, channels]") }
        guard poolSize.count == 3, strides.count == 3, poolSize.allSatisfy({ $0 > 0 }), strides.allSatisfy({ $0 > 0 }) else {
            throw .argument(op, "pool size \(poolSize) and strides \(strides) must be three positive values")
        }
        guard padding != .causal else { throw .argument(op, "padding must be valid or same") }
        let n = input.shape[0], c = input.shape[4]
        let spatial = Array(input.shape[1...3])
        var outSize: [Int] = [], before: [Int] = []
        for i in 0..<3 {
            let (k, s, len) = (poolSize[i], strides[i], spatial[i])
            let o = padding == .valid ? (len >= k ? (len - k) / s + 1 : 0) : (len + s - 1) / s
            let total = padding == .valid ? 0 : max((o - 1) * s + k - len, 0)
            outSize.append(o)
            before.append(total / 2)
        }
        let shape = [n] + outSize + [c]
        let count = try Tensor.checkedCount(shape, operation: op)
        let (id, ih, iw) = (spatial[0], spatial[1], spatial[2])
        let (od, oh, ow) = (outSize[0], outSize[1], outSize[2])
        return Tensor.build(shape: shape, count: count) { out in
            input.scalars.withUnsafeBufferPointer { xb in
                let x = xb.baseAddress!, o = out.baseAddress!
                var acc = [Float](repeating: 0, count: c)
                for b in 0..<n {
                    for z in 0..<od {
                        let z0 = z * strides[0] - before[0]
                        let zs = max(z0, 0), ze = min(z0 + poolSize[0], id)
                        for y in 0..<oh {
                            let y0 = y * strides[1] - before[1]
                            let ys = max(y0, 0), ye = min(y0 + poolSize[1], ih)
                            for xx in 0..<ow {
                                let x0 = xx * strides[2] - before[2]
                                let xs = max(x0, 0), xe = min(x0 + poolSize[2], iw)
                                let dst = o + ((((b * od + z) * oh + y) * ow + xx) * c)
                                switch kind {
                                case .max:
                                    for j in 0..<c { acc[j] = -.infinity }
                                case .average:
                                    for j in 0..<c { acc[j] = 0 }
                                }
                                var elements = 0
                                if zs < ze, ys < ye, xs < xe {
                                    for zi in zs..<ze {
                                        for yi in ys..<ye {
                                            for xi in xs..<xe {
                                                let src = x + ((((b * id + zi) * ih + yi) * iw + xi) * c)
                                                elements += 1
                                                switch kind {
                                                case .max:
                                                    for j in 0..<c where src[j] > acc[j] || src[j].isNaN { acc[j] = src[j] }
                                                case .average:
                                                    for j in 0..<c { acc[j] += src[j] }
                                                }
                                            }
                                        }
                                    }
                                }
                                switch kind {
                                case .max:
                                    for j in 0..<c { dst[j] = acc[j] }
                                case .average:
                                    let d = Float(max(elements, 1))
                                    for j in 0..<c { dst[j] = acc[j] / d }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Keras `UpSampling3D` on `NDHWC`: each spatial slice repeated `size` times (nearest).
    /// - Throws: ``TensorError`` for a wrong rank or size.
    package static func upSampling3d(input: Tensor, size: [Int]) throws(TensorError) -> Tensor {
        let op = "upSampling3d"
        guard input.rank == 5 else { throw .shape(op, "input \(input.shape) must be [batch, depth, height, width, channels]") }
        guard size.count == 3, size.allSatisfy({ $0 > 0 }) else { throw .argument(op, "size \(size) must be three positive values") }
        var y = input
        for axis in 1...3 where size[axis - 1] > 1 {
            y = try repeatAxis(op, y, axis: axis, times: size[axis - 1])
        }
        return y
    }
}
