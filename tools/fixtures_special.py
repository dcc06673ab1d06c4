"""Special float32 values fed through LeakyReLU / PReLU (bit-exact fixtures)."""
import numpy as np

# Order matters only for readability; manifest lists them.
SPECIAL_VALUES = [
    ("+inf", np.inf), ("-inf", -np.inf), ("nan", np.nan),
    ("-0.0", -0.0), ("+0.0", 0.0),
    ("+1e30", 1e30), ("-1e30", -1e30), ("+3e38", 3e38), ("-3e38", -3e38),
    ("+max_float", np.finfo(np.float32).max), ("-max_float", -np.finfo(np.float32).max),
    ("+min_normal", np.finfo(np.float32).tiny), ("-min_normal", -np.finfo(np.float32).tiny),
    ("+1e-40 (denormal)", 1e-40), ("-1e-40 (denormal)", -1e-40),
    ("+1.4e-45 (smallest denormal)", 1.4e-45), ("-1.4e-45 (smallest denormal)", -1.4e-45),
    ("+1e-7", 1e-7), ("-1e-7", -1e-7),
    ("+0.5", 0.5), ("-0.5", -0.5), ("+1", 1.0), ("-1", -1.0), ("+2", 2.0), ("-2", -2.0),
    ("+65504", 65504.0), ("-65504", -65504.0), ("-3.3", -3.3),
]


def special_vector():
    return np.array([v for _, v in SPECIAL_VALUES], dtype=np.float32)


def special_labels():
    return [n for n, _ in SPECIAL_VALUES]


def special_input_notes():
    v = special_vector()
    return {
        "layout": "input_0 has shape (1, N): one row holding the special values below, in order",
        "values": special_labels(),
        "bits_hex": [f"0x{b:08x}" for b in v.view(np.uint32)],
        "nan_bits": "0x7fc00000 (the default quiet NaN); NaN payload/sign of outputs are whatever TF produced",
    }


def denormal_note(inputs, outputs):
    """Whether TF flushed denormal outputs to zero (it does: TF runs kernels with FTZ/DAZ set)."""
    x = inputs[0].ravel()
    denorm = (x != 0) & (np.abs(x) < np.finfo(np.float32).tiny) & (x > 0)
    flushed = any(bool(np.all(y.ravel()[: x.size][denorm] == 0)) for y in outputs if y.size >= x.size)
    return (
        "TensorFlow (CPU) flushes denormals to zero (FTZ/DAZ): positive denormal inputs come out as +0.0 "
        "even where the function is the identity" if flushed else
        "denormal inputs were NOT flushed to zero"
    )
