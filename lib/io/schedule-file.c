/* SPDX-License-Identifier: MIT */
/* The schedule file format (see lemica-file.h). It belongs to the
 * schedule module: a loaded file restores the cost vector and its sum
 * exactly, which the public API cannot set. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lemica/lemica-file.h"

#include "../common/alloc-int.h"
#include "../common/error-int.h"
#include "file-io-int.h"
#include "file-parse-int.h"
#include "metadata-int.h"
#include "../core/schedule-int.h"

#define SCHEDULE_KIND "lemica-schedule"

#define QUOTE_LIMIT 40

static int
quote_length(size_t length)
{
    return length > QUOTE_LIMIT ? QUOTE_LIMIT : (int)length;
}

static lemica_status
check_sizes(int num_steps, int budget, int expected_num_steps)
{
    if (num_steps < 2)
        return lemica_fail(LEMICA_ERR_PARSE,
                           "line 2: num_steps %d: a schedule has at least 2 "
                           "steps",
                           num_steps);
    if (num_steps > LEMICA_MAX_STEPS)
        return lemica_fail(LEMICA_ERR_TOO_LARGE,
                           "line 2: num_steps %d is above the maximum of %d",
                           num_steps, LEMICA_MAX_STEPS);
    /* Checked before the rest of the file: a runtime loading a schedule
     * for the wrong step count needs this message above all. */
    if (expected_num_steps > 0 && num_steps != expected_num_steps)
        return lemica_fail(LEMICA_ERR_MISMATCH,
                           "line 2: the schedule was planned for %d steps, "
                           "not %d",
                           num_steps, expected_num_steps);
    if (budget < 2 || budget > num_steps)
        return lemica_fail(LEMICA_ERR_PARSE,
                           "line 3: budget %d is outside 2 .. %d (num_steps)",
                           budget, num_steps);
    return LEMICA_OK;
}

/* The "steps" line: a step list of exactly @budget steps. */
static lemica_status
parse_steps_line(const char *line, size_t length, size_t line_number,
                 int num_steps, int budget, lemica_schedule **out)
{
    char message[512];
    lemica_status status;

    if (length <= strlen("steps "))
        return lemica_fail(LEMICA_ERR_PARSE,
                           "line %zu: \"steps\" without a step list",
                           line_number);
    status = lemica_schedule_parse_steps(num_steps, line + strlen("steps "),
                                         length - strlen("steps "), out);
    if (status != LEMICA_OK) {
        snprintf(message, sizeof(message), "%s", lemica_last_error_message());
        return lemica_fail(status, "line %zu: %s", line_number, message);
    }
    if (lemica_schedule_budget(*out) != budget) {
        status = lemica_fail(LEMICA_ERR_PARSE,
                             "line %zu: %d steps are listed, but line 3 says "
                             "budget %d",
                             line_number, lemica_schedule_budget(*out), budget);
        lemica_schedule_free(*out);
        *out = NULL;
        return status;
    }
    return LEMICA_OK;
}

/* The "costs" line: B - 1 values, comma-separated, descending. They go
 * straight into the schedule's cost array (reserved by the caller). */
static lemica_status
parse_costs_line(const char *line, size_t length, size_t line_number,
                 lemica_schedule *schedule)
{
    size_t expected = (size_t)schedule->budget - 1;
    size_t position = strlen("costs ");
    size_t count = 0;
    lemica_status status;

    if (length <= position)
        return lemica_fail(LEMICA_ERR_PARSE,
                           "line %zu: \"costs\" without values", line_number);
    while (position <= length) {
        const char *start = line + position;
        const char *comma = memchr(start, ',', length - position);
        size_t field = comma ? (size_t)(comma - start) : length - position;
        char what[32];
        double value;

        if (count == expected)
            return lemica_fail(LEMICA_ERR_PARSE,
                               "line %zu: more than the %zu costs of a "
                               "budget of %d",
                               line_number, expected, schedule->budget);
        snprintf(what, sizeof(what), "cost %zu", count);
        status =
            lemica_file_parse_weight(start, field, line_number, what, &value);
        if (status != LEMICA_OK)
            return status;
        if (count > 0 && value > schedule->costs[count - 1])
            return lemica_fail(LEMICA_ERR_PARSE,
                               "line %zu: cost %zu (%.*s) is larger than the "
                               "one before it: costs are sorted worst first",
                               line_number, count, quote_length(field), start);
        schedule->costs[count++] = value;
        position += field + 1;
    }
    if (count != expected)
        return lemica_fail(LEMICA_ERR_PARSE,
                           "line %zu: %zu costs, but a budget of %d has %zu "
                           "segments",
                           line_number, count, schedule->budget, expected);
    return LEMICA_OK;
}

static lemica_status
parse_sum_line(const char *line, size_t length, size_t line_number,
               lemica_schedule *schedule, double *sum)
{
    const char *value = line + strlen("sum ");
    size_t value_length;
    lemica_status status;

    if (!lemica_line_has_key(line, length, "sum") || length <= strlen("sum "))
        return lemica_fail(LEMICA_ERR_PARSE,
                           "line %zu: expected \"sum\" and the path-order "
                           "sum of the costs, found \"%.*s\"",
                           line_number, quote_length(length), line);
    value_length = length - strlen("sum ");
    /* A sum of finite costs can overflow; it is written as "inf". */
    if (value_length == 3 && memcmp(value, "inf", 3) == 0) {
        *sum = (double)INFINITY;
        return LEMICA_OK;
    }
    status =
        lemica_file_parse_weight(value, value_length, line_number, "sum", sum);
    if (status != LEMICA_OK)
        return status;
    /* Rounding is monotone, so a sum of non-negative values is never below
     * its largest term. */
    if (*sum < schedule->costs[0])
        return lemica_fail(LEMICA_ERR_PARSE,
                           "line %zu: sum %.*s is less than the largest cost",
                           line_number, quote_length(value_length), value);
    return LEMICA_OK;
}

static lemica_status
parse_body(struct lemica_line_reader *reader, int num_steps, int budget,
           lemica_metadata *metadata, lemica_schedule **out)
{
    lemica_schedule *schedule = NULL;
    const char *line;
    size_t length;
    double sum = 0.0;
    lemica_status status;

    for (;;) {
        if (!lemica_line_next(reader, &line, &length))
            return lemica_fail(LEMICA_ERR_PARSE,
                               "line %zu: the text ends before \"steps\": "
                               "the file is truncated",
                               reader->line_number + 1);
        if (lemica_line_has_key(line, length, "steps"))
            break;
        status = lemica_file_parse_metadata_line(line, length,
                                                 reader->line_number, metadata);
        if (status != LEMICA_OK)
            return status;
    }
    status = parse_steps_line(line, length, reader->line_number, num_steps,
                              budget, &schedule);
    if (status != LEMICA_OK)
        return status;

    if (!lemica_line_next(reader, &line, &length)) {
        status = lemica_fail(LEMICA_ERR_PARSE,
                             "line %zu: the text ends before \"end\": the "
                             "file is truncated",
                             reader->line_number + 1);
        goto fail;
    }
    if (length == 3 && memcmp(line, "end", 3) == 0) {
        if (lemica_line_next(reader, &line, &length)) {
            status =
                lemica_fail(LEMICA_ERR_PARSE, "line %zu: text after \"end\"",
                            reader->line_number);
            goto fail;
        }
        *out = schedule;
        return LEMICA_OK;
    }
    if (!lemica_line_has_key(line, length, "costs")) {
        status = lemica_fail(LEMICA_ERR_PARSE,
                             "line %zu: expected \"costs\" or \"end\" after "
                             "the steps, found \"%.*s\"",
                             reader->line_number, quote_length(length), line);
        goto fail;
    }
    status = lemica_schedule_reserve(schedule, num_steps, budget);
    if (status == LEMICA_OK)
        status = parse_costs_line(line, length, reader->line_number, schedule);
    if (status != LEMICA_OK)
        goto fail;
    if (!lemica_line_next(reader, &line, &length)) {
        status = lemica_fail(LEMICA_ERR_PARSE,
                             "line %zu: the text ends before \"sum\": the "
                             "file is truncated",
                             reader->line_number + 1);
        goto fail;
    }
    status = parse_sum_line(line, length, reader->line_number, schedule, &sum);
    if (status == LEMICA_OK)
        status = lemica_file_expect_end(reader, "the sum");
    if (status != LEMICA_OK)
        goto fail;
    schedule->max_cost = schedule->costs[0];
    schedule->sum_cost = sum;
    schedule->has_costs = 1;
    *out = schedule;
    return LEMICA_OK;
fail:
    lemica_schedule_free(schedule);
    return status;
}

lemica_status
lemica_schedule_parse(const char *text, size_t length, int expected_num_steps,
                      lemica_metadata *metadata, lemica_schedule **out)
{
    struct lemica_line_reader reader;
    lemica_metadata parsed = {NULL, 0, 0};
    int num_steps = 0;
    int budget = 0;
    lemica_status status;

    if (!out)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "out is NULL");
    *out = NULL;
    if (!text && length > 0)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "text is NULL");
    if (expected_num_steps < 0)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT,
                           "expected_num_steps must be 0 (any) or the step "
                           "count, not %d",
                           expected_num_steps);
    status =
        lemica_file_begin(&reader, text, length, SCHEDULE_KIND, &num_steps);
    if (status != LEMICA_OK)
        return status;
    status = lemica_file_next_int_line(&reader, "budget", &budget);
    /* The step count is checked first, even when the budget is bad. */
    if (status == LEMICA_OK ||
        (expected_num_steps > 0 && num_steps != expected_num_steps))
        status = check_sizes(num_steps, budget, expected_num_steps);
    if (status != LEMICA_OK)
        return status;

    status = parse_body(&reader, num_steps, budget, &parsed, out);
    return lemica_metadata_finish_parse(&parsed, metadata, status);
}

struct schedule_load {
    int expected_num_steps;
    lemica_metadata *metadata;
    lemica_schedule **out;
};

static lemica_status
parse_schedule_text(const char *text, size_t length, void *context)
{
    struct schedule_load *load = context;

    return lemica_schedule_parse(text, length, load->expected_num_steps,
                                 load->metadata, load->out);
}

lemica_status
lemica_schedule_load(const char *path, int expected_num_steps,
                     lemica_metadata *metadata, lemica_schedule **out)
{
    struct schedule_load load = {expected_num_steps, metadata, out};

    if (!out)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "out is NULL");
    *out = NULL;
    return lemica_load_text_file(path, parse_schedule_text, &load);
}

struct schedule_file {
    const lemica_schedule *schedule;
    const lemica_metadata *metadata;
};

static lemica_status
produce_schedule(const void *object, struct lemica_writer *writer)
{
    const struct schedule_file *file = object;
    const lemica_schedule *schedule = file->schedule;

    lemica_file_write_header(writer, SCHEDULE_KIND);
    lemica_file_write_int_line(writer, "num_steps", schedule->num_steps);
    lemica_file_write_int_line(writer, "budget", schedule->budget);
    lemica_file_write_metadata(writer, file->metadata);
    lemica_writer_puts(writer, "steps ");
    for (int index = 0; index < schedule->budget; index++) {
        if (index > 0)
            lemica_writer_put(writer, ",", 1);
        lemica_writer_int(writer, schedule->steps[index]);
    }
    lemica_writer_put(writer, "\n", 1);
    if (schedule->has_costs) {
        lemica_writer_puts(writer, "costs ");
        for (int index = 0; index + 1 < schedule->budget; index++) {
            if (index > 0)
                lemica_writer_put(writer, ",", 1);
            lemica_writer_double(writer, schedule->costs[index]);
        }
        lemica_writer_puts(writer, "\nsum ");
        if (isinf(schedule->sum_cost))
            lemica_writer_puts(writer, "inf");
        else
            lemica_writer_double(writer, schedule->sum_cost);
        lemica_writer_put(writer, "\n", 1);
    }
    lemica_writer_puts(writer, "end\n");
    return writer->status;
}

static lemica_status
check_schedule(const lemica_schedule *schedule)
{
    if (!schedule)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "schedule is NULL");
    if (schedule->budget < 2)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT,
                           "the schedule holds no steps");
    return LEMICA_OK;
}

lemica_status
lemica_schedule_format(const lemica_schedule *schedule,
                       const lemica_metadata *metadata, char *buffer,
                       size_t size, size_t *length)
{
    struct schedule_file file = {schedule, metadata};
    lemica_status status = check_schedule(schedule);

    if (status != LEMICA_OK)
        return status;
    return lemica_produce_to_buffer(produce_schedule, &file, buffer, size,
                                    length);
}

lemica_status
lemica_schedule_save(const lemica_schedule *schedule,
                     const lemica_metadata *metadata, const char *path)
{
    struct schedule_file file = {schedule, metadata};
    lemica_status status = check_schedule(schedule);

    if (status != LEMICA_OK)
        return status;
    if (!path)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "path is NULL");
    return lemica_save_atomic(path, produce_schedule, &file);
}
