extension Ops {
    /// Keras `Embedding`: rows of `table` gathered by `indices`.
    ///
    /// Indices arrive as floats (Keras casts them to int32, truncating toward zero) and are checked
    /// before any lookup.
    /// - Parameters:
    ///   - indices: any shape, e.g. `[batch, steps]`.
    ///   - table: `[inputDim, outputDim]`.
    ///   - wrapNegative: Keras 3's `ops.take` maps `-inputDim ≤ i < 0` to `i + inputDim`; Keras 2's
    ///     `embedding_lookup` rejects negatives (the default here).
    /// - Returns: `indices.shape + [outputDim]`.
    /// - Throws: ``TensorError`` (`.indexOutOfRange`) for a non-finite or out-of-range index, or a bad table rank.
    package static func embedding(indices: Tensor, table: Tensor, wrapNegative: Bool = false) throws(TensorError) -> Tensor {
        let op = "embedding"
        guard table.rank == 2 else { throw .shape(op, "table \(table.shape) must be [input_dim, output_dim]") }
        let (rows, dim) = (table.shape[0], table.shape[1])
        var rowIndex = [Int](repeating: 0, count: indices.count)
        for (i, v) in indices.scalars.enumerated() {
            guard v.isFinite, v >= -2_147_483_648, v < 2_147_483_648 else {
                throw TensorError(.indexOutOfRange, operation: op, message: "index \(v) at position \(i) is not a valid integer")
            }
            var r = Int(v)   // truncates toward zero, as tf.cast(float → int32)
            if r < 0, wrapNegative { r += rows }
            guard r >= 0, r < rows else {
                throw TensorError(.indexOutOfRange, operation: op,
                                  message: "index \(Int(v)) at position \(i) is outside [0, \(rows)) for table \(table.shape)")
            }
            rowIndex[i] = r
        }
        let shape = indices.shape + [dim]
        let count = try Tensor.checkedCount(shape, operation: op)
        return Tensor.build(shape: shape, count: count) { out in
            table.scalars.withUnsafeBufferPointer { tb in
                for (i, r) in rowIndex.enumerated() {
                    (out.baseAddress! + i * dim).update(from: tb.baseAddress! + r * dim, count: dim)
                }
            }
        }
    }
}
