/* SPDX-License-Identifier: MIT */
/**
 * @file lemica-plan.h
 * @brief The profiling plan: which replays an engine runs to measure the
 *        segment errors, and what they cost.
 */
#ifndef LEMICA_PLAN_H
#define LEMICA_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "lemica-status.h"

/**
 * @defgroup plan Profiling plan
 * @brief The replays that measure every cache segment of one sample.
 *
 * To profile one sample (one prompt and seed) an engine runs:
 * 1. a full **reference pass** of N model calls that records, at every
 *    step, the state (the latent entering the step) and the model output;
 * 2. for every selected segment (i, j), a **replay**: it starts from the
 *    recorded state of step i and the recorded output of step i, reuses
 *    that output at steps i+1 .. j-1, and calls the model at steps j ..
 *    N-1. Its final sample, compared with the reference's, is the
 *    segment's error (see lemica_profiler_add_buffers()).
 *
 * lemica_plan_step_action() says what a replay does at every step. A
 * replay costs N - j model calls; lemica_plan_model_calls() is the total
 * for one sample, N + sum over selected segments of (N - j), so users see
 * what profiling costs before they start.
 *
 * **Selection.** A new plan selects every segment with
 * 2 <= j - i <= K (span-1 segments reuse nothing). It can be narrowed to
 * some start steps or some segments, and widened again.
 *
 * **Order and groups.** Replays are numbered by start step i, then by end
 * step j, both ascending. Replays with the same start share their initial
 * state and run in lockstep until the first of them computes; they form a
 * group, so an engine can batch them.
 *
 * **Cost of the calls.** Queries of one replay take O(log N + K); every
 * selection call takes O(N + K), so narrowing a plan for N = 1000 takes
 * microseconds. Storage is N * K bytes plus a few arrays of N.
 *
 * **Threads.** Queries on a plan that nobody modifies may run on any
 * number of threads at once; selection calls need the plan to themselves.
 * Distinct plans are independent.
 *
 * @code
 * lemica_plan *plan = NULL;
 * lemica_plan_new(50, 8, &plan);
 * lemica_plan_select_start(plan, 0, 0);   // never cache from step 0
 * printf("%llu model calls per sample\n",
 *        (unsigned long long)lemica_plan_model_calls(plan));
 * for (size_t g = 0; g < lemica_plan_num_groups(plan); g++) {
 *     int start;
 *     size_t first, count;
 *     lemica_plan_group(plan, g, &start, &first, &count);
 *     // load the recorded state of step `start`, then run the replays
 *     // first .. first + count - 1 as one batch:
 *     for (size_t r = first; r < first + count; r++) {
 *         int from, to;
 *         lemica_plan_replay(plan, r, &from, &to);
 *         ...
 *     }
 * }
 * lemica_plan_free(plan);
 * @endcode
 * @{
 */

/**
 * @brief What a replay does at one step.
 *
 * The numeric values are part of the ABI.
 * @since 0.1
 */
typedef enum lemica_step_action {
    /** Step t <= i: nothing to run; the state and the output of the step
     *  are the reference pass's. */
    LEMICA_STEP_FROM_REFERENCE = 0,
    /** i < t < j: no model call; the output of step i is reused. */
    LEMICA_STEP_REUSE = 1,
    /** t >= j: the model is called. */
    LEMICA_STEP_COMPUTE = 2
} lemica_step_action;

/**
 * @brief Opaque profiling plan handle.
 * @since 0.1
 */
typedef struct lemica_plan lemica_plan;

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief Create a plan selecting every segment with 2 <= j - i <= K.
 * @param[in] num_steps N, the number of sampling steps: 2 .. ::LEMICA_MAX_STEPS.
 * @param[in] max_skip K, the longest segment span, >= 1; above N - 1 it is
 *            clamped to N - 1.
 * @param[out] out The new plan; set to NULL on failure.
 * @return ::LEMICA_OK; ::LEMICA_ERR_INVALID_ARGUMENT for a NULL @p out,
 *         N < 2 or K < 1; ::LEMICA_ERR_TOO_LARGE for N above
 *         ::LEMICA_MAX_STEPS or N * K above ::LEMICA_MAX_EDGE_SLOTS;
 *         ::LEMICA_ERR_NO_MEMORY.
 * @since 0.1
 */
LEMICA_API lemica_status lemica_plan_new(int num_steps, int max_skip,
                                         lemica_plan **out);

/**
 * @brief Free a plan. NULL is a no-op.
 * @param[in] plan The plan, or NULL.
 * @since 0.1
 */
LEMICA_API void lemica_plan_free(lemica_plan *plan);

/**
 * @brief The number of steps N.
 * @param[in] plan The plan.
 * @return N, or 0 if @p plan is NULL.
 * @since 0.1
 */
LEMICA_API int lemica_plan_num_steps(const lemica_plan *plan);

/**
 * @brief The max skip K after clamping to N - 1.
 * @param[in] plan The plan.
 * @return K, or 0 if @p plan is NULL.
 * @since 0.1
 */
LEMICA_API int lemica_plan_max_skip(const lemica_plan *plan);

/**
 * @brief Select or deselect one segment.
 * @param[in,out] plan The plan.
 * @param[in] from i.
 * @param[in] to j; 2 <= j - i <= K, j <= N - 1.
 * @param[in] selected Non-zero to select, 0 to deselect.
 * @return ::LEMICA_OK; ::LEMICA_ERR_OUT_OF_RANGE for a bad segment;
 *         ::LEMICA_ERR_INVALID_ARGUMENT for a NULL plan.
 * @since 0.1
 */
LEMICA_API lemica_status lemica_plan_select_segment(lemica_plan *plan, int from,
                                                    int to, int selected);

/**
 * @brief Select or deselect every segment that starts at one step.
 *
 * Steps near the end that start no segment are accepted and change nothing.
 * @param[in,out] plan The plan.
 * @param[in] step i, 0 .. N-1.
 * @param[in] selected Non-zero to select, 0 to deselect.
 * @return ::LEMICA_OK; ::LEMICA_ERR_OUT_OF_RANGE for a bad step;
 *         ::LEMICA_ERR_INVALID_ARGUMENT for a NULL plan.
 * @since 0.1
 */
LEMICA_API lemica_status lemica_plan_select_start(lemica_plan *plan, int step,
                                                  int selected);

/**
 * @brief Select or deselect every segment.
 * @param[in,out] plan The plan.
 * @param[in] selected Non-zero to select, 0 to deselect.
 * @return ::LEMICA_OK; ::LEMICA_ERR_INVALID_ARGUMENT for a NULL plan.
 * @since 0.1
 */
LEMICA_API lemica_status lemica_plan_select_all(lemica_plan *plan,
                                                int selected);

/**
 * @brief Whether a segment is selected.
 * @param[in] plan The plan.
 * @param[in] from i.
 * @param[in] to j.
 * @return 1 if selected, 0 if not, or a negative ::lemica_status
 *         (::LEMICA_ERR_OUT_OF_RANGE, ::LEMICA_ERR_INVALID_ARGUMENT).
 * @since 0.1
 */
LEMICA_API int lemica_plan_is_selected(const lemica_plan *plan, int from,
                                       int to);

/**
 * @brief The number of replays: the selected segments.
 * @param[in] plan The plan.
 * @return The count, or 0 if @p plan is NULL.
 * @since 0.1
 */
LEMICA_API size_t lemica_plan_num_replays(const lemica_plan *plan);

/**
 * @brief The segment of a replay.
 * @param[in] plan The plan.
 * @param[in] replay The replay index, 0 .. lemica_plan_num_replays() - 1.
 * @param[out] from i, the start step; may be NULL.
 * @param[out] to j, the first computed step after the reuse; may be NULL.
 * @return ::LEMICA_OK; ::LEMICA_ERR_OUT_OF_RANGE for a bad index;
 *         ::LEMICA_ERR_INVALID_ARGUMENT for a NULL plan. Nothing is written
 *         on error.
 * @since 0.1
 */
LEMICA_API lemica_status lemica_plan_replay(const lemica_plan *plan,
                                            size_t replay, int *from, int *to);

/**
 * @brief What a replay does at a step.
 * @param[in] plan The plan.
 * @param[in] replay The replay index.
 * @param[in] step t, 0 .. N-1.
 * @return A ::lemica_step_action (>= 0), or a negative ::lemica_status:
 *         ::LEMICA_ERR_OUT_OF_RANGE for a bad replay or step,
 *         ::LEMICA_ERR_INVALID_ARGUMENT for a NULL plan.
 * @since 0.1
 */
LEMICA_API int lemica_plan_step_action(const lemica_plan *plan, size_t replay,
                                       int step);

/**
 * @brief The number of groups: start steps with at least one replay.
 * @param[in] plan The plan.
 * @return The count, or 0 if @p plan is NULL.
 * @since 0.1
 */
LEMICA_API size_t lemica_plan_num_groups(const lemica_plan *plan);

/**
 * @brief One group of replays sharing a start step.
 *
 * Groups are ordered by start step; group g holds the replays
 * @p first .. @p first + @p count - 1.
 * @param[in] plan The plan.
 * @param[in] group The group index, 0 .. lemica_plan_num_groups() - 1.
 * @param[out] start The shared start step i; may be NULL.
 * @param[out] first The index of the group's first replay; may be NULL.
 * @param[out] count The number of replays in the group (>= 1); may be NULL.
 * @return ::LEMICA_OK; ::LEMICA_ERR_OUT_OF_RANGE for a bad index;
 *         ::LEMICA_ERR_INVALID_ARGUMENT for a NULL plan. Nothing is written
 *         on error.
 * @since 0.1
 */
LEMICA_API lemica_status lemica_plan_group(const lemica_plan *plan,
                                           size_t group, int *start,
                                           size_t *first, size_t *count);

/**
 * @brief The model calls needed to profile one sample.
 *
 * N for the reference pass, plus N - j for every selected segment (i, j).
 * Multiply by the number of prompts and seeds for the whole profile.
 * @param[in] plan The plan.
 * @return The count, or 0 if @p plan is NULL.
 * @since 0.1
 */
LEMICA_API uint64_t lemica_plan_model_calls(const lemica_plan *plan);

#ifdef __cplusplus
}
#endif

/** @} */

#endif /* LEMICA_PLAN_H */
