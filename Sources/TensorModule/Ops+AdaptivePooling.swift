extension Ops {
    /// Keras 3's adaptive average / max pooling on channels-last `[batch, spatial…, channels]` (1 to 3 spatial
    /// axes): on an axis of length `L` pooled to `n`, output `i` reduces `[floor(i·L/n), ceil((i+1)·L/n))`. The axes
    /// are pooled one after another (as Keras' TensorFlow backend does); for the mean that is the mean of the window.
    /// NaN propagates through a maximum.
    /// - Throws: ``TensorError`` for a wrong rank, a size of 0, or an empty input axis.
    package static func adaptivePool(input: Tensor, outputSize: [Int], kind: PoolKind) throws(TensorError) -> Tensor {
        let op = "adaptivePool"
        let rank = outputSize.count
        guard (1...3).contains(rank), input.rank == rank + 2 else {
            throw .shape(op, "input \(input.shape) must be [batch, \(rank) spatial axes, channels] for output size \(outputSize)")
        }
        guard outputSize.allSatisfy({ $0 >= 1 }) else { throw .argument(op, "output size \(outputSize) must be ≥ 1") }
        guard input.shape[1...rank].allSatisfy({ $0 >= 1 }) else {
            throw .shape(op, "input \(input.shape) has an empty spatial axis")
        }
        var x = input
        for axis in 1...rank { x = try adaptivePool(x, axis: axis, to: outputSize[axis - 1], kind: kind) }
        return x
    }

    /// One axis of ``adaptivePool(input:outputSize:kind:)``.
    private static func adaptivePool(_ x: Tensor, axis: Int, to n: Int, kind: PoolKind) throws(TensorError) -> Tensor {
        let length = x.shape[axis]
        let outer = x.shape[..<axis].reduce(1, *)
        let inner = x.shape[(axis + 1)...].reduce(1, *)
        var shape = x.shape
        shape[axis] = n
        let count = try Tensor.checkedCount(shape, operation: "adaptivePool")
        var out = [Float](repeating: 0, count: count)
        x.scalars.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for i in 0..<n {
                    let start = i * length / n
                    let end = min(((i + 1) * length + n - 1) / n, length)
                    let size = Float(end - start)
                    for o in 0..<outer {
                        let base = o * length * inner
                        let target = (o * n + i) * inner
                        for k in 0..<inner {
                            var acc: Float = kind == .max ? -.infinity : 0
                            for j in start..<end {
                                let v = src[base + j * inner + k]
                                switch kind {
                                case .max: if v > acc || v.isNaN { acc = v }
                                case .average: acc += v
                                }
                                if acc.isNaN && kind == .max { break }
                            }
                            dst[target + k] = kind == .max ? acc : acc / size
                        }
                    }
                }
            }
        }
        return Tensor(unchecked: shape, scalars: out)
    }
}
