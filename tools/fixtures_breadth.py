"""Fixture builders for issue 13's remaining layer classes ("Breadth"): the 1-D and 3-D convolution variants
(Conv3D, Conv1DTranspose, Conv3DTranspose, SeparableConv1D, DepthwiseConv1D), the numeric lookup/encoding layers
(CategoryEncoding, IntegerLookup) and the generic `RNN` with built-in cells, for Keras 3 and tf_keras.

Imported by fixtures_k3.py / fixtures_k2.py (which add `registry(keras_major)` to their REGISTRY), so it runs in
the phase of the Keras it builds for: `tools/.venv/bin/python tools/make_fixtures.py --only conv_breadth_k3`.
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


# ------------------------------------------------------------------ 1-D and 3-D convolution variants

def conv_breadth(name, k3: bool):
    keras = _keras()
    L = keras.layers
    rng = _start(name)
    s = L.Input((9, 4), name="seq")
    v = L.Input((5, 6, 4, 4), name="vol")
    outs = [
        L.Conv1DTranspose(3, 3, strides=2, padding="same", name="conv1dt_same")(s),
        L.Conv1DTranspose(3, 4, strides=3, output_padding=1, activation="relu", name="conv1dt_outpad")(s),
        L.Conv1DTranspose(2, 5, strides=2, padding="same", use_bias=False, name="conv1dt_nobias")(s),
        L.Conv1DTranspose(2, 2, strides=2, padding="valid", name="conv1dt_valid")(s),
        L.SeparableConv1D(5, 3, strides=2, padding="same", depth_multiplier=2, name="sep1d_same")(s),
        L.SeparableConv1D(4, 3, dilation_rate=2, activation="tanh", name="sep1d_dilated")(s),
        L.DepthwiseConv1D(3, strides=2, depth_multiplier=2, name="dw1d_strided")(s),
        L.DepthwiseConv1D(3, dilation_rate=2, padding="same", activation="relu", name="dw1d_dilated")(s),
        L.Conv3D(4, 3, strides=2, padding="same", name="conv3d_same")(v),
        L.Conv3D(3, (2, 3, 2), dilation_rate=(2, 1, 2), activation="relu", name="conv3d_dilated")(v),
        L.Conv3D(4, (1, 2, 3), strides=(1, 2, 1), groups=2, use_bias=False, name="conv3d_groups")(v),
        L.Conv3DTranspose(3, 3, strides=2, padding="same", name="conv3dt_same")(v),
        L.Conv3DTranspose(2, (2, 3, 2), strides=(2, 1, 3), output_padding=(1, 0, 2), activation="tanh",
                          name="conv3dt_outpad")(v),
        L.Conv3DTranspose(2, (3, 2, 2), strides=(1, 2, 2), name="conv3dt_valid")(v),
    ]
    if not k3:
        # tf_keras runs SeparableConv1D with causal padding (Keras 3 refuses `causal` for it).
        outs.append(L.SeparableConv1D(3, 3, padding="causal", dilation_rate=2, name="sep1d_causal")(s))
    m = keras.Model([s, v], outs, name=name)
    C.randomize_weights(m, rng)
    inputs = [C.random_input((2, 9, 4), rng), C.random_input((2, 5, 6, 4, 4), rng)]
    fmts = ["keras", "keras3_h5"] if k3 else ["keras2_h5"]
    return C.emit(name, m, inputs, formats=fmts, loaders={"keras2_h5": ["tf_keras"]},
                  description="1-D and 3-D convolution variants: Conv1DTranspose (same, output_padding, no bias, "
                              "valid), SeparableConv1D (strides, depth_multiplier, dilation"
                              + ("" if k3 else ", causal") + "), DepthwiseConv1D (strides, dilation), Conv3D (same "
                              "with strides, dilation, groups), Conv3DTranspose (same, output_padding, valid)",
                  covers=["Conv1DTranspose", "SeparableConv1D", "DepthwiseConv1D", "Conv3D", "Conv3DTranspose",
                          "multi-input", "multi-output"])


# ------------------------------------------------------------------ lookup and encoding on numeric input

def lookup(name, k3: bool):
    keras = _keras()
    L = keras.layers
    _start(name)
    ids = L.Input((4,), dtype="int32", name="ids")
    one = L.Input((1,), dtype="int32", name="one_id")
    ins = [ids, one]
    outs = [
        L.CategoryEncoding(6, output_mode="one_hot", name="cat_one_hot")(one),
        L.CategoryEncoding(6, output_mode="multi_hot", name="cat_multi_hot")(ids),
        L.CategoryEncoding(6, output_mode="count", name="cat_count")(ids),
    ]
    if k3:
        # tf_keras refuses one_hot outputs of rank 3.
        outs.append(L.CategoryEncoding(6, output_mode="one_hot", name="cat_one_hot_seq")(ids))
    big = L.Input((5,), dtype="int64", name="big_ids")
    ins.append(big)
    outs += [
        L.Hashing(7, name="hash")(big),
        L.Hashing(5, mask_value=0, name="hash_masked")(big),
        L.Hashing(6, output_mode="multi_hot", name="hash_multi_hot")(big),
        L.Hashing(2**31 - 1, name="hash_wide")(big),
    ]
    inputs = [np.array([[0, 5, 5, 2], [3, 3, 3, 3], [1, 4, 0, 2]], dtype=np.int32),
              np.array([[4], [0], [5]], dtype=np.int32),
              # Within ±2^24: KerasPort's tensors are float32, exact for integers up to that size.
              np.array([[0, 1, -1, 12345678, -2**24], [7, 0, 99, 2**24, -45], [0, 0, 12, -7, 5]],
                       dtype=np.int64)]
    covers = ["CategoryEncoding", "Hashing"]
    if k3:
        # tf_keras cannot save an IntegerLookup to a legacy .h5 (its vocabulary is not a tf.Variable).
        tok = L.Input((5,), dtype="int64", name="tokens")
        known = L.Input((3,), dtype="int64", name="known")
        indices = L.Input((4,), dtype="int64", name="indices")
        ins += [tok, known, indices]
        vocab = [12, 7, 30, 4, -3]
        outs += [
            L.IntegerLookup(vocabulary=vocab, name="lookup_int")(tok),
            L.IntegerLookup(vocabulary=vocab, mask_token=0, num_oov_indices=3, name="lookup_mask_oov3")(tok),
            L.IntegerLookup(vocabulary=vocab, num_oov_indices=0, name="lookup_no_oov")(known),
            L.IntegerLookup(vocabulary=vocab, mask_token=0, invert=True, name="lookup_invert")(indices),
            L.IntegerLookup(vocabulary=vocab, output_mode="multi_hot", name="lookup_multi_hot")(tok),
            L.IntegerLookup(vocabulary=vocab, output_mode="count", num_oov_indices=2, mask_token=0,
                            name="lookup_count")(tok),
            L.IntegerLookup(vocabulary=vocab, output_mode="one_hot", max_tokens=9, pad_to_max_tokens=True,
                            name="lookup_one_hot_padded")(known),
        ]
        inputs += [np.array([[12, 7, 0, 99, -3], [4, 4, -8, 30, 5], [0, 0, 13, 12, 6]], dtype=np.int64),
                   np.array([[12, 7, 30], [4, -3, 12], [30, 30, 7]], dtype=np.int64),
                   np.array([[0, 1, 2, 6], [3, 4, 5, 9], [7, 2, 0, 1]], dtype=np.int64)]
        covers.append("IntegerLookup")
    m = keras.Model(ins, outs, name=name)
    fmts = ["keras", "keras3_h5"] if k3 else ["keras2_h5"]
    return C.emit(name, m, inputs, formats=fmts,
                  description="CategoryEncoding (one_hot on (n,1) ids, and on (n,4) in Keras 3; multi_hot, count); Hashing "
                              "on int64 ids (FarmHash Fingerprint64 of the decimal string: plain, mask_value, "
                              "multi_hot, 2^31-1 bins)"
                              + ("; IntegerLookup with a vocabulary in the config (int with OOV, mask_token with 3 "
                                 "floormod OOV buckets and negative tokens, num_oov_indices=0, invert with mask, "
                                 "multi_hot, count with mask, one_hot padded to max_tokens)" if k3 else ""),
                  covers=covers + ["multi-input", "multi-output"])


# ------------------------------------------------------------------ RNN with built-in cells

def rnn_cells(name, k3: bool):
    import fixtures_recurrent as R
    keras = _keras()
    L = keras.layers
    rng = _start(name)
    x = L.Input((6, 3), name="seq")
    tok = L.Input((6,), dtype="int32", name="tokens")

    def stack(cells):
        return L.StackedRNNCells(cells)

    outs = [
        L.RNN(L.LSTMCell(4), name="rnn_lstm")(x),
        L.RNN(L.GRUCell(3), go_backwards=True, return_sequences=True,
              name="rnn_gru_backwards")(x),
        *L.RNN(L.SimpleRNNCell(3, activation="relu"), return_state=True, name="rnn_simple_state")(x),
        L.RNN(L.LSTMCell(2), return_state=False, return_sequences=True, name="rnn_lstm_seq")(x),
        L.RNN(stack([L.LSTMCell(4), L.GRUCell(3), L.SimpleRNNCell(2)]), return_sequences=True,
              name="rnn_stacked")(x),
        L.RNN(stack([L.GRUCell(3), L.LSTMCell(2)]), go_backwards=True, name="rnn_stacked_backwards")(x),
    ]
    emb = L.Embedding(12, 3, mask_zero=True, name="emb")(tok)
    outs += [
        L.RNN(stack([L.LSTMCell(3), L.SimpleRNNCell(2)]), return_sequences=True, name="rnn_stacked_masked")(emb),
        L.RNN(L.GRUCell(2), go_backwards=True, name="rnn_gru_masked_backwards")(emb),
    ]
    if not k3:
        outs.append(L.RNN(L.GRUCell(3, reset_after=False), name="rnn_gru_v1")(x))
    m = keras.Model([x, tok], outs, name=name)
    R._randomize(m, rng)
    inputs = [C.random_input((5, 6, 3), rng), R.TOKENS.copy()]
    # Keras 3's legacy .h5 of a masked model records its `NotEqual` mask op, which its own loader cannot load.
    fmts = ["keras"] if k3 else ["keras2_h5"]
    return C.emit(name, m, inputs, formats=fmts, loaders={"keras2_h5": ["tf_keras"]},
                  description="RNN with LSTMCell, GRUCell (go_backwards"
                              + ("" if k3 else "; reset_after=False") + "), SimpleRNNCell (return_state), "
                              "StackedRNNCells of LSTM/GRU/SimpleRNN cells (sequences, go_backwards), and behind "
                              "Embedding(mask_zero=True) (a stack with return_sequences, a backwards GRU cell)",
                  covers=["RNN", "LSTMCell", "GRUCell", "SimpleRNNCell", "StackedRNNCells", "Embedding",
                          "multi-input", "multi-output"])


# ------------------------------------------------------------------ ConvLSTM2D

def conv_lstm(name, k3: bool):
    import fixtures_recurrent as R
    keras = _keras()
    L = keras.layers
    rng = _start(name)
    x = L.Input((4, 6, 5, 2), name="frames")
    outs = [
        L.ConvLSTM2D(3, 3, padding="same", return_sequences=True, recurrent_activation="sigmoid",
                     name="clstm_same_seq")(x),
        *L.ConvLSTM2D(2, (2, 3), strides=2, go_backwards=True, return_state=True, recurrent_activation="sigmoid",
                      name="clstm_strided_state")(x),
        L.ConvLSTM2D(2, 3, dilation_rate=(2, 1), activation="relu", recurrent_activation="sigmoid",
                     use_bias=False, name="clstm_dilated")(x),
    ]
    if not k3:
        # tf_keras' default recurrent_activation is its own hard_sigmoid.
        outs.append(L.ConvLSTM2D(2, 3, name="clstm_k2_default")(x))
    m = keras.Model(x, outs, name=name)
    R._randomize(m, rng)
    inputs = [C.random_input((2, 4, 6, 5, 2), rng)]
    fmts = ["keras", "keras3_h5"] if k3 else ["keras2_h5"]
    return C.emit(name, m, inputs, formats=fmts, loaders={"keras2_h5": ["tf_keras"]},
                  description="ConvLSTM2D: same padding with return_sequences, strides 2 with go_backwards and "
                              "return_state, dilation with relu and no bias"
                              + ("" if k3 else ", tf_keras' default hard_sigmoid recurrent activation"),
                  covers=["ConvLSTM2D", "multi-output"])


def registry(keras_major: int):
    k3 = keras_major == 3
    suffix = "_k3" if k3 else "_k2"
    out = []
    for fn in (conv_breadth, lookup, rnn_cells, conv_lstm):
        out.append((fn.__name__ + suffix, lambda n, fn=fn: fn(n, k3)))
    return out
