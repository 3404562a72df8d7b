/* SPDX-License-Identifier: MIT */
/* Profiling the test bed through the library, as an engine would: the plan
 * says which replays to run, the profiler-accumulator takes their final
 * samples. Reference passes and replays run batched: all samples
 * together, and the replays of one plan group (one start step) of all
 * samples together. */
#ifndef TESTBED_PROFILE_H
#define TESTBED_PROFILE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <lemica/lemica.h>

#include "sampler.h"

/* One profiling sample, the test bed's (prompt, seed). */
struct testbed_sample_id {
    int class_id;
    uint64_t seed;
};

/* The uncached passes of some samples, every step recorded (sample-major,
 * as struct testbed_batch traces them). */
struct testbed_reference {
    size_t count;
    int num_steps;
    size_t pixels, signal_size, residual_size;
    int *classes;
    double *states;     /* count * N * pixels */
    double *velocities; /* count * N * pixels */
    double *signals;    /* count * N * signal_size */
    float *residuals;   /* count * N * residual_size, or NULL */
    double *final;      /* count * pixels, the samples at t = 0 */
};

/* Run and record the uncached passes of @samples. @settings gives the
 * net, grid and reuse mode (its classes, policy and traces are ignored).
 * Returns 0 or -1; free with testbed_reference_free(). */
int testbed_reference_record(const struct testbed_batch *settings,
                             const struct testbed_sample_id *samples,
                             size_t num_samples,
                             struct testbed_reference *reference);

void testbed_reference_free(struct testbed_reference *reference);

/* Every replay of @plan for every recorded sample, in @settings' reuse
 * mode, each final sample added to @profiler against the reference's with
 * lemica_profiler_add_buffers(). At most @max_batch replays go to the
 * network at once (0: no limit). @progress, if not NULL, gets a line per
 * group. Returns a lemica status; a sampler failure is
 * LEMICA_ERR_INVALID_ARGUMENT. */
lemica_status testbed_profile_replays(const struct testbed_batch *settings,
                                      const lemica_plan *plan,
                                      const struct testbed_reference *reference,
                                      size_t max_batch,
                                      lemica_profiler *profiler,
                                      FILE *progress);

/* One-call profiling and sampling of the Gaussian mixture, for callers of
 * the first test bed (tests/bench-adaptive.c): @run names the mixture,
 * the class (for sampling), the step count and the grid. */
struct testbed_run {
    testbed_model *model;
    int class_id;
    int num_steps;
    const double *times;
};

/* One uncached sample of run->class_id from the noise of @seed into @x0
 * (TESTBED_PIXELS values). Returns 0 or -1. */
int testbed_sample(const struct testbed_run *run, uint64_t seed, double *x0);

/* The same, computing where @schedule says so. Returns 0 or -1. */
int testbed_sample_schedule(const struct testbed_run *run,
                            const lemica_schedule *schedule, uint64_t seed,
                            double *x0);

/* testbed_reference_record() then testbed_profile_replays() on the
 * mixture behind the model interface, output reuse, all replays of a
 * group in one batch. Returns a lemica status. */
lemica_status testbed_profile(const struct testbed_run *run,
                              const lemica_plan *plan,
                              const struct testbed_sample_id *samples,
                              size_t num_samples, lemica_profiler *profiler,
                              FILE *progress);

#endif /* TESTBED_PROFILE_H */
