/* SPDX-License-Identifier: MIT */
/*
 * A random search (not part of `meson test`) aimed at one common weight
 * with outliers and at the level cut: the blocked scan's dominant-value
 * encoding (collect_dominant(), write_dominant(), rank_levels() in
 * solver-encode.c) and the cut's proof by a path (spread_path_usable()).
 * Graphs of N = 3 .. 142 with one weight on most edges (1.0 or random),
 * up to 300 outliers (below it, levels of it, 0 and DBL_MAX among random
 * ones, or twice and half it), 1 in 40 edges absent (span 1 too), a
 * required step on a quarter of them; one budget on every third budget or
 * so and a frontier on every fourth graph, on the blocked scan and on
 * the row scan, each against the independent DP over full sorted cost
 * vectors (fuzz-reference.c).
 *
 *   fuzz-outliers [cases [first_seed [float_ties]]]
 *
 * float_ties 1 (review15): each outlier's value rounded to a float and
 * raised by 0 .. 3 times 2^-40 of itself (by its index, no draw: the
 * same graphs otherwise), so that several levels round to one float and
 * rank_levels() falls back from floats to doubles (the default values
 * never did: a fallback turned off passed 2000 graphs).
 *
 * Prints graphs, solves and mismatches; exits 1 on any mismatch.
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "fuzz-reference.h"
#include "solver-int.h"
#include "test-rng.h"

int
main(int argc, char **argv)
{
    const unsigned long cases = argc > 1 ? strtoul(argv[1], NULL, 10) : 2000;
    const unsigned long first = argc > 2 ? strtoul(argv[2], NULL, 10) : 1;
    const int float_ties = argc > 3 && atoi(argv[3]) != 0;
    lemica_solver *solver;

    if (lemica_solver_new(&solver) != LEMICA_OK)
        return 2;
    for (unsigned long c = 0; c < cases; c++) {
        const unsigned long seed = first + c * 7919u;
        uint64_t rng = seed;
        const int n = 3 + test_rng_below(&rng, 140);
        const int k = test_rng_below(&rng, 3) == 0
                          ? n - 1
                          : 1 + test_rng_below(&rng, n - 1);
        const double common =
            test_rng_below(&rng, 4) == 0 ? 1.0 : 0.25 + test_rng_unit(&rng);
        const int outliers = test_rng_below(&rng, 300);
        const int kind = test_rng_below(&rng, 4);
        struct problem p;
        struct reference r;
        lemica_graph *graph;

        problem_new(&p, n, k);
        if (lemica_graph_new(n, k, &graph) != LEMICA_OK)
            return 2;
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n && j - i <= k; j++)
                if (test_rng_below(&rng, 40) != 0)
                    p.w[i * n + j] = common;
        for (int o = 0; o < outliers; o++) {
            const int i = test_rng_below(&rng, n - 1);
            const int span =
                1 + test_rng_below(&rng, k < n - 1 - i ? k : n - 1 - i);
            double w;

            switch (kind) {
            case 0:
                w = test_rng_unit(&rng) * common;
                break;
            case 1:
                w = (test_rng_below(&rng, 8) + 1) * common / 9.0;
                break;
            case 2:
                w = test_rng_below(&rng, 5) == 0   ? 0.0
                    : test_rng_below(&rng, 5) == 0 ? DBL_MAX
                                                   : 2.0 * test_rng_unit(&rng);
                break;
            default:
                w = test_rng_below(&rng, 2) ? 2.0 * common : 0.5 * common;
                break;
            }
            if (float_ties && w > 0.0 && w < DBL_MAX)
                w = (double)(float)w * (1.0 + ldexp((double)(o % 4), -40));
            p.w[i * n + i + span] = w;
        }
        /* Span-1 edges exist from the start (weight 0): absent ones are
         * removed. */
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n && j - i <= k; j++)
                if (isnan(p.w[i * n + j]))
                    lemica_graph_remove_edge(graph, i, j);
                else
                    lemica_graph_set_weight(graph, i, j, p.w[i * n + j]);
        lemica_solver_clear_required_steps(solver);
        if (n > 3 && test_rng_below(&rng, 4) == 0) {
            const int step = 1 + test_rng_below(&rng, n - 2);

            p.required[step] = 1;
            lemica_solver_require_step(solver, step);
        }
        reference_solve(&p, n, &r);
        for (int scan = 0; scan < 2; scan++) {
            lemica_solver_set_blocked_scan_max_steps(scan ? 0 : 128);
            for (int b = 2; b <= n; b += 1 + test_rng_below(&rng, 3))
                check_budget(solver, graph, b, &r, scan ? "row" : "blocked",
                             seed);
            if (c % 4 == 0)
                check_frontier(solver, graph, &r,
                               scan ? "row frontier" : "blocked frontier",
                               seed);
        }
        problem_free(&p, &r);
        lemica_graph_free(graph);
    }
    lemica_solver_free(solver);
    printf("graphs %lu solves %lu (infeasible agreed %lu) mismatches %lu\n",
           cases, fuzz_tally.solves, fuzz_tally.infeasible_agree,
           fuzz_tally.mismatches);
    return fuzz_tally.mismatches != 0;
}
