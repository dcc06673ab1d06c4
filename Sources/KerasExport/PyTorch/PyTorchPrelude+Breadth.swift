/// The Python sources of the helpers of the third round's classes (see `PyTorchGraphEmitter+Breadth.swift`): the
/// 1-D separable convolution, the categorical encodings, IntegerLookup, Hashing (FarmHash), ConvLSTM2D and the
/// Keras masks of attention calls.
extension PyTorchHelper {
    var breadthSource: String {
        switch self {
        case .separableConv1d:
            return """
                class SeparableConv1d(nn.Module):
                    \"\"\"Keras SeparableConv1D: a depthwise (grouped) 1-D convolution, then a pointwise (kernel size 1) one.\"\"\"

                    def __init__(self, in_channels, out_channels, kernel_size, depth_multiplier=1, stride=1, padding=0,
                                 dilation=1, bias=True):
                        super().__init__()
                        self.depthwise = nn.Conv1d(in_channels, in_channels * depth_multiplier, kernel_size, stride=stride,
                                                   padding=padding, dilation=dilation, groups=in_channels, bias=False)
                        self.pointwise = nn.Conv1d(in_channels * depth_multiplier, out_channels, 1, bias=bias)

                    def forward(self, x):
                        return self.pointwise(self.depthwise(x))
                """
        case .kerasEncode:
            return """
                def _keras_encode(ids, depth, mode, layer, skip_negative=False):
                    \"\"\"Keras' CategoryEncoding (TensorFlow's bincount path) of integer ids in [0, depth), as float32: one_hot (an
                    axis appended; a last axis of size 1 replaced), multi_hot (1 where an id occurs along the last axis) or count
                    (how often). With skip_negative, ids -1 (IntegerLookup's mask) are left out. Any other id is an error naming the
                    layer, as tf_keras asserts (Keras 3 drops ids >= depth).\"\"\"
                    if ids.is_floating_point() and not bool((ids == torch.round(ids)).all()):
                        raise ValueError(f"layer {layer}: an id is not an integer")
                    ids = ids.long()
                    low = -1 if skip_negative else 0
                    if ids.numel() and (int(ids.min()) < low or int(ids.max()) >= depth):
                        raise ValueError(f"layer {layer}: an id is outside [0, {depth}) (num_tokens {depth})")
                    if mode == "one_hot" and ids.dim() > 1 and ids.shape[-1] == 1:
                        ids = ids.squeeze(-1)
                    hot = F.one_hot(ids + 1, depth + 1)[..., 1:].to(torch.float32)
                    if mode == "one_hot":
                        return hot
                    if mode == "multi_hot":
                        return hot.amax(dim=-2)
                    return hot.sum(dim=-2)
                """
        case .integerLookup:
            return """
                class KerasIntegerLookup(nn.Module):
                    \"\"\"Keras IntegerLookup with the vocabulary of its config (buffer `vocabulary`, int64, in Keras' order). Indices as
                    Keras numbers them: the mask token 0 (output_mode "int" only), then num_oov out-of-vocabulary indices from
                    oov_start, then the vocabulary from token_start. A token not in the vocabulary takes oov_start, or with several OOV
                    indices oov_start + floormod(token, num_oov); with none it is an error. invert maps indices back to tokens (unknown
                    indices to oov_token). one_hot / multi_hot / count encode the indices over depth, the mask left out. int64 out.\"\"\"

                    def __init__(self, size, mask_token, num_oov, oov_start, oov_token, invert, mode, depth, layer):
                        super().__init__()
                        self.register_buffer("vocabulary", torch.zeros(size, dtype=torch.int64))
                        self.mask_token, self.num_oov, self.oov_start, self.oov_token = mask_token, num_oov, oov_start, oov_token
                        self.token_start = oov_start + num_oov
                        self.invert, self.mode, self.depth, self.layer = invert, mode, depth, layer

                    def forward(self, x):
                        if self.invert:
                            index = x.long()
                            table = torch.cat([torch.full((self.token_start,), self.oov_token, dtype=torch.int64), self.vocabulary])
                            inside = (index >= 0) & (index < table.numel())
                            y = torch.where(inside, table[index.clamp(0, max(table.numel() - 1, 0))],
                                            torch.full_like(index, self.oov_token))
                            if self.mask_token is not None:
                                y = torch.where(index == 0, torch.full_like(y, self.mask_token), y)
                            return y
                        match = x.unsqueeze(-1) == self.vocabulary.to(x.dtype)
                        found = match.any(dim=-1)
                        y = self.token_start + match.to(torch.int32).argmax(dim=-1).to(torch.int64)
                        if self.num_oov == 1:
                            y = torch.where(found, y, torch.full_like(y, self.oov_start))
                        elif self.num_oov > 1:
                            token = torch.floor(x) if x.is_floating_point() else x
                            y = torch.where(found, y, self.oov_start + torch.remainder(token.long(), self.num_oov))
                        masked = x == self.mask_token if self.mask_token is not None else None
                        if self.num_oov == 0:
                            unknown = ~found if masked is None else ~found & ~masked
                            if bool(unknown.any()):
                                raise ValueError(f"layer {self.layer}: a token is not in the vocabulary and num_oov_indices is 0")
                        if masked is not None:
                            y = torch.where(masked, torch.full_like(y, 0 if self.mode == "int" else -1), y)
                        if self.mode == "int":
                            return y
                        return _keras_encode(y, self.depth, self.mode, self.layer, skip_negative=True)
                """
        case .kerasHashing:
            return """
                _M64 = (1 << 64) - 1
                _K0, _K1, _K2 = 0xC3A5C85C97CB3127, 0xB492B66FBE98F273, 0x9AE16A3B2F90404F


                def _rotate64(v, s):
                    return v if s == 0 else ((v >> s) | (v << (64 - s))) & _M64


                def _hash_len16(u, v, mul):
                    a = ((u ^ v) * mul) & _M64
                    a ^= a >> 47
                    b = ((v ^ a) * mul) & _M64
                    b ^= b >> 47
                    return (b * mul) & _M64


                def _fingerprint64(s):
                    \"\"\"FarmHash Fingerprint64 (farmhashna Hash64) of up to 32 bytes, as TensorFlow computes it, in Python integers.\"\"\"
                    n = len(s)

                    def f64(i):
                        return int.from_bytes(s[i:i + 8], "little")

                    def f32(i):
                        return int.from_bytes(s[i:i + 4], "little")

                    if n > 32:
                        raise ValueError("_fingerprint64 handles up to 32 bytes")
                    if n > 16:
                        mul = (_K2 + n * 2) & _M64
                        a = (f64(0) * _K1) & _M64
                        b = f64(8)
                        c = (f64(n - 8) * mul) & _M64
                        d = (f64(n - 16) * _K2) & _M64
                        return _hash_len16((_rotate64((a + b) & _M64, 43) + _rotate64(c, 30) + d) & _M64,
                                           (a + _rotate64((b + _K2) & _M64, 18) + c) & _M64, mul)
                    if n >= 8:
                        mul = (_K2 + n * 2) & _M64
                        a = (f64(0) + _K2) & _M64
                        b = f64(n - 8)
                        c = (_rotate64(b, 37) * mul + a) & _M64
                        d = ((_rotate64(a, 25) + b) * mul) & _M64
                        return _hash_len16(c, d, mul)
                    if n >= 4:
                        mul = (_K2 + n * 2) & _M64
                        return _hash_len16((n + (f32(0) << 3)) & _M64, f32(n - 4), mul)
                    if n > 0:
                        y = (s[0] + (s[n >> 1] << 8)) & 0xFFFFFFFF
                        z = (n + (s[n - 1] << 2)) & 0xFFFFFFFF
                        v = ((y * _K2) ^ (z * _K0)) & _M64
                        return ((v ^ (v >> 47)) * _K2) & _M64
                    return _K2


                def _keras_hashing(x, bins, mask_value=None):
                    \"\"\"Keras Hashing on numbers without a salt: each value truncated to an integer, written in decimal, fingerprinted
                    with FarmHash Fingerprint64 (tf.strings.to_hash_bucket_fast) and taken modulo the bins; with mask_value, that
                    value gives 0 and the others 1 + hash mod (bins - 1). Exact: computed in Python integers, value by value (not
                    traceable). int64 out.\"\"\"
                    masked = mask_value is not None and bins > 1
                    buckets = bins - 1 if masked else bins
                    out = []
                    for v in x.reshape(-1).tolist():
                        if masked and v == mask_value:
                            out.append(0)
                            continue
                        h = _fingerprint64(str(int(v)).encode("ascii")) % buckets
                        out.append(h + 1 if masked else h)
                    return torch.tensor(out, dtype=torch.int64).reshape(x.shape)
                """
        case .convLSTM2d:
            return """
                class KerasConvLSTM2d(nn.Module):
                    \"\"\"Keras ConvLSTM1D/2D/3D (rank 1, 2, 3) on a channels-last input (batch, time, spatial..., channels): the
                    input convolution `input_conv` (weight (4*filters, in, k...), gates i, f, c, o; Keras' strides, dilation and padding, 'same'
                    padded as TensorFlow) of every step at once, then per step the recurrent convolution `recurrent_conv` of h
                    ('same', stride 1, no bias) and the LSTM update c = f*c + i*act(g), h = o*act(c). Returns (outputs
                    (batch, time, spatial'..., filters) in step order, h, c), the states channels-first (batch, filters, spatial'...).\"\"\"

                    def __init__(self, in_channels, filters, kernel_size, stride, dilation, same, bias, activation,
                                 recurrent_activation, rank=2):
                        super().__init__()
                        conv = (nn.Conv1d, nn.Conv2d, nn.Conv3d)[rank - 1]
                        self.rank = rank
                        self.input_conv = conv(in_channels, 4 * filters, kernel_size, stride=stride, dilation=dilation,
                                               bias=bias)
                        self.recurrent_conv = conv(filters, 4 * filters, kernel_size, bias=False)
                        self.kernel_size, self.stride, self.dilation = tuple(kernel_size), tuple(stride), tuple(dilation)
                        self.same = same
                        self.activation, self.recurrent_activation = activation, recurrent_activation

                    def forward(self, x, go_backwards=False):
                        batch, time = x.shape[0], x.shape[1]
                        steps = x.reshape((batch * time,) + tuple(x.shape[2:])).permute(0, self.rank + 1, *range(1, self.rank + 1))
                        if self.same:
                            steps = _pad_same(steps, self.kernel_size, self.stride, self.dilation)
                        projected = self.input_conv(steps)
                        projected = projected.reshape((batch, time) + tuple(projected.shape[1:]))
                        h = projected.new_zeros((batch, projected.shape[2] // 4) + tuple(projected.shape[3:]))
                        c = torch.zeros_like(h)
                        act, rec = self.activation, self.recurrent_activation
                        ones = (1,) * len(self.kernel_size)
                        outputs = []
                        for step in range(time):
                            t = time - 1 - step if go_backwards else step
                            gates = projected[:, t] + self.recurrent_conv(_pad_same(h, self.kernel_size, ones, ones))
                            i, f, g, o = gates.chunk(4, dim=1)
                            c = rec(f) * c + rec(i) * act(g)
                            h = rec(o) * act(c)
                            outputs.append(h)
                        sequence = torch.stack(outputs, dim=1) if outputs else h.new_zeros((batch, 0) + tuple(h.shape[1:]))
                        return sequence.permute(0, 1, *range(3, self.rank + 3), 2), h, c
                """
        case .attentionKerasMask:
            return """
                def _attention_keras_mask(query, value, query_mask=None, value_mask=None, key_mask=None, explicit=None):
                    \"\"\"The Keras masks of a MultiHeadAttention call combined as both Keras generations do: the query's mask as
                    [B, T, 1], the value's and the key's as [B, 1, S] and an explicit attention_mask (read as bool once a Keras
                    mask is present) by logical and. Returns a bool [B, T, S] tensor (True = attend).\"\"\"
                    keep = torch.ones((query.shape[0], query.shape[1], value.shape[1]), dtype=torch.bool)
                    if query_mask is not None:
                        keep = keep & query_mask.unsqueeze(-1)
                    for m in (value_mask, key_mask):
                        if m is not None:
                            keep = keep & m.unsqueeze(1)
                    if explicit is not None:
                        keep = keep & (explicit != 0)
                    return keep
                """
        case .kerasAutoContrast:
            return """
                def _keras_auto_contrast(x, low, high):
                    \"\"\"Keras' AutoContrast of an NHWC image: per image and channel, (x - min) * 255 / (max - min) clipped to
                    [0, 255], computed on x mapped from value_range to [0, 255] and mapped back; NaN (a constant channel) keeps x.\"\"\"
                    mapped = not (low == 0 and high == 255)
                    y = (x - low) / (high - low) * 255.0 + 0.0 if mapped else x
                    lo = y.amin(dim=(1, 2), keepdim=True)
                    hi = y.amax(dim=(1, 2), keepdim=True)
                    scale = 255.0 / (hi - lo)
                    offset = -lo * scale
                    z = y * scale + offset
                    z = torch.where(torch.isnan(z), z, z.clamp(0.0, 255.0))
                    if mapped:
                        z = (z - 0.0) / 255.0 * (high - low) + low
                    return torch.where(torch.isnan(z), x, z)
                """
        case .kerasSTFT:
            return """
                def _keras_stft(x, real_kernel, imag_kernel, mode, step, same, expand_dims):
                    \"\"\"Keras 3's STFTSpectrogram of a channels-last signal (batch, time, channels): each channel's signal
                    convolved with the stored DFT kernels (conv1d weights (bins, 1, frame)), combined per mode, laid out as
                    (batch, frames, channels * bins) or, with expand_dims, (batch, frames, bins, channels).\"\"\"
                    b, t, c = x.shape
                    s = x.permute(0, 2, 1).reshape(b * c, 1, t)
                    first = real_kernel if real_kernel is not None else imag_kernel
                    if same:
                        s = _pad_same(s, (first.shape[2],), (step,), (1,))
                    re = F.conv1d(s, real_kernel, stride=step).transpose(1, 2) if real_kernel is not None else None
                    im = F.conv1d(s, imag_kernel, stride=step).transpose(1, 2) if imag_kernel is not None else None
                    eps = 1e-7
                    if mode == "real":
                        v = re
                    elif mode == "imag":
                        v = im
                    elif mode == "stft":
                        v = torch.cat([re, im], dim=2)
                    elif mode == "angle":
                        v = torch.atan2(im, re)
                    else:
                        power = re * re + im * im
                        if mode == "psd":
                            bins = power.shape[2]
                            double = torch.zeros(bins, dtype=torch.bool)
                            double[1:bins - 1] = True
                            v = torch.where(double, power + power, power)
                        elif mode == "magnitude":
                            v = torch.sqrt(torch.clamp(power, min=eps))
                        else:
                            v = torch.log(torch.clamp(torch.sqrt(torch.clamp(power, min=eps)), min=eps))
                    frames, bins = v.shape[1], v.shape[2]
                    v = v.reshape(b, c, frames, bins)
                    if expand_dims:
                        return v.permute(0, 2, 3, 1)
                    return v.permute(0, 2, 1, 3).reshape(b, frames, c * bins)
                """
        default:
            return ""
        }
    }
}
