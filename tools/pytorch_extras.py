"""Small Keras 3 models, built and run in REAL Keras at check time, for export paths the committed fixtures do
not reach: transposed convolutions with output_padding / kernel < stride / even kernels, 'same' padding with even
kernels and strides (asymmetric), depthwise multiplier 3, avg/max pooling 'same', causal dilated Conv1D, PReLU
alphas per row / per (row, col) / per column, ReLU with every option, LayerNormalization center-only and
rms_scaling over several axes, multi-axis Softmax, Dot over other axes and normalised, layers fed by a
channels-first view (Dense on a conv output, Concatenate on channels and on rows, padding/cropping after a conv,
merges mixing layouts), layers with data_format="channels_first", recurrent layers with masks / go_backwards /
reset_after=False / states / Bidirectional merge modes, Hashing / IntegerLookup on int64 values beyond 2^24, a
StackedRNNCells run backwards behind a mask, even-kernel 1-D/3-D convolution variants,
GroupNormalization, UnitNormalization, LayerNormalization over a non-trailing axis, CenterCrop up and down, Resizing options, attention with masks / causal / scores, and
keras.applications architectures. Used by tools/check_pytorch.py (not committed as fixtures: they are remade each run, in
a few seconds, with fixed seeds).
"""
import os
import subprocess
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import numpy as np  # noqa: E402


def build(workdir):
    """Yields (name, model path, [inputs], [Keras outputs])."""
    import keras
    from keras import layers

    keras.utils.set_random_seed(7)
    rng = np.random.default_rng(7)

    def save(name, model, inputs):
        path = os.path.join(workdir, name + ".keras")
        model.save(path)
        outs = model(inputs if len(inputs) > 1 else inputs[0], training=False)
        if not isinstance(outs, (list, tuple)):
            outs = [outs]
        return name, path, inputs, [np.asarray(o) for o in outs]

    # Transposed convolutions.
    x = keras.Input((5, 6, 3), name="img")
    outs = [
        layers.Conv2DTranspose(4, 3, strides=2, padding="same", output_padding=1, name="ct_same_op1")(x),
        layers.Conv2DTranspose(2, 2, strides=3, padding="valid", name="ct_k2_s3_valid")(x),
        layers.Conv2DTranspose(2, 2, strides=3, padding="same", name="ct_k2_s3_same")(x),
        layers.Conv2DTranspose(2, 4, strides=2, padding="same", name="ct_k4_s2_same")(x),
        layers.Conv2DTranspose(2, (3, 2), strides=(2, 1), padding="valid", output_padding=(1, 0), name="ct_valid_op")(x),
        layers.Conv2DTranspose(3, 3, strides=2, padding="same", activation="relu", use_bias=False, name="ct_relu_nobias")(x),
    ]
    yield save("extra_conv_transpose", keras.Model(x, outs), [rng.standard_normal((2, 5, 6, 3)).astype("float32")])

    # 'same' padding: even kernels, strides, odd sizes; depthwise, separable, pooling.
    x = keras.Input((7, 8, 3), name="img")
    outs = [
        layers.Conv2D(2, 4, strides=2, padding="same", name="c_k4_s2")(x),
        layers.Conv2D(2, 2, strides=1, padding="same", name="c_k2_s1")(x),
        layers.Conv2D(2, 3, strides=3, padding="same", name="c_k3_s3")(x),
        layers.Conv2D(2, (2, 4), dilation_rate=(2, 1), padding="same", name="c_dil_even")(x),
        layers.DepthwiseConv2D(3, strides=2, padding="same", depth_multiplier=3, name="dw_s2_dm3")(x),
        layers.SeparableConv2D(4, 2, padding="same", depth_multiplier=2, name="sep_k2_same")(x),
        layers.MaxPooling2D(2, strides=2, padding="same", name="max_same")(x),
        layers.AveragePooling2D(3, strides=2, padding="same", name="avg_same")(x),
        layers.AveragePooling2D((2, 3), strides=(1, 2), padding="same", name="avg_rect_same")(x),
        layers.MaxPooling2D((3, 2), strides=(2, 3), padding="valid", name="max_rect_valid")(x),
    ]
    yield save("extra_padding_2d", keras.Model(x, outs), [rng.standard_normal((2, 7, 8, 3)).astype("float32")])

    x = keras.Input((9, 3), name="seq")
    outs = [
        layers.Conv1D(2, 4, strides=2, padding="same", name="c1_k4_s2")(x),
        layers.Conv1D(2, 3, padding="causal", dilation_rate=3, name="c1_causal_d3")(x),
        layers.Conv1D(4, 3, padding="same", groups=1, activation="tanh", name="c1_same_tanh")(x),
        layers.MaxPooling1D(2, padding="same", name="max1_same")(x),
        layers.AveragePooling1D(3, strides=2, padding="same", name="avg1_same")(x),
    ]
    yield save("extra_padding_1d", keras.Model(x, outs), [rng.standard_normal((2, 9, 3)).astype("float32")])

    # Activations and normalisations that need the generic forms.
    x = keras.Input((4, 5, 6), name="t")
    p_rows = layers.PReLU(shared_axes=[2, 3], name="prelu_rows")
    p_rowcol = layers.PReLU(shared_axes=[3], name="prelu_rowcol")
    p_cols = layers.PReLU(shared_axes=[1, 3], name="prelu_cols")
    ln_center = layers.LayerNormalization(center=True, scale=False, name="ln_center_only")
    ln_rms = layers.LayerNormalization(axis=[2, 3], rms_scaling=True, name="ln_rms_2axes")
    ln_23 = layers.LayerNormalization(axis=[2, 3], name="ln_2axes")
    outs = [
        p_rows(x), p_rowcol(x), p_cols(x),
        layers.ReLU(max_value=2.5, negative_slope=0.1, threshold=0.5, name="relu_all")(x),
        layers.ReLU(max_value=6.0, name="relu6")(x),
        layers.ReLU(threshold=0.7, name="relu_thr")(x),
        layers.ReLU(max_value=1.5, name="relu_max")(x),
        ln_center(x), ln_rms(x), ln_23(x),
        layers.Softmax(axis=[1, 2], name="softmax_12")(x),
        layers.Activation("softmax", name="softmax_last")(x),
        layers.LeakyReLU(negative_slope=1.7, name="lrelu_1_7")(x),
    ]
    model = keras.Model(x, outs)
    for layer in (p_rows, p_rowcol, p_cols):
        shape = layer.weights[0].shape
        layer.set_weights([rng.uniform(-1.5, 2.0, shape).astype("float32")])
    for layer in (ln_center, ln_rms, ln_23):
        layer.set_weights([rng.uniform(0.5, 1.5, w.shape).astype("float32") for w in layer.weights])
    yield save("extra_activations", model, [(3 * rng.standard_normal((2, 4, 5, 6))).astype("float32")])

    # Layers fed by a conv output (held channels-first in the export) and layout mixes.
    x = keras.Input((6, 6, 3), name="img")
    c = layers.Conv2D(4, 3, padding="same", name="conv")(x)
    d = layers.Conv2D(4, 3, padding="same", name="conv_b")(x)
    bn = layers.BatchNormalization(name="bn")
    b = bn(c)
    outs = [
        layers.Dense(3, name="dense_on_conv")(c),
        layers.Concatenate(axis=-1, name="cat_channels")([c, d]),
        layers.Concatenate(axis=2, name="cat_cols")([c, d]),
        layers.ZeroPadding2D(((1, 2), (0, 1)), name="zpad")(c),
        layers.Cropping2D(((1, 0), (2, 1)), name="crop")(c),
        layers.Multiply(name="mul")([c, layers.Conv2D(4, 1, name="conv_1x1")(x)]),
        layers.Add(name="add_mixed")([layers.Dense(4, name="dense4")(x), b]),
        layers.GlobalMaxPooling2D(keepdims=True, name="gmp_keep")(b),
        layers.UpSampling2D((2, 3), interpolation="bilinear", name="up_bilinear")(c),
        layers.Flatten(name="flat")(layers.PReLU(shared_axes=[1, 2], name="prelu_ch")(d)),
    ]
    model = keras.Model(x, outs)
    bn.set_weights([rng.uniform(0.5, 1.5, 4).astype("float32"), rng.standard_normal(4).astype("float32"),
                    rng.standard_normal(4).astype("float32"), rng.uniform(0.5, 2, 4).astype("float32")])
    p = model.get_layer("prelu_ch")
    p.set_weights([rng.uniform(-1, 2, p.weights[0].shape).astype("float32")])
    yield save("extra_layouts", model, [rng.standard_normal((2, 6, 6, 3)).astype("float32")])

    # Dot over other axes.
    a = keras.Input((3, 4), name="a")
    b = keras.Input((4, 5), name="b")
    c = keras.Input((3, 5), name="c")
    outs = [
        layers.Dot(axes=(2, 1), name="dot_21")([a, b]),
        layers.Dot(axes=1, name="dot_1")([a, c]),
        layers.Dot(axes=2, normalize=True, name="dot_norm")([b, c]),
    ]
    yield save("extra_dot", keras.Model([a, b, c], outs),
               [rng.standard_normal(s).astype("float32") for s in ((2, 3, 4), (2, 4, 5), (2, 3, 5))])

    # A fully convolutional model with unknown spatial sizes: the export computes 'same' padding and transposed
    # convolution sizes at run time from the input.
    x = keras.Input((None, None, 3), name="any_size")
    h = layers.Conv2D(4, 3, strides=2, padding="same", name="fc_conv_s2")(x)
    h = layers.PReLU(shared_axes=[1, 2], name="fc_prelu")(h)
    p = layers.MaxPooling2D(3, strides=2, padding="same", name="fc_pool")(h)
    t = layers.Conv2DTranspose(2, 4, strides=2, padding="same", name="fc_convt")(p)
    g = layers.GlobalAveragePooling2D(name="fc_gap")(h)
    model = keras.Model(x, [t, g, layers.UpSampling2D(2, interpolation="bilinear", name="fc_up")(p)])
    pr = model.get_layer("fc_prelu")
    pr.set_weights([rng.uniform(-1, 2, pr.weights[0].shape).astype("float32")])
    yield save("extra_unknown_sizes", model, [rng.standard_normal((2, 9, 11, 3)).astype("float32")])

    # Recurrent layers on the paths the fixtures do not take: a Masking mask into go_backwards / reset_after=False /
    # return_state / relu / hard_sigmoid cells (the KerasRecurrent loop), Bidirectional merge modes and states.
    x = keras.Input((6, 4), name="seq")
    m = layers.Masking(0.0, name="mask")(x)
    lstm_seq = layers.LSTM(5, return_sequences=True, go_backwards=True, name="lstm_back_seq")(m)
    gru_state = layers.GRU(3, reset_after=False, return_state=True, name="gru_v1_state")(m)
    outs = [
        lstm_seq, *gru_state,
        layers.SimpleRNN(4, activation="relu", return_sequences=True, name="rnn_relu")(x),
        layers.LSTM(3, recurrent_activation="hard_sigmoid", name="lstm_hard")(x),
        layers.GRU(3, go_backwards=True, return_sequences=True, name="gru_back")(x),
        *layers.LSTM(4, return_state=True, name="lstm_state")(x),
        *layers.Bidirectional(layers.LSTM(3, return_state=True), merge_mode=None, name="bi_none_state")(m),
        layers.Bidirectional(layers.GRU(2, return_sequences=True), merge_mode="ave", name="bi_ave")(m),
        layers.Bidirectional(layers.SimpleRNN(2), merge_mode="mul", name="bi_mul")(x),
        layers.GlobalAveragePooling1D(name="masked_gap")(layers.Dense(3, name="dense_masked")(m)),
    ]
    seq = rng.standard_normal((3, 6, 4)).astype("float32")
    seq[0, 4:] = 0.0   # trailing steps masked
    seq[1, :2] = 0.0   # leading steps masked
    seq[2, 3] = 0.0    # one step in the middle masked
    yield save("extra_recurrent", keras.Model(x, outs), [seq])

    # Normalisation, preprocessing and attention options the fixtures do not reach.
    x = keras.Input((6, 8, 4), name="img")
    c = layers.Conv2D(4, 3, padding="same", name="conv")(x)
    gn = layers.GroupNormalization(groups=2, name="gn")
    gn_center = layers.GroupNormalization(groups=4, scale=False, name="gn_center_only")
    outs = [
        gn(c), gn_center(x),
        layers.UnitNormalization(axis=-1, name="unit_last")(c),
        layers.UnitNormalization(axis=[1, 2], name="unit_12")(x),
        layers.LayerNormalization(axis=1, name="ln_axis1")(x),
        layers.CenterCrop(8, 10, name="crop_up")(x),
        layers.CenterCrop(4, 4, name="crop_down")(c),
        layers.Resizing(5, 11, interpolation="nearest", crop_to_aspect_ratio=True, name="resize_nearest_crop")(x),
        layers.Resizing(3, 5, name="resize_bilinear_down")(c),
        layers.Rescaling([0.5, 2.0, -1.0, 1.5], offset=0.25, name="rescale_list")(c),
    ]
    model = keras.Model(x, outs)
    for layer in (gn, gn_center):
        layer.set_weights([rng.uniform(0.5, 1.5, w.shape).astype("float32") for w in layer.weights])
    yield save("extra_normalization", model, [rng.standard_normal((2, 6, 8, 4)).astype("float32")])

    q = keras.Input((5, 6), name="q")
    v = keras.Input((7, 4), name="v")
    mask = keras.Input((5, 7), name="attn_mask")
    mha = layers.MultiHeadAttention(num_heads=2, key_dim=3, value_dim=2, output_shape=(3, 2), name="mha_opts")
    y, scores = mha(q, v, attention_mask=mask, return_attention_scores=True)
    self_att = layers.MultiHeadAttention(num_heads=2, key_dim=4, use_bias=False, name="mha_causal")(q, q, use_causal_mask=True)
    att = layers.Attention(use_scale=True, score_mode="concat", name="att_concat")
    outs = [y, scores, self_att, att([q, q], use_causal_mask=True),
            layers.AdditiveAttention(name="add_att")([q, layers.Dense(6, name="v_proj")(v)])]
    model = keras.Model([q, v, mask], outs)
    att.set_weights([np.array(0.7, "float32"), np.array(1.3, "float32")])
    attn_mask = (rng.uniform(size=(2, 5, 7)) > 0.3).astype("float32")
    attn_mask[:, :, 0] = 1.0
    yield save("extra_attention", model, [rng.standard_normal((2, 5, 6)).astype("float32"),
                                          rng.standard_normal((2, 7, 4)).astype("float32"), attn_mask])

    # Third-round classes on paths their fixtures do not take: Hashing and IntegerLookup on int64 values beyond
    # float32's 2^24 (the export computes in int64, exactly), a StackedRNNCells run backwards behind a mask (the later
    # cells read the first one's reversed outputs and mask), even-kernel 1-D and 3-D convolution variants (TensorFlow's
    # CPU transposed convolution refuses dilation).
    big = keras.Input((6,), dtype="int64", name="big")
    seq = keras.Input((5, 3), name="seq")
    tok = keras.Input((6,), dtype="int32", name="tok")
    vol = keras.Input((4, 5, 6, 2), name="vol")
    emb = layers.Embedding(9, 3, mask_zero=True, name="emb")(tok)
    outs = [
        layers.Hashing(1000003, name="hash_big")(big),
        layers.Hashing(4, mask_value=2**40, output_mode="count", name="hash_big_count")(big),
        layers.IntegerLookup(vocabulary=[2**40, -(2**35) - 1, 5, 2**52], num_oov_indices=2, name="lookup_big")(big),
        layers.IntegerLookup(vocabulary=[2**40, 5, 9], output_mode="multi_hot", name="lookup_big_multi_hot")(big),
        layers.RNN(layers.StackedRNNCells([layers.GRUCell(3), layers.LSTMCell(2)]), go_backwards=True,
                   return_sequences=True, name="rnn_stack_back_masked")(emb),
        layers.Conv1DTranspose(2, 4, strides=2, padding="same", output_padding=1, name="ct1_even_op")(seq),
        layers.DepthwiseConv1D(2, padding="same", depth_multiplier=3, name="dw1_even_same")(seq),
        layers.SeparableConv1D(2, 4, strides=2, padding="same", name="sep1_even_s2")(seq),
        layers.Conv3D(2, 2, padding="same", name="c3_even_same")(vol),
        layers.Conv3DTranspose(2, (2, 3, 2), strides=(2, 2, 1), padding="same", name="ct3_same")(vol),
    ]
    model = keras.Model([big, seq, tok, vol], outs)
    big_values = np.array([[2**40, 5, -(2**35) - 1, 2**52, 123456789012345, -7],
                           [0, 2**53 + 1, 9, 2**40, -(2**63), 2**63 - 1]], dtype="int64")
    tokens = np.array([[3, 1, 4, 0, 0, 0], [2, 7, 1, 8, 2, 0]], dtype="int32")
    yield save("extra_breadth", model, [big_values, rng.standard_normal((2, 5, 3)).astype("float32"), tokens,
                                        rng.standard_normal((2, 4, 5, 6, 2)).astype("float32")])

    # Layers with data_format="channels_first": TensorFlow runs NCHW convolutions on the CPU only through oneDNN,
    # so this model is built in a child process with TF_ENABLE_ONEDNN_OPTS=1 (build_channels_first below).
    path = os.path.join(workdir, "extra_channels_first_data.keras")
    env = dict(os.environ, TF_ENABLE_ONEDNN_OPTS="1")
    subprocess.run([sys.executable, os.path.abspath(__file__), "--channels-first-data", workdir], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    with np.load(path + ".npz") as data:
        yield ("extra_channels_first_data", path, [data["input_0"], data["input_1"]],
               [data[f"output_{i}"] for i in range(len(data.files) - 2)])

    # keras.applications architectures (weights=None: random, seeded; BatchNormalization statistics randomised so
    # that they matter). No download: the architectures are built locally.
    for name, make in (("zoo_mobilenet_v2", lambda: keras.applications.MobileNetV2(
                            input_shape=(96, 96, 3), alpha=0.35, weights=None, classes=10, classifier_activation=None)),
                       ("zoo_mobilenet", lambda: keras.applications.MobileNet(
                            input_shape=(128, 128, 3), alpha=0.25, weights=None, classes=10, classifier_activation=None)),
                       ("zoo_densenet121", lambda: keras.applications.DenseNet121(
                            input_shape=(64, 64, 3), weights=None, classes=10, classifier_activation=None)),
                       ("zoo_nasnet_mobile", lambda: keras.applications.NASNetMobile(
                            input_shape=(64, 64, 3), weights=None, classes=10, classifier_activation=None))):
        model = make()
        for layer in model.layers:
            if isinstance(layer, layers.BatchNormalization):
                c = layer.weights[0].shape[0]
                layer.set_weights([rng.uniform(0.5, 1.5, c).astype("float32"), (0.1 * rng.standard_normal(c)).astype("float32"),
                                   (0.1 * rng.standard_normal(c)).astype("float32"), rng.uniform(0.5, 1.5, c).astype("float32")])
        size = model.input_shape[1]
        yield save(name, model, [rng.uniform(-1, 1, (2, size, size, 3)).astype("float32")])


def build_channels_first(workdir):
    """The channels_first-data model, run in a child process with oneDNN on: writes the .keras and an .npz with its
    inputs and Keras' outputs."""
    import keras
    from keras import layers

    keras.utils.set_random_seed(11)
    rng = np.random.default_rng(11)
    cf = "channels_first"
    x = keras.Input((3, 7, 8), name="nchw")
    s = keras.Input((3, 9), name="ncl")
    c = layers.Conv2D(4, 3, strides=2, padding="same", data_format=cf, name="cf_conv_s2")(x)
    bn = layers.BatchNormalization(axis=1, name="cf_bn")
    pr = layers.PReLU(shared_axes=[2, 3], name="cf_prelu")
    outs = [
        c, layers.MaxPooling2D(2, padding="same", data_format=cf, name="cf_max_same")(c),
        layers.AveragePooling2D(2, data_format=cf, name="cf_avg")(x),
        bn(c), pr(c),
        layers.Flatten(data_format=cf, name="cf_flatten")(c),
        layers.GlobalAveragePooling2D(data_format=cf, keepdims=True, name="cf_gap")(c),
        layers.UpSampling2D(2, data_format=cf, name="cf_up")(c),
        layers.UpSampling2D(2, data_format=cf, interpolation="bilinear", name="cf_up_bilinear")(c),
        layers.ZeroPadding2D(((1, 0), (0, 2)), data_format=cf, name="cf_zpad")(c),
        layers.Cropping2D(((1, 0), (0, 2)), data_format=cf, name="cf_crop")(x),
        layers.Conv2DTranspose(2, 3, strides=2, padding="same", data_format=cf, name="cf_convt")(c),
        layers.DepthwiseConv2D(3, padding="same", depth_multiplier=2, data_format=cf, name="cf_dw")(x),
        layers.SeparableConv2D(3, 3, padding="same", data_format=cf, name="cf_sep")(x),
        layers.Conv1D(2, 3, strides=2, padding="same", data_format=cf, name="cf_conv1d")(s),
        layers.GlobalMaxPooling1D(data_format=cf, name="cf_gmp1d")(s),
        layers.MaxPooling1D(2, data_format=cf, name="cf_max1d")(s),
    ]
    model = keras.Model([x, s], outs)
    bn.set_weights([rng.uniform(0.5, 1.5, 4).astype("float32"), rng.standard_normal(4).astype("float32"),
                    rng.standard_normal(4).astype("float32"), rng.uniform(0.5, 2, 4).astype("float32")])
    pr.set_weights([rng.uniform(-1, 2, pr.weights[0].shape).astype("float32")])
    inputs = [rng.standard_normal((2, 3, 7, 8)).astype("float32"), rng.standard_normal((2, 3, 9)).astype("float32")]
    path = os.path.join(workdir, "extra_channels_first_data.keras")
    model.save(path)
    outs = model(inputs, training=False)
    arrays = {"input_0": inputs[0], "input_1": inputs[1]}
    arrays.update({f"output_{i}": np.asarray(o) for i, o in enumerate(outs)})
    np.savez(path + ".npz", **arrays)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--channels-first-data":
        build_channels_first(sys.argv[2])
    else:
        sys.exit("usage: pytorch_extras.py --channels-first-data DIR (tools/check_pytorch.py runs it)")
