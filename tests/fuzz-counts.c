/* SPDX-License-Identifier: MIT */
/*
 * A long random search (not part of `meson test`) aimed at LEXMAX by level
 * counts (solver-counts.c, layer_counts()), the row scan's head ids
 * (merge_head_id(), lexmax_ties_rows()), the blocked frontier's walks
 * (pair_walk()) and the one-budget spread give-up (solver-encode.c):
 * graphs of 1 .. 256 distinct weights (exactly 256 with 0 and DBL_MAX
 * among them, 65 .. 256 past the wide-counts gate, near-equal weights
 * whose paths repeat one level up to N - 1 times), absent edges, required
 * steps, max skip; several graphs of different N in turn on one solver
 * (buffer reuse), frontiers and one-budget solves interleaved; the level
 * counts on or off, their wide gate forced or at its default, the row
 * scan or the blocked one forced. Each answer is checked against an
 * independent DP over full sorted-descending cost vectors (the same as
 * fuzz-row-lex.c's).
 *
 *   fuzz-counts [cases [first_seed [max_n]]]
 *
 * Prints graphs, solves and mismatches; exits 1 on any mismatch.
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lemica/lemica.h"
#include "fuzz-reference.h"
#include "level-counts-int.h"
#include "solver-int.h"
#include "test-rng.h"

static unsigned long graphs;

enum family {
    F_LEVELS, F_EXACT256, F_WIDE, F_NEAR_EQUAL, F_SPREAD, F_FEW_ZERO,
    F_MIXED, F_COUNT
};
static const char *family_name[] = {"levels", "exact256", "wide",
                                    "near-equal", "spread", "few-zero",
                                    "mixed"};

/* The value of level @l of @levels: 0 at the bottom, DBL_MAX at the top
 * when asked, else integers and fractions. */
static double
level_value(int l, int levels, int with_extremes)
{
    if (with_extremes) {
        if (l == 0)
            return 0.0;
        if (l == levels - 1)
            return DBL_MAX;
    }
    return 0.25 * (double)l + 1.0;
}

static double
draw(uint64_t *rng, int family, int levels, int *spread_levels)
{
    switch (family) {
    case F_LEVELS:
        return level_value(test_rng_below(rng, levels), levels,
                           levels > 2 && test_rng_below(rng, 2));
    case F_EXACT256:
    case F_WIDE:
        return level_value(test_rng_below(rng, levels), levels, 1);
    case F_NEAR_EQUAL: /* one value nearly everywhere: long runs of it */
        return test_rng_below(rng, 50) ? 1.0
                                       : level_value(test_rng_below(rng, levels),
                                                     levels, 1);
    case F_SPREAD:
        return ldexp(1.0 + test_rng_below(rng, 4),
                     test_rng_below(rng, *spread_levels));
    case F_FEW_ZERO:
        /* -0.0 and +0.0 are one value (one level) */
        return test_rng_below(rng, 4) ? (test_rng_below(rng, 2) ? 0.0 : -0.0)
                                      : (double)test_rng_below(rng, 3);
    default:
        return test_rng_below(rng, 8) ? level_value(test_rng_below(rng, levels),
                                                    levels, 1)
                                      : test_rng_unit(rng);
    }
}

static void
solve_one_graph(lemica_solver *solver, uint64_t *rng, unsigned long seed,
                int max_n, int g)
{
    int family = test_rng_below(rng, F_COUNT);
    int levels, spread_levels = 6 + test_rng_below(rng, 40);
    int n, k_graph, k_solver, absent = test_rng_below(rng, 3) * 10;
    int frontier = test_rng_below(rng, 2);
    int blocked;
    struct problem p;
    lemica_graph *graph;
    struct reference r;
    char what[200];
    int budgets[3], budget_count = 0, max_budget;

    switch (family) {
    case F_EXACT256: levels = 256; break;
    case F_WIDE: levels = 65 + test_rng_below(rng, 192); break;
    default:
        levels = (int[]){1, 2, 3, 4, 5, 8, 63, 64, 65, 200, 256,
                         257}[test_rng_below(rng, 12)];
    }
    switch (test_rng_below(rng, 4)) {
    case 0: n = 2 + test_rng_below(rng, 20); break;
    case 1: n = 20 + test_rng_below(rng, 50); break;
    case 2: n = 100 + test_rng_below(rng, 60); break;
    default:
        n = max_n > 512 && test_rng_below(rng, 2)
                ? 512 + test_rng_below(rng, max_n - 511)
                : 129 + test_rng_below(rng, max_n > 129 ? max_n - 128 : 1);
    }
    if (n > max_n)
        n = max_n;
    if (n < 2)
        n = 2;
    switch (test_rng_below(rng, 4)) {
    case 0: k_graph = n - 1; break;
    case 1: k_graph = 1 + test_rng_below(rng, 4); break;
    default: k_graph = 2 + test_rng_below(rng, 40); break;
    }
    if (k_graph > n - 1)
        k_graph = n - 1;
    if (n > 150 && k_graph > 60)
        k_graph = 60;
    /* Past the wide-counts gate (N = 512) the reference DP is N^3 K. */
    if (n > 450 && k_graph > 3)
        k_graph = 3;
    k_solver = test_rng_below(rng, 4) == 0 ? 1 + test_rng_below(rng, n) : 0;
    problem_new(&p, n, k_solver && k_solver < k_graph ? k_solver : k_graph);
    if (lemica_graph_new(n, k_graph, &graph) != LEMICA_OK)
        abort();
    {
        /* Exactly @levels values: the first slots take each in turn. */
        int next_level = family == F_EXACT256 || family == F_WIDE ? 0 : levels;
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n && j - i <= k_graph; j++) {
                double x;

                if (test_rng_below(rng, 100) < absent) {
                    if (j == i + 1 && test_rng_below(rng, 4) != 0)
                        continue;
                    if (j == i + 1)
                        lemica_graph_remove_edge(graph, i, j);
                    continue;
                }
                if (next_level < levels)
                    x = level_value(next_level++, levels, 1);
                else
                    x = draw(rng, family, levels, &spread_levels);
                lemica_graph_set_weight(graph, i, j, x);
            }
    }
    problem_read_graph(&p, graph, k_graph);
    lemica_solver_clear_required_steps(solver);
    if (test_rng_below(rng, 4) == 0) {
        int warm = test_rng_below(rng, 3);
        lemica_solver_require_first_steps(solver, warm);
        for (int i = 0; i < warm && i < n; i++)
            p.required[i] = 1;
    }
    if (test_rng_below(rng, 4) == 0) {
        int step = test_rng_below(rng, n);
        lemica_solver_require_step(solver, step);
        p.required[step] = 1;
    }
    lemica_solver_set_comparator(solver, LEMICA_COMPARATOR_LEXMAX);
    lemica_solver_set_max_skip(solver, k_solver);
    lemica_solver_set_head_runs(solver, 1 + test_rng_below(rng, 4));
    lemica_solver_set_digit_encoding(solver, test_rng_below(rng, 3) != 0);
    lemica_solver_set_few_values_encoding(test_rng_below(rng, 4) != 0);
    lemica_solver_set_level_counts(test_rng_below(rng, 6) != 0);
    lemica_solver_set_counts_wide_min_steps(
        test_rng_below(rng, 2) ? 0
        : test_rng_below(rng, 2) ? LEMICA_COUNTS_WIDE_MIN_STEPS
                                 : test_rng_below(rng, 300));
    /* The row scan at every N, the blocked one up to N, or the default. */
    blocked = test_rng_below(rng, 3);
    lemica_solver_set_blocked_scan_max_steps(blocked == 0   ? 0
                                             : blocked == 1 ? 1 << 20
                                                            : 128);
    lemica_solver_set_blocked_scan_avx512(test_rng_below(rng, 2));
    {
        int v = test_rng_below(rng, 4);
        lemica_solver_set_vector_scan_min(v == 0   ? 0
                                          : v == 1 ? 1 << 30
                                                   : 1 + test_rng_below(rng, 20));
    }
    lemica_solver_set_anchor_stretch(test_rng_below(rng, 3) == 0
                                         ? 1 + test_rng_below(rng, 4)
                                         : LEMICA_ANCHOR_STRETCH_DEFAULT);
    lemica_solver_set_pair_memo_min_steps(test_rng_below(rng, 2)
                                              ? 0
                                              : LEMICA_PAIR_MEMO_MIN_STEPS);
    {
        int gate = test_rng_below(rng, 4);
        lemica_solver_set_row_one_max_states(
            gate == 0   ? LEMICA_ROW_ONE_MAX_STATES
            : gate == 1 ? 0
                        : (size_t)(test_rng_below(rng, n * n / 2 + 2)));
    }

    snprintf(what, sizeof(what),
             "graph %d %s(%d) n %d kg %d ks %d abs %d blk %d %s", g,
             family_name[family], levels, n, k_graph, k_solver, absent,
             blocked, frontier ? "frontier" : "one");
    if (frontier) {
        max_budget = n;
    } else {
        budgets[budget_count++] = n / 4 < 2 ? 2 : n / 4;
        budgets[budget_count++] = 2 + test_rng_below(rng, n - 1);
        budgets[budget_count++] = n - test_rng_below(rng, n / 8 + 1);
        max_budget = n;
    }
    reference_solve(&p, max_budget, &r);
    graphs++;
    /* The other kind of solve on the same graph and solver, after. */
    int then_other = test_rng_below(rng, 3) == 0;

    if (frontier) {
        check_frontier(solver, graph, &r, what, seed);
    } else {
        for (int bi = 0; bi < budget_count; bi++)
            if (budgets[bi] >= 2)
                check_budget(solver, graph, budgets[bi], &r, what, seed);
    }
    if (then_other && frontier) {
        check_budget(solver, graph, 2 + test_rng_below(rng, n - 1), &r, what,
                     seed);
    } else if (then_other) {
        check_frontier(solver, graph, &r, what, seed);
    }
    problem_free(&p, &r);
    lemica_graph_free(graph);
}

/* One solver for 1 .. 4 graphs in turn. */
static void
run_case(unsigned long seed, int max_n)
{
    uint64_t rng = 0xc0a7500000ull + seed;
    lemica_solver *solver;
    int count = 1 + test_rng_below(&rng, 4);

    if (lemica_solver_new(&solver) != LEMICA_OK)
        abort();
    for (int g = 0; g < count; g++)
        solve_one_graph(solver, &rng, seed, max_n, g);
    lemica_solver_free(solver);
}

int
main(int argc, char **argv)
{
    unsigned long cases = argc > 1 ? strtoul(argv[1], NULL, 10) : 200;
    unsigned long first = argc > 2 ? strtoul(argv[2], NULL, 10) : 0;
    int max_n = argc > 3 ? atoi(argv[3]) : 300;

    for (unsigned long c = 0; c < cases; c++) {
        run_case(first + c, max_n);
        if ((c + 1) % 1000 == 0) { /* progress of a long run */
            printf("... cases %lu graphs %lu solves %lu mismatches %lu\n",
                   c + 1, graphs, fuzz_tally.solves, fuzz_tally.mismatches);
            fflush(stdout);
        }
    }
    printf("cases %lu graphs %lu solves %lu (infeasible agreed %lu) "
           "mismatches %lu\n",
           cases, graphs, fuzz_tally.solves, fuzz_tally.infeasible_agree,
           fuzz_tally.mismatches);
    return fuzz_tally.mismatches != 0;
}
