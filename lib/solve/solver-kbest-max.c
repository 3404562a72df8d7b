/* SPDX-License-Identifier: MIT */
/* The k best schedules under MAX: a backward search over the DP states
 * (step, calls), best first (the order and the proof are in
 * lemica-kbest.h). */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "../common/alloc-int.h"
#include "../common/error-int.h"
#include "../common/index-sort-int.h"
#include "kbest-lazy-int.h"
#include "kbest-max-int.h"
#include "schedule-list-int.h"

#define MAX_NONE UINT32_MAX

/* MAX: a node of the backward search, the suffix from (N - 1, B) back to
 * (@step, @layer), @parent the node it extends (toward the end), @theta
 * its largest weight (-inf for none). */
struct max_node {
    uint32_t parent;
    int32_t step;
    int32_t layer;
    double theta;
};

/* MAX: an expanded node and the smallest bound of its children not made
 * yet. */
struct max_pending {
    uint32_t node;
    double next;
};

struct max_search {
    lemica_solver *solver;
    const struct lemica_problem *problem;
    size_t count;  /* schedules a budget may list: k */
    size_t wanted; /* k */
    int layers;
    uint32_t *order;  /* per budget c, the nodes listed (count) */
    uint32_t *listed; /* per budget c, how many */
    double *best_max; /* per state c * N + t: F(t, c), +inf if unreached */
    struct max_node *nodes;
    size_t num_nodes;
    struct max_pending *pending;
    size_t num_pending;
    uint32_t *dfs;
    size_t num_dfs;
    uint32_t *items;
    size_t num_items;
};

/* Grow @buffer (of the solver's workspace) to @needed elements of @size
 * bytes, keeping its contents; @data then points to it. Inline: most
 * calls find the room there. */
static inline int
max_grow(struct lemica_buffer *buffer, void **data, size_t needed,
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

static const double *
max_row(const struct max_search *lz, int t)
{
    return lemica_kbest_incoming_row(lz->solver, lz->problem, t);
}

/* The predecessors of (@t, @c) that may hold paths: s in *lo .. t - 1. */
static int
max_first_pred(const struct max_search *lz, int t, int c)
{
    const int *first_pred = lz->solver->work.first_pred.data;

    return first_pred[t] > c - 2 ? first_pred[t] : c - 2;
}

/* Point at the workspace's buffers, grown as needed. */
static lemica_status
max_alloc(struct max_search *lz)
{
    struct lemica_workspace *work = &lz->solver->work;
    const size_t n = (size_t)lz->problem->num_steps;
    const size_t layers = (size_t)lz->layers + 1;
    const size_t states = layers * n;
    int ok = 1;

    ok = ok && lemica_solver_reserve(&work->kbest_best_max, states,
                                     sizeof(double));
    ok = ok && lemica_solver_reserve(&work->kbest_order, layers * lz->count,
                                     sizeof(uint32_t));
    ok = ok && lemica_solver_reserve(&work->kbest_listed, layers,
                                     sizeof(uint32_t));
    if (!ok)
        return lemica_fail_no_memory("the k-best enumeration");
    lz->best_max = work->kbest_best_max.data;
    lz->order = work->kbest_order.data;
    lz->listed = work->kbest_listed.data;
    memset(lz->listed, 0, layers * sizeof(uint32_t));
    for (size_t i = 0; i < states; i++)
        lz->best_max[i] = HUGE_VAL;
    return LEMICA_OK;
}

/* The steps of the schedule of rank @rank of budget @budget (a
 * lemica_schedule_list_steps): a search node, a suffix read forwards from
 * step 0. */
static void
max_steps(const void *context, int budget, uint32_t rank, int *steps)
{
    const struct max_search *lz = context;
    uint32_t path = lz->order[(size_t)budget * lz->count + rank];

    for (int call = 1; call <= budget; call++) {
        steps[call - 1] = lz->nodes[path].step;
        path = lz->nodes[path].parent;
    }
}

/* The list of the schedules found for the final states (N - 1, c). */
static lemica_status
max_collect(const struct max_search *lz, lemica_schedule_list **out)
{
    return lemica_schedule_list_build(lz->listed, lz->layers,
                                      lz->problem->graph, max_steps, lz,
                                      &lz->solver->work.kbest_ranks, out);
}

/* ---- MAX ---------------------------------------------------------------
 *
 * MAX keeps order only weakly: extended by a weight w, every path whose
 * maximum is at most w ties, and the step lists decide among them, so
 * the paths of a state have no order that all their extensions keep, and
 * the lazy enumeration of solver-kbest-lazy.c does not apply. Instead
 * each final state (N - 1, B) is searched backwards, best first. A node is a suffix of schedules,
 * from (N - 1, B) back to a state (t, c), with its largest weight theta;
 * F(t, c), the smallest maximum of a path from the start to (t, c) (the
 * one-best DP), makes max(theta, F(t, c)) the best maximum of any
 * schedule with that suffix, and some schedule has it. In the order of
 * lemica-kbest.h, by that bound first and then by the backwards step
 * list, every suffix comes before its extensions (bounds only grow along
 * a suffix, and a prefix of a step list comes first), so the complete
 * schedules come out of a best-first search in order. The search runs by
 * levels of the bound: at level L a depth-first walk, children by
 * ascending step, visits the suffixes of bound L in the order of their
 * step lists (every one completes at level L: no dead ends); each
 * expanded node remembers the smallest bound above L of its children,
 * and the next level starts from those of its nodes, in the order of
 * their step lists. */

/* The one-best DP of MAX: F(t, c) into best_max (+inf if unreached). */
static void
max_bounds(struct max_search *lz, int budget, int frontier)
{
    const int n = lz->problem->num_steps;

    lz->best_max[n] = -HUGE_VAL;
    for (int c = 2; c <= budget; c++) {
        int t_min, t_max;

        lemica_kbest_state_range(lz->problem, budget, frontier, c, &t_min,
                                 &t_max);
        for (int t = t_min; t <= t_max; t++) {
            const double *prev = lz->best_max + (size_t)(c - 1) * (size_t)n;
            const double *row = max_row(lz, t);
            double best = HUGE_VAL;

            for (int s = max_first_pred(lz, t, c); s < t; s++) {
                double m = prev[s] > row[s] ? prev[s] : row[s];

                best = m < best ? m : best;
            }
            lz->best_max[(size_t)c * (size_t)n + (size_t)t] = best;
        }
    }
}

static uint32_t
add_node(struct max_search *lz, uint32_t parent, int step, int layer, double theta)
{
    const struct max_node node = {parent, step, layer, theta};

    if (!max_grow(&lz->solver->work.kbest_nodes, (void **)&lz->nodes,
                   lz->num_nodes + 1, sizeof(*lz->nodes)))
        return MAX_NONE;
    lz->nodes[lz->num_nodes] = node;
    return (uint32_t)lz->num_nodes++;
}

static int
push_dfs(struct max_search *lz, uint32_t node)
{
    if (!max_grow(&lz->solver->work.kbest_dfs, (void **)&lz->dfs,
                   lz->num_dfs + 1, sizeof(*lz->dfs)))
        return 0;
    lz->dfs[lz->num_dfs++] = node;
    return 1;
}

/* Leave @node waiting for the level @next. Unordered: most never come
 * up (the search has its k schedules first), so a heap's ordering of
 * them on the way in would be spent for nothing; a new level scans the
 * waiting ones instead. */
static int
push_pending(struct max_search *lz, uint32_t node, double next)
{
    if (!max_grow(&lz->solver->work.kbest_pending, (void **)&lz->pending,
                   lz->num_pending + 1, sizeof(*lz->pending)))
        return 0;
    lz->pending[lz->num_pending].node = node;
    lz->pending[lz->num_pending].next = next;
    lz->num_pending++;
    return 1;
}

/* The children of @node at level @level: made (as items when @items,
 * else pushed for the walk, last step first), and the smallest bound
 * above the level into *@next (+inf if none). */
static lemica_status
node_children(struct max_search *lz, uint32_t node, double level, int items,
              double *next)
{
    const size_t n = (size_t)lz->problem->num_steps;
    const int t = lz->nodes[node].step, c = lz->nodes[node].layer;
    const double theta = lz->nodes[node].theta;
    const double *bound = lz->best_max + (size_t)(c - 1) * n;
    const double *row = max_row(lz, t);
    const int s_first = max_first_pred(lz, t, c);

    double smallest = HUGE_VAL;

    /* An unusable edge or unreached state gives b = +inf, never the level
     * (finite) nor below the smallest. */
    /* Into layer 1 only step 0: the rest of that row is unreached. */
    for (int s = c == 2 ? 0 : t - 1; s >= s_first; s--) {
        const double w = row[s], g = w > bound[s] ? w : bound[s];
        const double b = theta > g ? theta : g;
        uint32_t child;

        if (b != level) {
            if (b > level && b < smallest)
                smallest = b;
            continue;
        }
        if (lz->num_nodes >= LEMICA_MAX_KBEST_ENTRIES)
            return lemica_fail(LEMICA_ERR_TOO_LARGE,
                               "the k-best search keeps more than %d "
                               "nodes: ask for fewer schedules or a "
                               "smaller problem",
                               LEMICA_MAX_KBEST_ENTRIES);
        child = add_node(lz, node, s, c - 1, theta > w ? theta : w);
        if (child == MAX_NONE)
            return lemica_fail_no_memory("the k-best search");
        if (items) {
            if (!max_grow(&lz->solver->work.kbest_items, (void **)&lz->items,
                           lz->num_items + 1, sizeof(*lz->items)))
                return lemica_fail_no_memory("the k-best search");
            lz->items[lz->num_items++] = child;
        } else if (!push_dfs(lz, child)) {
            return lemica_fail_no_memory("the k-best search");
        }
    }
    *next = smallest;
    return LEMICA_OK;
}

/* Two suffixes, neither extending the other, by their step lists read
 * backwards: -1 or 1. */
static int
suffix_order(const struct max_search *lz, uint32_t a, uint32_t b)
{
    const struct max_node *nodes = lz->nodes;

    while (nodes[a].layer < nodes[b].layer)
        a = nodes[a].parent;
    while (nodes[b].layer < nodes[a].layer)
        b = nodes[b].parent;
    if (a == b)
        return 0;
    while (nodes[a].parent != nodes[b].parent) {
        a = nodes[a].parent;
        b = nodes[b].parent;
    }
    return nodes[a].step < nodes[b].step ? -1 : 1;
}

/* Whether suffix @a comes before @b (a lemica_index_before). */
static int
suffix_before(const void *context, uint32_t a, uint32_t b)
{
    return suffix_order(context, a, b) < 0;
}

/* Sort the items by their step lists: a merge sort, since they come in
 * the order their parents waited in (by bound), far from this one, and a
 * comparison walks up to where two suffixes meet. The walk's stack, empty
 * here, is the buffer. Returns 0 if it cannot grow. */
static int
sort_suffixes(struct max_search *lz)
{
    if (!max_grow(&lz->solver->work.kbest_dfs, (void **)&lz->dfs,
                   lz->num_items, sizeof(*lz->dfs)))
        return 0;
    lemica_index_sort(lz->items, lz->dfs, lz->num_items, suffix_before, lz);
    return 1;
}

/* The k best schedules of budget @c by the backward search. */
static lemica_status
search_max(struct max_search *lz, int c)
{
    const size_t n = (size_t)lz->problem->num_steps;
    uint32_t *order = lz->order + (size_t)c * lz->count;
    double level = lz->best_max[(size_t)c * n + n - 1];
    uint32_t root, found = 0;
    lemica_status status;

    lz->listed[c] = 0;
    if (level == HUGE_VAL)
        return LEMICA_OK;
    root = add_node(lz, MAX_NONE, (int)n - 1, c, -HUGE_VAL);
    if (root == MAX_NONE)
        return lemica_fail_no_memory("the k-best search");
    lz->num_pending = 0;
    lz->num_dfs = 0;
    if (!push_dfs(lz, root))
        return lemica_fail_no_memory("the k-best search");
    for (;;) {
        while (lz->num_dfs > 0 && found < lz->wanted) {
            uint32_t node = lz->dfs[--lz->num_dfs];
            double next;

            if (lz->nodes[node].layer == 1) {
                order[found++] = node;
                continue;
            }
            status = node_children(lz, node, level, 0, &next);
            if (status != LEMICA_OK)
                return status;
            if (next != HUGE_VAL && !push_pending(lz, node, next))
                return lemica_fail_no_memory("the k-best search");
        }
        if (found == lz->wanted || lz->num_pending == 0)
            break;
        /* The next level, the smallest that nodes wait for: the
         * children of that bound of every node waiting for it, in the
         * order of their step lists. A node taken is replaced by the
         * last; what it waits for next is above the level. */
        level = HUGE_VAL;
        for (size_t i = 0; i < lz->num_pending; i++)
            level = lz->pending[i].next < level ? lz->pending[i].next : level;
        lz->num_items = 0;
        for (size_t i = 0; i < lz->num_pending;) {
            uint32_t node = lz->pending[i].node;
            double next;

            if (lz->pending[i].next != level) {
                i++;
                continue;
            }
            lz->pending[i] = lz->pending[--lz->num_pending];
            status = node_children(lz, node, level, 1, &next);
            if (status != LEMICA_OK)
                return status;
            if (next != HUGE_VAL && !push_pending(lz, node, next))
                return lemica_fail_no_memory("the k-best search");
        }
        if (!sort_suffixes(lz))
            return lemica_fail_no_memory("the k-best search");
        for (size_t i = lz->num_items; i-- > 0;)
            if (!push_dfs(lz, lz->items[i]))
                return lemica_fail_no_memory("the k-best search");
    }
    lz->listed[c] = found;
    return LEMICA_OK;
}

lemica_status
lemica_solver_kbest_max(lemica_solver *solver,
                        const struct lemica_problem *problem, int budget,
                        int count, int frontier, lemica_schedule_list **out)
{
    struct max_search lz;
    lemica_status status;

    memset(&lz, 0, sizeof(lz));
    lz.solver = solver;
    lz.problem = problem;
    lz.wanted = (size_t)count;
    lz.count = (size_t)count;
    lz.layers = budget;
    status = max_alloc(&lz);
    if (status == LEMICA_OK) {
        max_bounds(&lz, budget, frontier);
        lz.nodes = solver->work.kbest_nodes.data;
        lz.pending = solver->work.kbest_pending.data;
        lz.dfs = solver->work.kbest_dfs.data;
        lz.items = solver->work.kbest_items.data;
        for (int c = frontier ? 2 : budget; status == LEMICA_OK && c <= budget;
             c++)
            status = search_max(&lz, c);
        if (status == LEMICA_OK)
            status = max_collect(&lz, out);
        return status;
    }
    return status;
}
