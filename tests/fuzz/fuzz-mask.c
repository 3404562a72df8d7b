/* SPDX-License-Identifier: MIT */
/* Fuzz the compute-mask parser. An accepted mask must format to text that
 * parses to the same schedule, and agree with its step list. */
#include <stdlib.h>
#include <string.h>

#include "lemica/lemica.h"

#include "fuzz-target.h"
#include "fuzz-util.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lemica_schedule *schedule = NULL;
    lemica_schedule *again = NULL;
    char *first = NULL;
    char *second = NULL;
    char *steps = NULL;

    if (lemica_schedule_parse_mask((const char *)data, size, &schedule) !=
        LEMICA_OK)
        return 0;
    first = lemica_fuzz_format_steps(schedule, 1);
    if (lemica_schedule_parse_mask(first, strlen(first), &again) != LEMICA_OK)
        abort();
    second = lemica_fuzz_format_steps(again, 1);
    if (strcmp(first, second) != 0)
        abort();
    lemica_schedule_free(again);
    again = NULL;
    steps = lemica_fuzz_format_steps(schedule, 0);
    if (lemica_schedule_parse_steps(lemica_schedule_num_steps(schedule), steps,
                                    strlen(steps), &again) != LEMICA_OK)
        abort();
    for (int step = 0; step < lemica_schedule_num_steps(schedule); step++)
        if (lemica_schedule_should_compute(schedule, step) !=
            lemica_schedule_should_compute(again, step))
            abort();
    free(first);
    free(second);
    free(steps);
    lemica_schedule_free(schedule);
    lemica_schedule_free(again);
    return 0;
}
