/* SPDX-License-Identifier: MIT */
/* lemica transfer: a graph for another step grid, derived from one
 * measured on a recorded grid (an approximation, said so in the output
 * file and on stderr when the target lies past the validated range). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lemica/lemica.h>

#include "cli.h"

/* The range the transfer was validated on (docs/mainpage.md, Transfer):
 * step counts down to 0.4 N and grids whose shape differs from the
 * source's by at most this distance (lemica_time_grid_distance). */
#define VALIDATED_MIN_STEP_RATIO 0.4
#define VALIDATED_MAX_STEP_RATIO 1.0
#define VALIDATED_MAX_SHAPE_DISTANCE 0.05

enum transfer_option_id {
    OPTION_STEPS,
    OPTION_SHIFT,
    OPTION_TO_GRID,
    OPTION_FROM_GRID,
    OPTION_FROM_SHIFT,
    OPTION_SET,
    OPTION_HELP
};

static const struct lemica_cli_option transfer_options[] = {
    {"steps", 0, 1, OPTION_STEPS},
    {"shift", 0, 1, OPTION_SHIFT},
    {"to-grid", 0, 1, OPTION_TO_GRID},
    {"from-grid", 0, 1, OPTION_FROM_GRID},
    {"from-shift", 0, 1, OPTION_FROM_SHIFT},
    {"set", 0, 1, OPTION_SET},
    {"help", 'h', 0, OPTION_HELP},
    {NULL, 0, 0, 0},
};

void
lemica_cli_transfer_usage(FILE *stream)
{
    fputs(
        "Usage: lemica transfer (--steps N --shift S | --to-grid LIST)\n"
        "                       [--from-grid LIST | --from-shift S] GRAPH "
        "OUT\n"
        "\n"
        "Derive a graph for another sampler grid from GRAPH, which was\n"
        "measured on the grid recorded in its metadata (key time_grid: the\n"
        "N + 1 times or sigmas at the start of each step and at the end).\n"
        "The segment errors are interpolated over (start time, end time).\n"
        "\n"
        "THIS IS AN APPROXIMATION. The errors of a cached segment depend "
        "mostly\n"
        "on the time it spans, which is what makes it work; they also depend "
        "on\n"
        "how the rest of the trajectory is integrated, which it ignores. On "
        "the\n"
        "built-in test bed, for 0.4 N to N steps on the same grid shape, the\n"
        "transferred plan was as good as profiling the target grid in 16 of "
        "20\n"
        "cases and up to 1.66x worse in the others; for another time shift\n"
        "(3 -> 1.5 or 6) it beat the untransferred plan and uniform spacing "
        "but\n"
        "lost to profiling the target grid by up to 4x. Outside the validated\n"
        "range (0.4 N to N steps, grid shape distance <= 0.05) a warning is\n"
        "printed. Profile again for the grid you ship.\n"
        "\n"
        "OUT is a graph file with GRAPH's metadata, time_grid set to the "
        "target\n"
        "grid and \"transfer\" saying where it came from; plan on it with\n"
        "'lemica solve'. Schedules saved from it record the target grid.\n"
        "\n"
        "Options:\n"
        "      --steps N          the target's step count, with --shift\n"
        "      --shift S          the target's time shift s > 0 (the grid\n"
        "                         t = s u / (1 + (s - 1) u), u = 1 - i/N, of\n"
        "                         SD3, Flux and Wan; 1 = uniform)\n"
        "      --to-grid LIST     the target grid itself: N + 1 comma-"
        "separated\n"
        "                         values, in the direction of the source's\n"
        "      --from-grid LIST   GRAPH's grid, when GRAPH records none\n"
        "      --from-shift S     GRAPH's grid is the shifted grid with S\n"
        "      --set KEY=VALUE    record metadata in OUT; repeatable\n"
        "  -h, --help             print this help and exit\n"
        "\n"
        "Output: one line naming OUT and the graph's size; on stderr a "
        "warning\n"
        "when the target is outside the validated range.\n"
        "\n" LEMICA_CLI_EXIT_HELP,
        stream);
}

/* "a,b,c" -> values; returns the count, or 0 after reporting an error. */
static size_t
parse_grid_option(const char *option, const char *text, double *grid,
                  size_t capacity)
{
    size_t count = 0;
    const char *at = text;

    for (;;) {
        char *end;
        double value;

        errno = 0;
        value = strtod(at, &end);
        if (end == at || errno == ERANGE || !isfinite(value) ||
            (*end != ',' && *end != '\0')) {
            lemica_cli_usage_error("transfer",
                                   "%s needs comma-separated numbers, not "
                                   "'%s'",
                                   option, text);
            return 0;
        }
        if (count == capacity) {
            lemica_cli_usage_error("transfer",
                                   "%s has more than %zu values", option,
                                   capacity);
            return 0;
        }
        grid[count++] = value;
        if (*end == '\0')
            break;
        at = end + 1;
    }
    if (count < 3) {
        lemica_cli_usage_error("transfer",
                               "%s needs at least 3 values (N + 1)", option);
        return 0;
    }
    return count;
}

static int
parse_shift(const char *option, const char *text, double *shift)
{
    char *end;

    errno = 0;
    *shift = strtod(text, &end);
    if (end == text || *end != '\0' || errno == ERANGE || !isfinite(*shift) ||
        *shift <= 0.0)
        return lemica_cli_usage_error("transfer",
                                      "%s needs a number > 0, not '%s'",
                                      option, text);
    return 0;
}

struct transfer_settings {
    int steps;
    double shift;
    double from_shift;
    double *to_grid;
    size_t to_count;
    double *from_grid;
    size_t from_count;
};

/* Parse the options into @settings and @metadata settings; returns -1 to
 * go on, or an exit status. */
static int
parse_options(struct lemica_cli_args *args, struct transfer_settings *settings,
              lemica_metadata *assignments)
{
    enum lemica_cli_arg_kind kind;
    const char *value;
    int id = 0;

    while ((kind = lemica_cli_next_option(args, &id, &value)) ==
           LEMICA_CLI_ARG_OPTION) {
        switch (id) {
        case OPTION_STEPS:
            if (lemica_cli_parse_option_count("transfer", "--steps", value, 2,
                                              &settings->steps) != 0)
                return LEMICA_CLI_EXIT_USAGE;
            break;
        case OPTION_SHIFT:
            if (parse_shift("--shift", value, &settings->shift) != 0)
                return LEMICA_CLI_EXIT_USAGE;
            break;
        case OPTION_FROM_SHIFT:
            if (parse_shift("--from-shift", value, &settings->from_shift) != 0)
                return LEMICA_CLI_EXIT_USAGE;
            break;
        case OPTION_TO_GRID:
            settings->to_count = parse_grid_option(
                "--to-grid", value, settings->to_grid, LEMICA_MAX_STEPS + 1);
            if (settings->to_count == 0)
                return LEMICA_CLI_EXIT_USAGE;
            break;
        case OPTION_FROM_GRID:
            settings->from_count = parse_grid_option(
                "--from-grid", value, settings->from_grid,
                LEMICA_MAX_STEPS + 1);
            if (settings->from_count == 0)
                return LEMICA_CLI_EXIT_USAGE;
            break;
        case OPTION_SET:
            if (lemica_cli_set_metadata(assignments, value, "transfer") != 0)
                return LEMICA_CLI_EXIT_USAGE;
            break;
        default:
            lemica_cli_transfer_usage(stdout);
            return lemica_cli_finish_output(LEMICA_CLI_EXIT_OK);
        }
    }
    if (kind == LEMICA_CLI_ARG_ERROR)
        return LEMICA_CLI_EXIT_USAGE;
    if (settings->to_count > 0 && (settings->steps > 0 || settings->shift > 0))
        return lemica_cli_usage_error(
            "transfer", "give the target as --to-grid or as --steps and "
                        "--shift, not both");
    if (settings->to_count == 0 && (settings->steps == 0 || settings->shift == 0))
        return lemica_cli_usage_error(
            "transfer", "the target grid is missing: --steps N --shift S, or "
                        "--to-grid LIST");
    if (settings->from_count > 0 && settings->from_shift > 0)
        return lemica_cli_usage_error(
            "transfer", "give --from-grid or --from-shift, not both");
    if (args->num_operands < 2)
        return lemica_cli_usage_error("transfer", "%s is missing",
                                      args->num_operands ? "OUT" : "GRAPH");
    return -1;
}

/* The source grid: the options, else GRAPH's metadata. Returns its count,
 * or 0 after reporting an error. */
static size_t
source_grid(struct transfer_settings *settings, const lemica_graph *graph,
            const lemica_metadata *metadata, const char *path)
{
    int num_steps = lemica_graph_num_steps(graph);
    size_t count = 0;
    lemica_status status;

    if (settings->from_count > 0)
        return settings->from_count;
    if (settings->from_shift > 0) {
        status = lemica_time_grid_shifted(num_steps, settings->from_shift,
                                          settings->from_grid,
                                          LEMICA_MAX_STEPS + 1);
        if (status != LEMICA_OK) {
            lemica_cli_error("%s", lemica_last_error_message());
            return 0;
        }
        return (size_t)num_steps + 1;
    }
    status = lemica_time_grid_get(metadata, settings->from_grid,
                                  LEMICA_MAX_STEPS + 1, &count);
    if (status == LEMICA_ERR_NOT_FOUND) {
        lemica_cli_error("%s records no time grid (metadata %s): give "
                         "--from-grid or --from-shift",
                         path, LEMICA_TIME_GRID_KEY);
        return 0;
    }
    if (status != LEMICA_OK) {
        lemica_cli_error("%s: %s", path, lemica_last_error_message());
        return 0;
    }
    return count;
}

static int
record_transfer(lemica_metadata *metadata, const double *grid, size_t count,
                int source_steps, double distance)
{
    char text[160];

    snprintf(text, sizeof(text),
             "approximation: interpolated from a %d-step grid (shape "
             "distance %.3g)",
             source_steps, distance);
    if (lemica_metadata_set(metadata, "transfer", text) != LEMICA_OK)
        return -1;
    /* A grid too long for metadata is left out rather than failing. */
    if (count <= LEMICA_TIME_GRID_MAX_VALUES)
        return lemica_time_grid_set(metadata, grid, count) == LEMICA_OK ? 0
                                                                        : -1;
    return lemica_metadata_remove(metadata, LEMICA_TIME_GRID_KEY) == LEMICA_OK
               ? 0
               : -1;
}

int
lemica_cli_transfer(int argc, char **argv)
{
    const char *paths[2] = {NULL, NULL};
    struct lemica_cli_args args = {.argc = argc,
                                   .argv = argv,
                                   .command = "transfer",
                                   .options = transfer_options,
                                   .operands = paths,
                                   .max_operands = 2};
    struct transfer_settings settings = {0};
    lemica_metadata *metadata = NULL, *assignments = NULL;
    lemica_graph *graph = NULL, *transferred = NULL;
    size_t from_count;
    double distance = 0.0, ratio;
    int status = LEMICA_CLI_EXIT_INPUT, parsed;

    settings.to_grid = malloc((LEMICA_MAX_STEPS + 1) * sizeof(double));
    settings.from_grid = malloc((LEMICA_MAX_STEPS + 1) * sizeof(double));
    if (settings.to_grid == NULL || settings.from_grid == NULL ||
        lemica_metadata_new(&metadata) != LEMICA_OK ||
        lemica_metadata_new(&assignments) != LEMICA_OK) {
        lemica_cli_error("out of memory");
        goto out;
    }
    parsed = parse_options(&args, &settings, assignments);
    if (parsed >= 0) {
        status = parsed;
        goto out;
    }
    if (settings.to_count == 0) {
        if (lemica_time_grid_shifted(settings.steps, settings.shift,
                                     settings.to_grid,
                                     LEMICA_MAX_STEPS + 1) != LEMICA_OK) {
            status = lemica_cli_usage_error("transfer", "%s",
                                            lemica_last_error_message());
            goto out;
        }
        settings.to_count = (size_t)settings.steps + 1;
    }
    if (lemica_cli_load_graph(paths[0], 0, 0, metadata, &graph) != 0)
        goto out;
    from_count = source_grid(&settings, graph, metadata, paths[0]);
    if (from_count == 0)
        goto out;
    if (lemica_graph_transfer(graph, settings.from_grid, from_count,
                              settings.to_grid, settings.to_count,
                              &transferred) != LEMICA_OK ||
        lemica_time_grid_distance(settings.from_grid, from_count,
                                  settings.to_grid, settings.to_count,
                                  &distance) != LEMICA_OK) {
        lemica_cli_error("%s", lemica_last_error_message());
        goto out;
    }
    if (record_transfer(metadata, settings.to_grid, settings.to_count,
                        lemica_graph_num_steps(graph), distance) != 0) {
        lemica_cli_error("%s", lemica_last_error_message());
        goto out;
    }
    if (lemica_cli_save_graph(transferred, metadata, assignments, paths[1]) !=
        0)
        goto out;
    ratio = (double)(settings.to_count - 1) / (double)(from_count - 1);
    if (ratio < VALIDATED_MIN_STEP_RATIO || ratio > VALIDATED_MAX_STEP_RATIO ||
        distance > VALIDATED_MAX_SHAPE_DISTANCE)
        fprintf(stderr,
                "lemica: warning: transfer from %zu to %zu steps with grid "
                "shape distance %.3g is outside the validated range (%.1f N "
                "to N steps, distance <= %.2f); profile the target grid for "
                "a plan you can trust\n",
                from_count - 1, settings.to_count - 1, distance,
                VALIDATED_MIN_STEP_RATIO, VALIDATED_MAX_SHAPE_DISTANCE);
    status = lemica_cli_finish_output(LEMICA_CLI_EXIT_OK);
out:
    lemica_graph_free(transferred);
    lemica_graph_free(graph);
    lemica_metadata_free(assignments);
    lemica_metadata_free(metadata);
    free(settings.from_grid);
    free(settings.to_grid);
    return status;
}
