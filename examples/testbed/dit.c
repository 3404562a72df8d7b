/* SPDX-License-Identifier: MIT */
/* The DiT forward pass (layout and network: dit.h). Weights are stored
 * transposed, [in][out], so the matrix products stream a row of the weight
 * against a small tile of inputs held in registers, and the inner loops
 * over outputs vectorise. */
#include "dit.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dit-file.h"

/* The hot kernels are compiled for AVX-512, AVX2 and baseline x86-64 and
 * the best is picked at load time (GCC's function multi-versioning, which
 * needs ifunc: glibc on x86-64). Elsewhere they are plain C. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && \
    defined(__linux__) && !defined(__SANITIZE_ADDRESS__)
#define DIT_HOT                                                                \
    __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3",          \
                                 "default")))
#else
#define DIT_HOT
#endif

#define DIT_NUM_HPARAMS 10
#define DIT_TIME_SCALE 1000.0
#define DIT_LN_EPS 1e-6f
/* Sanity bounds on hyper-parameters, so sizes cannot overflow. */
#define DIT_MAX_EXTENT 4096

struct dit_block {
    float *ada_w, *ada_b;   /* [D][6D], [6D] */
    float *qkv_w, *qkv_b;   /* [D][3D], [3D] */
    float *proj_w, *proj_b; /* [D][D], [D] */
    float *fc1_w, *fc1_b;   /* [D][M], [M] */
    float *fc2_w, *fc2_b;   /* [M][D], [D] */
};

struct testbed_dit {
    int side, channels, patch, dim, depth, heads, mlp, num_classes, freq_dim;
    int grid, tokens, patch_dim, pixels, head_dim;
    long num_parameters;
    float *storage;
    float *x_embed_w, *x_embed_b; /* [pd][D], [D] */
    float *pos;                   /* [T][D] */
    float *t1_w, *t1_b;           /* [F][D], [D] */
    float *t2_w, *t2_b;           /* [D][D], [D] */
    float *y_table;               /* [classes + 1][D] */
    struct dit_block *blocks;
    float *final_ada_w, *final_ada_b; /* [D][2D], [2D] */
    float *final_w, *final_b;         /* [D][pd], [pd] */
    double *freqs;                    /* [F / 2] */
};

struct testbed_dit_context {
    const testbed_dit *dit;
    int max_rows;
    float *x_rows;  /* [R][pixels] */
    float *t_rows;  /* [R] */
    int *class_rows;
    float *tokens;  /* [R][T][D] */
    float *cond;    /* [R][D] */
    float *silu;    /* [R][D] */
    float *ada;     /* [R][6D] */
    float *patches; /* [R][T][pd] */
    float *freq;    /* [R][F] */
    float *hidden;  /* [R][D] */
    float *normed;  /* [R][T][D] */
    float *qkv;     /* [R][T][3D] */
    float *attn;    /* [R][T][D] */
    float *branch;  /* [R][T][max(D, M)] */
    float *v_rows;  /* [R][pixels] */
};

/* ---- kernels ------------------------------------------------------------ */

/* y[n][out] = x[n][in] w[in][out] + bias (bias may be NULL), portable C:
 * a tile of 4 rows by 64 outputs accumulates while it streams the weights,
 * so each weight load feeds four multiply-adds. */
static void
dit_matmul_plain(int n, int in, int out, const float *restrict x,
           const float *restrict w, const float *restrict bias,
           float *restrict y)
{
    enum { ROWS = 4, COLS = 64 };
    int i = 0;

    for (; i + ROWS <= n; i += ROWS) {
        const float *x0 = x + (size_t)i * in;
        const float *x1 = x0 + in, *x2 = x1 + in, *x3 = x2 + in;

        for (int o = 0; o < out; o += COLS) {
            float acc0[COLS], acc1[COLS], acc2[COLS], acc3[COLS];
            int width = out - o < COLS ? out - o : COLS;

            if (width == COLS) {
                for (int j = 0; j < COLS; j++) {
                    float b = bias ? bias[o + j] : 0.0f;

                    acc0[j] = b;
                    acc1[j] = b;
                    acc2[j] = b;
                    acc3[j] = b;
                }
                for (int k = 0; k < in; k++) {
                    const float *wk = w + (size_t)k * out + o;
                    float a0 = x0[k], a1 = x1[k], a2 = x2[k], a3 = x3[k];

                    for (int j = 0; j < COLS; j++) {
                        acc0[j] += a0 * wk[j];
                        acc1[j] += a1 * wk[j];
                        acc2[j] += a2 * wk[j];
                        acc3[j] += a3 * wk[j];
                    }
                }
                for (int j = 0; j < COLS; j++) {
                    y[(size_t)i * out + o + j] = acc0[j];
                    y[(size_t)(i + 1) * out + o + j] = acc1[j];
                    y[(size_t)(i + 2) * out + o + j] = acc2[j];
                    y[(size_t)(i + 3) * out + o + j] = acc3[j];
                }
            } else {
                for (int r = 0; r < ROWS; r++) {
                    const float *xr = x + (size_t)(i + r) * in;
                    float *yr = y + (size_t)(i + r) * out + o;

                    for (int j = 0; j < width; j++)
                        yr[j] = bias ? bias[o + j] : 0.0f;
                    for (int k = 0; k < in; k++) {
                        const float *wk = w + (size_t)k * out + o;
                        float a = xr[k];

                        for (int j = 0; j < width; j++)
                            yr[j] += a * wk[j];
                    }
                }
            }
        }
    }
    for (; i < n; i++) {
        const float *xr = x + (size_t)i * in;
        float *yr = y + (size_t)i * out;

        for (int j = 0; j < out; j++)
            yr[j] = bias ? bias[j] : 0.0f;
        for (int k = 0; k < in; k++) {
            const float *wk = w + (size_t)k * out;
            float a = xr[k];

            for (int j = 0; j < out; j++)
                yr[j] += a * wk[j];
        }
    }
}


/* The same with GCC's vector extensions, so the tile's accumulators stay
 * in registers (plain arrays ended up on the stack, one load and store per
 * multiply-add): per target, 4 rows by NVEC vectors of LANES floats. The
 * columns past the last full tile go to a plain loop (the same for every
 * row). */
#if (defined(__GNUC__) || defined(__clang__)) && defined(__x86_64__)
#define DIT_HAVE_SIMD 1
#define DIT_DEFINE_SIMD_MATMUL(name_, target_, lanes_, nvec_)                  \
    typedef float name_##_vec __attribute__((vector_size(4 * (lanes_))));     \
    __attribute__((target(target_))) static void name_(                        \
        int n, int in, int out, const float *restrict x,                       \
        const float *restrict w, const float *restrict bias,                   \
        float *restrict y)                                                     \
    {                                                                          \
        enum { COLS = (lanes_) * (nvec_) };                                    \
        int full_rows = n / 4 * 4, full_cols = out / COLS * COLS;              \
                                                                               \
        for (int i = 0; i < full_rows; i += 4) {                               \
            const float *x0 = x + (size_t)i * in;                              \
            const float *x1 = x0 + in, *x2 = x1 + in, *x3 = x2 + in;           \
                                                                               \
            for (int o = 0; o < full_cols; o += COLS) {                        \
                name_##_vec a0[nvec_], a1[nvec_], a2[nvec_], a3[nvec_];        \
                                                                               \
                for (int v = 0; v < (nvec_); v++) {                            \
                    name_##_vec b = {0};                                       \
                                                                               \
                    if (bias)                                                  \
                        __builtin_memcpy(&b, bias + o + v * (lanes_),          \
                                         sizeof(b));                           \
                    a0[v] = b;                                                 \
                    a1[v] = b;                                                 \
                    a2[v] = b;                                                 \
                    a3[v] = b;                                                 \
                }                                                              \
                for (int k = 0; k < in; k++) {                                 \
                    const float *wk = w + (size_t)k * out + o;                 \
                    float s0 = x0[k], s1 = x1[k], s2 = x2[k], s3 = x3[k];      \
                                                                               \
                    for (int v = 0; v < (nvec_); v++) {                        \
                        name_##_vec wv;                                        \
                                                                               \
                        __builtin_memcpy(&wv, wk + v * (lanes_), sizeof(wv));  \
                        a0[v] += s0 * wv;                                      \
                        a1[v] += s1 * wv;                                      \
                        a2[v] += s2 * wv;                                      \
                        a3[v] += s3 * wv;                                      \
                    }                                                          \
                }                                                              \
                for (int v = 0; v < (nvec_); v++) {                            \
                    size_t at = (size_t)i * out + o + v * (lanes_);            \
                                                                               \
                    __builtin_memcpy(y + at, &a0[v], sizeof(a0[v]));           \
                    __builtin_memcpy(y + at + out, &a1[v], sizeof(a1[v]));     \
                    __builtin_memcpy(y + at + 2 * (size_t)out, &a2[v],         \
                                     sizeof(a2[v]));                           \
                    __builtin_memcpy(y + at + 3 * (size_t)out, &a3[v],         \
                                     sizeof(a3[v]));                           \
                }                                                              \
            }                                                                  \
        }                                                                      \
        /* The last rows one at a time with the same vector operations, so \
         * a row's result does not depend on its place in the batch. */     \
        for (int i = full_rows; i < n; i++) {                                  \
            const float *x0 = x + (size_t)i * in;                              \
                                                                               \
            for (int o = 0; o < full_cols; o += COLS) {                        \
                name_##_vec a0[nvec_];                                         \
                                                                               \
                for (int v = 0; v < (nvec_); v++) {                            \
                    name_##_vec b = {0};                                       \
                                                                               \
                    if (bias)                                                  \
                        __builtin_memcpy(&b, bias + o + v * (lanes_),          \
                                         sizeof(b));                           \
                    a0[v] = b;                                                 \
                }                                                              \
                for (int k = 0; k < in; k++) {                                 \
                    const float *wk = w + (size_t)k * out + o;                 \
                    float s0 = x0[k];                                          \
                                                                               \
                    for (int v = 0; v < (nvec_); v++) {                        \
                        name_##_vec wv;                                        \
                                                                               \
                        __builtin_memcpy(&wv, wk + v * (lanes_), sizeof(wv));  \
                        a0[v] += s0 * wv;                                      \
                    }                                                          \
                }                                                              \
                for (int v = 0; v < (nvec_); v++)                              \
                    __builtin_memcpy(y + (size_t)i * out + o + v * (lanes_),   \
                                     &a0[v], sizeof(a0[v]));                   \
            }                                                                  \
        }                                                                      \
        if (full_cols < out)                                                   \
            dit_matmul_strip(n, in, out, full_cols, x, w, bias, y);            \
    }

/* Columns @first .. out - 1 of rows 0 .. n - 1, plainly. */
static void
dit_matmul_strip(int n, int in, int out, int first, const float *restrict x,
                 const float *restrict w, const float *restrict bias,
                 float *restrict y)
{
    for (int i = 0; i < n; i++) {
        const float *xr = x + (size_t)i * in;
        float *yr = y + (size_t)i * out;

        for (int j = first; j < out; j++)
            yr[j] = bias ? bias[j] : 0.0f;
        for (int k = 0; k < in; k++) {
            const float *wk = w + (size_t)k * out;
            float a = xr[k];

            for (int j = first; j < out; j++)
                yr[j] += a * wk[j];
        }
    }
}

DIT_DEFINE_SIMD_MATMUL(dit_matmul_avx512, "avx512f,fma", 16, 4)
DIT_DEFINE_SIMD_MATMUL(dit_matmul_avx2, "avx2,fma", 8, 2)
#endif

static void
dit_matmul(int n, int in, int out, const float *x, const float *w,
           const float *bias, float *y)
{
#ifdef DIT_HAVE_SIMD
    if (__builtin_cpu_supports("avx512f")) {
        dit_matmul_avx512(n, in, out, x, w, bias, y);
        return;
    }
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
        dit_matmul_avx2(n, in, out, x, w, bias, y);
        return;
    }
#endif
    dit_matmul_plain(n, in, out, x, w, bias, y);
}

/* exp(x) in float, branch-free so loops over it vectorise: x = k ln 2 + r,
 * |r| <= ln 2 / 2, exp(r) by its Taylor polynomial to degree 7 (truncation
 * below 1e-8 relative), 2^k from the exponent bits. Accurate to a few ulp
 * on [-87, 88]; clamped outside. */
static inline float
dit_expf(float x)
{
    const float shifter = 12582912.0f; /* 1.5 * 2^23: round to integer */
    float k, r, p;
    int32_t bits;
    float scale;

    /* Written as min / max with the operand order of minps / maxps, so
     * the clamp compiles to them (NaN still becomes a bound) and not to
     * branches that stop vectorisation. */
    x = x < 88.0f ? x : 88.0f;
    x = x > -87.0f ? x : -87.0f;
    k = (x * 1.44269504088896341f + shifter) - shifter;
    r = x - k * 0.693359375f;
    r = r - k * -2.12194440e-4f;
    p = 1.0f / 5040.0f;
    p = p * r + 1.0f / 720.0f;
    p = p * r + 1.0f / 120.0f;
    p = p * r + 1.0f / 24.0f;
    p = p * r + 1.0f / 6.0f;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    bits = ((int32_t)k + 127) * (1 << 23);
    memcpy(&scale, &bits, sizeof(scale));
    return p * scale;
}

/* GELU, tanh approximation: 0.5 x (1 + tanh(u)) = x / (1 + exp(-2u)),
 * u = sqrt(2 / pi) (x + 0.044715 x^3); the second form has no cancellation
 * for negative x. */
DIT_HOT static void
dit_gelu(size_t count, float *restrict x)
{
    for (size_t i = 0; i < count; i++) {
        float v = x[i];
        float u = 0.7978845608028654f * (v + 0.044715f * v * v * v);

        x[i] = v / (1.0f + dit_expf(-2.0f * u));
    }
}

static void
dit_silu(size_t count, const float *x, float *y)
{
    for (size_t i = 0; i < count; i++)
        y[i] = x[i] / (1.0f + dit_expf(-x[i]));
}

/* out = LayerNorm(x) (1 + scale) + shift over @dim values per token, for
 * @tokens tokens sharing one @shift and @scale (one row). */
DIT_HOT static void
dit_norm_modulate(int tokens, int dim, const float *restrict x,
                  const float *restrict shift, const float *restrict scale,
                  float *restrict out)
{
    for (int i = 0; i < tokens; i++) {
        const float *xi = x + (size_t)i * dim;
        float *oi = out + (size_t)i * dim;
        float mean = 0.0f, var = 0.0f, inv;

        for (int d = 0; d < dim; d++)
            mean += xi[d];
        mean /= (float)dim;
        for (int d = 0; d < dim; d++)
            var += (xi[d] - mean) * (xi[d] - mean);
        var /= (float)dim;
        inv = 1.0f / sqrtf(var + DIT_LN_EPS);
        for (int d = 0; d < dim; d++)
            oi[d] = (xi[d] - mean) * inv * (1.0f + scale[d]) + shift[d];
    }
}

/* Multi-head self-attention of one row: @qkv [T][3D] (q, k, v, heads-major
 * inside each) to @out [T][D]. K is transposed per head first, so both
 * products run as vector loops over tokens and over head dimensions
 * rather than as short dot products. */
DIT_HOT static void
dit_attention(int tokens, int dim, int heads, const float *restrict qkv,
              float *restrict out)
{
    enum { MAX_TOKENS = 256, MAX_HEAD_DIM = 256 };
    int head_dim = dim / heads;
    float scale = 1.0f / sqrtf((float)head_dim);
    int stride = 3 * dim;
    float scores[MAX_TOKENS];
    float key_t[MAX_HEAD_DIM * 64]; /* [head_dim][tokens], tokens <= 64 */

    for (int h = 0; h < heads; h++) {
        for (int j = 0; j < tokens; j++) {
            const float *k = qkv + (size_t)j * stride + dim + h * head_dim;

            for (int d = 0; d < head_dim; d++)
                key_t[d * tokens + j] = k[d];
        }
        for (int i = 0; i < tokens; i++) {
            const float *q = qkv + (size_t)i * stride + h * head_dim;
            float *o = out + (size_t)i * dim + h * head_dim;
            float largest = -INFINITY, total = 0.0f, inv;

            for (int j = 0; j < tokens; j++)
                scores[j] = 0.0f;
            for (int d = 0; d < head_dim; d++) {
                float qd = q[d] * scale;
                const float *kd = key_t + d * tokens;

                for (int j = 0; j < tokens; j++)
                    scores[j] += qd * kd[j];
            }
            for (int j = 0; j < tokens; j++)
                largest = scores[j] > largest ? scores[j] : largest;
            for (int j = 0; j < tokens; j++) {
                scores[j] = dit_expf(scores[j] - largest);
                total += scores[j];
            }
            inv = 1.0f / total;
            for (int d = 0; d < head_dim; d++)
                o[d] = 0.0f;
            for (int j = 0; j < tokens; j++) {
                const float *v =
                    qkv + (size_t)j * stride + 2 * dim + h * head_dim;
                float p = scores[j] * inv;

                for (int d = 0; d < head_dim; d++)
                    o[d] += p * v[d];
            }
        }
    }
}

/* ---- loading ------------------------------------------------------------ */

/* Read a [out][in] tensor and store it transposed, [in][out]. */
static int
read_linear(struct testbed_dit_reader *reader, const char *name, int out,
            int in, float *scratch, float *dest)
{
    uint32_t dims[2] = {(uint32_t)out, (uint32_t)in};

    if (testbed_dit_reader_tensor(reader, name, 2, dims, scratch) < 0)
        return -1;
    for (int o = 0; o < out; o++)
        for (int i = 0; i < in; i++)
            dest[(size_t)i * out + o] = scratch[(size_t)o * in + i];
    return 0;
}

static int
read_vector(struct testbed_dit_reader *reader, const char *name, int count,
            float *dest)
{
    uint32_t dims[1] = {(uint32_t)count};

    return testbed_dit_reader_tensor(reader, name, 1, dims, dest);
}

static int
read_matrix(struct testbed_dit_reader *reader, const char *name, int rows,
            int cols, float *dest)
{
    uint32_t dims[2] = {(uint32_t)rows, (uint32_t)cols};

    return testbed_dit_reader_tensor(reader, name, 2, dims, dest);
}

static int
check_hparams(struct testbed_dit_reader *reader, testbed_dit *dit,
              const uint32_t *h)
{
    for (int i = 0; i < DIT_NUM_HPARAMS - 1; i++)
        if (h[i] == 0 || h[i] > DIT_MAX_EXTENT)
            return testbed_dit_fail(reader,
                                    "hyper-parameter %d is %lu, outside 1..%d",
                                    i, (unsigned long)h[i], DIT_MAX_EXTENT);
    dit->side = (int)h[0];
    dit->channels = (int)h[1];
    dit->patch = (int)h[2];
    dit->dim = (int)h[3];
    dit->depth = (int)h[4];
    dit->heads = (int)h[5];
    dit->mlp = (int)h[6];
    dit->num_classes = (int)h[7];
    dit->freq_dim = (int)h[8];
    if (dit->side != TESTBED_DIT_SIDE || dit->channels != 1 ||
        dit->num_classes != TESTBED_DIT_NUM_CLASSES)
        return testbed_dit_fail(reader,
                                "a %dx%dx%d image model of %d classes; the "
                                "test bed needs %dx%dx1 and %d classes",
                                dit->side, dit->side, dit->channels,
                                dit->num_classes, TESTBED_DIT_SIDE,
                                TESTBED_DIT_SIDE, TESTBED_DIT_NUM_CLASSES);
    if (dit->side % dit->patch != 0 || dit->dim % dit->heads != 0 ||
        dit->freq_dim % 2 != 0 || h[9] != 0)
        return testbed_dit_fail(reader,
                                "inconsistent hyper-parameters (patch %d, dim "
                                "%d, heads %d, frequencies %d)",
                                dit->patch, dit->dim, dit->heads,
                                dit->freq_dim);
    dit->grid = dit->side / dit->patch;
    dit->tokens = dit->grid * dit->grid;
    /* The attention's stack buffers (dit_attention) bound these. */
    if (dit->tokens > 64 || dit->dim / dit->heads > 256)
        return testbed_dit_fail(reader,
                                "%d tokens and head size %d, at most 64 and "
                                "256 supported",
                                dit->tokens, dit->dim / dit->heads);
    dit->patch_dim = dit->patch * dit->patch * dit->channels;
    dit->pixels = dit->side * dit->side * dit->channels;
    dit->head_dim = dit->dim / dit->heads;
    return 0;
}

int
testbed_dit_load_memory(const void *data, size_t size, testbed_dit **out,
                        char *error, size_t error_size)
{
    struct testbed_dit_reader reader = {data, size, 0, "DiT weight file",
                                        error, error_size};
    uint32_t h[DIT_NUM_HPARAMS], num_tensors;
    testbed_dit *dit;
    size_t total, scratch_size;
    float *scratch = NULL, *next;
    int D, M, F, pd, T, classes;

    if (error && error_size)
        error[0] = '\0';
    if (!out)
        return -1;
    *out = NULL;
    if (!data)
        return testbed_dit_fail(&reader, "no data");
    if (testbed_dit_reader_open(&reader, TESTBED_DIT_MAGIC,
                                TESTBED_DIT_FORMAT_VERSION, DIT_NUM_HPARAMS,
                                h) < 0)
        return -1;
    dit = calloc(1, sizeof(*dit));
    if (!dit)
        return testbed_dit_fail(&reader, "out of memory");
    if (check_hparams(&reader, dit, h) < 0)
        goto fail;
    D = dit->dim;
    M = dit->mlp;
    F = dit->freq_dim;
    pd = dit->patch_dim;
    T = dit->tokens;
    classes = dit->num_classes + 1;
    if (testbed_dit_reader_u32(&reader, "the tensor count", &num_tensors) < 0)
        goto fail;
    if (num_tensors != 8 + 10 * (uint32_t)dit->depth + 4) {
        testbed_dit_fail(&reader, "%lu tensors, expected %lu",
                         (unsigned long)num_tensors,
                         (unsigned long)(8 + 10 * dit->depth + 4));
        goto fail;
    }
    total = (size_t)pd * D + D + (size_t)T * D + (size_t)F * D + D +
            (size_t)D * D + D + (size_t)classes * D +
            (size_t)dit->depth *
                ((size_t)D * 6 * D + 6 * D + (size_t)D * 3 * D + 3 * D +
                 (size_t)D * D + D + (size_t)D * M + M + (size_t)M * D + D) +
            (size_t)D * 2 * D + 2 * D + (size_t)D * pd + pd;
    dit->num_parameters = (long)(total - (size_t)T * D); /* pos is fixed */
    /* The largest Linear weight, read before transposing. */
    scratch_size = (size_t)D * 6 * D;
    if ((size_t)D * M > scratch_size)
        scratch_size = (size_t)D * M;
    if ((size_t)F * D > scratch_size)
        scratch_size = (size_t)F * D;
    dit->storage = malloc(total * sizeof(float));
    scratch = malloc(scratch_size * sizeof(float));
    dit->blocks = calloc((size_t)dit->depth, sizeof(*dit->blocks));
    dit->freqs = malloc((size_t)(F / 2) * sizeof(double));
    if (!dit->storage || !scratch || !dit->blocks || !dit->freqs) {
        testbed_dit_fail(&reader, "out of memory");
        goto fail;
    }
    next = dit->storage;
#define TAKE(field, count) (dit->field = next, next += (count))
    TAKE(x_embed_w, (size_t)pd * D);
    TAKE(x_embed_b, D);
    TAKE(pos, (size_t)T * D);
    TAKE(t1_w, (size_t)F * D);
    TAKE(t1_b, D);
    TAKE(t2_w, (size_t)D * D);
    TAKE(t2_b, D);
    TAKE(y_table, (size_t)classes * D);
    for (int b = 0; b < dit->depth; b++) {
        TAKE(blocks[b].ada_w, (size_t)D * 6 * D);
        TAKE(blocks[b].ada_b, 6 * D);
        TAKE(blocks[b].qkv_w, (size_t)D * 3 * D);
        TAKE(blocks[b].qkv_b, 3 * D);
        TAKE(blocks[b].proj_w, (size_t)D * D);
        TAKE(blocks[b].proj_b, D);
        TAKE(blocks[b].fc1_w, (size_t)D * M);
        TAKE(blocks[b].fc1_b, M);
        TAKE(blocks[b].fc2_w, (size_t)M * D);
        TAKE(blocks[b].fc2_b, D);
    }
    TAKE(final_ada_w, (size_t)D * 2 * D);
    TAKE(final_ada_b, 2 * D);
    TAKE(final_w, (size_t)D * pd);
    TAKE(final_b, pd);
#undef TAKE
    if (read_linear(&reader, "x_embed.weight", D, pd, scratch,
                    dit->x_embed_w) < 0 ||
        read_vector(&reader, "x_embed.bias", D, dit->x_embed_b) < 0 ||
        read_matrix(&reader, "pos_embed", T, D, dit->pos) < 0 ||
        read_linear(&reader, "t_mlp1.weight", D, F, scratch, dit->t1_w) < 0 ||
        read_vector(&reader, "t_mlp1.bias", D, dit->t1_b) < 0 ||
        read_linear(&reader, "t_mlp2.weight", D, D, scratch, dit->t2_w) < 0 ||
        read_vector(&reader, "t_mlp2.bias", D, dit->t2_b) < 0 ||
        read_matrix(&reader, "y_table", classes, D, dit->y_table) < 0)
        goto fail;
    for (int b = 0; b < dit->depth; b++) {
        struct dit_block *k = &dit->blocks[b];

        if (read_linear(&reader, "block ada.weight", 6 * D, D, scratch,
                        k->ada_w) < 0 ||
            read_vector(&reader, "block ada.bias", 6 * D, k->ada_b) < 0 ||
            read_linear(&reader, "block qkv.weight", 3 * D, D, scratch,
                        k->qkv_w) < 0 ||
            read_vector(&reader, "block qkv.bias", 3 * D, k->qkv_b) < 0 ||
            read_linear(&reader, "block proj.weight", D, D, scratch,
                        k->proj_w) < 0 ||
            read_vector(&reader, "block proj.bias", D, k->proj_b) < 0 ||
            read_linear(&reader, "block fc1.weight", M, D, scratch, k->fc1_w) <
                0 ||
            read_vector(&reader, "block fc1.bias", M, k->fc1_b) < 0 ||
            read_linear(&reader, "block fc2.weight", D, M, scratch, k->fc2_w) <
                0 ||
            read_vector(&reader, "block fc2.bias", D, k->fc2_b) < 0)
            goto fail;
    }
    if (read_linear(&reader, "final.ada.weight", 2 * D, D, scratch,
                    dit->final_ada_w) < 0 ||
        read_vector(&reader, "final.ada.bias", 2 * D, dit->final_ada_b) < 0 ||
        read_linear(&reader, "final.linear.weight", pd, D, scratch,
                    dit->final_w) < 0 ||
        read_vector(&reader, "final.linear.bias", pd, dit->final_b) < 0 ||
        testbed_dit_reader_finish(&reader) < 0)
        goto fail;
    for (size_t i = 0; i < total; i++)
        if (!isfinite(dit->storage[i])) {
            testbed_dit_fail(&reader, "a weight is not finite");
            goto fail;
        }
    for (int i = 0; i < F / 2; i++)
        dit->freqs[i] = exp(-log(10000.0) * i / (F / 2));
    free(scratch);
    *out = dit;
    return 0;
fail:
    free(scratch);
    testbed_dit_free(dit);
    return -1;
}

int
testbed_dit_load(const char *path, testbed_dit **out, char *error,
                 size_t error_size)
{
    unsigned char *data;
    size_t size;
    int status;

    if (out)
        *out = NULL;
    if (!path || !out)
        return -1;
    if (testbed_dit_read_file(path, &data, &size, error, error_size) < 0)
        return -1;
    status = testbed_dit_load_memory(data, size, out, error, error_size);
    free(data);
    return status;
}

void
testbed_dit_free(testbed_dit *dit)
{
    if (!dit)
        return;
    free(dit->storage);
    free(dit->blocks);
    free(dit->freqs);
    free(dit);
}

int testbed_dit_tokens(const testbed_dit *dit) { return dit->tokens; }
int testbed_dit_dim(const testbed_dit *dit) { return dit->dim; }
int testbed_dit_depth(const testbed_dit *dit) { return dit->depth; }
int testbed_dit_channels(const testbed_dit *dit) { return dit->channels; }
int testbed_dit_image_side(const testbed_dit *dit) { return dit->side; }
int testbed_dit_pixels(const testbed_dit *dit) { return dit->pixels; }
int testbed_dit_num_classes(const testbed_dit *dit) { return dit->num_classes; }
int testbed_dit_null_class(const testbed_dit *dit) { return dit->num_classes; }

long
testbed_dit_num_parameters(const testbed_dit *dit)
{
    return dit->num_parameters;
}

size_t
testbed_dit_row_size(const testbed_dit *dit)
{
    return (size_t)dit->tokens * (size_t)dit->dim;
}

int
testbed_dit_rows(int batch, float guidance)
{
    return guidance == 1.0f ? batch : 2 * batch;
}

/* ---- context ------------------------------------------------------------ */

int
testbed_dit_context_new(const testbed_dit *dit, int max_batch,
                        testbed_dit_context **out)
{
    testbed_dit_context *c;
    size_t R, TD, wide;

    if (!out)
        return -1;
    *out = NULL;
    if (!dit || max_batch < 1 || max_batch > (1 << 20))
        return -1;
    c = calloc(1, sizeof(*c));
    if (!c)
        return -1;
    c->dit = dit;
    c->max_rows = 2 * max_batch;
    R = (size_t)c->max_rows;
    TD = (size_t)dit->tokens * dit->dim;
    wide = (size_t)(dit->mlp > dit->dim ? dit->mlp : dit->dim);
    c->x_rows = malloc(R * dit->pixels * sizeof(float));
    c->t_rows = malloc(R * sizeof(float));
    c->class_rows = malloc(R * sizeof(int));
    c->tokens = malloc(R * TD * sizeof(float));
    c->cond = malloc(R * dit->dim * sizeof(float));
    c->silu = malloc(R * dit->dim * sizeof(float));
    c->ada = malloc(R * 6 * dit->dim * sizeof(float));
    c->patches = malloc(R * dit->tokens * dit->patch_dim * sizeof(float));
    c->freq = malloc(R * dit->freq_dim * sizeof(float));
    c->hidden = malloc(R * dit->dim * sizeof(float));
    c->normed = malloc(R * TD * sizeof(float));
    c->qkv = malloc(R * 3 * TD * sizeof(float));
    c->attn = malloc(R * TD * sizeof(float));
    c->branch = malloc(R * dit->tokens * wide * sizeof(float));
    c->v_rows = malloc(R * dit->pixels * sizeof(float));
    if (!c->x_rows || !c->t_rows || !c->class_rows || !c->tokens ||
        !c->cond || !c->silu || !c->ada || !c->patches || !c->freq ||
        !c->hidden || !c->normed || !c->qkv || !c->attn || !c->branch ||
        !c->v_rows) {
        testbed_dit_context_free(c);
        return -1;
    }
    *out = c;
    return 0;
}

void
testbed_dit_context_free(testbed_dit_context *c)
{
    if (!c)
        return;
    free(c->x_rows);
    free(c->t_rows);
    free(c->class_rows);
    free(c->tokens);
    free(c->cond);
    free(c->silu);
    free(c->ada);
    free(c->patches);
    free(c->freq);
    free(c->hidden);
    free(c->normed);
    free(c->qkv);
    free(c->attn);
    free(c->branch);
    free(c->v_rows);
    free(c);
}

/* ---- forward pieces ----------------------------------------------------- */

int
testbed_dit_embed(testbed_dit_context *c, int rows, const float *x,
                  const float *t, const int *class_ids, float *tokens,
                  float *cond)
{
    const testbed_dit *dit;
    int D, T, P, G, half;

    if (!c || rows < 1 || rows > c->max_rows || !x || !t || !class_ids ||
        !tokens || !cond)
        return -1;
    dit = c->dit;
    D = dit->dim;
    T = dit->tokens;
    P = dit->patch;
    G = dit->grid;
    half = dit->freq_dim / 2;
    for (int r = 0; r < rows; r++)
        if (class_ids[r] < 0 || class_ids[r] > dit->num_classes)
            return -1;
    /* Patchify: token (gy, gx), value (py, px, channel). */
    for (int r = 0; r < rows; r++) {
        const float *img = x + (size_t)r * dit->pixels;
        float *p = c->patches + (size_t)r * T * dit->patch_dim;

        for (int gy = 0; gy < G; gy++)
            for (int gx = 0; gx < G; gx++)
                for (int py = 0; py < P; py++)
                    for (int px = 0; px < P; px++)
                        for (int ch = 0; ch < dit->channels; ch++)
                            *p++ = img[((size_t)ch * dit->side + gy * P + py) *
                                           dit->side +
                                       gx * P + px];
    }
    dit_matmul(rows * T, dit->patch_dim, D, c->patches, dit->x_embed_w,
               dit->x_embed_b, tokens);
    for (int r = 0; r < rows; r++) {
        float *tok = tokens + (size_t)r * T * D;

        for (size_t i = 0; i < (size_t)T * D; i++)
            tok[i] += dit->pos[i];
    }
    /* The timestep's sinusoid in double: the arguments reach 1000, where
     * float rounding of t * 1000 alone would move cos by 1e-4. */
    for (int r = 0; r < rows; r++) {
        float *f = c->freq + (size_t)r * dit->freq_dim;
        double time = (double)t[r] * DIT_TIME_SCALE;

        for (int i = 0; i < half; i++) {
            f[i] = (float)cos(time * dit->freqs[i]);
            f[half + i] = (float)sin(time * dit->freqs[i]);
        }
    }
    dit_matmul(rows, dit->freq_dim, D, c->freq, dit->t1_w, dit->t1_b,
               c->hidden);
    dit_silu((size_t)rows * D, c->hidden, c->hidden);
    dit_matmul(rows, D, D, c->hidden, dit->t2_w, dit->t2_b, cond);
    for (int r = 0; r < rows; r++) {
        const float *y = dit->y_table + (size_t)class_ids[r] * D;

        for (int d = 0; d < D; d++)
            cond[(size_t)r * D + d] += y[d];
    }
    return 0;
}

/* Block @b's adaLN vectors of every row into c->ada ([R][6D]); @silu is
 * SiLU(cond). */
static void
block_ada(testbed_dit_context *c, int b, int rows, const float *silu)
{
    const testbed_dit *dit = c->dit;

    dit_matmul(rows, dit->dim, 6 * dit->dim, silu, dit->blocks[b].ada_w,
               dit->blocks[b].ada_b, c->ada);
}

/* Block 0's modulated input of every row, given c->ada of block 0. */
static void
modulated_from_ada(testbed_dit_context *c, int rows, const float *tokens,
                   float *out)
{
    const testbed_dit *dit = c->dit;
    int D = dit->dim, T = dit->tokens;

    for (int r = 0; r < rows; r++) {
        const float *a = c->ada + (size_t)r * 6 * D;

        dit_norm_modulate(T, D, tokens + (size_t)r * T * D, a, a + D,
                          out + (size_t)r * T * D);
    }
}

/* Add gate * branch to the tokens of every row, and to @residual when it
 * is not NULL: summing the residual as it is built, rather than taking
 * blocks_out - blocks_in afterwards, keeps its relative precision where
 * the blocks change the tokens little. */
static void
add_gated(const testbed_dit_context *c, int rows, int gate_offset,
          const float *branch, float *tokens, float *residual)
{
    int D = c->dit->dim, T = c->dit->tokens;

    for (int r = 0; r < rows; r++) {
        const float *gate = c->ada + (size_t)r * 6 * D + gate_offset;

        for (int i = 0; i < T; i++) {
            size_t at = ((size_t)r * T + i) * D;

            for (int d = 0; d < D; d++) {
                float delta = gate[d] * branch[at + d];

                tokens[at + d] += delta;
                if (residual)
                    residual[at + d] += delta;
            }
        }
    }
}

/* The block stack; @residual (NULL or rows * T * D) receives
 * blocks_out - blocks_in. */
static int
run_blocks(testbed_dit_context *c, int rows, float *tokens, const float *cond,
           float *modulated_out, float *residual)
{
    const testbed_dit *dit;
    int D, T, M;
    size_t n;

    if (!c || rows < 1 || rows > c->max_rows || !tokens || !cond)
        return -1;
    dit = c->dit;
    D = dit->dim;
    T = dit->tokens;
    M = dit->mlp;
    n = (size_t)rows * T;
    if (residual)
        memset(residual, 0, n * D * sizeof(float));
    dit_silu((size_t)rows * D, cond, c->silu);
    for (int b = 0; b < dit->depth; b++) {
        const struct dit_block *k = &dit->blocks[b];

        block_ada(c, b, rows, c->silu);
        modulated_from_ada(c, rows, tokens, c->normed);
        if (b == 0 && modulated_out)
            memcpy(modulated_out, c->normed, n * D * sizeof(float));
        dit_matmul((int)n, D, 3 * D, c->normed, k->qkv_w, k->qkv_b, c->qkv);
        for (int r = 0; r < rows; r++)
            dit_attention(T, D, dit->heads, c->qkv + (size_t)r * T * 3 * D,
                          c->attn + (size_t)r * T * D);
        dit_matmul((int)n, D, D, c->attn, k->proj_w, k->proj_b, c->branch);
        add_gated(c, rows, 2 * D, c->branch, tokens, residual);
        for (int r = 0; r < rows; r++) {
            const float *a = c->ada + (size_t)r * 6 * D;

            dit_norm_modulate(T, D, tokens + (size_t)r * T * D, a + 3 * D,
                              a + 4 * D, c->normed + (size_t)r * T * D);
        }
        dit_matmul((int)n, D, M, c->normed, k->fc1_w, k->fc1_b, c->branch);
        dit_gelu(n * M, c->branch);
        dit_matmul((int)n, M, D, c->branch, k->fc2_w, k->fc2_b, c->attn);
        add_gated(c, rows, 5 * D, c->attn, tokens, residual);
    }
    return 0;
}

int
testbed_dit_blocks(testbed_dit_context *c, int rows, float *tokens,
                   const float *cond, float *modulated_out)
{
    return run_blocks(c, rows, tokens, cond, modulated_out, NULL);
}

int
testbed_dit_final(testbed_dit_context *c, int rows, const float *tokens,
                  const float *cond, float *v_out)
{
    const testbed_dit *dit;
    int D, T, P, G, pd;

    if (!c || rows < 1 || rows > c->max_rows || !tokens || !cond || !v_out)
        return -1;
    dit = c->dit;
    D = dit->dim;
    T = dit->tokens;
    P = dit->patch;
    G = dit->grid;
    pd = dit->patch_dim;
    dit_silu((size_t)rows * D, cond, c->silu);
    dit_matmul(rows, D, 2 * D, c->silu, dit->final_ada_w, dit->final_ada_b,
               c->ada);
    for (int r = 0; r < rows; r++) {
        const float *a = c->ada + (size_t)r * 2 * D;

        dit_norm_modulate(T, D, tokens + (size_t)r * T * D, a, a + D,
                          c->normed + (size_t)r * T * D);
    }
    dit_matmul(rows * T, D, pd, c->normed, dit->final_w, dit->final_b,
               c->patches);
    for (int r = 0; r < rows; r++) {
        const float *p = c->patches + (size_t)r * T * pd;
        float *img = v_out + (size_t)r * dit->pixels;

        for (int gy = 0; gy < G; gy++)
            for (int gx = 0; gx < G; gx++)
                for (int py = 0; py < P; py++)
                    for (int px = 0; px < P; px++)
                        for (int ch = 0; ch < dit->channels; ch++)
                            img[((size_t)ch * dit->side + gy * P + py) *
                                    dit->side +
                                gx * P + px] = *p++;
    }
    return 0;
}

/* ---- guided calls ------------------------------------------------------- */

/* The rows of a guided call: the images with their classes, then (with
 * guidance) the same images with the null class. */
static int
prepare_rows(testbed_dit_context *c, int batch, const float *x, const float *t,
             const int *class_ids, float guidance)
{
    const testbed_dit *dit = c->dit;
    int rows = testbed_dit_rows(batch, guidance);
    size_t image_bytes = (size_t)batch * dit->pixels * sizeof(float);

    if (batch < 1 || rows > c->max_rows || !x || !t || !class_ids ||
        !isfinite(guidance))
        return -1;
    for (int b = 0; b < batch; b++)
        if (class_ids[b] < 0 || class_ids[b] > dit->num_classes)
            return -1;
    memcpy(c->x_rows, x, image_bytes);
    memcpy(c->t_rows, t, (size_t)batch * sizeof(float));
    memcpy(c->class_rows, class_ids, (size_t)batch * sizeof(int));
    if (rows > batch) {
        memcpy(c->x_rows + (size_t)batch * dit->pixels, x, image_bytes);
        memcpy(c->t_rows + batch, t, (size_t)batch * sizeof(float));
        for (int b = 0; b < batch; b++)
            c->class_rows[batch + b] = dit->num_classes;
    }
    return rows;
}

int
testbed_dit_modulated_input(testbed_dit_context *c, int batch, const float *x,
                            const float *t, const int *class_ids,
                            float guidance, float *modulated_out)
{
    int rows;

    if (!c || !modulated_out)
        return -1;
    rows = prepare_rows(c, batch, x, t, class_ids, guidance);
    if (rows < 0 || testbed_dit_embed(c, rows, c->x_rows, c->t_rows,
                                      c->class_rows, c->tokens, c->cond) < 0)
        return -1;
    dit_silu((size_t)rows * c->dit->dim, c->cond, c->silu);
    block_ada(c, 0, rows, c->silu);
    modulated_from_ada(c, rows, c->tokens, modulated_out);
    return 0;
}

int
testbed_dit_velocity(testbed_dit_context *c, int batch, const float *x,
                     const float *t, const int *class_ids, float guidance,
                     const float *cached_residual, float *residual_out,
                     float *modulated_out, float *v_out)
{
    const testbed_dit *dit;
    size_t size, pixels;
    int rows;

    if (!c || !v_out)
        return -1;
    dit = c->dit;
    rows = prepare_rows(c, batch, x, t, class_ids, guidance);
    if (rows < 0 || testbed_dit_embed(c, rows, c->x_rows, c->t_rows,
                                      c->class_rows, c->tokens, c->cond) < 0)
        return -1;
    size = (size_t)rows * testbed_dit_row_size(dit);
    if (cached_residual) {
        if (modulated_out) {
            dit_silu((size_t)rows * dit->dim, c->cond, c->silu);
            block_ada(c, 0, rows, c->silu);
            modulated_from_ada(c, rows, c->tokens, modulated_out);
        }
        for (size_t i = 0; i < size; i++)
            c->tokens[i] += cached_residual[i];
    } else {
        run_blocks(c, rows, c->tokens, c->cond, modulated_out, residual_out);
    }
    testbed_dit_final(c, rows, c->tokens, c->cond, c->v_rows);
    pixels = (size_t)batch * dit->pixels;
    if (rows == batch) {
        memcpy(v_out, c->v_rows, pixels * sizeof(float));
    } else {
        const float *cond_v = c->v_rows, *null_v = c->v_rows + pixels;

        for (size_t i = 0; i < pixels; i++)
            v_out[i] = null_v[i] + guidance * (cond_v[i] - null_v[i]);
    }
    return 0;
}
