/* SPDX-License-Identifier: MIT */
#ifndef LEMICA_LEVEL_COUNTS_INT_H
#define LEMICA_LEVEL_COUNTS_INT_H

/* LEXMAX by level counts (solver-counts.c): on a graph whose usable
 * weights take at most LEMICA_COUNTS_LEVELS_MAX distinct values, a sorted
 * cost vector is exactly its count of each value. The row scan's frontier
 * then keeps every state's counts (two layers of them) and settles a tie
 * on the bottleneck by comparing two candidates' counts from the largest
 * value down, in words of four counts: no head merges, no walks back up
 * the paths. Those walks grow with the length of the paths where the
 * digit encoding does not reach (64 or 256 levels need more digit groups
 * than it has at these budgets): at N = 4000, K = 20 the whole frontier
 * of 64 levels took 6.9 times the bottleneck DP's time, half of it in
 * divergent_weights() and a seventh sorting the walked weights. */

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "solver-int.h"

/* The most distinct values counted: 256 counts of two bytes, 512 bytes a
 * state, the most a state's copy stays cheap for. */
#define LEMICA_COUNTS_LEVELS_MAX 256

/* If @problem (prepared, LEXMAX on the row scan, not encoded) is a
 * frontier whose usable weights take at most LEMICA_COUNTS_LEVELS_MAX
 * values, number them from the largest (level 0) into work.count_levels,
 * a byte per slot of the incoming matrix, reserve two layers of counts
 * and set problem->count_words (words of four counts a state); else
 * leave it 0. Fails only when the workspace cannot grow. */
lemica_status lemica_solver_prepare_counts(lemica_solver *solver,
                                           struct lemica_problem *problem);

/* Test hook (process-wide): allow (1, the default) or forbid (0) the
 * level counts, so tests compare them with the sorted-vector DP. */
void lemica_solver_set_level_counts(int allowed);

/* Graphs of more than 64 values count levels from this many steps on
 * (see solver-counts.c); test hook (process-wide) to set it, 0 for every
 * graph. */
#define LEMICA_COUNTS_WIDE_MIN_STEPS 512
void lemica_solver_set_counts_wide_min_steps(int num_steps);

/* A state's counts are words of four 16-bit counts, level 4 i + j of word
 * i in bits 48 - 16 j: the larger value's count in the higher bits, so
 * that comparing two words as integers compares their four counts
 * lexicographically, from the largest value down. A count stays below
 * 2^16 with an edge's extra copy (it counts edges of a path: at most
 * LEMICA_MAX_STEPS - 1), so adding that copy carries into no other. */
static inline uint64_t
lemica_counts_copy(unsigned level)
{
    /* A table: the shift 48 - 16 (level & 3) took more instructions a
     * call (tie pass and copy of layer_counts(); levels-64, N = 200,
     * every budget: -1.0% at K = 20, -0.6% at K = 199). */
    static const uint64_t copies[4] = {(uint64_t)1 << 48, (uint64_t)1 << 32,
                                       (uint64_t)1 << 16, 1};

    return copies[level & 3];
}

/* Word @i of the counts @counts plus one copy of level @level (an edge's
 * weight taken). */
static inline uint64_t
lemica_counts_word(const uint64_t *counts, unsigned level, size_t i)
{
    return counts[i] + (level / 4 == i ? lemica_counts_copy(level) : 0);
}

/* The order of (@a plus one copy of level @la) against (@b plus one of
 * level @lb), two states' counts extended by an edge each: -1 when the
 * first is the smaller vector, 1 when it is the larger, 0 when they are
 * equal. At the first level, from the largest value, where the counts
 * differ, more copies make the larger vector (the vectors are as long).
 * Both hold nothing in the words before @from (their common
 * bottleneck's). */
static inline int
lemica_counts_order(const uint64_t *a, unsigned la, const uint64_t *b,
                    unsigned lb, size_t from, size_t words)
{
    for (size_t i = from; i < words; i++) {
        uint64_t x = lemica_counts_word(a, la, i);
        uint64_t y = lemica_counts_word(b, lb, i);

        if (x != y)
            return x > y ? 1 : -1;
    }
    return 0;
}

/* @to = @from plus one copy of @level, @words words of counts. */
static inline void
lemica_counts_extend(uint64_t *to, const uint64_t *from, unsigned level,
                     size_t words)
{
    memcpy(to, from, words * sizeof(uint64_t));
    to[level / 4] += lemica_counts_copy(level);
}

#endif
