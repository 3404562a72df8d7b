/* SPDX-License-Identifier: MIT */
#ifndef LEMICA_SCHEDULE_LIST_INT_H
#define LEMICA_SCHEDULE_LIST_INT_H

#include <stdint.h>

#include "lemica/lemica-kbest.h"
#include "frontier-int.h"
#include "solver-int.h"

/* The schedules live in one block, as a frontier's do (a frontier's k best
 * are a few hundred small schedules: one allocation each would cost more
 * than the DP); ranks[i] is schedule i's rank within its budget. */
struct lemica_schedule_list {
    lemica_frontier *block;
    int *ranks;
};

/* Write the steps of the schedule of rank @rank (0 = best) of budget
 * @budget into @steps (room for @budget). */
typedef void (*lemica_schedule_list_steps)(const void *context, int budget,
                                           uint32_t rank, int *steps);

/* The list of @per_budget[c] schedules of each budget c = 2 .. @layers
 * (entries below 2 are not read), grouped by ascending budget, best
 * first: @write gives each one's steps, the costs come from @graph
 * (summed in path order, sorted descending, as
 * lemica_schedule_set_costs() does); @scratch is workspace (the solver's,
 * kept from call to call). LEMICA_ERR_INFEASIBLE, without a message, when
 * there is none. */
lemica_status lemica_schedule_list_build(const uint32_t *per_budget, int layers,
                                         const lemica_graph *graph,
                                         lemica_schedule_list_steps write,
                                         const void *context,
                                         struct lemica_buffer *scratch,
                                         lemica_schedule_list **out);

/* The rows of budget @budget: its schedules' steps, best first, one row
 * of @budget steps after another. */
typedef const int *(*lemica_schedule_list_rows)(const void *context,
                                                int budget);

/* lemica_schedule_list_build() for a search that keeps each budget's
 * schedules as rows: one copy a budget (the list's steps are one array,
 * in its order) instead of a call a schedule. */
lemica_status lemica_schedule_list_build_rows(const uint32_t *per_budget,
                                              int layers,
                                              const lemica_graph *graph,
                                              lemica_schedule_list_rows rows,
                                              const void *context,
                                              struct lemica_buffer *scratch,
                                              lemica_schedule_list **out);

#endif /* LEMICA_SCHEDULE_LIST_INT_H */
