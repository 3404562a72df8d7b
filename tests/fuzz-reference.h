/* SPDX-License-Identifier: MIT */
/*
 * The reference of the fuzz searches (fuzz-counts.c, fuzz-outliers.c,
 * fuzz-review.c, fuzz-row-lex.c): the problem they share, an independent
 * LEXMAX DP over full sorted-descending cost vectors, ties to the smaller
 * predecessor as the library documents, and the check of a solver's
 * schedule against it.
 */
#ifndef LEMICA_FUZZ_REFERENCE_H
#define LEMICA_FUZZ_REFERENCE_H

#include "lemica/lemica.h"

struct problem {
    int n, k; /* k: the effective max skip */
    double *w; /* n * n, NAN = absent */
    unsigned char *required;
};

/* The reference: best[c][j] predecessor (-1 unreachable, -2 start) for
 * paths of c + 1 steps ending at j, c = 0 .. n - 1. */
struct reference {
    int n;
    int *pred; /* n * n */
};

/* What the checks counted so far. */
struct fuzz_tally {
    unsigned long solves, mismatches, infeasible_agree;
};
extern struct fuzz_tally fuzz_tally;

/* @p as @n steps of max skip @k, every edge absent (NAN) and no step
 * required; aborts when out of memory (a fuzz run has no use for half a
 * problem). */
void problem_new(struct problem *p, int n, int k);

/* @p's weights read back from @graph for spans up to @k_graph (absent:
 * NAN), so the reference sees what the solver sees, span-1 defaults
 * included. */
void problem_read_graph(struct problem *p, const lemica_graph *graph,
                        int k_graph);

/* Free what problem_new() and reference_solve() allocated. */
void problem_free(struct problem *p, struct reference *r);

/* The reference DP of @p over paths of up to @max_steps steps into @r
 * (r->pred allocated; the caller frees it). */
void reference_solve(const struct problem *p, int max_steps,
                     struct reference *r);

/* Check schedule @s (NULL: the solver found none) of @budget against
 * @r; a mismatch is counted and, for the first 20, printed with @what
 * and @seed. */
void check_schedule(const lemica_schedule *s, const struct reference *r,
                    int budget, const char *what, unsigned long seed);

/* check_schedule() for @solver's frontier of @graph at every budget. */
void check_frontier(lemica_solver *solver, const lemica_graph *graph,
                    const struct reference *r, const char *what,
                    unsigned long seed);

/* check_schedule() for @solver's solve of @graph at @budget. */
void check_budget(lemica_solver *solver, const lemica_graph *graph,
                  int budget, const struct reference *r, const char *what,
                  unsigned long seed);

#endif
