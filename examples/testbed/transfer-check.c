/* SPDX-License-Identifier: MIT */
/* lemica-transfer-check: how well a graph transferred to another step
 * grid plans, on the built-in test bed. Profile once at N = 50 on the
 * shift-3 grid; then for other step counts (20, 25, 30, 40) and other
 * shifts (1.5, 6) compare, on held-out seeds at equal model calls:
 *   direct       the plan from profiling the target grid itself,
 *   transferred  the plan from lemica_graph_transfer() of the N = 50 graph,
 *   untransferred the N = 50 plan run as is (same N), or its computed
 *                steps moved to the nearest target times (other N) — what
 *                a stretched preset does,
 *   uniform      evenly spaced calls.
 * Prints one table; the docs quote it. Public API and test bed only. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lemica/lemica.h>

#include "gmm-model.h"
#include "profile.h"
#include "sampler.h"

#define SOURCE_STEPS 50
#define SOURCE_SHIFT 3.0
#define MAX_STEPS 64
#define EVAL_SEED_BASE 2000000u

static const double budget_fractions[] = {0.2, 0.28, 0.34, 0.4, 0.5};
#define NUM_BUDGETS (sizeof(budget_fractions) / sizeof(budget_fractions[0]))

struct target {
    int num_steps;
    double shift;
};

static const struct target targets[] = {
    {20, 3.0}, {25, 3.0}, {30, 3.0}, {40, 3.0}, {50, 1.5}, {50, 6.0},
};
#define NUM_TARGETS (sizeof(targets) / sizeof(targets[0]))

enum plan_kind { PLAN_DIRECT, PLAN_TRANSFERRED, PLAN_UNTRANSFERRED, PLAN_UNIFORM, NUM_PLANS };

static int
check(lemica_status status, const char *what)
{
    if (status != LEMICA_OK) {
        fprintf(stderr, "lemica-transfer-check: %s: %s (%s)\n", what,
                lemica_strerror(status), lemica_last_error_message());
        return -1;
    }
    return 0;
}

/* The mean-error graph of the test bed profiled fully on @run's grid. */
static int
profile_graph(const struct testbed_run *run, const struct testbed_sample_id *samples,
              size_t num_samples, lemica_graph **out)
{
    lemica_plan *plan = NULL;
    lemica_profiler *profiler = NULL;
    int rc = -1;

    if (check(lemica_plan_new(run->num_steps, run->num_steps - 1, &plan),
              "lemica_plan_new") ||
        check(lemica_profiler_new(run->num_steps, run->num_steps - 1,
                                  LEMICA_METRIC_L1, &profiler),
              "lemica_profiler_new") ||
        check(testbed_profile(run, plan, samples, num_samples, profiler, NULL),
              "profiling") ||
        check(lemica_profiler_to_graph(profiler, LEMICA_AGGREGATE_MEAN, 0.0, 1,
                                       out),
              "lemica_profiler_to_graph"))
        goto out;
    rc = 0;
out:
    lemica_profiler_free(profiler);
    lemica_plan_free(plan);
    return rc;
}

/* The source plan's computed steps moved to the target steps nearest in
 * time, each to a distinct step (the next free one when taken), so the
 * calls stay the same. */
static int
stretch_plan(const lemica_schedule *source, const double *source_times,
             int target_steps, const double *target_times, lemica_schedule **out)
{
    int source_steps[MAX_STEPS], steps[MAX_STEPS], used[MAX_STEPS] = {0};
    int budget = lemica_schedule_budget(source);

    if (check(lemica_schedule_steps(source, source_steps, MAX_STEPS, NULL),
              "lemica_schedule_steps"))
        return -1;
    /* The first and the last step are always computed. */
    used[0] = used[target_steps - 1] = 1;
    for (int k = 1; k + 1 < budget; k++) {
        int step = source_steps[k], best = 1;

        for (int t = 2; t < target_steps - 1; t++)
            if (fabs(target_times[t] - source_times[step]) <
                fabs(target_times[best] - source_times[step]))
                best = t;
        for (int offset = 0; offset < target_steps; offset++) {
            if (best + offset < target_steps && !used[best + offset]) {
                best += offset;
                break;
            }
            if (best - offset >= 0 && !used[best - offset]) {
                best -= offset;
                break;
            }
        }
        used[best] = 1;
    }
    budget = 0;
    for (int t = 0; t < target_steps; t++)
        if (used[t])
            steps[budget++] = t;
    return check(lemica_schedule_new_from_steps(target_steps, steps,
                                                (size_t)budget, out),
                 "stretched schedule");
}

/* Mean L1 over the held-out samples against the uncached references. */
static int
held_out_error(const struct testbed_run *run, const lemica_schedule *schedule,
               const struct testbed_sample_id *samples, size_t num_samples,
               const double *references, double *mean)
{
    double x0[TESTBED_PIXELS], sum = 0.0;

    for (size_t s = 0; s < num_samples; s++) {
        struct testbed_run pass = *run;
        double l1;

        pass.class_id = samples[s].class_id;
        if (testbed_sample_schedule(&pass, schedule, samples[s].seed, x0) != 0 ||
            check(lemica_metric_compute(LEMICA_METRIC_L1, x0,
                                        references + s * TESTBED_PIXELS,
                                        TESTBED_PIXELS, LEMICA_DTYPE_F64, &l1),
                  "lemica_metric_compute"))
            return -1;
        sum += l1;
    }
    *mean = sum / (double)num_samples;
    return 0;
}

int
main(int argc, char **argv)
{
    int profile_seeds = 2, eval_seeds = 16;
    testbed_model *model = NULL;
    struct testbed_sample_id *profile_samples = NULL, *eval_samples = NULL;
    double *references = NULL;
    double source_times[SOURCE_STEPS + 1];
    lemica_graph *source_graph = NULL;
    lemica_solver *solver = NULL;
    size_t num_profile, num_eval;
    double worst_ratio = 0.0;
    int rc = 1;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quick") == 0) {
            profile_seeds = 1;
            eval_seeds = 2;
        } else {
            fprintf(stderr, "usage: lemica-transfer-check [--quick]\n");
            return 2;
        }
    }
    num_profile = (size_t)profile_seeds * TESTBED_NUM_CLASSES;
    num_eval = (size_t)eval_seeds * TESTBED_NUM_CLASSES;
    profile_samples = calloc(num_profile, sizeof(*profile_samples));
    eval_samples = calloc(num_eval, sizeof(*eval_samples));
    references = calloc(num_eval * TESTBED_PIXELS, sizeof(double));
    if (!profile_samples || !eval_samples || !references ||
        testbed_model_new(64, 0.1, &model) != 0) {
        fprintf(stderr, "lemica-transfer-check: out of memory\n");
        goto out;
    }
    for (size_t s = 0; s < num_profile; s++) {
        profile_samples[s].class_id = (int)(s % TESTBED_NUM_CLASSES);
        profile_samples[s].seed = s / TESTBED_NUM_CLASSES;
    }
    for (size_t s = 0; s < num_eval; s++) {
        eval_samples[s].class_id = (int)(s % TESTBED_NUM_CLASSES);
        eval_samples[s].seed = EVAL_SEED_BASE + s / TESTBED_NUM_CLASSES;
    }
    if (check(lemica_solver_new(&solver), "lemica_solver_new"))
        goto out;

    testbed_time_grid(SOURCE_STEPS, SOURCE_SHIFT, source_times);
    {
        struct testbed_run run = {.model = model,
                                  .num_steps = SOURCE_STEPS,
                                  .times = source_times};

        if (profile_graph(&run, profile_samples, num_profile, &source_graph))
            goto out;
    }

    printf("Transfer on the built-in test bed: profiled at N = %d, shift %g "
           "(%zu profiling samples); held-out mean L1 over %zu samples at "
           "equal calls\n\n",
           SOURCE_STEPS, SOURCE_SHIFT, num_profile, num_eval);
    printf("| target grid | calls | direct | transferred | untransferred | "
           "uniform | transferred / direct |\n");
    printf("|---|---|---|---|---|---|---|\n");
    for (size_t t = 0; t < NUM_TARGETS; t++) {
        const struct target *target = &targets[t];
        double times[MAX_STEPS + 1];
        struct testbed_run run = {.model = model,
                                  .num_steps = target->num_steps,
                                  .times = times};
        lemica_graph *direct = NULL, *transferred = NULL;
        int last_budget = 0;

        testbed_time_grid(target->num_steps, target->shift, times);
        for (size_t s = 0; s < num_eval; s++) {
            struct testbed_run pass = run;

            pass.class_id = eval_samples[s].class_id;
            if (testbed_sample(&pass, eval_samples[s].seed,
                               references + s * TESTBED_PIXELS) != 0)
                goto out;
        }
        if (profile_graph(&run, profile_samples, num_profile, &direct) ||
            check(lemica_graph_transfer(source_graph, source_times,
                                        SOURCE_STEPS + 1, times,
                                        (size_t)target->num_steps + 1,
                                        &transferred),
                  "lemica_graph_transfer")) {
            lemica_graph_free(direct);
            goto out;
        }
        for (size_t b = 0; b < NUM_BUDGETS; b++) {
            int budget = (int)lround(budget_fractions[b] * target->num_steps);
            lemica_schedule *plans[NUM_PLANS] = {NULL};
            double errors[NUM_PLANS];
            int failed = 0;

            if (budget < 3 || budget == last_budget)
                continue;
            last_budget = budget;
            failed |= check(lemica_solver_solve(solver, direct, budget,
                                                &plans[PLAN_DIRECT]),
                            "direct plan");
            failed |= check(lemica_solver_solve(solver, transferred, budget,
                                                &plans[PLAN_TRANSFERRED]),
                            "transferred plan");
            if (!failed) {
                lemica_schedule *source_plan = NULL;

                failed |= check(lemica_solver_solve(solver, source_graph,
                                                    budget, &source_plan),
                                "source plan");
                if (!failed)
                    failed |= stretch_plan(source_plan, source_times,
                                           target->num_steps, times,
                                           &plans[PLAN_UNTRANSFERRED]);
                lemica_schedule_free(source_plan);
            }
            if (!failed)
                failed |= check(testbed_uniform_schedule(target->num_steps,
                                                         budget,
                                                         &plans[PLAN_UNIFORM]),
                                "uniform plan");
            for (int p = 0; p < NUM_PLANS && !failed; p++)
                failed |= held_out_error(&run, plans[p], eval_samples, num_eval,
                                         references, &errors[p]);
            for (int p = 0; p < NUM_PLANS; p++)
                lemica_schedule_free(plans[p]);
            if (failed) {
                lemica_graph_free(direct);
                lemica_graph_free(transferred);
                goto out;
            }
            printf("| N = %d, shift %g | %d | %.3e | %.3e | %.3e | %.3e | "
                   "%.2f |\n",
                   target->num_steps, target->shift, budget,
                   errors[PLAN_DIRECT], errors[PLAN_TRANSFERRED],
                   errors[PLAN_UNTRANSFERRED], errors[PLAN_UNIFORM],
                   errors[PLAN_TRANSFERRED] / errors[PLAN_DIRECT]);
            if (errors[PLAN_TRANSFERRED] / errors[PLAN_DIRECT] > worst_ratio)
                worst_ratio = errors[PLAN_TRANSFERRED] / errors[PLAN_DIRECT];
        }
        lemica_graph_free(direct);
        lemica_graph_free(transferred);
    }
    printf("\nworst transferred / direct: %.2f\n", worst_ratio);
    rc = 0;
out:
    lemica_solver_free(solver);
    lemica_graph_free(source_graph);
    testbed_model_free(model);
    free(references);
    free(eval_samples);
    free(profile_samples);
    return rc;
}
