import KerasGraph
import TensorModule

extension Resizing: RunnableLayer {
    /// `tf.image.resize` with `bilinear` (half-pixel centres) or `nearest`, without antialiasing, after a centre crop
    /// to the target's aspect ratio when `crop_to_aspect_ratio` is set. Other interpolations, `antialias` and
    /// `pad_to_aspect_ratio` are not implemented: compiling fails, naming the layer and the option.
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        guard interpolation == .bilinear || interpolation == .nearest else {
            throw inferenceError("interpolation `\(interpolation.rawValue)` is not supported (only `bilinear` and `nearest`)")
        }
        guard !antialias || interpolation == .nearest else {
            throw inferenceError("`antialias=True` is not supported")
        }
        guard !padToAspectRatio else { throw inferenceError("`pad_to_aspect_ratio=True` is not supported") }
        let (height, width, interpolation, crop, format) = (self.height, self.width, self.interpolation, cropToAspectRatio, dataFormat)
        return UnaryClosureLayer { x in
            try ChannelLayout.run(x, format) { x in
                try Resizing.resize(x, height: height, width: width, interpolation: interpolation, cropToAspectRatio: crop)
            }
        }
    }

    /// Resizes channels-last `x` (rank 4) as Keras' TensorFlow backend does.
    static func resize(_ x: Tensor, height: Int, width: Int, interpolation: Interpolation,
                       cropToAspectRatio: Bool) throws -> Tensor {
        var x = x
        if cropToAspectRatio {
            let (h, w) = (x.shape[1], x.shape[2])
            let box = Ops.aspectRatioCrop(height: h, width: w, targetHeight: height, targetWidth: width)
            x = try Ops.crop(input: x, croppings: [(0, 0), (box.top, h - box.height - box.top),
                                                  (box.left, w - box.width - box.left), (0, 0)])
        }
        switch interpolation {
        case .nearest: return try Ops.resizeNearest(input: x, height: height, width: width)
        default: return try Ops.resizeBilinear(input: x, height: height, width: width)
        }
    }
}
