/* SPDX-License-Identifier: MIT */
/* TeaCache (Liu et al., "Timestep Embedding Tells: It's Time to Cache for
 * Video Diffusion Model", CVPR 2025; github.com/ali-vilab/TeaCache), the
 * online baseline LeMiCa replaces, at an equal mean number of calls. */
#ifndef TESTBED_TEACACHE_H
#define TESTBED_TEACACHE_H

#include <stddef.h>

#include "profile.h"
#include "sampler.h"

#define TESTBED_TEACACHE_DEGREE 4

/* Least squares polynomial of @degree (at most 8) through (x, y), as
 * numpy.polyfit returns it: @coefficients[0] is the highest power's.
 * Solved by Householder QR on the Vandermonde matrix with x scaled to
 * [-1, 1]. Returns 0, or -1 if there are fewer points than coefficients
 * or the points do not determine the polynomial. */
int testbed_polyfit(const double *x, const double *y, size_t count, int degree,
                    double *coefficients);

/* p(x) for numpy.polyfit coefficients. */
double testbed_polyval(const double *coefficients, int degree, double x);

/* TeaCache's rescaling polynomial fitted on recorded uncached passes, as
 * TeaCache's coefficient scripts fit theirs: for every pair of successive
 * steps, x = the relative L1 change of the modulated input (the signal),
 * y = the relative L1 change of the model output (the guided velocity),
 * relative L1 = mean |cur - prev| / mean |prev|; numpy.polyfit(x, y, 4).
 * Returns 0 or -1. */
int testbed_teacache_fit(const struct testbed_reference *reference,
                         double coefficients[TESTBED_TEACACHE_DEGREE + 1]);

/* The policy's parameters and the per-sample state of one batch. */
struct testbed_teacache {
    double coefficients[TESTBED_TEACACHE_DEGREE + 1];
    double threshold;
    int num_steps;
    size_t count, signal_size;
    double *accumulated; /* count */
    double *previous;    /* count * signal_size */
};

/* Allocate the state for a batch of @count samples. Returns 0 or -1. */
int testbed_teacache_init(struct testbed_teacache *cache,
                          const double *coefficients, double threshold,
                          int num_steps, size_t count, size_t signal_size);

void testbed_teacache_release(struct testbed_teacache *cache);

/* TeaCache's rule (TeaCache4FLUX and the other ports): compute at the
 * first and the last step; elsewhere add rescale(relative L1 change of
 * the signal since the previous step) to the sum and skip while the sum
 * is below the threshold; on computing, start the sum again. A
 * testbed_decide_fn; the batch must set needs_signal. */
int testbed_teacache_decide(void *context, size_t sample, int step,
                            const double *signal);

/* Sample @samples with the policy at @threshold; returns the mean number
 * of model calls, or -1 on failure. @settings supplies net, grid and
 * reuse mode. */
double testbed_teacache_mean_calls(const struct testbed_batch *settings,
                                   const double *coefficients, double threshold,
                                   const struct testbed_sample_id *samples,
                                   size_t num_samples);

/* Bisect the threshold for the largest mean number of calls over
 * @samples that is at most @budget. Writes the mean reached to
 * @mean_calls. Returns the threshold, or -1 on failure. */
double testbed_teacache_calibrate(const struct testbed_batch *settings,
                                  const double *coefficients, double budget,
                                  const struct testbed_sample_id *samples,
                                  size_t num_samples, double *mean_calls);

#endif /* TESTBED_TEACACHE_H */
