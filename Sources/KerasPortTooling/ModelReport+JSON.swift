import KerasFormat
import KerasGraph

extension ModelReport {
    /// The report as JSON (schema in the README, "inspect --json"). Keys keep the order documented there.
    package func json(alphas: Bool = false) -> JSONValue {
        func shape(_ s: Shape?) -> JSONValue {
            guard let s else { return .null }
            return .array(s.map { $0.map { .number(Double($0)) } ?? .null })
        }
        func num(_ x: Float) -> JSONValue { .number(Double(x)) }
        func ints(_ xs: [Int]) -> JSONValue { .array(xs.map { .number(Double($0)) }) }
        let layerValues: [JSONValue] = layers.map { l in
            var o: [(String, JSONValue)] = [
                ("name", .string(l.path)),
                ("model", .string(l.model)),
                ("class_name", .string(l.className)),
                ("output_shape", l.outputShapes.count == 1 ? shape(l.outputShapes[0]) : .array(l.outputShapes.map(shape))),
                ("inbound", .array(l.inbound.map { .string($0) })),
                ("param_count", .number(Double(l.parameterCount))),
                ("supported", .bool(l.isSupported)),
            ]
            if let code = l.executableCode { o.append(("executable_code", .string(code))) }
            o += [
                ("weights", .array(l.weights.map { w in
                    .object([("name", .string(w.name)), ("shape", ints(w.shape)), ("dtype", .string(w.dtype))])
                })),
            ]
            if let a = l.activation { o.append(("activation", .string(a))) }
            if let s = l.negativeSlope { o.append(("negative_slope", num(s))) }
            if l.className == "ReLU" {
                o.append(("max_value", l.maxValue.map(num) ?? .null))
                o.append(("threshold", num(l.threshold ?? 0)))
            }
            if l.className == "PReLU" {
                o.append(("shared_axes", l.sharedAxes.map(ints) ?? .null))
                if let s = l.sharing { o.append(("sharing", .string(s))) }
                if let a = l.alpha {
                    var alpha: [(String, JSONValue)] = [("shape", ints(a.shape)), ("min", num(a.min)), ("max", num(a.max)), ("mean", num(a.mean))]
                    if alphas { alpha.append(("values", .array(a.values.map(num)))) }
                    o.append(("alpha", .object(alpha)))
                }
            }
            if !l.notes.isEmpty { o.append(("warnings", .array(l.notes.map { .string($0) }))) }
            return .object(o)
        }
        return .object([
            ("file", .string(file)),
            ("format", .string(format.rawValue)),
            ("keras_version", kerasVersion.map { .string($0) } ?? .null),
            ("backend", backend.map { .string($0) } ?? .null),
            ("model", .object([("name", .string(modelName)), ("class_name", .string(modelClass))])),
            ("inputs", .array(inputs.map { .object([("name", .string($0.name)), ("shape", shape($0.shape))]) })),
            ("outputs", .array(outputs.map { .object([("name", .string($0.name)), ("shape", shape($0.shape))]) })),
            ("layers", .array(layerValues)),
            ("total_params", .number(Double(totalParameters))),
            ("trainable_params", .number(Double(trainableParameters))),
            ("warnings", .array(warnings.map { .string($0) })),
        ])
    }
}
