/* SPDX-License-Identifier: MIT */
/*
 * The blocked scan: the scan of every state of a layer, eight states at a
 * time (struct block_scan in blocked-scan-int.h says how), as AVX and
 * AVX-512 kernels. The kernels are written out per use (operation, whether
 * the last tied predecessor is kept, number of lower digit groups) so that
 * their inner loops test nothing; solver-dp.c calls them once a layer.
 */
#include <math.h>
#include <string.h>

#include "avx-select-int.h"
#include "blocked-scan-int.h"
#include "solver-int.h"

#ifdef LEMICA_HAVE_AVX_SCAN
#include <immintrin.h>
/* The distance in bytes from @from to @to, which lie in different
 * allocations (the lower groups' weights and sums beside the group-0
 * ones): through uintptr_t, since C defines pointer subtraction, and
 * arithmetic that leaves an array, within one array only. On the flat
 * address spaces the vector scans run on it is the same arithmetic, and
 * the scans step one pointer and reach the other at a fixed offset. */
static inline ptrdiff_t
byte_distance(const double *to, const double *from)
{
    return (ptrdiff_t)((uintptr_t)to - (uintptr_t)from);
}

/* @p moved by @bytes (see byte_distance()). */
static inline const double *
moved(const double *p, ptrdiff_t bytes)
{
    return (const double *)((uintptr_t)p + (uintptr_t)bytes);
}

/* The predecessors of block t0: lane t0 + j takes s in
 * [t0 + j - K, t0 + j - 1]. */
static inline void
block_predecessors(const struct block_scan *scan, int t0, int *s_lo, int *s_hi)
{
    *s_lo = t0 - scan->max_skip > scan->prev_lo ? t0 - scan->max_skip
                                                : scan->prev_lo;
    *s_hi = t0 + LEMICA_BLOCK_WIDTH - 2 < scan->prev_hi
                ? t0 + LEMICA_BLOCK_WIDTH - 2
                : scan->prev_hi;
}

/* The weights of (s, t0) .. (s, t0 + 7). */
static inline const double *
block_weights(const struct block_scan *scan, int t0, int s)
{
    return scan->outgoing +
           (size_t)s * ((size_t)scan->max_skip + LEMICA_BLOCK_PAD) +
           LEMICA_BLOCK_PAD + (t0 - s - 1);
}

/* Store the lanes of block t0 that are states of the layer. */
static inline void
block_store(const struct block_scan *scan, int t0, const double *best,
            const double *first, const double *last)
{
    for (int j = 0; j < LEMICA_BLOCK_WIDTH && t0 + j <= scan->hi; j++) {
        scan->key_cur[t0 + j] = best[j];
        scan->pred[t0 + j] = (uint16_t)first[j];
        if (scan->last)
            scan->last[t0 + j] = (uint16_t)last[j];
    }
}

/* The lanes @lanes of a block that ends past the layer (t0 .. hi) into
 * lower group @g's sums (the lexicographic scans). */
static inline void
block_store_lower(const struct block_scan *scan, int t0, int g,
                  const double *lanes)
{
    double *to = scan->lower_cur + (size_t)g * scan->lower_stride;

    for (int j = 0; t0 + j <= scan->hi; j++)
        to[t0 + j] = lanes[j];
}

/* Four lanes of a block with AVX. The index grows with s, so "the index
 * of the last candidate that passed the test" is the largest masked
 * index: a max of the masked index (two instructions). The MAX scan keeps
 * that. The scan with the last tied candidate (LEXMAX) selects the index
 * by one vblendvpd for both first and last instead: 7 instructions a
 * half-block and candidate where the masked maxima took 9 (distinct
 * weights, N = 50, K = 49, whole frontier: about -8.6 k instructions). */
#define BLOCK_STEP(op, with_last, offset, best, first, last)                   \
    do {                                                                       \
        __m256d w_ = _mm256_loadu_pd(weights + (offset));                      \
        __m256d value_ =                                                       \
            (op) == SCAN_MAX ? _mm256_max_pd(k_, w_) : _mm256_add_pd(k_, w_);  \
        __m256d less_ = _mm256_cmp_pd(value_, best, _CMP_LT_OQ);               \
        if (with_last) {                                                       \
            __m256d reach_ = _mm256_cmp_pd(value_, best, _CMP_LE_OQ);          \
            last = lemica_select_pd(reach_, index, last);                          \
            first = lemica_select_pd(less_, index, first);                         \
        } else                                                                 \
            first = _mm256_max_pd(first, _mm256_and_pd(less_, index));        \
        best = _mm256_min_pd(best, value_);                                    \
    } while (0)

__attribute__((target("avx"), always_inline)) static inline void
blocked_scan_avx_op(const struct block_scan *scan, enum scan_op op,
                    int with_last)
{
    const __m256d one = _mm256_set1_pd(1.0);

    for (int t0 = scan->lo; t0 <= scan->hi; t0 += LEMICA_BLOCK_WIDTH) {
        __m256d best0 = _mm256_set1_pd(HUGE_VAL), best1 = best0;
        __m256d first0 = _mm256_setzero_pd(), first1 = first0;
        __m256d last0 = _mm256_setzero_pd(), last1 = last0;
        double best[LEMICA_BLOCK_WIDTH], first[LEMICA_BLOCK_WIDTH];
        double last[LEMICA_BLOCK_WIDTH];
        __m256d index;
        int s_lo, s_hi;

        block_predecessors(scan, t0, &s_lo, &s_hi);
        index = _mm256_set1_pd((double)s_lo);
        if (s_lo <= s_hi) {
            /* (s + 1, t0) is a row further and a slot to the left:
             * block_weights() by steps of the stride less one. */
            const double *weights = block_weights(scan, t0, s_lo);
            const double *key = scan->key_prev + s_lo;
            const double *key_end = scan->key_prev + s_hi;
            const size_t step = (size_t)scan->max_skip + LEMICA_BLOCK_PAD - 1;

            for (;; key++, weights += step) {
                __m256d k_ = _mm256_broadcast_sd(key);

                BLOCK_STEP(op, with_last, 0, best0, first0, last0);
                BLOCK_STEP(op, with_last, 4, best1, first1, last1);
                index = _mm256_add_pd(index, one);
                if (key == key_end)
                    break;
            }
        }
        if (t0 + LEMICA_BLOCK_WIDTH - 1 <= scan->hi) {
            /* A whole block: vector stores, the indices packed to 16
             * bits (they are below LEMICA_MAX_STEPS). */
            _mm256_storeu_pd(scan->key_cur + t0, best0);
            _mm256_storeu_pd(scan->key_cur + t0 + 4, best1);
            _mm_storeu_si128((__m128i *)(void *)(scan->pred + t0),
                             _mm_packus_epi32(_mm256_cvttpd_epi32(first0),
                                              _mm256_cvttpd_epi32(first1)));
            if (with_last)
                _mm_storeu_si128((__m128i *)(void *)(scan->last + t0),
                                 _mm_packus_epi32(_mm256_cvttpd_epi32(last0),
                                                  _mm256_cvttpd_epi32(last1)));
            continue;
        }
        _mm256_storeu_pd(best, best0);
        _mm256_storeu_pd(best + 4, best1);
        _mm256_storeu_pd(first, first0);
        _mm256_storeu_pd(first + 4, first1);
        _mm256_storeu_pd(last, last0);
        _mm256_storeu_pd(last + 4, last1);
        block_store(scan, t0, best, first, last);
    }
}

/* The same with AVX-512: one vector is a whole block, and its mask
 * registers make each select a single instruction, so a candidate costs a
 * third of the instructions. */
__attribute__((target("avx512f"), always_inline)) static inline void
blocked_scan_avx512_op(const struct block_scan *scan, enum scan_op op,
                       int with_last)
{
    const __m512d one = _mm512_set1_pd(1.0);

    for (int t0 = scan->lo; t0 <= scan->hi; t0 += LEMICA_BLOCK_WIDTH) {
        __m512d best = _mm512_set1_pd(HUGE_VAL);
        __m512d first = _mm512_setzero_pd(), last = first;
        double best_lanes[LEMICA_BLOCK_WIDTH], first_lanes[LEMICA_BLOCK_WIDTH];
        double last_lanes[LEMICA_BLOCK_WIDTH];
        __m512d index;
        int s_lo, s_hi;

        block_predecessors(scan, t0, &s_lo, &s_hi);
        index = _mm512_set1_pd((double)s_lo);
        if (s_lo <= s_hi) {
            /* As in the AVX kernel: the weights by pointer steps. */
            const double *weights = block_weights(scan, t0, s_lo);
            const double *key = scan->key_prev + s_lo;
            const double *key_end = scan->key_prev + s_hi;
            const size_t step = (size_t)scan->max_skip + LEMICA_BLOCK_PAD - 1;

            for (;; key++, weights += step) {
                __m512d k = _mm512_set1_pd(*key);
                __m512d w = _mm512_loadu_pd(weights);
                __m512d value = op == SCAN_MAX ? _mm512_max_pd(k, w)
                                               : _mm512_add_pd(k, w);

                first = _mm512_mask_mov_pd(
                    first, _mm512_cmp_pd_mask(value, best, _CMP_LT_OQ),
                    index);
                if (with_last)
                    last = _mm512_mask_mov_pd(
                        last, _mm512_cmp_pd_mask(value, best, _CMP_LE_OQ),
                        index);
                best = _mm512_min_pd(best, value);
                index = _mm512_add_pd(index, one);
                if (key == key_end)
                    break;
            }
        }
        if (t0 + LEMICA_BLOCK_WIDTH - 1 <= scan->hi) {
            /* As in the AVX kernel. */
            __m256i first32 = _mm512_cvttpd_epi32(first);

            _mm512_storeu_pd(scan->key_cur + t0, best);
            _mm_storeu_si128(
                (__m128i *)(void *)(scan->pred + t0),
                _mm_packus_epi32(_mm256_castsi256_si128(first32),
                                 _mm256_extractf128_si256(first32, 1)));
            if (with_last) {
                __m256i last32 = _mm512_cvttpd_epi32(last);

                _mm_storeu_si128(
                    (__m128i *)(void *)(scan->last + t0),
                    _mm_packus_epi32(_mm256_castsi256_si128(last32),
                                     _mm256_extractf128_si256(last32, 1)));
            }
            continue;
        }
        _mm512_storeu_pd(best_lanes, best);
        _mm512_storeu_pd(first_lanes, first);
        _mm512_storeu_pd(last_lanes, last);
        block_store(scan, t0, best_lanes, first_lanes, last_lanes);
    }
}

/* The MAX scan with the last tied candidate (LEXMAX) with AVX-512 and its
 * BW and VL parts: the candidate's index kept as eight 16-bit integers in
 * an XMM register instead of eight doubles in a ZMM one. The blocked scan
 * runs at N <= 128, so an index fits (block_store() narrows the doubles
 * to 16 bits anyway). Why: on CPUs that split a 512-bit operation in two
 * 256-bit halves (AMD Zen 4), each ZMM select and the index's add take two
 * slots of the FP pipes; the loop is bound by those slots, not by the
 * chain through best (7 ZMM operations a candidate, 14 slots, where MAX's
 * scan has 5, 10 slots). The two selects and the add on 128 bits take one
 * slot each: 11 slots a candidate. The same masks select the same
 * indices, so the result is the kernel's above to the bit; the lanes come
 * out as 16 bits and are stored without conversion. */
__attribute__((target("avx512f,avx512bw,avx512vl"))) static void
blocked_scan_last_avx512bw(const struct block_scan *scan)
{
    const __m128i one = _mm_set1_epi16(1);

    for (int t0 = scan->lo; t0 <= scan->hi; t0 += LEMICA_BLOCK_WIDTH) {
        __m512d best = _mm512_set1_pd(HUGE_VAL);
        __m128i first = _mm_setzero_si128(), last = first;
        int s_lo, s_hi;

        block_predecessors(scan, t0, &s_lo, &s_hi);
        if (s_lo <= s_hi) {
            /* As in the AVX kernel: the weights by pointer steps. */
            const double *weights = block_weights(scan, t0, s_lo);
            const double *key = scan->key_prev + s_lo;
            const double *key_end = scan->key_prev + s_hi;
            const size_t step = (size_t)scan->max_skip + LEMICA_BLOCK_PAD - 1;
            __m128i index = _mm_set1_epi16((short)s_lo);

            for (;; key++, weights += step) {
                __m512d value = _mm512_max_pd(_mm512_set1_pd(*key),
                                              _mm512_loadu_pd(weights));

                first = _mm_mask_mov_epi16(
                    first, _mm512_cmp_pd_mask(value, best, _CMP_LT_OQ),
                    index);
                last = _mm_mask_mov_epi16(
                    last, _mm512_cmp_pd_mask(value, best, _CMP_LE_OQ),
                    index);
                best = _mm512_min_pd(best, value);
                index = _mm_add_epi16(index, one);
                if (key == key_end)
                    break;
            }
        }
        if (t0 + LEMICA_BLOCK_WIDTH - 1 <= scan->hi) {
            _mm512_storeu_pd(scan->key_cur + t0, best);
            _mm_storeu_si128((__m128i *)(void *)(scan->pred + t0), first);
            _mm_storeu_si128((__m128i *)(void *)(scan->last + t0), last);
            continue;
        }
        {
            double best_lanes[LEMICA_BLOCK_WIDTH];
            uint16_t first_lanes[LEMICA_BLOCK_WIDTH];
            uint16_t last_lanes[LEMICA_BLOCK_WIDTH];

            _mm512_storeu_pd(best_lanes, best);
            _mm_storeu_si128((__m128i *)first_lanes, first);
            _mm_storeu_si128((__m128i *)last_lanes, last);
            for (int j = 0; t0 + j <= scan->hi; j++) {
                scan->key_cur[t0 + j] = best_lanes[j];
                scan->pred[t0 + j] = first_lanes[j];
                scan->last[t0 + j] = last_lanes[j];
            }
        }
    }
}

/* Encoded LEXMAX with several digit groups: each lane keeps the
 * lexicographically smallest (group-0 sum, group-1 sum, ...) of its state
 * and the first predecessor reaching it. Predecessors come in ascending
 * order, so a candidate replaces the best only when strictly smaller:
 * ties on every sum keep the first, the sorted-vector DP's tie rule. The
 * group-0 best is a plain min (a candidate that wins is never above it).
 * Every sum is an exact integer or +inf (unreached states, pads, absent
 * edges: lower-group weights are 0 there), never NaN; a lane that only
 * sees +inf group-0 sums is unreached whatever its first and lower sums.
 * @lower (1 to LEX_LOWER_MAX, a constant in each copy) is groups - 1:
 * lower group g + 1 has its weights g * lower_slots and its sums
 * g * lower_stride after those of group 1, at fixed offsets from the
 * group-0 ones, so that only two pointers step. */
#define LEX_LOWER_MAX (LEMICA_DIGIT_GROUPS_MAX - 1)

/* Whether the candidates (v, u[]) beat the bests (best, low[]),
 * lexicographically: the lowest group first, each higher one deciding
 * unless it ties. */
__attribute__((target("avx"), always_inline)) static inline __m256d
lex_less_avx(__m256d v, const __m256d *u, __m256d best, const __m256d *low,
             int lower)
{
    __m256d less = _mm256_cmp_pd(u[lower - 1], low[lower - 1], _CMP_LT_OQ);

    /* Where a group ties, the next one's verdict, else its own: a select
     * (lemica_select_pd()), an instruction less than (lt | (eq & less)). */
    #pragma GCC unroll 4
    for (int g = lower - 2; g >= 0; g--)
        less = lemica_select_pd(_mm256_cmp_pd(u[g], low[g], _CMP_EQ_OQ), less,
                            _mm256_cmp_pd(u[g], low[g], _CMP_LT_OQ));
    return lemica_select_pd(_mm256_cmp_pd(v, best, _CMP_EQ_OQ), less,
                        _mm256_cmp_pd(v, best, _CMP_LT_OQ));
}

/* One candidate for four lanes: its group-0 sum k + w[0..3], its lower
 * sums l[g] + wl[g * slots + 0..3], folded into the lanes' bests. */
__attribute__((target("avx"), always_inline)) static inline void
lex_step_avx(__m256d k, const __m256d *l, const double *w, const double *wl,
             size_t slots, __m256d index, __m256d *best, __m256d *low,
             __m256d *first, int lower)
{
    const __m256d v = _mm256_add_pd(k, _mm256_loadu_pd(w));
    __m256d u[LEX_LOWER_MAX], less;

    #pragma GCC unroll 4
    for (int g = 0; g < lower; g++)
        u[g] = _mm256_add_pd(l[g],
                             _mm256_loadu_pd(wl + (ptrdiff_t)(g * slots)));
    less = lex_less_avx(v, u, *best, low, lower);
    /* Selects by one vblendvpd each (lemica_select_pd()), where masks took
     * three (and, andnot, or) and the masked index's max two. */
    #pragma GCC unroll 4
    for (int g = 0; g < lower; g++)
        low[g] = lemica_select_pd(less, u[g], low[g]);
    *first = lemica_select_pd(less, index, *first);
    *best = _mm256_min_pd(*best, v);
}

/* The loops over the lower groups are unrolled (#pragma GCC unroll): GCC
 * 12 -O2 kept the copy for three lower groups as loops over arrays in
 * memory, stored and reloaded every candidate (levels-16, N = 100,
 * K = 99, whole frontier: -4.8% instructions unrolled). */
__attribute__((target("avx"), always_inline)) static inline void
blocked_scan_lex_avx_op(const struct block_scan *scan, const int lower)
{
    const __m256d one = _mm256_set1_pd(1.0);
    const size_t step = (size_t)scan->max_skip + LEMICA_BLOCK_PAD - 1;
    const ptrdiff_t to_lower =
        byte_distance(scan->outgoing_lower, scan->outgoing);
    const ptrdiff_t to_key_lower =
        byte_distance(scan->lower_prev, scan->key_prev);
    const size_t slots = scan->lower_slots, stride = scan->lower_stride;

    for (int t0 = scan->lo; t0 <= scan->hi; t0 += LEMICA_BLOCK_WIDTH) {
        /* Two vectors of four lanes. */
        __m256d best0 = _mm256_set1_pd(HUGE_VAL), best1 = best0;
        __m256d first0 = _mm256_setzero_pd(), first1 = first0;
        __m256d low0[LEX_LOWER_MAX], low1[LEX_LOWER_MAX];
        double best[LEMICA_BLOCK_WIDTH], first[LEMICA_BLOCK_WIDTH];
        __m256d index;
        int s_lo, s_hi;

        #pragma GCC unroll 4
        for (int g = 0; g < lower; g++)
            low0[g] = low1[g] = best0;
        block_predecessors(scan, t0, &s_lo, &s_hi);
        index = _mm256_set1_pd((double)s_lo);
        if (s_lo <= s_hi) {
            /* As in blocked_scan_avx_op(). */
            const double *weights = block_weights(scan, t0, s_lo);
            const double *weights_lower = moved(weights, to_lower);
            const double *key = scan->key_prev + s_lo;
            const double *key_lower = moved(key, to_key_lower);
            const double *key_end = scan->key_prev + s_hi;

            for (;; key++, key_lower++, weights += step,
                    weights_lower += step) {
                const __m256d k = _mm256_broadcast_sd(key);
                __m256d l[LEX_LOWER_MAX];

                #pragma GCC unroll 4
                for (int g = 0; g < lower; g++)
                    l[g] = _mm256_broadcast_sd(key_lower +
                                               (ptrdiff_t)(g * stride));
                lex_step_avx(k, l, weights, weights_lower, slots, index,
                             &best0, low0, &first0, lower);
                lex_step_avx(k, l, weights + 4, weights_lower + 4, slots,
                             index, &best1, low1, &first1, lower);
                index = _mm256_add_pd(index, one);
                if (key == key_end)
                    break;
            }
        }
        if (t0 + LEMICA_BLOCK_WIDTH - 1 <= scan->hi) {
            _mm256_storeu_pd(scan->key_cur + t0, best0);
            _mm256_storeu_pd(scan->key_cur + t0 + 4, best1);
            #pragma GCC unroll 4
            for (int g = 0; g < lower; g++) {
                double *to = scan->lower_cur + (size_t)g * stride + t0;

                _mm256_storeu_pd(to, low0[g]);
                _mm256_storeu_pd(to + 4, low1[g]);
            }
            _mm_storeu_si128((__m128i *)(void *)(scan->pred + t0),
                             _mm_packus_epi32(_mm256_cvttpd_epi32(first0),
                                              _mm256_cvttpd_epi32(first1)));
            continue;
        }
        _mm256_storeu_pd(best, best0);
        _mm256_storeu_pd(best + 4, best1);
        _mm256_storeu_pd(first, first0);
        _mm256_storeu_pd(first + 4, first1);
        block_store(scan, t0, best, first, NULL);
        #pragma GCC unroll 4
        for (int g = 0; g < lower; g++) {
            _mm256_storeu_pd(best, low0[g]);
            _mm256_storeu_pd(best + 4, low1[g]);
            block_store_lower(scan, t0, g, best);
        }
    }
}

/* blocked_scan_lex_avx_op() for two groups, written out: the same
 * instructions in its inner loop, but its copy for one lower group kept
 * the row step in memory (a load more a candidate, +1% on levels-16,
 * N = 50, every budget). */
#define LEX2_STEP(offset, best, low, first)                                    \
    do {                                                                       \
        __m256d v_ = _mm256_add_pd(k_, _mm256_loadu_pd(weights + (offset)));   \
        __m256d u_ = _mm256_add_pd(                                            \
            l_, _mm256_loadu_pd(weights_lower + (offset)));                    \
        __m256d less_ = lemica_select_pd(_mm256_cmp_pd(v_, best, _CMP_EQ_OQ),      \
                                     _mm256_cmp_pd(u_, low, _CMP_LT_OQ),       \
                                     _mm256_cmp_pd(v_, best, _CMP_LT_OQ));     \
        low = lemica_select_pd(less_, u_, low);                                    \
        first = lemica_select_pd(less_, index, first);                             \
        best = _mm256_min_pd(best, v_);                                        \
    } while (0)

__attribute__((target("avx"), always_inline)) static inline void
blocked_scan_lex2_avx(const struct block_scan *scan)
{
    const __m256d one = _mm256_set1_pd(1.0);
    const size_t step = (size_t)scan->max_skip + LEMICA_BLOCK_PAD - 1;

    for (int t0 = scan->lo; t0 <= scan->hi; t0 += LEMICA_BLOCK_WIDTH) {
        __m256d best0 = _mm256_set1_pd(HUGE_VAL), best1 = best0;
        __m256d low0 = best0, low1 = best0;
        __m256d first0 = _mm256_setzero_pd(), first1 = first0;
        double best[LEMICA_BLOCK_WIDTH], first[LEMICA_BLOCK_WIDTH];
        double low[LEMICA_BLOCK_WIDTH];
        __m256d index;
        int s_lo, s_hi;

        block_predecessors(scan, t0, &s_lo, &s_hi);
        index = _mm256_set1_pd((double)s_lo);
        if (s_lo <= s_hi) {
            /* As in blocked_scan_avx_op(). */
            /* The group-1 weights and sums at fixed offsets from the
             * group-0 ones: two pointers step, not four. */
            const double *weights = block_weights(scan, t0, s_lo);
            const double *weights_lower;
            const ptrdiff_t to_lower =
                byte_distance(scan->outgoing_lower, scan->outgoing);
            const ptrdiff_t to_key_lower =
                byte_distance(scan->lower_prev, scan->key_prev);
            const double *key = scan->key_prev + s_lo;
            const double *key_end = scan->key_prev + s_hi;

            for (;; key++, weights += step) {
                __m256d k_ = _mm256_broadcast_sd(key);
                __m256d l_ = _mm256_broadcast_sd(moved(key, to_key_lower));

                weights_lower = moved(weights, to_lower);

                LEX2_STEP(0, best0, low0, first0);
                LEX2_STEP(4, best1, low1, first1);
                index = _mm256_add_pd(index, one);
                if (key == key_end)
                    break;
            }
        }
        if (t0 + LEMICA_BLOCK_WIDTH - 1 <= scan->hi) {
            _mm256_storeu_pd(scan->key_cur + t0, best0);
            _mm256_storeu_pd(scan->key_cur + t0 + 4, best1);
            _mm256_storeu_pd(scan->lower_cur + t0, low0);
            _mm256_storeu_pd(scan->lower_cur + t0 + 4, low1);
            _mm_storeu_si128((__m128i *)(void *)(scan->pred + t0),
                             _mm_packus_epi32(_mm256_cvttpd_epi32(first0),
                                              _mm256_cvttpd_epi32(first1)));
            continue;
        }
        _mm256_storeu_pd(best, best0);
        _mm256_storeu_pd(best + 4, best1);
        _mm256_storeu_pd(first, first0);
        _mm256_storeu_pd(first + 4, first1);
        _mm256_storeu_pd(low, low0);
        _mm256_storeu_pd(low + 4, low1);
        block_store(scan, t0, best, first, NULL);
        block_store_lower(scan, t0, 0, low);
    }
}

/* The same with AVX-512, a block in one vector: each lower compare runs
 * under the mask of the group below it, so a group costs two compares,
 * an or and a masked move. */
__attribute__((target("avx512f"), always_inline)) static inline void
blocked_scan_lex_avx512_op(const struct block_scan *scan, const int lower)
{
    const __m512d one = _mm512_set1_pd(1.0);
    const size_t step = (size_t)scan->max_skip + LEMICA_BLOCK_PAD - 1;
    const ptrdiff_t to_lower =
        byte_distance(scan->outgoing_lower, scan->outgoing);
    const ptrdiff_t to_key_lower =
        byte_distance(scan->lower_prev, scan->key_prev);
    const size_t slots = scan->lower_slots, stride = scan->lower_stride;

    for (int t0 = scan->lo; t0 <= scan->hi; t0 += LEMICA_BLOCK_WIDTH) {
        __m512d best = _mm512_set1_pd(HUGE_VAL), low[LEX_LOWER_MAX];
        __m512d first = _mm512_setzero_pd();
        double lanes[LEMICA_BLOCK_WIDTH], first_lanes[LEMICA_BLOCK_WIDTH];
        __m512d index;
        int s_lo, s_hi;

        for (int g = 0; g < lower; g++)
            low[g] = best;
        block_predecessors(scan, t0, &s_lo, &s_hi);
        index = _mm512_set1_pd((double)s_lo);
        if (s_lo <= s_hi) {
            const double *weights = block_weights(scan, t0, s_lo);
            const double *weights_lower = moved(weights, to_lower);
            const double *key = scan->key_prev + s_lo;
            const double *key_lower = moved(key, to_key_lower);
            const double *key_end = scan->key_prev + s_hi;

            for (;; key++, key_lower++, weights += step,
                    weights_lower += step) {
                const __m512d v = _mm512_add_pd(_mm512_set1_pd(*key),
                                                _mm512_loadu_pd(weights));
                __m512d u[LEX_LOWER_MAX];
                __mmask8 less;

                for (int g = 0; g < lower; g++)
                    u[g] = _mm512_add_pd(
                        _mm512_set1_pd(key_lower[(ptrdiff_t)(g * stride)]),
                        _mm512_loadu_pd(weights_lower +
                                        (ptrdiff_t)(g * slots)));
                less = _mm512_cmp_pd_mask(u[lower - 1], low[lower - 1],
                                          _CMP_LT_OQ);
                for (int g = lower - 2; g >= 0; g--)
                    less = _mm512_cmp_pd_mask(u[g], low[g], _CMP_LT_OQ) |
                           _mm512_mask_cmp_pd_mask(less, u[g], low[g],
                                                   _CMP_EQ_OQ);
                less = _mm512_cmp_pd_mask(v, best, _CMP_LT_OQ) |
                       _mm512_mask_cmp_pd_mask(less, v, best, _CMP_EQ_OQ);
                for (int g = 0; g < lower; g++)
                    low[g] = _mm512_mask_mov_pd(low[g], less, u[g]);
                first = _mm512_mask_mov_pd(first, less, index);
                best = _mm512_min_pd(best, v);
                index = _mm512_add_pd(index, one);
                if (key == key_end)
                    break;
            }
        }
        if (t0 + LEMICA_BLOCK_WIDTH - 1 <= scan->hi) {
            __m256i first32 = _mm512_cvttpd_epi32(first);

            _mm512_storeu_pd(scan->key_cur + t0, best);
            for (int g = 0; g < lower; g++)
                _mm512_storeu_pd(scan->lower_cur + g * stride + t0, low[g]);
            _mm_storeu_si128(
                (__m128i *)(void *)(scan->pred + t0),
                _mm_packus_epi32(_mm256_castsi256_si128(first32),
                                 _mm256_extractf128_si256(first32, 1)));
            continue;
        }
        _mm512_storeu_pd(lanes, best);
        _mm512_storeu_pd(first_lanes, first);
        block_store(scan, t0, lanes, first_lanes, NULL);
        for (int g = 0; g < lower; g++) {
            _mm512_storeu_pd(lanes, low[g]);
            block_store_lower(scan, t0, g, lanes);
        }
    }
}

/* One copy per number of lower groups. */
__attribute__((target("avx"))) static void
blocked_scan_lex_avx(const struct block_scan *scan)
{
    if (scan->lower == 1)
        blocked_scan_lex2_avx(scan);
    else if (scan->lower == 2)
        blocked_scan_lex_avx_op(scan, 2);
    else
        blocked_scan_lex_avx_op(scan, LEX_LOWER_MAX);
}

__attribute__((target("avx512f"))) static void
blocked_scan_lex_avx512(const struct block_scan *scan)
{
    if (scan->lower == 1)
        blocked_scan_lex_avx512_op(scan, 1);
    else if (scan->lower == 2)
        blocked_scan_lex_avx512_op(scan, 2);
    else
        blocked_scan_lex_avx512_op(scan, LEX_LOWER_MAX);
}

/* One copy of the loop per use, so it tests nothing. */
__attribute__((target("avx"))) static void
blocked_scan_avx(const struct block_scan *scan)
{
    /* SUM needs no last candidate: encoded LEXMAX of several groups
     * takes the lexicographic scans (layer_sum_blocked()). */
    if (scan->op == SCAN_SUM)
        blocked_scan_avx_op(scan, SCAN_SUM, 0);
    else if (scan->last)
        blocked_scan_avx_op(scan, SCAN_MAX, 1);
    else
        blocked_scan_avx_op(scan, SCAN_MAX, 0);
}

__attribute__((target("avx512f"))) static void
blocked_scan_avx512(const struct block_scan *scan)
{
    /* SUM needs no last candidate: encoded LEXMAX of several groups
     * takes the lexicographic scans (layer_sum_blocked()). */
    if (scan->op == SCAN_SUM)
        blocked_scan_avx512_op(scan, SCAN_SUM, 0);
    else if (scan->last)
        blocked_scan_avx512_op(scan, SCAN_MAX, 1);
    else
        blocked_scan_avx512_op(scan, SCAN_MAX, 0);
}


/* Tests turn AVX-512 off to run the AVX kernel on machines with both. */
static int blocked_scan_avx512_allowed = 1;

void
lemica_blocked_scan(const struct block_scan *scan)
{
    /* libgcc's CPU model, one load (see cpu_has_avx() in solver-dp.c). */
    if (blocked_scan_avx512_allowed && __builtin_cpu_supports("avx512f")) {
        /* LEXMAX's scan (with the last tied candidate) on 16-bit indices
         * where the CPU has AVX-512 BW and VL, which every AVX-512 CPU
         * since Skylake-X has (blocked_scan_last_avx512bw()). */
        if (scan->op == SCAN_MAX && scan->last &&
            __builtin_cpu_supports("avx512bw") &&
            __builtin_cpu_supports("avx512vl"))
            blocked_scan_last_avx512bw(scan);
        else
            blocked_scan_avx512(scan);
    } else
        blocked_scan_avx(scan);
}

void
lemica_blocked_scan_lex(const struct block_scan *scan)
{
    if (blocked_scan_avx512_allowed && __builtin_cpu_supports("avx512f"))
        blocked_scan_lex_avx512(scan);
    else
        blocked_scan_lex_avx(scan);
}
#endif

void
lemica_solver_set_blocked_scan_avx512(int allowed)
{
#ifdef LEMICA_HAVE_AVX_SCAN
    blocked_scan_avx512_allowed = allowed;
#else
    (void)allowed;
#endif
}
