/* SPDX-License-Identifier: MIT */
#include <stddef.h>

#include "dag-size-int.h"
#include "error-int.h"
#include "lemica/lemica-graph.h"

lemica_status
lemica_check_dag_size(int num_steps, int max_skip, const char *what,
                      int *clamped_skip)
{
    if (num_steps < 2)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT,
                           "%s needs at least 2 steps, not %d", what,
                           num_steps);
    if (num_steps > LEMICA_MAX_STEPS)
        return lemica_fail(LEMICA_ERR_TOO_LARGE,
                           "%d steps is above the maximum of %d", num_steps,
                           LEMICA_MAX_STEPS);
    if (max_skip < 1)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT,
                           "max skip must be at least 1, not %d", max_skip);
    if (max_skip > num_steps - 1)
        max_skip = num_steps - 1;
    /* The storage is one slot per possible edge: refuse sizes that would
     * let a bad input take the machine's memory. */
    if ((size_t)num_steps * (size_t)max_skip > LEMICA_MAX_EDGE_SLOTS)
        return lemica_fail(LEMICA_ERR_TOO_LARGE,
                           "%s of %d steps with max skip %d would hold %zu "
                           "edge slots, above the maximum of %lu: lower the "
                           "max skip",
                           what, num_steps, max_skip,
                           (size_t)num_steps * (size_t)max_skip,
                           (unsigned long)LEMICA_MAX_EDGE_SLOTS);
    *clamped_skip = max_skip;
    return LEMICA_OK;
}
