#ifndef KERASPORT_CKERNELS_H
#define KERASPORT_CKERNELS_H

// Hand-vectorised float32 kernels for TensorModule (AVX2 + FMA, chosen at run time).
// Only TensorModule imports this module. The kernels are pure arithmetic on caller-owned buffers (no allocation,
// no I/O); runtime.c holds the two process-level helpers (processor count, malloc settings).

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// 1 when this CPU has AVX2 and FMA, so the kernels below may be called; 0 otherwise.
int kp_simd_available(void);

/// Processors this process may run on (its affinity mask, so `taskset` and container CPU sets count), ≥ 1.
long kp_usable_cpu_count(void);

/// Ways of the L1 data cache (what the C library reports: sysconf's _SC_LEVEL1_DCACHE_ASSOC, from CPUID on x86
/// Linux), else 8. Read once.
long kp_l1_ways(void);

/// Bytes of one core's L2 cache as the C library reports it (sysconf's _SC_LEVEL2_CACHE_SIZE, from CPUID on x86
/// Linux) when between 64 KiB and 64 MiB, else 1 MiB (Zen 4). Read once.
long kp_l2_bytes(void);

/// Bytes of the last-level (L3) cache as the C library reports it (sysconf's _SC_LEVEL3_CACHE_SIZE: the cache the
/// calling core shares, from CPUID on x86 Linux), or 0 when it reports none. Read once.
long kp_l3_bytes(void);

/// Makes glibc's malloc keep freed blocks of up to 32 MiB in the heap (no unmapping and re-faulting of the pages
/// of every large tensor) and return free memory to the system only beyond 512 MiB. Returns 1 when applied.
int kp_keep_freed_memory(void);

/// Reads a pointer published by kp_store_release (acquire ordering: what was written before the store is visible).
static inline void *kp_load_acquire(void *const *slot) { return __atomic_load_n(slot, __ATOMIC_ACQUIRE); }

/// Publishes a pointer for kp_load_acquire (release ordering).
static inline void kp_store_release(void **slot, void *value) { __atomic_store_n(slot, value, __ATOMIC_RELEASE); }

/// A loop body: called with the loop's context and an iteration index.
typedef void (*kp_task_fn)(void *ctx, long index);

/// Runs fn(ctx, i) for every i in [0, iterations), on the calling thread and the pool's workers (threads − 1 of
/// them, started at the first call; they poll briefly for the next loop, then sleep). Returns when every iteration
/// is done. Runs the loop on the calling thread alone when called from inside a loop, while another thread's loop
/// is running, or with threads ≤ 1. Iteration 0 runs on the calling thread; the others in any order, at the same
/// time.
void kp_parallel_for(long iterations, long threads, kp_task_fn fn, void *ctx);

/// kp_parallel_for for a loop whose iteration 0 (always the calling thread's) does `used_share` (0…1) of the work
/// and iteration 1 the rest, as split by kp_parallel_share_at(site): where the pool has one worker and each thread ran
/// one iteration, their times move the share the next split takes (the shared share, and the site's offset when
/// `site` ≥ 0: a number the caller derives from the loop, the same for the same loop in every prediction). `used_share`
/// ≤ 0: any loop (kp_parallel_for).
void kp_parallel_for_split(long iterations, long threads, kp_task_fn fn, void *ctx, double used_share, long site);

/// The calling thread's share (0.3…0.7) of a loop split in two between it and a two-thread pool's worker, shared by
/// every loop: the share at which the two halves took the same time in the loops before (0.5 at first). The host of a
/// virtual machine can slow one virtual CPU for seconds at a time; an even split then waits for that core at the end
/// of every loop.
double kp_parallel_share(void);

/// The share for a loop of site `site` (any number; < 0: none): kp_parallel_share plus the site's offset, the part of
/// the imbalance particular to that loop (learned from its own splits, 0 at first), within 0.3…0.7.
double kp_parallel_share_at(long site);

/// The shared share and a site's offset after a loop of that site (kp_parallel_for_split's rule, pure, for tests): the
/// miss (the share that would have evened the loop minus the share + offset it used, clamped) moves the share a
/// hundredth and the offset a twentieth of the way, within 0.3…0.7 and ±0.2. Unchanged for loops under 20 µs in all.
void kp_parallel_site_update(double *share, double *offset, double used, long caller_ns, long worker_ns);

/// The next share after a loop where the caller ran `used` of the work in caller_ns nanoseconds and the worker the
/// rest in worker_ns: `share` moved a hundredth of the way to the share that would have evened them (unchanged for
/// loops under 20 µs in all), kept within 0.3…0.7. Pure (kp_parallel_share's rule, for tests).
double kp_parallel_share_update(double share, double used, long caller_ns, long worker_ns);

/// Columns per packed panel of B.
#define KP_PANEL 16

/// Floats written by kp_pack_b for a k × n matrix: k · (n rounded up to KP_PANEL).
size_t kp_packed_b_count(long k, long n);

/// Copies row-major B (k rows, n columns, row stride ldb) into panels of KP_PANEL columns:
/// packed[(j / KP_PANEL) · k · KP_PANEL + row · KP_PANEL + j % KP_PANEL] = B[row][j]; columns past n are zero.
void kp_pack_b(const float *b, long k, long n, long ldb, float *packed);

/// Copies row-major B (k × n, row stride ldb) transposed: packed[j · k + row] = B[row][j] (k · n floats), the layout
/// of kp_gemm_narrow.
void kp_pack_bt(const float *b, long k, long n, long ldb, float *packed);

/// An implicit GEMM: output row ("pixel") p of C is Σ_e A_p[e] · B[e, :], where the k = Σ seg_len[s] values
/// A_p[e] are the segments of A_p in order, segment s being seg_len[s] floats at `a` + base(p) + seg_off[s].
/// base(p) = img · img_stride + oh · row_stride + ow · col_stride with p = (img · out_h + oh) · out_w + ow.
/// A Dense layer is out_h = 1, out_w = rows, col_stride = lda, one segment of length k at offset 0; a
/// convolution over a zero-padded NHWC input has one segment per kernel row (or per tap).
typedef struct {
    const float *a;
    long out_h, out_w;
    long img_stride, row_stride, col_stride;
    const long *seg_off;
    const long *seg_len;
    long nseg;
    const float *packed_b;   // from kp_pack_b with k = Σ seg_len
    long n;                  // columns of C
    float *c;                // row-major C, row stride ldc
    long ldc;
    int wide;                // nonzero: 12-row AVX-512 tiles where they fit (needs kp_avx512_available()); the
                             // values are the same bit for bit either way
    int narrow_apart;        // with `wide`: a last panel of 8 columns or fewer on the 12 × 8 AVX2 tile, not beside
                             // the panel before it in a 12 × 32 tile (cores whose 512-bit FMAs are no faster per
                             // float: there the 12 × 32 tile spent a quarter of its work on padding)
    int epilogue;            // an output pass run over C's values: 1 + kp_epilogue_plan's program number (0: none),
                             // in the wide tiles' registers where kp_gemm_pass(program) > 0, else after the rows
    const float *bias, *sc, *sh;  // the pass's operands (n values each; NULL where it has none)
    const float *res;        // the residual Add's operand: value (p, j) at res[p · ldc + j] (NULL: none)
} kp_gemm_desc;

/// Computes rows [p0, p1) and panels [j0, j1) (columns [16·j0, min(16·j1, n))) of C, overwriting them, then (with an
/// `epilogue`) runs that output pass over them: the values of kp_epilogue_rows(program, …) over those rows of C
/// afterwards, bit for bit. Requires kp_simd_available(). Different threads may compute disjoint parts of C of one
/// descriptor at once.
void kp_gemm(const kp_gemm_desc *d, long p0, long p1, long j0, long j1);

/// Whether more than 8 of `count` rows (their values from rows[r] + off) start in one L1 set (64 sets of 64-byte
/// lines): kp_gemm's wide tiles then read a copy of their rows (the same values, so the same results).
int kp_gemm_rows_alias(const float *const *rows, long off, int count);

/// The number of program `program`'s form among the output passes the AVX-512 tiles apply in registers (kp_gemm
/// with `wide`), or 0 where they have none (kp_gemm then runs the pass over the rows after them).
int kp_gemm_pass(int program);

/// y = x · B for one row x (k floats) and B packed by kp_pack_b (k × n): columns [16·j0, min(16·j1, n)) of y.
/// Requires kp_simd_available(). Different threads may compute disjoint panel ranges at once.
void kp_gemv(const float *x, const float *packed_b, long k, long n, float *y, long j0, long j1);

/// kp_gemm for few columns (n below a panel's width): `packed_b` is from kp_pack_bt, and each output is a dot
/// product of a row of A with a column of B, vectorised along k (4 rows × 3 columns per register tile).
/// Computes rows [p0, p1), all columns, then runs the descriptor's `epilogue` over them.
void kp_gemm_narrow(const kp_gemm_desc *d, long p0, long p1);

// Element-wise steps (elementwise_avx2.c), in place, each the same operations as TensorModule's Swift kernels
// (identical results bit for bit). Require kp_simd_available(). Rows are `cols` floats, contiguous.

/// p[r][j] += b[j].
void kp_add_rows(float *p, const float *b, long rows, long cols);
/// p[r][j] = p[r][j] · s[j] + t[j] (a multiply, then an add); then, when `flush`, denormal results replaced by a
/// zero of the same sign (kp_flush_denormals(…, 0) in the same pass).
void kp_scale_shift_rows(float *p, const float *s, const float *t, long rows, long cols, int flush);
/// PReLU relu(x) + (−a)·relu(−x) (NaN x kept), a = alpha row (first_row + r) % period; then, when
/// `flush_positive`, denormal results replaced by +0 (kp_flush_denormals(…, 1) in the same pass).
void kp_prelu_rows(float *p, const float *alpha, long rows, long cols, long period, long first_row,
                   int flush_positive);
/// 1 when, for every i < count, either 2⁻⁸⁰ ≤ |shift[i]| ≤ FLT_MAX and |scale[i]| ≤ 2²⁰, or (with `zero_shift`)
/// shift[i] = ±0 and |scale[i]| ≤ 1 (NaN and ±inf fail); else 0. The test of TensorModule's
/// flushBeforeScaleShiftIsRedundant. Portable.
int kp_flush_before_scale_shift_redundant(const float *scale, const float *shift, long count, int zero_shift);
/// 1 when any of p[0 ..< count] is denormal (exponent bits 0, mantissa not 0), else 0: vectorised with AVX-512F or
/// AVX2 where the processor has it, portable otherwise. TensorModule's containsDenormals.
int kp_contains_denormals(const float *p, long count);
/// LeakyReLU x > 0 ? x : x · slope.
void kp_leaky(float *p, long count, float slope);
/// dst[r][j] = x[r][j] · s[j] (one rounding), then denormal results replaced by a zero of the same sign (the
/// `Multiply` kernel and kp_flush_denormals(…, 0) in one pass): a squeeze-and-excitation scale.
void kp_mul_rows_flush(float *dst, const float *x, const float *s, long rows, long cols);
/// Denormals replaced by a zero of the same sign, or by +0 when to_positive_zero.
void kp_flush_denormals(float *p, long count, int to_positive_zero);

/// The steps of kp_stream_step, each followed by its denormal flush.
enum { KP_STEP_LEAKY = 1, KP_STEP_PRELU = 2, KP_STEP_SCALE_SHIFT = 3 };

/// dst = one element-wise step of src, then its flush, for `rows` rows of `cols` floats (row r is row first_row + r of
/// the whole output), each value read once and written with non-temporal stores (call kp_store_fence before another
/// thread reads dst): KP_STEP_LEAKY: kp_leaky(slope) then kp_flush_denormals(…, 0); KP_STEP_PRELU:
/// kp_prelu_rows(alpha p, period, flush_positive 1); KP_STEP_SCALE_SHIFT: kp_scale_shift_rows(scale p, shift q,
/// flush 1). Bit for bit the results of those kernels. p and q hold period · cols (PReLU) or cols (scale, shift)
/// values followed by their first 8 values again (so a vector may run past the end of a row).
void kp_stream_step(float *dst, const float *src, long rows, long cols, long first_row, int kind, float slope,
                    const float *p, const float *q, long period);

/// dst[i] = src[i] with non-temporal stores (the lines bypass the caches: for outputs larger than the caches).
/// Call kp_store_fence before another thread reads dst.
void kp_stream_store(float *dst, const float *src, long count);
/// Orders earlier non-temporal stores before later stores (sfence).
void kp_store_fence(void);
/// dst[i] = a[i] + b[i]; with non-temporal stores when `stream` (then kp_store_fence before dst is read elsewhere);
/// when `flush`, each denormal sum is replaced by a zero of the same sign (kp_flush_denormals(…, 0) in the same pass).
void kp_add(float *dst, const float *a, const float *b, long count, int stream, int flush);

/// Copies `rows` rows of `cols` floats from src (row stride src_stride) to dst (row stride dst_stride) with 256-bit
/// moves (concat_avx2.c); when `flush`, each denormal is replaced by a zero of the same sign (kp_flush_denormals(…, 0))
/// in the same pass. Requires kp_simd_available() on x86 (elsewhere a portable copy).
void kp_copy_rows(float *dst, long dst_stride, const float *src, long src_stride, long rows, long cols, int flush);

/// sigmoid(x) = 1 / (1 + e^−x) in place (sigmoid_avx2.c): TensorModule's VectorMath.sigmoid bit for bit (NaN stays
/// NaN, +inf → 1, −inf → 0). Requires kp_simd_available().
void kp_sigmoid(float *p, long count);
/// swish(x) = x / (1 + e^−x) in place, VectorMath.swish bit for bit. Requires kp_simd_available().
void kp_swish(float *p, long count);
/// Step kinds of an output pass (kp_epilogue_plan): + bias[j]; the signed-zero denormal flush (kp_flush_denormals(…,
/// 0)); v·scale[j] + shift[j] (a multiply, then an add); ReLU (v <= 0 ? +0 : v); ReLU6 (then y >= 6 ? 6 : y); swish
/// and sigmoid (kp_swish, kp_sigmoid); + the residual operand's value; Keras 3's hard silu / hard swish
/// (v·(relu6(v + 3)/6), each step rounded as TensorModule's HardSiluKernel).
enum { KP_EP_BIAS = 1, KP_EP_FLUSH, KP_EP_SCALE_SHIFT, KP_EP_RELU, KP_EP_RELU6, KP_EP_SWISH, KP_EP_SIGMOID, KP_EP_ADD,
       KP_EP_HARD_SILU };
/// The number of the fused program that runs the `n` steps `kinds` in order, or −1 when there is none (the caller
/// then runs the steps one pass each). Programs have the form [bias] [activation] [flush] [scale/shift, flush]
/// [activation, flush] [residual add, flush] [activation, flush], for the combinations Keras models produce.
int kp_epilogue_plan(const int *kinds, int n);
/// `rows` rows of `cols` contiguous floats read at `src` and written at p (src == p: in place; otherwise the two
/// must not overlap), through the steps of `program` (kp_epilogue_plan) in one pass: the same values as copying them
/// and running each step's own kernel over the rows in turn. Operands: bias, scale (sc) and shift (sh) have `cols`
/// values (NULL when the program has no such step); value k of p pairs with value roff + k of the residual operand
/// `res`. Requires kp_simd_available().
void kp_epilogue_rows(int program, float *p, const float *src, long rows, long cols, const float *bias,
                      const float *sc, const float *sh, const float *res, long roff);
/// GELU with the exact erf, 0.5·x·(1 + erf(x / √2)), in place (gelu.c): TensorModule's GELUErfKernel bit for bit.
/// kp_gelu_erf requires kp_simd_available(); kp_gelu_erf_avx512 kp_avx512_available().
void kp_gelu_erf(float *p, long count);
void kp_gelu_erf_avx512(float *p, long count);
/// Whether the processor has AVX-512F (the 16-lane variants below may run): 0 elsewhere and off x86.
int kp_avx512_available(void);
/// How many times more floats per second 512-bit FMAs process than 256-bit ones on this core, measured (about
/// 0.25 ms): about 2 on cores with two 512-bit FMA units (1.69–2.44 on an Intel Xeon), 1.00 on Zen 4 (two 256-bit
/// halves per 512-bit FMA); 0 without AVX-512F. Decides TensorModule's `Ops.wideArithmetic` and `Ops.wideWinograd`.
double kp_fma512_speedup(void);
/// The kp_fma512_speedup from which the 12-row AVX-512 GEMM tiles are used (TensorModule's `Ops.wideArithmetic`;
/// tools/xcep_bench's drivers choose the same way).
#define KP_WIDE_TILES_MIN_SPEEDUP 0.9
/// The kp_fma512_speedup from which the 12-row tiles also take a last panel of 8 columns or fewer beside the panel
/// before it (kp_gemm_desc's `narrow_apart` 0) and run Winograd's products (TensorModule's `fastWide`; the
/// tools/xcep_bench drivers set `narrow_apart` the same way).
#define KP_FAST_WIDE_MIN_SPEEDUP 1.3
/// kp_epilogue_rows on 16 lanes (epilogue_avx512.c): the same values bit for bit. Requires kp_avx512_available().
void kp_epilogue_rows_avx512(int program, float *p, const float *src, long rows, long cols, const float *bias,
                             const float *sc, const float *sh, const float *res, long roff);
/// kp_sigmoid and kp_swish on 16 lanes: the same values bit for bit. Require kp_avx512_available().
void kp_sigmoid_avx512(float *p, long count);
void kp_swish_avx512(float *p, long count);
/// One output row `oh` of a depthwise 2-D convolution with depth multiplier 1 on one NHWC image
/// [in_h, in_w, channels], kernel [kh, kw, channels]: out[ow, c] = 0 + Σ x·w over the taps inside the image, in
/// kernel-row-major order, each a multiply then an add (the Swift loop's values bit for bit); taps outside the image
/// (the padding, pad_top / pad_left before, any amount after) are skipped; with `pass` > 0 (kp_depthwise_pass),
/// each value then goes through that output pass before it is stored. `pass` or'ed with KP_DW_RELU_INPUT convolves
/// the ReLU of the input (a ReLU layer before the convolution; NaN passes through): each input value x is read as
/// max(+0, x), which keeps −0 where kp_vrelu gives +0 and so gives the same outputs bit for bit (every sum starts
/// from +0). AVX2: only when kp_simd_available().
void kp_depthwise_row(const float *image, long in_h, long in_w, long channels, const float *kernel, long kh, long kw,
                      long oh, long out_w, long stride_h, long stride_w, long pad_top, long pad_left, long dil_h,
                      long dil_w, float *out, int pass, const float *sc, const float *sh);
/// The output pass kp_depthwise_row applies to each output vector in registers before storing it, for program
/// `program` of kp_epilogue_rows (its `pass` argument; `sc`, `sh` the program's scale and shift, `channels` floats
/// each): the values of kp_epilogue_rows(program, …) run over the row afterwards, bit for bit. 0 when the program
/// has no such form (a bias, a residual Add, a sigmoid, …; the caller then runs the pass) or `program` is < 0.
int kp_depthwise_pass(int program);
/// Or'ed into kp_depthwise_row's `pass`: the ReLU of each input value is read instead of the value.
#define KP_DW_RELU_INPUT 0x100
/// kp_depthwise_row on 16 lanes (depthwise_avx512.c): the same values bit for bit. Requires kp_avx512_available().
void kp_depthwise_row_avx512(const float *image, long in_h, long in_w, long channels, const float *kernel, long kh,
                             long kw, long oh, long out_w, long stride_h, long stride_w, long pad_top, long pad_left,
                             long dil_h, long dil_w, float *out, int pass, const float *sc, const float *sh);

/// One output row `oh` of a max pooling on one NHWC image [in_h, in_w, channels] (maxpool_avx2.c): out[ow, c] is the
/// maximum, from −FLT_MAX, over the window's taps in row-major order by `x > m ? x : m` (NaN taps skipped, the first of
/// equal values kept), as TensorModule's Swift loop computes it. The window starts at row oh·stride_h − pad_top and
/// column ow·stride_w − pad_left; `zeros_*` rows / columns of zeros lie around the image as values (a folded
/// ZeroPadding2D, counted in pad_top / pad_left): taps on them count as +0, taps beyond them are skipped. Requires
/// kp_simd_available().
void kp_max_pool_row(const float *image, long in_h, long in_w, long channels, long kh, long kw, long stride_h,
                     long stride_w, long pad_top, long pad_left, long zeros_top, long zeros_bottom, long zeros_left,
                     long zeros_right, long oh, long out_w, float *out);
/// kp_max_pool_row on 16 lanes (maxpool_avx512.c): the same arguments, the same values bit for bit. Requires
/// kp_avx512_available().
void kp_max_pool_row_avx512(const float *image, long in_h, long in_w, long channels, long kh, long kw, long stride_h,
                            long stride_w, long pad_top, long pad_left, long zeros_top, long zeros_bottom,
                            long zeros_left, long zeros_right, long oh, long out_w, float *out);

/// out[c] for c in [c0, c1) = the sum, from +0, of x[p·stride + c] over positions p = 0, 1, … in order (one add per
/// position), or with `max` the running maximum from −inf by `x > m ? x : m` (NaN never replaces): global pooling's
/// column reduction, as TensorModule's Swift loop computes it, bit for bit (maxpool_avx2.c). Requires
/// kp_simd_available().
void kp_column_reduce(const float *x, long positions, long stride, long c0, long c1, float *out, int max);

/// The calling thread's scratch buffer of at least `floats` floats (64-byte aligned; scratch.c): the same buffer on
/// every call from this thread while it is large enough, else a new, larger one (the old one is freed, its contents
/// lost). Freed when the thread exits. NULL when the allocation fails. One user at a time per thread: only a band
/// loop's own body (which calls nothing else that uses it) may hold it.
float *kp_thread_scratch(size_t floats);

/// Flags through which the chunks of one parallel loop hand each other rows they computed (pool.c): a chunk sets
/// `started` before it computes the rows, and `ready` (release) once they are written; kp_flag_wait returns 1 once
/// `ready` is set (acquire: the rows are then visible), or 0 at once when `started` is not set yet (that chunk has
/// not begun, perhaps because this thread runs it later: the caller computes the rows itself). A chunk that sets
/// `started` must set `ready` without waiting on anything in between, so no two chunks wait on each other.
void kp_flag_set(int *flag);
int kp_flag_wait(const int *ready, const int *started);

/// Winograd F(m×m, 3×3) input transform (m = 2 or 4, α = m + 2; winograd.c) of tiles [t0, t1) of a stride-1 3×3
/// convolution over NHWC images [in_h, in_w, c]: tile t = (img · tiles_h + th) · tiles_w + tw covers output rows
/// th·m … th·m + m − 1 and columns tw·m … and reads the α × α input window from row th·m − pad_top, column
/// tw·m − pad_left (values outside the image are zeros: no padded copy). Writes v[(t − t0)·α²·c + ξ·c + ch] for the
/// α² elements ξ of Bᵀ d B (row-major). Any c ≥ 1.
void kp_winograd_input(const float *x, long in_h, long in_w, long c, long pad_top, long pad_left, long m,
                       long tiles_h, long tiles_w, long t0, long t1, float *v);

/// Winograd output transform: for tiles [t0, t1) (numbered as in kp_winograd_input), the α² products
/// mm[(t − t0)·α²·cout + ξ·cout + ch] → Aᵀ M A, an m × m block written to the NHWC output y [.., out_h, out_w, cout]
/// at row th·m, column tw·m (the parts past out_h / out_w are dropped).
void kp_winograd_output(const float *mm, long cout, long m, long out_h, long out_w, long tiles_h, long tiles_w,
                        long t0, long t1, float *y);

/// Winograd kernel transform, in double precision then rounded: w is a Keras 3×3 kernel [3, 3, cin, cout] (or, when
/// w_panels is nonzero, that 9·cin × cout matrix as kp_pack_b packed it); the (m+2)² matrices cin × cout
/// u[ξ][ci][co] = (G g Gᵀ)[ξ] (m = 2 or 4) are written in kp_pack_b's panel layout, matrix ξ at packed + ξ · stride
/// (stride ≥ kp_packed_b_count(cin, cout)), columns past cout +0 — for the panels [p0, p1) of 16 output channels
/// only: different threads may fill disjoint panel ranges at once.
void kp_winograd_kernel_packed(const float *w, int w_panels, long cin, long cout, long m, float *packed, long stride,
                               long p0, long p1);

#ifdef __cplusplus
}
#endif

#endif
