/* SPDX-License-Identifier: MIT */
/* Exact profiler state for the profile file format (profiler-raw-int.h). */
#include <stdio.h>

#include "../common/numtext-int.h"
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

/* The shortest text that reads back as @value. */
static const char *
text_of(double value, char text[LEMICA_DOUBLE_TEXT_SIZE])
{
    if (lemica_format_double(value, text, LEMICA_DOUBLE_TEXT_SIZE) !=
        LEMICA_OK)
        snprintf(text, LEMICA_DOUBLE_TEXT_SIZE, "%.17g", value);
    return text;
}

int
lemica_profiler_raw_check(struct lemica_profiler_raw *raw, char *why,
                          size_t size)
{
    /* The profiler keeps its mean inside [min, max]; other writers (older
     * releases, a caller's own mean through add_stats) may round it an ulp
     * or a few outside, never more than this. */
    double tolerance =
        (double)(raw->count < (1u << 20) ? raw->count : (1u << 20)) *
        0x1p-50 * raw->max;
    char a[LEMICA_DOUBLE_TEXT_SIZE], b[LEMICA_DOUBLE_TEXT_SIZE],
        c[LEMICA_DOUBLE_TEXT_SIZE];

    if (raw->m2 < 0.0) {
        snprintf(why, size, "M2 %s is negative", text_of(raw->m2, a));
        return -1;
    }
    if (raw->min > raw->max) {
        snprintf(why, size, "min %s is above max %s", text_of(raw->min, a),
                 text_of(raw->max, b));
        return -1;
    }
    if (raw->mean < raw->min - tolerance || raw->mean > raw->max + tolerance) {
        snprintf(why, size, "mean %s is outside [min, max] = [%s, %s]",
                 text_of(raw->mean, a), text_of(raw->min, b),
                 text_of(raw->max, c));
        return -1;
    }
    if (raw->count == 1 && raw->m2 != 0.0) {
        snprintf(why, size, "one sample, but M2 %s is not 0",
                 text_of(raw->m2, a));
        return -1;
    }
    if (raw->count == 1 && (raw->min != raw->max || raw->mean != raw->min)) {
        snprintf(why, size,
                 "one sample, but mean %s, min %s and max %s differ",
                 text_of(raw->mean, a), text_of(raw->min, b),
                 text_of(raw->max, c));
        return -1;
    }
    if (raw->mean < raw->min)
        raw->mean = raw->min;
    if (raw->mean > raw->max)
        raw->mean = raw->max;
    return 0;
}
