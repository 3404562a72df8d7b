/* SPDX-License-Identifier: MIT */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "../common/alloc-int.h"
#include "../common/dag-size-int.h"
#include "../common/error-int.h"
#include "graph-int.h"

static lemica_status
check_edge(const lemica_graph *graph, int from, int to)
{
    if (!graph)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "graph is NULL");
    if (from < 0 || to >= graph->num_steps || to <= from ||
        to - from > graph->max_skip)
        return lemica_fail(LEMICA_ERR_OUT_OF_RANGE,
                           "edge (%d, %d) is outside a graph of %d steps "
                           "with max skip %d",
                           from, to, graph->num_steps, graph->max_skip);
    return LEMICA_OK;
}

/* The slot of a weight: its bits inverted (see graph-int.h). */
static uint64_t
encode(double weight)
{
    uint64_t bits;

    memcpy(&bits, &weight, sizeof(bits));
    return ~bits;
}

static lemica_status
new_graph(int num_steps, int max_skip, int span_one_edges, lemica_graph **out)
{
    lemica_graph *graph;
    size_t slots;
    lemica_status status;

    if (!out)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "out is NULL");
    *out = NULL;
    status = lemica_check_dag_size(num_steps, max_skip, "a graph", &max_skip);
    if (status != LEMICA_OK)
        return status;

    graph = lemica_alloc_array(1, sizeof(*graph));
    if (!graph)
        return lemica_fail_no_memory("a graph");
    slots = (size_t)num_steps * (size_t)max_skip;
    /* Zeroed: every edge absent, and no page touched until an edge is
     * stored in it. */
    graph->slots = lemica_alloc_zeroed(slots, sizeof(uint64_t));
    graph->row_edges = graph->slots
                           ? lemica_alloc_zeroed((size_t)num_steps, sizeof(int))
                           : NULL;
    if (!graph->row_edges) {
        lemica_dealloc(graph->slots);
        lemica_dealloc(graph);
        return lemica_fail_no_memory("graph weights");
    }
    graph->num_steps = num_steps;
    graph->max_skip = max_skip;
    graph->num_edges = 0;
    if (span_one_edges) {
        for (int from = 0; from + 1 < num_steps; from++) {
            graph->slots[lemica_graph_slot(graph, from, from + 1)] =
                encode(0.0);
            graph->row_edges[from] = 1;
        }
        graph->num_edges = (size_t)num_steps - 1;
    }
    *out = graph;
    return LEMICA_OK;
}

lemica_status
lemica_graph_new(int num_steps, int max_skip, lemica_graph **out)
{
    return new_graph(num_steps, max_skip, 1, out);
}

lemica_status
lemica_graph_new_empty(int num_steps, int max_skip, lemica_graph **out)
{
    return new_graph(num_steps, max_skip, 0, out);
}

void
lemica_graph_free(lemica_graph *graph)
{
    if (!graph)
        return;
    lemica_dealloc(graph->row_edges);
    lemica_dealloc(graph->slots);
    lemica_dealloc(graph);
}

lemica_status
lemica_graph_copy(const lemica_graph *graph, lemica_graph **out)
{
    lemica_graph *copy;
    size_t slots;

    if (!out)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "out is NULL");
    *out = NULL;
    if (!graph)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "graph is NULL");
    copy = lemica_alloc_array(1, sizeof(*copy));
    if (!copy)
        return lemica_fail_no_memory("a graph");
    slots = (size_t)graph->num_steps * (size_t)graph->max_skip;
    copy->slots = lemica_alloc_zeroed(slots, sizeof(uint64_t));
    copy->row_edges =
        copy->slots ? lemica_alloc_zeroed((size_t)graph->num_steps, sizeof(int))
                    : NULL;
    if (!copy->row_edges) {
        lemica_dealloc(copy->slots);
        lemica_dealloc(copy);
        return lemica_fail_no_memory("graph weights");
    }
    copy->num_steps = graph->num_steps;
    copy->max_skip = graph->max_skip;
    copy->num_edges = graph->num_edges;
    /* Only the rows with edges are read and written: the copy of a
     * sparse graph stays as light as the original. */
    memcpy(copy->row_edges, graph->row_edges,
           (size_t)graph->num_steps * sizeof(int));
    for (int from = 0; from < graph->num_steps; from++) {
        size_t first = (size_t)from * (size_t)graph->max_skip;

        if (graph->row_edges[from] == 0)
            continue;
        for (size_t slot = first; slot < first + (size_t)graph->max_skip;
             slot++)
            if (graph->slots[slot])
                copy->slots[slot] = graph->slots[slot];
    }
    *out = copy;
    return LEMICA_OK;
}

int
lemica_graph_num_steps(const lemica_graph *graph)
{
    return graph ? graph->num_steps : 0;
}

int
lemica_graph_max_skip(const lemica_graph *graph)
{
    return graph ? graph->max_skip : 0;
}

lemica_status
lemica_graph_set_weight(lemica_graph *graph, int from, int to, double weight)
{
    lemica_status status = check_edge(graph, from, to);
    uint64_t *slot;

    if (status != LEMICA_OK)
        return status;
    if (isnan(weight) || isinf(weight) || weight < 0.0)
        return lemica_fail(LEMICA_ERR_INVALID_VALUE,
                           "weight of edge (%d, %d) is %g: weights must be "
                           "finite and >= 0",
                           from, to, weight);
    /* -0.0 == 0.0, so this stores +0.0 for both zeros. */
    if (weight == 0.0)
        weight = 0.0;
    slot = &graph->slots[lemica_graph_slot(graph, from, to)];
    graph->num_edges += *slot == 0;
    graph->row_edges[from] += *slot == 0;
    *slot = encode(weight);
    return LEMICA_OK;
}

lemica_status
lemica_graph_get_weight(const lemica_graph *graph, int from, int to,
                        double *weight)
{
    lemica_status status = check_edge(graph, from, to);
    double value;

    if (status != LEMICA_OK)
        return status;
    if (!weight)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "weight is NULL");
    value = graph->row_edges[from] ? lemica_graph_weight_or_nan(graph, from, to)
                                   : (double)NAN;
    if (isnan(value))
        return lemica_fail(LEMICA_ERR_NOT_FOUND, "edge (%d, %d) is absent",
                           from, to);
    *weight = value;
    return LEMICA_OK;
}

lemica_status
lemica_graph_remove_edge(lemica_graph *graph, int from, int to)
{
    lemica_status status = check_edge(graph, from, to);
    uint64_t *slot;

    if (status != LEMICA_OK)
        return status;
    slot = &graph->slots[lemica_graph_slot(graph, from, to)];
    graph->num_edges -= *slot != 0;
    graph->row_edges[from] -= *slot != 0;
    *slot = 0;
    return LEMICA_OK;
}

int
lemica_graph_has_edge(const lemica_graph *graph, int from, int to)
{
    lemica_status status = check_edge(graph, from, to);

    if (status != LEMICA_OK)
        return status;
    return graph->row_edges[from] != 0 &&
           !isnan(lemica_graph_weight_or_nan(graph, from, to));
}

size_t
lemica_graph_num_edges(const lemica_graph *graph)
{
    return graph ? graph->num_edges : 0;
}
