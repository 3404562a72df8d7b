/* SPDX-License-Identifier: MIT */
/* Exact profiler state for the profile file format (profiler-raw-int.h). */
#include "profiler-int.h"
#include "profiler-raw-int.h"

void
lemica_profiler_raw_get(const lemica_profiler *profiler, int from, int to,
                        struct lemica_profiler_raw *raw)
{
    const struct lemica_edge_stats *stats =
        &profiler->stats[lemica_profiler_slot(profiler, from, to)];

    raw->count = stats->count;
    raw->mean = stats->mean;
    raw->m2 = stats->m2;
    raw->min = stats->min;
    raw->max = stats->max;
}

void
lemica_profiler_raw_set(lemica_profiler *profiler, int from, int to,
                        const struct lemica_profiler_raw *raw)
{
    struct lemica_edge_stats *stats =
        &profiler->stats[lemica_profiler_slot(profiler, from, to)];

    stats->count = raw->count;
    stats->mean = raw->mean;
    stats->m2 = raw->m2;
    stats->min = raw->min;
    stats->max = raw->max;
}
