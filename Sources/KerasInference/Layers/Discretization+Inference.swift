import KerasGraph
import TensorModule

extension Discretization: RunnableLayer {
    /// TensorFlow's `Bucketize`: the number of boundaries `b` with `!(x < b)` (NaN goes to the last bucket), as a
    /// float. Only `output_mode="int"` with known `bin_boundaries` runs.
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        guard outputMode == "int" else { throw inferenceError("`output_mode` `\(outputMode)` is not supported (only `int`)") }
        guard let boundaries = binBoundaries else {
            throw inferenceError("`bin_boundaries` is null (the layer was never adapted), so the buckets are unknown")
        }
        let b = boundaries.map { Float($0) }
        return UnaryClosureLayer { x in Ops.bucketize(input: x, boundaries: b) }
    }
}
