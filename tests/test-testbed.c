/* SPDX-License-Identifier: MIT */
/* The diffusion test bed (examples/testbed): the closed-form velocity
 * against independent evaluations, the caching sampler against the
 * uncached one, plan replays against explicit schedules, the PNG
 * checksums, and a small end-to-end profile -> plan -> sample run. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test-common.h"

#include "gmm-model.h"
#include "png.h"
#include "profile.h"
#include "sampler.h"
#include "teacache.h"

static testbed_model *
make_model(int prototypes, double sigma_data)
{
    testbed_model *model = NULL;

    ck_assert_int_eq(testbed_model_new(prototypes, sigma_data, &model), 0);
    return model;
}

static void
random_state(uint64_t *rng, double scale, double *x)
{
    for (int d = 0; d < TESTBED_PIXELS; d++)
        x[d] = scale * (2.0 * test_rng_unit(rng) - 1.0);
}

/* log p_t(x) of the mixture restricted to @class_id (-1: all), with every
 * normalising constant, in long double. */
static long double
log_density(const testbed_model *model, int prototypes, int class_id,
            const long double *x, double t)
{
    long double time = (long double)t;
    long double a = 1.0L - time;
    long double s = (long double)testbed_model_sigma_data(model);
    long double v = a * a * s * s + time * time;
    int first = class_id < 0 ? 0 : class_id * prototypes;
    int count = class_id < 0 ? testbed_model_num_components(model) : prototypes;
    long double largest = -(long double)INFINITY, total = 0.0L;
    long double *terms = malloc((size_t)count * sizeof(*terms));

    ck_assert_ptr_nonnull(terms);
    for (int k = 0; k < count; k++) {
        const double *mu = testbed_model_prototype(model, first + k);
        long double dist2 = 0.0L;

        for (int d = 0; d < TESTBED_PIXELS; d++) {
            long double diff = x[d] - a * (long double)mu[d];

            dist2 += diff * diff;
        }
        terms[k] =
            -logl((long double)count) -
            0.5L * TESTBED_PIXELS * logl(2.0L * 3.14159265358979323846L * v) -
            dist2 / (2.0L * v);
        if (terms[k] > largest)
            largest = terms[k];
    }
    for (int k = 0; k < count; k++)
        total += expl(terms[k] - largest);
    free(terms);
    return largest + logl(total);
}

/* Per component: the posterior weight from the full Gaussian density, and
 * E[eps | x, k] - E[x0 | x, k] from the two regression formulas written
 * separately, summed in long double. */
static void
brute_velocity(const testbed_model *model, int prototypes, int class_id,
               const double *x, double t, long double *velocity)
{
    long double time = (long double)t;
    long double a = 1.0L - time;
    long double s2 = (long double)testbed_model_sigma_data(model);
    int first = class_id < 0 ? 0 : class_id * prototypes;
    int count = class_id < 0 ? testbed_model_num_components(model) : prototypes;
    long double *log_weight = malloc((size_t)count * sizeof(*log_weight));
    long double largest = -(long double)INFINITY, total = 0.0L, v;

    ck_assert_ptr_nonnull(log_weight);
    s2 *= s2;
    v = a * a * s2 + time * time;
    for (int k = 0; k < count; k++) {
        const double *mu = testbed_model_prototype(model, first + k);
        long double dist2 = 0.0L;

        for (int d = 0; d < TESTBED_PIXELS; d++) {
            long double diff = (long double)x[d] - a * (long double)mu[d];

            dist2 += diff * diff;
        }
        log_weight[k] = -0.5L * TESTBED_PIXELS * logl(v) - dist2 / (2.0L * v);
        if (log_weight[k] > largest)
            largest = log_weight[k];
    }
    for (int k = 0; k < count; k++)
        total += expl(log_weight[k] - largest);
    for (int d = 0; d < TESTBED_PIXELS; d++)
        velocity[d] = 0.0L;
    for (int k = 0; k < count; k++) {
        const double *mu = testbed_model_prototype(model, first + k);
        long double weight = expl(log_weight[k] - largest) / total;

        for (int d = 0; d < TESTBED_PIXELS; d++) {
            long double residual = (long double)x[d] - a * (long double)mu[d];
            long double eps = time / v * residual;
            long double x0 = (long double)mu[d] + a * s2 / v * residual;

            velocity[d] += weight * (eps - x0);
        }
    }
    free(log_weight);
}

START_TEST(test_velocity_matches_brute_force)
{
    static const double times[] = {1.0, 0.97, 0.8, 0.5, 0.3, 0.1, 0.02, 0.0};
    static const double sigmas[] = {0.1, 0.35};
    uint64_t rng = 11;

    for (size_t s = 0; s < 2; s++) {
        testbed_model *model = make_model(6, sigmas[s]);

        for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++)
            for (int class_id = -1; class_id < TESTBED_NUM_CLASSES;
                 class_id++) {
                double x[TESTBED_PIXELS], velocity[TESTBED_PIXELS];
                long double expected[TESTBED_PIXELS];
                double t = times[i];
                /* A plausible x_t: a prototype of the class, scaled and
                 * noised as at time t, plus an off-manifold case. */
                int component = class_id < 0 ? 5 : class_id * 6 + 2;
                const double *mu = testbed_model_prototype(model, component);

                testbed_initial_noise(rng++, x);
                for (int d = 0; d < TESTBED_PIXELS; d++)
                    x[d] = (1.0 - t) * (mu[d] + sigmas[s] * x[d]) + t * x[d];
                if (i % 2)
                    random_state(&rng, 1.5, x);
                testbed_model_velocity(model, class_id, x, t, velocity);
                brute_velocity(model, 6, class_id, x, t, expected);
                for (int d = 0; d < TESTBED_PIXELS; d++) {
                    double tolerance = 1e-9 * (1.0 + fabs((double)expected[d]));

                    ck_assert_msg(
                        fabs(velocity[d] - (double)expected[d]) <= tolerance,
                        "sigma %g t %g class %d pixel %d: %.17g vs "
                        "%.17Lg",
                        sigmas[s], t, class_id, d, velocity[d], expected[d]);
                }
            }
        testbed_model_free(model);
    }
}
END_TEST

/* Tweedie: E[eps | x_t] = -t grad log p_t(x_t), so the velocity is
 * (-t grad log p_t(x) - x) / (1 - t). The gradient by central differences
 * of the mixture density checks the closed form from another side. */
START_TEST(test_velocity_matches_score)
{
    static const double times[] = {0.9, 0.6, 0.35, 0.15};
    testbed_model *model = make_model(5, 0.1);
    uint64_t rng = 5;

    for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++)
        for (int class_id = -1; class_id < 2; class_id++) {
            double x[TESTBED_PIXELS], velocity[TESTBED_PIXELS];
            long double point[TESTBED_PIXELS];
            double t = times[i];
            const double *mu = testbed_model_prototype(model, 3);

            testbed_initial_noise(rng++, x);
            for (int d = 0; d < TESTBED_PIXELS; d++)
                x[d] = (1.0 - t) * (mu[d] + 0.1 * x[d]) + t * x[d];
            testbed_model_velocity(model, class_id, x, t, velocity);
            for (int d = 0; d < TESTBED_PIXELS; d++)
                point[d] = (long double)x[d];
            for (int d = 0; d < TESTBED_PIXELS; d += 17) {
                const long double h = 1e-5L;
                long double up, down, score, expected;

                point[d] = (long double)x[d] + h;
                up = log_density(model, 5, class_id, point, t);
                point[d] = (long double)x[d] - h;
                down = log_density(model, 5, class_id, point, t);
                point[d] = (long double)x[d];
                score = (up - down) / (2.0L * h);
                expected = (-(long double)t * score - (long double)x[d]) /
                           (1.0L - (long double)t);
                ck_assert_msg(fabsl((long double)velocity[d] - expected) <=
                                  1e-5L * (1.0L + fabsl(expected)),
                              "t %g class %d pixel %d: %.12g vs %.12Lg", t,
                              class_id, d, velocity[d], expected);
            }
        }
    testbed_model_free(model);
}
END_TEST

START_TEST(test_guidance_combines_conditional_and_unconditional)
{
    testbed_model *model = make_model(4, 0.1);
    double x[TESTBED_PIXELS], guided[TESTBED_PIXELS];
    double conditional[TESTBED_PIXELS], unconditional[TESTBED_PIXELS];

    testbed_initial_noise(3, x);
    testbed_model_velocity(model, 2, x, 0.6, conditional);
    testbed_model_velocity(model, -1, x, 0.6, unconditional);
    testbed_model_set_guidance(model, 3.5);
    testbed_model_velocity(model, 2, x, 0.6, guided);
    for (int d = 0; d < TESTBED_PIXELS; d++)
        ck_assert_double_eq_tol(guided[d],
                                unconditional[d] +
                                    3.5 * (conditional[d] - unconditional[d]),
                                1e-12);
    testbed_model_free(model);
}
END_TEST

START_TEST(test_time_grid)
{
    double times[51], linear[11];

    testbed_time_grid(50, 3.0, times);
    ck_assert(times[0] == 1.0);
    ck_assert(times[50] == 0.0);
    for (int i = 0; i < 50; i++)
        ck_assert(times[i + 1] < times[i]);
    /* The shift spends more steps at high noise: the midpoint is above 1/2. */
    ck_assert_double_eq_tol(times[25], 0.75, 1e-15);
    testbed_time_grid(10, 1.0, linear);
    for (int i = 0; i <= 10; i++)
        ck_assert_double_eq_tol(linear[i], 1.0 - i / 10.0, 1e-15);
}
END_TEST

static int
always_compute(void *context, int step, const double *state)
{
    (void)context;
    (void)step;
    (void)state;
    return 1;
}

START_TEST(test_all_compute_schedule_is_uncached)
{
    enum { N = 30 };
    testbed_model *model = make_model(8, 0.1);
    double times[N + 1], plain[TESTBED_PIXELS], scheduled[TESTBED_PIXELS];
    double decided[TESTBED_PIXELS];
    struct testbed_run run = {0};
    lemica_schedule *schedule = NULL;
    int steps[N];

    testbed_time_grid(N, 3.0, times);
    run.model = model;
    run.class_id = 1;
    run.num_steps = N;
    run.times = times;
    for (int i = 0; i < N; i++)
        steps[i] = i;
    ck_assert_ok(lemica_schedule_new_from_steps(N, steps, N, &schedule));
    ck_assert_int_eq(testbed_sample(&run, 42, plain), 0);
    ck_assert_int_eq(run.model_calls, N);
    ck_assert_int_eq(testbed_sample_schedule(&run, schedule, 42, scheduled), 0);
    ck_assert_int_eq(run.model_calls, N);
    run.decide = always_compute;
    ck_assert_int_eq(testbed_sample(&run, 42, decided), 0);
    ck_assert_int_eq(memcmp(plain, scheduled, sizeof(plain)), 0);
    ck_assert_int_eq(memcmp(plain, decided, sizeof(plain)), 0);
    /* The sample is a shape, not noise: pixels near the data range. */
    for (int d = 0; d < TESTBED_PIXELS; d++)
        ck_assert(fabs(plain[d]) < 2.0);
    lemica_schedule_free(schedule);
    testbed_model_free(model);
}
END_TEST

/* Replay (i, j) from the plan, started from the recorded reference state,
 * must give exactly what sampling from noise with the schedule
 * "every step but i+1 .. j-1" gives. */
START_TEST(test_replay_equals_explicit_schedule)
{
    enum { N = 16, K = 6 };
    testbed_model *model = make_model(6, 0.1);
    double times[N + 1], reference[TESTBED_PIXELS];
    double *states = malloc((size_t)N * TESTBED_PIXELS * sizeof(double));
    double *velocities = malloc((size_t)N * TESTBED_PIXELS * sizeof(double));
    struct testbed_run run = {0};
    lemica_plan *plan = NULL;
    size_t checked = 0;

    ck_assert_ptr_nonnull(states);
    ck_assert_ptr_nonnull(velocities);
    testbed_time_grid(N, 3.0, times);
    run.model = model;
    run.class_id = 3;
    run.num_steps = N;
    run.times = times;
    run.trace_states = states;
    run.trace_velocities = velocities;
    ck_assert_int_eq(testbed_sample(&run, 7, reference), 0);
    run.trace_states = NULL;
    run.trace_velocities = NULL;
    ck_assert_ok(lemica_plan_new(N, K, &plan));
    for (size_t r = 0; r < lemica_plan_num_replays(plan); r++) {
        double replayed[TESTBED_PIXELS], scheduled[TESTBED_PIXELS];
        lemica_schedule *schedule = NULL;
        int from, to, steps[N];
        size_t count = 0;

        ck_assert_ok(lemica_plan_replay(plan, r, &from, &to));
        ck_assert_int_eq(
            testbed_replay(
                &run, plan, r, states + (size_t)from * TESTBED_PIXELS,
                velocities + (size_t)from * TESTBED_PIXELS, replayed),
            0);
        ck_assert_int_eq(run.model_calls, N - to);
        for (int i = 0; i < N; i++)
            if (i <= from || i >= to)
                steps[count++] = i;
        ck_assert_ok(
            lemica_schedule_new_from_steps(N, steps, count, &schedule));
        ck_assert_int_eq(testbed_sample_schedule(&run, schedule, 7, scheduled),
                         0);
        ck_assert_int_eq(run.model_calls, (int)count);
        ck_assert_msg(memcmp(replayed, scheduled, sizeof(replayed)) == 0,
                      "replay (%d, %d) differs from its schedule", from, to);
        ck_assert_msg(memcmp(replayed, reference, sizeof(replayed)) != 0,
                      "replay (%d, %d) cached nothing", from, to);
        lemica_schedule_free(schedule);
        checked++;
    }
    ck_assert_uint_eq(checked, lemica_plan_num_replays(plan));
    lemica_plan_free(plan);
    free(states);
    free(velocities);
    testbed_model_free(model);
}
END_TEST

START_TEST(test_uniform_schedule)
{
    for (int budget = 2; budget <= 50; budget++) {
        lemica_schedule *schedule = NULL;
        int steps[50];
        size_t count;

        ck_assert_ok(testbed_uniform_schedule(50, budget, &schedule));
        ck_assert_ok(lemica_schedule_steps(schedule, steps, 50, &count));
        ck_assert_uint_eq(count, (size_t)budget);
        for (size_t k = 1; k < count; k++) {
            int gap = steps[k] - steps[k - 1];

            /* Evenly spaced: gaps differ by at most one. */
            ck_assert_int_ge(gap, 49 / (budget - 1));
            ck_assert_int_le(gap, (49 + budget - 2) / (budget - 1));
        }
        lemica_schedule_free(schedule);
    }
}
END_TEST

START_TEST(test_teacache_calibration)
{
    enum { N = 30 };
    testbed_model *model = make_model(6, 0.1);
    struct testbed_sample_id samples[8];
    struct testbed_run run = {0};
    double times[N + 1];

    testbed_time_grid(N, 3.0, times);
    run.model = model;
    run.num_steps = N;
    run.times = times;
    for (int s = 0; s < 8; s++) {
        samples[s].class_id = s % TESTBED_NUM_CLASSES;
        samples[s].seed = (uint64_t)(100 + s);
    }
    ck_assert_double_eq(testbed_teacache_mean_calls(&run, 0.0, samples, 8), N);
    ck_assert_double_eq(testbed_teacache_mean_calls(&run, 1e9, samples, 8),
                        2.0);
    for (int budget = 6; budget <= 18; budget += 4) {
        double calls = 0.0;
        double threshold =
            testbed_teacache_calibrate(&run, budget, samples, 8, &calls);

        ck_assert(threshold > 0.0);
        ck_assert(calls <= budget);
        ck_assert_msg(calls >= budget - 1.0, "budget %d: %g calls", budget,
                      calls);
        ck_assert_double_eq(
            testbed_teacache_mean_calls(&run, threshold, samples, 8), calls);
    }
    testbed_model_free(model);
}
END_TEST

START_TEST(test_png_checksums_and_file)
{
    static const uint8_t digits[] = "123456789";
    static const uint8_t wiki[] = "Wikipedia";
    uint8_t pixels[7 * 5 * 3];
    uint8_t bytes[512];
    /* meson runs the tests in the build directory. */
    const char *path = "test-testbed-output.png";
    size_t length, at = 8;
    FILE *file;
    int chunks = 0;

    ck_assert_uint_eq(testbed_crc32(0, digits, 9), 0xCBF43926u);
    ck_assert_uint_eq(testbed_adler32(1, wiki, 9), 0x11E60398u);
    for (size_t i = 0; i < sizeof(pixels); i++)
        pixels[i] = (uint8_t)(i * 7);
    ck_assert_int_eq(testbed_png_write_rgb(path, 7, 5, pixels), 0);
    file = fopen(path, "rb");
    ck_assert_ptr_nonnull(file);
    length = fread(bytes, 1, sizeof(bytes), file);
    fclose(file);
    remove(path);
    ck_assert_int_eq(memcmp(bytes, "\x89PNG\r\n\x1a\n", 8), 0);
    /* Every chunk's CRC matches; the IDAT holds a zlib stream whose one
     * stored block carries the filtered rows. */
    while (at + 12 <= length) {
        uint32_t size = (uint32_t)bytes[at] << 24 |
                        (uint32_t)bytes[at + 1] << 16 |
                        (uint32_t)bytes[at + 2] << 8 | bytes[at + 3];
        const uint8_t *type = bytes + at + 4;
        const uint8_t *crc = bytes + at + 8 + size;
        uint32_t stored = (uint32_t)crc[0] << 24 | (uint32_t)crc[1] << 16 |
                          (uint32_t)crc[2] << 8 | crc[3];

        ck_assert_uint_le(at + 12 + size, length);
        ck_assert_uint_eq(testbed_crc32(0, type, size + 4), stored);
        if (memcmp(type, "IDAT", 4) == 0) {
            const uint8_t *zlib = type + 4;

            ck_assert_uint_eq(((unsigned)zlib[0] << 8 | zlib[1]) % 31, 0);
            ck_assert_uint_eq(zlib[2], 1); /* final stored block */
            ck_assert_uint_eq((unsigned)zlib[3] | (unsigned)zlib[4] << 8,
                              5 * (7 * 3 + 1));
            ck_assert_uint_eq(zlib[7], 0); /* row filter */
            ck_assert_int_eq(memcmp(zlib + 8, pixels, 21), 0);
        }
        chunks++;
        at += 12 + size;
    }
    ck_assert_int_eq(chunks, 3);
    ck_assert_uint_eq(at, length);
}
END_TEST

static double
mean_l1(struct testbed_run *run, const lemica_schedule *schedule,
        const struct testbed_sample_id *samples, size_t count)
{
    double total = 0.0;

    for (size_t s = 0; s < count; s++) {
        double cached[TESTBED_PIXELS], full[TESTBED_PIXELS], error;

        run->class_id = samples[s].class_id;
        ck_assert_int_eq(testbed_sample(run, samples[s].seed, full), 0);
        ck_assert_int_eq(
            testbed_sample_schedule(run, schedule, samples[s].seed, cached), 0);
        ck_assert_int_eq(run->model_calls, lemica_schedule_budget(schedule));
        ck_assert_ok(lemica_metric_compute(LEMICA_METRIC_L1, cached, full,
                                           TESTBED_PIXELS, LEMICA_DTYPE_F64,
                                           &error));
        total += error;
    }
    return total / (double)count;
}

/* Profile -> graph -> LEXMAX plan -> sample, end to end on the profiling
 * seeds: the plan must do no worse than uniform spacing there. */
START_TEST(test_end_to_end_lexmax_not_worse_than_uniform)
{
    enum { N = 50, K = 49 };
    static const int budgets[] = {10, 14};
    testbed_model *model = make_model(16, 0.1);
    struct testbed_sample_id samples[TESTBED_NUM_CLASSES * 2];
    struct testbed_run run = {0};
    lemica_plan *plan = NULL;
    lemica_profiler *profiler = NULL;
    lemica_graph *graph = NULL;
    lemica_solver *solver = NULL;
    double times[N + 1];

    testbed_time_grid(N, 3.0, times);
    run.model = model;
    run.num_steps = N;
    run.times = times;
    for (int s = 0; s < TESTBED_NUM_CLASSES * 2; s++) {
        samples[s].class_id = s % TESTBED_NUM_CLASSES;
        samples[s].seed = (uint64_t)(s / TESTBED_NUM_CLASSES);
    }
    ck_assert_ok(lemica_plan_new(N, K, &plan));
    ck_assert_ok(lemica_profiler_new(N, K, LEMICA_METRIC_L1, &profiler));
    ck_assert_ok(testbed_profile(&run, plan, samples, TESTBED_NUM_CLASSES * 2,
                                 profiler, NULL));
    ck_assert_uint_eq(lemica_profiler_num_measured(profiler),
                      lemica_plan_num_replays(plan));
    ck_assert_ok(lemica_profiler_to_graph(profiler, LEMICA_AGGREGATE_MEAN, 0.0,
                                          1, &graph));
    ck_assert_ok(lemica_solver_new(&solver));
    for (size_t b = 0; b < 2; b++) {
        lemica_schedule *lexmax = NULL, *uniform = NULL;
        double lexmax_error, uniform_error;

        ck_assert_ok(lemica_solver_solve(solver, graph, budgets[b], &lexmax));
        ck_assert_ok(testbed_uniform_schedule(N, budgets[b], &uniform));
        lexmax_error = mean_l1(&run, lexmax, samples, TESTBED_NUM_CLASSES * 2);
        uniform_error =
            mean_l1(&run, uniform, samples, TESTBED_NUM_CLASSES * 2);
        ck_assert_msg(lexmax_error <= uniform_error,
                      "budget %d: LEXMAX %g > uniform %g", budgets[b],
                      lexmax_error, uniform_error);
        lemica_schedule_free(lexmax);
        lemica_schedule_free(uniform);
    }
    lemica_solver_free(solver);
    lemica_graph_free(graph);
    lemica_profiler_free(profiler);
    lemica_plan_free(plan);
    testbed_model_free(model);
}
END_TEST

TEST_SUITE(testbed)
{
    add_test(suite, test_velocity_matches_brute_force);
    add_test(suite, test_velocity_matches_score);
    add_test(suite, test_guidance_combines_conditional_and_unconditional);
    add_test(suite, test_time_grid);
    add_test(suite, test_all_compute_schedule_is_uncached);
    add_test(suite, test_replay_equals_explicit_schedule);
    add_test(suite, test_uniform_schedule);
    add_test(suite, test_teacache_calibration);
    add_test(suite, test_png_checksums_and_file);
    add_test(suite, test_end_to_end_lexmax_not_worse_than_uniform);
}
