/* SPDX-License-Identifier: MIT */
/* The schedule object: construction and its checks, the getters and their
 * buffer protocol, should_compute, copies, evaluation on a graph, and the
 * internal helpers the solver builds on (reserve, commit, set_costs, the
 * allocation-free heapsort). */
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "alloc-int.h"
#include "schedule-int.h"
#include "test-common.h"

/* A small deterministic generator: the tests must not depend on the C
 * library's rand() sequence. */
static uint64_t random_state;

static void
random_seed(uint64_t seed)
{
    random_state = seed * 2654435761u + 0x9e3779b97f4a7c15u;
}

static uint32_t
random_next(void)
{
    /* xorshift64* */
    random_state ^= random_state >> 12;
    random_state ^= random_state << 25;
    random_state ^= random_state >> 27;
    return (uint32_t)((random_state * 0x2545f4914f6cdd1dull) >> 32);
}

/* Uniform in 0 .. bound - 1 (the bias is irrelevant here). */
static int
random_below(int bound)
{
    return (int)(random_next() % (uint32_t)bound);
}

/* @budget distinct ascending steps of 0 .. num_steps - 1, with 0 and
 * num_steps - 1 (selection sampling over the inner steps). */
static void
random_steps(int num_steps, int budget, int *steps)
{
    int needed = budget - 2;
    int stored = 0;

    steps[stored++] = 0;
    for (int step = 1; step < num_steps - 1; step++) {
        int remaining = num_steps - 1 - step;

        if (random_below(remaining) < needed) {
            steps[stored++] = step;
            needed--;
        }
    }
    steps[stored++] = num_steps - 1;
    ck_assert_int_eq(stored, budget);
}

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

static int
message_contains(const char *needle)
{
    return strstr(lemica_last_error_message(), needle) != NULL;
}

#define ck_assert_message(needle_)                                             \
    ck_assert_msg(message_contains(needle_), "message \"%s\" lacks \"%s\"",    \
                  lemica_last_error_message(), (needle_))

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
    ck_assert_message("entry 1 (-1)");
    ck_assert_status(lemica_schedule_new_from_steps(10, beyond, 3, &schedule),
                     LEMICA_ERR_OUT_OF_RANGE);
    ck_assert_message("entry 2 (10)");
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
    ck_assert_message(
        "entry 2 (3) is not greater than the entry before it (5)");

    ck_assert_status(
        lemica_schedule_new_from_steps(10, duplicate, 6, &schedule),
        LEMICA_ERR_PARSE);
    ck_assert_message(
        "entry 4 (7) is not greater than the entry before it (7)");

    ck_assert_status(lemica_schedule_new_from_steps(10, no_first, 3, &schedule),
                     LEMICA_ERR_PARSE);
    ck_assert_message("entry 0 is 1");

    ck_assert_status(lemica_schedule_new_from_steps(10, no_last, 3, &schedule),
                     LEMICA_ERR_PARSE);
    ck_assert_message("entry 2, is 8");

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

START_TEST(test_steps_buffer_protocol)
{
    lemica_schedule *schedule = make_schedule(50, example_steps, EXAMPLE_COUNT);
    int buffer[EXAMPLE_COUNT + 3];
    size_t count = 0;

    /* Size query. */
    ck_assert_ok(lemica_schedule_steps(schedule, NULL, 0, &count));
    ck_assert_uint_eq(count, EXAMPLE_COUNT);
    ck_assert_ok(lemica_schedule_steps(schedule, NULL, 0, NULL));

    /* A NULL buffer that claims room is a caller bug. */
    count = 0;
    ck_assert_status(lemica_schedule_steps(schedule, NULL, 4, &count),
                     LEMICA_ERR_INVALID_ARGUMENT);

    /* Too small, including capacity 0 with a real buffer: untouched. */
    for (size_t capacity = 0; capacity < EXAMPLE_COUNT; capacity++) {
        for (size_t index = 0; index < EXAMPLE_COUNT + 3; index++)
            buffer[index] = -7;
        count = 0;
        ck_assert_status(
            lemica_schedule_steps(schedule, buffer, capacity, &count),
            LEMICA_ERR_BUFFER_TOO_SMALL);
        ck_assert_uint_eq(count, EXAMPLE_COUNT);
        for (size_t index = 0; index < EXAMPLE_COUNT + 3; index++)
            ck_assert_int_eq(buffer[index], -7);
    }
    ck_assert_status(lemica_schedule_steps(schedule, buffer, 3, NULL),
                     LEMICA_ERR_BUFFER_TOO_SMALL);

    /* Exact and larger: only the B first ints are written. */
    for (size_t capacity = EXAMPLE_COUNT; capacity <= EXAMPLE_COUNT + 3;
         capacity++) {
        for (size_t index = 0; index < EXAMPLE_COUNT + 3; index++)
            buffer[index] = -7;
        count = 0;
        ck_assert_ok(lemica_schedule_steps(schedule, buffer, capacity, &count));
        ck_assert_uint_eq(count, EXAMPLE_COUNT);
        ck_assert_mem_eq(buffer, example_steps, sizeof(example_steps));
        for (size_t index = EXAMPLE_COUNT; index < EXAMPLE_COUNT + 3; index++)
            ck_assert_int_eq(buffer[index], -7);
    }
    ck_assert_ok(lemica_schedule_steps(schedule, buffer, EXAMPLE_COUNT, NULL));
    lemica_schedule_free(schedule);
}
END_TEST

START_TEST(test_should_compute_matches_steps)
{
    int steps[300];

    random_seed(11);
    for (int round = 0; round < 400; round++) {
        int num_steps = 2 + random_below(299);
        int budget = 2 + random_below(num_steps - 1);
        lemica_schedule *schedule;
        int next = 0;

        random_steps(num_steps, budget, steps);
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
    const size_t num_costs = EXAMPLE_COUNT - 1;
    double buffer[EXAMPLE_COUNT + 2];
    double value;
    size_t count = 0;

    ck_assert_ok(lemica_schedule_evaluate(schedule, graph));
    ck_assert_int_eq(lemica_schedule_has_costs(schedule), 1);

    ck_assert_ok(lemica_schedule_costs(schedule, NULL, 0, &count));
    ck_assert_uint_eq(count, num_costs);
    ck_assert_ok(lemica_schedule_costs(schedule, NULL, 0, NULL));
    ck_assert_status(lemica_schedule_costs(schedule, NULL, 1, &count),
                     LEMICA_ERR_INVALID_ARGUMENT);

    for (size_t capacity = 0; capacity < num_costs; capacity++) {
        for (size_t index = 0; index < EXAMPLE_COUNT + 2; index++)
            buffer[index] = -1.0;
        count = 0;
        ck_assert_status(
            lemica_schedule_costs(schedule, buffer, capacity, &count),
            LEMICA_ERR_BUFFER_TOO_SMALL);
        ck_assert_uint_eq(count, num_costs);
        for (size_t index = 0; index < EXAMPLE_COUNT + 2; index++)
            ck_assert_double_eq(buffer[index], -1.0);
    }
    for (size_t capacity = num_costs; capacity < EXAMPLE_COUNT + 2;
         capacity++) {
        for (size_t index = 0; index < EXAMPLE_COUNT + 2; index++)
            buffer[index] = -1.0;
        count = 0;
        ck_assert_ok(lemica_schedule_costs(schedule, buffer, capacity, &count));
        ck_assert_uint_eq(count, num_costs);
        for (size_t index = num_costs; index < EXAMPLE_COUNT + 2; index++)
            ck_assert_double_eq(buffer[index], -1.0);
    }
    ck_assert_status(lemica_schedule_max_cost(schedule, NULL),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_schedule_sum_cost(schedule, NULL),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_ok(lemica_schedule_max_cost(schedule, &value));
    ck_assert_double_eq(value, buffer[0]);
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

    /* Weights are from * 1000 + to and grow along the path, so the
     * descending vector is the path reversed. */
    for (size_t segment = 0; segment + 1 < EXAMPLE_COUNT; segment++) {
        double weight =
            example_steps[segment] * 1000.0 + example_steps[segment + 1];

        expected[EXAMPLE_COUNT - 2 - segment] = weight;
        sum += weight;
    }
    for (size_t index = 0; index < EXAMPLE_COUNT - 1; index++)
        ck_assert_double_eq(costs[index], expected[index]);
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
    int steps[120];
    double weights[120];

    random_seed(5);
    for (int round = 0; round < 100; round++) {
        int num_steps = 2 + random_below(119);
        int budget = 2 + random_below(num_steps - 1);
        lemica_schedule *schedule;
        lemica_graph *graph = NULL;
        double costs[120];
        double sum = 0.0;
        double value;

        random_steps(num_steps, budget, steps);
        schedule = make_schedule(num_steps, steps, (size_t)budget);
        ck_assert_ok(lemica_graph_new(num_steps, num_steps - 1, &graph));
        for (int segment = 0; segment + 1 < budget; segment++) {
            /* Small integers: many ties and zeros. */
            weights[segment] = random_below(4) * 0.25;
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

START_TEST(test_evaluate_mismatch)
{
    lemica_schedule *schedule = make_schedule(50, example_steps, EXAMPLE_COUNT);
    lemica_graph *graph = make_full_graph(49, 48);

    ck_assert_status(lemica_schedule_evaluate(schedule, graph),
                     LEMICA_ERR_MISMATCH);
    ck_assert_int_eq(lemica_schedule_has_costs(schedule), 0);
    lemica_graph_free(graph);
    graph = make_full_graph(51, 50);
    ck_assert_status(lemica_schedule_evaluate(schedule, graph),
                     LEMICA_ERR_MISMATCH);
    ck_assert_int_eq(lemica_schedule_has_costs(schedule), 0);
    lemica_graph_free(graph);
    lemica_schedule_free(schedule);
}
END_TEST

START_TEST(test_evaluate_absent_edge)
{
    lemica_schedule *schedule = make_schedule(50, example_steps, EXAMPLE_COUNT);
    lemica_graph *graph = NULL;

    /* The span-1 edges only: (2, 4) is absent. */
    ck_assert_ok(lemica_graph_new(50, 49, &graph));
    ck_assert_status(lemica_schedule_evaluate(schedule, graph),
                     LEMICA_ERR_NOT_FOUND);
    ck_assert_message("(2, 4)");
    ck_assert_int_eq(lemica_schedule_has_costs(schedule), 0);
    lemica_graph_free(graph);

    /* Every edge but a removed span-1 edge. */
    graph = make_full_graph(50, 49);
    ck_assert_ok(lemica_graph_remove_edge(graph, 1, 2));
    ck_assert_status(lemica_schedule_evaluate(schedule, graph),
                     LEMICA_ERR_NOT_FOUND);
    ck_assert_message("(1, 2)");
    ck_assert_int_eq(lemica_schedule_has_costs(schedule), 0);
    lemica_graph_free(graph);

    /* The last segment (30, 49) spans 19 > max skip 16. */
    graph = make_full_graph(50, 16);
    ck_assert_status(lemica_schedule_evaluate(schedule, graph),
                     LEMICA_ERR_NOT_FOUND);
    ck_assert_message("(30, 49)");
    ck_assert_message("max skip");
    ck_assert_int_eq(lemica_schedule_has_costs(schedule), 0);
    lemica_graph_free(graph);
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

/* Make the n-th allocation of @call fail for every n until it succeeds:
 * each failure must be NO_MEMORY with *out NULL, and must leak nothing
 * (valgrind and ASan check that). */
START_TEST(test_allocation_failures)
{
    lemica_schedule *schedule = make_schedule(50, example_steps, EXAMPLE_COUNT);
    lemica_graph *graph = make_full_graph(50, 49);
    lemica_schedule *out;
    lemica_status status;
    long fail_after;

    ck_assert_ok(lemica_schedule_evaluate(schedule, graph));
    for (fail_after = 0;; fail_after++) {
        out = (lemica_schedule *)&out;
        lemica_alloc_fail_after(fail_after);
        status = lemica_schedule_new_from_steps(50, example_steps,
                                                EXAMPLE_COUNT, &out);
        lemica_alloc_fail_after(-1);
        if (status == LEMICA_OK)
            break;
        ck_assert_status(status, LEMICA_ERR_NO_MEMORY);
        ck_assert_ptr_null(out);
    }
    ck_assert_int_gt(fail_after, 0);
    lemica_schedule_free(out);

    for (fail_after = 0;; fail_after++) {
        out = (lemica_schedule *)&out;
        lemica_alloc_fail_after(fail_after);
        status = lemica_schedule_copy(schedule, &out);
        lemica_alloc_fail_after(-1);
        if (status == LEMICA_OK)
            break;
        ck_assert_status(status, LEMICA_ERR_NO_MEMORY);
        ck_assert_ptr_null(out);
    }
    ck_assert_int_gt(fail_after, 0);
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
random_value(int kind)
{
    switch (kind) {
    case 0: /* few distinct values: many duplicates */
        return (double)random_below(3);
    case 1: /* mostly zeros */
        return random_below(5) == 0 ? random_below(1000) / 7.0 : 0.0;
    case 2: /* wide range */
        return ldexp((double)random_next(), random_below(80) - 40);
    default: /* uniform in [0, 1) */
        return random_next() / 4294967296.0;
    }
}

START_TEST(test_sort_descending_random)
{
    double *values = malloc(sizeof(double) * 1100);
    double *expected = malloc(sizeof(double) * 1100);

    ck_assert_ptr_nonnull(values);
    ck_assert_ptr_nonnull(expected);
    random_seed(3);
    for (int round = 0; round < 2000; round++) {
        size_t count = round < 200
                           ? (size_t)round % 20
                           : (size_t)random_below(round < 1900 ? 64 : 1100);
        int kind = round % 4;

        for (size_t index = 0; index < count; index++)
            values[index] = expected[index] = random_value(kind);
        lemica_sort_descending(values, count);
        naive_sort_descending(expected, count);
        for (size_t index = 0; index < count; index++)
            ck_assert_msg(values[index] == expected[index],
                          "round %d, count %zu: index %zu is %g, expected %g",
                          round, count, index, values[index], expected[index]);
    }
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

START_TEST(test_sort_descending_allocates_nothing)
{
    double values[500];
    unsigned long before;

    random_seed(8);
    for (size_t index = 0; index < 500; index++)
        values[index] = random_value(3);
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

START_TEST(test_set_costs)
{
    const int steps[] = {0, 2, 3, 5, 9};
    lemica_schedule *schedule = make_schedule(10, steps, 5);
    const double path[] = {0.5, 3.0, 0.0, 3.0};
    double input[4];
    double costs[4];
    double value;
    unsigned long before;

    memcpy(input, path, sizeof(path));
    before = lemica_alloc_count();
    lemica_schedule_set_costs(schedule, input);
    ck_assert_uint_eq(lemica_alloc_count(), before);
    /* The caller's array is read, not sorted. */
    ck_assert_mem_eq(input, path, sizeof(path));
    ck_assert_int_eq(lemica_schedule_has_costs(schedule), 1);
    ck_assert_ok(lemica_schedule_costs(schedule, costs, 4, NULL));
    ck_assert_double_eq(costs[0], 3.0);
    ck_assert_double_eq(costs[1], 3.0);
    ck_assert_double_eq(costs[2], 0.5);
    ck_assert_double_eq(costs[3], 0.0);
    ck_assert_ok(lemica_schedule_max_cost(schedule, &value));
    ck_assert_double_eq(value, 3.0);
    ck_assert_ok(lemica_schedule_sum_cost(schedule, &value));
    ck_assert_double_eq(value, 6.5);

    /* Aliasing the schedule's own array, as the solver does. */
    memcpy(schedule->costs, (const double[]){0.25, 0.0, 7.0, 1.0},
           4 * sizeof(double));
    lemica_schedule_set_costs(schedule, schedule->costs);
    ck_assert_ok(lemica_schedule_costs(schedule, costs, 4, NULL));
    ck_assert_double_eq(costs[0], 7.0);
    ck_assert_double_eq(costs[1], 1.0);
    ck_assert_double_eq(costs[2], 0.25);
    ck_assert_double_eq(costs[3], 0.0);
    ck_assert_ok(lemica_schedule_max_cost(schedule, &value));
    ck_assert_double_eq(value, 7.0);
    ck_assert_ok(lemica_schedule_sum_cost(schedule, &value));
    ck_assert_double_eq(value, 8.25);
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
    ck_assert_message("required steps: entry 2 (4)");
    ck_assert_message("appear");
    ck_assert_status(lemica_schedule_check_steps(10, NULL, 3, "x"),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_status(lemica_schedule_check_steps(3, good, 3, "x"),
                     LEMICA_ERR_OUT_OF_RANGE);
    ck_assert_message("entry 1 (4)");
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
    add_test(suite, test_reserve_keeps_content);
    add_test(suite, test_reserve_allocates_nothing_when_room);
    add_test(suite, test_reserve_failure_changes_nothing);
    add_test(suite, test_reserve_bad_arguments);
    add_test(suite, test_commit_steps_rebuilds_mask);
    add_test(suite, test_set_costs);
    add_test(suite, test_check_steps_messages);
}
