/* SPDX-License-Identifier: MIT */
/* Reading each input once, telling the input files apart, loading them,
 * and saving graphs. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lemica/lemica.h>

#include "cli.h"

/* The input read last. A command may look at one input several times
 * (its kind, its first line, then the parse) but reads it once: a pipe, a
 * FIFO or standard input gives its bytes only once. One is kept, so that
 * merging many shards does not hold them all. */
static struct {
    char *path;
    char *text;
    size_t length;
} last_input;

void
lemica_cli_release_inputs(void)
{
    free(last_input.path);
    free(last_input.text);
    last_input.path = NULL;
    last_input.text = NULL;
    last_input.length = 0;
}

const char *
lemica_cli_input_name(const char *path)
{
    return strcmp(path, "-") == 0 ? "standard input" : path;
}

/* Read all of @file into a new buffer. Stops after a NUL byte: no text
 * format has one, the parser then names its line, and a device such as
 * /dev/zero does not get read to the end of memory. Returns 0, or -1
 * after reporting. */
static int
read_stream(FILE *file, const char *path, char **text, size_t *length)
{
    size_t capacity = 0;
    size_t used = 0;
    char *buffer = NULL;

    for (;;) {
        size_t got;

        if (used == capacity) {
            size_t grown_capacity = capacity ? capacity * 2 : 65536;
            char *grown;

            if (grown_capacity > LEMICA_MAX_FILE_BYTES)
                grown_capacity = (size_t)LEMICA_MAX_FILE_BYTES + 1;
            if (grown_capacity <= capacity) {
                lemica_cli_error("%s: longer than %llu bytes, the most a "
                                 "file may have",
                                 lemica_cli_input_name(path),
                                 (unsigned long long)LEMICA_MAX_FILE_BYTES);
                free(buffer);
                return -1;
            }
            grown = realloc(buffer, grown_capacity);
            if (!grown) {
                lemica_cli_error("%s: out of memory reading it",
                                 lemica_cli_input_name(path));
                free(buffer);
                return -1;
            }
            buffer = grown;
            capacity = grown_capacity;
        }
        errno = 0;
        got = fread(buffer + used, 1, capacity - used, file);
        if (got > 0 && memchr(buffer + used, '\0', got)) {
            used += got;
            break;
        }
        used += got;
        if (used > LEMICA_MAX_FILE_BYTES) {
            lemica_cli_error("%s: longer than %llu bytes, the most a file "
                             "may have",
                             lemica_cli_input_name(path),
                             (unsigned long long)LEMICA_MAX_FILE_BYTES);
            free(buffer);
            return -1;
        }
        if (got > 0)
            continue;
        if (ferror(file)) {
            lemica_cli_error("%s: %s", lemica_cli_input_name(path),
                             strerror(errno ? errno : EIO));
            free(buffer);
            return -1;
        }
        break;
    }
    *text = buffer;
    *length = used;
    return 0;
}

int
lemica_cli_read_input(const char *path, const char **text, size_t *length)
{
    FILE *file;
    char *copy;
    int status;

    if (last_input.path && strcmp(last_input.path, path) == 0) {
        *text = last_input.text;
        *length = last_input.length;
        return 0;
    }
    lemica_cli_release_inputs();
    copy = malloc(strlen(path) + 1);
    if (!copy) {
        lemica_cli_error("out of memory");
        return -1;
    }
    strcpy(copy, path);
    file = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!file) {
        lemica_cli_error("%s: %s", path, strerror(errno));
        free(copy);
        return -1;
    }
    status = read_stream(file, path, &last_input.text, &last_input.length);
    if (file != stdin)
        fclose(file);
    if (status != 0) {
        free(copy);
        return -1;
    }
    last_input.path = copy;
    *text = last_input.text;
    *length = last_input.length;
    return 0;
}

/* Whether @text starts with @prefix, after a UTF-8 byte order mark. */
static int
starts_with(const char *text, size_t length, const char *prefix)
{
    size_t prefix_length = strlen(prefix);

    if (length >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) {
        text += 3;
        length -= 3;
    }
    return length >= prefix_length && memcmp(text, prefix, prefix_length) == 0;
}

enum lemica_cli_kind
lemica_cli_text_kind(const char *text, size_t length)
{
    if (starts_with(text, length, "lemica-graph "))
        return LEMICA_CLI_KIND_GRAPH;
    if (starts_with(text, length, "lemica-schedule "))
        return LEMICA_CLI_KIND_SCHEDULE;
    if (starts_with(text, length, "lemica-profile "))
        return LEMICA_CLI_KIND_PROFILE;
    return LEMICA_CLI_KIND_CSV;
}

int
lemica_cli_input_kind(const char *path, enum lemica_cli_kind *kind)
{
    const char *text;
    size_t length;

    if (lemica_cli_read_input(path, &text, &length) != 0)
        return -1;
    *kind = lemica_cli_text_kind(text, length);
    return 0;
}

/* Report the failed parse of @path: the library's message, after the
 * file's name as the library's loaders would put it. */
static int
parse_failed(const char *path)
{
    lemica_cli_error("%s: %s", lemica_cli_input_name(path),
                     lemica_last_error_message());
    return -1;
}

int
lemica_cli_load_schedule(const char *path, int expected_num_steps,
                         struct lemica_metadata *metadata,
                         struct lemica_schedule **out)
{
    const char *text;
    size_t length;

    *out = NULL;
    if (lemica_cli_read_input(path, &text, &length) != 0)
        return -1;
    if (lemica_schedule_parse(text, length, expected_num_steps, metadata,
                              out) != LEMICA_OK)
        return parse_failed(path);
    return 0;
}

int
lemica_cli_load_profile(const char *path, struct lemica_metadata *metadata,
                        struct lemica_profiler **out)
{
    const char *text;
    size_t length;

    *out = NULL;
    if (lemica_cli_read_input(path, &text, &length) != 0)
        return -1;
    if (lemica_profiler_parse(text, length, metadata, out) != LEMICA_OK)
        return parse_failed(path);
    return 0;
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
    enum lemica_cli_kind kind;
    const char *text;
    size_t length;

    *out = NULL;
    if (lemica_cli_read_input(path, &text, &length) != 0)
        return -1;
    kind = lemica_cli_text_kind(text, length);
    if (kind == LEMICA_CLI_KIND_SCHEDULE || kind == LEMICA_CLI_KIND_PROFILE) {
        lemica_cli_error(
            "%s: this is a %s file; a graph file or a CSV edge "
            "list is needed",
            lemica_cli_input_name(path),
            kind == LEMICA_CLI_KIND_SCHEDULE ? "schedule" : "profile");
        return -1;
    }
    if (kind == LEMICA_CLI_KIND_CSV) {
        if (lemica_graph_parse_csv(text, length, num_steps, max_skip, out) !=
            LEMICA_OK)
            return parse_failed(path);
        return 0;
    }
    if (lemica_graph_parse(text, length, metadata, out) != LEMICA_OK)
        return parse_failed(path);
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
    fflush(stdout); /* see save_schedule() in cmd-solve.c */
    if (lemica_graph_save(graph, metadata, path) != LEMICA_OK) {
        lemica_cli_error("%s", lemica_last_error_message());
        return -1;
    }
    printf("%s: graph of %d steps, max skip %d, %zu edges\n", path,
           lemica_graph_num_steps(graph), lemica_graph_max_skip(graph),
           lemica_graph_num_edges(graph));
    return 0;
}

int
lemica_cli_save_stream(FILE *file, const char *path)
{
    char *text = NULL;
    size_t length = 0;
    int status = -1;

    if (fflush(file) != 0 || ferror(file)) {
        lemica_cli_error("%s: cannot write: %s", path, strerror(errno));
        goto out;
    }
    rewind(file);
    if (read_stream(file, path, &text, &length) != 0)
        goto out;
    fflush(stdout); /* see save_schedule() in cmd-solve.c */
    if (lemica_save_text(path, text, length) != LEMICA_OK) {
        lemica_cli_error("%s", lemica_last_error_message());
        goto out;
    }
    status = 0;
out:
    free(text);
    fclose(file);
    return status;
}
