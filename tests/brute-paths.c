/* SPDX-License-Identifier: MIT */
/* The brute-force path enumerator of the exactness tests (brute-paths.h). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "brute-paths.h"
#include "test-common.h"

static int
brute_descending(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x < y) - (x > y);
}

size_t
brute_enumerate(const struct brute_problem *p, int budget,
                struct brute_path *paths)
{
    size_t count = 0;
    uint32_t interior = p->n > 2 ? (1u << (p->n - 2)) : 1u;

    for (uint32_t mask = 0; mask < interior; mask++) {
        struct brute_path path;
        int valid = 1;
        double segment[BRUTE_MAX_N];

        path.budget = 0;
        path.steps[path.budget++] = 0;
        for (int t = 1; t < p->n - 1; t++) {
            if (mask & (1u << (t - 1)))
                path.steps[path.budget++] = t;
            else if (p->required[t])
                valid = 0;
        }
        if (p->n > 1)
            path.steps[path.budget++] = p->n - 1;
        if (!valid || (budget != 0 && path.budget != budget))
            continue;
        path.sum = 0.0;
        for (int e = 0; e + 1 < path.budget; e++) {
            int from = path.steps[e], to = path.steps[e + 1];

            if (to - from > p->k_effective || isnan(p->weight[from][to])) {
                valid = 0;
                break;
            }
            segment[e] = p->weight[from][to];
            path.sum += segment[e];
        }
        if (!valid)
            continue;
        memcpy(path.sorted, segment,
               sizeof(double) * (size_t)(path.budget - 1));
        qsort(path.sorted, (size_t)(path.budget - 1), sizeof(double),
              brute_descending);
        path.max = path.sorted[0];
        paths[count++] = path;
    }
    return count;
}

int
brute_compare_cost(lemica_comparator comparator, const struct brute_path *a,
                   const struct brute_path *b)
{
    switch (comparator) {
    case LEMICA_COMPARATOR_SUM:
        return (a->sum > b->sum) - (a->sum < b->sum);
    case LEMICA_COMPARATOR_MAX:
        return (a->max > b->max) - (a->max < b->max);
    default:
        for (int i = 0; i < a->budget - 1; i++)
            if (a->sorted[i] != b->sorted[i])
                return a->sorted[i] < b->sorted[i] ? -1 : 1;
        return 0;
    }
}

int
brute_compare_backwards(const struct brute_path *a, const struct brute_path *b)
{
    for (int i = a->budget - 1; i >= 0; i--)
        if (a->steps[i] != b->steps[i])
            return a->steps[i] < b->steps[i] ? -1 : 1;
    return 0;
}

const struct brute_path *
brute_best(const struct brute_path *paths, size_t count,
           lemica_comparator comparator, int budget)
{
    const struct brute_path *best = NULL;

    for (size_t i = 0; i < count; i++) {
        const struct brute_path *path = &paths[i];
        int order;

        if (path->budget != budget)
            continue;
        order = best ? brute_compare_cost(comparator, path, best) : -1;
        if (order < 0 ||
            (order == 0 && brute_compare_backwards(path, best) < 0))
            best = path;
    }
    return best;
}

void
brute_check_schedule(const lemica_schedule *schedule,
                     const struct brute_path *path, const char *what)
{
    int steps[BRUTE_MAX_N];
    double costs[BRUTE_MAX_N];
    size_t count;
    double value;

    ck_assert_ok(lemica_schedule_steps(schedule, steps, BRUTE_MAX_N, &count));
    ck_assert_uint_eq(count, (size_t)path->budget);
    for (size_t i = 0; i < count; i++)
        ck_assert_msg(steps[i] == path->steps[i],
                      "%s: step %zu is %d, brute force says %d", what, i,
                      steps[i], path->steps[i]);
    ck_assert_ok(lemica_schedule_costs(schedule, costs, BRUTE_MAX_N, &count));
    ck_assert_uint_eq(count, (size_t)path->budget - 1);
    for (size_t i = 0; i < count; i++)
        ck_assert(costs[i] == path->sorted[i]);
    ck_assert_ok(lemica_schedule_sum_cost(schedule, &value));
    ck_assert(value == path->sum);
    ck_assert_ok(lemica_schedule_max_cost(schedule, &value));
    ck_assert(value == path->max);
}
