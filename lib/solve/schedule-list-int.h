/* SPDX-License-Identifier: MIT */
#ifndef LEMICA_SCHEDULE_LIST_INT_H
#define LEMICA_SCHEDULE_LIST_INT_H

#include <stdint.h>

#include "lemica/lemica-kbest.h"
#include "frontier-int.h"

/* The schedules live in one block, as a frontier's do (a frontier's k best
 * are a few hundred small schedules: one allocation each would cost more
 * than the DP); ranks[i] is schedule i's rank within its budget. */
struct lemica_schedule_list {
    lemica_frontier *block;
    int *ranks;
};

/* A list for the schedules of budgets 2 .. @layers, @per_budget[c] of
 * budget c (entries below 2 are not read), grouped by ascending budget
 * and ranked 0, 1, ... within each; every schedule has room for its steps
 * and costs, which the caller writes (steps) and then completes with
 * lemica_schedule_list_finish(). LEMICA_ERR_INFEASIBLE, without a
 * message, when the total is 0. */
lemica_status lemica_schedule_list_alloc_budgets(const uint32_t *per_budget,
                                                 int layers, int num_steps,
                                                 lemica_schedule_list **out);

/* Complete every schedule of @list, whose steps are written: its mask,
 * and its costs read from @graph (summed in path order, then sorted
 * descending, as lemica_schedule_set_costs() does). */
lemica_status lemica_schedule_list_complete(lemica_schedule_list *list,
                                            const lemica_graph *graph);

#endif /* LEMICA_SCHEDULE_LIST_INT_H */
