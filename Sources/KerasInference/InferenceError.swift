import KerasGraph

/// An error running a model: an input that does not fit, or a layer that cannot run.
public struct InferenceError: Error, CustomStringConvertible, Sendable {
    public var reason: String
    package init(_ reason: String) { self.reason = reason }
    public var description: String { reason }

    /// A layer KerasPort can represent but not run.
    static func unsupported(_ layer: any Layer, path: String) -> InferenceError {
        if let reason = (layer as? OpaqueLayer)?.unsupportedReason {
            return InferenceError("layer `\(path)` (\(layer.className)): this layer class cannot be run by KerasPort: \(reason)")
        }
        return InferenceError("layer `\(path)` (\(layer.className)): this layer class cannot be run by KerasPort")
    }
}
