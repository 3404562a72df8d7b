/* SPDX-License-Identifier: MIT */
/* Time grids in metadata and the transfer of graphs to another grid:
 * exact where the interpolation must be exact (same grid, every other
 * point of the grid, functions bilinear interpolation reproduces), strict
 * on bad grids, and the caller's objects unchanged on failure. */
#include <math.h>
#include <string.h>

#include "alloc-int.h"
#include "test-common.h"
#include "test-rng.h"

static double
uniform_value(int i, int n)
{
    return 1.0 - (double)i / (double)n;
}

START_TEST(test_shifted_grid_values)
{
    double grid[8];

    ck_assert_ok(lemica_time_grid_shifted(4, 1.0, grid, 5));
    for (int i = 0; i <= 4; i++)
        ck_assert_double_eq(grid[i], uniform_value(i, 4));
    ck_assert_ok(lemica_time_grid_shifted(4, 3.0, grid, 8));
    ck_assert_double_eq(grid[0], 1.0);
    ck_assert_double_eq(grid[4], 0.0);
    /* u = 0.5: 3 * 0.5 / (1 + 2 * 0.5) = 0.75. */
    ck_assert_double_eq_tol(grid[2], 0.75, 1e-15);
    ck_assert_status(lemica_time_grid_shifted(4, 3.0, grid, 4),
                     LEMICA_ERR_TOO_LARGE);
    ck_assert_status(lemica_time_grid_shifted(0, 3.0, grid, 8),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_time_grid_shifted(4, 0.0, grid, 8),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_time_grid_shifted(4, (double)NAN, grid, 8),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_time_grid_shifted(4, 3.0, NULL, 8),
                     LEMICA_ERR_INVALID_ARGUMENT);
}
END_TEST

START_TEST(test_grid_metadata_round_trip)
{
    lemica_metadata *metadata = NULL;
    double grid[51], back[51];
    size_t count = 0;

    ck_assert_ok(lemica_metadata_new(&metadata));
    ck_assert_status(lemica_time_grid_get(metadata, back, 51, &count),
                     LEMICA_ERR_NOT_FOUND);
    ck_assert_ok(lemica_time_grid_shifted(50, 3.0, grid, 51));
    ck_assert_ok(lemica_time_grid_set(metadata, grid, 51));
    ck_assert_ok(lemica_time_grid_get(metadata, back, 51, &count));
    ck_assert_uint_eq(count, 51);
    for (int i = 0; i <= 50; i++)
        ck_assert_uint_eq(test_bits_of(back[i]), test_bits_of(grid[i]));

    /* Asking for the count, and too small a buffer. */
    ck_assert_status(lemica_time_grid_get(metadata, NULL, 0, &count),
                     LEMICA_ERR_TOO_LARGE);
    ck_assert_uint_eq(count, 51);
    back[0] = -7.0;
    ck_assert_status(lemica_time_grid_get(metadata, back, 50, &count),
                     LEMICA_ERR_TOO_LARGE);
    ck_assert_double_eq(back[0], -7.0);

    /* The grid a metadata value can hold, and one more. */
    {
        double long_grid[LEMICA_TIME_GRID_MAX_VALUES + 1];

        for (int i = 0; i <= LEMICA_TIME_GRID_MAX_VALUES; i++)
            long_grid[i] = -1.0 / 3.0 - 1e-5 * i; /* 17 digits each */
        ck_assert_ok(lemica_time_grid_set(metadata, long_grid,
                                          LEMICA_TIME_GRID_MAX_VALUES));
        ck_assert_status(lemica_time_grid_set(metadata, long_grid,
                                              LEMICA_TIME_GRID_MAX_VALUES + 1),
                         LEMICA_ERR_TOO_LARGE);
    }
    lemica_metadata_free(metadata);
}
END_TEST

START_TEST(test_grid_metadata_refuses_bad_grids)
{
    static const char *const bad_values[] = {
        "1,0.5",         /* too short */
        "1,0.5,x",       /* not a number */
        "1,0.5,0.5,0",   /* not strictly monotone */
        "1,0.5,0.7,0",   /* changes direction */
        "1,,0",          /* empty value */
        "1,0.5,0,",      /* trailing comma */
        "1,inf,0",       /* not finite */
        "1, 0.5, 0",     /* spaces */
    };
    lemica_metadata *metadata = NULL;
    double grid[8] = {1.0, 0.5, 0.25, 0.5, 0.0};
    size_t count = 0;

    ck_assert_ok(lemica_metadata_new(&metadata));
    for (size_t i = 0; i < sizeof(bad_values) / sizeof(bad_values[0]); i++) {
        ck_assert_ok(lemica_metadata_set(metadata, LEMICA_TIME_GRID_KEY,
                                         bad_values[i]));
        ck_assert_status(lemica_time_grid_get(metadata, grid, 8, &count),
                         LEMICA_ERR_PARSE);
        ck_assert_status(lemica_time_grid_check(metadata, grid, 3),
                         LEMICA_ERR_PARSE);
    }
    /* Setting a bad grid leaves the old value. */
    ck_assert_ok(lemica_metadata_set(metadata, LEMICA_TIME_GRID_KEY, "1,0.5,0"));
    ck_assert_status(lemica_time_grid_set(metadata, grid, 5),
                     LEMICA_ERR_INVALID_VALUE);
    ck_assert_message_has("not strictly monotone");
    grid[2] = (double)NAN;
    ck_assert_status(lemica_time_grid_set(metadata, grid, 3),
                     LEMICA_ERR_INVALID_VALUE);
    ck_assert_status(lemica_time_grid_set(metadata, grid, 2),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_str_eq(lemica_metadata_get(metadata, LEMICA_TIME_GRID_KEY),
                     "1,0.5,0");
    lemica_metadata_free(metadata);
}
END_TEST

START_TEST(test_grid_check)
{
    lemica_metadata *metadata = NULL;
    double grid[31], other[31], shorter[21];

    ck_assert_ok(lemica_metadata_new(&metadata));
    ck_assert_ok(lemica_time_grid_shifted(30, 3.0, grid, 31));
    ck_assert_status(lemica_time_grid_check(metadata, grid, 31),
                     LEMICA_ERR_NOT_FOUND);
    ck_assert_ok(lemica_time_grid_set(metadata, grid, 31));
    ck_assert_ok(lemica_time_grid_check(metadata, grid, 31));

    /* Recomputed in float: still the same grid. */
    memcpy(other, grid, sizeof(grid));
    for (int i = 0; i <= 30; i++)
        other[i] = (double)(float)other[i] == other[i]
                       ? other[i]
                       : other[i] * (1.0 + 1e-12);
    ck_assert_ok(lemica_time_grid_check(metadata, other, 31));

    ck_assert_ok(lemica_time_grid_shifted(30, 6.0, other, 31));
    ck_assert_status(lemica_time_grid_check(metadata, other, 31),
                     LEMICA_ERR_MISMATCH);
    ck_assert_message_has("another time grid");
    ck_assert_ok(lemica_time_grid_shifted(20, 3.0, shorter, 21));
    ck_assert_status(lemica_time_grid_check(metadata, shorter, 21),
                     LEMICA_ERR_MISMATCH);
    ck_assert_message_has("30 steps, not 20");
    lemica_metadata_free(metadata);
}
END_TEST

static lemica_graph *
random_full_graph(int num_steps, int max_skip, uint64_t seed)
{
    lemica_graph *graph = NULL;
    uint64_t rng = seed;

    ck_assert_ok(lemica_graph_new(num_steps, max_skip, &graph));
    for (int from = 0; from < num_steps; from++)
        for (int to = from + 2; to < num_steps && to - from <= max_skip; to++)
            ck_assert_ok(
                lemica_graph_set_weight(graph, from, to, test_rng_unit(&rng)));
    return graph;
}

START_TEST(test_transfer_to_the_same_grid_is_exact)
{
    lemica_graph *source = random_full_graph(20, 7, 11), *target = NULL;
    double grid[21];

    ck_assert_ok(lemica_time_grid_shifted(20, 3.0, grid, 21));
    ck_assert_ok(lemica_graph_transfer(source, grid, 21, grid, 21, &target));
    ck_assert_int_eq(lemica_graph_num_steps(target), 20);
    ck_assert_int_eq(lemica_graph_max_skip(target), 7);
    ck_assert_uint_eq(lemica_graph_num_edges(target),
                      lemica_graph_num_edges(source));
    for (int from = 0; from < 20; from++) {
        for (int to = from + 1; to < 20 && to - from <= 7; to++) {
            double a, b;

            ck_assert_ok(lemica_graph_get_weight(source, from, to, &a));
            ck_assert_ok(lemica_graph_get_weight(target, from, to, &b));
            ck_assert_uint_eq(test_bits_of(a), test_bits_of(b));
        }
    }
    lemica_graph_free(target);
    lemica_graph_free(source);
}
END_TEST

START_TEST(test_transfer_to_every_other_point)
{
    /* The target grid is every other value of the source's: target edge
     * (i, j) is source edge (2i, 2j), exactly; those past the source's
     * max skip are absent. */
    lemica_graph *source = random_full_graph(17, 9, 5), *target = NULL;
    double grid[18], half[9];

    ck_assert_ok(lemica_time_grid_shifted(17, 2.0, grid, 18));
    for (int i = 0; i < 9; i++)
        half[i] = grid[2 * i];
    ck_assert_ok(lemica_graph_transfer(source, grid, 18, half, 9, &target));
    ck_assert_int_eq(lemica_graph_num_steps(target), 8);
    ck_assert_int_eq(lemica_graph_max_skip(target), 4);
    for (int from = 0; from < 8; from++) {
        for (int to = from + 2; to < 8; to++) {
            double expected, got;

            if (2 * (to - from) > 9) {
                ck_assert_int_eq(lemica_graph_has_edge(target, from, to) == 1,
                                 0);
                continue;
            }
            ck_assert_ok(
                lemica_graph_get_weight(source, 2 * from, 2 * to, &expected));
            ck_assert_ok(lemica_graph_get_weight(target, from, to, &got));
            ck_assert_double_eq_tol(got, expected, 1e-15);
        }
    }
    lemica_graph_free(target);
    lemica_graph_free(source);
}
END_TEST

START_TEST(test_transfer_reproduces_bilinear_functions)
{
    /* w(p, q) = 0.3 + 0.02 p + 0.05 q + 0.001 p q is bilinear, so the
     * interpolation reproduces it wherever no corner falls on or below
     * the diagonal (source span above 2). */
    lemica_graph *source = NULL, *target = NULL;
    double grid[51], coarse[14];
    int checked = 0;

    ck_assert_ok(lemica_graph_new(50, 49, &source));
    for (int p = 0; p < 50; p++)
        for (int q = p + 2; q < 50; q++)
            ck_assert_ok(lemica_graph_set_weight(
                source, p, q, 0.3 + 0.02 * p + 0.05 * q + 0.001 * p * q));
    ck_assert_ok(lemica_time_grid_shifted(50, 1.0, grid, 51));
    ck_assert_ok(lemica_time_grid_shifted(13, 1.0, coarse, 14));
    ck_assert_ok(lemica_graph_transfer(source, grid, 51, coarse, 14, &target));
    for (int from = 0; from < 13; from++) {
        for (int to = from + 2; to < 13; to++) {
            double a = 50.0 * from / 13.0, b = 50.0 * to / 13.0, got;

            if (b > 49.0)
                b = 49.0;
            if (b - a <= 2.0)
                continue;
            ck_assert_ok(lemica_graph_get_weight(target, from, to, &got));
            ck_assert_double_eq_tol(got,
                                    0.3 + 0.02 * a + 0.05 * b + 0.001 * a * b,
                                    1e-12);
            checked++;
        }
    }
    ck_assert_int_gt(checked, 50);
    lemica_graph_free(target);
    lemica_graph_free(source);
}
END_TEST

START_TEST(test_transfer_keeps_absent_edges_absent)
{
    lemica_graph *source = random_full_graph(12, 11, 3), *target = NULL;
    double grid[13];

    /* Source segment (4, 7) unmeasured: the same-grid transfer lacks it. */
    ck_assert_ok(lemica_graph_remove_edge(source, 4, 7));
    ck_assert_ok(lemica_time_grid_shifted(12, 1.0, grid, 13));
    ck_assert_ok(lemica_graph_transfer(source, grid, 13, grid, 13, &target));
    ck_assert_int_eq(lemica_graph_has_edge(target, 4, 7), 0);
    ck_assert_int_eq(lemica_graph_has_edge(target, 4, 8), 1);
    lemica_graph_free(target);
    lemica_graph_free(source);
}
END_TEST

START_TEST(test_transfer_to_a_finer_grid)
{
    /* N' > N: a target span maps to less than one source step near the
     * diagonal, interpolated toward 0 (no reused step, no error). Every
     * weight stays within the source's range and the graph solves. */
    lemica_graph *source = random_full_graph(10, 9, 17), *target = NULL;
    lemica_solver *solver = NULL;
    lemica_schedule *schedule = NULL;
    double grid[11], fine[41];

    ck_assert_ok(lemica_time_grid_shifted(10, 3.0, grid, 11));
    ck_assert_ok(lemica_time_grid_shifted(40, 3.0, fine, 41));
    ck_assert_ok(lemica_graph_transfer(source, grid, 11, fine, 41, &target));
    ck_assert_int_eq(lemica_graph_num_steps(target), 40);
    for (int from = 0; from < 40; from++) {
        for (int to = from + 2; to < 40; to++) {
            double w;

            if (lemica_graph_get_weight(target, from, to, &w) != LEMICA_OK)
                continue;
            ck_assert(w >= 0.0 && w <= 1.0);
        }
    }
    ck_assert_ok(lemica_solver_new(&solver));
    ck_assert_ok(lemica_solver_solve(solver, target, 12, &schedule));
    lemica_schedule_free(schedule);
    lemica_solver_free(solver);
    lemica_graph_free(target);
    lemica_graph_free(source);
}
END_TEST

START_TEST(test_transfer_refuses_bad_grids)
{
    lemica_graph *source = random_full_graph(10, 9, 1), *target = NULL;
    double grid[11], other[11], rising[11], wide[11];

    ck_assert_ok(lemica_time_grid_shifted(10, 3.0, grid, 11));
    memcpy(other, grid, sizeof(grid));
    for (int i = 0; i <= 10; i++)
        rising[i] = grid[10 - i];
    ck_assert_ok(lemica_time_grid_shifted(10, 1.0, wide, 11));
    wide[0] = 1.5; /* beyond the source's range */

    target = (lemica_graph *)source;
    ck_assert_status(lemica_graph_transfer(source, grid, 10, grid, 11, &target),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_ptr_null(target);
    ck_assert_status(lemica_graph_transfer(NULL, grid, 11, grid, 11, &target),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_graph_transfer(source, grid, 11, NULL, 11, &target),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_graph_transfer(source, grid, 11, grid, 11, NULL),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_graph_transfer(source, grid, 11, grid, 2, &target),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(
        lemica_graph_transfer(source, grid, 11, rising, 11, &target),
        LEMICA_ERR_INVALID_VALUE);
    ck_assert_message_has("decreases");
    ck_assert_status(lemica_graph_transfer(source, grid, 11, wide, 11, &target),
                     LEMICA_ERR_INVALID_VALUE);
    ck_assert_message_has("range");
    other[5] = other[4];
    ck_assert_status(lemica_graph_transfer(source, grid, 11, other, 11, &target),
                     LEMICA_ERR_INVALID_VALUE);
    other[5] = (double)NAN;
    ck_assert_status(lemica_graph_transfer(source, other, 11, grid, 11, &target),
                     LEMICA_ERR_INVALID_VALUE);
    ck_assert_message_has("not finite");
    ck_assert_ptr_null(target);
    lemica_graph_free(source);
}
END_TEST

START_TEST(test_grid_distance)
{
    double grid[51], same_shape[31], other_shape[51], distance = -1.0;

    ck_assert_ok(lemica_time_grid_shifted(50, 3.0, grid, 51));
    ck_assert_ok(lemica_time_grid_distance(grid, 51, grid, 51, &distance));
    ck_assert_double_eq(distance, 0.0);
    ck_assert_ok(lemica_time_grid_shifted(30, 3.0, same_shape, 31));
    ck_assert_ok(lemica_time_grid_distance(grid, 51, same_shape, 31, &distance));
    ck_assert_double_lt(distance, 0.01);
    ck_assert_ok(lemica_time_grid_shifted(50, 1.0, other_shape, 51));
    ck_assert_ok(
        lemica_time_grid_distance(grid, 51, other_shape, 51, &distance));
    ck_assert_double_gt(distance, 0.1);
    ck_assert_status(lemica_time_grid_distance(grid, 51, grid, 51, NULL),
                     LEMICA_ERR_INVALID_ARGUMENT);
}
END_TEST

START_TEST(test_transfer_allocation_failures)
{
    lemica_graph *source = random_full_graph(12, 11, 9), *target = NULL;
    lemica_metadata *metadata = NULL;
    double grid[13], coarse[9];

    ck_assert_ok(lemica_time_grid_shifted(12, 3.0, grid, 13));
    ck_assert_ok(lemica_time_grid_shifted(8, 3.0, coarse, 9));
    ck_assert_each_allocation_failure(
        &target, lemica_graph_transfer(source, grid, 13, coarse, 9, &target));
    lemica_graph_free(target);

    /* Recording a grid: a failure leaves the metadata as it was. */
    ck_assert_ok(lemica_metadata_new(&metadata));
    for (long n = 0;; n++) {
        lemica_status status;

        lemica_alloc_fail_after(n);
        status = lemica_time_grid_set(metadata, grid, 13);
        lemica_alloc_fail_after(-1);
        if (status == LEMICA_OK)
            break;
        ck_assert_status(status, LEMICA_ERR_NO_MEMORY);
        ck_assert_ptr_null(lemica_metadata_get(metadata, LEMICA_TIME_GRID_KEY));
    }
    ck_assert_ok(lemica_time_grid_check(metadata, grid, 13));
    lemica_metadata_free(metadata);
    lemica_graph_free(source);
}
END_TEST

TEST_SUITE(transfer)
{
    add_test(suite, test_shifted_grid_values);
    add_test(suite, test_grid_metadata_round_trip);
    add_test(suite, test_grid_metadata_refuses_bad_grids);
    add_test(suite, test_grid_check);
    add_test(suite, test_transfer_to_the_same_grid_is_exact);
    add_test(suite, test_transfer_to_every_other_point);
    add_test(suite, test_transfer_reproduces_bilinear_functions);
    add_test(suite, test_transfer_keeps_absent_edges_absent);
    add_test(suite, test_transfer_to_a_finer_grid);
    add_test(suite, test_transfer_refuses_bad_grids);
    add_test(suite, test_grid_distance);
    add_test(suite, test_transfer_allocation_failures);
}
