/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* The shortest text of @value that reads back exactly (see
 * lemica_cli_format_double()). */
static void
format_double_uncached(double value, char *buffer)
{
    size_t best_length = 0;

    if (isnan(value)) {
        snprintf(buffer, LEMICA_CLI_DOUBLE_SIZE, "nan");
        return;
    }
    if (isinf(value)) {
        snprintf(buffer, LEMICA_CLI_DOUBLE_SIZE, value > 0 ? "inf" : "-inf");
        return;
    }
    /* %.17g always reads back exactly; the shorter forms often do and are
     * what people expect ("0.1"). Fewer digits is not always fewer
     * characters (%.15g may switch to an exponent), so the shortest text
     * that reads back wins. */
    buffer[0] = '\0';
    for (int precision = 15; precision <= 17; precision++) {
        char text[LEMICA_CLI_DOUBLE_SIZE];
        size_t length;
        double parsed;

        snprintf(text, sizeof(text), "%.*g", precision, value);
        length = strlen(text);
        if (best_length > 0 && length >= best_length)
            continue;
        parsed = strtod(text, NULL);
        if (parsed != value || !signbit(parsed) != !signbit(value))
            continue;
        memcpy(buffer, text, length + 1);
        best_length = length;
        /* Below 1e15 every precision prints the same form (plain, or an
         * exponent for tiny values), so more digits are never shorter:
         * the first text that reads back is the shortest. */
        if (fabs(value) < 1e15)
            break;
    }
}

/* Printing a frontier formats the same edge errors over and over (every
 * schedule reuses edges), and each formatting is up to three snprintf and
 * strtod calls: a direct-mapped cache of texts makes the JSON of a
 * N = 4000 frontier cost less than its solve. Its size is for that case:
 * a frontier of N = 4000, K = 20 holds up to 80,000 distinct errors and
 * prints each schedule's sorted, so one budget's numbers are spread over
 * the graph; with 8,192 slots most looked-up texts had been evicted
 * (distinct weights: 3.35 s for the JSON against 2.0 s with 131,072
 * slots). The table is zero pages until used: 6 MiB of address space, and
 * only the slots a run touches. The tools are single-threaded. */
#define FORMAT_CACHE_SHIFT 17
#define FORMAT_CACHE_SLOTS (1u << FORMAT_CACHE_SHIFT)

struct format_cache_slot {
    uint64_t bits;
    unsigned char filled;
    char text[LEMICA_CLI_DOUBLE_SIZE];
};

static struct format_cache_slot format_cache[FORMAT_CACHE_SLOTS];

void
lemica_cli_format_double(double value, char *buffer)
{
    struct format_cache_slot *slot;
    uint64_t bits;

    memcpy(&bits, &value, sizeof(bits));
    slot = &format_cache[(bits * 0x9e3779b97f4a7c15ull) >>
                        (64 - FORMAT_CACHE_SHIFT)];
    if (slot->filled && slot->bits == bits) {
        memcpy(buffer, slot->text, LEMICA_CLI_DOUBLE_SIZE);
        return;
    }
    format_double_uncached(value, buffer);
    slot->bits = bits;
    slot->filled = 1;
    memcpy(slot->text, buffer, LEMICA_CLI_DOUBLE_SIZE);
}

void
lemica_cli_format_json_number(double value, char *buffer)
{
    if (isnan(value))
        snprintf(buffer, LEMICA_CLI_DOUBLE_SIZE, "null");
    else if (isinf(value))
        snprintf(buffer, LEMICA_CLI_DOUBLE_SIZE,
                 value > 0 ? "1e999" : "-1e999");
    else
        lemica_cli_format_double(value, buffer);
}

void
lemica_cli_error(const char *format, ...)
{
    va_list args;

    fputs("lemica: ", stderr);
    va_start(args, format);
    vfprintf(stderr, format, args);
    va_end(args);
    fputc('\n', stderr);
}

int
lemica_cli_usage_error(const char *command, const char *format, ...)
{
    va_list args;

    fputs("lemica: ", stderr);
    va_start(args, format);
    vfprintf(stderr, format, args);
    va_end(args);
    fprintf(stderr, "\nTry 'lemica help%s%s' for more information.\n",
            command ? " " : "", command ? command : "");
    return LEMICA_CLI_EXIT_USAGE;
}

/* A count: decimal digits only, no leading zero (the library's rule for
 * every integer in files and step lists), fitting an int. Returns 0 and
 * sets *@out, or -1. */
static int
parse_count(const char *text, int *out)
{
    int value = 0;

    /* strtol would accept spaces, a sign and "0x"; a count is digits. */
    if (!text || text[0] == '\0' || (text[0] == '0' && text[1] != '\0'))
        return -1;
    for (const char *c = text; *c; c++) {
        int digit;

        if (*c < '0' || *c > '9')
            return -1;
        digit = *c - '0';
        if (value > (INT_MAX - digit) / 10)
            return -1;
        value = value * 10 + digit;
    }
    *out = value;
    return 0;
}

int
lemica_cli_parse_option_count(const char *command, const char *option,
                              const char *value, int minimum, int *out)
{
    if (parse_count(value, out) == 0 && *out >= minimum)
        return 0;
    if (value[0] == '0' && value[1] >= '0' && value[1] <= '9')
        return lemica_cli_usage_error(
            command, "%s: '%s' has a leading zero (write %s without it)",
            option, value, option);
    if (minimum == 0)
        return lemica_cli_usage_error(
            command, "%s needs a non-negative integer, not '%s'", option,
            value);
    return lemica_cli_usage_error(
        command, "%s needs an integer >= %d, not '%s'", option, minimum, value);
}

static const struct {
    const char *name;
    lemica_comparator comparator;
} comparator_names[] = {
    {"lexmax", LEMICA_COMPARATOR_LEXMAX},
    {"sum", LEMICA_COMPARATOR_SUM},
    {"max", LEMICA_COMPARATOR_MAX},
};

#define COMPARATOR_COUNT                                                       \
    (sizeof(comparator_names) / sizeof(comparator_names[0]))

int
lemica_cli_parse_comparator(const char *command, const char *value,
                            lemica_comparator *out)
{
    for (size_t index = 0; index < COMPARATOR_COUNT; index++)
        if (strcmp(value, comparator_names[index].name) == 0) {
            *out = comparator_names[index].comparator;
            return 0;
        }
    return lemica_cli_usage_error(
        command, "unknown comparator '%s' (expected lexmax, sum or max)",
        value);
}

const char *
lemica_cli_comparator_name(lemica_comparator comparator)
{
    for (size_t index = 0; index < COMPARATOR_COUNT; index++)
        if (comparator_names[index].comparator == comparator)
            return comparator_names[index].name;
    return "lexmax";
}

int
lemica_cli_finish_output(int status)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        lemica_cli_error("cannot write the output: %s", strerror(errno));
        return LEMICA_CLI_EXIT_INPUT;
    }
    return status;
}

static const struct lemica_cli_option *
find_long_option(const struct lemica_cli_option *options, const char *name,
                 size_t name_length)
{
    for (const struct lemica_cli_option *option = options; option->name;
         option++)
        if (strlen(option->name) == name_length &&
            strncmp(option->name, name, name_length) == 0)
            return option;
    return NULL;
}

static const struct lemica_cli_option *
find_short_option(const struct lemica_cli_option *options, char name)
{
    for (const struct lemica_cli_option *option = options; option->name;
         option++)
        if (option->short_name && option->short_name == name)
            return option;
    return NULL;
}

/* The next item: an option (*@id, *@value as for lemica_cli_next_option())
 * or an operand (*@value). */
static enum lemica_cli_arg_kind
next_arg(struct lemica_cli_args *args, int *id, const char **value)
{
    const struct lemica_cli_option *option;
    const char *arg;
    const char *equals = NULL;

    *value = NULL;
    if (args->index >= args->argc)
        return LEMICA_CLI_ARG_END;
    arg = args->argv[args->index++];
    if (arg[0] == '\0') {
        /* No file is named "" (the library refuses it too), and no option
         * means anything by it: say so before anything is read or
         * written. */
        lemica_cli_usage_error(args->command, "an argument is empty");
        return LEMICA_CLI_ARG_ERROR;
    }
    if (args->options_ended || arg[0] != '-' || arg[1] == '\0') {
        *value = arg;
        return LEMICA_CLI_ARG_OPERAND;
    }
    if (strcmp(arg, "--") == 0) {
        args->options_ended = 1;
        return next_arg(args, id, value);
    }
    if (arg[1] == '-') {
        const char *name = arg + 2;

        equals = strchr(name, '=');
        option =
            find_long_option(args->options, name,
                             equals ? (size_t)(equals - name) : strlen(name));
    } else {
        option =
            arg[2] == '\0' ? find_short_option(args->options, arg[1]) : NULL;
    }
    if (!option) {
        lemica_cli_usage_error(args->command, "unknown option '%s'", arg);
        return LEMICA_CLI_ARG_ERROR;
    }
    *id = option->id;
    if (!option->takes_value) {
        if (equals) {
            lemica_cli_usage_error(args->command, "option --%s takes no value",
                                   option->name);
            return LEMICA_CLI_ARG_ERROR;
        }
        return LEMICA_CLI_ARG_OPTION;
    }
    if (equals) {
        *value = equals + 1;
        if (!**value) {
            lemica_cli_usage_error(args->command,
                                   "option --%s needs a value, not an empty "
                                   "one",
                                   option->name);
            return LEMICA_CLI_ARG_ERROR;
        }
        return LEMICA_CLI_ARG_OPTION;
    }
    /* The next argument is the value even if it starts with '-', so that
     * "--budget -3" is reported as a bad budget, not a bad option. */
    if (args->index >= args->argc) {
        lemica_cli_usage_error(args->command, "option --%s needs a value",
                               option->name);
        return LEMICA_CLI_ARG_ERROR;
    }
    *value = args->argv[args->index++];
    if (!**value) {
        lemica_cli_usage_error(args->command,
                               "option --%s needs a value, not an empty one",
                               option->name);
        return LEMICA_CLI_ARG_ERROR;
    }
    return LEMICA_CLI_ARG_OPTION;
}

enum lemica_cli_arg_kind
lemica_cli_next_option(struct lemica_cli_args *args, int *id,
                       const char **value)
{
    enum lemica_cli_arg_kind kind;

    while ((kind = next_arg(args, id, value)) == LEMICA_CLI_ARG_OPERAND) {
        if (args->num_operands == args->max_operands) {
            lemica_cli_usage_error(
                args->command, "unexpected argument '%s'%s", *value,
                args->operand_hint ? args->operand_hint : "");
            return LEMICA_CLI_ARG_ERROR;
        }
        args->operands[args->num_operands++] = *value;
    }
    return kind;
}
