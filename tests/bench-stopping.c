/* SPDX-License-Identifier: MIT */
/* The sample stopping rule on both test beds (issue 14, point 4).
 *
 * A 20-sample protocol, profiled fully once per sample (the per-sample
 * errors of every segment are cached in the working directory,
 * bench-stopping-MODEL-N50-S20.txt, one line per sample, so an
 * interrupted run resumes). Then, for several orders of the samples, the
 * adaptive loop is replayed against those errors for S = 1, 2, ... 20
 * samples, and each stopping rule is asked after each S whether to stop.
 * The plans at the stop are compared with the plans of all 20 samples by
 * their held-out error (mean L1 against uncached sampling on unseen
 * seeds, each distinct schedule sampled once; the errors are kept in
 * bench-stopping-MODEL-N50-evalE-seedSEED.txt in the working directory,
 * so a later run samples only the schedules it has not seen). Prints,
 * per rule: samples at the stop (mean, max) and the held-out error ratio
 * to the 20-sample plans per budget (mean and worst over the orders), and
 * the same for a fixed number of samples.
 *
 * Usage: bench-stopping [--model gmm|dit] [--orders R] [--eval E]
 *                       [--data FILE] [--profile-only] [--verbose]
 *                       [--balanced] [--eval-seed-base SEED]
 *                       [--orders-seed SEED] [--rule SPEC]...
 *
 * --rule (repeatable) replaces the built-in list of rules: fixed:S (the
 * plans of the first S samples), old:W:TOL (lemica_adaptive_num_stable()
 * >= W at stable tolerance TOL), se:MARGIN (the standard-error rule),
 * lib:W:TOL[:se=M][:min=S][:cap=S] (lemica_sample_stop with window W
 * and tolerance TOL; se=M and cap=S set lemica_sample_stop_set_limits(),
 * min=S never stops before S samples).
 *
 * Stop, then verify (issue 14, point 4): options after any rule,
 * :verify=K (the K best LEXMAX schedules of the graph at the stop, with
 * lemica_solver_solve_k_best()), :sum=K (the K best SUM schedules),
 * :fresh=F (also run on F unseen seeds), :prof=0 (not on the profiling
 * samples so far), :z=Z (lemica_verifier_set_significance()),
 * :graph=full (candidates from every segment of the samples so far, not
 * only the ones the loop measured). Every budget's plan at the stop and
 * its candidates go into one lemica_verifier; each candidate is run whole
 * on the verification samples (errors kept across runs in
 * bench-stopping-MODEL-N50-runs.txt) and lemica_verifier_best_of_budget()
 * picks each budget's schedule, which is then evaluated held out like the
 * plans of the other rows. The row adds the verification's model calls
 * (candidates' budgets per sample, plus N per fresh seed for its
 * reference) as a share of the protocol's full profiling (20 samples of
 * 19,650 calls), with shared prefixes run once, and how many budgets
 * changed. BENCH_VERIFY_ORACLE=1 adds the held-out ratio of the best
 * candidate per budget (a perfect choice among them).
 *
 * Bagging at the stop (bench-stopping-bag.c): :bag=R draws R bootstrap
 * resamples of the samples held at the stop (:loo: the leave-one-out
 * subsets instead), plans each from its own means (LEXMAX, every budget,
 * the segments the loop measured, or all with :graph=full), and adds each
 * budget's distinct schedules to the verification's candidates after the
 * plan (:votes=V: only those at least V resamples chose). :pick=vote
 * takes the schedule most resamples chose instead (no model calls; the
 * oracle is then the best of the bagged schedules).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench-stopping-int.h"
#include "test-rng.h"

#ifndef TESTBED_DATA_DIR
#define TESTBED_DATA_DIR "examples/testbed"
#endif

const int budgets[NUM_BUDGETS] = {10, 14, 17, 20, 25};
/* The held-out seeds: base, base + 1, ... (classes cycling). */
uint64_t eval_seed_base = 3000000u;
/* The seed of the random sample orders. */
uint64_t orders_seed = 2026u;
int verbose;
int balanced;

static void
run_all(struct testbed_net *net, const double *times, const struct profile_data *d,
        int num_orders, size_t num_eval, const char *bed)
{
    static const struct rule rules[] = {
        {.name = "fixed 1 sample", .kind = RULE_FIXED, .fixed = 1},
        {.name = "fixed 2 samples", .kind = RULE_FIXED, .fixed = 2},
        {.name = "fixed 3 samples", .kind = RULE_FIXED, .fixed = 3},
        {.name = "fixed 4 samples", .kind = RULE_FIXED, .fixed = 4},
        {.name = "fixed 5 samples", .kind = RULE_FIXED, .fixed = 5},
        {.name = "fixed 10 samples", .kind = RULE_FIXED, .fixed = 10},
        {.name = "old: unchanged over 3, tol 0.02", .kind = RULE_STABLE,
         .window = 3, .tolerance = 0.02},
        {.name = "old: unchanged over 3, tol 0.05", .kind = RULE_STABLE,
         .window = 3, .tolerance = 0.05},
        {.name = "se: sum se/sum mean <= 0.20", .kind = RULE_SAMPLES,
         .margin = 0.20},
        {.name = "new: window 3, tol 0.05", .kind = RULE_LIBRARY, .window = 3,
         .tolerance = 0.05},
        {.name = "new: window 3, tol 0.10", .kind = RULE_LIBRARY, .window = 3,
         .tolerance = 0.10},
        {.name = "new: window 3, tol 0.10, prev meas.", .kind = RULE_LIBRARY,
         .window = 3, .tolerance = 0.10, .margin = 1e-9},
        {.name = "new: window 4, tol 0.10", .kind = RULE_LIBRARY, .window = 4,
         .tolerance = 0.10},
        {.name = "new: window 3, tol 0.10, se 0.30, cap 5", .kind = RULE_LIBRARY,
         .window = 3, .tolerance = 0.10, .se_margin = 0.30, .cap = 5},
    };
    const struct rule *list = num_custom > 0 ? custom_rules : rules;
    size_t num_rules = num_custom > 0 ? (size_t)num_custom
                                      : sizeof(rules) / sizeof(rules[0]);
    struct evaluator ev;
    struct runner rn;
    double reference[NUM_BUDGETS], reference_20[NUM_BUDGETS];
    struct outcome *outcomes = calloc((size_t)num_orders, sizeof(*outcomes));
    int (*orders)[PROTOCOL] = calloc((size_t)num_orders, sizeof(*orders));
    uint64_t rng = orders_seed;
    double start = bench_now_seconds();

    if (!outcomes || !orders)
        exit(1);
    evaluator_init(&ev, net, times, num_eval);
    runner_init(&rn, net, times);
    /* The reference: the plans of all 20 samples (any order). */
    {
        lemica_adaptive *adaptive = new_handle(d);
        lemica_profiler *profiler = NULL;

        bench_check(lemica_profiler_new(d->n, d->k, LEMICA_METRIC_L1, &profiler),
                    "profiler");
        bench_check(
            lemica_test_adaptive_replay(adaptive, profiler, d, d->samples),
            "loop");
        for (int b = 0; b < NUM_BUDGETS; b++) {
            lemica_schedule *schedule = NULL;
            bench_check(lemica_adaptive_schedule(adaptive, budgets[b], &schedule),
                        "schedule");
            reference[b] = held_out_error(&ev, schedule);
            reference_20[b] = reference[b];
            lemica_schedule_free(schedule);
        }
        lemica_profiler_free(profiler);
        lemica_adaptive_free(adaptive);
    }
    (void)reference_20;
    for (int o = 0; o < num_orders; o++) {
        for (int s = 0; s < PROTOCOL; s++)
            orders[o][s] = s;
        for (int s = PROTOCOL - 1; o > 0 && s > 0; s--) {
            int t = test_rng_below(&rng, s + 1), tmp = orders[o][s];
            orders[o][s] = orders[o][t];
            orders[o][t] = tmp;
        }
        /* Balanced: the prompts (classes) cycle in a random order, each
         * with its seeds in a random order, as an engine would feed them. */
        if (balanced && o > 0) {
            int classes = net->num_classes, perm[64];
            for (int c = 0; c < classes; c++)
                perm[c] = c;
            for (int c = classes - 1; c > 0; c--) {
                int t = test_rng_below(&rng, c + 1), tmp = perm[c];
                perm[c] = perm[t];
                perm[t] = tmp;
            }
            for (int c = 0; c < classes; c++) {
                int seeds = (PROTOCOL - c + classes - 1) / classes, sp[64];
                for (int r = 0; r < seeds; r++)
                    sp[r] = r;
                for (int r = seeds - 1; r > 0; r--) {
                    int t = test_rng_below(&rng, r + 1), tmp = sp[r];
                    sp[r] = sp[t];
                    sp[t] = tmp;
                }
                for (int r = 0; r < seeds; r++)
                    orders[o][r * classes + c] = sp[r] * classes + perm[c];
            }
        }
        if (verbose) {
            printf("  order %2d:", o);
            for (int s = 0; s < PROTOCOL; s++)
                printf(" %d", orders[o][s]);
            printf("\n");
        }
    }
    printf("stopping rules on the %s test bed: N=%d, K=%d, budgets 10,14,17,20,25 "
           "requested together, a %d-sample protocol, %d sample orders (the "
           "first the protocol's own%s; orders seed %llu), held-out error on "
           "%zu unseen seeds\n",
           bed, d->n, d->k, PROTOCOL, num_orders,
           balanced ? ", the others cycling the classes" : "",
           (unsigned long long)orders_seed, num_eval);
    printf("  held-out mean L1 of the %d-sample plans:", PROTOCOL);
    for (int b = 0; b < NUM_BUDGETS; b++)
        printf(" B=%d %.4e", budgets[b], reference[b]);
    printf("\n  %-34s samples at stop  | held-out error vs the %d-sample plans, "
           "per budget: mean/worst over orders (%%)\n",
           "rule", PROTOCOL);
    if (getenv("BENCH_DIAGNOSE")) {
        for (int o = 0; o < num_orders; o++) {
            struct profile_data shuffled;
            printf("  order %d\n", o);
            permuted(d, orders[o], &shuffled);
            diagnose(&ev, &shuffled, reference);
            free(shuffled.err);
        }
        num_rules = 0;
    }
    for (size_t r = 0; r < num_rules; r++) {
        for (int o = 0; o < num_orders; o++) {
            struct profile_data shuffled;

            permuted(d, orders[o], &shuffled);
            run_rule(&ev, &rn, &shuffled, orders[o], o, &list[r], reference,
                     &outcomes[o]);
            free(shuffled.err);
        }
        report_rule(&list[r], outcomes, num_orders);
    }
    printf("  (%zu distinct schedules, with earlier runs', %.0f s)\n", ev.num_memo,
           bench_now_seconds() - start);
    evaluator_free(&ev);
    runner_free(&rn);
    free(outcomes);
    free(orders);
}

/* ---- Main ------------------------------------------------------------------- */

int
main(int argc, char **argv)
{
    int use_dit = 0, profile_only = 0, num_orders = 16, have;
    size_t num_eval = 0;
    const char *data_path = NULL;
    char default_path[128];
    testbed_model *gmm = NULL;
    struct testbed_net *net = NULL;
    double times[NUM_STEPS + 1];
    struct profile_data data;

    for (int a = 1; a < argc; a++) {
        if (strcmp(argv[a], "--model") == 0 && a + 1 < argc)
            use_dit = strcmp(argv[++a], "dit") == 0;
        else if (strcmp(argv[a], "--orders") == 0 && a + 1 < argc)
            num_orders = atoi(argv[++a]);
        else if (strcmp(argv[a], "--eval") == 0 && a + 1 < argc)
            num_eval = (size_t)atoi(argv[++a]);
        else if (strcmp(argv[a], "--data") == 0 && a + 1 < argc)
            data_path = argv[++a];
        else if (strcmp(argv[a], "--eval-seed-base") == 0 && a + 1 < argc)
            eval_seed_base = (uint64_t)strtoull(argv[++a], NULL, 10);
        else if (strcmp(argv[a], "--orders-seed") == 0 && a + 1 < argc)
            orders_seed = (uint64_t)strtoull(argv[++a], NULL, 10);
        else if (strcmp(argv[a], "--rule") == 0 && a + 1 < argc) {
            if (parse_rule(argv[++a]) != 0) {
                fprintf(stderr, "bench-stopping: bad --rule %s\n", argv[a]);
                return 2;
            }
        } else if (strcmp(argv[a], "--balanced") == 0)
            balanced = 1;
        else if (strcmp(argv[a], "--profile-only") == 0)
            profile_only = 1;
        else if (strcmp(argv[a], "--verbose") == 0)
            verbose++;
        else {
            fprintf(stderr, "usage: bench-stopping [--model gmm|dit] [--orders R] "
                            "[--eval E] [--data FILE] [--profile-only] [--verbose] "
                            "[--balanced] [--eval-seed-base SEED] "
                            "[--orders-seed SEED] [--rule SPEC]...\n");
            return 2;
        }
    }
    if (num_orders < 1 || num_orders > MAX_ORDERS)
        num_orders = 16;
    if (use_dit) {
        char error[256];
        if (testbed_net_new_dit(TESTBED_DATA_DIR "/dit-digits.bin",
                                TESTBED_DATA_DIR "/digits-classifier.bin", 3.0, 2,
                                &net, error, sizeof(error)) != 0) {
            fprintf(stderr, "bench-stopping: cannot load the DiT: %s\n", error);
            return 1;
        }
        if (!num_eval)
            num_eval = 200;
    } else {
        if (testbed_model_new(64, 0.1, &gmm) != 0 ||
            testbed_net_new_gmm(gmm, &net) != 0)
            return 1;
        if (!num_eval)
            num_eval = 1000;
    }
    snprintf(default_path, sizeof(default_path), "bench-stopping-%s-N%d-S%d.txt",
             use_dit ? "dit" : "gmm", NUM_STEPS, PROTOCOL);
    if (!data_path)
        data_path = default_path;
    testbed_time_grid(NUM_STEPS, 3.0, times);
    data.n = NUM_STEPS;
    data.k = NUM_STEPS - 1;
    data.samples = PROTOCOL;
    data.err = calloc((size_t)PROTOCOL * data_per_sample(&data), sizeof(double));
    if (!data.err)
        return 1;
    have = data_read(&data, data_path);
    if (have < PROTOCOL)
        data_profile(net, times, &data, have, data_path);
    if (!profile_only)
        run_all(net, times, &data, num_orders, num_eval, use_dit ? "dit" : "gmm");
    free(data.err);
    testbed_net_free(net);
    testbed_model_free(gmm);
    return 0;
}
