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
