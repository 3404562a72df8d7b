/* SPDX-License-Identifier: MIT */
/**
 * @file lemica-solver.h
 * @brief Budget-constrained lexicographic-minimax paths, and the frontier
 *        over every budget.
 */
#ifndef LEMICA_SOLVER_H
#define LEMICA_SOLVER_H

#include <stddef.h>

#include "lemica-graph.h"
#include "lemica-schedule.h"
#include "lemica-status.h"

/**
 * @defgroup solver Solver
 * @brief Finds the schedule with exactly B model calls whose cost vector
 *        is best under a comparator.
 *
 * A schedule is a path 0 -> ... -> N-1 through B steps, so it has B - 1
 * segments. Its **cost vector** is the multiset of its segment weights,
 * sorted descending (span-1 segments contribute their weight, 0 unless
 * set). The solver runs a dynamic program over the states (step, calls
 * used) and keeps, for every state, the best cost vector under the
 * comparator.
 *
 * **Comparators**
 * - ::LEMICA_COMPARATOR_LEXMAX (default): the paper's eq. 5. Vectors sorted
 *   descending are compared lexicographically: the smaller worst segment
 *   wins, then the smaller second worst, and so on.
 * - ::LEMICA_COMPARATOR_SUM: the smaller sum wins (shortest path; the
 *   paper's ablation). Sums are added in path order.
 * - ::LEMICA_COMPARATOR_MAX: the smaller worst segment wins (bottleneck);
 *   vectors with the same maximum are equally good.
 * - a user comparator, lemica_solver_set_user_comparator().
 *
 * **When the DP is optimal.** The DP returns a best schedule if and only if
 * the comparator is a *total preorder* (every pair compares, consistently
 * and transitively) that is *monotone*: for all cost vectors a, b of the
 * same length and every weight w, if a <= b then a + {w} <= b + {w}, where
 * "+ {w}" inserts w into the sorted vector. All three built-in comparators
 * are. With a comparator that is not, the solver still returns a valid
 * schedule with exactly B calls that meets the constraints, chosen by the
 * same DP and tie rule, but it may not be the best one under that
 * comparator: the DP may discard, at an intermediate step, the partial
 * schedule that would have won in the end.
 *
 * **Ties.** When two predecessors of a state give candidate vectors that
 * compare equal, the solver keeps the one with the smaller step. For
 * ::LEMICA_COMPARATOR_LEXMAX (and for ::LEMICA_COMPARATOR_SUM when sums are
 * exact, for example integer weights) this means: among all optimal
 * schedules the solver returns the one whose step list, read backwards from
 * the last step, is lexicographically smallest — the one that computes
 * early steps where it has the choice. The result depends only on the
 * graph, the budget, the comparator and the constraints, never on the
 * machine or the thread.
 *
 * **Budgets.** A budget B is feasible when some path has exactly B steps.
 * With every edge present and no required steps, that is
 * 1 + ceil((N - 1) / K) <= B <= N. An infeasible budget gives
 * ::LEMICA_ERR_INFEASIBLE and no schedule.
 *
 * **Cost.** One budget: O(B * (N - B) * K) time, 2 (B + 1) N bytes of
 * predecessor table plus 8 N K bytes for the solver's copy of the weights
 * and a few arrays of N (about 150 N bytes). The frontier is the same with
 * B = N, plus its results: 12 bytes per step of every schedule and N bytes
 * of mask per budget, about 7 N^2 bytes. (B + 1) * N is at most
 * ::LEMICA_MAX_SOLVER_STATES (::LEMICA_MAX_USER_SOLVER_STATES with a user
 * comparator, which keeps full vectors: 16 more bytes per state), and a
 * frontier's N at most ::LEMICA_MAX_FRONTIER_STEPS; larger problems get
 * ::LEMICA_ERR_TOO_LARGE before anything is allocated. So at N =
 * ::LEMICA_MAX_STEPS a single budget is at most 4095, and with max skip K
 * it must also be at least 1 + ceil((N - 1) / K): K >= 17. Repeated solves
 * of sizes already seen allocate nothing (use lemica_solver_solve_into()
 * to reuse the schedule too).
 *
 * **Threads.** A solver is used by one thread at a time; distinct solvers
 * may run concurrently on the same (unmodified) graph.
 *
 * @code
 * lemica_solver *solver = NULL;
 * lemica_schedule *schedule = NULL;
 * lemica_solver_new(&solver);
 * lemica_solver_require_first_steps(solver, 2);   // warm-up: compute 0 and 1
 * if (lemica_solver_solve(solver, graph, 10, &schedule) == LEMICA_OK) {
 *     double worst;
 *     lemica_schedule_max_cost(schedule, &worst);
 *     lemica_schedule_free(schedule);
 * }
 * lemica_solver_free(solver);
 * @endcode
 * @{
 */

/** @brief The largest (B + 1) * N a solve accepts: 2^28 states (512 MiB of
 *         predecessor table); above it ::LEMICA_ERR_TOO_LARGE. */
#define LEMICA_MAX_SOLVER_STATES 268435456

/** @brief The largest (B + 1) * N a solve with a user comparator accepts:
 *         2^24 states (288 MiB with its full vectors); above it
 *         ::LEMICA_ERR_TOO_LARGE. */
#define LEMICA_MAX_USER_SOLVER_STATES 16777216

/** @brief The largest N lemica_solver_solve_frontier() accepts: 8192 (its
 *         results take about 7 N^2 bytes, 448 MiB, plus 128 MiB of DP);
 *         above it ::LEMICA_ERR_TOO_LARGE. */
#define LEMICA_MAX_FRONTIER_STEPS 8192

/**
 * @brief Built-in orders on cost vectors.
 * @since 0.1
 */
typedef enum lemica_comparator {
    /** Lexicographic on vectors sorted descending (paper eq. 5). */
    LEMICA_COMPARATOR_LEXMAX = 0,
    /** Sum of the segment weights (shortest path). */
    LEMICA_COMPARATOR_SUM = 1,
    /** Largest segment weight only (bottleneck path). */
    LEMICA_COMPARATOR_MAX = 2,
    /** A callback set with lemica_solver_set_user_comparator(). */
    LEMICA_COMPARATOR_USER = 3
} lemica_comparator;

/**
 * @brief A user order on cost vectors.
 *
 * Both vectors are sorted descending. Inside the DP they always have the
 * same length (the number of segments of the partial schedules compared);
 * the lengths are passed so that a comparator can check that.
 * The callback must be deterministic, must not call back into this solver,
 * and must meet the condition stated in @ref solver for the result to be
 * optimal.
 *
 * @param[in] a The first vector.
 * @param[in] a_length Its length.
 * @param[in] b The second vector.
 * @param[in] b_length Its length.
 * @param[in] user_data The pointer given to
 *            lemica_solver_set_user_comparator().
 * @return Negative if @p a is better (smaller), 0 if equally good,
 *         positive if @p b is better.
 * @since 0.1
 */
typedef int (*lemica_compare_fn)(const double *a, size_t a_length,
                                 const double *b, size_t b_length,
                                 void *user_data);

/**
 * @brief Opaque solver handle: configuration plus reusable workspace.
 * @since 0.1
 */
typedef struct lemica_solver lemica_solver;

/**
 * @brief Opaque frontier handle: the best schedule of every feasible budget.
 * @since 0.1
 */
typedef struct lemica_frontier lemica_frontier;

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief Create a solver: LEXMAX comparator, no max skip of its own, no
 *        required steps.
 * @param[out] out The solver; NULL on failure.
 * @return ::LEMICA_OK, ::LEMICA_ERR_INVALID_ARGUMENT or ::LEMICA_ERR_NO_MEMORY.
 * @since 0.1
 */
LEMICA_API lemica_status lemica_solver_new(lemica_solver **out);

/**
 * @brief Free a solver. NULL is a no-op.
 * @param[in] solver The solver, or NULL.
 * @since 0.1
 */
LEMICA_API void lemica_solver_free(lemica_solver *solver);

/**
 * @brief Choose a built-in comparator.
 * @param[in,out] solver The solver.
 * @param[in] comparator ::LEMICA_COMPARATOR_LEXMAX, ::LEMICA_COMPARATOR_SUM
 *            or ::LEMICA_COMPARATOR_MAX.
 * @return ::LEMICA_OK; ::LEMICA_ERR_INVALID_ARGUMENT for any other value
 *         (::LEMICA_COMPARATOR_USER is set with
 *         lemica_solver_set_user_comparator()).
 * @since 0.1
 */
LEMICA_API lemica_status lemica_solver_set_comparator(
    lemica_solver *solver, lemica_comparator comparator);

/**
 * @brief Use a callback as the comparator.
 * @param[in,out] solver The solver.
 * @param[in] compare The callback; not NULL.
 * @param[in] user_data Passed to every call of @p compare.
 * @return ::LEMICA_OK or ::LEMICA_ERR_INVALID_ARGUMENT.
 * @since 0.1
 */
LEMICA_API lemica_status lemica_solver_set_user_comparator(
    lemica_solver *solver, lemica_compare_fn compare, void *user_data);

/**
 * @brief The comparator in use.
 * @param[in] solver The solver.
 * @return The comparator, or ::LEMICA_COMPARATOR_LEXMAX if @p solver is NULL.
 * @since 0.1
 */
LEMICA_API lemica_comparator lemica_solver_comparator(
    const lemica_solver *solver);

/**
 * @brief Ignore edges longer than @p max_skip (on top of the graph's K).
 * @param[in,out] solver The solver.
 * @param[in] max_skip >= 1, or 0 for no limit of the solver's own.
 * @return ::LEMICA_OK or ::LEMICA_ERR_INVALID_ARGUMENT (negative value).
 * @since 0.1
 */
LEMICA_API lemica_status lemica_solver_set_max_skip(lemica_solver *solver,
                                                    int max_skip);

/**
 * @brief The solver's own max skip.
 * @param[in] solver The solver.
 * @return The value set, 0 for none (also if @p solver is NULL).
 * @since 0.1
 */
LEMICA_API int lemica_solver_max_skip(const lemica_solver *solver);

/**
 * @brief Require that every schedule computes step @p step.
 *
 * Steps 0 and N - 1 are always computed. A required step at or beyond the
 * N of the graph given to a solve makes that solve fail with
 * ::LEMICA_ERR_OUT_OF_RANGE.
 * @param[in,out] solver The solver.
 * @param[in] step 0 .. ::LEMICA_MAX_STEPS - 1.
 * @return ::LEMICA_OK; ::LEMICA_ERR_OUT_OF_RANGE; ::LEMICA_ERR_INVALID_ARGUMENT;
 *         ::LEMICA_ERR_NO_MEMORY.
 * @since 0.1
 */
LEMICA_API lemica_status lemica_solver_require_step(lemica_solver *solver,
                                                    int step);

/**
 * @brief Require steps 0 .. @p count - 1 (warm-up steps, as engines do).
 * @param[in,out] solver The solver.
 * @param[in] count 0 .. ::LEMICA_MAX_STEPS.
 * @return As lemica_solver_require_step().
 * @since 0.1
 */
LEMICA_API lemica_status lemica_solver_require_first_steps(
    lemica_solver *solver, int count);

/**
 * @brief Forget every required step.
 * @param[in,out] solver The solver (NULL is a no-op).
 * @since 0.1
 */
LEMICA_API void lemica_solver_clear_required_steps(lemica_solver *solver);

/**
 * @brief Whether step @p step is required.
 * @param[in] solver The solver.
 * @param[in] step The step.
 * @return 1 if required, 0 if not (or out of range, or @p solver NULL).
 * @since 0.1
 */
LEMICA_API int lemica_solver_is_step_required(const lemica_solver *solver,
                                              int step);

/**
 * @brief The smallest feasible budget on @p graph under the solver's
 *        constraints (max skip, required steps, absent edges).
 * @param[in,out] solver The solver.
 * @param[in] graph The graph.
 * @param[out] budget The budget.
 * @return ::LEMICA_OK; ::LEMICA_ERR_INFEASIBLE if no path exists;
 *         ::LEMICA_ERR_OUT_OF_RANGE (required step >= N);
 *         ::LEMICA_ERR_INVALID_ARGUMENT; ::LEMICA_ERR_NO_MEMORY.
 * @since 0.1
 */
LEMICA_API lemica_status lemica_solver_min_budget(lemica_solver *solver,
                                                  const lemica_graph *graph,
                                                  int *budget);

/**
 * @brief Solve one budget into a new schedule.
 * @param[in,out] solver The solver (its workspace grows as needed).
 * @param[in] graph The graph.
 * @param[in] budget B, the number of model calls.
 * @param[out] out The schedule, with its cost vector; NULL on failure.
 * @return ::LEMICA_OK; ::LEMICA_ERR_INFEASIBLE; ::LEMICA_ERR_OUT_OF_RANGE
 *         (required step >= N); ::LEMICA_ERR_TOO_LARGE;
 *         ::LEMICA_ERR_INVALID_ARGUMENT; ::LEMICA_ERR_NO_MEMORY.
 * @since 0.1
 */
LEMICA_API lemica_status lemica_solver_solve(lemica_solver *solver,
                                             const lemica_graph *graph,
                                             int budget, lemica_schedule **out);

/**
 * @brief Solve one budget into an existing schedule, reusing its storage.
 *
 * With a solver and a schedule that have already held problems at least
 * this large, the call allocates nothing.
 * @param[in,out] solver The solver.
 * @param[in] graph The graph.
 * @param[in] budget B.
 * @param[in,out] schedule Overwritten with the result; unchanged on error.
 * @return As lemica_solver_solve().
 * @since 0.1
 */
LEMICA_API lemica_status lemica_solver_solve_into(lemica_solver *solver,
                                                  const lemica_graph *graph,
                                                  int budget,
                                                  lemica_schedule *schedule);

/**
 * @brief Solve every feasible budget in one DP pass.
 * @param[in,out] solver The solver.
 * @param[in] graph The graph.
 * @param[out] out The frontier; NULL on failure.
 * @return ::LEMICA_OK; ::LEMICA_ERR_INFEASIBLE if no budget is feasible;
 *         ::LEMICA_ERR_OUT_OF_RANGE; ::LEMICA_ERR_TOO_LARGE for N above
 *         ::LEMICA_MAX_FRONTIER_STEPS or (N + 1) * N above the state
 *         limit; ::LEMICA_ERR_INVALID_ARGUMENT; ::LEMICA_ERR_NO_MEMORY.
 * @since 0.1
 */
LEMICA_API lemica_status lemica_solver_solve_frontier(
    lemica_solver *solver, const lemica_graph *graph, lemica_frontier **out);

/**
 * @brief Free a frontier and its schedules. NULL is a no-op.
 * @param[in] frontier The frontier, or NULL.
 * @since 0.1
 */
LEMICA_API void lemica_frontier_free(lemica_frontier *frontier);

/**
 * @brief The number of feasible budgets.
 * @param[in] frontier The frontier.
 * @return The count, or 0 if @p frontier is NULL.
 * @since 0.1
 */
LEMICA_API size_t lemica_frontier_count(const lemica_frontier *frontier);

/**
 * @brief The schedule at @p index, in ascending order of budget.
 * @param[in] frontier The frontier.
 * @param[in] index 0 .. lemica_frontier_count() - 1.
 * @param[out] out A schedule owned by the frontier, valid until
 *             lemica_frontier_free(); do not free it.
 * @return ::LEMICA_OK, ::LEMICA_ERR_OUT_OF_RANGE or
 *         ::LEMICA_ERR_INVALID_ARGUMENT.
 * @since 0.1
 */
LEMICA_API lemica_status lemica_frontier_get(const lemica_frontier *frontier,
                                             size_t index,
                                             const lemica_schedule **out);

/**
 * @brief The schedule for budget @p budget.
 * @param[in] frontier The frontier.
 * @param[in] budget B.
 * @param[out] out A schedule owned by the frontier; do not free it.
 * @return ::LEMICA_OK, ::LEMICA_ERR_INFEASIBLE (no schedule with this
 *         budget) or ::LEMICA_ERR_INVALID_ARGUMENT.
 * @since 0.1
 */
LEMICA_API lemica_status lemica_frontier_find(const lemica_frontier *frontier,
                                              int budget,
                                              const lemica_schedule **out);

#ifdef __cplusplus
}
#endif

/** @} */

#endif /* LEMICA_SOLVER_H */
