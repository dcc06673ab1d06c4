/// `keras.layers.Hashing` on numeric input, without a `salt`: each value truncated to an integer, written in
/// decimal, fingerprinted with TensorFlow's FarmHash `Fingerprint64` and taken modulo `numBins` (with `maskValue`,
/// that value gives bin 0 and the others `1 + hash mod (numBins − 1)`); the `one_hot`, `multi_hot` and `count`
/// modes encode those bins. String input, a `salt` (SipHash) and `sparse=True` are kept opaque by the registry.
public struct Hashing: WeightlessLayer {
    public var className: String { "Hashing" }
    public var common: LayerCommon
    public var numBins: Int
    public var maskValue: Double?
    /// `int`, `one_hot`, `multi_hot` or `count`.
    public var outputMode: String
    public var sparse: Bool

    /// The output modes KerasPort runs.
    public static let outputModes: Set<String> = ["int", "one_hot", "multi_hot", "count"]

    public init(common: LayerCommon, numBins: Int, maskValue: Double? = nil, outputMode: String = "int",
                sparse: Bool = false) {
        self.common = common
        self.numBins = numBins
        self.maskValue = maskValue
        self.outputMode = outputMode
        self.sparse = sparse
    }

    public func outputShapes(inputShapes: [Shape]) throws -> [Shape] {
        let input = try singleInput(inputShapes)
        guard numBins > 0 else { throw configError("`num_bins` must be positive, got \(numBins)") }
        guard Self.outputModes.contains(outputMode) else {
            throw configError("`output_mode` `\(outputMode)` is not supported (int, one_hot, multi_hot, count)")
        }
        if outputMode == "int" { return [input] }
        return [try categoryOutputShape(input, depth: numBins, oneHot: outputMode == "one_hot")]
    }
}
