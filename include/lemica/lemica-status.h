/* SPDX-License-Identifier: MIT */
/**
 * @file lemica-status.h
 * @brief Status codes, their names and messages, and the detailed message
 *        of the last failure.
 */
#ifndef LEMICA_STATUS_H
#define LEMICA_STATUS_H

#include "lemica-version.h"

/**
 * @defgroup status Status codes
 * @brief Every fallible function returns a ::lemica_status.
 *
 * ::LEMICA_OK is 0 and every error is negative. The numeric values are part
 * of the ABI: they never change, and new codes get new numbers. A failing
 * call leaves the objects it was given as they were and records a detailed,
 * human-readable message for the calling thread, which
 * lemica_last_error_message() returns.
 *
 * @code
 * lemica_status rc = lemica_graph_set_weight(graph, 3, 7, weight);
 * if (rc != LEMICA_OK)
 *     fprintf(stderr, "%s: %s\n", lemica_status_name(rc),
 *             lemica_last_error_message());
 * @endcode
 * @{
 */

/**
 * @brief The list of status codes: X(name, value, message).
 *
 * Expanded once into the enum below and once, inside the library, into
 * lemica_strerror() and lemica_status_name(), so the three never disagree.
 */
#define LEMICA_STATUS_LIST(X)                                                  \
    X(LEMICA_OK, 0, "success")                                                 \
    X(LEMICA_ERR_INVALID_ARGUMENT, -1,                                         \
      "invalid argument (NULL pointer, unknown enum value or bad size)")       \
    X(LEMICA_ERR_OUT_OF_RANGE, -2, "step, edge or index out of range")         \
    X(LEMICA_ERR_INVALID_VALUE, -3,                                            \
      "invalid value (NaN, infinite or negative weight)")                      \
    X(LEMICA_ERR_NO_MEMORY, -4, "out of memory")                               \
    X(LEMICA_ERR_INFEASIBLE, -5,                                               \
      "no schedule has this budget under the graph and constraints")           \
    X(LEMICA_ERR_NOT_FOUND, -6, "no such edge")                                \
    X(LEMICA_ERR_PARSE, -7, "malformed input")                                 \
    X(LEMICA_ERR_BUFFER_TOO_SMALL, -8, "output buffer too small")             \
    X(LEMICA_ERR_STATE, -9, "the object holds no data for this call")          \
    X(LEMICA_ERR_MISMATCH, -10, "objects of different sizes or kinds")         \
    X(LEMICA_ERR_IO, -11, "input/output error")                                \
    X(LEMICA_ERR_VERSION, -12, "unsupported format version")                   \
    X(LEMICA_ERR_TOO_LARGE, -13, "size above the documented maximum")

/** @cond LEMICA_INTERNAL */
#define LEMICA_STATUS_ENUM_ITEM_(name, value, message) name = value,
/** @endcond */

/**
 * @brief Result of every fallible call. 0 is success, errors are negative.
 *
 * - ::LEMICA_OK (0): success.
 * - ::LEMICA_ERR_INVALID_ARGUMENT (-1): NULL pointer, unknown enum value,
 *   impossible size.
 * - ::LEMICA_ERR_OUT_OF_RANGE (-2): a step, edge or index outside the object.
 * - ::LEMICA_ERR_INVALID_VALUE (-3): a weight that is NaN, infinite or
 *   negative.
 * - ::LEMICA_ERR_NO_MEMORY (-4): an allocation failed; nothing was changed.
 * - ::LEMICA_ERR_INFEASIBLE (-5): no schedule has the requested budget.
 * - ::LEMICA_ERR_NOT_FOUND (-6): the edge is absent.
 * - ::LEMICA_ERR_PARSE (-7): malformed text; the message says where.
 * - ::LEMICA_ERR_BUFFER_TOO_SMALL (-8): the caller's buffer is too small;
 *   the required size was returned.
 * - ::LEMICA_ERR_STATE (-9): the object holds no data for this call (for
 *   example the costs of a schedule parsed from text).
 * - ::LEMICA_ERR_MISMATCH (-10): two objects disagree (step counts...).
 * - ::LEMICA_ERR_IO (-11): reading or writing a file failed.
 * - ::LEMICA_ERR_VERSION (-12): a file of a newer, unsupported version.
 * - ::LEMICA_ERR_TOO_LARGE (-13): a size above the documented maximum.
 *
 * @since 0.1
 */
typedef enum lemica_status {
    LEMICA_STATUS_LIST(LEMICA_STATUS_ENUM_ITEM_)
} lemica_status;

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief A short English description of a status code.
 * @param[in] status Any value; unknown values get "unknown status".
 * @return A static string; never NULL.
 * @since 0.1
 */
LEMICA_API const char *lemica_strerror(lemica_status status);

/**
 * @brief The identifier of a status code, such as "LEMICA_ERR_PARSE".
 *
 * Bindings use it to name exceptions.
 * @param[in] status Any value; unknown values get "LEMICA_ERR_UNKNOWN".
 * @return A static string; never NULL.
 * @since 0.1
 */
LEMICA_API const char *lemica_status_name(lemica_status status);

/**
 * @brief The detailed message of the last failed call on this thread.
 *
 * Every call that returns an error replaces it (for example "step list:
 * step 7 appears twice"); successful calls leave it alone. The text is
 * owned by the library and valid until the next failing call on the same
 * thread.
 * @return The message, or "" if no call has failed on this thread yet.
 * @since 0.1
 */
LEMICA_API const char *lemica_last_error_message(void);

#ifdef __cplusplus
}
#endif

/** @} */

#endif /* LEMICA_STATUS_H */
