/* SPDX-License-Identifier: MIT */
/*
 * Solver speed, reported as times and as ratios measured in this run:
 * - the whole frontier of N = 50, K = 49 (every budget, one DP pass);
 * - one budget of N = 1000, K = 999 for three kinds of weights, LEXMAX
 *   against the bottleneck-only DP (the MAX comparator) over the same
 *   states.
 * Timings on a shared machine are noisy: each figure is the median of
 * several repetitions, and LEXMAX and MAX alternate so that both see the
 * same machine state.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench-common.h"
#include "lemica/lemica.h"
#include "test-rng.h"

/* The inputs: the same on every run. */
static uint64_t rng_state = 12345;

enum weights { DISTINCT, FIVE_LEVELS, ALL_EQUAL };
static const char *const weight_names[] = {"distinct random", "5-level ties",
                                           "all equal"};

static lemica_graph *
make_graph(int n, int k, enum weights kind)
{
    lemica_graph *graph;

    bench_check(lemica_graph_new(n, k, &graph), "graph");
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n && j - i <= k; j++) {
            double w;
            switch (kind) {
            case DISTINCT:
                w = test_rng_unit(&rng_state);
                break;
            case FIVE_LEVELS:
                w = (double)(1 + (int)(test_rng_unit(&rng_state) * 5.0));
                break;
            default:
                w = 1.0;
                break;
            }
            bench_check(lemica_graph_set_weight(graph, i, j, w), "weight");
        }
    return graph;
}

static void
bench_frontier_50(void)
{
    enum { REPEATS = 2000 };
    static double times[REPEATS];
    lemica_graph *graph = make_graph(50, 49, DISTINCT);
    lemica_solver *solver;

    bench_check(lemica_solver_new(&solver), "solver");
    for (int comparator = 0; comparator < 3; comparator++) {
        bench_check(
            lemica_solver_set_comparator(solver, (lemica_comparator)comparator),
            "comparator");
        for (int r = -50; r < REPEATS; r++) {
            lemica_frontier *frontier;
            double start = bench_now_seconds();

            bench_check(lemica_solver_solve_frontier(solver, graph, &frontier),
                        "frontier");
            lemica_frontier_free(frontier);
            if (r >= 0)
                times[r] = bench_now_seconds() - start;
        }
        printf("frontier N=50 K=49 (49 budgets), %-6s: median %.1f us (goal <= "
               "20 us)\n",
               comparator == 0   ? "lexmax"
               : comparator == 1 ? "sum"
                                 : "max",
               bench_median(times, REPEATS) * 1e6);
    }
    lemica_solver_free(solver);
    lemica_graph_free(graph);
}

static void
bench_large(int n, int budget, enum weights kind)
{
    enum { REPEATS = 7 };
    double lexmax_times[REPEATS], max_times[REPEATS];
    lemica_graph *graph = make_graph(n, n - 1, kind);
    lemica_solver *lexmax, *bottleneck;
    lemica_schedule *a, *b;
    double lexmax_median, max_median;

    bench_check(lemica_solver_new(&lexmax), "solver");
    bench_check(lemica_solver_new(&bottleneck), "solver");
    bench_check(lemica_solver_set_comparator(bottleneck, LEMICA_COMPARATOR_MAX),
                "max");
    bench_check(lemica_solver_solve(lexmax, graph, budget, &a), "warm-up");
    bench_check(lemica_solver_solve(bottleneck, graph, budget, &b), "warm-up");
    for (int r = 0; r < REPEATS; r++) {
        double start = bench_now_seconds();
        bench_check(lemica_solver_solve_into(lexmax, graph, budget, a),
                    "lexmax");
        lexmax_times[r] = bench_now_seconds() - start;
        start = bench_now_seconds();
        bench_check(lemica_solver_solve_into(bottleneck, graph, budget, b),
                    "max");
        max_times[r] = bench_now_seconds() - start;
    }
    lexmax_median = bench_median(lexmax_times, REPEATS);
    max_median = bench_median(max_times, REPEATS);
    printf("N=%d K=%d B=%d %-15s: lexmax %7.2f ms, bottleneck %7.2f ms, "
           "ratio %.2fx (goal <= 50 ms, <= 1.3x)\n",
           n, n - 1, budget, weight_names[kind], lexmax_median * 1e3,
           max_median * 1e3, lexmax_median / max_median);
    lemica_schedule_free(a);
    lemica_schedule_free(b);
    lemica_solver_free(lexmax);
    lemica_solver_free(bottleneck);
    lemica_graph_free(graph);
}

int
main(int argc, char **argv)
{
    int budgets[] = {100, 250};

    (void)argc;
    (void)argv;
    printf("libLeMiCa %s solver benchmark\n", lemica_version_string());
    bench_frontier_50();
    for (size_t b = 0; b < sizeof(budgets) / sizeof(budgets[0]); b++)
        for (int kind = DISTINCT; kind <= ALL_EQUAL; kind++)
            bench_large(1000, budgets[b], (enum weights)kind);
    return 0;
}
