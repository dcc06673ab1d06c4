/// `keras.layers.RandomCrop`: in training a random `height`×`width` crop. What it computes at inference depends on
/// the Keras that wrote the file (``semantics``):
/// - tf_keras 2.21: `smart_resize` to `height`×`width` (a centre crop to the target's aspect ratio, then a bilinear
///   resize);
/// - Keras 3.15: the input unchanged (`transform_images` crops only when `training`), although Keras 3 declares the
///   output `height`×`width`. KerasPort declares what Keras declares (so `inspect` agrees with Keras' summary) and,
///   like Keras, returns the input unchanged: a layer after it that needs the declared size fails in Keras too.
public struct RandomCrop: WeightlessLayer {
    public enum Semantics: Sendable, Equatable { case keras2, keras3 }
    public var className: String { "RandomCrop" }
    public var common: LayerCommon
    public var height: Int
    public var width: Int
    public var seed: Int?
    /// Keras 3's `data_format`; `nil` when the config has none (tf_keras: channels last).
    public var dataFormat: DataFormat?
    public var semantics: Semantics

    public init(common: LayerCommon, height: Int, width: Int, seed: Int? = nil, dataFormat: DataFormat? = nil,
                semantics: Semantics) {
        self.common = common
        self.height = height
        self.width = width
        self.seed = seed
        self.dataFormat = dataFormat
        self.semantics = semantics
    }

    public func outputShapes(inputShapes: [Shape]) throws -> [Shape] {
        let input = try singleInput(inputShapes)
        guard input.count == 4 || input.count == 3 else {
            throw inputError("expected images [batch, height, width, channels], got \(input.kerasDescription)")
        }
        var out = input
        if dataFormat == .channelsFirst {
            out[out.count - 2] = height
            out[out.count - 1] = width
        } else {
            out[out.count - 3] = height
            out[out.count - 2] = width
        }
        return [out]
    }
}
