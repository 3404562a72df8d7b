/* SPDX-License-Identifier: MIT */
#ifndef LEMICA_GRAPH_INT_H
#define LEMICA_GRAPH_INT_H

#include "lemica/lemica-graph.h"

/* Edge (i, j) with span d = j - i, 1 <= d <= max_skip, lives at
 * weights[i * max_skip + d - 1]. An absent edge holds NaN: weights given by
 * users are never NaN, so one array says both "present" and "how heavy".
 * Slots whose edge would end past N - 1 stay NaN forever. */
struct lemica_graph {
    int num_steps;
    int max_skip;
    double *weights;
};

static inline size_t
lemica_graph_slot(const lemica_graph *graph, int from, int to)
{
    return (size_t)from * (size_t)graph->max_skip + (size_t)(to - from - 1);
}

/* Weight of (from, to), or NaN if absent. Arguments must be in range. */
static inline double
lemica_graph_weight_or_nan(const lemica_graph *graph, int from, int to)
{
    return graph->weights[lemica_graph_slot(graph, from, to)];
}

#endif /* LEMICA_GRAPH_INT_H */
