/// Layers that are the identity at inference and carry nothing KerasPort needs beyond their class name and config:
/// `Identity`, `ActivityRegularization`, keras.applications' `StochasticDepth`, the random image-augmentation layers
/// (`RandomFlip`, `RandomRotation`, …, applied only in training).
///
/// The config is kept as read (its keys other than `name`, `trainable` and `dtype`) so that `convert` writes it back
/// unchanged; see ``InferenceIdentity/classNames`` for the classes and why each is the identity.
public struct InferenceIdentity: InferenceIdentityLayer {
    public var className: String
    public var common: LayerCommon
    /// The config's other keys, in file order, as read.
    public var options: JSONValue
    /// True when the config was read in Keras 3's dialect (its keys may not exist in tf_keras).
    public var readFromKeras3: Bool

    public init(className: String, common: LayerCommon, options: JSONValue = .object([]), readFromKeras3: Bool = false) {
        self.className = className
        self.common = common
        self.options = options
        self.readFromKeras3 = readFromKeras3
    }

    /// The input shape, except that tf_keras' `RandomHeight` / `RandomWidth` report the axis they resize in training
    /// as unknown (as Keras does).
    public func outputShapes(inputShapes: [Shape]) throws -> [Shape] {
        var shape = try singleInput(inputShapes)
        if className == "RandomHeight", shape.count >= 3 { shape[shape.count - 3] = nil }
        if className == "RandomWidth", shape.count >= 3 { shape[shape.count - 2] = nil }
        return [shape]
    }

    /// The classes, with the reason each is the identity when Keras predicts.
    public static let classNames: [(name: String, reason: String)] = [
        ("Identity", "the identity"),
        ("ActivityRegularization", "adds a loss in training only"),
        ("StochasticDepth", "keras.applications.convnext: drops residual paths in training only"),
        ("RandomFlip", "augmentation, training only"),
        ("RandomRotation", "augmentation, training only"),
        ("RandomZoom", "augmentation, training only"),
        ("RandomContrast", "augmentation, training only"),
        ("RandomBrightness", "augmentation, training only"),
        ("RandomTranslation", "augmentation, training only"),
        ("RandomHeight", "augmentation, training only (tf_keras)"),
        ("RandomWidth", "augmentation, training only (tf_keras)"),
        ("RandomColorJitter", "augmentation, training only"),
        ("RandomColorDegeneration", "augmentation, training only"),
        ("RandomGrayscale", "augmentation, training only"),
        ("RandomHue", "augmentation, training only"),
        ("RandomSaturation", "augmentation, training only"),
        ("RandomSharpness", "augmentation, training only"),
        ("RandomShear", "augmentation, training only"),
        ("RandomPosterization", "augmentation, training only"),
        ("RandomInvert", "augmentation, training only"),
        ("RandomErasing", "augmentation, training only"),
        ("RandomGaussianBlur", "augmentation, training only"),
        ("RandomPerspective", "augmentation, training only"),
        ("RandomElasticTransform", "augmentation, training only"),
        ("Solarization", "augmentation, training only"),
        ("Equalization", "Keras 3: passes images through when not training"),
        ("RandAugment", "augmentation, training only"),
        ("AugMix", "augmentation, training only"),
        ("CutMix", "augmentation, training only"),
        ("MixUp", "augmentation, training only"),
    ]
}
