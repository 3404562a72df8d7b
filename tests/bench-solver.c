/* SPDX-License-Identifier: MIT */
/*
 * Solver speed, reported as times and as ratios measured in this run:
 * - the whole frontier of N = 50, K = 49 (every budget, one DP pass),
 *   LEXMAX against the bottleneck-only DP (the MAX comparator);
 * - a grid of weight families x N x K x {one budget, every budget}, each
 *   LEXMAX against MAX on the same graph, and the worst ratio.
 * Timings on a shared machine are noisy: each figure is the median of
 * several repetitions, and LEXMAX and MAX alternate so that both see the
 * same machine state.
 *
 * Arguments:
 *   --full        the whole grid (adds N = 4000 and K = N - 1 at N = 1000,
 *                 O(N^3)): many minutes;
 *   --callgrind   one solve per case, each between callgrind client
 *                 requests that dump its counts under a label (run with
 *                 tests/bench-solver-callgrind.py, which prints the
 *                 instruction table);
 *   --family NAME, --n N, --k K (0 = N - 1), --mode one|every: only the
 *                 matching cases (--n takes any N >= 2, also one outside
 *                 the grid, and runs K = N - 1 at every N it is given).
 */
#define _POSIX_C_SOURCE 200809L
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define BENCH_HAVE_CALLGRIND 1
#endif
#endif

#include "bench-common.h"
#include "bench-families.h"
#include "lemica/lemica.h"
#include "test-rng.h"

/* The weight families of issue 11. Each is a function of the edge, the
 * graph's size and a random stream, the same on every run. */
enum family {
    FAMILY_DISTINCT,
    FAMILY_LEVELS_2,
    FAMILY_LEVELS_3,
    FAMILY_LEVELS_5,
    FAMILY_LEVELS_6,
    FAMILY_LEVELS_8,
    FAMILY_LEVELS_16,
    FAMILY_LEVELS_64,
    FAMILY_LEVELS_256,
    FAMILY_ZEROS,       /* 5 levels, one of them 0 */
    FAMILY_EQUAL,       /* all 1.0 */
    FAMILY_OUTLIERS_1,  /* all 1.0 but m smaller random ones */
    FAMILY_OUTLIERS_8,
    FAMILY_OUTLIERS_64,
    FAMILY_QUANTISED,   /* few-sample profile: k / 8 */
    FAMILY_DIFFUSION,   /* grows with span, larger for early starts */
    FAMILY_DBLMAX,      /* DBL_MAX with probability 1/3, else random */
    FAMILY_COUNT
};

static const char *const family_names[FAMILY_COUNT] = {
    "distinct", "levels-2", "levels-3", "levels-5", "levels-6", "levels-8",
    "levels-16", "levels-64", "levels-256", "zeros-5", "equal", "outliers-1",
    "outliers-8", "outliers-64", "quantised-8", "diffusion", "dblmax"};

static int
family_levels(enum family family)
{
    static const int levels[] = {0, 2, 3, 5, 6, 8, 16, 64, 256};

    return family <= FAMILY_LEVELS_256 ? levels[family] : 0;
}

static lemica_graph *
make_graph(int n, int k, enum family family)
{
    uint64_t rng = 12345u + (uint64_t)family * 7919u + (uint64_t)n;
    int levels = family_levels(family);
    lemica_graph *graph;

    bench_check(lemica_graph_new(n, k, &graph), "graph");
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n && j - i <= k; j++) {
            double u = test_rng_unit(&rng), w;

            if (levels)
                w = (double)(1 + (int)(u * levels));
            else if (family == FAMILY_ZEROS)
                w = (double)(int)(u * 5.0);
            else if (family == FAMILY_EQUAL || family == FAMILY_OUTLIERS_1 ||
                     family == FAMILY_OUTLIERS_8 ||
                     family == FAMILY_OUTLIERS_64)
                w = 1.0;
            else if (family == FAMILY_QUANTISED) {
                /* 8 samples, each flips with the true error: k / 8. */
                double e = bench_diffusion_error(i, j, n);
                int flips = 0;

                for (int sample = 0; sample < 8; sample++)
                    flips += test_rng_unit(&rng) < e;
                w = flips / 8.0;
            } else if (family == FAMILY_DIFFUSION)
                w = bench_diffusion_error(i, j, n) * (1.0 + 0.05 * u) +
                    1e-6 * (j - i);
            else if (family == FAMILY_DBLMAX)
                w = u < 1.0 / 3.0 ? DBL_MAX : test_rng_unit(&rng);
            else
                w = u;
            bench_check(lemica_graph_set_weight(graph, i, j, w), "weight");
        }
    if (family >= FAMILY_OUTLIERS_1 && family <= FAMILY_OUTLIERS_64) {
        int m = family == FAMILY_OUTLIERS_1 ? 1
                : family == FAMILY_OUTLIERS_8 ? 8
                                              : 64;

        for (int o = 0; o < m; o++) {
            int i = test_rng_below(&rng, n - 1);
            int span = 1 + test_rng_below(&rng, k < n - 1 - i ? k : n - 1 - i);

            bench_check(lemica_graph_set_weight(graph, i, i + span,
                                                0.99 * test_rng_unit(&rng)),
                        "outlier");
        }
    }
    return graph;
}

/* Which cases to run. */
struct options {
    int full;
    int callgrind;
    int family; /* -1: all */
    int n;      /* 0: all */
    int k;      /* -1: all; 0: N - 1 */
    int mode;   /* -1: all; 0 one budget, 1 every budget */
};

static void
callgrind_begin(const struct options *options)
{
#ifdef BENCH_HAVE_CALLGRIND
    if (options->callgrind) {
        CALLGRIND_ZERO_STATS;
        CALLGRIND_TOGGLE_COLLECT;
    }
#else
    (void)options;
#endif
}

static void
callgrind_end(const struct options *options, const char *label)
{
#ifdef BENCH_HAVE_CALLGRIND
    if (options->callgrind) {
        CALLGRIND_TOGGLE_COLLECT;
        CALLGRIND_DUMP_STATS_AT(label);
    }
#else
    (void)options;
    (void)label;
#endif
}

/* One solve of the case (one budget, or the frontier). */
static double
run_once(lemica_solver *solver, const lemica_graph *graph, int budget,
         lemica_schedule *schedule)
{
    double start = bench_now_seconds();

    if (budget) {
        bench_check(lemica_solver_solve_into(solver, graph, budget, schedule),
                    "solve");
    } else {
        lemica_frontier *frontier;

        bench_check(lemica_solver_solve_frontier(solver, graph, &frontier),
                    "frontier");
        lemica_frontier_free(frontier);
    }
    return bench_now_seconds() - start;
}

struct result {
    double lexmax, max; /* median seconds */
};

/* LEXMAX and MAX alternately on one graph; @budget 0 = every budget. */
static struct result
bench_case(const struct options *options, const lemica_graph *graph,
           int budget, const char *label)
{
    enum { MAX_REPEATS = 41 };
    double lexmax_times[MAX_REPEATS], max_times[MAX_REPEATS];
    lemica_solver *lexmax, *bottleneck;
    lemica_schedule *schedule;
    struct result result;
    double spent = 0.0;
    int repeats = 0;

    bench_check(lemica_solver_new(&lexmax), "solver");
    bench_check(lemica_solver_new(&bottleneck), "solver");
    bench_check(lemica_solver_set_comparator(bottleneck, LEMICA_COMPARATOR_MAX),
                "max");
    bench_check(lemica_schedule_new_from_steps(2, (const int[]){0, 1}, 2,
                                               &schedule),
                "schedule");
    /* Warm-up: workspaces grown, pages touched. */
    run_once(lexmax, graph, budget, schedule);
    run_once(bottleneck, graph, budget, schedule);
    if (options->callgrind) {
        char name[128];

        snprintf(name, sizeof(name), "lexmax %s", label);
        callgrind_begin(options);
        result.lexmax = run_once(lexmax, graph, budget, schedule);
        callgrind_end(options, name);
        snprintf(name, sizeof(name), "max %s", label);
        callgrind_begin(options);
        result.max = run_once(bottleneck, graph, budget, schedule);
        callgrind_end(options, name);
    } else {
        /* At least 5 repetitions, more while they are short (about 0.3 s
         * in all), always an odd count. */
        while (repeats < MAX_REPEATS &&
               (repeats < 5 || spent < 0.3 || repeats % 2 == 0)) {
            lexmax_times[repeats] = run_once(lexmax, graph, budget, schedule);
            max_times[repeats] = run_once(bottleneck, graph, budget, schedule);
            spent += lexmax_times[repeats] + max_times[repeats];
            repeats++;
        }
        result.lexmax = bench_median(lexmax_times, (size_t)repeats);
        result.max = bench_median(max_times, (size_t)repeats);
    }
    lemica_schedule_free(schedule);
    lemica_solver_free(lexmax);
    lemica_solver_free(bottleneck);
    return result;
}

static void
bench_frontier_50(void)
{
    enum { REPEATS = 2001 };
    static double times[2][REPEATS];
    lemica_graph *graph = make_graph(50, 49, FAMILY_DISTINCT);
    lemica_solver *solver[2];
    double median[2];

    bench_check(lemica_solver_new(&solver[0]), "solver");
    bench_check(lemica_solver_new(&solver[1]), "solver");
    bench_check(lemica_solver_set_comparator(solver[1], LEMICA_COMPARATOR_MAX),
                "max");
    /* Alternating blocks of 10, so both see the same machine state. */
    for (int r = -50; r < REPEATS; r += 10)
        for (int which = 0; which < 2; which++)
            for (int i = r; i < r + 10 && i < REPEATS; i++) {
                lemica_frontier *frontier;
                double start = bench_now_seconds();

                bench_check(lemica_solver_solve_frontier(solver[which], graph,
                                                         &frontier),
                            "frontier");
                lemica_frontier_free(frontier);
                if (i >= 0)
                    times[which][i] = bench_now_seconds() - start;
            }
    median[0] = bench_median(times[0], REPEATS);
    median[1] = bench_median(times[1], REPEATS);
    printf("frontier N=50 K=49 distinct (49 budgets): lexmax median %.1f us "
           "(goal <= 12 us), max %.1f us, ratio %.2fx (goal <= 1.3x)\n",
           median[0] * 1e6, median[1] * 1e6, median[0] / median[1]);
    lemica_solver_free(solver[0]);
    lemica_solver_free(solver[1]);
    lemica_graph_free(graph);
}

static int
parse_family(const char *name)
{
    for (int f = 0; f < FAMILY_COUNT; f++)
        if (strcmp(name, family_names[f]) == 0)
            return f;
    fprintf(stderr, "unknown family %s; families:", name);
    for (int f = 0; f < FAMILY_COUNT; f++)
        fprintf(stderr, " %s", family_names[f]);
    fprintf(stderr, "\n");
    exit(2);
}

static void
parse_options(int argc, char **argv, struct options *options)
{
    options->full = 0;
    options->callgrind = 0;
    options->family = -1;
    options->n = 0;
    options->k = -1;
    options->mode = -1;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;

        if (strcmp(arg, "--full") == 0)
            options->full = 1;
        else if (strcmp(arg, "--callgrind") == 0)
            options->callgrind = 1;
        else if (strcmp(arg, "--family") == 0 && value)
            options->family = parse_family(argv[++i]);
        else if (strcmp(arg, "--n") == 0 && value)
            options->n = atoi(argv[++i]);
        else if (strcmp(arg, "--k") == 0 && value)
            options->k = atoi(argv[++i]);
        else if (strcmp(arg, "--mode") == 0 && value)
            options->mode = strcmp(argv[++i], "every") == 0;
        else {
            fprintf(stderr,
                    "usage: bench-solver [--full] [--callgrind] [--family NAME] "
                    "[--n N] [--k K (0 = N-1)] [--mode one|every]\n");
            exit(2);
        }
    }
}

int
main(int argc, char **argv)
{
    static const int default_sizes[] = {50, 200, 1000, 4000};
    const int *sizes = default_sizes;
    size_t size_count = sizeof(default_sizes) / sizeof(default_sizes[0]);
    struct options options;
    double worst = 0.0;
    char worst_case[160] = "";

    parse_options(argc, argv, &options);
    printf("libLeMiCa %s solver benchmark%s\n", lemica_version_string(),
           options.full ? " (full grid)" : "");
    if (!options.callgrind && options.family < 0 &&
        (options.n == 0 || options.n == 50))
        bench_frontier_50();
    printf("%-12s %5s %5s %5s %11s %11s %7s\n", "family", "N", "K", "B",
           "lexmax ms", "max ms", "ratio");
    if (options.n) {
        /* Any N, not only those of the grid (the growth fits of
         * bench-solver-callgrind.py --growth ask for 250, 500, ...). */
        sizes = &options.n;
        size_count = 1;
    }
    for (size_t si = 0; si < size_count; si++) {
        int n = sizes[si];

        if (options.n ? n != options.n : !options.full && n > 1000)
            continue;
        for (int kk = 0; kk < 2; kk++) {
            int k = kk ? n - 1 : 20;

            if (options.k >= 0 && (options.k ? k != options.k : kk == 0))
                continue;
            for (int mode = 0; mode < 2; mode++) {
                /* K = N - 1 at N = 1000 is O(N^3) (seconds a solve for
                 * the slow families): only in the full grid. */
                int budget = mode ? 0 : n / 4;

                if (options.mode >= 0 && mode != options.mode)
                    continue;
                if (!options.full && options.n == 0 && n >= 1000 && kk)
                    continue;
                for (int f = 0; f < FAMILY_COUNT; f++) {
                    lemica_graph *graph;
                    struct result r;
                    char label[96], budget_text[16];
                    double ratio;

                    if (options.family >= 0 && f != options.family)
                        continue;
                    graph = make_graph(n, k, (enum family)f);
                    snprintf(label, sizeof(label), "%s N=%d K=%d B=%s",
                             family_names[f], n, k, mode ? "every" : "one");
                    r = bench_case(&options, graph, budget, label);
                    lemica_graph_free(graph);
                    ratio = r.lexmax / r.max;
                    snprintf(budget_text, sizeof(budget_text), "%d", budget);
                    printf("%-12s %5d %5d %5s %11.3f %11.3f %6.2fx\n",
                           family_names[f], n, k, mode ? "every" : budget_text,
                           r.lexmax * 1e3, r.max * 1e3, ratio);
                    fflush(stdout);
                    if (ratio > worst) {
                        worst = ratio;
                        snprintf(worst_case, sizeof(worst_case),
                                 "%s N=%d K=%d %s", family_names[f], n, k,
                                 mode ? "every budget" : "one budget");
                    }
                }
            }
        }
    }
    printf("worst lexmax/max wall ratio: %.2fx (%s; goal <= 1.3x)\n", worst,
           worst_case);
    return 0;
}
