/* SPDX-License-Identifier: MIT */
/*
 * Metric kernel speed and accuracy, measured in this run:
 * - speed: the L1 metric over two 256 MiB f32 buffers, in GB/s of input
 *   (both buffers' bytes), against a plain vectorized read loop over the
 *   same two buffers, the machine's streaming read ceiling; the ratio is
 *   the figure to watch (goal >= 0.8). The other dtypes and metrics and
 *   the portable path are reported beside it.
 * - accuracy: the three metrics over 10^8 f32 elements against a
 *   long-double sequential reference (goal: within 1e-10 relative; the
 *   benchmark fails otherwise), with a plain double loop for comparison.
 * Each speed figure is the median of several repetitions, alternating
 * kernel and ceiling so that both see the same machine state.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench-common.h"
#include "lemica/lemica.h"
#include "metric-int.h"
#include "test-rng.h"

#define SPEED_BYTES ((size_t)256 << 20)
#define ACCURACY_COUNT ((size_t)100000000)
#define REPEATS 9

/* The inputs: the same on every run. */
static uint64_t rng_state = 12345;

/* The read ceiling: every byte of both buffers loaded once and folded into
 * a few registers by XOR, the cheapest operation, so that only the memory
 * system limits it. */
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
__attribute__((target("avx2"))) static uint64_t
read_loop_avx2(const unsigned char *a, const unsigned char *b, size_t bytes)
{
    __m256i x0 = _mm256_setzero_si256(), x1 = x0, x2 = x0, x3 = x0;
    uint64_t lanes[4];

    for (size_t i = 0; i + 64 <= bytes; i += 64) {
        x0 = _mm256_xor_si256(
            x0, _mm256_loadu_si256((const __m256i *)(const void *)(a + i)));
        x1 = _mm256_xor_si256(
            x1,
            _mm256_loadu_si256((const __m256i *)(const void *)(a + i + 32)));
        x2 = _mm256_xor_si256(
            x2, _mm256_loadu_si256((const __m256i *)(const void *)(b + i)));
        x3 = _mm256_xor_si256(
            x3,
            _mm256_loadu_si256((const __m256i *)(const void *)(b + i + 32)));
    }
    x0 = _mm256_xor_si256(_mm256_xor_si256(x0, x1), _mm256_xor_si256(x2, x3));
    _mm256_storeu_si256((__m256i *)(void *)lanes, x0);
    return lanes[0] ^ lanes[1] ^ lanes[2] ^ lanes[3];
}
#endif

static uint64_t
read_loop(const unsigned char *a, const unsigned char *b, size_t bytes)
{
    uint64_t x[4] = {0, 0, 0, 0};

#if defined(__x86_64__) && defined(__GNUC__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2"))
        return read_loop_avx2(a, b, bytes);
#endif
    for (size_t i = 0; i + 16 <= bytes; i += 16) {
        uint64_t w[4];
        memcpy(&w[0], a + i, 8);
        memcpy(&w[1], a + i + 8, 8);
        memcpy(&w[2], b + i, 8);
        memcpy(&w[3], b + i + 8, 8);
        for (int k = 0; k < 4; k++)
            x[k] ^= w[k];
    }
    return x[0] ^ x[1] ^ x[2] ^ x[3];
}

static volatile uint64_t sink;

/* Median seconds of the read ceiling and of one metric, alternating. */
static void
time_pair(lemica_metric metric, lemica_dtype dtype, const void *a,
          const void *b, size_t count, double *ceiling, double *kernel)
{
    double ceiling_times[REPEATS], kernel_times[REPEATS];
    size_t bytes = count * lemica_dtype_size(dtype);
    double value;

    bench_check(lemica_metric_compute(metric, a, b, count, dtype, &value),
                "warm-up");
    sink ^= read_loop(a, b, bytes);
    for (int r = 0; r < REPEATS; r++) {
        double start = bench_now_seconds();
        sink ^= read_loop(a, b, bytes);
        ceiling_times[r] = bench_now_seconds() - start;
        start = bench_now_seconds();
        bench_check(lemica_metric_compute(metric, a, b, count, dtype, &value),
                    "metric");
        kernel_times[r] = bench_now_seconds() - start;
    }
    *ceiling = bench_median(ceiling_times, REPEATS);
    *kernel = bench_median(kernel_times, REPEATS);
}

static void
bench_speed(unsigned char *a, unsigned char *b)
{
    static const char *const dtype_names[] = {"f32", "f64", "f16", "bf16"};
    static const char *const metric_names[] = {"L1", "MSE", "relative L1"};
    double gb = 2.0 * (double)SPEED_BYTES / 1e9;
    double ceiling, kernel;
    float *fa = (float *)(void *)a, *fb = (float *)(void *)b;
    size_t floats = SPEED_BYTES / sizeof(float);

    for (size_t i = 0; i < floats; i++) {
        fa[i] = (float)(test_rng_next(&rng_state) >> 40) * 0x1.0p-24f;
        fb[i] = (float)(test_rng_next(&rng_state) >> 40) * 0x1.0p-24f;
    }
    time_pair(LEMICA_METRIC_L1, LEMICA_DTYPE_F32, a, b, floats, &ceiling,
              &kernel);
    printf("f32 L1, 2 x 256 MiB, %s kernel: %.1f GB/s; read ceiling "
           "%.1f GB/s; ratio %.2f (goal >= 0.80)\n",
           lemica_metric_kernel_name(LEMICA_DTYPE_F32), gb / kernel,
           gb / ceiling, ceiling / kernel);

    /* The other metrics and dtypes over the same bytes (the f16 and bf16
     * buffers hold the bits of the floats: finite values). */
    for (int metric = 1; metric < 3; metric++) {
        time_pair((lemica_metric)metric, LEMICA_DTYPE_F32, a, b, floats,
                  &ceiling, &kernel);
        printf("f32 %-11s: %.1f GB/s, ratio %.2f\n", metric_names[metric],
               gb / kernel, ceiling / kernel);
    }
    for (int dtype = 1; dtype < 4; dtype++) {
        size_t count = SPEED_BYTES / lemica_dtype_size((lemica_dtype)dtype);

        if (dtype == LEMICA_DTYPE_F16) {
            /* Random floats' halves can be NaN patterns as f16: clear the
             * top exponent bit of every half. */
            uint16_t *ha = (uint16_t *)(void *)a, *hb = (uint16_t *)(void *)b;
            for (size_t i = 0; i < count; i++) {
                ha[i] &= 0xbfff;
                hb[i] &= 0xbfff;
            }
        }
        time_pair(LEMICA_METRIC_L1, (lemica_dtype)dtype, a, b, count, &ceiling,
                  &kernel);
        printf("%-4s L1, %-8s kernel: %.1f GB/s, ratio %.2f "
               "(%.2f G element pairs/s)\n",
               dtype_names[dtype],
               lemica_metric_kernel_name((lemica_dtype)dtype), gb / kernel,
               ceiling / kernel, (double)count / kernel / 1e9);
    }
    /* The same bytes through the lower kernel levels. */
    for (int level = LEMICA_KERNELS_AVX2; level >= LEMICA_KERNELS_PORTABLE;
         level--) {
        lemica_metric_set_kernels((enum lemica_kernels)level);
        for (int dtype = 3; dtype >= 2; dtype--) {
            time_pair(LEMICA_METRIC_L1, (lemica_dtype)dtype, a, b,
                      SPEED_BYTES / 2, &ceiling, &kernel);
            printf("%-4s L1, %-8s kernel: %.1f GB/s, ratio %.2f\n",
                   dtype_names[dtype],
                   lemica_metric_kernel_name((lemica_dtype)dtype), gb / kernel,
                   ceiling / kernel);
        }
    }
    for (size_t i = 0; i < floats; i++) {
        fa[i] = (float)(test_rng_next(&rng_state) >> 40) * 0x1.0p-24f;
        fb[i] = (float)(test_rng_next(&rng_state) >> 40) * 0x1.0p-24f;
    }
    time_pair(LEMICA_METRIC_L1, LEMICA_DTYPE_F32, a, b, floats, &ceiling,
              &kernel);
    printf("f32  L1, %-8s kernel: %.1f GB/s, ratio %.2f\n",
           lemica_metric_kernel_name(LEMICA_DTYPE_F32), gb / kernel,
           ceiling / kernel);
    lemica_metric_set_kernels(LEMICA_KERNELS_AUTO);
}

static int
bench_accuracy(float *a, float *b)
{
    static const char *const metric_names[] = {"L1", "MSE", "relative L1"};
    int failed = 0;

    /* Magnitudes over 2^-20 .. 2^20, so that small terms would be lost by
     * a careless sum. */
    for (size_t i = 0; i < ACCURACY_COUNT; i++) {
        int scale = (int)(test_rng_next(&rng_state) % 41) - 20;
        a[i] = ldexpf((float)(test_rng_next(&rng_state) >> 40) * 0x1.0p-24f,
                      scale);
        b[i] = ldexpf((float)(test_rng_next(&rng_state) >> 40) * 0x1.0p-24f,
                      scale);
    }
    for (int metric = 0; metric < 3; metric++) {
        long double sum = 0.0L, ref = 0.0L;
        double plain = 0.0, plain_ref = 0.0, got, want, naive;

        for (size_t i = 0; i < ACCURACY_COUNT; i++) {
            long double d = (long double)a[i] - (long double)b[i];
            double dd = (double)a[i] - (double)b[i];

            sum += metric == 1 ? d * d : fabsl(d);
            ref += fabsl((long double)b[i]);
            plain += metric == 1 ? dd * dd : fabs(dd);
            plain_ref += fabs((double)b[i]);
        }
        want = metric == 2 ? (double)(sum / ref)
                           : (double)(sum / (long double)ACCURACY_COUNT);
        naive =
            metric == 2 ? plain / plain_ref : plain / (double)ACCURACY_COUNT;
        bench_check(lemica_metric_compute((lemica_metric)metric, a, b,
                                          ACCURACY_COUNT, LEMICA_DTYPE_F32,
                                          &got),
                    "accuracy");
        printf("accuracy, 1e8 f32, %-11s: relative error %.2e (goal <= 1e-10); "
               "plain double loop %.2e\n",
               metric_names[metric], fabs(got - want) / want,
               fabs(naive - want) / want);
        if (!(fabs(got - want) <= 1e-10 * want))
            failed = 1;
    }
    return failed;
}

int
main(void)
{
    size_t bytes = ACCURACY_COUNT * sizeof(float);
    unsigned char *a = malloc(bytes), *b = malloc(bytes);
    int failed;

    if (!a || !b) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    printf("libLeMiCa %s metric benchmark\n", lemica_version_string());
    bench_speed(a, b);
    failed = bench_accuracy((float *)(void *)a, (float *)(void *)b);
    free(a);
    free(b);
    return failed;
}
