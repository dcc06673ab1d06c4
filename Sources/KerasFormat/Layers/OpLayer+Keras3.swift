import KerasGraph
import TensorModule

/// tf_keras `TFOpLambda`/`SlicingOpLambda` layers as the Keras 3 `keras.ops` calls that compute the same thing, so
/// that a tf_keras model with raw TensorFlow calls (a sub-pixel `tf.nn.depth_to_space` head) can be written as a
/// `.keras` archive Keras 3 loads. Keras 3 has no `TFOpLambda`.
package enum KerasOpTranslation {
    /// `graph` with every tf_keras op layer (top level and in nested models) replaced by its Keras 3 op and each of
    /// its calls' arguments in the Keras 3 form (tensors and constants positional, the op's attributes in its config).
    /// - Throws: ``FormatError`` naming the first op layer with no Keras 3 equivalent KerasPort writes.
    package static func keras3(_ graph: ModelGraph) throws -> ModelGraph {
        var g = graph
        for n in g.nodes.indices {
            if let op = g.nodes[n].layer as? OpLayer, case .tensorflow = op.source {
                let (layer, arguments) = try op.keras3Form()
                g.nodes[n].layer = layer
                for c in g.nodes[n].calls.indices {
                    g.nodes[n].calls[c].arguments = arguments.isPlain ? nil : arguments
                }
            } else if let opaque = g.nodes[n].layer as? OpaqueLayer, let name = opaque.frameworkOpName, name.hasPrefix("tf.") {
                throw FormatError(object: "layer `\(opaque.name)` (\(opaque.className))",
                                  "`\(name)` is a TensorFlow op KerasPort does not run or translate, and Keras 3 cannot load TFOpLambda; write legacy-h5 (Keras 2 dialect, loads in tf_keras)")
            } else if var nested = g.nodes[n].layer as? NestedModel {
                nested.graph = try keras3(nested.graph)
                g.nodes[n].layer = nested
            }
        }
        return g
    }

    /// True when `graph` holds a tf_keras op layer (top level or nested).
    package static func hasTensorFlowOps(_ graph: ModelGraph) -> Bool {
        graph.nodes.contains { node in
            if let op = node.layer as? OpLayer, case .tensorflow = op.source { return true }
            if let opaque = node.layer as? OpaqueLayer, opaque.frameworkOpName?.hasPrefix("tf.") == true { return true }
            if let nested = node.layer as? NestedModel { return hasTensorFlowOps(nested.graph) }
            return false
        }
    }
}

extension OpLayer {
    /// The Keras 3 op computing what this tf_keras op computes, and the call arguments Keras 3 records for it.
    /// - Throws: ``FormatError`` naming the layer when Keras 3 has no such op (or KerasPort does not write it).
    func keras3Form() throws -> (OpLayer, CallArguments) {
        func fail(_ why: String) -> FormatError {
            FormatError(object: "layer `\(name)` (\(className))",
                        "`\(opName)` \(why), and Keras 3 cannot load TFOpLambda; write legacy-h5 (Keras 2 dialect, loads in tf_keras)")
        }
        let noOp = "has no Keras 3 op KerasPort writes"
        let numpy = "keras.src.ops.numpy", nn = "keras.src.ops.nn", image = "keras.src.ops.image"
        let (module, cls): (String, String)
        switch operation {
        case let .binary(b):
            let names: [Binary: String] = [.add: "Add", .subtract: "Subtract", .multiply: "Multiply", .divide: "TrueDivide",
                                           .maximum: "Maximum", .minimum: "Minimum", .power: "Power"]
            (module, cls) = (numpy, names[b]!)
        case let .math(m):
            let names: [Math: String] = [.square: "Square", .sqrt: "Sqrt", .exp: "Exp", .log: "Log", .abs: "Absolute",
                                         .negative: "Negative"]
            guard let n = names[m] else { throw fail(noOp) }
            (module, cls) = (numpy, n)
        case let .activation(a):
            switch a {
            case .relu: (module, cls) = (nn, "Relu")
            case .relu6: (module, cls) = (nn, "Relu6")
            case .sigmoid: (module, cls) = (nn, "Sigmoid")
            case .tanh: (module, cls) = (numpy, "Tanh")
            case .silu: (module, cls) = (nn, "Silu")
            case .elu: (module, cls) = (nn, "Elu")
            case .softplus: (module, cls) = (nn, "Softplus")
            case .softsign: (module, cls) = (nn, "Softsign")
            case .gelu: (module, cls) = (nn, "Gelu")
            case .leakyReLU: (module, cls) = (nn, "LeakyRelu")
            case .softmax: (module, cls) = (nn, "Softmax")
            }
        case .clip: (module, cls) = (numpy, "Clip")
        case let .reduce(r, _, _):
            let names: [Reduction: String] = [.sum: "Sum", .mean: "Mean", .max: "Max", .min: "Min", .prod: "Prod"]
            (module, cls) = (numpy, names[r]!)
        case .reshape: (module, cls) = (numpy, "Reshape")
        case .transpose: (module, cls) = (numpy, "Transpose")
        case .concatenate: (module, cls) = (numpy, "Concatenate")
        case .expandDims: (module, cls) = (numpy, "ExpandDims")
        case .squeeze: (module, cls) = (numpy, "Squeeze")
        case .depthToSpace: (module, cls) = (nn, "DepthToSpace")
        case .spaceToDepth: (module, cls) = (nn, "SpaceToDepth")
        case let .resize(_, _, _, halfPixel):
            guard halfPixel else { throw fail("uses TensorFlow 1's resize (no half-pixel centres), which Keras 3 has not") }
            (module, cls) = (image, "Resize")
        case let .matmul(ta, tb):
            guard !ta, !tb else { throw fail("transposes an operand, which Keras 3's matmul does not") }
            (module, cls) = (numpy, "Matmul")
        case .slice: (module, cls) = (numpy, "GetItem")
        case .pad, .identity: throw fail(noOp)
        }
        let layer = OpLayer(className: cls, common: LayerCommon(name: name, trainable: common.trainable, dtype: common.dtype),
                            source: .keras(module: module), operation: operation, operands: operands)
        func value(_ o: Operand) -> CallValue {
            switch o {
            case let .input(i): return .tensor(i)
            case let .constant(t): return .constant(OpLayer.keras3Constant(t))
            }
        }
        var positional = operands.map(value)
        switch operation {
        case .concatenate: positional = [.list(positional)]
        case let .slice(items): positional.append(.constant(OpLayer.keras3Key(items)))
        default: break
        }
        return (layer, CallArguments(positional: positional))
    }

    /// A constant as Keras 3 records it: a number, or a `__numpy__` object.
    static func keras3Constant(_ t: Tensor) -> JSONValue {
        func number(_ x: Float) -> JSONValue { .number(ConfigEncoding.shortestDouble(x)) }
        if t.rank == 0 { return number(t.scalars[0]) }
        func nested(_ axis: Int, _ offset: Int) -> JSONValue {
            let stride = t.shape[(axis + 1)...].reduce(1, *)
            if axis == t.rank - 1 { return .array((0..<t.shape[axis]).map { number(t.scalars[offset + $0]) }) }
            return .array((0..<t.shape[axis]).map { nested(axis + 1, offset + $0 * stride) })
        }
        return .object([("class_name", .string("__numpy__")),
                        ("config", .object([("value", nested(0, 0)), ("dtype", .string("float32"))]))])
    }

    /// A subscript as Keras 3 records it: `__slice__` / `__ellipsis__` objects, integers and `null`.
    static func keras3Key(_ items: [SliceItem]) -> JSONValue {
        func bound(_ i: Int?) -> JSONValue { i.map { .number(Double($0)) } ?? .null }
        return .array(items.map { item in
            switch item {
            case let .range(start, stop, step):
                return .object([("class_name", .string("__slice__")),
                                ("config", .object([("start", bound(start)), ("stop", bound(stop)), ("step", bound(step))]))])
            case let .index(i): return .number(Double(i))
            case .newAxis: return .null
            case .ellipsis: return .object([("class_name", .string("__ellipsis__")), ("config", .object([]))])
            }
        })
    }
}
