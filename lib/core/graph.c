/* SPDX-License-Identifier: MIT */
#include <math.h>
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

lemica_status
lemica_graph_new(int num_steps, int max_skip, lemica_graph **out)
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
    graph->weights = lemica_alloc_array(slots, sizeof(double));
    if (!graph->weights) {
        lemica_dealloc(graph);
        return lemica_fail_no_memory("graph weights");
    }
    graph->num_steps = num_steps;
    graph->max_skip = max_skip;
    for (size_t slot = 0; slot < slots; slot++)
        graph->weights[slot] = (double)NAN;
    for (int from = 0; from + 1 < num_steps; from++)
        graph->weights[lemica_graph_slot(graph, from, from + 1)] = 0.0;
    *out = graph;
    return LEMICA_OK;
}

void
lemica_graph_free(lemica_graph *graph)
{
    if (!graph)
        return;
    lemica_dealloc(graph->weights);
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
    copy->weights = lemica_alloc_array(slots, sizeof(double));
    if (!copy->weights) {
        lemica_dealloc(copy);
        return lemica_fail_no_memory("graph weights");
    }
    copy->num_steps = graph->num_steps;
    copy->max_skip = graph->max_skip;
    memcpy(copy->weights, graph->weights, slots * sizeof(double));
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
    graph->weights[lemica_graph_slot(graph, from, to)] = weight;
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
    value = lemica_graph_weight_or_nan(graph, from, to);
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

    if (status != LEMICA_OK)
        return status;
    graph->weights[lemica_graph_slot(graph, from, to)] = (double)NAN;
    return LEMICA_OK;
}

int
lemica_graph_has_edge(const lemica_graph *graph, int from, int to)
{
    lemica_status status = check_edge(graph, from, to);

    if (status != LEMICA_OK)
        return status;
    return !isnan(lemica_graph_weight_or_nan(graph, from, to));
}

size_t
lemica_graph_num_edges(const lemica_graph *graph)
{
    size_t count = 0;
    size_t slots;

    if (!graph)
        return 0;
    slots = (size_t)graph->num_steps * (size_t)graph->max_skip;
    for (size_t slot = 0; slot < slots; slot++)
        count += !isnan(graph->weights[slot]);
    return count;
}
