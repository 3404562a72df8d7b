/* SPDX-License-Identifier: MIT */
/* The C program of the build-system consumers: linked by CMake through
 * find_package(lemica CONFIG) (cmake/CMakeLists.txt) and by meson with
 * libLeMiCa as a subproject (meson-subproject/meson.build). Solves the
 * graph of examples/hello.c and prints "steps: 0,2,4,7,9" on success.
 * LEMICA_EXPECTED_VERSION is the version the build system found. */
#include <stdio.h>
#include <string.h>

#include <lemica/lemica.h>

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
    static const struct {
        int from, to;
        double error;
    } segments[] = {
        {0, 2, 0.010}, {2, 4, 0.015}, {4, 6, 0.012}, {4, 7, 0.025},
        {7, 9, 0.018}, {1, 3, 0.020}, {3, 6, 0.030}, {6, 9, 0.035},
    };
    lemica_graph *graph = NULL;
    lemica_solver *solver = NULL;
    lemica_schedule *schedule = NULL;
    lemica_status status;
    char steps[64];
    int result = 1;

    /* The version the build system found and the library linked must agree. */
    if (strcmp(lemica_version_string(), LEMICA_EXPECTED_VERSION) != 0) {
        fprintf(stderr, "the build system found %s, the library is %s\n",
                LEMICA_EXPECTED_VERSION, lemica_version_string());
        return 1;
    }

    status = lemica_graph_new(10, 4, &graph);
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
    status = lemica_solver_new(&solver);
    if (status == LEMICA_OK)
        status = lemica_solver_solve(solver, graph, 5, &schedule);
    if (status == LEMICA_OK)
        status =
            lemica_schedule_format_steps(schedule, steps, sizeof(steps), NULL);
    if (status != LEMICA_OK) {
        result = fail("solve", status);
        goto out;
    }
    printf("version: %s\nsteps: %s\n", lemica_version_string(), steps);
    result = 0;

out:
    lemica_schedule_free(schedule);
    lemica_solver_free(solver);
    lemica_graph_free(graph);
    return result;
}
