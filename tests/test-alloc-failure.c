/* SPDX-License-Identifier: MIT */
/*
 * Allocation failures: every public operation is run with its n-th
 * allocation failing, for n = 0, 1, 2, ... until it succeeds. Each failing
 * run must return LEMICA_ERR_NO_MEMORY, leave the objects it was given
 * usable and unchanged, and leak nothing (the ASan and valgrind runs of
 * this suite check the leaks).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc-int.h"
#include "test-common.h"

/* Run @operation with failure injection at every allocation; adds the
 * number of allocations it makes (each one made to fail once) to
 * @sites_. */
#define SWEEP(sites_, operation_, on_failure_)                                 \
    do {                                                                       \
        for (long n_ = 0;; n_++) {                                             \
            lemica_status st_;                                                 \
            lemica_alloc_fail_after(n_);                                       \
            st_ = (operation_);                                                \
            lemica_alloc_fail_after(-1);                                       \
            if (st_ == LEMICA_OK) {                                            \
                (sites_) += n_;                                                \
                break;                                                         \
            }                                                                  \
            ck_assert_msg(st_ == LEMICA_ERR_NO_MEMORY,                         \
                          "%s with allocation %ld failing: %s", #operation_,   \
                          n_, lemica_status_name(st_));                        \
            on_failure_;                                                       \
            ck_assert_msg(n_ < 1000, "%s never succeeds", #operation_);        \
        }                                                                      \
    } while (0)

static lemica_graph *
make_graph(void)
{
    lemica_graph *graph;

    ck_assert_ok(lemica_graph_new(30, 8, &graph));
    for (int i = 0; i < 30; i++)
        for (int j = i + 2; j < 30 && j - i <= 8; j++)
            ck_assert_ok(lemica_graph_set_weight(graph, i, j,
                                                 0.01 * (j - i) + 0.001 * i));
    return graph;
}

static void
expect_steps(const lemica_schedule *schedule, const char *expected)
{
    char text[256];

    ck_assert_ok(lemica_schedule_format_steps(schedule, text, sizeof(text), NULL));
    ck_assert_str_eq(text, expected);
}

START_TEST(test_graph_and_schedule_allocation_failures)
{
    lemica_graph *graph = make_graph(), *made = NULL, *copy = NULL;
    lemica_schedule *schedule = NULL, *parsed = NULL;
    long sites = 0;

    SWEEP(sites, lemica_graph_new(30, 8, &made), ck_assert_ptr_null(made));
    lemica_graph_free(made);
    SWEEP(sites, lemica_graph_copy(graph, &copy), ck_assert_ptr_null(copy));
    lemica_graph_free(copy);
    SWEEP(sites, lemica_schedule_parse_steps(30, "0,3,9,29", 8, &parsed),
          ck_assert_ptr_null(parsed));
    SWEEP(sites, lemica_schedule_copy(parsed, &schedule),
          ck_assert_ptr_null(schedule));
    lemica_schedule_free(schedule);
    schedule = NULL;
    SWEEP(sites, lemica_schedule_parse_mask("1,0,1", 5, &schedule),
          ck_assert_ptr_null(schedule));
    lemica_schedule_free(schedule);
    lemica_schedule_free(parsed);
    lemica_graph_free(graph);
    fprintf(stderr, "graph and schedule: %ld allocations failed one by one\n",
            sites);
    ck_assert_int_ge(sites, 10);
}
END_TEST

START_TEST(test_solver_allocation_failures)
{
    const lemica_comparator comparators[] = {LEMICA_COMPARATOR_LEXMAX,
                                             LEMICA_COMPARATOR_SUM,
                                             LEMICA_COMPARATOR_MAX};
    lemica_graph *graph = make_graph();

    for (size_t ci = 0; ci < 3; ci++) {
        lemica_solver *solver = NULL;
        lemica_schedule *schedule = NULL, *kept = NULL;
        lemica_frontier *frontier = NULL;
        char before[256];
        long sites = 0;
        int budget;

        SWEEP(sites, lemica_solver_new(&solver), ck_assert_ptr_null(solver));
        ck_assert_ok(lemica_solver_set_comparator(solver, comparators[ci]));
        SWEEP(sites, lemica_solver_require_first_steps(solver, 3), (void)0);
        /* A fresh solver allocates its workspace inside the solve. */
        SWEEP(sites, lemica_solver_solve(solver, graph, 8, &schedule),
              ck_assert_ptr_null(schedule));
        ck_assert_ok(lemica_schedule_format_steps(schedule, before,
                                                  sizeof(before), NULL));
        lemica_solver_free(solver);
        ck_assert_ok(lemica_solver_new(&solver));
        ck_assert_ok(lemica_solver_set_comparator(solver, comparators[ci]));
        ck_assert_ok(lemica_solver_require_first_steps(solver, 3));
        /* solve_into: the schedule it was given stays as it was. */
        ck_assert_ok(lemica_schedule_parse_steps(30, "0,29", 4, &kept));
        SWEEP(sites, lemica_solver_solve_into(solver, graph, 8, kept),
              expect_steps(kept, "0,29"));
        expect_steps(kept, before);
        SWEEP(sites, lemica_solver_solve_frontier(solver, graph, &frontier),
              ck_assert_ptr_null(frontier));
        lemica_frontier_free(frontier);
        lemica_solver_free(solver);
        ck_assert_ok(lemica_solver_new(&solver));
        SWEEP(sites, lemica_solver_min_budget(solver, graph, &budget), (void)0);
        /* The solver still works after all that. */
        lemica_schedule_free(schedule);
        ck_assert_ok(lemica_solver_solve(solver, graph, 8, &schedule));
        lemica_schedule_free(schedule);
        lemica_schedule_free(kept);
        lemica_solver_free(solver);
        fprintf(stderr, "solver (comparator %d): %ld allocations failed one "
                        "by one\n",
                (int)comparators[ci], sites);
        ck_assert_int_ge(sites, 20);
    }
    lemica_graph_free(graph);
}
END_TEST

START_TEST(test_profiler_and_file_allocation_failures)
{
    lemica_graph *graph = make_graph(), *loaded = NULL, *from_profile = NULL;
    lemica_profiler *profiler = NULL, *other = NULL, *copy = NULL;
    lemica_plan *plan = NULL;
    float a[64], b[64];
    char *text;
    size_t length;
    long sites = 0;

    for (int i = 0; i < 64; i++) {
        a[i] = (float)i * 0.5f;
        b[i] = (float)(i % 7);
    }
    SWEEP(sites, lemica_profiler_new(30, 8, LEMICA_METRIC_L1, &profiler),
          ck_assert_ptr_null(profiler));
    ck_assert_ok(lemica_profiler_new(30, 8, LEMICA_METRIC_L1, &other));
    for (int i = 0; i + 2 < 30; i++) {
        ck_assert_ok(lemica_profiler_add_buffers(profiler, i, i + 2, a, b, 64,
                                                 LEMICA_DTYPE_F32));
        ck_assert_ok(lemica_profiler_add_error(other, i, i + 2, 0.25));
    }
    SWEEP(sites, lemica_profiler_merge(profiler, other), (void)0);
    SWEEP(sites, lemica_profiler_copy(profiler, &copy), ck_assert_ptr_null(copy));
    SWEEP(sites,
          lemica_profiler_to_graph(profiler, LEMICA_AGGREGATE_MEAN, 0.0, 0,
                                   &from_profile),
          ck_assert_ptr_null(from_profile));
    SWEEP(sites, lemica_plan_new(30, 8, &plan), ck_assert_ptr_null(plan));

    ck_assert_ok(lemica_graph_format(graph, NULL, NULL, 0, &length));
    text = malloc(length + 1);
    ck_assert_ptr_nonnull(text);
    ck_assert_ok(lemica_graph_format(graph, NULL, text, length + 1, &length));
    SWEEP(sites, lemica_graph_parse(text, length, NULL, &loaded),
          ck_assert_ptr_null(loaded));
    free(text);

    lemica_plan_free(plan);
    lemica_graph_free(from_profile);
    lemica_graph_free(loaded);
    lemica_profiler_free(copy);
    lemica_profiler_free(other);
    lemica_profiler_free(profiler);
    lemica_graph_free(graph);
    fprintf(stderr, "profiler, plan and files: %ld allocations failed one by "
                    "one\n",
            sites);
    ck_assert_int_ge(sites, 8);
}
END_TEST

TEST_SUITE(alloc_failure)
{
    add_test(suite, test_graph_and_schedule_allocation_failures);
    add_test(suite, test_solver_allocation_failures);
    add_test(suite, test_profiler_and_file_allocation_failures);
}
