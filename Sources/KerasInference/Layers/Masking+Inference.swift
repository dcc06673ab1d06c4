import KerasGraph
import TensorModule

extension Masking: RunnableLayer {
    /// `x · any(x ≠ mask_value, axis=-1)`, a multiplication as in Keras (an infinite feature in a masked step gives
    /// NaN there, as Keras' does). The mask itself is made by the plan (see `Masks.swift`).
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        let value = Float(maskValue)
        return UnaryClosureLayer { x in
            guard let features = x.shape.last, features > 0 else { return x }
            var y = x
            y.scalars.withUnsafeMutableBufferPointer { p in
                for r in 0..<(x.count / features) {
                    let row = p.baseAddress! + r * features
                    let keep: Float = (0..<features).contains { row[$0] != value } ? 1 : 0
                    for j in 0..<features { row[j] *= keep }
                }
            }
            return y
        }
    }
}
