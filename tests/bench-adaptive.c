/* SPDX-License-Identifier: MIT */
/* Adaptive profiling against full profiling, offline: a fully measured
 * profile per test bed (per-sample errors), and the loop replayed against
 * it (a "measurement" copies that segment's samples into the profiler).
 * Prints, per test bed, budget set and strategy: model calls as a fraction
 * of full profiling, rounds, whether every schedule equals the full
 * profile's, and the naive loop (no batching) for comparison.
 *
 * Test beds: the built-in Gaussian-mixture flow model (examples/testbed,
 * profiled here through its public functions; the per-sample errors are
 * cached in the working directory, bench-adaptive-gmm-N50-S20.txt, so
 * later runs start at once) and synthetic diffusion-like graphs at
 * N = 50, 100, 250. With --stopping it also measures the sample stopping
 * rule (held-out error of the plans on unseen seeds, with the test bed's
 * sampler).
 *
 * Usage: bench-adaptive [--quick] [--stopping] [--data FILE]
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adaptive-driver.h"
#include "bench-common.h"
#include "gmm-model.h"
#include "net.h"
#include "profile.h"
#include "sampler.h"
#include "test-rng.h"

#define GMM_STEPS 50
#define GMM_SAMPLES 20
#define EVAL_SEED_BASE 100000

static int
seg_end(int n, int k, int from)
{
    return from + k < n - 1 ? from + k : n - 1;
}

static void
data_alloc(struct profile_data *d, int n, int k, int samples)
{
    d->n = n;
    d->k = k;
    d->samples = samples;
    d->err = calloc((size_t)samples * (size_t)n * (size_t)k, sizeof(double));
    if (!d->err)
        exit(1);
}

/* Reads the errors of @d (allocated) from the cache file @path, one
 * number a line, sample by sample, segment by segment; returns 1, or 0 when
 * there is none or it is unreadable (said so). */
static int
data_load(struct profile_data *d, const char *path)
{
    FILE *f = fopen(path, "r");
    int n = d->n, k = d->k, ok = 1;

    if (!f)
        return 0;
    for (int s = 0; s < d->samples && ok; s++)
        for (int i = 0; i < n - 2 && ok; i++)
            for (int j = i + 2; j <= seg_end(n, k, i) && ok; j++)
                ok = fscanf(f, "%lf", &d->err[(size_t)s * n * k +
                                              data_slot(d, i, j)]) == 1;
    fclose(f);
    if (!ok)
        fprintf(stderr, "%s: unreadable, profiling again\n", path);
    return ok;
}

/* Writes the cache file that data_load() reads (if it can). */
static void
data_save(const struct profile_data *d, const char *path)
{
    FILE *f = fopen(path, "w");
    int n = d->n, k = d->k;

    if (!f)
        return;
    for (int s = 0; s < d->samples; s++)
        for (int i = 0; i < n - 2; i++)
            for (int j = i + 2; j <= seg_end(n, k, i); j++)
                fprintf(f, "%.17g\n",
                        d->err[(size_t)s * n * k + data_slot(d, i, j)]);
    fclose(f);
}

/* Stores the mean errors of @profiler, one sample's profile, as sample @s
 * of @d. */
static void
data_take(struct profile_data *d, int s, const lemica_profiler *profiler)
{
    int n = d->n, k = d->k;

    for (int i = 0; i < n - 2; i++)
        for (int j = i + 2; j <= seg_end(n, k, i); j++)
            lemica_profiler_edge_stats(
                profiler, i, j, NULL,
                &d->err[(size_t)s * n * k + data_slot(d, i, j)], NULL, NULL,
                NULL);
}

/* ---- Test bed: the Gaussian-mixture flow model ---------------------------- */

struct gmm_bed {
    testbed_model *model;
    double times[GMM_STEPS + 1];
    struct testbed_run run;
};

static void
gmm_bed_init(struct gmm_bed *bed)
{
    if (testbed_model_new(64, 0.1, &bed->model) != 0)
        exit(1);
    testbed_time_grid(GMM_STEPS, 3.0, bed->times);
    memset(&bed->run, 0, sizeof(bed->run));
    bed->run.model = bed->model;
    bed->run.num_steps = GMM_STEPS;
    bed->run.times = bed->times;
}

static struct testbed_sample_id
gmm_sample_id(int index)
{
    struct testbed_sample_id id = {index % TESTBED_NUM_CLASSES,
                                   (uint64_t)(index / TESTBED_NUM_CLASSES)};
    return id;
}

static void
gmm_generate(struct gmm_bed *bed, struct profile_data *d, const char *path)
{
    int n = GMM_STEPS, k = GMM_STEPS - 1;

    data_alloc(d, n, k, GMM_SAMPLES);
    if (data_load(d, path))
        return;
    fprintf(stderr, "profiling the gmm test bed fully: %d samples of %d steps\n",
            d->samples, n);
    for (int s = 0; s < d->samples; s++) {
        lemica_profiler *profiler = NULL;
        lemica_plan *plan = NULL;
        struct testbed_sample_id id = gmm_sample_id(s);

        bench_check(lemica_profiler_new(n, k, LEMICA_METRIC_L1, &profiler),
                    "profiler");
        bench_check(lemica_plan_new(n, k, &plan), "plan");
        bench_check(testbed_profile(&bed->run, plan, &id, 1, profiler, NULL),
                    "testbed_profile");
        data_take(d, s, profiler);
        lemica_plan_free(plan);
        lemica_profiler_free(profiler);
    }
    data_save(d, path);
}

/* ---- Test bed: the trained DiT ------------------------------------------- */

#ifndef TESTBED_DATA_DIR
#define TESTBED_DATA_DIR "examples/testbed"
#endif
#define DIT_SAMPLES 4

/* The demo's protocol (examples/testbed/demo.c defaults): N = 50, shift 3,
 * guidance 3, 4 profiling samples spread over the classes (class
 * i * 10 / 4, seed i), output or residual reuse. Each sample is profiled
 * on its own so that its errors can be replayed one by one. Returns 0, or
 * -1 when the DiT's files are missing. */
static int
dit_generate(struct profile_data *d, enum testbed_reuse reuse, const char *path)
{
    int n = GMM_STEPS, k = GMM_STEPS - 1;
    struct testbed_net *net = NULL;
    double times[GMM_STEPS + 1];
    char error[256];

    data_alloc(d, n, k, DIT_SAMPLES);
    if (data_load(d, path))
        return 0;
    if (testbed_net_new_dit(TESTBED_DATA_DIR "/dit-digits.bin",
                            TESTBED_DATA_DIR "/digits-classifier.bin", 3.0, 2,
                            &net, error, sizeof(error)) != 0) {
        fprintf(stderr, "no DiT test bed: %s\n", error);
        free(d->err);
        d->err = NULL;
        return -1;
    }
    testbed_time_grid(n, 3.0, times);
    fprintf(stderr, "profiling the DiT fully (%s reuse): %d samples of %d steps\n",
            reuse == TESTBED_REUSE_OUTPUT ? "output" : "residual", d->samples, n);
    for (int s = 0; s < d->samples; s++) {
        struct testbed_batch settings;
        struct testbed_reference reference;
        struct testbed_sample_id id = {s * net->num_classes / DIT_SAMPLES,
                                       (uint64_t)s};
        lemica_profiler *profiler = NULL;
        lemica_plan *plan = NULL;

        memset(&settings, 0, sizeof(settings));
        memset(&reference, 0, sizeof(reference));
        settings.net = net;
        settings.reuse = reuse;
        settings.num_steps = n;
        settings.times = times;
        if (testbed_reference_record(&settings, &id, 1, &reference) != 0) {
            fprintf(stderr, "DiT reference pass failed\n");
            exit(1);
        }
        bench_check(lemica_profiler_new(n, k, LEMICA_METRIC_L1, &profiler),
                    "profiler");
        bench_check(lemica_plan_new(n, k, &plan), "plan");
        bench_check(testbed_profile_replays(&settings, plan, &reference, 1024,
                                            profiler, NULL),
                    "testbed_profile_replays");
        data_take(d, s, profiler);
        lemica_plan_free(plan);
        lemica_profiler_free(profiler);
        testbed_reference_free(&reference);
    }
    testbed_net_free(net);
    data_save(d, path);
    return 0;
}

/* ---- Synthetic diffusion-like graphs ---------------------------------------- */

/* w(i, j) = sum over the reused steps t = i+1 .. j-1 of (t - i) h(t): the
 * reused output drifts linearly from the true one, and a step's drift is
 * weighted by how much the final sample feels it, h(t), large early and
 * random per step and sample. Sums of non-negative terms that grow with
 * the distance to the start: NESTED holds exactly. */
static void
synthetic_generate(struct profile_data *d, int n, int samples, uint64_t seed)
{
    int k = n - 1;
    double *h = malloc((size_t)n * sizeof(double));

    data_alloc(d, n, k, samples);
    for (int s = 0; s < samples; s++) {
        uint64_t rng = seed * 7919u + (uint64_t)s;
        for (int t = 0; t < n; t++) {
            double u = (double)t / n;
            h[t] = exp(-6.0 * u) * (0.5 + test_rng_unit(&rng)) + 0.002;
        }
        for (int i = 0; i < n - 2; i++) {
            double acc = 0.0;
            for (int j = i + 2; j <= seg_end(n, k, i); j++) {
                acc += (double)(j - 1 - i) * h[j - 1];
                d->err[(size_t)s * n * k + data_slot(d, i, j)] = acc;
            }
        }
    }
    free(h);
}

/* ---- The simulated loop ------------------------------------------------------ */

struct run_result {
    double calls_fraction;
    size_t rounds;
    size_t measured;
    size_t violations;
    int identical;
    double floor_fraction; /* the final paths' own segments */
};

/* The full profile of the first @samples samples. */
static lemica_profiler *
full_profiler(const struct profile_data *d, int samples)
{
    lemica_profiler *profiler = NULL;

    bench_check(lemica_profiler_new(d->n, d->k, LEMICA_METRIC_L1, &profiler),
                "profiler");
    for (int i = 0; i < d->n - 2; i++)
        for (int j = i + 2; j <= seg_end(d->n, d->k, i); j++)
            bench_check(lemica_test_add_samples(profiler, d, i, j, 0,
                                                (uint64_t)samples),
                        "add_error");
    return profiler;
}

static int
same_schedule(const lemica_schedule *a, const lemica_schedule *b)
{
    int sa[4096], sb[4096];
    size_t ca = 0, cb = 0;

    lemica_schedule_steps(a, sa, 4096, &ca);
    lemica_schedule_steps(b, sb, 4096, &cb);
    return ca == cb && memcmp(sa, sb, ca * sizeof(int)) == 0;
}

static void
run_loop(const struct profile_data *d, int samples, lemica_assumption assumption,
         lemica_comparator comparator, const int *budgets, int num_budgets,
         size_t min_batch,
         struct run_result *result)
{
    lemica_adaptive *adaptive = NULL;
    lemica_profiler *profiler = NULL, *full;
    lemica_graph *graph = NULL;
    lemica_solver *solver = NULL;

    bench_check(lemica_adaptive_new(d->n, d->k, assumption, &adaptive), "new");
    bench_check(lemica_adaptive_set_comparator(adaptive, comparator), "cmp");
    bench_check(lemica_adaptive_set_min_batch(adaptive, min_batch), "batch");
    for (int b = 0; b < num_budgets; b++)
        bench_check(lemica_adaptive_request_budget(adaptive, budgets[b]),
                    "budget");
    bench_check(lemica_profiler_new(d->n, d->k, LEMICA_METRIC_L1, &profiler),
                "profiler");
    bench_check(lemica_test_adaptive_replay(adaptive, profiler, d, samples),
                "loop");
    if (getenv("BENCH_DUMP")) {
        char name[512];
        FILE *f;

        snprintf(name, sizeof(name), "%s-M%zu-B%d-%d", getenv("BENCH_DUMP"),
                 min_batch, budgets[0], num_budgets);
        f = fopen(name, "w");
        for (int i = 0; i < d->n - 2; i++)
            for (int j = i + 2; j <= seg_end(d->n, d->k, i); j++) {
                uint64_t have = 0;
                lemica_profiler_edge_stats(profiler, i, j, &have, NULL, NULL,
                                           NULL, NULL);
                double mean = 0.0;
                for (int s = 0; s < samples; s++)
                    mean += d->err[(size_t)s * d->n * d->k + data_slot(d, i, j)];
                fprintf(f, "%d %d %d %.9g\n", i, j, have > 0, mean / samples);
            }
        fclose(f);
    }
    result->calls_fraction = (double)lemica_adaptive_model_calls(adaptive) /
                             (double)lemica_adaptive_full_model_calls(adaptive);
    result->rounds = lemica_adaptive_num_rounds(adaptive);
    result->measured = lemica_adaptive_num_measured(adaptive);
    result->violations = lemica_adaptive_num_violations(adaptive);

    full = full_profiler(d, samples);
    bench_check(lemica_profiler_to_graph(full, LEMICA_AGGREGATE_MEAN, 0, 1, &graph),
                "to_graph");
    bench_check(lemica_solver_new(&solver), "solver");
    bench_check(lemica_solver_set_comparator(solver, comparator), "cmp");
    result->identical = 1;
    {
        unsigned char *on = calloc((size_t)d->n * d->k, 1);
        uint64_t floor_calls = (uint64_t)d->n;

        for (int b = 0; b < num_budgets; b++) {
            lemica_schedule *want = NULL;
            int steps[4096];
            size_t count = 0;

            bench_check(lemica_solver_solve(solver, graph, budgets[b], &want),
                        "solve");
            lemica_schedule_steps(want, steps, 4096, &count);
            for (size_t e = 1; e < count; e++)
                if (steps[e] - steps[e - 1] >= 2 &&
                    !on[data_slot(d, steps[e - 1], steps[e])]) {
                    on[data_slot(d, steps[e - 1], steps[e])] = 1;
                    floor_calls += (uint64_t)(d->n - steps[e]);
                }
            lemica_schedule_free(want);
        }
        free(on);
        result->floor_fraction =
            (double)(floor_calls * (uint64_t)samples) /
            (double)lemica_adaptive_full_model_calls(adaptive);
    }
    for (int b = 0; b < num_budgets; b++) {
        lemica_schedule *want = NULL, *got = NULL;

        bench_check(lemica_solver_solve(solver, graph, budgets[b], &want), "solve");
        bench_check(lemica_adaptive_schedule(adaptive, budgets[b], &got),
                    "schedule");
        result->identical &= same_schedule(want, got);
        lemica_schedule_free(want);
        lemica_schedule_free(got);
    }
    lemica_solver_free(solver);
    lemica_graph_free(graph);
    lemica_profiler_free(full);
    lemica_profiler_free(profiler);
    lemica_adaptive_free(adaptive);
}

static const char *
assumption_name(lemica_assumption a)
{
    return a == LEMICA_ASSUMPTION_NONE         ? "none"
           : a == LEMICA_ASSUMPTION_SAME_START ? "same-start"
                                               : "nested";
}

/* The comparator of every run (--comparator). */
static lemica_comparator bench_comparator = LEMICA_COMPARATOR_LEXMAX;

static const char *
comparator_name(lemica_comparator c)
{
    return c == LEMICA_COMPARATOR_SUM ? "sum" : c == LEMICA_COMPARATOR_MAX ? "max" : "lexmax";
}

/* Runs the loop with batches of @min_batch and of 1 (the naive loop) and
 * prints one line; returns the batched run. */
static struct run_result
report(const char *bed, const struct profile_data *d, int samples,
       const int *budgets, int num_budgets, lemica_assumption assumption,
       size_t min_batch)
{
    struct run_result adaptive, naive;
    char set[128] = "";
    size_t off = 0;

    for (int b = 0; b < num_budgets; b++)
        off += (size_t)snprintf(set + off, sizeof(set) - off, "%s%d",
                                b ? "," : "", budgets[b]);
    run_loop(d, samples, assumption, bench_comparator, budgets, num_budgets,
             min_batch, &adaptive);
    run_loop(d, samples, assumption, bench_comparator, budgets, num_budgets, 1,
             &naive);
    printf("%-12s N=%-3d S=%-2d %-10s %-16s M=%-3zu  calls %5.1f%% "
           "rounds %3zu  identical %-3s | M=1 %5.1f%% rounds %3zu "
           "identical %-3s | floor %4.1f%%  viol %zu\n",
           bed, d->n, samples, assumption_name(assumption), set, min_batch,
           100.0 * adaptive.calls_fraction, adaptive.rounds,
           adaptive.identical ? "yes" : "NO", 100.0 * naive.calls_fraction,
           naive.rounds, naive.identical ? "yes" : "NO",
           100.0 * adaptive.floor_fraction, adaptive.violations);
    fflush(stdout);
    return adaptive;
}

/* The five budgets together and each alone, with a summary line against
 * the targets (30% together, 20% alone, 20 rounds). */
static void
report_bed(const char *bed, const struct profile_data *d, int samples,
           lemica_assumption assumption, size_t min_batch)
{
    static const int five[] = {10, 14, 17, 20, 25};
    struct run_result all = report(bed, d, samples, five, 5, assumption, min_batch);
    double worst_single = 0.0, best_single = 1.0;
    size_t rounds = all.rounds;
    int identical = all.identical;

    for (int b = 0; b < 5; b++) {
        struct run_result one =
            report(bed, d, samples, &five[b], 1, assumption, min_batch);
        worst_single = one.calls_fraction > worst_single ? one.calls_fraction
                                                         : worst_single;
        best_single = one.calls_fraction < best_single ? one.calls_fraction
                                                       : best_single;
        rounds = one.rounds > rounds ? one.rounds : rounds;
        identical &= one.identical;
    }
    printf("SUMMARY %-12s %-6s S=%-2d %-10s M=%-3zu five budgets %.3f of full "
           "(%.2fx fewer), single budgets %.3f-%.3f, at most %zu rounds, "
           "identical %s\n",
           bed, comparator_name(bench_comparator), samples,
           assumption_name(assumption), min_batch, all.calls_fraction, 1.0 / all.calls_fraction, best_single,
           worst_single, rounds, identical ? "yes" : "NO");
    fflush(stdout);
}

/* ---- Item 4: the sample stopping rule ------------------------------------ */

#define EVAL_SAMPLES 32

/* Held-out mean L1 of @schedule against full sampling. */
static double
held_out_error(struct gmm_bed *bed, const lemica_schedule *schedule)
{
    double full[TESTBED_PIXELS], cached[TESTBED_PIXELS], total = 0.0;

    for (int e = 0; e < EVAL_SAMPLES; e++) {
        struct testbed_run run = bed->run;
        double error = 0.0;

        run.class_id = e % TESTBED_NUM_CLASSES;
        if (testbed_sample(&run, EVAL_SEED_BASE + (uint64_t)e, full) != 0 ||
            testbed_sample_schedule(&run, schedule, EVAL_SEED_BASE + (uint64_t)e,
                                    cached) != 0)
            exit(1);
        bench_check(lemica_metric_compute(LEMICA_METRIC_L1, cached, full,
                                          TESTBED_PIXELS, LEMICA_DTYPE_F64,
                                          &error),
                    "metric");
        total += error;
    }
    return total / EVAL_SAMPLES;
}

/* A view of @d with its samples in the order @order. */
static void
permuted(const struct profile_data *d, const int *order, struct profile_data *out)
{
    size_t per = (size_t)d->n * (size_t)d->k;

    data_alloc(out, d->n, d->k, d->samples);
    for (int s = 0; s < d->samples; s++)
        memcpy(out->err + (size_t)s * per, d->err + (size_t)order[s] * per,
               per * sizeof(double));
}

/* Add samples one at a time, run the adaptive loop to the end at each
 * count, stop when the schedules stayed the same over @window counts
 * (lemica_adaptive_num_stable() >= window). Reports the stop, the calls
 * against full profiling of all samples, and the held-out error of the
 * stopped plans against the all-sample full-profile plans. */
static void
stopping_rule(struct gmm_bed *bed, const struct profile_data *d, size_t window,
              double tolerance,
              const int *budgets, int num_budgets, const double *reference_error,
              double *worst_ratio_out, double *mean_ratio_out, int *stop_out,
              double *calls_out)
{
    lemica_adaptive *adaptive = NULL;
    lemica_profiler *profiler = NULL;
    int samples;
    double worst = 0.0;

    bench_check(lemica_adaptive_new(d->n, d->k, LEMICA_ASSUMPTION_NESTED, &adaptive),
                "new");
    bench_check(lemica_adaptive_set_min_batch(adaptive, 24), "batch");
    bench_check(lemica_adaptive_set_stable_tolerance(adaptive, tolerance), "tol");
    for (int b = 0; b < num_budgets; b++)
        bench_check(lemica_adaptive_request_budget(adaptive, budgets[b]), "budget");
    bench_check(lemica_profiler_new(d->n, d->k, LEMICA_METRIC_L1, &profiler),
                "profiler");
    for (samples = 1; samples <= d->samples; samples++) {
        bench_check(lemica_test_adaptive_replay(adaptive, profiler, d, samples),
                    "loop");
        if (lemica_adaptive_num_stable(adaptive) >= window)
            break;
    }
    if (samples > d->samples)
        samples = d->samples;
    for (int b = 0; b < num_budgets; b++) {
        lemica_schedule *schedule = NULL;
        double ratio;

        bench_check(lemica_adaptive_schedule(adaptive, budgets[b], &schedule),
                    "schedule");
        ratio = held_out_error(bed, schedule) / reference_error[b];
        if (ratio > worst)
            worst = ratio;
        *mean_ratio_out += ratio / num_budgets;
        lemica_schedule_free(schedule);
    }
    *worst_ratio_out = worst;
    *stop_out = samples;
    /* Against full profiling of every sample of the protocol. */
    *calls_out = (double)lemica_adaptive_model_calls(adaptive) /
                 ((double)lemica_adaptive_full_model_calls(adaptive) / samples *
                  d->samples);
    lemica_profiler_free(profiler);
    lemica_adaptive_free(adaptive);
}

static void
report_stopping(struct gmm_bed *bed, const struct profile_data *d)
{
    static const int five[] = {10, 14, 17, 20, 25};
    double reference[5];
    lemica_profiler *full = full_profiler(d, d->samples);
    lemica_graph *graph = NULL;
    lemica_solver *solver = NULL;
    uint64_t rng = 2026;

    bench_check(lemica_profiler_to_graph(full, LEMICA_AGGREGATE_MEAN, 0, 1, &graph),
                "to_graph");
    bench_check(lemica_solver_new(&solver), "solver");
    for (int b = 0; b < 5; b++) {
        lemica_schedule *schedule = NULL;
        bench_check(lemica_solver_solve(solver, graph, five[b], &schedule), "solve");
        reference[b] = held_out_error(bed, schedule);
        lemica_schedule_free(schedule);
    }
    printf("stopping rule (gmm, N=%d, %d-sample protocol, held-out error on %d "
           "unseen seeds, budgets 10,14,17,20,25 requested together):\n",
           d->n, d->samples, EVAL_SAMPLES);
    /* Without a rule: the plans of the first S samples, for fixed S. */
    for (int fixed = 1; fixed <= 10; fixed = fixed < 5 ? fixed + 1 : fixed * 2) {
        double worst_all = 0.0, mean_all = 0.0;

        rng = 2026;
        for (int trial = 0; trial < 8; trial++) {
            int order[64];
            struct profile_data shuffled;
            lemica_profiler *part;
            lemica_graph *g = NULL;

            for (int s = 0; s < d->samples; s++)
                order[s] = s;
            for (int s = d->samples - 1; trial > 0 && s > 0; s--) {
                int t = test_rng_below(&rng, s + 1), tmp = order[s];
                order[s] = order[t];
                order[t] = tmp;
            }
            permuted(d, order, &shuffled);
            part = full_profiler(&shuffled, fixed);
            bench_check(lemica_profiler_to_graph(part, LEMICA_AGGREGATE_MEAN, 0, 1, &g),
                        "to_graph");
            for (int b = 0; b < 5; b++) {
                lemica_schedule *schedule = NULL;
                double ratio;

                bench_check(lemica_solver_solve(solver, g, five[b], &schedule), "solve");
                ratio = held_out_error(bed, schedule) / reference[b];
                worst_all = ratio > worst_all ? ratio : worst_all;
                mean_all += ratio / 40.0;
                lemica_schedule_free(schedule);
            }
            lemica_graph_free(g);
            lemica_profiler_free(part);
            free(shuffled.err);
        }
        printf("  fixed %2d samples: held-out error vs the %d-sample plans: mean "
               "%+.1f%%, worst %+.1f%% (8 orders x 5 budgets)\n",
               fixed, d->samples, 100.0 * (mean_all - 1.0), 100.0 * (worst_all - 1.0));
        fflush(stdout);
    }
    for (int setting = 0; setting < 6; setting++) {
        size_t window = setting < 3 ? 2 : 3;
        double tolerance = setting % 3 == 0 ? 0.0 : setting % 3 == 1 ? 0.02 : 0.05;
        int stops = 0, max_stop = 0;
        double worst_all = 0, calls_all = 0, mean_all = 0;

        rng = 2026;
        for (int trial = 0; trial < 8; trial++) {
            int order[64], stop;
            struct profile_data shuffled;
            double worst, calls, mean = 0.0;

            for (int s = 0; s < d->samples; s++)
                order[s] = s;
            /* Trial 0: the protocol's own order (classes round-robin);
             * others: random orders. */
            for (int s = d->samples - 1; trial > 0 && s > 0; s--) {
                int t = test_rng_below(&rng, s + 1), tmp = order[s];
                order[s] = order[t];
                order[t] = tmp;
            }
            permuted(d, order, &shuffled);
            stopping_rule(bed, &shuffled, window, tolerance, five, 5, reference,
                          &worst, &mean, &stop, &calls);
            mean_all += mean / 8.0;
            if (getenv("BENCH_VERBOSE"))
                printf("    order %d: stop %d, calls %.1f%%, worst ratio %.3f\n",
                       trial, stop, 100.0 * calls, worst);
            stops += stop;
            max_stop = stop > max_stop ? stop : max_stop;
            worst_all = worst > worst_all ? worst : worst_all;
            calls_all += calls;
            free(shuffled.err);
        }
        printf("  rule: unchanged over %zu sample counts, tolerance %.2f: stops at "
               "%.1f samples on average (at most %d of %d), %.1f%% of the calls "
               "of full %d-sample profiling, worst held-out error vs the "
               "%d-sample plans: mean %+.1f%%, worst %+.1f%% (8 sample orders x "
               "5 budgets)\n",
               window, tolerance, stops / 8.0, max_stop, d->samples,
               100.0 * calls_all / 8.0, d->samples, d->samples,
               100.0 * (mean_all - 1.0), 100.0 * (worst_all - 1.0));
        fflush(stdout);
    }
    lemica_solver_free(solver);
    lemica_graph_free(graph);
    lemica_profiler_free(full);
}

static int
wanted(const char *filter, const char *name)
{
    return !filter || strcmp(filter, name) == 0;
}

int
main(int argc, char **argv)
{
    static const int five[] = {10, 14, 17, 20, 25};
    const char *data_path = "bench-adaptive-gmm-N50-S20.txt";
    const char *bed_filter = NULL, *assumption_filter = NULL;
    struct profile_data gmm, synth;
    struct gmm_bed bed;
    size_t batch = 24;
    int quick = 0, stopping = 0;

    for (int a = 1; a < argc; a++) {
        if (strcmp(argv[a], "--quick") == 0)
            quick = 1;
        else if (strcmp(argv[a], "--stopping") == 0)
            stopping = 1;
        else if (strcmp(argv[a], "--data") == 0 && a + 1 < argc)
            data_path = argv[++a];
        else if (strcmp(argv[a], "--batch") == 0 && a + 1 < argc)
            batch = (size_t)atoi(argv[++a]);
        else if (strcmp(argv[a], "--bed") == 0 && a + 1 < argc)
            bed_filter = argv[++a];
        else if (strcmp(argv[a], "--assumption") == 0 && a + 1 < argc)
            assumption_filter = argv[++a];
        else if (strcmp(argv[a], "--comparator") == 0 && a + 1 < argc) {
            a++;
            bench_comparator = strcmp(argv[a], "sum") == 0   ? LEMICA_COMPARATOR_SUM
                               : strcmp(argv[a], "max") == 0 ? LEMICA_COMPARATOR_MAX
                                                             : LEMICA_COMPARATOR_LEXMAX;
        }
        else {
            fprintf(stderr,
                    "usage: bench-adaptive [--quick] [--stopping] [--data FILE] "
                    "[--batch M] [--bed gmm|dit-output|dit-residual|synthetic] "
                    "[--assumption nested|same-start|none] "
                    "[--comparator lexmax|sum|max]\n");
            return 2;
        }
    }
    gmm_bed_init(&bed);
    if (stopping) {
        gmm_generate(&bed, &gmm, data_path);
        report_stopping(&bed, &gmm);
        free(gmm.err);
        testbed_model_free(bed.model);
        return 0;
    }

    if (wanted(bed_filter, "gmm")) {
        gmm_generate(&bed, &gmm, data_path);
        for (int s = 1; s <= (quick ? 1 : 20); s += 19)
            for (int a = LEMICA_ASSUMPTION_NESTED; a >= 0; a--)
                if (wanted(assumption_filter,
                           assumption_name((lemica_assumption)a)))
                    report_bed("gmm", &gmm, s, (lemica_assumption)a, batch);
        free(gmm.err);
    }
    for (int r = 0; r < 2 && !quick; r++) {
        const char *name = r == 0 ? "dit-output" : "dit-residual";
        struct profile_data dit;

        if (!wanted(bed_filter, name))
            continue;
        if (dit_generate(&dit,
                         r == 0 ? TESTBED_REUSE_OUTPUT : TESTBED_REUSE_RESIDUAL,
                         r == 0 ? "bench-adaptive-dit-output-N50-S4.txt"
                                : "bench-adaptive-dit-residual-N50-S4.txt") != 0)
            continue;
        for (int a = LEMICA_ASSUMPTION_NESTED; a >= 0; a--)
            if (wanted(assumption_filter, assumption_name((lemica_assumption)a)))
                report_bed(name, &dit, DIT_SAMPLES, (lemica_assumption)a, batch);
        free(dit.err);
    }
    for (int n = 50; n <= 250 && wanted(bed_filter, "synthetic");
         n = n == 50 ? 100 : n == 100 ? 250 : 1000) {
        int scaled[5];
        for (int b = 0; b < 5; b++)
            scaled[b] = five[b] * n / 50;
        synthetic_generate(&synth, n, 1, 12345);
        report("synthetic", &synth, 1, scaled, 5, LEMICA_ASSUMPTION_NESTED, batch);
        report("synthetic", &synth, 1, &scaled[2], 1, LEMICA_ASSUMPTION_NESTED,
               batch);
        free(synth.err);
    }
    testbed_model_free(bed.model);
    return 0;
}
