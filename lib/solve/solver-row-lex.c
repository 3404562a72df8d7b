/* SPDX-License-Identifier: MIT */
/*
 * The row scan of encoded LEXMAX with several digit groups: one pass over
 * each state's candidates keeps the lexicographically smallest (group-0
 * sum, group-1 sum, ...) and the first candidate reaching it, four
 * candidates a vector (struct row_lex in row-lex-int.h says what it
 * reads and writes).
 *
 * It replaced a scan of group 0 (a SUM scan counting the candidates tied
 * on the best) followed, on ties, by one scan per lower group of the
 * tied candidates: on tie-heavy graphs nearly every state ties on group
 * 0, so that cost three passes and their set-up a state. Here the lower
 * sums come straight from the lower groups' weight matrices. The kernel is written out for one,
 * two and three lower groups so that its loop tests nothing.
 */
#include <math.h>
#include <string.h>

#include "avx-select-int.h"
#include "blocked-scan-int.h"
#include "row-lex-int.h"
#include "solver-int.h"

#ifdef LEMICA_HAVE_AVX_SCAN
#include <immintrin.h>
#endif

#define LOWER_MAX (LEMICA_DIGIT_GROUPS_MAX - 1)

/* The group loops of the vector kernel unrolled in full, so that the
 * lanes' lower sums stay in registers (GCC left the three-group copy's
 * merge loops rolled and kept them on the stack, in the candidate loop
 * too: +8% on levels-16 N = 1000). */
#if defined(__GNUC__) && !defined(__clang__)
#define UNROLL_GROUPS _Pragma("GCC unroll 4")
#else
#define UNROLL_GROUPS
#endif

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
#define LEX_SELECT(mask, a, b) lemica_select_pd((mask), (a), (b))

/* Candidates s .. s + 3 into the lanes (@index holds their indices):
 * a lane takes its candidate when lexicographically smaller than its
 * best. */
__attribute__((target("avx"), always_inline)) static inline void
lex_avx_step(const struct lex_rows *r, int lower, int s, __m256d index,
             __m256d *best, __m256d *lbest, __m256d *first)
{
    const __m256d v = _mm256_add_pd(_mm256_loadu_pd(r->key + s),
                                    _mm256_loadu_pd(r->row + s));
    __m256d less = _mm256_cmp_pd(v, *best, _CMP_LT_OQ);
    __m256d equal = _mm256_cmp_pd(v, *best, _CMP_EQ_OQ);
    __m256d lv[LOWER_MAX];

    UNROLL_GROUPS
    for (int g = 0; g < lower; g++) {
        lv[g] = _mm256_add_pd(_mm256_loadu_pd(r->lkey[g] + s),
                              _mm256_loadu_pd(r->lrow[g] + s));
        less = _mm256_or_pd(
            less,
            _mm256_and_pd(equal, _mm256_cmp_pd(lv[g], lbest[g], _CMP_LT_OQ)));
        if (g + 1 < lower)
            equal = _mm256_and_pd(equal,
                                  _mm256_cmp_pd(lv[g], lbest[g], _CMP_EQ_OQ));
    }
    /* less implies v <= best, and v < best implies less. */
    *best = _mm256_min_pd(*best, v);
    UNROLL_GROUPS
    for (int g = 0; g < lower; g++)
        lbest[g] = LEX_SELECT(less, lv[g], lbest[g]);
    *first = LEX_SELECT(less, index, *first);
}

/* Lanes (@b, @lb, @f) into (*best, *lbest, *first), lane by lane: the
 * lexicographically smaller sums win, on full ties the smaller index. */
__attribute__((target("avx"), always_inline)) static inline void
lex_avx_merge(int lower, __m256d b, const __m256d *lb, __m256d f,
              __m256d *best, __m256d *lbest, __m256d *first)
{
    __m256d less = _mm256_cmp_pd(b, *best, _CMP_LT_OQ);
    __m256d equal = _mm256_cmp_pd(b, *best, _CMP_EQ_OQ);

    UNROLL_GROUPS
    for (int g = 0; g < lower; g++) {
        less = _mm256_or_pd(
            less, _mm256_and_pd(equal, _mm256_cmp_pd(lb[g], lbest[g],
                                                     _CMP_LT_OQ)));
        equal = _mm256_and_pd(equal,
                              _mm256_cmp_pd(lb[g], lbest[g], _CMP_EQ_OQ));
    }
    less = _mm256_or_pd(less,
                        _mm256_and_pd(equal, _mm256_cmp_pd(f, *first,
                                                           _CMP_LT_OQ)));
    *best = _mm256_min_pd(*best, b);
    UNROLL_GROUPS
    for (int g = 0; g < lower; g++)
        lbest[g] = LEX_SELECT(less, lb[g], lbest[g]);
    *first = LEX_SELECT(less, f, *first);
}

/* The candidates [@lo, @hi) four at a time (hi - lo >= 4): each lane keeps
 * its lexicographically smallest sums and first index; a row of 4k + j
 * candidates ends with the vector of its last four, which lanes have
 * partly seen (each lane still meets its candidates in ascending order,
 * and one met twice cannot beat itself). Then the lanes are merged by
 * vector selects (lex_avx_merge()). @lower is a constant in each
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
    int s = lo;

    UNROLL_GROUPS
    for (int g = 0; g < lower; g++)
        lbest[g] = best;
    for (; s + 4 <= hi; s += 4) {
        lex_avx_step(r, lower, s, index, &best, lbest, &first);
        index = _mm256_add_pd(index, four);
    }
    if (s < hi)
        lex_avx_step(r, lower, hi - 4,
                     _mm256_set_pd(hi - 1, hi - 2, hi - 3, hi - 4), &best,
                     lbest, &first);
    /* Lane j against lane j + 2, then lane 0 against lane 1. */
    lex_avx_merge(lower, _mm256_permute2f128_pd(best, best, 1),
                  (__m256d[LOWER_MAX]){
                      _mm256_permute2f128_pd(lbest[0], lbest[0], 1),
                      lower > 1 ? _mm256_permute2f128_pd(lbest[1], lbest[1], 1)
                                : best,
                      lower > 2 ? _mm256_permute2f128_pd(lbest[2], lbest[2], 1)
                                : best},
                  _mm256_permute2f128_pd(first, first, 1), &best, lbest,
                  &first);
    lex_avx_merge(lower, _mm256_permute_pd(best, 5),
                  (__m256d[LOWER_MAX]){
                      _mm256_permute_pd(lbest[0], 5),
                      lower > 1 ? _mm256_permute_pd(lbest[1], 5) : best,
                      lower > 2 ? _mm256_permute_pd(lbest[2], 5) : best},
                  _mm256_permute_pd(first, 5), &best, lbest, &first);
    *b0 = _mm256_cvtsd_f64(best);
    *bs = (int)_mm256_cvtsd_f64(first);
}
#endif

/* State @t's best into the layer (see struct row_lex). */
static inline void
lex_store(const struct row_lex *scan, const struct lex_rows *r, int lower,
          int t, double best, int best_s)
{
    scan->key_cur[t] = best;
    if (best == HUGE_VAL) {
        /* Unreached (encoded sums are finite). Its lower sums are read as
         * candidates' by the next layer's vector lanes: zeros. */
        for (int g = 0; g < lower; g++)
            scan->lower_cur[(size_t)g * scan->stride + (size_t)t] = 0.0;
        return;
    }
    scan->pred[t] = (uint16_t)best_s;
    for (int g = 0; g < lower; g++)
        scan->lower_cur[(size_t)g * scan->stride + (size_t)t] =
            r->lkey[g][best_s] + r->lrow[g][best_s];
}

/* State @t's candidates [*from, *to] and rows. */
static inline void
lex_rows_of(const struct row_lex *scan, struct lex_rows *r, int lower, int t,
            int *from, int *to)
{
    const int first = scan->first_pred[t];
    /* row[s] for s in [t - K, t - 1] is incoming[t * K + s - (t - K)] */
    const size_t base =
        (size_t)(t + 1) * (size_t)scan->max_skip - (size_t)t;

    *from = first > scan->prev_lo ? first : scan->prev_lo;
    *to = t - 1 < scan->prev_hi ? t - 1 : scan->prev_hi;
    r->row = scan->incoming + base;
    for (int g = 0; g < lower; g++)
        r->lrow[g] = scan->lower_weights + (size_t)g * scan->slots + base;
}

static inline void
lex_rows_init(const struct row_lex *scan, struct lex_rows *r, int lower)
{
    r->key = scan->key_prev;
    for (int g = 0; g < lower; g++)
        r->lkey[g] = scan->lower_prev + (size_t)g * scan->stride;
}

#ifdef LEMICA_HAVE_AVX_SCAN
/* The layer with the vector kernel on rows of at least vector_min (and 4)
 * candidates; @lower is a constant in each copy. */
__attribute__((target("avx"), always_inline)) static inline void
lex_layer_avx(const struct row_lex *scan, int lower)
{
    const int min = scan->vector_min > 4 ? scan->vector_min : 4;
    struct lex_rows r;

    lex_rows_init(scan, &r, lower);
    for (int t = scan->lo; t <= scan->hi; t++) {
        double best = HUGE_VAL;
        int best_s = -1, from, to;

        lex_rows_of(scan, &r, lower, t, &from, &to);
        if (to + 1 - from >= min)
            lex_avx(&r, lower, from, to + 1, &best, &best_s);
        else
            lex_scalar(&r, lower, from, to, &best, &best_s);
        lex_store(scan, &r, lower, t, best, best_s);
    }
}

__attribute__((target("avx"))) static void
lex_layer_avx_1(const struct row_lex *scan)
{
    lex_layer_avx(scan, 1);
}

__attribute__((target("avx"))) static void
lex_layer_avx_2(const struct row_lex *scan)
{
    lex_layer_avx(scan, 2);
}

__attribute__((target("avx"))) static void
lex_layer_avx_3(const struct row_lex *scan)
{
    lex_layer_avx(scan, 3);
}
#endif

void
lemica_row_lex_layer(const struct row_lex *scan)
{
    const int lower = scan->lower;
    struct lex_rows r;

#ifdef LEMICA_HAVE_AVX_SCAN
    if (scan->vector) {
        if (lower == 1)
            lex_layer_avx_1(scan);
        else if (lower == 2)
            lex_layer_avx_2(scan);
        else
            lex_layer_avx_3(scan);
        return;
    }
#endif
    lex_rows_init(scan, &r, lower);
    for (int t = scan->lo; t <= scan->hi; t++) {
        double best = HUGE_VAL;
        int best_s = -1, from, to;

        lex_rows_of(scan, &r, lower, t, &from, &to);
        lex_scalar(&r, lower, from, to, &best, &best_s);
        lex_store(scan, &r, lower, t, best, best_s);
    }
}
