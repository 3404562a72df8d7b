/* SPDX-License-Identifier: MIT */
/* Shared by the benchmarks (bench-*.c): a monotonic clock, the thread's
 * CPU time, the median of repeated timings, and a check that ends the run
 * on a failed library call. Plain C, no Check: benchmarks are programs of
 * their own. */
#ifndef LEMICA_BENCH_COMMON_H
#define LEMICA_BENCH_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "lemica/lemica.h"

static inline double
bench_now_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* CPU time of this thread: on a machine shared with other jobs, a call
 * descheduled half-way would otherwise count the other jobs' time, and the
 * longer call is hit more often. */
static inline double
bench_thread_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static inline int
bench_compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median of @count timings, which are sorted in place: on a shared
 * machine it ignores the runs another process slowed down. */
static inline double
bench_median(double *values, size_t count)
{
    qsort(values, count, sizeof(double), bench_compare_doubles);
    return values[count / 2];
}

/* Exit with the status name and message if a library call failed: a
 * timing of a failed call would mean nothing. */
static inline void
bench_check(lemica_status status, const char *what)
{
    if (status != LEMICA_OK) {
        fprintf(stderr, "%s: %s: %s\n", what, lemica_status_name(status),
                lemica_last_error_message());
        exit(1);
    }
}

#endif /* LEMICA_BENCH_COMMON_H */
