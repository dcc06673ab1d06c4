import KerasGraph
import TensorModule

extension ReLU: RunnableLayer {
    /// Keras' `relu(x, negative_slope, max_value, threshold)`, step by step as Keras 3 computes it
    /// (`where(x > threshold, x, 0)` for a non-zero threshold).
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        let (slope, maxValue, threshold) = (negativeSlope, self.maxValue, self.threshold)
        let op = Ops.Activation.reluGeneral(negativeSlope: slope, maxValue: maxValue, threshold: threshold,
                                            thresholdForm: .select)
        return ElementwiseLayer(postOps: [.activation(op)]) { x in
            Ops.relu(input: x, negativeSlope: slope, maxValue: maxValue, threshold: threshold, thresholdForm: .select)
        }
    }
}
