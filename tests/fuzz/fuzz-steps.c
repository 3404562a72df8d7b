/* SPDX-License-Identifier: MIT */
/* Fuzz the step-list parser. The first two bytes choose N (2 .. 65537, the
 * last one above the maximum), the rest is the text. An accepted list must
 * format to text that parses to the same steps. */
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
    int num_steps;

    if (size < 2)
        return 0;
    num_steps = 2 + (int)(data[0] | (data[1] << 8));
    if (data[0] == 0xff && data[1] == 0xff)
        num_steps = LEMICA_MAX_STEPS + 1;
    if (lemica_schedule_parse_steps(num_steps, (const char *)data + 2, size - 2,
                                    &schedule) != LEMICA_OK)
        return 0;
    first = lemica_fuzz_format_steps(schedule, 0);
    if (lemica_schedule_parse_steps(num_steps, first, strlen(first), &again) !=
        LEMICA_OK)
        abort();
    second = lemica_fuzz_format_steps(again, 0);
    if (strcmp(first, second) != 0)
        abort();
    free(first);
    free(second);
    lemica_schedule_free(schedule);
    lemica_schedule_free(again);
    return 0;
}
