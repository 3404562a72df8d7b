/* SPDX-License-Identifier: MIT */
/* LEXMAX by level counts: which problems take it, and their levels (see
 * level-counts-int.h; the layers run in solver-dp.c, layer_counts()). */
#include "level-counts-int.h"

#include <math.h>

#include "../common/error-int.h"

static int level_counts_allowed = 1;

void
lemica_solver_set_level_counts(int allowed)
{
    level_counts_allowed = allowed != 0;
}

/* Open addressing over the values' bits: twice the most levels, so a probe
 * ends soon. */
#define COUNTS_SET_SLOTS (2 * LEMICA_COUNTS_LEVELS_MAX)

struct count_set {
    uint64_t bits[COUNTS_SET_SLOTS];
    unsigned char used[COUNTS_SET_SLOTS];
    unsigned char id[COUNTS_SET_SLOTS];
    double value[LEMICA_COUNTS_LEVELS_MAX]; /* by id, in order found */
    int count;
};

static inline unsigned
count_hash(uint64_t bits)
{
    /* Fibonacci hashing: levels that differ in their low mantissa bits
     * only (k / 8, integers) still spread. */
    return (unsigned)((bits * 0x9e3779b97f4a7c15u) >> 55) &
           (COUNTS_SET_SLOTS - 1);
}

/* The id of @value, added if new; -1 past @limit values. */
static int
count_set_id(struct count_set *set, double value, int limit)
{
    uint64_t bits;
    unsigned at;

    if (value == 0.0)
        value = 0.0; /* -0.0 and +0.0 are one value */
    memcpy(&bits, &value, sizeof(bits));
    for (at = count_hash(bits); set->used[at];
         at = (at + 1) & (COUNTS_SET_SLOTS - 1))
        if (set->bits[at] == bits)
            return set->id[at];
    if (set->count == limit)
        return -1;
    set->used[at] = 1;
    set->bits[at] = bits;
    set->id[at] = (unsigned char)set->count;
    set->value[set->count] = value;
    return set->count++;
}

/* Past COUNTS_WIDE_LEVELS levels a state's counts take more words than
 * its copy saves below LEMICA_COUNTS_WIDE_MIN_STEPS steps, where the
 * paths and so the sorted-vector DP's walks are short: 256 levels,
 * K = 20, whole frontier, LEXMAX / MAX instructions, the sorted-vector DP
 * against the counts: N = 200 1.42x / 1.56x (K = 199: 1.30x / 1.44x),
 * N = 500 1.53x / 1.55x, N = 1000 1.63x / 1.57x, and N = 4000 in wall
 * time 3.6x / 2.0x.
 * 64 levels gain at every N from 200 on (1.67x -> 1.47x at N = 200). */
#define COUNTS_WIDE_LEVELS 64
static int counts_wide_min_steps = LEMICA_COUNTS_WIDE_MIN_STEPS;

void
lemica_solver_set_counts_wide_min_steps(int num_steps)
{
    counts_wide_min_steps = num_steps;
}

lemica_status
lemica_solver_prepare_counts(lemica_solver *solver,
                             struct lemica_problem *problem)
{
    struct lemica_workspace *work = &solver->work;
    const size_t n = (size_t)problem->num_steps;
    const size_t slots = n * (size_t)problem->max_skip;
    const double *matrix = work->incoming.data;
    struct count_set set;
    unsigned char rank[LEMICA_COUNTS_LEVELS_MAX];
    unsigned char *levels;
    size_t words;
    /* Below the steps that take wide counts the pass ends at the value
     * past COUNTS_WIDE_LEVELS (a full pass over 256 values cost 3.9% of
     * the frontier at N = 200, K = 199). */
    const int limit = n < (size_t)counts_wide_min_steps
                          ? COUNTS_WIDE_LEVELS
                          : LEMICA_COUNTS_LEVELS_MAX;

    problem->count_words = 0;
    /* One budget solves without states' vectors (lexmax_row_one()); the
     * blocked scan's frontier settles its few ties by short walks. */
    if (!level_counts_allowed || !problem->frontier || problem->blocked ||
        problem->lexmax_as_sum ||
        solver->comparator != LEMICA_COMPARATOR_LEXMAX)
        return LEMICA_OK;
    set.count = 0;
    memset(set.used, 0, sizeof(set.used));
    if (!lemica_solver_reserve(&work->count_levels, slots, 1))
        return lemica_fail_no_memory("the solver workspace");
    levels = work->count_levels.data;
    /* Ids in the order found (distinct weights give up within the first
     * LEMICA_COUNTS_LEVELS_MAX + 1 slots); +inf slots are never a chosen
     * candidate's edge, their byte is left as any. */
    for (size_t i = 0; i < slots; i++) {
        int id;

        if (matrix[i] == HUGE_VAL) {
            levels[i] = 0;
            continue;
        }
        id = count_set_id(&set, matrix[i], limit);
        if (id < 0)
            return LEMICA_OK;
        levels[i] = (unsigned char)id;
    }
    if (set.count == 0)
        return LEMICA_OK;
    /* Level 0 the largest value: insertion sort of the ids by value. */
    {
        unsigned char order[LEMICA_COUNTS_LEVELS_MAX];

        for (int v = 0; v < set.count; v++) {
            int j = v;

            while (j > 0 && set.value[order[j - 1]] < set.value[v]) {
                order[j] = order[j - 1];
                j--;
            }
            order[j] = (unsigned char)v;
        }
        for (int level = 0; level < set.count; level++)
            rank[order[level]] = (unsigned char)level;
    }
    for (size_t i = 0; i < slots; i++)
        levels[i] = rank[levels[i]];
    words = ((size_t)set.count + 3) / 4;
    for (int i = 0; i < 2; i++)
        if (!lemica_solver_reserve(&work->counts[i], n * words,
                                   sizeof(uint64_t)) ||
            !lemica_solver_reserve(&work->count_tops[i], n, 1))
            return lemica_fail_no_memory("the solver workspace");
    problem->count_words = (int)words;
    return LEMICA_OK;
}
