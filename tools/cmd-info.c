/* SPDX-License-Identifier: MIT */
/* lemica info: what a graph, schedule or CSV file holds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lemica/lemica.h>

#include "cli.h"

enum info_option_id { OPTION_HELP };

static const struct lemica_cli_option info_options[] = {
    {"help", 'h', 0, OPTION_HELP},
    {NULL, 0, 0, 0},
};

void
lemica_cli_info_usage(FILE *stream)
{
    fputs(
        "Usage: lemica info FILE\n"
        "\n"
        "Describe a graph, schedule or profile file or a CSV edge list, told\n"
        "apart by the first line.\n"
        "\n"
        "Options:\n"
        "  -h, --help            print this help and exit\n"
        "\n"
        "Output: \"name: value\" lines. Every file: kind, format. A profile:\n"
        "num_steps, max_skip, metric, segments measured, samples. A graph:\n"
        "num_steps, max_skip, edges (present of possible; how many of them\n"
        "cache at least one step), max_weight, min_budget (the fewest "
        "model\n"
        "calls any schedule needs). A schedule: num_steps, budget, steps,\n"
        "mask, and max and sum if it records its segment errors. Then the\n"
        "file's metadata, one \"  key: value\" line each.\n"
        "\n" LEMICA_CLI_EXIT_HELP,
        stream);
}

void
lemica_cli_print_format(const char *path)
{
    const char *text = "";
    size_t length = 0;
    size_t line = 0;

    /* The input is in memory already: read once, never reopened. */
    lemica_cli_read_input(path, &text, &length);
    if (length >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) {
        text += 3;
        length -= 3;
    }
    while (line < length && line < 79 && text[line] != '\n' &&
           text[line] != '\r' && text[line] != '\0')
        line++;
    printf("format: %.*s\n", (int)line, text);
}

void
lemica_cli_print_metadata(const lemica_metadata *metadata)
{
    size_t count = lemica_metadata_count(metadata);

    if (count == 0) {
        printf("metadata: none\n");
        return;
    }
    printf("metadata:\n");
    for (size_t index = 0; index < count; index++)
        printf("  %s: %s\n", lemica_metadata_key(metadata, index),
               lemica_metadata_value(metadata, index));
}

/* The fewest model calls of any schedule (lemica_solver_min_budget()
 * without constraints), or 0 if no path reaches the last step. */
static int
fewest_calls(const lemica_graph *graph)
{
    int num_steps = lemica_graph_num_steps(graph);
    int max_skip = lemica_graph_max_skip(graph);
    size_t edges = lemica_graph_num_edges(graph);
    int *calls;
    int result;

    /* A path takes at least ceil((N - 1) / K) edges. */
    if (edges < ((size_t)num_steps - 1 + (size_t)max_skip - 1) / (size_t)max_skip)
        return 0;
    calls = calloc((size_t)num_steps, sizeof(*calls));
    if (!calls)
        return 0;
    calls[0] = 1;
    for (int from = 0; from + 1 < num_steps; from++) {
        if (calls[from] == 0)
            continue;
        for (int to = from + 1; to < num_steps && to - from <= max_skip; to++)
            if (lemica_graph_has_edge(graph, from, to) == 1 &&
                (calls[to] == 0 || calls[from] + 1 < calls[to]))
                calls[to] = calls[from] + 1;
    }
    result = calls[num_steps - 1];
    free(calls);
    return result;
}

static int
info_graph(const char *path, enum lemica_cli_kind kind)
{
    lemica_metadata *metadata = NULL;
    lemica_graph *graph = NULL;
    char number[LEMICA_CLI_DOUBLE_SIZE];
    size_t possible;
    size_t caching = 0;
    size_t edges;
    size_t seen = 0;
    double max_weight = 0.0;
    int min_budget = 0;
    int num_steps;
    int max_skip;
    int status = LEMICA_CLI_EXIT_INPUT;

    if (lemica_metadata_new(&metadata) != LEMICA_OK) {
        lemica_cli_error("%s", lemica_last_error_message());
        goto out;
    }
    if (lemica_cli_load_graph(path, 0, 0, metadata, &graph) != 0)
        goto out;
    num_steps = lemica_graph_num_steps(graph);
    max_skip = lemica_graph_max_skip(graph);
    edges = lemica_graph_num_edges(graph);
    /* Edges of span d: N - d of them. */
    possible = (size_t)max_skip * (size_t)num_steps -
               (size_t)max_skip * ((size_t)max_skip + 1) / 2;
    /* The summaries cost time in proportion to what the graph holds: the
     * walk stops at its last edge, and the fewest calls come from a
     * breadth-first pass in N ints, not from a solver's N * K workspace
     * (a file of a few bytes can announce N = 65536, K = 2048). */
    for (int from = 0; from + 1 < num_steps && seen < edges; from++)
        for (int to = from + 1; to < num_steps && to - from <= max_skip; to++) {
            double weight;

            /* has_edge first: get_weight's "absent" is an error message. */
            if (lemica_graph_has_edge(graph, from, to) != 1 ||
                lemica_graph_get_weight(graph, from, to, &weight) != LEMICA_OK)
                continue;
            seen++;
            caching += to - from > 1;
            if (weight > max_weight)
                max_weight = weight;
        }
    min_budget = fewest_calls(graph);
    printf("kind: graph\n");
    if (kind == LEMICA_CLI_KIND_CSV)
        printf("format: csv edge list\n");
    else
        lemica_cli_print_format(path);
    printf("num_steps: %d\n", num_steps);
    printf("max_skip: %d\n", max_skip);
    printf("edges: %zu of %zu (%zu cache at least one step)\n",
           lemica_graph_num_edges(graph), possible, caching);
    lemica_cli_format_double(max_weight, number);
    printf("max_weight: %s\n", number);
    if (min_budget > 0)
        printf("min_budget: %d\n", min_budget);
    else
        printf("min_budget: none (no path from the first to the last step)\n");
    if (kind != LEMICA_CLI_KIND_CSV)
        lemica_cli_print_metadata(metadata);
    status = lemica_cli_finish_output(LEMICA_CLI_EXIT_OK);
out:
    lemica_graph_free(graph);
    lemica_metadata_free(metadata);
    return status;
}

static int
info_schedule(const char *path)
{
    lemica_metadata *metadata = NULL;
    lemica_schedule *schedule = NULL;
    char number[LEMICA_CLI_DOUBLE_SIZE];
    char *steps = NULL;
    char *mask = NULL;
    double value;
    int status = LEMICA_CLI_EXIT_INPUT;

    if (lemica_metadata_new(&metadata) != LEMICA_OK) {
        lemica_cli_error("%s", lemica_last_error_message());
        goto out;
    }
    if (lemica_cli_load_schedule(path, 0, metadata, &schedule) != 0)
        goto out;
    steps = lemica_cli_format_schedule(schedule, 0);
    mask = steps ? lemica_cli_format_schedule(schedule, 1) : NULL;
    if (!mask)
        goto out;
    printf("kind: schedule\n");
    lemica_cli_print_format(path);
    printf("num_steps: %d\n", lemica_schedule_num_steps(schedule));
    printf("budget: %d (%d steps reuse the cache)\n",
           lemica_schedule_budget(schedule),
           lemica_schedule_num_steps(schedule) -
               lemica_schedule_budget(schedule));
    printf("steps: %s\n", steps);
    printf("mask: %s\n", mask);
    if (lemica_schedule_has_costs(schedule)) {
        lemica_schedule_max_cost(schedule, &value);
        lemica_cli_format_double(value, number);
        printf("max: %s\n", number);
        lemica_schedule_sum_cost(schedule, &value);
        lemica_cli_format_double(value, number);
        printf("sum: %s\n", number);
    }
    lemica_cli_print_metadata(metadata);
    status = lemica_cli_finish_output(LEMICA_CLI_EXIT_OK);
out:
    free(steps);
    free(mask);
    lemica_schedule_free(schedule);
    lemica_metadata_free(metadata);
    return status;
}

int
lemica_cli_info(int argc, char **argv)
{
    const char *path = NULL;
    struct lemica_cli_args args = {.argc = argc,
                                   .argv = argv,
                                   .command = "info",
                                   .options = info_options,
                                   .operands = &path,
                                   .max_operands = 1};
    enum lemica_cli_arg_kind kind;
    enum lemica_cli_kind file_kind;
    const char *value;
    int id = 0;

    kind = lemica_cli_next_option(&args, &id, &value);
    if (kind == LEMICA_CLI_ARG_ERROR)
        return LEMICA_CLI_EXIT_USAGE;
    if (kind == LEMICA_CLI_ARG_OPTION) {
        lemica_cli_info_usage(stdout);
        return lemica_cli_finish_output(LEMICA_CLI_EXIT_OK);
    }
    if (!path)
        return lemica_cli_usage_error("info", "FILE is missing");
    if (lemica_cli_input_kind(path, &file_kind) != 0)
        return LEMICA_CLI_EXIT_INPUT;
    if (file_kind == LEMICA_CLI_KIND_SCHEDULE)
        return info_schedule(path);
    if (file_kind == LEMICA_CLI_KIND_PROFILE)
        return lemica_cli_info_profile(path);
    return info_graph(path, file_kind);
}
