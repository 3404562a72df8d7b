/* SPDX-License-Identifier: MIT */
/* The reference of the fuzz searches: see fuzz-reference.h. */
#include "fuzz-reference.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Is the merge of sorted-desc @a (length @len) with @x below (-1), equal
 * (0) or above (1) sorted-desc @b (length len + 1)? */
static int
compare_merged(const double *a, int len, double x, const double *b)
{
    int ia = 0, used = 0;

    for (int i = 0; i <= len; i++) {
        double v;

        if (!used && (ia == len || x >= a[ia])) {
            v = x;
            used = 1;
        } else {
            v = a[ia++];
        }
        if (v != b[i])
            return v < b[i] ? -1 : 1;
    }
    return 0;
}

static void
merge_into(const double *a, int len, double x, double *out)
{
    int ia = 0, used = 0;

    for (int i = 0; i <= len; i++) {
        if (!used && (ia == len || x >= a[ia])) {
            out[i] = x;
            used = 1;
        } else {
            out[i] = a[ia++];
        }
    }
}

void
problem_new(struct problem *p, int n, int k)
{
    p->n = n;
    p->k = k;
    p->w = malloc(sizeof(double) * (size_t)n * (size_t)n);
    p->required = calloc((size_t)n, 1);
    if (!p->w || !p->required)
        abort();
    for (size_t s = 0; s < (size_t)n * (size_t)n; s++)
        p->w[s] = (double)NAN;
}

void
problem_read_graph(struct problem *p, const lemica_graph *graph, int k_graph)
{
    int n = p->n;

    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n && j - i <= k_graph; j++) {
            double x;

            p->w[(size_t)i * (size_t)n + (size_t)j] =
                lemica_graph_get_weight(graph, i, j, &x) == LEMICA_OK
                    ? x
                    : (double)NAN;
        }
}

void
problem_free(struct problem *p, struct reference *r)
{
    free(r->pred);
    free(p->w);
    free(p->required);
}

void
reference_solve(const struct problem *p, int max_steps, struct reference *r)
{
    int n = p->n;
    double *prev = malloc(sizeof(double) * (size_t)n * (size_t)n);
    double *cur = malloc(sizeof(double) * (size_t)n * (size_t)n);
    int *first_req_after = malloc(sizeof(int) * (size_t)(n + 1));

    r->n = n;
    r->pred = malloc(sizeof(int) * (size_t)n * (size_t)n);
    for (size_t s = 0; s < (size_t)n * (size_t)n; s++)
        r->pred[s] = -1;
    /* first required step > i */
    first_req_after[n] = n;
    for (int i = n - 1; i >= 0; i--)
        first_req_after[i] = i + 1 < n && p->required[i + 1]
                                 ? i + 1
                                 : (i + 1 < n ? first_req_after[i + 1] : n);
    r->pred[0] = -2; /* (c = 0, j = 0) */
    for (int c = 1; c < max_steps && c < n; c++) {
        /* cur row j: vector of length c at cur + j * n */
        for (int j = 1; j < n; j++) {
            int best = -1;
            double *bv = cur + (size_t)j * (size_t)n;

            for (int i = j - p->k < 0 ? 0 : j - p->k; i < j; i++) {
                double x = p->w[(size_t)i * (size_t)n + (size_t)j];

                if (r->pred[(size_t)(c - 1) * (size_t)n + (size_t)i] == -1 ||
                    isnan(x) || first_req_after[i] < j)
                    continue;
                if (best < 0 ||
                    compare_merged(prev + (size_t)i * (size_t)n, c - 1, x,
                                   bv) < 0) {
                    best = i;
                    merge_into(prev + (size_t)i * (size_t)n, c - 1, x, bv);
                }
            }
            r->pred[(size_t)c * (size_t)n + (size_t)j] = best;
        }
        double *t = prev;
        prev = cur;
        cur = t;
    }
    free(prev);
    free(cur);
    free(first_req_after);
}

/* The reference's steps for @budget into @steps; 0 when infeasible. */
static int
reference_path(const struct reference *r, int budget, int *steps)
{
    int n = r->n, j = n - 1;

    if (budget < 2 || budget > n)
        return 0;
    for (int c = budget - 1; c >= 0; c--) {
        int pred = r->pred[(size_t)c * (size_t)n + (size_t)j];

        if (pred == -1)
            return 0;
        steps[c] = j;
        if (c > 0)
            j = pred;
    }
    return steps[0] == 0;
}

struct fuzz_tally fuzz_tally;

static void
report(const char *what, unsigned long seed, int budget, const int *want,
       const int *got, size_t count)
{
    fuzz_tally.mismatches++;
    if (fuzz_tally.mismatches > 20)
        return;
    fprintf(stderr, "MISMATCH %s seed %lu budget %d:", what, seed, budget);
    if (want) {
        fprintf(stderr, "\n  want");
        for (int i = 0; i < budget; i++)
            fprintf(stderr, " %d", want[i]);
    } else {
        fprintf(stderr, " want infeasible");
    }
    if (got) {
        fprintf(stderr, "\n  got ");
        for (size_t i = 0; i < count; i++)
            fprintf(stderr, " %d", got[i]);
    } else {
        fprintf(stderr, " got infeasible/error");
    }
    fprintf(stderr, "\n");
}

void
check_schedule(const lemica_schedule *s, const struct reference *r,
               int budget, const char *what, unsigned long seed)
{
    int *want = malloc(sizeof(int) * (size_t)(r->n + 1));
    int *got = malloc(sizeof(int) * (size_t)(r->n + 1));
    int feasible = reference_path(r, budget, want);
    size_t count = 0;

    fuzz_tally.solves++;
    if (!s) {
        if (feasible)
            report(what, seed, budget, want, NULL, 0);
        else
            fuzz_tally.infeasible_agree++;
    } else if (!feasible) {
        lemica_schedule_steps(s, got, (size_t)r->n, &count);
        report(what, seed, budget, NULL, got, count);
    } else {
        if (lemica_schedule_steps(s, got, (size_t)r->n, &count) != LEMICA_OK ||
            count != (size_t)budget || memcmp(got, want, sizeof(int) * count))
            report(what, seed, budget, want, got, count);
    }
    free(want);
    free(got);
}

void
check_frontier(lemica_solver *solver, const lemica_graph *graph,
               const struct reference *r, const char *what,
               unsigned long seed)
{
    lemica_frontier *f = NULL;
    lemica_status st = lemica_solver_solve_frontier(solver, graph, &f);

    for (int b = 2; b <= r->n; b++) {
        const lemica_schedule *s = NULL;

        if (st == LEMICA_OK && lemica_frontier_find(f, b, &s) != LEMICA_OK)
            s = NULL;
        check_schedule(s, r, b, what, seed);
    }
    lemica_frontier_free(f);
}

void
check_budget(lemica_solver *solver, const lemica_graph *graph, int budget,
             const struct reference *r, const char *what, unsigned long seed)
{
    lemica_schedule *s = NULL;

    lemica_solver_solve(solver, graph, budget, &s);
    check_schedule(s, r, budget, what, seed);
    lemica_schedule_free(s);
}
