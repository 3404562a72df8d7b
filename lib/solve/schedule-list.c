/* SPDX-License-Identifier: MIT */
/* The list of schedules a k-best solve returns. */
#include <string.h>

#include "../common/alloc-int.h"
#include "../common/error-int.h"
#include "../core/graph-int.h"
#include "../core/schedule-int.h"
#include "../core/sort-int.h"
#include "schedule-list-int.h"

/* A list for the schedules of budgets 2 .. @layers, @per_budget[c] of
 * budget c, ranked 0, 1, ... within each; steps and costs unset. */
static lemica_status
list_alloc(const uint32_t *per_budget, int layers, int num_steps, size_t count,
           lemica_schedule_list **out)
{
    lemica_schedule_list *list;
    lemica_status status;
    size_t at = 0;

    list = lemica_alloc_zeroed(1, sizeof(*list));
    if (!list)
        return lemica_fail_no_memory("a schedule list");
    list->ranks = lemica_alloc_zeroed(count, sizeof(int));
    if (!list->ranks) {
        lemica_schedule_list_free(list);
        return lemica_fail_no_memory("a schedule list");
    }
    /* The ranks' room holds the budgets until the block is made. */
    for (int c = 2; c <= layers; c++)
        for (uint32_t i = 0; i < per_budget[c]; i++)
            list->ranks[at++] = c;
    status = lemica_frontier_alloc(count, list->ranks, num_steps, &list->block);
    if (status != LEMICA_OK) {
        lemica_schedule_list_free(list);
        return status;
    }
    at = 0;
    for (int c = 2; c <= layers; c++)
        for (uint32_t i = 0; i < per_budget[c]; i++)
            list->ranks[at++] = (int)i;
    *out = list;
    return LEMICA_OK;
}

/* The mask of @schedule from its steps, its budget and size set. */
static void
schedule_mask(lemica_schedule *schedule, int num_steps)
{
    const int budget = (int)schedule->steps_capacity;
    /* Locals: a byte store may alias the schedule's fields. */
    unsigned char *mask = schedule->mask;
    const int *steps = schedule->steps;

    schedule->num_steps = num_steps;
    schedule->budget = budget;
    memset(mask, 0, (size_t)num_steps);
    for (int c = 0; c < budget; c++)
        mask[steps[c]] = 1;
}

static void
schedule_sums(lemica_schedule *schedule, double sum)
{
    schedule->sum_cost = sum;
    schedule->max_cost = schedule->costs[0];
    schedule->has_costs = 1;
}

/* The index of the lowest set bit of @word (not 0). */
static unsigned
lowest_bit(uint64_t word)
{
#if defined(__GNUC__) || defined(__clang__)
    return (unsigned)__builtin_ctzll(word);
#else
    static const unsigned char table[64] = {
        0,  1,  48, 2,  57, 49, 28, 3,  61, 58, 50, 42, 38, 29, 17, 4,
        62, 55, 59, 36, 53, 51, 43, 22, 45, 39, 33, 30, 24, 18, 12, 5,
        63, 47, 56, 27, 60, 41, 37, 16, 54, 35, 52, 21, 44, 32, 23, 11,
        46, 26, 40, 15, 34, 20, 31, 10, 25, 14, 19, 9,  13, 8,  7,  6};

    return table[((word & (~word + 1)) * UINT64_C(0x03f79d71b4cb0a89)) >> 58];
#endif
}

/* Sort the indices @items (@count of them) by @weight of each, heaviest
 * first, stably, through @scratch: runs of 8 by insertion, then a
 * bottom-up merge. The weights are read inline (a call per comparison
 * cost 4 times as much here). */
static void
sort_heaviest(uint32_t *items, uint32_t *scratch, size_t count,
              const double *weight)
{
    uint32_t *from = items, *to = scratch;

    for (size_t start = 0; start < count; start += 8) {
        const size_t end = start + 8 < count ? start + 8 : count;

        for (size_t i = start + 1; i < end; i++) {
            const uint32_t moving = items[i];
            const double w = weight[moving];
            size_t j = i;

            /* Past the lighter ones only: stable. */
            for (; j > start && weight[items[j - 1]] < w; j--)
                items[j] = items[j - 1];
            items[j] = moving;
        }
    }
    for (size_t width = 8; width < count; width *= 2) {
        uint32_t *swap;

        for (size_t start = 0; start < count; start += 2 * width) {
            size_t i = start, j, middle, end, o = start;

            middle = start + width < count ? start + width : count;
            end = start + 2 * width < count ? start + 2 * width : count;
            j = middle;
            /* The left one on ties: stable. */
            while (i < middle && j < end)
                to[o++] = weight[from[j]] > weight[from[i]] ? from[j++]
                                                              : from[i++];
            while (i < middle)
                to[o++] = from[i++];
            while (j < end)
                to[o++] = from[j++];
        }
        swap = from;
        from = to;
        to = swap;
    }
    if (from != items)
        memcpy(items, from, count * sizeof(*items));
}

/* The costs of a big list: its schedules are the best few of each budget,
 * so their edges are few and shared. Ranking those edges once by weight
 * turns each schedule's sort into setting a bit per edge in a bitmap of
 * the ranks and reading the set bits in order. @edges bounds the distinct
 * edges (the list's total, at most the graph's slots), @total is the
 * list's edges. The first pass sets the masks, keeps each edge's slot and
 * marks the slots used, without a branch or a load on the slot; a scan of
 * the marks then numbers the distinct edges by slot, and the ranks of
 * their weights replace the numbers. Equal weights are equal doubles
 * (lemica_graph_set_weight() stores +0.0 for -0.0), so the order among
 * them does not show in the costs. */
static lemica_status
complete_ranked(lemica_schedule_list *list, const lemica_graph *graph,
                size_t slots, size_t edges, size_t total,
                struct lemica_buffer *workspace)
{
    lemica_schedule *schedules = list->block->schedules;
    const size_t count = list->block->count;
    const size_t words = (edges + 63) / 64;
    /* An edge (from, to) is slot from * K + (to - from - 1). */
    const size_t stride = (size_t)graph->max_skip - 1;
    const size_t mark_words = (slots + 7) / 8;
    const int num_steps = graph->num_steps;
    double *value, *weight;
    uint64_t *bits, *mark_word;
    uint32_t *number, *order, *scratch, *edge_slot, *slot_of;
    unsigned char *mark;
    uint32_t distinct = 0;
    size_t at = 0;

    /* Doubles first, then words, then 32-bit entries, then the marks:
     * each part aligned. With edges <= slots the first parts sum to
     * under 56 bytes a slot: refuse a graph (possible with 32-bit sizes)
     * where that product wraps, or a list whose edges would. */
    if (edges > slots || slots > SIZE_MAX / 56 ||
        total > (SIZE_MAX - 56 * slots) / sizeof(uint32_t) ||
        !lemica_solver_reserve(workspace,
                               2 * edges * sizeof(double) +
                                   (words + mark_words) * sizeof(uint64_t) +
                                   (slots + 3 * edges + total) *
                                       sizeof(uint32_t),
                               1))
        return lemica_fail_no_memory("a schedule list");
    value = workspace->data;
    weight = value + edges;
    bits = (uint64_t *)(weight + edges);
    mark_word = bits + words;
    number = (uint32_t *)(mark_word + mark_words);
    order = number + slots;
    scratch = order + edges;
    slot_of = scratch + edges;
    edge_slot = slot_of + edges;
    mark = (unsigned char *)mark_word;
    memset(bits, 0, words * sizeof(uint64_t));
    memset(mark_word, 0, mark_words * sizeof(uint64_t));
    /* The masks, one after another (lemica_frontier_alloc()). */
    memset(schedules[0].mask, 0, count * (size_t)num_steps);
    for (size_t i = 0; i < count; i++) {
        lemica_schedule *schedule = &schedules[i];
        const size_t budget = schedule->steps_capacity;
        const int *step = schedule->steps, *const end = step + budget;
        /* Locals: a byte store may alias the schedule's fields. */
        unsigned char *mask = schedule->mask;
        uint32_t *slot = edge_slot + at;
        size_t from = (size_t)*step;

        schedule->num_steps = num_steps;
        schedule->budget = (int)budget;
        at += budget - 1;
        mask[from] = 1;
        while (++step != end) {
            const size_t to = (size_t)*step;
            const size_t edge = from * stride + to - 1;

            mask[to] = 1;
            mark[edge] = 1;
            *slot++ = (uint32_t)edge;
            from = to;
        }
    }
    /* The distinct edges by slot, eight marks a word. */
    for (size_t w = 0; w < mark_words; w++) {
        uint64_t word = mark_word[w];

        for (size_t e = w * 8; word != 0; e++, word >>= 8)
            if (word & 0xff) {
                slot_of[distinct] = (uint32_t)e;
                weight[distinct] = lemica_graph_decode(graph->slots[e]);
                order[distinct] = distinct;
                distinct++;
            }
    }
    /* Ranks by weight, heaviest first, into the slots' entries. */
    sort_heaviest(order, scratch, distinct, weight);
    for (uint32_t r = 0; r < distinct; r++) {
        number[slot_of[order[r]]] = r;
        value[r] = weight[order[r]];
    }
    at = 0;
    for (size_t i = 0; i < count; i++) {
        lemica_schedule *schedule = &schedules[i];
        const size_t length = schedule->steps_capacity - 1;
        const uint32_t *edge = edge_slot + at;
        const uint32_t *const edges_end = edge + length;
        double *cost = schedule->costs, *const costs_end = cost + length;
        uint64_t *b = bits;
        double sum = 0.0;

        /* Summed in path order (the SUM comparator's order). */
        for (; edge != edges_end; edge++) {
            const uint32_t r = number[*edge];

            sum += value[r];
            bits[r / 64] |= UINT64_C(1) << (r % 64);
        }
        at += length;
        /* The set bits in order, a word at a time, each word cleared. */
        for (const double *row = value; cost != costs_end; row += 64) {
            uint64_t word = *b;

            *b++ = 0;
            while (word != 0) {
                const unsigned r = lowest_bit(word);

                word &= word - 1;
                *cost++ = row[r];
            }
        }
        schedule_sums(schedule, sum);
    }
    return LEMICA_OK;
}

/* Every schedule's mask and costs, from its steps. */
static lemica_status
complete(lemica_schedule_list *list, const lemica_graph *graph,
         struct lemica_buffer *workspace)
{
    const size_t slots = (size_t)graph->num_steps * (size_t)graph->max_skip;
    size_t total = 0;

    for (size_t i = 0; i < list->block->count; i++)
        total += list->block->schedules[i].steps_capacity - 1;
    /* Ranking pays when the list has more edges than the graph has slots
     * to clear, and the bitmap is short next to a schedule. */
    if (total >= slots && total / list->block->count >= slots / 256)
        return complete_ranked(list, graph, slots, slots, total, workspace);
    for (size_t i = 0; i < list->block->count; i++) {
        lemica_schedule *schedule = &list->block->schedules[i];
        const int *steps = schedule->steps;
        const int budget = (int)schedule->steps_capacity;
        double sum = 0.0;

        schedule_mask(schedule, graph->num_steps);
        for (int e = 0; e + 1 < budget; e++) {
            schedule->costs[e] =
                lemica_graph_weight_or_nan(graph, steps[e], steps[e + 1]);
            sum += schedule->costs[e];
        }
        lemica_sort_descending(schedule->costs, (size_t)budget - 1);
        schedule_sums(schedule, sum);
    }
    return LEMICA_OK;
}

/* The list, its steps from @write (a call a schedule) or, without it,
 * from @rows (a copy a budget). */
static lemica_status
list_build(const uint32_t *per_budget, int layers, const lemica_graph *graph,
           lemica_schedule_list_steps write, lemica_schedule_list_rows rows,
           const void *context, struct lemica_buffer *scratch,
           lemica_schedule_list **out)
{
    lemica_schedule_list *list = NULL;
    lemica_status status;
    size_t count = 0, at = 0;

    *out = NULL;
    for (int c = 2; c <= layers; c++)
        count += per_budget[c];
    if (count == 0)
        return LEMICA_ERR_INFEASIBLE;
    status = list_alloc(per_budget, layers, graph->num_steps, count, &list);
    if (status != LEMICA_OK)
        return status;
    for (int c = 2; c <= layers; c++) {
        if (per_budget[c] == 0)
            continue;
        if (write)
            for (uint32_t i = 0; i < per_budget[c]; i++)
                write(context, c, i, list->block->schedules[at + i].steps);
        else
            /* lemica_frontier_alloc() lays the steps out one schedule
             * after another. */
            memcpy(list->block->schedules[at].steps, rows(context, c),
                   (size_t)per_budget[c] * (size_t)c * sizeof(int));
        at += per_budget[c];
    }
    status = complete(list, graph, scratch);
    if (status != LEMICA_OK) {
        lemica_schedule_list_free(list);
        return status;
    }
    *out = list;
    return LEMICA_OK;
}

lemica_status
lemica_schedule_list_build(const uint32_t *per_budget, int layers,
                           const lemica_graph *graph,
                           lemica_schedule_list_steps write,
                           const void *context, struct lemica_buffer *scratch,
                           lemica_schedule_list **out)
{
    return list_build(per_budget, layers, graph, write, NULL, context,
                      scratch, out);
}

lemica_status
lemica_schedule_list_build_rows(const uint32_t *per_budget, int layers,
                                const lemica_graph *graph,
                                lemica_schedule_list_rows rows,
                                const void *context,
                                struct lemica_buffer *scratch,
                                lemica_schedule_list **out)
{
    return list_build(per_budget, layers, graph, NULL, rows, context, scratch,
                      out);
}

void
lemica_schedule_list_free(lemica_schedule_list *list)
{
    if (!list)
        return;
    lemica_frontier_free(list->block);
    lemica_dealloc(list->ranks);
    lemica_dealloc(list);
}

size_t
lemica_schedule_list_count(const lemica_schedule_list *list)
{
    return list ? lemica_frontier_count(list->block) : 0;
}

lemica_status
lemica_schedule_list_get(const lemica_schedule_list *list, size_t index,
                         const lemica_schedule **out)
{
    if (!list || !out)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT,
                           "list and out must not be NULL");
    if (index >= list->block->count)
        return lemica_fail(LEMICA_ERR_OUT_OF_RANGE,
                           "index %zu is past the %zu schedules of the list",
                           index, list->block->count);
    *out = &list->block->schedules[index];
    return LEMICA_OK;
}

int
lemica_schedule_list_rank(const lemica_schedule_list *list, size_t index)
{
    if (!list || index >= list->block->count)
        return -1;
    return list->ranks[index];
}

lemica_status
lemica_schedule_list_find(const lemica_schedule_list *list, int budget,
                          size_t *first, size_t *count)
{
    size_t lo = 0, hi, end;
    const lemica_schedule *schedules;

    if (!list || !first || !count)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT,
                           "list, first and count must not be NULL");
    /* Budgets ascend: the first schedule with budget >= B, then its run. */
    schedules = list->block->schedules;
    hi = list->block->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (schedules[mid].budget < budget)
            lo = mid + 1;
        else
            hi = mid;
    }
    end = lo;
    while (end < list->block->count && schedules[end].budget == budget)
        end++;
    if (end == lo)
        return lemica_fail(LEMICA_ERR_INFEASIBLE,
                           "the list has no schedule with budget %d", budget);
    *first = lo;
    *count = end - lo;
    return LEMICA_OK;
}
