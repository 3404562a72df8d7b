/* SPDX-License-Identifier: MIT */
/* The profiling loop an engine runs, written against the public API only. */
#include <stdlib.h>
#include <string.h>

#include "profile.h"

void
testbed_reference_free(struct testbed_reference *reference)
{
    if (!reference)
        return;
    free(reference->classes);
    free(reference->states);
    free(reference->velocities);
    free(reference->signals);
    free(reference->residuals);
    free(reference->final);
    memset(reference, 0, sizeof(*reference));
}

int
testbed_reference_record(const struct testbed_batch *settings,
                         const struct testbed_sample_id *samples,
                         size_t num_samples,
                         struct testbed_reference *reference)
{
    struct testbed_batch batch = *settings;
    struct testbed_net *net = settings->net;
    size_t per_sample = (size_t)settings->num_steps;
    uint64_t *seeds = malloc(num_samples * sizeof(uint64_t));
    int result = -1;

    memset(reference, 0, sizeof(*reference));
    reference->count = num_samples;
    reference->num_steps = settings->num_steps;
    reference->pixels = (size_t)net->pixels;
    reference->signal_size = net->signal_size;
    reference->residual_size = net->residual_size;
    reference->classes = malloc(num_samples * sizeof(int));
    reference->states =
        malloc(num_samples * per_sample * reference->pixels * sizeof(double));
    reference->velocities =
        malloc(num_samples * per_sample * reference->pixels * sizeof(double));
    reference->signals = malloc(num_samples * per_sample *
                                reference->signal_size * sizeof(double));
    if (net->residual_size)
        reference->residuals = malloc(num_samples * per_sample *
                                      net->residual_size * sizeof(float));
    reference->final = malloc(num_samples * reference->pixels * sizeof(double));
    if (!seeds || !reference->classes || !reference->states ||
        !reference->velocities || !reference->signals || !reference->final ||
        (net->residual_size && !reference->residuals))
        goto out;
    for (size_t s = 0; s < num_samples; s++) {
        reference->classes[s] = samples[s].class_id;
        seeds[s] = samples[s].seed;
    }
    batch.count = num_samples;
    batch.classes = reference->classes;
    batch.decide = NULL;
    batch.needs_signal = 0;
    batch.trace_states = reference->states;
    batch.trace_velocities = reference->velocities;
    batch.trace_signals = reference->signals;
    batch.trace_residuals = reference->residuals;
    result = testbed_batch_sample(&batch, seeds, reference->final);

out:
    free(seeds);
    if (result != 0)
        testbed_reference_free(reference);
    return result;
}

struct replay_context {
    const lemica_plan *plan;
    const size_t *replays; /* the plan's replay of every batch member */
};

static int
decide_by_plan(void *context, size_t sample, int step, const double *signal)
{
    const struct replay_context *replay = context;

    (void)signal;
    return lemica_plan_step_action(replay->plan, replay->replays[sample],
                                   step) == LEMICA_STEP_COMPUTE;
}

/* Replays first .. first + count - 1 of the group starting at @start, for
 * every sample, in chunks of at most @max_batch members. */
static lemica_status
run_group(const struct testbed_batch *settings, const lemica_plan *plan,
          const struct testbed_reference *ref, int start, size_t first,
          size_t count, size_t max_batch, lemica_profiler *profiler)
{
    size_t total = count * ref->count;
    size_t chunk = max_batch && max_batch < total ? max_batch : total;
    size_t pixels = ref->pixels, residual = ref->residual_size;
    size_t n = (size_t)ref->num_steps;
    int residual_mode = settings->reuse == TESTBED_REUSE_RESIDUAL;
    double *x = malloc(chunk * pixels * sizeof(double));
    double *velocity = malloc(chunk * pixels * sizeof(double));
    float *cached =
        residual_mode ? malloc(chunk * residual * sizeof(float)) : NULL;
    int *classes = malloc(chunk * sizeof(int));
    size_t *replays = malloc(chunk * sizeof(size_t));
    size_t *owners = malloc(chunk * sizeof(size_t));
    lemica_status status = LEMICA_ERR_NO_MEMORY;

    if (!x || !velocity || (residual_mode && !cached) || !classes || !replays ||
        !owners)
        goto out;
    for (size_t done = 0; done < total; done += chunk) {
        size_t m = total - done < chunk ? total - done : chunk;
        struct replay_context context = {plan, replays};
        struct testbed_batch batch = *settings;

        /* Member k of the group is sample k / count, replay k % count. */
        for (size_t k = 0; k < m; k++) {
            size_t member = done + k;
            size_t s = member / count;
            size_t at = s * n + (size_t)start;

            owners[k] = s;
            replays[k] = first + member % count;
            classes[k] = ref->classes[s];
            memcpy(x + k * pixels, ref->states + at * pixels,
                   pixels * sizeof(double));
            memcpy(velocity + k * pixels, ref->velocities + at * pixels,
                   pixels * sizeof(double));
            if (residual_mode)
                memcpy(cached + k * residual, ref->residuals + at * residual,
                       residual * sizeof(float));
        }
        batch.count = m;
        batch.classes = classes;
        batch.decide = decide_by_plan;
        batch.decide_context = &context;
        batch.needs_signal = 0;
        batch.trace_states = NULL;
        batch.trace_velocities = NULL;
        batch.trace_signals = NULL;
        batch.trace_residuals = NULL;
        if (testbed_batch_integrate(&batch, start, x, velocity, cached) != 0) {
            status = LEMICA_ERR_INVALID_ARGUMENT;
            goto out;
        }
        for (size_t k = 0; k < m; k++) {
            int from, to;

            status = lemica_plan_replay(plan, replays[k], &from, &to);
            if (status == LEMICA_OK)
                status = lemica_profiler_add_buffers(
                    profiler, from, to, x + k * pixels,
                    ref->final + owners[k] * pixels, pixels, LEMICA_DTYPE_F64);
            if (status != LEMICA_OK)
                goto out;
        }
    }
    status = LEMICA_OK;

out:
    free(x);
    free(velocity);
    free(cached);
    free(classes);
    free(replays);
    free(owners);
    return status;
}

lemica_status
testbed_profile_replays(const struct testbed_batch *settings,
                        const lemica_plan *plan,
                        const struct testbed_reference *reference,
                        size_t max_batch, lemica_profiler *profiler,
                        FILE *progress)
{
    size_t groups = lemica_plan_num_groups(plan);

    if (!settings || !plan || !reference || !profiler ||
        lemica_plan_num_steps(plan) != reference->num_steps ||
        (settings->reuse == TESTBED_REUSE_RESIDUAL && !reference->residuals))
        return LEMICA_ERR_INVALID_ARGUMENT;
    for (size_t g = 0; g < groups; g++) {
        int start;
        size_t first, count;
        lemica_status status =
            lemica_plan_group(plan, g, &start, &first, &count);

        if (status == LEMICA_OK && count > 0)
            status = run_group(settings, plan, reference, start, first, count,
                               max_batch, profiler);
        if (status != LEMICA_OK)
            return status;
        if (progress)
            fprintf(progress, "\rprofiling: group %zu/%zu   ", g + 1, groups);
    }
    if (progress && groups > 0)
        fprintf(progress, "\n");
    return LEMICA_OK;
}

lemica_status
testbed_profile(const struct testbed_run *run, const lemica_plan *plan,
                const struct testbed_sample_id *samples, size_t num_samples,
                lemica_profiler *profiler, FILE *progress)
{
    struct testbed_net *net = NULL;
    struct testbed_batch settings;
    struct testbed_reference reference;
    lemica_status status;

    if (!run || !run->model || !run->times || !plan || !samples ||
        num_samples == 0 || !profiler)
        return LEMICA_ERR_INVALID_ARGUMENT;
    if (testbed_net_new_gmm(run->model, &net) != 0)
        return LEMICA_ERR_NO_MEMORY;
    settings = testbed_batch_output(net, run->num_steps, run->times);
    if (testbed_reference_record(&settings, samples, num_samples, &reference) !=
        0) {
        testbed_net_free(net);
        return LEMICA_ERR_INVALID_ARGUMENT;
    }
    status = testbed_profile_replays(&settings, plan, &reference, 0, profiler,
                                     progress);
    testbed_reference_free(&reference);
    testbed_net_free(net);
    return status;
}

static int
sample_one(const struct testbed_run *run, const lemica_schedule *schedule,
           uint64_t seed, double *x0)
{
    struct testbed_net *net = NULL;
    struct testbed_batch batch;
    unsigned char *mask = NULL;
    int result = -1;

    if (!run || !run->model || !run->times || !x0 || run->num_steps < 1 ||
        testbed_net_new_gmm(run->model, &net) != 0)
        return -1;
    memset(&batch, 0, sizeof(batch));
    batch.net = net;
    batch.num_steps = run->num_steps;
    batch.times = run->times;
    batch.count = 1;
    batch.classes = &run->class_id;
    if (schedule) {
        mask = malloc((size_t)run->num_steps);
        if (!mask || lemica_schedule_num_steps(schedule) != run->num_steps ||
            testbed_schedule_mask(schedule, mask) != 0)
            goto out;
        batch.decide = testbed_decide_mask;
        batch.decide_context = mask;
    }
    result = testbed_batch_sample(&batch, &seed, x0);

out:
    free(mask);
    testbed_net_free(net);
    return result;
}

int
testbed_sample(const struct testbed_run *run, uint64_t seed, double *x0)
{
    return sample_one(run, NULL, seed, x0);
}

int
testbed_sample_schedule(const struct testbed_run *run,
                        const lemica_schedule *schedule, uint64_t seed,
                        double *x0)
{
    if (!schedule)
        return -1;
    return sample_one(run, schedule, seed, x0);
}
