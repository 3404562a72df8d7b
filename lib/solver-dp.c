/* SPDX-License-Identifier: MIT */
/*
 * The dynamic program behind every solve.
 *
 * State (t, c): the schedule has computed c steps and the last is t. Layer c
 * depends only on layer c - 1, so two layers of state values are kept plus
 * a predecessor table for all layers. For each state the candidates are the
 * usable edges (s, t); the incoming matrix holds their weights with +inf for
 * edges that are absent, too long, or jump over a required step.
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
 */
#include <math.h>
#include <string.h>

#include "graph-int.h"
#include "schedule-int.h"
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

enum scan_op { SCAN_MAX, SCAN_SUM };

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

#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
#include <immintrin.h>
#define LEMICA_HAVE_AVX_SCAN 1

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
    /* Fold chain 1 into chain 0, then the lanes into lane 0, all with
     * vector selects: merging lane by lane with branches cost more than
     * the loop itself on the short rows of small problems. */
    scan_combine_avx(&best0, &first0, &count0, best1, first1, count1);
    scan_combine_avx(&best0, &first0, &count0,
                     _mm256_permute2f128_pd(best0, best0, 1),
                     _mm256_permute2f128_pd(first0, first0, 1),
                     _mm256_permute2f128_pd(count0, count0, 1));
    scan_combine_avx(&best0, &first0, &count0,
                     _mm256_permute_pd(best0, 5), _mm256_permute_pd(first0, 5),
                     _mm256_permute_pd(count0, 5));
    if (s > lo)
        scan_merge_lane(scan, _mm256_cvtsd_f64(best0), _mm256_cvtsd_f64(first0),
                        _mm256_cvtsd_f64(count0));
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

static int
cpu_has_avx(void)
{
    /* libgcc fills the CPU model in a constructor, so this is one load;
     * no cache of our own, which threads would race on. */
    return __builtin_cpu_supports("avx");
}
#endif

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

/* Merge weight @w into the head @head (flags @len) into @out, keeping at
 * most @limit runs. Returns the new run count | TRUNCATED. */
static unsigned
merge_head(const struct lemica_run *head, unsigned len, double w, int limit,
           struct lemica_run *out)
{
    unsigned runs = len & RUN_COUNT_MASK;
    unsigned truncated = len & TRUNCATED;
    unsigned in = 0, n = 0;

    while (in < runs && head[in].value > w)
        out[n++] = head[in++];
    if (in < runs && head[in].value == w) {
        out[n] = head[in++];
        out[n++].count++;
    } else if (in < runs || !truncated) {
        out[n].value = w;
        out[n++].count = 1;
    }
    /* else: w is smaller than every known run of a truncated head, so it
     * falls in the unknown tail and the known prefix is unchanged. */
    while (in < runs)
        out[n++] = head[in++];
    if (n > (unsigned)limit) {
        n = (unsigned)limit;
        truncated = TRUNCATED;
    }
    return n | truncated;
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

/* Compare two sorted vectors of equal length given by their heads:
 * <0 if @a is better (lexicographically smaller), >0 if @b is, 0 if equal,
 * UNDECIDED if the known runs agree and one head is truncated. */
static int
compare_heads(const struct lemica_run *a, unsigned a_len,
              const struct lemica_run *b, unsigned b_len)
{
    unsigned a_runs = a_len & RUN_COUNT_MASK, b_runs = b_len & RUN_COUNT_MASK;
    unsigned ia = 0, ib = 0;
    uint32_t a_left = a_runs ? a[0].count : 0;
    uint32_t b_left = b_runs ? b[0].count : 0;

    while (ia < a_runs && ib < b_runs) {
        uint32_t take;

        if (a[ia].value != b[ib].value)
            return a[ia].value < b[ib].value ? -1 : 1;
        take = a_left < b_left ? a_left : b_left;
        a_left -= take;
        b_left -= take;
        if (a_left == 0 && ++ia < a_runs)
            a_left = a[ia].count;
        if (b_left == 0 && ++ib < b_runs)
            b_left = b[ib].count;
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
    const double *incoming;
    int max_skip;
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
    layer->incoming = work->incoming.data;
    layer->max_skip = problem->max_skip;
}

/* The candidates of state (t, c): predecessors s in [*from, *to] reached in
 * layer c - 1, with row[s] the weight of (s, t) (+inf if unusable). Returns
 * the row; *from > *to when there are none. */
static inline const double *
layer_candidates(const struct layer *layer, int t, int *from, int *to)
{
    int first = layer->first_pred[t];

    *from = first > layer->prev_lo ? first : layer->prev_lo;
    *to = t - 1 < layer->prev_hi ? t - 1 : layer->prev_hi;
    /* row[s] for s in [t - K, t - 1] is incoming[t * K + s - (t - K)]. */
    return layer->incoming + (size_t)(t + 1) * (size_t)layer->max_skip - t;
}

/* Collect into @out the weights of the DP path of state (@step, @layer)
 * back to the first state it shares with the path of (@other, @layer);
 * both walks stop together since they go back one layer per edge. */
static size_t
divergent_weights(const lemica_solver *solver,
                  const struct lemica_problem *problem, int layer, int step,
                  int other, double *out)
{
    size_t n = 0;

    while (step != other) {
        const uint16_t *pred = pred_row(solver, problem, layer);
        int before = pred[step];

        out[n++] = edge_weight(problem, before, step);
        step = before;
        other = pred[other];
        layer--;
    }
    return n;
}

/* Exact LEXMAX comparison of candidates (@a at layer c - 1) + @wa and
 * (@b at layer c - 1) + @wb, for when their heads agree. Their DP paths
 * share everything before the state where they meet, and removing the same
 * weights from two multisets of equal size keeps their order, so only the
 * weights after that state are sorted and compared. */
static int
compare_exact(lemica_solver *solver, const struct lemica_problem *problem,
              int c, int a, double wa, int b, double wb)
{
    double *da = solver->work.scratch[0].data;
    double *db = solver->work.scratch[1].data;
    size_t na;

    da[0] = wa;
    db[0] = wb;
    /* Both walks cover the same layers, so they have the same length. */
    na = 1 + divergent_weights(solver, problem, c - 1, a, b, da + 1);
    divergent_weights(solver, problem, c - 1, b, a, db + 1);
    lemica_sort_descending(da, na);
    lemica_sort_descending(db, na);
    for (size_t i = 0; i < na; i++)
        if (da[i] != db[i])
            return da[i] < db[i] ? -1 : 1;
    return 0;
}

/* One layer of LEXMAX. */
static void
layer_lexmax(lemica_solver *solver, const struct lemica_problem *problem,
             int c)
{
    struct lemica_workspace *work = &solver->work;
    const int limit = solver->head_runs;
    const struct lemica_run *heads_prev = work->heads[(c - 1) & 1].data;
    const unsigned char *len_prev = work->head_len[(c - 1) & 1].data;
    struct lemica_run *heads_cur = work->heads[c & 1].data;
    unsigned char *len_cur = work->head_len[c & 1].data;
    struct layer layer;

    layer_init(solver, problem, c, &layer);
    for (int t = layer.lo; t <= layer.hi; t++) {
        int from, to;
        const double *row = layer_candidates(&layer, t, &from, &to);
        const double *key_prev = layer.key_prev;
        struct lemica_run best[LEMICA_HEAD_RUNS_MAX + 1];
        struct lemica_run candidate[LEMICA_HEAD_RUNS_MAX + 1];
        unsigned best_len;
        int best_s;
        struct scan scan;

        layer.key_cur[t] = HUGE_VAL;
        if (from > to)
            continue;
        /* The bottleneck decides unless several candidates share it. */
        scan_candidates(SCAN_MAX, key_prev, row, from, to + 1, &scan);
        if (scan.best == HUGE_VAL)
            continue;
        best_s = scan.first;
        best_len = merge_head(heads_prev + (size_t)best_s * limit,
                              len_prev[best_s], row[best_s], limit, best);
        for (int s = best_s + 1, left = scan.count - 1; left > 0; s++) {
            unsigned len;
            int order;

            if (max_double(key_prev[s], row[s]) != scan.best)
                continue;
            left--;
            len = merge_head(heads_prev + (size_t)s * limit, len_prev[s],
                             row[s], limit, candidate);
            order = compare_heads(candidate, len, best, best_len);
            if (order == UNDECIDED)
                order = compare_exact(solver, problem, c, s, row[s], best_s,
                                      row[best_s]);
            if (order < 0) {
                copy_runs(best, candidate, len, limit);
                best_len = len;
                best_s = s;
            }
        }
        layer.key_cur[t] = scan.best;
        layer.pred[t] = (uint16_t)best_s;
        copy_runs(heads_cur + (size_t)t * limit, best, best_len, limit);
        len_cur[t] = (unsigned char)best_len;
    }
}

/* One layer of MAX (bottleneck): ties go to the smallest predecessor. */
static void
layer_max(lemica_solver *solver, const struct lemica_problem *problem, int c)
{
    struct layer layer;

    layer_init(solver, problem, c, &layer);
    for (int t = layer.lo; t <= layer.hi; t++) {
        int from, to;
        const double *row = layer_candidates(&layer, t, &from, &to);
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

/* One layer of SUM. A sum may overflow to +inf, so reachability is kept
 * apart from the key. */
static void
layer_sum(lemica_solver *solver, const struct lemica_problem *problem, int c)
{
    const unsigned char *reached_prev = solver->work.reached[(c - 1) & 1].data;
    unsigned char *reached_cur = solver->work.reached[c & 1].data;
    struct layer layer;

    layer_init(solver, problem, c, &layer);
    for (int t = layer.lo; t <= layer.hi; t++) {
        int from, to;
        const double *row = layer_candidates(&layer, t, &from, &to);
        struct scan scan;
        int s;

        layer.key_cur[t] = HUGE_VAL;
        reached_cur[t] = 0;
        if (from > to)
            continue;
        scan_candidates(SCAN_SUM, layer.key_prev, row, from, to + 1, &scan);
        s = scan.first;
        if (scan.best == HUGE_VAL) {
            /* Every candidate sums to +inf: the first one that exists. */
            for (s = from; s <= to; s++)
                if (reached_prev[s] && row[s] < HUGE_VAL)
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
    if (solver->comparator == LEMICA_COMPARATOR_SUM || problem->lexmax_as_sum)
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
    if (solver->comparator == LEMICA_COMPARATOR_LEXMAX)
        ((unsigned char *)work->head_len[1].data)[0] = 0;
    memset(reached_end, 0, (size_t)problem->budget + 1);

    for (int c = 2; c <= problem->budget; c++) {
        switch (solver->comparator) {
        case LEMICA_COMPARATOR_LEXMAX:
            if (problem->lexmax_as_sum)
                layer_sum(solver, problem, c);
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
