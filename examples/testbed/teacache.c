/* SPDX-License-Identifier: MIT */
/* TeaCache decides online from how much the model input moved: cheap to
 * ask, but blind to when in the trajectory an error does the most harm,
 * which is the point the LeMiCa paper makes (its section 3.2). */
#include <math.h>
#include <string.h>

#include "teacache.h"

void
testbed_teacache_reset(struct testbed_teacache *cache, double threshold,
                       int num_steps)
{
    cache->threshold = threshold;
    cache->accumulated = 0.0;
    cache->num_steps = num_steps;
    cache->have_previous = 0;
}

int
testbed_teacache_decide(void *context, int step, const double *state)
{
    struct testbed_teacache *cache = context;
    int compute = 1;

    if (cache->have_previous && step > 0 && step < cache->num_steps - 1) {
        double change = 0.0, norm = 0.0;

        for (int d = 0; d < TESTBED_PIXELS; d++) {
            change += fabs(state[d] - cache->previous[d]);
            norm += fabs(cache->previous[d]);
        }
        cache->accumulated += norm > 0.0 ? change / norm : (double)INFINITY;
        compute = cache->accumulated >= cache->threshold;
    }
    if (compute)
        cache->accumulated = 0.0;
    memcpy(cache->previous, state, sizeof(cache->previous));
    cache->have_previous = 1;
    return compute;
}

double
testbed_teacache_mean_calls(const struct testbed_run *run, double threshold,
                            const struct testbed_sample_id *samples,
                            size_t num_samples)
{
    struct testbed_teacache cache;
    double x0[TESTBED_PIXELS];
    double calls = 0.0;

    if (num_samples == 0)
        return -1.0;
    for (size_t s = 0; s < num_samples; s++) {
        struct testbed_run pass = *run;

        testbed_teacache_reset(&cache, threshold, run->num_steps);
        pass.class_id = samples[s].class_id;
        pass.decide = testbed_teacache_decide;
        pass.decide_context = &cache;
        pass.trace_states = NULL;
        pass.trace_velocities = NULL;
        if (testbed_sample(&pass, samples[s].seed, x0) != 0)
            return -1.0;
        calls += pass.model_calls;
    }
    return calls / (double)num_samples;
}

double
testbed_teacache_calibrate(const struct testbed_run *run, double budget,
                           const struct testbed_sample_id *samples,
                           size_t num_samples, double *mean_calls)
{
    /* Threshold 0 computes everywhere; as it grows the calls fall to 2.
     * low always gives more calls than the budget, high at most the
     * budget. */
    double low = 0.0, high = 0.01;
    double high_calls =
        testbed_teacache_mean_calls(run, high, samples, num_samples);

    if (high_calls < 0.0 || budget < 2.0)
        return -1.0;
    while (high_calls > budget) {
        low = high;
        high *= 2.0;
        if (high > 1e6)
            return -1.0;
        high_calls =
            testbed_teacache_mean_calls(run, high, samples, num_samples);
        if (high_calls < 0.0)
            return -1.0;
    }
    for (int iteration = 0; iteration < 40 && high - low > 1e-9 * high;
         iteration++) {
        double middle = 0.5 * (low + high);
        double calls =
            testbed_teacache_mean_calls(run, middle, samples, num_samples);

        if (calls < 0.0)
            return -1.0;
        if (calls > budget) {
            low = middle;
        } else {
            high = middle;
            high_calls = calls;
        }
        if (high_calls == budget)
            break;
    }
    if (mean_calls)
        *mean_calls = high_calls;
    return high;
}
