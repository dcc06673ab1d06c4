import KerasGraph

/// What a target format cannot express, found before anything is written: each case is a layer whose config has no
/// spelling in the target Keras (or one the target Keras refuses to load), so that writing it would give a file that
/// fails to load or computes something else. Settings that only matter in training (dropout noise shapes,
/// `synchronized`, renormalisation) are not checked: they are kept where the target has them.
enum WriteCompatibility {
    /// Throws a ``FormatError`` naming the first layer (by its path, `inner/dense`) that `format` cannot express.
    static func check(_ graph: ModelGraph, format: KerasWriteFormat, file: String) throws {
        try checkNames(graph, file: file, path: [])
        try walk(graph, path: []) { layer, path in
            if let reason = problem(layer, format: format) {
                let where_ = path.joined(separator: "/")
                throw FormatError(file: file, object: "layer `\(where_)` (\(layer.className))",
                                  "cannot be written as \(format.cliName) (\(format.dialect == .keras2 ? "Keras 2" : "Keras 3") dialect): \(reason)")
            }
        }
    }

    /// Layer and model names become HDF5 group names and JSON references: they must be non-empty, without `/` or
    /// NUL, and not `.` or `..` (Keras itself refuses `/` in names).
    private static func checkNames(_ graph: ModelGraph, file: String, path: [String]) throws {
        var seen = Set<String>()
        for node in graph.nodes {
            let name = node.name
            let here = (path + [name]).joined(separator: "/")
            if name.isEmpty || name == "." || name == ".." || name.contains("/") || name.utf8.contains(0) {
                throw FormatError(file: file, object: "layer `\(here.isEmpty ? "(empty)" : here)` (\(node.layer.className))",
                                  "a layer name must be non-empty, not `.` or `..`, and hold no `/` or NUL character")
            }
            guard seen.insert(name).inserted else {
                throw FormatError(file: file, object: "layer `\(here)`", "two layers of one model have this name")
            }
            if let nested = node.layer as? NestedModel { try checkNames(nested.graph, file: file, path: path + [name]) }
        }
    }

    private static func walk(_ graph: ModelGraph, path: [String],
                             _ body: (any Layer, [String]) throws -> Void) throws {
        for node in graph.nodes {
            try body(node.layer, path + [node.name])
            if let nested = node.layer as? NestedModel { try walk(nested.graph, path: path + [node.name], body) }
        }
    }

    /// Why `layer` has no form in `format`, or `nil`.
    static func problem(_ layer: any Layer, format: KerasWriteFormat) -> String? {
        if let reason = frameworkOpProblem(layer, format: format) { return reason }
        if format == .legacyH5Keras3, let encodable = layer as? any ConfigEncodable,
           case let .array(axes)? = encodable.configJSON(dialect: .keras3)["axis"], axes.count > 1 {
            return "Keras 3's legacy .h5 loader drops an `axis` list of several axes (it keeps a single int only) and would build the layer over the last axis; write keras or weights-h5"
        }
        let dialect = format.dialect
        if let opaque = layer as? OpaqueLayer { return opaqueProblem(opaque, dialect: dialect) }
        if let reason = activationProblem(layer, dialect: dialect) { return reason }
        if let identity = layer as? InferenceIdentity, let reason = identity.writeProblem(dialect: dialect) { return reason }
        if let restricted = layer as? any KerasVersionRestricted, let reason = restricted.writeProblem(format: format) {
            return reason
        }
        switch dialect {
        case .keras1, .keras2:
            if let norm = layer as? LayerNormalization, norm.rmsScaling {
                return "Keras 2's LayerNormalization has no `rms_scaling`; write a Keras 3 format (keras3-h5, weights-h5, keras)"
            }
            if let td = layer as? TimeDistributed, let reason = problem(td.layer, format: format) { return reason }
            if layer is GroupedQueryAttention {
                return "tf_keras has no GroupQueryAttention; write a Keras 3 format (keras3-h5, weights-h5, keras)"
            }
            if let mha = layer as? MultiHeadAttention, mha.useGate || mha.slidingWindow != nil {
                return "Keras 2's MultiHeadAttention has no `\(mha.useGate ? "use_gate" : "sliding_window")`; write a Keras 3 format (keras3-h5, weights-h5, keras)"
            }
            if let pad = layer as? ZeroPadding1D, pad.dataFormat == .channelsFirst {
                return "Keras 2's ZeroPadding1D has no `data_format` and always pads axis 1; write a Keras 3 format (keras3-h5, weights-h5, keras)"
            }
        case .keras3:
            if let leaky = layer as? LeakyReLU, leaky.negativeSlope < 0 {
                return "Keras 3 refuses a negative `negative_slope` (\(leaky.negativeSlope)), which Keras 2 accepts; write legacy-h5 (Keras 2 dialect), or first make it a PReLU with that slope (keras-port edit --to-prelu \(leaky.name))"
            }
            if (layer as? SeparableConv1D)?.padding == .causal || (layer as? DepthwiseConv1D)?.padding == .causal {
                return "Keras 3's \(layer.className) refuses `padding=\"causal\"`, which tf_keras runs; write legacy-h5 (Keras 2 dialect)"
            }
            if let l = layer as? ConvLSTM, l.options.timeMajor {
                return "Keras 3's recurrent layers have no `time_major`; write legacy-h5 (Keras 2 dialect)"
            }
            if let rnn = layer as? RNN, rnn.timeMajor {
                return "Keras 3's recurrent layers have no `time_major`; write legacy-h5 (Keras 2 dialect)"
            }
            if let r = layer as? any RecurrentLayer, r.options.timeMajor {
                return "Keras 3's recurrent layers have no `time_major`; write legacy-h5 (Keras 2 dialect)"
            }
            if let b = layer as? Bidirectional, b.forward.options.timeMajor || b.backward.options.timeMajor {
                return "Keras 3's recurrent layers have no `time_major`; write legacy-h5 (Keras 2 dialect)"
            }
            if let td = layer as? TimeDistributed, let reason = problem(td.layer, format: format) { return reason }
            if let bn = layer as? BatchNormalization, bn.axis.count > 1 {
                return "Keras 3's BatchNormalization takes one axis, this layer normalises over \(bn.axis); write legacy-h5 (Keras 2 dialect)"
            }
            if let up = layer as? UpSampling2D, !keras3Interpolations.contains(up.interpolation) {
                return "Keras 3's UpSampling2D has no `\(up.interpolation.rawValue)` interpolation (it has \(keras3Interpolations.map(\.rawValue).sorted().joined(separator: ", "))); write legacy-h5 (Keras 2 dialect)"
            }
        }
        return nil
    }

    /// The `interpolation` values Keras 3.15's `UpSampling2D` accepts (its TensorFlow backend's `RESIZE_INTERPOLATIONS`).
    static let keras3Interpolations: Set<Interpolation> = [.nearest, .bilinear, .bicubic, .lanczos3, .lanczos5, .area]

    /// `hard_sigmoid` means `clip(0.2x + 0.5, 0, 1)` in Keras 2 and `relu6(x + 3) / 6` in Keras 3: a name read in one
    /// dialect cannot be written in the other.
    private static func activationProblem(_ layer: any Layer, dialect: ConfigDialect) -> String? {
        // Recurrent layers and wrappers: every activation they hold.
        switch layer {
        case let r as any RecurrentLayer:
            for a in [r.options.activation, r.options.recurrentActivation] {
                if let reason = hardSigmoidProblem(a, dialect: dialect) { return reason }
            }
            return nil
        case let b as Bidirectional:
            return activationProblem(b.forward, dialect: dialect) ?? activationProblem(b.backward, dialect: dialect)
        case let t as TimeDistributed:
            return activationProblem(t.layer, dialect: dialect)
        case let rnn as RNN:
            return rnn.cells.lazy.compactMap { activationProblem($0, dialect: dialect) }.first
        case let l as ConvLSTM:
            for a in [l.options.activation, l.options.recurrentActivation] {
                if let reason = hardSigmoidProblem(a, dialect: dialect) { return reason }
            }
            return nil
        default:
            break
        }
        let activation: Activation?
        switch layer {
        case let l as ActivationLayer: activation = l.activation
        case let l as Dense: activation = l.activation
        case let l as Conv1D: activation = l.activation
        case let l as Conv2D: activation = l.activation
        case let l as Conv2DTranspose: activation = l.activation
        case let l as DepthwiseConv2D: activation = l.activation
        case let l as SeparableConv2D: activation = l.activation
        case let l as Conv3D: activation = l.activation
        case let l as Conv1DTranspose: activation = l.activation
        case let l as Conv3DTranspose: activation = l.activation
        case let l as DepthwiseConv1D: activation = l.activation
        case let l as SeparableConv1D: activation = l.activation
        default: activation = nil
        }
        return activation.flatMap { hardSigmoidProblem($0, dialect: dialect) }
    }

    /// A Keras 3 activation name tf_keras cannot resolve, or a `hard_sigmoid` of the other version.
    private static func hardSigmoidProblem(_ activation: Activation, dialect: ConfigDialect) -> String? {
        if dialect != .keras3, case let .name(name) = activation.spelling,
           !keras2ActivationNames.contains(name.hasPrefix("keras.activations.") ? String(name.dropFirst(18)) : name) {
            return "its activation `\(name)` is a Keras 3 function that tf_keras cannot resolve by name; write a Keras 3 format (keras3-h5, weights-h5, keras)"
        }
        guard case let .hardSigmoid(variant) = activation.function else { return nil }
        switch (variant, dialect) {
        case (.keras3, .keras1), (.keras3, .keras2):
            return "its `hard_sigmoid` is Keras 3's relu6(x + 3) / 6, but Keras 2's `hard_sigmoid` is clip(0.2x + 0.5, 0, 1) and Keras 2 has no name for the Keras 3 function; write a Keras 3 format (keras3-h5, weights-h5, keras)"
        case (.keras2, .keras3):
            return "its `hard_sigmoid` is Keras 2's clip(0.2x + 0.5, 0, 1), but Keras 3's `hard_sigmoid` is relu6(x + 3) / 6 and Keras 3 has no name for the Keras 2 function; write legacy-h5 (Keras 2 dialect)"
        default:
            return nil
        }
    }

    /// The activation names tf_keras 2.21's `activations.get` resolves: its own functions and the `tf.nn` ones it
    /// falls back to.
    static let keras2ActivationNames: Set<String> = [
        "linear", "relu", "relu6", "leaky_relu", "elu", "selu", "gelu", "sigmoid", "hard_sigmoid", "tanh", "softmax",
        "softplus", "softsign", "swish", "silu", "exponential", "mish", "log_softmax", "None",
    ]

    /// An opaque layer's config is written as read, so it must be in the target's dialect (or one the target reads).
    private static func opaqueProblem(_ opaque: OpaqueLayer, dialect: ConfigDialect) -> String? {
        let source = sourceDialect(of: opaque)
        let cls = opaque.registeredName ?? opaque.className
        switch (source, dialect) {
        case (.keras1, _):
            return "KerasPort does not know class `\(cls)` and keeps its Keras 1 config as read, which neither Keras 2 nor Keras 3 loads"
        case (.keras3, .keras1), (.keras3, .keras2):
            return "KerasPort does not know class `\(cls)` and keeps its config as read, which is a Keras 3 config that Keras 2 cannot load; write a Keras 3 format (keras3-h5, weights-h5, keras)"
        default:
            return nil
        }
    }

    /// The dialect an opaque layer's config was read in: Keras 3 when it came with `.keras` archive metadata or shows
    /// Keras 3 spellings (`DTypePolicy`, `batch_shape`, …), Keras 1 when it shows only Keras 1 spellings.
    static func sourceDialect(of opaque: OpaqueLayer) -> ConfigDialect {
        if opaque.module != nil || opaque.buildConfig != nil { return .keras3 }
        let wrapped = JSONValue.object([("class_name", .string(opaque.className)), ("config", opaque.config)])
        return ModelConfigParser.detectDialect(wrapped, kerasVersion: nil)
    }

    /// Framework op layers load only where they came from: tf_keras `TFOpLambda` in the Keras 2 dialect (Keras 3
    /// has no such class), Keras 3 `keras.ops` entries only from a config that names their module (a `.keras`
    /// archive, or the architecture JSON of a `.weights.h5`), since a legacy `.h5` config would name a layer.
    static func frameworkOpProblem(_ layer: any Layer, format: KerasWriteFormat) -> String? {
        let isTensorFlow: Bool, name: String
        if let op = layer as? OpLayer {
            if case .tensorflow = op.source { isTensorFlow = true } else { isTensorFlow = false }
            name = op.opName
        } else if let opaque = layer as? OpaqueLayer, let op = opaque.frameworkOpName {
            isTensorFlow = op.hasPrefix("tf.") || opaque.className == "TFOpLambda" || opaque.className == "SlicingOpLambda"
            name = op
        } else {
            return nil
        }
        if isTensorFlow, format.dialect != .keras2 {
            return "`\(name)` is a tf_keras TFOpLambda op, which Keras 3 cannot load; write legacy-h5 (Keras 2 dialect, loads in tf_keras)"
        }
        if !isTensorFlow, format == .legacyH5Keras2 || format == .legacyH5Keras3 {
            return "`\(name)` is a Keras 3 keras.ops call, which only a config naming its module records; write keras or weights-h5"
        }
        return nil
    }
}
