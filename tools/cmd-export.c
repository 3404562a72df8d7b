/* SPDX-License-Identifier: MIT */
/* lemica export: a schedule file in the forms other tools read. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lemica/lemica.h>

#include "cli.h"

enum export_option_id { OPTION_FORMAT, OPTION_NUM_STEPS, OPTION_HELP };

static const struct lemica_cli_option export_options[] = {
    {"format", 'f', 1, OPTION_FORMAT},
    {"num-steps", 0, 1, OPTION_NUM_STEPS},
    {"help", 'h', 0, OPTION_HELP},
    {NULL, 0, 0, 0},
};

enum export_format {
    FORMAT_STEPS,
    FORMAT_MASK,
    FORMAT_CALC_LIST,
    FORMAT_CALC_DICT,
    FORMAT_CACHE_DIT,
    FORMAT_CACHE_DIT_YAML,
    FORMAT_SD_CPP,
    FORMAT_JSON
};

static const struct {
    const char *name;
    enum export_format format;
} format_names[] = {
    {"steps", FORMAT_STEPS},
    {"mask", FORMAT_MASK},
    {"calc-list", FORMAT_CALC_LIST},
    {"calc-dict", FORMAT_CALC_DICT},
    {"cache-dit", FORMAT_CACHE_DIT},
    {"cache-dit-yaml", FORMAT_CACHE_DIT_YAML},
    {"sd-cpp", FORMAT_SD_CPP},
    {"json", FORMAT_JSON},
};

void
lemica_cli_export_usage(FILE *stream)
{
    fputs(
        "Usage: lemica export [--format F] [--num-steps N] SCHEDULE\n"
        "\n"
        "Print the schedule file SCHEDULE (written by 'lemica solve --save')\n"
        "in the form another tool takes. For a schedule with computed steps\n"
        "0,1,3,5 out of 6:\n"
        "\n"
        "  steps      0,1,3,5                    (default) the step list\n"
        "  mask       1,1,0,1,0,1                one 0/1 per step, 1 = "
        "compute\n"
        "  calc-list  calc_list = [0, 1, 3, 5]   the Python list of the "
        "LeMiCa\n"
        "                                        release's scripts\n"
        "  calc-dict  4: [0, 1, 3, 5],           the same as an entry of "
        "their\n"
        "                                        calc_dict, keyed by the "
        "budget\n"
        "  cache-dit  steps_computation_mask=[1, 1, 0, 1, 0, 1],\n"
        "             steps_computation_policy=\"static\"\n"
        "                                        the DBCacheConfig keywords "
        "of\n"
        "                                        cache-dit, on one line\n"
        "  cache-dit-yaml\n"
        "             cache_config:              the same in cache-dit's "
        "YAML\n"
        "               steps_computation_mask: [1, 1, 0, 1, 0, 1]\n"
        "               steps_computation_policy: static\n"
        "  sd-cpp     --scm-mask 1,1,0,1,0,1     the stable-diffusion.cpp "
        "option\n"
        "                                        and its value (not applied "
        "by it:\n"
        "                                        below)\n"
        "  json       {\"num_steps\":6,\"budget\":4,\"steps\":[0,1,3,5],\n"
        "             \"mask\":[1,1,0,1,0,1],...}  also costs, max, sum "
        "(when\n"
        "                                        recorded) and metadata\n"
        "\n"
        "Each form ends with a newline.\n"
        "\n"
        "What the peers do with it (read in their code of August 2026):\n"
        "- cache-dit follows the mask only under steps_computation_policy\n"
        "  \"static\", which both cache-dit forms set. Under its default,\n"
        "  \"dynamic\", a 0 only allows caching: the step is reused only if\n"
        "  cache-dit's own L1 test (residual_diff_threshold) and step limits\n"
        "  pass, so steps the schedule reuses may compute. Under both\n"
        "  policies a reused step still runs the first Fn_compute_blocks and\n"
        "  the last Bn_compute_blocks transformer blocks (defaults 8 and 0):\n"
        "  caching skips the blocks in between, not the whole call.\n"
        "  cache-dit does not check the mask length against the step count:\n"
        "  steps past the end of the mask count as 0 (under \"static\",\n"
        "  always reused). Export with --num-steps set to the sampler's\n"
        "  step count.\n"
        "- stable-diffusion.cpp parses --scm-mask but, as of its code of\n"
        "  August 2026, does not apply it: its runtime decides which steps\n"
        "  to skip by its own residual threshold and sigma window, whatever\n"
        "  the mask says (--scm-policy is not read either). The form is kept\n"
        "  for when it does.\n"
        "\n"
        "Options:\n"
        "  -f, --format F        one of the forms above\n"
        "      --num-steps N     refuse the schedule unless it was planned "
        "for\n"
        "                        N steps (the sampler's step count)\n"
        "  -h, --help            print this help and exit\n"
        "\n" LEMICA_CLI_EXIT_HELP,
        stream);
}

/* The steps (@mask 0) or the mask entries (@mask 1) joined by @separator. */
static void
print_list(const lemica_schedule *schedule, int mask, const char *separator)
{
    int num_steps = lemica_schedule_num_steps(schedule);
    int first = 1;

    for (int step = 0; step < num_steps; step++) {
        int compute = lemica_schedule_should_compute(schedule, step) == 1;

        if (!mask && !compute)
            continue;
        printf("%s%d", first ? "" : separator, mask ? compute : step);
        first = 0;
    }
}

/* A JSON string: quotes and backslashes escaped; metadata values have no
 * control characters, and their other bytes (UTF-8) pass unchanged. */
static void
print_json_string(const char *text)
{
    fputc('"', stdout);
    for (const char *c = text; *c; c++) {
        if (*c == '"' || *c == '\\')
            fputc('\\', stdout);
        fputc(*c, stdout);
    }
    fputc('"', stdout);
}

static int
print_json(const lemica_schedule *schedule, const lemica_metadata *metadata)
{
    char number[LEMICA_CLI_DOUBLE_SIZE];

    printf("{\"num_steps\":%d,\"budget\":%d,\"steps\":[",
           lemica_schedule_num_steps(schedule),
           lemica_schedule_budget(schedule));
    print_list(schedule, 0, ",");
    fputs("],\"mask\":[", stdout);
    print_list(schedule, 1, ",");
    fputc(']', stdout);
    if (lemica_schedule_has_costs(schedule)) {
        size_t count = 0;
        double *costs;
        double value;

        lemica_schedule_costs(schedule, NULL, 0, &count);
        costs = malloc((count ? count : 1) * sizeof(*costs));
        if (!costs) {
            lemica_cli_error("out of memory");
            return -1;
        }
        lemica_schedule_costs(schedule, costs, count, NULL);
        fputs(",\"costs\":[", stdout);
        for (size_t index = 0; index < count; index++) {
            lemica_cli_format_json_number(costs[index], number);
            printf("%s%s", index ? "," : "", number);
        }
        free(costs);
        lemica_schedule_max_cost(schedule, &value);
        lemica_cli_format_json_number(value, number);
        printf("],\"max\":%s", number);
        lemica_schedule_sum_cost(schedule, &value);
        lemica_cli_format_json_number(value, number);
        printf(",\"sum\":%s", number);
    }
    fputs(",\"metadata\":{", stdout);
    for (size_t index = 0; index < lemica_metadata_count(metadata); index++) {
        if (index)
            fputc(',', stdout);
        print_json_string(lemica_metadata_key(metadata, index));
        fputc(':', stdout);
        print_json_string(lemica_metadata_value(metadata, index));
    }
    fputs("}}\n", stdout);
    return 0;
}

int
lemica_cli_export(int argc, char **argv)
{
    const char *path = NULL;
    struct lemica_cli_args args = {.argc = argc,
                                   .argv = argv,
                                   .command = "export",
                                   .options = export_options,
                                   .operands = &path,
                                   .max_operands = 1};
    enum lemica_cli_arg_kind kind;
    enum export_format format = FORMAT_STEPS;
    lemica_metadata *metadata = NULL;
    lemica_schedule *schedule = NULL;
    const char *value;
    int num_steps = 0;
    int id = 0;
    int status = LEMICA_CLI_EXIT_INPUT;

    while ((kind = lemica_cli_next_option(&args, &id, &value)) ==
           LEMICA_CLI_ARG_OPTION) {
        if (id == OPTION_FORMAT) {
            size_t index;

            for (index = 0;
                 index < sizeof(format_names) / sizeof(format_names[0]);
                 index++)
                if (strcmp(format_names[index].name, value) == 0)
                    break;
            if (index == sizeof(format_names) / sizeof(format_names[0]))
                return lemica_cli_usage_error(
                    "export",
                    "unknown format '%s' (expected steps, mask, calc-list, "
                    "calc-dict, cache-dit, cache-dit-yaml, sd-cpp or json)",
                    value);
            format = format_names[index].format;
        } else if (id == OPTION_NUM_STEPS) {
            if (lemica_cli_parse_option_count("export", "--num-steps", value, 2,
                                              &num_steps) != 0)
                return LEMICA_CLI_EXIT_USAGE;
        } else {
            lemica_cli_export_usage(stdout);
            return lemica_cli_finish_output(LEMICA_CLI_EXIT_OK);
        }
    }
    if (kind == LEMICA_CLI_ARG_ERROR)
        return LEMICA_CLI_EXIT_USAGE;
    if (!path)
        return lemica_cli_usage_error("export", "SCHEDULE is missing");
    if (lemica_metadata_new(&metadata) != LEMICA_OK) {
        lemica_cli_error("%s", lemica_last_error_message());
        return LEMICA_CLI_EXIT_INPUT;
    }
    if (lemica_cli_load_schedule(path, num_steps, metadata, &schedule) != 0)
        goto out;
    switch (format) {
    case FORMAT_STEPS:
        print_list(schedule, 0, ",");
        break;
    case FORMAT_MASK:
        print_list(schedule, 1, ",");
        break;
    case FORMAT_CALC_LIST:
        fputs("calc_list = [", stdout);
        print_list(schedule, 0, ", ");
        fputc(']', stdout);
        break;
    case FORMAT_CALC_DICT:
        printf("%d: [", lemica_schedule_budget(schedule));
        print_list(schedule, 0, ", ");
        fputs("],", stdout);
        break;
    case FORMAT_CACHE_DIT:
        /* "static": under cache-dit's default "dynamic" policy a 0 only
         * allows caching, subject to its own threshold. */
        fputs("steps_computation_mask=[", stdout);
        print_list(schedule, 1, ", ");
        fputs("], steps_computation_policy=\"static\"", stdout);
        break;
    case FORMAT_CACHE_DIT_YAML:
        fputs("cache_config:\n  steps_computation_mask: [", stdout);
        print_list(schedule, 1, ", ");
        fputs("]\n  steps_computation_policy: static", stdout);
        break;
    case FORMAT_SD_CPP:
        fputs("--scm-mask ", stdout);
        print_list(schedule, 1, ",");
        break;
    case FORMAT_JSON:
        if (print_json(schedule, metadata) != 0)
            goto out;
        status = lemica_cli_finish_output(LEMICA_CLI_EXIT_OK);
        goto out;
    }
    fputc('\n', stdout);
    status = lemica_cli_finish_output(LEMICA_CLI_EXIT_OK);
out:
    lemica_schedule_free(schedule);
    lemica_metadata_free(metadata);
    return status;
}
