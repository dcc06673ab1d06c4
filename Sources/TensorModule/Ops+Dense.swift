extension Ops {
    /// Keras `Dense`: `y = activation(x·W + b)` over the last axis, for any leading shape.
    ///
    /// - Parameters:
    ///   - input: `[..., in]` (rank ≥ 1).
    ///   - kernel: `[in, out]` (Keras layout; the transpose of a PyTorch `Linear.weight`).
    ///   - bias: `[out]`, or `nil`.
    ///   - activation: applied in the same pass as the bias add (softmax afterwards, over its axis).
    ///   - postOps: further element-wise steps of the same output pass (a fused following layer).
    ///   - packedKernel: `kernel` packed by ``PackedKernel/pack(_:)`` (optional; saves re-packing it per call).
    /// - Returns: `[..., out]`.
    /// - Throws: ``TensorError`` when shapes disagree.
    ///
    /// The product is one GEMM over all leading rows (the AVX2 kernels of ``DirectGEMM`` when they apply, a GEMV
    /// kernel for one row; else OpenBLAS); the bias is added after the product, as TensorFlow's `MatMul` +
    /// `BiasAdd` do.
    package static func dense(input: Tensor, kernel: Tensor, bias: Tensor? = nil,
                             activation: Activation = .linear, postOps: [PostOp] = [],
                             packedKernel: PackedKernel? = nil) throws(TensorError) -> Tensor {
        try dense(input: input, kernel: KernelOperand(kernel, packed: packedKernel), bias: bias, activation: activation,
                  postOps: postOps)
    }

    /// ``dense(input:kernel:bias:activation:postOps:packedKernel:)`` with the kernel as a compiled layer holds it
    /// (possibly only packed).
    package static func dense(input: Tensor, kernel: KernelOperand, bias: Tensor? = nil,
                             activation: Activation = .linear, postOps: [PostOp] = []) throws(TensorError) -> Tensor {
        let op = "dense"
        guard input.rank >= 1 else { throw .shape(op, "input \(input.shape) must have rank ≥ 1") }
        guard kernel.shape.count == 2 else { throw .shape(op, "kernel \(kernel.shape) must be [in, out]") }
        let k = input.shape[input.rank - 1], n = kernel.shape[1]
        guard kernel.shape[0] == k else {
            throw .shape(op, "kernel \(kernel.shape) expects \(kernel.shape[0]) input features, input \(input.shape) has \(k)")
        }
        try checkBias(bias, channels: n, operation: op)
        try checkPostOps(postOps, columns: n, operation: op)
        let m = k == 0 ? product(input.shape.dropLast()) : input.count / k
        try BLAS.check(op, m, n, k)
        let outShape = Array(input.shape.dropLast()) + [n]
        let count = try Tensor.checkedCount(outShape, operation: op)
        try checkPostOpTensors(postOps, count: count, operation: op)
        var output = Tensor.build(shape: outShape, count: count) { out in
            // The direct kernel when it applies: one row is a GEMV over the packed panels (no second set of
            // threads competing with ours, as OpenBLAS' would), more rows (or few columns) the GEMM kernels.
            if m >= 1, k > 0, DirectGEMM.use(columns: n, kernelCount: k * n) {
                input.scalars.withUnsafeBufferPointer { a in
                    let packed = kernel.packedFor(k: k, n: n)
                    if m == 1, !packed.transposed {
                        DirectGEMM.multiplyRow(x: a.baseAddress!, b: packed, y: out.baseAddress!)
                        epilogue(out.baseAddress!, rows: 1, columns: n, bias: bias, activation: activation,
                                 postOps: postOps)
                        return
                    }
                    let pass = PreparedPass(bias: bias, activation: activation, postOps: postOps, columns: n)
                    DirectGEMM.multiply(a: a.baseAddress!, geometry: .matrix(rows: m, k: k, lda: k), m: m,
                                        b: packed, c: out.baseAddress!, ldc: n, pass: pass)
                }
                return
            }
            input.scalars.withUnsafeBufferPointer { a in
                kernel.withValues { w in
                    BLAS.sgemm(m: m, n: n, k: k, a: a.baseAddress ?? dummyPointer, lda: max(k, 1),
                               b: w, ldb: max(n, 1), c: out.baseAddress!, ldc: n)
                }
            }
            epilogue(out.baseAddress!, rows: m, columns: n, bias: bias, activation: activation, postOps: postOps)
        }
        if !activation.isElementwise {
            try applyActivation(activation, to: &output)
            applyPostOps(postOps, to: &output, columns: n)
        }
        return output
    }

    /// Matrix product of two rank-2 tensors: `[m, k] · [k, n] → [m, n]`, optionally transposing
    /// either operand first (`transposeA` reads `a` as `[k, m]`, `transposeB` reads `b` as `[n, k]`).
    /// - Throws: ``TensorError`` when the inner dimensions differ.
    package static func matmul(a: Tensor, b: Tensor, transposeA: Bool = false,
                              transposeB: Bool = false) throws(TensorError) -> Tensor {
        let op = "matmul"
        guard a.rank == 2, b.rank == 2 else { throw .shape(op, "operands \(a.shape) and \(b.shape) must be rank 2") }
        return try batchMatmul(a: a, b: b, transposeA: transposeA, transposeB: transposeB)
    }

    /// Batched matrix product over the last two axes: `[..., m, k] · [..., k, n] → [..., m, n]`.
    /// The leading (batch) axes must be equal, or one operand may be rank 2 (shared by every batch).
    /// - Throws: ``TensorError`` when shapes disagree.
    package static func batchMatmul(a: Tensor, b: Tensor, transposeA: Bool = false,
                                   transposeB: Bool = false) throws(TensorError) -> Tensor {
        let op = "batchMatmul"
        guard a.rank >= 2, b.rank >= 2 else { throw .shape(op, "operands \(a.shape) and \(b.shape) must have rank ≥ 2") }
        let aBatch = Array(a.shape.dropLast(2)), bBatch = Array(b.shape.dropLast(2))
        let batchShape: [Int]
        if aBatch == bBatch || bBatch.isEmpty { batchShape = aBatch } else if aBatch.isEmpty { batchShape = bBatch } else {
            throw .shape(op, "batch axes of \(a.shape) and \(b.shape) differ")
        }
        let (ar, ac) = (a.shape[a.rank - 2], a.shape[a.rank - 1])
        let (br, bc) = (b.shape[b.rank - 2], b.shape[b.rank - 1])
        let (m, k) = transposeA ? (ac, ar) : (ar, ac)
        let (k2, n) = transposeB ? (bc, br) : (br, bc)
        guard k == k2 else {
            throw .shape(op, "inner dimensions differ: \(a.shape)\(transposeA ? "ᵀ" : "") · \(b.shape)\(transposeB ? "ᵀ" : "")")
        }
        try BLAS.check(op, m, n, k)
        let batches = product(batchShape[...])
        let outShape = batchShape + [m, n]
        let count = try Tensor.checkedCount(outShape, operation: op)
        return Tensor.build(shape: outShape, count: count) { out in
            a.scalars.withUnsafeBufferPointer { ap in
                b.scalars.withUnsafeBufferPointer { bp in
                    let aStride = aBatch.isEmpty ? 0 : ar * ac, bStride = bBatch.isEmpty ? 0 : br * bc
                    for i in 0..<batches {
                        BLAS.sgemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                                   a: (ap.baseAddress ?? dummyPointer) + i * aStride, lda: max(ac, 1),
                                   b: (bp.baseAddress ?? dummyPointer) + i * bStride, ldb: max(bc, 1),
                                   c: out.baseAddress! + i * m * n, ldc: max(n, 1))
                    }
                }
            }
        }
    }

    /// Throws unless `bias` is nil or a vector of `channels` values.
    static func checkBias(_ bias: Tensor?, channels: Int, operation: String) throws(TensorError) {
        if let bias, bias.rank != 1 || bias.shape[0] != channels {
            throw .shape(operation, "bias \(bias.shape) must be [\(channels)]")
        }
    }
}

/// A valid pointer for BLAS calls whose operand is empty (never dereferenced).
nonisolated(unsafe) let dummyPointer: UnsafePointer<Float> = {
    let p = UnsafeMutablePointer<Float>.allocate(capacity: 1)
    p.initialize(to: 0)
    return UnsafePointer(p)
}()
