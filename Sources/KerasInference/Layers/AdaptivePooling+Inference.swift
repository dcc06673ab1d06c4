import KerasGraph
import TensorModule

extension AdaptivePooling: RunnableLayer {
    /// ``Ops/adaptivePool(input:outputSize:kind:)`` on channels-last data (channels-first input is transposed there
    /// and back).
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        _ = try outputShapes(inputShapes: inputShapes)
        let (size, format) = (outputSize, dataFormat)
        let op: Ops.PoolKind = kind == .max ? .max : .average
        return UnaryClosureLayer { x in
            try ChannelLayout.run(x, format) { try Ops.adaptivePool(input: $0, outputSize: size, kind: op) }
        }
    }
}
