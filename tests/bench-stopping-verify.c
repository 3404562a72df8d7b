/* SPDX-License-Identifier: MIT */
/* bench-stopping: stop, then verify (issue 14, point 4): every budget's
 * plan at the stop and its candidates run whole through lemica_verifier. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench-stopping-int.h"

/* The unseen seeds a verification may use: never profiling or held-out
 * ones, distinct per order (and per order set). */
static uint64_t
fresh_seed(int order, int index)
{
    return 50000000u + (orders_seed % 1000u) * 100000u + (uint64_t)balanced * 50000u +
           (uint64_t)order * 100u + (uint64_t)index;
}

static void
add_k_best(lemica_verifier *verifier, lemica_solver *solver, const lemica_graph *graph,
           lemica_comparator comparator, int budget, int count)
{
    lemica_schedule_list *list = NULL;

    if (count <= 0)
        return;
    bench_check(lemica_solver_set_comparator(solver, comparator), "comparator");
    bench_check(lemica_solver_solve_k_best(solver, graph, budget, count, &list),
                "k best");
    for (size_t i = 0; i < lemica_schedule_list_count(list); i++) {
        const lemica_schedule *schedule;
        bench_check(lemica_schedule_list_get(list, i, &schedule), "list");
        bench_check(lemica_verifier_add_candidate(verifier, schedule, NULL),
                    "candidate");
    }
    lemica_schedule_list_free(list);
}

/* Bagging with a vote: replaces @plans[b] with the schedule most
 * resamples chose (no model calls); BENCH_VERIFY_ORACLE: the best of the
 * bagged candidates. */
static void
vote_plans(struct evaluator *ev, const double *reference, const struct bag *bag,
           lemica_schedule **plans, struct outcome *out)
{
    out->calls = out->prefix_calls = 0.0;
    out->changed = 0;
    for (int b = 0; b < NUM_BUDGETS; b++) {
        int best = bag_vote(bag, b);

        out->oracle[b] = 0.0;
        if (getenv("BENCH_VERIFY_ORACLE")) {
            out->oracle[b] = 1e300;
            for (int c = 0; c < bag->count[b]; c++) {
                double ratio = held_out_error(ev, bag->schedules[b][c]) / reference[b];
                out->oracle[b] = ratio < out->oracle[b] ? ratio : out->oracle[b];
                if (verbose > 1)
                    printf("      B=%d cand %d%s votes %d held-out %+6.1f%%\n",
                           budgets[b], c, c == best ? " *" : "  ",
                           bag->votes[b][c], 100.0 * (ratio - 1.0));
            }
        }
        out->changed += best != 0;
        lemica_schedule_free(plans[b]);
        plans[b] = NULL;
        bench_check(lemica_schedule_copy(bag->schedules[b][best], &plans[b]), "copy");
    }
}

/* Stop, then verify: replaces @plans[b] with each budget's verified
 * choice, as an engine would make it through lemica_verifier. @order maps
 * the shuffled samples to the protocol's (for their seeds). */
void
verify_plans(struct evaluator *ev, const double *reference, struct runner *rn,
             const struct profile_data *d, const int *order,
             int order_index, int samples, const struct rule *rule,
             const lemica_profiler *profiler, lemica_schedule **plans,
             struct outcome *out)
{
    size_t num_profiling = rule->no_profiling ? 0 : (size_t)samples;
    size_t count = num_profiling + (size_t)rule->fresh;
    int classes[64];
    uint64_t seeds[64];
    double errors[64];
    lemica_verifier *verifier = NULL;
    lemica_solver *solver = NULL;
    lemica_graph *graph = NULL;
    size_t first[NUM_BUDGETS];
    struct bag bag;
    int bagging = rule->bag > 0 || rule->bag_loo;

    if (bagging)
        bag_build(&bag, d, profiler, samples, order_index, rule, plans);
    if (bagging && rule->bag_vote) {
        vote_plans(ev, reference, &bag, plans, out);
        bag_free(&bag);
        return;
    }
    if (count < 1 || count > 64) {
        fprintf(stderr, "bench-stopping: %zu verification samples\n", count);
        exit(2);
    }
    for (size_t s = 0; s < count; s++) {
        if (s < num_profiling) {
            struct testbed_sample_id id = sample_id(rn->net, order[s]);
            classes[s] = id.class_id;
            seeds[s] = id.seed;
        } else {
            int f = (int)(s - num_profiling);
            classes[s] = (order_index * 3 + f) % rn->net->num_classes;
            seeds[s] = fresh_seed(order_index, f);
        }
    }
    if (rule->graph_full) {
        lemica_profiler *all = NULL;
        bench_check(lemica_profiler_new(d->n, d->k, LEMICA_METRIC_L1, &all), "p");
        for (int i = 0; i < d->n - 2; i++)
            for (int j = i + 2; j <= d->n - 1; j++)
                bench_check(lemica_test_add_samples(all, d, i, j, 0,
                                                    (uint64_t)samples),
                            "samples");
        bench_check(lemica_profiler_to_graph(all, LEMICA_AGGREGATE_MEAN, 0, 0, &graph),
                    "graph");
        lemica_profiler_free(all);
    } else
        bench_check(lemica_profiler_to_graph(profiler, LEMICA_AGGREGATE_MEAN, 0, 0,
                                             &graph),
                    "graph");
    bench_check(lemica_solver_new(&solver), "solver");
    bench_check(lemica_verifier_new(count, &verifier), "verifier");
    bench_check(lemica_verifier_set_significance(verifier, rule->verify_z), "z");
    for (int b = 0; b < NUM_BUDGETS; b++) {
        /* the plan first: the paired test keeps it, ties go to it */
        bench_check(lemica_verifier_add_candidate(verifier, plans[b], &first[b]),
                    "plan");
        for (int c = 1; bagging && c < bag.count[b]; c++)
            if (bag.votes[b][c] >= rule->bag_min_votes)
                bench_check(lemica_verifier_add_candidate(
                                verifier, bag.schedules[b][c], NULL),
                            "bagged");
        add_k_best(verifier, solver, graph, LEMICA_COMPARATOR_LEXMAX, budgets[b],
                   rule->verify_k);
        add_k_best(verifier, solver, graph, LEMICA_COMPARATOR_SUM, budgets[b],
                   rule->sum_k);
    }
    for (size_t c = 0; c < lemica_verifier_num_candidates(verifier); c++) {
        const lemica_schedule *schedule;
        bench_check(lemica_verifier_candidate(verifier, c, &schedule), "candidate");
        runner_errors(rn, schedule, count, classes, seeds, errors);
        for (size_t s = 0; s < count; s++)
            bench_check(lemica_verifier_report_error(verifier, c, s, errors[s]),
                        "report");
    }
    out->calls = (double)lemica_verifier_model_calls(verifier) +
                 (double)rule->fresh * NUM_STEPS;
    out->prefix_calls = (double)lemica_verifier_prefix_model_calls(verifier) +
                        (double)rule->fresh * NUM_STEPS;
    out->changed = 0;
    for (int b = 0; b < NUM_BUDGETS; b++) {
        size_t best;
        const lemica_schedule *schedule;
        bench_check(lemica_verifier_best_of_budget(verifier, budgets[b], &best),
                    "best");
        bench_check(lemica_verifier_candidate(verifier, best, &schedule), "best");
        out->changed += best != first[b];
        out->oracle[b] = 0.0;
        if (getenv("BENCH_VERIFY_ORACLE")) {
            size_t end = b + 1 < NUM_BUDGETS ? first[b + 1]
                                             : lemica_verifier_num_candidates(verifier);
            out->oracle[b] = 1e300;
            for (size_t c = first[b]; c < end; c++) {
                const lemica_schedule *candidate;
                double ratio, score;
                bench_check(lemica_verifier_candidate(verifier, c, &candidate), "c");
                bench_check(lemica_verifier_score(verifier, c, &score), "score");
                ratio = held_out_error(ev, candidate) / reference[b];
                out->oracle[b] = ratio < out->oracle[b] ? ratio : out->oracle[b];
                if (verbose > 1)
                    printf("      order %d B=%d cand %zu%s score %.4e held-out %+6.1f%%\n",
                           order_index, budgets[b], c - first[b],
                           c == best ? " *" : "  ", score, 100.0 * (ratio - 1.0));
            }
        }
        lemica_schedule_free(plans[b]);
        plans[b] = NULL;
        bench_check(lemica_schedule_copy(schedule, &plans[b]), "copy");
    }
    lemica_verifier_free(verifier);
    lemica_solver_free(solver);
    lemica_graph_free(graph);
    if (bagging)
        bag_free(&bag);
}
