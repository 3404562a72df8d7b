/* SPDX-License-Identifier: MIT */
/* The smallest complete use of libLeMiCa: a 10-step graph written by hand,
 * the best schedule with 5 model calls, and the question an engine asks at
 * every step. Build: cc hello.c $(pkg-config --cflags --libs lemica) */
#include <stdio.h>

#include <lemica/lemica.h>

/* Measured errors of a few cache segments (i, j): compute at i and j,
 * reuse step i's output at i+1 .. j-1. */
static const struct {
    int from, to;
    double error;
} segments[] = {
    {0, 2, 0.010}, {2, 4, 0.015}, {4, 6, 0.012}, {4, 7, 0.025},
    {7, 9, 0.018}, {1, 3, 0.020}, {3, 6, 0.030}, {6, 9, 0.035},
};

static int
fail(const char *what, lemica_status status)
{
    fprintf(stderr, "%s: %s (%s)\n", what, lemica_strerror(status),
            lemica_last_error_message());
    return 1;
}

int
main(void)
{
    lemica_graph *graph = NULL;
    lemica_solver *solver = NULL;
    lemica_schedule *schedule = NULL;
    lemica_status status;
    char steps[64];
    double worst;
    int result = 1;

    status = lemica_graph_new(10, 4, &graph); /* N = 10 steps, skip <= 4 */
    if (status != LEMICA_OK) {
        result = fail("lemica_graph_new", status);
        goto out;
    }
    for (size_t i = 0; i < sizeof(segments) / sizeof(segments[0]); i++) {
        status = lemica_graph_set_weight(graph, segments[i].from,
                                         segments[i].to, segments[i].error);
        if (status != LEMICA_OK) {
            result = fail("lemica_graph_set_weight", status);
            goto out;
        }
    }

    status = lemica_solver_new(&solver); /* LEXMAX is the default */
    if (status != LEMICA_OK) {
        result = fail("lemica_solver_new", status);
        goto out;
    }
    status = lemica_solver_solve(solver, graph, 5, &schedule);
    if (status != LEMICA_OK) {
        result = fail("lemica_solver_solve", status);
        goto out;
    }

    status = lemica_schedule_format_steps(schedule, steps, sizeof(steps), NULL);
    if (status == LEMICA_OK)
        status = lemica_schedule_max_cost(schedule, &worst);
    if (status != LEMICA_OK) {
        result = fail("lemica_schedule", status);
        goto out;
    }
    printf("steps: %s (worst segment error %g)\n", steps, worst);

    for (int t = 0; t < 10; t++) {
        int compute = lemica_schedule_should_compute(schedule, t);

        if (compute < 0) {
            result = fail("lemica_schedule_should_compute", compute);
            goto out;
        }
        printf("step %d: %s\n", t, compute ? "compute" : "reuse");
    }
    result = 0;

out:
    lemica_schedule_free(schedule);
    lemica_solver_free(solver);
    lemica_graph_free(graph);
    return result;
}
