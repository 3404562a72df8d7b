/* SPDX-License-Identifier: MIT */
/* Locale-independent number text (see numtext-int.h). The rounding work is
 * left to the C library's strtod and printf, which are correctly rounded on
 * every platform we target; this file only makes them see and produce '.'
 * whatever LC_NUMERIC says, and refuses everything strtod would accept
 * beyond plain decimal notation. */
#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc-int.h"
#include "error-int.h"
#include "numtext-int.h"

/* Messages quote at most this much of a bad number, so that a megabyte of
 * digits does not fill the message buffer. */
#define QUOTE_LIMIT 40

/* Most numbers fit a stack copy of this size; longer ones (strtod accepts
 * any number of digits) get a heap copy. */
#define STACK_COPY_SIZE 64

static int
quote_length(size_t length)
{
    return length > QUOTE_LIMIT ? QUOTE_LIMIT : (int)length;
}

/* isdigit() takes an int that must be an unsigned char value and may know
 * other digits in some locales; bytes of untrusted files need neither. */
static int
is_ascii_digit(char c)
{
    return c >= '0' && c <= '9';
}

static size_t
skip_digits(const char *text, size_t length, size_t pos)
{
    while (pos < length && is_ascii_digit(text[pos]))
        pos++;
    return pos;
}

/* The grammar of numtext-int.h. strtod also takes leading spaces, "inf",
 * "nan", "0x1p3" and, in some locales, other decimal points: checking the
 * syntax here is what makes files portable. */
static int
is_decimal_syntax(const char *text, size_t length)
{
    size_t pos = 0;
    size_t start;
    size_t digits;

    if (pos < length && (text[pos] == '+' || text[pos] == '-'))
        pos++;
    start = pos;
    pos = skip_digits(text, length, pos);
    digits = pos - start;
    if (pos < length && text[pos] == '.') {
        pos++;
        start = pos;
        pos = skip_digits(text, length, pos);
        digits += pos - start;
    }
    if (digits == 0)
        return 0;
    if (pos < length && (text[pos] == 'e' || text[pos] == 'E')) {
        pos++;
        if (pos < length && (text[pos] == '+' || text[pos] == '-'))
            pos++;
        start = pos;
        pos = skip_digits(text, length, pos);
        if (pos == start)
            return 0;
    }
    return pos == length;
}

/* The decimal point strtod and printf use right now. */
static const char *
locale_decimal_point(void)
{
    const struct lconv *conventions = localeconv();

    if (!conventions || !conventions->decimal_point ||
        conventions->decimal_point[0] == '\0')
        return ".";
    return conventions->decimal_point;
}

lemica_status
lemica_parse_double(const char *text, size_t length, double *out)
{
    char stack_copy[STACK_COPY_SIZE];
    char *copy = stack_copy;
    const char *point;
    size_t point_length;
    size_t copy_size;
    size_t written = 0;
    char *end;
    double value;
    lemica_status status = LEMICA_OK;

    if (!text || !out)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT,
                           "number text or output is NULL");
    if (!is_decimal_syntax(text, length))
        return lemica_fail(LEMICA_ERR_PARSE, "\"%.*s\" is not a decimal number",
                           quote_length(length), text);

    /* The copy gives strtod a NUL terminator and the locale's decimal
     * point, which may be longer than one byte. The syntax allows at most
     * one '.'. */
    point = locale_decimal_point();
    point_length = strlen(point);
    if (length > SIZE_MAX - point_length - 1)
        return lemica_fail_no_memory("a number's text");
    copy_size = length + point_length + 1;
    if (copy_size > sizeof(stack_copy)) {
        copy = lemica_alloc_array(copy_size, 1);
        if (!copy)
            return lemica_fail_no_memory("a number's text");
    }
    for (size_t pos = 0; pos < length; pos++) {
        if (text[pos] == '.') {
            memcpy(copy + written, point, point_length);
            written += point_length;
        } else {
            copy[written++] = text[pos];
        }
    }
    copy[written] = '\0';

    errno = 0;
    value = strtod(copy, &end);
    /* Cannot happen after the syntax check unless the C library disagrees
     * with it; refuse rather than return a prefix's value. */
    if (end != copy + written) {
        status =
            lemica_fail(LEMICA_ERR_PARSE, "\"%.*s\" is not a decimal number",
                        quote_length(length), text);
        goto out;
    }
    /* ERANGE also reports underflow to a subnormal or zero, which is the
     * correctly rounded value and accepted; only overflow is an error. */
    if (isinf(value)) {
        status = lemica_fail(LEMICA_ERR_OUT_OF_RANGE,
                             "\"%.*s\" is too large for a double",
                             quote_length(length), text);
        goto out;
    }
    *out = value;
out:
    if (copy != stack_copy)
        lemica_dealloc(copy);
    return status;
}

/* printf with "%.*g" in the current locale, then the locale's decimal
 * point (if any) replaced by '.'. @text must hold LEMICA_DOUBLE_TEXT_SIZE
 * bytes: 24 characters for the longest %.17g output plus a decimal point
 * of up to 4 bytes (one UTF-8 character) fit. */
static void
format_c_notation(double value, int precision, char *text)
{
    const char *point = locale_decimal_point();
    size_t point_length = strlen(point);
    char *found;

    snprintf(text, LEMICA_DOUBLE_TEXT_SIZE, "%.*g", precision, value);
    if (strcmp(point, ".") == 0)
        return;
    found = strstr(text, point);
    if (!found)
        return;
    found[0] = '.';
    memmove(found + 1, found + point_length, strlen(found + point_length) + 1);
}

lemica_status
lemica_format_double(double value, char *buffer, size_t size)
{
    char best[LEMICA_DOUBLE_TEXT_SIZE] = "";
    size_t best_length = 0;

    if (!buffer)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "buffer is NULL");
    if (size > 0)
        buffer[0] = '\0';
    if (!isfinite(value))
        return lemica_fail(LEMICA_ERR_INVALID_VALUE, "%s has no decimal text",
                           isnan(value) ? "NaN" : "an infinity");

    /* 17 significant digits always identify a double; fewer often do, and
     * the shorter text is what people expect to read ("0.1", not
     * "0.10000000000000001"). Fewer digits is not always fewer characters
     * (%.15g writes 1234567890123460 as "1.23456789012346e+15", %.16g
     * writes all 16 digits), so every precision that reads back exactly is
     * a candidate and the shortest text wins; on a tie, fewer digits. */
    for (int precision = 15; precision <= 17; precision++) {
        char text[LEMICA_DOUBLE_TEXT_SIZE];
        size_t text_length;
        double parsed;

        format_c_notation(value, precision, text);
        text_length = strlen(text);
        if (best_length > 0 && text_length >= best_length)
            continue;
        if (lemica_parse_double(text, text_length, &parsed) != LEMICA_OK ||
            parsed != value || !signbit(parsed) != !signbit(value))
            continue;
        memcpy(best, text, text_length + 1);
        best_length = text_length;
    }
    if (best_length + 1 > size)
        return lemica_fail(LEMICA_ERR_BUFFER_TOO_SMALL,
                           "%zu bytes needed to format a double, %zu given",
                           best_length + 1, size);
    memcpy(buffer, best, best_length + 1);
    return LEMICA_OK;
}

lemica_status
lemica_parse_int(const char *text, size_t length, int *out)
{
    int value = 0;
    int too_large = 0;

    if (!text || !out)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT,
                           "number text or output is NULL");
    if (length == 0)
        return lemica_fail(LEMICA_ERR_PARSE, "empty text is not an integer");
    for (size_t pos = 0; pos < length; pos++) {
        int digit;

        if (!is_ascii_digit(text[pos]))
            return lemica_fail(LEMICA_ERR_PARSE,
                               "\"%.*s\" is not a non-negative integer",
                               quote_length(length), text);
        digit = text[pos] - '0';
        /* Keep checking the syntax after an overflow: "99999999999x" is
         * malformed, not merely large. */
        if (too_large || value > (INT_MAX - digit) / 10)
            too_large = 1;
        else
            value = value * 10 + digit;
    }
    if (too_large)
        return lemica_fail(LEMICA_ERR_TOO_LARGE, "\"%.*s\" is larger than %d",
                           quote_length(length), text, INT_MAX);
    *out = value;
    return LEMICA_OK;
}

static int
equals_ignoring_case(const char *text, size_t length, const char *word)
{
    if (length != strlen(word))
        return 0;
    for (size_t pos = 0; pos < length; pos++) {
        char c = text[pos];

        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != word[pos])
            return 0;
    }
    return 1;
}

const char *
lemica_non_finite_name(const char *text, size_t length)
{
    if (length > 0 && (text[0] == '+' || text[0] == '-')) {
        text++;
        length--;
    }
    if (equals_ignoring_case(text, length, "nan") ||
        (length >= 5 && equals_ignoring_case(text, 4, "nan(") &&
         text[length - 1] == ')'))
        return "NaN";
    if (equals_ignoring_case(text, length, "inf") ||
        equals_ignoring_case(text, length, "infinity"))
        return "infinite";
    return NULL;
}
