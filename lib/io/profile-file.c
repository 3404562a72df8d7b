/* SPDX-License-Identifier: MIT */
/* The profile file format (see lemica-file.h): the full accumulator state,
 * so that shards saved on different machines merge as if never saved. It
 * uses the profiler's public API plus exact access to each segment's
 * running state (profiler-raw-int.h). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "lemica/lemica-file.h"

#include "../common/alloc-int.h"
#include "../common/error-int.h"
#include "file-io-int.h"
#include "file-parse-int.h"
#include "metadata-int.h"
#include "../common/numtext-int.h"
#include "../profile/profiler-raw-int.h"

#define PROFILE_KIND "lemica-profile"

#define QUOTE_LIMIT 40

/* Fields of a segment line: i j count mean m2 min max. */
#define SEGMENT_FIELDS 7

static int
quote_length(size_t length)
{
    return length > QUOTE_LIMIT ? QUOTE_LIMIT : (int)length;
}

static const struct {
    const char *name;
    lemica_metric metric;
} metric_names[] = {
    {"l1", LEMICA_METRIC_L1},
    {"mse", LEMICA_METRIC_MSE},
    {"relative_l1", LEMICA_METRIC_RELATIVE_L1},
};

static const char *
metric_name(lemica_metric metric)
{
    for (size_t index = 0;
         index < sizeof(metric_names) / sizeof(metric_names[0]); index++)
        if (metric_names[index].metric == metric)
            return metric_names[index].name;
    return NULL;
}

static lemica_status
parse_metric_line(const char *line, size_t length, lemica_metric *metric)
{
    const char *name = line + strlen("metric ");

    if (lemica_line_has_key(line, length, "metric") &&
        length > strlen("metric "))
        for (size_t index = 0;
             index < sizeof(metric_names) / sizeof(metric_names[0]); index++)
            if (strlen(metric_names[index].name) ==
                    length - strlen("metric ") &&
                memcmp(metric_names[index].name, name,
                       length - strlen("metric ")) == 0) {
                *metric = metric_names[index].metric;
                return LEMICA_OK;
            }
    return lemica_fail(LEMICA_ERR_PARSE,
                       "line 4: expected \"metric\" and one of l1, mse, "
                       "relative_l1, found \"%.*s\"",
                       quote_length(length), line);
}

/* A sample count: decimal digits, at most 2^64 - 1. */
static lemica_status
parse_count(const char *text, size_t length, size_t line_number,
            uint64_t *count)
{
    uint64_t value = 0;

    if (length == 0)
        return lemica_fail(LEMICA_ERR_PARSE, "line %zu: the count is empty",
                           line_number);
    for (size_t pos = 0; pos < length; pos++) {
        unsigned digit;

        if (text[pos] < '0' || text[pos] > '9')
            return lemica_fail(LEMICA_ERR_PARSE,
                               "line %zu: count \"%.*s\" is not a "
                               "non-negative integer",
                               line_number, quote_length(length), text);
        digit = (unsigned)(text[pos] - '0');
        if (value > (UINT64_MAX - digit) / 10)
            return lemica_fail(LEMICA_ERR_TOO_LARGE,
                               "line %zu: count %.*s is above 2^64 - 1",
                               line_number, quote_length(length), text);
        value = value * 10 + digit;
    }
    if (value == 0)
        return lemica_fail(LEMICA_ERR_PARSE,
                           "line %zu: count 0: only segments with samples "
                           "are listed",
                           line_number);
    *count = value;
    return LEMICA_OK;
}

static lemica_status
parse_step(const char *text, size_t length, size_t line_number, int *step)
{
    lemica_status status = lemica_parse_int(text, length, step);

    if (status == LEMICA_ERR_TOO_LARGE)
        return lemica_fail(LEMICA_ERR_OUT_OF_RANGE,
                           "line %zu: step %.*s is outside the profile",
                           line_number, quote_length(length), text);
    if (status != LEMICA_OK)
        return lemica_fail(LEMICA_ERR_PARSE,
                           "line %zu: step \"%.*s\" is not a non-negative "
                           "integer",
                           line_number, quote_length(length), text);
    return LEMICA_OK;
}

static lemica_status
parse_segment(lemica_profiler *profiler, const char *line, size_t length,
              size_t line_number)
{
    static const char *const names[] = {"mean", "m2", "min", "max"};
    const char *fields[SEGMENT_FIELDS];
    size_t lengths[SEGMENT_FIELDS];
    struct lemica_profiler_raw raw;
    struct lemica_profiler_raw existing;
    double values[4];
    size_t start = 0;
    size_t count = 0;
    int from;
    int to;
    lemica_status status;

    for (size_t pos = 0; pos <= length; pos++) {
        if (pos < length && line[pos] != ' ')
            continue;
        if (count == SEGMENT_FIELDS) {
            count++;
            break;
        }
        fields[count] = line + start;
        lengths[count] = pos - start;
        count++;
        start = pos + 1;
    }
    if (count != SEGMENT_FIELDS)
        return lemica_fail(LEMICA_ERR_PARSE,
                           "line %zu: expected \"i j count mean m2 min max\", "
                           "found \"%.*s\"",
                           line_number, quote_length(length), line);
    status = parse_step(fields[0], lengths[0], line_number, &from);
    if (status == LEMICA_OK)
        status = parse_step(fields[1], lengths[1], line_number, &to);
    if (status != LEMICA_OK)
        return status;
    if (to - from < 2 || to >= lemica_profiler_num_steps(profiler) ||
        to - from > lemica_profiler_max_skip(profiler))
        return lemica_fail(LEMICA_ERR_OUT_OF_RANGE,
                           "line %zu: segment (%d, %d) is not one of a "
                           "profile of %d steps with max skip %d (spans 2 "
                           ".. %d)",
                           line_number, from, to,
                           lemica_profiler_num_steps(profiler),
                           lemica_profiler_max_skip(profiler),
                           lemica_profiler_max_skip(profiler));
    status = parse_count(fields[2], lengths[2], line_number, &raw.count);
    if (status != LEMICA_OK)
        return status;
    for (int index = 0; index < 4; index++) {
        char what[64];

        snprintf(what, sizeof(what), "%s of segment (%d, %d)", names[index],
                 from, to);
        status = lemica_file_parse_weight(fields[3 + index], lengths[3 + index],
                                          line_number, what, &values[index]);
        if (status != LEMICA_OK)
            return status;
    }
    raw.mean = values[0];
    raw.m2 = values[1];
    raw.min = values[2];
    raw.max = values[3];
    if (raw.min > raw.max)
        return lemica_fail(LEMICA_ERR_PARSE,
                           "line %zu: segment (%d, %d) has min above max",
                           line_number, from, to);
    lemica_profiler_raw_get(profiler, from, to, &existing);
    if (existing.count != 0)
        return lemica_fail(LEMICA_ERR_PARSE,
                           "line %zu: segment (%d, %d) is listed twice",
                           line_number, from, to);
    lemica_profiler_raw_set(profiler, from, to, &raw);
    return LEMICA_OK;
}

static lemica_status
parse_body(struct lemica_line_reader *reader, int num_steps, int max_skip,
           lemica_metric metric, lemica_metadata *metadata,
           lemica_profiler **out)
{
    lemica_profiler *profiler = NULL;
    const char *line;
    size_t length;
    size_t segments_line;
    int count;
    lemica_status status;

    for (;;) {
        if (!lemica_line_next(reader, &line, &length))
            return lemica_fail(LEMICA_ERR_PARSE,
                               "line %zu: the text ends before \"segments\": "
                               "the file is truncated",
                               reader->line_number + 1);
        if (lemica_line_has_key(line, length, "segments"))
            break;
        if (lemica_line_has_key(line, length, "metric"))
            return lemica_fail(LEMICA_ERR_PARSE,
                               "line %zu: a second \"metric\" (line 4 gives "
                               "the profile's metric)",
                               reader->line_number);
        status = lemica_file_parse_metadata_line(line, length,
                                                 reader->line_number, metadata);
        if (status != LEMICA_OK)
            return status;
    }
    segments_line = reader->line_number;
    status = lemica_file_parse_int_line(line, length, segments_line, "segments",
                                        &count);
    if (status == LEMICA_OK &&
        (size_t)count > lemica_file_possible_edges(num_steps, max_skip, 2))
        status =
            lemica_fail(LEMICA_ERR_PARSE,
                        "line %zu: %d segments, but a profile of %d "
                        "steps with max skip %d has at most %zu",
                        segments_line, count, num_steps, max_skip,
                        lemica_file_possible_edges(num_steps, max_skip, 2));
    if (status != LEMICA_OK)
        return status;
    status = lemica_profiler_new(num_steps, max_skip, metric, &profiler);
    if (status != LEMICA_OK)
        return status;
    for (int index = 0; index < count; index++) {
        if (!lemica_line_next(reader, &line, &length)) {
            status = lemica_fail(LEMICA_ERR_PARSE,
                                 "line %zu: the text ends after %d of the %d "
                                 "segments announced on line %zu: the file "
                                 "is truncated",
                                 reader->line_number + 1, index, count,
                                 segments_line);
            goto fail;
        }
        if (length == 3 && memcmp(line, "end", 3) == 0) {
            status =
                lemica_fail(LEMICA_ERR_PARSE,
                            "line %zu: \"end\" after %d of the %d "
                            "segments announced on line %zu",
                            reader->line_number, index, count, segments_line);
            goto fail;
        }
        status = parse_segment(profiler, line, length, reader->line_number);
        if (status != LEMICA_OK)
            goto fail;
    }
    status = lemica_file_expect_end(reader, "the segments");
    if (status != LEMICA_OK)
        goto fail;
    *out = profiler;
    return LEMICA_OK;
fail:
    lemica_profiler_free(profiler);
    return status;
}

lemica_status
lemica_profiler_parse(const char *text, size_t length,
                      lemica_metadata *metadata, lemica_profiler **out)
{
    struct lemica_line_reader reader;
    lemica_metadata parsed = {NULL, 0, 0};
    lemica_metric metric = LEMICA_METRIC_L1;
    const char *line = "";
    size_t line_length;
    int num_steps = 0;
    int max_skip = 0;
    lemica_status status;

    if (!out)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "out is NULL");
    *out = NULL;
    if (!text && length > 0)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "text is NULL");
    status = lemica_file_begin(&reader, text, length, PROFILE_KIND, &num_steps);
    if (status == LEMICA_OK)
        status = lemica_file_next_int_line(&reader, "max_skip", &max_skip);
    if (status == LEMICA_OK)
        status = lemica_file_check_dag_size(num_steps, max_skip, "profile");
    /* Checked here too, before the profiler is made, so that the message
     * names the line. */
    if (status == LEMICA_OK &&
        (size_t)num_steps * (size_t)max_skip > LEMICA_MAX_PROFILER_SLOTS)
        status = lemica_fail(LEMICA_ERR_TOO_LARGE,
                             "line 3: a profile of %d steps with max skip %d "
                             "needs %zu segment slots, above the maximum of "
                             "%lu",
                             num_steps, max_skip,
                             (size_t)num_steps * (size_t)max_skip,
                             (unsigned long)LEMICA_MAX_PROFILER_SLOTS);
    if (status != LEMICA_OK)
        return status;
    if (!lemica_line_next(&reader, &line, &line_length))
        line_length = 0;
    status = parse_metric_line(line, line_length, &metric);
    if (status != LEMICA_OK)
        return status;

    status = parse_body(&reader, num_steps, max_skip, metric, &parsed, out);
    return lemica_metadata_finish_parse(&parsed, metadata, status);
}

struct profile_load {
    lemica_metadata *metadata;
    lemica_profiler **out;
};

static lemica_status
parse_profile_text(const char *text, size_t length, void *context)
{
    struct profile_load *load = context;

    return lemica_profiler_parse(text, length, load->metadata, load->out);
}

lemica_status
lemica_profiler_load(const char *path, lemica_metadata *metadata,
                     lemica_profiler **out)
{
    struct profile_load load = {metadata, out};

    if (!out)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "out is NULL");
    *out = NULL;
    return lemica_load_text_file(path, parse_profile_text, &load);
}

struct profile_file {
    const lemica_profiler *profiler;
    const lemica_metadata *metadata;
};

static lemica_status
produce_profile(const void *object, struct lemica_writer *writer)
{
    const struct profile_file *file = object;
    const lemica_profiler *profiler = file->profiler;
    int num_steps = lemica_profiler_num_steps(profiler);
    int max_skip = lemica_profiler_max_skip(profiler);

    lemica_file_write_header(writer, PROFILE_KIND);
    lemica_file_write_int_line(writer, "num_steps", num_steps);
    lemica_file_write_int_line(writer, "max_skip", max_skip);
    lemica_writer_puts(writer, "metric ");
    lemica_writer_puts(writer, metric_name(lemica_profiler_metric(profiler)));
    lemica_writer_put(writer, "\n", 1);
    lemica_file_write_metadata(writer, file->metadata);
    lemica_writer_puts(writer, "segments ");
    lemica_writer_int(writer, (long)lemica_profiler_num_measured(profiler));
    lemica_writer_put(writer, "\n", 1);
    for (int from = 0; from + 2 < num_steps && writer->status == LEMICA_OK;
         from++) {
        for (int to = from + 2; to < num_steps && to - from <= max_skip; to++) {
            struct lemica_profiler_raw raw;
            char count[24];

            lemica_profiler_raw_get(profiler, from, to, &raw);
            if (raw.count == 0)
                continue;
            snprintf(count, sizeof(count), "%llu",
                     (unsigned long long)raw.count);
            lemica_writer_int(writer, from);
            lemica_writer_put(writer, " ", 1);
            lemica_writer_int(writer, to);
            lemica_writer_put(writer, " ", 1);
            lemica_writer_puts(writer, count);
            lemica_writer_put(writer, " ", 1);
            lemica_writer_double(writer, raw.mean);
            lemica_writer_put(writer, " ", 1);
            lemica_writer_double(writer, raw.m2);
            lemica_writer_put(writer, " ", 1);
            lemica_writer_double(writer, raw.min);
            lemica_writer_put(writer, " ", 1);
            lemica_writer_double(writer, raw.max);
            lemica_writer_put(writer, "\n", 1);
        }
    }
    lemica_writer_puts(writer, "end\n");
    return writer->status;
}

static lemica_status
check_profile(const lemica_profiler *profiler, const lemica_metadata *metadata)
{
    if (!profiler)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "profiler is NULL");
    /* Line 4 holds the profiler's own metric; a metadata line of the same
     * name would make the file ambiguous. */
    if (lemica_metadata_get(metadata, "metric"))
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT,
                           "a profile file writes its metric itself: remove "
                           "the metadata key \"metric\"");
    return LEMICA_OK;
}

lemica_status
lemica_profiler_format(const lemica_profiler *profiler,
                       const lemica_metadata *metadata, char *buffer,
                       size_t size, size_t *length)
{
    struct profile_file file = {profiler, metadata};
    lemica_status status = check_profile(profiler, metadata);

    if (status != LEMICA_OK)
        return status;
    return lemica_produce_to_buffer(produce_profile, &file, buffer, size,
                                    length);
}

lemica_status
lemica_profiler_save(const lemica_profiler *profiler,
                     const lemica_metadata *metadata, const char *path)
{
    struct profile_file file = {profiler, metadata};
    lemica_status status = check_profile(profiler, metadata);

    if (status != LEMICA_OK)
        return status;
    if (!path)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "path is NULL");
    return lemica_save_atomic(path, produce_profile, &file);
}
