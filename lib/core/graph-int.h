/* SPDX-License-Identifier: MIT */
#ifndef LEMICA_GRAPH_INT_H
#define LEMICA_GRAPH_INT_H

#include <stdint.h>
#include <string.h>

#include "lemica/lemica-graph.h"

/* Edge (i, j) with span d = j - i, 1 <= d <= max_skip, lives at
 * slots[i * max_skip + d - 1]. A slot holds the bits of its weight
 * inverted, so that an all-zero slot reads as all-ones bits, a NaN, and
 * NaN means "absent" (weights given by users are never NaN): one array
 * says both "present" and "how heavy", and a new graph's storage is
 * zeroed memory the system maps lazily. A graph of N = 65536, K = 2048
 * read from a file of 58 bytes then costs the pages of its edges, not
 * 1 GiB of NaN written up front. Slots whose edge would end past N - 1
 * stay absent forever. */
struct lemica_graph {
    int num_steps;
    int max_skip;
    /* Present edges, in all and out of each step, kept up to date by every
     * change: the public queries answer "absent" for a step without edges
     * from N ints, without reading (and so mapping) the step's slots. */
    size_t num_edges;
    int *row_edges;
    uint64_t *slots;
};

static inline size_t
lemica_graph_slot(const lemica_graph *graph, int from, int to)
{
    return (size_t)from * (size_t)graph->max_skip + (size_t)(to - from - 1);
}

/* The weight a slot holds, NaN if absent. */
static inline double
lemica_graph_decode(uint64_t slot)
{
    uint64_t bits = ~slot;
    double weight;

    memcpy(&weight, &bits, sizeof(weight));
    return weight;
}

/* Weight of (from, to), or NaN if absent. Arguments must be in range. */
static inline double
lemica_graph_weight_or_nan(const lemica_graph *graph, int from, int to)
{
    return lemica_graph_decode(graph->slots[lemica_graph_slot(graph, from, to)]);
}

/* A graph of @num_steps steps and max skip @max_skip (checked and clamped
 * as lemica_graph_new() does) without any edge, span-1 edges included:
 * for the file parser, whose file lists every edge the graph has, so that
 * a file with few edges touches few pages. */
lemica_status lemica_graph_new_empty(int num_steps, int max_skip,
                                     lemica_graph **out);

#endif /* LEMICA_GRAPH_INT_H */
