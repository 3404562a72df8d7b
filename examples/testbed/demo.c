/* SPDX-License-Identifier: MIT */
/* lemica-demo: the whole method on a trained network in under a minute.
 * Profile a small class-conditional DiT (or, with --model gmm, the
 * closed-form Gaussian mixture) through the profiling plan and the
 * profiler-accumulator, solve the frontier, then compare on samples the
 * profile never saw, at equal model calls: LeMiCa (LEXMAX), the shortest
 * path (SUM), uniform spacing, TeaCache and MagCache. Both ways of
 * reusing are profiled and timed: the guided velocity (output reuse) and
 * the block stack's residual (residual reuse). Only the public API of the
 * library is used: the calls an engine makes. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <lemica/lemica.h>

#include "gmm-model.h"
#include "magcache.h"
#include "metrics.h"
#include "net.h"
#include "profile.h"
#include "sample-sheet.h"
#include "sampler.h"
#include "svg-plot.h"
#include "teacache.h"

#ifndef TESTBED_DATA_DIR
#define TESTBED_DATA_DIR "examples/testbed"
#endif

#define MAX_BUDGETS 32
#define NUM_MODES 2
/* Evaluation seeds start here so that they never meet profiling seeds. */
#define EVAL_SEED_BASE 1000000u
/* Fresh verification seeds start here: never profiling or held-out. */
#define VERIFY_SEED_BASE 2000000u
/* Replays per network call while profiling. */
#define PROFILE_BATCH 1024

enum method {
    METHOD_LEMICA,
    METHOD_SUM,
    METHOD_VERIFIED,
    METHOD_UNIFORM,
    METHOD_TEACACHE,
    METHOD_MAGCACHE,
    NUM_METHODS
};

static const char *const method_names[NUM_METHODS] = {
    "LeMiCa (LEXMAX)",  "Shortest path (SUM)",
    "LeMiCa, verified", "Uniform",
    "TeaCache",         "MagCache",
};
static const char *const method_labels[NUM_METHODS] = {
    "LEMICA", "SUM", "VERIFIED", "UNIFORM", "TEACACHE", "MAGCACHE",
};
static const char *const method_colors[NUM_METHODS] = {
    "#d62728", "#1f77b4", "#ff7f0e", "#7f7f7f", "#2ca02c", "#9467bd",
};
static const char *const mode_names[NUM_MODES] = {"output reuse",
                                                  "residual reuse"};

struct options {
    int use_gmm;
    const char *weights;
    const char *classifier;
    int num_steps;
    int budgets[MAX_BUDGETS];
    int num_budgets;
    int profile_samples;
    int eval_samples;
    int max_skip;
    int prototypes;
    int repeats;
    int threads;
    int image_budget;
    int modes; /* bit 0: output reuse, bit 1: residual reuse */
    double shift;
    double guidance;
    double sigma_data;
    const char *out_dir;
    int quiet;
    int full;
    int adaptive;
    int compare;
    int verify_k;         /* candidates per comparator; 0: no verification */
    double verify_z;      /* significance of lemica_verifier; 0: off */
    int verify_aggregate; /* a lemica_aggregate */
    int verify_samples;   /* fresh verification samples; -1: auto */
    double verify_share;  /* auto: verification within this % of profiling */
    int verify_profiling; /* verify on the profiling samples too */
    int verify_check;     /* check the trie runs against whole runs */
};

struct result {
    int ok;
    double calls;
    double mean_l1, worst_l1, psnr, ssim, agreement;
    double seconds, cpu_seconds; /* best wall and process CPU time */
    double *l1;                  /* per evaluation sample */
};

struct mode_state {
    enum testbed_reuse reuse;
    int enabled;
    lemica_frontier *frontiers[2]; /* LEXMAX, SUM */
    double profile_seconds;
    /* --adaptive: the schedules of every budget by comparator, what the
     * loops cost and whether they match the full profile's. */
    lemica_schedule *adaptive_schedules[2][MAX_BUDGETS];
    uint64_t adaptive_calls[2], full_calls;
    /* The graph the plans came from (the measured segments only with
     * adaptive profiling), for the k best schedules. */
    lemica_graph *graph;
    /* The verified plans: the chosen candidate of every budget, what the
     * runs on the profiling samples cost, and how the choice came out. */
    lemica_schedule *verified[MAX_BUDGETS];
    size_t verified_candidates[MAX_BUDGETS];
    /* Model calls: the fresh samples' references, the trie runs as the
     * sampler counted them and as lemica_verifier_prefix_model_calls()
     * planned them, and what the runs would cost whole. */
    size_t verify_reference_calls, verify_run_calls, verify_planned_calls;
    size_t verify_unshared_calls, verify_unshared_per_sample;
    size_t verify_fresh, verify_num_samples, verify_num_candidates;
    size_t verify_checked;
    double verify_check_error;
    char verified_origin[MAX_BUDGETS][32];
    double verified_score[MAX_BUDGETS], verified_lexmax_score[MAX_BUDGETS];
    double verify_seconds;
    size_t adaptive_rounds[2], adaptive_violations[2];
    double adaptive_seconds;
    double mag_ratios[LEMICA_MAX_STEPS];
    double teacache_thresholds[MAX_BUDGETS];
    double teacache_calibration_calls[MAX_BUDGETS];
    double magcache_thresholds[MAX_BUDGETS];
    int magcache_max_skip[MAX_BUDGETS];
    struct result results[MAX_BUDGETS][NUM_METHODS];
    double *image_outputs[NUM_METHODS];
};

struct demo {
    struct options options;
    testbed_model *gmm;
    struct testbed_net *net;
    double *times;
    struct testbed_sample_id *profile_samples;
    size_t num_profile;
    int *eval_classes;
    uint64_t *eval_seeds;
    size_t num_eval;
    size_t pixels;
    struct testbed_reference profile_reference;
    double teacache_coefficients[TESTBED_TEACACHE_DEGREE + 1];
    double *reference;      /* uncached evaluation outputs */
    int *reference_classes; /* what the classifier sees in them */
    double reference_seconds, reference_cpu_seconds;
    double reference_class_accuracy; /* vs the requested class */
    struct mode_state modes[NUM_MODES];
};

static void
usage(FILE *out)
{
    fprintf(
        out,
        "Usage: lemica-demo [options]\n"
        "Profile a trained diffusion transformer with libLeMiCa, plan cache\n"
        "schedules and compare them with baselines on unseen samples.\n"
        "\n"
        "  --model dit|gmm     the network: the trained DiT (default) or the\n"
        "                      closed-form Gaussian mixture\n"
        "  --weights FILE      DiT weights (default: the committed file)\n"
        "  --classifier FILE   digit classifier (default: the committed one)\n"
        "  --steps N           sampling steps (default 50)\n"
        "  --budgets B,B,...   model-call budgets (default 10,14,17,20,25)\n"
        "  --profile-samples P profiling samples (default 4; gmm 32)\n"
        "  --eval-samples E    held-out samples (default 64; gmm 128)\n"
        "  --full              the larger protocol: 20 profiling and 200\n"
        "                      held-out samples\n"
        "  --adaptive          plan from adaptive profiling (lemica_adaptive,\n"
        "                      nested assumption; the default)\n"
        "  --full-profiling    plan from full profiling (every segment)\n"
        "  --compare           with adaptive profiling: run full profiling\n"
        "                      too and say whether every plan is the same\n"
        "  --verify-k K        the verified row's candidates: the K best by\n"
        "                      LEXMAX and by SUM, run on fresh samples\n"
        "                      (default 3; 0: none, row n/a)\n"
        "  --verify-samples V  fresh verification samples (seeds from\n"
        "                      2000000; default: as many as --verify-share\n"
        "                      pays for, references and runs together)\n"
        "  --verify-share PCT  default V: verification within PCT%% of full\n"
        "                      profiling's model calls (default 2)\n"
        "  --verify-profiling  verify on the profiling samples too, before\n"
        "                      the fresh ones (their references are paid\n"
        "                      for; if they alone cost more than the share,\n"
        "                      as many of them as it pays for, at least 2)\n"
        "  --verify-check      rerun every candidate whole and check that\n"
        "                      the trie runs gave the same bits\n"
        "  --verify-z Z        keep the LEXMAX plan unless a candidate is\n"
        "                      better by Z standard errors (paired test;\n"
        "                      default 2; 0: the smallest score wins)\n"
        "  --verify-aggregate A mean (default), max or z1 (mean + std) of\n"
        "                      a candidate's errors on the profiling samples\n"
        "  --reuse MODE        output, residual or both (default both; gmm\n"
        "                      output)\n"
        "  --max-skip K        longest cache segment profiled; 0 = N - 1,\n"
        "                      every segment (default 0)\n"
        "  --guidance W        classifier-free guidance scale; 1 = off\n"
        "                      (default 3; gmm 1)\n"
        "  --shift S           time-grid shift (default 3)\n"
        "  --prototypes M      gmm: prototype images per class (default 64)\n"
        "  --sigma-data S      gmm: std of each component (default 0.1)\n"
        "  --repeats R         timing repetitions, best kept (default 1)\n"
        "  --threads T         DiT: threads a batch is split over (default 2)\n"
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
        "--model",          "--weights",
        "--classifier",     "--steps",
        "--budgets",        "--profile-samples",
        "--eval-samples",   "--reuse",
        "--max-skip",       "--prototypes",
        "--repeats",        "--image-budget",
        "--shift",          "--guidance",
        "--sigma-data",     "--out",
        "--threads",        "--verify-k",
        "--verify-z",       "--verify-aggregate",
        "--verify-samples", "--verify-share",
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
    int profile = 0, eval = 0, modes = 0;
    double guidance = -1.0;

    memset(options, 0, sizeof(*options));
    options->weights = TESTBED_DATA_DIR "/dit-digits.bin";
    options->classifier = TESTBED_DATA_DIR "/digits-classifier.bin";
    options->num_steps = 50;
    /* Adaptive profiling is what the library recommends, so the demo shows
     * it; --full-profiling plans from every segment instead. */
    options->adaptive = 1;
    options->num_budgets = 5;
    memcpy(options->budgets, default_budgets, sizeof(default_budgets));
    options->prototypes = 64;
    options->repeats = 1;
    options->threads = 2;
    options->shift = 3.0;
    options->sigma_data = 0.1;
    options->out_dir = "lemica-demo-out";
    options->verify_k = 3;
    /* A handful of profiling samples measures small differences with
     * noise: keep the LEXMAX plan unless a candidate is clearly better. */
    options->verify_z = 2.0;
    /* Fresh samples (not the ones the graph was measured on), as many as
     * 2% of full profiling pays for. */
    options->verify_samples = -1;
    options->verify_share = 2.0;

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
        } else if (strcmp(arg, "--full") == 0) {
            options->full = 1;
            continue;
        } else if (strcmp(arg, "--adaptive") == 0) {
            options->adaptive = 1;
            continue;
        } else if (strcmp(arg, "--full-profiling") == 0) {
            options->adaptive = 0;
            continue;
        } else if (strcmp(arg, "--compare") == 0) {
            options->compare = 1;
            continue;
        } else if (strcmp(arg, "--verify-profiling") == 0) {
            options->verify_profiling = 1;
            continue;
        } else if (strcmp(arg, "--verify-check") == 0) {
            options->verify_check = 1;
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
        if (strcmp(arg, "--model") == 0) {
            bad = strcmp(value, "dit") != 0 && strcmp(value, "gmm") != 0;
            options->use_gmm = strcmp(value, "gmm") == 0;
        } else if (strcmp(arg, "--weights") == 0) {
            options->weights = value;
        } else if (strcmp(arg, "--classifier") == 0) {
            options->classifier = value;
        } else if (strcmp(arg, "--reuse") == 0) {
            modes = strcmp(value, "output") == 0     ? 1
                    : strcmp(value, "residual") == 0 ? 2
                    : strcmp(value, "both") == 0     ? 3
                                                     : 0;
            bad = modes == 0;
        } else if (strcmp(arg, "--steps") == 0) {
            bad = parse_int(value, 3, 1000, &options->num_steps);
        } else if (strcmp(arg, "--budgets") == 0) {
            bad = parse_budgets(value, options);
        } else if (strcmp(arg, "--profile-samples") == 0) {
            bad = parse_int(value, 1, 100000, &profile);
        } else if (strcmp(arg, "--eval-samples") == 0) {
            bad = parse_int(value, 1, 100000, &eval);
        } else if (strcmp(arg, "--max-skip") == 0) {
            bad = parse_int(value, 0, 1000, &options->max_skip);
        } else if (strcmp(arg, "--prototypes") == 0) {
            bad = parse_int(value, 1, 1024, &options->prototypes);
        } else if (strcmp(arg, "--threads") == 0) {
            bad =
                parse_int(value, 1, TESTBED_DIT_MAX_THREADS, &options->threads);
        } else if (strcmp(arg, "--repeats") == 0) {
            bad = parse_int(value, 1, 1000, &options->repeats);
        } else if (strcmp(arg, "--image-budget") == 0) {
            bad = parse_int(value, 2, LEMICA_MAX_STEPS, &options->image_budget);
        } else if (strcmp(arg, "--shift") == 0) {
            bad = parse_double(value, 0.05, 100.0, &options->shift);
        } else if (strcmp(arg, "--guidance") == 0) {
            bad = parse_double(value, 0.0, 20.0, &guidance);
        } else if (strcmp(arg, "--verify-k") == 0) {
            bad = parse_int(value, 0, 100, &options->verify_k);
        } else if (strcmp(arg, "--verify-aggregate") == 0) {
            options->verify_aggregate =
                strcmp(value, "mean") == 0  ? LEMICA_AGGREGATE_MEAN
                : strcmp(value, "max") == 0 ? LEMICA_AGGREGATE_MAX
                : strcmp(value, "z1") == 0  ? LEMICA_AGGREGATE_MEAN_PLUS_Z_STD
                                            : -1;
            bad = options->verify_aggregate < 0;
        } else if (strcmp(arg, "--verify-samples") == 0) {
            bad = parse_int(value, 0, 100000, &options->verify_samples);
        } else if (strcmp(arg, "--verify-share") == 0) {
            bad = parse_double(value, 0.0, 100.0, &options->verify_share);
        } else if (strcmp(arg, "--verify-z") == 0) {
            bad = parse_double(value, 0.0, 100.0, &options->verify_z);
        } else if (strcmp(arg, "--sigma-data") == 0) {
            bad = parse_double(value, 1e-3, 10.0, &options->sigma_data);
        } else {
            options->out_dir = value;
        }
        if (bad) {
            fprintf(stderr, "lemica-demo: bad value for %s: %s\n", arg, value);
            return -1;
        }
        i++;
    }
    options->guidance = guidance >= 0.0    ? guidance
                        : options->use_gmm ? 1.0
                                           : 3.0;
    options->profile_samples = profile            ? profile
                               : options->full    ? 20
                               : options->use_gmm ? 32
                                                  : 4;
    options->eval_samples = eval               ? eval
                            : options->full    ? 200
                            : options->use_gmm ? 128
                                               : 64;
    options->modes = modes ? modes : options->use_gmm ? 1 : 3;
    if (options->use_gmm && (options->modes & 2)) {
        fprintf(stderr, "lemica-demo: the Gaussian mixture has no residual "
                        "to reuse; use --reuse output\n");
        return -1;
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

/* Process CPU time, summed over the network's threads: the work done,
 * which the other processes of a shared machine do not inflate as they do
 * wall time. */
static double
cpu_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int
fail(const char *what, lemica_status status)
{
    fprintf(stderr, "lemica-demo: %s: %s (%s)\n", what,
            lemica_status_name(status), lemica_last_error_message());
    return -1;
}

/* "what: 1.2 s" on stderr unless quiet. */
static void
progress(const struct demo *demo, const char *what, double seconds)
{
    if (!demo->options.quiet)
        fprintf(stderr, "%s: %.1f s\n", what, seconds);
}

/* The settings every batch of a mode shares. */
static struct testbed_batch
mode_settings(const struct demo *demo, enum testbed_reuse reuse)
{
    struct testbed_batch batch;

    memset(&batch, 0, sizeof(batch));
    batch.net = demo->net;
    batch.reuse = reuse;
    batch.num_steps = demo->options.num_steps;
    batch.times = demo->times;
    return batch;
}

static int
setup(struct demo *demo)
{
    const struct options *options = &demo->options;
    char error[256];
    int num_classes;

    if (options->use_gmm) {
        if (testbed_model_new(options->prototypes, options->sigma_data,
                              &demo->gmm) != 0 ||
            testbed_net_new_gmm(demo->gmm, &demo->net) != 0) {
            fprintf(stderr, "lemica-demo: cannot build the model\n");
            return -1;
        }
        testbed_model_set_guidance(demo->gmm, options->guidance);
    } else if (testbed_net_new_dit(options->weights, options->classifier,
                                   options->guidance, options->threads,
                                   &demo->net, error, sizeof(error)) != 0) {
        fprintf(stderr, "lemica-demo: cannot load the DiT: %s\n", error);
        return -1;
    }
    num_classes = demo->net->num_classes;
    demo->pixels = (size_t)demo->net->pixels;
    demo->times = malloc((size_t)(options->num_steps + 1) * sizeof(double));
    demo->num_profile = (size_t)options->profile_samples;
    demo->num_eval = (size_t)options->eval_samples;
    demo->profile_samples =
        malloc(demo->num_profile * sizeof(*demo->profile_samples));
    demo->eval_classes = malloc(demo->num_eval * sizeof(int));
    demo->eval_seeds = malloc(demo->num_eval * sizeof(uint64_t));
    demo->reference = malloc(demo->num_eval * demo->pixels * sizeof(double));
    demo->reference_classes = malloc(demo->num_eval * sizeof(int));
    if (!demo->times || !demo->profile_samples || !demo->eval_classes ||
        !demo->eval_seeds || !demo->reference || !demo->reference_classes) {
        fprintf(stderr, "lemica-demo: out of memory\n");
        return -1;
    }
    for (int m = 0; m < NUM_MODES; m++) {
        struct mode_state *mode = &demo->modes[m];

        mode->reuse = m == 0 ? TESTBED_REUSE_OUTPUT : TESTBED_REUSE_RESIDUAL;
        mode->enabled = (options->modes >> m) & 1;
        if (!mode->enabled)
            continue;
        for (int k = 0; k < NUM_METHODS; k++) {
            mode->image_outputs[k] =
                calloc(demo->num_eval * demo->pixels, sizeof(double));
            if (!mode->image_outputs[k])
                return -1;
            for (int b = 0; b < options->num_budgets; b++) {
                mode->results[b][k].l1 = calloc(demo->num_eval, sizeof(double));
                if (!mode->results[b][k].l1)
                    return -1;
            }
        }
    }
    testbed_time_grid(options->num_steps, options->shift, demo->times);
    /* Fewer profiling samples than classes: spread them over the classes.
     * Evaluation cycles through every class. */
    for (size_t i = 0; i < demo->num_profile; i++) {
        demo->profile_samples[i].class_id =
            demo->num_profile < (size_t)num_classes
                ? (int)(i * (size_t)num_classes / demo->num_profile)
                : (int)(i % (size_t)num_classes);
        demo->profile_samples[i].seed = (uint64_t)i;
    }
    for (size_t i = 0; i < demo->num_eval; i++) {
        demo->eval_classes[i] = (int)(i % (size_t)num_classes);
        demo->eval_seeds[i] = EVAL_SEED_BASE + (uint64_t)i;
    }
    return 0;
}

/* Adaptive profiling: one lemica_adaptive loop per comparator over every
 * budget, the SUM loop reusing what the LEXMAX loop measured (one
 * profiler). Each round's plan is replayed like a full plan. */
static int
profile_adaptive(struct demo *demo, struct mode_state *mode)
{
    const struct options *options = &demo->options;
    struct testbed_batch settings = mode_settings(demo, mode->reuse);
    lemica_profiler *profiler = NULL;
    lemica_adaptive *adaptive = NULL;
    lemica_plan *plan = NULL;
    lemica_status status;
    double started = now_seconds();
    int result = -1;

    status = lemica_profiler_new(options->num_steps, options->max_skip,
                                 LEMICA_METRIC_L1, &profiler);
    for (int c = 0; c < 2 && status == LEMICA_OK; c++) {
        status = lemica_adaptive_new(options->num_steps, options->max_skip,
                                     LEMICA_ASSUMPTION_NESTED, &adaptive);
        for (int b = 0; b < options->num_budgets && status == LEMICA_OK; b++)
            status =
                lemica_adaptive_request_budget(adaptive, options->budgets[b]);
        if (status == LEMICA_OK)
            status = lemica_adaptive_set_comparator(
                adaptive,
                c == 0 ? LEMICA_COMPARATOR_LEXMAX : LEMICA_COMPARATOR_SUM);
        if (status == LEMICA_OK)
            status =
                lemica_adaptive_set_num_samples(adaptive, demo->num_profile);
        /* Rounds of at least 16 segments keep the batches large. */
        if (status == LEMICA_OK)
            status = lemica_adaptive_set_min_batch(adaptive, 16);
        while (status == LEMICA_OK &&
               (status = lemica_adaptive_next(adaptive, profiler, &plan)) ==
                   LEMICA_OK &&
               plan) {
            status = testbed_profile_replays(&settings, plan,
                                             &demo->profile_reference,
                                             PROFILE_BATCH, profiler, NULL);
            lemica_plan_free(plan);
            plan = NULL;
        }
        for (int b = 0; b < options->num_budgets && status == LEMICA_OK; b++)
            status = lemica_adaptive_schedule(adaptive, options->budgets[b],
                                              &mode->adaptive_schedules[c][b]);
        if (status != LEMICA_OK)
            break;
        mode->adaptive_calls[c] = lemica_adaptive_model_calls(adaptive);
        mode->full_calls = lemica_adaptive_full_model_calls(adaptive);
        mode->adaptive_rounds[c] = lemica_adaptive_num_rounds(adaptive);
        mode->adaptive_violations[c] = lemica_adaptive_num_violations(adaptive);
        lemica_adaptive_free(adaptive);
        adaptive = NULL;
    }
    /* The measured segments, for the verified row's k best schedules:
     * every segment of the adaptive plans is among them. */
    if (status == LEMICA_OK)
        status = lemica_profiler_to_graph(profiler, LEMICA_AGGREGATE_MEAN, 0.0,
                                          0, &mode->graph);
    if (status != LEMICA_OK) {
        fail("adaptive profiling", status);
        goto out;
    }
    mode->adaptive_seconds = now_seconds() - started;
    if (!options->quiet)
        fprintf(stderr, "adaptive profiling (%s): %.1f s\n",
                mode_names[mode->reuse], mode->adaptive_seconds);
    result = 0;

out:
    lemica_adaptive_free(adaptive);
    lemica_profiler_free(profiler);
    return result;
}

/* The schedule a method of @mode uses at budget index @b: the adaptive
 * loop's with --adaptive, else the full profile's frontier's. */
static const lemica_schedule *
planned(const struct demo *demo, const struct mode_state *mode, int c, int b)
{
    const lemica_schedule *found = NULL;

    if (demo->options.adaptive)
        return mode->adaptive_schedules[c][b];
    if (lemica_frontier_find(mode->frontiers[c], demo->options.budgets[b],
                             &found) != LEMICA_OK)
        return NULL;
    return found;
}

/* The one place the demo profiles: full profiling through the plan. */
static int
profile_and_solve(struct demo *demo, struct mode_state *mode)
{
    const struct options *options = &demo->options;
    struct testbed_batch settings = mode_settings(demo, mode->reuse);
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
                "profiling (%s): %zu samples x %llu model calls (N = %d, "
                "K = %d, %zu replays each)\n",
                mode_names[mode->reuse], demo->num_profile,
                (unsigned long long)lemica_plan_model_calls(plan),
                options->num_steps, lemica_plan_max_skip(plan),
                lemica_plan_num_replays(plan));
    status = lemica_profiler_new(options->num_steps, options->max_skip,
                                 LEMICA_METRIC_L1, &profiler);
    if (status != LEMICA_OK) {
        fail("lemica_profiler_new", status);
        goto out;
    }
    status = testbed_profile_replays(&settings, plan, &demo->profile_reference,
                                     PROFILE_BATCH, profiler,
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
                                                  &mode->frontiers[c]);
    }
    if (status != LEMICA_OK) {
        fail("solving the frontier", status);
        goto out;
    }
    mode->full_calls =
        lemica_plan_model_calls(plan) * (uint64_t)demo->num_profile;
    if (!options->adaptive) {
        mode->graph = graph;
        graph = NULL;
    }
    mode->profile_seconds = now_seconds() - started;
    if (!options->quiet)
        fprintf(stderr, "profiling and solving (%s): %.1f s\n",
                mode_names[mode->reuse], mode->profile_seconds);
    result = 0;

out:
    lemica_solver_free(solver);
    lemica_graph_free(graph);
    lemica_profiler_free(profiler);
    lemica_plan_free(plan);
    return result;
}

/* Add @schedule to @verifier; a new candidate is labelled @comparator and
 * its rank (1 = the best). */
static lemica_status
add_candidate(lemica_verifier *verifier, const lemica_schedule *schedule,
              const char *comparator, size_t rank, char (*labels)[32])
{
    size_t before = lemica_verifier_num_candidates(verifier), index;
    lemica_status status =
        lemica_verifier_add_candidate(verifier, schedule, &index);

    if (status == LEMICA_OK && index == before)
        snprintf(labels[index], sizeof(labels[0]), "%s #%zu", comparator, rank);
    return status;
}

/* Add every budget's candidates to @verifier: the planned LEXMAX schedule
 * first (the one the paired test keeps), then the k best by LEXMAX and by
 * SUM (the planned SUM one among them). @labels holds a label per
 * candidate, @first the index of every budget's LEXMAX plan (or -1). */
static lemica_status
add_all_candidates(const struct demo *demo, const struct mode_state *mode,
                   lemica_solver *solver, lemica_verifier *verifier,
                   char (*labels)[32], long *first)
{
    const struct options *options = &demo->options;
    lemica_schedule_list *list = NULL;
    lemica_status status = LEMICA_OK;

    for (int b = 0; b < options->num_budgets && status == LEMICA_OK; b++) {
        size_t index;

        first[b] = -1;
        /* A budget below what K allows has no schedule to verify. */
        if (!planned(demo, mode, 0, b))
            continue;
        for (int c = 0; c < 2 && status == LEMICA_OK; c++) {
            const char *name = c == 0 ? "LEXMAX" : "SUM";
            const lemica_schedule *plan = planned(demo, mode, c, b);

            if (plan) {
                status = add_candidate(verifier, plan, name, 1, labels);
                if (c == 0 && status == LEMICA_OK)
                    status =
                        lemica_verifier_add_candidate(verifier, plan, &index);
                if (c == 0 && status == LEMICA_OK)
                    first[b] = (long)index;
            }
            if (status == LEMICA_OK)
                status = lemica_solver_set_comparator(
                    solver,
                    c == 0 ? LEMICA_COMPARATOR_LEXMAX : LEMICA_COMPARATOR_SUM);
            if (status == LEMICA_OK)
                status = lemica_solver_solve_k_best(solver, mode->graph,
                                                    options->budgets[b],
                                                    options->verify_k, &list);
            for (size_t i = 0;
                 status == LEMICA_OK && i < lemica_schedule_list_count(list);
                 i++) {
                const lemica_schedule *schedule;

                status = lemica_schedule_list_get(list, i, &schedule);
                if (status == LEMICA_OK)
                    status =
                        add_candidate(verifier, schedule, name, i + 1, labels);
            }
            lemica_schedule_list_free(list);
            list = NULL;
        }
    }
    return status;
}

/* A verifier for @count samples with every budget's candidates of @mode,
 * the paired test and the aggregate of the options; NULL on failure. */
static lemica_status
candidate_verifier(const struct demo *demo, const struct mode_state *mode,
                   lemica_solver *solver, size_t count, char (*labels)[32],
                   long *first, lemica_verifier **out)
{
    const struct options *options = &demo->options;
    lemica_verifier *verifier = NULL;
    lemica_status status = lemica_verifier_new(count, &verifier);

    if (status == LEMICA_OK)
        status = lemica_verifier_set_significance(verifier, options->verify_z);
    if (status == LEMICA_OK)
        status = lemica_verifier_set_aggregate(
            verifier, (lemica_aggregate)options->verify_aggregate, 1.0);
    if (status == LEMICA_OK)
        status =
            add_all_candidates(demo, mode, solver, verifier, labels, first);
    if (status != LEMICA_OK) {
        lemica_verifier_free(verifier);
        verifier = NULL;
    }
    *out = verifier;
    return status;
}

/* The buffers of the trie runs: per sample, the path last run (the state
 * entering every step, the velocity used at it, the residual of every
 * computed step), and the cache handed to a resumed run. */
struct trie_buffers {
    double *x, *states, *velocities, *cached_velocity;
    float *residuals, *cached_residual;
};

static void
trie_buffers_free(struct trie_buffers *t)
{
    free(t->x);
    free(t->states);
    free(t->velocities);
    free(t->cached_velocity);
    free(t->residuals);
    free(t->cached_residual);
}

/* Run the candidate at @position of the prefix order on every sample of
 * @batch from the saved path, as lemica_verifier_prefix_run() says, and
 * leave the final samples in t->x. Returns the model calls the sampler
 * made, or -1. */
static long
run_prefix(struct testbed_batch *batch, const lemica_verifier *verifier,
           size_t position, const uint64_t *seeds, unsigned char *mask,
           struct trie_buffers *t, size_t *candidate)
{
    size_t count = batch->count, pixels = (size_t)batch->net->pixels;
    size_t residual = batch->net->residual_size, calls, n;
    const lemica_schedule *schedule;
    int start, last = 0;
    const double *cached_velocity = NULL;
    const float *cached_residual = NULL;

    if (lemica_verifier_prefix_run(verifier, position, candidate, &start,
                                   &calls) != LEMICA_OK ||
        lemica_verifier_candidate(verifier, *candidate, &schedule) !=
            LEMICA_OK ||
        testbed_schedule_mask(schedule, mask) != 0)
        return -1;
    n = (size_t)batch->num_steps;
    if (start == 0) {
        for (size_t i = 0; i < count; i++)
            testbed_initial_noise(seeds[i], (int)pixels, t->x + i * pixels);
    } else {
        for (int step = 0; step < start; step++)
            if (mask[step])
                last = step;
        for (size_t i = 0; i < count; i++) {
            memcpy(t->x + i * pixels,
                   t->states + (i * n + (size_t)start) * pixels,
                   pixels * sizeof(double));
            if (batch->reuse == TESTBED_REUSE_RESIDUAL)
                memcpy(t->cached_residual + i * residual,
                       t->residuals + (i * n + (size_t)last) * residual,
                       residual * sizeof(float));
            else
                memcpy(t->cached_velocity + i * pixels,
                       t->velocities + (i * n + (size_t)start - 1) * pixels,
                       pixels * sizeof(double));
        }
        /* Computing at @start needs no cache; skipping reuses the last
         * computed step's output (or residual) on the shared prefix. */
        if (!mask[start]) {
            if (batch->reuse == TESTBED_REUSE_RESIDUAL)
                cached_residual = t->cached_residual;
            else
                cached_velocity = t->cached_velocity;
        }
    }
    if (testbed_batch_integrate(batch, start, t->x, cached_velocity,
                                cached_residual) != 0)
        return -1;
    return batch->model_calls;
}

/* The verified plans of @mode. Every budget's candidates go into one
 * lemica_verifier; they run on fresh samples (seeds from
 * VERIFY_SEED_BASE, never profiling or held-out ones; with
 * --verify-profiling on the profiling samples too) as a trie in the
 * verifier's prefix order, each run resumed from the saved path where it
 * leaves the one before, so shared first steps run once. A fresh sample
 * costs its uncached reference pass (N calls) and the trie's calls. The
 * verifier keeps, per budget, the LEXMAX plan unless a candidate beats it
 * by the paired test (--verify-z). */
static int
verify_mode(struct demo *demo, struct mode_state *mode)
{
    const struct options *options = &demo->options;
    struct testbed_batch batch = mode_settings(demo, mode->reuse);
    const size_t pixels = demo->pixels, n = (size_t)options->num_steps;
    const size_t residual = demo->net->residual_size;
    const size_t per_budget = 2 * (size_t)options->verify_k + 2;
    const size_t max_candidates = per_budget * (size_t)options->num_budgets;
    size_t num_profiling = options->verify_profiling ? demo->num_profile : 0;
    size_t fresh, count, num, per_sample;
    char(*labels)[32] = calloc(max_candidates, sizeof(*labels));
    long first[MAX_BUDGETS];
    unsigned char *mask = malloc(n);
    uint64_t *seeds = NULL;
    int *classes = NULL;
    double *fresh_reference = NULL, *whole = NULL;
    struct trie_buffers trie = {0};
    lemica_solver *solver = NULL;
    lemica_verifier *verifier = NULL;
    lemica_status status;
    double started = now_seconds();
    long counted = 0;
    int result = -1;

    if (!labels || !mask) {
        fprintf(stderr, "lemica-demo: out of memory\n");
        goto out;
    }
    status = lemica_solver_new(&solver);
    /* The trie's calls per sample, for the number of fresh samples. */
    if (status == LEMICA_OK)
        status = candidate_verifier(demo, mode, solver, 1, labels, first,
                                    &verifier);
    if (status != LEMICA_OK) {
        fail("verifying candidates", status);
        goto out;
    }
    per_sample = lemica_verifier_prefix_model_calls(verifier);
    mode->verify_unshared_per_sample = lemica_verifier_model_calls(verifier);
    lemica_verifier_free(verifier);
    verifier = NULL;
    if (options->verify_samples >= 0) {
        fresh = (size_t)options->verify_samples;
    } else {
        /* The profiling samples first (their references are paid for),
         * then fresh ones, as many as the share pays for. */
        double allowed =
            options->verify_share / 100.0 * (double)mode->full_calls;
        double left = allowed - (double)(num_profiling * per_sample);

        if (left < 0.0) {
            num_profiling = per_sample ? (size_t)(allowed / (double)per_sample)
                                       : num_profiling;
            left = 0.0;
        }
        fresh = (size_t)(left / (double)(n + per_sample));
        /* The paired test needs two samples at least. */
        if (fresh + num_profiling < 2) {
            size_t more = 2 - fresh - num_profiling;
            size_t room = (options->verify_profiling ? demo->num_profile : 0) -
                          num_profiling;

            num_profiling += more < room ? more : room;
            fresh = num_profiling + fresh < 2 ? 2 - num_profiling : fresh;
        }
    }
    count = num_profiling + fresh;
    if (count == 0) {
        fprintf(stderr, "lemica-demo: no verification sample\n");
        goto out;
    }
    seeds = malloc(count * sizeof(uint64_t));
    classes = malloc(count * sizeof(int));
    fresh_reference = malloc((fresh ? fresh : 1) * pixels * sizeof(double));
    whole = malloc(count * pixels * sizeof(double));
    trie.x = malloc(count * pixels * sizeof(double));
    trie.states = malloc(count * n * pixels * sizeof(double));
    trie.velocities = malloc(count * n * pixels * sizeof(double));
    trie.cached_velocity = malloc(count * pixels * sizeof(double));
    if (residual) {
        trie.residuals = malloc(count * n * residual * sizeof(float));
        trie.cached_residual = malloc(count * residual * sizeof(float));
    }
    if (!seeds || !classes || !fresh_reference || !whole || !trie.x ||
        !trie.states || !trie.velocities || !trie.cached_velocity ||
        (residual && (!trie.residuals || !trie.cached_residual))) {
        fprintf(stderr, "lemica-demo: out of memory\n");
        goto out;
    }
    for (size_t s = 0; s < num_profiling; s++) {
        seeds[s] = demo->profile_samples[s].seed;
        classes[s] = demo->profile_samples[s].class_id;
    }
    for (size_t s = 0; s < fresh; s++) {
        seeds[num_profiling + s] = VERIFY_SEED_BASE + (uint64_t)s;
        classes[num_profiling + s] = (int)(s % (size_t)demo->net->num_classes);
    }
    /* The fresh samples' uncached references: N calls each. */
    mode->verify_reference_calls = 0;
    if (fresh > 0) {
        batch.count = fresh;
        batch.classes = classes + num_profiling;
        if (testbed_batch_sample(&batch, seeds + num_profiling,
                                 fresh_reference) != 0) {
            fprintf(stderr, "lemica-demo: verification references failed\n");
            goto out;
        }
        mode->verify_reference_calls = (size_t)batch.model_calls;
    }
    status = candidate_verifier(demo, mode, solver, count, labels, first,
                                &verifier);
    if (status != LEMICA_OK) {
        fail("verifying candidates", status);
        goto out;
    }
    /* The engine's part: the trie over all samples as one batch. */
    num = lemica_verifier_num_candidates(verifier);
    batch.count = count;
    batch.classes = classes;
    batch.decide = testbed_decide_mask;
    batch.decide_context = mask;
    batch.trace_states = trie.states;
    batch.trace_velocities = trie.velocities;
    batch.trace_residuals =
        mode->reuse == TESTBED_REUSE_RESIDUAL ? trie.residuals : NULL;
    for (size_t p = 0; p < num && status == LEMICA_OK; p++) {
        size_t c;
        long calls = run_prefix(&batch, verifier, p, seeds, mask, &trie, &c);

        if (calls < 0) {
            fprintf(stderr, "lemica-demo: verification sampling failed\n");
            goto out;
        }
        counted += calls;
        for (size_t s = 0; s < count && status == LEMICA_OK; s++)
            status = lemica_verifier_report_buffers(
                verifier, c, s, trie.x + s * pixels,
                s < num_profiling
                    ? demo->profile_reference.final + s * pixels
                    : fresh_reference + (s - num_profiling) * pixels,
                pixels, LEMICA_DTYPE_F64);
    }
    if (status != LEMICA_OK) {
        fail("verifying candidates", status);
        goto out;
    }
    mode->verify_run_calls = (size_t)counted;
    mode->verify_planned_calls = lemica_verifier_prefix_model_calls(verifier);
    mode->verify_unshared_calls = lemica_verifier_model_calls(verifier);
    mode->verify_fresh = fresh;
    mode->verify_num_samples = count;
    mode->verify_num_candidates = num;
    /* --verify-check: every candidate again, whole, bit for bit. */
    if (options->verify_check) {
        batch.trace_states = NULL;
        batch.trace_velocities = NULL;
        batch.trace_residuals = NULL;
        for (size_t c = 0; c < num; c++) {
            const lemica_schedule *schedule;

            if (lemica_verifier_candidate(verifier, c, &schedule) !=
                    LEMICA_OK ||
                testbed_schedule_mask(schedule, mask) != 0 ||
                testbed_batch_sample(&batch, seeds, whole) != 0) {
                fprintf(stderr, "lemica-demo: verification check failed\n");
                goto out;
            }
            for (size_t s = 0; s < count; s++) {
                double error;

                if (lemica_verifier_error(verifier, c, s, &error) !=
                        LEMICA_OK ||
                    lemica_metric_compute(
                        LEMICA_METRIC_L1, whole + s * pixels,
                        s < num_profiling
                            ? demo->profile_reference.final + s * pixels
                            : fresh_reference + (s - num_profiling) * pixels,
                        pixels, LEMICA_DTYPE_F64,
                        &mode->verify_check_error) != LEMICA_OK ||
                    mode->verify_check_error != error) {
                    fprintf(stderr,
                            "lemica-demo: candidate %zu sample %zu: the trie "
                            "run differs from the whole run\n",
                            c, s);
                    goto out;
                }
            }
        }
        mode->verify_checked = num;
    }
    for (int b = 0; b < options->num_budgets; b++) {
        int budget = options->budgets[b];
        size_t chosen, of_budget = 0;
        const lemica_schedule *schedule;

        if (first[b] < 0)
            continue;
        status = lemica_verifier_best_of_budget(verifier, budget, &chosen);
        if (status == LEMICA_OK)
            status = lemica_verifier_score(verifier, chosen,
                                           &mode->verified_score[b]);
        if (status == LEMICA_OK)
            status = lemica_verifier_score(verifier, (size_t)first[b],
                                           &mode->verified_lexmax_score[b]);
        if (status == LEMICA_OK)
            status = lemica_verifier_candidate(verifier, chosen, &schedule);
        if (status == LEMICA_OK)
            status = lemica_schedule_copy(schedule, &mode->verified[b]);
        if (status != LEMICA_OK)
            break;
        if (!options->quiet)
            fprintf(stderr,
                    "verifying (%s): B=%d, mean L1 on the %zu verification "
                    "samples:",
                    mode_names[mode->reuse], budget, count);
        for (size_t c = 0; c < num; c++) {
            double mean = 0.0, error;

            if (lemica_verifier_candidate(verifier, c, &schedule) !=
                    LEMICA_OK ||
                lemica_schedule_budget(schedule) != budget)
                continue;
            of_budget++;
            for (size_t s = 0; s < count; s++)
                if (lemica_verifier_error(verifier, c, s, &error) == LEMICA_OK)
                    mean += error / (double)count;
            if (!options->quiet)
                fprintf(stderr, "%s %s %.4e", of_budget > 1 ? "," : "",
                        labels[c], mean);
        }
        if (!options->quiet)
            fprintf(stderr, "; chose %s\n", labels[chosen]);
        mode->verified_candidates[b] = of_budget;
        memcpy(mode->verified_origin[b], labels[chosen], sizeof(labels[0]));
    }
    if (status != LEMICA_OK) {
        fail("verifying candidates", status);
        goto out;
    }
    mode->verify_seconds = now_seconds() - started;
    if (!options->quiet)
        fprintf(stderr, "verifying candidates (%s): %.1f s\n",
                mode_names[mode->reuse], mode->verify_seconds);
    result = 0;

out:
    lemica_verifier_free(verifier);
    lemica_solver_free(solver);
    trie_buffers_free(&trie);
    free(whole);
    free(fresh_reference);
    free(classes);
    free(seeds);
    free(mask);
    free(labels);
    return result;
}

/* One timed batched run over the evaluation samples, @repeats times; the
 * fastest run counts. TeaCache's state is reset before every run. */
static int
timed_run(struct demo *demo, enum testbed_reuse reuse, int method,
          const unsigned char *mask, double threshold, double *outputs,
          double *calls, double *seconds, double *cpu)
{
    struct testbed_batch batch = mode_settings(demo, reuse);
    struct testbed_teacache cache;

    batch.count = demo->num_eval;
    batch.classes = demo->eval_classes;
    *seconds = *cpu = (double)INFINITY;
    for (int r = 0; r < demo->options.repeats; r++) {
        double started, cpu_started;
        int rc;

        if (method == METHOD_TEACACHE) {
            if (testbed_teacache_init(&cache, demo->teacache_coefficients,
                                      threshold, demo->options.num_steps,
                                      demo->num_eval,
                                      demo->net->signal_size) != 0)
                return -1;
            batch.decide = testbed_teacache_decide;
            batch.decide_context = &cache;
            batch.needs_signal = 1;
        } else if (mask) {
            batch.decide = testbed_decide_mask;
            batch.decide_context = (void *)(uintptr_t)mask;
        }
        started = now_seconds();
        cpu_started = cpu_seconds();
        rc = testbed_batch_sample(&batch, demo->eval_seeds, outputs);
        if (cpu_seconds() - cpu_started < *cpu)
            *cpu = cpu_seconds() - cpu_started;
        if (now_seconds() - started < *seconds)
            *seconds = now_seconds() - started;
        if (method == METHOD_TEACACHE)
            testbed_teacache_release(&cache);
        if (rc != 0)
            return -1;
    }
    *calls = (double)batch.model_calls / (double)demo->num_eval;
    return 0;
}

/* Score @outputs against the uncached samples. */
static int
score(struct demo *demo, const double *outputs, struct result *result)
{
    int *classes = malloc(demo->num_eval * sizeof(int));
    double l1_sum = 0.0, psnr_sum = 0.0, ssim_sum = 0.0;
    size_t agree = 0;

    if (!classes || demo->net->ops->classify(demo->net, demo->num_eval, outputs,
                                             classes) != 0) {
        free(classes);
        return -1;
    }
    result->worst_l1 = 0.0;
    for (size_t s = 0; s < demo->num_eval; s++) {
        const double *a = outputs + s * demo->pixels;
        const double *b = demo->reference + s * demo->pixels;
        double l1 = testbed_mean_l1(a, b, demo->pixels);

        result->l1[s] = l1;
        l1_sum += l1;
        if (l1 > result->worst_l1)
            result->worst_l1 = l1;
        psnr_sum += testbed_psnr(a, b, demo->pixels, TESTBED_DATA_RANGE);
        ssim_sum += testbed_ssim(a, b, demo->net->side, TESTBED_DATA_RANGE);
        agree += classes[s] == demo->reference_classes[s];
    }
    free(classes);
    result->ok = 1;
    result->mean_l1 = l1_sum / (double)demo->num_eval;
    result->psnr = psnr_sum / (double)demo->num_eval;
    result->ssim = ssim_sum / (double)demo->num_eval;
    result->agreement = (double)agree / (double)demo->num_eval;
    return 0;
}

static int
evaluate_reference(struct demo *demo)
{
    double calls;
    size_t correct = 0;

    if (timed_run(demo, TESTBED_REUSE_OUTPUT, -1, NULL, 0.0, demo->reference,
                  &calls, &demo->reference_seconds,
                  &demo->reference_cpu_seconds) != 0 ||
        demo->net->ops->classify(demo->net, demo->num_eval, demo->reference,
                                 demo->reference_classes) != 0)
        return -1;
    for (size_t s = 0; s < demo->num_eval; s++)
        correct += demo->reference_classes[s] == demo->eval_classes[s];
    demo->reference_class_accuracy = (double)correct / (double)demo->num_eval;
    return 0;
}

static int
evaluate_mode(struct demo *demo, struct mode_state *mode)
{
    const struct options *options = &demo->options;
    struct testbed_batch settings = mode_settings(demo, mode->reuse);
    double *outputs = malloc(demo->num_eval * demo->pixels * sizeof(double));
    unsigned char *mask = malloc((size_t)options->num_steps);
    int retained = testbed_magcache_retained(options->num_steps,
                                             TESTBED_MAGCACHE_RETENTION);
    int result = -1;

    if (!outputs || !mask)
        goto out;
    /* MagCache calibrates its ratios on one sample. */
    if (testbed_magcache_ratios(&demo->profile_reference, 0, mode->reuse,
                                demo->net->residual_token_dim,
                                mode->mag_ratios) != 0)
        goto out;
    for (int b = 0; b < options->num_budgets; b++) {
        int budget = options->budgets[b];

        if (!options->quiet)
            fprintf(stderr, "\revaluating (%s): budget %d (%d/%d)   ",
                    mode_names[mode->reuse], budget, b + 1,
                    options->num_budgets);
        for (int m = 0; m < NUM_METHODS; m++) {
            struct result *res = &mode->results[b][m];
            const lemica_schedule *found = NULL;
            lemica_schedule *uniform = NULL;
            const unsigned char *use_mask = mask;
            double threshold = 0.0;
            lemica_status status;

            if (m == METHOD_LEMICA || m == METHOD_SUM) {
                /* A budget below what K allows has no schedule. */
                found = planned(demo, mode, m, b);
                if (!found || testbed_schedule_mask(found, mask) != 0)
                    continue;
            } else if (m == METHOD_VERIFIED) {
                found = mode->verified[b];
                if (!found || testbed_schedule_mask(found, mask) != 0)
                    continue;
            } else if (m == METHOD_UNIFORM) {
                status = testbed_uniform_schedule(options->num_steps, budget,
                                                  &uniform);
                if (status != LEMICA_OK) {
                    fail("uniform schedule", status);
                    goto out;
                }
                testbed_schedule_mask(uniform, mask);
                lemica_schedule_free(uniform);
            } else if (m == METHOD_TEACACHE) {
                /* Calibrated on the profiling samples: TeaCache's
                 * threshold is set offline on a few prompts and then
                 * used on every new one. */
                threshold = testbed_teacache_calibrate(
                    &settings, demo->teacache_coefficients, budget,
                    demo->profile_samples, demo->num_profile,
                    &mode->teacache_calibration_calls[b]);
                if (threshold < 0.0)
                    continue;
                mode->teacache_thresholds[b] = threshold;
                use_mask = NULL;
            } else {
                int max_skip = testbed_magcache_max_skip(
                    options->num_steps, budget, TESTBED_MAGCACHE_RETENTION);

                if (max_skip < 0 ||
                    testbed_magcache_calibrate(
                        mode->mag_ratios, options->num_steps, budget, max_skip,
                        retained, mask, &mode->magcache_thresholds[b]) < 0)
                    continue;
                mode->magcache_max_skip[b] = max_skip;
            }
            if (timed_run(demo, mode->reuse, m, use_mask, threshold, outputs,
                          &res->calls, &res->seconds, &res->cpu_seconds) != 0 ||
                score(demo, outputs, res) != 0) {
                fprintf(stderr, "lemica-demo: sampling failed\n");
                goto out;
            }
            if (budget == options->image_budget)
                memcpy(mode->image_outputs[m], outputs,
                       demo->num_eval * demo->pixels * sizeof(double));
        }
    }
    if (!options->quiet)
        fprintf(stderr, "\n");
    result = 0;

out:
    free(outputs);
    free(mask);
    return result;
}

static void
print_table(const struct demo *demo, const struct mode_state *mode)
{
    const struct options *options = &demo->options;

    printf("\n### %s%s\n\n", mode_names[mode->reuse],
           mode->reuse == TESTBED_REUSE_OUTPUT
               ? ": skipped steps reuse the guided velocity"
               : ": skipped steps reuse the block stack's residual per CFG "
                 "branch and run only the embeddings and the final layer");
    printf("| %-3s | %-19s | %6s | %7s | %7s | %9s | %9s | %6s | %6s | %6s "
           "|\n",
           "B", "Method", "Calls", "CPU", "Wall", "Mean L1", "Worst L1", "PSNR",
           "SSIM", "Class");
    printf("|----:|---------------------|-------:|--------:|--------:|"
           "----------:|----------:|-------:|-------:|-------:|\n");
    for (int b = 0; b < options->num_budgets; b++)
        for (int m = 0; m < NUM_METHODS; m++) {
            const struct result *res = &mode->results[b][m];

            if (!res->ok) {
                printf("| %-3d | %-19s | %6s | %7s | %7s | %9s | %9s | %6s | "
                       "%6s | %6s |\n",
                       options->budgets[b], method_names[m], "n/a", "-", "-",
                       "-", "-", "-", "-", "-");
                continue;
            }
            printf("| %-3d | %-19s | %6.2f | %6.2fx | %6.2fx | %9.3e | %9.3e | "
                   "%6.2f | %6.4f | %5.1f%% |\n",
                   options->budgets[b], method_names[m], res->calls,
                   demo->reference_cpu_seconds / res->cpu_seconds,
                   demo->reference_seconds / res->seconds, res->mean_l1,
                   res->worst_l1, res->psnr, res->ssim, 100.0 * res->agreement);
        }
    printf("\nPaired comparison: held-out samples where LeMiCa's L1 is lower "
           "/ equal / higher than the other method's (of %zu).\n\n",
           demo->num_eval);
    printf("| %-3s |", "B");
    for (int m = 1; m < NUM_METHODS; m++)
        printf(" %-19s |", method_names[m]);
    printf("\n|----:|");
    for (int m = 1; m < NUM_METHODS; m++)
        printf("---------------------|");
    printf("\n");
    for (int b = 0; b < options->num_budgets; b++) {
        const struct result *lemica = &mode->results[b][METHOD_LEMICA];

        printf("| %-3d |", options->budgets[b]);
        for (int m = 1; m < NUM_METHODS; m++) {
            const struct result *other = &mode->results[b][m];
            size_t wins = 0, ties = 0, losses = 0;
            char cell[64];

            if (!lemica->ok || !other->ok) {
                printf(" %-19s |", "-");
                continue;
            }
            for (size_t s = 0; s < demo->num_eval; s++) {
                wins += lemica->l1[s] < other->l1[s];
                ties += lemica->l1[s] == other->l1[s];
                losses += lemica->l1[s] > other->l1[s];
            }
            snprintf(cell, sizeof(cell), "%zu / %zu / %zu", wins, ties, losses);
            printf(" %-19s |", cell);
        }
        printf("\n");
    }
    if (options->adaptive && !options->compare)
        printf("\nPlanned schedules (computed steps, adaptive profiling):\n");
    else
        printf("\nFull profiling and solving took %.1f s. Planned schedules "
               "(computed steps%s):\n",
               mode->profile_seconds,
               options->adaptive ? ", adaptive profiling" : "");
    for (int b = 0; b < options->num_budgets; b++)
        for (int c = 0; c < 2; c++) {
            const lemica_schedule *schedule = planned(demo, mode, c, b);
            char text[8192];

            if (!schedule ||
                lemica_schedule_format_steps(schedule, text, sizeof(text),
                                             NULL) != LEMICA_OK)
                continue;
            printf("  B=%-3d %-6s %s\n", options->budgets[b],
                   c == 0 ? "LEXMAX" : "SUM", text);
        }
    for (int b = 0; b < options->num_budgets; b++) {
        char text[8192];

        if (mode->verified[b] &&
            lemica_schedule_format_steps(mode->verified[b], text, sizeof(text),
                                         NULL) == LEMICA_OK)
            printf("  B=%-3d %-8s %s\n", options->budgets[b], "VERIFIED", text);
    }
    if (options->adaptive) {
        printf(
            "\nAdaptive profiling (nested assumption, all budgets at once) "
            "took %.1f s: the LEXMAX loop asked for %llu model calls in "
            "%zu rounds (%zu violations of the assumption), the SUM loop "
            "for %llu more in %zu rounds (%zu violations); full profiling "
            "costs %llu (the LEXMAX loop spent %.1f%% of it).\n",
            mode->adaptive_seconds, (unsigned long long)mode->adaptive_calls[0],
            mode->adaptive_rounds[0], mode->adaptive_violations[0],
            (unsigned long long)mode->adaptive_calls[1],
            mode->adaptive_rounds[1], mode->adaptive_violations[1],
            (unsigned long long)mode->full_calls,
            100.0 * (double)mode->adaptive_calls[0] / (double)mode->full_calls);
        for (int b = 0; b < options->num_budgets; b++)
            for (int c = 0; c < 2; c++) {
                const lemica_schedule *full = NULL;
                char a[8192], f[8192];
                int same;

                if (!mode->adaptive_schedules[c][b] || !options->compare ||
                    lemica_frontier_find(mode->frontiers[c],
                                         options->budgets[b],
                                         &full) != LEMICA_OK ||
                    lemica_schedule_format_steps(mode->adaptive_schedules[c][b],
                                                 a, sizeof(a),
                                                 NULL) != LEMICA_OK ||
                    lemica_schedule_format_steps(full, f, sizeof(f), NULL) !=
                        LEMICA_OK)
                    continue;
                same = strcmp(a, f) == 0;
                printf("  B=%-3d %-6s adaptive plan %s the full-profile "
                       "plan%s%s\n",
                       options->budgets[b], c == 0 ? "LEXMAX" : "SUM",
                       same ? "equals" : "DIFFERS from", same ? "" : ": ",
                       same ? "" : f);
            }
    }
    for (int b = 0; b < options->num_budgets; b++) {
        if (mode->results[b][METHOD_TEACACHE].ok)
            printf("  B=%-3d TeaCache threshold %.5g (%.2f calls on the "
                   "profiling samples)\n",
                   options->budgets[b], mode->teacache_thresholds[b],
                   mode->teacache_calibration_calls[b]);
        if (mode->results[b][METHOD_MAGCACHE].ok)
            printf("  B=%-3d MagCache threshold %.5g, max skip %d, first %d "
                   "steps computed\n",
                   options->budgets[b], mode->magcache_thresholds[b],
                   mode->magcache_max_skip[b],
                   testbed_magcache_retained(options->num_steps,
                                             TESTBED_MAGCACHE_RETENTION));
    }
    if (options->verify_k > 0) {
        size_t total = mode->verify_reference_calls + mode->verify_run_calls;
        uint64_t planning;

        printf("\nLeMiCa, verified: per budget the planned LEXMAX schedule, "
               "then the %d best by LEXMAX and by SUM (distinct ones), run "
               "whole on %zu verification samples (%zu fresh, seeds %u.., "
               "plus %zu profiling samples); the one with the smallest %s "
               "there is kept",
               options->verify_k, mode->verify_num_samples, mode->verify_fresh,
               VERIFY_SEED_BASE, mode->verify_num_samples - mode->verify_fresh,
               options->verify_aggregate == LEMICA_AGGREGATE_MAX ? "max L1"
               : options->verify_aggregate == LEMICA_AGGREGATE_MEAN_PLUS_Z_STD
                   ? "mean + std of L1"
                   : "mean L1");
        if (options->verify_z > 0.0)
            printf(" if it beats the LEXMAX plan by a paired test (mean "
                   "per-sample difference + %g standard errors below 0)",
                   options->verify_z);
        printf(". Verification took %.1f s.\n", mode->verify_seconds);
        for (int b = 0; b < options->num_budgets; b++)
            if (mode->verified[b])
                printf("  B=%-3d chose %-9s of %zu candidates (score on the "
                       "verification samples %.4e, LEXMAX plan %.4e)\n",
                       options->budgets[b], mode->verified_origin[b],
                       mode->verified_candidates[b], mode->verified_score[b],
                       mode->verified_lexmax_score[b]);
        printf("Candidate runs: %zu candidates on %zu samples as a trie: "
               "%zu model calls counted by the sampler, %zu planned by "
               "lemica_verifier_prefix_model_calls(), %zu if run whole.\n",
               mode->verify_num_candidates, mode->verify_num_samples,
               mode->verify_run_calls, mode->verify_planned_calls,
               mode->verify_unshared_calls);
        if (options->verify_check)
            printf("Checked: all %zu candidates rerun whole give the same "
                   "errors bit for bit.\n",
                   mode->verify_checked);
        planning = (options->adaptive
                        ? mode->adaptive_calls[0] + mode->adaptive_calls[1]
                        : mode->full_calls) +
                   (uint64_t)total;
        printf("Verifying all %d budgets cost %zu model calls (%zu for the "
               "fresh samples' references, %zu for the candidate runs), "
               "%.2f%% of full profiling's %llu; with them the plans cost "
               "%llu model calls (%s plus verification), %.1f%% of full "
               "profiling.\n",
               options->num_budgets, total, mode->verify_reference_calls,
               mode->verify_run_calls,
               100.0 * (double)total / (double)mode->full_calls,
               (unsigned long long)mode->full_calls,
               (unsigned long long)planning,
               options->adaptive ? "the adaptive loops of both comparators"
                                 : "full profiling",
               100.0 * (double)planning / (double)mode->full_calls);
    }
}

static void
print_header(const struct demo *demo)
{
    const struct options *options = &demo->options;
    const double *c = demo->teacache_coefficients;

    if (options->use_gmm)
        printf("## LeMiCa test bed: closed-form Gaussian mixture, %d classes "
               "x %d prototypes, sigma_data %g\n\n",
               demo->net->num_classes, options->prototypes,
               options->sigma_data);
    else
        printf("## LeMiCa test bed: the trained DiT on 16x16 digits (%d "
               "classes)\n\n",
               demo->net->num_classes);
    printf("%d-step flow matching, shift %g, guidance %g. Profiled on %zu "
           "samples (seeds 0..%zu), max skip %d; evaluated on %zu unseen "
           "samples (seeds %u..%u).\n",
           options->num_steps, options->shift, options->guidance,
           demo->num_profile, demo->num_profile - 1, options->max_skip,
           demo->num_eval, EVAL_SEED_BASE,
           EVAL_SEED_BASE + (unsigned)demo->num_eval - 1);
    printf("Errors are against the uncached sample of the same seed (pixels "
           "span [-1, 1]); Class is the share of samples the classifier "
           "puts in the same class as the uncached one.\n");
    printf("Uncached sampling: %.3f ms CPU, %.3f ms wall per sample "
           "(batched, %d run%s, best kept). CPU and Wall are the speedups "
           "against it in process CPU time (the work, summed over threads) "
           "and in wall time (with whatever else the machine runs). The "
           "classifier gives %.1f%% of the uncached "
           "samples their requested class.\n",
           1e3 * demo->reference_cpu_seconds / (double)demo->num_eval,
           1e3 * demo->reference_seconds / (double)demo->num_eval,
           options->repeats, options->repeats == 1 ? "" : "s",
           100.0 * demo->reference_class_accuracy);
    printf("TeaCache rescaling polynomial fitted on the profiling passes: "
           "%.4g x^4 %+.4g x^3 %+.4g x^2 %+.4g x %+.4g\n",
           c[0], c[1], c[2], c[3], c[4]);
}

static int
write_plot(const struct demo *demo, const char *path)
{
    const struct options *options = &demo->options;
    static double x[NUM_MODES][NUM_METHODS][MAX_BUDGETS];
    static double mean[NUM_MODES][NUM_METHODS][MAX_BUDGETS];
    static double ssim[NUM_MODES][NUM_METHODS][MAX_BUDGETS];
    static char titles[2 * NUM_MODES][96];
    struct testbed_series series[2 * NUM_MODES][NUM_METHODS];
    struct testbed_panel panels[2 * NUM_MODES];
    size_t num_panels = 0;
    char title[160];

    for (int k = 0; k < NUM_MODES; k++) {
        const struct mode_state *mode = &demo->modes[k];

        if (!mode->enabled)
            continue;
        for (int m = 0; m < NUM_METHODS; m++) {
            size_t count = 0;

            for (int b = 0; b < options->num_budgets; b++) {
                const struct result *res = &mode->results[b][m];

                if (!res->ok)
                    continue;
                x[k][m][count] = res->calls;
                mean[k][m][count] = res->mean_l1;
                ssim[k][m][count] = 1.0 - res->ssim;
                count++;
            }
            for (int p = 0; p < 2; p++) {
                struct testbed_series *s = &series[num_panels + p][m];

                s->name = method_names[m];
                s->color = method_colors[m];
                s->dashed = m >= METHOD_UNIFORM;
                s->count = count;
                s->x = x[k][m];
                s->y = p == 0 ? mean[k][m] : ssim[k][m];
            }
        }
        snprintf(titles[num_panels], sizeof(titles[0]),
                 "Mean L1, %s (lower is better)", mode_names[k]);
        snprintf(titles[num_panels + 1], sizeof(titles[0]),
                 "1 - SSIM, %s (lower is better)", mode_names[k]);
        panels[num_panels] = (struct testbed_panel){
            titles[num_panels], "mean |x0 - x0_uncached|", 1,
            series[num_panels], NUM_METHODS};
        panels[num_panels + 1] =
            (struct testbed_panel){titles[num_panels + 1], "1 - SSIM", 1,
                                   series[num_panels + 1], NUM_METHODS};
        num_panels += 2;
    }
    snprintf(title, sizeof(title),
             "Cache schedules on the %s: error vs model calls (N = %d, %zu "
             "unseen samples)",
             options->use_gmm ? "Gaussian mixture" : "DiT", options->num_steps,
             demo->num_eval);
    return testbed_svg_write(path, title, "model calls per sample", panels,
                             num_panels);
}

/* The first rows of evaluation samples at the image budget, uncached and
 * by every method, with their error maps; residual reuse when profiled. */
static int
write_sheet(const struct demo *demo, const char *path)
{
    const struct mode_state *mode =
        demo->modes[1].enabled ? &demo->modes[1] : &demo->modes[0];
    struct testbed_sheet_column columns[NUM_METHODS];
    size_t rows = demo->num_eval < 10 ? demo->num_eval : 10;
    char title[64];

    for (int m = 0; m < NUM_METHODS; m++) {
        unsigned color = 0;

        sscanf(method_colors[m] + 1, "%x", &color);
        columns[m].label = method_labels[m];
        columns[m].color = color;
        columns[m].images = mode->image_outputs[m];
    }
    snprintf(title, sizeof(title), "B=%d OF %d CALLS, %s",
             demo->options.image_budget, demo->options.num_steps,
             mode->reuse == TESTBED_REUSE_RESIDUAL ? "RESIDUAL" : "OUTPUT");
    return testbed_sheet_write(path, title, demo->reference, columns,
                               NUM_METHODS, rows);
}

static void
demo_free(struct demo *demo)
{
    for (int k = 0; k < NUM_MODES; k++) {
        for (int c = 0; c < 2; c++) {
            lemica_frontier_free(demo->modes[k].frontiers[c]);
            for (int b = 0; b < MAX_BUDGETS; b++)
                lemica_schedule_free(demo->modes[k].adaptive_schedules[c][b]);
        }
        lemica_graph_free(demo->modes[k].graph);
        for (int b = 0; b < MAX_BUDGETS; b++)
            lemica_schedule_free(demo->modes[k].verified[b]);
        for (int m = 0; m < NUM_METHODS; m++) {
            free(demo->modes[k].image_outputs[m]);
            for (int b = 0; b < MAX_BUDGETS; b++)
                free(demo->modes[k].results[b][m].l1);
        }
    }
    testbed_reference_free(&demo->profile_reference);
    free(demo->reference);
    free(demo->reference_classes);
    free(demo->eval_classes);
    free(demo->eval_seeds);
    free(demo->profile_samples);
    free(demo->times);
    testbed_net_free(demo->net);
    testbed_model_free(demo->gmm);
}

int
main(int argc, char **argv)
{
    static struct demo demo;
    char path[4096];
    double started = now_seconds(), phase;
    int status = EXIT_FAILURE;

    if (parse_options(argc, argv, &demo.options) != 0)
        return 2;
    if (setup(&demo) != 0)
        goto out;
    phase = now_seconds();
    {
        struct testbed_batch settings =
            mode_settings(&demo, TESTBED_REUSE_OUTPUT);

        if (testbed_reference_record(&settings, demo.profile_samples,
                                     demo.num_profile,
                                     &demo.profile_reference) != 0 ||
            testbed_teacache_fit(&demo.profile_reference,
                                 demo.teacache_coefficients) != 0) {
            fprintf(stderr, "lemica-demo: the profiling passes failed\n");
            goto out;
        }
    }
    progress(&demo, "reference passes and TeaCache fit", now_seconds() - phase);
    for (int k = 0; k < NUM_MODES; k++)
        if (demo.modes[k].enabled &&
            ((demo.options.adaptive &&
              profile_adaptive(&demo, &demo.modes[k]) != 0) ||
             ((!demo.options.adaptive || demo.options.compare) &&
              profile_and_solve(&demo, &demo.modes[k]) != 0) ||
             (demo.options.verify_k > 0 &&
              verify_mode(&demo, &demo.modes[k]) != 0)))
            goto out;
    phase = now_seconds();
    if (evaluate_reference(&demo) != 0) {
        fprintf(stderr, "lemica-demo: uncached sampling failed\n");
        goto out;
    }
    progress(&demo, "uncached evaluation samples", now_seconds() - phase);
    for (int k = 0; k < NUM_MODES; k++) {
        phase = now_seconds();
        if (demo.modes[k].enabled && evaluate_mode(&demo, &demo.modes[k]) != 0)
            goto out;
        if (demo.modes[k].enabled && !demo.options.quiet)
            fprintf(stderr, "evaluating (%s): %.1f s\n", mode_names[k],
                    now_seconds() - phase);
    }
    print_header(&demo);
    for (int k = 0; k < NUM_MODES; k++)
        if (demo.modes[k].enabled)
            print_table(&demo, &demo.modes[k]);
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
    printf("Wrote %s (columns: uncached, then LeMiCa, SUM, verified, "
           "uniform, TeaCache, MagCache at B=%d; then their |error| x4 in "
           "red)\n",
           path, demo.options.image_budget);
    printf("Total run time: %.1f s wall, %.1f s CPU\n", now_seconds() - started,
           cpu_seconds());
    status = EXIT_SUCCESS;

out:
    demo_free(&demo);
    return status;
}
