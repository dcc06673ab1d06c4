"""Recurrent-layer fixture builders (SimpleRNN, LSTM, GRU, Bidirectional, TimeDistributed, Embedding(mask_zero),
Masking), for both Keras versions. `fixtures_k2.py` and `fixtures_k3.py` add `builders(...)` to their REGISTRY.

Padded token ids (zeros at the start, middle and end of rows) exercise Keras' masking: masked steps keep the
previous states; a layer returning sequences repeats the previous output there, a Bidirectional one outputs zeros.
"""
from __future__ import annotations

import numpy as np

import fixtures_common as C

# Token ids with padding zeros in every position kind (leading, trailing, inside, a fully padded row).
TOKENS = np.array([
    [3, 5, 1, 0, 0, 0],
    [0, 0, 2, 7, 9, 4],
    [4, 0, 6, 0, 8, 2],
    [0, 0, 0, 0, 0, 0],
    [11, 10, 9, 8, 7, 6],
], dtype=np.int32)


def _randomize(model, rng):
    """Weights of scale ~1/sqrt(fan_in) (fixtures_common), with recurrent kernels scaled up a little so gates are
    not all near 0.5 and the states carry real information across steps."""
    C.randomize_weights(model, rng)
    for layer in C._leaf_layers(model):
        vals = layer.get_weights()
        if not vals:
            continue
        names = [C.short_weight_name(w) for w in layer.weights]
        changed = False
        for i, n in enumerate(names):
            if n == "recurrent_kernel":
                vals[i] = (vals[i] * 1.5).astype(np.float32)
                changed = True
        if changed:
            layer.set_weights(vals)


def _masked_floats(rng, shape, masked):
    """Float sequences with the listed (row, step) positions all zeros (for Masking(0.0))."""
    x = rng.standard_normal(shape).astype(np.float32)
    for r, t in masked:
        x[r, t, :] = 0.0
    return x


def builders(keras, L, major):
    tag = f"k{major}"
    fmt_full = "keras2_h5" if major == 2 else "keras"
    fmt_weights = "keras2_weights_h5" if major == 2 else "keras3_weights_h5"
    out = []

    def start(name):
        keras.backend.clear_session()
        keras.utils.set_random_seed(C.seed_for(name))
        return np.random.default_rng(C.seed_for(name))

    def finish(name, model, rng, inputs, **kw):
        _randomize(model, rng)
        if major == 2:
            # Keras 3 refuses tf_keras RNN configs (`time_major` is an unknown argument to it).
            kw["loaders"] = {"keras2_h5": ["tf_keras"], "keras2_weights_h5": ["tf_keras"]}
        return C.emit(name, model, inputs, **kw)

    def rnn_text(name):
        """The text model: Embedding(mask_zero) → Bidirectional LSTM → GRU → TimeDistributed(Dense), plus an LSTM
        with return_state + go_backwards and a SimpleRNN, all on the masked embedding."""
        rng = start(name)
        # tf_keras: variable-length input (None), the usual text-model declaration; Keras 3: fixed length.
        x = L.Input((None,) if major == 2 else (6,), dtype="int32", name="tokens")
        e = L.Embedding(12, 4, mask_zero=True, name="emb")(x)
        b = L.Bidirectional(L.LSTM(3, return_sequences=True, name="lstm"), name="bi_lstm")(e)
        g = L.GRU(3, return_sequences=True, name="gru")(b)
        td = L.TimeDistributed(L.Dense(2, activation="tanh", name="td_dense"), name="td")(g)
        s, h, c = L.LSTM(2, return_state=True, go_backwards=True, name="lstm_back")(e)
        r = L.SimpleRNN(2, name="srnn")(b)
        gs = L.GRU(2, return_sequences=True, go_backwards=True, reset_after=False, name="gru_v1")(e)
        gap = L.GlobalAveragePooling1D(name="gap")(L.Dense(3, name="gap_dense")(e))
        m = keras.Model(x, [td, s, h, c, r, gs, gap], name=name)
        finish(name, m, rng, [TOKENS], formats=[fmt_full, fmt_weights],
               description="Embedding(12, 4, mask_zero=True) on padded int32 ids → Bidirectional(LSTM(3, "
                           "return_sequences)) → GRU(3, return_sequences) → TimeDistributed(Dense(2, tanh)); "
                           "LSTM(2, return_state, go_backwards); SimpleRNN(2); GRU(2, reset_after=False, "
                           "go_backwards, return_sequences); Dense → GlobalAveragePooling1D (masked mean; NaN for the fully padded row, as in Keras)",
               covers=["Embedding", "Bidirectional", "LSTM", "GRU", "TimeDistributed", "SimpleRNN", "Dense",
                       "mask_zero", "return_state", "go_backwards", "reset_after", "GlobalAveragePooling1D"],
               input_notes={"input_0": "int32 token ids in [0, 12) with padding zeros (leading, trailing, inside, "
                                       "a fully padded row), stored as int32 .npy"})

    def rnn_merge(name):
        """Masking(0.0) on float sequences → Bidirectional in every merge_mode, return_state, a backward_layer."""
        rng = start(name)
        x = L.Input((5, 3), name="seq")
        mk = L.Masking(0.0, name="masking")(x)
        outs = [
            L.Bidirectional(L.GRU(2, return_sequences=True), merge_mode="sum", name="bi_sum")(mk),
            L.Bidirectional(L.SimpleRNN(2, return_sequences=True, activation="relu"), merge_mode="mul", name="bi_mul")(mk),
            L.Bidirectional(L.LSTM(2), merge_mode="ave", name="bi_ave")(mk),
        ]
        outs += L.Bidirectional(L.GRU(2, return_sequences=True, reset_after=False), merge_mode=None, name="bi_none")(mk)
        outs += L.Bidirectional(L.LSTM(2, return_state=True), merge_mode="concat", name="bi_state")(mk)
        outs.append(L.Bidirectional(L.LSTM(2, return_sequences=True),
                                    backward_layer=L.GRU(2, return_sequences=True, go_backwards=True, name="back_gru"),
                                    name="bi_custom")(mk))
        outs.append(L.LSTM(2, use_bias=False, activation="relu",
                           return_sequences=True, name="lstm_nobias")(x))
        m = keras.Model(x, outs, name=name)
        xs = _masked_floats(rng, (3, 5, 3), [(0, 0), (0, 4), (1, 2), (2, 3), (2, 4)])
        finish(name, m, rng, [xs], formats=[fmt_full],
               description="Masking(0.0) on float sequences with zero steps → Bidirectional GRU (sum), SimpleRNN relu "
                           "(mul), LSTM (ave), GRU reset_after=False (None: two outputs), LSTM return_state (concat), "
                           "LSTM forward + GRU backward_layer; an LSTM without bias with relu, unmasked",
               covers=["Masking", "Bidirectional", "LSTM", "GRU", "SimpleRNN", "merge_mode", "backward_layer",
                       "return_state"],
               input_notes={"input_0": "float32 [3, 5, 3], steps (0,0), (0,4), (1,2), (2,3), (2,4) all zeros"})

    def rnn_timedistributed(name):
        """TimeDistributed(Conv2D) → TimeDistributed(Flatten) → LSTM: a video-style model, no masks."""
        rng = start(name)
        x = L.Input((3, 5, 5, 2), name="frames")
        h = L.TimeDistributed(L.Conv2D(2, 3, activation="relu", name="conv"), name="td_conv")(x)
        h = L.TimeDistributed(L.Flatten(name="flat"), name="td_flat")(h)
        h = L.LSTM(3, recurrent_activation="hard_sigmoid", name="lstm")(h)
        m = keras.Model(x, h, name=name)
        xs = rng.standard_normal((2, 3, 5, 5, 2)).astype(np.float32)
        finish(name, m, rng, [xs], formats=[fmt_full],
               description="TimeDistributed(Conv2D(2, 3, relu)) → TimeDistributed(Flatten) → LSTM(3, "
                           "recurrent_activation=hard_sigmoid: Keras 2's clip(0.2x + 0.5) or Keras 3's relu6(x + 3) / 6)",
               covers=["TimeDistributed", "Conv2D", "Flatten", "LSTM", "activation:hard_sigmoid"])

    for fn in (rnn_text, rnn_merge, rnn_timedistributed):
        n = f"{fn.__name__}_{tag}"
        out.append((n, fn))
    return out
