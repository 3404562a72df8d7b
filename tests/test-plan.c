/* SPDX-License-Identifier: MIT */
/*
 * The profiling plan against a brute-force enumeration: for every small N
 * and K and random selections, the replay list, the per-step actions, the
 * groups and the model-call count are rebuilt here from a plain matrix of
 * selected segments and compared with the plan's answers.
 */
#include <stdint.h>
#include <string.h>

#include "alloc-int.h"
#include "test-common.h"

#define MAX_N 13

/* selected[i][j] for the segments the plan must hold. */
struct mirror {
    int n, k;
    int selected[MAX_N][MAX_N];
};

static int
is_segment(const struct mirror *m, int i, int j)
{
    return i >= 0 && j < m->n && j - i >= 2 && j - i <= m->k;
}

static void
check_plan(const lemica_plan *plan, const struct mirror *m)
{
    size_t replay = 0, group = 0;
    uint64_t calls = (uint64_t)m->n;

    for (int i = 0; i < m->n; i++) {
        size_t first = replay;

        for (int j = i + 2; j < m->n; j++) {
            int from = -1, to = -1;

            if (!is_segment(m, i, j) || !m->selected[i][j])
                continue;
            ck_assert_ok(lemica_plan_replay(plan, replay, &from, &to));
            ck_assert_msg(from == i && to == j,
                          "N=%d K=%d replay %zu: (%d, %d), want (%d, %d)", m->n,
                          m->k, replay, from, to, i, j);
            for (int t = 0; t < m->n; t++) {
                int want = t <= i  ? LEMICA_STEP_FROM_REFERENCE
                           : t < j ? LEMICA_STEP_REUSE
                                   : LEMICA_STEP_COMPUTE;
                ck_assert_int_eq(lemica_plan_step_action(plan, replay, t),
                                 want);
            }
            calls += (uint64_t)(m->n - j);
            replay++;
        }
        if (replay > first) {
            int start = -1;
            size_t got_first = 99, count = 99;

            ck_assert_ok(
                lemica_plan_group(plan, group, &start, &got_first, &count));
            ck_assert_int_eq(start, i);
            ck_assert_uint_eq(got_first, first);
            ck_assert_uint_eq(count, replay - first);
            group++;
        }
        for (int j = 0; j < MAX_N; j++)
            if (is_segment(m, i, j))
                ck_assert_int_eq(lemica_plan_is_selected(plan, i, j),
                                 m->selected[i][j]);
    }
    ck_assert_uint_eq(lemica_plan_num_replays(plan), replay);
    ck_assert_uint_eq(lemica_plan_num_groups(plan), group);
    ck_assert(lemica_plan_model_calls(plan) == calls);
    ck_assert_status(lemica_plan_replay(plan, replay, NULL, NULL),
                     LEMICA_ERR_OUT_OF_RANGE);
    ck_assert_int_eq(lemica_plan_step_action(plan, replay, 0),
                     LEMICA_ERR_OUT_OF_RANGE);
    ck_assert_status(lemica_plan_group(plan, group, NULL, NULL, NULL),
                     LEMICA_ERR_OUT_OF_RANGE);
}

START_TEST(test_plan_brute_force)
{
    uint64_t rng = 31337;

    for (int n = 2; n <= MAX_N; n++)
        for (int k = 1; k <= n + 1; k++) {
            lemica_plan *plan;
            struct mirror m;

            ck_assert_ok(lemica_plan_new(n, k, &plan));
            memset(&m, 0, sizeof(m));
            m.n = n;
            m.k = k < n - 1 ? k : n - 1;
            ck_assert_int_eq(lemica_plan_num_steps(plan), n);
            ck_assert_int_eq(lemica_plan_max_skip(plan), m.k);
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++)
                    m.selected[i][j] = is_segment(&m, i, j);
            check_plan(plan, &m);

            /* Random narrowing and widening. */
            for (int round = 0; round < 12; round++) {
                int op = test_rng_below(&rng, 10);
                int selected = test_rng_below(&rng, 2);

                if (op < 6) {
                    int i = test_rng_below(&rng, n),
                        j = test_rng_below(&rng, n + 1);

                    if (is_segment(&m, i, j)) {
                        ck_assert_ok(
                            lemica_plan_select_segment(plan, i, j, selected));
                        m.selected[i][j] = selected;
                    } else {
                        ck_assert_status(
                            lemica_plan_select_segment(plan, i, j, selected),
                            LEMICA_ERR_OUT_OF_RANGE);
                    }
                } else if (op < 9) {
                    int i = test_rng_below(&rng, n);

                    ck_assert_ok(lemica_plan_select_start(plan, i, selected));
                    for (int j = 0; j < n; j++)
                        if (is_segment(&m, i, j))
                            m.selected[i][j] = selected;
                } else {
                    ck_assert_ok(lemica_plan_select_all(plan, selected));
                    for (int i = 0; i < n; i++)
                        for (int j = 0; j < n; j++)
                            if (is_segment(&m, i, j))
                                m.selected[i][j] = selected;
                }
                check_plan(plan, &m);
            }
            lemica_plan_free(plan);
        }
}
END_TEST

START_TEST(test_plan_cost_example)
{
    lemica_plan *plan;

    /* N = 50, K = 49: the full reference pass plus a replay for every
     * segment of span >= 2: 50 + sum_{j=2}^{49} (j - 1) (50 - j). */
    ck_assert_ok(lemica_plan_new(50, 49, &plan));
    {
        uint64_t want = 50;
        for (int j = 2; j < 50; j++)
            want += (uint64_t)(j - 1) * (uint64_t)(50 - j);
        ck_assert(lemica_plan_model_calls(plan) == want);
        ck_assert_uint_eq(lemica_plan_num_replays(plan), 48 * 49 / 2);
    }
    /* Nothing selected: only the reference pass. */
    ck_assert_ok(lemica_plan_select_all(plan, 0));
    ck_assert(lemica_plan_model_calls(plan) == 50);
    ck_assert_uint_eq(lemica_plan_num_replays(plan), 0);
    ck_assert_uint_eq(lemica_plan_num_groups(plan), 0);
    lemica_plan_free(plan);
}
END_TEST

START_TEST(test_plan_bad_arguments)
{
    lemica_plan *plan = (lemica_plan *)&plan;

    ck_assert_status(lemica_plan_new(1, 1, &plan), LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_ptr_null(plan);
    ck_assert_status(lemica_plan_new(10, 0, &plan),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_plan_new(10, 2, NULL), LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_plan_new(LEMICA_MAX_STEPS + 1, 2, &plan),
                     LEMICA_ERR_TOO_LARGE);
    ck_assert_status(lemica_plan_new(LEMICA_MAX_STEPS, LEMICA_MAX_STEPS, &plan),
                     LEMICA_ERR_TOO_LARGE);
    for (long fail = 0; fail < 6; fail++) {
        lemica_alloc_fail_after(fail);
        ck_assert_status(lemica_plan_new(10, 3, &plan), LEMICA_ERR_NO_MEMORY);
        ck_assert_ptr_null(plan);
    }
    lemica_alloc_fail_after(-1);

    ck_assert_ok(lemica_plan_new(8, 3, &plan));
    ck_assert_status(lemica_plan_select_segment(plan, 0, 1, 1),
                     LEMICA_ERR_OUT_OF_RANGE);
    ck_assert_status(lemica_plan_select_segment(plan, 0, 4, 1),
                     LEMICA_ERR_OUT_OF_RANGE);
    ck_assert_status(lemica_plan_select_segment(plan, 6, 8, 1),
                     LEMICA_ERR_OUT_OF_RANGE);
    ck_assert_status(lemica_plan_select_segment(plan, -1, 1, 1),
                     LEMICA_ERR_OUT_OF_RANGE);
    ck_assert_status(lemica_plan_select_start(plan, -1, 1),
                     LEMICA_ERR_OUT_OF_RANGE);
    ck_assert_status(lemica_plan_select_start(plan, 8, 1),
                     LEMICA_ERR_OUT_OF_RANGE);
    /* The last steps start no segment: accepted, nothing changes. */
    ck_assert_ok(lemica_plan_select_start(plan, 7, 1));
    ck_assert_int_eq(lemica_plan_is_selected(plan, 0, 1),
                     LEMICA_ERR_OUT_OF_RANGE);
    ck_assert_int_eq(lemica_plan_step_action(plan, 0, -1),
                     LEMICA_ERR_OUT_OF_RANGE);
    ck_assert_int_eq(lemica_plan_step_action(plan, 0, 8),
                     LEMICA_ERR_OUT_OF_RANGE);

    ck_assert_status(lemica_plan_select_segment(NULL, 0, 2, 1),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_plan_select_start(NULL, 0, 1),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_plan_select_all(NULL, 1),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(lemica_plan_is_selected(NULL, 0, 2),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_plan_replay(NULL, 0, NULL, NULL),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(lemica_plan_step_action(NULL, 0, 0),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_plan_group(NULL, 0, NULL, NULL, NULL),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_uint_eq(lemica_plan_num_replays(NULL), 0);
    ck_assert_uint_eq(lemica_plan_num_groups(NULL), 0);
    ck_assert(lemica_plan_model_calls(NULL) == 0);
    ck_assert_int_eq(lemica_plan_num_steps(NULL), 0);
    ck_assert_int_eq(lemica_plan_max_skip(NULL), 0);
    lemica_plan_free(plan);
    lemica_plan_free(NULL);
}
END_TEST

TEST_SUITE(plan)
{
    add_test(suite, test_plan_brute_force);
    add_test(suite, test_plan_cost_example);
    add_test(suite, test_plan_bad_arguments);
}
