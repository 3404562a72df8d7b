/* SPDX-License-Identifier: MIT */
/* Error metrics between two buffers (lemica_metric_compute).
 *
 * Every element is converted exactly to double and the differences are
 * formed and summed in double. Buffers are cut into blocks; a block is
 * summed in several independent lanes (few terms per lane, so its rounding
 * error is tiny), and the block sums are added with Neumaier's
 * compensation, so the error does not grow with the length: 10^8 elements
 * stay within ~1e-13 relative of the exact sum. All terms are >= 0, so
 * there is no cancellation for the relative error to blow up on.
 *
 * Kernels: a portable loop (any C11 compiler); AVX2 with F16C for every
 * dtype; AVX-512F for f16 and bf16. GCC and Clang compile the vector ones
 * through target attributes, so the build needs no -m or -march flag, and
 * CPUID picks the best the CPU has, once per process.
 *
 * NaN and infinite elements are not tested one by one on the fast path:
 * they make the sum NaN or infinite, which is tested once at the end; only
 * then is the buffer scanned again to name the first bad element. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../common/error-int.h"
#include "metric-int.h"

/* Elements per block: a multiple of every vector step below. */
#define METRIC_BLOCK 4096

#define NUM_DTYPES 4

/* What a block kernel sums. sums[0] is sum |a - b| (ABS, ABS_REF) or
 * sum (a - b)^2 (SQUARE); sums[1] is sum |b| (ABS_REF; 0 otherwise). */
enum sum_kind { SUM_ABS, SUM_SQUARE, SUM_ABS_REF, NUM_SUM_KINDS };

typedef void (*block_kernel)(const unsigned char *a, const unsigned char *b,
                             size_t n, double sums[2]);

static enum lemica_kernels kernel_choice = LEMICA_KERNELS_AUTO;

/* Inline for the kernels; lemica_f16_to_float() below is the same.
 * Written without unpredictable branches: on random data a branch on the
 * exponent costs more than the conversion. */
static inline float
f16_to_float(uint16_t bits)
{
    uint32_t magnitude = bits & 0x7fffu;
    /* Normal numbers: shift into place and rebias the exponent 15 -> 127
     * (add 112); infinities and NaNs (exponent 31) need exponent 255, so
     * add 224 (NaN payloads keep their bits, the quiet bit landing on
     * binary32's quiet bit). */
    uint32_t rebias = magnitude >= 0x7c00u ? 224u : 112u;
    uint32_t wide = (magnitude << 13) + (rebias << 23);
    /* Zero and subnormals, magnitude * 2^-24: for a subnormal both factors
     * and the product are normal binary32 numbers, so the product is exact
     * and no flush-to-zero or denormals-are-zero mode alters it. */
    float small = (float)magnitude * 0x1.0p-24f;
    float value;
    uint32_t out;

    memcpy(&value, &wide, sizeof(value));
    if (magnitude < 0x400u)
        value = small;
    memcpy(&out, &value, sizeof(out));
    out |= (uint32_t)(bits & 0x8000u) << 16;
    memcpy(&value, &out, sizeof(value));
    return value;
}

static inline float
bf16_to_float(uint16_t bits)
{
    uint32_t out = (uint32_t)bits << 16;
    float value;

    memcpy(&value, &out, sizeof(value));
    return value;
}

float
lemica_f16_to_float(uint16_t bits)
{
    return f16_to_float(bits);
}

float
lemica_bf16_to_float(uint16_t bits)
{
    return bf16_to_float(bits);
}

size_t
lemica_dtype_size(lemica_dtype dtype)
{
    switch (dtype) {
    case LEMICA_DTYPE_F32:
        return 4;
    case LEMICA_DTYPE_F64:
        return 8;
    case LEMICA_DTYPE_F16:
    case LEMICA_DTYPE_BF16:
        return 2;
    }
    return 0;
}

static const char *
dtype_name(lemica_dtype dtype)
{
    static const char *const names[NUM_DTYPES] = {"f32", "f64", "f16", "bf16"};

    return (unsigned)dtype < NUM_DTYPES ? names[dtype] : "?";
}

/* Element @index of a buffer, through memcpy: buffers need no alignment. */
static inline double
load_element(lemica_dtype dtype, const unsigned char *data, size_t index)
{
    switch (dtype) {
    case LEMICA_DTYPE_F32: {
        float value;
        memcpy(&value, data + 4 * index, sizeof(value));
        return (double)value;
    }
    case LEMICA_DTYPE_F64: {
        double value;
        memcpy(&value, data + 8 * index, sizeof(value));
        return value;
    }
    case LEMICA_DTYPE_F16:
    case LEMICA_DTYPE_BF16: {
        uint16_t bits;
        memcpy(&bits, data + 2 * index, sizeof(bits));
        return dtype == LEMICA_DTYPE_F16 ? (double)f16_to_float(bits)
                                         : (double)bf16_to_float(bits);
    }
    }
    return (double)NAN;
}

static inline void
accumulate(enum sum_kind kind, double x, double y, double *sum, double *ref)
{
    double d = x - y;

    if (kind == SUM_SQUARE) {
        *sum += d * d;
    } else {
        *sum += fabs(d);
        if (kind == SUM_ABS_REF)
            *ref += fabs(y);
    }
}

/* The portable block kernel: four lanes, so the compiler may keep them in
 * registers and the per-lane error stays small. Called with constant @kind
 * and @dtype from the wrappers below, which the compiler specialises. */
static inline void
portable_block(enum sum_kind kind, lemica_dtype dtype, const unsigned char *a,
               const unsigned char *b, size_t n, double sums[2])
{
    double sum[4] = {0.0, 0.0, 0.0, 0.0}, ref[4] = {0.0, 0.0, 0.0, 0.0};
    size_t i = 0;

    for (; i + 4 <= n; i += 4)
        for (int lane = 0; lane < 4; lane++)
            accumulate(kind, load_element(dtype, a, i + (size_t)lane),
                       load_element(dtype, b, i + (size_t)lane), &sum[lane],
                       &ref[lane]);
    for (; i < n; i++)
        accumulate(kind, load_element(dtype, a, i), load_element(dtype, b, i),
                   &sum[0], &ref[0]);
    sums[0] = (sum[0] + sum[1]) + (sum[2] + sum[3]);
    sums[1] = (ref[0] + ref[1]) + (ref[2] + ref[3]);
}

#define LEMICA_PORTABLE_KERNEL_(name, kind, dtype)                             \
    static void name(const unsigned char *a, const unsigned char *b, size_t n, \
                     double sums[2])                                           \
    {                                                                          \
        portable_block(kind, dtype, a, b, n, sums);                            \
    }

LEMICA_PORTABLE_KERNEL_(portable_abs_f32, SUM_ABS, LEMICA_DTYPE_F32)
LEMICA_PORTABLE_KERNEL_(portable_square_f32, SUM_SQUARE, LEMICA_DTYPE_F32)
LEMICA_PORTABLE_KERNEL_(portable_absref_f32, SUM_ABS_REF, LEMICA_DTYPE_F32)
LEMICA_PORTABLE_KERNEL_(portable_abs_f64, SUM_ABS, LEMICA_DTYPE_F64)
LEMICA_PORTABLE_KERNEL_(portable_square_f64, SUM_SQUARE, LEMICA_DTYPE_F64)
LEMICA_PORTABLE_KERNEL_(portable_absref_f64, SUM_ABS_REF, LEMICA_DTYPE_F64)
LEMICA_PORTABLE_KERNEL_(portable_abs_f16, SUM_ABS, LEMICA_DTYPE_F16)
LEMICA_PORTABLE_KERNEL_(portable_square_f16, SUM_SQUARE, LEMICA_DTYPE_F16)
LEMICA_PORTABLE_KERNEL_(portable_absref_f16, SUM_ABS_REF, LEMICA_DTYPE_F16)
LEMICA_PORTABLE_KERNEL_(portable_abs_bf16, SUM_ABS, LEMICA_DTYPE_BF16)
LEMICA_PORTABLE_KERNEL_(portable_square_bf16, SUM_SQUARE, LEMICA_DTYPE_BF16)
LEMICA_PORTABLE_KERNEL_(portable_absref_bf16, SUM_ABS_REF, LEMICA_DTYPE_BF16)

static const block_kernel portable_kernels[NUM_DTYPES][NUM_SUM_KINDS] = {
    {portable_abs_f32, portable_square_f32, portable_absref_f32},
    {portable_abs_f64, portable_square_f64, portable_absref_f64},
    {portable_abs_f16, portable_square_f16, portable_absref_f16},
    {portable_abs_bf16, portable_square_bf16, portable_absref_bf16},
};

#if defined(__x86_64__) && defined(__GNUC__)
#include <cpuid.h>
#include <immintrin.h>
#define LEMICA_HAVE_X86_KERNELS 1

/* Every CPU with AVX2 also has F16C; asking for both lets one set of
 * kernels, compiled for both, serve every dtype. */
#define LEMICA_AVX2_TARGET_ __attribute__((target("avx2,f16c")))

/* Eight elements of @data from @index, exactly converted, as two vectors
 * of four doubles. */
LEMICA_AVX2_TARGET_ __attribute__((always_inline)) static inline void
avx2_load8(lemica_dtype dtype, const unsigned char *data, size_t index,
           __m256d *low, __m256d *high)
{
    __m256 wide;

    switch (dtype) {
    case LEMICA_DTYPE_F32: {
        const float *p = (const float *)(const void *)(data + 4 * index);
        *low = _mm256_cvtps_pd(_mm_loadu_ps(p));
        *high = _mm256_cvtps_pd(_mm_loadu_ps(p + 4));
        return;
    }
    case LEMICA_DTYPE_F64: {
        const double *p = (const double *)(const void *)(data + 8 * index);
        *low = _mm256_loadu_pd(p);
        *high = _mm256_loadu_pd(p + 4);
        return;
    }
    case LEMICA_DTYPE_F16:
        wide = _mm256_cvtph_ps(
            _mm_loadu_si128((const __m128i *)(const void *)(data + 2 * index)));
        break;
    case LEMICA_DTYPE_BF16:
    default:
        /* bfloat16 is the top half of a binary32: widen and shift. */
        wide = _mm256_castsi256_ps(_mm256_slli_epi32(
            _mm256_cvtepu16_epi32(_mm_loadu_si128(
                (const __m128i *)(const void *)(data + 2 * index))),
            16));
        break;
    }
    *low = _mm256_cvtps_pd(_mm256_castps256_ps128(wide));
    *high = _mm256_cvtps_pd(_mm256_extractf128_ps(wide, 1));
}

LEMICA_AVX2_TARGET_ __attribute__((always_inline)) static inline __m256d
avx2_term(enum sum_kind kind, __m256d x, __m256d y, __m256d sign_mask)
{
    __m256d d = _mm256_sub_pd(x, y);

    return kind == SUM_SQUARE ? _mm256_mul_pd(d, d)
                              : _mm256_andnot_pd(sign_mask, d);
}

LEMICA_AVX2_TARGET_ __attribute__((always_inline)) static inline double
avx2_horizontal_sum(__m256d v)
{
    double lanes[4];

    _mm256_storeu_pd(lanes, v);
    return (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
}

/* Sixteen elements per iteration, in four independent vector lanes (16
 * doubles), so that additions never wait on each other and the loop runs
 * at memory speed. */
LEMICA_AVX2_TARGET_ __attribute__((always_inline)) static inline void
avx2_block(enum sum_kind kind, lemica_dtype dtype, const unsigned char *a,
           const unsigned char *b, size_t n, double sums[2])
{
    const __m256d sign_mask = _mm256_set1_pd(-0.0);
    __m256d s0 = _mm256_setzero_pd(), s1 = s0, s2 = s0, s3 = s0;
    __m256d r0 = s0, r1 = s0, r2 = s0, r3 = s0;
    double tail[2];
    size_t i = 0;

    for (; i + 16 <= n; i += 16) {
        __m256d a0, a1, a2, a3, b0, b1, b2, b3;

        avx2_load8(dtype, a, i, &a0, &a1);
        avx2_load8(dtype, b, i, &b0, &b1);
        avx2_load8(dtype, a, i + 8, &a2, &a3);
        avx2_load8(dtype, b, i + 8, &b2, &b3);
        s0 = _mm256_add_pd(s0, avx2_term(kind, a0, b0, sign_mask));
        s1 = _mm256_add_pd(s1, avx2_term(kind, a1, b1, sign_mask));
        s2 = _mm256_add_pd(s2, avx2_term(kind, a2, b2, sign_mask));
        s3 = _mm256_add_pd(s3, avx2_term(kind, a3, b3, sign_mask));
        if (kind == SUM_ABS_REF) {
            r0 = _mm256_add_pd(r0, _mm256_andnot_pd(sign_mask, b0));
            r1 = _mm256_add_pd(r1, _mm256_andnot_pd(sign_mask, b1));
            r2 = _mm256_add_pd(r2, _mm256_andnot_pd(sign_mask, b2));
            r3 = _mm256_add_pd(r3, _mm256_andnot_pd(sign_mask, b3));
        }
    }
    portable_block(kind, dtype, a + i * lemica_dtype_size(dtype),
                   b + i * lemica_dtype_size(dtype), n - i, tail);
    sums[0] = avx2_horizontal_sum(
                  _mm256_add_pd(_mm256_add_pd(s0, s1), _mm256_add_pd(s2, s3))) +
              tail[0];
    sums[1] = avx2_horizontal_sum(
                  _mm256_add_pd(_mm256_add_pd(r0, r1), _mm256_add_pd(r2, r3))) +
              tail[1];
}

#define LEMICA_AVX2_KERNEL_(name, kind, dtype)                                 \
    LEMICA_AVX2_TARGET_ static void name(const unsigned char *a,               \
                                         const unsigned char *b, size_t n,     \
                                         double sums[2])                       \
    {                                                                          \
        avx2_block(kind, dtype, a, b, n, sums);                                \
    }

LEMICA_AVX2_KERNEL_(avx2_abs_f32, SUM_ABS, LEMICA_DTYPE_F32)
LEMICA_AVX2_KERNEL_(avx2_square_f32, SUM_SQUARE, LEMICA_DTYPE_F32)
LEMICA_AVX2_KERNEL_(avx2_absref_f32, SUM_ABS_REF, LEMICA_DTYPE_F32)
LEMICA_AVX2_KERNEL_(avx2_abs_f64, SUM_ABS, LEMICA_DTYPE_F64)
LEMICA_AVX2_KERNEL_(avx2_square_f64, SUM_SQUARE, LEMICA_DTYPE_F64)
LEMICA_AVX2_KERNEL_(avx2_absref_f64, SUM_ABS_REF, LEMICA_DTYPE_F64)
LEMICA_AVX2_KERNEL_(avx2_abs_f16, SUM_ABS, LEMICA_DTYPE_F16)
LEMICA_AVX2_KERNEL_(avx2_square_f16, SUM_SQUARE, LEMICA_DTYPE_F16)
LEMICA_AVX2_KERNEL_(avx2_absref_f16, SUM_ABS_REF, LEMICA_DTYPE_F16)
LEMICA_AVX2_KERNEL_(avx2_abs_bf16, SUM_ABS, LEMICA_DTYPE_BF16)
LEMICA_AVX2_KERNEL_(avx2_square_bf16, SUM_SQUARE, LEMICA_DTYPE_BF16)
LEMICA_AVX2_KERNEL_(avx2_absref_bf16, SUM_ABS_REF, LEMICA_DTYPE_BF16)

static const block_kernel avx2_kernels[NUM_DTYPES][NUM_SUM_KINDS] = {
    {avx2_abs_f32, avx2_square_f32, avx2_absref_f32},
    {avx2_abs_f64, avx2_square_f64, avx2_absref_f64},
    {avx2_abs_f16, avx2_square_f16, avx2_absref_f16},
    {avx2_abs_bf16, avx2_square_bf16, avx2_absref_bf16},
};

/* The half types with AVX-512F: there the work is converting (two
 * conversions per element, half -> float -> double), not reading, and
 * 512-bit conversions do twice as much per instruction. f32 and f64 are
 * limited by memory already with AVX2, so they keep it (and spare CPUs
 * that slow their clock on 512-bit code). */
#define LEMICA_AVX512_TARGET_ __attribute__((target("avx512f")))

/* Sixteen elements of @data from @index as two vectors of eight doubles. */
LEMICA_AVX512_TARGET_ __attribute__((always_inline)) static inline void
avx512_load16(lemica_dtype dtype, const unsigned char *data, size_t index,
              __m512d *low, __m512d *high)
{
    const void *p = data + 2 * index;
    __m512 wide;

    if (dtype == LEMICA_DTYPE_F16)
        wide = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)p));
    else
        wide = _mm512_castsi512_ps(_mm512_slli_epi32(
            _mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i *)p)), 16));
    *low = _mm512_cvtps_pd(_mm512_castps512_ps256(wide));
    *high = _mm512_cvtps_pd(
        _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(wide), 1)));
}

LEMICA_AVX512_TARGET_ __attribute__((always_inline)) static inline __m512d
avx512_term(enum sum_kind kind, __m512d x, __m512d y)
{
    __m512d d = _mm512_sub_pd(x, y);

    return kind == SUM_SQUARE ? _mm512_mul_pd(d, d) : _mm512_abs_pd(d);
}

LEMICA_AVX512_TARGET_ __attribute__((always_inline)) static inline double
avx512_horizontal_sum(__m512d v)
{
    double lanes[8];

    _mm512_storeu_pd(lanes, v);
    return ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) +
           ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
}

/* Thirty-two elements per iteration in four independent vector lanes. */
LEMICA_AVX512_TARGET_ __attribute__((always_inline)) static inline void
avx512_block(enum sum_kind kind, lemica_dtype dtype, const unsigned char *a,
             const unsigned char *b, size_t n, double sums[2])
{
    __m512d s0 = _mm512_setzero_pd(), s1 = s0, s2 = s0, s3 = s0;
    __m512d r0 = s0, r1 = s0, r2 = s0, r3 = s0;
    double tail[2];
    size_t i = 0;

    for (; i + 32 <= n; i += 32) {
        __m512d a0, a1, a2, a3, b0, b1, b2, b3;

        avx512_load16(dtype, a, i, &a0, &a1);
        avx512_load16(dtype, b, i, &b0, &b1);
        avx512_load16(dtype, a, i + 16, &a2, &a3);
        avx512_load16(dtype, b, i + 16, &b2, &b3);
        s0 = _mm512_add_pd(s0, avx512_term(kind, a0, b0));
        s1 = _mm512_add_pd(s1, avx512_term(kind, a1, b1));
        s2 = _mm512_add_pd(s2, avx512_term(kind, a2, b2));
        s3 = _mm512_add_pd(s3, avx512_term(kind, a3, b3));
        if (kind == SUM_ABS_REF) {
            r0 = _mm512_add_pd(r0, _mm512_abs_pd(b0));
            r1 = _mm512_add_pd(r1, _mm512_abs_pd(b1));
            r2 = _mm512_add_pd(r2, _mm512_abs_pd(b2));
            r3 = _mm512_add_pd(r3, _mm512_abs_pd(b3));
        }
    }
    portable_block(kind, dtype, a + 2 * i, b + 2 * i, n - i, tail);
    sums[0] = avx512_horizontal_sum(
                  _mm512_add_pd(_mm512_add_pd(s0, s1), _mm512_add_pd(s2, s3))) +
              tail[0];
    sums[1] = avx512_horizontal_sum(
                  _mm512_add_pd(_mm512_add_pd(r0, r1), _mm512_add_pd(r2, r3))) +
              tail[1];
}

#define LEMICA_AVX512_KERNEL_(name, kind, dtype)                               \
    LEMICA_AVX512_TARGET_ static void name(const unsigned char *a,             \
                                           const unsigned char *b, size_t n,   \
                                           double sums[2])                     \
    {                                                                          \
        avx512_block(kind, dtype, a, b, n, sums);                              \
    }

LEMICA_AVX512_KERNEL_(avx512_abs_f16, SUM_ABS, LEMICA_DTYPE_F16)
LEMICA_AVX512_KERNEL_(avx512_square_f16, SUM_SQUARE, LEMICA_DTYPE_F16)
LEMICA_AVX512_KERNEL_(avx512_absref_f16, SUM_ABS_REF, LEMICA_DTYPE_F16)
LEMICA_AVX512_KERNEL_(avx512_abs_bf16, SUM_ABS, LEMICA_DTYPE_BF16)
LEMICA_AVX512_KERNEL_(avx512_square_bf16, SUM_SQUARE, LEMICA_DTYPE_BF16)
LEMICA_AVX512_KERNEL_(avx512_absref_bf16, SUM_ABS_REF, LEMICA_DTYPE_BF16)

/* NULL rows: the AVX2 kernel serves that dtype. */
static const block_kernel avx512_kernels[NUM_DTYPES][NUM_SUM_KINDS] = {
    {NULL, NULL, NULL},
    {NULL, NULL, NULL},
    {avx512_abs_f16, avx512_square_f16, avx512_absref_f16},
    {avx512_abs_bf16, avx512_square_bf16, avx512_absref_bf16},
};

enum cpu_level { CPU_PORTABLE, CPU_AVX2, CPU_AVX512 };

static enum cpu_level
detect_cpu_level(void)
{
    unsigned eax, ebx, ecx = 0, edx;
    /* F16C is read from CPUID directly because not every compiler's
     * __builtin_cpu_supports knows its name; __builtin_cpu_supports also
     * checks that the OS saves the vector registers. */
    int f16c = __get_cpuid(1, &eax, &ebx, &ecx, &edx) && ((ecx >> 29) & 1u);

    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && f16c)
        return __builtin_cpu_supports("avx512f") ? CPU_AVX512 : CPU_AVX2;
    return CPU_PORTABLE;
}

#if !defined(__STDC_NO_ATOMICS__)
#include <stdatomic.h>

/* CPUID can trap to the hypervisor in a VM, so the answer is kept; an
 * atomic so that threads asking at once do not race (they all store the
 * same value). */
static enum cpu_level
cpu_level(void)
{
    static atomic_int cached = -1;
    int level = atomic_load_explicit(&cached, memory_order_relaxed);

    if (level < 0) {
        level = (int)detect_cpu_level();
        atomic_store_explicit(&cached, level, memory_order_relaxed);
    }
    return (enum cpu_level)level;
}
#else
static enum cpu_level
cpu_level(void)
{
    return detect_cpu_level();
}
#endif
#endif

void
lemica_metric_set_kernels(enum lemica_kernels kernels)
{
    kernel_choice = kernels;
}

static block_kernel
select_kernel(lemica_dtype dtype, enum sum_kind kind, const char **name)
{
#ifdef LEMICA_HAVE_X86_KERNELS
    enum cpu_level level = cpu_level();

    if (kernel_choice == LEMICA_KERNELS_AUTO && level >= CPU_AVX512 &&
        avx512_kernels[dtype][kind]) {
        *name = "avx512f";
        return avx512_kernels[dtype][kind];
    }
    if (kernel_choice >= LEMICA_KERNELS_AVX2 && level >= CPU_AVX2) {
        *name = "avx2";
        return avx2_kernels[dtype][kind];
    }
#endif
    *name = "portable";
    return portable_kernels[dtype][kind];
}

const char *
lemica_metric_kernel_name(lemica_dtype dtype)
{
    const char *name = "none";

    if (lemica_dtype_size(dtype) != 0)
        select_kernel(dtype, SUM_ABS, &name);
    return name;
}

/* Neumaier's compensated sum. */
struct compensated {
    double sum;
    double correction;
};

static inline void
compensated_add(struct compensated *total, double value)
{
    double t = total->sum + value;

    if (fabs(total->sum) >= fabs(value))
        total->correction += (total->sum - t) + value;
    else
        total->correction += (value - t) + total->sum;
    total->sum = t;
}

/* Why the sums are not finite: name the first bad element, or the
 * overflow of finite ones. */
static lemica_status
fail_not_finite(lemica_dtype dtype, const unsigned char *a,
                const unsigned char *b, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        double x = load_element(dtype, a, i), y = load_element(dtype, b, i);

        if (!isfinite(x) || !isfinite(y))
            return lemica_fail(LEMICA_ERR_INVALID_VALUE,
                               "metric: element %zu of buffer %s (%s) is %g: "
                               "elements must be finite",
                               i, isfinite(x) ? "b" : "a", dtype_name(dtype),
                               isfinite(x) ? y : x);
    }
    return lemica_fail(LEMICA_ERR_INVALID_VALUE,
                       "metric: the sum over %zu %s elements overflows a "
                       "double",
                       count, dtype_name(dtype));
}

lemica_status
lemica_metric_compute(lemica_metric metric, const void *a, const void *b,
                      size_t count, lemica_dtype dtype, double *out)
{
    const unsigned char *bytes_a = a, *bytes_b = b;
    struct compensated sum = {0.0, 0.0}, ref = {0.0, 0.0};
    size_t element_size = lemica_dtype_size(dtype);
    enum sum_kind kind;
    block_kernel kernel;
    const char *kernel_name;
    double value;

    if (!a || !b || !out)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "metric: %s is NULL",
                           !a   ? "buffer a"
                           : !b ? "buffer b"
                                : "out");
    switch (metric) {
    case LEMICA_METRIC_L1:
        kind = SUM_ABS;
        break;
    case LEMICA_METRIC_MSE:
        kind = SUM_SQUARE;
        break;
    case LEMICA_METRIC_RELATIVE_L1:
        kind = SUM_ABS_REF;
        break;
    default:
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT,
                           "metric: unknown metric %d", (int)metric);
    }
    if (element_size == 0)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT,
                           "metric: unknown dtype %d", (int)dtype);
    if (count == 0)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT,
                           "metric: the buffers are empty (count 0)");
    /* No object is larger than PTRDIFF_MAX bytes, and a buffer cannot run
     * past the end of the address space: such a count describes no real
     * buffer (count * element size below SIZE_MAX is not enough), and
     * reading it would fault, so it is refused before either buffer is
     * touched. */
    if (count > (size_t)PTRDIFF_MAX / element_size ||
        (uintptr_t)bytes_a > UINTPTR_MAX - count * element_size ||
        (uintptr_t)bytes_b > UINTPTR_MAX - count * element_size)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT,
                           "metric: %zu %s elements do not fit in memory",
                           count, dtype_name(dtype));

    kernel = select_kernel(dtype, kind, &kernel_name);
    for (size_t offset = 0; offset < count; offset += METRIC_BLOCK) {
        size_t n =
            count - offset < METRIC_BLOCK ? count - offset : METRIC_BLOCK;
        double sums[2];

        kernel(bytes_a + offset * element_size, bytes_b + offset * element_size,
               n, sums);
        compensated_add(&sum, sums[0]);
        compensated_add(&ref, sums[1]);
    }
    sum.sum += sum.correction;
    ref.sum += ref.correction;
    if (!isfinite(sum.sum) || !isfinite(ref.sum))
        return fail_not_finite(dtype, bytes_a, bytes_b, count);

    if (kind == SUM_ABS_REF) {
        if (ref.sum == 0.0)
            return lemica_fail(LEMICA_ERR_INVALID_VALUE,
                               "metric: relative L1 is undefined: the "
                               "reference buffer b is all zeros");
        value = sum.sum / ref.sum;
        if (!isfinite(value))
            return lemica_fail(LEMICA_ERR_INVALID_VALUE,
                               "metric: relative L1 overflows a double "
                               "(sum |a - b| = %g, sum |b| = %g)",
                               sum.sum, ref.sum);
    } else {
        value = sum.sum / (double)count;
    }
    *out = value;
    return LEMICA_OK;
}
