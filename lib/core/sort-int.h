/* SPDX-License-Identifier: MIT */
/* The descending sort of cost vectors (sort.c): every schedule's costs,
 * the exact comparison's vectors, the k-best lists. */
#ifndef LEMICA_SORT_INT_H
#define LEMICA_SORT_INT_H

#include <stddef.h>

/* Sort @count doubles descending in place, allocating nothing. The values
 * must be neither NaN nor -0.0: the AVX-512 network's max and min return
 * one operand for NaN and for -0.0 against +0.0, so it would lose one of
 * the two. Cost vectors hold graph weights, which are never either (the
 * graph refuses NaN and stores +0.0 for -0.0); equal values are then
 * equal bits, and any correct sort gives the same array to the bit. */
void lemica_sort_descending(double *values, size_t count);

/* Tests turn the AVX-512 sorting network off (0) and on (1) to check both
 * paths on a machine that has it; on other machines it is always off. */
void lemica_sort_set_avx512(int allowed);

#endif
