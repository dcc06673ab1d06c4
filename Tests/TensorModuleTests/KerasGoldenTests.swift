import Testing
import TensorModule
import _TestSupport

/// Expected values produced by real Keras 3.15.1 / TensorFlow 2.21.0 (the pinned tools/.venv) with
/// this script; inputs are small multiples of 1/4 or 1/2 so every product and sum is exact, hence
/// exact comparison (any difference is a semantic one: padding placement, window, interpolation).
///
/// ```python
/// import numpy as np, keras
/// def seq(n, m, s, o): return ((np.arange(n) % m) - o).astype(np.float32) * s
/// xi = seq(18, 7, 0.5, 3).reshape(1,3,3,2); k = seq(72, 5, 0.25, 2).reshape(3,3,4,2)
/// for pad in ["same","valid"]:
///     l = keras.layers.Conv2DTranspose(4, 3, strides=2, padding=pad, use_bias=False)
///     l.build((None,3,3,2)); l.set_weights([k]); print(l(xi).numpy().reshape(-1))
/// img = (np.arange(6, dtype=np.float32)*1.5-2).reshape(1,2,3,1)
/// print(keras.layers.UpSampling2D((3,2), interpolation="bilinear")(img).numpy().reshape(-1))
/// x5 = seq(75, 11, 0.5, 5).reshape(1,5,5,3)
/// print(keras.layers.AveragePooling2D(2, strides=2, padding="same")(x5).numpy().reshape(-1))
/// kc = seq(24, 7, 0.25, 3).reshape(2,2,3,2)
/// l = keras.layers.Conv2D(2, 2, strides=2, padding="same", use_bias=False); l.build((None,5,5,3)); l.set_weights([kc])
/// kd = seq(54, 5, 0.5, 2).reshape(3,3,3,2)
/// l = keras.layers.DepthwiseConv2D(3, strides=2, padding="same", depth_multiplier=2, use_bias=False)
/// l.build((None,5,5,3)); l.set_weights([kd])
/// ```
enum KerasGolden {
    static let convTranspose_same_shape = [1, 6, 6, 4]
    static let convTranspose_same: [Float] = [1.0, -0.25, -0.25, 0.375, -0.875, 1.0, -0.25, -0.25, 0.625, -0.875, 0.75, -0.125, -0.125, 0.25, 0.0, -0.25, -0.375, 0.125, 0.0, -0.125, 0.625, -0.5, 0.25, -0.25, -0.25, 0.375, -0.875, 1.0, -0.25, -0.25, 0.375, -0.875, 0.75, -0.125, -0.375, 0.625, 0.0, -0.25, 0.125, -0.125, 0.0, -0.125, 0.375, -0.375, 0.25, -0.25, -0.125, 0.625, -1.25, 0.625, 1.25, -0.625, 0.0, -1.25, 0.625, 1.25, -0.125, 0.125, -1.5, 0.625, -0.375, 0.5, 0.125, -0.25, 0.5, -0.75, 0.5, -0.125, 0.125, 0.5, -0.375, 0.0, 1.5, -0.375, -0.375, -0.375, -0.375, 1.5, -0.375, -0.375, -0.625, -0.125, 1.0, 0.25, -0.125, -0.25, 0.25, -0.5, 0.375, -0.125, 0.0, 0.125, 0.125, -0.25, 0.0, 0.25, -1.25, 0.0, -0.625, 1.25, 0.625, -1.25, 0.0, -0.625, 1.75, 1.0, -1.625, 0.125, -0.625, 0.5, 0.375, -0.375, 0.625, -0.75, 0.375, 0.25, -0.125, 0.5, -0.125, -0.125, -0.25, -0.25, 1.0, -0.875, 0.375, -0.25, -0.25, 1.0, -1.125, 0.75, -1.125, 0.75, -0.25, -0.25, 0.375, -0.875, 0.75, -0.125, -0.375, 0.625, 0.0, -0.25, 0.125, -0.125]
    static let convTranspose_valid_shape = [1, 7, 7, 4]
    static let convTranspose_valid: [Float] = [1.0, -0.25, -0.25, 0.375, -0.875, 1.0, -0.25, -0.25, 0.625, -0.875, 0.75, -0.125, -0.125, 0.25, 0.0, -0.25, -0.375, 0.125, 0.0, -0.125, 0.625, -0.5, 0.25, -0.25, -0.125, 0.625, -0.5, 0.25, -0.25, 0.375, -0.875, 1.0, -0.25, -0.25, 0.375, -0.875, 0.75, -0.125, -0.375, 0.625, 0.0, -0.25, 0.125, -0.125, 0.0, -0.125, 0.375, -0.375, 0.25, -0.25, -0.125, 0.625, -0.5, 0.25, -0.25, -0.125, -1.25, 0.625, 1.25, -0.625, 0.0, -1.25, 0.625, 1.25, -0.125, 0.125, -1.5, 0.625, -0.375, 0.5, 0.125, -0.25, 0.5, -0.75, 0.5, -0.125, 0.125, 0.5, -0.375, 0.0, -0.25, 0.125, 0.5, -0.375, 1.5, -0.375, -0.375, -0.375, -0.375, 1.5, -0.375, -0.375, -0.625, -0.125, 1.0, 0.25, -0.125, -0.25, 0.25, -0.5, 0.375, -0.125, 0.0, 0.125, 0.125, -0.25, 0.0, 0.25, -0.125, 0.125, -0.25, 0.0, -1.25, 0.0, -0.625, 1.25, 0.625, -1.25, 0.0, -0.625, 1.75, 1.0, -1.625, 0.125, -0.625, 0.5, 0.375, -0.375, 0.625, -0.75, 0.375, 0.25, -0.125, 0.5, -0.125, -0.125, -0.125, -0.125, 0.5, -0.125, -0.25, -0.25, 1.0, -0.875, 0.375, -0.25, -0.25, 1.0, -1.125, 0.75, -1.125, 0.75, -0.25, -0.25, 0.375, -0.875, 0.75, -0.125, -0.375, 0.625, 0.0, -0.25, 0.125, -0.125, 0.25, 0.0, -0.25, 0.125, 1.0, -0.875, 0.375, -0.25, -0.25, 1.0, -0.875, 0.375, -1.125, 0.75, 0.75, -1.125, 0.375, -0.875, 1.0, -0.25, -0.375, 0.625, -0.875, 0.75, 0.125, -0.125, 0.25, 0.0, -0.25, 0.125, -0.125, 0.25]
    static let bilinear_3x2: [Float] = [-2.0, -1.625, -0.875, -0.125, 0.625, 1.0, -2.0, -1.625, -0.875, -0.125, 0.625, 1.0, -0.4999997615814209, -0.1249997615814209, 0.6250002384185791, 1.375000238418579, 2.125000238418579, 2.500000238418579, 1.0000004768371582, 1.3750004768371582, 2.125000476837158, 2.875000476837158, 3.625000476837158, 4.000000476837158, 2.5, 2.875, 3.625, 4.375, 5.125, 5.5, 2.5, 2.875, 3.625, 4.375, 5.125, 5.5]
    static let avgPoolSame_shape = [1, 3, 3, 3]
    static let avgPoolSame: [Float] = [-0.75, -0.25, 0.25, 0.875, 0.0, -0.875, -1.0, -0.5, 0.0, -0.875, -0.375, 0.125, 0.75, -0.125, 0.375, 0.25, 0.75, -1.5, 0.75, 1.25, 1.75, -1.75, -1.25, -0.75, 0.5, 1.0, 1.5]
    static let convSameEven_shape = [1, 3, 3, 2]
    static let convSameEven: [Float] = [1.5, -0.125, 2.75, 1.0, 1.0, 0.25, -1.875, 1.375, -0.625, 3.875, -2.625, -2.875, 0.25, -0.5, 1.5, 1.375, -0.25, 0.5]
    static let depthwise_shape = [1, 3, 3, 6]
    static let depthwise: [Float] = [-1.0, 3.75, -0.5, -1.0, -1.0, -0.5, -3.25, -2.75, -0.75, 6.0, -2.75, 2.75, -0.25, 4.0, -1.75, -2.75, -0.5, -2.0, 4.0, -1.25, -1.0, -1.0, -1.25, 4.0, -3.5, 0.0, 4.0, 0.5, 4.25, -4.5, 2.5, -1.5, -4.25, -2.0, -0.5, -0.75, -0.5, -1.0, -1.0, -0.5, 3.75, -1.0, -0.75, 6.0, -2.75, 2.75, -1.25, -1.75, -1.75, -2.75, -0.5, -2.0, -0.75, 3.75]
}

func sequence(_ shape: [Int], modulo: Int, scale: Float, offset: Int) -> Tensor {
    let n = shape.reduce(1, *)
    return Tensor(shape: shape, scalars: (0..<n).map { Float(($0 % modulo) - offset) * scale })
}

@Suite("Keras golden values")
struct KerasGoldenTests {
    let xi = sequence([1, 3, 3, 2], modulo: 7, scale: 0.5, offset: 3)
    let kt = sequence([3, 3, 4, 2], modulo: 5, scale: 0.25, offset: 2)
    let x5 = sequence([1, 5, 5, 3], modulo: 11, scale: 0.5, offset: 5)

    @Test func conv2dTransposeSameAndValid() throws {
        let same = try Ops.conv2dTranspose(input: xi, kernel: kt, strides: (2, 2), padding: .same)
        #expect(same.shape == KerasGolden.convTranspose_same_shape)
        #expect(same.scalars == KerasGolden.convTranspose_same)
        let valid = try Ops.conv2dTranspose(input: xi, kernel: kt, strides: (2, 2), padding: .valid)
        #expect(valid.shape == KerasGolden.convTranspose_valid_shape)
        #expect(valid.scalars == KerasGolden.convTranspose_valid)
    }

    /// Bit-exact: same float operations in the same order as TF's ResizeBilinear (half-pixel centres);
    /// the golden values carry TF's rounding artefacts (e.g. -0.49999976).
    @Test func bilinearUpsampling() throws {
        let img = Tensor(shape: [1, 2, 3, 1], scalars: (0..<6).map { Float($0) * 1.5 - 2 })
        let y = try Ops.upSampling2d(input: img, size: (3, 2), interpolation: .bilinear)
        #expect(y.shape == [1, 6, 6, 1])
        #expect(y.scalars == KerasGolden.bilinear_3x2)
    }

    @Test func averagePoolingSame() throws {
        let y = try Ops.avgPool2d(input: x5, poolSize: (2, 2), strides: (2, 2), padding: .same)
        #expect(y.shape == KerasGolden.avgPoolSame_shape)
        #expect(y.scalars == KerasGolden.avgPoolSame)
    }

    @Test func conv2dSameEvenKernelStride2() throws {
        let k = sequence([2, 2, 3, 2], modulo: 7, scale: 0.25, offset: 3)
        let y = try Ops.conv2d(input: x5, kernel: k, strides: (2, 2), padding: .same)
        #expect(y.shape == KerasGolden.convSameEven_shape)
        #expect(y.scalars == KerasGolden.convSameEven)
    }

    @Test func depthwiseMultiplierChannelOrder() throws {
        let k = sequence([3, 3, 3, 2], modulo: 5, scale: 0.5, offset: 2)
        let y = try Ops.depthwiseConv2d(input: x5, kernel: k, strides: (2, 2), padding: .same)
        #expect(y.shape == KerasGolden.depthwise_shape)
        #expect(y.scalars == KerasGolden.depthwise)
    }
}
