/* SPDX-License-Identifier: MIT */
/* The k best schedules of a budget, or of every budget: validation, then
 * the lazy enumeration of solver-kbest-lazy.c for LEXMAX and SUM, the
 * backward search of solver-kbest-max.c for MAX, and
 * for user comparators (and SUM where its exact sums do not fit) a DP over
 * the states (step, calls) like the one of solver-dp.c, keeping at every
 * state the partial schedules that fewer than k kept ones dominate (the
 * order, the methods and the proofs are in lemica-kbest.h).
 *
 * It shares the solver's validation and weight matrix
 * (lemica_solver_prepare with LEMICA_SOLVE_EDGES: the plain incoming
 * weights, never the digit encoding of the one-best LEXMAX DP) and keeps
 * its own, per call, storage. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "../common/alloc-int.h"
#include "../common/error-int.h"
#include "../core/graph-int.h"
#include "../core/schedule-int.h"
#include "kbest-lazy-int.h"
#include "kbest-max-int.h"
#include "schedule-list-int.h"
#include "solver-int.h"

#define KBEST_NONE UINT32_MAX

/* A kept partial schedule. The state it ends at is implied by where it is
 * stored; @parent is the entry of its prefix (KBEST_NONE for the root). */
struct kbest_entry {
    uint32_t parent;
    int32_t step;
    double key; /* SUM: path-order sum; MAX and LEXMAX: the max */
};

/* A candidate of the SUM DP. */
struct kbest_sum_candidate {
    uint32_t parent;
    double w;
    double key;
};

struct kbest_dp {
    lemica_solver *solver;
    const struct lemica_problem *problem;
    lemica_comparator comparator;
    int vectors;   /* keeps sorted cost vectors (USER) */
    size_t count;  /* k */
    int layers;    /* the largest budget solved */
    int frontier;
    struct kbest_entry *entries;
    size_t num_entries, entries_capacity;
    uint32_t *state_first, *state_count; /* (layers + 1) * N */
    size_t *layer_start;                 /* layers + 2 */
    double *vec[2];                      /* cost vectors of two layers */
    size_t vec_capacity[2];              /* in doubles */
    uint32_t *top;                       /* k entry indices */
    double *scratch;                     /* USER: a candidate's vector */
    struct kbest_sum_candidate *sums;    /* SUM: a state's candidates */
    size_t sums_capacity;
    double *smallest;                    /* SUM: k smallest sums */
    double margin;                       /* SUM: see sum_state() */
    uint32_t *results;                   /* (layers + 1) * k entries */
    uint32_t *result_count;              /* layers + 1 */
    lemica_status status;
};

/* An empty vector for the root, so that no pointer arithmetic touches
 * NULL. */
static const double kbest_no_costs[1] = {0.0};

static const double *
entry_vector(const struct kbest_dp *dp, uint32_t entry, int layer)
{
    const size_t length = (size_t)layer - 1;

    if (length == 0)
        return kbest_no_costs;
    return dp->vec[layer & 1] + (entry - dp->layer_start[layer]) * length;
}

/* @parent (descending, @length) with @w inserted, into @out. */
static void
insert_sorted(const double *parent, size_t length, double w, double *out)
{
    size_t i = 0;

    while (i < length && parent[i] >= w)
        i++;
    memcpy(out, parent, i * sizeof(double));
    out[i] = w;
    memcpy(out + i + 1, parent + i, (length - i) * sizeof(double));
}

static int
grow(void **data, size_t *capacity, size_t needed, size_t size)
{
    size_t wanted;
    void *grown;

    if (needed <= *capacity)
        return 1;
    wanted = *capacity < 64 ? 64 : *capacity;
    while (wanted < needed)
        wanted = wanted > SIZE_MAX / 2 ? needed : wanted * 2;
    grown = lemica_realloc_array(*data, wanted, size);
    if (!grown)
        return 0;
    *data = grown;
    *capacity = wanted;
    return 1;
}

/* Append the entry (@parent, @t, @key) at @layer; for vector DPs its cost
 * vector is @parent's with @w inserted. */
static lemica_status
append_entry(struct kbest_dp *dp, int layer, uint32_t parent, int t, double w,
             double key)
{
    struct kbest_entry *entry;

    if (dp->num_entries >= LEMICA_MAX_KBEST_ENTRIES)
        return lemica_fail(LEMICA_ERR_TOO_LARGE,
                           "the k-best DP keeps more than %d partial "
                           "schedules (many ties under a weak comparator): "
                           "ask for fewer schedules or a smaller problem",
                           LEMICA_MAX_KBEST_ENTRIES);
    if (!grow((void **)&dp->entries, &dp->entries_capacity,
              dp->num_entries + 1, sizeof(struct kbest_entry)))
        return lemica_fail_no_memory("the k-best DP");
    if (dp->vectors && layer > 1) {
        const size_t length = (size_t)layer - 1;
        const size_t index = dp->num_entries - dp->layer_start[layer];
        const int side = layer & 1;

        if (!grow((void **)&dp->vec[side], &dp->vec_capacity[side],
                  (index + 1) * length, sizeof(double)))
            return lemica_fail_no_memory("the k-best cost vectors");
        insert_sorted(entry_vector(dp, parent, layer - 1), length - 1, w,
                      dp->vec[side] + index * length);
    }
    entry = &dp->entries[dp->num_entries++];
    entry->parent = parent;
    entry->step = t;
    entry->key = key;
    return LEMICA_OK;
}

static const double *
incoming_row(const struct kbest_dp *dp, int t)
{
    return lemica_kbest_incoming_row(dp->solver, dp->problem, t);
}

static int
sign(int value)
{
    return (value > 0) - (value < 0);
}

/* The user comparator on the vectors of two entries of @layer. */
static int
user_compare(struct kbest_dp *dp, const double *a, const double *b,
             size_t length)
{
    const lemica_solver *solver = dp->solver;

    return solver->user_compare(a, length, b, length, solver->user_data);
}

/* Compare the candidate (@key, or the vector in dp->scratch) with kept
 * entry @entry of @layer under the comparator. For a user comparator also
 * check what can be checked of its contract: antisymmetry, and
 * monotonicity when both extend entries of the same state by the same
 * edge. */
static int
weak_compare(struct kbest_dp *dp, double key, uint32_t candidate_parent,
             uint32_t entry, int layer)
{
    const struct kbest_entry *kept = &dp->entries[entry];
    const size_t length = (size_t)layer - 1;
    const double *kept_vector;
    int forward, backward;

    if (dp->comparator != LEMICA_COMPARATOR_USER)
        return key < kept->key ? -1 : key > kept->key ? 1 : 0;
    kept_vector = entry_vector(dp, entry, layer);
    forward = user_compare(dp, dp->scratch, kept_vector, length);
    backward = user_compare(dp, kept_vector, dp->scratch, length);
    if (sign(forward) != -sign(backward)) {
        dp->status = lemica_fail(LEMICA_ERR_INVALID_ARGUMENT,
                                 "the user comparator is not antisymmetric: "
                                 "compare(a, b) = %d but compare(b, a) = %d",
                                 forward, backward);
        return 0;
    }
    if (forward != 0 &&
        dp->entries[kept->parent].step == dp->entries[candidate_parent].step) {
        int before = user_compare(dp, entry_vector(dp, candidate_parent,
                                                   layer - 1),
                                  entry_vector(dp, kept->parent, layer - 1),
                                  length - 1);

        if (sign(before) == -sign(forward)) {
            dp->status = lemica_fail(
                LEMICA_ERR_INVALID_ARGUMENT,
                "the user comparator is not monotone: inserting the same "
                "weight into two cost vectors of length %zu reversed their "
                "order (the k best are not defined for it)",
                length - 1);
            return 0;
        }
    }
    return forward;
}

/* Insert kept entry @entry (key @key, vector in dp->scratch for USER) into
 * dp->top, the k smallest kept so far, after equal ones. */
static void
weak_insert(struct kbest_dp *dp, size_t *count, double key, uint32_t parent,
            uint32_t entry, int layer)
{
    size_t lo = 0, hi = *count;

    while (lo < hi && dp->status == LEMICA_OK) {
        size_t mid = lo + (hi - lo) / 2;

        if (weak_compare(dp, key, parent, dp->top[mid], layer) < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    if (lo >= dp->count)
        return;
    if (*count < dp->count)
        (*count)++;
    memmove(dp->top + lo + 1, dp->top + lo,
            (*count - 1 - lo) * sizeof(*dp->top));
    dp->top[lo] = entry;
}

/* The weak DP at state (@t, @layer): candidates by ascending predecessor
 * (so in the order of their backwards step lists); one is kept unless k
 * earlier kept ones cost at most as much. dp->top ends as the state's k
 * best, in order. */
static lemica_status
weak_state(struct kbest_dp *dp, int t, int layer, size_t *top_count)
{
    const int n = dp->problem->num_steps;
    const int *first_pred = dp->solver->work.first_pred.data;
    const double *row = incoming_row(dp, t);
    const lemica_comparator comparator = dp->comparator;
    int s = first_pred[t] > layer - 2 ? first_pred[t] : layer - 2;

    *top_count = 0;
    for (; s < t; s++) {
        const size_t state = (size_t)(layer - 1) * (size_t)n + (size_t)s;
        const uint32_t first = dp->state_first[state];
        const uint32_t count = dp->state_count[state];
        const double w = row[s];

        if (count == 0 || w == HUGE_VAL)
            continue;
        for (uint32_t i = 0; i < count; i++) {
            const uint32_t parent = first + i;
            const double before = dp->entries[parent].key;
            double key = 0.0;
            lemica_status status;

            if (comparator == LEMICA_COMPARATOR_SUM)
                key = before + w;
            else if (comparator == LEMICA_COMPARATOR_MAX)
                key = before > w ? before : w;
            else
                insert_sorted(entry_vector(dp, parent, layer - 1),
                              (size_t)layer - 2, w, dp->scratch);
            if (*top_count == dp->count) {
                int order = weak_compare(dp, key, parent,
                                         dp->top[*top_count - 1], layer);

                if (dp->status != LEMICA_OK)
                    return dp->status;
                if (order >= 0)
                    continue;
            }
            status = append_entry(dp, layer, parent, t, w, key);
            if (status != LEMICA_OK)
                return status;
            weak_insert(dp, top_count, key, parent,
                        (uint32_t)(dp->num_entries - 1), layer);
            if (dp->status != LEMICA_OK)
                return dp->status;
        }
    }
    return LEMICA_OK;
}

/* The SUM DP at state (@t, @layer). Floating-point sums keep order only
 * weakly (a < b may round to a + w == b + w), but a gap wider than the
 * rounding of the additions still to come survives them: every rounding
 * moves a sum by at most half an ulp of the largest sum U, so after at
 * most N more additions a gap above dp->margin = 2 N ulp(U) is still
 * positive. So q dominates p when q's sum is below p's by more than the
 * margin, whatever their step lists, or when it is at most p's and q's
 * step list comes first. A candidate is kept unless k candidates dominate
 * it; with exact sums that leaves k per state plus the near-ties. */
static lemica_status
sum_state(struct kbest_dp *dp, int t, int layer, size_t *top_count)
{
    const int n = dp->problem->num_steps;
    const int *first_pred = dp->solver->work.first_pred.data;
    const double *row = incoming_row(dp, t);
    const double margin = dp->margin;
    size_t candidates = 0, smallest = 0;
    double bound = HUGE_VAL;
    int s = first_pred[t] > layer - 2 ? first_pred[t] : layer - 2;

    *top_count = 0;
    /* The candidates in the order of their backwards step lists, and the
     * k smallest sums among them. */
    for (; s < t; s++) {
        const size_t state = (size_t)(layer - 1) * (size_t)n + (size_t)s;
        const uint32_t first = dp->state_first[state];
        const uint32_t count = dp->state_count[state];
        const double w = row[s];

        if (count == 0 || w == HUGE_VAL)
            continue;
        if (!grow((void **)&dp->sums, &dp->sums_capacity, candidates + count,
                  sizeof(*dp->sums)))
            return lemica_fail_no_memory("the k-best DP");
        for (uint32_t i = 0; i < count; i++) {
            struct kbest_sum_candidate *c = &dp->sums[candidates++];
            size_t at;

            c->parent = first + i;
            c->w = w;
            c->key = dp->entries[first + i].key + w;
            if (smallest == dp->count && c->key >= dp->smallest[smallest - 1])
                continue;
            at = smallest < dp->count ? smallest++ : smallest - 1;
            while (at > 0 && dp->smallest[at - 1] > c->key) {
                dp->smallest[at] = dp->smallest[at - 1];
                at--;
            }
            dp->smallest[at] = c->key;
        }
    }
    /* Above the k-th smallest sum plus the margin, k candidates dominate. */
    if (smallest == dp->count)
        bound = dp->smallest[smallest - 1] + margin;
    for (size_t i = 0; i < candidates; i++) {
        const struct kbest_sum_candidate *c = &dp->sums[i];
        size_t dominated = 0;
        lemica_status status;

        if (c->key > bound)
            continue;
        for (size_t j = 0; j < candidates && dominated < dp->count; j++) {
            const double other = dp->sums[j].key;

            dominated += other < c->key - margin ||
                         (j < i && other <= c->key);
        }
        if (dominated >= dp->count)
            continue;
        status = append_entry(dp, layer, c->parent, t, c->w, c->key);
        if (status != LEMICA_OK)
            return status;
        weak_insert(dp, top_count, c->key, c->parent,
                    (uint32_t)(dp->num_entries - 1), layer);
    }
    return LEMICA_OK;
}

/* Run the DP over layers 2 .. dp->layers, recording the k best of every
 * end state (N - 1, c) wanted. */
static lemica_status
run_kbest(struct kbest_dp *dp)
{
    const int n = dp->problem->num_steps;
    const int budget = dp->layers;
    lemica_status status;

    /* The root: step 0, one call, an empty cost vector. */
    dp->layer_start[1] = 0;
    status = append_entry(dp, 1, KBEST_NONE, 0, 0.0,
                          dp->comparator == LEMICA_COMPARATOR_SUM ? 0.0
                                                                  : -HUGE_VAL);
    if (status != LEMICA_OK)
        return status;
    dp->state_first[(size_t)n] = 0;
    dp->state_count[(size_t)n] = 1;
    for (int layer = 2; layer <= budget; layer++) {
        /* A state (t, layer) matters if it can still end at (N - 1, B) for
         * a wanted B: t >= layer - 1, and for one budget, the rest of the
         * steps can be covered with the calls left. */
        int t_min, t_max;

        lemica_kbest_state_range(dp->problem, budget, dp->frontier, layer,
                                 &t_min, &t_max);
        dp->layer_start[layer] = dp->num_entries;
        for (int t = t_min; t <= t_max; t++) {
            const size_t state = (size_t)layer * (size_t)n + (size_t)t;
            const size_t before = dp->num_entries;
            size_t top_count = 0;

            if (t == n - 1 && !dp->frontier && layer != budget)
                continue;
            if (dp->comparator == LEMICA_COMPARATOR_SUM)
                status = sum_state(dp, t, layer, &top_count);
            else
                status = weak_state(dp, t, layer, &top_count);
            if (status != LEMICA_OK)
                return status;
            dp->state_first[state] = (uint32_t)before;
            dp->state_count[state] = (uint32_t)(dp->num_entries - before);
            if (t == n - 1) {
                uint32_t *results = dp->results + (size_t)layer * dp->count;
                for (size_t i = 0; i < top_count; i++)
                    results[i] = dp->top[i];
                dp->result_count[layer] = (uint32_t)top_count;
            }
        }
    }
    return LEMICA_OK;
}

/* The steps of the schedule of rank @rank of budget @budget (a
 * lemica_schedule_list_steps). */
static void
result_steps(const void *context, int budget, uint32_t rank, int *steps)
{
    const struct kbest_dp *dp = context;
    uint32_t entry = dp->results[(size_t)budget * dp->count + rank];

    for (int c = budget; c >= 1; c--) {
        steps[c - 1] = dp->entries[entry].step;
        entry = dp->entries[entry].parent;
    }
}

static void
dp_free(struct kbest_dp *dp)
{
    lemica_dealloc(dp->entries);
    lemica_dealloc(dp->state_first);
    lemica_dealloc(dp->state_count);
    lemica_dealloc(dp->layer_start);
    lemica_dealloc(dp->vec[0]);
    lemica_dealloc(dp->vec[1]);
    lemica_dealloc(dp->top);
    lemica_dealloc(dp->scratch);
    lemica_dealloc(dp->sums);
    lemica_dealloc(dp->smallest);
    lemica_dealloc(dp->results);
    lemica_dealloc(dp->result_count);
}

static lemica_status
dp_alloc(struct kbest_dp *dp)
{
    const size_t n = (size_t)dp->problem->num_steps;
    const size_t layers = (size_t)dp->layers + 1;

    dp->state_first = lemica_alloc_zeroed(layers * n, sizeof(uint32_t));
    dp->state_count = lemica_alloc_zeroed(layers * n, sizeof(uint32_t));
    dp->layer_start = lemica_alloc_zeroed(layers + 1, sizeof(size_t));
    dp->results = lemica_alloc_array(layers * dp->count, sizeof(uint32_t));
    dp->result_count = lemica_alloc_zeroed(layers, sizeof(uint32_t));
    dp->top = lemica_alloc_array(dp->count, sizeof(*dp->top));
    if (dp->comparator == LEMICA_COMPARATOR_USER)
        dp->scratch = lemica_alloc_array(layers, sizeof(double));
    if (dp->comparator == LEMICA_COMPARATOR_SUM)
        dp->smallest = lemica_alloc_array(dp->count, sizeof(double));
    if (!dp->state_first || !dp->state_count || !dp->layer_start ||
        !dp->results || !dp->result_count ||
        !dp->top ||
        (dp->comparator == LEMICA_COMPARATOR_USER && !dp->scratch) ||
        (dp->comparator == LEMICA_COMPARATOR_SUM && !dp->smallest))
        return lemica_fail_no_memory("the k-best DP");
    return LEMICA_OK;
}

/* The failure when no wanted budget has a schedule. */
static lemica_status
infeasible(lemica_solver *solver, const lemica_graph *graph, int budget,
           int n, int frontier)
{
    int minimum;

    if (!frontier &&
        lemica_solver_min_budget(solver, graph, &minimum) == LEMICA_OK)
        return lemica_fail(LEMICA_ERR_INFEASIBLE,
                           "budget %d is infeasible for %d steps under these "
                           "edges and constraints (the smallest feasible "
                           "budget is %d)",
                           budget, n, minimum);
    return lemica_fail(LEMICA_ERR_INFEASIBLE,
                       "no schedule reaches the last step under these edges "
                       "and constraints");
}

static lemica_status
solve_k_best(lemica_solver *solver, const lemica_graph *graph, int budget,
             int count, int frontier, lemica_schedule_list **out)
{
    struct lemica_problem problem;
    struct kbest_dp dp;
    lemica_status status;
    int n;

    if (!out)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "out is NULL");
    *out = NULL;
    if (count < 1)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT,
                           "the number of schedules wanted must be >= 1, "
                           "not %d",
                           count);
    /* The usable edges only: no DP workspace, no LEXMAX encoding. */
    status = lemica_solver_prepare(solver, graph, 0, LEMICA_SOLVE_EDGES,
                                   &problem);
    if (status != LEMICA_OK)
        return status;
    n = problem.num_steps;
    if (frontier && n > LEMICA_MAX_FRONTIER_STEPS)
        return lemica_fail(LEMICA_ERR_TOO_LARGE,
                           "a k-best frontier over %d steps is above the "
                           "maximum of %d steps",
                           n, LEMICA_MAX_FRONTIER_STEPS);
    if (!frontier && (budget < 2 || budget > n))
        return lemica_fail(LEMICA_ERR_INFEASIBLE,
                           "budget %d is infeasible: a schedule for %d steps "
                           "computes between 2 and %d of them",
                           budget, n, n);
    if (frontier)
        budget = n;
    {
        unsigned long long entries = (unsigned long long)count *
                                     ((unsigned long long)budget + 1) *
                                     (unsigned long long)n;

        if (entries > LEMICA_MAX_KBEST_ENTRIES)
            return lemica_fail(LEMICA_ERR_TOO_LARGE,
                               "%d best schedules %s %d steps need up to "
                               "%llu DP entries, above the maximum of %d",
                               count,
                               frontier ? "of every budget over"
                                        : "of this budget on",
                               n, entries, LEMICA_MAX_KBEST_ENTRIES);
    }
    if (solver->comparator == LEMICA_COMPARATOR_MAX) {
        status = lemica_solver_kbest_max(solver, &problem, budget, count,
                                         frontier, out);
        if (status == LEMICA_ERR_INFEASIBLE)
            return infeasible(solver, graph, budget, n, frontier);
        return status;
    }
    if (solver->comparator != LEMICA_COMPARATOR_USER) {
        int fallback;

        status = lemica_solver_kbest_lazy(solver, &problem, budget, count,
                                          frontier, out, &fallback);
        if (status == LEMICA_ERR_INFEASIBLE)
            return infeasible(solver, graph, budget, n, frontier);
        if (status != LEMICA_OK || !fallback)
            return status;
    }
    memset(&dp, 0, sizeof(dp));
    dp.solver = solver;
    dp.problem = &problem;
    dp.comparator = solver->comparator;
    dp.vectors = dp.comparator == LEMICA_COMPARATOR_USER;
    dp.count = (size_t)count;
    dp.layers = budget;
    dp.frontier = frontier;
    dp.status = LEMICA_OK;
    dp.margin = lemica_kbest_sum_margin(&problem, solver);
    status = dp_alloc(&dp);
    if (status == LEMICA_OK)
        status = run_kbest(&dp);
    if (status == LEMICA_OK) {
        int any = 0;

        for (int c = 2; c <= budget; c++)
            any |= dp.result_count[c] != 0;
        if (!any)
            status = infeasible(solver, graph, budget, n, frontier);
    }
    if (status == LEMICA_OK)
        status = lemica_schedule_list_build(dp.result_count, budget, graph,
                                            result_steps, &dp,
                                            &solver->work.kbest_ranks, out);
    dp_free(&dp);
    return status;
}

lemica_status
lemica_solver_solve_k_best(lemica_solver *solver, const lemica_graph *graph,
                           int budget, int count, lemica_schedule_list **out)
{
    return solve_k_best(solver, graph, budget, count, 0, out);
}

lemica_status
lemica_solver_solve_k_best_frontier(lemica_solver *solver,
                                    const lemica_graph *graph, int count,
                                    lemica_schedule_list **out)
{
    return solve_k_best(solver, graph, 0, count, 1, out);
}
