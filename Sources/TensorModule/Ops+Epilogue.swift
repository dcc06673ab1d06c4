internal import CKernels

extension Ops {
    /// One element-wise step of a Dense / convolution output pass, run after the bias and the layer's own
    /// activation while a block of output rows is still in cache (so a following element-wise layer costs
    /// no extra pass over memory). Each step computes exactly what the stand-alone kernel computes.
    package enum PostOp: Sendable, Equatable {
        /// An element-wise activation (not softmax), as ``Ops/applyActivation(_:to:)``.
        case activation(Activation)
        /// PReLU as ``Ops/prelu(input:alpha:)``, with `alpha` laid out as `[period, columns]`: output row `r`
        /// (rows counted over the whole batch) uses alpha row `r % period`.
        case prelu(alpha: [Float], period: Int)
        /// `x·scale[c] + shift[c]` (a multiply then an add, as the BatchNormalization kernel) per column `c`.
        case scaleShift(scale: [Float], shift: [Float])
        /// Every denormal replaced by a zero of the same sign (TensorFlow's flush-to-zero).
        case flushDenormals
        /// Every denormal replaced by `+0.0`.
        case flushDenormalsToPositiveZero
        /// Adds a tensor with the output's shape, value by value (output row `r`, counted over the whole batch, adds
        /// its row `r`): a residual connection's `Add` run in the output pass of the layer producing one operand.
        case addTensor(Tensor)

        /// `x·scale[c]` per column, bit for bit, as a scale/shift: adding −0 leaves every value as it is (+0 and −0
        /// included), so each value is the product's one rounding (LayerScale, a `CustomScaleLayer`'s scale, a
        /// `keras.ops` multiply by a constant).
        package static func multiplying(by scale: [Float]) -> PostOp {
            .scaleShift(scale: scale, shift: [Float](repeating: -0.0, count: scale.count))
        }

        /// `x + shift[c]` per column, bit for bit, as a scale/shift (`x·1` is `x`): a `keras.ops` add of a constant
        /// (a subtraction as the add of its negation, which IEEE arithmetic defines it to be).
        package static func adding(_ shift: [Float]) -> PostOp {
            .scaleShift(scale: [Float](repeating: 1, count: shift.count), shift: shift)
        }
    }

    /// Throws unless every ``PostOp/addTensor(_:)`` in `postOps` has exactly `count` values (the output's).
    static func checkPostOpTensors(_ postOps: [PostOp], count: Int, operation: String) throws(TensorError) {
        for case let .addTensor(t) in postOps where t.count != count {
            throw .shape(operation, "fused Add operand \(t.shape) does not have the output's \(count) values")
        }
    }

    /// Throws unless every post-op fits an output with `columns` values per row.
    static func checkPostOps(_ postOps: [PostOp], columns: Int, operation: String) throws(TensorError) {
        for p in postOps {
            switch p {
            case .activation(let a):
                guard a.isElementwise else { throw .argument(operation, "a fused activation must be element-wise") }
            case let .prelu(alpha, period):
                guard period >= 1, alpha.count == period * columns else {
                    throw .shape(operation, "fused PReLU alpha of \(alpha.count) values does not fit \(period) × \(columns)")
                }
            case let .scaleShift(scale, shift):
                guard scale.count == columns, shift.count == columns else {
                    throw .shape(operation, "fused scale/shift of \(scale.count)/\(shift.count) values, expected \(columns)")
                }
            case let .addTensor(t):
                guard columns > 0, t.count % columns == 0 else {
                    throw .shape(operation, "fused Add operand \(t.shape) does not fit rows of \(columns) values")
                }
            case .flushDenormals, .flushDenormalsToPositiveZero:
                continue
            }
        }
    }

    /// Adds `bias` to every row of a `[rows, columns]` buffer, applies an element-wise activation and then
    /// `postOps`, in cache-sized blocks, split across cores for large outputs. Softmax is left to the caller
    /// (who then runs the post-ops with ``applyPostOps(_:to:columns:)``).
    ///
    /// `firstRow` is the index of the buffer's first row in the whole output (for PReLU's row period).
    /// With `parallel` false the work stays on the calling thread (a caller that already runs on every core).
    static func epilogue(_ out: UnsafeMutablePointer<Float>, rows: Int, columns: Int, bias: Tensor?,
                         activation: Activation, postOps: [PostOp] = [], firstRow: Int = 0, parallel: Bool = true) {
        let elementwise = activation.isElementwise && activation != .linear
        let post = activation.isElementwise ? withoutRepeatedFlushes(postOps) : []
        guard bias != nil || elementwise || !post.isEmpty, rows > 0, columns > 0 else { return }
        if fusedEpilogues, activation.isElementwise,
           let program = FusedEpilogue(bias: bias, activation: activation, postOps: post, columns: columns) {
            program.run(out, rows: rows, columns: columns, firstRow: firstRow, parallel: parallel)
            return
        }
        let biasScalars = bias?.scalars ?? []
        biasScalars.withUnsafeBufferPointer { bp in
            // An empty array's buffer can have a non-nil base address: decide on `bias` itself.
            let b = bias == nil ? nil : bp.baseAddress
            let rowsPerBlock = max(1, 4096 / columns)
            let work = parallel ? rows * columns * ((elementwise ? 4 : 1) + post.count) : 0
            Parallel.forEachChunk(count: rows, work: work) { range in
                var r = range.lowerBound
                while r < range.upperBound {
                    let end = min(r + rowsPerBlock, range.upperBound)
                    if let b {
                        if DirectGEMM.available {
                            kp_add_rows(out + r * columns, b, end - r, columns)
                        } else {
                            for row in r..<end { addRow(out + row * columns, b, columns) }
                        }
                    }
                    if elementwise { applyElementwise(activation, out + r * columns, count: (end - r) * columns) }
                    applyAll(post, out, rows: r..<end, columns: columns, firstRow: firstRow)
                    r = end
                }
            }
        }
    }

    /// What the current task chooses that a ``PreparedPass`` is made under: whether passes run as fused programs
    /// (``fusedEpilogues``), whether on 16 lanes (``wideTranscendentals``), and the depthwise rows' width
    /// (``wideDepthwise``, which decides whether the rows apply the pass). A pass prepared ahead is used only under the
    /// same choices.
    struct PassChoices: Equatable, Sendable {
        let fused: Bool, wide: Bool, wideDepthwise: Bool

        static var current: PassChoices {
            PassChoices(fused: fusedEpilogues, wide: wideTranscendentals, wideDepthwise: Ops.wideDepthwise)
        }
    }

    /// An output pass (bias, activation, post-ops) prepared once for many calls on pieces of one output (on the
    /// calling thread unless ``run(_:rows:firstRow:parallel:)`` is asked to split a piece across the cores): the fused
    /// program when there is one (``FusedEpilogue``), else ``epilogue(_:rows:columns:bias:activation:postOps:firstRow:parallel:)``.
    ///
    /// A final class with constant properties: the loops that run it on pieces of an output, on every core, share
    /// one instance (one reference counted per piece, where a struct's copy counted every array and tensor it held).
    final class PreparedPass: Sendable {
        let bias: Tensor?, activation: Activation, postOps: [PostOp], columns: Int
        let fused: FusedEpilogue?

        /// No steps (running it changes nothing).
        static let none = PreparedPass(bias: nil, activation: .linear, postOps: [], columns: 0)

        init(bias: Tensor?, activation: Activation, postOps: [PostOp], columns: Int) {
            (self.bias, self.activation, self.columns) = (bias, activation, columns)
            self.postOps = withoutRepeatedFlushes(postOps)
            let any = bias != nil || activation != .linear || !self.postOps.isEmpty
            fused = any && fusedEpilogues && activation.isElementwise
                ? FusedEpilogue(bias: bias, activation: activation, postOps: self.postOps, columns: columns) : nil
        }

        /// Calls `body` with the pass's number for `kp_depthwise_row` (`kp_depthwise_pass`: the kernel applies it
        /// to each value before storing it) and its scale and shift; the number is 0 when the kernel has no such
        /// pass, and the caller then runs ``run(_:rows:firstRow:)`` after it.
        func withDepthwiseForm<R>(_ body: (Int32, UnsafePointer<Float>?, UnsafePointer<Float>?) -> R) -> R {
            // `fused!` borrows the instance where `guard let` took a reference (counted on every core, every row).
            guard let form = fused?.depthwisePass, form > 0 else { return body(0, nil, nil) }
            return fused!.withScaleShift { body(form, $0, $1) }
        }

        /// Rows `firstRow ..< firstRow + rows` of the output, at `out`; split across cores for large outputs when
        /// `parallel` (a caller not already running on every core).
        func run(_ out: UnsafeMutablePointer<Float>, rows: Int, firstRow: Int, parallel: Bool = false) {
            if fused != nil {
                fused!.run(out, rows: rows, columns: columns, firstRow: firstRow, parallel: parallel)
            } else {
                epilogue(out, rows: rows, columns: columns, bias: bias, activation: activation, postOps: postOps,
                         firstRow: firstRow, parallel: parallel)
            }
        }
    }

    /// Whether the denormal flush before a scale/shift `x·s + t` can be left out, for every channel's `s` and `t`:
    /// it changes only denormal `x` (to a zero of the same sign), and then either `|t| ≥ 2⁻⁸⁰` and `|s| ≤ 2²⁰` (so
    /// `|x·s| ≤ 2⁻¹⁰⁶`, under half the spacing of floats around `t`, and `x·s + t` rounds to `t`, as `±0·s + t` is,
    /// whatever steps follow), or — only where `reluFollows`: a flush and a ReLU or ReLU6 come next — `t = ±0` and
    /// `|s| ≤ 1` (so `x·s + t` is a denormal or a zero, which the flush and ReLU that follow make `+0`, as they make
    /// the `±0` of the flushed path; without them the two paths' zeros can differ in sign). NaN and infinite `x` pass
    /// the flush unchanged. BatchNormalization's `s = γ/√(var + ε)` and `t = β − mean·s` meet the first in trained
    /// models, and the second at Keras' initial values (`s ≈ 1`, `t = 0`).
    static func flushBeforeScaleShiftIsRedundant(scale: [Float], shift: [Float], reluFollows: Bool = true) -> Bool {
        guard scale.count == shift.count else { return false }
        // In C, vectorised (a Swift zip / allSatisfy took 0.4 % of MobileNetV2's samples: this runs for every such
        // pass of every prediction).
        return scale.withUnsafeBufferPointer { s in
            shift.withUnsafeBufferPointer { t in
                kp_flush_before_scale_shift_redundant(s.baseAddress ?? dummyPointer, t.baseAddress ?? dummyPointer,
                                                      s.count, reluFollows ? 1 : 0) != 0
            }
        }
    }

    /// Whether output passes run as one program of the fused AVX2 kernel (`kp_epilogue_rows`) where every step has a
    /// form there (the same values as step by step; a task bound to the `.blas` engine takes the step-by-step path,
    /// so tests can compare the two).
    static var fusedEpilogues: Bool { DirectGEMM.kernelsEnabled }

    /// An output pass (bias, the layer's activation, post-ops) as one of the fused programs of `kp_epilogue_rows`:
    /// every value goes through all the steps in registers, in one pass over the output, instead of one pass per step.
    ///
    /// A final class with constant properties (as ``PreparedPass``): the threads of a loop share one instance and read
    /// its operands without copying them (a struct's copy retained each array it held, on every piece of every
    /// loop, both cores counting on the same objects).
    final class FusedEpilogue: Sendable {
        private let program: Int32
        /// Whether the program runs on 16 lanes (kp_epilogue_rows_avx512, the same values): when it has a swish or
        /// sigmoid step (or ``Ops/wideArithmetic``) and ``Ops/wideTranscendentals`` held where the pass was made.
        private let wide: Bool
        private let bias: [Float]?, scale: [Float]?, shift: [Float]?
        /// The residual `Add`'s operand, when there is one.
        private let residual: Tensor?
        /// The program's number among the passes `kp_depthwise_row` applies in registers (`kp_depthwise_pass`), or
        /// 0 when it has none there.
        let depthwisePass: Int32
        /// The program's number among the passes the GEMM's AVX-512 tiles apply in registers (`kp_gemm_pass`), or 0
        /// when they have none.
        let tilePass: Int32

        /// The program, or `nil` when a step has no form in the fused kernel (PReLU, the `+0` flush, other
        /// activations, more than one scale/shift or Add) or the sequence is not one of its programs.
        init?(bias: Tensor?, activation: Activation, postOps: [PostOp], columns: Int) {
            func activationKind(_ a: Activation) -> Int32? {
                switch a {
                case .relu: return Int32(KP_EP_RELU)
                case .relu6: return Int32(KP_EP_RELU6)
                case .reluGeneral(0, nil, 0, _): return Int32(KP_EP_RELU)
                case .reluGeneral(0, 6, 0, _): return Int32(KP_EP_RELU6)
                case .swish: return Int32(KP_EP_SWISH)
                case .sigmoid: return Int32(KP_EP_SIGMOID)
                case .hardSilu: return Int32(KP_EP_HARD_SILU)
                default: return nil
                }
            }
            var kinds: [Int32] = []
            var biasValues: [Float]?, scale: [Float]?, shift: [Float]?, residual: Tensor?
            if let bias {
                guard bias.count == columns else { return nil }
                biasValues = bias.scalars
                kinds.append(Int32(KP_EP_BIAS))
            }
            if activation != .linear {
                guard let kind = activationKind(activation) else { return nil }
                kinds.append(kind)
            }
            for op in postOps {
                switch op {
                case .activation(let a):
                    if a == .linear { continue }
                    guard let kind = activationKind(a) else { return nil }
                    kinds.append(kind)
                case .flushDenormals:
                    kinds.append(Int32(KP_EP_FLUSH))
                case let .scaleShift(s, t):
                    guard scale == nil, s.count == columns, t.count == columns else { return nil }
                    (scale, shift) = (s, t)
                    kinds.append(Int32(KP_EP_SCALE_SHIFT))
                case let .addTensor(t):
                    guard residual == nil else { return nil }
                    residual = t
                    kinds.append(Int32(KP_EP_ADD))
                case .prelu, .flushDenormalsToPositiveZero:
                    return nil
                }
            }
            var program = kinds.withUnsafeBufferPointer { kp_epilogue_plan($0.baseAddress, Int32($0.count)) }
            // A flush right before the scale/shift, where it cannot change a value
            // (``Ops/flushBeforeScaleShiftIsRedundant(scale:shift:reluFollows:)``), is left out where a program
            // remains: it was 2 of the pass's 6 operations per vector, 1.5 % of a 441 × 128 × 128 product with the
            // pass in the tiles (Xception's entry flow), more where it runs after the product.
            if let scale, let shift, let f = kinds.indices.first(where: { kinds[$0...].starts(with: [
                   Int32(KP_EP_FLUSH), Int32(KP_EP_SCALE_SHIFT), Int32(KP_EP_FLUSH)]) }),
               Ops.flushBeforeScaleShiftIsRedundant(scale: scale, shift: shift, reluFollows: f + 3 < kinds.count
                   && (kinds[f + 3] == Int32(KP_EP_RELU) || kinds[f + 3] == Int32(KP_EP_RELU6))) {
                var shorter = kinds
                shorter.remove(at: f)
                let p = shorter.withUnsafeBufferPointer { kp_epilogue_plan($0.baseAddress, Int32($0.count)) }
                if p >= 0 { program = p }
            }
            guard program >= 0 else { return nil }
            self.program = program
            (self.bias, self.scale, self.shift, self.residual) = (biasValues, scale, shift, residual)
            // Swish / sigmoid passes on 16 lanes wherever there is AVX-512F; the others (BatchNormalization, ReLU,
            // ReLU6, residual adds) too where the 16-lane kernels are chosen (`Ops.wideArithmetic`; MobileNetV2 b1,
            // two threads: 0.975× the time, Intel Xeon), else on 8 lanes (bound by memory there).
            wide = Ops.wideTranscendentals
                && (kinds.contains { $0 == Int32(KP_EP_SWISH) || $0 == Int32(KP_EP_SIGMOID) } || Ops.wideArithmetic)
            // A swish on 16 lanes in its own pass is faster than on 8 in the depthwise kernel's registers
            // (EfficientNetB0 b1, two threads: 1.013× the time with the swish in registers, Zen 4); the 16-lane
            // depthwise kernel applies it on 16 lanes (EfficientNetB0 b1 one thread 0.965× with the 16-lane rows and
            // the swish in their registers, against the 8-lane rows and the swish's own pass, Intel Xeon).
            depthwisePass = residual == nil && (!wide || (Ops.wideDepthwise && Ops.avx512Available))
                ? kp_depthwise_pass(program) : 0
            tilePass = kp_gemm_pass(program)
        }

        /// Calls `body` with the program's `kp_gemm_desc.epilogue` (1 + its number) and its bias, scale, shift and
        /// residual operands (nil where it has none; the residual from its value `firstValue`, which must be within it).
        func withGEMMOperands<R>(firstValue: Int, _ body: (Int32, UnsafePointer<Float>?, UnsafePointer<Float>?,
                                                            UnsafePointer<Float>?, UnsafePointer<Float>?) -> R) -> R {
            precondition(residual.map { (0..<$0.count).contains(firstValue) } ?? true,
                         "FusedEpilogue: residual offset \(firstValue) outside its \(residual?.count ?? 0) values")
            return withOperands { b, sc, sh, res in body(program + 1, b, sc, sh, res.map { $0 + firstValue }) }
        }

        /// Calls `body` with the program's bias, scale, shift and residual operands (nil where it has none).
        private func withOperands<R>(_ body: (UnsafePointer<Float>?, UnsafePointer<Float>?, UnsafePointer<Float>?,
                                              UnsafePointer<Float>?) -> R) -> R {
            Self.withBase(bias) { b in
                withScaleShift { sc, sh in
                    Self.withBase(residual?.scalars) { res in body(b, sc, sh, res) }
                }
            }
        }

        /// Calls `body` with the program's scale and shift operands (nil when it has no scale/shift).
        func withScaleShift<R>(_ body: (UnsafePointer<Float>?, UnsafePointer<Float>?) -> R) -> R {
            Self.withBase(scale) { s in Self.withBase(shift) { t in s == nil || t == nil ? body(nil, nil) : body(s, t) } }
        }

        /// `body` with the first value's address of `values`, or nil when there are none (an empty array's base
        /// address may be non-nil: nil for operands the program does not have).
        @inline(__always)
        private static func withBase<R>(_ values: [Float]?, _ body: (UnsafePointer<Float>?) -> R) -> R {
            guard let values else { return body(nil) }
            return values.withUnsafeBufferPointer { body($0.baseAddress) }
        }

        /// Runs the program over `rows` rows of `columns` values at `out` (row `r` is row `firstRow + r` of the whole
        /// output, which the residual operand is laid out as), in blocks of about 16 KiB, split across cores for
        /// large outputs when `parallel`. With `source`, the values are read there (the same rows, not overlapping
        /// `out`) and written to `out`: the pass of a copy, with no copy made first.
        func run(_ out: UnsafeMutablePointer<Float>, from source: UnsafePointer<Float>? = nil, rows: Int, columns: Int,
                 firstRow: Int, parallel: Bool) {
            withOperands { bp, sp, tp, rp in
                let rowsKernel = wide ? kp_epilogue_rows_avx512 : kp_epilogue_rows
                let rowsPerBlock = max(1, 4096 / columns)
                let work = parallel ? rows * columns * 2 : 0
                Parallel.forEachChunk(count: rows, work: work) { range in
                    var r = range.lowerBound
                    while r < range.upperBound {
                        let end = min(r + rowsPerBlock, range.upperBound)
                        rowsKernel(program, out + r * columns, (source ?? UnsafePointer(out)) + r * columns,
                                   end - r, columns, bp, sp, tp, rp, (firstRow + r) * columns)
                        r = end
                    }
                }
            }
        }
    }

    /// `postOps` applied to a copy of `input` (rows are its last axis, as in a Dense / convolution output), in one
    /// pass over memory: the fused program reads each block of rows from `input` and writes it to the result (steps
    /// with no fused program: each block is copied, then the steps run on it in cache). The result equals running
    /// the steps' stand-alone kernels one after the other.
    /// - Throws: ``TensorError`` when a step does not fit the last axis.
    package static func applyingPostOps(_ postOps: [PostOp], to input: Tensor) throws(TensorError) -> Tensor {
        let columns = input.shape.last ?? 1
        try checkPostOps(postOps, columns: columns, operation: "postOps")
        try checkPostOpTensors(postOps, count: input.count, operation: "postOps")
        let postOps = withoutRepeatedFlushes(postOps)
        guard columns > 0, input.count > 0 else { return input }
        let rows = input.count / columns
        let rowsPerBlock = max(1, 4096 / columns)
        // Outputs larger than the caches are written with non-temporal stores from a small scratch block (the
        // steps run on the scratch copy in L1): no read of the output's lines before they are overwritten.
        let stream = DirectGEMM.available && input.count >= streamingThreshold
        if stream, let step = StreamStep(postOps, columns: columns, limit: input.count / 8) {
            // One step and its flush (a stand-alone LeakyReLU, PReLU or BatchNormalization): each value is read,
            // transformed in registers and streamed out, with no copy through a scratch block.
            defer { step.deallocate() }
            return Tensor.build(shape: input.shape, count: input.count) { out in
                input.scalars.withUnsafeBufferPointer { source in
                    let x = source.baseAddress!, y = out.baseAddress!
                    Parallel.forEachChunk(count: rows, work: rows * columns) { range in
                        kp_stream_step(y + range.lowerBound * columns, x + range.lowerBound * columns, range.count,
                                       columns, range.lowerBound, step.kind, step.slope, step.p, step.q, step.period)
                        kp_store_fence()
                    }
                }
            }
        }
        return Tensor.build(shape: input.shape, count: input.count) { out in
            input.scalars.withUnsafeBufferPointer { source in
                let x = source.baseAddress!, y = out.baseAddress!
                // The steps as one fused pass over each copied block where the fused kernel has a program for them.
                let fused = fusedEpilogues ? FusedEpilogue(bias: nil, activation: .linear, postOps: postOps,
                                                           columns: columns) : nil
                Parallel.forEachChunk(count: rows, work: rows * columns * (1 + postOps.count)) { range in
                    let scratch = stream ? alignedFloats(rowsPerBlock * columns) : nil
                    defer { scratch?.deallocate() }
                    var r = range.lowerBound
                    while r < range.upperBound {
                        let end = min(r + rowsPerBlock, range.upperBound)
                        let n = (end - r) * columns
                        if let scratch {
                            scratch.update(from: x + r * columns, count: n)
                            if let fused {
                                fused.run(scratch, rows: end - r, columns: columns, firstRow: r, parallel: false)
                            } else {
                                applyAll(postOps, scratch, rows: 0..<(end - r), columns: columns, firstRow: r)
                            }
                            kp_stream_store(y + r * columns, scratch, n)
                        } else if let fused {
                            // Read from the input, written to the output: no copy first.
                            fused.run(y + r * columns, from: x + r * columns, rows: end - r, columns: columns,
                                      firstRow: r, parallel: false)
                        } else {
                            (y + r * columns).initialize(from: x + r * columns, count: n)
                            applyAll(postOps, y, rows: r..<end, columns: columns, firstRow: 0)
                        }
                        r = end
                    }
                    if stream { kp_store_fence() }
                }
            }
        }
    }

    /// Element count from which memory-bound kernels (stand-alone element-wise steps, an equal-shape Add) write
    /// their output with non-temporal stores: outputs that would not stay in the caches until the next step reads
    /// them, where a normal store first reads every output line from memory. A sixteenth of the L3's bytes in
    /// floats (a quarter of it), at least 2^21 floats (8 MiB, the bound measured on a Zen 4 with a 32 MiB L3, which
    /// this gives there too). On an Intel Xeon with a 260 MiB L3 (2^24 floats) the 8 MiB bound streamed
    /// 8–32 MiB outputs that the next layer then read back from memory: DenseNet121's BatchNormalization + ReLU and
    /// Concatenate steps at batch 8 (25 MB), Xception's middle-flow ReLU at batch 8 (8.4 MB) before each
    /// depthwise step; there, paired rounds at batch 8, a bound of 2^23 floats against 2^21: DenseNet121 0.928
    /// and 0.937, Xception 0.973 and 0.978, MobileNetV2, EfficientNetB0, ResNet50 and the SRGAN generator 0.98–1.02;
    /// never streaming was slower on the SRGAN generator (1.195: its 75–300 MB upsampled tensors).
    static var streamingThreshold: Int { streamingThresholdOverride ?? cacheStreamingThreshold }

    /// ``streamingThreshold`` from the cache this process runs on.
    static let cacheStreamingThreshold = max(1 << 21, kp_l3_bytes() / 16)

    /// Replaces ``streamingThreshold`` within a task (tests: the streamed path on outputs of a few MiB).
    @TaskLocal static var streamingThresholdOverride: Int?

    /// Runs `postOps` over a whole `[…, columns]` tensor (after a softmax the output pass could not fuse).
    static func applyPostOps(_ postOps: [PostOp], to tensor: inout Tensor, columns: Int) {
        let postOps = withoutRepeatedFlushes(postOps)
        guard !postOps.isEmpty, columns > 0, tensor.count > 0 else { return }
        let rows = tensor.count / columns
        tensor.scalars.withUnsafeMutableBufferPointer { buffer in
            let out = buffer.baseAddress!
            let rowsPerBlock = max(1, 4096 / columns)
            Parallel.forEachChunk(count: rows, work: rows * columns * postOps.count) { range in
                var r = range.lowerBound
                while r < range.upperBound {
                    let end = min(r + rowsPerBlock, range.upperBound)
                    applyAll(postOps, out, rows: r..<end, columns: columns, firstRow: 0)
                    r = end
                }
            }
        }
    }

    /// `ops` with each denormal flush that directly follows another removed (the first left no denormal): the same
    /// results in fewer passes. The plan appends a flush at every layer boundary, so fused layers repeat them.
    static func withoutRepeatedFlushes(_ ops: [PostOp]) -> [PostOp] {
        var kept: [PostOp] = []
        kept.reserveCapacity(ops.count)
        for op in ops {
            if op == .flushDenormals, let last = kept.last, last == .flushDenormals || last == .flushDenormalsToPositiveZero {
                continue
            }
            kept.append(op)
        }
        return kept
    }

    /// `ops` in order over rows `rows` of the `[*, columns]` buffer `out`, with the same results as applying each in
    /// turn; a PReLU followed by its `+0` flush, or a scale/shift followed by a flush, runs as one kernel when the
    /// AVX2 kernels are in use.
    @inline(__always)
    static func applyAll(_ ops: [PostOp], _ out: UnsafeMutablePointer<Float>, rows: Range<Int>, columns: Int,
                         firstRow: Int) {
        var i = 0
        while i < ops.count {
            let op = ops[i]
            if case let .prelu(alpha, period) = op, DirectGEMM.available, i + 1 < ops.count,
               ops[i + 1] == .flushDenormalsToPositiveZero {
                alpha.withUnsafeBufferPointer { ap in
                    kp_prelu_rows(out + rows.lowerBound * columns, ap.baseAddress!, rows.count, columns, period,
                                  firstRow + rows.lowerBound, 1)
                }
                i += 2
                continue
            }
            if case let .scaleShift(scale, shift) = op, DirectGEMM.available, i + 1 < ops.count,
               ops[i + 1] == .flushDenormals {
                scale.withUnsafeBufferPointer { sp in
                    shift.withUnsafeBufferPointer { tp in
                        kp_scale_shift_rows(out + rows.lowerBound * columns, sp.baseAddress!, tp.baseAddress!,
                                            rows.count, columns, 1)
                    }
                }
                i += 2
                continue
            }
            apply(op, out, rows: rows, columns: columns, firstRow: firstRow)
            i += 1
        }
    }

    /// One post-op over rows `rows` of the `[*, columns]` buffer `out`.
    @inline(__always)
    static func apply(_ op: PostOp, _ out: UnsafeMutablePointer<Float>, rows: Range<Int>, columns: Int, firstRow: Int) {
        let start = out + rows.lowerBound * columns, count = rows.count * columns
        switch op {
        case .activation(let a):
            applyElementwise(a, start, count: count)
        case let .prelu(alpha, period):
            alpha.withUnsafeBufferPointer { ap in
                let a = ap.baseAddress!
                if DirectGEMM.available {
                    kp_prelu_rows(start, a, rows.count, columns, period, firstRow + rows.lowerBound, 0)
                } else if period == 1 {
                    for row in rows { preluRow(out + row * columns, a, columns) }
                } else {
                    for row in rows { preluRow(out + row * columns, a + ((firstRow + row) % period) * columns, columns) }
                }
            }
        case let .scaleShift(scale, shift):
            scale.withUnsafeBufferPointer { sp in
                shift.withUnsafeBufferPointer { tp in
                    let s = sp.baseAddress!, t = tp.baseAddress!
                    if DirectGEMM.available {
                        kp_scale_shift_rows(start, s, t, rows.count, columns, 0)
                    } else {
                        for row in rows { scaleShiftRow(out + row * columns, s, t, columns) }
                    }
                }
            }
        case .flushDenormals:
            flushDenormals(start, count: count, toPositiveZero: false)
        case .flushDenormalsToPositiveZero:
            flushDenormals(start, count: count, toPositiveZero: true)
        case let .addTensor(t):
            t.scalars.withUnsafeBufferPointer { rp in
                addRow(start, rp.baseAddress! + (firstRow + rows.lowerBound) * columns, count)
            }
        }
    }

    /// `p[j] += b[j]` for `j < n`, 16 lanes at a time.
    @inline(__always)
    static func addRow(_ p: UnsafeMutablePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) {
        let lanes = FloatVector.scalarCount
        let raw = UnsafeMutableRawPointer(p), braw = UnsafeRawPointer(b)
        var j = 0
        while j + lanes <= n {
            let v = raw.loadUnaligned(fromByteOffset: j * 4, as: FloatVector.self)
            let w = braw.loadUnaligned(fromByteOffset: j * 4, as: FloatVector.self)
            raw.storeBytes(of: v + w, toByteOffset: j * 4, as: FloatVector.self)
            j += lanes
        }
        while j < n {
            p[j] += b[j]
            j += 1
        }
    }

    /// `p[j] = p[j]·s[j] + t[j]` (a multiply, then an add) for `j < n`, 16 lanes at a time.
    @inline(__always)
    static func scaleShiftRow(_ p: UnsafeMutablePointer<Float>, _ s: UnsafePointer<Float>, _ t: UnsafePointer<Float>, _ n: Int) {
        let lanes = FloatVector.scalarCount
        let raw = UnsafeMutableRawPointer(p), sraw = UnsafeRawPointer(s), traw = UnsafeRawPointer(t)
        var j = 0
        while j + lanes <= n {
            let v = raw.loadUnaligned(fromByteOffset: j * 4, as: FloatVector.self)
            let a = sraw.loadUnaligned(fromByteOffset: j * 4, as: FloatVector.self)
            let c = traw.loadUnaligned(fromByteOffset: j * 4, as: FloatVector.self)
            raw.storeBytes(of: v * a + c, toByteOffset: j * 4, as: FloatVector.self)
            j += lanes
        }
        while j < n {
            p[j] = p[j] * s[j] + t[j]
            j += 1
        }
    }

    /// Replaces every denormal in `count` floats by a zero of the same sign (or `+0.0`). Written as branch-free
    /// selects on the bits, which the compiler vectorises (about 2 instructions per value; explicit
    /// `SIMD16<UInt32>` masks compile to lane-by-lane code on baseline x86-64, 13× slower).
    package static func flushDenormals(_ p: UnsafeMutablePointer<Float>, count: Int, toPositiveZero: Bool) {
        if DirectGEMM.available {
            kp_flush_denormals(p, count, toPositiveZero ? 1 : 0)
            return
        }
        p.withMemoryRebound(to: UInt32.self, capacity: count) { bits in
            if toPositiveZero {
                for i in 0..<count {
                    let b = bits[i]
                    // Denormal ⇔ (b & 0x7FFFFFFF) − 1 < 0x007FFFFF (unsigned).
                    bits[i] = (b & 0x7FFF_FFFF) &- 1 < 0x007F_FFFF ? 0 : b
                }
            } else {
                for i in 0..<count {
                    let b = bits[i]
                    // Zero or denormal ⇔ exponent bits 0: keep only the sign.
                    bits[i] = b & (b & 0x7F80_0000 == 0 ? 0x8000_0000 : 0xFFFF_FFFF)
                }
            }
        }
    }

    /// Whether any of `count` floats is denormal (`kp_contains_denormals`). From 64 Ki floats on (a 224 × 224 × 3
    /// image) the cores share the scan, in runs of 32 Ki-float blocks as a loop splits them (one run per core in a
    /// prediction on a small batch): a model's input comes from memory at each prediction (MobileNetV2 batch 1: 44 µs
    /// of the calling thread's time in the scan, the other core waiting).
    package static func containsDenormals(_ p: UnsafePointer<Float>, count: Int) -> Bool {
        let block = 1 << 15
        guard count >= 2 * block, Parallel.coreCount > 1 else { return scanForDenormals(p, count: count) }
        let blocks = (count + block - 1) / block
        var found = [Bool](repeating: false, count: blocks)
        found.withUnsafeMutableBufferPointer { found in
            let flags = found.baseAddress!
            Parallel.forEachChunk(count: blocks, work: count, threshold: 2 * block) { range in
                let start = range.lowerBound * block
                flags[range.lowerBound] = scanForDenormals(p + start, count: min(range.count * block, count - start))
            }
        }
        return found.contains(true)
    }

    /// In C, on 16 lanes where there is AVX-512F (the Swift loop this replaces compiled to the baseline's SSE2: 7.7 %
    /// of a one-thread batch-8 prediction of MobileNetV2's first convolution alone went to checking its input).
    private static func scanForDenormals(_ p: UnsafePointer<Float>, count: Int) -> Bool {
        kp_contains_denormals(p, count) != 0
    }
}

/// A list of post-ops that is one step of CKernels' `kp_stream_step` and its flush (LeakyReLU, PReLU or scale/shift,
/// after ``Ops/withoutRepeatedFlushes(_:)``), with the step's parameters copied into buffers this value owns
/// (call ``deallocate()``): each parameter row followed by its first values again, as the kernel reads them.
struct StreamStep {
    let kind: Int32
    let slope: Float
    let period: Int
    private(set) var p: UnsafeMutablePointer<Float>?
    private(set) var q: UnsafeMutablePointer<Float>?

    /// `nil` unless `postOps` is exactly such a step, or when its parameters exceed `limit` floats (copying them
    /// would cost as much as the pass saves).
    init?(_ postOps: [Ops.PostOp], columns: Int, limit: Int) {
        let ops = Ops.withoutRepeatedFlushes(postOps)
        guard ops.count == 2, columns > 0 else { return nil }
        switch (ops[0], ops[1]) {
        case let (.activation(.leakyReLU(slope)), .flushDenormals):
            (kind, self.slope, period) = (Int32(KP_STEP_LEAKY), slope, 1)
        case let (.prelu(alpha, period), .flushDenormalsToPositiveZero):
            guard alpha.count <= limit else { return nil }
            (kind, slope, self.period) = (Int32(KP_STEP_PRELU), 0, period)
            p = Self.extended(alpha)
        case let (.scaleShift(scale, shift), .flushDenormals):
            guard scale.count + shift.count <= limit else { return nil }
            (kind, slope, period) = (Int32(KP_STEP_SCALE_SHIFT), 0, 1)
            p = Self.extended(scale)
            q = Self.extended(shift)
        default:
            return nil
        }
    }

    /// `values` followed by 8 more, continuing cyclically (`values[i % count]`).
    private static func extended(_ values: [Float]) -> UnsafeMutablePointer<Float> {
        let buffer = UnsafeMutablePointer<Float>.allocate(capacity: values.count + 8)
        for i in 0..<(values.count + 8) { (buffer + i).initialize(to: values[i % values.count]) }
        return buffer
    }

    func deallocate() {
        p?.deallocate()
        q?.deallocate()
    }
}

