/* SPDX-License-Identifier: MIT */
/*
 * The profiler-accumulator: creation rules, Welford against a two-pass
 * computation, merge against a single pass for random shardings and merge
 * orders, refused inputs leaving every statistic as it was, and the graphs
 * the aggregates give.
 */
#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "alloc-int.h"
#include "test-common.h"

/* All statistics of a profiler, for exact before/after comparisons. */
struct snapshot {
    int n, k;
    size_t size;
    uint64_t *count;
    double *values; /* mean, variance, min, max per segment */
};

static void
take_snapshot(const lemica_profiler *profiler, struct snapshot *shot)
{
    size_t index = 0;

    shot->n = lemica_profiler_num_steps(profiler);
    shot->k = lemica_profiler_max_skip(profiler);
    shot->size = (size_t)shot->n * (size_t)shot->k;
    shot->count = calloc(shot->size, sizeof(uint64_t));
    shot->values = calloc(shot->size * 4, sizeof(double));
    ck_assert(shot->count && shot->values);
    for (int i = 0; i < shot->n; i++)
        for (int j = i + 2; j < shot->n && j - i <= shot->k; j++, index++) {
            double *v = &shot->values[4 * index];
            ck_assert_ok(lemica_profiler_edge_stats(profiler, i, j,
                                                    &shot->count[index], &v[0],
                                                    &v[1], &v[2], &v[3]));
        }
}

static void
assert_same_snapshot(const struct snapshot *x, const struct snapshot *y)
{
    ck_assert_int_eq(x->n, y->n);
    ck_assert_int_eq(x->k, y->k);
    ck_assert(memcmp(x->count, y->count, x->size * sizeof(uint64_t)) == 0);
    /* Bitwise: NaN min/max of empty segments compare equal this way. */
    ck_assert(memcmp(x->values, y->values, x->size * 4 * sizeof(double)) == 0);
}

static void
free_snapshot(struct snapshot *shot)
{
    free(shot->count);
    free(shot->values);
}

START_TEST(test_profiler_new_rules)
{
    lemica_profiler *p = (lemica_profiler *)&p;

    ck_assert_status(lemica_profiler_new(1, 1, LEMICA_METRIC_L1, &p),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_ptr_null(p);
    ck_assert_status(lemica_profiler_new(10, 0, LEMICA_METRIC_L1, &p),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_profiler_new(10, 3, (lemica_metric)3, &p),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_profiler_new(10, 3, (lemica_metric)-1, &p),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_profiler_new(10, 3, LEMICA_METRIC_L1, NULL),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(
        lemica_profiler_new(LEMICA_MAX_STEPS + 1, 2, LEMICA_METRIC_L1, &p),
        LEMICA_ERR_TOO_LARGE);
    ck_assert_status(lemica_profiler_new(LEMICA_MAX_STEPS, LEMICA_MAX_STEPS,
                                         LEMICA_METRIC_L1, &p),
                     LEMICA_ERR_TOO_LARGE);
    ck_assert_ptr_null(p);

    ck_assert_ok(lemica_profiler_new(10, 1000, LEMICA_METRIC_MSE, &p));
    ck_assert_int_eq(lemica_profiler_num_steps(p), 10);
    ck_assert_int_eq(lemica_profiler_max_skip(p), 9);
    ck_assert_int_eq(lemica_profiler_metric(p), LEMICA_METRIC_MSE);
    ck_assert_uint_eq(lemica_profiler_num_measured(p), 0);
    lemica_profiler_free(p);

    /* K = 1: valid, but no segment takes samples. */
    ck_assert_ok(lemica_profiler_new(5, 1, LEMICA_METRIC_L1, &p));
    ck_assert_status(lemica_profiler_add_error(p, 0, 1, 0.5),
                     LEMICA_ERR_OUT_OF_RANGE);
    ck_assert_status(lemica_profiler_add_error(p, 0, 2, 0.5),
                     LEMICA_ERR_OUT_OF_RANGE);
    lemica_profiler_free(p);

    ck_assert_int_eq(lemica_profiler_num_steps(NULL), 0);
    ck_assert_int_eq(lemica_profiler_max_skip(NULL), 0);
    ck_assert_int_eq(lemica_profiler_metric(NULL), LEMICA_METRIC_L1);
    ck_assert_uint_eq(lemica_profiler_num_measured(NULL), 0);
    lemica_profiler_free(NULL);

    /* Every allocation failure is reported, nothing leaks. */
    for (long fail = 0; fail < 2; fail++) {
        lemica_alloc_fail_after(fail);
        ck_assert_status(lemica_profiler_new(10, 3, LEMICA_METRIC_L1, &p),
                         LEMICA_ERR_NO_MEMORY);
        ck_assert_ptr_null(p);
    }
    lemica_alloc_fail_after(-1);
}
END_TEST

START_TEST(test_profiler_stats_basic)
{
    lemica_profiler *p;
    uint64_t count = 99;
    double mean = -1, variance = -1, min = -1, max = -1;

    ck_assert_ok(lemica_profiler_new(8, 4, LEMICA_METRIC_L1, &p));
    /* An empty segment. */
    ck_assert_ok(lemica_profiler_edge_stats(p, 1, 3, &count, &mean, &variance,
                                            &min, &max));
    ck_assert(count == 0 && mean == 0.0 && variance == 0.0);
    ck_assert(isnan(min) && isnan(max));

    ck_assert_ok(lemica_profiler_add_error(p, 1, 3, 2.0));
    ck_assert_ok(lemica_profiler_edge_stats(p, 1, 3, &count, &mean, &variance,
                                            &min, &max));
    ck_assert(count == 1 && mean == 2.0 && variance == 0.0 && min == 2.0 &&
              max == 2.0);
    ck_assert_ok(lemica_profiler_add_error(p, 1, 3, 4.0));
    ck_assert_ok(lemica_profiler_add_error(p, 1, 3, 9.0));
    ck_assert_ok(lemica_profiler_add_error(p, 1, 3, -0.0));
    ck_assert_ok(lemica_profiler_edge_stats(p, 1, 3, &count, &mean, &variance,
                                            &min, &max));
    /* {2, 4, 9, 0}: mean 3.75, sample variance 44.75 / 3. */
    ck_assert(count == 4 && mean == 3.75);
    ck_assert(fabs(variance - 44.75 / 3.0) < 1e-15 * 20.0);
    ck_assert(min == 0.0 && !signbit(min) && max == 9.0);
    /* Every output pointer may be NULL. */
    ck_assert_ok(
        lemica_profiler_edge_stats(p, 1, 3, NULL, NULL, NULL, NULL, NULL));
    ck_assert_uint_eq(lemica_profiler_num_measured(p), 1);
    ck_assert_ok(lemica_profiler_add_error(p, 4, 7, 1.0));
    ck_assert_uint_eq(lemica_profiler_num_measured(p), 2);
    lemica_profiler_free(p);
}
END_TEST

/* Welford against a two-pass mean and variance, on samples with a large
 * offset (the case where the naive sum-of-squares formula fails). */
START_TEST(test_profiler_welford_vs_two_pass)
{
    enum { SAMPLES = 5000 };
    static double samples[SAMPLES];
    uint64_t rng = 7;

    for (int trial = 0; trial < 20; trial++) {
        lemica_profiler *p;
        /* The offset over the spread reaches 3e5: Welford stays accurate
         * where sum-of-squares formulas would lose every digit. */
        double offset = trial % 2 ? 1e3 : 1e-3, scale = trial % 3 ? 1.0 : 1e-2;
        int n = 2 + test_rng_below(&rng, SAMPLES - 1);
        double mean = 0.0, m2 = 0.0, got_mean, got_variance, min = HUGE_VAL,
               max = 0.0, got_min, got_max;
        uint64_t count;

        ck_assert_ok(lemica_profiler_new(20, 5, LEMICA_METRIC_L1, &p));
        for (int s = 0; s < n; s++) {
            samples[s] = offset + scale * test_rng_unit(&rng);
            ck_assert_ok(lemica_profiler_add_error(p, 3, 8, samples[s]));
            mean += samples[s];
            min = fmin(min, samples[s]);
            max = fmax(max, samples[s]);
        }
        mean /= n;
        for (int s = 0; s < n; s++)
            m2 += (samples[s] - mean) * (samples[s] - mean);
        ck_assert_ok(lemica_profiler_edge_stats(
            p, 3, 8, &count, &got_mean, &got_variance, &got_min, &got_max));
        ck_assert(count == (uint64_t)n);
        ck_assert_msg(fabs(got_mean - mean) <= 1e-12 * mean, "mean %g vs %g",
                      got_mean, mean);
        ck_assert_msg(fabs(got_variance - m2 / (n - 1)) <= 1e-9 * m2 / (n - 1),
                      "variance %.17g vs %.17g", got_variance, m2 / (n - 1));
        ck_assert(got_min == min && got_max == max);
        lemica_profiler_free(p);
    }
}
END_TEST

/* One pass over all samples against random shardings merged in random
 * orders (sequentially and as a random tree). */
START_TEST(test_profiler_merge_sharding_independent)
{
    enum { N = 12, K = 5, SAMPLES = 3000, MAX_SHARDS = 9 };
    uint64_t rng = 2024;

    for (int trial = 0; trial < 40; trial++) {
        lemica_profiler *single, *shards[MAX_SHARDS];
        int num_shards = 1 + test_rng_below(&rng, MAX_SHARDS);
        int order[MAX_SHARDS];
        struct snapshot want, got;
        uint64_t seed = test_rng_next(&rng);

        ck_assert_ok(lemica_profiler_new(N, K, LEMICA_METRIC_L1, &single));
        for (int s = 0; s < num_shards; s++)
            ck_assert_ok(
                lemica_profiler_new(N, K, LEMICA_METRIC_L1, &shards[s]));
        for (int s = 0; s < SAMPLES; s++) {
            int i = test_rng_below(&seed, N - 2);
            int j = i + 2 + test_rng_below(&seed, K - 1);
            /* Segments far apart in magnitude, samples with spread. */
            double value = ldexp(1.0 + test_rng_unit(&seed), i - 6) *
                           (1.0 + 0.1 * test_rng_unit(&seed));
            int shard = test_rng_below(&seed, num_shards);

            if (j >= N)
                j = N - 1;
            if (j - i < 2)
                continue;
            ck_assert_ok(lemica_profiler_add_error(single, i, j, value));
            ck_assert_ok(lemica_profiler_add_error(shards[shard], i, j, value));
        }
        take_snapshot(single, &want);

        /* A random permutation of the shards. */
        for (int s = 0; s < num_shards; s++)
            order[s] = s;
        for (int s = num_shards - 1; s > 0; s--) {
            int r = test_rng_below(&rng, s + 1), t = order[s];
            order[s] = order[r];
            order[r] = t;
        }
        if (trial % 3 == 2) {
            /* Through summaries, as between machines: every shard's
             * edge_stats added with add_stats to an empty profiler. */
            lemica_profiler *total;

            ck_assert_ok(lemica_profiler_new(N, K, LEMICA_METRIC_L1, &total));
            for (int s = 0; s < num_shards; s++)
                for (int i = 0; i < N; i++)
                    for (int j = i + 2; j < N && j - i <= K; j++) {
                        uint64_t count;
                        double mean, variance, min, max;

                        ck_assert_ok(lemica_profiler_edge_stats(
                            shards[order[s]], i, j, &count, &mean, &variance,
                            &min, &max));
                        ck_assert_ok(lemica_profiler_add_stats(
                            total, i, j, count, mean, variance, min, max));
                    }
            take_snapshot(total, &got);
            lemica_profiler_free(total);
        } else if (trial % 3 == 0) {
            /* Sequentially into an empty profiler. */
            lemica_profiler *total;

            ck_assert_ok(lemica_profiler_new(N, K, LEMICA_METRIC_L1, &total));
            for (int s = 0; s < num_shards; s++)
                ck_assert_ok(lemica_profiler_merge(total, shards[order[s]]));
            take_snapshot(total, &got);
            lemica_profiler_free(total);
        } else {
            /* A random merge tree: merge two random live shards until one
             * is left. */
            int live = num_shards;

            while (live > 1) {
                int x = test_rng_below(&rng, live),
                    y = test_rng_below(&rng, live - 1);

                if (y >= x)
                    y++;
                ck_assert_ok(
                    lemica_profiler_merge(shards[order[x]], shards[order[y]]));
                order[y] = order[--live];
            }
            take_snapshot(shards[order[0]], &got);
        }

        ck_assert(memcmp(want.count, got.count, want.size * sizeof(uint64_t)) ==
                  0);
        for (size_t e = 0; e < want.size; e++) {
            const double *w = &want.values[4 * e], *g = &got.values[4 * e];

            if (want.count[e] == 0)
                continue;
            ck_assert_msg(fabs(w[0] - g[0]) <= 1e-12 * w[0],
                          "mean %.17g vs %.17g", g[0], w[0]);
            ck_assert_msg(fabs(w[1] - g[1]) <= 1e-12 * w[1] + 1e-300,
                          "variance %.17g vs %.17g", g[1], w[1]);
            ck_assert(w[2] == g[2] && w[3] == g[3]);
        }
        free_snapshot(&want);
        free_snapshot(&got);
        lemica_profiler_free(single);
        for (int s = 0; s < num_shards; s++)
            lemica_profiler_free(shards[s]);
    }
}
END_TEST

START_TEST(test_profiler_merge_rules)
{
    lemica_profiler *a, *b, *c, *d;
    struct snapshot before, after;
    uint64_t count;
    double mean, variance;

    ck_assert_ok(lemica_profiler_new(10, 4, LEMICA_METRIC_L1, &a));
    ck_assert_ok(lemica_profiler_new(11, 4, LEMICA_METRIC_L1, &b));
    ck_assert_ok(lemica_profiler_new(10, 3, LEMICA_METRIC_L1, &c));
    ck_assert_ok(lemica_profiler_new(10, 4, LEMICA_METRIC_MSE, &d));
    ck_assert_ok(lemica_profiler_add_error(a, 2, 5, 1.0));
    ck_assert_ok(lemica_profiler_add_error(a, 2, 5, 3.0));
    ck_assert_ok(lemica_profiler_add_error(b, 2, 5, 1.0));
    ck_assert_ok(lemica_profiler_add_error(c, 2, 5, 1.0));
    ck_assert_ok(lemica_profiler_add_error(d, 2, 5, 1.0));
    take_snapshot(a, &before);
    ck_assert_status(lemica_profiler_merge(a, b), LEMICA_ERR_MISMATCH);
    ck_assert_status(lemica_profiler_merge(a, c), LEMICA_ERR_MISMATCH);
    ck_assert_status(lemica_profiler_merge(a, d), LEMICA_ERR_MISMATCH);
    ck_assert_status(lemica_profiler_merge(a, NULL),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_profiler_merge(NULL, a),
                     LEMICA_ERR_INVALID_ARGUMENT);
    take_snapshot(a, &after);
    assert_same_snapshot(&before, &after);
    free_snapshot(&after);

    /* K above N - 1 is clamped before comparing. */
    lemica_profiler_free(c);
    ck_assert_ok(lemica_profiler_new(10, 99, LEMICA_METRIC_L1, &c));
    lemica_profiler_free(b);
    ck_assert_ok(lemica_profiler_new(10, 9, LEMICA_METRIC_L1, &b));
    ck_assert_ok(lemica_profiler_merge(b, c));

    /* Merging into itself counts every sample twice. */
    ck_assert_ok(lemica_profiler_merge(a, a));
    ck_assert_ok(lemica_profiler_edge_stats(a, 2, 5, &count, &mean, &variance,
                                            NULL, NULL));
    ck_assert(count == 4 && mean == 2.0);
    ck_assert(fabs(variance - 4.0 / 3.0) < 1e-15);

    /* A merge whose statistics would overflow changes nothing. */
    lemica_profiler_free(d);
    ck_assert_ok(lemica_profiler_new(10, 4, LEMICA_METRIC_L1, &d));
    ck_assert_ok(lemica_profiler_add_error(d, 2, 5, DBL_MAX));
    ck_assert_ok(lemica_profiler_add_error(d, 3, 5, 1.0));
    free_snapshot(&before);
    take_snapshot(a, &before);
    ck_assert_status(lemica_profiler_merge(a, d), LEMICA_ERR_INVALID_VALUE);
    take_snapshot(a, &after);
    assert_same_snapshot(&before, &after);
    free_snapshot(&before);
    free_snapshot(&after);

    lemica_profiler_free(a);
    lemica_profiler_free(b);
    lemica_profiler_free(c);
    lemica_profiler_free(d);
}
END_TEST

/* Issue 16, item 5: samples {0, 1.5e154} fit one profiler (M2 = 1.125e308)
 * but their two shards failed to merge, the between-shards term squaring
 * the difference of means (2.25e308) before scaling it by 1/2. Up to the
 * edge: {0, 1.896e154} has M2 = 1.797e308 < DBL_MAX. */
START_TEST(test_profiler_merge_huge_means)
{
    static const double highs[] = {1.5e154, 1.896e154, 1e200 / 1e46};

    for (size_t h = 0; h < sizeof(highs) / sizeof(highs[0]); h++) {
        lemica_profiler *single, *left, *right, *summary;
        uint64_t count;
        double want[4], got[4];

        ck_assert_ok(lemica_profiler_new(4, 2, LEMICA_METRIC_L1, &single));
        ck_assert_ok(lemica_profiler_new(4, 2, LEMICA_METRIC_L1, &left));
        ck_assert_ok(lemica_profiler_new(4, 2, LEMICA_METRIC_L1, &right));
        ck_assert_ok(lemica_profiler_new(4, 2, LEMICA_METRIC_L1, &summary));
        ck_assert_ok(lemica_profiler_add_error(single, 0, 2, 0.0));
        ck_assert_ok(lemica_profiler_add_error(single, 0, 2, highs[h]));
        ck_assert_ok(lemica_profiler_add_error(left, 0, 2, 0.0));
        ck_assert_ok(lemica_profiler_add_error(right, 0, 2, highs[h]));
        ck_assert_ok(lemica_profiler_edge_stats(single, 0, 2, &count, &want[0],
                                                &want[1], &want[2], &want[3]));
        ck_assert(isfinite(want[1]));

        /* Both merge orders, and the summaries between processes. */
        ck_assert_ok(lemica_profiler_add_stats(summary, 0, 2, 1, highs[h], 0.0,
                                               highs[h], highs[h]));
        ck_assert_ok(lemica_profiler_add_stats(summary, 0, 2, 1, 0.0, 0.0, 0.0,
                                               0.0));
        ck_assert_ok(lemica_profiler_merge(right, left));
        ck_assert_ok(lemica_profiler_edge_stats(right, 0, 2, &count, &got[0],
                                                &got[1], &got[2], &got[3]));
        ck_assert(count == 2);
        for (int k = 0; k < 4; k++)
            ck_assert_msg(got[k] == want[k], "%d: %.17g vs %.17g", k, got[k],
                          want[k]);
        ck_assert_ok(lemica_profiler_edge_stats(summary, 0, 2, &count,
                                                &got[0], &got[1], &got[2],
                                                &got[3]));
        for (int k = 0; k < 4; k++)
            ck_assert(got[k] == want[k]);
        /* Three samples of which the third overflows: refused by both. */
        ck_assert_status(lemica_profiler_add_error(single, 0, 2, DBL_MAX),
                         LEMICA_ERR_INVALID_VALUE);
        lemica_profiler_free(summary);
        ck_assert_ok(lemica_profiler_new(4, 2, LEMICA_METRIC_L1, &summary));
        ck_assert_ok(lemica_profiler_add_error(summary, 0, 2, DBL_MAX));
        ck_assert_status(lemica_profiler_merge(right, summary),
                         LEMICA_ERR_INVALID_VALUE);
        lemica_profiler_free(summary);
        lemica_profiler_free(single);
        lemica_profiler_free(left);
        lemica_profiler_free(right);
    }
}
END_TEST

/* A merged M2 that rounds past DBL_MAX by less than the accuracy bound is
 * stored as DBL_MAX; one really above DBL_MAX is refused and changes
 * nothing. */
START_TEST(test_profiler_merge_saturates_at_the_edge)
{
    lemica_profiler *a, *b;
    uint64_t count;
    double variance;

    ck_assert_ok(lemica_profiler_new(4, 2, LEMICA_METRIC_L1, &a));
    ck_assert_ok(lemica_profiler_new(4, 2, LEMICA_METRIC_L1, &b));
    ck_assert_ok(lemica_profiler_add_stats(a, 0, 2, 2, 1.0, 1e308, 0.0, 2.0));
    /* 1e308 + 0.7976931348623159e308 = DBL_MAX + 2e292: rounds to inf. */
    ck_assert_ok(lemica_profiler_add_stats(b, 0, 2, 2, 1.0,
                                           0.7976931348623159e308, 0.0, 2.0));
    ck_assert_ok(lemica_profiler_merge(b, a));
    ck_assert_ok(
        lemica_profiler_edge_stats(b, 0, 2, &count, NULL, &variance, NULL, NULL));
    ck_assert(count == 4 && variance == DBL_MAX / 3.0);
    ck_assert_status(lemica_profiler_add_stats(a, 0, 2, 2, 1.0, 0.8e308, 0.0,
                                               2.0),
                     LEMICA_ERR_INVALID_VALUE);
    ck_assert_ok(
        lemica_profiler_edge_stats(a, 0, 2, &count, NULL, &variance, NULL, NULL));
    ck_assert(count == 2 && variance == 1e308);
    lemica_profiler_free(a);
    lemica_profiler_free(b);
}
END_TEST

/* Samples for the accuracy test, by family. */
static double
accuracy_sample(int family, uint64_t *rng, double base, int count, int index)
{
    double u = test_rng_unit(rng);

    switch (family) {
    case 0: /* nearly constant: a few ulps apart */
        return base * (1.0 + (double)test_rng_below(rng, 8) * 0x1p-52);
    case 1: /* huge, spread: M2 near n/12 * (1.8e154)^2 / n */
        return u * 1.8e154 / sqrt((double)count);
    case 2: /* huge, two clusters: M2 up to just below DBL_MAX */
        return test_rng_below(rng, 2)
                   ? 0.0
                   : 1.89e154 / sqrt((double)count) * (1.0 - 1e-9 * u);
    case 3: /* eighty binary orders of magnitude */
        return ldexp(1.0 + u, test_rng_below(rng, 80) - 40);
    case 4: /* constant */
        return base;
    case 5: /* subnormal */
        return (double)test_rng_below(rng, 5) * 4.9406564584124654e-324;
    case 7: /* zeros and one x with x^2 > DBL_MAX >= M2 = x^2 (n-1)/n: a
             * shard holding x alone squared a difference that overflows */
        return index == 0 ? 1.3407807929942596e154 *
                                sqrt((double)count / (count - 1)) *
                                (1.0 - 1e-9 * u)
                          : 0.0;
    default: /* nearly constant: relative spread 1e-9 */
        return base * (1.0 + 1e-9 * u);
    }
}

/* Issue 16, item 5: the accuracy lemica-profiler.h documents. For n
 * samples of maximum M, exact mean m and sample variance v (s = sqrt v),
 * g = n 2^-50, d = n 2^-1074: |mean - m| <= g M + d and |variance - v| <=
 * g (v + M s) + (g M)^2 + d, after a single pass and after any sharding and merge order
 * (merge trees and summaries); and any samples one profiler accepts merge
 * from any sharding. The exact statistics come from a two-pass sum in long
 * double where it has at least 64 bits; elsewhere the single pass and the
 * merge are compared with twice the bound. */
START_TEST(test_profiler_accuracy_bound)
{
    enum { MAX_SHARDS = 8 };
    uint64_t rng = 16005;
    int exact_reference = LDBL_MANT_DIG >= 64;

    for (int trial = 0; trial < 800; trial++) {
        int family = trial % 8;
        int count = family == 7 ? 2 + test_rng_below(&rng, 4)
                                : 2 + test_rng_below(&rng, trial % 10 == 0
                                                               ? 3000
                                                               : 60);
        double base =
            ldexp(1.0 + test_rng_unit(&rng), test_rng_below(&rng, 200) - 100);
        int num_shards = 1 + test_rng_below(&rng, MAX_SHARDS);
        lemica_profiler *single, *shards[MAX_SHARDS], *summaries;
        double *samples = malloc((size_t)count * sizeof(*samples));
        long double sum = 0.0L, squares = 0.0L, exact_mean, exact_variance;
        double largest = 0.0;
        double results[3][2];

        ck_assert_ptr_nonnull(samples);
        ck_assert_ok(lemica_profiler_new(4, 2, LEMICA_METRIC_L1, &single));
        ck_assert_ok(lemica_profiler_new(4, 2, LEMICA_METRIC_L1, &summaries));
        for (int s = 0; s < num_shards; s++)
            ck_assert_ok(
                lemica_profiler_new(4, 2, LEMICA_METRIC_L1, &shards[s]));
        for (int index = 0; index < count; index++) {
            double value =
                accuracy_sample(family, &rng, base, count, index);

            samples[index] = value;
            sum += (long double)value;
            if (value > largest)
                largest = value;
            ck_assert_ok(lemica_profiler_add_error(single, 0, 2, value));
            ck_assert_ok(lemica_profiler_add_error(
                shards[test_rng_below(&rng, num_shards)], 0, 2, value));
        }
        exact_mean = sum / count;
        for (int index = 0; index < count; index++)
            squares += ((long double)samples[index] - exact_mean) *
                       ((long double)samples[index] - exact_mean);
        exact_variance = squares / (count - 1);

        /* Summaries of every shard, then a random merge tree. */
        for (int s = 0; s < num_shards; s++) {
            uint64_t n;
            double mean, variance, min, max;

            ck_assert_ok(lemica_profiler_edge_stats(shards[s], 0, 2, &n, &mean,
                                                    &variance, &min, &max));
            ck_assert_ok(lemica_profiler_add_stats(summaries, 0, 2, n, mean,
                                                   variance, min, max));
        }
        for (int live = num_shards; live > 1; live--) {
            int x = test_rng_below(&rng, live), y = test_rng_below(&rng, live - 1);
            lemica_profiler *t;

            if (y >= x)
                y++;
            if (lemica_profiler_merge(shards[x], shards[y]) != LEMICA_OK)
                ck_abort_msg("trial %d family %d: merge refused: %s", trial,
                             family, lemica_last_error_message());
            t = shards[y];
            shards[y] = shards[live - 1];
            shards[live - 1] = t;
        }
        ck_assert_ok(lemica_profiler_edge_stats(single, 0, 2, NULL,
                                                &results[0][0], &results[0][1],
                                                NULL, NULL));
        ck_assert_ok(lemica_profiler_edge_stats(shards[0], 0, 2, NULL,
                                                &results[1][0], &results[1][1],
                                                NULL, NULL));
        ck_assert_ok(lemica_profiler_edge_stats(summaries, 0, 2, NULL,
                                                &results[2][0], &results[2][1],
                                                NULL, NULL));
        {
            double g = count * 0x1p-50;
            double sd = sqrt((double)exact_variance);
            /* The last terms: rounding to the subnormal grid. */
            double underflow = count * 4.9406564584124654e-324;
            double mean_bound = g * largest + underflow;
            double variance_bound = g * ((double)exact_variance + largest * sd) +
                                    (g * largest) * (g * largest) + underflow;

            for (int r = 0; r < 3; r++) {
                double mean_error, variance_error, scale = 1.0;

                if (exact_reference) {
                    mean_error =
                        (double)fabsl((long double)results[r][0] - exact_mean);
                    variance_error =
                        (double)fabsl((long double)results[r][1] -
                                      exact_variance);
                } else {
                    mean_error = fabs(results[r][0] - results[0][0]);
                    variance_error = fabs(results[r][1] - results[0][1]);
                    scale = 2.0;
                }
                ck_assert_msg(mean_error <= scale * mean_bound,
                              "trial %d family %d path %d: mean %.17g, "
                              "error %g > bound %g",
                              trial, family, r, results[r][0], mean_error,
                              mean_bound);
                ck_assert_msg(variance_error <= scale * variance_bound,
                              "trial %d family %d path %d: variance %.17g, "
                              "error %g > bound %g",
                              trial, family, r, results[r][1], variance_error,
                              variance_bound);
            }
        }
        free(samples);
        lemica_profiler_free(single);
        lemica_profiler_free(summaries);
        for (int s = 0; s < num_shards; s++)
            lemica_profiler_free(shards[s]);
    }
}
END_TEST

/* Issue 16, item 10: a summary no samples can give is refused, and the
 * profiler keeps what it had. */
START_TEST(test_profiler_add_stats_consistency)
{
    lemica_profiler *profiler;
    uint64_t count;
    double mean;

    ck_assert_ok(lemica_profiler_new(6, 3, LEMICA_METRIC_L1, &profiler));
    ck_assert_status(
        lemica_profiler_add_stats(profiler, 0, 2, 3, 5.0, 0.01, 0.4, 0.6),
        LEMICA_ERR_INVALID_VALUE);
    ck_assert_str_eq(lemica_last_error_message(),
                     "summary of segment (0, 2) is inconsistent: mean 5 is "
                     "outside [min, max] = [0.4, 0.6]");
    ck_assert_status(
        lemica_profiler_add_stats(profiler, 0, 2, 3, 0.3, 0.01, 0.4, 0.6),
        LEMICA_ERR_INVALID_VALUE);
    ck_assert_status(
        lemica_profiler_add_stats(profiler, 0, 2, 1, 0.5, 0.25, 0.5, 0.5),
        LEMICA_ERR_INVALID_VALUE);
    ck_assert_str_eq(lemica_last_error_message(),
                     "summary of segment (0, 2) is inconsistent: one sample, "
                     "but M2 0.25 is not 0");
    ck_assert_status(
        lemica_profiler_add_stats(profiler, 0, 2, 1, 0.5, 0.0, 0.4, 0.6),
        LEMICA_ERR_INVALID_VALUE);
    ck_assert_status(
        lemica_profiler_add_stats(profiler, 0, 2, 1, 0.5, 0.0, 0.5, 0.6),
        LEMICA_ERR_INVALID_VALUE);
    ck_assert_uint_eq(lemica_profiler_num_measured(profiler), 0);

    /* A mean rounded an ulp outside (a caller's own mean of constant
     * samples) is accepted and moved inside. */
    ck_assert_ok(lemica_profiler_add_stats(profiler, 0, 2, 10,
                                           nextafter(0.1, 1.0), 0.0, 0.1,
                                           0.1));
    ck_assert_ok(lemica_profiler_edge_stats(profiler, 0, 2, &count, &mean,
                                            NULL, NULL, NULL));
    ck_assert(count == 10 && mean == 0.1);
    lemica_profiler_free(profiler);
}
END_TEST

/* Every refused input leaves every statistic bit for bit as it was. */
START_TEST(test_profiler_bad_input_leaves_state)
{
    enum { N = 9, K = 4, COUNT = 37 };
    lemica_profiler *p, *relative;
    struct snapshot before, after;
    float cached[COUNT], reference[COUNT], zeros[COUNT] = {0};
    uint64_t rng = 5;

    ck_assert_ok(lemica_profiler_new(N, K, LEMICA_METRIC_L1, &p));
    ck_assert_ok(
        lemica_profiler_new(N, K, LEMICA_METRIC_RELATIVE_L1, &relative));
    for (int s = 0; s < 50; s++) {
        int i = test_rng_below(&rng, N - 3);
        int j = i + 2 + test_rng_below(&rng, 2);
        ck_assert_ok(lemica_profiler_add_error(p, i, j, test_rng_unit(&rng)));
    }
    for (int e = 0; e < COUNT; e++) {
        cached[e] = (float)test_rng_unit(&rng);
        reference[e] = (float)test_rng_unit(&rng);
    }
    take_snapshot(p, &before);

    /* Segments out of range. */
    ck_assert_status(lemica_profiler_add_error(p, 0, 1, 0.1),
                     LEMICA_ERR_OUT_OF_RANGE);
    ck_assert_status(lemica_profiler_add_error(p, 3, 3, 0.1),
                     LEMICA_ERR_OUT_OF_RANGE);
    ck_assert_status(lemica_profiler_add_error(p, 4, 2, 0.1),
                     LEMICA_ERR_OUT_OF_RANGE);
    ck_assert_status(lemica_profiler_add_error(p, 0, K + 1, 0.1),
                     LEMICA_ERR_OUT_OF_RANGE);
    ck_assert_status(lemica_profiler_add_error(p, -1, 1, 0.1),
                     LEMICA_ERR_OUT_OF_RANGE);
    ck_assert_status(lemica_profiler_add_error(p, N - 2, N, 0.1),
                     LEMICA_ERR_OUT_OF_RANGE);
    ck_assert_status(lemica_profiler_add_error(NULL, 0, 2, 0.1),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_profiler_add_buffers(p, 0, 1, cached, reference,
                                                 COUNT, LEMICA_DTYPE_F32),
                     LEMICA_ERR_OUT_OF_RANGE);
    /* Bad values. */
    ck_assert_status(lemica_profiler_add_error(p, 0, 2, (double)NAN),
                     LEMICA_ERR_INVALID_VALUE);
    ck_assert_status(lemica_profiler_add_error(p, 0, 2, (double)INFINITY),
                     LEMICA_ERR_INVALID_VALUE);
    ck_assert_status(lemica_profiler_add_error(p, 0, 2, -1e-300),
                     LEMICA_ERR_INVALID_VALUE);
    /* Statistics that would overflow: 0 then DBL_MAX gives an infinite
     * sum of squares. */
    ck_assert_ok(lemica_profiler_add_error(p, 6, 8, 0.0));
    free_snapshot(&before);
    take_snapshot(p, &before);
    ck_assert_status(lemica_profiler_add_error(p, 6, 8, DBL_MAX),
                     LEMICA_ERR_INVALID_VALUE);
    /* Bad buffers. */
    ck_assert_status(lemica_profiler_add_buffers(p, 0, 2, NULL, reference,
                                                 COUNT, LEMICA_DTYPE_F32),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_profiler_add_buffers(p, 0, 2, cached, NULL, COUNT,
                                                 LEMICA_DTYPE_F32),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_profiler_add_buffers(p, 0, 2, cached, reference, 0,
                                                 LEMICA_DTYPE_F32),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_profiler_add_buffers(p, 0, 2, cached, reference,
                                                 COUNT, (lemica_dtype)9),
                     LEMICA_ERR_INVALID_ARGUMENT);
    for (int e = 0; e < COUNT; e += 12) {
        float saved = cached[e];

        cached[e] = NAN;
        ck_assert_status(lemica_profiler_add_buffers(p, 0, 2, cached, reference,
                                                     COUNT, LEMICA_DTYPE_F32),
                         LEMICA_ERR_INVALID_VALUE);
        cached[e] = INFINITY;
        ck_assert_status(lemica_profiler_add_buffers(p, 0, 2, cached, reference,
                                                     COUNT, LEMICA_DTYPE_F32),
                         LEMICA_ERR_INVALID_VALUE);
        cached[e] = saved;
    }
    take_snapshot(p, &after);
    assert_same_snapshot(&before, &after);
    free_snapshot(&before);
    free_snapshot(&after);

    /* Bad summaries. (0, 2) holds a sample, so a count of 2^64 - 1
     * overflows. */
    ck_assert_ok(lemica_profiler_add_error(p, 0, 2, 0.5));
    take_snapshot(p, &before);
    ck_assert_status(lemica_profiler_add_stats(p, 0, 1, 2, 0.5, 0.1, 0.4, 0.6),
                     LEMICA_ERR_OUT_OF_RANGE);
    ck_assert_status(
        lemica_profiler_add_stats(NULL, 0, 2, 2, 0.5, 0.1, 0.4, 0.6),
        LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(
        lemica_profiler_add_stats(p, 0, 2, 2, (double)NAN, 0.1, 0.4, 0.6),
        LEMICA_ERR_INVALID_VALUE);
    ck_assert_status(lemica_profiler_add_stats(p, 0, 2, 2, 0.5, -0.1, 0.4, 0.6),
                     LEMICA_ERR_INVALID_VALUE);
    ck_assert_status(lemica_profiler_add_stats(p, 0, 2, 2, 0.5, 0.1, 0.7, 0.6),
                     LEMICA_ERR_INVALID_VALUE);
    ck_assert_status(lemica_profiler_add_stats(p, 0, 2, 2, 0.5, 0.1, -0.4, 0.6),
                     LEMICA_ERR_INVALID_VALUE);
    ck_assert_status(
        lemica_profiler_add_stats(p, 0, 2, 2, 0.5, (double)INFINITY, 0.4, 0.6),
        LEMICA_ERR_INVALID_VALUE);
    ck_assert_status(
        lemica_profiler_add_stats(p, 0, 2, 3, 0.5, DBL_MAX, 0.4, 0.6),
        LEMICA_ERR_INVALID_VALUE);
    ck_assert_status(
        lemica_profiler_add_stats(p, 0, 2, UINT64_MAX, 0.5, 0.0, 0.5, 0.5),
        LEMICA_ERR_TOO_LARGE);
    /* An empty summary is accepted and changes nothing, whatever it says. */
    ck_assert_ok(
        lemica_profiler_add_stats(p, 0, 2, 0, (double)NAN, -1.0, 5.0, 1.0));
    take_snapshot(p, &after);
    assert_same_snapshot(&before, &after);
    free_snapshot(&before);
    free_snapshot(&after);

    /* Relative L1 against an all-zero reference. */
    take_snapshot(relative, &before);
    ck_assert_status(lemica_profiler_add_buffers(relative, 0, 2, cached, zeros,
                                                 COUNT, LEMICA_DTYPE_F32),
                     LEMICA_ERR_INVALID_VALUE);
    take_snapshot(relative, &after);
    assert_same_snapshot(&before, &after);
    free_snapshot(&before);
    free_snapshot(&after);

    lemica_profiler_free(p);
    lemica_profiler_free(relative);
}
END_TEST

/* add_buffers adds exactly lemica_metric_compute() of the profiler's
 * metric. */
START_TEST(test_profiler_add_buffers_uses_metric)
{
    enum { COUNT = 1000 };
    static double a[COUNT], b[COUNT];
    uint64_t rng = 99;

    for (int e = 0; e < COUNT; e++) {
        a[e] = test_rng_unit(&rng);
        b[e] = test_rng_unit(&rng) + 0.1;
    }
    for (int metric = 0; metric < 3; metric++) {
        lemica_profiler *p;
        double want, mean;
        uint64_t count;

        ck_assert_ok(lemica_metric_compute((lemica_metric)metric, a, b, COUNT,
                                           LEMICA_DTYPE_F64, &want));
        ck_assert_ok(lemica_profiler_new(6, 3, (lemica_metric)metric, &p));
        ck_assert_ok(lemica_profiler_add_buffers(p, 1, 4, a, b, COUNT,
                                                 LEMICA_DTYPE_F64));
        ck_assert_ok(lemica_profiler_edge_stats(p, 1, 4, &count, &mean, NULL,
                                                NULL, NULL));
        ck_assert(count == 1 && mean == want);
        lemica_profiler_free(p);
    }
}
END_TEST

START_TEST(test_profiler_to_graph)
{
    lemica_profiler *p;
    lemica_graph *graph = (lemica_graph *)&graph;
    double w;

    ck_assert_ok(lemica_profiler_new(6, 3, LEMICA_METRIC_L1, &p));
    ck_assert_ok(lemica_profiler_add_error(p, 0, 2, 1.0));
    ck_assert_ok(lemica_profiler_add_error(p, 0, 2, 3.0));
    ck_assert_ok(lemica_profiler_add_error(p, 1, 4, 0.5));

    ck_assert_ok(
        lemica_profiler_to_graph(p, LEMICA_AGGREGATE_MEAN, 0.0, 0, &graph));
    ck_assert_int_eq(lemica_graph_num_steps(graph), 6);
    ck_assert_int_eq(lemica_graph_max_skip(graph), 3);
    /* 5 span-1 edges plus the two measured segments. */
    ck_assert_uint_eq(lemica_graph_num_edges(graph), 7);
    ck_assert_ok(lemica_graph_get_weight(graph, 0, 2, &w));
    ck_assert(w == 2.0);
    ck_assert_ok(lemica_graph_get_weight(graph, 1, 4, &w));
    ck_assert(w == 0.5);
    ck_assert_ok(lemica_graph_get_weight(graph, 2, 3, &w));
    ck_assert(w == 0.0);
    ck_assert_int_eq(lemica_graph_has_edge(graph, 2, 4), 0);
    lemica_graph_free(graph);

    ck_assert_ok(
        lemica_profiler_to_graph(p, LEMICA_AGGREGATE_MAX, 0.0, 0, &graph));
    ck_assert_ok(lemica_graph_get_weight(graph, 0, 2, &w));
    ck_assert(w == 3.0);
    lemica_graph_free(graph);

    /* {1, 3}: sample standard deviation sqrt(2). */
    ck_assert_ok(lemica_profiler_to_graph(p, LEMICA_AGGREGATE_MEAN_PLUS_Z_STD,
                                          2.0, 0, &graph));
    ck_assert_ok(lemica_graph_get_weight(graph, 0, 2, &w));
    ck_assert(w == 2.0 + 2.0 * sqrt(2.0));
    ck_assert_ok(lemica_graph_get_weight(graph, 1, 4, &w));
    ck_assert(w == 0.5); /* one sample: no spread */
    lemica_graph_free(graph);

    /* Bad arguments. */
    ck_assert_status(
        lemica_profiler_to_graph(p, (lemica_aggregate)3, 0.0, 0, &graph),
        LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_ptr_null(graph);
    ck_assert_status(lemica_profiler_to_graph(
                         p, LEMICA_AGGREGATE_MEAN_PLUS_Z_STD, -1.0, 0, &graph),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_profiler_to_graph(p,
                                              LEMICA_AGGREGATE_MEAN_PLUS_Z_STD,
                                              (double)NAN, 0, &graph),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_profiler_to_graph(p,
                                              LEMICA_AGGREGATE_MEAN_PLUS_Z_STD,
                                              (double)INFINITY, 0, &graph),
                     LEMICA_ERR_INVALID_ARGUMENT);
    /* z is ignored by the other aggregates. */
    ck_assert_ok(lemica_profiler_to_graph(p, LEMICA_AGGREGATE_MEAN, (double)NAN,
                                          0, &graph));
    lemica_graph_free(graph);
    ck_assert_status(
        lemica_profiler_to_graph(NULL, LEMICA_AGGREGATE_MEAN, 0.0, 0, &graph),
        LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(
        lemica_profiler_to_graph(p, LEMICA_AGGREGATE_MEAN, 0.0, 0, NULL),
        LEMICA_ERR_INVALID_ARGUMENT);

    /* require_all: fails naming a missing segment until all are measured. */
    ck_assert_status(
        lemica_profiler_to_graph(p, LEMICA_AGGREGATE_MEAN, 0.0, 1, &graph),
        LEMICA_ERR_STATE);
    ck_assert_ptr_null(graph);
    ck_assert(strstr(lemica_last_error_message(), "(0, 3)") != NULL);
    for (int i = 0; i < 6; i++)
        for (int j = i + 2; j < 6 && j - i <= 3; j++) {
            if (lemica_profiler_to_graph(p, LEMICA_AGGREGATE_MEAN, 0.0, 1,
                                         &graph) == LEMICA_OK)
                ck_abort_msg("require_all succeeded with (%d, %d) missing", i,
                             j);
            ck_assert_ok(lemica_profiler_add_error(p, i, j, 0.25));
        }
    ck_assert_ok(
        lemica_profiler_to_graph(p, LEMICA_AGGREGATE_MEAN, 0.0, 1, &graph));
    /* 5 span-1 + 4 span-2 + 3 span-3 edges. */
    ck_assert_uint_eq(lemica_graph_num_edges(graph), 12);
    lemica_graph_free(graph);

    /* Allocation failure. */
    lemica_alloc_fail_after(0);
    ck_assert_status(
        lemica_profiler_to_graph(p, LEMICA_AGGREGATE_MEAN, 0.0, 0, &graph),
        LEMICA_ERR_NO_MEMORY);
    lemica_alloc_fail_after(-1);
    ck_assert_ptr_null(graph);
    lemica_profiler_free(p);
}
END_TEST

START_TEST(test_profiler_copy_is_independent)
{
    lemica_profiler *p, *copy = (lemica_profiler *)&copy;
    uint64_t count;

    ck_assert_status(lemica_profiler_copy(NULL, &copy),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_ptr_null(copy);
    ck_assert_ok(lemica_profiler_new(7, 3, LEMICA_METRIC_RELATIVE_L1, &p));
    ck_assert_ok(lemica_profiler_add_error(p, 1, 3, 0.5));
    ck_assert_ok(lemica_profiler_copy(p, &copy));
    ck_assert_int_eq(lemica_profiler_metric(copy), LEMICA_METRIC_RELATIVE_L1);
    ck_assert_ok(lemica_profiler_add_error(p, 1, 3, 0.5));
    ck_assert_ok(
        lemica_profiler_edge_stats(copy, 1, 3, &count, NULL, NULL, NULL, NULL));
    ck_assert(count == 1);
    lemica_profiler_free(p);
    ck_assert_ok(lemica_profiler_add_error(copy, 1, 3, 0.5));
    lemica_profiler_free(copy);
}
END_TEST

/* The documented pattern for parallel profiling: one profiler per thread,
 * filled concurrently from buffers, then merged; the counts, min and max
 * match a single-threaded pass exactly and the means closely. */
enum { THREADS = 4, THREAD_N = 10, THREAD_K = 4, THREAD_ELEMENTS = 3000 };

struct worker {
    lemica_profiler *profiler;
    int index;
    lemica_status status;
};

static void
worker_buffers(int index, int sample, float *cached, float *reference)
{
    uint64_t rng = (uint64_t)(index * 1000 + sample);

    for (int e = 0; e < THREAD_ELEMENTS; e++) {
        reference[e] = (float)test_rng_unit(&rng);
        cached[e] = reference[e] + (float)(0.01 * test_rng_unit(&rng));
    }
}

static void *
worker_run(void *argument)
{
    struct worker *worker = argument;
    float cached[THREAD_ELEMENTS], reference[THREAD_ELEMENTS];

    worker->status = LEMICA_OK;
    for (int sample = 0; sample < 20 && worker->status == LEMICA_OK; sample++) {
        int i = (worker->index + sample) % (THREAD_N - 3);
        int j = i + 2 + sample % 2;

        worker_buffers(worker->index, sample, cached, reference);
        worker->status = lemica_profiler_add_buffers(
            worker->profiler, i, j, cached, reference, THREAD_ELEMENTS,
            LEMICA_DTYPE_F32);
    }
    return NULL;
}

START_TEST(test_profiler_threads_then_merge)
{
    static float cached[THREAD_ELEMENTS], reference[THREAD_ELEMENTS];
    struct worker workers[THREADS];
    pthread_t threads[THREADS];
    lemica_profiler *single, *total;
    struct snapshot want, got;

    ck_assert_ok(
        lemica_profiler_new(THREAD_N, THREAD_K, LEMICA_METRIC_L1, &single));
    ck_assert_ok(
        lemica_profiler_new(THREAD_N, THREAD_K, LEMICA_METRIC_L1, &total));
    for (int t = 0; t < THREADS; t++) {
        workers[t].index = t;
        ck_assert_ok(lemica_profiler_new(THREAD_N, THREAD_K, LEMICA_METRIC_L1,
                                         &workers[t].profiler));
        ck_assert_int_eq(
            pthread_create(&threads[t], NULL, worker_run, &workers[t]), 0);
    }
    for (int t = 0; t < THREADS; t++) {
        ck_assert_int_eq(pthread_join(threads[t], NULL), 0);
        ck_assert_ok(workers[t].status);
        ck_assert_ok(lemica_profiler_merge(total, workers[t].profiler));
        lemica_profiler_free(workers[t].profiler);
    }
    for (int t = 0; t < THREADS; t++)
        for (int sample = 0; sample < 20; sample++) {
            int i = (t + sample) % (THREAD_N - 3);
            int j = i + 2 + sample % 2;

            worker_buffers(t, sample, cached, reference);
            ck_assert_ok(lemica_profiler_add_buffers(single, i, j, cached,
                                                     reference, THREAD_ELEMENTS,
                                                     LEMICA_DTYPE_F32));
        }
    take_snapshot(single, &want);
    take_snapshot(total, &got);
    ck_assert(memcmp(want.count, got.count, want.size * sizeof(uint64_t)) == 0);
    for (size_t e = 0; e < want.size; e++)
        if (want.count[e] != 0) {
            ck_assert(fabs(want.values[4 * e] - got.values[4 * e]) <=
                      1e-12 * want.values[4 * e]);
            ck_assert(want.values[4 * e + 2] == got.values[4 * e + 2]);
            ck_assert(want.values[4 * e + 3] == got.values[4 * e + 3]);
        }
    free_snapshot(&want);
    free_snapshot(&got);
    lemica_profiler_free(single);
    lemica_profiler_free(total);
}
END_TEST

TEST_SUITE(profiler)
{
    add_test(suite, test_profiler_new_rules);
    add_test(suite, test_profiler_stats_basic);
    add_test(suite, test_profiler_welford_vs_two_pass);
    add_test(suite, test_profiler_merge_sharding_independent);
    add_test(suite, test_profiler_merge_rules);
    add_test(suite, test_profiler_merge_huge_means);
    add_test(suite, test_profiler_merge_saturates_at_the_edge);
    add_test(suite, test_profiler_accuracy_bound);
    add_test(suite, test_profiler_add_stats_consistency);
    add_test(suite, test_profiler_bad_input_leaves_state);
    add_test(suite, test_profiler_add_buffers_uses_metric);
    add_test(suite, test_profiler_to_graph);
    add_test(suite, test_profiler_copy_is_independent);
    add_test(suite, test_profiler_threads_then_merge);
}
