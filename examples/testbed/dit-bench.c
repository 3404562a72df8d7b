/* SPDX-License-Identifier: MIT */
/* Time the C DiT's guided call: lemica-dit-bench WEIGHTS BATCH GUIDANCE
 * CALLS prints the best and the median seconds per call over CALLS calls
 * (after one warm-up), one "key value" per line, for dit-bench.py, which
 * compares them with torch in the same run; then the same for a call that
 * reuses a cached block residual (embedding and final layer only). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "dit.h"

static double
now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int
compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

int
main(int argc, char **argv)
{
    char error[256];
    testbed_dit *dit = NULL;
    testbed_dit_context *context = NULL;
    int batch, calls, rows;
    float guidance, *x, *t, *v, *residual;
    int *classes;
    double *seconds;
    unsigned long long state = 12345;

    if (argc != 5) {
        fprintf(stderr, "usage: %s WEIGHTS BATCH GUIDANCE CALLS\n", argv[0]);
        return 2;
    }
    batch = atoi(argv[2]);
    guidance = (float)atof(argv[3]);
    calls = atoi(argv[4]);
    if (batch < 1 || calls < 1) {
        fprintf(stderr, "%s: bad batch or call count\n", argv[0]);
        return 2;
    }
    if (testbed_dit_load(argv[1], &dit, error, sizeof(error)) < 0) {
        fprintf(stderr, "%s\n", error);
        return 1;
    }
    rows = testbed_dit_rows(batch, guidance);
    x = malloc((size_t)batch * TESTBED_DIT_PIXELS * sizeof(float));
    v = malloc((size_t)batch * TESTBED_DIT_PIXELS * sizeof(float));
    t = malloc((size_t)batch * sizeof(float));
    classes = malloc((size_t)batch * sizeof(int));
    seconds = malloc((size_t)calls * sizeof(double));
    residual = malloc((size_t)2 * batch * testbed_dit_row_size(dit) *
                      sizeof(float));
    if (!x || !v || !t || !classes || !seconds || !residual ||
        testbed_dit_context_new(dit, batch, &context) < 0) {
        fprintf(stderr, "%s: out of memory\n", argv[0]);
        return 1;
    }
    for (int i = 0; i < batch * TESTBED_DIT_PIXELS; i++) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        x[i] = (float)((double)(state >> 40) / (double)(1ULL << 24)) * 2.0f -
               1.0f;
    }
    for (int b = 0; b < batch; b++) {
        t[b] = 0.5f;
        classes[b] = b % 10;
    }
    testbed_dit_velocity(context, batch, x, t, classes, guidance, NULL,
                         residual, NULL, v);
    for (int c = 0; c < calls; c++) {
        double start = now();

        testbed_dit_velocity(context, batch, x, t, classes, guidance, NULL,
                             NULL, NULL, v);
        seconds[c] = now() - start;
    }
    qsort(seconds, (size_t)calls, sizeof(double), compare_doubles);
    printf("rows %d\nbest %.9f\nmedian %.9f\ncheck %.6f\n", rows, seconds[0],
           seconds[calls / 2], (double)v[0]);
    for (int c = 0; c < calls; c++) {
        double start = now();

        testbed_dit_velocity(context, batch, x, t, classes, guidance, residual,
                             NULL, NULL, v);
        seconds[c] = now() - start;
    }
    qsort(seconds, (size_t)calls, sizeof(double), compare_doubles);
    printf("reuse_best %.9f\nreuse_median %.9f\n", seconds[0],
           seconds[calls / 2]);
    testbed_dit_context_free(context);
    testbed_dit_free(dit);
    free(x);
    free(v);
    free(t);
    free(classes);
    free(seconds);
    free(residual);
    return 0;
}
