/* SPDX-License-Identifier: MIT */
/* The line grammar shared by the graph and schedule file formats. */
#include <string.h>

#include "lemica/lemica-file.h"

#include "../common/error-int.h"
#include "file-io-int.h"
#include "file-parse-int.h"
#include "metadata-int.h"
#include "../common/numtext-int.h"

/* Messages quote at most this many bytes of a bad line or field. */
#define QUOTE_LIMIT 40

static int
quote_length(size_t length)
{
    return length > QUOTE_LIMIT ? QUOTE_LIMIT : (int)length;
}

void
lemica_line_reader_init(struct lemica_line_reader *reader, const char *text,
                        size_t length)
{
    reader->text = text;
    reader->length = length;
    reader->position = 0;
    reader->line_number = 0;
}

int
lemica_line_next(struct lemica_line_reader *reader, const char **line,
                 size_t *length)
{
    const char *start;
    const char *newline;
    size_t size;

    if (reader->position >= reader->length)
        return 0;
    start = reader->text + reader->position;
    newline = memchr(start, '\n', reader->length - reader->position);
    size =
        newline ? (size_t)(newline - start) : reader->length - reader->position;
    reader->position += size + (newline ? 1 : 0);
    reader->line_number++;
    if (newline && size > 0 && start[size - 1] == '\r')
        size--;
    *line = start;
    *length = size;
    return 1;
}

int
lemica_line_has_key(const char *line, size_t length, const char *key)
{
    size_t key_length = strlen(key);

    return length >= key_length && memcmp(line, key, key_length) == 0 &&
           (length == key_length || line[key_length] == ' ');
}

static const char *const known_kinds[] = {
    "lemica-graph",
    "lemica-schedule",
    "lemica-profile",
};

/* "major.minor", both plain decimal integers. */
static int
parse_version(const char *text, size_t length, int *major, int *minor)
{
    const char *dot = memchr(text, '.', length);

    if (!dot)
        return -1;
    if (lemica_parse_int(text, (size_t)(dot - text), major) != LEMICA_OK)
        return -1;
    if (lemica_parse_int(dot + 1, length - (size_t)(dot - text) - 1, minor) !=
        LEMICA_OK)
        return -1;
    return 0;
}

lemica_status
lemica_file_check_header(const char *line, size_t length, const char *kind)
{
    const char *space = memchr(line, ' ', length);
    size_t kind_length = space ? (size_t)(space - line) : length;
    int major = 0;
    int minor = 0;

    if (kind_length != strlen(kind) || memcmp(line, kind, kind_length) != 0) {
        for (size_t index = 0;
             index < sizeof(known_kinds) / sizeof(known_kinds[0]); index++) {
            const char *known = known_kinds[index];

            if (kind_length == strlen(known) &&
                memcmp(line, known, kind_length) == 0)
                return lemica_fail(LEMICA_ERR_MISMATCH,
                                   "line 1: this is a %s file, not a %s "
                                   "file",
                                   known + strlen("lemica-"),
                                   kind + strlen("lemica-"));
        }
        return lemica_fail(
            LEMICA_ERR_PARSE, "line 1: expected \"%s %d.%d\", found \"%.*s\"",
            kind, LEMICA_FILE_FORMAT_MAJOR, LEMICA_FILE_FORMAT_MINOR,
            quote_length(length), line);
    }
    if (!space ||
        parse_version(space + 1, length - kind_length - 1, &major, &minor) != 0)
        return lemica_fail(LEMICA_ERR_PARSE,
                           "line 1: expected a version MAJOR.MINOR after "
                           "\"%s \", found \"%.*s\"",
                           kind, quote_length(length), line);
    if (major > LEMICA_FILE_FORMAT_MAJOR)
        return lemica_fail(LEMICA_ERR_VERSION,
                           "line 1: format version %d.%d is newer than this "
                           "library reads (%d.x): upgrade libLeMiCa",
                           major, minor, LEMICA_FILE_FORMAT_MAJOR);
    if (major < LEMICA_FILE_FORMAT_MAJOR)
        return lemica_fail(LEMICA_ERR_VERSION,
                           "line 1: format version %d.%d does not exist "
                           "(the first is 1.0)",
                           major, minor);
    return LEMICA_OK;
}

lemica_status
lemica_file_begin(struct lemica_line_reader *reader, const char *text,
                  size_t length, const char *kind, int *num_steps)
{
    const char *line;
    size_t line_length;
    lemica_status status;

    lemica_line_reader_init(reader, text, length);
    if (!lemica_line_next(reader, &line, &line_length))
        return lemica_fail(LEMICA_ERR_PARSE,
                           "line 1: the text is empty; expected \"%s %d.%d\"",
                           kind, LEMICA_FILE_FORMAT_MAJOR,
                           LEMICA_FILE_FORMAT_MINOR);
    status = lemica_file_check_header(line, line_length, kind);
    if (status != LEMICA_OK)
        return status;
    return lemica_file_next_int_line(reader, "num_steps", num_steps);
}

lemica_status
lemica_file_next_int_line(struct lemica_line_reader *reader, const char *key,
                          int *value)
{
    const char *line = "";
    size_t line_length = 0;

    if (!lemica_line_next(reader, &line, &line_length)) {
        /* The missing line would have had the next number. */
        reader->line_number++;
        line_length = 0;
    }
    return lemica_file_parse_int_line(line, line_length, reader->line_number,
                                      key, value);
}

lemica_status
lemica_file_parse_int_line(const char *line, size_t length, size_t line_number,
                           const char *key, int *value)
{
    size_t key_length = strlen(key);
    lemica_status status;

    if (!lemica_line_has_key(line, length, key) || length == key_length)
        return lemica_fail(LEMICA_ERR_PARSE,
                           "line %zu: expected \"%s\" and a number, found "
                           "\"%.*s\"",
                           line_number, key, quote_length(length), line);
    status =
        lemica_parse_int(line + key_length + 1, length - key_length - 1, value);
    if (status == LEMICA_ERR_TOO_LARGE)
        return lemica_fail(LEMICA_ERR_TOO_LARGE,
                           "line %zu: %s %.*s is larger than any supported "
                           "size",
                           line_number, key,
                           quote_length(length - key_length - 1),
                           line + key_length + 1);
    if (status != LEMICA_OK)
        return lemica_fail(LEMICA_ERR_PARSE,
                           "line %zu: %s \"%.*s\" is not a non-negative "
                           "integer",
                           line_number, key,
                           quote_length(length - key_length - 1),
                           line + key_length + 1);
    return LEMICA_OK;
}

lemica_status
lemica_file_parse_metadata_line(const char *line, size_t length,
                                size_t line_number, lemica_metadata *metadata)
{
    const char *space = memchr(line, ' ', length);
    size_t key_length = space ? (size_t)(space - line) : length;
    const char *value = space ? space + 1 : line + length;
    size_t value_length = length - key_length - (space ? 1 : 0);

    if (length == 0)
        return lemica_fail(LEMICA_ERR_PARSE,
                           "line %zu: empty line; expected \"key value\"",
                           line_number);
    /* Past a limit is LEMICA_ERR_TOO_LARGE, as lemica_metadata_set() says
     * for the same key and as a value past its limit is here. */
    if (key_length > LEMICA_METADATA_MAX_KEY &&
        lemica_metadata_key_has_valid_characters(line, key_length))
        return lemica_fail(LEMICA_ERR_TOO_LARGE,
                           "line %zu: metadata key \"%.*s...\" has %zu bytes; "
                           "the limit is %d",
                           line_number, QUOTE_LIMIT, line, key_length,
                           LEMICA_METADATA_MAX_KEY);
    if (!lemica_metadata_key_is_valid(line, key_length))
        return lemica_fail(LEMICA_ERR_PARSE,
                           "line %zu: \"%.*s\" does not start with a "
                           "metadata key (1 to %d of a-z A-Z 0-9 _ - .)",
                           line_number, quote_length(length), line,
                           LEMICA_METADATA_MAX_KEY);
    if (lemica_metadata_key_is_reserved(line, key_length))
        return lemica_fail(LEMICA_ERR_PARSE,
                           "line %zu: \"%.*s\" is out of place here",
                           line_number, (int)key_length, line);
    if (value_length > LEMICA_METADATA_MAX_VALUE)
        return lemica_fail(LEMICA_ERR_TOO_LARGE,
                           "line %zu: the value of \"%.*s\" has %zu bytes; "
                           "the limit is %d",
                           line_number, (int)key_length, line, value_length,
                           LEMICA_METADATA_MAX_VALUE);
    if (!lemica_metadata_value_is_valid(value, value_length))
        return lemica_fail(LEMICA_ERR_PARSE,
                           "line %zu: the value of \"%.*s\" has a control "
                           "character",
                           line_number, (int)key_length, line);
    if (lemica_metadata_find(metadata, line, key_length) != (size_t)-1)
        return lemica_fail(LEMICA_ERR_PARSE,
                           "line %zu: metadata key \"%.*s\" appears twice",
                           line_number, (int)key_length, line);
    /* Checked here, not only by the append, so the message names the line. */
    if (lemica_metadata_count(metadata) >= LEMICA_METADATA_MAX_ENTRIES)
        return lemica_fail(LEMICA_ERR_TOO_LARGE,
                           "line %zu: more than %d metadata entries",
                           line_number, LEMICA_METADATA_MAX_ENTRIES);
    return lemica_metadata_append(metadata, line, key_length, value,
                                  value_length);
}

lemica_status
lemica_file_expect_end(struct lemica_line_reader *reader, const char *what)
{
    const char *line;
    size_t length;

    if (!lemica_line_next(reader, &line, &length))
        return lemica_fail(LEMICA_ERR_PARSE,
                           "line %zu: the text ends before \"end\": the file "
                           "is truncated",
                           reader->line_number + 1);
    if (length != 3 || memcmp(line, "end", 3) != 0)
        return lemica_fail(LEMICA_ERR_PARSE,
                           "line %zu: expected \"end\" after %s, found "
                           "\"%.*s\"",
                           reader->line_number, what, quote_length(length),
                           line);
    if (lemica_line_next(reader, &line, &length))
        return lemica_fail(LEMICA_ERR_PARSE, "line %zu: text after \"end\"",
                           reader->line_number);
    return LEMICA_OK;
}

lemica_status
lemica_file_parse_weight(const char *text, size_t length, size_t line_number,
                         const char *what, double *value)
{
    const char *non_finite;
    lemica_status status;

    status = lemica_parse_double(text, length, value);
    if (status == LEMICA_ERR_NO_MEMORY)
        return status;
    if (status == LEMICA_ERR_OUT_OF_RANGE)
        return lemica_fail(LEMICA_ERR_INVALID_VALUE,
                           "line %zu: %s is infinite (%.*s is too large for "
                           "a double)",
                           line_number, what, quote_length(length), text);
    if (status != LEMICA_OK) {
        /* strtod would have read these; say the value is the problem. */
        non_finite = lemica_non_finite_name(text, length);
        if (non_finite)
            return lemica_fail(LEMICA_ERR_INVALID_VALUE,
                               "line %zu: %s is %s; values must be finite "
                               "and >= 0",
                               line_number, what, non_finite);
        return lemica_fail(LEMICA_ERR_PARSE,
                           "line %zu: %s \"%.*s\" is not a decimal number",
                           line_number, what, quote_length(length), text);
    }
    if (*value < 0.0)
        return lemica_fail(LEMICA_ERR_INVALID_VALUE,
                           "line %zu: %s is negative (%.*s)", line_number, what,
                           quote_length(length), text);
    /* -0 is 0: stored and written as +0. */
    if (*value == 0.0)
        *value = 0.0;
    return LEMICA_OK;
}

void
lemica_file_write_header(struct lemica_writer *writer, const char *kind)
{
    lemica_writer_puts(writer, kind);
    lemica_writer_put(writer, " ", 1);
    lemica_writer_int(writer, LEMICA_FILE_FORMAT_MAJOR);
    lemica_writer_put(writer, ".", 1);
    lemica_writer_int(writer, LEMICA_FILE_FORMAT_MINOR);
    lemica_writer_put(writer, "\n", 1);
}

void
lemica_file_write_int_line(struct lemica_writer *writer, const char *key,
                           long value)
{
    lemica_writer_puts(writer, key);
    lemica_writer_put(writer, " ", 1);
    lemica_writer_int(writer, value);
    lemica_writer_put(writer, "\n", 1);
}

void
lemica_file_write_metadata(struct lemica_writer *writer,
                           const lemica_metadata *metadata)
{
    size_t count = lemica_metadata_count(metadata);

    for (size_t index = 0; index < count; index++) {
        const char *value = lemica_metadata_value(metadata, index);

        lemica_writer_puts(writer, lemica_metadata_key(metadata, index));
        /* An empty value is the key alone, which reads back as empty. */
        if (value[0] != '\0') {
            lemica_writer_put(writer, " ", 1);
            lemica_writer_puts(writer, value);
        }
        lemica_writer_put(writer, "\n", 1);
    }
}

lemica_status
lemica_file_check_dag_size(int num_steps, int max_skip, const char *what)
{
    if (num_steps < 2)
        return lemica_fail(LEMICA_ERR_PARSE,
                           "line 2: num_steps %d: a %s has at least 2 steps",
                           num_steps, what);
    if (num_steps > LEMICA_MAX_STEPS)
        return lemica_fail(LEMICA_ERR_TOO_LARGE,
                           "line 2: num_steps %d is above the maximum of %d",
                           num_steps, LEMICA_MAX_STEPS);
    if (max_skip < 1 || max_skip > num_steps - 1)
        return lemica_fail(LEMICA_ERR_PARSE,
                           "line 3: max_skip %d is outside 1 .. %d "
                           "(num_steps - 1)",
                           max_skip, num_steps - 1);
    if ((size_t)num_steps * (size_t)max_skip > LEMICA_MAX_EDGE_SLOTS)
        return lemica_fail(LEMICA_ERR_TOO_LARGE,
                           "line 3: a %s of %d steps with max skip %d "
                           "needs %zu edge slots, above the maximum of %lu",
                           what, num_steps, max_skip,
                           (size_t)num_steps * (size_t)max_skip,
                           (unsigned long)LEMICA_MAX_EDGE_SLOTS);
    return LEMICA_OK;
}

size_t
lemica_file_possible_edges(int num_steps, int max_skip, int min_span)
{
    size_t total = 0;

    for (int span = min_span; span <= max_skip; span++)
        total += (size_t)(num_steps - span);
    return total;
}
