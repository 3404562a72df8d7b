/* SPDX-License-Identifier: MIT */
/*
 * Allocation failures: every public operation is run with its n-th
 * allocation failing, for n = 0, 1, 2, ... until it succeeds (in two modes,
 * see sweep_once). Each failing
 * run must return LEMICA_ERR_NO_MEMORY, leave the objects it was given
 * unchanged (compared through their file text) and usable, and leak
 * nothing (the ASan and valgrind runs of this suite check the leaks).
 *
 * The library names the site ("file:line") of the allocation that was made
 * to fail; the last test checks that the sweeps together reach every
 * allocation call in the library's sources, so a new allocation site
 * without a sweep fails the suite.
 */
#include <dirent.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc-int.h"
#include "solver-int.h"
#include "test-common.h"
#include "test-files.h"

#define MAX_SITES 256

/* The distinct allocation sites made to fail, and how many failures. */
struct site_log {
    const char *sites[MAX_SITES];
    size_t count;
    long failures;
};

static const char *
base_name(const char *path)
{
    const char *slash = strrchr(path, '/');

    return slash ? slash + 1 : path;
}

static void
site_log_add(struct site_log *log, const char *site)
{
    log->failures++;
    for (size_t i = 0; i < log->count; i++)
        if (strcmp(base_name(log->sites[i]), base_name(site)) == 0)
            return;
    ck_assert_uint_lt(log->count, MAX_SITES);
    log->sites[log->count++] = site;
}

/* Run @operation_ with failure injection at every allocation in turn. A
 * failing run must be LEMICA_ERR_NO_MEMORY caused by the injected failure
 * (never another status, never one swallowed into success); @on_failure_
 * then checks what the operation was given. */
/* Which failures SWEEP injects: 0, every allocation from the n-th on
 * (memory stays short); 1, only the n-th (the clean-up of partly built
 * objects then runs with later allocations succeeding). Each sweep
 * function runs once in each mode, from a fresh start, because the
 * operations it sweeps change the objects when they finally succeed. */
static int sweep_once;

/* Run @operation_ with failure injection at every allocation in turn. A
 * failing run must be LEMICA_ERR_NO_MEMORY caused by the injected failure
 * (never another status, never one swallowed into success); @on_failure_
 * then checks what the operation was given. */
#define SWEEP(log_, operation_, on_failure_)                                   \
    do {                                                                       \
        for (long n_ = 0;; n_++) {                                             \
            lemica_status st_;                                                 \
            const char *site_;                                                 \
            if (sweep_once)                                                    \
                lemica_alloc_fail_once_after(n_);                              \
            else                                                               \
                lemica_alloc_fail_after(n_);                                   \
            st_ = (operation_);                                                \
            site_ = lemica_alloc_failed_site();                                \
            lemica_alloc_fail_after(-1);                                       \
            if (st_ == LEMICA_OK) {                                            \
                ck_assert_msg(site_ == NULL,                                   \
                              "%s succeeded although allocation %ld (%s) "     \
                              "failed",                                        \
                              #operation_, n_, site_);                         \
                break;                                                         \
            }                                                                  \
            ck_assert_msg(st_ == LEMICA_ERR_NO_MEMORY,                         \
                          "%s with allocation %ld failing%s: %s: %s",          \
                          #operation_, n_, sweep_once ? " (once)" : "",        \
                          lemica_status_name(st_),                             \
                          lemica_last_error_message());                        \
            ck_assert_msg(site_ != NULL,                                       \
                          "%s: out of memory with no allocation failed",       \
                          #operation_);                                        \
            site_log_add((log_), site_);                                       \
            on_failure_;                                                       \
            ck_assert_msg(n_ < 1000, "%s never succeeds", #operation_);        \
        }                                                                      \
    } while (0)

/* Texts may be large: report only where they first differ (Check cannot
 * carry a long message). */
static void
assert_same_text(const char *text, const char *expected)
{
    size_t at = 0;

    while (text[at] && text[at] == expected[at])
        at++;
    ck_assert_msg(text[at] == expected[at],
                  "texts differ at byte %zu: \"%.40s\" instead of \"%.40s\"",
                  at, text + at, expected + at);
}

static void
assert_graph_text(const lemica_graph *graph, const char *expected)
{
    char *text = test_graph_text(graph, NULL);

    assert_same_text(text, expected);
    free(text);
}

static void
assert_schedule_text(const lemica_schedule *schedule, const char *expected)
{
    char *text = test_schedule_text(schedule, NULL);

    assert_same_text(text, expected);
    free(text);
}

static void
assert_profile_text(const lemica_profiler *profiler, const char *expected)
{
    char *text = test_profile_text(profiler, NULL);

    assert_same_text(text, expected);
    free(text);
}

/* "key=value;" for every entry, in order. */
static void
metadata_text(const lemica_metadata *metadata, char *text, size_t size)
{
    size_t used = 0;

    text[0] = '\0';
    for (size_t i = 0; i < lemica_metadata_count(metadata); i++) {
        int length = snprintf(text + used, size - used, "%s=%s;",
                              lemica_metadata_key(metadata, i),
                              lemica_metadata_value(metadata, i));

        ck_assert_int_lt(length, (int)(size - used));
        used += (size_t)length;
    }
}

static void
assert_metadata_text(const lemica_metadata *metadata, const char *expected)
{
    char text[1024];

    metadata_text(metadata, text, sizeof(text));
    ck_assert_str_eq(text, expected);
}

static double
edge_weight(int from, int to)
{
    return 0.01 * (to - from) + 0.001 * from;
}

static lemica_graph *
make_graph(int num_steps, int max_skip)
{
    lemica_graph *graph;

    ck_assert_ok(lemica_graph_new(num_steps, max_skip, &graph));
    for (int i = 0; i < num_steps; i++)
        for (int j = i + 2; j < num_steps && j - i <= max_skip; j++)
            ck_assert_ok(lemica_graph_set_weight(graph, i, j, edge_weight(i, j)));
    return graph;
}

static void
expect_steps(const lemica_schedule *schedule, const char *expected)
{
    char text[256];

    ck_assert_ok(lemica_schedule_format_steps(schedule, text, sizeof(text), NULL));
    ck_assert_str_eq(text, expected);
}

/* ---- graph -------------------------------------------------------------- */

/* Two graph files with the same edges: one with a weight whose text is
 * longer than the number parser's stack copy (the heap copy is an
 * allocation site), one in CSV with enough rows to grow the edge list. */
static char *
long_weight_graph_text(void)
{
    static const char head[] = "lemica-graph 1.0\n"
                               "num_steps 6\n"
                               "max_skip 3\n"
                               "edges 1\n"
                               "0 3 0.";
    char *text = malloc(sizeof(head) + 200);

    ck_assert_ptr_nonnull(text);
    strcpy(text, head);
    for (int i = 0; i < 150; i++)
        strcat(text, i == 149 ? "1" : "0");
    strcat(text, "\nend\n");
    return text;
}

static char *
csv_text(int num_steps, int max_skip)
{
    size_t size = (size_t)num_steps * (size_t)max_skip * 32 + 64;
    char *text = malloc(size);
    size_t used;

    ck_assert_ptr_nonnull(text);
    used = (size_t)snprintf(text, size, "i,j,weight\n");
    for (int i = 0; i < num_steps; i++)
        for (int j = i + 2; j < num_steps && j - i <= max_skip; j++)
            used += (size_t)snprintf(text + used, size - used, "%d,%d,%.17g\n",
                                     i, j, edge_weight(i, j));
    return text;
}

static void
sweep_graph(struct site_log *log)
{
    lemica_graph *graph = make_graph(30, 8), *made = NULL, *copy = NULL;
    lemica_metadata *metadata = NULL;
    char *before = test_graph_text(graph, NULL), *text, *csv;
    size_t length;

    SWEEP(log, lemica_graph_new(30, 8, &made), ck_assert_ptr_null(made));
    lemica_graph_free(made);
    made = NULL;
    SWEEP(log, lemica_graph_copy(graph, &copy), {
        ck_assert_ptr_null(copy);
        assert_graph_text(graph, before);
    });
    SWEEP(log, lemica_graph_set_weight(copy, 0, 5, 0.5), (void)0);
    SWEEP(log, lemica_graph_remove_edge(copy, 0, 5), (void)0);
    SWEEP(log, lemica_graph_format(graph, NULL, NULL, 0, &length), (void)0);

    /* A parse replaces the metadata only on success. */
    ck_assert_ok(lemica_metadata_new(&metadata));
    ck_assert_ok(lemica_metadata_set(metadata, "keep", "me"));
    SWEEP(log, lemica_graph_parse(before, strlen(before), metadata, &made), {
        ck_assert_ptr_null(made);
        assert_metadata_text(metadata, "keep=me;");
    });
    assert_graph_text(made, before);
    lemica_graph_free(made);
    made = NULL;

    text = long_weight_graph_text();
    SWEEP(log, lemica_graph_parse(text, strlen(text), NULL, &made),
          ck_assert_ptr_null(made));
    lemica_graph_free(made);
    made = NULL;
    free(text);

    csv = csv_text(30, 8);
    SWEEP(log, lemica_graph_parse_csv(csv, strlen(csv), 30, 8, &made),
          ck_assert_ptr_null(made));
    assert_graph_text(made, before);
    lemica_graph_free(made);
    free(csv);

    lemica_metadata_free(metadata);
    lemica_graph_free(copy);
    lemica_graph_free(graph);
    free(before);
}

/* ---- metadata ----------------------------------------------------------- */

static void
sweep_metadata(struct site_log *log)
{
    lemica_metadata *metadata = NULL, *copy = NULL;
    char key[16], expected[1024] = "";

    SWEEP(log, lemica_metadata_new(&metadata), ck_assert_ptr_null(metadata));
    /* Sixteen entries: the entry array grows on the first and the ninth. */
    for (int i = 0; i < 16; i++) {
        snprintf(key, sizeof(key), "key%d", i);
        SWEEP(log, lemica_metadata_set(metadata, key, "value"),
              assert_metadata_text(metadata, expected));
        snprintf(expected + strlen(expected),
                 sizeof(expected) - strlen(expected), "%s=value;", key);
    }
    assert_metadata_text(metadata, expected);
    /* Replacing a value keeps the old one on failure. */
    SWEEP(log, lemica_metadata_set(metadata, "key3", "other"),
          assert_metadata_text(metadata, expected));
    metadata_text(metadata, expected, sizeof(expected));
    ck_assert_ptr_nonnull(strstr(expected, ";key3=other;key4=value;"));
    SWEEP(log, lemica_metadata_copy(metadata, &copy), {
        ck_assert_ptr_null(copy);
        assert_metadata_text(metadata, expected);
    });
    assert_metadata_text(copy, expected);
    ck_assert_str_eq(lemica_metadata_get(copy, "key3"), "other");
    SWEEP(log, lemica_metadata_remove(copy, "key3"), (void)0);
    ck_assert_ptr_null(lemica_metadata_get(copy, "key3"));
    lemica_metadata_clear(copy);
    ck_assert_uint_eq(lemica_metadata_count(copy), 0);
    SWEEP(log, lemica_metadata_set(copy, "again", "1"), (void)0);
    lemica_metadata_free(copy);
    lemica_metadata_free(metadata);
}

/* ---- schedules ---------------------------------------------------------- */

static void
sweep_schedule(struct site_log *log)
{
    static const int steps[] = {0, 3, 9, 12, 18, 24, 29};
    lemica_graph *graph = make_graph(30, 8);
    lemica_schedule *schedule = NULL, *made = NULL, *copy = NULL;
    lemica_metadata *metadata = NULL;
    char *before, *text;
    char buffer[256];
    int got[30];
    double costs[30];
    size_t count;

    SWEEP(log, lemica_schedule_new_from_steps(30, steps, 7, &schedule),
          ck_assert_ptr_null(schedule));
    SWEEP(log, lemica_schedule_parse_steps(30, "0,3,9,29", 8, &made),
          ck_assert_ptr_null(made));
    lemica_schedule_free(made);
    made = NULL;
    SWEEP(log, lemica_schedule_parse_mask("1,0,1", 5, &made),
          ck_assert_ptr_null(made));
    lemica_schedule_free(made);
    made = NULL;

    /* Evaluating adds the costs; on failure the schedule has none. */
    before = test_schedule_text(schedule, NULL);
    SWEEP(log, lemica_schedule_evaluate(schedule, graph), {
        ck_assert_int_eq(lemica_schedule_has_costs(schedule), 0);
        assert_schedule_text(schedule, before);
    });
    ck_assert_int_eq(lemica_schedule_has_costs(schedule), 1);
    free(before);
    before = test_schedule_text(schedule, NULL);

    SWEEP(log, lemica_schedule_copy(schedule, &copy), {
        ck_assert_ptr_null(copy);
        assert_schedule_text(schedule, before);
    });
    assert_schedule_text(copy, before);
    SWEEP(log, lemica_schedule_format_steps(schedule, buffer, sizeof(buffer),
                                            NULL),
          (void)0);
    SWEEP(log, lemica_schedule_format_mask(schedule, buffer, sizeof(buffer),
                                           NULL),
          (void)0);
    SWEEP(log, lemica_schedule_steps(schedule, got, 30, &count), (void)0);
    SWEEP(log, lemica_schedule_costs(schedule, costs, 30, &count), (void)0);
    SWEEP(log, lemica_schedule_format(schedule, NULL, buffer, sizeof(buffer),
                                      NULL),
          (void)0);

    ck_assert_ok(lemica_metadata_new(&metadata));
    ck_assert_ok(lemica_metadata_set(metadata, "keep", "me"));
    text = test_schedule_text(schedule, NULL);
    SWEEP(log, lemica_schedule_parse(text, strlen(text), 30, metadata, &made), {
        ck_assert_ptr_null(made);
        assert_metadata_text(metadata, "keep=me;");
    });
    assert_schedule_text(made, before);
    free(text);

    lemica_metadata_free(metadata);
    lemica_schedule_free(made);
    lemica_schedule_free(copy);
    lemica_schedule_free(schedule);
    lemica_graph_free(graph);
    free(before);
}

/* ---- solver and frontier ------------------------------------------------ */

/* Sum of the weights, then the count: a user comparator. */
static int
compare_sum(const double *a, size_t a_length, const double *b, size_t b_length,
            void *user_data)
{
    double sa = 0, sb = 0;

    (void)user_data;
    for (size_t i = 0; i < a_length; i++)
        sa += a[i];
    for (size_t i = 0; i < b_length; i++)
        sb += b[i];
    return (sa > sb) - (sa < sb);
}

static void
sweep_solver_with(struct site_log *log, const lemica_graph *graph,
                  lemica_comparator comparator, int user)
{
    lemica_solver *solver = NULL;
    lemica_schedule *schedule = NULL, *kept = NULL;
    lemica_frontier *frontier = NULL;
    const lemica_schedule *member;
    char before[256];
    int budget;

    SWEEP(log, lemica_solver_new(&solver), ck_assert_ptr_null(solver));
    if (user)
        SWEEP(log, lemica_solver_set_user_comparator(solver, compare_sum, NULL),
              (void)0);
    else
        SWEEP(log, lemica_solver_set_comparator(solver, comparator), (void)0);
    SWEEP(log, lemica_solver_set_max_skip(solver, 7), (void)0);
    /* The required-step array grows with the largest step named. */
    SWEEP(log, lemica_solver_require_step(solver, 12),
          ck_assert_int_eq(lemica_solver_is_step_required(solver, 12), 0));
    SWEEP(log, lemica_solver_require_first_steps(solver, 3), (void)0);
    /* A fresh solver allocates its workspace inside the solve. */
    SWEEP(log, lemica_solver_solve(solver, graph, 8, &schedule),
          ck_assert_ptr_null(schedule));
    ck_assert_ok(
        lemica_schedule_format_steps(schedule, before, sizeof(before), NULL));
    lemica_solver_free(solver);

    /* solve_into: the schedule it was given stays as it was. */
    ck_assert_ok(lemica_solver_new(&solver));
    if (user)
        ck_assert_ok(lemica_solver_set_user_comparator(solver, compare_sum, NULL));
    else
        ck_assert_ok(lemica_solver_set_comparator(solver, comparator));
    ck_assert_ok(lemica_solver_set_max_skip(solver, 7));
    ck_assert_ok(lemica_solver_require_step(solver, 12));
    ck_assert_ok(lemica_solver_require_first_steps(solver, 3));
    ck_assert_ok(lemica_schedule_parse_steps(30, "0,29", 4, &kept));
    SWEEP(log, lemica_solver_solve_into(solver, graph, 8, kept),
          expect_steps(kept, "0,29"));
    expect_steps(kept, before);
    SWEEP(log, lemica_solver_solve_frontier(solver, graph, &frontier),
          ck_assert_ptr_null(frontier));
    lemica_frontier_free(frontier);
    frontier = NULL;
    /* Again with the workspace warm: now the frontier's own blocks fail
     * (a failed solve keeps the workspace it grew, so the first sweep may
     * succeed before reaching them). */
    SWEEP(log, lemica_solver_solve_frontier(solver, graph, &frontier),
          ck_assert_ptr_null(frontier));
    SWEEP(log, lemica_frontier_find(frontier, 8, &member), (void)0);
    expect_steps(member, before);
    SWEEP(log, lemica_frontier_get(frontier, 0, &member), (void)0);
    lemica_frontier_free(frontier);
    lemica_solver_free(solver);

    ck_assert_ok(lemica_solver_new(&solver));
    if (user)
        ck_assert_ok(lemica_solver_set_user_comparator(solver, compare_sum, NULL));
    SWEEP(log, lemica_solver_min_budget(solver, graph, &budget), (void)0);
    ck_assert_int_eq(budget, 5);
    /* The solver still works after all that. */
    lemica_schedule_free(schedule);
    ck_assert_ok(lemica_solver_solve(solver, graph, 8, &schedule));
    lemica_schedule_free(schedule);
    lemica_schedule_free(kept);
    lemica_solver_free(solver);
}

static void
sweep_solver(struct site_log *log)
{
    lemica_graph *graph = make_graph(30, 8);

    sweep_solver_with(log, graph, LEMICA_COMPARATOR_LEXMAX, 0);
    sweep_solver_with(log, graph, LEMICA_COMPARATOR_SUM, 0);
    sweep_solver_with(log, graph, LEMICA_COMPARATOR_MAX, 0);
    sweep_solver_with(log, graph, LEMICA_COMPARATOR_LEXMAX, 1);
    lemica_graph_free(graph);

    /* LEXMAX encoded in three digit groups (40 levels, budget 8), on the
     * row scan: the lower groups' workspace, weight copies included (the
     * level cut's reachability masks share the solver's one reserve site
     * and are kept between failures here: test_level_cut_masks_after_failure
     * makes them fail on a fresh solver). Every edge into the last
     * step has the top level, so no path keeps to fewer levels and all
     * three groups stay. */
    {
        lemica_solver *solver = NULL;
        lemica_schedule *schedule = NULL;

        ck_assert_ok(lemica_graph_new(30, 29, &graph));
        for (int i = 0; i < 30; i++)
            for (int j = i + 1; j < 30; j++)
                ck_assert_ok(lemica_graph_set_weight(
                    graph, i, j,
                    j == 29 ? 40.0 : (double)(1 + (i * 31 + j * 17) % 40)));
        lemica_solver_set_blocked_scan_max_steps(0);
        ck_assert_ok(lemica_solver_new(&solver));
        SWEEP(log, lemica_solver_solve(solver, graph, 8, &schedule),
              ck_assert_ptr_null(schedule));
        lemica_schedule_free(schedule);
        lemica_solver_free(solver);
        lemica_solver_set_blocked_scan_max_steps(128);
        lemica_graph_free(graph);
    }
    /* LEXMAX by level counts (60 values, which no digit groups hold at
     * N = 30): the row scan's frontier, its levels and two layers of
     * counts. */
    {
        lemica_solver *solver = NULL;
        lemica_frontier *frontier = NULL;
        struct lemica_problem problem;

        ck_assert_ok(lemica_graph_new(30, 29, &graph));
        for (int i = 0; i < 30; i++)
            for (int j = i + 1; j < 30; j++)
                ck_assert_ok(lemica_graph_set_weight(
                    graph, i, j, (double)(1 + (i * 31 + j * 17) % 60)));
        lemica_solver_set_blocked_scan_max_steps(0);
        ck_assert_ok(lemica_solver_new(&solver));
        ck_assert_ok(lemica_solver_prepare(solver, graph, 30,
                                           LEMICA_SOLVE_FRONTIER, &problem));
        ck_assert_int_gt(problem.count_words, 0);
        lemica_solver_free(solver);
        ck_assert_ok(lemica_solver_new(&solver));
        SWEEP(log, lemica_solver_solve_frontier(solver, graph, &frontier),
              ck_assert_ptr_null(frontier));
        lemica_frontier_free(frontier);
        lemica_solver_free(solver);
        lemica_solver_set_blocked_scan_max_steps(128);
        lemica_graph_free(graph);
    }
}

/* ---- profiler and plan -------------------------------------------------- */

static void
sweep_profiler(struct site_log *log)
{
    const lemica_aggregate aggregates[] = {LEMICA_AGGREGATE_MEAN,
                                           LEMICA_AGGREGATE_MAX,
                                           LEMICA_AGGREGATE_MEAN_PLUS_Z_STD};
    lemica_profiler *profiler = NULL, *other = NULL, *copy = NULL,
                    *parsed = NULL;
    lemica_graph *graph = NULL;
    lemica_metadata *metadata = NULL;
    float a[64], b[64];
    char *before, *text;
    uint64_t count;
    double mean, variance, min, max;

    for (int i = 0; i < 64; i++) {
        a[i] = (float)i * 0.5f;
        b[i] = (float)(i % 7);
    }
    SWEEP(log, lemica_profiler_new(30, 8, LEMICA_METRIC_L1, &profiler),
          ck_assert_ptr_null(profiler));
    ck_assert_ok(lemica_profiler_new(30, 8, LEMICA_METRIC_L1, &other));
    for (int i = 0; i + 2 < 30; i++) {
        SWEEP(log,
              lemica_profiler_add_buffers(profiler, i, i + 2, a, b, 64,
                                          LEMICA_DTYPE_F32),
              (void)0);
        SWEEP(log, lemica_profiler_add_error(other, i, i + 2, 0.25), (void)0);
    }
    SWEEP(log,
          lemica_profiler_add_stats(other, 0, 5, 10, 0.5, 0.01, 0.25, 0.75),
          (void)0);
    before = test_profile_text(profiler, NULL);
    SWEEP(log, lemica_profiler_merge(profiler, other),
          assert_profile_text(profiler, before));
    free(before);
    before = test_profile_text(profiler, NULL);
    SWEEP(log, lemica_profiler_copy(profiler, &copy), {
        ck_assert_ptr_null(copy);
        assert_profile_text(profiler, before);
    });
    assert_profile_text(copy, before);
    SWEEP(log,
          lemica_profiler_edge_stats(profiler, 0, 2, &count, &mean, &variance,
                                     &min, &max),
          (void)0);
    ck_assert_uint_eq(count, 2);
    for (int i = 0; i < 3; i++) {
        SWEEP(log,
              lemica_profiler_to_graph(profiler, aggregates[i], 1.0, 0, &graph),
              ck_assert_ptr_null(graph));
        lemica_graph_free(graph);
        graph = NULL;
    }

    ck_assert_ok(lemica_metadata_new(&metadata));
    ck_assert_ok(lemica_metadata_set(metadata, "keep", "me"));
    text = test_profile_text(profiler, NULL);
    SWEEP(log, lemica_profiler_parse(text, strlen(text), metadata, &parsed), {
        ck_assert_ptr_null(parsed);
        assert_metadata_text(metadata, "keep=me;");
    });
    assert_profile_text(parsed, before);
    free(text);
    free(before);

    lemica_metadata_free(metadata);
    lemica_profiler_free(parsed);
    lemica_profiler_free(copy);
    lemica_profiler_free(other);
    lemica_profiler_free(profiler);
}

static void
sweep_plan(struct site_log *log)
{
    lemica_plan *plan = NULL;
    size_t first, count;
    int from, to, start;

    SWEEP(log, lemica_plan_new(30, 8, &plan), ck_assert_ptr_null(plan));
    SWEEP(log, lemica_plan_select_all(plan, 0), (void)0);
    SWEEP(log, lemica_plan_select_start(plan, 4, 1), (void)0);
    SWEEP(log, lemica_plan_select_segment(plan, 10, 15, 1), (void)0);
    ck_assert_uint_eq(lemica_plan_num_replays(plan), 8);
    SWEEP(log, lemica_plan_replay(plan, 0, &from, &to), (void)0);
    SWEEP(log, lemica_plan_group(plan, 0, &start, &first, &count), (void)0);
    lemica_plan_free(plan);
}

/* ---- adaptive profiling ------------------------------------------------ */

/* A failing round leaves the handle as it was: same rounds, calls and
 * measured count, and the next attempt gives the same plan. */
static void
adaptive_loop(struct site_log *log, lemica_adaptive *adaptive,
              lemica_profiler *profiler)
{
    for (;;) {
        lemica_plan *plan = NULL;
        size_t rounds = lemica_adaptive_num_rounds(adaptive);
        uint64_t calls = lemica_adaptive_model_calls(adaptive);

        SWEEP(log, lemica_adaptive_next(adaptive, profiler, &plan), {
            ck_assert_ptr_null(plan);
            ck_assert_uint_eq(lemica_adaptive_num_rounds(adaptive), rounds);
            ck_assert_uint_eq(lemica_adaptive_model_calls(adaptive), calls);
        });
        if (!plan)
            break;
        for (size_t r = 0; r < lemica_plan_num_replays(plan); r++) {
            int from, to;

            ck_assert_ok(lemica_plan_replay(plan, r, &from, &to));
            ck_assert_ok(lemica_profiler_add_error(
                profiler, from, to,
                0.01 * (double)((to - from) * (to - from)) * (1 + from % 3)));
        }
        lemica_plan_free(plan);
    }
}

/* One loop of a 14-step, K = 13 problem under @assumption and @comparator
 * for budget @first (and @second unless 0), batches of at least
 * @min_batch, every allocation of every round made to fail in turn. */
static void
sweep_adaptive_loop(struct site_log *log, lemica_assumption assumption,
                    lemica_comparator comparator, int first, int second,
                    size_t min_batch)
{
    lemica_adaptive *adaptive = NULL;
    lemica_profiler *profiler = NULL;

    ck_assert_ok(lemica_adaptive_new(14, 13, assumption, &adaptive));
    ck_assert_ok(lemica_adaptive_set_comparator(adaptive, comparator));
    ck_assert_ok(lemica_adaptive_request_budget(adaptive, first));
    if (second)
        ck_assert_ok(lemica_adaptive_request_budget(adaptive, second));
    ck_assert_ok(lemica_adaptive_set_min_batch(adaptive, min_batch));
    ck_assert_ok(lemica_profiler_new(14, 13, LEMICA_METRIC_L1, &profiler));
    adaptive_loop(log, adaptive, profiler);
    lemica_profiler_free(profiler);
    lemica_adaptive_free(adaptive);
}

static void
sweep_adaptive(struct site_log *log)
{
    lemica_adaptive *adaptive = NULL;
    lemica_profiler *profiler = NULL;
    lemica_schedule *schedule = NULL;
    size_t violations = 0;

    SWEEP(log,
          lemica_adaptive_new(14, 6, LEMICA_ASSUMPTION_NESTED, &adaptive),
          ck_assert_ptr_null(adaptive));
    ck_assert_ok(lemica_adaptive_request_budget(adaptive, 5));
    ck_assert_ok(lemica_adaptive_request_budget(adaptive, 8));
    ck_assert_ok(lemica_adaptive_set_min_batch(adaptive, 6));
    ck_assert_ok(lemica_profiler_new(14, 6, LEMICA_METRIC_L1, &profiler));
    adaptive_loop(log, adaptive, profiler);
    SWEEP(log, lemica_adaptive_schedule(adaptive, 5, &schedule),
          ck_assert_ptr_null(schedule));
    lemica_schedule_free(schedule);
    /* Every budget: the frontier path. */
    ck_assert_ok(lemica_adaptive_request_all_budgets(adaptive));
    adaptive_loop(log, adaptive, profiler);
    SWEEP(log,
          lemica_assumption_check(profiler, LEMICA_ASSUMPTION_NESTED,
                                  LEMICA_AGGREGATE_MEAN, 0, &violations, NULL,
                                  NULL, NULL, NULL, NULL),
          (void)0);
    lemica_profiler_free(profiler);
    lemica_adaptive_free(adaptive);
    /* SAME_START, whose rounds also place row caps (speculating on a copy
     * of the bound graph). */
    sweep_adaptive_loop(log, LEMICA_ASSUMPTION_SAME_START,
                        LEMICA_COMPARATOR_LEXMAX, 4, 6, 2);
    /* SUM, whose rounds speculate the plain loop ahead. */
    sweep_adaptive_loop(log, LEMICA_ASSUMPTION_NESTED, LEMICA_COMPARATOR_SUM,
                        5, 0, 1);
}

/* ---- the sample stopping rule ------------------------------------------- */

/* A failing update leaves the rule as it was: the same answer, and the
 * next attempt counts as the same update. */
static void
sweep_sample_stop(struct site_log *log)
{
    lemica_sample_stop *rule = NULL;
    lemica_adaptive *adaptive = NULL;
    lemica_profiler *profiler = NULL;

    SWEEP(log, lemica_sample_stop_new(2, 0.5, &rule), ck_assert_ptr_null(rule));
    ck_assert_ok(lemica_adaptive_new(14, 6, LEMICA_ASSUMPTION_NESTED, &adaptive));
    ck_assert_ok(lemica_adaptive_request_budget(adaptive, 5));
    ck_assert_ok(lemica_adaptive_request_budget(adaptive, 8));
    ck_assert_ok(lemica_profiler_new(14, 6, LEMICA_METRIC_L1, &profiler));
    for (uint64_t samples = 1; samples <= 3; samples++) {
        int stop = -1, before = lemica_sample_stop_should_stop(rule);

        ck_assert_ok(lemica_adaptive_set_num_samples(adaptive, samples));
        adaptive_loop(log, adaptive, profiler);
        SWEEP(log, lemica_sample_stop_update(rule, adaptive, profiler, &stop), {
            ck_assert_int_eq(stop, 0);
            ck_assert_int_eq(lemica_sample_stop_should_stop(rule), before);
        });
        ck_assert_int_eq(stop, samples >= 2);
    }
    lemica_profiler_free(profiler);
    lemica_adaptive_free(adaptive);
    lemica_sample_stop_free(rule);
}

/* ---- files -------------------------------------------------------------- */

/* A save that fails leaves the destination as it was and no temporary
 * file beside it. */
static void
assert_file_kept(const struct test_temp_dir *dir, const char *path,
                 const char *expected)
{
    char *text = test_read_text(path);

    assert_same_text(text, expected);
    free(text);
    ck_assert_int_eq(test_temp_dir_count(dir), 1);
}

static void
sweep_files(struct site_log *log)
{
    struct test_temp_dir dir;
    char path[128];
    lemica_graph *graph = make_graph(30, 8), *big = make_graph(500, 60),
                 *loaded = NULL;
    lemica_schedule *schedule = NULL, *loaded_schedule = NULL;
    lemica_profiler *profiler = NULL, *loaded_profiler = NULL;
    lemica_solver *solver = NULL;
    lemica_metadata *metadata = NULL;
    char *old, *text;

    test_temp_dir_make(&dir, "alloc");
    test_temp_dir_file(&dir, "saved", path, sizeof(path));
    ck_assert_ok(lemica_metadata_new(&metadata));
    ck_assert_ok(lemica_metadata_set(metadata, "model", "test"));

    /* Graphs: the old file survives every failed save. */
    ck_assert_ok(lemica_graph_save(graph, NULL, path));
    old = test_read_text(path);
    SWEEP(log, lemica_graph_save(big, metadata, path),
          assert_file_kept(&dir, path, old));
    free(old);
    /* A file of several hundred KiB: the read buffer grows several
     * times. */
    text = test_graph_text(big, NULL);
    ck_assert_uint_gt(strlen(text), 4 * 65536);
    SWEEP(log, lemica_graph_load(path, NULL, &loaded),
          ck_assert_ptr_null(loaded));
    assert_graph_text(loaded, text);
    lemica_graph_free(loaded);
    loaded = NULL;
    free(text);

    /* Schedules. */
    ck_assert_ok(lemica_solver_new(&solver));
    ck_assert_ok(lemica_solver_solve(solver, graph, 8, &schedule));
    old = test_read_text(path);
    SWEEP(log, lemica_schedule_save(schedule, metadata, path),
          assert_file_kept(&dir, path, old));
    free(old);
    SWEEP(log, lemica_schedule_load(path, 30, NULL, &loaded_schedule),
          ck_assert_ptr_null(loaded_schedule));
    text = test_schedule_text(schedule, NULL);
    assert_schedule_text(loaded_schedule, text);
    free(text);

    /* Profiles. */
    ck_assert_ok(lemica_profiler_new(30, 8, LEMICA_METRIC_MSE, &profiler));
    for (int i = 0; i + 3 < 30; i++)
        ck_assert_ok(lemica_profiler_add_error(profiler, i, i + 3, 0.125 * i));
    old = test_read_text(path);
    SWEEP(log, lemica_profiler_save(profiler, metadata, path),
          assert_file_kept(&dir, path, old));
    free(old);
    SWEEP(log, lemica_profiler_load(path, NULL, &loaded_profiler),
          ck_assert_ptr_null(loaded_profiler));
    text = test_profile_text(profiler, NULL);
    assert_profile_text(loaded_profiler, text);
    free(text);

    /* CSV. */
    text = csv_text(30, 8);
    test_write_file(path, text, strlen(text));
    free(text);
    SWEEP(log, lemica_graph_load_csv(path, 30, 8, &loaded),
          ck_assert_ptr_null(loaded));
    text = test_graph_text(graph, NULL);
    assert_graph_text(loaded, text);
    free(text);

    test_temp_dir_remove(&dir);
    lemica_graph_free(loaded);
    lemica_profiler_free(loaded_profiler);
    lemica_profiler_free(profiler);
    lemica_schedule_free(loaded_schedule);
    lemica_schedule_free(schedule);
    lemica_solver_free(solver);
    lemica_metadata_free(metadata);
    lemica_graph_free(big);
    lemica_graph_free(graph);
}

/* ---- tests -------------------------------------------------------------- */

static void
report(const char *what, const struct site_log *log)
{
    fprintf(stderr, "%s: %ld allocations failed one by one, %zu distinct "
                    "sites\n",
            what, log->failures, log->count);
}

/* ---- k best and verifier ------------------------------------------------ */

/* LEXMAX through the callback: a monotone user comparator. */
static int
compare_lexmax(const double *a, size_t a_length, const double *b,
               size_t b_length, void *user_data)
{
    (void)user_data;
    (void)b_length;
    for (size_t i = 0; i < a_length; i++)
        if (a[i] != b[i])
            return a[i] < b[i] ? -1 : 1;
    return 0;
}

static void
sweep_kbest(struct site_log *log)
{
    lemica_graph *graph = make_graph(30, 8);
    /* The weak DP of a user comparator keeps every partial schedule that
     * fewer than k earlier ones beat: many on this graph, whose weights
     * grow with the span. A smaller graph keeps the sweep short. */
    lemica_graph *small = make_graph(14, 6);

    for (int comparator = 0; comparator < 4; comparator++) {
        lemica_solver *solver;
        lemica_schedule_list *list = NULL;
        const lemica_schedule *member;
        size_t first, count;

        ck_assert_ok(lemica_solver_new(&solver));
        if (comparator == LEMICA_COMPARATOR_USER)
            ck_assert_ok(lemica_solver_set_user_comparator(
                solver, compare_lexmax, NULL));
        else
            ck_assert_ok(lemica_solver_set_comparator(
                solver, (lemica_comparator)comparator));
        ck_assert_ok(lemica_solver_require_first_steps(solver, 2));
        SWEEP(log, lemica_solver_solve_k_best(
                       solver, comparator == 3 ? small : graph, 8, 6, &list),
              ck_assert_ptr_null(list));
        ck_assert_uint_eq(lemica_schedule_list_count(list), 6);
        lemica_schedule_list_free(list);
        list = NULL;
        /* Again with the workspace warm (LEXMAX keeps its enumeration
         * there): now the list's own blocks fail first. */
        SWEEP(log, lemica_solver_solve_k_best(
                       solver, comparator == 3 ? small : graph, 8, 6, &list),
              ck_assert_ptr_null(list));
        lemica_schedule_list_free(list);
        list = NULL;
        SWEEP(log, lemica_solver_solve_k_best_frontier(
                       solver, comparator == 3 ? small : graph, 4, &list),
              ck_assert_ptr_null(list));
        lemica_schedule_list_free(list);
        list = NULL;
        SWEEP(log, lemica_solver_solve_k_best_frontier(
                       solver, comparator == 3 ? small : graph, 4, &list),
              ck_assert_ptr_null(list));
        SWEEP(log, lemica_schedule_list_find(list, 8, &first, &count),
              (void)0);
        SWEEP(log, lemica_schedule_list_get(list, first, &member), (void)0);
        ck_assert_int_eq(lemica_schedule_budget(member), 8);
        lemica_schedule_list_free(list);
        lemica_solver_free(solver);
    }
    /* LEXMAX and SUM grow their paths as the enumeration asks for more:
     * from a workspace warm for one schedule to one for twenty, so that
     * the sweep reaches that growth too. */
    for (int comparator = 0; comparator < 2; comparator++) {
        lemica_solver *solver;
        lemica_schedule_list *list = NULL;

        ck_assert_ok(lemica_solver_new(&solver));
        ck_assert_ok(lemica_solver_set_comparator(
            solver, (lemica_comparator)comparator));
        ck_assert_ok(lemica_solver_solve_k_best(solver, graph, 8, 1, &list));
        lemica_schedule_list_free(list);
        list = NULL;
        SWEEP(log, lemica_solver_solve_k_best_frontier(solver, graph, 20,
                                                        &list),
              ck_assert_ptr_null(list));
        lemica_schedule_list_free(list);
        lemica_solver_free(solver);
    }
    lemica_graph_free(graph);
    lemica_graph_free(small);
}

static void
sweep_verifier(struct site_log *log)
{
    lemica_verifier *verifier = NULL;
    lemica_schedule *schedules[10];
    size_t index, best;
    const float x[3] = {1.0f, 2.0f, 3.0f}, y[3] = {1.0f, 2.5f, 3.0f};

    SWEEP(log, lemica_verifier_new(3, &verifier), ck_assert_ptr_null(verifier));
    /* Ten candidates: the arrays grow past their first size. */
    for (int i = 0; i < 10; i++) {
        int steps[3] = {0, 1 + i, 19};

        ck_assert_ok(lemica_schedule_new_from_steps(20, steps, 3,
                                                    &schedules[i]));
        SWEEP(log, lemica_verifier_add_candidate(verifier, schedules[i],
                                                 &index),
              ck_assert_uint_eq(lemica_verifier_num_candidates(verifier),
                                (size_t)i));
        ck_assert_uint_eq(index, (size_t)i);
    }
    for (size_t run = 0; run < lemica_verifier_num_runs(verifier); run++) {
        size_t candidate, sample;

        ck_assert_ok(lemica_verifier_run(verifier, run, &candidate, &sample));
        SWEEP(log, lemica_verifier_report_buffers(verifier, candidate, sample,
                                                  x, y, 3, LEMICA_DTYPE_F32),
              (void)0);
    }
    SWEEP(log, lemica_verifier_best(verifier, &best), (void)0);
    ck_assert_uint_eq(best, 0);
    lemica_verifier_free(verifier);
    for (int i = 0; i < 10; i++)
        lemica_schedule_free(schedules[i]);
}

typedef void (*sweep_fn)(struct site_log *log);

static void
sweep_both_modes(sweep_fn sweep, struct site_log *log)
{
    for (sweep_once = 0; sweep_once < 2; sweep_once++)
        sweep(log);
    sweep_once = 0;
}

#define SWEEP_TEST(name_, minimum_sites_)                                      \
    START_TEST(test_##name_##_allocation_failures)                             \
    {                                                                          \
        struct site_log log = {{NULL}, 0, 0};                                  \
                                                                               \
        sweep_both_modes(sweep_##name_, &log);                                 \
        report(#name_, &log);                                                  \
        ck_assert_uint_ge(log.count, (minimum_sites_));                        \
    }                                                                          \
    END_TEST

SWEEP_TEST(graph, 5)
SWEEP_TEST(metadata, 3)
SWEEP_TEST(schedule, 2)
SWEEP_TEST(solver, 4)
SWEEP_TEST(profiler, 4)
SWEEP_TEST(plan, 6)
SWEEP_TEST(adaptive, 8)
SWEEP_TEST(sample_stop, 3)
SWEEP_TEST(files, 3)
SWEEP_TEST(kbest, 5)
SWEEP_TEST(verifier, 2)

/* Does @log hold a failure at lib/<folder>/@file between lines @first and @last
 * (a call spanning lines is named by its first line with GCC, by its last
 * with clang)? */
static int
site_logged(const struct site_log *log, const char *file, int first, int last)
{
    for (size_t i = 0; i < log->count; i++) {
        const char *name = base_name(log->sites[i]);
        const char *colon = strrchr(name, ':');
        int line = atoi(colon + 1);

        if ((size_t)(colon - name) == strlen(file) &&
            strncmp(name, file, strlen(file)) == 0 && line >= first &&
            line <= last)
            return 1;
    }
    return 0;
}

static int
is_identifier_char(char c)
{
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9');
}

/* Find the calls of the allocation wrappers in one source file; returns
 * their number and appends those @log lacks to @missing. */
static int
check_source(const char *directory, const char *file,
             const struct site_log *log, char *missing, size_t size)
{
    static const char *const calls[] = {"lemica_alloc_array(",
                                        "lemica_alloc_zeroed(",
                                        "lemica_realloc_array("};
    char path[1024];
    char *text;
    int found = 0;

    snprintf(path, sizeof(path), "%s/%s", directory, file);
    text = test_read_text(path);
    for (size_t c = 0; c < sizeof(calls) / sizeof(calls[0]); c++) {
        for (const char *at = strstr(text, calls[c]); at;
             at = strstr(at + 1, calls[c])) {
            int first = 1, last, depth = 0;
            const char *p;

            if (at > text && is_identifier_char(at[-1]))
                continue;
            for (p = text; p < at; p++)
                first += *p == '\n';
            last = first;
            /* To the closing parenthesis of the call. */
            for (p = at + strlen(calls[c]) - 1; *p; p++) {
                depth += (*p == '(') - (*p == ')');
                last += *p == '\n';
                if (depth == 0)
                    break;
            }
            found++;
            if (!site_logged(log, file, first, last))
                snprintf(missing + strlen(missing), size - strlen(missing),
                         " %s:%d", file, first);
        }
    }
    free(text);
    return found;
}

START_TEST(test_every_allocation_site_fails)
{
    struct site_log log = {{NULL}, 0, 0};
    char missing[4096] = "";
    DIR *top;
    struct dirent *folder;
    int sites = 0;

    sweep_both_modes(sweep_graph, &log);
    sweep_both_modes(sweep_metadata, &log);
    sweep_both_modes(sweep_schedule, &log);
    sweep_both_modes(sweep_solver, &log);
    sweep_both_modes(sweep_profiler, &log);
    sweep_both_modes(sweep_plan, &log);
    sweep_both_modes(sweep_adaptive, &log);
    sweep_both_modes(sweep_sample_stop, &log);
    sweep_both_modes(sweep_files, &log);
    sweep_both_modes(sweep_kbest, &log);
    sweep_both_modes(sweep_verifier, &log);

    /* lib/ groups its sources by concept, one folder each. */
    top = opendir(LEMICA_LIB_SOURCE_DIR);
    ck_assert_msg(top != NULL, "cannot open %s", LEMICA_LIB_SOURCE_DIR);
    while ((folder = readdir(top)) != NULL) {
        char path[512];
        DIR *directory;
        struct dirent *entry;

        if (folder->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "%s/%s", LEMICA_LIB_SOURCE_DIR,
                 folder->d_name);
        directory = opendir(path);
        if (directory == NULL)
            continue; /* a file such as lemica.map */
        while ((entry = readdir(directory)) != NULL) {
            size_t length = strlen(entry->d_name);

            /* alloc.c defines the wrappers. */
            if (length < 3 || strcmp(entry->d_name + length - 2, ".c") != 0 ||
                strcmp(entry->d_name, "alloc.c") == 0)
                continue;
            sites += check_source(path, entry->d_name, &log, missing,
                                  sizeof(missing));
        }
        closedir(directory);
    }
    closedir(top);
    fprintf(stderr, "all operations: %ld allocations failed one by one; %zu "
                    "distinct sites of the %d allocation calls in lib/\n",
            log.failures, log.count, sites);
    ck_assert_msg(missing[0] == '\0', "allocation sites never made to fail:%s",
                  missing);
    ck_assert_int_ge(sites, 30);
    ck_assert_uint_eq(log.count, (size_t)sites);
}
END_TEST

/* MAX's k-best stamps its states in room that only grows, and clears
 * only the new room (walks are numbered on from search to search). A
 * failure later in the same reserve must not leave that room uncleared,
 * to be read by the next search as stamps of its own walks. glibc's
 * M_PERTURB fills new memory with 0x7f bytes: a stamp far above any walk
 * number, and a positive "smallest maximum above". LEXMAX and SUM grow
 * their paths and the paths' links apart (the first paths' room, then
 * more as they go): a failure of either must leave room the next solve
 * can trust. After each failure the same solver must give the list a
 * fresh solver gives; each comparator once after a smaller solve (room
 * to grow) and once on a new solver (every first reserve fails). */
START_TEST(test_kbest_room_after_failure)
{
    static const lemica_comparator comparators[] = {
        LEMICA_COMPARATOR_MAX, LEMICA_COMPARATOR_LEXMAX,
        LEMICA_COMPARATOR_SUM};
    lemica_graph *small = make_graph(10, 4), *big = make_graph(40, 12);

#ifdef __GLIBC__
    mallopt(M_PERTURB, 0x80);
#endif
    for (size_t c = 0; c < 3; c++)
        for (int warm = 0; warm < 2; warm++) {
            lemica_solver *fresh;
            lemica_schedule_list *expected, *list;
            size_t count;
            int failed = 0;

            ck_assert_ok(lemica_solver_new(&fresh));
            ck_assert_ok(lemica_solver_set_comparator(fresh, comparators[c]));
            ck_assert_ok(
                lemica_solver_solve_k_best_frontier(fresh, big, 6, &expected));
            count = lemica_schedule_list_count(expected);
            for (long at = 0;; at++) {
                lemica_solver *solver;
                lemica_status status;

                ck_assert_ok(lemica_solver_new(&solver));
                ck_assert_ok(
                    lemica_solver_set_comparator(solver, comparators[c]));
                if (warm) {
                    ck_assert_ok(lemica_solver_solve_k_best_frontier(
                        solver, small, 6, &list));
                    lemica_schedule_list_free(list);
                    list = NULL;
                }
                lemica_alloc_fail_once_after(at);
                status =
                    lemica_solver_solve_k_best_frontier(solver, big, 6, &list);
                lemica_alloc_fail_after(-1);
                if (status == LEMICA_OK) {
                    lemica_schedule_list_free(list);
                    lemica_solver_free(solver);
                    break;
                }
                ck_assert_status(status, LEMICA_ERR_NO_MEMORY);
                failed++;
                ck_assert_ok(
                    lemica_solver_solve_k_best_frontier(solver, big, 6, &list));
                ck_assert_uint_eq(lemica_schedule_list_count(list), count);
                for (size_t i = 0; i < count; i++) {
                    const lemica_schedule *a, *b;
                    char want[256], got[256];

                    ck_assert_ok(lemica_schedule_list_get(expected, i, &a));
                    ck_assert_ok(lemica_schedule_list_get(list, i, &b));
                    ck_assert_ok(lemica_schedule_format_steps(
                        a, want, sizeof(want), NULL));
                    ck_assert_ok(lemica_schedule_format_steps(
                        b, got, sizeof(got), NULL));
                    ck_assert_msg(strcmp(want, got) == 0,
                                  "comparator %zu warm %d, after failure "
                                  "%ld, schedule %zu: %s, not %s",
                                  c, warm, at, i, got, want);
                }
                lemica_schedule_list_free(list);
                list = NULL;
                lemica_solver_free(solver);
            }
            ck_assert_int_gt(failed, 2);
            lemica_schedule_list_free(expected);
            lemica_solver_free(fresh);
        }
#ifdef __GLIBC__
    mallopt(M_PERTURB, 0);
#endif
    lemica_graph_free(small);
    lemica_graph_free(big);
}
END_TEST

/* The level cut's reachability masks fail in a fresh solver, so that no
 * workspace grown before hides them (the sweeps above keep a solver's
 * workspace from one failure to the next and never make them fail):
 * one budget of 36 spread levels past the plain radix (8^17 <= 2^53), a
 * path keeping to the lowest 17 (the plain cut, solver-encode.c); the
 * same with every edge into the last step at the top level (the cut
 * fails: counts, mixed radix, two groups); 70 single outliers under a
 * common weight (counted as the set grows; levels_needed() reserves
 * them). After each failure the same solver gives a fresh one's
 * schedule. Row and blocked scan. */
START_TEST(test_level_cut_masks_after_failure)
{
    for (int kind = 0; kind < 3; kind++)
        for (int scan = 0; scan < 2; scan++) {
            const int n = kind == 2 ? 80 : 60, budget = kind == 2 ? 20 : 8;
            lemica_graph *graph;
            lemica_solver *fresh;
            lemica_schedule *schedule = NULL;
            char want[512], got[512];
            int failed = 0;

            ck_assert_ok(lemica_graph_new(n, n - 1, &graph));
            for (int i = 0; i < n; i++)
                for (int j = i + 1; j < n; j++) {
                    double w;

                    if (kind == 2)
                        w = j == i + 1 && i < 70 ? 1.0 - (i + 1) / 128.0
                                                 : 1.0;
                    else
                        w = kind == 1 && j == n - 1 ? 40.0
                            : j == i + 1           ? 1.0
                                         : (double)(2 + (i * 31 + j * 17) % 35);
                    ck_assert_ok(lemica_graph_set_weight(graph, i, j, w));
                }
            lemica_solver_set_blocked_scan_max_steps(scan ? 128 : 0);
            ck_assert_ok(lemica_solver_new(&fresh));
            ck_assert_ok(lemica_solver_solve(fresh, graph, budget, &schedule));
            ck_assert_ok(
                lemica_schedule_format_steps(schedule, want, sizeof(want), NULL));
            lemica_schedule_free(schedule);
            schedule = NULL;
            for (long at = 0;; at++) {
                lemica_solver *solver;
                lemica_status status;
                const char *site;

                ck_assert_ok(lemica_solver_new(&solver));
                lemica_alloc_fail_once_after(at);
                status = lemica_solver_solve(solver, graph, budget, &schedule);
                site = lemica_alloc_failed_site();
                lemica_alloc_fail_after(-1);
                /* (an injected failure is never swallowed) */
                ck_assert_msg((status == LEMICA_OK) == (site == NULL),
                              "kind %d scan %d, failure %ld: %s", kind, scan,
                              at, lemica_status_name(status));
                if (status != LEMICA_OK) {
                    ck_assert_status(status, LEMICA_ERR_NO_MEMORY);
                    ck_assert_ptr_null(schedule);
                    failed++;
                    ck_assert_ok(
                        lemica_solver_solve(solver, graph, budget, &schedule));
                }
                ck_assert_ok(lemica_schedule_format_steps(schedule, got,
                                                          sizeof(got), NULL));
                ck_assert_msg(strcmp(want, got) == 0,
                              "kind %d scan %d, after failure %ld: %s, not %s",
                              kind, scan, at, got, want);
                lemica_schedule_free(schedule);
                schedule = NULL;
                lemica_solver_free(solver);
                if (status == LEMICA_OK)
                    break;
            }
            ck_assert_int_gt(failed, 10);
            lemica_solver_free(fresh);
            lemica_graph_free(graph);
        }
    lemica_solver_set_blocked_scan_max_steps(128);
}
END_TEST

TEST_SUITE(alloc_failure)
{
    add_test(suite, test_graph_allocation_failures);
    add_test(suite, test_metadata_allocation_failures);
    add_test(suite, test_schedule_allocation_failures);
    add_test(suite, test_solver_allocation_failures);
    add_test(suite, test_profiler_allocation_failures);
    add_test(suite, test_plan_allocation_failures);
    add_test(suite, test_adaptive_allocation_failures);
    add_test(suite, test_sample_stop_allocation_failures);
    add_test(suite, test_files_allocation_failures);
    add_test(suite, test_kbest_allocation_failures);
    add_test(suite, test_kbest_room_after_failure);
    add_test(suite, test_level_cut_masks_after_failure);
    add_test(suite, test_verifier_allocation_failures);
    add_test(suite, test_every_allocation_site_fails);
}
