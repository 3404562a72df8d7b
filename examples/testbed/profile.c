/* SPDX-License-Identifier: MIT */
/* The profiling loop an engine runs, written against the public API only. */
#include <stdlib.h>

#include "profile.h"

lemica_status
testbed_profile(const struct testbed_run *run, const lemica_plan *plan,
                const struct testbed_sample_id *samples, size_t num_samples,
                lemica_profiler *profiler, FILE *progress)
{
    size_t per_pass = (size_t)run->num_steps * TESTBED_PIXELS;
    double *states = malloc(per_pass * sizeof(double));
    double *velocities = malloc(per_pass * sizeof(double));
    double reference[TESTBED_PIXELS], cached[TESTBED_PIXELS];
    lemica_status status = LEMICA_OK;

    if (!states || !velocities) {
        status = LEMICA_ERR_NO_MEMORY;
        goto out;
    }
    for (size_t s = 0; s < num_samples; s++) {
        struct testbed_run pass = *run;

        pass.class_id = samples[s].class_id;
        pass.decide = NULL;
        pass.trace_states = states;
        pass.trace_velocities = velocities;
        if (testbed_sample(&pass, samples[s].seed, reference) != 0) {
            status = LEMICA_ERR_INVALID_ARGUMENT;
            goto out;
        }
        pass.trace_states = NULL;
        pass.trace_velocities = NULL;
        /* Replays of one group share their start; an engine on a GPU
         * would batch them. Here they run one after the other. */
        for (size_t g = 0; g < lemica_plan_num_groups(plan); g++) {
            int start;
            size_t first, count;

            status = lemica_plan_group(plan, g, &start, &first, &count);
            if (status != LEMICA_OK)
                goto out;
            for (size_t r = first; r < first + count; r++) {
                int from, to;

                status = lemica_plan_replay(plan, r, &from, &to);
                if (status != LEMICA_OK)
                    goto out;
                if (testbed_replay(&pass, plan, r,
                                   states + (size_t)start * TESTBED_PIXELS,
                                   velocities + (size_t)start * TESTBED_PIXELS,
                                   cached) != 0) {
                    status = LEMICA_ERR_INVALID_ARGUMENT;
                    goto out;
                }
                status = lemica_profiler_add_buffers(profiler, from, to, cached,
                                                     reference, TESTBED_PIXELS,
                                                     LEMICA_DTYPE_F64);
                if (status != LEMICA_OK)
                    goto out;
            }
        }
        if (progress)
            fprintf(progress, "\rprofiling: sample %zu/%zu (%s, seed %llu)   ",
                    s + 1, num_samples, testbed_class_name(samples[s].class_id),
                    (unsigned long long)samples[s].seed);
    }
    if (progress && num_samples > 0)
        fprintf(progress, "\n");

out:
    free(states);
    free(velocities);
    return status;
}
