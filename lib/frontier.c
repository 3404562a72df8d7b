/* SPDX-License-Identifier: MIT */
#include "alloc-int.h"
#include "error-int.h"
#include "frontier-int.h"
#include "schedule-int.h"

lemica_status
lemica_frontier_alloc(size_t count, lemica_frontier **out)
{
    lemica_frontier *frontier;

    *out = NULL;
    frontier = lemica_alloc_array(1, sizeof(*frontier));
    if (!frontier)
        return lemica_fail_no_memory("a frontier");
    frontier->count = 0;
    frontier->schedules = lemica_alloc_zeroed(count, sizeof(lemica_schedule *));
    if (!frontier->schedules) {
        lemica_dealloc(frontier);
        return lemica_fail_no_memory("frontier schedules");
    }
    /* count grows as schedules are made, so a failure part way frees
     * exactly the schedules that exist. */
    for (size_t i = 0; i < count; i++) {
        lemica_status status = lemica_schedule_alloc(&frontier->schedules[i]);

        if (status != LEMICA_OK) {
            lemica_frontier_free(frontier);
            return status;
        }
        frontier->count++;
    }
    *out = frontier;
    return LEMICA_OK;
}

void
lemica_frontier_free(lemica_frontier *frontier)
{
    if (!frontier)
        return;
    for (size_t i = 0; i < frontier->count; i++)
        lemica_schedule_free(frontier->schedules[i]);
    lemica_dealloc(frontier->schedules);
    lemica_dealloc(frontier);
}

size_t
lemica_frontier_count(const lemica_frontier *frontier)
{
    return frontier ? frontier->count : 0;
}

lemica_status
lemica_frontier_get(const lemica_frontier *frontier, size_t index,
                    const lemica_schedule **out)
{
    if (!frontier || !out)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT,
                           "frontier and out must not be NULL");
    if (index >= frontier->count)
        return lemica_fail(LEMICA_ERR_OUT_OF_RANGE,
                           "index %zu is past the %zu schedules of the "
                           "frontier",
                           index, frontier->count);
    *out = frontier->schedules[index];
    return LEMICA_OK;
}

lemica_status
lemica_frontier_find(const lemica_frontier *frontier, int budget,
                     const lemica_schedule **out)
{
    size_t lo = 0, hi;

    if (!frontier || !out)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT,
                           "frontier and out must not be NULL");
    /* Budgets are ascending: binary search. */
    hi = frontier->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int here = lemica_schedule_budget(frontier->schedules[mid]);

        if (here == budget) {
            *out = frontier->schedules[mid];
            return LEMICA_OK;
        }
        if (here < budget)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lemica_fail(LEMICA_ERR_INFEASIBLE,
                       "the frontier has no schedule with budget %d", budget);
}
