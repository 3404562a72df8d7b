/* SPDX-License-Identifier: MIT */
/* The list of schedules a k-best solve returns. */
#include <string.h>

#include "../common/alloc-int.h"
#include "../common/error-int.h"
#include "../core/graph-int.h"
#include "../core/schedule-int.h"
#include "schedule-list-int.h"

lemica_status
lemica_schedule_list_alloc_budgets(const uint32_t *per_budget, int layers,
                                   int num_steps, lemica_schedule_list **out)
{
    lemica_schedule_list *list;
    lemica_status status;
    size_t count = 0, at = 0;

    *out = NULL;
    for (int c = 2; c <= layers; c++)
        count += per_budget[c];
    if (count == 0)
        return LEMICA_ERR_INFEASIBLE;
    list = lemica_alloc_zeroed(1, sizeof(*list));
    if (!list)
        return lemica_fail_no_memory("a schedule list");
    list->ranks = lemica_alloc_zeroed(count, sizeof(int));
    if (!list->ranks) {
        lemica_schedule_list_free(list);
        return lemica_fail_no_memory("a schedule list");
    }
    /* The ranks' room holds the budgets until the block is made. */
    for (int c = 2; c <= layers; c++)
        for (uint32_t i = 0; i < per_budget[c]; i++)
            list->ranks[at++] = c;
    status = lemica_frontier_alloc(count, list->ranks, num_steps,
                                   &list->block);
    if (status != LEMICA_OK) {
        lemica_schedule_list_free(list);
        return status;
    }
    at = 0;
    for (int c = 2; c <= layers; c++)
        for (uint32_t i = 0; i < per_budget[c]; i++)
            list->ranks[at++] = (int)i;
    *out = list;
    return LEMICA_OK;
}

/* Sort descending: runs of SORT_RUN by insertion, then merged pairwise
 * through a buffer on the stack; a longer vector goes to the library's
 * sort. A list has a few hundred schedules of a few dozen costs, where
 * the general sort's gaps cost twice as much. */
#define SORT_RUN 8
#define SORT_MERGED 128

static void
sort_costs(double *costs, size_t count)
{
    double buffer[SORT_MERGED], *from = costs, *to = buffer;

    if (count > SORT_MERGED) {
        lemica_sort_descending(costs, count);
        return;
    }
    for (size_t start = 0; start < count; start += SORT_RUN) {
        size_t end = start + SORT_RUN < count ? start + SORT_RUN : count;

        for (size_t i = start + 1; i < end; i++) {
            double w = costs[i];
            size_t j = i;

            for (; j > start && costs[j - 1] < w; j--)
                costs[j] = costs[j - 1];
            costs[j] = w;
        }
    }
    for (size_t width = SORT_RUN; width < count; width *= 2) {
        double *swap;

        for (size_t start = 0; start < count; start += 2 * width) {
            size_t i = start, middle = start + width, j, end, o = start;

            middle = middle < count ? middle : count;
            end = start + 2 * width < count ? start + 2 * width : count;
            j = middle;
            while (i < middle && j < end)
                to[o++] = from[i] >= from[j] ? from[i++] : from[j++];
            while (i < middle)
                to[o++] = from[i++];
            while (j < end)
                to[o++] = from[j++];
        }
        swap = from;
        from = to;
        to = swap;
    }
    if (from != costs)
        memcpy(costs, from, count * sizeof(double));
}

void
lemica_schedule_list_finish(lemica_schedule_list *list, size_t index,
                            const lemica_graph *graph)
{
    lemica_schedule *schedule = &list->block->schedules[index];
    const int budget = (int)schedule->steps_capacity;
    const int *steps = schedule->steps;
    double *costs = schedule->costs;
    double sum = 0.0;

    schedule->num_steps = graph->num_steps;
    schedule->budget = budget;
    memset(schedule->mask, 0, (size_t)graph->num_steps);
    for (int c = 0; c < budget; c++)
        schedule->mask[steps[c]] = 1;
    /* Summed in path order (the SUM comparator's order). */
    for (int e = 0; e + 1 < budget; e++) {
        costs[e] = lemica_graph_weight_or_nan(graph, steps[e], steps[e + 1]);
        sum += costs[e];
    }
    sort_costs(costs, (size_t)budget - 1);
    schedule->sum_cost = sum;
    schedule->max_cost = costs[0];
    schedule->has_costs = 1;
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
