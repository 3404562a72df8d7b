/* SPDX-License-Identifier: MIT */
/* bench-stopping: bagging at the stop (issue 14, point 4). The samples the
 * loop holds at the stop are resampled (bootstrap, or leave one out), each
 * resample is planned from its own statistics (LEXMAX, every budget), and
 * the distinct schedules per budget, with how many resamples chose each,
 * become the candidates of a verification or of a vote. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench-stopping-int.h"
#include "test-rng.h"

static void
schedule_steps(const lemica_schedule *schedule, int steps[NUM_STEPS + 1])
{
    size_t count = 0;

    memset(steps, 0, (NUM_STEPS + 1) * sizeof(int));
    lemica_schedule_steps(schedule, steps + 1, NUM_STEPS, &count);
    steps[0] = (int)count;
}

/* Adds @schedule to budget @b's candidates (a vote more if it is there),
 * taking it over; returns its index. */
static int
bag_add(struct bag *bag, int b, lemica_schedule *schedule, int votes)
{
    int steps[NUM_STEPS + 1], other[NUM_STEPS + 1];

    schedule_steps(schedule, steps);
    for (int c = 0; c < bag->count[b]; c++) {
        schedule_steps(bag->schedules[b][c], other);
        if (memcmp(steps, other, sizeof(steps)) == 0) {
            bag->votes[b][c] += votes;
            lemica_schedule_free(schedule);
            return c;
        }
    }
    if (bag->count[b] >= MAX_BAG) {
        fprintf(stderr, "bench-stopping: more than %d bagged candidates\n", MAX_BAG);
        exit(2);
    }
    bag->schedules[b][bag->count[b]] = schedule;
    bag->votes[b][bag->count[b]] = votes;
    return bag->count[b]++;
}

void
bag_build(struct bag *bag, const struct profile_data *d, const lemica_profiler *profiler,
          int samples, int order_index, const struct rule *rule,
          lemica_schedule *const *plans)
{
    int resamples = rule->bag_loo ? samples : rule->bag;
    uint64_t rng = 0x9e3779b97f4a7c15u ^ (orders_seed * 1000003u) ^
                   ((uint64_t)balanced << 40) ^ (uint64_t)order_index * 7919u;
    lemica_solver *solver = NULL;

    memset(bag, 0, sizeof(*bag));
    bench_check(lemica_solver_new(&solver), "solver");
    for (int b = 0; b < NUM_BUDGETS; b++) {
        lemica_schedule *copy = NULL;
        bench_check(lemica_schedule_copy(plans[b], &copy), "copy");
        bag_add(bag, b, copy, 0); /* the plain plan first, no vote */
    }
    for (int r = 0; r < resamples && samples > 1; r++) {
        int weight[PROTOCOL] = {0};
        lemica_profiler *resampled = NULL;
        lemica_graph *graph = NULL;

        if (rule->bag_loo)
            for (int s = 0; s < samples; s++)
                weight[s] = s != r;
        else
            for (int s = 0; s < samples; s++)
                weight[test_rng_below(&rng, samples)]++;
        bench_check(lemica_profiler_new(d->n, d->k, LEMICA_METRIC_L1, &resampled), "p");
        for (int i = 0; i < d->n - 2; i++)
            for (int j = i + 2; j <= d->n - 1; j++) {
                /* The segment's samples as the loop (or graph=full) holds
                 * them: the first @held, resampled where the resample has
                 * any of them, else all of them. */
                uint64_t held = (uint64_t)samples;
                int any = 0;
                if (!rule->graph_full)
                    lemica_profiler_edge_stats(profiler, i, j, &held, NULL, NULL,
                                               NULL, NULL);
                if (held == 0)
                    continue;
                for (uint64_t s = 0; s < held; s++)
                    any += weight[s];
                for (uint64_t s = 0; s < held; s++)
                    for (int w = 0; w < (any ? weight[s] : 1); w++)
                        bench_check(lemica_profiler_add_error(
                                        resampled, i, j,
                                        data_sample(d, (int)s)[data_slot(d, i, j)]),
                                    "add");
            }
        bench_check(lemica_profiler_to_graph(resampled, LEMICA_AGGREGATE_MEAN, 0, 0,
                                             &graph),
                    "graph");
        for (int b = 0; b < NUM_BUDGETS; b++) {
            lemica_schedule *schedule = NULL;
            bench_check(lemica_solver_solve(solver, graph, budgets[b], &schedule),
                        "solve");
            bag_add(bag, b, schedule, 1);
        }
        lemica_graph_free(graph);
        lemica_profiler_free(resampled);
    }
    lemica_solver_free(solver);
}

int
bag_vote(const struct bag *bag, int b)
{
    int best = 0;

    for (int c = 1; c < bag->count[b]; c++)
        if (bag->votes[b][c] > bag->votes[b][best])
            best = c;
    return best;
}

void
bag_free(struct bag *bag)
{
    for (int b = 0; b < NUM_BUDGETS; b++)
        for (int c = 0; c < bag->count[b]; c++)
            lemica_schedule_free(bag->schedules[b][c]);
    memset(bag, 0, sizeof(*bag));
}
