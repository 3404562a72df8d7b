/* SPDX-License-Identifier: MIT */
/* The solver's API contract: configuration, misuse, budgets, the
 * documented behaviour with a non-monotone comparator, determinism and
 * allocation-free repeated solves. Optimality itself is checked against a
 * brute-force enumerator in test-solver-brute.c. */
#include <math.h>
#include <string.h>

#include "alloc-int.h"
#include "test-common.h"

static lemica_graph *
complete_graph(int n, int k, double (*weight)(int from, int to))
{
    lemica_graph *graph;

    ck_assert_ok(lemica_graph_new(n, k, &graph));
    for (int i = 0; i < n; i++)
        for (int j = i + 2; j < n && j - i <= lemica_graph_max_skip(graph); j++)
            ck_assert_ok(lemica_graph_set_weight(graph, i, j, weight(i, j)));
    return graph;
}

/* Shaped like the paper's Figure 2b: longer and earlier segments hurt more. */
static double
paper_like_weight(int from, int to)
{
    return pow((double)(to - from - 1), 1.5) * exp(-from / 12.0) * 0.01 +
           1e-4 * (double)((from * 7 + to * 13) % 11);
}

static void
expect_steps(const lemica_schedule *schedule, const int *expected, size_t count)
{
    int steps[64];
    size_t n;

    ck_assert_ok(lemica_schedule_steps(schedule, steps, 64, &n));
    ck_assert_uint_eq(n, count);
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(steps[i] == expected[i], "step %zu is %d, expected %d", i,
                      steps[i], expected[i]);
}

START_TEST(test_solver_configuration)
{
    lemica_solver *solver;

    ck_assert_status(lemica_solver_new(NULL), LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_ok(lemica_solver_new(&solver));
    ck_assert_int_eq(lemica_solver_comparator(solver), LEMICA_COMPARATOR_LEXMAX);
    ck_assert_int_eq(lemica_solver_max_skip(solver), 0);

    ck_assert_ok(lemica_solver_set_comparator(solver, LEMICA_COMPARATOR_SUM));
    ck_assert_int_eq(lemica_solver_comparator(solver), LEMICA_COMPARATOR_SUM);
    ck_assert_status(lemica_solver_set_comparator(solver, LEMICA_COMPARATOR_USER),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_solver_set_comparator(solver, (lemica_comparator)42),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_solver_set_comparator(solver, (lemica_comparator)-1),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(lemica_solver_comparator(solver), LEMICA_COMPARATOR_SUM);
    ck_assert_status(lemica_solver_set_user_comparator(solver, NULL, NULL),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(lemica_solver_comparator(solver), LEMICA_COMPARATOR_SUM);

    ck_assert_ok(lemica_solver_set_max_skip(solver, 5));
    ck_assert_int_eq(lemica_solver_max_skip(solver), 5);
    ck_assert_status(lemica_solver_set_max_skip(solver, -1),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(lemica_solver_max_skip(solver), 5);

    ck_assert_ok(lemica_solver_require_step(solver, 7));
    ck_assert_int_eq(lemica_solver_is_step_required(solver, 7), 1);
    ck_assert_int_eq(lemica_solver_is_step_required(solver, 6), 0);
    ck_assert_int_eq(lemica_solver_is_step_required(solver, 100000), 0);
    ck_assert_int_eq(lemica_solver_is_step_required(solver, -1), 0);
    ck_assert_status(lemica_solver_require_step(solver, -1), LEMICA_ERR_OUT_OF_RANGE);
    ck_assert_status(lemica_solver_require_step(solver, LEMICA_MAX_STEPS),
                     LEMICA_ERR_OUT_OF_RANGE);
    ck_assert_ok(lemica_solver_require_first_steps(solver, 3));
    for (int t = 0; t < 3; t++)
        ck_assert_int_eq(lemica_solver_is_step_required(solver, t), 1);
    ck_assert_status(lemica_solver_require_first_steps(solver, -2),
                     LEMICA_ERR_OUT_OF_RANGE);
    ck_assert_status(lemica_solver_require_first_steps(solver, LEMICA_MAX_STEPS + 1),
                     LEMICA_ERR_OUT_OF_RANGE);
    lemica_solver_clear_required_steps(solver);
    ck_assert_int_eq(lemica_solver_is_step_required(solver, 7), 0);
    ck_assert_int_eq(lemica_solver_is_step_required(solver, 1), 0);

    /* NULL handles. */
    ck_assert_status(lemica_solver_set_comparator(NULL, LEMICA_COMPARATOR_SUM),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_solver_set_max_skip(NULL, 1), LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_solver_require_step(NULL, 1), LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_solver_require_first_steps(NULL, 1),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(lemica_solver_comparator(NULL), LEMICA_COMPARATOR_LEXMAX);
    ck_assert_int_eq(lemica_solver_max_skip(NULL), 0);
    lemica_solver_clear_required_steps(NULL);
    lemica_solver_free(NULL);
    lemica_solver_free(solver);
}
END_TEST

START_TEST(test_solver_misuse)
{
    lemica_solver *solver;
    lemica_graph *graph = complete_graph(10, 9, paper_like_weight);
    lemica_schedule *schedule = (lemica_schedule *)&schedule;
    lemica_frontier *frontier = (lemica_frontier *)&frontier;
    int budget = -7;

    ck_assert_ok(lemica_solver_new(&solver));
    ck_assert_status(lemica_solver_solve(NULL, graph, 4, &schedule),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_ptr_null(schedule);
    ck_assert_status(lemica_solver_solve(solver, NULL, 4, &schedule),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_solver_solve(solver, graph, 4, NULL),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_solver_solve_into(solver, graph, 4, NULL),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_solver_solve_frontier(solver, NULL, &frontier),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_ptr_null(frontier);
    ck_assert_status(lemica_solver_solve_frontier(solver, graph, NULL),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_solver_min_budget(solver, graph, NULL),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_solver_min_budget(NULL, graph, &budget),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(budget, -7);

    /* A required step the graph does not have: refused at solve time. */
    ck_assert_ok(lemica_solver_require_step(solver, 10));
    ck_assert_status(lemica_solver_solve(solver, graph, 4, &schedule),
                     LEMICA_ERR_OUT_OF_RANGE);
    ck_assert_ptr_null(schedule);
    ck_assert(strstr(lemica_last_error_message(), "10") != NULL);
    ck_assert_status(lemica_solver_solve_frontier(solver, graph, &frontier),
                     LEMICA_ERR_OUT_OF_RANGE);
    lemica_solver_clear_required_steps(solver);
    ck_assert_ok(lemica_solver_solve(solver, graph, 4, &schedule));
    lemica_schedule_free(schedule);

    lemica_graph_free(graph);
    lemica_solver_free(solver);
}
END_TEST

START_TEST(test_solver_budget_limits)
{
    lemica_solver *solver;

    ck_assert_ok(lemica_solver_new(&solver));
    for (int n = 2; n <= 40; n += 3) {
        for (int k = 1; k < n; k += 2) {
            lemica_graph *graph = complete_graph(n, k, paper_like_weight);
            int minimum = 1 + (n - 1 + k - 1) / k; /* 1 + ceil((N-1)/K) */
            int reported;
            lemica_schedule *schedule = NULL;
            const int bad[] = {-5, 0, 1, minimum - 1, n + 1, n + 100};

            ck_assert_ok(lemica_solver_min_budget(solver, graph, &reported));
            ck_assert_int_eq(reported, minimum);
            for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                if (bad[i] >= 2 && bad[i] >= minimum && bad[i] <= n)
                    continue;
                ck_assert_status(lemica_solver_solve(solver, graph, bad[i], &schedule),
                                 LEMICA_ERR_INFEASIBLE);
                ck_assert_ptr_null(schedule);
            }
            for (int b = minimum; b <= n; b++) {
                ck_assert_ok(lemica_solver_solve(solver, graph, b, &schedule));
                ck_assert_int_eq(lemica_schedule_budget(schedule), b);
                ck_assert_int_eq(lemica_schedule_num_steps(schedule), n);
                ck_assert_int_eq(lemica_schedule_has_costs(schedule), 1);
                lemica_schedule_free(schedule);
            }
            lemica_graph_free(graph);
        }
    }
    lemica_solver_free(solver);
}
END_TEST

START_TEST(test_solver_infeasible_message_names_minimum)
{
    lemica_solver *solver;
    lemica_graph *graph = complete_graph(50, 8, paper_like_weight);
    lemica_schedule *schedule = NULL;

    ck_assert_ok(lemica_solver_new(&solver));
    ck_assert_status(lemica_solver_solve(solver, graph, 5, &schedule),
                     LEMICA_ERR_INFEASIBLE);
    /* 1 + ceil(49 / 8) = 8 */
    ck_assert_msg(strstr(lemica_last_error_message(), "is 8") != NULL, "%s",
                  lemica_last_error_message());
    lemica_graph_free(graph);
    lemica_solver_free(solver);
}
END_TEST

/* LEXMAX and SUM disagree on a graph made for it: SUM takes one very bad
 * segment to save on the others; LEXMAX refuses the peak. */
START_TEST(test_lexmax_differs_from_sum)
{
    lemica_solver *solver;
    lemica_graph *graph;
    lemica_schedule *lexmax, *sum, *max;
    double value;

    /* N = 5, budget 3: paths 0-a-4 with a in 1..3 (K = 4, but 0->4 would
     * be budget 2). */
    ck_assert_ok(lemica_graph_new(5, 4, &graph));
    ck_assert_ok(lemica_graph_set_weight(graph, 0, 1, 0.0));
    ck_assert_ok(lemica_graph_set_weight(graph, 1, 4, 1.0)); /* {1, 0}: sum 1, max 1 */
    ck_assert_ok(lemica_graph_set_weight(graph, 0, 2, 0.6));
    ck_assert_ok(lemica_graph_set_weight(graph, 2, 4, 0.6)); /* {.6,.6}: sum 1.2, max .6 */
    ck_assert_ok(lemica_graph_set_weight(graph, 0, 3, 0.6));
    ck_assert_ok(lemica_graph_set_weight(graph, 3, 4, 0.5)); /* {.6,.5}: sum 1.1, max .6 */
    ck_assert_ok(lemica_solver_new(&solver));
    ck_assert_ok(lemica_solver_solve(solver, graph, 3, &lexmax));
    ck_assert_ok(lemica_solver_set_comparator(solver, LEMICA_COMPARATOR_SUM));
    ck_assert_ok(lemica_solver_solve(solver, graph, 3, &sum));
    ck_assert_ok(lemica_solver_set_comparator(solver, LEMICA_COMPARATOR_MAX));
    ck_assert_ok(lemica_solver_solve(solver, graph, 3, &max));
    expect_steps(lexmax, (const int[]){0, 3, 4}, 3);
    expect_steps(sum, (const int[]){0, 1, 4}, 3);
    /* MAX ties between 0-2-4 and 0-3-4 (both .6): the smaller step wins. */
    expect_steps(max, (const int[]){0, 2, 4}, 3);
    ck_assert_ok(lemica_schedule_max_cost(lexmax, &value));
    ck_assert(value == 0.6);
    ck_assert_ok(lemica_schedule_sum_cost(sum, &value));
    ck_assert(value == 1.0);
    lemica_schedule_free(lexmax);
    lemica_schedule_free(sum);
    lemica_schedule_free(max);
    lemica_graph_free(graph);
    lemica_solver_free(solver);
}
END_TEST

/* "max, then sum" is a total preorder but not monotone: adding the same
 * weight can reverse an order. The DP then keeps, at an intermediate state,
 * the partial schedule that loses in the end. The documented behaviour: a
 * valid schedule with the right budget, not necessarily the best. */
static int
max_then_sum(const double *a, size_t a_length, const double *b,
             size_t b_length, void *user_data)
{
    double sum_a = 0.0, sum_b = 0.0;

    (void)user_data;
    if (a[0] != b[0])
        return a[0] < b[0] ? -1 : 1;
    for (size_t i = 0; i < a_length; i++)
        sum_a += a[i];
    for (size_t i = 0; i < b_length; i++)
        sum_b += b[i];
    return (sum_a > sum_b) - (sum_a < sum_b);
}

START_TEST(test_non_monotone_comparator_documented_behaviour)
{
    lemica_solver *solver;
    lemica_graph *graph;
    lemica_schedule *schedule, *better;
    double costs[4];
    size_t count;

    /* Into state (4, 4 calls) come {3,3,3} via 0-1-2-4 and {4,0,0} via
     * 0-2-3-4; "max, then sum" prefers {3,3,3}. The only way on is (4, 5)
     * of weight 5: {5,3,3,3} (sum 14) against {5,4,0,0} (sum 9), where
     * {5,4,0,0} is better -- but the DP has already dropped it. */
    ck_assert_ok(lemica_graph_new(6, 2, &graph));
    ck_assert_ok(lemica_graph_set_weight(graph, 0, 1, 3.0));
    ck_assert_ok(lemica_graph_set_weight(graph, 1, 2, 3.0));
    ck_assert_ok(lemica_graph_set_weight(graph, 2, 4, 3.0));
    ck_assert_ok(lemica_graph_set_weight(graph, 0, 2, 4.0));
    ck_assert_ok(lemica_graph_set_weight(graph, 4, 5, 5.0));
    ck_assert_ok(lemica_graph_remove_edge(graph, 3, 5));
    ck_assert_ok(lemica_graph_remove_edge(graph, 1, 3));

    ck_assert_ok(lemica_solver_new(&solver));
    ck_assert_ok(lemica_solver_set_user_comparator(solver, max_then_sum, NULL));
    ck_assert_ok(lemica_solver_solve(solver, graph, 5, &schedule));
    expect_steps(schedule, (const int[]){0, 1, 2, 4, 5}, 5);
    ck_assert_ok(lemica_schedule_costs(schedule, costs, 4, &count));
    ck_assert(costs[0] == 5.0 && costs[1] == 3.0 && costs[2] == 3.0 &&
              costs[3] == 3.0);

    /* The better schedule exists and has the same budget. */
    ck_assert_ok(lemica_schedule_new_from_steps(6, (const int[]){0, 2, 3, 4, 5},
                                                5, &better));
    ck_assert_ok(lemica_schedule_evaluate(better, graph));
    ck_assert_ok(lemica_schedule_costs(better, costs, 4, &count));
    ck_assert(costs[0] == 5.0 && costs[1] == 4.0 && costs[2] == 0.0 &&
              costs[3] == 0.0);
    ck_assert_int_lt(max_then_sum(costs, 4, (const double[]){5, 3, 3, 3}, 4, NULL),
                     0);

    /* LEXMAX, being monotone, is optimal here: {5,3,3,3} < {5,4,0,0}. */
    ck_assert_ok(lemica_solver_set_comparator(solver, LEMICA_COMPARATOR_LEXMAX));
    lemica_schedule_free(schedule);
    ck_assert_ok(lemica_solver_solve(solver, graph, 5, &schedule));
    expect_steps(schedule, (const int[]){0, 1, 2, 4, 5}, 5);

    lemica_schedule_free(better);
    lemica_schedule_free(schedule);
    lemica_graph_free(graph);
    lemica_solver_free(solver);
}
END_TEST

START_TEST(test_required_steps_and_max_skip)
{
    lemica_solver *solver;
    lemica_graph *graph = complete_graph(20, 19, paper_like_weight);
    lemica_schedule *schedule;
    int minimum;

    ck_assert_ok(lemica_solver_new(&solver));
    ck_assert_ok(lemica_solver_min_budget(solver, graph, &minimum));
    ck_assert_int_eq(minimum, 2);
    ck_assert_ok(lemica_solver_require_first_steps(solver, 4));
    ck_assert_ok(lemica_solver_require_step(solver, 10));
    ck_assert_ok(lemica_solver_min_budget(solver, graph, &minimum));
    ck_assert_int_eq(minimum, 6); /* 0 1 2 3 10 19 */
    ck_assert_status(lemica_solver_solve(solver, graph, 5, &schedule),
                     LEMICA_ERR_INFEASIBLE);
    ck_assert_ok(lemica_solver_solve(solver, graph, 6, &schedule));
    expect_steps(schedule, (const int[]){0, 1, 2, 3, 10, 19}, 6);
    lemica_schedule_free(schedule);

    ck_assert_ok(lemica_solver_set_max_skip(solver, 3));
    ck_assert_ok(lemica_solver_min_budget(solver, graph, &minimum));
    ck_assert_int_eq(minimum, 10); /* 0 1 2 3 | 3 more to 10 | 3 more to 19 */
    ck_assert_ok(lemica_solver_solve(solver, graph, 12, &schedule));
    for (int t = 0; t < 4; t++)
        ck_assert_int_eq(lemica_schedule_should_compute(schedule, t), 1);
    ck_assert_int_eq(lemica_schedule_should_compute(schedule, 10), 1);
    {
        int steps[12];
        size_t n;
        ck_assert_ok(lemica_schedule_steps(schedule, steps, 12, &n));
        for (size_t i = 0; i + 1 < n; i++)
            ck_assert_int_le(steps[i + 1] - steps[i], 3);
    }
    lemica_schedule_free(schedule);
    lemica_graph_free(graph);
    lemica_solver_free(solver);
}
END_TEST

START_TEST(test_solve_into_unchanged_on_error)
{
    lemica_solver *solver;
    lemica_graph *graph = complete_graph(12, 4, paper_like_weight);
    lemica_schedule *schedule;
    char before[128], after[128];
    double costs_before[16], costs_after[16];
    size_t n;

    ck_assert_ok(lemica_solver_new(&solver));
    ck_assert_ok(lemica_solver_solve(solver, graph, 6, &schedule));
    ck_assert_ok(lemica_schedule_format_steps(schedule, before, sizeof(before), NULL));
    ck_assert_ok(lemica_schedule_costs(schedule, costs_before, 16, &n));
    ck_assert_status(lemica_solver_solve_into(solver, graph, 3, schedule),
                     LEMICA_ERR_INFEASIBLE);
    ck_assert_status(lemica_solver_solve_into(solver, graph, 13, schedule),
                     LEMICA_ERR_INFEASIBLE);
    ck_assert_ok(lemica_schedule_format_steps(schedule, after, sizeof(after), NULL));
    ck_assert_str_eq(before, after);
    ck_assert_ok(lemica_schedule_costs(schedule, costs_after, 16, &n));
    ck_assert(memcmp(costs_before, costs_after, n * sizeof(double)) == 0);
    ck_assert_int_eq(lemica_schedule_budget(schedule), 6);
    lemica_schedule_free(schedule);
    lemica_graph_free(graph);
    lemica_solver_free(solver);
}
END_TEST

/* Same graph, fresh solvers, different orders of solving: same schedule. */
START_TEST(test_solver_deterministic)
{
    lemica_graph *graph = complete_graph(50, 49, paper_like_weight);
    lemica_solver *a, *b;
    char first[256], second[256];

    ck_assert_ok(lemica_solver_new(&a));
    ck_assert_ok(lemica_solver_new(&b));
    for (int budget = 2; budget <= 50; budget++) {
        lemica_schedule *x, *y;
        ck_assert_ok(lemica_solver_solve(a, graph, budget, &x));
        ck_assert_ok(lemica_solver_solve(b, graph, 52 - budget, &y));
        lemica_schedule_free(y);
        ck_assert_ok(lemica_solver_solve(b, graph, budget, &y));
        ck_assert_ok(lemica_schedule_format_steps(x, first, sizeof(first), NULL));
        ck_assert_ok(lemica_schedule_format_steps(y, second, sizeof(second), NULL));
        ck_assert_str_eq(first, second);
        lemica_schedule_free(x);
        lemica_schedule_free(y);
    }
    lemica_solver_free(a);
    lemica_solver_free(b);
    lemica_graph_free(graph);
}
END_TEST

/* Repeated solves of sizes already seen allocate nothing. */
START_TEST(test_repeated_solves_allocate_nothing)
{
    const lemica_comparator comparators[] = {LEMICA_COMPARATOR_LEXMAX,
                                             LEMICA_COMPARATOR_SUM,
                                             LEMICA_COMPARATOR_MAX};
    lemica_graph *graph = complete_graph(60, 20, paper_like_weight);

    for (size_t ci = 0; ci < 3; ci++) {
        lemica_solver *solver;
        lemica_schedule *schedule;
        unsigned long before;

        ck_assert_ok(lemica_solver_new(&solver));
        ck_assert_ok(lemica_solver_set_comparator(solver, comparators[ci]));
        ck_assert_ok(lemica_solver_require_first_steps(solver, 2));
        ck_assert_ok(lemica_solver_solve(solver, graph, 30, &schedule));
        before = lemica_alloc_count();
        for (int budget = 5; budget <= 30; budget++)
            ck_assert_ok(lemica_solver_solve_into(solver, graph, budget, schedule));
        ck_assert_uint_eq(lemica_alloc_count(), before);
        lemica_schedule_free(schedule);
        lemica_solver_free(solver);
    }
    lemica_graph_free(graph);
}
END_TEST

/* After warm-up, a frontier costs three allocations (the handle, its
 * schedules and one block for all their arrays), whatever the budgets. */
START_TEST(test_frontier_allocations)
{
    lemica_graph *graph = complete_graph(50, 49, paper_like_weight);
    lemica_solver *solver;
    lemica_frontier *frontier;
    unsigned long before;

    ck_assert_ok(lemica_solver_new(&solver));
    ck_assert_ok(lemica_solver_solve_frontier(solver, graph, &frontier));
    lemica_frontier_free(frontier);
    before = lemica_alloc_count();
    ck_assert_ok(lemica_solver_solve_frontier(solver, graph, &frontier));
    ck_assert_uint_eq(lemica_alloc_count() - before, 3);
    ck_assert_uint_eq(lemica_frontier_count(frontier), 49);
    lemica_frontier_free(frontier);
    lemica_solver_free(solver);
    lemica_graph_free(graph);
}
END_TEST

/* A larger problem runs through every kernel path (SSE scans, long rows,
 * the uint16 predecessor table). */
START_TEST(test_solver_large)
{
    lemica_graph *graph = complete_graph(1000, 999, paper_like_weight);
    lemica_solver *solver;
    lemica_schedule *schedule;
    double max_lexmax, max_max, sum_lexmax, sum_sum;

    ck_assert_ok(lemica_solver_new(&solver));
    ck_assert_ok(lemica_solver_solve(solver, graph, 100, &schedule));
    ck_assert_ok(lemica_schedule_max_cost(schedule, &max_lexmax));
    ck_assert_ok(lemica_schedule_sum_cost(schedule, &sum_lexmax));
    lemica_schedule_free(schedule);
    ck_assert_ok(lemica_solver_set_comparator(solver, LEMICA_COMPARATOR_MAX));
    ck_assert_ok(lemica_solver_solve(solver, graph, 100, &schedule));
    ck_assert_ok(lemica_schedule_max_cost(schedule, &max_max));
    lemica_schedule_free(schedule);
    ck_assert_ok(lemica_solver_set_comparator(solver, LEMICA_COMPARATOR_SUM));
    ck_assert_ok(lemica_solver_solve(solver, graph, 100, &schedule));
    ck_assert_ok(lemica_schedule_sum_cost(schedule, &sum_sum));
    lemica_schedule_free(schedule);
    /* Each comparator is best at what it optimises. */
    ck_assert(max_lexmax == max_max);
    ck_assert(sum_sum <= sum_lexmax);
    lemica_solver_free(solver);
    lemica_graph_free(graph);
}
END_TEST

static int
lexicographic(const double *a, size_t a_length, const double *b,
              size_t b_length, void *user_data)
{
    (void)user_data;
    (void)b_length;
    for (size_t i = 0; i < a_length; i++)
        if (a[i] != b[i])
            return a[i] < b[i] ? -1 : 1;
    return 0;
}

/* Problems whose DP table would pass the documented maximum are refused
 * before anything is allocated. */
START_TEST(test_solver_size_limits)
{
    lemica_graph *graph;
    lemica_solver *solver;
    lemica_frontier *frontier = NULL;
    lemica_schedule *schedule = NULL;
    int budget;

    ck_assert_ok(lemica_graph_new(20000, 2, &graph));
    ck_assert_ok(lemica_solver_new(&solver));
    /* (N + 1) * N = 4e8 > 2^28 */
    ck_assert_status(lemica_solver_solve_frontier(solver, graph, &frontier),
                     LEMICA_ERR_TOO_LARGE);
    ck_assert_ptr_null(frontier);
    ck_assert_status(lemica_solver_solve(solver, graph, 19000, &schedule),
                     LEMICA_ERR_TOO_LARGE);
    /* min_budget needs no table. */
    ck_assert_ok(lemica_solver_min_budget(solver, graph, &budget));
    ck_assert_int_eq(budget, 20000); /* only span-1 edges exist */
    /* A user comparator keeps full vectors: its limit is lower. */
    ck_assert_ok(lemica_solver_set_user_comparator(solver, lexicographic, NULL));
    ck_assert_status(lemica_solver_solve(solver, graph, 10001, &schedule),
                     LEMICA_ERR_TOO_LARGE);
    ck_assert_ptr_null(schedule);
    lemica_solver_free(solver);
    lemica_graph_free(graph);
}
END_TEST

TEST_SUITE(solver)
{
    add_test(suite, test_solver_size_limits);
    add_test(suite, test_solver_configuration);
    add_test(suite, test_solver_misuse);
    add_test(suite, test_solver_budget_limits);
    add_test(suite, test_solver_infeasible_message_names_minimum);
    add_test(suite, test_lexmax_differs_from_sum);
    add_test(suite, test_non_monotone_comparator_documented_behaviour);
    add_test(suite, test_required_steps_and_max_skip);
    add_test(suite, test_solve_into_unchanged_on_error);
    add_test(suite, test_solver_deterministic);
    add_test(suite, test_repeated_solves_allocate_nothing);
    add_test(suite, test_frontier_allocations);
    add_test(suite, test_solver_large);
}
