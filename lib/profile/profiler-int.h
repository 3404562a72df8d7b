/* SPDX-License-Identifier: MIT */
#ifndef LEMICA_PROFILER_INT_H
#define LEMICA_PROFILER_INT_H

#include <stdint.h>

#include "lemica/lemica-profiler.h"

/* Running statistics of one segment. m2 is the sum of squared deviations
 * from the mean (Welford); min and max are meaningless while count is 0. */
struct lemica_edge_stats {
    uint64_t count;
    double mean;
    double m2;
    double min;
    double max;
};

/* Segment (i, j), 2 <= j - i <= max_skip, lives at
 * stats[i * max_skip + j - i - 1], the slot of the same edge in a graph, so
 * that the two index alike; the span-1 slots stay empty. */
struct lemica_profiler {
    int num_steps;
    int max_skip;
    lemica_metric metric;
    struct lemica_edge_stats *stats;
};

static inline size_t
lemica_profiler_slot(const lemica_profiler *profiler, int from, int to)
{
    return (size_t)from * (size_t)profiler->max_skip + (size_t)(to - from - 1);
}

#endif /* LEMICA_PROFILER_INT_H */
