/* SPDX-License-Identifier: MIT */
/*
 * The engine side of adaptive profiling, as the tests and benchmarks
 * replay it against errors they already hold: set the sample count, then
 * ask lemica_adaptive_next() for plans until it has none, and for each
 * replay of a plan hand the samples the profiler lacks for that segment to
 * a measurement callback. Plain C, no Check: the Check suites assert on
 * its status, the benchmarks bench_check() it.
 */
#ifndef LEMICA_TEST_ADAPTIVE_DRIVER_H
#define LEMICA_TEST_ADAPTIVE_DRIVER_H

#include <stddef.h>
#include <stdint.h>

#include "lemica/lemica.h"

/* Measures segment (@from, @to) for the samples @first_sample ..
 * @end_sample - 1 (the profiler already holds the ones before) and adds
 * each error to @profiler. Returns LEMICA_OK, or a status that ends the
 * loop. */
typedef lemica_status (*lemica_test_measure_fn)(lemica_profiler *profiler,
                                                int from, int to,
                                                uint64_t first_sample,
                                                uint64_t end_sample, void *ctx);

/* Runs the loop of @adaptive to its end at @num_samples samples, measuring
 * through @measure (with @ctx). Returns LEMICA_OK, or the first failed
 * status of the library or of @measure (the plan in hand is freed). */
lemica_status lemica_test_adaptive_run(lemica_adaptive *adaptive,
                                       lemica_profiler *profiler,
                                       uint64_t num_samples,
                                       lemica_test_measure_fn measure,
                                       void *ctx);

/* Per-sample errors of every segment, as the benchmarks replay them:
 * err[sample * N * K + slot], slot as in a graph: i * K + j - i - 1. */
struct profile_data {
    int n, k, samples;
    double *err;
};

static inline size_t
data_slot(const struct profile_data *d, int from, int to)
{
    return (size_t)from * (size_t)d->k + (size_t)(to - from - 1);
}

/* Adds the errors of samples @first_sample .. @end_sample - 1 of segment
 * (@from, @to) from @d to @profiler. */
lemica_status lemica_test_add_samples(lemica_profiler *profiler,
                                      const struct profile_data *d, int from,
                                      int to, uint64_t first_sample,
                                      uint64_t end_sample);

/* lemica_test_adaptive_run() with the errors of @d as the measurement. */
lemica_status lemica_test_adaptive_replay(lemica_adaptive *adaptive,
                                          lemica_profiler *profiler,
                                          const struct profile_data *d,
                                          int num_samples);

#endif /* LEMICA_TEST_ADAPTIVE_DRIVER_H */
