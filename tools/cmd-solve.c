/* SPDX-License-Identifier: MIT */
/* lemica solve: the best schedule for one budget, or for every budget;
 * lemica frontier: every budget, the same options. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lemica/lemica.h>

#include "cli.h"

enum solve_option_id {
    OPTION_BUDGET,
    OPTION_ALL,
    OPTION_COMPARATOR,
    OPTION_MAX_SKIP,
    OPTION_WARMUP,
    OPTION_NUM_STEPS,
    OPTION_JSON,
    OPTION_SAVE,
    OPTION_K_BEST,
    OPTION_HELP
};

static const struct lemica_cli_option solve_options[] = {
    {"budget", 0, 1, OPTION_BUDGET},
    {"all", 0, 0, OPTION_ALL},
    {"comparator", 0, 1, OPTION_COMPARATOR},
    {"max-skip", 0, 1, OPTION_MAX_SKIP},
    {"warmup", 0, 1, OPTION_WARMUP},
    {"num-steps", 0, 1, OPTION_NUM_STEPS},
    {"json", 0, 0, OPTION_JSON},
    {"save", 0, 1, OPTION_SAVE},
    {"k-best", 0, 1, OPTION_K_BEST},
    {"help", 'h', 0, OPTION_HELP},
    {NULL, 0, 0, 0},
};

/* frontier: no --budget, --all or --save. */
static const struct lemica_cli_option frontier_options[] = {
    {"comparator", 0, 1, OPTION_COMPARATOR},
    {"max-skip", 0, 1, OPTION_MAX_SKIP},
    {"warmup", 0, 1, OPTION_WARMUP},
    {"num-steps", 0, 1, OPTION_NUM_STEPS},
    {"json", 0, 0, OPTION_JSON},
    {"help", 'h', 0, OPTION_HELP},
    {NULL, 0, 0, 0},
};

struct solve_settings {
    const char *command; /* "solve" or "frontier" */
    const char *path;
    int budget; /* -1 until --budget */
    int all;
    lemica_comparator comparator;
    int max_skip;  /* 0: the longest listed edge */
    int warmup;    /* required first steps */
    int num_steps; /* 0: 1 + the largest listed step */
    int json;
    const char *save_path; /* --save FILE, or NULL */
    int k_best;            /* --k-best K, 0 without */
};

void
lemica_cli_solve_usage(FILE *stream)
{
    fputs("Usage: lemica solve (--budget B | --all) [OPTIONS] FILE\n"
          "\n"
          "Find the cache schedule that calls the model at exactly B of the\n"
          "sampling steps and whose cached-segment errors, sorted worst "
          "first,\n"
          "are smallest (lexicographic minimax). FILE is a graph file (first\n"
          "line \"lemica-graph 1.0\", see 'lemica help import') or a CSV edge\n"
          "list: a header line \"i,j,weight\", then one line \"i,j,weight\" "
          "per\n"
          "segment that computes at i and j and reuses step i's output in\n"
          "between; '#' starts a comment line.\n"
          "\n"
          "Options:\n"
          "      --budget B        compute exactly B steps (model calls)\n"
          "      --all             solve every feasible budget\n"
          "      --comparator C    lexmax (default), sum (shortest path) or\n"
          "                        max (bottleneck)\n"
          "      --max-skip K      ignore edges longer than K steps\n"
          "      --warmup N        always compute the first N steps\n"
          "      --num-steps N     the number of sampling steps (default: 1 "
          "+\n"
          "                        the largest step of a CSV file; a graph "
          "file\n"
          "                        must have N steps)\n"
          "      --json            print JSON instead of text\n"
          "      --save OUT        also write the schedule to the schedule "
          "file\n"
          "                        OUT (with --budget), which records N, the\n"
          "                        options and the graph file's metadata\n"
          "      --k-best K        print the K best schedules (of B, or of\n"
          "                        every budget with --all), best first: a\n"
          "                        table \"budget rank max sum steps\", or\n"
          "                        with --json an array of schedules with a\n"
          "                        \"rank\" (0 = best)\n"
          "  -h, --help            print this help and exit\n"
          "\n"
          "Output: the computed steps, the compute mask (1 = call the model),\n"
          "the worst and the total segment error, and the segment errors\n"
          "sorted worst first; with --all, one line per budget.\n"
          "\n" LEMICA_CLI_EXIT_HELP,
          stream);
}

void
lemica_cli_frontier_usage(FILE *stream)
{
    fputs("Usage: lemica frontier [OPTIONS] FILE\n"
          "\n"
          "Solve every feasible budget of a graph file or CSV edge list (see\n"
          "'lemica help solve') and print the quality/compute frontier: per\n"
          "budget B, the worst segment error, the total error and the "
          "steps.\n"
          "\n"
          "Options:\n"
          "      --comparator C    lexmax (default), sum or max\n"
          "      --max-skip K      ignore edges longer than K steps\n"
          "      --warmup N        always compute the first N steps\n"
          "      --num-steps N     the number of sampling steps (CSV)\n"
          "      --json            print a JSON array of schedules instead of "
          "a\n"
          "                        table\n"
          "  -h, --help            print this help and exit\n"
          "\n"
          "Output: a table \"budget  max  sum  steps\", one line per feasible\n"
          "budget, ascending.\n"
          "\n" LEMICA_CLI_EXIT_HELP,
          stream);
}

/* Returns -1 to go on with the settings filled in, or an exit status. */
static int
parse_settings(int argc, char **argv, struct solve_settings *settings)
{
    int frontier = strcmp(settings->command, "frontier") == 0;
    const char *command = settings->command;
    struct lemica_cli_args args = {.argc = argc,
                                   .argv = argv,
                                   .command = command,
                                   .options = frontier ? frontier_options
                                                       : solve_options,
                                   .operands = &settings->path,
                                   .max_operands = 1,
                                   .operand_hint = " (one FILE only)"};
    enum lemica_cli_arg_kind kind;
    const char *value;
    int id = 0;

    while ((kind = lemica_cli_next_option(&args, &id, &value)) ==
           LEMICA_CLI_ARG_OPTION) {
        switch (id) {
        case OPTION_BUDGET:
            if (lemica_cli_parse_option_count(command, "--budget", value, 0,
                                              &settings->budget) != 0)
                return LEMICA_CLI_EXIT_USAGE;
            break;
        case OPTION_ALL:
            settings->all = 1;
            break;
        case OPTION_COMPARATOR:
            if (lemica_cli_parse_comparator(command, value,
                                            &settings->comparator) != 0)
                return LEMICA_CLI_EXIT_USAGE;
            break;
        case OPTION_MAX_SKIP:
            if (lemica_cli_parse_option_count(command, "--max-skip", value, 1,
                                              &settings->max_skip) != 0)
                return LEMICA_CLI_EXIT_USAGE;
            break;
        case OPTION_WARMUP:
            if (lemica_cli_parse_option_count(command, "--warmup", value, 0,
                                              &settings->warmup) != 0)
                return LEMICA_CLI_EXIT_USAGE;
            break;
        case OPTION_NUM_STEPS:
            if (lemica_cli_parse_option_count(command, "--num-steps", value, 2,
                                              &settings->num_steps) != 0)
                return LEMICA_CLI_EXIT_USAGE;
            break;
        case OPTION_JSON:
            settings->json = 1;
            break;
        case OPTION_SAVE:
            settings->save_path = value;
            break;
        case OPTION_K_BEST:
            if (lemica_cli_parse_option_count(command, "--k-best", value, 1,
                                              &settings->k_best) != 0)
                return LEMICA_CLI_EXIT_USAGE;
            break;
        case OPTION_HELP:
            if (frontier)
                lemica_cli_frontier_usage(stdout);
            else
                lemica_cli_solve_usage(stdout);
            return lemica_cli_finish_output(LEMICA_CLI_EXIT_OK);
        default:
            return lemica_cli_usage_error(command, "unhandled option");
        }
    }
    if (kind == LEMICA_CLI_ARG_ERROR)
        return LEMICA_CLI_EXIT_USAGE;
    if (frontier)
        settings->all = 1;
    else if (settings->budget >= 0 && settings->all)
        return lemica_cli_usage_error(command,
                                      "--budget and --all exclude each other");
    if (settings->budget < 0 && !settings->all)
        return lemica_cli_usage_error(command,
                                      "one of --budget B or --all is needed");
    if (settings->save_path && settings->all)
        return lemica_cli_usage_error(command,
                                      "--save needs --budget: a schedule "
                                      "file holds one schedule");
    if (settings->save_path && settings->k_best)
        return lemica_cli_usage_error(command,
                                      "--save and --k-best exclude each "
                                      "other");
    if (!settings->path)
        return lemica_cli_usage_error(command, "FILE is missing");
    return -1;
}

/* A library call failed on the user's file: print its message. */
static int
library_error(const struct solve_settings *settings)
{
    lemica_cli_error("%s: %s", settings->path, lemica_last_error_message());
    return LEMICA_CLI_EXIT_INPUT;
}

struct schedule_numbers {
    int *steps;
    size_t step_count;
    double *costs;
    size_t cost_count;
    double max_cost;
    double sum_cost;
};

static void
schedule_numbers_free(struct schedule_numbers *numbers)
{
    free(numbers->steps);
    free(numbers->costs);
}

/* Copy what the output shows out of a schedule. Returns 0 or -1 after
 * reporting an error. */
static int
schedule_numbers_get(const lemica_schedule *schedule,
                     struct schedule_numbers *numbers)
{
    size_t budget = (size_t)lemica_schedule_budget(schedule);

    memset(numbers, 0, sizeof(*numbers));
    /* A schedule has at least 2 steps and 1 segment. */
    numbers->steps = malloc(budget * sizeof(*numbers->steps));
    numbers->costs = malloc(budget * sizeof(*numbers->costs));
    if (!numbers->steps || !numbers->costs) {
        lemica_cli_error("out of memory");
        goto fail;
    }
    if (lemica_schedule_steps(schedule, numbers->steps, budget,
                              &numbers->step_count) != LEMICA_OK ||
        lemica_schedule_costs(schedule, numbers->costs, budget,
                              &numbers->cost_count) != LEMICA_OK ||
        lemica_schedule_max_cost(schedule, &numbers->max_cost) != LEMICA_OK ||
        lemica_schedule_sum_cost(schedule, &numbers->sum_cost) != LEMICA_OK) {
        lemica_cli_error("%s", lemica_last_error_message());
        goto fail;
    }
    return 0;
fail:
    schedule_numbers_free(numbers);
    return -1;
}

static int
print_text(const lemica_schedule *schedule)
{
    struct schedule_numbers numbers;
    char number[LEMICA_CLI_DOUBLE_SIZE];
    char *steps = NULL;
    char *mask = NULL;
    int status = -1;

    if (schedule_numbers_get(schedule, &numbers) != 0)
        return -1;
    steps = lemica_cli_format_schedule(schedule, 0);
    mask = steps ? lemica_cli_format_schedule(schedule, 1) : NULL;
    if (!mask)
        goto out;
    printf("steps: %s\n", steps);
    printf("mask: %s\n", mask);
    printf("budget: %d of %d steps\n", lemica_schedule_budget(schedule),
           lemica_schedule_num_steps(schedule));
    lemica_cli_format_double(numbers.max_cost, number);
    printf("max: %s\n", number);
    lemica_cli_format_double(numbers.sum_cost, number);
    printf("sum: %s\n", number);
    fputs("costs: ", stdout);
    for (size_t index = 0; index < numbers.cost_count; index++) {
        lemica_cli_format_double(numbers.costs[index], number);
        printf("%s%s", index ? "," : "", number);
    }
    fputc('\n', stdout);
    status = 0;
out:
    free(steps);
    free(mask);
    schedule_numbers_free(&numbers);
    return status;
}

/* The decimal digits of @value at the end of @digits (16 bytes); returns
 * where they start. */
static char *
format_step(unsigned value, char *digits)
{
    char *at = digits + 15;

    *at = '\0';
    do {
        *--at = (char)('0' + value % 10);
        value /= 10;
    } while (value);
    return at;
}

/* Append @text (@length bytes) at @at; returns the end. */
static char *
append(char *at, const char *text, size_t length)
{
    memcpy(at, text, length);
    return at + length;
}

#define APPEND_LITERAL(at, literal) append(at, literal, sizeof(literal) - 1)

/* One schedule as one JSON object, no spaces, no newline. A frontier of
 * N = 4000 prints 16 million numbers: the object is built in one buffer
 * and written with one fwrite (a putchar and an fputs a number, each
 * taking the stream's lock, were a third of the output's time). */
static int
print_json_object(const lemica_schedule *schedule)
{
    struct schedule_numbers numbers;
    char number[LEMICA_CLI_DOUBLE_SIZE];
    char head[96];
    char *text, *at;
    size_t room;
    int head_length;

    if (schedule_numbers_get(schedule, &numbers) != 0)
        return -1;
    head_length = snprintf(head, sizeof(head),
                           "{\"num_steps\":%d,\"budget\":%d,\"steps\":[",
                           lemica_schedule_num_steps(schedule),
                           lemica_schedule_budget(schedule));
    /* A step takes at most 10 digits and a comma, a number
     * LEMICA_CLI_DOUBLE_SIZE - 1 characters and a comma; the rest is
     * under 64 bytes. The budget bounds both counts (a few thousand). */
    room = (size_t)head_length + 11 * numbers.step_count +
           (LEMICA_CLI_DOUBLE_SIZE + 1) * (numbers.cost_count + 2) + 64;
    text = malloc(room);
    if (!text) {
        lemica_cli_error("out of memory");
        schedule_numbers_free(&numbers);
        return -1;
    }
    at = append(text, head, (size_t)head_length);
    for (size_t index = 0; index < numbers.step_count; index++) {
        char digits[16];
        const char *step = format_step((unsigned)numbers.steps[index], digits);

        if (index)
            *at++ = ',';
        at = append(at, step, (size_t)(digits + 15 - step));
    }
    at = APPEND_LITERAL(at, "],\"costs\":[");
    for (size_t index = 0; index < numbers.cost_count; index++) {
        lemica_cli_format_json_number(numbers.costs[index], number);
        if (index)
            *at++ = ',';
        at = append(at, number, strlen(number));
    }
    lemica_cli_format_json_number(numbers.max_cost, number);
    at = APPEND_LITERAL(at, "],\"max\":");
    at = append(at, number, strlen(number));
    lemica_cli_format_json_number(numbers.sum_cost, number);
    at = APPEND_LITERAL(at, ",\"sum\":");
    at = append(at, number, strlen(number));
    *at++ = '}';
    /* A failed write shows in the stream's error flag, which the command
     * checks before it exits (as it did for putchar and fputs). */
    fwrite(text, 1, (size_t)(at - text), stdout);
    free(text);
    schedule_numbers_free(&numbers);
    return 0;
}

static size_t
max_size(size_t a, size_t b)
{
    return a > b ? a : b;
}

/* The frontier as a table: budget, max, sum, steps; columns padded to
 * their widest entry so that the lines align. */
static int
print_frontier_text(const lemica_frontier *frontier)
{
    size_t count = lemica_frontier_count(frontier);
    size_t budget_width = strlen("budget");
    size_t max_width = strlen("max");
    size_t sum_width = strlen("sum");
    char budget[16];
    char max_text[LEMICA_CLI_DOUBLE_SIZE];
    char sum_text[LEMICA_CLI_DOUBLE_SIZE];

    for (size_t pass = 0; pass < 2; pass++) {
        if (pass == 1)
            printf("%*s  %-*s  %-*s  steps\n", (int)budget_width, "budget",
                   (int)max_width, "max", (int)sum_width, "sum");
        for (size_t index = 0; index < count; index++) {
            const lemica_schedule *schedule = NULL;
            double max_cost;
            double sum_cost;
            char *steps;

            if (lemica_frontier_get(frontier, index, &schedule) != LEMICA_OK ||
                lemica_schedule_max_cost(schedule, &max_cost) != LEMICA_OK ||
                lemica_schedule_sum_cost(schedule, &sum_cost) != LEMICA_OK) {
                lemica_cli_error("%s", lemica_last_error_message());
                return -1;
            }
            snprintf(budget, sizeof(budget), "%d",
                     lemica_schedule_budget(schedule));
            lemica_cli_format_double(max_cost, max_text);
            lemica_cli_format_double(sum_cost, sum_text);
            if (pass == 0) {
                budget_width = max_size(budget_width, strlen(budget));
                max_width = max_size(max_width, strlen(max_text));
                sum_width = max_size(sum_width, strlen(sum_text));
                continue;
            }
            steps = lemica_cli_format_schedule(schedule, 0);
            if (!steps)
                return -1;
            printf("%*s  %-*s  %-*s  %s\n", (int)budget_width, budget,
                   (int)max_width, max_text, (int)sum_width, sum_text, steps);
            free(steps);
        }
    }
    return 0;
}

static int
print_frontier_json(const lemica_frontier *frontier)
{
    size_t count = lemica_frontier_count(frontier);

    fputc('[', stdout);
    for (size_t index = 0; index < count; index++) {
        const lemica_schedule *schedule = NULL;

        if (lemica_frontier_get(frontier, index, &schedule) != LEMICA_OK) {
            lemica_cli_error("%s", lemica_last_error_message());
            return -1;
        }
        if (index)
            fputc(',', stdout);
        if (print_json_object(schedule) != 0)
            return -1;
    }
    fputs("]\n", stdout);
    return 0;
}

/* Explain an infeasible budget with the smallest one that works. */
static int
report_infeasible(const struct solve_settings *settings, lemica_solver *solver,
                  const lemica_graph *graph)
{
    int num_steps = lemica_graph_num_steps(graph);
    int min_budget = 0;

    if (lemica_solver_min_budget(solver, graph, &min_budget) != LEMICA_OK) {
        lemica_cli_error("%s: budget %d is infeasible: %s", settings->path,
                         settings->budget, lemica_last_error_message());
        return LEMICA_CLI_EXIT_INFEASIBLE;
    }
    if (settings->budget > num_steps)
        lemica_cli_error("%s: budget %d is infeasible: the graph has only %d "
                         "steps (the minimum feasible budget is %d)",
                         settings->path, settings->budget, num_steps,
                         min_budget);
    else if (settings->budget < min_budget)
        lemica_cli_error("%s: budget %d is infeasible: the minimum feasible "
                         "budget is %d",
                         settings->path, settings->budget, min_budget);
    else
        lemica_cli_error("%s: budget %d is infeasible: no schedule computes "
                         "exactly %d steps with these edges (the minimum "
                         "feasible budget is %d)",
                         settings->path, settings->budget, settings->budget,
                         min_budget);
    return LEMICA_CLI_EXIT_INFEASIBLE;
}

static int
configure_solver(const struct solve_settings *settings,
                 const lemica_graph *graph, lemica_solver *solver)
{
    int num_steps = lemica_graph_num_steps(graph);

    if (settings->warmup > num_steps) {
        lemica_cli_error("%s: --warmup %d is more than the %d steps of the "
                         "graph",
                         settings->path, settings->warmup, num_steps);
        return -1;
    }
    if (lemica_solver_set_comparator(solver, settings->comparator) !=
            LEMICA_OK ||
        lemica_solver_set_max_skip(solver, settings->max_skip) != LEMICA_OK) {
        library_error(settings);
        return -1;
    }
    if (settings->warmup == 0)
        return 0;
    if (lemica_solver_require_first_steps(solver, settings->warmup) !=
        LEMICA_OK) {
        library_error(settings);
        return -1;
    }
    return 0;
}

/* --save: the schedule with what it was planned from. The graph file's
 * metadata (model, sampler, metric...) comes first, in its order, then the
 * options that shaped the schedule and the tool. */
static int
save_schedule(const struct solve_settings *settings,
              const lemica_schedule *schedule, lemica_metadata *metadata)
{
    char number[16];

    if (lemica_metadata_set(metadata, "comparator",
                            lemica_cli_comparator_name(settings->comparator)) !=
        LEMICA_OK)
        goto fail;
    if (settings->max_skip > 0) {
        snprintf(number, sizeof(number), "%d", settings->max_skip);
        if (lemica_metadata_set(metadata, "solver_max_skip", number) !=
            LEMICA_OK)
            goto fail;
    }
    if (settings->warmup > 0) {
        snprintf(number, sizeof(number), "%d", settings->warmup);
        if (lemica_metadata_set(metadata, "warmup", number) != LEMICA_OK)
            goto fail;
    }
    if (lemica_cli_set_tool(metadata) != 0)
        return -1;
    /* What was printed comes first when the save goes to the same place
     * (--save /dev/stdout). */
    fflush(stdout);
    if (lemica_schedule_save(schedule, metadata, settings->save_path) !=
        LEMICA_OK)
        goto fail;
    return 0;
fail:
    lemica_cli_error("%s", lemica_last_error_message());
    return -1;
}

static int
solve(const struct solve_settings *settings)
{
    lemica_graph *graph = NULL;
    lemica_solver *solver = NULL;
    lemica_schedule *schedule = NULL;
    lemica_frontier *frontier = NULL;
    lemica_status status;
    int printed;
    int exit_status = LEMICA_CLI_EXIT_INPUT;
    lemica_metadata *metadata = NULL;

    if (lemica_metadata_new(&metadata) != LEMICA_OK) {
        library_error(settings);
        return LEMICA_CLI_EXIT_INPUT;
    }
    if (lemica_cli_load_graph(settings->path, settings->num_steps,
                              settings->max_skip, metadata, &graph) != 0)
        goto out;
    if (lemica_solver_new(&solver) != LEMICA_OK) {
        library_error(settings);
        goto out;
    }
    if (configure_solver(settings, graph, solver) != 0)
        goto out;
    if (settings->k_best > 0 && (settings->all || (settings->budget >= 2 &&
                                 settings->budget <=
                                     lemica_graph_num_steps(graph)))) {
        exit_status = lemica_cli_solve_k_best(
            settings->path, solver, graph, settings->all ? 0 : settings->budget,
            settings->k_best, settings->json);
        goto out;
    }

    if (settings->all) {
        status = lemica_solver_solve_frontier(solver, graph, &frontier);
        if (status == LEMICA_ERR_INFEASIBLE) {
            lemica_cli_error("%s: no budget is feasible: %s", settings->path,
                             lemica_last_error_message());
            exit_status = LEMICA_CLI_EXIT_INFEASIBLE;
            goto out;
        }
        if (status != LEMICA_OK) {
            library_error(settings);
            goto out;
        }
        printed = settings->json ? print_frontier_json(frontier)
                                 : print_frontier_text(frontier);
    } else {
        /* Budgets the solver could never meet are answered here, the same
         * way whatever status the solver would give a budget below 2. */
        if (settings->budget < 2 ||
            settings->budget > lemica_graph_num_steps(graph)) {
            exit_status = report_infeasible(settings, solver, graph);
            goto out;
        }
        status =
            lemica_solver_solve(solver, graph, settings->budget, &schedule);
        if (status == LEMICA_ERR_INFEASIBLE) {
            exit_status = report_infeasible(settings, solver, graph);
            goto out;
        }
        if (status != LEMICA_OK) {
            library_error(settings);
            goto out;
        }
        if (settings->json) {
            printed = print_json_object(schedule);
            if (printed == 0)
                fputc('\n', stdout);
        } else {
            printed = print_text(schedule);
        }
    }
    if (printed == 0 && settings->save_path)
        printed = save_schedule(settings, schedule, metadata);
    if (printed == 0)
        exit_status = LEMICA_CLI_EXIT_OK;
out:
    lemica_metadata_free(metadata);
    lemica_schedule_free(schedule);
    lemica_frontier_free(frontier);
    lemica_solver_free(solver);
    lemica_graph_free(graph);
    return lemica_cli_finish_output(exit_status);
}

int
lemica_cli_solve(int argc, char **argv)
{
    struct solve_settings settings = {
        "solve", NULL, -1, 0, LEMICA_COMPARATOR_LEXMAX, 0, 0, 0, 0, NULL, 0,
    };
    int status = parse_settings(argc, argv, &settings);

    if (status >= 0)
        return status;
    return solve(&settings);
}

int
lemica_cli_frontier(int argc, char **argv)
{
    struct solve_settings settings = {
        "frontier", NULL, -1, 1, LEMICA_COMPARATOR_LEXMAX, 0, 0, 0, 0, NULL, 0,
    };
    int status = parse_settings(argc, argv, &settings);

    if (status >= 0)
        return status;
    return solve(&settings);
}
