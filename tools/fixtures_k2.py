"""Keras 2 (tf_keras 2.21, TF_USE_LEGACY_KERAS=1) fixture builders. Run via `make_fixtures.py --keras 2`."""
from __future__ import annotations

import numpy as np

import fixtures_common as C
import fixtures_special as S

import tf_keras as keras
from tf_keras import layers as L

REGISTRY = []

# Keras 3 rejects these on load or computes them differently; the probe records what happens.
TF_KERAS_ONLY = {"keras2_h5": ["tf_keras"], "keras2_weights_legacy_h5": ["tf_keras"], "keras2_weights_h5": ["tf_keras"]}


def fixture(fn):
    REGISTRY.append((fn.__name__, fn))
    return fn


def start(name):
    keras.backend.clear_session()
    keras.utils.set_random_seed(C.seed_for(name))
    return np.random.default_rng(C.seed_for(name))


def finish(name, model, rng, inputs, **kw):
    C.randomize_weights(model, rng)
    return C.emit(name, model, inputs, **kw)


def set_prelu(layer, values):
    a = np.asarray(values, dtype=np.float32).reshape(layer.get_weights()[0].shape)
    layer.set_weights([a])


# ------------------------------------------------------------------ g) README example

@fixture
def example(name):
    rng = start(name)
    m = keras.Sequential([
        L.InputLayer(input_shape=(8, 8, 3), name="image"),
        L.Conv2D(4, 3, padding="same", name="conv1"),
        L.PReLU(shared_axes=[1, 2], name="prelu1"),
        L.Conv2D(4, 3, strides=2, name="conv2"),
        L.LeakyReLU(alpha=0.2, name="lrelu2"),
        L.Flatten(name="flatten"),
        L.Dense(3, name="logits"),
    ], name="example")
    x = C.random_input((2, 8, 8, 3), rng)
    man = finish(name, m, rng, [x], formats=["keras2_h5"],
                 description="the README's example: Keras 2 (tf_keras) Sequential .h5 with Conv2D + "
                             "PReLU(shared_axes=[1,2]) + Conv2D + LeakyReLU(alpha=0.2) + Flatten + Dense; input.npy",
                 covers=["README-example", "Conv2D", "PReLU", "LeakyReLU", "Flatten", "Dense"],
                 notes=["input.npy / expected.npy are copies of input_0.npy / expected_0.npy for the README command"])
    d = C.MODELS / name
    np.save(d / "input.npy", x)
    np.save(d / "expected.npy", np.load(d / "expected_0.npy"))
    del man


# ------------------------------------------------------------------ b) LeakyReLU / ReLU / PReLU

@fixture
def leaky_relu_k2(name):
    rng = start(name)
    x = L.Input((6, 6, 2), name="img")
    c = L.Conv2D(3, 3, padding="same", name="conv")(x)
    outs = [
        L.LeakyReLU(alpha=0.0, name="lrelu_0")(c),
        L.LeakyReLU(alpha=0.01, name="lrelu_0_01")(c),
        L.LeakyReLU(alpha=0.2, name="lrelu_0_2")(c),
        L.LeakyReLU(name="lrelu_default")(c),
        L.LeakyReLU(alpha=1.0, name="lrelu_1")(c),
        L.LeakyReLU(alpha=1.7, name="lrelu_1_7")(c),
    ]
    f = L.Flatten(name="flat")(c)
    outs.append(L.Dense(4, activation=L.LeakyReLU(alpha=0.1), name="dense_lrelu_obj")(f))
    outs += [
        L.ReLU(max_value=6.0, name="relu_max6")(c),
        L.ReLU(negative_slope=0.1, name="relu_slope")(c),
        L.ReLU(threshold=0.5, name="relu_threshold")(c),
        L.ReLU(max_value=1.0, negative_slope=0.2, threshold=0.25, name="relu_all")(c),
    ]
    m = keras.Model(x, outs, name="leaky_relu_k2")
    finish(name, m, rng, [3.0 * C.random_input((2, 6, 6, 2), rng)],
           formats=["keras2_h5", "keras2_weights_legacy_h5"],
           description="Keras 2 LeakyReLU alpha 0/0.01/0.2/default(0.3)/1/1.7 (config stores float32-rounded alpha), "
                       "Dense(activation=LeakyReLU(alpha=0.1)) (a layer object as activation), ReLU max_value / "
                       "negative_slope / threshold / all three",
           covers=["LeakyReLU", "ReLU", "activation:LeakyReLU-layer-object", "Conv2D", "Dense"],
           input_notes={"scale": "standard normal x3"})


@fixture
def prelu_k2(name):
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
    m = keras.Model([img, seq, vec], outs, name="prelu_k2")
    C.randomize_weights(m, rng)
    set_prelu(p["prelu_none"], C.mixed_alphas((5, 5, 3), rng))
    set_prelu(p["prelu_1"], C.mixed_alphas((1, 5, 3), rng))
    set_prelu(p["prelu_12"], [-0.5, 0.0, 1.5])
    set_prelu(p["prelu_123"], [1.25])
    set_prelu(p1, C.mixed_alphas((1, 4), rng))
    set_prelu(pd, [-0.5, 0.0, 1.5, 0.25, 2.0])
    inputs = [C.random_input((2, 5, 5, 2), rng), C.random_input((2, 7, 3), rng), C.random_input((2, 4), rng)]
    C.emit(name, m, inputs, formats=["keras2_h5", "keras2_weights_h5"],
           description="Keras 2 PReLU shared_axes None/[1]/[1,2]/[1,2,3] on Conv2D, [1] on Conv1D, none on Dense; "
                       "alphas set explicitly (negative/zero/>1); .h5 and tf_keras .weights.h5",
           covers=["PReLU", "Conv2D", "Conv1D", "Dense", "format:keras2_weights_h5", "multi-input", "multi-output"])


@fixture
def special_k2(name):
    rng = start(name)
    n = len(S.SPECIAL_VALUES)
    x = L.Input((n,), name="x")
    outs = [L.LeakyReLU(alpha=a, name=f"lrelu_{str(a).replace('.', '_').replace('-', 'neg')}")(x)
            for a in (0.0, 0.01, 1.0, 1.7, -0.5)]
    outs.append(L.LeakyReLU(name="lrelu_default")(x))
    alphas = {"prelu_alpha_0": 0.0, "prelu_alpha_neg_0_5": -0.5, "prelu_alpha_1_5": 1.5}
    made = {k: L.PReLU(name=k) for k in alphas}
    outs += [made[k](x) for k in alphas]
    outs.append(L.ReLU(negative_slope=0.5, name="relu_slope_0_5")(x))
    m = keras.Model(x, outs, name="special_k2")
    for k, a in alphas.items():
        set_prelu(made[k], np.full((n,), a))
    inputs = [S.special_vector()[None, :]]
    man = C.emit(name, m, inputs, formats=["keras2_h5"], compare="bitwise", loaders=TF_KERAS_ONLY,
                 description="Keras 2 special values (inf, -0.0, NaN, 1e30, denormals) through LeakyReLU alpha "
                             "0/0.01/1/1.7/-0.5 (negative alpha: accepted by tf_keras, rejected by Keras 3)/default, "
                             "PReLU alpha 0/-0.5/1.5, ReLU(negative_slope=0.5)",
                 covers=["LeakyReLU", "LeakyReLU-negative-alpha", "PReLU", "ReLU", "special-values"],
                 input_notes=S.special_input_notes())
    d = C.MODELS / name
    outs_v = [np.load(d / o["file"]) for o in man["outputs"]]
    man["notes"].append(S.denormal_note(inputs, outs_v))
    man["notes"].append("Keras 3 cannot load model.h5: LeakyReLU alpha=-0.5 fails its negative_slope >= 0 check")
    C.write_json(d / "manifest.json", man)


# ------------------------------------------------------------------ d) layers

@fixture
def core_k2(name):
    rng = start(name)
    m = keras.Sequential([
        L.InputLayer(input_shape=(4, 4, 2), name="x"),
        L.Flatten(name="flat"),
        L.Dense(12, name="dense1"),
        L.Activation("tanh", name="act_tanh"),
        L.Dropout(0.5, name="dropout"),
        L.GaussianNoise(0.3, name="gauss_noise"),
        L.GaussianDropout(0.3, name="gauss_dropout"),
        L.AlphaDropout(0.2, name="alpha_dropout"),
        L.Reshape((3, 4), name="reshape"),
        L.Permute((2, 1), name="permute"),
        L.SpatialDropout1D(0.3, name="sdrop1d"),
        L.Reshape((2, 2, 3), name="reshape4d"),
        L.SpatialDropout2D(0.4, name="sdrop2d"),
        L.Flatten(name="flat2"),
        L.Dense(3, name="dense2"),
        L.RepeatVector(2, name="repeat"),
        L.Flatten(name="flat3"),
        L.Dense(2, activation="sigmoid", name="out"),
    ], name="core_k2")
    finish(name, m, rng, [C.random_input((3, 4, 4, 2), rng)], formats=["keras2_h5"],
           description="Keras 2 Sequential core layers: Flatten, Dense, Activation, Dropout, GaussianNoise, "
                       "GaussianDropout, AlphaDropout, Reshape, Permute, SpatialDropout1D/2D, RepeatVector",
           covers=["Sequential", "InputLayer", "Flatten", "Dense", "Activation", "Dropout", "GaussianNoise",
                   "GaussianDropout", "AlphaDropout", "Reshape", "Permute", "SpatialDropout1D", "SpatialDropout2D",
                   "RepeatVector"], loaders=TF_KERAS_ONLY,
           notes=["Keras 3.15.1 cannot load this file: SpatialDropout1D/2D.__init__() got an unexpected keyword "
                  "argument 'trainable'"])


@fixture
def embedding_k2(name):
    rng = start(name)
    x = L.Input((5,), dtype="int32", name="tokens")
    h = L.Embedding(10, 4, name="emb")(x)
    h = L.GlobalAveragePooling1D(name="gap")(h)
    out = L.Dense(3, name="dense")(h)
    m = keras.Model(x, out, name="embedding_k2")
    ids = rng.integers(0, 10, size=(3, 5)).astype(np.int32)
    finish(name, m, rng, [ids], formats=["keras2_h5"],
           description="Keras 2 Embedding(10, 4) on int32 token ids → GlobalAveragePooling1D → Dense",
           covers=["Embedding", "GlobalAveragePooling1D", "Dense"],
           input_notes={"input_0": "int32 token indices in [0, 10), stored as int32 .npy"})


@fixture
def conv_k2(name):
    rng = start(name)
    seq = L.Input((12, 3), name="seq")
    img = L.Input((8, 8, 4), name="img")
    outs = [
        L.Conv1D(4, 3, padding="valid", name="c1_valid")(seq),
        L.Conv1D(4, 3, padding="same", strides=2, name="c1_same_s2")(seq),
        L.Conv1D(4, 3, padding="causal", dilation_rate=2, name="c1_causal_d2")(seq),
        L.Conv2D(3, 3, padding="valid", name="c2_valid")(img),
        L.Conv2D(3, 3, padding="same", strides=2, name="c2_same_s2")(img),
        L.Conv2D(2, 3, dilation_rate=2, name="c2_dil2")(img),
        L.Conv2D(4, 3, padding="same", groups=2, name="c2_groups2")(img),
        L.DepthwiseConv2D(3, depth_multiplier=2, padding="same", name="dw_dm2")(img),
        L.SeparableConv2D(3, 3, name="sep")(img),
        L.Conv2DTranspose(3, 3, strides=2, padding="same", name="ct_same_s2")(img),
        L.Conv2DTranspose(2, 3, strides=2, padding="valid", name="ct_valid_s2")(img),
    ]
    m = keras.Model([seq, img], outs, name="conv_k2")
    finish(name, m, rng, [C.random_input((2, 12, 3), rng), C.random_input((2, 8, 8, 4), rng)],
           loaders=TF_KERAS_ONLY, formats=["keras2_h5", "keras2_weights_h5"],
           description="Keras 2 Conv1D valid/same+strides/causal+dilation, Conv2D valid/same+strides/dilation/groups, "
                       "DepthwiseConv2D dm=2 (Keras 2 weight name depthwise_kernel), SeparableConv2D, "
                       "Conv2DTranspose strides 2 same/valid; .h5 and tf_keras .weights.h5",
           covers=["Conv1D", "Conv2D", "DepthwiseConv2D", "SeparableConv2D", "Conv2DTranspose",
                   "format:keras2_weights_h5"])


@fixture
def pool_k2(name):
    rng = start(name)
    seq = L.Input((9, 3), name="seq")
    img = L.Input((7, 7, 3), name="img")
    outs = [
        L.MaxPooling1D(2, padding="same", name="mp1_same")(seq),
        L.AveragePooling1D(3, strides=2, name="ap1_valid_s2")(seq),
        L.AveragePooling1D(2, padding="same", name="ap1_same")(seq),
        L.GlobalMaxPooling1D(keepdims=True, name="gmp1_keep")(seq),
        L.ZeroPadding1D(1, name="zpad1")(seq),
        L.Cropping1D((1, 2), name="crop1")(seq),
        L.UpSampling1D(3, name="up1")(seq),
        L.MaxPooling2D(2, name="mp2_valid")(img),
        L.AveragePooling2D(3, strides=2, padding="same", name="ap2_same_s2")(img),
        L.GlobalAveragePooling2D(name="gap2")(img),
        L.GlobalMaxPooling2D(keepdims=True, name="gmp2_keep")(img),
        L.ZeroPadding2D(((2, 0), (1, 1)), name="zpad2")(img),
        L.Cropping2D(((0, 1), (2, 1)), name="crop2")(img),
        L.UpSampling2D(2, name="up2_nearest")(img),
        L.UpSampling2D(2, interpolation="bilinear", name="up2_bilinear")(img),
    ]
    m = keras.Model([seq, img], outs, name="pool_k2")
    finish(name, m, rng, [C.random_input((2, 9, 3), rng), C.random_input((2, 7, 7, 3), rng)],
           formats=["keras2_h5"],
           description="Keras 2 pooling (1-D and 2-D, valid/same, global keepdims), ZeroPadding, Cropping, "
                       "UpSampling nearest/bilinear",
           covers=["MaxPooling1D", "AveragePooling1D", "GlobalMaxPooling1D", "ZeroPadding1D", "Cropping1D",
                   "UpSampling1D", "MaxPooling2D", "AveragePooling2D", "GlobalAveragePooling2D", "GlobalMaxPooling2D",
                   "ZeroPadding2D", "Cropping2D", "UpSampling2D"])


@fixture
def batchnorm_k2(name):
    rng = start(name)
    x = L.Input((4, 3, 3), name="x")
    outs = [
        L.BatchNormalization(name="bn_last")(x),
        L.BatchNormalization(axis=1, name="bn_axis1")(x),
        L.BatchNormalization(center=False, name="bn_nocenter")(x),
        L.BatchNormalization(scale=False, name="bn_noscale")(x),
        L.LayerNormalization(name="ln")(x),
    ]
    m = keras.Model(x, outs, name="batchnorm_k2")
    finish(name, m, rng, [C.random_input((2, 4, 3, 3), rng)], formats=["keras2_h5", "keras2_weights_legacy_h5"],
           description="Keras 2 BatchNormalization axis -1 / axis 1 / center=False / scale=False with random moving "
                       "stats, LayerNormalization",
           covers=["BatchNormalization", "LayerNormalization", "format:keras2_weights_legacy_h5"])


ACTS_K2 = ["linear", "relu", "elu", "selu", "gelu", "sigmoid", "hard_sigmoid", "tanh", "softmax", "softplus",
           "softsign", "swish", "exponential", "mish"]


@fixture
def activations_k2(name):
    rng = start(name)
    x = L.Input((8,), name="x")
    h = L.Dense(8, name="pre")(x)
    outs = [L.Activation(a, name=f"act_{a}")(h) for a in ACTS_K2]
    outs.append(L.Dense(4, activation="hard_sigmoid", name="dense_hard_sigmoid")(x))
    outs.append(L.ELU(alpha=0.5, name="elu_0_5")(h))
    outs.append(L.Softmax(axis=1, name="softmax_axis1")(L.Reshape((2, 4), name="reshape")(h)))
    outs.append(L.ReLU(max_value=1.5, name="relu_max")(h))
    m = keras.Model(x, outs, name="activations_k2")
    finish(name, m, rng, [2.5 * C.random_input((3, 8), rng)], loaders=TF_KERAS_ONLY, formats=["keras2_h5"],
           description="Keras 2 activation functions by string (hard_sigmoid = clip(0.2x+0.5, 0, 1), differs from "
                       "Keras 3), ELU, Softmax(axis=1), ReLU(max_value)",
           covers=["Activation", "ELU", "Softmax", "ReLU"] + [f"activation:{a}" for a in ACTS_K2]
           + ["activation:hard_sigmoid-keras2"],
           notes=["tf_keras has no 'relu6', 'leaky_relu' or 'silu' activation strings; 'swish' is silu"],
           input_notes={"scale": "standard normal x2.5"})


@fixture
def thresholded_relu_k2(name):
    rng = start(name)
    x = L.Input((8,), name="x")
    outs = [L.ThresholdedReLU(name="trelu_default")(x), L.ThresholdedReLU(theta=0.5, name="trelu_0_5")(x),
            L.ThresholdedReLU(theta=0.0, name="trelu_0")(x)]
    m = keras.Model(x, outs, name="thresholded_relu_k2")
    finish(name, m, rng, [2.0 * C.random_input((3, 8), rng)], formats=["keras2_h5"], loaders=TF_KERAS_ONLY,
           description="Keras 2 ThresholdedReLU theta default(1.0)/0.5/0 (x > theta ? x : 0); Keras 3 has no such layer",
           covers=["ThresholdedReLU"], notes=["Keras 3 cannot load this file (ThresholdedReLU was removed)"])


@fixture
def merge_k2(name):
    rng = start(name)
    a = L.Input((5,), name="a")
    b = L.Input((5,), name="b")
    c = L.Input((5,), name="c")
    s1 = L.Input((2, 5), name="s1")
    s2 = L.Input((3, 5), name="s2")
    outs = [
        L.Add(name="add3")([a, b, c]),
        L.Subtract(name="sub")([a, b]),
        L.Multiply(name="mul")([a, b]),
        L.Average(name="avg3")([a, b, c]),
        L.Maximum(name="max")([a, b]),
        L.Minimum(name="min3")([a, b, c]),
        L.Concatenate(name="concat_last")([a, b, c]),
        L.Concatenate(axis=1, name="concat_axis1")([s1, s2]),
        L.Dot(axes=1, name="dot")([a, b]),
    ]
    m = keras.Model([a, b, c, s1, s2], outs, name="merge_k2")
    inputs = [C.random_input((2, 5), rng), C.random_input((2, 5), rng), C.random_input((2, 5), rng),
              C.random_input((2, 2, 5), rng), C.random_input((2, 3, 5), rng)]
    finish(name, m, rng, inputs, formats=["keras2_h5"],
           description="Keras 2 merge layers Add/Subtract/Multiply/Average/Maximum/Minimum/Concatenate(-1 and 1)/Dot",
           covers=["Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate", "Dot"])


# ------------------------------------------------------------------ e) topology

@fixture
def multi_io_k2(name):
    rng = start(name)
    img = L.Input((6, 6, 2), name="img")
    vec = L.Input((6,), name="vec")
    h = L.Conv2D(3, 3, strides=2, padding="same", activation="relu", name="conv")(img)
    h = L.GlobalAveragePooling2D(name="gap")(h)
    h = L.Dense(6, name="proj")(h)
    shared = L.Dense(4, activation="tanh", name="shared")
    s_img = shared(h)
    s_vec = shared(vec)
    cls = L.Dense(3, activation="softmax", name="cls")(L.Concatenate(name="concat")([s_img, s_vec]))
    reg = L.Dense(2, name="reg")(L.Add(name="add")([s_img, s_vec]))
    m = keras.Model([img, vec], [cls, reg], name="multi_io_k2")
    finish(name, m, rng, [C.random_input((2, 6, 6, 2), rng), C.random_input((2, 6), rng)],
           formats=["keras2_h5", "keras2_weights_legacy_h5"],
           description="Keras 2 Functional with 2 inputs / 2 outputs and a Dense layer shared by two calls "
                       "(inbound_nodes has 2 entries; later calls reference node index 1)",
           covers=["multi-input", "multi-output", "shared-layer", "Functional"])


@fixture
def nested_k2(name):
    rng = start(name)
    inner_seq = keras.Sequential([L.InputLayer(input_shape=(8,)), L.Dense(5, name="in_dense"),
                                  L.PReLU(name="in_prelu"), L.BatchNormalization(name="in_bn")], name="inner_seq")
    ii = L.Input((5,), name="inner_in")
    inner_func = keras.Model(ii, L.LeakyReLU(alpha=0.1, name="in_lrelu")(L.Dense(4, name="in_dense2")(ii)),
                             name="inner_func")
    x = L.Input((6,), name="x")
    h = L.Dense(8, name="pre")(x)
    h = inner_seq(h)
    h = inner_func(h)
    out = L.Dense(2, name="out")(h)
    m = keras.Model(x, out, name="outer")
    finish(name, m, rng, [C.random_input((3, 6), rng)], loaders=TF_KERAS_ONLY, formats=["keras2_h5", "keras2_weights_legacy_h5"],
           description="Keras 2 Functional containing a nested Sequential (Dense, PReLU, BN) and a nested Functional "
                       "(Dense, LeakyReLU); legacy h5 weight names are inner_seq/in_dense/kernel:0",
           covers=["nested-model", "Sequential-in-Functional", "Functional-in-Functional", "PReLU",
                   "BatchNormalization", "LeakyReLU"])


@fixture
def nested_func_in_seq_k2(name):
    rng = start(name)
    ii = L.Input((5,), name="inner_in")
    ih = L.PReLU(shared_axes=None, name="in_prelu")(L.Dense(4, name="in_dense")(ii))
    inner = keras.Model(ii, L.Dense(3, name="in_dense2")(ih), name="inner")
    m = keras.Sequential([L.InputLayer(input_shape=(6,), name="x"), L.Dense(5, name="pre"), inner,
                          L.LeakyReLU(alpha=0.3, name="lrelu"), L.Dense(2, name="out")], name="outer_seq")
    finish(name, m, rng, [C.random_input((3, 6), rng)], loaders=TF_KERAS_ONLY, formats=["keras2_h5"],
           description="Keras 2 Sequential containing a nested Functional (Dense, PReLU, Dense)",
           covers=["nested-model", "Functional-in-Sequential", "Sequential", "PReLU"])


@fixture
def seq_k2(name):
    rng = start(name)
    m = keras.Sequential([L.InputLayer(input_shape=(6,), name="sd_input"), L.Dense(8, name="sd1"),
                          L.LeakyReLU(alpha=0.2, name="slr"), L.Dense(5, name="sd2"), L.PReLU(name="sp"),
                          L.Dense(3, activation="softmax", name="sd3")], name="seq")
    finish(name, m, rng, [C.random_input((3, 6), rng)], formats=["keras2_h5", "keras2_weights_legacy_h5"],
           description="plain Keras 2 Sequential Dense/LeakyReLU(0.2)/Dense/PReLU/Dense softmax (source of the "
                       "list-form and ndarray-alpha rewrites)",
           covers=["Sequential", "Dense", "LeakyReLU", "PReLU", "format:keras2_weights_legacy_h5"])


# ------------------------------------------------------------------ f) realistic

@fixture
def dcgan_generator_k2(name):
    rng = start(name)
    m = keras.Sequential([
        L.InputLayer(input_shape=(8,), name="z"),
        L.Dense(2 * 2 * 16, use_bias=False, name="project"),
        L.BatchNormalization(name="bn0"),
        L.LeakyReLU(alpha=0.2, name="lrelu0"),
        L.Reshape((2, 2, 16), name="reshape"),
        L.Conv2DTranspose(8, 4, strides=2, padding="same", use_bias=False, name="up1"),
        L.BatchNormalization(name="bn1"),
        L.LeakyReLU(alpha=0.2, name="lrelu1"),
        L.Conv2DTranspose(4, 4, strides=2, padding="same", use_bias=False, name="up2"),
        L.BatchNormalization(name="bn2"),
        L.LeakyReLU(alpha=0.2, name="lrelu2"),
        L.Conv2D(3, 3, padding="same", activation="tanh", name="to_rgb"),
    ], name="dcgan_generator")
    finish(name, m, rng, [C.random_input((2, 8), rng)], loaders=TF_KERAS_ONLY, formats=["keras2_h5"],
           description="Keras 2 DCGAN-style generator (Dense → BN → LeakyReLU(0.2) → Reshape → 2×(Conv2DTranspose "
                       "s2 + BN + LeakyReLU(0.2)) → Conv2D tanh), 8x8x3",
           covers=["realistic", "Conv2DTranspose", "BatchNormalization", "LeakyReLU", "Reshape"])


@fixture
def dcgan_discriminator_k2(name):
    rng = start(name)
    m = keras.Sequential([
        L.InputLayer(input_shape=(8, 8, 3), name="image"),
        L.Conv2D(8, 3, strides=2, padding="same", name="conv1"),
        L.LeakyReLU(alpha=0.2, name="lrelu1"),
        L.Conv2D(16, 3, strides=2, padding="same", name="conv2"),
        L.BatchNormalization(name="bn2"),
        L.LeakyReLU(alpha=0.2, name="lrelu2"),
        L.Flatten(name="flat"),
        L.Dense(1, activation="sigmoid", name="real_prob"),
    ], name="dcgan_discriminator")
    finish(name, m, rng, [C.random_input((3, 8, 8, 3), rng)], formats=["keras2_h5"],
           description="Keras 2 DCGAN-style discriminator: strided Conv2D + LeakyReLU(0.2) + BN, Flatten, Dense sigmoid",
           covers=["realistic", "Conv2D", "LeakyReLU", "BatchNormalization", "Flatten"])


@fixture
def srresnet_k2(name):
    rng = start(name)
    x = L.Input((8, 8, 3), name="lr")
    h = L.Conv2D(4, 3, padding="same", name="head_conv")(x)
    h = L.PReLU(shared_axes=[1, 2], name="head_prelu")(h)
    skip = h
    for i in range(2):
        r = L.Conv2D(4, 3, padding="same", name=f"b{i}_conv1")(h)
        r = L.BatchNormalization(name=f"b{i}_bn1")(r)
        r = L.PReLU(shared_axes=[1, 2], name=f"b{i}_prelu")(r)
        r = L.Conv2D(4, 3, padding="same", name=f"b{i}_conv2")(r)
        r = L.BatchNormalization(name=f"b{i}_bn2")(r)
        h = L.Add(name=f"b{i}_add")([h, r])
    h = L.BatchNormalization(name="trunk_bn")(L.Conv2D(4, 3, padding="same", name="trunk_conv")(h))
    h = L.Add(name="trunk_add")([h, skip])
    h = L.UpSampling2D(2, name="upsample")(h)
    h = L.PReLU(shared_axes=[1, 2], name="up_prelu")(L.Conv2D(4, 3, padding="same", name="up_conv")(h))
    out = L.Conv2D(3, 3, padding="same", activation="tanh", name="to_rgb")(h)
    m = keras.Model(x, out, name="srresnet")
    finish(name, m, rng, [C.random_input((2, 8, 8, 3), rng)], formats=["keras2_h5"], layer_outputs=True,
           description="Keras 2 SRResNet-style generator: Conv2D + PReLU(shared_axes=[1,2]), 2 residual blocks "
                       "(Conv/BN/PReLU/Conv/BN/Add), trunk skip, UpSampling2D, Conv2D tanh; 8x8→16x16",
           covers=["realistic", "PReLU", "BatchNormalization", "Add", "UpSampling2D", "layer_outputs"])


# ------------------------------------------------------------------ framework op layers (TFOpLambda)

@fixture
def espcn_k2(name):
    import tensorflow as tf
    rng = start(name)
    x = L.Input((5, 6, 3), name="lr")
    h = L.Conv2D(8, 3, padding="same", activation="relu", name="feat")(x)
    h = L.Conv2D(3 * 4, 3, padding="same", name="to_subpixel")(h)
    h = tf.nn.depth_to_space(h, 2)
    out = tf.clip_by_value(h, -0.5, 0.5)
    m = keras.Model(x, out, name="espcn")
    finish(name, m, rng, [C.random_input((2, 5, 6, 3), rng)], formats=["keras2_h5"], loaders=TF_KERAS_ONLY,
           description="tf_keras ESPCN-style sub-pixel head: Conv2D relu, Conv2D to 12 channels, "
                       "tf.nn.depth_to_space(2) (TFOpLambda, DCR order), tf.clip_by_value; 5x6 -> 10x12",
           covers=["TFOpLambda", "depth_to_space", "clip_by_value"],
           notes=["Keras 3 cannot load TFOpLambda layers: only tf_keras loads this file"])
    save_model_config(name)


@fixture
def ops_k2(name):
    import tensorflow as tf
    rng = start(name)
    x = L.Input((4, 4, 8), name="x")
    y = L.Input((4, 4, 8), name="y")
    a = tf.math.abs(x) + 0.5
    outs = [
        2.0 - x * 3.0 + y / 4.0,
        tf.math.maximum(x, y) - tf.math.minimum(x, 0.1),
        tf.math.pow(a, 1.5) + tf.math.sqrt(a) + tf.math.log(a) + tf.math.square(x),
        tf.math.exp(-a) + tf.math.negative(y) + tf.math.tanh(x) + tf.math.sigmoid(y),
        tf.math.reduce_mean(x, axis=[1, 2], keepdims=True) + tf.reduce_sum(y, -1, keepdims=True),
        tf.reduce_max(x, axis=1),
        tf.reshape(tf.transpose(x, perm=[0, 3, 1, 2]), (-1, 8, 16)),
        tf.concat([x, y], axis=-1),
        tf.squeeze(tf.expand_dims(x, 1), axis=1)[:, 1:, ::2, -3:],
        x[..., ::-2],
        x[:, -1],
        x[:, None, 1:3, :, 2],
        tf.nn.relu(x) + tf.nn.relu6(4 * y) + tf.nn.leaky_relu(x) + tf.nn.leaky_relu(y, alpha=0.3),
        tf.nn.softmax(x) + tf.nn.silu(y) + tf.nn.gelu(x) + tf.nn.gelu(y, approximate=True),
        tf.image.resize(x, (7, 9)),
        tf.image.resize(x, (3, 6), method="nearest"),
        tf.image.resize(x, (6, 5), method="nearest"),
        tf.compat.v1.nn.relu(x),
        tf.matmul(x, tf.transpose(y, perm=[0, 1, 3, 2])),
        tf.math.add(x, np.linspace(-1, 1, 8).astype(np.float32)),
        tf.nn.space_to_depth(x, 2),
    ]
    m = keras.Model([x, y], outs, name="ops")
    rng2 = np.random.default_rng(C.seed_for(name) + 1)
    finish(name, m, rng, [C.random_input((2, 4, 4, 8), rng), C.random_input((2, 4, 4, 8), rng2)],
           formats=["keras2_h5"], loaders=TF_KERAS_ONLY,
           description="tf_keras TFOpLambda/SlicingOpLambda mix: constant arithmetic (x - 2, 2 - x), binary ops "
                       "between inputs, math functions, reductions with axis/keepdims, reshape/transpose/concat/"
                       "expand_dims/squeeze, slicing (x[:, 1:], x[..., ::-2], x[:, -1], new axes), tf.nn "
                       "activations, tf.image.resize (bilinear, nearest), matmul, space_to_depth: every op has a "
                       "Keras 3 keras.ops equivalent (convert writes them as such)",
           covers=["TFOpLambda", "SlicingOpLambda"],
           notes=["Keras 3 cannot load TFOpLambda layers: only tf_keras loads this file"])
    save_model_config(name)


@fixture
def ops_tf_only_k2(name):
    import tensorflow as tf
    rng = start(name)
    x = L.Input((4, 4, 8), name="x")
    y = L.Input((4, 4, 8), name="y")
    outs = [
        tf.math.rsqrt(tf.math.abs(x) + 0.5),
        tf.compat.v1.image.resize(x, (7, 9)),
        tf.compat.v1.image.resize(x, (6, 5), method=tf.compat.v1.image.ResizeMethod.NEAREST_NEIGHBOR),
        tf.cast(x, tf.float32),
        tf.pad(x, [[0, 0], [1, 2], [0, 1], [0, 0]], constant_values=0.25),
        tf.matmul(x, y, transpose_b=True),
    ]
    m = keras.Model([x, y], outs, name="ops_tf_only")
    rng2 = np.random.default_rng(C.seed_for(name) + 1)
    finish(name, m, rng, [C.random_input((2, 4, 4, 8), rng), C.random_input((2, 4, 4, 8), rng2)],
           formats=["keras2_h5"], loaders=TF_KERAS_ONLY,
           description="tf_keras TFOpLambda ops with no Keras 3 keras.ops equivalent KerasPort writes: rsqrt, "
                       "TF 1 resize (compat.v1.image.resize, no half-pixel centres: bilinear and nearest), cast, pad "
                       "(constant value), matmul(transpose_b=True)",
           covers=["TFOpLambda"],
           notes=["Keras 3 cannot load TFOpLambda layers: only tf_keras loads this file"])
    save_model_config(name)


def save_model_config(name):
    """saved_config.json: the model_config attribute of model.h5 (as json.dumps writes it), for config write-back tests."""
    import json
    import h5py
    d = C.MODELS / name
    with h5py.File(d / "model.h5", "r") as f:
        config = json.loads(f.attrs["model_config"])
    (d / "saved_config.json").write_text(json.dumps(config))


# ------------------------------------------------------------------ a) formats

@fixture
def formats_k2(name):
    rng = start(name)
    x_in = L.Input((6, 6, 3), name="img")
    h = L.Conv2D(4, 3, name="conv")(x_in)
    h = L.BatchNormalization(name="bn")(h)
    h = L.LeakyReLU(alpha=0.2, name="lrelu")(h)
    h = L.PReLU(shared_axes=[1, 2], name="prelu")(h)
    h = L.Flatten(name="flat")(h)
    h = L.Dense(5, name="d1")(h)
    h = L.PReLU(name="prelu2")(h)
    out = L.Dense(2, name="d2")(h)
    m = keras.Model(x_in, out, name="func")
    C.randomize_weights(m, rng)
    m.compile(optimizer="adam", loss="mse")
    x = C.random_input((2, 6, 6, 3), rng)
    m.train_on_batch(x, rng.standard_normal((2, 2)).astype(np.float32))
    C.emit(name, m, [x], formats=["keras2_h5", "keras2_weights_legacy_h5", "keras2_weights_h5"],
           description="Keras 2 (tf_keras) in every format it writes: full .h5 compiled with Adam and trained one step "
                       "(training_config + optimizer_weights), save_weights legacy .h5 + model.json, "
                       "save_weights .weights.h5 (Keras-3-style layout, no @name attrs) + model.json",
           covers=["format:keras2_h5", "format:keras2_weights_legacy_h5", "format:keras2_weights_h5",
                   "optimizer_weights", "Conv2D", "BatchNormalization", "LeakyReLU", "PReLU", "Dense"],
           notes=["trained one step (train_on_batch) after random init; expected outputs use the trained weights"])


@fixture
def activations_reference_k2(name):
    """Fixtures/activations/tf_keras/: tf_keras.activations.* on a grid (hard_sigmoid is the Keras 2 one)."""
    keras.backend.clear_session()
    A = keras.activations
    fns = {n: getattr(A, n) for n in ACTS_K2}
    fns["gelu_approximate"] = lambda x: A.gelu(x, approximate=True)
    fns["relu_max6_alpha0_1_threshold0_5"] = lambda x: A.relu(x, alpha=0.1, max_value=6.0, threshold=0.5)
    fns["elu_alpha_0_5"] = lambda x: A.elu(x, alpha=0.5)
    C.activation_reference(fns)


import fixtures_recurrent  # noqa: E402  (recurrent layers, both versions)

REGISTRY += fixtures_recurrent.builders(keras, L, 2)
# Issue 13 coverage (preprocessing, activations by name, applications layers, identities): tools/fixtures_coverage.py
import fixtures_coverage as _coverage  # noqa: E402

REGISTRY += _coverage.registry(2)
# ------------------------------------------------------------------ attention and transformer normalization
import fixtures_attention  # noqa: E402

REGISTRY += fixtures_attention.registry(2, keras, L, start, finish)
# Regression fixtures for the zoo failures of issue 13, round 2: tools/fixtures_zoofix.py
import fixtures_zoofix  # noqa: E402

REGISTRY += fixtures_zoofix.registry(2, keras, L, start, finish)
# Issue 13 breadth (1-D/3-D convolution variants, lookup layers, RNN cells): tools/fixtures_breadth.py
import fixtures_breadth  # noqa: E402

REGISTRY += fixtures_breadth.registry(2)

# Issue 13 breadth, third round (RMSNormalization, adaptive pooling, ConvLSTM1D/3D, wrappers, LocallyConnected):
# tools/fixtures_breadth3.py
import fixtures_breadth3  # noqa: E402

REGISTRY += fixtures_breadth3.registry(2)
