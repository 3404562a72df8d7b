/* SPDX-License-Identifier: MIT */
/* Exact access to a profiler segment's running state, for the profile file
 * format: the public API gives the sample variance, from which the sum of
 * squared deviations (m2) comes back only within rounding, and a profile
 * file must round-trip bit for bit so that shards merge as if never
 * saved. */
#ifndef LEMICA_PROFILER_RAW_INT_H
#define LEMICA_PROFILER_RAW_INT_H

#include <stdint.h>

#include "lemica/lemica-profiler.h"

/* The state of one segment: m2 is sum (x - mean)^2 over the samples. */
struct lemica_profiler_raw {
    uint64_t count;
    double mean;
    double m2;
    double min;
    double max;
};

/* Read segment (from, to), 2 <= to - from <= K, to < N (checked by the
 * caller). */
void lemica_profiler_raw_get(const lemica_profiler *profiler, int from, int to,
                             struct lemica_profiler_raw *raw);

/* Overwrite segment (from, to) (range checked by the caller; values are
 * taken as they are). */
void lemica_profiler_raw_set(lemica_profiler *profiler, int from, int to,
                             const struct lemica_profiler_raw *raw);

#endif /* LEMICA_PROFILER_RAW_INT_H */
