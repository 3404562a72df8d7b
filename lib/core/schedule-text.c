/* SPDX-License-Identifier: MIT */
/* The two text forms of a schedule: the step list "0,1,3,...,49" and the
 * compute mask "1,1,0,1,...,1".
 *
 * Both share one grammar, read strictly:
 *
 *     text    = blanks [ "[" ] entries [ "]" ] blanks [ "\n" | "\r\n" ]
 *     entries = entry *( "," entry )
 *     entry   = blanks number blanks
 *     number  = "0" | nonzero-digit *digit      (fits in an int)
 *     blanks  = *( " " | "\t" )
 *
 * The closing bracket is required exactly when the opening one is given.
 * There is no sign (not even "-0" or "+1"), no leading zero ("010" would
 * read as 8 to a C programmer and 10 to a Python one), no exponent, no hex.
 * Empty entries ("0,,3", a trailing comma, empty text) are errors.
 *
 * Entries are numbered from 0 in messages, like the steps (entry k of a
 * mask is step k), and byte offsets count from 0 as well. A step outside
 * 0 .. N-1 in a step list is LEMICA_ERR_PARSE, as for every other defect of
 * the text (lemica_schedule_new_from_steps() says LEMICA_ERR_OUT_OF_RANGE
 * for the same defect in an int array).
 *
 * Each parser reads the text twice: the first pass checks everything and
 * counts, the second stores into a schedule allocated at the exact size.
 * The text is never read past @length, and it need not end in a NUL. */
#include <limits.h>
#include <string.h>

#include "../common/alloc-int.h"
#include "../common/error-int.h"
#include "schedule-int.h"

/* Longest piece of an overlong number quoted in a message. */
#define QUOTE_MAX 24

struct entry_reader {
    const char *text;
    size_t end;      /* @length minus the final line terminator, if any */
    size_t position; /* next byte to read */
    size_t index;    /* number of the next entry */
    int bracketed;   /* the text opened with '[' */
    int done;        /* the last entry was read */
    const char *what;
};

static int
is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static int
is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static void
skip_blanks(struct entry_reader *reader)
{
    while (reader->position < reader->end &&
           is_blank(reader->text[reader->position]))
        reader->position++;
}

/* Report an unexpected byte. Non-printable bytes (an embedded NUL, a lone
 * '\r', UTF-8) are shown as hex so the message stays one readable line. */
static lemica_status
fail_stray(const struct entry_reader *reader, size_t entry,
           const char *expected)
{
    unsigned char byte = (unsigned char)reader->text[reader->position];

    if (byte >= 0x20 && byte < 0x7f)
        return lemica_fail(LEMICA_ERR_PARSE,
                           "%s: entry %zu: unexpected character '%c' at byte "
                           "%zu; expected %s",
                           reader->what, entry, (char)byte, reader->position,
                           expected);
    return lemica_fail(LEMICA_ERR_PARSE,
                       "%s: entry %zu: unexpected byte 0x%02x at byte %zu; "
                       "expected %s",
                       reader->what, entry, (unsigned)byte, reader->position,
                       expected);
}

static void
reader_begin(struct entry_reader *reader, const char *text, size_t length,
             const char *what)
{
    reader->text = text;
    reader->end = length;
    /* One final "\n" or "\r\n", as a line read from a file ends. */
    if (reader->end > 0 && text[reader->end - 1] == '\n') {
        reader->end--;
        if (reader->end > 0 && text[reader->end - 1] == '\r')
            reader->end--;
    }
    reader->position = 0;
    reader->index = 0;
    reader->done = 0;
    reader->what = what;
    skip_blanks(reader);
    reader->bracketed =
        reader->position < reader->end && text[reader->position] == '[';
    if (reader->bracketed)
        reader->position++;
}

/* Read the next entry and the comma after it, if any. */
static lemica_status
reader_next(struct entry_reader *reader, int *value)
{
    const char *text = reader->text;
    size_t start;
    int number = 0;
    int overflow = 0;

    skip_blanks(reader);
    start = reader->position;
    if (start == reader->end || text[start] == ',' || text[start] == ']') {
        if (reader->index == 0 && start == reader->end && !reader->bracketed)
            return lemica_fail(LEMICA_ERR_PARSE, "%s: the text is empty",
                               reader->what);
        return lemica_fail(LEMICA_ERR_PARSE,
                           "%s: entry %zu (at byte %zu) is empty", reader->what,
                           reader->index, start);
    }
    if (!is_digit(text[start]))
        return fail_stray(reader, reader->index, "an unsigned decimal number");
    while (reader->position < reader->end && is_digit(text[reader->position])) {
        int digit = text[reader->position] - '0';

        /* Checked before multiplying, so the int never overflows. */
        if (number > (INT_MAX - digit) / 10)
            overflow = 1;
        else
            number = number * 10 + digit;
        reader->position++;
    }
    if (overflow) {
        size_t digits = reader->position - start;

        return lemica_fail(LEMICA_ERR_PARSE,
                           "%s: entry %zu (%.*s%s) is too large", reader->what,
                           reader->index,
                           (int)(digits < QUOTE_MAX ? digits : QUOTE_MAX),
                           text + start, digits > QUOTE_MAX ? "..." : "");
    }
    if (text[start] == '0' && reader->position - start > 1)
        return lemica_fail(LEMICA_ERR_PARSE,
                           "%s: entry %zu (%.*s) has a leading zero",
                           reader->what, reader->index,
                           (int)(reader->position - start < QUOTE_MAX
                                     ? reader->position - start
                                     : QUOTE_MAX),
                           text + start);
    skip_blanks(reader);
    if (reader->position < reader->end && text[reader->position] == ',')
        reader->position++;
    else
        reader->done = 1;
    *value = number;
    return LEMICA_OK;
}

/* After the last entry: the closing bracket, then nothing. The caller has
 * counted the entries, so @reader->index is past the last one; messages
 * about what follows it name that last entry. */
static lemica_status
reader_finish(struct entry_reader *reader)
{
    size_t last = reader->index - 1;

    if (reader->bracketed) {
        if (reader->position == reader->end)
            return lemica_fail(LEMICA_ERR_PARSE,
                               "%s: the closing ']' is missing", reader->what);
        if (reader->text[reader->position] != ']')
            return fail_stray(reader, last, "',' or ']'");
        reader->position++;
        skip_blanks(reader);
    }
    if (reader->position < reader->end)
        return fail_stray(reader, last,
                          reader->bracketed ? "the end of the text"
                                            : "',' or the end of the text");
    return LEMICA_OK;
}

static lemica_status
check_text_arguments(const char *text, lemica_schedule **out)
{
    if (!out)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "out is NULL");
    *out = NULL;
    if (!text)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "text is NULL");
    return LEMICA_OK;
}

/* The first pass over a step list: every check, and the count. */
static lemica_status
check_step_list(int num_steps, const char *text, size_t length, int *budget)
{
    struct entry_reader reader;
    int previous = -1;
    lemica_status status;

    reader_begin(&reader, text, length, "step list");
    while (!reader.done) {
        int step = 0; /* set by reader_next(); GCC -O3 cannot tell */

        status = reader_next(&reader, &step);
        if (status != LEMICA_OK)
            return status;
        if (step >= num_steps)
            return lemica_fail(LEMICA_ERR_PARSE,
                               "step list: entry %zu (%d) is outside the "
                               "steps 0 .. %d",
                               reader.index, step, num_steps - 1);
        if (reader.index == 0 && step != 0)
            return lemica_fail(LEMICA_ERR_PARSE,
                               "step list: entry 0 is %d, but the first step, "
                               "0, is always computed",
                               step);
        if (reader.index > 0 && step <= previous)
            return lemica_fail(LEMICA_ERR_PARSE,
                               "step list: entry %zu (%d) is not greater than "
                               "the entry before it (%d)%s",
                               reader.index, step, previous,
                               step == previous
                                   ? ": a step may appear only once"
                                   : ": steps must be in ascending order");
        previous = step;
        reader.index++;
    }
    status = reader_finish(&reader);
    if (status != LEMICA_OK)
        return status;
    if (previous != num_steps - 1)
        return lemica_fail(LEMICA_ERR_PARSE,
                           "step list: the last entry, entry %zu, is %d, but "
                           "the last step, %d, is always computed",
                           reader.index - 1, previous, num_steps - 1);
    /* Strictly ascending within 0 .. N-1, so the count fits in an int. */
    *budget = (int)reader.index;
    return LEMICA_OK;
}

lemica_status
lemica_schedule_parse_steps(int num_steps, const char *text, size_t length,
                            lemica_schedule **out)
{
    struct entry_reader reader;
    lemica_schedule *schedule;
    lemica_status status;
    int budget = 0;

    status = check_text_arguments(text, out);
    if (status != LEMICA_OK)
        return status;
    if (num_steps < 2 || num_steps > LEMICA_MAX_STEPS)
        return lemica_fail(num_steps < 2 ? LEMICA_ERR_INVALID_ARGUMENT
                                         : LEMICA_ERR_TOO_LARGE,
                           "step list: the number of steps must be 2 .. %d, "
                           "not %d",
                           LEMICA_MAX_STEPS, num_steps);
    status = check_step_list(num_steps, text, length, &budget);
    if (status != LEMICA_OK)
        return status;

    status = lemica_schedule_new_reserved(num_steps, budget, &schedule);
    if (status != LEMICA_OK)
        return status;
    /* The text passed every check: the second pass cannot fail. */
    reader_begin(&reader, text, length, "step list");
    for (int index = 0; index < budget; index++)
        reader_next(&reader, &schedule->steps[index]);
    lemica_schedule_commit_steps(schedule, num_steps, budget);
    *out = schedule;
    return LEMICA_OK;
}

/* The first pass over a mask: every check, the entry count N and the
 * number of ones B. */
static lemica_status
check_mask(const char *text, size_t length, int *num_steps, int *budget)
{
    struct entry_reader reader;
    int value = 0;
    int ones = 0;
    lemica_status status;

    reader_begin(&reader, text, length, "mask");
    while (!reader.done) {
        if (reader.index >= (size_t)LEMICA_MAX_STEPS)
            return lemica_fail(LEMICA_ERR_TOO_LARGE,
                               "mask: more than %d entries; at most %d steps "
                               "are supported",
                               LEMICA_MAX_STEPS, LEMICA_MAX_STEPS);
        status = reader_next(&reader, &value);
        if (status != LEMICA_OK)
            return status;
        if (value != 0 && value != 1)
            return lemica_fail(LEMICA_ERR_PARSE,
                               "mask: entry %zu (%d) is not 0 or 1",
                               reader.index, value);
        if (reader.index == 0 && value != 1)
            return lemica_fail(LEMICA_ERR_PARSE,
                               "mask: entry 0 is 0, but the first step is "
                               "always computed (1)");
        ones += value;
        reader.index++;
    }
    status = reader_finish(&reader);
    if (status != LEMICA_OK)
        return status;
    if (reader.index < 2)
        return lemica_fail(LEMICA_ERR_PARSE,
                           "mask: one entry; a schedule has at least 2 steps");
    if (value != 1)
        return lemica_fail(LEMICA_ERR_PARSE,
                           "mask: the last entry, entry %zu, is 0, but the "
                           "last step is always computed (1)",
                           reader.index - 1);
    *num_steps = (int)reader.index;
    *budget = ones;
    return LEMICA_OK;
}

lemica_status
lemica_schedule_parse_mask(const char *text, size_t length,
                           lemica_schedule **out)
{
    struct entry_reader reader;
    lemica_schedule *schedule;
    lemica_status status;
    int num_steps = 0;
    int budget = 0;
    int stored = 0;

    status = check_text_arguments(text, out);
    if (status != LEMICA_OK)
        return status;
    status = check_mask(text, length, &num_steps, &budget);
    if (status != LEMICA_OK)
        return status;

    status = lemica_schedule_new_reserved(num_steps, budget, &schedule);
    if (status != LEMICA_OK)
        return status;
    reader_begin(&reader, text, length, "mask");
    for (int step = 0; step < num_steps; step++) {
        int value = 0;

        reader_next(&reader, &value);
        if (value)
            schedule->steps[stored++] = step;
    }
    lemica_schedule_commit_steps(schedule, num_steps, budget);
    *out = schedule;
    return LEMICA_OK;
}

static size_t
decimal_length(int value)
{
    size_t digits = 1;

    while (value >= 10) {
        value /= 10;
        digits++;
    }
    return digits;
}

/* Write the decimal digits of @value (>= 0) at @buffer; return the end. */
static char *
write_decimal(char *buffer, int value)
{
    size_t digits = decimal_length(value);

    for (size_t index = digits; index-- > 0;) {
        buffer[index] = (char)('0' + value % 10);
        value /= 10;
    }
    return buffer + digits;
}

/* The buffer protocol of both formatters: a NULL buffer of size 0 asks for
 * the length; a buffer too small is left untouched. */
static lemica_status
check_format_buffer(const lemica_schedule *schedule, const char *buffer,
                    size_t size, size_t text_length, size_t *length)
{
    if (!schedule)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "schedule is NULL");
    if (!buffer && size > 0)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT,
                           "buffer is NULL but its size is %zu", size);
    if (length)
        *length = text_length;
    if (!buffer)
        return LEMICA_OK;
    if (size <= text_length)
        return lemica_fail(LEMICA_ERR_BUFFER_TOO_SMALL,
                           "the text needs %zu bytes with its NUL; the "
                           "buffer has %zu",
                           text_length + 1, size);
    return LEMICA_OK;
}

lemica_status
lemica_schedule_format_steps(const lemica_schedule *schedule, char *buffer,
                             size_t size, size_t *length)
{
    size_t text_length = 0;
    lemica_status status;
    char *cursor;

    if (schedule) {
        for (int index = 0; index < schedule->budget; index++)
            text_length +=
                decimal_length(schedule->steps[index]) + (index > 0 ? 1 : 0);
    }
    status = check_format_buffer(schedule, buffer, size, text_length, length);
    if (status != LEMICA_OK || !buffer)
        return status;
    cursor = buffer;
    for (int index = 0; index < schedule->budget; index++) {
        if (index > 0)
            *cursor++ = ',';
        cursor = write_decimal(cursor, schedule->steps[index]);
    }
    *cursor = '\0';
    return LEMICA_OK;
}

lemica_status
lemica_schedule_format_mask(const lemica_schedule *schedule, char *buffer,
                            size_t size, size_t *length)
{
    size_t text_length = 0;
    lemica_status status;
    char *cursor;

    /* One digit per step and a comma between two. */
    if (schedule && schedule->num_steps > 0)
        text_length = 2 * (size_t)schedule->num_steps - 1;
    status = check_format_buffer(schedule, buffer, size, text_length, length);
    if (status != LEMICA_OK || !buffer)
        return status;
    cursor = buffer;
    for (int step = 0; step < schedule->num_steps; step++) {
        if (step > 0)
            *cursor++ = ',';
        *cursor++ = schedule->mask[step] ? '1' : '0';
    }
    *cursor = '\0';
    return LEMICA_OK;
}
