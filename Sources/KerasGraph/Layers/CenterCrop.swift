/// `keras.layers.CenterCrop`: the central `height × width` window of each image; an image smaller than that on
/// either axis is resized to it instead (Keras' `smart_resize`: centre crop to the target's aspect ratio, then
/// bilinear resize).
public struct CenterCrop: WeightlessLayer {
    public var className: String { "CenterCrop" }
    public var common: LayerCommon
    public var height: Int
    public var width: Int
    /// Keras 3 only; Keras 2 is always channels-last.
    public var dataFormat: DataFormat

    public init(common: LayerCommon, height: Int, width: Int, dataFormat: DataFormat = .channelsLast) {
        self.common = common
        self.height = height
        self.width = width
        self.dataFormat = dataFormat
    }

    public func outputShapes(inputShapes: [Shape]) throws -> [Shape] {
        guard height > 0, width > 0 else { throw configError("`height` and `width` must be positive, got \(height)×\(width)") }
        let input = try singleInput(inputShapes)
        let layout = try spatialLayout(input, spatialRank: 2, dataFormat: dataFormat)
        return [layout.shape(spatial: [height, width], channels: layout.channels)]
    }
}
