/* SPDX-License-Identifier: MIT */
/* Euler over the shifted time grid. Every entry point goes through
 * testbed_batch_integrate(), so a replay, a scheduled run and an uncached
 * run do the same arithmetic in the same order and agree bit for bit where
 * their decisions agree: a sample's result never depends on which other
 * samples share its batch (the networks compute every sample on its own). */
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
testbed_initial_noise(uint64_t seed, int pixels, double *x)
{
    const double two_pi = 6.28318530717958647692;
    uint64_t state = seed * 0xd1342543de82ef95ull + 0x2545f4914f6cdd1dull;

    /* Box-Muller on 53-bit uniforms; u1 is kept away from 0 for the log. */
    for (int d = 0; d < pixels; d += 2) {
        double u1 = ((double)(noise_random(&state) >> 11) + 0.5) * 0x1.0p-53;
        double u2 = (double)(noise_random(&state) >> 11) * 0x1.0p-53;
        double radius = sqrt(-2.0 * log(u1));

        x[d] = radius * cos(two_pi * u2);
        if (d + 1 < pixels)
            x[d + 1] = radius * sin(two_pi * u2);
    }
}

struct scratch {
    double *velocity; /* count * P, the velocity each sample uses */
    float *residual;  /* count * R, each sample's cached residual */
    double *signal;   /* count * S */
    unsigned char *have, *compute;
    size_t *index; /* the samples gathered for one call */
    double *gather_x, *gather_velocity;
    float *gather_residual;
    int *gather_classes;
};

static void
scratch_free(struct scratch *s)
{
    free(s->velocity);
    free(s->residual);
    free(s->signal);
    free(s->have);
    free(s->compute);
    free(s->index);
    free(s->gather_x);
    free(s->gather_velocity);
    free(s->gather_residual);
    free(s->gather_classes);
}

static int
scratch_new(struct scratch *s, size_t count, size_t pixels, size_t residual,
            size_t signal)
{
    memset(s, 0, sizeof(*s));
    s->velocity = malloc(count * pixels * sizeof(double));
    s->have = calloc(count, 1);
    s->compute = calloc(count, 1);
    s->index = malloc(count * sizeof(size_t));
    s->gather_x = malloc(count * pixels * sizeof(double));
    s->gather_velocity = malloc(count * pixels * sizeof(double));
    s->gather_classes = malloc(count * sizeof(int));
    if (residual) {
        s->residual = malloc(count * residual * sizeof(float));
        s->gather_residual = malloc(count * residual * sizeof(float));
    }
    if (signal)
        s->signal = malloc(count * signal * sizeof(double));
    if (!s->velocity || !s->have || !s->compute || !s->index || !s->gather_x ||
        !s->gather_velocity || !s->gather_classes ||
        (residual && (!s->residual || !s->gather_residual)) ||
        (signal && !s->signal)) {
        scratch_free(s);
        return -1;
    }
    return 0;
}

/* Copy the samples in s->index[0 .. m) into the gather buffers. */
static void
gather(const struct testbed_batch *batch, struct scratch *s, size_t m,
       const double *x, int with_residual)
{
    size_t pixels = (size_t)batch->net->pixels;
    size_t residual = batch->net->residual_size;

    for (size_t k = 0; k < m; k++) {
        size_t i = s->index[k];

        memcpy(s->gather_x + k * pixels, x + i * pixels,
               pixels * sizeof(double));
        s->gather_classes[k] = batch->classes[i];
        if (with_residual)
            memcpy(s->gather_residual + k * residual,
                   s->residual + i * residual, residual * sizeof(float));
    }
}

int
testbed_batch_integrate(struct testbed_batch *batch, int start, double *x,
                        const double *cached_velocity,
                        const float *cached_residual)
{
    struct testbed_net *net;
    size_t pixels, residual_size, signal_size, count;
    int residual_mode, want_residual, want_signal;
    struct scratch s;
    int result = -1;

    if (!batch || !batch->net || !batch->times || !x || !batch->classes ||
        batch->count == 0 || batch->num_steps < 1 || start < 0 ||
        start >= batch->num_steps)
        return -1;
    net = batch->net;
    residual_mode = batch->reuse == TESTBED_REUSE_RESIDUAL;
    if (residual_mode &&
        (net->residual_size == 0 || !net->ops->velocity_from_residual))
        return -1;
    count = batch->count;
    pixels = (size_t)net->pixels;
    residual_size = net->residual_size;
    signal_size = net->signal_size;
    want_residual = residual_mode || (batch->trace_residuals && residual_size);
    want_signal = batch->needs_signal || batch->trace_signals;
    if (scratch_new(&s, count, pixels, want_residual ? residual_size : 0,
                    want_signal ? signal_size : 0) != 0)
        return -1;
    batch->model_calls = 0;
    if (cached_velocity) {
        memcpy(s.velocity, cached_velocity, count * pixels * sizeof(double));
        memset(s.have, 1, count);
    }
    if (residual_mode) {
        if (!cached_residual && cached_velocity)
            goto out;
        /* A residual alone is enough to skip: the velocity at @start is
         * then computed around it like at any skipped step. */
        if (cached_residual) {
            memcpy(s.residual, cached_residual,
                   count * residual_size * sizeof(float));
            memset(s.have, 1, count);
        }
    }
    for (int step = start; step < batch->num_steps; step++) {
        double t = batch->times[step];
        double dt = batch->times[step + 1] - t;
        size_t m = 0;

        if (want_signal &&
            net->ops->signal(net, count, x, batch->classes, t, s.signal) != 0)
            goto out;
        for (size_t i = 0; i < count; i++) {
            s.compute[i] = batch->decide
                               ? batch->decide(batch->decide_context, i, step,
                                               batch->needs_signal
                                                   ? s.signal + i * signal_size
                                                   : NULL) != 0
                               : 1;
            if (!s.compute[i] && !s.have[i])
                goto out;
            if (s.compute[i])
                s.index[m++] = i;
        }
        if (m > 0) {
            gather(batch, &s, m, x, 0);
            if (net->ops->velocity(
                    net, m, s.gather_x, s.gather_classes, t, s.gather_velocity,
                    want_residual ? s.gather_residual : NULL, NULL) != 0)
                goto out;
            for (size_t k = 0; k < m; k++) {
                size_t i = s.index[k];

                memcpy(s.velocity + i * pixels, s.gather_velocity + k * pixels,
                       pixels * sizeof(double));
                if (want_residual)
                    memcpy(s.residual + i * residual_size,
                           s.gather_residual + k * residual_size,
                           residual_size * sizeof(float));
                s.have[i] = 1;
            }
            batch->model_calls += (long)m;
        }
        /* Residual reuse: the skipping samples run the embeddings and the
         * final layer around their cached residual. At @start a given
         * velocity is the recorded one and stands as it is. */
        if (residual_mode && !(step == start && cached_velocity)) {
            m = 0;
            for (size_t i = 0; i < count; i++)
                if (!s.compute[i])
                    s.index[m++] = i;
            if (m > 0) {
                gather(batch, &s, m, x, 1);
                if (net->ops->velocity_from_residual(
                        net, m, s.gather_x, s.gather_classes, t,
                        s.gather_residual, s.gather_velocity) != 0)
                    goto out;
                for (size_t k = 0; k < m; k++)
                    memcpy(s.velocity + s.index[k] * pixels,
                           s.gather_velocity + k * pixels,
                           pixels * sizeof(double));
            }
        }
        for (size_t i = 0; i < count; i++) {
            size_t at = i * (size_t)batch->num_steps + (size_t)step;
            double *xi = x + i * pixels;
            const double *vi = s.velocity + i * pixels;

            if (batch->trace_states)
                memcpy(batch->trace_states + at * pixels, xi,
                       pixels * sizeof(double));
            if (batch->trace_velocities)
                memcpy(batch->trace_velocities + at * pixels, vi,
                       pixels * sizeof(double));
            if (batch->trace_signals)
                memcpy(batch->trace_signals + at * signal_size,
                       s.signal + i * signal_size,
                       signal_size * sizeof(double));
            if (batch->trace_residuals && residual_size && s.compute[i])
                memcpy(batch->trace_residuals + at * residual_size,
                       s.residual + i * residual_size,
                       residual_size * sizeof(float));
            for (size_t d = 0; d < pixels; d++)
                xi[d] += dt * vi[d];
        }
    }
    result = 0;

out:
    scratch_free(&s);
    return result;
}

struct testbed_batch
testbed_batch_output(struct testbed_net *net, int num_steps, const double *times)
{
    struct testbed_batch batch;

    memset(&batch, 0, sizeof(batch));
    batch.net = net;
    batch.reuse = TESTBED_REUSE_OUTPUT;
    batch.num_steps = num_steps;
    batch.times = times;
    return batch;
}

int
testbed_batch_sample(struct testbed_batch *batch, const uint64_t *seeds,
                     double *x0)
{
    if (!batch || !batch->net || !seeds || !x0)
        return -1;
    for (size_t i = 0; i < batch->count; i++)
        testbed_initial_noise(seeds[i], batch->net->pixels,
                              x0 + i * (size_t)batch->net->pixels);
    return testbed_batch_integrate(batch, 0, x0, NULL, NULL);
}

int
testbed_decide_mask(void *context, size_t sample, int step,
                    const double *signal)
{
    const unsigned char *mask = context;

    (void)sample;
    (void)signal;
    return mask[step] != 0;
}

int
testbed_schedule_mask(const lemica_schedule *schedule, unsigned char *mask)
{
    int num_steps = lemica_schedule_num_steps(schedule);

    if (num_steps < 1)
        return -1;
    for (int t = 0; t < num_steps; t++) {
        int compute = lemica_schedule_should_compute(schedule, t);

        if (compute < 0)
            return -1;
        mask[t] = compute != 0;
    }
    return 0;
}

int
testbed_mask_calls(const unsigned char *mask, int num_steps)
{
    int calls = 0;

    for (int t = 0; t < num_steps; t++)
        calls += mask[t] != 0;
    return calls;
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
