/* SPDX-License-Identifier: MIT */
/*
 * Verified plans on the built-in test bed (examples/testbed, used read-only
 * through its public functions, as any engine would): profile the
 * closed-form mixture model as the demo does, then for each budget run a
 * few candidate schedules (the k best by LEXMAX and by SUM, the
 * LEXMAX-optimal one first) on the profiling samples with lemica_verifier,
 * keep the one with the smallest mean L1 there, and compare it on held-out
 * seeds with LeMiCa (LEXMAX) and the shortest path (SUM).
 *
 * Settings are the demo's defaults: N = 50, every segment profiled, 8
 * profiling seeds and 32 evaluation seeds per class, 4 classes.
 *
 *   bench-verified [K [AGGREGATE [Z]]]  K best per comparator (default 3);
 *                                       mean (default), max or z1 (mean +
 *                                       std); Z: significance (default 0)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lemica/lemica.h>

#include "gmm-model.h"
#include "profile.h"
#include "sampler.h"

#define NUM_STEPS 50
#define PROFILE_SEEDS 8
#define EVAL_SEEDS 32
#define EVAL_SEED_BASE 1000000u

static void
check(lemica_status status, const char *what)
{
    if (status != LEMICA_OK) {
        fprintf(stderr, "bench-verified: %s: %s (%s)\n", what,
                lemica_status_name(status), lemica_last_error_message());
        exit(1);
    }
}

/* Mean L1 of @schedule (NULL: uncached) against @reference over samples. */
static double
mean_l1(struct testbed_run *run, const lemica_schedule *schedule,
        const struct testbed_sample_id *samples, size_t count,
        const double *reference)
{
    double sum = 0.0, x0[TESTBED_PIXELS];

    for (size_t s = 0; s < count; s++) {
        struct testbed_run pass = *run;
        double l1;

        pass.class_id = samples[s].class_id;
        if (testbed_sample_schedule(&pass, schedule, samples[s].seed, x0) != 0)
            exit(1);
        check(lemica_metric_compute(LEMICA_METRIC_L1, x0,
                                    reference + s * TESTBED_PIXELS,
                                    TESTBED_PIXELS, LEMICA_DTYPE_F64, &l1),
              "metric");
        sum += l1;
    }
    return sum / (double)count;
}

static void
references(struct testbed_run *run, const struct testbed_sample_id *samples,
           size_t count, double *out)
{
    for (size_t s = 0; s < count; s++) {
        struct testbed_run pass = *run;

        pass.class_id = samples[s].class_id;
        if (testbed_sample(&pass, samples[s].seed, out + s * TESTBED_PIXELS) !=
            0)
            exit(1);
    }
}

int
main(int argc, char **argv)
{
    static const int budgets[] = {10, 14, 17, 20, 25};
    const int k = argc > 1 ? atoi(argv[1]) : 3;
    const char *aggregate_name = argc > 2 ? argv[2] : "mean";
    const lemica_aggregate aggregate =
        strcmp(aggregate_name, "max") == 0  ? LEMICA_AGGREGATE_MAX
        : strcmp(aggregate_name, "z1") == 0 ? LEMICA_AGGREGATE_MEAN_PLUS_Z_STD
                                            : LEMICA_AGGREGATE_MEAN;
    const double significance = argc > 3 ? atof(argv[3]) : 0.0;
    const size_t num_profile = PROFILE_SEEDS * TESTBED_NUM_CLASSES;
    const size_t num_eval = EVAL_SEEDS * TESTBED_NUM_CLASSES;
    struct testbed_sample_id profile_samples[PROFILE_SEEDS * TESTBED_NUM_CLASSES];
    struct testbed_sample_id eval_samples[EVAL_SEEDS * TESTBED_NUM_CLASSES];
    double times[NUM_STEPS + 1];
    double *profile_reference, *eval_reference;
    testbed_model *model;
    struct testbed_run run;
    lemica_plan *plan;
    lemica_profiler *profiler;
    lemica_graph *graph;
    lemica_solver *solver;
    unsigned long long profiling_calls;
    size_t total_extra = 0;
    int wins = 0;

    if (k < 1)
        return 2;
    if (testbed_model_new(64, 0.1, &model) != 0)
        return 1;
    testbed_time_grid(NUM_STEPS, 3.0, times);
    memset(&run, 0, sizeof(run));
    run.model = model;
    run.num_steps = NUM_STEPS;
    run.times = times;
    for (size_t i = 0; i < num_profile; i++) {
        profile_samples[i].class_id = (int)(i % TESTBED_NUM_CLASSES);
        profile_samples[i].seed = i / TESTBED_NUM_CLASSES;
    }
    for (size_t i = 0; i < num_eval; i++) {
        eval_samples[i].class_id = (int)(i % TESTBED_NUM_CLASSES);
        eval_samples[i].seed = EVAL_SEED_BASE + i / TESTBED_NUM_CLASSES;
    }

    /* Profiling, exactly as the demo does it. */
    check(lemica_plan_new(NUM_STEPS, NUM_STEPS - 1, &plan), "plan");
    check(lemica_profiler_new(NUM_STEPS, NUM_STEPS - 1, LEMICA_METRIC_L1, &profiler),
          "profiler");
    check(testbed_profile(&run, plan, profile_samples, num_profile, profiler,
                          NULL),
          "profiling");
    check(lemica_profiler_to_graph(profiler, LEMICA_AGGREGATE_MEAN, 0.0, 1,
                                   &graph),
          "graph");
    profiling_calls = lemica_plan_model_calls(plan) * num_profile;

    /* The full passes: the profiling samples' were made while profiling
     * (an engine keeps them); the held-out ones score every method. */
    profile_reference = malloc(num_profile * TESTBED_PIXELS * sizeof(double));
    eval_reference = malloc(num_eval * TESTBED_PIXELS * sizeof(double));
    if (!profile_reference || !eval_reference)
        return 1;
    references(&run, profile_samples, num_profile, profile_reference);
    references(&run, eval_samples, num_eval, eval_reference);

    check(lemica_solver_new(&solver), "solver");
    printf("## Verified plans on the GMM test bed: N = %d, %zu profiling "
           "samples, %zu held-out, candidates: the %d best by LEXMAX and by "
           "SUM, chosen by the %s L1, significance z = %g\n\n",
           NUM_STEPS, num_profile, num_eval, k, aggregate_name, significance);
    printf("Full profiling: %llu model calls (%llu per sample).\n\n",
           profiling_calls, profiling_calls / num_profile);
    printf("| B | LeMiCa (LEXMAX) | Shortest path (SUM) | LeMiCa, verified | "
           "picked | candidates | extra calls | of profiling |\n");
    printf("|---|---|---|---|---|---|---|---|\n");
    for (size_t b = 0; b < sizeof(budgets) / sizeof(budgets[0]); b++) {
        const int budget = budgets[b];
        lemica_verifier *verifier;
        lemica_schedule *best_of[2];
        const lemica_schedule *picked;
        double held_out[3], floor_l1;
        size_t chosen;
        char label[32];

        check(lemica_verifier_new(num_profile, &verifier), "verifier");
        check(lemica_verifier_set_aggregate(verifier, aggregate, 1.0),
              "aggregate");
        check(lemica_verifier_set_significance(verifier, significance),
              "significance");
        /* LEXMAX-optimal first (ties keep it), then the k best of each. */
        for (int c = 0; c < 2; c++) {
            lemica_schedule_list *list;

            check(lemica_solver_set_comparator(
                      solver, c == 0 ? LEMICA_COMPARATOR_LEXMAX
                                     : LEMICA_COMPARATOR_SUM),
                  "comparator");
            check(lemica_solver_solve(solver, graph, budget, &best_of[c]),
                  "solve");
            check(lemica_solver_solve_k_best(solver, graph, budget, k, &list),
                  "k best");
            if (c == 0)
                check(lemica_verifier_add_candidate(verifier, best_of[0], NULL),
                      "candidate");
            for (size_t i = 0; i < lemica_schedule_list_count(list); i++) {
                const lemica_schedule *schedule;

                check(lemica_schedule_list_get(list, i, &schedule), "get");
                check(lemica_verifier_add_candidate(verifier, schedule, NULL),
                      "candidate");
            }
            lemica_schedule_list_free(list);
        }
        /* The engine's part: every run, reported by its final sample. */
        for (size_t r = 0; r < lemica_verifier_num_runs(verifier); r++) {
            size_t candidate, sample;
            const lemica_schedule *schedule;
            struct testbed_run pass = run;
            double x0[TESTBED_PIXELS];

            check(lemica_verifier_run(verifier, r, &candidate, &sample), "run");
            check(lemica_verifier_candidate(verifier, candidate, &schedule),
                  "candidate");
            pass.class_id = profile_samples[sample].class_id;
            if (testbed_sample_schedule(&pass, schedule,
                                        profile_samples[sample].seed, x0) != 0)
                return 1;
            check(lemica_verifier_report_buffers(
                      verifier, candidate, sample, x0,
                      profile_reference + sample * TESTBED_PIXELS,
                      TESTBED_PIXELS, LEMICA_DTYPE_F64),
                  "report");
        }
        check(lemica_verifier_best(verifier, &chosen), "best");
        check(lemica_verifier_candidate(verifier, chosen, &picked), "picked");
        held_out[0] = mean_l1(&run, best_of[0], eval_samples, num_eval,
                              eval_reference);
        held_out[1] = mean_l1(&run, best_of[1], eval_samples, num_eval,
                              eval_reference);
        held_out[2] = mean_l1(&run, picked, eval_samples, num_eval,
                              eval_reference);
        floor_l1 = fmin(held_out[0], held_out[1]);
        wins += held_out[2] <= floor_l1;
        total_extra += lemica_verifier_model_calls(verifier);
        snprintf(label, sizeof(label), "#%zu of %zu", chosen,
                 lemica_verifier_num_candidates(verifier));
        printf("| %d | %.6f | %.6f | %.6f%s | %s | %zu | %zu | %.2f%% |\n",
               budget, held_out[0], held_out[1], held_out[2],
               held_out[2] <= floor_l1 ? "" : " (above min)", label,
               lemica_verifier_num_candidates(verifier),
               lemica_verifier_model_calls(verifier),
               100.0 * (double)lemica_verifier_model_calls(verifier) /
                   (double)profiling_calls);
        lemica_schedule_free(best_of[0]);
        lemica_schedule_free(best_of[1]);
        lemica_verifier_free(verifier);
    }
    printf("\nVerified <= min(LeMiCa, shortest path) at %d of 5 budgets; all "
           "five verifications together: %zu extra calls, %.2f%% of "
           "profiling.\n",
           wins, total_extra,
           100.0 * (double)total_extra / (double)profiling_calls);
    lemica_solver_free(solver);
    lemica_graph_free(graph);
    lemica_profiler_free(profiler);
    lemica_plan_free(plan);
    free(profile_reference);
    free(eval_reference);
    testbed_model_free(model);
    return 0;
}
