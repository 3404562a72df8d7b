/* SPDX-License-Identifier: MIT */
/* Numbers as text, independent of the process's locale.
 *
 * Files written by libLeMiCa must read back the same on every machine, and
 * a program embedding the library may have called setlocale(LC_ALL, "")
 * under a locale whose decimal point is ',' (de_DE, fr_FR...). strtod and
 * printf follow that locale, so every number the library reads or writes
 * goes through these functions instead: they accept and produce '.' only,
 * whatever the locale, and keep strtod's correct rounding. */
#ifndef LEMICA_NUMTEXT_INT_H
#define LEMICA_NUMTEXT_INT_H

#include <stddef.h>

#include "lemica/lemica-status.h"

/* Enough for the longest text lemica_format_double() writes
 * ("-2.2250738585072014e-308" is 24 characters) and its NUL. */
#define LEMICA_DOUBLE_TEXT_SIZE 32

/* Parse @text[0 .. @length) (not necessarily NUL-terminated) as a decimal
 * number in C notation: an optional sign, digits with at most one '.'
 * (at least one digit in all), then an optional exponent 'e' or 'E' with
 * an optional sign and at least one digit. Nothing else is allowed: no
 * spaces, no hexadecimal, no "inf" or "nan". The value is rounded exactly
 * as strtod rounds in the "C" locale; results too small for a normal
 * double become subnormal or zero, as strtod gives them.
 * Returns LEMICA_OK and sets *@out; LEMICA_ERR_PARSE for bad syntax;
 * LEMICA_ERR_OUT_OF_RANGE when the magnitude overflows a double;
 * LEMICA_ERR_NO_MEMORY; LEMICA_ERR_INVALID_ARGUMENT for NULL pointers.
 * *@out is untouched on failure. */
lemica_status lemica_parse_double(const char *text, size_t length, double *out);

/* Write the shortest text (among 15, 16 and 17 significant digits) that
 * lemica_parse_double() reads back as exactly @value, sign of zero
 * included, with '.' as the decimal point whatever the locale, and a NUL.
 * LEMICA_DOUBLE_TEXT_SIZE bytes always suffice.
 * Returns LEMICA_OK; LEMICA_ERR_INVALID_VALUE for NaN and infinities
 * (they have no text the parser accepts); LEMICA_ERR_BUFFER_TOO_SMALL
 * (the buffer then holds "" if @size > 0); LEMICA_ERR_INVALID_ARGUMENT
 * for a NULL buffer. */
lemica_status lemica_format_double(double value, char *buffer, size_t size);

/* Parse @text[0 .. @length) as a non-negative decimal integer: one or
 * more digits and nothing else (no sign, no spaces).
 * Returns LEMICA_OK and sets *@out; LEMICA_ERR_PARSE for bad syntax;
 * LEMICA_ERR_TOO_LARGE above INT_MAX; LEMICA_ERR_INVALID_ARGUMENT for NULL
 * pointers. *@out is untouched on failure. */
lemica_status lemica_parse_int(const char *text, size_t length, int *out);

/* "NaN" or "infinite" when @text[0 .. @length) spells a value the parsers
 * refuse as not finite (nan, nan(...), inf, infinity, any case, with an
 * optional sign), else NULL; for messages that say why a number was
 * refused rather than only that it is not decimal. */
const char *lemica_non_finite_name(const char *text, size_t length);

#endif /* LEMICA_NUMTEXT_INT_H */
