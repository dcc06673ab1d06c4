/// `keras.layers.Resizing`: resizes images to `height × width` (TensorFlow's `tf.image.resize`, optionally after a
/// centre crop to the target's aspect ratio).
public struct Resizing: WeightlessLayer {
    public var className: String { "Resizing" }
    public var common: LayerCommon
    public var height: Int
    public var width: Int
    public var interpolation: Interpolation
    public var cropToAspectRatio: Bool
    /// Keras 3 only (as are the keys below): pad instead of crop to the aspect ratio.
    public var padToAspectRatio: Bool
    public var fillMode: String
    public var fillValue: Double
    public var antialias: Bool
    public var dataFormat: DataFormat

    public init(common: LayerCommon, height: Int, width: Int, interpolation: Interpolation = .bilinear,
                cropToAspectRatio: Bool = false, padToAspectRatio: Bool = false, fillMode: String = "constant",
                fillValue: Double = 0, antialias: Bool = false, dataFormat: DataFormat = .channelsLast) {
        self.common = common
        self.height = height
        self.width = width
        self.interpolation = interpolation
        self.cropToAspectRatio = cropToAspectRatio
        self.padToAspectRatio = padToAspectRatio
        self.fillMode = fillMode
        self.fillValue = fillValue
        self.antialias = antialias
        self.dataFormat = dataFormat
    }

    public func outputShapes(inputShapes: [Shape]) throws -> [Shape] {
        guard height > 0, width > 0 else { throw configError("`height` and `width` must be positive, got \(height)×\(width)") }
        let input = try singleInput(inputShapes)
        let layout = try spatialLayout(input, spatialRank: 2, dataFormat: dataFormat)
        return [layout.shape(spatial: [height, width], channels: layout.channels)]
    }
}
