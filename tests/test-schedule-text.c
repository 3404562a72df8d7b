/* SPDX-License-Identifier: MIT */
/* The text forms of a schedule: strict parsing of step lists and compute
 * masks (every malformed input refused with a message naming the entry),
 * the accepted variants, text that is not NUL-terminated, the formatters'
 * buffer protocol, and round trips. */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc-int.h"
#include "test-common.h"

/* A piece of text with its exact length, so entries may hold a NUL. */
struct text_case {
    const char *text;
    size_t length;
    lemica_status status;
};

#define BAD(literal_)                                                          \
    {                                                                          \
        literal_, sizeof(literal_) - 1, LEMICA_ERR_PARSE                       \
    }
#define BAD_STATUS(literal_, status_)                                          \
    {                                                                          \
        literal_, sizeof(literal_) - 1, status_                                \
    }

/* Show control bytes in failure messages. */
static const char *
printable(const char *text, size_t length, char *buffer, size_t size)
{
    size_t used = 0;

    for (size_t index = 0; index < length && used + 5 < size; index++) {
        unsigned char byte = (unsigned char)text[index];

        if (byte >= 0x20 && byte < 0x7f)
            buffer[used++] = (char)byte;
        else
            used +=
                (size_t)snprintf(buffer + used, size - used, "\\x%02x", byte);
    }
    buffer[used] = '\0';
    return buffer;
}

/* Parse @text of @length exactly, from a heap block of that size: reading
 * one byte past the end is then an error valgrind and ASan report. */
static lemica_status
parse_steps_exact(int num_steps, const char *text, size_t length,
                  lemica_schedule **out)
{
    char *copy = test_unterminated_copy(text, length);
    lemica_status status =
        lemica_schedule_parse_steps(num_steps, copy, length, out);

    free(copy);
    return status;
}

static lemica_status
parse_mask_exact(const char *text, size_t length, lemica_schedule **out)
{
    char *copy = test_unterminated_copy(text, length);
    lemica_status status = lemica_schedule_parse_mask(copy, length, out);

    free(copy);
    return status;
}

/* One text form of a schedule, so that one check serves the step list
 * and the compute mask alike. */
struct text_form {
    const char *name; /* how its messages start, before ": " */
    int is_mask;
    lemica_status (*format)(const lemica_schedule *schedule, char *buffer,
                            size_t size, size_t *length);
};

static const struct text_form step_list_form = {"step list", 0,
                                                lemica_schedule_format_steps};
static const struct text_form mask_form = {"mask", 1,
                                           lemica_schedule_format_mask};

/* @text in @form, parsed exactly; a step list is for @num_steps steps, a
 * mask gives its own. */
static lemica_status
parse_form_exact(const struct text_form *form, int num_steps, const char *text,
                 size_t length, lemica_schedule **out)
{
    return form->is_mask ? parse_mask_exact(text, length, out)
                         : parse_steps_exact(num_steps, text, length, out);
}

static void
assert_steps(const lemica_schedule *schedule, int num_steps, const int *steps,
             size_t count)
{
    int actual[64];
    size_t actual_count = 0;

    ck_assert_uint_le(count, 64);
    ck_assert_int_eq(lemica_schedule_num_steps(schedule), num_steps);
    ck_assert_int_eq(lemica_schedule_budget(schedule), (int)count);
    ck_assert_ok(lemica_schedule_steps(schedule, actual, 64, &actual_count));
    ck_assert_uint_eq(actual_count, count);
    ck_assert_mem_eq(actual, steps, count * sizeof(int));
    ck_assert_int_eq(lemica_schedule_has_costs(schedule), 0);
}

START_TEST(test_parse_steps_example)
{
    static const char text[] = "0,1,2,4,8,16,30,49";
    static const int expected[] = {0, 1, 2, 4, 8, 16, 30, 49};
    lemica_schedule *schedule = NULL;
    int computed = 0;

    ck_assert_ok(
        lemica_schedule_parse_steps(50, text, strlen(text), &schedule));
    assert_steps(schedule, 50, expected, 8);
    for (int step = 0; step < 50; step++)
        computed += lemica_schedule_should_compute(schedule, step);
    ck_assert_int_eq(computed, 8);
    lemica_schedule_free(schedule);
}
END_TEST

/* N = 50 throughout. */
static const struct text_case bad_step_lists[] = {
    /* empty */
    BAD(""),
    BAD(" "),
    BAD("\t \t"),
    BAD("\n"),
    BAD("\r\n"),
    BAD("[]"),
    BAD("[ ]"),
    /* empty entries */
    BAD(","),
    BAD(",,"),
    BAD("0,,49"),
    BAD("0, ,49"),
    BAD("0,1,"),
    BAD("0,49,"),
    BAD(",0,49"),
    BAD("[0,49,]"),
    BAD("[,0,49]"),
    BAD("[,]"),
    /* signs, exponents, hex, fractions */
    BAD("-0"),
    BAD("-0,49"),
    BAD("+1"),
    BAD("0,+1,49"),
    BAD("0,-1,49"),
    BAD("+0,49"),
    BAD("1e3"),
    BAD("0,1e1,49"),
    BAD("0,4.9e1"),
    BAD("0x10"),
    BAD("0,0x10,49"),
    BAD("0.0,49"),
    BAD("0,1.5,49"),
    BAD("0,49.0"),
    /* leading zeros */
    BAD("00,49"),
    BAD("0,010,49"),
    BAD("0,049"),
    /* overflow and huge values */
    BAD("2147483648"),
    BAD("0,2147483647,49"),
    BAD("0,2147483648,49"),
    BAD("0,4294967296,49"),
    BAD("0,99999999999999999999,49"),
    BAD("0,1,999999999999999999999999999999999999999999999999"),
    BAD("0,18446744073709551616,49"),
    /* letters and stray characters */
    BAD("abc"),
    BAD("0,a,49"),
    BAD("0,4a,49"),
    BAD("0,49a"),
    BAD("zero,49"),
    BAD("0;49"),
    BAD("0 49"),
    BAD("0,1 2,49"),
    BAD("0,49 x"),
    BAD("0\v,49"),
    BAD("0\f,49"),
    BAD("0,\xc2\xa0"
        "49"),
    BAD("\xef\xbc\x90,49"),
    /* embedded NUL, counted in the length */
    BAD("0,4\0"
        "9"),
    BAD("0,49\0"),
    BAD("\0"
        "0,49"),
    /* line terminators: one final "\n" or "\r\n" only */
    BAD("0,49\n\n"),
    BAD("0,49\r"),
    BAD("0,49\n\r"),
    BAD("\n0,49"),
    BAD("0,\n49"),
    BAD("0,49\n "),
    BAD("0,49\r\r\n"),
    /* brackets */
    BAD("[0,49"),
    BAD("0,49]"),
    BAD("[[0,49]]"),
    BAD("[0,49]]"),
    BAD("[[0,49]"),
    BAD("[0,[1],49]"),
    BAD("[0,49][0,49]"),
    BAD("(0,49)"),
    BAD("{0,49}"),
    BAD("]0,49["),
    BAD("0,49[]"),
    /* the schedule itself */
    BAD("0,3,3,49"),
    BAD("0,0,49"),
    BAD("0,49,49"),
    BAD("0,5,3,49"),
    BAD("0,49,48"),
    BAD("49,0"),
    BAD("0,1,50"),
    BAD("0,50"),
    BAD("0,49,50"),
    BAD("0,1000,49"),
    BAD("1,49"),
    BAD("1,2,49"),
    BAD("0,48"),
    BAD("0,1,2"),
    BAD("0"),
    BAD("49"),
};

/* Every case is refused with its status, *out set to NULL, and a message
 * that starts with the form's name. A step list is for 50 steps. */
static void
check_rejects(const struct text_form *form, const struct text_case *cases,
              size_t count)
{
    char prefix[32];
    char shown[256];

    snprintf(prefix, sizeof(prefix), "%s: ", form->name);
    ck_assert_uint_ge(count, 30);
    for (size_t index = 0; index < count; index++) {
        const struct text_case *bad = &cases[index];
        lemica_schedule *schedule = (lemica_schedule *)&schedule;
        lemica_status status;

        status = parse_form_exact(form, 50, bad->text, bad->length, &schedule);
        ck_assert_msg(status == bad->status, "\"%s\" gave %s, expected %s",
                      printable(bad->text, bad->length, shown, sizeof(shown)),
                      lemica_status_name(status),
                      lemica_status_name(bad->status));
        ck_assert_msg(schedule == NULL, "\"%s\": out is not NULL",
                      printable(bad->text, bad->length, shown, sizeof(shown)));
        ck_assert_msg(
            strncmp(lemica_last_error_message(), prefix, strlen(prefix)) == 0,
            "\"%s\": message \"%s\"",
            printable(bad->text, bad->length, shown, sizeof(shown)),
            lemica_last_error_message());
    }
}

START_TEST(test_parse_steps_rejects)
{
    check_rejects(&step_list_form, bad_step_lists,
                  sizeof(bad_step_lists) / sizeof(bad_step_lists[0]));
}
END_TEST

struct accepted_case {
    const char *text;
    size_t length;
    int num_steps;
    int steps[8];
    size_t count;
};

#define GOOD(literal_, num_steps_, count_, ...)                                \
    {                                                                          \
        literal_, sizeof(literal_) - 1, num_steps_, {__VA_ARGS__}, count_      \
    }

static const struct accepted_case good_step_lists[] = {
    GOOD("0,49", 50, 2, 0, 49),
    GOOD("0,1", 2, 2, 0, 1),
    GOOD("0,1,2", 3, 3, 0, 1, 2),
    GOOD("0,1,49", 50, 3, 0, 1, 49),
    GOOD(" 0 , 49 ", 50, 2, 0, 49),
    GOOD("\t0,\t49\t", 50, 2, 0, 49),
    GOOD("0 ,1 , 2,  49", 50, 4, 0, 1, 2, 49),
    GOOD("[0,49]", 50, 2, 0, 49),
    GOOD("[0, 1, 3, 49]", 50, 4, 0, 1, 3, 49),
    GOOD("[ 0, 1, 3, 49 ]", 50, 4, 0, 1, 3, 49),
    GOOD(" [0,49] ", 50, 2, 0, 49),
    GOOD("0,49\n", 50, 2, 0, 49),
    GOOD("0,49\r\n", 50, 2, 0, 49),
    GOOD("0,49 \n", 50, 2, 0, 49),
    GOOD("0,49\t\r\n", 50, 2, 0, 49),
    GOOD("[0, 49]\n", 50, 2, 0, 49),
    GOOD("[0, 49]\r\n", 50, 2, 0, 49),
    GOOD("[0, 49] \r\n", 50, 2, 0, 49),
    GOOD("0,1,2,4,8,16,30,49", 50, 8, 0, 1, 2, 4, 8, 16, 30, 49),
    GOOD("0,65535", 65536, 2, 0, 65535),
    GOOD("0,9,10,99", 100, 4, 0, 9, 10, 99),
};

/* Every case parses to its steps. */
static void
check_accepts(const struct text_form *form, const struct accepted_case *cases,
              size_t count)
{
    for (size_t index = 0; index < count; index++) {
        const struct accepted_case *good = &cases[index];
        lemica_schedule *schedule = NULL;
        lemica_status status;

        status = parse_form_exact(form, good->num_steps, good->text,
                                  good->length, &schedule);
        ck_assert_msg(status == LEMICA_OK, "\"%s\" gave %s: %s", good->text,
                      lemica_status_name(status), lemica_last_error_message());
        assert_steps(schedule, good->num_steps, good->steps, good->count);
        lemica_schedule_free(schedule);
    }
}

START_TEST(test_parse_steps_accepts)
{
    check_accepts(&step_list_form, good_step_lists,
                  sizeof(good_step_lists) / sizeof(good_step_lists[0]));
}
END_TEST

/* @text in @form is malformed, and the message says so with @needle. */
static void
assert_parse_message(const struct text_form *form, int num_steps,
                     const char *text, const char *needle)
{
    lemica_schedule *schedule = NULL;

    ck_assert_status(
        parse_form_exact(form, num_steps, text, strlen(text), &schedule),
        LEMICA_ERR_PARSE);
    ck_assert_ptr_null(schedule);
    ck_assert_msg(strstr(lemica_last_error_message(), needle),
                  "\"%s\": message \"%s\" lacks \"%s\"", text,
                  lemica_last_error_message(), needle);
}

START_TEST(test_parse_steps_messages)
{
    assert_parse_message(
        &step_list_form, 50, "0,1,3,5,7,7,49",
        "step list: entry 5 (7) is not greater than the entry before it (7)");
    assert_parse_message(&step_list_form, 50, "0,1,3,7,7,49",
                         "a step may appear only once");
    assert_parse_message(
        &step_list_form, 50, "0,5,3,49",
        "entry 2 (3) is not greater than the entry before it (5)");
    assert_parse_message(&step_list_form, 50, "0,5,3,49", "ascending");
    assert_parse_message(&step_list_form, 50, "0,1,50",
                         "entry 2 (50) is outside the steps "
                         "0 .. 49");
    assert_parse_message(&step_list_form, 50, "3,49", "entry 0 is 3");
    assert_parse_message(&step_list_form, 50, "0,1,48",
                         "the last entry, entry 2, is 48");
    assert_parse_message(&step_list_form, 50, "0",
                         "the last entry, entry 0, is 0");
    assert_parse_message(&step_list_form, 50, "0,,49",
                         "entry 1 (at byte 2) is empty");
    assert_parse_message(&step_list_form, 50, "0,1,",
                         "entry 2 (at byte 4) is empty");
    assert_parse_message(&step_list_form, 50, "", "empty");
    assert_parse_message(&step_list_form, 50, "0,-1,49",
                         "entry 1: unexpected character '-' "
                         "at byte 2");
    assert_parse_message(&step_list_form, 50, "0,2147483648,49",
                         "entry 1 (2147483648) is "
                         "too large");
    assert_parse_message(&step_list_form, 50,
                         "0,123456789012345678901234567890,49",
                         "entry 1 (123456789012345678901234...) is too large");
    assert_parse_message(&step_list_form, 50, "0,010,49",
                         "entry 1 (010) has a leading zero");
    assert_parse_message(&step_list_form, 50, "0,49 x",
                         "entry 1: unexpected character 'x' at "
                         "byte 5");
    assert_parse_message(&step_list_form, 50, "[0,49",
                         "closing ']' is missing");
    assert_parse_message(&step_list_form, 50, "0,49]",
                         "unexpected character ']'");
    assert_parse_message(&step_list_form, 50, "[[0,49]]",
                         "entry 0: unexpected character '['");
    assert_parse_message(&step_list_form, 50, "0,49\r",
                         "unexpected byte 0x0d at byte 4");
}
END_TEST

START_TEST(test_parse_steps_embedded_nul)
{
    static const char text[] = "0,4\0"
                               "9";
    lemica_schedule *schedule = (lemica_schedule *)&schedule;

    ck_assert_status(
        lemica_schedule_parse_steps(50, text, sizeof(text) - 1, &schedule),
        LEMICA_ERR_PARSE);
    ck_assert_ptr_null(schedule);
    ck_assert_message_has("unexpected byte 0x00 at byte 3");

    /* The same bytes cut before the NUL are a valid list for N = 5. */
    ck_assert_ok(lemica_schedule_parse_steps(5, text, 3, &schedule));
    ck_assert_int_eq(lemica_schedule_budget(schedule), 2);
    lemica_schedule_free(schedule);
}
END_TEST

START_TEST(test_parse_steps_not_nul_terminated)
{
    /* The byte after the text is a digit: reading it would give 0,497 (out
     * of range) or, for N = 500, a different schedule. */
    static const char buffer[] = "0,497";
    static const int expected[] = {0, 49};
    lemica_schedule *schedule = NULL;
    char *exact;

    ck_assert_ok(lemica_schedule_parse_steps(50, buffer, 4, &schedule));
    assert_steps(schedule, 50, expected, 2);
    lemica_schedule_free(schedule);
    ck_assert_status(lemica_schedule_parse_steps(500, buffer, 4, &schedule),
                     LEMICA_ERR_PARSE);

    /* Garbage after a bracketed list and after a newline. */
    ck_assert_ok(lemica_schedule_parse_steps(50, "[0,49]]]]", 6, &schedule));
    assert_steps(schedule, 50, expected, 2);
    lemica_schedule_free(schedule);
    ck_assert_ok(lemica_schedule_parse_steps(50, "0,49\nxyz", 5, &schedule));
    assert_steps(schedule, 50, expected, 2);
    lemica_schedule_free(schedule);

    /* A heap block with no room for a NUL at all. */
    exact = malloc(4);
    ck_assert_ptr_nonnull(exact);
    memcpy(exact, "0,49", 4);
    ck_assert_ok(lemica_schedule_parse_steps(50, exact, 4, &schedule));
    assert_steps(schedule, 50, expected, 2);
    lemica_schedule_free(schedule);
    /* Every prefix is refused without reading past its end. */
    for (size_t length = 0; length < 4; length++) {
        ck_assert_status(
            lemica_schedule_parse_steps(50, exact, length, &schedule),
            LEMICA_ERR_PARSE);
        ck_assert_ptr_null(schedule);
    }
    free(exact);
}
END_TEST

START_TEST(test_parse_steps_bad_arguments)
{
    lemica_schedule *schedule = (lemica_schedule *)&schedule;

    ck_assert_status(lemica_schedule_parse_steps(50, "0,49", 4, NULL),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_schedule_parse_steps(50, NULL, 4, &schedule),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_ptr_null(schedule);
    schedule = (lemica_schedule *)&schedule;
    ck_assert_status(lemica_schedule_parse_steps(50, NULL, 0, &schedule),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_ptr_null(schedule);
    ck_assert_status(lemica_schedule_parse_steps(1, "0", 1, &schedule),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_schedule_parse_steps(0, "0,1", 3, &schedule),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_schedule_parse_steps(-2, "0,1", 3, &schedule),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_schedule_parse_steps(LEMICA_MAX_STEPS + 1,
                                                 "0,65536", 7, &schedule),
                     LEMICA_ERR_TOO_LARGE);
    ck_assert_status(lemica_schedule_parse_steps(INT_MAX, "0,1", 3, &schedule),
                     LEMICA_ERR_TOO_LARGE);
    ck_assert_ptr_null(schedule);
}
END_TEST

START_TEST(test_parse_steps_every_step)
{
    /* B = N = LEMICA_MAX_STEPS: the longest step list there is. */
    size_t length = 0;
    char *text = malloc((size_t)LEMICA_MAX_STEPS * 6);
    lemica_schedule *schedule = NULL;
    char *formatted;
    size_t formatted_length = 0;

    ck_assert_ptr_nonnull(text);
    for (int step = 0; step < LEMICA_MAX_STEPS; step++)
        length += (size_t)sprintf(text + length, step ? ",%d" : "%d", step);
    ck_assert_ok(parse_steps_exact(LEMICA_MAX_STEPS, text, length, &schedule));
    ck_assert_int_eq(lemica_schedule_budget(schedule), LEMICA_MAX_STEPS);
    for (int step = 0; step < LEMICA_MAX_STEPS; step += 997)
        ck_assert_int_eq(lemica_schedule_should_compute(schedule, step), 1);

    ck_assert_ok(
        lemica_schedule_format_steps(schedule, NULL, 0, &formatted_length));
    ck_assert_uint_eq(formatted_length, length);
    formatted = malloc(length + 1);
    ck_assert_ptr_nonnull(formatted);
    ck_assert_ok(
        lemica_schedule_format_steps(schedule, formatted, length + 1, NULL));
    ck_assert_mem_eq(formatted, text, length);
    ck_assert_int_eq(formatted[length], '\0');
    free(formatted);
    free(text);
    lemica_schedule_free(schedule);
}
END_TEST

static const struct text_case bad_masks[] = {
    BAD(""),
    BAD(" "),
    BAD("\n"),
    BAD("[]"),
    BAD(","),
    /* a single entry: N must be at least 2 */
    BAD("1"),
    BAD("[1]"),
    BAD("1\n"),
    BAD("0"),
    /* first and last must be computed */
    BAD("0,1"),
    BAD("1,0"),
    BAD("0,0"),
    BAD("0,1,1"),
    BAD("1,1,0"),
    BAD("1,0,0"),
    /* entries other than 0 and 1 */
    BAD("2"),
    BAD("1,2,1"),
    BAD("1,10,1"),
    BAD("1,11,1"),
    BAD("1,01,1"),
    BAD("1,00,1"),
    BAD("1,-1,1"),
    BAD("1,-0,1"),
    BAD("1,+1,1"),
    BAD("+1,1"),
    BAD("1,1e0"),
    BAD("1,0x1"),
    BAD("1,1.0"),
    BAD("1,2147483648,1"),
    BAD("1,99999999999999999999,1"),
    BAD("true,true"),
    BAD("1,a,1"),
    /* empty entries */
    BAD("1,,1"),
    BAD("1, ,1"),
    BAD("1,1,"),
    BAD(",1,1"),
    BAD("[1,1,]"),
    /* separators, brackets, stray bytes */
    BAD("1 1"),
    BAD("1;1"),
    BAD("1,1 x"),
    BAD("[1,1"),
    BAD("1,1]"),
    BAD("[[1,1]]"),
    BAD("(1,1)"),
    BAD("1,1\n\n"),
    BAD("1,1\r"),
    BAD("1,\0,1"),
    BAD("1,1\0"),
    BAD("1\v,1"),
};

START_TEST(test_parse_mask_rejects)
{
    check_rejects(&mask_form, bad_masks,
                  sizeof(bad_masks) / sizeof(bad_masks[0]));
}
END_TEST

static const struct accepted_case good_masks[] = {
    GOOD("1,1", 2, 2, 0, 1),
    GOOD("1,0,1", 3, 2, 0, 2),
    GOOD("1,1,1", 3, 3, 0, 1, 2),
    GOOD(" 1 , 0 , 1 ", 3, 2, 0, 2),
    GOOD("\t1,\t0,1\t", 3, 2, 0, 2),
    GOOD("[1,0,1]", 3, 2, 0, 2),
    GOOD("[ 1, 1, 0, 1 ]", 4, 3, 0, 1, 3),
    GOOD("[1, 1, 0, 1]\n", 4, 3, 0, 1, 3),
    GOOD("1,0,0,1\r\n", 4, 2, 0, 3),
    GOOD("1,0,0,1 \n", 4, 2, 0, 3),
    GOOD("1,1,0,1,0,0,1", 7, 4, 0, 1, 3, 6),
};

START_TEST(test_parse_mask_accepts)
{
    check_accepts(&mask_form, good_masks,
                  sizeof(good_masks) / sizeof(good_masks[0]));
}
END_TEST

START_TEST(test_parse_mask_messages)
{
    assert_parse_message(&mask_form, 0, "1,1,2,1",
                         "mask: entry 2 (2) is not 0 or 1");
    assert_parse_message(&mask_form, 0, "0,1", "entry 0 is 0");
    assert_parse_message(&mask_form, 0, "1,1,0",
                         "the last entry, entry 2, is 0");
    assert_parse_message(&mask_form, 0, "1", "one entry");
    assert_parse_message(&mask_form, 0, "1,01,1",
                         "entry 1 (01) has a leading zero");
    assert_parse_message(&mask_form, 0, "1,,1", "entry 1 (at byte 2) is empty");
}
END_TEST

START_TEST(test_parse_mask_size_limit)
{
    size_t length = 2 * (size_t)LEMICA_MAX_STEPS + 2;
    char *text = malloc(length);
    lemica_schedule *schedule = (lemica_schedule *)&schedule;

    ck_assert_ptr_nonnull(text);
    /* LEMICA_MAX_STEPS + 1 entries "1,1,...,1". */
    for (size_t index = 0; index < length; index++)
        text[index] = index % 2 ? ',' : '1';
    length -= 1;
    ck_assert_status(parse_mask_exact(text, length, &schedule),
                     LEMICA_ERR_TOO_LARGE);
    ck_assert_ptr_null(schedule);

    /* Exactly LEMICA_MAX_STEPS entries. */
    length -= 2;
    ck_assert_ok(parse_mask_exact(text, length, &schedule));
    ck_assert_int_eq(lemica_schedule_num_steps(schedule), LEMICA_MAX_STEPS);
    ck_assert_int_eq(lemica_schedule_budget(schedule), LEMICA_MAX_STEPS);
    lemica_schedule_free(schedule);
    free(text);
}
END_TEST

START_TEST(test_parse_mask_not_nul_terminated)
{
    static const int expected[] = {0, 2};
    lemica_schedule *schedule = NULL;

    /* Read past the end, "1,0,1" would become "1,0,1,0" or "1,0,11". */
    ck_assert_ok(lemica_schedule_parse_mask("1,0,1,0", 5, &schedule));
    assert_steps(schedule, 3, expected, 2);
    lemica_schedule_free(schedule);
    ck_assert_ok(lemica_schedule_parse_mask("1,0,11", 5, &schedule));
    assert_steps(schedule, 3, expected, 2);
    lemica_schedule_free(schedule);
    for (size_t length = 0; length < 5; length++) {
        ck_assert_status(parse_mask_exact("1,0,1", length, &schedule),
                         LEMICA_ERR_PARSE);
        ck_assert_ptr_null(schedule);
    }
}
END_TEST

START_TEST(test_parse_mask_bad_arguments)
{
    lemica_schedule *schedule = (lemica_schedule *)&schedule;

    ck_assert_status(lemica_schedule_parse_mask("1,1", 3, NULL),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_schedule_parse_mask(NULL, 3, &schedule),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_ptr_null(schedule);
}
END_TEST

/* The buffer protocol of @form's formatter on @schedule, whose text is
 * @expected. */
static void
check_format_protocol(const struct text_form *form,
                      const lemica_schedule *schedule, const char *expected)
{
    const size_t expected_length = strlen(expected);
    char buffer[64];
    size_t length = 0;

    ck_assert_uint_lt(expected_length, sizeof(buffer));
    ck_assert_ok(form->format(schedule, NULL, 0, &length));
    ck_assert_uint_eq(length, expected_length);
    ck_assert_ok(form->format(schedule, NULL, 0, NULL));
    /* A NULL buffer that claims room is a caller bug. */
    ck_assert_status(form->format(schedule, NULL, 1, &length),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(form->format(schedule, NULL, 8, &length),
                     LEMICA_ERR_INVALID_ARGUMENT);

    /* Every size without room for the text and its NUL: untouched. */
    for (size_t size = 0; size <= expected_length; size++) {
        memset(buffer, '#', sizeof(buffer));
        length = 0;
        ck_assert_status(form->format(schedule, buffer, size, &length),
                         LEMICA_ERR_BUFFER_TOO_SMALL);
        ck_assert_uint_eq(length, expected_length);
        for (size_t index = 0; index < sizeof(buffer); index++)
            ck_assert_int_eq(buffer[index], '#');
    }

    /* Exactly enough, and more: the NUL is written, nothing after it. */
    for (size_t size = expected_length + 1; size < sizeof(buffer); size++) {
        memset(buffer, '#', sizeof(buffer));
        length = 0;
        ck_assert_ok(form->format(schedule, buffer, size, &length));
        ck_assert_uint_eq(length, expected_length);
        ck_assert_str_eq(buffer, expected);
        for (size_t index = expected_length + 1; index < sizeof(buffer);
             index++)
            ck_assert_int_eq(buffer[index], '#');
    }
    ck_assert_ok(form->format(schedule, buffer, sizeof(buffer), NULL));
    ck_assert_str_eq(buffer, expected);
}

START_TEST(test_format_steps_protocol)
{
    static const int steps[] = {0, 1, 3, 10, 100, 999};
    lemica_schedule *schedule = NULL;

    ck_assert_ok(lemica_schedule_new_from_steps(1000, steps, 6, &schedule));
    check_format_protocol(&step_list_form, schedule, "0,1,3,10,100,999");
    lemica_schedule_free(schedule);
}
END_TEST

START_TEST(test_format_mask_protocol)
{
    static const int steps[] = {0, 1, 3, 6};
    lemica_schedule *schedule = NULL;

    ck_assert_ok(lemica_schedule_new_from_steps(7, steps, 4, &schedule));
    check_format_protocol(&mask_form, schedule, "1,1,0,1,0,0,1");
    lemica_schedule_free(schedule);
}
END_TEST

START_TEST(test_format_bad_arguments)
{
    char buffer[16] = "untouched";
    size_t length = 99;

    ck_assert_status(lemica_schedule_format_steps(NULL, buffer, 16, &length),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_schedule_format_steps(NULL, NULL, 0, &length),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_schedule_format_mask(NULL, buffer, 16, &length),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_schedule_format_mask(NULL, NULL, 0, &length),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_str_eq(buffer, "untouched");
    ck_assert_uint_eq(length, 99);
}
END_TEST

/* @schedule in @form as a new string (free()), through the size query,
 * checking the text is NUL-terminated and without spaces. */
static char *
format_text(const struct text_form *form, const lemica_schedule *schedule)
{
    size_t length = 0, written = 0;
    char *text;

    ck_assert_ok(form->format(schedule, NULL, 0, &length));
    text = malloc(length + 1);
    ck_assert_ptr_nonnull(text);
    ck_assert_ok(form->format(schedule, text, length + 1, &written));
    ck_assert_uint_eq(written, length);
    ck_assert_uint_eq(strlen(text), length);
    ck_assert_ptr_null(strchr(text, ' '));
    return text;
}

START_TEST(test_round_trips)
{
    uint64_t rng = 17;
    int *steps = malloc(sizeof(int) * 2000);
    int *parsed_steps = malloc(sizeof(int) * 2000);

    ck_assert_ptr_nonnull(steps);
    ck_assert_ptr_nonnull(parsed_steps);
    for (int round = 0; round < 300; round++) {
        int num_steps = 2 + test_rng_below(&rng, round < 250 ? 120 : 1999);
        int budget = 2 + test_rng_below(&rng, num_steps - 1);
        lemica_schedule *schedule = NULL, *from_steps = NULL, *from_mask = NULL;
        char *step_text, *mask_text, *again;
        size_t count = 0;

        test_random_steps(&rng, num_steps, budget, steps);
        ck_assert_ok(lemica_schedule_new_from_steps(num_steps, steps,
                                                    (size_t)budget, &schedule));

        /* step list: format -> parse -> format gives the same text. */
        step_text = format_text(&step_list_form, schedule);
        ck_assert_ok(parse_steps_exact(num_steps, step_text, strlen(step_text),
                                       &from_steps));
        again = format_text(&step_list_form, from_steps);
        ck_assert_str_eq(again, step_text);
        free(again);
        ck_assert_ok(
            lemica_schedule_steps(from_steps, parsed_steps, 2000, &count));
        ck_assert_uint_eq(count, (size_t)budget);
        ck_assert_mem_eq(parsed_steps, steps, (size_t)budget * sizeof(int));

        /* mask: format -> parse -> the same steps and N. */
        mask_text = format_text(&mask_form, schedule);
        ck_assert_uint_eq(strlen(mask_text), 2 * (size_t)num_steps - 1);
        ck_assert_ok(
            parse_mask_exact(mask_text, strlen(mask_text), &from_mask));
        ck_assert_int_eq(lemica_schedule_num_steps(from_mask), num_steps);
        ck_assert_ok(
            lemica_schedule_steps(from_mask, parsed_steps, 2000, &count));
        ck_assert_uint_eq(count, (size_t)budget);
        ck_assert_mem_eq(parsed_steps, steps, (size_t)budget * sizeof(int));
        for (int step = 0; step < num_steps; step++) {
            ck_assert_int_eq(mask_text[2 * step] - '0',
                             lemica_schedule_should_compute(schedule, step));
            ck_assert_int_eq(lemica_schedule_should_compute(from_mask, step),
                             lemica_schedule_should_compute(schedule, step));
        }
        again = format_text(&step_list_form, from_mask);
        ck_assert_str_eq(again, step_text);
        free(again);

        free(step_text);
        free(mask_text);
        lemica_schedule_free(schedule);
        lemica_schedule_free(from_steps);
        lemica_schedule_free(from_mask);
    }
    free(steps);
    free(parsed_steps);
}
END_TEST

START_TEST(test_parse_allocation_failures)
{
    static const char steps_text[] = "0,1,3,7,49";
    static const char mask_text[] = "1,1,0,1,0,0,0,1";
    lemica_schedule *schedule;

    ck_assert_each_allocation_failure(
        &schedule, lemica_schedule_parse_steps(
                       50, steps_text, sizeof(steps_text) - 1, &schedule));
    ck_assert_int_eq(lemica_schedule_budget(schedule), 5);
    lemica_schedule_free(schedule);

    ck_assert_each_allocation_failure(
        &schedule, lemica_schedule_parse_mask(mask_text, sizeof(mask_text) - 1,
                                              &schedule));
    ck_assert_int_eq(lemica_schedule_num_steps(schedule), 8);
    lemica_schedule_free(schedule);
}
END_TEST

START_TEST(test_parse_and_format_allocate_nothing_on_error)
{
    lemica_schedule *schedule = NULL;
    unsigned long before = lemica_alloc_count();
    char buffer[8];

    /* Malformed text is refused in the first pass, before any
     * allocation; formatting never allocates. */
    ck_assert_status(lemica_schedule_parse_steps(50, "0,5,3,49", 8, &schedule),
                     LEMICA_ERR_PARSE);
    ck_assert_status(lemica_schedule_parse_mask("1,2,1", 5, &schedule),
                     LEMICA_ERR_PARSE);
    ck_assert_uint_eq(lemica_alloc_count(), before);
    ck_assert_ok(lemica_schedule_parse_mask("1,0,1", 5, &schedule));
    before = lemica_alloc_count();
    ck_assert_ok(lemica_schedule_format_mask(schedule, buffer, 8, NULL));
    ck_assert_ok(lemica_schedule_format_steps(schedule, buffer, 8, NULL));
    ck_assert_str_eq(buffer, "0,2");
    ck_assert_uint_eq(lemica_alloc_count(), before);
    lemica_schedule_free(schedule);
}
END_TEST

TEST_SUITE(schedule_text)
{
    add_test(suite, test_parse_steps_example);
    add_test(suite, test_parse_steps_rejects);
    add_test(suite, test_parse_steps_accepts);
    add_test(suite, test_parse_steps_messages);
    add_test(suite, test_parse_steps_embedded_nul);
    add_test(suite, test_parse_steps_not_nul_terminated);
    add_test(suite, test_parse_steps_bad_arguments);
    add_test(suite, test_parse_steps_every_step);
    add_test(suite, test_parse_mask_rejects);
    add_test(suite, test_parse_mask_accepts);
    add_test(suite, test_parse_mask_messages);
    add_test(suite, test_parse_mask_size_limit);
    add_test(suite, test_parse_mask_not_nul_terminated);
    add_test(suite, test_parse_mask_bad_arguments);
    add_test(suite, test_format_steps_protocol);
    add_test(suite, test_format_mask_protocol);
    add_test(suite, test_format_bad_arguments);
    add_test(suite, test_round_trips);
    add_test(suite, test_parse_allocation_failures);
    add_test(suite, test_parse_and_format_allocate_nothing_on_error);
}
