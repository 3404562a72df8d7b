/* SPDX-License-Identifier: MIT */
#include <math.h>
#include <string.h>

#include "test-common.h"

START_TEST(test_graph_new_rules)
{
    lemica_graph *graph = (lemica_graph *)&graph; /* must be reset to NULL */

    ck_assert_status(lemica_graph_new(1, 1, &graph), LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_ptr_null(graph);
    ck_assert_status(lemica_graph_new(0, 1, &graph), LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_graph_new(-3, 1, &graph), LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_graph_new(10, 0, &graph), LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_graph_new(10, -1, &graph), LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_graph_new(LEMICA_MAX_STEPS + 1, 1, &graph),
                     LEMICA_ERR_TOO_LARGE);
    ck_assert_status(lemica_graph_new(10, 3, NULL), LEMICA_ERR_INVALID_ARGUMENT);
    /* N * K above the documented maximum: refused before allocating. */
    ck_assert_status(lemica_graph_new(LEMICA_MAX_STEPS, LEMICA_MAX_STEPS, &graph),
                     LEMICA_ERR_TOO_LARGE);
    ck_assert_status(lemica_graph_new(LEMICA_MAX_STEPS,
                                      LEMICA_MAX_EDGE_SLOTS / LEMICA_MAX_STEPS + 1,
                                      &graph),
                     LEMICA_ERR_TOO_LARGE);
    ck_assert_ptr_null(graph);
    ck_assert(strlen(lemica_last_error_message()) > 0);

    ck_assert_ok(lemica_graph_new(2, 1, &graph));
    ck_assert_int_eq(lemica_graph_num_steps(graph), 2);
    ck_assert_int_eq(lemica_graph_max_skip(graph), 1);
    lemica_graph_free(graph);

    /* K above N - 1 is clamped. */
    ck_assert_ok(lemica_graph_new(10, 1000, &graph));
    ck_assert_int_eq(lemica_graph_max_skip(graph), 9);
    lemica_graph_free(graph);

    ck_assert_int_eq(lemica_graph_num_steps(NULL), 0);
    ck_assert_int_eq(lemica_graph_max_skip(NULL), 0);
    ck_assert_uint_eq(lemica_graph_num_edges(NULL), 0);
    lemica_graph_free(NULL);
}
END_TEST

START_TEST(test_graph_span_one_default)
{
    lemica_graph *graph;
    double w = -1.0;

    ck_assert_ok(lemica_graph_new(6, 3, &graph));
    /* Span-1 edges exist with weight 0; longer ones start absent. */
    ck_assert_uint_eq(lemica_graph_num_edges(graph), 5);
    for (int i = 0; i + 1 < 6; i++) {
        ck_assert_int_eq(lemica_graph_has_edge(graph, i, i + 1), 1);
        ck_assert_ok(lemica_graph_get_weight(graph, i, i + 1, &w));
        ck_assert(w == 0.0 && !signbit(w));
    }
    ck_assert_int_eq(lemica_graph_has_edge(graph, 0, 2), 0);
    ck_assert_status(lemica_graph_get_weight(graph, 0, 2, &w), LEMICA_ERR_NOT_FOUND);
    ck_assert_int_eq(lemica_graph_has_edge(graph, 0, 3), 0);
    lemica_graph_free(graph);
}
END_TEST

START_TEST(test_graph_set_get_remove)
{
    lemica_graph *graph;
    double w;

    ck_assert_ok(lemica_graph_new(8, 4, &graph));
    ck_assert_ok(lemica_graph_set_weight(graph, 2, 6, 0.25));
    ck_assert_int_eq(lemica_graph_has_edge(graph, 2, 6), 1);
    ck_assert_ok(lemica_graph_get_weight(graph, 2, 6, &w));
    ck_assert(w == 0.25);
    ck_assert_uint_eq(lemica_graph_num_edges(graph), 8);
    ck_assert_ok(lemica_graph_set_weight(graph, 2, 6, 1e300));
    ck_assert_ok(lemica_graph_get_weight(graph, 2, 6, &w));
    ck_assert(w == 1e300);
    ck_assert_ok(lemica_graph_remove_edge(graph, 2, 6));
    ck_assert_int_eq(lemica_graph_has_edge(graph, 2, 6), 0);
    ck_assert_status(lemica_graph_get_weight(graph, 2, 6, &w), LEMICA_ERR_NOT_FOUND);
    /* Removing an absent edge is fine. */
    ck_assert_ok(lemica_graph_remove_edge(graph, 2, 6));
    /* Span-1 edges can change weight or go. */
    ck_assert_ok(lemica_graph_set_weight(graph, 0, 1, 0.5));
    ck_assert_ok(lemica_graph_get_weight(graph, 0, 1, &w));
    ck_assert(w == 0.5);
    ck_assert_ok(lemica_graph_remove_edge(graph, 3, 4));
    ck_assert_int_eq(lemica_graph_has_edge(graph, 3, 4), 0);
    ck_assert_uint_eq(lemica_graph_num_edges(graph), 6);
    /* A subnormal weight is a weight. */
    ck_assert_ok(lemica_graph_set_weight(graph, 1, 3, 4.9e-324));
    ck_assert_ok(lemica_graph_get_weight(graph, 1, 3, &w));
    ck_assert(w == 4.9e-324);
    lemica_graph_free(graph);
}
END_TEST

START_TEST(test_graph_bad_weights_leave_graph_unchanged)
{
    const double bad[] = {(double)NAN, -(double)NAN, HUGE_VAL, -HUGE_VAL, -1.0, -1e-300,
                          -4.9e-324};
    lemica_graph *graph;
    double w;

    ck_assert_ok(lemica_graph_new(5, 4, &graph));
    ck_assert_ok(lemica_graph_set_weight(graph, 0, 3, 0.125));
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ck_assert_status(lemica_graph_set_weight(graph, 0, 3, bad[i]),
                         LEMICA_ERR_INVALID_VALUE);
        ck_assert_ok(lemica_graph_get_weight(graph, 0, 3, &w));
        ck_assert(w == 0.125);
        ck_assert_status(lemica_graph_set_weight(graph, 1, 4, bad[i]),
                         LEMICA_ERR_INVALID_VALUE);
        ck_assert_int_eq(lemica_graph_has_edge(graph, 1, 4), 0);
    }
    /* -0 is stored as +0. */
    ck_assert_ok(lemica_graph_set_weight(graph, 1, 4, -0.0));
    ck_assert_ok(lemica_graph_get_weight(graph, 1, 4, &w));
    ck_assert(w == 0.0 && !signbit(w));
    lemica_graph_free(graph);
}
END_TEST

START_TEST(test_graph_out_of_range)
{
    const int bad[][2] = {{-1, 0}, {0, 0}, {3, 2}, {0, 10}, {9, 10},
                          {0, 4},  {5, 9}, {2, 2}, {-5, -2}, {8, 100}};
    lemica_graph *graph;
    double w = 7.0;

    ck_assert_ok(lemica_graph_new(10, 3, &graph));
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int from = bad[i][0], to = bad[i][1];
        ck_assert_status(lemica_graph_set_weight(graph, from, to, 1.0),
                         LEMICA_ERR_OUT_OF_RANGE);
        ck_assert_status(lemica_graph_get_weight(graph, from, to, &w),
                         LEMICA_ERR_OUT_OF_RANGE);
        ck_assert_status(lemica_graph_remove_edge(graph, from, to),
                         LEMICA_ERR_OUT_OF_RANGE);
        ck_assert_int_eq(lemica_graph_has_edge(graph, from, to),
                         LEMICA_ERR_OUT_OF_RANGE);
    }
    ck_assert(w == 7.0);
    ck_assert_uint_eq(lemica_graph_num_edges(graph), 9);
    ck_assert_status(lemica_graph_set_weight(NULL, 0, 1, 1.0),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_graph_get_weight(graph, 0, 1, NULL),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(lemica_graph_has_edge(NULL, 0, 1), LEMICA_ERR_INVALID_ARGUMENT);
    lemica_graph_free(graph);
}
END_TEST

START_TEST(test_graph_copy_is_independent)
{
    lemica_graph *graph, *copy = (lemica_graph *)&copy;
    double w;

    ck_assert_status(lemica_graph_copy(NULL, &copy), LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_ptr_null(copy);
    ck_assert_ok(lemica_graph_new(7, 3, &graph));
    ck_assert_ok(lemica_graph_set_weight(graph, 1, 4, 0.75));
    ck_assert_ok(lemica_graph_remove_edge(graph, 5, 6));
    ck_assert_ok(lemica_graph_copy(graph, &copy));
    ck_assert_int_eq(lemica_graph_num_steps(copy), 7);
    ck_assert_int_eq(lemica_graph_max_skip(copy), 3);
    ck_assert_ok(lemica_graph_get_weight(copy, 1, 4, &w));
    ck_assert(w == 0.75);
    ck_assert_int_eq(lemica_graph_has_edge(copy, 5, 6), 0);
    ck_assert_ok(lemica_graph_set_weight(graph, 1, 4, 0.5));
    ck_assert_ok(lemica_graph_get_weight(copy, 1, 4, &w));
    ck_assert(w == 0.75);
    lemica_graph_free(graph);
    ck_assert_ok(lemica_graph_set_weight(copy, 0, 3, 2.0));
    lemica_graph_free(copy);
}
END_TEST

TEST_SUITE(graph)
{
    add_test(suite, test_graph_new_rules);
    add_test(suite, test_graph_span_one_default);
    add_test(suite, test_graph_set_get_remove);
    add_test(suite, test_graph_bad_weights_leave_graph_unchanged);
    add_test(suite, test_graph_out_of_range);
    add_test(suite, test_graph_copy_is_independent);
}
