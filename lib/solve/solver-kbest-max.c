/* SPDX-License-Identifier: MIT */
/* The k best schedules under MAX: a backward depth-first search over the
 * DP states (step, calls), by levels of the largest weight (the order is
 * in lemica-kbest.h).
 *
 * MAX keeps order only weakly: extended by a weight w, every path whose
 * maximum is at most w ties, and the step lists decide among them, so the
 * paths of a state have no order that all their extensions keep, and the
 * lazy enumeration of solver-kbest-lazy.c does not apply. Instead each
 * final state (N - 1, B) is searched backwards. A suffix of schedules,
 * from (N - 1, B) back to a state (t, c), has its largest weight theta;
 * with F(t, c), the smallest maximum of a path from the start to (t, c)
 * (a one-best DP, +inf if unreached), b = max(theta, F(t, c)) is the
 * smallest maximum of a schedule ending in that suffix, and some schedule
 * has it. Along a schedule, read from its end, b only grows, up to the
 * schedule's maximum at step 0 (F(0, 1) = -inf).
 *
 * Levels. The first level L_1 is F(N - 1, B), the optimum. At level L a
 * walk enters the suffixes with b <= L, from (N - 1, B), children by
 * ascending step, and lists the schedules it reaches whose maximum is L.
 * - Every entered suffix completes (its b <= L is some schedule's
 *   maximum), so the walk meets no dead end: it costs the steps of the
 *   schedules with maximum <= L that it passes, plus the predecessors it
 *   scans.
 * - A schedule with maximum L has b <= L along all of it, so the walk
 *   reaches it; depth first, children by ascending step, it meets the
 *   schedules in the order of their step lists read backwards, which is
 *   the order among equal maxima. Each is met once.
 * - If the walk ends with fewer than k schedules listed in all, it has
 *   entered every suffix with b <= L and scanned all their predecessors;
 *   the next level L' is the smallest b > L among those predecessors. No
 *   schedule has its maximum in (L, L'): one with maximum M > L has a
 *   first suffix with b > L; its parent (b <= L) was entered, so that b
 *   was scanned, and L' <= b <= M. And L' is some schedule's maximum.
 * So the levels are exactly the distinct maxima in ascending order, each
 * lists its schedules in order, and no schedule is skipped or listed
 * twice. A later level walks the earlier ones' suffixes again (those
 * with b <= L'), which costs at most the steps of the fewer than k
 * schedules listed before; keeping them instead costs more (the old
 * search kept every node and sorted the waiting ones by step list).
 *
 * A walk scans a state's predecessors lazily: it stops at the first one
 * it can enter and goes on from there when it comes back; a walk that
 * lists its k-th schedule stops, leaving the rest unscanned. The steps
 * of the schedules found go straight from the walk's stack into an
 * array, k rows per budget. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "../common/error-int.h"
#include "kbest-lazy-int.h"
#include "kbest-max-int.h"
#include "schedule-list-int.h"

/* A state on the walk's stack: its step, the next predecessor to look at,
 * and the largest weight of the suffix from it to the end (-inf at the
 * end itself). Its number of calls follows from its depth. */
struct max_frame {
    int32_t step;
    int32_t next;
    double theta;
};

struct max_search {
    lemica_solver *solver;
    const struct lemica_problem *problem;
    size_t wanted;            /* k */
    int layers;               /* B, or N for the frontier */
    int first_budget;         /* 2 for the frontier, else B */
    double *bound;            /* per state c * N + t: F(t, c) */
    const int *first_pred;    /* per step: smallest usable predecessor */
    uint32_t *listed;         /* per budget: schedules found */
    int *steps;               /* k rows of c steps per budget c */
    struct max_frame *frames; /* the walk's stack, B + 1 */
};

/* Where the rows of budget @c start in ms->steps. */
static size_t
max_steps_at(const struct max_search *ms, int c)
{
    const size_t before = (size_t)c * (size_t)(c - 1) / 2;
    const size_t first = (size_t)ms->first_budget *
                         (size_t)(ms->first_budget - 1) / 2;

    return ms->wanted * (before - first);
}

/* Point at the workspace's buffers, grown as needed. */
static lemica_status
max_alloc(struct max_search *ms)
{
    struct lemica_workspace *work = &ms->solver->work;
    const size_t n = (size_t)ms->problem->num_steps;
    const size_t layers = (size_t)ms->layers + 1;
    const size_t states = layers * n;
    int ok = 1;

    ok = ok && lemica_solver_reserve(&work->kbest_best_max, states,
                                     sizeof(double));
    ok = ok && lemica_solver_reserve(&work->kbest_listed, layers,
                                     sizeof(uint32_t));
    ok = ok && lemica_solver_reserve(&work->kbest_nodes, layers,
                                     sizeof(struct max_frame));
    ok = ok && lemica_solver_reserve(&work->kbest_dfs,
                                     max_steps_at(ms, ms->layers + 1),
                                     sizeof(int));
    if (!ok)
        return lemica_fail_no_memory("the k-best search");
    ms->bound = work->kbest_best_max.data;
    ms->listed = work->kbest_listed.data;
    ms->frames = work->kbest_nodes.data;
    ms->steps = work->kbest_dfs.data;
    ms->first_pred = ms->solver->work.first_pred.data;
    memset(ms->listed, 0, layers * sizeof(uint32_t));
    for (size_t i = 0; i < states; i++)
        ms->bound[i] = HUGE_VAL;
    return LEMICA_OK;
}

/* The first predecessor of (@t, @c) that may be reached: s from there to
 * t - 1 (step 0 only into layer 1, which max_end() says). */
static int
max_first_pred(const struct max_search *ms, int t, int c)
{
    return ms->first_pred[t] > c - 2 ? ms->first_pred[t] : c - 2;
}

/* One past the last predecessor of (@t, @c): into layer 1 only step 0,
 * the rest of that row is unreached. */
static int
max_end(int t, int c)
{
    return c == 2 ? 1 : t;
}

/* The one-best DP of MAX: F(t, c) into bound (+inf if unreached). */
static void
max_bounds(struct max_search *ms, int frontier)
{
    const int n = ms->problem->num_steps, budget = ms->layers;

    ms->bound[n] = -HUGE_VAL;
    for (int c = 2; c <= budget; c++) {
        const double *prev = ms->bound + (size_t)(c - 1) * (size_t)n;
        double *cur = ms->bound + (size_t)c * (size_t)n;
        int t_min, t_max;

        lemica_kbest_state_range(ms->problem, budget, frontier, c, &t_min,
                                 &t_max);
        for (int t = t_min; t <= t_max; t++) {
            const double *row =
                lemica_kbest_incoming_row(ms->solver, ms->problem, t);
            const int end = max_end(t, c);
            double best = HUGE_VAL;

            for (int s = max_first_pred(ms, t, c); s < end; s++) {
                double m = prev[s] > row[s] ? prev[s] : row[s];

                best = m < best ? m : best;
            }
            cur[t] = best;
        }
    }
}

/* The k best schedules of budget @c, level by level. */
static void
max_search_budget(struct max_search *ms, int c)
{
    const size_t n = (size_t)ms->problem->num_steps;
    const size_t max_skip = (size_t)ms->problem->max_skip;
    const double *incoming = ms->solver->work.incoming.data;
    const int *first_pred = ms->first_pred;
    const size_t wanted = ms->wanted;
    struct max_frame *frames = ms->frames;
    int *out = ms->steps + max_steps_at(ms, c);
    double level = ms->bound[(size_t)c * n + n - 1];
    uint32_t found = 0;

    while (level != HUGE_VAL) {
        double above = HUGE_VAL;
        int depth = 0;

        frames[0].step = (int32_t)n - 1;
        frames[0].next = first_pred[n - 1] > c - 2 ? first_pred[n - 1] : c - 2;
        frames[0].theta = -HUGE_VAL;
        while (depth >= 0) {
            struct max_frame *frame = &frames[depth];
            const int layer = c - depth, t = frame->step;
            const double theta = frame->theta;
            /* The weights into t: row[s] for s from first_pred[t]. */
            const double *row = incoming + (size_t)(t + 1) * max_skip -
                                (size_t)t;
            const double *bound = ms->bound + (size_t)(layer - 1) * n;
            int s = frame->next;

            if (layer == 2) {
                /* The last edge, from step 0: a schedule if its maximum
                 * is the level (it is at most the level: F(t, 2) is). */
                if (s == 0 && (theta > row[0] ? theta : row[0]) == level) {
                    out[0] = 0;
                    for (int i = 1; i < c; i++)
                        out[i] = frames[c - 1 - i].step;
                    out += c;
                    if (++found == wanted)
                        goto done;
                }
                depth--;
                continue;
            }
            /* Entered states have theta <= level, so b = max(theta, g)
             * is at most the level exactly when g is, and above it b is
             * g. An unusable edge or an unreached state gives g = +inf,
             * never entered nor the next level. */
            for (; s < t; s++) {
                const double w = row[s], g = w > bound[s] ? w : bound[s];

                if (g <= level)
                    break;
                above = g < above ? g : above;
            }
            if (s == t) {
                depth--;
                continue;
            }
            frame->next = s + 1;
            frame[1].step = s;
            frame[1].next = layer - 1 == 2 ? first_pred[s]
                            : first_pred[s] > layer - 3 ? first_pred[s]
                                                        : layer - 3;
            frame[1].theta = theta > row[s] ? theta : row[s];
            depth++;
        }
        level = above;
    }
done:
    ms->listed[c] = found;
}

/* The steps of the schedule of rank @rank of budget @budget (a
 * lemica_schedule_list_steps). */
static void
max_steps(const void *context, int budget, uint32_t rank, int *steps)
{
    const struct max_search *ms = context;

    memcpy(steps,
           ms->steps + max_steps_at(ms, budget) + (size_t)rank * (size_t)budget,
           (size_t)budget * sizeof(int));
}

lemica_status
lemica_solver_kbest_max(lemica_solver *solver,
                        const struct lemica_problem *problem, int budget,
                        int count, int frontier, lemica_schedule_list **out)
{
    struct max_search ms;
    lemica_status status;

    memset(&ms, 0, sizeof(ms));
    ms.solver = solver;
    ms.problem = problem;
    ms.wanted = (size_t)count;
    ms.layers = budget;
    ms.first_budget = frontier ? 2 : budget;
    status = max_alloc(&ms);
    if (status != LEMICA_OK)
        return status;
    max_bounds(&ms, frontier);
    for (int c = ms.first_budget; c <= budget; c++)
        max_search_budget(&ms, c);
    return lemica_schedule_list_build(ms.listed, budget, problem->graph,
                                      max_steps, &ms,
                                      &solver->work.kbest_ranks, out);
}
