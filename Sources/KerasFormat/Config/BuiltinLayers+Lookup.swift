import KerasGraph

/// Lookup and encoding layers on numeric input (issue 13 "Breadth"), keyed by Keras class name. A form KerasPort
/// does not run (sparse output, TF-IDF, a vocabulary outside the config, hashed OOV buckets) stays an opaque layer
/// carrying the reason, so the file still reads, inspects and converts. Text layers (`StringLookup`,
/// `TextVectorization`) are listed in ``LayerRegistry/unsupportedClasses`` with the reason.
let lookupLayerDecoders: [String: LayerDecoder] = [
    "CategoryEncoding": { c throws in
        let layer = try CategoryEncoding(config: c)
        guard layer.sparse else { return layer }
        return opaque(c, "CategoryEncoding with `sparse=True` gives a sparse tensor; KerasPort runs dense tensors only")
    },
    "IntegerLookup": { c throws in
        guard case .array? = c.value("vocabulary") else {
            return opaque(c, "IntegerLookup's vocabulary is not in the config: \(IntegerLookup.vocabularyElsewhere)")
        }
        let layer = try IntegerLookup(config: c)
        if layer.sparse {
            return opaque(c, "IntegerLookup with `sparse=True` gives a sparse tensor; KerasPort runs dense tensors only")
        }
        if !IntegerLookup.outputModes.contains(layer.outputMode) {
            return opaque(c, "IntegerLookup with output_mode `\(layer.outputMode)` is not implemented (int, one_hot, multi_hot, count)")
        }
        if layer.numOOVIndices > 1 && layer.oovMethod != "floormod" {
            return opaque(c, "IntegerLookup with oov_method `\(layer.oovMethod)` hashes tokens with TensorFlow's FarmHash/SipHash, which KerasPort does not compute")
        }
        return layer
    },
    "Hashing": { c throws in
        if case .string? = c.value("mask_value") {
            return opaque(c, "Hashing with a string `mask_value` takes strings (text input); KerasPort runs numeric tensors only")
        }
        if let salt = c.value("salt"), salt != .null {
            return opaque(c, "Hashing with a `salt` hashes with TensorFlow's SipHash, which KerasPort does not compute")
        }
        let layer = try Hashing(config: c)
        guard layer.sparse else { return layer }
        return opaque(c, "Hashing with `sparse=True` gives a sparse tensor; KerasPort runs dense tensors only")
    },
]

private func opaque(_ c: LayerConfig, _ reason: String) -> any Layer {
    var layer = OpaqueLayer(config: c, registeredName: nil)
    layer.unsupportedReason = reason
    return layer
}
