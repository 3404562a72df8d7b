/* SPDX-License-Identifier: MIT */
/* The list of schedules a k-best solve returns. */
#include <string.h>

#include "../common/alloc-int.h"
#include "../common/error-int.h"
#include "../core/graph-int.h"
#include "../core/schedule-int.h"
#include "schedule-list-int.h"

lemica_status
lemica_schedule_list_alloc_budgets(const uint32_t *per_budget, int layers,
                                   int num_steps, lemica_schedule_list **out)
{
    lemica_schedule_list *list;
    lemica_status status;
    size_t count = 0, at = 0;

    *out = NULL;
    for (int c = 2; c <= layers; c++)
        count += per_budget[c];
    if (count == 0)
        return LEMICA_ERR_INFEASIBLE;
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
    status = lemica_frontier_alloc(count, list->ranks, num_steps,
                                   &list->block);
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

/* Sort descending: runs of SORT_RUN by insertion, then merged pairwise
 * through a buffer on the stack; a longer vector goes to the library's
 * sort. */
#define SORT_RUN 8
#define SORT_MERGED 128

static void
sort_costs(double *costs, size_t count)
{
    double buffer[SORT_MERGED], *from = costs, *to = buffer;

    if (count > SORT_MERGED) {
        lemica_sort_descending(costs, count);
        return;
    }
    for (size_t start = 0; start < count; start += SORT_RUN) {
        size_t end = start + SORT_RUN < count ? start + SORT_RUN : count;

        for (size_t i = start + 1; i < end; i++) {
            double w = costs[i];
            size_t j = i;

            for (; j > start && costs[j - 1] < w; j--)
                costs[j] = costs[j - 1];
            costs[j] = w;
        }
    }
    for (size_t width = SORT_RUN; width < count; width *= 2) {
        double *swap;

        for (size_t start = 0; start < count; start += 2 * width) {
            size_t i = start, middle = start + width, j, end, o = start;

            middle = middle < count ? middle : count;
            end = start + 2 * width < count ? start + 2 * width : count;
            j = middle;
            while (i < middle && j < end)
                to[o++] = from[i] >= from[j] ? from[i++] : from[j++];
            while (i < middle)
                to[o++] = from[i++];
            while (j < end)
                to[o++] = from[j++];
        }
        swap = from;
        from = to;
        to = swap;
    }
    if (from != costs)
        memcpy(costs, from, count * sizeof(double));
}

/* The mask of @schedule from its steps, its budget and size set. */
static void
schedule_mask(lemica_schedule *schedule, int num_steps)
{
    const int budget = (int)schedule->steps_capacity;

    schedule->num_steps = num_steps;
    schedule->budget = budget;
    memset(schedule->mask, 0, (size_t)num_steps);
    for (int c = 0; c < budget; c++)
        schedule->mask[schedule->steps[c]] = 1;
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

/* The edges of a big list are few and shared: its schedules are the best
 * few of each budget. Ranking those edges once by weight (a merge sort of
 * the distinct ones) turns each schedule's sort into setting a bit per
 * edge in a bitmap of the ranks and reading the set bits in order. */
struct rank_table {
    uint32_t *rank;   /* per graph slot; UINT32_MAX: not in the list */
    double *value;    /* by rank: descending weights */
    uint32_t *slot;   /* by rank: the slot (sorting: by position) */
    double *scratch;  /* sorting */
    uint32_t *scratch_slot;
    uint64_t *bits;   /* a bitmap of ranks, all clear between uses */
    size_t count;
};

/* Sort the table's (value, slot) pairs descending by value. */
static void
rank_sort(struct rank_table *table)
{
    double *from = table->value, *to = table->scratch;
    uint32_t *from_slot = table->slot, *to_slot = table->scratch_slot;
    const size_t count = table->count;

    for (size_t width = 1; width < count; width *= 2) {
        for (size_t start = 0; start < count; start += 2 * width) {
            size_t i = start, middle, j, end, o = start;

            middle = start + width < count ? start + width : count;
            end = start + 2 * width < count ? start + 2 * width : count;
            j = middle;
            while (i < middle && j < end) {
                const size_t take = from[i] >= from[j] ? i++ : j++;

                to[o] = from[take];
                to_slot[o++] = from_slot[take];
            }
            for (; i < middle; i++, o++) {
                to[o] = from[i];
                to_slot[o] = from_slot[i];
            }
            for (; j < end; j++, o++) {
                to[o] = from[j];
                to_slot[o] = from_slot[j];
            }
        }
        {
            double *swap = from;
            uint32_t *swap_slot = from_slot;

            from = to;
            to = swap;
            from_slot = to_slot;
            to_slot = swap_slot;
        }
    }
    table->value = from;
    table->slot = from_slot;
}

static lemica_status
complete_ranked(lemica_schedule_list *list, const lemica_graph *graph,
                size_t slots, size_t edges)
{
    lemica_schedule *schedules = list->block->schedules;
    const size_t count = list->block->count;
    const size_t words = (edges + 63) / 64;
    struct rank_table table;
    void *block;
    size_t bytes;

    /* Doubles first, then words, then 32-bit entries: each part aligned.
     * edges <= slots and slots <= 4 edges bound the sizes. */
    bytes = 2 * edges * sizeof(double) + words * sizeof(uint64_t) +
            (slots + 2 * edges) * sizeof(uint32_t);
    block = lemica_alloc_array(bytes, 1);
    if (!block)
        return lemica_fail_no_memory("a schedule list");
    table.value = block;
    table.scratch = table.value + edges;
    table.bits = (uint64_t *)(table.scratch + edges);
    table.rank = (uint32_t *)(table.bits + words);
    table.slot = table.rank + slots;
    table.scratch_slot = table.slot + edges;
    table.count = 0;
    memset(table.bits, 0, words * sizeof(uint64_t));
    memset(table.rank, 0xff, slots * sizeof(uint32_t));
    /* The distinct edges. */
    for (size_t i = 0; i < count; i++) {
        const int *steps = schedules[i].steps;

        for (size_t e = 0; e + 1 < schedules[i].steps_capacity; e++) {
            const size_t slot = lemica_graph_slot(graph, steps[e], steps[e + 1]);

            if (table.rank[slot] != UINT32_MAX)
                continue;
            table.rank[slot] = 0;
            table.value[table.count] = lemica_graph_decode(graph->slots[slot]);
            table.slot[table.count++] = (uint32_t)slot;
        }
    }
    rank_sort(&table);
    for (size_t r = 0; r < table.count; r++)
        table.rank[table.slot[r]] = (uint32_t)r;
    for (size_t i = 0; i < count; i++) {
        lemica_schedule *schedule = &schedules[i];
        const int *steps = schedule->steps;
        const size_t length = schedule->steps_capacity - 1;
        double sum = 0.0;
        size_t out = 0;

        schedule_mask(schedule, graph->num_steps);
        for (size_t e = 0; e < length; e++) {
            const uint32_t r = table.rank[lemica_graph_slot(graph, steps[e],
                                                            steps[e + 1])];

            sum += table.value[r];
            table.bits[r / 64] |= UINT64_C(1) << (r % 64);
        }
        for (size_t w = 0; out < length; w++) {
            uint64_t word = table.bits[w];

            table.bits[w] = 0;
            for (; word != 0; word &= word - 1)
                schedule->costs[out++] = table.value[w * 64 + lowest_bit(word)];
        }
        schedule_sums(schedule, sum);
    }
    lemica_dealloc(block);
    return LEMICA_OK;
}

lemica_status
lemica_schedule_list_complete(lemica_schedule_list *list,
                              const lemica_graph *graph)
{
    const size_t slots =
        (size_t)graph->num_steps * (size_t)graph->max_skip;
    size_t total = 0;

    for (size_t i = 0; i < list->block->count; i++)
        total += list->block->schedules[i].steps_capacity - 1;
    /* Ranking pays when the list has more edges than the graph has
     * slots to clear, and its bitmap is short next to a schedule. */
    if (total >= slots && total / list->block->count >= slots / 256)
        return complete_ranked(list, graph, slots,
                               total < slots ? total : slots);
    for (size_t i = 0; i < list->block->count; i++) {
        lemica_schedule *schedule = &list->block->schedules[i];
        const int *steps = schedule->steps;
        const int budget = (int)schedule->steps_capacity;
        double sum = 0.0;

        schedule_mask(schedule, graph->num_steps);
        /* Summed in path order (the SUM comparator's order). */
        for (int e = 0; e + 1 < budget; e++) {
            schedule->costs[e] =
                lemica_graph_weight_or_nan(graph, steps[e], steps[e + 1]);
            sum += schedule->costs[e];
        }
        sort_costs(schedule->costs, (size_t)budget - 1);
        schedule_sums(schedule, sum);
    }
    return LEMICA_OK;
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
