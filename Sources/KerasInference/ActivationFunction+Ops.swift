import KerasGraph
import TensorModule

extension ActivationFunction {
    /// The kernel library's form of this activation, for fusing into a layer's output pass.
    var op: Ops.Activation {
        switch self {
        case .linear: return .linear
        case .relu: return .relu
        case .relu6: return .relu6
        case let .leakyReLU(slope): return .leakyReLU(negativeSlope: slope)
        case let .elu(alpha): return .elu(alpha: alpha)
        case .selu: return .selu
        case let .gelu(approximate): return .gelu(approximate: approximate)
        case .sigmoid: return .sigmoid
        case let .hardSigmoid(v): return .hardSigmoid(v == .keras2 ? .keras2 : .keras3)
        case .tanh: return .tanh
        case let .softmax(axis): return .softmax(axis: axis)
        case .softplus: return .softplus
        case .softsign: return .softsign
        case .swish: return .swish
        case .exponential: return .exponential
        case .mish: return .mish
        case .hardSilu: return .hardSilu
        case let .celu(alpha): return .celu(alpha: alpha)
        case let .hardShrink(t): return .hardShrink(threshold: t)
        case .hardTanh: return .hardTanh
        case .logSigmoid: return .logSigmoid
        case let .softShrink(t): return .softShrink(threshold: t)
        case .sparsePlus: return .sparsePlus
        case .sparseSigmoid: return .sparseSigmoid
        case let .squareplus(b): return .squareplus(b: b)
        case .tanhShrink: return .tanhShrink
        case let .logSoftmax(axis): return .logSoftmax(axis: axis)
        case let .sparsemax(axis): return .sparsemax(axis: axis)
        }
    }
}
