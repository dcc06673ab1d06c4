/// An error in the model graph: a shape, weight or topology that does not fit the layer that holds it.
///
/// Messages are one line, lower-case, and name the layer involved.
public enum GraphError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A weight's count or shape does not match what the layer's config and input shape imply.
    case weightMismatch(layer: String, weight: String, expected: [Int], found: [Int])
    /// The number of weights differs from what the layer needs.
    case weightCount(layer: String, expected: [String], found: [String])
    /// The layer cannot take inputs of these shapes.
    case incompatibleInput(layer: String, className: String, reason: String)
    /// A config value is outside its valid range.
    case invalidConfig(layer: String, className: String, reason: String)
    /// The graph refers to a layer, node or tensor that does not exist.
    case danglingReference(layer: String, reference: String)
    /// The graph has a cycle through this layer.
    case cycle(layer: String)
    /// Two layers share one name.
    case duplicateLayerName(String)

    public var description: String {
        switch self {
        case let .weightMismatch(layer, weight, expected, found):
            return "layer `\(layer)`: weight `\(weight)` has shape \(found), expected \(expected)"
        case let .weightCount(layer, expected, found):
            return "layer `\(layer)`: expected \(expected.count) weights \(expected), found \(found.count) \(found)"
        case let .incompatibleInput(layer, className, reason):
            return "layer `\(layer)` (\(className)): \(reason)"
        case let .invalidConfig(layer, className, reason):
            return "layer `\(layer)` (\(className)): invalid config: \(reason)"
        case let .danglingReference(layer, reference):
            return "layer `\(layer)`: refers to unknown \(reference)"
        case let .cycle(layer):
            return "layer `\(layer)`: the graph has a cycle through this layer"
        case let .duplicateLayerName(name):
            return "two layers are named `\(name)`"
        }
    }
}
