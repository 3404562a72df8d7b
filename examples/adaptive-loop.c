/* SPDX-License-Identifier: MIT */
/* Adaptive profiling, the loop an engine runs: ask which segments to
 * replay, replay them on every profiling sample, add the errors, ask again
 * until the schedules are final. The "engine" here is a formula standing
 * in for the replays (an error that grows with the reused span and is
 * larger late in sampling). Build:
 * cc adaptive-loop.c $(pkg-config --cflags --libs lemica) */
#include <stdio.h>

#include <lemica/lemica.h>

#define STEPS 30
#define SAMPLES 2

/* What a replay of segment (from, to) on sample @sample would measure. */
static double
replay_error(int sample, int from, int to)
{
    double span = to - from - 1, late = 1.0 + from / 10.0;

    return 0.001 * span * (span + 1) * late * (1.0 + 0.1 * sample);
}

static int
fail(const char *what, lemica_status status)
{
    fprintf(stderr, "%s: %s (%s)\n", what, lemica_strerror(status),
            lemica_last_error_message());
    return 1;
}

int
main(void)
{
    static const int budgets[] = {8, 12};
    lemica_adaptive *adaptive = NULL;
    lemica_profiler *profiler = NULL;
    lemica_plan *plan = NULL;
    lemica_status status;
    int rc = 1;

    status = lemica_adaptive_new(STEPS, STEPS - 1, LEMICA_ASSUMPTION_NESTED,
                                 &adaptive);
    if (status != LEMICA_OK)
        return fail("lemica_adaptive_new", status);
    for (int b = 0; b < 2; b++)
        lemica_adaptive_request_budget(adaptive, budgets[b]);
    lemica_adaptive_set_num_samples(adaptive, SAMPLES);
    lemica_adaptive_set_min_batch(adaptive, 8); /* keep the GPUs busy */
    status = lemica_profiler_new(STEPS, STEPS - 1, LEMICA_METRIC_L1, &profiler);
    if (status != LEMICA_OK) {
        fail("lemica_profiler_new", status);
        goto out;
    }
    /* The engine ran its reference passes (one per sample) already. */
    for (;;) {
        status = lemica_adaptive_next(adaptive, profiler, &plan);
        if (status != LEMICA_OK) {
            fail("lemica_adaptive_next", status);
            goto out;
        }
        if (!plan)
            break; /* the schedules are final */
        for (size_t g = 0; g < lemica_plan_num_groups(plan); g++) {
            int start;
            size_t first, count;

            /* One batch per start step, as for a full profiling plan. */
            lemica_plan_group(plan, g, &start, &first, &count);
            for (size_t r = first; r < first + count; r++) {
                int from, to;

                lemica_plan_replay(plan, r, &from, &to);
                for (int s = 0; s < SAMPLES; s++)
                    lemica_profiler_add_error(profiler, from, to,
                                              replay_error(s, from, to));
            }
        }
        lemica_plan_free(plan);
    }
    printf("%zu rounds, %zu segments measured, %llu model calls instead of "
           "%llu (%.0f%%), %zu assumption violations\n",
           lemica_adaptive_num_rounds(adaptive),
           lemica_adaptive_num_measured(adaptive),
           (unsigned long long)lemica_adaptive_model_calls(adaptive),
           (unsigned long long)lemica_adaptive_full_model_calls(adaptive),
           100.0 * (double)lemica_adaptive_model_calls(adaptive) /
               (double)lemica_adaptive_full_model_calls(adaptive),
           lemica_adaptive_num_violations(adaptive));
    for (int b = 0; b < 2; b++) {
        lemica_schedule *schedule = NULL;
        char steps[256];

        status = lemica_adaptive_schedule(adaptive, budgets[b], &schedule);
        if (status != LEMICA_OK) {
            fail("lemica_adaptive_schedule", status);
            goto out;
        }
        lemica_schedule_format_steps(schedule, steps, sizeof(steps), NULL);
        printf("budget %2d: %s\n", budgets[b], steps);
        lemica_schedule_free(schedule);
    }
    rc = 0;
out:
    lemica_profiler_free(profiler);
    lemica_adaptive_free(adaptive);
    return rc;
}
