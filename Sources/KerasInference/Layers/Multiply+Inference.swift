import KerasGraph
import TensorModule

extension Multiply: RunnableLayer {
    /// Keras `Multiply`: the element-wise product, left to right, broadcasting as Keras does.
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        var layer = CompiledProduct()
        // A `[batch, h, w, c]` tensor times a `[batch, 1, 1, c]` one (squeeze-and-excitation): the plan may join
        // the product to the 1×1 convolution reading it (``CompiledModel/bandFuse(_:outputSlots:)``).
        if inputShapes.count == 2, inputShapes.allSatisfy({ $0.count == 4 }) {
            for k in 0..<2 {
                let (image, scale) = (inputShapes[k], inputShapes[1 - k])
                if scale[1] == 1, scale[2] == 1, let c = scale[3], image[3] == c, image[1] != 1 || image[2] != 1 {
                    layer.channelScale = (image: k, scale: 1 - k)
                }
            }
        }
        return layer
    }
}

/// A compiled `Multiply`.
struct CompiledProduct: CompiledLayer {
    /// Which input is a `[batch, h, w, c]` tensor and which its `[batch, 1, 1, c]` per-image channel scale, when
    /// the product is one.
    var channelScale: (image: Int, scale: Int)?

    func run(_ inputs: [Tensor]) throws -> [Tensor] {
        [try Ops.multiply(inputs: try Multiply.equalRanks(inputs))]
    }
}
