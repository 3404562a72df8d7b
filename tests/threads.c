/* SPDX-License-Identifier: MIT */
/*
 * Distinct handles on distinct threads at once, built with ThreadSanitizer
 * by tests/check-threads.sh: every module (graph, solver, frontier,
 * schedule text, profiler and metric kernels, plan, files, the per-thread
 * error message) runs in four threads, which also share one read-only
 * graph, as the documentation allows. The threads must agree on the
 * shared graph's schedule (determinism) and TSan must report nothing.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lemica/lemica.h>

#define THREADS 4
#define ROUNDS 30
#define STEPS 40

static lemica_graph *shared_graph;

struct result {
    int id;
    char shared_steps[256];
    int failures;
};

#define CHECK(result_, expr_)                                                  \
    do {                                                                       \
        lemica_status st_ = (expr_);                                           \
        if (st_ != LEMICA_OK) {                                                \
            fprintf(stderr, "%s: %s: %s\n", #expr_, lemica_status_name(st_),    \
                    lemica_last_error_message());                              \
            (result_)->failures++;                                             \
            return;                                                            \
        }                                                                      \
    } while (0)

static double
weight(int from, int to, int seed)
{
    return (double)((from * 31 + to * 17 + seed * 7) % 97) / 97.0 *
           (double)(to - from - 1);
}

static void
one_round(int id, int round, struct result *result)
{
    lemica_graph *graph = NULL, *copy = NULL, *parsed = NULL, *profiled = NULL;
    lemica_solver *solver = NULL;
    lemica_schedule *schedule = NULL, *reread = NULL;
    lemica_frontier *frontier = NULL;
    lemica_profiler *profiler = NULL, *other = NULL;
    lemica_plan *plan = NULL;
    float cached[256], reference[256];
    char text[4096];
    size_t length;
    double error;

    /* The error message is per thread: a failure here must not show up
     * in another thread's message. */
    if (lemica_graph_new(1, 1, &graph) != LEMICA_ERR_INVALID_ARGUMENT ||
        !strstr(lemica_last_error_message(), "at least 2 steps"))
        result->failures++;

    CHECK(result, lemica_graph_new(STEPS, 12, &graph));
    for (int i = 0; i < STEPS; i++)
        for (int j = i + 2; j < STEPS && j - i <= 12; j++)
            CHECK(result, lemica_graph_set_weight(graph, i, j,
                                                  weight(i, j, id + round)));
    CHECK(result, lemica_graph_copy(graph, &copy));

    CHECK(result, lemica_solver_new(&solver));
    CHECK(result, lemica_solver_set_comparator(solver,
                                               (lemica_comparator)(round % 3)));
    CHECK(result, lemica_solver_require_first_steps(solver, 2));
    CHECK(result, lemica_solver_solve(solver, copy, 10, &schedule));
    CHECK(result, lemica_solver_solve_frontier(solver, graph, &frontier));

    /* The shared graph, read by every thread's solver at once. */
    lemica_solver_clear_required_steps(solver);
    CHECK(result, lemica_solver_set_comparator(solver, LEMICA_COMPARATOR_LEXMAX));
    CHECK(result, lemica_solver_solve_into(solver, shared_graph, 9, schedule));
    CHECK(result, lemica_schedule_format_steps(schedule, text, sizeof(text),
                                               &length));
    if (round == 0)
        memcpy(result->shared_steps, text, length + 1);
    else if (strcmp(result->shared_steps, text) != 0)
        result->failures++;
    CHECK(result, lemica_schedule_parse_steps(STEPS, text, length, &reread));
    CHECK(result, lemica_schedule_evaluate(reread, shared_graph));

    /* Metric kernels (the CPU level is looked up from every thread). */
    for (int k = 0; k < 256; k++) {
        cached[k] = (float)((k * (id + 3)) % 17) * 0.25f;
        reference[k] = (float)(k % 13) * 0.25f;
    }
    CHECK(result, lemica_metric_compute(LEMICA_METRIC_L1, cached, reference,
                                        256, LEMICA_DTYPE_F32, &error));
    CHECK(result, lemica_profiler_new(STEPS, 6, LEMICA_METRIC_L1, &profiler));
    CHECK(result, lemica_profiler_new(STEPS, 6, LEMICA_METRIC_L1, &other));
    for (int i = 0; i + 2 < STEPS; i++) {
        CHECK(result, lemica_profiler_add_buffers(profiler, i, i + 2, cached,
                                                  reference, 256,
                                                  LEMICA_DTYPE_F32));
        CHECK(result, lemica_profiler_add_error(other, i, i + 2, error));
    }
    CHECK(result, lemica_profiler_merge(profiler, other));
    CHECK(result, lemica_profiler_to_graph(profiler, LEMICA_AGGREGATE_MEAN, 0.0,
                                           0, &profiled));

    CHECK(result, lemica_plan_new(STEPS, 6, &plan));
    if (lemica_plan_num_replays(plan) == 0)
        result->failures++;

    /* Files, through memory buffers. */
    CHECK(result, lemica_graph_format(graph, NULL, NULL, 0, &length));
    {
        char *buffer = malloc(length + 1);

        if (!buffer) {
            result->failures++;
            goto out;
        }
        if (lemica_graph_format(graph, NULL, buffer, length + 1, &length) !=
                LEMICA_OK ||
            lemica_graph_parse(buffer, length, NULL, &parsed) != LEMICA_OK)
            result->failures++;
        free(buffer);
    }

out:
    lemica_graph_free(parsed);
    lemica_plan_free(plan);
    lemica_graph_free(profiled);
    lemica_profiler_free(other);
    lemica_profiler_free(profiler);
    lemica_schedule_free(reread);
    lemica_frontier_free(frontier);
    lemica_schedule_free(schedule);
    lemica_solver_free(solver);
    lemica_graph_free(copy);
    lemica_graph_free(graph);
}

static void *
run(void *argument)
{
    struct result *result = argument;

    for (int round = 0; round < ROUNDS; round++)
        one_round(result->id, round, result);
    return NULL;
}

int
main(void)
{
    pthread_t threads[THREADS];
    struct result results[THREADS];
    int failures = 0;

    if (lemica_graph_new(STEPS, STEPS - 1, &shared_graph) != LEMICA_OK)
        return 1;
    for (int i = 0; i < STEPS; i++)
        for (int j = i + 2; j < STEPS; j++)
            if (lemica_graph_set_weight(shared_graph, i, j, weight(i, j, 5)) !=
                LEMICA_OK)
                return 1;
    memset(results, 0, sizeof(results));
    for (int t = 0; t < THREADS; t++)
        results[t].id = t;
    for (int t = 0; t < THREADS; t++)
        if (pthread_create(&threads[t], NULL, run, &results[t]) != 0)
            return 1;
    for (int t = 0; t < THREADS; t++)
        pthread_join(threads[t], NULL);
    for (int t = 0; t < THREADS; t++) {
        failures += results[t].failures;
        if (strcmp(results[t].shared_steps, results[0].shared_steps) != 0)
            failures++;
    }
    lemica_graph_free(shared_graph);
    printf("%d threads x %d rounds: %d failures; shared schedule %s\n",
           THREADS, ROUNDS, failures, results[0].shared_steps);
    return failures == 0 ? 0 : 1;
}
