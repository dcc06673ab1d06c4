import KerasGraph

// Helpers for the layer shape tests. Expected shapes in these tests come from Keras 3.15.1 (TF backend), by
// calling the layer on `keras.Input(batch_shape=...)` and reading `out.shape` and `[(w.name, w.shape) for w in
// layer.weights]`; the Keras expression is in a comment beside each check. Shapes are exact integers: no tolerance.

/// A `LayerCommon` named `name`.
func layerCommon(_ name: String) -> LayerCommon { LayerCommon(name: name) }

/// The single output shape of `layer` for `inputs`.
func outputShape(_ layer: some Layer, _ inputs: Shape...) throws -> Shape {
    let shapes = try layer.outputShapes(inputShapes: inputs)
    guard shapes.count == 1 else { throw TestFailure("expected one output, got \(shapes.count)") }
    return shapes[0]
}

/// `(name, shape)` pairs of `layer`'s weight specs for `inputs`, for compact comparisons.
func specs(_ layer: some Layer, _ inputs: Shape...) throws -> [String] {
    try layer.weightSpecs(inputShapes: inputs).map { "\($0.name) \($0.shape)" }
}

/// The description of the `GraphError` thrown by `body`, or `nil` if it does not throw one.
func graphErrorText(_ body: () throws -> Void) -> String? {
    do {
        try body()
        return nil
    } catch let e as GraphError {
        return e.description
    } catch {
        return "unexpected error type: \(error)"
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}
