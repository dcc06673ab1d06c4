/// InceptionResNetV2's `CustomScaleLayer` (keras.applications.inception_resnet_v2, Keras 3 and tf_keras 2.21):
/// `inputs[0] + inputs[1] · scale`.
public struct CustomScaleLayer: WeightlessLayer {
    public var className: String { "CustomScaleLayer" }
    public var common: LayerCommon
    public var scale: Double

    public init(common: LayerCommon, scale: Double) {
        self.common = common
        self.scale = scale
    }

    public func outputShapes(inputShapes: [Shape]) throws -> [Shape] {
        guard inputShapes.count == 2 else { throw inputError("expected 2 inputs (shortcut, residual), got \(inputShapes.count)") }
        let (a, b) = (inputShapes[0], inputShapes[1])
        guard a.count == b.count else { throw inputError("inputs \(a.kerasDescription) and \(b.kerasDescription) differ in rank") }
        for (x, y) in zip(a, b) {
            if let x, let y, x != y { throw inputError("inputs \(a.kerasDescription) and \(b.kerasDescription) differ") }
        }
        return [zip(a, b).map { $0 ?? $1 }]
    }
}
