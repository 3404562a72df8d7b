/* SPDX-License-Identifier: MIT */
/* A TeaCache-style online greedy policy, the baseline LeMiCa replaces. */
#ifndef TESTBED_TEACACHE_H
#define TESTBED_TEACACHE_H

#include <stddef.h>

#include "profile.h"
#include "sampler.h"

/* Per-run state of the policy. Pass it as the run's decide_context with
 * testbed_teacache_decide(), after testbed_teacache_reset(). */
struct testbed_teacache {
    double threshold;
    double accumulated;
    int num_steps;
    int have_previous;
    double previous[TESTBED_PIXELS];
};

void testbed_teacache_reset(struct testbed_teacache *cache, double threshold,
                            int num_steps);

/* Computes at the first and last steps; elsewhere it adds the relative L1
 * change of the model input since the previous step, |x_t - x_prev|_1 /
 * |x_prev|_1, and computes once the sum reaches the threshold (then
 * starts the sum again). A testbed_decide_fn. */
int testbed_teacache_decide(void *context, int step, const double *state);

/* Run the policy at @threshold over @samples; returns the mean number of
 * model calls, or -1 on failure. @run supplies model and grid. */
double testbed_teacache_mean_calls(const struct testbed_run *run,
                                   double threshold,
                                   const struct testbed_sample_id *samples,
                                   size_t num_samples);

/* Bisect the threshold for the largest mean number of calls over @samples
 * that is at most @budget. Writes the mean reached to @mean_calls. Returns
 * the threshold, or -1 on failure. */
double testbed_teacache_calibrate(const struct testbed_run *run, double budget,
                                  const struct testbed_sample_id *samples,
                                  size_t num_samples, double *mean_calls);

#endif /* TESTBED_TEACACHE_H */
