/* SPDX-License-Identifier: MIT */
/*
 * The solver against a brute-force enumerator on thousands of random small
 * graphs: every path of every budget is listed, costed and ranked here,
 * independently of the DP.
 */
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "brute-paths.h"
#include "level-counts-int.h"
#include "solver-int.h"
#include "test-common.h"

#define MAX_N BRUTE_MAX_N

enum weight_kind {
    WEIGHTS_DISTINCT,  /* random doubles */
    WEIGHTS_FEW,       /* integers 0 .. 3: heavy ties */
    WEIGHTS_ZERO,      /* all zero: everything ties */
    WEIGHTS_MIXED,     /* zeros, ties and distinct values */
    /* The tie-heavy families of issue 11: */
    WEIGHTS_LEVELS,    /* integers 1 .. k, k in {1 (all equal), 2, 3, 5, 6,
                          8, 16, 64, 256} */
    WEIGHTS_OUTLIERS,  /* all 1 but m smaller random ones, m in {1, 8, 64} */
    WEIGHTS_QUANTISED, /* k / 8: 8 profiling samples of an error growing
                          with the span, larger for early starts */
    WEIGHTS_DIFFUSION, /* that error itself, with a little noise */
    WEIGHTS_DBLMAX,    /* DBL_MAX a third of the time, else random: long
                          paths tie on DBL_MAX and differ in its copies */
    WEIGHT_KINDS
};

/* Asserts that @a and @b list the same steps; @format and what follows
 * name the case in the failure message. */
__attribute__((format(printf, 3, 4))) static void
assert_same_steps(const lemica_schedule *a, const lemica_schedule *b,
                  const char *format, ...)
{
    char ta[2048], tb[2048], context[256];
    va_list args;

    ck_assert_ok(lemica_schedule_format_steps(a, ta, sizeof(ta), NULL));
    ck_assert_ok(lemica_schedule_format_steps(b, tb, sizeof(tb), NULL));
    if (strcmp(ta, tb) == 0)
        return;
    va_start(args, format);
    vsnprintf(context, sizeof(context), format, args);
    va_end(args);
    ck_abort_msg("%s: %s vs %s", context, ta, tb);
}

/* Solves @budget of @graph with @plain and with @fast and asserts the same
 * status and, on success, the same steps; @format and what follows name
 * the case in a failure message. */
__attribute__((format(printf, 5, 6))) static void
assert_same_solve(lemica_solver *plain, lemica_solver *fast,
                  const lemica_graph *graph, int budget, const char *format, ...)
{
    lemica_schedule *a = NULL, *b = NULL;
    lemica_status sa, sb;
    char context[256];
    va_list args;

    va_start(args, format);
    vsnprintf(context, sizeof(context), format, args);
    va_end(args);
    sa = lemica_solver_solve(plain, graph, budget, &a);
    sb = lemica_solver_solve(fast, graph, budget, &b);
    ck_assert_msg(sa == sb, "%s: %d vs %d", context, (int)sa, (int)sb);
    if (sa == LEMICA_OK) /* else below the smallest feasible budget */
        assert_same_steps(a, b, "%s", context);
    lemica_schedule_free(a);
    lemica_schedule_free(b);
}

/* Asserts that two frontiers of one graph (their statuses @sa and @sb,
 * their lists @fa and @fb) agree: the same status and, on success, the
 * same steps at every budget; frees both. @format and what follows name
 * the case in a failure message. */
__attribute__((format(printf, 5, 6))) static void
assert_same_frontiers(lemica_status sa, lemica_frontier *fa, lemica_status sb,
                      lemica_frontier *fb, const char *format, ...)
{
    char context[256];
    va_list args;

    va_start(args, format);
    vsnprintf(context, sizeof(context), format, args);
    va_end(args);
    ck_assert_msg(sa == sb, "%s: %d vs %d", context, (int)sa, (int)sb);
    if (sa == LEMICA_OK) {
        ck_assert_uint_eq(lemica_frontier_count(fa), lemica_frontier_count(fb));
        for (size_t i = 0; i < lemica_frontier_count(fa); i++) {
            const lemica_schedule *a = NULL, *b = NULL;

            ck_assert_ok(lemica_frontier_get(fa, i, &a));
            ck_assert_ok(lemica_frontier_get(fb, i, &b));
            assert_same_steps(a, b, "%s frontier %zu", context, i);
        }
    }
    lemica_frontier_free(fa);
    lemica_frontier_free(fb);
}

/* assert_same_solve() at every budget of @graph, on the blocked scan (up
 * to @blocked_max steps) and on the row scan; @format names the graph. */
__attribute__((format(printf, 5, 6))) static void
assert_same_every_budget(lemica_solver *plain, lemica_solver *fast,
                         const lemica_graph *graph, int blocked_max,
                         const char *format, ...)
{
    const int n = lemica_graph_num_steps(graph);
    char context[200];
    va_list args;

    va_start(args, format);
    vsnprintf(context, sizeof(context), format, args);
    va_end(args);
    for (int scan = 0; scan < 2; scan++) {
        lemica_solver_set_blocked_scan_max_steps(scan ? 0 : blocked_max);
        for (int budget = 2; budget <= n; budget++)
            assert_same_solve(plain, fast, graph, budget,
                              "%s budget %d scan %d", context, budget, scan);
    }
}

/* The "true" error of skipping from @i to @j of @n steps in a diffusion
 * model, in [0, 1]. */
static double
diffusion_error(int i, int j, int n)
{
    double span = (double)(j - i) / (double)n;
    double e = 4.0 * pow(span, 1.5) * (1.0 + 3.0 * exp(-4.0 * i / (double)n));

    return e < 1.0 ? e : 1.0;
}

/* A weight of the tie-heavy families for edge (@i, @j) of @n steps;
 * @levels is k of WEIGHTS_LEVELS. */
static double
draw_family_weight(uint64_t *rng, enum weight_kind kind, int levels, int i,
                   int j, int n)
{
    switch (kind) {
    case WEIGHTS_LEVELS:
        return (double)(1 + test_rng_below(rng, levels));
    case WEIGHTS_OUTLIERS:
        return 1.0;
    case WEIGHTS_QUANTISED: {
        double e = diffusion_error(i, j, n);
        int flips = 0;

        for (int sample = 0; sample < 8; sample++)
            flips += test_rng_unit(rng) < e;
        return flips / 8.0;
    }
    default:
        return diffusion_error(i, j, n) * (1.0 + 0.05 * test_rng_unit(rng));
    }
}

/* Replace @m random present edges of the weights @weight[i][j] (NAN =
 * absent; @set changes one in the graph too) by random values below 1. */
static void
add_outliers(uint64_t *rng, int n, int k, int m, double (*weight)[MAX_N],
             lemica_graph *graph)
{
    for (int o = 0; o < m; o++) {
        int i = test_rng_below(rng, n - 1);
        int span = 1 + test_rng_below(rng, k < n - 1 - i ? k : n - 1 - i);

        double w;

        if (weight && isnan(weight[i][i + span]))
            continue;
        if (!weight &&
            lemica_graph_get_weight(graph, i, i + span, &w) != LEMICA_OK)
            continue;
        {
            w = 0.99 * test_rng_unit(rng);

            if (weight)
                weight[i][i + span] = w;
            ck_assert_ok(lemica_graph_set_weight(graph, i, i + span, w));
        }
    }
}

/* k-level ties of issue 11; k = 1 is "all equal". */
static const int family_levels[] = {1, 2, 3, 5, 6, 8, 16, 64, 256};
#define FAMILY_LEVEL_COUNT                                                     \
    ((int)(sizeof(family_levels) / sizeof(family_levels[0])))
static const int family_outliers[] = {1, 8, 64};

static double
draw_weight(uint64_t *rng, enum weight_kind kind)
{
    switch (kind) {
    case WEIGHTS_DISTINCT:
        return test_rng_unit(rng);
    case WEIGHTS_FEW:
        return (double)test_rng_below(rng, 4);
    case WEIGHTS_ZERO:
        return 0.0;
    case WEIGHTS_DBLMAX:
        return test_rng_below(rng, 3) == 0 ? DBL_MAX : test_rng_unit(rng);
    default:
        switch (test_rng_below(rng, 3)) {
        case 0:
            return 0.0;
        case 1:
            return (double)test_rng_below(rng, 3);
        default:
            return test_rng_unit(rng);
        }
    }
}

/* When the row scan's anchors start: with the first layer, at the first
 * anchor layer after an exact comparison walked (mid-run: tree_walk()
 * must not jump below where they started), or by the default gate. */
static void
draw_anchor_start(uint64_t *rng)
{
    int v = test_rng_below(rng, 3);

    lemica_solver_set_anchor_start(v == 0 ? 0 : v == 1 ? 1 << 16 : -1,
                                   v == 1 ? 0 : -1);
}

static void
make_problem(uint64_t *rng, struct brute_problem *p, lemica_graph **graph,
             lemica_solver *solver)
{
    enum weight_kind kind = (enum weight_kind)test_rng_below(rng, WEIGHT_KINDS);
    int levels = family_levels[test_rng_below(rng, FAMILY_LEVEL_COUNT)];
    int outliers = family_outliers[test_rng_below(rng, 3)];
    int absent_percent = test_rng_below(rng, 4) * 15; /* 0, 15, 30, 45 % */
    int k_request;

    memset(p, 0, sizeof(*p));
    p->n = 2 + test_rng_below(rng, MAX_N - 1);
    /* Sometimes ask for a K above N - 1: the graph clamps it. */
    k_request = 1 + test_rng_below(rng, p->n + 1);
    p->k_graph = k_request > p->n - 1 ? p->n - 1 : k_request;
    p->k_solver = test_rng_below(rng, 3) == 0 ? 1 + test_rng_below(rng, p->n) : 0;
    p->k_effective = p->k_solver && p->k_solver < p->k_graph ? p->k_solver
                                                             : p->k_graph;
    /* Sums of these are exact (k / 8 too). */
    p->integer_weights = kind == WEIGHTS_FEW || kind == WEIGHTS_ZERO ||
                         kind == WEIGHTS_LEVELS || kind == WEIGHTS_QUANTISED;

    ck_assert_ok(lemica_graph_new(p->n, k_request, graph));
    ck_assert_int_eq(lemica_graph_max_skip(*graph), p->k_graph);
    for (int i = 0; i < MAX_N; i++)
        for (int j = 0; j < MAX_N; j++)
            p->weight[i][j] = (double)NAN;
    for (int i = 0; i < p->n; i++) {
        for (int j = i + 1; j < p->n && j - i <= p->k_graph; j++) {
            /* Span-1 edges are present with weight 0 unless changed. */
            int present = j == i + 1 || test_rng_below(rng, 100) >= absent_percent;
            if (j == i + 1 && test_rng_below(rng, 100) < absent_percent / 3) {
                ck_assert_ok(lemica_graph_remove_edge(*graph, i, j));
                continue;
            }
            if (!present)
                continue;
            if (j == i + 1 && test_rng_below(rng, 2) == 0) {
                p->weight[i][j] = 0.0; /* the default */
                continue;
            }
            p->weight[i][j] = kind >= WEIGHTS_LEVELS && kind != WEIGHTS_DBLMAX
                                  ? draw_family_weight(rng, kind, levels, i, j,
                                                       p->n)
                                  : draw_weight(rng, kind);
            ck_assert_ok(lemica_graph_set_weight(*graph, i, j, p->weight[i][j]));
        }
    }
    if (kind == WEIGHTS_OUTLIERS)
        add_outliers(rng, p->n, p->k_graph, outliers, p->weight, *graph);

    lemica_solver_clear_required_steps(solver);
    if (test_rng_below(rng, 3) == 0) {
        int warmup = test_rng_below(rng, 3);
        ck_assert_ok(lemica_solver_require_first_steps(solver, warmup));
        for (int i = 0; i < warmup && i < p->n; i++)
            p->required[i] = 1;
    }
    if (test_rng_below(rng, 4) == 0) {
        int step = test_rng_below(rng, p->n);
        ck_assert_ok(lemica_solver_require_step(solver, step));
        p->required[step] = 1;
    }
    ck_assert_ok(lemica_solver_set_max_skip(solver, p->k_solver));
    /* Small heads force the slow path of the LEXMAX comparison. */
    lemica_solver_set_head_runs(solver, 1 + test_rng_below(rng, 4));
    /* The vector scan on rows of any length, or never. */
    lemica_solver_set_vector_scan_min(test_rng_below(rng, 2) ? 0 : 1 << 30);
    /* Half the problems may run LEXMAX as an exact SUM (when the weights
     * allow), half must use the sorted-vector DP: both are checked. */
    lemica_solver_set_digit_encoding(solver, test_rng_below(rng, 2));
    /* The blocked scan (small problems), with either kernel, or the row
     * scan. */
    lemica_solver_set_blocked_scan_max_steps(test_rng_below(rng, 2) ? 0
                                                                    : MAX_N);
    lemica_solver_set_blocked_scan_avx512(test_rng_below(rng, 2));
    /* Anchors of the row scan's exact comparisons every 1 to 4 layers (or
     * the default 32): short paths cross many, and tied paths often meet
     * between two. */
    lemica_solver_set_anchor_stretch(test_rng_below(rng, 5) == 0
                                         ? 0
                                         : 1 + test_rng_below(rng, 4));
    draw_anchor_start(rng);
    /* Tree walks remembered however small the graph (pair-memo-int.h). */
    lemica_solver_set_pair_memo_min_steps(0);
}

/* The user comparator used in these tests: LEXMAX again, through the
 * callback path of the DP. It counts its calls and checks the lengths. */
static int
user_lexmax(const double *a, size_t a_length, const double *b,
            size_t b_length, void *user_data)
{
    unsigned long *calls = user_data;

    (*calls)++;
    if (a_length != b_length)
        abort();
    for (size_t i = 0; i < a_length; i++)
        if (a[i] != b[i])
            return a[i] < b[i] ? -1 : 1;
    return 0;
}

static void
check_schedule_matches(const lemica_schedule *schedule,
                       const struct brute_path *path, const char *what,
                       uint64_t seed, int budget)
{
    char where[128];

    snprintf(where, sizeof(where), "%s: seed %llu budget %d", what,
             (unsigned long long)seed, budget);
    brute_check_schedule(schedule, path, where);
}

static void
check_valid_schedule(const struct brute_problem *p, const lemica_schedule *schedule,
                     int budget)
{
    int steps[MAX_N];
    size_t count;

    ck_assert_ok(lemica_schedule_steps(schedule, steps, MAX_N, &count));
    ck_assert_uint_eq(count, (size_t)budget);
    ck_assert_int_eq(steps[0], 0);
    ck_assert_int_eq(steps[count - 1], p->n - 1);
    for (size_t i = 0; i + 1 < count; i++) {
        ck_assert_int_lt(steps[i], steps[i + 1]);
        ck_assert_int_le(steps[i + 1] - steps[i], p->k_effective);
        ck_assert(!isnan(p->weight[steps[i]][steps[i + 1]]));
    }
    for (int t = 0; t < p->n; t++)
        if (p->required[t])
            ck_assert_int_eq(lemica_schedule_should_compute(schedule, t), 1);
}

/* Best max and best path-order sum over the prefix paths 0 -> t with c
 * steps (NAN if none), by enumeration. */
struct prefix_optimum {
    double max[MAX_N][MAX_N + 1];
    double sum[MAX_N][MAX_N + 1];
};

static void
enumerate_prefixes(const struct brute_problem *p, struct prefix_optimum *opt)
{
    for (int t = 0; t < MAX_N; t++)
        for (int c = 0; c <= MAX_N; c++)
            opt->max[t][c] = opt->sum[t][c] = (double)NAN;
    opt->max[0][1] = opt->sum[0][1] = 0.0;
    for (int t = 1; t < p->n; t++) {
        uint32_t interior = t > 1 ? (1u << (t - 1)) : 1u;
        for (uint32_t mask = 0; mask < interior; mask++) {
            int steps[MAX_N], c = 0, valid = 1;
            double max = 0.0, sum = 0.0;

            steps[c++] = 0;
            for (int u = 1; u < t; u++) {
                if (mask & (1u << (u - 1)))
                    steps[c++] = u;
                else if (p->required[u])
                    valid = 0;
            }
            steps[c++] = t;
            for (int e = 0; valid && e + 1 < c; e++) {
                double w;
                if (steps[e + 1] - steps[e] > p->k_effective ||
                    isnan(p->weight[steps[e]][steps[e + 1]])) {
                    valid = 0;
                    break;
                }
                w = p->weight[steps[e]][steps[e + 1]];
                max = w > max ? w : max;
                sum += w;
            }
            if (!valid)
                continue;
            if (isnan(opt->max[t][c]) || max < opt->max[t][c])
                opt->max[t][c] = max;
            if (isnan(opt->sum[t][c]) || sum < opt->sum[t][c])
                opt->sum[t][c] = sum;
        }
    }
}

/* MAX and SUM are checked against the documented tie rule step by step:
 * walking back from the end, each predecessor the solver chose must be the
 * smallest s whose best prefix plus the edge (s, t) reaches the best value
 * of (t, c). */
static void
check_tie_rule(const struct brute_problem *p, const struct prefix_optimum *opt,
               lemica_comparator comparator, const lemica_schedule *schedule)
{
    int steps[MAX_N];
    size_t count;

    ck_assert_ok(lemica_schedule_steps(schedule, steps, MAX_N, &count));
    for (int c = (int)count; c >= 2; c--) {
        int t = steps[c - 1];
        int expected = -1;
        double target = comparator == LEMICA_COMPARATOR_MAX ? opt->max[t][c]
                                                            : opt->sum[t][c];
        for (int s = 0; s < t && expected < 0; s++) {
            double prefix = comparator == LEMICA_COMPARATOR_MAX
                                ? opt->max[s][c - 1]
                                : opt->sum[s][c - 1];
            double w = p->weight[s][t];
            double value;
            int jumps_required = 0;

            for (int u = s + 1; u < t; u++)
                jumps_required |= p->required[u];
            if (isnan(prefix) || isnan(w) || t - s > p->k_effective ||
                jumps_required)
                continue;
            value = comparator == LEMICA_COMPARATOR_MAX ? (w > prefix ? w : prefix)
                                                        : prefix + w;
            if (value == target)
                expected = s;
        }
        ck_assert_int_eq(steps[c - 2], expected);
    }
}

static struct brute_path all_paths[1u << (MAX_N - 2)];

START_TEST(test_solver_matches_brute_force)
{
    const lemica_comparator comparators[] = {
        LEMICA_COMPARATOR_LEXMAX, LEMICA_COMPARATOR_SUM, LEMICA_COMPARATOR_MAX,
        LEMICA_COMPARATOR_USER};
    const int graphs = 2500;
    unsigned long user_calls = 0;
    unsigned long solves = 0, infeasible = 0, exact_paths = 0;
    lemica_solver *solver;
    lemica_schedule *reused;

    ck_assert_ok(lemica_solver_new(&solver));
    ck_assert_ok(lemica_schedule_new_from_steps(2, (const int[]){0, 1}, 2,
                                                &reused));
    for (int g = 0; g < graphs; g++) {
        uint64_t seed = 1000u + (uint64_t)g;
        uint64_t rng = seed;
        struct brute_problem p;
        lemica_graph *graph;
        size_t path_count;
        int min_budget = 0;
        struct prefix_optimum prefixes;

        make_problem(&rng, &p, &graph, solver);
        path_count = brute_enumerate(&p, 0, all_paths);
        enumerate_prefixes(&p, &prefixes);
        for (size_t i = 0; i < path_count; i++)
            if (min_budget == 0 || all_paths[i].budget < min_budget)
                min_budget = all_paths[i].budget;

        for (size_t ci = 0; ci < sizeof(comparators) / sizeof(comparators[0]);
             ci++) {
            lemica_comparator comparator = comparators[ci];
            int reached_min;

            if (comparator == LEMICA_COMPARATOR_USER)
                ck_assert_ok(lemica_solver_set_user_comparator(
                    solver, user_lexmax, &user_calls));
            else
                ck_assert_ok(lemica_solver_set_comparator(solver, comparator));

            if (min_budget)
                ck_assert_ok(lemica_solver_min_budget(solver, graph, &reached_min));
            else
                ck_assert_status(lemica_solver_min_budget(solver, graph, &reached_min),
                                 LEMICA_ERR_INFEASIBLE);
            if (min_budget)
                ck_assert_int_eq(reached_min, min_budget);

            for (int budget = 0; budget <= p.n + 1; budget++) {
                const struct brute_path *best = NULL;
                lemica_schedule *schedule = NULL;
                lemica_status status;
                /* SUM on real-valued weights: rounding can make a + w equal
                 * b + w for a < b, so only the cost is pinned, not the
                 * tie-broken path. MAX is not strictly monotone either. */
                int exact = comparator != LEMICA_COMPARATOR_MAX &&
                            (comparator != LEMICA_COMPARATOR_SUM ||
                             p.integer_weights);

                best = brute_best(all_paths, path_count, comparator, budget);

                status = lemica_solver_solve(solver, graph, budget, &schedule);
                solves++;
                if (!best) {
                    ck_assert_msg(status == LEMICA_ERR_INFEASIBLE,
                                  "seed %llu budget %d: expected infeasible, "
                                  "got %s",
                                  (unsigned long long)seed, budget,
                                  lemica_status_name(status));
                    ck_assert_ptr_null(schedule);
                    infeasible++;
                    continue;
                }
                ck_assert_msg(status == LEMICA_OK,
                              "seed %llu budget %d comparator %d: %s (%s)",
                              (unsigned long long)seed, budget, (int)comparator,
                              lemica_status_name(status),
                              lemica_last_error_message());
                check_valid_schedule(&p, schedule, budget);
                if (exact) {
                    check_schedule_matches(schedule, best, "solve", seed, budget);
                    exact_paths++;
                } else {
                    /* Same optimal cost under the comparator, and the
                     * documented tie rule followed state by state. */
                    double value;

                    check_tie_rule(&p, &prefixes, comparator, schedule);
                    if (comparator == LEMICA_COMPARATOR_SUM) {
                        ck_assert_ok(lemica_schedule_sum_cost(schedule, &value));
                        ck_assert(value == best->sum);
                    } else {
                        ck_assert_ok(lemica_schedule_max_cost(schedule, &value));
                        ck_assert(value == best->max);
                    }
                }
                /* solve_into on a reused schedule gives the same answer. */
                ck_assert_ok(lemica_solver_solve_into(solver, graph, budget, reused));
                check_valid_schedule(&p, reused, budget);
                {
                    int a[MAX_N], b[MAX_N];
                    size_t na, nb;
                    ck_assert_ok(lemica_schedule_steps(schedule, a, MAX_N, &na));
                    ck_assert_ok(lemica_schedule_steps(reused, b, MAX_N, &nb));
                    ck_assert_uint_eq(na, nb);
                    ck_assert(memcmp(a, b, na * sizeof(int)) == 0);
                }
                lemica_schedule_free(schedule);
            }
        }
        lemica_graph_free(graph);
    }
    lemica_schedule_free(reused);
    lemica_solver_free(solver);
    /* The run must have exercised what it claims to. */
    ck_assert_uint_gt(user_calls, 10000);
    ck_assert_uint_gt(infeasible, 1000);
    ck_assert_uint_gt(exact_paths, 20000);
    fprintf(stderr, "brute force: %d graphs, %lu solves, %lu infeasible, %lu "
                    "exact path matches\n",
            graphs, solves, infeasible, exact_paths);
}
END_TEST

/* The frontier holds exactly the single-budget solutions. */
START_TEST(test_frontier_matches_single_solves)
{
    lemica_solver *solver;

    ck_assert_ok(lemica_solver_new(&solver));
    for (int g = 0; g < 600; g++) {
        uint64_t rng = 90000u + (uint64_t)g;
        struct brute_problem p;
        lemica_graph *graph;
        lemica_frontier *frontier = NULL;
        lemica_status status;
        size_t index = 0;
        lemica_comparator comparator = (lemica_comparator)(g % 3);

        make_problem(&rng, &p, &graph, solver);
        ck_assert_ok(lemica_solver_set_comparator(solver, comparator));
        status = lemica_solver_solve_frontier(solver, graph, &frontier);
        if (status == LEMICA_ERR_INFEASIBLE) {
            int b;
            ck_assert_ptr_null(frontier);
            ck_assert_status(lemica_solver_min_budget(solver, graph, &b),
                             LEMICA_ERR_INFEASIBLE);
            lemica_graph_free(graph);
            continue;
        }
        ck_assert_ok(status);
        for (int budget = 2; budget <= p.n; budget++) {
            lemica_schedule *single = NULL;
            const lemica_schedule *from_frontier = NULL;
            status = lemica_solver_solve(solver, graph, budget, &single);
            if (status == LEMICA_ERR_INFEASIBLE) {
                ck_assert_status(lemica_frontier_find(frontier, budget,
                                                      &from_frontier),
                                 LEMICA_ERR_INFEASIBLE);
                continue;
            }
            ck_assert_ok(status);
            ck_assert_ok(lemica_frontier_find(frontier, budget, &from_frontier));
            ck_assert_ok(lemica_frontier_get(frontier, index++, &from_frontier));
            ck_assert_int_eq(lemica_schedule_budget(from_frontier), budget);
            {
                int a[MAX_N], b[MAX_N];
                double ca[MAX_N], cb[MAX_N];
                size_t na, nb;
                ck_assert_ok(lemica_schedule_steps(single, a, MAX_N, &na));
                ck_assert_ok(lemica_schedule_steps(from_frontier, b, MAX_N, &nb));
                ck_assert_uint_eq(na, nb);
                ck_assert(memcmp(a, b, na * sizeof(int)) == 0);
                ck_assert_ok(lemica_schedule_costs(single, ca, MAX_N, &na));
                ck_assert_ok(lemica_schedule_costs(from_frontier, cb, MAX_N, &nb));
                ck_assert(memcmp(ca, cb, na * sizeof(double)) == 0);
            }
            lemica_schedule_free(single);
        }
        ck_assert_uint_eq(lemica_frontier_count(frontier), index);
        lemica_frontier_free(frontier);
        lemica_graph_free(graph);
    }
    lemica_solver_free(solver);
}
END_TEST

/* A strictly increasing f with f(0) = 0 keeps the order of every pair of
 * weights, so LEXMAX and MAX pick the same schedules. The maps are exact
 * on the weights used (small integers; power-of-two scaling). */
static double
map_square_plus(double x)
{
    return x * x + 3.0 * x;
}

static double
map_cube(double x)
{
    return x * x * x;
}

static double
map_scale(double x)
{
    return ldexp(x, 7);
}

static int
has_dblmax(const struct brute_problem *p)
{
    for (int i = 0; i < p->n; i++)
        for (int j = i + 1; j < p->n; j++)
            if (p->weight[i][j] == DBL_MAX)
                return 1;
    return 0;
}

START_TEST(test_monotone_transform_invariance)
{
    double (*const maps[])(double) = {map_square_plus, map_cube, map_scale};
    lemica_solver *solver;

    ck_assert_ok(lemica_solver_new(&solver));
    for (int g = 0; g < 800; g++) {
        uint64_t rng = 50000u + (uint64_t)g;
        struct brute_problem p;
        lemica_graph *graph, *mapped;
        double (*map)(double) = maps[g % 3];
        int integer_only = map != map_scale;

        make_problem(&rng, &p, &graph, solver);
        if ((integer_only || has_dblmax(&p)) && !p.integer_weights) {
            /* Replace real weights by integers 0 .. 20 so x^2 and x^3 stay
             * exact (and DBL_MAX, which no map keeps finite). */
            for (int i = 0; i < p.n; i++)
                for (int j = i + 1; j < p.n && j - i <= p.k_graph; j++)
                    if (!isnan(p.weight[i][j])) {
                        p.weight[i][j] = (double)test_rng_below(&rng, 21);
                        ck_assert_ok(lemica_graph_set_weight(graph, i, j,
                                                             p.weight[i][j]));
                    }
        }
        ck_assert_ok(lemica_graph_copy(graph, &mapped));
        for (int i = 0; i < p.n; i++)
            for (int j = i + 1; j < p.n && j - i <= p.k_graph; j++)
                if (!isnan(p.weight[i][j]))
                    ck_assert_ok(lemica_graph_set_weight(mapped, i, j,
                                                         map(p.weight[i][j])));
        for (int ci = 0; ci < 2; ci++) {
            ck_assert_ok(lemica_solver_set_comparator(
                solver, ci ? LEMICA_COMPARATOR_MAX : LEMICA_COMPARATOR_LEXMAX));
            for (int budget = 2; budget <= p.n; budget++) {
                lemica_schedule *a = NULL, *b = NULL;
                lemica_status sa = lemica_solver_solve(solver, graph, budget, &a);
                lemica_status sb = lemica_solver_solve(solver, mapped, budget, &b);
                int steps_a[MAX_N], steps_b[MAX_N];
                size_t na, nb;

                ck_assert_int_eq(sa, sb);
                if (sa != LEMICA_OK)
                    continue;
                ck_assert_ok(lemica_schedule_steps(a, steps_a, MAX_N, &na));
                ck_assert_ok(lemica_schedule_steps(b, steps_b, MAX_N, &nb));
                ck_assert_uint_eq(na, nb);
                ck_assert_msg(memcmp(steps_a, steps_b, na * sizeof(int)) == 0,
                              "graph %d budget %d: schedule changed under a "
                              "monotone map",
                              g, budget);
                lemica_schedule_free(a);
                lemica_schedule_free(b);
            }
        }
        lemica_graph_free(mapped);
        lemica_graph_free(graph);
    }
    lemica_solver_free(solver);
}
END_TEST

/* The whole frontier of @fast (blocked scan up to N = 128, with its tie
 * paths: long ties of the fewest-copies pass) holds the schedules of
 * @plain's frontier (row scan, no encoding, every head run). */
static void
check_frontier_matches_plain(lemica_solver *plain, lemica_solver *fast,
                             const lemica_graph *graph, int g, size_t ci)
{
    lemica_frontier *fa = NULL, *fb = NULL;
    lemica_status sa, sb;

    lemica_solver_set_vector_scan_min(1 << 30);
    lemica_solver_set_blocked_scan_max_steps(0);
    sa = lemica_solver_solve_frontier(plain, graph, &fa);
    lemica_solver_set_vector_scan_min(0);
    lemica_solver_set_blocked_scan_max_steps(128); /* the default */
    sb = lemica_solver_solve_frontier(fast, graph, &fb);
    assert_same_frontiers(sa, fa, sb, fb, "graph %d comparator %zu", g, ci);
}

/* On graphs too large to enumerate, the vector scan, the digit encoding
 * and any head size must give exactly the schedules of the plain DP. */
START_TEST(test_fast_paths_match_plain_dp)
{
    const lemica_comparator comparators[] = {LEMICA_COMPARATOR_LEXMAX,
                                             LEMICA_COMPARATOR_SUM,
                                             LEMICA_COMPARATOR_MAX};
    lemica_solver *plain, *fast;

    ck_assert_ok(lemica_solver_new(&plain));
    ck_assert_ok(lemica_solver_new(&fast));
    lemica_solver_set_digit_encoding(plain, 0);
    lemica_solver_set_head_runs(plain, LEMICA_HEAD_RUNS_MAX);
    for (int g = 0; g < 240; g++) {
        uint64_t rng = 777000u + (uint64_t)g;
        int n = 16 + test_rng_below(&rng, 100);
        int k = 1 + test_rng_below(&rng, n - 1);
        /* Distinct values, 1 .. 6 levels as before, or a family of issue
         * 11 (levels 8, 16, 64, 256 go past one digit group or all four;
         * 8: DBL_MAX mixed with a few levels and distinct values). */
        int family = test_rng_below(&rng, 9);
        int levels = family == 1 ? 1 + test_rng_below(&rng, 6)
                     : family == 2 ? (const int[]){8, 16, 64, 256}[test_rng_below(&rng, 4)]
                                   : 0;
        lemica_graph *graph;

        ck_assert_ok(lemica_graph_new(n, k, &graph));
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n && j - i <= k; j++) {
                double w;

                if (test_rng_below(&rng, 10) == 0) {
                    ck_assert_ok(lemica_graph_remove_edge(graph, i, j));
                    continue;
                }
                switch (family) {
                case 1:
                    w = (double)test_rng_below(&rng, levels);
                    break;
                case 2:
                    w = (double)(1 + test_rng_below(&rng, levels));
                    break;
                case 3: /* levels with zeros */
                    w = (double)test_rng_below(&rng, 5);
                    break;
                case 4: /* all equal, then outliers */
                    w = 1.0;
                    break;
                case 5:
                    w = draw_family_weight(&rng, WEIGHTS_QUANTISED, 0, i, j, n);
                    break;
                case 6:
                    w = draw_family_weight(&rng, WEIGHTS_DIFFUSION, 0, i, j, n);
                    break;
                case 8:
                    w = test_rng_below(&rng, 3) == 0 ? DBL_MAX
                        : test_rng_below(&rng, 2)    ? (double)test_rng_below(&rng, 3)
                                                     : test_rng_unit(&rng);
                    break;
                default:
                    w = test_rng_unit(&rng);
                    break;
                }
                ck_assert_ok(lemica_graph_set_weight(graph, i, j, w));
            }
        if (family == 4 && test_rng_below(&rng, 4) != 0)
            add_outliers(&rng, n, k, family_outliers[test_rng_below(&rng, 3)],
                         NULL, graph);
        lemica_solver_set_head_runs(fast, 1 + test_rng_below(&rng, 6));
        for (size_t ci = 0; ci < 3; ci++) {
            ck_assert_ok(lemica_solver_set_comparator(plain, comparators[ci]));
            ck_assert_ok(lemica_solver_set_comparator(fast, comparators[ci]));
            for (int r = 0; r < 6; r++) {
                int budget = 2 + test_rng_below(&rng, n - 1);
                lemica_schedule *a = NULL, *b = NULL;
                lemica_status sa, sb;

                lemica_solver_set_vector_scan_min(1 << 30);
                lemica_solver_set_blocked_scan_max_steps(0);
                sa = lemica_solver_solve(plain, graph, budget, &a);
                lemica_solver_set_vector_scan_min(0);
                /* Half the solves scan rows, half blocks (with either
                 * kernel). */
                lemica_solver_set_blocked_scan_max_steps(
                    test_rng_below(&rng, 2) ? 0 : n);
                lemica_solver_set_blocked_scan_avx512(test_rng_below(&rng, 2));
                lemica_solver_set_anchor_stretch(1 + test_rng_below(&rng, 4));
                draw_anchor_start(&rng);
                lemica_solver_set_pair_memo_min_steps(0);
                sb = lemica_solver_solve(fast, graph, budget, &b);
                ck_assert_int_eq(sa, sb);
                if (sa == LEMICA_OK)
                    assert_same_steps(a, b, "graph %d comparator %zu budget %d",
                                      g, ci, budget);
                lemica_schedule_free(a);
                lemica_schedule_free(b);
            }
            if (g % 2 == 0)
                check_frontier_matches_plain(plain, fast, graph, g, ci);
        }
        lemica_graph_free(graph);
    }
    lemica_solver_free(plain);
    lemica_solver_free(fast);
}
END_TEST

/* The digit groups the encoding chooses (mixed radix, groups of at most
 * 2^53), and that each grouped solve gives the plain DP's schedule. */
START_TEST(test_digit_groups)
{
    /* levels (-m: all 1 but m outliers), budget, expected groups. Budget
     * 59 is every step: its path takes every span-1 edge, whatever their
     * levels. At budget 20 a path keeps to the lowest 12 levels, so 16
     * and 40 levels (2 and 4 groups) cut to one group. 64 outliers take
     * radices 2^64 (two groups), but they overlap: the heaviest chain of
     * them fits one (chain_digits()). */
    const int cases[][3] = {{-8, 30, 1},  {8, 59, 1},  {16, 59, 2},
                            {30, 59, 4},  {40, 59, 0}, {16, 8, 1},
                            {16, 20, 1},  {40, 20, 1}, {-64, 15, 1},
                            {-64, 59, 1}};
    lemica_solver *plain, *fast;

    ck_assert_ok(lemica_solver_new(&plain));
    ck_assert_ok(lemica_solver_new(&fast));
    lemica_solver_set_digit_encoding(plain, 0);
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        const int n = 60, levels = cases[c][0], budget = cases[c][1];
        uint64_t rng = 4242u + c;
        struct lemica_problem problem;
        lemica_graph *graph;
        lemica_schedule *a = NULL, *b = NULL;
        char ta[1024], tb[1024];

        ck_assert_ok(lemica_graph_new(n, n - 1, &graph));
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
                ck_assert_ok(lemica_graph_set_weight(
                    graph, i, j,
                    levels > 0 ? (double)(1 + test_rng_below(&rng, levels))
                               : 1.0));
        if (levels < 0)
            add_outliers(&rng, n, n - 1, -levels, NULL, graph);
        /* The groups of the row scan (from the second case on, as the
         * loop below leaves it) without lexmax_row_one(), whose one
         * budget gives up on 20 values or more sooner, as the blocked
         * scan's does. */
        lemica_solver_set_row_one_max_states(0);
        ck_assert_ok(lemica_solver_prepare(fast, graph, budget,
                                           LEMICA_SOLVE_ONE, &problem));
        lemica_solver_set_row_one_max_states(LEMICA_ROW_ONE_MAX_STATES);
        ck_assert_msg(problem.digit_groups == cases[c][2], "case %zu: %d groups",
                      c, problem.digit_groups);
        ck_assert_int_eq(problem.lexmax_as_sum, cases[c][2] > 0);
        ck_assert_ok(lemica_solver_solve(plain, graph, budget, &a));
        ck_assert_ok(lemica_schedule_format_steps(a, ta, sizeof(ta), NULL));
        /* The blocked scan, then the row scan with its vector tie-break
         * on the lower groups (rows of any length). */
        for (int scan = 0; scan < 2; scan++) {
            lemica_solver_set_blocked_scan_max_steps(scan ? 0 : 128);
            lemica_solver_set_vector_scan_min(scan ? 0 : 16);
            ck_assert_ok(lemica_solver_solve(fast, graph, budget, &b));
            ck_assert_ok(lemica_schedule_format_steps(b, tb, sizeof(tb), NULL));
            ck_assert_str_eq(ta, tb);
            lemica_schedule_free(b);
            b = NULL;
        }
        lemica_schedule_free(a);
        lemica_graph_free(graph);
    }
    lemica_solver_free(plain);
    lemica_solver_free(fast);
}
END_TEST

/* chain_digits() at its limit: 53 single edges (i, i + 1) one after the
 * other take the digits 1, 2, 4, .., 2^52 (a chain of 2^53 - 1), and a
 * 54th, above them, the digit 2^53 exactly. Over (0, 55) it overlaps
 * every one: the heaviest chain is 2^53, which fits one group. Over
 * (1, 55) it meets (0, 1) at step 1 without overlapping it: 2^53 + 1,
 * which does not (two groups). The zeros (53, 54), (54, 55) and (53, 55)
 * are no levels. Likewise with three nested single edges (53, 58),
 * (54, 58), (55, 58) at the bottom and 51 units above them: the heaviest
 * chain through (0, 58) is 2^53 exactly (one group; a bound summing
 * overlapping edges passes it), through (1, 58) 2^53 + 3. Then random
 * outliers under a common weight, 40 to 100 of them (the greedy over
 * edge masks up to 64 single edges and 256 steps, the sorted DP past
 * either), where chains share steps and nest: against the plain DP. */
START_TEST(test_chain_digits_limit)
{
    lemica_solver *plain, *fast;

    ck_assert_ok(lemica_solver_new(&plain));
    ck_assert_ok(lemica_solver_new(&fast));
    lemica_solver_set_digit_encoding(plain, 0);
    for (int c = 0; c < 4; c++) {
        /* Nested: 0 (a chain of units) or 3 edges (53 + i, 58) under
         * them; top: the first step of the top edge. */
        const int nested = c < 2 ? 0 : 3, top = c % 2;
        const int units = nested ? 51 : 53, n = nested ? 59 : 56;
        struct lemica_problem problem;
        lemica_graph *graph;

        ck_assert_ok(lemica_graph_new(n, n - 1, &graph));
        for (int i = 0; i < nested; i++)
            ck_assert_ok(lemica_graph_set_weight(graph, 53 + i, 58,
                                                 (double)(i + 1) / 4096.0));
        for (int i = 0; i < units; i++)
            ck_assert_ok(lemica_graph_set_weight(
                graph, i, i + 1, (double)(nested + i + 1) / 4096.0));
        for (int i = units; i < (nested ? 53 : n - 1); i++)
            ck_assert_ok(lemica_graph_set_weight(graph, i, i + 1, 0.0));
        if (!nested)
            ck_assert_ok(lemica_graph_set_weight(graph, 53, 55, 0.0));
        ck_assert_ok(lemica_graph_set_weight(graph, top, n - 1, 1.0));
        lemica_solver_set_blocked_scan_max_steps(0);
        ck_assert_ok(lemica_solver_prepare(fast, graph, n,
                                           LEMICA_SOLVE_FRONTIER, &problem));
        ck_assert_int_eq(problem.lexmax_as_sum, 1);
        ck_assert_msg(problem.digit_groups == (top ? 2 : 1),
                      "nested %d, top edge (%d, %d): %d groups", nested, top,
                      n - 1, problem.digit_groups);
        assert_same_every_budget(plain, fast, graph, 128,
                                 "nested %d, top edge (%d, %d)", nested, top,
                                 n - 1);
        lemica_graph_free(graph);
    }
    {
        const int cases[][3] = {{30, 29, 40}, {60, 20, 64}, {60, 59, 64},
                                {64, 10, 100}, {270, 30, 64}};

        for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
            const int n = cases[c][0], k = cases[c][1], m = cases[c][2];
            uint64_t rng = 777u + c;
            lemica_graph *graph;

            ck_assert_ok(lemica_graph_new(n, k, &graph));
            for (int i = 0; i < n; i++)
                for (int j = i + 1; j < n && j - i <= k; j++)
                    ck_assert_ok(lemica_graph_set_weight(graph, i, j, 1.0));
            add_outliers(&rng, n, k, m, NULL, graph);
            if (n <= 64) {
                assert_same_every_budget(plain, fast, graph, 128,
                                         "N %d K %d outliers %d", n, k, m);
            } else {
                /* Past 256 steps: a few budgets, both scans. */
                for (int scan = 0; scan < 2; scan++) {
                    lemica_solver_set_blocked_scan_max_steps(scan ? 0 : 512);
                    for (int b = n / 16; b <= n / 2; b *= 2)
                        assert_same_solve(plain, fast, graph, b,
                                          "N %d K %d outliers %d budget %d "
                                          "scan %d",
                                          n, k, m, b, scan);
                }
            }
            lemica_graph_free(graph);
        }
    }
    lemica_solver_free(plain);
    lemica_solver_free(fast);
}
END_TEST

/* The level cut's reachability over more than one 64-bit word of states
 * (N above 64, spans below, at and above 64: the shift's carry between
 * words and the whole-word shift): every budget on a 64-level graph gives
 * the plain DP's schedule, on the row scan and the blocked scan. The
 * blocked scan does not encode spread levels (see collect_levels()), so
 * 24 levels too: fewer than it gives up at. */
START_TEST(test_level_cut_wide)
{
    const int cases[][3] = {{70, 10, 64}, {70, 29, 64}, {130, 66, 64},
                            {70, 10, 24}, {70, 29, 24}, {130, 66, 24}};
    lemica_solver *plain, *fast;

    ck_assert_ok(lemica_solver_new(&plain));
    ck_assert_ok(lemica_solver_new(&fast));
    lemica_solver_set_digit_encoding(plain, 0);
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        const int n = cases[c][0], k = cases[c][1], levels = cases[c][2];
        lemica_graph *graph;

        ck_assert_ok(lemica_graph_new(n, k, &graph));
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n && j - i <= k; j++)
                ck_assert_ok(lemica_graph_set_weight(
                    graph, i, j, (double)(1 + (i * 31 + j * 17) % levels)));
        assert_same_every_budget(plain, fast, graph, 256, "N %d K %d levels %d",
                                 n, k, levels);
        lemica_graph_free(graph);
    }
    lemica_solver_free(plain);
    lemica_solver_free(fast);
}
END_TEST

/* The level cut must be refused where no path of the budget keeps to the
 * lowest levels although paths below the cut go on for every layer: the
 * 15 lowest of 19 levels sit on spans of at most 4 only, so such paths
 * never reach the last step at the small budgets (N = 50: 12 and 13 need
 * two groups and cut to 14 levels without the test), and the optimum
 * takes the top levels. At N = 50 the reachability is one word a step, at
 * N = 100 several; every budget, row scan and blocked scan. */
START_TEST(test_level_cut_short_spans)
{
    const int sizes[] = {50, 64, 100};
    lemica_solver *plain, *fast;

    ck_assert_ok(lemica_solver_new(&plain));
    ck_assert_ok(lemica_solver_new(&fast));
    lemica_solver_set_digit_encoding(plain, 0);
    for (size_t c = 0; c < sizeof(sizes) / sizeof(sizes[0]); c++) {
        const int n = sizes[c], k = n - 1;
        uint64_t rng = 5151u + c;
        lemica_graph *graph;

        ck_assert_ok(lemica_graph_new(n, k, &graph));
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n && j - i <= k; j++)
                ck_assert_ok(lemica_graph_set_weight(
                    graph, i, j,
                    j - i <= 4 ? (double)(1 + test_rng_below(&rng, 15))
                               : (double)(16 + test_rng_below(&rng, 4))));
        assert_same_every_budget(plain, fast, graph, 128, "N %d", n);
        lemica_graph_free(graph);
    }
    lemica_solver_free(plain);
    lemica_solver_free(fast);
}
END_TEST

/* The level cut's reachability where a required step leaves slots of
 * the incoming matrix without an edge (the encoding reads only the slots
 * that can hold one): each solve first runs without the required step,
 * so the workspace holds those slots' values of a graph where they were
 * edges, then with it; both give the plain DP's schedule. Row scan and
 * blocked scan, every budget. */
START_TEST(test_level_cut_required_step)
{
    const int n = 60, k = 59, required = 23;
    lemica_solver *plain, *fast;
    lemica_graph *graph;

    ck_assert_ok(lemica_solver_new(&plain));
    ck_assert_ok(lemica_solver_new(&fast));
    lemica_solver_set_digit_encoding(plain, 0);
    ck_assert_ok(lemica_graph_new(n, k, &graph));
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n && j - i <= k; j++)
            ck_assert_ok(lemica_graph_set_weight(
                graph, i, j,
                /* Edges over the required step are the cheapest. */
                i < required && j > required
                    ? (double)(1 + (i + j) % 4)
                    : (double)(5 + (i * 31 + j * 17) % 60)));
    for (int scan = 0; scan < 2; scan++) {
        lemica_solver_set_blocked_scan_max_steps(scan ? 0 : 128);
        for (int budget = 2; budget <= n; budget++) {
            for (int with = 0; with < 2; with++) {
                if (with) {
                    ck_assert_ok(lemica_solver_require_step(plain, required));
                    ck_assert_ok(lemica_solver_require_step(fast, required));
                } else {
                    lemica_solver_clear_required_steps(plain);
                    lemica_solver_clear_required_steps(fast);
                }
                assert_same_solve(plain, fast, graph, budget,
                                  "budget %d scan %d required %d", budget,
                                  scan, with);
            }
        }
    }
    lemica_graph_free(graph);
    lemica_solver_free(plain);
    lemica_solver_free(fast);
}
END_TEST

/* The level cut's cheap proof (spread_path_usable() in solver-encode.c,
 * a path of usable edges near the evenly spread one, found greedily):
 * the evenly spread path of budget B (calls at c (N - 1) / (B - 1)) keeps
 * to the L lowest levels (B^L <= 2^53 < B^(L + 1): as many as one digit
 * group holds) except on one of its edges (the first, a middle one or the
 * last) or where it jumps a required step; every edge shorter than its
 * spans, f = floor((N - 1) / (B - 1)), weighs a low level too, and every
 * other edge one of 8 higher ones. A path of B - 1 edges that leaves the
 * spread path's edges for shorter ones cannot make up their length, so
 * none keeps to the lowest levels: the cut must be refused and the
 * optimum takes a high level. Both scans; one word of states a step
 * (N = 64), two (N = 100) and three (N = 130, row scan only). */
START_TEST(test_level_cut_spread_path)
{
    const int sizes[][3] = {{64, 9, 11}, {100, 17, 21}, {130, 17, 21}};
    lemica_solver *plain, *fast;

    ck_assert_ok(lemica_solver_new(&plain));
    ck_assert_ok(lemica_solver_new(&fast));
    lemica_solver_set_digit_encoding(plain, 0);
    for (size_t c = 0; c < sizeof(sizes) / sizeof(sizes[0]); c++) {
        const int n = sizes[c][0], k = n - 1;

        for (int budget = sizes[c][1]; budget <= sizes[c][2]; budget++) {
            const int edges = budget - 1, f = (n - 1) / edges;
            double room = (double)budget;
            int low = 0;

            while (room <= 0x1.0p53) {
                room *= (double)budget;
                low++;
            }
            /* Where the high edge sits: 0 .. 2; 3: none, a required step
             * in the spread path's first segment instead (f >= 2). */
            for (int high = 0; high < 4; high++) {
                const int at = high == 0 ? 0 : high == 1 ? edges / 2 : edges - 1;
                uint64_t rng = 7000u + (uint64_t)(n * 100 + budget * 4 + high);
                lemica_graph *graph;
                int s = 0;

                ck_assert_ok(lemica_graph_new(n, k, &graph));
                for (int i = 0; i < n; i++)
                    for (int j = i + 1; j < n && j - i <= k; j++)
                        ck_assert_ok(lemica_graph_set_weight(
                            graph, i, j,
                            j - i < f
                                ? (double)(1 + test_rng_below(&rng, low))
                                : (double)(low + 1 + test_rng_below(&rng, 8))));
                for (int e = 1; e <= edges; e++) {
                    const int t = (int)((int64_t)e * (n - 1) / edges);

                    if (high == 3 || e - 1 != at)
                        ck_assert_ok(lemica_graph_set_weight(
                            graph, s, t,
                            (double)(1 + test_rng_below(&rng, low))));
                    s = t;
                }
                if (high == 3) {
                    ck_assert_ok(lemica_solver_require_step(plain, 1));
                    ck_assert_ok(lemica_solver_require_step(fast, 1));
                }
                for (int scan = 0; scan < 2; scan++) {
                    lemica_solver_set_blocked_scan_max_steps(scan ? 0 : 128);
                    assert_same_solve(plain, fast, graph, budget,
                                      "N %d budget %d high %d scan %d", n,
                                      budget, high, scan);
                }
                lemica_solver_clear_required_steps(plain);
                lemica_solver_clear_required_steps(fast);
                lemica_graph_free(graph);
            }
        }
    }
    lemica_solver_free(plain);
    lemica_solver_free(fast);
}
END_TEST

/* A truncated head that gets one more copy of its last known run must
 * count it: with one run a head, steps 0 1 2 3 reach (3, layer 4) as
 * (5, 5, 2) -- the second 5 merged into the head {5 x 1, truncated} --
 * and steps 0 2 3 4 reach (4, layer 4) as (5, 5, 1). The last edges to 5
 * both weigh 1, so (5, 5, 1, 1) through 4 must win; a head that kept
 * {5 x 1} for the first path would make it look better. Every scan and
 * the frontier. */
START_TEST(test_truncated_head_counts_equal_run)
{
    static const int want[] = {0, 2, 3, 4, 5};
    lemica_solver *solver;
    lemica_graph *graph;

    ck_assert_ok(lemica_graph_new(6, 5, &graph));
    for (int i = 0; i < 6; i++)
        for (int j = i + 1; j < 6; j++)
            ck_assert_ok(lemica_graph_set_weight(graph, i, j, 9.0));
    ck_assert_ok(lemica_graph_set_weight(graph, 0, 1, 2.0));
    ck_assert_ok(lemica_graph_set_weight(graph, 1, 2, 5.0));
    ck_assert_ok(lemica_graph_set_weight(graph, 2, 3, 5.0));
    ck_assert_ok(lemica_graph_set_weight(graph, 3, 5, 1.0));
    ck_assert_ok(lemica_graph_set_weight(graph, 0, 2, 5.0));
    ck_assert_ok(lemica_graph_set_weight(graph, 3, 4, 1.0));
    ck_assert_ok(lemica_graph_set_weight(graph, 4, 5, 1.0));
    ck_assert_ok(lemica_solver_new(&solver));
    lemica_solver_set_head_runs(solver, 1);
    lemica_solver_set_digit_encoding(solver, 0);
    for (int scan = 0; scan < 3; scan++) {
        lemica_schedule *schedule;
        lemica_frontier *frontier;
        const lemica_schedule *from_frontier;
        int steps[6];
        size_t count;

        lemica_solver_set_blocked_scan_max_steps(scan == 0 ? 128 : 0);
        lemica_solver_set_vector_scan_min(scan == 1 ? 0 : 16);
        ck_assert_ok(lemica_solver_solve(solver, graph, 5, &schedule));
        ck_assert_ok(lemica_schedule_steps(schedule, steps, 6, &count));
        ck_assert_uint_eq(count, 5);
        ck_assert_mem_eq(steps, want, sizeof(want));
        lemica_schedule_free(schedule);
        ck_assert_ok(lemica_solver_solve_frontier(solver, graph, &frontier));
        ck_assert_ok(lemica_frontier_find(frontier, 5, &from_frontier));
        ck_assert_ok(lemica_schedule_steps(from_frontier, steps, 6, &count));
        ck_assert_uint_eq(count, 5);
        ck_assert_mem_eq(steps, want, sizeof(want));
        lemica_frontier_free(frontier);
    }
    lemica_solver_free(solver);
    lemica_graph_free(graph);
}
END_TEST

/* A LEXMAX solver and the reference of the tie tests: the DP over full
 * sorted vectors of the user comparator user_lexmax(), counting its calls
 * in @calls. */
static void
new_lexmax_pair(lemica_solver **lexmax, lemica_solver **full,
                unsigned long *calls)
{
    ck_assert_ok(lemica_solver_new(lexmax));
    ck_assert_ok(lemica_solver_new(full));
    ck_assert_ok(lemica_solver_set_comparator(*lexmax,
                                              LEMICA_COMPARATOR_LEXMAX));
    ck_assert_ok(lemica_solver_set_user_comparator(*full, user_lexmax, calls));
}

/* Free the pair; the reference must have compared something. */
static void
free_lexmax_pair(lemica_solver *lexmax, lemica_solver *full,
                 unsigned long calls)
{
    ck_assert_uint_gt(calls, 0);
    lemica_solver_free(lexmax);
    lemica_solver_free(full);
}

/* Row-scan LEXMAX on long paths where most states tie on a shared early
 * bottleneck (diffusion-like and distinct weights, N = 130 .. 200): the
 * row scan then stops running the fewest-copies pass on most states
 * (lexmax_ties() alone) and compares ties through the anchors. Checked
 * against the DP over full sorted vectors of the user comparator, which
 * breaks ties the same way (smallest predecessor). Also DBL_MAX mixes,
 * where the pass stays on. Three graphs of four remember tree walks
 * (pair-memo-int.h), which diffusion-like weights then answer from the
 * layer before. One budget takes that path when lexmax_row_one() is off
 * (every other graph here; by default past LEMICA_ROW_ONE_MAX_STATES). */
START_TEST(test_row_scan_ties_match_full_vectors)
{
    lemica_solver *lexmax, *full;
    unsigned long calls = 0;

    new_lexmax_pair(&lexmax, &full, &calls);
    lemica_solver_set_blocked_scan_max_steps(0);
    for (int g = 0; g < 30; g++) {
        uint64_t rng = 913000u + (uint64_t)g;
        int n = 130 + test_rng_below(&rng, 71);
        int k = g % 3 == 2 ? 40 : 20;
        int kind = g % 3; /* diffusion, distinct, DBL_MAX mix */
        lemica_graph *graph;

        ck_assert_ok(lemica_graph_new(n, k, &graph));
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n && j - i <= k; j++) {
                double w = kind == 0   ? draw_family_weight(&rng, WEIGHTS_DIFFUSION,
                                                            0, i, j, n)
                           : kind == 1 ? test_rng_unit(&rng)
                           : test_rng_below(&rng, 3) == 0 ? DBL_MAX
                                                         : test_rng_unit(&rng);

                ck_assert_ok(lemica_graph_set_weight(graph, i, j, w));
            }
        lemica_solver_set_anchor_stretch(g % 2 ? LEMICA_ANCHOR_STRETCH_DEFAULT
                                               : 1 + test_rng_below(&rng, 5));
        /* Anchors from the first layer, from mid-run or by the gate (the
         * graph's index: the same graphs as before the gate). */
        lemica_solver_set_anchor_start(g % 3 == 0   ? 0
                                       : g % 3 == 1 ? 1 << 16
                                                    : -1,
                                       g % 3 == 1 ? 0 : -1);
        /* Tree walks remembered (pair-memo-int.h) on three graphs of four
         * (the default needs N >= 256). */
        lemica_solver_set_pair_memo_min_steps(
            g % 4 == 3 ? LEMICA_PAIR_MEMO_MIN_STEPS : 0);
        /* One budget on all but every other graph solved by
         * lexmax_row_one(), which needs no anchors: off there. */
        lemica_solver_set_row_one_max_states(g % 2 ? LEMICA_ROW_ONE_MAX_STATES
                                                   : 0);
        for (int r = 0; r < 6; r++) {
            /* Long paths (the bottleneck then lies early and is shared). */
            int budget = n / 5 + test_rng_below(&rng, n / 3);

            assert_same_solve(full, lexmax, graph, budget,
                              "graph %d (n %d, k %d) budget %d", g, n, k,
                              budget);
        }
        lemica_graph_free(graph);
    }
    free_lexmax_pair(lexmax, full, calls);
}
END_TEST

/* The weight of edge (@i, @j) of graph @g in the marking tests' families
 * (kind = g % 7): diffusion-like, quantised, a few levels, DBL_MAX mixes,
 * all equal (outliers added after), distinct, @spread levels. */
static double
marks_family_weight(uint64_t *rng, int kind, int g, int spread, int i, int j,
                    int n)
{
    switch (kind) {
    case 0:
        return draw_family_weight(rng, WEIGHTS_DIFFUSION, 0, i, j, n);
    case 1:
        return draw_family_weight(rng, WEIGHTS_QUANTISED, 0, i, j, n);
    case 2:
        return (double)test_rng_below(rng, 2 + g % 5);
    case 3:
        return test_rng_below(rng, 3) == 0 ? DBL_MAX
               : test_rng_below(rng, 2)    ? (double)test_rng_below(rng, 3)
                                           : test_rng_unit(rng);
    case 6:
        return (double)(1 + test_rng_below(rng, spread));
    default:
        return kind == 4 ? 1.0 : test_rng_unit(rng);
    }
}

/* The marking tests' solves of graph @g: the @required step (none if
 * negative) on both solvers, then five budgets (short, middling and long
 * paths), @lexmax against the full-vector DP @full. */
static void
assert_marks_budgets(lemica_solver *full, lemica_solver *lexmax,
                     const lemica_graph *graph, uint64_t *rng, int required,
                     int g, int k)
{
    const int n = lemica_graph_num_steps(graph);

    lemica_solver_clear_required_steps(lexmax);
    lemica_solver_clear_required_steps(full);
    if (required >= 0) {
        ck_assert_ok(lemica_solver_require_step(lexmax, required));
        ck_assert_ok(lemica_solver_require_step(full, required));
    }
    for (int r = 0; r < 5; r++) {
        int budget = 2 + test_rng_below(rng, r < 2 ? n / 3 : n - 1);

        assert_same_solve(full, lexmax, graph, budget,
                          "graph %d (n %d, k %d) budget %d", g, n, k, budget);
    }
}

/* Blocked LEXMAX for one budget settles ties only on the states marked
 * back from the end (lexmax_blocked_one()): every layer scanned first,
 * then each marked state's candidates reaching its bottleneck marked in
 * turn, then the marked states with several of them settled, lowest layer
 * first. Tie-heavy graphs (diffusion-like, quantised, few levels, DBL_MAX
 * mixes, equal weights with outliers, distinct values, 20 .. 64 spread
 * levels; a tenth of the edges removed on half of them, a required step
 * on a third) of N = 12 .. 128 on the blocked scan, several budgets
 * each, against the DP over full sorted vectors of the user comparator
 * (smallest predecessor on ties, as LEXMAX). Without the digit encoding
 * on even graphs; with it on odd ones, where spread values give it up
 * after a row or two (SPARSE_LEVELS_BLOCKED_ONE in solver-encode.c). */
START_TEST(test_blocked_one_budget_marks)
{
    lemica_solver *lexmax, *full;
    unsigned long calls = 0;

    new_lexmax_pair(&lexmax, &full, &calls);
    lemica_solver_set_blocked_scan_max_steps(128);
    for (int g = 0; g < 70; g++) {
        uint64_t rng = 514000u + (uint64_t)g;
        int n = 12 + test_rng_below(&rng, g < 56 ? 60 : 117);
        int k = 1 + test_rng_below(&rng, n - 1);
        int kind = g % 7, gaps = test_rng_below(&rng, 2);
        int spread = 20 + test_rng_below(&rng, 45);
        int required = g % 3 == 0 ? 1 + test_rng_below(&rng, n - 2) : -1;
        lemica_graph *graph;

        ck_assert_ok(lemica_graph_new(n, k, &graph));
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n && j - i <= k; j++) {
                if (gaps && j > i + 1 && test_rng_below(&rng, 10) == 0)
                    continue; /* absent */
                ck_assert_ok(lemica_graph_set_weight(
                    graph, i, j,
                    marks_family_weight(&rng, kind, g, spread, i, j, n)));
            }
        lemica_solver_set_digit_encoding(lexmax, g % 2);
        if (kind == 4)
            add_outliers(&rng, n, k, 1 + test_rng_below(&rng, n), NULL, graph);
        lemica_solver_set_head_runs(lexmax, 1 + test_rng_below(&rng, 4));
        lemica_solver_set_blocked_scan_avx512(test_rng_below(&rng, 2));
        assert_marks_budgets(full, lexmax, graph, &rng, required, g, k);
        lemica_graph_free(graph);
    }
    free_lexmax_pair(lexmax, full, calls);
}
END_TEST

/* Row-scan LEXMAX for one budget (lexmax_row_one()): every layer scanned
 * first as MAX, then the ties of the states marked back from the end
 * settled by walks, lowest layer first. The families of
 * test_blocked_one_budget_marks (diffusion-like, quantised, few levels,
 * DBL_MAX mixes, equal weights with outliers, distinct values, 20 .. 64
 * spread levels; a tenth of the edges removed on half of them, a
 * required step on a third), N = 12 .. 200 on the row scan, several
 * budgets each, against the DP over full sorted vectors of the user
 * comparator. The digit encoding off on even graphs, on on odd ones; on
 * every fifth graph the state limit of the path lies between the
 * budgets, so the row scan's own LEXMAX solves some of them. */
START_TEST(test_row_one_budget_marks)
{
    lemica_solver *lexmax, *full;
    unsigned long calls = 0;

    new_lexmax_pair(&lexmax, &full, &calls);
    lemica_solver_set_blocked_scan_max_steps(0);
    for (int g = 0; g < 70; g++) {
        uint64_t rng = 733000u + (uint64_t)g;
        int n = 12 + test_rng_below(&rng, g < 56 ? 80 : 189);
        int k = 1 + test_rng_below(&rng, g < 56 ? n - 1 : 40);
        int kind = g % 7, gaps = test_rng_below(&rng, 2);
        int spread = 20 + test_rng_below(&rng, 45);
        int required = g % 3 == 0 ? 1 + test_rng_below(&rng, n - 2) : -1;
        lemica_graph *graph;

        if (k > n - 1)
            k = n - 1;
        ck_assert_ok(lemica_graph_new(n, k, &graph));
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n && j - i <= k; j++) {
                if (gaps && j > i + 1 && test_rng_below(&rng, 10) == 0)
                    continue; /* absent */
                ck_assert_ok(lemica_graph_set_weight(
                    graph, i, j,
                    marks_family_weight(&rng, kind, g, spread, i, j, n)));
            }
        lemica_solver_set_digit_encoding(lexmax, g % 2);
        if (kind == 4)
            add_outliers(&rng, n, k, 1 + test_rng_below(&rng, n), NULL, graph);
        lemica_solver_set_row_one_max_states(
            g % 5 == 4 ? (size_t)n * (size_t)(2 + test_rng_below(&rng, n))
                       : LEMICA_ROW_ONE_MAX_STATES);
        assert_marks_budgets(full, lexmax, graph, &rng, required, g, k);
        lemica_graph_free(graph);
    }
    free_lexmax_pair(lexmax, full, calls);
}
END_TEST

/* Ties on a DBL_MAX bottleneck (the largest weight a graph holds, so its
 * copies are every tied vector's first run): graphs where DBL_MAX is a
 * third, a half or two thirds of the edges and the rest distinct, so the
 * digit encoding gives up and the DP compares copies (lexmax_ties(), the
 * fewest-copies pass) and then heads and walks. Every head size, one
 * budget on the blocked and the row scan and the blocked frontier, each
 * against the DP over full sorted vectors of the user comparator. */
START_TEST(test_dblmax_ties_match_full_vectors)
{
    lemica_solver *lexmax, *full;
    unsigned long calls = 0;

    new_lexmax_pair(&lexmax, &full, &calls);
    for (int g = 0; g < 36; g++) {
        uint64_t rng = 515000u + (uint64_t)g;
        int n = 12 + test_rng_below(&rng, 60);
        int k = g % 3 == 0 ? n - 1 : 1 + test_rng_below(&rng, 24);
        /* DBL_MAX on one edge in 2, 3 or 4, or on two in 3. */
        int dblmax_in = 2 + g % 3;
        lemica_graph *graph;
        lemica_frontier *fa = NULL, *fb = NULL;
        lemica_status sa, sb;

        ck_assert_ok(lemica_graph_new(n, k, &graph));
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n && j - i <= k; j++) {
                int top = g % 4 == 3 ? test_rng_below(&rng, 3) != 0
                                     : test_rng_below(&rng, (uint64_t)dblmax_in) == 0;

                ck_assert_ok(lemica_graph_set_weight(
                    graph, i, j, top ? DBL_MAX : test_rng_unit(&rng)));
            }
        lemica_solver_set_head_runs(lexmax, 1 + test_rng_below(&rng, 6));
        for (int scan = 0; scan < 2; scan++) {
            lemica_solver_set_blocked_scan_max_steps(scan ? 0 : 128);
            for (int r = 0; r < 4; r++) {
                int budget = 2 + test_rng_below(&rng, n - 1);

                assert_same_solve(full, lexmax, graph, budget,
                                  "graph %d (n %d, k %d) budget %d scan %d",
                                  g, n, k, budget, scan);
            }
        }
        lemica_solver_set_blocked_scan_max_steps(128);
        sa = lemica_solver_solve_frontier(full, graph, &fa);
        sb = lemica_solver_solve_frontier(lexmax, graph, &fb);
        assert_same_frontiers(sa, fa, sb, fb, "graph %d (n %d, k %d)", g, n, k);
        lemica_graph_free(graph);
    }
    free_lexmax_pair(lexmax, full, calls);
}
END_TEST

/* Ties on a DBL_MAX bottleneck with as many copies of it on both sides,
 * which lexmax_ties() settles by compare_below_top(): one walk for the
 * largest weight below DBL_MAX of the parts after the common state, the
 * full comparison when those are equal. Finite weights distinct (the walk
 * decides) or of 2 - 6 levels (it often ties: the full comparison), DBL_MAX
 * on a third or half of the edges; the whole frontier on the row scan
 * (anchors from the first layer, mid-run or by the gate; with them the
 * walk replaces the tree maxima) and on the blocked one (heads after the
 * switch), the digit encoding and level counts off so that the levels
 * reach the ties; head runs 1 - 6. Against the DP over full sorted vectors
 * of the user comparator. */
START_TEST(test_dblmax_top_walks_match_full_vectors)
{
    lemica_solver *lexmax, *full;
    unsigned long calls = 0;

    new_lexmax_pair(&lexmax, &full, &calls);
    lemica_solver_set_digit_encoding(lexmax, 0);
    lemica_solver_set_level_counts(0);
    for (int g = 0; g < 16; g++) {
        uint64_t rng = 919000u + (uint64_t)g;
        int row = g % 2 == 0;
        int n = row ? 130 + test_rng_below(&rng, 40)
                    : 30 + test_rng_below(&rng, 90);
        int k = g % 4 < 2 ? 10 + test_rng_below(&rng, 20) : n - 1;
        int levels = g % 3 == 0 ? 0 : 2 + test_rng_below(&rng, 5);
        int dblmax_in = g % 5 == 0 ? 2 : 3;
        lemica_graph *graph;
        lemica_frontier *fa = NULL, *fb = NULL;
        lemica_status sa, sb;

        ck_assert_ok(lemica_graph_new(n, k, &graph));
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n && j - i <= k; j++) {
                double w =
                    test_rng_below(&rng, (uint64_t)dblmax_in) == 0 ? DBL_MAX
                    : levels ? (double)(1 + test_rng_below(&rng, (uint64_t)levels))
                             : test_rng_unit(&rng);

                ck_assert_ok(lemica_graph_set_weight(graph, i, j, w));
            }
        lemica_solver_set_head_runs(lexmax, 1 + test_rng_below(&rng, 6));
        lemica_solver_set_blocked_scan_max_steps(row ? 0 : 128);
        lemica_solver_set_anchor_stretch(2 + test_rng_below(&rng, 15));
        draw_anchor_start(&rng);
        sa = lemica_solver_solve_frontier(full, graph, &fa);
        sb = lemica_solver_solve_frontier(lexmax, graph, &fb);
        assert_same_frontiers(sa, fa, sb, fb, "graph %d (n %d, k %d, levels %d)",
                              g, n, k, levels);
        lemica_graph_free(graph);
    }
    free_lexmax_pair(lexmax, full, calls);
}
END_TEST

/* The row scan's DBL_MAX ties past the blocked scan's N (thirteenth
 * pass): the fewest copies by the vector scan of each state's copies
 * (lexmax_top_ties(), the vector kernel with its scalar tail, or the
 * scalar loop alone), and the walks that skip the runs of steps shared
 * one layer apart (top_runs): paths long enough for runs of dozens of
 * steps (N = 170 - 259, K = 8 - 40 or N - 1). DBL_MAX on a third or half
 * of the edges, the other weights distinct or of 2 - 4 levels (equal
 * largest weights below DBL_MAX: the walk's fallback), some edges
 * absent (+inf slots in the scan) and a required step. The whole
 * frontier against the user comparator's full-vector DP. */
START_TEST(test_dblmax_row_runs_match_full_vectors)
{
    lemica_solver *lexmax, *full;
    unsigned long calls = 0;

    new_lexmax_pair(&lexmax, &full, &calls);
    lemica_solver_set_digit_encoding(lexmax, 0);
    lemica_solver_set_level_counts(0);
    for (int g = 0; g < 8; g++) {
        uint64_t rng = 1313000u + (uint64_t)g;
        int n = 170 + test_rng_below(&rng, 90);
        int k = g % 4 == 3 ? n - 1 : 8 + test_rng_below(&rng, 33);
        int levels = g % 3 == 2 ? 2 + test_rng_below(&rng, 3) : 0;
        int dblmax_in = g % 2 == 0 ? 3 : 2;
        lemica_graph *graph;
        lemica_frontier *fa = NULL, *fb = NULL;
        lemica_status sa, sb;

        ck_assert_ok(lemica_graph_new(n, k, &graph));
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n && j - i <= k; j++) {
                double w =
                    test_rng_below(&rng, (uint64_t)dblmax_in) == 0 ? DBL_MAX
                    : levels ? (double)(1 + test_rng_below(&rng, (uint64_t)levels))
                             : test_rng_unit(&rng);

                if (j - i > 1 && test_rng_below(&rng, 8) == 0)
                    ck_assert_ok(lemica_graph_remove_edge(graph, i, j));
                else
                    ck_assert_ok(lemica_graph_set_weight(graph, i, j, w));
            }
        if (g % 4 == 1) {
            ck_assert_ok(lemica_solver_require_step(lexmax, n / 3));
            ck_assert_ok(lemica_solver_require_step(full, n / 3));
        } else {
            lemica_solver_clear_required_steps(lexmax);
            lemica_solver_clear_required_steps(full);
        }
        lemica_solver_set_head_runs(lexmax, 1 + test_rng_below(&rng, 6));
        lemica_solver_set_blocked_scan_max_steps(0);
        lemica_solver_set_vector_scan_min(g % 2 ? 0 : g % 4 == 0 ? 16 : 1 << 30);
        lemica_solver_set_anchor_stretch(2 + test_rng_below(&rng, 15));
        draw_anchor_start(&rng);
        sa = lemica_solver_solve_frontier(full, graph, &fa);
        sb = lemica_solver_solve_frontier(lexmax, graph, &fb);
        assert_same_frontiers(sa, fa, sb, fb, "graph %d (n %d, k %d, levels %d)",
                              g, n, k, levels);
        lemica_graph_free(graph);
    }
    free_lexmax_pair(lexmax, full, calls);
}
END_TEST

/* The blocked frontier's walks (frontier_compare(): by step, the runs
 * of one step two layers apart, copies of the largest weight, the rest
 * below it) on the tie families where it walks rather than builds
 * heads: distinct and diffusion-like weights (every tie shares its
 * bottleneck edge), 64 and 256 levels (equal largest weights, so copies
 * and the rest decide), DBL_MAX mixes; N up to 90 and K from 1 to N - 1,
 * the digit encoding off so that levels reach the walks too. The whole
 * frontier against the DP over full sorted vectors of the user
 * comparator, with either blocked kernel. */
START_TEST(test_frontier_walks_match_full_vectors)
{
    lemica_solver *lexmax, *full;
    unsigned long calls = 0;

    new_lexmax_pair(&lexmax, &full, &calls);
    lemica_solver_set_digit_encoding(lexmax, 0);
    for (int g = 0; g < 40; g++) {
        uint64_t rng = 717000u + (uint64_t)g;
        int n = 20 + test_rng_below(&rng, 71);
        int k = g % 3 == 0 ? n - 1 : 1 + test_rng_below(&rng, n - 1);
        int kind = g % 5; /* distinct, diffusion, 64, 256 levels, DBL_MAX */
        lemica_graph *graph;
        lemica_frontier *fa = NULL, *fb = NULL;
        lemica_status sa, sb;

        ck_assert_ok(lemica_graph_new(n, k, &graph));
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n && j - i <= k; j++) {
                double w =
                    kind == 0   ? test_rng_unit(&rng)
                    : kind == 1 ? draw_family_weight(&rng, WEIGHTS_DIFFUSION,
                                                     0, i, j, n)
                    : kind == 2 ? draw_family_weight(&rng, WEIGHTS_LEVELS,
                                                     64, i, j, n)
                    : kind == 3 ? draw_family_weight(&rng, WEIGHTS_LEVELS,
                                                     256, i, j, n)
                    : test_rng_below(&rng, 3) == 0 ? DBL_MAX
                                                   : test_rng_unit(&rng);

                ck_assert_ok(lemica_graph_set_weight(graph, i, j, w));
            }
        lemica_solver_set_blocked_scan_avx512(g % 2);
        sa = lemica_solver_solve_frontier(full, graph, &fa);
        sb = lemica_solver_solve_frontier(lexmax, graph, &fb);
        assert_same_frontiers(sa, fa, sb, fb, "graph %d (n %d, k %d)", g, n, k);
        lemica_graph_free(graph);
    }
    free_lexmax_pair(lexmax, full, calls);
}
END_TEST

/* The plain radix's boundary: while B^levels <= 2^53 the levels encode
 * with digits B^k and no edge counts (B = 16: 16^13 = 2^52 <= 2^53 <
 * 16^14), more are counted (collect_levels()). N = 17, budget 16: a
 * path skips one step, so it takes fourteen of the sixteen span-1 edges,
 * all at the top level T, and one span-2 edge, of level 1 but for one 0;
 * spans >= 3 (on no path) hold levels 2 .. T - 1. The optimum takes the 0; with T = 14 on the plain radix its
 * sum 14 * 16^13 + 1 would round to the one of the 0 (a tie). T = 13 and
 * 14, the 0 at each place, every budget, blocked and row scan. */
START_TEST(test_plain_radix_boundary)
{
    lemica_solver *plain, *fast;

    ck_assert_ok(lemica_solver_new(&plain));
    ck_assert_ok(lemica_solver_new(&fast));
    lemica_solver_set_digit_encoding(plain, 0);
    for (int top = 13; top <= 14; top++)
        for (int zero = 1; zero <= 15; zero++) {
            const int n = 17;
            lemica_graph *graph;

            ck_assert_ok(lemica_graph_new(n, n - 1, &graph));
            for (int i = 0; i < n; i++)
                for (int j = i + 1; j < n; j++) {
                    double w = j - i == 1   ? (double)top
                               : j - i == 2 ? (i + 1 == zero ? 0.0 : 1.0)
                                            : (double)(2 + (i + j) % (top - 2));

                    ck_assert_ok(lemica_graph_set_weight(graph, i, j, w));
                }
            assert_same_every_budget(plain, fast, graph, 128,
                                     "top %d zero at %d", top, zero);
            lemica_graph_free(graph);
        }
    lemica_solver_free(plain);
    lemica_solver_free(fast);
}
END_TEST

/* One budget with more levels than the plain radix holds: the lowest
 * ones that fit it when a path of the budget keeps to them (no edge
 * counts), else the counted route (mixed radix, groups, cuts). Spread
 * levels (16, 64, 100 of them; on the blocked scan only the 16 reach the
 * cut, its one-budget give-up stops the others at 32 to 42 values, so
 * the row scan covers those), a few
 * on long runs of one common weight (counted); N = 50 (one word, blocked
 * scan) and N = 100 (several), every budget, blocked and row scan. */
START_TEST(test_plain_cut)
{
    const int cases[][3] = {{50, 20, 16}, {50, 49, 64}, {50, 20, 100},
                            {100, 30, 64}, {50, 49, -20}};
    lemica_solver *plain, *fast;

    ck_assert_ok(lemica_solver_new(&plain));
    ck_assert_ok(lemica_solver_new(&fast));
    lemica_solver_set_digit_encoding(plain, 0);
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        const int n = cases[c][0], k = cases[c][1], levels = cases[c][2];
        uint64_t rng = 99u + c;
        lemica_graph *graph;

        ck_assert_ok(lemica_graph_new(n, k, &graph));
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n && j - i <= k; j++) {
                double w = levels > 0
                               ? (double)(1 + test_rng_below(&rng, levels))
                               : test_rng_below(&rng, 8) == 0
                                     ? (double)(1 + test_rng_below(&rng, -levels))
                                     : 30.0;

                ck_assert_ok(lemica_graph_set_weight(graph, i, j, w));
            }
        assert_same_every_budget(plain, fast, graph, 128, "N %d K %d levels %d",
                                 n, k, levels);
        lemica_graph_free(graph);
    }
    lemica_solver_free(plain);
    lemica_solver_free(fast);
}
END_TEST

/* Spread levels past the plain radix B, one budget on the blocked scan:
 * up to SPREAD_ONE_MAX_STEPS = 56 steps, or from twice the plain radix's
 * levels on, the encoding gives up for the MAX pass and the marked ties
 * of lexmax_blocked_one(); from 57 steps with fewer levels the plain cut
 * runs (solver-encode.c). Each solve (blocked, encoding allowed) against
 * the sorted-vector DP of the row scan without the encoding: 12 to 64
 * levels, N = 44 .. 128 on both sides of the step limit, K = 20 and
 * N - 1, the level cut's boundary budgets N / 4, N / 2 and a few more. */
START_TEST(test_spread_levels_one_budget)
{
    const int cases[][3] = {{44, 20, 16}, {50, 49, 16}, {56, 20, 16},
                            {56, 55, 24}, {57, 20, 16}, {64, 63, 12},
                            {100, 20, 16}, {100, 99, 64}, {128, 127, 40}};
    lemica_solver *plain, *fast;

    ck_assert_ok(lemica_solver_new(&plain));
    ck_assert_ok(lemica_solver_new(&fast));
    lemica_solver_set_digit_encoding(plain, 0);
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        const int n = cases[c][0], k = cases[c][1], levels = cases[c][2];
        const int budgets[] = {n / 8, n / 4, n / 4 + 1, n / 3, n / 2, n - 1};
        uint64_t rng = 4242u + c;
        lemica_graph *graph;

        ck_assert_ok(lemica_graph_new(n, k, &graph));
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n && j - i <= k; j++)
                ck_assert_ok(lemica_graph_set_weight(
                    graph, i, j, (double)(1 + test_rng_below(&rng, levels))));
        for (size_t b = 0; b < sizeof(budgets) / sizeof(budgets[0]); b++) {
            lemica_schedule *want = NULL, *got = NULL;
            lemica_status sw, sg;

            lemica_solver_set_blocked_scan_max_steps(0);
            sw = lemica_solver_solve(plain, graph, budgets[b], &want);
            lemica_solver_set_blocked_scan_max_steps(128);
            sg = lemica_solver_solve(fast, graph, budgets[b], &got);
            ck_assert_msg(sw == sg, "N %d K %d levels %d budget %d: %d vs %d",
                          n, k, levels, budgets[b], (int)sw, (int)sg);
            if (sw == LEMICA_OK)
                assert_same_steps(want, got, "N %d K %d levels %d budget %d",
                                  n, k, levels, budgets[b]);
            lemica_schedule_free(want);
            lemica_schedule_free(got);
        }
        lemica_graph_free(graph);
    }
    lemica_solver_free(plain);
    lemica_solver_free(fast);
}
END_TEST

/* One common weight on most edges and many others (more than the
 * few-values pass takes): the blocked scan's level set then lists only
 * the other slots (collect_dominant() in solver-encode.c) and writes the
 * common code four slots a store (write_dominant()). Outliers below and
 * above the common weight, single and repeated (a small pool), zeros and
 * missing edges among them, rows of 8 slots and more (below 8 the list is
 * not tried), too many others for the list (it gives up: the whole
 * pass), a first slot of 0 (not a level: given up); N up to the blocked
 * scan's 128, K from 8 to N - 1. Several budgets and the frontier, the
 * blocked scan with the encoding against the row scan without it. */
START_TEST(test_dominant_outliers)
{
    /* N, K, outliers, pool (0: all distinct), first slot 0 */
    const int cases[][5] = {
        {20, 8, 16, 0, 0},    {30, 12, 24, 0, 0},   {40, 8, 40, 6, 0},
        {50, 20, 64, 0, 0},   {50, 49, 64, 0, 0},   {50, 20, 90, 20, 0},
        {64, 63, 120, 0, 0},  {70, 9, 30, 0, 0},    {100, 20, 64, 0, 0},
        {100, 99, 200, 0, 0}, {128, 127, 64, 10, 0}, {128, 40, 250, 0, 0},
        {50, 20, 40, 0, 1},   {60, 7, 30, 0, 0},    {50, 20, 400, 0, 0}};
    lemica_solver *plain, *fast;

    ck_assert_ok(lemica_solver_new(&plain));
    ck_assert_ok(lemica_solver_new(&fast));
    lemica_solver_set_digit_encoding(plain, 0);
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        const int n = cases[c][0], k = cases[c][1], outliers = cases[c][2];
        const int pool = cases[c][3];
        const int budgets[] = {n / 8 + 2, n / 4, n / 4 + 1, n / 3, n / 2, n - 1};
        uint64_t rng = 9090u + c;
        lemica_graph *graph;
        lemica_frontier *fa = NULL, *fb = NULL;
        lemica_status sa, sb;

        ck_assert_ok(lemica_graph_new(n, k, &graph));
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n && j - i <= k; j++)
                ck_assert_ok(lemica_graph_set_weight(graph, i, j, 1.0));
        if (cases[c][4])
            ck_assert_ok(lemica_graph_set_weight(graph, 0, 1, 0.0));
        for (int o = 0; o < outliers; o++) {
            const int i = test_rng_below(&rng, n - 1);
            const int span =
                1 + test_rng_below(&rng, k < n - 1 - i ? k : n - 1 - i);
            const int kind = test_rng_below(&rng, 10);
            double w = pool ? 0.05 * (1 + test_rng_below(&rng, pool))
                            : 0.99 * test_rng_unit(&rng);

            /* Not the first slot, unless asked (its value is the
             * common one). */
            if (i == 0 && span == 1)
                continue;
            if (kind == 0)
                w = 0.0;
            else if (kind == 1)
                w = 1.0 + w; /* above the common weight */
            if (kind == 2)
                ck_assert_ok(lemica_graph_remove_edge(graph, i, i + span));
            else
                ck_assert_ok(lemica_graph_set_weight(graph, i, i + span, w));
        }
        lemica_solver_set_blocked_scan_max_steps(128);
        for (size_t b = 0; b < sizeof(budgets) / sizeof(budgets[0]); b++) {
            lemica_schedule *want = NULL, *got = NULL;
            lemica_status sw, sg;

            lemica_solver_set_blocked_scan_max_steps(0);
            sw = lemica_solver_solve(plain, graph, budgets[b], &want);
            lemica_solver_set_blocked_scan_max_steps(128);
            sg = lemica_solver_solve(fast, graph, budgets[b], &got);
            ck_assert_msg(sw == sg, "case %zu budget %d: %d vs %d", c,
                          budgets[b], (int)sw, (int)sg);
            if (sw == LEMICA_OK)
                assert_same_steps(want, got, "case %zu budget %d", c,
                                  budgets[b]);
            lemica_schedule_free(want);
            lemica_schedule_free(got);
        }
        lemica_solver_set_blocked_scan_max_steps(0);
        sa = lemica_solver_solve_frontier(plain, graph, &fa);
        lemica_solver_set_blocked_scan_max_steps(128);
        sb = lemica_solver_solve_frontier(fast, graph, &fb);
        assert_same_frontiers(sa, fa, sb, fb, "case %zu frontier", c);
        lemica_graph_free(graph);
    }
    lemica_solver_free(plain);
    lemica_solver_free(fast);
}
END_TEST

/* Outliers below one common weight c, which the dominant-value encoding
 * keeps as its own code when the top digit can rise to c's odd mantissa
 * times a power of two (dominant_scale(): the other codes scaled by a
 * power of two); and outliers whose values round to one float, so that
 * rank_levels() falls back from floats to doubles. c: 1.0, 0.75, 3.0,
 * 2^-899, 2^900 (scaled), 2^901 and 0.3 (too long a mantissa: not);
 * 5 - 120 outliers; six budgets and the frontier, blocked with the
 * encoding against the row scan without it. */
START_TEST(test_dominant_scaled_codes)
{
    const double commons[] = {1.0, 0.75, 3.0, 0x1.0p-899, 0x1.0p900,
                              0x1.0p901, 0.3};
    /* N, K, outliers, float ties (1: values 2^-40 apart). Under 10
     * outliers one is on the first row (the few-values pass refuses) and
     * the plain radix B holds them: no edge counts. */
    const int cases[][4] = {{50, 20, 64, 0}, {50, 49, 40, 1}, {60, 12, 30, 1},
                            {100, 20, 64, 0}, {100, 99, 120, 1},
                            {40, 39, 24, 0}, {90, 89, 6, 0}, {50, 20, 5, 0}};
    lemica_solver *plain, *fast;

    ck_assert_ok(lemica_solver_new(&plain));
    ck_assert_ok(lemica_solver_new(&fast));
    lemica_solver_set_digit_encoding(plain, 0);
    for (size_t v = 0; v < sizeof(commons) / sizeof(commons[0]); v++)
        for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
            const double common = commons[v];
            const int n = cases[c][0], k = cases[c][1], outliers = cases[c][2];
            const int budgets[] = {n / 8 + 2, n / 4, n / 4 + 1, n / 3, n / 2,
                                   n - 1};
            uint64_t rng = 4242u + 31u * v + c;
            lemica_graph *graph;
            lemica_frontier *fa = NULL, *fb = NULL;
            lemica_status sa, sb;

            ck_assert_ok(lemica_graph_new(n, k, &graph));
            for (int i = 0; i < n; i++)
                for (int j = i + 1; j < n && j - i <= k; j++)
                    ck_assert_ok(lemica_graph_set_weight(graph, i, j, common));
            if (outliers < 10)
                ck_assert_ok(lemica_graph_set_weight(graph, 0, 3, common * 0.5));
            for (int o = 0; o < outliers; o++) {
                const int i = test_rng_below(&rng, n - 1);
                const int span =
                    1 + test_rng_below(&rng, k < n - 1 - i ? k : n - 1 - i);
                const double w =
                    cases[c][3] ? common * (0.5 + 0x1.0p-40 * (o + 1))
                                : common * 0.99 * test_rng_unit(&rng);

                if (i == 0 && span == 1)
                    continue; /* (the first slot holds the common value) */
                ck_assert_ok(lemica_graph_set_weight(graph, i, i + span, w));
            }
            for (size_t b = 0; b < sizeof(budgets) / sizeof(budgets[0]); b++) {
                lemica_schedule *want = NULL, *got = NULL;
                lemica_status sw, sg;

                lemica_solver_set_blocked_scan_max_steps(0);
                sw = lemica_solver_solve(plain, graph, budgets[b], &want);
                lemica_solver_set_blocked_scan_max_steps(128);
                sg = lemica_solver_solve(fast, graph, budgets[b], &got);
                ck_assert_msg(sw == sg, "common %zu case %zu budget %d: %d vs %d",
                              v, c, budgets[b], (int)sw, (int)sg);
                if (sw == LEMICA_OK)
                    assert_same_steps(want, got, "common %zu case %zu budget %d",
                                      v, c, budgets[b]);
                lemica_schedule_free(want);
                lemica_schedule_free(got);
            }
            lemica_solver_set_blocked_scan_max_steps(0);
            sa = lemica_solver_solve_frontier(plain, graph, &fa);
            lemica_solver_set_blocked_scan_max_steps(128);
            sb = lemica_solver_solve_frontier(fast, graph, &fb);
            assert_same_frontiers(sa, fa, sb, fb, "common %zu case %zu frontier",
                                  v, c);
            lemica_graph_free(graph);
        }
    lemica_solver_set_blocked_scan_max_steps(0);
    lemica_solver_free(plain);
    lemica_solver_free(fast);
}
END_TEST

/* One positive level (with 0, -0.0 and missing edges): its own value is
 * its code (the matrix is not rewritten) unless it is above 2^900, where
 * sums of it could overflow. Values with inexact sums (0.1), subnormal,
 * at and above the limit, DBL_MAX; every budget, blocked and row scan. */
START_TEST(test_one_level_own_code)
{
    const double values[] = {0.1, 3e-310, 0x1.0p900, 0x1.0p901, 1e300,
                             DBL_MAX, 7.0};
    lemica_solver *plain, *fast;

    ck_assert_ok(lemica_solver_new(&plain));
    ck_assert_ok(lemica_solver_new(&fast));
    lemica_solver_set_digit_encoding(plain, 0);
    for (size_t v = 0; v < sizeof(values) / sizeof(values[0]); v++) {
        const int n = 30, k = 12;
        uint64_t rng = 777u + v;
        lemica_graph *graph;

        ck_assert_ok(lemica_graph_new(n, k, &graph));
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n && j - i <= k; j++) {
                const int pick = test_rng_below(&rng, 8);

                if (pick == 7)
                    continue; /* missing */
                ck_assert_ok(lemica_graph_set_weight(
                    graph, i, j,
                    pick == 0 ? 0.0 : pick == 1 ? -0.0 : values[v]));
            }
        assert_same_every_budget(plain, fast, graph, 128, "value %g",
                                 values[v]);
        lemica_graph_free(graph);
    }
    lemica_solver_free(plain);
    lemica_solver_free(fast);
}
END_TEST

/* Few values on the blocked scan, encoded by vector compares
 * (encode_few() in solver-encode.c): the values of the first row and
 * values that first come later, in the second row (the slots written so
 * far are rewritten when the codes change: a new value below the others,
 * or a second level after one that was its own code) or further on (the
 * rest is searched first), above, below and between the others; too many
 * values, or more levels than the budget's plain radix holds, found
 * after slots were written (they go back to their values), and that
 * radix's boundary; 0, -0.0 and
 * missing edges; rows of every length mod 4 (a row's last vector is
 * partial). Every budget and the frontier, blocked and row scan, against
 * the DP over sorted vectors (no encoding). */
START_TEST(test_few_values_encoding)
{
    lemica_solver *plain, *fast;
    uint64_t rng = 4242u;

    ck_assert_ok(lemica_solver_new(&plain));
    ck_assert_ok(lemica_solver_new(&fast));
    lemica_solver_set_digit_encoding(plain, 0);
    for (int g = 0; g < 48; g++) {
        const int n = g % 6 == 0 ? 9 + test_rng_below(&rng, 8)
                                 : 20 + test_rng_below(&rng, 50);
        const int k = 1 + test_rng_below(&rng, n - 1);
        /* Values of the first row, then of later ones. */
        const int base_levels = 1 + test_rng_below(&rng, 6);
        const int late = test_rng_below(&rng, 8);
        const int late_row = g % 3 == 0 ? 1 : 2 + test_rng_below(&rng, n / 2);
        double values[6];
        lemica_graph *graph;

        for (int v = 0; v < base_levels; v++)
            values[v] = g % 4 == 0 ? (double)(1 + v)
                                   : 0.25 + test_rng_unit(&rng);
        ck_assert_ok(lemica_graph_new(n, k, &graph));
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n && j - i <= k; j++) {
                const int pick = test_rng_below(&rng, 16);
                double w = values[test_rng_below(&rng, base_levels)];

                if (i > 0 && pick == 0)
                    continue; /* missing */
                if (i > 0 && pick == 1)
                    w = g % 2 ? 0.0 : -0.0;
                ck_assert_ok(lemica_graph_set_weight(graph, i, j, w));
            }
        /* Late values on random edges from row late_row on: below every
         * value, above, between; the same value sometimes twice. */
        for (int m = 0; m < late && late_row < n - 1; m++) {
            const int i = late_row + test_rng_below(&rng, n - 1 - late_row);
            const int span = 1 + test_rng_below(&rng, k < n - 1 - i
                                                         ? k
                                                         : n - 1 - i);
            const int kind = test_rng_below(&rng, 4);
            double w = kind == 0   ? 0.01 * (1 + m)
                       : kind == 1 ? 3.0 + m
                       : kind == 2 ? 0.3 + 0.01 * m
                                   : 0.01;

            ck_assert_ok(lemica_graph_set_weight(graph, i, i + span, w));
        }
        assert_same_every_budget(plain, fast, graph, 128,
                                 "graph %d N %d K %d levels %d late %d from "
                                 "row %d",
                                 g, n, k, base_levels, late, late_row);
        check_frontier_matches_plain(plain, fast, graph, g, 0);
        lemica_graph_free(graph);
    }
    /* The plain radix's boundary within FEW_KEYS values, as in
     * test_plain_radix_boundary(): N = 41, budget 40 (40^9 <= 2^53 <
     * 40^10), T = 9 and 10 levels; a path takes 38 span-1 edges of the
     * top level and one span-2 edge of level 1 but for one 0, which a
     * 10-level plain radix would round into a tie. */
    for (int top = 9; top <= 10; top++)
        for (int zero = 1; zero <= 39; zero += 19) {
            const int n = 41;
            lemica_graph *graph;

            ck_assert_ok(lemica_graph_new(n, n - 1, &graph));
            for (int i = 0; i < n; i++)
                for (int j = i + 1; j < n; j++) {
                    double w = j - i == 1   ? (double)top
                               : j - i == 2 ? (i + 1 == zero ? 0.0 : 1.0)
                                            : (double)(2 + (i + j) % (top - 2));

                    ck_assert_ok(lemica_graph_set_weight(graph, i, j, w));
                }
            for (int scan = 0; scan < 2; scan++) {
                lemica_solver_set_blocked_scan_max_steps(scan ? 0 : 128);
                assert_same_solve(plain, fast, graph, n - 1,
                                  "top %d zero at %d scan %d", top, zero, scan);
            }
            lemica_graph_free(graph);
        }
    lemica_solver_set_blocked_scan_max_steps(128);
    lemica_solver_free(plain);
    lemica_solver_free(fast);
}
END_TEST

/* A graph of @n steps and max skip @k (both <= MAX_N when @p is not
 * NULL, which then gets its weights) whose levels each sit on three
 * edges, in a random order, with about @zero_percent of the edges 0:
 * every budget's paths use a few of some 30 levels, so the frontier needs
 * two digit groups, group-0 sums tie often (paths that avoid the top
 * levels sum 0 there) and zeros make whole cost vectors tie. */
static lemica_graph *
three_edge_levels(uint64_t *rng, int n, int k, int zero_percent,
                  struct brute_problem *p)
{
    int order[MAX_N * MAX_N / 2];
    int edges = 0, level = 0, used = 0;
    lemica_graph *graph;

    ck_assert_ok(lemica_graph_new(n, k, &graph));
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n && j - i <= k; j++)
            order[edges++] = i * n + j;
    for (int i = edges - 1; i > 0; i--) {
        int j = (int)test_rng_below(rng, (uint32_t)i + 1), swap = order[i];

        order[i] = order[j];
        order[j] = swap;
    }
    if (p) {
        memset(p, 0, sizeof(*p));
        p->n = n;
        p->k_graph = p->k_effective = k;
        p->integer_weights = 1;
        for (int i = 0; i < MAX_N; i++)
            for (int j = 0; j < MAX_N; j++)
                p->weight[i][j] = (double)NAN;
    }
    for (int e = 0; e < edges; e++) {
        const int i = order[e] / n, j = order[e] % n;
        double w = 0.0;

        if ((int)test_rng_below(rng, 100) >= zero_percent) {
            if (used == 3) {
                level++;
                used = 0;
            }
            used++;
            w = 1.0 + level;
        }
        ck_assert_ok(lemica_graph_set_weight(graph, i, j, w));
        if (p)
            p->weight[i][j] = w;
    }
    return graph;
}

/* Encoded LEXMAX with several digit groups on the blocked scan's
 * frontier (and one budget): the lexicographic vector scan of the sums,
 * with the AVX-512 kernel (when the CPU has it) and the AVX one. Against
 * brute force, tie rule included, at N = 14 (two groups: no more fit
 * there), and against the plain DP (no encoding, row scan) on graphs of
 * 16 to 30 levels, 40 to 128 steps (two, three and four groups), partial
 * blocks and required steps included. Graphs the encoding does not give
 * the groups wanted on the blocked frontier are counted, not checked:
 * most must be. */
START_TEST(test_blocked_groups)
{
    const int avx512 = __builtin_cpu_supports("avx512f");
    lemica_solver *plain, *fast;
    int checked = 0, skipped = 0;
    int by_groups[LEMICA_DIGIT_GROUPS_MAX + 1] = {0};

    ck_assert_ok(lemica_solver_new(&plain));
    ck_assert_ok(lemica_solver_new(&fast));
    lemica_solver_set_digit_encoding(plain, 0);
    for (int kernel = 0; kernel < 2; kernel++) {
        lemica_solver_set_blocked_scan_avx512(kernel);
        for (int g = 0; g < 60; g++) {
            uint64_t rng = 5150u + (uint64_t)g;
            const int n = MAX_N;
            struct brute_problem p;
            struct lemica_problem problem;
            /* Zeros or a required step (it makes edges unusable): more
             * than either and one group holds the rest. */
            lemica_graph *graph = three_edge_levels(
                &rng, n, n - 1, g % 5 == 4 ? 0 : (int)test_rng_below(&rng, 8),
                &p);
            lemica_frontier *frontier = NULL;
            size_t count;

            lemica_solver_clear_required_steps(fast);
            if (g % 5 == 4) {
                /* Next to an end, where it removes fewest edges. */
                const int step = g % 2 ? 1 : n - 2;

                ck_assert_ok(lemica_solver_require_step(fast, step));
                p.required[step] = 1;
            }
            lemica_solver_set_blocked_scan_max_steps(128);
            ck_assert_ok(lemica_solver_prepare(fast, graph, n,
                                               LEMICA_SOLVE_FRONTIER,
                                               &problem));
            if (!problem.blocked || !problem.lexmax_as_sum ||
                problem.digit_groups != 2) {
                skipped++;
                lemica_graph_free(graph);
                continue;
            }
            checked++;
            count = brute_enumerate(&p, 0, all_paths);
            ck_assert_ok(lemica_solver_solve_frontier(fast, graph, &frontier));
            for (int budget = 2; budget <= n; budget++) {
                const struct brute_path *best = NULL;
                const lemica_schedule *found = NULL;
                lemica_schedule *single = NULL;
                char where[96];

                best = brute_best(all_paths, count, LEMICA_COMPARATOR_LEXMAX,
                                  budget);
                snprintf(where, sizeof(where),
                         "two groups: kernel %d graph %d budget %d", kernel,
                         g, budget);
                if (!best) {
                    ck_assert_status(
                        lemica_frontier_find(frontier, budget, &found),
                        LEMICA_ERR_INFEASIBLE);
                    continue;
                }
                ck_assert_ok(lemica_frontier_find(frontier, budget, &found));
                brute_check_schedule(found, best, where);
                ck_assert_ok(lemica_solver_solve(fast, graph, budget, &single));
                brute_check_schedule(single, best, where);
                lemica_schedule_free(single);
            }
            lemica_frontier_free(frontier);
            lemica_graph_free(graph);
        }
        lemica_solver_clear_required_steps(fast);
        for (int g = 0; g < 24; g++) {
            /* N, K, levels: 2, 3 and 4 groups on the frontier. */
            static const int sizes[][3] = {
                {40, 39, 16}, {50, 49, 16},  {50, 20, 16}, {61, 13, 16},
                {77, 30, 16}, {128, 10, 16}, {40, 20, 24}, {70, 69, 20},
                {128, 20, 16}, {70, 40, 30}, {100, 40, 24}, {128, 10, 30}};
            const int n = sizes[g % 12][0], k = sizes[g % 12][1];
            const int levels = sizes[g % 12][2];
            uint64_t rng = 6160u + (uint64_t)g;
            struct lemica_problem problem;
            lemica_graph *graph;

            ck_assert_ok(lemica_graph_new(n, k, &graph));
            for (int i = 0; i < n; i++)
                for (int j = i + 1; j < n && j - i <= k; j++)
                    ck_assert_ok(lemica_graph_set_weight(
                        graph, i, j,
                        test_rng_below(&rng, 16) == 0
                            ? 0.0
                            : (double)(1 + test_rng_below(&rng,
                                                          (uint32_t)levels))));
            lemica_solver_clear_required_steps(plain);
            lemica_solver_clear_required_steps(fast);
            if (g >= 12) {
                const int step = n / 3 + g;

                ck_assert_ok(lemica_solver_require_step(plain, step));
                ck_assert_ok(lemica_solver_require_step(fast, step));
            }
            lemica_solver_set_blocked_scan_max_steps(128);
            ck_assert_ok(lemica_solver_prepare(fast, graph, n,
                                               LEMICA_SOLVE_FRONTIER,
                                               &problem));
            if (problem.blocked && problem.lexmax_as_sum &&
                problem.digit_groups >= 2) {
                checked++;
                by_groups[problem.digit_groups]++;
                check_frontier_matches_plain(plain, fast, graph, g, 0);
                /* One budget too (cut to fewer levels where a path of
                 * the budget keeps to them). */
                for (int b = n / 4; b < n; b += n / 4)
                    assert_same_solve(plain, fast, graph, b,
                                      "groups: kernel %d graph %d budget %d",
                                      kernel, g, b);
            } else {
                skipped++;
            }
            lemica_graph_free(graph);
        }
        lemica_solver_clear_required_steps(plain);
        lemica_solver_clear_required_steps(fast);
    }
    fprintf(stderr,
            "digit groups, blocked frontier: %d graphs checked (2, 3, 4 "
            "groups: %d, %d, %d), %d with fewer; AVX-512 kernel %s\n",
            checked, by_groups[2], by_groups[3], by_groups[4], skipped,
            avx512 ? "ran too" : "absent (AVX only)");
    ck_assert_int_ge(checked, 3 * (checked + skipped) / 4);
    for (int groups = 3; groups <= LEMICA_DIGIT_GROUPS_MAX; groups++)
        ck_assert_int_ge(by_groups[groups], 4);
    lemica_solver_free(plain);
    lemica_solver_free(fast);
}
END_TEST

/* The row scan's frontier of @fast (blocked scan off, vectors on rows of
 * at least @vector_min candidates) against @plain's (no encoding, row
 * scan without vectors), every budget. */
static void
check_row_frontier(lemica_solver *plain, lemica_solver *fast,
                   const lemica_graph *graph, int vector_min, const char *what,
                   int g)
{
    lemica_frontier *fa = NULL, *fb = NULL;
    lemica_status sa, sb;

    lemica_solver_set_blocked_scan_max_steps(0);
    lemica_solver_set_vector_scan_min(1 << 30);
    sa = lemica_solver_solve_frontier(plain, graph, &fa);
    lemica_solver_set_vector_scan_min(vector_min);
    sb = lemica_solver_solve_frontier(fast, graph, &fb);
    assert_same_frontiers(sa, fa, sb, fb, "%s: graph %d vector_min %d", what,
                          g, vector_min);
}

/* Encoded LEXMAX with several digit groups on the row scan (the layer of
 * solver-row-lex.c: one lexicographic pass over each state's candidates,
 * the vector kernel for one, two and three lower groups and the scalar
 * loop), forced at small N by the test hooks. Against brute force, tie
 * rule included, at N = 14 (two groups; zeros make whole vectors tie),
 * every budget on the frontier and single solves, vectors on rows of any
 * length and none; then against the plain DP (no encoding, scalar row
 * scan) on tie-heavy graphs of 40 to 150 steps with 8 to 30 levels, K
 * from 5 to N - 1 (two, three and four groups, rows of 4k + 1 .. 4k + 3
 * candidates so the kernel's scalar rest runs), zeros, required steps. */
START_TEST(test_row_groups)
{
    lemica_solver *plain, *fast;
    int checked = 0, skipped = 0;
    int by_groups[LEMICA_DIGIT_GROUPS_MAX + 1] = {0};

    ck_assert_ok(lemica_solver_new(&plain));
    ck_assert_ok(lemica_solver_new(&fast));
    lemica_solver_set_digit_encoding(plain, 0);
    for (int g = 0; g < 60; g++) {
        uint64_t rng = 7170u + (uint64_t)g;
        const int n = MAX_N;
        const int vector_min = g % 3 == 0 ? 1 << 30 : g % 3 == 1 ? 0 : 8;
        struct brute_problem p;
        struct lemica_problem problem;
        lemica_graph *graph = three_edge_levels(
            &rng, n, n - 1, g % 5 == 4 ? 0 : (int)test_rng_below(&rng, 8), &p);
        lemica_frontier *frontier = NULL;
        size_t count;

        lemica_solver_clear_required_steps(fast);
        if (g % 5 == 4) {
            const int step = g % 2 ? 1 : n - 2;

            ck_assert_ok(lemica_solver_require_step(fast, step));
            p.required[step] = 1;
        }
        lemica_solver_set_blocked_scan_max_steps(0);
        lemica_solver_set_vector_scan_min(vector_min);
        ck_assert_ok(lemica_solver_prepare(fast, graph, n,
                                           LEMICA_SOLVE_FRONTIER, &problem));
        if (problem.blocked || !problem.lexmax_as_sum ||
            problem.digit_groups < 2) {
            skipped++;
            lemica_graph_free(graph);
            continue;
        }
        checked++;
        count = brute_enumerate(&p, 0, all_paths);
        ck_assert_ok(lemica_solver_solve_frontier(fast, graph, &frontier));
        for (int budget = 2; budget <= n; budget++) {
            const struct brute_path *best = NULL;
            const lemica_schedule *found = NULL;
            lemica_schedule *single = NULL;
            char where[96];

            best = brute_best(all_paths, count, LEMICA_COMPARATOR_LEXMAX,
                              budget);
            snprintf(where, sizeof(where),
                     "row groups: graph %d budget %d vector_min %d", g, budget,
                     vector_min);
            if (!best) {
                ck_assert_status(lemica_frontier_find(frontier, budget, &found),
                                 LEMICA_ERR_INFEASIBLE);
                continue;
            }
            ck_assert_ok(lemica_frontier_find(frontier, budget, &found));
            brute_check_schedule(found, best, where);
            ck_assert_ok(lemica_solver_solve(fast, graph, budget, &single));
            brute_check_schedule(single, best, where);
            lemica_schedule_free(single);
        }
        lemica_frontier_free(frontier);
        lemica_graph_free(graph);
    }
    lemica_solver_clear_required_steps(fast);
    for (int g = 0; g < 28; g++) {
        /* N, K, levels: two, three and four groups on the frontier. */
        static const int sizes[][3] = {
            {40, 39, 16},  {50, 49, 16}, {50, 21, 16},  {61, 13, 16},
            {77, 30, 16},  {150, 9, 16}, {40, 22, 24},  {70, 69, 20},
            {130, 23, 16}, {70, 40, 30}, {100, 99, 16}, {128, 10, 30},
            {90, 66, 8},   {60, 5, 12}};
        const int n = sizes[g % 14][0], k = sizes[g % 14][1];
        const int levels = sizes[g % 14][2];
        uint64_t rng = 8180u + (uint64_t)g;
        struct lemica_problem problem;
        lemica_graph *graph;

        ck_assert_ok(lemica_graph_new(n, k, &graph));
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n && j - i <= k; j++)
                ck_assert_ok(lemica_graph_set_weight(
                    graph, i, j,
                    test_rng_below(&rng, 16) == 0
                        ? 0.0
                        : (double)(1 + test_rng_below(&rng,
                                                      (uint32_t)levels))));
        lemica_solver_clear_required_steps(plain);
        lemica_solver_clear_required_steps(fast);
        if (g >= 14) {
            const int step = n / 3 + g;

            ck_assert_ok(lemica_solver_require_step(plain, step));
            ck_assert_ok(lemica_solver_require_step(fast, step));
        }
        lemica_solver_set_blocked_scan_max_steps(0);
        ck_assert_ok(lemica_solver_prepare(fast, graph, n,
                                           LEMICA_SOLVE_FRONTIER, &problem));
        if (!problem.blocked && problem.lexmax_as_sum &&
            problem.digit_groups >= 2) {
            checked++;
            by_groups[problem.digit_groups]++;
            check_row_frontier(plain, fast, graph, 0, "row groups", g);
            check_row_frontier(plain, fast, graph, 1 << 30, "row groups", g);
            lemica_solver_set_vector_scan_min(0);
            for (int b = n / 4; b < n; b += n / 4)
                assert_same_solve(plain, fast, graph, b,
                                  "row groups: graph %d budget %d", g, b);
        } else {
            skipped++;
        }
        lemica_graph_free(graph);
    }
    lemica_solver_clear_required_steps(plain);
    lemica_solver_clear_required_steps(fast);
    fprintf(stderr,
            "digit groups, row scan: %d graphs checked (2, 3, 4 groups on "
            "the frontier: %d, %d, %d), %d with fewer\n",
            checked, by_groups[2], by_groups[3], by_groups[4], skipped);
    ck_assert_int_ge(checked, 3 * (checked + skipped) / 4);
    for (int groups = 2; groups <= LEMICA_DIGIT_GROUPS_MAX; groups++)
        ck_assert_int_ge(by_groups[groups], 3);
    lemica_solver_free(plain);
    lemica_solver_free(fast);
}
END_TEST

/* The row scan's whole frontier (layer_lexmax()) on graphs where most
 * states tie on a shared early bottleneck and the tied candidates' heads
 * are often the same (diffusion-like weights, N = 130 .. 200), or change
 * often by a run's count (quantised and 64 levels, digit encoding off):
 * lexmax_ties_rows() skips the head comparison of two heads with one id
 * (struct lemica_run), which merge_head() must renew on every change.
 * Head slots of 1 .. 6 runs (the default, 4, copies a slot whole; others
 * run by run), anchor stretches of 1 .. 16, tree walks remembered on
 * half the graphs. Every schedule against the frontier of the DP over
 * full sorted vectors (user comparator). */
START_TEST(test_row_frontier_ties_match_full_vectors)
{
    lemica_solver *lexmax, *full;
    unsigned long calls = 0;

    new_lexmax_pair(&lexmax, &full, &calls);
    lemica_solver_set_blocked_scan_max_steps(0);
    lemica_solver_set_digit_encoding(lexmax, 0);
    for (int g = 0; g < 12; g++) {
        uint64_t rng = 917000u + (uint64_t)g;
        int n = 130 + test_rng_below(&rng, 71);
        int k = g % 4 == 3 ? 40 : 20;
        int kind = g % 3; /* diffusion, quantised, 64 levels */
        lemica_frontier *fa = NULL, *fb = NULL;
        lemica_status status;
        lemica_graph *graph;

        ck_assert_ok(lemica_graph_new(n, k, &graph));
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n && j - i <= k; j++)
                ck_assert_ok(lemica_graph_set_weight(
                    graph, i, j,
                    draw_family_weight(&rng,
                                       kind == 0   ? WEIGHTS_DIFFUSION
                                       : kind == 1 ? WEIGHTS_QUANTISED
                                                   : WEIGHTS_LEVELS,
                                       64, i, j, n)));
        lemica_solver_set_head_runs(lexmax, g < 6 ? LEMICA_HEAD_RUNS_DEFAULT
                                                  : 1 + test_rng_below(&rng, 6));
        lemica_solver_set_anchor_stretch(g % 2 ? LEMICA_ANCHOR_STRETCH_DEFAULT
                                               : 1 + test_rng_below(&rng, 5));
        lemica_solver_set_pair_memo_min_steps(
            g % 4 < 2 ? 0 : LEMICA_PAIR_MEMO_MIN_STEPS);
        ck_assert_ok(lemica_solver_solve_frontier(full, graph, &fa));
        status = lemica_solver_solve_frontier(lexmax, graph, &fb);
        assert_same_frontiers(LEMICA_OK, fa, status, fb,
                              "graph %d (n %d, k %d, kind %d)", g, n, k, kind);
        lemica_graph_free(graph);
    }
    free_lexmax_pair(lexmax, full, calls);
}
END_TEST

/* The row scan's exact comparisons that end before the tree walk
 * (twelfth pass, compare_exact_with()): two tied candidates whose paths
 * pass through one state of the last anchor layer are ordered by the
 * largest weight since it, each with its edge, when those differ.
 * Diffusion-like weights (tied candidates share their largest, oldest
 * edges), also rounded to 1/64 so that these largest weights and the
 * edges often tie and the walk must decide; N = 130 .. 260, K = 12 ..
 * 60, head slots of 1 .. 6 runs, anchor stretches 1 .. 16 and the
 * default, anchors from the first layer, by the default gate or mid-run.
 * Every schedule of the whole frontier against the DP over full sorted
 * vectors (user comparator). */
START_TEST(test_row_frontier_anchor_order)
{
    lemica_solver *lexmax, *full;
    unsigned long calls = 0;

    new_lexmax_pair(&lexmax, &full, &calls);
    lemica_solver_set_blocked_scan_max_steps(0);
    lemica_solver_set_digit_encoding(lexmax, 0);
    for (int g = 0; g < 10; g++) {
        uint64_t rng = 1212000u + (uint64_t)g;
        int n = 130 + test_rng_below(&rng, 131);
        int k = 12 + test_rng_below(&rng, 49);
        int rounded = g % 2;
        lemica_frontier *fa = NULL, *fb = NULL;
        lemica_status status;
        lemica_graph *graph;

        ck_assert_ok(lemica_graph_new(n, k, &graph));
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n && j - i <= k; j++) {
                double w = draw_family_weight(&rng, WEIGHTS_DIFFUSION, 64,
                                              i, j, n);

                if (rounded)
                    w = floor(w * 64.0) / 64.0;
                ck_assert_ok(lemica_graph_set_weight(graph, i, j, w));
            }
        lemica_solver_set_head_runs(lexmax, g % 3 == 0
                                                ? LEMICA_HEAD_RUNS_DEFAULT
                                                : 1 + test_rng_below(&rng, 6));
        lemica_solver_set_anchor_stretch(g % 4 == 0
                                             ? LEMICA_ANCHOR_STRETCH_DEFAULT
                                             : 1 + test_rng_below(&rng, 16));
        /* Anchors from the first layer, by the default gate, or from
         * the first anchor layer past the first S layers. */
        if (g % 2)
            lemica_solver_set_anchor_start(0, LEMICA_ANCHOR_WALK);
        else if (g % 4 == 0)
            lemica_solver_set_anchor_start(LEMICA_ANCHOR_SHARE,
                                           LEMICA_ANCHOR_WALK);
        else
            lemica_solver_set_anchor_start(1 << 20, 0);
        lemica_solver_set_pair_memo_min_steps(
            g % 4 < 2 ? 0 : LEMICA_PAIR_MEMO_MIN_STEPS);
        ck_assert_ok(lemica_solver_solve_frontier(full, graph, &fa));
        status = lemica_solver_solve_frontier(lexmax, graph, &fb);
        assert_same_frontiers(LEMICA_OK, fa, status, fb,
                              "graph %d (n %d, k %d, rounded %d)", g, n, k,
                              rounded);
        lemica_graph_free(graph);
    }
    free_lexmax_pair(lexmax, full, calls);
}
END_TEST

/* The library's defaults of the process-wide scan hooks the tests above
 * change. */
/* A weight of the level-counts test: one of @levels values (quarters, so
 * also non-integers), 0 or DBL_MAX now and then. */
static double
counts_weight(uint64_t *rng, int levels)
{
    uint32_t u = test_rng_below(rng, 24);

    if (u == 0)
        return 0.0;
    if (u == 1)
        return DBL_MAX;
    return 0.25 * (double)(1 + test_rng_below(rng, (uint32_t)levels));
}

/* LEXMAX by level counts (level-counts-int.h), which the row scan's
 * frontier takes on graphs of at most 256 distinct weights that the digit
 * encoding leaves: against brute force at N <= 14 (the row scan forced),
 * and against the sorted-vector DP (the counts forbidden) at N = 130 ..
 * 260 (more than 64 levels forced to count there), with absent edges, zeros, DBL_MAX, required steps and a smaller
 * max skip; 3 to 256 levels, so that ties on the bottleneck are settled
 * by its word of counts, by later words and by the smaller predecessor. */
START_TEST(test_level_counts)
{
    static const int level_choices[] = {3, 40, 64, 250};
    lemica_solver *solver;
    int counted = 0, total = 0;

    ck_assert_ok(lemica_solver_new(&solver));
    lemica_solver_set_blocked_scan_max_steps(0);
    /* 250 levels count at these N too (by default from N = 512 on). */
    lemica_solver_set_counts_wide_min_steps(0);
    for (int g = 0; g < 80; g++) {
        uint64_t rng = 515000u + (uint64_t)g;
        const int n = 6 + (int)test_rng_below(&rng, MAX_N - 5);
        const int k = g % 3 == 0 ? n - 1 : 1 + (int)test_rng_below(&rng, (uint32_t)n - 1);
        const int levels = level_choices[g % 4];
        struct brute_problem p;
        struct lemica_problem problem;
        lemica_frontier *frontier = NULL;
        lemica_graph *graph;
        size_t count;

        memset(&p, 0, sizeof(p));
        p.n = n;
        p.k_graph = p.k_effective = k;
        for (int i = 0; i < MAX_N; i++)
            for (int j = 0; j < MAX_N; j++)
                p.weight[i][j] = (double)NAN;
        ck_assert_ok(lemica_graph_new(n, k, &graph));
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n && j - i <= k; j++) {
                double w = counts_weight(&rng, levels);

                /* A tenth of the longer edges absent. */
                if (j > i + 1 && test_rng_below(&rng, 10) == 0)
                    continue;
                ck_assert_ok(lemica_graph_set_weight(graph, i, j, w));
                p.weight[i][j] = w;
            }
        lemica_solver_clear_required_steps(solver);
        /* Small graphs mostly encode: the encoding off on three of four. */
        lemica_solver_set_digit_encoding(solver, g % 4 == 0);
        if (g % 5 == 4) {
            const int step = 1 + (int)test_rng_below(&rng, (uint32_t)n - 2);

            ck_assert_ok(lemica_solver_require_step(solver, step));
            p.required[step] = 1;
        }
        ck_assert_ok(lemica_solver_prepare(solver, graph, n,
                                           LEMICA_SOLVE_FRONTIER, &problem));
        counted += problem.count_words > 0;
        total++;
        count = brute_enumerate(&p, 0, all_paths);
        ck_assert_ok(lemica_solver_solve_frontier(solver, graph, &frontier));
        for (int budget = 2; budget <= n; budget++) {
            const struct brute_path *best =
                brute_best(all_paths, count, LEMICA_COMPARATOR_LEXMAX, budget);
            const lemica_schedule *found = NULL;
            char where[96];

            snprintf(where, sizeof(where), "level counts: graph %d budget %d",
                     g, budget);
            if (!best) {
                ck_assert_status(lemica_frontier_find(frontier, budget, &found),
                                 LEMICA_ERR_INFEASIBLE);
                continue;
            }
            ck_assert_ok(lemica_frontier_find(frontier, budget, &found));
            brute_check_schedule(found, best, where);
        }
        lemica_frontier_free(frontier);
        lemica_graph_free(graph);
    }
    /* The graphs not encoded count their levels. */
    ck_assert_int_ge(counted, total * 3 / 4);
    lemica_solver_set_digit_encoding(solver, 1);
    lemica_solver_set_blocked_scan_max_steps(128);
    lemica_solver_clear_required_steps(solver);
    counted = total = 0;
    for (int g = 0; g < 16; g++) {
        uint64_t rng = 516000u + (uint64_t)g;
        const int n = 130 + (int)test_rng_below(&rng, 131);
        const int k = g % 4 == 3 ? n - 1 : 4 + (int)test_rng_below(&rng, 40);
        const int levels = level_choices[1 + g % 3];
        struct lemica_problem problem;
        lemica_frontier *with = NULL, *without = NULL;
        lemica_graph *graph;

        ck_assert_ok(lemica_graph_new(n, k, &graph));
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n && j - i <= k; j++) {
                double w = counts_weight(&rng, levels);

                if (j > i + 1 && test_rng_below(&rng, 10) == 0)
                    continue;
                ck_assert_ok(lemica_graph_set_weight(graph, i, j, w));
            }
        lemica_solver_clear_required_steps(solver);
        if (g % 4 == 1)
            ck_assert_ok(lemica_solver_require_step(
                solver, 1 + (int)test_rng_below(&rng, (uint32_t)n - 2)));
        ck_assert_ok(lemica_solver_set_max_skip(
            solver, g % 4 == 2 ? 1 + (int)test_rng_below(&rng, (uint32_t)k) : 0));
        lemica_solver_set_level_counts(1);
        ck_assert_ok(lemica_solver_prepare(solver, graph, n,
                                           LEMICA_SOLVE_FRONTIER, &problem));
        counted += problem.count_words > 0;
        total++;
        ck_assert_ok(lemica_solver_solve_frontier(solver, graph, &with));
        lemica_solver_set_level_counts(0);
        ck_assert_ok(lemica_solver_solve_frontier(solver, graph, &without));
        ck_assert_uint_eq(lemica_frontier_count(with),
                          lemica_frontier_count(without));
        for (int budget = 2; budget <= n; budget++) {
            const lemica_schedule *a = NULL, *b = NULL;
            lemica_status sa = lemica_frontier_find(with, budget, &a);

            ck_assert_int_eq(sa, lemica_frontier_find(without, budget, &b));
            if (sa == LEMICA_OK)
                assert_same_steps(a, b, "level counts: graph %d (n %d, k %d, "
                                        "%d levels) budget %d",
                                  g, n, k, levels, budget);
        }
        lemica_frontier_free(with);
        lemica_frontier_free(without);
        lemica_graph_free(graph);
    }
    ck_assert_int_eq(counted, total);
    lemica_solver_set_level_counts(1);
    ck_assert_ok(lemica_solver_set_max_skip(solver, 0));
    lemica_solver_clear_required_steps(solver);
    /* By default more than 64 levels count only from N = 512 on. */
    lemica_solver_set_counts_wide_min_steps(LEMICA_COUNTS_WIDE_MIN_STEPS);
    for (int wide = 0; wide < 2; wide++) {
        uint64_t rng = 517000u;
        struct lemica_problem problem;
        lemica_graph *graph;

        ck_assert_ok(lemica_graph_new(200, 20, &graph));
        for (int i = 0; i < 200; i++)
            for (int j = i + 1; j < 200 && j - i <= 20; j++)
                ck_assert_ok(lemica_graph_set_weight(
                    graph, i, j,
                    (double)(1 + test_rng_below(&rng, wide ? 250 : 64))));
        ck_assert_ok(lemica_solver_prepare(solver, graph, 200,
                                           LEMICA_SOLVE_FRONTIER, &problem));
        ck_assert_int_eq(problem.count_words, wide ? 0 : 16);
        lemica_graph_free(graph);
    }
    lemica_solver_free(solver);
}
END_TEST

static void
reset_scan_hooks(void)
{
    lemica_solver_set_vector_scan_min(16);
    lemica_solver_set_blocked_scan_max_steps(128);
    lemica_solver_set_blocked_scan_avx512(1);
    lemica_solver_set_anchor_stretch(LEMICA_ANCHOR_STRETCH_DEFAULT);
    lemica_solver_set_anchor_start(-1, -1);
    lemica_solver_set_pair_memo_min_steps(LEMICA_PAIR_MEMO_MIN_STEPS);
    lemica_solver_set_row_one_max_states(LEMICA_ROW_ONE_MAX_STATES);
    lemica_solver_set_level_counts(1);
    lemica_solver_set_counts_wide_min_steps(LEMICA_COUNTS_WIDE_MIN_STEPS);
}

TEST_SUITE(solver_brute)
{
    add_test_with_setup(suite, test_fast_paths_match_plain_dp,
                        reset_scan_hooks);
    add_test_with_setup(suite, test_digit_groups, reset_scan_hooks);
    add_test_with_setup(suite, test_blocked_groups, reset_scan_hooks);
    add_test_with_setup(suite, test_row_groups, reset_scan_hooks);
    add_test_with_setup(suite, test_level_counts, reset_scan_hooks);
    add_test_with_setup(suite, test_chain_digits_limit, reset_scan_hooks);
    add_test_with_setup(suite, test_plain_radix_boundary, reset_scan_hooks);
    add_test_with_setup(suite, test_one_level_own_code, reset_scan_hooks);
    add_test_with_setup(suite, test_few_values_encoding, reset_scan_hooks);
    add_test_with_setup(suite, test_plain_cut, reset_scan_hooks);
    add_test_with_setup(suite, test_spread_levels_one_budget,
                        reset_scan_hooks);
    add_test_with_setup(suite, test_dominant_outliers, reset_scan_hooks);
    add_test_with_setup(suite, test_dominant_scaled_codes, reset_scan_hooks);
    add_test_with_setup(suite, test_level_cut_wide, reset_scan_hooks);
    add_test_with_setup(suite, test_level_cut_required_step, reset_scan_hooks);
    add_test_with_setup(suite, test_level_cut_short_spans, reset_scan_hooks);
    add_test_with_setup(suite, test_level_cut_spread_path, reset_scan_hooks);
    add_test_with_setup(suite, test_truncated_head_counts_equal_run,
                        reset_scan_hooks);
    add_test_with_setup(suite, test_row_scan_ties_match_full_vectors,
                        reset_scan_hooks);
    add_test_with_setup(suite, test_row_frontier_ties_match_full_vectors,
                        reset_scan_hooks);
    add_test_with_setup(suite, test_row_frontier_anchor_order,
                        reset_scan_hooks);
    add_test_with_setup(suite, test_dblmax_ties_match_full_vectors,
                        reset_scan_hooks);
    add_test_with_setup(suite, test_frontier_walks_match_full_vectors,
                        reset_scan_hooks);
    add_test_with_setup(suite, test_dblmax_top_walks_match_full_vectors,
                        reset_scan_hooks);
    add_test_with_setup(suite, test_dblmax_row_runs_match_full_vectors,
                        reset_scan_hooks);
    add_test_with_setup(suite, test_blocked_one_budget_marks,
                        reset_scan_hooks);
    add_test_with_setup(suite, test_row_one_budget_marks, reset_scan_hooks);
    add_test_with_setup(suite, test_solver_matches_brute_force,
                        reset_scan_hooks);
    add_test_with_setup(suite, test_frontier_matches_single_solves,
                        reset_scan_hooks);
    add_test_with_setup(suite, test_monotone_transform_invariance,
                        reset_scan_hooks);
}
