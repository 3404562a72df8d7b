/* SPDX-License-Identifier: MIT */
/* The solver handle: configuration, validation, workspace, results. The DP
 * itself is in solver-dp.c. */
#include <math.h>
#include <string.h>

#include "../common/alloc-int.h"
#include "../common/error-int.h"
#include "frontier-int.h"
#include "../core/graph-int.h"
#include "../core/schedule-int.h"
#include "level-counts-int.h"
#include "solver-int.h"

lemica_status
lemica_solver_new(lemica_solver **out)
{
    lemica_solver *solver;

    if (!out)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "out is NULL");
    solver = lemica_alloc_zeroed(1, sizeof(*solver));
    *out = solver;
    if (!solver)
        return lemica_fail_no_memory("a solver");
    solver->comparator = LEMICA_COMPARATOR_LEXMAX;
    solver->head_runs = LEMICA_HEAD_RUNS_DEFAULT;
    solver->digit_encoding = 1;
    return LEMICA_OK;
}

static void
buffer_free(struct lemica_buffer *buffer)
{
    lemica_dealloc(buffer->data);
    buffer->data = NULL;
    buffer->capacity = 0;
}

void
lemica_solver_free(lemica_solver *solver)
{
    struct lemica_workspace *work;

    if (!solver)
        return;
    work = &solver->work;
    buffer_free(&work->incoming);
    buffer_free(&work->outgoing);
    buffer_free(&work->first_pred);
    buffer_free(&work->last_tied);
    for (int i = 0; i < 2; i++) {
        buffer_free(&work->key[i]);
        buffer_free(&work->reached[i]);
        buffer_free(&work->heads[i]);
        buffer_free(&work->head_len[i]);
        buffer_free(&work->vectors[i]);
        buffer_free(&work->scratch[i]);
    }
    buffer_free(&work->pred);
    buffer_free(&work->top_copies);
    buffer_free(&work->top_runs);
    buffer_free(&work->end_reached);
    buffer_free(&work->path);
    buffer_free(&work->path_weights);
    buffer_free(&work->level_ids);
    buffer_free(&work->count_levels);
    buffer_free(&work->counts[0]);
    buffer_free(&work->counts[1]);
    buffer_free(&work->count_tops[0]);
    buffer_free(&work->count_tops[1]);
    buffer_free(&work->lower_weights);
    buffer_free(&work->reach_masks);
    buffer_free(&work->all_heads);
    buffer_free(&work->all_head_len);
    buffer_free(&work->layer_keys);
    buffer_free(&work->tie_states);
    buffer_free(&work->marked);
    buffer_free(&work->layer_ranges);
    buffer_free(&work->anchors);
    buffer_free(&work->anchors_max);
    buffer_free(&work->pair_memo);
    for (int i = 0; i < 2; i++) {
        buffer_free(&work->anchor[i]);
        buffer_free(&work->anchor_max[i]);
    }
    for (int i = 0; i < 2; i++) {
        buffer_free(&work->lower_keys[i]);
    }
    buffer_free(&work->kbest_paths);
    buffer_free(&work->kbest_links);
    buffer_free(&work->kbest_candidates);
    buffer_free(&work->kbest_known);
    buffer_free(&work->kbest_flags);
    buffer_free(&work->kbest_best_max);
    buffer_free(&work->kbest_list);
    buffer_free(&work->kbest_heap_at);
    buffer_free(&work->kbest_heap_size);
    buffer_free(&work->kbest_stack);
    buffer_free(&work->kbest_full[0]);
    buffer_free(&work->kbest_full[1]);
    buffer_free(&work->kbest_order);
    buffer_free(&work->kbest_listed);
    buffer_free(&work->kbest_fl);
    buffer_free(&work->kbest_first_fl);
    buffer_free(&work->kbest_fixed);
    buffer_free(&work->kbest_nodes);
    buffer_free(&work->kbest_pending);
    buffer_free(&work->kbest_dfs);
    buffer_free(&work->kbest_ranks);
    lemica_dealloc(solver->required);
    lemica_dealloc(solver);
}

lemica_status
lemica_solver_set_comparator(lemica_solver *solver,
                             lemica_comparator comparator)
{
    if (!solver)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "solver is NULL");
    switch (comparator) {
    case LEMICA_COMPARATOR_LEXMAX:
    case LEMICA_COMPARATOR_SUM:
    case LEMICA_COMPARATOR_MAX:
        solver->comparator = comparator;
        solver->user_compare = NULL;
        solver->user_data = NULL;
        return LEMICA_OK;
    case LEMICA_COMPARATOR_USER:
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT,
                           "a user comparator is set with "
                           "lemica_solver_set_user_comparator()");
    }
    return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "unknown comparator %d",
                       (int)comparator);
}

lemica_status
lemica_solver_set_user_comparator(lemica_solver *solver,
                                  lemica_compare_fn compare, void *user_data)
{
    if (!solver || !compare)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT,
                           "solver and compare must not be NULL");
    solver->comparator = LEMICA_COMPARATOR_USER;
    solver->user_compare = compare;
    solver->user_data = user_data;
    return LEMICA_OK;
}

lemica_comparator
lemica_solver_comparator(const lemica_solver *solver)
{
    return solver ? solver->comparator : LEMICA_COMPARATOR_LEXMAX;
}

lemica_status
lemica_solver_set_max_skip(lemica_solver *solver, int max_skip)
{
    if (!solver)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "solver is NULL");
    if (max_skip < 0)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT,
                           "max skip must be >= 1, or 0 for none, not %d",
                           max_skip);
    solver->max_skip = max_skip;
    return LEMICA_OK;
}

int
lemica_solver_max_skip(const lemica_solver *solver)
{
    return solver ? solver->max_skip : 0;
}

/* Make required[0 .. count) addressable, new entries 0. */
static lemica_status
grow_required(lemica_solver *solver, size_t count)
{
    unsigned char *grown;

    if (count <= solver->required_capacity)
        return LEMICA_OK;
    grown = lemica_realloc_array(solver->required, count, 1);
    if (!grown)
        return lemica_fail_no_memory("required steps");
    memset(grown + solver->required_capacity, 0,
           count - solver->required_capacity);
    solver->required = grown;
    solver->required_capacity = count;
    return LEMICA_OK;
}

lemica_status
lemica_solver_require_step(lemica_solver *solver, int step)
{
    lemica_status status;

    if (!solver)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "solver is NULL");
    if (step < 0 || step >= LEMICA_MAX_STEPS)
        return lemica_fail(LEMICA_ERR_OUT_OF_RANGE,
                           "required step %d is outside 0 .. %d", step,
                           LEMICA_MAX_STEPS - 1);
    status = grow_required(solver, (size_t)step + 1);
    if (status != LEMICA_OK)
        return status;
    solver->required[step] = 1;
    return LEMICA_OK;
}

lemica_status
lemica_solver_require_first_steps(lemica_solver *solver, int count)
{
    lemica_status status;

    if (!solver)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "solver is NULL");
    if (count < 0 || count > LEMICA_MAX_STEPS)
        return lemica_fail(LEMICA_ERR_OUT_OF_RANGE,
                           "warm-up step count %d is outside 0 .. %d", count,
                           LEMICA_MAX_STEPS);
    status = grow_required(solver, (size_t)count);
    if (status != LEMICA_OK)
        return status;
    if (count > 0)
        memset(solver->required, 1, (size_t)count);
    return LEMICA_OK;
}

void
lemica_solver_clear_required_steps(lemica_solver *solver)
{
    if (solver && solver->required)
        memset(solver->required, 0, solver->required_capacity);
}

int
lemica_solver_is_step_required(const lemica_solver *solver, int step)
{
    if (!solver || step < 0 || (size_t)step >= solver->required_capacity)
        return 0;
    return solver->required[step] != 0;
}

void
lemica_solver_set_head_runs(lemica_solver *solver, int runs)
{
    if (runs < 1)
        runs = 1;
    if (runs > LEMICA_HEAD_RUNS_MAX)
        runs = LEMICA_HEAD_RUNS_MAX;
    solver->head_runs = runs;
}

/* Grow @buffer to @count elements of @size bytes; keeps nothing worth
 * keeping, but realloc keeps the block valid on failure. */
int
lemica_solver_reserve(struct lemica_buffer *buffer, size_t count, size_t size)
{
    void *grown;

    if (count <= buffer->capacity)
        return 1;
    grown = lemica_realloc_array(buffer->data, count, size);
    if (!grown)
        return 0;
    buffer->data = grown;
    buffer->capacity = count;
    return 1;
}

static size_t
checked_product(size_t a, size_t b)
{
    return b != 0 && a > SIZE_MAX / b ? SIZE_MAX : a * b;
}

static lemica_status
reserve_workspace(lemica_solver *solver, const struct lemica_problem *problem)
{
    struct lemica_workspace *work = &solver->work;
    const size_t n = (size_t)problem->num_steps;
    const size_t layers = (size_t)problem->budget + 1;
    int ok = 1;

    if (!problem->blocked)
        ok = ok && lemica_solver_reserve(&work->incoming,
                           checked_product(n, (size_t)problem->max_skip),
                           sizeof(double));
    if (problem->blocked) {
        ok = ok && lemica_solver_reserve(&work->outgoing,
                           checked_product(n + 1, (size_t)problem->max_skip +
                                                      LEMICA_BLOCK_PAD),
                           sizeof(double));
        ok = ok && lemica_solver_reserve(&work->last_tied, n, sizeof(uint16_t));
    }
    ok = ok && lemica_solver_reserve(&work->first_pred, n, sizeof(int));
    ok = ok && lemica_solver_reserve(&work->pred, checked_product(n, layers),
                       sizeof(uint16_t));
    ok = ok && lemica_solver_reserve(&work->end_reached, layers, 1);
    ok = ok && lemica_solver_reserve(&work->path, layers, sizeof(int));
    ok = ok && lemica_solver_reserve(&work->path_weights, layers, sizeof(double));
    if (problem->blocked && solver->comparator == LEMICA_COMPARATOR_LEXMAX) {
        ok = ok && lemica_solver_reserve(&work->all_heads,
                           checked_product(checked_product(n, layers),
                                           (size_t)solver->head_runs),
                           sizeof(struct lemica_run));
        ok = ok && lemica_solver_reserve(&work->all_head_len,
                           checked_product(n, layers), 1);
    }
    if ((problem->blocked && solver->comparator == LEMICA_COMPARATOR_LEXMAX &&
         !problem->frontier) ||
        lemica_solver_row_one(solver, problem)) {
        ok = ok && lemica_solver_reserve(&work->layer_keys,
                           checked_product(n, layers), sizeof(double));
        ok = ok && lemica_solver_reserve(&work->tie_states,
                           checked_product(n, layers),
                           sizeof(struct lemica_tie_state));
        ok = ok && lemica_solver_reserve(&work->marked,
                           checked_product(n, 3), sizeof(uint16_t));
        ok = ok && lemica_solver_reserve(&work->layer_ranges,
                           checked_product(layers, 2), sizeof(int));
    }
    for (int i = 0; i < 2; i++) {
        ok = ok && lemica_solver_reserve(&work->key[i], n, sizeof(double));
        ok = ok && lemica_solver_reserve(&work->scratch[i], layers, sizeof(double));
        /* LEXMAX may run as a SUM (solver-encode.c). */
        if (solver->comparator == LEMICA_COMPARATOR_SUM ||
            solver->comparator == LEMICA_COMPARATOR_LEXMAX)
            ok = ok && lemica_solver_reserve(&work->reached[i], n, 1);
        if (solver->comparator == LEMICA_COMPARATOR_LEXMAX) {
            ok = ok && lemica_solver_reserve(&work->heads[i],
                               checked_product(n, (size_t)solver->head_runs),
                               sizeof(struct lemica_run));
            ok = ok && lemica_solver_reserve(&work->head_len[i], n, 1);
        }
        if (solver->comparator == LEMICA_COMPARATOR_USER)
            ok = ok && lemica_solver_reserve(&work->vectors[i], checked_product(n, layers),
                               sizeof(double));
    }
    if (solver->comparator == LEMICA_COMPARATOR_LEXMAX && !problem->blocked) {
        size_t anchor_layers;

        work->anchor_stretch = lemica_solver_anchor_stretch();
        anchor_layers = layers / (size_t)work->anchor_stretch + 2;

        for (int i = 0; i < 2; i++) {
            ok = ok && lemica_solver_reserve(&work->anchor[i], n,
                                             sizeof(uint16_t));
            ok = ok && lemica_solver_reserve(&work->anchor_max[i], n,
                                             sizeof(double));
        }
        ok = ok && lemica_solver_reserve(&work->anchors,
                                         checked_product(n, anchor_layers),
                                         sizeof(uint16_t));
        ok = ok && lemica_solver_reserve(&work->anchors_max,
                                         checked_product(n, anchor_layers),
                                         sizeof(double));
        ok = ok && lemica_solver_reserve(&work->top_copies, n,
                                         sizeof(double));
        work->pair_memo_bits = lemica_pair_memo_bits(n);
        ok = ok && lemica_solver_reserve(&work->pair_memo,
                                         (size_t)2 << work->pair_memo_bits,
                                         sizeof(struct lemica_pair_memo));
    }
    if (!ok)
        return lemica_fail_no_memory("the solver workspace");
    return LEMICA_OK;
}

static int
is_required(const lemica_solver *solver, int step)
{
    return (size_t)step < solver->required_capacity && solver->required[step];
}

/* Fill the incoming matrix: row t holds the usable edges into t. */
static void
fill_incoming(lemica_solver *solver, const struct lemica_problem *problem)
{
    const int n = problem->num_steps, k = problem->max_skip;
    const int *first_pred = solver->work.first_pred.data;
    double *incoming = solver->work.incoming.data;

    for (int t = 0; t < n; t++) {
        double *row = incoming + (size_t)t * (size_t)k;

        for (int j = 0; j < k; j++) {
            int s = t - k + j;
            double w = HUGE_VAL;

            if (s >= first_pred[t] && s < t) {
                w = lemica_graph_weight_or_nan(problem->graph, s, t);
                if (isnan(w))
                    w = HUGE_VAL;
            }
            row[j] = w;
        }
    }
}

/* Fill the outgoing matrix of the blocked scan (layout in solver-int.h):
 * row s holds the usable edges out of s. It is the graph's own layout
 * with +inf for absent edges, so each row is a straight copy. */
static void
fill_outgoing(lemica_solver *solver, const struct lemica_problem *problem)
{
    const int n = problem->num_steps, k = problem->max_skip;
    const size_t stride = (size_t)k + LEMICA_BLOCK_PAD;
    const lemica_graph *graph = problem->graph;
    double *outgoing = solver->work.outgoing.data;
    /* The first required step after s: no usable edge from s jumps it. */
    int next_required = n - 1;

    for (int s = n; s >= 0; s--) {
        double *row = outgoing + (size_t)s * stride;
        int spans, d;

        if (s + 1 < n && is_required(solver, s + 1))
            next_required = s + 1;
        spans = next_required - s < k ? next_required - s : k;
        for (int i = 0; i < LEMICA_BLOCK_PAD; i++)
            row[i] = HUGE_VAL;
        row += LEMICA_BLOCK_PAD - 1; /* row[d]: the edge of span d */
        for (d = 1; d <= spans; d++) {
            double weight = lemica_graph_weight_or_nan(graph, s, s + d);

            row[d] = isnan(weight) ? HUGE_VAL : weight;
        }
        for (; d <= k; d++)
            row[d] = HUGE_VAL;
    }
}

/* The row scan's LEXMAX frontier on a graph holding DBL_MAX keeps each
 * state's run of steps shared with the layer before (top_runs, see
 * pair_walk() in solver-dp.c): its DBL_MAX ties walk back along paths
 * that run through the same steps a layer apart for hundreds of steps
 * (N = 1000, K = 20). One pass over the incoming matrix finds whether
 * it holds DBL_MAX; other graphs reserve nothing. */
static lemica_status
prepare_top_runs(lemica_solver *solver, struct lemica_problem *problem)
{
    if (!problem->frontier || problem->blocked || problem->lexmax_as_sum ||
        problem->count_words ||
        !lemica_solver_holds_dbl_max(solver->work.incoming.data,
                                     (size_t)problem->num_steps *
                                         (size_t)problem->max_skip))
        return LEMICA_OK;
    if (!lemica_solver_reserve(&solver->work.top_runs,
                               checked_product((size_t)problem->num_steps,
                                               (size_t)problem->budget + 1),
                               sizeof(uint32_t)))
        return lemica_fail_no_memory("the solver workspace");
    problem->top_runs = 1;
    return LEMICA_OK;
}

lemica_status
lemica_solver_prepare(lemica_solver *solver, const lemica_graph *graph,
                      int budget, enum lemica_solve_kind kind,
                      struct lemica_problem *problem)
{
    const int frontier = kind == LEMICA_SOLVE_FRONTIER;
    lemica_status status;
    int *first_pred;
    int last_required = 0;
    int n, k;

    if (!solver || !graph)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT,
                           "solver and graph must not be NULL");
    n = graph->num_steps;
    k = graph->max_skip;
    if (solver->max_skip > 0 && solver->max_skip < k)
        k = solver->max_skip;
    for (size_t step = (size_t)n; step < solver->required_capacity; step++)
        if (solver->required[step])
            return lemica_fail(LEMICA_ERR_OUT_OF_RANGE,
                               "required step %zu is outside a graph of %d "
                               "steps",
                               step, n);
    if (kind == LEMICA_SOLVE_EDGES)
        budget = 2; /* no DP: the smallest workspace */
    if (!frontier && (budget < 2 || budget > n))
        return lemica_fail(LEMICA_ERR_INFEASIBLE,
                           "budget %d is infeasible: a schedule for %d steps "
                           "computes between 2 and %d of them",
                           budget, n, n);

    /* A frontier holds a schedule for every feasible budget: about 7 N^2
     * bytes of results on top of the DP, 1.9 GB at the N the state limit
     * alone would allow. Its own step limit keeps it below the graph's
     * 1 GiB (see LEMICA_MAX_FRONTIER_STEPS). */
    if (frontier && n > LEMICA_MAX_FRONTIER_STEPS)
        return lemica_fail(LEMICA_ERR_TOO_LARGE,
                           "a frontier over %d steps is above the maximum of "
                           "%d steps (its schedules alone would take about "
                           "%llu MiB): solve single budgets instead",
                           n, LEMICA_MAX_FRONTIER_STEPS,
                           7ull * (unsigned long long)n * (unsigned long long)n >> 20);
    {
        size_t layers = (size_t)(frontier ? n : budget) + 1;
        size_t limit = solver->comparator == LEMICA_COMPARATOR_USER
                           ? (size_t)LEMICA_MAX_USER_SOLVER_STATES
                           : (size_t)LEMICA_MAX_SOLVER_STATES;

        if (layers * (size_t)n > limit)
            return lemica_fail(LEMICA_ERR_TOO_LARGE,
                               "%s %d steps needs %zu DP states, above the "
                               "maximum of %zu",
                               frontier ? "a frontier over" : "this budget on",
                               n, layers * (size_t)n, limit);
    }
    problem->graph = graph;
    problem->num_steps = n;
    problem->max_skip = k;
    problem->budget = frontier ? n : budget;
    problem->frontier = frontier;
    problem->lexmax_as_sum = 0;
    problem->digit_groups = 0;
    problem->count_words = 0;
    problem->top_runs = 0;
    problem->blocked = kind != LEMICA_SOLVE_EDGES &&
                       lemica_solver_use_blocked_scan(solver, problem);
    status = reserve_workspace(solver, problem);
    if (status != LEMICA_OK)
        return status;

    /* A usable edge (s, t) has t - s <= k and jumps over no required step:
     * s >= the last required step before t. */
    first_pred = solver->work.first_pred.data;
    for (int t = 0; t < n; t++) {
        first_pred[t] = t - k > last_required ? t - k : last_required;
        if (is_required(solver, t))
            last_required = t;
    }
    /* The blocked scan reads the outgoing matrix only; everything else
     * reads the incoming one. */
    if (problem->blocked)
        fill_outgoing(solver, problem);
    else
        fill_incoming(solver, problem);
    if (solver->comparator == LEMICA_COMPARATOR_LEXMAX &&
        kind != LEMICA_SOLVE_EDGES) {
        status = lemica_solver_encode_lexmax(solver, problem);
        if (status != LEMICA_OK)
            return status;
        /* Both below serve the frontier only. */
        if (!problem->frontier)
            return LEMICA_OK;
        /* Where the encoding does not run: level counts if few values. */
        status = lemica_solver_prepare_counts(solver, problem);
        if (status != LEMICA_OK)
            return status;
        return prepare_top_runs(solver, problem);
    }
    return LEMICA_OK;
}

lemica_status
lemica_solver_min_budget(lemica_solver *solver, const lemica_graph *graph,
                         int *budget)
{
    struct lemica_problem problem;
    lemica_status status;
    const double *incoming;
    const int *first_pred;
    int *calls;

    if (!budget)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "budget is NULL");
    status = lemica_solver_prepare(solver, graph, 0, LEMICA_SOLVE_EDGES,
                                   &problem);
    if (status != LEMICA_OK)
        return status;
    /* Fewest calls to reach each step, breadth-first over the usable
     * edges; the path buffer holds the counts. */
    if (!lemica_solver_reserve(&solver->work.path, (size_t)problem.num_steps, sizeof(int)))
        return lemica_fail_no_memory("the solver workspace");
    incoming = solver->work.incoming.data;
    first_pred = solver->work.first_pred.data;
    calls = solver->work.path.data;
    calls[0] = 1;
    for (int t = 1; t < problem.num_steps; t++) {
        const double *row = incoming + (size_t)(t + 1) * problem.max_skip - t;

        calls[t] = 0;
        for (int s = first_pred[t]; s < t; s++)
            if (calls[s] && row[s] < HUGE_VAL &&
                (calls[t] == 0 || calls[s] + 1 < calls[t]))
                calls[t] = calls[s] + 1;
    }
    if (calls[problem.num_steps - 1] == 0)
        return lemica_fail(LEMICA_ERR_INFEASIBLE,
                           "no schedule reaches the last step under these "
                           "edges and constraints");
    *budget = calls[problem.num_steps - 1];
    return LEMICA_OK;
}

/* Write the path of @budget (after the DP) into @schedule. */
static lemica_status
store_result(lemica_solver *solver, const struct lemica_problem *problem,
             int budget, lemica_schedule *schedule)
{
    lemica_status status;

    status = lemica_schedule_reserve(schedule, problem->num_steps, budget);
    if (status != LEMICA_OK)
        return status;
    lemica_solver_backtrack(solver, problem, budget);
    memcpy(schedule->steps, solver->work.path.data,
           (size_t)budget * sizeof(int));
    lemica_schedule_commit_steps(schedule, problem->num_steps, budget);
    lemica_schedule_set_costs(schedule, solver->work.path_weights.data);
    return LEMICA_OK;
}

lemica_status
lemica_solver_solve_into(lemica_solver *solver, const lemica_graph *graph,
                         int budget, lemica_schedule *schedule)
{
    struct lemica_problem problem;
    lemica_status status;

    if (!schedule)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "schedule is NULL");
    status = lemica_solver_prepare(solver, graph, budget, LEMICA_SOLVE_ONE,
                                   &problem);
    if (status != LEMICA_OK)
        return status;
    /* Reserve before solving so that a failure leaves the schedule as it
     * was; reserving keeps its contents. */
    status = lemica_schedule_reserve(schedule, problem.num_steps, budget);
    if (status != LEMICA_OK)
        return status;
    lemica_solver_run_dp(solver, &problem);
    if (!((unsigned char *)solver->work.end_reached.data)[budget]) {
        int minimum;

        if (lemica_solver_min_budget(solver, graph, &minimum) == LEMICA_OK)
            return lemica_fail(LEMICA_ERR_INFEASIBLE,
                               "budget %d is infeasible for %d steps under "
                               "these edges and constraints (the smallest "
                               "feasible budget is %d)",
                               budget, problem.num_steps, minimum);
        return lemica_fail(LEMICA_ERR_INFEASIBLE,
                           "no schedule reaches the last step under these "
                           "edges and constraints");
    }
    return store_result(solver, &problem, budget, schedule);
}

lemica_status
lemica_solver_solve(lemica_solver *solver, const lemica_graph *graph,
                    int budget, lemica_schedule **out)
{
    lemica_schedule *schedule;
    lemica_status status;

    if (!out)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "out is NULL");
    *out = NULL;
    status = lemica_schedule_alloc(&schedule);
    if (status != LEMICA_OK)
        return status;
    status = lemica_solver_solve_into(solver, graph, budget, schedule);
    if (status != LEMICA_OK) {
        lemica_schedule_free(schedule);
        return status;
    }
    *out = schedule;
    return LEMICA_OK;
}

/* Backtrack every schedule of @frontier straight into its steps and (path
 * order) costs. One walk is a chain of dependent loads; the walks of all
 * budgets go back layer by layer together, so that the processor overlaps
 * them instead of waiting on each load. */
static void
backtrack_frontier(lemica_solver *solver, const struct lemica_problem *problem,
                   lemica_frontier *frontier)
{
    const size_t num_steps = (size_t)problem->num_steps;
    const uint16_t *pred = solver->work.pred.data;
    /* The step each walk is at; the path buffer has room for N + 1. */
    int *at = solver->work.path.data;
    size_t count = frontier->count, walking = count;

    for (size_t i = 0; i < count; i++) {
        lemica_schedule *schedule = &frontier->schedules[i];

        at[i] = problem->num_steps - 1;
        schedule->steps[schedule->steps_capacity - 1] = at[i];
    }
    /* Budgets ascend, so the walks still going at layer c (budget >= c)
     * are a suffix of the schedules. */
    for (int c = problem->budget; c > 1; c--) {
        const uint16_t *row = pred + (size_t)c * num_steps;

        while (walking > 0 &&
               frontier->schedules[walking - 1].steps_capacity >= (size_t)c)
            walking--;
        for (size_t i = walking; i < count; i++) {
            lemica_schedule *schedule = &frontier->schedules[i];
            int before = row[at[i]];

            schedule->steps[c - 2] = before;
            schedule->costs[c - 2] =
                lemica_graph_weight_or_nan(problem->graph, before, at[i]);
            at[i] = before;
        }
    }
}

lemica_status
lemica_solver_solve_frontier(lemica_solver *solver, const lemica_graph *graph,
                             lemica_frontier **out)
{
    struct lemica_problem problem;
    lemica_frontier *frontier;
    const unsigned char *reached;
    int *budgets;
    lemica_status status;
    size_t count = 0;

    if (!out)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "out is NULL");
    *out = NULL;
    status = lemica_solver_prepare(solver, graph, 0, LEMICA_SOLVE_FRONTIER,
                                   &problem);
    if (status != LEMICA_OK)
        return status;
    lemica_solver_run_dp(solver, &problem);
    /* The feasible budgets, listed in the path buffer (N + 1 ints). */
    reached = solver->work.end_reached.data;
    budgets = solver->work.path.data;
    for (int c = 2; c <= problem.budget; c++)
        if (reached[c])
            budgets[count++] = c;
    if (count == 0)
        return lemica_fail(LEMICA_ERR_INFEASIBLE,
                           "no schedule reaches the last step under these "
                           "edges and constraints");
    status = lemica_frontier_alloc(count, budgets, problem.num_steps, &frontier);
    if (status != LEMICA_OK)
        return status;
    /* Each schedule has exactly the room of its budget, so storing
     * allocates nothing. */
    backtrack_frontier(solver, &problem, frontier);
    for (size_t i = 0; i < count; i++) {
        lemica_schedule *schedule = &frontier->schedules[i];

        lemica_schedule_commit_steps(schedule, problem.num_steps,
                                     (int)schedule->steps_capacity);
        lemica_schedule_set_costs(schedule, schedule->costs);
    }
    *out = frontier;
    return LEMICA_OK;
}
