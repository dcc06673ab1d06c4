// Element-wise steps of TensorModule's output passes (bias, LeakyReLU, PReLU, scale/shift, denormal flush), AVX2.
// Each computes exactly what TensorModule's Swift kernels compute, operation for operation (no fused multiply-add),
// so results are identical bit for bit; see CKernels.h.
#include "CKernels.h"

// a·b + c must stay a multiply and an add (never contracted into an FMA), as in the Swift kernels.
#pragma STDC FP_CONTRACT OFF

#include <float.h>
#include <stdint.h>
#include <string.h>

// Plain C with no early exit, so that the compiler vectorises it on any target. `a <= 1`, `a <= 2^20` and
// `b <= FLT_MAX` are false for NaN and ±inf (the finiteness checks).
int kp_flush_before_scale_shift_redundant(const float *scale, const float *shift, long count, int zero_shift) {
    int bad = 0;
    for (long i = 0; i < count; i++) {
        float a = __builtin_fabsf(scale[i]), b = __builtin_fabsf(shift[i]);
        int fine = b == 0.0f ? zero_shift & (a <= 1.0f) : (b >= 0x1p-80f) & (b <= FLT_MAX) & (a <= 0x1p20f);
        bad |= !fine;
    }
    return !bad;
}

// Whether any of p[0 ..< count] is denormal ((b & 0x7FFFFFFF) − 1 < 0x007FFFFF, unsigned): in blocks of 4096 floats
// with no early exit inside a block, so each block's loop vectorises (the body compiled for AVX-512, AVX2 and the
// baseline); the scan stops after the first block holding one.
typedef uint32_t __attribute__((may_alias)) kp_u32_alias;  // the floats' bits, read in place
#define DENORMAL_SCAN(NAME, ATTR)                                                                                 \
    ATTR static int NAME(const float *p, long count) {                                                            \
        const kp_u32_alias *bits = (const kp_u32_alias *)(const void *)p;                                         \
        for (long start = 0; start < count; start += 4096) {                                                      \
            const long end = count - start < 4096 ? count : start + 4096;                                          \
            uint32_t found = 0;                                                                                   \
            for (long i = start; i < end; i++) found |= (bits[i] & 0x7FFFFFFFu) - 1u < 0x007FFFFFu;                \
            if (found) return 1;                                                                                  \
        }                                                                                                         \
        return 0;                                                                                                 \
    }
DENORMAL_SCAN(denormal_scan, )
#if defined(__x86_64__) || defined(__i386__)
DENORMAL_SCAN(denormal_scan_avx2, __attribute__((target("avx2"))))
DENORMAL_SCAN(denormal_scan_avx512, __attribute__((target("avx512f"))))
#endif

int kp_contains_denormals(const float *p, long count) {
#if defined(__x86_64__) || defined(__i386__)
    static int level = -1;  // 2: AVX-512F, 1: AVX2, 0: neither (a benign race: every thread stores the same value)
    int l = __atomic_load_n(&level, __ATOMIC_RELAXED);
    if (l < 0) {
        l = kp_avx512_available() ? 2 : kp_simd_available() ? 1 : 0;
        __atomic_store_n(&level, l, __ATOMIC_RELAXED);
    }
    if (l == 2) return denormal_scan_avx512(p, count);
    if (l == 1) return denormal_scan_avx2(p, count);
#endif
    return denormal_scan(p, count);
}

#if defined(__x86_64__) || defined(__i386__)
#include "vector_ops.h"

#define AVX2 KP_AVX2

static inline float leaky1(float x, float slope) { float y = x * slope; return x > 0 ? x : y; }
static inline float relu1(float x) { return x <= 0 ? 0.0f : x; }
static inline float prelu1(float x, float a) {
    float r = relu1(x) + (-a) * relu1(-x);
    return x != x ? x : r;
}
static inline float flush1(float x, int positive) {
    uint32_t b;
    memcpy(&b, &x, 4);
    if (positive) b = ((b & 0x7FFFFFFFu) - 1u < 0x007FFFFFu) ? 0u : b;
    else b &= ((b & 0x7F800000u) == 0) ? 0x80000000u : 0xFFFFFFFFu;
    memcpy(&x, &b, 4);
    return x;
}

AVX2 void kp_add_rows(float *p, const float *b, long rows, long cols) {
    for (long r = 0; r < rows; r++, p += cols) {
        long j = 0;
        for (; j + 8 <= cols; j += 8) _mm256_storeu_ps(p + j, _mm256_add_ps(_mm256_loadu_ps(p + j), _mm256_loadu_ps(b + j)));
        for (; j < cols; j++) p[j] = p[j] + b[j];
    }
}

// The loops below take their options (flush or not, the kind of step, finite alphas) as compile-time constants:
// each public kernel branches once, up front, into an always-inlined body per option, so no loop tests an option
// per vector. -O3's non-trivial loop unswitching did that split itself; SwiftPM's release -O2 does not, and left
// e.g. the flush of kp_scale_shift_rows computed and discarded in every iteration (1.8× the time at -O2;
// tools/ckernels_bench/compare.sh measures each kernel at both levels).
#define INLINE AVX2 static inline __attribute__((always_inline))

INLINE void scale_shift_rows(float *p, const float *s, const float *t, long rows, long cols, const int flush) {
    for (long r = 0; r < rows; r++, p += cols) {
        long j = 0;
        for (; j + 8 <= cols; j += 8) {
            __m256 v = _mm256_mul_ps(_mm256_loadu_ps(p + j), _mm256_loadu_ps(s + j));
            v = _mm256_add_ps(v, _mm256_loadu_ps(t + j));
            _mm256_storeu_ps(p + j, flush ? kp_vflush(v) : v);
        }
        for (; j < cols; j++) p[j] = flush ? flush1(p[j] * s[j] + t[j], 0) : p[j] * s[j] + t[j];
    }
}

AVX2 void kp_scale_shift_rows(float *p, const float *s, const float *t, long rows, long cols, int flush) {
    if (flush) scale_shift_rows(p, s, t, rows, cols, 1);
    else scale_shift_rows(p, s, t, rows, cols, 0);
}

// The +0 flush of kp_flush_denormals(…, 1) on a vector: denormals (of either sign) become +0.
AVX2 static inline __m256 vflush_positive(__m256 v) {
    const __m256i b = _mm256_castps_si256(v);
    // (b & 0x7FFFFFFF) - 1 < 0x007FFFFF unsigned ⇔ signed (b & 0x7FFFFFFF) - 1 in [0, 0x007FFFFE]
    const __m256i m = _mm256_sub_epi32(_mm256_and_si256(b, _mm256_set1_epi32(0x7FFFFFFF)), _mm256_set1_epi32(1));
    const __m256i inside = _mm256_andnot_si256(_mm256_cmpgt_epi32(m, _mm256_set1_epi32(0x007FFFFF - 1)),
                                               _mm256_cmpgt_epi32(m, _mm256_set1_epi32(-1)));
    return _mm256_castsi256_ps(_mm256_andnot_si256(inside, b));
}

// Whether every value of a[0..<n] is finite (exponent bits not all ones).
AVX2 static int all_finite(const float *a, long n) {
    const __m256i expo = _mm256_set1_epi32(0x7F800000);
    __m256i bad = _mm256_setzero_si256();
    long j = 0;
    for (; j + 8 <= n; j += 8) {
        __m256i b = _mm256_and_si256(_mm256_loadu_si256((const __m256i *)(a + j)), expo);
        bad = _mm256_or_si256(bad, _mm256_cmpeq_epi32(b, expo));
    }
    if (!_mm256_testz_si256(bad, bad)) return 0;
    for (; j < n; j++) {
        uint32_t b;
        memcpy(&b, a + j, 4);
        if ((b & 0x7F800000u) == 0x7F800000u) return 0;
    }
    return 1;
}

// LeakyReLU on a vector: x > 0 ? x : x · slope (as leaky1).
AVX2 static inline __m256 vleaky(__m256 x, __m256 slope) {
    return _mm256_blendv_ps(_mm256_mul_ps(x, slope), x, _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_GT_OQ));
}

// PReLU on a vector, relu(x) + (−a)·relu(−x) with NaN x kept (as prelu1). With a finite alpha that is bit for bit
// x > 0 or NaN ? x : a·x + 0 (the + 0 turns a −0 product into +0, as the sum with relu(x) = +0 does;
// (−a)·(−x) = a·x exactly), the cheaper form; an infinite or NaN alpha needs the general one.
AVX2 static inline __m256 vprelu(__m256 x, __m256 a, int finite) {
    const __m256 zero = _mm256_setzero_ps();
    if (finite) {
        __m256 neg = _mm256_add_ps(_mm256_mul_ps(a, x), zero);
        return _mm256_blendv_ps(neg, x, _mm256_cmp_ps(x, zero, _CMP_NLE_UQ));
    }
    const __m256 sign = _mm256_set1_ps(-0.0f);
    __m256 y = _mm256_add_ps(kp_vrelu(x), _mm256_mul_ps(_mm256_xor_ps(a, sign), kp_vrelu(_mm256_xor_ps(x, sign))));
    return _mm256_blendv_ps(y, x, _mm256_cmp_ps(x, x, _CMP_UNORD_Q));
}

// One row of kp_prelu_rows.
INLINE void prelu_row(float *p, const float *a, long cols, const int finite, const int flush_positive) {
    long j = 0;
    for (; j + 8 <= cols; j += 8) {
        __m256 y = vprelu(_mm256_loadu_ps(p + j), _mm256_loadu_ps(a + j), finite);
        _mm256_storeu_ps(p + j, flush_positive ? vflush_positive(y) : y);
    }
    for (; j < cols; j++) p[j] = flush_positive ? flush1(prelu1(p[j], a[j]), 1) : prelu1(p[j], a[j]);
}

AVX2 void kp_prelu_rows(float *p, const float *alpha, long rows, long cols, long period, long first_row,
                        int flush_positive) {
    long ar = first_row % period;   // alpha row, advanced without a division per row
    int finite = period == 1 ? all_finite(alpha, cols) : 0;
    for (long r = 0; r < rows; r++, p += cols, ar = ar + 1 == period ? 0 : ar + 1) {
        const float *a = alpha + ar * cols;
        if (period > 1) finite = all_finite(a, cols);
        if (finite) {
            if (flush_positive) prelu_row(p, a, cols, 1, 1); else prelu_row(p, a, cols, 1, 0);
        } else {
            if (flush_positive) prelu_row(p, a, cols, 0, 1); else prelu_row(p, a, cols, 0, 0);
        }
    }
}

AVX2 void kp_leaky(float *p, long count, float slope) {
    const __m256 s = _mm256_set1_ps(slope);
    long i = 0;
    for (; i + 8 <= count; i += 8) _mm256_storeu_ps(p + i, vleaky(_mm256_loadu_ps(p + i), s));
    for (; i < count; i++) p[i] = leaky1(p[i], slope);
}

AVX2 void kp_mul_rows_flush(float *dst, const float *x, const float *s, long rows, long cols) {
    for (long r = 0; r < rows; r++) {
        float *o = dst + r * cols;
        const float *xr = x + r * cols;
        long j = 0;
        for (; j + 8 <= cols; j += 8)
            _mm256_storeu_ps(o + j, kp_vflush(_mm256_mul_ps(_mm256_loadu_ps(xr + j), _mm256_loadu_ps(s + j))));
        for (; j < cols; j++) o[j] = flush1(xr[j] * s[j], 0);
    }
}

AVX2 void kp_flush_denormals(float *p, long count, int to_positive_zero) {
    long i = 0;
    if (to_positive_zero) {
        const __m256i abs = _mm256_set1_epi32(0x7FFFFFFF), one = _mm256_set1_epi32(1);
        const __m256i limit = _mm256_set1_epi32(0x007FFFFF - 1);
        for (; i + 8 <= count; i += 8) {
            __m256i b = _mm256_loadu_si256((const __m256i *)(p + i));
            // (b & 0x7FFFFFFF) - 1 < 0x007FFFFF unsigned ⇔ signed (b & 0x7FFFFFFF) - 1 in [0, 0x007FFFFE]
            __m256i m = _mm256_sub_epi32(_mm256_and_si256(b, abs), one);
            __m256i inside = _mm256_andnot_si256(_mm256_cmpgt_epi32(m, limit),
                                                 _mm256_cmpgt_epi32(m, _mm256_set1_epi32(-1)));
            _mm256_storeu_si256((__m256i *)(p + i), _mm256_andnot_si256(inside, b));
        }
    } else {
        const __m256i expo = _mm256_set1_epi32(0x7F800000), sign = _mm256_set1_epi32((int)0x80000000u);
        for (; i + 8 <= count; i += 8) {
            __m256i b = _mm256_loadu_si256((const __m256i *)(p + i));
            __m256i zero_exp = _mm256_cmpeq_epi32(_mm256_and_si256(b, expo), _mm256_setzero_si256());
            __m256i keep = _mm256_or_si256(_mm256_andnot_si256(zero_exp, _mm256_set1_epi32(-1)), sign);
            _mm256_storeu_si256((__m256i *)(p + i), _mm256_and_si256(b, keep));
        }
    }
    for (; i < count; i++) p[i] = flush1(p[i], to_positive_zero);
}

// Moves (parameter row, column) on by n elements.
static inline void advance(long *c, long *ar, long n, long cols, long period) {
    *c += n;
    while (*c >= cols) {
        *c -= cols;
        *ar = *ar + 1 == period ? 0 : *ar + 1;
    }
}

// One value through kp_stream_step's step and flush; p/q indexed by parameter row `ar` and column `c`.
static inline float step1(float v, int kind, float slope, const float *p, const float *q, long ar, long c, long cols) {
    switch (kind) {
    case KP_STEP_LEAKY: return flush1(leaky1(v, slope), 0);
    case KP_STEP_PRELU: return flush1(prelu1(v, p[ar * cols + c]), 1);
    default: return flush1(v * p[c] + q[c], 0);
    }
}

// kp_stream_step for one kind of step (and, for PReLU, finite alphas or not).
INLINE void stream_step(float *dst, const float *src, long rows, long cols, long first_row, const int kind,
                        float slope, const float *p, const float *q, long period, const int finite) {
    const long count = rows * cols;
    const __m256 vs = _mm256_set1_ps(slope);
    long ar = first_row % period, c = 0;   // parameter row and column of element i
    long i = 0;
    // Scalar steps up to a 32-byte boundary of dst, then whole vectors with non-temporal stores.
    for (; i < count && ((uintptr_t)(dst + i) & 31) != 0; i++, advance(&c, &ar, 1, cols, period))
        dst[i] = step1(src[i], kind, slope, p, q, ar, c, cols);
    for (; i + 8 <= count; i += 8, advance(&c, &ar, 8, cols, period)) {
        __m256 v = _mm256_loadu_ps(src + i);
        switch (kind) {
        case KP_STEP_LEAKY: v = kp_vflush(vleaky(v, vs)); break;
        // p holds `span + 8` values (continuing cyclically): a vector that runs past a row, or past the last alpha
        // row, reads the alphas of the rows it runs into.
        case KP_STEP_PRELU: v = vflush_positive(vprelu(v, _mm256_loadu_ps(p + ar * cols + c), finite)); break;
        default: v = kp_vflush(_mm256_add_ps(_mm256_mul_ps(v, _mm256_loadu_ps(p + c)), _mm256_loadu_ps(q + c))); break;
        }
        _mm256_stream_ps(dst + i, v);
    }
    for (; i < count; i++, advance(&c, &ar, 1, cols, period)) dst[i] = step1(src[i], kind, slope, p, q, ar, c, cols);
}

AVX2 void kp_stream_step(float *dst, const float *src, long rows, long cols, long first_row, int kind, float slope,
                         const float *p, const float *q, long period) {
    switch (kind) {
    case KP_STEP_LEAKY:
        stream_step(dst, src, rows, cols, first_row, KP_STEP_LEAKY, slope, p, q, period, 1);
        break;
    case KP_STEP_PRELU:
        if (all_finite(p, period * cols)) stream_step(dst, src, rows, cols, first_row, KP_STEP_PRELU, slope, p, q, period, 1);
        else stream_step(dst, src, rows, cols, first_row, KP_STEP_PRELU, slope, p, q, period, 0);
        break;
    default:
        stream_step(dst, src, rows, cols, first_row, KP_STEP_SCALE_SHIFT, slope, p, q, period, 1);
        break;
    }
}

AVX2 void kp_stream_store(float *dst, const float *src, long count) {
    long i = 0;
    while (i < count && ((uintptr_t)(dst + i) & 31) != 0) { dst[i] = src[i]; i++; }
    for (; i + 8 <= count; i += 8) _mm256_stream_ps(dst + i, _mm256_loadu_ps(src + i));
    for (; i < count; i++) dst[i] = src[i];
}

void kp_store_fence(void) { _mm_sfence(); }

INLINE void add(float *dst, const float *a, const float *b, long count, const int stream, const int flush) {
    long i = 0;
#define KP_SUM(i) (flush ? kp_vflush(_mm256_add_ps(_mm256_loadu_ps(a + (i)), _mm256_loadu_ps(b + (i)))) \
                         : _mm256_add_ps(_mm256_loadu_ps(a + (i)), _mm256_loadu_ps(b + (i))))
    if (stream) {
        while (i < count && ((uintptr_t)(dst + i) & 31) != 0) {
            dst[i] = flush ? flush1(a[i] + b[i], 0) : a[i] + b[i];
            i++;
        }
        for (; i + 8 <= count; i += 8) _mm256_stream_ps(dst + i, KP_SUM(i));
    } else {
        for (; i + 8 <= count; i += 8) _mm256_storeu_ps(dst + i, KP_SUM(i));
    }
#undef KP_SUM
    for (; i < count; i++) dst[i] = flush ? flush1(a[i] + b[i], 0) : a[i] + b[i];
}

AVX2 void kp_add(float *dst, const float *a, const float *b, long count, int stream, int flush) {
    if (stream) {
        if (flush) add(dst, a, b, count, 1, 1); else add(dst, a, b, count, 1, 0);
    } else {
        if (flush) add(dst, a, b, count, 0, 1); else add(dst, a, b, count, 0, 0);
    }
}

#else

void kp_stream_store(float *dst, const float *src, long count) { (void)dst; (void)src; (void)count; }
void kp_stream_step(float *dst, const float *src, long rows, long cols, long first_row, int kind, float slope,
                    const float *p, const float *q, long period) {
    (void)dst; (void)src; (void)rows; (void)cols; (void)first_row; (void)kind; (void)slope; (void)p; (void)q;
    (void)period;
}
void kp_store_fence(void) {}
void kp_add(float *dst, const float *a, const float *b, long count, int stream, int flush) {
    (void)dst; (void)a; (void)b; (void)count; (void)stream; (void)flush;
}
void kp_add_rows(float *p, const float *b, long rows, long cols) { (void)p; (void)b; (void)rows; (void)cols; }
void kp_scale_shift_rows(float *p, const float *s, const float *t, long rows, long cols, int flush) {
    (void)p; (void)s; (void)t; (void)rows; (void)cols; (void)flush;
}
void kp_prelu_rows(float *p, const float *alpha, long rows, long cols, long period, long first_row,
                   int flush_positive) {
    (void)p; (void)alpha; (void)rows; (void)cols; (void)period; (void)first_row; (void)flush_positive;
}
void kp_leaky(float *p, long count, float slope) { (void)p; (void)count; (void)slope; }
void kp_flush_denormals(float *p, long count, int to_positive_zero) { (void)p; (void)count; (void)to_positive_zero; }

void kp_mul_rows_flush(float *dst, const float *x, const float *s, long rows, long cols) {
    (void)dst; (void)x; (void)s; (void)rows; (void)cols;
}

#endif
