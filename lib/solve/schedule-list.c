/* SPDX-License-Identifier: MIT */
/* The list of schedules a k-best solve returns. */
#include "../common/alloc-int.h"
#include "../common/error-int.h"
#include "schedule-list-int.h"

lemica_status
lemica_schedule_list_alloc(size_t count, const int *budgets, int num_steps,
                           lemica_schedule_list **out)
{
    lemica_schedule_list *list;
    lemica_status status;

    *out = NULL;
    list = lemica_alloc_zeroed(1, sizeof(*list));
    if (!list)
        return lemica_fail_no_memory("a schedule list");
    list->ranks = lemica_alloc_zeroed(count, sizeof(int));
    if (!list->ranks) {
        lemica_schedule_list_free(list);
        return lemica_fail_no_memory("a schedule list");
    }
    status = lemica_frontier_alloc(count, budgets, num_steps, &list->block);
    if (status != LEMICA_OK) {
        lemica_schedule_list_free(list);
        return status;
    }
    *out = list;
    return LEMICA_OK;
}

void
lemica_schedule_list_free(lemica_schedule_list *list)
{
    if (!list)
        return;
    lemica_frontier_free(list->block);
    lemica_dealloc(list->ranks);
    lemica_dealloc(list);
}

size_t
lemica_schedule_list_count(const lemica_schedule_list *list)
{
    return list ? lemica_frontier_count(list->block) : 0;
}

lemica_status
lemica_schedule_list_get(const lemica_schedule_list *list, size_t index,
                         const lemica_schedule **out)
{
    if (!list || !out)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT,
                           "list and out must not be NULL");
    if (index >= list->block->count)
        return lemica_fail(LEMICA_ERR_OUT_OF_RANGE,
                           "index %zu is past the %zu schedules of the list",
                           index, list->block->count);
    *out = &list->block->schedules[index];
    return LEMICA_OK;
}

int
lemica_schedule_list_rank(const lemica_schedule_list *list, size_t index)
{
    if (!list || index >= list->block->count)
        return -1;
    return list->ranks[index];
}

lemica_status
lemica_schedule_list_find(const lemica_schedule_list *list, int budget,
                          size_t *first, size_t *count)
{
    size_t lo = 0, hi, end;
    const lemica_schedule *schedules;

    if (!list || !first || !count)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT,
                           "list, first and count must not be NULL");
    /* Budgets ascend: the first schedule with budget >= B, then its run. */
    schedules = list->block->schedules;
    hi = list->block->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (schedules[mid].budget < budget)
            lo = mid + 1;
        else
            hi = mid;
    }
    end = lo;
    while (end < list->block->count && schedules[end].budget == budget)
        end++;
    if (end == lo)
        return lemica_fail(LEMICA_ERR_INFEASIBLE,
                           "the list has no schedule with budget %d", budget);
    *first = lo;
    *count = end - lo;
    return LEMICA_OK;
}
