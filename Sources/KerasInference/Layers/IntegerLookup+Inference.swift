import KerasGraph
import TensorModule

extension IntegerLookup: RunnableLayer {
    /// Token → index (or index → token with `invert`) through a table built from the config's vocabulary, then for
    /// the `one_hot`/`multi_hot`/`count` modes the categorical encoding over ``depth``. Values are floats, so tokens
    /// are exact up to 2^24. An out-of-vocabulary token with `num_oov_indices=0` is an error, as in Keras.
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        guard !sparse else { throw inferenceError("`sparse=True` gives a sparse tensor; KerasPort runs dense tensors only") }
        guard numOOVIndices <= 1 || oovMethod == "floormod" else {
            throw inferenceError("`oov_method` `\(oovMethod)` hashes tokens with TensorFlow's FarmHash/SipHash, which KerasPort does not compute")
        }
        let mask = maskToken.map { Float($0) }
        if invert {
            var inverse: [Float: Float] = [:]
            for i in 0..<numOOVIndices { inverse[Float(oovStartIndex + i)] = Float(oovToken) }
            for (i, t) in vocabulary.enumerated() { inverse[Float(tokenStartIndex + i)] = Float(t) }
            let table = inverse, oov = Float(oovToken)
            return UnaryClosureLayer { x in
                var y = x
                for i in y.scalars.indices {
                    let v = y.scalars[i]
                    y.scalars[i] = mask != nil && v == 0 ? mask! : table[v] ?? oov
                }
                return y
            }
        }
        var forward: [Float: Float] = [:]
        for (i, t) in vocabulary.enumerated() where forward[Float(t)] == nil { forward[Float(t)] = Float(tokenStartIndex + i) }
        let table = forward
        let (oovStart, oovCount, name) = (oovStartIndex, numOOVIndices, self.name)
        let mode = outputMode == "int" ? nil : Ops.CategoryMode(rawValue: outputMode)
        let depth = self.depth
        return UnaryClosureLayer { x in
            var y = x
            for i in y.scalars.indices {
                let v = y.scalars[i]
                if let mask, v == mask {
                    y.scalars[i] = mode == nil ? 0 : -1    // int: the mask index; encodings leave it out
                } else if let index = table[v] {
                    y.scalars[i] = index
                } else if oovCount == 1 {
                    y.scalars[i] = Float(oovStart)
                } else if oovCount > 1 {
                    let k = Int(v.rounded(.down)), m = ((k % oovCount) + oovCount) % oovCount
                    y.scalars[i] = Float(oovStart + m)
                } else {
                    throw InferenceError("layer `\(name)` (IntegerLookup): token \(v) is not in the vocabulary and `num_oov_indices` is 0")
                }
            }
            guard let mode else { return y }
            return try Ops.encodeCategories(input: y, depth: depth, mode: mode, skip: { $0 < 0 })
        }
    }
}
