/* SPDX-License-Identifier: MIT */
/* lemica-demo: the whole method on a real sampler in under a minute.
 * Profile the closed-form Gaussian-mixture model through the profiling
 * plan and the profiler-accumulator, solve the frontier, then compare on
 * seeds the profile never saw: LeMiCa (LEXMAX), the shortest path (SUM),
 * uniform spacing and a TeaCache-style online greedy at equal budgets.
 * Only the public API is used: the calls an engine makes. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <lemica/lemica.h>

#include "gmm-model.h"
#include "sample-sheet.h"
#include "profile.h"
#include "sampler.h"
#include "svg-plot.h"
#include "teacache.h"

#define MAX_BUDGETS 32
/* Evaluation seeds start here so that they never meet profiling seeds. */
#define EVAL_SEED_BASE 1000000u

enum method {
    METHOD_LEMICA,
    METHOD_SUM,
    METHOD_UNIFORM,
    METHOD_TEACACHE,
    NUM_METHODS
};

static const char *const method_names[NUM_METHODS] = {
    "LeMiCa (LEXMAX)",
    "Shortest path (SUM)",
    "Uniform",
    "TeaCache-style",
};
static const char *const method_colors[NUM_METHODS] = {
    "#d62728",
    "#1f77b4",
    "#7f7f7f",
    "#2ca02c",
};

struct options {
    int num_steps;
    int budgets[MAX_BUDGETS];
    int num_budgets;
    int profile_seeds;
    int eval_seeds;
    int max_skip;
    int prototypes;
    int repeats;
    int image_budget;
    double shift;
    double guidance;
    double sigma_data;
    const char *out_dir;
    int quiet;
};

struct result {
    int ok;
    double calls;
    double mean_l1;
    double worst_l1;
    double psnr;
    double seconds;
};

static void
usage(FILE *out)
{
    fprintf(
        out,
        "Usage: lemica-demo [options]\n"
        "Profile a closed-form diffusion model with libLeMiCa, plan cache\n"
        "schedules and compare them with baselines on unseen seeds.\n"
        "\n"
        "  --steps N           sampling steps (default 50)\n"
        "  --budgets B,B,...   model-call budgets (default 10,14,17,20,25)\n"
        "  --profile-seeds S   profiling seeds per class (default 8)\n"
        "  --eval-seeds S      evaluation seeds per class (default 32)\n"
        "  --max-skip K        longest cache segment profiled; 0 = N - 1,\n"
        "                      every segment (default 0)\n"
        "  --guidance W        classifier-free guidance scale; 1 = off\n"
        "                      (default 1)\n"
        "  --shift S           time-grid shift (default 3)\n"
        "  --prototypes M      prototype images per class (default 64)\n"
        "  --sigma-data S      std of each mixture component (default 0.1)\n"
        "  --repeats R         timing repetitions, best kept (default 5)\n"
        "  --image-budget B    budget shown in samples.png (default: the\n"
        "                      smallest budget)\n"
        "  --out DIR           output directory (default lemica-demo-out)\n"
        "  --quiet             no progress on stderr\n"
        "  --help              this text\n");
}

static int
parse_int(const char *text, int low, int high, int *out)
{
    char *end;
    long value;

    errno = 0;
    value = strtol(text, &end, 10);
    if (errno || end == text || *end || value < low || value > high)
        return -1;
    *out = (int)value;
    return 0;
}

static int
parse_double(const char *text, double low, double high, double *out)
{
    char *end;
    double value;

    errno = 0;
    value = strtod(text, &end);
    if (errno || end == text || *end || !(value >= low && value <= high))
        return -1;
    *out = value;
    return 0;
}

static int
parse_budgets(const char *text, struct options *options)
{
    char buffer[256];
    char *token, *rest;

    if (strlen(text) >= sizeof(buffer))
        return -1;
    strcpy(buffer, text);
    options->num_budgets = 0;
    for (token = buffer; token; token = rest) {
        rest = strchr(token, ',');
        if (rest)
            *rest++ = '\0';
        if (options->num_budgets == MAX_BUDGETS ||
            parse_int(token, 2, LEMICA_MAX_STEPS,
                      &options->budgets[options->num_budgets]) != 0)
            return -1;
        options->num_budgets++;
    }
    return 0;
}

static int
takes_value(const char *arg)
{
    static const char *const names[] = {
        "--steps",    "--budgets",    "--profile-seeds", "--eval-seeds",
        "--max-skip", "--prototypes", "--repeats",       "--image-budget",
        "--shift",    "--guidance",   "--sigma-data",    "--out",
    };

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(arg, names[i]) == 0)
            return 1;
    return 0;
}

static int
parse_options(int argc, char **argv, struct options *options)
{
    static const int default_budgets[] = {10, 14, 17, 20, 25};

    options->num_steps = 50;
    options->num_budgets = 5;
    memcpy(options->budgets, default_budgets, sizeof(default_budgets));
    options->profile_seeds = 8;
    options->eval_seeds = 32;
    options->max_skip = 0;
    options->prototypes = 64;
    options->repeats = 5;
    options->image_budget = 0;
    options->shift = 3.0;
    options->guidance = 1.0;
    options->sigma_data = 0.1;
    options->out_dir = "lemica-demo-out";
    options->quiet = 0;

    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        int bad = 0;

        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            usage(stdout);
            exit(EXIT_SUCCESS);
        } else if (strcmp(arg, "--quiet") == 0) {
            options->quiet = 1;
            continue;
        }
        if (!takes_value(arg)) {
            fprintf(stderr, "lemica-demo: unknown option %s\n", arg);
            usage(stderr);
            return -1;
        }
        if (!value) {
            fprintf(stderr, "lemica-demo: %s needs a value\n", arg);
            return -1;
        }
        if (strcmp(arg, "--steps") == 0)
            bad = parse_int(value, 3, 1000, &options->num_steps);
        else if (strcmp(arg, "--budgets") == 0)
            bad = parse_budgets(value, options);
        else if (strcmp(arg, "--profile-seeds") == 0)
            bad = parse_int(value, 1, 10000, &options->profile_seeds);
        else if (strcmp(arg, "--eval-seeds") == 0)
            bad = parse_int(value, 1, 4096, &options->eval_seeds);
        else if (strcmp(arg, "--max-skip") == 0)
            bad = parse_int(value, 0, 1000, &options->max_skip);
        else if (strcmp(arg, "--prototypes") == 0)
            bad = parse_int(value, 1, 1024, &options->prototypes);
        else if (strcmp(arg, "--repeats") == 0)
            bad = parse_int(value, 1, 1000, &options->repeats);
        else if (strcmp(arg, "--image-budget") == 0)
            bad = parse_int(value, 2, LEMICA_MAX_STEPS, &options->image_budget);
        else if (strcmp(arg, "--shift") == 0)
            bad = parse_double(value, 0.05, 100.0, &options->shift);
        else if (strcmp(arg, "--guidance") == 0)
            bad = parse_double(value, 0.0, 20.0, &options->guidance);
        else if (strcmp(arg, "--sigma-data") == 0)
            bad = parse_double(value, 1e-3, 10.0, &options->sigma_data);
        else
            options->out_dir = value;
        if (bad) {
            fprintf(stderr, "lemica-demo: bad value for %s: %s\n", arg, value);
            return -1;
        }
        i++;
    }
    for (int b = 0; b < options->num_budgets; b++)
        if (options->budgets[b] > options->num_steps) {
            fprintf(stderr, "lemica-demo: budget %d is above --steps %d\n",
                    options->budgets[b], options->num_steps);
            return -1;
        }
    if (options->max_skip == 0 || options->max_skip > options->num_steps - 1)
        options->max_skip = options->num_steps - 1;
    if (options->image_budget == 0)
        options->image_budget = options->budgets[0];
    for (int b = 0; b < options->num_budgets; b++)
        if (options->budgets[b] == options->image_budget)
            return 0;
    fprintf(stderr, "lemica-demo: --image-budget %d is not one of --budgets\n",
            options->image_budget);
    return -1;
}

static double
now_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int
fail(const char *what, lemica_status status)
{
    fprintf(stderr, "lemica-demo: %s: %s (%s)\n", what,
            lemica_status_name(status), lemica_last_error_message());
    return -1;
}

struct demo {
    struct options options;
    testbed_model *model;
    double *times;
    struct testbed_run run;
    struct testbed_sample_id *profile_samples;
    size_t num_profile;
    struct testbed_sample_id *eval_samples;
    size_t num_eval;
    double *reference;             /* uncached outputs, num_eval * PIXELS */
    double reference_seconds;      /* best time of one uncached pass */
    lemica_frontier *frontiers[2]; /* LEXMAX, SUM */
    /* outputs[method] for the image budget, num_eval * PIXELS each */
    double *image_outputs[NUM_METHODS];
    struct result results[MAX_BUDGETS][NUM_METHODS];
    double teacache_thresholds[MAX_BUDGETS];
};

/* One pass over the evaluation samples. Each sample is timed on its own
 * and @best_seconds keeps its fastest run over the passes: a sample that
 * another process interrupted then does not count. */
static int
run_pass(struct demo *demo, int method, const lemica_schedule *schedule,
         double threshold, double *outputs, double *calls, double *best_seconds)
{
    struct testbed_teacache cache;
    long total_calls = 0;

    for (size_t s = 0; s < demo->num_eval; s++) {
        struct testbed_run pass = demo->run;
        double *x0 = outputs + s * TESTBED_PIXELS;
        double started = now_seconds(), seconds;
        int rc;

        pass.class_id = demo->eval_samples[s].class_id;
        if (method == METHOD_TEACACHE) {
            testbed_teacache_reset(&cache, threshold, demo->options.num_steps);
            pass.decide = testbed_teacache_decide;
            pass.decide_context = &cache;
            rc = testbed_sample(&pass, demo->eval_samples[s].seed, x0);
        } else if (schedule) {
            rc = testbed_sample_schedule(&pass, schedule,
                                         demo->eval_samples[s].seed, x0);
        } else {
            rc = testbed_sample(&pass, demo->eval_samples[s].seed, x0);
        }
        seconds = now_seconds() - started;
        if (rc != 0)
            return -1;
        if (seconds < best_seconds[s])
            best_seconds[s] = seconds;
        total_calls += pass.model_calls;
    }
    *calls = (double)total_calls / (double)demo->num_eval;
    return 0;
}

/* The sum over samples of their best times, after R passes. */
static int
timed_passes(struct demo *demo, int method, const lemica_schedule *schedule,
             double threshold, double *outputs, double *calls, double *seconds)
{
    double *best = malloc(demo->num_eval * sizeof(double));

    if (!best)
        return -1;
    for (size_t s = 0; s < demo->num_eval; s++)
        best[s] = (double)INFINITY;
    for (int r = 0; r < demo->options.repeats; r++)
        if (run_pass(demo, method, schedule, threshold, outputs, calls, best) !=
            0) {
            free(best);
            return -1;
        }
    *seconds = 0.0;
    for (size_t s = 0; s < demo->num_eval; s++)
        *seconds += best[s];
    free(best);
    return 0;
}

/* Run a method and score it against the uncached outputs. */
static int
evaluate(struct demo *demo, int method, const lemica_schedule *schedule,
         double threshold, double *outputs, struct result *result)
{
    double psnr_sum = 0.0, l1_sum = 0.0, worst = 0.0;

    if (timed_passes(demo, method, schedule, threshold, outputs, &result->calls,
                     &result->seconds) != 0)
        return -1;
    for (size_t s = 0; s < demo->num_eval; s++) {
        const double *a = outputs + s * TESTBED_PIXELS;
        const double *b = demo->reference + s * TESTBED_PIXELS;
        double l1, mse;
        lemica_status status;

        status = lemica_metric_compute(LEMICA_METRIC_L1, a, b, TESTBED_PIXELS,
                                       LEMICA_DTYPE_F64, &l1);
        if (status == LEMICA_OK)
            status =
                lemica_metric_compute(LEMICA_METRIC_MSE, a, b, TESTBED_PIXELS,
                                      LEMICA_DTYPE_F64, &mse);
        if (status != LEMICA_OK)
            return fail("lemica_metric_compute", status);
        l1_sum += l1;
        if (l1 > worst)
            worst = l1;
        /* Pixels span [-1, 1]: the peak-to-peak range is 2. An identical
         * output is capped at 100 dB so that the mean stays finite. */
        psnr_sum += mse > 0.0 ? fmin(100.0, 10.0 * log10(4.0 / mse)) : 100.0;
    }
    result->ok = 1;
    result->mean_l1 = l1_sum / (double)demo->num_eval;
    result->worst_l1 = worst;
    result->psnr = psnr_sum / (double)demo->num_eval;
    return 0;
}

static int
setup(struct demo *demo)
{
    const struct options *options = &demo->options;
    size_t index = 0;

    if (testbed_model_new(options->prototypes, options->sigma_data,
                          &demo->model) != 0) {
        fprintf(stderr, "lemica-demo: cannot build the model\n");
        return -1;
    }
    testbed_model_set_guidance(demo->model, options->guidance);
    demo->times = malloc((size_t)(options->num_steps + 1) * sizeof(double));
    demo->num_profile = (size_t)options->profile_seeds * TESTBED_NUM_CLASSES;
    demo->num_eval = (size_t)options->eval_seeds * TESTBED_NUM_CLASSES;
    demo->profile_samples =
        malloc(demo->num_profile * sizeof(*demo->profile_samples));
    demo->eval_samples = malloc(demo->num_eval * sizeof(*demo->eval_samples));
    demo->reference = malloc(demo->num_eval * TESTBED_PIXELS * sizeof(double));
    for (int m = 0; m < NUM_METHODS; m++)
        demo->image_outputs[m] =
            calloc(demo->num_eval * TESTBED_PIXELS, sizeof(double));
    if (!demo->times || !demo->profile_samples || !demo->eval_samples ||
        !demo->reference) {
        fprintf(stderr, "lemica-demo: out of memory\n");
        return -1;
    }
    for (int m = 0; m < NUM_METHODS; m++)
        if (!demo->image_outputs[m]) {
            fprintf(stderr, "lemica-demo: out of memory\n");
            return -1;
        }
    testbed_time_grid(options->num_steps, options->shift, demo->times);
    demo->run.model = demo->model;
    demo->run.num_steps = options->num_steps;
    demo->run.times = demo->times;
    /* Class-major order keeps every class in the first rows of the sheet. */
    for (int seed = 0; seed < options->profile_seeds; seed++)
        for (int c = 0; c < TESTBED_NUM_CLASSES; c++) {
            demo->profile_samples[index].class_id = c;
            demo->profile_samples[index].seed = (uint64_t)seed;
            index++;
        }
    index = 0;
    for (int seed = 0; seed < options->eval_seeds; seed++)
        for (int c = 0; c < TESTBED_NUM_CLASSES; c++) {
            demo->eval_samples[index].class_id = c;
            demo->eval_samples[index].seed = EVAL_SEED_BASE + (uint64_t)seed;
            index++;
        }
    return 0;
}

static int
profile_and_solve(struct demo *demo)
{
    const struct options *options = &demo->options;
    lemica_plan *plan = NULL;
    lemica_profiler *profiler = NULL;
    lemica_graph *graph = NULL;
    lemica_solver *solver = NULL;
    lemica_status status;
    double started = now_seconds();
    int result = -1;

    status = lemica_plan_new(options->num_steps, options->max_skip, &plan);
    if (status != LEMICA_OK) {
        fail("lemica_plan_new", status);
        goto out;
    }
    if (!options->quiet)
        fprintf(stderr,
                "profiling: %zu samples x %llu model calls (N = %d, K = %d, "
                "%zu replays each)\n",
                demo->num_profile,
                (unsigned long long)lemica_plan_model_calls(plan),
                options->num_steps, lemica_plan_max_skip(plan),
                lemica_plan_num_replays(plan));
    status = lemica_profiler_new(options->num_steps, options->max_skip,
                                 LEMICA_METRIC_L1, &profiler);
    if (status != LEMICA_OK) {
        fail("lemica_profiler_new", status);
        goto out;
    }
    status = testbed_profile(&demo->run, plan, demo->profile_samples,
                             demo->num_profile, profiler,
                             options->quiet ? NULL : stderr);
    if (status != LEMICA_OK) {
        fail("profiling", status);
        goto out;
    }
    status = lemica_profiler_to_graph(profiler, LEMICA_AGGREGATE_MEAN, 0.0, 1,
                                      &graph);
    if (status != LEMICA_OK) {
        fail("lemica_profiler_to_graph", status);
        goto out;
    }
    status = lemica_solver_new(&solver);
    for (int c = 0; c < 2 && status == LEMICA_OK; c++) {
        status = lemica_solver_set_comparator(
            solver, c == 0 ? LEMICA_COMPARATOR_LEXMAX : LEMICA_COMPARATOR_SUM);
        if (status == LEMICA_OK)
            status = lemica_solver_solve_frontier(solver, graph,
                                                  &demo->frontiers[c]);
    }
    if (status != LEMICA_OK) {
        fail("solving the frontier", status);
        goto out;
    }
    if (!options->quiet)
        fprintf(stderr, "profiling and solving: %.1f s\n",
                now_seconds() - started);
    result = 0;

out:
    lemica_solver_free(solver);
    lemica_graph_free(graph);
    lemica_profiler_free(profiler);
    lemica_plan_free(plan);
    return result;
}

static int
evaluate_all(struct demo *demo)
{
    const struct options *options = &demo->options;
    double *outputs = malloc(demo->num_eval * TESTBED_PIXELS * sizeof(double));
    int result = -1;

    if (!outputs)
        goto out;
    /* The uncached reference, timed the same way as the methods. */
    {
        double calls;

        if (timed_passes(demo, -1, NULL, 0.0, demo->reference, &calls,
                         &demo->reference_seconds) != 0)
            goto out;
    }
    for (int b = 0; b < options->num_budgets; b++) {
        int budget = options->budgets[b];

        if (!options->quiet)
            fprintf(stderr, "\revaluating: budget %d (%d/%d)   ", budget, b + 1,
                    options->num_budgets);
        for (int m = 0; m < NUM_METHODS; m++) {
            struct result *res = &demo->results[b][m];
            const lemica_schedule *found = NULL;
            lemica_schedule *uniform = NULL;
            double threshold = 0.0;
            int rc;

            if (m == METHOD_LEMICA || m == METHOD_SUM) {
                /* A budget below what K allows has no schedule. */
                if (lemica_frontier_find(demo->frontiers[m], budget, &found) !=
                    LEMICA_OK)
                    continue;
            } else if (m == METHOD_UNIFORM) {
                lemica_status status = testbed_uniform_schedule(
                    options->num_steps, budget, &uniform);

                if (status != LEMICA_OK) {
                    fail("uniform schedule", status);
                    goto out;
                }
                found = uniform;
            } else {
                double calls;

                /* Bisected on the evaluation samples themselves: this
                 * matches TeaCache's mean calls to the budget on the very
                 * data scored; it sees no errors, only call counts. */
                threshold = testbed_teacache_calibrate(&demo->run, budget,
                                                       demo->eval_samples,
                                                       demo->num_eval, &calls);
                if (threshold < 0.0)
                    continue;
                demo->teacache_thresholds[b] = threshold;
            }
            rc = evaluate(demo, m, found, threshold, outputs, res);
            lemica_schedule_free(uniform);
            if (rc != 0)
                goto out;
            if (budget == options->image_budget)
                memcpy(demo->image_outputs[m], outputs,
                       demo->num_eval * TESTBED_PIXELS * sizeof(double));
        }
    }
    if (!options->quiet)
        fprintf(stderr, "\n");
    result = 0;

out:
    free(outputs);
    return result;
}

static void
print_table(const struct demo *demo)
{
    const struct options *options = &demo->options;
    double reference_ms =
        1e3 * demo->reference_seconds / (double)demo->num_eval;

    printf("## LeMiCa test bed: %d-step flow matching, %d classes x %d "
           "prototypes, sigma_data %g, shift %g, guidance %g\n\n",
           options->num_steps, TESTBED_NUM_CLASSES, options->prototypes,
           options->sigma_data, options->shift, options->guidance);
    printf("Profiled on %zu samples (seeds 0..%d), max skip %d; evaluated on "
           "%zu unseen samples (seeds %u..%u).\n",
           demo->num_profile, options->profile_seeds - 1, options->max_skip,
           demo->num_eval, EVAL_SEED_BASE,
           EVAL_SEED_BASE + (unsigned)options->eval_seeds - 1);
    printf("Errors are against the uncached sample of the same seed; "
           "pixels span [-1, 1].\n\n");
    printf("| %-5s | %-20s | %11s | %13s | %13s | %11s | %11s | %9s |\n", "B",
           "Method", "Model calls", "Speedup calls", "Speedup time", "Mean L1",
           "Worst L1", "PSNR (dB)");
    printf("|-------|----------------------|-------------|---------------|"
           "---------------|-------------|-------------|-----------|\n");
    printf("| %-5s | %-20s | %11.2f | %12.2fx | %12.2fx | %11s | %11s | "
           "%9s |\n",
           "-", "Original (uncached)", (double)options->num_steps, 1.0, 1.0,
           "-", "-", "-");
    for (int b = 0; b < options->num_budgets; b++)
        for (int m = 0; m < NUM_METHODS; m++) {
            const struct result *res = &demo->results[b][m];

            if (!res->ok) {
                printf("| %-5d | %-20s | %11s | %13s | %13s | %11s | %11s | "
                       "%9s |\n",
                       options->budgets[b], method_names[m], "infeasible", "-",
                       "-", "-", "-", "-");
                continue;
            }
            printf("| %-5d | %-20s | %11.2f | %12.2fx | %12.2fx | %11.3e | "
                   "%11.3e | %9.2f |\n",
                   options->budgets[b], method_names[m], res->calls,
                   (double)options->num_steps / res->calls,
                   demo->reference_seconds / res->seconds, res->mean_l1,
                   res->worst_l1, res->psnr);
        }
    printf("\nUncached sampling: %.3f ms per sample. Times are per sample, "
           "the best of %d runs each.\n",
           reference_ms, options->repeats);
    printf("\nPlanned schedules (computed steps):\n");
    for (int b = 0; b < options->num_budgets; b++)
        for (int c = 0; c < 2; c++) {
            const lemica_schedule *schedule;
            char text[8192];

            if (lemica_frontier_find(demo->frontiers[c], options->budgets[b],
                                     &schedule) != LEMICA_OK ||
                lemica_schedule_format_steps(schedule, text, sizeof(text),
                                             NULL) != LEMICA_OK)
                continue;
            printf("  B=%-3d %-6s %s\n", options->budgets[b],
                   c == 0 ? "LEXMAX" : "SUM", text);
        }
    for (int b = 0; b < options->num_budgets; b++)
        if (demo->results[b][METHOD_TEACACHE].ok)
            printf("  B=%-3d TeaCache threshold %.5g\n", options->budgets[b],
                   demo->teacache_thresholds[b]);
}

static int
write_plot(const struct demo *demo, const char *path)
{
    const struct options *options = &demo->options;
    double x[NUM_METHODS][MAX_BUDGETS];
    double mean[NUM_METHODS][MAX_BUDGETS], worst[NUM_METHODS][MAX_BUDGETS];
    double psnr[NUM_METHODS][MAX_BUDGETS];
    struct testbed_series series[3][NUM_METHODS];
    struct testbed_panel panels[3];
    char title[160];

    for (int m = 0; m < NUM_METHODS; m++) {
        size_t count = 0;

        for (int b = 0; b < options->num_budgets; b++) {
            const struct result *res = &demo->results[b][m];

            if (!res->ok)
                continue;
            x[m][count] = res->calls;
            mean[m][count] = res->mean_l1;
            worst[m][count] = res->worst_l1;
            psnr[m][count] = res->psnr;
            count++;
        }
        for (int p = 0; p < 3; p++) {
            series[p][m].name = method_names[m];
            series[p][m].color = method_colors[m];
            series[p][m].dashed = m == METHOD_UNIFORM || m == METHOD_TEACACHE;
            series[p][m].count = count;
            series[p][m].x = x[m];
            series[p][m].y = p == 0 ? mean[m] : p == 1 ? worst[m] : psnr[m];
        }
    }
    panels[0] = (struct testbed_panel){"Mean L1 (lower is better)",
                                       "mean |x0 - x0_uncached|", 1, series[0],
                                       NUM_METHODS};
    panels[1] = (struct testbed_panel){"Worst sample L1 (lower is better)",
                                       "max over samples of L1", 1, series[1],
                                       NUM_METHODS};
    panels[2] = (struct testbed_panel){"PSNR (higher is better)", "PSNR (dB)",
                                       0, series[2], NUM_METHODS};
    snprintf(title, sizeof(title),
             "Cache schedules on the test bed: error vs model calls "
             "(N = %d, %zu unseen samples)",
             options->num_steps, demo->num_eval);
    return testbed_svg_write(path, title, "model calls per sample", panels, 3);
}

/* The first rows of evaluation samples at the image budget, uncached and
 * by every method, with their error maps. */
static int
write_sheet(const struct demo *demo, const char *path)
{
    static const char *const labels[NUM_METHODS] = {
        "LEMICA",
        "SUM",
        "UNIFORM",
        "TEACACHE",
    };
    struct testbed_sheet_column columns[NUM_METHODS];
    char title[64];

    for (int m = 0; m < NUM_METHODS; m++) {
        unsigned color = 0;

        sscanf(method_colors[m] + 1, "%x", &color);
        columns[m].label = labels[m];
        columns[m].color = color;
        columns[m].images = demo->image_outputs[m];
    }
    snprintf(title, sizeof(title), "B=%d OF %d CALLS",
             demo->options.image_budget, demo->options.num_steps);
    return testbed_sheet_write(path, title, demo->reference, columns,
                               NUM_METHODS,
                               demo->num_eval < 8 ? demo->num_eval : 8);
}

int
main(int argc, char **argv)
{
    struct demo demo;
    char path[4096];
    double started = now_seconds();
    int status = EXIT_FAILURE;

    memset(&demo, 0, sizeof(demo));
    if (parse_options(argc, argv, &demo.options) != 0)
        return 2;
    if (setup(&demo) != 0 || profile_and_solve(&demo) != 0 ||
        evaluate_all(&demo) != 0)
        goto out;
    print_table(&demo);
    if (mkdir(demo.options.out_dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "lemica-demo: cannot create %s: %s\n",
                demo.options.out_dir, strerror(errno));
        goto out;
    }
    snprintf(path, sizeof(path), "%s/demo.svg", demo.options.out_dir);
    if (write_plot(&demo, path) != 0) {
        fprintf(stderr, "lemica-demo: cannot write %s\n", path);
        goto out;
    }
    printf("\nWrote %s (error vs model calls)\n", path);
    snprintf(path, sizeof(path), "%s/samples.png", demo.options.out_dir);
    if (write_sheet(&demo, path) != 0) {
        fprintf(stderr, "lemica-demo: cannot write %s: %s\n", path,
                strerror(errno));
        goto out;
    }
    printf("Wrote %s (columns: uncached, then LeMiCa, SUM, uniform, TeaCache "
           "at B=%d; then their |error| x4 in red)\n",
           path, demo.options.image_budget);
    if (!demo.options.quiet)
        fprintf(stderr, "total: %.1f s\n", now_seconds() - started);
    status = EXIT_SUCCESS;

out:
    for (int c = 0; c < 2; c++)
        lemica_frontier_free(demo.frontiers[c]);
    for (int m = 0; m < NUM_METHODS; m++)
        free(demo.image_outputs[m]);
    free(demo.reference);
    free(demo.eval_samples);
    free(demo.profile_samples);
    free(demo.times);
    testbed_model_free(demo.model);
    return status;
}
