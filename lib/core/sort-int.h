/* SPDX-License-Identifier: MIT */
/* The descending sort of cost vectors (sort.c): every schedule's costs,
 * the exact comparison's vectors, the k-best lists. */
#ifndef LEMICA_SORT_INT_H
#define LEMICA_SORT_INT_H

#include <stddef.h>

/* Sort @count doubles descending in place, allocating nothing. The values
 * must not be NaN (cost vectors never are: the graph refuses NaN weights);
 * equal values are equal bit patterns there too (the graph stores +0.0 for
 * -0.0), so any correct sort gives the same array to the bit. */
void lemica_sort_descending(double *values, size_t count);

/* Tests turn the AVX-512 sorting network off (0) and on (1) to check both
 * paths on a machine that has it; on other machines it is always off. */
void lemica_sort_set_avx512(int allowed);

#endif
