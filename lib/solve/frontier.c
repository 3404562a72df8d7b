/* SPDX-License-Identifier: MIT */
#include "../common/alloc-int.h"
#include "../common/error-int.h"
#include "frontier-int.h"
#include "../core/schedule-int.h"

lemica_status
lemica_frontier_alloc(size_t count, const int *budgets, int num_steps,
                      lemica_frontier **out)
{
    lemica_frontier *frontier;
    size_t total_steps = 0, total_costs = 0, bytes;
    double *costs;
    int *steps;
    unsigned char *masks;

    *out = NULL;
    for (size_t i = 0; i < count; i++) {
        total_steps += (size_t)budgets[i];
        total_costs += (size_t)budgets[i] - 1;
    }
    /* Doubles first, then ints, then bytes: each part stays aligned.
     * N <= LEMICA_MAX_FRONTIER_STEPS bounds the total by 7 N^2 bytes, under
     * 2^29, so no sum or product here can overflow even a 32-bit size_t. */
    bytes = total_costs * sizeof(double) + total_steps * sizeof(int) +
            count * (size_t)num_steps;
    frontier = lemica_alloc_zeroed(1, sizeof(*frontier));
    if (!frontier)
        return lemica_fail_no_memory("a frontier");
    /* Not zeroed: every field is set below (a k-best list has hundreds). */
    frontier->schedules = lemica_alloc_array(count, sizeof(lemica_schedule));
    frontier->storage = lemica_alloc_array(bytes, 1);
    if (!frontier->schedules || !frontier->storage) {
        lemica_frontier_free(frontier);
        return lemica_fail_no_memory("frontier schedules");
    }
    costs = frontier->storage;
    steps = (int *)(costs + total_costs);
    masks = (unsigned char *)(steps + total_steps);
    for (size_t i = 0; i < count; i++) {
        lemica_schedule *schedule = &frontier->schedules[i];

        schedule->num_steps = 0;
        schedule->budget = 0;
        schedule->max_cost = 0.0;
        schedule->sum_cost = 0.0;
        schedule->has_costs = 0;
        schedule->costs = costs;
        schedule->costs_capacity = (size_t)budgets[i] - 1;
        schedule->steps = steps;
        schedule->steps_capacity = (size_t)budgets[i];
        schedule->mask = masks;
        schedule->mask_capacity = (size_t)num_steps;
        costs += budgets[i] - 1;
        steps += budgets[i];
        masks += num_steps;
    }
    frontier->count = count;
    *out = frontier;
    return LEMICA_OK;
}

void
lemica_frontier_free(lemica_frontier *frontier)
{
    if (!frontier)
        return;
    lemica_dealloc(frontier->storage);
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
    *out = &frontier->schedules[index];
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
        int here = frontier->schedules[mid].budget;

        if (here == budget) {
            *out = &frontier->schedules[mid];
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
