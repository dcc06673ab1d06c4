"""Fixture builders for issue 13's coverage: preprocessing layers, activations by name, keras.applications' own
layers and the layers that are the identity at inference, for Keras 3 and tf_keras.

Imported by fixtures_k3.py / fixtures_k2.py (which add `registry(keras_major)` to their REGISTRY), so it runs in
the phase of the Keras it builds for: `tools/.venv/bin/python tools/make_fixtures.py --only preprocessing_k3`.
"""
from __future__ import annotations

import numpy as np

import fixtures_common as C


def _keras():
    return C.keras_module()


def _start(name):
    keras = _keras()
    keras.backend.clear_session()
    keras.utils.set_random_seed(C.seed_for(name))
    return np.random.default_rng(C.seed_for(name))


def _randomize(model, rng):
    """C.randomize_weights for every layer but Normalization (its adapted statistics are set by adapt(); a random
    variance could be negative and its `count` is an integer variable)."""
    orig = C._leaf_layers

    def leaves(layer):
        return [l for l in orig(layer) if l.__class__.__name__ != "Normalization"]

    C._leaf_layers = leaves
    try:
        C.randomize_weights(model, rng)
    finally:
        C._leaf_layers = orig


def _image(shape, rng, scale=255.0):
    return (rng.uniform(0.0, 1.0, shape) * scale).astype(np.float32)


# ------------------------------------------------------------------ preprocessing

def preprocessing(name, k3: bool):
    keras = _keras()
    L = keras.layers
    rng = _start(name)
    x = L.Input((10, 12, 3), name="img")
    r = L.Rescaling(1.0 / 127.5, offset=-1.0, name="rescale")(x)
    # Statistics set as adapt() would leave them (adapt() itself records the adapt batch in the .keras build_config).
    norm = L.Normalization(axis=-1, name="norm_adapted")
    n = norm(r)
    outs = [
        L.CenterCrop(6, 8, name="center_crop")(n),
        L.CenterCrop(7, 5, name="center_crop_odd")(n),
        L.CenterCrop(14, 16, name="center_crop_upscale")(n),
        L.Resizing(5, 7, name="resize_bilinear_down")(n),
        L.Resizing(17, 23, name="resize_bilinear_up")(n),
        L.Resizing(14, 9, interpolation="nearest", name="resize_nearest")(n),
        L.Resizing(6, 6, crop_to_aspect_ratio=True, name="resize_crop_aspect")(n),
        L.Resizing(4, 9, interpolation="nearest", crop_to_aspect_ratio=True, name="resize_nearest_crop")(n),
        L.Rescaling([0.5, 2.0, -1.0], offset=[0.1, 0.0, -0.3], name="rescale_per_channel")(x),
        L.Normalization(axis=-1, mean=[100.0, 120.0, 140.0], variance=[400.0, 900.0, 2500.0], name="norm_config")(x),
        L.Normalization(axis=-1, mean=[0.2, -0.1, 0.05], variance=[0.5, 2.0, 1e-16], invert=True,
                        name="norm_invert")(n),
    ]
    norm2 = L.Normalization(axis=(1, 3), name="norm_axes_1_3")
    outs.append(norm2(x))
    norm3 = L.Normalization(axis=None, name="norm_axis_none")
    outs.append(norm3(x))
    v = L.Input((7,), name="values")
    outs.append(L.Discretization(bin_boundaries=[-1.0, 0.0, 0.5, 2.0], name="discretize")(v))
    m = keras.Model([x, v], outs, name=name)
    _randomize(m, rng)

    def stats(layer, data, axes):
        mean = data.mean(axis=axes)
        var = data.var(axis=axes)
        count = layer.get_weights()[2]
        layer.set_weights([mean.astype(np.float32), var.astype(np.float32), np.asarray(data.size // max(mean.size, 1), dtype=count.dtype)])
        layer.finalize_state()

    stats(norm, _image((4, 10, 12, 3), rng) / 127.5 - 1.0, (0, 1, 2))
    stats(norm2, _image((3, 10, 12, 3), rng), (0, 2))
    stats(norm3, _image((3, 10, 12, 3), rng), None)
    values = np.array([[-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, np.inf], [np.nan, -np.inf, 2.0, 1.99, -1.01, 0.49, 3.0]],
                      dtype=np.float32)
    inputs = [_image((2, 10, 12, 3), rng), values]
    # Keras 3's legacy .h5 loader builds Normalization(axis=(1, 3)) with one axis and rejects its weights; the
    # .keras archive and tf_keras keep it.
    fmts = ["keras"] if k3 else ["keras2_h5"]
    return C.emit(name, m, inputs, formats=fmts, loaders={"keras2_h5": ["tf_keras"]},
                  notes=[] if k3 else ["Keras 3's legacy .h5 loader rejects the weights of Normalization(axis=(1, 3))"],
                  description="Rescaling (scalar, per-channel lists), Normalization (weights mean/variance/count "
                              "set as adapt() leaves them; config mean/variance; invert; axis (1,3); axis None), CenterCrop (crop, odd "
                              "offsets, smaller input resized), Resizing (bilinear down/up, nearest, "
                              "crop_to_aspect_ratio with both), Discretization (int buckets, boundary values, ±inf and NaN)",
                  covers=["Rescaling", "Normalization", "CenterCrop", "Resizing", "Discretization"])


# ------------------------------------------------------------------ identities and applications' layers

def identities(name, k3: bool):
    keras = _keras()
    L = keras.layers
    rng = _start(name)
    x = L.Input((6, 6, 3), name="img")
    h = x
    ids = [L.Identity(name="identity"), L.ActivityRegularization(l1=0.01, l2=0.02, name="activity_reg"),
           L.RandomFlip(name="random_flip"), L.RandomRotation(0.2, name="random_rotation"),
           L.RandomZoom(0.2, name="random_zoom"), L.RandomContrast(0.3, name="random_contrast"),
           L.RandomBrightness(0.2, name="random_brightness"),
           L.RandomTranslation(0.1, 0.1, name="random_translation")]
    if not k3:
        ids += [L.RandomHeight(0.2, name="random_height"), L.RandomWidth(0.2, name="random_width")]
    else:
        ids += [L.RandomGrayscale(0.5, name="random_grayscale"),
                L.RandomColorJitter(value_range=(0, 255), brightness_factor=0.2, name="random_color_jitter")]
    for layer in ids:
        h = layer(h)
    h = L.Conv2D(4, 3, padding="same", name="conv")(h)
    v = L.Input((4, 5, 6, 2), name="vol")
    s3 = L.SpatialDropout3D(0.5, name="spatial_dropout3d")(v)
    m = keras.Model([x, v], [h, s3], name=name)
    _randomize(m, rng)
    inputs = [_image((2, 6, 6, 3), rng, 1.0), C.random_input((2, 4, 5, 6, 2), rng)]
    # Keras 3's legacy .h5 save fails on its augmentation layers (it deep-copies their configs, which hold a module).
    fmts = ["keras"] if k3 else ["keras2_h5"]
    # Keras 3 cannot load tf_keras' augmentation configs (RandomFlip's `rng_type`, …).
    return C.emit(name, m, inputs, formats=fmts, loaders={"keras2_h5": ["tf_keras"]},
                  notes=[] if k3 else ["Keras 3 cannot load tf_keras' augmentation layer configs (`rng_type`)"],
                  description="layers that are the identity at inference: Identity, ActivityRegularization, random "
                              "augmentation (RandomFlip/Rotation/Zoom/Contrast/Brightness/Translation, and per "
                              "version RandomHeight/Width or RandomGrayscale/ColorJitter), SpatialDropout3D",
                  covers=["Identity", "ActivityRegularization", "RandomFlip", "RandomRotation", "RandomZoom",
                          "RandomContrast", "RandomBrightness", "RandomTranslation", "SpatialDropout3D"])


def applications_layers(name, k3: bool):
    keras = _keras()
    L = keras.layers
    if k3:
        from keras.src.applications.convnext import LayerScale, StochasticDepth
        from keras.src.applications.inception_resnet_v2 import CustomScaleLayer
    else:
        from tf_keras.src.applications.convnext import LayerScale, StochasticDepth
        from tf_keras.src.applications.inception_resnet_v2 import CustomScaleLayer
    rng = _start(name)
    x = L.Input((5, 5, 4), name="img")
    c = L.Conv2D(4, 3, padding="same", name="conv")(x)
    s = LayerScale(1e-6, 4, name="layer_scale")(c)
    s = StochasticDepth(0.1, name="stochastic_depth")(s)
    r = L.Conv2D(4, 1, name="residual")(x)
    out = CustomScaleLayer(0.17, name="custom_scale")([s, r])
    m = keras.Model(x, out, name=name)
    _randomize(m, rng)
    inputs = [C.random_input((2, 5, 5, 4), rng)]
    if k3:
        files = dict(formats=["keras"])
    else:
        # tf_keras cannot load these classes from a legacy .h5 without custom_objects; no real loader is declared.
        files = dict(formats=["keras2_h5"], loaders={"keras2_h5": []})
    return C.emit(name, m, inputs, **files,
                  description="keras.applications' own layers: ConvNeXt LayerScale (gamma per channel) and "
                              "StochasticDepth (identity at inference), InceptionResNetV2 CustomScaleLayer "
                              "(inputs[0] + inputs[1]*scale)",
                  covers=["LayerScale", "StochasticDepth", "CustomScaleLayer"],
                  notes=[] if k3 else ["no real loader: tf_keras needs custom_objects for the applications' "
                                       "classes in a legacy .h5"])


def applications_blocks(name, k3: bool):
    """keras.applications' block patterns built from their own code's pieces (Keras 3 only): MobileNetV3's
    squeeze-and-excitation with its hard sigmoid written as keras.ops arithmetic on a constant
    (`ReLU(6)(x + 3.0) * (1/6)`) and a hard-swish activation, and InceptionResNetV2's block tail (branches →
    Concatenate → 1×1 Conv2D with bias → CustomScaleLayer → ReLU, and the last block's without the ReLU)."""
    keras = _keras()
    L = keras.layers
    from keras.src.applications.inception_resnet_v2 import CustomScaleLayer
    rng = _start(name)
    x = L.Input((6, 6, 8), name="img")
    # MobileNetV3: expand with hard swish, depthwise, squeeze-and-excitation with the hard sigmoid as ops.
    e = L.Conv2D(16, 1, use_bias=False, name="mb_expand")(x)
    e = L.BatchNormalization(name="mb_expand_bn")(e)
    e = L.Activation("hard_swish", name="mb_expand_hswish")(e)
    d = L.DepthwiseConv2D(3, padding="same", use_bias=False, name="mb_dw")(e)
    d = L.BatchNormalization(name="mb_dw_bn")(d)
    d = L.Activation("hard_swish", name="mb_dw_hswish")(d)
    q = L.GlobalAveragePooling2D(keepdims=True, name="mb_se_pool")(d)
    q = L.Conv2D(8, 1, name="mb_se_conv")(q)
    q = L.ReLU(name="mb_se_relu")(q)
    q = L.Conv2D(16, 1, name="mb_se_conv_1")(q)
    q = L.ReLU(6.0, name="mb_se_relu6")(q + 3.0) * (1.0 / 6.0)
    d = L.Multiply(name="mb_se_mul")([d, q])
    mb = L.Conv2D(8, 1, use_bias=False, name="mb_project")(d)
    mb = L.BatchNormalization(name="mb_project_bn")(mb)
    mb = L.Add(name="mb_add")([x, mb])
    # InceptionResNetV2: two blocks on the MobileNetV3 block's output, the second without its activation.
    h = mb
    for i, (scale, act) in enumerate([(0.17, "relu"), (1.0, None)]):
        b0 = L.Conv2D(4, 1, activation="relu", name=f"ir{i}_b0")(h)
        b1 = L.Conv2D(4, 3, padding="same", activation="relu", name=f"ir{i}_b1")(h)
        mixed = L.Concatenate(name=f"ir{i}_mixed")([b0, b1])
        up = L.Conv2D(8, 1, use_bias=True, name=f"ir{i}_conv")(mixed)
        h = CustomScaleLayer(scale, name=f"ir{i}_scale")([h, up])
        if act:
            h = L.Activation(act, name=f"ir{i}_ac")(h)
    m = keras.Model(x, h, name=name)
    _randomize(m, rng)
    inputs = [C.random_input((2, 6, 6, 8), rng)]
    return C.emit(name, m, inputs, formats=["keras"],
                  description="keras.applications' block patterns: MobileNetV3's squeeze-and-excitation (hard "
                              "sigmoid as ops on a constant: ReLU(6)(x + 3.0) * (1/6)) and hard-swish activations, "
                              "InceptionResNetV2's Concatenate → 1x1 Conv2D → CustomScaleLayer → ReLU block tails",
                  covers=["CustomScaleLayer", "Multiply", "Concatenate", "activation:hard_swish"])


# ------------------------------------------------------------------ 3-D pooling, padding, cropping, upsampling

def shape3d(name, k3: bool):
    keras = _keras()
    L = keras.layers
    rng = _start(name)
    x = L.Input((5, 6, 7, 3), name="vol")
    outs = [
        L.ZeroPadding3D(((1, 2), (0, 1), (2, 0)), name="zero_pad3d")(x),
        L.Cropping3D(((1, 0), (0, 1), (1, 2)), name="crop3d")(x),
        L.UpSampling3D((2, 1, 3), name="upsample3d")(x),
        L.MaxPooling3D(2, name="maxpool3d")(x),
        L.MaxPooling3D((2, 3, 2), strides=(1, 2, 3), padding="same", name="maxpool3d_same")(x),
        L.AveragePooling3D((2, 2, 3), strides=(2, 1, 2), name="avgpool3d")(x),
        L.AveragePooling3D(3, strides=2, padding="same", name="avgpool3d_same")(x),
        L.GlobalMaxPooling3D(name="gmax3d")(x),
        L.GlobalAveragePooling3D(keepdims=True, name="gavg3d_keep")(x),
    ]
    m = keras.Model(x, outs, name=name)
    inputs = [C.random_input((2, 5, 6, 7, 3), rng)]
    fmts = ["keras"] if k3 else ["keras2_h5"]
    return C.emit(name, m, inputs, formats=fmts,
                  description="3-D layers: ZeroPadding3D, Cropping3D, UpSampling3D, MaxPooling3D and AveragePooling3D "
                              "(valid and same, uneven windows and strides), GlobalMaxPooling3D, "
                              "GlobalAveragePooling3D(keepdims)",
                  covers=["ZeroPadding3D", "Cropping3D", "UpSampling3D", "MaxPooling3D", "AveragePooling3D",
                          "GlobalMaxPooling3D", "GlobalAveragePooling3D"])


# ------------------------------------------------------------------ activations by name

K3_NAMES = ["celu", "elu", "exponential", "gelu", "hard_shrink", "hard_sigmoid", "hard_silu", "hard_swish",
            "hard_tanh", "leaky_relu", "linear", "log_sigmoid", "log_softmax", "mish", "relu", "relu6", "selu",
            "sigmoid", "silu", "soft_shrink", "softmax", "softplus", "softsign", "sparse_plus", "sparse_sigmoid",
            "sparsemax", "squareplus", "swish", "tanh", "tanh_shrink"]
K2_NAMES = ["elu", "exponential", "gelu", "hard_sigmoid", "leaky_relu", "linear", "log_softmax", "mish", "relu",
            "relu6", "selu", "sigmoid", "silu", "softmax", "softplus", "softsign", "swish", "tanh"]


def activations_by_name(name, k3: bool):
    keras = _keras()
    L = keras.layers
    rng = _start(name)
    x = L.Input((12,), name="x")
    names = K3_NAMES if k3 else K2_NAMES
    outs = []
    for a in names:
        outs.append(L.Dense(6, activation=a, name=f"dense_{a}")(x))
        outs.append(L.Activation(a, name=f"act_{a}")(x))
    img = L.Input((4, 4, 2), name="img")
    conv_acts = ["hard_silu", "log_softmax", "squareplus"] if k3 else ["relu6", "log_softmax", "silu"]
    for a in conv_acts:
        outs.append(L.Conv2D(3, 3, padding="same", activation=a, name=f"conv_{a}")(img))
    m = keras.Model([x, img], outs, name=name)
    _randomize(m, rng)
    inputs = [(3.0 * C.random_input((3, 12), rng)).astype(np.float32), C.random_input((3, 4, 4, 2), rng)]
    fmts = ["keras"] if k3 else ["keras2_h5"]
    # Keras 3 reads tf_keras' `hard_sigmoid` name as its own relu6(x + 3)/6.
    return C.emit(name, m, inputs, formats=fmts, loaders={"keras2_h5": ["tf_keras"]},
                  notes=[] if k3 else ["Keras 3 loads `hard_sigmoid` as its own function relu6(x+3)/6"],
                  description="every activation name keras.activations.get accepts in this version (except glu and "
                              "threshold, which cannot be called by name), in Dense(activation=…) and Activation(…), "
                              "and three in Conv2D",
                  covers=["Dense", "Activation", "Conv2D"] + [f"activation:{a}" for a in names])


def registry(keras_major: int):
    k3 = keras_major == 3
    suffix = "_k3" if k3 else "_k2"
    out = []
    for fn in (preprocessing, identities, applications_layers, activations_by_name, shape3d):
        out.append((fn.__name__ + suffix, lambda n, fn=fn: fn(n, k3)))
    if k3:
        out.append(("applications_blocks_k3", lambda n: applications_blocks(n, True)))
    return out
