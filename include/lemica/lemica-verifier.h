/* SPDX-License-Identifier: MIT */
/**
 * @file lemica-verifier.h
 * @brief Choosing among candidate schedules by the error they measurably
 *        cause when run whole on a few samples.
 */
#ifndef LEMICA_VERIFIER_H
#define LEMICA_VERIFIER_H

#include <stddef.h>

#include "lemica-profiler.h"
#include "lemica-schedule.h"
#include "lemica-status.h"

/**
 * @defgroup verifier Verifier
 * @brief Run a few candidate schedules on a few samples (profiling ones or
 *        fresh ones), keep the one whose final samples are closest to the
 *        full passes.
 *
 * The graph weighs one cached segment at a time, and segment errors do not
 * add up exactly: the schedule that is best on the graph is not always the
 * one with the smallest error when run whole. Running a candidate costs
 * only its budget B in model calls per sample, next to the N K calls or so
 * that profiling a sample took, so an engine can check a handful: the k
 * best by LEXMAX and by SUM, say (see @ref kbest).
 *
 * The workflow:
 * 1. lemica_verifier_new() with the number of samples (the engine's
 *    (prompt, seed) pairs, numbered 0 .. S - 1, with their full reference
 *    passes: kept from profiling, or run for fresh seeds);
 * 2. lemica_verifier_add_candidate() for each candidate; add the
 *    graph-optimal schedule **first**: ties go to the earlier candidate, so
 *    it is kept unless another one measures strictly better. A schedule
 *    already added (same steps) is not added twice: its index is returned;
 * 3. for every run lemica_verifier_run() lists (candidate, sample), run the
 *    candidate's schedule from the sample's noise and report the final
 *    sample against the reference, lemica_verifier_report_buffers() (the
 *    verifier's metric, ::LEMICA_METRIC_L1 unless set), or an error the
 *    engine computed itself, lemica_verifier_report_error(). Runs may come
 *    in any order, from any number of workers (one thread at a time per
 *    verifier), and a later report replaces an earlier one;
 * 4. lemica_verifier_best() names the candidate with the smallest
 *    aggregate error over the samples (the mean unless set; or the max,
 *    or mean + z std), lemica_verifier_score() gives each candidate's.
 *
 * The extra cost is lemica_verifier_model_calls(): the sum of the
 * candidates' budgets times the number of samples; or, if the engine can
 * start a run from a saved state, lemica_verifier_prefix_model_calls():
 * candidates that compute the same first steps run them once (see
 * lemica_verifier_prefix_run()). The samples need not be the profiling
 * ones: fresh samples cost a full pass each for their reference, and give
 * the choice more evidence than samples the graph was measured on.
 *
 * @code
 * lemica_verifier *verifier;
 * lemica_verifier_new(num_samples, &verifier);
 * lemica_verifier_add_candidate(verifier, graph_optimal, NULL);  // index 0
 * for (size_t i = 0; i < lemica_schedule_list_count(list); i++) {
 *     const lemica_schedule *s;
 *     lemica_schedule_list_get(list, i, &s);
 *     lemica_verifier_add_candidate(verifier, s, NULL);
 * }
 * for (size_t r = 0; r < lemica_verifier_num_runs(verifier); r++) {
 *     size_t candidate, sample;
 *     const lemica_schedule *schedule;
 *     lemica_verifier_run(verifier, r, &candidate, &sample);
 *     lemica_verifier_candidate(verifier, candidate, &schedule);
 *     // x0 = sample_with(schedule, sample); ref = reference[sample]
 *     lemica_verifier_report_buffers(verifier, candidate, sample, x0, ref,
 *                                    count, LEMICA_DTYPE_F32);
 * }
 * size_t best;
 * lemica_verifier_best(verifier, &best);
 * @endcode
 * @{
 */

/** @brief The largest number of runs (candidates times samples) a verifier
 *         holds: 2^24 (128 MiB of errors); adding past it is
 *         ::LEMICA_ERR_TOO_LARGE. */
#define LEMICA_MAX_VERIFIER_RUNS 16777216

/**
 * @brief Opaque verifier handle.
 * @since 0.2
 */
typedef struct lemica_verifier lemica_verifier;

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief Create a verifier for @p num_samples profiling samples.
 * @param[in] num_samples S >= 1, at most ::LEMICA_MAX_VERIFIER_RUNS.
 * @param[out] out The verifier; NULL on failure.
 * @return ::LEMICA_OK; ::LEMICA_ERR_INVALID_ARGUMENT (@p out NULL, S = 0);
 *         ::LEMICA_ERR_TOO_LARGE; ::LEMICA_ERR_NO_MEMORY.
 * @since 0.2
 */
LEMICA_API lemica_status lemica_verifier_new(size_t num_samples,
                                             lemica_verifier **out);

/**
 * @brief Free a verifier and its copies of the candidates. NULL is a no-op.
 * @param[in] verifier The verifier, or NULL.
 * @since 0.2
 */
LEMICA_API void lemica_verifier_free(lemica_verifier *verifier);

/**
 * @brief The metric lemica_verifier_report_buffers() computes.
 * @param[in,out] verifier The verifier.
 * @param[in] metric A ::lemica_metric (default ::LEMICA_METRIC_L1).
 * @return ::LEMICA_OK or ::LEMICA_ERR_INVALID_ARGUMENT.
 * @since 0.2
 */
LEMICA_API lemica_status lemica_verifier_set_metric(lemica_verifier *verifier,
                                                    lemica_metric metric);

/**
 * @brief How a candidate's errors over the samples become its score.
 * @param[in,out] verifier The verifier.
 * @param[in] aggregate ::LEMICA_AGGREGATE_MEAN (default),
 *            ::LEMICA_AGGREGATE_MAX (the worst sample) or
 *            ::LEMICA_AGGREGATE_MEAN_PLUS_Z_STD (mean + z times the sample
 *            standard deviation; 0 with one sample).
 * @param[in] z Finite and >= 0; ignored by the other aggregates.
 * @return ::LEMICA_OK or ::LEMICA_ERR_INVALID_ARGUMENT.
 * @since 0.2
 */
LEMICA_API lemica_status lemica_verifier_set_aggregate(
    lemica_verifier *verifier, lemica_aggregate aggregate, double z);

/**
 * @brief Add a candidate (copied), unless one with the same steps is there.
 * @param[in,out] verifier The verifier.
 * @param[in] schedule The schedule; every candidate has the same N.
 * @param[out] index Its index (the existing one for a duplicate); may be
 *             NULL.
 * @return ::LEMICA_OK; ::LEMICA_ERR_MISMATCH (another N);
 *         ::LEMICA_ERR_TOO_LARGE (candidates times samples above
 *         ::LEMICA_MAX_VERIFIER_RUNS); ::LEMICA_ERR_INVALID_ARGUMENT;
 *         ::LEMICA_ERR_NO_MEMORY. On failure nothing changed.
 * @since 0.2
 */
LEMICA_API lemica_status lemica_verifier_add_candidate(
    lemica_verifier *verifier, const lemica_schedule *schedule,
    size_t *index);

/**
 * @brief The number of candidates.
 * @param[in] verifier The verifier.
 * @return The count; 0 if @p verifier is NULL.
 * @since 0.2
 */
LEMICA_API size_t lemica_verifier_num_candidates(
    const lemica_verifier *verifier);

/**
 * @brief The number of profiling samples.
 * @param[in] verifier The verifier.
 * @return S; 0 if @p verifier is NULL.
 * @since 0.2
 */
LEMICA_API size_t lemica_verifier_num_samples(const lemica_verifier *verifier);

/**
 * @brief A candidate.
 * @param[in] verifier The verifier.
 * @param[in] index 0 .. lemica_verifier_num_candidates() - 1.
 * @param[out] out The verifier's copy; valid until the verifier is freed.
 * @return ::LEMICA_OK, ::LEMICA_ERR_OUT_OF_RANGE or
 *         ::LEMICA_ERR_INVALID_ARGUMENT.
 * @since 0.2
 */
LEMICA_API lemica_status lemica_verifier_candidate(
    const lemica_verifier *verifier, size_t index,
    const lemica_schedule **out);

/**
 * @brief The number of runs: candidates times samples.
 * @param[in] verifier The verifier.
 * @return The count; 0 if @p verifier is NULL.
 * @since 0.2
 */
LEMICA_API size_t lemica_verifier_num_runs(const lemica_verifier *verifier);

/**
 * @brief Run @p run: which candidate on which sample. Runs are grouped by
 *        sample (run = sample * candidates + candidate), so an engine can
 *        load a sample's reference once.
 * @param[in] verifier The verifier.
 * @param[in] run 0 .. lemica_verifier_num_runs() - 1.
 * @param[out] candidate The candidate's index.
 * @param[out] sample The sample's index.
 * @return ::LEMICA_OK, ::LEMICA_ERR_OUT_OF_RANGE or
 *         ::LEMICA_ERR_INVALID_ARGUMENT.
 * @since 0.2
 */
LEMICA_API lemica_status lemica_verifier_run(const lemica_verifier *verifier,
                                             size_t run, size_t *candidate,
                                             size_t *sample);

/**
 * @brief Report the error of a run, computed by the engine.
 * @param[in,out] verifier The verifier.
 * @param[in] candidate The candidate's index.
 * @param[in] sample The sample's index.
 * @param[in] error Finite and >= 0.
 * @return ::LEMICA_OK; ::LEMICA_ERR_OUT_OF_RANGE; ::LEMICA_ERR_INVALID_VALUE
 *         (NaN, infinite or negative error); ::LEMICA_ERR_INVALID_ARGUMENT.
 * @since 0.2
 */
LEMICA_API lemica_status lemica_verifier_report_error(
    lemica_verifier *verifier, size_t candidate, size_t sample, double error);

/**
 * @brief Report a run by its final sample and the reference's; the
 *        verifier's metric gives the error (see lemica_metric_compute()).
 * @param[in,out] verifier The verifier.
 * @param[in] candidate The candidate's index.
 * @param[in] sample The sample's index.
 * @param[in] cached The run's final sample: @p count elements of @p dtype.
 * @param[in] reference The full pass's final sample, same shape.
 * @param[in] count Elements in each buffer, >= 1.
 * @param[in] dtype Their type.
 * @return As lemica_verifier_report_error() and lemica_metric_compute().
 * @since 0.2
 */
LEMICA_API lemica_status lemica_verifier_report_buffers(
    lemica_verifier *verifier, size_t candidate, size_t sample,
    const void *cached, const void *reference, size_t count,
    lemica_dtype dtype);

/**
 * @brief The number of runs not reported yet.
 * @param[in] verifier The verifier.
 * @return The count; 0 if @p verifier is NULL.
 * @since 0.2
 */
LEMICA_API size_t lemica_verifier_num_missing(const lemica_verifier *verifier);

/**
 * @brief A candidate's score: its errors over every sample, aggregated.
 * @param[in] verifier The verifier.
 * @param[in] candidate The candidate's index.
 * @param[out] score The score.
 * @return ::LEMICA_OK; ::LEMICA_ERR_STATE (a sample of this candidate not
 *         reported; the message names it); ::LEMICA_ERR_OUT_OF_RANGE;
 *         ::LEMICA_ERR_INVALID_ARGUMENT.
 * @since 0.2
 */
LEMICA_API lemica_status lemica_verifier_score(const lemica_verifier *verifier,
                                               size_t candidate,
                                               double *score);

/**
 * @brief Keep the first candidate unless another beats it significantly.
 *
 * A handful of samples measure a candidate's error with noise, and the
 * noise can pick a candidate that is worse on other samples. With
 * @p z > 0, lemica_verifier_best() considers a candidate other than the
 * first only if, over the per-sample differences of its errors and the
 * first candidate's, mean + @p z standard errors is below zero (a paired
 * test: every candidate runs the same samples, so the spread between
 * samples mostly cancels). Among those, and the first, the smallest score
 * wins.
 * @param[in,out] verifier The verifier.
 * @param[in] z Finite and >= 0; 0 (the default) turns the test off.
 * @return ::LEMICA_OK or ::LEMICA_ERR_INVALID_ARGUMENT.
 * @since 0.2
 */
LEMICA_API lemica_status lemica_verifier_set_significance(
    lemica_verifier *verifier, double z);

/**
 * @brief The error reported for a run.
 * @param[in] verifier The verifier.
 * @param[in] candidate The candidate's index.
 * @param[in] sample The sample's index.
 * @param[out] error The error.
 * @return ::LEMICA_OK; ::LEMICA_ERR_STATE (not reported yet);
 *         ::LEMICA_ERR_OUT_OF_RANGE; ::LEMICA_ERR_INVALID_ARGUMENT.
 * @since 0.2
 */
LEMICA_API lemica_status lemica_verifier_error(const lemica_verifier *verifier,
                                               size_t candidate, size_t sample,
                                               double *error);

/**
 * @brief The candidate with the smallest score; ties to the smaller index
 *        (see also lemica_verifier_set_significance()).
 * @param[in] verifier The verifier.
 * @param[out] candidate Its index.
 * @return ::LEMICA_OK; ::LEMICA_ERR_STATE (no candidate, or a run not
 *         reported); ::LEMICA_ERR_INVALID_ARGUMENT.
 * @since 0.2
 */
LEMICA_API lemica_status lemica_verifier_best(const lemica_verifier *verifier,
                                              size_t *candidate);

/**
 * @brief The candidate with the smallest score among those of budget
 *        @p budget; the first of them added is the one the paired test
 *        keeps (lemica_verifier_set_significance()), ties go to the
 *        smaller index.
 *
 * One verifier can hold the candidates of several budgets, so that their
 * runs share prefixes across budgets too (lemica_verifier_prefix_run());
 * each budget then chooses among its own. Only the runs of that budget's
 * candidates need to be reported.
 * @param[in] verifier The verifier.
 * @param[in] budget B >= 2.
 * @param[out] candidate Its index.
 * @return ::LEMICA_OK; ::LEMICA_ERR_STATE (no candidate of that budget, or
 *         one of its runs not reported); ::LEMICA_ERR_INVALID_ARGUMENT.
 * @since 0.2
 */
LEMICA_API lemica_status lemica_verifier_best_of_budget(
    const lemica_verifier *verifier, int budget, size_t *candidate);

/**
 * @brief The candidates in prefix order, for running them as a trie: the
 *        steps each one shares with the run before it are not run again.
 *
 * Two schedules that compute the same steps before step t reach step t in
 * the same state, with the same cached output (for the same sample, bit
 * for bit in a deterministic engine). The verifier sorts its candidates
 * by their compute masks (at the first step where two differ, the one
 * that computes there comes first). Run them in that order: position 0
 * from the noise (@p start_step 0); every later one from @p start_step,
 * the first step where it differs from the candidate before it, starting
 * from the state that run (or an earlier one) reached entering that step
 * and the output (or residual) of the last step computed before it.
 *
 * Why this is the least work: in sorted order the candidate before a
 * candidate shares the longest prefix with it of all earlier ones, so
 * nothing it could share is run again; the calls summed over all
 * positions are the distinct (prefix, computed step) pairs, the computed
 * nodes of the candidates' trie. An engine keeps one array of N states
 * per sample (the path it ran last, entry t the state entering step t)
 * and overwrites it from @p start_step on: entries before it are on the
 * shared prefix. With output reuse it also keeps the output used at each
 * step, with residual reuse the residual of each computed step.
 * @param[in] verifier The verifier.
 * @param[in] position 0 .. lemica_verifier_num_candidates() - 1.
 * @param[out] candidate The candidate's index.
 * @param[out] start_step The step to start from: 0 at position 0, else
 *             1 .. N - 2.
 * @param[out] calls The model calls of the candidate from @p start_step
 *             on: its computed steps >= @p start_step.
 * @return ::LEMICA_OK, ::LEMICA_ERR_OUT_OF_RANGE or
 *         ::LEMICA_ERR_INVALID_ARGUMENT.
 * @since 0.2
 */
LEMICA_API lemica_status
lemica_verifier_prefix_run(const lemica_verifier *verifier, size_t position,
                           size_t *candidate, int *start_step, size_t *calls);

/**
 * @brief The model calls the runs cost when shared prefixes are run once
 *        (lemica_verifier_prefix_run()): its calls summed over every
 *        position, times the number of samples. At most
 *        lemica_verifier_model_calls().
 * @param[in] verifier The verifier.
 * @return The count; 0 if @p verifier is NULL.
 * @since 0.2
 */
LEMICA_API size_t
lemica_verifier_prefix_model_calls(const lemica_verifier *verifier);

/**
 * @brief The model calls the runs cost: the candidates' budgets summed,
 *        times the number of samples.
 * @param[in] verifier The verifier.
 * @return The count; 0 if @p verifier is NULL.
 * @since 0.2
 */
LEMICA_API size_t lemica_verifier_model_calls(
    const lemica_verifier *verifier);

#ifdef __cplusplus
}
#endif

/** @} */

#endif /* LEMICA_VERIFIER_H */
