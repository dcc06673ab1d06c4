/// Keras 3's `keras.layers.AutoContrast`: stretches each image's channels to the full ``valueRange`` (also at
/// inference): values are mapped to [0, 255], each (image, channel) plane over axes 1 and 2 is scaled so its
/// minimum becomes 0 and its maximum 255, clipped, and mapped back; where that gives NaN (a constant plane) the
/// input is kept.
public struct AutoContrast: WeightlessLayer {
    public var className: String { "AutoContrast" }
    public var common: LayerCommon
    /// `[low, high]`, sorted.
    public var valueRange: [Double]
    public var dataFormat: DataFormat
    public var boundingBoxFormat: String?

    public init(common: LayerCommon, valueRange: [Double] = [0, 255], dataFormat: DataFormat = .channelsLast,
                boundingBoxFormat: String? = nil) {
        self.common = common
        self.valueRange = valueRange
        self.dataFormat = dataFormat
        self.boundingBoxFormat = boundingBoxFormat
    }

    public func outputShapes(inputShapes: [Shape]) throws -> [Shape] {
        guard valueRange.count == 2 else { throw configError("`value_range` must have 2 values, got \(valueRange)") }
        let input = try singleInput(inputShapes)
        guard input.count == 4 else { throw inputError("expected images [batch, rows, cols, channels], got \(input.kerasDescription)") }
        return [input]
    }
}
