/* SPDX-License-Identifier: MIT */
/* Every allocation of the library goes through these wrappers, so tests can
 * count allocations (repeated solves must allocate nothing) and make the
 * n-th one fail (every public operation must survive it). */
#ifndef LEMICA_ALLOC_INT_H
#define LEMICA_ALLOC_INT_H

#include <stddef.h>

/* malloc(count * size), NULL on overflow or failure. */
void *lemica_alloc_array(size_t count, size_t size);
/* calloc(count, size), NULL on overflow or failure. */
void *lemica_alloc_zeroed(size_t count, size_t size);
/* realloc(pointer, count * size), NULL on overflow or failure (the old
 * block is then untouched). */
void *lemica_realloc_array(void *pointer, size_t count, size_t size);
void lemica_dealloc(void *pointer);

/* Test hooks (not exported from the shared library), per thread. */
/* The number of successful allocations this thread made. */
unsigned long lemica_alloc_count(void);
/* Make this thread's allocation after @count more successful ones fail; a
 * negative @count turns failure injection off. */
void lemica_alloc_fail_after(long count);

#endif /* LEMICA_ALLOC_INT_H */
