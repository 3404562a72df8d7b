/* SPDX-License-Identifier: MIT */
/* Euler over the shifted time grid. Every entry point goes through
 * testbed_integrate(), so a replay, a scheduled run and an uncached run do
 * the same arithmetic in the same order and agree bit for bit where their
 * decisions agree. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sampler.h"

void
testbed_time_grid(int num_steps, double shift, double *times)
{
    for (int i = 0; i <= num_steps; i++) {
        double u = 1.0 - (double)i / num_steps;

        times[i] = shift * u / (1.0 + (shift - 1.0) * u);
    }
    /* The formula gives these exactly for any shift; pin them anyway so
     * the sampler always ends on the data. */
    times[0] = 1.0;
    times[num_steps] = 0.0;
}

static uint64_t
noise_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

void
testbed_initial_noise(uint64_t seed, double *x)
{
    const double two_pi = 6.28318530717958647692;
    uint64_t state = seed * 0xd1342543de82ef95ull + 0x2545f4914f6cdd1dull;

    /* Box-Muller on 53-bit uniforms; u1 is kept away from 0 for the log. */
    for (int d = 0; d < TESTBED_PIXELS; d += 2) {
        double u1 = ((double)(noise_random(&state) >> 11) + 0.5) * 0x1.0p-53;
        double u2 = (double)(noise_random(&state) >> 11) * 0x1.0p-53;
        double radius = sqrt(-2.0 * log(u1));

        x[d] = radius * cos(two_pi * u2);
        if (d + 1 < TESTBED_PIXELS)
            x[d + 1] = radius * sin(two_pi * u2);
    }
}

int
testbed_integrate(struct testbed_run *run, int start, double *x,
                  const double *cached)
{
    double velocity[TESTBED_PIXELS];
    int have_velocity = 0;

    if (!run || !run->model || !run->times || !x || run->num_steps < 1 ||
        start < 0 || start >= run->num_steps)
        return -1;
    run->model_calls = 0;
    if (cached) {
        memcpy(velocity, cached, sizeof(velocity));
        have_velocity = 1;
    }
    for (int step = start; step < run->num_steps; step++) {
        double t = run->times[step];
        double dt = run->times[step + 1] - t;
        int compute =
            run->decide ? run->decide(run->decide_context, step, x) != 0 : 1;

        if (compute) {
            testbed_model_velocity(run->model, run->class_id, x, t, velocity);
            run->model_calls++;
            have_velocity = 1;
        } else if (!have_velocity) {
            return -1;
        }
        if (run->trace_states)
            memcpy(run->trace_states + (size_t)step * TESTBED_PIXELS, x,
                   sizeof(velocity));
        if (run->trace_velocities)
            memcpy(run->trace_velocities + (size_t)step * TESTBED_PIXELS,
                   velocity, sizeof(velocity));
        for (int d = 0; d < TESTBED_PIXELS; d++)
            x[d] += dt * velocity[d];
    }
    return 0;
}

int
testbed_sample(struct testbed_run *run, uint64_t seed, double *x0)
{
    testbed_initial_noise(seed, x0);
    return testbed_integrate(run, 0, x0, NULL);
}

static int
decide_by_schedule(void *context, int step, const double *state)
{
    (void)state;
    /* A negative status is an error; computing is the safe reading. */
    return lemica_schedule_should_compute(context, step) != 0;
}

int
testbed_sample_schedule(struct testbed_run *run,
                        const lemica_schedule *schedule, uint64_t seed,
                        double *x0)
{
    struct testbed_run scheduled;
    int result;

    if (!run || !schedule ||
        lemica_schedule_num_steps(schedule) != run->num_steps)
        return -1;
    scheduled = *run;
    scheduled.decide = decide_by_schedule;
    /* The callback only reads the schedule. */
    scheduled.decide_context = (void *)(uintptr_t)schedule;
    result = testbed_sample(&scheduled, seed, x0);
    run->model_calls = scheduled.model_calls;
    return result;
}

struct replay_context {
    const lemica_plan *plan;
    size_t replay;
};

static int
decide_by_plan(void *context, int step, const double *state)
{
    const struct replay_context *replay = context;

    (void)state;
    return lemica_plan_step_action(replay->plan, replay->replay, step) ==
           LEMICA_STEP_COMPUTE;
}

int
testbed_replay(struct testbed_run *run, const lemica_plan *plan, size_t replay,
               const double *state, const double *velocity, double *x0)
{
    struct replay_context context = {plan, replay};
    struct testbed_run replaying;
    int from, to, result;

    if (!run || !plan || !state || !velocity || !x0 ||
        lemica_plan_num_steps(plan) != run->num_steps ||
        lemica_plan_replay(plan, replay, &from, &to) != LEMICA_OK)
        return -1;
    replaying = *run;
    replaying.decide = decide_by_plan;
    replaying.decide_context = &context;
    memcpy(x0, state, TESTBED_PIXELS * sizeof(double));
    result = testbed_integrate(&replaying, from, x0, velocity);
    run->model_calls = replaying.model_calls;
    return result;
}

lemica_status
testbed_uniform_schedule(int num_steps, int budget, lemica_schedule **out)
{
    int *steps;
    lemica_status status;

    if (num_steps < 2 || budget < 2 || budget > num_steps || !out)
        return LEMICA_ERR_INVALID_ARGUMENT;
    steps = malloc((size_t)budget * sizeof(*steps));
    if (!steps)
        return LEMICA_ERR_NO_MEMORY;
    /* Integer rounding of k (N - 1) / (B - 1): the steps are strictly
     * increasing because the spacing is at least 1. */
    for (int k = 0; k < budget; k++)
        steps[k] = (int)(((long long)k * (num_steps - 1) * 2 + (budget - 1)) /
                         (2LL * (budget - 1)));
    status =
        lemica_schedule_new_from_steps(num_steps, steps, (size_t)budget, out);
    free(steps);
    return status;
}
