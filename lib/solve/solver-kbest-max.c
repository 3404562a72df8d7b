/* SPDX-License-Identifier: MIT */
/* The k best schedules under MAX: a backward depth-first search over the
 * DP states (step, calls), by levels of the largest weight (the order is
 * in lemica-kbest.h).
 *
 * MAX keeps order only weakly: extended by a weight w, every path whose
 * maximum is at most w ties, and the step lists decide among them, so the
 * paths of a state have no order that all their extensions keep, and the
 * lazy enumeration of solver-kbest-lazy.c does not apply. Instead each
 * final state (N - 1, B) is searched backwards. A suffix of schedules,
 * from (N - 1, B) back to a state (t, c), has its largest weight theta;
 * with F(t, c), the smallest maximum of a path from the start to (t, c)
 * (a one-best DP, +inf if unreached), b = max(theta, F(t, c)) is the
 * smallest maximum of a schedule ending in that suffix, and some schedule
 * has it. Along a schedule, read from its end, b only grows, up to the
 * schedule's maximum at step 0 (F(0, 1) = -inf).
 *
 * Levels. The first level L_1 is F(N - 1, B), the optimum. At level L a
 * walk enters the suffixes with b <= L, from (N - 1, B), children by
 * ascending step, and lists the schedules it reaches whose maximum is L.
 * - Every entered suffix completes (its b <= L is some schedule's
 *   maximum), so the walk meets no dead end: it costs the steps of the
 *   schedules with maximum <= L that it passes, plus the predecessors it
 *   scans.
 * - A schedule with maximum L has b <= L along all of it, so the walk
 *   reaches it; depth first, children by ascending step, it meets the
 *   schedules in the order of their step lists read backwards, which is
 *   the order among equal maxima. Each is met once.
 * - If the walk ends with fewer than k schedules listed in all, it has
 *   entered every suffix with b <= L and scanned all their predecessors;
 *   the next level L' is the smallest b > L among those predecessors. No
 *   schedule has its maximum in (L, L'): one with maximum M > L has a
 *   first suffix with b > L; its parent (b <= L) was entered, so that b
 *   was scanned, and L' <= b <= M. And L' is some schedule's maximum.
 * So the levels are exactly the distinct maxima in ascending order, each
 * lists its schedules in order, and no schedule is skipped or listed
 * twice. A later level walks the earlier ones' suffixes again (those
 * with b <= L'), at most the steps of the fewer than k schedules listed
 * before, less what it can skip (below); keeping them instead costs more
 * (the search before this one kept every node and sorted the waiting
 * ones by step list).
 *
 * A walk scans a state's predecessors lazily: it stops at the first one
 * it can enter and goes on from there when it comes back; a walk that
 * lists its k-th schedule stops, leaving the rest unscanned. The steps
 * of the schedules found go straight from the walk's stack into an
 * array, k rows per budget.
 *
 * What a walk learns of a state. When the walk at level L leaves a state
 * (t, c) it has met all its prefixes with maximum at most L (those are
 * the same whatever the suffix: entering a predecessor s needs
 * max(w, F(s, c - 1)) <= L only). It keeps how many (0, 1 or 2 for
 * more), the predecessor of the one if there is one, and A, the smallest
 * maximum above L of any prefix: the smallest such max(w, F) among the
 * predecessors it scanned, or A of a predecessor it entered (its prefixes
 * above L through that one, as w <= L). As no prefix has its maximum in
 * (L, A), for every level from L up to below A the state's prefixes up
 * to that level are the same ones: later walks of the budget (their
 * levels only grow) use what it kept while their level is below A.
 * - A state with one prefix (every step up to t computed, or steps 0 and
 *   t, or one kept) lists its schedule at once, down the kept
 *   predecessors, without being walked. The state below a kept one is
 *   kept too, with an A at least as large, so it holds as long.
 * - A state kept by an earlier walk at L' < L has its prefixes at most
 *   L' < L; reached by a suffix whose largest weight is below L, it
 *   gives no schedule at this level and is skipped, its count and A
 *   taken as kept.
 * Each state passes its count and A up to the state that entered it, and
 * the end state's A is the next level: the smallest b > L scanned, as
 * above, since a skipped or kept state's A is the smallest b > L of the
 * suffixes through it. A state with more than one prefix is walked
 * again by every suffix that enters it. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#define MAX_HAVE_SSE2 1
#endif
/* Four at a time with AVX, chosen at run time (as solver-dp.c does). */
#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__) &&        \
    defined(MAX_HAVE_SSE2)
#include <immintrin.h>
#define MAX_HAVE_AVX 1
#endif

/* The walk and the one-best DP are written once, inlined into a plain
 * copy and (with AVX) a copy compiled for AVX, which alone calls the
 * four-wide scans. */
#if defined(__GNUC__)
#define MAX_ALWAYS_INLINE __attribute__((always_inline)) inline
#else
#define MAX_ALWAYS_INLINE inline
#endif

#include "../common/error-int.h"
#include "kbest-lazy-int.h"
#include "kbest-max-int.h"
#include "schedule-list-int.h"

/* A state on the walk's stack: its step, the next predecessor to look at,
 * and the largest weight of the suffix from it to the end (-inf at the
 * end itself). Its number of calls follows from its depth. */
struct max_frame {
    int32_t step;
    int32_t next;
    double theta;
    uint32_t count; /* prefixes of the state met so far (up to 2) */
    int32_t first;  /* the predecessor of the first */
    double above;   /* the smallest maximum above the level of a prefix
                     * of the state, as far as scanned */
    const double *row; /* the weights into step: row[s] for s < step */
};

/* A state whose prefixes with maximum at most the level L a walk has met
 * all. Until a level reaches @above they are all its prefixes with
 * maximum at most that level. */
struct max_seen {
    uint32_t walk;  /* that walk */
    uint32_t count; /* how many (up to 2) */
    int32_t single; /* the predecessor of the one if one, else -1 */
    double above;   /* the smallest maximum above L of a prefix */
};

struct max_search {
    lemica_solver *solver;
    const struct lemica_problem *problem;
    size_t wanted;            /* k */
    int layers;               /* B, or N for the frontier */
    int first_budget;         /* 2 for the frontier, else B */
    double *bound;            /* per state c * N + t: F(t, c) */
    const int *first_pred;    /* per step: smallest usable predecessor */
    uint32_t *listed;         /* per budget: schedules found */
    int *steps;               /* k rows of c steps per budget c */
    struct max_frame *frames; /* the walk's stack, B + 1 */
    const double **rows;      /* per step t: the weights into t */
    int *path;                /* its steps: of depth d at B - 1 - d */
    struct max_seen *seen;    /* per state c * N + t */
    uint32_t walk;            /* walks so far */
};

/* Where the rows of budget @c start in ms->steps. */
static size_t
max_steps_at(const struct max_search *ms, int c)
{
    const size_t before = (size_t)c * (size_t)(c - 1) / 2;
    const size_t first =
        (size_t)ms->first_budget * (size_t)(ms->first_budget - 1) / 2;

    return ms->wanted * (before - first);
}

/* @count copies of @value from @to; four a round (two stores where SSE2
 * is). */
static void
max_fill(double *to, size_t count, double value)
{
    size_t i = 0;

#ifdef MAX_HAVE_SSE2
    const __m128d pair = _mm_set1_pd(value);

    for (; i + 4 <= count; i += 4) {
        _mm_storeu_pd(to + i, pair);
        _mm_storeu_pd(to + i + 2, pair);
    }
#endif
    for (; i < count; i++)
        to[i] = value;
}

/* Point at the workspace's buffers, grown as needed. */
static lemica_status
max_alloc(struct max_search *ms)
{
    struct lemica_workspace *work = &ms->solver->work;
    const size_t n = (size_t)ms->problem->num_steps;
    const size_t layers = (size_t)ms->layers + 1;
    const size_t states = layers * n;
    const size_t had = work->kbest_pending.capacity;
    int ok = 1;

    ok = ok &&
         lemica_solver_reserve(&work->kbest_best_max, states, sizeof(double));
    ok = ok &&
         lemica_solver_reserve(&work->kbest_listed, layers, sizeof(uint32_t));
    /* The frames, each step's row of weights (n pointers), then the
     * stack's steps (layers ints). */
    ok = ok && lemica_solver_reserve(&work->kbest_nodes, layers + n,
                                     sizeof(struct max_frame) + sizeof(int));
    ok = ok && lemica_solver_reserve(&work->kbest_pending, states,
                                     sizeof(struct max_seen));
    /* The walks are numbered on from the solver's last search, so every
     * stamp kept is below this search's walks and none needs clearing
     * (60 KB at N = 50), only new room: cleared here at once, since a
     * reserve below may still fail, and the next search takes all room
     * it finds as cleared. */
    if (ok && states > had)
        memset((struct max_seen *)work->kbest_pending.data + had, 0,
               (states - had) * sizeof(struct max_seen));
    ok = ok &&
         lemica_solver_reserve(&work->kbest_dfs,
                               max_steps_at(ms, ms->layers + 1), sizeof(int));
    if (!ok)
        return lemica_fail_no_memory("the k-best search");
    ms->bound = work->kbest_best_max.data;
    ms->listed = work->kbest_listed.data;
    ms->frames = work->kbest_nodes.data;
    ms->rows = (const double **)(ms->frames + layers);
    ms->path = (int *)(ms->rows + n);
    for (size_t t = 0; t < n; t++)
        ms->rows[t] =
            lemica_kbest_incoming_row(ms->solver, ms->problem, (int)t);
    ms->seen = work->kbest_pending.data;
    /* All of it where the walk numbers could wrap in this search (at most
     * k walks a budget). */
    if ((uint64_t)work->kbest_walks + (uint64_t)layers * ms->wanted >=
        UINT32_MAX) {
        memset(ms->seen, 0,
               work->kbest_pending.capacity * sizeof(struct max_seen));
        work->kbest_walks = 0;
    }
    ms->walk = work->kbest_walks;
    ms->steps = work->kbest_dfs.data;
    ms->first_pred = ms->solver->work.first_pred.data;
    memset(ms->listed, 0, layers * sizeof(uint32_t));
    max_fill(ms->bound, states, HUGE_VAL);
    return LEMICA_OK;
}

/* The first predecessor of (@t, @c) that may be reached: s from there to
 * t - 1. Step 0 leads only into layer 1; the walk needs no test for
 * that, since the one-best DP (max_bounds_with()) leaves the bound of
 * every state of layer 1 but step 0 at +inf. */
static int
max_first_pred(const struct max_search *ms, int t, int c)
{
    return ms->first_pred[t] > c - 2 ? ms->first_pred[t] : c - 2;
}

/* One past the last predecessor of (@t, @c): into layer 1 only step 0,
 * the rest of that row is unreached. */
static int
max_end(int t, int c)
{
    return c == 2 ? 1 : t;
}

/* The first s in @s .. @end - 1 with g = max(@row[s], @bound[s]) at most
 * @level, or @end; the smallest g of those before it into *@above (they
 * are all above the level). Two at a time where SSE2 is (every x86-64):
 * no NaN reaches here (an unusable edge or an unreached state is +inf). */
static inline int
max_scan(const double *row, const double *bound, int s, int end, double level,
         double *above)
{
    double smallest = *above;

#ifdef MAX_HAVE_SSE2
    if (s + 2 <= end) {
        const __m128d top = _mm_set1_pd(level);
        __m128d low = _mm_set1_pd(smallest);
        int mask = 0;

        for (; s + 2 <= end; s += 2) {
            const __m128d g =
                _mm_max_pd(_mm_loadu_pd(row + s), _mm_loadu_pd(bound + s));

            mask = _mm_movemask_pd(_mm_cmple_pd(g, top));
            if (mask != 0) {
                /* Only the second at most the level: the first is above. */
                if (!(mask & 1)) {
                    low = _mm_min_sd(low, g);
                    s++;
                }
                break;
            }
            low = _mm_min_pd(low, g);
        }
        low = _mm_min_sd(low, _mm_unpackhi_pd(low, low));
        smallest = _mm_cvtsd_f64(low);
        if (mask != 0) {
            *above = smallest;
            return s;
        }
    }
#endif
    for (; s < end; s++) {
        const double g = row[s] > bound[s] ? row[s] : bound[s];

        if (g <= level)
            break;
        smallest = g < smallest ? g : smallest;
    }
    *above = smallest;
    return s;
}

/* The smallest max(@row[s], @prev[s]) for s in @s .. @end - 1 (+inf if
 * none); two at a time where SSE2 is. */
static inline double
max_min(const double *row, const double *prev, int s, int end)
{
    double best = HUGE_VAL;

#ifdef MAX_HAVE_SSE2
    if (s + 2 <= end) {
        __m128d low = _mm_set1_pd(HUGE_VAL);

        for (; s + 2 <= end; s += 2)
            low = _mm_min_pd(
                low, _mm_max_pd(_mm_loadu_pd(row + s), _mm_loadu_pd(prev + s)));
        low = _mm_min_sd(low, _mm_unpackhi_pd(low, low));
        best = _mm_cvtsd_f64(low);
    }
#endif
    for (; s < end; s++) {
        const double m = prev[s] > row[s] ? prev[s] : row[s];

        best = m < best ? m : best;
    }
    return best;
}

#ifdef MAX_HAVE_AVX
/* max_scan() four at a time, the rest (under four) one at a time. A
 * first four with one at most the level (the common case: the scan
 * stops at the first predecessor it can enter) costs no reduction. */
__attribute__((target("avx"))) static inline int
max_scan_avx(const double *row, const double *bound, int s, int end,
             double level, double *above)
{
    double smallest = *above;
    int stop = end;

    if (s + 4 <= end) {
        const __m256d top = _mm256_set1_pd(level);
        __m256d g = _mm256_max_pd(_mm256_loadu_pd(row + s),
                                  _mm256_loadu_pd(bound + s));
        int mask = _mm256_movemask_pd(_mm256_cmp_pd(g, top, _CMP_LE_OQ));

        if (mask == 0) {
            __m256d low = g;
            __m128d half;

            for (s += 4; s + 4 <= end; s += 4) {
                g = _mm256_max_pd(_mm256_loadu_pd(row + s),
                                  _mm256_loadu_pd(bound + s));
                mask =
                    _mm256_movemask_pd(_mm256_cmp_pd(g, top, _CMP_LE_OQ));
                if (mask != 0)
                    break;
                low = _mm256_min_pd(low, g);
            }
            half = _mm_min_pd(_mm256_castpd256_pd128(low),
                              _mm256_extractf128_pd(low, 1));
            half = _mm_min_sd(half, _mm_unpackhi_pd(half, half));
            if (_mm_cvtsd_f64(half) < smallest)
                smallest = _mm_cvtsd_f64(half);
        }
        if (mask != 0) {
            /* The lanes before the first at most the level are above. */
            stop = s + __builtin_ctz((unsigned)mask);
            for (; s < stop; s++) {
                const double v = row[s] > bound[s] ? row[s] : bound[s];

                smallest = v < smallest ? v : smallest;
            }
            *above = smallest;
            return s;
        }
    }
    /* Under four left: a pair, then one. */
    if (s + 2 <= stop) {
        const __m128d g = _mm_max_pd(_mm_loadu_pd(row + s),
                                     _mm_loadu_pd(bound + s));
        const int pair =
            _mm_movemask_pd(_mm_cmple_pd(g, _mm_set1_pd(level)));
        const double one = _mm_cvtsd_f64(g);
        const double two = _mm_cvtsd_f64(_mm_unpackhi_pd(g, g));

        if (pair != 0) {
            /* The first above when only the second is at most it. */
            if (pair == 2) {
                smallest = one < smallest ? one : smallest;
                s++;
            }
            *above = smallest;
            return s;
        }
        smallest = one < smallest ? one : smallest;
        smallest = two < smallest ? two : smallest;
        s += 2;
    }
    if (s < stop) {
        const double g = row[s] > bound[s] ? row[s] : bound[s];

        if (g > level) {
            smallest = g < smallest ? g : smallest;
            s++;
        }
    }
    *above = smallest;
    return s;
}

/* max_min() four at a time, the rest (under four) as a pair and one. */
__attribute__((target("avx"))) static inline double
max_min_avx(const double *row, const double *prev, int s, int end)
{
    __m256d low = _mm256_set1_pd(HUGE_VAL);
    __m128d half;
    double best;

    for (; s + 4 <= end; s += 4)
        low = _mm256_min_pd(low, _mm256_max_pd(_mm256_loadu_pd(row + s),
                                               _mm256_loadu_pd(prev + s)));
    half = _mm_min_pd(_mm256_castpd256_pd128(low),
                      _mm256_extractf128_pd(low, 1));
    /* Under four left: a pair, then one. */
    if (s + 2 <= end) {
        half = _mm_min_pd(half, _mm_max_pd(_mm_loadu_pd(row + s),
                                           _mm_loadu_pd(prev + s)));
        s += 2;
    }
    half = _mm_min_sd(half, _mm_unpackhi_pd(half, half));
    best = _mm_cvtsd_f64(half);
    if (s < end) {
        const double m = prev[s] > row[s] ? prev[s] : row[s];

        best = m < best ? m : best;
    }
    return best;
}
#define MAX_SCAN(wide, ...)                                                    \
    ((wide) ? max_scan_avx(__VA_ARGS__) : max_scan(__VA_ARGS__))
#define MAX_MIN(wide, ...)                                                     \
    ((wide) ? max_min_avx(__VA_ARGS__) : max_min(__VA_ARGS__))
#else
#define MAX_SCAN(wide, ...) max_scan(__VA_ARGS__)
#define MAX_MIN(wide, ...) max_min(__VA_ARGS__)
#endif

/* The one-best DP of MAX: F(t, c) into bound (+inf if unreached); @wide
 * (a constant where inlined) picks the AVX scans. */
static MAX_ALWAYS_INLINE void
max_bounds_with(struct max_search *ms, int frontier, int wide)
{
    const int n = ms->problem->num_steps, budget = ms->layers;
    const double *const *const rows = ms->rows;

    ms->bound[n] = -HUGE_VAL;
    for (int c = 2; c <= budget; c++) {
        const double *prev = ms->bound + (size_t)(c - 1) * (size_t)n;
        double *cur = ms->bound + (size_t)c * (size_t)n;
        int t_min, t_max;

        lemica_kbest_state_range(ms->problem, budget, frontier, c, &t_min,
                                 &t_max);
        for (int t = t_min; t <= t_max; t++) {
            cur[t] = MAX_MIN(wide, rows[t], prev, max_first_pred(ms, t, c),
                             max_end(t, c));
        }
    }
}

/* The k best schedules of budget @c, level by level; @wide as for
 * max_bounds_with(). */
static MAX_ALWAYS_INLINE void
max_search_budget_with(struct max_search *ms, int c, int wide)
{
    const int n = ms->problem->num_steps;
    const int *first_pred = ms->first_pred;
    const double *const *const rows = ms->rows;
    const size_t wanted = ms->wanted;
    struct max_frame *frames = ms->frames;
    /* The steps on the stack where they go in a schedule of budget c:
     * the frame at depth d is step c - 1 - d. */
    int *const path = ms->path;
    int *out = ms->steps + max_steps_at(ms, c);
    double level = ms->bound[(size_t)c * (size_t)n + (size_t)n - 1];
    /* The walks of this budget: levels only grow from one to the next. */
    const uint32_t first_walk = ms->walk + 1;
    /* In locals: the stores of the walk (stamps among them) could alias
     * the search's fields. */
    const double *const bounds = ms->bound;
    struct max_seen *const seen_all = ms->seen;
    uint32_t walk = ms->walk;
    uint32_t found = 0;

    if (level != HUGE_VAL && (c == 2 || c == n)) {
        /* One schedule: steps 0 and N - 1, or every step. */
        for (int i = 0; i < c; i++)
            out[i] = c == 2 ? i * (n - 1) : i;
        level = HUGE_VAL;
        found = 1;
    }
    while (level != HUGE_VAL) {
        struct max_frame *frame = frames;
        /* The layer below the top's, its bounds and its stamps. */
        int below = c - 1;
        const double *bound = bounds + (size_t)below * (size_t)n;
        struct max_seen *seen_below = seen_all + (size_t)below * (size_t)n;

        frames[0].step = n - 1;
        frames[0].next = first_pred[n - 1] > c - 2 ? first_pred[n - 1] : c - 2;
        frames[0].theta = -HUGE_VAL;
        frames[0].count = 0;
        frames[0].above = HUGE_VAL;
        frames[0].row = rows[n - 1];
        path[c - 1] = n - 1;
        walk++;
        for (;;) {
            /* The state (t, below + 1) and its predecessors (s, below);
             * the weights into t are row[s] for s from first_pred[t]. */
            const int t = frame->step;
            const double theta = frame->theta;
            const double *row = frame->row;
            const struct max_seen *seen;
            double w, most;
            int s, u, l, known;

            /* Entered states have theta <= level, so max(theta, g) is at
             * most the level exactly when g is, and above it is g. */
            s = MAX_SCAN(wide, row, bound, frame->next, t, level,
                         &frame->above);
            if (s == t) {
                /* Every prefix of (t, below + 1) up to the level met. */
                struct max_seen *done = seen_below + n + t;

                done->walk = walk;
                done->count = frame->count;
                /* -1 unless one (all bits set by the or). */
                done->single =
                    frame->first | -(int32_t)(frame->count != 1);
                done->above = frame->above;
                if (frame == frames)
                    break;
                {
                    const uint32_t sum = frame[-1].count + frame->count;
                    const double up = frame[-1].above;

                    frame[-1].count = sum < 2 ? sum : 2;
                    frame[-1].above = frame->above < up ? frame->above : up;
                }
                frame--;
                below++;
                bound += n;
                seen_below += n;
                continue;
            }
            frame->next = s + 1;
            frame->first = frame->count == 0 ? s : frame->first;
            w = row[s];
            seen = seen_below + s;
            known = (seen->walk >= first_walk) & (seen->above > level);
            if (known && seen->walk != walk &&
                (theta > w ? theta : w) < level) {
                /* Met by an earlier walk of this budget, its prefixes up
                 * to the level are those up to that walk's, all below
                 * the level (and theta): none is a schedule now. */
                frame->count += seen->count;
                if (frame->count > 2)
                    frame->count = 2;
                if (seen->above < frame->above)
                    frame->above = seen->above;
                continue;
            }
            if (below != s + 1 && below != 2 && !(known && seen->single >= 0)) {
                frame[1].step = s;
                frame[1].next =
                    first_pred[s] > below - 2 ? first_pred[s] : below - 2;
                frame[1].theta = theta > w ? theta : w;
                frame[1].count = 0;
                frame[1].above = HUGE_VAL;
                frame[1].row = rows[s];
                path[below - 1] = s;
                frame++;
                below--;
                bound -= n;
                seen_below -= n;
                continue;
            }
            /* (s, below) has one prefix up to the level, with maximum
             * F(s, below): a schedule, listed if its maximum is the
             * level. */
            frame->count += frame->count < 2;
            if (known && seen->above < frame->above)
                frame->above = seen->above;
            most = w > bound[s] ? w : bound[s];
            if ((theta > most ? theta : most) != level)
                continue;
            /* Down the single predecessors to a state whose one prefix
             * is every step up to u, or 0 and u. */
            {
                const struct max_seen *layer_seen = seen_below;

                for (u = s, l = below; l != u + 1 && l != 2;
                     l--, layer_seen -= n) {
                    out[l - 1] = u;
                    u = layer_seen[u].single;
                }
            }
            if (l == u + 1)
                for (int i = 0; i <= u; i++)
                    out[i] = i;
            else {
                out[0] = 0;
                out[1] = u;
            }
            /* The suffix on the stack: steps below .. c - 1. */
            memcpy(out + below, path + below,
                   (size_t)(c - below) * sizeof(int));
            out += c;
            if (++found == wanted)
                goto done;
        }
        /* The smallest maximum above the level of any schedule. */
        level = frames[0].above;
    }
done:
    ms->walk = walk;
    ms->listed[c] = found;
}

/* The bounds and every budget's search, the plain copy. */
static void
max_run(struct max_search *ms, int frontier)
{
    max_bounds_with(ms, frontier, 0);
    for (int c = ms->first_budget; c <= ms->layers; c++)
        max_search_budget_with(ms, c, 0);
}

#ifdef MAX_HAVE_AVX
/* The same, compiled for AVX with its scans. */
__attribute__((target("avx"))) static void
max_run_avx(struct max_search *ms, int frontier)
{
    max_bounds_with(ms, frontier, 1);
    for (int c = ms->first_budget; c <= ms->layers; c++)
        max_search_budget_with(ms, c, 1);
}
#endif

/* The rows of budget @budget (a lemica_schedule_list_rows). */
static const int *
max_rows(const void *context, int budget)
{
    const struct max_search *ms = context;

    return ms->steps + max_steps_at(ms, budget);
}

lemica_status
lemica_solver_kbest_max(lemica_solver *solver,
                        const struct lemica_problem *problem, int budget,
                        int count, int frontier, lemica_schedule_list **out)
{
    struct max_search ms;
    lemica_status status;

    memset(&ms, 0, sizeof(ms));
    ms.solver = solver;
    ms.problem = problem;
    ms.wanted = (size_t)count;
    ms.layers = budget;
    ms.first_budget = frontier ? 2 : budget;
    status = max_alloc(&ms);
    if (status != LEMICA_OK)
        return status;
#ifdef MAX_HAVE_AVX
    /* libgcc fills the CPU model in a constructor: one load. */
    if (__builtin_cpu_supports("avx"))
        max_run_avx(&ms, frontier);
    else
#endif
        max_run(&ms, frontier);
    solver->work.kbest_walks = ms.walk;
    return lemica_schedule_list_build_rows(ms.listed, budget, problem->graph,
                                           max_rows, &ms,
                                           &solver->work.kbest_ranks, out);
}
