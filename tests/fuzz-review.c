/* SPDX-License-Identifier: MIT */
/*
 * A random search (not part of `meson test`) aimed at four changes of the
 * eighth session, each against the independent sorted-vector reference
 * (fuzz-reference.c):
 *
 *   mode 0 "cut": one-budget LEXMAX on graphs of 12 .. 40 levels, more than
 *     B^L <= 2^53 holds, so the level cut runs (spread_path_usable(),
 *     reachable_below() in solver-encode.c): low levels on short spans
 *     (error growing with the span) or at random, required steps, absent
 *     edges, K from 1 to N - 1, budgets 2 .. N, N 60 .. 400;
 *   mode 1 "dblmax": DBL_MAX on 1/4 .. 2/3 of the edges, the rest few
 *     levels, zeros or random (compare_below_top(), WALK_BELOW_TOP):
 *     frontiers and one budget, both scans;
 *   mode 2 "diffusion": diffusion-like weights rounded to few bits (ties)
 *     at N 130 .. 400 on the row scan with anchors from the first layer,
 *     mid-run or by the gate (the anchor shortcut of compare_exact_with());
 *   mode 3 "blocked": N <= 128 on the blocked scan, tie-heavy weights,
 *     frontiers (the vblendvpd selects of solver-blocked-scan.c);
 *   mode 4 "dblrun" (review15): the thirteenth pass's DBL_MAX ties on the
 *     row scan (lexmax_top_ties(), top_copies, top_runs and pair_walk()'s
 *     run skips): frontiers on the row scan only, no digit encoding and no
 *     level counts (either would take the problem away from it), every
 *     edge that enters or jumps a "wall" step DBL_MAX (each path holds one
 *     copy a wall it crosses alone, fewer where one edge crosses two), a
 *     few more at random, the rest few levels (ties, so that paths a layer
 *     apart share long runs and compare_below_top() walks them).
 *
 * Each case runs 1 .. 3 graphs in turn on one solver.
 *
 *   fuzz-review [cases [first_seed [mode]]]   (mode -1: modes 0 .. 3 in
 *   turn, as before mode 4 was added, so old seeds replay the same)
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
#include "bench-families.h" /* bench_diffusion_error() */
#include "test-rng.h"

static unsigned long graphs;
static const char *mode_name[] = {"cut", "dblmax", "diffusion", "blocked",
                                  "dblrun"};

/* Mode 4's walls, at most WALLS of them. */
#define WALLS 6

struct shape {
    int mode, n, k_graph, k_solver, absent, frontier, levels, style, span;
    int walls, wall[WALLS];
};

/* A weight of edge (i, j). */
static double
draw(uint64_t *rng, const struct shape *sh, int i, int j)
{
    const int n = sh->n;

    switch (sh->mode) {
    case 0: {
        /* Levels: by span (short spans low) with noise, or random with
         * the low ones rarer or commoner; 0 sometimes. */
        int l;

        if (sh->style == 0) {
            double e = bench_diffusion_error(i, j, n);
            l = (int)(e * (sh->levels - 1)) + test_rng_below(rng, 3) - 1;
        } else if (sh->style == 1) {
            l = test_rng_below(rng, sh->levels);
        } else if (sh->style >= 3) {
            /* Low edges, but those into the last step high except the
             * one of span sh->span (3: often no low path of the budget
             * then, though one low edge ends there), or over a wall at
             * step N / 3 high but for 1 in 8 (4): the spread path's end
             * (or middle) decides. */
            int high = sh->style == 3 ? j == n - 1 && j - i != sh->span
                                      : i < n / 3 && j >= n / 3 &&
                                            test_rng_below(rng, 8);

            /* Many levels either side, so that they do not all fit one
             * group and the cut runs. */
            l = high ? sh->levels / 2 + test_rng_below(rng, sh->levels / 2)
                     : test_rng_below(rng, 1 + sh->levels / 4);
        } else {
            /* Mostly high, a few low edges: the cut often fails */
            l = test_rng_below(rng, 6) ? sh->levels - 1 -
                                             test_rng_below(rng, 4)
                                       : test_rng_below(rng, sh->levels);
        }
        if (l < 0)
            l = 0;
        if (l >= sh->levels)
            l = sh->levels - 1;
        if (l == 0 && sh->style != 1)
            return 0.0;
        return ldexp(1.0 + (l % 3) * 0.25, l / 3) + (double)l * 1e-3;
    }
    case 1: {
        /* DBL_MAX on about 1/4 .. 2/3 of the edges (sh->style in 25 .. 67) */
        if (test_rng_below(rng, 100) < sh->style)
            return DBL_MAX;
        switch (sh->levels) {
        case 0: return 0.0;
        case 1: return (double)test_rng_below(rng, 3);
        case 2: return test_rng_unit(rng);
        default: return ldexp(1.0, test_rng_below(rng, 8)) *
                        (test_rng_below(rng, 2) ? 1.0 : 0.0);
        }
    }
    case 2: {
        double e = bench_diffusion_error(i, j, n) *
                       (1.0 + 0.01 * test_rng_unit(rng));
        double q = ldexp(1.0, sh->levels); /* levels: bits kept, 3 .. 12 */

        return floor(e * q) / q;
    }
    case 4:
        /* Edges into or over a wall step: DBL_MAX; sh->style percent of
         * the others too; the rest of sh->levels values (0 among them). */
        for (int w = 0; w < sh->walls; w++)
            if (i < sh->wall[w] && j >= sh->wall[w])
                return DBL_MAX;
        if (test_rng_below(rng, 100) < sh->style)
            return DBL_MAX;
        return (double)test_rng_below(rng, sh->levels) * 0.5;
    default:
        switch (sh->style) {
        case 0: return (double)test_rng_below(rng, sh->levels);
        case 1: return test_rng_below(rng, 4) ? 1.0 : test_rng_unit(rng);
        case 2: return test_rng_below(rng, 3) ? DBL_MAX
                                              : (double)test_rng_below(rng, 3);
        default: {
            double e = bench_diffusion_error(i, j, n);
            return floor(e * 16.0) / 16.0;
        }
        }
    }
}

static void
solve_one_graph(lemica_solver *solver, uint64_t *rng, unsigned long seed,
                int mode, int g)
{
    struct shape sh = {0};
    struct problem p;
    lemica_graph *graph;
    struct reference r;
    char what[200];
    int budgets[4], budget_count = 0, max_budget = 2;
    int n, k;

    sh.mode = mode;
    sh.absent = test_rng_below(rng, 3) * 8;
    switch (mode) {
    case 0:
        n = 60 + test_rng_below(rng, 341);
        sh.levels = 12 + test_rng_below(rng, 29);
        sh.style = test_rng_below(rng, 5);
        switch (test_rng_below(rng, 4)) {
        case 0: k = n - 1; break;
        case 1: k = 1 + test_rng_below(rng, 4); break;
        case 2: k = 1 + test_rng_below(rng, n - 1); break;
        default: k = 2 + test_rng_below(rng, 60); break;
        }
        sh.frontier = 0;
        break;
    case 1:
        n = test_rng_below(rng, 3) ? 10 + test_rng_below(rng, 120)
                                   : 129 + test_rng_below(rng, 130);
        sh.style = 25 + test_rng_below(rng, 43);
        sh.levels = test_rng_below(rng, 4);
        k = test_rng_below(rng, 3) ? 2 + test_rng_below(rng, 40) : n - 1;
        sh.frontier = test_rng_below(rng, 2);
        break;
    case 2:
        n = 130 + test_rng_below(rng, 271);
        sh.levels = 3 + test_rng_below(rng, 10);
        k = test_rng_below(rng, 4) ? 2 + test_rng_below(rng, 30)
                                   : 2 + test_rng_below(rng, n - 2);
        sh.frontier = test_rng_below(rng, 3) == 0;
        break;
    case 4:
        n = 20 + test_rng_below(rng, 181);
        k = test_rng_below(rng, 4) ? 2 + test_rng_below(rng, 12)
                                   : 2 + test_rng_below(rng, 23);
        sh.style = (int[]){0, 0, 2, 10}[test_rng_below(rng, 4)];
        sh.levels = 1 + test_rng_below(rng, 3);
        sh.walls = 1 + test_rng_below(rng, WALLS);
        for (int w = 0; w < sh.walls; w++)
            sh.wall[w] = 1 + test_rng_below(rng, n - 1);
        sh.frontier = 1;
        break;
    default:
        n = test_rng_below(rng, 2) ? 60 + test_rng_below(rng, 10)
                                   : 2 + test_rng_below(rng, 127);
        if (test_rng_below(rng, 4) == 0)
            n = (int[]){63, 64, 65, 127, 128}[test_rng_below(rng, 5)];
        sh.style = test_rng_below(rng, 4);
        sh.levels = 1 + test_rng_below(rng, 6);
        k = test_rng_below(rng, 2) ? n - 1 : 1 + test_rng_below(rng, n - 1);
        sh.frontier = test_rng_below(rng, 3) != 0;
        break;
    }
    if (k > n - 1)
        k = n - 1;
    if (k < 1)
        k = 1;
    sh.span = 1 + test_rng_below(rng, k);
    /* The reference is about B^2 N K: big frontiers with small K. */
    if (sh.frontier && n > 150 && k > 24)
        k = 24;
    sh.n = n;
    sh.k_graph = k;
    sh.k_solver = test_rng_below(rng, 5) == 0 ? 1 + test_rng_below(rng, n) : 0;
    problem_new(&p, n, sh.k_solver && sh.k_solver < k ? sh.k_solver : k);
    if (lemica_graph_new(n, k, &graph) != LEMICA_OK)
        abort();
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n && j - i <= k; j++) {
            if (test_rng_below(rng, 100) < sh.absent) {
                if (j == i + 1 && test_rng_below(rng, 4) != 0)
                    continue; /* span-1 edges keep their default 0 */
                if (j == i + 1)
                    lemica_graph_remove_edge(graph, i, j);
                continue;
            }
            lemica_graph_set_weight(graph, i, j, draw(rng, &sh, i, j));
        }
    problem_read_graph(&p, graph, k);
    lemica_solver_clear_required_steps(solver);
    if (test_rng_below(rng, 3) == 0) {
        /* Past N the solver refuses (a required step outside the graph):
         * not what is searched here. */
        int warm = test_rng_below(rng, 4) % (n + 1);
        lemica_solver_require_first_steps(solver, warm);
        for (int i = 0; i < warm && i < n; i++)
            p.required[i] = 1;
    }
    for (int q = test_rng_below(rng, 4) == 0 ? 1 + test_rng_below(rng, 2) : 0;
         q > 0; q--) {
        int step = test_rng_below(rng, n);
        lemica_solver_require_step(solver, step);
        p.required[step] = 1;
    }
    lemica_solver_set_comparator(solver, LEMICA_COMPARATOR_LEXMAX);
    lemica_solver_set_max_skip(solver, sh.k_solver);
    lemica_solver_set_head_runs(solver, 1 + test_rng_below(rng, 4));
    lemica_solver_set_digit_encoding(solver,
                                     mode == 0   ? test_rng_below(rng, 8) != 0
                                     : mode == 4 ? 0
                                                 : test_rng_below(rng, 4) == 0);
    lemica_solver_set_few_values_encoding(mode == 0 || test_rng_below(rng, 2));
    lemica_solver_set_level_counts(mode == 0   ? test_rng_below(rng, 2)
                                   : mode == 4 ? 0
                                               : test_rng_below(rng, 4) == 0);
    {
        int b = test_rng_below(rng, 3);
        /* mode 3: the blocked scan; else row, blocked up to N, default */
        lemica_solver_set_blocked_scan_max_steps(
            mode == 3 ? (test_rng_below(rng, 4) ? 1 << 20 : 128)
            : mode == 2 || mode == 4 ? 0
            : b == 0    ? 0
            : b == 1    ? 1 << 20
                        : 128);
    }
    lemica_solver_set_blocked_scan_avx512(test_rng_below(rng, 2));
    {
        int v = test_rng_below(rng, 4);
        lemica_solver_set_vector_scan_min(v == 0   ? 0
                                          : v == 1 ? 1 << 30
                                                   : 1 + test_rng_below(rng, 20));
    }
    lemica_solver_set_anchor_stretch(test_rng_below(rng, 3) == 0
                                         ? 1 + test_rng_below(rng, 6)
                                         : LEMICA_ANCHOR_STRETCH_DEFAULT);
    {
        int v = test_rng_below(rng, 3);

        lemica_solver_set_anchor_start(v == 0 ? 0 : v == 1 ? 1 << 16 : -1,
                                       v == 1 ? 0 : -1);
    }
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
             "graph %d %s style %d lv %d n %d kg %d ks %d abs %d %s", g,
             mode_name[mode], sh.style, sh.levels, n, k, sh.k_solver,
             sh.absent, sh.frontier ? "frontier" : "one");
    if (sh.frontier) {
        max_budget = n;
    } else {
        /* Keep B^2 N K near 2^33 at most; 2 and N at times. */
        int cap = (int)sqrt(8.0e9 / ((double)n * (double)p.k));

        if (cap < 2)
            cap = 2;
        budgets[budget_count++] = 2;
        budgets[budget_count++] = 2 + test_rng_below(rng, n - 1);
        budgets[budget_count++] = n / (2 + test_rng_below(rng, 6));
        if (n <= cap)
            budgets[budget_count++] = n - test_rng_below(rng, 3);
        for (int b = 0; b < budget_count; b++) {
            if (budgets[b] > cap)
                budgets[b] = 2 + test_rng_below(rng, cap - 1);
            if (budgets[b] < 2)
                budgets[b] = 2;
            if (budgets[b] > max_budget)
                max_budget = budgets[b];
        }
    }
    reference_solve(&p, max_budget, &r);
    graphs++;
    if (sh.frontier)
        check_frontier(solver, graph, &r, what, seed);
    else
        for (int b = 0; b < budget_count; b++)
            check_budget(solver, graph, budgets[b], &r, what, seed);
    problem_free(&p, &r);
    lemica_graph_free(graph);
}

static void
run_case(unsigned long seed, int mode)
{
    uint64_t rng = 0x7e01e14000ull + seed;
    lemica_solver *solver;
    int count = 1 + test_rng_below(&rng, 3);

    if (lemica_solver_new(&solver) != LEMICA_OK)
        abort();
    for (int g = 0; g < count; g++)
        solve_one_graph(solver, &rng, seed, mode, g);
    lemica_solver_free(solver);
}

int
main(int argc, char **argv)
{
    unsigned long cases = argc > 1 ? strtoul(argv[1], NULL, 10) : 100;
    unsigned long first = argc > 2 ? strtoul(argv[2], NULL, 10) : 0;
    int mode = argc > 3 ? atoi(argv[3]) : -1;

    for (unsigned long c = 0; c < cases; c++) {
        run_case(first + c, mode >= 0 ? mode : (int)((first + c) % 4));
        if ((c + 1) % 500 == 0) {
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
