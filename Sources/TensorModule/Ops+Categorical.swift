extension Ops {
    /// How ``encodeCategories(input:depth:mode:)`` encodes ids.
    package enum CategoryMode: String, Sendable {
        /// One vector per id (an axis appended; a last axis of size 1 is replaced).
        case oneHot = "one_hot"
        /// One vector per sample over the last axis: 1 where an id occurs.
        case multiHot = "multi_hot"
        /// One vector per sample over the last axis: how often each id occurs.
        case count
    }

    /// Keras' `CategoryEncoding` (TensorFlow's bincount path): integer-valued ids in `0 ..< depth` as float vectors of
    /// length `depth`. `skip(id)` ids (IntegerLookup's mask) are left out.
    /// - Returns: `oneHot`: `input.shape + [depth]` (without a last axis of size 1); `multiHot`/`count`:
    ///   `input.shape.dropLast() + [depth]` (a rank-1 input is one sample).
    /// - Throws: ``TensorError`` naming the first id that is not an integer in `0 ..< depth`.
    package static func encodeCategories(input: Tensor, depth: Int, mode: CategoryMode,
                                        skip: (Float) -> Bool = { _ in false }) throws(TensorError) -> Tensor {
        let op = "categoryEncoding"
        guard input.rank >= 1, depth > 0 else { throw .shape(op, "input \(input.shape) must have an axis, depth \(depth) must be positive") }
        let ids: [Int], perSample: Int, outShape: [Int]
        switch mode {
        case .oneHot:
            perSample = 1
            outShape = (input.rank > 1 && input.shape.last == 1 ? Array(input.shape.dropLast()) : input.shape) + [depth]
        case .multiHot, .count:
            perSample = input.shape.last!
            outShape = Array(input.shape.dropLast()) + [depth]
        }
        let count = try Tensor.checkedCount(outShape, operation: op)
        var index: [Int] = []
        index.reserveCapacity(input.count)
        for x in input.scalars {
            if skip(x) { index.append(-1); continue }
            guard x == x.rounded(), x >= 0, x < Float(depth) else {
                throw .argument(op, "id \(x) is not an integer in [0, \(depth)) (num_tokens \(depth))")
            }
            index.append(Int(x))
        }
        ids = index
        var out = [Float](repeating: 0, count: count)
        let samples = perSample == 0 ? count / depth : ids.count / perSample
        for s in 0..<samples {
            for j in 0..<perSample {
                let id = ids[s * perSample + j]
                guard id >= 0 else { continue }
                if mode == .count { out[s * depth + id] += 1 } else { out[s * depth + id] = 1 }
            }
        }
        return Tensor(unchecked: outShape, scalars: out)
    }
}
