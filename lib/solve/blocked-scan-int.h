/* SPDX-License-Identifier: MIT */
/* The blocked scan's vector kernels (solver-blocked-scan.c), which the DP
 * (solver-dp.c) runs once a layer on problems of at most 128 steps. */
#ifndef LEMICA_BLOCKED_SCAN_INT_H
#define LEMICA_BLOCKED_SCAN_INT_H

#include <stddef.h>
#include <stdint.h>

/* A scan's candidate values: the larger of key and weight (the
 * bottleneck), or their sum. */
enum scan_op { SCAN_MAX, SCAN_SUM };

/* The vector scans (the row scan's and the blocked kernels) need GCC's or
 * Clang's x86 intrinsics and target attributes; elsewhere the DP runs its
 * portable loops and never chooses the blocked scan. */
#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
#define LEMICA_HAVE_AVX_SCAN 1
#endif

/* The blocked scan: the scan of every state of a layer, eight states at a
 * time. For each predecessor s, one load gives the weights of (s, t0) ..
 * (s, t0 + 7) from the outgoing matrix, so each lane is one state and
 * keeps its own best and first predecessor: there is no merge of lanes and
 * no per-state set-up, which on small problems (rows of a few dozen
 * candidates) cost more than the candidates themselves. Predecessors are
 * visited in ascending order, so "first" needs only the strict comparison,
 * as in the row scan. For LEXMAX each lane also keeps the last predecessor
 * reaching its best: the tied candidates lie between the two (none if they
 * are equal). That costs one select per candidate where a count would cost
 * two, in a loop whose speed is its instruction count. Lanes reading past the
 * usable edges of their state read +inf (pads, absent or unusable edges),
 * which never beats a reached value. */
struct block_scan {
    enum scan_op op;
    const double *key_prev;
    int prev_lo, prev_hi; /* states of layer c - 1 */
    const double *outgoing;
    int max_skip;
    int lo, hi;      /* states of layer c */
    double *key_cur; /* out: best */
    uint16_t *pred;  /* out: first predecessor reaching it */
    uint16_t *last;  /* out (LEXMAX, else NULL): last one */
    /* Encoded LEXMAX with several digit groups (blocked_scan_lex_avx()): */
    int lower;                    /* groups - 1 */
    const double *lower_prev;     /* group-1 sums of layer c - 1 */
    const double *outgoing_lower; /* group-1 weights, laid out like
                                     outgoing */
    double *lower_cur;            /* out: group-1 sum of the best */
    size_t lower_stride;          /* group g + 1's sums: g * lower_stride
                                     after group 1's */
    size_t lower_slots;           /* its weights: g * lower_slots after
                                     group 1's */
};

#ifdef LEMICA_HAVE_AVX_SCAN
/* Scan every state of layer c at once (@scan->op, and @scan->last when not
 * NULL): AVX-512 when the CPU has it and tests allow it, else AVX. */
void lemica_blocked_scan(const struct block_scan *scan);

/* The same for encoded LEXMAX of several digit groups: the lexicographically
 * smallest (group-0 sum, group-1 sum, ...) of each state. */
void lemica_blocked_scan_lex(const struct block_scan *scan);
#endif

#endif /* LEMICA_BLOCKED_SCAN_INT_H */
