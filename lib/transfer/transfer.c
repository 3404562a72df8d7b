/* SPDX-License-Identifier: MIT */
/* Time grids in metadata, and the transfer of a measured graph to another
 * step grid by interpolating segment errors over (start time, end time).
 * Uses the public graph and metadata APIs only: transfer depends on them,
 * nothing depends on transfer. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lemica/lemica-transfer.h"

#include "../common/error-int.h"
#include "../common/numtext-int.h"

/* Values compare equal in lemica_time_grid_check() within these. */
#define GRID_RELATIVE_TOLERANCE 1e-9
#define GRID_ABSOLUTE_TOLERANCE 1e-12

/* A target value may pass the source's range by this fraction of the
 * range (rounding of a grid computed in another program) and is then
 * clamped; further is an error. */
#define RANGE_SLACK 1e-9

/* +1 for increasing grids, -1 for decreasing, 0 if @grid is not finite
 * and strictly monotone (then a message is recorded under @name). */
static int
grid_direction(const double *grid, size_t count, const char *name)
{
    int direction;

    for (size_t i = 0; i < count; i++) {
        if (!isfinite(grid[i])) {
            lemica_fail(LEMICA_ERR_INVALID_VALUE,
                        "%s value %zu is not finite", name, i);
            return 0;
        }
    }
    direction = grid[1] > grid[0] ? 1 : -1;
    for (size_t i = 1; i < count; i++) {
        if (!(direction > 0 ? grid[i] > grid[i - 1] : grid[i] < grid[i - 1])) {
            lemica_fail(LEMICA_ERR_INVALID_VALUE,
                        "%s is not strictly monotone at value %zu (%.17g "
                        "after %.17g)",
                        name, i, grid[i], grid[i - 1]);
            return 0;
        }
    }
    return direction;
}

lemica_status
lemica_time_grid_shifted(int num_steps, double shift, double *grid,
                         size_t capacity)
{
    if (grid == NULL)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "grid is NULL");
    if (num_steps < 1 || num_steps > LEMICA_MAX_STEPS)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT,
                           "num_steps %d is outside 1 .. %d", num_steps,
                           LEMICA_MAX_STEPS);
    if (!(shift > 0.0) || !isfinite(shift))
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT,
                           "shift %g is not a positive finite number", shift);
    if (capacity < (size_t)num_steps + 1)
        return lemica_fail(LEMICA_ERR_TOO_LARGE,
                           "a grid of %d steps needs %d values, the buffer "
                           "holds %zu",
                           num_steps, num_steps + 1, capacity);
    for (int i = 0; i <= num_steps; i++) {
        double u = 1.0 - (double)i / (double)num_steps;

        grid[i] = shift * u / (1.0 + (shift - 1.0) * u);
    }
    /* Exact ends whatever the rounding. */
    grid[0] = 1.0;
    grid[num_steps] = 0.0;
    return LEMICA_OK;
}

lemica_status
lemica_time_grid_set(lemica_metadata *metadata, const double *grid,
                     size_t count)
{
    char text[LEMICA_METADATA_MAX_VALUE + LEMICA_DOUBLE_TEXT_SIZE];
    size_t length = 0;

    if (metadata == NULL || grid == NULL)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT,
                           "metadata or grid is NULL");
    if (count < 3)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT,
                           "a time grid has N + 1 >= 3 values, not %zu",
                           count);
    if (count > LEMICA_TIME_GRID_MAX_VALUES)
        return lemica_fail(LEMICA_ERR_TOO_LARGE,
                           "a time grid in metadata holds at most %d values, "
                           "not %zu",
                           LEMICA_TIME_GRID_MAX_VALUES, count);
    if (grid_direction(grid, count, "the time grid") == 0)
        return LEMICA_ERR_INVALID_VALUE;
    for (size_t i = 0; i < count; i++) {
        lemica_status status;

        if (i > 0)
            text[length++] = ',';
        /* At most 24 characters each (see numtext-int.h): 170 values and
         * their commas fit in the value limit. */
        status = lemica_format_double(grid[i] == 0.0 ? 0.0 : grid[i],
                                      text + length, sizeof(text) - length);
        if (status != LEMICA_OK)
            return status;
        length += strlen(text + length);
    }
    return lemica_metadata_set(metadata, LEMICA_TIME_GRID_KEY, text);
}

/* Parse the recorded grid into @grid (or only count it when @grid is
 * NULL). */
static lemica_status
parse_grid(const char *text, double *grid, size_t capacity, size_t *count)
{
    size_t values = 0;
    const char *at = text;

    for (;;) {
        const char *end = strchr(at, ',');
        size_t length = end ? (size_t)(end - at) : strlen(at);
        double value;
        lemica_status status = lemica_parse_double(at, length, &value);

        if (status == LEMICA_ERR_NO_MEMORY)
            return status;
        if (status != LEMICA_OK || !isfinite(value))
            return lemica_fail(LEMICA_ERR_PARSE,
                               "metadata %s: value %zu \"%.*s\" is not a "
                               "decimal number",
                               LEMICA_TIME_GRID_KEY, values + 1, (int)length,
                               at);
        if (grid != NULL && values < capacity)
            grid[values] = value;
        values++;
        if (end == NULL)
            break;
        at = end + 1;
    }
    *count = values;
    return LEMICA_OK;
}

lemica_status
lemica_time_grid_get(const lemica_metadata *metadata, double *grid,
                     size_t capacity, size_t *count)
{
    double check[LEMICA_TIME_GRID_MAX_VALUES];
    const char *text;
    size_t values = 0;
    lemica_status status;

    if (metadata == NULL)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "metadata is NULL");
    if (grid == NULL && capacity > 0)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT,
                           "grid is NULL with a capacity of %zu", capacity);
    text = lemica_metadata_get(metadata, LEMICA_TIME_GRID_KEY);
    if (text == NULL)
        return lemica_fail(LEMICA_ERR_NOT_FOUND, "no %s in the metadata",
                           LEMICA_TIME_GRID_KEY);
    status = parse_grid(text, check, LEMICA_TIME_GRID_MAX_VALUES, &values);
    if (status != LEMICA_OK)
        return status;
    if (values < 3 || values > LEMICA_TIME_GRID_MAX_VALUES)
        return lemica_fail(LEMICA_ERR_PARSE,
                           "metadata %s has %zu values, not 3 .. %d",
                           LEMICA_TIME_GRID_KEY, values,
                           LEMICA_TIME_GRID_MAX_VALUES);
    /* grid_direction() has recorded the message. */
    if (grid_direction(check, values, "the recorded time grid") == 0)
        return LEMICA_ERR_PARSE;
    if (count != NULL)
        *count = values;
    if (capacity < values) {
        if (grid == NULL)
            return lemica_fail(LEMICA_ERR_TOO_LARGE,
                               "the recorded time grid has %zu values",
                               values);
        return lemica_fail(LEMICA_ERR_TOO_LARGE,
                           "the recorded time grid has %zu values, the "
                           "buffer holds %zu",
                           values, capacity);
    }
    memcpy(grid, check, values * sizeof(double));
    return LEMICA_OK;
}

static int
same_value(double a, double b)
{
    double scale = fmax(fabs(a), fabs(b));

    return fabs(a - b) <=
           fmax(GRID_ABSOLUTE_TOLERANCE, GRID_RELATIVE_TOLERANCE * scale);
}

lemica_status
lemica_time_grid_check(const lemica_metadata *metadata, const double *grid,
                       size_t count)
{
    double recorded[LEMICA_TIME_GRID_MAX_VALUES];
    size_t values = 0;
    lemica_status status;

    if (metadata == NULL || grid == NULL)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT,
                           "metadata or grid is NULL");
    status = lemica_time_grid_get(metadata, recorded,
                                  LEMICA_TIME_GRID_MAX_VALUES, &values);
    if (status != LEMICA_OK)
        return status;
    if (values != count)
        return lemica_fail(LEMICA_ERR_MISMATCH,
                           "planned for a grid of %zu steps, not %zu",
                           values - 1, count > 0 ? count - 1 : 0);
    for (size_t i = 0; i < count; i++) {
        if (!same_value(recorded[i], grid[i]))
            return lemica_fail(LEMICA_ERR_MISMATCH,
                               "planned for another time grid: value %zu is "
                               "%.17g there, %.17g here",
                               i, recorded[i], grid[i]);
    }
    return LEMICA_OK;
}

/* The two grids of a transfer, checked once. */
struct grid_pair {
    const double *source;
    size_t source_count;
    const double *target;
    size_t target_count;
    int direction;
};

static lemica_status
check_grids(struct grid_pair *pair)
{
    int source_direction, target_direction;
    double first, last, slack;

    if (pair->source == NULL || pair->target == NULL)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "a grid is NULL");
    if (pair->source_count < 3 || pair->target_count < 3)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT,
                           "grids have N + 1 >= 3 values (source %zu, "
                           "target %zu)",
                           pair->source_count, pair->target_count);
    if (pair->target_count - 1 > LEMICA_MAX_STEPS)
        return lemica_fail(LEMICA_ERR_TOO_LARGE,
                           "the target grid has %zu steps, more than %d",
                           pair->target_count - 1, LEMICA_MAX_STEPS);
    source_direction =
        grid_direction(pair->source, pair->source_count, "the source grid");
    if (source_direction == 0)
        return LEMICA_ERR_INVALID_VALUE;
    target_direction =
        grid_direction(pair->target, pair->target_count, "the target grid");
    if (target_direction == 0)
        return LEMICA_ERR_INVALID_VALUE;
    if (source_direction != target_direction)
        return lemica_fail(LEMICA_ERR_INVALID_VALUE,
                           "the source grid %s, the target grid %s",
                           source_direction > 0 ? "increases" : "decreases",
                           target_direction > 0 ? "increases" : "decreases");
    first = pair->source[0];
    last = pair->source[pair->source_count - 1];
    slack = RANGE_SLACK * fabs(last - first);
    if ((pair->target[0] - first) * source_direction < -slack ||
        (pair->target[pair->target_count - 1] - last) * source_direction >
            slack)
        return lemica_fail(LEMICA_ERR_INVALID_VALUE,
                           "the target grid (%.17g .. %.17g) leaves the "
                           "source grid's range (%.17g .. %.17g)",
                           pair->target[0],
                           pair->target[pair->target_count - 1], first, last);
    pair->direction = source_direction;
    return LEMICA_OK;
}

/* Where @value falls on the source grid, as a fractional index in
 * 0 .. source_count - 1 (the inverse of its piecewise-linear
 * interpolation; values past the ends, within the slack, clamp). */
static double
source_position(const struct grid_pair *pair, double value)
{
    const double *grid = pair->source;
    size_t low = 0, high = pair->source_count - 1;

    if ((value - grid[low]) * pair->direction <= 0.0)
        return 0.0;
    if ((value - grid[high]) * pair->direction >= 0.0)
        return (double)high;
    /* grid[low] < value < grid[high] in the grid's direction. */
    while (high - low > 1) {
        size_t middle = low + (high - low) / 2;

        if ((value - grid[middle]) * pair->direction >= 0.0)
            low = middle;
        else
            high = middle;
    }
    return (double)low + (value - grid[low]) / (grid[high] - grid[low]);
}

/* The source weight of (p, q) for the interpolation: 0 without a reused
 * step (q <= p), NaN where the source has no edge. */
static double
corner_weight(const lemica_graph *source, int p, int q)
{
    double weight;

    if (q <= p)
        return 0.0;
    if (q - p > lemica_graph_max_skip(source) ||
        lemica_graph_get_weight(source, p, q, &weight) != LEMICA_OK)
        return (double)NAN;
    return weight;
}

/* Split a fractional step into its cell (0 .. last - 1) and the fraction
 * in it. */
static void
split_position(double position, int last, int *cell, double *fraction)
{
    int floor_position = (int)position;

    if (floor_position >= last) {
        *cell = last - 1;
        *fraction = 1.0;
    } else {
        *cell = floor_position;
        *fraction = position - floor_position;
    }
}

/* The bilinear interpolation of the source weights at steps (a, b),
 * a < b, both in 0 .. N - 1; NaN when a needed corner is absent. */
static double
interpolate(const lemica_graph *source, double a, double b)
{
    int last = lemica_graph_num_steps(source) - 1;
    int p, q;
    double fp, fq, sum = 0.0;

    split_position(a, last, &p, &fp);
    split_position(b, last, &q, &fq);
    for (int dp = 0; dp <= 1; dp++) {
        double wp = dp ? fp : 1.0 - fp;

        if (wp == 0.0)
            continue;
        for (int dq = 0; dq <= 1; dq++) {
            double wq = dq ? fq : 1.0 - fq;
            double corner;

            if (wq == 0.0)
                continue;
            corner = corner_weight(source, p + dp, q + dq);
            if (isnan(corner))
                return (double)NAN;
            sum += wp * wq * corner;
        }
    }
    return sum;
}

/* The source position of every target step: positions[i'] for
 * i' = 0 .. N' - 1, clamped to the source's last step. Computed on the
 * fly (a binary search each) to keep transfer free of allocations but the
 * graph's own. */
static double
target_position(const struct grid_pair *pair, int step)
{
    double position = source_position(pair, pair->target[step]);
    double last = (double)(pair->source_count - 2);

    return position > last ? last : position;
}

lemica_status
lemica_graph_transfer(const lemica_graph *source, const double *source_grid,
                      size_t source_count, const double *target_grid,
                      size_t target_count, lemica_graph **out)
{
    struct grid_pair pair = {source_grid, source_count, target_grid,
                             target_count, 0};
    lemica_graph *graph = NULL;
    lemica_status status;
    int target_steps, max_span = 1;

    if (out == NULL)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "out is NULL");
    *out = NULL;
    if (source == NULL)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "source is NULL");
    if (source_count != (size_t)lemica_graph_num_steps(source) + 1)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT,
                           "the source grid has %zu values; a graph of %d "
                           "steps needs %d",
                           source_count, lemica_graph_num_steps(source),
                           lemica_graph_num_steps(source) + 1);
    status = check_grids(&pair);
    if (status != LEMICA_OK)
        return status;
    target_steps = (int)(target_count - 1);

    /* First pass: the longest span with a present edge, the new graph's
     * max skip. Along one start, once an edge is absent because its end
     * passed the source's reach, every longer one is too. */
    for (int from = 0; from < target_steps; from++) {
        double a = target_position(&pair, from);

        for (int to = from + 2; to < target_steps; to++) {
            if (isnan(interpolate(source, a, target_position(&pair, to)))) {
                /* Every corner is then more than K source steps apart. */
                if (target_position(&pair, to) - a >
                    lemica_graph_max_skip(source) + 2)
                    break;
                continue;
            }
            if (to - from > max_span)
                max_span = to - from;
        }
    }
    status = lemica_graph_new(target_steps, max_span, &graph);
    if (status != LEMICA_OK)
        return status;
    for (int from = 0; from < target_steps; from++) {
        double a = target_position(&pair, from);
        int last = from + max_span < target_steps - 1 ? from + max_span
                                                      : target_steps - 1;

        for (int to = from + 2; to <= last; to++) {
            double weight = interpolate(source, a, target_position(&pair, to));

            if (isnan(weight))
                continue;
            status = lemica_graph_set_weight(graph, from, to, weight);
            if (status != LEMICA_OK) {
                lemica_graph_free(graph);
                return status;
            }
        }
    }
    *out = graph;
    return LEMICA_OK;
}

lemica_status
lemica_time_grid_distance(const double *source_grid, size_t source_count,
                          const double *target_grid, size_t target_count,
                          double *distance)
{
    struct grid_pair pair = {source_grid, source_count, target_grid,
                             target_count, 0};
    double worst = 0.0, source_steps, target_steps;
    lemica_status status;

    if (distance == NULL)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "distance is NULL");
    status = check_grids(&pair);
    if (status != LEMICA_OK)
        return status;
    source_steps = (double)(source_count - 1);
    target_steps = (double)(target_count - 1);
    for (size_t i = 0; i < target_count; i++) {
        double position = source_position(&pair, target_grid[i]);
        double gap = fabs(position / source_steps - (double)i / target_steps);

        if (gap > worst)
            worst = gap;
    }
    *distance = worst;
    return LEMICA_OK;
}
