/* SPDX-License-Identifier: MIT */
/*
 * The dynamic program behind every solve.
 *
 * State (t, c): the schedule has computed c steps and the last is t. Layer c
 * depends only on layer c - 1, so two layers of state values are kept plus
 * a predecessor table for all layers. For each state the candidates are the
 * usable edges (s, t); the incoming matrix holds their weights with +inf for
 * edges that are absent, too long, or jump over a required step. Small
 * problems instead scan a whole layer eight states at a time from the same
 * weights stored by predecessor (the outgoing matrix, "blocked scan").
 *
 * LEXMAX is the expensive one: the value of a state is a sorted vector. The
 * DP first runs the cheap bottleneck scan (the max of each candidate) and
 * compares full vectors only among the candidates that tie on the
 * bottleneck. Vectors are kept run-length encoded and truncated to their
 * first few runs ("heads"): with heavy ties (equal or few distinct weights)
 * a whole vector is one to a handful of runs, and with distinct weights two
 * candidates almost always differ within the first runs. When a comparison
 * does run past both heads, the full vectors are rebuilt from the
 * predecessor table, which is exact because it records the DP's own paths.
 * Before that, the row scan compares the largest weights of the two paths
 * below their common ancestor, found through anchors every S layers
 * (tree_maxima()): a walk of O(layers / S + S) that decides nearly every
 * comparison of weights that rarely repeat.
 *
 * Graphs with few distinct weights (few levels, zeros, a few outliers)
 * skip all that: solver-encode.c turns their LEXMAX into one to four exact
 * sums compared lexicographically: layer_sum() runs one group,
 * layer_sum_blocked() several on the blocked scan, layer_sum_rows()
 * several on the row scan.
 */
#include <float.h>
#include <limits.h>
#include <math.h>
#include <string.h>

#include "../core/graph-int.h"
#include "../core/schedule-int.h"
#include "../core/sort-int.h"
#include "avx-select-int.h"
#include "blocked-scan-int.h"
#include "level-counts-int.h"
#include "row-lex-int.h"
#include "solver-int.h"


#define TRUNCATED 0x80u
#define RUN_COUNT_MASK 0x7fu
/* compare_heads() result when the heads do not decide. */
#define UNDECIDED 2

static inline double
max_double(double a, double b)
{
    return a > b ? a : b;
}

/* What a scan over the candidates s in [lo, hi) of one state finds: the
 * best candidate value, the first s reaching it, and how many reach it. */
struct scan {
    double best;
    int first;
    int count;
};

static inline double
candidate_value(enum scan_op op, double key, double weight)
{
    return op == SCAN_MAX ? max_double(key, weight) : key + weight;
}

/* Fold the candidate @value at @s into a scan. */
static inline void
scan_step(struct scan *scan, double value, int s)
{
    if (value < scan->best) {
        scan->best = value;
        scan->first = s;
        scan->count = 1;
    } else if (value == scan->best) {
        scan->count++;
    }
}

static void
scan_portable(enum scan_op op, const double *key, const double *row, int lo,
              int hi, struct scan *scan)
{
    for (int s = lo; s < hi; s++)
        scan_step(scan, candidate_value(op, key[s], row[s]), s);
}

/* Copies of DBL_MAX of the candidate with predecessor copies @copies and
 * edge weight @w (see scan_avx_top()). */
static inline double
top_copies_of(double copies, double w)
{
    return w == HUGE_VAL ? HUGE_VAL : copies + (double)(w == DBL_MAX);
}

#ifdef LEMICA_HAVE_AVX_SCAN
#include <immintrin.h>

/* Merge one vector lane (its best, first index and count) into @scan. */
static inline void
scan_merge_lane(struct scan *scan, double best, double first, double count)
{
    if (best < scan->best) {
        scan->best = best;
        scan->first = (int)first;
        scan->count = (int)count;
    } else if (best == scan->best) {
        if ((int)first < scan->first)
            scan->first = (int)first;
        scan->count += (int)count;
    }
}

/* The same scan, four candidates at a time. Each lane keeps its own best,
 * first index (as a double: exact below 2^53) and count; lanes are merged
 * at the end, so the result is exactly the portable one. No NaN reaches
 * here (absent edges and unreached states are +inf). */
/* Four candidates per vector; two vectors per step keep two independent
 * min chains in flight (the min's latency, not its throughput, bounds a
 * single chain). */
#define AVX_LANE_STEP(op, offset, best, first, count, index)                   \
    do {                                                                       \
        __m256d k_ = _mm256_loadu_pd(key + s + (offset));                      \
        __m256d w_ = _mm256_loadu_pd(row + s + (offset));                      \
        __m256d value_ = (op) == SCAN_MAX ? _mm256_max_pd(k_, w_)              \
                                          : _mm256_add_pd(k_, w_);             \
        __m256d less_ = _mm256_cmp_pd(value_, best, _CMP_LT_OQ);               \
        __m256d equal_ = _mm256_cmp_pd(value_, best, _CMP_EQ_OQ);              \
        /* Selects by masks, not blendv: GCC lowers blendv's sign test     \
         * without AVX2 to per-lane branches. */                               \
        count = _mm256_add_pd(count, _mm256_and_pd(equal_, one));              \
        count = _mm256_or_pd(_mm256_and_pd(less_, one),                        \
                             _mm256_andnot_pd(less_, count));                  \
        first = _mm256_or_pd(_mm256_and_pd(less_, index),                      \
                             _mm256_andnot_pd(less_, first));                  \
        best = _mm256_min_pd(best, value_);                                    \
    } while (0)

/* Merge scan lanes (b, f, c) into (*best, *first, *count), lane by lane:
 * the smaller best wins; on equal bests the first indices take the
 * smaller and the counts add. */
__attribute__((target("avx"), always_inline)) static inline void
scan_combine_avx(__m256d *best, __m256d *first, __m256d *count, __m256d b,
                 __m256d f, __m256d c)
{
    __m256d less = _mm256_cmp_pd(b, *best, _CMP_LT_OQ);
    __m256d equal = _mm256_cmp_pd(b, *best, _CMP_EQ_OQ);
    __m256d tied_first = _mm256_min_pd(*first, f);
    __m256d tied_count = _mm256_add_pd(*count, c);

    *first = _mm256_or_pd(_mm256_and_pd(less, f),
                          _mm256_andnot_pd(less, _mm256_or_pd(
                              _mm256_and_pd(equal, tied_first),
                              _mm256_andnot_pd(equal, *first))));
    *count = _mm256_or_pd(_mm256_and_pd(less, c),
                          _mm256_andnot_pd(less, _mm256_or_pd(
                              _mm256_and_pd(equal, tied_count),
                              _mm256_andnot_pd(equal, *count))));
    *best = _mm256_min_pd(*best, b);
}

/* The end of an eight-wide scan: fold chain 1 into chain 0, then the
 * lanes into lane 0, all with vector selects (merging lane by lane with
 * branches cost more than the loop itself on the short rows of small
 * problems), and merge the result into @scan if the loop ran (@ran). */
__attribute__((target("avx"), always_inline)) static inline void
scan_fold_avx(struct scan *scan, __m256d best0, __m256d first0, __m256d count0,
              __m256d best1, __m256d first1, __m256d count1, int ran)
{
    scan_combine_avx(&best0, &first0, &count0, best1, first1, count1);
    scan_combine_avx(&best0, &first0, &count0,
                     _mm256_permute2f128_pd(best0, best0, 1),
                     _mm256_permute2f128_pd(first0, first0, 1),
                     _mm256_permute2f128_pd(count0, count0, 1));
    scan_combine_avx(&best0, &first0, &count0, _mm256_permute_pd(best0, 5),
                     _mm256_permute_pd(first0, 5),
                     _mm256_permute_pd(count0, 5));
    if (ran)
        scan_merge_lane(scan, _mm256_cvtsd_f64(best0), _mm256_cvtsd_f64(first0),
                        _mm256_cvtsd_f64(count0));
}

/* The same scan, eight candidates at a time. Each lane keeps its own best,
 * first index (as a double: exact below 2^53) and count; lanes are merged
 * at the end, so the result is exactly the portable one. No NaN reaches
 * here (absent edges and unreached states are +inf). */
__attribute__((target("avx"), always_inline)) static inline void
scan_avx(enum scan_op op, const double *key, const double *row, int lo,
         int hi, struct scan *scan)
{
    __m256d best0 = _mm256_set1_pd(HUGE_VAL), best1 = best0;
    __m256d first0 = _mm256_setzero_pd(), first1 = first0;
    __m256d count0 = _mm256_setzero_pd(), count1 = count0;
    __m256d index0 = _mm256_set_pd(lo + 3, lo + 2, lo + 1, lo);
    __m256d index1 = _mm256_set_pd(lo + 7, lo + 6, lo + 5, lo + 4);
    const __m256d eight = _mm256_set1_pd(8.0), one = _mm256_set1_pd(1.0);
    int s = lo;

    for (; s + 8 <= hi; s += 8) {
        AVX_LANE_STEP(op, 0, best0, first0, count0, index0);
        AVX_LANE_STEP(op, 4, best1, first1, count1, index1);
        index0 = _mm256_add_pd(index0, eight);
        index1 = _mm256_add_pd(index1, eight);
    }
    scan_fold_avx(scan, best0, first0, count0, best1, first1, count1, s > lo);
    for (; s < hi; s++)
        scan_step(scan, candidate_value(op, key[s], row[s]), s);
}

/* One copy per operation, so the loop does not test it. */
__attribute__((target("avx"))) static void
scan_avx_max(const double *key, const double *row, int lo, int hi,
             struct scan *scan)
{
    scan_avx(SCAN_MAX, key, row, lo, hi, scan);
}

__attribute__((target("avx"))) static void
scan_avx_sum(const double *key, const double *row, int lo, int hi,
             struct scan *scan)
{
    scan_avx(SCAN_SUM, key, row, lo, hi, scan);
}

/* Copies of DBL_MAX of the candidates s in [@lo, @hi) of a state whose
 * bottleneck is DBL_MAX: @copies[s] (the predecessor's, +inf if
 * unreached) plus 1 where @row[s] is DBL_MAX, +inf where it is +inf
 * (absent). Every other candidate reaches DBL_MAX, nothing being larger,
 * so these are exactly the tied candidates' counts; fewer copies is the
 * smaller vector. The fewest, the first candidate with them and how many
 * have them, four candidates a vector as scan_avx(); the weight's part
 * is computed here rather than read from a second matrix of 0 / 1 / +inf
 * (N K more doubles on every DBL_MAX graph). max(v, w - DBL_MAX) is v
 * for any w <= DBL_MAX (w - DBL_MAX <= 0 <= v) and +inf for w = +inf. */
#define AVX_TOP_STEP(offset, best, first, count, index)                        \
    do {                                                                       \
        __m256d w_ = _mm256_loadu_pd(row + s + (offset));                      \
        __m256d value_ = _mm256_add_pd(                                        \
            _mm256_loadu_pd(copies + s + (offset)),                            \
            _mm256_and_pd(_mm256_cmp_pd(w_, top, _CMP_GE_OQ), one));           \
        __m256d less_, equal_;                                                 \
                                                                               \
        value_ = _mm256_max_pd(value_, _mm256_sub_pd(w_, top));                \
        less_ = _mm256_cmp_pd(value_, best, _CMP_LT_OQ);                       \
        equal_ = _mm256_cmp_pd(value_, best, _CMP_EQ_OQ);                      \
        count = _mm256_add_pd(count, _mm256_and_pd(equal_, one));              \
        count = lemica_select_pd(less_, one, count);                           \
        first = lemica_select_pd(less_, index, first);                         \
        best = _mm256_min_pd(best, value_);                                    \
    } while (0)

__attribute__((target("avx"))) static void
scan_avx_top(const double *copies, const double *row, int lo, int hi,
             struct scan *scan)
{
    __m256d best0 = _mm256_set1_pd(HUGE_VAL), best1 = best0;
    __m256d first0 = _mm256_setzero_pd(), first1 = first0;
    __m256d count0 = _mm256_setzero_pd(), count1 = count0;
    __m256d index0 = _mm256_set_pd(lo + 3, lo + 2, lo + 1, lo);
    __m256d index1 = _mm256_set_pd(lo + 7, lo + 6, lo + 5, lo + 4);
    const __m256d eight = _mm256_set1_pd(8.0), one = _mm256_set1_pd(1.0);
    const __m256d top = _mm256_set1_pd(DBL_MAX);
    int s = lo;

    for (; s + 8 <= hi; s += 8) {
        AVX_TOP_STEP(0, best0, first0, count0, index0);
        AVX_TOP_STEP(4, best1, first1, count1, index1);
        index0 = _mm256_add_pd(index0, eight);
        index1 = _mm256_add_pd(index1, eight);
    }
    scan_fold_avx(scan, best0, first0, count0, best1, first1, count1, s > lo);
    for (; s < hi; s++)
        scan_step(scan, top_copies_of(copies[s], row[s]), s);
}

static int
cpu_has_avx(void)
{
    /* libgcc fills the CPU model in a constructor, so this is one load;
     * no cache of our own, which threads would race on. */
    return __builtin_cpu_supports("avx");
}
#endif

#ifdef LEMICA_HAVE_AVX_SCAN
__attribute__((target("avx"))) static int
holds_dbl_max_avx(const double *w, size_t count)
{
    const __m256d top = _mm256_set1_pd(DBL_MAX);
    __m256d any0 = _mm256_setzero_pd(), any1 = any0;
    size_t i = 0;

    for (; i + 8 <= count; i += 8) {
        any0 = _mm256_or_pd(any0, _mm256_cmp_pd(_mm256_loadu_pd(w + i), top,
                                                _CMP_EQ_OQ));
        any1 = _mm256_or_pd(any1, _mm256_cmp_pd(_mm256_loadu_pd(w + i + 4),
                                                top, _CMP_EQ_OQ));
    }
    if (_mm256_movemask_pd(_mm256_or_pd(any0, any1)))
        return 1;
    for (; i < count; i++)
        if (w[i] == DBL_MAX)
            return 1;
    return 0;
}
#endif

int
lemica_solver_holds_dbl_max(const double *weights, size_t count)
{
#ifdef LEMICA_HAVE_AVX_SCAN
    /* A pass a slot: 4,000 - 40,000 slots at N = 200 (K = 20, 199). */
    if (cpu_has_avx())
        return holds_dbl_max_avx(weights, count);
#endif
    for (size_t i = 0; i < count; i++)
        if (weights[i] == DBL_MAX)
            return 1;
    return 0;
}

/* Problems of at most this many steps use the blocked scan, where the
 * row scan's set-up per state costs the most. At N = 1000, K = 999 the
 * blocked scan is faster too (random weights, best of 7: LEXMAX B = 250
 * 28.4 -> 15.1 ms with AVX-512, 21.9 ms with AVX only), but it speeds the
 * plain bottleneck DP up more (26.7 -> 11.6 ms), and LEXMAX's promise is
 * to cost at most 1.3x that DP: bench-solver then gives 1.43-1.50x on
 * distinct weights. Larger problems keep the row scan until LEXMAX's own
 * per-state work shrinks. Tests set 0 to compare both. */
static int blocked_scan_max_steps = 128;

void
lemica_solver_set_blocked_scan_max_steps(int num_steps)
{
    blocked_scan_max_steps = num_steps;
}

/* The stretch between LEXMAX's anchor layers: a tree walk jumps S layers
 * at a time, then walks at most S layers one by one. */
static int anchor_stretch = LEMICA_ANCHOR_STRETCH_DEFAULT;

void
lemica_solver_set_anchor_stretch(int stretch)
{
    anchor_stretch = stretch >= 1 ? stretch : LEMICA_ANCHOR_STRETCH_DEFAULT;
}

int
lemica_solver_anchor_stretch(void)
{
    return anchor_stretch;
}

/* The row scan's LEXMAX keeps anchors once its exact comparisons walk
 * long paths (more than anchor_walk divergent edges each on average) and
 * often (more than 1 / anchor_share edges a state scanned), counted over
 * the last S layers (0: always, from the first layer). Anchors cost
 * every state of every layer a few instructions (about 4: 2-5% of the
 * whole frontier at N = 200), and only compare_exact() gains: on
 * distinct, 64- and 256-level and DBL_MAX weights its walks average 2-3
 * edges at N = 200, and the anchors cost more than they saved (off:
 * 2.2% - 4.9% fewer instructions); on diffusion-like weights they grow to
 * 10-20 edges after the first 50-60 layers, and anchors save 6%. */
static int anchor_share = LEMICA_ANCHOR_SHARE;
static int anchor_walk = LEMICA_ANCHOR_WALK;
/* From this many steps on, anchors start with the first layer again: at
 * N = 1000, K = 20 the DBL_MAX mix's walks average 7-8 edges from layer
 * 34 on and the anchors come too late (+1.5% every budget; with 5 edges
 * for the threshold +0.95%, and distinct weights then lose their gain),
 * while distinct and 64-level weights gained 2.6% / 2.9%. Tests run
 * smaller problems, so they see the gate. */
#define ANCHOR_LATE_MAX_STEPS 256

void
lemica_solver_set_anchor_start(int share, int walk)
{
    anchor_share = share >= 0 ? share : LEMICA_ANCHOR_SHARE;
    anchor_walk = walk >= 0 ? walk : LEMICA_ANCHOR_WALK;
}

/* Problems of at least this many steps remember tree walks (see
 * tree_maxima()). */
static int pair_memo_min_steps = LEMICA_PAIR_MEMO_MIN_STEPS;

void
lemica_solver_set_pair_memo_min_steps(int num_steps)
{
    pair_memo_min_steps =
        num_steps >= 0 ? num_steps : LEMICA_PAIR_MEMO_MIN_STEPS;
}

int
lemica_solver_use_blocked_scan(const lemica_solver *solver,
                               const struct lemica_problem *problem)
{
#ifdef LEMICA_HAVE_AVX_SCAN
    /* The user comparator compares whole vectors and scans nothing. */
    return solver->comparator != LEMICA_COMPARATOR_USER &&
           problem->num_steps <= blocked_scan_max_steps && cpu_has_avx();
#else
    (void)solver;
    (void)problem;
    return 0;
#endif
}

/* lexmax_row_one() keeps every layer's bottlenecks, (B + 1) N doubles,
 * and up to as many tie entries (6 bytes each): 14 bytes a state on top
 * of the predecessors' 2, 56 MiB at N = 4000, B = 1000 (4.0 M states).
 * Past this many states (32 MiB of keys) the row scan keeps its own
 * LEXMAX, which needs two layers of keys and heads. */
static size_t row_one_max_states = LEMICA_ROW_ONE_MAX_STATES;

void
lemica_solver_set_row_one_max_states(size_t states)
{
    row_one_max_states = states;
}

int
lemica_solver_row_one(const lemica_solver *solver,
                      const struct lemica_problem *problem)
{
    return solver->comparator == LEMICA_COMPARATOR_LEXMAX &&
           !problem->blocked && !problem->frontier &&
           ((size_t)problem->budget + 1) * (size_t)problem->num_steps <=
               row_one_max_states;
}

/* Rows shorter than this are scanned without vectors (the lane merge
 * would cost more). Tests lower it to run the vector path on tiny rows. */
static int vector_scan_min = 16;

void
lemica_solver_set_vector_scan_min(int length)
{
    vector_scan_min = length;
}

/* Scan the candidates of one state. */
static inline void
scan_candidates(enum scan_op op, const double *key, const double *row, int lo,
                int hi, struct scan *scan)
{
    scan->best = HUGE_VAL;
    scan->first = lo;
    scan->count = 0;
#ifdef LEMICA_HAVE_AVX_SCAN
    /* Short ranges cost less without the lane merge at the end. */
    if (hi - lo >= vector_scan_min && cpu_has_avx()) {
        if (op == SCAN_MAX)
            scan_avx_max(key, row, lo, hi, scan);
        else
            scan_avx_sum(key, row, lo, hi, scan);
        return;
    }
#endif
    scan_portable(op, key, row, lo, hi, scan);
}

/* The fewest copies of DBL_MAX among the candidates s in [@lo, @hi) of a
 * state whose bottleneck is DBL_MAX (see scan_avx_top()). */
static inline void
scan_top_copies(const double *copies, const double *row, int lo, int hi,
                struct scan *scan)
{
    scan->best = HUGE_VAL;
    scan->first = lo;
    scan->count = 0;
#ifdef LEMICA_HAVE_AVX_SCAN
    if (hi - lo >= vector_scan_min && cpu_has_avx()) {
        scan_avx_top(copies, row, lo, hi, scan);
        return;
    }
#endif
    for (int s = lo; s < hi; s++)
        scan_step(scan, top_copies_of(copies[s], row[s]), s);
}

/* The states of layer @c worth computing: [*lo, *hi]. A state must be
 * reachable with c computed steps and, for a single budget, able to reach
 * N - 1 with the calls left. */
static void
layer_range(const struct lemica_problem *problem, int c, int *lo, int *hi)
{
    int last = problem->num_steps - 1;
    int first = c - 1;
    /* c - 1 edges of at most K steps from step 0. Without this bound a
     * budget near the smallest feasible one scanned about N - B states per
     * layer, nearly all unreachable: at N = LEMICA_MAX_STEPS that was
     * seconds for a path that is almost forced. (B + 1) * N is within
     * LEMICA_MAX_SOLVER_STATES and K < N, so c * K fits in 32 bits; the
     * products are taken in long long all the same. */
    long long farthest = (long long)(c - 1) * problem->max_skip;

    if (c == 1) {
        /* Only step 0 starts a schedule. */
        *lo = *hi = 0;
        return;
    }
    if (!problem->frontier) {
        long long remaining = (long long)problem->budget - c;
        long long nearest = (long long)last - remaining * problem->max_skip;

        last = (int)(last - remaining);
        if (nearest > first)
            first = (int)nearest;
    }
    if (farthest < last)
        last = (int)farthest;
    /* An empty range (*lo > *hi) means the budget is infeasible; the
     * layers after it stay empty. */
    *lo = first;
    *hi = last;
}

/* Copy a head. With the default head size the copy has a fixed size, so
 * it becomes a few vector moves; GCC turns a copy of variable size into
 * `rep movsq`, whose start-up cost dominated the whole N = 50 frontier.
 * Runs past @len are copied too, unused. */
static inline void
copy_runs(struct lemica_run *to, const struct lemica_run *from, unsigned len,
          int limit)
{
    if (limit == LEMICA_HEAD_RUNS_DEFAULT) {
        memcpy(to, from, sizeof(*to) * LEMICA_HEAD_RUNS_DEFAULT);
        return;
    }
    for (unsigned i = 0; i < (len & RUN_COUNT_MASK); i++)
        to[i] = from[i];
}

/* merge_head() past its fast path: not inlined, so that the fast path
 * is. */
static unsigned
merge_head_slow(const struct lemica_run *head, unsigned len, double w,
                int limit, struct lemica_run *out)
{
    unsigned runs = len & RUN_COUNT_MASK;
    unsigned truncated = len & TRUNCATED;
    unsigned in = 0, n = 0;

    if (runs == 0 ? !truncated : head[0].value < w) {
        /* A new largest run (the edge is the path's bottleneck): the
         * others move one place down, the last one past the limit
         * dropped. */
        if (runs == (unsigned)limit)
            truncated = TRUNCATED;
        n = runs < (unsigned)limit ? runs + 1 : (unsigned)limit;
        if (limit == LEMICA_HEAD_RUNS_DEFAULT)
            memcpy(out + 1, head,
                   sizeof(*out) * (LEMICA_HEAD_RUNS_DEFAULT - 1));
        else
            for (unsigned i = 1; i < n; i++)
                out[i] = head[i - 1];
        out[0].value = w;
        out[0].count = 1;
        return n | truncated;
    }
    /* runs <= limit, so this loop needs no check of its own. */
    while (in < runs && head[in].value > w)
        out[n++] = head[in++];
    if (in < runs && head[in].value == w) {
        out[n] = head[in++];
        out[n++].count++;
    } else if (in < runs || !truncated) {
        /* A new run: the last one kept, or past the limit. */
        if (n == (unsigned)limit)
            return n | TRUNCATED;
        out[n].value = w;
        out[n++].count = 1;
    }
    /* else: w is smaller than every known run of a truncated head, so it
     * falls in the unknown tail and the known prefix is unchanged. */
    while (in < runs && n < (unsigned)limit)
        out[n++] = head[in++];
    if (in < runs)
        truncated = TRUNCATED;
    return n | truncated;
}

/* Merge weight @w into the head @head (flags @len) into @out, keeping at
 * most @limit runs (the size of a state's head slot). @out must not
 * overlap @head: the runs are copied forward with memcpy. Returns the new
 * run count | TRUNCATED. */
static inline unsigned
merge_head(const struct lemica_run *head, unsigned len, double w, int limit,
           struct lemica_run *out)
{
    /* The common case on long paths: a full, truncated head whose known
     * runs all exceed w, so w falls in the unknown tail. */
    if (len == ((unsigned)limit | TRUNCATED) && head[limit - 1].value > w) {
        copy_runs(out, head, len, limit);
        return len;
    }
    return merge_head_slow(head, len, w, limit, out);
}

/* merge_head() for the row scan's heads, which carry an id (run 0): the
 * head's when it stays as it was, else the next of *@last_id (see struct
 * lemica_run). The blocked scan's heads keep none: nothing reads them
 * there, and its frontier merges every head. */
static inline unsigned
merge_head_id(uint32_t *last_id, const struct lemica_run *head, unsigned len,
              double w, int limit, struct lemica_run *out)
{
    unsigned merged;

    if (len == ((unsigned)limit | TRUNCATED) && head[limit - 1].value > w) {
        copy_runs(out, head, len, limit);
        return len;
    }
    merged = merge_head_slow(head, len, w, limit, out);
    out[0].id = ++*last_id;
    return merged;
}

/* A head with one more weight merged in, read run by run instead of
 * written out: what merge_head() would give, except that it is not cut
 * back to @limit runs (so it may know one run more; still exact). */
struct merged_runs {
    const struct lemica_run *head;
    unsigned runs, in;
    double w;
    int pending; /* w is known and not read yet */
};

static inline void
merged_init(struct merged_runs *m, const struct lemica_run *head,
            unsigned len, double w)
{
    m->head = head;
    m->runs = len & RUN_COUNT_MASK;
    m->in = 0;
    m->w = w;
    /* In a truncated head, a weight below every known run falls in the
     * unknown tail (see merge_head()). */
    m->pending = !(len & TRUNCATED) ||
                 (m->runs > 0 && w >= head[m->runs - 1].value);
}

/* The next run of @m into *value, *count; 0 when the known runs are
 * exhausted. */
static inline int
merged_next(struct merged_runs *m, double *value, uint32_t *count)
{
    if (m->in < m->runs) {
        double v = m->head[m->in].value;

        if (m->pending && m->w > v) {
            m->pending = 0;
            *value = m->w;
            *count = 1;
            return 1;
        }
        *value = v;
        *count = m->head[m->in++].count;
        if (m->pending && m->w == v) {
            m->pending = 0;
            ++*count;
        }
        return 1;
    }
    if (!m->pending)
        return 0;
    m->pending = 0;
    *value = m->w;
    *count = 1;
    return 1;
}

/* Compare the two sorted vectors of equal length whose heads
 * merge_head() would make of (@a, @a_len) with @wa and of (@b, @b_len)
 * with @wb, without making them (LEXMAX's tie-break compares many
 * candidates and keeps one): <0 if @a's is better (lexicographically
 * smaller), >0 if @b's is, 0 if equal, UNDECIDED if the known runs agree
 * and one head is truncated. */
static int
compare_merged(const struct lemica_run *a, unsigned a_len, double wa,
               const struct lemica_run *b, unsigned b_len, double wb)
{
    struct merged_runs ma, mb;
    double va = 0.0, vb = 0.0; /* set before use; GCC cannot tell */
    uint32_t a_left = 0, b_left = 0;
    int a_more, b_more;

    merged_init(&ma, a, a_len, wa);
    merged_init(&mb, b, b_len, wb);
    if (!ma.pending && !mb.pending) {
        /* Both weights fall in the unknown tails: the heads as they are,
         * run by run. On equal values the side with more copies is
         * worse, since what follows on the other side is smaller (the
         * unknown tail of a truncated head is below its known runs). */
        unsigned runs = ma.runs < mb.runs ? ma.runs : mb.runs;

        for (unsigned i = 0; i < runs; i++) {
            if (a[i].value != b[i].value)
                return a[i].value < b[i].value ? -1 : 1;
            if (a[i].count != b[i].count)
                return a[i].count > b[i].count ? 1 : -1;
        }
        return UNDECIDED; /* both truncated (the weights are unknown) */
    }
    a_more = merged_next(&ma, &va, &a_left);
    b_more = merged_next(&mb, &vb, &b_left);
    while (a_more && b_more) {
        uint32_t take;

        if (va != vb)
            return va < vb ? -1 : 1;
        take = a_left < b_left ? a_left : b_left;
        a_left -= take;
        b_left -= take;
        if (a_left == 0)
            a_more = merged_next(&ma, &va, &a_left);
        if (b_left == 0)
            b_more = merged_next(&mb, &vb, &b_left);
    }
    if ((a_len & TRUNCATED) || (b_len & TRUNCATED))
        return UNDECIDED;
    /* Equal lengths and both complete: both are exhausted together. */
    return 0;
}

static inline double
edge_weight(const struct lemica_problem *problem, int from, int to)
{
    return lemica_graph_weight_or_nan(problem->graph, from, to);
}

static inline const uint16_t *
pred_row(const lemica_solver *solver, const struct lemica_problem *problem,
         int c)
{
    return (const uint16_t *)solver->work.pred.data +
           (size_t)c * (size_t)problem->num_steps;
}

/* What every layer function needs: the two layers' values, this layer's
 * predecessor row, and the ranges of states of both layers. */
struct layer {
    int c;
    const double *key_prev;
    double *key_cur;
    uint16_t *pred;
    int prev_lo, prev_hi; /* states of layer c - 1 */
    int lo, hi;           /* states of layer c */
    const int *first_pred;
    const double *weights; /* the incoming matrix, or the outgoing one */
    int max_skip;
    /* A state's candidates are row[s * row_step]: a row of the incoming
     * matrix (step 1), or a column of the outgoing one. */
    size_t row_step;
};

static void
layer_init(lemica_solver *solver, const struct lemica_problem *problem, int c,
           struct layer *layer)
{
    struct lemica_workspace *work = &solver->work;

    layer->c = c;
    layer->key_prev = work->key[(c - 1) & 1].data;
    layer->key_cur = work->key[c & 1].data;
    layer->pred = (uint16_t *)work->pred.data +
                  (size_t)c * (size_t)problem->num_steps;
    layer_range(problem, c - 1, &layer->prev_lo, &layer->prev_hi);
    layer_range(problem, c, &layer->lo, &layer->hi);
    layer->first_pred = work->first_pred.data;
    layer->max_skip = problem->max_skip;
    if (problem->blocked) {
        /* (s, t) is at s * stride + pad + t - s - 1, that is at
         * weights + t + s * (stride - 1). */
        layer->weights =
            (const double *)work->outgoing.data + LEMICA_BLOCK_PAD - 1;
        layer->row_step = (size_t)problem->max_skip + LEMICA_BLOCK_PAD - 1;
    } else {
        layer->weights = work->incoming.data;
        layer->row_step = 1;
    }
}

/* The candidates of state (t, c): predecessors s in [*from, *to] reached in
 * layer c - 1, with candidate_weight(layer, row, s) the weight of (s, t)
 * (+inf if unusable). Returns the row; *from > *to when there are none. */
static inline const double *
layer_candidates(const struct layer *layer, int t, int *from, int *to)
{
    int first = layer->first_pred[t];

    *from = first > layer->prev_lo ? first : layer->prev_lo;
    *to = t - 1 < layer->prev_hi ? t - 1 : layer->prev_hi;
    if (layer->row_step != 1)
        return layer->weights + t; /* see layer_init() */
    /* row[s] for s in [t - K, t - 1] is incoming[t * K + s - (t - K)]. */
    return layer->weights + (size_t)(t + 1) * (size_t)layer->max_skip - t;
}

/* layer_candidates() on the row scan's layout (row_step 1), which the
 * caller knows: without the test of the step, 1-2% of a levels-64 layer
 * at N = 200 (docs/solver-performance-log.md, levels13), MAX's as LEXMAX's.
 * Returns the row's offset in layer->weights (the incoming matrix), which
 * is also the offset of its levels in the level counts' matrix. */
static inline size_t
layer_row_at(const struct layer *layer, int t, int *from, int *to)
{
    int first = layer->first_pred[t];

    *from = first > layer->prev_lo ? first : layer->prev_lo;
    *to = t - 1 < layer->prev_hi ? t - 1 : layer->prev_hi;
    return (size_t)(t + 1) * (size_t)layer->max_skip - (size_t)t;
}

static inline double
candidate_weight(const struct layer *layer, const double *row, int s)
{
    return row[(size_t)s * layer->row_step];
}

#ifdef LEMICA_HAVE_AVX_SCAN
/* The blocked scan of @layer: what every kernel reads and writes. */
static inline void
block_scan_init(lemica_solver *solver, const struct lemica_problem *problem,
                const struct layer *layer, enum scan_op op, uint16_t *last,
                struct block_scan *scan)
{
    scan->op = op;
    scan->key_prev = layer->key_prev;
    scan->prev_lo = layer->prev_lo;
    scan->prev_hi = layer->prev_hi;
    scan->outgoing = solver->work.outgoing.data;
    scan->max_skip = problem->max_skip;
    scan->lo = layer->lo;
    scan->hi = layer->hi;
    scan->key_cur = layer->key_cur;
    scan->pred = layer->pred;
    scan->last = last;
}
#endif

/* With the blocked scan, scan the whole layer up front: key_cur[t] and
 * pred[t] get each state's best and first candidate, @last (if not NULL)
 * the last candidate reaching the best. */
static void
layer_scan_blocked(lemica_solver *solver, const struct lemica_problem *problem,
                   const struct layer *layer, enum scan_op op, uint16_t *last)
{
#ifdef LEMICA_HAVE_AVX_SCAN
    struct block_scan scan;

    block_scan_init(solver, problem, layer, op, last, &scan);
    lemica_blocked_scan(&scan);
#else
    /* Never chosen without the vector scan. */
    (void)solver;
    (void)problem;
    (void)layer;
    (void)op;
    (void)last;
#endif
}

/* The same for encoded LEXMAX with several digit groups: the best is
 * the lexicographically smallest (group-0 sum, group-1 sum, ...), the
 * lower sums of layer c - 1 at @lower_prev, and lower_cur gets the best's
 * (sum g of state t at g * N + t). A function of its own, so
 * that the other scans pass nothing more. */
static void
layer_scan_blocked_lex(lemica_solver *solver,
                       const struct lemica_problem *problem,
                       const struct layer *layer, int groups,
                       const double *lower_prev, double *lower_cur)
{
#ifdef LEMICA_HAVE_AVX_SCAN
    struct block_scan scan;

    block_scan_init(solver, problem, layer, SCAN_SUM, NULL, &scan);
    scan.lower = groups - 1;
    scan.lower_prev = lower_prev;
    scan.outgoing_lower = solver->work.lower_weights.data;
    scan.lower_cur = lower_cur;
    scan.lower_stride = (size_t)problem->num_steps;
    scan.lower_slots = ((size_t)problem->num_steps + 1) *
                       ((size_t)problem->max_skip + LEMICA_BLOCK_PAD);
    lemica_blocked_scan_lex(&scan);
#else
    (void)solver;
    (void)problem;
    (void)layer;
    (void)groups;
    (void)lower_prev;
    (void)lower_cur;
#endif
}

/* The scan of state @t of a layer whose blocked scan ran. Its count is
 * only known to be 1 or more: INT_MAX stands for "look at every
 * candidate up to the last tied one" (*to is lowered to that one). */
static inline void
blocked_result(const struct layer *layer, const uint16_t *last, int t, int *to,
               struct scan *scan)
{
    scan->best = layer->key_cur[t];
    scan->first = layer->pred[t];
    scan->count = 1;
    if (last && last[t] != scan->first) {
        scan->count = INT_MAX;
        *to = last[t];
    }
}

/* Edge weights from the solver's own copy of them (the incoming matrix,
 * or the outgoing one with the blocked scan): weight (s, t) is at
 * base[t * t_step + s * s_step]. A plain load where the graph's storage
 * decodes inverted bits, and no branch on the layout. Exact for every
 * edge a DP path uses (those are usable, so their slot holds the
 * weight). */
struct path_weights {
    const double *base;
    size_t t_step, s_step;
};

static inline struct path_weights
path_weights_of(const struct layer *layer)
{
    struct path_weights pw;

    if (layer->row_step != 1) {
        /* weights + t + s * row_step (see layer_init()) */
        pw.base = layer->weights;
        pw.t_step = 1;
        pw.s_step = layer->row_step;
    } else {
        /* incoming[(t + 1) K - t + s] = incoming[K + t (K - 1) + s] */
        pw.base = layer->weights + layer->max_skip;
        pw.t_step = (size_t)layer->max_skip - 1;
        pw.s_step = 1;
    }
    return pw;
}

static inline double
path_weight(const struct path_weights *pw, int s, int t)
{
    return pw->base[(size_t)t * pw->t_step + (size_t)s * pw->s_step];
}

/* Two DP paths walked back together to the first state they share at the
 * same layer, always the one at the later step first (why: see
 * divergent_weights()). Each step yields a weight of side a, of side b,
 * or of both where they leave one state by different edges; an edge both
 * take at the same moment yields nothing, so it drops out. Each side
 * keeps its largest weight and, as asked, how often it occurs or every
 * weight (pair_walk()). */
struct walk_side {
    double top;      /* the largest weight so far */
    unsigned copies; /* how often @top occurs (if counted) */
    double *out;     /* every weight, in walk order (if collected) */
    size_t n;        /* weights collected */
};

enum walk_keep { WALK_COPIES, WALK_COLLECT, WALK_BELOW_TOP };

static inline void
walk_side_take(struct walk_side *side, double x, enum walk_keep keep)
{
    if (keep == WALK_COLLECT) {
        side->out[side->n++] = x;
        side->top = max_double(side->top, x);
    } else if (keep == WALK_BELOW_TOP) {
        /* The largest weight below DBL_MAX, and the weights counted. */
        side->n++;
        if (x > side->top && x != DBL_MAX)
            side->top = x;
    } else if (x >= side->top) {
        /* Rare past the first few steps: one compare a weight. */
        side->copies = x > side->top ? 1 : side->copies + 1;
        side->top = x;
    }
}

/* Walk the paths of states (@a, layer) and (@b, layer), @pred that
 * layer's predecessor row and @n the distance between layers' rows, into
 * @side_a and @side_b; returns the steps walked (each step back of one
 * side, or of both at one step). Two loops, each a short chain of
 * dependent loads: the sides at different steps (the later one steps;
 * distinct and diffusion-like weights alternate sides, so one loop for
 * both), then both at one step but layers apart, which mostly take the
 * same edge for several steps (distinct weights, N = 50, K = 49: 987 of
 * the 1845 steps of a frontier's walks, in 99 runs) and cost three loads
 * and a compare a step there. The same steps in the same order as the
 * one-step-at-a-time walk this replaced. @keep is a constant at each
 * call, so each caller gets its own copy without the other's work. */
/* With @runs (the same layout as the predecessor table: @runs - @pred
 * is the offset of @pred in it; NULL: none), a run of both sides at one
 * step one layer apart is skipped in one look-up (see top_runs_layer()),
 * to where the loop below would stop; its steps count as walked. */
__attribute__((always_inline)) static inline size_t
pair_walk(const uint16_t *pred, size_t n, const struct path_weights *pw,
          int a, int b, struct walk_side *side_a, struct walk_side *side_b,
          enum walk_keep keep, const uint32_t *runs)
{
    const uint16_t *pred_a = pred, *pred_b = pred;
    size_t walked = 0;

    for (;;) {
        while (a != b) {
            if (a > b) {
                int before = pred_a[a];

                walk_side_take(side_a, path_weight(pw, before, a), keep);
                pred_a -= n;
                a = before;
            } else {
                int before = pred_b[b];

                walk_side_take(side_b, path_weight(pw, before, b), keep);
                pred_b -= n;
                b = before;
            }
            walked++;
        }
        if (pred_a == pred_b)
            return walked; /* the same state of the same layer */
        /* One step, two layers: the same edge drops out. Good paths
         * often run through the same steps a layer apart (one took an
         * extra step early on), so these come in runs. */
        int before_a, before_b;

        if (runs && (pred_b == pred_a + n || pred_a == pred_b + n)) {
            /* The later layer's entry: its state and the one a layer
             * before share the run. */
            const uint16_t *later = pred_a > pred_b ? pred_a : pred_b;
            const uint32_t run = runs[(later - pred) + (ptrdiff_t)a];
            const size_t skip = (size_t)(run >> 16) * n;

            a = (int)(run & 0xffffu);
            pred_a -= skip;
            pred_b -= skip;
            walked += run >> 16;
        }
        before_a = pred_a[a];
        before_b = pred_b[a];
        while (before_a == before_b) {
            a = before_a;
            pred_a -= n;
            pred_b -= n;
            walked++;
            before_a = pred_a[a];
            before_b = pred_b[a];
        }
        walk_side_take(side_a, path_weight(pw, before_a, a), keep);
        walk_side_take(side_b, path_weight(pw, before_b, a), keep);
        pred_a -= n;
        pred_b -= n;
        a = before_a;
        b = before_b;
        walked++;
    }
}

/* Collect into @out_a and @out_b the weights of the DP paths of states
 * (@a, @c) and (@b, @c) back to the first state they share at the
 * same layer, leaving out the edges both paths use. Returns the number of
 * weights of each (both lose as many as they share), and in *@max_a and
 * *@max_b the largest collected weight of each side (-inf if none).
 *
 * Two good paths often run through the same states one layer apart (one
 * took an extra step early on): walking both back a layer at a time then
 * compares long, nearly equal lists, which had to be sorted. Walking back
 * by step instead -- always the path that is at the later step -- meets
 * every edge the two share at the same moment on both sides, so it drops
 * out, and what is left is short and usually decided by its largest
 * value. */
static size_t
divergent_weights(const lemica_solver *solver,
                  const struct lemica_problem *problem,
                  const struct layer *layer, int c, int a, int b,
                  double *out_a, double *out_b, double *max_a, double *max_b)
{
    const struct path_weights pw = path_weights_of(layer);
    struct walk_side side_a = {-HUGE_VAL, 0, out_a, 0};
    struct walk_side side_b = {-HUGE_VAL, 0, out_b, 0};

    pair_walk(pred_row(solver, problem, c), (size_t)problem->num_steps, &pw,
              a, b, &side_a, &side_b, WALK_COLLECT, NULL);
    *max_a = side_a.top;
    *max_b = side_b.top;
    /* Both walked from layer c to the same layer and dropped the same
     * number: n_a == n_b. */
    return side_a.n;
}

/* The paths of states (@a, @l) and (@b, @l) walked back a layer at a time
 * until they meet (the layers' paths form a tree), their weights folded
 * into the largest so far, *@top_a and *@top_b. */
static inline void
walk_layers(const lemica_solver *solver, const struct lemica_problem *problem,
            const struct path_weights *pw, int l, int a, int b, double *top_a,
            double *top_b)
{
    const size_t n = (size_t)problem->num_steps;
    const uint16_t *pred = pred_row(solver, problem, l);
    double max_a = *top_a, max_b = *top_b;

    while (a != b) {
        int before_a = pred[a], before_b = pred[b];

        max_a = max_double(max_a, path_weight(pw, before_a, a));
        max_b = max_double(max_b, path_weight(pw, before_b, b));
        a = before_a;
        b = before_b;
        pred -= n;
    }
    *top_a = max_a;
    *top_b = max_b;
}

/* The largest weights, in *@max_a and *@max_b (-inf if none), of the DP
 * paths of states (@a, c - 1) and (@b, c - 1) after the last state they
 * share (the layers' paths form a tree; this is the part below their
 * common ancestor). Each path is the same number of edges, and both share
 * everything before, so when these maxima (with the candidates' own
 * edges) differ they decide the comparison. With anchors every S layers
 * the walk jumps S layers at a time while the paths' anchors differ,
 * then walks the last stretch one layer at a time: O(layers / S + S)
 * instead of the paths' length. */
static void
tree_walk(const lemica_solver *solver, const struct lemica_problem *problem,
          const struct layer *layer, int a, int b, double *max_a,
          double *max_b)
{
    const struct lemica_workspace *work = &solver->work;
    const size_t n = (size_t)problem->num_steps;
    const int stretch = work->anchor_stretch;
    int l = layer->c - 1;
    const uint16_t *anchor = work->anchor[l & 1].data;
    const double *anchor_max = work->anchor_max[l & 1].data;
    const struct path_weights pw = path_weights_of(layer);
    double top_a = -HUGE_VAL, top_b = -HUGE_VAL;

    /* Layer 1 holds step 0 alone, so a != b means l >= 2. */
    while (a != b) {
        int before_a = anchor[a], before_b = anchor[b];
        size_t at;

        if (before_a == before_b)
            break;
        /* The anchors differ: so do the paths at every layer after. */
        top_a = max_double(top_a, anchor_max[a]);
        top_b = max_double(top_b, anchor_max[b]);
        a = before_a;
        b = before_b;
        l -= 1 + (l - 2) % stretch; /* the anchor layer, 1 mod S */
        /* Its anchors point S layers back: none were kept below the
         * floor (anchors that started mid-run), so walk from here. At
         * layer 1 (the floor of a whole run) a == b. */
        if (l - stretch < work->anchor_floor)
            break;
        at = (size_t)((l - 1) / stretch) * n;
        anchor = (const uint16_t *)work->anchors.data + at;
        anchor_max = (const double *)work->anchors_max.data + at;
    }
    walk_layers(solver, problem, &pw, l, a, b, &top_a, &top_b);
    *max_a = top_a;
    *max_b = top_b;
}

/* tree_walk() with the answers of the last two layers remembered
 * (pair-memo-int.h): when the predecessors of @a and @b differ, their
 * paths meet where these do, so the predecessors' answer, if walked in
 * the layer before, and one edge each give this one. */
static void
tree_maxima(lemica_solver *solver, const struct lemica_problem *problem,
            const struct layer *layer, int a, int b, double *max_a,
            double *max_b)
{
    struct lemica_workspace *work = &solver->work;
    struct lemica_pair_memo_gate *gate = &work->pair_memo_gate;
    struct lemica_pair_memo *memo = work->pair_memo.data;
    const unsigned memo_bits = work->pair_memo_bits;
    const int l = layer->c - 1;
    if (gate->store) {
        const uint16_t *pred = pred_row(solver, problem, l);
        const int pa = pred[a], pb = pred[b];

        if (gate->probe && pa != pb) {
            gate->probes++;
            if (lemica_pair_memo_find(memo, memo_bits, l - 1, pa, pb, max_a,
                                      max_b)) {
                const struct path_weights pw = path_weights_of(layer);

                *max_a = max_double(*max_a, path_weight(&pw, pa, a));
                *max_b = max_double(*max_b, path_weight(&pw, pb, b));
                gate->hits++;
                lemica_pair_memo_store(memo, memo_bits, l, a, b, *max_a,
                                       *max_b);
                return;
            }
        }
    }
    tree_walk(solver, problem, layer, a, b, max_a, max_b);
    if (gate->store)
        lemica_pair_memo_store(memo, memo_bits, l, a, b, *max_a, *max_b);
}

/* Record the anchors of layer c's reached states (see tree_maxima()). */
static void
layer_anchors(lemica_solver *solver, const struct lemica_problem *problem,
              const struct layer *layer)
{
    struct lemica_workspace *work = &solver->work;
    const int c = layer->c, stretch = work->anchor_stretch;
    const uint16_t *anchor_prev = work->anchor[(c - 1) & 1].data;
    const double *max_prev = work->anchor_max[(c - 1) & 1].data;
    uint16_t *anchor = work->anchor[c & 1].data;
    double *anchor_max = work->anchor_max[c & 1].data;
    const struct path_weights pw = path_weights_of(layer);
    /* Is layer c - 1 an anchor layer (1 mod S)? */
    const int prev_is_anchor = (c - 2) % stretch == 0;

    for (int t = layer->lo; t <= layer->hi; t++) {
        int s;
        double w;

        if (layer->key_cur[t] == HUGE_VAL)
            continue;
        s = layer->pred[t];
        w = path_weight(&pw, s, t);
        if (prev_is_anchor) {
            anchor[t] = (uint16_t)s;
            anchor_max[t] = w;
        } else {
            anchor[t] = anchor_prev[s];
            anchor_max[t] = max_double(max_prev[s], w);
        }
    }
    if ((c - 1) % stretch == 0 && layer->lo <= layer->hi) {
        const size_t at = (size_t)((c - 1) / stretch) * (size_t)problem->num_steps;
        const size_t count = (size_t)(layer->hi - layer->lo + 1);

        memcpy((uint16_t *)work->anchors.data + at + layer->lo,
               anchor + layer->lo, count * sizeof(uint16_t));
        memcpy((double *)work->anchors_max.data + at + layer->lo,
               anchor_max + layer->lo, count * sizeof(double));
    }
}

/* Rounds of compare_multisets() before it sorts. */
#define MULTISET_ROUNDS 4

/* The order of two multisets of @n weights each, as descending vectors:
 * <0 if @a is smaller, >0 if @b is, 0 if equal. The largest value whose
 * multiplicities differ decides, so each round takes the largest value
 * left below the last one and counts it on both sides. With weights that
 * rarely repeat the first round decides, in O(n) instead of two sorts
 * (which dominated long paths: near the state limit, divergent parts run
 * to hundreds of weights); past MULTISET_ROUNDS equal values, sort. */
static int
compare_multisets(double *a, double *b, size_t n)
{
    double bound = HUGE_VAL;

    for (int round = 0; round < MULTISET_ROUNDS; round++) {
        double largest = -HUGE_VAL;
        size_t count_a = 0, count_b = 0;

        for (size_t i = 0; i < n; i++) {
            if (a[i] < bound && a[i] > largest)
                largest = a[i];
            if (b[i] < bound && b[i] > largest)
                largest = b[i];
        }
        if (largest == -HUGE_VAL)
            return 0; /* every value matched */
        for (size_t i = 0; i < n; i++) {
            count_a += a[i] == largest;
            count_b += b[i] == largest;
        }
        if (count_a != count_b)
            return count_a > count_b ? 1 : -1;
        bound = largest;
    }
    lemica_sort_descending(a, n);
    lemica_sort_descending(b, n);
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i])
            return a[i] < b[i] ? -1 : 1;
    return 0;
}

/* The largest of the @n weights @w below @bound (-inf if none). */
static double
max_below(const double *w, size_t n, double bound)
{
    double largest = -HUGE_VAL;

    for (size_t i = 0; i < n; i++)
        if (w[i] < bound)
            largest = max_double(largest, w[i]);
    return largest;
}

/* compare_exact() past the anchors: the weights after the state where
 * the two paths meet, walked (divergent_weights()) and compared. */
__attribute__((always_inline)) static inline int
compare_walked_inline(lemica_solver *solver,
                      const struct lemica_problem *problem,
                      const struct layer *layer, int a, double wa, int b,
                      double wb)
{
    double *da = solver->work.scratch[0].data;
    double *db = solver->work.scratch[1].data;
    double max_a, max_b;
    size_t n;

    da[0] = wa;
    db[0] = wb;
    n = 1 + divergent_weights(solver, problem, layer, layer->c - 1, a, b,
                              da + 1, db + 1, &max_a, &max_b);
    /* What anchors would have shortened (see layer_lexmax()). */
    if (!solver->work.anchors_on) {
        solver->work.exact_walked += n;
        solver->work.exact_walks++;
    }
    max_a = max_double(max_a, wa);
    max_b = max_double(max_b, wb);
    /* The largest values decide when they differ: the side holding the
     * larger one has it more often (the other not at all). With weights
     * that rarely repeat this is nearly every comparison, and it saves
     * compare_multisets() its passes. */
    if (max_a != max_b)
        return max_a < max_b ? -1 : 1;
    if (max_a == DBL_MAX) {
        /* Both parts hold DBL_MAX, and as often (lexmax_ties() compares
         * its copies first): the largest weights below it decide when
         * they differ, for the same reason. With DBL_MAX on many edges
         * this is nearly every such comparison. */
        max_a = max_below(da, n, DBL_MAX);
        max_b = max_below(db, n, DBL_MAX);
        if (max_a != max_b)
            return max_a < max_b ? -1 : 1;
    }
    return compare_multisets(da, db, n);
}

/* The same out of line, for lexmax_ties_rows(): with anchors,
 * tree_maxima() nearly always decides first. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static int
compare_walked(lemica_solver *solver, const struct lemica_problem *problem,
               const struct layer *layer, int a, double wa, int b, double wb)
{
    return compare_walked_inline(solver, problem, layer, a, wa, b, wb);
}

/* compare_exact() for lexmax_ties()'s ties on a DBL_MAX bottleneck,
 * which reach it only with as many copies of DBL_MAX on both sides: the
 * parts after the paths' common state then hold it as often too (what
 * they share is the same), so the largest weights below DBL_MAX of the
 * parts, with the edges, decide when they differ (compare_walked_inline()
 * comes to the same after collecting every weight, and max_below() twice).
 * One walk keeping only that largest weight, no store a step; the anchors'
 * tree maxima are skipped: they include DBL_MAX, and on these ties they
 * were equal (both DBL_MAX) in 87% of the comparisons (N = 1000, K = 20,
 * every budget). Equal largest weights, rare, go to compare_walked(). */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static int
compare_below_top(lemica_solver *solver, const struct lemica_problem *problem,
                  const struct layer *layer, int a, double wa, int b,
                  double wb)
{
    const struct path_weights pw = path_weights_of(layer);
    struct walk_side side_a = {wa != DBL_MAX ? wa : -HUGE_VAL, 0, NULL, 1};
    struct walk_side side_b = {wb != DBL_MAX ? wb : -HUGE_VAL, 0, NULL, 1};

    const size_t at = (size_t)(layer->c - 1) * (size_t)problem->num_steps;

    pair_walk(pred_row(solver, problem, layer->c - 1),
              (size_t)problem->num_steps, &pw, a, b, &side_a, &side_b,
              WALK_BELOW_TOP,
              problem->top_runs
                  ? (const uint32_t *)solver->work.top_runs.data + at
                  : NULL);
    /* Counted as compare_walked_inline() counts its walks (the edge and
     * side a's weights), for the anchors' start. */
    if (!solver->work.anchors_on) {
        solver->work.exact_walked += side_a.n;
        solver->work.exact_walks++;
    }
    if (side_a.top != side_b.top)
        return side_a.top < side_b.top ? -1 : 1;
    return compare_walked(solver, problem, layer, a, wa, b, wb);
}

/* Exact LEXMAX comparison of candidates (@a at layer c - 1) + @wa and
 * (@b at layer c - 1) + @wb, for when their heads agree. Their DP paths
 * share everything before the state where they meet, and removing the same
 * weights from two multisets of equal size keeps their order, so only the
 * weights after that state are compared: first their largest ones, found
 * through the anchors (tree_maxima()), then all (compare_walked()), that
 * walk inline when @walk_inline (a constant: two versions are compiled). */
__attribute__((always_inline)) static inline int
compare_exact_with(lemica_solver *solver, const struct lemica_problem *problem,
                   const struct layer *layer, int a, double wa, int b,
                   double wb, int walk_inline)
{
    if (solver->work.anchors_on) {
        double tree_a, tree_b;

        /* The row scan's ties (@walk_inline 0): when both paths pass
         * through one state of the last anchor layer they meet there or
         * later, so after it each holds the common part S and its own.
         * If max(S, own part, edge) differs between them, the larger one
         * is above S and above the other side's own part and edge: it
         * decides as the tree walk's maxima would, without the walk's
         * last stretch (up to S layers one at a time). Equal: the walk
         * decides. Only there: inline in the general ties it cost the
         * blocked frontier up to 0.8% (no anchors there). */
        if (!walk_inline) {
            const int l = layer->c - 1;
            const uint16_t *anchor = solver->work.anchor[l & 1].data;

            if (anchor[a] == anchor[b]) {
                const double *anchor_max =
                    solver->work.anchor_max[l & 1].data;

                tree_a = max_double(anchor_max[a], wa);
                tree_b = max_double(anchor_max[b], wb);
                if (tree_a != tree_b)
                    return tree_a < tree_b ? -1 : 1;
            }
        }
        tree_maxima(solver, problem, layer, a, b, &tree_a, &tree_b);
        tree_a = max_double(tree_a, wa);
        tree_b = max_double(tree_b, wb);
        /* As below, for the parts after the common ancestor. */
        if (tree_a != tree_b)
            return tree_a < tree_b ? -1 : 1;
    }
    return walk_inline
               ? compare_walked_inline(solver, problem, layer, a, wa, b, wb)
               : compare_walked(solver, problem, layer, a, wa, b, wb);
}

/* compare_exact_with() as one function for the general ties, its walk
 * inline (the blocked scan keeps no anchors: it always walks; out of line
 * it cost the blocked frontier up to 1%). The row scan's
 * lexmax_ties_rows() takes it inline with the walk out of line: -0.3% on
 * diffusion N = 1000, K = 20 every budget. */
static int
compare_exact(lemica_solver *solver, const struct lemica_problem *problem,
              const struct layer *layer, int a, double wa, int b, double wb)
{
    return compare_exact_with(solver, problem, layer, a, wa, b, wb, 1);
}

/* The heads of LEXMAX layers c - 1 (read) and c (written). */
struct lexmax_heads {
    int limit;
    const struct lemica_run *prev;
    const unsigned char *len_prev;
    struct lemica_run *cur;
    unsigned char *len_cur;
    int lazy; /* blocked scan: layers of all_heads, filled on demand */
};

/* all_head_len of a head not computed yet. */
#define HEAD_UNKNOWN 0xffu

/* The blocked scan finds each state's bottleneck and first candidate by
 * itself, and most states have a single candidate reaching it: they need
 * no head. So blocked LEXMAX keeps the heads of every layer and computes
 * one only when a tie compares it. The head of (s, layer) is the head of
 * its predecessor merged with the edge between them: walk back to the
 * nearest known head, then merge forward, keeping each head on the way
 * (the next tie often asks for a neighbour on the same path). */
static void
lazy_head_walk(lemica_solver *solver, const struct lemica_problem *problem,
               const struct layer *at, int limit, int layer, int s)
{
    const size_t n = (size_t)problem->num_steps;
    const struct path_weights pw = path_weights_of(at);
    struct lemica_run *all = solver->work.all_heads.data;
    unsigned char *len = solver->work.all_head_len.data;
    /* The path buffer (layers + 1 ints) is free during the DP. */
    int *chain = solver->work.path.data;
    int depth = 0;

    /* Layer 1 (step 0, the empty vector) is always known. */
    while (len[(size_t)layer * n + (size_t)s] == HEAD_UNKNOWN) {
        chain[depth++] = s;
        s = pred_row(solver, problem, layer)[s];
        layer--;
    }
    while (depth > 0) {
        int t = chain[--depth];
        size_t from = (size_t)layer * n + (size_t)s;
        size_t to = (size_t)(layer + 1) * n + (size_t)t;

        len[to] = (unsigned char)merge_head(
            all + from * (size_t)limit, len[from], path_weight(&pw, s, t),
            limit, all + to * (size_t)limit);
        layer++;
        s = t;
    }
}

/* Make sure the head of state @s of layer c - 1 (@at is layer c) is
 * known. */
__attribute__((always_inline)) static inline void
lazy_head(lemica_solver *solver, const struct lemica_problem *problem,
          const struct layer *at, const struct lexmax_heads *heads, int s)
{
    if (heads->lazy && heads->len_prev[s] == HEAD_UNKNOWN)
        lazy_head_walk(solver, problem, at, heads->limit, at->c - 1, s);
}

/* Copies of DBL_MAX in the vector of candidate @s (head known) with edge
 * weight @w, when the state's bottleneck is DBL_MAX: nothing is larger, so
 * they are the head's first run whenever the path holds one. */
static inline uint32_t
top_copies(const struct layer *layer, const struct lexmax_heads *heads, int s,
           double w)
{
    uint32_t copies = (uint32_t)(w == DBL_MAX);

    if (layer->key_prev[s] == DBL_MAX)
        copies += heads->prev[(size_t)s * heads->limit].count;
    return copies;
}

/* Whether the heads of candidates @a and @b (layer c - 1) are full,
 * truncated and the same (one id: see struct lemica_run), with both
 * edges @wa and @wb below their last run: then both fall in the unknown
 * tails and compare_merged() could only say UNDECIDED. On diffusion-like
 * weights every path's largest weights are its oldest edges, which tied
 * candidates share, so half the comparisons end so (N = 1000, K = 20). */
static inline int
same_head_below(const struct lexmax_heads *heads, int a, double wa, int b,
                double wb)
{
    const int limit = heads->limit;
    const struct lemica_run *ha = heads->prev + (size_t)a * limit;
    const struct lemica_run *hb = heads->prev + (size_t)b * limit;
    const unsigned full = (unsigned)limit | TRUNCATED;

    return ha[0].id == hb[0].id && heads->len_prev[a] == full &&
           heads->len_prev[b] == full && wa < ha[limit - 1].value &&
           wb < ha[limit - 1].value;
}

/* State (t, c) of LEXMAX when several candidates share the bottleneck
 * @scan->best: the best of them by their heads, or by their full vectors
 * when the heads agree; ties go to the smallest predecessor. Kept out of
 * layer_lexmax() so that its common path stays small (few states tie). */
__attribute__((always_inline)) static inline void
lexmax_ties_body(lemica_solver *solver, const struct lemica_problem *problem,
                 const struct layer *layer, const struct lexmax_heads *heads,
                 int t, const double *row, int to, const struct scan *scan,
                 int general)
{
    const int limit = heads->limit;
    const double *key_prev = layer->key_prev;
    /* A bottleneck of DBL_MAX, the largest weight a graph holds, is every
     * tied vector's first run: fewer copies of it decide before a head is
     * merged (DBL_MAX mixes tie there on nearly every long path). */
    const int top = general && scan->best == DBL_MAX;
    int best_s = scan->first;
    double w_best = candidate_weight(layer, row, best_s);
    uint32_t best_copies = 0;

    if (general)
        lazy_head(solver, problem, layer, heads, best_s);
    if (top)
        best_copies = top_copies(layer, heads, best_s, w_best);
    for (int s = best_s + 1, left = scan->count - 1; left > 0 && s <= to; s++) {
        double w = candidate_weight(layer, row, s);
        int order;

        if (max_double(key_prev[s], w) != scan->best)
            continue;
        left--;
        if (general)
            lazy_head(solver, problem, layer, heads, s);
        if (top) {
            uint32_t copies = top_copies(layer, heads, s, w);

            if (copies != best_copies) {
                if (copies < best_copies) {
                    best_s = s;
                    w_best = w;
                    best_copies = copies;
                }
                continue;
            }
        }
        /* The heads merged with each edge, compared without writing them
         * out: only the winner's is stored. */
        if (!general && same_head_below(heads, s, w, best_s, w_best))
            order = UNDECIDED;
        else
            order = compare_merged(heads->prev + (size_t)s * limit,
                                   heads->len_prev[s], w,
                                   heads->prev + (size_t)best_s * limit,
                                   heads->len_prev[best_s], w_best);
        if (order == UNDECIDED)
            order = !general ? compare_exact_with(solver, problem, layer, s, w,
                                                  best_s, w_best, 0)
                    : top ? compare_below_top(solver, problem, layer, s, w,
                                              best_s, w_best)
                          : compare_exact(solver, problem, layer, s, w, best_s,
                                          w_best);
        if (order < 0) {
            best_s = s;
            w_best = w;
        }
    }
    layer->key_cur[t] = scan->best;
    layer->pred[t] = (uint16_t)best_s;
    heads->len_cur[t] = (unsigned char)merge_head_id(
        &solver->work.head_id, heads->prev + (size_t)best_s * limit,
        heads->len_prev[best_s], w_best, limit,
        heads->cur + (size_t)t * limit);
}

static void
lexmax_ties(lemica_solver *solver, const struct lemica_problem *problem,
            const struct layer *layer, const struct lexmax_heads *heads, int t,
            const double *row, int to, const struct scan *scan)
{
    lexmax_ties_body(solver, problem, layer, heads, t, row, to, scan, 1);
}

/* lexmax_ties() for layer_lexmax()'s row scan when the bottleneck is not
 * DBL_MAX: its heads are all known (not lazy) and no copies are counted,
 * so neither is tested per candidate; two candidates with the same head
 * go straight to the exact comparison (same_head_below()). */
static void
lexmax_ties_rows(lemica_solver *solver, const struct lemica_problem *problem,
                 const struct layer *layer, const struct lexmax_heads *heads,
                 int t, const double *row, int to, const struct scan *scan)
{
    lexmax_ties_body(solver, problem, layer, heads, t, row, to, scan, 0);
}

/* lexmax_fewest_copies() runs first when at least FEWEST_COUNT candidates
 * tie (row scan), or when the blocked scan's tied ones span more than
 * FEWEST_SPAN predecessors (it does not count them): below that, ties are
 * mostly two paths sharing their bottleneck edge, with as many copies of
 * it, and the extra pass cost 6-11% on distinct and diffusion weights
 * (instructions, N = 50 and 200). Ties on DBL_MAX always take it (row
 * scan, and the blocked frontier with heads): long paths hold it several
 * times and the copies differ; without the pass, lexmax_ties()'s running
 * best need not have the fewest, and every candidate with as many goes
 * through heads and walks (N = 50 frontier, K = 20: +15%). */
#define FEWEST_COUNT 4
#define FEWEST_SPAN 8
/* The row scan stops running lexmax_fewest_copies() on every state once
 * FEWEST_USELESS runs in a row left no tied candidate out, and runs it
 * then on every FEWEST_SAMPLE-th such state of a layer only, until one of
 * those leaves one out (then on every state again). Where every tied
 * candidate holds the bottleneck as often (a shared early edge:
 * diffusion-like and distinct weights) the pass never leaves one out and
 * cost 6% of the solve (N = 1000, K = 20, one budget); with DBL_MAX mixes
 * it nearly always does. lexmax_ties() alone is exact either way. */
#define FEWEST_USELESS 16
#define FEWEST_SAMPLE 16

/* State (t, c) of LEXMAX when several candidates may share the bottleneck
 * @scan->best (@scan->count may be INT_MAX: unknown, up to @to): first
 * the number of copies of the bottleneck in each candidate's vector, its
 * head's first run and the edge. Fewer copies is better (where one vector
 * still holds the bottleneck the other has a smaller value), so only the
 * candidates with the fewest copies can win: when one has them it wins
 * without a head being merged; otherwise lexmax_ties() compares the
 * candidates between the first and the last of them (the others it
 * rejects on their heads' first runs). With many ties on a common
 * bottleneck (DBL_MAX mixed with other weights: long paths that must take
 * several DBL_MAX edges) this is one cheap pass instead of a merge and a
 * comparison of heads per candidate. Returns whether it left a tied
 * candidate out. */
static int
lexmax_fewest_copies(lemica_solver *solver,
                     const struct lemica_problem *problem,
                     const struct layer *layer,
                     const struct lexmax_heads *heads, int t,
                     const double *row, int to, struct scan *scan)
{
    const int limit = heads->limit;
    const double *key_prev = layer->key_prev;
    const double best = scan->best;
    uint32_t fewest = UINT32_MAX;
    int first = scan->first, last = scan->first;
    int tied = 0, first_tied = 0, last_tied = 0;

    for (int s = scan->first, left = scan->count; left > 0 && s <= to; s++) {
        double w = candidate_weight(layer, row, s);
        double k = key_prev[s];
        uint32_t copies;

        if (max_double(k, w) != best)
            continue;
        left--;
        /* A head whose key is @best has it as first run: only (0, 1)
         * has no run, and it is never tied (layer 2 has no other
         * candidate). */
        copies = (uint32_t)(w == best) +
                 (k == best ? heads->prev[(size_t)s * limit].count : 0);
        if (copies < fewest) {
            fewest = copies;
            first = last = s;
            first_tied = last_tied = tied;
        } else if (copies == fewest) {
            last = s;
            last_tied = tied;
        }
        tied++;
    }
    if (first == last) {
        double w = candidate_weight(layer, row, first);

        heads->len_cur[t] = (unsigned char)merge_head_id(
            &solver->work.head_id, heads->prev + (size_t)first * limit,
            heads->len_prev[first], w, limit, heads->cur + (size_t)t * limit);
        layer->key_cur[t] = best;
        layer->pred[t] = (uint16_t)first;
        return tied > 1;
    }
    scan->first = first;
    scan->count = last_tied - first_tied + 1;
    lexmax_ties(solver, problem, layer, heads, t, row, last, scan);
    return scan->count < tied;
}

/* Each state's copies of DBL_MAX in layer c - 1 of the row scan, for
 * lexmax_top_ties(): its head's first run when its bottleneck is DBL_MAX
 * (see top_copies()), else none; +inf where unreached. Filled at a
 * layer's first DBL_MAX tie, so graphs without DBL_MAX never pay it. */
static void
top_copies_fill(lemica_solver *solver, const struct layer *layer,
                const struct lexmax_heads *heads)
{
    double *copies = solver->work.top_copies.data;
    const double *key = layer->key_prev;
    const int limit = heads->limit;

    for (int s = layer->prev_lo; s <= layer->prev_hi; s++)
        copies[s] = key[s] == DBL_MAX
                        ? (double)heads->prev[(size_t)s * limit].count
                        : key[s] == HUGE_VAL ? HUGE_VAL : 0.0;
}

/* Layer c's entries of top_runs (problem->top_runs): for each state t
 * reached in layers c and c - 1, where the paths of (t, c) and (t, c - 1)
 * go back through the same steps, one layer apart, they take the same
 * edges; the entry holds how many steps they do so (high 16 bits) and
 * the step where they part (low 16), as pair_walk()'s loop over such a
 * run would find them: when both predecessors are the same step y, the
 * entry of (y, c - 1) plus one step. Layer 2 has no such pair (layer 1
 * holds step 0 alone). At N = 1000, K = 20 the DBL_MAX ties' walks ran
 * through 16 M such steps in 64 k runs. */
static void
top_runs_layer(lemica_solver *solver, const struct lemica_problem *problem,
               const struct layer *layer)
{
    const size_t n = (size_t)problem->num_steps;
    uint32_t *runs = (uint32_t *)solver->work.top_runs.data +
                     (size_t)layer->c * n;
    const uint32_t *runs_prev = runs - n;
    const uint16_t *pred_prev = layer->pred - n;
    const int lo = layer->lo > layer->prev_lo ? layer->lo : layer->prev_lo;
    const int hi = layer->hi < layer->prev_hi ? layer->hi : layer->prev_hi;

    if (layer->c < 3)
        return;
    for (int t = lo; t <= hi; t++) {
        const int y = layer->pred[t];

        if (layer->key_cur[t] == HUGE_VAL || layer->key_prev[t] == HUGE_VAL)
            continue;
        runs[t] = pred_prev[t] == y ? runs_prev[y] + 0x10000u : (uint32_t)t;
    }
}

/* State (t, c) of the row scan's LEXMAX when several candidates tie on a
 * DBL_MAX bottleneck (every reached candidate, then): the fewest copies
 * of DBL_MAX by a vector scan of top_copies_fill()'s counts (the same
 * counts lexmax_fewest_copies() takes from the heads one candidate at a
 * time, 20% of the solve at N = 200 and 1000, K = 20), then among the
 * candidates with that many what lexmax_ties() does with them: heads,
 * then the largest weights below DBL_MAX (compare_below_top()). Ties go
 * to the smallest predecessor. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static void
lexmax_top_ties(lemica_solver *solver, const struct lemica_problem *problem,
                const struct layer *layer, const struct lexmax_heads *heads,
                int t, const double *row, int from, int to)
{
    const int limit = heads->limit;
    const double *copies = solver->work.top_copies.data;
    struct scan fewest;
    int best_s;
    double w_best;

    if (solver->work.top_copies_layer != layer->c) {
        top_copies_fill(solver, layer, heads);
        solver->work.top_copies_layer = layer->c;
    }
    scan_top_copies(copies, row, from, to + 1, &fewest);
    best_s = fewest.first;
    w_best = row[best_s];
    for (int s = best_s + 1, left = fewest.count - 1; left > 0 && s <= to;
         s++) {
        double w = row[s];
        int order;

        if (top_copies_of(copies[s], w) != fewest.best)
            continue;
        left--;
        order = compare_merged(heads->prev + (size_t)s * limit,
                               heads->len_prev[s], w,
                               heads->prev + (size_t)best_s * limit,
                               heads->len_prev[best_s], w_best);
        if (order == UNDECIDED)
            order = compare_below_top(solver, problem, layer, s, w, best_s,
                                      w_best);
        if (order < 0) {
            best_s = s;
            w_best = w;
        }
    }
    layer->key_cur[t] = DBL_MAX;
    layer->pred[t] = (uint16_t)best_s;
    heads->len_cur[t] = (unsigned char)merge_head_id(
        &solver->work.head_id, heads->prev + (size_t)best_s * limit,
        heads->len_prev[best_s], w_best, limit,
        heads->cur + (size_t)t * limit);
}

/* compare_exact() without anchors (the blocked scan keeps none), out of
 * line: the rare end of frontier_compare() and compare_by_layers(), which
 * have found the two parts' largest weights equal. @top is that weight
 * when both hold it as often (frontier_compare() counts the copies), else
 * +inf. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static int
frontier_compare_rest(lemica_solver *solver,
                      const struct lemica_problem *problem,
                      const struct layer *layer, int a, double wa, int b,
                      double wb, double top)
{
    double *da = solver->work.scratch[0].data;
    double *db = solver->work.scratch[1].data;
    double max_a, max_b;
    size_t count;

    da[0] = wa;
    db[0] = wb;
    count = 1 + divergent_weights(solver, problem, layer, layer->c - 1, a, b,
                                  da + 1, db + 1, &max_a, &max_b);
    /* Both hold @top as often: the largest weights below it decide when
     * they differ (DBL_MAX mixes: nearly always). With +inf that is the
     * largest of the walked weights, which can still decide: the walk
     * (divergent_weights()) leaves out the edges both paths use. */
    max_a = max_below(da, count, top);
    max_b = max_below(db, count, top);
    if (max_a != max_b)
        return max_a < max_b ? -1 : 1;
    return compare_multisets(da, db, count);
}

/* What frontier_compare() needs of a layer, made once a layer: its
 * predecessor row and the weights. The frontier always runs the blocked
 * scan, so a path weight is at weights + t + s * row_step (layer_init()):
 * a constant step in t spares the walk a multiply a step. */
struct frontier_walk {
    const uint16_t *pred; /* layer c - 1's predecessor row */
    size_t n;             /* the distance between layers' rows */
    struct path_weights pw;
};

static inline struct frontier_walk
frontier_walk_of(const lemica_solver *solver,
                 const struct lemica_problem *problem,
                 const struct layer *layer)
{
    struct frontier_walk fw;

    fw.pred = pred_row(solver, problem, layer->c - 1);
    fw.n = (size_t)problem->num_steps;
    fw.pw.base = layer->weights;
    fw.pw.t_step = 1;
    fw.pw.s_step = layer->row_step;
    return fw;
}

/* compare_exact() for the frontier, which keeps no heads: first one walk
 * back from (@a, c - 1) and (@b, c - 1) until the two paths meet, by step
 * as in divergent_weights() (the DP's paths form a tree, so all before is
 * shared and drops out, as in compare_exact()), keeping each side's
 * largest weight and how often it occurs. The larger largest weight, or
 * on equal ones more copies of it, makes the larger vector (both parts are
 * as long); only when both agree does frontier_compare_rest() look
 * further, below that weight. */
static int
frontier_compare(lemica_solver *solver, const struct lemica_problem *problem,
                 const struct layer *layer, const struct frontier_walk *fw,
                 int a, double wa, int b, double wb)
{
    struct walk_side side_a = {wa, 1, NULL, 0};
    struct walk_side side_b = {wb, 1, NULL, 0};
    size_t walked = pair_walk(fw->pred, fw->n, &fw->pw, a, b, &side_a,
                              &side_b, WALK_COPIES, NULL);

    solver->work.frontier_walked += walked;
    if (side_a.top != side_b.top)
        return side_a.top < side_b.top ? -1 : 1;
    if (side_a.copies != side_b.copies)
        return side_a.copies > side_b.copies ? 1 : -1;
    solver->work.frontier_walked += walked; /* walked again below */
    return frontier_compare_rest(solver, problem, layer, a, wa, b, wb,
                                 side_a.top);
}

/* Copies of the bottleneck @best in the vector of candidate @s with edge
 * weight @w (0 if the candidate does not reach @best), for the
 * frontier's one-run lazy heads: each is a state's largest weight and
 * how often its path takes it. */
static inline uint32_t
frontier_copies(lemica_solver *solver, const struct lemica_problem *problem,
                const struct layer *layer, const struct lexmax_heads *heads,
                int s, double w, double best)
{
    double k = layer->key_prev[s];
    uint32_t copies = (uint32_t)(w == best);

    if (k == best) {
        /* Its first run (see lexmax_fewest_copies()). */
        lazy_head(solver, problem, layer, heads, s);
        copies += heads->prev[(size_t)s * heads->limit].count;
    }
    return copies;
}

/* State (t, c) of the blocked LEXMAX frontier when the candidates from
 * the scan's first to @to may share the bottleneck: each tied one against
 * the best so far by the weights after their paths' common ancestor
 * (frontier_compare()), the smaller predecessor on a tie. The frontier
 * builds no heads while those walks stay short (layer_frontier()): at
 * N = 50, K = 49 the parts after the common ancestor average 2-4 edges on
 * distinct, diffusion, DBL_MAX and 64- or 256-level weights, at most 12,
 * so a walk costs less than a head built for every state. Ties spanning
 * more than FEWEST_SPAN predecessors (DBL_MAX mixes: many long paths share
 * a bottleneck they take several times) first keep the candidates with
 * the fewest copies of it (see lexmax_fewest_copies()), from heads built
 * on demand (@heads). */
static void
frontier_ties(lemica_solver *solver, const struct lemica_problem *problem,
              const struct layer *layer, const struct lexmax_heads *heads,
              const struct frontier_walk *fw, int t, int to)
{
    const double *row = layer->weights + t; /* see layer_init() */
    const double *key_prev = layer->key_prev;
    const double best = layer->key_cur[t];
    int best_s = layer->pred[t];
    uint32_t fewest = UINT32_MAX;
    double w_best;

    if (to - best_s >= FEWEST_SPAN) {
        int first = best_s, last = best_s;

        for (int s = best_s; s <= to; s++) {
            double w = candidate_weight(layer, row, s);
            uint32_t copies;

            if (max_double(key_prev[s], w) != best)
                continue;
            copies = frontier_copies(solver, problem, layer, heads, s, w, best);
            if (copies < fewest) {
                fewest = copies;
                first = last = s;
            } else if (copies == fewest) {
                last = s;
            }
        }
        best_s = first;
        to = last;
    }
    w_best = candidate_weight(layer, row, best_s);
    /* The weights of (s, t) a row step apart (layer_init()). */
    const double *ws = row + (size_t)best_s * layer->row_step;
    for (int s = best_s + 1; s <= to; s++) {
        double w = *(ws += layer->row_step);

        if (max_double(key_prev[s], w) != best)
            continue;
        /* With the fewest copies known, the heads are too: two loads. */
        if (fewest != UINT32_MAX &&
            frontier_copies(solver, problem, layer, heads, s, w, best) !=
                fewest)
            continue;
        if (frontier_compare(solver, problem, layer, fw, s, w, best_s,
                             w_best) < 0) {
            best_s = s;
            w_best = w;
        }
    }
    layer->pred[t] = (uint16_t)best_s;
}

/* The states t of [@lo, @hi] whose scan found a tie (last[t] != pred[t])
 * and a reached bottleneck: frontier_ties() for each. Most states do not
 * tie, so eight are tested at once where the vector scan exists (only
 * then is the blocked scan used). */
#ifdef LEMICA_HAVE_AVX_SCAN
__attribute__((target("avx")))
#endif
static void
frontier_walk_ties(lemica_solver *solver, const struct lemica_problem *problem,
                   const struct layer *layer,
                   const struct lexmax_heads *heads, const uint16_t *last)
{
    const struct frontier_walk fw = frontier_walk_of(solver, problem, layer);

#ifdef LEMICA_HAVE_AVX_SCAN
    for (int t = layer->lo; t <= layer->hi; t += 8) {
        /* A bit a state, set where pred and last differ. */
        unsigned tied = 0;

        if (t + 8 <= layer->hi + 1) {
            __m128i same = _mm_cmpeq_epi16(
                _mm_loadu_si128(
                    (const __m128i *)(const void *)(layer->pred + t)),
                _mm_loadu_si128((const __m128i *)(const void *)(last + t)));

            tied = (unsigned)_mm_movemask_epi8(_mm_packs_epi16(same, same)) ^
                   0xffffu;
            tied &= 0xffu;
        } else
            for (int j = 0; t + j <= layer->hi; j++)
                if (last[t + j] != layer->pred[t + j])
                    tied |= 1u << j;
        /* The last block's states go through the same loop: one call
         * site, so that frontier_ties() is inlined once. */
        for (; tied; tied &= tied - 1) {
            int j = __builtin_ctz(tied);

            if (layer->key_cur[t + j] != HUGE_VAL)
                frontier_ties(solver, problem, layer, heads, &fw, t + j,
                              last[t + j]);
        }
    }
#else
    for (int t = layer->lo; t <= layer->hi; t++)
        if (last[t] != layer->pred[t] && layer->key_cur[t] != HUGE_VAL)
            frontier_ties(solver, problem, layer, heads, &fw, t, last[t]);
#endif
}

/* Walks per state scanned above which the blocked frontier builds every
 * head (layer_frontier()). Walked layers per state at K = 20 and K = N - 1:
 * N = 50 distinct 0.9 / 1.5, diffusion 1.8 / 1.9, 256 levels 0.6 / 1.3,
 * 64 levels 5.2 / 2.8, DBL_MAX mix 13 / 12; N = 128 distinct 3.3 / 2.6,
 * diffusion 8.1 / 8.4, 256 levels 5.1 / 3.5, 64 levels 14 / 12, DBL_MAX
 * 20 / 17. With 4 the families that switch late paid 2-7% at N = 128
 * (the walks before the switch); with 2, at most 1-3% (instructions),
 * and N = 50 distinct, diffusion and 256 levels still never switch. */
#define FRONTIER_WALKS_PER_STATE 2

/* One layer of the blocked LEXMAX frontier, after its scan. It starts
 * without heads: ties are broken by walks (frontier_ties()), as long as
 * those stay short on average. Once they do not (long tied paths that
 * meet late: many levels, DBL_MAX mixes, larger N), it builds the heads
 * of layer c - 1 (on demand, as for one budget: each merge once) and
 * from then on every state's head, and breaks ties on heads as the row
 * scan does. */
static void
layer_frontier(lemica_solver *solver, const struct lemica_problem *problem,
               const struct layer *layer, const struct lexmax_heads *heads,
               const uint16_t *last)
{
    struct lemica_workspace *work = &solver->work;

    if (!work->frontier_heads &&
        work->frontier_walked >
            FRONTIER_WALKS_PER_STATE * work->frontier_states) {
        work->frontier_heads = 1;
        for (int s = layer->prev_lo; s <= layer->prev_hi; s++)
            if (layer->key_prev[s] != HUGE_VAL)
                lazy_head(solver, problem, layer, heads, s);
    }
    work->frontier_states += (size_t)(layer->hi - layer->lo + 1);
    if (!work->frontier_heads) {
        /* No head of this layer is known yet; with heads, every reached
         * state gets one below. */
        if (layer->lo <= layer->hi)
            memset(heads->len_cur + layer->lo, HEAD_UNKNOWN,
                   (size_t)(layer->hi - layer->lo + 1));
        /* The scan's key_cur and pred stand unless candidates tie. */
        frontier_walk_ties(solver, problem, layer, heads, last);
        return;
    }
    for (int t = layer->lo; t <= layer->hi; t++) {
        int s = layer->pred[t];

        if (layer->key_cur[t] == HUGE_VAL)
            continue;
        if (last[t] != s) {
            int from, to;
            const double *row = layer_candidates(layer, t, &from, &to);
            struct scan scan;

            blocked_result(layer, last, t, &to, &scan);
            if (to - scan.first >= FEWEST_SPAN || scan.best == DBL_MAX)
                lexmax_fewest_copies(solver, problem, layer, heads, t, row,
                                     to, &scan);
            else
                lexmax_ties(solver, problem, layer, heads, t, row, to, &scan);
            continue;
        }
        heads->len_cur[t] = (unsigned char)merge_head(
            heads->prev + (size_t)s * heads->limit, heads->len_prev[s],
            candidate_weight(layer, layer->weights + t, s), heads->limit,
            heads->cur + (size_t)t * heads->limit);
    }
}

/* The heads of layer c (and c - 1) in all_heads (blocked LEXMAX). */
static void
lexmax_all_heads(lemica_solver *solver, const struct lemica_problem *problem,
                 int c, struct lexmax_heads *heads)
{
    struct lemica_workspace *work = &solver->work;
    const size_t n = (size_t)problem->num_steps;
    struct lemica_run *all = work->all_heads.data;
    unsigned char *all_len = work->all_head_len.data;

    heads->limit = solver->head_runs;
    heads->prev = all + (size_t)(c - 1) * n * (size_t)heads->limit;
    heads->len_prev = all_len + (size_t)(c - 1) * n;
    heads->cur = all + (size_t)c * n * (size_t)heads->limit;
    heads->len_cur = all_len + (size_t)c * n;
    heads->lazy = 1;
}

/* One layer of LEXMAX. */
static void
layer_lexmax(lemica_solver *solver, const struct lemica_problem *problem,
             int c)
{
    struct lemica_workspace *work = &solver->work;
    uint16_t *last = problem->blocked ? work->last_tied.data : NULL;
    struct lexmax_heads heads;
    struct layer layer;
    int fewest_skipped = 0;
    int started = 0; /* anchors from this layer on */

    heads.limit = solver->head_runs;
    heads.prev = work->heads[(c - 1) & 1].data;
    heads.len_prev = work->head_len[(c - 1) & 1].data;
    heads.cur = work->heads[c & 1].data;
    heads.len_cur = work->head_len[c & 1].data;
    heads.lazy = 0;
    layer_init(solver, problem, c, &layer);
    if (problem->blocked) {
        /* Heads in all_heads, built when a tie needs them (or, for the
         * frontier, every one once walks cost more: layer_frontier()).
         * One budget runs lexmax_blocked_one() instead. */
        lexmax_all_heads(solver, problem, c, &heads);
        layer_scan_blocked(solver, problem, &layer, SCAN_MAX, last);
        layer_frontier(solver, problem, &layer, &heads, last);
        return;
    }
    if (c == 2) /* a new run: no layer's copies yet */
        work->top_copies_layer = 0;
    if (layer.lo <= layer.hi)
        work->lexmax_states += (size_t)(layer.hi - layer.lo + 1);
    for (int t = layer.lo; t <= layer.hi; t++) {
        int from, to;
        const double *row =
            layer.weights + layer_row_at(&layer, t, &from, &to);
        struct scan scan;
        int s;

        layer.key_cur[t] = HUGE_VAL;
        if (from > to)
            continue;
        scan_candidates(SCAN_MAX, layer.key_prev, row, from, to + 1, &scan);
        if (scan.best == HUGE_VAL)
            continue;
        /* The bottleneck decides unless several candidates share it. */
        if (scan.count > 1) {
            if (scan.best == DBL_MAX)
                /* Out of line: inlined, it cost distinct weights 0.9%
                 * (N = 200, K = 199, every budget). */
                lexmax_top_ties(solver, problem, &layer, &heads, t, row,
                                scan.first, to);
            else if (scan.count >= FEWEST_COUNT &&
                (work->fewest_useless < FEWEST_USELESS ||
                 ++fewest_skipped == FEWEST_SAMPLE)) {
                fewest_skipped = 0;
                if (lexmax_fewest_copies(solver, problem, &layer, &heads, t,
                                         row, to, &scan))
                    work->fewest_useless = 0;
                else if (work->fewest_useless < FEWEST_USELESS)
                    work->fewest_useless++;
            } else
                lexmax_ties_rows(solver, problem, &layer, &heads, t, row, to,
                                 &scan);
            continue;
        }
        s = scan.first;
        heads.len_cur[t] = (unsigned char)merge_head_id(
            &work->head_id, heads.prev + (size_t)s * heads.limit,
            heads.len_prev[s], candidate_weight(&layer, row, s), heads.limit,
            heads.cur + (size_t)t * heads.limit);
        layer.key_cur[t] = scan.best;
        layer.pred[t] = (uint16_t)s;
    }
    if (problem->top_runs)
        top_runs_layer(solver, problem, &layer);
    if (!work->anchors_on && work->anchors_late &&
        (c - 2) % work->anchor_stretch == 0) {
        /* Layer c - 1 is an anchor layer, so layer c's anchors are its
         * states' predecessors: they need none of the layers before.
         * The pair memo starts too, as at a run's first layer. Counted
         * over the S layers since the last such layer: the walks grow
         * with the layers (diffusion-like weights, N = 200: the first
         * 64 layers walk as little as distinct weights). */
        if (work->exact_walked * (size_t)anchor_share >
                work->lexmax_states &&
            work->exact_walked > work->exact_walks * (size_t)anchor_walk) {
            work->anchors_on = 1;
            work->anchor_floor = c - 1;
            started = 1;
        }
        work->exact_walked = work->exact_walks = 0;
        work->lexmax_states = 0;
    }
    /* One call site, so that layer_anchors() stays inlined. */
    if (work->anchors_on) {
        layer_anchors(solver, problem, &layer);
        if (!started) /* the memo's first layer is the next one */
            lemica_pair_memo_gate_next(&work->pair_memo_gate);
    }
}

/* One layer of LEXMAX by level counts (level-counts-int.h; the row scan's
 * frontier on few values): each state's bottleneck by the MAX scan, and
 * where several candidates reach it, the one whose counts plus its edge's
 * level make the smallest vector, the smallest predecessor on equal ones
 * (the scan's order). Every reached state's counts are its
 * predecessor's plus that edge. */
static void
layer_counts(lemica_solver *solver, const struct lemica_problem *problem,
             int c)
{
    struct lemica_workspace *work = &solver->work;
    const size_t words = (size_t)problem->count_words;
    const uint64_t *counts_prev = work->counts[(c - 1) & 1].data;
    uint64_t *counts_cur = work->counts[c & 1].data;
    const double *incoming = work->incoming.data;
    const unsigned char *levels_all = work->count_levels.data;
    /* Each state's bottleneck level (of its largest value). */
    const unsigned char *top_prev = work->count_tops[(c - 1) & 1].data;
    unsigned char *top_cur = work->count_tops[c & 1].data;
    struct layer layer;

    layer_init(solver, problem, c, &layer);
    /* The row scan only (lemica_solver_prepare_counts()): row[s] is
     * candidate s's weight, row_step 1. Read so, not by
     * candidate_weight(), the tie pass loads no step and advances no
     * second pointer (levels-64, N = 200, every budget: -1.3% at K = 20
     * and K = 199). */
    for (int t = layer.lo; t <= layer.hi; t++) {
        int from, to;
        const size_t at = layer_row_at(&layer, t, &from, &to);
        const double *row = incoming + at;
        /* The level of (s, t) is at the slot of its weight. */
        const unsigned char *level = levels_all + at;
        struct scan scan;
        unsigned top_level;
        int best_s;

        layer.key_cur[t] = HUGE_VAL;
        if (from > to)
            continue;
        scan_candidates(SCAN_MAX, layer.key_prev, row, from, to + 1, &scan);
        if (scan.best == HUGE_VAL)
            continue;
        best_s = scan.first;
        /* The bottleneck's level: every candidate that reaches it has it
         * as its largest (from the edge or from the predecessor). */
        top_level = scan.best == row[best_s] ? level[best_s]
                                             : top_prev[best_s];
        if (scan.count > 1) {
            /* Every tied vector holds the bottleneck, none a larger value:
             * their counts agree before its word, and that word (its
             * count and the next three levels') nearly always decides.
             * So first the smallest such word of all tied candidates, in
             * one pass; only those that share it compare further. */
            const size_t top = top_level / 4;
            /* The first tied candidate is the scan's: its word without a
             * test. The scan's count is exact (scan_avx() gives the
             * portable one), so the pass ends at the last tied candidate
             * without a test of @to. */
            uint64_t least = lemica_counts_word(
                counts_prev + (size_t)best_s * words, level[best_s], top);
            int last_least = best_s, sharing = 1;

            for (int s = best_s + 1, left = scan.count - 1; left > 0; s++) {
                uint64_t word;

                if (max_double(layer.key_prev[s], row[s]) != scan.best)
                    continue;
                left--;
                word = lemica_counts_word(counts_prev + (size_t)s * words,
                                          level[s], top);
                if (word < least) {
                    least = word;
                    best_s = last_least = s;
                    sharing = 1;
                } else if (word == least) {
                    last_least = s;
                    sharing++;
                }
            }
            for (int s = best_s + 1; sharing > 1 && s <= last_least; s++) {
                if (max_double(layer.key_prev[s], row[s]) != scan.best ||
                    lemica_counts_word(counts_prev + (size_t)s * words,
                                       level[s], top) != least)
                    continue;
                sharing--;
                if (lemica_counts_order(counts_prev + (size_t)s * words,
                                        level[s],
                                        counts_prev + (size_t)best_s * words,
                                        level[best_s], top + 1, words) < 0)
                    best_s = s;
            }
        }
        lemica_counts_extend(counts_cur + (size_t)t * words,
                             counts_prev + (size_t)best_s * words,
                             level[best_s], words);
        top_cur[t] = (unsigned char)top_level;
        layer.key_cur[t] = scan.best;
        layer.pred[t] = (uint16_t)best_s;
    }
}

/* lexmax_blocked_one() settles its ties by walks (lexmax_ties_walk())
 * while at most this many candidates per step tie in all. */
#define WALK_TIES_PER_STEP 1

/* The LEXMAX order of candidates (@a at layer c - 1) + @wa and (@b at
 * layer c - 1) + @wb of @layer, as compare_exact() gives it without
 * anchors: their DP paths walked back a layer at a time to the state they
 * share (tree_walk() without anchors), whose largest weights after it
 * decide when they differ; else frontier_compare_rest() (compare_exact()
 * itself out of line: a second call of it made GCC take it out of line
 * for the row scan too, +0.3% to +0.75% at N = 200 every budget). The
 * walk by layers costs about half of divergent_weights()' by steps, which
 * collects the weights too (diffusion-like weights, N = 50, K = 20:
 * 39.9 k instructions a solve against 42.6 k). */
static int
compare_by_layers(lemica_solver *solver, const struct lemica_problem *problem,
                  const struct layer *layer, int a, double wa, int b,
                  double wb)
{
    const struct path_weights pw = path_weights_of(layer);
    double top_a = wa, top_b = wb;

    walk_layers(solver, problem, &pw, layer->c - 1, a, b, &top_a, &top_b);
    if (top_a != top_b)
        return top_a < top_b ? -1 : 1;
    /* Equal largest weights, perhaps not as many copies: no weight is
     * known to be held as often by both but +inf, which neither holds. */
    return frontier_compare_rest(solver, problem, layer, a, wa, b, wb,
                                 HUGE_VAL);
}

/* lexmax_ties() without heads, for lexmax_blocked_one() when few
 * candidates tie: each against the best so far by the weights after the
 * last state their paths share (compare_by_layers()). That walks both
 * paths back to where they meet, at most the layers so far; on the few
 * ties of spread values it costs less than building and merging heads
 * (diffusion-like weights, N = 50, K = 20: 13 tied states, 36 candidates,
 * 39.9 k instructions a solve against 43.5 k; K = 49 51.3 k against
 * 53.8 k). Ties go to the smallest predecessor, as there. */
static void
lexmax_ties_walk(lemica_solver *solver, const struct lemica_problem *problem,
                 const struct layer *layer, int t, const double *row, int to,
                 const struct scan *scan)
{
    const double *key_prev = layer->key_prev;
    int best_s = scan->first;
    double w_best = candidate_weight(layer, row, best_s);

    for (int s = best_s + 1, left = scan->count - 1; left > 0 && s <= to; s++) {
        double w = candidate_weight(layer, row, s);

        if (max_double(key_prev[s], w) != scan->best)
            continue;
        left--;
        if (compare_by_layers(solver, problem, layer, s, w, best_s,
                              w_best) < 0) {
            best_s = s;
            w_best = w;
        }
    }
    layer->pred[t] = (uint16_t)best_s;
}

/* Point @layer (set up by layer_init() for any layer) at layer @c of
 * lexmax_blocked_one(), whose first pass kept every layer's keys and
 * range: layer_init() costs about 85 instructions a layer, mostly
 * layer_range(). */
static inline void
layer_move(const lemica_solver *solver, const struct lemica_problem *problem,
           int c, struct layer *layer)
{
    const struct lemica_workspace *work = &solver->work;
    const size_t n = (size_t)problem->num_steps;
    const int *ranges = work->layer_ranges.data;

    layer->c = c;
    layer->key_prev =
        (const double *)work->layer_keys.data + (size_t)(c - 1) * n;
    layer->key_cur = (double *)work->layer_keys.data + (size_t)c * n;
    layer->pred = (uint16_t *)work->pred.data + (size_t)c * n;
    layer->prev_lo = ranges[2 * c - 2];
    layer->prev_hi = ranges[2 * c - 1];
    layer->lo = ranges[2 * c];
    layer->hi = ranges[2 * c + 1];
}

/* The settling of lexmax_settle_marked() for the row scan when too many
 * candidates tie for walks alone: the @count marked states listed in
 * tie_states (every one, highest layer first) go lowest layer first, as
 * layer_lexmax() goes through a layer's states, with its two layers of
 * heads (heads[]): a marked state with one candidate reaching its
 * bottleneck merges that one's head, the others are settled by
 * lexmax_ties() on their heads, and walks where the heads agree. Every
 * head read is a marked state's of the layer before (a marked state's
 * reaching candidates are marked), so the heads of the other states are
 * never written. */
static void
lexmax_settle_rolling(lemica_solver *solver,
                      const struct lemica_problem *problem,
                      struct layer *layer, size_t count)
{
    struct lemica_workspace *work = &solver->work;
    const struct lemica_tie_state *tied = work->tie_states.data;
    struct lexmax_heads heads;

    heads.limit = solver->head_runs;
    heads.lazy = 0;
    for (int c = 0; count > 0;) {
        const struct lemica_tie_state *tie = &tied[--count];
        const int t = tie->step;
        int from, to;
        const double *row;

        if (tie->layer != c) {
            c = tie->layer;
            layer_move(solver, problem, c, layer);
            heads.prev = work->heads[(c - 1) & 1].data;
            heads.len_prev = work->head_len[(c - 1) & 1].data;
            heads.cur = work->heads[c & 1].data;
            heads.len_cur = work->head_len[c & 1].data;
        }
        row = layer_candidates(layer, t, &from, &to);
        if (tie->ties > 1) {
            struct scan scan;

            scan.best = layer->key_cur[t];
            scan.first = layer->pred[t];
            scan.count = tie->ties;
            lexmax_ties(solver, problem, layer, &heads, t, row, to, &scan);
        } else {
            const int s = layer->pred[t];

            heads.len_cur[t] = (unsigned char)merge_head(
                heads.prev + (size_t)s * heads.limit, heads.len_prev[s],
                candidate_weight(layer, row, s), heads.limit,
                heads.cur + (size_t)t * heads.limit);
        }
    }
}

/* Mark back from (N-1, B) and settle the ties, for lexmax_blocked_one()
 * and lexmax_row_one(), whose first pass kept every layer's bottlenecks
 * (layer_keys), ranges (layer_ranges) and first candidates (pred). A
 * state's bottleneck does not depend on how its ties are broken, so only
 * the states that the schedule ending at (N-1, B) may pass through need
 * their ties settled, and they are marked going back from the end: the
 * candidates of a marked state that reach its bottleneck (its LEXMAX path
 * goes through one of them; through any other its bottleneck would be
 * larger). On diffusion-like, distinct and DBL_MAX-mixed weights at N =
 * 50 that is 11-26 states of 350-390, where 21-88 states tie. Those
 * marked states with more than one such candidate are listed (a step, its
 * layer and the count fit 16 bits each: N <= LEMICA_MAX_STEPS, and
 * (B + 1) N <= LEMICA_MAX_SOLVER_STATES = 2^28 keeps B below 2^16), and
 * lexmax_ties_walk() or lexmax_ties() settles them layer by layer
 * upwards: each compares only marked states' paths and heads (a settled
 * marked state's predecessor is marked). Every other state keeps the
 * scan's first candidate, which nothing reads (one budget backtracks
 * from (N-1, B) only). @at is a layer of the problem that layer_init()
 * set up (the first pass's last). Without @heads_kept (the row scan
 * keeps no heads for every layer) every marked state is listed, and the
 * ties are settled by walks when few tie, else by
 * lexmax_settle_rolling(); past @walk_limit tied candidates in all
 * nothing is settled and it returns 0 (else 1). */
static int
lexmax_settle_marked(lemica_solver *solver,
                     const struct lemica_problem *problem, struct layer *at,
                     int heads_kept, size_t walk_limit)
{
    struct lemica_workspace *work = &solver->work;
    const size_t n = (size_t)problem->num_steps;
    struct lemica_tie_state *tied = work->tie_states.data;
    uint16_t *flag = work->marked.data;
    uint16_t *list = flag + n, *next_list = flag + 2 * n;
    size_t count = 0, candidates = 0;
    int listed = 1, walk;
    struct layer layer = *at; /* layer_move() sets the rest */
    struct lexmax_heads heads;

    /* Mark back from the end. Layer 2's states have step 0 alone. */
    memset(flag, 0, n * sizeof(*flag));
    list[0] = (uint16_t)(n - 1);
    for (int c = problem->budget; c > 2; c--) {
        int next = 0;
        uint16_t *swap;

        layer_move(solver, problem, c, &layer);
        for (int i = 0; i < listed; i++) {
            const int t = list[i];
            const double best = layer.key_cur[t];
            int from, to, reaching = 0;
            const double *row = layer_candidates(&layer, t, &from, &to);

            for (int s = layer.pred[t]; s <= to; s++) {
                if (max_double(layer.key_prev[s],
                               candidate_weight(&layer, row, s)) != best)
                    continue;
                reaching++;
                if (!flag[s]) {
                    flag[s] = 1;
                    next_list[next++] = (uint16_t)s;
                }
            }
            if (reaching > 1 || !heads_kept) {
                tied[count].layer = (uint16_t)c;
                tied[count].step = (uint16_t)t;
                tied[count].ties = (uint16_t)reaching;
                count++;
                if (reaching > 1)
                    candidates += (size_t)reaching;
            }
        }
        for (int i = 0; i < next; i++)
            flag[next_list[i]] = 0;
        swap = list;
        list = next_list;
        next_list = swap;
        listed = next;
    }
    if (!heads_kept) {
        /* Layer 2's marked states too (each with step 0 alone). */
        for (int i = 0; i < listed; i++) {
            tied[count].layer = 2;
            tied[count].step = list[i];
            tied[count].ties = 1;
            count++;
        }
        if (candidates > walk_limit)
            return 0;
        if (candidates > (size_t)problem->num_steps * WALK_TIES_PER_STEP) {
            lexmax_settle_rolling(solver, problem, &layer, count);
            return 1;
        }
    }
    /* Settle the ties, lowest layer first (listed last): by walks when
     * few candidates tie (WALK_TIES_PER_STEP), else by heads, which decide
     * most comparisons of many ties on a common bottleneck without a walk
     * (without the digit encoding, equal weights or few levels at N = 50
     * took twice the instructions by walks). */
    walk = !heads_kept ||
           candidates <= (size_t)problem->num_steps * WALK_TIES_PER_STEP;
    for (int c = 0; count > 0;) {
        const struct lemica_tie_state *tie = &tied[--count];
        const int t = tie->step;
        int from, to;
        const double *row;
        struct scan scan;

        if (tie->ties < 2)
            continue; /* the row scan lists every marked state */
        if (tie->layer != c) {
            c = tie->layer;
            layer_move(solver, problem, c, &layer);
            if (heads_kept)
                lexmax_all_heads(solver, problem, c, &heads);
        }
        row = layer_candidates(&layer, t, &from, &to);
        scan.best = layer.key_cur[t];
        scan.first = layer.pred[t];
        scan.count = tie->ties;
        if (walk)
            lexmax_ties_walk(solver, problem, &layer, t, row, to, &scan);
        else
            lexmax_ties(solver, problem, &layer, &heads, t, row, to, &scan);
    }
    return 1;
}

/* Blocked LEXMAX for one budget: every layer scanned first as MAX scans
 * it (the same kernel, without the last tied candidate), keeping each
 * layer's bottlenecks, then lexmax_settle_marked(). */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static void
lexmax_blocked_one(lemica_solver *solver, const struct lemica_problem *problem)
{
    struct lemica_workspace *work = &solver->work;
    const size_t n = (size_t)problem->num_steps;
    double *keys = work->layer_keys.data;
    unsigned char *reached_end = work->end_reached.data;
    int *ranges = work->layer_ranges.data;
    struct layer layer;

    keys[n] = 0.0; /* (0, 1): see lemica_solver_run_dp() */
    ranges[2] = ranges[3] = 0;
    for (int c = 2; c <= problem->budget; c++) {
        const int end = problem->num_steps - 1;

        layer_init(solver, problem, c, &layer);
        layer.key_prev = keys + (size_t)(c - 1) * n;
        layer.key_cur = keys + (size_t)c * n;
        layer_scan_blocked(solver, problem, &layer, SCAN_MAX, NULL);
        ranges[2 * c] = layer.lo;
        ranges[2 * c + 1] = layer.hi;
        reached_end[c] = (unsigned char)(layer.lo <= end && end <= layer.hi &&
                                         layer.key_cur[end] < HUGE_VAL);
    }
    if (!reached_end[problem->budget])
        return;
    lexmax_settle_marked(solver, problem, &layer, 1, 0);
}

/* Row-scan LEXMAX for one budget (lemica_solver_row_one()): every layer
 * scanned first as layer_max() scans it, keeping each layer's
 * bottlenecks, then lexmax_settle_marked() by walks. The row scan's own
 * LEXMAX (layer_lexmax()) merges a head for every state and settles the
 * ties of every state, most of which no schedule to (N-1, B) passes.
 * Walks cost about 700 instructions a tied candidate at N = 200 (they go
 * back to where two paths meet, and on equal largest weights sort what
 * they collected), some 90 candidates of the scan: past one tied
 * candidate in ROW_ONE_WALK_SHARE scanned ones (equal weights or few
 * levels that the digit encoding left alone: N = 200, K = 20, equal
 * weights tie 115 k marked candidates against 200 k scanned, 51x MAX
 * by walks) it settles nothing and returns 0, and the row scan's own
 * LEXMAX runs instead (its heads decide most such ties at once). */
#define ROW_ONE_WALK_SHARE 64
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static int
lexmax_row_one(lemica_solver *solver, const struct lemica_problem *problem)
{
    struct lemica_workspace *work = &solver->work;
    const size_t n = (size_t)problem->num_steps;
    double *keys = work->layer_keys.data;
    unsigned char *reached_end = work->end_reached.data;
    int *ranges = work->layer_ranges.data;
    const int end = problem->num_steps - 1;
    size_t scanned = 0;
    struct layer layer;

    /* lexmax_ties()' exact comparisons walk without anchors here. */
    work->anchors_on = 0;
    work->anchors_late = 0;
    keys[n] = 0.0; /* (0, 1): see lemica_solver_run_dp() */
    ranges[2] = ranges[3] = 0;
    for (int c = 2; c <= problem->budget; c++) {
        layer_init(solver, problem, c, &layer);
        layer.key_prev = keys + (size_t)(c - 1) * n;
        layer.key_cur = keys + (size_t)c * n;
        for (int t = layer.lo; t <= layer.hi; t++) {
            int from, to;
            const double *row = layer_candidates(&layer, t, &from, &to);
            struct scan scan;

            layer.key_cur[t] = HUGE_VAL;
            if (from > to)
                continue;
            scanned += (size_t)(to - from + 1);
            scan_candidates(SCAN_MAX, layer.key_prev, row, from, to + 1,
                            &scan);
            if (scan.best == HUGE_VAL)
                continue;
            layer.key_cur[t] = scan.best;
            layer.pred[t] = (uint16_t)scan.first;
        }
        ranges[2 * c] = layer.lo;
        ranges[2 * c + 1] = layer.hi;
        reached_end[c] = (unsigned char)(layer.lo <= end && end <= layer.hi &&
                                         layer.key_cur[end] < HUGE_VAL);
    }
    if (!reached_end[problem->budget])
        return 1;
    return lexmax_settle_marked(solver, problem, &layer, 0,
                                scanned / ROW_ONE_WALK_SHARE);
}

/* One layer of MAX (bottleneck): ties go to the smallest predecessor. */
static void
layer_max(lemica_solver *solver, const struct lemica_problem *problem, int c)
{
    struct layer layer;

    layer_init(solver, problem, c, &layer);
    if (problem->blocked) {
        /* Unreached states get +inf; their pred is never read. */
        layer_scan_blocked(solver, problem, &layer, SCAN_MAX, NULL);
        return;
    }
    for (int t = layer.lo; t <= layer.hi; t++) {
        int from, to;
        const double *row =
            layer.weights + layer_row_at(&layer, t, &from, &to);
        struct scan scan;

        layer.key_cur[t] = HUGE_VAL;
        if (from > to)
            continue;
        scan_candidates(SCAN_MAX, layer.key_prev, row, from, to + 1, &scan);
        if (scan.best == HUGE_VAL)
            continue;
        layer.key_cur[t] = scan.best;
        layer.pred[t] = (uint16_t)scan.first;
    }
}

/* One layer of encoded LEXMAX with several digit groups on the blocked
 * scan: the lexicographic scan of the sums does it all, as the plain one
 * does for one group in layer_sum(); nothing reads reached[] then. */
static void
layer_sum_blocked(lemica_solver *solver, const struct lemica_problem *problem,
                  int c)
{
    struct layer layer;

    layer_init(solver, problem, c, &layer);
    layer_scan_blocked_lex(solver, problem, &layer, problem->digit_groups,
                           solver->work.lower_keys[(c - 1) & 1].data,
                           solver->work.lower_keys[c & 1].data);
}

/* One layer of encoded LEXMAX with several digit groups on the row scan:
 * one lexicographic pass over each state's candidates (solver-row-lex.c)
 * (the one-group layer_sum() does not take several); nothing reads
 * reached[] then. */
static void
layer_sum_rows(lemica_solver *solver, const struct lemica_problem *problem,
               int c)
{
    struct lemica_workspace *work = &solver->work;
    struct layer layer;
    struct row_lex scan;

    layer_init(solver, problem, c, &layer);
    scan.key_prev = layer.key_prev;
    scan.incoming = work->incoming.data;
    scan.first_pred = layer.first_pred;
    scan.max_skip = problem->max_skip;
    scan.prev_lo = layer.prev_lo;
    scan.prev_hi = layer.prev_hi;
    scan.lo = layer.lo;
    scan.hi = layer.hi;
    scan.lower = problem->digit_groups - 1;
    scan.lower_prev = work->lower_keys[(c - 1) & 1].data;
    scan.lower_weights = work->lower_weights.data;
    scan.stride = (size_t)problem->num_steps;
    scan.slots = (size_t)problem->num_steps * (size_t)problem->max_skip;
    scan.key_cur = layer.key_cur;
    scan.pred = layer.pred;
    scan.lower_cur = work->lower_keys[c & 1].data;
#ifdef LEMICA_HAVE_AVX_SCAN
    scan.vector = cpu_has_avx();
#else
    scan.vector = 0;
#endif
    scan.vector_min = vector_scan_min;
    lemica_row_lex_layer(&scan);
}

/* One layer of SUM. A sum may overflow to +inf, so reachability is kept
 * apart from the key. Encoded LEXMAX of one digit group runs here too
 * (several groups: layer_sum_blocked(), layer_sum_rows()). */
static void
layer_sum(lemica_solver *solver, const struct lemica_problem *problem, int c)
{
    struct lemica_workspace *work = &solver->work;
    const unsigned char *reached_prev = work->reached[(c - 1) & 1].data;
    unsigned char *reached_cur = work->reached[c & 1].data;
    /* A local: the byte stores below may alias *problem. */
    const int blocked = problem->blocked;
    struct layer layer;

    layer_init(solver, problem, c, &layer);
    if (blocked)
        layer_scan_blocked(solver, problem, &layer, SCAN_SUM, NULL);
    if (blocked && problem->lexmax_as_sum) {
        /* The blocked scan did it all: encoded sums are exact and finite,
         * so +inf means unreached (end_reached() reads the key), and
         * ties go to the first candidate, which it keeps. */
        return;
    }
    if (layer.lo <= layer.hi)
        work->lexmax_states += (size_t)(layer.hi - layer.lo + 1);
    for (int t = layer.lo; t <= layer.hi; t++) {
        int from, to;
        const double *row = layer_candidates(&layer, t, &from, &to);
        struct scan scan;
        int s;

        reached_cur[t] = 0;
        if (blocked) {
            blocked_result(&layer, NULL, t, &to, &scan);
        } else {
            layer.key_cur[t] = HUGE_VAL;
            if (from > to)
                continue;
            scan_candidates(SCAN_SUM, layer.key_prev, row, from, to + 1, &scan);
        }
        s = scan.first;
        if (scan.best == HUGE_VAL) {
            /* Every candidate sums to +inf: the first one that exists.
             * (Encoded sums are exact and finite: never here.) */
            for (s = from; s <= to; s++)
                if (reached_prev[s] &&
                    candidate_weight(&layer, row, s) < HUGE_VAL)
                    break;
            if (s > to)
                continue;
        }
        layer.key_cur[t] = scan.best;
        reached_cur[t] = 1;
        layer.pred[t] = (uint16_t)s;
    }
}

/* Insert @w into the descending vector @in of length @n, writing n + 1
 * values to @out. */
static void
insert_descending(const double *in, size_t n, double w, double *out)
{
    size_t i = 0;

    for (; i < n && in[i] >= w; i++)
        out[i] = in[i];
    out[i] = w;
    for (; i < n; i++)
        out[i + 1] = in[i];
}

/* One layer with the user's comparator, on full vectors. */
static void
layer_user(lemica_solver *solver, const struct lemica_problem *problem, int c)
{
    struct lemica_workspace *work = &solver->work;
    const size_t stride = (size_t)problem->budget;
    const size_t prev_length = (size_t)(c - 2), length = (size_t)(c - 1);
    const double *vectors_prev = work->vectors[(c - 1) & 1].data;
    double *vectors_cur = work->vectors[c & 1].data;
    struct layer layer;

    layer_init(solver, problem, c, &layer);
    for (int t = layer.lo; t <= layer.hi; t++) {
        int from, to;
        const double *row = layer_candidates(&layer, t, &from, &to);
        double *best = work->scratch[0].data;
        double *candidate = work->scratch[1].data;
        int best_s = -1;

        layer.key_cur[t] = HUGE_VAL;
        for (int s = from; s <= to; s++) {
            if (layer.key_prev[s] == HUGE_VAL || row[s] == HUGE_VAL)
                continue;
            insert_descending(vectors_prev + (size_t)s * stride, prev_length,
                              row[s], candidate);
            if (best_s < 0 ||
                solver->user_compare(candidate, length, best, length,
                                     solver->user_data) < 0) {
                double *swap = best;

                best = candidate;
                candidate = swap;
                best_s = s;
            }
        }
        if (best_s < 0)
            continue;
        memcpy(vectors_cur + (size_t)t * stride, best, length * sizeof(double));
        layer.key_cur[t] = best[0];
        layer.pred[t] = (uint16_t)best_s;
    }
}

static int
end_reached(const lemica_solver *solver, const struct lemica_problem *problem,
            int c)
{
    int last = problem->num_steps - 1;
    int lo, hi;

    layer_range(problem, c, &lo, &hi);
    if (last < lo || last > hi)
        return 0;
    /* Encoded LEXMAX sums are finite: +inf is unreached there too. */
    if (solver->comparator == LEMICA_COMPARATOR_SUM)
        return ((const unsigned char *)solver->work.reached[c & 1].data)[last];
    return ((const double *)solver->work.key[c & 1].data)[last] < HUGE_VAL;
}

void
lemica_solver_run_dp(lemica_solver *solver, const struct lemica_problem *problem)
{
    struct lemica_workspace *work = &solver->work;
    unsigned char *reached_end = work->end_reached.data;
    double *key = work->key[1].data;

    /* Layer 1: only step 0, with the empty vector. Its key is 0: every
     * weight is >= 0, so max(0, w) = w and 0 + w = w. */
    key[0] = 0.0;
    if (solver->comparator == LEMICA_COMPARATOR_SUM || problem->lexmax_as_sum)
        ((unsigned char *)work->reached[1].data)[0] = 1;
    if (problem->lexmax_as_sum && problem->digit_groups > 1)
        for (int g = 0; g < LEMICA_DIGIT_GROUPS_MAX - 1; g++)
            ((double *)work->lower_keys[1].data)[(size_t)g *
                                                (size_t)problem->num_steps] =
                0.0;
    if (solver->comparator == LEMICA_COMPARATOR_LEXMAX)
        ((unsigned char *)work->head_len[1].data)[0] = 0;
    if (problem->count_words) {
        /* The empty vector: no level counted, none its largest. */
        memset(work->counts[1].data, 0,
               (size_t)problem->count_words * sizeof(uint64_t));
        ((unsigned char *)work->count_tops[1].data)[0] =
            (unsigned char)(problem->count_words * 4 - 1);
    }
    if (solver->comparator == LEMICA_COMPARATOR_LEXMAX && problem->blocked &&
        !problem->lexmax_as_sum) {
        unsigned char *len = work->all_head_len.data;
        const size_t n = (size_t)problem->num_steps;

        /* The frontier marks each layer as it comes (layer_frontier()). */
        if (!problem->frontier)
            memset(len, HEAD_UNKNOWN, n * ((size_t)problem->budget + 1));
        len[n] = 0; /* (0, 1): the empty vector */
    }
    work->fewest_useless = 0;
    work->head_id = 0;
    work->frontier_walked = 0;
    work->frontier_states = 0;
    work->frontier_heads = 0;
    memset(reached_end, 0, (size_t)problem->budget + 1);
    if (solver->comparator == LEMICA_COMPARATOR_LEXMAX &&
        !problem->lexmax_as_sum && lemica_solver_row_one(solver, problem)) {
        /* Else too many ties for walks: the row scan's own LEXMAX (which
         * sets every layer's reached_end again). */
        if (lexmax_row_one(solver, problem))
            return;
    }
    /* Anchors for the exact comparisons of the row scan (tree_maxima()),
     * from the first layer or once those walk enough (layer_lexmax()).
     * Level counts compare no paths: none. */
    work->anchors_late = solver->comparator == LEMICA_COMPARATOR_LEXMAX &&
                         !problem->blocked && !problem->lexmax_as_sum &&
                         !problem->count_words;
    work->anchors_on = work->anchors_late &&
                       (anchor_share == 0 ||
                        problem->num_steps >= ANCHOR_LATE_MAX_STEPS);
    if (work->anchors_on)
        work->anchors_late = 0;
    work->anchor_floor = 1;
    work->exact_walked = work->exact_walks = 0;
    work->lexmax_states = 0;
    lemica_pair_memo_gate_start(&work->pair_memo_gate,
                                (work->anchors_on || work->anchors_late) &&
                                    problem->num_steps >= pair_memo_min_steps);
    if (work->pair_memo_gate.enabled)
        memset(work->pair_memo.data, 0,
               ((size_t)2 << work->pair_memo_bits) *
                   sizeof(struct lemica_pair_memo));

    if (solver->comparator == LEMICA_COMPARATOR_LEXMAX && problem->blocked &&
        !problem->lexmax_as_sum && !problem->frontier) {
        lexmax_blocked_one(solver, problem);
        return;
    }
    for (int c = 2; c <= problem->budget; c++) {
        switch (solver->comparator) {
        case LEMICA_COMPARATOR_LEXMAX:
            if (problem->lexmax_as_sum && problem->blocked &&
                problem->digit_groups > 1)
                layer_sum_blocked(solver, problem, c);
            else if (problem->lexmax_as_sum && problem->digit_groups > 1)
                layer_sum_rows(solver, problem, c);
            else if (problem->lexmax_as_sum)
                layer_sum(solver, problem, c);
            else if (problem->count_words)
                layer_counts(solver, problem, c);
            else
                layer_lexmax(solver, problem, c);
            break;
        case LEMICA_COMPARATOR_MAX:
            layer_max(solver, problem, c);
            break;
        case LEMICA_COMPARATOR_SUM:
            layer_sum(solver, problem, c);
            break;
        case LEMICA_COMPARATOR_USER:
            layer_user(solver, problem, c);
            break;
        }
        reached_end[c] = (unsigned char)end_reached(solver, problem, c);
    }
}

void
lemica_solver_backtrack(lemica_solver *solver,
                        const struct lemica_problem *problem, int budget)
{
    int *path = solver->work.path.data;
    double *weights = solver->work.path_weights.data;
    int step = problem->num_steps - 1;

    path[budget - 1] = step;
    for (int c = budget; c > 1; c--) {
        int before = pred_row(solver, problem, c)[step];

        path[c - 2] = before;
        weights[c - 2] = edge_weight(problem, before, step);
        step = before;
    }
}
