/* SPDX-License-Identifier: MIT */
/* Helpers shared by the fuzz targets. Every failure that a correct library
 * cannot produce aborts, which libFuzzer reports as a crash. */
#ifndef LEMICA_FUZZ_UTIL_H
#define LEMICA_FUZZ_UTIL_H

#include <stdlib.h>
#include <string.h>

#include "lemica/lemica.h"

/* The graph parser allocates N * K doubles up front, which a 30-byte input
 * can make a gigabyte: legal, refused by nothing, and a waste of fuzzing
 * time. Inputs whose line 2 and 3 claim more than 2^20 edge slots are
 * skipped. */
static inline int
lemica_fuzz_claims_huge_graph(const char *text, size_t size)
{
    long values[2] = {0, 0};
    size_t position = 0;

    for (int line = 0; line < 3 && position < size; line++) {
        long value = 0;
        int digits = 0;

        while (position < size && text[position] != '\n') {
            char c = text[position++];

            if (line > 0 && c >= '0' && c <= '9' && value < 100000000L) {
                value = value * 10 + (c - '0');
                digits++;
            }
        }
        position++;
        if (line > 0)
            values[line - 1] = digits ? value : 0;
    }
    return values[0] * values[1] > (1L << 20);
}

static inline char *
lemica_fuzz_format_graph(const lemica_graph *graph,
                         const lemica_metadata *metadata)
{
    size_t length = 0;
    char *text;

    if (lemica_graph_format(graph, metadata, NULL, 0, &length) != LEMICA_OK)
        abort();
    text = malloc(length + 1);
    if (!text || lemica_graph_format(graph, metadata, text, length + 1, NULL) !=
                     LEMICA_OK)
        abort();
    return text;
}

static inline char *
lemica_fuzz_format_schedule(const lemica_schedule *schedule,
                            const lemica_metadata *metadata)
{
    size_t length = 0;
    char *text;

    if (lemica_schedule_format(schedule, metadata, NULL, 0, &length) !=
        LEMICA_OK)
        abort();
    text = malloc(length + 1);
    if (!text || lemica_schedule_format(schedule, metadata, text, length + 1,
                                        NULL) != LEMICA_OK)
        abort();
    return text;
}

/* The step list or mask text of a schedule. */
static inline char *
lemica_fuzz_format_steps(const lemica_schedule *schedule, int mask)
{
    lemica_status (*format)(const lemica_schedule *, char *, size_t, size_t *) =
        mask ? lemica_schedule_format_mask : lemica_schedule_format_steps;
    size_t length = 0;
    char *text;

    if (format(schedule, NULL, 0, &length) != LEMICA_OK)
        abort();
    text = malloc(length + 1);
    if (!text || format(schedule, text, length + 1, NULL) != LEMICA_OK)
        abort();
    return text;
}

#endif /* LEMICA_FUZZ_UTIL_H */
