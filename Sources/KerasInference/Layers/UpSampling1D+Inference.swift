import KerasGraph
import TensorModule

extension UpSampling1D: RunnableLayer {
    /// Each step repeated `size` times.
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        let size = self.size
        return UnaryClosureLayer { x in try Ops.upSampling1d(input: x, size: size) }
    }
}
