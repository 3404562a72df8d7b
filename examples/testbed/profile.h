/* SPDX-License-Identifier: MIT */
/* Profiling the test bed through the library, as an engine would: the plan
 * says which replays to run, the profiler-accumulator takes their final
 * samples. */
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

/* For every sample: a reference pass recording the state and velocity at
 * every step, then every replay of @plan, group by group, each final
 * sample added to @profiler against the reference's with
 * lemica_profiler_add_buffers(). @run gives the model, class-free
 * settings and grid (its class, policy and trace are ignored).
 * @progress, if not NULL, gets a line per sample. Returns a lemica status;
 * a sampler failure is LEMICA_ERR_INVALID_ARGUMENT. */
lemica_status testbed_profile(const struct testbed_run *run,
                              const lemica_plan *plan,
                              const struct testbed_sample_id *samples,
                              size_t num_samples, lemica_profiler *profiler,
                              FILE *progress);

#endif /* TESTBED_PROFILE_H */
