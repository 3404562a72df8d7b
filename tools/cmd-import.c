/* SPDX-License-Identifier: MIT */
/* lemica import: a CSV edge list (or a graph file) into a graph file. */
#include <stdio.h>
#include <string.h>

#include <lemica/lemica.h>

#include "cli.h"

enum import_option_id {
    OPTION_NUM_STEPS,
    OPTION_MAX_SKIP,
    OPTION_SET,
    OPTION_HELP
};

static const struct lemica_cli_option import_options[] = {
    {"num-steps", 0, 1, OPTION_NUM_STEPS},
    {"max-skip", 0, 1, OPTION_MAX_SKIP},
    {"set", 0, 1, OPTION_SET},
    {"help", 'h', 0, OPTION_HELP},
    {NULL, 0, 0, 0},
};

void
lemica_cli_import_usage(FILE *stream)
{
    fputs(
        "Usage: lemica import [OPTIONS] IN.csv OUT\n"
        "\n"
        "Convert a CSV edge list (\"i,j,weight\" lines, see 'lemica help "
        "solve')\n"
        "into a graph file, which keeps every weight bit for bit and "
        "records\n"
        "what the graph was measured on:\n"
        "\n"
        "  lemica-graph 1.0          format and version\n"
        "  num_steps N               the sampling steps\n"
        "  max_skip K                the longest edge\n"
        "  KEY VALUE                 metadata, one per line, in order\n"
        "  edges COUNT               then COUNT lines \"i j weight\"\n"
        "  end\n"
        "\n"
        "OUT is replaced atomically (a failed write leaves it as it was). "
        "IN\n"
        "may also be a graph file, to change its metadata.\n"
        "\n"
        "Options:\n"
        "      --num-steps N     the number of sampling steps (default: 1 "
        "+\n"
        "                        the largest step in IN.csv)\n"
        "      --max-skip K      drop edges longer than K steps\n"
        "      --set KEY=VALUE   record metadata, for example model=flux-dev,\n"
        "                        sampler=euler, metric=mean_abs, "
        "cfg=separate;\n"
        "                        repeatable. \"tool\" is set to this program.\n"
        "  -h, --help            print this help and exit\n"
        "\n"
        "Output: one line naming OUT and the graph's size.\n"
        "\n" LEMICA_CLI_EXIT_HELP,
        stream);
}

int
lemica_cli_import(int argc, char **argv)
{
    const char *paths[2] = {NULL, NULL};
    struct lemica_cli_args args = {.argc = argc,
                                   .argv = argv,
                                   .command = "import",
                                   .options = import_options,
                                   .operands = paths,
                                   .max_operands = 2};
    enum lemica_cli_arg_kind kind;
    lemica_metadata *metadata = NULL;
    lemica_metadata *settings = NULL;
    lemica_graph *graph = NULL;
    const char *value;
    int num_steps = 0;
    int max_skip = 0;
    int id = 0;
    int status = LEMICA_CLI_EXIT_INPUT;

    if (lemica_metadata_new(&metadata) != LEMICA_OK ||
        lemica_metadata_new(&settings) != LEMICA_OK) {
        lemica_cli_error("%s", lemica_last_error_message());
        goto out;
    }
    while ((kind = lemica_cli_next_option(&args, &id, &value)) ==
           LEMICA_CLI_ARG_OPTION) {
        switch (id) {
        case OPTION_NUM_STEPS:
            if (lemica_cli_parse_option_count("import", "--num-steps", value, 2,
                                              &num_steps) != 0) {
                status = LEMICA_CLI_EXIT_USAGE;
                goto out;
            }
            break;
        case OPTION_MAX_SKIP:
            if (lemica_cli_parse_option_count("import", "--max-skip", value, 1,
                                              &max_skip) != 0) {
                status = LEMICA_CLI_EXIT_USAGE;
                goto out;
            }
            break;
        case OPTION_SET:
            if (lemica_cli_set_metadata(settings, value, "import") != 0) {
                status = LEMICA_CLI_EXIT_USAGE;
                goto out;
            }
            break;
        default:
            lemica_cli_import_usage(stdout);
            status = lemica_cli_finish_output(LEMICA_CLI_EXIT_OK);
            goto out;
        }
    }
    if (kind == LEMICA_CLI_ARG_ERROR) {
        status = LEMICA_CLI_EXIT_USAGE;
        goto out;
    }
    if (args.num_operands < 2) {
        status = lemica_cli_usage_error("import", "%s is missing",
                                        paths[0] ? "OUT" : "IN.csv");
        goto out;
    }
    if (lemica_cli_load_graph(paths[0], num_steps, max_skip, metadata,
                              &graph) != 0)
        goto out;
    if (lemica_cli_save_graph(graph, metadata, settings, paths[1]) != 0)
        goto out;
    status = lemica_cli_finish_output(LEMICA_CLI_EXIT_OK);
out:
    lemica_graph_free(graph);
    lemica_metadata_free(metadata);
    lemica_metadata_free(settings);
    return status;
}
