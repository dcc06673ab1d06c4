extension MergingLayer {
    /// The output shape of an element-wise merge (`Add`, `Multiply`, …), as Keras' `Merge.compute_output_shape`:
    /// non-batch axes broadcast from the right (a size-1 axis takes the other size, unknown stays unknown), and the
    /// batch size is the one known batch size, if any.
    /// - Throws: ``GraphError`` naming the layer for no inputs, a wrong count, different known batch sizes, or
    ///   sizes that do not broadcast.
    func elementwiseMergeShape(_ inputs: [Shape], exactly count: Int? = nil) throws -> Shape {
        if let count, inputs.count != count {
            throw inputError("expected exactly \(count) inputs, got \(inputs.count)")
        }
        guard !inputs.isEmpty else { throw inputError("expected at least 1 input, got 0") }
        for s in inputs where s.isEmpty { throw inputError("an input has no batch axis: ()") }
        let batches = Set(inputs.compactMap { $0[0] })
        guard batches.count <= 1 else {
            throw inputError("inputs have different batch sizes: \(inputs.map(\.kerasDescription).joined(separator: ", "))")
        }
        var out = Array(inputs[0].dropFirst())
        for s in inputs.dropFirst() {
            var long = out, short = Array(s.dropFirst())
            if long.count < short.count { swap(&long, &short) }
            var merged = Array(long.prefix(long.count - short.count))
            for (i, j) in zip(long.suffix(short.count), short) {
                switch (i, j) {
                case (nil, _), (_, nil): merged.append(nil)
                case (1?, _): merged.append(j)
                case (_, 1?): merged.append(i)
                case let (a?, b?):
                    guard a == b else {
                        throw inputError("inputs have incompatible shapes: "
                                         + inputs.map(\.kerasDescription).joined(separator: ", "))
                    }
                    merged.append(a)
                }
            }
            out = merged
        }
        return [batches.first] + out
    }
}
