/* SPDX-License-Identifier: MIT */
/* Telling the input files apart and loading graphs from either form. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lemica/lemica.h>

#include "cli.h"

enum lemica_cli_kind
lemica_cli_file_kind(const char *path)
{
    char line[64];
    FILE *file = fopen(path, "rb");
    size_t got;

    /* Unreadable files are left to the loader, whose message says why. */
    if (!file)
        return LEMICA_CLI_KIND_CSV;
    got = fread(line, 1, sizeof(line) - 1, file);
    fclose(file);
    line[got] = '\0';
    if (strncmp(line, "lemica-graph ", strlen("lemica-graph ")) == 0)
        return LEMICA_CLI_KIND_GRAPH;
    if (strncmp(line, "lemica-schedule ", strlen("lemica-schedule ")) == 0)
        return LEMICA_CLI_KIND_SCHEDULE;
    if (strncmp(line, "lemica-profile ", strlen("lemica-profile ")) == 0)
        return LEMICA_CLI_KIND_PROFILE;
    return LEMICA_CLI_KIND_CSV;
}

/* Replace *@graph by a copy without the edges longer than @max_skip, as
 * the CSV loader drops them. Returns 0, or -1 after reporting an error
 * (*@graph is then freed and NULL). */
static int
limit_max_skip(const char *path, int max_skip, lemica_graph **graph)
{
    int num_steps = lemica_graph_num_steps(*graph);
    lemica_graph *limited = NULL;

    if (lemica_graph_new(num_steps, max_skip, &limited) != LEMICA_OK)
        goto fail;
    for (int from = 0; from + 1 < num_steps; from++)
        for (int to = from + 1; to < num_steps && to - from <= max_skip; to++) {
            double weight;

            if (lemica_graph_has_edge(*graph, from, to) != 1) {
                if (lemica_graph_remove_edge(limited, from, to) != LEMICA_OK)
                    goto fail;
                continue;
            }
            if (lemica_graph_get_weight(*graph, from, to, &weight) !=
                    LEMICA_OK ||
                lemica_graph_set_weight(limited, from, to, weight) != LEMICA_OK)
                goto fail;
        }
    lemica_graph_free(*graph);
    *graph = limited;
    return 0;
fail:
    lemica_cli_error("%s: %s", path, lemica_last_error_message());
    lemica_graph_free(limited);
    lemica_graph_free(*graph);
    *graph = NULL;
    return -1;
}

int
lemica_cli_load_graph(const char *path, int num_steps, int max_skip,
                      lemica_metadata *metadata, lemica_graph **out)
{
    enum lemica_cli_kind kind = lemica_cli_file_kind(path);

    *out = NULL;
    if (kind == LEMICA_CLI_KIND_SCHEDULE || kind == LEMICA_CLI_KIND_PROFILE) {
        lemica_cli_error(
            "%s: this is a %s file; a graph file or a CSV edge "
            "list is needed",
            path, kind == LEMICA_CLI_KIND_SCHEDULE ? "schedule" : "profile");
        return -1;
    }
    if (kind == LEMICA_CLI_KIND_CSV) {
        /* Both loaders' messages start with the path. */
        if (lemica_graph_load_csv(path, num_steps, max_skip, out) !=
            LEMICA_OK) {
            lemica_cli_error("%s", lemica_last_error_message());
            return -1;
        }
        return 0;
    }
    if (lemica_graph_load(path, metadata, out) != LEMICA_OK) {
        lemica_cli_error("%s", lemica_last_error_message());
        return -1;
    }
    /* A graph file states its own size; a different one is a mistake. */
    if (num_steps > 0 && num_steps != lemica_graph_num_steps(*out)) {
        lemica_cli_error("%s: the graph has %d steps, not the %d of "
                         "--num-steps",
                         path, lemica_graph_num_steps(*out), num_steps);
        lemica_graph_free(*out);
        *out = NULL;
        return -1;
    }
    if (max_skip > 0 && max_skip < lemica_graph_max_skip(*out))
        return limit_max_skip(path, max_skip, out);
    return 0;
}

char *
lemica_cli_format_schedule(const lemica_schedule *schedule, int mask)
{
    lemica_status (*format)(const lemica_schedule *, char *, size_t, size_t *) =
        mask ? lemica_schedule_format_mask : lemica_schedule_format_steps;
    size_t length = 0;
    lemica_status status;
    char *text;

    /* A size query answers either way, with the length set. */
    status = format(schedule, NULL, 0, &length);
    if (status != LEMICA_OK && status != LEMICA_ERR_BUFFER_TOO_SMALL) {
        lemica_cli_error("%s", lemica_last_error_message());
        return NULL;
    }
    text = malloc(length + 1);
    if (!text) {
        lemica_cli_error("out of memory");
        return NULL;
    }
    if (format(schedule, text, length + 1, NULL) != LEMICA_OK) {
        lemica_cli_error("%s", lemica_last_error_message());
        free(text);
        return NULL;
    }
    return text;
}

int
lemica_cli_set_metadata(lemica_metadata *metadata, const char *assignment,
                        const char *command)
{
    const char *equals = strchr(assignment, '=');
    char key[LEMICA_METADATA_MAX_KEY + 1];
    size_t key_length;

    if (!equals || equals == assignment)
        return lemica_cli_usage_error(
            command, "--set needs KEY=VALUE, not '%s'", assignment);
    key_length = (size_t)(equals - assignment);
    if (key_length >= sizeof(key))
        return lemica_cli_usage_error(command, "--set: key '%.*s' is too long",
                                      (int)key_length, assignment);
    memcpy(key, assignment, key_length);
    key[key_length] = '\0';
    if (lemica_metadata_set(metadata, key, equals + 1) != LEMICA_OK)
        return lemica_cli_usage_error(command, "--set %s: %s", assignment,
                                      lemica_last_error_message());
    return 0;
}

int
lemica_cli_set_tool(lemica_metadata *metadata)
{
    char tool[64];

    snprintf(tool, sizeof(tool), "lemica %s", lemica_version_string());
    if (lemica_metadata_set(metadata, "tool", tool) != LEMICA_OK) {
        lemica_cli_error("%s", lemica_last_error_message());
        return -1;
    }
    return 0;
}

int
lemica_cli_apply_settings(lemica_metadata *metadata,
                          const lemica_metadata *settings)
{
    /* --set values win over the input's, and keep the input's order. */
    for (size_t index = 0; index < lemica_metadata_count(settings); index++)
        if (lemica_metadata_set(metadata, lemica_metadata_key(settings, index),
                                lemica_metadata_value(settings, index)) !=
            LEMICA_OK) {
            lemica_cli_error("%s", lemica_last_error_message());
            return -1;
        }
    return lemica_cli_set_tool(metadata);
}

int
lemica_cli_save_graph(const lemica_graph *graph, lemica_metadata *metadata,
                      const lemica_metadata *settings, const char *path)
{
    if (lemica_cli_apply_settings(metadata, settings) != 0)
        return -1;
    if (lemica_graph_save(graph, metadata, path) != LEMICA_OK) {
        lemica_cli_error("%s", lemica_last_error_message());
        return -1;
    }
    printf("%s: graph of %d steps, max skip %d, %zu edges\n", path,
           lemica_graph_num_steps(graph), lemica_graph_max_skip(graph),
           lemica_graph_num_edges(graph));
    return 0;
}
