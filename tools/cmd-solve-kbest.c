/* SPDX-License-Identifier: MIT */
/* lemica solve --k-best K: the K best schedules of one budget (--budget)
 * or of every budget (--all), as text or JSON. Kept apart from
 * cmd-solve.c, which parses the options and configures the solver. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lemica/lemica.h>

#include "cli.h"

/* One schedule of the list as a JSON object with its rank. */
static int
print_json_ranked(const lemica_schedule *schedule, int rank)
{
    size_t budget = (size_t)lemica_schedule_budget(schedule), count;
    char number[LEMICA_CLI_DOUBLE_SIZE];
    int *steps = malloc(budget * sizeof(int));
    double *costs = malloc(budget * sizeof(double));
    double max_cost, sum_cost;
    int status = -1;

    if (!steps || !costs) {
        lemica_cli_error("out of memory");
        goto out;
    }
    if (lemica_schedule_steps(schedule, steps, budget, &count) != LEMICA_OK ||
        lemica_schedule_costs(schedule, costs, budget, &count) != LEMICA_OK ||
        lemica_schedule_max_cost(schedule, &max_cost) != LEMICA_OK ||
        lemica_schedule_sum_cost(schedule, &sum_cost) != LEMICA_OK) {
        lemica_cli_error("%s", lemica_last_error_message());
        goto out;
    }
    printf("{\"num_steps\":%d,\"budget\":%d,\"rank\":%d,\"steps\":[",
           lemica_schedule_num_steps(schedule), (int)budget, rank);
    for (size_t i = 0; i < budget; i++)
        printf("%s%d", i ? "," : "", steps[i]);
    fputs("],\"costs\":[", stdout);
    for (size_t i = 0; i < count; i++) {
        lemica_cli_format_json_number(costs[i], number);
        printf("%s%s", i ? "," : "", number);
    }
    lemica_cli_format_json_number(max_cost, number);
    printf("],\"max\":%s", number);
    lemica_cli_format_json_number(sum_cost, number);
    printf(",\"sum\":%s}", number);
    status = 0;
out:
    free(steps);
    free(costs);
    return status;
}

/* A table "budget  rank  max  sum  steps", rank 1 = best. */
static int
print_text_ranked(const lemica_schedule_list *list)
{
    size_t count = lemica_schedule_list_count(list);

    printf("budget  rank  max  sum  steps\n");
    for (size_t i = 0; i < count; i++) {
        const lemica_schedule *schedule;
        char max_text[LEMICA_CLI_DOUBLE_SIZE], sum_text[LEMICA_CLI_DOUBLE_SIZE];
        double max_cost, sum_cost;
        char *steps;

        if (lemica_schedule_list_get(list, i, &schedule) != LEMICA_OK ||
            lemica_schedule_max_cost(schedule, &max_cost) != LEMICA_OK ||
            lemica_schedule_sum_cost(schedule, &sum_cost) != LEMICA_OK) {
            lemica_cli_error("%s", lemica_last_error_message());
            return -1;
        }
        lemica_cli_format_double(max_cost, max_text);
        lemica_cli_format_double(sum_cost, sum_text);
        steps = lemica_cli_format_schedule(schedule, 0);
        if (!steps)
            return -1;
        printf("%d  %d  %s  %s  %s\n", lemica_schedule_budget(schedule),
               lemica_schedule_list_rank(list, i) + 1, max_text, sum_text,
               steps);
        free(steps);
    }
    return 0;
}

int
lemica_cli_solve_k_best(const char *path, lemica_solver *solver,
                        const lemica_graph *graph, int budget, int count,
                        int json)
{
    lemica_schedule_list *list = NULL;
    lemica_status status;
    int printed = 0;

    status = budget > 0
                 ? lemica_solver_solve_k_best(solver, graph, budget, count,
                                              &list)
                 : lemica_solver_solve_k_best_frontier(solver, graph, count,
                                                       &list);
    if (status != LEMICA_OK) {
        lemica_cli_error("%s: %s", path, lemica_last_error_message());
        return status == LEMICA_ERR_INFEASIBLE ? LEMICA_CLI_EXIT_INFEASIBLE
                                               : LEMICA_CLI_EXIT_INPUT;
    }
    if (json) {
        fputc('[', stdout);
        for (size_t i = 0; i < lemica_schedule_list_count(list) && !printed;
             i++) {
            const lemica_schedule *schedule = NULL;

            if (i)
                fputc(',', stdout);
            lemica_schedule_list_get(list, i, &schedule);
            printed = print_json_ranked(schedule,
                                        lemica_schedule_list_rank(list, i));
        }
        fputs("]\n", stdout);
    } else {
        printed = print_text_ranked(list);
    }
    lemica_schedule_list_free(list);
    return printed == 0 ? LEMICA_CLI_EXIT_OK : LEMICA_CLI_EXIT_INPUT;
}
