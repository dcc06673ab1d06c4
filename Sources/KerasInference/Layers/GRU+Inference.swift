import KerasGraph
import TensorModule

extension GRU: RunnableLayer {
    /// The input projection of all steps as one matrix product, then one recurrent product and the cell update per
    /// step (Ops/recurrent(input:mask:cell:kernel:recurrentKernel:bias:goBackwards:returnSequences:zeroOutputForMask:));
    /// uses the input's Keras mask. `stateful=True` and `time_major=True` are refused.
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        try compileRecurrent(inputShapes: inputShapes)
    }
}
