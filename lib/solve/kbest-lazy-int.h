/* SPDX-License-Identifier: MIT */
#ifndef LEMICA_KBEST_LAZY_INT_H
#define LEMICA_KBEST_LAZY_INT_H

#include "lemica/lemica-kbest.h"
#include "solver-int.h"

/* The k best schedules under LEXMAX or SUM by lazy enumeration (see
 * solver-kbest-lazy.c): of budget @budget, or of every budget up to
 * @budget = N when @frontier. @problem is prepared with
 * LEMICA_SOLVE_EDGES (plain incoming weights) and validated, k (B + 1) N
 * within LEMICA_MAX_KBEST_ENTRIES. Returns LEMICA_ERR_INFEASIBLE without
 * a message when no wanted budget has a schedule (the caller says why).
 * Sets *@fallback (and returns LEMICA_OK, *@out untouched) when SUM cannot
 * be enumerated exactly this way: exact sums wider than 127 bits, or more
 * near-ties at a final state than its room; the caller then runs the
 * DP of solver-kbest.c. */
lemica_status lemica_solver_kbest_lazy(lemica_solver *solver,
                                       const struct lemica_problem *problem,
                                       int budget, int count, int frontier,
                                       lemica_schedule_list **out,
                                       int *fallback);

/* The SUM margin: twice a bound on how far the floating-point sum of a
 * path (in path order) can be from its exact sum, 2 N ulp(U), U above
 * every partial sum; infinite when U overflows. */
double lemica_kbest_sum_margin(const struct lemica_problem *problem,
                               const lemica_solver *solver);

/* The states (t, @c) that can still end at a wanted (N - 1, B): t in
 * *@t_min .. *@t_max (every t >= c - 1 for the frontier form). */
void lemica_kbest_state_range(const struct lemica_problem *problem,
                              int budget, int frontier, int c, int *t_min,
                              int *t_max);

/* The usable weights into @t of the prepared incoming matrix: row[s] for
 * s in first_pred[t] .. t - 1, +inf where unusable. */
const double *lemica_kbest_incoming_row(const lemica_solver *solver,
                                        const struct lemica_problem *problem,
                                        int t);

#endif /* LEMICA_KBEST_LAZY_INT_H */
