extension Ops {
    /// Keras `Conv3D` on `NDHWC` input, as a sum over the kernel's depth taps of 2-D convolutions (the
    /// ``conv2d(input:kernel:bias:strides:padding:dilation:groups:zeroPadding:activation:postOps:packedKernel:)``
    /// kernel): for depth tap `i`, every output depth `od` reads input depth `od·stride − padBefore + i·dilation`
    /// (zeros outside the input), and the 2-D convolution of those slices with `kernel[i]` is added to the output.
    ///
    /// - Parameters:
    ///   - input: `[batch, depth, height, width, channels]`.
    ///   - kernel: `[kd, kh, kw, channels / groups, filters]` (Keras layout).
    ///   - bias: `[filters]`, or `nil`.
    ///   - strides, dilation: `(depth, height, width)`, ≥ 1.
    ///   - padding: `.valid` or `.same` (TensorFlow semantics on every axis).
    ///   - groups: channel groups.
    /// - Returns: `[batch, outDepth, outHeight, outWidth, filters]`.
    /// - Throws: ``TensorError`` for rank, channel, group, bias or window mismatches.
    package static func conv3d(input: Tensor, kernel: Tensor, bias: Tensor? = nil, strides: (Int, Int, Int) = (1, 1, 1),
                              padding: Padding = .valid, dilation: (Int, Int, Int) = (1, 1, 1), groups: Int = 1,
                              activation: Activation = .linear) throws(TensorError) -> Tensor {
        let op = "conv3d"
        guard input.rank == 5 else { throw .shape(op, "input \(input.shape) must be [batch, depth, height, width, channels]") }
        guard kernel.rank == 5 else { throw .shape(op, "kernel \(kernel.shape) must be [kd, kh, kw, in/groups, out]") }
        guard padding != .causal else { throw .argument(op, "padding causal is only defined for Conv1D") }
        let (n, d, h, w, c) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3], input.shape[4])
        let filters = kernel.shape[4]
        try checkBias(bias, channels: filters, operation: op)
        let depth = try WindowAxis.make(operation: op, axisName: "depth", input: d, kernel: kernel.shape[0],
                                        stride: strides.0, dilation: dilation.0, padding: padding)
        let tap = Array(kernel.shape[1...])
        let tapCount = try Tensor.checkedCount(tap, operation: op)
        let sliceCount = h * w * c
        var output: Tensor? = nil
        for i in 0..<depth.kernel {
            // The input depth slices tap i reads, one per (batch, output depth), zeros outside the input.
            let slices = try Tensor.checkedCount([n * depth.output, h, w, c], operation: op)
            var gathered = [Float](repeating: 0, count: slices)
            var any = false
            input.scalars.withUnsafeBufferPointer { x in
                gathered.withUnsafeMutableBufferPointer { g in
                    for b in 0..<n {
                        for od in 0..<depth.output {
                            let id = od * depth.stride - depth.padBefore + i * depth.dilation
                            guard id >= 0, id < d else { continue }
                            any = true
                            let dst = g.baseAddress! + (b * depth.output + od) * sliceCount
                            dst.update(from: x.baseAddress! + (b * d + id) * sliceCount, count: sliceCount)
                        }
                    }
                }
            }
            if !any && output != nil { continue }
            let k = Tensor(unchecked: tap, scalars: Array(kernel.scalars[(i * tapCount)..<((i + 1) * tapCount)]))
            let part = try conv2d(input: Tensor(unchecked: [n * depth.output, h, w, c], scalars: gathered), kernel: k,
                                  strides: (strides.1, strides.2), padding: padding,
                                  dilation: (dilation.1, dilation.2), groups: groups)
            if output == nil {
                output = part
            } else {
                output!.scalars.withUnsafeMutableBufferPointer { o in
                    part.scalars.withUnsafeBufferPointer { p in addInPlace(o.baseAddress!, p.baseAddress!, p.count) }
                }
            }
        }
        guard var y = output else { throw .shape(op, "kernel \(kernel.shape) has no depth taps") }
        let (oh, ow) = (y.shape[1], y.shape[2])
        y = Tensor(unchecked: [n, depth.output, oh, ow, filters], scalars: y.scalars)
        try finishConvolution3D(&y, filters: filters, bias: bias, activation: activation)
        return y
    }

    /// Keras `Conv3DTranspose` on `NDHWC` input, as 2-D transposed convolutions per depth tap scattered along the
    /// depth axis: input depth `id` and tap `i` land on output depth `id·stride − padBefore + i·dilation`, with
    /// Keras' output lengths and TensorFlow's placement padding on every axis (as
    /// ``conv2dTranspose(input:kernel:bias:strides:padding:outputPadding:dilation:activation:)``).
    ///
    /// - Parameters:
    ///   - input: `[batch, depth, height, width, inChannels]`.
    ///   - kernel: `[kd, kh, kw, filters, inChannels]` (output channels before input channels).
    ///   - outputPadding: Keras `output_padding` per axis, or `nil`.
    /// - Returns: `[batch, outDepth, outHeight, outWidth, filters]`.
    /// - Throws: ``TensorError`` for shape mismatches or an inconsistent output padding.
    package static func conv3dTranspose(input: Tensor, kernel: Tensor, bias: Tensor? = nil,
                                       strides: (Int, Int, Int) = (1, 1, 1), padding: Padding = .valid,
                                       outputPadding: (Int, Int, Int)? = nil, dilation: (Int, Int, Int) = (1, 1, 1),
                                       activation: Activation = .linear) throws(TensorError) -> Tensor {
        try conv3dTranspose(input: input, kernel: kernel,
                            depthTaps: transposedDepthTaps(kernel, strides: strides, dilation: dilation), bias: bias,
                            strides: strides, padding: padding, outputPadding: outputPadding, dilation: dilation,
                            activation: activation)
    }

    /// Conv3DTranspose's kernel as its 2-D transposed convolutions take it: one ``TransposedKernel`` per depth tap
    /// (`[kh, kw, filters, in]`, packed for the direct kernel where it runs), made once where a compiled layer keeps
    /// them; empty unless `kernel` has rank 5.
    package static func transposedDepthTaps(_ kernel: Tensor, strides: (Int, Int, Int),
                                            dilation: (Int, Int, Int)) -> [TransposedKernel] {
        let tap = Array(kernel.shape.dropFirst())
        guard kernel.rank == 5, let tapCount = try? Tensor.checkedCount(tap, operation: "conv3dTranspose") else {
            return []
        }
        return (0..<kernel.shape[0]).map { i in
            TransposedKernel(Tensor(unchecked: tap, scalars: Array(kernel.scalars[(i * tapCount)..<((i + 1) * tapCount)])),
                             strides: (strides.1, strides.2), dilation: (dilation.1, dilation.2))
        }
    }

    /// ``conv3dTranspose(input:kernel:bias:strides:padding:outputPadding:dilation:activation:)`` with its depth taps'
    /// kernels as ``transposedDepthTaps(_:strides:dilation:)`` makes them (a compiled layer makes them once).
    package static func conv3dTranspose(input: Tensor, kernel: Tensor, depthTaps: [TransposedKernel],
                                       bias: Tensor? = nil, strides: (Int, Int, Int) = (1, 1, 1),
                                       padding: Padding = .valid, outputPadding: (Int, Int, Int)? = nil,
                                       dilation: (Int, Int, Int) = (1, 1, 1),
                                       activation: Activation = .linear) throws(TensorError) -> Tensor {
        let op = "conv3dTranspose"
        guard input.rank == 5 else { throw .shape(op, "input \(input.shape) must be [batch, depth, height, width, channels]") }
        guard kernel.rank == 5 else { throw .shape(op, "kernel \(kernel.shape) must be [kd, kh, kw, out, in]") }
        _ = try Tensor.checkedCount(Array(kernel.shape[1...]), operation: op)
        guard depthTaps.count == kernel.shape[0] else {
            throw .shape(op, "kernel \(kernel.shape) has \(kernel.shape[0]) depth taps, given \(depthTaps.count) prepared kernels")
        }
        let (n, d, h, w, c) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3], input.shape[4])
        let filters = kernel.shape[3]
        try checkBias(bias, channels: filters, operation: op)
        // The forward convolution of the depth axis: `input` is the transposed output depth.
        let depth = try transposedAxis(op, "depth", input: d, kernel: kernel.shape[0], stride: strides.0,
                                       dilation: dilation.0, padding: padding, outputPadding: outputPadding?.0)
        let flat = Tensor(unchecked: [n * d, h, w, c], scalars: input.scalars)
        var output: [Float] = []
        var plane = 0, outShape: [Int] = []
        for i in 0..<depth.kernel {
            let part = try conv2dTranspose(input: flat, kernel: depthTaps[i], strides: (strides.1, strides.2),
                                           padding: padding,
                                           outputPadding: outputPadding.map { ($0.1, $0.2) },
                                           dilation: (dilation.1, dilation.2))
            if output.isEmpty {
                plane = part.shape[1] * part.shape[2] * filters
                outShape = [n, depth.input, part.shape[1], part.shape[2], filters]
                output = [Float](repeating: 0, count: try Tensor.checkedCount(outShape, operation: op))
            }
            output.withUnsafeMutableBufferPointer { o in
                part.scalars.withUnsafeBufferPointer { p in
                    for b in 0..<n {
                        for id in 0..<d {
                            let od = id * depth.stride - depth.padBefore + i * depth.dilation
                            guard od >= 0, od < depth.input else { continue }
                            addInPlace(o.baseAddress! + (b * depth.input + od) * plane,
                                       p.baseAddress! + (b * d + id) * plane, plane)
                        }
                    }
                }
            }
        }
        guard !outShape.isEmpty else { throw .shape(op, "kernel \(kernel.shape) has no depth taps") }
        var y = Tensor(unchecked: outShape, scalars: output)
        try finishConvolution3D(&y, filters: filters, bias: bias, activation: activation)
        return y
    }

    /// Bias and activation over a finished `[…, filters]` output.
    private static func finishConvolution3D(_ y: inout Tensor, filters: Int, bias: Tensor?,
                                            activation: Activation) throws(TensorError) {
        let rows = y.scalars.count / max(filters, 1)
        guard rows > 0 else { return }
        y.scalars.withUnsafeMutableBufferPointer { o in
            epilogue(o.baseAddress!, rows: rows, columns: filters, bias: bias,
                     activation: activation.isElementwise ? activation : .linear)
        }
        if !activation.isElementwise { try applyActivation(activation, to: &y) }
    }
}
