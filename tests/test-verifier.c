/* SPDX-License-Identifier: MIT */
/* The verifier: runs listed, errors reported (numbers and buffers), scores
 * under each aggregate, the choice and its tie rule, bad input. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "test-common.h"

static lemica_schedule *
steps_schedule(int num_steps, const int *steps, size_t count)
{
    lemica_schedule *schedule;

    ck_assert_ok(lemica_schedule_new_from_steps(num_steps, steps, count,
                                                &schedule));
    return schedule;
}

START_TEST(test_verifier_workflow)
{
    lemica_verifier *verifier;
    lemica_schedule *a = steps_schedule(6, (const int[]){0, 2, 5}, 3);
    lemica_schedule *b = steps_schedule(6, (const int[]){0, 3, 5}, 3);
    lemica_schedule *c = steps_schedule(6, (const int[]){0, 1, 4, 5}, 4);
    lemica_schedule *a_again = steps_schedule(6, (const int[]){0, 2, 5}, 3);
    /* errors[candidate][sample] */
    const double errors[3][4] = {{1.0, 1.0, 1.0, 1.0},
                                 {0.5, 0.5, 0.5, 1.2},
                                 {1.0, 1.0, 1.0, 1.0}};
    size_t index, candidate, sample, best;
    double score;
    int seen[3][4] = {{0}};

    ck_assert_ok(lemica_verifier_new(4, &verifier));
    ck_assert_ok(lemica_verifier_add_candidate(verifier, a, &index));
    ck_assert_uint_eq(index, 0);
    ck_assert_ok(lemica_verifier_add_candidate(verifier, b, &index));
    ck_assert_uint_eq(index, 1);
    ck_assert_ok(lemica_verifier_add_candidate(verifier, c, &index));
    ck_assert_uint_eq(index, 2);
    /* The same steps again: not a new candidate. */
    ck_assert_ok(lemica_verifier_add_candidate(verifier, a_again, &index));
    ck_assert_uint_eq(index, 0);
    ck_assert_uint_eq(lemica_verifier_num_candidates(verifier), 3);
    ck_assert_uint_eq(lemica_verifier_num_samples(verifier), 4);
    ck_assert_uint_eq(lemica_verifier_num_runs(verifier), 12);
    ck_assert_uint_eq(lemica_verifier_model_calls(verifier), (3 + 3 + 4) * 4);
    ck_assert_uint_eq(lemica_verifier_num_missing(verifier), 12);
    ck_assert_status(lemica_verifier_best(verifier, &best), LEMICA_ERR_STATE);
    ck_assert_message_has("no error for sample");
    for (size_t run = 0; run < lemica_verifier_num_runs(verifier); run++) {
        ck_assert_ok(lemica_verifier_run(verifier, run, &candidate, &sample));
        ck_assert_uint_eq(run, sample * 3 + candidate);
        ck_assert_int_eq(seen[candidate][sample]++, 0);
        if (candidate == 1 && sample == 3) {
            /* Through the metric: the L1 (mean over elements) is 1.2. */
            const float cached[2] = {3.0f, -1.0f};
            const float reference[2] = {0.6f, -1.0f};
            ck_assert_ok(lemica_verifier_report_buffers(
                verifier, candidate, sample, cached, reference, 2,
                LEMICA_DTYPE_F32));
        } else {
            ck_assert_ok(lemica_verifier_report_error(
                verifier, candidate, sample, errors[candidate][sample]));
        }
    }
    ck_assert_uint_eq(lemica_verifier_num_missing(verifier), 0);
    /* Mean: b has 0.675 < 1. */
    ck_assert_ok(lemica_verifier_best(verifier, &best));
    ck_assert_uint_eq(best, 1);
    ck_assert_ok(lemica_verifier_score(verifier, 1, &score));
    ck_assert(fabs(score - 0.675) < 1e-6);
    /* Max: b's worst sample loses; a and c tie, the earlier wins. */
    ck_assert_ok(lemica_verifier_set_aggregate(verifier, LEMICA_AGGREGATE_MAX,
                                               0.0));
    ck_assert_ok(lemica_verifier_best(verifier, &best));
    ck_assert_uint_eq(best, 0);
    ck_assert_ok(lemica_verifier_score(verifier, 1, &score));
    ck_assert(fabs(score - 1.2) < 1e-6);
    /* mean + z std: b's spread counts (0.675 + 0.35 > 1). */
    ck_assert_ok(lemica_verifier_set_aggregate(
        verifier, LEMICA_AGGREGATE_MEAN_PLUS_Z_STD, 1.0));
    ck_assert_ok(lemica_verifier_best(verifier, &best));
    ck_assert_uint_eq(best, 0);
    ck_assert_ok(lemica_verifier_set_aggregate(
        verifier, LEMICA_AGGREGATE_MEAN_PLUS_Z_STD, 0.0));
    ck_assert_ok(lemica_verifier_best(verifier, &best));
    ck_assert_uint_eq(best, 1);
    /* A later report replaces an earlier one. */
    ck_assert_ok(lemica_verifier_report_error(verifier, 0, 0, 0.0));
    ck_assert_ok(lemica_verifier_report_error(verifier, 0, 1, 0.0));
    ck_assert_ok(lemica_verifier_best(verifier, &best));
    ck_assert_uint_eq(best, 0);

    lemica_verifier_free(verifier);
    lemica_schedule_free(a);
    lemica_schedule_free(b);
    lemica_schedule_free(c);
    lemica_schedule_free(a_again);
}
END_TEST

START_TEST(test_verifier_bad_input)
{
    lemica_verifier *verifier = (lemica_verifier *)&verifier;
    lemica_schedule *a = steps_schedule(6, (const int[]){0, 2, 5}, 3);
    lemica_schedule *other = steps_schedule(7, (const int[]){0, 2, 6}, 3);
    const lemica_schedule *out;
    size_t index, candidate, sample, best;
    double score;
    const float x[1] = {(double)NAN}, y[1] = {0.0f};

    ck_assert_status(lemica_verifier_new(0, &verifier),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_ptr_null(verifier);
    ck_assert_status(lemica_verifier_new(1, NULL), LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_verifier_new((size_t)LEMICA_MAX_VERIFIER_RUNS + 1,
                                         &verifier),
                     LEMICA_ERR_TOO_LARGE);
    ck_assert_ok(lemica_verifier_new(2, &verifier));
    ck_assert_status(lemica_verifier_best(verifier, &best), LEMICA_ERR_STATE);
    ck_assert_message_has("no candidate");
    ck_assert_status(lemica_verifier_add_candidate(verifier, NULL, &index),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_ok(lemica_verifier_add_candidate(verifier, a, NULL));
    ck_assert_status(lemica_verifier_add_candidate(verifier, other, &index),
                     LEMICA_ERR_MISMATCH);
    ck_assert_uint_eq(lemica_verifier_num_candidates(verifier), 1);
    ck_assert_status(lemica_verifier_candidate(verifier, 1, &out),
                     LEMICA_ERR_OUT_OF_RANGE);
    ck_assert_ok(lemica_verifier_candidate(verifier, 0, &out));
    ck_assert_int_eq(lemica_schedule_budget(out), 3);
    ck_assert_status(lemica_verifier_run(verifier, 2, &candidate, &sample),
                     LEMICA_ERR_OUT_OF_RANGE);
    ck_assert_status(lemica_verifier_report_error(verifier, 1, 0, 1.0),
                     LEMICA_ERR_OUT_OF_RANGE);
    ck_assert_status(lemica_verifier_report_error(verifier, 0, 2, 1.0),
                     LEMICA_ERR_OUT_OF_RANGE);
    ck_assert_status(lemica_verifier_report_error(verifier, 0, 0, (double)NAN),
                     LEMICA_ERR_INVALID_VALUE);
    ck_assert_status(lemica_verifier_report_error(verifier, 0, 0, -1.0),
                     LEMICA_ERR_INVALID_VALUE);
    ck_assert_status(
        lemica_verifier_report_error(verifier, 0, 0, (double)INFINITY),
        LEMICA_ERR_INVALID_VALUE);
    ck_assert_status(lemica_verifier_report_buffers(verifier, 0, 0, x, y, 1,
                                                    LEMICA_DTYPE_F32),
                     LEMICA_ERR_INVALID_VALUE);
    ck_assert_uint_eq(lemica_verifier_num_missing(verifier), 2);
    ck_assert_status(lemica_verifier_score(verifier, 0, &score),
                     LEMICA_ERR_STATE);
    ck_assert_status(lemica_verifier_score(verifier, 0, NULL),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_verifier_set_metric(verifier, (lemica_metric)7),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_verifier_set_aggregate(verifier,
                                                   (lemica_aggregate)9, 0.0),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_verifier_set_aggregate(
                         verifier, LEMICA_AGGREGATE_MEAN_PLUS_Z_STD, -1.0),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(
        lemica_verifier_set_aggregate(
            verifier, LEMICA_AGGREGATE_MEAN_PLUS_Z_STD, (double)NAN),
        LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_ok(lemica_verifier_set_metric(verifier, LEMICA_METRIC_MSE));
    ck_assert_ok(lemica_verifier_report_buffers(verifier, 0, 0, y, y, 1,
                                                LEMICA_DTYPE_F32));
    ck_assert_uint_eq(lemica_verifier_num_missing(verifier), 1);
    ck_assert_uint_eq(lemica_verifier_num_runs(NULL), 0);
    ck_assert_uint_eq(lemica_verifier_model_calls(NULL), 0);
    ck_assert_uint_eq(lemica_verifier_num_missing(NULL), 0);
    lemica_verifier_free(verifier);
    lemica_verifier_free(NULL);
    lemica_schedule_free(a);
    lemica_schedule_free(other);
}
END_TEST

/* The paired test: a candidate better on average only through one lucky
 * sample is not taken; one better on every sample is. */
START_TEST(test_verifier_significance)
{
    lemica_verifier *verifier;
    lemica_schedule *s[3] = {
        steps_schedule(6, (const int[]){0, 2, 5}, 3),
        steps_schedule(6, (const int[]){0, 3, 5}, 3),
        steps_schedule(6, (const int[]){0, 1, 5}, 3)};
    /* 1: one huge gain, small losses elsewhere; 2: a steady gain. */
    const double errors[3][5] = {{1.0, 1.0, 1.0, 1.0, 1.0},
                                 {0.0, 1.1, 1.1, 1.1, 1.1},
                                 {0.95, 0.96, 0.95, 0.96, 0.95}};
    size_t best;
    double error;

    ck_assert_ok(lemica_verifier_new(5, &verifier));
    for (int c = 0; c < 3; c++) {
        ck_assert_ok(lemica_verifier_add_candidate(verifier, s[c], NULL));
        for (int k = 0; k < 5; k++)
            ck_assert_ok(lemica_verifier_report_error(verifier, (size_t)c,
                                                      (size_t)k,
                                                      errors[c][k]));
    }
    ck_assert_ok(lemica_verifier_error(verifier, 1, 0, &error));
    ck_assert(error == 0.0);
    /* Plain: candidate 1 has the smallest mean (0.88). */
    ck_assert_ok(lemica_verifier_best(verifier, &best));
    ck_assert_uint_eq(best, 1);
    /* Paired, z = 1: 1's differences (-1, .1, .1, .1, .1) have mean -0.12
     * and standard error 0.2: not significant; 2's are. */
    ck_assert_ok(lemica_verifier_set_significance(verifier, 1.0));
    ck_assert_ok(lemica_verifier_best(verifier, &best));
    ck_assert_uint_eq(best, 2);
    /* Without candidate 2 passing, the first stays. */
    ck_assert_ok(lemica_verifier_report_error(verifier, 2, 0, 1.5));
    ck_assert_ok(lemica_verifier_best(verifier, &best));
    ck_assert_uint_eq(best, 0);
    ck_assert_status(lemica_verifier_set_significance(verifier, -1.0),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_verifier_set_significance(verifier, (double)NAN),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_verifier_error(verifier, 3, 0, &error),
                     LEMICA_ERR_OUT_OF_RANGE);
    ck_assert_status(lemica_verifier_error(verifier, 0, 0, NULL),
                     LEMICA_ERR_INVALID_ARGUMENT);
    lemica_verifier_free(verifier);
    ck_assert_ok(lemica_verifier_new(2, &verifier));
    ck_assert_ok(lemica_verifier_add_candidate(verifier, s[0], NULL));
    ck_assert_status(lemica_verifier_error(verifier, 0, 1, &error),
                     LEMICA_ERR_STATE);
    lemica_verifier_free(verifier);
    for (int c = 0; c < 3; c++)
        lemica_schedule_free(s[c]);
}
END_TEST

/* The prefix order against brute force: candidates of mixed budgets over
 * few steps (many shared prefixes, duplicates), the calls with sharing
 * equal to the distinct (mask prefix ending in a computed step) pairs,
 * every start step the first difference from the run before, and the
 * run before sharing the longest prefix of all earlier ones. */
START_TEST(test_verifier_prefix_order)
{
    uint64_t rng = 12;

    for (int round = 0; round < 200; round++) {
        const int num_steps = 3 + test_rng_below(&rng, 8);
        const int count = 1 + test_rng_below(&rng, 12);
        unsigned char masks[12][10] = {{0}}, ran[12][10];
        int steps[10], seen = 0;
        size_t samples = 1 + (size_t)test_rng_below(&rng, 3);
        size_t distinct = 0, total = 0, unshared = 0;
        lemica_verifier *verifier;

        ck_assert_ok(lemica_verifier_new(samples, &verifier));
        for (int c = 0; c < count; c++) {
            int budget = 2 + test_rng_below(&rng, num_steps - 1);
            lemica_schedule *schedule;

            test_random_steps(&rng, num_steps, budget, steps);
            schedule = steps_schedule(num_steps, steps, (size_t)budget);
            ck_assert_ok(
                lemica_verifier_add_candidate(verifier, schedule, NULL));
            lemica_schedule_free(schedule);
        }
        /* Brute force over the verifier's distinct candidates. */
        for (size_t c = 0; c < lemica_verifier_num_candidates(verifier); c++) {
            const lemica_schedule *schedule;

            ck_assert_ok(lemica_verifier_candidate(verifier, c, &schedule));
            unshared += (size_t)lemica_schedule_budget(schedule);
            for (int t = 0; t < num_steps; t++)
                masks[c][t] =
                    (unsigned char)lemica_schedule_should_compute(schedule, t);
        }
        for (size_t c = 0; c < lemica_verifier_num_candidates(verifier); c++)
            for (int t = 0; t < num_steps; t++) {
                int first = 1;

                if (!masks[c][t])
                    continue;
                for (size_t d = 0; d < c && first; d++)
                    first = memcmp(masks[c], masks[d], (size_t)t + 1) != 0;
                distinct += (size_t)first;
            }
        for (size_t p = 0; p < lemica_verifier_num_candidates(verifier); p++) {
            size_t candidate, calls, longest = 0, computed = 0;
            int start;

            ck_assert_ok(lemica_verifier_prefix_run(verifier, p, &candidate,
                                                    &start, &calls));
            ck_assert_int_eq((seen >> candidate) & 1, 0);
            seen |= 1 << candidate;
            for (size_t q = 0; q < p; q++) {
                size_t shared = 0;

                while (shared < (size_t)num_steps &&
                       ran[q][shared] == masks[candidate][shared])
                    shared++;
                longest = shared > longest ? shared : longest;
            }
            ck_assert_uint_eq((size_t)start, longest);
            if (p > 0) {
                /* Sorted: the first difference computes in the earlier. */
                ck_assert_int_eq(ran[p - 1][start], 1);
                ck_assert_int_eq(masks[candidate][start], 0);
            }
            for (int t = start; t < num_steps; t++)
                computed += masks[candidate][t];
            ck_assert_uint_eq(calls, computed);
            memcpy(ran[p], masks[candidate], (size_t)num_steps);
            total += calls;
        }
        ck_assert_uint_eq(total, distinct);
        ck_assert_uint_eq(lemica_verifier_prefix_model_calls(verifier),
                          distinct * samples);
        ck_assert_uint_eq(lemica_verifier_model_calls(verifier),
                          unshared * samples);
        lemica_verifier_free(verifier);
    }
}
END_TEST

/* Candidates of two budgets in one verifier: each budget chooses among
 * its own, its first candidate kept by the paired test. */
START_TEST(test_verifier_best_of_budget)
{
    lemica_verifier *verifier;
    lemica_schedule *s[4] = {steps_schedule(6, (const int[]){0, 2, 5}, 3),
                             steps_schedule(6, (const int[]){0, 1, 3, 5}, 4),
                             steps_schedule(6, (const int[]){0, 3, 5}, 3),
                             steps_schedule(6, (const int[]){0, 2, 4, 5}, 4)};
    const double errors[4][3] = {
        {1.0, 1.0, 1.0}, {0.5, 0.5, 0.5}, {0.9, 0.91, 0.9}, {0.1, 0.6, 0.6}};
    size_t best, candidate, calls;
    int start;

    ck_assert_ok(lemica_verifier_new(3, &verifier));
    for (int c = 0; c < 4; c++)
        ck_assert_ok(lemica_verifier_add_candidate(verifier, s[c], NULL));
    ck_assert_status(lemica_verifier_best_of_budget(verifier, 3, &best),
                     LEMICA_ERR_STATE);
    for (int c = 0; c < 3; c++)
        for (int k = 0; k < 3; k++)
            ck_assert_ok(lemica_verifier_report_error(verifier, (size_t)c,
                                                      (size_t)k, errors[c][k]));
    /* Budget 3 is reported in full; budget 4 is not. */
    ck_assert_ok(lemica_verifier_best_of_budget(verifier, 3, &best));
    ck_assert_uint_eq(best, 2);
    ck_assert_status(lemica_verifier_best_of_budget(verifier, 4, &best),
                     LEMICA_ERR_STATE);
    for (int k = 0; k < 3; k++)
        ck_assert_ok(
            lemica_verifier_report_error(verifier, 3, (size_t)k, errors[3][k]));
    /* Smallest mean of budget 4: 3 (0.433 < 0.5); paired against 1 with
     * z = 2 it is not significant, so 1 stays. Budget 3: 2 is. */
    ck_assert_ok(lemica_verifier_best_of_budget(verifier, 4, &best));
    ck_assert_uint_eq(best, 3);
    ck_assert_ok(lemica_verifier_set_significance(verifier, 2.0));
    ck_assert_ok(lemica_verifier_best_of_budget(verifier, 4, &best));
    ck_assert_uint_eq(best, 1);
    ck_assert_ok(lemica_verifier_best_of_budget(verifier, 3, &best));
    ck_assert_uint_eq(best, 2);
    ck_assert_status(lemica_verifier_best_of_budget(verifier, 5, &best),
                     LEMICA_ERR_STATE);
    ck_assert_message_has("no candidate of budget 5");
    ck_assert_status(lemica_verifier_best_of_budget(verifier, 1, &best),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_verifier_best_of_budget(NULL, 3, &best),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_verifier_best_of_budget(verifier, 3, NULL),
                     LEMICA_ERR_INVALID_ARGUMENT);
    /* Prefix order: 0,1,3,5 < 0,2,4,5 < 0,2,5 < 0,3,5. */
    ck_assert_ok(
        lemica_verifier_prefix_run(verifier, 0, &candidate, &start, &calls));
    ck_assert_uint_eq(candidate, 1);
    ck_assert_int_eq(start, 0);
    ck_assert_uint_eq(calls, 4);
    ck_assert_ok(
        lemica_verifier_prefix_run(verifier, 2, &candidate, &start, &calls));
    ck_assert_uint_eq(candidate, 0);
    ck_assert_int_eq(start, 4);
    ck_assert_uint_eq(calls, 1);
    ck_assert_uint_eq(lemica_verifier_prefix_model_calls(verifier),
                      (4 + 3 + 1 + 2) * 3);
    ck_assert_status(
        lemica_verifier_prefix_run(verifier, 4, &candidate, &start, &calls),
        LEMICA_ERR_OUT_OF_RANGE);
    ck_assert_status(
        lemica_verifier_prefix_run(verifier, 0, NULL, &start, &calls),
        LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_uint_eq(lemica_verifier_prefix_model_calls(NULL), 0);
    lemica_verifier_free(verifier);
    for (int c = 0; c < 4; c++)
        lemica_schedule_free(s[c]);
}
END_TEST

/* The new calls on an empty verifier and with out-of-range arguments:
 * clear statuses and messages, the outputs untouched. */
START_TEST(test_verifier_prefix_bad_input)
{
    lemica_verifier *verifier;
    lemica_schedule *schedule = steps_schedule(6, (const int[]){0, 2, 5}, 3);
    size_t best = 77, candidate = 77, calls = 77;
    int start = 77;

    ck_assert_ok(lemica_verifier_new(2, &verifier));
    ck_assert_status(
        lemica_verifier_prefix_run(verifier, 0, &candidate, &start, &calls),
        LEMICA_ERR_OUT_OF_RANGE);
    ck_assert_message_has("position 0");
    ck_assert_uint_eq(lemica_verifier_prefix_model_calls(verifier), 0);
    ck_assert_status(lemica_verifier_best_of_budget(verifier, 3, &best),
                     LEMICA_ERR_STATE);
    ck_assert_message_has("no candidate of budget 3");
    ck_assert_status(lemica_verifier_best_of_budget(verifier, -5, &best),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_message_has("at least 2");
    ck_assert_ok(lemica_verifier_add_candidate(verifier, schedule, NULL));
    ck_assert_status(lemica_verifier_best_of_budget(verifier, INT32_MAX, &best),
                     LEMICA_ERR_STATE);
    ck_assert_status(lemica_verifier_prefix_run(verifier, SIZE_MAX, &candidate,
                                                &start, &calls),
                     LEMICA_ERR_OUT_OF_RANGE);
    ck_assert_status(
        lemica_verifier_prefix_run(verifier, 0, &candidate, NULL, &calls),
        LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(
        lemica_verifier_prefix_run(verifier, 0, &candidate, &start, NULL),
        LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_verifier_prefix_run(NULL, 0, &candidate, &start,
                                                &calls),
                     LEMICA_ERR_INVALID_ARGUMENT);
    /* Unreported runs: the score fails, and says which. */
    ck_assert_status(lemica_verifier_best_of_budget(verifier, 3, &best),
                     LEMICA_ERR_STATE);
    ck_assert_message_has("no error for sample");
    ck_assert_uint_eq(best, 77);
    ck_assert_uint_eq(candidate, 77);
    ck_assert_int_eq(start, 77);
    ck_assert_uint_eq(calls, 77);
    /* One candidate: position 0 from the noise, all its calls. */
    ck_assert_ok(
        lemica_verifier_prefix_run(verifier, 0, &candidate, &start, &calls));
    ck_assert_uint_eq(candidate, 0);
    ck_assert_int_eq(start, 0);
    ck_assert_uint_eq(calls, 3);
    ck_assert_uint_eq(lemica_verifier_prefix_model_calls(verifier),
                      lemica_verifier_model_calls(verifier));
    lemica_verifier_free(verifier);
    lemica_schedule_free(schedule);
}
END_TEST

TEST_SUITE(verifier)
{
    add_test(suite, test_verifier_prefix_order);
    add_test(suite, test_verifier_best_of_budget);
    add_test(suite, test_verifier_prefix_bad_input);
    add_test(suite, test_verifier_significance);
    add_test(suite, test_verifier_workflow);
    add_test(suite, test_verifier_bad_input);
}
