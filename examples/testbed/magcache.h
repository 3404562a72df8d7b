/* SPDX-License-Identifier: MIT */
/* MagCache (Ma et al., "MagCache: Fast Video Generation with
 * Magnitude-Aware Cache", 2025; github.com/Zehong-Ma/MagCache): skip
 * while the accumulated error of the residual magnitude ratio, calibrated
 * once on one sample, stays below a threshold. */
#ifndef TESTBED_MAGCACHE_H
#define TESTBED_MAGCACHE_H

#include "profile.h"
#include "sampler.h"

/* MagCache4FLUX's defaults: at most 5 skips in a row, the first 10% of
 * the steps always computed. */
#define TESTBED_MAGCACHE_MAX_SKIP 5
#define TESTBED_MAGCACHE_RETENTION 0.1

/* The magnitude ratios of sample @sample of @reference, as MagCache's
 * calibration computes them: ratio[0] = 1, ratio[t] = the mean over
 * tokens of |r_t| / |r_{t-1}| (L2 norms per token), where r is the
 * block-stack residual for residual reuse (tokens of both CFG branches)
 * and the guided velocity, one token, for output reuse. @ratios holds N
 * values. Returns 0 or -1. */
int testbed_magcache_ratios(const struct testbed_reference *reference,
                            size_t sample, enum testbed_reuse reuse,
                            size_t residual_token_dim, double *ratios);

/* The steps always computed: int(retention * N + 0.5). */
int testbed_magcache_retained(int num_steps, double retention);

/* The smallest max skip >= TESTBED_MAGCACHE_MAX_SKIP with room to spare
 * for @budget calls after the retained steps; -1 if the retained steps
 * alone exceed the budget. */
int testbed_magcache_max_skip(int num_steps, int budget, double retention);

/* MagCache's rule (MagCache4Wan2.1's strict comparison): from the first
 * step past the retained ones, multiply the accumulated ratio by
 * ratio[t], add |1 - accumulated ratio| to the error and count the step;
 * skip while error < threshold and the count <= max skip, else compute
 * and reset ratio, error and count. The ratios are fixed, so the
 * decisions are the same for every sample: writes the compute mask
 * (N bytes) and returns its calls. */
int testbed_magcache_mask(const double *ratios, int num_steps, double threshold,
                          int max_skip, int retained, unsigned char *mask);

/* Bisect the threshold for the most calls at most @budget; writes the
 * mask and returns its calls, or -1. @threshold_out may be NULL. */
int testbed_magcache_calibrate(const double *ratios, int num_steps, int budget,
                               int max_skip, int retained, unsigned char *mask,
                               double *threshold_out);

#endif /* TESTBED_MAGCACHE_H */
