/* SPDX-License-Identifier: MIT */
/*
 * A long random search (not part of `meson test`): LEXMAX solves -- one
 * budget (B = N / 4, random B) and whole frontiers -- against an
 * independent DP over full sorted-descending cost vectors with the
 * documented tie rule (steps compared backwards from the end: on equal
 * vectors the smaller predecessor), on tie-heavy weight families, N = 10
 * .. ~300, with the row scan forced by the test hooks at small N and the
 * row-lex kernels, the one-budget gate and the blocked kernels varied.
 *
 *   fuzz-row-lex [cases [first_seed [max_n]]]
 *
 * Prints solves and mismatches; exits 1 on any mismatch.
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lemica/lemica.h"
#include "fuzz-reference.h"
#include "solver-int.h"
#include "bench-families.h" /* bench_diffusion_error() */
#include "test-rng.h"

enum family {
    F_LEVELS, F_ZERO, F_EQUAL, F_OUTLIERS, F_QUANTISED, F_DBLMAX,
    F_DIFFUSION, F_DISTINCT, F_SPREAD, F_COUNT
};
static const char *family_name[] = {"levels", "zero", "equal", "outliers",
                                    "quantised", "dblmax", "diffusion",
                                    "distinct", "spread"};

static double
draw(uint64_t *rng, int family, int levels, int i, int j, int n)
{
    switch (family) {
    case F_LEVELS:
        return 1.0 + test_rng_below(rng, levels);
    case F_ZERO:
        return 0.0;
    case F_EQUAL:
    case F_OUTLIERS:
        return 1.0;
    case F_QUANTISED:
        return floor(bench_diffusion_error(i, j, n) * 8.0) / 8.0;
    case F_DBLMAX:
        return test_rng_below(rng, 3) == 0 ? DBL_MAX
               : test_rng_below(rng, 2)    ? (double)test_rng_below(rng, 4)
                                           : test_rng_unit(rng);
    case F_DIFFUSION:
        return bench_diffusion_error(i, j, n) *
                   (1.0 + 0.01 * test_rng_unit(rng));
    case F_SPREAD: /* many levels over a wide range: several digit groups */
        return ldexp(1.0 + test_rng_below(rng, 4), test_rng_below(rng, levels));
    default:
        return test_rng_unit(rng);
    }
}

static void
run_case(unsigned long seed, int max_n)
{
    uint64_t rng = 0x5eed0000u + seed;
    int family = test_rng_below(&rng, F_COUNT);
    int levels = (int[]){2, 3, 5, 8, 16, 64, 256}[test_rng_below(&rng, 7)];
    int big = test_rng_below(&rng, 4) == 0;
    int n = big ? 129 + test_rng_below(&rng, max_n - 128 > 1 ? max_n - 128 : 1)
                : 10 + test_rng_below(&rng, 119);
    int k_graph, k_solver, absent = test_rng_below(&rng, 3) * 10;
    int frontier = test_rng_below(&rng, 3) == 0;
    struct problem p;
    lemica_graph *graph;
    lemica_solver *solver;
    struct reference r;
    char what[160];
    int budgets[3], budget_count = 0, max_budget;

    if (n > max_n)
        n = max_n;
    switch (test_rng_below(&rng, 4)) {
    case 0: k_graph = n - 1; break;
    case 1: k_graph = 1 + test_rng_below(&rng, 4); break;
    default: k_graph = 2 + test_rng_below(&rng, 40); break;
    }
    if (k_graph > n - 1)
        k_graph = n - 1;
    /* Keep the reference affordable: big frontiers with small K. */
    if (frontier && n > 150 && k_graph > 40)
        k_graph = 40;
    k_solver = test_rng_below(&rng, 4) == 0 ? 1 + test_rng_below(&rng, n) : 0;
    problem_new(&p, n, k_solver && k_solver < k_graph ? k_solver : k_graph);
    if (lemica_graph_new(n, k_graph, &graph) != LEMICA_OK ||
        lemica_solver_new(&solver) != LEMICA_OK)
        abort();
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n && j - i <= k_graph; j++) {
            double x;

            if (test_rng_below(&rng, 100) < absent) {
                if (j == i + 1 && test_rng_below(&rng, 4) != 0)
                    continue; /* span-1 edges stay at their default 0 */
                if (j == i + 1)
                    lemica_graph_remove_edge(graph, i, j);
                continue;
            }
            x = draw(&rng, family, levels, i, j, n);
            lemica_graph_set_weight(graph, i, j, x);
            p.w[(size_t)i * (size_t)n + (size_t)j] = x;
        }
    if (family == F_OUTLIERS) {
        int m = (int[]){1, 8, 64}[test_rng_below(&rng, 3)];
        for (int o = 0; o < m; o++) {
            int i = test_rng_below(&rng, n - 1);
            int j = i + 1 + test_rng_below(&rng, k_graph);
            double x = test_rng_below(&rng, 2) ? 0.5 * test_rng_unit(&rng)
                                               : 1.0 + test_rng_unit(&rng);
            if (j >= n)
                continue;
            lemica_graph_set_weight(graph, i, j, x);
            p.w[(size_t)i * (size_t)n + (size_t)j] = x;
        }
    }
    /* The reference reads every edge back (span-1 defaults included). */
    problem_read_graph(&p, graph, k_graph);
    if (test_rng_below(&rng, 4) == 0) {
        int warm = test_rng_below(&rng, 3);
        lemica_solver_require_first_steps(solver, warm);
        for (int i = 0; i < warm && i < n; i++)
            p.required[i] = 1;
    }
    if (test_rng_below(&rng, 4) == 0) {
        int step = test_rng_below(&rng, n);
        lemica_solver_require_step(solver, step);
        p.required[step] = 1;
    }
    lemica_solver_set_comparator(solver, LEMICA_COMPARATOR_LEXMAX);
    lemica_solver_set_max_skip(solver, k_solver);
    lemica_solver_set_head_runs(solver, 1 + test_rng_below(&rng, 4));
    lemica_solver_set_digit_encoding(solver, test_rng_below(&rng, 4) != 0);
    /* Row scan mostly; the blocked one (either kernel) sometimes. */
    lemica_solver_set_blocked_scan_max_steps(test_rng_below(&rng, 5) == 0 ? 128
                                                                          : 0);
    lemica_solver_set_blocked_scan_avx512(test_rng_below(&rng, 2));
    /* Row-lex: vector always, scalar always, or a threshold. */
    {
        int v = test_rng_below(&rng, 4);
        lemica_solver_set_vector_scan_min(v == 0   ? 0
                                          : v == 1 ? 1 << 30
                                                   : 1 + test_rng_below(&rng, 20));
    }
    lemica_solver_set_anchor_stretch(test_rng_below(&rng, 3) == 0
                                         ? 1 + test_rng_below(&rng, 4)
                                         : LEMICA_ANCHOR_STRETCH_DEFAULT);
    {
        /* Anchors from the first layer, from mid-run or by the gate. */
        int v = test_rng_below(&rng, 3);

        lemica_solver_set_anchor_start(v == 0 ? 0 : v == 1 ? 1 << 16 : -1,
                                       v == 1 ? 0 : -1);
    }
    lemica_solver_set_pair_memo_min_steps(test_rng_below(&rng, 2)
                                              ? 0
                                              : LEMICA_PAIR_MEMO_MIN_STEPS);
    {
        int g = test_rng_below(&rng, 4);
        /* default, off, or a small gate around (B + 1) N */
        lemica_solver_set_row_one_max_states(
            g == 0   ? LEMICA_ROW_ONE_MAX_STATES
            : g == 1 ? 0
                     : (size_t)(test_rng_below(&rng, n * n / 2 + 2)));
    }

    snprintf(what, sizeof(what), "%s(%d) n %d kg %d ks %d abs %d %s",
             family_name[family], levels, n, k_graph, k_solver, absent,
             frontier ? "frontier" : "one");
    if (frontier) {
        max_budget = n;
    } else {
        budgets[budget_count++] = n / 4 < 2 ? 2 : n / 4;
        budgets[budget_count++] = 2 + test_rng_below(&rng, n - 1);
        max_budget = budgets[0] > budgets[1] ? budgets[0] : budgets[1];
    }
    reference_solve(&p, max_budget, &r);
    if (frontier) {
        check_frontier(solver, graph, &r, what, seed);
    } else {
        for (int bi = 0; bi < budget_count; bi++)
            check_budget(solver, graph, budgets[bi], &r, what, seed);
    }
    problem_free(&p, &r);
    lemica_graph_free(graph);
    lemica_solver_free(solver);
}

int
main(int argc, char **argv)
{
    unsigned long cases = argc > 1 ? strtoul(argv[1], NULL, 10) : 200;
    unsigned long first = argc > 2 ? strtoul(argv[2], NULL, 10) : 0;
    int max_n = argc > 3 ? atoi(argv[3]) : 300;

    for (unsigned long c = 0; c < cases; c++)
        run_case(first + c, max_n);
    printf("cases %lu solves %lu (infeasible agreed %lu) mismatches %lu\n",
           cases, fuzz_tally.solves, fuzz_tally.infeasible_agree,
           fuzz_tally.mismatches);
    return fuzz_tally.mismatches != 0;
}
