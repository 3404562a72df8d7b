/* SPDX-License-Identifier: MIT */
/* The private header of bench-stopping (tests/bench-stopping.c): the
 * protocol's constants and settings, and the types and functions its files
 * share: the cached per-sample errors (bench-stopping-data.c), the held-out
 * evaluation (bench-stopping-eval.c), whole runs of a schedule
 * (bench-stopping-runs.c), the stopping rules (bench-stopping-rules.c),
 * stop-then-verify (bench-stopping-verify.c), bagging at the stop
 * (bench-stopping-bag.c) and the diagnosis (bench-stopping-diagnose.c). */
#ifndef LEMICA_BENCH_STOPPING_INT_H
#define LEMICA_BENCH_STOPPING_INT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "adaptive-driver.h"
#include "bench-common.h"
#include "gmm-model.h"
#include "net.h"
#include "profile.h"
#include "sampler.h"

#define NUM_STEPS 50
#define PROTOCOL 20
#define NUM_BUDGETS 5
#define MAX_ORDERS 64
#define MAX_RULES 16

/* Defined in bench-stopping.c. */
extern const int budgets[NUM_BUDGETS];
/* The held-out seeds: base, base + 1, ... (classes cycling). */
extern uint64_t eval_seed_base;
/* The seed of the random sample orders. */
extern uint64_t orders_seed;
extern int verbose;
extern int balanced;

/* ---- Per-sample errors of the protocol (bench-stopping-data.c) ----------- */

size_t data_per_sample(const struct profile_data *d);
double *data_sample(const struct profile_data *d, int s);
struct testbed_sample_id sample_id(const struct testbed_net *net, int index);
int data_read(struct profile_data *d, const char *path);
void data_profile(struct testbed_net *net, const double *times, struct profile_data *d,
                  int first, const char *path);
int steps_read(FILE *f, int count, int steps[NUM_STEPS + 1]);
void steps_write(FILE *f, const int *steps);
void permuted(const struct profile_data *d, const int *order, struct profile_data *out);

/* ---- Held-out evaluation (bench-stopping-eval.c) ------------------------- */

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

void evaluator_init(struct evaluator *ev, struct testbed_net *net,
                    const double *times, size_t count);
void evaluator_free(struct evaluator *ev);
double held_out_error(struct evaluator *ev, const lemica_schedule *schedule);

/* ---- Whole runs of a schedule (bench-stopping-runs.c) -------------------- */

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

void runner_init(struct runner *rn, struct testbed_net *net, const double *times);
void runner_free(struct runner *rn);
void runner_errors(struct runner *rn, const lemica_schedule *schedule, size_t count,
                   const int *classes, const uint64_t *seeds, double *errors);

/* ---- Rules (bench-stopping-rules.c) -------------------------------------- */

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
    /* Bagging at the stop (bench-stopping-bag.c): @bag bootstrap resamples
     * (@bag_loo: the leave-one-out subsets instead) of the samples held,
     * each planned; their distinct schedules join the verification's
     * candidates, or with @bag_vote the most chosen one is taken (no model
     * calls); @bag_min_votes: only the schedules at least that many
     * resamples chose join the verification. */
    int bag, bag_loo, bag_vote, bag_min_votes;
};

struct outcome {
    int stop;
    double calls;        /* verification: model calls, runs and fresh references */
    double prefix_calls; /* the same, shared prefixes run once */
    /* The loop's profiling up to the stop: an uncached pass per sample (N
     * calls) and span - 1 calls per sample of each segment measured. */
    double loop_calls;
    int changed;         /* budgets whose verified choice is not the plan */
    /* BENCH_VERIFY_ORACLE: the smallest held-out ratio among each budget's
     * candidates (what a perfect choice among them would give). */
    double oracle[NUM_BUDGETS];
    double ratio[NUM_BUDGETS]; /* held-out error / that of the S = 20 plans */
};

/* Rules given with --rule (instead of the built-in list). */
extern struct rule custom_rules[MAX_RULES];
extern int num_custom;

/* A handle of the loop with every budget requested. */
lemica_adaptive *new_handle(const struct profile_data *d);
int parse_rule(const char *spec);
void run_rule(struct evaluator *ev, struct runner *rn, const struct profile_data *d,
              const int *order, int order_index, const struct rule *rule,
              const double *reference, struct outcome *out);
void report_rule(const struct rule *rule, const struct outcome *outcomes, int num_orders);

/* ---- Stop, then verify (bench-stopping-verify.c) ------------------------- */

void verify_plans(struct evaluator *ev, const double *reference, struct runner *rn,
                  const struct profile_data *d, const int *order,
                  int order_index, int samples, const struct rule *rule,
                  const lemica_profiler *profiler, lemica_schedule **plans,
                  struct outcome *out);

/* ---- Bagging at the stop (bench-stopping-bag.c) -------------------------- */

#define MAX_BAG 96

/* Per budget: the distinct schedules (the plain plan first, no vote) and
 * how many resamples chose each. */
struct bag {
    lemica_schedule *schedules[NUM_BUDGETS][MAX_BAG];
    int votes[NUM_BUDGETS][MAX_BAG];
    int count[NUM_BUDGETS];
};

void bag_build(struct bag *bag, const struct profile_data *d,
               const lemica_profiler *profiler, int samples, int order_index,
               const struct rule *rule, lemica_schedule *const *plans);
/* The most chosen candidate of budget index @b (the plan on a tie). */
int bag_vote(const struct bag *bag, int b);
void bag_free(struct bag *bag);

/* ---- Diagnosis (bench-stopping-diagnose.c) ------------------------------- */

void diagnose(struct evaluator *ev, const struct profile_data *d, const double *reference);

#endif
