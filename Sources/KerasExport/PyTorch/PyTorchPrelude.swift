/// Python helpers a generated `model.py` may need; only those used are written, in this order.
enum PyTorchHelper: Int, CaseIterable, Comparable {
    case padSame, maxPoolSame, avgPoolSame, convTranspose, keras_dot, kerasReLU, kerasPReLU, separableConv2d
    case batchNormPartial, layerNormPartial, kerasRMSScaling
    // Later families (sources in PyTorchPrelude+Extended.swift).
    case sparsemax, kerasNormalization, kerasResize, layerScale, groupNormPartial, kerasRecurrent, depthToSpace
    case einsumDense, multiHeadAttention, dotAttention
    // The third round's classes (sources in PyTorchPrelude+Breadth.swift).
    case separableConv1d, kerasEncode, integerLookup, kerasHashing, convLSTM2d, attentionKerasMask
    // Round three's newest classes (sources in PyTorchPrelude+Breadth.swift).
    case kerasAutoContrast, kerasSTFT

    static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }

    /// The helpers this one calls.
    var dependencies: [PyTorchHelper] {
        switch self {
        case .maxPoolSame, .avgPoolSame: return [.padSame]
        case .multiHeadAttention: return [.einsumDense]
        case .integerLookup, .kerasHashing: return [.kerasEncode]
        case .convLSTM2d, .kerasSTFT: return [.padSame]
        default: return []
        }
    }

    var source: String {
        switch self {
        case .padSame:
            return """
                def _same_pads(sizes, kernel, stride, dilation):
                    \"\"\"TensorFlow's 'same' padding per spatial axis: (before, after), the odd one after.\"\"\"
                    pads = []
                    for n, k, s, d in zip(sizes, kernel, stride, dilation):
                        effective = (k - 1) * d + 1
                        out = -(-int(n) // s)
                        total = max((out - 1) * s + effective - int(n), 0)
                        pads.append((total // 2, total - total // 2))
                    return pads


                def _pad_same(x, kernel, stride, dilation, value=0.0):
                    \"\"\"Pads the trailing len(kernel) axes of x as TensorFlow's 'same' does (asymmetric when odd).\"\"\"
                    pads = _same_pads(x.shape[x.dim() - len(kernel):], kernel, stride, dilation)
                    flat = []
                    for before, after in reversed(pads):
                        flat += [before, after]
                    if not any(flat):
                        return x
                    return F.pad(x, flat, value=value)
                """
        case .maxPoolSame:
            return """
                def _max_pool_same(x, kernel, stride):
                    \"\"\"Max pooling with 'same' padding: padded positions never win.\"\"\"
                    pool = (F.max_pool1d, F.max_pool2d, F.max_pool3d)[len(kernel) - 1]
                    ones = (1,) * len(kernel)
                    return pool(_pad_same(x, kernel, stride, ones, value=float("-inf")), kernel, stride)
                """
        case .avgPoolSame:
            return """
                def _avg_pool_same(x, kernel, stride):
                    \"\"\"Average pooling with 'same' padding: the mean of the window's positions inside the input.\"\"\"
                    pool = (F.avg_pool1d, F.avg_pool2d, F.avg_pool3d)[len(kernel) - 1]
                    ones = (1,) * len(kernel)
                    mask = torch.ones((1, 1) + tuple(x.shape[2:]), dtype=x.dtype, device=x.device)
                    total = pool(_pad_same(x, kernel, stride, ones), kernel, stride)
                    count = pool(_pad_same(mask, kernel, stride, ones), kernel, stride)
                    return total / count
                """
        case .convTranspose:
            return """
                def _conv_transpose(module, x, kernel, stride, dilation, same, output_padding):
                    \"\"\"A Keras transposed convolution: Keras' output length (deconv_output_length) and TensorFlow's
                    placement (the 'same' padding of the forward convolution, the odd pixel at the end).\"\"\"
                    sizes, windows = [], []
                    for i, n in enumerate(x.shape[2:]):
                        n, k, s, d = int(n), kernel[i], stride[i], dilation[i]
                        effective = (k - 1) * d + 1
                        if output_padding is not None:
                            pad = effective // 2 if same else 0
                            length = (n - 1) * s + effective - 2 * pad + output_padding[i]
                        else:
                            length = n * s if same else n * s + max(effective - s, 0)
                        start = max((n - 1) * s + effective - length, 0) // 2 if same else 0
                        sizes.append(max((n - 1) * s + effective, start + length))
                        windows.append(slice(start, start + length))
                    y = module(x, output_size=sizes)
                    return y[(slice(None), slice(None)) + tuple(windows)]
                """
        case .keras_dot:
            return """
                def _keras_dot(x, y, a, b, normalize):
                    \"\"\"Keras' Dot layer (batch_dot over axis a of x and axis b of y).\"\"\"
                    if normalize:
                        x = x * torch.clamp(torch.rsqrt((x * x).sum(dim=a, keepdim=True)), max=1e7)
                        y = y * torch.clamp(torch.rsqrt((y * y).sum(dim=b, keepdim=True)), max=1e7)
                    batch, depth = x.shape[0], x.shape[a]
                    shape = [batch] + [x.shape[i] for i in range(1, x.dim()) if i != a]
                    shape += [y.shape[i] for i in range(1, y.dim()) if i != b]
                    if len(shape) == 1:
                        shape.append(1)
                    product = torch.bmm(x.movedim(a, -1).reshape(batch, -1, depth), y.movedim(b, 1).reshape(batch, depth, -1))
                    return product.reshape(shape)
                """
        case .kerasReLU:
            return """
                class KerasReLU(nn.Module):
                    \"\"\"Keras' ReLU(negative_slope, max_value, threshold), step by step as Keras computes it.\"\"\"

                    def __init__(self, negative_slope=0.0, max_value=None, threshold=0.0):
                        super().__init__()
                        self.negative_slope, self.max_value, self.threshold = negative_slope, max_value, threshold

                    def forward(self, x):
                        slope, max_value, threshold = self.negative_slope, self.max_value, self.threshold
                        if slope != 0.0:
                            if max_value is None and threshold == 0.0:
                                return F.leaky_relu(x, negative_slope=slope)
                            negative = F.relu(threshold - x) if threshold != 0.0 else F.relu(-x)
                        if threshold != 0.0:
                            x = torch.where(x > threshold, x, torch.zeros_like(x))
                        elif max_value == 6.0:
                            x, max_value = F.relu6(x), None
                        else:
                            x = F.relu(x)
                        if max_value is not None:
                            x = torch.clamp(x, 0.0, max_value)
                        if slope != 0.0:
                            x = x - slope * negative
                        return x
                """
        case .kerasPReLU:
            return """
                class KerasPReLU(nn.Module):
                    \"\"\"Keras PReLU whose shared_axes have no nn.PReLU form: alpha keeps Keras' shape (the input shape
                    without the batch axis, 1 on shared axes) and broadcasts against the channels-last input.
                    x for x > 0, alpha * x otherwise (never max(x, alpha * x)).\"\"\"

                    def __init__(self, alpha_shape):
                        super().__init__()
                        self.alpha = nn.Parameter(torch.zeros(alpha_shape))

                    def forward(self, x):
                        return torch.where(x > 0, x, self.alpha * x)
                """
        case .separableConv2d:
            return """
                class SeparableConv2d(nn.Module):
                    \"\"\"Keras SeparableConv2D: a depthwise (grouped) convolution, then a 1x1 pointwise one.\"\"\"

                    def __init__(self, in_channels, out_channels, kernel_size, depth_multiplier=1, stride=1, padding=0,
                                 dilation=1, bias=True):
                        super().__init__()
                        self.depthwise = nn.Conv2d(in_channels, in_channels * depth_multiplier, kernel_size, stride=stride,
                                                   padding=padding, dilation=dilation, groups=in_channels, bias=False)
                        self.pointwise = nn.Conv2d(in_channels * depth_multiplier, out_channels, 1, bias=bias)

                    def forward(self, x):
                        return self.pointwise(self.depthwise(x))
                """
        case .batchNormPartial:
            return """
                class BatchNormPartial(nn.Module):
                    \"\"\"Inference BatchNormalization with Keras' scale=False or center=False: only the weights Keras has.\"\"\"

                    def __init__(self, num_features, eps, scale, center):
                        super().__init__()
                        self.eps = eps
                        self.weight = nn.Parameter(torch.ones(num_features)) if scale else None
                        self.bias = nn.Parameter(torch.zeros(num_features)) if center else None
                        self.register_buffer("running_mean", torch.zeros(num_features))
                        self.register_buffer("running_var", torch.ones(num_features))
                        self.register_buffer("num_batches_tracked", torch.tensor(0, dtype=torch.long))

                    def forward(self, x):
                        return F.batch_norm(x, self.running_mean, self.running_var, self.weight, self.bias, False, 0.0,
                                            self.eps)
                """
        case .kerasRMSScaling:
            return """
                class KerasRMSScaling(nn.Module):
                    \"\"\"Keras 3 LayerNormalization(rms_scaling=True) as Keras computes it: x * rsqrt(var(x) + eps) * gamma,
                    with the (centred) variance over the normalised trailing axes and no centring of x; not nn.RMSNorm,
                    which divides by the root mean square.\"\"\"

                    def __init__(self, normalized_shape, eps):
                        super().__init__()
                        self.dims, self.eps = tuple(range(-len(normalized_shape), 0)), eps
                        self.weight = nn.Parameter(torch.ones(normalized_shape))

                    def forward(self, x):
                        variance = x.var(dim=self.dims, keepdim=True, unbiased=False)
                        return x * torch.rsqrt(variance + self.eps) * self.weight
                """
        case .layerNormPartial:
            return """
                class LayerNormPartial(nn.Module):
                    \"\"\"LayerNormalization with Keras' scale=False and center=True (a bias but no weight).\"\"\"

                    def __init__(self, normalized_shape, eps):
                        super().__init__()
                        self.normalized_shape, self.eps = tuple(normalized_shape), eps
                        self.bias = nn.Parameter(torch.zeros(normalized_shape))

                    def forward(self, x):
                        return F.layer_norm(x, self.normalized_shape, None, self.bias, self.eps)
                """
        default:
            return extendedSource
        }
    }
}
