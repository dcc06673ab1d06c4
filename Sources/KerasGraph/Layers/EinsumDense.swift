import TensorModule

/// `keras.layers.EinsumDense`: `activation(einsum(equation, x, kernel) + bias)`, the projection transformers use
/// (`"abc,cd->abd"`, `"abc,cde->abde"`, `"abcd,cde->abe"`, `"...b,bc->...c"`, …).
///
/// The kernel's shape follows from the equation, the input shape and ``outputShape`` (the output without the batch
/// axis; `nil` entries take the input's size), exactly as Keras' `_analyze_split_string`; the bias spans the output
/// letters from the first of ``biasAxes`` to the end, with size 1 on letters not in ``biasAxes``.
public struct EinsumDense: Layer {
    public var className: String { "EinsumDense" }
    public var common: LayerCommon
    public var equation: String
    public var outputShape: Shape
    public var biasAxes: String?
    public var activation: Activation
    public var kernelInitializer: KerasObject?
    public var biasInitializer: KerasObject?
    public var kernelRegularizer: KerasObject?
    public var biasRegularizer: KerasObject?
    public var activityRegularizer: KerasObject?
    public var kernelConstraint: KerasObject?
    public var biasConstraint: KerasObject?
    public var weights: [Weight]

    public init(common: LayerCommon, equation: String, outputShape: Shape, biasAxes: String? = nil,
                activation: Activation = .linear, kernelInitializer: KerasObject? = .glorotUniform,
                biasInitializer: KerasObject? = .zeros, kernelRegularizer: KerasObject? = nil,
                biasRegularizer: KerasObject? = nil, activityRegularizer: KerasObject? = nil,
                kernelConstraint: KerasObject? = nil, biasConstraint: KerasObject? = nil, weights: [Weight] = []) {
        self.common = common
        self.equation = equation
        self.outputShape = outputShape
        self.biasAxes = biasAxes
        self.activation = activation
        self.kernelInitializer = kernelInitializer
        self.biasInitializer = biasInitializer
        self.kernelRegularizer = kernelRegularizer
        self.biasRegularizer = biasRegularizer
        self.activityRegularizer = activityRegularizer
        self.kernelConstraint = kernelConstraint
        self.biasConstraint = biasConstraint
        self.weights = weights
    }

    /// The kernel shape, the bias shape (`nil` without `bias_axes`) and the output shape for an input shape.
    public func resolved(input: Shape) throws -> (kernel: [Int], bias: [Int]?, output: Shape) {
        let compact = equation.filter { $0 != " " }
        let sides = compact.split(separator: "->", omittingEmptySubsequences: false).map(String.init)
        let operands = sides.first?.split(separator: ",", omittingEmptySubsequences: false).map(String.init) ?? []
        guard sides.count == 2, operands.count == 2 else {
            throw configError("`equation` \"\(equation)\" must have the form \"input,kernel->output\"")
        }
        var inputSpec = operands[0], outputSpec = sides[1]
        let weightSpec = operands[1]
        let leftElided = inputSpec.hasPrefix("...")
        let elidedIn = inputSpec.contains("...")
        guard !weightSpec.contains("..."), elidedIn == outputSpec.contains("...") else {
            throw configError("`equation` \"\(equation)\": `...` must be in both the input and the output, not the kernel")
        }
        if elidedIn {
            guard inputSpec.hasPrefix("...") == outputSpec.hasPrefix("..."),
                  inputSpec.hasPrefix("...") || inputSpec.hasSuffix("...") else {
                throw configError("`equation` \"\(equation)\": `...` must lead or trail both the input and the output")
            }
            inputSpec = inputSpec.replacingEllipsis()
            outputSpec = outputSpec.replacingEllipsis()
        }
        let rank = input.count
        let elided = rank - inputSpec.count
        guard elided >= 0, elidedIn || elided == 0 else {
            throw inputError("`equation` \"\(equation)\" does not fit an input of rank \(rank)")
        }
        // Keras: the output shape with the batch axis, and the elided axes, put in.
        var full: Shape = [input[0]]
        if elided > 0 && leftElided { full += input[1..<elided] }
        full += outputShape
        if elided > 0 && !leftElided { full += input[(rank - elided)...] }
        let outputOffset = leftElided ? elided : 0
        let inputOffset = leftElided ? elided : 0
        guard full.count == outputSpec.count + outputOffset + (leftElided ? 0 : elided) else {
            throw configError("`output_shape` \(outputShape.kerasDescription) does not fit the output \"\(outputSpec)\" of `equation` \"\(equation)\"")
        }
        let inputChars = Array(inputSpec), outputChars = Array(outputSpec)
        func inputSize(_ c: Character) -> Int?? {
            inputChars.firstIndex(of: c).map { input[$0 + inputOffset] }
        }
        func outputIndex(_ c: Character) -> Int? { outputChars.firstIndex(of: c).map { $0 + outputOffset } }
        // Output sizes the input determines.
        for c in inputChars {
            if let o = outputIndex(c), let i = inputSize(c) {
                if let a = full[o], let b = i, a != b {
                    throw inputError("`equation` \"\(equation)\": `\(c)` is \(b) in the input but \(a) in `output_shape`")
                }
                if full[o] == nil { full[o] = i }
            }
        }
        var kernel: [Int] = []
        for c in weightSpec {
            let size: Int?
            if let o = outputIndex(c) { size = full[o] } else if let i = inputSize(c) { size = i } else {
                throw configError("`equation` \"\(equation)\": kernel letter `\(c)` is in neither the input nor the output")
            }
            guard let size else { throw inputError("kernel axis `\(c)` of \"\(equation)\" has no known size for input \(input.kerasDescription)") }
            kernel.append(size)
        }
        var bias: [Int]?
        if let biasAxes, !biasAxes.isEmpty {
            guard biasAxes.allSatisfy(outputChars.contains) else {
                throw configError("`bias_axes` \"\(biasAxes)\" names letters not in the output \"\(outputSpec)\"")
            }
            let first = biasAxes.compactMap { outputChars.firstIndex(of: $0) }.min()!
            var shape: [Int] = []
            for (i, c) in outputChars.enumerated().dropFirst(first) {
                guard let d = full[i + outputOffset] else { throw inputError("bias axis `\(c)` has no known size") }
                shape.append(biasAxes.contains(c) ? d : 1)
            }
            if !leftElided { shape += Array(repeating: 1, count: elided) }
            bias = shape
        }
        return (kernel, bias, full)
    }

    public func weightSpecs(inputShapes: [Shape]) throws -> [WeightSpec] {
        let r = try resolved(input: try singleInput(inputShapes))
        return [WeightSpec(name: "kernel", shape: r.kernel)] + (r.bias.map { [WeightSpec(name: "bias", shape: $0)] } ?? [])
    }

    public func outputShapes(inputShapes: [Shape]) throws -> [Shape] {
        [try resolved(input: try singleInput(inputShapes)).output]
    }
}

private extension String {
    /// The term without its `...`.
    func replacingEllipsis() -> String {
        hasPrefix("...") ? String(dropFirst(3)) : hasSuffix("...") ? String(dropLast(3)) : self
    }
}
