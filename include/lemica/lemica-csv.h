/* SPDX-License-Identifier: MIT */
/**
 * @file lemica-csv.h
 * @brief Import a graph from a CSV edge list.
 */
#ifndef LEMICA_CSV_H
#define LEMICA_CSV_H

#include <stddef.h>

#include "lemica-graph.h"
#include "lemica-status.h"

/**
 * @defgroup csv CSV edge lists
 * @brief Read the simplest interchange form of a graph.
 *
 * The format: a header line `i,j,weight`, then one edge per line
 * `i,j,weight` with 0 <= i < j and a weight that is finite and >= 0,
 * written in C locale notation (`0.5`, `1e-3`) whatever the process's
 * locale. Spaces and tabs around fields are ignored; lines that are
 * empty or whose first non-blank character is `#` are skipped; CRLF line
 * ends are accepted. Only the listed edges exist, plus every span-1 edge
 * with weight 0 (the graph rule, see @ref graph) unless listed with another
 * weight. Listing an edge twice is an error.
 *
 * Errors give ::LEMICA_ERR_PARSE (or ::LEMICA_ERR_INVALID_VALUE for a NaN,
 * infinite or negative weight, ::LEMICA_ERR_OUT_OF_RANGE for steps outside
 * the graph) and a message "line L: what is wrong" (prefixed with the path
 * by lemica_graph_load_csv()).
 *
 * @code
 * lemica_graph *graph = NULL;
 * if (lemica_graph_load_csv("edges.csv", 0, 0, &graph) != LEMICA_OK)
 *     fprintf(stderr, "%s\n", lemica_last_error_message());
 * @endcode
 * @{
 */

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief Parse a CSV edge list held in memory.
 * @param[in] text The text; need not be NUL-terminated.
 * @param[in] length Its length in bytes.
 * @param[in] num_steps N, or 0 to use 1 + the largest step listed.
 * @param[in] max_skip K: edges longer than K are ignored; 0 to use the
 *            longest listed edge (at least 1).
 * @param[out] out The graph; NULL on failure.
 * @return ::LEMICA_OK; ::LEMICA_ERR_PARSE; ::LEMICA_ERR_INVALID_VALUE;
 *         ::LEMICA_ERR_OUT_OF_RANGE; ::LEMICA_ERR_INVALID_ARGUMENT;
 *         ::LEMICA_ERR_TOO_LARGE; ::LEMICA_ERR_NO_MEMORY.
 * @since 0.1
 */
LEMICA_API lemica_status lemica_graph_parse_csv(const char *text,
                                                size_t length, int num_steps,
                                                int max_skip,
                                                lemica_graph **out);

/**
 * @brief Read a CSV edge list from a file.
 * @param[in] path The file.
 * @param[in] num_steps As lemica_graph_parse_csv().
 * @param[in] max_skip As lemica_graph_parse_csv().
 * @param[out] out The graph; NULL on failure.
 * @return As lemica_graph_parse_csv(), plus ::LEMICA_ERR_IO when the file
 *         cannot be read.
 * @since 0.1
 */
LEMICA_API lemica_status lemica_graph_load_csv(const char *path, int num_steps,
                                               int max_skip,
                                               lemica_graph **out);

#ifdef __cplusplus
}
#endif

/** @} */

#endif /* LEMICA_CSV_H */
