/* SPDX-License-Identifier: MIT */
#ifndef LEMICA_FRONTIER_INT_H
#define LEMICA_FRONTIER_INT_H

#include "lemica/lemica-solver.h"

/* The schedules of the feasible budgets, ascending. */
struct lemica_frontier {
    size_t count;
    lemica_schedule **schedules;
};

/* A frontier with room for @count schedules, each allocated empty. */
lemica_status lemica_frontier_alloc(size_t count, lemica_frontier **out);

#endif /* LEMICA_FRONTIER_INT_H */
