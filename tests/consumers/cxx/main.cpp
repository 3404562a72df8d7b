// SPDX-License-Identifier: MIT
// A C++ program built against the installed libLeMiCa with nothing but
// `pkg-config --cflags --libs lemica` (tests/consumers/check-consumer.sh):
// the handles owned by std::unique_ptr, every status checked, the schedule
// of examples/hello.c printed. Prints "steps: 0,2,4,7,9" on success.
#include <lemica/lemica.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

namespace
{

struct graph_deleter {
    void
    operator()(lemica_graph *graph) const
    {
        lemica_graph_free(graph);
    }
};
struct solver_deleter {
    void
    operator()(lemica_solver *solver) const
    {
        lemica_solver_free(solver);
    }
};
struct schedule_deleter {
    void
    operator()(lemica_schedule *schedule) const
    {
        lemica_schedule_free(schedule);
    }
};

bool
ok(const char *what, lemica_status status)
{
    if (status == LEMICA_OK)
        return true;
    std::fprintf(stderr, "%s: %s (%s)\n", what, lemica_strerror(status),
                 lemica_last_error_message());
    return false;
}

} // namespace

int
main()
{
    // The installed header and the installed library must be one release.
    if (std::strcmp(lemica_version_string(), LEMICA_VERSION_STRING) != 0) {
        std::fprintf(stderr, "header %s, library %s\n", LEMICA_VERSION_STRING,
                     lemica_version_string());
        return 1;
    }

    lemica_graph *raw_graph = nullptr;
    if (!ok("lemica_graph_new", lemica_graph_new(10, 4, &raw_graph)))
        return 1;
    std::unique_ptr<lemica_graph, graph_deleter> graph(raw_graph);

    struct segment {
        int from, to;
        double error;
    };
    const std::vector<segment> segments = {
        {0, 2, 0.010}, {2, 4, 0.015}, {4, 6, 0.012}, {4, 7, 0.025},
        {7, 9, 0.018}, {1, 3, 0.020}, {3, 6, 0.030}, {6, 9, 0.035},
    };
    for (const segment &s : segments)
        if (!ok("lemica_graph_set_weight",
                lemica_graph_set_weight(graph.get(), s.from, s.to, s.error)))
            return 1;

    // A status that is not OK must come back as such through C linkage.
    if (lemica_graph_set_weight(graph.get(), 0, 99, 1.0) == LEMICA_OK) {
        std::fprintf(stderr, "an edge past the last step was accepted\n");
        return 1;
    }

    lemica_solver *raw_solver = nullptr;
    if (!ok("lemica_solver_new", lemica_solver_new(&raw_solver)))
        return 1;
    std::unique_ptr<lemica_solver, solver_deleter> solver(raw_solver);

    lemica_schedule *raw_schedule = nullptr;
    if (!ok("lemica_solver_solve",
            lemica_solver_solve(solver.get(), graph.get(), 5, &raw_schedule)))
        return 1;
    std::unique_ptr<lemica_schedule, schedule_deleter> schedule(raw_schedule);

    size_t count = 0;
    if (!ok("lemica_schedule_steps (size)",
            lemica_schedule_steps(schedule.get(), nullptr, 0, &count)))
        return 1;
    std::vector<int> steps(count);
    if (!ok("lemica_schedule_steps",
            lemica_schedule_steps(schedule.get(), steps.data(), steps.size(),
                                  &count)))
        return 1;

    std::printf("version: %s\nsteps: ", lemica_version_string());
    for (size_t i = 0; i < steps.size(); i++)
        std::printf("%s%d", i ? "," : "", steps[i]);
    std::printf("\n");
    return 0;
}
