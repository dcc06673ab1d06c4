import KerasGraph
import TensorModule

extension RandomCrop: RunnableLayer {
    /// Keras 3: the identity. tf_keras: `smart_resize` (the centre crop to the target's aspect ratio, then bilinear
    /// `tf.image.resize` with half-pixel centres), as `Resizing(crop_to_aspect_ratio=True)` computes it.
    package func compile(inputShapes: [Shape]) throws -> any CompiledLayer {
        let input = try singleInput(inputShapes)
        _ = try outputShapes(inputShapes: inputShapes)
        guard semantics == .keras2 else { return IdentityLayer() }
        guard dataFormat ?? .channelsLast == .channelsLast else {
            throw inferenceError("tf_keras' RandomCrop is channels-last only")
        }
        guard input.count == 4 else { throw inferenceError("expected images [batch, height, width, channels], got \(input.kerasDescription)") }
        let (height, width) = (self.height, self.width)
        return UnaryClosureLayer { x in
            try Resizing.resize(x, height: height, width: width, interpolation: .bilinear, cropToAspectRatio: true)
        }
    }
}
