/* SPDX-License-Identifier: MIT */
/* The k best schedules under LEXMAX and SUM by lazy enumeration, in the
 * manner of Jimenez and Marzal's recursive enumeration algorithm, over the
 * DP states (step, calls). (MAX, whose order is kept only weakly, has a
 * backward search of its own: solver-kbest-max.c.)
 *
 * Every state v keeps its paths (partial schedules ending there) in the
 * order of lemica-kbest.h, best first, as far as they were asked for. A
 * one-best DP gives the first path of every state. The m-th path of v is
 * the best of the candidates "j-th path of a predecessor u, extended by
 * the edge (u, v)" not taken yet; because extending by the same edge keeps
 * the order (strictly, for LEXMAX, for exact sums, and the step-list tie
 * rule: the proofs are in lemica-kbest.h), only the next untaken path of each predecessor can
 * be the best, so each state holds a heap of one candidate per
 * predecessor. The heap is built the first time a second path is asked
 * for, and not even then while the next path of the first one's
 * predecessor beats every other predecessor's first (a bound from the
 * one-best DP says so); taking u's j-th path then asks u for its
 * (j + 1)-th, recursively down the layers. A heap makes candidates only
 * of the predecessors with the smallest cheap keys (largest weight,
 * floating-point sum); the others wait, unwritten, until one of them
 * might come first (build_heap()). The final states (N - 1, B) are
 * asked for k paths each (SUM: up to 2 k); no state is ever asked for
 * more than they are.
 *
 * SUM compares exact 128-bit sums; select_sum() turns their order into
 * that of the floating-point sums at the final states. A LEXMAX path
 * stores the head of its sorted cost vector (the first runs of
 * equal weights, as the one-best DP of solver-dp.c does). Two candidates
 * compare by their largest weight, then by their merged heads, and only
 * when the heads agree all through by the weights after their common
 * prefix, read from the parent links. Equal vectors go to the smaller predecessor: that is the
 * step-list rule, since two candidates of one state differ first at their
 * predecessor.
 *
 * Not done: Eppstein's enumeration for SUM (issue 12, branch kbest7),
 * estimated from callgrind's counts of bench-kbest --calls sum (N = 50,
 * K = 49, the 10 best of every budget; per call, against one frontier
 * of 297,000 instructions): every schedule the one-best tree and a list
 * of sidetracks with exact deltas d(s, c - 1) + w(s, t) - d(t, c) >= 0,
 * a heap of sidetracks per state persistent along the tree paths, so
 * that a schedule costs a few heap entries instead of the 7.5 partial
 * paths this enumeration materialises per schedule (3,500 a call for
 * 472 schedules, 425 next_path() calls, 1.11 M instructions in all:
 * 2,600 a call). What Eppstein's method would not change: the one-best
 * DP (0.32 M: the exact sums and the tie rule need it as it is), the
 * list (0.58 M, 1,230 a schedule), the exact weights (0.095 M), the
 * preparation and the workspace (0.1 M): 1.1 M, 3.7 frontiers, before
 * any enumeration. Its own work: a pop and up to four pushes per
 * schedule (about 200 instructions), the tree heap of each new state a
 * schedule leaves the tree at (a persistent insert of six nodes, about
 * 120, and its best sidetrack, which needs an exact second-best
 * predecessor the one-best scan does not keep: another scan, about
 * 200; two or three new states a schedule, about 700), the sorted
 * sidetracks into a state as today's cold heaps (about 150,000), and,
 * as sidetracks give exact sums only, a walk of each candidate to sum
 * its weights in path order for select_sum() (about 200): some 0.6 M.
 * So about 1.7 M, 5.8 frontiers in instructions against 7.8 today; and
 * the CPU-time ratio of this code runs 1.4 to 1.5 times the instruction
 * ratio (cache misses and mispredicted branches of pointer walks), so
 * about 8 frontiers of CPU time against 11.2 to 12: the 5x target is out
 * of reach this way, at the price of a second exact enumeration (ties
 * at the k-th place sorted apart, a fallback when they are too many).
 * Not built. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "../common/alloc-int.h"
#include "../common/error-int.h"
#include "../core/graph-int.h"
#include "../core/schedule-int.h"
#include "kbest-lazy-int.h"
#include "schedule-list-int.h"

#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
#include <immintrin.h>
#define LAZY_HAVE_AVX 1
#elif defined(__SSE2__)
#include <emmintrin.h>
#endif

#define LAZY_NONE UINT32_MAX

/* Added to a key to make it +inf where the index is 1 (the taken
 * predecessor, an equal key moved): a select without a branch. */
static const double lazy_hide[2] = {0.0, HUGE_VAL};
#define LAZY_RUNS 4
#define LAZY_UNDECIDED 2
#define LAZY_NO_HEAD UINT8_MAX
#define LAZY_FL_RUNNER (UINT32_MAX - 1) /* SUM: see first_path_sum() */
#define LAZY_LEVEL 5 /* uint32_t a level of next_path()'s stack */

/* State flags. */
#define LAZY_EXHAUSTED 1u /* no further path */
#define LAZY_BUILT 2u     /* the candidate heap exists */

/* The first runs of a sorted (descending) cost vector; counts are exact,
 * @truncated says that runs were left off after them. */
struct lazy_head {
    uint8_t runs;
    uint8_t truncated;
    uint16_t count[LAZY_RUNS]; /* a path has at most 65535 edges */
    double value[LAZY_RUNS];
};

/* SUM: a path's exact sum, a 128-bit multiple of the smallest weight
 * unit (see fixed_weights()), and its floating-point sum in path order. */
struct lazy_sum {
    uint64_t hi, lo;
    double fl;
};

/* A path: its link (struct lazy_link, of the same number), @index its
 * rank among the paths of its state (0 = best), and its key. */
struct lazy_path {
    uint32_t index;
    union {
        struct lazy_head head; /* LEXMAX */
        struct lazy_sum sum;   /* SUM */
    } key;
};

/* The link of a path: @parent extended by the edge to @step, of weight
 * @w (0 for the empty path, number 0). The walks up the paths
 * (compare_rest(), lazy_steps(), sum_order()) read only these, and
 * last_origin() and next_sum_bound() these and the parent's index: 16
 * bytes a path rather than the 72 of a path with its key, a quarter of
 * the cache lines. @w saves compare_full()'s walk a look-up in the
 * incoming rows. */
struct lazy_link {
    uint32_t parent;
    int32_t step;
    double w;
};

/* A candidate of a state's heap: path @path of predecessor @from extended
 * by weight @w; @max its cheap key: LEXMAX its largest weight, SUM its
 * floating-point sum in path order. A LEXMAX candidate carries the
 * head of its vector, made the first time a comparison needs it (most are
 * decided by @max); LAZY_NO_HEAD in its runs until then. */
struct lazy_candidate {
    uint32_t path;
    int32_t from;
    double w;
    double max;
    union {
        struct {
            uint64_t hi, lo;
        } sum;                 /* SUM: the exact sum */
        struct lazy_head head; /* LEXMAX */
        uint32_t pulls;        /* a room's header: see heap_room() */
    } key;
};

struct lazy {
    lemica_solver *solver;
    const struct lemica_problem *problem;
    size_t count; /* paths a state may hold: k, k + 1 for SUM */
    size_t wanted; /* k */
    int sum;       /* SUM (else LEXMAX) */
    int layers;
    const double *incoming; /* the prepared incoming matrix */
    size_t skip;            /* its row length: the maximum skip */
    const uint64_t *fixed; /* SUM: per incoming slot, hi and lo */
    uint32_t *order;       /* per budget c, the paths listed (count) */
    uint32_t *listed;      /* per budget c, how many */
    double *fl_scratch;    /* SUM: count doubles */
    double *first_fl;      /* per state: SUM, the first path's
                            * floating-point sum, +inf if none; LEXMAX,
                            * the second smallest largest weight of
                            * the predecessors' first paths extended
                            * (see first_paths()) */
    double margin;         /* SUM: see select_sum() */
    int unit_exp;          /* SUM: exact sums count units of 2^unit_exp */
    int exact_doubles;     /* SUM: every sum is exact in a double too */
    int avx;               /* first_scan() may use AVX */
    struct lazy_path *paths;
    struct lazy_link *links; /* of the paths, as many */
    size_t num_paths;
    size_t paths_room;   /* paths the array holds */
    /* Per state c * N + t, c = 0 .. layers: */
    uint32_t *known;     /* paths found */
    unsigned char *flags;
    double *best_max;    /* the first path's largest weight; +inf if none
                          * (SUM: finite, first_path_sum()'s bound) */
    uint32_t *list;      /* k path indices per state */
    size_t *heap_at;     /* into candidates, when LAZY_BUILT */
    uint32_t *heap_size; /* SUM, until LAZY_BUILT: see fresh_beats_runner() */
    struct lazy_candidate *candidates;
    size_t num_candidates;
    uint32_t *stack;     /* layers + 1 levels: see next_path() */
    double *full[2];     /* layers doubles each: rebuilt cost vectors */
};

/* Grow @buffer (of the solver's workspace) to @needed elements of @size
 * bytes, keeping its contents; @data then points to it. Inline: most
 * calls find the room there. */
static inline int
lazy_grow(struct lemica_buffer *buffer, void **data, size_t needed,
          size_t size)
{
    size_t wanted;
    void *grown;

    if (needed > buffer->capacity) {
        wanted = buffer->capacity < 256 ? 256 : buffer->capacity;
        while (wanted < needed)
            wanted *= 2;
        grown = lemica_realloc_array(buffer->data, wanted, size);
        if (!grown)
            return 0;
        buffer->data = grown;
        buffer->capacity = wanted;
    }
    *data = buffer->data;
    return 1;
}

void
lemica_kbest_state_range(const struct lemica_problem *problem, int budget,
                         int frontier, int c, int *t_min, int *t_max)
{
    const int n = problem->num_steps, k = problem->max_skip;

    *t_min = c - 1;
    *t_max = n - 1;
    if (!frontier) {
        int left = budget - c;

        *t_max = n - 1 - left;
        if (left == 0)
            *t_min = n - 1;
        if ((long long)left * k < (long long)(n - 1) - *t_min)
            *t_min = (int)((long long)(n - 1) - (long long)left * k);
    }
}

const double *
lemica_kbest_incoming_row(const lemica_solver *solver,
                          const struct lemica_problem *problem, int t)
{
    const double *incoming = solver->work.incoming.data;
    const size_t k = (size_t)problem->max_skip;

    return incoming + (size_t)(t + 1) * k - (size_t)t;
}

/* lemica_kbest_incoming_row() from the copies in @lz: the hot loops read
 * it often, and through the solver and the problem it costs two more
 * loads a time. */
static inline const double *
lazy_row(const struct lazy *lz, int t)
{
    return lz->incoming + (size_t)(t + 1) * lz->skip - (size_t)t;
}

#ifndef __SSE2__
/* head_insert() for all but its most common case. */
static void
head_insert_runs(const struct lazy_head *head, double w, struct lazy_head *out)
{
    unsigned i = 0, o = 0;

    out->truncated = head->truncated;
    while (i < head->runs && head->value[i] > w) {
        out->value[o] = head->value[i];
        out->count[o++] = head->count[i++];
    }
    if (i < head->runs && head->value[i] == w) {
        out->value[o] = w;
        out->count[o++] = (uint16_t)(head->count[i++] + 1);
    } else if (i < head->runs || !head->truncated) {
        if (o == LAZY_RUNS) {
            out->truncated = 1;
            out->runs = (uint8_t)o;
            return;
        }
        out->value[o] = w;
        out->count[o++] = 1;
    }
    for (; i < head->runs; i++) {
        if (o == LAZY_RUNS) {
            out->truncated = 1;
            break;
        }
        out->value[o] = head->value[i];
        out->count[o++] = head->count[i];
    }
    out->runs = (uint8_t)o;
}
#endif

/* @head with @w inserted, into @out. A weight below the runs of a
 * truncated head falls in the part left off: the head stays. That is the
 * most common case (a head is truncated only when full), tested first.
 * The others with SSE2 without branches (which of them comes is data:
 * head_insert_runs()' tests mispredicted often): @w goes at place pos,
 * the number of runs above it (they are sorted), into the run there if
 * it equals @w, else as a run of its own with the later runs one place
 * on, the last one left off (truncated) when the head was full. The
 * counts move as one 64-bit word, 16 bits a run. */
static inline void
head_insert(const struct lazy_head *head, double w, struct lazy_head *out)
{
    if (head->truncated && w < head->value[LAZY_RUNS - 1]) {
        *out = *head;
        return;
    }
#ifdef __SSE2__
    /* By pos: the runs before it, the run at it, one at it. */
    static const uint64_t before[LAZY_RUNS + 1] = {
        0, 0xffff, 0xffffffff, UINT64_C(0xffffffffffff), UINT64_MAX};
    static const uint64_t at[LAZY_RUNS + 1] = {0xffff, 0xffff0000,
                                               UINT64_C(0xffff00000000),
                                               UINT64_C(0xffff000000000000), 0};
    static const uint64_t one[LAZY_RUNS + 1] = {
        1, 0x10000, UINT64_C(0x100000000), UINT64_C(0x1000000000000), 0};
    /* The runs above @w are the first ones: their mask gives pos. */
    static const unsigned char places[16] = {0, 1, 0, 2, 0, 0, 0, 3,
                                             0, 0, 0, 0, 0, 0, 0, 4};
    const __m128d low = _mm_loadu_pd(head->value);
    const __m128d high = _mm_loadu_pd(head->value + 2);
    const __m128d weight = _mm_set1_pd(w);
    const unsigned runs = head->runs;
    const unsigned used = (1u << runs) - 1;
    const unsigned above =
        ((unsigned)_mm_movemask_pd(_mm_cmpgt_pd(low, weight)) |
         (unsigned)_mm_movemask_pd(_mm_cmpgt_pd(high, weight)) << 2) &
        used;
    const unsigned equal =
        ((unsigned)_mm_movemask_pd(_mm_cmpeq_pd(low, weight)) |
         (unsigned)_mm_movemask_pd(_mm_cmpeq_pd(high, weight)) << 2) &
        used;
    const unsigned pos = places[above];
    const unsigned fresh = equal == 0; /* a run of its own */
    const __m128d place = _mm_set1_pd((double)pos);
    const __m128d lanes_low = _mm_set_pd(1.0, 0.0);
    const __m128d lanes_high = _mm_set_pd(3.0, 2.0);
    const __m128d keep = _mm_castsi128_pd(_mm_set1_epi64x(-(int64_t)!fresh));
    /* Lane j of the head moved one on: w, v0 | v1, v2. */
    const __m128d on_low = _mm_unpacklo_pd(weight, low);
    const __m128d on_high = _mm_shuffle_pd(low, high, 1);
    __m128d after_low, after_high, lt, eq;
    uint64_t counts, bumped, inserted, own;

    after_low = _mm_or_pd(_mm_and_pd(keep, low), _mm_andnot_pd(keep, on_low));
    after_high =
        _mm_or_pd(_mm_and_pd(keep, high), _mm_andnot_pd(keep, on_high));
    eq = _mm_cmpeq_pd(lanes_low, place);
    after_low = _mm_or_pd(_mm_and_pd(eq, weight), _mm_andnot_pd(eq, after_low));
    lt = _mm_cmplt_pd(lanes_low, place);
    after_low = _mm_or_pd(_mm_and_pd(lt, low), _mm_andnot_pd(lt, after_low));
    eq = _mm_cmpeq_pd(lanes_high, place);
    after_high =
        _mm_or_pd(_mm_and_pd(eq, weight), _mm_andnot_pd(eq, after_high));
    lt = _mm_cmplt_pd(lanes_high, place);
    after_high = _mm_or_pd(_mm_and_pd(lt, high), _mm_andnot_pd(lt, after_high));
    memcpy(&counts, head->count, sizeof(counts));
    bumped = counts + one[pos];
    inserted = (counts & before[pos]) | one[pos] |
               ((counts << 16) & ~(before[pos] | at[pos]));
    own = (uint64_t)0 - fresh;
    counts = (inserted & own) | (bumped & ~own);
    out->truncated = (uint8_t)(head->truncated | (fresh & (runs == LAZY_RUNS)));
    out->runs = (uint8_t)(runs + (fresh & (runs < LAZY_RUNS)));
    memcpy(out->count, &counts, sizeof(counts));
    _mm_storeu_pd(out->value, after_low);
    _mm_storeu_pd(out->value + 2, after_high);
#else
    head_insert_runs(head, w, out);
#endif
}

/* Two heads of vectors of the same length: -1, 0, 1, or LAZY_UNDECIDED
 * when they agree as far as both go and one was truncated; then every
 * weight above *@agreed (+inf if none) is as often in one vector as in
 * the other. */
static inline int
head_compare(const struct lazy_head *a, const struct lazy_head *b,
             double *agreed)
{
    unsigned i = 0, j = 0;
    uint32_t left_a = a->runs ? a->count[0] : 0;
    uint32_t left_b = b->runs ? b->count[0] : 0;

    *agreed = HUGE_VAL;
    while (i < a->runs && j < b->runs) {
        uint32_t take;

        if (a->value[i] != b->value[j])
            return a->value[i] < b->value[j] ? -1 : 1;
        /* Runs above this value matched in value and count. */
        *agreed = a->value[i];
        take = left_a < left_b ? left_a : left_b;
        left_a -= take;
        left_b -= take;
        if (left_a == 0 && ++i < a->runs)
            left_a = a->count[i];
        if (left_b == 0 && ++j < b->runs)
            left_b = b->count[j];
    }
    /* Equal lengths: a head that ended untruncated covered the whole
     * vector, so the other did too. */
    if ((i == a->runs && !a->truncated) || (j == b->runs && !b->truncated))
        return 0;
    return LAZY_UNDECIDED;
}

/* The largest of @a[0 .. @length) up to @limit (below it if @below)
 * into *@va, -inf if none, and the same of @b into *@vb: without
 * branches on the values, two at
 * a time with SSE2 (both arrays have room for one more, -inf, so that
 * the pairs cover them; the maximum of doubles other than NaN does not
 * depend on the order). */
static inline void
largest_upto(const double *a, const double *b, size_t length, double limit,
             int below, double *va, double *vb)
{
#ifdef __SSE2__
    const __m128d bound = _mm_set1_pd(limit), none = _mm_set1_pd(-HUGE_VAL);
    __m128d ma = none, mb = none;

    for (size_t i = 0; i < length; i += 2) {
        const __m128d x = _mm_loadu_pd(a + i), y = _mm_loadu_pd(b + i);
        const __m128d kx =
            below ? _mm_cmplt_pd(x, bound) : _mm_cmple_pd(x, bound);
        const __m128d ky =
            below ? _mm_cmplt_pd(y, bound) : _mm_cmple_pd(y, bound);

        ma = _mm_max_pd(ma,
                        _mm_or_pd(_mm_and_pd(kx, x), _mm_andnot_pd(kx, none)));
        mb = _mm_max_pd(mb,
                        _mm_or_pd(_mm_and_pd(ky, y), _mm_andnot_pd(ky, none)));
    }
    *va = _mm_cvtsd_f64(_mm_max_sd(ma, _mm_unpackhi_pd(ma, ma)));
    *vb = _mm_cvtsd_f64(_mm_max_sd(mb, _mm_unpackhi_pd(mb, mb)));
#else
    double ma = -HUGE_VAL, mb = -HUGE_VAL;

    for (size_t i = 0; i < length; i++) {
        const int keep_x = below ? a[i] < limit : a[i] <= limit;
        const int keep_y = below ? b[i] < limit : b[i] <= limit;
        const double x = keep_x ? a[i] : -HUGE_VAL;
        const double y = keep_y ? b[i] : -HUGE_VAL;

        ma = x > ma ? x : ma;
        mb = y > mb ? y : mb;
    }
    *va = ma;
    *vb = mb;
#endif
}

/* How often @value is in @a[0 .. @length) less how often in @b (the
 * -inf after each is not counted: @value is finite). */
static inline long
times_apart(const double *a, const double *b, size_t length, double value)
{
#ifdef __SSE2__
    const __m128d v = _mm_set1_pd(value);
    __m128i count = _mm_setzero_si128();
    int64_t lanes[2];

    for (size_t i = 0; i < length; i += 2) {
        /* An equal lane is -1 in one and adds one to the difference. */
        count = _mm_sub_epi64(
            count, _mm_castpd_si128(_mm_cmpeq_pd(_mm_loadu_pd(a + i), v)));
        count = _mm_add_epi64(
            count, _mm_castpd_si128(_mm_cmpeq_pd(_mm_loadu_pd(b + i), v)));
    }
    _mm_storeu_si128((__m128i *)lanes, count);
    return (long)(lanes[0] + lanes[1]);
#else
    long count = 0;

    for (size_t i = 0; i < length; i++)
        count += (a[i] == value) - (b[i] == value);
    return count;
#endif
}

/* @x into the two largest so far, values only (the second equal to the
 * first when it came twice): no branches, for the walk of compare_rest(),
 * whose weights come in no order. */
static inline void
top_two_values(double x, double *m1, double *m2)
{
    const double low = x < *m1 ? x : *m1;

    *m2 = low > *m2 ? low : *m2;
    *m1 = x > *m1 ? x : *m1;
}

/* compare_full() when the heads did not decide, all above @agreed
 * matched. Out of line: most comparisons end with the heads, and need
 * not pay for this part's registers. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static int
compare_rest(struct lazy *lz, uint32_t pa, double wa, uint32_t pb, double wb,
             double agreed)
{
    double *a = lz->full[0], *b = lz->full[1];
    size_t length_a, length_b, length;
    double ma1, ma2 = -HUGE_VAL, mb1, mb2 = -HUGE_VAL;
    int below = 0;

    /* The weights above @agreed are as many in both rests (the heads
     * matched them, the common prefix holds the same): leaving them out
     * of both keeps the order, the largest weight where the two multisets
     * differ deciding, and saves the rounds that would find them equal.
     * Both rests keep as many weights. The walk keeps the two largest
     * values of each without branches (-inf stands for a weight left
     * out): the weights come in no order, and a branch on them would
     * mispredict about every other time. */
    a[0] = wa;
    b[0] = wb;
    length_a = wa <= agreed;
    length_b = wb <= agreed;
    ma1 = wa <= agreed ? wa : -HUGE_VAL;
    mb1 = wb <= agreed ? wb : -HUGE_VAL;
    {
        /* Each round reads the two parents, which are the next round's
         * paths. */
        const struct lazy_link *links = lz->links;
        const struct lazy_link *x = &links[pa], *y = &links[pb];

        while (pa != pb) {
            const double xw = x->w;
            const double yw = y->w;

            a[length_a] = xw;
            b[length_b] = yw;
            top_two_values(xw <= agreed ? xw : -HUGE_VAL, &ma1, &ma2);
            top_two_values(yw <= agreed ? yw : -HUGE_VAL, &mb1, &mb2);
            length_a += xw <= agreed;
            length_b += yw <= agreed;
            pa = x->parent;
            pb = y->parent;
            x = &links[pa];
            y = &links[pb];
        }
    }
    length = length_a;
    /* Usually the two largest weights of the rests (from the walk)
     * already differ. */
    if (length == 0)
        return 0;
    if (ma1 != mb1)
        return ma1 < mb1 ? -1 : 1;
    if (length == 1)
        return 0;
    if (ma2 != mb2)
        return ma2 < mb2 ? -1 : 1;
    /* Else by value, largest first from the second largest on (the
     * largest came once in each, or equals it): the first value that
     * the rests hold a different number of times decides, the one with
     * more of it after. A round a value, its passes without branches. */
    a[length] = -HUGE_VAL;
    b[length] = -HUGE_VAL;
    for (double limit = ma2;; below = 1) {
        double va, vb;
        long apart;

        largest_upto(a, b, length, limit, below, &va, &vb);
        if (va != vb)
            return va < vb ? -1 : 1;
        if (va == -HUGE_VAL)
            return 0;
        apart = times_apart(a, b, length, va);
        if (apart != 0)
            return apart < 0 ? -1 : 1;
        limit = va;
    }
}

/* Path @pa extended by @wa (merged head @ha) against @pb by @wb (@hb),
 * both into the same state: -1, 0 or 1 by cost vector alone. When the
 * heads do not decide, only the weights after the paths' common prefix
 * are compared: the common ones are inserted into both vectors alike,
 * which keeps their order (lemica-kbest.h). The parent links go up both
 * paths a layer at a time until they meet. */
static inline int
compare_full(struct lazy *lz, uint32_t pa, double wa,
             const struct lazy_head *ha, uint32_t pb, double wb,
             const struct lazy_head *hb)
{
    double agreed;
    int order = head_compare(ha, hb, &agreed);

    if (order != LAZY_UNDECIDED)
        return order;
    return compare_rest(lz, pa, wa, pb, wb, agreed);
}

/* Whether candidate @a comes before @b (distinct predecessors), their
 * largest weights being equal. */
/* Make the head of LEXMAX candidate @c if it has none yet. */
static inline void
candidate_head(const struct lazy *lz, struct lazy_candidate *c)
{
    if (c->key.head.runs == LAZY_NO_HEAD)
        head_insert(&lz->paths[c->path].key.head, c->w, &c->key.head);
}

static int
candidate_tie_before(struct lazy *lz, struct lazy_candidate *a,
                     struct lazy_candidate *b)
{
    int order;

    candidate_head(lz, a);
    candidate_head(lz, b);
    order = compare_full(lz, a->path, a->w, &a->key.head, b->path, b->w,
                         &b->key.head);

    if (order != 0)
        return order < 0;
    return a->from < b->from;
}

/* Whether candidate @a comes before @b (distinct predecessors). */
static inline int
candidate_before(struct lazy *lz, struct lazy_candidate *a,
                 struct lazy_candidate *b)
{
    if (lz->sum) {
        if (a->key.sum.hi != b->key.sum.hi)
            return a->key.sum.hi < b->key.sum.hi;
        if (a->key.sum.lo != b->key.sum.lo)
            return a->key.sum.lo < b->key.sum.lo;
        return a->from < b->from;
    }
    if (a->max != b->max)
        return a->max < b->max;
    return candidate_tie_before(lz, a, b);
}

/* Move @moving down from the root of @heap (@size candidates, the root's
 * place free) to where it belongs. */
static void
sift_down(struct lazy *lz, struct lazy_candidate *heap, size_t size,
          size_t at, struct lazy_candidate *moving)
{
    for (;;) {
        size_t child = 2 * at + 1;

        if (child >= size)
            break;
        if (child + 1 < size &&
            candidate_before(lz, &heap[child + 1], &heap[child]))
            child++;
        if (!candidate_before(lz, &heap[child], moving))
            break;
        heap[at] = heap[child];
        at = child;
    }
    heap[at] = *moving;
}

/* SUM: the exact weight of (@s, @t), as (hi, lo). */
static const uint64_t *
fixed_weight(const struct lazy *lz, int t, int s)
{
    return lz->fixed + 2 * ((size_t)(t + 1) * lz->skip - (size_t)t + (size_t)s);
}

/* Fill the key of candidate @c (path @path from @s into @t, weight @w). */
static inline void
candidate_key(const struct lazy *lz, struct lazy_candidate *c, uint32_t path,
              int s, int t, double w)
{
    const struct lazy_path *p = &lz->paths[path];

    c->path = path;
    c->from = s;
    c->w = w;
    if (lz->sum) {
        const uint64_t *f = fixed_weight(lz, t, s);
        uint64_t lo = p->key.sum.lo + f[1];

        c->key.sum.hi = p->key.sum.hi + f[0] + (lo < f[1]);
        c->key.sum.lo = lo;
        c->max = p->key.sum.fl + w;
    } else {
        double m = path == 0 ? -HUGE_VAL : p->key.head.value[0];

        c->max = m > w ? m : w;
        c->key.head.runs = LAZY_NO_HEAD;
    }
}

/* Make path @index the candidate @c taken: its key from the parent's. */
static void
take_key(struct lazy *lz, uint32_t index, struct lazy_candidate *c)
{
    struct lazy_path *p = &lz->paths[index];

    if (lz->sum) {
        p->key.sum.hi = c->key.sum.hi;
        p->key.sum.lo = c->key.sum.lo;
        p->key.sum.fl = c->max; /* the parent's sum plus c->w */
    } else if (c->key.head.runs == LAZY_NO_HEAD) {
        /* Made straight into the path: no copy through the candidate. */
        head_insert(&lz->paths[c->path].key.head, c->w, &p->key.head);
    } else {
        p->key.head = c->key.head;
    }
}

/* The predecessors of (@t, @c) that may hold paths: s in *lo .. t - 1. */
static int
first_candidate(const struct lazy *lz, int t, int c)
{
    const int *first_pred = lz->solver->work.first_pred.data;

    return first_pred[t] > c - 2 ? first_pred[t] : c - 2;
}

/* Room for @needed paths and their links; 0 if either array cannot
 * grow. The room is the smaller of the two (after a failure the paths
 * may have grown and the links not). Out of line: add_path() calls it
 * only when the room is full. */
static int
grow_paths(struct lazy *lz, size_t needed)
{
    struct lemica_workspace *work = &lz->solver->work;

    if (!lazy_grow(&work->kbest_paths, (void **)&lz->paths, needed,
                   sizeof(*lz->paths)) ||
        !lazy_grow(&work->kbest_links, (void **)&lz->links, needed,
                   sizeof(*lz->links)))
        return 0;
    lz->paths_room = work->kbest_paths.capacity < work->kbest_links.capacity
                         ? work->kbest_paths.capacity
                         : work->kbest_links.capacity;
    return 1;
}

/* Append a path; LAZY_NONE if the array cannot grow. */
static inline uint32_t
add_path(struct lazy *lz, uint32_t parent, int step, uint32_t index,
         double w, const struct lazy_head *head)
{
    struct lazy_path *path;

    if (lz->num_paths >= lz->paths_room && !grow_paths(lz, lz->num_paths + 1))
        return LAZY_NONE;
    path = &lz->paths[lz->num_paths];
    lz->links[lz->num_paths].parent = parent;
    lz->links[lz->num_paths].step = step;
    lz->links[lz->num_paths].w = w;
    path->index = index;
    if (head)
        path->key.head = *head;
    return (uint32_t)lz->num_paths++;
}

/* The scan of the one-best DP at a state: over s in [lo, hi), the
 * smallest of the values key[s] + row[s] (SUM) or max(key[s], row[s])
 * (LEXMAX), the first s reaching it, and the second smallest value (equal
 * to the smallest when two reach it); +inf and -1 when [lo, hi) is empty.
 * No NaN comes here: unreached states and unusable edges are +inf. */
struct first_scan {
    double best, second;
    int first;
};

/* One value into @scan: branch-free, the larger of it and the best so far
 * is a candidate for the second. */
static inline void
first_scan_step(struct first_scan *scan, double value, int s)
{
    const double above = value > scan->best ? value : scan->best;

    scan->first = value < scan->best ? s : scan->first;
    scan->best = value < scan->best ? value : scan->best;
    scan->second = above < scan->second ? above : scan->second;
}

static inline void
first_scan_portable(int sum, const double *key, const double *row, int lo,
                    int hi, struct first_scan *scan)
{
    for (int s = lo; s < hi; s++)
        first_scan_step(scan,
                        sum ? key[s] + row[s]
                            : (key[s] > row[s] ? key[s] : row[s]),
                        s);
}

#ifdef LAZY_HAVE_AVX
/* Four lanes, each with its own best, second and first index (a double,
 * exact below 2^53), merged at the end: two lanes' bests and seconds give
 * the smaller best, and the smaller of their seconds and the larger best
 * as the second; the first index of the smaller best, the smaller index
 * when they are equal. The same result as the portable scan. */
__attribute__((target("avx"), always_inline)) static inline void
first_scan_merge_avx(__m256d *best, __m256d *second, __m256d *first,
                     __m256d b, __m256d sec, __m256d f)
{
    const __m256d less = _mm256_cmp_pd(b, *best, _CMP_LT_OQ);
    const __m256d equal = _mm256_cmp_pd(b, *best, _CMP_EQ_OQ);
    const __m256d tied = _mm256_min_pd(*first, f);

    *second = _mm256_min_pd(_mm256_min_pd(*second, sec),
                            _mm256_max_pd(*best, b));
    *first = _mm256_or_pd(_mm256_and_pd(less, f),
                          _mm256_andnot_pd(less, _mm256_or_pd(
                              _mm256_and_pd(equal, tied),
                              _mm256_andnot_pd(equal, *first))));
    *best = _mm256_min_pd(*best, b);
}

__attribute__((target("avx"), always_inline)) static inline void
first_scan_avx(int sum, const double *key, const double *row, int lo, int hi,
               struct first_scan *scan)
{
    __m256d best = _mm256_set1_pd(HUGE_VAL), second = best;
    __m256d first = _mm256_set1_pd(-1.0);
    __m256d index = _mm256_set_pd(lo + 3, lo + 2, lo + 1, lo);
    const __m256d four = _mm256_set1_pd(4.0);
    int s = lo;

    for (; s + 4 <= hi; s += 4) {
        const __m256d k = _mm256_loadu_pd(key + s);
        const __m256d w = _mm256_loadu_pd(row + s);
        const __m256d value = sum ? _mm256_add_pd(k, w) : _mm256_max_pd(k, w);
        const __m256d less = _mm256_cmp_pd(value, best, _CMP_LT_OQ);

        second = _mm256_min_pd(second, _mm256_max_pd(value, best));
        first = _mm256_or_pd(_mm256_and_pd(less, index),
                             _mm256_andnot_pd(less, first));
        best = _mm256_min_pd(best, value);
        index = _mm256_add_pd(index, four);
    }
    first_scan_merge_avx(&best, &second, &first,
                         _mm256_permute2f128_pd(best, best, 1),
                         _mm256_permute2f128_pd(second, second, 1),
                         _mm256_permute2f128_pd(first, first, 1));
    first_scan_merge_avx(&best, &second, &first, _mm256_permute_pd(best, 5),
                         _mm256_permute_pd(second, 5),
                         _mm256_permute_pd(first, 5));
    scan->best = _mm256_cvtsd_f64(best);
    scan->second = _mm256_cvtsd_f64(second);
    scan->first = scan->best < HUGE_VAL ? (int)_mm256_cvtsd_f64(first) : -1;
    /* The rest come after every index so far: the strict comparison of
     * the portable step keeps the first. */
    for (; s < hi; s++)
        first_scan_step(scan,
                        sum ? key[s] + row[s]
                            : (key[s] > row[s] ? key[s] : row[s]),
                        s);
}

/* One copy per comparator, so the loop does not test it. */
__attribute__((target("avx"))) static void
first_scan_avx_sum(const double *key, const double *row, int lo, int hi,
                   struct first_scan *scan)
{
    first_scan_avx(1, key, row, lo, hi, scan);
}

__attribute__((target("avx"))) static void
first_scan_avx_max(const double *key, const double *row, int lo, int hi,
                   struct first_scan *scan)
{
    first_scan_avx(0, key, row, lo, hi, scan);
}
#endif

/* The scan of a state (see struct first_scan), four at a time where the
 * CPU has AVX and the row is long enough. */
static void
first_scan(const struct lazy *lz, const double *key, const double *row,
           int lo, int hi, struct first_scan *scan)
{
    scan->best = scan->second = HUGE_VAL;
    scan->first = -1;
#ifdef LAZY_HAVE_AVX
    if (lz->avx && hi - lo >= 8) {
        if (lz->sum)
            first_scan_avx_sum(key, row, lo, hi, scan);
        else
            first_scan_avx_max(key, row, lo, hi, scan);
        return;
    }
#endif
    first_scan_portable(lz->sum, key, row, lo, hi, scan);
}

/* SUM at state (@t, @c): the predecessors of the smallest and the second
 * smallest exact sums (the smaller predecessor on ties) into *@best_s
 * and *@next_s (-1 if none), among those whose floating-point sums are
 * within the margin of @fl_next, the second smallest. */
static void
first_two_exact(const struct lazy *lz, int t, int c, double fl_next,
                int *best_s, int *next_s)
{
    const size_t n = (size_t)lz->problem->num_steps;
    const double *maxes = lz->best_max + (size_t)(c - 1) * n;
    const double *fl_row = lz->first_fl + (size_t)(c - 1) * n;
    const double *row = lazy_row(lz, t);
    const uint32_t *first = lz->list + (size_t)(c - 1) * n * lz->count;
    const uint64_t *fixed = fixed_weight(lz, t, 0);
    const double within = fl_next + lz->margin;
    uint64_t best_hi = 0, best_lo = 0, next_hi = 0, next_lo = 0;

    *best_s = *next_s = -1;
    for (int s = first_candidate(lz, t, c); s < t; s++) {
        const struct lazy_sum *sum;
        uint64_t lo, hi;

        /* Most fail the first test; +inf sums (unreached, unusable) pass
         * it only when the margin is infinite. */
        if (fl_row[s] + row[s] > within || maxes[s] == HUGE_VAL ||
            row[s] == HUGE_VAL)
            continue;
        sum = &lz->paths[first[(size_t)s * lz->count]].key.sum;
        lo = sum->lo + fixed[2 * s + 1];
        hi = sum->hi + fixed[2 * s] + (lo < fixed[2 * s + 1]);
        if (*best_s < 0 || hi < best_hi || (hi == best_hi && lo < best_lo)) {
            next_hi = best_hi;
            next_lo = best_lo;
            *next_s = *best_s;
            best_hi = hi;
            best_lo = lo;
            *best_s = s;
        } else if (*next_s < 0 || hi < next_hi ||
                   (hi == next_hi && lo < next_lo)) {
            next_hi = hi;
            next_lo = lo;
            *next_s = s;
        }
    }
}

/* The one-best DP of SUM at state (@t, @c): the smallest exact sum, the
 * smaller predecessor on ties. */
static lemica_status
first_path_sum(struct lazy *lz, int t, int c)
{
    const size_t n = (size_t)lz->problem->num_steps;
    const size_t state = (size_t)c * n + (size_t)t;
    const double *fl_row = lz->first_fl + (size_t)(c - 1) * n;
    const double *row = lazy_row(lz, t);
    const uint32_t *first = lz->list + (size_t)(c - 1) * n * lz->count;
    struct lazy_candidate best;
    struct first_scan scan;
    double fl_best, fl_next;
    int best_s, next_s, first_s;
    uint32_t index;

    /* The two smallest floating-point sums first, without branches (an
     * unreached predecessor's sum is +inf). Each is within margin / 2 of
     * its exact sum, so the best two exact sums are among those within
     * the margin of the second smallest: only those get exact sums, in
     * the same order as they would all, which gives the same two. The
     * first paths' sums sit in one row per layer (first_fl), so this
     * scan reads two contiguous rows as the frontier's DP does. */
    first_scan(lz, fl_row, row, first_candidate(lz, t, c), t, &scan);
    fl_best = scan.best;
    fl_next = scan.second;
    first_s = scan.first;
    if (fl_best + lz->margin < fl_next) {
        /* Usually the smallest sum is ahead of all others by more than
         * the margin: its exact sum is the smallest, by more than the
         * others' exact sums can be below their floating-point ones. No
         * exact sums then, and no runner: fresh_beats_runner() goes by
         * the second smallest floating-point sum instead (DBL_MAX if
         * there is none; an infinite margin never comes here). */
        best_s = first_s;
        lz->heap_size[state] = LAZY_FL_RUNNER;
        lz->best_max[state] = fl_next < HUGE_VAL ? fl_next : DBL_MAX;
    } else {
        first_two_exact(lz, t, c, fl_next, &best_s, &next_s);
        if (best_s < 0)
            return LEMICA_OK;
        /* The best of the other predecessors, until the heap is built. */
        lz->heap_size[state] = next_s < 0 ? LAZY_NONE : (uint32_t)next_s;
        lz->best_max[state] = 0.0;
    }
    candidate_key(lz, &best, first[(size_t)best_s * lz->count], best_s, t,
                  row[best_s]);
    index = add_path(lz, best.path, t, 0, best.w, NULL);
    if (index == LAZY_NONE)
        return lemica_fail_no_memory("the k-best paths");
    take_key(lz, index, &best);
    lz->list[state * lz->count] = index;
    lz->known[state] = 1;
    lz->first_fl[state] = lz->paths[index].key.sum.fl;
    return LEMICA_OK;
}

/* The one-best DP: the first path of every state, in the order of
 * lemica-kbest.h (largest weight, then head, then full vector, then the
 * smaller predecessor). */
static lemica_status
first_paths(struct lazy *lz, int budget, int frontier)
{
    const int n = lz->problem->num_steps;
    const size_t count = lz->count;
    struct lazy_head empty, best_head, head;
    lemica_status status;

    memset(&empty, 0, sizeof(empty));
    /* Room for every first path and a few more: growing copies. */
    if (!grow_paths(lz, 2 * (size_t)(budget + 1) * (size_t)n))
        return lemica_fail_no_memory("the k-best paths");
    if (add_path(lz, LAZY_NONE, 0, 0, 0.0, &empty) == LAZY_NONE)
        return lemica_fail_no_memory("the k-best paths");
    /* LEXMAX's runner bounds (SUM's first sums, reserved with the rest):
     * after the paths, so that the allocation sweep of the tests still
     * meets the paths' growth where it did. */
    if (!lz->sum) {
        if (!lemica_solver_reserve(&lz->solver->work.kbest_first_fl,
                                   (size_t)(lz->layers + 1) * (size_t)n,
                                   sizeof(double)))
            return lemica_fail_no_memory("the k-best enumeration");
        lz->first_fl = lz->solver->work.kbest_first_fl.data;
    }
    if (lz->sum) {
        memset(&lz->paths[0].key.sum, 0, sizeof(lz->paths[0].key.sum));
        lz->first_fl[n] = 0.0;
    }
    lz->list[(size_t)n * count] = 0;
    lz->known[n] = 1;
    lz->flags[n] = LAZY_EXHAUSTED;
    lz->best_max[n] = -HUGE_VAL;
    for (int c = 2; c <= budget; c++) {
        int t_min, t_max;

        lemica_kbest_state_range(lz->problem, budget, frontier, c, &t_min,
                                 &t_max);
        for (int t = t_min; t <= t_max; t++) {
            const size_t state = (size_t)c * (size_t)n + (size_t)t;
            const double *maxes = lz->best_max + (size_t)(c - 1) * (size_t)n;
            const double *row = lazy_row(lz, t);
            const int s_first = first_candidate(lz, t, c);
            struct first_scan scan;
            double best, second;
            int best_s, first_s, merged = 0;
            uint32_t index;

            if (t == n - 1 && !frontier && c != budget)
                continue;
            if (lz->sum) {
                status = first_path_sum(lz, t, c);
                if (status != LEMICA_OK)
                    return status;
                continue;
            }
            /* The smallest largest weight first, without branches, and
             * the first predecessor that reaches it; when another one
             * does, the second smallest is the smallest again, and the
             * ones after it that reach it too compare in ascending order
             * (ties with a larger largest weight that a later
             * predecessor beats would be compared for nothing). */
            first_scan(lz, maxes, row, s_first, t, &scan);
            best = scan.best;
            second = scan.second;
            first_s = scan.first;
            if (best == HUGE_VAL)
                continue;
            /* Below the second smallest largest weight a candidate beats
             * every other predecessor's first path. */
            lz->first_fl[state] = second;
            best_s = first_s;
            for (int s = second == best ? first_s + 1 : t; s < t; s++) {
                double m = maxes[s] > row[s] ? maxes[s] : row[s];

                uint32_t pa, pb;

                if (m != best)
                    continue;
                pa = lz->list[((size_t)(c - 1) * (size_t)n + (size_t)s) *
                              count];
                pb = lz->list[((size_t)(c - 1) * (size_t)n +
                               (size_t)best_s) * count];
                if (!merged) {
                    head_insert(&lz->paths[pb].key.head, row[best_s],
                                &best_head);
                    merged = 1;
                }
                head_insert(&lz->paths[pa].key.head, row[s], &head);
                if (compare_full(lz, pa, row[s], &head, pb, row[best_s],
                                 &best_head) < 0) {
                    best_s = s;
                    best_head = head;
                }
            }
            {
                uint32_t parent = lz->list[((size_t)(c - 1) * (size_t)n +
                                            (size_t)best_s) * count];

                if (!merged)
                    head_insert(&lz->paths[parent].key.head, row[best_s],
                                &best_head);
                index = add_path(lz, parent, t, 0, row[best_s], &best_head);
            }
            if (index == LAZY_NONE)
                return lemica_fail_no_memory("the k-best paths");
            lz->list[state * count] = index;
            lz->known[state] = 1;
            lz->best_max[state] = best;
        }
    }
    return LEMICA_OK;
}

/* A state's heap holds, at first, only the first paths of the
 * predecessors whose cheap key (the candidate's max: LEXMAX its largest
 * weight, SUM its floating-point sum) is the smallest, or for SUM within
 * the margin of it; the others wait ("cold"), until a candidate to be returned has a key that one of them
 * might beat (heap_pull()). A candidate with key K comes before every
 * cold one when all cold keys are above K + slack, the slack being 0 for
 * LEXMAX (a larger largest weight comes after) and the margin for SUM
 * (exact sums are within margin / 2 of the floating-point ones). Most
 * states are asked for a few paths only, so most candidates stay cold,
 * never made nor compared.
 *
 * The cold ones are not written anywhere: they are the usable
 * predecessors other than the first path's ("taken") whose keys are above
 * the largest limit pulled so far, read from the rows of first paths'
 * keys (best_max, first_fl) and the incoming weights, which a scan reads
 * in order. A state's room: a header, then its @preds candidate slots,
 * where the heap grows. The header keeps, as a candidate's fields, the
 * number of cold ones (path), the taken predecessor (from), their
 * smallest key (w), the limit pulled so far (max) and the times they
 * were pulled after the first (key.pulls). build_heap() makes the first
 * pull in the pass that counts them (cold_first_pull()). */
static size_t
heap_room(size_t preds)
{
    return preds + 1;
}

/* Move candidate @moving up from @at of @heap to where it belongs. */
static inline void
sift_up(struct lazy *lz, struct lazy_candidate *heap, size_t at,
        struct lazy_candidate *moving)
{
    while (at > 0) {
        size_t parent = (at - 1) / 2;

        if (!candidate_before(lz, moving, &heap[parent]))
            break;
        heap[at] = heap[parent];
        at = parent;
    }
    heap[at] = *moving;
}

/* Make the cold candidates of state @state = (@t, @c) with keys up to
 * @limit heap candidates (all of them after three pulls: the scans stay
 * few); @room is the state's room. */
static void
heap_pull(struct lazy *lz, struct lazy_candidate *room, size_t state, int t,
          int c, double limit)
{
    const size_t n = (size_t)lz->problem->num_steps;
    const uint32_t *first = lz->list + (size_t)(c - 1) * n * lz->count;
    const double *maxes = lz->best_max + (size_t)(c - 1) * n;
    const double *fl = lz->first_fl + (size_t)(c - 1) * n;
    const double *row = lazy_row(lz, t);
    const double pulled = room[0].max;
    const int taken = room[0].from;
    struct lazy_candidate *heap = room + 1;
    size_t cold = room[0].path, size = lz->heap_size[state];
    double smallest = HUGE_VAL;

    if (++room[0].key.pulls > 3)
        limit = HUGE_VAL;
    for (int s = first_candidate(lz, t, c); s < t && cold > 0; s++) {
        struct lazy_candidate made;
        double key;

        if (maxes[s] == HUGE_VAL || row[s] == HUGE_VAL || s == taken)
            continue;
        key = lz->sum ? fl[s] + row[s] : (maxes[s] > row[s] ? maxes[s] : row[s]);
        if (key <= pulled)
            continue;
        if (key > limit) {
            smallest = key < smallest ? key : smallest;
            continue;
        }
        cold--;
        candidate_key(lz, &made, first[(size_t)s * lz->count], s, t, row[s]);
        sift_up(lz, heap, size++, &made);
    }
    room[0].path = (uint32_t)cold;
    room[0].w = cold > 0 ? smallest : HUGE_VAL;
    room[0].max = limit;
    lz->heap_size[state] = (uint32_t)size;
}

/* Pull the cold candidates of @state that a candidate with key @key
 * might not come before. */
static inline void
heap_ensure(struct lazy *lz, struct lazy_candidate *room, size_t state, int t,
            int c, double key)
{
    const double limit = key + (lz->sum ? lz->margin : 0.0);

    if (room[0].path > 0 && room[0].w <= limit)
        heap_pull(lz, room, state, t, c, limit);
}

/* The end of a heap's first pull (cold_first_pull_margin(),
 * cold_first_pull()): the @listed predecessors in the heap's slots (from)
 * made candidates, and the room's header: @cold - @listed left cold, the
 * smallest of their keys @next, the keys up to @pulled pulled. */
static inline void
first_pull_end(struct lazy *lz, struct lazy_candidate *room, size_t state,
               int t, const uint32_t *first, const double *row, size_t listed,
               size_t cold, int taken, double next, double pulled)
{
    struct lazy_candidate *heap = room + 1;

    /* Making candidate i writes slots up to i only. */
    for (size_t i = 0; i < listed; i++) {
        const int s = heap[i].from;
        struct lazy_candidate made;

        candidate_key(lz, &made, first[(size_t)s * lz->count], s, t, row[s]);
        sift_up(lz, heap, i, &made);
    }
    room[0].path = (uint32_t)(cold - listed);
    room[0].from = taken;
    room[0].w = cold > listed ? next : HUGE_VAL;
    room[0].max = pulled;
    room[0].key.pulls = 0;
    lz->heap_size[state] = (uint32_t)listed;
}

/* The first part of build_heap(): the scan of the cold ones and their
 * first pull, of those with keys up to the smallest plus the margin (see
 * heap_ensure()), in one pass. The predecessors within the margin of the
 * smallest key so far wait in the heap's slots (from and max) until they
 * are made candidates; when the smallest goes down, those now above go.
 * A key above the limit of its time stays above: the limit only goes
 * down. SUM with a margin; cold_first_pull() without. */
static void
cold_first_pull_margin(struct lazy *lz, struct lazy_candidate *room,
                       size_t state, int t, int c, int taken)
{
    const size_t n = (size_t)lz->problem->num_steps;
    const double *maxes = lz->best_max + (size_t)(c - 1) * n;
    const double *fl = lz->first_fl + (size_t)(c - 1) * n;
    const double *row = lazy_row(lz, t);
    const uint32_t *first = lz->list + (size_t)(c - 1) * n * lz->count;
    const double margin = lz->margin;
    struct lazy_candidate *heap = room + 1;
    size_t cold = 0, listed = 0;
    double least = HUGE_VAL, limit = HUGE_VAL, next = HUGE_VAL;

    if (lz->heap_size[state] == LAZY_FL_RUNNER &&
        lz->best_max[state] != DBL_MAX) {
        /* The smallest key is known: first_path_sum() took the first
         * predecessor of the smallest floating-point sum (taken) and
         * kept the second smallest of the same scan, the smallest of the
         * others (unless there was none: DBL_MAX). One pass then, whose
         * test of a key within the margin is rarely true; @taken's key is
         * made +inf by an addition, and a finite key has a usable first
         * path and edge. */

        limit = lz->best_max[state] + margin;
        for (int s = first_candidate(lz, t, c); s < t; s++) {
            const double key = fl[s] + row[s] + lazy_hide[s == taken];

            cold += (size_t)((maxes[s] < HUGE_VAL) & (row[s] < HUGE_VAL) &
                             (s != taken));
            if (key <= limit) {
                heap[listed].from = s;
                heap[listed++].max = key;
            } else {
                next = key < next ? key : next;
            }
        }
        first_pull_end(lz, room, state, t, first, row, listed, cold, taken,
                       next, limit);
        return;
    }
    for (int s = first_candidate(lz, t, c); s < t; s++) {
        double key;

        if (maxes[s] == HUGE_VAL || row[s] == HUGE_VAL || s == taken)
            continue;
        key = fl[s] + row[s]; /* SUM: LEXMAX has no margin */
        cold++;
        if (key < least) {
            size_t kept = 0;

            least = key;
            limit = least + margin;
            for (size_t i = 0; i < listed; i++) {
                if (heap[i].max <= limit)
                    heap[kept++] = heap[i];
                else if (heap[i].max < next)
                    next = heap[i].max;
            }
            listed = kept;
        }
        if (key <= limit) {
            heap[listed].from = s;
            heap[listed++].max = key;
        } else if (key < next) {
            next = key;
        }
    }
    first_pull_end(lz, room, state, t, first, row, listed, cold, taken, next,
                   limit);
}

/* cold_first_pull()'s scan for SUM (sums exact in doubles): the
 * predecessors s in [@lo, @t) but @taken with a usable first path and
 * edge, counted (cold); those of the smallest key (least) in the from
 * fields of @heap (listed); the smallest key above it (next). The sums
 * are exact here, so a key is +inf only where a part is; usable is still
 * tested apart, by < rather than != (which a double's NaN makes two
 * tests, and a branch). One pass without branches on the keys, which
 * come in no order (a pass that branched on a key below the smallest so
 * far mispredicted a few times a scan): a key below it starts the list again
 * and moves the old smallest into next (the larger of the two goes there,
 * unless they are equal); a slot is written for every predecessor, at the place
 * of the next one listed (at most one past those listed so far; there
 * are @t - @lo slots). @taken's key is made +inf by an addition (a key is
 * never -inf: weights are finite or +inf), its usable bit 0. */
struct cold_scan {
    size_t cold, listed;
    double least, next;
};

static inline void
cold_scan(struct cold_scan *scan, const double *maxes, const double *fl,
          const double *row, int lo, int t, int taken,
          struct lazy_candidate *heap)
{
    size_t cold = 0, listed = 0;
    double least = HUGE_VAL, next = HUGE_VAL;

    for (int s = lo; s < t; s++) {
        const double key = fl[s] + row[s] + lazy_hide[s == taken];
        const int usable =
            (maxes[s] < HUGE_VAL) & (row[s] < HUGE_VAL) & (s != taken);
        /* The selects by masks and the table: compilers may make
         * branches of a ?: on these. */
        const size_t at = listed & ((size_t)(key < least) - 1);
        const double larger = key > least ? key : least;
        const double moved = larger + lazy_hide[key == least];

        cold += (size_t)usable;
        heap[at].from = s;
        listed = at + (size_t)(usable & (key <= least));
        next = moved < next ? moved : next;
        least = key < least ? key : least;
    }
    scan->cold = cold;
    scan->listed = listed;
    scan->least = least;
    scan->next = next;
}

/* The scan of cold_first_pull() for LEXMAX (counted: cold; those of the
 * smallest key @least in the from fields of @heap: listed; the smallest
 * key above it: next), whose smallest key is known: the
 * second smallest largest weight of the scan of first_paths(), which is
 * the smallest of the predecessors but the first one's (taken; when
 * another one ties with it, the second smallest equals the smallest).
 * One pass, a third of the work of a search for the smallest, and
 * without branches on the keys: @taken's key is made +inf by an
 * addition, and a slot is written for every predecessor, at the place of
 * the next one listed. */
static inline void
cold_scan_known(struct cold_scan *scan, const double *maxes, const double *row,
                int lo, int t, int taken, double least,
                struct lazy_candidate *heap)
{
    size_t cold = 0, listed = 0;
    double next = HUGE_VAL;

    for (int s = lo; s < t; s++) {
        const double key =
            (maxes[s] > row[s] ? maxes[s] : row[s]) + lazy_hide[s == taken];
        const double above = key > least ? key : HUGE_VAL;

        cold += (size_t)(key < HUGE_VAL);
        heap[listed].from = s;
        listed += (size_t)((key < HUGE_VAL) & (key <= least));
        next = above < next ? above : next;
    }
    scan->cold = cold;
    scan->listed = listed;
    scan->least = least;
    scan->next = next;
}

/* cold_first_pull_margin() without a margin (LEXMAX, and SUM where its
 * sums are exact in doubles): the pull of those with the smallest key. */
static void
cold_first_pull(struct lazy *lz, struct lazy_candidate *room, size_t state,
                int t, int c, int taken)
{
    const size_t n = (size_t)lz->problem->num_steps;
    const double *maxes = lz->best_max + (size_t)(c - 1) * n;
    const double *fl = lz->first_fl + (size_t)(c - 1) * n;
    const double *row = lazy_row(lz, t);
    const uint32_t *first = lz->list + (size_t)(c - 1) * n * lz->count;
    struct lazy_candidate *heap = room + 1;
    const int lo = first_candidate(lz, t, c);
    struct cold_scan scan;

    if (lz->sum)
        cold_scan(&scan, maxes, fl, row, lo, t, taken, heap);
    else
        cold_scan_known(&scan, maxes, row, lo, t, taken, lz->first_fl[state],
                        heap);
    first_pull_end(lz, room, state, t, first, row, scan.listed, scan.cold,
                   taken, scan.next, scan.least);
}

/* Build the heap of state @state = (@t, @c): the first path of every
 * predecessor but the one the state's first path came through, those of
 * the smallest keys made candidates, the others cold. */
static lemica_status
build_heap(struct lazy *lz, size_t state, int t, int c)
{
    const size_t count = lz->count;
    const int taken = lz->links[lz->links[lz->list[state * count]].parent].step;
    const size_t preds = (size_t)(t - first_candidate(lz, t, c));
    struct lazy_candidate *room;

    if (!lazy_grow(&lz->solver->work.kbest_candidates,
                   (void **)&lz->candidates,
                   lz->num_candidates + heap_room(preds),
                   sizeof(*lz->candidates)))
        return lemica_fail_no_memory("the k-best candidates");
    room = lz->candidates + lz->num_candidates;
    if (lz->margin > 0.0)
        cold_first_pull_margin(lz, room, state, t, c, taken);
    else
        cold_first_pull(lz, room, state, t, c, taken);
    lz->heap_at[state] = lz->num_candidates;
    lz->num_candidates += heap_room(preds);
    lz->flags[state] |= LAZY_BUILT;
    return LEMICA_OK;
}

/* The predecessor state, its step and the rank of the last path found at
 * @state = (@t, c). Inline: with two callers GCC would call it, 0.6 M
 * instructions more in 10 LEXMAX calls of bench-kbest. */
static inline int
last_origin(const struct lazy *lz, size_t state, int t, size_t *pred,
            uint32_t *rank)
{
    const size_t n = (size_t)lz->problem->num_steps;
    const uint32_t last = lz->list[state * lz->count + lz->known[state] - 1];
    const uint32_t parent = lz->links[last].parent;
    const int s = lz->links[parent].step;

    *pred = state - n - (size_t)t + (size_t)s;
    *rank = lz->paths[parent].index;
    return s;
}

/* SUM, state @state = (@t, @c) without a heap: whether @fresh comes before the best
 * first path of the predecessors other than the first path's, which
 * first_path_sum() left in heap_size (LAZY_NONE if there is none). */
static int
fresh_beats_runner(struct lazy *lz, size_t state, int t, int c,
                   struct lazy_candidate *fresh)
{
    const int n = lz->problem->num_steps;
    const uint32_t s = lz->heap_size[state];
    struct lazy_candidate runner;

    if (s == LAZY_NONE)
        return 1;
    if (s == LAZY_FL_RUNNER) {
        /* Every other predecessor's exact sum is at least the second
         * smallest floating-point sum less margin / 2; the fresh one's
         * at most its own plus margin / 2. */
        return fresh->max + lz->margin < lz->best_max[state];
    }
    candidate_key(lz, &runner,
                  lz->list[((size_t)(c - 1) * (size_t)n + s) * lz->count],
                  (int)s, t, lazy_row(lz, t)[s]);
    return candidate_before(lz, fresh, &runner);
}

/* The best candidate of state @state = (@t, @c) into *@top, by its heap
 * (built if needed) and @fresh, the next path of the predecessor last
 * taken (NULL if it has none); sets *@none and marks the state exhausted
 * if there is no candidate. */
static lemica_status
heap_next(struct lazy *lz, size_t state, int t, int c,
          struct lazy_candidate *fresh, struct lazy_candidate *top, int *none)
{
    struct lazy_candidate *room, *heap;
    size_t size;

    if (!(lz->flags[state] & LAZY_BUILT)) {
        lemica_status status = build_heap(lz, state, t, c);

        if (status != LEMICA_OK)
            return status;
    }
    room = lz->candidates + lz->heap_at[state];
    heap = room + 1;
    if (fresh) {
        /* The next candidate of the predecessor just taken: the best
         * itself when it beats the heap's, else it takes the root's
         * place. Either comes before the cold ones once those it might
         * not are pulled (the root, when it wins, has a key no larger
         * than the fresh one's, LEXMAX, or an exact sum below). */
        heap_ensure(lz, room, state, t, c, fresh->max);
        size = lz->heap_size[state];
        if (size == 0 || candidate_before(lz, fresh, &heap[0])) {
            *top = *fresh;
        } else {
            *top = heap[0];
            sift_down(lz, heap, size, 0, fresh);
        }
    } else {
        size = lz->heap_size[state];
        if (size == 0 && room[0].path == 0) {
            lz->flags[state] |= LAZY_EXHAUSTED;
            *none = 1;
            return LEMICA_OK;
        }
        /* The root (or, if none, the smallest cold key) against the
         * cold ones; a root that pulling replaces has a key no larger
         * (LEXMAX) or an exact sum below (SUM). */
        heap_ensure(lz, room, state, t, c,
                    size > 0 ? heap[0].max : room[0].w);
        size = lz->heap_size[state];
        *top = heap[0];
        size--;
        sift_down(lz, heap, size, 0, &heap[size]);
    }
    lz->heap_size[state] = (uint32_t)size;
    return LEMICA_OK;
}

/* Find the next path of @state (which has some and is not exhausted), or
 * mark it exhausted. Walks down the layers while the predecessor whose
 * next path is needed has not found it yet, then back up. */
static lemica_status
next_path(struct lazy *lz, size_t state)
{
    const size_t n = (size_t)lz->problem->num_steps;
    const size_t count = lz->count;
    const int c_state = (int)(state / n);
    size_t depth = 0, cur = state, pred;
    uint32_t rank;
    int t = (int)(state % n);

    /* Each level keeps the state and its step, and the origin of its last
     * path (state, rank, step), which stays until the way back up adds to
     * the state. A level's layer is the state's less its depth: no
     * divisions on the way. */
    for (;;) {
        uint32_t *level = lz->stack + LAZY_LEVEL * depth++;
        const int s = last_origin(lz, cur, t, &pred, &rank);

        level[0] = (uint32_t)cur;
        level[1] = (uint32_t)pred;
        level[2] = rank;
        level[3] = (uint32_t)t;
        level[4] = (uint32_t)s;
        if (rank + 1 >= count || lz->known[pred] > rank + 1 ||
            (lz->flags[pred] & LAZY_EXHAUSTED))
            break;
        cur = pred;
        t = s;
    }
    while (depth-- > 0) {
        const uint32_t *level = lz->stack + LAZY_LEVEL * depth;
        const int c = c_state - (int)depth;
        struct lazy_candidate top, fresh;
        uint32_t index;
        lemica_status status;
        int fresh_ok;

        cur = level[0];
        pred = level[1];
        rank = level[2];
        t = (int)level[3];
        fresh_ok = rank + 1 < count && lz->known[pred] > rank + 1;
        if (fresh_ok) {
            const int s = (int)level[4];

            candidate_key(lz, &fresh, lz->list[pred * count + rank + 1], s,
                          t, lazy_row(lz, t)[s]);
        }
        if (!(lz->flags[cur] & LAZY_BUILT) && fresh_ok &&
            (lz->sum ? fresh_beats_runner(lz, cur, t, c, &fresh)
                     : fresh.max < lz->first_fl[cur])) {
            /* While every path taken came through the first one's
             * predecessor, the heap would hold the first paths of the
             * others: no heap while the fresh candidate beats the best
             * of them (SUM: first_path_sum() kept it) or, LEXMAX, has a
             * smaller largest weight than any of them. */
            top = fresh;
        } else {
            int none = 0;

            status = heap_next(lz, cur, t, c, fresh_ok ? &fresh : NULL, &top,
                               &none);
            if (status != LEMICA_OK)
                return status;
            if (none)
                continue;
        }
        index = add_path(lz, top.path, t, lz->known[cur], top.w, NULL);
        if (index == LAZY_NONE)
            return lemica_fail_no_memory("the k-best paths");
        take_key(lz, index, &top);
        lz->list[cur * count + lz->known[cur]++] = index;
    }
    return LEMICA_OK;
}

/* Point at the workspace's buffers, grown as needed. */
static lemica_status
lazy_alloc(struct lazy *lz)
{
    struct lemica_workspace *work = &lz->solver->work;
    const size_t n = (size_t)lz->problem->num_steps;
    const size_t layers = (size_t)lz->layers + 1;
    const size_t states = layers * n;
    int ok = 1;

    ok = ok && lemica_solver_reserve(&work->kbest_known, states,
                                     sizeof(uint32_t));
    ok = ok && lemica_solver_reserve(&work->kbest_flags, states, 1);
    ok = ok && lemica_solver_reserve(&work->kbest_best_max, states,
                                     sizeof(double));
    ok = ok && lemica_solver_reserve(&work->kbest_list, states * lz->count,
                                     sizeof(uint32_t));
    ok = ok && lemica_solver_reserve(&work->kbest_heap_at, states,
                                     sizeof(size_t));
    ok = ok && lemica_solver_reserve(&work->kbest_heap_size, states,
                                     sizeof(uint32_t));
    ok = ok && lemica_solver_reserve(&work->kbest_stack, LAZY_LEVEL * layers,
                                     sizeof(uint32_t));
    ok = ok && lemica_solver_reserve(&work->kbest_full[0], layers,
                                     sizeof(double));
    ok = ok && lemica_solver_reserve(&work->kbest_full[1], layers,
                                     sizeof(double));
    ok = ok && lemica_solver_reserve(&work->kbest_order, layers * lz->count,
                                     sizeof(uint32_t));
    ok = ok && lemica_solver_reserve(&work->kbest_listed, layers,
                                     sizeof(uint32_t));
    if (lz->sum) {
        ok = ok && lemica_solver_reserve(&work->kbest_fl, lz->count,
                                         sizeof(double));
        ok = ok && lemica_solver_reserve(&work->kbest_first_fl, states,
                                         sizeof(double));
        ok = ok && lemica_solver_reserve(
                       &work->kbest_fixed,
                       2 * n * (size_t)lz->problem->max_skip,
                       sizeof(uint64_t));
    }
    if (!ok)
        return lemica_fail_no_memory("the k-best enumeration");
    lz->known = work->kbest_known.data;
    lz->flags = work->kbest_flags.data;
    lz->best_max = work->kbest_best_max.data;
    lz->list = work->kbest_list.data;
    lz->heap_at = work->kbest_heap_at.data;
    lz->heap_size = work->kbest_heap_size.data;
    lz->stack = work->kbest_stack.data;
    lz->full[0] = work->kbest_full[0].data;
    lz->full[1] = work->kbest_full[1].data;
    lz->paths = work->kbest_paths.data;
    lz->links = work->kbest_links.data;
    lz->candidates = work->kbest_candidates.data;
    lz->order = work->kbest_order.data;
    lz->listed = work->kbest_listed.data;
    lz->fl_scratch = work->kbest_fl.data;
    memset(lz->listed, 0, layers * sizeof(uint32_t));
    memset(lz->known, 0, states * sizeof(uint32_t));
    memset(lz->flags, 0, states);
    for (size_t i = 0; i < states; i++)
        lz->best_max[i] = HUGE_VAL;
    if (lz->sum) {
        lz->first_fl = work->kbest_first_fl.data;
        for (size_t i = 0; i < states; i++)
            lz->first_fl[i] = HUGE_VAL;
    }
    return LEMICA_OK;
}

/* The steps of the schedule of rank @rank of budget @budget (a
 * lemica_schedule_list_steps): a path read backwards from its end. */
static void
lazy_steps(const void *context, int budget, uint32_t rank, int *steps)
{
    const struct lazy *lz = context;
    uint32_t path = lz->order[(size_t)budget * lz->count + rank];

    for (int call = budget; call >= 1; call--) {
        steps[call - 1] = lz->links[path].step;
        path = lz->links[path].parent;
    }
}

/* The list of the paths found at the final states (N - 1, c). */
static lemica_status
lazy_collect(const struct lazy *lz, lemica_schedule_list **out)
{
    return lemica_schedule_list_build(lz->listed, lz->layers,
                                      lz->problem->graph, lazy_steps, lz,
                                      &lz->solver->work.kbest_ranks, out);
}

/* SUM: the floating-point sums of two paths into the same state, then
 * their step lists read backwards. */
static int
sum_order(const struct lazy *lz, uint32_t a, uint32_t b)
{
    double x = lz->paths[a].key.sum.fl, y = lz->paths[b].key.sum.fl;

    if (x != y)
        return x < y ? -1 : 1;
    while (a != b) {
        a = lz->links[a].parent;
        b = lz->links[b].parent;
        if (lz->links[a].step != lz->links[b].step)
            return lz->links[a].step < lz->links[b].step ? -1 : 1;
    }
    return 0;
}

/* SUM: the exact sum of path @p as a double. */
static double
exact_value(const struct lazy *lz, uint32_t p)
{
    const struct lazy_sum *sum = &lz->paths[p].key.sum;

    return ldexp((double)sum->hi * 0x1p64 + (double)sum->lo, lz->unit_exp);
}

/* SUM: a lower bound of the exact sum of the next path of final state
 * @state, as a double within the margin, without finding
 * the path. That path is the best of the state's heap (or runner) and
 * of the next path of the predecessor last taken, extended; the latter
 * again, down the layers, until a predecessor has it or has none: the
 * walk of next_path() without the heaps' work and the new paths. Cold
 * candidates and a runner of first_path_sum() give their keys less
 * margin / 2. The sums in doubles round by less than margin / 2. */
static double
next_sum_bound(const struct lazy *lz, size_t state)
{
    const size_t n = (size_t)lz->problem->num_steps;
    const size_t count = lz->count;
    const double half = lz->margin / 2;
    size_t cur = state;
    int t = (int)n - 1;
    double suffix = 0.0, bound = HUGE_VAL;

    for (;;) {
        size_t pred;
        uint32_t rank;
        const int s = last_origin(lz, cur, t, &pred, &rank);
        const double w = lazy_row(lz, t)[s];
        double own = HUGE_VAL;

        if (lz->flags[cur] & LAZY_BUILT) {
            const struct lazy_candidate *room =
                lz->candidates + lz->heap_at[cur];

            if (lz->heap_size[cur] > 0)
                own = exact_value(lz, room[1].path) + room[1].w;
            if (room[0].path > 0 && room[0].w - half < own)
                own = room[0].w - half;
        } else if (lz->heap_size[cur] == LAZY_FL_RUNNER) {
            own = lz->best_max[cur] - half;
        } else if (lz->heap_size[cur] != LAZY_NONE) {
            const uint32_t r = lz->heap_size[cur];

            own = exact_value(lz, lz->list[(cur - n - (size_t)t + r) * count]) +
                  lazy_row(lz, t)[r];
        }
        own += suffix;
        bound = own < bound ? own : bound;
        if (rank + 1 >= count)
            break;
        suffix += w;
        if (lz->known[pred] > rank + 1) {
            const double fresh =
                exact_value(lz, lz->list[pred * count + rank + 1]) + suffix;

            bound = fresh < bound ? fresh : bound;
            break;
        }
        if (lz->flags[pred] & LAZY_EXHAUSTED)
            break;
        cur = pred;
        t = s;
    }
    return bound;
}

/* Insert @value into the @size smallest values of @values (ascending),
 * keeping at most @k. */
static void
smallest_insert(double *values, size_t size, size_t k, double value)
{
    size_t j = size < k ? size : k - 1;

    if (size == k && !(value < values[k - 1]))
        return;
    for (; j > 0 && values[j - 1] > value; j--)
        values[j] = values[j - 1];
    values[j] = value;
}

/* SUM at final state @state of budget @c: the paths come in the order of
 * their exact sums, the list wants that of their floating-point sums.
 * Every path's floating-point sum is within lz->margin / 2 of its exact
 * one, so once the next exact sum is above the k-th smallest
 * floating-point sum so far plus the margin, no later path can enter:
 * sort what came before that. Sets *@fallback when that would need more
 * paths than a state holds. */
static lemica_status
select_sum(struct lazy *lz, size_t state, int c, int *fallback)
{
    const size_t k = lz->wanted;
    uint32_t *order = lz->order + (size_t)c * lz->count;
    const uint32_t *list = lz->list + state * lz->count;
    size_t included = lz->known[state];
    /* The k smallest floating-point sums of those included, ascending
     * (an insertion each: the sums come nearly sorted). */
    double *fl = lz->fl_scratch;
    lemica_status status;

    for (size_t i = 0; i < included && included >= k; i++)
        smallest_insert(fl, i < k ? i : k, k, lz->paths[list[i]].key.sum.fl);
    while (included >= k && !(lz->flags[state] & LAZY_EXHAUSTED)) {
        const double bound = fl[k - 1] + lz->margin;

        if (lz->known[state] == lz->count) {
            *fallback = 1;
            return LEMICA_OK;
        }
        /* Most often the next path is above the bound by far: seen
         * without finding it (and the rounding of the bound's sums is
         * within another margin). Only below the state's room: a
         * predecessor holds as many paths, and the next path of a full
         * state may need one more. */
        if (next_sum_bound(lz, state) > bound + lz->margin)
            break;
        status = next_path(lz, state);
        if (status != LEMICA_OK)
            return status;
        if (lz->known[state] == included ||
            !(exact_value(lz, list[included]) <= bound))
            break;
        smallest_insert(fl, k, k, lz->paths[list[included]].key.sum.fl);
        included++;
    }
    /* Insertion sort: the exact order is nearly the wanted one. */
    for (size_t i = 0; i < included; i++) {
        uint32_t p = list[i];
        size_t j = i;

        for (; j > 0 && sum_order(lz, order[j - 1], p) > 0; j--)
            order[j] = order[j - 1];
        order[j] = p;
    }
    lz->listed[c] = (uint32_t)(included < k ? included : k);
    return LEMICA_OK;
}

/* The trailing zero bits of @x, not 0. */
static inline int
trailing_zeros(uint64_t x)
{
#if defined(__GNUC__)
    return __builtin_ctzll(x);
#else
    int zeros = 0;

    for (; !(x & 1); x >>= 1)
        zeros++;
    return zeros;
#endif
}

/* The margin of lemica_kbest_sum_margin() for the largest usable weight
 * @largest. */
static double
margin_of(double largest, int num_steps)
{
    const double bound = largest * (double)num_steps * 1.001;

    return 2.0 * (double)num_steps * bound * 0x1p-52;
}

/* The bits of usable weight @w (finite, not zero): its mantissa with the
 * implicit bit, *@exponent the weight of its bit 0. */
static inline uint64_t
weight_bits(double w, int *exponent)
{
    uint64_t bits, mantissa;
    int biased;

    memcpy(&bits, &w, sizeof(bits));
    mantissa = bits & ((UINT64_C(1) << 52) - 1);
    biased = (int)((bits >> 52) & 0x7ff);
    if (biased == 0) {
        *exponent = -1074;
        return mantissa;
    }
    *exponent = biased - 1075;
    return mantissa | UINT64_C(1) << 52;
}

/* The index of the highest set bit of @x, not 0. */
static inline int
highest_bit(uint64_t x)
{
#if defined(__GNUC__)
    return 63 - __builtin_clzll(x);
#else
    int top = 63;

    while (!(x >> top))
        top--;
    return top;
#endif
}

/* SUM: the exact weights, as multiples of 2^E for the smallest E that
 * some usable weight needs, in 128 bits; also *@largest, the largest
 * usable weight. Returns 0 (the caller falls back to the DP) when a sum
 * of N of them may not fit. One pass finds E (the lowest set bit of any
 * weight) and the highest set bit of any, whose distance is the width
 * the largest integer needs; a second writes the integers. Only the
 * slots of usable predecessors (from first_pred on) are read: the others
 * hold +inf (fill_incoming() in solver.c) and are never asked for, so
 * the enumeration reads no slot that was not written; absent edges and
 * zeros get 0. (Before: two passes over every slot that both decoded
 * each weight, a third for the zeros and a fourth for the margin's
 * largest weight: 165,000 instructions a SUM call of bench-kbest,
 * now 95,000.) */
static int
fixed_weights(struct lazy *lz, uint64_t *fixed, double *largest)
{
    const int n = lz->problem->num_steps, k = lz->problem->max_skip;
    const int *first_pred = lz->solver->work.first_pred.data;
    const double *incoming = lz->solver->work.incoming.data;
    int smallest = INT32_MAX, highest = INT32_MIN, carry = 0, widest = 0;
    double top_weight = 0.0;

    for (int t = 1; t < n; t++) {
        const size_t base = (size_t)t * (size_t)k;

        for (int j = k - t + first_pred[t]; j < k; j++) {
            const double w = incoming[base + (size_t)j];
            uint64_t mantissa;
            int exponent, low, high;

            if (!(w < HUGE_VAL) || w == 0.0)
                continue;
            mantissa = weight_bits(w, &exponent);
            low = exponent + trailing_zeros(mantissa);
            high = exponent + highest_bit(mantissa);
            smallest = low < smallest ? low : smallest;
            highest = high > highest ? high : highest;
            top_weight = w > top_weight ? w : top_weight;
        }
    }
    /* The largest integer's length: from the unit's bit to the highest
     * set bit of any weight. A sum of N - 1 of them needs log2(N) more
     * bits. */
    if (smallest != INT32_MAX)
        widest = highest - smallest + 1;
    while ((1ull << carry) < (unsigned long long)n)
        carry++;
    if (widest + carry > 127)
        return 0;
    for (int t = 1; t < n; t++) {
        const size_t base = (size_t)t * (size_t)k;

        for (int j = k - t + first_pred[t]; j < k; j++) {
            const size_t i = base + (size_t)j;
            const double w = incoming[i];
            uint64_t mantissa;
            int exponent, zeros, shift;

            if (!(w < HUGE_VAL) || w == 0.0) {
                fixed[2 * i] = fixed[2 * i + 1] = 0;
                continue;
            }
            mantissa = weight_bits(w, &exponent);
            zeros = trailing_zeros(mantissa);
            mantissa >>= zeros;
            /* 0 <= shift and shift + the mantissa's length <= widest. */
            shift = exponent + zeros - smallest;
            if (shift >= 64) {
                fixed[2 * i] = mantissa << (shift - 64);
                fixed[2 * i + 1] = 0;
            } else {
                fixed[2 * i] = shift == 0 ? 0 : mantissa >> (64 - shift);
                fixed[2 * i + 1] = mantissa << shift;
            }
        }
    }
    /* Sums below 2^53 units are exact in doubles too: the floating-point
     * order is the exact one, and no margin is needed. */
    lz->exact_doubles = widest + carry <= 53;
    lz->unit_exp = smallest == INT32_MAX ? 0 : smallest;
    *largest = top_weight;
    return 1;
}

double
lemica_kbest_sum_margin(const struct lemica_problem *problem,
                        const lemica_solver *solver)
{
    const double *incoming = solver->work.incoming.data;
    const size_t slots = (size_t)problem->num_steps * (size_t)problem->max_skip;
    double largest = 0.0;

    for (size_t i = 0; i < slots; i++)
        if (incoming[i] != HUGE_VAL && incoming[i] > largest)
            largest = incoming[i];
    return margin_of(largest, problem->num_steps);
}

lemica_status
lemica_solver_kbest_lazy(lemica_solver *solver,
                         const struct lemica_problem *problem, int budget,
                         int count, int frontier, lemica_schedule_list **out,
                         int *fallback)
{
    const int n = problem->num_steps;
    struct lazy lz;
    lemica_status status;

    *fallback = 0;
    memset(&lz, 0, sizeof(lz));
    lz.solver = solver;
    lz.problem = problem;
    lz.sum = solver->comparator == LEMICA_COMPARATOR_SUM;
    lz.wanted = (size_t)count;
    /* SUM may look past the k-th path at the final states (near-ties):
     * room for k more. */
    lz.count = (size_t)count * (lz.sum ? 2 : 1);
    lz.layers = budget;
    lz.incoming = solver->work.incoming.data;
#ifdef LAZY_HAVE_AVX
    /* libgcc's CPU model: one load. */
    lz.avx = __builtin_cpu_supports("avx");
#endif
    lz.skip = (size_t)problem->max_skip;
    status = lazy_alloc(&lz);
    if (status == LEMICA_OK && lz.sum) {
        double largest;

        if (!fixed_weights(&lz, solver->work.kbest_fixed.data, &largest)) {
            *fallback = 1;
            return LEMICA_OK;
        }
        lz.fixed = solver->work.kbest_fixed.data;
        lz.margin = lz.exact_doubles ? 0.0 : margin_of(largest, n);
    }
    if (status == LEMICA_OK)
        status = first_paths(&lz, budget, frontier);
    for (int c = frontier ? 2 : budget; status == LEMICA_OK && c <= budget;
         c++) {
        const size_t state = (size_t)c * (size_t)n + (size_t)n - 1;

        while (status == LEMICA_OK && lz.known[state] > 0 &&
               lz.known[state] < lz.wanted &&
               !(lz.flags[state] & LAZY_EXHAUSTED))
            status = next_path(&lz, state);
        if (status == LEMICA_OK && lz.sum && lz.margin > 0.0 &&
            lz.known[state] > 0) {
            status = select_sum(&lz, state, c, fallback);
            if (*fallback)
                return LEMICA_OK;
        } else if (status == LEMICA_OK) {
            memcpy(lz.order + (size_t)c * lz.count, lz.list + state * lz.count,
                   lz.known[state] * sizeof(uint32_t));
            lz.listed[c] = lz.known[state];
        }
    }
    if (status == LEMICA_OK)
        status = lazy_collect(&lz, out);
    return status;
}
