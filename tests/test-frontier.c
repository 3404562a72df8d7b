/* SPDX-License-Identifier: MIT */
/* The frontier handle. That it equals the single-budget solves is checked
 * on random graphs in test-solver-brute.c. */
#include <string.h>

#include "test-common.h"

START_TEST(test_frontier_budgets)
{
    lemica_graph *graph;
    lemica_solver *solver;
    lemica_frontier *frontier;
    const lemica_schedule *schedule = NULL;

    /* N = 10, K = 3: budgets 4 .. 10. */
    ck_assert_ok(lemica_graph_new(10, 3, &graph));
    for (int i = 0; i < 10; i++)
        for (int j = i + 2; j < 10 && j - i <= 3; j++)
            ck_assert_ok(lemica_graph_set_weight(graph, i, j, 0.1 * (j - i) + 0.01 * i));
    ck_assert_ok(lemica_solver_new(&solver));
    ck_assert_ok(lemica_solver_solve_frontier(solver, graph, &frontier));
    ck_assert_uint_eq(lemica_frontier_count(frontier), 7);
    for (size_t i = 0; i < 7; i++) {
        ck_assert_ok(lemica_frontier_get(frontier, i, &schedule));
        ck_assert_int_eq(lemica_schedule_budget(schedule), 4 + (int)i);
        ck_assert_int_eq(lemica_schedule_num_steps(schedule), 10);
        ck_assert_int_eq(lemica_schedule_has_costs(schedule), 1);
    }
    ck_assert_ok(lemica_frontier_find(frontier, 10, &schedule));
    ck_assert_int_eq(lemica_schedule_budget(schedule), 10);
    /* All computed: every segment is span 1, weight 0. */
    {
        double max;
        ck_assert_ok(lemica_schedule_max_cost(schedule, &max));
        ck_assert(max == 0.0);
    }
    ck_assert_status(lemica_frontier_find(frontier, 3, &schedule), LEMICA_ERR_INFEASIBLE);
    ck_assert_status(lemica_frontier_find(frontier, 11, &schedule), LEMICA_ERR_INFEASIBLE);
    ck_assert_status(lemica_frontier_find(frontier, -1, &schedule), LEMICA_ERR_INFEASIBLE);
    ck_assert_status(lemica_frontier_get(frontier, 7, &schedule), LEMICA_ERR_OUT_OF_RANGE);
    ck_assert_status(lemica_frontier_get(frontier, (size_t)-1, &schedule),
                     LEMICA_ERR_OUT_OF_RANGE);
    ck_assert_status(lemica_frontier_get(NULL, 0, &schedule), LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_frontier_get(frontier, 0, NULL), LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_frontier_find(NULL, 4, &schedule), LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_uint_eq(lemica_frontier_count(NULL), 0);
    lemica_frontier_free(frontier);
    lemica_frontier_free(NULL);
    lemica_solver_free(solver);
    lemica_graph_free(graph);
}
END_TEST

START_TEST(test_frontier_with_gaps_and_infeasible)
{
    lemica_graph *graph;
    lemica_solver *solver;
    lemica_frontier *frontier = NULL;
    const lemica_schedule *schedule;

    /* N = 5 with only the edges 0-2, 2-4 and the span-1 edges removed
     * except 1-2: the only path is 0 2 4 (budget 3). */
    ck_assert_ok(lemica_graph_new(5, 2, &graph));
    ck_assert_ok(lemica_graph_remove_edge(graph, 0, 1));
    ck_assert_ok(lemica_graph_remove_edge(graph, 2, 3));
    ck_assert_ok(lemica_graph_remove_edge(graph, 3, 4));
    ck_assert_ok(lemica_graph_set_weight(graph, 0, 2, 0.5));
    ck_assert_ok(lemica_graph_set_weight(graph, 2, 4, 0.25));
    ck_assert_ok(lemica_solver_new(&solver));
    ck_assert_ok(lemica_solver_solve_frontier(solver, graph, &frontier));
    ck_assert_uint_eq(lemica_frontier_count(frontier), 1);
    ck_assert_ok(lemica_frontier_find(frontier, 3, &schedule));
    ck_assert_int_eq(lemica_schedule_should_compute(schedule, 2), 1);
    ck_assert_int_eq(lemica_schedule_should_compute(schedule, 1), 0);
    lemica_frontier_free(frontier);

    /* Cut the graph: nothing is feasible. */
    ck_assert_ok(lemica_graph_remove_edge(graph, 2, 4));
    frontier = (lemica_frontier *)&frontier;
    ck_assert_status(lemica_solver_solve_frontier(solver, graph, &frontier),
                     LEMICA_ERR_INFEASIBLE);
    ck_assert_ptr_null(frontier);
    lemica_solver_free(solver);
    lemica_graph_free(graph);
}
END_TEST

TEST_SUITE(frontier)
{
    add_test(suite, test_frontier_budgets);
    add_test(suite, test_frontier_with_gaps_and_infeasible);
}
