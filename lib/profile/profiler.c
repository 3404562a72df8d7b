/* SPDX-License-Identifier: MIT */
/* The profiler-accumulator: per-segment running statistics (Welford), the
 * merge of two sets of them (Chan, Golub and LeVeque's pairwise update:
 * counts, min and max exact, mean and variance to rounding) and the graph
 * they give. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "../common/alloc-int.h"
#include "../common/dag-size-int.h"
#include "../common/error-int.h"
#include "profiler-int.h"

static lemica_status
check_segment(const lemica_profiler *profiler, int from, int to)
{
    if (!profiler)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "profiler is NULL");
    if (from < 0 || to >= profiler->num_steps || to - from < 2 ||
        to - from > profiler->max_skip)
        return lemica_fail(LEMICA_ERR_OUT_OF_RANGE,
                           "segment (%d, %d) is outside a profiler of %d "
                           "steps with max skip %d (segments need "
                           "2 <= to - from <= max skip)",
                           from, to, profiler->num_steps, profiler->max_skip);
    return LEMICA_OK;
}

static size_t
num_slots(const lemica_profiler *profiler)
{
    return (size_t)profiler->num_steps * (size_t)profiler->max_skip;
}

lemica_status
lemica_profiler_new(int num_steps, int max_skip, lemica_metric metric,
                    lemica_profiler **out)
{
    lemica_profiler *profiler;
    lemica_status status;

    if (!out)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "out is NULL");
    *out = NULL;
    status = lemica_check_dag_size(num_steps, max_skip, "a profiler", &max_skip);
    if (status != LEMICA_OK)
        return status;
    /* 40 bytes a slot: at the graph's LEMICA_MAX_EDGE_SLOTS a profiler
     * would be 5 GiB, which a 60-byte profile file could ask for. */
    if ((size_t)num_steps * (size_t)max_skip > LEMICA_MAX_PROFILER_SLOTS)
        return lemica_fail(LEMICA_ERR_TOO_LARGE,
                           "a profiler of %d steps with max skip %d would "
                           "hold %zu segment slots, above the maximum of "
                           "%lu: lower the max skip",
                           num_steps, max_skip,
                           (size_t)num_steps * (size_t)max_skip,
                           (unsigned long)LEMICA_MAX_PROFILER_SLOTS);
    if (metric != LEMICA_METRIC_L1 && metric != LEMICA_METRIC_MSE &&
        metric != LEMICA_METRIC_RELATIVE_L1)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "unknown metric %d",
                           (int)metric);

    profiler = lemica_alloc_array(1, sizeof(*profiler));
    if (!profiler)
        return lemica_fail_no_memory("a profiler");
    profiler->num_steps = num_steps;
    profiler->max_skip = max_skip;
    profiler->metric = metric;
    /* Zeroed: count 0 everywhere. Untouched pages of a large profiler cost
     * no memory until a segment gets samples. */
    profiler->stats = lemica_alloc_zeroed(num_slots(profiler),
                                          sizeof(struct lemica_edge_stats));
    if (!profiler->stats) {
        lemica_dealloc(profiler);
        return lemica_fail_no_memory("profiler statistics");
    }
    *out = profiler;
    return LEMICA_OK;
}

void
lemica_profiler_free(lemica_profiler *profiler)
{
    if (!profiler)
        return;
    lemica_dealloc(profiler->stats);
    lemica_dealloc(profiler);
}

lemica_status
lemica_profiler_copy(const lemica_profiler *profiler, lemica_profiler **out)
{
    lemica_profiler *copy;

    if (!out)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "out is NULL");
    *out = NULL;
    if (!profiler)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "profiler is NULL");
    copy = lemica_alloc_array(1, sizeof(*copy));
    if (!copy)
        return lemica_fail_no_memory("a profiler");
    *copy = *profiler;
    copy->stats = lemica_alloc_array(num_slots(profiler),
                                     sizeof(struct lemica_edge_stats));
    if (!copy->stats) {
        lemica_dealloc(copy);
        return lemica_fail_no_memory("profiler statistics");
    }
    memcpy(copy->stats, profiler->stats,
           num_slots(profiler) * sizeof(struct lemica_edge_stats));
    *out = copy;
    return LEMICA_OK;
}

int
lemica_profiler_num_steps(const lemica_profiler *profiler)
{
    return profiler ? profiler->num_steps : 0;
}

int
lemica_profiler_max_skip(const lemica_profiler *profiler)
{
    return profiler ? profiler->max_skip : 0;
}

lemica_metric
lemica_profiler_metric(const lemica_profiler *profiler)
{
    return profiler ? profiler->metric : LEMICA_METRIC_L1;
}

/* Welford's update of @stats by one sample, into @next; fails (leaving
 * both as they were) if the statistics would not stay finite. */
static lemica_status
welford_add(const struct lemica_edge_stats *stats, double value, int from,
            int to, struct lemica_edge_stats *next)
{
    double delta = value - stats->mean;

    if (stats->count == UINT64_MAX)
        return lemica_fail(LEMICA_ERR_TOO_LARGE,
                           "segment (%d, %d) already holds 2^64 - 1 samples",
                           from, to);
    next->count = stats->count + 1;
    next->mean = stats->mean + delta / (double)next->count;
    next->m2 = stats->m2 + delta * (value - next->mean);
    next->min = (stats->count == 0 || value < stats->min) ? value : stats->min;
    next->max = (stats->count == 0 || value > stats->max) ? value : stats->max;
    if (!isfinite(next->mean) || !isfinite(next->m2))
        return lemica_fail(LEMICA_ERR_INVALID_VALUE,
                           "adding %g to segment (%d, %d) overflows its "
                           "statistics",
                           value, from, to);
    return LEMICA_OK;
}

lemica_status
lemica_profiler_add_error(lemica_profiler *profiler, int from, int to,
                          double error)
{
    lemica_status status = check_segment(profiler, from, to);
    struct lemica_edge_stats *stats, next;

    if (status != LEMICA_OK)
        return status;
    if (!isfinite(error) || error < 0.0)
        return lemica_fail(LEMICA_ERR_INVALID_VALUE,
                           "error of segment (%d, %d) is %g: errors must be "
                           "finite and >= 0",
                           from, to, error);
    /* -0.0 == 0.0: store +0.0 so min and max never show a negative zero. */
    if (error == 0.0)
        error = 0.0;
    stats = &profiler->stats[lemica_profiler_slot(profiler, from, to)];
    status = welford_add(stats, error, from, to, &next);
    if (status != LEMICA_OK)
        return status;
    *stats = next;
    return LEMICA_OK;
}

lemica_status
lemica_profiler_add_buffers(lemica_profiler *profiler, int from, int to,
                            const void *cached, const void *reference,
                            size_t count, lemica_dtype dtype)
{
    lemica_status status = check_segment(profiler, from, to);
    double error;

    if (status != LEMICA_OK)
        return status;
    /* Measure first: a bad buffer must leave the statistics untouched. */
    status = lemica_metric_compute(profiler->metric, cached, reference, count,
                                   dtype, &error);
    if (status != LEMICA_OK)
        return status;
    return lemica_profiler_add_error(profiler, from, to, error);
}

/* Chan, Golub and LeVeque's pairwise combination of two sets of
 * statistics. Returns 0, or -1 if the count or a statistic would
 * overflow. */
static int
chan_combine(const struct lemica_edge_stats *x,
             const struct lemica_edge_stats *y, struct lemica_edge_stats *out)
{
    double nx, ny, n, delta;

    if (y->count == 0) {
        *out = *x;
        return 0;
    }
    if (x->count == 0) {
        *out = *y;
        return 0;
    }
    if (x->count > UINT64_MAX - y->count)
        return -1;
    nx = (double)x->count;
    ny = (double)y->count;
    n = nx + ny;
    delta = y->mean - x->mean;
    out->count = x->count + y->count;
    out->mean = x->mean + delta * (ny / n);
    out->m2 = x->m2 + y->m2 + delta * delta * (nx * (ny / n));
    out->min = y->min < x->min ? y->min : x->min;
    out->max = y->max > x->max ? y->max : x->max;
    return isfinite(out->mean) && isfinite(out->m2) ? 0 : -1;
}

lemica_status
lemica_profiler_add_stats(lemica_profiler *profiler, int from, int to,
                          uint64_t count, double mean, double variance,
                          double min, double max)
{
    lemica_status status = check_segment(profiler, from, to);
    struct lemica_edge_stats *stats, summary, merged;

    if (status != LEMICA_OK)
        return status;
    if (count == 0)
        return LEMICA_OK;
    if (!isfinite(mean) || !isfinite(variance) || !isfinite(min) ||
        !isfinite(max) || mean < 0.0 || variance < 0.0 || min < 0.0 ||
        min > max)
        return lemica_fail(LEMICA_ERR_INVALID_VALUE,
                           "summary of segment (%d, %d) is invalid: mean %g, "
                           "variance %g, min %g, max %g (all finite and >= 0, "
                           "min <= max)",
                           from, to, mean, variance, min, max);
    /* +0.0 for both zeros, as add_error stores them. */
    summary.count = count;
    summary.mean = mean == 0.0 ? 0.0 : mean;
    summary.m2 = variance * (double)(count - 1);
    summary.min = min == 0.0 ? 0.0 : min;
    summary.max = max == 0.0 ? 0.0 : max;
    stats = &profiler->stats[lemica_profiler_slot(profiler, from, to)];
    if (stats->count > UINT64_MAX - count)
        return lemica_fail(LEMICA_ERR_TOO_LARGE,
                           "segment (%d, %d) would hold more than 2^64 - 1 "
                           "samples",
                           from, to);
    if (!isfinite(summary.m2) || chan_combine(stats, &summary, &merged) != 0)
        return lemica_fail(LEMICA_ERR_INVALID_VALUE,
                           "adding the summary to segment (%d, %d) overflows "
                           "its statistics",
                           from, to);
    *stats = merged;
    return LEMICA_OK;
}

lemica_status
lemica_profiler_edge_stats(const lemica_profiler *profiler, int from, int to,
                           uint64_t *count, double *mean, double *variance,
                           double *min, double *max)
{
    lemica_status status = check_segment(profiler, from, to);
    const struct lemica_edge_stats *stats;

    if (status != LEMICA_OK)
        return status;
    stats = &profiler->stats[lemica_profiler_slot(profiler, from, to)];
    if (count)
        *count = stats->count;
    if (mean)
        *mean = stats->count ? stats->mean : 0.0;
    if (variance)
        *variance =
            stats->count > 1 ? stats->m2 / (double)(stats->count - 1) : 0.0;
    if (min)
        *min = stats->count ? stats->min : (double)NAN;
    if (max)
        *max = stats->count ? stats->max : (double)NAN;
    return LEMICA_OK;
}

size_t
lemica_profiler_num_measured(const lemica_profiler *profiler)
{
    size_t measured = 0;

    if (!profiler)
        return 0;
    for (size_t slot = 0; slot < num_slots(profiler); slot++)
        measured += profiler->stats[slot].count != 0;
    return measured;
}

lemica_status
lemica_profiler_merge(lemica_profiler *dst, const lemica_profiler *src)
{
    size_t slots;

    if (!dst || !src)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "%s profiler is NULL",
                           !dst ? "destination" : "source");
    if (dst->num_steps != src->num_steps || dst->max_skip != src->max_skip ||
        dst->metric != src->metric)
        return lemica_fail(LEMICA_ERR_MISMATCH,
                           "cannot merge a profiler of %d steps, max skip %d, "
                           "metric %d into one of %d steps, max skip %d, "
                           "metric %d",
                           src->num_steps, src->max_skip, (int)src->metric,
                           dst->num_steps, dst->max_skip, (int)dst->metric);
    slots = num_slots(dst);
    /* Two passes so that a failure leaves dst whole, without allocating a
     * second table: check every combination, then store them. */
    for (size_t slot = 0; slot < slots; slot++) {
        struct lemica_edge_stats merged;

        if (chan_combine(&dst->stats[slot], &src->stats[slot], &merged) != 0) {
            int from = (int)(slot / (size_t)dst->max_skip);
            int to = from + (int)(slot % (size_t)dst->max_skip) + 1;

            if (dst->stats[slot].count > UINT64_MAX - src->stats[slot].count)
                return lemica_fail(LEMICA_ERR_TOO_LARGE,
                                   "merge: segment (%d, %d) would hold more "
                                   "than 2^64 - 1 samples",
                                   from, to);
            return lemica_fail(LEMICA_ERR_INVALID_VALUE,
                               "merge: the statistics of segment (%d, %d) "
                               "overflow",
                               from, to);
        }
    }
    for (size_t slot = 0; slot < slots; slot++) {
        struct lemica_edge_stats merged;

        /* An empty source slot changes nothing: skipping it keeps a
         * sparse merge from writing every slot of dst, and writes are
         * what turn the zeroed, untouched pages of a large profiler into
         * memory in use. */
        if (src->stats[slot].count == 0)
            continue;
        chan_combine(&dst->stats[slot], &src->stats[slot], &merged);
        dst->stats[slot] = merged;
    }
    return LEMICA_OK;
}

static double
aggregate_value(const struct lemica_edge_stats *stats,
                lemica_aggregate aggregate, double z)
{
    double variance;

    switch (aggregate) {
    case LEMICA_AGGREGATE_MAX:
        return stats->max;
    case LEMICA_AGGREGATE_MEAN_PLUS_Z_STD:
        variance =
            stats->count > 1 ? stats->m2 / (double)(stats->count - 1) : 0.0;
        return stats->mean + z * sqrt(variance);
    case LEMICA_AGGREGATE_MEAN:
    default:
        return stats->mean;
    }
}

lemica_status
lemica_profiler_to_graph(const lemica_profiler *profiler,
                         lemica_aggregate aggregate, double z, int require_all,
                         lemica_graph **out)
{
    lemica_graph *graph;
    lemica_status status;

    if (!out)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "out is NULL");
    *out = NULL;
    if (!profiler)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "profiler is NULL");
    if (aggregate != LEMICA_AGGREGATE_MEAN &&
        aggregate != LEMICA_AGGREGATE_MAX &&
        aggregate != LEMICA_AGGREGATE_MEAN_PLUS_Z_STD)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "unknown aggregate %d",
                           (int)aggregate);
    if (aggregate == LEMICA_AGGREGATE_MEAN_PLUS_Z_STD &&
        (!isfinite(z) || z < 0.0))
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT,
                           "z is %g: it must be finite and >= 0", z);
    if (require_all)
        for (int from = 0; from < profiler->num_steps; from++)
            for (int to = from + 2;
                 to < profiler->num_steps && to - from <= profiler->max_skip;
                 to++)
                if (profiler->stats[lemica_profiler_slot(profiler, from, to)]
                        .count == 0)
                    return lemica_fail(LEMICA_ERR_STATE,
                                       "segment (%d, %d) has no samples, and "
                                       "every segment is required",
                                       from, to);

    status = lemica_graph_new(profiler->num_steps, profiler->max_skip, &graph);
    if (status != LEMICA_OK)
        return status;
    for (int from = 0; from < profiler->num_steps; from++)
        for (int to = from + 2;
             to < profiler->num_steps && to - from <= profiler->max_skip;
             to++) {
            const struct lemica_edge_stats *stats =
                &profiler->stats[lemica_profiler_slot(profiler, from, to)];

            if (stats->count == 0)
                continue;
            status = lemica_graph_set_weight(
                graph, from, to, aggregate_value(stats, aggregate, z));
            if (status != LEMICA_OK) {
                lemica_graph_free(graph);
                return status;
            }
        }
    *out = graph;
    return LEMICA_OK;
}
