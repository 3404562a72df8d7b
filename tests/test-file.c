/* SPDX-License-Identifier: MIT */
/* Metadata, the graph and schedule file formats, and atomic saves. */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test-common.h"
#include "test-files.h"

#include "alloc-int.h"
#include "file-io-int.h"

/* ---- helpers ------------------------------------------------------------ */

/* A finite, non-negative double with random bits: every exponent and
 * mantissa shape, subnormals included. */
static double
random_weight(uint64_t *state)
{
    for (;;) {
        uint64_t bits = test_rng_next(state) & 0x7fffffffffffffffu;
        double value;

        memcpy(&value, &bits, sizeof(value));
        if (isfinite(value))
            return value;
    }
}

static lemica_status
parse_graph_text(const char *text, lemica_metadata *metadata,
                 lemica_graph **out)
{
    size_t length = strlen(text);
    char *copy = test_unterminated_copy(text, length);
    lemica_status status = lemica_graph_parse(copy, length, metadata, out);

    free(copy);
    return status;
}

static lemica_status
parse_schedule_text(const char *text, int expected, lemica_metadata *metadata,
                    lemica_schedule **out)
{
    size_t length = strlen(text);
    char *copy = test_unterminated_copy(text, length);
    lemica_status status =
        lemica_schedule_parse(copy, length, expected, metadata, out);

    free(copy);
    return status;
}

/* tests/data/tiny.csv as a graph: N = 6, K = 3. */
static lemica_graph *
tiny_graph(void)
{
    static const struct {
        int from, to;
        double weight;
    } edges[] = {{0, 2, 0.5}, {0, 3, 0.9}, {1, 3, 0.3}, {1, 4, 0.6},
                 {2, 4, 0.2}, {2, 5, 0.7}, {3, 5, 0.1}};
    lemica_graph *graph = NULL;

    ck_assert_ok(lemica_graph_new(6, 3, &graph));
    for (size_t index = 0; index < sizeof(edges) / sizeof(edges[0]); index++)
        ck_assert_ok(lemica_graph_set_weight(
            graph, edges[index].from, edges[index].to, edges[index].weight));
    return graph;
}

static const char tiny_graph_file[] = "lemica-graph 1.0\n"
                                      "num_steps 6\n"
                                      "max_skip 3\n"
                                      "model flux-dev\n"
                                      "edges 12\n"
                                      "0 1 0\n"
                                      "0 2 0.5\n"
                                      "0 3 0.9\n"
                                      "1 2 0\n"
                                      "1 3 0.3\n"
                                      "1 4 0.6\n"
                                      "2 3 0\n"
                                      "2 4 0.2\n"
                                      "2 5 0.7\n"
                                      "3 4 0\n"
                                      "3 5 0.1\n"
                                      "4 5 0\n"
                                      "end\n";

/* ---- metadata ------------------------------------------------------------ */

START_TEST(test_metadata_basics)
{
    lemica_metadata *metadata = NULL;
    lemica_metadata *copy = NULL;

    ck_assert_ok(lemica_metadata_new(&metadata));
    ck_assert_uint_eq(lemica_metadata_count(metadata), 0);
    ck_assert_ok(lemica_metadata_set(metadata, "model", "flux-dev"));
    ck_assert_ok(lemica_metadata_set(metadata, "sampler", "euler a"));
    ck_assert_ok(lemica_metadata_set(metadata, "note", ""));
    /* Replacing keeps the position. */
    ck_assert_ok(lemica_metadata_set(metadata, "model", "wan-2.1"));
    ck_assert_uint_eq(lemica_metadata_count(metadata), 3);
    ck_assert_str_eq(lemica_metadata_key(metadata, 0), "model");
    ck_assert_str_eq(lemica_metadata_value(metadata, 0), "wan-2.1");
    ck_assert_str_eq(lemica_metadata_get(metadata, "sampler"), "euler a");
    ck_assert_str_eq(lemica_metadata_get(metadata, "note"), "");
    ck_assert_ptr_null(lemica_metadata_get(metadata, "metric"));
    ck_assert_ptr_null(lemica_metadata_key(metadata, 3));
    ck_assert_ptr_null(lemica_metadata_value(NULL, 0));

    ck_assert_ok(lemica_metadata_copy(metadata, &copy));
    ck_assert_ok(lemica_metadata_remove(metadata, "model"));
    ck_assert_ok(lemica_metadata_remove(metadata, "absent"));
    ck_assert_str_eq(lemica_metadata_key(metadata, 0), "sampler");
    ck_assert_uint_eq(lemica_metadata_count(copy), 3);
    ck_assert_str_eq(lemica_metadata_get(copy, "model"), "wan-2.1");
    lemica_metadata_clear(metadata);
    ck_assert_uint_eq(lemica_metadata_count(metadata), 0);
    lemica_metadata_free(metadata);
    lemica_metadata_free(copy);
    lemica_metadata_free(NULL);
}
END_TEST

START_TEST(test_metadata_refuses)
{
    lemica_metadata *metadata = NULL;
    char long_key[LEMICA_METADATA_MAX_KEY + 2];
    char *long_value = malloc(LEMICA_METADATA_MAX_VALUE + 2);

    ck_assert_ptr_nonnull(long_value);
    ck_assert_ok(lemica_metadata_new(&metadata));
    ck_assert_status(lemica_metadata_set(metadata, "", "x"),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_metadata_set(metadata, "a key", "x"),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_metadata_set(metadata, "num_steps", "7"),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_message_has("reserved");
    ck_assert_status(lemica_metadata_set(metadata, "end", "x"),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_metadata_set(metadata, "segments", "x"),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_metadata_set(metadata, "model", "two\nlines"),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_metadata_set(metadata, "model", "tab\there"),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_metadata_set(metadata, NULL, "x"),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_metadata_set(metadata, "model", NULL),
                     LEMICA_ERR_INVALID_ARGUMENT);
    memset(long_key, 'k', sizeof(long_key) - 1);
    long_key[sizeof(long_key) - 1] = '\0';
    ck_assert_status(lemica_metadata_set(metadata, long_key, "x"),
                     LEMICA_ERR_TOO_LARGE);
    long_key[LEMICA_METADATA_MAX_KEY] = '\0';
    ck_assert_ok(lemica_metadata_set(metadata, long_key, "x"));
    memset(long_value, 'v', LEMICA_METADATA_MAX_VALUE + 1);
    long_value[LEMICA_METADATA_MAX_VALUE + 1] = '\0';
    ck_assert_status(lemica_metadata_set(metadata, "model", long_value),
                     LEMICA_ERR_TOO_LARGE);
    long_value[LEMICA_METADATA_MAX_VALUE] = '\0';
    ck_assert_ok(lemica_metadata_set(metadata, "model", long_value));
    ck_assert_uint_eq(lemica_metadata_count(metadata), 2);
    for (int index = 0;
         lemica_metadata_count(metadata) < LEMICA_METADATA_MAX_ENTRIES;
         index++) {
        char key[32];

        snprintf(key, sizeof(key), "key%d", index);
        ck_assert_ok(lemica_metadata_set(metadata, key, "v"));
    }
    ck_assert_status(lemica_metadata_set(metadata, "one-more", "v"),
                     LEMICA_ERR_TOO_LARGE);
    lemica_metadata_free(metadata);
    free(long_value);
}
END_TEST

/* ---- graph files --------------------------------------------------------- */

START_TEST(test_graph_format_exact)
{
    lemica_graph *graph = tiny_graph();
    lemica_metadata *metadata = NULL;
    char *text;

    ck_assert_ok(lemica_metadata_new(&metadata));
    ck_assert_ok(lemica_metadata_set(metadata, "model", "flux-dev"));
    text = test_graph_text(graph, metadata);
    ck_assert_str_eq(text, tiny_graph_file);
    free(text);
    lemica_metadata_free(metadata);
    lemica_graph_free(graph);
}
END_TEST

START_TEST(test_graph_round_trip_random)
{
    uint64_t state = 42;

    for (int round = 0; round < 40; round++) {
        int num_steps = 2 + (int)(test_rng_next(&state) % 60);
        int max_skip = 1 + (int)(test_rng_next(&state) % (uint64_t)num_steps);
        lemica_graph *graph = NULL;
        lemica_graph *loaded = NULL;
        lemica_metadata *metadata = NULL;
        lemica_metadata *loaded_metadata = NULL;
        char *first;
        char *second;

        ck_assert_ok(lemica_graph_new(num_steps, max_skip, &graph));
        max_skip = lemica_graph_max_skip(graph);
        for (int from = 0; from < num_steps; from++)
            for (int to = from + 1; to < num_steps && to - from <= max_skip;
                 to++) {
                uint64_t choice = test_rng_next(&state) % 4;

                if (choice == 0)
                    ck_assert_ok(lemica_graph_remove_edge(graph, from, to));
                else if (choice != 1)
                    ck_assert_ok(lemica_graph_set_weight(
                        graph, from, to, random_weight(&state)));
            }
        ck_assert_ok(lemica_metadata_new(&metadata));
        ck_assert_ok(
            lemica_metadata_set(metadata, "model", "m\xc3\xa9t\xc3\xa9o"));
        ck_assert_ok(lemica_metadata_set(metadata, "empty", ""));
        ck_assert_ok(lemica_metadata_set(metadata, "spaces", "  a  b  "));
        ck_assert_ok(lemica_metadata_set(metadata, "x.custom-key_9", "1"));

        first = test_graph_text(graph, metadata);
        ck_assert_ok(lemica_metadata_new(&loaded_metadata));
        ck_assert_ok(lemica_metadata_set(loaded_metadata, "stale", "gone"));
        ck_assert_ok(parse_graph_text(first, loaded_metadata, &loaded));
        second = test_graph_text(loaded, loaded_metadata);
        ck_assert_str_eq(first, second);

        ck_assert_int_eq(lemica_graph_num_steps(loaded), num_steps);
        ck_assert_int_eq(lemica_graph_max_skip(loaded), max_skip);
        ck_assert_uint_eq(lemica_graph_num_edges(loaded),
                          lemica_graph_num_edges(graph));
        for (int from = 0; from < num_steps; from++)
            for (int to = from + 1; to < num_steps && to - from <= max_skip;
                 to++) {
                double a = -1.0;
                double b = -1.0;

                ck_assert_int_eq(lemica_graph_has_edge(graph, from, to),
                                 lemica_graph_has_edge(loaded, from, to));
                if (lemica_graph_has_edge(graph, from, to) != 1)
                    continue;
                ck_assert_ok(lemica_graph_get_weight(graph, from, to, &a));
                ck_assert_ok(lemica_graph_get_weight(loaded, from, to, &b));
                ck_assert_uint_eq(test_bits_of(a), test_bits_of(b));
            }
        ck_assert_uint_eq(lemica_metadata_count(loaded_metadata), 4);
        ck_assert_str_eq(lemica_metadata_key(loaded_metadata, 3),
                         "x.custom-key_9");
        ck_assert_str_eq(lemica_metadata_get(loaded_metadata, "spaces"),
                         "  a  b  ");
        ck_assert_str_eq(lemica_metadata_get(loaded_metadata, "empty"), "");
        free(first);
        free(second);
        lemica_metadata_free(metadata);
        lemica_metadata_free(loaded_metadata);
        lemica_graph_free(graph);
        lemica_graph_free(loaded);
    }
}
END_TEST

START_TEST(test_graph_parse_accepts)
{
    lemica_graph *graph = NULL;
    double weight = -1.0;

    /* CRLF, edges in any order, no final newline, a newer minor version,
     * metadata optional. */
    ck_assert_ok(parse_graph_text("lemica-graph 1.7\r\nnum_steps 3\r\n"
                                  "max_skip 2\r\nedges 2\r\n0 2 1e-3\r\n"
                                  "0 1 -0\r\nend",
                                  NULL, &graph));
    ck_assert_int_eq(lemica_graph_has_edge(graph, 1, 2), 0);
    ck_assert_ok(lemica_graph_get_weight(graph, 0, 2, &weight));
    ck_assert(weight == 1e-3);
    ck_assert_ok(lemica_graph_get_weight(graph, 0, 1, &weight));
    ck_assert(weight == 0.0 && !signbit(weight));
    lemica_graph_free(graph);
}
END_TEST

struct bad_input {
    const char *text;
    lemica_status status;
    const char *message;
};

/* Input @index of a bad_input table was refused as @expected says. */
static void
assert_refused(size_t index, lemica_status status,
               const struct bad_input *expected)
{
    if (status != expected->status ||
        !strstr(lemica_last_error_message(), expected->message))
        ck_abort_msg("input %zu: %s \"%s\", expected %s \"%s\"", index,
                     lemica_status_name(status), lemica_last_error_message(),
                     lemica_status_name(expected->status), expected->message);
}

#define GRAPH_HEAD "lemica-graph 1.0\nnum_steps 4\nmax_skip 2\n"

static const struct bad_input bad_graphs[] = {
    {"", LEMICA_ERR_PARSE, "line 1: the text is empty"},
    {"lemica-graph\n", LEMICA_ERR_PARSE, "line 1: expected a version"},
    {"lemica-graph 1\n", LEMICA_ERR_PARSE, "line 1: expected a version"},
    {"lemica-graph 1.x\n", LEMICA_ERR_PARSE, "line 1: expected a version"},
    {"i,j,weight\n0,1,0\n", LEMICA_ERR_PARSE,
     "line 1: expected \"lemica-graph 1.0\""},
    {"lemica-graph 2.0\nnum_steps 4\n", LEMICA_ERR_VERSION,
     "line 1: format version 2.0 is newer than this library reads (1.x)"},
    {"lemica-graph 0.9\n", LEMICA_ERR_VERSION, "does not exist"},
    {"lemica-schedule 1.0\n", LEMICA_ERR_MISMATCH,
     "line 1: this is a schedule file, not a graph file"},
    {"lemica-graph 1.0\n", LEMICA_ERR_PARSE, "line 2: expected \"num_steps\""},
    {"lemica-graph 1.0\nnum_steps 4\n", LEMICA_ERR_PARSE,
     "line 3: expected \"max_skip\""},
    {"lemica-graph 1.0\nnum_steps -4\nmax_skip 2\n", LEMICA_ERR_PARSE,
     "line 2: num_steps \"-4\" is not a non-negative integer"},
    {"lemica-graph 1.0\nnum_steps 1\nmax_skip 1\n", LEMICA_ERR_PARSE,
     "line 2: num_steps 1"},
    {"lemica-graph 1.0\nnum_steps 99999999999999999999\nmax_skip 2\n",
     LEMICA_ERR_TOO_LARGE, "line 2: num_steps 99999999999999999999 is larger"},
    {"lemica-graph 1.0\nnum_steps 2147483647\nmax_skip 2147483646\n",
     LEMICA_ERR_TOO_LARGE, "line 2: num_steps 2147483647 is above the maximum"},
    {"lemica-graph 1.0\nnum_steps 65536\nmax_skip 65535\n",
     LEMICA_ERR_TOO_LARGE,
     "line 3: a graph of 65536 steps with max skip 65535"},
    {"lemica-graph 1.0\nnum_steps 4\nmax_skip 4\n", LEMICA_ERR_PARSE,
     "line 3: max_skip 4 is outside 1 .. 3"},
    {GRAPH_HEAD, LEMICA_ERR_PARSE, "line 4: the text ends before \"edges\""},
    {GRAPH_HEAD "\n", LEMICA_ERR_PARSE, "line 4: empty line"},
    {GRAPH_HEAD "# comment\n", LEMICA_ERR_PARSE,
     "line 4: \"# comment\" does not start with a metadata key"},
    {GRAPH_HEAD "model a\nmodel b\n", LEMICA_ERR_PARSE,
     "line 5: metadata key \"model\" appears twice"},
    {GRAPH_HEAD "budget 3\n", LEMICA_ERR_PARSE,
     "line 4: \"budget\" is out of place"},
    {GRAPH_HEAD "model a\x01\n", LEMICA_ERR_PARSE, "control character"},
    {GRAPH_HEAD "edges x\n", LEMICA_ERR_PARSE, "line 4: edges \"x\""},
    {GRAPH_HEAD "edges 6\n", LEMICA_ERR_PARSE,
     "line 4: 6 edges, but a graph of 4 steps with max skip 2 has at most 5"},
    {GRAPH_HEAD "edges 2\n0 1 0\n", LEMICA_ERR_PARSE,
     "line 6: the text ends after 1 of the 2 edges announced on line 4"},
    {GRAPH_HEAD "edges 2\n0 1 0\nend\n", LEMICA_ERR_PARSE,
     "line 6: \"end\" after 1 of the 2 edges"},
    {GRAPH_HEAD "edges 1\n0 1 0\n", LEMICA_ERR_PARSE,
     "line 6: the text ends before \"end\": the file is truncated"},
    {GRAPH_HEAD "edges 1\n0 1 0\n1 2 0\nend\n", LEMICA_ERR_PARSE,
     "line 6: expected \"end\" after the edges"},
    {GRAPH_HEAD "edges 1\n0 1 0\nend\nmore\n", LEMICA_ERR_PARSE,
     "line 7: text after \"end\""},
    {GRAPH_HEAD "edges 1\n0 1 0\nend\n\n", LEMICA_ERR_PARSE,
     "line 7: text after \"end\""},
    {GRAPH_HEAD "edges 2\n0 1 0.5\n0 1 0.5\nend\n", LEMICA_ERR_PARSE,
     "line 6: edge (0, 1) is listed twice"},
    {GRAPH_HEAD "edges 1\n0 1 nan\nend\n", LEMICA_ERR_INVALID_VALUE,
     "line 5: weight of edge (0, 1) is NaN"},
    {GRAPH_HEAD "edges 1\n0 1 -inf\nend\n", LEMICA_ERR_INVALID_VALUE,
     "line 5: weight of edge (0, 1) is infinite"},
    {GRAPH_HEAD "edges 1\n0 1 1e999\nend\n", LEMICA_ERR_INVALID_VALUE,
     "is too large for a double"},
    {GRAPH_HEAD "edges 1\n0 1 -0.5\nend\n", LEMICA_ERR_INVALID_VALUE,
     "line 5: weight of edge (0, 1) is negative (-0.5)"},
    {GRAPH_HEAD "edges 1\n0 1 0x1p3\nend\n", LEMICA_ERR_PARSE,
     "is not a decimal number"},
    {GRAPH_HEAD "edges 1\n0 4 0\nend\n", LEMICA_ERR_OUT_OF_RANGE,
     "line 5: edge (0, 4) is outside a graph of 4 steps"},
    {GRAPH_HEAD "edges 1\n0 3 0\nend\n", LEMICA_ERR_OUT_OF_RANGE,
     "line 5: edge (0, 3) is outside a graph of 4 steps with max skip 2"},
    {GRAPH_HEAD "edges 1\n2 1 0\nend\n", LEMICA_ERR_OUT_OF_RANGE,
     "line 5: edge (2, 1) does not go forward"},
    {GRAPH_HEAD "edges 1\n0 99999999999 0\nend\n", LEMICA_ERR_OUT_OF_RANGE,
     "line 5: step 99999999999 is outside the graph"},
    {GRAPH_HEAD "edges 1\n0  1 0\nend\n", LEMICA_ERR_PARSE,
     "line 5: expected \"i j weight\""},
    {GRAPH_HEAD "edges 1\n0 1 0 \nend\n", LEMICA_ERR_PARSE,
     "is not a decimal number"},
    {GRAPH_HEAD "edges 1\n0 1\nend\n", LEMICA_ERR_PARSE,
     "line 5: expected \"i j weight\""},
    {GRAPH_HEAD "edges 1\n0,1,0\nend\n", LEMICA_ERR_PARSE,
     "line 5: expected \"i j weight\""},
};

START_TEST(test_graph_parse_refuses)
{
    for (size_t index = 0; index < sizeof(bad_graphs) / sizeof(bad_graphs[0]);
         index++) {
        lemica_graph *graph = (lemica_graph *)&graph;
        lemica_metadata *metadata = NULL;
        lemica_status status;

        ck_assert_ok(lemica_metadata_new(&metadata));
        ck_assert_ok(lemica_metadata_set(metadata, "kept", "yes"));
        status = parse_graph_text(bad_graphs[index].text, metadata, &graph);
        assert_refused(index, status, &bad_graphs[index]);
        ck_assert_ptr_null(graph);
        /* The caller's metadata is untouched on failure. */
        ck_assert_uint_eq(lemica_metadata_count(metadata), 1);
        ck_assert_str_eq(lemica_metadata_get(metadata, "kept"), "yes");
        lemica_metadata_free(metadata);
    }
}
END_TEST

START_TEST(test_graph_truncated_everywhere)
{
    size_t length = strlen(tiny_graph_file);

    /* Every proper prefix is refused: at worst the last line lost its
     * "end", and a cut number is caught by the count or the "end". */
    for (size_t cut = 0; cut < length - 1; cut++) {
        char *copy = test_unterminated_copy(tiny_graph_file, cut);
        lemica_graph *graph = NULL;
        lemica_status status = lemica_graph_parse(copy, cut, NULL, &graph);

        if (status == LEMICA_OK)
            ck_abort_msg("prefix of %zu bytes accepted", cut);
        ck_assert_ptr_null(graph);
        free(copy);
    }
}
END_TEST

START_TEST(test_graph_format_buffer)
{
    lemica_graph *graph = tiny_graph();
    size_t length = 0;
    char small[16];
    char *big;

    ck_assert_ok(lemica_graph_format(graph, NULL, NULL, 0, &length));
    ck_assert_uint_eq(length,
                      strlen(tiny_graph_file) - strlen("model flux-dev\n"));
    ck_assert_status(
        lemica_graph_format(graph, NULL, small, sizeof(small), &length),
        LEMICA_ERR_BUFFER_TOO_SMALL);
    ck_assert_uint_eq(length,
                      strlen(tiny_graph_file) - strlen("model flux-dev\n"));
    big = malloc(length + 1);
    ck_assert_status(lemica_graph_format(graph, NULL, big, length, NULL),
                     LEMICA_ERR_BUFFER_TOO_SMALL);
    ck_assert_ok(lemica_graph_format(graph, NULL, big, length + 1, NULL));
    ck_assert_uint_eq(strlen(big), length);
    ck_assert_status(lemica_graph_format(NULL, NULL, big, length + 1, NULL),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_graph_format(graph, NULL, NULL, 5, NULL),
                     LEMICA_ERR_INVALID_ARGUMENT);
    free(big);
    lemica_graph_free(graph);
}
END_TEST

START_TEST(test_graph_parse_no_memory)
{
    lemica_status status = LEMICA_ERR_NO_MEMORY;
    long fail_after;

    for (fail_after = 0; status == LEMICA_ERR_NO_MEMORY; fail_after++) {
        lemica_metadata *metadata = NULL;
        lemica_graph *graph = NULL;

        ck_assert_ok(lemica_metadata_new(&metadata));
        lemica_alloc_fail_after(fail_after);
        status = lemica_graph_parse(tiny_graph_file, strlen(tiny_graph_file),
                                    metadata, &graph);
        lemica_alloc_fail_after(-1);
        if (status == LEMICA_ERR_NO_MEMORY) {
            ck_assert_ptr_null(graph);
            ck_assert_uint_eq(lemica_metadata_count(metadata), 0);
        } else {
            ck_assert_ok(status);
            ck_assert_str_eq(lemica_metadata_get(metadata, "model"),
                             "flux-dev");
            lemica_graph_free(graph);
        }
        lemica_metadata_free(metadata);
    }
    ck_assert_int_ge(fail_after, 3);
}
END_TEST

/* ---- schedule files ----------------------------------------------------- */

static const char tiny_schedule_file[] = "lemica-schedule 1.0\n"
                                         "num_steps 6\n"
                                         "budget 4\n"
                                         "comparator lexmax\n"
                                         "steps 0,1,3,5\n"
                                         "costs 0.3,0.1,0\n"
                                         "sum 0.4\n"
                                         "end\n";

START_TEST(test_schedule_format_exact)
{
    lemica_graph *graph = tiny_graph();
    lemica_solver *solver = NULL;
    lemica_schedule *schedule = NULL;
    lemica_schedule *bare = NULL;
    lemica_metadata *metadata = NULL;
    static const int steps[] = {0, 2, 5};
    char *text;

    ck_assert_ok(lemica_solver_new(&solver));
    ck_assert_ok(lemica_solver_solve(solver, graph, 4, &schedule));
    ck_assert_ok(lemica_metadata_new(&metadata));
    ck_assert_ok(lemica_metadata_set(metadata, "comparator", "lexmax"));
    text = test_schedule_text(schedule, metadata);
    ck_assert_str_eq(text, tiny_schedule_file);
    free(text);

    ck_assert_ok(lemica_schedule_new_from_steps(6, steps, 3, &bare));
    text = test_schedule_text(bare, NULL);
    ck_assert_str_eq(text, "lemica-schedule 1.0\nnum_steps 6\nbudget 3\n"
                           "steps 0,2,5\nend\n");
    free(text);
    lemica_schedule_free(bare);
    lemica_schedule_free(schedule);
    lemica_metadata_free(metadata);
    lemica_solver_free(solver);
    lemica_graph_free(graph);
}
END_TEST

static void
assert_same_schedule(const lemica_schedule *a, const lemica_schedule *b)
{
    int budget = lemica_schedule_budget(a);
    int steps_a[64];
    int steps_b[64];
    double costs_a[64];
    double costs_b[64];
    double value_a;
    double value_b;

    ck_assert_int_le(budget, 64);
    ck_assert_int_eq(lemica_schedule_num_steps(a),
                     lemica_schedule_num_steps(b));
    ck_assert_int_eq(budget, lemica_schedule_budget(b));
    ck_assert_ok(lemica_schedule_steps(a, steps_a, 64, NULL));
    ck_assert_ok(lemica_schedule_steps(b, steps_b, 64, NULL));
    ck_assert_mem_eq(steps_a, steps_b, (size_t)budget * sizeof(int));
    ck_assert_int_eq(lemica_schedule_has_costs(a),
                     lemica_schedule_has_costs(b));
    if (!lemica_schedule_has_costs(a))
        return;
    ck_assert_ok(lemica_schedule_costs(a, costs_a, 64, NULL));
    ck_assert_ok(lemica_schedule_costs(b, costs_b, 64, NULL));
    for (int index = 0; index + 1 < budget; index++)
        ck_assert_uint_eq(test_bits_of(costs_a[index]),
                          test_bits_of(costs_b[index]));
    ck_assert_ok(lemica_schedule_sum_cost(a, &value_a));
    ck_assert_ok(lemica_schedule_sum_cost(b, &value_b));
    ck_assert_uint_eq(test_bits_of(value_a), test_bits_of(value_b));
    ck_assert_ok(lemica_schedule_max_cost(a, &value_a));
    ck_assert_ok(lemica_schedule_max_cost(b, &value_b));
    ck_assert_uint_eq(test_bits_of(value_a), test_bits_of(value_b));
}

START_TEST(test_schedule_round_trip_random)
{
    uint64_t state = 7;
    lemica_solver *solver = NULL;

    ck_assert_ok(lemica_solver_new(&solver));
    for (int round = 0; round < 30; round++) {
        int num_steps = 2 + (int)(test_rng_next(&state) % 50);
        lemica_graph *graph = NULL;
        lemica_frontier *frontier = NULL;

        ck_assert_ok(lemica_graph_new(num_steps, num_steps, &graph));
        for (int from = 0; from < num_steps; from++)
            for (int to = from + 1; to < num_steps; to++)
                ck_assert_ok(lemica_graph_set_weight(
                    graph, from, to,
                    random_weight(&state) * (round % 2 ? 1.0 : 1e-300)));
        ck_assert_ok(lemica_solver_solve_frontier(solver, graph, &frontier));
        for (size_t index = 0; index < lemica_frontier_count(frontier);
             index++) {
            const lemica_schedule *schedule = NULL;
            lemica_schedule *loaded = NULL;
            lemica_metadata *metadata = NULL;
            char *first;
            char *second;

            ck_assert_ok(lemica_frontier_get(frontier, index, &schedule));
            first = test_schedule_text(schedule, NULL);
            ck_assert_ok(lemica_metadata_new(&metadata));
            ck_assert_ok(
                parse_schedule_text(first, num_steps, metadata, &loaded));
            second = test_schedule_text(loaded, metadata);
            ck_assert_str_eq(first, second);
            assert_same_schedule(schedule, loaded);
            free(first);
            free(second);
            lemica_schedule_free(loaded);
            lemica_metadata_free(metadata);
        }
        lemica_frontier_free(frontier);
        lemica_graph_free(graph);
    }
    lemica_solver_free(solver);
}
END_TEST

/* Issue 16, item 10: the loader checks the sum against the costs, so every
 * schedule the library writes must pass that check, whatever the order of
 * its path and the magnitudes of its costs: random-bit weights (subnormal
 * to DBL_MAX, sums that overflow), clustered weights whose path-order and
 * sorted sums round differently, every comparator, long paths. */
START_TEST(test_schedule_written_sums_load_back)
{
    static const lemica_comparator comparators[] = {
        LEMICA_COMPARATOR_LEXMAX, LEMICA_COMPARATOR_SUM,
        LEMICA_COMPARATOR_MAX};
    uint64_t state = 1616;
    lemica_solver *solver = NULL;
    size_t checked = 0;

    ck_assert_ok(lemica_solver_new(&solver));
    for (int round = 0; round < 24; round++) {
        int num_steps = 3 + (int)(test_rng_next(&state) % 200);
        int max_skip = 2 + (int)(test_rng_next(&state) % 6);
        int kind = round % 4;
        lemica_graph *graph = NULL;
        lemica_frontier *frontier = NULL;

        ck_assert_ok(lemica_graph_new(num_steps, max_skip, &graph));
        max_skip = lemica_graph_max_skip(graph);
        for (int from = 0; from < num_steps; from++)
            for (int to = from + 1; to < num_steps && to - from <= max_skip;
                 to++) {
                double weight;

                if (kind == 0)
                    weight = random_weight(&state);
                else if (kind == 1) /* 1 + a few ulps: sums disagree */
                    weight = 1.0 + ldexp((double)test_rng_below(&state, 64),
                                         -52) * 3.0;
                else if (kind == 2) /* near the overflow of the sum */
                    weight = DBL_MAX / num_steps *
                             (0.5 + test_rng_unit(&state));
                else /* mixed magnitudes */
                    weight = ldexp(test_rng_unit(&state),
                                   test_rng_below(&state, 120) - 60);
                ck_assert_ok(lemica_graph_set_weight(graph, from, to, weight));
            }
        ck_assert_ok(lemica_solver_set_comparator(solver,
                                                  comparators[round % 3]));
        ck_assert_ok(lemica_solver_solve_frontier(solver, graph, &frontier));
        for (size_t index = 0; index < lemica_frontier_count(frontier);
             index++) {
            const lemica_schedule *schedule = NULL;
            lemica_schedule *loaded = NULL;
            char *text;
            char *again;

            ck_assert_ok(lemica_frontier_get(frontier, index, &schedule));
            text = test_schedule_text(schedule, NULL);
            if (parse_schedule_text(text, num_steps, NULL, &loaded) !=
                LEMICA_OK)
                ck_abort_msg("round %d: a written schedule is refused: %s",
                             round, lemica_last_error_message());
            again = test_schedule_text(loaded, NULL);
            ck_assert_str_eq(text, again);
            lemica_schedule_free(loaded);
            free(again);
            free(text);
            checked++;
        }
        lemica_frontier_free(frontier);
        lemica_graph_free(graph);
    }
    ck_assert_uint_gt(checked, 500);
    lemica_solver_free(solver);
}
END_TEST

START_TEST(test_schedule_infinite_sum)
{
    lemica_graph *graph = NULL;
    lemica_solver *solver = NULL;
    lemica_schedule *schedule = NULL;
    lemica_schedule *loaded = NULL;
    double sum = 0.0;
    char *text;
    char *again;

    /* Two segments of DBL_MAX: every cost is finite, their sum is not. */
    ck_assert_ok(lemica_graph_new(5, 2, &graph));
    ck_assert_ok(lemica_graph_set_weight(graph, 0, 2, DBL_MAX));
    ck_assert_ok(lemica_graph_set_weight(graph, 2, 4, DBL_MAX));
    ck_assert_ok(lemica_solver_new(&solver));
    ck_assert_ok(lemica_solver_solve(solver, graph, 3, &schedule));
    text = test_schedule_text(schedule, NULL);
    ck_assert_ptr_nonnull(strstr(text, "\nsum inf\n"));
    ck_assert_ok(parse_schedule_text(text, 0, NULL, &loaded));
    ck_assert_ok(lemica_schedule_sum_cost(loaded, &sum));
    ck_assert(isinf(sum));
    again = test_schedule_text(loaded, NULL);
    ck_assert_str_eq(text, again);
    free(text);
    free(again);
    lemica_schedule_free(schedule);
    lemica_schedule_free(loaded);
    lemica_solver_free(solver);
    lemica_graph_free(graph);
}
END_TEST

START_TEST(test_schedule_expected_steps)
{
    lemica_schedule *schedule = (lemica_schedule *)&schedule;

    ck_assert_status(
        parse_schedule_text(tiny_schedule_file, 5, NULL, &schedule),
        LEMICA_ERR_MISMATCH);
    ck_assert_message_has(
        "line 2: the schedule was planned for 6 steps, not 5");
    ck_assert_ptr_null(schedule);
    /* The mismatch is reported even when the rest of the file is bad. */
    ck_assert_status(parse_schedule_text("lemica-schedule 1.0\nnum_steps 50\n"
                                         "budget 99\n",
                                         40, NULL, &schedule),
                     LEMICA_ERR_MISMATCH);
    ck_assert_message_has("planned for 50 steps, not 40");
    ck_assert_status(
        parse_schedule_text(tiny_schedule_file, -1, NULL, &schedule),
        LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_ok(parse_schedule_text(tiny_schedule_file, 6, NULL, &schedule));
    ck_assert_int_eq(lemica_schedule_should_compute(schedule, 2), 0);
    ck_assert_int_eq(lemica_schedule_should_compute(schedule, 3), 1);
    lemica_schedule_free(schedule);
    ck_assert_ok(parse_schedule_text(tiny_schedule_file, 0, NULL, &schedule));
    lemica_schedule_free(schedule);
}
END_TEST

#define SCHEDULE_HEAD "lemica-schedule 1.0\nnum_steps 6\nbudget 4\n"

static const struct bad_input bad_schedules[] = {
    {"", LEMICA_ERR_PARSE, "line 1: the text is empty"},
    {"lemica-graph 1.0\n", LEMICA_ERR_MISMATCH,
     "line 1: this is a graph file, not a schedule file"},
    {"lemica-profile 1.0\n", LEMICA_ERR_MISMATCH,
     "line 1: this is a profile file, not a schedule file"},
    {"lemica-schedule 3.1\n", LEMICA_ERR_VERSION,
     "line 1: format version 3.1 is newer"},
    {"lemica-schedule 1.0\nnum_steps 6\n", LEMICA_ERR_PARSE,
     "line 3: expected \"budget\""},
    {"lemica-schedule 1.0\nnum_steps 6\nbudget 7\n", LEMICA_ERR_PARSE,
     "line 3: budget 7 is outside 2 .. 6"},
    {"lemica-schedule 1.0\nnum_steps 65537\nbudget 7\n", LEMICA_ERR_TOO_LARGE,
     "line 2: num_steps 65537 is above the maximum of 65536"},
    {"lemica-schedule 1.0\nnum_steps 4294967297\nbudget 7\n",
     LEMICA_ERR_TOO_LARGE, "line 2: num_steps 4294967297 is larger"},
    {SCHEDULE_HEAD, LEMICA_ERR_PARSE, "line 4: the text ends before \"steps\""},
    {SCHEDULE_HEAD "steps\n", LEMICA_ERR_PARSE,
     "line 4: \"steps\" without a step list"},
    {SCHEDULE_HEAD "steps 0,1,3,6\nend\n", LEMICA_ERR_PARSE,
     "line 4: step list: entry 3"},
    {SCHEDULE_HEAD "steps 0,3,1,5\nend\n", LEMICA_ERR_PARSE,
     "line 4: step list: entry 2 (1) is not greater"},
    {SCHEDULE_HEAD "steps 0,1,1,5\nend\n", LEMICA_ERR_PARSE,
     "a step may appear only once"},
    {SCHEDULE_HEAD "steps 0,1,5\nend\n", LEMICA_ERR_PARSE,
     "line 4: 3 steps are listed, but line 3 says budget 4"},
    {SCHEDULE_HEAD "steps 0,1,3,5\n", LEMICA_ERR_PARSE,
     "line 5: the text ends before \"end\""},
    {SCHEDULE_HEAD "steps 0,1,3,5\nsum 1\nend\n", LEMICA_ERR_PARSE,
     "line 5: expected \"costs\" or \"end\""},
    {SCHEDULE_HEAD "steps 0,1,3,5\ncosts 0.3,0.1\nsum 0.4\nend\n",
     LEMICA_ERR_PARSE, "line 5: 2 costs, but a budget of 4 has 3 segments"},
    {SCHEDULE_HEAD "steps 0,1,3,5\ncosts 0.3,0.1,0,0\nsum 0.4\nend\n",
     LEMICA_ERR_PARSE, "line 5: more than the 3 costs"},
    {SCHEDULE_HEAD "steps 0,1,3,5\ncosts 0.1,0.3,0\nsum 0.4\nend\n",
     LEMICA_ERR_PARSE, "line 5: cost 1 (0.3) is larger than the one before"},
    {SCHEDULE_HEAD "steps 0,1,3,5\ncosts 0.3,NaN,0\nsum 0.4\nend\n",
     LEMICA_ERR_INVALID_VALUE, "line 5: cost 1 is NaN"},
    {SCHEDULE_HEAD "steps 0,1,3,5\ncosts 0.3,0.1,-1\nsum 0.4\nend\n",
     LEMICA_ERR_INVALID_VALUE, "line 5: cost 2 is negative"},
    {SCHEDULE_HEAD "steps 0,1,3,5\ncosts 0.3,,0\nsum 0.4\nend\n",
     LEMICA_ERR_PARSE, "line 5: cost 1 \"\" is not a decimal number"},
    {SCHEDULE_HEAD "steps 0,1,3,5\ncosts 0.3,0.1,0\n", LEMICA_ERR_PARSE,
     "line 6: the text ends before \"sum\""},
    {SCHEDULE_HEAD "steps 0,1,3,5\ncosts 0.3,0.1,0\nsum 0.2\nend\n",
     LEMICA_ERR_PARSE, "line 6: sum 0.2 is less than the largest cost"},
    {SCHEDULE_HEAD "steps 0,1,3,5\ncosts 0.3,0.1,0\nsum nan\nend\n",
     LEMICA_ERR_INVALID_VALUE, "line 6: sum is NaN"},
    /* Issue 16, item 10: a sum the costs do not give. */
    {SCHEDULE_HEAD "steps 0,1,3,5\ncosts 0.3,0.1,0\nsum 0.5\nend\n",
     LEMICA_ERR_PARSE,
     "line 6: sum 0.5 is not the sum of the costs (0.4) within rounding"},
    {SCHEDULE_HEAD "steps 0,1,3,5\ncosts 0.3,0.1,0\nsum 0.40000001\nend\n",
     LEMICA_ERR_PARSE, "line 6: sum 0.40000001 is not the sum of the costs"},
    {SCHEDULE_HEAD "steps 0,1,3,5\ncosts 0.3,0.1,0\nsum inf\nend\n",
     LEMICA_ERR_PARSE, "line 6: sum inf is not the sum of the costs (0.4)"},
    {SCHEDULE_HEAD "steps 0,1,3,5\ncosts 1e308,1e308,0\nsum 1e308\nend\n",
     LEMICA_ERR_PARSE,
     "line 6: sum 1e308 is not the sum of the costs (inf) within rounding"},
    {SCHEDULE_HEAD "steps 0,1,3,5\ncosts 0.3,0.1,0\nsum 0.4\n",
     LEMICA_ERR_PARSE, "line 7: the text ends before \"end\""},
    {SCHEDULE_HEAD "steps 0,1,3,5\ncosts 0.3,0.1,0\nsum 0.4\nend\nend\n",
     LEMICA_ERR_PARSE, "line 8: text after \"end\""},
    {SCHEDULE_HEAD "steps 0,1,3,5\nend\nx\n", LEMICA_ERR_PARSE,
     "line 6: text after \"end\""},
    {SCHEDULE_HEAD "edges 3\n", LEMICA_ERR_PARSE,
     "line 4: \"edges\" is out of place"},
};

START_TEST(test_schedule_parse_refuses)
{
    for (size_t index = 0;
         index < sizeof(bad_schedules) / sizeof(bad_schedules[0]); index++) {
        lemica_schedule *schedule = (lemica_schedule *)&schedule;
        lemica_status status =
            parse_schedule_text(bad_schedules[index].text, 0, NULL, &schedule);

        assert_refused(index, status, &bad_schedules[index]);
        ck_assert_ptr_null(schedule);
    }
}
END_TEST

START_TEST(test_schedule_truncated_everywhere)
{
    size_t length = strlen(tiny_schedule_file);

    for (size_t cut = 0; cut < length - 1; cut++) {
        char *copy = test_unterminated_copy(tiny_schedule_file, cut);
        lemica_schedule *schedule = NULL;

        if (lemica_schedule_parse(copy, cut, 0, NULL, &schedule) == LEMICA_OK)
            ck_abort_msg("prefix of %zu bytes accepted", cut);
        free(copy);
    }
}
END_TEST

START_TEST(test_schedule_parse_no_memory)
{
    lemica_status status = LEMICA_ERR_NO_MEMORY;
    long fail_after;

    for (fail_after = 0; status == LEMICA_ERR_NO_MEMORY; fail_after++) {
        lemica_metadata *metadata = NULL;
        lemica_schedule *schedule = NULL;

        ck_assert_ok(lemica_metadata_new(&metadata));
        lemica_alloc_fail_after(fail_after);
        status = lemica_schedule_parse(tiny_schedule_file,
                                       strlen(tiny_schedule_file), 6, metadata,
                                       &schedule);
        lemica_alloc_fail_after(-1);
        if (status == LEMICA_ERR_NO_MEMORY) {
            ck_assert_ptr_null(schedule);
            ck_assert_uint_eq(lemica_metadata_count(metadata), 0);
        } else {
            ck_assert_ok(status);
            ck_assert_int_eq(lemica_schedule_has_costs(schedule), 1);
            lemica_schedule_free(schedule);
        }
        lemica_metadata_free(metadata);
    }
    ck_assert_int_ge(fail_after, 3);
}
END_TEST

/* ---- files and atomic saves --------------------------------------------- */

START_TEST(test_save_and_load_files)
{
    struct test_temp_dir dir;
    char graph_path[128];
    char schedule_path[128];
    lemica_graph *graph = NULL;
    lemica_schedule *schedule = NULL;
    lemica_metadata *metadata = NULL;
    char *text;

    test_temp_dir_make(&dir, "file");
    test_temp_dir_file(&dir, "tiny.lemica-graph", graph_path, sizeof(graph_path));
    test_temp_dir_file(&dir, "tiny.lemica-schedule", schedule_path,
                  sizeof(schedule_path));
    ck_assert_ok(parse_graph_text(tiny_graph_file, NULL, &graph));
    ck_assert_ok(lemica_metadata_new(&metadata));
    ck_assert_ok(lemica_metadata_set(metadata, "model", "flux-dev"));
    ck_assert_ok(lemica_graph_save(graph, metadata, graph_path));
    text = test_read_text(graph_path);
    ck_assert_str_eq(text, tiny_graph_file);
    free(text);
    lemica_graph_free(graph);
    lemica_metadata_clear(metadata);
    ck_assert_ok(lemica_graph_load(graph_path, metadata, &graph));
    ck_assert_str_eq(lemica_metadata_get(metadata, "model"), "flux-dev");
    ck_assert_uint_eq(lemica_graph_num_edges(graph), 12);
    lemica_graph_free(graph);
    /* A graph file is not a schedule file; the path leads the message. */
    ck_assert_status(lemica_schedule_load(graph_path, 0, NULL, &schedule),
                     LEMICA_ERR_MISMATCH);
    ck_assert_ptr_nonnull(strstr(lemica_last_error_message(), graph_path));

    ck_assert_ok(
        parse_schedule_text(tiny_schedule_file, 6, metadata, &schedule));
    ck_assert_ok(lemica_schedule_save(schedule, metadata, schedule_path));
    text = test_read_text(schedule_path);
    ck_assert_str_eq(text, tiny_schedule_file);
    free(text);
    lemica_schedule_free(schedule);
    ck_assert_status(lemica_schedule_load(schedule_path, 28, NULL, &schedule),
                     LEMICA_ERR_MISMATCH);
    ck_assert_message_has(
        ": line 2: the schedule was planned for 6 steps, not 28");
    ck_assert_ok(lemica_schedule_load(schedule_path, 6, NULL, &schedule));
    lemica_schedule_free(schedule);
    /* Two files and nothing else: no temporary file was left. */
    ck_assert_int_eq(test_temp_dir_count(&dir), 2);

    ck_assert_status(lemica_graph_load(dir.path, NULL, &graph), LEMICA_ERR_IO);
    ck_assert_status(lemica_graph_load("/nonexistent/x", NULL, &graph),
                     LEMICA_ERR_IO);
    ck_assert_message_has("/nonexistent/x: No such file or directory");
    ck_assert_status(lemica_graph_save(NULL, NULL, graph_path),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_schedule_save(NULL, NULL, graph_path),
                     LEMICA_ERR_INVALID_ARGUMENT);
    lemica_metadata_free(metadata);
    test_temp_dir_remove(&dir);
}
END_TEST

START_TEST(test_save_write_failure_keeps_old_file)
{
    struct test_temp_dir dir;
    char path[128];
    lemica_graph *old_graph = tiny_graph();
    lemica_graph *new_graph = NULL;
    char *old_text;
    size_t new_length = 0;

    test_temp_dir_make(&dir, "file");
    test_temp_dir_file(&dir, "graph", path, sizeof(path));
    ck_assert_ok(lemica_graph_save(old_graph, NULL, path));
    old_text = test_read_text(path);
    /* A larger graph, so the new text differs from the first byte on. */
    ck_assert_ok(lemica_graph_new(3000, 8, &new_graph));
    ck_assert_ok(lemica_graph_format(new_graph, NULL, NULL, 0, &new_length));
    ck_assert_uint_gt(new_length, 3 * LEMICA_WRITER_STAGING);

    /* Fail at the first byte, inside the first staging block, at a block
     * boundary, and one byte before the end. */
    {
        const long cuts[] = {0,
                             1,
                             100,
                             LEMICA_WRITER_STAGING,
                             LEMICA_WRITER_STAGING + 1,
                             (long)new_length - 1};

        for (size_t index = 0; index < sizeof(cuts) / sizeof(cuts[0]);
             index++) {
            char *text;

            lemica_save_fail_after(cuts[index]);
            ck_assert_status(lemica_graph_save(new_graph, NULL, path),
                             LEMICA_ERR_IO);
            lemica_save_fail_after(-1);
            ck_assert_message_has(path);
            ck_assert_message_has("cannot write: No space left on device");
            text = test_read_text(path);
            ck_assert_str_eq(text, old_text);
            free(text);
            ck_assert_int_eq(test_temp_dir_count(&dir), 1);
        }
    }
    /* With exactly enough bytes the save succeeds. */
    lemica_save_fail_after((long)new_length);
    ck_assert_ok(lemica_graph_save(new_graph, NULL, path));
    lemica_save_fail_after(-1);
    ck_assert_int_eq(test_temp_dir_count(&dir), 1);
    free(old_text);
    lemica_graph_free(old_graph);
    lemica_graph_free(new_graph);
    test_temp_dir_remove(&dir);
}
END_TEST

START_TEST(test_save_bad_directories)
{
    struct test_temp_dir dir;
    char path[160];
    lemica_graph *graph = tiny_graph();

    test_temp_dir_make(&dir, "file");
    test_temp_dir_file(&dir, "missing/graph", path, sizeof(path));
    ck_assert_status(lemica_graph_save(graph, NULL, path), LEMICA_ERR_IO);
    ck_assert_message_has("cannot create a temporary file beside it: No such "
                       "file or directory");

    /* A directory the process may not write: a read-only one, except for
     * root, who writes anywhere; /proc refuses root too. */
    if (geteuid() != 0) {
        char sub[128];

        test_temp_dir_file(&dir, "read-only", sub, sizeof(sub));
        ck_assert_int_eq(mkdir(sub, 0555), 0);
        snprintf(path, sizeof(path), "%s/graph", sub);
        ck_assert_status(lemica_graph_save(graph, NULL, path), LEMICA_ERR_IO);
        ck_assert_message_has("Permission denied");
        rmdir(sub);
    }
    ck_assert_status(lemica_graph_save(graph, NULL, "/proc/lemica-test-graph"),
                     LEMICA_ERR_IO);
    ck_assert_message_has("/proc/lemica-test-graph: cannot create a temporary");
    /* A directory in the way of the destination: refused before anything
     * is written. */
    test_temp_dir_file(&dir, "subdir", path, sizeof(path));
    ck_assert_int_eq(mkdir(path, 0755), 0);
    {
        char inner[200];

        snprintf(inner, sizeof(inner), "%s/keep", path);
        ck_assert_ok(lemica_graph_save(graph, NULL, inner));
    }
    ck_assert_status(lemica_graph_save(graph, NULL, path), LEMICA_ERR_IO);
    ck_assert_message_has("is a directory");
    ck_assert_int_eq(test_temp_dir_count(&dir), 1);
    {
        char inner[200];

        snprintf(inner, sizeof(inner), "%s/keep", path);
        unlink(inner);
        rmdir(path);
    }
    lemica_graph_free(graph);
    test_temp_dir_remove(&dir);
}
END_TEST

START_TEST(test_save_keeps_permissions)
{
    struct test_temp_dir dir;
    char path[128];
    struct stat info;
    lemica_graph *graph = tiny_graph();

    test_temp_dir_make(&dir, "file");
    test_temp_dir_file(&dir, "graph", path, sizeof(path));
    ck_assert_ok(lemica_graph_save(graph, NULL, path));
    ck_assert_int_eq(chmod(path, 0640), 0);
    ck_assert_ok(lemica_graph_save(graph, NULL, path));
    ck_assert_int_eq(stat(path, &info), 0);
    ck_assert_int_eq(info.st_mode & 0777, 0640);
    lemica_graph_free(graph);
    test_temp_dir_remove(&dir);
}
END_TEST

/* ---- profile files ------------------------------------------------------ */

static lemica_status
parse_profile_text(const char *text, lemica_metadata *metadata,
                   lemica_profiler **out)
{
    size_t length = strlen(text);
    char *copy = test_unterminated_copy(text, length);
    lemica_status status = lemica_profiler_parse(copy, length, metadata, out);

    free(copy);
    return status;
}

/* Every statistic of every segment, bit for bit. */
static void
assert_same_profile(const lemica_profiler *a, const lemica_profiler *b)
{
    int num_steps = lemica_profiler_num_steps(a);
    int max_skip = lemica_profiler_max_skip(a);

    ck_assert_int_eq(num_steps, lemica_profiler_num_steps(b));
    ck_assert_int_eq(max_skip, lemica_profiler_max_skip(b));
    ck_assert_int_eq(lemica_profiler_metric(a), lemica_profiler_metric(b));
    ck_assert_uint_eq(lemica_profiler_num_measured(a),
                      lemica_profiler_num_measured(b));
    for (int from = 0; from < num_steps; from++)
        for (int to = from + 2; to < num_steps && to - from <= max_skip; to++) {
            uint64_t count_a, count_b;
            double a_values[4], b_values[4];

            ck_assert_ok(lemica_profiler_edge_stats(
                a, from, to, &count_a, &a_values[0], &a_values[1], &a_values[2],
                &a_values[3]));
            ck_assert_ok(lemica_profiler_edge_stats(
                b, from, to, &count_b, &b_values[0], &b_values[1], &b_values[2],
                &b_values[3]));
            ck_assert_uint_eq(count_a, count_b);
            if (count_a == 0)
                continue;
            for (int index = 0; index < 4; index++)
                ck_assert_uint_eq(test_bits_of(a_values[index]),
                                  test_bits_of(b_values[index]));
        }
}

/* A profiler with a random number of random samples per segment. */
static lemica_profiler *
random_profiler(uint64_t *state, int num_steps, int max_skip,
                lemica_metric metric)
{
    lemica_profiler *profiler = NULL;

    ck_assert_ok(lemica_profiler_new(num_steps, max_skip, metric, &profiler));
    max_skip = lemica_profiler_max_skip(profiler);
    for (int from = 0; from < num_steps; from++)
        for (int to = from + 2; to < num_steps && to - from <= max_skip; to++) {
            int samples = test_rng_below(state, 4);

            for (int sample = 0; sample < samples; sample++)
                ck_assert_ok(lemica_profiler_add_error(
                    profiler, from, to,
                    test_rng_unit(state) * (from + 1) / (to - from)));
        }
    return profiler;
}

START_TEST(test_profile_format_exact)
{
    lemica_profiler *profiler = NULL;
    lemica_profiler *loaded = NULL;
    lemica_metadata *metadata = NULL;
    char *text;

    ck_assert_ok(lemica_profiler_new(5, 3, LEMICA_METRIC_MSE, &profiler));
    ck_assert_ok(lemica_profiler_add_error(profiler, 0, 2, 0.5));
    ck_assert_ok(lemica_profiler_add_error(profiler, 0, 2, 1.5));
    ck_assert_ok(lemica_profiler_add_error(profiler, 1, 4, 0.25));
    ck_assert_ok(lemica_metadata_new(&metadata));
    ck_assert_ok(lemica_metadata_set(metadata, "model", "flux-dev"));
    text = test_profile_text(profiler, metadata);
    ck_assert_str_eq(text, "lemica-profile 1.0\n"
                           "num_steps 5\n"
                           "max_skip 3\n"
                           "metric mse\n"
                           "model flux-dev\n"
                           "segments 2\n"
                           "0 2 2 1 0.5 0.5 1.5\n"
                           "1 4 1 0.25 0 0.25 0.25\n"
                           "end\n");
    lemica_metadata_clear(metadata);
    ck_assert_ok(parse_profile_text(text, metadata, &loaded));
    ck_assert_str_eq(lemica_metadata_get(metadata, "model"), "flux-dev");
    assert_same_profile(profiler, loaded);
    /* The metric is line 4's: a metadata key of that name is refused. */
    ck_assert_ok(lemica_metadata_set(metadata, "metric", "l2"));
    ck_assert_status(lemica_profiler_format(profiler, metadata, NULL, 0, NULL),
                     LEMICA_ERR_INVALID_ARGUMENT);
    free(text);
    lemica_metadata_free(metadata);
    lemica_profiler_free(profiler);
    lemica_profiler_free(loaded);
}
END_TEST

START_TEST(test_profile_round_trip_and_merge)
{
    uint64_t state = 99;
    static const lemica_metric metrics[] = {LEMICA_METRIC_L1, LEMICA_METRIC_MSE,
                                            LEMICA_METRIC_RELATIVE_L1};

    for (int round = 0; round < 15; round++) {
        int num_steps = 2 + test_rng_below(&state, 40);
        int max_skip = 1 + test_rng_below(&state, num_steps);
        lemica_metric metric = metrics[round % 3];
        lemica_profiler *shards[2];
        lemica_profiler *loaded[2];
        lemica_profiler *merged = NULL;
        lemica_profiler *merged_loaded = NULL;

        for (int index = 0; index < 2; index++) {
            char *first;
            char *second;

            shards[index] =
                random_profiler(&state, num_steps, max_skip, metric);
            first = test_profile_text(shards[index], NULL);
            ck_assert_ok(parse_profile_text(first, NULL, &loaded[index]));
            second = test_profile_text(loaded[index], NULL);
            ck_assert_str_eq(first, second);
            assert_same_profile(shards[index], loaded[index]);
            free(first);
            free(second);
        }
        /* Saved and loaded shards merge exactly as the originals. */
        ck_assert_ok(lemica_profiler_copy(shards[0], &merged));
        ck_assert_ok(lemica_profiler_merge(merged, shards[1]));
        ck_assert_ok(lemica_profiler_merge(loaded[0], loaded[1]));
        merged_loaded = loaded[0];
        assert_same_profile(merged, merged_loaded);
        for (int index = 0; index < 2; index++) {
            lemica_profiler_free(shards[index]);
            lemica_profiler_free(loaded[index]);
        }
        lemica_profiler_free(merged);
    }
}
END_TEST

/* Issue 16, item 10: the loader checks every segment's statistics, so
 * every profile the library writes must pass: nearly constant samples
 * (rounded means), huge and subnormal magnitudes, merges and summaries. */
START_TEST(test_profile_written_stats_load_back)
{
    uint64_t state = 1610;

    for (int round = 0; round < 40; round++) {
        lemica_profiler *profiler = NULL;
        lemica_profiler *other = NULL;
        lemica_profiler *loaded = NULL;
        int kind = round % 5;
        char *text;

        ck_assert_ok(lemica_profiler_new(8, 4, LEMICA_METRIC_L1, &profiler));
        ck_assert_ok(lemica_profiler_new(8, 4, LEMICA_METRIC_L1, &other));
        for (int from = 0; from < 8; from++)
            for (int to = from + 2; to < 8 && to - from <= 4; to++) {
                int samples = 1 + test_rng_below(&state, 40);
                double base = ldexp(1.0 + test_rng_unit(&state),
                                    test_rng_below(&state, 400) - 200);

                for (int sample = 0; sample < samples; sample++) {
                    double value;

                    if (kind == 0)
                        value = base * (1.0 + ldexp((double)test_rng_below(
                                                        &state, 4),
                                                    -52));
                    else if (kind == 1)
                        value = test_rng_unit(&state) * 1e153;
                    else if (kind == 2)
                        value = (double)test_rng_below(&state, 3) * 5e-324;
                    else if (kind == 3)
                        value = base;
                    else
                        value = random_weight(&state) * 1e-160;
                    ck_assert_ok(lemica_profiler_add_error(
                        sample % 2 ? other : profiler, from, to, value));
                }
            }
        if (round % 2)
            ck_assert_ok(lemica_profiler_merge(profiler, other));
        else
            for (int from = 0; from < 8; from++)
                for (int to = from + 2; to < 8 && to - from <= 4; to++) {
                    uint64_t count;
                    double mean, variance, min, max;

                    ck_assert_ok(lemica_profiler_edge_stats(
                        other, from, to, &count, &mean, &variance, &min,
                        &max));
                    ck_assert_ok(lemica_profiler_add_stats(
                        profiler, from, to, count, mean, variance, min, max));
                }
        text = test_profile_text(profiler, NULL);
        if (parse_profile_text(text, NULL, &loaded) != LEMICA_OK)
            ck_abort_msg("round %d: a written profile is refused: %s", round,
                         lemica_last_error_message());
        assert_same_profile(profiler, loaded);
        free(text);
        lemica_profiler_free(loaded);
        lemica_profiler_free(other);
        lemica_profiler_free(profiler);
    }
}
END_TEST

#define PROFILE_HEAD "lemica-profile 1.0\nnum_steps 5\nmax_skip 3\nmetric l1\n"

static const struct bad_input bad_profiles[] = {
    {"lemica-graph 1.0\n", LEMICA_ERR_MISMATCH,
     "line 1: this is a graph file, not a profile file"},
    {"lemica-profile 2.0\n", LEMICA_ERR_VERSION, "line 1: format version 2.0"},
    {"lemica-profile 1.0\nnum_steps 5\nmax_skip 3\n", LEMICA_ERR_PARSE,
     "line 4: expected \"metric\" and one of l1, mse, relative_l1"},
    {"lemica-profile 1.0\nnum_steps 5\nmax_skip 3\nmetric l2\n",
     LEMICA_ERR_PARSE, "line 4: expected \"metric\""},
    {"lemica-profile 1.0\nnum_steps 70000\nmax_skip 3\nmetric l1\n",
     LEMICA_ERR_TOO_LARGE, "line 2: num_steps 70000 is above the maximum"},
    {PROFILE_HEAD "metric mse\n", LEMICA_ERR_PARSE,
     "line 5: a second \"metric\""},
    {PROFILE_HEAD, LEMICA_ERR_PARSE,
     "line 5: the text ends before \"segments\""},
    {PROFILE_HEAD "segments 7\n", LEMICA_ERR_PARSE,
     "line 5: 7 segments, but a profile of 5 steps with max skip 3 has at "
     "most 5"},
    {PROFILE_HEAD "segments 1\n0 1 1 0 0 0 0\nend\n", LEMICA_ERR_OUT_OF_RANGE,
     "line 6: segment (0, 1) is not one of a profile"},
    {PROFILE_HEAD "segments 1\n0 4 1 0 0 0 0\nend\n", LEMICA_ERR_OUT_OF_RANGE,
     "line 6: segment (0, 4)"},
    {PROFILE_HEAD "segments 1\n0 2 0 0 0 0 0\nend\n", LEMICA_ERR_PARSE,
     "line 6: count 0"},
    {PROFILE_HEAD "segments 1\n0 2 18446744073709551616 0 0 0 0\nend\n",
     LEMICA_ERR_TOO_LARGE, "line 6: count 18446744073709551616 is above"},
    {PROFILE_HEAD "segments 1\n0 2 1 nan 0 0 0\nend\n",
     LEMICA_ERR_INVALID_VALUE, "line 6: mean of segment (0, 2) is NaN"},
    {PROFILE_HEAD "segments 1\n0 2 1 0 -1 0 0\nend\n", LEMICA_ERR_INVALID_VALUE,
     "line 6: m2 of segment (0, 2) is negative"},
    {PROFILE_HEAD "segments 1\n0 2 1 0 0 2 1\nend\n", LEMICA_ERR_PARSE,
     "line 6: segment (0, 2) is inconsistent: min 2 is above max 1"},
    /* Issue 16, item 10: statistics no samples can give. */
    {PROFILE_HEAD "segments 1\n0 2 3 5 0.02 0.4 0.6\nend\n",
     LEMICA_ERR_PARSE,
     "line 6: segment (0, 2) is inconsistent: mean 5 is outside [min, max] "
     "= [0.4, 0.6]"},
    {PROFILE_HEAD "segments 1\n0 2 3 0.3 0.02 0.4 0.6\nend\n",
     LEMICA_ERR_PARSE, "mean 0.3 is outside [min, max] = [0.4, 0.6]"},
    {PROFILE_HEAD "segments 2\n0 2 1 0.5 0 0.5 0.5\n1 3 1 0.5 0.25 0.5 "
                  "0.5\nend\n",
     LEMICA_ERR_PARSE,
     "line 7: segment (1, 3) is inconsistent: one sample, but M2 0.25 is not "
     "0"},
    {PROFILE_HEAD "segments 1\n0 2 1 0.5 0 0.4 0.6\nend\n",
     LEMICA_ERR_PARSE,
     "line 6: segment (0, 2) is inconsistent: one sample, but mean 0.5, min "
     "0.4 and max 0.6 differ"},
    {PROFILE_HEAD "segments 1\n0 2 1 0.5 0 0.5 0.6\nend\n",
     LEMICA_ERR_PARSE, "one sample, but mean 0.5, min 0.5 and max 0.6"},
    {PROFILE_HEAD "segments 1\n0 2 1 0 0 0\nend\n", LEMICA_ERR_PARSE,
     "line 6: expected \"i j count mean m2 min max\""},
    {PROFILE_HEAD "segments 1\n0 2 1 0 0 0 0 0\nend\n", LEMICA_ERR_PARSE,
     "line 6: expected \"i j count mean m2 min max\""},
    {PROFILE_HEAD "segments 2\n0 2 1 0 0 0 0\n0 2 1 0 0 0 0\nend\n",
     LEMICA_ERR_PARSE, "line 7: segment (0, 2) is listed twice"},
    {PROFILE_HEAD "segments 2\n0 2 1 0 0 0 0\n", LEMICA_ERR_PARSE,
     "line 7: the text ends after 1 of the 2 segments"},
    {PROFILE_HEAD "segments 1\n0 2 1 0 0 0 0\n", LEMICA_ERR_PARSE,
     "line 7: the text ends before \"end\""},
};

START_TEST(test_profile_parse_refuses)
{
    for (size_t index = 0;
         index < sizeof(bad_profiles) / sizeof(bad_profiles[0]); index++) {
        lemica_profiler *profiler = (lemica_profiler *)&profiler;
        lemica_status status =
            parse_profile_text(bad_profiles[index].text, NULL, &profiler);

        assert_refused(index, status, &bad_profiles[index]);
        ck_assert_ptr_null(profiler);
    }
}
END_TEST

START_TEST(test_profile_files)
{
    struct test_temp_dir dir;
    char path[128];
    uint64_t state = 5;
    lemica_profiler *profiler =
        random_profiler(&state, 20, 6, LEMICA_METRIC_L1);
    lemica_profiler *loaded = NULL;
    size_t length = 0;

    test_temp_dir_make(&dir, "file");
    test_temp_dir_file(&dir, "p.lemica-profile", path, sizeof(path));
    ck_assert_ok(lemica_profiler_save(profiler, NULL, path));
    ck_assert_ok(lemica_profiler_load(path, NULL, &loaded));
    assert_same_profile(profiler, loaded);
    lemica_profiler_free(loaded);
    ck_assert_ok(lemica_profiler_format(profiler, NULL, NULL, 0, &length));
    lemica_save_fail_after((long)length / 2);
    ck_assert_status(lemica_profiler_save(profiler, NULL, path), LEMICA_ERR_IO);
    lemica_save_fail_after(-1);
    ck_assert_ok(lemica_profiler_load(path, NULL, &loaded));
    assert_same_profile(profiler, loaded);
    ck_assert_int_eq(test_temp_dir_count(&dir), 1);
    {
        lemica_graph *graph = NULL;

        ck_assert_status(lemica_graph_load(path, NULL, &graph),
                         LEMICA_ERR_MISMATCH);
        ck_assert_ptr_null(graph);
    }
    lemica_profiler_free(loaded);
    lemica_profiler_free(profiler);
    test_temp_dir_remove(&dir);
}
END_TEST

TEST_SUITE(file)
{
    add_test(suite, test_metadata_basics);
    add_test(suite, test_metadata_refuses);
    add_test(suite, test_graph_format_exact);
    add_test(suite, test_graph_round_trip_random);
    add_test(suite, test_graph_parse_accepts);
    add_test(suite, test_graph_parse_refuses);
    add_test(suite, test_graph_truncated_everywhere);
    add_test(suite, test_graph_format_buffer);
    add_test(suite, test_graph_parse_no_memory);
    add_test(suite, test_schedule_format_exact);
    add_test(suite, test_schedule_round_trip_random);
    add_test(suite, test_schedule_infinite_sum);
    add_test(suite, test_schedule_written_sums_load_back);
    add_test(suite, test_schedule_expected_steps);
    add_test(suite, test_schedule_parse_refuses);
    add_test(suite, test_schedule_truncated_everywhere);
    add_test(suite, test_schedule_parse_no_memory);
    add_test(suite, test_save_and_load_files);
    add_test(suite, test_save_write_failure_keeps_old_file);
    add_test(suite, test_save_bad_directories);
    add_test(suite, test_save_keeps_permissions);
    add_test(suite, test_profile_format_exact);
    add_test(suite, test_profile_round_trip_and_merge);
    add_test(suite, test_profile_parse_refuses);
    add_test(suite, test_profile_written_stats_load_back);
    add_test(suite, test_profile_files);
}
