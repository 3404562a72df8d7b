/* SPDX-License-Identifier: MIT */
#ifndef LEMICA_SCHEDULE_LIST_INT_H
#define LEMICA_SCHEDULE_LIST_INT_H

#include "lemica/lemica-kbest.h"
#include "frontier-int.h"

/* The schedules live in one block, as a frontier's do (a frontier's k best
 * are a few hundred small schedules: one allocation each would cost more
 * than the DP); ranks[i] is schedule i's rank within its budget. */
struct lemica_schedule_list {
    lemica_frontier *block;
    int *ranks;
};

/* A list of @count schedules for @num_steps steps with the given
 * @budgets (ascending), each with room for its steps and costs (contents
 * unset), ranks unset. @count >= 1. */
lemica_status lemica_schedule_list_alloc(size_t count, const int *budgets,
                                         int num_steps,
                                         lemica_schedule_list **out);

#endif /* LEMICA_SCHEDULE_LIST_INT_H */
