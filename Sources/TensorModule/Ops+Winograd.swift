internal import CKernels
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Winograd convolution for 3×3, stride-1, dilation-1, single-group convolutions (Lavin & Gray's F(2×2, 3×3) and
/// F(4×4, 3×3)): each m × m block of outputs is computed from an (m+2) × (m+2) input tile with (m+2)² products per
/// input/output channel pair instead of 9·m² (2.25× fewer for m = 2, 4× fewer for m = 4). The products are (m+2)²
/// independent GEMMs (tiles × cin times cin × cout) through the direct GEMM kernel; the input transform reads the
/// NHWC input with its padding implicit (no padded copy), the output transform writes NHWC rows, and the layer's
/// epilogue (bias, activation, fused post-ops such as a residual Add) runs on them while they are in cache.
///
/// The results differ from the direct convolution by rounding only: see ``Winograd/choose(batch:rows:cols:cin:cout:)``
/// for the measured error and the rule that picks it.
package enum Winograd {
    /// Which convolution 3×3 stride-1 layers use: tests force one; `KERASPORT_WINOGRAD=off|f2|f4|auto` sets it for a
    /// process (for comparisons).
    package enum Mode: Sendable, Equatable { case automatic, off, f2, f4 }

    /// The mode of operations started by the current task (tests bind it with `$mode.withValue`).
    @TaskLocal package static var mode: Mode = .automatic

    static let environmentMode: Mode = {
        guard let v = getenv("KERASPORT_WINOGRAD") else { return .automatic }
        switch String(cString: v) {
        case "off", "0": return .off
        case "f2": return .f2
        case "f4": return .f4
        default: return .automatic
        }
    }()

    /// Tiles per block, overriding the budget (tests use it to reach the many-blocks path on small inputs).
    @TaskLocal package static var blockTiles: Int? = nil

    /// Floats of transformed input and products one block of tiles may hold (a core's L2 share).
    static let blockBudget: Int = {
        if let v = getenv("KERASPORT_WINOGRAD_BLOCK"), let n = Int(String(cString: v)), n > 0 { return n }
        return 1 << 17
    }()

    /// The tile size m (2 or 4) a convolution uses, or `nil` for the direct path. The axes must already be known to
    /// be 3-tap, stride-1, dilation-1.
    ///
    /// The rule: F(2×2, 3×3) whenever both channel counts are ≥ 16 (a guess, not measured: with fewer, the transforms
    /// should cost more than the products they save), except for a large kernel on few tiles
    /// (``streamsKernel(batch:rows:cols:cin:cout:)``: ResNet50's last stage at batch 1). Measured (2-core Zen 4, a heavily shared machine, so CPU time of
    /// one thread per prediction in alternating fresh processes, medians): the SRGAN generator (96 × 96, batch 1) took
    /// 0.70× the direct path's time (2 pairs: 0.60×, 0.81×) and ResNet50 at batch 1 took 0.93× the direct path's time
    /// with F(2×2) on every such layer (5 pairs, ±20 % noise per run) and 0.86× when the products ran on a slower GEMM
    /// kernel. F(4×4) was no faster in those runs and is not chosen automatically: against Keras it multiplies the
    /// direct path's error by 3–50 (SRGAN generator: max |Δ| 7.5e-5 on outputs of magnitude 1, 62 % of the real-world
    /// bound 1e-4 + 1e-3·|keras| against 11 % for the direct path; ResNet50 8e-5, 19 % against 1 %), where F(2×2) adds
    /// little (SRGAN 1.7e-5, 14 %; ResNet50 5e-6, 1.2 %; VGG16 2.2e-7, 0.13 % against 0.12 %).
    static func choose(batch: Int, rows: WindowAxis, cols: WindowAxis, cin: Int, cout: Int) -> Int? {
        guard DirectGEMM.kernelsEnabled else { return nil }
        let forced = mode != .automatic ? mode : environmentMode
        switch forced {
        case .off: return nil
        case .f2: return 2
        case .f4: return 4
        case .automatic: break
        }
        guard cin >= 16, cout >= 16, batch * rows.output * cols.output > 0 else { return nil }
        return streamsKernel(batch: batch, rows: rows, cols: cols, cin: cin, cout: cout) ? nil : 2
    }

    /// Bytes of F(2×2, 3×3)-transformed kernel (16 matrices cin × cout) from which few tiles make the direct path
    /// faster (``streamsKernel(batch:rows:cols:cin:cout:)``).
    static let largeKernelBytes = 8 << 20

    /// Tiles (2 × 2 output blocks of the batch) from which F(2×2, 3×3) pays for a large transformed kernel.
    static let largeKernelMinTiles = 24

    /// Whether F(2×2, 3×3) would spend its time streaming its transformed kernel: a large one (over
    /// ``largeKernelBytes``: 16 matrices against the direct kernel's 9, too large to stay in the last-level cache
    /// between predictions) multiplied by few tiles (under ``largeKernelMinTiles``: each of its 16 products then
    /// does that few multiply-adds per kernel value read, the direct product one per output pixel). Measured
    /// (2-core Zen 4, ResNet50's 3×3 layers, per-step profiles, direct time / Winograd time): 512 channels (16.8 MB
    /// transformed) 0.69 / 0.58 / 0.75 / 0.89 at 1 / 4 / 9 / 16 tiles, 1.51 at 32, 1.19 at 64; 256 channels (4.2 MB)
    /// 1.17 / 0.97 / 1.36 / 1.68 / 1.58 at 4 / 9 / 16 / 25 / 49 tiles.
    static func streamsKernel(batch: Int, rows: WindowAxis, cols: WindowAxis, cin: Int, cout: Int) -> Bool {
        let tiles = batch * ((rows.output + 1) / 2) * ((cols.output + 1) / 2)
        let (floats, overflow) = (16 * cin).multipliedReportingOverflow(by: cout)
        return tiles < largeKernelMinTiles && (overflow || floats * MemoryLayout<Float>.stride > largeKernelBytes)
    }

    /// Whether the geometry is a 3×3, stride-1, dilation-1 window on both axes.
    static func applies(rows: WindowAxis, cols: WindowAxis) -> Bool {
        rows.kernel == 3 && cols.kernel == 3 && rows.stride == 1 && cols.stride == 1 && rows.dilation == 1
            && cols.dilation == 1
    }
}

extension Ops {
    /// A 3×3 convolution kernel with its Winograd transforms, made on first use (per tile size) and kept: (m+2)²
    /// matrices cin × cout in the direct GEMM kernel's panel layout (1.8× the kernel's size for m = 2, 4× for m = 4).
    /// Safe to share between threads.
    package final class WinogradKernel: @unchecked Sendable {
        /// The kernel as the compiled layer holds it (possibly only packed: the transform then reads the packed
        /// panels, so no plain copy of the kernel is kept or rebuilt for it).
        let kernel: KernelOperand
        let cin: Int, cout: Int
        /// Taken only to make a transform; reading one already made takes no lock (``transformed(m:)``).
        private let lock: UnsafeMutablePointer<pthread_mutex_t>
        /// One published slot per tile size (``tileSizes``): a retained `Transformed`, or nil until made. Written
        /// once, under `lock`, with release ordering; read with acquire ordering.
        private let slots: UnsafeMutablePointer<UnsafeMutableRawPointer?>
        /// The tile sizes m the transforms exist for (F(2×2, 3×3) and F(4×4, 3×3)).
        private static let tileSizes = [2, 4]

        /// The transformed kernel for one tile size.
        final class Transformed: @unchecked Sendable {
            let m: Int
            /// Floats between consecutive packed matrices.
            let stride: Int
            let pointer: UnsafeMutablePointer<Float>

            /// Made during the first prediction that needs it, on all cores (each fills whole panels of output
            /// channels straight into the packed layout): ResNet50's 16 3×3 layers took ~125 ms of that prediction
            /// when one thread transformed into a plain buffer and then packed it. `m` is one of ``tileSizes``
            /// (``transformed(m:)`` checks it).
            init(kernel: KernelOperand, cin: Int, cout: Int, m: Int) {
                let a2 = (m + 2) * (m + 2)
                self.m = m
                let stride = kp_packed_b_count(cin, cout)
                self.stride = stride
                let pointer = UnsafeMutableRawPointer.allocate(byteCount: max(a2 * stride, 1) * MemoryLayout<Float>.stride,
                                                               alignment: 64).bindMemory(to: Float.self, capacity: a2 * stride)
                self.pointer = pointer
                let panels = (cout + 15) / 16
                func transform(_ w: UnsafePointer<Float>, panelsLayout: Bool) {
                    Parallel.forEachChunk(count: panels, work: a2 * cin * cout * 8, chunksPerCore: 4) { range in
                        kp_winograd_kernel_packed(w, panelsLayout ? 1 : 0, cin, cout, m, pointer, stride,
                                                  range.lowerBound, range.upperBound)
                    }
                }
                // A kernel held only packed is read in its panels (no plain copy of it is rebuilt for this).
                if let packed = kernel.packedOnly, !packed.transposed, packed.k == 9 * cin, packed.n == cout {
                    transform(packed.pointer, panelsLayout: true)
                } else {
                    kernel.tensor.scalars.withUnsafeBufferPointer { transform($0.baseAddress!, panelsLayout: false) }
                }
            }

            deinit { pointer.deallocate() }
        }

        private init(kernel: KernelOperand) {
            self.kernel = kernel
            cin = kernel.shape[2]
            cout = kernel.shape[3]
            lock = .allocate(capacity: 1)
            pthread_mutex_init(lock, nil)
            slots = .allocate(capacity: Self.tileSizes.count)
            slots.initialize(repeating: nil, count: Self.tileSizes.count)
        }

        deinit {
            for i in 0..<Self.tileSizes.count {
                if let p = slots[i] { Unmanaged<Transformed>.fromOpaque(p).release() }
            }
            slots.deallocate()
            pthread_mutex_destroy(lock)
            lock.deallocate()
        }

        /// A Winograd kernel for a `[3, 3, cin, cout]` kernel, or `nil` for any other shape or when this machine does
        /// not use the direct GEMM kernel. Nothing is transformed until a convolution needs it.
        package static func make(_ kernel: Tensor) -> WinogradKernel? {
            make(KernelOperand(kernel, packed: nil))
        }

        /// ``make(_:)-(Tensor)`` for a kernel as a compiled layer holds it.
        package static func make(_ kernel: KernelOperand) -> WinogradKernel? {
            guard DirectGEMM.available, kernel.shape.count == 4, kernel.shape[0] == 3, kernel.shape[1] == 3,
                  kernel.shape[2] > 0, kernel.shape[3] > 0 else { return nil }
            return WinogradKernel(kernel: kernel)
        }

        /// The transform for tile size `m` (2 or 4), made at the first call. Once made, a call
        /// is one atomic load (acquire): convolutions on several threads never wait for each other here; only the
        /// first calls for a tile size take the lock, and one of them makes the transform.
        func transformed(m: Int) -> Transformed {
            guard let index = Self.tileSizes.firstIndex(of: m) else {
                preconditionFailure("Winograd tile size \(m) is not one of \(Self.tileSizes)")
            }
            let slot = slots + index
            if let p = kp_load_acquire(slot) { return Unmanaged<Transformed>.fromOpaque(p).takeUnretainedValue() }
            pthread_mutex_lock(lock)
            defer { pthread_mutex_unlock(lock) }
            if let p = slot.pointee { return Unmanaged<Transformed>.fromOpaque(p).takeUnretainedValue() }
            let t = Transformed(kernel: kernel, cin: cin, cout: cout, m: m)
            kp_store_release(slot, Unmanaged.passRetained(t).toOpaque())
            return t
        }
    }

    /// The convolution through Winograd F(m×m, 3×3) (see ``Winograd``); `finished(rows, concurrent)` is called with
    /// each range of output rows once computed: on the worker threads, at once for disjoint ranges, when `concurrent`
    /// (the caller's pass must then not split its own work across cores); otherwise once, for all rows.
    static func convolveWinograd(input: UnsafePointer<Float>, batch: Int, cin: Int, cout: Int, rows: WindowAxis,
                                 cols: WindowAxis, kernel: WinogradKernel.Transformed, output: UnsafeMutablePointer<Float>,
                                 finished: (Range<Int>, _ concurrent: Bool) -> Void) {
        let m = kernel.m, a2 = (m + 2) * (m + 2)
        let (outH, outW) = (rows.output, cols.output)
        let tilesH = (outH + m - 1) / m, tilesW = (outW + m - 1) / m
        let tiles = batch * tilesH * tilesW
        guard tiles > 0 else { return }
        let work = tiles * a2 * cin * cout
        // Tiles per block: the block's transformed input and products fit the budget, at least 48 tiles (a GEMM of
        // fewer rows re-reads its kernel matrices too often), a multiple of the GEMM kernel's 6-row tile.
        let block = Winograd.blockTiles.map { max(1, $0) }
            ?? (max(48, Winograd.blockBudget / (a2 * (cin + cout))) + 5) / 6 * 6
        let blocks = (tiles + block - 1) / block

        func transformIn(_ v: UnsafeMutablePointer<Float>, _ t0: Int, _ t1: Int) {
            kp_winograd_input(input, rows.input, cols.input, cin, rows.padBefore, cols.padBefore, m, tilesH, tilesW,
                              t0, t1, v)
        }
        func transformOut(_ mm: UnsafePointer<Float>, _ t0: Int, _ t1: Int) {
            kp_winograd_output(mm, cout, m, outH, outW, tilesH, tilesW, t0, t1, output)
        }

        if blocks >= 2 * Parallel.coreCount {
            // Many blocks: each core takes whole blocks (transform, products, output transform, epilogue) in its own
            // cache-sized buffers.
            Parallel.forEachChunk(count: blocks, work: work, threshold: 1 << 18) { range in
                let v = alignedFloats(block * a2 * cin)
                let mm = alignedFloats(block * a2 * cout)
                defer { v.deallocate(); mm.deallocate() }
                for b in range {
                    let t0 = b * block, t1 = min(tiles, t0 + block)
                    transformIn(v, t0, t1)
                    winogradProducts(v: v, mm: mm, tiles: t1 - t0, elements: 0..<a2, cin: cin, cout: cout, kernel: kernel)
                    transformOut(mm, t0, t1)
                    for r in outputRows(t0..<t1, m: m, tilesH: tilesH, tilesW: tilesW, outH: outH, outW: outW) {
                        finished(r, true)
                    }
                }
            }
            return
        }
        // Few tiles (small images, a small batch): one block, each phase split across the cores (the products by
        // transform element, so each core streams its share of the kernel matrices once).
        let v = alignedFloats(tiles * a2 * cin)
        let mm = alignedFloats(tiles * a2 * cout)
        defer { v.deallocate(); mm.deallocate() }
        Parallel.forEachChunk(count: tiles, work: tiles * a2 * cin * 8) { r in
            transformIn(v + r.lowerBound * a2 * cin, r.lowerBound, r.upperBound)
        }
        Parallel.forEachChunk(count: a2, work: work, threshold: 1 << 18) { e in
            winogradProducts(v: v, mm: mm, tiles: tiles, elements: e, cin: cin, cout: cout, kernel: kernel)
        }
        Parallel.forEachChunk(count: tiles, work: tiles * a2 * cout * 4) { r in
            transformOut(mm + r.lowerBound * a2 * cout, r.lowerBound, r.upperBound)
        }
        finished(0..<(batch * outH * outW), false)
    }

    /// For transform elements `elements`: mm[t][ξ][:] = v[t][ξ][:] · U[ξ] for `tiles` tiles, on the calling thread.
    private static func winogradProducts(v: UnsafePointer<Float>, mm: UnsafeMutablePointer<Float>, tiles: Int,
                                         elements: Range<Int>, cin: Int, cout: Int,
                                         kernel: WinogradKernel.Transformed) {
        let a2 = (kernel.m + 2) * (kernel.m + 2)
        let offsets = Array(stride(from: 0, to: cin, by: 256))
        let lengths = offsets.map { min(256, cin - $0) }
        let panels = (cout + 15) / 16
        offsets.withUnsafeBufferPointer { offsets in
            lengths.withUnsafeBufferPointer { lengths in
                for xi in elements {
                    var d = kp_gemm_desc(a: v + xi * cin, out_h: 1, out_w: tiles, img_stride: 0, row_stride: 0,
                                         col_stride: a2 * cin, seg_off: offsets.baseAddress, seg_len: lengths.baseAddress,
                                         nseg: offsets.count, packed_b: kernel.pointer + xi * kernel.stride, n: cout,
                                         c: mm + xi * cout, ldc: a2 * cout, wide: Ops.wideWinograd ? 1 : 0,
                                         narrow_apart: Ops.narrowPanelsApart ? 1 : 0, epilogue: 0, bias: nil,
                                         sc: nil, sh: nil, res: nil)
                    kp_gemm(&d, 0, tiles, 0, panels)
                }
            }
        }
    }

    /// The output pixel ranges (rows of the `[batch·outH·outW, cout]` output) that tiles `tiles` cover: per tile row
    /// they touch, one contiguous range per output row.
    static func outputRows(_ tiles: Range<Int>, m: Int, tilesH: Int, tilesW: Int, outH: Int,
                           outW: Int) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var t = tiles.lowerBound
        while t < tiles.upperBound {
            let tileRow = t / tilesW
            let end = min(tiles.upperBound, (tileRow + 1) * tilesW)
            let (img, th) = (tileRow / tilesH, tileRow % tilesH)
            let (w0, w1) = ((t % tilesW) * m, min(outW, ((end - 1) % tilesW + 1) * m))
            for oh in (th * m)..<min(outH, th * m + m) {
                let base = (img * outH + oh) * outW
                ranges.append((base + w0)..<(base + w1))
            }
            t = end
        }
        return ranges
    }
}
