extension Ops {
    /// The same scalars under a new shape; one dimension may be `-1` (inferred).
    /// - Throws: ``TensorError`` when the element counts differ or more than one dimension is `-1`.
    package static func reshape(input: Tensor, shape: [Int]) throws(TensorError) -> Tensor {
        let op = "reshape"
        let unknown = shape.indices.filter { shape[$0] == -1 }
        guard unknown.count <= 1, shape.allSatisfy({ $0 >= -1 }) else {
            throw .argument(op, "target shape \(shape) may contain at most one -1 and no other negative size")
        }
        var resolved = shape
        if let u = unknown.first {
            let known = try Tensor.checkedCount(shape.enumerated().map { $0.offset == u ? 1 : $0.element }, operation: op)
            guard known > 0, input.count % known == 0 else {
                throw .shape(op, "cannot reshape \(input.shape) (\(input.count) values) to \(shape)")
            }
            resolved[u] = input.count / known
        }
        guard Tensor.elementCount(of: resolved) == input.count else {
            throw .shape(op, "cannot reshape \(input.shape) (\(input.count) values) to \(shape)")
        }
        return Tensor(unchecked: resolved, scalars: input.scalars)
    }

    /// Keras `Flatten`: `[batch, d1, …] → [batch, d1·…]` (`[batch] → [batch, 1]`).
    /// - Throws: ``TensorError`` for a rank-0 input.
    package static func flatten(input: Tensor) throws(TensorError) -> Tensor {
        guard input.rank >= 1 else { throw .shape("flatten", "input \(input.shape) needs a batch axis") }
        let batch = input.shape[0]
        let rest = product(input.shape.dropFirst())
        return Tensor(unchecked: [batch, rest], scalars: input.scalars)
    }

    /// General transpose: output axis `i` is input axis `permutation[i]`.
    /// - Throws: ``TensorError`` unless `permutation` is a permutation of `0..<rank`.
    package static func transpose(input: Tensor, permutation: [Int]) throws(TensorError) -> Tensor {
        let op = "transpose"
        guard permutation.count == input.rank, Set(permutation) == Set(0..<input.rank) else {
            throw .argument(op, "\(permutation) is not a permutation of the axes of \(input.shape)")
        }
        let outShape = permutation.map { input.shape[$0] }
        if permutation == Array(0..<input.rank) { return input }
        // Merge runs of axes that stay adjacent and in order; drop size-1 axes.
        let inStrides = rowMajorStrides(input.shape)
        var dims: [Int] = [], srcStrides: [Int] = []
        for p in permutation where input.shape[p] != 1 {
            if let last = srcStrides.last, last == inStrides[p] * input.shape[p] {
                dims[dims.count - 1] *= input.shape[p]
                srcStrides[srcStrides.count - 1] = inStrides[p]
            } else {
                dims.append(input.shape[p])
                srcStrides.append(inStrides[p])
            }
        }
        if dims.count <= 1 { return Tensor(unchecked: outShape, scalars: input.scalars) }
        let count = input.count
        let inner = dims[dims.count - 1], innerStride = srcStrides[srcStrides.count - 1]
        let outerDims = Array(dims.dropLast()), outerStrides = Array(srcStrides.dropLast())
        return Tensor.build(shape: outShape, count: count) { out in
            input.scalars.withUnsafeBufferPointer { xb in
                let x = xb.baseAddress!, o = out.baseAddress!
                Parallel.forEachChunk(count: count / inner, work: count) { range in
                    var index = [Int](repeating: 0, count: outerDims.count)
                    var rem = range.lowerBound, src = 0
                    for d in stride(from: outerDims.count - 1, through: 0, by: -1) {
                        index[d] = rem % outerDims[d]
                        rem /= outerDims[d]
                        src += index[d] * outerStrides[d]
                    }
                    for row in range {
                        let dst = o + row * inner
                        if innerStride == 1 {
                            dst.update(from: x + src, count: inner)
                        } else {
                            var s = x + src
                            for j in 0..<inner { dst[j] = s.pointee; s += innerStride }
                        }
                        var d = outerDims.count - 1
                        while d >= 0 {
                            index[d] += 1
                            src += outerStrides[d]
                            if index[d] < outerDims[d] { break }
                            src -= outerStrides[d] * index[d]
                            index[d] = 0
                            d -= 1
                        }
                    }
                }
            }
        }
    }

    /// Keras `Permute(dims)`: `dims` are 1-based axes excluding the batch axis, e.g. `(2, 1)` swaps
    /// the two axes after the batch.
    /// - Throws: ``TensorError`` unless `dims` is a permutation of `1...rank-1`.
    package static func permute(input: Tensor, dims: [Int]) throws(TensorError) -> Tensor {
        guard dims.count == input.rank - 1, Set(dims) == Set(1..<max(input.rank, 1)) else {
            throw .argument("permute", "dims \(dims) is not a permutation of 1...\(input.rank - 1) for input \(input.shape)")
        }
        return try transpose(input: input, permutation: [0] + dims)
    }

    /// Keras `RepeatVector(n)`: `[batch, features] → [batch, n, features]`.
    /// - Throws: ``TensorError`` for a wrong rank or negative `count`.
    package static func repeatVector(input: Tensor, count n: Int) throws(TensorError) -> Tensor {
        let op = "repeatVector"
        guard input.rank == 2 else { throw .shape(op, "input \(input.shape) must be [batch, features]") }
        guard n >= 0 else { throw .argument(op, "repeat count \(n) must be non-negative") }
        let (batch, features) = (input.shape[0], input.shape[1])
        let shape = [batch, n, features]
        let count = try Tensor.checkedCount(shape, operation: op)
        return Tensor.build(shape: shape, count: count) { out in
            input.scalars.withUnsafeBufferPointer { xb in
                for b in 0..<batch {
                    for r in 0..<n { (out.baseAddress! + (b * n + r) * features).update(from: xb.baseAddress! + b * features, count: features) }
                }
            }
        }
    }

    /// Pads with `value` (default zeros); `paddings[i]` is `(before, after)` for axis `i`.
    /// - Throws: ``TensorError`` when `paddings` does not match the rank or has a negative entry.
    package static func pad(input: Tensor, paddings: [(Int, Int)], value: Float = 0) throws(TensorError) -> Tensor {
        let op = "pad"
        guard paddings.count == input.rank, paddings.allSatisfy({ $0.0 >= 0 && $0.1 >= 0 }) else {
            throw .argument(op, "paddings \(paddings) do not fit input \(input.shape)")
        }
        var shape = input.shape
        for i in shape.indices {
            let (s, o1) = shape[i].addingReportingOverflow(paddings[i].0)
            let (t, o2) = s.addingReportingOverflow(paddings[i].1)
            guard !o1, !o2 else { throw TensorError(.overflow, operation: op, message: "padded shape overflows") }
            shape[i] = t
        }
        let count = try Tensor.checkedCount(shape, operation: op)
        var out = Tensor(unchecked: shape, scalars: [Float](repeating: value, count: count))
        copyBox(from: input, start: [Int](repeating: 0, count: input.rank), to: &out,
                at: paddings.map(\.0), size: input.shape)
        return out
    }

    /// Crops `(before, after)` elements from each axis.
    /// - Throws: ``TensorError`` when `croppings` does not match the rank or removes more than the axis holds.
    package static func crop(input: Tensor, croppings: [(Int, Int)]) throws(TensorError) -> Tensor {
        let op = "crop"
        guard croppings.count == input.rank, croppings.allSatisfy({ $0.0 >= 0 && $0.1 >= 0 }) else {
            throw .argument(op, "croppings \(croppings) do not fit input \(input.shape)")
        }
        var shape = input.shape
        for i in shape.indices {
            guard croppings[i].0 <= shape[i], croppings[i].1 <= shape[i] - croppings[i].0 else {
                throw .shape(op, "cropping \(croppings[i]) removes more than axis \(i) of input \(input.shape) holds")
            }
            shape[i] -= croppings[i].0 + croppings[i].1
        }
        var out = Tensor(unchecked: shape, scalars: [Float](repeating: 0, count: product(shape[...])))
        copyBox(from: input, start: croppings.map(\.0), to: &out, at: [Int](repeating: 0, count: input.rank), size: shape)
        return out
    }

    /// Keras `ZeroPadding1D` on `NLC`: `(before, after)` zero steps.
    /// - Throws: ``TensorError`` for a wrong rank or negative padding.
    package static func zeroPadding1d(input: Tensor, padding: (Int, Int)) throws(TensorError) -> Tensor {
        guard input.rank == 3 else { throw .shape("zeroPadding1d", "input \(input.shape) must be [batch, steps, channels]") }
        return try pad(input: input, paddings: [(0, 0), padding, (0, 0)])
    }

    /// Keras `ZeroPadding2D` on `NHWC`: `((top, bottom), (left, right))`.
    /// - Throws: ``TensorError`` for a wrong rank or negative padding.
    package static func zeroPadding2d(input: Tensor, padding: ((Int, Int), (Int, Int))) throws(TensorError) -> Tensor {
        guard input.rank == 4 else { throw .shape("zeroPadding2d", "input \(input.shape) must be [batch, height, width, channels]") }
        return try pad(input: input, paddings: [(0, 0), padding.0, padding.1, (0, 0)])
    }

    /// Keras `Cropping1D` on `NLC`: `(before, after)` steps removed.
    /// - Throws: ``TensorError`` for a wrong rank or too much cropping.
    package static func cropping1d(input: Tensor, cropping: (Int, Int)) throws(TensorError) -> Tensor {
        guard input.rank == 3 else { throw .shape("cropping1d", "input \(input.shape) must be [batch, steps, channels]") }
        return try crop(input: input, croppings: [(0, 0), cropping, (0, 0)])
    }

    /// Keras `Cropping2D` on `NHWC`: `((top, bottom), (left, right))` removed.
    /// - Throws: ``TensorError`` for a wrong rank or too much cropping.
    package static func cropping2d(input: Tensor, cropping: ((Int, Int), (Int, Int))) throws(TensorError) -> Tensor {
        guard input.rank == 4 else { throw .shape("cropping2d", "input \(input.shape) must be [batch, height, width, channels]") }
        return try crop(input: input, croppings: [(0, 0), cropping.0, cropping.1, (0, 0)])
    }

    /// Copies the box of `size` at `start` in `source` to `at` in `destination` (both in bounds).
    static func copyBox(from source: Tensor, start: [Int], to destination: inout Tensor, at: [Int], size: [Int]) {
        let rank = size.count
        guard rank > 0 else {
            if !source.scalars.isEmpty, !destination.scalars.isEmpty { destination.scalars[0] = source.scalars[0] }
            return
        }
        guard size.allSatisfy({ $0 > 0 }) else { return }
        let ss = rowMajorStrides(source.shape), ds = rowMajorStrides(destination.shape)
        let inner = size[rank - 1]
        let rows = product(size.dropLast())
        destination.scalars.withUnsafeMutableBufferPointer { db in
            source.scalars.withUnsafeBufferPointer { sb in
                var index = [Int](repeating: 0, count: rank - 1)
                for _ in 0..<rows {
                    var s = start[rank - 1], d = at[rank - 1]
                    for k in 0..<(rank - 1) {
                        s += (start[k] + index[k]) * ss[k]
                        d += (at[k] + index[k]) * ds[k]
                    }
                    (db.baseAddress! + d).update(from: sb.baseAddress! + s, count: inner)
                    var k = rank - 2
                    while k >= 0 {
                        index[k] += 1
                        if index[k] < size[k] { break }
                        index[k] = 0
                        k -= 1
                    }
                }
            }
        }
    }
}

/// Row-major strides of `shape`.
func rowMajorStrides(_ shape: [Int]) -> [Int] {
    var strides = [Int](repeating: 1, count: shape.count)
    var acc = 1
    for d in stride(from: shape.count - 1, through: 0, by: -1) {
        strides[d] = acc
        acc *= shape[d]
    }
    return strides
}
