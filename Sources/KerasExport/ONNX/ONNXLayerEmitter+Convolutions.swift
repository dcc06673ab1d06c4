import KerasGraph
import ONNXProto
import TensorModule

extension ONNXLayerEmitter {
    // MARK: 1-D and 3-D convolution variants

    /// DepthwiseConv1D as a grouped `Conv` with `group = in`: Keras' `(k, in, mult)` becomes `(in·mult, 1, k)`,
    /// output channel `c·mult + m` from input channel `c` (as the engine); `causal` pads on the left only.
    func depthwise1D(_ l: DepthwiseConv1D, _ c: LayerContext, _ input: ONNXValue) throws -> ONNXValue {
        let y = try depthwiseConvN(l, c, input, kernel: try c.weight(0, l.kernelWeightName),
                                   bias: l.useBias ? try c.weight(1, "bias") : nil)
        return try activation(l.activation.function, spatialOutput(y, l.dataFormat, shape: c.outputShape), c)
    }

    /// SeparableConv1D: the depthwise `Conv` (strides, dilation and padding, `causal` included), then a kernel-1
    /// `Conv` with the bias and the activation.
    func separable1D(_ l: SeparableConv1D, _ c: LayerContext, _ input: ONNXValue) throws -> ONNXValue {
        let depth = try depthwiseConvN(l, c, input, kernel: try c.weight(0, "depthwise_kernel"), bias: nil)
        let (wShape, wValues) = convKernel(try c.weight(1, "pointwise_kernel"))
        var inputs = [depth, b.constant(wValues, shape: wShape, scope: c.scope, hint: "W")]
        if l.useBias { inputs.append(b.constant(try c.weight(2, "bias").scalars, shape: [l.filters], scope: c.scope, hint: "B")) }
        let y = b.op("Conv", inputs, scope: c.scope, [b.attr("kernel_shape", ints: [1])])
        return try activation(l.activation.function, spatialOutput(y, l.dataFormat, shape: c.outputShape), c)
    }

    /// A depthwise `Conv` of `l`'s window, of any spatial rank (kernel `(k…, in, mult)` → `(in·mult, 1, k…)`,
    /// `group = in`); returns the channels-first output name.
    func depthwiseConvN(_ l: some ConvolutionGeometry, _ c: LayerContext, _ input: ONNXValue, kernel: Tensor,
                        bias: Tensor?) throws -> String {
        let n = kernel.rank - 2
        guard n >= 1, input.rank == n + 2, l.kernelSize.count == n else {
            throw c.error("kernel \(kernel.shape) does not fit input \(input.shape.kerasDescription)")
        }
        let x = spatialInput(input, l.dataFormat)
        let (channels, multiplier) = (kernel.shape[n], kernel.shape[n + 1])
        let (_, values) = permute(kernel.scalars, shape: kernel.shape, perm: [n, n + 1] + Array(0..<n))
        var inputs = [x.name, b.constant(values, shape: [channels * multiplier, 1] + Array(kernel.shape[0..<n]),
                                         scope: c.scope, hint: "W")]
        if let bias { inputs.append(b.constant(bias.scalars, shape: [bias.count], scope: c.scope, hint: "B")) }
        return b.op("Conv", inputs, scope: c.scope, try convolutionAttributes(l, input: input, group: channels, c))
    }

    /// Conv1DTranspose / Conv2DTranspose / Conv3DTranspose as `ConvTranspose`: kernel `(k…, out, in)` →
    /// `(in, out, k…)`; the crop TensorFlow makes (`total = (in−1)·s + k_eff − out`, the extra pixel at the end) as
    /// explicit `pads`, or `output_padding` when Keras' output is larger than the full transposed convolution.
    func transposedConvolutionN(_ l: some TransposedConvolutionGeometry, _ c: LayerContext,
                                _ input: ONNXValue) throws -> ONNXValue {
        let (n, filters, kernelSize, strides, dilation) = (l.spatialRank, l.filters, l.kernelSize, l.strides, l.dilationRate)
        let (padding, outputPadding, dataFormat) = (l.padding, l.outputPadding, l.dataFormat)
        guard input.rank == n + 2 else { throw c.error("expected a rank-\(n + 2) input, got \(input.shape.kerasDescription)") }
        guard kernelSize.count == n, strides.count == n, dilation.count == n, outputPadding.map({ $0.count == n }) ?? true else {
            throw c.error("kernel_size \(kernelSize), strides \(strides), dilation_rate \(dilation) and output_padding do not all have \(n) values")
        }
        let x = spatialInput(input, dataFormat)
        let kernel = try c.weight(0, "kernel")
        guard kernel.rank == n + 2 else { throw c.error("kernel \(kernel.shape) is not of rank \(n + 2)") }
        let (wShape, wValues) = permute(kernel.scalars, shape: kernel.shape, perm: [n + 1, n] + Array(0..<n))
        var inputs = [x.name, b.constant(wValues, shape: wShape, scope: c.scope, hint: "W")]
        if l.useBias { inputs.append(b.constant(try c.weight(1, "bias").scalars, shape: [filters], scope: c.scope, hint: "B")) }
        let inSizes = spatialSizes(input.shape, dataFormat), outSizes = spatialSizes(c.outputShape, dataFormat)
        var begins: [Int] = [], ends: [Int] = [], extra: [Int] = []
        for i in 0..<n {
            let effective = (kernelSize[i] - 1) * dilation[i] + 1
            // The crop does not depend on the input size (Keras' output length is linear in it with slope `stride`),
            // so an unknown size (`None`) is computed for a stand-in size.
            let size: Int, out: Int
            if let known = inSizes[i], let o = outSizes[i] {
                (size, out) = (known, o)
            } else {
                size = 4
                out = try transposedOutputLength(size, effective: effective, stride: strides[i], padding: padding,
                                                 outputPadding: outputPadding?[i], c)
            }
            let total = (size - 1) * strides[i] + effective - out
            if total >= 0 {
                begins.append(total / 2)
                ends.append(total - total / 2)
                extra.append(0)
            } else {
                begins.append(0)
                ends.append(0)
                extra.append(-total)
            }
        }
        var attributes = [b.attr("kernel_shape", ints: kernelSize), b.attr("strides", ints: strides),
                          b.attr("dilations", ints: dilation), b.attr("pads", ints: begins + ends)]
        if extra.contains(where: { $0 != 0 }) { attributes.append(b.attr("output_padding", ints: extra)) }
        let y = b.op("ConvTranspose", inputs, scope: c.scope, attributes)
        return try activation(l.activation.function, spatialOutput(y, dataFormat, shape: c.outputShape), c)
    }
}
