/// `keras.layers.IntegerLookup`: integer tokens → vocabulary indices (or, with `invert`, indices → tokens), with a
/// vocabulary held in the config. Index order, as Keras builds it: the mask index 0 (only with a `maskToken` and
/// `output_mode="int"`), then `numOOVIndices` out-of-vocabulary indices, then the vocabulary in order.
/// Out-of-vocabulary tokens take the one OOV index, or with several `oov + floormod(token, numOOVIndices)`.
/// `one_hot`, `multi_hot` and `count` encode those indices over ``depth`` (the mask left out).
public struct IntegerLookup: WeightlessLayer {
    public var className: String { "IntegerLookup" }
    public var common: LayerCommon
    public var vocabulary: [Int64]
    public var invert: Bool
    public var maxTokens: Int?
    public var numOOVIndices: Int
    public var oovToken: Int64
    public var maskToken: Int64?
    /// `int`, `one_hot`, `multi_hot` or `count`.
    public var outputMode: String
    public var sparse: Bool
    public var padToMaxTokens: Bool
    public var vocabularyDType: String
    /// `floormod` (the only method for integers KerasPort runs).
    public var oovMethod: String
    public var salt: JSONValue?

    /// The output modes KerasPort runs.
    public static let outputModes: Set<String> = ["int", "one_hot", "multi_hot", "count"]

    public init(common: LayerCommon, vocabulary: [Int64], invert: Bool = false, maxTokens: Int? = nil,
                numOOVIndices: Int = 1, oovToken: Int64 = -1, maskToken: Int64? = nil, outputMode: String = "int",
                sparse: Bool = false, padToMaxTokens: Bool = false, vocabularyDType: String = "int64",
                oovMethod: String = "floormod", salt: JSONValue? = nil) {
        self.common = common
        self.vocabulary = vocabulary
        self.invert = invert
        self.maxTokens = maxTokens
        self.numOOVIndices = numOOVIndices
        self.oovToken = oovToken
        self.maskToken = maskToken
        self.outputMode = outputMode
        self.sparse = sparse
        self.padToMaxTokens = padToMaxTokens
        self.vocabularyDType = vocabularyDType
        self.oovMethod = oovMethod
        self.salt = salt
    }

    /// The index of the first OOV slot: 1 with a mask token in `int` mode (the mask takes 0), else 0.
    public var oovStartIndex: Int { maskToken != nil && outputMode == "int" ? 1 : 0 }
    /// The index of the first vocabulary token.
    public var tokenStartIndex: Int { oovStartIndex + numOOVIndices }
    /// Keras' `vocabulary_size()`: the specials and the vocabulary.
    public var vocabularySize: Int { tokenStartIndex + vocabulary.count }
    /// The length of the encoded vectors in the non-`int` modes.
    public var depth: Int { padToMaxTokens ? (maxTokens ?? vocabularySize) : vocabularySize }

    public func outputShapes(inputShapes: [Shape]) throws -> [Shape] {
        let input = try singleInput(inputShapes)
        guard Self.outputModes.contains(outputMode) else {
            throw configError("`output_mode` `\(outputMode)` is not supported (int, one_hot, multi_hot, count)")
        }
        guard numOOVIndices >= 0 else { throw configError("`num_oov_indices` must be ≥ 0, got \(numOOVIndices)") }
        if outputMode == "int" { return [input] }
        guard !invert else { throw configError("`invert=True` needs `output_mode=\"int\"`") }
        return [try categoryOutputShape(input, depth: depth, oneHot: outputMode == "one_hot")]
    }
}
