/* SPDX-License-Identifier: MIT */
/**
 * @file lemica-transfer.h
 * @brief Time grids, and graphs transferred to another step grid (an
 *        approximation).
 */
#ifndef LEMICA_TRANSFER_H
#define LEMICA_TRANSFER_H

#include <stddef.h>

#include "lemica-graph.h"
#include "lemica-metadata.h"
#include "lemica-status.h"

/**
 * @defgroup transfer Transfer
 * @brief Plans for another number of steps or another time grid, derived
 *        from a graph measured on a recorded grid. **An approximation.**
 *
 * A static plan is tied to the trajectory it was profiled on: the sampler's
 * step count N and its time grid (the times or sigmas at which the steps
 * run, for example SD3's shifted flow-matching grid). Users change both
 * more often than they profile again. This module records the grid a graph
 * was measured on, and derives a graph for another grid by interpolating
 * the segment errors over (start time, end time):
 *
 * - A **time grid** is the N + 1 values t_0 .. t_N of the sampler's
 *   variable at the start of each step and at the end (t_0 = 1 ... t_N = 0
 *   for flow matching; sigmas work the same way), strictly monotone
 *   (decreasing or increasing), finite. Step i runs at t_i.
 * - **Transfer**: for a target grid t'_0 .. t'_N', the target segment
 *   (i', j') runs from time t'_i' to t'_j'. Each time is mapped to a
 *   fractional step of the source grid by inverting its piecewise-linear
 *   interpolation (times before the source's last step map into
 *   0 .. N - 1; later ones are clamped to N - 1), and the weight is the
 *   bilinear interpolation of the source weights w(p, q) at that point,
 *   with w(p, q) = 0 where q <= p (no reused step, no error). A target
 *   edge whose interpolation needs a source edge that is absent (not
 *   measured, or beyond the source's max skip) is absent. Span-1 target
 *   edges stay at weight 0, as in every new graph.
 * - Errors of cached segments depend mostly on the time interval they
 *   cover, which is what makes this work; they also depend on how the
 *   rest of the trajectory is integrated, which it ignores. The library
 *   therefore calls the result an approximation everywhere it appears, and
 *   lemica_time_grid_distance() says how far a target grid's shape is
 *   from the source's; the `lemica transfer` tool warns past the range validated
 *   in docs (see the Transfer section of the main page for the measured
 *   table).
 *
 * Schedules and graphs carry their grid in the metadata key
 * ::LEMICA_TIME_GRID_KEY; lemica_time_grid_check() tells a runtime whether
 * a loaded schedule was planned for the grid it is about to run.
 *
 * @code
 * double source[51], target[31];
 * lemica_time_grid_shifted(50, 3.0, source, 51);   // grid profiled on
 * lemica_time_grid_shifted(30, 3.0, target, 31);   // grid to run
 * lemica_graph *transferred = NULL;
 * lemica_graph_transfer(measured, source, 51, target, 31, &transferred);
 * lemica_solver_solve(solver, transferred, 10, &schedule);
 * @endcode
 * @{
 */

/** @brief The metadata key that records a time grid: its N + 1 values,
 *         comma-separated, each the shortest text that reads back as the
 *         same double. */
#define LEMICA_TIME_GRID_KEY "time_grid"

/** @brief The longest time grid a metadata value can hold, in values
 *         (N + 1): a value is at most ::LEMICA_METADATA_MAX_VALUE bytes and
 *         a double takes at most 24 of them with its comma. Longer grids
 *         give ::LEMICA_ERR_TOO_LARGE. */
#define LEMICA_TIME_GRID_MAX_VALUES 170

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief The shifted flow-matching grid of SD3, Flux and Wan:
 *        u_i = 1 - i / N, t_i = s u_i / (1 + (s - 1) u_i), i = 0 .. N.
 * @param[in] num_steps N, 1 .. ::LEMICA_MAX_STEPS.
 * @param[in] shift s > 0 and finite; 1 is the uniform grid, s > 1 puts
 *            more steps at high noise.
 * @param[out] grid N + 1 values, from 1 down to 0.
 * @param[in] capacity The number of doubles @p grid holds, at least N + 1.
 * @return ::LEMICA_OK; ::LEMICA_ERR_INVALID_ARGUMENT for a NULL @p grid, a
 *         bad N or shift; ::LEMICA_ERR_TOO_LARGE when @p capacity is below
 *         N + 1 (nothing written).
 * @since 0.2
 */
LEMICA_API lemica_status lemica_time_grid_shifted(int num_steps, double shift,
                                                  double *grid,
                                                  size_t capacity);

/**
 * @brief Record a time grid in metadata under ::LEMICA_TIME_GRID_KEY
 *        (replacing an earlier one).
 * @param[in,out] metadata The metadata.
 * @param[in] grid @p count values, strictly monotone and finite.
 * @param[in] count N + 1, 3 .. ::LEMICA_TIME_GRID_MAX_VALUES.
 * @return ::LEMICA_OK; ::LEMICA_ERR_INVALID_ARGUMENT for NULL arguments or
 *         count < 3; ::LEMICA_ERR_INVALID_VALUE for a grid that is not
 *         finite and strictly monotone; ::LEMICA_ERR_TOO_LARGE for too many
 *         values; ::LEMICA_ERR_NO_MEMORY. On error the metadata is
 *         unchanged.
 * @since 0.2
 */
LEMICA_API lemica_status lemica_time_grid_set(lemica_metadata *metadata,
                                              const double *grid,
                                              size_t count);

/**
 * @brief Read the time grid recorded in metadata.
 * @param[in] metadata The metadata.
 * @param[out] grid Where the values go (may be NULL when @p capacity is 0,
 *             to ask for the count).
 * @param[in] capacity The number of doubles @p grid holds.
 * @param[out] count The number of values recorded (also on
 *             ::LEMICA_ERR_TOO_LARGE). May be NULL.
 * @return ::LEMICA_OK; ::LEMICA_ERR_NOT_FOUND if no grid is recorded;
 *         ::LEMICA_ERR_PARSE if the recorded value is not a valid grid
 *         (the message says why); ::LEMICA_ERR_TOO_LARGE if @p capacity is
 *         too small (nothing written to @p grid);
 *         ::LEMICA_ERR_INVALID_ARGUMENT for a NULL @p metadata.
 * @since 0.2
 */
LEMICA_API lemica_status lemica_time_grid_get(const lemica_metadata *metadata,
                                              double *grid, size_t capacity,
                                              size_t *count);

/**
 * @brief Was this metadata's object made for this grid?
 *
 * Values compare equal when they differ by at most 1e-9 relative to the
 * larger magnitude (or 1e-12 absolute), so a grid computed again in
 * another program or precision still matches.
 * @param[in] metadata The metadata of a loaded schedule or graph.
 * @param[in] grid The grid the caller is about to run, @p count values.
 * @param[in] count N + 1.
 * @return ::LEMICA_OK when the recorded grid is this one;
 *         ::LEMICA_ERR_MISMATCH when another grid is recorded (another
 *         length or other values; the message names the first
 *         difference); ::LEMICA_ERR_NOT_FOUND when none is recorded;
 *         ::LEMICA_ERR_PARSE for a malformed recorded grid;
 *         ::LEMICA_ERR_INVALID_ARGUMENT for NULL arguments.
 * @since 0.2
 */
LEMICA_API lemica_status lemica_time_grid_check(const lemica_metadata *metadata,
                                                const double *grid,
                                                size_t count);

/**
 * @brief Derive a graph for another step grid from one measured on
 *        @p source_grid (see @ref transfer for the rule). An approximation.
 * @param[in] source The measured graph, N steps.
 * @param[in] source_grid N + 1 values, strictly monotone and finite.
 * @param[in] source_count N + 1.
 * @param[in] target_grid N' + 1 values, strictly monotone in the same
 *            direction, inside the source grid's range (its first and last
 *            values may equal the source's).
 * @param[in] target_count N' + 1; N' from 2 to ::LEMICA_MAX_STEPS.
 * @param[out] out The new graph of N' steps; its max skip is the longest
 *             span among its present edges. NULL on failure.
 * @return ::LEMICA_OK; ::LEMICA_ERR_INVALID_ARGUMENT for NULL arguments or
 *         a source count other than N + 1; ::LEMICA_ERR_INVALID_VALUE for
 *         a grid that is not finite and strictly monotone, grids of
 *         opposite directions, or a target outside the source's range;
 *         ::LEMICA_ERR_TOO_LARGE for N' past the limits;
 *         ::LEMICA_ERR_NO_MEMORY.
 * @since 0.2
 */
LEMICA_API lemica_status lemica_graph_transfer(const lemica_graph *source,
                                               const double *source_grid,
                                               size_t source_count,
                                               const double *target_grid,
                                               size_t target_count,
                                               lemica_graph **out);

/**
 * @brief How different the shape of a target grid is from the source
 *        grid: the largest gap, as a fraction of the run, between where a
 *        target step falls on the source grid (at fractional source step
 *        x, a fraction x / N of the run) and the fraction of the target
 *        run it ends (i' / N').
 *
 * 0 means the same grid or the same grid with another step count (the
 * shifted grids of one shift at N = 50 and N' = 30, say); grids of other
 * shifts give more. The step count ratio N' / N is the other half of how
 * far a transfer reaches. The ranges validated are in the Transfer
 * section of the main page.
 * @param[in] source_grid N + 1 values.
 * @param[in] source_count N + 1.
 * @param[in] target_grid N' + 1 values.
 * @param[in] target_count N' + 1.
 * @param[out] distance The distance, 0 .. 1.
 * @return ::LEMICA_OK or the errors of lemica_graph_transfer() for the
 *         grids; ::LEMICA_ERR_INVALID_ARGUMENT for a NULL @p distance.
 * @since 0.2
 */
LEMICA_API lemica_status lemica_time_grid_distance(const double *source_grid,
                                                   size_t source_count,
                                                   const double *target_grid,
                                                   size_t target_count,
                                                   double *distance);

#ifdef __cplusplus
}
#endif

/** @} */

#endif /* LEMICA_TRANSFER_H */
