/* SPDX-License-Identifier: MIT */
/* lemica merge: profiles of shards -> one profile; lemica graph: a profile
 * -> a graph file, with an aggregate of each segment's samples. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lemica/lemica.h>

#include "cli.h"

const char *
lemica_cli_metric_name(lemica_metric metric)
{
    switch (metric) {
    case LEMICA_METRIC_MSE:
        return "mse";
    case LEMICA_METRIC_RELATIVE_L1:
        return "relative_l1";
    default:
        return "l1";
    }
}

/* Segments with samples and the total number of samples. */
static void
count_samples(const lemica_profiler *profiler, size_t *segments,
              uint64_t *samples)
{
    int num_steps = lemica_profiler_num_steps(profiler);
    int max_skip = lemica_profiler_max_skip(profiler);

    *segments = 0;
    *samples = 0;
    for (int from = 0; from < num_steps; from++)
        for (int to = from + 2; to < num_steps && to - from <= max_skip; to++) {
            uint64_t count = 0;

            if (lemica_profiler_edge_stats(profiler, from, to, &count, NULL,
                                           NULL, NULL, NULL) != LEMICA_OK)
                continue;
            *segments += count > 0;
            *samples += count;
        }
}

enum merge_option_id { MERGE_OUTPUT, MERGE_SET, MERGE_HELP };

static const struct lemica_cli_option merge_options[] = {
    {"output", 'o', 1, MERGE_OUTPUT},
    {"set", 0, 1, MERGE_SET},
    {"help", 'h', 0, MERGE_HELP},
    {NULL, 0, 0, 0},
};

void
lemica_cli_merge_usage(FILE *stream)
{
    fputs("Usage: lemica merge -o OUT [--set KEY=VALUE]... PROFILE...\n"
          "\n"
          "Merge profile files (\"lemica-profile 1.0\", written by "
          "lemica_profiler_save()\n"
          "on each GPU or node) into one: every segment's count, mean,\n"
          "variance, min and max become those of all samples together. The\n"
          "profiles must have the same num_steps, max_skip and metric. OUT\n"
          "keeps the first profile's metadata and is replaced atomically.\n"
          "\n"
          "Options:\n"
          "  -o, --output OUT      the merged profile file (required)\n"
          "      --set KEY=VALUE   record metadata; repeatable\n"
          "  -h, --help            print this help and exit\n"
          "\n"
          "Output: one line naming OUT, its size and its samples.\n"
          "\n" LEMICA_CLI_EXIT_HELP,
          stream);
}

int
lemica_cli_merge(int argc, char **argv)
{
    const char **inputs = calloc((size_t)argc + 1, sizeof(*inputs));
    struct lemica_cli_args args = {.argc = argc,
                                   .argv = argv,
                                   .command = "merge",
                                   .options = merge_options,
                                   .operands = inputs,
                                   .max_operands = (size_t)argc};
    enum lemica_cli_arg_kind kind;
    lemica_metadata *metadata = NULL;
    lemica_metadata *settings = NULL;
    lemica_profiler *total = NULL;
    const char *output = NULL;
    const char *value;
    size_t segments;
    uint64_t samples;
    int id = 0;
    int status = LEMICA_CLI_EXIT_INPUT;

    if (!inputs || lemica_metadata_new(&metadata) != LEMICA_OK ||
        lemica_metadata_new(&settings) != LEMICA_OK) {
        lemica_cli_error("out of memory");
        goto out;
    }
    while ((kind = lemica_cli_next_option(&args, &id, &value)) ==
           LEMICA_CLI_ARG_OPTION) {
        if (id == MERGE_OUTPUT) {
            output = value;
        } else if (id == MERGE_SET) {
            if (lemica_cli_set_metadata(settings, value, "merge") != 0) {
                status = LEMICA_CLI_EXIT_USAGE;
                goto out;
            }
        } else {
            lemica_cli_merge_usage(stdout);
            status = lemica_cli_finish_output(LEMICA_CLI_EXIT_OK);
            goto out;
        }
    }
    if (kind == LEMICA_CLI_ARG_ERROR) {
        status = LEMICA_CLI_EXIT_USAGE;
        goto out;
    }
    if (!output) {
        status = lemica_cli_usage_error("merge", "-o OUT is missing");
        goto out;
    }
    if (args.num_operands == 0) {
        status = lemica_cli_usage_error("merge", "PROFILE is missing");
        goto out;
    }
    for (size_t index = 0; index < args.num_operands; index++) {
        lemica_profiler *shard = NULL;

        if (lemica_profiler_load(inputs[index], index == 0 ? metadata : NULL,
                                 index == 0 ? &total : &shard) != LEMICA_OK) {
            lemica_cli_error("%s", lemica_last_error_message());
            goto out;
        }
        if (index == 0)
            continue;
        if (lemica_profiler_num_steps(shard) !=
                lemica_profiler_num_steps(total) ||
            lemica_profiler_max_skip(shard) !=
                lemica_profiler_max_skip(total) ||
            lemica_profiler_metric(shard) != lemica_profiler_metric(total)) {
            lemica_cli_error(
                "%s: num_steps %d, max_skip %d, metric %s differ from %s "
                "(num_steps %d, max_skip %d, metric %s): profiles of "
                "different samplers or metrics do not merge",
                inputs[index], lemica_profiler_num_steps(shard),
                lemica_profiler_max_skip(shard),
                lemica_cli_metric_name(lemica_profiler_metric(shard)),
                inputs[0], lemica_profiler_num_steps(total),
                lemica_profiler_max_skip(total),
                lemica_cli_metric_name(lemica_profiler_metric(total)));
            lemica_profiler_free(shard);
            goto out;
        }
        if (lemica_profiler_merge(total, shard) != LEMICA_OK) {
            lemica_cli_error("%s: %s", inputs[index],
                             lemica_last_error_message());
            lemica_profiler_free(shard);
            goto out;
        }
        lemica_profiler_free(shard);
    }
    if (lemica_cli_apply_settings(metadata, settings) != 0)
        goto out;
    if (lemica_profiler_save(total, metadata, output) != LEMICA_OK) {
        lemica_cli_error("%s", lemica_last_error_message());
        goto out;
    }
    count_samples(total, &segments, &samples);
    printf("%s: profile of %d steps, max skip %d, metric %s: %zu segments, "
           "%llu samples from %zu files\n",
           output, lemica_profiler_num_steps(total),
           lemica_profiler_max_skip(total),
           lemica_cli_metric_name(lemica_profiler_metric(total)), segments,
           (unsigned long long)samples, args.num_operands);
    status = lemica_cli_finish_output(LEMICA_CLI_EXIT_OK);
out:
    free(inputs);
    lemica_profiler_free(total);
    lemica_metadata_free(metadata);
    lemica_metadata_free(settings);
    return status;
}

enum graph_option_id {
    GRAPH_AGGREGATE,
    GRAPH_Z,
    GRAPH_REQUIRE_ALL,
    GRAPH_SET,
    GRAPH_HELP
};

static const struct lemica_cli_option graph_options[] = {
    {"aggregate", 0, 1, GRAPH_AGGREGATE},
    {"z", 0, 1, GRAPH_Z},
    {"require-all", 0, 0, GRAPH_REQUIRE_ALL},
    {"set", 0, 1, GRAPH_SET},
    {"help", 'h', 0, GRAPH_HELP},
    {NULL, 0, 0, 0},
};

void
lemica_cli_graph_usage(FILE *stream)
{
    fputs("Usage: lemica graph [OPTIONS] PROFILE OUT\n"
          "\n"
          "Turn a profile file into a graph file for 'lemica solve': each\n"
          "segment with samples becomes an edge weighted by an aggregate of\n"
          "its samples; segments without samples are left out (the solver\n"
          "routes around them). OUT keeps the profile's metadata and records\n"
          "\"metric\" and \"aggregate\".\n"
          "\n"
          "Options:\n"
          "      --aggregate A     mean (default, the paper), max, or mean+z\n"
          "                        (mean + Z standard deviations)\n"
          "      --z Z             Z for mean+z: a number >= 0 (default 1)\n"
          "      --require-all     fail unless every segment has samples\n"
          "      --set KEY=VALUE   record metadata; repeatable\n"
          "  -h, --help            print this help and exit\n"
          "\n"
          "Output: one line naming OUT and the graph's size.\n"
          "\n" LEMICA_CLI_EXIT_HELP,
          stream);
}

/* A z value: a plain decimal number, finite and >= 0. */
static int
parse_z(const char *text, double *z)
{
    char *end = NULL;

    if (!text[0] || strspn(text, "0123456789.eE+-") != strlen(text))
        return -1;
    *z = strtod(text, &end);
    return *end == '\0' && isfinite(*z) && *z >= 0.0 ? 0 : -1;
}

int
lemica_cli_graph(int argc, char **argv)
{
    const char *paths[2] = {NULL, NULL};
    struct lemica_cli_args args = {.argc = argc,
                                   .argv = argv,
                                   .command = "graph",
                                   .options = graph_options,
                                   .operands = paths,
                                   .max_operands = 2};
    enum lemica_cli_arg_kind kind;
    lemica_aggregate aggregate = LEMICA_AGGREGATE_MEAN;
    const char *aggregate_text = "mean";
    lemica_metadata *metadata = NULL;
    lemica_metadata *settings = NULL;
    lemica_profiler *profiler = NULL;
    lemica_graph *graph = NULL;
    const char *z_text = "1";
    const char *value;
    double z = 1.0;
    int require_all = 0;
    int id = 0;
    int status = LEMICA_CLI_EXIT_INPUT;

    if (lemica_metadata_new(&metadata) != LEMICA_OK ||
        lemica_metadata_new(&settings) != LEMICA_OK) {
        lemica_cli_error("out of memory");
        goto out;
    }
    while ((kind = lemica_cli_next_option(&args, &id, &value)) ==
           LEMICA_CLI_ARG_OPTION) {
        switch (id) {
        case GRAPH_AGGREGATE:
            if (strcmp(value, "mean") == 0) {
                aggregate = LEMICA_AGGREGATE_MEAN;
            } else if (strcmp(value, "max") == 0) {
                aggregate = LEMICA_AGGREGATE_MAX;
            } else if (strcmp(value, "mean+z") == 0) {
                aggregate = LEMICA_AGGREGATE_MEAN_PLUS_Z_STD;
            } else {
                status = lemica_cli_usage_error(
                    "graph",
                    "unknown aggregate '%s' (expected mean, max or mean+z)",
                    value);
                goto out;
            }
            aggregate_text = value;
            break;
        case GRAPH_Z:
            if (parse_z(value, &z) != 0) {
                status = lemica_cli_usage_error(
                    "graph", "--z needs a number >= 0, not '%s'", value);
                goto out;
            }
            z_text = value;
            break;
        case GRAPH_REQUIRE_ALL:
            require_all = 1;
            break;
        case GRAPH_SET:
            if (lemica_cli_set_metadata(settings, value, "graph") != 0) {
                status = LEMICA_CLI_EXIT_USAGE;
                goto out;
            }
            break;
        default:
            lemica_cli_graph_usage(stdout);
            status = lemica_cli_finish_output(LEMICA_CLI_EXIT_OK);
            goto out;
        }
    }
    if (kind == LEMICA_CLI_ARG_ERROR) {
        status = LEMICA_CLI_EXIT_USAGE;
        goto out;
    }
    if (args.num_operands < 2) {
        status = lemica_cli_usage_error("graph", "%s is missing",
                                        paths[0] ? "OUT" : "PROFILE");
        goto out;
    }
    if (lemica_profiler_load(paths[0], metadata, &profiler) != LEMICA_OK) {
        lemica_cli_error("%s", lemica_last_error_message());
        goto out;
    }
    if (lemica_profiler_to_graph(profiler, aggregate, z, require_all, &graph) !=
        LEMICA_OK) {
        lemica_cli_error("%s: %s", paths[0], lemica_last_error_message());
        goto out;
    }
    if (lemica_metadata_set(metadata, "metric",
                            lemica_cli_metric_name(lemica_profiler_metric(
                                profiler))) != LEMICA_OK ||
        lemica_metadata_set(metadata, "aggregate", aggregate_text) !=
            LEMICA_OK ||
        (aggregate == LEMICA_AGGREGATE_MEAN_PLUS_Z_STD &&
         lemica_metadata_set(metadata, "z", z_text) != LEMICA_OK)) {
        lemica_cli_error("%s", lemica_last_error_message());
        goto out;
    }
    if (lemica_cli_save_graph(graph, metadata, settings, paths[1]) != 0)
        goto out;
    status = lemica_cli_finish_output(LEMICA_CLI_EXIT_OK);
out:
    lemica_graph_free(graph);
    lemica_profiler_free(profiler);
    lemica_metadata_free(metadata);
    lemica_metadata_free(settings);
    return status;
}

/* What adaptive profiling may assume about this profile: each assumption
 * checked on the measured segments, a warning when one breaks. */
static void
print_assumptions(const lemica_profiler *profiler)
{
    static const struct {
        lemica_assumption assumption;
        const char *name;
    } checks[] = {{LEMICA_ASSUMPTION_SAME_START, "same-start"},
                  {LEMICA_ASSUMPTION_NESTED, "nested"}};

    for (size_t c = 0; c < sizeof(checks) / sizeof(checks[0]); c++) {
        size_t count = 0;
        int outer_from, outer_to, inner_from, inner_to;
        double excess;

        if (lemica_assumption_check(profiler, checks[c].assumption,
                                    LEMICA_AGGREGATE_MEAN, 0.0, &count,
                                    &outer_from, &outer_to, &inner_from,
                                    &inner_to, &excess) != LEMICA_OK)
            continue;
        if (count == 0) {
            printf("assumption %s: holds\n", checks[c].name);
            continue;
        }
        printf("assumption %s: %zu violations, worst (%d, %d) has %.17g less "
               "error than (%d, %d)\n",
               checks[c].name, count, outer_from, outer_to, excess, inner_from,
               inner_to);
        fprintf(stderr,
                "lemica: warning: the profile breaks the %s assumption on %zu "
                "segments: adaptive profiling with it may not find the "
                "full-profile schedules\n",
                checks[c].name, count);
    }
}

int
lemica_cli_info_profile(const char *path)
{
    lemica_metadata *metadata = NULL;
    lemica_profiler *profiler = NULL;
    size_t segments;
    uint64_t samples;
    uint64_t fewest = UINT64_MAX;
    uint64_t most = 0;
    int status = LEMICA_CLI_EXIT_INPUT;
    int num_steps;
    int max_skip;

    if (lemica_metadata_new(&metadata) != LEMICA_OK) {
        lemica_cli_error("out of memory");
        return LEMICA_CLI_EXIT_INPUT;
    }
    if (lemica_profiler_load(path, metadata, &profiler) != LEMICA_OK) {
        lemica_cli_error("%s", lemica_last_error_message());
        goto out;
    }
    num_steps = lemica_profiler_num_steps(profiler);
    max_skip = lemica_profiler_max_skip(profiler);
    count_samples(profiler, &segments, &samples);
    for (int from = 0; from < num_steps; from++)
        for (int to = from + 2; to < num_steps && to - from <= max_skip; to++) {
            uint64_t count = 0;

            lemica_profiler_edge_stats(profiler, from, to, &count, NULL, NULL,
                                       NULL, NULL);
            if (count == 0)
                continue;
            if (count < fewest)
                fewest = count;
            if (count > most)
                most = count;
        }
    printf("kind: profile\n");
    lemica_cli_print_format(path);
    printf("num_steps: %d\n", num_steps);
    printf("max_skip: %d\n", max_skip);
    printf("metric: %s\n",
           lemica_cli_metric_name(lemica_profiler_metric(profiler)));
    printf("segments: %zu of %d measured\n", segments,
           max_skip < 2 ? 0
                        : (max_skip - 1) * num_steps -
                              (max_skip * (max_skip + 1) / 2 - 1));
    if (segments > 0)
        printf("samples: %llu (%llu .. %llu per measured segment)\n",
               (unsigned long long)samples, (unsigned long long)fewest,
               (unsigned long long)most);
    else
        printf("samples: 0\n");
    print_assumptions(profiler);
    lemica_cli_print_metadata(metadata);
    status = lemica_cli_finish_output(LEMICA_CLI_EXIT_OK);
out:
    lemica_profiler_free(profiler);
    lemica_metadata_free(metadata);
    return status;
}
