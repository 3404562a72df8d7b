/* SPDX-License-Identifier: MIT */
/* Deterministic random numbers for tests and benchmarks (splitmix64): the
 * same sequence on every machine, so a failing seed can be replayed
 * anywhere. Plain C, no Check, so that the benchmarks can use it too. */
#ifndef LEMICA_TEST_RNG_H
#define LEMICA_TEST_RNG_H

#include <stdint.h>

static inline uint64_t
test_rng_next(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Uniform in [0, bound). */
static inline int
test_rng_below(uint64_t *state, int bound)
{
    return (int)(test_rng_next(state) % (uint64_t)bound);
}

/* Uniform in [0, 1), 53 random bits. */
static inline double
test_rng_unit(uint64_t *state)
{
    return (double)(test_rng_next(state) >> 11) * 0x1.0p-53;
}

#endif /* LEMICA_TEST_RNG_H */
