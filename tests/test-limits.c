/* SPDX-License-Identifier: MIT */
/*
 * Every documented maximum (the "Limits" section of docs/mainpage.md), at
 * the limit and just past it: accepted exactly at it, refused one past it
 * with the documented status before anything is allocated, and no
 * arithmetic that wraps on the way (values past INT_MAX in text, sample
 * counts at 2^64 - 1, element counts near SIZE_MAX).
 *
 * The largest shapes that are cheap are built for real. The largest
 * accepted graph (1 GiB of weights) and profiler (1.25 GiB) are too heavy
 * for the valgrind and ASan runs of the default suite: their size rule is
 * checked exactly at the limit through the functions every constructor
 * and file parser calls, and test_limits_huge_shapes, which builds them, is
 * only registered when LEMICA_TEST_HUGE=1 is set.
 */
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc-int.h"
#include "dag-size-int.h"
#include "file-parse-int.h"
#include "test-common.h"

/* Under valgrind a block of a few hundred MiB costs gigabytes of shadow
 * memory (--track-origins) and tens of seconds: there the solves exactly
 * at the state limits, whose predecessor tables are that large, are left
 * to the plain and sanitizer runs, and only their refusals run. */
#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define UNDER_VALGRIND() (RUNNING_ON_VALGRIND != 0)
#endif
#endif
#ifndef UNDER_VALGRIND
#define UNDER_VALGRIND() 0
#endif

/* The smallest N * K above each slot limit that some N <= LEMICA_MAX_STEPS
 * and K <= N - 1 reach (2^27 + 1 and 2^25 + 2 are not such products). */
#define SLOTS_PAST_GRAPH_N 16130
#define SLOTS_PAST_GRAPH_K 8321 /* 2^27 + 2 */
#define SLOTS_PAST_PROFILER_N 8283
#define SLOTS_PAST_PROFILER_K 4051 /* 2^25 + 1 */

/* A call that must fail with @status_ and allocate nothing doing so. */
#define ck_assert_refused(expr_, status_)                                      \
    do {                                                                       \
        unsigned long allocations_ = lemica_alloc_count();                     \
        ck_assert_status((expr_), (status_));                                  \
        ck_assert_uint_eq(lemica_alloc_count(), allocations_);                 \
    } while (0)

static void
assert_message_has(const char *needle)
{
    if (!strstr(lemica_last_error_message(), needle))
        ck_abort_msg("message \"%s\" lacks \"%s\"", lemica_last_error_message(),
                     needle);
}

/* ---- growable text, for the file inputs --------------------------------- */

struct text {
    char *data;
    size_t length;
    size_t capacity;
};

static void text_add(struct text *text, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

static void
text_add(struct text *text, const char *format, ...)
{
    va_list args;
    int needed;

    va_start(args, format);
    needed = vsnprintf(NULL, 0, format, args);
    va_end(args);
    ck_assert_int_ge(needed, 0);
    if (text->length + (size_t)needed + 1 > text->capacity) {
        size_t capacity = text->capacity ? text->capacity : 256;

        while (text->length + (size_t)needed + 1 > capacity)
            capacity *= 2;
        text->data = realloc(text->data, capacity);
        ck_assert_ptr_nonnull(text->data);
        text->capacity = capacity;
    }
    va_start(args, format);
    vsnprintf(text->data + text->length, (size_t)needed + 1, format, args);
    va_end(args);
    text->length += (size_t)needed;
}

static void
text_free(struct text *text)
{
    free(text->data);
    text->data = NULL;
    text->length = text->capacity = 0;
}

/* "lemica-graph 1.0" with the given size lines and no edge. */
static lemica_status
parse_graph_sizes(const char *num_steps, const char *max_skip,
                  const char *edges, lemica_graph **out)
{
    char text[256];

    snprintf(text, sizeof(text),
             "lemica-graph 1.0\nnum_steps %s\nmax_skip %s\nedges %s\nend\n",
             num_steps, max_skip, edges);
    return lemica_graph_parse(text, strlen(text), NULL, out);
}

/* ---- N ------------------------------------------------------------------ */

START_TEST(test_limits_num_steps)
{
    static const int too_many[] = {LEMICA_MAX_STEPS + 1, INT_MAX};
    static const int two_steps[] = {0, 1};
    lemica_graph *graph = NULL;
    lemica_profiler *profiler = NULL;
    lemica_plan *plan = NULL;
    lemica_schedule *schedule = NULL;
    double weight = 0.0;

    ck_assert_ok(lemica_graph_new(LEMICA_MAX_STEPS, 1, &graph));
    ck_assert_int_eq(lemica_graph_num_steps(graph), LEMICA_MAX_STEPS);
    ck_assert_int_eq(lemica_graph_max_skip(graph), 1);
    ck_assert_uint_eq(lemica_graph_num_edges(graph), LEMICA_MAX_STEPS - 1);
    ck_assert_ok(lemica_graph_set_weight(graph, LEMICA_MAX_STEPS - 2,
                                         LEMICA_MAX_STEPS - 1, 0.5));
    ck_assert_ok(lemica_graph_get_weight(graph, LEMICA_MAX_STEPS - 2,
                                         LEMICA_MAX_STEPS - 1, &weight));
    ck_assert_double_eq(weight, 0.5);
    ck_assert_status(lemica_graph_set_weight(graph, LEMICA_MAX_STEPS - 1,
                                             LEMICA_MAX_STEPS, 0.5),
                     LEMICA_ERR_OUT_OF_RANGE);
    lemica_graph_free(graph);

    ck_assert_ok(
        lemica_profiler_new(LEMICA_MAX_STEPS, 1, LEMICA_METRIC_L1, &profiler));
    ck_assert_int_eq(lemica_profiler_num_steps(profiler), LEMICA_MAX_STEPS);
    lemica_profiler_free(profiler);
    ck_assert_ok(lemica_plan_new(LEMICA_MAX_STEPS, 1, &plan));
    ck_assert_uint_eq(lemica_plan_num_replays(plan), 0);
    ck_assert_uint_eq(lemica_plan_model_calls(plan), LEMICA_MAX_STEPS);
    lemica_plan_free(plan);
    ck_assert_ok(
        lemica_schedule_parse_steps(LEMICA_MAX_STEPS, "0,65535", 7, &schedule));
    ck_assert_int_eq(lemica_schedule_num_steps(schedule), LEMICA_MAX_STEPS);
    lemica_schedule_free(schedule);

    for (size_t index = 0; index < sizeof(too_many) / sizeof(too_many[0]);
         index++) {
        int n = too_many[index];

        graph = (lemica_graph *)&graph;
        ck_assert_refused(lemica_graph_new(n, 1, &graph), LEMICA_ERR_TOO_LARGE);
        ck_assert_ptr_null(graph);
        assert_message_has("above the maximum of 65536");
        profiler = (lemica_profiler *)&profiler;
        ck_assert_refused(
            lemica_profiler_new(n, 1, LEMICA_METRIC_L1, &profiler),
            LEMICA_ERR_TOO_LARGE);
        ck_assert_ptr_null(profiler);
        plan = (lemica_plan *)&plan;
        ck_assert_refused(lemica_plan_new(n, 1, &plan), LEMICA_ERR_TOO_LARGE);
        ck_assert_ptr_null(plan);
        ck_assert_refused(lemica_schedule_parse_steps(n, "0,1", 3, &schedule),
                          LEMICA_ERR_TOO_LARGE);
        ck_assert_refused(
            lemica_schedule_new_from_steps(n, two_steps, 2, &schedule),
            LEMICA_ERR_TOO_LARGE);
        ck_assert_ptr_null(schedule);
    }
}
END_TEST

/* ---- N * K --------------------------------------------------------------- */

START_TEST(test_limits_edge_slots)
{
    int clamped = 0;
    lemica_graph *graph = NULL;
    lemica_profiler *profiler = NULL;
    lemica_plan *plan = NULL;
    double weight = 0.0;

    /* The rule lemica_graph_new, lemica_profiler_new and lemica_plan_new
     * share, exactly at the limit and just past it; K is clamped to
     * N - 1 first. */
    ck_assert_ok(lemica_check_dag_size(LEMICA_MAX_STEPS,
                                       LEMICA_MAX_EDGE_SLOTS / LEMICA_MAX_STEPS,
                                       "a graph", &clamped));
    ck_assert_int_eq(clamped, 2048);
    ck_assert_status(
        lemica_check_dag_size(LEMICA_MAX_STEPS, 2049, "a graph", &clamped),
        LEMICA_ERR_TOO_LARGE);
    ck_assert_ok(lemica_check_dag_size(11585, INT_MAX, "a graph", &clamped));
    ck_assert_int_eq(clamped, 11584); /* 11585 * 11584 <= 2^27 */
    ck_assert_status(lemica_check_dag_size(11586, INT_MAX, "a graph", &clamped),
                     LEMICA_ERR_TOO_LARGE); /* 11586 * 11585 > 2^27 */
    /* The graph and profile files' own check (no clamping there). */
    ck_assert_ok(lemica_file_check_dag_size(LEMICA_MAX_STEPS, 2048, "graph"));
    ck_assert_status(
        lemica_file_check_dag_size(LEMICA_MAX_STEPS, 2049, "graph"),
        LEMICA_ERR_TOO_LARGE);
    ck_assert_status(lemica_file_check_dag_size(SLOTS_PAST_GRAPH_N,
                                                SLOTS_PAST_GRAPH_K, "graph"),
                     LEMICA_ERR_TOO_LARGE);

    /* The public constructors refuse the smallest shapes past the limit
     * before allocating. */
    ck_assert_refused(
        lemica_graph_new(SLOTS_PAST_GRAPH_N, SLOTS_PAST_GRAPH_K, &graph),
        LEMICA_ERR_TOO_LARGE);
    assert_message_has("134217730 edge slots");
    ck_assert_refused(lemica_graph_new(LEMICA_MAX_STEPS, 2049, &graph),
                      LEMICA_ERR_TOO_LARGE);
    ck_assert_refused(lemica_graph_new(11586, INT_MAX, &graph),
                      LEMICA_ERR_TOO_LARGE);
    ck_assert_refused(
        lemica_plan_new(SLOTS_PAST_GRAPH_N, SLOTS_PAST_GRAPH_K, &plan),
        LEMICA_ERR_TOO_LARGE);
    ck_assert_refused(lemica_plan_new(11586, INT_MAX, &plan),
                      LEMICA_ERR_TOO_LARGE);
    ck_assert_ptr_null(graph);
    ck_assert_ptr_null(plan);

    /* The profiler's own, lower limit: 40 bytes a slot. */
    ck_assert_refused(lemica_profiler_new(SLOTS_PAST_PROFILER_N,
                                          SLOTS_PAST_PROFILER_K,
                                          LEMICA_METRIC_L1, &profiler),
                      LEMICA_ERR_TOO_LARGE);
    assert_message_has("33554433 segment slots");
    ck_assert_refused(
        lemica_profiler_new(LEMICA_MAX_STEPS, 513, LEMICA_METRIC_L1, &profiler),
        LEMICA_ERR_TOO_LARGE);
    ck_assert_refused(
        lemica_profiler_new(5794, INT_MAX, LEMICA_METRIC_L1, &profiler),
        LEMICA_ERR_TOO_LARGE); /* 5794 * 5793 > 2^25 */
    ck_assert_ptr_null(profiler);

    /* The largest cheap shapes, for real: N = LEMICA_MAX_STEPS, K = 2. */
    ck_assert_ok(lemica_graph_new(LEMICA_MAX_STEPS, 2, &graph));
    ck_assert_uint_eq(lemica_graph_num_edges(graph), LEMICA_MAX_STEPS - 1);
    ck_assert_ok(lemica_graph_set_weight(graph, LEMICA_MAX_STEPS - 3,
                                         LEMICA_MAX_STEPS - 1, 0.25));
    ck_assert_ok(lemica_graph_get_weight(graph, LEMICA_MAX_STEPS - 3,
                                         LEMICA_MAX_STEPS - 1, &weight));
    ck_assert_double_eq(weight, 0.25);
    ck_assert_uint_eq(lemica_graph_num_edges(graph), LEMICA_MAX_STEPS);
    lemica_graph_free(graph);
    ck_assert_ok(
        lemica_profiler_new(LEMICA_MAX_STEPS, 2, LEMICA_METRIC_L1, &profiler));
    ck_assert_ok(lemica_profiler_add_error(profiler, LEMICA_MAX_STEPS - 3,
                                           LEMICA_MAX_STEPS - 1, 0.5));
    ck_assert_uint_eq(lemica_profiler_num_measured(profiler), 1);
    lemica_profiler_free(profiler);
}
END_TEST

/* The largest accepted graph, plan and profiler, built for real: 1 GiB,
 * 128 MiB and 1.25 GiB. Registered only with LEMICA_TEST_HUGE=1 (a plain
 * build: under valgrind the zeroed profiler alone would be written in
 * full), so that the default run does not count it as passed. */
START_TEST(test_limits_huge_shapes)
{
    const int n = LEMICA_MAX_STEPS;
    lemica_graph *graph = NULL;
    lemica_profiler *profiler = NULL;
    lemica_plan *plan = NULL;
    uint64_t count = 0;
    size_t replays = 0;
    double weight = 0.0;

    ck_assert_ok(lemica_graph_new(n, LEMICA_MAX_EDGE_SLOTS / n, &graph));
    ck_assert_int_eq(lemica_graph_max_skip(graph), 2048);
    ck_assert_ok(lemica_graph_set_weight(graph, n - 1 - 2048, n - 1, 0.75));
    ck_assert_ok(lemica_graph_get_weight(graph, n - 1 - 2048, n - 1, &weight));
    ck_assert_double_eq(weight, 0.75);
    ck_assert_uint_eq(lemica_graph_num_edges(graph), (size_t)n);
    lemica_graph_free(graph);

    ck_assert_ok(lemica_plan_new(n, LEMICA_MAX_EDGE_SLOTS / n, &plan));
    for (int span = 2; span <= 2048; span++)
        replays += (size_t)(n - span);
    ck_assert_uint_eq(lemica_plan_num_replays(plan), replays);
    lemica_plan_free(plan);

    ck_assert_ok(lemica_profiler_new(n, LEMICA_MAX_PROFILER_SLOTS / n,
                                     LEMICA_METRIC_L1, &profiler));
    ck_assert_ok(lemica_profiler_add_error(profiler, n - 1 - 512, n - 1, 0.5));
    ck_assert_ok(lemica_profiler_edge_stats(profiler, n - 1 - 512, n - 1,
                                            &count, NULL, NULL, NULL, NULL));
    ck_assert_uint_eq(count, 1);
    lemica_profiler_free(profiler);
}
END_TEST

/* ---- the plan's 64-bit counts at N = LEMICA_MAX_STEPS ------------------- */

START_TEST(test_limits_plan_counts)
{
    const int n = LEMICA_MAX_STEPS;
    lemica_plan *plan = NULL;
    uint64_t calls = (uint64_t)n;
    size_t replays = 0;
    int from = 0, to = 0;

    /* K = 64: 4 MiB of selection, model calls far above 2^32. */
    for (int span = 2; span <= 64; span++)
        for (int start = 0; start + span < n; start++) {
            calls += (uint64_t)(n - (start + span));
            replays++;
        }
    ck_assert_ok(lemica_plan_new(n, 64, &plan));
    ck_assert_uint_eq(lemica_plan_num_replays(plan), replays);
    ck_assert_uint_eq(lemica_plan_model_calls(plan), calls);
    ck_assert(calls > UINT32_MAX);
    ck_assert_ok(lemica_plan_replay(plan, replays - 1, &from, &to));
    ck_assert_int_eq(from, n - 3);
    ck_assert_int_eq(to, n - 1);
    ck_assert_int_eq(lemica_plan_step_action(plan, replays - 1, n - 2),
                     LEMICA_STEP_REUSE);
    ck_assert_status(lemica_plan_replay(plan, replays, &from, &to),
                     LEMICA_ERR_OUT_OF_RANGE);
    ck_assert_status(lemica_plan_replay(plan, SIZE_MAX, &from, &to),
                     LEMICA_ERR_OUT_OF_RANGE);
    ck_assert_ok(lemica_plan_select_all(plan, 0));
    ck_assert_uint_eq(lemica_plan_model_calls(plan), (uint64_t)n);
    lemica_plan_free(plan);

    /* K = 2: N + (N - 2)(N - 1) / 2 = 2147450881 calls, above INT_MAX. */
    ck_assert_ok(lemica_plan_new(n, 2, &plan));
    ck_assert_uint_eq(lemica_plan_model_calls(plan), 2147450881u);
    ck_assert_uint_eq(lemica_plan_num_replays(plan), (size_t)n - 2);
    lemica_plan_free(plan);
}
END_TEST

/* ---- solver states ------------------------------------------------------ */

/* Check that @schedule is a valid answer for @budget on @graph: 0 and
 * N - 1 computed, steps ascending, every segment an edge of the graph no
 * longer than @max_skip, the mask agreeing, and the cost vector the
 * segments' weights sorted worst first. */
static void
check_valid_schedule(const lemica_schedule *schedule, const lemica_graph *graph,
                     int budget, int max_skip)
{
    const int n = lemica_graph_num_steps(graph);
    int *steps = malloc((size_t)budget * sizeof(int));
    double *costs = malloc((size_t)budget * sizeof(double));
    double *weights = malloc((size_t)budget * sizeof(double));
    size_t count = 0;
    int next = 0;

    ck_assert(steps && costs && weights);
    ck_assert_int_eq(lemica_schedule_num_steps(schedule), n);
    ck_assert_int_eq(lemica_schedule_budget(schedule), budget);
    ck_assert_ok(
        lemica_schedule_steps(schedule, steps, (size_t)budget, &count));
    ck_assert_uint_eq(count, (size_t)budget);
    ck_assert_int_eq(steps[0], 0);
    ck_assert_int_eq(steps[budget - 1], n - 1);
    for (int index = 0; index + 1 < budget; index++) {
        ck_assert_int_gt(steps[index + 1], steps[index]);
        ck_assert_int_le(steps[index + 1] - steps[index], max_skip);
        ck_assert_ok(lemica_graph_get_weight(
            graph, steps[index], steps[index + 1], &weights[index]));
    }
    for (int step = 0; step < n; step++) {
        int computed = next < budget && steps[next] == step;

        ck_assert_int_eq(lemica_schedule_should_compute(schedule, step),
                         computed);
        next += computed;
    }
    ck_assert_ok(
        lemica_schedule_costs(schedule, costs, (size_t)budget - 1, &count));
    ck_assert_uint_eq(count, (size_t)budget - 1);
    for (size_t index = 1; index < count; index++)
        ck_assert(costs[index] <= costs[index - 1]);
    /* The same multiset: every weight found once among the costs. */
    for (size_t index = 0; index < count; index++) {
        size_t at = 0;

        while (at < count && costs[at] != weights[index])
            at++;
        ck_assert_uint_lt(at, count);
        costs[at] = -1.0;
    }
    free(steps);
    free(costs);
    free(weights);
}

/* Deterministic weights for every edge of span 2 .. K, varied enough that
 * ties are rare. */
static lemica_graph *
make_graph(int num_steps, int max_skip)
{
    lemica_graph *graph = NULL;

    ck_assert_ok(lemica_graph_new(num_steps, max_skip, &graph));
    for (int from = 0; from < num_steps; from++)
        for (int to = from + 2; to < num_steps && to - from <= max_skip; to++) {
            unsigned mix = (unsigned)from * 2654435761u ^ (unsigned)to * 40503u;

            ck_assert_ok(lemica_graph_set_weight(
                graph, from, to, (double)(mix % 4093u) / 4093.0 * (to - from)));
        }
    return graph;
}

/* (B + 1) * N = LEMICA_MAX_SOLVER_STATES exactly (N = 2^14, B = N - 1), and
 * one budget more; at N = LEMICA_MAX_STEPS the largest budget is 4095. */
START_TEST(test_limits_solver_states)
{
    const int n = 16384;
    const int ends[] = {0, n - 1};
    lemica_graph *graph = make_graph(n, 2);
    lemica_graph *widest = NULL;
    lemica_solver *solver = NULL;
    lemica_schedule *schedule = NULL;
    int budget = 2;

    ck_assert_int_eq((n - 1 + 1) * n, LEMICA_MAX_SOLVER_STATES);
    ck_assert_ok(lemica_solver_new(&solver));
    ck_assert_ok(lemica_solver_set_comparator(solver, LEMICA_COMPARATOR_MAX));
    ck_assert_ok(lemica_schedule_new_from_steps(n, ends, 2, &schedule));
    /* Exactly at the limit: 512 MiB of predecessor table. */
    if (!UNDER_VALGRIND()) {
        budget = n - 1;
        ck_assert_ok(lemica_solver_solve_into(solver, graph, budget, schedule));
        check_valid_schedule(schedule, graph, budget, 2);
    }
    /* One past it: refused before the workspace grows or the schedule
     * changes. */
    ck_assert_refused(lemica_solver_solve_into(solver, graph, n, schedule),
                      LEMICA_ERR_TOO_LARGE);
    assert_message_has("268451840 DP states");
    ck_assert_int_eq(lemica_schedule_budget(schedule), budget);
    ck_assert_ok(
        lemica_solver_set_comparator(solver, LEMICA_COMPARATOR_LEXMAX));
    ck_assert_refused(lemica_solver_solve_into(solver, graph, n, schedule),
                      LEMICA_ERR_TOO_LARGE);
    lemica_graph_free(graph);

    /* At N = LEMICA_MAX_STEPS: budget 4095 is the last within the limit
     * (4096 * 65536 = 2^28), 4096 is refused before the DP, and budgets
     * past N are infeasible, whatever their size. */
    ck_assert_ok(lemica_graph_new(LEMICA_MAX_STEPS, 1, &widest));
    ck_assert_refused(lemica_solver_solve_into(solver, widest, 4096, schedule),
                      LEMICA_ERR_TOO_LARGE);
    ck_assert_refused(
        lemica_solver_solve_into(solver, widest, LEMICA_MAX_STEPS, schedule),
        LEMICA_ERR_TOO_LARGE);
    ck_assert_refused(lemica_solver_solve_into(solver, widest,
                                               LEMICA_MAX_STEPS + 1, schedule),
                      LEMICA_ERR_INFEASIBLE);
    ck_assert_refused(
        lemica_solver_solve_into(solver, widest, INT_MAX, schedule),
        LEMICA_ERR_INFEASIBLE);
    ck_assert_refused(
        lemica_solver_solve_into(solver, widest, INT_MIN, schedule),
        LEMICA_ERR_INFEASIBLE);
    ck_assert_int_eq(lemica_schedule_budget(schedule), budget);
    lemica_graph_free(widest);
    lemica_schedule_free(schedule);
    lemica_solver_free(solver);
}
END_TEST

static int
compare_lexicographic(const double *a, size_t a_length, const double *b,
                      size_t b_length, void *user_data)
{
    (void)user_data;
    ck_assert_uint_eq(a_length, b_length);
    for (size_t index = 0; index < a_length; index++)
        if (a[index] != b[index])
            return a[index] < b[index] ? -1 : 1;
    return 0;
}

/* (B + 1) * N = LEMICA_MAX_USER_SOLVER_STATES exactly with a user
 * comparator (N = 2^12, B = N - 1), and one budget more. */
START_TEST(test_limits_user_solver_states)
{
    const int n = 4096;
    const int ends[] = {0, n - 1};
    lemica_graph *graph = make_graph(n, 2);
    lemica_solver *solver = NULL;
    lemica_schedule *schedule = NULL;
    lemica_schedule *lexmax = NULL;
    int *user_steps = malloc((size_t)n * sizeof(int));
    int *lexmax_steps = malloc((size_t)n * sizeof(int));

    ck_assert(user_steps && lexmax_steps);
    ck_assert_int_eq(n * n, LEMICA_MAX_USER_SOLVER_STATES);
    ck_assert_ok(lemica_solver_new(&solver));
    ck_assert_ok(
        lemica_solver_set_user_comparator(solver, compare_lexicographic, NULL));
    ck_assert_ok(lemica_schedule_new_from_steps(n, ends, 2, &schedule));
    ck_assert_refused(lemica_solver_solve_into(solver, graph, n, schedule),
                      LEMICA_ERR_TOO_LARGE);
    assert_message_has("above the maximum of 16777216");
    /* Exactly at the limit: 288 MiB of vectors and predecessors. */
    if (!UNDER_VALGRIND()) {
        ck_assert_ok(lemica_solver_solve_into(solver, graph, n - 1, schedule));
        check_valid_schedule(schedule, graph, n - 1, 2);
        /* The same order as LEXMAX, so the same schedule. */
        ck_assert_ok(
            lemica_solver_set_comparator(solver, LEMICA_COMPARATOR_LEXMAX));
        ck_assert_ok(lemica_solver_solve(solver, graph, n - 1, &lexmax));
        ck_assert_ok(
            lemica_schedule_steps(schedule, user_steps, (size_t)n, NULL));
        ck_assert_ok(
            lemica_schedule_steps(lexmax, lexmax_steps, (size_t)n, NULL));
        ck_assert_mem_eq(user_steps, lexmax_steps,
                         (size_t)(n - 1) * sizeof(int));
    }
    free(user_steps);
    free(lexmax_steps);
    lemica_schedule_free(lexmax);
    lemica_schedule_free(schedule);
    lemica_solver_free(solver);
    lemica_graph_free(graph);
}
END_TEST

/* A solve at N = LEMICA_MAX_STEPS. Any budget there is at least
 * 1 + ceil(65535 / K) and at most 4095 (the state limit), so K >= 17. The
 * predecessor table takes 2 (B + 1) N bytes and the two copies of the
 * weights (graph and solver) 16 N K; K = 64 keeps both small (134 MiB of
 * table, mostly untouched, and 64 MiB of weights; K = 17 would need a
 * 505 MiB table), and every pass over the N K weights costs seconds under
 * valgrind, so the test makes few solves. Only a few spans are present,
 * so that setting the weights stays cheap. */
START_TEST(test_limits_solve_max_steps)
{
    static const int spans[] = {2, 3, 32, 63, 64};
    const int n = LEMICA_MAX_STEPS;
    lemica_graph *graph = NULL;
    lemica_solver *solver = NULL;
    lemica_schedule *schedule = NULL;

    ck_assert_ok(lemica_graph_new(n, 64, &graph));
    for (size_t index = 0; index < sizeof(spans) / sizeof(spans[0]); index++)
        for (int from = 0; from + spans[index] < n; from++)
            ck_assert_ok(lemica_graph_set_weight(
                graph, from, from + spans[index],
                (double)((unsigned)from * 2654435761u % 4093u) / 4093.0 *
                    spans[index]));
    ck_assert_ok(lemica_solver_new(&solver));
    /* The smallest feasible budget, 1 + ceil(65535 / 64). */
    ck_assert_ok(lemica_solver_solve(solver, graph, 1025, &schedule));
    check_valid_schedule(schedule, graph, 1025, 64);
    lemica_schedule_free(schedule);
    ck_assert_status(lemica_solver_solve(solver, graph, 1024, &schedule),
                     LEMICA_ERR_INFEASIBLE);
    assert_message_has("the smallest feasible budget is 1025");
    ck_assert_ptr_null(schedule);
    /* Budgets up to 4095 pass the state limit, 4096 does not. */
    ck_assert_status(lemica_solver_solve(solver, graph, 4096, &schedule),
                     LEMICA_ERR_TOO_LARGE);
    ck_assert_ptr_null(schedule);
    lemica_solver_free(solver);
    lemica_graph_free(graph);
}
END_TEST

START_TEST(test_limits_required_steps)
{
    lemica_solver *solver = NULL;

    ck_assert_ok(lemica_solver_new(&solver));
    ck_assert_ok(lemica_solver_require_step(solver, LEMICA_MAX_STEPS - 1));
    ck_assert_int_eq(
        lemica_solver_is_step_required(solver, LEMICA_MAX_STEPS - 1), 1);
    ck_assert_refused(lemica_solver_require_step(solver, LEMICA_MAX_STEPS),
                      LEMICA_ERR_OUT_OF_RANGE);
    ck_assert_refused(lemica_solver_require_step(solver, INT_MAX),
                      LEMICA_ERR_OUT_OF_RANGE);
    ck_assert_refused(lemica_solver_require_step(solver, INT_MIN),
                      LEMICA_ERR_OUT_OF_RANGE);
    ck_assert_ok(lemica_solver_require_first_steps(solver, LEMICA_MAX_STEPS));
    ck_assert_int_eq(lemica_solver_is_step_required(solver, 12345), 1);
    ck_assert_refused(
        lemica_solver_require_first_steps(solver, LEMICA_MAX_STEPS + 1),
        LEMICA_ERR_OUT_OF_RANGE);
    ck_assert_refused(lemica_solver_require_first_steps(solver, INT_MAX),
                      LEMICA_ERR_OUT_OF_RANGE);
    ck_assert_int_eq(lemica_solver_is_step_required(solver, INT_MAX), 0);
    lemica_solver_free(solver);
}
END_TEST

/* ---- the frontier ------------------------------------------------------- */

START_TEST(test_limits_frontier_steps)
{
    lemica_graph *graph = NULL;
    lemica_solver *solver = NULL;
    lemica_frontier *frontier = NULL;
    const lemica_schedule *schedule = NULL;

    ck_assert_ok(lemica_solver_new(&solver));
    /* K = 1: one feasible budget, B = N, so the results stay small. */
    ck_assert_ok(lemica_graph_new(LEMICA_MAX_FRONTIER_STEPS, 1, &graph));
    ck_assert_ok(lemica_solver_solve_frontier(solver, graph, &frontier));
    ck_assert_uint_eq(lemica_frontier_count(frontier), 1);
    ck_assert_ok(lemica_frontier_get(frontier, 0, &schedule));
    ck_assert_int_eq(lemica_schedule_budget(schedule),
                     LEMICA_MAX_FRONTIER_STEPS);
    lemica_frontier_free(frontier);
    lemica_graph_free(graph);

    ck_assert_ok(lemica_graph_new(LEMICA_MAX_FRONTIER_STEPS + 1, 1, &graph));
    frontier = (lemica_frontier *)&frontier;
    ck_assert_refused(lemica_solver_solve_frontier(solver, graph, &frontier),
                      LEMICA_ERR_TOO_LARGE);
    ck_assert_ptr_null(frontier);
    assert_message_has("above the maximum of 8192 steps");
    lemica_graph_free(graph);

    /* With a user comparator the state limit is lower: (N + 1) * N <=
     * 2^24 holds for N = 4095 (268 MiB of vectors), not for 4096. */
    ck_assert_ok(
        lemica_solver_set_user_comparator(solver, compare_lexicographic, NULL));
    if (!UNDER_VALGRIND()) {
        ck_assert_ok(lemica_graph_new(4095, 1, &graph));
        ck_assert_ok(lemica_solver_solve_frontier(solver, graph, &frontier));
        ck_assert_uint_eq(lemica_frontier_count(frontier), 1);
        lemica_frontier_free(frontier);
        lemica_graph_free(graph);
    }
    ck_assert_ok(lemica_graph_new(4096, 1, &graph));
    ck_assert_refused(lemica_solver_solve_frontier(solver, graph, &frontier),
                      LEMICA_ERR_TOO_LARGE);
    lemica_graph_free(graph);
    lemica_solver_free(solver);
}
END_TEST

/* ---- sample counts near 2^64 -------------------------------------------- */

struct edge_snapshot {
    uint64_t count;
    double mean, variance, min, max;
};

static struct edge_snapshot
snapshot(const lemica_profiler *profiler, int from, int to)
{
    struct edge_snapshot shot;

    ck_assert_ok(lemica_profiler_edge_stats(profiler, from, to, &shot.count,
                                            &shot.mean, &shot.variance,
                                            &shot.min, &shot.max));
    return shot;
}

static void
assert_same_snapshot(struct edge_snapshot a, struct edge_snapshot b)
{
    ck_assert_uint_eq(a.count, b.count);
    ck_assert_mem_eq(&a.mean, &b.mean, sizeof(double));
    ck_assert_mem_eq(&a.variance, &b.variance, sizeof(double));
    ck_assert_mem_eq(&a.min, &b.min, sizeof(double));
    ck_assert_mem_eq(&a.max, &b.max, sizeof(double));
}

START_TEST(test_limits_profiler_count_max)
{
    lemica_profiler *profiler = NULL;
    struct edge_snapshot before, after;

    ck_assert_ok(lemica_profiler_new(10, 4, LEMICA_METRIC_L1, &profiler));
    /* Exactly 2^64 - 1 samples fit. */
    ck_assert_ok(lemica_profiler_add_stats(profiler, 0, 2, UINT64_MAX, 0.5,
                                           0.25, 0.0, 1.0));
    before = snapshot(profiler, 0, 2);
    ck_assert_uint_eq(before.count, UINT64_MAX);
    ck_assert_double_eq(before.mean, 0.5);
    ck_assert_double_eq_tol(before.variance, 0.25, 1e-15);
    /* One more is refused and changes nothing, by every route. */
    ck_assert_status(lemica_profiler_add_error(profiler, 0, 2, 0.5),
                     LEMICA_ERR_TOO_LARGE);
    assert_message_has("2^64 - 1");
    ck_assert_status(
        lemica_profiler_add_stats(profiler, 0, 2, 1, 0.5, 0.0, 0.5, 0.5),
        LEMICA_ERR_TOO_LARGE);
    ck_assert_status(lemica_profiler_add_stats(profiler, 0, 2, UINT64_MAX, 0.5,
                                               0.0, 0.5, 0.5),
                     LEMICA_ERR_TOO_LARGE);
    after = snapshot(profiler, 0, 2);
    assert_same_snapshot(before, after);

    /* 2^64 - 2, then one sample: exactly 2^64 - 1, the statistics exact
     * to rounding (the new sample moves the mean by about 1e-19, below
     * half an ulp of 1.0). */
    ck_assert_ok(lemica_profiler_add_stats(profiler, 1, 3, UINT64_MAX - 1, 1.0,
                                           0.0, 1.0, 1.0));
    ck_assert_ok(lemica_profiler_add_error(profiler, 1, 3, 3.0));
    after = snapshot(profiler, 1, 3);
    ck_assert_uint_eq(after.count, UINT64_MAX);
    ck_assert_double_eq(after.mean, 1.0);
    ck_assert_double_eq(after.min, 1.0);
    ck_assert_double_eq(after.max, 3.0);
    ck_assert(isfinite(after.variance) && after.variance >= 0.0);
    ck_assert_status(lemica_profiler_add_error(profiler, 1, 3, 1.0),
                     LEMICA_ERR_TOO_LARGE);
    lemica_profiler_free(profiler);
}
END_TEST

START_TEST(test_limits_profiler_merge_counts)
{
    const uint64_t half = UINT64_MAX / 2; /* 2^63 - 1 */
    lemica_profiler *dst = NULL, *src = NULL, *copy = NULL;
    struct edge_snapshot before02, before13, after;

    ck_assert_ok(lemica_profiler_new(10, 4, LEMICA_METRIC_L1, &dst));
    ck_assert_ok(lemica_profiler_new(10, 4, LEMICA_METRIC_L1, &src));
    /* half + (half + 1) = 2^64 - 1 exactly: merged, means weighted. */
    ck_assert_ok(
        lemica_profiler_add_stats(dst, 0, 2, half, 1.0, 0.0, 1.0, 1.0));
    ck_assert_ok(
        lemica_profiler_add_stats(src, 0, 2, half + 1, 3.0, 0.0, 3.0, 3.0));
    ck_assert_ok(lemica_profiler_add_stats(src, 1, 3, 7, 2.0, 1.0, 0.5, 4.0));
    ck_assert_ok(lemica_profiler_copy(dst, &copy));
    ck_assert_ok(lemica_profiler_merge(copy, src));
    after = snapshot(copy, 0, 2);
    ck_assert_uint_eq(after.count, UINT64_MAX);
    ck_assert_double_eq_tol(after.mean, 2.0, 1e-15);
    ck_assert_double_eq(after.min, 1.0);
    ck_assert_double_eq(after.max, 3.0);
    /* Two groups 2 apart, half the samples each: variance 1. */
    ck_assert_double_eq_tol(after.variance, 1.0, 1e-12);
    ck_assert_uint_eq(snapshot(copy, 1, 3).count, 7);
    lemica_profiler_free(copy);

    /* One sample more: the merge is refused whole, dst unchanged,
     * including the segment that would have merged fine. */
    ck_assert_ok(lemica_profiler_add_stats(dst, 1, 3, 1, 2.0, 0.0, 2.0, 2.0));
    ck_assert_ok(lemica_profiler_add_stats(dst, 0, 2, 1, 1.0, 0.0, 1.0, 1.0));
    before02 = snapshot(dst, 0, 2);
    before13 = snapshot(dst, 1, 3);
    ck_assert_status(lemica_profiler_merge(dst, src), LEMICA_ERR_TOO_LARGE);
    assert_message_has("segment (0, 2)");
    assert_same_snapshot(before02, snapshot(dst, 0, 2));
    assert_same_snapshot(before13, snapshot(dst, 1, 3));
    /* A profiler merged into itself doubles its counts: refused too. */
    ck_assert_status(lemica_profiler_merge(src, src), LEMICA_ERR_TOO_LARGE);
    ck_assert_uint_eq(snapshot(src, 0, 2).count, half + 1);
    lemica_profiler_free(src);
    lemica_profiler_free(dst);
}
END_TEST

/* Welford's and Chan's updates with counts near 2^63: finite results, and
 * statistics that would overflow a double refused. */
START_TEST(test_limits_profiler_huge_count_statistics)
{
    const uint64_t big = (uint64_t)1 << 63;
    lemica_profiler *profiler = NULL;
    struct edge_snapshot before, after;

    ck_assert_ok(lemica_profiler_new(10, 4, LEMICA_METRIC_L1, &profiler));
    ck_assert_ok(
        lemica_profiler_add_stats(profiler, 0, 2, big, 1.0, 0.5, 0.0, 2.0));
    ck_assert_ok(
        lemica_profiler_add_stats(profiler, 0, 2, big - 1, 3.0, 0.5, 2.0, 4.0));
    after = snapshot(profiler, 0, 2);
    ck_assert_uint_eq(after.count, UINT64_MAX);
    ck_assert_double_eq_tol(after.mean, 2.0, 1e-15);
    ck_assert_double_eq_tol(after.variance, 1.5, 1e-12);
    ck_assert_double_eq(after.min, 0.0);
    ck_assert_double_eq(after.max, 4.0);

    /* variance * (count - 1) overflows a double: refused, unchanged. */
    before = snapshot(profiler, 1, 3);
    ck_assert_status(
        lemica_profiler_add_stats(profiler, 1, 3, big, 1.0, 1e300, 0.0, 2.0),
        LEMICA_ERR_INVALID_VALUE);
    assert_same_snapshot(before, snapshot(profiler, 1, 3));
    /* Means near DBL_MAX: the squared deviation overflows. */
    ck_assert_ok(lemica_profiler_add_stats(profiler, 1, 3, big, 1e300, 0.0,
                                           1e300, 1e300));
    before = snapshot(profiler, 1, 3);
    ck_assert_status(
        lemica_profiler_add_stats(profiler, 1, 3, big - 1, 0.0, 0.0, 0.0, 0.0),
        LEMICA_ERR_INVALID_VALUE);
    assert_same_snapshot(before, snapshot(profiler, 1, 3));
    lemica_profiler_free(profiler);
}
END_TEST

/* ---- metric element counts ---------------------------------------------- */

START_TEST(test_limits_metric_count)
{
    static const struct {
        lemica_dtype dtype;
        size_t count;
    } too_many[] = {
        {LEMICA_DTYPE_F32, SIZE_MAX},
        {LEMICA_DTYPE_F32, SIZE_MAX / 4 + 1}, /* count * 4 wraps */
        {LEMICA_DTYPE_F32, SIZE_MAX / 4},     /* fits size_t, no object */
        {LEMICA_DTYPE_F32, (size_t)PTRDIFF_MAX / 4 + 1},
        {LEMICA_DTYPE_F64, SIZE_MAX / 8},
        {LEMICA_DTYPE_F64, (size_t)PTRDIFF_MAX / 8 + 1},
        {LEMICA_DTYPE_F16, SIZE_MAX / 2},
        {LEMICA_DTYPE_BF16, (size_t)PTRDIFF_MAX / 2 + 1},
    };
    /* Small buffers: reading past them is what valgrind and ASan catch. */
    double a[4] = {1.0, 2.0, 3.0, 4.0}, b[4] = {1.0, 2.0, 3.0, 5.0};
    lemica_profiler *profiler = NULL;
    double out = -1.0;

    ck_assert_ok(lemica_profiler_new(10, 4, LEMICA_METRIC_L1, &profiler));
    for (size_t index = 0; index < sizeof(too_many) / sizeof(too_many[0]);
         index++) {
        out = -1.0;
        ck_assert_status(lemica_metric_compute(LEMICA_METRIC_L1, a, b,
                                               too_many[index].count,
                                               too_many[index].dtype, &out),
                         LEMICA_ERR_INVALID_ARGUMENT);
        assert_message_has("do not fit in memory");
        ck_assert_double_eq(out, -1.0);
        ck_assert_status(lemica_profiler_add_buffers(profiler, 0, 2, a, b,
                                                     too_many[index].count,
                                                     too_many[index].dtype),
                         LEMICA_ERR_INVALID_ARGUMENT);
    }
    ck_assert_uint_eq(snapshot(profiler, 0, 2).count, 0);
    /* A buffer that would run past the end of the address space. */
    ck_assert_status(
        lemica_metric_compute(LEMICA_METRIC_L1,
                              (const void *)(uintptr_t)(UINTPTR_MAX - 7), b, 4,
                              LEMICA_DTYPE_F32, &out),
        LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(
        lemica_metric_compute(LEMICA_METRIC_MSE, a,
                              (const void *)(uintptr_t)(UINTPTR_MAX - 7), 4,
                              LEMICA_DTYPE_F16, &out),
        LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_double_eq(out, -1.0);
    /* The same buffers with their true count. */
    ck_assert_ok(lemica_metric_compute(LEMICA_METRIC_L1, a, b, 4,
                                       LEMICA_DTYPE_F64, &out));
    ck_assert_double_eq(out, 0.25);
    lemica_profiler_free(profiler);
}
END_TEST

/* ---- numbers past the maxima in the text formats ------------------------ */

START_TEST(test_limits_graph_file_sizes)
{
    static const struct {
        const char *num_steps, *max_skip, *edges;
        lemica_status status;
    } cases[] = {
        {"65537", "1", "0", LEMICA_ERR_TOO_LARGE},
        {"2147483647", "1", "0", LEMICA_ERR_TOO_LARGE},
        {"2147483648", "1", "0", LEMICA_ERR_TOO_LARGE},
        {"99999999999999999999999999", "1", "0", LEMICA_ERR_TOO_LARGE},
        {"-1", "1", "0", LEMICA_ERR_PARSE},
        {"65536", "2049", "0", LEMICA_ERR_TOO_LARGE},
        {"16130", "8321", "0", LEMICA_ERR_TOO_LARGE},
        {"65536", "65536", "0", LEMICA_ERR_PARSE}, /* K > N - 1 */
        {"65536", "2147483648", "0", LEMICA_ERR_TOO_LARGE},
        {"4", "2", "2147483648", LEMICA_ERR_TOO_LARGE},
        {"4", "2", "6", LEMICA_ERR_PARSE}, /* 5 edges possible */
    };
    static const char edge_at_end[] =
        "lemica-graph 1.0\nnum_steps 65536\nmax_skip 2\nedges 1\n"
        "65533 65535 0.25\nend\n";
    static const char *const bad_edges[] = {
        "lemica-graph 1.0\nnum_steps 4\nmax_skip 3\nedges 1\n"
        "0 2147483648 1\nend\n",
        "lemica-graph 1.0\nnum_steps 4\nmax_skip 3\nedges 1\n"
        "2147483648 2147483649 1\nend\n",
        "lemica-graph 1.0\nnum_steps 65536\nmax_skip 1\nedges 1\n"
        "65535 65536 1\nend\n",
    };
    lemica_graph *graph = NULL;
    double weight = 0.0;

    ck_assert_ok(parse_graph_sizes("65536", "1", "0", &graph));
    ck_assert_int_eq(lemica_graph_num_steps(graph), LEMICA_MAX_STEPS);
    ck_assert_uint_eq(lemica_graph_num_edges(graph), 0);
    lemica_graph_free(graph);
    ck_assert_ok(
        lemica_graph_parse(edge_at_end, strlen(edge_at_end), NULL, &graph));
    ck_assert_ok(lemica_graph_get_weight(graph, 65533, 65535, &weight));
    ck_assert_double_eq(weight, 0.25);
    lemica_graph_free(graph);

    for (size_t index = 0; index < sizeof(cases) / sizeof(cases[0]); index++) {
        graph = (lemica_graph *)&graph;
        ck_assert_refused(parse_graph_sizes(cases[index].num_steps,
                                            cases[index].max_skip,
                                            cases[index].edges, &graph),
                          cases[index].status);
        ck_assert_ptr_null(graph);
        assert_message_has("line ");
    }
    for (size_t index = 0; index < sizeof(bad_edges) / sizeof(bad_edges[0]);
         index++) {
        ck_assert_status(lemica_graph_parse(bad_edges[index],
                                            strlen(bad_edges[index]), NULL,
                                            &graph),
                         LEMICA_ERR_OUT_OF_RANGE);
        assert_message_has("line 5");
    }
}
END_TEST

START_TEST(test_limits_schedule_file_sizes)
{
    static const struct {
        const char *num_steps, *budget, *steps;
        lemica_status status;
    } cases[] = {
        {"65537", "2", "0,65536", LEMICA_ERR_TOO_LARGE},
        {"2147483648", "2", "0,1", LEMICA_ERR_TOO_LARGE},
        {"65536", "65537", "0,65535", LEMICA_ERR_PARSE},
        {"65536", "3", "0,2147483648,65535", LEMICA_ERR_PARSE},
        {"65536", "3", "0,65536,65535", LEMICA_ERR_PARSE},
    };
    struct text text = {NULL, 0, 0};
    lemica_schedule *schedule = NULL;

    /* B = N = LEMICA_MAX_STEPS: the longest schedule file there is. The
     * step list is written in place: a printf per step is seconds under
     * valgrind. */
    text_add(&text,
             "lemica-schedule 1.0\nnum_steps 65536\nbudget 65536\n"
             "steps %*s",
             7 * LEMICA_MAX_STEPS, "");
    text.length -= 7 * LEMICA_MAX_STEPS;
    for (int step = 0; step < LEMICA_MAX_STEPS; step++) {
        char digits[8];
        int length = 0;

        for (int rest = step; rest > 0 || length == 0; rest /= 10)
            digits[length++] = (char)('0' + rest % 10);
        if (step > 0)
            text.data[text.length++] = ',';
        while (length > 0)
            text.data[text.length++] = digits[--length];
    }
    text.data[text.length] = '\0';
    text_add(&text, "\nend\n");
    ck_assert_ok(lemica_schedule_parse(text.data, text.length, LEMICA_MAX_STEPS,
                                       NULL, &schedule));
    ck_assert_int_eq(lemica_schedule_budget(schedule), LEMICA_MAX_STEPS);
    ck_assert_int_eq(lemica_schedule_should_compute(schedule, 65535), 1);
    lemica_schedule_free(schedule);
    /* Planned for the largest N, loaded by a runtime of another N. */
    ck_assert_status(
        lemica_schedule_parse(text.data, text.length, INT_MAX, NULL, &schedule),
        LEMICA_ERR_MISMATCH);
    text_free(&text);

    for (size_t index = 0; index < sizeof(cases) / sizeof(cases[0]); index++) {
        text_add(&text,
                 "lemica-schedule 1.0\nnum_steps %s\nbudget %s\n"
                 "steps %s\nend\n",
                 cases[index].num_steps, cases[index].budget,
                 cases[index].steps);
        schedule = (lemica_schedule *)&schedule;
        ck_assert_status(
            lemica_schedule_parse(text.data, text.length, 0, NULL, &schedule),
            cases[index].status);
        ck_assert_ptr_null(schedule);
        text_free(&text);
    }
    /* A budget above INT_MAX is too large before it is out of range. */
    text_add(&text, "lemica-schedule 1.0\nnum_steps 65536\n"
                    "budget 2147483648\nsteps 0,65535\nend\n");
    ck_assert_status(
        lemica_schedule_parse(text.data, text.length, 0, NULL, &schedule),
        LEMICA_ERR_TOO_LARGE);
    assert_message_has("line 3");
    text_free(&text);
}
END_TEST

START_TEST(test_limits_profile_file_sizes)
{
    static const struct {
        const char *header, *segment;
        lemica_status status;
    } cases[] = {
        {"num_steps 65537\nmax_skip 2", NULL, LEMICA_ERR_TOO_LARGE},
        {"num_steps 65536\nmax_skip 2049", NULL, LEMICA_ERR_TOO_LARGE},
        /* The profiler's own slot limit, 2^25. */
        {"num_steps 65536\nmax_skip 513", NULL, LEMICA_ERR_TOO_LARGE},
        {"num_steps 8283\nmax_skip 4051", NULL, LEMICA_ERR_TOO_LARGE},
        {"num_steps 65536\nmax_skip 2",
         "65533 65535 18446744073709551616 "
         "0.5 0 0.5 0.5",
         LEMICA_ERR_TOO_LARGE},
        {"num_steps 65536\nmax_skip 2",
         "65533 65535 99999999999999999999999 "
         "0.5 0 0.5 0.5",
         LEMICA_ERR_TOO_LARGE},
        {"num_steps 65536\nmax_skip 2", "65534 65536 1 0.5 0 0.5 0.5",
         LEMICA_ERR_OUT_OF_RANGE},
        {"num_steps 65536\nmax_skip 2", "0 2147483648 1 0.5 0 0.5 0.5",
         LEMICA_ERR_OUT_OF_RANGE},
    };
    struct text text = {NULL, 0, 0};
    lemica_profiler *profiler = NULL;
    uint64_t count = 0;

    text_add(&text, "lemica-profile 1.0\nnum_steps 65536\nmax_skip 2\n"
                    "metric l1\nsegments 1\n"
                    "65533 65535 18446744073709551615 0.5 0 0.5 0.5\nend\n");
    ck_assert_ok(
        lemica_profiler_parse(text.data, text.length, NULL, &profiler));
    ck_assert_ok(lemica_profiler_edge_stats(profiler, 65533, 65535, &count,
                                            NULL, NULL, NULL, NULL));
    ck_assert_uint_eq(count, UINT64_MAX);
    /* Full: one more sample is refused. */
    ck_assert_status(lemica_profiler_add_error(profiler, 65533, 65535, 0.5),
                     LEMICA_ERR_TOO_LARGE);
    lemica_profiler_free(profiler);
    text_free(&text);

    for (size_t index = 0; index < sizeof(cases) / sizeof(cases[0]); index++) {
        unsigned long allocations = lemica_alloc_count();

        text_add(&text,
                 "lemica-profile 1.0\n%s\nmetric l1\nsegments %d\n%s%s"
                 "end\n",
                 cases[index].header, cases[index].segment ? 1 : 0,
                 cases[index].segment ? cases[index].segment : "",
                 cases[index].segment ? "\n" : "");
        profiler = (lemica_profiler *)&profiler;
        ck_assert_status(
            lemica_profiler_parse(text.data, text.length, NULL, &profiler),
            cases[index].status);
        ck_assert_ptr_null(profiler);
        /* Sizes are refused before the profiler is made. */
        if (!cases[index].segment)
            ck_assert_uint_eq(lemica_alloc_count(), allocations);
        assert_message_has(cases[index].segment ? "line 6" : "line ");
        text_free(&text);
    }
    text_add(&text, "lemica-profile 1.0\nnum_steps 4\nmax_skip 2\nmetric l1\n"
                    "segments 2147483648\nend\n");
    ck_assert_status(
        lemica_profiler_parse(text.data, text.length, NULL, &profiler),
        LEMICA_ERR_TOO_LARGE);
    text_free(&text);
}
END_TEST

START_TEST(test_limits_csv)
{
    static const struct {
        const char *text;
        int num_steps, max_skip;
        lemica_status status;
    } cases[] = {
        {"i,j,weight\n65535,65536,0.5\n", 0, 0, LEMICA_ERR_TOO_LARGE},
        {"i,j,weight\n65535,65536,0.5\n", 65536, 0, LEMICA_ERR_OUT_OF_RANGE},
        {"i,j,weight\n0,2147483648,0.5\n", 0, 0, LEMICA_ERR_TOO_LARGE},
        {"i,j,weight\n0,2147483648,0.5\n", 100, 0, LEMICA_ERR_OUT_OF_RANGE},
        {"i,j,weight\n99999999999999999999,3,0.5\n", 0, 0,
         LEMICA_ERR_TOO_LARGE},
        {"i,j,weight\n0,2,0.5\n", LEMICA_MAX_STEPS + 1, 0,
         LEMICA_ERR_TOO_LARGE},
        {"i,j,weight\n0,2,0.5\n", INT_MAX, 0, LEMICA_ERR_TOO_LARGE},
        /* N and K inferred: 65536 steps, K 65535, far past 2^27 slots. */
        {"i,j,weight\n0,65535,0.5\n", 0, 0, LEMICA_ERR_TOO_LARGE},
        /* 11586 * 11585 is the first square-ish shape past 2^27. */
        {"i,j,weight\n0,11585,0.5\n", 0, 0, LEMICA_ERR_TOO_LARGE},
        {"i,j,weight\n0,2,0.5\n", 65536, 2049, LEMICA_ERR_TOO_LARGE},
        {"i,j,weight\n0,2,1e309\n", 0, 0, LEMICA_ERR_INVALID_VALUE},
    };
    lemica_graph *graph = NULL;
    double weight = 0.0;

    /* N inferred as exactly LEMICA_MAX_STEPS; K given, so the long edge
     * that sets N is ignored. */
    static const char largest[] = "i,j,weight\n65533,65535,0.5\n0,65535,1\n";
    ck_assert_ok(
        lemica_graph_parse_csv(largest, strlen(largest), 0, 2, &graph));
    ck_assert_int_eq(lemica_graph_num_steps(graph), LEMICA_MAX_STEPS);
    ck_assert_ok(lemica_graph_get_weight(graph, 65533, 65535, &weight));
    ck_assert_double_eq(weight, 0.5);
    lemica_graph_free(graph);

    for (size_t index = 0; index < sizeof(cases) / sizeof(cases[0]); index++) {
        graph = (lemica_graph *)&graph;
        ck_assert_status(lemica_graph_parse_csv(cases[index].text,
                                                strlen(cases[index].text),
                                                cases[index].num_steps,
                                                cases[index].max_skip, &graph),
                         cases[index].status);
        ck_assert_ptr_null(graph);
    }
}
END_TEST

/* ---- metadata: 64-byte keys, 4096-byte values, 1024 entries ------------- */

/* A graph file of 2 steps with the metadata lines of @lines. */
static lemica_status
parse_with_metadata(const struct text *lines, lemica_metadata *metadata)
{
    struct text text = {NULL, 0, 0};
    lemica_graph *graph = NULL;
    lemica_status status;

    text_add(&text,
             "lemica-graph 1.0\nnum_steps 2\nmax_skip 1\n%s"
             "edges 1\n0 1 0\nend\n",
             lines->data ? lines->data : "");
    status = lemica_graph_parse(text.data, text.length, metadata, &graph);
    lemica_graph_free(graph);
    text_free(&text);
    return status;
}

START_TEST(test_limits_metadata)
{
    char key[LEMICA_METADATA_MAX_KEY + 2];
    char *value = malloc(LEMICA_METADATA_MAX_VALUE + 2);
    struct text lines = {NULL, 0, 0};
    lemica_metadata *metadata = NULL;

    ck_assert_ptr_nonnull(value);
    ck_assert_ok(lemica_metadata_new(&metadata));
    memset(key, 'k', sizeof(key));
    memset(value, 'v', LEMICA_METADATA_MAX_VALUE + 2);

    /* In a file: a key of exactly 64 bytes and a value of exactly 4096. */
    key[LEMICA_METADATA_MAX_KEY] = '\0';
    value[LEMICA_METADATA_MAX_VALUE] = '\0';
    text_add(&lines, "%s %s\n", key, value);
    ck_assert_ok(parse_with_metadata(&lines, metadata));
    ck_assert_uint_eq(lemica_metadata_count(metadata), 1);
    ck_assert_uint_eq(strlen(lemica_metadata_get(metadata, key)),
                      LEMICA_METADATA_MAX_VALUE);
    text_free(&lines);
    /* One byte more in the key, or in the value: too large, on line 4. */
    key[LEMICA_METADATA_MAX_KEY] = 'k';
    key[LEMICA_METADATA_MAX_KEY + 1] = '\0';
    text_add(&lines, "%s v\n", key);
    ck_assert_status(parse_with_metadata(&lines, metadata),
                     LEMICA_ERR_TOO_LARGE);
    assert_message_has("line 4");
    assert_message_has("65 bytes");
    text_free(&lines);
    /* ... unless the key is malformed anyway. */
    key[LEMICA_METADATA_MAX_KEY] = '!';
    text_add(&lines, "%s v\n", key);
    ck_assert_status(parse_with_metadata(&lines, metadata), LEMICA_ERR_PARSE);
    text_free(&lines);
    value[LEMICA_METADATA_MAX_VALUE] = 'v';
    value[LEMICA_METADATA_MAX_VALUE + 1] = '\0';
    text_add(&lines, "model %s\n", value);
    ck_assert_status(parse_with_metadata(&lines, metadata),
                     LEMICA_ERR_TOO_LARGE);
    assert_message_has("line 4");
    text_free(&lines);
    /* The failed parses left the list of the good one. */
    ck_assert_uint_eq(lemica_metadata_count(metadata), 1);

    /* Exactly 1024 entries, then 1025: refused on line 4 + 1024. */
    for (int index = 0; index < LEMICA_METADATA_MAX_ENTRIES; index++)
        text_add(&lines, "key%d v\n", index);
    ck_assert_ok(parse_with_metadata(&lines, metadata));
    ck_assert_uint_eq(lemica_metadata_count(metadata),
                      LEMICA_METADATA_MAX_ENTRIES);
    text_add(&lines, "one-more v\n");
    ck_assert_status(parse_with_metadata(&lines, metadata),
                     LEMICA_ERR_TOO_LARGE);
    assert_message_has("line 1028");
    text_free(&lines);

    /* Through the API on the full list: a new key is refused, an existing
     * one still takes a value of the largest size. */
    ck_assert_refused(lemica_metadata_set(metadata, "one-more", "v"),
                      LEMICA_ERR_TOO_LARGE);
    value[LEMICA_METADATA_MAX_VALUE] = '\0';
    ck_assert_ok(lemica_metadata_set(metadata, "key1023", value));
    ck_assert_uint_eq(lemica_metadata_count(metadata),
                      LEMICA_METADATA_MAX_ENTRIES);
    ck_assert_ok(lemica_metadata_remove(metadata, "key0"));
    ck_assert_ok(lemica_metadata_set(metadata, "one-more", "v"));
    lemica_metadata_free(metadata);
    free(value);
}
END_TEST

TEST_SUITE(limits)
{
    const char *huge = getenv("LEMICA_TEST_HUGE");

    add_test(suite, test_limits_num_steps);
    add_test(suite, test_limits_edge_slots);
    if (huge && strcmp(huge, "1") == 0)
        add_test(suite, test_limits_huge_shapes);
    add_test(suite, test_limits_plan_counts);
    add_test(suite, test_limits_solver_states);
    add_test(suite, test_limits_user_solver_states);
    add_test(suite, test_limits_solve_max_steps);
    add_test(suite, test_limits_required_steps);
    add_test(suite, test_limits_frontier_steps);
    add_test(suite, test_limits_profiler_count_max);
    add_test(suite, test_limits_profiler_merge_counts);
    add_test(suite, test_limits_profiler_huge_count_statistics);
    add_test(suite, test_limits_metric_count);
    add_test(suite, test_limits_graph_file_sizes);
    add_test(suite, test_limits_schedule_file_sizes);
    add_test(suite, test_limits_profile_file_sizes);
    add_test(suite, test_limits_csv);
    add_test(suite, test_limits_metadata);
}
