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
 * **Exactness.** Write p + e for a partial schedule p (a path from step
 * 0 to a state (step, calls)) extended by the edge e, and say that the
 * order is *kept* when p before q implies p + e before q + e. Each
 * comparator gets the method its order allows:
 * - *Lazy enumeration* (::LEMICA_COMPARATOR_LEXMAX). Every state keeps
 *   its partial schedules best first, as far as they were asked for; a
 *   one-best DP gives each state's first. The m-th of state v is the best
 *   not yet taken among "j-th of a predecessor u, plus (u, v)"; as the
 *   order is kept, u's j-th plus (u, v) comes after its first j - 1 plus
 *   (u, v), so only the next untaken one of each predecessor can be the
 *   best, and v holds a heap of one candidate per predecessor; taking u's
 *   j-th asks u for its (j + 1)-th, down the layers (the recursive
 *   enumeration of Jimenez and Marzal). By induction over the layers and
 *   over m, every state lists its partial schedules exactly in order, the
 *   last step (N - 1, B) too; no state is asked for more than k. The
 *   order is kept, strictly: for sorted vectors of equal length, a < b
 *   lexicographically iff, at the largest value whose count differs, a
 *   has fewer copies; inserting w adds one copy of w to both, which
 *   changes no difference of counts, so a + {w} < b + {w}, and equal
 *   vectors stay equal; equal vectors then go by the step lists, which
 *   share e's step first and then compare as p and q do. Two candidates
 *   compare by the largest weight, then by the first runs of their
 *   vectors, then by the weights after their common prefix only (the
 *   common ones are inserted alike).
 * - *Exact sums, then rounding* (::LEMICA_COMPARATOR_SUM). Floating-point
 *   sums keep the order only weakly (a < b may round to a + w = b + w).
 *   Exact sums keep it strictly, so the enumeration above runs on them:
 *   every usable weight is an integer multiple of 2^E for the smallest E
 *   any of them needs, and when every sum of N of those integers fits
 *   127 bits the sums are exact 128-bit integers. The last state then
 *   lists its schedules by exact sum; each one's floating-point sum (in
 *   path order) is within half of a margin of 2 N ulp(U) of its exact
 *   one (U above every partial sum), so once the next exact sum is above
 *   the k-th smallest floating-point sum so far plus the margin, no later
 *   schedule can enter: those before it are sorted by the order above.
 *   When every sum of N weights is below 2^53 units (integer weights,
 *   say) the floating-point sums are the exact ones and no margin is
 *   needed. Otherwise (exact sums wider than 127 bits: weights of very
 *   different sizes; or more than k schedules within the margin of the
 *   k-th) the dominance DP below runs instead.
 * - *Backward search* (::LEMICA_COMPARATOR_MAX). The maximum keeps the
 *   order only weakly: every partial schedule whose maximum is at most w
 *   ties after + e, and the step lists decide among them, so no order of
 *   a state's partial schedules is kept by all their extensions. Each
 *   last state (N - 1, B) is searched backwards, best first, over
 *   suffixes: a suffix from (N - 1, B) back to (t, c) with largest weight
 *   theta has max(theta, F(t, c)) as the best maximum of a schedule
 *   ending in it (F from the one-best DP), and some schedule reaches it.
 *   Ordered by that bound and then by its step list read backwards, a
 *   suffix comes before all its extensions (the bound only grows, and a
 *   prefix of a step list comes first), so complete schedules come out
 *   in order. The search goes level by level of the bound, the first
 *   level the optimum: at level L a depth-first walk from the end,
 *   children by ascending step, enters the suffixes whose bound is at
 *   most L (each completes: no dead end) and lists the schedules it
 *   reaches whose maximum is L, in the order of their step lists. A walk
 *   that lists fewer than k in all has scanned the bound of every suffix
 *   one step longer than those it entered, and the smallest above L is
 *   the next level: the largest weight of no schedule lies in between.
 *   So every schedule is listed once, in order. Which prefixes of a
 *   state have their maximum at most L does not depend on the suffix; a
 *   walk keeps, per state it left, how many there are, the one if one,
 *   and the smallest maximum above L of a prefix, A: at every level from
 *   L to below A those are the same prefixes. A state with one prefix is
 *   not walked again (its schedule is listed down the kept ones), and a
 *   later walk skips a state whose prefixes are all below its level when
 *   the suffix is.
 * - *Dominance DP* (user comparators; SUM where the above cannot run).
 *   Say q dominates p, two partial schedules ending at the same state,
 *   when q + e comes before p + e for *every* continuation e. The DP
 *   keeps, at every state, the partial schedules that fewer than k kept
 *   ones dominate; it returns exactly the first k schedules whenever its
 *   dominance test is sound. Proof: if a schedule P = p + e among the
 *   first k had its prefix p dropped, k kept partial schedules q_1..q_k
 *   dominate p, so the k distinct schedules q_i + e all come before P:
 *   P is not among the first k. For a *monotone* user comparator (the
 *   contract of @ref solver, that a <= b implies a + {w} <= b + {w}), q
 *   dominates p when q's cost is at most p's and q's step list comes
 *   first: q + e then costs at most p + e and still comes first on the
 *   step list. For SUM, q dominates p also when its sum is below p's by
 *   more than the margin above, whatever the step lists. Partial
 *   schedules that undercut each other survive together, up to
 *   ::LEMICA_MAX_KBEST_ENTRIES; on graphs whose weights grow with the
 *   span that can be many, and the call fails with
 *   ::LEMICA_ERR_TOO_LARGE.
 *
 * With a user comparator that is not monotone the result is not defined to
 * be the k best; where the DP sees it (two extensions of partial schedules
 * from the same predecessor ordered against their prefixes, or a call that
 * contradicts the swapped call) it fails with ::LEMICA_ERR_INVALID_ARGUMENT
 * instead of returning a list.
 *
 * **Cost.** k * (B + 1) * N must be at most ::LEMICA_MAX_KBEST_ENTRIES
 * (N + 1 for B in the frontier form). LEXMAX, SUM and MAX keep their
 * storage in the solver, like its DP (so repeated solves reuse it; it is
 * freed with the solver): about 33 bytes per state plus 4 k (8 k for
 * SUM) for its list, 72 bytes per partial schedule found (at most k per
 * state, 2 k for SUM), for SUM 16 bytes per edge slot; MAX 32 bytes per
 * state, 44 per layer and per step of the graph, and 4 per step of k
 * schedules of every budget;
 * writing the list, 33 bytes per edge slot plus 4 per edge of its
 * schedules. The dominance DP keeps 24 bytes per entry
 * plus, for user comparators, the sorted cost vectors of two layers (8 B
 * bytes an entry); a heap candidate of LEXMAX and SUM takes 72 bytes, one
 * per predecessor, and one more, of each state whose heap is built (asked
 * for a path that the predecessor of its first one cannot give). Time,
 * for the 10 best of every budget of N = 50, K = 49 against one frontier
 * of the same graph (tests/bench-kbest.c, both timed warm, on a shared
 * two-core machine): about 8.5 to 9.7 times a frontier's CPU time for
 * LEXMAX, 10.6 to 11.4 for SUM and 5.5 to 5.9 for MAX (7.0, 7.8 and 4.85 times
 * in instructions, by callgrind with --calls); one budget a fraction of
 * that. For LEXMAX and SUM CPU time runs above the instruction ratio
 * because the frontier's DP keeps a wide core busy while the enumeration
 * waits on mispredicted branches and on cache misses (its paths and
 * heaps take about a megabyte, the paths' links, which the walks up the
 * paths read, 16 bytes a path of it: callgrind's cache model counts
 * about 25,000 first-level misses a LEXMAX call, 26,000 a SUM call, and
 * 18,000 and 12,000 mispredicted branches); MAX's search keeps about
 * 130 KB.
 * Writing the 472 schedules out takes about 1,000 to 1,250 instructions
 * a schedule (steps, mask, and costs sorted through the ranks of the
 * list's distinct edges): about a fifth of LEXMAX's instructions, a
 * quarter of SUM's, two fifths of MAX's, whose search (3,100 states
 * entered, 38,000 predecessors scanned) and one-best DP are the rest. A
 * program that frees each list before the next solve can pay the
 * kernel's time as well: when the list (200 KB here) ends the C library's
 * heap, freeing it returns the memory and the next list faults it in
 * again (a third of LEXMAX's time in a benchmark that did so).
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
 *         partial schedules the dominance DP may keep: 2^24 (384 MiB of
 *         entries, plus up to 256 MiB of cost vectors for user
 *         comparators); the lazy enumeration keeps at most k (2 k for SUM)
 *         per state; above it ::LEMICA_ERR_TOO_LARGE. */
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
