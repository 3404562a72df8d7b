/* SPDX-License-Identifier: MIT */
#ifndef LEMICA_PAIR_MEMO_INT_H
#define LEMICA_PAIR_MEMO_INT_H

#include <stddef.h>
#include <stdint.h>

/* LEXMAX's row scan (solver-dp.c, tree_maxima()): the largest weights of
 * two states' DP paths below their common ancestor, remembered for the
 * last two layers walked. The paths of two states whose predecessors
 * differ meet where the predecessors' paths meet, so the predecessors'
 * answer, if walked in the layer before, and one edge each give a walk's
 * answer in O(1): about half the walks of diffusion-like weights at
 * N = 1000 - 2000 (docs/solver-performance-log.md, seventh pass).
 *
 * A direct-mapped table of two halves of 2^bits entries: layer l's
 * entries are in half l & 1, tagged with l (0: empty). An entry keys the
 * pair with the smaller state first. */
struct lemica_pair_memo {
    uint32_t layer;
    uint32_t key; /* smaller state << 16 | larger state */
    double max_lo, max_hi;
};

/* Whether the memo pays, decided layer by layer: a hit saves a walk, and
 * every walk costs a store and every walk of two states with different
 * predecessors a look-up. Where few pairs come back (distinct weights:
 * 10-20% hits at N = 200 - 1000, against 50-75% for diffusion-like
 * weights) that cost up to 2.3% of the solve. So a layer where fewer
 * than 1 / PAIR_MEMO_PAYS of the look-ups hit turns the memo off, and it
 * comes back for a trial (one layer storing, one looking up) after
 * PAIR_MEMO_IDLE layers off. Below LEMICA_PAIR_MEMO_MIN_STEPS steps
 * (solver-int.h) the walks are short and the memo stays off. */
struct lemica_pair_memo_gate {
    int enabled;   /* this run may use the memo */
    int store;     /* this layer stores its walks' answers */
    int probe;     /* and looks up the layer before's (it stored them) */
    unsigned idle; /* layers off in a row */
    uint64_t probes, hits; /* this layer's look-ups, and those that hit */
};

#define PAIR_MEMO_PAYS 2
#define PAIR_MEMO_IDLE 64

static inline void
lemica_pair_memo_gate_start(struct lemica_pair_memo_gate *gate, int enabled)
{
    gate->enabled = enabled;
    gate->store = enabled;
    gate->probe = 0;
    gate->idle = 0;
    gate->probes = gate->hits = 0;
}

/* At the end of a layer: the next one's store and probe. */
static inline void
lemica_pair_memo_gate_next(struct lemica_pair_memo_gate *gate)
{
    if (!gate->enabled)
        return;
    if (gate->probe) {
        gate->store = gate->probe =
            gate->hits * PAIR_MEMO_PAYS >= gate->probes;
        gate->idle = 0;
    } else if (gate->store)
        gate->probe = 1; /* the trial's second layer */
    else if (++gate->idle >= PAIR_MEMO_IDLE) {
        gate->store = 1;
        gate->idle = 0;
    }
    gate->probes = gate->hits = 0;
}

/* log2 of the entries of each half for layers of @num_steps states
 * (6 .. 14). */
static inline unsigned
lemica_pair_memo_bits(size_t num_steps)
{
    unsigned bits = 6;

    while (((size_t)1 << bits) < num_steps && bits < 14)
        bits++;
    return bits;
}

static inline struct lemica_pair_memo *
lemica_pair_memo_entry(struct lemica_pair_memo *memo, unsigned bits,
                       int layer, uint32_t key)
{
    return memo + ((size_t)(layer & 1) << bits) +
           ((key * 0x9e3779b1u) >> (32 - bits));
}

/* The maxima of states @a and @b (@a != @b) of @layer if remembered: 1
 * and *@max_a, *@max_b; else 0. */
static inline int
lemica_pair_memo_find(struct lemica_pair_memo *memo, unsigned bits, int layer,
                      int a, int b, double *max_a, double *max_b)
{
    const int swap = a > b;
    const uint32_t key = swap ? (uint32_t)b << 16 | (uint32_t)a
                              : (uint32_t)a << 16 | (uint32_t)b;
    const struct lemica_pair_memo *e =
        lemica_pair_memo_entry(memo, bits, layer, key);

    if (e->layer != (uint32_t)layer || e->key != key)
        return 0;
    *max_a = swap ? e->max_hi : e->max_lo;
    *max_b = swap ? e->max_lo : e->max_hi;
    return 1;
}

static inline void
lemica_pair_memo_store(struct lemica_pair_memo *memo, unsigned bits,
                       int layer, int a, int b, double max_a, double max_b)
{
    const int swap = a > b;
    const uint32_t key = swap ? (uint32_t)b << 16 | (uint32_t)a
                              : (uint32_t)a << 16 | (uint32_t)b;
    struct lemica_pair_memo *e = lemica_pair_memo_entry(memo, bits, layer, key);

    e->layer = (uint32_t)layer;
    e->key = key;
    e->max_lo = swap ? max_b : max_a;
    e->max_hi = swap ? max_a : max_b;
}

#endif /* LEMICA_PAIR_MEMO_INT_H */
