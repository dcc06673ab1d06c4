import KerasGraph
import TensorModule

extension CenterCrop: RunnableLayer {
    /// The central window (offsets `(in − out) // 2`); an image smaller than the target on either axis is resized to
    /// it as Keras' `smart_resize` does (centre crop to the aspect ratio, then bilinear).
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        let (height, width, format) = (self.height, self.width, dataFormat)
        let name = self.name
        return UnaryClosureLayer { x in
            try ChannelLayout.run(x, format) { x in
                let (h, w) = (x.shape[1], x.shape[2])
                if h >= height, w >= width {
                    let top = (h - height) / 2, left = (w - width) / 2
                    return try Ops.crop(input: x, croppings: [(0, 0), (top, h - height - top), (left, w - width - left), (0, 0)])
                }
                guard h > 0, w > 0 else { throw InferenceError("layer `\(name)` (CenterCrop): empty image \(x.shape)") }
                return try Resizing.resize(x, height: height, width: width, interpolation: .bilinear, cropToAspectRatio: true)
            }
        }
    }
}
