/* SPDX-License-Identifier: MIT */
/*
 * Fuzz of the few-values encoding of the blocked scan (encode_few() in
 * solver-encode.c): on random graphs of at most 12 distinct values the
 * prepared matrix with it on must be bit for bit the level set's (it off,
 * lemica_solver_set_few_values_encoding()), and LEXMAX solves (one budget:
 * N / 4 and a random one; the frontier) must match the DP over sorted
 * vectors (no encoding) and, up to BRUTE_MAX_N steps, the brute-force
 * enumerator with the tie rule. LEMICA_FEW_FUZZ=<graphs> runs a large
 * search (default: a few graphs); LEMICA_FEW_FUZZ_SEED sets the seed;
 * LEMICA_FEW_FUZZ_FRESH=1 makes new solvers for every graph.
 * Mismatches are counted and printed, then fail the test.
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blocked-scan-int.h"
#include "brute-paths.h"
#include "solver-int.h"
#include "test-common.h"

#define FUZZ_MAX_N 128

static struct brute_path fuzz_paths[1u << (BRUTE_MAX_N - 2)];

struct fuzz_counts {
    long graphs, prepares, solves, frontiers, brute, accepted;
    long mismatches;
};

/* A value of the family @kind. */
static double
fuzz_value(uint64_t *rng, int kind, int index)
{
    switch (kind) {
    case 0:
        return (double)(1 + index);
    case 1:
        return 0.25 + test_rng_unit(rng);
    case 2: /* subnormals */
        return 4.9406564584124654e-324 * (double)(1 + index * 3);
    case 3:
        return index == 0 ? DBL_MAX : (double)(1 + index);
    case 4:
        return index == 0 ? DBL_MAX : 4.9406564584124654e-324 * (1 + index);
    default:
        return ldexp(1.0 + index, (int)test_rng_below(rng, 40) - 20);
    }
}

static int
fuzz_steps_equal(const lemica_schedule *a, const lemica_schedule *b)
{
    char ta[4096], tb[4096];

    if (lemica_schedule_format_steps(a, ta, sizeof(ta), NULL) != LEMICA_OK ||
        lemica_schedule_format_steps(b, tb, sizeof(tb), NULL) != LEMICA_OK)
        return 0;
    return strcmp(ta, tb) == 0;
}

static void
fuzz_report(struct fuzz_counts *c, uint64_t seed, int g, const char *what,
            int budget)
{
    c->mismatches++;
    if (c->mismatches <= 20)
        fprintf(stderr, "few fuzz: seed %llu graph %d: %s (budget %d)\n",
                (unsigned long long)seed, g, what, budget);
}

/* Prepares @budget with the few-values encoding on and off and compares
 * the encoded matrices and flags. */
static void
fuzz_prepare(lemica_solver *on, lemica_solver *off, const lemica_graph *graph,
             int budget, int frontier, struct fuzz_counts *c, uint64_t seed,
             int g)
{
    struct lemica_problem pa, pb;
    lemica_status sa, sb;
    const enum lemica_solve_kind kind =
        frontier ? LEMICA_SOLVE_FRONTIER : LEMICA_SOLVE_ONE;

    lemica_solver_set_few_values_encoding(1);
    sa = lemica_solver_prepare(on, graph, budget, kind, &pa);
    lemica_solver_set_few_values_encoding(0);
    sb = lemica_solver_prepare(off, graph, budget, kind, &pb);
    lemica_solver_set_few_values_encoding(1);
    c->prepares++;
    if (sa != sb) {
        fuzz_report(c, seed, g, "prepare status", budget);
        return;
    }
    if (sa != LEMICA_OK)
        return;
    if (pa.blocked != pb.blocked || pa.lexmax_as_sum != pb.lexmax_as_sum ||
        pa.digit_groups != pb.digit_groups) {
        fuzz_report(c, seed, g, "problem flags", budget);
        return;
    }
    if (pa.blocked) {
        const size_t slots = ((size_t)pa.num_steps + 1) *
                             ((size_t)pa.max_skip + LEMICA_BLOCK_PAD);

        if (memcmp(on->work.outgoing.data, off->work.outgoing.data,
                   slots * sizeof(double)) != 0)
            fuzz_report(c, seed, g, "encoded matrix", budget);
        if (pa.lexmax_as_sum && pa.digit_groups == 1)
            c->accepted++;
    }
}

static int
fuzz_matches_brute(const lemica_schedule *s, const struct brute_path *path)
{
    int steps[BRUTE_MAX_N];
    size_t count = 0;

    if (lemica_schedule_steps(s, steps, BRUTE_MAX_N, &count) != LEMICA_OK ||
        (int)count != path->budget)
        return 0;
    for (int i = 0; i < path->budget; i++)
        if (steps[i] != path->steps[i])
            return 0;
    return 1;
}

static void
fuzz_one(uint64_t *rng, uint64_t seed, int g, lemica_solver *fast,
         lemica_solver *off, lemica_solver *plain, struct fuzz_counts *c)
{
    static double weight[FUZZ_MAX_N][FUZZ_MAX_N];
    const int small = test_rng_below(rng, 3) == 0;
    const int n = small ? 5 + test_rng_below(rng, BRUTE_MAX_N - 4)
                        : 5 + test_rng_below(rng, FUZZ_MAX_N - 4);
    const int k_graph = test_rng_below(rng, 3) == 0
                            ? n - 1
                            : 1 + test_rng_below(rng, n - 1);
    const int skip_kind = test_rng_below(rng, 4);
    const int k_solver = skip_kind == 0   ? 0
                         : skip_kind == 1 ? 1 + test_rng_below(rng, 3)
                         : skip_kind == 2 ? n - 1
                                          : 1 + test_rng_below(rng, n - 1);
    const int k_eff = k_solver && k_solver < k_graph ? k_solver : k_graph;
    const int kind = test_rng_below(rng, 6);
    const int place = test_rng_below(rng, 5);
    int count = 1 + test_rng_below(rng, 12);
    double values[12];
    int with_zero = test_rng_below(rng, 2), absent = test_rng_below(rng, 3);
    int budgets[2], nb = 0;
    lemica_graph *graph;
    struct brute_problem p;
    size_t paths = 0;

    /* Levels whose B^levels is near 2^53: B = N / 4 with L levels, L the
     * largest with B^L <= 2^53, or one more. */
    if (test_rng_below(rng, 5) == 0 && n / 4 >= 2) {
        const int b = n / 4;
        int l = 0;
        double room = 1.0;

        while (room * b <= 0x1.0p53) {
            room *= b;
            l++;
        }
        count = l + (int)test_rng_below(rng, 2);
        if (count > 12 - with_zero)
            count = 12 - with_zero;
    }
    for (int v = 0; v < count; v++)
        values[v] = fuzz_value(rng, kind, v);
    if (with_zero && count < 12)
        values[count++] = 0.0;
    ck_assert_ok(lemica_graph_new(n, k_graph, &graph));
    memset(&p, 0, sizeof(p));
    p.n = n;
    p.k_graph = k_graph;
    p.k_solver = k_solver;
    p.k_effective = k_eff;
    for (int i = 0; i < BRUTE_MAX_N; i++)
        for (int j = 0; j < BRUTE_MAX_N; j++)
            p.weight[i][j] = (double)NAN;
    /* Where the values go: 0 anywhere; 1 the first value on most of the
     * first row (dominant); 2 the values after the first come only after
     * half of the matrix; 3 only in the last rows' slots (last partial
     * vectors); 4 the last value once, late. */
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n && j - i <= k_graph; j++) {
            int pick = (int)test_rng_below(rng, (uint64_t)count);
            double w;

            if (place == 1 && i == 0 && test_rng_below(rng, 8) != 0)
                pick = 0;
            if (place == 2 && i < n / 2)
                pick = 0;
            if (place == 3 && i < n - 3)
                pick = test_rng_below(rng, 2) ? 0 : pick % 2;
            if (place == 4 && pick == count - 1 && count > 1)
                pick = 0;
            w = values[pick];
            if (absent && j > i + 1 && test_rng_below(rng, 6) == 0) {
                weight[i][j] = (double)NAN;
                continue;
            }
            if (absent == 2 && test_rng_below(rng, 10) == 0) {
                ck_assert_ok(lemica_graph_remove_edge(graph, i, j));
                weight[i][j] = (double)NAN;
                continue;
            }
            if (test_rng_below(rng, 12) == 0)
                w = -0.0;
            ck_assert_ok(lemica_graph_set_weight(graph, i, j, w));
            weight[i][j] = w;
        }
    if (place == 4 && count > 1 && n > 3) {
        const int i = n / 2 + test_rng_below(rng, n - 1 - n / 2);
        const int last = i + (k_graph < n - 1 - i ? k_graph : n - 1 - i);

        ck_assert_ok(lemica_graph_set_weight(graph, i, last, values[count - 1]));
        weight[i][last] = values[count - 1];
    }
    if (n <= BRUTE_MAX_N)
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                p.weight[i][j] = j > i && j - i <= k_graph ? weight[i][j]
                                                           : (double)NAN;
    for (int s = 0; s < 3; s++) {
        lemica_solver *solver = s == 0 ? fast : s == 1 ? off : plain;

        lemica_solver_clear_required_steps(solver);
        ck_assert_ok(lemica_solver_set_max_skip(solver, k_solver));
    }
    if (test_rng_below(rng, 4) == 0) {
        const int step = test_rng_below(rng, n);

        for (int s = 0; s < 3; s++)
            ck_assert_ok(lemica_solver_require_step(
                s == 0 ? fast : s == 1 ? off : plain, step));
        p.required[step < BRUTE_MAX_N ? step : 0] |= step < BRUTE_MAX_N;
    }
    lemica_solver_set_blocked_scan_avx512(test_rng_below(rng, 2));
    lemica_solver_set_blocked_scan_max_steps(128);
    budgets[nb++] = n / 4 >= 2 ? n / 4 : 2;
    budgets[nb++] = 2 + test_rng_below(rng, n - 1);
    if (n <= BRUTE_MAX_N)
        paths = brute_enumerate(&p, 0, fuzz_paths);
    c->graphs++;
    for (int b = 0; b < nb; b++) {
        lemica_schedule *sa = NULL, *sb = NULL, *sc = NULL;
        lemica_status ra, rb, rc;

        fuzz_prepare(fast, off, graph, budgets[b], 0, c, seed, g);
        lemica_solver_set_few_values_encoding(1);
        ra = lemica_solver_solve(fast, graph, budgets[b], &sa);
        lemica_solver_set_few_values_encoding(0);
        rb = lemica_solver_solve(off, graph, budgets[b], &sb);
        lemica_solver_set_few_values_encoding(1);
        rc = lemica_solver_solve(plain, graph, budgets[b], &sc);
        c->solves += 3;
        if (ra != rb || ra != rc)
            fuzz_report(c, seed, g, "solve status", budgets[b]);
        else if (ra == LEMICA_OK &&
                 (!fuzz_steps_equal(sa, sb) || !fuzz_steps_equal(sa, sc)))
            fuzz_report(c, seed, g, "solve steps", budgets[b]);
        if (n <= BRUTE_MAX_N) {
            const struct brute_path *best = brute_best(
                fuzz_paths, paths, LEMICA_COMPARATOR_LEXMAX, budgets[b]);

            c->brute++;
            if ((best != NULL) != (ra == LEMICA_OK) ||
                (best && !fuzz_matches_brute(sa, best)))
                fuzz_report(c, seed, g, "brute force", budgets[b]);
        }
        lemica_schedule_free(sa);
        lemica_schedule_free(sb);
        lemica_schedule_free(sc);
    }
    {
        lemica_frontier *fa = NULL, *fc = NULL;
        lemica_status ra, rc;

        fuzz_prepare(fast, off, graph, n, 1, c, seed, g);
        ra = lemica_solver_solve_frontier(fast, graph, &fa);
        rc = lemica_solver_solve_frontier(plain, graph, &fc);
        c->frontiers++;
        if (ra != rc ||
            (ra == LEMICA_OK &&
             lemica_frontier_count(fa) != lemica_frontier_count(fc))) {
            fuzz_report(c, seed, g, "frontier", n);
        } else if (ra == LEMICA_OK) {
            for (size_t i = 0; i < lemica_frontier_count(fa); i++) {
                const lemica_schedule *a, *b;

                ck_assert_ok(lemica_frontier_get(fa, i, &a));
                ck_assert_ok(lemica_frontier_get(fc, i, &b));
                if (!fuzz_steps_equal(a, b)) {
                    fuzz_report(c, seed, g, "frontier steps", n);
                    break;
                }
                if (n <= BRUTE_MAX_N) {
                    size_t computed = 0;
                    const struct brute_path *best;
                    int budget;

                    ck_assert_ok(lemica_schedule_steps(a, NULL, 0, &computed));
                    budget = (int)computed;
                    best = brute_best(fuzz_paths, paths,
                                      LEMICA_COMPARATOR_LEXMAX, budget);

                    c->brute++;
                    if (!best || !fuzz_matches_brute(a, best)) {
                        fuzz_report(c, seed, g, "frontier brute", budget);
                        break;
                    }
                }
            }
        }
        lemica_frontier_free(fa);
        lemica_frontier_free(fc);
    }
    lemica_graph_free(graph);
}

START_TEST(test_few_values_fuzz)
{
    const char *env = getenv("LEMICA_FEW_FUZZ");
    const char *seed_env = getenv("LEMICA_FEW_FUZZ_SEED");
    const int graphs = env ? atoi(env) : 12;
    const uint64_t seed = seed_env ? strtoull(seed_env, NULL, 10) : 1212u;
    uint64_t rng = seed;
    struct fuzz_counts c;
    lemica_solver *fast, *off, *plain;

    memset(&c, 0, sizeof(c));
    ck_assert_ok(lemica_solver_new(&fast));
    ck_assert_ok(lemica_solver_new(&off));
    ck_assert_ok(lemica_solver_new(&plain));
    lemica_solver_set_digit_encoding(plain, 0);
    for (int g = 0; g < graphs; g++) {
        /* LEMICA_FEW_FUZZ_FRESH: new solvers for each graph, so that their
         * matrices end where the problem's does (for ASan, valgrind). */
        if (g > 0 && getenv("LEMICA_FEW_FUZZ_FRESH")) {
            lemica_solver_free(fast);
            lemica_solver_free(off);
            lemica_solver_free(plain);
            ck_assert_ok(lemica_solver_new(&fast));
            ck_assert_ok(lemica_solver_new(&off));
            ck_assert_ok(lemica_solver_new(&plain));
            lemica_solver_set_digit_encoding(plain, 0);
        }
        fuzz_one(&rng, seed, g, fast, off, plain, &c);
    }
    if (env)
        fprintf(stderr,
                "few fuzz: seed %llu: %ld graphs, %ld prepares (%ld encoded "
                "by encode_few or the one-group set), %ld solves, %ld "
                "frontiers, %ld brute checks, %ld mismatches\n",
                (unsigned long long)seed, c.graphs, c.prepares, c.accepted,
                c.solves, c.frontiers, c.brute, c.mismatches);
    lemica_solver_set_few_values_encoding(1);
    lemica_solver_set_blocked_scan_avx512(1);
    lemica_solver_free(fast);
    lemica_solver_free(off);
    lemica_solver_free(plain);
    ck_assert_int_eq(c.mismatches, 0);
}
END_TEST

TEST_SUITE(few_fuzz)
{
    add_test(suite, test_few_values_fuzz);
}
