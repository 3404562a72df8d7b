/* SPDX-License-Identifier: MIT */
/*
 * LEXMAX as an exact SUM when the graph has few distinct weights.
 *
 * Let the distinct positive weights be v_0 < v_1 < ... < v_{D-1}. Two
 * cost vectors of the same length, sorted descending, compare
 * lexicographically exactly as their count vectors (n_{D-1}, ..., n_0)
 * do, where n_k is how often v_k occurs (zeros fill the rest and need no
 * count). A path has at most B - 1 segments, so every n_k < B, and the
 * count vector read as a number in base B,
 *
 *     sum_k n_k * B^k,
 *
 * orders paths exactly like LEXMAX. It is the path-sum of the weights
 * encoded as v_k -> B^k (and 0 -> 0). When B^D <= 2^53 every such sum is an
 * integer a double holds exactly, so the SUM DP on encoded weights gives
 * LEXMAX's answer -- the same schedule, tie rule included, since equal
 * sums mean equal vectors -- at the speed of a shortest-path DP. Graphs
 * with equal or few distinct weights are exactly where the sorted-vector
 * DP meets the most ties, so this is where it helps.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "solver-int.h"

/* More levels than this never fit: 2^53 >= B^D needs D <= 53 for B >= 2. */
#define MAX_LEVELS 53

/* The number of levels below @value: a branch-free count, since weights
 * with a few levels arrive in no predictable order. */
static inline int
rank_of(const double *levels, int count, double value)
{
    int rank = 0;

    for (int k = 0; k < count; k++)
        rank += levels[k] < value;
    return rank;
}

/* Insert @value into the ascending @levels unless present; return 0 when
 * that would make more than @max_levels. */
static int
add_level(double *levels, int *count, int max_levels, double value)
{
    int found = 0, at;

    for (int k = 0; k < *count; k++)
        found |= levels[k] == value;
    if (found)
        return 1;
    if (*count == max_levels)
        return 0;
    at = rank_of(levels, *count, value);
    for (int i = *count; i > at; i--)
        levels[i] = levels[i - 1];
    levels[at] = value;
    (*count)++;
    return 1;
}

/* A direct-mapped cache from weight to its level: the graph has a million
 * weights and only a few levels, so most look-ups hit and cost a multiply
 * and a compare instead of a search. A miss only costs the search. */
#define CACHE_SLOTS 256

struct level_cache {
    double value[CACHE_SLOTS];
    int level[CACHE_SLOTS];
};

static inline unsigned
cache_slot(double value)
{
    uint64_t bits;

    memcpy(&bits, &value, sizeof(bits));
    return (unsigned)((bits * 0x9e3779b97f4a7c15ull) >> 56);
}

int
lemica_solver_encode_lexmax(lemica_solver *solver,
                            const struct lemica_problem *problem)
{
    /* Whichever matrix the DP reads; its +inf entries stay +inf. */
    double *matrix = problem->blocked ? solver->work.outgoing.data
                                      : solver->work.incoming.data;
    const size_t slots =
        problem->blocked
            ? ((size_t)problem->num_steps + 1) *
                  ((size_t)problem->max_skip + LEMICA_BLOCK_PAD)
            : (size_t)problem->num_steps * (size_t)problem->max_skip;
    const double base = (double)problem->budget;
    double levels[MAX_LEVELS + 1], digits[MAX_LEVELS + 1];
    struct level_cache cache;
    double power = 1.0;
    int max_levels = 0, count = 0;

    if (!solver->digit_encoding)
        return 0;
    /* B^D <= 2^53 keeps every sum of at most B - 1 encoded weights exact. */
    while (max_levels < MAX_LEVELS && power * base <= 0x1.0p53) {
        power *= base;
        max_levels++;
    }
    /* 0 and +inf keep their meaning and are never levels; seeding every
     * slot with 0 makes an empty slot a hit for exactly those. */
    for (int i = 0; i < CACHE_SLOTS; i++) {
        cache.value[i] = 0.0;
        cache.level[i] = -1;
    }
    for (size_t i = 0; i < slots; i++) {
        double w = matrix[i];
        unsigned slot = cache_slot(w);

        if (cache.value[slot] == w || w == 0.0 || w == HUGE_VAL)
            continue;
        if (!add_level(levels, &count, max_levels, w))
            return 0;
        cache.value[slot] = w;
    }

    power = 1.0;
    for (int k = 0; k < count; k++) {
        digits[k] = power;
        power *= base;
    }
    for (int i = 0; i < CACHE_SLOTS; i++)
        cache.value[i] = -1.0; /* no weight is negative: every slot empty */
    for (int k = 0; k < count; k++) {
        unsigned slot = cache_slot(levels[k]);
        cache.value[slot] = levels[k];
        cache.level[slot] = k;
    }
    for (size_t i = 0; i < slots; i++) {
        double w = matrix[i];
        unsigned slot = cache_slot(w);

        if (w == 0.0 || w == HUGE_VAL)
            continue;
        matrix[i] = cache.value[slot] == w ? digits[cache.level[slot]]
                                           : digits[rank_of(levels, count, w)];
    }
    return 1;
}

void
lemica_solver_set_digit_encoding(lemica_solver *solver, int allowed)
{
    solver->digit_encoding = allowed != 0;
}
