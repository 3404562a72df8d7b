/* SPDX-License-Identifier: MIT */
/* The schedule object: construction and its checks, the getters and their
 * buffer protocol, should_compute, copies, evaluation on a graph, and the
 * internal helpers the solver builds on (reserve, commit, set_costs, the
 * allocation-free heapsort). */
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "alloc-int.h"
#include "schedule-int.h"
#include "sort-int.h"
#include "test-common.h"

static lemica_schedule *
make_schedule(int num_steps, const int *steps, size_t count)
{
    lemica_schedule *schedule = NULL;

    ck_assert_ok(
        lemica_schedule_new_from_steps(num_steps, steps, count, &schedule));
    ck_assert_ptr_nonnull(schedule);
    return schedule;
}

/* A graph of @num_steps steps where every edge up to @max_skip is present
 * with weight from * 1000 + to, so each segment's weight names it. */
static lemica_graph *
make_full_graph(int num_steps, int max_skip)
{
    lemica_graph *graph = NULL;

    ck_assert_ok(lemica_graph_new(num_steps, max_skip, &graph));
    for (int from = 0; from < num_steps; from++)
        for (int to = from + 1; to < num_steps && to - from <= max_skip; to++)
            ck_assert_ok(
                lemica_graph_set_weight(graph, from, to, from * 1000.0 + to));
    return graph;
}

static const int example_steps[] = {0, 1, 2, 4, 8, 16, 30, 49};
#define EXAMPLE_COUNT (sizeof(example_steps) / sizeof(example_steps[0]))

START_TEST(test_new_from_steps_getters)
{
    lemica_schedule *schedule = make_schedule(50, example_steps, EXAMPLE_COUNT);
    int steps[EXAMPLE_COUNT];
    size_t count = 0;

    ck_assert_int_eq(lemica_schedule_num_steps(schedule), 50);
    ck_assert_int_eq(lemica_schedule_budget(schedule), (int)EXAMPLE_COUNT);
    ck_assert_ok(lemica_schedule_steps(schedule, steps, EXAMPLE_COUNT, &count));
    ck_assert_uint_eq(count, EXAMPLE_COUNT);
    ck_assert_mem_eq(steps, example_steps, sizeof(steps));
    ck_assert_int_eq(lemica_schedule_has_costs(schedule), 0);
    lemica_schedule_free(schedule);
}
END_TEST

START_TEST(test_new_from_steps_copies_input)
{
    int input[] = {0, 3, 9};
    lemica_schedule *schedule = make_schedule(10, input, 3);
    int steps[3];

    /* The schedule must not keep a pointer to the caller's array. */
    input[1] = 5;
    ck_assert_ok(lemica_schedule_steps(schedule, steps, 3, NULL));
    ck_assert_int_eq(steps[1], 3);
    ck_assert_int_eq(lemica_schedule_should_compute(schedule, 3), 1);
    ck_assert_int_eq(lemica_schedule_should_compute(schedule, 5), 0);
    lemica_schedule_free(schedule);
}
END_TEST

START_TEST(test_new_from_steps_bad_arguments)
{
    const int steps[] = {0, 1};
    lemica_schedule *schedule = (lemica_schedule *)&schedule;

    ck_assert_status(lemica_schedule_new_from_steps(2, steps, 2, NULL),
                     LEMICA_ERR_INVALID_ARGUMENT);

    ck_assert_status(lemica_schedule_new_from_steps(2, NULL, 2, &schedule),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_ptr_null(schedule);

    schedule = (lemica_schedule *)&schedule;
    ck_assert_status(lemica_schedule_new_from_steps(1, steps, 1, &schedule),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_ptr_null(schedule);
    ck_assert_status(lemica_schedule_new_from_steps(0, steps, 2, &schedule),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_schedule_new_from_steps(-5, steps, 2, &schedule),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_schedule_new_from_steps(LEMICA_MAX_STEPS + 1, steps,
                                                    2, &schedule),
                     LEMICA_ERR_TOO_LARGE);
    ck_assert_status(
        lemica_schedule_new_from_steps(INT_MAX, steps, 2, &schedule),
        LEMICA_ERR_TOO_LARGE);

    /* The budget: 2 .. N. */
    ck_assert_status(lemica_schedule_new_from_steps(2, steps, 0, &schedule),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_schedule_new_from_steps(2, steps, 1, &schedule),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_schedule_new_from_steps(2, steps, 3, &schedule),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(
        lemica_schedule_new_from_steps(2, steps, SIZE_MAX, &schedule),
        LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_ptr_null(schedule);
}
END_TEST

START_TEST(test_new_from_steps_out_of_range)
{
    const int negative[] = {0, -1, 9};
    const int beyond[] = {0, 4, 10};
    const int far_beyond[] = {0, 4, INT_MAX};
    const int very_negative[] = {INT_MIN, 9};
    lemica_schedule *schedule = (lemica_schedule *)&schedule;

    ck_assert_status(lemica_schedule_new_from_steps(10, negative, 3, &schedule),
                     LEMICA_ERR_OUT_OF_RANGE);
    ck_assert_ptr_null(schedule);
    ck_assert_message_has("entry 1 (-1)");
    ck_assert_status(lemica_schedule_new_from_steps(10, beyond, 3, &schedule),
                     LEMICA_ERR_OUT_OF_RANGE);
    ck_assert_message_has("entry 2 (10)");
    ck_assert_status(
        lemica_schedule_new_from_steps(10, far_beyond, 3, &schedule),
        LEMICA_ERR_OUT_OF_RANGE);
    ck_assert_status(
        lemica_schedule_new_from_steps(10, very_negative, 2, &schedule),
        LEMICA_ERR_OUT_OF_RANGE);
    ck_assert_ptr_null(schedule);
}
END_TEST

START_TEST(test_new_from_steps_bad_order)
{
    const int unsorted[] = {0, 5, 3, 9};
    const int duplicate[] = {0, 1, 3, 7, 7, 9};
    const int no_first[] = {1, 5, 9};
    const int no_last[] = {0, 5, 8};
    const int all_zero[] = {0, 0};
    lemica_schedule *schedule = (lemica_schedule *)&schedule;

    ck_assert_status(lemica_schedule_new_from_steps(10, unsorted, 4, &schedule),
                     LEMICA_ERR_PARSE);
    ck_assert_ptr_null(schedule);
    ck_assert_message_has(
        "entry 2 (3) is not greater than the entry before it (5)");

    ck_assert_status(
        lemica_schedule_new_from_steps(10, duplicate, 6, &schedule),
        LEMICA_ERR_PARSE);
    ck_assert_message_has(
        "entry 4 (7) is not greater than the entry before it (7)");

    ck_assert_status(lemica_schedule_new_from_steps(10, no_first, 3, &schedule),
                     LEMICA_ERR_PARSE);
    ck_assert_message_has("entry 0 is 1");

    ck_assert_status(lemica_schedule_new_from_steps(10, no_last, 3, &schedule),
                     LEMICA_ERR_PARSE);
    ck_assert_message_has("entry 2, is 8");

    ck_assert_status(lemica_schedule_new_from_steps(2, all_zero, 2, &schedule),
                     LEMICA_ERR_PARSE);
    ck_assert_ptr_null(schedule);
}
END_TEST

START_TEST(test_new_from_steps_extremes)
{
    const int two[] = {0, 1};
    const int ends[] = {0, LEMICA_MAX_STEPS - 1};
    int *all = malloc(sizeof(int) * LEMICA_MAX_STEPS);
    lemica_schedule *schedule;

    ck_assert_ptr_nonnull(all);
    schedule = make_schedule(2, two, 2);
    ck_assert_int_eq(lemica_schedule_num_steps(schedule), 2);
    ck_assert_int_eq(lemica_schedule_budget(schedule), 2);
    lemica_schedule_free(schedule);

    schedule = make_schedule(LEMICA_MAX_STEPS, ends, 2);
    ck_assert_int_eq(lemica_schedule_budget(schedule), 2);
    for (int step = 1; step < LEMICA_MAX_STEPS - 1; step++)
        ck_assert_int_eq(lemica_schedule_should_compute(schedule, step), 0);
    ck_assert_int_eq(
        lemica_schedule_should_compute(schedule, LEMICA_MAX_STEPS - 1), 1);
    lemica_schedule_free(schedule);

    for (int step = 0; step < LEMICA_MAX_STEPS; step++)
        all[step] = step;
    schedule = make_schedule(LEMICA_MAX_STEPS, all, LEMICA_MAX_STEPS);
    ck_assert_int_eq(lemica_schedule_budget(schedule), LEMICA_MAX_STEPS);
    for (int step = 0; step < LEMICA_MAX_STEPS; step++)
        ck_assert_int_eq(lemica_schedule_should_compute(schedule, step), 1);
    lemica_schedule_free(schedule);
    free(all);
}
END_TEST

START_TEST(test_null_schedule)
{
    int steps[4] = {0};
    double costs[4] = {0};
    double value = 0.0;
    size_t count = 99;
    lemica_schedule *copy = (lemica_schedule *)&copy;

    lemica_schedule_free(NULL);
    ck_assert_int_eq(lemica_schedule_num_steps(NULL), 0);
    ck_assert_int_eq(lemica_schedule_budget(NULL), 0);
    ck_assert_int_eq(lemica_schedule_has_costs(NULL), 0);
    ck_assert_int_eq(lemica_schedule_should_compute(NULL, 0),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_schedule_steps(NULL, steps, 4, &count),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_schedule_steps(NULL, NULL, 0, &count),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_schedule_costs(NULL, costs, 4, &count),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_schedule_max_cost(NULL, &value),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_schedule_sum_cost(NULL, &value),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_schedule_copy(NULL, &copy),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_ptr_null(copy);
    ck_assert_uint_eq(count, 99);
}
END_TEST

/* The costs of example_steps on make_full_graph(50, 49), worst first: the
 * weights (from * 1000 + to) grow along the path, so that order is the
 * path reversed. */
static void
example_costs(double *costs)
{
    for (size_t segment = 0; segment + 1 < EXAMPLE_COUNT; segment++)
        costs[EXAMPLE_COUNT - 2 - segment] =
            example_steps[segment] * 1000.0 + example_steps[segment + 1];
}

/* lemica_schedule_steps() and lemica_schedule_costs() under one type, so
 * that one check covers the buffer protocol both follow. */
typedef lemica_status (*schedule_getter)(const lemica_schedule *schedule,
                                         void *buffer, size_t capacity,
                                         size_t *count);

static lemica_status
get_steps(const lemica_schedule *schedule, void *buffer, size_t capacity,
          size_t *count)
{
    return lemica_schedule_steps(schedule, buffer, capacity, count);
}

static lemica_status
get_costs(const lemica_schedule *schedule, void *buffer, size_t capacity,
          size_t *count)
{
    return lemica_schedule_costs(schedule, buffer, capacity, count);
}

/* Whether @length bytes at @bytes all still hold @fill. */
static int
bytes_untouched(const unsigned char *bytes, size_t length, unsigned char fill)
{
    for (size_t index = 0; index < length; index++)
        if (bytes[index] != fill)
            return 0;
    return 1;
}

/* The buffer protocol of a getter whose answer is the @expected_count
 * elements of @element_size bytes at @expected. */
static void
check_buffer_protocol(const lemica_schedule *schedule, schedule_getter get,
                      const void *expected, size_t expected_count,
                      size_t element_size)
{
    enum { SPARE = 3, FILL = 0xa5 };
    union {
        int steps[EXAMPLE_COUNT + SPARE];
        double costs[EXAMPLE_COUNT + SPARE];
    } buffer;
    unsigned char *bytes = (unsigned char *)&buffer;
    const size_t buffer_size = (expected_count + SPARE) * element_size;
    const size_t answer_size = expected_count * element_size;
    size_t count = 0;

    ck_assert_uint_le(buffer_size, sizeof(buffer));

    /* Size query. */
    ck_assert_ok(get(schedule, NULL, 0, &count));
    ck_assert_uint_eq(count, expected_count);
    ck_assert_ok(get(schedule, NULL, 0, NULL));

    /* A NULL buffer that claims room is a caller bug. */
    count = 0;
    ck_assert_status(get(schedule, NULL, 1, &count),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(get(schedule, NULL, 4, &count),
                     LEMICA_ERR_INVALID_ARGUMENT);

    /* Too small, including capacity 0 with a real buffer: untouched. */
    for (size_t capacity = 0; capacity < expected_count; capacity++) {
        memset(bytes, FILL, buffer_size);
        count = 0;
        ck_assert_status(get(schedule, bytes, capacity, &count),
                         LEMICA_ERR_BUFFER_TOO_SMALL);
        ck_assert_uint_eq(count, expected_count);
        ck_assert(bytes_untouched(bytes, buffer_size, FILL));
    }
    ck_assert_status(get(schedule, bytes, expected_count - 1, NULL),
                     LEMICA_ERR_BUFFER_TOO_SMALL);

    /* Exact and larger: only the first @expected_count are written. */
    for (size_t capacity = expected_count; capacity <= expected_count + SPARE;
         capacity++) {
        memset(bytes, FILL, buffer_size);
        count = 0;
        ck_assert_ok(get(schedule, bytes, capacity, &count));
        ck_assert_uint_eq(count, expected_count);
        ck_assert_mem_eq(bytes, expected, answer_size);
        ck_assert(bytes_untouched(bytes + answer_size,
                                  buffer_size - answer_size, FILL));
    }
    ck_assert_ok(get(schedule, bytes, expected_count, NULL));
}

START_TEST(test_steps_buffer_protocol)
{
    lemica_schedule *schedule = make_schedule(50, example_steps, EXAMPLE_COUNT);

    check_buffer_protocol(schedule, get_steps, example_steps, EXAMPLE_COUNT,
                          sizeof(int));
    lemica_schedule_free(schedule);
}
END_TEST

START_TEST(test_should_compute_matches_steps)
{
    uint64_t rng = 11;
    int steps[300];

    for (int round = 0; round < 400; round++) {
        int num_steps = 2 + test_rng_below(&rng, 299);
        int budget = 2 + test_rng_below(&rng, num_steps - 1);
        lemica_schedule *schedule;
        int next = 0;

        test_random_steps(&rng, num_steps, budget, steps);
        schedule = make_schedule(num_steps, steps, (size_t)budget);
        for (int step = 0; step < num_steps; step++) {
            int expected = next < budget && steps[next] == step;

            ck_assert_int_eq(lemica_schedule_should_compute(schedule, step),
                             expected);
            next += expected;
        }
        ck_assert_int_eq(next, budget);
        lemica_schedule_free(schedule);
    }
}
END_TEST

START_TEST(test_should_compute_out_of_range)
{
    lemica_schedule *schedule = make_schedule(50, example_steps, EXAMPLE_COUNT);
    const int bad[] = {-1, 50, 51, INT_MIN, INT_MAX, -50};

    for (size_t index = 0; index < sizeof(bad) / sizeof(bad[0]); index++) {
        ck_assert_int_eq(lemica_schedule_should_compute(schedule, bad[index]),
                         LEMICA_ERR_OUT_OF_RANGE);
        /* Tested for truth, an error means "compute": the safe choice. */
        ck_assert(lemica_schedule_should_compute(schedule, bad[index]));
    }
    ck_assert_int_eq(lemica_schedule_should_compute(schedule, 0), 1);
    ck_assert_int_eq(lemica_schedule_should_compute(schedule, 3), 0);
    ck_assert_int_eq(lemica_schedule_should_compute(schedule, 49), 1);
    lemica_schedule_free(schedule);
}
END_TEST

START_TEST(test_costs_absent)
{
    lemica_schedule *schedule = make_schedule(50, example_steps, EXAMPLE_COUNT);
    double costs[EXAMPLE_COUNT];
    double value = 42.0;
    size_t count = 99;

    ck_assert_int_eq(lemica_schedule_has_costs(schedule), 0);
    ck_assert_status(lemica_schedule_costs(schedule, NULL, 0, &count),
                     LEMICA_ERR_STATE);
    ck_assert_status(
        lemica_schedule_costs(schedule, costs, EXAMPLE_COUNT, &count),
        LEMICA_ERR_STATE);
    ck_assert_status(lemica_schedule_max_cost(schedule, &value),
                     LEMICA_ERR_STATE);
    ck_assert_status(lemica_schedule_sum_cost(schedule, &value),
                     LEMICA_ERR_STATE);
    ck_assert_double_eq(value, 42.0);
    ck_assert_uint_eq(count, 99);
    lemica_schedule_free(schedule);
}
END_TEST

START_TEST(test_costs_buffer_protocol)
{
    lemica_schedule *schedule = make_schedule(50, example_steps, EXAMPLE_COUNT);
    lemica_graph *graph = make_full_graph(50, 49);
    double expected[EXAMPLE_COUNT - 1];
    double value;

    ck_assert_ok(lemica_schedule_evaluate(schedule, graph));
    ck_assert_int_eq(lemica_schedule_has_costs(schedule), 1);
    example_costs(expected);
    check_buffer_protocol(schedule, get_costs, expected, EXAMPLE_COUNT - 1,
                          sizeof(double));
    ck_assert_status(lemica_schedule_max_cost(schedule, NULL),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_schedule_sum_cost(schedule, NULL),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_ok(lemica_schedule_max_cost(schedule, &value));
    ck_assert_double_eq(value, expected[0]);
    lemica_graph_free(graph);
    lemica_schedule_free(schedule);
}
END_TEST

START_TEST(test_evaluate_values)
{
    lemica_schedule *schedule = make_schedule(50, example_steps, EXAMPLE_COUNT);
    lemica_graph *graph = make_full_graph(50, 49);
    double costs[EXAMPLE_COUNT - 1];
    double expected[EXAMPLE_COUNT - 1];
    double value;
    double sum = 0.0;
    size_t count = 0;

    ck_assert_ok(lemica_schedule_evaluate(schedule, graph));
    ck_assert_int_eq(lemica_schedule_has_costs(schedule), 1);
    ck_assert_ok(
        lemica_schedule_costs(schedule, costs, EXAMPLE_COUNT - 1, &count));
    ck_assert_uint_eq(count, EXAMPLE_COUNT - 1);

    example_costs(expected);
    for (size_t index = 0; index < EXAMPLE_COUNT - 1; index++)
        ck_assert_double_eq(costs[index], expected[index]);
    /* The sum in path order: the path reversed is the sorted vector. */
    for (size_t index = EXAMPLE_COUNT - 1; index-- > 0;)
        sum += expected[index];
    ck_assert_ok(lemica_schedule_max_cost(schedule, &value));
    ck_assert_double_eq(value, 30049.0);
    ck_assert_ok(lemica_schedule_sum_cost(schedule, &value));
    ck_assert_double_eq(value, sum);

    /* Evaluation changes the costs only, never the steps. */
    ck_assert_int_eq(lemica_schedule_budget(schedule), (int)EXAMPLE_COUNT);
    ck_assert_int_eq(lemica_schedule_should_compute(schedule, 30), 1);
    ck_assert_int_eq(lemica_schedule_should_compute(schedule, 31), 0);
    lemica_graph_free(graph);
    lemica_schedule_free(schedule);
}
END_TEST

START_TEST(test_evaluate_sorts_and_sums_in_path_order)
{
    /* Path weights 1, 1, 1e16: added in path order the two ones survive
     * (2 + 1e16 is exact); added largest first each one is rounded away.
     * The sum must be the path-order one, bit for bit. */
    const int steps[] = {0, 1, 2, 3};
    lemica_schedule *schedule = make_schedule(4, steps, 4);
    lemica_graph *graph = NULL;
    volatile double big = 1e16;
    double costs[3];
    double value;

    ck_assert_ok(lemica_graph_new(4, 3, &graph));
    ck_assert_ok(lemica_graph_set_weight(graph, 0, 1, 1.0));
    ck_assert_ok(lemica_graph_set_weight(graph, 1, 2, 1.0));
    ck_assert_ok(lemica_graph_set_weight(graph, 2, 3, big));
    ck_assert(((1.0 + 1.0) + big) != ((big + 1.0) + 1.0));

    ck_assert_ok(lemica_schedule_evaluate(schedule, graph));
    ck_assert_ok(lemica_schedule_costs(schedule, costs, 3, NULL));
    ck_assert_double_eq(costs[0], 1e16);
    ck_assert_double_eq(costs[1], 1.0);
    ck_assert_double_eq(costs[2], 1.0);
    ck_assert_ok(lemica_schedule_sum_cost(schedule, &value));
    ck_assert(value == (1.0 + 1.0) + big);
    ck_assert_ok(lemica_schedule_max_cost(schedule, &value));
    ck_assert_double_eq(value, 1e16);
    lemica_graph_free(graph);
    lemica_schedule_free(schedule);
}
END_TEST

START_TEST(test_evaluate_random_against_naive)
{
    uint64_t rng = 5;
    int steps[120];
    double weights[120];

    for (int round = 0; round < 100; round++) {
        int num_steps = 2 + test_rng_below(&rng, 119);
        int budget = 2 + test_rng_below(&rng, num_steps - 1);
        lemica_schedule *schedule;
        lemica_graph *graph = NULL;
        double costs[120];
        double sum = 0.0;
        double value;

        test_random_steps(&rng, num_steps, budget, steps);
        schedule = make_schedule(num_steps, steps, (size_t)budget);
        ck_assert_ok(lemica_graph_new(num_steps, num_steps - 1, &graph));
        for (int segment = 0; segment + 1 < budget; segment++) {
            /* Small integers: many ties and zeros. */
            weights[segment] = test_rng_below(&rng, 4) * 0.25;
            ck_assert_ok(lemica_graph_set_weight(
                graph, steps[segment], steps[segment + 1], weights[segment]));
            sum += weights[segment];
        }
        ck_assert_ok(lemica_schedule_evaluate(schedule, graph));
        ck_assert_ok(
            lemica_schedule_costs(schedule, costs, (size_t)budget - 1, NULL));
        for (int index = 0; index + 1 < budget - 1; index++)
            ck_assert(costs[index] >= costs[index + 1]);
        /* Same multiset: the weights are multiples of 1/4, so any order
         * sums exactly. */
        {
            double total = 0.0;

            for (int index = 0; index + 1 < budget; index++)
                total += costs[index];
            ck_assert_double_eq(total, sum);
        }
        ck_assert_ok(lemica_schedule_sum_cost(schedule, &value));
        ck_assert_double_eq(value, sum);
        ck_assert_ok(lemica_schedule_max_cost(schedule, &value));
        ck_assert_double_eq(value, costs[0]);
        lemica_graph_free(graph);
        lemica_schedule_free(schedule);
    }
}
END_TEST

/* Evaluating @schedule on @graph fails with @expected, the message naming
 * @needle (unless NULL), and leaves the schedule without costs. Frees
 * @graph. */
static void
assert_evaluate_fails(lemica_schedule *schedule, lemica_graph *graph,
                      lemica_status expected, const char *needle)
{
    ck_assert_status(lemica_schedule_evaluate(schedule, graph), expected);
    if (needle)
        ck_assert_message_has(needle);
    ck_assert_int_eq(lemica_schedule_has_costs(schedule), 0);
    lemica_graph_free(graph);
}

START_TEST(test_evaluate_mismatch)
{
    lemica_schedule *schedule = make_schedule(50, example_steps, EXAMPLE_COUNT);

    assert_evaluate_fails(schedule, make_full_graph(49, 48),
                          LEMICA_ERR_MISMATCH, NULL);
    assert_evaluate_fails(schedule, make_full_graph(51, 50),
                          LEMICA_ERR_MISMATCH, NULL);
    lemica_schedule_free(schedule);
}
END_TEST

START_TEST(test_evaluate_absent_edge)
{
    lemica_schedule *schedule = make_schedule(50, example_steps, EXAMPLE_COUNT);
    lemica_graph *graph = NULL;

    /* The span-1 edges only: (2, 4) is absent. */
    ck_assert_ok(lemica_graph_new(50, 49, &graph));
    assert_evaluate_fails(schedule, graph, LEMICA_ERR_NOT_FOUND, "(2, 4)");

    /* Every edge but a removed span-1 edge. */
    graph = make_full_graph(50, 49);
    ck_assert_ok(lemica_graph_remove_edge(graph, 1, 2));
    assert_evaluate_fails(schedule, graph, LEMICA_ERR_NOT_FOUND, "(1, 2)");

    /* The last segment (30, 49) spans 19 > max skip 16. */
    assert_evaluate_fails(schedule, make_full_graph(50, 16),
                          LEMICA_ERR_NOT_FOUND, "(30, 49)");
    ck_assert_message_has("max skip");
    lemica_schedule_free(schedule);
}
END_TEST

START_TEST(test_evaluate_failure_keeps_old_costs)
{
    lemica_schedule *schedule = make_schedule(50, example_steps, EXAMPLE_COUNT);
    lemica_graph *graph = make_full_graph(50, 49);
    lemica_graph *broken = NULL;
    double before[EXAMPLE_COUNT - 1], after[EXAMPLE_COUNT - 1];
    double max_before, max_after, sum_before, sum_after;

    ck_assert_ok(lemica_schedule_evaluate(schedule, graph));
    ck_assert_ok(
        lemica_schedule_costs(schedule, before, EXAMPLE_COUNT - 1, NULL));
    ck_assert_ok(lemica_schedule_max_cost(schedule, &max_before));
    ck_assert_ok(lemica_schedule_sum_cost(schedule, &sum_before));

    /* All edges but the last segment's: the first segments pass the check
     * before it fails, and nothing may have been written by then. */
    ck_assert_ok(lemica_graph_copy(graph, &broken));
    ck_assert_ok(lemica_graph_set_weight(broken, 0, 1, 1e9));
    ck_assert_ok(lemica_graph_remove_edge(broken, 30, 49));
    ck_assert_status(lemica_schedule_evaluate(schedule, broken),
                     LEMICA_ERR_NOT_FOUND);
    ck_assert_int_eq(lemica_schedule_has_costs(schedule), 1);
    ck_assert_ok(
        lemica_schedule_costs(schedule, after, EXAMPLE_COUNT - 1, NULL));
    ck_assert_mem_eq(before, after, sizeof(before));
    ck_assert_ok(lemica_schedule_max_cost(schedule, &max_after));
    ck_assert_ok(lemica_schedule_sum_cost(schedule, &sum_after));
    ck_assert_double_eq(max_before, max_after);
    ck_assert_double_eq(sum_before, sum_after);

    /* A second successful evaluation replaces the vector. */
    ck_assert_ok(lemica_graph_set_weight(broken, 30, 49, 2.0));
    ck_assert_ok(lemica_schedule_evaluate(schedule, broken));
    ck_assert_ok(lemica_schedule_max_cost(schedule, &max_after));
    ck_assert_double_eq(max_after, 1e9);
    lemica_graph_free(broken);
    lemica_graph_free(graph);
    lemica_schedule_free(schedule);
}
END_TEST

START_TEST(test_evaluate_bad_arguments)
{
    lemica_schedule *schedule = make_schedule(50, example_steps, EXAMPLE_COUNT);
    lemica_graph *graph = make_full_graph(50, 49);

    ck_assert_status(lemica_schedule_evaluate(NULL, graph),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_schedule_evaluate(schedule, NULL),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(lemica_schedule_has_costs(schedule), 0);
    lemica_graph_free(graph);
    lemica_schedule_free(schedule);
}
END_TEST

START_TEST(test_evaluate_allocates_nothing)
{
    lemica_schedule *schedule = make_schedule(50, example_steps, EXAMPLE_COUNT);
    lemica_graph *graph = make_full_graph(50, 49);
    unsigned long before;

    before = lemica_alloc_count();
    for (int round = 0; round < 10; round++)
        ck_assert_ok(lemica_schedule_evaluate(schedule, graph));
    ck_assert_uint_eq(lemica_alloc_count(), before);
    lemica_graph_free(graph);
    lemica_schedule_free(schedule);
}
END_TEST

START_TEST(test_copy_is_independent)
{
    lemica_schedule *schedule = make_schedule(50, example_steps, EXAMPLE_COUNT);
    lemica_graph *graph = make_full_graph(50, 49);
    lemica_schedule *copy = NULL;
    lemica_schedule *evaluated_copy = NULL;
    int steps[EXAMPLE_COUNT];
    double costs[EXAMPLE_COUNT - 1], copied_costs[EXAMPLE_COUNT - 1];
    double original_value, copied_value;

    ck_assert_ok(lemica_schedule_copy(schedule, &copy));
    ck_assert_ptr_nonnull(copy);
    ck_assert_ptr_ne(copy, schedule);
    ck_assert_int_eq(lemica_schedule_num_steps(copy), 50);
    ck_assert_int_eq(lemica_schedule_budget(copy), (int)EXAMPLE_COUNT);
    ck_assert_int_eq(lemica_schedule_has_costs(copy), 0);

    /* Evaluating the original does not give the copy a cost vector. */
    ck_assert_ok(lemica_schedule_evaluate(schedule, graph));
    ck_assert_int_eq(lemica_schedule_has_costs(copy), 0);

    /* A copy of an evaluated schedule carries the costs... */
    ck_assert_ok(lemica_schedule_copy(schedule, &evaluated_copy));
    ck_assert_int_eq(lemica_schedule_has_costs(evaluated_copy), 1);
    ck_assert_ok(
        lemica_schedule_costs(schedule, costs, EXAMPLE_COUNT - 1, NULL));
    ck_assert_ok(lemica_schedule_costs(evaluated_copy, copied_costs,
                                       EXAMPLE_COUNT - 1, NULL));
    ck_assert_mem_eq(costs, copied_costs, sizeof(costs));
    ck_assert_ok(lemica_schedule_max_cost(schedule, &original_value));
    ck_assert_ok(lemica_schedule_max_cost(evaluated_copy, &copied_value));
    ck_assert_double_eq(original_value, copied_value);
    ck_assert_ok(lemica_schedule_sum_cost(schedule, &original_value));
    ck_assert_ok(lemica_schedule_sum_cost(evaluated_copy, &copied_value));
    ck_assert_double_eq(original_value, copied_value);

    /* ...and outlives the original. */
    lemica_schedule_free(schedule);
    ck_assert_ok(lemica_schedule_steps(copy, steps, EXAMPLE_COUNT, NULL));
    ck_assert_mem_eq(steps, example_steps, sizeof(steps));
    for (int step = 0; step < 50; step++)
        ck_assert_int_eq(lemica_schedule_should_compute(copy, step),
                         lemica_schedule_should_compute(evaluated_copy, step));
    ck_assert_ok(lemica_schedule_costs(evaluated_copy, copied_costs,
                                       EXAMPLE_COUNT - 1, NULL));
    ck_assert_mem_eq(costs, copied_costs, sizeof(costs));

    /* Evaluating the copy on another graph leaves the other copy alone. */
    ck_assert_ok(lemica_graph_set_weight(graph, 0, 1, 1e6));
    ck_assert_ok(lemica_schedule_evaluate(copy, graph));
    ck_assert_ok(lemica_schedule_max_cost(copy, &copied_value));
    ck_assert_double_eq(copied_value, 1e6);
    ck_assert_ok(lemica_schedule_max_cost(evaluated_copy, &copied_value));
    ck_assert_double_eq(copied_value, 30049.0);
    lemica_graph_free(graph);
    lemica_schedule_free(copy);
    lemica_schedule_free(evaluated_copy);
}
END_TEST

START_TEST(test_copy_bad_arguments)
{
    lemica_schedule *schedule = make_schedule(50, example_steps, EXAMPLE_COUNT);

    ck_assert_status(lemica_schedule_copy(schedule, NULL),
                     LEMICA_ERR_INVALID_ARGUMENT);
    lemica_schedule_free(schedule);
}
END_TEST

/* Every allocation of a new schedule and of a copy fails cleanly. */
START_TEST(test_allocation_failures)
{
    lemica_schedule *schedule = make_schedule(50, example_steps, EXAMPLE_COUNT);
    lemica_graph *graph = make_full_graph(50, 49);
    lemica_schedule *out;

    ck_assert_ok(lemica_schedule_evaluate(schedule, graph));
    ck_assert_each_allocation_failure(
        &out,
        lemica_schedule_new_from_steps(50, example_steps, EXAMPLE_COUNT, &out));
    lemica_schedule_free(out);

    ck_assert_each_allocation_failure(&out,
                                      lemica_schedule_copy(schedule, &out));
    ck_assert_int_eq(lemica_schedule_has_costs(out), 1);
    lemica_schedule_free(out);
    lemica_graph_free(graph);
    lemica_schedule_free(schedule);
}
END_TEST

/* The naive reference: insertion sort, descending. */
static void
naive_sort_descending(double *values, size_t count)
{
    for (size_t index = 1; index < count; index++) {
        double moving = values[index];
        size_t hole = index;

        while (hole > 0 && values[hole - 1] < moving) {
            values[hole] = values[hole - 1];
            hole--;
        }
        values[hole] = moving;
    }
}

static double
random_value(uint64_t *rng, int kind)
{
    switch (kind) {
    case 0: /* few distinct values: many duplicates */
        return (double)test_rng_below(rng, 3);
    case 1: /* mostly zeros */
        return test_rng_below(rng, 5) == 0 ? test_rng_below(rng, 1000) / 7.0
                                           : 0.0;
    case 2: /* wide range */
        return ldexp((double)(test_rng_next(rng) >> 32),
                     test_rng_below(rng, 80) - 40);
    case 4: /* DBL_MAX among others, as absent-but-allowed edges weigh */
        return test_rng_below(rng, 3) == 0 ? DBL_MAX : test_rng_unit(rng);
    default: /* uniform in [0, 1) */
        return test_rng_unit(rng);
    }
}

START_TEST(test_sort_descending_random)
{
    double *values = malloc(sizeof(double) * 1100);
    double *expected = malloc(sizeof(double) * 1100);

    ck_assert_ptr_nonnull(values);
    ck_assert_ptr_nonnull(expected);
    /* Both paths where the machine has AVX-512: the network (up to 128
     * values, every register count and every partly filled register) and
     * the Shell sort and heapsort; elsewhere the second pass repeats the
     * first. */
    for (int network = 1; network >= 0; network--) {
        uint64_t rng = 3;

        lemica_sort_set_avx512(network);
        for (int round = 0; round < 3000; round++) {
            size_t count =
                round < 1300
                    ? (size_t)round % 130
                    : (size_t)test_rng_below(&rng, round < 2900 ? 200 : 1100);
            int kind = round % 5;

            for (size_t index = 0; index < count; index++)
                values[index] = expected[index] = random_value(&rng, kind);
            lemica_sort_descending(values, count);
            naive_sort_descending(expected, count);
            for (size_t index = 0; index < count; index++)
                ck_assert_msg(values[index] == expected[index],
                              "network %d, round %d, count %zu: index %zu is "
                              "%g, expected %g",
                              network, round, count, index, values[index],
                              expected[index]);
        }
    }
    lemica_sort_set_avx512(1);
    free(values);
    free(expected);
}
END_TEST

START_TEST(test_sort_descending_patterns)
{
    double values[257];
    double expected[257];

    for (size_t count = 0; count <= 257; count += (count < 20 ? 1 : 59)) {
        for (int pattern = 0; pattern < 5; pattern++) {
            for (size_t index = 0; index < count; index++) {
                switch (pattern) {
                case 0: /* ascending */
                    values[index] = (double)index;
                    break;
                case 1: /* descending already */
                    values[index] = (double)(count - index);
                    break;
                case 2: /* all equal */
                    values[index] = 0.5;
                    break;
                case 3: /* all zero */
                    values[index] = 0.0;
                    break;
                default: /* organ pipe */
                    values[index] =
                        (double)(index < count / 2 ? index : count - index);
                    break;
                }
                expected[index] = values[index];
            }
            lemica_sort_descending(values, count);
            naive_sort_descending(expected, count);
            if (count > 0)
                ck_assert_mem_eq(values, expected, count * sizeof(double));
        }
    }
    /* NULL with count 0 is a valid empty array. */
    lemica_sort_descending(NULL, 0);
}
END_TEST

/* qsort's order for test_sort_descending_every_length(): descending. */
static int
compare_descending(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;

    return x < y ? 1 : x > y ? -1 : 0;
}

/* Every length 0 .. 300 (every partly filled register of every register
 * count of the network, and the Shell sort past it) and every kind of
 * cost vector (ties, zeros, DBL_MAX, subnormals, the smallest and largest
 * weights, one value), both paths, against qsort to the bit. Guard values
 * either side of the array: the network's masked loads and stores are
 * not seen by ASan or valgrind (valgrind never runs them), so a lane mask
 * one too wide would only show here. */
START_TEST(test_sort_descending_every_length)
{
    enum { MAX_COUNT = 300, GUARD = 16 };
    static double buffer[MAX_COUNT + 2 * GUARD];
    static double expected[MAX_COUNT];
    double *values = buffer + GUARD;
    /* Above every value: a lane read past the array sorts first, one
     * written past it holds a value or the -inf padding. */
    const double guard = HUGE_VAL;
    uint64_t rng = 15;

    for (int network = 1; network >= 0; network--) {
        lemica_sort_set_avx512(network);
        for (size_t count = 0; count <= MAX_COUNT; count++) {
            for (int kind = 0; kind < 9; kind++) {
                for (size_t i = 0; i < MAX_COUNT + 2 * GUARD; i++)
                    buffer[i] = guard;
                for (size_t i = 0; i < count; i++) {
                    double v;

                    switch (kind) {
                    case 0: /* two values */
                        v = (double)test_rng_below(&rng, 2);
                        break;
                    case 1: /* zeros and DBL_MAX */
                        v = test_rng_below(&rng, 2) ? DBL_MAX : 0.0;
                        break;
                    case 2: /* subnormals, the smallest, zero */
                        v = (double[]){0.0, DBL_TRUE_MIN, 2 * DBL_TRUE_MIN,
                                       DBL_MIN,
                                       DBL_MIN / 2}[test_rng_below(&rng, 5)];
                        break;
                    case 3: /* one value */
                        v = 0.25;
                        break;
                    case 4: /* ascending */
                        v = (double)i;
                        break;
                    case 5: /* descending */
                        v = (double)(count - i);
                        break;
                    case 6: /* few ties among spread values */
                        v = test_rng_below(&rng, 4) == 0
                                ? 1.0
                                : ldexp(test_rng_unit(&rng),
                                        test_rng_below(&rng, 200) - 100);
                        break;
                    default:
                        v = random_value(&rng, kind == 7 ? 4 : 2);
                        break;
                    }
                    values[i] = expected[i] = v;
                }
                qsort(expected, count, sizeof(double), compare_descending);
                lemica_sort_descending(count ? values : NULL, count);
                if (count > 0)
                    ck_assert_msg(memcmp(values, expected,
                                         count * sizeof(double)) == 0,
                                  "network %d, count %zu, kind %d", network,
                                  count, kind);
                for (size_t i = 0; i < GUARD; i++)
                    ck_assert_msg(buffer[i] == guard &&
                                      values[count + i] == guard,
                                  "network %d, count %zu, kind %d: guard %zu "
                                  "written",
                                  network, count, kind, i);
            }
        }
    }
    lemica_sort_set_avx512(1);
}
END_TEST

START_TEST(test_sort_descending_allocates_nothing)
{
    uint64_t rng = 8;
    double values[500];
    unsigned long before;

    for (size_t index = 0; index < 500; index++)
        values[index] = random_value(&rng, 3);
    before = lemica_alloc_count();
    /* Any allocation would fail and could not go unnoticed. */
    lemica_alloc_fail_after(0);
    lemica_sort_descending(values, 500);
    lemica_alloc_fail_after(-1);
    ck_assert_uint_eq(lemica_alloc_count(), before);
    for (size_t index = 0; index + 1 < 500; index++)
        ck_assert(values[index] >= values[index + 1]);
}
END_TEST

START_TEST(test_reserve_keeps_content)
{
    lemica_schedule *schedule = make_schedule(50, example_steps, EXAMPLE_COUNT);
    lemica_graph *graph = make_full_graph(50, 49);
    int steps[EXAMPLE_COUNT];
    double costs[EXAMPLE_COUNT - 1], after[EXAMPLE_COUNT - 1];

    ck_assert_ok(lemica_schedule_evaluate(schedule, graph));
    ck_assert_ok(
        lemica_schedule_costs(schedule, costs, EXAMPLE_COUNT - 1, NULL));
    ck_assert_ok(lemica_schedule_reserve(schedule, 5000, 3000));
    ck_assert_uint_ge(schedule->steps_capacity, 3000);
    ck_assert_uint_ge(schedule->mask_capacity, 5000);
    ck_assert_uint_ge(schedule->costs_capacity, 2999);

    /* Same schedule, bigger storage. */
    ck_assert_int_eq(lemica_schedule_num_steps(schedule), 50);
    ck_assert_int_eq(lemica_schedule_budget(schedule), (int)EXAMPLE_COUNT);
    ck_assert_ok(lemica_schedule_steps(schedule, steps, EXAMPLE_COUNT, NULL));
    ck_assert_mem_eq(steps, example_steps, sizeof(steps));
    for (int step = 0; step < 50; step++)
        ck_assert_int_eq(lemica_schedule_should_compute(schedule, step),
                         step == 0 || step == 1 || step == 2 || step == 4 ||
                             step == 8 || step == 16 || step == 30 ||
                             step == 49);
    ck_assert_int_eq(lemica_schedule_has_costs(schedule), 1);
    ck_assert_ok(
        lemica_schedule_costs(schedule, after, EXAMPLE_COUNT - 1, NULL));
    ck_assert_mem_eq(costs, after, sizeof(costs));
    lemica_graph_free(graph);
    lemica_schedule_free(schedule);
}
END_TEST

START_TEST(test_reserve_allocates_nothing_when_room)
{
    lemica_schedule *schedule = NULL;
    unsigned long before;

    ck_assert_ok(lemica_schedule_alloc(&schedule));
    ck_assert_int_eq(lemica_schedule_num_steps(schedule), 0);
    ck_assert_int_eq(lemica_schedule_budget(schedule), 0);
    ck_assert_int_eq(lemica_schedule_has_costs(schedule), 0);

    /* Nothing to hold: nothing to allocate. */
    before = lemica_alloc_count();
    ck_assert_ok(lemica_schedule_reserve(schedule, 0, 0));
    ck_assert_uint_eq(lemica_alloc_count(), before);

    ck_assert_ok(lemica_schedule_reserve(schedule, 100, 60));
    before = lemica_alloc_count();
    lemica_alloc_fail_after(0);
    ck_assert_ok(lemica_schedule_reserve(schedule, 100, 60));
    ck_assert_ok(lemica_schedule_reserve(schedule, 80, 2));
    ck_assert_ok(lemica_schedule_reserve(schedule, 2, 60));
    ck_assert_ok(lemica_schedule_reserve(schedule, 0, 1));
    lemica_alloc_fail_after(-1);
    ck_assert_uint_eq(lemica_alloc_count(), before);
    lemica_schedule_free(schedule);
}
END_TEST

START_TEST(test_reserve_failure_changes_nothing)
{
    lemica_graph *graph = make_full_graph(50, 49);
    int steps[EXAMPLE_COUNT];
    double costs[EXAMPLE_COUNT - 1];

    /* Fail the first, second and third growth in turn. */
    for (long fail_after = 0; fail_after < 3; fail_after++) {
        lemica_schedule *schedule =
            make_schedule(50, example_steps, EXAMPLE_COUNT);
        double max_cost;

        ck_assert_ok(lemica_schedule_evaluate(schedule, graph));
        lemica_alloc_fail_after(fail_after);
        ck_assert_status(lemica_schedule_reserve(schedule, 6000, 4000),
                         LEMICA_ERR_NO_MEMORY);
        lemica_alloc_fail_after(-1);
        ck_assert_int_eq(lemica_schedule_num_steps(schedule), 50);
        ck_assert_int_eq(lemica_schedule_budget(schedule), (int)EXAMPLE_COUNT);
        ck_assert_ok(
            lemica_schedule_steps(schedule, steps, EXAMPLE_COUNT, NULL));
        ck_assert_mem_eq(steps, example_steps, sizeof(steps));
        ck_assert_int_eq(lemica_schedule_should_compute(schedule, 30), 1);
        ck_assert_int_eq(lemica_schedule_should_compute(schedule, 29), 0);
        ck_assert_ok(
            lemica_schedule_costs(schedule, costs, EXAMPLE_COUNT - 1, NULL));
        ck_assert_double_eq(costs[0], 30049.0);
        ck_assert_ok(lemica_schedule_max_cost(schedule, &max_cost));
        ck_assert_double_eq(max_cost, 30049.0);

        /* And it still works afterwards. */
        ck_assert_ok(lemica_schedule_reserve(schedule, 6000, 4000));
        lemica_schedule_free(schedule);
    }
    lemica_graph_free(graph);
}
END_TEST

START_TEST(test_reserve_bad_arguments)
{
    lemica_schedule *schedule = NULL;

    ck_assert_status(lemica_schedule_reserve(NULL, 10, 5),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_ok(lemica_schedule_alloc(&schedule));
    ck_assert_status(lemica_schedule_reserve(schedule, -1, 5),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_schedule_reserve(schedule, 10, -1),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_schedule_reserve(schedule, INT_MIN, INT_MIN),
                     LEMICA_ERR_INVALID_ARGUMENT);
    lemica_schedule_free(schedule);
}
END_TEST

START_TEST(test_commit_steps_rebuilds_mask)
{
    lemica_schedule *schedule = make_schedule(50, example_steps, EXAMPLE_COUNT);
    lemica_graph *graph = make_full_graph(50, 49);
    const int refill[] = {0, 5, 6, 9};

    ck_assert_ok(lemica_schedule_evaluate(schedule, graph));
    /* Refill in place, the way the solver reuses a schedule: a smaller
     * problem needs no reserve at all. */
    memcpy(schedule->steps, refill, sizeof(refill));
    lemica_schedule_commit_steps(schedule, 10, 4);
    ck_assert_int_eq(lemica_schedule_num_steps(schedule), 10);
    ck_assert_int_eq(lemica_schedule_budget(schedule), 4);
    ck_assert_int_eq(lemica_schedule_has_costs(schedule), 0);
    for (int step = 0; step < 10; step++)
        ck_assert_int_eq(lemica_schedule_should_compute(schedule, step),
                         step == 0 || step == 5 || step == 6 || step == 9);
    ck_assert_int_eq(lemica_schedule_should_compute(schedule, 10),
                     LEMICA_ERR_OUT_OF_RANGE);
    ck_assert_int_eq(lemica_schedule_should_compute(schedule, 49),
                     LEMICA_ERR_OUT_OF_RANGE);

    /* A larger problem after a reserve. */
    ck_assert_ok(lemica_schedule_reserve(schedule, 200, 3));
    schedule->steps[0] = 0;
    schedule->steps[1] = 150;
    schedule->steps[2] = 199;
    lemica_schedule_commit_steps(schedule, 200, 3);
    for (int step = 0; step < 200; step++)
        ck_assert_int_eq(lemica_schedule_should_compute(schedule, step),
                         step == 0 || step == 150 || step == 199);
    lemica_graph_free(graph);
    lemica_schedule_free(schedule);
}
END_TEST

/* @schedule's four costs are @expected, worst first, and sum to @sum. */
static void
assert_four_costs(const lemica_schedule *schedule, const double *expected,
                  double sum)
{
    double costs[4];
    double value;

    ck_assert_ok(lemica_schedule_costs(schedule, costs, 4, NULL));
    for (int index = 0; index < 4; index++)
        ck_assert_double_eq(costs[index], expected[index]);
    ck_assert_ok(lemica_schedule_max_cost(schedule, &value));
    ck_assert_double_eq(value, expected[0]);
    ck_assert_ok(lemica_schedule_sum_cost(schedule, &value));
    ck_assert_double_eq(value, sum);
}

START_TEST(test_set_costs)
{
    const int steps[] = {0, 2, 3, 5, 9};
    lemica_schedule *schedule = make_schedule(10, steps, 5);
    const double path[] = {0.5, 3.0, 0.0, 3.0};
    double input[4];
    unsigned long before;

    memcpy(input, path, sizeof(path));
    before = lemica_alloc_count();
    lemica_schedule_set_costs(schedule, input);
    ck_assert_uint_eq(lemica_alloc_count(), before);
    /* The caller's array is read, not sorted. */
    ck_assert_mem_eq(input, path, sizeof(path));
    ck_assert_int_eq(lemica_schedule_has_costs(schedule), 1);
    assert_four_costs(schedule, (const double[]){3.0, 3.0, 0.5, 0.0}, 6.5);

    /* Aliasing the schedule's own array, as the solver does. */
    memcpy(schedule->costs, (const double[]){0.25, 0.0, 7.0, 1.0},
           4 * sizeof(double));
    lemica_schedule_set_costs(schedule, schedule->costs);
    assert_four_costs(schedule, (const double[]){7.0, 1.0, 0.25, 0.0}, 8.25);
    lemica_schedule_free(schedule);
}
END_TEST

START_TEST(test_check_steps_messages)
{
    const int good[] = {0, 4, 9};
    const int bad[] = {0, 4, 4, 9};

    ck_assert_ok(lemica_schedule_check_steps(10, good, 3, "x"));
    ck_assert_status(lemica_schedule_check_steps(10, bad, 4, "required steps"),
                     LEMICA_ERR_PARSE);
    ck_assert_message_has("required steps: entry 2 (4)");
    ck_assert_message_has("appear");
    ck_assert_status(lemica_schedule_check_steps(10, NULL, 3, "x"),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_schedule_check_steps(3, good, 3, "x"),
                     LEMICA_ERR_OUT_OF_RANGE);
    ck_assert_message_has("entry 1 (4)");
}
END_TEST

TEST_SUITE(schedule)
{
    add_test(suite, test_new_from_steps_getters);
    add_test(suite, test_new_from_steps_copies_input);
    add_test(suite, test_new_from_steps_bad_arguments);
    add_test(suite, test_new_from_steps_out_of_range);
    add_test(suite, test_new_from_steps_bad_order);
    add_test(suite, test_new_from_steps_extremes);
    add_test(suite, test_null_schedule);
    add_test(suite, test_steps_buffer_protocol);
    add_test(suite, test_should_compute_matches_steps);
    add_test(suite, test_should_compute_out_of_range);
    add_test(suite, test_costs_absent);
    add_test(suite, test_costs_buffer_protocol);
    add_test(suite, test_evaluate_values);
    add_test(suite, test_evaluate_sorts_and_sums_in_path_order);
    add_test(suite, test_evaluate_random_against_naive);
    add_test(suite, test_evaluate_mismatch);
    add_test(suite, test_evaluate_absent_edge);
    add_test(suite, test_evaluate_failure_keeps_old_costs);
    add_test(suite, test_evaluate_bad_arguments);
    add_test(suite, test_evaluate_allocates_nothing);
    add_test(suite, test_copy_is_independent);
    add_test(suite, test_copy_bad_arguments);
    add_test(suite, test_allocation_failures);
    add_test(suite, test_sort_descending_random);
    add_test(suite, test_sort_descending_patterns);
    add_test(suite, test_sort_descending_allocates_nothing);
    add_test(suite, test_sort_descending_every_length);
    add_test(suite, test_reserve_keeps_content);
    add_test(suite, test_reserve_allocates_nothing_when_room);
    add_test(suite, test_reserve_failure_changes_nothing);
    add_test(suite, test_reserve_bad_arguments);
    add_test(suite, test_commit_steps_rebuilds_mask);
    add_test(suite, test_set_costs);
    add_test(suite, test_check_steps_messages);
}
