/* SPDX-License-Identifier: MIT */
/**
 * @file lemica-graph.h
 * @brief The error-weighted DAG over the sampling steps.
 */
#ifndef LEMICA_GRAPH_H
#define LEMICA_GRAPH_H

#include <stddef.h>

#include "lemica-status.h"

/**
 * @defgroup graph Graph
 * @brief The DAG whose paths are cache schedules.
 *
 * Nodes are the sampling steps 0 .. N-1. An edge (i, j) with
 * 1 <= j - i <= K (the max skip) is a cache segment: the model is called at
 * i and j and its output of step i is reused at i+1 .. j-1. The edge's
 * weight is the error that segment causes on the final sample (the paper's
 * eq. 4).
 *
 * Rules:
 * - **Span-1 edges** (j = i + 1, no step reused) are present with weight 0
 *   when the graph is created; they may be given another weight or removed
 *   like any edge. Every longer edge starts absent.
 * - **Weights** are finite and >= 0. NaN, negative values and +infinity are
 *   refused with ::LEMICA_ERR_INVALID_VALUE (to make an edge unusable,
 *   remove it). -0.0 is stored as +0.0.
 * - **Max skip** K above N - 1 is clamped to N - 1; lemica_graph_max_skip()
 *   returns the clamped value.
 * - Steps outside 0 .. N-1, j <= i, or j - i > K give
 *   ::LEMICA_ERR_OUT_OF_RANGE.
 *
 * Storage is one double per possible edge, 8 * N * K bytes; N is at most
 * ::LEMICA_MAX_STEPS and N * K at most ::LEMICA_MAX_EDGE_SLOTS (1 GiB of
 * weights), so that a bad input cannot make the library take the
 * machine's memory.
 *
 * @code
 * lemica_graph *graph = NULL;
 * if (lemica_graph_new(50, 49, &graph) != LEMICA_OK)
 *     return -1;
 * lemica_graph_set_weight(graph, 10, 13, 0.021);  // reuse step 10 at 11, 12
 * ...
 * lemica_graph_free(graph);
 * @endcode
 * @{
 */

/** @brief The largest supported number of sampling steps N; above it
 *         ::LEMICA_ERR_TOO_LARGE (see @ref limits for every limit). */
#define LEMICA_MAX_STEPS 65536

/** @brief The largest supported N * K (after clamping K) of a graph or a
 *         plan: 2^27 edge slots, 1 GiB of graph weights; above it
 *         ::LEMICA_ERR_TOO_LARGE. Profilers have their own, lower
 *         ::LEMICA_MAX_PROFILER_SLOTS. */
#define LEMICA_MAX_EDGE_SLOTS 134217728

/**
 * @brief Opaque graph handle.
 * @since 0.1
 */
typedef struct lemica_graph lemica_graph;

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief Create a graph with only the span-1 edges, each of weight 0.
 * @param[in] num_steps N, the number of sampling steps: 2 .. ::LEMICA_MAX_STEPS.
 * @param[in] max_skip K, the longest edge span, >= 1; above N - 1 it is
 *            clamped to N - 1.
 * @param[out] out The new graph; set to NULL on failure.
 * @return ::LEMICA_OK; ::LEMICA_ERR_INVALID_ARGUMENT for a NULL @p out,
 *         N < 2 or K < 1; ::LEMICA_ERR_TOO_LARGE for N above
 *         ::LEMICA_MAX_STEPS or N * K above ::LEMICA_MAX_EDGE_SLOTS;
 *         ::LEMICA_ERR_NO_MEMORY.
 * @since 0.1
 */
LEMICA_API lemica_status lemica_graph_new(int num_steps, int max_skip,
                                          lemica_graph **out);

/**
 * @brief Free a graph. NULL is a no-op.
 * @param[in] graph The graph, or NULL.
 * @since 0.1
 */
LEMICA_API void lemica_graph_free(lemica_graph *graph);

/**
 * @brief Make an independent copy of a graph.
 * @param[in] graph The graph to copy.
 * @param[out] out The copy; set to NULL on failure.
 * @return ::LEMICA_OK, ::LEMICA_ERR_INVALID_ARGUMENT or ::LEMICA_ERR_NO_MEMORY.
 * @since 0.1
 */
LEMICA_API lemica_status lemica_graph_copy(const lemica_graph *graph,
                                           lemica_graph **out);

/**
 * @brief The number of steps N.
 * @param[in] graph The graph.
 * @return N, or 0 if @p graph is NULL.
 * @since 0.1
 */
LEMICA_API int lemica_graph_num_steps(const lemica_graph *graph);

/**
 * @brief The max skip K after clamping to N - 1.
 * @param[in] graph The graph.
 * @return K, or 0 if @p graph is NULL.
 * @since 0.1
 */
LEMICA_API int lemica_graph_max_skip(const lemica_graph *graph);

/**
 * @brief Add an edge or change its weight.
 * @param[in,out] graph The graph.
 * @param[in] from i, the step whose model output is reused.
 * @param[in] to j, the next computed step; 1 <= j - i <= K.
 * @param[in] weight The error of the segment: finite and >= 0.
 * @return ::LEMICA_OK; ::LEMICA_ERR_OUT_OF_RANGE for a bad (i, j);
 *         ::LEMICA_ERR_INVALID_VALUE for NaN, infinite or negative weights;
 *         ::LEMICA_ERR_INVALID_ARGUMENT for a NULL graph. On error the
 *         graph is unchanged.
 * @since 0.1
 */
LEMICA_API lemica_status lemica_graph_set_weight(lemica_graph *graph, int from,
                                                 int to, double weight);

/**
 * @brief Read an edge's weight.
 * @param[in] graph The graph.
 * @param[in] from i.
 * @param[in] to j.
 * @param[out] weight The weight; untouched on error.
 * @return ::LEMICA_OK; ::LEMICA_ERR_NOT_FOUND if the edge is absent;
 *         ::LEMICA_ERR_OUT_OF_RANGE; ::LEMICA_ERR_INVALID_ARGUMENT.
 * @since 0.1
 */
LEMICA_API lemica_status lemica_graph_get_weight(const lemica_graph *graph,
                                                 int from, int to,
                                                 double *weight);

/**
 * @brief Remove an edge; a path can no longer use it.
 *
 * Removing an absent edge succeeds and changes nothing.
 * @param[in,out] graph The graph.
 * @param[in] from i.
 * @param[in] to j.
 * @return ::LEMICA_OK, ::LEMICA_ERR_OUT_OF_RANGE or
 *         ::LEMICA_ERR_INVALID_ARGUMENT.
 * @since 0.1
 */
LEMICA_API lemica_status lemica_graph_remove_edge(lemica_graph *graph,
                                                  int from, int to);

/**
 * @brief Whether an edge is present.
 * @param[in] graph The graph.
 * @param[in] from i.
 * @param[in] to j.
 * @return 1 if present, 0 if absent, or a negative ::lemica_status
 *         (::LEMICA_ERR_OUT_OF_RANGE, ::LEMICA_ERR_INVALID_ARGUMENT).
 * @since 0.1
 */
LEMICA_API int lemica_graph_has_edge(const lemica_graph *graph, int from,
                                     int to);

/**
 * @brief The number of present edges, span-1 edges included.
 * @param[in] graph The graph.
 * @return The count, or 0 if @p graph is NULL.
 * @since 0.1
 */
LEMICA_API size_t lemica_graph_num_edges(const lemica_graph *graph);

#ifdef __cplusplus
}
#endif

/** @} */

#endif /* LEMICA_GRAPH_H */
