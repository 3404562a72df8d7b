/* SPDX-License-Identifier: MIT */
/*
 * LEXMAX as an exact SUM when the graph has few distinct weights.
 *
 * Let the distinct positive weights be v_0 < v_1 < ... < v_{D-1}. Two
 * cost vectors of the same length, sorted descending, compare
 * lexicographically exactly as their count vectors (n_{D-1}, ..., n_0)
 * do, where n_k is how often v_k occurs (zeros fill the rest and need no
 * count). A path has at most B - 1 segments, so every n_k < B, and the
 * count vector read as a number in base B,
 *
 *     sum_k n_k * B^k,
 *
 * orders paths exactly like LEXMAX. It is the path-sum of the weights
 * encoded as v_k -> B^k (and 0 -> 0). When B^D <= 2^53 every such sum is an
 * integer a double holds exactly, so the SUM DP on encoded weights gives
 * LEXMAX's answer -- the same schedule, tie rule included, since equal
 * sums mean equal vectors -- at the speed of a shortest-path DP. Graphs
 * with equal or few distinct weights are exactly where the sorted-vector
 * DP meets the most ties, so this is where it helps.
 *
 * Two refinements stretch that to more levels:
 * - Mixed radix. A level's count on a path is also at most the number of
 *   usable edges of that level, e_k, so its digit needs only radix
 *   R_k = min(B, e_k + 1): a rare outlier value costs one bit, not log2 B.
 *   Digits at positions P_k = prod_{j<k} R_j still order paths
 *   lexicographically, since each n_k < R_k.
 * - Groups. When prod R_k > 2^53 the levels are cut, from the top, into
 *   groups whose radix products each stay <= 2^53: group 0 holds the
 *   highest levels. A path's cost is then a few exact sums, one per group,
 *   compared lexicographically (group 0 first). Both scans compare all
 *   the sums of each candidate: the blocked scan eight states at a time
 *   (layer_sum_blocked() in solver-dp.c), the row scan four candidates of
 *   a state at a time (solver-row-lex.c).
 *
 * - Chains. A level held by a single edge (an outlier) is on a path at
 *   most once, and two such edges only if their steps do not overlap, so
 *   the radices 2 of many outliers over few steps overstate what a path
 *   can hold; chain_digits() bounds it by the heaviest chain of them
 *   instead, which often fits one group where the radices need two.
 *   Each one's digit is above every chain of those below it, so the
 *   heaviest chain is a greedy from the top (chain_digits_greedy()).
 *
 * And one that needs fewer levels. For one budget, LEXMAX's path has the
 * smallest largest weight of all paths, so if some path of the budget
 * uses only the lowest L levels, no edge above them can be on the
 * optimum: each state on it keeps its value and the set of candidates
 * reaching that value (they are below the optimum's largest weight too),
 * so dropping those edges (+inf, unusable) changes neither the schedule
 * nor the tie rule. A reachability pass over bitsets (K shifts of
 * ceil(N / 64) words a layer, a few percent of the DP) checks for such a
 * path with the most levels that fit in fewer digit groups than the graph
 * needs, or in any number that encodes when it has too many; many-level
 * graphs (16, 64, 256 levels at N = 1000) then run one or two sums. The
 * evenly spread path of the budget is tried first: where it keeps to the
 * levels it proves the same in B steps (spread_path_usable()); the
 * bitsets, which grow as N K B / 64 like the DP itself, only decide where
 * it does not.
 * (Not for the frontier: its largest budgets must take whatever edges of
 * span 1 there are.)
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "../common/error-int.h"
#include "avx-select-int.h"
#include "blocked-scan-int.h"
#include "solver-int.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#define ENCODE_HAVE_SSE2 1
#endif

#define MAX_LEVELS LEMICA_DIGIT_LEVELS_MAX
/* The largest single level kept as its own code: B - 1 <= 2^16 copies of
 * it sum far below DBL_MAX. */
#define ONE_LEVEL_MAX 0x1.0p900

/* The distinct weights of the matrix, in an open-addressing set: each
 * look-up is a multiply and a compare or two. The positive finite ones
 * are the levels (indices 0 .. count - 1); 0 and +inf are in the set too,
 * under INDEX_ZERO and INDEX_INF, so that a slot holding either also
 * costs one look-up (-0.0 is a key of its own, with INDEX_ZERO).
 * Distinct weights are the common case that does not encode: the set
 * finds that after MAX_LEVELS + 1 values. Each value gets an index in the
 * order it is first seen; collect_levels() leaves that index in a byte per
 * slot of the matrix, so the encoding pass is a table look-up per slot. */
/* See collect_levels(). */
#define SPARSE_LEVELS 32
#define SPARSE_LEVELS_ONE 64
/* The blocked scan's one budget tests from this many values on (see
 * collect_levels()): its DP settles ties only on the states the schedule
 * can pass through (lexmax_blocked_one() in solver-dp.c), so spread
 * values cost less there than encoded (64 levels at N = 50, K = 20 / 49:
 * 37.6 k / 50.1 k instructions against 72.0 k / 94.8 k), and at K = 20
 * distinct values give up after one row instead of two. Quantised
 * profiles of up to 16 samples (17 values) never reach it: on few values
 * the encoding stays far cheaper (9 values: 51 k against 99 k without
 * it; equal weights 40 k against 739 k). */
#define SPARSE_LEVELS_BLOCKED_ONE 20
/* Nor does the blocked scan's one budget encode spread levels past the
 * plain radix B: at the row where B^count first passes 2^53 (a row or two
 * in), with under one slot in four so far holding a value of its own
 * (where the plain cut would run), it gives up at N <= SPREAD_ONE_MAX_STEPS,
 * and at any N if B^count is past 2^106 already (twice the plain radix's
 * levels by then: many levels in the first rows). The MAX pass of
 * lexmax_blocked_one() and its marked ties mostly cost less than the
 * level set, the plain cut's reachability and the code pass (levels-16 at
 * N = 50, K = 20 / 49, one budget: 45.2 k / 69.8 k instructions against
 * 66.7 k / 88.5 k; 64 levels at N = 100, K = 99: 261 k against 524 k).
 * How many states tie is up to the graph, though: of 100 random graphs
 * of 14 - 24 levels at N = 40 .. 64, 85 fell (most by 20% - 45%) but 7
 * rose by 10% - 126%, all at N = 57 or 64 (levels-16 itself at N = 100,
 * K = 20: 218 k against 209 k), hence the limit; of 60 graphs of 32 - 100
 * levels at N = 66 .. 128 that the 2^106 test gives up on, none rose. */
#define SPREAD_ONE_MAX_STEPS 56
#define SET_EMPTY UINT64_MAX
#define SET_SLOTS 512 /* a power of two, over twice MAX_LEVELS */
#define INDEX_ZERO 254u /* the byte of a slot holding 0 */
#define INDEX_INF 255u  /* of one holding +inf */
#if MAX_LEVELS > 253
#error "value indices are bytes, two of them reserved"
#endif

struct level_set {
    uint64_t bits[SET_SLOTS];   /* a value's bits; SET_EMPTY: empty (a
                                   NaN, never a weight) */
    unsigned char index[SET_SLOTS]; /* its index, in the order first seen */
    double seen[MAX_LEVELS];    /* the values by index */
    uint64_t edges[256];        /* by index (INDEX_ZERO, INDEX_INF
                                   too): how many slots hold it */
    int level[MAX_LEVELS];      /* by index: its rank among the values */
    int order[MAX_LEVELS];      /* by rank: the index */
    size_t slot[MAX_LEVELS];    /* by index: the first slot holding it */
    uint64_t zeros;             /* how many slots hold 0 */
    double base;                /* the budget B */
    double room;                /* B^count (see collect_levels()) */
    int count;                  /* positive finite values */
    /* collect_dominant(): 1 if it collected the set, and then the slots
     * holding another value than the first slot's (index 0), ascending. */
    int dominant;
    size_t other_count;
    uint32_t others[256];
};

static inline unsigned
set_hash(uint64_t bits)
{
    return (unsigned)((bits * 0x9e3779b97f4a7c15ull) >> 55);
}

/* The slot of @bits (the value @w, first seen at slot @i of the matrix),
 * probing on from @at, where set_hash() did not find it: added if new.
 * SET_SLOTS when that would take more than MAX_LEVELS positive values. */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((always_inline))
#endif
static inline unsigned
set_find_inline(struct level_set *set, uint64_t bits, double w, size_t i, unsigned at)
{
    /* Integer compares: two floating ones (with their NaN tests) cost
     * half the look-up. */
    while (set->bits[at] != bits && set->bits[at] != SET_EMPTY)
        at = (at + 1) & (SET_SLOTS - 1);
    if (set->bits[at] == SET_EMPTY) {
        if (w == HUGE_VAL) {
            set->index[at] = INDEX_INF;
        } else if (w == 0.0) {
            set->index[at] = INDEX_ZERO;
        } else {
            if (set->count == MAX_LEVELS)
                return SET_SLOTS;
            set->index[at] = (unsigned char)set->count;
            set->seen[set->count] = w;
            set->slot[set->count++] = i;
            set->room *= set->base;
        }
        set->bits[at] = bits;
    }
    return at;
}

/* set_find_inline() out of line: the few-level pass calls it rarely and
 * keeps its registers (levels-8, N = 50: 3% of a solve when inlined); the
 * counting pass, for many levels, calls it on most slots. */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((noinline))
#endif
static unsigned
set_find(struct level_set *set, uint64_t bits, double w, size_t i, unsigned at)
{
    return set_find_inline(set, bits, w, i, at);
}

/* The slots of row @row of the weight matrix that can hold an edge:
 * [*lo, *hi) (empty for rows without any). The rest (the blocked scan's
 * pads, spans past the last step, predecessors before step 0) are +inf
 * whatever the graph, so the encoding leaves them alone: with K = N - 1
 * they are half the matrix or more. */
static inline void
slot_row(const lemica_solver *solver, const struct lemica_problem *problem,
         int row, size_t *lo, size_t *hi)
{
    const int n = problem->num_steps, k = problem->max_skip;

    if (problem->blocked) {
        /* Row s: the pad, then the edges (s, s + d), d = 1 .. K. */
        const size_t start =
            (size_t)row * ((size_t)k + LEMICA_BLOCK_PAD) + LEMICA_BLOCK_PAD;
        /* (slot_rows(): row < n) */
        const int spans = k < n - 1 - row ? k : n - 1 - row;

        *lo = start;
        *hi = start + (size_t)spans;
    } else {
        /* Row t: the edges (t - K + j, t), j = 0 .. K - 1, usable from
         * first_pred[t] on. */
        const int first = ((const int *)solver->work.first_pred.data)[row];
        const size_t start = (size_t)row * (size_t)k;

        *lo = start + (size_t)(first - (row - k) < k ? first - (row - k) : k);
        *hi = row == 0 ? *lo : start + (size_t)k;
    }
}

/* How many rows slot_row() takes. */
static int
slot_rows(const struct lemica_problem *problem)
{
    return problem->num_steps;
}

/* INDEX_INF into the slots of @indices that slot_row() leaves out (the
 * passes over every slot read them). */
static void
fill_gaps(const lemica_solver *solver, const struct lemica_problem *problem,
          unsigned char *indices, size_t slots)
{
    size_t end = 0;

    for (int r = 0, rows = slot_rows(problem); r < rows; r++) {
        size_t lo, hi;

        slot_row(solver, problem, r, &lo, &hi);
        memset(indices + end, INDEX_INF, lo - end);
        end = hi;
    }
    memset(indices + end, INDEX_INF, slots - end);
}

/* The slots [@lo, @hi) of @matrix into @indices, looking values up in
 * @set, without counting edges. *@last and *@index: the bits and the index
 * of the slot before. SET_SLOTS when there are too many values, else 0. */
static unsigned
index_slots(struct level_set *set, const double *matrix,
            unsigned char *indices, size_t lo, size_t hi, uint64_t *last,
            unsigned *index)
{
    uint64_t prev = *last;
    unsigned at_index = *index;

    for (size_t i = lo; i < hi;) {
        uint64_t bits;

        memcpy(&bits, &matrix[i], sizeof(bits));
        if (bits == prev) {
            indices[i++] = (unsigned char)at_index;
#ifdef ENCODE_HAVE_SSE2
            /* A run goes on (one weight, or outliers under one): four
             * slots a step while all four hold it. */
            {
                const __m128i run = _mm_set1_epi64x((long long)prev);
                const uint32_t four = at_index * 0x01010101u;

                for (; i + 4 <= hi; i += 4) {
                    const __m128i a = _mm_cmpeq_epi32(
                        _mm_loadu_si128(
                            (const __m128i *)(const void *)(matrix + i)),
                        run);
                    const __m128i b = _mm_cmpeq_epi32(
                        _mm_loadu_si128(
                            (const __m128i *)(const void *)(matrix + i + 2)),
                        run);

                    if (_mm_movemask_epi8(_mm_and_si128(a, b)) != 0xffff)
                        break;
                    memcpy(indices + i, &four, sizeof(four));
                }
            }
#endif
            continue;
        }
        {
            unsigned at = set_hash(bits);

            prev = bits;
            if (set->bits[at] != bits) {
                at = set_find(set, bits, matrix[i], i, at);
                if (at == SET_SLOTS)
                    return SET_SLOTS;
            }
            at_index = set->index[at];
        }
        indices[i++] = (unsigned char)at_index;
    }
    *last = prev;
    *index = at_index;
    return 0;
}

#ifdef LEMICA_HAVE_AVX_SCAN
#include <immintrin.h>

/* From this many levels to RANK_LEVELS_MAX the blocked scan (which has
 * AVX) ranks the levels by counting, for each, the levels below it, four
 * compares an instruction, instead of the Shell sort and the look-ups
 * that find each sorted value's index again: 64 outliers at N = 50 (63
 * levels) cost about 7.1 k instructions that way. The count grows as the
 * square of the levels, so past RANK_LEVELS_MAX the sort stays; below
 * RANK_LEVELS_MIN it costs about as little. */
#define RANK_LEVELS_MIN 24
#define RANK_LEVELS_MAX 64

/* rank_levels() on the levels rounded to floats, eight compares an
 * instruction: 0 (and set->level, set->order, @levels, @edges partly
 * written) when two of them round to one float, which then has no
 * strict rank and leaves some rank unused. Rounding keeps the order
 * (a < b gives (float)a <= (float)b), so where the floats differ they
 * order as the values do and the ranks are the same. (64 outliers at
 * N = 50: 3 k instructions rather than 6 k.) */
__attribute__((target("avx"))) static int
rank_levels_float(struct level_set *set, double *levels, uint64_t *edges,
                  int counting)
{
    float padded[RANK_LEVELS_MAX];
    const int count = set->count, whole = (count + 15) & ~15;
    const __m256 one = _mm256_set1_ps(1.0f);
    uint64_t ranks = 0; /* bit k: rank k taken */
    int j = 0;

    for (; j + 4 <= count; j += 4)
        _mm_storeu_ps(padded + j, _mm256_cvtpd_ps(_mm256_loadu_pd(set->seen + j)));
    for (; j < count; j++)
        padded[j] = (float)set->seen[j];
    /* +inf is below no level (a level that rounds to +inf ties with the
     * pads and with its like: a rank of its own only if alone). */
    for (; j < whole; j++)
        padded[j] = HUGE_VALF;
    for (int v = 0; v < count; v++) {
        const __m256 x = _mm256_set1_ps(padded[v]);
        __m256 below = _mm256_setzero_ps(), below2 = _mm256_setzero_ps();
        __m128 sum;
        int k;

        for (int q = 0; q < whole; q += 16) {
            below = _mm256_add_ps(
                below, _mm256_and_ps(_mm256_cmp_ps(x, _mm256_loadu_ps(padded + q),
                                                   _CMP_GT_OQ),
                                     one));
            below2 = _mm256_add_ps(
                below2,
                _mm256_and_ps(_mm256_cmp_ps(x, _mm256_loadu_ps(padded + q + 8),
                                            _CMP_GT_OQ),
                              one));
        }
        below = _mm256_add_ps(below, below2);
        sum = _mm_add_ps(_mm256_castps256_ps128(below),
                         _mm256_extractf128_ps(below, 1));
        sum = _mm_add_ps(sum, _mm_movehl_ps(sum, sum));
        sum = _mm_add_ss(sum, _mm_shuffle_ps(sum, sum, 1));
        k = (int)_mm_cvtss_f32(sum);
        ranks |= (uint64_t)1 << k;
        set->order[k] = v;
        levels[k] = set->seen[v];
        edges[k] = counting ? set->edges[v] : 0;
        set->level[v] = k;
    }
    /* Every rank 0 .. count - 1 once: no two floats were equal. */
    return ranks == (count == 64 ? ~(uint64_t)0
                                 : ((uint64_t)1 << count) - 1);
}

/* The rank of each level of @set (its values are positive, finite and
 * distinct, so the number of them below one is its rank) into
 * set->level and set->order, the values ascending into @levels, their
 * edge counts (when @counting) into @edges, as collect_levels() does. */
__attribute__((target("avx"))) static void
rank_levels_double(struct level_set *set, double *levels, uint64_t *edges,
                   int counting)
{
    double padded[RANK_LEVELS_MAX];
    /* Eight values a step, two sums: the loop's own count and test were
     * a third of a step of four. */
    const int count = set->count, whole = (count + 7) & ~7;
    const __m256d one = _mm256_set1_pd(1.0);

    memcpy(padded, set->seen, (size_t)count * sizeof(padded[0]));
    /* +inf is below no level. */
    for (int j = count; j < whole; j++)
        padded[j] = HUGE_VAL;
    for (int v = 0; v < count; v++) {
        const __m256d x = _mm256_set1_pd(padded[v]);
        __m256d below = _mm256_setzero_pd(), below2 = _mm256_setzero_pd();
        __m128d sum;
        int k;

        for (int j = 0; j < whole; j += 8) {
            below = _mm256_add_pd(
                below, _mm256_and_pd(_mm256_cmp_pd(x, _mm256_loadu_pd(padded + j),
                                                   _CMP_GT_OQ),
                                     one));
            below2 = _mm256_add_pd(
                below2,
                _mm256_and_pd(_mm256_cmp_pd(x, _mm256_loadu_pd(padded + j + 4),
                                            _CMP_GT_OQ),
                              one));
        }
        below = _mm256_add_pd(below, below2);
        sum = _mm_add_pd(_mm256_castpd256_pd128(below),
                         _mm256_extractf128_pd(below, 1));
        k = (int)_mm_cvtsd_f64(_mm_add_sd(sum, _mm_unpackhi_pd(sum, sum)));
        set->order[k] = v;
        levels[k] = padded[v];
        edges[k] = counting ? set->edges[v] : 0;
        set->level[v] = k;
    }
}

/* rank_levels_double(), by floats where they differ. */
__attribute__((target("avx"))) static void
rank_levels(struct level_set *set, double *levels, uint64_t *edges,
            int counting)
{
    if (!rank_levels_float(set, levels, edges, counting))
        rank_levels_double(set, levels, edges, counting);
}

/* One value on most slots and a few others (outliers under one common
 * weight, more of them than encode_few() takes): the slots that do not
 * hold it, found four at a time, go to a list of at most
 * DOMINANT_OTHERS_MAX (and an eighth of the slots), and only they are
 * looked up and counted; the common value's count is the rest. The
 * level set's pass over every slot, a compare a slot and a look-up at
 * each change of value with the runs' counts, cost 12 k of a 68.7 k
 * one-budget solve on 64 outliers at N = 50 (MAX: 31.7 k). */
#define DOMINANT_OTHERS_MAX 256 /* (the size of level_set.others) */

/* collect_levels() for a dominant value, the first edge slot's (see
 * above): the set (every value, its first slot), each slot's index in
 * @indices (every slot from the first row's to the last row's: the gaps
 * between rows hold the common value's, as fill_gaps() knows), the edge
 * counts in set->edges. 0 (@indices and the set scratch written; the
 * level set's pass starts the set again) when the first
 * eight slots do not hold it six times or more, or there are too many
 * other slots or values. */
__attribute__((target("avx"))) static int
collect_dominant(const struct lemica_problem *problem, const double *matrix,
                 struct level_set *set, unsigned char *indices)
{
    const int n = problem->num_steps, k = problem->max_skip;
    const size_t stride = (size_t)k + LEMICA_BLOCK_PAD;
    const size_t first = LEMICA_BLOCK_PAD;
    uint32_t *others = set->others;
    size_t count = 0, total = 0, end = first, limit;
    __m256d common;
    uint64_t bits;
    unsigned at;

    /* (Rows of fewer than eight slots: not tried. Nor a first slot of 0
     * or +inf, not a level: quantised profiles start with runs of 0.) */
    if (n < 2 || (k < n - 1 ? k : n - 1) < 8 || !(matrix[first] > 0.0) ||
        matrix[first] == HUGE_VAL)
        return 0;
    common = _mm256_set1_pd(matrix[first]);
    if (__builtin_popcount(
            (unsigned)_mm256_movemask_pd(_mm256_cmp_pd(
                _mm256_loadu_pd(matrix + first), common, _CMP_EQ_OQ)) |
            (unsigned)_mm256_movemask_pd(_mm256_cmp_pd(
                _mm256_loadu_pd(matrix + first + 4), common, _CMP_EQ_OQ))
                << 4) < 6)
        return 0;
    limit = (size_t)n * (size_t)k / 8;
    if (limit > DOMINANT_OTHERS_MAX)
        limit = DOMINANT_OTHERS_MAX;
    for (int r = 0; r < n - 1; r++) {
        const size_t lo = (size_t)r * stride + LEMICA_BLOCK_PAD;
        const size_t hi = lo + (size_t)(k < n - 1 - r ? k : n - 1 - r);
        size_t i = lo;

        total += hi - lo;
        end = hi;
        /* A row's last vector reads at most three slots past it, into the
         * +inf of the next row's pad or of spans past the last step (the
         * matrix has a row past the last step's, see few_pass_w()), and
         * keeps them out by a mask. */
        for (; i < hi; i += 4) {
            unsigned other = (unsigned)_mm256_movemask_pd(_mm256_cmp_pd(
                _mm256_loadu_pd(matrix + i), common, _CMP_NEQ_UQ));

            if (hi - i < 4)
                other &= (1u << (hi - i)) - 1;
            while (other) {
                if (count == limit)
                    return 0;
                others[count++] = (uint32_t)(i + (size_t)__builtin_ctz(other));
                other &= other - 1;
            }
        }
    }
    /* Every slot the common value's, then the others': the values in the
     * order first seen (the common one first: it is the first slot's). */
    memset(indices + first, 0, end - first);
    set->count = 0;
    memset(set->bits, 0xff, sizeof(set->bits)); /* SET_EMPTY */
    memset(set->edges, 0, sizeof(set->edges));
    memcpy(&bits, &matrix[first], sizeof(bits));
    at = set_find(set, bits, matrix[first], first, set_hash(bits));
    for (size_t j = 0; j < count; j++) {
        const size_t i = others[j];
        unsigned index;

        memcpy(&bits, &matrix[i], sizeof(bits));
        at = set_hash(bits);
        if (set->bits[at] != bits) {
            at = set_find(set, bits, matrix[i], i, at);
            if (at == SET_SLOTS)
                return 0;
        }
        index = set->index[at];
        set->edges[index]++;
        indices[i] = (unsigned char)index;
    }
    set->edges[0] = (uint64_t)(total - count);
    set->other_count = count;
    set->dominant = 1;
    return 1;
}

/* The code pass of one group after collect_dominant(): @common (index 0's
 * code) into every edge slot, four a store, then each other slot's own
 * code (@code by index) -- instead of a look-up a slot (outliers-64,
 * N = 50, K = 20, one budget: 4.5 k instructions). */
__attribute__((target("avx"))) static void
write_dominant(const struct lemica_problem *problem, const struct level_set *set,
               const unsigned char *indices, const double *code,
               double *matrix, int kept)
{
    const int n = problem->num_steps, k = problem->max_skip;
    const size_t stride = (size_t)k + LEMICA_BLOCK_PAD;
    const __m256d common = _mm256_set1_pd(code[0]);

    /* @kept: the common value is its own code (dominant_scale()), its
     * slots stay as they are. */
    for (int r = 0; !kept && r < n - 1; r++) {
        const size_t lo = (size_t)r * stride + LEMICA_BLOCK_PAD;
        const size_t hi = lo + (size_t)(k < n - 1 - r ? k : n - 1 - r);
        size_t i = lo;

        for (; i + 4 <= hi; i += 4)
            _mm256_storeu_pd(matrix + i, common);
        /* The row's last slots: not the next row's pad. */
        for (; i < hi; i++)
            matrix[i] = code[0];
    }
    for (size_t j = 0; j < set->other_count; j++)
        matrix[set->others[j]] = code[indices[set->others[j]]];
}
#endif

/* Collect the levels of @matrix, ascending into @levels, and each slot's
 * value index into @indices (only the slots slot_row() gives: see
 * fill_gaps()); 0 if there are more than MAX_LEVELS. Their edge counts
 * (@edges, set->zeros) only when the plain radix B does not hold them
 * all (B^count > 2^53): *@counted says whether. */
static int
collect_levels(const lemica_solver *solver,
               const struct lemica_problem *problem, const double *matrix,
               struct level_set *set, unsigned char *indices, double *levels,
               uint64_t *edges, int *counted)
{
    /* The blocked scan's sorted-vector DP is cheap on weights that rarely
     * tie (one budget builds a state's head only for ties, solver-dp.c),
     * so there the set stops after a row once a quarter of the slots so
     * far hold a value of their own (distinct, diffusion-like, 64 or 256
     * levels at N = 50: it cost 10-35% of a one-budget solve, and 64
     * levels do not encode for the frontier). Nor for the frontier of
     * the row scan, where spread levels need too many radices of N.
     * Outliers under one common weight go on. For one budget the blocked
     * scan tests from SPARSE_LEVELS_BLOCKED_ONE values on and goes on
     * while at most half the slots hold a value of their own, past
     * SPARSE_LEVELS_ONE values a quarter (distinct values and DBL_MAX
     * mixes are above 0.66; 64 levels at N = 50 above a half in the first
     * row (K = 49: 30 of 49) or two (K = 20), so they give up, and the DP
     * is cheaper there; fewer levels than SPARSE_LEVELS_BLOCKED_ONE
     * encode, past the plain radix through the plain cut of
     * lemica_solver_encode_lexmax()). */
    const int one = (problem->blocked || lemica_solver_row_one(solver, problem)) &&
                    !problem->frontier;
    const uint64_t sparse = one ? SPARSE_LEVELS_BLOCKED_ONE
                            : problem->blocked || problem->frontier
                                ? SPARSE_LEVELS
                                : MAX_LEVELS + 1;
    uint64_t last = SET_EMPTY; /* the bits of the previous slot */
    unsigned index = INDEX_INF;
    uint64_t scanned = 0; /* slots of the rows begun */
    int counting = 0, plain = 1; /* plain: B^count <= 2^53 so far */
    /* Past this B^count the one budget of the blocked scan gives up
     * (SPREAD_ONE_MAX_STEPS; +inf: never). */
    const double spread_room =
        !problem->blocked || !one ? HUGE_VAL
        : problem->num_steps <= SPREAD_ONE_MAX_STEPS ? 0x1.0p53
                                                     : 0x1.0p106;

    /* While B^count <= 2^53 the plain radix B encodes (a level's count
     * on a path is below B; the level k weighs B^k): no counts. Past it,
     * the rows from there on count their runs and the rows before count
     * their indices -- for one budget only where the values repeat
     * (under one in four slots so far holds a value of its own: outliers
     * under one common weight, whose long runs cost little to count;
     * spread levels get there within a row or two). Otherwise one
     * budget tries the plain cut first (lemica_solver_encode_lexmax()),
     * which needs no counts. (B^count is exact up to 2^53, and no power
     * of an integer is 2^53 + 1, the one above that could round to it.) */
    set->base = (double)problem->budget;
    set->room = 1.0;
    set->dominant = 0;
#ifdef LEMICA_HAVE_AVX_SCAN
    if (problem->blocked &&
        collect_dominant(problem, matrix, set, indices)) {
        /* The counts as the pass below would use them: the plain radix B
         * while B^count <= 2^53 (the same codes, as few_fuzz checks). */
        counting = set->room > 0x1.0p53;
        goto levels;
    }
    set->room = 1.0;
#endif
    set->count = 0;
    memset(set->bits, 0xff, sizeof(set->bits)); /* SET_EMPTY */
    for (int r = 0, rows = slot_rows(problem); r < rows; r++) {
        size_t lo, hi;

        slot_row(solver, problem, r, &lo, &hi);
        scanned += hi - lo;
        if (!counting) {
            if (index_slots(set, matrix, indices, lo, hi, &last, &index))
                return 0;
            if (set->room > 0x1.0p53 && plain) {
                plain = 0;
                if (problem->frontier ||
                    (uint64_t)set->count * 4 < scanned) {
                    /* Count the rows so far from their indices, as
                     * count_levels() does for all rows: written out here,
                     * since a call (clobbering registers) cost the
                     * few-level pass about 430 instructions a solve
                     * (equal weights, N = 50, one budget: +1.1%). */
                    memset(set->edges, 0, sizeof(set->edges));
                    for (int q = 0; q <= r; q++) {
                        size_t a, b;

                        slot_row(solver, problem, q, &a, &b);
                        for (size_t i = a; i < b; i++)
                            set->edges[indices[i]]++;
                    }
                    counting = 1;
                } else if (set->room > spread_room) {
                    return 0; /* see SPREAD_ONE_MAX_STEPS */
                }
            }
        } else {
            /* Each run of one value index adds its end and subtracts its
             * start (modulo 2^64: the counts come out exact). */
            set->edges[index] -= lo; /* @last's run goes on into this row */
            for (size_t i = lo; i < hi; i++) {
                uint64_t bits;

                memcpy(&bits, &matrix[i], sizeof(bits));
                /* Runs of one weight are common (few levels): no look-up
                 * for them. Otherwise one: 0 and +inf are in the set too,
                 * under their own indices, so a value seen before costs a
                 * multiply, a compare and a load. */
                if (bits != last) {
                    unsigned at = set_hash(bits);

                    set->edges[index] += i;
                    last = bits;
                    if (set->bits[at] != bits) {
                        at = set_find_inline(set, bits, matrix[i], i, at);
                        if (at == SET_SLOTS)
                            return 0;
                    }
                    index = set->index[at];
                    set->edges[index] -= i;
                }
                indices[i] = (unsigned char)index;
            }
            set->edges[index] += hi;
        }
        if ((uint64_t)set->count >= sparse) {
            const uint64_t values = (uint64_t)set->count;

            if (one ? values * 2 > scanned ||
                          (set->count > SPARSE_LEVELS_ONE &&
                           values * 4 > scanned)
                    : values * 4 > scanned)
                return 0;
        }
    }
levels:
    *counted = counting;
    set->zeros = counting ? set->edges[INDEX_ZERO] : 0;
#ifdef LEMICA_HAVE_AVX_SCAN
    if (problem->blocked && set->count >= RANK_LEVELS_MIN &&
        set->count <= RANK_LEVELS_MAX) {
        rank_levels(set, levels, edges, counting);
        return 1;
    }
#endif
    /* Ascending, by Shell sort (Ciura's gaps; up to MAX_LEVELS values:
     * insertion alone cost a tenth of a small solve at 64 levels) of the
     * values' bits (positive doubles order as their bits do; the values
     * are distinct), then each finds its index again in the set and
     * learns its rank. Sorting the bits themselves rather than indices
     * by their values saves a load a step (outliers-64, N = 50, one
     * budget: 1.6 k instructions of about 7 k). */
    {
        static const int gaps[] = {132, 57, 23, 10, 4, 1};
        uint64_t sorted[MAX_LEVELS];

        memcpy(sorted, set->seen, (size_t)set->count * sizeof(sorted[0]));
        for (size_t g = 0; g < sizeof(gaps) / sizeof(gaps[0]); g++) {
            const int gap = gaps[g];

            for (int v = gap; v < set->count; v++) {
                const uint64_t moving = sorted[v];
                int k = v;

                for (; k >= gap && sorted[k - gap] > moving; k -= gap)
                    sorted[k] = sorted[k - gap];
                sorted[k] = moving;
            }
        }
        for (int k = 0; k < set->count; k++) {
            unsigned at = set_hash(sorted[k]);

            while (set->bits[at] != sorted[k])
                at = (at + 1) & (SET_SLOTS - 1);
            index = set->index[at];
            set->order[k] = (int)index;
            memcpy(&levels[k], &sorted[k], sizeof(levels[k]));
            edges[k] = counting ? set->edges[index] : 0;
            set->level[index] = k;
        }
    }
    return 1;
}

/* The digit groups of @count levels with edge counts @edges (ascending
 * levels), base @base: group[k] and digit[k] of each level. Returns the
 * number of groups, or 0 if more than LEMICA_DIGIT_GROUPS_MAX. */
static int
assign_digits(const uint64_t *edges, int count, double base,
              unsigned char *group, double *digit)
{
    int groups = 0, top = count - 1;

    while (top >= 0) {
        double product = 1.0;
        int bottom = top;

        if (groups == LEMICA_DIGIT_GROUPS_MAX)
            return 0;
        /* The longest run of levels from @top down whose radices multiply
         * to at most 2^53 (one level always fits: R <= B <= 2^16). */
        for (; bottom >= 0; bottom--) {
            double radix = (double)edges[bottom] + 1.0 < base
                               ? (double)edges[bottom] + 1.0
                               : base;

            if (product * radix > 0x1.0p53)
                break;
            product *= radix;
        }
        /* Digits from the group's lowest level up: higher levels weigh
         * more. */
        product = 1.0;
        for (int k = bottom + 1; k <= top; k++) {
            double radix = (double)edges[k] + 1.0 < base
                               ? (double)edges[k] + 1.0
                               : base;

            group[k] = (unsigned char)groups;
            digit[k] = product;
            product *= radix;
        }
        groups++;
        top = bottom;
    }
    return groups;
}

/* The edge (*from, *to) of slot @i of the weight matrix. */
static void
slot_edge(const struct lemica_problem *problem, size_t i, int *from, int *to)
{
    const size_t k = (size_t)problem->max_skip;

    if (problem->blocked) {
        const size_t stride = k + LEMICA_BLOCK_PAD;

        *from = (int)(i / stride);
        *to = *from + (int)(i % stride) - LEMICA_BLOCK_PAD + 1;
    } else {
        *to = (int)(i / k);
        *from = *to - (int)k + (int)(i % k);
    }
}

/* Digits of one group for every level, from what a path can hold, when
 * the mixed radix needs more than one group. A level's digit must exceed
 * the largest sum of the lower levels' digits on any path (then the sums
 * order paths like their count vectors: see the top of this file); the
 * mixed radix bounds that by each level's count on a path. A level held
 * by one edge (an outlier under a common weight) counts at most once, and
 * two such edges are on one path only if their steps do not overlap: the
 * heaviest chain of non-overlapping single edges (weighted by their
 * digits) bounds their part, the radix the rest. With many outliers over
 * few steps they overlap and the chain is far below the product of their
 * radices 2 (64 outliers at N = 50: 49 bits instead of 64).
 *
 * The chain is a DP over the single edges ordered by their last step
 * (weighted interval scheduling), redone from the new edge's place on
 * each time a level gets its digit: O(m^2) for m single edges
 * (m <= MAX_LEVELS). Returns 1 and fills @digit if every path's sum stays
 * <= 2^53, else 0 (@digit untouched). chain_digits() takes it only past
 * 64 single edges or CHAIN_STEPS steps (chain_digits_greedy() below). */
static int
chain_digits_sorted(const struct lemica_problem *problem,
                    const struct level_set *set, const uint64_t *edges,
                    int count, double *digit)
{
    const uint64_t limit = (uint64_t)1 << 53;
    const uint64_t most = (uint64_t)problem->budget - 1; /* edges a path has */
    int from[MAX_LEVELS], to[MAX_LEVELS], place[MAX_LEVELS], before[MAX_LEVELS];
    int rank[MAX_LEVELS]; /* by level: its single edge's place, or -1 */
    uint64_t code[MAX_LEVELS], chain[MAX_LEVELS + 1], value[MAX_LEVELS];
    uint64_t radix_part = 0; /* the levels of several edges, so far */
    int m = 0;

    /* The single edges by their last step: each packed into one key
     * (last step, first step, level; steps < 2^16, levels < 2^8), Shell
     * sorted (Ciura's gaps), unpacked. */
    {
        static const int gaps[] = {132, 57, 23, 10, 4, 1};
        uint64_t key[MAX_LEVELS];

        for (int k = 0; k < count; k++) {
            int s, t;

            rank[k] = -1;
            if (edges[k] != 1)
                continue;
            slot_edge(problem, set->slot[set->order[k]], &s, &t);
            key[m++] = (uint64_t)t << 32 | (uint64_t)s << 8 | (uint64_t)k;
        }
        for (size_t g = 0; g < sizeof(gaps) / sizeof(gaps[0]); g++) {
            const int gap = gaps[g];

            for (int i = gap; i < m; i++) {
                const uint64_t moving = key[i];
                int at = i;

                for (; at >= gap && key[at - gap] > moving; at -= gap)
                    key[at] = key[at - gap];
                key[at] = moving;
            }
        }
        for (int i = 0; i < m; i++) {
            to[i] = (int)(key[i] >> 32);
            from[i] = (int)(key[i] >> 8 & 0xffffff);
            place[i] = (int)(key[i] & 0xff);
        }
    }
    if (m == 0)
        return 0;
    for (int i = 0; i < m; i++) {
        int lo = 0, hi = i;

        rank[place[i]] = i;
        code[i] = 0; /* no digit yet: adds nothing to a chain */
        /* before[i]: how many edges end at or before from[i]. */
        while (lo < hi) {
            int mid = (lo + hi) / 2;

            if (to[mid] <= from[i])
                lo = mid + 1;
            else
                hi = mid;
        }
        before[i] = lo;
    }
    for (int i = 0; i <= m; i++)
        chain[i] = 0;
    for (int k = 0; k < count; k++) {
        /* chain[m] + radix_part <= limit, so no sum below overflows. */
        value[k] = chain[m] + radix_part + 1;
        if (value[k] > limit)
            return 0;
        if (rank[k] < 0) {
            uint64_t copies = edges[k] < most ? edges[k] : most;

            if (copies > (limit - chain[m] - radix_part) / value[k])
                return 0;
            radix_part += copies * value[k];
        } else {
            code[rank[k]] = value[k];
            uint64_t heaviest = chain[rank[k]];

            for (int i = rank[k]; i < m; i++) {
                const uint64_t with = code[i] + chain[before[i]];

                heaviest = with > heaviest ? with : heaviest;
                chain[i + 1] = heaviest;
            }
            if (chain[m] > limit - radix_part)
                return 0;
        }
    }
    /* Only now: on failure @digit keeps the mixed radix's. */
    for (int k = 0; k < count; k++)
        digit[k] = (double)value[k];
    return 1;
}

/* The index of the highest set bit of @word (not 0). */
static inline int
highest_bit(uint64_t word)
{
#if defined(__GNUC__) || defined(__clang__)
    return 63 - __builtin_clzll(word);
#else
    int bit = 0;

    while (word >>= 1)
        bit++;
    return bit;
#endif
}

/* chain_digits() for at most 64 single edges over at most CHAIN_STEPS
 * steps, in O(m) words and O(size of the chains) steps rather than
 * O(m^2). Each single edge's digit is above every chain of the single
 * edges before it (it is one more than the heaviest of them, plus the
 * radix part), so of two chains the heavier is the one holding the
 * latest edge where they differ: the heaviest chain through the new
 * edge is the new edge, then the latest earlier edge that does not
 * overlap it, then the latest that overlaps neither, and so on -- a bit
 * scan and a mask a step, with each edge's mask of the edges it does
 * not overlap (those ending at or before its first step or starting at
 * or after its last) built from prefix ORs by step. The same chains as
 * chain_digits_sorted()'s DP, so the same digits. */
#define CHAIN_STEPS 256
static int
chain_digits_greedy(const struct lemica_problem *problem, const int *from,
                    const int *to, const int *single, int m,
                    const uint64_t *edges, int count, double *digit)
{
    const uint64_t limit = (uint64_t)1 << 53;
    const uint64_t most = (uint64_t)problem->budget - 1; /* edges a path has */
    const int n = problem->num_steps;
    uint64_t ends[CHAIN_STEPS];   /* step x: the edges ending at or before x */
    uint64_t starts[CHAIN_STEPS]; /* the edges starting at or after x */
    uint64_t apart[64];           /* by edge: the edges it does not overlap */
    uint64_t code[64], value[MAX_LEVELS];
    uint64_t radix_part = 0; /* the levels of several edges, so far */
    uint64_t chain = 0;      /* the heaviest chain so far */
    int j = 0;

    memset(ends, 0, (size_t)n * sizeof(ends[0]));
    memset(starts, 0, (size_t)n * sizeof(starts[0]));
    for (int e = 0; e < m; e++) {
        ends[to[e]] |= (uint64_t)1 << e;
        starts[from[e]] |= (uint64_t)1 << e;
    }
    for (int x = 1; x < n; x++)
        ends[x] |= ends[x - 1];
    for (int x = n - 2; x >= 0; x--)
        starts[x] |= starts[x + 1];
    for (int e = 0; e < m; e++)
        apart[e] = ends[from[e]] | starts[to[e]];
    for (int k = 0; k < count; k++) {
        /* chain + radix_part <= limit, so no sum below overflows. */
        value[k] = chain + radix_part + 1;
        if (value[k] > limit)
            return 0;
        if (!single[k]) {
            uint64_t copies = edges[k] < most ? edges[k] : most;

            if (copies > (limit - chain - radix_part) / value[k])
                return 0;
            radix_part += copies * value[k];
        } else {
            /* The earlier single edges apart from edge j. */
            uint64_t left = apart[j] & (((uint64_t)1 << j) - 1);
            uint64_t sum = value[k];

            while (left) {
                const int e = highest_bit(left);

                sum += code[e];
                left &= apart[e];
            }
            code[j++] = value[k];
            chain = sum;
            if (chain > limit - radix_part)
                return 0;
        }
    }
    /* Only now: on failure @digit keeps the mixed radix's. */
    for (int k = 0; k < count; k++)
        digit[k] = (double)value[k];
    return 1;
}

/* Digits of one group for every level (see chain_digits_sorted()):
 * chain_digits_greedy() where it applies. */
static int
chain_digits(const struct lemica_problem *problem, const struct level_set *set,
             const uint64_t *edges, int count, double *digit)
{
    int from[64], to[64], single[MAX_LEVELS];
    int m = 0;

    if (problem->num_steps > CHAIN_STEPS)
        return chain_digits_sorted(problem, set, edges, count, digit);
    for (int k = 0; k < count; k++) {
        single[k] = edges[k] == 1;
        if (!single[k])
            continue;
        if (m == 64)
            return chain_digits_sorted(problem, set, edges, count, digit);
        slot_edge(problem, set->slot[set->order[k]], &from[m], &to[m]);
        m++;
    }
    if (m == 0)
        return 0;
    return chain_digits_greedy(problem, from, to, single, m, edges, count,
                               digit);
}

/* The value index of the edge (@s, @t), t - s <= K, in either scan's
 * layout. */
static inline unsigned char
edge_index(const struct lemica_problem *problem, const unsigned char *indices,
           int s, int t)
{
    const int k = problem->max_skip;

    return problem->blocked
               ? indices[(size_t)s * ((size_t)k + LEMICA_BLOCK_PAD) +
                         LEMICA_BLOCK_PAD + (size_t)(t - s) - 1]
               : indices[(size_t)t * (size_t)k + (size_t)(k - (t - s))];
}

/* Offsets from the spread path's step that spread_path_usable() tries:
 * up to 16 steps either way. With 7 of 16 random levels usable (levels-16,
 * N = 400, K = 399, B = 100), 9 probes (4 either way) found no path four
 * times in ten (the last but one needs two usable edges, 1 in 5), and the
 * bitsets cost 3.3 M of 31.3 M instructions; a probe costs a few. */
#define SPREAD_PROBES 33
static const int spread_probe[SPREAD_PROBES] = {
    0,  1,   -1,  2,   -2,  3,   -3,  4,   -4,  5,   -5,
    6,  -6,  7,   -7,  8,   -8,  9,   -9,  10,  -10, 11,
    -11, 12, -12, 13, -13, 14, -14, 15, -15, 16, -16};

/* Whether a path of the budget that keeps to the @usable edges turns up
 * near the evenly spread one (calls at c (N - 1) / (B - 1)): each call
 * takes the first usable edge to within 16 steps of its spread
 * position that leaves the rest of the path room (the last but one also
 * a usable edge on to the end). If one does, some path keeps to those
 * levels and reachable_below() need not build its bitsets: a proof, not
 * a test; when none turns up the bitsets decide. On profiles whose error
 * grows with the span (quantised-8, K = N - 1, N = 400: B = 100, spans of
 * 4 or 5, all zeros) it answers for 3.4 M of a 30.6 M instruction solve,
 * and on random levels where over half the edges are usable (levels-16,
 * N = 200, K = 199, the 9 lowest) for 0.66 M of 5.2 M. */
static int
spread_path_usable(const struct lemica_problem *problem,
                   const unsigned char *indices, const unsigned char *usable)
{
    const int n = problem->num_steps, k = problem->max_skip;
    const int edges = problem->budget - 1;
    int s = 0;

    if (edges < 1 || edges > n - 1)
        return 0;
    for (int c = 1; c < edges; c++) {
        const int spread = (int)((int64_t)c * (n - 1) / edges);
        const int rest = edges - c; /* edges after this one */
        int p = 0;

        for (; p < SPREAD_PROBES; p++) {
            const int t = spread + spread_probe[p];

            /* Forward, within K, and the rest can still reach the end
             * with one step or more, K or fewer, an edge. */
            if (t <= s || t - s > k || n - 1 - t < rest ||
                n - 1 - t > (int64_t)rest * k)
                continue;
            if (!usable[edge_index(problem, indices, s, t)])
                continue;
            if (rest == 1 && !usable[edge_index(problem, indices, t, n - 1)])
                continue;
            break;
        }
        if (p == SPREAD_PROBES)
            return 0;
        s = spread + spread_probe[p];
    }
    /* The last edge: found usable by the last but one (or the only one). */
    return edges > 1 || (n - 1 <= k &&
                         usable[edge_index(problem, indices, 0, n - 1)]);
}

/* reachable_below() for N <= 64: one word a step, the usable edges out
 * of it, and each layer the union of those of the steps it reaches -- no
 * masks by span to build and shift. The blocked scan's rows are read as
 * the weights themselves, two at a time where SSE2 is: usable is at most
 * @cut, the largest value kept (0 is; +inf, an edge that is not, is not;
 * no NaN gets here). The row scan's slots by value index (@usable).
 * N = 50, K = 49: 12 k instructions rather than 30 k. */
static int
reachable_small(const struct lemica_problem *problem, const double *matrix,
                double cut, const unsigned char *indices,
                const unsigned char *usable)
{
    const int n = problem->num_steps, k = problem->max_skip;
    uint64_t out[64] = {0}; /* by step s: bit t if edge (s, t) is usable */
    uint64_t reach = 1;     /* layer 1: step 0 */

    if (problem->blocked) {
        const size_t stride = (size_t)k + LEMICA_BLOCK_PAD;
#ifdef ENCODE_HAVE_SSE2
        const __m128d top = _mm_set1_pd(cut);
#endif

        for (int s = 0; s < n - 1; s++) {
            /* w[j]: the edge (s, s + 1 + j). */
            const double *w = matrix + (size_t)s * stride + LEMICA_BLOCK_PAD;
            const int spans = k < n - 1 - s ? k : n - 1 - s;
            uint64_t bits = 0;
            int j = 0;

#ifdef ENCODE_HAVE_SSE2
            for (; j + 2 <= spans; j += 2)
                bits |= (uint64_t)_mm_movemask_pd(
                            _mm_cmple_pd(_mm_loadu_pd(w + j), top))
                        << j;
#endif
            for (; j < spans; j++)
                bits |= (uint64_t)(w[j] <= cut) << j;
            out[s] = bits << (s + 1);
        }
    } else {
        for (int t = 1; t < n; t++) {
            const unsigned char *into = indices + (size_t)t * (size_t)k + k;
            const int last = k < t ? k : t;

            for (int d = 1; d <= last; d++)
                out[t - d] |= (uint64_t)usable[into[-d]] << t;
        }
    }
    for (int c = 2; c <= problem->budget; c++) {
        uint64_t next = 0;

#if defined(__GNUC__) || defined(__clang__)
        for (uint64_t left = reach; left; left &= left - 1)
            next |= out[__builtin_ctzll(left)];
#else
        for (int s = 0; s < n - 1; s++)
            next |= out[s] & (0 - (reach >> s & 1u));
#endif
        if (!next)
            return 0;
        reach = next;
    }
    return (int)(reach >> (n - 1) & 1u);
}

/* Whether a path of exactly @problem->budget steps from step 0 to the last
 * one uses only usable edges of the lowest @count levels (value index @v
 * of a slot is usable there if 0 or set->level[v] < @count). @matrix is
 * the weight matrix, not yet encoded. @masks has (K + 2) * ceil(N / 64)
 * words; for N <= 64 reachable_small() answers and they are not read. */
static int
reachable_below(const struct lemica_problem *problem, const double *matrix,
                const struct level_set *set, const unsigned char *indices,
                int count, uint64_t *masks)
{
    const int n = problem->num_steps, k = problem->max_skip;
    const size_t words = ((size_t)n + 63) / 64;
    uint64_t *reach = masks + (size_t)k * words;
    uint64_t *next = reach + words;
    unsigned char usable[256];

    memset(usable, 0, sizeof(usable));
    usable[INDEX_ZERO] = 1;
    for (int v = 0; v < set->count; v++)
        usable[v] = set->level[v] < count;
    /* First the edges out of step 0 and into the last one: with a few
     * outliers under one common weight, no path starts or ends below the
     * cut, and the masks need not be built. */
    {
        const int last = k < n - 1 ? k : n - 1;
        int out = 0, in = 0;

        for (int d = 1; d <= last; d++) {
            if (problem->blocked) {
                const size_t stride = (size_t)k + LEMICA_BLOCK_PAD;

                out |= usable[indices[LEMICA_BLOCK_PAD + (size_t)d - 1]];
                in |= usable[indices[(size_t)(n - 1 - d) * stride +
                                     LEMICA_BLOCK_PAD + (size_t)d - 1]];
            } else {
                out |= usable[indices[(size_t)d * (size_t)k + (size_t)(k - d)]];
                in |= usable[indices[(size_t)(n - 1) * (size_t)k +
                                     (size_t)(k - d)]];
            }
        }
        if (!out || !in)
            return 0;
    }
    if (spread_path_usable(problem, indices, usable))
        return 1;
    if (words == 1)
        return reachable_small(problem, matrix,
                               count > 0 ? set->seen[set->order[count - 1]]
                                         : 0.0,
                               indices, usable);
    memset(masks, 0, (size_t)k * words * sizeof(*masks));
    /* masks[(d - 1) * words ...]: bit t if edge (t - d, t) is usable. */
    if (problem->blocked) {
        const size_t stride = (size_t)k + LEMICA_BLOCK_PAD;

        for (int s = 0; s < n; s++) {
            const unsigned char *from =
                indices + (size_t)s * stride + LEMICA_BLOCK_PAD - 1;
            const int last = k < n - 1 - s ? k : n - 1 - s;

            for (int d = 1; d <= last; d++) {
                int t = s + d;

                masks[(size_t)(d - 1) * words + (size_t)t / 64] |=
                    (uint64_t)usable[from[d]] << (t % 64);
            }
        }
    } else {
        for (int t = 1; t < n; t++) {
            const unsigned char *into = indices + (size_t)t * (size_t)k + k;
            const int last = k < t ? k : t;
            uint64_t *word = masks + (size_t)t / 64;
            const unsigned bit = (unsigned)t % 64;

            for (int d = 1; d <= last; d++)
                word[(size_t)(d - 1) * words] |= (uint64_t)usable[into[-d]]
                                                 << bit;
        }
    }
    memset(reach, 0, words * sizeof(*reach));
    reach[0] = 1; /* layer 1: step 0 */
    for (int c = 2; c <= problem->budget; c++) {
        uint64_t any = 0;

        memset(next, 0, words * sizeof(*next));
        for (int d = 1; d <= k; d++) {
            const uint64_t *mask = masks + (size_t)(d - 1) * words;
            const size_t q = (size_t)d / 64;
            const unsigned r = (unsigned)d % 64;

            if (q >= words)
                break;
            if (r == 0) {
                for (size_t w = q; w < words; w++)
                    next[w] |= reach[w - q] & mask[w];
            } else {
                next[q] |= (reach[0] << r) & mask[q];
                for (size_t w = q + 1; w < words; w++)
                    next[w] |= ((reach[w - q] << r) |
                                (reach[w - q - 1] >> (64 - r))) &
                               mask[w];
            }
        }
        for (size_t w = 0; w < words; w++)
            any |= next[w];
        if (!any)
            return 0;
        {
            uint64_t *swap = reach;

            reach = next;
            next = swap;
        }
    }
    return (int)((reach[(size_t)(n - 1) / 64] >> ((n - 1) % 64)) & 1u);
}

/* For one budget, the most levels (at most @count) that fit in fewer digit
 * groups than @groups (any number that encodes when @groups is 0) and that
 * some path of the budget can keep to; @count when there are none. No path
 * keeps to the lowest @refused levels (a test that failed before; 0 if
 * none), nor so to fewer: those are not tested again. */
static int
levels_needed(lemica_solver *solver, const struct lemica_problem *problem,
              const double *matrix, const struct level_set *set,
              const unsigned char *indices, const uint64_t *edges, int count,
              int groups, int refused, int *status)
{
    const size_t words = ((size_t)problem->num_steps + 63) / 64;
    const double base = (double)problem->budget;
    /* Where the graph does not encode at all, several groups beat the
     * sorted-vector DP on short rows only: on long ones nearly every
     * candidate ties on group 0 and the lower groups' scans cost more
     * (levels-64, N = 200, one budget: K = 20 2.27x -> 2.03x, K = 199
     * 1.99x -> 2.49x of MAX in instructions with two groups). */
    const int fewer = groups                   ? groups - 1
                      : problem->max_skip > 64 ? 1
                                               : LEMICA_DIGIT_GROUPS_MAX;
    int fits[LEMICA_DIGIT_GROUPS_MAX];
    uint64_t *masks;

    *status = 1;
    if (problem->frontier || groups == 1)
        return count;
    /* The most levels from the bottom that fit in g groups, for g = 1 ..
     * fewer: filling groups from the bottom up, each as far as it goes,
     * is as good as any split (and assign_digits() then needs at most g
     * for them). More groups keep more levels, so when no path keeps to
     * the most, none keeps to fewer. */
    {
        double product = 1.0;
        int g = 0;

        for (int k = 0; k < count && g < fewer; k++) {
            double radix = (double)edges[k] + 1.0 < base
                               ? (double)edges[k] + 1.0
                               : base;

            if (product * radix > 0x1.0p53) {
                fits[g++] = k;
                product = 1.0;
            }
            product *= radix;
        }
        while (g < fewer)
            fits[g++] = count;
    }
    if (fits[fewer - 1] >= count)
        return count;
    /* A path of the budget takes budget - 1 edges: with fewer usable ones
     * below the cut (a few outliers under one common weight) there is
     * nothing to test. */
    {
        uint64_t below = set->zeros;

        for (int k = 0; k < fits[fewer - 1]; k++)
            below += edges[k];
        if (below < (uint64_t)problem->budget - 1)
            return count;
    }
    if (!lemica_solver_reserve(&solver->work.reach_masks,
                               ((size_t)problem->max_skip + 2) * words,
                               sizeof(uint64_t))) {
        *status = 0;
        return count;
    }
    masks = solver->work.reach_masks.data;
    /* One group is the usual answer when there is one: try it first, then
     * the most levels; only when that works, the counts in between. */
    if (fits[0] > refused &&
        reachable_below(problem, matrix, set, indices, fits[0], masks))
        return fits[0];
    if (fewer == 1 || fits[fewer - 1] == fits[0] ||
        fits[fewer - 1] <= refused ||
        !reachable_below(problem, matrix, set, indices, fits[fewer - 1], masks))
        return count;
    for (int g = 2; g < fewer; g++)
        if (fits[g - 1] < fits[fewer - 1] && fits[g - 1] > refused &&
            reachable_below(problem, matrix, set, indices, fits[g - 1], masks))
            return fits[g - 1];
    return fits[fewer - 1];
}

/* The edge counts collect_levels() left out (for one budget it counts
 * nothing): from the slots' value indices, into set->edges, set->zeros
 * and @edges (ascending levels). */
static void
count_levels(const lemica_solver *solver,
             const struct lemica_problem *problem, struct level_set *set,
             const unsigned char *indices, uint64_t *edges)
{
    memset(set->edges, 0, sizeof(set->edges));
    for (int r = 0, rows = slot_rows(problem); r < rows; r++) {
        size_t lo, hi;

        slot_row(solver, problem, r, &lo, &hi);
        for (size_t i = lo; i < hi; i++)
            set->edges[indices[i]]++;
    }
    set->zeros = set->edges[INDEX_ZERO];
    for (int k = 0; k < set->count; k++)
        edges[k] = set->edges[set->order[k]];
}

#ifdef LEMICA_HAVE_AVX_SCAN
#include <immintrin.h>

/* Few values on the blocked scan (which runs only where the CPU has AVX,
 * lemica_solver_use_blocked_scan()): at most FEW_KEYS distinct weights,
 * 0 and +inf included, whose positive levels fit the plain radix B. Then
 * the encoded matrix is the one lemica_solver_encode_lexmax() writes
 * through the level set (one group, the level k weighs B^k), but found by
 * comparing four slots at a time with every value seen so far, and written
 * by selecting each slot's code among them: no look-up and no index byte
 * a slot (at N = 50 the set's index pass and the code pass over the index
 * bytes cost 16 and 5 instructions a slot, 20 k of a 52 k one-budget
 * solve on 5 levels, where MAX takes 32 k). */
#define FEW_KEYS 12

/* lemica_solver_set_few_values_encoding() (test hook). */
static int few_values_allowed = 1;

struct few_keys {
    double key[FEW_KEYS]; /* the values seen, compared as doubles (-0.0 as
                             0.0: both encode as 0) */
    int count;            /* keys */
    int levels;           /* of them positive and finite */
    double room;          /* B^levels */
};

/* @w into @keys unless there already: 0 when that makes too many keys,
 * or more levels than the plain radix holds (or @w is not a weight).
 * The keys not yet used are NaN (encode_few()), so all FEW_KEYS are
 * compared, four a compare: the loop over the keys cost about 600 of a
 * 41 k one-budget solve on 8 levels at N = 50 (the first row is added
 * slot by slot). */
#if FEW_KEYS != 12
#error "few_add() compares three vectors of keys"
#endif
__attribute__((target("avx"), always_inline)) static inline int
few_add(struct few_keys *keys, double w, double base)
{
    const __m256d x = _mm256_set1_pd(w);

    if (_mm256_movemask_pd(_mm256_or_pd(
            _mm256_or_pd(_mm256_cmp_pd(x, _mm256_loadu_pd(keys->key),
                                       _CMP_EQ_OQ),
                         _mm256_cmp_pd(x, _mm256_loadu_pd(keys->key + 4),
                                       _CMP_EQ_OQ)),
            _mm256_cmp_pd(x, _mm256_loadu_pd(keys->key + 8), _CMP_EQ_OQ))))
        return 1;
    if (keys->count == FEW_KEYS)
        return 0;
    if (w != 0.0 && w != HUGE_VAL) {
        if (!(w > 0.0))
            return 0;
        keys->room *= base;
        if (keys->room > 0x1.0p53)
            return 0;
        keys->levels++;
    }
    keys->key[keys->count++] = w;
    return 1;
}

/* The geometry of the blocked matrix's slots that can hold an edge: row
 * r from r * stride + LEMICA_BLOCK_PAD, min(K, N - 1 - r) slots. The
 * kernels read whole vectors of four slots: a row's last one reaches at
 * most three slots past it, into the +inf of spans past the last step or
 * of the next row's pad (fill_outgoing(): the matrix has a row past the
 * last step's), and keeps them out by a mask. */
struct few_rows {
    size_t stride;
    int n, k;
};

__attribute__((target("avx"), always_inline)) static inline __m256d
few_tail_mask(size_t left, int cmp_lanes_below)
{
    /* Lanes below @left (1 .. 3) set, or (not @cmp_lanes_below) the
     * others. */
    const __m256d lane = _mm256_set_pd(3.0, 2.0, 1.0, 0.0);
    const __m256d limit = _mm256_set1_pd((double)left);

    return cmp_lanes_below ? _mm256_cmp_pd(lane, limit, _CMP_LT_OQ)
                           : _mm256_cmp_pd(lane, limit, _CMP_GE_OQ);
}

/* Modes of few_pass_w(). */
enum few_mode {
    FEW_WRITE,   /* codes, up to the first slot holding no key */
    FEW_FIND,    /* no codes: up to the first slot holding no key */
    FEW_REWRITE  /* codes up to @end, every slot holding a key */
};

/* The code of each slot's key, from slot @pos on: @w keys. FEW_WRITE and
 * FEW_FIND return 0 at the first vector that has a slot holding none of
 * them, with *@pos there and that vector not written, else (and at the
 * end) 1; FEW_REWRITE stops at slot @end (where a vector begins). A
 * slot's code is selected by its key's mask (the keys differ, so at most
 * one is set) from -1, which no code is:
 * a sign bit set tells a slot that holds no key (FEW_FIND: -0.0 from
 * +0.0, a sign bit clear). */
__attribute__((target("avx"), always_inline)) static inline int
few_pass_w(double *matrix, const struct few_rows *rows, const double *key,
           const double *code, int w, size_t *pos, size_t end,
           enum few_mode mode, int dominant)
{
    __m256d kv[FEW_KEYS], cv[FEW_KEYS];
    const __m256d first = _mm256_set1_pd(code[0]);
    const __m256d none = _mm256_set1_pd(mode == FEW_FIND ? 0.0 : -1.0);
    int r = (int)(*pos / rows->stride);
    size_t i = *pos;

    /* cv: each key's code, selected by one vblendvpd a key
     * (lemica_select_pd(): a compare, an and and a xor a key before). */
    for (int j = 0; j < w; j++) {
        kv[j] = _mm256_set1_pd(key[j]);
        cv[j] = _mm256_set1_pd(mode == FEW_FIND ? -0.0 : code[j]);
    }
    /* Up to 6 keys (their codes, the vector, the select and two
     * constants fit the 16 registers) the rows are an outer loop; from 7
     * on one loop over the vectors, the row's end a branch in it: with the
     * outer loop GCC reloaded the spilled keys and codes at each row, 20
     * instructions (8 keys, N = 50: 900 of a 41 k solve); below 7 the one
     * loop cost two instructions a vector more (equal weights: +0.5%). */
    for (; w < 7 && r < rows->n - 1; r++) {
        const size_t lo = (size_t)r * rows->stride + LEMICA_BLOCK_PAD;
        const size_t hi =
            lo + (size_t)(rows->k < rows->n - 1 - r ? rows->k : rows->n - 1 - r);
        __m256d c;

        if (i < lo)
            i = lo;
        for (; i + 4 <= hi; i += 4) {
            const __m256d v = _mm256_loadu_pd(matrix + i);

            if (mode == FEW_REWRITE && i >= end)
                return 1;
            if (dominant && _mm256_movemask_pd(_mm256_cmp_pd(
                                v, kv[0], _CMP_EQ_OQ)) == 15) {
                /* Four slots of the first key (see encode_few()). */
                if (mode == FEW_WRITE)
                    _mm256_storeu_pd(matrix + i, first);
                continue;
            }
            c = none;
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC unroll 12
#endif
            for (int j = 0; j < w; j++)
                c = lemica_select_pd_mem(_mm256_cmp_pd(v, kv[j], _CMP_EQ_OQ),
                                         cv[j], c);
            if (mode == FEW_FIND) {
                /* (-0.0 for every key: the signs tell the misses.) */
                if (_mm256_movemask_pd(c) != 15) {
                    *pos = i;
                    return 0;
                }
                continue;
            }
            if (mode == FEW_WRITE && _mm256_movemask_pd(c)) {
                *pos = i;
                return 0;
            }
            _mm256_storeu_pd(matrix + i, c);
        }
        if (i < hi) {
            const __m256d v = _mm256_loadu_pd(matrix + i);
            const __m256d below = few_tail_mask(hi - i, 1);
            const int lanes = _mm256_movemask_pd(below);

            if (mode == FEW_REWRITE && i >= end)
                return 1;
            c = none;
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC unroll 12
#endif
            for (int j = 0; j < w; j++)
                c = lemica_select_pd_mem(_mm256_cmp_pd(v, kv[j], _CMP_EQ_OQ),
                                         cv[j], c);
            if (mode == FEW_FIND) {
                if ((_mm256_movemask_pd(c) & lanes) != lanes) {
                    *pos = i;
                    return 0;
                }
            } else if (mode == FEW_WRITE && (_mm256_movemask_pd(c) & lanes)) {
                *pos = i;
                return 0;
            } else {
                _mm256_maskstore_pd(matrix + i, _mm256_castpd_si256(below), c);
            }
            i = hi;
        }
    }
    if (r >= rows->n - 1)
        return 1;
    {
        size_t lo = (size_t)r * rows->stride + LEMICA_BLOCK_PAD;
        size_t hi =
            lo + (size_t)(rows->k < rows->n - 1 - r ? rows->k : rows->n - 1 - r);

        if (i < lo)
            i = lo;
        /* (i - 4 at a row's start: lo >= LEMICA_BLOCK_PAD >= 4.) */
        for (;; i += 4) {
            __m256d v, c;

            if (i + 4 > hi) {
                if (i < hi) {
                    const __m256d below = few_tail_mask(hi - i, 1);
                    const int lanes = _mm256_movemask_pd(below);

                    v = _mm256_loadu_pd(matrix + i);
                    if (mode == FEW_REWRITE && i >= end)
                        return 1;
                    c = none;
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC unroll 12
#endif
                    for (int j = 0; j < w; j++)
                        c = lemica_select_pd_mem(
                            _mm256_cmp_pd(v, kv[j], _CMP_EQ_OQ), cv[j], c);
                    if (mode == FEW_FIND) {
                        if ((_mm256_movemask_pd(c) & lanes) != lanes) {
                            *pos = i;
                            return 0;
                        }
                    } else if (mode == FEW_WRITE &&
                               (_mm256_movemask_pd(c) & lanes)) {
                        *pos = i;
                        return 0;
                    } else {
                        _mm256_maskstore_pd(matrix + i,
                                            _mm256_castpd_si256(below), c);
                    }
                }
                if (++r >= rows->n - 1)
                    return 1;
                lo = (size_t)r * rows->stride + LEMICA_BLOCK_PAD;
                hi = lo + (size_t)(rows->k < rows->n - 1 - r ? rows->k
                                                             : rows->n - 1 - r);
                i = lo - 4;
                continue;
            }
            v = _mm256_loadu_pd(matrix + i);
            if (mode == FEW_REWRITE && i >= end)
                return 1;
            if (dominant && _mm256_movemask_pd(_mm256_cmp_pd(
                                v, kv[0], _CMP_EQ_OQ)) == 15) {
                /* Four slots of the first key (see encode_few()). */
                if (mode == FEW_WRITE)
                    _mm256_storeu_pd(matrix + i, first);
                continue;
            }
            c = none;
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC unroll 12
#endif
            for (int j = 0; j < w; j++)
                c = lemica_select_pd_mem(_mm256_cmp_pd(v, kv[j], _CMP_EQ_OQ),
                                         cv[j], c);
            if (mode == FEW_FIND) {
                /* (-0.0 for every key: the signs tell the misses.) */
                if (_mm256_movemask_pd(c) != 15) {
                    *pos = i;
                    return 0;
                }
                continue;
            }
            if (mode == FEW_WRITE && _mm256_movemask_pd(c)) {
                *pos = i;
                return 0;
            }
            _mm256_storeu_pd(matrix + i, c);
        }
    }
}

/* few_pass_w() for @w keys, each count and mode its own loop; @dominant
 * tests four slots for the first key alone first (not in FEW_REWRITE). */
__attribute__((target("avx"), noinline)) static int
few_pass(double *matrix, const struct few_rows *rows, const double *key,
         const double *code, int w, size_t *pos, size_t end,
         enum few_mode mode, int dominant)
{
    switch (w) {
#define FEW_CASE(W)                                                            \
    case W:                                                                    \
        return mode == FEW_WRITE                                               \
                   ? dominant ? few_pass_w(matrix, rows, key, code, W, pos,    \
                                           end, FEW_WRITE, 1)                  \
                              : few_pass_w(matrix, rows, key, code, W, pos,    \
                                           end, FEW_WRITE, 0)                  \
               : mode == FEW_FIND                                              \
                   ? dominant ? few_pass_w(matrix, rows, key, code, W, pos,    \
                                           end, FEW_FIND, 1)                   \
                              : few_pass_w(matrix, rows, key, code, W, pos,    \
                                           end, FEW_FIND, 0)                   \
                   : few_pass_w(matrix, rows, key, code, W, pos, end,          \
                                FEW_REWRITE, 0);
        FEW_CASE(1) FEW_CASE(2) FEW_CASE(3) FEW_CASE(4) FEW_CASE(5)
        FEW_CASE(6) FEW_CASE(7) FEW_CASE(8) FEW_CASE(9) FEW_CASE(10)
        FEW_CASE(11) FEW_CASE(12)
#undef FEW_CASE
    }
    return 0;
}

/* The code of each of the @keys (see encode_few()) into @code. */
static void
few_codes(const struct few_keys *keys, double base, double *code)
{
    int order[FEW_KEYS];
    int count = 0;
    double product = 1.0;

    /* The levels' keys by value (insertion: at most FEW_KEYS). */
    for (int j = 0; j < keys->count; j++) {
        const double v = keys->key[j];
        int at = count;

        /* 0, +inf. A zero's code is +0.0 even for a key of -0.0: a code's
         * sign bit marks a slot of no key in few_pass(), which would then
         * meet that slot again and again (the graph stores +0.0 for both
         * zeros, so no matrix holds -0.0 today). */
        code[j] = v == 0.0 ? 0.0 : v;
        if (v == 0.0 || v == HUGE_VAL)
            continue;
        for (; at > 0 && keys->key[order[at - 1]] > v; at--)
            order[at] = order[at - 1];
        order[at] = j;
        count++;
    }
    /* One level no larger than ONE_LEVEL_MAX is its own code
     * (lemica_solver_encode_lexmax()). */
    if (count == 1 && keys->key[order[0]] <= ONE_LEVEL_MAX)
        return;
    for (int l = 0; l < count; l++) {
        code[order[l]] = product;
        product *= base;
    }
}

/* The slot after the last of the vector at slot @pos. */
static size_t
few_vector_end(const struct few_rows *rows, size_t pos)
{
    const int r = (int)(pos / rows->stride);
    const size_t hi = (size_t)r * rows->stride + LEMICA_BLOCK_PAD +
                      (size_t)(rows->k < rows->n - 1 - r ? rows->k
                                                         : rows->n - 1 - r);

    return pos + 4 < hi ? pos + 4 : hi;
}

/* The values of the vector at slot @pos into @keys: 0 if too many. */
__attribute__((target("avx"))) static int
few_add_vector(struct few_keys *keys, const struct few_rows *rows,
               const double *matrix, size_t pos, double base)
{
    for (size_t i = pos, end = few_vector_end(rows, pos); i < end; i++)
        if (!few_add(keys, matrix[i], base))
            return 0;
    return 1;
}

/* The blocked scan's matrix encoded when it has few values (see above):
 * 1 if done, 0 (the matrix as it was) if not. One pass writes each
 * slot's code among the keys seen so far. At a slot holding a new value
 * the value joins them; when that changes the codes of the others (a
 * level below the highest, or a second one) the slots written so far
 * hold the old codes (all different): within the first rows they are
 * written again, from the old codes to the new, further on the rest of
 * the slots is first searched for new values (no writes), so that they
 * are rewritten once (outliers under one common weight come at random
 * places). With too many values the slots written go back to their
 * values. */
__attribute__((target("avx"))) static int
encode_few(struct lemica_problem *problem, double *matrix)
{
    const double base = (double)problem->budget;
    struct few_rows rows;
    struct few_keys keys;
    size_t pos = 0, firsts = 0, slots;
    double code[FEW_KEYS];
    int dominant;

    rows.stride = (size_t)problem->max_skip + LEMICA_BLOCK_PAD;
    rows.n = problem->num_steps;
    rows.k = problem->max_skip;
    keys.count = keys.levels = 0;
    keys.room = 1.0;
    for (int j = 0; j < FEW_KEYS; j++)
        keys.key[j] = (double)NAN; /* (few_add()) */
    /* (B >= 2: the codes of different levels differ.) The first row's
     * values one by one: spread values stop there, and few ones are
     * mostly all seen. */
    if (rows.n < 2 || problem->budget < 2)
        return 0;
    slots = (size_t)(rows.k < rows.n - 1 ? rows.k : rows.n - 1);
    for (size_t i = LEMICA_BLOCK_PAD; i < LEMICA_BLOCK_PAD + slots; i++) {
        if (!few_add(&keys, matrix[i], base))
            return 0;
        firsts += matrix[i] == keys.key[0];
        /* Eight different values in the first eight slots: spread values
         * (distinct, diffusion-like, DBL_MAX mixes), which the level set
         * gives up on after a row; few levels hardly ever do that. */
        if (i == LEMICA_BLOCK_PAD + 7 && keys.count == 8)
            return 0;
    }
    /* One value on most slots (outliers under one common weight): four
     * slots are first tested for it alone. */
    dominant = firsts * 4 >= slots * 3;
    /* Other values at the first row's rate would be too many (64
     * outliers at N = 50: one or two in the first row): the level set's
     * runs cost less than finding that out further on. */
    if (dominant && (size_t)(keys.count - 1) * (size_t)(rows.n - 1) >
                        (size_t)FEW_KEYS * 2)
        return 0;
    few_codes(&keys, base, code);
    while (!few_pass(matrix, &rows, keys.key, code, keys.count, &pos, 0,
                     FEW_WRITE, dominant)) {
        const int before = keys.count;
        double old[FEW_KEYS];
        int changed = 0;
        size_t from = 0;

        memcpy(old, code, sizeof(old));
        if (!few_add_vector(&keys, &rows, matrix, pos, base))
            goto refuse;
        if (pos >= 2 * rows.stride &&
            ((dominant && keys.count > 2) ||
             pos * 2 > (size_t)rows.n * rows.stride)) {
            /* Every value of the rest first. */
            size_t at = pos;

            while (!few_pass(matrix, &rows, keys.key, code, keys.count, &at, 0,
                             FEW_FIND, dominant))
                if (!few_add_vector(&keys, &rows, matrix, at, base))
                    goto refuse;
        }
        few_codes(&keys, base, code);
        for (int j = 0; j < before; j++)
            changed |= old[j] != code[j];
        if (changed)
            few_pass(matrix, &rows, old, code, before, &from, pos,
                     FEW_REWRITE, 0);
        continue;
    refuse:
        few_pass(matrix, &rows, old, keys.key, before, &from, pos,
                 FEW_REWRITE, 0);
        return 0;
    }
    return 1;
}
#endif

void
lemica_solver_set_few_values_encoding(int allowed)
{
#ifdef LEMICA_HAVE_AVX_SCAN
    few_values_allowed = allowed != 0;
#else
    (void)allowed;
#endif
}

/* After collect_dominant(), one group whose highest level is the common
 * value c (outliers below one common weight): the scale of the codes
 * that leaves c as its own code, so that the code pass writes the other
 * slots only (write_dominant(): the common slots' stores cost 2.1 k of a
 * 57 k one-budget solve on 64 outliers at N = 50); 1.0 (the codes as
 * they are) where there is none. The top digit d (@digit[top]; every
 * path's sum of the lower levels' digits is at most d - 1) may rise to
 * any D >= d that keeps a path's sum, at most min(edges, B - 1) D + d - 1
 * (B - 1 copies where the edges are not counted), within 2^53:
 * D = M 2^j for c = M 2^e (M odd), the smallest such j, and then
 * each code is its digit times c / D = 2^(e - j), a power of two, so that
 * every sum is the digits' sum scaled exactly (c within 2^-900 .. 2^900:
 * no code below 2^-953, no sum above 2^953). The sums then order paths
 * as the digits' do. */
static double
dominant_scale(const struct lemica_problem *problem,
               const struct level_set *set, const uint64_t *edges,
               int counted, int count, double *digit)
{
    const double c = set->seen[0];
    const uint64_t limit = (uint64_t)1 << 53;
    const uint64_t most = (uint64_t)problem->budget - 1;
    const int top = count - 1;
    uint64_t d, mantissa, copies, scaled;
    int exponent;

    if (count < 2 || count != set->count || set->level[0] != top ||
        !(c >= 0x1.0p-900 && c <= 0x1.0p900))
        return 1.0;
    d = (uint64_t)digit[top];
    mantissa = (uint64_t)(frexp(c, &exponent) * 0x1.0p53);
    while (!(mantissa & 1))
        mantissa >>= 1;
    if (mantissa > limit)
        return 1.0;
    scaled = mantissa;
    while (scaled < d)
        scaled <<= 1; /* (d <= 2^53: no overflow) */
    /* (@edges are counts only when @counted.) */
    copies = counted && edges[top] < most ? edges[top] : most;
    if (scaled > limit || copies > (limit - (d - 1)) / scaled)
        return 1.0;
    digit[top] = (double)scaled;
    return c / (double)scaled;
}

lemica_status
lemica_solver_encode_lexmax(lemica_solver *solver,
                            struct lemica_problem *problem)
{
    struct lemica_workspace *work = &solver->work;
    /* Whichever matrix the DP reads; its +inf entries stay +inf. */
    double *matrix = problem->blocked ? work->outgoing.data
                                      : work->incoming.data;
    const size_t n = (size_t)problem->num_steps;
    const size_t slots =
        problem->blocked
            ? (n + 1) * ((size_t)problem->max_skip + LEMICA_BLOCK_PAD)
            : n * (size_t)problem->max_skip;
    double levels[MAX_LEVELS];
    uint64_t edges[MAX_LEVELS];
    unsigned char group[MAX_LEVELS];
    double digit[MAX_LEVELS];
    /* By value index (see collect_levels()): the group-0 code and the
     * lower groups' codes. */
    double code[256], code_lower[LEMICA_DIGIT_GROUPS_MAX - 1][256];
    struct level_set set;
    unsigned char *indices;
    double *lower_weights = NULL;
    int count, groups, counted, refused = 0, chained = 0;
    double scale = 1.0; /* of the codes (dominant_scale()) */

    if (!solver->digit_encoding)
        return LEMICA_OK;
#ifdef LEMICA_HAVE_AVX_SCAN
    if (problem->blocked && few_values_allowed &&
        encode_few(problem, matrix)) {
        problem->lexmax_as_sum = 1;
        problem->digit_groups = 1;
        return LEMICA_OK;
    }
#endif
    /* The value index of each slot. */
    if (!lemica_solver_reserve(&work->level_ids, slots, 1))
        return lemica_fail_no_memory("the solver workspace");
    indices = work->level_ids.data;
    if (!collect_levels(solver, problem, matrix, &set, indices, levels, edges,
                        &counted))
        return LEMICA_OK;
    count = set.count;
    if (!counted && set.room > 0x1.0p53) {
        /* One budget, more levels than the plain radix B holds: its
         * lowest ones (B^plain <= 2^53) if some path of the budget keeps
         * to them (the level cut, see the top of this file), else the
         * counts and the groups, chains and cuts below. */
        const size_t words = (n + 63) / 64;
        double product = (double)problem->budget;
        int plain = 0;

        while (product <= 0x1.0p53) {
            product *= (double)problem->budget;
            plain++;
        }
        fill_gaps(solver, problem, indices, slots);
        if (!lemica_solver_reserve(&work->reach_masks,
                                   ((size_t)problem->max_skip + 2) * words,
                                   sizeof(uint64_t)))
            return lemica_fail_no_memory("the solver workspace");
        if (reachable_below(problem, matrix, &set, indices, plain,
                            work->reach_masks.data)) {
            count = plain;
        } else {
            count_levels(solver, problem, &set, indices, edges);
            counted = 1;
            refused = plain;
        }
    }
    if (!counted) {
        /* Few levels: the plain radix B, one group (see
         * collect_levels()). */
        double product = 1.0;

        for (int k = 0; k < count; k++) {
            group[k] = 0;
            digit[k] = product;
            product *= (double)problem->budget;
        }
        groups = 1;
    } else {
        int singles = 0;

        /* Past 53 levels of one edge each (radix 2) the mixed radix
         * needs two groups or more, so the chains come first and the
         * radices only where they fail -- the same digits as in the
         * order below (chain_digits() leaves @digit alone when it fails),
         * without assign_digits() (64 outliers at N = 50: 1.7 k of a
         * 60 k one-budget solve). */
        if (set.dominant)
            for (int k = 0; k < count; k++)
                singles += edges[k] == 1;
        if (singles > 53 &&
            chain_digits(problem, &set, edges, count, digit)) {
            groups = 1;
            memset(group, 0, (size_t)count);
        } else {
            groups = assign_digits(edges, count, (double)problem->budget,
                                   group, digit);
            if (singles > 53)
                chained = 1; /* (failed already) */
        }
    }
    if (groups != 1 && !chained &&
        chain_digits(problem, &set, edges, count, digit)) {
        groups = 1;
        memset(group, 0, (size_t)count);
    }
    /* The level cut's test and the passes of several groups read every
     * slot. */
    if (groups != 1)
        fill_gaps(solver, problem, indices, slots);
    {
        int status;
        int kept = levels_needed(solver, problem, matrix, &set, indices,
                                 edges, count, groups, refused, &status);

        if (!status)
            return lemica_fail_no_memory("the solver workspace");
        if (kept < count) {
            count = kept;
            groups = assign_digits(edges, count, (double)problem->budget,
                                   group, digit);
        }
    }
    /* The blocked scan, frontier or not, keeps the lexicographic minimum
     * of each state's group sums itself, eight states at a time, one
     * candidate after another (blocked_scan_lex_avx() in solver-dp.c).
     * When it broke ties on the lower groups one candidate at a time
     * instead, through every candidate up to the last tied one, the
     * blocked frontier refused several groups: its sorted-vector DP cost
     * less then (see docs/solver-performance-log.md, "Ninth pass"). */
    if (groups == 0)
        return LEMICA_OK;
    if (groups > 1) {
        /* Lower sums take groups_max - 1 doubles a state (solver-dp.c). */
        size_t lower = LEMICA_DIGIT_GROUPS_MAX - 1;

        if (!lemica_solver_reserve(&work->lower_keys[0], n * lower,
                                   sizeof(double)) ||
            !lemica_solver_reserve(&work->lower_keys[1], n * lower,
                                   sizeof(double)) ||
            /* The lower groups' weights as matrices, for the row scan's
             * and the blocked scan's lexicographic passes. */
            !lemica_solver_reserve(&work->lower_weights,
                                   slots * (size_t)(groups - 1),
                                   sizeof(double)))
            return lemica_fail_no_memory("the solver workspace");
        lower_weights = work->lower_weights.data;
    }
#ifdef LEMICA_HAVE_AVX_SCAN
    if (groups == 1 && set.dominant)
        scale = dominant_scale(problem, &set, edges, counted, count, digit);
#endif
    code[INDEX_ZERO] = 0.0;
    code[INDEX_INF] = HUGE_VAL;
    for (int g = 0; g < LEMICA_DIGIT_GROUPS_MAX - 1; g++)
        code_lower[g][INDEX_ZERO] = code_lower[g][INDEX_INF] = 0.0;
    for (int v = 0; v < set.count; v++) {
        int level = set.level[v];

        if (level >= count) {
            /* Above every level some path keeps to: unusable. */
            code[v] = HUGE_VAL;
            for (int g = 0; g < LEMICA_DIGIT_GROUPS_MAX - 1; g++)
                code_lower[g][v] = 0.0;
            continue;
        }
        code[v] = group[level] == 0 ? digit[level] * scale : 0.0;
        /* (One group reads no lower codes.) */
        for (int g = 0; groups > 1 && g < LEMICA_DIGIT_GROUPS_MAX - 1; g++)
            code_lower[g][v] = group[level] == g + 1 ? digit[level] : 0.0;
    }
    if (groups == 1 && count <= 1 && count == set.count &&
        (count == 0 || levels[0] <= ONE_LEVEL_MAX)) {
        /* One level (or none): its own value is a code. A path's sum of
         * j copies of it (zeros add exactly) is the same double on every
         * path, rises strictly with j (j < B <= 2^16, so each copy is far
         * above half an ulp of the sum) and stays finite: the matrix is
         * left as it is (-0.0 and 0.0 compare equal). */
    }
#ifdef LEMICA_HAVE_AVX_SCAN
    else if (groups == 1 && set.dominant)
        write_dominant(problem, &set, indices, code, matrix, scale != 1.0);
#endif
    else if (groups == 1) {
        for (int r = 0, rows = slot_rows(problem); r < rows; r++) {
            size_t lo, hi, i;

            slot_row(solver, problem, r, &lo, &hi);
            /* Four slots a step: the loop's own count and test were a
             * third of the pass. */
            for (i = lo; i + 4 <= hi; i += 4) {
                const double c0 = code[indices[i]], c1 = code[indices[i + 1]];
                const double c2 = code[indices[i + 2]];
                const double c3 = code[indices[i + 3]];

                matrix[i] = c0;
                matrix[i + 1] = c1;
                matrix[i + 2] = c2;
                matrix[i + 3] = c3;
            }
            for (; i < hi; i++)
                matrix[i] = code[indices[i]];
        }
    } else if (problem->blocked) {
        /* The blocked scan of several groups reads the group matrices
         * only, not the level ids: the slots that can hold an edge, as
         * for one group, and 0 for the lower groups elsewhere (+inf stays
         * in group 0). The gaps by short memsets, as in fill_gaps(): one
         * over the whole matrix ran as a string store, an instruction a
         * byte under callgrind (24k of 373k at N = 50, K = 49). */
        size_t end = 0;

        for (int r = 0, rows = slot_rows(problem); r < rows; r++) {
            size_t lo, hi, i;

            slot_row(solver, problem, r, &lo, &hi);
            for (int g = 0; g < groups - 1; g++)
                memset(lower_weights + (size_t)g * slots + end, 0,
                       (lo - end) * sizeof(double));
            /* Four slots a step, as for one group. */
            for (i = lo; i + 4 <= hi; i += 4) {
                const unsigned v0 = indices[i], v1 = indices[i + 1];
                const unsigned v2 = indices[i + 2], v3 = indices[i + 3];

                matrix[i] = code[v0];
                matrix[i + 1] = code[v1];
                matrix[i + 2] = code[v2];
                matrix[i + 3] = code[v3];
                lower_weights[i] = code_lower[0][v0];
                lower_weights[i + 1] = code_lower[0][v1];
                lower_weights[i + 2] = code_lower[0][v2];
                lower_weights[i + 3] = code_lower[0][v3];
            }
            for (; i < hi; i++) {
                matrix[i] = code[indices[i]];
                lower_weights[i] = code_lower[0][indices[i]];
            }
            for (int g = 1; g < groups - 1; g++) {
                double *to = lower_weights + (size_t)g * slots;

                for (i = lo; i < hi; i++)
                    to[i] = code_lower[g][indices[i]];
            }
            end = hi;
        }
        for (int g = 0; g < groups - 1; g++)
            memset(lower_weights + (size_t)g * slots + end, 0,
                   (slots - end) * sizeof(double));
    } else {
        /* The row scan of several groups (lemica_row_lex_layer()) reads
         * the group matrices only, not the level ids: group 0 and 1 in
         * one pass. */
        for (size_t i = 0; i < slots; i++) {
            const unsigned v = indices[i];

            matrix[i] = code[v];
            lower_weights[i] = code_lower[0][v];
        }
        for (int g = 1; g < groups - 1; g++) {
            double *to = lower_weights + (size_t)g * slots;

            for (size_t i = 0; i < slots; i++)
                to[i] = code_lower[g][indices[i]];
        }
    }
    problem->lexmax_as_sum = 1;
    problem->digit_groups = groups;
    return LEMICA_OK;
}

void
lemica_solver_set_digit_encoding(lemica_solver *solver, int allowed)
{
    solver->digit_encoding = allowed != 0;
}
