/* SPDX-License-Identifier: MIT */
/*
 * The row scan of encoded LEXMAX with several digit groups: one pass over
 * each state's candidates keeps the lexicographically smallest (group-0
 * sum, group-1 sum, ...) and the first candidate reaching it, four
 * candidates a vector (struct row_lex in row-lex-int.h says what it
 * reads and writes).
 *
 * It replaces a scan of group 0 (a SUM scan counting the candidates tied
 * on the best) followed, on ties, by one scan per lower group of the
 * tied candidates (lower_ties_scan() in solver-dp.c): on tie-heavy graphs
 * nearly every state ties on group 0, so that cost three passes and their
 * set-up a state. Here the lower sums come straight from the lower
 * groups' weight matrices, so the level ids and prefix counts of
 * lower_ties() are not read either. The kernel is written out for one,
 * two and three lower groups so that its loop tests nothing.
 */
#include <math.h>
#include <string.h>

#include "blocked-scan-int.h"
#include "row-lex-int.h"
#include "solver-int.h"

#ifdef LEMICA_HAVE_AVX_SCAN
#include <immintrin.h>
#endif

#define LOWER_MAX (LEMICA_DIGIT_GROUPS_MAX - 1)

/* One state's rows: group 0's sums are key[s] + row[s], lower group g's
 * (g = 0 .. lower - 1) lkey[g][s] + lrow[g][s]. */
struct lex_rows {
    const double *key, *row;
    const double *lkey[LOWER_MAX], *lrow[LOWER_MAX];
};

/* The candidates s in [@from, @to] one at a time, after a best
 * (*@b0, *@bs) of the candidates before @from (*@bs < 0: none): a
 * candidate replaces it only when lexicographically smaller, so full ties
 * keep the first. */
static inline void
lex_scalar(const struct lex_rows *r, int lower, int from, int to, double *b0,
           int *bs)
{
    double best = *b0;
    int best_s = *bs;

    for (int s = from; s <= to; s++) {
        const double v = r->key[s] + r->row[s];

        if (v > best)
            continue;
        if (v == best && best_s >= 0) {
            int g = 0;
            double a = 0.0, b = 0.0;

            for (; g < lower; g++) {
                a = r->lkey[g][s] + r->lrow[g][s];
                b = r->lkey[g][best_s] + r->lrow[g][best_s];
                if (a != b)
                    break;
            }
            if (g == lower || !(a < b))
                continue;
        }
        best = v;
        best_s = s;
    }
    *b0 = best;
    *bs = best_s;
}

#ifdef LEMICA_HAVE_AVX_SCAN
/* Lane-wise select: @a where @mask, else @b. (Not blendv: GCC lowers its
 * sign test without AVX2 to per-lane branches.) */
#define LEX_SELECT(mask, a, b)                                                 \
    _mm256_or_pd(_mm256_and_pd((mask), (a)), _mm256_andnot_pd((mask), (b)))

/* The candidates [@lo, @hi) four at a time (hi - lo >= 4): each lane keeps
 * its lexicographically smallest sums and first index; then the lanes are
 * merged (smaller sums, else the smaller index) and the rest of the row,
 * fewer than four, runs through lex_scalar(). @lower is a constant in each
 * copy, so the group loops unroll and the bests stay in registers. */
__attribute__((target("avx"), always_inline)) static inline void
lex_avx(const struct lex_rows *r, int lower, int lo, int hi, double *b0,
        int *bs)
{
    const __m256d four = _mm256_set1_pd(4.0);
    __m256d best = _mm256_set1_pd(HUGE_VAL);
    __m256d lbest[LOWER_MAX];
    __m256d first = _mm256_setzero_pd();
    __m256d index = _mm256_set_pd(lo + 3, lo + 2, lo + 1, lo);
    double lane_best[4], lane_lower[LOWER_MAX][4], lane_first[4];
    int s = lo, win = 0;

    for (int g = 0; g < lower; g++)
        lbest[g] = best;
    for (; s + 4 <= hi; s += 4) {
        const __m256d v = _mm256_add_pd(_mm256_loadu_pd(r->key + s),
                                        _mm256_loadu_pd(r->row + s));
        __m256d less = _mm256_cmp_pd(v, best, _CMP_LT_OQ);
        __m256d equal = _mm256_cmp_pd(v, best, _CMP_EQ_OQ);
        __m256d lv[LOWER_MAX];

        for (int g = 0; g < lower; g++) {
            lv[g] = _mm256_add_pd(_mm256_loadu_pd(r->lkey[g] + s),
                                  _mm256_loadu_pd(r->lrow[g] + s));
            less = _mm256_or_pd(
                less, _mm256_and_pd(equal, _mm256_cmp_pd(lv[g], lbest[g],
                                                         _CMP_LT_OQ)));
            if (g + 1 < lower)
                equal = _mm256_and_pd(
                    equal, _mm256_cmp_pd(lv[g], lbest[g], _CMP_EQ_OQ));
        }
        /* less implies v <= best, and v < best implies less. */
        best = _mm256_min_pd(best, v);
        for (int g = 0; g < lower; g++)
            lbest[g] = LEX_SELECT(less, lv[g], lbest[g]);
        first = LEX_SELECT(less, index, first);
        index = _mm256_add_pd(index, four);
    }
    _mm256_storeu_pd(lane_best, best);
    _mm256_storeu_pd(lane_first, first);
    for (int g = 0; g < lower; g++)
        _mm256_storeu_pd(lane_lower[g], lbest[g]);
    for (int lane = 1; lane < 4; lane++) {
        int g = 0;

        if (lane_best[lane] > lane_best[win])
            continue;
        if (lane_best[lane] == lane_best[win]) {
            while (g < lower && lane_lower[g][lane] == lane_lower[g][win])
                g++;
            if (g < lower ? lane_lower[g][lane] > lane_lower[g][win]
                          : lane_first[lane] > lane_first[win])
                continue;
        }
        win = lane;
    }
    *b0 = lane_best[win];
    *bs = (int)lane_first[win];
    lex_scalar(r, lower, s, hi - 1, b0, bs);
}

__attribute__((target("avx"))) static void
lex_avx_1(const struct lex_rows *r, int lo, int hi, double *b0, int *bs)
{
    lex_avx(r, 1, lo, hi, b0, bs);
}

__attribute__((target("avx"))) static void
lex_avx_2(const struct lex_rows *r, int lo, int hi, double *b0, int *bs)
{
    lex_avx(r, 2, lo, hi, b0, bs);
}

__attribute__((target("avx"))) static void
lex_avx_3(const struct lex_rows *r, int lo, int hi, double *b0, int *bs)
{
    lex_avx(r, 3, lo, hi, b0, bs);
}
#endif

void
lemica_row_lex_layer(const struct row_lex *scan)
{
    const int lower = scan->lower, k = scan->max_skip;
    struct lex_rows r;

    r.key = scan->key_prev;
    for (int g = 0; g < lower; g++)
        r.lkey[g] = scan->lower_prev + (size_t)g * scan->stride;
    for (int t = scan->lo; t <= scan->hi; t++) {
        const int first = scan->first_pred[t];
        const int from = first > scan->prev_lo ? first : scan->prev_lo;
        const int to = t - 1 < scan->prev_hi ? t - 1 : scan->prev_hi;
        /* row[s] for s in [t - K, t - 1] is incoming[t * K + s - (t - K)] */
        const size_t base = (size_t)(t + 1) * (size_t)k - (size_t)t;
        double best = HUGE_VAL;
        int best_s = -1;

        r.row = scan->incoming + base;
        for (int g = 0; g < lower; g++)
            r.lrow[g] = scan->lower_weights + (size_t)g * scan->slots + base;
#ifdef LEMICA_HAVE_AVX_SCAN
        if (scan->vector && to + 1 - from >= scan->vector_min &&
            to + 1 - from >= 4) {
            if (lower == 1)
                lex_avx_1(&r, from, to + 1, &best, &best_s);
            else if (lower == 2)
                lex_avx_2(&r, from, to + 1, &best, &best_s);
            else
                lex_avx_3(&r, from, to + 1, &best, &best_s);
        } else
#endif
            lex_scalar(&r, lower, from, to, &best, &best_s);
        scan->key_cur[t] = best;
        if (best == HUGE_VAL) {
            /* Unreached (encoded sums are finite). Its lower sums are read
             * as candidates' by the next layer's vector lanes: zeros. */
            for (int g = 0; g < lower; g++)
                scan->lower_cur[(size_t)g * scan->stride + (size_t)t] = 0.0;
            continue;
        }
        scan->pred[t] = (uint16_t)best_s;
        for (int g = 0; g < lower; g++)
            scan->lower_cur[(size_t)g * scan->stride + (size_t)t] =
                r.lkey[g][best_s] + r.lrow[g][best_s];
    }
}
