import KerasGraph

extension IntegerLookup: ConfigEncodable {
    /// Decodes an `IntegerLookup` config whose `vocabulary` is a list of integers (`invert`, `max_tokens`,
    /// `num_oov_indices`, `oov_token`, `mask_token`, `output_mode`, `sparse`, `pad_to_max_tokens`,
    /// `vocabulary_dtype`, `oov_method`, `salt`). The registry keeps the other forms opaque, with the reason.
    package init(config c: LayerConfig) throws {
        guard case let .array(items)? = c.value("vocabulary") else {
            throw c.error("`vocabulary` is not a list in the config (\(IntegerLookup.vocabularyElsewhere))")
        }
        let vocabulary = try items.map { item -> Int64 in
            guard case let .number(d) = item, d == d.rounded(), abs(d) <= 9.007199254740992e15 else {
                throw c.error("`vocabulary` must be a list of integers")
            }
            return Int64(d)
        }
        func token(_ key: String) throws -> Int64? {
            guard let v = try c.double(key) else { return nil }
            guard v == v.rounded(), abs(v) <= 9.007199254740992e15 else { throw c.error("`\(key)` must be an integer") }
            return Int64(v)
        }
        self.init(common: try c.common(), vocabulary: vocabulary, invert: try c.bool("invert", default: false),
                  maxTokens: try c.int("max_tokens"), numOOVIndices: try c.int("num_oov_indices", default: 1),
                  oovToken: try token("oov_token") ?? -1, maskToken: try token("mask_token"),
                  outputMode: try c.string("output_mode", default: "int"), sparse: try c.bool("sparse", default: false),
                  padToMaxTokens: try c.bool("pad_to_max_tokens", default: false),
                  vocabularyDType: try c.string("vocabulary_dtype", default: "int64"),
                  oovMethod: try c.string("oov_method", default: "floormod"), salt: c.value("salt"))
    }

    /// Where Keras keeps a vocabulary that is not in the config.
    package static let vocabularyElsewhere = "an adapted vocabulary is kept in the .keras archive's assets, which KerasPort does not read, and a legacy .h5 does not store it at all"

    /// Keras 2 writes the int64 dtype for the `int` mode (see the body). Keras 3: `invert, max_tokens, num_oov_indices, oov_token, mask_token, output_mode, sparse, pad_to_max_tokens,
    /// vocabulary_dtype, idf_weights, vocabulary, vocabulary_size, oov_method, salt`. Keras 2: the same without
    /// `oov_method` and `salt`.
    package func configJSON(dialect: ConfigDialect) -> JSONValue {
        func int(_ v: Int64?) -> JSONValue { v.map { .number(Double($0)) } ?? .null }
        var base = common
        // tf_keras refuses a float dtype with `output_mode="int"` (Keras 3 writes its float32 policy there and
        // returns int64 anyway): the Keras 2 form names the dtype Keras computes.
        if dialect != .keras3, outputMode == "int", !common.dtype.contains("int") { base.dtype = invert ? vocabularyDType : "int64" }
        var m = ConfigEncoding.base(base, dialect) + [
            ("invert", .bool(invert)), ("max_tokens", ConfigEncoding.int(maxTokens)),
            ("num_oov_indices", .number(Double(numOOVIndices))), ("oov_token", int(oovToken)),
            ("mask_token", int(maskToken)), ("output_mode", .string(outputMode)), ("sparse", .bool(sparse)),
            ("pad_to_max_tokens", .bool(padToMaxTokens)), ("vocabulary_dtype", .string(vocabularyDType)),
            ("idf_weights", .null), ("vocabulary", .array(vocabulary.map { .number(Double($0)) })),
            ("vocabulary_size", .number(Double(vocabularySize))),
        ]
        if dialect == .keras3 { m += [("oov_method", .string(oovMethod)), ("salt", salt ?? .null)] }
        return .object(m)
    }
}

extension IntegerLookup: CustomBuildConfig {
    /// Keras 3 builds its lookup layers without recording an input shape: the archive holds `build_config: {}`.
    func archiveBuildConfig(inputShapes: [Shape?]) -> JSONValue? { .object([]) }
}
