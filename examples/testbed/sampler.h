/* SPDX-License-Identifier: MIT */
/* The flow-matching Euler sampler over a batch of samples, with caching
 * as engines do it. At a skipped step a sample reuses either the guided
 * velocity of its last computed step (output reuse) or that step's
 * block-stack residual, around which the network then runs only its
 * embeddings and final layer (residual reuse, as TeaCache and the LeMiCa
 * release do it). All samples of a batch are at the same step; those that
 * compute at it go to the network together. */
#ifndef TESTBED_SAMPLER_H
#define TESTBED_SAMPLER_H

#include <stdint.h>

#include <lemica/lemica.h>

#include "net.h"

/* Times t_0 = 1 (noise) > t_1 > ... > t_N = 0 (data): the uniform grid
 * u_i = 1 - i / N, shifted as in SD3, Flux and Wan,
 * t = s u / (1 + (s - 1) u), which puts more steps at high noise for s > 1.
 * @times holds N + 1 values. */
void testbed_time_grid(int num_steps, double shift, double *times);

/* The initial noise of a seed: @pixels standard normal values, the same
 * on every machine. */
void testbed_initial_noise(uint64_t seed, int pixels, double *x);

enum testbed_reuse { TESTBED_REUSE_OUTPUT = 0, TESTBED_REUSE_RESIDUAL = 1 };

/* Whether sample @sample of the batch calls the model at @step. @signal
 * is its TeaCache signal at this step when the batch asks for signals,
 * else NULL. Returns non-zero to compute. */
typedef int (*testbed_decide_fn)(void *context, size_t sample, int step,
                                 const double *signal);

struct testbed_batch {
    struct testbed_net *net;
    enum testbed_reuse reuse;
    int num_steps;
    const double *times;      /* N + 1 values, testbed_time_grid() */
    size_t count;             /* samples in the batch */
    const int *classes;       /* count class ids */
    testbed_decide_fn decide; /* NULL: compute at every step */
    void *decide_context;
    int needs_signal; /* compute every step's signal for decide */
    /* Optional traces, sample-major: [sample][step][value]. The state
     * entering every step, the velocity used at it (computed or reused),
     * the signal (needs_signal or not) and the residual (on computed
     * steps; residual reuse models only). */
    double *trace_states;
    double *trace_velocities;
    double *trace_signals;
    float *trace_residuals;
    long model_calls; /* out: full model calls, summed over the batch */
};

/* A batch of @net on the grid of @num_steps steps at @times (N + 1
 * values) with output reuse, every other field zero: no samples yet, no
 * policy (compute at every step), no traces. */
struct testbed_batch testbed_batch_output(struct testbed_net *net, int num_steps,
                                          const double *times);

/* Integrate every sample of the batch from step @start (states @x,
 * count * pixels values, updated in place) to t = 0. @cached_velocity (and
 * in residual reuse @cached_residual) are per-sample values of the step
 * before, for samples that skip before they first compute (a replay's
 * recorded step); at @start itself a non-NULL @cached_velocity is used
 * as is. In residual reuse @cached_residual alone (@cached_velocity NULL)
 * lets samples skip from @start on, the velocity at @start computed
 * around it (resuming a scheduled run from its trace). Returns 0, or -1 if a sample skips with nothing cached, the
 * network fails, memory runs out or an argument is bad. */
int testbed_batch_integrate(struct testbed_batch *batch, int start, double *x,
                            const double *cached_velocity,
                            const float *cached_residual);

/* Sample from the noise of @seeds (count of them) into @x0. */
int testbed_batch_sample(struct testbed_batch *batch, const uint64_t *seeds,
                         double *x0);

/* A compute mask as a policy: context is an unsigned char[N], 1 where the
 * model runs, the same for every sample. */
int testbed_decide_mask(void *context, size_t sample, int step,
                        const double *signal);

/* The mask of a schedule; @mask holds N bytes. Returns 0 or -1. */
int testbed_schedule_mask(const lemica_schedule *schedule, unsigned char *mask);

/* Calls in a mask. */
int testbed_mask_calls(const unsigned char *mask, int num_steps);

/* The schedule of @budget calls spaced evenly over N steps:
 * round(k (N - 1) / (B - 1)), k = 0 .. B - 1. Returns a lemica status. */
lemica_status testbed_uniform_schedule(int num_steps, int budget,
                                       lemica_schedule **out);

#endif /* TESTBED_SAMPLER_H */
