/* SPDX-License-Identifier: MIT */
/* Locale-independent number text and CSV edge-list import. */
#include <errno.h>
#include <float.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test-common.h"
#include "test-files.h"

#include "alloc-int.h"
#include "numtext-int.h"

static double
double_from_bits(uint64_t bits)
{
    double value;

    memcpy(&value, &bits, sizeof(value));
    return value;
}

static double
parse_double_ok(const char *text)
{
    double value = -1.0;
    char *copy = test_unterminated_copy(text, strlen(text));

    ck_assert_ok(lemica_parse_double(copy, strlen(text), &value));
    free(copy);
    return value;
}

/* The reference: strtod in the "C" locale, which the tests run in unless
 * they switch locales themselves. */
static double
strtod_c(const char *text)
{
    return strtod(text, NULL);
}

START_TEST(test_parse_double_valid)
{
    static const char *const texts[] = {
        "0",
        "1",
        "1.5",
        ".5",
        "5.",
        "+2.5e+2",
        "1e3",
        "1E-3",
        "0.1",
        "0.30000000000000004",
        "123456789012345678901234567890",
        "3.14159265358979323846264338327950288419716939937510582097494",
        "2.2250738585072011e-308",
        "2.2250738585072014e-308",
        "4.9406564584124654e-324",
        "1e-320",
        "1.7976931348623157e308",
        "1.7976931348623158e308",
        "00000000000000000000000000000000000000000000000000000000000000012.5",
        "-7.25e-3",
    };

    for (size_t index = 0; index < sizeof(texts) / sizeof(texts[0]); index++) {
        double expected = strtod_c(texts[index]);
        double parsed = parse_double_ok(texts[index]);

        ck_assert_msg(test_bits_of(parsed) == test_bits_of(expected),
                      "\"%s\" parsed as %.17g, strtod gives %.17g",
                      texts[index], parsed, expected);
    }
    ck_assert(signbit(parse_double_ok("-0")));
    ck_assert(!signbit(parse_double_ok("0.0")));
    /* Underflow is rounding, not an error. */
    ck_assert(parse_double_ok("1e-400") == 0.0);
}
END_TEST

START_TEST(test_parse_double_invalid)
{
    static const char *const malformed[] = {
        "",     "+",     "-",    ".",        "e5",    "1e",
        "1e+",  "1.2.3", "1,5",  "1e5.5",    "--1",   "+-1",
        " 1",   "1 ",    "\t1",  "0x1p3",    "0x10",  "inf",
        "-inf", "nan",   "NaN",  "1e-",      "1f",    "1.5d",
        "e",    ".e1",   "1..2", "infinity", "1_000", "\xD9\xA1",
    };
    static const char embedded_nul[3] = {'1', '\0', '5'};
    double value = 42.0;

    for (size_t index = 0; index < sizeof(malformed) / sizeof(malformed[0]);
         index++) {
        const char *text = malformed[index];

        ck_assert_msg(lemica_parse_double(text, strlen(text), &value) ==
                          LEMICA_ERR_PARSE,
                      "\"%s\" was accepted", text);
    }
    ck_assert_status(lemica_parse_double("1e999", 5, &value),
                     LEMICA_ERR_OUT_OF_RANGE);
    ck_assert_status(lemica_parse_double("-1e400", 6, &value),
                     LEMICA_ERR_OUT_OF_RANGE);
    ck_assert_status(lemica_parse_double("1.8e308", 7, &value),
                     LEMICA_ERR_OUT_OF_RANGE);
    ck_assert_status(lemica_parse_double(NULL, 1, &value),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_parse_double("1", 1, NULL),
                     LEMICA_ERR_INVALID_ARGUMENT);
    /* Failures leave the output alone. */
    ck_assert(value == 42.0);
    /* An embedded NUL is a stray character, not the end of the text. */
    ck_assert_status(lemica_parse_double(embedded_nul, 3, &value),
                     LEMICA_ERR_PARSE);
}
END_TEST

START_TEST(test_parse_double_not_terminated)
{
    static const char digits[] = "1.25e2x";
    char *copy = test_unterminated_copy(digits, 7);
    char *long_copy;
    char long_text[200];
    double value = 0.0;

    ck_assert_ok(lemica_parse_double(copy, 6, &value));
    ck_assert(value == 125.0);
    ck_assert_ok(lemica_parse_double(copy, 3, &value));
    ck_assert(value == 1.2);
    ck_assert_status(lemica_parse_double(copy, 7, &value), LEMICA_ERR_PARSE);
    free(copy);

    /* Exactly as long as the allocation: the last byte is a digit. */
    copy = test_unterminated_copy(digits, 6);
    ck_assert_ok(lemica_parse_double(copy, 6, &value));
    ck_assert(value == 125.0);
    free(copy);

    /* Longer than the parser's stack copy: the heap path. */
    memset(long_text, '0', sizeof(long_text));
    long_text[0] = '9';
    long_text[1] = '.';
    long_copy = test_unterminated_copy(long_text, sizeof(long_text));
    ck_assert_ok(lemica_parse_double(long_copy, sizeof(long_text), &value));
    ck_assert(value == 9.0);
    free(long_copy);
}
END_TEST

START_TEST(test_format_double_shortest)
{
    static const struct {
        double value;
        const char *text;
    } cases[] = {
        {0.0, "0"},
        {-0.0, "-0"},
        {1.0, "1"},
        {0.1, "0.1"},
        {-2.5, "-2.5"},
        {0.0123, "0.0123"},
        {1e21, "1e+21"},
        {1e-5, "1e-05"},
        {1.0 / 3.0, "0.3333333333333333"},
        {0.1 + 0.2, "0.30000000000000004"},
        {123456789.0, "123456789"},
        {DBL_MAX, "1.7976931348623157e+308"},
        {DBL_MIN, "2.2250738585072014e-308"},
        {1234567890123460.0, "1234567890123460"},
        {4.9406564584124654e-324, "4.94065645841247e-324"},
    };
    char buffer[LEMICA_DOUBLE_TEXT_SIZE];

    for (size_t index = 0; index < sizeof(cases) / sizeof(cases[0]); index++) {
        ck_assert_ok(
            lemica_format_double(cases[index].value, buffer, sizeof(buffer)));
        ck_assert_str_eq(buffer, cases[index].text);
    }
}
END_TEST

START_TEST(test_format_double_errors)
{
    char buffer[LEMICA_DOUBLE_TEXT_SIZE];
    char small[4] = "xyz";

    ck_assert_status(lemica_format_double((double)NAN, buffer, sizeof(buffer)),
                     LEMICA_ERR_INVALID_VALUE);
    ck_assert_status(
        lemica_format_double((double)INFINITY, buffer, sizeof(buffer)),
        LEMICA_ERR_INVALID_VALUE);
    ck_assert_status(
        lemica_format_double(-(double)INFINITY, buffer, sizeof(buffer)),
        LEMICA_ERR_INVALID_VALUE);
    ck_assert_status(lemica_format_double(0.5, NULL, 0),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_format_double(0.12345, small, sizeof(small)),
                     LEMICA_ERR_BUFFER_TOO_SMALL);
    ck_assert_str_eq(small, "");
    /* "0.5" and its NUL fit exactly. */
    ck_assert_ok(lemica_format_double(0.5, small, sizeof(small)));
    ck_assert_str_eq(small, "0.5");
}
END_TEST

/* Every finite double survives format -> parse bit for bit, and the text
 * is never longer than the 17-digit form. */
static void
check_round_trip(double value)
{
    char buffer[LEMICA_DOUBLE_TEXT_SIZE];
    char longest[64];
    double parsed = 0.0;

    ck_assert_ok(lemica_format_double(value, buffer, sizeof(buffer)));
    ck_assert_ok(lemica_parse_double(buffer, strlen(buffer), &parsed));
    ck_assert_msg(test_bits_of(parsed) == test_bits_of(value),
                  "%a formatted as \"%s\" parses back as %a", value, buffer,
                  parsed);
    snprintf(longest, sizeof(longest), "%.17g", value);
    ck_assert_uint_le(strlen(buffer), strlen(longest));
}

static void
round_trip_random(uint64_t seed, int count)
{
    uint64_t state = seed;

    for (int done = 0; done < count;) {
        uint64_t bits = test_rng_next(&state);
        double value = double_from_bits(bits);

        if (!isfinite(value))
            continue;
        check_round_trip(value);
        /* Values of everyday size too, where the short forms matter. */
        check_round_trip(ldexp((double)(bits >> 11), -53) * 10.0);
        done++;
    }
}

START_TEST(test_round_trip_random_bits)
{
    static const double special[] = {
        0.0,
        -0.0,
        DBL_MIN,
        -DBL_MIN,
        DBL_MAX,
        -DBL_MAX,
        DBL_TRUE_MIN,
        0.1,
        1e23,
        5e-324,
        9007199254740993.0,
        0.7,
        2.0 / 3.0,
    };

    for (size_t index = 0; index < sizeof(special) / sizeof(special[0]);
         index++)
        check_round_trip(special[index]);
    round_trip_random(20240601u, 100000);
}
END_TEST

START_TEST(test_parse_int)
{
    static const char *const malformed[] = {
        "", "-1", "+1", " 1", "1 ", "1a", "0x10", "1.0", "1e3", "99999999999x",
    };
    int value = -7;

    ck_assert_ok(lemica_parse_int("0", 1, &value));
    ck_assert_int_eq(value, 0);
    /* One rule for every integer: no leading zero (issue 16). */
    value = -7;
    ck_assert_status(lemica_parse_int("0049", 4, &value), LEMICA_ERR_PARSE);
    ck_assert_message_has("leading zero");
    ck_assert_status(lemica_parse_int("00", 2, &value), LEMICA_ERR_PARSE);
    ck_assert_int_eq(value, -7);
    ck_assert_ok(lemica_parse_int("2147483647", 10, &value));
    ck_assert_int_eq(value, INT_MAX);
    ck_assert_ok(lemica_parse_int("65535xyz", 5, &value));
    ck_assert_int_eq(value, 65535);
    value = -7;
    for (size_t index = 0; index < sizeof(malformed) / sizeof(malformed[0]);
         index++)
        ck_assert_msg(lemica_parse_int(malformed[index],
                                       strlen(malformed[index]),
                                       &value) == LEMICA_ERR_PARSE,
                      "\"%s\" was accepted", malformed[index]);
    ck_assert_status(lemica_parse_int("2147483648", 10, &value),
                     LEMICA_ERR_TOO_LARGE);
    ck_assert_status(lemica_parse_int("99999999999999999999", 20, &value),
                     LEMICA_ERR_TOO_LARGE);
    ck_assert_status(lemica_parse_int(NULL, 0, &value),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_parse_int("1", 1, NULL),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(value, -7);
}
END_TEST

/* ---- CSV ---------------------------------------------------------------- */

static lemica_graph *
parse_csv_ok(const char *text, int num_steps, int max_skip)
{
    size_t length = strlen(text);
    char *copy = test_unterminated_copy(text, length);
    lemica_graph *graph = NULL;

    ck_assert_ok(
        lemica_graph_parse_csv(copy, length, num_steps, max_skip, &graph));
    free(copy);
    ck_assert_ptr_nonnull(graph);
    return graph;
}

static double
weight_of(const lemica_graph *graph, int from, int to)
{
    double weight = -1.0;

    ck_assert_ok(lemica_graph_get_weight(graph, from, to, &weight));
    return weight;
}

START_TEST(test_csv_valid)
{
    static const char text[] = "# segment errors of a 6-step sampler\n"
                               "\n"
                               "  # indented comment\n"
                               "i,j,weight\n"
                               "0,2,0.5\n"
                               " 0 , 3 ,\t0.9 \n"
                               "\n"
                               "1,3,0.3\n"
                               "# between edges\n"
                               "3,4,0.125\n"
                               "2,5,7e-1\n";
    lemica_graph *graph = parse_csv_ok(text, 0, 0);

    ck_assert_int_eq(lemica_graph_num_steps(graph), 6);
    ck_assert_int_eq(lemica_graph_max_skip(graph), 3);
    ck_assert(weight_of(graph, 0, 2) == 0.5);
    ck_assert(weight_of(graph, 0, 3) == 0.9);
    ck_assert(weight_of(graph, 1, 3) == 0.3);
    ck_assert(weight_of(graph, 2, 5) == 0.7);
    /* A listed span-1 edge takes its weight; the others keep 0. */
    ck_assert(weight_of(graph, 3, 4) == 0.125);
    ck_assert(weight_of(graph, 0, 1) == 0.0);
    ck_assert(weight_of(graph, 4, 5) == 0.0);
    /* Only listed edges exist beyond span 1. */
    ck_assert_int_eq(lemica_graph_has_edge(graph, 1, 4), 0);
    ck_assert_int_eq(lemica_graph_has_edge(graph, 2, 4), 0);
    /* 5 span-1 edges + 4 longer ones. */
    ck_assert_uint_eq(lemica_graph_num_edges(graph), 9);
    lemica_graph_free(graph);
}
END_TEST

START_TEST(test_csv_line_ends)
{
    static const char crlf[] = "i,j,weight\r\n0,2,0.25\r\n# note\r\n\r\n"
                               "1,3,0.5\r\n";
    static const char no_final_newline[] = "i,j,weight\n0,2,0.25\n1,3,0.5";
    static const char bom[] = "\xEF\xBB\xBFi,j,weight\n0,2,0.25\n1,3,0.5\n";
    const char *const texts[] = {crlf, no_final_newline, bom};

    for (size_t index = 0; index < 3; index++) {
        lemica_graph *graph = parse_csv_ok(texts[index], 0, 0);

        ck_assert_int_eq(lemica_graph_num_steps(graph), 4);
        ck_assert_int_eq(lemica_graph_max_skip(graph), 2);
        ck_assert(weight_of(graph, 0, 2) == 0.25);
        ck_assert(weight_of(graph, 1, 3) == 0.5);
        lemica_graph_free(graph);
    }
}
END_TEST

START_TEST(test_csv_not_terminated)
{
    /* The text stops in the middle of a line that continues in memory:
     * "0,2,0.2" must be read as weight 0.2, not 0.25. */
    static const char text[] = "i,j,weight\n1,3,0.5\n0,2,0.25";
    size_t length = sizeof(text) - 2;
    char *copy = test_unterminated_copy(text, length);
    lemica_graph *graph = NULL;

    ck_assert_ok(lemica_graph_parse_csv(copy, length, 0, 0, &graph));
    ck_assert(weight_of(graph, 0, 2) == 0.2);
    lemica_graph_free(graph);
    free(copy);
}
END_TEST

START_TEST(test_csv_exact_weights)
{
    static const char *const weights[] = {
        "0.1",
        "1e-300",
        "4.9406564584124654e-324",
        "1.7976931348623157e308",
        "0.30000000000000004",
        "2.718281828459045235360287471352662497757",
    };
    char text[200];

    for (size_t index = 0; index < sizeof(weights) / sizeof(weights[0]);
         index++) {
        lemica_graph *graph;

        snprintf(text, sizeof(text), "i,j,weight\n0,2,%s\n", weights[index]);
        graph = parse_csv_ok(text, 0, 0);
        ck_assert(test_bits_of(weight_of(graph, 0, 2)) ==
                  test_bits_of(strtod_c(weights[index])));
        lemica_graph_free(graph);
    }
}
END_TEST

START_TEST(test_csv_zero_weights)
{
    lemica_graph *graph =
        parse_csv_ok("i,j,weight\n0,2,0\n1,3,-0\n2,4,0e5\n", 0, 0);

    ck_assert(weight_of(graph, 0, 2) == 0.0);
    /* -0 is accepted and stored as +0 (the graph rule). */
    ck_assert(weight_of(graph, 1, 3) == 0.0);
    ck_assert(!signbit(weight_of(graph, 1, 3)));
    ck_assert(weight_of(graph, 2, 4) == 0.0);
    lemica_graph_free(graph);
}
END_TEST

START_TEST(test_csv_num_steps)
{
    static const char text[] = "i,j,weight\n0,2,0.5\n3,5,0.25\n";
    lemica_graph *graph = parse_csv_ok(text, 0, 0);

    /* Inferred: 1 + the largest step. */
    ck_assert_int_eq(lemica_graph_num_steps(graph), 6);
    lemica_graph_free(graph);

    /* Explicit and larger: the trailing steps have span-1 edges only. */
    graph = parse_csv_ok(text, 10, 0);
    ck_assert_int_eq(lemica_graph_num_steps(graph), 10);
    ck_assert(weight_of(graph, 8, 9) == 0.0);
    ck_assert_int_eq(lemica_graph_has_edge(graph, 7, 9), 0);
    lemica_graph_free(graph);

    /* No edges at all is fine when N is given. */
    graph = parse_csv_ok("i,j,weight\n", 5, 0);
    ck_assert_int_eq(lemica_graph_num_steps(graph), 5);
    ck_assert_int_eq(lemica_graph_max_skip(graph), 1);
    ck_assert_uint_eq(lemica_graph_num_edges(graph), 4);
    lemica_graph_free(graph);

    /* The smallest graph. */
    graph = parse_csv_ok("i,j,weight\n0,1,0.5\n", 0, 0);
    ck_assert_int_eq(lemica_graph_num_steps(graph), 2);
    ck_assert_int_eq(lemica_graph_max_skip(graph), 1);
    ck_assert(weight_of(graph, 0, 1) == 0.5);
    lemica_graph_free(graph);
}
END_TEST

START_TEST(test_csv_max_skip)
{
    static const char text[] = "i,j,weight\n"
                               "0,2,0.5\n"
                               "0,4,0.75\n"
                               "1,3,0.25\n"
                               "2,7,0.125\n";
    lemica_graph *graph = parse_csv_ok(text, 0, 0);

    /* Inferred: the longest listed edge. */
    ck_assert_int_eq(lemica_graph_max_skip(graph), 5);
    ck_assert(weight_of(graph, 2, 7) == 0.125);
    lemica_graph_free(graph);

    /* Explicit: longer edges are ignored, but still count for N. */
    graph = parse_csv_ok(text, 0, 2);
    ck_assert_int_eq(lemica_graph_num_steps(graph), 8);
    ck_assert_int_eq(lemica_graph_max_skip(graph), 2);
    ck_assert(weight_of(graph, 0, 2) == 0.5);
    ck_assert(weight_of(graph, 1, 3) == 0.25);
    ck_assert_int_eq(lemica_graph_has_edge(graph, 0, 4),
                     LEMICA_ERR_OUT_OF_RANGE);
    lemica_graph_free(graph);

    /* Explicit and larger than needed: kept (clamped to N - 1). */
    graph = parse_csv_ok(text, 0, 100);
    ck_assert_int_eq(lemica_graph_max_skip(graph), 7);
    lemica_graph_free(graph);

    /* Only span-1 edges listed: K = 1. */
    graph = parse_csv_ok("i,j,weight\n0,1,0.5\n1,2,0.25\n", 0, 0);
    ck_assert_int_eq(lemica_graph_max_skip(graph), 1);
    lemica_graph_free(graph);
}
END_TEST

struct csv_error_case {
    const char *text;
    int num_steps;
    int max_skip;
    lemica_status status;
    const char *message;
};

static const struct csv_error_case csv_error_cases[] = {
    /* Header. */
    {"", 0, 0, LEMICA_ERR_PARSE,
     "line 1: the text ends before the header \"i,j,weight\""},
    {"# only\n\n# comments\n", 0, 0, LEMICA_ERR_PARSE,
     "line 3: the text ends before the header \"i,j,weight\""},
    {"0,1,0.5\n", 0, 0, LEMICA_ERR_PARSE,
     "line 1: expected the header \"i,j,weight\", found \"0,1,0.5\""},
    {"# edges\nfrom,to,weight\n0,2,1\n", 0, 0, LEMICA_ERR_PARSE,
     "line 2: expected the header \"i,j,weight\", found \"from,to,weight\""},
    {"i,j\n", 0, 0, LEMICA_ERR_PARSE,
     "line 1: expected the header \"i,j,weight\", found \"i,j\""},
    {"i,j,weight,extra\n", 0, 0, LEMICA_ERR_PARSE,
     "line 1: expected the header \"i,j,weight\", found "
     "\"i,j,weight,extra\""},
    /* Field count. */
    {"i,j,weight\n0,2\n", 0, 0, LEMICA_ERR_PARSE,
     "line 2: expected 3 fields \"i,j,weight\", found 2"},
    {"i,j,weight\n0,2,0.5,1\n", 0, 0, LEMICA_ERR_PARSE,
     "line 2: expected 3 fields \"i,j,weight\", found 4"},
    {"i,j,weight\n0,2,0.5,\n", 0, 0, LEMICA_ERR_PARSE,
     "line 2: expected 3 fields \"i,j,weight\", found 4"},
    /* Steps. */
    {"i,j,weight\n,2,0.5\n", 0, 0, LEMICA_ERR_PARSE, "line 2: i is empty"},
    {"i,j,weight\n0, ,0.5\n", 0, 0, LEMICA_ERR_PARSE, "line 2: j is empty"},
    {"i,j,weight\n-1,2,0.5\n", 0, 0, LEMICA_ERR_PARSE,
     "line 2: i is \"-1\", not a non-negative integer"},
    {"i,j,weight\n0,2.0,0.5\n", 0, 0, LEMICA_ERR_PARSE,
     "line 2: j is \"2.0\", not a non-negative integer"},
    {"i,j,weight\n0,x,0.5\n", 0, 0, LEMICA_ERR_PARSE,
     "line 2: j is \"x\", not a non-negative integer"},
    {"i,j,weight\n0 1,2,0.5\n", 0, 0, LEMICA_ERR_PARSE,
     "line 2: i is \"0 1\", not a non-negative integer"},
    /* Weights. */
    {"i,j,weight\n0,2,\n", 0, 0, LEMICA_ERR_PARSE, "line 2: weight is empty"},
    {"i,j,weight\n0,2,abc\n", 0, 0, LEMICA_ERR_PARSE,
     "line 2: weight \"abc\" is not a number"},
    {"i,j,weight\n0,2,0,5\n", 0, 0, LEMICA_ERR_PARSE,
     "line 2: expected 3 fields \"i,j,weight\", found 4"},
    {"i,j,weight\n0,2,0x1p-3\n", 0, 0, LEMICA_ERR_PARSE,
     "line 2: weight \"0x1p-3\" is not a number"},
    {"i,j,weight\n0,2,0.5 # measured\n", 0, 0, LEMICA_ERR_PARSE,
     "line 2: weight \"0.5 # measured\" is not a number"},
    {"i,j,weight\n0,2,0.5\r\r\n", 0, 0, LEMICA_ERR_PARSE,
     "line 2: weight \"0.5\r\" is not a number"},
    {"i,j,weight\n0,2,nan\n", 0, 0, LEMICA_ERR_INVALID_VALUE,
     "line 2: weight is NaN; weights must be finite and >= 0"},
    {"i,j,weight\n0,2,-NaN\n", 0, 0, LEMICA_ERR_INVALID_VALUE,
     "line 2: weight is NaN; weights must be finite and >= 0"},
    {"i,j,weight\n0,2,nan(0x7)\n", 0, 0, LEMICA_ERR_INVALID_VALUE,
     "line 2: weight is NaN; weights must be finite and >= 0"},
    {"i,j,weight\n0,2,inf\n", 0, 0, LEMICA_ERR_INVALID_VALUE,
     "line 2: weight is infinite; weights must be finite and >= 0"},
    {"i,j,weight\n0,2,Infinity\n", 0, 0, LEMICA_ERR_INVALID_VALUE,
     "line 2: weight is infinite; weights must be finite and >= 0"},
    {"i,j,weight\n0,2,1e999\n", 0, 0, LEMICA_ERR_INVALID_VALUE,
     "line 2: weight is infinite (1e999 is too large for a double)"},
    {"i,j,weight\n0,2,-0.25\n", 0, 0, LEMICA_ERR_INVALID_VALUE,
     "line 2: weight is negative (-0.25)"},
    {"i,j,weight\n0,2,-1e-300\n", 0, 0, LEMICA_ERR_INVALID_VALUE,
     "line 2: weight is negative (-1e-300)"},
    /* Edges. */
    {"i,j,weight\n3,3,0.5\n", 0, 0, LEMICA_ERR_OUT_OF_RANGE,
     "line 2: edge (3, 3) does not go forward; i must be less than j"},
    {"i,j,weight\n4,2,0.5\n", 0, 0, LEMICA_ERR_OUT_OF_RANGE,
     "line 2: edge (4, 2) does not go forward; i must be less than j"},
    {"i,j,weight\n0,2,0.5\n2,4,0.5\n", 4, 0, LEMICA_ERR_OUT_OF_RANGE,
     "line 3: edge (2, 4) is outside a graph of 4 steps"},
    {"i,j,weight\n0,99999999999,0.5\n", 4, 0, LEMICA_ERR_OUT_OF_RANGE,
     "line 2: step 99999999999 is outside a graph of 4 steps"},
    {"i,j,weight\n0,65536,0.5\n", 0, 0, LEMICA_ERR_TOO_LARGE,
     "line 2: step 65536 is above the largest supported step 65535"},
    {"i,j,weight\n0,99999999999,0.5\n", 0, 0, LEMICA_ERR_TOO_LARGE,
     "line 2: step 99999999999 is above the largest supported step 65535"},
    /* Repeats: both lines named; the earliest error wins. */
    {"i,j,weight\n0,2,0.5\n1,3,0.5\n0,2,0.5\n", 0, 0, LEMICA_ERR_PARSE,
     "line 4: edge (0, 2) is listed twice, first on line 2"},
    {"i,j,weight\n0,2,0.5\n1,3,0.5\n1,3,0.25\n0,2,0.5\n0,2,0.5\n", 0, 0,
     LEMICA_ERR_PARSE, "line 4: edge (1, 3) is listed twice, first on line 3"},
    {"i,j,weight\n0,2,0.5\n0 , 2 , 0.5\nbad\n", 0, 0, LEMICA_ERR_PARSE,
     "line 3: edge (0, 2) is listed twice, first on line 2"},
    {"i,j,weight\nbad\n0,2,0.5\n0,2,0.5\n", 0, 0, LEMICA_ERR_PARSE,
     "line 2: expected 3 fields \"i,j,weight\", found 1"},
    /* A repeat of an ignored (too long) edge is still a repeat. */
    {"i,j,weight\n0,5,0.5\n0,5,0.5\n", 0, 2, LEMICA_ERR_PARSE,
     "line 3: edge (0, 5) is listed twice, first on line 2"},
    /* Size. */
    {"i,j,weight\n", 0, 0, LEMICA_ERR_PARSE,
     "line 1: no edges, so the number of steps is unknown (a graph needs "
     "at least 2)"},
    {"# header only\ni,j,weight\n# nothing else\n", 0, 0, LEMICA_ERR_PARSE,
     "line 3: no edges, so the number of steps is unknown (a graph needs "
     "at least 2)"},
    /* Arguments. */
    {"i,j,weight\n0,2,0.5\n", 1, 0, LEMICA_ERR_INVALID_ARGUMENT,
     "num_steps must be 0 (inferred) or at least 2, not 1"},
    {"i,j,weight\n0,2,0.5\n", -3, 0, LEMICA_ERR_INVALID_ARGUMENT,
     "num_steps must be 0 (inferred) or at least 2, not -3"},
    {"i,j,weight\n0,2,0.5\n", LEMICA_MAX_STEPS + 1, 0, LEMICA_ERR_TOO_LARGE,
     "65537 steps is above the maximum of 65536"},
    {"i,j,weight\n0,2,0.5\n", 0, -1, LEMICA_ERR_INVALID_ARGUMENT,
     "max_skip must be 0 (inferred) or at least 1, not -1"},
};

START_TEST(test_csv_errors)
{
    for (size_t index = 0;
         index < sizeof(csv_error_cases) / sizeof(csv_error_cases[0]);
         index++) {
        const struct csv_error_case *item = &csv_error_cases[index];
        size_t length = strlen(item->text);
        char *copy = test_unterminated_copy(item->text, length);
        lemica_graph *graph = (lemica_graph *)&graph;
        lemica_status status;

        status = lemica_graph_parse_csv(copy, length, item->num_steps,
                                        item->max_skip, &graph);
        free(copy);
        ck_assert_msg(
            status == item->status, "case %zu: %s, expected %s (message: %s)",
            index, lemica_status_name(status), lemica_status_name(item->status),
            lemica_last_error_message());
        ck_assert_ptr_null(graph);
        ck_assert_msg(strcmp(lemica_last_error_message(), item->message) == 0,
                      "case %zu: message \"%s\", expected \"%s\"", index,
                      lemica_last_error_message(), item->message);
    }
}
END_TEST

START_TEST(test_csv_arguments)
{
    lemica_graph *graph = (lemica_graph *)&graph;

    ck_assert_status(lemica_graph_parse_csv("i,j,weight\n", 11, 0, 0, NULL),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_graph_parse_csv(NULL, 5, 0, 0, &graph),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_ptr_null(graph);
    /* NULL with length 0 is the empty text. */
    ck_assert_status(lemica_graph_parse_csv(NULL, 0, 0, 0, &graph),
                     LEMICA_ERR_PARSE);
    ck_assert_status(lemica_graph_load_csv(NULL, 0, 0, &graph),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_graph_load_csv("edges.csv", 0, 0, NULL),
                     LEMICA_ERR_INVALID_ARGUMENT);
}
END_TEST

/* Every allocation failure is reported as such and leaks nothing (the
 * valgrind and ASan runs check the second half). */
START_TEST(test_csv_no_memory)
{
    static const char text[] = "i,j,weight\n0,2,0.5\n1,3,0.25\n2,4,"
                               "0.12500000000000000000000000000000000000000"
                               "000000000000000000000000000000001\n";
    lemica_status status = LEMICA_ERR_NO_MEMORY;
    long fail_after;

    for (fail_after = 0; status == LEMICA_ERR_NO_MEMORY; fail_after++) {
        lemica_graph *graph = (lemica_graph *)&graph;

        lemica_alloc_fail_after(fail_after);
        status = lemica_graph_parse_csv(text, strlen(text), 0, 0, &graph);
        lemica_alloc_fail_after(-1);
        if (status == LEMICA_ERR_NO_MEMORY) {
            ck_assert_ptr_null(graph);
        } else {
            ck_assert_ok(status);
            ck_assert(weight_of(graph, 2, 4) == 0.125);
            lemica_graph_free(graph);
        }
    }
    /* The edge list, the long number's copy, the graph and its weights. */
    ck_assert_int_ge(fail_after, 4);
}
END_TEST

/* ---- Files -------------------------------------------------------------- */

/* The last error message is exactly the printf-style @format: load errors
 * start with a path only known at run time. */
__attribute__((format(printf, 1, 2))) static void
assert_message_is(const char *format, ...)
{
    char expected[512];
    va_list args;

    va_start(args, format);
    vsnprintf(expected, sizeof(expected), format, args);
    va_end(args);
    ck_assert_str_eq(lemica_last_error_message(), expected);
}

START_TEST(test_csv_load)
{
    static const char text[] = "# example\n"
                               "i,j,weight\n"
                               "0,2,0.5\n"
                               "1,3,0.25\n"
                               "2,4,0.125\n"
                               "\n"
                               "0,3,-1\n";
    struct test_temp_dir dir;
    char path[128];
    lemica_graph *graph = (lemica_graph *)&graph;

    test_temp_dir_make(&dir, "csv");
    snprintf(path, sizeof(path), "%s/edges.csv", dir.path);

    /* The same text without its bad line loads. */
    test_write_file(path, text, strlen(text) - strlen("0,3,-1\n"));
    ck_assert_ok(lemica_graph_load_csv(path, 0, 0, &graph));
    ck_assert_int_eq(lemica_graph_num_steps(graph), 5);
    ck_assert(weight_of(graph, 2, 4) == 0.125);
    lemica_graph_free(graph);

    /* Errors name the file, then the line. */
    test_write_file(path, text, strlen(text));
    ck_assert_status(lemica_graph_load_csv(path, 0, 0, &graph),
                     LEMICA_ERR_INVALID_VALUE);
    ck_assert_ptr_null(graph);
    assert_message_is("%s: line 7: weight is negative (-1)", path);

    /* So do argument errors. */
    ck_assert_status(lemica_graph_load_csv(path, 1, 0, &graph),
                     LEMICA_ERR_INVALID_ARGUMENT);
    assert_message_is("%s: num_steps must be 0 (inferred) or at least 2, not 1",
                      path);

    ck_assert_int_eq(unlink(path), 0);
    ck_assert_int_eq(rmdir(dir.path), 0);
}
END_TEST

START_TEST(test_csv_load_io_errors)
{
    struct test_temp_dir dir;
    char path[128];
    lemica_graph *graph = (lemica_graph *)&graph;

    test_temp_dir_make(&dir, "csv");
    snprintf(path, sizeof(path), "%s/missing.csv", dir.path);
    ck_assert_status(lemica_graph_load_csv(path, 0, 0, &graph), LEMICA_ERR_IO);
    ck_assert_ptr_null(graph);
    assert_message_is("%s: %s", path, strerror(ENOENT));

    graph = (lemica_graph *)&graph;
    ck_assert_status(lemica_graph_load_csv(dir.path, 0, 0, &graph),
                     LEMICA_ERR_IO);
    ck_assert_ptr_null(graph);
    assert_message_is("%s: %s", dir.path, strerror(EISDIR));

    /* An empty file reads fine and fails as text. */
    snprintf(path, sizeof(path), "%s/empty.csv", dir.path);
    test_write_file(path, "", 0);
    ck_assert_status(lemica_graph_load_csv(path, 0, 0, &graph),
                     LEMICA_ERR_PARSE);
    assert_message_is("%s: line 1: the text ends before the header "
                      "\"i,j,weight\"",
                      path);

    ck_assert_int_eq(unlink(path), 0);
    ck_assert_int_eq(rmdir(dir.path), 0);
}
END_TEST

/* A file larger than the reader's first buffer, read to its last byte. */
START_TEST(test_csv_load_large)
{
    struct test_temp_dir dir;
    char path[128];
    size_t capacity = 1 << 20;
    char *text = malloc(capacity);
    size_t length = 0;
    lemica_graph *graph = NULL;
    const int num_steps = 3000;

    ck_assert_ptr_nonnull(text);
    length +=
        (size_t)snprintf(text + length, capacity - length, "i,j,weight\n");
    for (int from = 0; from + 2 < num_steps; from++) {
        length += (size_t)snprintf(text + length, capacity - length,
                                   "# edge from step %d, padded to make the "
                                   "file longer than one read buffer\n"
                                   "%d,%d,%.17g\n",
                                   from, from, from + 2, from / 7.0);
        ck_assert_uint_lt(length, capacity);
    }
    ck_assert_uint_gt(length, 4 * 65536);
    test_temp_dir_make(&dir, "csv");
    snprintf(path, sizeof(path), "%s/large.csv", dir.path);
    test_write_file(path, text, length);
    ck_assert_ok(lemica_graph_load_csv(path, 0, 0, &graph));
    ck_assert_int_eq(lemica_graph_num_steps(graph), num_steps);
    ck_assert_int_eq(lemica_graph_max_skip(graph), 2);
    ck_assert(weight_of(graph, 2997, 2999) == 2997 / 7.0);
    ck_assert(weight_of(graph, 0, 2) == 0.0);
    lemica_graph_free(graph);
    free(text);
    ck_assert_int_eq(unlink(path), 0);
    ck_assert_int_eq(rmdir(dir.path), 0);
}
END_TEST

/* ---- Locale ------------------------------------------------------------- */

/* Locales whose decimal point is not '.': ',' for German and French, and
 * a two-byte U+066B for Pashto. Test machines may have none installed; the
 * test then checks the "C" locale only. */
static const char *const comma_locales[] = {
    "de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "fr_FR.utf8", "ps_AF.UTF-8",
};

static void
check_numbers_in_current_locale(void)
{
    static const char text[] = "i,j,weight\n0,2,0.5\n1,3,1.25e-1\n";
    char buffer[LEMICA_DOUBLE_TEXT_SIZE];
    double value = 0.0;
    lemica_graph *graph;

    ck_assert_ok(lemica_parse_double("1.5", 3, &value));
    ck_assert(value == 1.5);
    ck_assert_ok(lemica_parse_double("-2.5e-3", 7, &value));
    ck_assert(value == -0.0025);
    ck_assert_status(lemica_parse_double("1,5", 3, &value), LEMICA_ERR_PARSE);
    ck_assert_ok(lemica_format_double(1.5, buffer, sizeof(buffer)));
    ck_assert_str_eq(buffer, "1.5");
    ck_assert_ok(lemica_format_double(0.1 + 0.2, buffer, sizeof(buffer)));
    ck_assert_str_eq(buffer, "0.30000000000000004");
    round_trip_random(7u, 5000);

    graph = parse_csv_ok(text, 0, 0);
    ck_assert(weight_of(graph, 0, 2) == 0.5);
    ck_assert(weight_of(graph, 1, 3) == 0.125);
    lemica_graph_free(graph);
}

START_TEST(test_locale_independence)
{
    char *saved = setlocale(LC_NUMERIC, NULL);
    char saved_name[128];

    ck_assert_ptr_nonnull(saved);
    snprintf(saved_name, sizeof(saved_name), "%s", saved);
    check_numbers_in_current_locale();
    for (size_t index = 0;
         index < sizeof(comma_locales) / sizeof(comma_locales[0]); index++) {
        char probe[16];

        if (!setlocale(LC_NUMERIC, comma_locales[index]))
            continue;
        /* Make sure the locale really changes printf, or the test would
         * prove nothing. */
        snprintf(probe, sizeof(probe), "%.1f", 1.5);
        ck_assert_msg(strcmp(probe, "1.5") != 0,
                      "locale %s prints 1.5 as \"%s\"", comma_locales[index],
                      probe);
        check_numbers_in_current_locale();
    }
    ck_assert_ptr_nonnull(setlocale(LC_NUMERIC, saved_name));
}
END_TEST

TEST_SUITE(csv)
{
    add_test(suite, test_parse_double_valid);
    add_test(suite, test_parse_double_invalid);
    add_test(suite, test_parse_double_not_terminated);
    add_test(suite, test_format_double_shortest);
    add_test(suite, test_format_double_errors);
    add_test(suite, test_round_trip_random_bits);
    add_test(suite, test_parse_int);
    add_test(suite, test_csv_valid);
    add_test(suite, test_csv_line_ends);
    add_test(suite, test_csv_not_terminated);
    add_test(suite, test_csv_exact_weights);
    add_test(suite, test_csv_zero_weights);
    add_test(suite, test_csv_num_steps);
    add_test(suite, test_csv_max_skip);
    add_test(suite, test_csv_errors);
    add_test(suite, test_csv_arguments);
    add_test(suite, test_csv_no_memory);
    add_test(suite, test_csv_load);
    add_test(suite, test_csv_load_io_errors);
    add_test(suite, test_csv_load_large);
    add_test(suite, test_locale_independence);
}
