/* SPDX-License-Identifier: MIT */
/* The sample stopping rule: on a 6-step problem whose samples are chosen
 * by hand (one budget, the SUM comparator), it stops exactly when the
 * window's schedules agree by error, not before the window is full, not
 * while an older schedule is worse under the newer samples; near-ties that
 * swap schedules do not hold it back; bad input leaves it as it was. */
#include <math.h>

#include "adaptive-driver.h"
#include "test-common.h"

#define N 6

/* The errors of one sample: every segment (i, j) costs the square of its
 * skipped steps, (j - i - 1)^2, except (0, 2), which costs @first. With
 * SUM and budget 3 (steps 0, x, 5) the paths through x = 2 and x = 3
 * cost first + 4 and 5, those through 1 and 4 cost 9. */
static double
error_of(int from, int to, double first)
{
    double skipped = (double)(to - from - 1);

    return from == 0 && to == 2 ? first : skipped * skipped;
}

struct run {
    lemica_adaptive *adaptive;
    lemica_profiler *profiler;
    lemica_sample_stop *rule;
    double firsts[16]; /* (0, 2)'s error per sample */
    int samples;
};

static void
run_new(struct run *run, size_t window, double tolerance)
{
    memset(run, 0, sizeof(*run));
    ck_assert_ok(lemica_adaptive_new(N, N - 1, LEMICA_ASSUMPTION_NONE,
                                     &run->adaptive));
    ck_assert_ok(lemica_adaptive_set_comparator(run->adaptive,
                                                LEMICA_COMPARATOR_SUM));
    ck_assert_ok(lemica_adaptive_request_budget(run->adaptive, 3));
    ck_assert_ok(lemica_profiler_new(N, N - 1, LEMICA_METRIC_L1, &run->profiler));
    ck_assert_ok(lemica_sample_stop_new(window, tolerance, &run->rule));
}

static void
run_free(struct run *run)
{
    lemica_sample_stop_free(run->rule);
    lemica_profiler_free(run->profiler);
    lemica_adaptive_free(run->adaptive);
}

/* The loop's measurement (adaptive-driver.h): sample s's errors. */
static lemica_status
measure_samples(lemica_profiler *profiler, int from, int to,
                uint64_t first_sample, uint64_t end_sample, void *ctx)
{
    const struct run *run = ctx;

    for (uint64_t s = first_sample; s < end_sample; s++)
        ck_assert_ok(lemica_profiler_add_error(profiler, from, to,
                                               error_of(from, to, run->firsts[s])));
    return LEMICA_OK;
}

/* Add a sample whose (0, 2) costs @first, run the loop to its end. */
static void
run_add_sample(struct run *run, double first)
{
    run->firsts[run->samples++] = first;
    ck_assert_ok(lemica_test_adaptive_run(run->adaptive, run->profiler,
                                          (uint64_t)run->samples,
                                          measure_samples, run));
}

static int
run_update(struct run *run)
{
    int stop = -1;

    ck_assert_ok(lemica_sample_stop_update(run->rule, run->adaptive,
                                           run->profiler, &stop));
    ck_assert_int_eq(stop, lemica_sample_stop_should_stop(run->rule));
    return stop;
}

static int
middle_step(lemica_adaptive *adaptive)
{
    lemica_schedule *schedule = NULL;
    int steps[3];
    size_t count = 0;

    ck_assert_ok(lemica_adaptive_schedule(adaptive, 3, &schedule));
    ck_assert_ok(lemica_schedule_steps(schedule, steps, 3, &count));
    lemica_schedule_free(schedule);
    ck_assert_uint_eq(count, 3);
    return steps[1];
}

/* The same samples every time: no stop before the window is full, then
 * a stop. */
START_TEST(test_sample_stop_window)
{
    struct run run;

    run_new(&run, 3, 0.0);
    ck_assert_int_eq(lemica_sample_stop_should_stop(run.rule), 0);
    ck_assert_double_eq(lemica_sample_stop_excess(run.rule), 0.0);
    run_add_sample(&run, 0.5);
    ck_assert_int_eq(middle_step(run.adaptive), 2);
    ck_assert_int_eq(run_update(&run), 0);
    run_add_sample(&run, 0.5);
    ck_assert_int_eq(run_update(&run), 0);
    run_add_sample(&run, 0.5);
    ck_assert_int_eq(run_update(&run), 1);
    ck_assert_double_eq(lemica_sample_stop_excess(run.rule), 0.0);
    /* Reset forgets the window. */
    lemica_sample_stop_reset(run.rule);
    ck_assert_int_eq(lemica_sample_stop_should_stop(run.rule), 0);
    run_add_sample(&run, 0.5);
    ck_assert_int_eq(run_update(&run), 0);
    run_free(&run);
}
END_TEST

/* The first sample favours x = 2, the later ones x = 3 by far: the rule
 * must not stop while the first schedule, worse under the new samples,
 * is in the window, and stops once the window holds only x = 3. */
START_TEST(test_sample_stop_changed_plan)
{
    struct run run;
    double excess;

    run_new(&run, 3, 0.1);
    run_add_sample(&run, 0.5);
    ck_assert_int_eq(middle_step(run.adaptive), 2);
    ck_assert_int_eq(run_update(&run), 0);
    run_add_sample(&run, 3.0);
    ck_assert_int_eq(middle_step(run.adaptive), 3);
    ck_assert_int_eq(run_update(&run), 0);
    /* (0, 2) now costs 1.75 on average: x = 2 costs 5.75 against 5. */
    ck_assert_double_eq_tol(lemica_sample_stop_excess(run.rule), 0.15, 1e-12);
    run_add_sample(&run, 3.0);
    ck_assert_int_eq(middle_step(run.adaptive), 3);
    ck_assert_int_eq(run_update(&run), 0);
    excess = (0.5 + 3.0 + 3.0) / 3.0 + 4.0;
    ck_assert_double_eq_tol(lemica_sample_stop_excess(run.rule), excess / 5.0 - 1.0,
                            1e-12);
    run_add_sample(&run, 3.0);
    ck_assert_int_eq(run_update(&run), 1);
    ck_assert_double_eq(lemica_sample_stop_excess(run.rule), 0.0);
    run_free(&run);
}
END_TEST

/* Near-ties: the schedule swaps between x = 2 and x = 3 at every sample,
 * each within 1% of the other. A tolerance of 0.05 stops at the third
 * update; with 0 the rule never stops. */
START_TEST(test_sample_stop_near_ties)
{
    static const double firsts[] = {0.99, 1.03, 0.97, 1.03, 0.97, 1.03};

    for (int strict = 0; strict <= 1; strict++) {
        struct run run;
        int previous = -1;

        run_new(&run, 3, strict ? 0.0 : 0.05);
        for (int s = 0; s < 6; s++) {
            int middle, stop;

            run_add_sample(&run, firsts[s]);
            middle = middle_step(run.adaptive);
            ck_assert_int_ne(middle, previous);
            previous = middle;
            stop = run_update(&run);
            ck_assert_int_eq(stop, !strict && s >= 2);
            ck_assert(lemica_sample_stop_excess(run.rule) < 0.05);
            if (s >= 1)
                ck_assert(lemica_sample_stop_excess(run.rule) > 0.0);
        }
        run_free(&run);
    }
}
END_TEST

/* A budget requested after the first updates: the older ones lack it,
 * so the window disagrees until it holds only updates that have it. */
START_TEST(test_sample_stop_new_budget)
{
    struct run run;

    run_new(&run, 2, 0.5);
    run_add_sample(&run, 0.5);
    ck_assert_int_eq(run_update(&run), 0);
    ck_assert_ok(lemica_adaptive_request_budget(run.adaptive, 4));
    run_add_sample(&run, 0.5);
    ck_assert_int_eq(run_update(&run), 0);
    ck_assert(isinf(lemica_sample_stop_excess(run.rule)));
    run_add_sample(&run, 0.5);
    ck_assert_int_eq(run_update(&run), 1);
    run_free(&run);
}
END_TEST

START_TEST(test_sample_stop_bad_input)
{
    lemica_sample_stop *rule = (lemica_sample_stop *)&rule;
    lemica_profiler *other = NULL;
    struct run run;
    int stop = -1;

    ck_assert_status(lemica_sample_stop_new(3, 0.1, NULL),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_sample_stop_new(1, 0.1, &rule),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_ptr_null(rule);
    ck_assert_status(lemica_sample_stop_new(0, 0.1, &rule),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_sample_stop_new(LEMICA_SAMPLE_STOP_MAX_WINDOW + 1, 0.1,
                                            &rule),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_sample_stop_new(3, (double)NAN, &rule),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_sample_stop_new(3, -0.1, &rule),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_sample_stop_new(3, (double)INFINITY, &rule),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_ok(lemica_sample_stop_new(LEMICA_SAMPLE_STOP_MAX_WINDOW, 0, &rule));
    lemica_sample_stop_free(rule);
    lemica_sample_stop_free(NULL);
    lemica_sample_stop_reset(NULL);
    ck_assert_int_eq(lemica_sample_stop_should_stop(NULL), 0);
    ck_assert(isnan(lemica_sample_stop_excess(NULL)));

    run_new(&run, 2, 0.0);
    /* The loop has not run. */
    ck_assert_status(lemica_sample_stop_update(run.rule, run.adaptive,
                                               run.profiler, &stop),
                     LEMICA_ERR_STATE);
    ck_assert_int_eq(stop, 0);
    run_add_sample(&run, 0.5);
    ck_assert_status(lemica_sample_stop_update(NULL, run.adaptive, run.profiler,
                                               &stop),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_sample_stop_update(run.rule, NULL, run.profiler, &stop),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_sample_stop_update(run.rule, run.adaptive, NULL, &stop),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_sample_stop_update(run.rule, run.adaptive,
                                               run.profiler, NULL),
                     LEMICA_ERR_INVALID_ARGUMENT);
    /* A profiler of another N. */
    ck_assert_ok(lemica_profiler_new(N + 1, N, LEMICA_METRIC_L1, &other));
    ck_assert_ok(lemica_profiler_add_error(other, 0, 2, 1.0));
    ck_assert_status(lemica_sample_stop_update(run.rule, run.adaptive, other, &stop),
                     LEMICA_ERR_INVALID_ARGUMENT);
    lemica_profiler_free(other);
    /* A smaller N, below every requested budget (3): still another N. */
    ck_assert_ok(lemica_profiler_new(N - 4, 1, LEMICA_METRIC_L1, &other));
    ck_assert_status(lemica_sample_stop_update(run.rule, run.adaptive, other, &stop),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_message_has("N = 2");
    lemica_profiler_free(other);
    ck_assert_int_eq(run_update(&run), 0);
    /* No sample added since: refused, the rule as it was. */
    run_add_sample(&run, 0.5);
    ck_assert_int_eq(run_update(&run), 1);
    ck_assert_status(lemica_sample_stop_update(run.rule, run.adaptive,
                                               run.profiler, &stop),
                     LEMICA_ERR_STATE);
    ck_assert_int_eq(stop, 0);
    ck_assert_int_eq(lemica_sample_stop_should_stop(run.rule), 1);
    /* No budget requested. */
    lemica_adaptive_clear_budgets(run.adaptive);
    ck_assert_status(lemica_sample_stop_update(run.rule, run.adaptive,
                                               run.profiler, &stop),
                     LEMICA_ERR_STATE);
    ck_assert_int_eq(lemica_sample_stop_should_stop(run.rule), 1);
    run_free(&run);
}
END_TEST

/* A profiler of the same N but another K than the earlier updates: a
 * clear error, the rule as it was; the right profiler still works. */
START_TEST(test_sample_stop_other_max_skip)
{
    lemica_profiler *other = NULL;
    struct run run;
    double excess;
    int stop = -1;

    run_new(&run, 2, 0.0);
    run_add_sample(&run, 0.5);
    ck_assert_int_eq(run_update(&run), 0);
    run_add_sample(&run, 3.0);
    ck_assert_int_eq(run_update(&run), 0);
    excess = lemica_sample_stop_excess(run.rule);
    ck_assert(excess > 0.0 && isfinite(excess));
    /* Three samples of every segment of a K = 3 profiler: more samples
     * than the last update saw, so only K tells it apart. */
    ck_assert_ok(lemica_profiler_new(N, 3, LEMICA_METRIC_L1, &other));
    for (int s = 0; s < 3; s++)
        for (int from = 0; from < N - 2; from++)
            for (int to = from + 2; to <= from + 3 && to <= N - 1; to++)
                ck_assert_ok(lemica_profiler_add_error(other, from, to,
                                                       error_of(from, to, 3.0)));
    ck_assert_status(lemica_sample_stop_update(run.rule, run.adaptive, other, &stop),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_message_has("K = 3");
    ck_assert_int_eq(stop, 0);
    ck_assert_int_eq(lemica_sample_stop_should_stop(run.rule), 0);
    ck_assert_double_eq(lemica_sample_stop_excess(run.rule), excess);
    lemica_profiler_free(other);
    /* The rule as it was: the next sample of the right profiler stops it
     * (x = 3 at the last two updates). */
    run_add_sample(&run, 3.0);
    ck_assert_int_eq(run_update(&run), 1);
    /* After a reset, another K is a new run. */
    lemica_sample_stop_reset(run.rule);
    ck_assert_ok(lemica_profiler_new(N, 3, LEMICA_METRIC_L1, &other));
    for (int from = 0; from < N - 2; from++)
        for (int to = from + 2; to <= from + 3 && to <= N - 1; to++)
            ck_assert_ok(lemica_profiler_add_error(other, from, to,
                                                   error_of(from, to, 0.5)));
    ck_assert_ok(lemica_sample_stop_update(run.rule, run.adaptive, other, &stop));
    ck_assert_int_eq(stop, 0);
    lemica_profiler_free(other);
    run_free(&run);
}
END_TEST

/* K = 1: no segment can be cached, so the loop has nothing to measure
 * and no sample can change a schedule. Every update says stop, from the
 * first on, with no excess. */
START_TEST(test_sample_stop_nothing_to_measure)
{
    lemica_adaptive *adaptive = NULL;
    lemica_profiler *profiler = NULL;
    lemica_sample_stop *rule = NULL;

    ck_assert_ok(lemica_adaptive_new(N, 1, LEMICA_ASSUMPTION_NONE, &adaptive));
    ck_assert_ok(lemica_adaptive_request_budget(adaptive, N));
    ck_assert_ok(lemica_profiler_new(N, 1, LEMICA_METRIC_L1, &profiler));
    ck_assert_ok(lemica_sample_stop_new(3, 0.0, &rule));
    for (uint64_t samples = 1; samples <= 4; samples++) {
        int stop = -1;

        ck_assert_ok(lemica_test_adaptive_run(adaptive, profiler, samples,
                                              measure_samples, NULL));
        ck_assert_ok(lemica_sample_stop_update(rule, adaptive, profiler, &stop));
        ck_assert_int_eq(stop, 1);
        ck_assert_int_eq(lemica_sample_stop_should_stop(rule), 1);
        ck_assert_double_eq(lemica_sample_stop_excess(rule), 0.0);
    }
    lemica_sample_stop_free(rule);
    lemica_profiler_free(profiler);
    lemica_adaptive_free(adaptive);
}
END_TEST

/* The standard-error condition and the cap. (0, 2) costs 0.1 and 0.9 in
 * turn: x = 2 stays best (4.5 on average against 5), so the window agrees
 * from the third update on, but the schedule's summed standard error over
 * its summed mean is 0.061, 0.051, 0.044 after 3, 4, 5 samples: at most
 * 0.05 holds it back until the fifth. A cap of 4 stops strict near-ties
 * (which never agree) at the fourth. */
START_TEST(test_sample_stop_limits)
{
    static const double firsts[] = {0.1, 0.9, 0.1, 0.9, 0.1};
    static const double ties[] = {0.99, 1.03, 0.97, 1.03, 0.97};
    struct run run;

    for (int with_se = 0; with_se <= 1; with_se++) {
        run_new(&run, 3, 0.0);
        if (with_se)
            ck_assert_ok(lemica_sample_stop_set_limits(run.rule, 0.05, 0));
        for (int s = 0; s < 5; s++) {
            run_add_sample(&run, firsts[s]);
            ck_assert_int_eq(middle_step(run.adaptive), 2);
            ck_assert_int_eq(run_update(&run), with_se ? s >= 4 : s >= 2);
        }
        run_free(&run);
    }

    run_new(&run, 3, 0.0);
    ck_assert_ok(lemica_sample_stop_set_limits(run.rule, 0.0, 4));
    /* Bad limits: refused, the cap as it was. */
    ck_assert_status(lemica_sample_stop_set_limits(NULL, 0.1, 4),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_sample_stop_set_limits(run.rule, (double)NAN, 0),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_sample_stop_set_limits(run.rule, -0.1, 0),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(
        lemica_sample_stop_set_limits(run.rule, (double)INFINITY, 0),
        LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_message_has("standard error");
    for (int s = 0; s < 5; s++) {
        run_add_sample(&run, ties[s]);
        ck_assert_int_eq(run_update(&run), s >= 3);
    }
    /* The limits survive a reset. */
    lemica_sample_stop_reset(run.rule);
    run_add_sample(&run, ties[0]);
    ck_assert_int_eq(run_update(&run), 1);
    run_free(&run);
}
END_TEST

TEST_SUITE(sample_stop)
{
    add_test(suite, test_sample_stop_window);
    add_test(suite, test_sample_stop_changed_plan);
    add_test(suite, test_sample_stop_near_ties);
    add_test(suite, test_sample_stop_new_budget);
    add_test(suite, test_sample_stop_bad_input);
    add_test(suite, test_sample_stop_other_max_skip);
    add_test(suite, test_sample_stop_nothing_to_measure);
    add_test(suite, test_sample_stop_limits);
}
