/* SPDX-License-Identifier: MIT */
/*
 * The metric kernels against a plain reference: every metric and dtype,
 * lengths around the vector and block sizes, unaligned buffers, both the
 * vectorized and the portable path; the half-float conversions on all
 * 65,536 bit patterns against a reference built with ldexp from the
 * fields; and every refused input.
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metric-int.h"
#include "test-common.h"

/* binary16 from its fields, by arithmetic rather than bit surgery. */
static double
reference_f16(uint16_t bits, int *finite)
{
    int sign = bits >> 15, exponent = (bits >> 10) & 0x1f,
        mantissa = bits & 0x3ff;
    double magnitude;

    *finite = exponent != 0x1f;
    if (exponent == 0x1f)
        magnitude = mantissa ? (double)NAN : (double)INFINITY;
    else if (exponent == 0)
        magnitude = ldexp((double)mantissa, -24);
    else
        magnitude = ldexp((double)(1024 + mantissa), exponent - 25);
    return sign ? -magnitude : magnitude;
}

static double
reference_bf16(uint16_t bits, int *finite)
{
    int sign = bits >> 15, exponent = (bits >> 7) & 0xff,
        mantissa = bits & 0x7f;
    double magnitude;

    *finite = exponent != 0xff;
    if (exponent == 0xff)
        magnitude = mantissa ? (double)NAN : (double)INFINITY;
    else if (exponent == 0)
        magnitude = ldexp((double)mantissa, -133);
    else
        magnitude = ldexp((double)(128 + mantissa), exponent - 134);
    return sign ? -magnitude : magnitude;
}

static double
reference_element(lemica_dtype dtype, const unsigned char *data, size_t index)
{
    int finite;

    switch (dtype) {
    case LEMICA_DTYPE_F32: {
        float value;
        memcpy(&value, data + 4 * index, 4);
        return (double)value;
    }
    case LEMICA_DTYPE_F64: {
        double value;
        memcpy(&value, data + 8 * index, 8);
        return value;
    }
    case LEMICA_DTYPE_F16: {
        uint16_t bits;
        memcpy(&bits, data + 2 * index, 2);
        return reference_f16(bits, &finite);
    }
    default: {
        uint16_t bits;
        memcpy(&bits, data + 2 * index, 2);
        return reference_bf16(bits, &finite);
    }
    }
}

/* The metric element by element, in sequence, with Neumaier's compensated
 * sum: accurate to a few ulps whatever the platform's long double is (so
 * it also holds under valgrind, which computes long double in double). */
static double
reference_metric(lemica_metric metric, lemica_dtype dtype,
                 const unsigned char *a, const unsigned char *b, size_t count)
{
    double sum = 0.0, sum_c = 0.0, ref = 0.0, ref_c = 0.0;

    for (size_t i = 0; i < count; i++) {
        double x = reference_element(dtype, a, i);
        double y = reference_element(dtype, b, i);
        double term =
            metric == LEMICA_METRIC_MSE ? (x - y) * (x - y) : fabs(x - y);
        double t = sum + term;

        sum_c += fabs(sum) >= fabs(term) ? (sum - t) + term : (term - t) + sum;
        sum = t;
        t = ref + fabs(y);
        ref_c +=
            fabs(ref) >= fabs(y) ? (ref - t) + fabs(y) : (fabs(y) - t) + ref;
        ref = t;
    }
    sum += sum_c;
    ref += ref_c;
    return metric == LEMICA_METRIC_RELATIVE_L1 ? sum / ref
                                               : sum / (double)count;
}

static const char *const dtype_names[] = {"f32", "f64", "f16", "bf16"};

/* Every kernel level; the library falls back to the best one the CPU has,
 * so on a machine without AVX-512 or AVX2 some levels repeat others. */
static const enum lemica_kernels kernel_levels[] = {
    LEMICA_KERNELS_AUTO, LEMICA_KERNELS_AVX2, LEMICA_KERNELS_PORTABLE};
#define NUM_KERNEL_LEVELS 3

/* A random finite element of @dtype near @center, with a spread of
 * magnitudes, written at @data[index]. */
static void
store_random(lemica_dtype dtype, unsigned char *data, size_t index,
             uint64_t *rng, double center)
{
    double value = center + (test_rng_unit(rng) - 0.5) * 4.0 *
                                ldexp(1.0, (int)(test_rng_next(rng) % 8) - 4);

    switch (dtype) {
    case LEMICA_DTYPE_F32: {
        float f = (float)value;
        memcpy(data + 4 * index, &f, 4);
        break;
    }
    case LEMICA_DTYPE_F64:
        memcpy(data + 8 * index, &value, 8);
        break;
    case LEMICA_DTYPE_F16:
    case LEMICA_DTYPE_BF16: {
        /* Random bit patterns: every exponent, subnormals included. */
        uint16_t bits;
        int finite;

        do {
            bits = (uint16_t)test_rng_next(rng);
            if (dtype == LEMICA_DTYPE_F16)
                reference_f16(bits, &finite);
            else
                reference_bf16(bits, &finite);
        } while (!finite);
        memcpy(data + 2 * index, &bits, 2);
        break;
    }
    }
}

static void
check_close(double got, double want, double tolerance, const char *what)
{
    double scale = fabs(want) > DBL_MIN ? fabs(want) : DBL_MIN;

    ck_assert_msg(fabs(got - want) <= tolerance * scale,
                  "%s: got %.17g, want %.17g (relative error %.3g)", what, got,
                  want, fabs(got - want) / scale);
}

START_TEST(test_metric_against_reference)
{
    static const size_t lengths[] = {
        1,  2,  3,  7,   8,    15,   16,   17,   31,   32,    33,
        63, 64, 65, 100, 4095, 4096, 4097, 8191, 8193, 12345, 40000};
    uint64_t rng = 42;
    size_t max_length = 40000;
    /* +16 bytes so the buffers can start at an odd address. */
    unsigned char *a = malloc(max_length * 8 + 16);
    unsigned char *b = malloc(max_length * 8 + 16);

    ck_assert(a && b);
    for (int level = 0; level < NUM_KERNEL_LEVELS; level++) {
        lemica_metric_set_kernels(kernel_levels[level]);
        for (int dtype = 0; dtype < 4; dtype++) {
            /* Say which paths ran, so a log shows what this machine
             * covered. */
            fprintf(stderr, "metric: %s kernel: %s\n", dtype_names[dtype],
                    lemica_metric_kernel_name((lemica_dtype)dtype));
            for (size_t l = 0; l < sizeof(lengths) / sizeof(lengths[0]); l++) {
                size_t count = lengths[l];
                size_t offset = l % 3 == 0 ? 1 : l % 3 == 1 ? 0 : 3;
                unsigned char *pa = a + offset, *pb = b + 2 * offset;

                for (size_t i = 0; i < count; i++) {
                    store_random((lemica_dtype)dtype, pa, i, &rng, 0.0);
                    store_random((lemica_dtype)dtype, pb, i, &rng, 0.25);
                }
                for (int metric = 0; metric < 3; metric++) {
                    double got = -1.0;
                    double want =
                        reference_metric((lemica_metric)metric,
                                         (lemica_dtype)dtype, pa, pb, count);
                    char what[96];

                    snprintf(what, sizeof(what), "metric %d %s count %zu %s",
                             metric, dtype_names[dtype], count,
                             lemica_metric_kernel_name((lemica_dtype)dtype));
                    ck_assert_ok(lemica_metric_compute(
                        (lemica_metric)metric, pa, pb, count,
                        (lemica_dtype)dtype, &got));
                    check_close(got, want, 1e-13, what);
                }
            }
        }
    }
    lemica_metric_set_kernels(LEMICA_KERNELS_AUTO);
    free(a);
    free(b);
}
END_TEST

START_TEST(test_metric_exact_small_cases)
{
    float a[3] = {1.0f, -2.0f, 0.5f}, b[3] = {0.0f, 1.0f, 0.5f};
    double value = 0.0;

    ck_assert_ok(lemica_metric_compute(LEMICA_METRIC_L1, a, b, 3,
                                       LEMICA_DTYPE_F32, &value));
    ck_assert(value == 4.0 / 3.0);
    ck_assert_ok(lemica_metric_compute(LEMICA_METRIC_MSE, a, b, 3,
                                       LEMICA_DTYPE_F32, &value));
    ck_assert(value == 10.0 / 3.0);
    ck_assert_ok(lemica_metric_compute(LEMICA_METRIC_RELATIVE_L1, a, b, 3,
                                       LEMICA_DTYPE_F32, &value));
    ck_assert(value == 4.0 / 1.5);
    /* Identical buffers: exactly 0. */
    ck_assert_ok(lemica_metric_compute(LEMICA_METRIC_L1, a, a, 3,
                                       LEMICA_DTYPE_F32, &value));
    ck_assert(value == 0.0 && !signbit(value));
}
END_TEST

/* Every binary16 / bfloat16 pattern: the scalar conversion bit for bit,
 * and the conversion inside every kernel through the L1 of 32 copies (one
 * full AVX-512 step) against zeros, which is exactly |value|. */
static void
check_all_half_patterns(lemica_dtype dtype)
{
    uint16_t zeros[32] = {0}, copies[32];

    for (uint32_t bits = 0; bits < 65536; bits++) {
        int finite;
        double want = dtype == LEMICA_DTYPE_F16
                          ? reference_f16((uint16_t)bits, &finite)
                          : reference_bf16((uint16_t)bits, &finite);
        double got = dtype == LEMICA_DTYPE_F16
                         ? (double)lemica_f16_to_float((uint16_t)bits)
                         : (double)lemica_bf16_to_float((uint16_t)bits);

        if (isnan(want))
            ck_assert_msg(isnan(got), "pattern 0x%04x", bits);
        else
            ck_assert_msg(got == want && !signbit(got) == !signbit(want),
                          "pattern 0x%04x: got %a, want %a", bits, got, want);

        for (int i = 0; i < 32; i++)
            copies[i] = (uint16_t)bits;
        for (int kernels = 0; kernels < NUM_KERNEL_LEVELS; kernels++) {
            double value = -1.0;
            lemica_status status;

            lemica_metric_set_kernels(kernel_levels[kernels]);
            status = lemica_metric_compute(LEMICA_METRIC_L1, copies, zeros, 32,
                                           dtype, &value);
            if (finite) {
                ck_assert_msg(status == LEMICA_OK && value == fabs(want),
                              "pattern 0x%04x via kernels %d: %s, %a", bits,
                              kernels, lemica_status_name(status), value);
            } else {
                ck_assert_msg(
                    status == LEMICA_ERR_INVALID_VALUE && value == -1.0,
                    "pattern 0x%04x via kernels %d accepted", bits, kernels);
            }
        }
    }
    lemica_metric_set_kernels(LEMICA_KERNELS_AUTO);
}

START_TEST(test_metric_f16_all_patterns)
{
    check_all_half_patterns(LEMICA_DTYPE_F16);
    /* A few well-known values, in case the reference is wrong too. */
    ck_assert(lemica_f16_to_float(0x3c00) == 1.0f);
    ck_assert(lemica_f16_to_float(0xc000) == -2.0f);
    ck_assert(lemica_f16_to_float(0x7bff) == 65504.0f);
    ck_assert(lemica_f16_to_float(0x0001) == 0x1.0p-24f);
    ck_assert(lemica_f16_to_float(0x03ff) == 0x1.ff8p-15f);
    ck_assert(lemica_f16_to_float(0x0400) == 0x1.0p-14f);
    ck_assert(isinf(lemica_f16_to_float(0xfc00)) &&
              signbit(lemica_f16_to_float(0xfc00)));
}
END_TEST

START_TEST(test_metric_bf16_all_patterns)
{
    check_all_half_patterns(LEMICA_DTYPE_BF16);
    ck_assert(lemica_bf16_to_float(0x3f80) == 1.0f);
    ck_assert(lemica_bf16_to_float(0x0001) == 0x1.0p-133f);
    ck_assert(lemica_bf16_to_float(0x7f7f) == 0x1.fep127f);
}
END_TEST

/* Every refused input: the status, a message, and *out untouched. */
START_TEST(test_metric_bad_inputs)
{
    float a[40], b[40];
    double out = 42.0;

    for (int i = 0; i < 40; i++) {
        a[i] = (float)i;
        b[i] = (float)(i + 1);
    }
    ck_assert_status(lemica_metric_compute(LEMICA_METRIC_L1, NULL, b, 4,
                                           LEMICA_DTYPE_F32, &out),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_metric_compute(LEMICA_METRIC_L1, a, NULL, 4,
                                           LEMICA_DTYPE_F32, &out),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_metric_compute(LEMICA_METRIC_L1, a, b, 4,
                                           LEMICA_DTYPE_F32, NULL),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_metric_compute(LEMICA_METRIC_L1, a, b, 0,
                                           LEMICA_DTYPE_F32, &out),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(
        lemica_metric_compute(LEMICA_METRIC_L1, a, b, 4, (lemica_dtype)4, &out),
        LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_metric_compute(LEMICA_METRIC_L1, a, b, 4,
                                           (lemica_dtype)-1, &out),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_metric_compute((lemica_metric)3, a, b, 4,
                                           LEMICA_DTYPE_F32, &out),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_metric_compute((lemica_metric)-1, a, b, 4,
                                           LEMICA_DTYPE_F32, &out),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_metric_compute(LEMICA_METRIC_L1, a, b, SIZE_MAX / 2,
                                           LEMICA_DTYPE_F64, &out),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert(out == 42.0);

    /* A NaN or infinity anywhere, in either buffer, on both paths, for
     * every metric. */
    for (int kernels = 0; kernels < NUM_KERNEL_LEVELS; kernels++) {
        lemica_metric_set_kernels(kernel_levels[kernels]);
        for (int position = 0; position < 40; position += 13) {
            for (int which = 0; which < 2; which++) {
                float *buffer = which ? b : a;
                float saved = buffer[position];
                float bad[2] = {NAN, -INFINITY};

                for (int k = 0; k < 2; k++) {
                    buffer[position] = bad[k];
                    for (int metric = 0; metric < 3; metric++)
                        ck_assert_status(
                            lemica_metric_compute((lemica_metric)metric, a, b,
                                                  40, LEMICA_DTYPE_F32, &out),
                            LEMICA_ERR_INVALID_VALUE);
                    ck_assert(strstr(lemica_last_error_message(), "element") !=
                              NULL);
                }
                buffer[position] = saved;
            }
        }
    }
    lemica_metric_set_kernels(LEMICA_KERNELS_AUTO);
    ck_assert(out == 42.0);

    /* Relative L1 of an all-zero reference is undefined. */
    {
        float zeros[20] = {0};
        ck_assert_status(lemica_metric_compute(LEMICA_METRIC_RELATIVE_L1, a,
                                               zeros, 20, LEMICA_DTYPE_F32,
                                               &out),
                         LEMICA_ERR_INVALID_VALUE);
        /* -0.0 is zero too. */
        for (int i = 0; i < 20; i++)
            zeros[i] = -0.0f;
        ck_assert_status(lemica_metric_compute(LEMICA_METRIC_RELATIVE_L1, a,
                                               zeros, 20, LEMICA_DTYPE_F32,
                                               &out),
                         LEMICA_ERR_INVALID_VALUE);
    }
    /* Finite f64 elements whose difference overflows. */
    {
        double big_a[20], big_b[20];
        for (int i = 0; i < 20; i++) {
            big_a[i] = 1e308;
            big_b[i] = -1e308;
        }
        ck_assert_status(lemica_metric_compute(LEMICA_METRIC_L1, big_a, big_b,
                                               20, LEMICA_DTYPE_F64, &out),
                         LEMICA_ERR_INVALID_VALUE);
        ck_assert(strstr(lemica_last_error_message(), "overflow") != NULL);
        for (int i = 0; i < 20; i++)
            big_a[i] = 1e200;
        for (int i = 0; i < 20; i++)
            big_b[i] = 0.0;
        ck_assert_status(lemica_metric_compute(LEMICA_METRIC_MSE, big_a, big_b,
                                               20, LEMICA_DTYPE_F64, &out),
                         LEMICA_ERR_INVALID_VALUE);
    }
    ck_assert(out == 42.0);
}
END_TEST

/* A NaN or infinity at any position, in either buffer, is found by every
 * kernel for every dtype: in the vector body, between blocks and in the
 * tail. */
START_TEST(test_metric_bad_elements_every_dtype)
{
    enum { COUNT = 4096 + 70 };
    static const size_t positions[] = {0,    13,   31,   32,       63,
                                       4095, 4096, 4100, COUNT - 1};
    static unsigned char a[COUNT * 8], b[COUNT * 8];
    uint64_t rng = 3;

    for (int dtype = 0; dtype < 4; dtype++) {
        size_t size = dtype == 0 ? 4 : dtype == 1 ? 8 : 2;

        for (size_t i = 0; i < COUNT; i++) {
            store_random((lemica_dtype)dtype, a, i, &rng, 0.0);
            store_random((lemica_dtype)dtype, b, i, &rng, 0.5);
        }
        for (size_t p = 0; p < sizeof(positions) / sizeof(positions[0]); p++)
            for (int which = 0; which < 2; which++)
                for (int kind = 0; kind < 2; kind++) {
                    unsigned char *buffer = which ? b : a;
                    unsigned char saved[8], bad[8];
                    float f = kind ? INFINITY : NAN;
                    double d = kind ? -(double)INFINITY : (double)NAN;
                    uint16_t h = dtype == LEMICA_DTYPE_F16
                                     ? (uint16_t)(kind ? 0xfc00 : 0x7e01)
                                     : (uint16_t)(kind ? 0x7f80 : 0xffc1);

                    memcpy(bad,
                           dtype == 0   ? (void *)&f
                           : dtype == 1 ? (void *)&d
                                        : (void *)&h,
                           size);
                    memcpy(saved, buffer + positions[p] * size, size);
                    memcpy(buffer + positions[p] * size, bad, size);
                    for (int level = 0; level < NUM_KERNEL_LEVELS; level++) {
                        lemica_metric_set_kernels(kernel_levels[level]);
                        for (int metric = 0; metric < 3; metric++) {
                            double out = 42.0;
                            lemica_status status = lemica_metric_compute(
                                (lemica_metric)metric, a, b, COUNT,
                                (lemica_dtype)dtype, &out);

                            ck_assert_msg(
                                status == LEMICA_ERR_INVALID_VALUE &&
                                    out == 42.0,
                                "%s %s at %zu of %s missed by %s",
                                dtype_names[dtype], kind ? "inf" : "NaN",
                                positions[p], which ? "b" : "a",
                                lemica_metric_kernel_name((lemica_dtype)dtype));
                        }
                    }
                    memcpy(buffer + positions[p] * size, saved, size);
                }
    }
    lemica_metric_set_kernels(LEMICA_KERNELS_AUTO);
}
END_TEST

/* The largest f32 and f16 values do not overflow: differences are formed
 * in double. */
START_TEST(test_metric_extremes)
{
    float a[17], b[17];
    uint16_t h[17], g[17];
    double out;

    for (int i = 0; i < 17; i++) {
        a[i] = FLT_MAX;
        b[i] = -FLT_MAX;
        h[i] = 0x7bff; /* 65504 */
        g[i] = 0xfbff; /* -65504 */
    }
    ck_assert_ok(lemica_metric_compute(LEMICA_METRIC_L1, a, b, 17,
                                       LEMICA_DTYPE_F32, &out));
    ck_assert(out == 2.0 * (double)FLT_MAX);
    ck_assert_ok(lemica_metric_compute(LEMICA_METRIC_MSE, a, b, 17,
                                       LEMICA_DTYPE_F32, &out));
    ck_assert(out == 4.0 * (double)FLT_MAX * (double)FLT_MAX);
    ck_assert_ok(lemica_metric_compute(LEMICA_METRIC_MSE, h, g, 17,
                                       LEMICA_DTYPE_F16, &out));
    ck_assert(out == 131008.0 * 131008.0);
}
END_TEST

TEST_SUITE(metric)
{
    add_test(suite, test_metric_against_reference);
    add_test(suite, test_metric_exact_small_cases);
    add_test(suite, test_metric_f16_all_patterns);
    add_test(suite, test_metric_bf16_all_patterns);
    add_test(suite, test_metric_bad_inputs);
    add_test(suite, test_metric_bad_elements_every_dtype);
    add_test(suite, test_metric_extremes);
}
