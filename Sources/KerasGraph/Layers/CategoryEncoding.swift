/// `keras.layers.CategoryEncoding`: integer category ids (`0 ..< numTokens`) as one-hot, multi-hot or count
/// vectors of length `numTokens` (`sparse=False` only; the registry keeps `sparse=True` opaque, with the reason).
///
/// Shapes, as TensorFlow computes them: `one_hot` appends an axis of `numTokens` (replacing a last axis of size 1);
/// `multi_hot` and `count` replace the last axis (a rank-1 input is one sample).
public struct CategoryEncoding: WeightlessLayer {
    public var className: String { "CategoryEncoding" }
    public var common: LayerCommon
    public var numTokens: Int
    /// `one_hot`, `multi_hot` or `count`.
    public var outputMode: String
    public var sparse: Bool

    /// The output modes KerasPort runs.
    public static let outputModes: Set<String> = ["one_hot", "multi_hot", "count"]

    public init(common: LayerCommon, numTokens: Int, outputMode: String = "multi_hot", sparse: Bool = false) {
        self.common = common
        self.numTokens = numTokens
        self.outputMode = outputMode
        self.sparse = sparse
    }

    public func outputShapes(inputShapes: [Shape]) throws -> [Shape] {
        let input = try singleInput(inputShapes)
        guard numTokens > 0 else { throw configError("`num_tokens` must be positive, got \(numTokens)") }
        guard Self.outputModes.contains(outputMode) else {
            throw configError("`output_mode` must be one_hot, multi_hot or count, got `\(outputMode)`")
        }
        return [try categoryOutputShape(input, depth: numTokens, oneHot: outputMode == "one_hot")]
    }
}

extension Layer {
    /// The shape of a categorical encoding of depth `depth` (CategoryEncoding, IntegerLookup's non-int modes).
    func categoryOutputShape(_ input: Shape, depth: Int, oneHot: Bool) throws -> Shape {
        guard !input.isEmpty else { throw inputError("the input must have at least one axis") }
        if oneHot {
            return (input.count > 1 && input.last == 1 ? Array(input.dropLast()) : input) + [depth]
        }
        return Array(input.dropLast()) + [depth]
    }
}
