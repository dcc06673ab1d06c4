internal import CKernels

extension Ops {
    /// Keras `Concatenate(axis)`: joins tensors whose shapes agree except along `axis`.
    ///
    /// Each input's rows (its slice of `axis` and the axes after it, once per index of the axes before it) are
    /// copied into their columns of the output with wide moves (`kp_copy_rows`), split across the cores when the
    /// output is large: by rows when there are enough of them, else each row in pieces. With
    /// `flushingDenormals`, each denormal is replaced by a zero of the same sign in the same pass (what
    /// ``flushDenormals(_:count:toPositiveZero:)`` does afterwards), so no second pass over the output is needed.
    /// - Throws: ``TensorError`` for no inputs, differing ranks, or differing non-axis dimensions.
    package static func concatenate(inputs: [Tensor], axis: Int = -1,
                                    flushingDenormals flush: Bool = false) throws(TensorError) -> Tensor {
        let op = "concatenate"
        guard let first = inputs.first else { throw .argument(op, "needs at least one input") }
        let a = try normalizeAxis(axis, rank: first.rank, operation: op)
        var total = 0
        for t in inputs {
            guard t.rank == first.rank,
                  t.shape.indices.allSatisfy({ $0 == a || t.shape[$0] == first.shape[$0] }) else {
                throw .shape(op, "shapes \(inputs.map(\.shape)) differ outside axis \(axis)")
            }
            total += t.shape[a]
        }
        var shape = first.shape
        shape[a] = total
        let count = try Tensor.checkedCount(shape, operation: op)
        let outer = product(first.shape[..<a]), inner = product(first.shape[(a + 1)...])
        let runs = inputs.map { $0.shape[a] * inner }
        let width = total * inner     // floats per output row
        var offsets: [Int] = []       // each input's first column in an output row
        var column = 0
        for run in runs { offsets.append(column); column += run }
        return Tensor.build(shape: shape, count: count) { out in
            withScalarPointers(inputs) { sources in
                let dst = out.baseAddress!
                if outer >= 4 * Parallel.coreCount {
                    Parallel.forEachChunk(count: outer, work: count) { rows in
                        for (i, src) in sources.enumerated() where runs[i] > 0 {
                            copyRows(dst + rows.lowerBound * width + offsets[i], stride: width,
                                     from: src + rows.lowerBound * runs[i], stride: runs[i],
                                     rows: rows.count, columns: runs[i], flush: flush)
                        }
                    }
                } else {
                    for o in 0..<outer {
                        for (i, src) in sources.enumerated() where runs[i] > 0 {
                            let (d, s) = (dst + o * width + offsets[i], src + o * runs[i])
                            Parallel.forEachChunk(count: runs[i], work: runs[i]) { piece in
                                copyRows(d + piece.lowerBound, stride: 0, from: s + piece.lowerBound, stride: 0,
                                         rows: 1, columns: piece.count, flush: flush)
                            }
                        }
                    }
                }
            }
        }
    }

    /// Copies `rows` rows of `columns` floats (row strides `stride`), flushing denormals to signed zeros when `flush`.
    private static func copyRows(_ dst: UnsafeMutablePointer<Float>, stride dstStride: Int,
                                 from src: UnsafePointer<Float>, stride srcStride: Int,
                                 rows: Int, columns: Int, flush: Bool) {
        if DirectGEMM.available {
            kp_copy_rows(dst, dstStride, src, srcStride, rows, columns, flush ? 1 : 0)
            return
        }
        for r in 0..<rows {
            let d = dst + r * dstStride
            d.update(from: src + r * srcStride, count: columns)
            if flush { flushDenormals(d, count: columns, toPositiveZero: false) }
        }
    }

    /// Runs `body` with a pointer to the scalars of each tensor (in order), valid during the call.
    private static func withScalarPointers<R>(_ tensors: [Tensor], _ body: ([UnsafePointer<Float>]) -> R) -> R {
        func nest(_ i: Int, _ pointers: inout [UnsafePointer<Float>]) -> R {
            guard i < tensors.count else { return body(pointers) }
            return tensors[i].scalars.withUnsafeBufferPointer { buffer in
                // An empty input has no storage; its run is 0 and nothing is read from it.
                pointers.append(buffer.baseAddress ?? UnsafePointer(bitPattern: MemoryLayout<Float>.alignment)!)
                return nest(i + 1, &pointers)
            }
        }
        var pointers: [UnsafePointer<Float>] = []
        pointers.reserveCapacity(tensors.count)
        return nest(0, &pointers)
    }
}
