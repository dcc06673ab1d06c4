import KerasGraph

/// A layer with a kernel and a bias and Keras' seven objects for them (Dense, EinsumDense, the convolutions with a
/// plain `kernel`, LocallyConnected1D/2D): decoded by ``LayerConfig/decodeKernelAndBiasObjects(into:keras1:)`` and
/// written by ``ConfigEncoding/kernelAndBiasObjects(_:_:)`` in one place.
package protocol KernelAndBiasObjects {
    var kernelInitializer: KerasObject? { get set }
    var biasInitializer: KerasObject? { get set }
    var kernelRegularizer: KerasObject? { get set }
    var biasRegularizer: KerasObject? { get set }
    var activityRegularizer: KerasObject? { get set }
    var kernelConstraint: KerasObject? { get set }
    var biasConstraint: KerasObject? { get set }
}

extension Dense: KernelAndBiasObjects {}
extension EinsumDense: KernelAndBiasObjects {}
extension Conv1D: KernelAndBiasObjects {}
extension Conv2D: KernelAndBiasObjects {}
extension Conv3D: KernelAndBiasObjects {}
extension Conv1DTranspose: KernelAndBiasObjects {}
extension Conv2DTranspose: KernelAndBiasObjects {}
extension Conv3DTranspose: KernelAndBiasObjects {}
extension LocallyConnected: KernelAndBiasObjects {}

extension LayerConfig {
    /// A convolution's window, decoded in this order: `kernel_size` (required; the first present of `kernelKeys`,
    /// else Keras 1's split `legacyKernel` pair), `strides` and `dilation_rate` (the first present of `strideKeys` /
    /// `dilationKeys`, ones when absent), `rank` positive values each. With `refuseStridedDilation`, strides > 1
    /// together with a dilation > 1 is refused (TensorFlow's convolutions refuse it).
    func convolutionWindow(rank: Int, kernelKeys: [String] = ["kernel_size"], legacyKernel: (String, String)? = nil,
                           strideKeys: [String] = ["strides"], dilationKeys: [String] = ["dilation_rate"],
                           refuseStridedDilation: Bool) throws -> (kernel: [Int], strides: [Int], dilation: [Int]) {
        guard let kernel = try positiveTuple(kernelKeys, count: rank) ?? legacyKernel.flatMap({ try positivePair($0.0, $0.1) }) else {
            throw error("missing `kernel_size`")
        }
        let ones = Array(repeating: 1, count: rank)
        let strides = try positiveTuple(strideKeys, count: rank) ?? ones
        let dilation = try positiveTuple(dilationKeys, count: rank) ?? ones
        if refuseStridedDilation && strides.contains(where: { $0 > 1 }) && dilation.contains(where: { $0 > 1 }) {
            throw error("`strides` > 1 is not supported together with `dilation_rate` > 1")
        }
        return (kernel, strides, dilation)
    }

    /// Decodes `kernel_initializer` (glorot_uniform when absent), `bias_initializer` (zeros when absent),
    /// `kernel_regularizer`, `bias_regularizer`, `activity_regularizer`, `kernel_constraint` and `bias_constraint`,
    /// in that order, into `layer`; with `keras1`, Keras 1's `init`, `W_regularizer`, `b_regularizer`,
    /// `W_constraint` and `b_constraint` stand in for the missing keys.
    func decodeKernelAndBiasObjects(into layer: inout some KernelAndBiasObjects, keras1: Bool = false) throws {
        func keys(_ key: String, _ legacy: String) -> [String] { keras1 ? [key, legacy] : [key] }
        layer.kernelInitializer = try anyKerasObject(keys("kernel_initializer", "init")) ?? .glorotUniform
        layer.biasInitializer = try anyKerasObject(["bias_initializer"]) ?? .zeros
        layer.kernelRegularizer = try anyKerasObject(keys("kernel_regularizer", "W_regularizer"))
        layer.biasRegularizer = try anyKerasObject(keys("bias_regularizer", "b_regularizer"))
        layer.activityRegularizer = try anyKerasObject(["activity_regularizer"])
        layer.kernelConstraint = try anyKerasObject(keys("kernel_constraint", "W_constraint"))
        layer.biasConstraint = try anyKerasObject(keys("bias_constraint", "b_constraint"))
    }
}

extension ConfigEncoding {
    /// The seven kernel and bias objects, in Keras' order (`kernel_initializer` … `bias_constraint`).
    package static func kernelAndBiasObjects(_ l: some KernelAndBiasObjects,
                                             _ dialect: ConfigDialect) -> [(String, JSONValue)] {
        [("kernel_initializer", object(l.kernelInitializer, .initializer, dialect)),
         ("bias_initializer", object(l.biasInitializer, .initializer, dialect)),
         ("kernel_regularizer", object(l.kernelRegularizer, .regularizer, dialect)),
         ("bias_regularizer", object(l.biasRegularizer, .regularizer, dialect)),
         ("activity_regularizer", object(l.activityRegularizer, .regularizer, dialect)),
         ("kernel_constraint", object(l.kernelConstraint, .constraint, dialect)),
         ("bias_constraint", object(l.biasConstraint, .constraint, dialect))]
    }
}

/// DepthwiseConv1D/2D and SeparableConv1D/2D, for their one config encoder
/// (``ConfigEncoding/depthwiseConvolution(_:_:)``): the window, `depth_multiplier`, the depthwise and bias objects,
/// and for the separable ones `filters` and the pointwise objects.
package protocol DepthwiseConvolutionEncoding: ConvolutionGeometry {
    var depthMultiplier: Int { get }
    var depthwiseInitializer: KerasObject? { get }
    var biasInitializer: KerasObject? { get }
    var depthwiseRegularizer: KerasObject? { get }
    var biasRegularizer: KerasObject? { get }
    var activityRegularizer: KerasObject? { get }
    var depthwiseConstraint: KerasObject? { get }
    var biasConstraint: KerasObject? { get }
    /// SeparableConv1D/2D: `filters` and the pointwise initializer, regularizer and constraint; `nil` for depthwise.
    var pointwise: (filters: Int, initializer: KerasObject?, regularizer: KerasObject?, constraint: KerasObject?)? { get }
}

extension DepthwiseConv1D: DepthwiseConvolutionEncoding {
    package var pointwise: (filters: Int, initializer: KerasObject?, regularizer: KerasObject?, constraint: KerasObject?)? { nil }
}
extension DepthwiseConv2D: DepthwiseConvolutionEncoding {
    package var pointwise: (filters: Int, initializer: KerasObject?, regularizer: KerasObject?, constraint: KerasObject?)? { nil }
}
extension SeparableConv1D: DepthwiseConvolutionEncoding {
    package var pointwise: (filters: Int, initializer: KerasObject?, regularizer: KerasObject?, constraint: KerasObject?)? {
        (filters, pointwiseInitializer, pointwiseRegularizer, pointwiseConstraint)
    }
}
extension SeparableConv2D: DepthwiseConvolutionEncoding {
    package var pointwise: (filters: Int, initializer: KerasObject?, regularizer: KerasObject?, constraint: KerasObject?)? {
        (filters, pointwiseInitializer, pointwiseRegularizer, pointwiseConstraint)
    }
}

extension ConfigEncoding {
    /// The config of a depthwise or separable convolution. Keras 2 (tf_keras order): (`filters`,) `kernel_size,
    /// strides, padding, data_format, dilation_rate, activation, use_bias`, bias initializer/regularizer,
    /// `activity_regularizer`, bias constraint, `depth_multiplier`, then the depthwise (and pointwise) initializers,
    /// regularizers, constraints. Keras 3: `depth_multiplier`, (`filters`,) the window, `activation, use_bias`, then
    /// depthwise/(pointwise/)bias initializers, regularizers (with `activity_regularizer`), constraints. tf_keras also
    /// writes `groups: 1` (and, for the separable ones, unused `kernel_initializer`, `kernel_regularizer`,
    /// `kernel_constraint`), which Keras 3 rejects, so they are left out.
    package static func depthwiseConvolution(_ l: some DepthwiseConvolutionEncoding,
                                             _ dialect: ConfigDialect) -> JSONValue {
        let pw = l.pointwise
        let head: [(String, JSONValue)] = (pw.map { [("filters", JSONValue.number(Double($0.filters)))] } ?? []) + [
            ("kernel_size", ints(l.kernelSize)), ("strides", ints(l.strides)), ("padding", .string(l.padding.rawValue)),
            ("data_format", .string(l.dataFormat.rawValue)), ("dilation_rate", ints(l.dilationRate)),
        ]
        let act: [(String, JSONValue)] = [("activation", activation(l.activation, dialect)), ("use_bias", .bool(l.useBias))]
        let multiplier: (String, JSONValue) = ("depth_multiplier", .number(Double(l.depthMultiplier)))
        func pointwise(_ key: String, _ value: KerasObject??, _ kind: KerasObjectKind) -> [(String, JSONValue)] {
            guard let value else { return [] }
            return [(key, object(value, kind, dialect))]
        }
        let (pwInit, pwReg, pwCon) = (pw.map { $0.initializer }, pw.map { $0.regularizer }, pw.map { $0.constraint })
        if dialect == .keras3 {
            return .object(base(l.common, dialect) + [multiplier] + head + act
                + [("depthwise_initializer", object(l.depthwiseInitializer, .initializer, dialect))]
                + pointwise("pointwise_initializer", pwInit, .initializer)
                + [("bias_initializer", object(l.biasInitializer, .initializer, dialect)),
                   ("depthwise_regularizer", object(l.depthwiseRegularizer, .regularizer, dialect))]
                + pointwise("pointwise_regularizer", pwReg, .regularizer)
                + [("bias_regularizer", object(l.biasRegularizer, .regularizer, dialect)),
                   ("activity_regularizer", object(l.activityRegularizer, .regularizer, dialect)),
                   ("depthwise_constraint", object(l.depthwiseConstraint, .constraint, dialect))]
                + pointwise("pointwise_constraint", pwCon, .constraint)
                + [("bias_constraint", object(l.biasConstraint, .constraint, dialect))])
        }
        return .object(base(l.common, dialect) + head + act + [
            ("bias_initializer", object(l.biasInitializer, .initializer, dialect)),
            ("bias_regularizer", object(l.biasRegularizer, .regularizer, dialect)),
            ("activity_regularizer", object(l.activityRegularizer, .regularizer, dialect)),
            ("bias_constraint", object(l.biasConstraint, .constraint, dialect)),
            multiplier,
            ("depthwise_initializer", object(l.depthwiseInitializer, .initializer, dialect)),
        ] + pointwise("pointwise_initializer", pwInit, .initializer)
          + [("depthwise_regularizer", object(l.depthwiseRegularizer, .regularizer, dialect))]
          + pointwise("pointwise_regularizer", pwReg, .regularizer)
          + [("depthwise_constraint", object(l.depthwiseConstraint, .constraint, dialect))]
          + pointwise("pointwise_constraint", pwCon, .constraint))
    }
}
