import KerasGraph
import TensorModule

extension Hashing: RunnableLayer {
    /// FarmHash `Fingerprint64` of each value's decimal string (the value truncated to an integer, as Keras casts
    /// floats to int64), modulo the bins; then the categorical encoding for the non-`int` modes.
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        guard !sparse else { throw inferenceError("`sparse=True` gives a sparse tensor; KerasPort runs dense tensors only") }
        let (bins, mask) = (numBins, maskValue.map { Float($0) })
        let mode = outputMode == "int" ? nil : Ops.CategoryMode(rawValue: outputMode)
        return UnaryClosureLayer { x in
            let y = try Ops.hashBuckets(input: x, bins: bins, maskValue: mask)
            guard let mode else { return y }
            return try Ops.encodeCategories(input: y, depth: bins, mode: mode)
        }
    }
}
