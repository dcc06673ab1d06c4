"""Regression fixtures for the real-world zoo failures of issue 13 (round 2), for both Keras generations.

Registered from tools/fixtures_k2.py (`registry(2, …)`) and tools/fixtures_k3.py (`registry(3, …)`); each builder
runs in that Keras' phase of make_fixtures.py:

    tools/.venv/bin/python tools/make_fixtures.py --only attention_keras_masks_k3 --only ops_legacy_h5_k3

- `attention_keras_masks_k2/k3`: Keras masks (Embedding(mask_zero=True)) reaching MultiHeadAttention (query, value
  and key masks, combined with an explicit attention_mask and use_causal_mask, with and without the scores),
  Attention and AdditiveAttention (query and value masks, causal), and the query mask carried on past them into a
  masked GlobalAveragePooling1D. tf_keras: one embedding per token input shared by every layer; Keras 3: one per
  attention layer (its MultiHeadAttention removes the masks of the tensors it reads, so sharing would depend on
  Keras' execution order).
- `ops_legacy_h5_k3`: Keras 3 `keras.ops` calls saved in a legacy `.h5`, whose layer entries name no module
  (`DepthToSpace`, and `Add` / `Multiply`, whose class names are also layers').
- `preprocessing_legacy_h5_k3`: Rescaling (with an offset) → Normalization (adapted, weights) → Conv2D →
  Activation("hard_silu"), saved by Keras 3 as a legacy `.h5` and as `.keras`.
"""
from __future__ import annotations

import numpy as np

import fixtures_common as C


def registry(major, keras, L, start, finish):
    k3 = major == 3
    sfx = f"_k{major}"

    def tokens(rng, b, t, vocab, pad):
        """Token ids in [1, vocab) with `pad[i]` trailing zeros (padding) in row i."""
        ids = rng.integers(1, vocab, size=(b, t)).astype(np.int32)
        for i, p in enumerate(pad):
            if p:
                ids[i, t - p:] = 0
        return ids

    def attention_keras_masks(name):
        rng = start(name)
        a = L.Input((6,), dtype="int32", name="tokens_a")
        b = L.Input((5,), dtype="int32", name="tokens_b")
        m = L.Input((6, 6), name="explicit_mask")
        if k3:
            # Keras 3's MultiHeadAttention removes the Keras masks of its input tensors when it runs, so a masked
            # tensor shared with layers that run later reaches them unmasked, in Keras' execution order: each
            # attention layer gets its own embeddings here (one token input each), so the order does not matter.
            def emb(tok, tag):
                return L.Embedding(20, 8, mask_zero=True, name=f"emb_{tag}")(tok)
            xs, xc, xq, x = emb(a, "self"), emb(a, "causal"), emb(a, "cross_q"), emb(a, "att_q")
            yk, y = emb(b, "cross_kv"), emb(b, "att_v")
        else:
            x = L.Embedding(20, 8, mask_zero=True, name="emb_a")(a)
            y = L.Embedding(20, 8, mask_zero=True, name="emb_b")(b)
            xs = xc = xq = x
            yk = y
        self_att = L.MultiHeadAttention(2, 4, name="mha_self")(xs, xs)
        pooled = L.GlobalAveragePooling1D(name="pool_masked")(L.Add(name="residual")([xs, self_att]))
        causal = L.MultiHeadAttention(2, 3, name="mha_causal_explicit")(xc, xc, attention_mask=m, use_causal_mask=True)
        cross, scores = L.MultiHeadAttention(1, 4, name="mha_cross_key")(xq, yk, key=yk, return_attention_scores=True)
        dot = L.Attention(name="att_dot")([x, y])
        dot_causal = L.Attention(use_scale=True, name="att_causal")([x, x], use_causal_mask=True)
        additive = L.AdditiveAttention(name="add_att")([x, y, y])
        outs = [self_att, pooled, causal, cross, scores, dot, dot_causal, additive]
        model = keras.Model([a, b, m], outs, name=name)
        n = 3
        ta = tokens(rng, n, 6, 20, [0, 2, 4])
        tb = tokens(rng, n, 5, 20, [1, 0, 3])
        em = (rng.random((n, 6, 6)) > 0.3).astype(np.float32)
        em[:, :, 0] = 1.0
        formats = ["keras"] if k3 else ["keras2_h5"]
        # Keras 3 cannot load tf_keras' MultiHeadAttention config (query_shape/key_shape/value_shape, which tf_keras
        # requires): the tf_keras file is declared for tf_keras only.
        finish(name, model, rng, [ta, tb, em], formats=formats, loaders=None if k3 else {"keras2_h5": ["tf_keras"]},
               description="Keras masks from Embedding(mask_zero=True) reaching attention: MultiHeadAttention "
                           "self-attention (query and value masks), with an explicit attention_mask and "
                           "use_causal_mask, cross-attention with a masked key and the scores; Attention (query "
                           "and value masks; causal), AdditiveAttention with a key; the query mask carried on "
                           "through Add into a masked GlobalAveragePooling1D",
               covers=["MultiHeadAttention", "Attention", "AdditiveAttention", "mask:query", "mask:value",
                       "mask:key", "call:attention_mask", "call:use_causal_mask", "call:return_attention_scores"],
               input_notes={"input_0": "int32 token ids, rows with 0, 2 and 4 trailing zeros (padding)",
                            "input_1": "int32 token ids, rows with 1, 0 and 3 trailing zeros (padding)",
                            "input_2": "explicit attention mask, float 0/1, key step 0 always kept"})

    def ops_legacy_h5(name):
        from keras import ops
        rng = start(name)
        x = L.Input((4, 5, 3), name="lr")
        h = L.Conv2D(12, 3, padding="same", name="to_subpixel")(x)
        s = ops.depth_to_space(h, 2)
        t = L.Conv2D(3, 1, name="mix")(s)
        u = ops.add(s, t)
        v = ops.multiply(u, 0.5)
        w = L.Add(name="add_layer")([v, s])
        model = keras.Model(x, w, name=name)
        # Keras 3.15's legacy .h5 loader looks the op entries up among the layers and fails (probed, not declared).
        finish(name, model, rng, [C.random_input((2, 4, 5, 3), rng)], formats=["keras3_h5", "keras"],
               loaders={"keras3_h5": []},
               description="Keras 3 keras.ops calls (depth_to_space, add, multiply by a constant) beside an Add layer, "
                           "saved as a legacy .h5 (op entries without a module; `Add`/`Multiply` collide with layer "
                           "names) and as .keras",
               covers=["keras.ops", "DepthToSpace", "Add", "Multiply", "format:keras3_h5"])

    def preprocessing_legacy_h5(name):
        rng = start(name)
        x = L.Input((6, 5, 3), name="image")
        r = L.Rescaling(1 / 127.5, offset=-1.0, name="rescaling")(x)
        # Statistics set as adapt() would leave them (adapt() records its batch in the .keras build_config), then
        # finalize_state(): Keras 3 computes with a copy taken at build time that set_weights does not refresh.
        norm = L.Normalization(axis=-1, name="normalization")
        h = norm(r)
        data = rng.uniform(-1, 1, size=(16, 6, 5, 3)).astype(np.float32) * np.array([1, 2, 0.5], np.float32)
        count = norm.get_weights()[2]
        norm.set_weights([data.mean(axis=(0, 1, 2)), data.var(axis=(0, 1, 2)),
                          np.asarray(data.size // 3, dtype=count.dtype)])
        norm.finalize_state()
        h = L.Conv2D(4, 3, padding="same", name="conv")(h)
        h = L.Activation("hard_silu", name="hard_silu")(h)
        model = keras.Model(x, h, name=name)
        C.emit(name, model, [rng.uniform(0, 255, size=(2, 6, 5, 3)).astype(np.float32)],
             formats=["keras3_h5", "keras"],
             description="Keras 3 Rescaling(1/127.5, offset=-1) → Normalization (adapted: mean/variance/count "
                         "weights) → Conv2D → Activation('hard_silu'), saved as a legacy .h5 and as .keras",
             covers=["Rescaling", "Normalization", "activation:hard_silu", "format:keras3_h5"])

    out = [(f"attention_keras_masks{sfx}", attention_keras_masks)]
    if k3:
        out += [(f"ops_legacy_h5{sfx}", ops_legacy_h5), (f"preprocessing_legacy_h5{sfx}", preprocessing_legacy_h5)]
    return out
