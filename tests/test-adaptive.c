/* SPDX-License-Identifier: MIT */
/* Adaptive profiling: the loop's schedules equal the full profile's on
 * thousands of random graphs that satisfy the assumption (every comparator,
 * heavy ties), violations are reported and the loop still ends, batches
 * have their minimum size, the counters add up, and bad input leaves the
 * handle as it was. A "measurement" copies the segment's error from a
 * table into the profiler, as an engine's replay would. */
#include <float.h>
#include <math.h>

#include "adaptive-driver.h"
#include "test-common.h"

#define MAX_N 32
/* The random tables of the property tests: small, so that ties abound. */
#define RANDOM_MAX_N 12

/* Errors per segment: w[i][j]; span-1 entries unused. */
struct table {
    int n, k;
    double w[MAX_N][MAX_N];
};

/* NESTED: w(i, j) = max(w(i + 1, j), w(i, j - 1)) plus a step drawn from
 * @steps, clamped at DBL_MAX. */
static void
fill_nested(struct table *t, uint64_t *rng, const double *steps,
            int num_steps)
{
    for (int span = 2; span <= t->n - 1; span++)
        for (int i = 0; i + span <= t->n - 1; i++) {
            int j = i + span;
            double base = 0.0;

            if (span > 2)
                base = fmax(t->w[i + 1][j], t->w[i][j - 1]);
            t->w[i][j] = fmin(base + steps[test_rng_below(rng, num_steps)],
                              DBL_MAX);
        }
}

/* NESTED with steps of a few levels, so ties are everywhere and integer
 * sums are exact. */
static void
make_nested(struct table *t, uint64_t *rng)
{
    static const double levels[] = {0.0, 1.0, 2.0};

    fill_nested(t, rng, levels, 3);
}

/* NESTED with steps at the edges of the doubles: zeros, denormals,
 * DBL_MAX (clamped there), huge spreads. */
static void
make_extreme_nested(struct table *t, uint64_t *rng)
{
    static const double extreme[] = {0.0, 4.9406564584124654e-324,
                                     2.2250738585072014e-308, 1e-300, 1.0,
                                     1e300, 1.7976931348623157e308};

    fill_nested(t, rng, extreme, 7);
}

/* SAME_START only: rows grow with the end, starts unrelated. */
static void
make_same_start(struct table *t, uint64_t *rng)
{
    for (int i = 0; i + 2 <= t->n - 1; i++)
        for (int j = i + 2; j <= t->n - 1; j++)
            t->w[i][j] = (j == i + 2 ? (double)test_rng_below(rng, 4)
                                     : t->w[i][j - 1]) +
                         (double)test_rng_below(rng, 2);
}

/* Diffusion-like (the batch choice's own model): w(i, j) = the sum over
 * t = i+1 .. j-1 of (t - i) h(t) with random h >= 0, so NESTED holds; h
 * in small integers (exact sums, ties) or in floats. */
static void
make_drift(struct table *t, uint64_t *rng)
{
    double h[MAX_N];
    int integer = test_rng_below(rng, 2);

    for (int s = 0; s < t->n; s++)
        h[s] = integer ? (double)test_rng_below(rng, 3)
                       : exp(-4.0 * s / t->n) * test_rng_unit(rng);
    for (int i = 0; i + 2 <= t->n - 1; i++) {
        double acc = 0.0;

        for (int j = i + 2; j <= t->n - 1; j++) {
            acc += (double)(j - 1 - i) * h[j - 1];
            t->w[i][j] = acc;
        }
    }
}

/* The same with every weight scaled by a random factor in [0.6, 1.4]:
 * violations of both assumptions, but a shape the model still fits. */
static void
make_noisy_drift(struct table *t, uint64_t *rng)
{
    make_drift(t, rng);
    for (int i = 0; i + 2 <= t->n - 1; i++)
        for (int j = i + 2; j <= t->n - 1; j++)
            t->w[i][j] *= 0.6 + 0.8 * test_rng_unit(rng);
}

/* Diffusion-like rows at unrelated levels: make_drift() with each row
 * scaled by its own factor in [0.3, 3]. SAME_START holds, NESTED fails,
 * and the guesses need their row-by-row calibration (the SAME_START caps
 * of lib/profile/adaptive.c). */
static void
make_row_scaled_drift(struct table *t, uint64_t *rng)
{
    make_drift(t, rng);
    for (int i = 0; i + 2 <= t->n - 1; i++) {
        double factor = 0.3 + 2.7 * test_rng_unit(rng);

        for (int j = i + 2; j <= t->n - 1; j++)
            t->w[i][j] *= factor;
    }
}

/* No structure: violations for both assumptions. */
static void
make_random(struct table *t, uint64_t *rng)
{
    for (int i = 0; i + 2 <= t->n - 1; i++)
        for (int j = i + 2; j <= t->n - 1; j++)
            t->w[i][j] = (double)test_rng_below(rng, 5);
}

static int
end_of(const struct table *t, int i)
{
    return i + t->k < t->n - 1 ? i + t->k : t->n - 1;
}

/* The full profile of @t and its schedule of @budget. */
static lemica_status
full_schedule(const struct table *t, lemica_solver *solver, int budget,
              lemica_schedule **out)
{
    lemica_profiler *profiler = NULL;
    lemica_graph *graph = NULL;
    lemica_status status;

    ck_assert_ok(lemica_profiler_new(t->n, t->k, LEMICA_METRIC_L1, &profiler));
    for (int i = 0; i + 2 <= t->n - 1; i++)
        for (int j = i + 2; j <= end_of(t, i); j++)
            ck_assert_ok(lemica_profiler_add_error(profiler, i, j, t->w[i][j]));
    ck_assert_ok(lemica_profiler_to_graph(profiler, LEMICA_AGGREGATE_MEAN, 0, 1,
                                          &graph));
    status = lemica_solver_solve(solver, graph, budget, out);
    lemica_graph_free(graph);
    lemica_profiler_free(profiler);
    return status;
}

/* Run the loop on @t to the end, checking every plan: at least
 * min(min_batch, unmeasured) segments, none measured already. Returns the
 * number of rounds. */
static size_t
run_loop(lemica_adaptive *adaptive, lemica_profiler *profiler,
         const struct table *t, size_t min_batch)
{
    lemica_plan *plan = NULL;
    size_t rounds = 0;

    ck_assert_ok(lemica_adaptive_set_min_batch(adaptive, min_batch));
    for (;;) {
        size_t unmeasured = 0;

        for (int i = 0; i + 2 <= t->n - 1; i++)
            for (int j = i + 2; j <= end_of(t, i); j++) {
                uint64_t count = 0;
                lemica_profiler_edge_stats(profiler, i, j, &count, NULL, NULL,
                                           NULL, NULL);
                unmeasured += count == 0;
            }
        ck_assert_ok(lemica_adaptive_next(adaptive, profiler, &plan));
        if (!plan)
            break;
        rounds++;
        ck_assert_uint_ge(lemica_plan_num_replays(plan), 1);
        ck_assert_uint_ge(lemica_plan_num_replays(plan),
                          (unmeasured < min_batch ? unmeasured : min_batch));
        for (size_t r = 0; r < lemica_plan_num_replays(plan); r++) {
            int from, to;
            uint64_t count = 1;

            ck_assert_ok(lemica_plan_replay(plan, r, &from, &to));
            lemica_profiler_edge_stats(profiler, from, to, &count, NULL, NULL,
                                       NULL, NULL);
            ck_assert_uint_eq(count, 0);
            ck_assert_ok(
                lemica_profiler_add_error(profiler, from, to, t->w[from][to]));
        }
        lemica_plan_free(plan);
        ck_assert_uint_le(rounds, 200);
    }
    ck_assert(lemica_adaptive_is_done(adaptive));
    ck_assert_uint_eq(lemica_adaptive_num_rounds(adaptive), rounds);
    return rounds;
}

static void
random_table(struct table *t, uint64_t *rng, int large)
{
    if (large) {
        /* Room for the model: N 8 .. 32, K often N - 1. */
        t->n = 8 + test_rng_below(rng, MAX_N - 7);
        t->k = test_rng_below(rng, 3) ? t->n - 1
                                      : 2 + test_rng_below(rng, t->n - 2);
        return;
    }
    t->n = 3 + test_rng_below(rng, RANDOM_MAX_N - 2);
    t->k = 1 + test_rng_below(rng, t->n - 1);
    if (test_rng_below(rng, 2))
        t->k = t->n - 1;
}

/* One random problem: returns how many schedules were compared. */
static int
check_random_problem(uint64_t seed, void (*make)(struct table *, uint64_t *),
                     lemica_assumption assumption, int expect_exact, int large)
{
    static const lemica_comparator comparators[] = {
        LEMICA_COMPARATOR_LEXMAX, LEMICA_COMPARATOR_SUM, LEMICA_COMPARATOR_MAX};
    uint64_t rng = seed;
    struct table t;
    lemica_adaptive *adaptive = NULL;
    lemica_profiler *profiler = NULL;
    lemica_solver *solver = NULL;
    lemica_comparator comparator = comparators[test_rng_below(&rng, 3)];
    int all = test_rng_below(&rng, 4) == 0, compared = 0, min_budget = 2;
    size_t min_batch = 1 + (size_t)test_rng_below(&rng, large ? 30 : 6);
    int requested[MAX_N + 1] = {0};

    random_table(&t, &rng, large);
    make(&t, &rng);
    ck_assert_ok(lemica_solver_new(&solver));
    ck_assert_ok(lemica_solver_set_comparator(solver, comparator));
    if (test_rng_below(&rng, 4) == 0 && t.n > 4)
        ck_assert_ok(lemica_solver_require_first_steps(solver, 2));
    {
        lemica_graph *g = NULL;
        ck_assert_ok(lemica_graph_new(t.n, t.k, &g));
        for (int i = 0; i + 2 <= t.n - 1; i++)
            for (int j = i + 2; j <= end_of(&t, i); j++)
                ck_assert_ok(lemica_graph_set_weight(g, i, j, 0.0));
        ck_assert_ok(lemica_solver_min_budget(solver, g, &min_budget));
        lemica_graph_free(g);
    }
    ck_assert_ok(lemica_adaptive_new(t.n, t.k, assumption, &adaptive));
    ck_assert_ok(lemica_adaptive_use_solver(adaptive, solver));
    ck_assert_ok(lemica_adaptive_set_min_batch(adaptive, min_batch));
    if (all) {
        ck_assert_ok(lemica_adaptive_request_all_budgets(adaptive));
        for (int b = min_budget; b <= t.n; b++)
            requested[b] = 1;
    } else {
        int count = 1 + test_rng_below(&rng, 3);
        for (int c = 0; c < count; c++) {
            int b = min_budget + test_rng_below(&rng, t.n - min_budget + 1);
            requested[b] = 1;
            ck_assert_ok(lemica_adaptive_request_budget(adaptive, b));
        }
    }
    ck_assert_ok(lemica_profiler_new(t.n, t.k, LEMICA_METRIC_L1, &profiler));
    run_loop(adaptive, profiler, &t, min_batch);
    if (expect_exact)
        ck_assert_uint_eq(lemica_adaptive_num_violations(adaptive), 0);
    ck_assert_uint_le(lemica_adaptive_model_calls(adaptive),
                      lemica_adaptive_full_model_calls(adaptive));

    for (int b = 2; b <= t.n; b++) {
        lemica_schedule *want = NULL, *got = NULL;
        lemica_status status;

        if (!requested[b])
            continue;
        status = lemica_adaptive_schedule(adaptive, b, &got);
        ck_assert_ok(status);
        ck_assert_int_eq(lemica_schedule_budget(got), b);
        if (expect_exact) {
            char a[256], w[256];
            ck_assert_ok(full_schedule(&t, solver, b, &want));
            ck_assert_ok(lemica_schedule_format_steps(got, a, sizeof(a), NULL));
            ck_assert_ok(lemica_schedule_format_steps(want, w, sizeof(w), NULL));
            ck_assert_msg(strcmp(a, w) == 0,
                          "seed %llu, N %d, K %d, B %d, comparator %d, "
                          "assumption %d: adaptive %s, full %s",
                          (unsigned long long)seed, t.n, t.k, b, (int)comparator,
                          (int)assumption, a, w);
            lemica_schedule_free(want);
        }
        lemica_schedule_free(got);
        compared++;
    }
    lemica_profiler_free(profiler);
    lemica_adaptive_free(adaptive);
    lemica_solver_free(solver);
    return compared;
}

START_TEST(test_adaptive_nested_equals_full)
{
    int compared = 0;

    for (uint64_t seed = 1; seed <= 1500; seed++)
        for (int a = 0; a < 3; a++)
            compared += check_random_problem(seed * 3 + (uint64_t)a, make_nested,
                                             (lemica_assumption)a, 1, 0);
    ck_assert_int_gt(compared, 4500);
}
END_TEST

START_TEST(test_adaptive_same_start_equals_full)
{
    int compared = 0;

    for (uint64_t seed = 1; seed <= 1500; seed++) {
        compared += check_random_problem(seed + 100000, make_same_start,
                                         LEMICA_ASSUMPTION_SAME_START, 1, 0);
        compared += check_random_problem(seed + 200000, make_random,
                                         LEMICA_ASSUMPTION_NONE, 1, 0);
    }
    ck_assert_int_gt(compared, 3000);
}
END_TEST

/* Weights at the edges of the doubles: the guesses (logs, scales, sums
 * that overflow) choose batches only; the schedules stay exact. */
START_TEST(test_adaptive_extreme_equals_full)
{
    int compared = 0;

    for (uint64_t seed = 1; seed <= 150; seed++)
        for (int a = 0; a < 3; a++)
            compared += check_random_problem(seed * 3 + (uint64_t)a + 700000,
                                             make_extreme_nested,
                                             (lemica_assumption)a, 1,
                                             (int)(seed % 2));
    ck_assert_int_gt(compared, 400);
}
END_TEST

/* Violating graphs (NESTED and SAME_START in turn): the loop ends with
 * valid schedules, and violations are reported on a good share of them. */
START_TEST(test_adaptive_violations_terminate)
{
    int reported = 0;

    for (uint64_t seed = 1; seed <= 500; seed++) {
        uint64_t rng = seed;
        struct table t;
        lemica_adaptive *adaptive = NULL;
        lemica_profiler *profiler = NULL;
        lemica_schedule *schedule = NULL;

        random_table(&t, &rng, 0);
        t.n = t.n < 6 ? 6 : t.n;
        t.k = t.n - 1;
        make_random(&t, &rng);
        ck_assert_ok(lemica_adaptive_new(t.n, t.k,
                                         seed % 2 ? LEMICA_ASSUMPTION_NESTED
                                                  : LEMICA_ASSUMPTION_SAME_START,
                                         &adaptive));
        ck_assert_ok(lemica_adaptive_request_budget(adaptive, 3));
        ck_assert_ok(lemica_adaptive_request_budget(adaptive, t.n - 1));
        ck_assert_ok(lemica_profiler_new(t.n, t.k, LEMICA_METRIC_L1, &profiler));
        run_loop(adaptive, profiler, &t, 1 + seed % 4);
        if (lemica_adaptive_num_violations(adaptive) > 0) {
            int of, ot, inf, it;
            double excess;

            reported++;
            ck_assert_ok(lemica_adaptive_worst_violation(adaptive, &of, &ot,
                                                         &inf, &it, &excess));
            ck_assert(of <= inf && it <= ot && ot - of > it - inf);
            ck_assert(excess > 0);
            ck_assert(t.w[inf][it] - t.w[of][ot] == excess);
        }
        ck_assert_ok(lemica_adaptive_schedule(adaptive, 3, &schedule));
        ck_assert_int_eq(lemica_schedule_budget(schedule), 3);
        lemica_schedule_free(schedule);
        lemica_profiler_free(profiler);
        lemica_adaptive_free(adaptive);
    }
    ck_assert_int_gt(reported, 100);
}
END_TEST

/* A hand-made violation, reported by the loop and by the standalone
 * check, for each assumption. */
START_TEST(test_adaptive_violation_example)
{
    lemica_profiler *profiler = NULL;
    size_t count;
    int of, ot, inf, it;
    double excess;

    ck_assert_ok(lemica_profiler_new(6, 5, LEMICA_METRIC_L1, &profiler));
    /* (1, 3) = 5 inside (0, 4) = 2: NESTED broken (excess 3); (1, 4) = 4
     * after (1, 3) = 5: SAME_START broken (excess 1). */
    ck_assert_ok(lemica_profiler_add_error(profiler, 0, 4, 2.0));
    ck_assert_ok(lemica_profiler_add_error(profiler, 1, 3, 5.0));
    ck_assert_ok(lemica_profiler_add_error(profiler, 1, 4, 4.0));
    ck_assert_ok(lemica_assumption_check(profiler, LEMICA_ASSUMPTION_NESTED,
                                         LEMICA_AGGREGATE_MEAN, 0, &count, &of,
                                         &ot, &inf, &it, &excess));
    ck_assert_uint_eq(count, 2);
    ck_assert_int_eq(of, 0);
    ck_assert_int_eq(ot, 4);
    ck_assert_int_eq(inf, 1);
    ck_assert_int_eq(it, 3);
    ck_assert(excess == 3.0);
    ck_assert_ok(lemica_assumption_check(profiler, LEMICA_ASSUMPTION_SAME_START,
                                         LEMICA_AGGREGATE_MEAN, 0, &count, &of,
                                         &ot, &inf, &it, &excess));
    ck_assert_uint_eq(count, 1);
    ck_assert_int_eq(of, 1);
    ck_assert_int_eq(ot, 4);
    ck_assert_int_eq(inf, 1);
    ck_assert_int_eq(it, 3);
    ck_assert(excess == 1.0);
    ck_assert_ok(lemica_assumption_check(profiler, LEMICA_ASSUMPTION_NONE,
                                         LEMICA_AGGREGATE_MEAN, 0, &count, &of,
                                         NULL, NULL, NULL, &excess));
    ck_assert_uint_eq(count, 0);
    ck_assert_int_eq(of, -1);
    ck_assert(excess == 0.0);
    ck_assert_status(lemica_assumption_check(NULL, LEMICA_ASSUMPTION_NONE,
                                             LEMICA_AGGREGATE_MEAN, 0, &count,
                                             NULL, NULL, NULL, NULL, NULL),
                     LEMICA_ERR_INVALID_ARGUMENT);
    lemica_profiler_free(profiler);
}
END_TEST

/* The counters: calls = N per sample + (N - j) per sample a plan asked
 * for; full = lemica_plan_model_calls() of a full plan times S. */
START_TEST(test_adaptive_counters)
{
    struct table t = {10, 9, {{0}}};
    uint64_t rng = 7, expected;
    lemica_adaptive *adaptive = NULL;
    lemica_profiler *profiler = NULL;
    lemica_plan *full = NULL;
    size_t measured = 0;

    make_nested(&t, &rng);
    ck_assert_ok(lemica_adaptive_new(10, 9, LEMICA_ASSUMPTION_NESTED, &adaptive));
    ck_assert_uint_eq(lemica_adaptive_model_calls(adaptive), 0);
    ck_assert_ok(lemica_adaptive_request_budget(adaptive, 4));
    ck_assert_ok(lemica_profiler_new(10, 9, LEMICA_METRIC_L1, &profiler));
    run_loop(adaptive, profiler, &t, 3);
    expected = 10;
    for (int i = 0; i < 8; i++)
        for (int j = i + 2; j <= 9; j++) {
            uint64_t count = 0;
            lemica_profiler_edge_stats(profiler, i, j, &count, NULL, NULL, NULL,
                                       NULL);
            if (count) {
                expected += (uint64_t)(10 - j);
                measured++;
            }
        }
    ck_assert_uint_eq(lemica_adaptive_model_calls(adaptive), expected);
    ck_assert_uint_eq(lemica_adaptive_num_measured(adaptive), measured);
    ck_assert_ok(lemica_plan_new(10, 9, &full));
    ck_assert_uint_eq(lemica_adaptive_full_model_calls(adaptive),
                      lemica_plan_model_calls(full));
    ck_assert_uint_lt(expected, lemica_plan_model_calls(full));
    lemica_plan_free(full);
    lemica_profiler_free(profiler);
    lemica_adaptive_free(adaptive);
}
END_TEST

/* The measurements of the tests that add samples (adaptive-driver.h).
 * measure_new_samples: sample s of a segment is tables[s]'s error, and a
 * replayed segment always lacks a sample. */
static lemica_status
measure_new_samples(lemica_profiler *profiler, int from, int to,
                    uint64_t first_sample, uint64_t end_sample, void *ctx)
{
    const struct table *tables = ctx;

    ck_assert_uint_lt(first_sample, end_sample);
    for (uint64_t s = first_sample; s < end_sample; s++)
        ck_assert_ok(lemica_profiler_add_error(profiler, from, to,
                                               tables[s].w[from][to]));
    return LEMICA_OK;
}

/* Every sample the same table. */
static lemica_status
measure_same_sample(lemica_profiler *profiler, int from, int to,
                    uint64_t first_sample, uint64_t end_sample, void *ctx)
{
    const struct table *t = ctx;

    for (uint64_t s = first_sample; s < end_sample; s++)
        ck_assert_ok(lemica_profiler_add_error(profiler, from, to, t->w[from][to]));
    return LEMICA_OK;
}

/* Sample 1 picks 0-3-6 (1, 1) over 0-2-6 (1.05, 0.95); sample 2 raises
 * (3, 6) to a mean of 1.1, so 0-2-6 wins, with a total error 5% below
 * 0-3-6's. */
static lemica_status
measure_tolerance(lemica_profiler *profiler, int from, int to,
                  uint64_t first_sample, uint64_t end_sample, void *ctx)
{
    (void)ctx;
    for (uint64_t s = first_sample; s < end_sample; s++) {
        double error = 5.0;

        if (from == 0 && to == 3)
            error = 1.0;
        else if (from == 3 && to == 6)
            error = s == 0 ? 1.0 : 1.2;
        else if (from == 0 && to == 2)
            error = 0.95;
        else if (from == 2 && to == 6)
            error = 1.05;
        ck_assert_ok(lemica_profiler_add_error(profiler, from, to, error));
    }
    return LEMICA_OK;
}

/* Samples added over time: raising S asks again for what matters, the
 * bounds from the earlier samples stay valid, the schedules equal those of
 * the full profile of S samples, and num_stable counts unchanged plans. */
START_TEST(test_adaptive_more_samples)
{
    struct table tables[3] = {{9, 8, {{0}}}, {9, 8, {{0}}}, {9, 8, {{0}}}};
    lemica_adaptive *adaptive = NULL;
    lemica_profiler *profiler = NULL;
    uint64_t rng = 99;

    for (int s = 0; s < 3; s++)
        make_nested(&tables[s], &rng);
    ck_assert_ok(lemica_adaptive_new(9, 8, LEMICA_ASSUMPTION_NESTED, &adaptive));
    ck_assert_ok(lemica_adaptive_request_budget(adaptive, 4));
    ck_assert_ok(lemica_adaptive_request_budget(adaptive, 6));
    ck_assert_ok(lemica_profiler_new(9, 8, LEMICA_METRIC_L1, &profiler));
    ck_assert_uint_eq(lemica_adaptive_num_stable(adaptive), 0);
    for (int samples = 1; samples <= 3; samples++) {
        lemica_profiler *full = NULL;
        lemica_graph *graph = NULL;
        lemica_solver *solver = NULL;

        ck_assert_ok(lemica_adaptive_set_num_samples(adaptive, (uint64_t)samples));
        ck_assert(!lemica_adaptive_is_done(adaptive));
        ck_assert_ok(lemica_test_adaptive_run(adaptive, profiler,
                                              (uint64_t)samples,
                                              measure_new_samples, tables));
        ck_assert_uint_ge(lemica_adaptive_num_stable(adaptive), 1);
        /* Against the full profile of the same samples. */
        ck_assert_ok(lemica_profiler_new(9, 8, LEMICA_METRIC_L1, &full));
        for (int i = 0; i < 7; i++)
            for (int j = i + 2; j <= 8; j++)
                for (int s = 0; s < samples; s++)
                    ck_assert_ok(
                        lemica_profiler_add_error(full, i, j, tables[s].w[i][j]));
        ck_assert_ok(
            lemica_profiler_to_graph(full, LEMICA_AGGREGATE_MEAN, 0, 1, &graph));
        ck_assert_ok(lemica_solver_new(&solver));
        for (int b = 4; b <= 6; b += 2) {
            lemica_schedule *want = NULL, *got = NULL;
            char a[64], w[64];
            ck_assert_ok(lemica_solver_solve(solver, graph, b, &want));
            ck_assert_ok(lemica_adaptive_schedule(adaptive, b, &got));
            ck_assert_ok(lemica_schedule_format_steps(got, a, sizeof(a), NULL));
            ck_assert_ok(lemica_schedule_format_steps(want, w, sizeof(w), NULL));
            ck_assert_str_eq(a, w);
            lemica_schedule_free(want);
            lemica_schedule_free(got);
        }
        lemica_solver_free(solver);
        lemica_graph_free(graph);
        lemica_profiler_free(full);
    }
    ck_assert_uint_le(lemica_adaptive_num_stable(adaptive), 3);
    ck_assert_uint_eq(lemica_adaptive_full_model_calls(adaptive) % 3, 0);
    lemica_profiler_free(profiler);
    lemica_adaptive_free(adaptive);
}
END_TEST

/* The same plans give num_stable 1, 2, 3 as samples are added. */
START_TEST(test_adaptive_stable_count)
{
    struct table t = {8, 7, {{0}}};
    lemica_adaptive *adaptive = NULL;
    lemica_profiler *profiler = NULL;
    lemica_plan *plan = NULL;
    uint64_t rng = 5;

    make_nested(&t, &rng);
    ck_assert_ok(lemica_adaptive_new(8, 7, LEMICA_ASSUMPTION_NESTED, &adaptive));
    ck_assert_ok(lemica_adaptive_request_budget(adaptive, 4));
    ck_assert_ok(lemica_profiler_new(8, 7, LEMICA_METRIC_L1, &profiler));
    for (int samples = 1; samples <= 3; samples++) {
        ck_assert_ok(lemica_test_adaptive_run(adaptive, profiler,
                                              (uint64_t)samples,
                                              measure_same_sample, &t));
        ck_assert_uint_eq(lemica_adaptive_num_stable(adaptive), (size_t)samples);
        /* Asking again once done changes nothing. */
        ck_assert_ok(lemica_adaptive_next(adaptive, profiler, &plan));
        ck_assert_ptr_null(plan);
        ck_assert_uint_eq(lemica_adaptive_num_stable(adaptive), (size_t)samples);
    }
    lemica_profiler_free(profiler);
    lemica_adaptive_free(adaptive);
}
END_TEST

/* With a tolerance, schedules that change but keep their total error
 * within it count as unchanged; without, they reset the count. */
START_TEST(test_adaptive_stable_tolerance)
{
    for (int with_tolerance = 0; with_tolerance < 2; with_tolerance++) {
        lemica_adaptive *adaptive = NULL;
        lemica_profiler *profiler = NULL;

        ck_assert_ok(lemica_adaptive_new(7, 4, LEMICA_ASSUMPTION_NONE, &adaptive));
        ck_assert_ok(lemica_adaptive_request_budget(adaptive, 3));
        ck_assert_ok(
            lemica_adaptive_set_stable_tolerance(adaptive, with_tolerance ? 0.1 : 0));
        ck_assert_ok(lemica_profiler_new(7, 4, LEMICA_METRIC_L1, &profiler));
        for (int samples = 1; samples <= 2; samples++) {
            ck_assert_ok(lemica_test_adaptive_run(adaptive, profiler,
                                                  (uint64_t)samples,
                                                  measure_tolerance, NULL));
        }
        ck_assert_uint_eq(lemica_adaptive_num_stable(adaptive),
                          (with_tolerance ? 2u : 1u));
        lemica_profiler_free(profiler);
        lemica_adaptive_free(adaptive);
    }
}
END_TEST

START_TEST(test_adaptive_bad_input)
{
    lemica_adaptive *adaptive = NULL;
    lemica_profiler *profiler = NULL, *other = NULL;
    lemica_plan *plan = NULL;
    lemica_schedule *schedule = NULL;
    size_t rounds;
    int from, to;

    ck_assert_status(lemica_adaptive_new(1, 1, LEMICA_ASSUMPTION_NONE, &adaptive),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_ptr_null(adaptive);
    ck_assert_status(lemica_adaptive_new(10, 0, LEMICA_ASSUMPTION_NONE, &adaptive),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_adaptive_new(10, 3, (lemica_assumption)7, &adaptive),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_adaptive_new(LEMICA_MAX_STEPS + 1, 3,
                                         LEMICA_ASSUMPTION_NONE, &adaptive),
                     LEMICA_ERR_TOO_LARGE);
    ck_assert_status(lemica_adaptive_new(10, 3, LEMICA_ASSUMPTION_NONE, NULL),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_ok(lemica_adaptive_new(10, 4, LEMICA_ASSUMPTION_NESTED, &adaptive));
    ck_assert_ok(lemica_profiler_new(10, 4, LEMICA_METRIC_L1, &profiler));

    /* No budget yet. */
    ck_assert_status(lemica_adaptive_next(adaptive, profiler, &plan),
                     LEMICA_ERR_STATE);
    ck_assert_ptr_null(plan);
    ck_assert_status(lemica_adaptive_request_budget(adaptive, 1),
                     LEMICA_ERR_OUT_OF_RANGE);
    ck_assert_status(lemica_adaptive_request_budget(adaptive, 11),
                     LEMICA_ERR_OUT_OF_RANGE);
    ck_assert(!lemica_adaptive_is_budget_requested(adaptive, 11));
    ck_assert_status(lemica_adaptive_request_budget(NULL, 5),
                     LEMICA_ERR_INVALID_ARGUMENT);
    /* Budget 2 cannot be met with K = 4 over 10 steps. */
    ck_assert_ok(lemica_adaptive_request_budget(adaptive, 2));
    ck_assert_status(lemica_adaptive_next(adaptive, profiler, &plan),
                     LEMICA_ERR_INFEASIBLE);
    lemica_adaptive_clear_budgets(adaptive);
    ck_assert(!lemica_adaptive_is_budget_requested(adaptive, 2));
    ck_assert_ok(lemica_adaptive_request_budget(adaptive, 5));
    ck_assert(lemica_adaptive_is_budget_requested(adaptive, 5));
    ck_assert_uint_eq(lemica_adaptive_num_rounds(adaptive), 0);

    ck_assert_status(lemica_adaptive_set_min_batch(adaptive, 0),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_adaptive_set_num_samples(adaptive, 0),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_adaptive_set_aggregate(adaptive, (lemica_aggregate)9, 0),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(
        lemica_adaptive_set_aggregate(
            adaptive, LEMICA_AGGREGATE_MEAN_PLUS_Z_STD, (double)NAN),
        LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_adaptive_set_aggregate(
                         adaptive, LEMICA_AGGREGATE_MEAN_PLUS_Z_STD, -1.0),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_adaptive_set_comparator(adaptive, LEMICA_COMPARATOR_USER),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(
        lemica_adaptive_set_stable_tolerance(adaptive, (double)NAN),
        LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_adaptive_set_stable_tolerance(adaptive, -0.5),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_adaptive_set_stable_tolerance(NULL, 0.1),
                     LEMICA_ERR_INVALID_ARGUMENT);

    /* Schedules before the end. */
    ck_assert_status(lemica_adaptive_schedule(adaptive, 5, &schedule),
                     LEMICA_ERR_STATE);
    ck_assert_ptr_null(schedule);

    /* A profiler of another N or K. */
    ck_assert_ok(lemica_profiler_new(11, 4, LEMICA_METRIC_L1, &other));
    ck_assert_status(lemica_adaptive_next(adaptive, other, &plan),
                     LEMICA_ERR_MISMATCH);
    lemica_profiler_free(other);
    ck_assert_ok(lemica_profiler_new(10, 3, LEMICA_METRIC_L1, &other));
    ck_assert_status(lemica_adaptive_next(adaptive, other, &plan),
                     LEMICA_ERR_MISMATCH);
    lemica_profiler_free(other);
    ck_assert_ptr_null(plan);
    ck_assert_uint_eq(lemica_adaptive_num_rounds(adaptive), 0);
    ck_assert_status(lemica_adaptive_next(NULL, profiler, &plan),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_adaptive_next(adaptive, NULL, &plan),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_adaptive_next(adaptive, profiler, NULL),
                     LEMICA_ERR_INVALID_ARGUMENT);

    /* A first round, then samples on a segment no plan asked for. */
    ck_assert_ok(lemica_adaptive_next(adaptive, profiler, &plan));
    ck_assert_ptr_nonnull(plan);
    ck_assert_ok(lemica_plan_replay(plan, 0, &from, &to));
    ck_assert_uint_eq(lemica_adaptive_num_rounds(adaptive), 1);
    {
        int unasked_from = -1, unasked_to = -1;
        lemica_plan *again = NULL;

        for (int i = 0; i + 2 <= 9 && unasked_from < 0; i++)
            for (int j = i + 2; j <= 9 && j - i <= 4; j++)
                if (lemica_plan_is_selected(plan, i, j) == 0) {
                    unasked_from = i;
                    unasked_to = j;
                    break;
                }
        ck_assert_int_ge(unasked_from, 0);
        ck_assert_ok(lemica_profiler_add_error(profiler, unasked_from,
                                               unasked_to, 1.0));
        ck_assert_status(lemica_adaptive_next(adaptive, profiler, &again),
                         LEMICA_ERR_STATE);
        ck_assert_message_has("no plan asked for it");
        ck_assert_ptr_null(again);
        ck_assert_uint_eq(lemica_adaptive_num_rounds(adaptive), 1);
    }
    lemica_plan_free(plan);
    /* Negative and NaN errors: the profiler refuses them, nothing changes. */
    ck_assert_status(lemica_profiler_add_error(profiler, from, to, -1.0),
                     LEMICA_ERR_INVALID_VALUE);
    ck_assert_status(lemica_profiler_add_error(profiler, from, to, (double)NAN),
                     LEMICA_ERR_INVALID_VALUE);
    ck_assert_status(lemica_adaptive_worst_violation(NULL, NULL, NULL, NULL,
                                                     NULL, NULL),
                     LEMICA_ERR_INVALID_ARGUMENT);
    lemica_profiler_free(profiler);
    lemica_adaptive_free(adaptive);
    lemica_adaptive_free(NULL);

    /* Losing samples (another profiler) is refused too. */
    ck_assert_ok(lemica_adaptive_new(8, 7, LEMICA_ASSUMPTION_NONE, &adaptive));
    ck_assert_ok(lemica_adaptive_request_budget(adaptive, 4));
    ck_assert_ok(lemica_profiler_new(8, 7, LEMICA_METRIC_L1, &profiler));
    ck_assert_ok(lemica_adaptive_next(adaptive, profiler, &plan));
    ck_assert_ok(lemica_plan_replay(plan, 0, &from, &to));
    lemica_plan_free(plan);
    ck_assert_ok(lemica_profiler_add_error(profiler, from, to, 1.0));
    ck_assert_ok(lemica_adaptive_next(adaptive, profiler, &plan));
    lemica_plan_free(plan);
    ck_assert_ok(lemica_profiler_new(8, 7, LEMICA_METRIC_L1, &other));
    rounds = lemica_adaptive_num_rounds(adaptive);
    ck_assert_status(lemica_adaptive_next(adaptive, other, &plan),
                     LEMICA_ERR_STATE);
    ck_assert_uint_eq(lemica_adaptive_num_rounds(adaptive), rounds);
    /* Budgets not requested once done. */
    lemica_profiler_free(other);
    lemica_profiler_free(profiler);
    lemica_adaptive_free(adaptive);
}
END_TEST

/* Nothing to measure: N = 2 and K = 1 are done at once. */
START_TEST(test_adaptive_trivial)
{
    lemica_adaptive *adaptive = NULL;
    lemica_profiler *profiler = NULL;
    lemica_plan *plan = NULL;
    lemica_schedule *schedule = NULL;

    ck_assert_ok(lemica_adaptive_new(6, 1, LEMICA_ASSUMPTION_NESTED, &adaptive));
    ck_assert_ok(lemica_adaptive_request_all_budgets(adaptive));
    ck_assert_ok(lemica_profiler_new(6, 1, LEMICA_METRIC_L1, &profiler));
    ck_assert_ok(lemica_adaptive_next(adaptive, profiler, &plan));
    ck_assert_ptr_null(plan);
    ck_assert(lemica_adaptive_is_done(adaptive));
    ck_assert_ok(lemica_adaptive_schedule(adaptive, 6, &schedule));
    ck_assert_int_eq(lemica_schedule_budget(schedule), 6);
    lemica_schedule_free(schedule);
    ck_assert_status(lemica_adaptive_schedule(adaptive, 7, &schedule),
                     LEMICA_ERR_OUT_OF_RANGE);
    ck_assert_uint_eq(lemica_adaptive_model_calls(adaptive), 6);
    ck_assert_uint_eq(lemica_adaptive_full_model_calls(adaptive), 6);
    /* A new request reopens the loop. */
    ck_assert_ok(lemica_adaptive_set_num_samples(adaptive, 2));
    ck_assert(!lemica_adaptive_is_done(adaptive));
    lemica_profiler_free(profiler);
    lemica_adaptive_free(adaptive);
}
END_TEST

/* Larger diffusion-like graphs, where the batch choice's model guesses
 * well and the rounds take the guessed paths and their certificates: the
 * schedules are still exactly the full profile's, for every assumption
 * (both hold), comparator and batch size. */
START_TEST(test_adaptive_drift_equals_full)
{
    int compared = 0;

    for (uint64_t seed = 1; seed <= 120; seed++)
        for (int a = 0; a < 3; a++)
            compared += check_random_problem(seed * 3 + (uint64_t)a + 300000,
                                             make_drift, (lemica_assumption)a,
                                             1, 1);
    ck_assert_int_gt(compared, 360);
}
END_TEST

/* SAME_START on larger graphs where only it holds: the rounds place row
 * caps from calibrated guesses; the schedules stay exactly the full
 * profile's for every comparator, budget set and batch size. */
START_TEST(test_adaptive_same_start_drift_equals_full)
{
    int compared = 0;

    for (uint64_t seed = 1; seed <= 200; seed++) {
        compared += check_random_problem(seed + 400000, make_drift,
                                         LEMICA_ASSUMPTION_SAME_START, 1, 1);
        compared += check_random_problem(seed + 500000, make_row_scaled_drift,
                                         LEMICA_ASSUMPTION_SAME_START, 1, 1);
    }
    ck_assert_int_gt(compared, 400);
}
END_TEST

/* The same graphs with noise: both assumptions fail here and there; the
 * loop ends (every round measures something new) with schedules of the
 * requested budgets, and reports violations. */
START_TEST(test_adaptive_noisy_drift_terminates)
{
    int reported = 0;

    for (uint64_t seed = 1; seed <= 120; seed++)
        for (int a = 1; a < 3; a++) {
            uint64_t rng = seed * 7 + (uint64_t)a;
            struct table t;
            lemica_adaptive *adaptive = NULL;
            lemica_profiler *profiler = NULL;
            lemica_schedule *schedule = NULL;
            int budget;

            random_table(&t, &rng, 1);
            t.k = t.n - 1;
            make_noisy_drift(&t, &rng);
            budget = 3 + test_rng_below(&rng, t.n - 3);
            ck_assert_ok(lemica_adaptive_new(t.n, t.k, (lemica_assumption)a,
                                             &adaptive));
            ck_assert_ok(lemica_adaptive_request_budget(adaptive, budget));
            ck_assert_ok(lemica_profiler_new(t.n, t.k, LEMICA_METRIC_L1,
                                             &profiler));
            run_loop(adaptive, profiler, &t, 1 + seed % 20);
            reported += lemica_adaptive_num_violations(adaptive) > 0;
            ck_assert_uint_le(lemica_adaptive_model_calls(adaptive),
                              lemica_adaptive_full_model_calls(adaptive));
            ck_assert_ok(lemica_adaptive_schedule(adaptive, budget, &schedule));
            ck_assert_int_eq(lemica_schedule_budget(schedule), budget);
            lemica_schedule_free(schedule);
            lemica_profiler_free(profiler);
            lemica_adaptive_free(adaptive);
        }
    ck_assert_int_gt(reported, 40);
}
END_TEST

TEST_SUITE(adaptive)
{
    add_test(suite, test_adaptive_nested_equals_full);
    add_test(suite, test_adaptive_extreme_equals_full);
    add_test(suite, test_adaptive_same_start_equals_full);
    add_test(suite, test_adaptive_violations_terminate);
    add_test(suite, test_adaptive_violation_example);
    add_test(suite, test_adaptive_counters);
    add_test(suite, test_adaptive_more_samples);
    add_test(suite, test_adaptive_stable_count);
    add_test(suite, test_adaptive_stable_tolerance);
    add_test(suite, test_adaptive_bad_input);
    add_test(suite, test_adaptive_trivial);
    add_test(suite, test_adaptive_drift_equals_full);
    add_test(suite, test_adaptive_same_start_drift_equals_full);
    add_test(suite, test_adaptive_noisy_drift_terminates);
}
