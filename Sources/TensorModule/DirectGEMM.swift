internal import CKernels
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The hand-vectorised implicit-GEMM kernel (CKernels, AVX2 + FMA, 6 × 16 register tiles) that Dense and the
/// convolutions use instead of OpenBLAS where it is faster: OpenBLAS 0.3.21's `sgemm` reaches 40–70 GFLOP/s on
/// the thin shapes of convolutions (few output channels) and of batch-256 Dense layers on this class of machine,
/// and a convolution through it first writes an im2col copy of `kh·kw` times its input. The kernel reads the
/// patches straight from the (zero-padded) input, so no im2col buffer is built.
enum DirectGEMM {
    /// Whether the kernel can run here: the CPU has AVX2 and FMA and `KERASPORT_KERNELS` is not `blas`
    /// (which forces the OpenBLAS path everywhere, for comparisons).
    static let available: Bool = {
        if let v = getenv("KERASPORT_KERNELS"), String(cString: v) == "blas" { return false }
        return kp_simd_available() != 0
    }()

    /// Which implementation a GEMM-shaped operation uses; tests force one or the other.
    enum Engine: Sendable { case automatic, blas, direct }

    /// The engine for operations started by the current task (tests bind it with `$engine.withValue`).
    @TaskLocal static var engine: Engine = .automatic

    /// Whether the current task runs the AVX2 kernels beside the GEMM (depthwise, pooling, Winograd, band fusion, the
    /// fused output passes, activations): they are ``available`` and the task is not bound to the `.blas` engine
    /// (tests bind it to reach the portable paths, which give the same values).
    static var kernelsEnabled: Bool { available && engine != .blas }

    /// Kernels of more floats than this (16 MiB) are not packed: a packed copy would double the memory of large
    /// models (a 400 MB Dense model would need 800 MB), and such large products are where OpenBLAS, which packs
    /// in small blocks as it goes, is efficient anyway.
    static let maxPackedFloats = 1 << 22

    /// Whether the current ``engine`` resolves to the direct kernel for a `kernelCount`-float kernel with
    /// `columns` output columns.
    static func use(columns: Int, kernelCount: Int) -> Bool {
        switch engine {
        case .blas: return false
        case .direct: return available && columns > 0
        case .automatic: return available && columns > 0 && kernelCount <= maxPackedFloats
        }
    }

    /// Outputs narrower than this use the dot-product kernel (`kp_gemm_narrow`, B stored transposed): a 16-column
    /// panel would mostly compute padding.
    static let narrowColumns = 12

    /// The geometry of the implicit left operand: row `p = (img·outH + oh)·outW + ow` of `A` starts at
    /// `img·imageStride + oh·rowStride + ow·colStride` and is the concatenation of the segments
    /// (`segmentLengths[s]` floats at offset `segmentOffsets[s]` from that start), or, with both lists empty, of one
    /// segment of `run` floats at offset 0 (a 1×1 convolution's pixel, a matrix row: the band-fused blocks make one
    /// such geometry per band on every core, where two arrays took two heap allocations).
    struct Geometry {
        var outH: Int, outW: Int
        var imageStride: Int, rowStride: Int, colStride: Int
        var segmentOffsets: [Int]
        var segmentLengths: [Int]
        /// With both lists empty: the one segment's length (at offset 0).
        var run = 0
        var k: Int { segmentLengths.isEmpty ? run : segmentLengths.reduce(0, +) }
        /// The number of segments.
        var segmentCount: Int { segmentLengths.isEmpty ? 1 : segmentLengths.count }
        /// Segment `s`'s offset and length.
        func segment(_ s: Int) -> (offset: Int, length: Int) {
            segmentLengths.isEmpty ? (0, run) : (segmentOffsets[s], segmentLengths[s])
        }

        /// A plain row-major matrix with `rows` rows of `k` floats, row stride `lda`, cut into segments of at most
        /// 256 floats (the kernel's K-blocking works on whole segments; the narrow kernel's order follows them too):
        /// one segment, without arrays, up to 256.
        static func matrix(rows: Int, k: Int, lda: Int) -> Geometry {
            guard k > 256 else {
                return Geometry(outH: 1, outW: rows, imageStride: 0, rowStride: 0, colStride: lda, segmentOffsets: [],
                                segmentLengths: [], run: k)
            }
            let offsets = Array(stride(from: 0, to: k, by: 256))
            return Geometry(outH: 1, outW: rows, imageStride: 0, rowStride: 0, colStride: lda,
                            segmentOffsets: offsets, segmentLengths: offsets.map { min(256, k - $0) })
        }
    }

    /// Row tiles per core from which a product of at most 1,024 rows and many columns is split by rows, one chunk of
    /// whole tiles per core (each core then streams all of B once, runs the epilogue on its own rows while they are in
    /// its cache, and the next layer's row split finds them there), rather than by columns (each core half of B, all of
    /// A, the epilogue a second parallel pass). tools/xcep_bench/split.c, two threads, a cold B per call, 150–200
    /// alternating calls, rows / columns by the minimum: 361×728×728 (Xception's middle flow at batch 1) 0.91–0.98,
    /// 361×728×1024 0.94–0.95, 784 rows (28×28) × 32–512 0.82–1.00, 196 rows 0.84–1.00, but 100×1024×1536 1.02–1.04,
    /// 100×1536×2048 1.05 and 49×512×2048 1.07–1.38 (8 tiles per core or fewer: there each core's half of B is the
    /// larger saving); the medians swung with the machine's load (361×728×728: 0.78 in one run, 1.01–1.30 in three
    /// others). Xception's middle-flow layer in isolation (tools/xcep_bench/mid.c, depthwise → product → BN+ReLU, 24
    /// layers with their own B, per-layer minimums): 2.8–5.6 % less per layer in seven of seven runs.
    static let rowSplitMinTilesPerCore = 16

    /// Rows a worker computes before running the caller's epilogue on them: their output (about 128 KiB) is still
    /// in that core's cache.
    static func pieceRows(n: Int) -> Int {
        max(192, ((1 << 15) / max(n, 1)) / 6 * 6)
    }

    /// `y[n] = x[k] · B` for one row (a Dense layer at batch 1): memory-bound, so the cores split B's panels and
    /// each streams its share once (B is `b`, packed in panels, not transposed).
    static func multiplyRow(x: UnsafePointer<Float>, b: Ops.PackedKernel, y: UnsafeMutablePointer<Float>) {
        precondition(!b.transposed, "DirectGEMM: a transposed (narrow) kernel has no panels")
        let panels = (b.n + 15) / 16
        Parallel.forEachChunk(count: panels, work: b.k * b.n, threshold: 1 << 18) { j in
            kp_gemv(x, b.pointer, b.k, b.n, y, j.lowerBound, j.upperBound)
        }
    }

    /// Whether an output pass with a form in the AVX-512 tiles runs in their registers (`kp_gemm_pass`): true unless
    /// the environment sets `KERASPORT_TILE_PASS=0` (for comparisons; tests bind it to `false` to compare with the
    /// pass run over the stored rows, which gives the same values bit for bit).
    @TaskLocal static var passInTiles: Bool = {
        guard let v = getenv("KERASPORT_TILE_PASS") else { return true }
        return String(cString: v) != "0"
    }()

    /// `C[m × n] = A · B` over the geometry, then `pass` over C's rows (row `r` of C is row `firstRow + r` of the
    /// pass's output, for its per-row operands: PReLU periods, the residual), each range of rows while it is in
    /// cache: in the AVX-512 tiles' registers where the pass has that form (``passInTiles``), else over each range
    /// of rows once all its columns are computed.
    ///
    /// Few rows (under ``rowSplitMinTilesPerCore`` tiles per core) and many columns (a Dense layer on a batch): the
    /// cores split the columns, so each streams half of `B` once, and the pass follows on the calling thread (split
    /// across the cores). More rows (a convolution): the cores split the rows (up to 1,024 rows one chunk per core),
    /// and each runs the pass on its pieces as it finishes them. `splitColumns` false always takes the rows path (a
    /// caller that already runs one such product per core: there the column split would only make the thread
    /// sweep the rows once per chunk of columns; the pass then stays on the calling thread). Either way each value
    /// is the same.
    static func multiply(a: UnsafePointer<Float>, geometry g: Geometry, m: Int, b: Ops.PackedKernel,
                         c: UnsafeMutablePointer<Float>, ldc: Int, splitColumns: Bool = true,
                         wideTiles: Bool = Ops.wideArithmetic, pass: Ops.PreparedPass, firstRow: Int = 0) {
        guard m > 0, b.n > 0 else { return }
        precondition(g.k == b.k && g.segmentOffsets.count == g.segmentLengths.count && g.outH > 0 && g.outW > 0,
                     "DirectGEMM: geometry does not match the packed kernel")
        // The panel kernel's K-blocking works on whole segments: cut long ones to at most 256 floats. (In a
        // temporary buffer, on the stack where it is small: this runs for every band of a band-fused block, where
        // two arrays took heap allocations.)
        var count = 0
        for s in 0..<g.segmentCount {
            let length = g.segment(s).length
            count += b.transposed || length <= 256 ? 1 : (length + 255) / 256
        }
        withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * max(count, 1)) { buffer in
            let offsets = UnsafeMutableBufferPointer(rebasing: buffer[0..<count])
            let lengths = UnsafeMutableBufferPointer(rebasing: buffer[count..<(2 * count)])
            var i = 0
            for s in 0..<g.segmentCount {
                let (offset, length) = g.segment(s)
                if b.transposed || length <= 256 {
                    (offsets[i], lengths[i]) = (offset, length)
                    i += 1
                } else {
                    for start in stride(from: 0, to: length, by: 256) {
                        (offsets[i], lengths[i]) = (offset + start, min(256, length - start))
                        i += 1
                    }
                }
            }
            multiply(a: a, geometry: g, m: m, b: b, c: c, ldc: ldc, splitColumns: splitColumns, wideTiles: wideTiles,
                     pass: pass, firstRow: firstRow, offsets: UnsafeBufferPointer(offsets),
                     lengths: UnsafeBufferPointer(lengths))
        }
    }

    /// ``multiply(a:geometry:m:b:c:ldc:splitColumns:wideTiles:pass:firstRow:)`` with the segments cut.
    private static func multiply(a: UnsafePointer<Float>, geometry g: Geometry, m: Int, b: Ops.PackedKernel,
                                 c: UnsafeMutablePointer<Float>, ldc: Int, splitColumns: Bool, wideTiles: Bool,
                                 pass: Ops.PreparedPass, firstRow: Int, offsets: UnsafeBufferPointer<Int>,
                                 lengths: UnsafeBufferPointer<Int>) {
        let panels = (b.n + 15) / 16
        // The pass in the tiles' registers (where C's rows are the pass's rows, so the residual lines up).
        let inTiles = passInTiles && wideTiles && !b.transposed && ldc == b.n && pass.columns == b.n
            && (pass.fused?.tilePass ?? 0) > 0
        // Local functions (borrowing `pass`, where closures stored in constants took references to it).
        func operands(_ body: (Int32, UnsafePointer<Float>?, UnsafePointer<Float>?, UnsafePointer<Float>?,
                               UnsafePointer<Float>?) -> Void) {
            if inTiles {
                pass.fused!.withGEMMOperands(firstValue: firstRow * b.n, body)
            } else {
                body(0, nil, nil, nil, nil)
            }
        }
        // The pass over a finished range of rows, where the tiles did not apply it.
        func finished(_ rows: Range<Int>, _ concurrent: Bool) {
            if !inTiles {
                pass.run(c + rows.lowerBound * ldc, rows: rows.count, firstRow: firstRow + rows.lowerBound,
                         parallel: !concurrent)
            }
        }
        operands { epilogue, bias, sc, sh, res in
            let desc = kp_gemm_desc(a: a, out_h: g.outH, out_w: g.outW, img_stride: g.imageStride,
                                    row_stride: g.rowStride, col_stride: g.colStride, seg_off: offsets.baseAddress,
                                    seg_len: lengths.baseAddress, nseg: offsets.count, packed_b: b.pointer, n: b.n,
                                    c: c, ldc: ldc, wide: wideTiles ? 1 : 0,
                                    narrow_apart: Ops.narrowPanelsApart ? 1 : 0, epilogue: epilogue, bias: bias,
                                    sc: sc, sh: sh, res: res)
            let tiles = (m + 5) / 6
            let wide = splitColumns && !b.transposed && m <= 1024 && panels >= 2 * Parallel.coreCount
            if wide, tiles < rowSplitMinTilesPerCore * Parallel.coreCount {
                // One chunk of panels per core: every chunk reads all of A's rows (and works out their bases), so
                // finer chunks multiplied that traffic (MobileNetV2 batch 1, two cores: 8 chunks → 2 took kp_gemm's
                // own share of the profile from 7.6 % to 1.9 %).
                Parallel.forEachChunk(count: panels, work: m * b.n * max(g.k, 1), threshold: 1 << 18,
                                      chunksPerCore: 1) { j in
                    var d = desc
                    kp_gemm(&d, 0, m, j.lowerBound, j.upperBound)
                }
                finished(0..<m, false)
                return
            }
            // Chunks and pieces of whole tiles: 12 rows with the wide tiles (a 6-row rest would take the 6 × 16 one).
            let unit = wideTiles ? 12 : 6
            let piece = pieceRows(n: b.n) / unit * unit
            // Rows in chunks as a loop splits them (4 per core, taken as threads become free, so a core slowed down
            // by the system or a virtual machine's host does less of the work; one per core in a prediction on a
            // small batch, Ops.withLoopSplit); a product of at most 1,024 rows in one chunk per core (each chunk
            // streams all of B once).
            Parallel.forEachChunk(count: (m + unit - 1) / unit, work: m * b.n * max(g.k, 1), threshold: 1 << 18,
                                  chunksPerCore: wide ? 1 : Parallel.defaultChunksPerCore) { t in
                var d = desc
                let p1 = min(m, t.upperBound * unit)
                var r = t.lowerBound * unit
                while r < p1 {
                    let e = min(p1, r + piece)
                    if b.transposed { kp_gemm_narrow(&d, r, e) } else { kp_gemm(&d, r, e, 0, panels) }
                    finished(r..<e, true)
                    r = e
                }
            }
        }
    }
}

extension Ops {
    /// A Dense or convolution kernel (`[…, in, out]`, read as a row-major `k × n` matrix with `n` the last axis)
    /// in the layout of the direct GEMM kernel, packed once (a compiled model keeps it beside the kernel, so
    /// predictions do not re-pack their weights). Immutable; safe to share between threads.
    package final class PackedKernel: @unchecked Sendable {
        let pointer: UnsafeMutablePointer<Float>
        /// Rows (`k`: the product of all axes but the last) and columns (`n`: the last axis).
        package let k: Int, n: Int
        /// Stored as `n × k` for the narrow kernel (n < ``DirectGEMM/narrowColumns``), else in 16-column panels.
        let transposed: Bool
        /// Packs `b`. (Packed kernels in 2 MiB transparent huge pages were tried: on this virtual machine zeroing
        /// the huge pages made a ResNet50 load 1.4× slower than 4 KiB pages from the heap, so they are not used.
        /// Tried again in round 28 with `MADV_HUGEPAGE` over each kernel's and Winograd transform's whole 2 MiB pages:
        /// ResNet50 batch 1, one thread, 16 paired rounds 0.990× the time (q1 0.987, q3 0.994); two threads and
        /// Xception within the noise; but Xception's load had a tail of 1.3–2.1× the usual time in 6 of 16 fresh
        /// processes (no compaction stalls or fallbacks counted in /proc/vmstat: fresh huge pages are slow to fault
        /// in on this guest), against the load target's 1.5× of h5py. Not used.)
        convenience init(_ b: UnsafePointer<Float>, k: Int, n: Int, ldb: Int) {
            self.init(k: k, n: n) { out, transposed in
                if transposed {
                    kp_pack_bt(b, k, n, ldb, out)
                } else {
                    // Panels are independent: the cores pack (and first touch) their share of them.
                    let panels = (n + 15) / 16
                    Parallel.forEachChunk(count: panels, work: k * n, threshold: 1 << 18) { range in
                        let j0 = range.lowerBound * 16, width = min(n, range.upperBound * 16) - j0
                        kp_pack_b(b + j0, k, width, ldb, out + range.lowerBound * k * 16)
                    }
                }
            }
        }

        /// A packing of a `k × n` matrix that `fill` writes: `n × k` when it is given `transposed` (the narrow
        /// kernel's), else kp_pack_b's layout (16-column panels one after the other, each `k` rows of 16 floats,
        /// the columns past `n` zero).
        init(k: Int, n: Int, fill: (UnsafeMutablePointer<Float>, _ transposed: Bool) -> Void) {
            transposed = n < DirectGEMM.narrowColumns
            let count = max(transposed ? k * n : kp_packed_b_count(k, n), 1)
            pointer = UnsafeMutableRawPointer.allocate(byteCount: count * MemoryLayout<Float>.stride, alignment: 64)
                .bindMemory(to: Float.self, capacity: count)
            fill(pointer, transposed)
            self.k = k
            self.n = n
        }

        /// Packs `kernel` (rank ≥ 2), or returns `nil` when this machine does not use the direct kernel (no AVX2 /
        /// FMA, or `KERASPORT_KERNELS=blas`), the kernel is empty, or it is larger than 16 MiB (those run on
        /// OpenBLAS, without a second copy of the weights).
        package static func pack(_ kernel: Tensor) -> PackedKernel? {
            guard DirectGEMM.available, kernel.rank >= 2, let n = kernel.shape.last, n > 0, kernel.count > 0,
                  kernel.count <= DirectGEMM.maxPackedFloats else { return nil }
            let k = kernel.count / n
            return kernel.scalars.withUnsafeBufferPointer { PackedKernel($0.baseAddress!, k: k, n: n, ldb: n) }
        }

        /// `packed` when it was made for a `k × n` kernel, else a new packing of `kernel`.
        static func reuse(_ packed: PackedKernel?, orPack kernel: UnsafePointer<Float>, k: Int, n: Int) -> PackedKernel {
            if let packed, packed.k == k, packed.n == n { return packed }
            return PackedKernel(kernel, k: k, n: n, ldb: n)
        }

        /// The kernel's values again, row-major `k × n` (packing only moves values and adds zero columns, so these
        /// are the packed kernel's values bit for bit).
        package func unpacked() -> [Float] {
            let (k, n, packed) = (self.k, self.n, UnsafePointer(pointer))
            return [Float](unsafeUninitializedCapacity: k * n) { out, initialized in
                guard let o = out.baseAddress else { initialized = 0; return }
                if transposed {
                    for j in 0..<n { for r in 0..<k { o[r * n + j] = packed[j * k + r] } }
                } else {
                    for panel in 0..<((n + 15) / 16) {
                        let j0 = panel * 16, width = min(16, n - j0)
                        let src = packed + panel * k * 16
                        for r in 0..<k { (o + r * n + j0).update(from: src + r * 16, count: width) }
                    }
                }
                initialized = k * n
            }
        }

        deinit { pointer.deallocate() }
    }

    /// A Dense or convolution kernel (`[…, in, out]`) as a compiled layer holds it: its values, or, once the
    /// direct GEMM kernel has packed them, only the packed copy. A model then holds each such kernel once, not
    /// twice (98 MB rather than 196 MB for ResNet50); the values are rebuilt from the packing (``unpacked()``) on
    /// the paths that need them as a plain matrix: OpenBLAS (forced with `KERASPORT_KERNELS=blas` or a task's
    /// ``DirectGEMM/engine``) and convolutions whose zero-padded input would be too large for the direct kernel,
    /// each building a temporary copy per call.
    package struct KernelOperand: Sendable {
        /// The kernel's shape (`[in, out]`, `[kh, kw, in, out]`, …).
        package let shape: [Int]
        /// The values, when they are kept.
        let values: Tensor?
        /// The packed copy, when there is one.
        package let packed: PackedKernel?

        /// Both forms as given (the values kept).
        package init(_ kernel: Tensor, packed: PackedKernel?) {
            shape = kernel.shape
            values = kernel
            self.packed = packed
        }

        /// Packs `kernel` when this machine runs it on the direct kernel (``PackedKernel/pack(_:)``) and then keeps
        /// only the packed copy; otherwise keeps the values.
        package static func packing(_ kernel: Tensor) -> KernelOperand {
            guard let packed = PackedKernel.pack(kernel) else { return KernelOperand(kernel, packed: nil) }
            return KernelOperand(shape: kernel.shape, packed: packed)
        }

        private init(shape: [Int], packed: PackedKernel) {
            self.shape = shape
            self.values = nil
            self.packed = packed
        }

        /// One packed copy per group of a grouped convolution's kernel (`[kh, kw, in / groups, out]`: group `g` is
        /// its output columns `g·out/groups ..< (g+1)·out/groups`), for the direct kernel; empty otherwise.
        package private(set) var groupKernels: [PackedKernel] = []

        /// A grouped convolution's kernel with the values kept (the OpenBLAS path and ``tensor`` read them) and,
        /// when this machine runs the direct kernel, one packed copy per group.
        package static func packingGroups(_ kernel: Tensor, groups: Int) -> KernelOperand {
            var operand = KernelOperand(kernel, packed: nil)
            // One input channel per group runs on the depthwise kernel (``Ops/conv2d``): nothing to pack.
            guard DirectGEMM.available, groups > 1, kernel.rank >= 2, kernel.shape[kernel.rank - 2] > 1,
                  let n = kernel.shape.last, n % groups == 0, kernel.count > 0,
                  kernel.count <= DirectGEMM.maxPackedFloats else { return operand }
            let (k, width) = (kernel.count / n, n / groups)
            operand.groupKernels = kernel.scalars.withUnsafeBufferPointer { b in
                (0..<groups).map { g in PackedKernel(b.baseAddress! + g * width, k: k, n: width, ldb: n) }
            }
            return operand
        }

        /// Copies of this kernel cut to a window's reach (``cropped(rows:cols:groups:)``), shared by the struct's copies.
        private let crops = CropCache()

        /// This `[kh, kw, in, out]` kernel cut to kernel rows `rows` and columns `cols` (the taps a convolution's
        /// windows reach in its input: the others only ever meet padding), packed as the original is (per group for
        /// a grouped kernel); made at the first call for a cut and kept.
        func cropped(rows: Range<Int>, cols: Range<Int>, groups: Int) -> KernelOperand {
            crops.operand(for: CropCache.Key(rows: rows, cols: cols, groups: groups)) {
                let (kw, inner) = (shape[1], shape[2] * shape[3])
                let cut = withValues { v in
                    [Float](unsafeUninitializedCapacity: rows.count * cols.count * inner) { out, initialized in
                        var o = out.baseAddress!
                        for i in rows {
                            let row = v + (i * kw + cols.lowerBound) * inner
                            o.update(from: row, count: cols.count * inner)
                            o += cols.count * inner
                        }
                        initialized = rows.count * cols.count * inner
                    }
                }
                let tensor = Tensor(shape: [rows.count, cols.count, shape[2], shape[3]], scalars: cut)
                return groups > 1 ? .packingGroups(tensor, groups: groups)
                    : (packed == nil ? KernelOperand(tensor, packed: nil) : .packing(tensor))
            }
        }

        /// How many cut copies ``cropped(rows:cols:groups:)`` has made and keeps (for tests).
        var keptCuts: Int { crops.count }

        /// The packed copy when it is the only one (the values are not kept).
        package var packedOnly: PackedKernel? { values == nil ? packed : nil }

        /// The values as a tensor of ``shape`` (rebuilt from the packing when they are not kept).
        package var tensor: Tensor {
            if let values { return values }
            return Tensor(shape: shape, scalars: packed!.unpacked())
        }

        /// Calls `body` with the values, row-major (rebuilt from the packing for the call when they are not kept).
        func withValues<R>(_ body: (UnsafePointer<Float>) -> R) -> R {
            if let values {
                return values.scalars.withUnsafeBufferPointer { body($0.baseAddress ?? dummyPointer) }
            }
            return packed!.unpacked().withUnsafeBufferPointer { body($0.baseAddress ?? dummyPointer) }
        }

        /// The packed copy for a `k × n` product: ``packed`` when it fits, else a new packing of the values.
        func packedFor(k: Int, n: Int) -> PackedKernel {
            if let packed, packed.k == k, packed.n == n { return packed }
            return withValues { PackedKernel($0, k: k, n: n, ldb: n) }
        }
    }
}

/// Cut copies of a kernel, by cut (``Ops/KernelOperand/cropped(rows:cols:groups:)``); safe to share between threads.
final class CropCache: @unchecked Sendable {
    struct Key: Hashable {
        let rows: Range<Int>, cols: Range<Int>, groups: Int
    }

    private var operands: [Key: Ops.KernelOperand] = [:]
    private let lock: UnsafeMutablePointer<pthread_mutex_t>

    init() {
        lock = .allocate(capacity: 1)
        pthread_mutex_init(lock, nil)
    }

    deinit {
        pthread_mutex_destroy(lock)
        lock.deallocate()
    }

    /// The cut copies kept.
    var count: Int {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return operands.count
    }

    /// The operand for `key`, made by `make` (under the lock) at the first call.
    func operand(for key: Key, make: () -> Ops.KernelOperand) -> Ops.KernelOperand {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        if let operand = operands[key] { return operand }
        let operand = make()
        operands[key] = operand
        return operand
    }
}
