/* SPDX-License-Identifier: MIT */
/* The row scan's lexicographic layer for encoded LEXMAX of several digit
 * groups (solver-row-lex.c), which the DP (solver-dp.c) runs once a layer
 * on problems past the blocked scan's size. */
#ifndef LEMICA_ROW_LEX_INT_H
#define LEMICA_ROW_LEX_INT_H

#include <stddef.h>
#include <stdint.h>

/* One layer c of the row scan: for each state t in [lo, hi], among its
 * candidates s in [max(first_pred[t], prev_lo), min(t - 1, prev_hi)],
 * the lexicographically smallest (group-0 sum, group-1 sum, ...), where
 * group 0's sum is key_prev[s] + w and group g's is
 * lower_prev[(g - 1) * stride + s] + w_g, the weights read like the
 * incoming matrix (row of t at (t + 1) K - t, group g's at
 * (g - 1) * slots after lower_weights). The first s on full ties: the
 * tie rule of the sorted-vector DP. Writes key_cur[t] (+inf when no
 * candidate is reached: encoded sums are finite), pred[t] and the best's
 * lower sums (0 for unreached states). */
struct row_lex {
    const double *key_prev;
    const double *incoming;
    const int *first_pred;
    int max_skip;
    int prev_lo, prev_hi; /* states of layer c - 1 */
    int lo, hi;           /* states of layer c */
    int lower;            /* groups - 1, 1 .. LEMICA_DIGIT_GROUPS_MAX - 1 */
    const double *lower_prev;
    const double *lower_weights;
    size_t stride; /* between groups in lower_prev / lower_cur (N) */
    size_t slots;  /* between groups in lower_weights (N K) */
    double *key_cur;
    uint16_t *pred;
    double *lower_cur;
    /* Rows of at least this many candidates use the vector kernel when
     * @vector is set (the CPU has AVX); shorter ones the scalar loop. */
    int vector;
    int vector_min;
};

void lemica_row_lex_layer(const struct row_lex *scan);

#endif /* LEMICA_ROW_LEX_INT_H */
