/* SPDX-License-Identifier: MIT */
/*
 * Issue 11, goal 4: printing a frontier (lemica frontier, text and
 * --json) at N = 4000, K = 20 must take at most 1.5x the time of the solve
 * itself. For each weight family the graph is saved to a file; this
 * program loads and solves it (thread CPU time), then runs
 * `lemica frontier [--json] FILE > /dev/null` and takes the child's CPU
 * time (user + system). The output's cost is the child's time less this
 * program's load and solve; the ratio to the solve is the figure, and the
 * worst over the families is compared with the goal. CPU time, not wall:
 * another job on the machine delays both but charges neither.
 *
 * Arguments: LEMICA (the tool's path) [--n N] [--k K] [--runs R]
 * (medians of R runs, default 1; N = 4000, K = 20 by default).
 */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>

#include "bench-common.h"
#include "bench-families.h"
#include "lemica/lemica.h"
#include "test-rng.h"

#define RUNS_MAX 15

enum family { FAMILY_DISTINCT, FAMILY_LEVELS_5, FAMILY_DIFFUSION, FAMILY_COUNT };

static const char *const family_names[FAMILY_COUNT] = {"distinct", "levels-5",
                                                       "diffusion"};

static lemica_graph *
make_graph(int n, int k, enum family family)
{
    uint64_t rng = 777u + (uint64_t)family;
    lemica_graph *graph;

    bench_check(lemica_graph_new(n, k, &graph), "graph");
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n && j - i <= k; j++) {
            double u = test_rng_unit(&rng), w;

            if (family == FAMILY_LEVELS_5)
                w = (double)(1 + (int)(u * 5.0));
            else if (family == FAMILY_DIFFUSION)
                w = bench_diffusion_error(i, j, n) * (1.0 + 0.05 * u) +
                    1e-6 * (j - i);
            else
                w = u;
            bench_check(lemica_graph_set_weight(graph, i, j, w), "weight");
        }
    return graph;
}

static double
timeval_seconds(struct timeval tv)
{
    return (double)tv.tv_sec + (double)tv.tv_usec * 1e-6;
}

/* The CPU time of `LEMICA frontier [--json] PATH > /dev/null`; exits the
 * run if the tool fails. */
static double
run_tool(const char *tool, const char *path, int json)
{
    struct rusage before, after;
    int status;
    pid_t pid;

    getrusage(RUSAGE_CHILDREN, &before);
    pid = fork();

    if (pid < 0) {
        perror("fork");
        exit(1);
    }
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);

        if (null < 0 || dup2(null, STDOUT_FILENO) < 0)
            _exit(126);
        if (json)
            execl(tool, tool, "frontier", "--json", path, (char *)NULL);
        else
            execl(tool, tool, "frontier", path, (char *)NULL);
        _exit(127);
    }
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
        WEXITSTATUS(status) != 0) {
        fprintf(stderr, "%s frontier %s%s failed\n", tool,
                json ? "--json " : "", path);
        exit(1);
    }
    /* The children's times count waited-for children only: the difference
     * is this one's. */
    getrusage(RUSAGE_CHILDREN, &after);
    return timeval_seconds(after.ru_utime) - timeval_seconds(before.ru_utime) +
           timeval_seconds(after.ru_stime) - timeval_seconds(before.ru_stime);
}

int
main(int argc, char **argv)
{
    const char *tool;
    int n = 4000, k = 20, runs = 1;
    char dir[] = "/tmp/lemica-bench-output-XXXXXX";
    double worst = 0.0;
    const char *worst_case = "";

    if (argc < 2) {
        fprintf(stderr, "usage: %s LEMICA [--n N] [--k K] [--runs R]\n",
                argv[0]);
        return 2;
    }
    tool = argv[1];
    for (int a = 2; a + 1 < argc; a += 2) {
        if (strcmp(argv[a], "--n") == 0)
            n = atoi(argv[a + 1]);
        else if (strcmp(argv[a], "--k") == 0)
            k = atoi(argv[a + 1]);
        else if (strcmp(argv[a], "--runs") == 0)
            runs = atoi(argv[a + 1]);
    }
    if (n < 2 || k < 1 || runs < 1 || runs > RUNS_MAX) {
        fprintf(stderr, "bad --n, --k or --runs\n");
        return 2;
    }
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    printf("lemica frontier, N = %d, K = %d, CPU seconds (medians of %d)\n",
           n, k, runs);
    printf("%-10s %7s %7s %7s %7s %15s %15s\n", "family", "load", "solve",
           "text", "json", "text out/solve", "json out/solve");
    for (int f = 0; f < FAMILY_COUNT; f++) {
        lemica_graph *graph = make_graph(n, k, (enum family)f);
        char path[sizeof(dir) + 32];
        double load[RUNS_MAX], solve[RUNS_MAX], text[RUNS_MAX],
            json[RUNS_MAX];
        double ratio[2];

        snprintf(path, sizeof(path), "%s/%s.lg", dir, family_names[f]);
        bench_check(lemica_graph_save(graph, NULL, path), "save");
        lemica_graph_free(graph);
        for (int r = 0; r < runs; r++) {
            lemica_solver *solver;
            lemica_frontier *frontier;
            lemica_graph *loaded;
            double t0 = bench_thread_seconds(), t1, t2;

            bench_check(lemica_graph_load(path, NULL, &loaded), "load");
            t1 = bench_thread_seconds();
            bench_check(lemica_solver_new(&solver), "solver");
            bench_check(lemica_solver_solve_frontier(solver, loaded, &frontier),
                        "frontier");
            t2 = bench_thread_seconds();
            load[r] = t1 - t0;
            solve[r] = t2 - t1;
            lemica_frontier_free(frontier);
            lemica_solver_free(solver);
            lemica_graph_free(loaded);
            text[r] = run_tool(tool, path, 0);
            json[r] = run_tool(tool, path, 1);
        }
        {
            double l = bench_median(load, (size_t)runs);
            double s = bench_median(solve, (size_t)runs);
            double t = bench_median(text, (size_t)runs);
            double j = bench_median(json, (size_t)runs);

            ratio[0] = (t - l - s) / s;
            ratio[1] = (j - l - s) / s;
            printf("%-10s %7.3f %7.3f %7.3f %7.3f %14.2fx %14.2fx\n",
                   family_names[f], l, s, t, j, ratio[0], ratio[1]);
        }
        for (int o = 0; o < 2; o++)
            if (ratio[o] > worst) {
                worst = ratio[o];
                worst_case = family_names[f];
            }
        unlink(path);
    }
    rmdir(dir);
    printf("worst output/solve: %.2fx (%s; goal <= 1.5x)\n", worst,
           worst_case);
    return 0;
}
