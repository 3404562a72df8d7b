/* SPDX-License-Identifier: MIT */
/* The lemica tool: dispatch to a subcommand. */
#include <stdio.h>
#include <string.h>

#include <lemica/lemica.h>

#include "cli.h"

struct command {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);
    void (*usage)(FILE *stream);
};

static const struct command commands[] = {
    {"solve", "find the cache schedule with the smallest errors for a budget",
     lemica_cli_solve, lemica_cli_solve_usage},
    {"frontier", "solve every budget: worst and total error per budget",
     lemica_cli_frontier, lemica_cli_frontier_usage},
    {"info", "describe a graph, schedule, profile or CSV file", lemica_cli_info,
     lemica_cli_info_usage},
    {"import", "convert a CSV edge list into a graph file", lemica_cli_import,
     lemica_cli_import_usage},
    {"export", "print a schedule file in the form another tool takes",
     lemica_cli_export, lemica_cli_export_usage},
    {"plot", "draw a graph's errors, its frontier and a schedule as SVG",
     lemica_cli_plot, lemica_cli_plot_usage},
    {"merge", "merge the profiles of shards into one profile", lemica_cli_merge,
     lemica_cli_merge_usage},
    {"graph", "turn a profile into a graph file (mean, max or mean+z)",
     lemica_cli_graph, lemica_cli_graph_usage},
    {"transfer", "a graph for another step grid (an approximation)",
     lemica_cli_transfer, lemica_cli_transfer_usage},
};

#define COMMAND_COUNT (sizeof(commands) / sizeof(commands[0]))

static void
usage(FILE *stream)
{
    fputs("Usage: lemica COMMAND [OPTIONS] [ARGUMENTS]\n"
          "       lemica help [COMMAND]\n"
          "       lemica --help | --version\n"
          "\n"
          "Plan cache schedules for diffusion models by lexicographic-minimax\n"
          "paths (LeMiCa): choose which sampling steps call the model so that\n"
          "the errors of the cached segments, worst first, are smallest.\n"
          "\n"
          "Commands:\n",
          stream);
    for (size_t index = 0; index < COMMAND_COUNT; index++)
        fprintf(stream, "  %-8s %s\n", commands[index].name,
                commands[index].summary);
    fputs("\n"
          "Options:\n"
          "  -h, --help     print this help and exit\n"
          "      --version  print the library version and exit\n"
          "\n"
          "Run 'lemica help COMMAND' for the options of a command.\n"
          "\n" LEMICA_CLI_EXIT_HELP,
          stream);
}

static const struct command *
find_command(const char *name)
{
    for (size_t index = 0; index < COMMAND_COUNT; index++)
        if (strcmp(commands[index].name, name) == 0)
            return &commands[index];
    return NULL;
}

static int
help(int argc, char **argv)
{
    const struct command *command;

    if (argc == 0) {
        usage(stdout);
        return lemica_cli_finish_output(LEMICA_CLI_EXIT_OK);
    }
    if (argc > 1)
        return lemica_cli_usage_error(NULL, "help takes one command, not %d",
                                      argc);
    command = find_command(argv[0]);
    if (!command)
        return lemica_cli_usage_error(NULL, "unknown command '%s'", argv[0]);
    command->usage(stdout);
    return lemica_cli_finish_output(LEMICA_CLI_EXIT_OK);
}

int
main(int argc, char **argv)
{
    const struct command *command;
    const char *name;
    int status;

    if (argc < 2) {
        usage(stderr);
        return LEMICA_CLI_EXIT_USAGE;
    }
    name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
        usage(stdout);
        return lemica_cli_finish_output(LEMICA_CLI_EXIT_OK);
    }
    if (strcmp(name, "--version") == 0) {
        printf("lemica %s\n", lemica_version_string());
        return lemica_cli_finish_output(LEMICA_CLI_EXIT_OK);
    }
    if (strcmp(name, "help") == 0)
        return help(argc - 2, argv + 2);
    if (name[0] == '-')
        return lemica_cli_usage_error(NULL, "unknown option '%s'", name);
    command = find_command(name);
    if (!command)
        return lemica_cli_usage_error(NULL, "unknown command '%s'", name);
    status = command->run(argc - 2, argv + 2);
    lemica_cli_release_inputs();
    return status;
}
