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
#include <time.h>

#include "lemica/lemica.h"

static double
now_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int
compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double
median(double *values, size_t count)
{
    qsort(values, count, sizeof(double), compare_doubles);
    return values[count / 2];
}

static uint64_t rng_state = 12345;

static double
random_unit(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    return (double)(z >> 11) * 0x1.0p-53;
}

static void
check(lemica_status status, const char *what)
{
    if (status != LEMICA_OK) {
        fprintf(stderr, "%s: %s: %s\n", what, lemica_status_name(status),
                lemica_last_error_message());
        exit(1);
    }
}

enum weights { DISTINCT, FIVE_LEVELS, ALL_EQUAL };
static const char *const weight_names[] = {"distinct random", "5-level ties",
                                           "all equal"};

static lemica_graph *
make_graph(int n, int k, enum weights kind)
{
    lemica_graph *graph;

    check(lemica_graph_new(n, k, &graph), "graph");
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n && j - i <= k; j++) {
            double w;
            switch (kind) {
            case DISTINCT:
                w = random_unit();
                break;
            case FIVE_LEVELS:
                w = (double)(1 + (int)(random_unit() * 5.0));
                break;
            default:
                w = 1.0;
                break;
            }
            check(lemica_graph_set_weight(graph, i, j, w), "weight");
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

    check(lemica_solver_new(&solver), "solver");
    for (int comparator = 0; comparator < 3; comparator++) {
        check(lemica_solver_set_comparator(solver, (lemica_comparator)comparator),
              "comparator");
        for (int r = -50; r < REPEATS; r++) {
            lemica_frontier *frontier;
            double start = now_seconds();

            check(lemica_solver_solve_frontier(solver, graph, &frontier), "frontier");
            lemica_frontier_free(frontier);
            if (r >= 0)
                times[r] = now_seconds() - start;
        }
        printf("frontier N=50 K=49 (49 budgets), %-6s: median %.1f us (goal <= 20 us)\n",
               comparator == 0 ? "lexmax" : comparator == 1 ? "sum" : "max",
               median(times, REPEATS) * 1e6);
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

    check(lemica_solver_new(&lexmax), "solver");
    check(lemica_solver_new(&bottleneck), "solver");
    check(lemica_solver_set_comparator(bottleneck, LEMICA_COMPARATOR_MAX), "max");
    check(lemica_solver_solve(lexmax, graph, budget, &a), "warm-up");
    check(lemica_solver_solve(bottleneck, graph, budget, &b), "warm-up");
    for (int r = 0; r < REPEATS; r++) {
        double start = now_seconds();
        check(lemica_solver_solve_into(lexmax, graph, budget, a), "lexmax");
        lexmax_times[r] = now_seconds() - start;
        start = now_seconds();
        check(lemica_solver_solve_into(bottleneck, graph, budget, b), "max");
        max_times[r] = now_seconds() - start;
    }
    lexmax_median = median(lexmax_times, REPEATS);
    max_median = median(max_times, REPEATS);
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
