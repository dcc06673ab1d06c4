"""Model builders and weight randomization for the real-world zoo (tools/zoo.py) and the small real-world fixtures
(Fixtures/models/realworld/, made by `tools/zoo.py --fixtures`).

Runs inside one Keras: Keras 3 (`keras`) or Keras 2 (`tf_keras`, with TF_USE_LEGACY_KERAS=1); see
fixtures_common.keras_module(). Nothing here imports TensorFlow at module level.
"""
from __future__ import annotations

import zlib

import fixtures_common as C

# Input size of every keras.applications model: 96×96×3 (every architecture accepts it with weights=None and
# include_top=True: the minimum is 32, InceptionV3/InceptionResNetV2 75, Xception 71), 1000 classes.
APP_SIZE = 96
BATCH = 2


def seed(name: str) -> int:
    return zlib.crc32(name.encode()) & 0x7FFFFFFF


# ----------------------------------------------------------------------------------------------------------------
# keras.applications
# ----------------------------------------------------------------------------------------------------------------

def application_names():
    """Every model constructor keras.applications exports (capitalised names), in this Keras."""
    keras = C.keras_module()
    return sorted(n for n in dir(keras.applications) if n[:1].isupper() and callable(getattr(keras.applications, n)))


def build_application(name: str):
    keras = C.keras_module()
    fn = getattr(keras.applications, name)
    return fn(weights=None, input_shape=(APP_SIZE, APP_SIZE, 3))


# ----------------------------------------------------------------------------------------------------------------
# Custom real-world models (both versions where the version can express them)
# ----------------------------------------------------------------------------------------------------------------

def _depth_to_space(x, r: int):
    """Sub-pixel upsampling as users write it: tf.nn.depth_to_space in tf_keras (a TFOpLambda layer),
    keras.ops.depth_to_space in Keras 3 (an op entry of the functional model)."""
    if C.legacy():
        import tensorflow as tf

        return tf.nn.depth_to_space(x, r)
    import keras

    return keras.ops.depth_to_space(x, r)


def srgan_generator(blocks: int = 16, filters: int = 64, size=(24, 24)):
    """SRGAN generator (Ledig et al.): 9×9 conv + PReLU(shared_axes=[1,2]), `blocks` residual blocks
    (conv-BN-PReLU-conv-BN-add), trunk conv-BN + skip, two ×2 sub-pixel stages (conv 4·filters → depth_to_space →
    PReLU), 9×9 conv tanh: ×4 super-resolution."""
    keras = C.keras_module()
    L = keras.layers
    inp = keras.Input((size[0], size[1], 3), name="lr")
    x = L.Conv2D(filters, 9, padding="same", name="head_conv")(inp)
    x = skip = L.PReLU(shared_axes=[1, 2], name="head_prelu")(x)
    for b in range(blocks):
        y = L.Conv2D(filters, 3, padding="same", name=f"res{b}_conv1")(x)
        y = L.BatchNormalization(name=f"res{b}_bn1")(y)
        y = L.PReLU(shared_axes=[1, 2], name=f"res{b}_prelu")(y)
        y = L.Conv2D(filters, 3, padding="same", name=f"res{b}_conv2")(y)
        y = L.BatchNormalization(name=f"res{b}_bn2")(y)
        x = L.Add(name=f"res{b}_add")([x, y])
    x = L.Conv2D(filters, 3, padding="same", name="trunk_conv")(x)
    x = L.BatchNormalization(name="trunk_bn")(x)
    x = L.Add(name="trunk_add")([skip, x])
    for u in range(2):
        x = L.Conv2D(filters * 4, 3, padding="same", name=f"up{u}_conv")(x)
        x = _depth_to_space(x, 2)
        x = L.PReLU(shared_axes=[1, 2], name=f"up{u}_prelu")(x)
    out = L.Conv2D(3, 9, padding="same", activation="tanh", name="sr")(x)
    return keras.Model(inp, out, name="srgan_generator")


def dcgan_generator(latent: int = 100, size: int = 64, base: int = 512):
    """DCGAN generator (Radford et al.): Dense → 4×4×`base` + BN + ReLU, then Conv2DTranspose(4, stride 2, same) + BN +
    ReLU halving the filters up to size/2, and a last Conv2DTranspose to 3 channels with tanh: latent → size×size×3."""
    keras = C.keras_module()
    L = keras.layers
    inp = keras.Input((latent,), name="z")
    x = L.Dense(4 * 4 * base, use_bias=False, name="project")(inp)
    x = L.Reshape((4, 4, base), name="project_reshape")(x)
    x = L.BatchNormalization(name="project_bn")(x)
    x = L.ReLU(name="project_relu")(x)
    filters, side, i = base, 4, 0
    while side * 2 < size:
        filters, side = filters // 2, side * 2
        x = L.Conv2DTranspose(filters, 4, strides=2, padding="same", use_bias=False, name=f"up{i}")(x)
        x = L.BatchNormalization(name=f"up{i}_bn")(x)
        x = L.ReLU(name=f"up{i}_relu")(x)
        i += 1
    out = L.Conv2DTranspose(3, 4, strides=2, padding="same", activation="tanh", name="rgb")(x)
    return keras.Model(inp, out, name="dcgan_generator")


def srgan_discriminator(size=96, widths=(64, 64, 128, 128, 256, 256, 512, 512), dense=1024):
    """SRGAN discriminator: conv + LeakyReLU, then conv-BN-LeakyReLU blocks alternating strides 1/2, Dense +
    LeakyReLU, Dense sigmoid. Slopes vary per layer (0.2 as in the paper, and 0.1/0.3/0.05) so none is a default."""
    keras = C.keras_module()
    L = keras.layers
    slopes = [0.2, 0.1, 0.3, 0.05]

    def leaky(i, name):
        s = slopes[i % len(slopes)]
        return L.LeakyReLU(alpha=s, name=name) if C.legacy() else L.LeakyReLU(negative_slope=s, name=name)

    inp = keras.Input((size, size, 3), name="image")
    x = L.Conv2D(widths[0], 3, padding="same", name="d_conv0")(inp)
    x = leaky(0, "d_lrelu0")(x)
    for i, w in enumerate(widths[1:], start=1):
        x = L.Conv2D(w, 3, strides=1 + (i % 2), padding="same", name=f"d_conv{i}")(x)
        x = L.BatchNormalization(name=f"d_bn{i}")(x)
        x = leaky(i, f"d_lrelu{i}")(x)
    x = L.Flatten(name="flatten")(x)
    x = L.Dense(dense, name="d_dense")(x)
    x = leaky(len(widths), "d_lrelu_dense")(x)
    out = L.Dense(1, activation="sigmoid", name="validity")(x)
    return keras.Model(inp, out, name="srgan_discriminator")


def espcn(scale: int = 3, channels: int = 1, filters=(64, 32)):
    """ESPCN (Shi et al.): 5×5 conv tanh, 3×3 conv tanh, 3×3 conv to channels·r², depth_to_space(r); any size."""
    keras = C.keras_module()
    L = keras.layers
    inp = keras.Input((None, None, channels), name="lr")
    x = L.Conv2D(filters[0], 5, padding="same", activation="tanh", name="feat1")(inp)
    x = L.Conv2D(filters[1], 3, padding="same", activation="tanh", name="feat2")(x)
    x = L.Conv2D(channels * scale * scale, 3, padding="same", name="subpixel_conv")(x)
    out = _depth_to_space(x, scale)
    return keras.Model(inp, out, name="espcn")


def anysize_generator(filters: int = 32, blocks: int = 3):
    """A fully convolutional (None, None, 3) image-to-image generator: conv + PReLU(shared_axes=[1,2]), residual
    blocks with LeakyReLU, a strided conv down and a Conv2DTranspose up, a global skip, tanh. Run at two sizes."""
    keras = C.keras_module()
    L = keras.layers

    def leaky(s, name):
        return L.LeakyReLU(alpha=s, name=name) if C.legacy() else L.LeakyReLU(negative_slope=s, name=name)

    inp = keras.Input((None, None, 3), name="image")
    x = L.Conv2D(filters, 3, padding="same", name="g_in")(inp)
    x = skip = L.PReLU(shared_axes=[1, 2], name="g_prelu")(x)
    x = L.Conv2D(filters * 2, 3, strides=2, padding="same", name="g_down")(x)
    x = L.BatchNormalization(name="g_down_bn")(x)
    x = leaky(0.2, "g_down_lrelu")(x)
    for b in range(blocks):
        y = L.Conv2D(filters * 2, 3, padding="same", name=f"g_res{b}_a")(x)
        y = leaky(0.1 + 0.05 * b, f"g_res{b}_lrelu")(y)
        y = L.Conv2D(filters * 2, 3, padding="same", name=f"g_res{b}_b")(y)
        x = L.Add(name=f"g_res{b}_add")([x, y])
    x = L.Conv2DTranspose(filters, 3, strides=2, padding="same", name="g_up")(x)
    x = L.PReLU(shared_axes=[1, 2], name="g_up_prelu")(x)
    x = L.Concatenate(name="g_skip")([x, skip])
    out = L.Conv2D(3, 3, padding="same", activation="tanh", name="g_out")(x)
    return keras.Model(inp, out, name="anysize_generator")


def text_rnn(vocab: int = 1000, length: int = 20, dim: int = 32, lstm: int = 32, gru: int = 16, classes: int = 4):
    """Text classifier: Embedding(mask_zero=True) → Bidirectional(LSTM, return_sequences) → Bidirectional(GRU) →
    Dense softmax. Token id 0 is padding (masked)."""
    keras = C.keras_module()
    L = keras.layers
    inp = keras.Input((length,), dtype="int32", name="tokens")
    x = L.Embedding(vocab, dim, mask_zero=True, name="embed")(inp)
    x = L.Bidirectional(L.LSTM(lstm, return_sequences=True, name="lstm"), name="bi_lstm")(x)
    x = L.Bidirectional(L.GRU(gru, name="gru"), merge_mode="concat", name="bi_gru")(x)
    out = L.Dense(classes, activation="softmax", name="classes")(x)
    return keras.Model(inp, out, name="text_rnn")


def transformer(vocab: int = 500, length: int = 16, dim: int = 64, heads: int = 4, ff: int = 128, classes: int = 3):
    """One transformer encoder block: token Embedding + positional Embedding (positions are the second input, so
    that only standard layers are used), MultiHeadAttention self-attention + residual + LayerNormalization,
    Dense(gelu) feed-forward + residual + LayerNormalization, GlobalAveragePooling1D, Dense softmax."""
    keras = C.keras_module()
    L = keras.layers
    tokens = keras.Input((length,), dtype="int32", name="tokens")
    positions = keras.Input((length,), dtype="int32", name="positions")
    x = L.Add(name="embed_sum")([L.Embedding(vocab, dim, name="tok_embed")(tokens),
                                 L.Embedding(length, dim, name="pos_embed")(positions)])
    a = L.MultiHeadAttention(num_heads=heads, key_dim=dim // heads, name="mha")(x, x)
    x = L.LayerNormalization(epsilon=1e-6, name="ln1")(L.Add(name="res1")([x, a]))
    f = L.Dense(ff, activation="gelu", name="ff1")(x)
    f = L.Dense(dim, name="ff2")(f)
    x = L.LayerNormalization(epsilon=1e-6, name="ln2")(L.Add(name="res2")([x, f]))
    x = L.GlobalAveragePooling1D(name="pool")(x)
    out = L.Dense(classes, activation="softmax", name="classes")(x)
    return keras.Model([tokens, positions], out, name="transformer")


def slash_names(size: int = 8, filters: int = 4):
    """tf_keras layer names with `/` as its DenseNet has them (`conv1/conv`, `conv1/bn`, `conv1/relu`), plus a layer
    already named `conv1_conv`, so that renaming `/` → `_` for Keras 3 must de-duplicate. Keras 3 refuses `/` in
    names, so this model exists in tf_keras only."""
    keras = C.keras_module()
    L = keras.layers
    inp = keras.Input((size, size, 3), name="input/image")
    x = L.Conv2D(filters, 3, padding="same", name="conv1/conv")(inp)
    x = L.BatchNormalization(name="conv1/bn")(x)
    x = L.Activation("relu", name="conv1/relu")(x)
    x = L.Conv2D(filters, 3, padding="same", name="conv1_conv")(x)
    x = L.PReLU(shared_axes=[1, 2], name="conv2/prelu")(x)
    x = L.GlobalAveragePooling2D(name="pool/gap")(x)
    out = L.Dense(3, name="fc/out")(x)
    return keras.Model(inp, out, name="slash_names")


# Models one version cannot express.
ONLY_IN = {"slash_names": ("k2",)}

# name → (builder, kwargs for the zoo, kwargs for the tiny committed fixture or None, description)
CUSTOM = {
    "srgan_generator": (srgan_generator, {}, None,
                        "SRGAN generator, 16 residual blocks, PReLU(shared_axes=[1,2]), two ×2 depth_to_space "
                        "heads, 24×24 → 96×96"),
    "dcgan_generator": (dcgan_generator, {}, None,
                        "DCGAN generator, latent 100 → Dense 4×4×512 → four Conv2DTranspose(4, stride 2) (BN, ReLU; "
                        "tanh) → 64×64×3"),
    "srgan_discriminator": (srgan_discriminator, {}, None,
                            "SRGAN discriminator, conv-BN-LeakyReLU (slopes 0.2/0.1/0.3/0.05), 96×96"),
    "espcn": (espcn, {}, {"filters": (8, 4), "scale": 2},
              "ESPCN on one channel, any size, depth_to_space head (zoo: ×3, run at 32×32 and 24×40)"),
    "anysize_generator": (anysize_generator, {}, None,
                          "(None, None, 3) generator (PReLU, LeakyReLU, strided conv, Conv2DTranspose, "
                          "concatenate skip), run at 32×32 and 48×40"),
    "text_rnn": (text_rnn, {}, {"vocab": 30, "length": 7, "dim": 6, "lstm": 5, "gru": 4, "classes": 3},
                 "Embedding(mask_zero=True) → Bidirectional(LSTM) → Bidirectional(GRU) → Dense softmax"),
    "transformer": (transformer, {}, {"vocab": 20, "length": 6, "dim": 8, "heads": 2, "ff": 12, "classes": 3},
                    "transformer encoder block: token + positional Embedding, MultiHeadAttention, "
                    "LayerNormalization, Dense(gelu)"),
    "slash_names": (slash_names, {}, {},
                    "tf_keras layer names with `/` (conv1/conv, conv1/bn, …) next to an existing conv1_conv"),
}


def custom_inputs(name: str, model, rng, size_variant: int = 0):
    """Seeded inputs for a custom model: token ids (with zero padding at the end) for text models, uniform
    [-1, 1] images otherwise; `size_variant` 1 picks the second image size for any-size models."""
    import numpy as np

    if name == "text_rnn":
        length = model.inputs[0].shape[1]
        vocab = model.get_layer("embed").input_dim
        ids = rng.integers(1, vocab, size=(BATCH, length)).astype(np.int32)
        ids[0, length - 2:] = 0  # padded tail (masked)
        ids[1, length // 2:] = 0
        return [ids]
    if name == "transformer":
        length = model.inputs[0].shape[1]
        vocab = model.get_layer("tok_embed").input_dim
        ids = rng.integers(0, vocab, size=(BATCH, length)).astype(np.int32)
        pos = np.tile(np.arange(length, dtype=np.int32), (BATCH, 1))
        return [ids, pos]
    shape = list(model.inputs[0].shape[1:])
    if shape[0] is None:
        hw = [(32, 32), (24, 40)] if name == "espcn" else [(32, 32), (48, 40)]
        shape[0], shape[1] = hw[size_variant]
    return [rng.uniform(-1.0, 1.0, size=[BATCH] + shape).astype(np.float32)]


# ----------------------------------------------------------------------------------------------------------------
# Randomization
# ----------------------------------------------------------------------------------------------------------------

def _all_layers(layer):
    """Every layer inside `layer` (nested models walked into), parents before children."""
    out, seen = [], set()

    def walk(l):
        if id(l) in seen:
            return
        seen.add(id(l))
        out.append(l)
        for s in getattr(l, "layers", None) or []:
            walk(s)

    walk(layer)
    return out[1:]


def _fan_in(cls: str, name: str, path: str, shape) -> int:
    import numpy as np

    if len(shape) < 2:
        return 1
    if name == "depthwise_kernel" or cls in ("DepthwiseConv2D", "DepthwiseConv1D"):
        return int(np.prod(shape[:-2]))
    if cls in ("Conv2DTranspose", "Conv1DTranspose", "Conv3DTranspose"):
        return int(np.prod(shape[:-2])) * shape[-1]
    if cls == "MultiHeadAttention" and len(shape) == 3 and "attention_output" not in path:
        return shape[0]  # query/key/value kernels (dim, heads, key_dim)
    return int(np.prod(shape[:-1]))


def randomize(model, rng, calibration_inputs, damping: float = 1.0):
    """Every weight from `rng` with scales that keep activations O(1):
    kernels N(0, 2/fan_in) (He; recurrent and attention kernels 1/fan_in), biases N(0, 0.05²), gamma U(0.7, 1.3),
    beta N(0, 0.1²), embeddings N(0, 0.5²), PReLU alphas from a palette with negative, zero and >1 values,
    ConvNeXt LayerScale U(0.2, 0.6), Normalization mean N(0, 0.3²) / variance U(0.5, 2).
    BatchNormalization moving statistics (see calibrate_batch_norm): the batch statistics of `calibration_inputs`
    (pass the inputs the model will be run on among them) from one training pass with momentum 0 and every
    dropout / noise layer switched off, each variance floored at 1e-2 × its layer's median variance (and 1e-3),
    then perturbed (mean + N(0, 0.1²)·σ, variance × U(0.6, 1.5)) with the same change folded into gamma and beta,
    so that the statistics are not the identity normalization while inference on the calibration inputs computes
    what the training pass did: nothing compounds through deep stacks and activations stay O(1).
    Last, a Dense layer producing a model output is scaled (kernel and bias) so that its logits (before its
    activation) have standard deviation 1 on the calibration inputs: softmax outputs are not saturated and logits
    are O(1), where the bound's absolute term 1e-4 is meant for them (see scale_output_dense).
    Returns the names of weights left as the constructor made them (none expected)."""
    import numpy as np

    left = []
    layers = _all_layers(model)
    for layer in layers:
        if getattr(layer, "layers", None):
            continue  # nested model: its layers are visited themselves
        cls = layer.__class__.__name__
        ws = layer.weights
        if not ws:
            continue
        values = []
        for w in ws:
            shape = tuple(int(d) for d in w.shape)
            name = C.short_weight_name(w)
            path = C.weight_path(w)
            dtype = str(getattr(w.dtype, "name", w.dtype))
            current = np.asarray(w.numpy())
            if "float" not in dtype:
                values.append(current)
                continue
            if cls == "PReLU" and name == "alpha":
                v = C.mixed_alphas(shape, rng)
            elif name in ("moving_mean", "moving_variance"):
                v = current  # calibrated below
            elif cls == "LayerScale" or (name == "gamma" and "layer_scale" in path):
                v = rng.uniform(0.2, 0.6, shape)
            elif cls == "Normalization" and name == "mean":
                v = rng.normal(0.0, 0.3, shape)
            elif cls == "Normalization" and name == "variance":
                v = rng.uniform(0.5, 2.0, shape)
            elif name == "count":
                v = current
            elif name in ("gamma", "scale"):
                v = rng.uniform(0.7, 1.3, shape)
            elif name in ("beta",):
                v = rng.normal(0.0, 0.1, shape)
            elif name == "bias" or len(shape) <= 1:
                v = rng.normal(0.0, 0.05, shape)
            elif name == "embeddings":
                v = rng.normal(0.0, 0.5, shape)
            else:
                gain = 1.0 if (name == "recurrent_kernel" or cls in ("MultiHeadAttention", "LSTM", "GRU",
                                                                      "Bidirectional", "SimpleRNN")) else 2.0
                v = rng.normal(0.0, np.sqrt(gain / max(_fan_in(cls, name, path, shape), 1)), shape)
            values.append(np.asarray(v, dtype=current.dtype))
        layer.set_weights(values)
        if hasattr(layer, "finalize_state"):
            # Keras 3 Normalization computes with a copy of its statistics taken when it was built (`self.mean`);
            # set_weights does not refresh it, loading a file does (load_own_variables → finalize_state). Without
            # this the in-memory model (the expected outputs, the BatchNormalization calibration below) uses
            # mean 0 / variance 1 while every saved file holds the random statistics.
            layer.finalize_state()

    damped, factor = damp_residual_branches(model, layers, damping)
    model._zoo_residual_damping = {"branch_batch_norms": len(damped), "gamma_factor": round(float(factor), 4)}
    calibrate_batch_norm(model, layers, rng, calibration_inputs)
    scale_output_dense(model, calibration_inputs)
    return left


# Layers a residual branch may pass through between its last BatchNormalization and the Add (squeeze-and-excitation
# Multiply, drop-connect, stochastic depth, activations): walked through to find that BatchNormalization.
_BRANCH_PASS = ("Dropout", "StochasticDepth", "Multiply", "Activation", "Identity", "TFOpLambda")
RESIDUAL_GAMMA = 0.25


def _inbound_layers(layer):
    """The layers feeding `layer`'s first call (tf_keras and Keras 3)."""
    nodes = getattr(layer, "_inbound_nodes", None) or []
    if not nodes:
        return []
    node = nodes[0]
    if C.legacy():
        return list(C._flatten(node.inbound_layers))
    return [t._keras_history[0] for t in node.input_tensors]


def _consumers(layer):
    """The layers that take `layer`'s output (tf_keras and Keras 3)."""
    out = []
    for node in getattr(layer, "_outbound_nodes", None) or []:
        c = getattr(node, "outbound_layer", None) if C.legacy() else getattr(node, "operation", None)
        if c is not None:
            out.append(c)
    return out


def damp_residual_branches(model, layers, scale: float = 1.0):
    """Scales gamma of every BatchNormalization that ends a branch feeding an `Add` (reached directly or through
    _BRANCH_PASS layers, and feeding no convolution itself) by min(RESIDUAL_GAMMA, 1/√L), L the number of such Adds
    (times `scale`: zoo.py halves it while a model stays ill-conditioned) (before
    calibration, so the statistics are taken on the damped model). Trained residual networks have small
    branch-final gammas (ResNet-RS and most recipes initialize them to zero); with gamma U(0.7, 1.3) each identity
    shortcut adds a branch of full variance, and ResNet-RS 270–420 (≈ 90–140 blocks) grow until Keras' own
    output moves by 5e-4 for a relative 1e-6 input change, past the parity bound (measured on resnetrs350_k2: 4.8e-4
    undamped, 1.8e-4 with a fixed 0.25; the 1/√L of Fixup/SkipInit keeps what the L branches add to the trunk's
    variance at one block's). Returns the names of the layers damped and the factor."""
    import numpy as np

    by_id = {id(l): l for l in layers}
    branches = []  # (Add, its branch-final BatchNormalization layers)
    for add in [l for l in layers if l.__class__.__name__ == "Add"]:
        ends = []
        for src in _inbound_layers(add):
            seen = 0
            while src is not None and src.__class__.__name__ in _BRANCH_PASS and seen < 8:
                feeds = _inbound_layers(src)
                if src.__class__.__name__ == "Multiply":  # SE: follow the full-size input, not the (1, 1, C) gate
                    feeds = [f for f in feeds if _spatial_size(f) == max(_spatial_size(g) for g in feeds)][:1]
                src = feeds[0] if len(feeds) == 1 else None
                seen += 1
            if src is None or id(src) not in by_id or src.__class__.__name__ != "BatchNormalization":
                continue
            names = [C.short_weight_name(w) for w in src.weights]
            if "gamma" not in names or \
                    any("Conv" in c.__class__.__name__ or c.__class__.__name__ == "Dense" for c in _consumers(src)):
                continue  # one that also feeds a convolution is the trunk (MobileNetV2's linear bottleneck)
            ends.append(src)
        if ends:
            branches.append(ends)
    # Fixup / SkipInit: with L branches each scaled by 1/√L the variance they add up to stays that of one block.
    factor = scale * min(RESIDUAL_GAMMA, 1.0 / np.sqrt(max(len(branches), 1)))
    damped = []
    for ends in branches:
        for src in ends:
            if src.name in damped:
                continue
            names = [C.short_weight_name(w) for w in src.weights]
            vals = src.get_weights()
            gi = names.index("gamma")
            vals[gi] = (vals[gi].astype(np.float64) * factor).astype(vals[gi].dtype)
            src.set_weights(vals)
            damped.append(src.name)
    return damped, factor


def _spatial_size(layer):
    import numpy as np

    shape = getattr(layer, "output_shape", None) if C.legacy() else getattr(layer.output, "shape", None)
    if isinstance(shape, list):
        shape = shape[0]
    return int(np.prod([d for d in (shape or ())[1:] if d is not None])) if shape else 0


# Layers that are random in a training pass, and the attribute that sets how much (0 switches them off).
_NOISE_ATTRS = ("rate", "drop_path_rate", "stddev")


class _NoiseOff:
    """Sets the rate of every dropout / stochastic-depth / noise layer to 0 for the calibration pass: in a training
    pass EfficientNet's and ResNet-RS's drop-connect (Dropout with noise_shape (None, 1, 1, 1)) drop whole residual
    branches of some images and scale the others by 1/(1 − rate), so statistics taken there do not describe
    inference, and the mismatch compounds block by block."""

    def __init__(self, layers):
        self.layers = layers
        self.saved = []

    def __enter__(self):
        for l in self.layers:
            if l.__class__.__name__ in ("BatchNormalization", "SyncBatchNormalization"):
                continue
            for attr in _NOISE_ATTRS:
                v = getattr(l, attr, None)
                if isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0:
                    try:
                        setattr(l, attr, 0.0)
                    except AttributeError:
                        raise RuntimeError(f"calibration: cannot switch off {l.__class__.__name__} `{l.name}`.{attr}")
                    self.saved.append((l, attr, v))
        return self

    def __exit__(self, *exc):
        for l, attr, v in self.saved:
            setattr(l, attr, v)
        return False


def calibrate_batch_norm(model, layers, rng, calibration_inputs):
    """BatchNormalization moving statistics that keep a deep random model well-conditioned (see randomize)."""
    import numpy as np

    bns = [l for l in layers if l.__class__.__name__ in ("BatchNormalization", "SyncBatchNormalization")]
    if not bns:
        return
    saved = [l.momentum for l in bns]
    for l in bns:
        l.momentum = 0.0
    x = calibration_inputs if len(calibration_inputs) > 1 else calibration_inputs[0]
    with _NoiseOff(layers):
        model(x, training=True)
    for l, m in zip(bns, saved):
        l.momentum = m
    for l in bns:
        vals = l.get_weights()
        names = [C.short_weight_name(w) for w in l.weights]
        mi, vi = names.index("moving_mean"), names.index("moving_variance")
        gi = names.index("gamma") if "gamma" in names else None
        bi = names.index("beta") if "beta" in names else None
        eps = float(l.epsilon)
        mean = vals[mi].astype(np.float64)
        var = vals[vi].astype(np.float64)
        # A channel nearly constant on the calibration inputs would amplify any other input (and rounding) by
        # 1/sqrt(var + eps): floor it relative to the layer's typical variance.
        var = np.maximum(var, max(1e-3, 1e-2 * float(np.median(var))))
        # Perturbed statistics with the change folded into gamma / beta (the layer computes the same function):
        # gamma·(x − m)/√(v + ε) + beta = gamma'·(x − m')/√(v' + ε) + beta'.
        new_var = var * rng.uniform(0.6, 1.5, var.shape) if gi is not None else var
        new_mean = mean + rng.normal(0.0, 0.1, mean.shape) * np.sqrt(var) if bi is not None else mean
        if gi is not None:
            gamma = vals[gi].astype(np.float64)
            new_gamma = gamma * np.sqrt(new_var + eps) / np.sqrt(var + eps)
            vals[gi] = new_gamma.astype(vals[gi].dtype)
        else:
            gamma = new_gamma = np.ones_like(var)
        if bi is not None:
            vals[bi] = (vals[bi].astype(np.float64) + new_gamma * (new_mean - mean) / np.sqrt(new_var + eps)
                        ).astype(vals[bi].dtype)
        vals[mi] = new_mean.astype(vals[mi].dtype)
        vals[vi] = new_var.astype(vals[vi].dtype)
        l.set_weights(vals)


def scale_output_dense(model, calibration_inputs):
    """Scales every Dense layer that produces a model output so that its logits have standard deviation 1 on
    `calibration_inputs` (inference mode). Deep random residual stacks (RegNet's identity shortcuts) end in features
    of magnitude 10 or more, so the He-initialized head gives logits of ±10–20: a softmax saturates, and raw logits
    (tf_keras' RegNet has no classifier activation) carry Keras' own float32 rounding (≈1e-5 of their scale) past the
    bound's absolute term. Returns {layer name: factor}."""
    import numpy as np

    keras = C.keras_module()
    # The layer that made each output (Keras 3's model.outputs are not the layers' own output tensors).
    makers = [getattr(o, "_keras_history", None) for o in model.outputs]
    heads = [l for l in model.layers
             if l.__class__.__name__ == "Dense" and any(h is not None and h[0] is l for h in makers)]
    factors = {}
    x = calibration_inputs if len(calibration_inputs) > 1 else calibration_inputs[0]
    for l in heads:
        feats = np.asarray(keras.Model(model.inputs, l.input)(x, training=False), dtype=np.float64)
        vals = l.get_weights()
        z = feats @ vals[0].astype(np.float64) + (vals[1].astype(np.float64) if len(vals) > 1 else 0.0)
        sd = float(np.std(z))
        if not np.isfinite(sd) or sd == 0.0:
            continue
        f = 1.0 / sd
        l.set_weights([(v.astype(np.float64) * f).astype(v.dtype) for v in vals])
        factors[l.name] = f
    return factors


def conditioning(model, inputs, rng):
    """How far a relative 1e-6 change of every input element moves the output (max |Δy|, and its excess over the
    zoo bound 1e-4 + 1e-3·|y|; the bound can only be checked where the excess is well below 0) and the output's
    largest value (a softmax output above 0.99 is saturated)."""
    import numpy as np

    ys = C.run_model(model, inputs)
    xs2 = [(a * (1 + 1e-6 * rng.standard_normal(a.shape))).astype(a.dtype) if a.dtype.kind == "f" else a
           for a in inputs]
    ys2 = C.run_model(model, xs2)
    d = max(float(np.max(np.abs(b.astype(np.float64) - a))) for a, b in zip(ys, ys2))
    ex = max(float(np.max(np.abs(b.astype(np.float64) - a) - (1e-4 + 1e-3 * np.abs(a)))) for a, b in zip(ys, ys2))
    ratio = max(float(np.max(np.abs(b.astype(np.float64) - a) / (1e-4 + 1e-3 * np.abs(a)))) for a, b in zip(ys, ys2))
    return {"input_1e-6_output_delta": d, "input_1e-6_bound_excess": ex, "input_1e-6_bound_ratio": ratio,
            "output_absmax": max(float(np.max(np.abs(y))) for y in ys)}


# ----------------------------------------------------------------------------------------------------------------
# What the model contains (for the manifest and for checking inspect --json)
# ----------------------------------------------------------------------------------------------------------------

def layer_classes(model):
    """{layer path: class key} from the model's saved config (what a reader sees): the class name; for tf_keras
    TFOpLambda/SlicingOpLambda `TFOpLambda:<function>`; for Keras 3 op entries (module keras.src.ops.*)
    `<module>.<class>`; wrappers (Bidirectional, TimeDistributed) also list their inner layer as `<path>/<inner>`;
    nested models are walked into (`outer/inner`)."""
    out = {}

    def key(entry):
        cls = entry.get("class_name")
        module = entry.get("module") or ""
        if cls in ("TFOpLambda", "SlicingOpLambda"):
            return f"{cls}:{entry.get('config', {}).get('function')}"
        if module.startswith("keras.src.ops") or module.startswith("keras.ops"):
            return f"{module}.{cls}"
        return cls

    def walk(config, prefix):
        for entry in config.get("layers", []):
            cfg = entry.get("config", {}) or {}
            name = entry.get("name") or cfg.get("name")
            path = prefix + str(name)
            out[path] = key(entry)
            for attr in ("layer", "backward_layer"):
                inner = cfg.get(attr)
                if isinstance(inner, dict) and "class_name" in inner:
                    out[f"{path}/{inner.get('config', {}).get('name', attr)}"] = key(inner)
            if entry.get("class_name") in ("Functional", "Sequential", "Model") and "layers" in cfg:
                walk(cfg, path + "/")

    walk(model.get_config(), "")
    return out


def class_counts(model):
    """Class keys of layer_classes() with counts."""
    counts = {}
    for k in layer_classes(model).values():
        counts[k] = counts.get(k, 0) + 1
    return dict(sorted(counts.items()))


def activation_params(model):
    """Every LeakyReLU (slope) and PReLU (alphas, shared_axes) with its path, for checking `inspect --json`."""
    import numpy as np

    out = []

    def walk(m, prefix):
        for l in m.layers:
            cls = l.__class__.__name__
            path = prefix + l.name
            if cls == "LeakyReLU":
                s = getattr(l, "negative_slope", None)
                if s is None:
                    s = getattr(l, "alpha", None)
                out.append({"name": path, "class_name": cls, "negative_slope": float(np.float32(s))})
            elif cls == "PReLU":
                a = np.asarray(l.get_weights()[0], dtype=np.float32)
                out.append({"name": path, "class_name": cls, "shared_axes": l.shared_axes and list(l.shared_axes),
                            "alpha_shape": list(a.shape), "alpha_values": [float(v) for v in a.ravel()]})
            if getattr(l, "layers", None) and cls in ("Functional", "Sequential", "Model"):
                walk(l, path + "/")

    walk(model, "")
    return out
