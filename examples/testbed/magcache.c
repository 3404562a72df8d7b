/* SPDX-License-Identifier: MIT */
/* MagCache trades TeaCache's per-model polynomial for one calibrated
 * curve: the residual's magnitude changes slowly and the same way for
 * every prompt, so its accumulated drift says how stale a cache is. */
#include <math.h>
#include <stdlib.h>

#include "magcache.h"

static double
norm2(const double *x, size_t count)
{
    double sum = 0.0;

    for (size_t i = 0; i < count; i++)
        sum += x[i] * x[i];
    return sqrt(sum);
}

static double
norm2f(const float *x, size_t count)
{
    double sum = 0.0;

    for (size_t i = 0; i < count; i++)
        sum += (double)x[i] * (double)x[i];
    return sqrt(sum);
}

int
testbed_magcache_ratios(const struct testbed_reference *reference,
                        size_t sample, enum testbed_reuse reuse,
                        size_t residual_token_dim, double *ratios)
{
    size_t n = (size_t)reference->num_steps;

    if (sample >= reference->count || n < 1)
        return -1;
    if (reuse == TESTBED_REUSE_RESIDUAL &&
        (!reference->residuals || residual_token_dim == 0 ||
         reference->residual_size % residual_token_dim != 0))
        return -1;
    ratios[0] = 1.0;
    for (size_t t = 1; t < n; t++) {
        size_t now = sample * n + t;

        if (reuse == TESTBED_REUSE_RESIDUAL) {
            size_t tokens = reference->residual_size / residual_token_dim;
            const float *cur =
                reference->residuals + now * reference->residual_size;
            const float *prev = cur - reference->residual_size;
            double sum = 0.0;

            for (size_t k = 0; k < tokens; k++) {
                double below =
                    norm2f(prev + k * residual_token_dim, residual_token_dim);

                sum += below > 0.0 ? norm2f(cur + k * residual_token_dim,
                                            residual_token_dim) /
                                         below
                                   : 1.0;
            }
            ratios[t] = sum / (double)tokens;
        } else {
            const double *cur = reference->velocities + now * reference->pixels;
            double below = norm2(cur - reference->pixels, reference->pixels);

            ratios[t] =
                below > 0.0 ? norm2(cur, reference->pixels) / below : 1.0;
        }
    }
    return 0;
}

int
testbed_magcache_retained(int num_steps, double retention)
{
    return (int)(retention * num_steps + 0.5);
}

int
testbed_magcache_max_skip(int num_steps, int budget, double retention)
{
    int retained = testbed_magcache_retained(num_steps, retention);
    int calls, needed;

    if (retained < 1)
        retained = 1;
    calls = budget - retained;
    if (calls < 1)
        return -1;
    /* calls * (K + 1) steps must cover the N - retained left: the minimum
     * K is ceil(rest / calls) - 1; one more leaves the threshold room. */
    needed = (num_steps - retained + calls - 1) / calls;
    return needed > TESTBED_MAGCACHE_MAX_SKIP ? needed
                                              : TESTBED_MAGCACHE_MAX_SKIP;
}

int
testbed_magcache_mask(const double *ratios, int num_steps, double threshold,
                      int max_skip, int retained, unsigned char *mask)
{
    double accumulated_ratio = 1.0, accumulated_error = 0.0;
    int accumulated_steps = 0, calls = 0;

    for (int t = 0; t < num_steps; t++) {
        int skip = 0;

        /* The first step always computes: there is nothing to reuse. */
        if (t >= retained && t > 0) {
            accumulated_ratio *= ratios[t];
            accumulated_steps++;
            accumulated_error += fabs(1.0 - accumulated_ratio);
            if (accumulated_error < threshold &&
                accumulated_steps <= max_skip) {
                skip = 1;
            } else {
                accumulated_ratio = 1.0;
                accumulated_error = 0.0;
                accumulated_steps = 0;
            }
        }
        mask[t] = (unsigned char)!skip;
        calls += !skip;
    }
    return calls;
}

int
testbed_magcache_calibrate(const double *ratios, int num_steps, int budget,
                           int max_skip, int retained, unsigned char *mask,
                           double *threshold_out)
{
    unsigned char *trial = malloc((size_t)num_steps);
    double low = 0.0, high = 0.01;
    int high_calls, calls;

    if (!trial)
        return -1;
    high_calls = testbed_magcache_mask(ratios, num_steps, high, max_skip,
                                       retained, trial);
    while (high_calls > budget) {
        low = high;
        high *= 2.0;
        if (high > 1e9) {
            free(trial);
            return -1;
        }
        high_calls = testbed_magcache_mask(ratios, num_steps, high, max_skip,
                                           retained, trial);
    }
    for (int iteration = 0; iteration < 100 && high_calls != budget;
         iteration++) {
        double middle = 0.5 * (low + high);

        if (middle <= low || middle >= high)
            break;
        calls = testbed_magcache_mask(ratios, num_steps, middle, max_skip,
                                      retained, trial);
        if (calls > budget) {
            low = middle;
        } else {
            high = middle;
            high_calls = calls;
        }
    }
    high_calls = testbed_magcache_mask(ratios, num_steps, high, max_skip,
                                       retained, mask);
    if (threshold_out)
        *threshold_out = high;
    free(trial);
    return high_calls;
}
