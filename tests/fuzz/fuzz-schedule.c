/* SPDX-License-Identifier: MIT */
/* Fuzz the schedule file parser, with and without an expected step count.
 * Whatever it accepts must format and parse back to the same text. */
#include <stdlib.h>
#include <string.h>

#include "lemica/lemica.h"

#include "fuzz-target.h"
#include "fuzz-util.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    lemica_metadata *metadata = NULL;
    lemica_schedule *schedule = NULL;
    lemica_schedule *again = NULL;
    char *first = NULL;
    char *second = NULL;

    if (lemica_metadata_new(&metadata) != LEMICA_OK)
        return 0;
    if (lemica_schedule_parse(text, size, 0, metadata, &schedule) != LEMICA_OK)
        goto out;
    /* The right step count is accepted, any other refused. */
    if (lemica_schedule_parse(text, size, lemica_schedule_num_steps(schedule),
                              NULL, &again) != LEMICA_OK)
        abort();
    lemica_schedule_free(again);
    again = NULL;
    if (lemica_schedule_parse(text, size,
                              lemica_schedule_num_steps(schedule) + 1, NULL,
                              &again) != LEMICA_ERR_MISMATCH)
        abort();
    first = lemica_fuzz_format_schedule(schedule, metadata);
    if (lemica_schedule_parse(first, strlen(first), 0, NULL, &again) !=
        LEMICA_OK)
        abort();
    second = lemica_fuzz_format_schedule(again, metadata);
    if (strcmp(first, second) != 0)
        abort();
out:
    free(first);
    free(second);
    lemica_schedule_free(schedule);
    lemica_schedule_free(again);
    lemica_metadata_free(metadata);
    return 0;
}
