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
 * Prints one table; the docs quote it. --model dit runs the same check
 * on the trained DiT (guidance 3, output reuse, the demo's 4 profiling
 * and 64 held-out samples) through the test bed's model interface.
 * Public API and test bed only. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lemica/lemica.h>

#include "gmm-model.h"
#include "net.h"
#include "profile.h"
#include "sampler.h"

#ifndef TESTBED_DATA_DIR
#define TESTBED_DATA_DIR "examples/testbed"
#endif

#define SOURCE_STEPS 50
#define SOURCE_SHIFT 3.0
#define MAX_STEPS 64
#define EVAL_SEED_BASE 2000000u
/* The DiT as the demo runs it: guidance 3, a batch over 2 threads, at most
 * 1024 replays per network call while profiling (memory). */
#define DIT_GUIDANCE 3.0
#define DIT_THREADS 2
#define DIT_PROFILE_BATCH 1024

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

/* The mean-error graph of @net profiled fully (every segment) on the grid
 * of @num_steps steps at @times, as demo.c's full profiling does it: the
 * reference passes, then every replay of the plan, @max_batch replays per
 * network call (0: all of a group). */
static int
profile_graph(struct testbed_net *net, int num_steps, const double *times,
              const struct testbed_sample_id *samples, size_t num_samples,
              size_t max_batch, lemica_graph **out)
{
    struct testbed_batch settings = testbed_batch_output(net, num_steps, times);
    struct testbed_reference reference;
    lemica_plan *plan = NULL;
    lemica_profiler *profiler = NULL;
    int recorded = 0, rc = -1;

    if (testbed_reference_record(&settings, samples, num_samples,
                                 &reference) != 0) {
        fprintf(stderr, "lemica-transfer-check: the reference passes failed\n");
        return -1;
    }
    recorded = 1;
    if (check(lemica_plan_new(num_steps, num_steps - 1, &plan),
              "lemica_plan_new") ||
        check(lemica_profiler_new(num_steps, num_steps - 1, LEMICA_METRIC_L1,
                                  &profiler),
              "lemica_profiler_new") ||
        check(testbed_profile_replays(&settings, plan, &reference, max_batch,
                                      profiler, NULL),
              "profiling") ||
        check(lemica_profiler_to_graph(profiler, LEMICA_AGGREGATE_MEAN, 0.0, 1,
                                       out),
              "lemica_profiler_to_graph"))
        goto out;
    rc = 0;
out:
    if (recorded)
        testbed_reference_free(&reference);
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

/* The held-out samples: their classes and seeds, and a buffer for one
 * batch of final samples. */
struct held_out {
    size_t count;
    int *classes;
    uint64_t *seeds;
    double *outputs; /* count * pixels */
};

/* Sample every held-out seed on the grid, computing where @schedule says
 * (NULL: at every step), into held->outputs. Returns 0 or -1. */
static int
sample_held_out(struct testbed_net *net, int num_steps, const double *times,
                const lemica_schedule *schedule, struct held_out *held)
{
    struct testbed_batch batch = testbed_batch_output(net, num_steps, times);
    unsigned char mask[MAX_STEPS];

    batch.count = held->count;
    batch.classes = held->classes;
    if (schedule) {
        if (testbed_schedule_mask(schedule, mask) != 0)
            return -1;
        batch.decide = testbed_decide_mask;
        batch.decide_context = mask;
    }
    if (testbed_batch_sample(&batch, held->seeds, held->outputs) != 0) {
        fprintf(stderr, "lemica-transfer-check: sampling failed\n");
        return -1;
    }
    return 0;
}

/* Mean L1 over the held-out samples against the uncached references. */
static int
held_out_error(struct testbed_net *net, int num_steps, const double *times,
               const lemica_schedule *schedule, struct held_out *held,
               const double *references, double *mean)
{
    size_t pixels = (size_t)net->pixels;
    double sum = 0.0;

    if (sample_held_out(net, num_steps, times, schedule, held) != 0)
        return -1;
    for (size_t s = 0; s < held->count; s++) {
        double l1;

        if (check(lemica_metric_compute(LEMICA_METRIC_L1,
                                        held->outputs + s * pixels,
                                        references + s * pixels, pixels,
                                        LEMICA_DTYPE_F64, &l1),
                  "lemica_metric_compute"))
            return -1;
        sum += l1;
    }
    *mean = sum / (double)held->count;
    return 0;
}

static void
usage(FILE *out)
{
    fprintf(out,
            "usage: lemica-transfer-check [--model gmm|dit] [--quick]\n"
            "  --model gmm|dit  the closed-form Gaussian mixture (default) or\n"
            "                   the trained DiT (guidance 3, output reuse)\n"
            "  --quick          few samples, for the test suite\n");
}

int
main(int argc, char **argv)
{
    int use_dit = 0, quick = 0;
    testbed_model *gmm = NULL;
    struct testbed_net *net = NULL;
    struct testbed_sample_id *profile_samples = NULL;
    struct held_out held = {0};
    double *references = NULL;
    double source_times[SOURCE_STEPS + 1];
    lemica_graph *source_graph = NULL;
    lemica_solver *solver = NULL;
    size_t num_profile, num_eval, pixels, max_batch;
    int num_classes;
    double worst_ratio = 0.0;
    int rc = 1;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quick") == 0) {
            quick = 1;
        } else if (strcmp(argv[i], "--model") == 0 && i + 1 < argc &&
                   (strcmp(argv[i + 1], "gmm") == 0 ||
                    strcmp(argv[i + 1], "dit") == 0)) {
            use_dit = strcmp(argv[++i], "dit") == 0;
        } else if (strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 0;
        } else {
            usage(stderr);
            return 2;
        }
    }
    if (use_dit) {
        char error[256];

        if (testbed_net_new_dit(TESTBED_DATA_DIR "/dit-digits.bin",
                                TESTBED_DATA_DIR "/digits-classifier.bin",
                                DIT_GUIDANCE, DIT_THREADS, &net, error,
                                sizeof(error)) != 0) {
            fprintf(stderr, "lemica-transfer-check: cannot load the DiT: %s\n",
                    error);
            return 1;
        }
        /* The demo's protocol: a few profiling samples spread over the
         * classes, held-out samples cycling through them. */
        num_profile = quick ? 2 : 4;
        num_eval = quick ? 8 : 64;
        max_batch = DIT_PROFILE_BATCH;
    } else {
        if (testbed_model_new(64, 0.1, &gmm) != 0 ||
            testbed_net_new_gmm(gmm, &net) != 0) {
            fprintf(stderr, "lemica-transfer-check: cannot build the model\n");
            goto out;
        }
        /* Profiling and held-out seeds per class. */
        num_profile = (size_t)(quick ? 1 : 2) * (size_t)net->num_classes;
        num_eval = (size_t)(quick ? 2 : 16) * (size_t)net->num_classes;
        max_batch = 0;
    }
    num_classes = net->num_classes;
    pixels = (size_t)net->pixels;
    profile_samples = calloc(num_profile, sizeof(*profile_samples));
    held.count = num_eval;
    held.classes = calloc(num_eval, sizeof(int));
    held.seeds = calloc(num_eval, sizeof(uint64_t));
    held.outputs = calloc(num_eval * pixels, sizeof(double));
    references = calloc(num_eval * pixels, sizeof(double));
    if (!profile_samples || !held.classes || !held.seeds || !held.outputs ||
        !references) {
        fprintf(stderr, "lemica-transfer-check: out of memory\n");
        goto out;
    }
    for (size_t s = 0; s < num_profile; s++) {
        if (use_dit) {
            profile_samples[s].class_id =
                num_profile < (size_t)num_classes
                    ? (int)(s * (size_t)num_classes / num_profile)
                    : (int)(s % (size_t)num_classes);
            profile_samples[s].seed = s;
        } else {
            profile_samples[s].class_id = (int)(s % (size_t)num_classes);
            profile_samples[s].seed = s / (size_t)num_classes;
        }
    }
    for (size_t s = 0; s < num_eval; s++) {
        held.classes[s] = (int)(s % (size_t)num_classes);
        held.seeds[s] = EVAL_SEED_BASE +
                        (use_dit ? s : s / (size_t)num_classes);
    }
    if (check(lemica_solver_new(&solver), "lemica_solver_new"))
        goto out;

    testbed_time_grid(SOURCE_STEPS, SOURCE_SHIFT, source_times);
    if (profile_graph(net, SOURCE_STEPS, source_times, profile_samples,
                      num_profile, max_batch, &source_graph))
        goto out;

    printf("Transfer on the test bed (%s): profiled at N = %d, shift %g "
           "(%zu profiling samples); held-out mean L1 over %zu samples at "
           "equal calls\n\n",
           use_dit ? "the trained DiT, guidance 3, output reuse"
                   : "the Gaussian mixture",
           SOURCE_STEPS, SOURCE_SHIFT, num_profile, num_eval);
    printf("| target grid | calls | direct | transferred | untransferred | "
           "uniform | transferred / direct |\n");
    printf("|---|---|---|---|---|---|---|\n");
    fflush(stdout);
    for (size_t t = 0; t < NUM_TARGETS; t++) {
        const struct target *target = &targets[t];
        int num_steps = target->num_steps;
        double times[MAX_STEPS + 1];
        lemica_graph *direct = NULL, *transferred = NULL;
        int last_budget = 0;

        testbed_time_grid(num_steps, target->shift, times);
        if (sample_held_out(net, num_steps, times, NULL, &held) != 0)
            goto out;
        memcpy(references, held.outputs, num_eval * pixels * sizeof(double));
        if (profile_graph(net, num_steps, times, profile_samples, num_profile,
                          max_batch, &direct) ||
            check(lemica_graph_transfer(source_graph, source_times,
                                        SOURCE_STEPS + 1, times,
                                        (size_t)num_steps + 1, &transferred),
                  "lemica_graph_transfer")) {
            lemica_graph_free(direct);
            goto out;
        }
        for (size_t b = 0; b < NUM_BUDGETS; b++) {
            int budget = (int)lround(budget_fractions[b] * num_steps);
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
                    failed |= stretch_plan(source_plan, source_times, num_steps,
                                           times, &plans[PLAN_UNTRANSFERRED]);
                lemica_schedule_free(source_plan);
            }
            if (!failed)
                failed |= check(testbed_uniform_schedule(num_steps, budget,
                                                         &plans[PLAN_UNIFORM]),
                                "uniform plan");
            for (int p = 0; p < NUM_PLANS && !failed; p++)
                failed |= held_out_error(net, num_steps, times, plans[p], &held,
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
                   num_steps, target->shift, budget, errors[PLAN_DIRECT],
                   errors[PLAN_TRANSFERRED], errors[PLAN_UNTRANSFERRED],
                   errors[PLAN_UNIFORM],
                   errors[PLAN_TRANSFERRED] / errors[PLAN_DIRECT]);
            fflush(stdout);
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
    testbed_net_free(net);
    testbed_model_free(gmm);
    free(references);
    free(held.outputs);
    free(held.seeds);
    free(held.classes);
    free(profile_samples);
    return rc;
}
