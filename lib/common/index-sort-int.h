/* SPDX-License-Identifier: MIT */
#ifndef LEMICA_INDEX_SORT_INT_H
#define LEMICA_INDEX_SORT_INT_H

#include <stddef.h>
#include <stdint.h>

/* Whether item @a goes before item @b (a strict order). */
typedef int (*lemica_index_before)(const void *context, uint32_t a, uint32_t b);

/* Sort @count indices by @before, stably, through @scratch (room for
 * @count): a bottom-up merge sort, for orders whose comparisons cost more
 * than the moves (a walk up two paths, a look-up in a graph). */
void lemica_index_sort(uint32_t *items, uint32_t *scratch, size_t count,
                       lemica_index_before before, const void *context);

#endif /* LEMICA_INDEX_SORT_INT_H */
