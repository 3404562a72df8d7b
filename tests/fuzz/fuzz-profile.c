/* SPDX-License-Identifier: MIT */
/* Fuzz the profile file parser. Whatever it accepts must format and parse
 * back to the same text, hold statistics samples can give, and survive a
 * merge with itself. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lemica/lemica.h"

#include "fuzz-target.h"
#include "fuzz-util.h"

static char *
format_profile(const lemica_profiler *profiler, const lemica_metadata *metadata)
{
    size_t length = 0;
    char *text;

    if (lemica_profiler_format(profiler, metadata, NULL, 0, &length) !=
        LEMICA_OK)
        abort();
    text = malloc(length + 1);
    if (!text || lemica_profiler_format(profiler, metadata, text, length + 1,
                                        NULL) != LEMICA_OK)
        abort();
    return text;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    lemica_metadata *metadata = NULL;
    lemica_profiler *profiler = NULL;
    lemica_profiler *again = NULL;
    char *first = NULL;
    char *second = NULL;
    lemica_status status;

    /* 40 bytes per slot: the same limit as the graph target's. */
    if (lemica_fuzz_claims_huge_graph(text, size))
        return 0;
    if (lemica_metadata_new(&metadata) != LEMICA_OK)
        return 0;
    if (lemica_profiler_parse(text, size, metadata, &profiler) != LEMICA_OK)
        goto out;
    /* Accepted statistics are ones samples can give (issue 16, item 10). */
    for (int from = 0; from < lemica_profiler_num_steps(profiler); from++)
        for (int to = from + 2; to < lemica_profiler_num_steps(profiler) &&
                                to - from <= lemica_profiler_max_skip(profiler);
             to++) {
            uint64_t count;
            double mean, variance, min, max;

            if (lemica_profiler_edge_stats(profiler, from, to, &count, &mean,
                                           &variance, &min, &max) != LEMICA_OK)
                abort();
            if (count != 0 &&
                (!(min <= mean && mean <= max) || variance < 0.0 ||
                 (count == 1 && (variance != 0.0 || min != max))))
                abort();
        }
    first = format_profile(profiler, metadata);
    if (lemica_profiler_parse(first, strlen(first), NULL, &again) != LEMICA_OK)
        abort();
    second = format_profile(again, metadata);
    if (strcmp(first, second) != 0)
        abort();
    /* Parsed statistics are within the merge's domain: doubling every
     * segment either works or reports an overflow, never crashes. */
    status = lemica_profiler_merge(again, profiler);
    if (status != LEMICA_OK && status != LEMICA_ERR_INVALID_VALUE &&
        status != LEMICA_ERR_TOO_LARGE)
        abort();
out:
    free(first);
    free(second);
    lemica_profiler_free(profiler);
    lemica_profiler_free(again);
    lemica_metadata_free(metadata);
    return 0;
}
