/* SPDX-License-Identifier: MIT */
/**
 * @file lemica-schedule.h
 * @brief The answer: which steps call the model.
 */
#ifndef LEMICA_SCHEDULE_H
#define LEMICA_SCHEDULE_H

#include <stddef.h>

#include "lemica-graph.h"
#include "lemica-status.h"

/**
 * @defgroup schedule Schedule
 * @brief The steps that call the model, and what the solver paid for them.
 *
 * A schedule for N steps and budget B lists B computed steps in ascending
 * order; the first is always 0 and the last N - 1. At run time the engine
 * asks lemica_schedule_should_compute() at every step (O(1)).
 *
 * Text forms:
 * - **step list** `0,1,3,7,...,49`: the computed steps, ascending (the form
 *   the paper's release ships). Parsing needs N. Spaces around numbers and
 *   one pair of enclosing brackets (`[0, 1, 3]`, as Python prints a list)
 *   are accepted.
 * - **compute mask** `1,1,0,1,...`: one 0/1 per step (the form cache-dit
 *   and stable-diffusion.cpp take). N is the number of entries.
 *
 * Parsing is strict: duplicate or unsorted steps, steps out of range, a
 * missing first or last step, empty entries, leading zeros (`07`: C and
 * Python read them differently), signs, or stray characters give
 * ::LEMICA_ERR_PARSE with a message (lemica_last_error_message()) saying
 * which entry is wrong (entries count from 0). Spaces and tabs around
 * entries and one final newline (LF or CRLF) are accepted.
 *
 * A schedule made by the solver also carries its **cost vector**: the
 * weights of its B - 1 segments sorted in descending order (span-1
 * segments contribute their weight, 0 by default). A schedule parsed from
 * text or built from a step array has no cost vector until
 * lemica_schedule_evaluate() gives it one.
 *
 * @code
 * lemica_schedule *schedule = NULL;
 * const char *text = "0,1,2,4,8,16,30,49";
 * if (lemica_schedule_parse_steps(50, text, strlen(text), &schedule) == LEMICA_OK) {
 *     for (int t = 0; t < 50; t++)
 *         if (lemica_schedule_should_compute(schedule, t))
 *             ;  // run the model at step t, else reuse its last output
 *     lemica_schedule_free(schedule);
 * }
 * @endcode
 * @{
 */

/**
 * @brief Opaque schedule handle.
 * @since 0.1
 */
typedef struct lemica_schedule lemica_schedule;

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief Build a schedule from an array of computed steps.
 * @param[in] num_steps N: 2 .. ::LEMICA_MAX_STEPS.
 * @param[in] steps The computed steps, strictly ascending, starting at 0
 *            and ending at N - 1.
 * @param[in] count The number of steps B (the budget), 2 .. N.
 * @param[out] out The schedule (without a cost vector); NULL on failure.
 * @return ::LEMICA_OK; ::LEMICA_ERR_INVALID_ARGUMENT for NULL pointers,
 *         N < 2 or a bad count; ::LEMICA_ERR_TOO_LARGE for N above
 *         ::LEMICA_MAX_STEPS; ::LEMICA_ERR_OUT_OF_RANGE for a step outside
 *         0 .. N-1; ::LEMICA_ERR_PARSE for unsorted or duplicate steps or a
 *         missing first or last step; ::LEMICA_ERR_NO_MEMORY.
 * @since 0.1
 */
LEMICA_API lemica_status lemica_schedule_new_from_steps(int num_steps,
                                                        const int *steps,
                                                        size_t count,
                                                        lemica_schedule **out);

/**
 * @brief Parse a step list such as "0,1,3,7,49".
 * @param[in] num_steps N, the step count the list is meant for.
 * @param[in] text The text; need not be NUL-terminated.
 * @param[in] length Its length in bytes.
 * @param[out] out The schedule (without a cost vector); NULL on failure.
 * @return ::LEMICA_OK; ::LEMICA_ERR_PARSE (the message names the entry);
 *         ::LEMICA_ERR_INVALID_ARGUMENT (NULL pointers, N < 2);
 *         ::LEMICA_ERR_TOO_LARGE (N above ::LEMICA_MAX_STEPS);
 *         ::LEMICA_ERR_NO_MEMORY.
 * @since 0.1
 */
LEMICA_API lemica_status lemica_schedule_parse_steps(int num_steps,
                                                     const char *text,
                                                     size_t length,
                                                     lemica_schedule **out);

/**
 * @brief Parse a compute mask such as "1,1,0,1,0,0,1".
 * @param[in] text The text; need not be NUL-terminated. N is the number of
 *            entries; each is 0 or 1; the first and last must be 1.
 * @param[in] length Its length in bytes.
 * @param[out] out The schedule (without a cost vector); NULL on failure.
 * @return ::LEMICA_OK; ::LEMICA_ERR_PARSE; ::LEMICA_ERR_INVALID_ARGUMENT;
 *         ::LEMICA_ERR_TOO_LARGE; ::LEMICA_ERR_NO_MEMORY.
 * @since 0.1
 */
LEMICA_API lemica_status lemica_schedule_parse_mask(const char *text,
                                                    size_t length,
                                                    lemica_schedule **out);

/**
 * @brief Format as a step list "0,1,3,...,49" (no spaces, no newline).
 *
 * Call with @p buffer NULL and @p size 0 to learn the length.
 * @param[in] schedule The schedule.
 * @param[out] buffer Receives the text and a terminating NUL; may be NULL
 *             when @p size is 0.
 * @param[in] size The size of @p buffer in bytes.
 * @param[out] length The text's length without the NUL (may be NULL); set
 *             on success and on ::LEMICA_ERR_BUFFER_TOO_SMALL.
 * @return ::LEMICA_OK; ::LEMICA_ERR_BUFFER_TOO_SMALL (buffer untouched);
 *         ::LEMICA_ERR_INVALID_ARGUMENT.
 * @since 0.1
 */
LEMICA_API lemica_status lemica_schedule_format_steps(
    const lemica_schedule *schedule, char *buffer, size_t size, size_t *length);

/**
 * @brief Format as a compute mask "1,1,0,...,1" (no spaces, no newline).
 *
 * Same buffer protocol as lemica_schedule_format_steps().
 * @param[in] schedule The schedule.
 * @param[out] buffer Receives the text and a terminating NUL.
 * @param[in] size The size of @p buffer in bytes.
 * @param[out] length The text's length without the NUL (may be NULL).
 * @return ::LEMICA_OK, ::LEMICA_ERR_BUFFER_TOO_SMALL or
 *         ::LEMICA_ERR_INVALID_ARGUMENT.
 * @since 0.1
 */
LEMICA_API lemica_status lemica_schedule_format_mask(
    const lemica_schedule *schedule, char *buffer, size_t size, size_t *length);

/**
 * @brief Free a schedule. NULL is a no-op.
 * @param[in] schedule The schedule, or NULL.
 * @since 0.1
 */
LEMICA_API void lemica_schedule_free(lemica_schedule *schedule);

/**
 * @brief Make an independent copy of a schedule (cost vector included).
 * @param[in] schedule The schedule.
 * @param[out] out The copy; NULL on failure.
 * @return ::LEMICA_OK, ::LEMICA_ERR_INVALID_ARGUMENT or ::LEMICA_ERR_NO_MEMORY.
 * @since 0.1
 */
LEMICA_API lemica_status lemica_schedule_copy(const lemica_schedule *schedule,
                                              lemica_schedule **out);

/**
 * @brief The number of sampling steps N the schedule is for.
 * @param[in] schedule The schedule.
 * @return N, or 0 if @p schedule is NULL.
 * @since 0.1
 */
LEMICA_API int lemica_schedule_num_steps(const lemica_schedule *schedule);

/**
 * @brief The budget B: the number of computed steps (model calls).
 * @param[in] schedule The schedule.
 * @return B, or 0 if @p schedule is NULL.
 * @since 0.1
 */
LEMICA_API int lemica_schedule_budget(const lemica_schedule *schedule);

/**
 * @brief Copy the computed steps, ascending.
 * @param[in] schedule The schedule.
 * @param[out] steps Receives B steps; may be NULL when @p capacity is 0.
 * @param[in] capacity The number of ints @p steps holds.
 * @param[out] count Set to B (may be NULL); set on success and on
 *             ::LEMICA_ERR_BUFFER_TOO_SMALL.
 * @return ::LEMICA_OK (also when @p capacity is 0 and @p steps NULL: a size
 *         query); ::LEMICA_ERR_BUFFER_TOO_SMALL; ::LEMICA_ERR_INVALID_ARGUMENT.
 * @since 0.1
 */
LEMICA_API lemica_status lemica_schedule_steps(const lemica_schedule *schedule,
                                               int *steps, size_t capacity,
                                               size_t *count);

/**
 * @brief Whether the engine calls the model at step @p step. O(1).
 * @param[in] schedule The schedule.
 * @param[in] step The step, 0 .. N-1.
 * @return 1 to compute, 0 to reuse the last output, or a negative
 *         ::lemica_status (::LEMICA_ERR_OUT_OF_RANGE,
 *         ::LEMICA_ERR_INVALID_ARGUMENT). A caller that tests the result for
 *         truth computes on error, which is always safe.
 * @since 0.1
 */
LEMICA_API int lemica_schedule_should_compute(const lemica_schedule *schedule,
                                              int step);

/**
 * @brief Whether the schedule carries a cost vector.
 * @param[in] schedule The schedule.
 * @return 1 if it does (it came from the solver or was evaluated), else 0.
 * @since 0.1
 */
LEMICA_API int lemica_schedule_has_costs(const lemica_schedule *schedule);

/**
 * @brief Copy the cost vector: the B - 1 segment weights, descending.
 *
 * Same buffer protocol as lemica_schedule_steps().
 * @param[in] schedule The schedule.
 * @param[out] costs Receives B - 1 values; may be NULL when @p capacity is 0.
 * @param[in] capacity The number of doubles @p costs holds.
 * @param[out] count Set to B - 1 (may be NULL).
 * @return ::LEMICA_OK; ::LEMICA_ERR_STATE if the schedule has no cost
 *         vector; ::LEMICA_ERR_BUFFER_TOO_SMALL; ::LEMICA_ERR_INVALID_ARGUMENT.
 * @since 0.1
 */
LEMICA_API lemica_status lemica_schedule_costs(const lemica_schedule *schedule,
                                               double *costs, size_t capacity,
                                               size_t *count);

/**
 * @brief The largest segment weight (the path's bottleneck).
 * @param[in] schedule The schedule.
 * @param[out] max_cost The value.
 * @return ::LEMICA_OK, ::LEMICA_ERR_STATE (no cost vector) or
 *         ::LEMICA_ERR_INVALID_ARGUMENT.
 * @since 0.1
 */
LEMICA_API lemica_status lemica_schedule_max_cost(
    const lemica_schedule *schedule, double *max_cost);

/**
 * @brief The sum of the segment weights, added in path order (the order
 *        the ::LEMICA_COMPARATOR_SUM solver adds them).
 * @param[in] schedule The schedule.
 * @param[out] sum_cost The value.
 * @return ::LEMICA_OK, ::LEMICA_ERR_STATE (no cost vector) or
 *         ::LEMICA_ERR_INVALID_ARGUMENT.
 * @since 0.1
 */
LEMICA_API lemica_status lemica_schedule_sum_cost(
    const lemica_schedule *schedule, double *sum_cost);

/**
 * @brief Give a schedule the cost vector it has on a graph.
 *
 * Use it to compare any schedule (a uniform one, one shipped as text) with
 * the solver's on the same graph.
 * @param[in,out] schedule The schedule; unchanged on error.
 * @param[in] graph A graph with the same N.
 * @return ::LEMICA_OK; ::LEMICA_ERR_MISMATCH if N differs;
 *         ::LEMICA_ERR_NOT_FOUND if a segment is not an edge of the graph;
 *         ::LEMICA_ERR_INVALID_ARGUMENT; ::LEMICA_ERR_NO_MEMORY.
 * @since 0.1
 */
LEMICA_API lemica_status lemica_schedule_evaluate(
    lemica_schedule *schedule, const lemica_graph *graph);

#ifdef __cplusplus
}
#endif

/** @} */

#endif /* LEMICA_SCHEDULE_H */
