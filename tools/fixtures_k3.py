"""Keras 3 (keras, TensorFlow backend) fixture builders. Run via `make_fixtures.py --keras 3`."""
from __future__ import annotations

import json

import numpy as np

import fixtures_common as C
import fixtures_special as S

import keras
from keras import layers as L

REGISTRY = []


def fixture(fn):
    REGISTRY.append((fn.__name__, fn))
    return fn


def start(name):
    keras.backend.clear_session()  # resets auto-generated layer names (input_layer_N) per fixture
    keras.utils.set_random_seed(C.seed_for(name))
    return np.random.default_rng(C.seed_for(name))


def finish(name, model, rng, inputs, **kw):
    C.randomize_weights(model, rng)
    return C.emit(name, model, inputs, **kw)


def set_prelu(layer, values):
    a = np.asarray(values, dtype=np.float32).reshape(layer.get_weights()[0].shape)
    layer.set_weights([a])


# ------------------------------------------------------------------ keras.ops calls in functional models

@fixture
def espcn_k3(name):
    from keras import ops
    rng = start(name)
    x = L.Input((5, 6, 3), name="lr")
    h = L.Conv2D(8, 3, padding="same", activation="relu", name="feat")(x)
    h = L.Conv2D(3 * 4, 3, padding="same", name="to_subpixel")(h)
    h = ops.depth_to_space(h, 2)
    out = ops.clip(h, -0.5, 0.5)
    m = keras.Model(x, out, name="espcn")
    finish(name, m, rng, [C.random_input((2, 5, 6, 3), rng)], formats=["keras"],
           description="Keras 3 ESPCN-style sub-pixel head: Conv2D relu, Conv2D to 12 channels, "
                       "keras.ops.depth_to_space(2) (keras.src.ops.nn.DepthToSpace), keras.ops.clip; 5x6 -> 10x12",
           covers=["keras.ops", "DepthToSpace", "Clip"])
    save_model_config(name)


@fixture
def ops_k3(name):
    from keras import ops
    rng = start(name)
    x = L.Input((4, 4, 8), name="x")
    y = L.Input((4, 4, 8), name="y")
    a = ops.abs(x) + 0.5
    outs = [
        2.0 - x * 3.0 + y / 4.0,
        ops.subtract(ops.maximum(x, y), ops.minimum(x, 0.1)),
        ops.power(a, 1.5) + ops.sqrt(a) + ops.log(a) + ops.square(x) + ops.exp(ops.negative(a)),
        ops.tanh(x) + ops.true_divide(x, a) + ops.divide(y, 2.0),
        ops.mean(x, axis=(1, 2), keepdims=True) + ops.sum(y, axis=-1, keepdims=True),
        ops.max(x, axis=1),
        ops.reshape(ops.transpose(x, (0, 3, 1, 2)), (-1, 8, 16)),
        ops.concatenate([x, y], axis=-1),
        ops.squeeze(ops.expand_dims(x, 1), 1)[:, 1:, ::2, -3:],
        x[..., ::-2],
        x[:, -1],
        x[:, None, 1:3, :, 2],
        ops.relu(x) + ops.relu6(4 * y) + ops.leaky_relu(x) + ops.leaky_relu(y, 0.3),
        ops.softmax(x) + ops.silu(y) + ops.gelu(x) + ops.gelu(y, approximate=False) + ops.sigmoid(x),
        ops.image.resize(x, (7, 9)),
        ops.image.resize(x, (3, 6), interpolation="nearest"),
        ops.image.resize(x, (6, 5), interpolation="nearest"),
        ops.matmul(x, ops.transpose(y, (0, 1, 3, 2))),
        ops.add(x, np.linspace(-1, 1, 8).astype(np.float32)),
        ops.space_to_depth(x, 2),
        ops.clip(x, -0.3, 0.4),
        x ** 2,
    ]
    m = keras.Model([x, y], outs, name="ops")
    rng2 = np.random.default_rng(C.seed_for(name) + 1)
    finish(name, m, rng, [C.random_input((2, 4, 4, 8), rng), C.random_input((2, 4, 4, 8), rng2)],
           formats=["keras"],
           description="Keras 3 keras.ops calls in a functional model: constant arithmetic (x - 2, 2 - x), binary "
                       "ops between inputs, math functions, reductions with axis/keepdims, reshape/transpose/"
                       "concatenate/expand_dims/squeeze, slicing (GetItem: x[:, 1:], x[..., ::-2], x[:, -1], new "
                       "axes), nn activations, image.resize (bilinear, nearest), matmul, a NumPy constant, "
                       "space_to_depth, clip, power",
           covers=["keras.ops"])
    save_model_config(name)


def save_model_config(name):
    """saved_config.json: config.json of model.keras (as json.dumps writes it), for config write-back tests."""
    import zipfile
    d = C.MODELS / name
    with zipfile.ZipFile(d / "model.keras") as z:
        config = json.loads(z.read("config.json"))
    (d / "saved_config.json").write_text(json.dumps(config))


# ------------------------------------------------------------------ b) LeakyReLU / ReLU / PReLU

@fixture
def leaky_relu_k3(name):
    rng = start(name)
    x = L.Input((6, 6, 2), name="img")
    c = L.Conv2D(3, 3, padding="same", name="conv")(x)
    outs = [
        L.LeakyReLU(negative_slope=0.0, name="lrelu_0")(c),
        L.LeakyReLU(negative_slope=0.01, name="lrelu_0_01")(c),
        L.LeakyReLU(negative_slope=0.2, name="lrelu_0_2")(c),
        L.LeakyReLU(name="lrelu_default")(c),
        L.LeakyReLU(negative_slope=1.0, name="lrelu_1")(c),
        L.LeakyReLU(negative_slope=1.7, name="lrelu_1_7")(c),
    ]
    f = L.Flatten(name="flat")(c)
    outs.append(L.Dense(4, activation="leaky_relu", name="dense_leaky")(f))
    outs += [
        L.ReLU(max_value=6.0, name="relu_max6")(c),
        L.ReLU(negative_slope=0.1, name="relu_slope")(c),
        L.ReLU(threshold=0.5, name="relu_threshold")(c),
        L.ReLU(max_value=1.0, negative_slope=0.2, threshold=0.25, name="relu_all")(c),
    ]
    m = keras.Model(x, outs, name="leaky_relu_k3")
    inputs = [3.0 * C.random_input((2, 6, 6, 2), rng)]
    finish(name, m, rng, inputs, formats=["keras"],
           description="LeakyReLU negative_slope 0/0.01/0.2/default(0.3)/1/1.7, Dense(activation='leaky_relu') "
                       "(function default 0.2), ReLU with max_value / negative_slope / threshold / all three",
           covers=["LeakyReLU", "ReLU", "Conv2D", "Flatten", "Dense", "activation:leaky_relu"],
           input_notes={"scale": "standard normal x3 so that ReLU max_value=6 clips"})


@fixture
def prelu_k3(name):
    rng = start(name)
    img = L.Input((5, 5, 2), name="img")
    seq = L.Input((7, 3), name="seq")
    vec = L.Input((4,), name="vec")
    c = L.Conv2D(3, 3, padding="same", name="conv")(img)
    p = {
        "prelu_none": L.PReLU(name="prelu_none"),
        "prelu_1": L.PReLU(shared_axes=[1], name="prelu_1"),
        "prelu_12": L.PReLU(shared_axes=[1, 2], name="prelu_12"),
        "prelu_123": L.PReLU(shared_axes=[1, 2, 3], name="prelu_123"),
    }
    outs = [layer(c) for layer in p.values()]
    c1 = L.Conv1D(4, 3, padding="same", name="conv1d")(seq)
    p1 = L.PReLU(shared_axes=[1], name="prelu1d_1")
    outs.append(p1(c1))
    d = L.Dense(5, name="dense")(vec)
    pd = L.PReLU(name="prelu_dense")
    outs.append(pd(d))
    m = keras.Model([img, seq, vec], outs, name="prelu_k3")
    C.randomize_weights(m, rng)
    # alphas set explicitly: negative, zero and >1 mixed
    set_prelu(p["prelu_none"], C.mixed_alphas((5, 5, 3), rng))
    set_prelu(p["prelu_1"], C.mixed_alphas((1, 5, 3), rng))
    set_prelu(p["prelu_12"], [-0.5, 0.0, 1.5])
    set_prelu(p["prelu_123"], [-0.75])
    set_prelu(p1, C.mixed_alphas((1, 4), rng))
    set_prelu(pd, [-0.5, 0.0, 1.5, 0.25, 2.0])
    inputs = [C.random_input((2, 5, 5, 2), rng), C.random_input((2, 7, 3), rng), C.random_input((2, 4), rng)]
    C.emit(name, m, inputs, formats=["keras"],
           description="PReLU shared_axes None/[1]/[1,2]/[1,2,3] on Conv2D output, [1] on Conv1D output, none "
                       "on Dense output; alphas set with set_weights to mixed negative/zero/>1 values",
           covers=["PReLU", "Conv2D", "Conv1D", "Dense", "multi-input", "multi-output"])


@fixture
def special_leaky_relu_k3(name):
    rng = start(name)
    n = len(S.SPECIAL_VALUES)
    x = L.Input((n,), name="x")
    outs = [L.LeakyReLU(negative_slope=s, name=f"lrelu_{str(s).replace('.', '_')}")(x)
            for s in (0.0, 0.01, 0.2, 1.0, 1.7)]
    outs.append(L.LeakyReLU(name="lrelu_default")(x))
    outs.append(L.Activation("leaky_relu", name="act_leaky_relu")(x))
    outs.append(L.ReLU(negative_slope=0.5, name="relu_slope_0_5")(x))
    outs.append(L.Activation("relu", name="act_relu")(x))
    m = keras.Model(x, outs, name="special_leaky_relu_k3")
    inputs = [S.special_vector()[None, :]]
    man = finish(name, m, rng, inputs, formats=["keras3_h5"], compare="bitwise",
                 description="special float values (inf, -0.0, NaN, 1e30, denormals) through LeakyReLU "
                             "slopes 0/0.01/0.2/default/1/1.7, Activation('leaky_relu'), ReLU(negative_slope), relu",
                 covers=["LeakyReLU", "ReLU", "Activation", "special-values"],
                 input_notes=S.special_input_notes())
    _add_denormal_note(name, man, inputs)


@fixture
def special_prelu_k3(name):
    rng = start(name)
    n = len(S.SPECIAL_VALUES)
    x = L.Input((n,), name="x")
    img = L.Input((2, 2, n // 4), name="img")
    layers_alpha = {
        "prelu_alpha_0": 0.0, "prelu_alpha_0_25": 0.25, "prelu_alpha_1": 1.0,
        "prelu_alpha_1_7": 1.7, "prelu_alpha_neg_0_5": -0.5,
    }
    made = {k: L.PReLU(name=k) for k in layers_alpha}
    mixed = L.PReLU(name="prelu_mixed")
    shared = L.PReLU(shared_axes=[1, 2], name="prelu_img_12")
    outs = [made[k](x) for k in layers_alpha] + [mixed(x), shared(img)]
    m = keras.Model([x, img], outs, name="special_prelu_k3")
    for k, a in layers_alpha.items():
        set_prelu(made[k], np.full((n,), a))
    set_prelu(mixed, C.mixed_alphas((n,), rng))
    set_prelu(shared, C.mixed_alphas((n // 4,), rng))
    v = S.special_vector()
    inputs = [v[None, :], v[: 4 * (n // 4)].reshape(1, 2, 2, n // 4)]
    notes = S.special_input_notes()
    notes["input_1"] = "the first 4*(N//4) special values reshaped to (1, 2, 2, N//4)"
    man = C.emit(name, m, inputs, formats=["keras3_h5"], compare="bitwise",
                 description="special float values through PReLU with alpha 0 (0*-inf = NaN), 0.25, 1, 1.7, -0.5, "
                             "per-element mixed alphas, and shared_axes=[1,2] on a 4-D input",
                 covers=["PReLU", "special-values"], input_notes=notes)
    _add_denormal_note(name, man, inputs)


def _add_denormal_note(name, man, inputs):
    d = C.MODELS / name
    outs = [np.load(d / o["file"]) for o in man["outputs"]]
    man["notes"].append(S.denormal_note(inputs, outs))
    C.write_json(d / "manifest.json", man)


# ------------------------------------------------------------------ d) layers

@fixture
def core_k3(name):
    rng = start(name)
    x = L.Input((4, 4, 2), name="x")
    h = L.Flatten(name="flat")(x)
    h = L.Dense(12, name="dense1")(h)
    h = L.Activation("tanh", name="act_tanh")(h)
    h = L.Dropout(0.5, name="dropout")(h)
    h = L.GaussianNoise(0.3, name="gauss_noise")(h)
    h = L.GaussianDropout(0.3, name="gauss_dropout")(h)
    h = L.AlphaDropout(0.2, name="alpha_dropout")(h)
    h = L.Reshape((3, 4), name="reshape")(h)
    h = L.Permute((2, 1), name="permute")(h)
    h = L.Flatten(name="flat2")(h)
    h = L.Dense(3, name="dense2")(h)
    h = L.RepeatVector(2, name="repeat")(h)
    h = L.Flatten(name="flat3")(h)
    out = L.Dense(2, activation="sigmoid", name="out")(h)
    m = keras.Model(x, out, name="core_k3")
    finish(name, m, rng, [C.random_input((3, 4, 4, 2), rng)], formats=["keras"], layer_outputs=True,
           description="core layers: InputLayer, Flatten, Dense, Activation, Dropout, GaussianNoise, GaussianDropout, "
                       "AlphaDropout (all identity at inference), Reshape, Permute, RepeatVector",
           covers=["InputLayer", "Flatten", "Dense", "Activation", "Dropout", "GaussianNoise", "GaussianDropout",
                   "AlphaDropout", "Reshape", "Permute", "RepeatVector", "layer_outputs"])


@fixture
def embedding_k3(name):
    rng = start(name)
    x = L.Input((5,), dtype="int32", name="tokens")
    h = L.Embedding(10, 4, name="emb")(x)
    h = L.Flatten(name="flat")(h)
    out = L.Dense(3, name="dense")(h)
    m = keras.Model(x, out, name="embedding_k3")
    ids = rng.integers(0, 10, size=(3, 5)).astype(np.int32)
    finish(name, m, rng, [ids], formats=["keras"],
           description="Embedding(10, 4) on int32 token ids → Flatten → Dense",
           covers=["Embedding", "Flatten", "Dense"],
           input_notes={"input_0": "int32 token indices in [0, 10), stored as int32 .npy"})


@fixture
def conv1d_k3(name):
    rng = start(name)
    x = L.Input((12, 3), name="seq")
    outs = [
        L.Conv1D(4, 3, padding="valid", name="c_valid")(x),
        L.Conv1D(4, 3, padding="same", strides=2, name="c_same_s2")(x),
        L.Conv1D(4, 3, padding="causal", dilation_rate=2, name="c_causal_d2")(x),
        L.Conv1D(2, 3, padding="valid", dilation_rate=2, activation="relu", name="c_valid_d2_relu")(x),
        L.SpatialDropout1D(0.3, name="sdrop1d")(L.Conv1D(3, 1, use_bias=False, name="c_k1_nobias")(x)),
    ]
    m = keras.Model(x, outs, name="conv1d_k3")
    finish(name, m, rng, [C.random_input((2, 12, 3), rng)], formats=["keras"],
           description="Conv1D valid / same+strides 2 / causal+dilation 2 / valid+dilation 2+relu / kernel 1 no bias, "
                       "SpatialDropout1D",
           covers=["Conv1D", "SpatialDropout1D"])


@fixture
def shape1d_k3(name):
    rng = start(name)
    x = L.Input((9, 3), name="seq")
    outs = [
        L.MaxPooling1D(2, name="maxpool_valid")(x),
        L.MaxPooling1D(2, padding="same", name="maxpool_same")(x),
        L.AveragePooling1D(3, strides=2, name="avgpool_valid_s2")(x),
        L.AveragePooling1D(2, padding="same", name="avgpool_same")(x),
        L.GlobalAveragePooling1D(name="gap")(x),
        L.GlobalAveragePooling1D(keepdims=True, name="gap_keep")(x),
        L.GlobalMaxPooling1D(name="gmp")(x),
        L.GlobalMaxPooling1D(keepdims=True, name="gmp_keep")(x),
        L.ZeroPadding1D((1, 2), name="zpad")(x),
        L.Cropping1D((2, 1), name="crop")(x),
        L.UpSampling1D(2, name="up")(x),
    ]
    m = keras.Model(x, outs, name="shape1d_k3")
    finish(name, m, rng, [C.random_input((2, 9, 3), rng)], formats=["keras3_h5"],
           description="1-D pooling (valid/same, odd length 9), global pooling keepdims true/false, ZeroPadding1D, "
                       "Cropping1D, UpSampling1D",
           covers=["MaxPooling1D", "AveragePooling1D", "GlobalAveragePooling1D", "GlobalMaxPooling1D",
                   "ZeroPadding1D", "Cropping1D", "UpSampling1D"])


@fixture
def conv2d_k3(name):
    rng = start(name)
    x = L.Input((8, 8, 4), name="img")
    outs = [
        L.Conv2D(3, 3, padding="valid", name="c_valid")(x),
        L.Conv2D(3, 3, padding="same", strides=2, name="c_same_s2")(x),
        L.Conv2D(2, 3, dilation_rate=2, name="c_dil2")(x),
        L.Conv2D(4, 3, padding="same", groups=2, name="c_groups2")(x),
        # One input channel per group (ConvNeXt's depthwise 7×7): runs on the depthwise kernel.
        L.Conv2D(8, 3, padding="same", groups=4, name="c_groups_dw_dm2")(x),
        L.Conv2D(4, 5, strides=2, padding="same", groups=4, use_bias=False, activation="relu",
                 name="c_groups_dw_s2")(x),
        L.Conv2D(3, (3, 2), strides=(2, 1), padding="same", use_bias=False, name="c_rect_nobias")(x),
        L.DepthwiseConv2D(3, depth_multiplier=2, padding="same", name="dw_dm2")(x),
        L.SeparableConv2D(3, 3, name="sep")(x),
        L.SeparableConv2D(3, 3, strides=2, padding="same", depth_multiplier=2, name="sep_s2_dm2")(x),
        # Xception's pattern: the BatchNormalization and ReLU after it run in its pointwise output pass.
        L.ReLU(name="sep_bn_relu")(L.BatchNormalization(name="sep_bn")(
            L.SeparableConv2D(5, 3, padding="same", use_bias=False, name="sep_nobias")(x))),
        L.Conv2DTranspose(3, 3, strides=2, padding="same", name="ct_same_s2")(x),
        L.Conv2DTranspose(2, 3, strides=2, padding="valid", name="ct_valid_s2")(x),
    ]
    m = keras.Model(x, outs, name="conv2d_k3")
    finish(name, m, rng, [C.random_input((2, 8, 8, 4), rng)], formats=["keras"],
           description="Conv2D valid / same+strides / dilation / groups=2 / groups=channels (×2 filters; strided "
                       "with ReLU) / rectangular kernel no bias, DepthwiseConv2D(depth_multiplier=2), SeparableConv2D "
                       "(plain, strided dm=2, no bias + BatchNormalization + ReLU), "
                       "Conv2DTranspose strides 2 same and valid",
           covers=["Conv2D", "DepthwiseConv2D", "SeparableConv2D", "Conv2DTranspose"])


@fixture
def shape2d_k3(name):
    rng = start(name)
    x = L.Input((7, 7, 3), name="img")
    outs = [
        L.MaxPooling2D(2, name="maxpool_valid")(x),
        L.MaxPooling2D(3, strides=2, padding="same", name="maxpool_same_s2")(x),
        L.AveragePooling2D(2, name="avgpool_valid")(x),
        L.AveragePooling2D(3, strides=2, padding="same", name="avgpool_same_s2")(x),
        L.GlobalAveragePooling2D(name="gap")(x),
        L.GlobalAveragePooling2D(keepdims=True, name="gap_keep")(x),
        L.GlobalMaxPooling2D(name="gmp")(x),
        L.GlobalMaxPooling2D(keepdims=True, name="gmp_keep")(x),
        L.ZeroPadding2D(((1, 0), (2, 1)), name="zpad")(x),
        L.Cropping2D(((1, 2), (0, 1)), name="crop")(x),
        L.UpSampling2D(2, name="up_nearest")(x),
        L.UpSampling2D((2, 3), interpolation="bilinear", name="up_bilinear")(x),
        L.SpatialDropout2D(0.3, name="sdrop2d")(x),
    ]
    m = keras.Model(x, outs, name="shape2d_k3")
    finish(name, m, rng, [C.random_input((2, 7, 7, 3), rng)], formats=["keras3_h5"],
           description="2-D pooling valid/same on odd 7x7 input, global pooling keepdims true/false, ZeroPadding2D, "
                       "Cropping2D, UpSampling2D nearest and bilinear (2,3), SpatialDropout2D",
           covers=["MaxPooling2D", "AveragePooling2D", "GlobalAveragePooling2D", "GlobalMaxPooling2D",
                   "ZeroPadding2D", "Cropping2D", "UpSampling2D", "SpatialDropout2D"])


@fixture
def padconv_k3(name):
    """ZeroPadding2D feeding a convolution (the plan folds the zeros into the convolution's padding) and
    DepthwiseConv2D → BatchNormalization → ReLU6 (one fused output pass), as in MobileNetV2 and ResNet50."""
    rng = start(name)
    x = L.Input((9, 10, 20), name="img")
    p = L.ZeroPadding2D(((0, 1), (1, 2)), name="zpad_dw")(x)
    d = L.DepthwiseConv2D(3, strides=2, padding="valid", use_bias=False, name="dw_s2")(p)
    d = L.BatchNormalization(name="dw_s2_bn")(d)
    d = L.ReLU(6.0, name="dw_s2_relu")(d)
    c = L.ZeroPadding2D(((3, 3), (2, 3)), name="zpad_conv")(x)
    c = L.Conv2D(6, 7, strides=2, padding="valid", name="conv_s2")(c)
    c = L.BatchNormalization(name="conv_s2_bn")(c)
    e = L.ZeroPadding2D(1, name="zpad_dil")(x)
    e = L.DepthwiseConv2D((3, 2), dilation_rate=2, padding="same", activation="swish", name="dw_dil")(e)
    f = L.DepthwiseConv2D(5, padding="same", name="dw_same")(x)
    f = L.BatchNormalization(name="dw_same_bn")(f)
    f = L.LeakyReLU(negative_slope=0.2, name="dw_same_lrelu")(f)
    g = L.ZeroPadding2D(((1, 1), (1, 1)), name="zpad_shared")(x)
    g1 = L.Conv2D(3, 3, name="shared_a")(g)
    g2 = L.DepthwiseConv2D(3, depth_multiplier=2, name="shared_b")(g)
    h = L.ZeroPadding2D(((2, 0), (0, 1)), name="zpad_out")(x)
    h1 = L.Conv2D(2, 3, strides=2, name="after_out")(h)
    m = keras.Model(x, [d, c, e, f, g1, g2, h, h1], name="padconv_k3")
    finish(name, m, rng, [C.random_input((2, 9, 10, 20), rng)], formats=["keras"],
           description="ZeroPadding2D folded into a following DepthwiseConv2D (stride 2, asymmetric, with "
                       "BatchNormalization + ReLU6), Conv2D (7x7 stride 2) and dilated DepthwiseConv2D (same), "
                       "DepthwiseConv2D 5x5 + BatchNormalization + LeakyReLU, a padding read by two layers "
                       "(not folded) and a padding that is also a model output (not folded); 20 channels "
                       "(vector tails)",
           covers=["ZeroPadding2D", "DepthwiseConv2D", "Conv2D", "BatchNormalization", "ReLU", "LeakyReLU",
                   "activation:swish"])


@fixture
def invres_k3(name):
    """MobileNetV2 / EfficientNet inverted-residual pairs, a 1x1 "expand" Conv2D feeding a DepthwiseConv2D, with
    expanded tensors over 1 MB (2 x 48 x 44 x 68-72 floats), so the plan runs each pair in row bands
    (TensorModule's Ops+BandFusion): a folded ZeroPadding2D + stride 2 (MobileNetV2's block_1), a 5x5 same with
    swish and a PReLU(shared_axes=[1, 2]) after it, a dilated 3x3 with bias, a whole block with its residual Add;
    channel counts not multiples of 8. Each branch ends in a small 1x1 projection (joined to the band pass too)
    to keep the expected outputs small."""
    rng = start(name)
    x = L.Input((48, 44, 6), name="img")
    a = L.Conv2D(70, 1, use_bias=False, name="a_expand")(x)
    a = L.BatchNormalization(name="a_expand_bn")(a)
    a = L.ReLU(6.0, name="a_expand_relu")(a)
    a = L.ZeroPadding2D(((0, 1), (0, 1)), name="a_pad")(a)
    a = L.DepthwiseConv2D(3, strides=2, padding="valid", use_bias=False, name="a_dw")(a)
    a = L.BatchNormalization(name="a_dw_bn")(a)
    a = L.ReLU(6.0, name="a_dw_relu")(a)
    a = L.Conv2D(5, 1, name="a_project")(a)
    b = L.Conv2D(68, 1, activation="swish", name="b_expand")(x)
    b = L.DepthwiseConv2D(5, padding="same", name="b_dw")(b)
    b = L.BatchNormalization(name="b_dw_bn")(b)
    b = L.PReLU(shared_axes=[1, 2], alpha_initializer=keras.initializers.RandomUniform(-0.5, 1.5, seed=3),
                name="b_dw_prelu")(b)
    b = L.Conv2D(4, 1, name="b_project")(b)
    c = L.Conv2D(71, 1, name="c_expand")(x)
    c = L.BatchNormalization(name="c_expand_bn")(c)
    c = L.Activation("relu", name="c_expand_relu")(c)
    c = L.DepthwiseConv2D(3, dilation_rate=2, padding="same", activation="relu", name="c_dw")(c)
    c = L.Conv2D(3, 1, name="c_project")(c)
    d = L.Conv2D(72, 1, use_bias=False, name="d_expand")(x)
    d = L.BatchNormalization(name="d_expand_bn")(d)
    d = L.ReLU(6.0, name="d_expand_relu")(d)
    d = L.DepthwiseConv2D(3, padding="same", use_bias=False, name="d_dw")(d)
    d = L.BatchNormalization(name="d_dw_bn")(d)
    d = L.ReLU(6.0, name="d_dw_relu")(d)
    d = L.Conv2D(6, 1, use_bias=False, name="d_project")(d)
    d = L.BatchNormalization(name="d_project_bn")(d)
    d = L.Add(name="d_add")([x, d])
    e = L.Conv2D(64, 3, padding="same", activation="relu", name="e_conv")(x)
    e = L.DepthwiseConv2D(3, padding="same", use_bias=False, name="e_dw")(e)
    e = L.BatchNormalization(name="e_dw_bn")(e)
    e = L.ReLU(name="e_dw_relu")(e)
    e = L.Conv2D(4, 1, name="e_project")(e)
    f0 = L.Conv2D(80, 1, activation="swish", name="f_expand")(x)
    se = L.GlobalAveragePooling2D(name="f_se_squeeze")(f0)
    se = L.Reshape((1, 1, 80), name="f_se_reshape")(se)
    se = L.Conv2D(8, 1, activation="swish", name="f_se_reduce")(se)
    se = L.Conv2D(80, 1, activation="sigmoid", name="f_se_expand")(se)
    f = L.Multiply(name="f_se_excite")([f0, se])
    f = L.Conv2D(6, 1, use_bias=False, name="f_project")(f)
    f = L.BatchNormalization(name="f_project_bn")(f)
    f = L.Add(name="f_add")([f, x])
    g = L.Multiply(name="g_se_excite")([se, f0])
    g = L.Conv2D(1, 1, name="g_project")(g)
    m = keras.Model(x, [a, b, c, d, e, f, g], name="invres_k3")
    finish(name, m, rng, [C.random_input((2, 48, 44, 6), rng)], formats=["keras"],
           description="1x1 expand Conv2D -> DepthwiseConv2D pairs with expanded tensors over 1 MB (run in row "
                       "bands): BN + ReLU6 + folded ZeroPadding2D + stride 2; swish + 5x5 same + BN + "
                       "PReLU(shared_axes=[1, 2]); BN + ReLU + dilated 3x3 with bias and relu; a whole MobileNetV2 "
                       "block with its residual Add (expand, depthwise and project in one band pass); a depthwise + "
                       "project pair after a 3x3 conv (MobileNet's separable block, no expand); a squeeze-and-"
                       "excitation Multiply joined to the 1x1 projection after it (with a residual Add; and with "
                       "the operands swapped); 64-80 channels",
           covers=["Conv2D", "DepthwiseConv2D", "BatchNormalization", "ReLU", "PReLU", "ZeroPadding2D", "Add",
                   "Multiply", "GlobalAveragePooling2D", "Reshape", "activation:sigmoid",
                   "activation:swish", "activation:relu"])


@fixture
def stem_k3(name):
    """A network's stem joined to the depthwise convolution after it (TensorModule's Ops.bandFused with a
    ConvolutionStage): the stem's output (over 64 KB per image) is made band by band and never goes to memory.
    MobileNetV2's stem + expanded_conv (3x3 stride 2 same, BN, ReLU6, depthwise, BN, ReLU6, 1x1 project, BN);
    EfficientNet's (a folded ZeroPadding2D + 3x3 stride 2 valid, BN, swish, depthwise, BN, swish, whose output two
    layers read: no project joined); a 5x5 stride-1 convolution with bias and relu before a dilated depthwise and a
    project. A 3x3 stride-1 convolution (which may run through Winograd) stays a step of its own."""
    rng = start(name)
    x = L.Input((66, 62, 3), name="img")
    a = L.Conv2D(32, 3, strides=2, padding="same", use_bias=False, name="a_stem")(x)
    a = L.BatchNormalization(name="a_stem_bn")(a)
    a = L.ReLU(6.0, name="a_stem_relu")(a)
    a = L.DepthwiseConv2D(3, padding="same", use_bias=False, name="a_dw")(a)
    a = L.BatchNormalization(name="a_dw_bn")(a)
    a = L.ReLU(6.0, name="a_dw_relu")(a)
    a = L.Conv2D(16, 1, use_bias=False, name="a_project")(a)
    a = L.BatchNormalization(name="a_project_bn")(a)
    b = L.ZeroPadding2D(((0, 1), (0, 1)), name="b_stem_pad")(x)
    b = L.Conv2D(36, 3, strides=2, padding="valid", use_bias=False, name="b_stem")(b)
    b = L.BatchNormalization(name="b_stem_bn")(b)
    b = L.Activation("swish", name="b_stem_act")(b)
    b = L.DepthwiseConv2D(3, padding="same", use_bias=False, name="b_dw")(b)
    b = L.BatchNormalization(name="b_dw_bn")(b)
    b = L.Activation("swish", name="b_dw_act")(b)
    se = L.GlobalAveragePooling2D(keepdims=True, name="b_se_squeeze")(b)
    se = L.Conv2D(36, 1, activation="sigmoid", name="b_se_expand")(se)
    b = L.Multiply(name="b_se_excite")([b, se])
    b = L.Conv2D(5, 1, name="b_project")(b)
    c = L.Conv2D(20, 5, padding="same", activation="relu", name="c_conv")(x)
    c = L.DepthwiseConv2D(3, dilation_rate=2, padding="same", name="c_dw")(c)
    c = L.Conv2D(4, 1, name="c_project")(c)
    d = L.Conv2D(24, 3, padding="same", activation="relu", name="d_conv")(x)
    d = L.DepthwiseConv2D(3, padding="same", name="d_dw")(d)
    d = L.Conv2D(3, 1, name="d_project")(d)
    m = keras.Model(x, [a, b, c, d], name="stem_k3")
    finish(name, m, rng, [C.random_input((2, 66, 62, 3), rng)], formats=["keras"],
           description="a stem Conv2D joined to the DepthwiseConv2D after it (run in row bands): MobileNetV2's "
                       "3x3 stride 2 same + BN + ReLU6 + depthwise + BN + ReLU6 + 1x1 project + BN; EfficientNet's "
                       "ZeroPadding2D + 3x3 stride 2 valid + BN + swish + depthwise + BN + swish (read by a "
                       "squeeze-and-excitation); 5x5 stride 1 same with bias and relu + dilated depthwise + project; "
                       "a 3x3 stride-1 Conv2D before a depthwise (not joined)",
           covers=["Conv2D", "DepthwiseConv2D", "BatchNormalization", "ReLU", "ZeroPadding2D", "Multiply",
                   "GlobalAveragePooling2D", "activation:sigmoid", "activation:swish", "activation:relu"])


@fixture
def padpool_k3(name):
    """ZeroPadding2D feeding a MaxPooling2D (ResNet's pool1_pad → pool1): the plan folds the zeros into the pooling,
    where they are values (a window of negative numbers at the border gives 0), not the -inf of `same` padding.
    The input is shifted negative so that border windows are mostly negative."""
    rng = start(name)
    x = L.Input((9, 10, 12), name="img")
    a = L.ZeroPadding2D(1, name="pool1_pad")(x)
    a = L.MaxPooling2D(3, strides=2, name="pool1")(a)
    b = L.ZeroPadding2D(((2, 0), (1, 3)), name="pad_same")(x)
    b = L.MaxPooling2D((2, 3), strides=(1, 2), padding="same", name="pool_same")(b)
    c = L.ZeroPadding2D(((0, 1), (2, 1)), name="pad_valid")(x)
    c = L.MaxPooling2D(2, name="pool_valid")(c)
    m = keras.Model(x, [a, b, c], name="padpool_k3")
    finish(name, m, rng, [C.random_input((2, 9, 10, 12), rng) - np.float32(1.5)], formats=["keras"],
           description="ZeroPadding2D folded into a following MaxPooling2D: symmetric 1 + 3x3 stride 2 valid "
                       "(ResNet50's pool1), asymmetric + (2,3) strides (1,2) same, asymmetric + 2x2 valid; input "
                       "shifted by -1.5 so border windows are mostly negative (the padding zeros win there); "
                       "12 channels (vector tails)",
           covers=["ZeroPadding2D", "MaxPooling2D"])


@fixture
def shortcut_k3(name):
    """Xception's entry-flow block: a strided 1x1 Conv2D + BatchNormalization shortcut computed first (Keras' order),
    then separable convolutions ending in a MaxPooling2D, then Add([pooled, shortcut]). The plan moves the shortcut
    convolution after the pooling so that the Add runs in its output pass; a second block whose shortcut is also a
    model output keeps its Add as a step of its own."""
    rng = start(name)
    x = L.Input((13, 12, 8), name="img")

    def block(h, filters, prefix):
        s = L.Conv2D(filters, 1, strides=2, padding="same", use_bias=False, name=prefix + "_sc_conv")(h)
        s = L.BatchNormalization(name=prefix + "_sc_bn")(s)
        y = L.SeparableConv2D(filters, 3, padding="same", use_bias=False, name=prefix + "_sep1")(h)
        y = L.BatchNormalization(name=prefix + "_sep1_bn")(y)
        y = L.Activation("relu", name=prefix + "_sep2_act")(y)
        y = L.SeparableConv2D(filters, 3, padding="same", use_bias=False, name=prefix + "_sep2")(y)
        y = L.BatchNormalization(name=prefix + "_sep2_bn")(y)
        y = L.MaxPooling2D(3, strides=2, padding="same", name=prefix + "_pool")(y)
        return L.Add(name=prefix + "_add")([y, s]), s

    a, _ = block(x, 16, "b1")
    b, b_shortcut = block(a, 24, "b2")
    m = keras.Model(x, [b, b_shortcut], name="shortcut_k3")
    finish(name, m, rng, [C.random_input((2, 13, 12, 8), rng)], formats=["keras"],
           description="Xception entry-flow blocks: strided 1x1 Conv2D + BN shortcut before separable convolutions "
                       "+ BN + ReLU and a 3x3 stride 2 same MaxPooling2D, then Add([pooled, shortcut]); the second "
                       "block's shortcut is also a model output",
           covers=["Conv2D", "SeparableConv2D", "BatchNormalization", "MaxPooling2D", "Add", "activation:relu"])


@fixture
def xception_middle_k3(name):
    """Xception's middle-flow blocks (keras.applications.xception): the residual sum x feeds both
    Activation('relu') -> SeparableConv2D and the next Add, three times ReLU -> SeparableConv2D -> BatchNormalization
    per block; then ReLU -> DepthwiseConv2D (5x5, stride 2) on a sum also read by a 1x1 Conv2D, and a ReLU that is a
    model output. The plan has the first two kinds of ReLU read as their convolution loads its input (no ReLU
    tensor); the ReLU returned by the model stays a step of its own."""
    rng = start(name)
    x = L.Input((9, 11, 24), name="img")
    h = L.Conv2D(24, 1, name="stem")(x)
    for b in (1, 2):
        y = h
        for i in (1, 2, 3):
            y = L.Activation("relu", name=f"b{b}_sepconv{i}_act")(y)
            y = L.SeparableConv2D(24, 3, padding="same", use_bias=False, name=f"b{b}_sepconv{i}")(y)
            y = L.BatchNormalization(name=f"b{b}_sepconv{i}_bn")(y)
        h = L.Add(name=f"b{b}_add")([y, h])
    d = L.ReLU(name="dw_act")(h)
    d = L.DepthwiseConv2D(5, strides=2, padding="same", name="dw")(d)
    d = L.BatchNormalization(name="dw_bn")(d)
    s = L.Conv2D(24, 1, strides=2, name="skip")(h)
    out = L.Add(name="out_add")([d, s])
    r = L.ReLU(name="out_relu")(out)
    m = keras.Model(x, [out, r], name="xception_middle_k3")
    finish(name, m, rng, [C.random_input((2, 9, 11, 24), rng)], formats=["keras"],
           description="Xception middle-flow blocks: Add -> Activation('relu') -> SeparableConv2D + BN (x3) with the "
                       "sum also read by the next Add; ReLU -> DepthwiseConv2D 5x5 s2 on a sum also read by a 1x1 "
                       "Conv2D; a ReLU that is a model output",
           covers=["Conv2D", "SeparableConv2D", "DepthwiseConv2D", "BatchNormalization", "Add", "ReLU",
                   "activation:relu"])


@fixture
def convnext_block_k3(name):
    """ConvNeXt's block (keras.applications.convnext): 7x7 depthwise Conv2D (groups), LayerNormalization, Dense 4x
    + GELU, Dense, LayerScale, Activation('linear') (its `identity`) and the residual `inputs + x`, a keras.ops add
    (not an Add layer); twice, the second with the sum's operands the other way round. The plan joins LayerScale,
    the identity and the sum to the second Dense's output pass."""
    from keras.src.applications.convnext import LayerScale
    rng = start(name)
    x = L.Input((6, 5, 8), name="img")

    def block(h, prefix, swap):
        y = L.Conv2D(8, 7, padding="same", groups=8, name=prefix + "_depthwise_conv")(h)
        y = L.LayerNormalization(epsilon=1e-6, name=prefix + "_layernorm")(y)
        y = L.Dense(32, name=prefix + "_pointwise_conv_1")(y)
        y = L.Activation("gelu", name=prefix + "_gelu")(y)
        y = L.Dense(8, name=prefix + "_pointwise_conv_2")(y)
        y = LayerScale(0.5, 8, name=prefix + "_layer_scale")(y)
        y = L.Activation("linear", name=prefix + "_identity")(y)
        return y + h if swap else h + y

    out = block(block(x, "b0", False), "b1", True)
    m = keras.Model(x, out, name="convnext_block_k3")
    finish(name, m, rng, [C.random_input((2, 6, 5, 8), rng)], formats=["keras"],
           description="two ConvNeXt blocks: 7x7 grouped Conv2D, LayerNormalization, Dense + GELU, Dense, LayerScale, "
                       "Activation('linear') and the residual as a keras.ops add (x + y, then y + x)",
           covers=["Conv2D", "LayerNormalization", "Dense", "LayerScale", "Activation", "activation:gelu",
                   "activation:linear"])


@fixture
def dense_block_k3(name):
    """DenseNet's dense blocks (keras.applications.densenet): each layer is BatchNormalization → ReLU →
    1x1 Conv2D → BatchNormalization → ReLU → 3x3 Conv2D (growth 3, odd) → Concatenate([x, new]) on the channel axis, so each
    Concatenate's first operand is the previous one's output (also read by the next layer's BatchNormalization);
    a transition (BatchNormalization, ReLU, 1x1 Conv2D, AveragePooling2D) between two blocks; plus Concatenates of
    three inputs on the channel axis and of two on the height and width axes (other axes)."""
    rng = start(name)
    x = L.Input((6, 7, 5), name="img")

    def block(h, layers, prefix):
        for i in range(layers):
            p = f"{prefix}_block{i + 1}"
            y = L.BatchNormalization(epsilon=1.001e-5, name=p + "_0_bn")(h)
            y = L.Activation("relu", name=p + "_0_relu")(y)
            y = L.Conv2D(8, 1, use_bias=False, name=p + "_1_conv")(y)
            y = L.BatchNormalization(epsilon=1.001e-5, name=p + "_1_bn")(y)
            y = L.Activation("relu", name=p + "_1_relu")(y)
            y = L.Conv2D(3, 3, padding="same", use_bias=False, name=p + "_2_conv")(y)
            h = L.Concatenate(axis=3, name=p + "_concat")([h, y])
        return h

    h = block(x, 3, "conv2")
    t = L.BatchNormalization(epsilon=1.001e-5, name="pool2_bn")(h)
    t = L.Activation("relu", name="pool2_relu")(t)
    t = L.Conv2D(7, 1, use_bias=False, name="pool2_conv")(t)
    t = L.AveragePooling2D(2, strides=2, name="pool2_pool")(t)
    h2 = block(t, 2, "conv3")
    out = L.BatchNormalization(epsilon=1.001e-5, name="bn")(h2)
    out = L.Activation("relu", name="relu")(out)
    three = L.Concatenate(name="concat3")([x, L.Conv2D(1, 1, name="one")(x), L.Conv2D(2, 1, name="two")(x)])
    rows = L.Concatenate(axis=1, name="concat_rows")([x, L.Conv2D(5, 1, name="same_ch")(x)])
    cols = L.Concatenate(axis=-2, name="concat_cols")([x, x])
    m = keras.Model(x, [out, h2, three, rows, cols], name="dense_block_k3")
    finish(name, m, rng, [C.random_input((3, 6, 7, 5), rng)], formats=["keras"],
           description="DenseNet-style dense blocks (BN, ReLU, 1x1 conv, BN, ReLU, 3x3 conv growth 3, "
                       "Concatenate on channels; 3 layers, transition, 2 layers), the last block's Concatenate "
                       "also a model output; Concatenate of three inputs on channels and of two on the height and "
                       "width axes; batch 3",
           covers=["Concatenate", "BatchNormalization", "Conv2D", "AveragePooling2D", "activation:relu"])


@fixture
def winograd_k3(name):
    """3x3 stride-1 convolutions of the shapes the Winograd path must handle (TensorModule's Ops+Winograd):
    odd sizes that tile neither by 2 nor by 4, same / valid / a folded asymmetric ZeroPadding2D, channel counts
    that are not multiples of 8 or 16, batch 2, and fused output passes (BatchNormalization + residual Add + ReLU,
    PReLU(shared_axes=[1, 2]) as in the SRGAN trunk)."""
    rng = start(name)
    x = L.Input((9, 11, 20), name="img")
    a = L.Conv2D(21, 3, padding="same", activation="relu", name="w_same_relu")(x)
    b = L.Conv2D(19, 3, padding="valid", name="w_valid")(a)
    c = L.ZeroPadding2D(((2, 1), (0, 1)), name="zpad")(a)
    c = L.Conv2D(17, 3, padding="valid", use_bias=False, name="w_zpad")(c)
    r = L.Conv2D(21, 3, padding="same", name="w_res")(a)
    r = L.BatchNormalization(name="w_res_bn")(r)
    r = L.Add(name="w_res_add")([r, a])
    r = L.ReLU(name="w_res_relu")(r)
    p = L.Conv2D(33, 3, padding="same", name="w_prelu")(r)
    p = L.PReLU(shared_axes=[1, 2], name="w_prelu_act")(p)
    m = keras.Model(x, [b, c, r, p], name="winograd_k3")
    finish(name, m, rng, [C.random_input((2, 9, 11, 20), rng)], formats=["keras"],
           description="3x3 stride-1 Conv2D chain for the Winograd path: same+relu (20->21 channels), valid (21->19), "
                       "asymmetric ZeroPadding2D folded into a valid conv without bias (->17), conv + "
                       "BatchNormalization + residual Add + ReLU (fused output pass), conv + PReLU(shared_axes "
                       "[1, 2]) (->33); 9x11 input, batch 2",
           covers=["Conv2D", "ZeroPadding2D", "BatchNormalization", "Add", "ReLU", "PReLU"])


@fixture
def batchnorm_k3(name):
    rng = start(name)
    x = L.Input((4, 3, 3), name="x")
    outs = [
        L.BatchNormalization(name="bn_last")(x),
        L.BatchNormalization(axis=1, name="bn_axis1")(x),
        L.BatchNormalization(center=False, name="bn_nocenter")(x),
        L.BatchNormalization(scale=False, name="bn_noscale")(x),
        L.BatchNormalization(center=False, scale=False, epsilon=0.01, name="bn_none_eps")(x),
        L.LayerNormalization(name="ln")(x),
        L.LayerNormalization(axis=[1, 2, 3], name="ln_all")(x),
    ]
    m = keras.Model(x, outs, name="batchnorm_k3")
    finish(name, m, rng, [C.random_input((2, 4, 3, 3), rng)],
           formats=["keras", "keras3_weights_h5"],
           description="BatchNormalization axis -1 / axis 1 / center=False / scale=False / both off + epsilon, with "
                       "random moving mean/variance; LayerNormalization axis -1 and [1,2,3]",
           covers=["BatchNormalization", "LayerNormalization"])


ACTS_K3 = ["linear", "relu", "relu6", "leaky_relu", "elu", "selu", "gelu", "sigmoid", "hard_sigmoid", "tanh",
           "softmax", "softplus", "softsign", "swish", "silu", "exponential", "mish"]


@fixture
def activations_k3(name):
    rng = start(name)
    x = L.Input((8,), name="x")
    h = L.Dense(8, name="pre")(x)
    outs = [L.Activation(a, name=f"act_{a}")(h) for a in ACTS_K3]
    outs.append(L.Dense(4, activation="gelu", name="dense_gelu")(x))
    outs.append(L.Dense(4, activation="hard_sigmoid", name="dense_hard_sigmoid")(x))
    outs.append(L.ELU(name="elu_default")(h))
    outs.append(L.ELU(alpha=0.5, name="elu_0_5")(h))
    outs.append(L.Softmax(name="softmax_default")(h))
    r = L.Reshape((2, 4), name="reshape")(h)
    outs.append(L.Softmax(axis=1, name="softmax_axis1")(r))
    m = keras.Model(x, outs, name="activations_k3")
    inputs = [2.5 * C.random_input((3, 8), rng)]
    finish(name, m, rng, inputs, formats=["keras"],
           description="every activation function by string name in Activation layers (Keras 3 definitions: "
                       "hard_sigmoid = relu6(x+3)/6, gelu exact erf form), plus ELU and Softmax(axis) layers",
           covers=["Activation", "ELU", "Softmax", "Reshape"] + [f"activation:{a}" for a in ACTS_K3],
           notes=["Keras 3 has no ThresholdedReLU layer (removed in 3.0); see activations_k2",
                  "the string 'gelu' is the exact (erf) form; the tanh approximation cannot be selected from a "
                  "saved config, see Fixtures/activations/ for keras.activations.gelu(x, approximate=True)"],
           input_notes={"scale": "standard normal x2.5"})


@fixture
def merge_k3(name):
    rng = start(name)
    a = L.Input((5,), name="a")
    b = L.Input((5,), name="b")
    c = L.Input((5,), name="c")
    s1 = L.Input((2, 5), name="s1")
    s2 = L.Input((3, 5), name="s2")
    outs = [
        L.Add(name="add3")([a, b, c]),
        L.Subtract(name="sub")([a, b]),
        L.Multiply(name="mul3")([a, b, c]),
        L.Average(name="avg")([a, b]),
        L.Maximum(name="max3")([a, b, c]),
        L.Minimum(name="min")([a, b]),
        L.Concatenate(name="concat_last")([a, b]),
        L.Concatenate(axis=1, name="concat_axis1")([s1, s2]),
        L.Dot(axes=1, name="dot")([a, b]),
        L.Dot(axes=1, normalize=True, name="dot_cos")([a, c]),
    ]
    m = keras.Model([a, b, c, s1, s2], outs, name="merge_k3")
    inputs = [C.random_input((2, 5), rng), C.random_input((2, 5), rng), C.random_input((2, 5), rng),
              C.random_input((2, 2, 5), rng), C.random_input((2, 3, 5), rng)]
    finish(name, m, rng, inputs, formats=["keras"],
           description="merge layers: Add/Multiply/Maximum of 3 inputs, Subtract, Average, Minimum, Concatenate "
                       "axis -1 and axis 1, Dot (plain and normalize=True)",
           covers=["Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate", "Dot"])


# ------------------------------------------------------------------ e) topology

@fixture
def multi_io_k3(name):
    rng = start(name)
    img = L.Input((6, 6, 2), name="img")
    vec = L.Input((6,), name="vec")
    h = L.Conv2D(3, 3, strides=2, padding="same", activation="relu", name="conv")(img)
    h = L.GlobalAveragePooling2D(name="gap")(h)
    h = L.Dense(6, name="proj")(h)
    shared = L.Dense(4, activation="tanh", name="shared")
    s_img = shared(h)
    s_vec = shared(vec)
    merged = L.Concatenate(name="concat")([s_img, s_vec])
    cls = L.Dense(3, activation="softmax", name="cls")(merged)
    reg = L.Dense(2, name="reg")(L.Add(name="add")([s_img, s_vec]))
    m = keras.Model([img, vec], [cls, reg], name="multi_io_k3")
    finish(name, m, rng, [C.random_input((2, 6, 6, 2), rng), C.random_input((2, 6), rng)],
           formats=["keras", "keras3_h5"],
           description="Functional with 2 inputs and 2 outputs; Dense 'shared' called twice (2 inbound nodes)",
           covers=["multi-input", "multi-output", "shared-layer", "Functional"])


@fixture
def nested_seq_in_func_k3(name):
    rng = start(name)
    inner = keras.Sequential([L.Input((8,)), L.Dense(5, name="in_dense"), L.PReLU(name="in_prelu"),
                              L.Dense(4, name="in_dense2"), L.BatchNormalization(name="in_bn")], name="inner")
    x = L.Input((6,), name="x")
    h = L.Dense(8, name="pre")(x)
    h = inner(h)
    h = L.LeakyReLU(0.2, name="lrelu")(h)
    out = L.Dense(2, name="out")(h)
    m = keras.Model(x, out, name="outer")
    finish(name, m, rng, [C.random_input((3, 6), rng)], formats=["keras", "keras3_h5", "keras3_weights_h5"],
           description="Sequential 'inner' (Dense, PReLU, Dense, BN) nested inside a Functional model",
           covers=["nested-model", "Sequential-in-Functional", "PReLU", "BatchNormalization"])


@fixture
def nested_func_in_seq_k3(name):
    rng = start(name)
    ii = L.Input((5,), name="inner_in")
    ih = L.Dense(4, name="in_dense")(ii)
    ih = L.PReLU(name="in_prelu")(ih)
    ih = L.Dense(3, name="in_dense2")(ih)
    inner = keras.Model(ii, ih, name="inner")
    m = keras.Sequential([L.Input((6,)), L.Dense(5, name="pre"), inner, L.LeakyReLU(0.1, name="lrelu"),
                          L.Dense(2, name="out")], name="outer_seq")
    finish(name, m, rng, [C.random_input((3, 6), rng)], formats=["keras", "keras3_h5"],
           description="Functional 'inner' (Dense, PReLU, Dense) nested inside a Sequential model",
           covers=["nested-model", "Functional-in-Sequential", "Sequential", "PReLU"])


@fixture
def seq_k3(name):
    rng = start(name)
    m = keras.Sequential([L.Input((6,)), L.Dense(8, name="sd1"), L.LeakyReLU(0.2, name="slr"),
                          L.Dense(5, name="sd2"), L.PReLU(name="sp"), L.Dense(3, name="sd3")], name="seq")
    finish(name, m, rng, [C.random_input((3, 6), rng)], formats=["keras3_h5", "keras3_weights_h5"],
           description="plain Sequential Dense/LeakyReLU/Dense/PReLU/Dense (Keras 3 legacy h5 prefixes Sequential "
                       "weight names with the model name: model_weights/sd1/seq/sd1/kernel)",
           covers=["Sequential", "Dense", "LeakyReLU", "PReLU"])


# ------------------------------------------------------------------ f) realistic

@fixture
def dcgan_generator_k3(name):
    rng = start(name)
    m = keras.Sequential([
        L.Input((8,), name="z"),
        L.Dense(2 * 2 * 16, use_bias=False, name="project"),
        L.BatchNormalization(name="bn0"),
        L.LeakyReLU(0.2, name="lrelu0"),
        L.Reshape((2, 2, 16), name="reshape"),
        L.Conv2DTranspose(8, 4, strides=2, padding="same", use_bias=False, name="up1"),
        L.BatchNormalization(name="bn1"),
        L.LeakyReLU(0.2, name="lrelu1"),
        L.Conv2DTranspose(4, 4, strides=2, padding="same", use_bias=False, name="up2"),
        L.BatchNormalization(name="bn2"),
        L.LeakyReLU(0.2, name="lrelu2"),
        L.Conv2D(3, 3, padding="same", activation="tanh", name="to_rgb"),
    ], name="dcgan_generator")
    finish(name, m, rng, [C.random_input((2, 8), rng)], formats=["keras"], layer_outputs=True,
           description="DCGAN-style generator: Dense → BN → LeakyReLU(0.2) → Reshape → 2×(Conv2DTranspose s2 + BN + "
                       "LeakyReLU(0.2)) → Conv2D tanh, 8x8x3 output; random BN moving stats",
           covers=["realistic", "Conv2DTranspose", "BatchNormalization", "LeakyReLU", "Reshape", "activation:tanh",
                   "layer_outputs"])


@fixture
def dcgan_discriminator_k3(name):
    rng = start(name)
    x = L.Input((8, 8, 3), name="image")
    h = L.Conv2D(8, 3, strides=2, padding="same", name="conv1")(x)
    h = L.LeakyReLU(0.2, name="lrelu1")(h)
    h = L.Conv2D(16, 3, strides=2, padding="same", name="conv2")(h)
    h = L.BatchNormalization(name="bn2")(h)
    h = L.LeakyReLU(0.2, name="lrelu2")(h)
    h = L.Flatten(name="flat")(h)
    h = L.Dropout(0.3, name="drop")(h)
    out = L.Dense(1, activation="sigmoid", name="real_prob")(h)
    m = keras.Model(x, out, name="dcgan_discriminator")
    finish(name, m, rng, [C.random_input((3, 8, 8, 3), rng)], formats=["keras"],
           description="DCGAN-style discriminator: strided Conv2D + LeakyReLU(0.2) (+BN), Flatten, Dropout, "
                       "Dense sigmoid",
           covers=["realistic", "Conv2D", "LeakyReLU", "BatchNormalization", "Flatten", "activation:sigmoid"])


def _srresnet(keras_mod, Lm, n_blocks=2, ch=4):
    x = Lm.Input((8, 8, 3), name="lr")
    h = Lm.Conv2D(ch, 3, padding="same", name="head_conv")(x)
    h = Lm.PReLU(shared_axes=[1, 2], name="head_prelu")(h)
    skip = h
    for i in range(n_blocks):
        r = Lm.Conv2D(ch, 3, padding="same", name=f"b{i}_conv1")(h)
        r = Lm.BatchNormalization(name=f"b{i}_bn1")(r)
        r = Lm.PReLU(shared_axes=[1, 2], name=f"b{i}_prelu")(r)
        r = Lm.Conv2D(ch, 3, padding="same", name=f"b{i}_conv2")(r)
        r = Lm.BatchNormalization(name=f"b{i}_bn2")(r)
        h = Lm.Add(name=f"b{i}_add")([h, r])
    h = Lm.Conv2D(ch, 3, padding="same", name="trunk_conv")(h)
    h = Lm.BatchNormalization(name="trunk_bn")(h)
    h = Lm.Add(name="trunk_add")([h, skip])
    h = Lm.UpSampling2D(2, name="upsample")(h)
    h = Lm.Conv2D(ch, 3, padding="same", name="up_conv")(h)
    h = Lm.PReLU(shared_axes=[1, 2], name="up_prelu")(h)
    out = Lm.Conv2D(3, 3, padding="same", activation="tanh", name="to_rgb")(h)
    return keras_mod.Model(x, out, name="srresnet")


@fixture
def srresnet_k3(name):
    rng = start(name)
    m = _srresnet(keras, L)
    finish(name, m, rng, [C.random_input((2, 8, 8, 3), rng)], formats=["keras"],
           description="SRResNet-style generator: Conv2D + PReLU(shared_axes=[1,2]), 2 residual blocks "
                       "(Conv/BN/PReLU/Conv/BN/Add), trunk skip Add, UpSampling2D x2, Conv2D tanh; 8x8→16x16",
           covers=["realistic", "PReLU", "BatchNormalization", "Add", "UpSampling2D", "Conv2D", "activation:tanh"],
           notes=["per-layer outputs of the same architecture are in srresnet_k2/layer_outputs (Keras 2)"])


# ------------------------------------------------------------------ a) formats

def formats_model(keras_mod, Lm, leaky):
    """The FORMATS.md §1.2 model: Conv2D → BN → LeakyReLU → PReLU([1,2]) → Flatten → Dense → PReLU → Dense."""
    x = Lm.Input((6, 6, 3), name="img")
    h = Lm.Conv2D(4, 3, name="conv")(x)
    h = Lm.BatchNormalization(name="bn")(h)
    h = leaky(name="lrelu")(h)
    h = Lm.PReLU(shared_axes=[1, 2], name="prelu")(h)
    h = Lm.Flatten(name="flat")(h)
    h = Lm.Dense(5, name="d1")(h)
    h = Lm.PReLU(name="prelu2")(h)
    out = Lm.Dense(2, name="d2")(h)
    return keras_mod.Model(x, out, name="func")


@fixture
def formats_k3(name):
    rng = start(name)
    m = formats_model(keras, L, lambda name: L.LeakyReLU(negative_slope=0.2, name=name))
    C.randomize_weights(m, rng)
    m.compile(optimizer="adam", loss="mse")
    x = C.random_input((2, 6, 6, 3), rng)
    m.train_on_batch(x, rng.standard_normal((2, 2)).astype(np.float32))
    C.emit(name, m, [x], formats=["keras", "keras3_h5", "keras3_weights_h5", "keras3_sharded"],
           shard_gb=2e-6,
           description="Keras 3 in every format: .keras, legacy .h5 (compiled with Adam and trained one step, so it has "
                       "training_config and optimizer_weights), .weights.h5 + model.json, sharded "
                       "model.weights.json (max_shard_size=2e-6 GB ≈ 2 kB → several shards) + model.json",
           covers=["format:keras", "format:keras3_h5", "format:keras3_weights_h5", "format:keras3_sharded",
                   "optimizer_weights", "Conv2D", "BatchNormalization", "LeakyReLU", "PReLU", "Dense"],
           notes=["trained one step (train_on_batch) after random init; expected outputs are from the trained "
                  "weights, with training=False",
                  ".keras is saved before .h5 (the legacy h5 writer pops 'optimizer' from the live compile config)"])


# ------------------------------------------------------------------ a) synthetic Keras 1 file (real weights)

@fixture
def syn_keras1_weights(name):
    """A Keras 1.2 style save_weights file + Keras 1 JSON, filled from a real Keras 3 model's weights."""
    import h5py

    rng = start(name)
    # TF has no NCHW Conv2D on CPU, so the real model runs channels_last and permutes to (C,H,W) before
    # Flatten, which is exactly what a Keras 1 'th' model computes on an NCHW input.
    m = keras.Sequential([
        L.Input((8, 8, 1), name="input"),
        L.Conv2D(4, 3, activation="relu", name="convolution2d_1"),
        L.Permute((3, 1, 2), name="to_channels_first"),
        L.Flatten(name="flatten_1"),
        L.Dense(6, name="dense_1"),
        L.PReLU(name="prelu_1"),
        L.Dense(3, name="dense_2"),
    ], name="sequential_1")
    C.randomize_weights(m, rng)
    x = C.random_input((2, 1, 8, 8), rng)
    d = C.fresh_dir(name)
    outputs = C.run_model(m, [np.ascontiguousarray(np.transpose(x, (0, 2, 3, 1)))])
    np.save(d / "input_0.npy", x)
    np.save(d / "expected_0.npy", outputs[0])
    kernel, bias = m.get_layer("convolution2d_1").get_weights()
    th_kernel = np.transpose(kernel, (3, 2, 0, 1))  # (kh,kw,in,out) → (out,in,kh,kw)
    weights = {
        "convolution2d_1": [("convolution2d_1_W", th_kernel), ("convolution2d_1_b", bias)],
        "flatten_1": [],
        "dense_1": [("dense_1_W", m.get_layer("dense_1").get_weights()[0]),
                    ("dense_1_b", m.get_layer("dense_1").get_weights()[1])],
        "prelu_1": [("prelu_1_alphas", m.get_layer("prelu_1").get_weights()[0])],
        "dense_2": [("dense_2_W", m.get_layer("dense_2").get_weights()[0]),
                    ("dense_2_b", m.get_layer("dense_2").get_weights()[1])],
    }
    with h5py.File(d / "keras1_weights.h5", "w") as f:
        names = list(weights)
        f.attrs["layer_names"] = np.array([n.encode() for n in names], dtype=f"S{max(map(len, names))}")
        for lname, ws in weights.items():
            g = f.create_group(lname)
            if ws:
                wn = [w for w, _ in ws]
                g.attrs["weight_names"] = np.array([w.encode() for w in wn], dtype=f"S{max(map(len, wn))}")
            else:
                g.attrs["weight_names"] = np.array([], dtype=np.float64)
            for wname, arr in ws:
                g.create_dataset(wname, data=np.asarray(arr, dtype=np.float32))
    keras1_config = {"class_name": "Sequential", "config": [
        {"class_name": "Convolution2D", "config": {
            "name": "convolution2d_1", "trainable": True, "batch_input_shape": [None, 1, 8, 8],
            "input_dtype": "float32", "nb_filter": 4, "nb_row": 3, "nb_col": 3, "init": "glorot_uniform",
            "activation": "relu", "border_mode": "valid", "subsample": [1, 1], "dim_ordering": "th",
            "W_regularizer": None, "b_regularizer": None, "activity_regularizer": None,
            "W_constraint": None, "b_constraint": None, "bias": True}},
        {"class_name": "Flatten", "config": {"name": "flatten_1", "trainable": True}},
        {"class_name": "Dense", "config": {
            "name": "dense_1", "trainable": True, "output_dim": 6, "input_dim": 144, "init": "glorot_uniform",
            "activation": "linear", "W_regularizer": None, "b_regularizer": None, "activity_regularizer": None,
            "W_constraint": None, "b_constraint": None, "bias": True}},
        {"class_name": "PReLU", "config": {"name": "prelu_1", "trainable": True, "init": "zero"}},
        {"class_name": "Dense", "config": {
            "name": "dense_2", "trainable": True, "output_dim": 3, "input_dim": 6, "init": "glorot_uniform",
            "activation": "linear", "W_regularizer": None, "b_regularizer": None, "activity_regularizer": None,
            "W_constraint": None, "b_constraint": None, "bias": True}},
    ]}
    (d / "keras1_model.json").write_text(json.dumps(keras1_config))
    ins, outs = C.model_io(m)
    ins[0]["shape"] = [None, 1, 8, 8]
    ins[0].update({"file": "input_0.npy", "npy_dtype": "float32", "array_shape": list(x.shape)})
    outs[0].update({"file": "expected_0.npy", "array_shape": list(outputs[0].shape)})
    man = {
        "name": name,
        "description": "Keras 1.2 style weights-only HDF5 (no keras_version/backend attrs, fixed-length NULLPAD "
                       "names, flat weight names dense_1_W/dense_1_b/prelu_1_alphas, conv kernel in 'th' order "
                       "(out,in,kh,kw)) + Keras 1 Sequential list-form JSON; weights copied from a real Keras 3 "
                       "model whose outputs are the expected values",
        "covers": ["format:keras1_weights_h5", "Keras1-config", "PReLU", "Conv2D-channels_first"],
        **C.versions(),
        "model_class": "Sequential",
        "model_name": "sequential_1",
        "files": [{
            "format": "keras1_weights_h5", "file": "keras1_weights.h5", "config": "keras1_model.json",
            "loaders": [],
            "rewritten_from": "weights of an in-memory Keras 3 Sequential (layers listed under 'layers')",
            "rule": "Keras 1.2 save_weights layout written with h5py: root @layer_names fixed 'S' NULLPAD, per layer "
                    "@weight_names fixed 'S' (empty list = float64 (0,)), datasets <layer>/<layer>_W|_b|_alphas "
                    "directly in the layer group; convolution2d_1_W = transpose(keras3_kernel, (3,2,0,1)) i.e. "
                    "(out,in,kh,kw) for dim_ordering 'th' with the TensorFlow backend (no spatial flip)",
            "description": "synthetic Keras 1 weights file + Keras 1 architecture JSON",
        }],
        "inputs": ins,
        "outputs": outs,
        "expected_computed_by": "the source Keras 3 model: model(transpose(x, (0,2,3,1)), training=False); that model "
                                "is channels_last Conv2D + Permute((3,1,2)) + Flatten, i.e. the Keras 1 'th' graph "
                                "on the NCHW input_0.npy",
        "compare": "tolerance",
        "tolerance": {"atol": 1e-5, "rtol": 1e-4},
        "seed": C.seed_for(name),
        "layers": C.layer_records(m),
        "layers_note": "'layers' describes the source Keras 3 model (channels_last, with an extra Permute layer "
                       "'to_channels_first'); the Keras 1 file itself has no Permute layer",
        "keras1_conversion": {
            "convolution2d_1_W": "file (4,1,3,3) (out,in,kh,kw) → Keras 2/3 kernel (3,3,1,4) by transpose (2,3,1,0)",
            "dense_1_W": "(in,out) as in Keras 2/3", "prelu_1_alphas": "(6,) one alpha per Dense unit",
            "flatten_1": "flattens the channels_first (4,6,6) tensor in C order (no channel move)",
        },
        "notes": ["no real Keras loads this pair (modern Keras cannot parse Keras 1 configs; Keras 3 does no "
                  "Keras 1 weight conversion), so check_interop has no loader for it"],
    }
    C.write_json(d / "manifest.json", man)


@fixture
def activations_reference_k3(name):
    """Fixtures/activations/keras3/: keras.activations.* on a grid, incl. gelu(approximate=True)."""
    keras.backend.clear_session()
    A = keras.activations
    fns = {n: getattr(A, n) for n in ACTS_K3}
    fns["gelu_approximate"] = lambda x: A.gelu(x, approximate=True)
    fns["leaky_relu_default"] = lambda x: A.leaky_relu(x)
    fns["relu_max6_slope0_1_threshold0_5"] = lambda x: A.relu(x, negative_slope=0.1, max_value=6.0, threshold=0.5)
    fns["elu_alpha_0_5"] = lambda x: A.elu(x, alpha=0.5)
    C.activation_reference(fns)


@fixture
def prelu_axes_k3(name):
    """Every shared_axes combination of PReLU for rank-3 and rank-4 inputs (after a convolution, so exporters
    that run convolutions channels-first see them in that layout) and some for rank 5 (straight from an input)."""
    import itertools

    rng = start(name)
    seq = L.Input((7, 3), name="seq")
    img = L.Input((5, 4, 3), name="img")
    vol = L.Input((3, 4, 2, 3), name="vol")
    c1 = L.Conv1D(3, 1, name="conv1d")(seq)
    c2 = L.Conv2D(3, 1, name="conv2d")(img)
    outs, prelus = [], []
    for src, rank, tag in ((c1, 3, "r3"), (c2, 4, "r4")):
        for k in range(rank):
            for axes in itertools.combinations(range(1, rank), k):
                p = L.PReLU(shared_axes=list(axes) or None, name=f"prelu_{tag}_" + ("".join(map(str, axes)) or "none"))
                outs.append(p(src))
                prelus.append(p)
    for axes in ((), (4,), (1, 2, 3), (1, 3), (2, 4), (1, 2, 3, 4)):
        p = L.PReLU(shared_axes=list(axes) or None, name="prelu_r5_" + ("".join(map(str, axes)) or "none"))
        outs.append(p(vol))
        prelus.append(p)
    m = keras.Model([seq, img, vol], outs, name="prelu_axes_k3")
    C.randomize_weights(m, rng)
    for p in prelus:
        set_prelu(p, C.mixed_alphas(tuple(p.get_weights()[0].shape), rng))
    inputs = [C.random_input((2, 7, 3), rng), C.random_input((2, 5, 4, 3), rng), C.random_input((2, 3, 4, 2, 3), rng)]
    C.emit(name, m, inputs, formats=["keras"],
           description="PReLU with every shared_axes combination on rank-3 (Conv1D output) and rank-4 (Conv2D "
                       "output) tensors, and six on a rank-5 input; alphas mixed negative/zero/>1",
           covers=["PReLU", "Conv1D", "Conv2D", "multi-input", "multi-output"])


@fixture
def anysize_deconv_k3(name):
    """Conv2DTranspose on an image of unknown size ((None, None, 3)): the same shared layers run on two inputs of
    different sizes (8x8 and 11x7), so one run checks both sizes (issue 15: ONNX ConvTranspose without the size)."""
    rng = start(name)
    a = L.Input((None, None, 3), name="img_a")
    b = L.Input((None, None, 3), name="img_b")
    layers = [
        (L.Conv2DTranspose(2, 3, strides=2, padding="same", name="ct_same_s2"),
         L.Conv2DTranspose(2, 3, strides=2, padding="valid", name="ct_valid_s2")),
        (L.Conv2DTranspose(2, 3, strides=2, padding="same", output_padding=1, name="ct_same_op1"),),
        (L.Conv2DTranspose(2, 2, strides=3, padding="valid", output_padding=2, dilation_rate=1, name="ct_valid_op2"),),
        (L.Conv2DTranspose(2, (3, 2), strides=(1, 2), padding="same", name="ct_rect"),),
    ]
    outs = []
    for x in (a, b):
        for chain in layers:
            y = x
            for layer in chain:
                y = layer(y)
            outs.append(y)
    m = keras.Model([a, b], outs, name="anysize_deconv_k3")
    finish(name, m, rng, [C.random_input((2, 8, 8, 3), rng), C.random_input((2, 11, 7, 3), rng)], formats=["keras"],
           description="Conv2DTranspose (same/valid, output_padding, rectangular strides) on (None, None, 3) inputs, "
                       "each layer shared by an 8x8 and an 11x7 input",
           covers=["Conv2DTranspose", "any-size input", "shared layers", "multi-input", "multi-output"])


import fixtures_recurrent  # noqa: E402  (recurrent layers, both versions)

REGISTRY += fixtures_recurrent.builders(keras, L, 3)
# Issue 13 coverage (preprocessing, activations by name, applications layers, identities): tools/fixtures_coverage.py
import fixtures_coverage as _coverage  # noqa: E402

REGISTRY += _coverage.registry(3)
# ------------------------------------------------------------------ attention and transformer normalization
import fixtures_attention  # noqa: E402

REGISTRY += fixtures_attention.registry(3, keras, L, start, finish)
# Regression fixtures for the zoo failures of issue 13, round 2: tools/fixtures_zoofix.py
import fixtures_zoofix  # noqa: E402

REGISTRY += fixtures_zoofix.registry(3, keras, L, start, finish)
# Issue 13 breadth (1-D/3-D convolution variants, lookup layers, RNN cells): tools/fixtures_breadth.py
import fixtures_breadth  # noqa: E402

REGISTRY += fixtures_breadth.registry(3)

# Issue 13 breadth, third round (RMSNormalization, adaptive pooling, ConvLSTM1D/3D, wrappers, LocallyConnected):
# tools/fixtures_breadth3.py
import fixtures_breadth3  # noqa: E402

REGISTRY += fixtures_breadth3.registry(3)
