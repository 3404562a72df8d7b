/* SPDX-License-Identifier: MIT */
/* The graph file format (see lemica-file.h). Only the graph's public API
 * is used: the file is a client of the graph like any other. */
#include <stdio.h>
#include <string.h>

#include "lemica/lemica-file.h"

#include "../common/alloc-int.h"
#include "../common/error-int.h"
#include "file-io-int.h"
#include "file-parse-int.h"
#include "metadata-int.h"
#include "../common/numtext-int.h"

#define GRAPH_KIND "lemica-graph"

/* Messages quote at most this many bytes of a bad line. */
#define QUOTE_LIMIT 40

static int
quote_length(size_t length)
{
    return length > QUOTE_LIMIT ? QUOTE_LIMIT : (int)length;
}

static lemica_status
parse_step(const char *text, size_t length, size_t line_number,
           const char *line, size_t line_length, int *step)
{
    lemica_status status = lemica_parse_int(text, length, step);

    if (status == LEMICA_ERR_TOO_LARGE)
        return lemica_fail(LEMICA_ERR_OUT_OF_RANGE,
                           "line %zu: step %.*s is outside the graph",
                           line_number, quote_length(length), text);
    if (status != LEMICA_OK)
        return lemica_fail(LEMICA_ERR_PARSE,
                           "line %zu: expected \"i j weight\", found \"%.*s\"",
                           line_number, quote_length(line_length), line);
    return LEMICA_OK;
}

static lemica_status
parse_edge(lemica_graph *graph, const char *line, size_t length,
           size_t line_number)
{
    const char *first = memchr(line, ' ', length);
    const char *second;
    int from;
    int to;
    double weight;
    char what[64];
    lemica_status status;

    second = first ? memchr(first + 1, ' ', length - (size_t)(first - line) - 1)
                   : NULL;
    if (!second)
        return lemica_fail(LEMICA_ERR_PARSE,
                           "line %zu: expected \"i j weight\", found \"%.*s\"",
                           line_number, quote_length(length), line);
    status = parse_step(line, (size_t)(first - line), line_number, line, length,
                        &from);
    if (status == LEMICA_OK)
        status = parse_step(first + 1, (size_t)(second - first - 1),
                            line_number, line, length, &to);
    if (status != LEMICA_OK)
        return status;
    if (to <= from)
        return lemica_fail(LEMICA_ERR_OUT_OF_RANGE,
                           "line %zu: edge (%d, %d) does not go forward; i "
                           "must be less than j",
                           line_number, from, to);
    if (to >= lemica_graph_num_steps(graph) ||
        to - from > lemica_graph_max_skip(graph))
        return lemica_fail(LEMICA_ERR_OUT_OF_RANGE,
                           "line %zu: edge (%d, %d) is outside a graph of %d "
                           "steps with max skip %d",
                           line_number, from, to, lemica_graph_num_steps(graph),
                           lemica_graph_max_skip(graph));
    snprintf(what, sizeof(what), "weight of edge (%d, %d)", from, to);
    status = lemica_file_parse_weight(second + 1,
                                      length - (size_t)(second - line) - 1,
                                      line_number, what, &weight);
    if (status != LEMICA_OK)
        return status;
    if (lemica_graph_has_edge(graph, from, to) == 1)
        return lemica_fail(LEMICA_ERR_PARSE,
                           "line %zu: edge (%d, %d) is listed twice",
                           line_number, from, to);
    return lemica_graph_set_weight(graph, from, to, weight);
}

/* Everything after the header and the size lines. */
static lemica_status
parse_body(struct lemica_line_reader *reader, int num_steps, int max_skip,
           lemica_metadata *metadata, lemica_graph **out)
{
    lemica_graph *graph = NULL;
    const char *line;
    size_t length;
    size_t edges_line;
    int count;
    lemica_status status;

    for (;;) {
        if (!lemica_line_next(reader, &line, &length))
            return lemica_fail(LEMICA_ERR_PARSE,
                               "line %zu: the text ends before \"edges\": "
                               "the file is truncated",
                               reader->line_number + 1);
        if (lemica_line_has_key(line, length, "edges"))
            break;
        status = lemica_file_parse_metadata_line(line, length,
                                                 reader->line_number, metadata);
        if (status != LEMICA_OK)
            return status;
    }
    edges_line = reader->line_number;
    status =
        lemica_file_parse_int_line(line, length, edges_line, "edges", &count);
    if (status == LEMICA_OK &&
        (size_t)count > lemica_file_possible_edges(num_steps, max_skip, 1))
        status =
            lemica_fail(LEMICA_ERR_PARSE,
                        "line %zu: %d edges, but a graph of %d steps "
                        "with max skip %d has at most %zu",
                        edges_line, count, num_steps, max_skip,
                        lemica_file_possible_edges(num_steps, max_skip, 1));
    if (status != LEMICA_OK)
        return status;

    status = lemica_graph_new(num_steps, max_skip, &graph);
    if (status != LEMICA_OK)
        return status;
    /* The file lists every edge the graph has: none is implied. */
    for (int from = 0; from + 1 < num_steps; from++)
        lemica_graph_remove_edge(graph, from, from + 1);
    for (int index = 0; index < count; index++) {
        if (!lemica_line_next(reader, &line, &length)) {
            status =
                lemica_fail(LEMICA_ERR_PARSE,
                            "line %zu: the text ends after %d of the %d "
                            "edges announced on line %zu: the file is "
                            "truncated",
                            reader->line_number + 1, index, count, edges_line);
            goto fail;
        }
        if (length == 3 && memcmp(line, "end", 3) == 0) {
            status = lemica_fail(LEMICA_ERR_PARSE,
                                 "line %zu: \"end\" after %d of the %d edges "
                                 "announced on line %zu",
                                 reader->line_number, index, count, edges_line);
            goto fail;
        }
        status = parse_edge(graph, line, length, reader->line_number);
        if (status != LEMICA_OK)
            goto fail;
    }
    status = lemica_file_expect_end(reader, "the edges");
    if (status != LEMICA_OK)
        goto fail;
    *out = graph;
    return LEMICA_OK;
fail:
    lemica_graph_free(graph);
    return status;
}

lemica_status
lemica_graph_parse(const char *text, size_t length, lemica_metadata *metadata,
                   lemica_graph **out)
{
    struct lemica_line_reader reader;
    lemica_metadata parsed = {NULL, 0, 0};
    int num_steps = 0;
    int max_skip = 0;
    lemica_status status;

    if (!out)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "out is NULL");
    *out = NULL;
    if (!text && length > 0)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "text is NULL");
    status = lemica_file_begin(&reader, text, length, GRAPH_KIND, &num_steps);
    if (status == LEMICA_OK)
        status = lemica_file_next_int_line(&reader, "max_skip", &max_skip);
    if (status == LEMICA_OK)
        status = lemica_file_check_dag_size(num_steps, max_skip, "graph");
    if (status != LEMICA_OK)
        return status;

    status = parse_body(&reader, num_steps, max_skip, &parsed, out);
    return lemica_metadata_finish_parse(&parsed, metadata, status);
}

struct graph_load {
    lemica_metadata *metadata;
    lemica_graph **out;
};

static lemica_status
parse_graph_text(const char *text, size_t length, void *context)
{
    struct graph_load *load = context;

    return lemica_graph_parse(text, length, load->metadata, load->out);
}

lemica_status
lemica_graph_load(const char *path, lemica_metadata *metadata,
                  lemica_graph **out)
{
    struct graph_load load = {metadata, out};

    if (!out)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "out is NULL");
    *out = NULL;
    return lemica_load_text_file(path, parse_graph_text, &load);
}

struct graph_file {
    const lemica_graph *graph;
    const lemica_metadata *metadata;
};

static lemica_status
produce_graph(const void *object, struct lemica_writer *writer)
{
    const struct graph_file *file = object;
    const lemica_graph *graph = file->graph;
    int num_steps = lemica_graph_num_steps(graph);
    int max_skip = lemica_graph_max_skip(graph);

    lemica_file_write_header(writer, GRAPH_KIND);
    lemica_file_write_int_line(writer, "num_steps", num_steps);
    lemica_file_write_int_line(writer, "max_skip", max_skip);
    lemica_file_write_metadata(writer, file->metadata);
    lemica_writer_puts(writer, "edges ");
    lemica_writer_int(writer, (long)lemica_graph_num_edges(graph));
    lemica_writer_put(writer, "\n", 1);
    for (int from = 0; from + 1 < num_steps && writer->status == LEMICA_OK;
         from++) {
        for (int to = from + 1; to < num_steps && to - from <= max_skip; to++) {
            double weight;

            /* has_edge first: get_weight records a message for every
             * absent edge, which a successful save must not do. */
            if (lemica_graph_has_edge(graph, from, to) != 1 ||
                lemica_graph_get_weight(graph, from, to, &weight) != LEMICA_OK)
                continue;
            lemica_writer_int(writer, from);
            lemica_writer_put(writer, " ", 1);
            lemica_writer_int(writer, to);
            lemica_writer_put(writer, " ", 1);
            lemica_writer_double(writer, weight);
            lemica_writer_put(writer, "\n", 1);
        }
    }
    lemica_writer_puts(writer, "end\n");
    return writer->status;
}

lemica_status
lemica_graph_format(const lemica_graph *graph, const lemica_metadata *metadata,
                    char *buffer, size_t size, size_t *length)
{
    struct graph_file file = {graph, metadata};

    if (!graph)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT, "graph is NULL");
    return lemica_produce_to_buffer(produce_graph, &file, buffer, size, length);
}

lemica_status
lemica_graph_save(const lemica_graph *graph, const lemica_metadata *metadata,
                  const char *path)
{
    struct graph_file file = {graph, metadata};

    if (!graph || !path)
        return lemica_fail(LEMICA_ERR_INVALID_ARGUMENT,
                           "graph or path is NULL");
    return lemica_save_atomic(path, produce_graph, &file);
}
