/* SPDX-License-Identifier: MIT */
/* The engine-side adaptive profiling loop of the tests and benchmarks
 * (adaptive-driver.h). */
#include "adaptive-driver.h"

lemica_status
lemica_test_adaptive_run(lemica_adaptive *adaptive, lemica_profiler *profiler,
                         uint64_t num_samples, lemica_test_measure_fn measure,
                         void *ctx)
{
    lemica_status status;

    status = lemica_adaptive_set_num_samples(adaptive, num_samples);
    while (status == LEMICA_OK) {
        lemica_plan *plan = NULL;

        status = lemica_adaptive_next(adaptive, profiler, &plan);
        if (status != LEMICA_OK || !plan)
            break;
        for (size_t r = 0; r < lemica_plan_num_replays(plan); r++) {
            int from, to;
            uint64_t have = 0;

            status = lemica_plan_replay(plan, r, &from, &to);
            if (status == LEMICA_OK)
                status = lemica_profiler_edge_stats(profiler, from, to, &have,
                                                    NULL, NULL, NULL, NULL);
            if (status == LEMICA_OK)
                status = measure(profiler, from, to, have, num_samples, ctx);
            if (status != LEMICA_OK)
                break;
        }
        lemica_plan_free(plan);
    }
    return status;
}

lemica_status
lemica_test_add_samples(lemica_profiler *profiler, const struct profile_data *d,
                        int from, int to, uint64_t first_sample,
                        uint64_t end_sample)
{
    size_t per = (size_t)d->n * (size_t)d->k, slot = data_slot(d, from, to);
    lemica_status status = LEMICA_OK;

    for (uint64_t s = first_sample; s < end_sample && status == LEMICA_OK; s++)
        status = lemica_profiler_add_error(profiler, from, to,
                                           d->err[(size_t)s * per + slot]);
    return status;
}

/* lemica_test_add_samples() as a measurement, @ctx the struct
 * profile_data. */
static lemica_status
measure_samples(lemica_profiler *profiler, int from, int to,
                uint64_t first_sample, uint64_t end_sample, void *ctx)
{
    return lemica_test_add_samples(profiler, ctx, from, to, first_sample,
                                   end_sample);
}

lemica_status
lemica_test_adaptive_replay(lemica_adaptive *adaptive,
                            lemica_profiler *profiler,
                            const struct profile_data *d, int num_samples)
{
    return lemica_test_adaptive_run(adaptive, profiler, (uint64_t)num_samples,
                                    measure_samples, (void *)d);
}
