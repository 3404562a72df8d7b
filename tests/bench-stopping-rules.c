/* SPDX-License-Identifier: MIT */
/* bench-stopping: the stopping rules, replaying the loop until one says
 * stop, the report of a rule over the orders, and --rule. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench-stopping-int.h"

lemica_adaptive *
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

void
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
        if (rule->verify_k || rule->sum_k || rule->fresh || rule->bag || rule->bag_loo)
            verify_plans(ev, reference, rn, d, order, order_index, samples, rule,
                         profiler, plans, out);
        for (int b = 0; b < NUM_BUDGETS; b++) {
            out->ratio[b] = held_out_error(ev, plans[b]) / reference[b];
            lemica_schedule_free(plans[b]);
        }
    }
    out->loop_calls = (double)samples * NUM_STEPS;
    for (int i = 0; i < d->n - 2; i++)
        for (int j = i + 2; j <= d->n - 1; j++) {
            uint64_t held = 0;
            lemica_profiler_edge_stats(profiler, i, j, &held, NULL, NULL, NULL, NULL);
            out->loop_calls += (double)held * (j - i - 1);
        }
    lemica_profiler_free(profiler);
    lemica_adaptive_free(adaptive);
}

void
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
        double calls = 0.0, prefix = 0.0, changed = 0.0, full = 0.0, loop = 0.0;

        for (int span = 2; span <= NUM_STEPS - 1; span++)
            full += (double)(NUM_STEPS - span) * (span - 1);
        full = (full + NUM_STEPS) * PROTOCOL;
        for (int o = 0; o < num_orders; o++) {
            calls += outcomes[o].calls / num_orders;
            prefix += outcomes[o].prefix_calls / num_orders;
            loop += outcomes[o].loop_calls / num_orders;
            changed += (double)outcomes[o].changed / num_orders;
        }
        if (calls > 0.0)
            printf(" | verify %.0f calls = %.2f%% (prefix %.2f%%), %.1f changed; "
                   "loop %.2f%%",
                   calls, 100.0 * calls / full, 100.0 * prefix / full, changed,
                   100.0 * loop / full);
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

/* Rules given with --rule (instead of the built-in list). */
struct rule custom_rules[MAX_RULES];
static char custom_names[MAX_RULES][128];
int num_custom;

/* --rule fixed:S | old:W:TOL | se:MARGIN | lib:W:TOL, then options
 * :NAME=VALUE (se, min, cap: lib only; verify, sum, fresh, prof, z,
 * graph=full: any rule). */
int
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
        else if (sscanf(option, ":bag=%d", &rule->bag) == 1 && rule->bag >= 0 &&
                 rule->bag < MAX_BAG)
            ;
        else if (strncmp(option, ":loo", 4) == 0 && length == 4)
            rule->bag_loo = 1;
        else if (sscanf(option, ":votes=%d", &rule->bag_min_votes) == 1 &&
                 rule->bag_min_votes >= 0)
            ;
        else if (strncmp(option, ":pick=vote", 10) == 0 && length == 10)
            rule->bag_vote = 1;
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
