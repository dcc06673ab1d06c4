internal import CKernels
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Ops {
    /// A 1×1 convolution (stride 1, no padding, one group) over channels-last input, with its kernel packed for the
    /// direct GEMM kernel: the first stage of a band-fused pair (``pointwiseDepthwise(input:pointwise:pointwisePostOps:depthwise:depthwisePostOps:)``).
    package final class PointwiseStage: Sendable {
        let operand: KernelOperand
        let packed: PackedKernel
        let bias: Tensor?
        let activation: Activation

        /// The stage, or `nil` when `kernel` is not `[1, 1, in, out]` held packed (unpacked kernels keep the layer's
        /// own path) or the activation is not element-wise.
        package init?(kernel: KernelOperand, bias: Tensor?, activation: Activation) {
            let shape = kernel.shape
            guard shape.count == 4, shape[0] == 1, shape[1] == 1, let packed = kernel.packed,
                  packed.k == shape[2], packed.n == shape[3], activation.isElementwise,
                  bias.map({ $0.count == shape[3] }) ?? true else { return nil }
            (operand, self.packed, self.bias, self.activation) = (kernel, packed, bias, activation)
        }

        /// The stage's output pass: its bias, its activation, then `postOps`.
        func pass(_ postOps: [PostOp]) -> PreparedPass {
            PreparedPass(bias: bias, activation: activation, postOps: postOps, columns: packed.n)
        }
    }

    /// A depthwise 2-D convolution with depth multiplier 1 over channels-last input: the second stage of a
    /// band-fused pair.
    package struct DepthwiseStage: Sendable {
        let kernel: Tensor
        let bias: Tensor?
        let strides: (Int, Int), padding: Padding, dilation: (Int, Int)
        let zeroPadding: ((Int, Int), (Int, Int))
        let activation: Activation

        /// The stage, or `nil` when `kernel` is not `[kh, kw, channels, 1]` or the activation is not element-wise.
        package init?(kernel: Tensor, bias: Tensor?, strides: (Int, Int), padding: Padding, dilation: (Int, Int),
                      zeroPadding: ((Int, Int), (Int, Int)), activation: Activation) {
            guard kernel.rank == 4, kernel.shape[3] == 1, activation.isElementwise, padding != .causal,
                  bias.map({ $0.count == kernel.shape[2] }) ?? true else { return nil }
            (self.kernel, self.bias, self.strides, self.padding) = (kernel, bias, strides, padding)
            (self.dilation, self.zeroPadding, self.activation) = (dilation, zeroPadding, activation)
        }

        /// The stage's output pass: its bias, its activation, then `postOps`.
        func pass(_ postOps: [PostOp]) -> PreparedPass {
            PreparedPass(bias: bias, activation: activation, postOps: postOps, columns: kernel.shape[2])
        }
    }

    /// The output passes of a band-fused block whose post-ops are the same in every call (a compiled block's): the 1×1
    /// expand stage's, the depthwise stage's and, where it adds no residual, the project stage's, prepared once instead
    /// of in every prediction (the passes' analysis and the arrays it makes were about 1 % of MobileNetV2's calling
    /// thread at batch 1). ``pointwiseDepthwise(input:pointwise:pointwisePostOps:depthwise:depthwisePostOps:project:projectPostOps:passes:)``
    /// uses them only where the calling task makes the choices they were made under (``PassChoices``: tests bind the
    /// engine and the kernels' widths), and the project pass only for post-ops without a residual `Add`.
    package final class BandPasses: Sendable {
        let choices: PassChoices
        let expand: PreparedPass?, depthwise: PreparedPass, project: PreparedPass?
        /// The post-ops the passes were made from (checked against a call's in debug builds).
        let postOps: (expand: [PostOp], depthwise: [PostOp], project: [PostOp])

        /// The passes of a block with these stages and post-ops (`projectPostOps` without the residual, which a call
        /// adds: the project pass is then made by the call).
        package convenience init(pointwise: PointwiseStage?, pointwisePostOps: [PostOp], depthwise: DepthwiseStage,
                                 depthwisePostOps: [PostOp], project: PointwiseStage?, projectPostOps: [PostOp],
                                 residual: Bool) {
            self.init(expand: pointwise.map { .pointwise($0) }, expandPostOps: pointwisePostOps, depthwise: depthwise,
                      depthwisePostOps: depthwisePostOps, project: project, projectPostOps: projectPostOps,
                      residual: residual)
        }

        /// The passes of a block whose expand stage is any ``ExpandStage``.
        package init(expand expandStage: ExpandStage?, expandPostOps: [PostOp], depthwise: DepthwiseStage,
                     depthwisePostOps: [PostOp], project: PointwiseStage?, projectPostOps: [PostOp], residual: Bool) {
            choices = .current
            expand = expandStage?.pass(expandPostOps)
            self.depthwise = depthwise.pass(depthwisePostOps)
            self.project = residual ? nil : project?.pass(projectPostOps)
            postOps = (expandPostOps, depthwisePostOps, projectPostOps)
        }
    }

    /// Whether band-fused pairs run fused: true unless the environment sets `KERASPORT_BAND_FUSION=0` (for
    /// comparisons; tests bind it to `false` to compare with the two stages run one after the other).
    @TaskLocal package static var bandFusion: Bool = {
        guard let v = getenv("KERASPORT_BAND_FUSION") else { return true }
        return String(cString: v) != "0"
    }()

    /// Expanded tensors (the 1×1 stage's output) of fewer bytes than this run as two stages. Banding pays even where
    /// the expanded tensor would stay in the caches: split by rows across cores, each core then reads only rows it
    /// wrote itself (the 1×1 product's column split and the depthwise's row split made half of every read come from
    /// the other core's cache), for the price of a few recomputed rows at each core's first band. MobileNetV2 at
    /// batch 1 on two cores: 5.02 → 4.77 ms with MobileNetV2's 7×7 and 14×14 blocks banded (median of 9 alternating
    /// runs); one core and batch 8 unchanged. (Where the recomputed rows make one core's share too large, the
    /// stages run after all: see `busiestChunkExpandedRows`.)
    static let bandFusionMinBytes = 1 << 16

    /// Chunks per core when bands start mid-image (fewer images than twice the cores): one, since every chunk's
    /// first band recomputes the expanded rows its windows share with the chunk above (MobileNetV2 batch 1, two
    /// cores: 4.77 ms with one chunk per core, 5.13 ms with two, medians of 9 alternating runs).
    static let bandChunksPerCore = 1

    /// Bytes of the 1×1 stage's output a band holds (per thread, reused band after band): within a core's L2.
    static let bandBytes = 1 << 18

    /// How ``pointwiseDepthwise(input:pointwise:pointwisePostOps:depthwise:depthwisePostOps:project:projectPostOps:)``
    /// runs a block it bands (``bandPlan(expand:batch:height:width:channels:outputRows:stride:padBefore:reach:cores:)``).
    package enum BandPlan: Equatable, Sendable {
        /// Bands of output rows, each core's expanded rows in its own band buffer.
        case bands
        /// The whole expanded tensor first (one product, which the GEMM splits across the cores), then each core's
        /// share of the output pixels: their depthwise rows and projected rows.
        case wholeExpanded
        /// The stages one after the other, each split across the cores on its own.
        case stages
    }

    /// Tests bind this to run every banded block with one plan (the values are the same whichever runs).
    @TaskLocal package static var bandPlanOverride: BandPlan? = nil

    /// Expanded tensors up to this many bytes may be made whole first: the cores' halves stay in their L2 caches
    /// for the depthwise rows that read them.
    static let wholeExpandedMaxBytes = 1 << 20

    /// The plan for a block with an expand stage (`expand`) over `batch` images of `height` × `width` × `channels`
    /// expanded values on `cores` cores. Bands, unless they start mid-image (fewer images than twice the cores) and
    /// the busiest core's chunk would make over 1.25× its share of the expanded rows (the rows its windows share
    /// with the chunk above made again, ``busiestChunkExpandedRows(lines:chunks:outRows:height:stride:padBefore:reach:)``):
    /// then the whole expanded tensor first where it is at most ``wholeExpandedMaxBytes``, else the stages (over
    /// 1.5×; between the two, bands). A 7×7 image with a 3×3 kernel on two cores: the second chunk's 4 output rows
    /// read 5 of the 7 expanded rows (1.43×) and the caller waited for it in MobileNetV2's four 7×7 blocks; whole
    /// first, MobileNetV2 b1 0.993× the time and EfficientNetB0 b1 (whose 7×7 blocks with 5×5 kernels, 1.71×, ran
    /// as stages) 0.970× (8 paired rounds each, two cores). The 14×14 blocks (8 of 14 rows, 1.14×) measured the
    /// same either way and stay banded. Whole first too where the output rows split over 1.1× unevenly (a stride-2
    /// block's 7 output rows: one core 4 of them, 1.14×).
    static func bandPlan(expand: Bool, batch: Int, height h: Int, width w: Int, channels c: Int, outputRows: Int,
                         stride: Int, padBefore: Int, reach: Int, cores: Int) -> BandPlan {
        let lines = batch * outputRows
        let chunks = min(lines, cores * bandChunksPerCore)
        guard expand, batch < 2 * cores, chunks > 1 else { return .bands }
        let busiest = busiestChunkExpandedRows(lines: lines, chunks: chunks, outRows: outputRows, height: h,
                                               stride: stride, padBefore: padBefore, reach: reach)
        let (bytes, overflow) = (batch * h * w).multipliedReportingOverflow(by: c * MemoryLayout<Float>.stride)
        // Output rows that do not split evenly (7 rows on two cores: 4 and 3) leave one core a whole row more of
        // depthwise and project work; the whole-expanded plan splits output pixels (24 and 25).
        let unevenLines = (lines + chunks - 1) / chunks * chunks * 10 > lines * 11
        if busiest * 4 * chunks > 5 * batch * h || unevenLines, !overflow, bytes <= wholeExpandedMaxBytes {
            return .wholeExpanded
        }
        return busiest * 2 * chunks > 3 * batch * h ? .stages : .bands
    }

    /// A 1×1 convolution (`pointwise`, with its bias, activation and `pointwisePostOps`), the depthwise convolution
    /// reading its output (with `depthwisePostOps`) and a 1×1 convolution reading the depthwise output (`project`,
    /// with `projectPostOps`, which may hold a residual `Add`) — MobileNet's and EfficientNet's inverted-residual
    /// block, expand → depthwise → project; either 1×1 stage may be absent (EfficientNet's squeeze-and-excitation
    /// sits between its depthwise and project convolutions; MobileNet's separable blocks have no expand) —
    /// computed in bands of output rows: each thread computes the expanded rows a band's depthwise windows read
    /// into a buffer that stays in its L2 (rows shared with the next band are kept, not recomputed), then the
    /// band's depthwise rows (into a second band buffer when there is a project stage), then the band's projected
    /// rows, so the expanded tensor (6× the block's input) and the depthwise output are never written to memory.
    ///
    /// The values are those of the stages run one after the other, bit for bit: each 1×1 value is the same GEMM
    /// sum (the kernel's sums do not depend on how rows are tiled) through the same output pass (rows numbered as
    /// in the whole output, for PReLU periods and the residual operand), and the depthwise kernel reads the band
    /// as the image (the rows above it as padding it never reaches). Only the project stage's post-ops may hold a
    /// residual `Add` (``PostOp/addTensor(_:)``).
    ///
    /// `passes`, when given, must have been made from these stages and post-ops (``BandPasses``).
    package static func pointwiseDepthwise(input: Tensor, pointwise: PointwiseStage?, pointwisePostOps: [PostOp],
                                           depthwise: DepthwiseStage, depthwisePostOps: [PostOp],
                                           project: PointwiseStage? = nil, projectPostOps: [PostOp] = [],
                                           passes: BandPasses? = nil) throws(TensorError) -> Tensor {
        try bandFused(input: input, expand: pointwise.map { .pointwise($0) }, expandPostOps: pointwisePostOps,
                      depthwise: depthwise, depthwisePostOps: depthwisePostOps, project: project,
                      projectPostOps: projectPostOps, passes: passes)
    }

    /// ``pointwiseDepthwise(input:pointwise:pointwisePostOps:depthwise:depthwisePostOps:project:projectPostOps:passes:)``
    /// with any expand stage: a 1×1 convolution, or a stem's convolution (``ConvolutionStage``), whose output rows
    /// a band's windows read are made from a zero-padded copy of the input (made once per call).
    package static func bandFused(input: Tensor, expand: ExpandStage?, expandPostOps: [PostOp],
                                  depthwise: DepthwiseStage, depthwisePostOps: [PostOp],
                                  project: PointwiseStage? = nil, projectPostOps: [PostOp] = [],
                                  passes: BandPasses? = nil) throws(TensorError) -> Tensor {
        let op = "pointwiseDepthwise"
        let stages = { () throws(TensorError) -> Tensor in
            var mid = input
            switch expand {
            case .pointwise(let stage)?:
                mid = try conv2d(input: input, kernel: stage.operand, bias: stage.bias, activation: stage.activation,
                                 postOps: expandPostOps)
            case .convolution(let stage)?:
                mid = try stage.run(input, postOps: expandPostOps)
            case nil:
                break
            }
            let dw = try depthwiseConv2d(input: mid, kernel: depthwise.kernel, bias: depthwise.bias,
                                         strides: depthwise.strides, padding: depthwise.padding,
                                         dilation: depthwise.dilation, zeroPadding: depthwise.zeroPadding,
                                         activation: depthwise.activation, postOps: depthwisePostOps)
            guard let project else { return dw }
            return try conv2d(input: dw, kernel: project.operand, bias: project.bias, activation: project.activation,
                              postOps: projectPostOps)
        }
        func isAdd(_ p: PostOp) -> Bool { if case .addTensor = p { true } else { false } }
        let c = depthwise.kernel.shape[2]
        guard input.rank == 4, expand.map({ $0.packed.n == c }) ?? true,
              project.map({ $0.packed.k == c }) ?? true, expand != nil || project != nil,
              bandFusion, DirectGEMM.kernelsEnabled,
              !(expandPostOps + depthwisePostOps).contains(where: isAdd)
        else { return try stages() }
        let batch = input.shape[0], cin = input.shape[3]
        // The expanded tensor's size (`h` × `w` × `c` per image) and how its rows are made.
        let expander: ExpandRows?
        switch expand {
        case .pointwise(let stage)?:
            guard cin == stage.packed.k else { return try stages() }
            expander = ExpandRows(pointwise: stage, height: input.shape[1], width: input.shape[2])
        case .convolution(let stage)?:
            guard stage.operand.shape[2] == cin,
                  let windows = try stage.windows(batch: batch, height: input.shape[1], width: input.shape[2],
                                                  channels: cin, operation: op)
            else { return try stages() }
            expander = ExpandRows(convolution: stage, windows: windows, channels: cin)
        case nil:
            guard cin == c else { return try stages() }
            expander = nil
        }
        let (h, w) = expander.map { ($0.height, $0.width) } ?? (input.shape[1], input.shape[2])
        /// Calls `body` with the expand stage's source: the input, or a convolution stage's zero-padded copy of it.
        func withSource(_ x: UnsafePointer<Float>, _ body: (UnsafePointer<Float>) -> Void) {
            guard let expander else { return body(x) }
            expander.withSource(x, batch: batch, body)
        }
        let k = depthwise.kernel
        let (rows, cols) = try WindowAxis.pair(operation: op, height: h, width: w, kernel: (k.shape[0], k.shape[1]),
                                               strides: depthwise.strides, dilation: depthwise.dilation,
                                               padding: depthwise.padding, zeroPadding: depthwise.zeroPadding)
        // The tensor that banding keeps out of memory: the expanded one, else the depthwise output.
        let (kept, o1) = expand != nil ? (batch * h).multipliedReportingOverflow(by: w * c)
                                           : (batch * rows.output).multipliedReportingOverflow(by: cols.output * c)
        guard !o1, kept.multipliedReportingOverflow(by: 4).partialValue >= bandFusionMinBytes else {
            return try stages()
        }
        let cout = project?.packed.n ?? c
        try checkPostOps(expandPostOps, columns: c, operation: op)
        try checkPostOps(depthwisePostOps, columns: c, operation: op)
        try checkPostOps(projectPostOps, columns: cout, operation: op)
        let shape = [batch, rows.output, cols.output, cout]
        let count = try Tensor.checkedCount(shape, operation: op)
        try checkPostOpTensors(projectPostOps, count: count, operation: op)
        // Rows of expanded values a band's windows span, and output rows per band.
        let rowFloats = w * c
        let reach = (rows.kernel - 1) * rows.dilation + 1
        let bandRows = max(1, ((bandBytes / 4) / max(rowFloats, 1) - reach) / rows.stride + 1)
        let bufferRows = (bandRows - 1) * rows.stride + reach
        let lines = batch * rows.output
        // Whole images per chunk when there are enough of them (no band starts mid-image), else rows.
        let perImage = batch >= 2 * Parallel.coreCount
        let plan = bandPlanOverride ?? bandPlan(expand: expand != nil, batch: batch, height: h, width: w,
                                                channels: c, outputRows: rows.output, stride: rows.stride,
                                                padBefore: rows.padBefore, reach: reach, cores: Parallel.coreCount)
        if plan == .stages { return try stages() }
        let prepared = passes.flatMap { $0.choices == .current ? $0 : nil }
        assert(prepared.map { $0.postOps.expand == expandPostOps && $0.postOps.depthwise == depthwisePostOps
                              && (projectPostOps.contains(where: isAdd) || $0.postOps.project == projectPostOps) } ?? true,
               "pointwiseDepthwise: passes prepared from other post-ops")
        let expandPass = expand.map { prepared?.expand ?? $0.pass(expandPostOps) }
        let depthwisePass = prepared?.depthwise ?? depthwise.pass(depthwisePostOps)
        let projectPass = project.map {
            (projectPostOps.contains(where: isAdd) ? nil : prepared?.project) ?? $0.pass(projectPostOps)
        }
        let gemmWork = batch * h * w * (expander?.depth ?? 0) * c + lines * cols.output * c * (project == nil ? 0 : cout)
        let dwWork = lines * cols.output * rows.kernel * cols.kernel * c
        let depthwiseRow = Ops.depthwiseRowKernel
        if plan == .wholeExpanded, let expander, let expandPass {
            return Tensor.build(shape: shape, count: count) { out in
                let output = out.baseAddress!
                input.scalars.withUnsafeBufferPointer { xs in
                    k.scalars.withUnsafeBufferPointer { ks in withSource(xs.baseAddress!) { x in
                        let kernel = ks.baseAddress!
                        let pixels = batch * h * w
                        let expanded = alignedFloats(pixels * c)
                        defer { expanded.deallocate() }
                        // Stage 1: the whole expanded tensor as one product, which the GEMM splits across the cores
                        // as it splits any other: at a 7 × 7 image's 49 pixels, by columns (each core reads half
                        // the kernel, where a split by rows has each core read all of it). Against rows split in
                        // 12-pixel units (as before), MobileNetV2's four 7 × 7 blocks took 0.91–0.97× the time
                        // (profile, 4 alternating runs), the whole model 0.991× and 0.993× (400 predictions
                        // alternating the two in one process, 4 and 6 runs) and EfficientNetB0 0.997×; rows split
                        // pixel by pixel measured the same as in 12-pixel units (0.997×).
                        expander.makeAll(x, batch: batch, into: expanded, pass: expandPass)
                        // Stage 2: each core's share of the output pixels: their depthwise rows (a row two shares
                        // meet in is made by both), then their projected rows.
                        let outPixels = lines * cols.output
                        Parallel.forEachChunk(count: project == nil ? lines : outPixels, work: gemmWork + dwWork,
                                              chunksPerCore: 1) { range in
                            let (firstLine, endLine) = project == nil ? (range.lowerBound, range.upperBound)
                                : (range.lowerBound / cols.output, (range.upperBound - 1) / cols.output + 1)
                            let dwBuffer = project == nil ? nil
                                : threadScratch((endLine - firstLine) * cols.output * c, operation: op)
                            for line in firstLine..<endLine {
                                let o = dwBuffer.map { $0 + (line - firstLine) * cols.output * c }
                                    ?? output + line * cols.output * c
                                depthwiseBandRow(expanded + line / rows.output * h * w * c, height: h, top: 0,
                                                 width: w, channels: c, kernel: kernel, rows: rows, cols: cols,
                                                 oh: line % rows.output, out: o, pass: depthwisePass,
                                                 firstRow: line * cols.output, using: depthwiseRow)
                            }
                            if let project, let projectPass, let dwBuffer {
                                project.multiply(dwBuffer + (range.lowerBound - firstLine * cols.output) * c,
                                                 pixels: range.count, into: output + range.lowerBound * cout,
                                                 firstRow: range.lowerBound, pass: projectPass)
                            }
                        }
                    } }
                }
            }
        }
        // Chunks that start mid-image hand each other the expanded rows their windows share (Ops+BandExchange.swift).
        let exchange = expand != nil && !perImage && bandExchange && Parallel.coreCount > 1
            ? HaloExchange(lines: lines, outRows: rows.output, height: h, stride: rows.stride,
                           padBefore: rows.padBefore, reach: reach, rowFloats: rowFloats)
            : nil
        return Tensor.build(shape: shape, count: count) { out in
            let output = out.baseAddress!
            input.scalars.withUnsafeBufferPointer { xs in
                k.scalars.withUnsafeBufferPointer { ks in withSource(xs.baseAddress!) { x in
                    let kernel = ks.baseAddress!
                    /// Expanded rows [r0, r1) of image n into `into`.
                    func makeRows(_ n: Int, _ r0: Int, _ r1: Int, _ into: UnsafeMutablePointer<Float>) {
                        expander!.make(x, n, r0, r1, into: into, pass: expandPass!)
                    }
                    Parallel.forEachChunk(count: perImage ? batch : lines, work: gemmWork + dwWork,
                                          chunksPerCore: perImage ? 4 : bandChunksPerCore) { chunk in
                        let shares = exchange?.chunk(start: chunk.lowerBound, end: chunk.upperBound, make: makeRows)
                        // Both band buffers in this thread's scratch (the expanded rows first, 64-byte aligned).
                        let bufferFloats = expand == nil ? 0 : (bufferRows * rowFloats + 15) / 16 * 16
                        let scratch = threadScratch(bufferFloats + (project == nil ? 0 : bandRows * cols.output * c),
                                                    operation: op)
                        let buffer = scratch
                        let dwBuffer = project == nil ? nil : scratch + bufferFloats
                        var line = perImage ? chunk.lowerBound * rows.output : chunk.lowerBound
                        let end = perImage ? chunk.upperBound * rows.output : chunk.upperBound
                        while line < end {
                            let n = line / rows.output, first = line % rows.output
                            let last = min(rows.output, first + (end - line))
                            /// Output rows [oh, oh1) of image n from `image` (`height` image rows from row `top` on:
                            /// the rows above and below are padding its windows skip), then their project rows.
                            func band(_ image: UnsafePointer<Float>, height: Int, top: Int, _ oh: Int, _ oh1: Int) {
                                let bandFirst = (n * rows.output + oh) * cols.output  // output row index
                                for r in oh..<oh1 {
                                    let o = dwBuffer.map { $0 + (r - oh) * cols.output * c }
                                        ?? output + (n * rows.output + r) * cols.output * c
                                    depthwiseBandRow(image, height: height, top: top, width: w, channels: c,
                                                     kernel: kernel, rows: rows, cols: cols, oh: r, out: o,
                                                     pass: depthwisePass, firstRow: (n * rows.output + r) * cols.output,
                                                     using: depthwiseRow)
                                }
                                // `project!` and `projectPass!` borrow the captured instances, where `if let`
                                // took references to them (counted on every core, for every band).
                                if project != nil, let dwBuffer {
                                    project!.multiply(dwBuffer, pixels: (oh1 - oh) * cols.output,
                                                      into: output + bandFirst * cout, firstRow: bandFirst,
                                                      pass: projectPass!)
                                }
                            }
                            var (lo, hi) = (0, 0)  // the expanded rows in `buffer`
                            var oh = first
                            while oh < last {
                                let oh1 = min(last, oh + bandRows)
                                guard expand != nil else {
                                    // No expand stage: the depthwise rows read the input image itself.
                                    band(x + n * h * w * c, height: h, top: 0, oh, oh1)
                                    oh = oh1
                                    continue
                                }
                                // The image rows the band's windows reach.
                                let needLo = max(0, min(h, oh * rows.stride - rows.padBefore))
                                let needHi = max(needLo, min(h, (oh1 - 1) * rows.stride - rows.padBefore + reach))
                                keepBandRows(buffer, lo: &lo, hi: &hi, from: needLo, rowFloats: rowFloats)
                                if needHi > hi {
                                    if let shares {
                                        shares.fill(n, hi, needHi, into: buffer + (hi - lo) * rowFloats, make: makeRows)
                                    } else {
                                        makeRows(n, hi, needHi, buffer + (hi - lo) * rowFloats)
                                    }
                                    hi = needHi
                                }
                                band(buffer, height: hi - lo, top: lo, oh, oh1)
                                oh = oh1
                            }
                            line += last - first
                        }
                    }
                } }
            }
        }
    }
}

extension Ops.PointwiseStage {
    /// `m` pixels at `a` through the 1×1 product into `c` (``Ops/PackedKernel/multiplyPixels(_:pixels:into:firstRow:pass:)``).
    func multiply(_ a: UnsafePointer<Float>, pixels m: Int, into c: UnsafeMutablePointer<Float>, firstRow: Int,
                  pass: Ops.PreparedPass) {
        packed.multiplyPixels(a, pixels: m, into: c, firstRow: firstRow, pass: pass)
    }
}

extension Ops.PackedKernel {
    /// `m` pixels at `a` (`k` values each) through this kernel as a 1×1 product into `c` (`n` values per pixel), with
    /// `pass` on each finished piece while it is in cache; `firstRow` numbers the first pixel in the whole output (for
    /// the pass's per-row operands: PReLU periods, the residual). Inside a loop split across the cores, on the
    /// calling thread.
    func multiplyPixels(_ a: UnsafePointer<Float>, pixels m: Int, into c: UnsafeMutablePointer<Float>, firstRow: Int,
                        pass: Ops.PreparedPass) {
        DirectGEMM.multiply(a: a, geometry: .pointwise(rows: m, channels: k), m: m, b: self, c: c, ldc: n, pass: pass,
                            firstRow: firstRow)
    }
}

extension Ops {
    /// Output row `oh` of a band-fused block's depthwise stage over `image` (`height` rows of `w` pixels, the
    /// image's row `top` first: the rows above and below are padding its windows skip) into `out`, with `pass` in
    /// the row kernel's registers where it has that form, else run after it (`firstRow`: the row's first pixel in
    /// the whole output).
    static func depthwiseBandRow(_ image: UnsafePointer<Float>, height: Int, top: Int, width w: Int, channels c: Int,
                                 kernel: UnsafePointer<Float>, rows: WindowAxis, cols: WindowAxis, oh: Int,
                                 out: UnsafeMutablePointer<Float>, pass: PreparedPass, firstRow: Int,
                                 using row: DepthwiseRowKernel) {
        let applied = pass.withDepthwiseForm { form, sc, sh in
            row(image, height, w, c, kernel, rows.kernel, cols.kernel, oh, cols.output, rows.stride, cols.stride,
                rows.padBefore + top, cols.padBefore, rows.dilation, cols.dilation, out, form, sc, sh)
            return form > 0
        }
        if !applied { pass.run(out, rows: cols.output, firstRow: firstRow) }
    }

    /// A band buffer holding image rows `[lo, hi)` (`rowFloats` each) made ready for a band that needs rows from
    /// `needLo` on: the rows `[needLo, hi)` it already holds moved to its start, or none kept where `needLo` is not
    /// among them; `lo` becomes `needLo` (and `hi` too when nothing is kept).
    static func keepBandRows(_ buffer: UnsafeMutablePointer<Float>, lo: inout Int, hi: inout Int, from needLo: Int,
                             rowFloats: Int) {
        if needLo >= lo, needLo < hi {
            memmove(buffer, buffer + (needLo - lo) * rowFloats, (hi - needLo) * rowFloats * MemoryLayout<Float>.stride)
            lo = needLo
        } else {
            (lo, hi) = (needLo, needLo)
        }
    }

    /// The most expanded rows (the 1×1 stage's output rows a chunk's depthwise windows read) any of `chunks` equal
    /// chunks of `lines` output rows (flattened `(n, oh)`) computes, each chunk computing every row its windows
    /// reach. Where chunks start mid-image this exceeds a chunk's share of the image rows (the rows two chunks'
    /// windows share are made by both): `pointwiseDepthwise` runs the stages one after the other when it is over
    /// 1.5× the share (a 7×7 image with a 5×5 kernel in two chunks: 6 of its 7 rows in one chunk).
    static func busiestChunkExpandedRows(lines: Int, chunks: Int, outRows: Int, height h: Int, stride: Int,
                                         padBefore: Int, reach: Int) -> Int {
        guard chunks > 0, outRows > 0 else { return 0 }
        var busiest = 0
        for i in 0..<chunks {
            var line = lines * i / chunks, rows = 0
            let end = lines * (i + 1) / chunks
            while line < end {
                let first = line % outRows, last = min(outRows, first + (end - line))
                let lo = max(0, min(h, first * stride - padBefore))
                rows += max(lo, min(h, (last - 1) * stride - padBefore + reach)) - lo
                line += last - first
            }
            busiest = max(busiest, rows)
        }
        return busiest
    }
}

extension DirectGEMM.Geometry {
    /// `rows` pixels of a 1×1 convolution over `channels` contiguous channels: one segment per row, as the
    /// convolution path builds it (``Ops/convolveDirect(input:batch:channels:kernel:filters:rows:cols:output:pass:)``),
    /// so each sum takes its terms in the same order (the narrow kernel's order depends on the segments).
    static func pointwise(rows: Int, channels: Int) -> Self {
        Self(outH: 1, outW: rows, imageStride: 0, rowStride: 0, colStride: channels, segmentOffsets: [],
             segmentLengths: [], run: channels)
    }
}

extension Ops {
    /// A per-image channel scale (Keras `Multiply` of a `[batch, h, w, c]` tensor by a `[batch, 1, 1, c]` one:
    /// EfficientNet's and MobileNetV3's squeeze-and-excitation) and the 1×1 convolution reading its product (with
    /// `postOps`, which may hold a residual `Add`), computed in blocks of pixel rows: each block's product (with
    /// the denormal flush a layer boundary does) is made in a buffer that stays in the core's cache and multiplied
    /// by the kernel from there, so the product tensor is never written to memory. The values are those of the
    /// `Multiply` (each `x·s` one rounding, flushed) and then the convolution, bit for bit.
    package static func scaledPointwise(input: Tensor, scale: Tensor, project: PointwiseStage,
                                        postOps: [PostOp]) throws(TensorError) -> Tensor {
        let op = "scaledPointwise"
        let channelScale = input.rank == 4 && scale.rank == 4 && scale.shape[0] == input.shape[0]
            && scale.shape[1] == 1 && scale.shape[2] == 1 && scale.shape[3] == input.shape[3]
        let stages = { () throws(TensorError) -> Tensor in
            var product: Tensor
            if channelScale, DirectGEMM.kernelsEnabled {
                // The same values as the `Multiply` and the flush below, in one vectorised pass per image (the
                // general broadcast took 4 % of MobileNetV3Small's samples at 96 × 96, where these stay unfused).
                let (pixels, c) = (input.shape[1] * input.shape[2], input.shape[3])
                product = Tensor.build(shape: input.shape, count: input.count) { out in
                    input.scalars.withUnsafeBufferPointer { xs in
                        scale.scalars.withUnsafeBufferPointer { ss in
                            for n in 0..<input.shape[0] where pixels * c > 0 {
                                kp_mul_rows_flush(out.baseAddress! + n * pixels * c, xs.baseAddress! + n * pixels * c,
                                                  ss.baseAddress! + n * c, pixels, c)
                            }
                        }
                    }
                }
            } else {
                product = try multiply(lhs: input, rhs: scale)
                product.scalars.withUnsafeMutableBufferPointer { p in
                    if let base = p.baseAddress { flushDenormals(base, count: p.count, toPositiveZero: false) }
                }
            }
            return try conv2d(input: product, kernel: project.operand, bias: project.bias,
                              activation: project.activation, postOps: postOps)
        }
        guard channelScale, project.packed.k == input.shape[3], bandFusion, DirectGEMM.kernelsEnabled,
              input.count.multipliedReportingOverflow(by: 4).partialValue >= bandFusionMinBytes
        else { return try stages() }
        let (batch, pixels, c, cout) = (input.shape[0], input.shape[1] * input.shape[2], input.shape[3], project.packed.n)
        try checkPostOps(postOps, columns: cout, operation: op)
        let shape = [batch, input.shape[1], input.shape[2], cout]
        let count = try Tensor.checkedCount(shape, operation: op)
        try checkPostOpTensors(postOps, count: count, operation: op)
        // Pixels per block: the block's product within a core's cache, and enough rows to reuse each kernel value;
        // then blocks of equal size, as many in all as a multiple of the cores. (A 14×14×672 image in blocks of
        // 97, 97 and 2 pixels took as long on two cores as on one: EfficientNetB0 batch 1 on two cores 0.980× the
        // time with blocks of 49, 8 paired rounds; block5b's step 0.294 → 0.158 ms.)
        let largest = min(pixels, max(48, (bandBytes / 4) / max(c, 1)))
        var blocksPerImage = (pixels + largest - 1) / largest
        let cores = Parallel.coreCount
        if batch * blocksPerImage % cores != 0 {
            let total = (batch * blocksPerImage + cores - 1) / cores * cores
            blocksPerImage = max(blocksPerImage, (total + batch - 1) / batch)
        }
        let blockPixels = (pixels + blocksPerImage - 1) / blocksPerImage
        blocksPerImage = (pixels + blockPixels - 1) / blockPixels
        let pass = project.pass(postOps)
        return Tensor.build(shape: shape, count: count) { out in
            let output = out.baseAddress!
            input.scalars.withUnsafeBufferPointer { xs in
                scale.scalars.withUnsafeBufferPointer { ss in
                    let x = xs.baseAddress!, s = ss.baseAddress!
                    Parallel.forEachChunk(count: batch * blocksPerImage, work: batch * pixels * c * (cout + 1)) { blocks in
                        let buffer = threadScratch(blockPixels * c, operation: "scaledPointwise")
                        for block in blocks {
                            let n = block / blocksPerImage, p0 = (block % blocksPerImage) * blockPixels
                            let m = min(blockPixels, pixels - p0), first = n * pixels + p0
                            let scales = s + n * c
                            // The scale, then the flush (the `Multiply` layer's and the stages' values), in one pass.
                            kp_mul_rows_flush(buffer, x + first * c, scales, m, c)
                            project.multiply(buffer, pixels: m, into: output + first * cout, firstRow: first, pass: pass)
                        }
                    }
                }
            }
        }
    }
}
