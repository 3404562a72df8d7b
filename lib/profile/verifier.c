/* SPDX-License-Identifier: MIT */
/* The verifier: candidate schedules, the errors measured when each ran
 * whole on every profiling sample, and the choice among them. It uses the
 * schedule and metric APIs only. */
#include <math.h>
#include <string.h>

#include "lemica/lemica-verifier.h"

#include "../common/alloc-int.h"
#include "../common/error-int.h"

struct lemica_verifier {
    size_t num_samples;
    lemica_metric metric;
    lemica_aggregate aggregate;
    double z;
    double significance; /* 0: smallest score; else the paired test */
    size_t count, capacity;
    lemica_schedule **candidates;
    double *errors; /* capacity * num_samples, NaN = not reported */
    size_t *order;  /* the candidates sorted by their steps (prefix order) */
};

lemica_status
lemica_verifier_new(size_t num_samples, lemica_verifier **out)
{
    lemica_verifier *verifier;

    if (!out)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "out is NULL");
    *out = NULL;
    if (num_samples == 0)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT,
                           "a verifier needs at least one sample");
    if (num_samples > LEMICA_MAX_VERIFIER_RUNS)
        return lemica_fail(LEMICA_ERR_TOO_LARGE,
                           "%zu samples are above the maximum of %d runs",
                           num_samples, LEMICA_MAX_VERIFIER_RUNS);
    verifier = lemica_alloc_zeroed(1, sizeof(*verifier));
    if (!verifier)
        return lemica_fail_no_memory("a verifier");
    verifier->num_samples = num_samples;
    verifier->metric = LEMICA_METRIC_L1;
    verifier->aggregate = LEMICA_AGGREGATE_MEAN;
    *out = verifier;
    return LEMICA_OK;
}

void
lemica_verifier_free(lemica_verifier *verifier)
{
    if (!verifier)
        return;
    for (size_t i = 0; i < verifier->count; i++)
        lemica_schedule_free(verifier->candidates[i]);
    lemica_dealloc(verifier->candidates);
    lemica_dealloc(verifier->errors);
    lemica_dealloc(verifier->order);
    lemica_dealloc(verifier);
}

lemica_status
lemica_verifier_set_metric(lemica_verifier *verifier, lemica_metric metric)
{
    if (!verifier)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "verifier is NULL");
    if (metric != LEMICA_METRIC_L1 && metric != LEMICA_METRIC_MSE &&
        metric != LEMICA_METRIC_RELATIVE_L1)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "unknown metric %d",
                           (int)metric);
    verifier->metric = metric;
    return LEMICA_OK;
}

lemica_status
lemica_verifier_set_aggregate(lemica_verifier *verifier,
                              lemica_aggregate aggregate, double z)
{
    if (!verifier)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "verifier is NULL");
    if (aggregate != LEMICA_AGGREGATE_MEAN &&
        aggregate != LEMICA_AGGREGATE_MAX &&
        aggregate != LEMICA_AGGREGATE_MEAN_PLUS_Z_STD)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT,
                           "unknown aggregate %d", (int)aggregate);
    if (aggregate == LEMICA_AGGREGATE_MEAN_PLUS_Z_STD &&
        !(isfinite(z) && z >= 0.0))
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT,
                           "z must be finite and >= 0, not %g", z);
    verifier->aggregate = aggregate;
    verifier->z = aggregate == LEMICA_AGGREGATE_MEAN_PLUS_Z_STD ? z : 0.0;
    return LEMICA_OK;
}

/* Whether two schedules of the same N compute the same steps. */
static int
same_steps(const lemica_schedule *a, const lemica_schedule *b)
{
    int n = lemica_schedule_num_steps(a);

    if (lemica_schedule_budget(a) != lemica_schedule_budget(b))
        return 0;
    for (int t = 0; t < n; t++)
        if (lemica_schedule_should_compute(a, t) !=
            lemica_schedule_should_compute(b, t))
            return 0;
    return 1;
}

/* The prefix order: compare the compute masks step by step; at the first
 * step where they differ, the schedule that computes there comes first.
 * @branch gets that step (N if they are the same). */
static int
compare_steps(const lemica_schedule *a, const lemica_schedule *b, int *branch)
{
    int n = lemica_schedule_num_steps(a);

    for (int t = 0; t < n; t++) {
        int ca = lemica_schedule_should_compute(a, t) > 0;
        int cb = lemica_schedule_should_compute(b, t) > 0;

        if (ca != cb) {
            if (branch)
                *branch = t;
            return ca ? -1 : 1;
        }
    }
    if (branch)
        *branch = n;
    return 0;
}

/* Room for one more candidate; nothing changes on failure. */
static lemica_status
grow(lemica_verifier *verifier)
{
    size_t capacity = verifier->capacity ? verifier->capacity * 2 : 8;
    lemica_schedule **candidates;
    double *errors;
    size_t *order;

    if (verifier->count < verifier->capacity)
        return LEMICA_OK;
    if (capacity > LEMICA_MAX_VERIFIER_RUNS / verifier->num_samples)
        capacity = LEMICA_MAX_VERIFIER_RUNS / verifier->num_samples;
    candidates = lemica_realloc_array(verifier->candidates, capacity,
                                      sizeof(*candidates));
    if (!candidates)
        return lemica_fail_no_memory("verifier candidates");
    verifier->candidates = candidates;
    errors = lemica_realloc_array(verifier->errors,
                                  capacity * verifier->num_samples,
                                  sizeof(double));
    if (!errors)
        return lemica_fail_no_memory("verifier errors");
    verifier->errors = errors;
    order = lemica_realloc_array(verifier->order, capacity, sizeof(*order));
    if (!order)
        return lemica_fail_no_memory("verifier order");
    verifier->order = order;
    verifier->capacity = capacity;
    return LEMICA_OK;
}

lemica_status
lemica_verifier_add_candidate(lemica_verifier *verifier,
                              const lemica_schedule *schedule, size_t *index)
{
    lemica_schedule *copy;
    lemica_status status;
    double *errors;
    size_t low = 0, high;

    if (!verifier || !schedule)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT,
                           "verifier and schedule must not be NULL");
    if (lemica_schedule_budget(schedule) < 2)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT,
                           "the schedule is empty");
    if (verifier->count > 0 &&
        lemica_schedule_num_steps(schedule) !=
            lemica_schedule_num_steps(verifier->candidates[0]))
        return lemica_fail(LEMICA_ERR_MISMATCH,
                           "a schedule of %d steps among candidates of %d",
                           lemica_schedule_num_steps(schedule),
                           lemica_schedule_num_steps(verifier->candidates[0]));
    for (size_t i = 0; i < verifier->count; i++)
        if (same_steps(verifier->candidates[i], schedule)) {
            if (index)
                *index = i;
            return LEMICA_OK;
        }
    if ((verifier->count + 1) > LEMICA_MAX_VERIFIER_RUNS / verifier->num_samples)
        return lemica_fail(LEMICA_ERR_TOO_LARGE,
                           "%zu candidates of %zu samples are above the "
                           "maximum of %d runs",
                           verifier->count + 1, verifier->num_samples,
                           LEMICA_MAX_VERIFIER_RUNS);
    status = grow(verifier);
    if (status != LEMICA_OK)
        return status;
    status = lemica_schedule_copy(schedule, &copy);
    if (status != LEMICA_OK)
        return status;
    errors = verifier->errors + verifier->count * verifier->num_samples;
    for (size_t s = 0; s < verifier->num_samples; s++)
        errors[s] = (double)NAN;
    verifier->candidates[verifier->count] = copy;
    /* Insert into the prefix order (binary search; no two are equal). */
    high = verifier->count;
    while (low < high) {
        size_t middle = low + (high - low) / 2;

        if (compare_steps(verifier->candidates[verifier->order[middle]], copy,
                          NULL) < 0)
            low = middle + 1;
        else
            high = middle;
    }
    memmove(verifier->order + low + 1, verifier->order + low,
            (verifier->count - low) * sizeof(*verifier->order));
    verifier->order[low] = verifier->count;
    if (index)
        *index = verifier->count;
    verifier->count++;
    return LEMICA_OK;
}

size_t
lemica_verifier_num_candidates(const lemica_verifier *verifier)
{
    return verifier ? verifier->count : 0;
}

size_t
lemica_verifier_num_samples(const lemica_verifier *verifier)
{
    return verifier ? verifier->num_samples : 0;
}

lemica_status
lemica_verifier_candidate(const lemica_verifier *verifier, size_t index,
                          const lemica_schedule **out)
{
    if (!verifier || !out)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT,
                           "verifier and out must not be NULL");
    if (index >= verifier->count)
        return lemica_fail(LEMICA_ERR_OUT_OF_RANGE,
                           "candidate %zu is past the %zu candidates", index,
                           verifier->count);
    *out = verifier->candidates[index];
    return LEMICA_OK;
}

size_t
lemica_verifier_num_runs(const lemica_verifier *verifier)
{
    return verifier ? verifier->count * verifier->num_samples : 0;
}

lemica_status
lemica_verifier_run(const lemica_verifier *verifier, size_t run,
                    size_t *candidate, size_t *sample)
{
    if (!verifier || !candidate || !sample)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT,
                           "verifier, candidate and sample must not be NULL");
    if (run >= verifier->count * verifier->num_samples)
        return lemica_fail(LEMICA_ERR_OUT_OF_RANGE,
                           "run %zu is past the %zu runs", run,
                           verifier->count * verifier->num_samples);
    *sample = run / verifier->count;
    *candidate = run % verifier->count;
    return LEMICA_OK;
}

static lemica_status
check_run(const lemica_verifier *verifier, size_t candidate, size_t sample)
{
    if (!verifier)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "verifier is NULL");
    if (candidate >= verifier->count)
        return lemica_fail(LEMICA_ERR_OUT_OF_RANGE,
                           "candidate %zu is past the %zu candidates",
                           candidate, verifier->count);
    if (sample >= verifier->num_samples)
        return lemica_fail(LEMICA_ERR_OUT_OF_RANGE,
                           "sample %zu is past the %zu samples", sample,
                           verifier->num_samples);
    return LEMICA_OK;
}

lemica_status
lemica_verifier_report_error(lemica_verifier *verifier, size_t candidate,
                             size_t sample, double error)
{
    lemica_status status = check_run(verifier, candidate, sample);

    if (status != LEMICA_OK)
        return status;
    if (!(isfinite(error) && error >= 0.0))
        return lemica_fail(LEMICA_ERR_INVALID_VALUE,
                           "the error of candidate %zu on sample %zu is %g: "
                           "errors must be finite and >= 0",
                           candidate, sample, error);
    verifier->errors[candidate * verifier->num_samples + sample] = error;
    return LEMICA_OK;
}

lemica_status
lemica_verifier_report_buffers(lemica_verifier *verifier, size_t candidate,
                               size_t sample, const void *cached,
                               const void *reference, size_t count,
                               lemica_dtype dtype)
{
    lemica_status status = check_run(verifier, candidate, sample);
    double error;

    if (status != LEMICA_OK)
        return status;
    status = lemica_metric_compute(verifier->metric, cached, reference, count,
                                   dtype, &error);
    if (status != LEMICA_OK)
        return status;
    return lemica_verifier_report_error(verifier, candidate, sample, error);
}

size_t
lemica_verifier_num_missing(const lemica_verifier *verifier)
{
    size_t missing = 0;

    if (!verifier)
        return 0;
    for (size_t i = 0; i < verifier->count * verifier->num_samples; i++)
        missing += isnan(verifier->errors[i]);
    return missing;
}

lemica_status
lemica_verifier_score(const lemica_verifier *verifier, size_t candidate,
                      double *score)
{
    const size_t samples = verifier ? verifier->num_samples : 0;
    const double *errors;
    double sum = 0.0, max = 0.0, mean, squares = 0.0;
    lemica_status status;

    if (!score)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "score is NULL");
    status = check_run(verifier, candidate, 0);
    if (status != LEMICA_OK)
        return status;
    errors = verifier->errors + candidate * samples;
    for (size_t s = 0; s < samples; s++) {
        if (isnan(errors[s]))
            return lemica_fail(LEMICA_ERR_STATE,
                               "candidate %zu has no error for sample %zu "
                               "yet",
                               candidate, s);
        sum += errors[s];
        max = errors[s] > max ? errors[s] : max;
    }
    mean = sum / (double)samples;
    switch (verifier->aggregate) {
    case LEMICA_AGGREGATE_MAX:
        *score = max;
        break;
    case LEMICA_AGGREGATE_MEAN_PLUS_Z_STD:
        /* Two passes: the spread of errors is small next to their size,
         * where the one-pass formula loses every digit. */
        for (size_t s = 0; s < samples; s++)
            squares += (errors[s] - mean) * (errors[s] - mean);
        *score = mean + (samples > 1 ? verifier->z *
                                           sqrt(squares /
                                                (double)(samples - 1))
                                     : 0.0);
        break;
    default:
        *score = mean;
        break;
    }
    return LEMICA_OK;
}

lemica_status
lemica_verifier_set_significance(lemica_verifier *verifier, double z)
{
    if (!verifier)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "verifier is NULL");
    if (!(isfinite(z) && z >= 0.0))
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT,
                           "the significance must be finite and >= 0, not %g",
                           z);
    verifier->significance = z;
    return LEMICA_OK;
}

lemica_status
lemica_verifier_error(const lemica_verifier *verifier, size_t candidate,
                      size_t sample, double *error)
{
    lemica_status status = check_run(verifier, candidate, sample);
    double value;

    if (status != LEMICA_OK)
        return status;
    if (!error)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "error is NULL");
    value = verifier->errors[candidate * verifier->num_samples + sample];
    if (isnan(value))
        return lemica_fail(LEMICA_ERR_STATE,
                           "candidate %zu has no error for sample %zu yet",
                           candidate, sample);
    *error = value;
    return LEMICA_OK;
}

/* Whether candidate @i beats candidate @first by the paired test: the
 * mean of the per-sample differences of errors plus z standard errors is
 * below zero. The same samples run every candidate, so most of the spread
 * between samples cancels in the differences. */
static int
beats_first(const lemica_verifier *verifier, size_t first, size_t i)
{
    const size_t n = verifier->num_samples;
    const double *base = verifier->errors + first * n;
    const double *other = verifier->errors + i * n;
    double mean = 0.0, squares = 0.0, error = 0.0;

    for (size_t s = 0; s < n; s++)
        mean += other[s] - base[s];
    mean /= (double)n;
    if (n > 1) {
        for (size_t s = 0; s < n; s++) {
            double d = other[s] - base[s] - mean;
            squares += d * d;
        }
        error = sqrt(squares / (double)(n - 1) / (double)n);
    }
    return mean + verifier->significance * error < 0.0;
}

/* The choice among the candidates of @budget (0: all of them); the first
 * of them is the one the paired test keeps. */
static lemica_status
choose(const lemica_verifier *verifier, int budget, size_t *candidate)
{
    double best_score = 0.0;
    size_t best = 0, first = 0;
    int found = 0;

    for (size_t i = 0; i < verifier->count; i++) {
        double score;
        lemica_status status;

        if (budget > 0 &&
            lemica_schedule_budget(verifier->candidates[i]) != budget)
            continue;
        status = lemica_verifier_score(verifier, i, &score);
        if (status != LEMICA_OK)
            return status;
        if (!found) {
            first = best = i;
            best_score = score;
            found = 1;
            continue;
        }
        if (verifier->significance > 0.0 && !beats_first(verifier, first, i))
            continue;
        if (score < best_score) {
            best_score = score;
            best = i;
        }
    }
    if (!found)
        return lemica_fail(LEMICA_ERR_STATE, "no candidate of budget %d",
                           budget);
    *candidate = best;
    return LEMICA_OK;
}

lemica_status
lemica_verifier_best(const lemica_verifier *verifier, size_t *candidate)
{
    if (!verifier || !candidate)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT,
                           "verifier and candidate must not be NULL");
    if (verifier->count == 0)
        return lemica_fail(LEMICA_ERR_STATE, "the verifier has no candidate");
    return choose(verifier, 0, candidate);
}

lemica_status
lemica_verifier_best_of_budget(const lemica_verifier *verifier, int budget,
                               size_t *candidate)
{
    if (!verifier || !candidate)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT,
                           "verifier and candidate must not be NULL");
    if (budget < 2)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT,
                           "budget %d: a schedule makes at least 2 calls",
                           budget);
    return choose(verifier, budget, candidate);
}

lemica_status
lemica_verifier_prefix_run(const lemica_verifier *verifier, size_t position,
                           size_t *candidate, int *start_step, size_t *calls)
{
    const lemica_schedule *schedule;
    int start = 0, computed = 0;

    if (!verifier || !candidate || !start_step || !calls)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT,
                           "verifier, candidate, start_step and calls must "
                           "not be NULL");
    if (position >= verifier->count)
        return lemica_fail(LEMICA_ERR_OUT_OF_RANGE,
                           "position %zu is past the %zu candidates", position,
                           verifier->count);
    schedule = verifier->candidates[verifier->order[position]];
    if (position > 0)
        compare_steps(verifier->candidates[verifier->order[position - 1]],
                      schedule, &start);
    for (int t = start; t < lemica_schedule_num_steps(schedule); t++)
        computed += lemica_schedule_should_compute(schedule, t) > 0;
    *candidate = verifier->order[position];
    *start_step = start;
    *calls = (size_t)computed;
    return LEMICA_OK;
}

size_t
lemica_verifier_prefix_model_calls(const lemica_verifier *verifier)
{
    size_t calls = 0;

    if (!verifier)
        return 0;
    for (size_t p = 0; p < verifier->count; p++) {
        size_t candidate, run_calls;
        int start;

        if (lemica_verifier_prefix_run(verifier, p, &candidate, &start,
                                       &run_calls) == LEMICA_OK)
            calls += run_calls;
    }
    return calls * verifier->num_samples;
}

size_t
lemica_verifier_model_calls(const lemica_verifier *verifier)
{
    size_t calls = 0;

    if (!verifier)
        return 0;
    for (size_t i = 0; i < verifier->count; i++)
        calls += (size_t)lemica_schedule_budget(verifier->candidates[i]);
    return calls * verifier->num_samples;
}
