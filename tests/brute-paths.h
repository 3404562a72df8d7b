/* SPDX-License-Identifier: MIT */
/*
 * The brute-force path enumerator the exactness tests share: every
 * schedule of a small problem, listed with its cost vector, independently
 * of the library's DP.
 */
#ifndef LEMICA_TEST_BRUTE_PATHS_H
#define LEMICA_TEST_BRUTE_PATHS_H

#include <stddef.h>

#include "lemica/lemica.h"

#define BRUTE_MAX_N 14

/* A problem in plain arrays: the graph's weights under the solver's
 * constraints. */
struct brute_problem {
    int n, k_graph, k_solver, k_effective;
    double weight[BRUTE_MAX_N][BRUTE_MAX_N]; /* NAN = absent */
    int required[BRUTE_MAX_N];
    int integer_weights; /* sums of its weights are exact */
};

/* A schedule found by the enumerator. */
struct brute_path {
    int budget;
    int steps[BRUTE_MAX_N];
    double sorted[BRUTE_MAX_N]; /* cost vector, descending */
    double sum;                 /* added in path order */
    double max;
};

/* Every valid path with @budget steps (every budget when 0) into @paths,
 * which has room for 2^(N - 2); returns how many. */
size_t brute_enumerate(const struct brute_problem *p, int budget,
                       struct brute_path *paths);

/* The cost vectors of two paths of the same budget under @comparator
 * (LEXMAX for LEMICA_COMPARATOR_USER): -1, 0 or 1. */
int brute_compare_cost(lemica_comparator comparator, const struct brute_path *a,
                       const struct brute_path *b);

/* The documented tie rule: step lists compared backwards from the end. */
int brute_compare_backwards(const struct brute_path *a,
                            const struct brute_path *b);

/* The best of the @count @paths of @budget under @comparator, ties by
 * brute_compare_backwards(): what the solver must return; NULL when no
 * path has that budget (infeasible). */
const struct brute_path *brute_best(const struct brute_path *paths,
                                    size_t count, lemica_comparator comparator,
                                    int budget);

/* Fail the test unless @schedule is @path: steps, sorted costs, sum and
 * max; @what says where in a failure message. */
void brute_check_schedule(const lemica_schedule *schedule,
                          const struct brute_path *path, const char *what);

#endif /* LEMICA_TEST_BRUTE_PATHS_H */
