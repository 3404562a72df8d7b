/* SPDX-License-Identifier: MIT */
#ifndef LEMICA_SCHEDULE_INT_H
#define LEMICA_SCHEDULE_INT_H

#include <stddef.h>

#include "lemica/lemica-schedule.h"

struct lemica_schedule {
    int num_steps;        /* N */
    int budget;           /* B = number of computed steps */
    int *steps;           /* B steps, strictly ascending, 0 first, N-1 last */
    unsigned char *mask;  /* N entries, 1 = compute: O(1) should_compute */
    double *costs;        /* B-1 segment weights, descending, if has_costs */
    double max_cost;      /* costs[0] (0 when B-1 == 0... never: B >= 2) */
    double sum_cost;      /* sum of the weights in path order */
    int has_costs;
    /* Allocated sizes, so a schedule can be refilled without allocating. */
    size_t steps_capacity;
    size_t mask_capacity;
    size_t costs_capacity;
};

/* An empty schedule (N = B = 0, no storage). */
lemica_status lemica_schedule_alloc(lemica_schedule **out);

/* Make room for @num_steps steps and @budget computed steps (and budget - 1
 * costs). Existing contents and fields are kept, so a failure later in the
 * caller leaves the schedule as it was; on NO_MEMORY nothing changed. */
lemica_status lemica_schedule_reserve(lemica_schedule *schedule, int num_steps,
                                      int budget);

/* lemica_schedule_alloc() then lemica_schedule_reserve(): a new schedule
 * with room for its steps, mask and costs, so filling it (and a later
 * lemica_schedule_evaluate()) allocates nothing. */
lemica_status lemica_schedule_new_reserved(int num_steps, int budget,
                                           lemica_schedule **out);

/* After the caller wrote @budget valid steps into schedule->steps (room
 * reserved): set N and B, rebuild the mask, drop any cost vector. */
void lemica_schedule_commit_steps(lemica_schedule *schedule, int num_steps,
                                  int budget);

/* Set the cost vector from the B - 1 segment weights in path order
 * (@path_weights may alias schedule->costs): records the path-order sum,
 * sorts descending in place, records the max. Allocates nothing. */
void lemica_schedule_set_costs(lemica_schedule *schedule,
                               const double *path_weights);

/* Validate a step array for N: strictly ascending, 0 first, N-1 last, in
 * range. Returns PARSE/OUT_OF_RANGE/INVALID_ARGUMENT with a message naming
 * the entry; @what prefixes the message ("step list"). */
lemica_status lemica_schedule_check_steps(int num_steps, const int *steps,
                                          size_t count, const char *what);

#endif /* LEMICA_SCHEDULE_INT_H */
