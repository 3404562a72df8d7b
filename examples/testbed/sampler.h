/* SPDX-License-Identifier: MIT */
/* The flow-matching Euler sampler, with model-output caching as engines do
 * it: at a skipped step the velocity of the last computed step is reused. */
#ifndef TESTBED_SAMPLER_H
#define TESTBED_SAMPLER_H

#include <stdint.h>

#include <lemica/lemica.h>

#include "gmm-model.h"

/* Times t_0 = 1 (noise) > t_1 > ... > t_N = 0 (data): the uniform grid
 * u_i = 1 - i / N, shifted as in SD3, Flux and Wan,
 * t = s u / (1 + (s - 1) u), which puts more steps at high noise for s > 1.
 * @times holds N + 1 values. */
void testbed_time_grid(int num_steps, double shift, double *times);

/* The initial noise of a seed: TESTBED_PIXELS standard normal values, the
 * same on every machine. */
void testbed_initial_noise(uint64_t seed, double *x);

/* Whether the sampler calls the model at @step. @state is the latent
 * entering the step (online policies such as TeaCache read it). Returns
 * non-zero to compute. */
typedef int (*testbed_decide_fn)(void *context, int step, const double *state);

struct testbed_run {
    testbed_model *model;
    int class_id;
    int num_steps;
    const double *times;      /* N + 1 values, testbed_time_grid() */
    testbed_decide_fn decide; /* NULL: compute at every step */
    void *decide_context;
    /* Optional trace: the state entering every step and the velocity used
     * at it (computed or reused), N * TESTBED_PIXELS values each. */
    double *trace_states;
    double *trace_velocities;
    int model_calls; /* out: the calls made */
};

/* Integrate from step @start (state @x, TESTBED_PIXELS values, updated in
 * place) to the end, t = 0. @cached is the velocity to reuse at steps the
 * policy skips before the first computed one (the replay's recorded
 * output); it may be NULL when the policy computes at @start, and must not
 * alias @x. Returns 0, or -1 if the policy skips with nothing cached or
 * an argument is bad. */
int testbed_integrate(struct testbed_run *run, int start, double *x,
                      const double *cached);

/* Sample from noise: testbed_integrate() from step 0. */
int testbed_sample(struct testbed_run *run, uint64_t seed, double *x0);

/* Sample with a schedule: the model runs where
 * lemica_schedule_should_compute() says so. */
int testbed_sample_schedule(struct testbed_run *run,
                            const lemica_schedule *schedule, uint64_t seed,
                            double *x0);

/* Replay @replay of a profiling plan: start from the reference pass's
 * state and velocity at the replay's start step i (@state, @velocity),
 * reuse that velocity up to its end step j and compute from j on, as
 * lemica_plan_step_action() says. Writes the final sample to @x0. */
int testbed_replay(struct testbed_run *run, const lemica_plan *plan,
                   size_t replay, const double *state, const double *velocity,
                   double *x0);

/* The schedule of @budget calls spaced evenly over N steps:
 * round(k (N - 1) / (B - 1)), k = 0 .. B - 1. Returns a lemica status. */
lemica_status testbed_uniform_schedule(int num_steps, int budget,
                                       lemica_schedule **out);

#endif /* TESTBED_SAMPLER_H */
