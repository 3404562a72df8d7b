/* SPDX-License-Identifier: MIT */
/* bench-stopping: diagnosis (BENCH_DIAGNOSE): which signals at S predict
 * a poor plan. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench-stopping-int.h"

/* Mean of samples [0, count) of a segment. */
static double
seg_mean(const struct profile_data *d, int from, int to, int count)
{
    double total = 0.0;
    for (int s = 0; s < count; s++)
        total += data_sample(d, s)[data_slot(d, from, to)];
    return total / count;
}

static double
seg_sd(const struct profile_data *d, int from, int to, int count)
{
    double mean = seg_mean(d, from, to, count), total = 0.0;
    for (int s = 0; s < count; s++) {
        double x = data_sample(d, s)[data_slot(d, from, to)] - mean;
        total += x * x;
    }
    return count > 1 ? sqrt(total / (count - 1)) : 0.0;
}

static lemica_schedule *
plan_of(const struct profile_data *d, int count, int budget)
{
    lemica_profiler *profiler = NULL;
    lemica_graph *graph = NULL;
    lemica_solver *solver = NULL;
    lemica_schedule *schedule = NULL;

    bench_check(lemica_profiler_new(d->n, d->k, LEMICA_METRIC_L1, &profiler), "p");
    for (int i = 0; i < d->n - 2; i++)
        for (int j = i + 2; j <= d->n - 1; j++)
            bench_check(lemica_test_add_samples(profiler, d, i, j, 0,
                                                (uint64_t)count),
                        "add_error");
    bench_check(lemica_profiler_to_graph(profiler, LEMICA_AGGREGATE_MEAN, 0, 1, &graph),
                "g");
    bench_check(lemica_solver_new(&solver), "s");
    bench_check(lemica_solver_solve(solver, graph, budget, &schedule), "solve");
    lemica_solver_free(solver);
    lemica_graph_free(graph);
    lemica_profiler_free(profiler);
    return schedule;
}

/* Sum and max of a schedule's segment means over samples [first, count). */
static void
path_error(const struct profile_data *d, const lemica_schedule *schedule,
           int first, int count, double *sum, double *max, double *se)
{
    int steps[NUM_STEPS];
    size_t n = 0;

    *sum = *max = 0.0;
    if (se)
        *se = 0.0;
    lemica_schedule_steps(schedule, steps, NUM_STEPS, &n);
    for (size_t e = 1; e < n; e++) {
        double total = 0.0;
        if (steps[e] - steps[e - 1] < 2)
            continue;
        for (int s = first; s < count; s++)
            total += data_sample(d, s)[data_slot(d, steps[e - 1], steps[e])];
        total /= count - first;
        *sum += total;
        *max = total > *max ? total : *max;
        if (se)
            *se += seg_sd(d, steps[e - 1], steps[e], count) / sqrt(count);
    }
}

void
diagnose(struct evaluator *ev, const struct profile_data *d, const double *reference)
{
    lemica_schedule *plans[PROTOCOL + 1][NUM_BUDGETS];

    for (int count = 1; count <= 8; count++) {
        double worst = 0, mean = 0, rse = 0, regret1 = 0, regret2 = 0, fresh = 0;
        double drift = 0;
        for (int b = 0; b < NUM_BUDGETS; b++) {
            double ratio, sum, max, se, sum_prev, max_prev, x_now, x_prev, m;
            plans[count][b] = plan_of(d, count, budgets[b]);
            ratio = held_out_error(ev, plans[count][b]) / reference[b];
            mean += ratio / NUM_BUDGETS;
            worst = ratio > worst ? ratio : worst;
            path_error(d, plans[count][b], 0, count, &sum, &max, &se);
            rse = se / sum > rse ? se / sum : rse;
            if (count > 1) {
                path_error(d, plans[count - 1][b], 0, count, &sum_prev, &max_prev, NULL);
                regret1 = fmax(regret1, sum_prev / sum - 1.0);
                path_error(d, plans[count - 1][b], 0, count - 1, &sum_prev, &max_prev, NULL);
                drift = fmax(drift, fabs(sum_prev / sum - 1.0));
                /* the previous plan on the new sample alone */
                path_error(d, plans[count - 1][b], count - 1, count, &x_prev, &m, NULL);
                path_error(d, plans[count][b], count - 1, count, &x_now, &m, NULL);
                fresh = fmax(fresh, x_prev / x_now - 1.0);
            }
            if (count > 2) {
                path_error(d, plans[count - 2][b], 0, count, &sum_prev, &max_prev, NULL);
                regret2 = fmax(regret2, sum_prev / sum - 1.0);
            }
        }
        printf("    S=%d held-out mean %+5.1f%% worst %+5.1f%% | rse %.3f regret1 %.3f "
               "regret2 %.3f drift %.3f fresh %+.3f\n",
               count, 100 * (mean - 1), 100 * (worst - 1), rse, regret1, regret2,
               drift, fresh);
    }
    for (int count = 1; count <= 8; count++)
        for (int b = 0; b < NUM_BUDGETS; b++)
            lemica_schedule_free(plans[count][b]);
}
