/* SPDX-License-Identifier: MIT */
#ifndef LEMICA_KBEST_MAX_INT_H
#define LEMICA_KBEST_MAX_INT_H

#include "lemica/lemica-kbest.h"
#include "solver-int.h"

/* The k best schedules under MAX by the backward search of
 * solver-kbest-max.c: of budget @budget, or of every budget up to
 * @budget = N when @frontier. @problem is prepared with
 * LEMICA_SOLVE_EDGES (plain incoming weights) and validated, k (B + 1) N
 * within LEMICA_MAX_KBEST_ENTRIES. Returns LEMICA_ERR_INFEASIBLE without
 * a message when no wanted budget has a schedule (the caller says why). */
lemica_status lemica_solver_kbest_max(lemica_solver *solver,
                                      const struct lemica_problem *problem,
                                      int budget, int count, int frontier,
                                      lemica_schedule_list **out);

#endif /* LEMICA_KBEST_MAX_INT_H */
