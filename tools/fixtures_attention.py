"""Attention and transformer-normalization fixtures, for both Keras generations (issue 13, "Attention").

Registered from tools/fixtures_k2.py (`registry(2, …)`) and tools/fixtures_k3.py (`registry(3, …)`); each builder
runs in that Keras' phase of make_fixtures.py. Small sizes; weights from fixtures_common.randomize_weights.
"""
from __future__ import annotations

import numpy as np

import fixtures_common as C


def registry(major, keras, L, start, finish):
    k3 = major == 3
    sfx = f"_k{major}"
    formats = ["keras", "keras3_h5", "keras3_weights_h5"] if k3 else ["keras2_h5", "keras2_weights_h5"]
    loaders = None if k3 else {"keras2_h5": ["tf_keras"], "keras2_weights_h5": ["tf_keras"]}

    def mask01(rng, b, t, s):
        m = (rng.random((b, t, s)) > 0.35).astype(np.float32)
        m[:, :, 0] = 1.0  # no fully masked row: Keras' generations differ there
        return m

    def mha(name):
        rng = start(name)
        q = L.Input((4, 6), name="query_in")
        v = L.Input((5, 6), name="value_in")
        k = L.Input((5, 4), name="key_in")
        m = L.Input((4, 5), name="mask_in")
        cross, scores = L.MultiHeadAttention(2, 3, value_dim=2, name="mha_cross")(
            q, v, key=k, attention_mask=m, return_attention_scores=True)
        causal = L.MultiHeadAttention(3, 2, name="mha_causal")(q, q, use_causal_mask=True)
        extra = {"use_gate": True} if k3 else {}
        plain = L.MultiHeadAttention(2, 4, use_bias=False, output_shape=(2, 3), name="mha_plain", **extra)(q, v)
        m4 = L.Input((4, 4), name="self_mask_in")
        masked_causal = L.MultiHeadAttention(1, 3, name="mha_mask_causal")(q, q, attention_mask=m4,
                                                                          use_causal_mask=True)
        model = keras.Model([q, v, k, m, m4], [cross, scores, causal, plain, masked_causal], name=name)
        b = 3
        inputs = [C.random_input((b, 4, 6), rng), C.random_input((b, 5, 6), rng), C.random_input((b, 5, 4), rng),
                  mask01(rng, b, 4, 5), mask01(rng, b, 4, 4)]
        finish(name, model, rng, inputs, formats=formats, loaders=loaders,
               description="MultiHeadAttention: cross-attention with a separate key input, a 0/1 float attention_mask "
                           "and return_attention_scores (two outputs); self-attention with use_causal_mask; "
                           "use_bias=False with output_shape=(2, 3)" + (" and use_gate" if k3 else "")
                           + "; a one-head causal layer",
               covers=["MultiHeadAttention", "call:key", "call:attention_mask", "call:use_causal_mask",
                       "call:return_attention_scores"] + (["MultiHeadAttention:use_gate"] if k3 else []),
               input_notes={"input_3": "attention mask, float 0/1 (1 = attend), every row keeps key step 0",
                            "input_4": "self-attention mask, same rule (combined with the causal mask)"})

    def mha_masks(name):
        rng = start(name)
        q = L.Input((3, 4), name="seq")
        m = L.Input((3, 3), name="mask_in")
        fused = L.MultiHeadAttention(2, 2, name="mha_fused")(q, q, attention_mask=m)
        out, scores = L.MultiHeadAttention(2, 2, name="mha_scores")(q, q, attention_mask=m,
                                                                   return_attention_scores=True)
        model = keras.Model([q, m], [fused, out, scores], name=name)
        mask = np.array([[[1, 0.5, 0], [0, 0, 0], [1, 1, 1]],
                         [[0.5, 0.5, 1], [1, 0, 0], [0, 0, 0]]], dtype=np.float32)
        finish(name, model, rng, [C.random_input((2, 3, 4), rng), mask], formats=formats[:1], loaders=loaders,
               description="MultiHeadAttention masks where the Keras generations differ: fractional mask values "
                           "(0.5: kept by Keras 3, which casts the mask to bool; -5e8 added by tf_keras) and fully "
                           "masked rows (Keras 3: uniform weights on its fused path, zeros when it returns the scores; "
                           "tf_keras: uniform)",
               covers=["MultiHeadAttention", "call:attention_mask", "mask:fractional", "mask:fully_masked_row"],
               input_notes={"input_1": "attention mask with values 0, 0.5 and 1 and fully masked rows"})

    def gqa(name):
        rng = start(name)
        q = L.Input((4, 6), name="query_in")
        v = L.Input((5, 6), name="value_in")
        m = L.Input((4, 5), name="mask_in")
        GQA = L.GroupQueryAttention
        cross, scores = GQA(head_dim=3, num_query_heads=4, num_key_value_heads=2, name="gqa_cross")(
            q, v, attention_mask=m, return_attention_scores=True)
        causal = GQA(head_dim=2, num_query_heads=3, num_key_value_heads=1, use_bias=False, name="gqa_causal")(
            q, q, use_causal_mask=True)
        gated = GQA(head_dim=2, num_query_heads=2, num_key_value_heads=2, use_gate=True, name="gqa_gated")(q, v, key=v)
        model = keras.Model([q, v, m], [cross, scores, causal, gated], name=name)
        b = 2
        finish(name, model, rng, [C.random_input((b, 4, 6), rng), C.random_input((b, 5, 6), rng), mask01(rng, b, 4, 5)],
               formats=formats, loaders=loaders,
               description="GroupQueryAttention (Keras 3): 4 query heads over 2 key/value heads with an attention mask "
                           "and the scores; 3 over 1 without bias, causal; 2 over 2 gated with a key",
               covers=["GroupedQueryAttention", "call:attention_mask", "call:use_causal_mask",
                       "call:return_attention_scores"],
               input_notes={"input_2": "attention mask, float 0/1, every row keeps key step 0"})

    def attention(name):
        rng = start(name)
        q = L.Input((4, 6), name="query_in")
        v = L.Input((5, 6), name="value_in")
        k = L.Input((5, 6), name="key_in")
        dot = L.Attention(use_scale=True, name="att_dot")([q, v, k])
        plain_out, plain_scores = L.Attention(name="att_plain")([q, v], return_attention_scores=True)
        concat = L.Attention(score_mode="concat", use_scale=True, name="att_concat")([q, q], use_causal_mask=True)
        add = L.AdditiveAttention(name="add_att")([q, v, k])
        add_noscale = L.AdditiveAttention(use_scale=False, name="add_att_noscale")([q, q], use_causal_mask=True)
        model = keras.Model([q, v, k], [dot, plain_out, plain_scores, concat, add, add_noscale], name=name)
        b = 2
        inputs = [C.random_input((b, 4, 6), rng), C.random_input((b, 5, 6), rng), C.random_input((b, 5, 6), rng)]
        # Keras 3.15's legacy .h5 loader turns Attention's score_mode "dot" into the function keras.ops.dot and
        # refuses it: Keras 3 cannot load its own .h5 of this model (probed, not declared).
        att_loaders = loaders if not k3 else {"keras3_h5": []}
        finish(name, model, rng, inputs, formats=formats, loaders=att_loaders,
               description="Attention (dot with use_scale and a key; plain with return_attention_scores; concat "
                           "with use_scale and a causal mask) and AdditiveAttention (with a key; without scale, causal)",
               covers=["Attention", "AdditiveAttention", "call:use_causal_mask", "call:return_attention_scores"])

    def norms(name):
        rng = start(name)
        x = L.Input((3, 4, 6), name="x")
        s = L.Input((5, 6), name="seq")
        outs = [
            L.LayerNormalization(axis=[1, 2], name="ln_axes_12")(x),
            L.LayerNormalization(axis=[-1, 1], epsilon=1e-5, name="ln_axes_31")(x),
            L.LayerNormalization(center=False, name="ln_no_center")(s),
            L.UnitNormalization(name="unit_last")(s),
            L.UnitNormalization(axis=[1, 2], name="unit_12")(x),
            L.GroupNormalization(groups=2, name="gn_2")(x),
            L.GroupNormalization(groups=2, axis=2, epsilon=1e-4, name="gn_axis2")(x),
            L.GroupNormalization(groups=6, center=False, name="gn_6")(x),
        ]
        if k3:
            outs += [L.LayerNormalization(rms_scaling=True, name="ln_rms")(s),
                     L.LayerNormalization(axis=[1, 2], rms_scaling=True, name="ln_rms_12")(x)]
        model = keras.Model([x, s], outs, name=name)
        b = 2
        inputs = [C.random_input((b, 3, 4, 6), rng) * 2 + 0.5, C.random_input((b, 5, 6), rng)]
        # Keras 3.15's legacy .h5 loader drops a multi-axis `axis` (it cannot load its own .h5 of this model).
        norm_loaders = loaders if not k3 else {"keras3_h5": []}
        finish(name, model, rng, inputs, formats=formats, loaders=norm_loaders,
               description="LayerNormalization over list axes" + (" and with rms_scaling" if k3 else "")
                           + ", UnitNormalization (last axis and two axes), GroupNormalization (channels-last, "
                           "axis=2, groups = channels)",
               covers=["LayerNormalization", "UnitNormalization", "GroupNormalization"]
                      + (["LayerNormalization:rms_scaling"] if k3 else []))

    def einsum(name):
        rng = start(name)
        a = L.Input((6,), name="vec")
        s = L.Input((4, 6), name="seq")
        g = L.Input((4, 3, 6), name="grid")
        outs = [
            L.EinsumDense("ab,bc->ac", output_shape=5, bias_axes="c", name="ein_ab_bc")(a),
            L.EinsumDense("abc,cd->abd", output_shape=(None, 5), bias_axes="d", activation="relu",
                          name="ein_abc_cd")(s),
            L.EinsumDense("abc,cde->abde", output_shape=(None, 2, 3), bias_axes="de", name="ein_abc_cde")(s),
            L.EinsumDense("abcd,cde->abe", output_shape=(None, 5), bias_axes="e", name="ein_abcd_cde")(g),
            L.EinsumDense("abc,bcd->ad", output_shape=7, name="ein_abc_bcd")(s),
            L.EinsumDense("abc,cb->ab", output_shape=4, bias_axes="b", name="ein_transposed")(s),
            L.EinsumDense("...b,bc->...c", output_shape=3, bias_axes="c", activation="tanh", name="ein_ellipsis")(g),
        ]
        model = keras.Model([a, s, g], outs, name=name)
        b = 2
        inputs = [C.random_input((b, 6), rng), C.random_input((b, 4, 6), rng), C.random_input((b, 4, 3, 6), rng)]
        finish(name, model, rng, inputs, formats=formats, loaders=loaders,
               description="EinsumDense equations: ab,bc->ac; abc,cd->abd (relu); abc,cde->abde (bias de); "
                           "abcd,cde->abe; abc,bcd->ad; abc,cb->ab; ...b,bc->...c (tanh)",
               covers=["EinsumDense"])

    def transformer(name):
        rng = start(name)
        steps, vocab, d = 6, 11, 8
        tokens = L.Input((steps,), dtype="int32", name="tokens")
        positions = L.Input((steps,), dtype="int32", name="positions")
        h = L.Add(name="embed_sum")([L.Embedding(vocab, d, name="token_emb")(tokens),
                                     L.Embedding(steps, d, name="position_emb")(positions)])
        att = L.MultiHeadAttention(2, 4, name="self_attention")(h, h)
        h = L.LayerNormalization(epsilon=1e-6, name="ln_1")(L.Add(name="residual_1")([h, att]))
        ff = L.Dense(16, activation="gelu", name="ff_1")(h)
        ff = L.Dense(d, name="ff_2")(ff)
        h = L.LayerNormalization(epsilon=1e-6, name="ln_2")(L.Add(name="residual_2")([h, ff]))
        h = L.GlobalAveragePooling1D(name="pool")(h)
        out = L.Dense(3, activation="softmax", name="classifier")(h)
        model = keras.Model([tokens, positions], out, name=name)
        b = 3
        ids = rng.integers(0, vocab, size=(b, steps)).astype(np.int32)
        pos = np.tile(np.arange(steps, dtype=np.int32), (b, 1))
        finish(name, model, rng, [ids, pos], formats=formats, loaders=loaders,
               description="a small transformer encoder block: token Embedding + position Embedding (position "
                           "indices as a second input) → MultiHeadAttention self-attention → residual Add → "
                           "LayerNormalization → Dense(gelu) → Dense → residual Add → LayerNormalization → "
                           "GlobalAveragePooling1D → Dense(softmax)",
               covers=["Embedding", "MultiHeadAttention", "LayerNormalization", "Dense", "activation:gelu", "Add",
                       "GlobalAveragePooling1D", "transformer"],
               input_notes={"input_0": "int32 token ids in [0, 11)", "input_1": "int32 positions 0…5"})

    builders = [("mha", mha), ("mha_masks", mha_masks), ("attention", attention), ("norms", norms), ("einsum", einsum),
                ("transformer", transformer)]
    if k3:
        builders.append(("gqa", gqa))
    return [(n + sfx, fn) for n, fn in builders]
