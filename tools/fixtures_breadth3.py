"""Fixture builders for issue 13's third breadth round: RMSNormalization, the adaptive pooling layers, AutoContrast,
ConvLSTM1D/ConvLSTM3D, SpectralNormalization, RandomCrop, ReversibleEmbedding (Keras 3) and LocallyConnected1D/2D
(tf_keras), in each Keras that has the class.

Imported by fixtures_k3.py / fixtures_k2.py (which add `registry(keras_major)` to their REGISTRY), so it runs in
the phase of the Keras it builds for: `tools/.venv/bin/python tools/make_fixtures.py --only breadth3_norm_pool_k3`.
Classes one Keras lacks live in fixtures of their own, so that the writer round trips of the others stay testable.
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


# ------------------------------------------------------------------ Keras 3: RMSNormalization, adaptive pooling, AutoContrast

def norm_pool(name):
    keras = _keras()
    L = keras.layers
    rng = _start(name)
    s = L.Input((7, 4), name="seq")
    img = L.Input((7, 10, 3), name="img")
    vol = L.Input((5, 6, 7, 2), name="vol")
    outs = [
        L.RMSNormalization(name="rms_last")(s),
        L.RMSNormalization(axis=[-2, -1], epsilon=1e-3, name="rms_two_axes")(img),
        L.AdaptiveAveragePooling1D(3, name="aap1d")(s),
        L.AdaptiveMaxPooling1D(5, name="amp1d")(s),
        L.AdaptiveAveragePooling1D(9, name="aap1d_up")(s),
        L.AdaptiveAveragePooling2D((3, 4), name="aap2d")(img),
        L.AdaptiveMaxPooling2D((4, 3), name="amp2d")(img),
        L.AdaptiveAveragePooling2D(2, data_format="channels_first", name="aap2d_cf")(img),
        L.AdaptiveAveragePooling3D((2, 4, 3), name="aap3d")(vol),
        L.AdaptiveMaxPooling3D((3, 2, 5), name="amp3d")(vol),
        L.AdaptiveMaxPooling3D(2, data_format="channels_first", name="amp3d_cf")(vol),
    ]
    m = keras.Model([s, img, vol], outs, name=name)
    C.randomize_weights(m, rng)
    inputs = [C.random_input((2, 7, 4), rng), C.random_input((2, 7, 10, 3), rng),
              C.random_input((2, 5, 6, 7, 2), rng)]
    return C.emit(name, m, inputs, formats=["keras"],
                  description="RMSNormalization (last axis; two axes with epsilon), AdaptiveAveragePooling1D/2D/3D and "
                              "AdaptiveMaxPooling1D/2D/3D (sizes that do not divide, an output longer than the input, "
                              "channels_first)",
                  covers=["RMSNormalization", "AdaptiveAveragePooling1D", "AdaptiveAveragePooling2D",
                          "AdaptiveAveragePooling3D", "AdaptiveMaxPooling1D", "AdaptiveMaxPooling2D",
                          "AdaptiveMaxPooling3D", "multi-input", "multi-output"])


def image_k3(name):
    keras = _keras()
    L = keras.layers
    rng = _start(name)
    img = L.Input((6, 8, 3), name="img")
    tok = L.Input((5,), dtype="int32", name="tokens")
    emb = L.ReversibleEmbedding(11, 4, name="rev_emb")
    untied = L.ReversibleEmbedding(9, 3, tie_weights=False, logit_soft_cap=2.0, name="rev_untied")
    h = emb(tok)
    dense = L.Dense(4, name="hidden")(h)
    outs = [
        L.AutoContrast(name="autocontrast_255")(img),
        L.AutoContrast(value_range=(-1, 1), name="autocontrast_pm1")(img),
        L.RandomCrop(4, 5, name="random_crop")(img),
        L.SpectralNormalization(L.Conv2D(3, 3, name="sn_conv_inner"), name="sn_conv")(img),
        L.SpectralNormalization(L.Dense(5, activation="tanh", name="sn_dense_inner"), power_iterations=2,
                                name="sn_dense")(img),
        h,
        emb(dense, reverse=True),
        untied(tok),
        untied(L.Dense(3, name="hidden3")(untied(tok)), reverse=True),
    ]
    m = keras.Model([img, tok], outs, name=name)
    C.randomize_weights(m, rng)
    x = rng.uniform(0.0, 255.0, (2, 6, 8, 3)).astype(np.float32)
    x[1, :, :, 2] = 7.0  # a constant channel: 255/(high-low) is infinite and Keras keeps the input there
    tokens = np.array([[0, 3, 10, 5, 5], [8, 1, 2, 0, 9]], dtype=np.int32) % 9
    return C.emit(name, m, [x, tokens], formats=["keras"],
                  description="AutoContrast (value_range (0, 255) and (-1, 1), a constant channel), RandomCrop "
                              "(passes through when not training), SpectralNormalization of Conv2D and Dense "
                              "(the stored kernel at inference), ReversibleEmbedding (tied: lookup and reverse "
                              "call; untied with logit_soft_cap)",
                  covers=["AutoContrast", "RandomCrop", "SpectralNormalization", "ReversibleEmbedding",
                          "shared layer", "multi-input", "multi-output"])


# ------------------------------------------------------------------ Keras 3: STFTSpectrogram

def audio(name):
    keras = _keras()
    L = keras.layers
    rng = _start(name)
    sig = L.Input((64, 2), name="signal")
    outs = [
        L.STFTSpectrogram(frame_length=16, frame_step=8, name="stft_log")(sig),
        L.STFTSpectrogram(mode="magnitude", frame_length=12, frame_step=5, fft_length=16, padding="same",
                          window="hamming", name="stft_magnitude_same")(sig),
        L.STFTSpectrogram(mode="psd", frame_length=16, frame_step=16, scaling="spectrum", periodic=True,
                          name="stft_psd")(sig),
        L.STFTSpectrogram(mode="real", frame_length=8, expand_dims=True, name="stft_real_expanded")(sig),
        L.STFTSpectrogram(mode="imag", frame_length=8, frame_step=3, window=None, scaling=None,
                          name="stft_imag")(sig),
        L.STFTSpectrogram(mode="stft", frame_length=10, frame_step=4, name="stft_both")(sig),
        L.STFTSpectrogram(mode="angle", frame_length=16, frame_step=8, name="stft_angle")(sig),
    ]
    # channels_first is left out: TensorFlow runs its NCHW convolution only on a GPU.
    m = keras.Model(sig, outs, name=name)
    inputs = [C.random_input((2, 64, 2), rng)]
    return C.emit(name, m, inputs, formats=["keras"],
                  description="STFTSpectrogram in every mode (log, magnitude, psd, real, imag, stft, angle), valid and "
                              "same padding, windows hann/hamming/none, scalings density/spectrum/none, periodic, "
                              "expand_dims; the DFT kernels are Keras' own (stored weights)",
                  covers=["STFTSpectrogram", "multi-output"])


# ------------------------------------------------------------------ Keras 3: Pipeline

def pipeline(name):
    keras = _keras()
    L = keras.layers
    rng = _start(name)
    img = L.Input((8, 10, 3), name="img")
    prep = L.Pipeline([L.Rescaling(1 / 255.0, offset=-0.5), L.CenterCrop(6, 8), L.RandomFlip(),
                       L.Resizing(4, 5)], name="prep")
    x = prep(img)
    y = L.Conv2D(2, 3, padding="same", name="conv")(x)
    outs = [x, L.Pipeline([L.AutoContrast(value_range=(-1, 1)), L.RandomContrast(0.2)], name="post")(y)]
    m = keras.Model(img, outs, name=name)
    C.randomize_weights(m, rng)
    inputs = [rng.uniform(0.0, 255.0, (2, 8, 10, 3)).astype(np.float32)]
    return C.emit(name, m, inputs, formats=["keras"],
                  description="Pipeline of Rescaling, CenterCrop, RandomFlip (identity at inference) and Resizing; a "
                              "Pipeline of AutoContrast and RandomContrast after a Conv2D",
                  covers=["Pipeline", "Rescaling", "CenterCrop", "RandomFlip", "Resizing", "AutoContrast",
                          "multi-output"])


# ------------------------------------------------------------------ ConvLSTM1D / ConvLSTM3D (both versions)

def conv_lstm(name, k3: bool):
    import fixtures_recurrent as R
    keras = _keras()
    L = keras.layers
    rng = _start(name)
    seq = L.Input((4, 7, 2), name="frames1d")
    vol = L.Input((3, 4, 5, 3, 2), name="frames3d")
    rec = {"recurrent_activation": "sigmoid"}
    outs = [
        L.ConvLSTM1D(3, 3, padding="same", return_sequences=True, name="clstm1d_same_seq", **rec)(seq),
        *L.ConvLSTM1D(2, 2, strides=2, go_backwards=True, return_state=True, name="clstm1d_strided_state",
                      **rec)(seq),
        L.ConvLSTM1D(2, 3, dilation_rate=2, activation="relu", use_bias=False, name="clstm1d_dilated", **rec)(seq),
        L.ConvLSTM3D(2, (2, 3, 2), padding="same", return_sequences=True, name="clstm3d_same_seq", **rec)(vol),
        L.ConvLSTM3D(3, 2, strides=(1, 2, 1), go_backwards=True, name="clstm3d_strided", **rec)(vol),
    ]
    m = keras.Model([seq, vol], outs, name=name)
    R._randomize(m, rng)
    inputs = [C.random_input((2, 4, 7, 2), rng), C.random_input((2, 3, 4, 5, 3, 2), rng)]
    fmts = ["keras"] if k3 else ["keras2_h5"]
    return C.emit(name, m, inputs, formats=fmts, loaders={"keras2_h5": ["tf_keras"]},
                  description="ConvLSTM1D (same padding with return_sequences, strides with go_backwards and "
                              "return_state, dilation with relu and no bias) and ConvLSTM3D (same padding with "
                              "return_sequences, strides with go_backwards)",
                  covers=["ConvLSTM1D", "ConvLSTM3D", "multi-input", "multi-output"])


# ------------------------------------------------------------------ tf_keras: SpectralNormalization, RandomCrop

def image_k2(name):
    keras = _keras()
    L = keras.layers
    rng = _start(name)
    img = L.Input((6, 8, 3), name="img")
    outs = [
        L.RandomCrop(4, 5, name="random_crop")(img),
        L.RandomCrop(5, 3, name="random_crop_aspect")(img),
        L.SpectralNormalization(L.Conv2D(3, 3, name="sn_conv_inner"), name="sn_conv")(img),
        L.SpectralNormalization(L.Dense(5, activation="tanh", name="sn_dense_inner"), power_iterations=2,
                                name="sn_dense")(img),
    ]
    m = keras.Model(img, outs, name=name)
    C.randomize_weights(m, rng)
    inputs = [C.random_input((2, 6, 8, 3), rng)]
    # tf_keras 2.21 writes SpectralNormalization into a legacy .h5 but cannot load it back ("Unknown layer:
    # 'SpectralNormalization'": its legacy deserializer does not know the class), so no loader is declared.
    return C.emit(name, m, inputs, formats=["keras2_h5"], loaders={"keras2_h5": []},
                  description="tf_keras RandomCrop at inference (smart_resize: centre crop to the aspect ratio, then "
                              "bilinear resize), SpectralNormalization of Conv2D and Dense (the stored kernel); "
                              "tf_keras 2.21 cannot reload its own .h5 of SpectralNormalization (unknown layer)",
                  covers=["RandomCrop", "SpectralNormalization", "multi-output"])


# ------------------------------------------------------------------ tf_keras: LocallyConnected1D / 2D

def locally_connected(name):
    keras = _keras()
    L = keras.layers
    rng = _start(name)
    s = L.Input((8, 3), name="seq")
    img = L.Input((6, 5, 2), name="img")
    outs = [
        L.LocallyConnected1D(4, 3, name="lc1d_impl1")(s),
        L.LocallyConnected1D(3, 3, strides=2, activation="relu", implementation=2, name="lc1d_impl2")(s),
        L.LocallyConnected1D(2, 4, padding="same", implementation=2, use_bias=False, name="lc1d_impl2_same")(s),
        L.LocallyConnected1D(3, 2, strides=3, implementation=3, name="lc1d_impl3")(s),
        L.LocallyConnected1D(2, 3, padding="same", implementation=3, name="lc1d_impl3_same")(s),
        L.LocallyConnected2D(3, (2, 3), name="lc2d_impl1")(img),
        L.LocallyConnected2D(2, 3, strides=(2, 1), implementation=1, use_bias=False, name="lc2d_impl1_strided")(img),
        L.LocallyConnected2D(3, 3, padding="same", implementation=2, activation="tanh", name="lc2d_impl2_same")(img),
        L.LocallyConnected2D(2, (3, 2), strides=2, implementation=2, name="lc2d_impl2")(img),
        L.LocallyConnected2D(2, 2, padding="same", strides=(1, 2), implementation=3, name="lc2d_impl3_same")(img),
        L.LocallyConnected2D(3, (2, 2), implementation=3, name="lc2d_impl3")(img),
    ]
    m = keras.Model([s, img], outs, name=name)
    C.randomize_weights(m, rng)
    inputs = [C.random_input((2, 8, 3), rng), C.random_input((2, 6, 5, 2), rng)]
    return C.emit(name, m, inputs, formats=["keras2_h5"], loaders={"keras2_h5": ["tf_keras"]},
                  description="LocallyConnected1D and LocallyConnected2D in tf_keras' three weight layouts "
                              "(implementation 1: per-position kernels; 2: a masked dense kernel; 3: the sparse "
                              "entries), valid and same padding, strides, activations, no bias",
                  covers=["LocallyConnected1D", "LocallyConnected2D", "multi-input", "multi-output"])


def registry(keras_major: int):
    if keras_major == 3:
        return [("breadth3_norm_pool_k3", norm_pool), ("breadth3_image_k3", image_k3), ("breadth3_audio_k3", audio),
                ("breadth3_pipeline_k3", pipeline),
                ("breadth3_convlstm_k3", lambda n: conv_lstm(n, True))]
    return [("breadth3_convlstm_k2", lambda n: conv_lstm(n, False)), ("breadth3_image_k2", image_k2),
            ("breadth3_local_k2", locally_connected)]
