import KerasGraph

/// A layer that one Keras generation cannot express: a class only Keras 3 or only tf_keras has, or one whose
/// inference differs between them. ``WriteCompatibility`` asks it before writing.
package protocol KerasVersionRestricted {
    /// Why the layer cannot be written as `format`, or `nil`.
    func writeProblem(format: KerasWriteFormat) -> String?
}

extension KerasVersionRestricted where Self: Layer {
    /// The problem of a Keras-3-only class in a Keras 2 format.
    func keras3OnlyProblem(_ format: KerasWriteFormat) -> String? {
        format.dialect == .keras3 ? nil
            : "tf_keras has no `\(className)`; write a Keras 3 format (keras3-h5, weights-h5, keras)"
    }

    /// The problem of a tf_keras-only class in a Keras 3 format.
    func keras2OnlyProblem(_ format: KerasWriteFormat) -> String? {
        format.dialect == .keras3 ? "Keras 3 has no `\(className)`; write legacy-h5 (Keras 2 dialect, loads in tf_keras)" : nil
    }
}
