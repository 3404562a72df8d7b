/* SPDX-License-Identifier: MIT */
#ifndef LEMICA_DAG_SIZE_INT_H
#define LEMICA_DAG_SIZE_INT_H

#include "lemica/lemica-status.h"

/* The size rules every object over the step DAG shares (graph, profiler,
 * plan): 2 <= N <= LEMICA_MAX_STEPS, K >= 1 clamped to N - 1, and
 * N * K <= LEMICA_MAX_EDGE_SLOTS. @what names the object in messages ("a
 * graph"). On success *clamped_skip is K after clamping. */
lemica_status lemica_check_dag_size(int num_steps, int max_skip,
                                    const char *what, int *clamped_skip);

#endif /* LEMICA_DAG_SIZE_INT_H */
