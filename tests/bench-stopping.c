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

/* ---- Step lists in the cache files: "count step step ..." ---------------- */

/* Reads the @count steps that follow a line's count into @steps (steps[0]
 * = count); 0 at a short or malformed line, which ends a cache file. */
static int
steps_read(FILE *f, int count, int steps[NUM_STEPS + 1])
{
    if (count < 0 || count > NUM_STEPS)
        return 0;
    memset(steps, 0, (NUM_STEPS + 1) * sizeof(int));
    steps[0] = count;
    for (int e = 1; e <= count; e++)
        if (fscanf(f, "%d", &steps[e]) != 1)
            return 0;
    return 1;
}

/* Writes " count step step ...\n", the end of a cache line. */
static void
steps_write(FILE *f, const int *steps)
{
    fprintf(f, " %d", steps[0]);
    for (int e = 1; e <= steps[0]; e++)
        fprintf(f, " %d", steps[e]);
    fprintf(f, "\n");
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
    while (fscanf(f, "%lf %d", &error, &count) == 2) {
        int steps[NUM_STEPS + 1];

        if (!steps_read(f, count, steps))
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
    fprintf(f, "%.17g", error);
    steps_write(f, steps);
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

/* ---- Whole runs of a schedule on given samples (for verification) -------- */

/* The error of one schedule run whole on one sample (class, seed) against
 * its uncached pass, memoized in a hash table and in a file across runs
 * (bench-stopping-MODEL-N50-runs.txt, a line a run: class, seed, error,
 * count, steps), so that a later run samples only what it has not seen. */
struct run_entry {
    int used, class_id;
    uint64_t seed;
    int steps[NUM_STEPS + 1];
    double error;
};

struct runner {
    struct testbed_net *net;
    const double *times;
    size_t num_entries, capacity; /* capacity a power of two */
    struct run_entry *table;
    /* The uncached final samples, kept as computed. */
    size_t num_refs, ref_capacity;
    int *ref_class;
    uint64_t *ref_seed;
    double *ref_x;
    long model_calls; /* made by this process */
    char path[160];
};

static uint64_t
run_hash(int class_id, uint64_t seed, const int *steps)
{
    uint64_t h = 1469598103934665603u ^ (uint64_t)(unsigned)class_id;

    h = (h ^ seed) * 1099511628211u;
    for (int e = 0; e <= steps[0]; e++)
        h = (h ^ (uint64_t)(unsigned)steps[e]) * 1099511628211u;
    return h ^ (h >> 29);
}

static struct run_entry *
run_slot(struct runner *rn, int class_id, uint64_t seed, const int *steps)
{
    size_t mask = rn->capacity - 1, at = (size_t)run_hash(class_id, seed, steps) & mask;

    while (rn->table[at].used &&
           !(rn->table[at].class_id == class_id && rn->table[at].seed == seed &&
             memcmp(rn->table[at].steps, steps, sizeof(rn->table[at].steps)) == 0))
        at = (at + 1) & mask;
    return &rn->table[at];
}

static void
run_insert(struct runner *rn, int class_id, uint64_t seed, const int *steps,
           double error)
{
    struct run_entry *slot;

    if (2 * (rn->num_entries + 1) > rn->capacity) {
        struct run_entry *old = rn->table;
        size_t old_capacity = rn->capacity;

        rn->capacity = rn->capacity ? 2 * rn->capacity : 1024;
        rn->table = calloc(rn->capacity, sizeof(*rn->table));
        if (!rn->table)
            exit(1);
        rn->num_entries = 0;
        for (size_t i = 0; i < old_capacity; i++)
            if (old[i].used)
                run_insert(rn, old[i].class_id, old[i].seed, old[i].steps,
                           old[i].error);
        free(old);
    }
    slot = run_slot(rn, class_id, seed, steps);
    if (!slot->used)
        rn->num_entries++;
    slot->used = 1;
    slot->class_id = class_id;
    slot->seed = seed;
    memcpy(slot->steps, steps, sizeof(slot->steps));
    slot->error = error;
}

static void
runner_init(struct runner *rn, struct testbed_net *net, const double *times)
{
    FILE *f;
    int class_id, count;
    unsigned long long seed;
    double error;

    memset(rn, 0, sizeof(*rn));
    rn->net = net;
    rn->times = times;
    rn->capacity = 1024;
    rn->table = calloc(rn->capacity, sizeof(*rn->table));
    if (!rn->table)
        exit(1);
    snprintf(rn->path, sizeof(rn->path), "bench-stopping-%s-N%d-runs.txt",
             net->name, NUM_STEPS);
    f = fopen(rn->path, "r");
    if (!f)
        return;
    while (fscanf(f, "%d %llu %lf %d", &class_id, &seed, &error, &count) == 4) {
        int steps[NUM_STEPS + 1];

        if (!steps_read(f, count, steps))
            break;
        run_insert(rn, class_id, (uint64_t)seed, steps, error);
    }
    fclose(f);
}

static void
runner_free(struct runner *rn)
{
    free(rn->table);
    free(rn->ref_class);
    free(rn->ref_seed);
    free(rn->ref_x);
}

/* The uncached final sample of (class, seed), computed once. */
static const double *
runner_reference(struct runner *rn, int class_id, uint64_t seed)
{
    size_t pixels = (size_t)rn->net->pixels;
    struct testbed_batch batch = testbed_batch_output(rn->net, NUM_STEPS, rn->times);

    for (size_t r = 0; r < rn->num_refs; r++)
        if (rn->ref_class[r] == class_id && rn->ref_seed[r] == seed)
            return rn->ref_x + r * pixels;
    if (rn->num_refs == rn->ref_capacity) {
        rn->ref_capacity = rn->ref_capacity ? 2 * rn->ref_capacity : 64;
        rn->ref_class = realloc(rn->ref_class, rn->ref_capacity * sizeof(int));
        rn->ref_seed = realloc(rn->ref_seed, rn->ref_capacity * sizeof(uint64_t));
        rn->ref_x = realloc(rn->ref_x, rn->ref_capacity * pixels * sizeof(double));
        if (!rn->ref_class || !rn->ref_seed || !rn->ref_x)
            exit(1);
    }
    batch.count = 1;
    batch.classes = &class_id;
    if (testbed_batch_sample(&batch, &seed, rn->ref_x + rn->num_refs * pixels) != 0) {
        fprintf(stderr, "bench-stopping: sampling failed\n");
        exit(1);
    }
    rn->model_calls += batch.model_calls;
    rn->ref_class[rn->num_refs] = class_id;
    rn->ref_seed[rn->num_refs] = seed;
    return rn->ref_x + rn->num_refs++ * pixels;
}

/* The error of @schedule run whole on each of @count samples. */
static void
runner_errors(struct runner *rn, const lemica_schedule *schedule, size_t count,
              const int *classes, const uint64_t *seeds, double *errors)
{
    size_t pixels = (size_t)rn->net->pixels, n = 0, missing[64];
    int steps[NUM_STEPS + 1] = {0}, miss_class[64];
    uint64_t miss_seed[64];
    unsigned char mask[NUM_STEPS];
    double *out;
    struct testbed_batch batch = testbed_batch_output(rn->net, NUM_STEPS, rn->times);
    FILE *f;

    lemica_schedule_steps(schedule, steps + 1, NUM_STEPS, &n);
    steps[0] = (int)n;
    n = 0;
    if (count > 64)
        exit(1);
    for (size_t s = 0; s < count; s++) {
        struct run_entry *slot = run_slot(rn, classes[s], seeds[s], steps);
        if (slot->used)
            errors[s] = slot->error;
        else {
            missing[n] = s;
            miss_class[n] = classes[s];
            miss_seed[n++] = seeds[s];
        }
    }
    if (n == 0)
        return;
    if (testbed_schedule_mask(schedule, mask) != 0)
        exit(1);
    out = malloc(n * pixels * sizeof(double));
    if (!out)
        exit(1);
    batch.count = n;
    batch.classes = miss_class;
    batch.decide = testbed_decide_mask;
    batch.decide_context = mask;
    if (testbed_batch_sample(&batch, miss_seed, out) != 0) {
        fprintf(stderr, "bench-stopping: sampling failed\n");
        exit(1);
    }
    rn->model_calls += batch.model_calls;
    f = fopen(rn->path, "a");
    for (size_t m = 0; m < n; m++) {
        double l1 = 0.0;
        bench_check(lemica_metric_compute(LEMICA_METRIC_L1, out + m * pixels,
                                          runner_reference(rn, miss_class[m],
                                                           miss_seed[m]),
                                          pixels, LEMICA_DTYPE_F64, &l1),
                    "metric");
        errors[missing[m]] = l1;
        run_insert(rn, miss_class[m], miss_seed[m], steps, l1);
        if (f) {
            fprintf(f, "%d %llu %.17g", miss_class[m],
                    (unsigned long long)miss_seed[m], l1);
            steps_write(f, steps);
        }
    }
    if (f)
        fclose(f);
    free(out);
}

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
    /* Stop, then verify (any kind; off when all three are 0): every
     * budget's plan at the stop, then the @verify_k best LEXMAX schedules
     * and the @sum_k best SUM schedules of the graph at the stop (the
     * loop's profiler; @graph_full: every segment of the samples so far),
     * are run whole on the profiling samples so far (unless @no_profiling)
     * and on @fresh unseen seeds; lemica_verifier_best_of_budget() (paired
     * test at @verify_z) picks each budget's schedule. */
    int verify_k, sum_k, fresh, no_profiling, graph_full;
    double verify_z;
};

struct outcome {
    int stop;
    double calls;        /* verification: model calls, runs and fresh references */
    double prefix_calls; /* the same, shared prefixes run once */
    int changed;         /* budgets whose verified choice is not the plan */
    /* BENCH_VERIFY_ORACLE: the smallest held-out ratio among each budget's
     * candidates (what a perfect choice among them would give). */
    double oracle[NUM_BUDGETS];
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

/* Stop, then verify: replaces @plans[b] with each budget's verified
 * choice, as an engine would make it through lemica_verifier. @order maps
 * the shuffled samples to the protocol's (for their seeds). */
static void
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
}

static void
run_rule(struct evaluator *ev, struct runner *rn, const struct profile_data *d,
         const int *order, int order_index, const struct rule *rule,
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
    out->calls = out->prefix_calls = 0.0;
    out->changed = 0;
    memset(out->oracle, 0, sizeof(out->oracle));
    {
        lemica_schedule *plans[NUM_BUDGETS];

        for (int b = 0; b < NUM_BUDGETS; b++)
            bench_check(lemica_adaptive_schedule(adaptive, budgets[b], &plans[b]),
                        "schedule");
        if (rule->verify_k || rule->sum_k || rule->fresh)
            verify_plans(ev, reference, rn, d, order, order_index, samples, rule,
                         profiler, plans, out);
        for (int b = 0; b < NUM_BUDGETS; b++) {
            out->ratio[b] = held_out_error(ev, plans[b]) / reference[b];
            lemica_schedule_free(plans[b]);
        }
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
    printf(" | all %+5.1f%% / %+5.1f%%", 100.0 * (all_mean - 1.0),
           100.0 * (all_worst - 1.0));
    {
        /* Verification: its model calls (mean over the orders) as a share
         * of the protocol's full profiling: PROTOCOL samples, each an
         * uncached pass (N calls) and a replay of every segment (its
         * span - 1 calls; 19,650 calls in all for N = 50, K = 49);
         * with shared prefixes run once; budgets changed per order. */
        double calls = 0.0, prefix = 0.0, changed = 0.0, full = 0.0;

        for (int span = 2; span <= NUM_STEPS - 1; span++)
            full += (double)(NUM_STEPS - span) * (span - 1);
        full = (full + NUM_STEPS) * PROTOCOL;
        for (int o = 0; o < num_orders; o++) {
            calls += outcomes[o].calls / num_orders;
            prefix += outcomes[o].prefix_calls / num_orders;
            changed += (double)outcomes[o].changed / num_orders;
        }
        if (calls > 0.0)
            printf(" | verify %.0f calls = %.2f%% (prefix %.2f%%), %.1f changed",
                   calls, 100.0 * calls / full, 100.0 * prefix / full, changed);
    }
    printf("\n");
    if (outcomes[0].oracle[0] > 0.0) {
        printf("  %-34s                        |", "  best candidate (oracle)");
        for (int b = 0; b < NUM_BUDGETS; b++) {
            double mean = 0.0, worst = 0.0;
            for (int o = 0; o < num_orders; o++) {
                mean += outcomes[o].oracle[b] / num_orders;
                worst = outcomes[o].oracle[b] > worst ? outcomes[o].oracle[b] : worst;
            }
            printf(" %+5.1f/%+5.1f", 100.0 * (mean - 1.0), 100.0 * (worst - 1.0));
        }
        printf("\n");
    }
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
static char custom_names[MAX_RULES][128];
static int num_custom;

/* --rule fixed:S | old:W:TOL | se:MARGIN | lib:W:TOL, then options
 * :NAME=VALUE (se, min, cap: lib only; verify, sum, fresh, prof, z,
 * graph=full: any rule). */
static int
parse_rule(const char *spec)
{
    struct rule *rule = &custom_rules[num_custom];
    char *name = custom_names[num_custom];
    const size_t size = sizeof(custom_names[0]);
    const char *option = NULL;
    int count = 0, used, fields;
    double a = 0, b = 0;

    if (num_custom >= MAX_RULES)
        return -1;
    memset(rule, 0, sizeof(*rule));
    if (sscanf(spec, "fixed:%d", &count) == 1 && count >= 1) {
        rule->kind = RULE_FIXED;
        rule->fixed = count;
        used = snprintf(name, size, "fixed %d samples", count);
        fields = 1;
    } else if (sscanf(spec, "old:%d:%lf", &count, &a) == 2 && count >= 1) {
        rule->kind = RULE_STABLE;
        rule->window = (size_t)count;
        rule->tolerance = a;
        used = snprintf(name, size, "old: unchanged over %d, tol %g", count, a);
        fields = 2;
    } else if (sscanf(spec, "se:%lf", &a) == 1) {
        rule->kind = RULE_SAMPLES;
        rule->margin = a;
        used = snprintf(name, size, "se: sum se/sum mean <= %g", a);
        fields = 1;
    } else if (sscanf(spec, "lib:%d:%lf", &count, &b) == 2 && count >= 2) {
        rule->kind = RULE_LIBRARY;
        rule->window = (size_t)count;
        rule->tolerance = b;
        used = snprintf(name, size, "new: window %d, tol %g", count, b);
        fields = 2;
    } else
        return -1;
    option = spec;
    for (int f = 0; f <= fields && option; f++)
        option = strchr(option + (f > 0), ':');
    for (; option; option = strchr(option + 1, ':')) {
        const char *end = strchr(option + 1, ':');
        int length = end ? (int)(end - option) : (int)strlen(option);

        if (rule->kind == RULE_LIBRARY && sscanf(option, ":se=%lf", &a) == 1)
            rule->se_margin = a;
        else if (rule->kind == RULE_LIBRARY &&
                 sscanf(option, ":min=%d", &rule->min) == 1)
            ;
        else if (rule->kind == RULE_LIBRARY &&
                 sscanf(option, ":cap=%d", &rule->cap) == 1)
            ;
        else if (sscanf(option, ":verify=%d", &rule->verify_k) == 1 &&
                 rule->verify_k >= 0)
            ;
        else if (sscanf(option, ":sum=%d", &rule->sum_k) == 1 && rule->sum_k >= 0)
            ;
        else if (sscanf(option, ":fresh=%d", &rule->fresh) == 1 &&
                 rule->fresh >= 0 && rule->fresh <= 40)
            ;
        else if (sscanf(option, ":prof=%d", &count) == 1)
            rule->no_profiling = !count;
        else if (sscanf(option, ":z=%lf", &rule->verify_z) == 1 &&
                 rule->verify_z >= 0)
            ;
        else if (strncmp(option, ":graph=full", 11) == 0 && length == 11)
            rule->graph_full = 1;
        else
            return -1;
        if (used > 0 && (size_t)used < size)
            used += snprintf(name + used, size - (size_t)used, "%.*s", length,
                             option);
    }
    rule->name = name;
    num_custom++;
    return 0;
}

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
