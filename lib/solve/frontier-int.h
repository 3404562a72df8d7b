/* SPDX-License-Identifier: MIT */
#ifndef LEMICA_FRONTIER_INT_H
#define LEMICA_FRONTIER_INT_H

#include "lemica/lemica-solver.h"
#include "../core/schedule-int.h"

/* The schedules of the feasible budgets, ascending. All their arrays live
 * in one block: a frontier of N = 50 is 49 schedules, and 200 small
 * allocations would cost more than the DP that fills them. */
struct lemica_frontier {
    size_t count;
    lemica_schedule *schedules;
    void *storage;
};

/* A frontier of @count schedules for @num_steps steps with the ascending
 * @budgets, each with room for its steps and costs (contents unset). */
lemica_status lemica_frontier_alloc(size_t count, const int *budgets,
                                    int num_steps, lemica_frontier **out);

#endif /* LEMICA_FRONTIER_INT_H */
