/* SPDX-License-Identifier: MIT */
/**
 * @file lemica-kbest.h
 * @brief The k best schedules of a budget, or of every budget, and the
 *        list that holds them.
 */
#ifndef LEMICA_KBEST_H
#define LEMICA_KBEST_H

#include <stddef.h>

#include "lemica-graph.h"
#include "lemica-schedule.h"
#include "lemica-solver.h"
#include "lemica-status.h"

/**
 * @defgroup kbest k best schedules
 * @brief Up to k distinct schedules per budget, best first, under the
 *        solver's comparator and constraints.
 *
 * The graph's edge weights are the errors of one cached segment at a time;
 * the error of a whole schedule is not exactly any function of them. So an
 * engine may want a few good candidates instead of one, and pick among them
 * by running each (see @ref verifier).
 *
 * **Order.** A schedule A comes before B when the comparator prefers A's
 * cost vector, or when the two compare equal and A's step list, read
 * backwards from the last step, is lexicographically smaller (A computes
 * earlier where they differ last). Distinct schedules never tie under this
 * order, so the list is fully determined by the graph, the budget, the
 * comparator and the constraints (max skip, required steps). For
 * ::LEMICA_COMPARATOR_LEXMAX, and for ::LEMICA_COMPARATOR_SUM when sums are
 * exact (integer weights, say), the first schedule is the one
 * lemica_solver_solve() returns. For ::LEMICA_COMPARATOR_MAX and inexact
 * sums it compares equal to lemica_solver_solve()'s schedule (both are
 * optimal) and may be another of the equally good schedules:
 * lemica_solver_solve() breaks ties state by state, this list by the rule
 * above.
 *
 * **Exactness.** Write p + e for a partial schedule p extended by the
 * common continuation e, and "q dominates p" for two partial schedules
 * ending at the same step with the same number of calls when q + e comes
 * before p + e in the order above for *every* continuation e. The DP keeps,
 * at every state (step, calls), the partial schedules that fewer than k
 * kept ones dominate; it is exact (returns exactly the first k schedules of
 * the order) whenever the dominance test it uses is sound. Proof: if a
 * schedule P = p + e among the first k had its prefix p dropped, k kept
 * partial schedules q_1..q_k dominate p, so the k distinct schedules
 * q_i + e all come before P: P is not among the first k. By induction over
 * the layers every prefix of every wanted schedule is kept, and the last
 * state ranks the survivors by the order itself. Three dominance tests are
 * used:
 * - *Strict* (::LEMICA_COMPARATOR_LEXMAX): q dominates p when q comes
 *   before p. Sound because the comparator keeps strict order under
 *   insertion of a common weight: for sorted vectors of equal length,
 *   a < b lexicographically iff, at the largest value whose count differs,
 *   a has fewer copies; inserting w adds one copy of w to both, which
 *   changes no difference of counts, so a + {w} < b + {w}, and equal
 *   vectors stay equal; the backwards step lists share e's steps first,
 *   then compare as p and q do. Then only k partial schedules per state
 *   survive: O(k) memory per state, and a block of candidates from one
 *   predecessor is cut at the first that cannot enter.
 * - *Weak* (::LEMICA_COMPARATOR_MAX, user comparators): q dominates p
 *   when q's cost is at most p's and q's step list comes first. Sound for
 *   every *monotone* comparator (the contract of @ref solver, that a <= b
 *   implies a + {w} <= b + {w}), because q + e then costs at most p + e
 *   and still comes first on the step list. The strict test is not sound
 *   for these: max(a, w) = max(b, w) for every w >= max(b), so a partial
 *   schedule with a worse maximum may end up tied and win on the step
 *   list. More partial schedules survive per state: every one that fewer
 *   than k earlier ones (on the step list) undercut, up to
 *   ::LEMICA_MAX_KBEST_ENTRIES; on graphs whose weights grow with the span
 *   that can be many, and the call fails with ::LEMICA_ERR_TOO_LARGE.
 * - *Rounded* (::LEMICA_COMPARATOR_SUM): floating-point sums keep order
 *   only weakly (a < b may round to a + w = b + w), but each later
 *   addition moves a sum by at most half an ulp of the largest possible
 *   sum U, so a gap wider than 2 N ulp(U) survives all of them. q
 *   dominates p when its sum is below p's by more than that margin, or
 *   when it is at most p's and q's step list comes first. Only near-ties
 *   (sums within the margin, exact ties with integer weights) keep more
 *   than k partial schedules per state.
 *
 * With a user comparator that is not monotone the result is not defined to
 * be the k best; where the DP sees it (two extensions of partial schedules
 * from the same predecessor ordered against their prefixes, or a call that
 * contradicts the swapped call) it fails with ::LEMICA_ERR_INVALID_ARGUMENT
 * instead of returning a list.
 *
 * **Cost.** The DP visits the same states as lemica_solver_solve() (every
 * budget at once for the frontier form). For LEXMAX it keeps k entries of
 * 24 bytes per state plus, for two layers at a time, the sorted cost
 * vectors (8 B bytes per entry). k * (B + 1) * N must be at most
 * ::LEMICA_MAX_KBEST_ENTRIES (N + 1 for B in the frontier form); the weak
 * DP also stops with ::LEMICA_ERR_TOO_LARGE if its kept entries exceed it.
 * Time: about 50 candidates are weighed per state where the one-best DP
 * weighs one; the 10 best of every budget of N = 50 take about 100 times
 * a frontier's time (4.7 ms against 44 us of CPU, tests/bench-kbest.c),
 * one budget a fraction of that.
 *
 * @code
 * lemica_schedule_list *list = NULL;
 * if (lemica_solver_solve_k_best(solver, graph, 10, 5, &list) == LEMICA_OK) {
 *     for (size_t i = 0; i < lemica_schedule_list_count(list); i++) {
 *         const lemica_schedule *schedule;
 *         lemica_schedule_list_get(list, i, &schedule);
 *         // run it on the profiling samples, see lemica_verifier
 *     }
 *     lemica_schedule_list_free(list);
 * }
 * @endcode
 * @{
 */

/** @brief The largest k * (B + 1) * N a k-best solve accepts, and the most
 *         partial schedules its DP may keep: 2^24 (384 MiB of entries, plus
 *         up to 256 MiB of cost vectors for LEXMAX and user comparators);
 *         above it ::LEMICA_ERR_TOO_LARGE. */
#define LEMICA_MAX_KBEST_ENTRIES 16777216

/**
 * @brief Opaque list of schedules: the k best of one budget, or of every
 *        budget (grouped by ascending budget, best first within each).
 * @since 0.2
 */
typedef struct lemica_schedule_list lemica_schedule_list;

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief The @p count best distinct schedules with exactly @p budget calls.
 *
 * Fewer are returned when fewer schedules exist.
 * @param[in,out] solver The solver (its comparator and constraints).
 * @param[in] graph The graph.
 * @param[in] budget B, the number of model calls.
 * @param[in] count k >= 1, the most schedules wanted.
 * @param[out] out The list, in order (see @ref kbest); NULL on failure.
 * @return ::LEMICA_OK; ::LEMICA_ERR_INFEASIBLE; ::LEMICA_ERR_OUT_OF_RANGE
 *         (required step >= N); ::LEMICA_ERR_TOO_LARGE (k (B + 1) N above
 *         ::LEMICA_MAX_KBEST_ENTRIES); ::LEMICA_ERR_INVALID_ARGUMENT (NULL
 *         pointers, @p count < 1, a user comparator seen not to be
 *         monotone); ::LEMICA_ERR_NO_MEMORY.
 * @since 0.2
 */
LEMICA_API lemica_status lemica_solver_solve_k_best(
    lemica_solver *solver, const lemica_graph *graph, int budget, int count,
    lemica_schedule_list **out);

/**
 * @brief The @p count best distinct schedules of every feasible budget, in
 *        one DP pass.
 * @param[in,out] solver The solver.
 * @param[in] graph The graph; N at most ::LEMICA_MAX_FRONTIER_STEPS.
 * @param[in] count k >= 1.
 * @param[out] out The list: budgets ascending, up to k schedules each, best
 *             first; NULL on failure.
 * @return As lemica_solver_solve_k_best(), with ::LEMICA_ERR_INFEASIBLE
 *         when no budget is feasible and ::LEMICA_ERR_TOO_LARGE when k (N +
 *         1) N is above ::LEMICA_MAX_KBEST_ENTRIES or N above
 *         ::LEMICA_MAX_FRONTIER_STEPS.
 * @since 0.2
 */
LEMICA_API lemica_status lemica_solver_solve_k_best_frontier(
    lemica_solver *solver, const lemica_graph *graph, int count,
    lemica_schedule_list **out);

/**
 * @brief Free a list and its schedules. NULL is a no-op.
 * @param[in] list The list, or NULL.
 * @since 0.2
 */
LEMICA_API void lemica_schedule_list_free(lemica_schedule_list *list);

/**
 * @brief The number of schedules in the list.
 * @param[in] list The list.
 * @return The count, 0 if @p list is NULL.
 * @since 0.2
 */
LEMICA_API size_t lemica_schedule_list_count(const lemica_schedule_list *list);

/**
 * @brief The schedule at @p index.
 * @param[in] list The list.
 * @param[in] index 0 .. lemica_schedule_list_count() - 1.
 * @param[out] out A schedule owned by the list, valid until
 *             lemica_schedule_list_free(); do not free it.
 * @return ::LEMICA_OK, ::LEMICA_ERR_OUT_OF_RANGE or
 *         ::LEMICA_ERR_INVALID_ARGUMENT.
 * @since 0.2
 */
LEMICA_API lemica_status lemica_schedule_list_get(
    const lemica_schedule_list *list, size_t index,
    const lemica_schedule **out);

/**
 * @brief The rank of the schedule at @p index among those of its budget.
 * @param[in] list The list.
 * @param[in] index 0 .. lemica_schedule_list_count() - 1.
 * @return 0 for the best schedule of its budget, 1 for the second, ...;
 *         -1 if @p list is NULL or @p index out of range.
 * @since 0.2
 */
LEMICA_API int lemica_schedule_list_rank(const lemica_schedule_list *list,
                                         size_t index);

/**
 * @brief Where the schedules of @p budget are in the list.
 * @param[in] list The list.
 * @param[in] budget B.
 * @param[out] first The index of its best schedule.
 * @param[out] count How many it has (>= 1).
 * @return ::LEMICA_OK; ::LEMICA_ERR_INFEASIBLE (no schedule with this
 *         budget in the list); ::LEMICA_ERR_INVALID_ARGUMENT.
 * @since 0.2
 */
LEMICA_API lemica_status lemica_schedule_list_find(
    const lemica_schedule_list *list, int budget, size_t *first,
    size_t *count);

#ifdef __cplusplus
}
#endif

/** @} */

#endif /* LEMICA_KBEST_H */
