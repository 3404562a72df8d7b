/* SPDX-License-Identifier: MIT */
/* Adaptive profiling: solve on lower bounds for what is not measured, ask
 * for the unmeasured segments of the resulting paths, stop when they are
 * all measured (the proof is in lemica-adaptive.h). Reads the profiler and
 * drives the solver through their public APIs only. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "../common/alloc-int.h"
#include "../common/error-int.h"
#include "lemica/lemica-adaptive.h"

/* The span-2 segments of the first round, evenly spread: they seed the
 * guesses (lemica-adaptive.h, "Which segments a round asks for"). */
#define SEED_SEGMENTS 12

/* SAME_START caps: guessed this much above the threshold (collect_cap()). */
#define CAP_MARGIN 1.2

/* SAME_START caps from this round on: after the seeds and one round of
 * guessed paths, whose measurements calibrate the guesses row by row. */
#define CAP_FIRST_ROUND 2

/* SUM (collect_inner()): a segment guessed above INNER_LOOSE times its
 * bound is replaced by a segment inside it guessed at least
 * INNER_FRACTION of it. */
#define INNER_LOOSE 3.0
#define INNER_FRACTION 0.7

/* No measured segment below: weights are >= 0. */
#define NONE_BELOW (-1.0)

struct violation_scan {
    size_t count;
    double excess;
    int outer_from, outer_to, inner_from, inner_to;
};

/* Per-slot tables use the graph's layout: segment (i, j) is slot
 * i * max_skip + j - i - 1. Scratch tables are rewritten by every call;
 * the loop's state is everything else, and lemica_adaptive_next()
 * changes it only once nothing can fail any more. */
struct lemica_adaptive {
    int num_steps;
    int max_skip;
    lemica_assumption assumption;
    lemica_aggregate aggregate;
    double z;
    size_t min_batch;
    uint64_t num_samples;
    int all_budgets;
    unsigned char *requested; /* N + 1 flags */
    lemica_solver *own_solver;
    lemica_solver *solver;

    /* State. */
    int started;
    uint64_t *seen;         /* sample counts at the last round */
    unsigned char *asked;   /* some plan asked for the segment */
    lemica_graph *final;    /* the bound graph of the round that ended */
    int done;
    size_t rounds;
    size_t measured;
    uint64_t replay_calls;
    uint64_t reference_samples;
    struct violation_scan violations;
    size_t stable;
    uint64_t stable_samples;
    double stable_tolerance;
    /* The final paths of the last end, and of the current round: records
     * of [budget, count, steps...]. */
    int *paths;
    size_t paths_length, paths_capacity;
    int *current;
    size_t current_length, current_capacity;

    /* Scratch. */
    uint64_t *counts;
    double *own;            /* exact weight or own lower bound */
    double *bound;          /* assumption DP */
    int *source;            /* violation DP: slot of the largest below */
    double *below;          /* violation DP: largest measured below; then
                               the exact weights (NONE_BELOW: unmeasured) */
    double *guess;          /* batch choice: a guess of every weight */
    double *spec_bound;     /* batch choice: bounds if guesses came true */
    double *drift;          /* batch choice: 4 (N + 1) drift model terms */
    double *tops;           /* batch choice: per budget (N + 1), the largest
                               weight of its path on the guessed graph */
    unsigned char *in_batch;
    size_t *batch;          /* slots of the batch */
    int *steps;             /* N */
};

static size_t
slot_of(const lemica_adaptive *adaptive, int from, int to)
{
    return (size_t)from * (size_t)adaptive->max_skip + (size_t)(to - from - 1);
}

static size_t
num_slots(const lemica_adaptive *adaptive)
{
    return (size_t)adaptive->num_steps * (size_t)adaptive->max_skip;
}

static int
last_end(int num_steps, int max_skip, int from)
{
    int end = from + max_skip;

    return end < num_steps - 1 ? end : num_steps - 1;
}

void
lemica_adaptive_free(lemica_adaptive *adaptive)
{
    if (!adaptive)
        return;
    lemica_solver_free(adaptive->own_solver);
    lemica_graph_free(adaptive->final);
    lemica_dealloc(adaptive->requested);
    lemica_dealloc(adaptive->seen);
    lemica_dealloc(adaptive->asked);
    lemica_dealloc(adaptive->counts);
    lemica_dealloc(adaptive->own);
    lemica_dealloc(adaptive->bound);
    lemica_dealloc(adaptive->source);
    lemica_dealloc(adaptive->below);
    lemica_dealloc(adaptive->guess);
    lemica_dealloc(adaptive->spec_bound);
    lemica_dealloc(adaptive->drift);
    lemica_dealloc(adaptive->tops);
    lemica_dealloc(adaptive->in_batch);
    lemica_dealloc(adaptive->batch);
    lemica_dealloc(adaptive->steps);
    lemica_dealloc(adaptive->paths);
    lemica_dealloc(adaptive->current);
    lemica_dealloc(adaptive);
}

lemica_status
lemica_adaptive_new(int num_steps, int max_skip, lemica_assumption assumption,
                    lemica_adaptive **out)
{
    lemica_adaptive *adaptive;
    lemica_status status;
    size_t slots;

    if (!out)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "out is NULL");
    *out = NULL;
    if (num_steps < 2 || max_skip < 1)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT,
                           "adaptive profiling needs N >= 2 and K >= 1 "
                           "(got N = %d, K = %d)",
                           num_steps, max_skip);
    if (num_steps > LEMICA_MAX_STEPS)
        return lemica_fail(LEMICA_ERR_TOO_LARGE,
                           "N = %d is above the maximum of %d steps",
                           num_steps, LEMICA_MAX_STEPS);
    if (assumption != LEMICA_ASSUMPTION_NONE &&
        assumption != LEMICA_ASSUMPTION_SAME_START &&
        assumption != LEMICA_ASSUMPTION_NESTED)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "unknown assumption %d",
                           (int)assumption);
    if (max_skip > num_steps - 1)
        max_skip = num_steps - 1;
    slots = (size_t)num_steps * (size_t)max_skip;
    if (slots > LEMICA_MAX_PROFILER_SLOTS)
        return lemica_fail(LEMICA_ERR_TOO_LARGE,
                           "N * K = %zu is above the maximum of %d",
                           slots, LEMICA_MAX_PROFILER_SLOTS);

    adaptive = lemica_alloc_zeroed(1, sizeof(*adaptive));
    if (!adaptive)
        return lemica_fail_no_memory("an adaptive loop");
    adaptive->num_steps = num_steps;
    adaptive->max_skip = max_skip;
    adaptive->assumption = assumption;
    adaptive->aggregate = LEMICA_AGGREGATE_MEAN;
    adaptive->min_batch = 1;
    adaptive->num_samples = 1;
    adaptive->requested = lemica_alloc_zeroed((size_t)num_steps + 1, 1);
    adaptive->seen = lemica_alloc_zeroed(slots, sizeof(uint64_t));
    adaptive->asked = lemica_alloc_zeroed(slots, 1);
    adaptive->counts = lemica_alloc_array(slots, sizeof(uint64_t));
    adaptive->own = lemica_alloc_array(slots, sizeof(double));
    adaptive->bound = lemica_alloc_array(slots, sizeof(double));
    adaptive->source = lemica_alloc_array(slots, sizeof(int));
    adaptive->below = lemica_alloc_array(slots, sizeof(double));
    adaptive->guess = lemica_alloc_array(slots, sizeof(double));
    adaptive->spec_bound = lemica_alloc_array(slots, sizeof(double));
    adaptive->drift =
        lemica_alloc_array(4 * ((size_t)num_steps + 1), sizeof(double));
    adaptive->tops = lemica_alloc_array((size_t)num_steps + 1, sizeof(double));
    adaptive->in_batch = lemica_alloc_zeroed(slots, 1);
    adaptive->batch = lemica_alloc_array(slots, sizeof(size_t));
    adaptive->steps = lemica_alloc_array((size_t)num_steps, sizeof(int));
    if (!adaptive->requested || !adaptive->seen || !adaptive->asked ||
        !adaptive->counts || !adaptive->own || !adaptive->bound ||
        !adaptive->source || !adaptive->below || !adaptive->guess ||
        !adaptive->spec_bound || !adaptive->drift || !adaptive->tops ||
        !adaptive->in_batch ||
        !adaptive->batch || !adaptive->steps) {
        lemica_adaptive_free(adaptive);
        return lemica_fail_no_memory("an adaptive loop");
    }
    /* No path's largest weight yet: no row caps (collect_cap()) until a
     * round of LEXMAX or MAX sets them. */
    for (int budget = 0; budget <= num_steps; budget++)
        adaptive->tops[budget] = HUGE_VAL;
    status = lemica_solver_new(&adaptive->own_solver);
    if (status != LEMICA_OK) {
        lemica_adaptive_free(adaptive);
        return status;
    }
    adaptive->solver = adaptive->own_solver;
    *out = adaptive;
    return LEMICA_OK;
}

/* Any change of the question reopens the loop. */
static void
reopen(lemica_adaptive *adaptive)
{
    adaptive->done = 0;
    lemica_graph_free(adaptive->final);
    adaptive->final = NULL;
}

lemica_status
lemica_adaptive_request_budget(lemica_adaptive *adaptive, int budget)
{
    if (!adaptive)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "adaptive is NULL");
    if (budget < 2 || budget > adaptive->num_steps)
        return lemica_fail(LEMICA_ERR_OUT_OF_RANGE,
                           "budget %d is outside 2 .. %d", budget,
                           adaptive->num_steps);
    if (!adaptive->requested[budget] && !adaptive->all_budgets)
        reopen(adaptive);
    adaptive->requested[budget] = 1;
    return LEMICA_OK;
}

lemica_status
lemica_adaptive_request_all_budgets(lemica_adaptive *adaptive)
{
    if (!adaptive)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "adaptive is NULL");
    if (!adaptive->all_budgets)
        reopen(adaptive);
    adaptive->all_budgets = 1;
    return LEMICA_OK;
}

void
lemica_adaptive_clear_budgets(lemica_adaptive *adaptive)
{
    if (!adaptive)
        return;
    reopen(adaptive);
    adaptive->all_budgets = 0;
    memset(adaptive->requested, 0, (size_t)adaptive->num_steps + 1);
}

int
lemica_adaptive_is_budget_requested(const lemica_adaptive *adaptive, int budget)
{
    if (!adaptive || budget < 2 || budget > adaptive->num_steps)
        return 0;
    return adaptive->all_budgets || adaptive->requested[budget];
}

lemica_status
lemica_adaptive_set_comparator(lemica_adaptive *adaptive,
                               lemica_comparator comparator)
{
    lemica_status status;

    if (!adaptive)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "adaptive is NULL");
    status = lemica_solver_set_comparator(adaptive->own_solver, comparator);
    if (status != LEMICA_OK)
        return status;
    adaptive->solver = adaptive->own_solver;
    reopen(adaptive);
    return LEMICA_OK;
}

lemica_status
lemica_adaptive_use_solver(lemica_adaptive *adaptive, lemica_solver *solver)
{
    if (!adaptive)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "adaptive is NULL");
    adaptive->solver = solver ? solver : adaptive->own_solver;
    reopen(adaptive);
    return LEMICA_OK;
}

lemica_status
lemica_adaptive_set_aggregate(lemica_adaptive *adaptive,
                              lemica_aggregate aggregate, double z)
{
    if (!adaptive)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "adaptive is NULL");
    if (aggregate != LEMICA_AGGREGATE_MEAN && aggregate != LEMICA_AGGREGATE_MAX &&
        aggregate != LEMICA_AGGREGATE_MEAN_PLUS_Z_STD)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "unknown aggregate %d",
                           (int)aggregate);
    if (aggregate == LEMICA_AGGREGATE_MEAN_PLUS_Z_STD && !(isfinite(z) && z >= 0))
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT,
                           "z must be finite and >= 0 (got %g)", z);
    adaptive->aggregate = aggregate;
    adaptive->z = aggregate == LEMICA_AGGREGATE_MEAN_PLUS_Z_STD ? z : 0.0;
    reopen(adaptive);
    return LEMICA_OK;
}

lemica_status
lemica_adaptive_set_min_batch(lemica_adaptive *adaptive, size_t min_batch)
{
    if (!adaptive)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "adaptive is NULL");
    if (min_batch < 1)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT,
                           "the smallest batch must be at least 1 segment");
    adaptive->min_batch = min_batch;
    return LEMICA_OK;
}

lemica_status
lemica_adaptive_set_num_samples(lemica_adaptive *adaptive, uint64_t num_samples)
{
    if (!adaptive)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "adaptive is NULL");
    if (num_samples < 1)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT,
                           "a measured segment needs at least 1 sample");
    if (num_samples != adaptive->num_samples)
        reopen(adaptive);
    adaptive->num_samples = num_samples;
    return LEMICA_OK;
}

/* ---- Bounds and violations ---------------------------------------------- */

/* The largest value of @table over the segments strictly inside (from, to)
 * the assumption relates to it, given that @table already holds, for every
 * shorter segment, the largest over itself and everything inside it. */
static int
inner_best(const lemica_adaptive *adaptive, lemica_assumption assumption,
           const double *table, int from, int to, size_t *slot)
{
    int found = 0;
    double best = NONE_BELOW;

    /* (from, to - 1) is inside for both assumptions ... */
    if (to - 1 - from >= 2) {
        size_t s = slot_of(adaptive, from, to - 1);
        if (table[s] > best) {
            best = table[s];
            *slot = s;
            found = 1;
        }
    }
    /* ... (from + 1, to) only for NESTED. */
    if (assumption == LEMICA_ASSUMPTION_NESTED && to - from - 1 >= 2) {
        size_t s = slot_of(adaptive, from + 1, to);
        if (table[s] > best) {
            *slot = s;
            found = 1;
        }
    }
    return found;
}

/* bound[s] = the largest own[] over segment s and every segment the
 * assumption puts under it: a lower bound on w(s) when own[] holds exact
 * weights or lower bounds. By increasing span, so the segments inside are
 * done first. */
static void
compute_bounds(lemica_adaptive *adaptive, const double *own, double *bound)
{
    int n = adaptive->num_steps;

    for (int span = 2; span <= adaptive->max_skip; span++)
        for (int from = 0; from + span <= n - 1; from++) {
            int to = from + span;
            size_t s = slot_of(adaptive, from, to), inner;
            double best = own[s];

            if (adaptive->assumption != LEMICA_ASSUMPTION_NONE &&
                inner_best(adaptive, adaptive->assumption, bound, from, to,
                           &inner) &&
                bound[inner] > best)
                best = bound[inner];
            bound[s] = best;
        }
}

/* Violations among the measured segments: @exact[s] is the weight of a
 * measured segment, NONE_BELOW otherwise. below[s] / source[s] track the
 * largest measured weight at or under s and its slot. */
static void
scan_violations(const lemica_adaptive *adaptive, lemica_assumption assumption,
                const double *exact, double *below, int *source,
                struct violation_scan *scan)
{
    int n = adaptive->num_steps, k = adaptive->max_skip;

    memset(scan, 0, sizeof(*scan));
    scan->outer_from = scan->outer_to = scan->inner_from = scan->inner_to = -1;
    for (int span = 2; span <= k; span++)
        for (int from = 0; from + span <= n - 1; from++) {
            int to = from + span;
            size_t s = slot_of(adaptive, from, to), inner = 0;
            int has_inner = assumption != LEMICA_ASSUMPTION_NONE &&
                            inner_best(adaptive, assumption, below, from, to,
                                       &inner) &&
                            below[inner] > NONE_BELOW;

            if (exact[s] > NONE_BELOW && has_inner && below[inner] > exact[s]) {
                double excess = below[inner] - exact[s];
                size_t worst = (size_t)source[inner];

                scan->count++;
                if (excess > scan->excess) {
                    scan->excess = excess;
                    scan->outer_from = from;
                    scan->outer_to = to;
                    scan->inner_from = (int)(worst / (size_t)k);
                    scan->inner_to = scan->inner_from + (int)(worst % (size_t)k) + 1;
                }
            }
            below[s] = exact[s];
            source[s] = (int)s;
            if (has_inner && below[inner] > below[s]) {
                below[s] = below[inner];
                source[s] = source[inner];
            }
        }
}

/* The lower bound a segment's own c < S samples prove for its weight over
 * S samples: errors are >= 0, so the mean over S is at least c mean / S
 * (mean + z std too); the max can only grow. */
static double
partial_bound(lemica_aggregate aggregate, uint64_t count, uint64_t samples,
              double mean, double max)
{
    if (count == 0)
        return 0.0;
    if (aggregate == LEMICA_AGGREGATE_MAX)
        return max;
    return mean * ((double)count / (double)samples);
}

/* Fill counts[] and own[] from the profiler, with the weights of @graph
 * (lemica_profiler_to_graph() of it) for the measured segments. */
static void
read_profiler(lemica_adaptive *adaptive, const lemica_profiler *profiler,
              const lemica_graph *graph, uint64_t samples, double *exact)
{
    int n = adaptive->num_steps, k = adaptive->max_skip;

    for (int from = 0; from < n - 2; from++)
        for (int to = from + 2; to <= last_end(n, k, from); to++) {
            size_t s = slot_of(adaptive, from, to);
            uint64_t count = 0;
            double mean = 0.0, max = 0.0, weight = 0.0;

            lemica_profiler_edge_stats(profiler, from, to, &count, &mean, NULL,
                                       NULL, &max);
            adaptive->counts[s] = count;
            if (count >= samples) {
                lemica_graph_get_weight(graph, from, to, &weight);
                adaptive->own[s] = weight;
                if (exact)
                    exact[s] = weight;
            } else {
                adaptive->own[s] =
                    partial_bound(adaptive->aggregate, count, samples, mean, max);
                if (exact)
                    exact[s] = NONE_BELOW;
            }
        }
}

lemica_status
lemica_assumption_check(const lemica_profiler *profiler,
                        lemica_assumption assumption,
                        lemica_aggregate aggregate, double z,
                        size_t *num_violations, int *outer_from, int *outer_to,
                        int *inner_from, int *inner_to, double *excess)
{
    lemica_adaptive *scratch = NULL;
    lemica_graph *graph = NULL;
    struct violation_scan scan;
    lemica_status status;
    double *exact;

    if (!profiler)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "profiler is NULL");
    status = lemica_adaptive_new(lemica_profiler_num_steps(profiler),
                                 lemica_profiler_max_skip(profiler), assumption,
                                 &scratch);
    if (status != LEMICA_OK)
        return status;
    status = lemica_adaptive_set_aggregate(scratch, aggregate, z);
    if (status == LEMICA_OK)
        status = lemica_profiler_to_graph(profiler, aggregate, z, 0, &graph);
    if (status != LEMICA_OK) {
        lemica_adaptive_free(scratch);
        return status;
    }
    /* A segment with any sample counts as measured here. */
    exact = scratch->bound;
    read_profiler(scratch, profiler, graph, 1, exact);
    scan_violations(scratch, assumption, exact, scratch->below, scratch->source,
                    &scan);
    lemica_graph_free(graph);
    lemica_adaptive_free(scratch);
    if (num_violations)
        *num_violations = scan.count;
    if (outer_from)
        *outer_from = scan.outer_from;
    if (outer_to)
        *outer_to = scan.outer_to;
    if (inner_from)
        *inner_from = scan.inner_from;
    if (inner_to)
        *inner_to = scan.inner_to;
    if (excess)
        *excess = scan.excess;
    return LEMICA_OK;
}

/* ---- The round ---------------------------------------------------------- */

/* Whether budget @b is asked, for the frontier or a list. */
static int
wants(const lemica_adaptive *adaptive, int budget)
{
    return adaptive->all_budgets || adaptive->requested[budget];
}

/* What one pass over the requested budgets found. */
struct pass {
    size_t added;      /* unmeasured segments newly put in the batch */
    size_t batch_size; /* the batch after the pass */
    int record;        /* append the paths to adaptive->current */
    int extend;        /* also the segments one step longer (a certificate) */
    const lemica_graph *graph; /* with extend: the graph solved */
    int caps;          /* instead of the paths' segments: 1, 2 the SAME_START
                          caps of the rows they misuse (collect_cap(); 2
                          without the limit per row); 3 for SUM, segments
                          inside the loosely bounded ones (collect_inner()) */
};

/* Add segment (from, to) to the batch if it exists and is unmeasured. */
static void
collect_segment(lemica_adaptive *adaptive, int from, int to, struct pass *pass)
{
    size_t s;

    if (from < 0 || to - from < 2 ||
        to > last_end(adaptive->num_steps, adaptive->max_skip, from))
        return;
    s = slot_of(adaptive, from, to);
    if (adaptive->counts[s] >= adaptive->num_samples || adaptive->in_batch[s])
        return;
    adaptive->in_batch[s] = 1;
    adaptive->batch[pass->batch_size++] = s;
    pass->added++;
}

/* The largest weight on a path of @graph. */
static double
path_top(const lemica_graph *graph, const int *steps, size_t count)
{
    double top = 0.0;

    for (size_t e = 1; e < count; e++) {
        double w = 0.0;

        lemica_graph_get_weight(graph, steps[e - 1], steps[e], &w);
        top = w > top ? w : top;
    }
    return top;
}

/* SAME_START: a path of the speculative bound graph uses the unmeasured
 * (from, to), whose bound is low only because little is measured shorter
 * from the same start. If the guesses put it above @top (the largest
 * weight of its budget's guessed path), it is an impostor, and the
 * cheapest way to rule it out with everything after it is the row's
 * *cap*: the first segment from @from guessed above @top, which makes
 * the bound of the rest of the row at least @top once measured. The cap
 * is guessed a margin above @top: guesses err both ways, and a cap that
 * comes out just below @top bounds nothing, while one step too far leaves
 * one segment to measure later, and a shorter one costs more. At most one
 * cap per row and round (in_batch 2 marks them): the next round places
 * the row's other caps with its guesses calibrated on the first. A
 * segment not guessed above @top is left to the guessed paths. */
static void
collect_cap(lemica_adaptive *adaptive, int from, int to, double top,
            struct pass *pass)
{
    int last = last_end(adaptive->num_steps, adaptive->max_skip, from);
    size_t s;

    if (to - from < 2)
        return;
    s = slot_of(adaptive, from, to);
    if (adaptive->counts[s] >= adaptive->num_samples || adaptive->in_batch[s] ||
        !(adaptive->guess[s] > top))
        return;
    /* pass->caps 2 (filling a short batch): no limit per row. */
    for (int end = from + 2; end <= last && pass->caps == 1; end++)
        if (adaptive->in_batch[slot_of(adaptive, from, end)] == 2)
            return;
    for (int cap = from + 2; cap < to; cap++) {
        size_t c = slot_of(adaptive, from, cap);

        if (adaptive->counts[c] >= adaptive->num_samples || adaptive->in_batch[c])
            continue;
        if (adaptive->guess[c] > CAP_MARGIN * top) {
            collect_segment(adaptive, from, cap, pass);
            adaptive->in_batch[c] = 2;
            return;
        }
    }
}

/* SUM: a path of the speculative bound graph uses the unmeasured (from,
 * to). A sum is settled only by weights close to the true ones, so the
 * segment must be measured, or a segment inside it whose weight comes
 * close: if the guesses put (from, to) well above its bound, the round
 * asks for the shortest unmeasured segment inside it guessed at least
 * INNER_FRACTION of it, sharing its end (NESTED: same cost, and it bounds
 * the segments from the starts in between too) or its start (SAME_START,
 * where only those bound it). Measured, it raises the bounds of every
 * segment containing it, not only those of (from, to). */
static void
collect_inner(lemica_adaptive *adaptive, int from, int to, struct pass *pass)
{
    int nested = adaptive->assumption == LEMICA_ASSUMPTION_NESTED;
    size_t s;

    if (to - from < 2)
        return;
    s = slot_of(adaptive, from, to);
    if (adaptive->counts[s] >= adaptive->num_samples || adaptive->in_batch[s])
        return;
    if (to - from >= 3 && adaptive->guess[s] > INNER_LOOSE * adaptive->bound[s])
        for (int d = to - from - 2; d >= 1; d--) {
            int a = nested ? from + d : from, b = nested ? to : to - d;
            size_t c = slot_of(adaptive, a, b);

            if (adaptive->counts[c] >= adaptive->num_samples ||
                adaptive->in_batch[c])
                continue;
            if (adaptive->guess[c] >= INNER_FRACTION * adaptive->guess[s]) {
                collect_segment(adaptive, a, b, pass);
                return;
            }
        }
    collect_segment(adaptive, from, to, pass);
}

/* Add the unmeasured segments of @schedule's path to the batch. */
static void
collect_path(lemica_adaptive *adaptive, const lemica_schedule *schedule,
             struct pass *pass)
{
    size_t count = 0;

    lemica_schedule_steps(schedule, adaptive->steps, (size_t)adaptive->num_steps,
                          &count);
    if (pass->record) {
        /* Room was made before the pass (reserve_current()). */
        int *out = adaptive->current + adaptive->current_length;

        out[0] = lemica_schedule_budget(schedule);
        out[1] = (int)count;
        memcpy(out + 2, adaptive->steps, count * sizeof(int));
        adaptive->current_length += 2 + count;
    }
    if (pass->extend && pass->graph)
        adaptive->tops[lemica_schedule_budget(schedule)] =
            path_top(pass->graph, adaptive->steps, count);
    for (size_t e = 1; e < count; e++) {
        int from = adaptive->steps[e - 1], to = adaptive->steps[e];

        if (pass->caps == 3)
            collect_inner(adaptive, from, to, pass);
        else if (pass->caps)
            collect_cap(adaptive, from, to,
                        adaptive->tops[lemica_schedule_budget(schedule)], pass);
        else
            collect_segment(adaptive, from, to, pass);
        if (!pass->extend)
            continue;
        /* The segments one step longer bound every segment containing
         * them: measured, they rule out the paths that stretch this one. */
        collect_segment(adaptive, from, to + 1, pass);
        if (adaptive->assumption == LEMICA_ASSUMPTION_NESTED)
            collect_segment(adaptive, from - 1, to, pass);
    }
}

/* Solve every requested budget on @graph and collect the unmeasured
 * segments of the paths. @strict: an infeasible budget is an error (the
 * real bound graph) rather than skipped (a guessed or speculative one). */
static lemica_status
solve_pass(lemica_adaptive *adaptive, const lemica_graph *graph, int strict,
           struct pass *pass)
{
    lemica_status status = LEMICA_OK;
    int n = adaptive->num_steps;

    pass->added = 0;
    adaptive->current_length = 0;
    if (adaptive->all_budgets) {
        lemica_frontier *frontier = NULL;

        status = lemica_solver_solve_frontier(adaptive->solver, graph, &frontier);
        if (status != LEMICA_OK)
            return status;
        for (size_t f = 0; f < lemica_frontier_count(frontier); f++) {
            const lemica_schedule *schedule = NULL;

            lemica_frontier_get(frontier, f, &schedule);
            collect_path(adaptive, schedule, pass);
        }
        lemica_frontier_free(frontier);
        return LEMICA_OK;
    }
    for (int budget = 2; budget <= n; budget++) {
        lemica_schedule *schedule = NULL;

        if (!wants(adaptive, budget))
            continue;
        status = lemica_solver_solve(adaptive->solver, graph, budget, &schedule);
        if (status == LEMICA_ERR_INFEASIBLE && !strict)
            continue;
        if (status != LEMICA_OK)
            return status;
        collect_path(adaptive, schedule, pass);
        lemica_schedule_free(schedule);
    }
    return LEMICA_OK;
}

/* The drift model's (unscaled) error of (from, to): the sum over the
 * reused steps t of (t - from) h(t), from the prefix sums of h and t h. */
static double
drift_at(const double *level, const double *moment, int from, int to)
{
    return (moment[to] - moment[from + 1]) -
           (double)from * (level[to] - level[from + 1]);
}

/* The nearest measured segment of row @from after (@from, @to) in
 * direction @step (-1 shorter, +1 longer) that the scaled drift model
 * fits (both positive): its end, and in *@log_ratio the log of measured /
 * modelled; -1 if none. */
static int
nearest_fit(const lemica_adaptive *adaptive, const double *exact,
            const double *level, const double *moment, double scale, int from,
            int to, int step, double *log_ratio)
{
    int last = last_end(adaptive->num_steps, adaptive->max_skip, from);

    for (int j = to + step; j >= from + 2 && j <= last; j += step) {
        double w = exact[slot_of(adaptive, from, j)];
        double m = scale * drift_at(level, moment, from, j);

        if (w > 0 && m > 0) {
            *log_ratio = log(w / m);
            return j;
        }
    }
    return -1;
}

/* How far the measured segments of row @from sit from the scaled drift
 * model near (from, to): the ratio measured / modelled of the nearest
 * measured segment on either side, interpolated geometrically between
 * the two (1 with none). One row's errors follow the model's shape more
 * closely than its level. */
static double
row_ratio(const lemica_adaptive *adaptive, const double *exact,
          const double *level, const double *moment, const double *row_log,
          double scale, int from, int to)
{
    double log_left = 0.0, log_right = 0.0;
    int left = nearest_fit(adaptive, exact, level, moment, scale, from, to, -1,
                           &log_left);
    int right = nearest_fit(adaptive, exact, level, moment, scale, from, to, 1,
                            &log_right);

    if (left >= 0 && right >= 0)
        return exp(log_left + (log_right - log_left) * (double)(to - left) /
                                  (double)(right - left));
    if (left >= 0)
        return exp(log_left);
    if (right >= 0)
        return exp(log_right);
    return row_log ? exp(row_log[from]) : 1.0;
}

/* A guess of every unmeasured weight, for choosing batches only (never for
 * bounds, so it cannot affect exactness): the drift model of
 * lemica-adaptive.h once some span-2 segment is measured, else a
 * quadratic extrapolation from the nearest measured shorter segment of the
 * same start and of the same end; either clamped between the lower bound
 * and the smallest measured segment containing it (the nested shape,
 * whatever the assumption). @exact holds the measured weights, NONE_BELOW
 * elsewhere. */
static void
compute_guesses(lemica_adaptive *adaptive, const double *exact)
{
    int n = adaptive->num_steps, k = adaptive->max_skip, model_ok = 0;
    double *guess = adaptive->guess, *level = NULL, *moment = NULL, scale = 1.0;
    double *row_log = NULL;
    /* SAME_START places caps by the guesses, so they must be close in
     * every row: calibrate them row by row. (NESTED's certificates are
     * less sensitive; its batches stay as they were.) */
    int calibrate = adaptive->assumption == LEMICA_ASSUMPTION_SAME_START;

    /* Upper bounds: by decreasing span, the smallest measured weight of a
     * segment containing this one (HUGE_VAL: none). */
    for (int span = k; span >= 2; span--)
        for (int from = 0; from + span <= n - 1; from++) {
            int to = from + span;
            size_t s = slot_of(adaptive, from, to);
            double up = HUGE_VAL;

            if (exact[s] > NONE_BELOW) {
                guess[s] = exact[s];
                continue;
            }
            if (span < k && to + 1 <= n - 1)
                up = fmin(up, guess[slot_of(adaptive, from, to + 1)]);
            if (span < k && from >= 1)
                up = fmin(up, guess[slot_of(adaptive, from - 1, to)]);
            guess[s] = up;
        }
    /* The drift model: reusing step i's output up to j costs about
     * sum over t = i+1 .. j-1 of (t - i) h(t), h(t) = w(t - 1, t + 1)
     * (measured, else interpolated), scaled to fit the measured longer
     * segments (geometric mean of measured / modelled). */
    {
        double *h = adaptive->drift;
        int known = 0, last = -1;

        level = h + (n + 1);
        moment = level + (n + 1);
        for (int t = 0; t <= n; t++)
            h[t] = -1.0;
        for (int t = 1; t + 1 <= n - 1 && k >= 2; t++)
            if (exact[slot_of(adaptive, t - 1, t + 1)] > NONE_BELOW) {
                h[t] = exact[slot_of(adaptive, t - 1, t + 1)];
                known++;
            }
        for (int t = 1; t + 1 <= n - 1 && known > 0; t++) {
            if (h[t] >= 0) {
                /* Fill the gap since the last known value linearly. */
                for (int g = last + 1; g < t; g++)
                    h[g] = last < 1 ? h[t]
                                    : h[last] + (h[t] - h[last]) *
                                                    (double)(g - last) /
                                                    (double)(t - last);
                last = t;
            }
        }
        for (int g = last + 1; g <= n && known > 0; g++)
            h[g] = h[last];
        model_ok = known > 0;
        level[0] = moment[0] = 0.0;
        for (int t = 0; t < n && model_ok; t++) {
            double v = h[t] > 0 ? h[t] : 0.0;
            /* level[t] = sum of h below t, moment[t] = sum of t h. */
            level[t + 1] = level[t] + v;
            moment[t + 1] = moment[t] + (double)t * v;
        }
        if (model_ok) {
            double logs = 0.0;
            size_t fits = 0;

            for (int from = 0; from < n - 2; from++)
                for (int to = from + 3; to <= last_end(n, k, from); to++) {
                    size_t s = slot_of(adaptive, from, to);
                    double m = (moment[to] - moment[from + 1]) -
                               (double)from * (level[to] - level[from + 1]);

                    if (exact[s] > 0 && m > 0) {
                        logs += log(exact[s] / m);
                        fits++;
                    }
                }
            scale = fits ? exp(logs / (double)fits) : 1.0;
        }
        /* A row without measured segments: the log ratio measured /
         * modelled of the nearest rows with some, interpolated. */
        row_log = moment + (n + 1);
        for (int from = 0; from < n && model_ok && calibrate; from++) {
            double logs = 0.0;
            size_t fits = 0;

            for (int to = from + 2; to <= last_end(n, k, from) && from < n - 2; to++) {
                size_t s = slot_of(adaptive, from, to);
                double m = scale * drift_at(level, moment, from, to);

                if (exact[s] > 0 && m > 0) {
                    logs += log(exact[s] / m);
                    fits++;
                }
            }
            row_log[from] = fits ? logs / (double)fits : HUGE_VAL;
        }
        for (int from = 0; from < n && model_ok && calibrate; from++) {
            int before = from - 1, after = from + 1;

            if (row_log[from] < HUGE_VAL)
                continue;
            while (before >= 0 && !(row_log[before] < HUGE_VAL))
                before--;
            while (after < n && !(row_log[after] < HUGE_VAL))
                after++;
            /* Rows before are final already; rows after still raw. */
            if (before >= 0 && after < n)
                row_log[from] = row_log[before] +
                                (row_log[after] - row_log[before]) *
                                    (double)(from - before) / (double)(after - before);
            else if (before >= 0)
                row_log[from] = row_log[before];
            else if (after < n)
                row_log[from] = row_log[after];
            else
                row_log[from] = 0.0;
        }
    }
    for (int from = 0; from < n - 2; from++)
        for (int to = from + 2; to <= last_end(n, k, from); to++) {
            size_t s = slot_of(adaptive, from, to);
            double reused = (double)(to - from - 1), sum = 0.0, low, up;
            int found = 0;

            if (exact[s] > NONE_BELOW)
                continue;
            for (int inner = to - 1; inner >= from + 2; inner--)
                if (exact[slot_of(adaptive, from, inner)] > NONE_BELOW) {
                    double r = reused / (double)(inner - from - 1);
                    sum += exact[slot_of(adaptive, from, inner)] * r * r;
                    found++;
                    break;
                }
            for (int start = from + 1; start <= to - 2; start++)
                if (exact[slot_of(adaptive, start, to)] > NONE_BELOW) {
                    double r = reused / (double)(to - start - 1);
                    sum += exact[slot_of(adaptive, start, to)] * r * r;
                    found++;
                    break;
                }
            low = adaptive->bound[s];
            up = guess[s];
            if (model_ok) {
                double m = scale * drift_at(level, moment, from, to);

                if (calibrate)
                    m *= row_ratio(adaptive, exact, level, moment, row_log,
                                   scale, from, to);
                guess[s] = fmax(low, fmin(m, up));
            } else if (!found)
                guess[s] = up < HUGE_VAL ? 0.5 * (low + up) : low;
            else
                guess[s] = fmax(low, fmin(sum / found, up));
        }
}

/* The batch the guesses point at: the paths of the graph with every
 * unmeasured weight guessed (at least its bound), with the segments one
 * step longer that would prove them optimal. With nothing measured yet,
 * the shortest segments (span 2) instead: they seed the guesses. */
static lemica_status
build_predicted(lemica_adaptive *adaptive, const lemica_graph *graph,
                size_t measured, size_t *batch_size)
{
    lemica_graph *guessed = NULL;
    lemica_status status;
    struct pass pass = {0, 0, 0, 1, NULL, 0};
    int n = adaptive->num_steps;

    if (measured == 0 && adaptive->max_skip >= 2) {
        int seeds = SEED_SEGMENTS, last = n - 3; /* last span-2 start */

        if (seeds > last + 1)
            seeds = last + 1;
        for (int i = 0; i < seeds; i++) {
            int from = seeds == 1 ? 0
                                  : (int)(((long)i * last + (seeds - 1) / 2) /
                                          (seeds - 1));

            collect_segment(adaptive, from, from + 2, &pass);
        }
        *batch_size = pass.batch_size;
        return LEMICA_OK;
    }
    status = lemica_graph_copy(graph, &guessed);
    if (status != LEMICA_OK)
        return status;
    for (int from = 0; from < n - 2; from++)
        for (int to = from + 2; to <= last_end(n, adaptive->max_skip, from); to++) {
            size_t s = slot_of(adaptive, from, to);

            if (adaptive->counts[s] < adaptive->num_samples)
                lemica_graph_set_weight(guessed, from, to, adaptive->guess[s]);
        }
    pass.graph = guessed;
    status = solve_pass(adaptive, guessed, 0, &pass);
    lemica_graph_free(guessed);
    if (status == LEMICA_ERR_INFEASIBLE)
        status = LEMICA_OK;
    *batch_size = pass.batch_size;
    return status;
}

static lemica_status speculate(lemica_adaptive *adaptive,
                               const lemica_graph *graph, size_t target,
                               int caps, size_t *batch_size);

/* The segments to measure when the paths on the bound graph are not all
 * measured (@pass holds theirs; the guesses are computed): those the
 * guesses point at, or, when the guesses point at nothing unmeasured, the
 * paths' own. Either way at least one unmeasured segment, so the loop
 * ends. */
static lemica_status
choose_batch(lemica_adaptive *adaptive, const lemica_graph *graph,
             size_t measured, struct pass *pass)
{
    lemica_comparator comparator = lemica_solver_comparator(adaptive->solver);
    lemica_status status;
    size_t batch_size = pass->batch_size;

    /* The certificates rule paths out by one large weight: a bottleneck
     * argument, for LEXMAX and MAX. A sum needs every weight of the
     * alternatives; there the plain loop measured less on the test beds. */
    if (adaptive->assumption == LEMICA_ASSUMPTION_NONE ||
        (comparator != LEMICA_COMPARATOR_LEXMAX &&
         comparator != LEMICA_COMPARATOR_MAX)) {
        /* SUM: the plain loop's batch, and with it what the next rounds
         * of the plain loop would ask for, were the batch measured as
         * guessed (with segments inside the loosely bounded ones:
         * collect_inner()), until the guesses say the batch settles the
         * schedules: the plain loop in a few rounds. */
        if (comparator == LEMICA_COMPARATOR_SUM &&
            adaptive->assumption != LEMICA_ASSUMPTION_NONE && measured > 0) {
            status = speculate(adaptive, graph, SIZE_MAX, 3, &batch_size);
            pass->batch_size = batch_size;
            return status;
        }
        return LEMICA_OK;
    }
    while (batch_size > 0)
        adaptive->in_batch[adaptive->batch[--batch_size]] = 0;
    for (int budget = 0; budget <= adaptive->num_steps; budget++)
        adaptive->tops[budget] = HUGE_VAL;
    status = build_predicted(adaptive, graph, measured, &batch_size);
    /* SAME_START: the paths of the bound graph, were the batch measured as
     * guessed, still take segments whose bound is low only because their
     * rows lack a cap: add the caps until they take none (the guesses
     * then say the batch settles the schedules). */
    if (status == LEMICA_OK && measured > 0 &&
        adaptive->rounds >= CAP_FIRST_ROUND &&
        adaptive->assumption == LEMICA_ASSUMPTION_SAME_START)
        status = speculate(adaptive, graph, SIZE_MAX, 1, &batch_size);
    if (status != LEMICA_OK)
        return status;
    if (batch_size == 0) {
        pass->batch_size = 0;
        return solve_pass(adaptive, graph, 1, pass);
    }
    pass->batch_size = batch_size;
    return LEMICA_OK;
}

/* Speculate: while the batch is short, pretend its segments came out as
 * guessed and collect what the paths would ask for next: the segments the
 * next rounds would measure if the guesses were right. */
static lemica_status
speculate(lemica_adaptive *adaptive, const lemica_graph *graph, size_t target,
          int caps, size_t *batch_size)
{
    lemica_graph *ahead = NULL;
    lemica_status status;
    double *own = adaptive->below; /* the exact weights are not needed now */
    size_t set = 0;
    int n = adaptive->num_steps;

    status = lemica_graph_copy(graph, &ahead);
    if (status != LEMICA_OK)
        return status;
    memcpy(own, adaptive->own, num_slots(adaptive) * sizeof(double));
    while (*batch_size < target) {
        struct pass pass = {0, *batch_size, 0, 0, NULL, caps};

        for (; set < *batch_size; set++) {
            size_t s = adaptive->batch[set];
            own[s] = adaptive->guess[s];
        }
        /* As if the batch were measured: its guesses raise the bounds of
         * what the assumption relates to them. */
        compute_bounds(adaptive, own, adaptive->spec_bound);
        for (int from = 0; from < n - 2; from++)
            for (int to = from + 2; to <= last_end(n, adaptive->max_skip, from); to++) {
                size_t s = slot_of(adaptive, from, to);

                if (adaptive->counts[s] < adaptive->num_samples)
                    lemica_graph_set_weight(ahead, from, to, adaptive->spec_bound[s]);
            }
        status = solve_pass(adaptive, ahead, 0, &pass);
        if (status == LEMICA_ERR_INFEASIBLE)
            break;
        if (status != LEMICA_OK)
            goto out;
        *batch_size = pass.batch_size;
        if (pass.added == 0)
            break;
    }
    status = LEMICA_OK;
out:
    lemica_graph_free(ahead);
    return status;
}

/* Top up the batch with the cheapest unmeasured segments (latest end;
 * among equal ends the smallest bound, then the smallest slot). */
static void
fill_by_cost(lemica_adaptive *adaptive, size_t *batch_size)
{
    int n = adaptive->num_steps, k = adaptive->max_skip;

    for (int to = n - 1; to >= 2 && *batch_size < adaptive->min_batch; to--) {
        while (*batch_size < adaptive->min_batch) {
            size_t best = SIZE_MAX;

            for (int from = to - 2; from >= 0 && to - from <= k; from--) {
                size_t s = slot_of(adaptive, from, to);

                if (adaptive->counts[s] >= adaptive->num_samples ||
                    adaptive->in_batch[s])
                    continue;
                if (best == SIZE_MAX || adaptive->bound[s] < adaptive->bound[best])
                    best = s;
            }
            if (best == SIZE_MAX)
                break;
            adaptive->in_batch[best] = 1;
            adaptive->batch[(*batch_size)++] = best;
        }
    }
}

/* Check the profiler against the handle and what the plans asked for;
 * fills counts[] as a side effect. */
static lemica_status
check_profiler(lemica_adaptive *adaptive, const lemica_profiler *profiler)
{
    int n = adaptive->num_steps, k = adaptive->max_skip;

    if (lemica_profiler_num_steps(profiler) != n ||
        lemica_profiler_max_skip(profiler) != k)
        return lemica_fail(LEMICA_ERR_MISMATCH,
                           "the profiler has N = %d, K = %d; the adaptive "
                           "loop N = %d, K = %d",
                           lemica_profiler_num_steps(profiler),
                           lemica_profiler_max_skip(profiler), n, k);
    for (int from = 0; from < n - 2; from++)
        for (int to = from + 2; to <= last_end(n, k, from); to++) {
            size_t s = slot_of(adaptive, from, to);
            uint64_t count = 0;

            lemica_profiler_edge_stats(profiler, from, to, &count, NULL, NULL,
                                       NULL, NULL);
            adaptive->counts[s] = count;
            if (!adaptive->started)
                continue;
            if (count < adaptive->seen[s])
                return lemica_fail(LEMICA_ERR_STATE,
                                   "segment (%d, %d) has %llu samples, fewer "
                                   "than the %llu of the last round: is this "
                                   "the same profiler?",
                                   from, to, (unsigned long long)count,
                                   (unsigned long long)adaptive->seen[s]);
            if (count > adaptive->seen[s] && !adaptive->asked[s])
                return lemica_fail(LEMICA_ERR_STATE,
                                   "segment (%d, %d) got samples but no plan "
                                   "asked for it",
                                   from, to);
        }
    return LEMICA_OK;
}

static lemica_status
make_plan(const lemica_adaptive *adaptive, size_t batch_size, lemica_plan **out)
{
    lemica_plan *plan = NULL;
    lemica_status status;
    size_t k = (size_t)adaptive->max_skip;

    status = lemica_plan_new(adaptive->num_steps, adaptive->max_skip, &plan);
    if (status != LEMICA_OK)
        return status;
    lemica_plan_select_all(plan, 0);
    for (size_t b = 0; b < batch_size; b++) {
        size_t s = adaptive->batch[b];
        int from = (int)(s / k), to = from + (int)(s % k) + 1;

        lemica_plan_select_segment(plan, from, to, 1);
    }
    *out = plan;
    return LEMICA_OK;
}

/* Room in current[] for the paths of every requested budget. */
static lemica_status
reserve_current(lemica_adaptive *adaptive)
{
    size_t budgets = 0, needed;
    int *grown;

    for (int budget = 2; budget <= adaptive->num_steps; budget++)
        budgets += (size_t)wants(adaptive, budget);
    needed = budgets * ((size_t)adaptive->num_steps + 2);
    if (needed <= adaptive->current_capacity)
        return LEMICA_OK;
    grown = lemica_realloc_array(adaptive->current, needed, sizeof(int));
    if (!grown)
        return lemica_fail_no_memory("the schedules of an adaptive loop");
    adaptive->current = grown;
    adaptive->current_capacity = needed;
    return LEMICA_OK;
}

/* The path of @budget in a record list, or NULL. */
static const int *
find_path(const int *records, size_t length, int budget)
{
    for (size_t at = 0; at < length; at += 2 + (size_t)records[at + 1])
        if (records[at] == budget)
            return records + at;
    return NULL;
}

static void
add_previous_paths(lemica_adaptive *adaptive, struct pass *pass)
{
    for (size_t at = 0; at < adaptive->paths_length;
         at += 2 + (size_t)adaptive->paths[at + 1]) {
        const int *steps = adaptive->paths + at + 2;

        if (!wants(adaptive, adaptive->paths[at]))
            continue;
        for (int e = 1; e < adaptive->paths[at + 1]; e++) {
            size_t s;

            if (steps[e] - steps[e - 1] < 2)
                continue;
            s = slot_of(adaptive, steps[e - 1], steps[e]);
            if (adaptive->counts[s] >= adaptive->num_samples || adaptive->in_batch[s])
                continue;
            adaptive->in_batch[s] = 1;
            adaptive->batch[pass->batch_size++] = s;
            pass->added++;
        }
    }
}

/* The total weight of a path on the final bound graph (its segments are
 * measured there). */
static double
path_weight(const lemica_graph *graph, const int *steps, int count)
{
    double total = 0.0;

    for (int e = 1; e < count; e++) {
        double weight = 0.0;

        lemica_graph_get_weight(graph, steps[e - 1], steps[e], &weight);
        total += weight;
    }
    return total;
}

/* Whether the schedules just found (current[]) are the same as those of
 * the last end (paths[]): equal, or within the tolerance by total error. */
static int
same_schedules(const lemica_adaptive *adaptive, const lemica_graph *graph)
{
    if (adaptive->paths_length == 0)
        return 0;
    for (size_t at = 0; at < adaptive->current_length;
         at += 2 + (size_t)adaptive->current[at + 1]) {
        const int *now = adaptive->current + at;
        const int *before =
            find_path(adaptive->paths, adaptive->paths_length, now[0]);
        double now_weight, before_weight;

        if (!before)
            return 0;
        if (before[1] == now[1] &&
            memcmp(before + 2, now + 2, (size_t)now[1] * sizeof(int)) == 0)
            continue;
        if (!(adaptive->stable_tolerance > 0))
            return 0;
        now_weight = path_weight(graph, now + 2, now[1]);
        before_weight = path_weight(graph, before + 2, before[1]);
        if (before_weight - now_weight > adaptive->stable_tolerance * now_weight ||
            now_weight - before_weight > adaptive->stable_tolerance * now_weight)
            return 0;
    }
    return 1;
}

lemica_status
lemica_adaptive_set_stable_tolerance(lemica_adaptive *adaptive, double tolerance)
{
    if (!adaptive)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "adaptive is NULL");
    if (!(isfinite(tolerance) && tolerance >= 0))
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT,
                           "the tolerance must be finite and >= 0 (got %g)",
                           tolerance);
    adaptive->stable_tolerance = tolerance;
    return LEMICA_OK;
}

lemica_status
lemica_adaptive_next(lemica_adaptive *adaptive, const lemica_profiler *profiler,
                     lemica_plan **out)
{
    lemica_graph *graph = NULL;
    lemica_plan *plan = NULL;
    struct violation_scan violations;
    struct pass pass = {0, 0, 1, 0, NULL, 0};
    lemica_status status;
    size_t batch_size = 0, measured = 0, k;
    int n, any = 0, stable_now = 0;

    if (!out)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "out is NULL");
    *out = NULL;
    if (!adaptive || !profiler)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT,
                           "adaptive or profiler is NULL");
    n = adaptive->num_steps;
    k = (size_t)adaptive->max_skip;
    for (int budget = 2; budget <= n; budget++)
        any |= wants(adaptive, budget);
    if (!any)
        return lemica_fail(LEMICA_ERR_STATE, "no budget is requested");
    status = check_profiler(adaptive, profiler);
    if (status != LEMICA_OK)
        return status;
    status = reserve_current(adaptive);
    if (status != LEMICA_OK)
        return status;

    /* The bound graph: exact weights where measured (the very weights of
     * lemica_profiler_to_graph()), lower bounds elsewhere. */
    status = lemica_profiler_to_graph(profiler, adaptive->aggregate, adaptive->z,
                                      0, &graph);
    if (status != LEMICA_OK)
        return status;
    read_profiler(adaptive, profiler, graph, adaptive->num_samples,
                  adaptive->below);
    scan_violations(adaptive, adaptive->assumption, adaptive->below,
                    adaptive->bound, adaptive->source, &violations);
    compute_bounds(adaptive, adaptive->own, adaptive->bound);
    for (int from = 0; from < n - 2; from++)
        for (int to = from + 2; to <= last_end(n, adaptive->max_skip, from); to++) {
            size_t s = slot_of(adaptive, from, to);

            if (adaptive->counts[s] >= adaptive->num_samples) {
                measured++;
                continue;
            }
            status = lemica_graph_set_weight(graph, from, to, adaptive->bound[s]);
            if (status != LEMICA_OK)
                goto fail;
        }

    memset(adaptive->in_batch, 0, num_slots(adaptive));
    pass.batch_size = 0;
    status = solve_pass(adaptive, graph, 1, &pass);
    if (status == LEMICA_OK)
        compute_guesses(adaptive, adaptive->below);
    if (status == LEMICA_OK && pass.batch_size > 0)
        status = choose_batch(adaptive, graph, measured, &pass);
    if (status != LEMICA_OK)
        goto fail;
    /* With a tolerance, the previous end's schedules are compared by their
     * error under the new samples: measure them too. */
    if (adaptive->stable_tolerance > 0 && adaptive->paths_length > 0 &&
        adaptive->num_samples > adaptive->stable_samples)
        add_previous_paths(adaptive, &pass);
    batch_size = pass.batch_size;
    if (batch_size == 0)
        stable_now = same_schedules(adaptive, graph);
    if (batch_size > 0) {
        /* Short of the smallest batch: for SAME_START the caps the next
         * rounds would add (more than one per row), then the next rounds
         * as the guesses see them, then the cheapest segments. */
        lemica_comparator comparator = lemica_solver_comparator(adaptive->solver);

        /* Only LEXMAX and MAX rounds set the paths' largest weights the
         * caps are placed by (choose_batch()); a shared solver may have
         * changed its comparator since. */
        if (batch_size < adaptive->min_batch &&
            adaptive->assumption == LEMICA_ASSUMPTION_SAME_START &&
            (comparator == LEMICA_COMPARATOR_LEXMAX ||
             comparator == LEMICA_COMPARATOR_MAX) &&
            adaptive->rounds >= CAP_FIRST_ROUND) {
            status = speculate(adaptive, graph, adaptive->min_batch, 2,
                               &batch_size);
            if (status != LEMICA_OK)
                goto fail;
        }
        if (batch_size < adaptive->min_batch) {
            status = speculate(adaptive, graph, adaptive->min_batch, 0,
                               &batch_size);
            if (status != LEMICA_OK)
                goto fail;
        }
        if (batch_size < adaptive->min_batch)
            fill_by_cost(adaptive, &batch_size);
        status = make_plan(adaptive, batch_size, &plan);
        if (status != LEMICA_OK)
            goto fail;
    }

    /* Nothing fails from here on: commit. */
    if (!adaptive->started)
        adaptive->reference_samples = 0;
    adaptive->started = 1;
    if (adaptive->num_samples > adaptive->reference_samples)
        adaptive->reference_samples = adaptive->num_samples;
    memcpy(adaptive->seen, adaptive->counts, num_slots(adaptive) * sizeof(uint64_t));
    adaptive->measured = measured;
    adaptive->violations = violations;
    lemica_graph_free(adaptive->final);
    adaptive->final = NULL;
    adaptive->done = 0;
    if (plan) {
        for (size_t b = 0; b < batch_size; b++) {
            size_t s = adaptive->batch[b];
            int from = (int)(s / k), to = from + (int)(s % k) + 1;

            adaptive->asked[s] = 1;
            adaptive->replay_calls += (adaptive->num_samples - adaptive->counts[s]) *
                                      (uint64_t)(n - to);
        }
        adaptive->rounds++;
        *out = plan;
        lemica_graph_free(graph);
        return LEMICA_OK;
    }
    adaptive->final = graph;
    adaptive->done = 1;
    if (!stable_now || adaptive->stable == 0)
        adaptive->stable = 1;
    else if (adaptive->num_samples > adaptive->stable_samples)
        adaptive->stable++;
    adaptive->stable_samples = adaptive->num_samples;
    {
        int *swap = adaptive->paths;
        size_t capacity = adaptive->paths_capacity;

        adaptive->paths = adaptive->current;
        adaptive->paths_capacity = adaptive->current_capacity;
        adaptive->paths_length = adaptive->current_length;
        adaptive->current = swap;
        adaptive->current_capacity = capacity;
        adaptive->current_length = 0;
    }
    return LEMICA_OK;

fail:
    lemica_graph_free(graph);
    return status;
}

int
lemica_adaptive_is_done(const lemica_adaptive *adaptive)
{
    return adaptive ? adaptive->done : 0;
}

lemica_status
lemica_adaptive_schedule(lemica_adaptive *adaptive, int budget,
                         lemica_schedule **out)
{
    if (!out)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "out is NULL");
    *out = NULL;
    if (!adaptive)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "adaptive is NULL");
    if (!adaptive->done)
        return lemica_fail(LEMICA_ERR_STATE,
                           "the adaptive loop is not done: call "
                           "lemica_adaptive_next() until it returns no plan");
    if (!lemica_adaptive_is_budget_requested(adaptive, budget))
        return lemica_fail(LEMICA_ERR_OUT_OF_RANGE,
                           "budget %d was not requested", budget);
    return lemica_solver_solve(adaptive->solver, adaptive->final, budget, out);
}

size_t
lemica_adaptive_num_rounds(const lemica_adaptive *adaptive)
{
    return adaptive ? adaptive->rounds : 0;
}

size_t
lemica_adaptive_num_measured(const lemica_adaptive *adaptive)
{
    return adaptive ? adaptive->measured : 0;
}

uint64_t
lemica_adaptive_model_calls(const lemica_adaptive *adaptive)
{
    if (!adaptive)
        return 0;
    return adaptive->reference_samples * (uint64_t)adaptive->num_steps +
           adaptive->replay_calls;
}

uint64_t
lemica_adaptive_full_model_calls(const lemica_adaptive *adaptive)
{
    uint64_t per_sample;
    int n, k;

    if (!adaptive)
        return 0;
    n = adaptive->num_steps;
    k = adaptive->max_skip;
    per_sample = (uint64_t)n;
    for (int from = 0; from < n - 2; from++)
        for (int to = from + 2; to <= last_end(n, k, from); to++)
            per_sample += (uint64_t)(n - to);
    return per_sample * adaptive->num_samples;
}

size_t
lemica_adaptive_num_stable(const lemica_adaptive *adaptive)
{
    return adaptive ? adaptive->stable : 0;
}

size_t
lemica_adaptive_num_violations(const lemica_adaptive *adaptive)
{
    return adaptive ? adaptive->violations.count : 0;
}

lemica_status
lemica_adaptive_worst_violation(const lemica_adaptive *adaptive, int *outer_from,
                                int *outer_to, int *inner_from, int *inner_to,
                                double *excess)
{
    const struct violation_scan *scan;

    if (!adaptive)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "adaptive is NULL");
    scan = &adaptive->violations;
    if (scan->count == 0)
        return lemica_fail(LEMICA_ERR_STATE, "no violation of the assumption");
    if (outer_from)
        *outer_from = scan->outer_from;
    if (outer_to)
        *outer_to = scan->outer_to;
    if (inner_from)
        *inner_from = scan->inner_from;
    if (inner_to)
        *inner_to = scan->inner_to;
    if (excess)
        *excess = scan->excess;
    return LEMICA_OK;
}
