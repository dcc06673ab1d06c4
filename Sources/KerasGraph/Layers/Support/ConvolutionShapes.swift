extension Layer {
    /// Checks a window layer's per-axis settings: `rank` values each, all ≥ 1 (`padding` values may be 0).
    func validateWindow(kernel: [Int], kernelKey: String = "kernel_size", strides: [Int], dilation: [Int]? = nil,
                        rank: Int) throws {
        try requireCount(kernel, rank, kernelKey)
        try requireCount(strides, rank, "strides")
        try requireAll(kernel, atLeast: 1, kernelKey)
        try requireAll(strides, atLeast: 1, "strides")
        if let dilation {
            try requireCount(dilation, rank, "dilation_rate")
            try requireAll(dilation, atLeast: 1, "dilation_rate")
        }
    }

    /// The output shape of a convolution with `filters` output channels (`nil` filters keeps the channel count,
    /// as for depthwise), computed as Keras' `compute_conv_output_shape`.
    /// - Throws: ``GraphError`` naming the layer for a wrong rank or a `valid` output of size ≤ 0.
    func convolutionOutputShape(input: Shape, rank: Int, outputChannels: Int?, kernel: [Int], strides: [Int],
                                dilation: [Int], padding: Padding, dataFormat: DataFormat) throws -> Shape {
        try validateWindow(kernel: kernel, strides: strides, dilation: dilation, rank: rank)
        let layout = try spatialLayout(input, spatialRank: rank, dataFormat: dataFormat)
        var spatial: [Int?] = []
        for i in 0..<rank {
            let n = WindowArithmetic.convolution(layout.spatial[i], kernel: kernel[i], stride: strides[i],
                                                 dilation: dilation[i], padding: padding)
            if let n, n <= 0 {
                throw inputError("the output would have size \(n) on spatial axis \(i + 1) for input \(input.kerasDescription) "
                                 + "with kernel_size \(kernel), strides \(strides), dilation_rate \(dilation) and padding `\(padding.rawValue)`")
            }
            spatial.append(n)
        }
        return layout.shape(spatial: spatial, channels: outputChannels ?? layout.channels)
    }

    /// The output shape of a pooling window, computed as Keras' `compute_pooling_output_shape`.
    func poolingOutputShape(input: Shape, rank: Int, poolSize: [Int], strides: [Int], padding: Padding,
                            dataFormat: DataFormat) throws -> Shape {
        try validateWindow(kernel: poolSize, kernelKey: "pool_size", strides: strides, rank: rank)
        guard padding != .causal else { throw configError("`padding` must be `valid` or `same`, got `causal`") }
        let layout = try spatialLayout(input, spatialRank: rank, dataFormat: dataFormat)
        var spatial: [Int?] = []
        for i in 0..<rank {
            let n = WindowArithmetic.pooling(layout.spatial[i], pool: poolSize[i], stride: strides[i], padding: padding)
            if let n, n <= 0 {
                throw inputError("the output would have size \(n) on spatial axis \(i + 1) for input \(input.kerasDescription) "
                                 + "with pool_size \(poolSize), strides \(strides) and padding `\(padding.rawValue)`")
            }
            spatial.append(n)
        }
        return layout.shape(spatial: spatial, channels: layout.channels)
    }

    /// The output shape of a global pooling layer: spatial axes removed, or kept as 1 with `keepdims`.
    func globalPoolingOutputShape(input: Shape, rank: Int, dataFormat: DataFormat, keepDims: Bool) throws -> Shape {
        let layout = try spatialLayout(input, spatialRank: rank, dataFormat: dataFormat)
        if keepDims { return layout.shape(spatial: Array(repeating: 1, count: rank), channels: layout.channels) }
        return [layout.batch, layout.channels]
    }

    /// Checks the usual convolution constraints (Keras `BaseConv.__init__`): positive filters, groups dividing
    /// filters, and no strides > 1 together with dilation > 1.
    func validateConvolution(filters: Int, groups: Int, strides: [Int], dilation: [Int]) throws {
        guard filters > 0 else { throw configError("`filters` must be positive, got \(filters)") }
        guard groups > 0 else { throw configError("`groups` must be positive, got \(groups)") }
        guard filters % groups == 0 else {
            throw configError("`filters` (\(filters)) must be divisible by `groups` (\(groups))")
        }
        if strides.contains(where: { $0 > 1 }) && dilation.contains(where: { $0 > 1 }) {
            throw configError("`strides` > 1 is not supported together with `dilation_rate` > 1 "
                              + "(strides \(strides), dilation_rate \(dilation))")
        }
    }

    /// The output shape of a transposed convolution with `filters` output channels, computed as Keras'
    /// `compute_conv_transpose_output_shape` (checks the settings and `output_padding` < `strides` first).
    func transposedConvolutionOutputShape(input: Shape, rank: Int, filters: Int, kernel: [Int], strides: [Int],
                                          dilation: [Int], padding: Padding, outputPadding: [Int]?,
                                          dataFormat: DataFormat) throws -> Shape {
        try validateConvolution(filters: filters, groups: 1, strides: strides, dilation: dilation)
        try validateWindow(kernel: kernel, strides: strides, dilation: dilation, rank: rank)
        guard padding != .causal else { throw configError("`padding` must be `valid` or `same`, got `causal`") }
        if let op = outputPadding {
            try requireCount(op, rank, "output_padding")
            for (p, s) in zip(op, strides) where p < 0 || p >= s {
                throw configError("`output_padding` \(op) must be >= 0 and less than `strides` \(strides)")
            }
        }
        let layout = try spatialLayout(input, spatialRank: rank, dataFormat: dataFormat)
        let spatial = (0..<rank).map { i in
            WindowArithmetic.transposed(layout.spatial[i], kernel: kernel[i], stride: strides[i],
                                        dilation: dilation[i], padding: padding, outputPadding: outputPadding?[i])
        }
        return layout.shape(spatial: spatial, channels: filters)
    }

    /// The weights of a transposed convolution: `kernel` (kernel…, filters, in) and an optional `bias` (filters).
    func transposedConvolutionWeightSpecs(input: Shape, rank: Int, filters: Int, kernel: [Int], useBias: Bool,
                                          dataFormat: DataFormat) throws -> [WeightSpec] {
        let channels = try knownChannels(try spatialLayout(input, spatialRank: rank, dataFormat: dataFormat), input: input)
        var specs = [WeightSpec(name: "kernel", shape: kernel + [filters, channels])]
        if useBias { specs.append(WeightSpec(name: "bias", shape: [filters])) }
        return specs
    }
}
