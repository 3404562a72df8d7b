/* SPDX-License-Identifier: MIT */
/**
 * @file lemica-adaptive.h
 * @brief Adaptive profiling: measure only the segments that can change the
 *        schedules of the requested budgets, and get exactly the schedules
 *        a full profile would give.
 */
#ifndef LEMICA_ADAPTIVE_H
#define LEMICA_ADAPTIVE_H

#include <stddef.h>
#include <stdint.h>

#include "lemica-graph.h"
#include "lemica-plan.h"
#include "lemica-profiler.h"
#include "lemica-schedule.h"
#include "lemica-solver.h"
#include "lemica-status.h"

/**
 * @defgroup adaptive Adaptive profiling
 * @brief The profiling loop that replays only what can change the answer.
 * Full profiling replays every segment (i, j) on every profiling sample
 * (lemica_plan_model_calls()). Most of those replays cannot change the
 * schedules: a segment whose error is surely larger than what the best
 * schedules tolerate never enters them. The adaptive loop finds the
 * schedules of the requested budgets while measuring a fraction of the
 * segments, and its schedules are **exactly** those of
 * lemica_profiler_to_graph() + lemica_solver_solve() on a full profile of
 * the same samples, provided the errors satisfy the chosen
 * ::lemica_assumption (see "Exactness" below).
 *
 * **The loop.** The engine keeps one ::lemica_profiler and its S
 * profiling samples (prompts and seeds, with their recorded reference
 * passes), and repeats:
 * 1. lemica_adaptive_next() reads the profiler and returns a
 *    ::lemica_plan selecting the next batch of segments, or NULL when the
 *    schedules are final;
 * 2. the engine replays every segment of the plan on each of its S samples
 *    (groups by start step, as for a full plan) and adds the errors to the
 *    same profiler (lemica_profiler_add_error() or _add_buffers()), then
 *    frees the plan.
 * lemica_adaptive_schedule() then returns the schedule of any requested
 * budget. A round is one call of lemica_adaptive_next() that returned a
 * plan: one synchronisation point of the engine's GPUs. Every plan holds at
 * least lemica_adaptive_set_min_batch() segments while that many remain
 * unmeasured, so the engine can keep its GPUs busy.
 *
 * **Measured.** A segment is *measured* when the profiler holds at least S
 * samples for it (lemica_adaptive_set_num_samples(), default 1). Its edge
 * weight is then exactly the one lemica_profiler_to_graph() gives (same
 * aggregate). Span-1 segments weigh 0 and are never replayed.
 *
 * **Bounds.** Every unmeasured segment gets a lower bound lb <= its weight
 * once measured:
 * - ::LEMICA_ASSUMPTION_NONE: no assumption. lb is what its own samples
 *   already prove: a segment with c < S samples of mean m has a mean over
 *   S samples of at least c m / S (errors are >= 0); with the max
 *   aggregate, at least its current max; with no samples, 0.
 * - ::LEMICA_ASSUMPTION_SAME_START: caching longer from the same start
 *   never gives a smaller error, w(i, j) <= w(i, j + 1). lb(i, j) is the
 *   largest of the own bound above and the weights (or own bounds) of
 *   (i, j') for j' < j.
 * - ::LEMICA_ASSUMPTION_NESTED: a segment that contains another has at
 *   least its error, w(i', j') <= w(i, j) whenever i <= i' < j' <= j.
 *   lb(i, j) is the largest own bound of any segment inside (i, j).
 *
 * **Exactness.** Let G be the graph of the full profile and G' the *bound
 * graph*: the measured segments with their exact weights, every other
 * segment with its lower bound, so G' <= G edge by edge. The solver is a
 * dynamic program over states (step t, calls c) that keeps, for every
 * state, one partial schedule: among the candidates (s, c - 1) -> (t, c)
 * the best value of "value of (s, c - 1) extended by w(s, t)" under the
 * comparator, the *smallest s* among equally good ones (lib/solve/
 * solver-dp.c: "ties go to the smallest predecessor", for LEXMAX, SUM and
 * MAX alike). Assume the comparator is monotone in both senses: extending
 * a better vector by the same weight keeps it better (the condition in
 * @ref solver), and raising a weight never makes a vector better. LEXMAX,
 * MAX and SUM are (for SUM, IEEE addition is monotone too).
 * - (a) By induction over c, every state value in G' is at most its value
 *   in G: each candidate in G' is at most the same candidate in G.
 * - (b) Let P be the path the solver returns on G' and suppose every
 *   segment of P is measured. Its prefix to any state (p_k, k) on it is the
 *   partial schedule G' kept there, so value'(p_k, k) = cost of that prefix
 *   in G' = its cost in G (measured) >= value(p_k, k) >= value'(p_k, k)
 *   by (a). So the prefix is also optimal for that state in G.
 * - (c) At (p_k, k), take the candidates in G. A predecessor s < p_{k-1}
 *   was strictly worse than P's in G', and in G it is at least as bad as
 *   in G' (by (a) and the raised weight), so still strictly worse.
 *   P's own predecessor reaches value(p_k, k) by (b). A predecessor
 *   s > p_{k-1} was not better in G', so it is not better in G; a tie goes
 *   to the smaller step. So G's DP keeps P's predecessor at every state of
 *   P, and returns P: the full-profile schedule, tie rule included.
 * The proof needs no global order on paths, so it holds for MAX (whose
 * ties are decided state by state) and for SUM with rounding as much as
 * for LEXMAX (where it gives the documented rule: the optimal schedule
 * whose step list read backwards is smallest). It needs the bounds to be
 * true lower bounds, which is where the assumption enters; with
 * ::LEMICA_ASSUMPTION_NONE it is unconditional. The loop stops when the
 * solver's paths on G' are fully measured for every requested budget, so
 * lemica_adaptive_schedule() returns lemica_solver_solve() on G', which by
 * (c) is lemica_solver_solve() on G. A user comparator gets the same
 * guarantee when it is monotone in both senses.
 *
 * **Which segments a round asks for.** The proof above holds whatever the
 * rounds measure: it needs only true lower bounds and the stopping test
 * (the solver's paths on G' fully measured). So the loop is free to choose
 * its batches for cost, and it does, from a *guess* of every unmeasured
 * weight that is used for nothing else (never as a bound):
 * - the drift model: reusing step i's output up to step j errs by about
 *   the sum over t = i+1 .. j-1 of (t - i) h(t), where h(t) is the measured
 *   weight of (t - 1, t + 1) (interpolated where unmeasured), scaled by the
 *   geometric mean of measured / modelled over the measured longer
 *   segments; with ::LEMICA_ASSUMPTION_SAME_START also by the ratio
 *   measured / modelled of the nearest measured segments of the same
 *   start (interpolated between the two sides; in a row with none, the
 *   mean ratio of the nearest rows with some); then clamped to at least
 *   the lower bound and at most the smallest measured segment containing
 *   the segment;
 * - with nothing measured yet and the certificate batches of the next
 *   item in use (NESTED or SAME_START with LEXMAX or MAX), a round asks
 *   for 12 span-2 segments spread evenly over the steps (they seed the
 *   model, for about 1.5% of full profiling at N = 50);
 * - otherwise, with ::LEMICA_ASSUMPTION_NESTED or _SAME_START and the
 *   LEXMAX or MAX comparator, the loop solves on the *guessed* graph and asks for the unmeasured segments of
 *   its paths together with what would certify them: the segments one
 *   step longer, (i, j + 1) and, for NESTED, (i - 1, j), whose weights
 *   bound every segment containing them: a path that stretches a segment
 *   of the guessed path has one, so measured they usually rule it out
 *   (on the DiT test bed, a smallest set of measurements that ends the
 *   loop, found offline from the full profile, was little more than the
 *   final paths and these neighbours: 2-5% of full profiling for one
 *   budget, 14% for five, against 20-38% for the plain loop); for
 *   SAME_START, from the third round on (when the guessed paths of the
 *   second have calibrated the guesses), also *row caps*: under SAME_START
 *   an unmeasured (i, j) is bounded only by the measured (i, j') with
 *   j' < j, so the solver on the bound graph, were the batch measured as
 *   guessed, still takes segments from rows that lack a measured segment
 *   above the threshold T of their budget (the largest weight of its
 *   guessed path). For each such segment guessed above T the round asks
 *   for its row's cap, the first segment of the row guessed above 1.2 T,
 *   which, measured above T, bounds the rest of the row by T; then solves
 *   again, until the paths take no such segment. At most one cap per row
 *   and round: the next round places the row's other caps with guesses
 *   calibrated on the first (a batch short of the smallest batch takes
 *   more caps first). When the guesses point at nothing unmeasured (the guessed paths and their
 *   certificate are measured, but G' still prefers a path through
 *   unmeasured segments), and always with ::LEMICA_ASSUMPTION_NONE, SUM
 *   or a user comparator (these certificates rule a path out by one large
 *   weight, which does not settle a sum), the round asks for the
 *   unmeasured segments of the solver's paths on G' (the plain loop);
 * - with SUM and NESTED or SAME_START, once something is measured, the
 *   round then runs the plain loop ahead on the guesses: it pretends the
 *   batch measured as guessed, solves G' again and adds what the paths
 *   take, until they take nothing new; a segment guessed above 3 times
 *   its bound is replaced by the shortest unmeasured segment inside it
 *   guessed at least 0.7 of it (NESTED: with the same end; SAME_START:
 *   with the same start), which bounds more segments once measured;
 * - a batch short of lemica_adaptive_set_min_batch() is filled first with
 *   what the next rounds would ask for if the batch's weights came out as
 *   guessed (their bounds propagated, the paths on G' solved again), then
 *   with the cheapest unmeasured segments (latest end step first).
 * Every round asks for at least one unmeasured segment, so the loop ends
 * after at most as many rounds as there are segments. When the model
 * guesses well, a round measures the full profile's paths and their
 * certificate at once; on the test beds (tests/bench-adaptive.c: the
 * Gaussian mixture and the trained DiT, N = 50, K = 49, NESTED, LEXMAX,
 * batches of 24) the loop ends in at most 15 rounds with 22-24% of full
 * profiling's model calls for the budgets {10, 14, 17, 20, 25} together
 * and 6-16% for one budget (SAME_START, LEXMAX or MAX: 28-29.6% and
 * 10-18% in at most 7 rounds; SUM: 48-56% with NESTED, 64-70% with
 * SAME_START, in at most 10 rounds; a greedily thinned certificate of
 * the full profile still needs 39% for SUM and NESTED on the DiT).
 *
 * **Checking the assumption.** Every call of lemica_adaptive_next()
 * compares the measured segments the assumption relates: a *violation* is
 * a measured segment whose weight is below that of a measured segment the
 * assumption puts under it (same start and shorter for SAME_START,
 * contained for NESTED). lemica_adaptive_num_violations() counts the
 * segments in violation, lemica_adaptive_worst_violation() names the pair
 * with the largest excess. With violations the bounds may be wrong, so the
 * schedules may differ from the full profile's; they are still valid
 * schedules of the requested budgets, and the loop still ends: every round
 * measures at least one segment that was not measured before.
 *
 * **Cost.** A replay of (i, j) costs N - j model calls per sample; the
 * reference pass costs N per sample, counted once (the engine keeps its
 * recorded states across rounds). lemica_adaptive_model_calls() adds both
 * over the segments the plans asked for and the samples they lacked;
 * lemica_adaptive_full_model_calls() is what full profiling of S samples
 * costs, lemica_plan_model_calls() of a full plan times S.
 *
 * **Fewer samples.** An engine may add profiling samples over time: raise
 * lemica_adaptive_set_num_samples() to S + 1, run the loop again (it asks
 * only for segments whose new sample matters; the S samples already
 * measured give tight bounds), and after each end ask a sample stopping
 * rule (::lemica_sample_stop, lemica_sample_stop_update()) whether to stop
 * adding samples; the figures it achieved on the test beds are with it.
 * lemica_adaptive_num_stable() is the older, simpler signal: the number
 * of consecutive sample counts whose schedules were the same (up to
 * lemica_adaptive_set_stable_tolerance()). Its 3 counts with a tolerance
 * of 0.02 stopped later and no better (tests/bench-stopping.c: 6.3
 * samples on average, up to 11, on the Gaussian mixture; 5.4, up to 10,
 * on the trained DiT).
 *
 * **Threads.** One thread at a time per handle; distinct handles are
 * independent. A solver handed over with lemica_adaptive_use_solver() is
 * used by the handle's calls, so it must not be used elsewhere meanwhile.
 * @code
 * lemica_adaptive *adaptive = NULL;
 * lemica_profiler *profiler = NULL;
 * lemica_plan *plan = NULL;
 * lemica_schedule *schedule = NULL;
 * lemica_adaptive_new(50, 49, LEMICA_ASSUMPTION_NESTED, &adaptive);
 * lemica_profiler_new(50, 49, LEMICA_METRIC_L1, &profiler);
 * lemica_adaptive_request_budget(adaptive, 10);
 * lemica_adaptive_request_budget(adaptive, 20);
 * lemica_adaptive_set_min_batch(adaptive, 16);
 * while (lemica_adaptive_next(adaptive, profiler, &plan) == LEMICA_OK && plan) {
 *     // replay every segment of the plan on every sample, then
 *     // lemica_profiler_add_error(profiler, from, to, error) for each
 *     lemica_plan_free(plan);
 * }
 * lemica_adaptive_schedule(adaptive, 10, &schedule);
 * @endcode
 * @{
 */

/**
 * @brief What the loop may assume about segment errors to skip replays.
 * The numeric values are part of the ABI.
 * @since 0.2
 */
typedef enum lemica_assumption {
    /** Nothing: bounds only from each segment's own samples. Always exact;
     *  saves the least. */
    LEMICA_ASSUMPTION_NONE = 0,
    /** w(i, j) <= w(i, j + 1): a longer segment from the same start has at
     *  least the error of a shorter one. */
    LEMICA_ASSUMPTION_SAME_START = 1,
    /** w(i', j') <= w(i, j) for i <= i' < j' <= j: a segment has at least
     *  the error of every segment it contains. Implies SAME_START. */
    LEMICA_ASSUMPTION_NESTED = 2
} lemica_assumption;

/**
 * @brief Opaque adaptive profiling handle.
 * @since 0.2
 */
typedef struct lemica_adaptive lemica_adaptive;

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief Create an adaptive loop: no budget requested yet, LEXMAX, mean
 *        aggregate, one sample, batches of at least one segment.
 * @param[in] num_steps N: 2 .. ::LEMICA_MAX_STEPS.
 * @param[in] max_skip K >= 1; above N - 1 it is clamped to N - 1.
 * @param[in] assumption The ::lemica_assumption the bounds rest on.
 * @param[out] out The new handle; set to NULL on failure.
 * @return ::LEMICA_OK; ::LEMICA_ERR_INVALID_ARGUMENT for a NULL @p out,
 *         N < 2, K < 1 or an unknown assumption; ::LEMICA_ERR_TOO_LARGE
 *         for N * K above ::LEMICA_MAX_PROFILER_SLOTS;
 *         ::LEMICA_ERR_NO_MEMORY.
 * @since 0.2
 */
LEMICA_API lemica_status lemica_adaptive_new(int num_steps, int max_skip,
                                             lemica_assumption assumption,
                                             lemica_adaptive **out);

/**
 * @brief Free the handle (not a solver given to it). NULL is a no-op.
 * @param[in] adaptive The handle, or NULL.
 * @since 0.2
 */
LEMICA_API void lemica_adaptive_free(lemica_adaptive *adaptive);

/**
 * @brief Request the schedule of one budget (again: no effect).
 * Changing the request after the loop ended reopens it.
 * @param[in,out] adaptive The handle.
 * @param[in] budget B, 2 .. N. A budget the solver cannot meet (too
 *            small for K or the required steps) makes
 *            lemica_adaptive_next() fail with ::LEMICA_ERR_INFEASIBLE.
 * @return ::LEMICA_OK; ::LEMICA_ERR_OUT_OF_RANGE for a budget outside
 *         2 .. N; ::LEMICA_ERR_INVALID_ARGUMENT for NULL.
 * @since 0.2
 */
LEMICA_API lemica_status lemica_adaptive_request_budget(lemica_adaptive *adaptive,
                                                        int budget);

/**
 * @brief Request every feasible budget (the whole frontier).
 * @param[in,out] adaptive The handle.
 * @return ::LEMICA_OK or ::LEMICA_ERR_INVALID_ARGUMENT.
 * @since 0.2
 */
LEMICA_API lemica_status
lemica_adaptive_request_all_budgets(lemica_adaptive *adaptive);

/**
 * @brief Forget every requested budget.
 * @param[in,out] adaptive The handle (NULL is a no-op).
 * @since 0.2
 */
LEMICA_API void lemica_adaptive_clear_budgets(lemica_adaptive *adaptive);

/**
 * @brief Whether a budget is requested (individually or by "all").
 * @param[in] adaptive The handle.
 * @param[in] budget B.
 * @return 1 or 0 (also for NULL or a budget out of range).
 * @since 0.2
 */
LEMICA_API int lemica_adaptive_is_budget_requested(const lemica_adaptive *adaptive,
                                                   int budget);

/**
 * @brief Choose the comparator of the handle's own solver.
 * @param[in,out] adaptive The handle.
 * @param[in] comparator ::LEMICA_COMPARATOR_LEXMAX, ::LEMICA_COMPARATOR_SUM
 *            or ::LEMICA_COMPARATOR_MAX (a user comparator goes through
 *            lemica_adaptive_use_solver()).
 * @return ::LEMICA_OK or ::LEMICA_ERR_INVALID_ARGUMENT.
 * @since 0.2
 */
LEMICA_API lemica_status lemica_adaptive_set_comparator(lemica_adaptive *adaptive,
                                                        lemica_comparator comparator);

/**
 * @brief Solve with a configured solver (comparator, max skip, required
 *        steps) instead of the handle's own.
 * The handle borrows @p solver: it must outlive the handle (or the next
 * call of this function) and keep its configuration; the schedules are
 * then those of lemica_solver_solve() with this solver on the full
 * profile. NULL goes back to the handle's own solver.
 * @param[in,out] adaptive The handle.
 * @param[in] solver The solver, or NULL.
 * @return ::LEMICA_OK or ::LEMICA_ERR_INVALID_ARGUMENT.
 * @since 0.2
 */
LEMICA_API lemica_status lemica_adaptive_use_solver(lemica_adaptive *adaptive,
                                                    lemica_solver *solver);

/**
 * @brief How samples become a weight, as in lemica_profiler_to_graph().
 * @param[in,out] adaptive The handle.
 * @param[in] aggregate The aggregate (default ::LEMICA_AGGREGATE_MEAN).
 * @param[in] z For ::LEMICA_AGGREGATE_MEAN_PLUS_Z_STD: finite, >= 0.
 * @return ::LEMICA_OK or ::LEMICA_ERR_INVALID_ARGUMENT.
 * @since 0.2
 */
LEMICA_API lemica_status lemica_adaptive_set_aggregate(lemica_adaptive *adaptive,
                                                       lemica_aggregate aggregate,
                                                       double z);

/**
 * @brief The smallest batch: every plan selects at least @p min_batch
 *        segments while that many are unmeasured.
 * Larger batches mean fewer rounds and a few more replays.
 * @param[in,out] adaptive The handle.
 * @param[in] min_batch >= 1 (default 1).
 * @return ::LEMICA_OK or ::LEMICA_ERR_INVALID_ARGUMENT.
 * @since 0.2
 */
LEMICA_API lemica_status lemica_adaptive_set_min_batch(lemica_adaptive *adaptive,
                                                       size_t min_batch);

/**
 * @brief The number of profiling samples S a measured segment must have.
 * Raising it reopens the loop: the segments that matter are asked for
 * again, for their missing samples.
 * @param[in,out] adaptive The handle.
 * @param[in] num_samples S >= 1 (default 1).
 * @return ::LEMICA_OK or ::LEMICA_ERR_INVALID_ARGUMENT.
 * @since 0.2
 */
LEMICA_API lemica_status lemica_adaptive_set_num_samples(lemica_adaptive *adaptive,
                                                         uint64_t num_samples);

/**
 * @brief Read the profiler and return the next batch, or NULL when the
 *        schedules of every requested budget are final.
 * The profiler must have the handle's N and K. After the first call it
 * may only gain samples on segments some plan asked for (anything else
 * means the engine replayed the wrong segment). A plan's segments that
 * did not get their samples are asked for again.
 * @param[in,out] adaptive The handle.
 * @param[in] profiler The profiler the engine fills.
 * @param[out] out A new plan the caller frees with lemica_plan_free(), or
 *             NULL when the loop is done.
 * @return ::LEMICA_OK; ::LEMICA_ERR_MISMATCH for a profiler of another N
 *         or K; ::LEMICA_ERR_STATE when no budget is requested, or the
 *         profiler gained samples on a segment no plan asked for or lost
 *         samples (the message names the segment);
 *         ::LEMICA_ERR_INFEASIBLE for a requested budget no schedule can
 *         meet; the errors of lemica_solver_solve();
 *         ::LEMICA_ERR_INVALID_ARGUMENT for NULL; ::LEMICA_ERR_NO_MEMORY.
 *         On error the handle is unchanged and @p out is NULL.
 * @since 0.2
 */
LEMICA_API lemica_status lemica_adaptive_next(lemica_adaptive *adaptive,
                                              const lemica_profiler *profiler,
                                              lemica_plan **out);

/**
 * @brief Whether the last lemica_adaptive_next() found every requested
 *        schedule final (and nothing was changed since).
 * @param[in] adaptive The handle.
 * @return 1 or 0 (0 for NULL).
 * @since 0.2
 */
LEMICA_API int lemica_adaptive_is_done(const lemica_adaptive *adaptive);

/**
 * @brief The final schedule of a requested budget.
 * @param[in] adaptive The handle, done.
 * @param[in] budget A requested budget.
 * @param[out] out A new schedule with its costs (the measured weights),
 *             equal to the full-profile schedule; NULL on failure.
 * @return ::LEMICA_OK; ::LEMICA_ERR_STATE when the loop is not done;
 *         ::LEMICA_ERR_OUT_OF_RANGE for a budget not requested;
 *         ::LEMICA_ERR_INFEASIBLE; ::LEMICA_ERR_INVALID_ARGUMENT;
 *         ::LEMICA_ERR_NO_MEMORY.
 * @since 0.2
 */
LEMICA_API lemica_status lemica_adaptive_schedule(lemica_adaptive *adaptive,
                                                  int budget,
                                                  lemica_schedule **out);

/**
 * @brief The rounds so far: calls of lemica_adaptive_next() that returned
 *        a plan.
 * @param[in] adaptive The handle.
 * @return The count (0 for NULL).
 * @since 0.2
 */
LEMICA_API size_t lemica_adaptive_num_rounds(const lemica_adaptive *adaptive);

/**
 * @brief The segments measured (with S samples) at the last
 *        lemica_adaptive_next().
 * @param[in] adaptive The handle.
 * @return The count (0 for NULL).
 * @since 0.2
 */
LEMICA_API size_t lemica_adaptive_num_measured(const lemica_adaptive *adaptive);

/**
 * @brief The model calls the plans asked for so far, reference passes
 *        included (see "Cost" above).
 * @param[in] adaptive The handle.
 * @return The count (0 for NULL).
 * @since 0.2
 */
LEMICA_API uint64_t lemica_adaptive_model_calls(const lemica_adaptive *adaptive);

/**
 * @brief The model calls full profiling of S samples costs.
 * @param[in] adaptive The handle.
 * @return The count (0 for NULL).
 * @since 0.2
 */
LEMICA_API uint64_t
lemica_adaptive_full_model_calls(const lemica_adaptive *adaptive);

/**
 * @brief The number of consecutive sample counts S, ending with the
 *        current one, at which the loop ended with the same schedules.
 * 0 before the loop first ends; 1 after it ends at a sample count whose
 * schedules differ from those at the previous one (or the first time).
 * Increments each time the loop ends at a larger S with unchanged
 * schedules for every requested budget.
 * @param[in] adaptive The handle.
 * @return The count (0 for NULL).
 * @since 0.2
 */
LEMICA_API size_t lemica_adaptive_num_stable(const lemica_adaptive *adaptive);

/**
 * @brief How much the schedules may change between sample counts and still
 *        count as the same for lemica_adaptive_num_stable().
 * With 0 (the default) the schedules must be identical. With a tolerance
 * t > 0, a requested budget's new schedule also counts as unchanged when
 * the previous one's total error, under the new samples, is within t of
 * the new one's: near-ties that swap schedules without changing their
 * quality do not reset the count. The previous schedules' segments are
 * then measured on the new samples too (usually they are anyway).
 * @param[in,out] adaptive The handle.
 * @param[in] tolerance Relative, finite, >= 0 (e.g. 0.02).
 * @return ::LEMICA_OK or ::LEMICA_ERR_INVALID_ARGUMENT.
 * @since 0.2
 */
LEMICA_API lemica_status
lemica_adaptive_set_stable_tolerance(lemica_adaptive *adaptive,
                                     double tolerance);

/**
 * @brief The number of measured segments that violate the assumption, as
 *        of the last lemica_adaptive_next().
 * Always 0 for ::LEMICA_ASSUMPTION_NONE.
 * @param[in] adaptive The handle.
 * @return The count (0 for NULL).
 * @since 0.2
 */
LEMICA_API size_t
lemica_adaptive_num_violations(const lemica_adaptive *adaptive);

/**
 * @brief The worst violation: the measured pair whose weights break the
 *        assumption by the largest amount.
 * @param[in] adaptive The handle.
 * @param[out] outer_from The segment the assumption says is at least as
 *             bad (the longer one), or NULL.
 * @param[out] outer_to Its end step, or NULL.
 * @param[out] inner_from The segment it should bound, or NULL.
 * @param[out] inner_to Its end step, or NULL.
 * @param[out] excess w(inner) - w(outer) > 0, or NULL.
 * @return ::LEMICA_OK; ::LEMICA_ERR_STATE when there is no violation (then
 *         nothing is written); ::LEMICA_ERR_INVALID_ARGUMENT for NULL.
 * @since 0.2
 */
LEMICA_API lemica_status lemica_adaptive_worst_violation(
    const lemica_adaptive *adaptive, int *outer_from, int *outer_to,
    int *inner_from, int *inner_to, double *excess);

/**
 * @brief Check an assumption on every measured segment of a profiler,
 *        without a loop (what `lemica info` prints).
 * @param[in] profiler The profiler.
 * @param[in] assumption The assumption.
 * @param[in] aggregate How samples become a weight.
 * @param[in] z For ::LEMICA_AGGREGATE_MEAN_PLUS_Z_STD.
 * @param[out] num_violations The segments in violation, or NULL.
 * @param[out] outer_from As lemica_adaptive_worst_violation() (-1 when there
 *             is none), or NULL.
 * @param[out] outer_to Or NULL.
 * @param[out] inner_from Or NULL.
 * @param[out] inner_to Or NULL.
 * @param[out] excess 0 when there is none, or NULL.
 * @return ::LEMICA_OK; ::LEMICA_ERR_INVALID_ARGUMENT;
 *         ::LEMICA_ERR_NO_MEMORY.
 * @since 0.2
 */
LEMICA_API lemica_status lemica_assumption_check(
    const lemica_profiler *profiler, lemica_assumption assumption,
    lemica_aggregate aggregate, double z, size_t *num_violations,
    int *outer_from, int *outer_to, int *inner_from, int *inner_to,
    double *excess);

/**
 * @brief The sample stopping rule, an opaque handle.
 *
 * For an engine that adds profiling samples over time (S, then S + 1, ...,
 * running the adaptive loop to its end at each count): after each end,
 * lemica_sample_stop_update() keeps the schedules of every requested
 * budget and says whether to stop adding samples. It stops when the
 * schedules of the last @e window updates agree: none of the older ones
 * has a total error (the sum of its cached segments' mean errors) more
 * than @e tolerance above the newest one's, both measured on the samples
 * the profiler holds now. Schedules that changed but are as good under
 * the newer samples (near-ties) do not hold it back; an older schedule
 * that the newer samples show to be worse does. Unlike
 * lemica_adaptive_num_stable() it compares every older schedule of the
 * window with the newest (not only neighbours, whose small differences
 * can add up), by error rather than by identity. A segment that the loop
 * did not measure on the newest samples enters with the samples it has.
 * lemica_sample_stop_set_limits() adds a condition on the schedules'
 * standard errors and a cap on the samples.
 *
 * **What it achieved.** tests/bench-stopping.c (meson benchmarks
 * `stopping` and `stopping-dit`): N = 50, K = 49, budgets 10, 14, 17, 20
 * and 25 requested together, a 20-sample protocol profiled fully once and
 * replayed in 16 sample orders (the protocol's own and 15 random ones;
 * --orders-seed 7 draws 15 others to check the first set), the plans at
 * the stop compared with the plans of all 20 samples by their held-out
 * mean L1 on 1,000 (Gaussian mixture) or 200 (trained DiT) unseen seeds.
 * Window 3, tolerance 0.10 (lemica_sample_stop_new() alone):
 *
 * | test bed, sample orders | samples at stop, mean (max) | held-out error vs 20 samples, mean over orders, per budget 10/14/17/20/25 | worst order and budget |
 * |---|---|---|---|
 * | Gaussian mixture, random | 3.9 (5) | +0.1% / +2.2% / +2.6% / +2.7% / -0.4% | +34% |
 * | Gaussian mixture, classes cycled | 4.2 (5) | -1.2% / +1.4% / +0.6% / -1.5% / -1.3% | +8.7% |
 * | trained DiT, random | 3.1 (4) | -0.1% / +3.2% / +1.3% / -3.8% / +0.5% | +6.7% |
 * | trained DiT, classes cycled | 3.0 (3) | -0.3% / +2.5% / +0.6% / -3.6% / -0.3% | +7.5% |
 * | Gaussian mixture, random, orders seed 7 | 4.1 (5) | -0.5% / +3.4% / +1.6% / +3.2% / -0.7% | +23% |
 * | Gaussian mixture, classes cycled, orders seed 7 | 3.9 (6) | +1.4% / +3.7% / +3.0% / +3.4% / +2.4% | +23% |
 * | trained DiT, random, orders seed 7 | 3.1 (4) | +0.0% / +3.3% / +2.0% / -3.1% / +0.9% | +9.0% |
 * | trained DiT, classes cycled, orders seed 7 | 3.1 (4) | +0.2% / +3.7% / +1.5% / -1.4% / +1.3% | +9.1% |
 *
 * With lemica_sample_stop_set_limits(rule, 0.30, 5) as well (stop only
 * when every schedule's summed standard errors are at most 0.30 of its
 * summed errors, and at 5 samples at the latest), the mixture met the 3%
 * target in all four sets of orders; on the DiT the condition never held
 * the rule back (the same stops and figures as above):
 *
 * | test bed, sample orders | samples at stop, mean (max) | held-out error vs 20 samples, mean over orders, per budget 10/14/17/20/25 | worst order and budget |
 * |---|---|---|---|
 * | Gaussian mixture, random | 4.0 (5) | -0.4% / +2.3% / +2.5% / +2.4% / -0.5% | +34% |
 * | Gaussian mixture, classes cycled | 4.3 (5) | -1.5% / +1.9% / +0.9% / -1.3% / -0.9% | +8.7% |
 * | Gaussian mixture, random, orders seed 7 | 4.6 (5) | -0.0% / +2.8% / +1.1% / +1.0% / -0.0% | +16% |
 * | Gaussian mixture, classes cycled, orders seed 7 | 4.1 (5) | +1.9% / +2.9% / +2.5% / +1.6% / +1.8% | +22% |
 *
 * These settings were chosen among 100 (window 2-5, tolerance 0-0.20,
 * the standard-error condition off or at 0.10-0.30, all capped at 5) on
 * three sets of orders of each bed (both random sets and the first of
 * cycled classes) and checked on the second set of cycled classes, which
 * played no part in the choice.
 * "Classes cycled" (--balanced): the prompts (classes) come in turn, in a
 * random order, as an engine would feed them. lemica_adaptive_num_stable()
 * >= 3 with tolerance 0.02 stopped later for the same quality: 6.3 (11),
 * 5.8 (9), 5.4 (10) and 6.0 (13) samples on the first four sets, worst
 * +19%, +8.8%, +10% and +5.4%.
 *
 * **What it does not achieve alone, and what closes it.** The target of
 * issue 14 (at most a quarter of the protocol, 5 samples, with the mean
 * held-out error within 3% of the 20-sample plans at every budget) is
 * missed by the plans at the stop on the DiT at budget 14: +3.2% and
 * +3.3% in random orders, +3.7% in the second set of cycled orders.
 * Bagging at the stop meets it on both test beds in all four sets:
 * 32 bootstrap resamples of the samples held are planned, and each
 * budget's distinct schedules (the plan first) are checked on 40 unseen
 * seeds with a ::lemica_verifier and the paired test at z = 1
 * (tests/bench-stopping-bag.c; `lemica.bagged_candidates` in Python). The
 * DiT's budget 14 went to +1.5%, +1.4%, +1.9% and +1.6%, no budget of
 * either test bed above +2.6%, for 5.6-6.2% (DiT) and 11.7-14.5%
 * (mixture) of the protocol's full profiling in extra model calls, on top
 * of the loop's own 0.9-2.1% (docs/mainpage.md, "When to stop adding
 * profiling samples"). Without bagging, no rule that stops within five
 * samples reaches it there:
 * the plans of every fixed count from 3 to 6 samples were +3.2% to +3.7%
 * at budget 14 in three of the four sets of orders (+2.5% to +3.4% in the
 * fourth), those of 10 samples +1.6% to +1.9%; even an oracle that knew the
 * held-out errors and picked each order's best count of 3 to 5 samples
 * for budget 14 alone got +2.6% to +2.8% in three of them. The plans of
 * few samples fall short, not the moment of the stop. Of the 100 settings
 * above, the best at budget 14 on the first set of random orders (window
 * 2, tolerance 0.02, standard errors at most 0.15: +2.8%) gave +3.5% on
 * the second; the best over all four DiT sets was +3.4%.
 *
 * The worst single order is beyond any rule that stops within five
 * samples. In one order on the mixture the first five samples gave plans
 * 10-34% worse at every budget; they agree with one another as well as
 * representative samples do (neither their standard errors nor the
 * changes of the plans or of their errors between counts set them apart:
 * tests/bench-stopping.c with BENCH_DIAGNOSE=1). Fixed 5 samples have the
 * same worst case, and even plans from 10 of the 20 samples were up to
 * 17% (mixture) and 5.4% (DiT) worse. A rule on standard errors (a plan's
 * summed per-segment standard errors over its summed mean errors, at most
 * 0.20) is no way out: it stops after 8.1 samples on the mixture with the
 * worst case of 10, and after 2.6 on the DiT with a worse one (+14%).
 * Held-out sets must be large for such figures: on 32 seeds the same
 * plans measured up to +48% worse (budget 20), on 1,000 +2.5%.
 * @since 0.2
 */
typedef struct lemica_sample_stop lemica_sample_stop;

/** The largest window of lemica_sample_stop_new(). @since 0.2 */
#define LEMICA_SAMPLE_STOP_MAX_WINDOW 64

/**
 * @brief Create a sample stopping rule.
 * @param[in] window The number of consecutive updates whose schedules
 *            must agree, 2 .. ::LEMICA_SAMPLE_STOP_MAX_WINDOW (3 is a good
 *            start: it never stops before the third update).
 * @param[in] tolerance How much worse, relative, an older schedule may be
 *            than the newest one, finite and >= 0 (e.g. 0.10).
 * @param[out] out The rule; free with lemica_sample_stop_free().
 * @return ::LEMICA_OK; ::LEMICA_ERR_INVALID_ARGUMENT;
 *         ::LEMICA_ERR_NO_MEMORY.
 * @since 0.2
 */
LEMICA_API lemica_status lemica_sample_stop_new(size_t window, double tolerance,
                                                lemica_sample_stop **out);

/**
 * @brief Free a rule; NULL is a no-op.
 * @param[in] rule The rule.
 * @since 0.2
 */
LEMICA_API void lemica_sample_stop_free(lemica_sample_stop *rule);

/**
 * @brief Record the schedules of a finished loop and say whether to stop.
 * Call it each time the loop has ended (lemica_adaptive_next() returned
 * no plan) at a larger sample count than at the last update: the count
 * is the largest of any segment in @p profiler. The schedules are those
 * of lemica_adaptive_schedule() for every requested budget; a budget
 * that an older update did not have makes the window disagree. Every
 * update of a run must pass a profiler of the same N and K (reset the
 * rule to start a run with another). When the profiler has no segment to
 * cache (K = 1, or N < 3), the loop has nothing to measure and no sample
 * can change a schedule: every update then says stop, from the first on,
 * with no excess, whether or not a sample was added.
 * @param[in,out] rule The rule.
 * @param[in] adaptive The handle, done.
 * @param[in] profiler The profiler the loop ran on.
 * @param[out] stop 1 to stop adding samples, else 0 (0 on failure).
 * @return ::LEMICA_OK; ::LEMICA_ERR_INVALID_ARGUMENT (a NULL argument, a
 *         profiler of another N than the loop, or of another N or K than
 *         the earlier updates); ::LEMICA_ERR_STATE (the loop is not done,
 *         no budget is requested, or no sample was added since the last
 *         update); ::LEMICA_ERR_NO_MEMORY. On failure the rule is as it
 *         was.
 * @since 0.2
 */
LEMICA_API lemica_status lemica_sample_stop_update(lemica_sample_stop *rule,
                                                   lemica_adaptive *adaptive,
                                                   const lemica_profiler *profiler,
                                                   int *stop);

/**
 * @brief What the last update said: 1 to stop, else 0.
 * @param[in] rule The rule.
 * @return 1 or 0 (0 for NULL and before the first update).
 * @since 0.2
 */
LEMICA_API int lemica_sample_stop_should_stop(const lemica_sample_stop *rule);

/**
 * @brief How much worse than the newest schedule, relative, the worst
 *        older schedule of the window was at the last update.
 * 0 when none was worse (and before the second update); +infinity when
 * one could not be compared (a budget it lacked, a segment without
 * samples, a newest schedule of zero error).
 * @param[in] rule The rule.
 * @return The excess (NAN for NULL).
 * @since 0.2
 */
LEMICA_API double lemica_sample_stop_excess(const lemica_sample_stop *rule);

/**
 * @brief Add a standard-error condition and a cap to a rule.
 * With @p max_relative_se > 0 the rule stops only when, besides the
 * window's agreement, every requested budget's newest schedule has summed
 * standard errors of its cached segments' means at most
 * @p max_relative_se times its summed means (an upper bound of the
 * relative standard error of its total, whatever the correlations; a
 * segment with fewer than two samples makes it infinite). With
 * @p max_samples > 0 it stops at any update whose sample count is at
 * least @p max_samples, whatever the window says. 0 turns either off (as
 * after lemica_sample_stop_new()). The settings apply from the next
 * update and survive lemica_sample_stop_reset(). Window 3, tolerance 0.10,
 * 0.30 and 5 met the 3% target on the Gaussian mixture in all four sets
 * of sample orders of the benchmark, not on the trained DiT at budget 14
 * without bagging the plans at the stop (see ::lemica_sample_stop).
 * @param[in,out] rule The rule.
 * @param[in] max_relative_se 0 (off), or the largest relative standard
 *            error, finite and > 0.
 * @param[in] max_samples 0 (off), or the sample count at which to stop.
 * @return ::LEMICA_OK; ::LEMICA_ERR_INVALID_ARGUMENT (NULL, a negative,
 *         NaN or infinite @p max_relative_se; the rule as it was).
 * @since 0.2
 */
LEMICA_API lemica_status lemica_sample_stop_set_limits(lemica_sample_stop *rule,
                                                       double max_relative_se,
                                                       uint64_t max_samples);

/**
 * @brief Forget every update (to start a new profiling run).
 * @param[in,out] rule The rule; NULL is a no-op.
 * @since 0.2
 */
LEMICA_API void lemica_sample_stop_reset(lemica_sample_stop *rule);

#ifdef __cplusplus
}
#endif

/** @} */

#endif /* LEMICA_ADAPTIVE_H */
