/// The numeric kernels: static functions over ``Tensor`` values.
///
/// Layout conventions (Keras, channels-last, batch first):
/// - sequences `NLC` = `[batch, steps, channels]`, images `NHWC` = `[batch, height, width, channels]`;
/// - Dense kernel `[in, out]`; Conv1D kernel `[k, in/groups, out]`; Conv2D kernel `[kh, kw, in/groups, out]`;
///   DepthwiseConv2D kernel `[kh, kw, in, depthMultiplier]`; Conv2DTranspose kernel `[kh, kw, out, in]`.
///
/// Every kernel validates shapes first and throws ``TensorError``; none traps on bad shapes.
/// GEMM-shaped work goes to OpenBLAS (`cblas_sgemm`); element-wise work is vectorised and split
/// across cores for large tensors.
///
/// ```swift
/// let y = try Ops.dense(input: x, kernel: w, bias: b, activation: .relu)
/// ```
package enum Ops {
    /// How a sliding window treats the borders (Keras `padding`).
    package enum Padding: String, Sendable, Equatable, CaseIterable {
        /// No padding; windows that do not fit are dropped.
        case valid
        /// Output size `ceil(in / stride)`; `pad_total = max((out - 1)·stride + (k - 1)·dilation + 1 - in, 0)`,
        /// `pad_before = pad_total / 2` (floored), the rest after — exactly as TensorFlow.
        case same
        /// 1-D only: `(k - 1)·dilation` zeros before the sequence, none after (Keras Conv1D `causal`).
        case causal
    }
}

/// Output size and padding of one spatial axis of a sliding window.
struct WindowAxis: Equatable {
    /// The kernel taps a convolution on this axis needs: from the first to the last that some window reaches the
    /// input with (tap `t` of output `o` reads input position `o·stride − padBefore + t·dilation`; the taps outside
    /// only ever read padding, and their products are zeros); all of them (`0..<kernel`) where every tap is reached,
    /// none is, or the cut window would start before the padding (``cut(to:)``).
    var reachedTaps: Range<Int> {
        let all = 0..<kernel
        guard output > 0, input > 0, kernel > 1, stride > 0, dilation > 0 else { return all }
        func reached(_ t: Int) -> Bool {
            // The first output whose position for tap t is ≥ 0, then whether that position is inside the input.
            let start = padBefore - t * dilation
            let o = start <= 0 ? 0 : (start + stride - 1) / stride
            return o < output && o * stride - start < input
        }
        guard let first = all.first(where: reached), let last = all.last(where: reached),
              padBefore - first * dilation >= 0 else { return all }
        return first..<(last + 1)
    }

    /// This axis with only kernel taps `taps` (the same outputs, each reading its first kept tap's position).
    func cut(to taps: Range<Int>) -> WindowAxis {
        var axis = self
        axis.kernel = taps.count
        axis.padBefore -= taps.lowerBound * dilation
        return axis
    }

    var input: Int
    var output: Int
    var padBefore: Int
    var kernel: Int
    var stride: Int
    var dilation: Int

    /// The height and width axes of a 2-D window (a convolution's, a depthwise convolution's) over an input of
    /// `height` × `width` pixels.
    static func pair(operation: String, height: Int, width: Int, kernel: (Int, Int), strides: (Int, Int),
                     dilation: (Int, Int), padding: Ops.Padding,
                     zeroPadding: ((Int, Int), (Int, Int))) throws(TensorError) -> (rows: WindowAxis, cols: WindowAxis) {
        let rows = try make(operation: operation, axisName: "height", input: height, kernel: kernel.0, stride: strides.0,
                            dilation: dilation.0, padding: padding, zeroPadding: zeroPadding.0)
        let cols = try make(operation: operation, axisName: "width", input: width, kernel: kernel.1, stride: strides.1,
                            dilation: dilation.1, padding: padding, zeroPadding: zeroPadding.1)
        return (rows, cols)
    }

    /// The geometry for one axis of an input with `zeroPadding.0` zeros before and `zeroPadding.1` after it
    /// (a folded `ZeroPadding`), `padding` applying to the padded size; the zeros are never materialised: the
    /// axis keeps the unpadded input size and the zeros before it join `padBefore`.
    static func make(operation: String, axisName: String, input: Int, kernel: Int, stride: Int, dilation: Int,
                     padding: Ops.Padding, zeroPadding: (Int, Int)) throws(TensorError) -> WindowAxis {
        if zeroPadding == (0, 0) {
            return try make(operation: operation, axisName: axisName, input: input, kernel: kernel, stride: stride,
                            dilation: dilation, padding: padding)
        }
        guard zeroPadding.0 >= 0, zeroPadding.1 >= 0 else {
            throw .argument(operation, "\(axisName) zero padding \(zeroPadding) must not be negative")
        }
        let (a, o1) = input.addingReportingOverflow(zeroPadding.0)
        let (padded, o2) = a.addingReportingOverflow(zeroPadding.1)
        guard !o1, !o2 else { throw TensorError(.overflow, operation: operation, message: "\(axisName) padded size overflows") }
        var axis = try make(operation: operation, axisName: axisName, input: padded, kernel: kernel, stride: stride,
                            dilation: dilation, padding: padding)
        axis.input = input
        axis.padBefore += zeroPadding.0
        return axis
    }

    /// The TensorFlow geometry for one axis. Throws when arguments are not positive, when
    /// `causal` is used where not allowed, or when a `valid` window does not fit.
    static func make(operation: String, axisName: String, input: Int, kernel: Int, stride: Int,
                     dilation: Int, padding: Ops.Padding, allowCausal: Bool = false) throws(TensorError) -> WindowAxis {
        guard kernel > 0 else { throw .argument(operation, "\(axisName) kernel size \(kernel) must be positive") }
        guard stride > 0 else { throw .argument(operation, "\(axisName) stride \(stride) must be positive") }
        guard dilation > 0 else { throw .argument(operation, "\(axisName) dilation \(dilation) must be positive") }
        let (span, o) = (kernel - 1).multipliedReportingOverflow(by: dilation)
        guard !o, span < Int.max / 2 else { throw TensorError(.overflow, operation: operation, message: "\(axisName) dilated kernel is too large") }
        let effective = span + 1
        switch padding {
        case .valid:
            guard input >= effective else {
                throw .shape(operation, "\(axisName) input size \(input) is smaller than the (dilated) window \(effective) with padding valid")
            }
            return WindowAxis(input: input, output: (input - effective) / stride + 1, padBefore: 0,
                              kernel: kernel, stride: stride, dilation: dilation)
        case .same:
            let out = (input + stride - 1) / stride
            let total = max((out - 1) * stride + effective - input, 0)
            return WindowAxis(input: input, output: out, padBefore: total / 2,
                              kernel: kernel, stride: stride, dilation: dilation)
        case .causal:
            guard allowCausal else { throw .argument(operation, "padding causal is only defined for 1-D operations") }
            let padded = input + effective - 1
            return WindowAxis(input: input, output: (padded - effective) / stride + 1, padBefore: effective - 1,
                              kernel: kernel, stride: stride, dilation: dilation)
        }
    }
}
