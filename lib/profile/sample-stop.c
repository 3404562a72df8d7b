/* SPDX-License-Identifier: MIT */
/* The sample stopping rule: when an engine that adds profiling samples
 * one count at a time may stop. It keeps the schedules of the last few
 * counts and stops when none of them is worse than the newest by more
 * than a tolerance, by their errors under the samples measured now. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "lemica/lemica-adaptive.h"
#include "../common/alloc-int.h"
#include "../common/error-int.h"

/* One update's schedules: records [budget, count, steps...]. */
struct stop_entry {
    int *records;
    size_t length;
};

struct lemica_sample_stop {
    size_t window;
    double tolerance;
    double max_relative_se;     /* 0: no standard-error condition */
    uint64_t max_samples;       /* 0: no cap */
    struct stop_entry *entries; /* a ring of window entries */
    size_t filled;              /* entries held */
    size_t newest;              /* ring index of the newest */
    uint64_t samples;           /* the sample count at the last update */
    int num_steps, max_skip;    /* the profiler's N and K at the updates */
    double excess;
    int stop;
};

lemica_status
lemica_sample_stop_new(size_t window, double tolerance, lemica_sample_stop **out)
{
    lemica_sample_stop *rule;

    if (!out)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "out is NULL");
    *out = NULL;
    if (window < 2 || window > LEMICA_SAMPLE_STOP_MAX_WINDOW)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT,
                           "the window must be 2 .. %d sample counts (got %zu)",
                           LEMICA_SAMPLE_STOP_MAX_WINDOW, window);
    if (!(isfinite(tolerance) && tolerance >= 0))
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT,
                           "the tolerance must be finite and >= 0 (got %g)",
                           tolerance);
    rule = lemica_alloc_zeroed(1, sizeof(*rule));
    if (!rule)
        return lemica_fail_no_memory("a sample stopping rule");
    rule->entries = lemica_alloc_zeroed(window, sizeof(*rule->entries));
    if (!rule->entries) {
        lemica_dealloc(rule);
        return lemica_fail_no_memory("a sample stopping rule");
    }
    rule->window = window;
    rule->tolerance = tolerance;
    *out = rule;
    return LEMICA_OK;
}

void
lemica_sample_stop_free(lemica_sample_stop *rule)
{
    if (!rule)
        return;
    for (size_t e = 0; e < rule->window; e++)
        lemica_dealloc(rule->entries[e].records);
    lemica_dealloc(rule->entries);
    lemica_dealloc(rule);
}

/* The largest sample count of any segment. */
static uint64_t
profiler_samples(const lemica_profiler *profiler, int num_steps, int max_skip)
{
    uint64_t most = 0;

    for (int from = 0; from < num_steps - 2; from++)
        for (int to = from + 2; to <= from + max_skip && to <= num_steps - 1;
             to++) {
            uint64_t count = 0;

            lemica_profiler_edge_stats(profiler, from, to, &count, NULL, NULL,
                                       NULL, NULL);
            most = count > most ? count : most;
        }
    return most;
}

/* The schedules of every requested budget as records. */
static lemica_status
collect(lemica_adaptive *adaptive, int num_steps, int **out, size_t *length)
{
    size_t capacity = 0, at = 0;
    int *records;
    lemica_status status = LEMICA_OK;

    for (int budget = 2; budget <= num_steps; budget++)
        if (lemica_adaptive_is_budget_requested(adaptive, budget))
            capacity += 2 + (size_t)budget;
    if (capacity == 0) {
        /* Budgets above the profiler's N: the loop has a larger N. */
        for (int budget = num_steps + 1; budget <= LEMICA_MAX_STEPS; budget++)
            if (lemica_adaptive_is_budget_requested(adaptive, budget))
                return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT,
                                   "the profiler has N = %d, the adaptive "
                                   "loop requests budget %d",
                                   num_steps, budget);
        return lemica_fail(LEMICA_ERR_STATE, "no budget is requested");
    }
    records = lemica_alloc_array(capacity, sizeof(int));
    if (!records)
        return lemica_fail_no_memory("the schedules of a stopping rule");
    for (int budget = 2; budget <= num_steps && status == LEMICA_OK; budget++) {
        lemica_schedule *schedule = NULL;
        size_t count = 0;

        if (!lemica_adaptive_is_budget_requested(adaptive, budget))
            continue;
        status = lemica_adaptive_schedule(adaptive, budget, &schedule);
        if (status != LEMICA_OK)
            break;
        if (lemica_schedule_num_steps(schedule) != num_steps) {
            status = lemica_fail(LEMICA_ERR_INVALID_ARGUMENT,
                                 "the profiler has N = %d, the adaptive loop "
                                 "N = %d",
                                 num_steps, lemica_schedule_num_steps(schedule));
        } else {
            status = lemica_schedule_steps(schedule, records + at + 2,
                                           (size_t)budget, &count);
            records[at] = budget;
            records[at + 1] = (int)count;
            at += 2 + count;
        }
        lemica_schedule_free(schedule);
    }
    if (status != LEMICA_OK) {
        lemica_dealloc(records);
        return status;
    }
    *out = records;
    *length = at;
    return LEMICA_OK;
}

/* The summed mean error of a schedule's cached segments; NAN when one of
 * them has no sample or does not exist in the profiler. */
static double
path_error(const lemica_profiler *profiler, const int *steps, int count)
{
    double total = 0.0;

    for (int e = 1; e < count; e++) {
        uint64_t samples = 0;
        double mean = 0.0;

        if (steps[e] - steps[e - 1] < 2)
            continue;
        if (lemica_profiler_edge_stats(profiler, steps[e - 1], steps[e], &samples,
                                       &mean, NULL, NULL, NULL) != LEMICA_OK ||
            samples == 0)
            return (double)NAN;
        total += mean;
    }
    return total;
}

/* The largest, over the schedules in @records, of a schedule's summed
 * standard errors of its cached segments' means over their summed means
 * (0 for a schedule that caches nothing; INFINITY where a segment lacks
 * two samples or the means sum to 0 with a nonzero standard error). */
static double
relative_se(const lemica_profiler *profiler, const int *records, size_t length)
{
    double worst = 0.0;

    for (size_t at = 0; at < length; at += 2 + (size_t)records[at + 1]) {
        const int *steps = records + at + 2;
        double se = 0.0, total = 0.0, ratio;

        for (int e = 1; e < records[at + 1]; e++) {
            uint64_t samples = 0;
            double mean = 0.0, variance = 0.0;

            if (steps[e] - steps[e - 1] < 2)
                continue;
            if (lemica_profiler_edge_stats(profiler, steps[e - 1], steps[e],
                                           &samples, &mean, &variance, NULL,
                                           NULL) != LEMICA_OK ||
                samples < 2)
                return (double)INFINITY;
            se += sqrt(variance / (double)samples);
            total += mean;
        }
        ratio = se == 0.0 ? 0.0 : total > 0 ? se / total : (double)INFINITY;
        worst = ratio > worst ? ratio : worst;
    }
    return worst;
}

static const int *
find_record(const int *records, size_t length, int budget)
{
    for (size_t at = 0; at < length; at += 2 + (size_t)records[at + 1])
        if (records[at] == budget)
            return records + at;
    return NULL;
}

/* How much worse than the newest schedule (relative) the worst older
 * schedule of the window is, under the profiler's samples: 0 when no
 * older one is worse, INFINITY when one cannot be compared. */
static double
window_excess(const lemica_sample_stop *rule, const lemica_profiler *profiler,
              const int *records, size_t length)
{
    double worst = 0.0;

    for (size_t age = 0; age < rule->filled && age + 1 < rule->window; age++) {
        const struct stop_entry *older =
            &rule->entries[(rule->newest + rule->window - age) % rule->window];

        for (size_t at = 0; at < length; at += 2 + (size_t)records[at + 1]) {
            const int *before = find_record(older->records, older->length, records[at]);
            double now, then, excess;

            if (!before)
                return (double)INFINITY;
            now = path_error(profiler, records + at + 2, records[at + 1]);
            then = path_error(profiler, before + 2, before[1]);
            if (isnan(now) || isnan(then))
                return (double)INFINITY;
            if (then <= now)
                continue;
            excess = now > 0 ? (then - now) / now : (double)INFINITY;
            worst = excess > worst ? excess : worst;
        }
    }
    return worst;
}

lemica_status
lemica_sample_stop_update(lemica_sample_stop *rule, lemica_adaptive *adaptive,
                          const lemica_profiler *profiler, int *stop)
{
    int num_steps, max_skip, nothing_to_measure, *records = NULL;
    size_t length = 0, slot;
    uint64_t samples;
    double excess;
    lemica_status status;

    if (stop)
        *stop = 0;
    if (!rule || !adaptive || !profiler || !stop)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT,
                           "rule, adaptive, profiler or stop is NULL");
    if (!lemica_adaptive_is_done(adaptive))
        return lemica_fail(LEMICA_ERR_STATE,
                           "the adaptive loop is not done: call "
                           "lemica_adaptive_next() until it returns no plan");
    num_steps = lemica_profiler_num_steps(profiler);
    max_skip = lemica_profiler_max_skip(profiler);
    if (rule->filled > 0 &&
        (num_steps != rule->num_steps || max_skip != rule->max_skip))
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT,
                           "the profiler has N = %d, K = %d, the earlier "
                           "updates had N = %d, K = %d (reset the rule for a "
                           "new run)",
                           num_steps, max_skip, rule->num_steps, rule->max_skip);
    /* K < 2: no segment can be cached, no sample changes a schedule. */
    nothing_to_measure = max_skip < 2 || num_steps < 3;
    samples = profiler_samples(profiler, num_steps, max_skip);
    if (!nothing_to_measure && rule->filled > 0 && samples <= rule->samples)
        return lemica_fail(LEMICA_ERR_STATE,
                           "no sample was added since the last update (%llu "
                           "then, %llu now)",
                           (unsigned long long)rule->samples,
                           (unsigned long long)samples);
    status = collect(adaptive, num_steps, &records, &length);
    if (status != LEMICA_OK)
        return status;
    excess = nothing_to_measure ? 0.0
                                : window_excess(rule, profiler, records, length);

    /* Commit. */
    slot = rule->filled == 0 ? 0 : (rule->newest + 1) % rule->window;
    lemica_dealloc(rule->entries[slot].records);
    rule->entries[slot].records = records;
    rule->entries[slot].length = length;
    rule->newest = slot;
    if (rule->filled < rule->window)
        rule->filled++;
    rule->samples = samples;
    rule->num_steps = num_steps;
    rule->max_skip = max_skip;
    rule->excess = excess;
    rule->stop = nothing_to_measure ||
                 (rule->filled >= rule->window && excess <= rule->tolerance &&
                  (rule->max_relative_se == 0.0 ||
                   relative_se(profiler, records, length) <=
                       rule->max_relative_se)) ||
                 (rule->max_samples > 0 && samples >= rule->max_samples);
    *stop = rule->stop;
    return LEMICA_OK;
}

lemica_status
lemica_sample_stop_set_limits(lemica_sample_stop *rule, double max_relative_se,
                              uint64_t max_samples)
{
    if (!rule)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "rule is NULL");
    if (!(isfinite(max_relative_se) && max_relative_se >= 0))
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT,
                           "the largest relative standard error must be "
                           "finite and >= 0 (got %g)",
                           max_relative_se);
    rule->max_relative_se = max_relative_se;
    rule->max_samples = max_samples;
    return LEMICA_OK;
}

double
lemica_sample_stop_excess(const lemica_sample_stop *rule)
{
    return rule ? rule->excess : (double)NAN;
}

int
lemica_sample_stop_should_stop(const lemica_sample_stop *rule)
{
    return rule ? rule->stop : 0;
}

void
lemica_sample_stop_reset(lemica_sample_stop *rule)
{
    if (!rule)
        return;
    for (size_t e = 0; e < rule->window; e++) {
        lemica_dealloc(rule->entries[e].records);
        rule->entries[e].records = NULL;
        rule->entries[e].length = 0;
    }
    rule->filled = 0;
    rule->newest = 0;
    rule->samples = 0;
    rule->num_steps = 0;
    rule->max_skip = 0;
    rule->excess = 0.0;
    rule->stop = 0;
}
