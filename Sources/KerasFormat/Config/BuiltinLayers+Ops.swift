import KerasGraph

/// Layers that record raw framework calls in a functional model: tf_keras' `TFOpLambda` and `SlicingOpLambda`,
/// keyed by class name like every other family. A call of a TensorFlow function KerasPort does not run stays an
/// ``OpaqueLayer`` (readable and convertible; running it fails naming the op).
let opLayerDecoders: [String: LayerDecoder] = [
    "TFOpLambda": tensorflowOp,
    "SlicingOpLambda": tensorflowOp,
]

/// The op layer, or an opaque layer (still readable and convertible) for an op KerasPort does not run, with the
/// reason when it is an option of a known op.
@Sendable func tensorflowOp(_ c: LayerConfig) throws -> any Layer {
    opOrOpaque(c) { try OpLayer.tensorflow(config: c) }
}

@Sendable func kerasOp(_ c: LayerConfig) throws -> any Layer {
    opOrOpaque(c) { try OpLayer.keras(config: c) }
}

func opOrOpaque(_ c: LayerConfig, _ decode: () throws -> OpLayer?) -> any Layer {
    do {
        if let op = try decode() { return op }
        return OpaqueLayer(config: c)
    } catch {
        var opaque = OpaqueLayer(config: c)
        opaque.unsupportedReason = (error as? FormatError)?.reason ?? "\(error)"
        return opaque
    }
}

/// Keras 3 `keras.ops` calls saved as entries of a functional model's layer list (`module: "keras.src.ops.numpy"`,
/// `keras.src.ops.nn`, …), keyed by the op's class name. These names collide with layers (`Add`, `Reshape`), so
/// ``LayerRegistry`` looks here only for entries whose module is a `keras.src.ops` module, and never falls back to
/// the layer of the same name. An entry of another module with one of these names stays opaque.
let kerasOpDecoders: [String: LayerDecoder] = {
    let names = [
        // keras.src.ops.numpy
        "Add", "Subtract", "Multiply", "Divide", "TrueDivide", "Power", "Maximum", "Minimum",
        "Absolute", "Abs", "Exp", "Log", "Sqrt", "Square", "Negative", "Tanh",
        "Sum", "Mean", "Max", "Min", "Prod", "Clip", "Reshape", "Transpose", "ExpandDims", "Squeeze",
        "Concatenate", "Matmul", "GetItem",
        // keras.src.ops.nn
        "Relu", "Relu6", "Sigmoid", "Silu", "Elu", "Softplus", "Softsign", "Gelu", "LeakyRelu", "Softmax",
        "DepthToSpace", "SpaceToDepth",
        // keras.src.ops.image
        "Resize",
    ]
    var all: [String: LayerDecoder] = [:]
    for n in names { all[n] = kerasOp }
    return all
}()
