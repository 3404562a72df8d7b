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

#ifndef TESTBED_DATA_DIR
#define TESTBED_DATA_DIR "examples/testbed"
#endif

#define NUM_STEPS 50
#define PROTOCOL 20
#define NUM_BUDGETS 5
#define MAX_ORDERS 64
#define MAX_RULES 16

static const int budgets[NUM_BUDGETS] = {10, 14, 17, 20, 25};
/* The held-out seeds: base, base + 1, ... (classes cycling). */
static uint64_t eval_seed_base = 3000000u;
/* The seed of the random sample orders. */
static uint64_t orders_seed = 2026u;

static size_t
data_per_sample(const struct profile_data *d)
{
    return (size_t)d->n * (size_t)d->k;
}

static double *
data_sample(const struct profile_data *d, int s)
{
    return d->err + (size_t)s * data_per_sample(d);
}

static struct testbed_sample_id
sample_id(const struct testbed_net *net, int index)
{
    struct testbed_sample_id id = {index % net->num_classes,
                                   (uint64_t)(index / net->num_classes)};
    return id;
}

/* Read as many complete samples as the cache holds (a line each). */
static int
data_read(struct profile_data *d, const char *path)
{
    FILE *f = fopen(path, "r");
    int have = 0;

    if (!f)
        return 0;
    for (int s = 0; s < d->samples; s++) {
        int ok = 1;
        for (int i = 0; i < d->n - 2 && ok; i++)
            for (int j = i + 2; j <= d->n - 1 && ok; j++)
                ok = fscanf(f, "%lf", &data_sample(d, s)[data_slot(d, i, j)]) == 1;
        if (!ok)
            break;
        have = s + 1;
    }
    fclose(f);
    return have;
}

/* Profile samples @first.. fully, one at a time (each sample's own
 * profiler), appending each to the cache as it is done. */
static void
data_profile(struct testbed_net *net, const double *times, struct profile_data *d,
             int first, const char *path)
{
    struct testbed_batch settings = testbed_batch_output(net, NUM_STEPS, times);
    lemica_plan *plan = NULL;

    bench_check(lemica_plan_new(d->n, d->k, &plan), "plan");
    for (int s = first; s < d->samples; s++) {
        struct testbed_sample_id id = sample_id(net, s);
        struct testbed_reference reference;
        lemica_profiler *profiler = NULL;
        double start = bench_now_seconds();
        FILE *f;

        if (testbed_reference_record(&settings, &id, 1, &reference) != 0) {
            fprintf(stderr, "bench-stopping: reference pass failed\n");
            exit(1);
        }
        bench_check(lemica_profiler_new(d->n, d->k, LEMICA_METRIC_L1, &profiler),
                    "profiler");
        bench_check(testbed_profile_replays(&settings, plan, &reference, 1024,
                                            profiler, NULL),
                    "replays");
        for (int i = 0; i < d->n - 2; i++)
            for (int j = i + 2; j <= d->n - 1; j++)
                lemica_profiler_edge_stats(profiler, i, j, NULL,
                                           &data_sample(d, s)[data_slot(d, i, j)],
                                           NULL, NULL, NULL);
        lemica_profiler_free(profiler);
        testbed_reference_free(&reference);
        f = fopen(path, "a");
        if (f) {
            for (int i = 0; i < d->n - 2; i++)
                for (int j = i + 2; j <= d->n - 1; j++)
                    fprintf(f, "%.17g%c", data_sample(d, s)[data_slot(d, i, j)],
                            j == d->n - 1 && i == d->n - 3 ? '\n' : ' ');
            fclose(f);
        }
        fprintf(stderr, "bench-stopping: %s sample %d of %d profiled (%.0f s)\n",
                net->name, s + 1, d->samples, bench_now_seconds() - start);
    }
    lemica_plan_free(plan);
}

/* ---- Held-out evaluation, each distinct schedule once --------------------- */

struct evaluator {
    struct testbed_net *net;
    const double *times;
    size_t count;
    int *classes;
    uint64_t *seeds;
    double *references; /* count * pixels, uncached */
    double *outputs;
    int have_references;
    /* Memo: schedules as step lists; kept in a file across runs (the
     * held-out error of a schedule depends only on the model and the
     * seeds), one line a schedule: error, count, steps. */
    size_t num_memo, memo_capacity;
    int (*memo_steps)[NUM_STEPS + 1];
    double *memo_error;
    char memo_path[160];
};

static void
evaluator_sample(struct evaluator *ev, const unsigned char *mask, double *out)
{
    struct testbed_batch batch = testbed_batch_output(ev->net, NUM_STEPS, ev->times);

    batch.count = ev->count;
    batch.classes = ev->classes;
    if (mask) {
        batch.decide = testbed_decide_mask;
        batch.decide_context = (void *)mask;
    }
    if (testbed_batch_sample(&batch, ev->seeds, out) != 0) {
        fprintf(stderr, "bench-stopping: sampling failed\n");
        exit(1);
    }
}

static void
memo_add(struct evaluator *ev, const int *steps, double error)
{
    if (ev->num_memo == ev->memo_capacity) {
        ev->memo_capacity = ev->memo_capacity ? 2 * ev->memo_capacity : 64;
        ev->memo_steps = realloc(ev->memo_steps,
                                 ev->memo_capacity * sizeof(*ev->memo_steps));
        ev->memo_error = realloc(ev->memo_error,
                                 ev->memo_capacity * sizeof(double));
        if (!ev->memo_steps || !ev->memo_error)
            exit(1);
    }
    memcpy(ev->memo_steps[ev->num_memo], steps, sizeof(*ev->memo_steps));
    ev->memo_error[ev->num_memo++] = error;
}

/* The held-out errors of earlier runs (complete lines only). */
static void
memo_read(struct evaluator *ev)
{
    FILE *f = fopen(ev->memo_path, "r");
    double error;
    int count;

    if (!f)
        return;
    while (fscanf(f, "%lf %d", &error, &count) == 2 && count >= 0 &&
           count <= NUM_STEPS) {
        int steps[NUM_STEPS + 1] = {0}, ok = 1;

        steps[0] = count;
        for (int e = 1; e <= count && ok; e++)
            ok = fscanf(f, "%d", &steps[e]) == 1;
        if (!ok)
            break;
        memo_add(ev, steps, error);
    }
    fclose(f);
}

static void
memo_write(const struct evaluator *ev, const int *steps, double error)
{
    FILE *f = fopen(ev->memo_path, "a");

    if (!f)
        return;
    fprintf(f, "%.17g %d", error, steps[0]);
    for (int e = 1; e <= steps[0]; e++)
        fprintf(f, " %d", steps[e]);
    fprintf(f, "\n");
    fclose(f);
}

static void
evaluator_init(struct evaluator *ev, struct testbed_net *net,
               const double *times, size_t count)
{
    size_t pixels = (size_t)net->pixels;

    memset(ev, 0, sizeof(*ev));
    ev->net = net;
    ev->times = times;
    ev->count = count;
    ev->classes = calloc(count, sizeof(int));
    ev->seeds = calloc(count, sizeof(uint64_t));
    ev->references = calloc(count * pixels, sizeof(double));
    ev->outputs = calloc(count * pixels, sizeof(double));
    if (!ev->classes || !ev->seeds || !ev->references || !ev->outputs)
        exit(1);
    for (size_t e = 0; e < count; e++) {
        ev->classes[e] = (int)(e % (size_t)net->num_classes);
        ev->seeds[e] = eval_seed_base + e;
    }
    snprintf(ev->memo_path, sizeof(ev->memo_path),
             "bench-stopping-%s-N%d-eval%zu-seed%llu.txt", net->name, NUM_STEPS,
             count, (unsigned long long)eval_seed_base);
    memo_read(ev);
}

static void
evaluator_free(struct evaluator *ev)
{
    free(ev->classes);
    free(ev->seeds);
    free(ev->references);
    free(ev->outputs);
    free(ev->memo_steps);
    free(ev->memo_error);
}

/* The held-out mean L1 of @schedule. */
static double
held_out_error(struct evaluator *ev, const lemica_schedule *schedule)
{
    int steps[NUM_STEPS + 1] = {0};
    size_t count = 0, pixels = (size_t)ev->net->pixels;
    unsigned char mask[NUM_STEPS];
    double total = 0.0;

    lemica_schedule_steps(schedule, steps + 1, NUM_STEPS, &count);
    steps[0] = (int)count;
    for (size_t m = 0; m < ev->num_memo; m++)
        if (memcmp(ev->memo_steps[m], steps, sizeof(steps)) == 0)
            return ev->memo_error[m];
    if (testbed_schedule_mask(schedule, mask) != 0)
        exit(1);
    if (!ev->have_references) {
        evaluator_sample(ev, NULL, ev->references);
        ev->have_references = 1;
    }
    evaluator_sample(ev, mask, ev->outputs);
    for (size_t e = 0; e < ev->count; e++) {
        double l1 = 0.0;
        bench_check(lemica_metric_compute(LEMICA_METRIC_L1,
                                          ev->outputs + e * pixels,
                                          ev->references + e * pixels, pixels,
                                          LEMICA_DTYPE_F64, &l1),
                    "metric");
        total += l1;
    }
    memo_add(ev, steps, total / (double)ev->count);
    memo_write(ev, steps, total / (double)ev->count);
    return total / (double)ev->count;
}

static int verbose;
static int balanced;

/* ---- Replaying the loop --------------------------------------------------- */

static void
permuted(const struct profile_data *d, const int *order, struct profile_data *out)
{
    size_t per = data_per_sample(d);

    *out = *d;
    out->err = malloc((size_t)d->samples * per * sizeof(double));
    if (!out->err)
        exit(1);
    for (int s = 0; s < d->samples; s++)
        memcpy(out->err + (size_t)s * per, data_sample(d, order[s]),
               per * sizeof(double));
}

/* A rule: a name, the handle's settings, and the question after each S. */
enum rule_kind { RULE_FIXED, RULE_STABLE, RULE_SAMPLES, RULE_LIBRARY };

/* FIXED: the plans of the first @fixed samples. STABLE (the old rule):
 * lemica_adaptive_num_stable() >= window with set_stable_tolerance().
 * SAMPLES (a standard-error rule, prototyped here): for every budget the
 * plan's summed standard errors over its summed mean errors <= margin
 * (an upper bound of its relative standard error whatever the
 * correlations). LIBRARY: lemica_sample_stop with window and tolerance;
 * margin > 0 also sets the loop's stable tolerance, which makes it
 * measure the previous schedules on every new sample. */
struct rule {
    const char *name;
    enum rule_kind kind;
    int fixed;
    size_t window;
    double tolerance;
    double z; /* unused */
    double margin;
    /* LIBRARY only: lemica_sample_stop_set_limits() with @se_margin and
     * @cap (0: off); never before @min samples. */
    double se_margin;
    int min, cap;
};

struct outcome {
    int stop;
    double ratio[NUM_BUDGETS]; /* held-out error / that of the S = 20 plans */
};

static lemica_adaptive *
new_handle(const struct profile_data *d)
{
    lemica_adaptive *adaptive = NULL;

    bench_check(lemica_adaptive_new(d->n, d->k, LEMICA_ASSUMPTION_NESTED, &adaptive),
                "new");
    bench_check(lemica_adaptive_set_min_batch(adaptive, 24), "batch");
    for (int b = 0; b < NUM_BUDGETS; b++)
        bench_check(lemica_adaptive_request_budget(adaptive, budgets[b]), "budget");
    return adaptive;
}

/* For every budget the plan's summed standard errors over its summed
 * mean errors; the largest. */
static double
relative_se(lemica_adaptive *adaptive, const lemica_profiler *profiler)
{
    double worst = 0.0;

    for (int b = 0; b < NUM_BUDGETS; b++) {
        lemica_schedule *schedule = NULL;
        int steps[NUM_STEPS];
        size_t count = 0;
        double se = 0.0, total = 0.0;

        bench_check(lemica_adaptive_schedule(adaptive, budgets[b], &schedule),
                    "schedule");
        lemica_schedule_steps(schedule, steps, NUM_STEPS, &count);
        lemica_schedule_free(schedule);
        for (size_t e = 1; e < count; e++) {
            uint64_t n = 0;
            double mean = 0, var = 0;
            if (steps[e] - steps[e - 1] < 2)
                continue;
            lemica_profiler_edge_stats(profiler, steps[e - 1], steps[e], &n,
                                       &mean, &var, NULL, NULL);
            se += sqrt(var / (double)n);
            total += mean;
        }
        if (total > 0 && se / total > worst)
            worst = se / total;
    }
    return worst;
}

static int
rule_says_stop(const struct rule *rule, lemica_adaptive *adaptive,
               const lemica_profiler *profiler, int samples)
{
    switch (rule->kind) {
    case RULE_FIXED:
        return samples >= rule->fixed;
    case RULE_STABLE:
        return lemica_adaptive_num_stable(adaptive) >= rule->window;
    case RULE_LIBRARY:
        return 0;
    case RULE_SAMPLES: {
        double worst;
        if (samples < 2)
            return 0;
        if (rule->window && lemica_adaptive_num_stable(adaptive) < rule->window)
            return 0;
        worst = relative_se(adaptive, profiler);
        if (verbose > 1)
            printf("      S=%d rse %.3f\n", samples, worst);
        return worst <= rule->margin;
    }
    }
    return 0;
}

static void
run_rule(struct evaluator *ev, const struct profile_data *d, const struct rule *rule,
         const double *reference, struct outcome *out)
{
    lemica_adaptive *adaptive = new_handle(d);
    lemica_profiler *profiler = NULL;
    lemica_sample_stop *stop_rule = NULL;
    int samples;

    if (rule->kind == RULE_STABLE || rule->kind == RULE_SAMPLES)
        bench_check(lemica_adaptive_set_stable_tolerance(adaptive, rule->tolerance),
                    "tolerance");
    bench_check(lemica_profiler_new(d->n, d->k, LEMICA_METRIC_L1, &profiler),
                "profiler");
    if (rule->kind == RULE_LIBRARY) {
        bench_check(lemica_sample_stop_new(rule->window, rule->tolerance, &stop_rule),
                    "stop rule");
        bench_check(lemica_sample_stop_set_limits(stop_rule, rule->se_margin,
                                                  (uint64_t)rule->cap),
                    "stop limits");
        /* margin > 0: the previous schedules measured on every new sample */
        bench_check(lemica_adaptive_set_stable_tolerance(adaptive, rule->margin),
                    "tolerance");
    }
    for (samples = 1; samples <= d->samples; samples++) {
        bench_check(lemica_test_adaptive_replay(adaptive, profiler, d, samples),
                    "loop");
        if (stop_rule) {
            int stop = 0;
            bench_check(lemica_sample_stop_update(stop_rule, adaptive, profiler, &stop),
                        "stop update");
            if (rule->min && samples < rule->min)
                stop = 0;
            if (stop)
                break;
        } else if (rule_says_stop(rule, adaptive, profiler, samples))
            break;
    }
    lemica_sample_stop_free(stop_rule);
    if (samples > d->samples)
        samples = d->samples;
    out->stop = samples;
    for (int b = 0; b < NUM_BUDGETS; b++) {
        lemica_schedule *schedule = NULL;

        bench_check(lemica_adaptive_schedule(adaptive, budgets[b], &schedule),
                    "schedule");
        out->ratio[b] = held_out_error(ev, schedule) / reference[b];
        lemica_schedule_free(schedule);
    }
    lemica_profiler_free(profiler);
    lemica_adaptive_free(adaptive);
}

static void
report_rule(const struct rule *rule, const struct outcome *outcomes, int num_orders)
{
    double mean_stop = 0.0, all_mean = 0.0, all_worst = 0.0;
    int max_stop = 0;

    for (int o = 0; o < num_orders; o++) {
        mean_stop += (double)outcomes[o].stop / num_orders;
        max_stop = outcomes[o].stop > max_stop ? outcomes[o].stop : max_stop;
    }
    printf("  %-34s stop %5.2f (max %2d) |", rule->name, mean_stop, max_stop);
    for (int b = 0; b < NUM_BUDGETS; b++) {
        double mean = 0.0, worst = 0.0;
        for (int o = 0; o < num_orders; o++) {
            mean += outcomes[o].ratio[b] / num_orders;
            worst = outcomes[o].ratio[b] > worst ? outcomes[o].ratio[b] : worst;
        }
        all_mean += mean / NUM_BUDGETS;
        all_worst = worst > all_worst ? worst : all_worst;
        printf(" %+5.1f/%+5.1f", 100.0 * (mean - 1.0), 100.0 * (worst - 1.0));
    }
    printf(" | all %+5.1f%% / %+5.1f%%\n", 100.0 * (all_mean - 1.0),
           100.0 * (all_worst - 1.0));
    if (verbose)
        for (int o = 0; o < num_orders; o++) {
            printf("      order %2d stop %2d:", o, outcomes[o].stop);
            for (int b = 0; b < NUM_BUDGETS; b++)
                printf(" %+6.1f%%", 100.0 * (outcomes[o].ratio[b] - 1.0));
            printf("\n");
        }
    fflush(stdout);
}

/* ---- Diagnosis: which signals at S predict a poor plan ---------------------- */

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

static void
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

/* Rules given with --rule (instead of the built-in list). */
static struct rule custom_rules[MAX_RULES];
static char custom_names[MAX_RULES][64];
static int num_custom;

/* --rule fixed:S | old:W:TOL | se:MARGIN | lib:W:TOL */
static int
parse_rule(const char *spec)
{
    struct rule *rule = &custom_rules[num_custom];
    char *name = custom_names[num_custom];
    int count = 0;
    double a = 0, b = 0;

    if (num_custom >= MAX_RULES)
        return -1;
    memset(rule, 0, sizeof(*rule));
    if (sscanf(spec, "fixed:%d", &count) == 1 && count >= 1) {
        rule->kind = RULE_FIXED;
        rule->fixed = count;
        snprintf(name, 64, "fixed %d samples", count);
    } else if (sscanf(spec, "old:%d:%lf", &count, &a) == 2 && count >= 1) {
        rule->kind = RULE_STABLE;
        rule->window = (size_t)count;
        rule->tolerance = a;
        snprintf(name, 64, "old: unchanged over %d, tol %g", count, a);
    } else if (sscanf(spec, "se:%lf", &a) == 1) {
        rule->kind = RULE_SAMPLES;
        rule->margin = a;
        snprintf(name, 64, "se: sum se/sum mean <= %g", a);
    } else if (sscanf(spec, "lib:%d:%lf", &count, &b) == 2 && count >= 2) {
        const char *option = strchr(strchr(spec + 4, ':') + 1, ':');
        int used;

        rule->kind = RULE_LIBRARY;
        rule->window = (size_t)count;
        rule->tolerance = b;
        used = snprintf(name, 64, "new: window %d, tol %g", count, b);
        for (; option; option = strchr(option + 1, ':')) {
            if (sscanf(option, ":se=%lf", &a) == 1)
                rule->se_margin = a;
            else if (sscanf(option, ":min=%d", &rule->min) == 1)
                ;
            else if (sscanf(option, ":cap=%d", &rule->cap) == 1)
                ;
            else
                return -1;
            if (used > 0 && used < 64) {
                const char *end = strchr(option + 1, ':');
                int length = end ? (int)(end - option) : (int)strlen(option);

                used += snprintf(name + used, (size_t)(64 - used), "%.*s",
                                 length, option);
            }
        }
    } else
        return -1;
    rule->name = name;
    num_custom++;
    return 0;
}

static void
run_all(struct testbed_net *net, const double *times, const struct profile_data *d,
        int num_orders, size_t num_eval, const char *bed)
{
    static const struct rule rules[] = {
        {"fixed 1 sample", RULE_FIXED, 1, 0, 0, 0, 0, 0, 0, 0},
        {"fixed 2 samples", RULE_FIXED, 2, 0, 0, 0, 0, 0, 0, 0},
        {"fixed 3 samples", RULE_FIXED, 3, 0, 0, 0, 0, 0, 0, 0},
        {"fixed 4 samples", RULE_FIXED, 4, 0, 0, 0, 0, 0, 0, 0},
        {"fixed 5 samples", RULE_FIXED, 5, 0, 0, 0, 0, 0, 0, 0},
        {"fixed 10 samples", RULE_FIXED, 10, 0, 0, 0, 0, 0, 0, 0},
        {"old: unchanged over 3, tol 0.02", RULE_STABLE, 0, 3, 0.02, 0, 0, 0, 0, 0},
        {"old: unchanged over 3, tol 0.05", RULE_STABLE, 0, 3, 0.05, 0, 0, 0, 0, 0},
        {"se: sum se/sum mean <= 0.20", RULE_SAMPLES, 0, 0, 0, 0, 0.20, 0, 0, 0},
        {"new: window 3, tol 0.05", RULE_LIBRARY, 0, 3, 0.05, 0, 0, 0, 0, 0},
        {"new: window 3, tol 0.10", RULE_LIBRARY, 0, 3, 0.10, 0, 0, 0, 0, 0},
        {"new: window 3, tol 0.10, prev meas.", RULE_LIBRARY, 0, 3, 0.10, 0, 1e-9, 0, 0, 0},
        {"new: window 4, tol 0.10", RULE_LIBRARY, 0, 4, 0.10, 0, 0, 0, 0, 0},
        {"new: window 3, tol 0.10, se 0.30, cap 5", RULE_LIBRARY, 0, 3, 0.10, 0, 0,
         0.30, 0, 5},
    };
    const struct rule *list = num_custom > 0 ? custom_rules : rules;
    size_t num_rules = num_custom > 0 ? (size_t)num_custom
                                      : sizeof(rules) / sizeof(rules[0]);
    struct evaluator ev;
    double reference[NUM_BUDGETS], reference_20[NUM_BUDGETS];
    struct outcome *outcomes = calloc((size_t)num_orders, sizeof(*outcomes));
    int (*orders)[PROTOCOL] = calloc((size_t)num_orders, sizeof(*orders));
    uint64_t rng = orders_seed;
    double start = bench_now_seconds();

    if (!outcomes || !orders)
        exit(1);
    evaluator_init(&ev, net, times, num_eval);
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
            run_rule(&ev, &shuffled, &list[r], reference, &outcomes[o]);
            free(shuffled.err);
        }
        report_rule(&list[r], outcomes, num_orders);
    }
    printf("  (%zu distinct schedules, with earlier runs', %.0f s)\n", ev.num_memo,
           bench_now_seconds() - start);
    evaluator_free(&ev);
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
