/* SPDX-License-Identifier: MIT */
/* CSV edge-list import (see lemica-csv.h).
 *
 * The text is read in one pass that checks every line and collects the
 * edges; the graph is built afterwards, once N and K are known. Errors are
 * reported for the earliest line that has one, so a user fixing a file
 * top to bottom sees them in order. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lemica/lemica-csv.h"

#include "../common/alloc-int.h"
#include "../common/error-int.h"
#include "file-io-int.h"
#include "../common/numtext-int.h"

/* Messages quote at most this many bytes of a bad field. */
#define QUOTE_LIMIT 40

#define FIELD_COUNT 3

/* A UTF-8 byte order mark, which spreadsheet programs put at the start of
 * the CSV files they save. */
#define UTF8_BOM "\xEF\xBB\xBF"

struct csv_edge {
    int from;
    int to;
    double weight;
    size_t line;
};

struct csv_edge_list {
    struct csv_edge *items;
    size_t count;
    size_t capacity;
};

struct csv_field {
    const char *text;
    size_t length;
};

struct csv_reader {
    const char *text;
    size_t length;
    size_t pos;
    size_t line_number;
};

static int
quote_length(size_t length)
{
    return length > QUOTE_LIMIT ? QUOTE_LIMIT : (int)length;
}

static int
is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static struct csv_field
trim(const char *text, size_t length)
{
    struct csv_field field = {text, length};

    while (field.length > 0 && is_blank(field.text[0])) {
        field.text++;
        field.length--;
    }
    while (field.length > 0 && is_blank(field.text[field.length - 1]))
        field.length--;
    return field;
}

static int
field_equals(struct csv_field field, const char *word)
{
    size_t word_length = strlen(word);

    return field.length == word_length &&
           memcmp(field.text, word, word_length) == 0;
}

/* The next line without its "\n" or "\r\n", trimmed of spaces and tabs.
 * Returns 0 at the end of the text. */
static int
next_line(struct csv_reader *reader, struct csv_field *line)
{
    const char *start;
    const char *newline;
    size_t length;

    if (reader->pos >= reader->length)
        return 0;
    start = reader->text + reader->pos;
    newline = memchr(start, '\n', reader->length - reader->pos);
    length = newline ? (size_t)(newline - start) : reader->length - reader->pos;
    reader->pos += length + (newline ? 1 : 0);
    reader->line_number++;
    if (length > 0 && start[length - 1] == '\r')
        length--;
    if (reader->line_number == 1 && length >= 3 &&
        memcmp(start, UTF8_BOM, 3) == 0) {
        start += 3;
        length -= 3;
    }
    *line = trim(start, length);
    return 1;
}

/* Split at commas into trimmed fields; returns how many fields the line
 * has, storing the first FIELD_COUNT. */
static size_t
split_fields(struct csv_field line, struct csv_field fields[FIELD_COUNT])
{
    size_t count = 0;
    size_t start = 0;

    for (size_t pos = 0; pos <= line.length; pos++) {
        if (pos < line.length && line.text[pos] != ',')
            continue;
        if (count < FIELD_COUNT)
            fields[count] = trim(line.text + start, pos - start);
        count++;
        start = pos + 1;
    }
    return count;
}

static lemica_status
parse_step(struct csv_field field, const char *name, size_t line, int num_steps,
           int *step)
{
    lemica_status status;

    if (field.length == 0)
        return lemica_fail(LEMICA_ERR_PARSE, "line %zu: %s is empty", line,
                           name);
    status = lemica_parse_int(field.text, field.length, step);
    if (status == LEMICA_ERR_TOO_LARGE) {
        /* A step beyond int is beyond any graph. */
        if (num_steps > 0)
            return lemica_fail(LEMICA_ERR_OUT_OF_RANGE,
                               "line %zu: step %.*s is outside a graph of "
                               "%d steps",
                               line, quote_length(field.length), field.text,
                               num_steps);
        return lemica_fail(LEMICA_ERR_TOO_LARGE,
                           "line %zu: step %.*s is above the largest "
                           "supported step %d",
                           line, quote_length(field.length), field.text,
                           LEMICA_MAX_STEPS - 1);
    }
    if (status != LEMICA_OK)
        return lemica_fail(LEMICA_ERR_PARSE,
                           "line %zu: %s is \"%.*s\", not a non-negative "
                           "integer",
                           line, name, quote_length(field.length), field.text);
    return LEMICA_OK;
}

static lemica_status
parse_weight(struct csv_field field, size_t line, double *weight)
{
    const char *non_finite;
    lemica_status status;

    if (field.length == 0)
        return lemica_fail(LEMICA_ERR_PARSE, "line %zu: weight is empty", line);
    status = lemica_parse_double(field.text, field.length, weight);
    if (status == LEMICA_ERR_NO_MEMORY)
        return status;
    if (status == LEMICA_ERR_OUT_OF_RANGE)
        return lemica_fail(LEMICA_ERR_INVALID_VALUE,
                           "line %zu: weight is infinite (%.*s is too large "
                           "for a double)",
                           line, quote_length(field.length), field.text);
    if (status != LEMICA_OK) {
        /* strtod would have read these; say the value is the problem. */
        non_finite = lemica_non_finite_name(field.text, field.length);
        if (non_finite)
            return lemica_fail(LEMICA_ERR_INVALID_VALUE,
                               "line %zu: weight is %s; weights must be "
                               "finite and >= 0",
                               line, non_finite);
        return lemica_fail(LEMICA_ERR_PARSE,
                           "line %zu: weight \"%.*s\" is not a number", line,
                           quote_length(field.length), field.text);
    }
    /* -0 compares equal to 0 and is accepted; the graph stores +0. */
    if (*weight < 0.0)
        return lemica_fail(LEMICA_ERR_INVALID_VALUE,
                           "line %zu: weight is negative (%.*s)", line,
                           quote_length(field.length), field.text);
    return LEMICA_OK;
}

static lemica_status
check_header(struct csv_field line, size_t line_number)
{
    struct csv_field fields[FIELD_COUNT];
    size_t count = split_fields(line, fields);

    if (count != FIELD_COUNT || !field_equals(fields[0], "i") ||
        !field_equals(fields[1], "j") || !field_equals(fields[2], "weight"))
        return lemica_fail(LEMICA_ERR_PARSE,
                           "line %zu: expected the header \"i,j,weight\", "
                           "found \"%.*s\"",
                           line_number, quote_length(line.length), line.text);
    return LEMICA_OK;
}

static lemica_status
parse_edge_line(struct csv_field line, size_t line_number, int num_steps,
                struct csv_edge *edge)
{
    struct csv_field fields[FIELD_COUNT];
    size_t count = split_fields(line, fields);
    lemica_status status;

    if (count != FIELD_COUNT)
        return lemica_fail(LEMICA_ERR_PARSE,
                           "line %zu: expected 3 fields \"i,j,weight\", "
                           "found %zu",
                           line_number, count);
    status = parse_step(fields[0], "i", line_number, num_steps, &edge->from);
    if (status != LEMICA_OK)
        return status;
    status = parse_step(fields[1], "j", line_number, num_steps, &edge->to);
    if (status != LEMICA_OK)
        return status;
    status = parse_weight(fields[2], line_number, &edge->weight);
    if (status != LEMICA_OK)
        return status;
    if (edge->from >= edge->to)
        return lemica_fail(LEMICA_ERR_OUT_OF_RANGE,
                           "line %zu: edge (%d, %d) does not go forward; "
                           "i must be less than j",
                           line_number, edge->from, edge->to);
    if (num_steps > 0 && edge->to >= num_steps)
        return lemica_fail(LEMICA_ERR_OUT_OF_RANGE,
                           "line %zu: edge (%d, %d) is outside a graph of "
                           "%d steps",
                           line_number, edge->from, edge->to, num_steps);
    if (edge->to > LEMICA_MAX_STEPS - 1)
        return lemica_fail(LEMICA_ERR_TOO_LARGE,
                           "line %zu: step %d is above the largest "
                           "supported step %d",
                           line_number, edge->to, LEMICA_MAX_STEPS - 1);
    edge->line = line_number;
    return LEMICA_OK;
}

static lemica_status
append_edge(struct csv_edge_list *edges, const struct csv_edge *edge)
{
    if (edges->count == edges->capacity) {
        size_t capacity = edges->capacity ? edges->capacity * 2 : 64;
        struct csv_edge *grown;

        if (capacity < edges->capacity)
            return lemica_fail_no_memory("CSV edges");
        grown =
            lemica_realloc_array(edges->items, capacity, sizeof(*edges->items));
        if (!grown)
            return lemica_fail_no_memory("CSV edges");
        edges->items = grown;
        edges->capacity = capacity;
    }
    edges->items[edges->count++] = *edge;
    return LEMICA_OK;
}

static int
compare_edges(const void *left, const void *right)
{
    const struct csv_edge *a = left;
    const struct csv_edge *b = right;

    if (a->from != b->from)
        return a->from < b->from ? -1 : 1;
    if (a->to != b->to)
        return a->to < b->to ? -1 : 1;
    if (a->line != b->line)
        return a->line < b->line ? -1 : 1;
    return 0;
}

/* If an edge is listed twice, record the error for the repeat with the
 * smallest line number and return LEMICA_ERR_PARSE. Reorders the list. */
static lemica_status
check_duplicates(struct csv_edge_list *edges)
{
    const struct csv_edge *first = NULL;
    const struct csv_edge *repeat = NULL;

    if (edges->count < 2)
        return LEMICA_OK;
    qsort(edges->items, edges->count, sizeof(*edges->items), compare_edges);
    /* After sorting, each repeat follows the listing just before it in the
     * file, so adjacent pairs name both lines. */
    for (size_t index = 1; index < edges->count; index++) {
        const struct csv_edge *previous = &edges->items[index - 1];
        const struct csv_edge *current = &edges->items[index];

        if (previous->from != current->from || previous->to != current->to)
            continue;
        if (!repeat || current->line < repeat->line) {
            first = previous;
            repeat = current;
        }
    }
    if (!repeat)
        return LEMICA_OK;
    return lemica_fail(LEMICA_ERR_PARSE,
                       "line %zu: edge (%d, %d) is listed twice, first on "
                       "line %zu",
                       repeat->line, repeat->from, repeat->to, first->line);
}

static lemica_status
build_graph(const struct csv_edge_list *edges, int num_steps, int max_skip,
            size_t last_line, lemica_graph **out)
{
    lemica_graph *graph = NULL;
    int largest_step = 0;
    int longest_span = 1;
    lemica_status status;

    /* Edges longer than an explicit max skip still count for N: they tell
     * how many steps the sampler runs even though no schedule uses them. */
    for (size_t index = 0; index < edges->count; index++) {
        const struct csv_edge *edge = &edges->items[index];

        if (edge->to > largest_step)
            largest_step = edge->to;
        if (edge->to - edge->from > longest_span)
            longest_span = edge->to - edge->from;
    }
    if (num_steps == 0) {
        if (edges->count == 0)
            return lemica_fail(LEMICA_ERR_PARSE,
                               "line %zu: no edges, so the number of steps "
                               "is unknown (a graph needs at least 2)",
                               last_line);
        num_steps = largest_step + 1;
    }
    if (max_skip == 0)
        max_skip = longest_span;

    status = lemica_graph_new(num_steps, max_skip, &graph);
    if (status != LEMICA_OK)
        return status;
    max_skip = lemica_graph_max_skip(graph);
    for (size_t index = 0; index < edges->count; index++) {
        const struct csv_edge *edge = &edges->items[index];

        if (edge->to - edge->from > max_skip)
            continue;
        status =
            lemica_graph_set_weight(graph, edge->from, edge->to, edge->weight);
        if (status != LEMICA_OK) {
            lemica_graph_free(graph);
            return status;
        }
    }
    *out = graph;
    return LEMICA_OK;
}

lemica_status
lemica_graph_parse_csv(const char *text, size_t length, int num_steps,
                       int max_skip, lemica_graph **out)
{
    struct csv_reader reader = {text, length, 0, 0};
    struct csv_edge_list edges = {NULL, 0, 0};
    struct csv_field line;
    int header_seen = 0;
    lemica_status status = LEMICA_OK;

    if (!out)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "out is NULL");
    *out = NULL;
    if (!text && length > 0)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "text is NULL");
    if (num_steps < 0 || num_steps == 1)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT,
                           "num_steps must be 0 (inferred) or at least 2, "
                           "not %d",
                           num_steps);
    if (num_steps > LEMICA_MAX_STEPS)
        return lemica_fail(LEMICA_ERR_TOO_LARGE,
                           "%d steps is above the maximum of %d", num_steps,
                           LEMICA_MAX_STEPS);
    if (max_skip < 0)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT,
                           "max_skip must be 0 (inferred) or at least 1, "
                           "not %d",
                           max_skip);

    while (next_line(&reader, &line)) {
        struct csv_edge edge;

        if (line.length == 0 || line.text[0] == '#')
            continue;
        if (!header_seen) {
            status = check_header(line, reader.line_number);
            if (status != LEMICA_OK)
                goto out;
            header_seen = 1;
            continue;
        }
        status = parse_edge_line(line, reader.line_number, num_steps, &edge);
        if (status != LEMICA_OK) {
            /* A repeat on an earlier line is the earlier error. */
            lemica_status duplicate = check_duplicates(&edges);

            if (duplicate != LEMICA_OK)
                status = duplicate;
            goto out;
        }
        status = append_edge(&edges, &edge);
        if (status != LEMICA_OK)
            goto out;
    }
    if (!header_seen) {
        status = lemica_fail(LEMICA_ERR_PARSE,
                             "line %zu: the text ends before the header "
                             "\"i,j,weight\"",
                             reader.line_number ? reader.line_number : 1);
        goto out;
    }
    status = check_duplicates(&edges);
    if (status != LEMICA_OK)
        goto out;
    status = build_graph(&edges, num_steps, max_skip, reader.line_number, out);
out:
    lemica_dealloc(edges.items);
    return status;
}

struct csv_load {
    int num_steps;
    int max_skip;
    lemica_graph **out;
};

static lemica_status
parse_csv_text(const char *text, size_t length, void *context)
{
    struct csv_load *load = context;

    return lemica_graph_parse_csv(text, length, load->num_steps,
                                  load->max_skip, load->out);
}

lemica_status
lemica_graph_load_csv(const char *path, int num_steps, int max_skip,
                      lemica_graph **out)
{
    struct csv_load load = {num_steps, max_skip, out};

    if (!out)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "out is NULL");
    *out = NULL;
    return lemica_load_text_file(path, parse_csv_text, &load);
}
