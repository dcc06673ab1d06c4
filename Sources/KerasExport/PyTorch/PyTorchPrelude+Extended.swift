/// The Python sources of the helpers of the later layer families (see `PyTorchGraphEmitter+Extended.swift`).
extension PyTorchHelper {
    var extendedSource: String {
        switch self {
        case .sparsemax:
            return """
                def _keras_sparsemax(x, dim):
                    \"\"\"Keras 3.15's sparsemax along dim, as it computes it (tau from the sum of the cumulative sums on the support).\"\"\"
                    z = torch.sort(x, dim=dim, descending=True).values
                    cumsum = torch.cumsum(z, dim=dim)
                    shape = [1] * x.dim()
                    shape[dim] = -1
                    r = torch.arange(1, x.shape[dim] + 1, dtype=x.dtype).reshape(shape)
                    support = (z - (cumsum - 1) / r) > 0
                    k = support.to(x.dtype).sum(dim=dim, keepdim=True)
                    tau = (torch.where(support, cumsum, torch.zeros_like(cumsum)).sum(dim=dim, keepdim=True) - 1) / k
                    return torch.clamp(x - tau, min=0.0)
                """
        case .kerasNormalization:
            return """
                class KerasNormalization(nn.Module):
                    \"\"\"Keras Normalization: (x - mean) / max(sqrt(variance), 1e-7), or with invert mean + x * max(sqrt(variance), 1e-7);
                    mean and variance are buffers in the shape they broadcast in against the Keras-layout input.\"\"\"

                    def __init__(self, shape, invert=False):
                        super().__init__()
                        self.invert = invert
                        self.register_buffer("mean", torch.zeros(shape))
                        self.register_buffer("variance", torch.ones(shape))

                    def forward(self, x):
                        denominator = torch.clamp(torch.sqrt(self.variance), min=1e-7)
                        if self.invert:
                            return self.mean + x * denominator
                        return (x - self.mean) / denominator
                """
        case .kerasResize:
            return """
                def _f32(v):
                    return torch.tensor(v, dtype=torch.float32)


                def _aspect_ratio_crop(x, height, width):
                    \"\"\"The centre window Keras crops an NCHW image to before resizing with crop_to_aspect_ratio (float32 arithmetic).\"\"\"
                    h, w = int(x.shape[2]), int(x.shape[3])
                    crop_h = max(min(h, int(_f32(w * height) / _f32(width))), 1)
                    crop_w = max(min(w, int(_f32(h * width) / _f32(height))), 1)
                    top, left = int(_f32(h - crop_h) / 2), int(_f32(w - crop_w) / 2)
                    return x[:, :, top:top + crop_h, left:left + crop_w]


                def _keras_resize(x, height, width, mode, crop_to_aspect_ratio):
                    \"\"\"tf.image.resize of an NCHW image: half-pixel centres, no antialiasing (bilinear = align_corners=False,
                    nearest = nearest-exact).\"\"\"
                    if crop_to_aspect_ratio:
                        x = _aspect_ratio_crop(x, height, width)
                    if mode == "bilinear":
                        return F.interpolate(x, size=(height, width), mode="bilinear", align_corners=False, antialias=False)
                    return F.interpolate(x, size=(height, width), mode=mode)


                def _keras_center_crop(x, height, width):
                    \"\"\"Keras CenterCrop of an NCHW image: the central window, or smart_resize when the image is smaller.\"\"\"
                    h, w = int(x.shape[2]), int(x.shape[3])
                    if h >= height and w >= width:
                        top, left = (h - height) // 2, (w - width) // 2
                        return x[:, :, top:top + height, left:left + width]
                    return _keras_resize(x, height, width, "bilinear", True)


                def _resize_bilinear_legacy(x, height, width):
                    \"\"\"TensorFlow 1's bilinear resize (no half-pixel centres, no corner alignment): source = out * in / out.\"\"\"
                    def axis(n_in, n_out):
                        s = torch.arange(n_out, dtype=torch.float32) * (_f32(n_in) / _f32(n_out))
                        lower = torch.floor(s)
                        lo = lower.long()
                        hi = torch.clamp(lo + 1, max=n_in - 1)
                        return lo, hi, s - lower
                    y0, y1, dy = axis(int(x.shape[2]), height)
                    x0, x1, dx = axis(int(x.shape[3]), width)
                    top = x[:, :, y0][:, :, :, x0] + (x[:, :, y0][:, :, :, x1] - x[:, :, y0][:, :, :, x0]) * dx
                    bottom = x[:, :, y1][:, :, :, x0] + (x[:, :, y1][:, :, :, x1] - x[:, :, y1][:, :, :, x0]) * dx
                    return top + (bottom - top) * dy.reshape(-1, 1)
                """
        case .layerScale:
            return """
                class LayerScale(nn.Module):
                    \"\"\"Keras LayerScale: x * gamma over the last axis.\"\"\"

                    def __init__(self, dim):
                        super().__init__()
                        self.gamma = nn.Parameter(torch.ones(dim))

                    def forward(self, x):
                        return x * self.gamma
                """
        case .groupNormPartial:
            return """
                class GroupNormPartial(nn.Module):
                    \"\"\"GroupNormalization with only one of Keras' scale / center: only the weights Keras has.\"\"\"

                    def __init__(self, groups, channels, eps, scale, center):
                        super().__init__()
                        self.groups, self.eps = groups, eps
                        self.weight = nn.Parameter(torch.ones(channels)) if scale else None
                        self.bias = nn.Parameter(torch.zeros(channels)) if center else None

                    def forward(self, x):
                        return F.group_norm(x, self.groups, self.weight, self.bias, self.eps)
                """
        case .kerasRecurrent:
            return """
                class KerasRecurrent(nn.Module):
                    \"\"\"A Keras SimpleRNN / LSTM / GRU step by step, for what nn.RNN / nn.LSTM / nn.GRU cannot do (a Keras mask, other
                    activations, GRU reset_after=False), with their parameter names and layout: weight_ih_l0 (gates*units, input),
                    weight_hh_l0 (gates*units, units), bias_ih_l0, bias_hh_l0; gates i, f, g, o (LSTM) and r, z, n (GRU).
                    At a masked step the states are kept and the output repeats the previous one (or is zero), as in Keras.\"\"\"

                    def __init__(self, kind, input_size, units, bias, activation, recurrent_activation, reset_after=True):
                        super().__init__()
                        gates = {"rnn": 1, "lstm": 4, "gru": 3}[kind]
                        self.kind, self.units, self.reset_after = kind, units, reset_after
                        self.activation, self.recurrent_activation = activation, recurrent_activation
                        self.weight_ih_l0 = nn.Parameter(torch.zeros(gates * units, input_size))
                        self.weight_hh_l0 = nn.Parameter(torch.zeros(gates * units, units))
                        if bias:
                            self.bias_ih_l0 = nn.Parameter(torch.zeros(gates * units))
                            self.bias_hh_l0 = nn.Parameter(torch.zeros(gates * units))
                        else:
                            self.bias_ih_l0 = self.bias_hh_l0 = None

                    def forward(self, x, mask=None, go_backwards=False, zero_output_for_mask=False):
                        \"\"\"x (batch, time, features) -> (outputs (batch, time, units) in step order, last output, [h] or [h, c]).\"\"\"
                        batch, time, u = x.shape[0], x.shape[1], self.units
                        act, rec = self.activation, self.recurrent_activation
                        projected = F.linear(x, self.weight_ih_l0, self.bias_ih_l0)
                        h = x.new_zeros(batch, u)
                        c = x.new_zeros(batch, u)
                        last = x.new_zeros(batch, u)
                        outputs = []
                        for step in range(time):
                            t = time - 1 - step if go_backwards else step
                            gx = projected[:, t]
                            new_c = None
                            if self.kind == "gru" and not self.reset_after:
                                w, b = self.weight_hh_l0, self.bias_hh_l0
                                hr, hz = F.linear(h, w[:2 * u], None if b is None else b[:2 * u]).chunk(2, dim=1)
                                xr, xz, xn = gx.chunk(3, dim=1)
                                r, z = rec(xr + hr), rec(xz + hz)
                                n = act(xn + F.linear(r * h, w[2 * u:], None if b is None else b[2 * u:]))
                                new_h = z * h + (1 - z) * n
                            else:
                                gh = F.linear(h, self.weight_hh_l0, self.bias_hh_l0)
                                if self.kind == "rnn":
                                    new_h = act(gx + gh)
                                elif self.kind == "lstm":
                                    i, f, g, o = (gx + gh).chunk(4, dim=1)
                                    new_c = rec(f) * c + rec(i) * act(g)
                                    new_h = rec(o) * act(new_c)
                                else:
                                    xr, xz, xn = gx.chunk(3, dim=1)
                                    hr, hz, hn = gh.chunk(3, dim=1)
                                    r, z = rec(xr + hr), rec(xz + hz)
                                    n = act(xn + r * hn)
                                    new_h = z * h + (1 - z) * n
                            if mask is None:
                                h, last = new_h, new_h
                                if new_c is not None:
                                    c = new_c
                            else:
                                keep = mask[:, t].unsqueeze(1)
                                h = torch.where(keep, new_h, h)
                                if new_c is not None:
                                    c = torch.where(keep, new_c, c)
                                last = torch.where(keep, new_h, torch.zeros_like(new_h) if zero_output_for_mask else last)
                            outputs.append(last)
                        sequence = torch.stack(outputs, dim=1) if outputs else x.new_zeros(batch, 0, u)
                        return sequence, last, ([h, c] if self.kind == "lstm" else [h])


                def _keras_rnn(module, x, mask=None, go_backwards=False, zero_output_for_mask=False):
                    \"\"\"Runs a recurrent module as Keras does: (outputs in step order, last output, states).\"\"\"
                    if isinstance(module, KerasRecurrent):
                        return module(x, mask, go_backwards, zero_output_for_mask)
                    if go_backwards:
                        x = x.flip(1)
                    y, state = module(x)
                    states = [s[0] for s in state] if isinstance(state, tuple) else [state[0]]
                    return y, y[:, -1], states
                """
        case .depthToSpace:
            return """
                def _depth_to_space(x, b):
                    \"\"\"TensorFlow's depth_to_space (DCR channel order: input channel (dy*b + dx)*C + c) of an NCHW tensor;
                    nn.PixelShuffle is the other order (CRD).\"\"\"
                    n, c, h, w = x.shape
                    y = x.reshape(n, b, b, c // (b * b), h, w).permute(0, 3, 4, 1, 5, 2)
                    return y.reshape(n, c // (b * b), h * b, w * b)


                def _space_to_depth(x, b):
                    \"\"\"TensorFlow's space_to_depth (output channel (dy*b + dx)*C + c) of an NCHW tensor.\"\"\"
                    n, c, h, w = x.shape
                    y = x.reshape(n, c, h // b, b, w // b, b).permute(0, 3, 5, 1, 2, 4)
                    return y.reshape(n, b * b * c, h // b, w // b)
                """
        case .einsumDense:
            return """
                class EinsumDense(nn.Module):
                    \"\"\"Keras EinsumDense: einsum(equation, x, kernel) + bias, kernel and bias in Keras' shapes.\"\"\"

                    def __init__(self, equation, kernel_shape, bias_shape=None):
                        super().__init__()
                        self.equation = equation
                        self.kernel = nn.Parameter(torch.zeros(kernel_shape))
                        self.bias = nn.Parameter(torch.zeros(bias_shape)) if bias_shape is not None else None

                    def forward(self, x):
                        y = torch.einsum(self.equation, x, self.kernel)
                        return y if self.bias is None else y + self.bias


                class _Projection(nn.Module):
                    \"\"\"One projection of an attention layer (Keras' EinsumDense sub-layer): kernel (d, *dims) as a (d, prod(dims))
                    matrix, or (heads, dim, *out) as a (heads*dim, prod(out)) one; bias flattened.\"\"\"

                    def __init__(self, kernel_shape, bias_shape=None):
                        super().__init__()
                        self.kernel = nn.Parameter(torch.zeros(kernel_shape))
                        self.bias = nn.Parameter(torch.zeros(bias_shape)) if bias_shape is not None else None

                    def forward(self, x):
                        y = torch.matmul(x, self.kernel.reshape(x.shape[-1], -1))
                        return y if self.bias is None else y + self.bias.reshape(-1)
                """
        case .multiHeadAttention:
            return """
                class KerasMultiHeadAttention(nn.Module):
                    \"\"\"Keras MultiHeadAttention / GroupedQueryAttention (attention over all step axes): projections query, key,
                    value, attention_output (and Keras 3's sigmoid gate) with Keras' weight shapes; scores (q*scale)k^T (Keras 3's
                    fused path scales the products instead), a mask and the causal / sliding-window bands as Keras 3 (replace by -1e9;
                    masked probabilities zeroed off the fused path) or tf_keras (add (1 - mask) * -1e9) applies them; key/value heads
                    repeated over their group of query heads. Returns (output, probabilities).\"\"\"

                    def __init__(self, heads, kv_heads, key_dim, value_dim, out_dims, scale, use_gate, fused, keras2_mask,
                                 sliding_window, shapes):
                        super().__init__()
                        self.heads, self.kv_heads, self.key_dim, self.value_dim = heads, kv_heads, key_dim, value_dim
                        self.out_dims, self.scale, self.fused = tuple(out_dims), scale, fused
                        self.keras2_mask, self.sliding_window = keras2_mask, sliding_window
                        for name in ("query", "key", "gate", "value", "attention_output"):
                            if name + ".kernel" in shapes:
                                setattr(self, name, _Projection(shapes[name + ".kernel"], shapes.get(name + ".bias")))
                        if not use_gate:
                            self.gate = None

                    def forward(self, query, value, key=None, mask=None, causal=False):
                        key = value if key is None else key
                        batch = query.shape[0]
                        xq = query.reshape(batch, -1, query.shape[-1])
                        xk = key.reshape(batch, -1, key.shape[-1])
                        xv = value.reshape(batch, -1, value.shape[-1])
                        steps_q, steps_k = xq.shape[1], xk.shape[1]

                        def split(x, projection, count, dim):
                            y = projection(x).reshape(batch, x.shape[1], count, dim).transpose(1, 2)
                            return y.repeat_interleave(self.heads // count, dim=1) if count < self.heads else y

                        q = split(xq, self.query, self.heads, self.key_dim)
                        k = split(xk, self.key, self.kv_heads, self.key_dim)
                        v = split(xv, self.value, self.kv_heads, self.value_dim)
                        if not self.fused:
                            q = q * self.scale
                        scores = torch.matmul(q, k.transpose(-1, -2))
                        if self.fused:
                            scores = scores * self.scale
                        keep, mask_value, band = None, None, None
                        if mask is not None:
                            m = mask.unsqueeze(1) if mask.dim() == 3 else mask
                            mask_value = m.to(scores.dtype)
                            keep = m != 0
                        if causal or self.sliding_window is not None:
                            t = torch.arange(steps_q).unsqueeze(1)
                            s = torch.arange(steps_k).unsqueeze(0)
                            band = torch.ones(steps_q, steps_k, dtype=torch.bool)
                            if causal:
                                band = band & (s <= t)
                            if self.sliding_window is not None:
                                band = band & ((t - s).abs() < self.sliding_window)
                            keep = band if keep is None else keep & band
                        if keep is not None:
                            if self.keras2_mask:
                                keep_value = keep.to(scores.dtype) if band is not None else mask_value
                                scores = scores + (1.0 - keep_value) * -1e9
                            else:
                                scores = torch.where(keep, scores, torch.full_like(scores, -1e9))
                        probabilities = torch.softmax(scores, dim=-1)
                        if keep is not None and not self.keras2_mask and not self.fused:
                            probabilities = torch.where(keep, probabilities, torch.zeros_like(probabilities))
                        context = torch.matmul(probabilities, v).transpose(1, 2)
                        context = context.reshape(tuple(query.shape[:-1]) + (self.heads * self.value_dim,))
                        if self.gate is not None:
                            context = context * torch.sigmoid(self.gate(query))
                        y = self.attention_output(context).reshape(tuple(query.shape[:-1]) + self.out_dims)
                        scores_shape = (batch, self.heads) + tuple(query.shape[1:-1]) + tuple(value.shape[1:-1])
                        return y, probabilities.reshape(scores_shape)
                """
        case .dotAttention:
            return """
                class KerasDotAttention(nn.Module):
                    \"\"\"Keras Attention (score_mode "dot": q k^T * scale; "concat": concat_score_weight * sum(tanh(scale * (q + k))))
                    and AdditiveAttention ("additive": sum(scale * tanh(q + k))); a causal band and the value's Keras mask (bool
                    [batch, value steps]) as scores - 1e9 (once for a step removed by either), the softmax over the value steps, then
                    probabilities @ value, the rows of masked query steps (the query's Keras mask) zeroed as Keras does. Returns
                    (output, probabilities).\"\"\"

                    def __init__(self, mode, shapes):
                        super().__init__()
                        self.mode = mode
                        self.scale = None
                        self.concat_score_weight = None
                        for name, shape in shapes.items():
                            setattr(self, name, nn.Parameter(torch.zeros(shape)))

                    def forward(self, query, value, key=None, causal=False, query_mask=None, value_mask=None):
                        key = value if key is None else key
                        if self.mode == "dot":
                            scores = torch.matmul(query, key.transpose(-1, -2))
                            if self.scale is not None:
                                scores = scores * self.scale
                        else:
                            total = query.unsqueeze(-2) + key.unsqueeze(-3)
                            if self.mode == "concat":
                                if self.scale is not None:
                                    total = total * self.scale
                                scores = torch.tanh(total).sum(dim=-1)
                                if self.concat_score_weight is not None:
                                    scores = scores * self.concat_score_weight
                            else:
                                t = torch.tanh(total)
                                scores = (t * self.scale).sum(dim=-1) if self.scale is not None else t.sum(dim=-1)
                        removed = None
                        if causal:
                            steps_q, steps_k = scores.shape[-2], scores.shape[-1]
                            removed = torch.arange(steps_k).unsqueeze(0) > torch.arange(steps_q).unsqueeze(1)
                        if value_mask is not None:
                            dropped = ~value_mask.unsqueeze(-2)
                            removed = dropped if removed is None else removed | dropped
                        if removed is not None:
                            scores = scores - 1e9 * removed.to(scores.dtype)
                        probabilities = torch.softmax(scores, dim=-1)
                        output = torch.matmul(probabilities, value)
                        if query_mask is not None:
                            output = torch.where(query_mask.unsqueeze(-1), output, torch.zeros_like(output))
                        return output, probabilities
                """
        default:
            return breadthSource
        }
    }
}
