extension Ops {
    /// A channels-last convolution of one group with its kernel packed, other than a 1×1 stride-1 one, as the first
    /// stage of a band-fused block: a network's stem before its first depthwise convolution (MobileNet's,
    /// MobileNetV2's, MobileNetV3's and EfficientNet's 3×3 stride-2 `Conv2D`). A band's rows of its output are made
    /// by the direct GEMM from a zero-padded copy of the input, as
    /// ``conv2d(input:kernel:bias:strides:padding:dilation:groups:zeroPadding:activation:postOps:winograd:)`` makes
    /// them (the same segments and output pass, so the same values bit for bit), and never go to memory.
    package final class ConvolutionStage: Sendable {
        let operand: KernelOperand
        let packed: PackedKernel
        let bias: Tensor?
        let activation: Activation
        let strides: (Int, Int), padding: Padding, dilation: (Int, Int)
        let zeroPadding: ((Int, Int), (Int, Int))

        /// The stage, or `nil` when `kernel` is not `[kh, kw, in, out]` held packed, the activation is not
        /// element-wise or the padding is causal. A layer that may run through Winograd's algorithm (3×3, stride 1)
        /// must not be made a stage: the stage's values are the direct product's.
        package init?(kernel: KernelOperand, bias: Tensor?, activation: Activation, strides: (Int, Int),
                      padding: Padding, dilation: (Int, Int), zeroPadding: ((Int, Int), (Int, Int))) {
            let shape = kernel.shape
            guard shape.count == 4, let packed = kernel.packed, packed.k == shape[0] * shape[1] * shape[2],
                  packed.n == shape[3], activation.isElementwise, padding != .causal,
                  bias.map({ $0.count == shape[3] }) ?? true else { return nil }
            (operand, self.packed, self.bias, self.activation) = (kernel, packed, bias, activation)
            (self.strides, self.padding, self.dilation, self.zeroPadding) = (strides, padding, dilation, zeroPadding)
        }

        /// The stage's output pass: its bias, its activation, then `postOps`.
        func pass(_ postOps: [PostOp]) -> PreparedPass {
            PreparedPass(bias: bias, activation: activation, postOps: postOps, columns: packed.n)
        }

        /// The stage's windows over an input of `height` × `width` pixels, or `nil` where `conv2d` would not run it
        /// as one direct product of the whole kernel (kernel rows or columns that only meet padding are cut
        /// there; the direct kernel is not in use; the padded copy would be too large): it then runs as a layer.
        func windows(batch: Int, height: Int, width: Int, channels: Int,
                     operation: String) throws(TensorError) -> (rows: WindowAxis, cols: WindowAxis)? {
            let shape = operand.shape
            let (rows, cols) = try WindowAxis.pair(operation: operation, height: height, width: width,
                                                   kernel: (shape[0], shape[1]), strides: strides, dilation: dilation,
                                                   padding: padding, zeroPadding: zeroPadding)
            guard rows.reachedTaps.count == rows.kernel, cols.reachedTaps.count == cols.kernel,
                  DirectGEMM.use(columns: packed.n, kernelCount: packed.k * packed.n),
                  paddedInputFits(batch: batch, channels: channels, rows: rows, cols: cols) else { return nil }
            return (rows, cols)
        }

        /// The whole convolution, as a layer of its own.
        func run(_ input: Tensor, postOps: [PostOp]) throws(TensorError) -> Tensor {
            try conv2d(input: input, kernel: operand, bias: bias, strides: strides, padding: padding,
                       dilation: dilation, zeroPadding: zeroPadding, activation: activation, postOps: postOps)
        }
    }

    /// The first stage of a band-fused block: a 1×1 convolution (an inverted-residual block's expand) or another
    /// convolution (``ConvolutionStage``: a stem).
    package enum ExpandStage: Sendable {
        case pointwise(PointwiseStage)
        case convolution(ConvolutionStage)

        var packed: PackedKernel {
            switch self {
            case .pointwise(let s): s.packed
            case .convolution(let s): s.packed
            }
        }

        func pass(_ postOps: [PostOp]) -> PreparedPass {
            switch self {
            case .pointwise(let s): s.pass(postOps)
            case .convolution(let s): s.pass(postOps)
            }
        }
    }

    /// How a band-fused call makes rows of its expand stage's output (the "expanded" tensor, `height` × `width` ×
    /// `packed.n` per image) from its input: through the 1×1 product straight from the input, or through the direct
    /// GEMM from a zero-padded copy of it (made once per call, before the cores start).
    struct ExpandRows {
        let height: Int, width: Int
        /// Multiply-adds per expanded pixel.
        let depth: Int
        let packed: PackedKernel
        /// A convolution stage's windows over the input (`nil` for a 1×1 stage) and the input's channels.
        private let windows: (rows: WindowAxis, cols: WindowAxis)?, channels: Int
        /// The direct GEMM's view of those windows over the padded copy.
        private let geometry: DirectGEMM.Geometry?

        /// A 1×1 stage's rows over an input of `height` × `width` pixels.
        init(pointwise stage: PointwiseStage, height: Int, width: Int) {
            (self.height, self.width, depth, packed) = (height, width, stage.packed.k, stage.packed)
            (windows, channels, geometry) = (nil, stage.packed.k, nil)
        }

        /// A convolution stage's rows through `windows` (``ConvolutionStage/windows(batch:height:width:channels:operation:)``)
        /// over an input of `channels` channels.
        init(convolution stage: ConvolutionStage, windows: (rows: WindowAxis, cols: WindowAxis), channels: Int) {
            (height, width, depth, packed) = (windows.rows.output, windows.cols.output, stage.packed.k, stage.packed)
            (self.windows, self.channels) = (windows, channels)
            geometry = Ops.directGeometry(rows: windows.rows, cols: windows.cols, paddedHeight: windows.rows.paddedExtent,
                                          paddedWidth: windows.cols.paddedExtent, channels: channels)
        }

        /// Calls `body` with the rows' source for `batch` images at `input`: the input itself, or a convolution
        /// stage's zero-padded copy of it.
        func withSource(_ input: UnsafePointer<Float>, batch: Int, _ body: (UnsafePointer<Float>) -> Void) {
            guard let windows else { return body(input) }
            _ = withPaddedInput(input, batch: batch, channels: channels, rows: windows.rows, cols: windows.cols) {
                source, _, _ in body(source)
            }
        }

        /// Expanded rows `[r0, r1)` of image `n` from `source` (``withSource(_:batch:_:)``'s) into `into`, through
        /// `pass` (its rows numbered as in the whole expanded tensor).
        func make(_ source: UnsafePointer<Float>, _ n: Int, _ r0: Int, _ r1: Int, into: UnsafeMutablePointer<Float>,
                  pass: PreparedPass) {
            let firstRow = (n * height + r0) * width
            let m = (r1 - r0) * width
            if var g = geometry {
                g.outH = r1 - r0
                DirectGEMM.multiply(a: source + n * g.imageStride + r0 * g.rowStride, geometry: g, m: m, b: packed,
                                    c: into, ldc: packed.n, pass: pass, firstRow: firstRow)
            } else {
                packed.multiplyPixels(source + firstRow * packed.k, pixels: m, into: into, firstRow: firstRow, pass: pass)
            }
        }

        /// The whole expanded tensor of `batch` images from `source` into `into`: one product, which the GEMM splits
        /// across the cores as it splits any other.
        func makeAll(_ source: UnsafePointer<Float>, batch: Int, into: UnsafeMutablePointer<Float>,
                     pass: PreparedPass) {
            if let geometry {
                DirectGEMM.multiply(a: source, geometry: geometry, m: batch * height * width, b: packed, c: into,
                                    ldc: packed.n, pass: pass, firstRow: 0)
            } else {
                make(source, 0, 0, batch * height, into: into, pass: pass)
            }
        }
    }
}
