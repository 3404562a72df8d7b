/* SPDX-License-Identifier: MIT */
/* Every allocation of the library goes through these wrappers, so tests can
 * count allocations (repeated solves must allocate nothing) and make the
 * n-th one fail (every public operation must survive it). */
#ifndef LEMICA_ALLOC_INT_H
#define LEMICA_ALLOC_INT_H

#include <stddef.h>

/* Each call site passes its "file:line", so that the failure-injection
 * test can check that it made every allocation site of the library fail
 * (GCC names the line of the call, clang the line of its closing
 * parenthesis). */
#define LEMICA_ALLOC_STRINGIFY_(x) #x
#define LEMICA_ALLOC_STRINGIFY(x) LEMICA_ALLOC_STRINGIFY_(x)
/* The file's name only where the compiler has it, so that the library
 * does not carry the build directory's path. */
#ifdef __FILE_NAME__
#define LEMICA_ALLOC_SITE __FILE_NAME__ ":" LEMICA_ALLOC_STRINGIFY(__LINE__)
#else
#define LEMICA_ALLOC_SITE __FILE__ ":" LEMICA_ALLOC_STRINGIFY(__LINE__)
#endif

/* malloc(count * size), NULL on overflow or failure. */
#define lemica_alloc_array(count, size)                                        \
    lemica_alloc_array_at((count), (size), LEMICA_ALLOC_SITE)
/* calloc(count, size), NULL on overflow or failure. */
#define lemica_alloc_zeroed(count, size)                                       \
    lemica_alloc_zeroed_at((count), (size), LEMICA_ALLOC_SITE)
/* realloc(pointer, count * size), NULL on overflow or failure (the old
 * block is then untouched). */
#define lemica_realloc_array(pointer, count, size)                             \
    lemica_realloc_array_at((pointer), (count), (size), LEMICA_ALLOC_SITE)
void lemica_dealloc(void *pointer);

void *lemica_alloc_array_at(size_t count, size_t size, const char *site);
void *lemica_alloc_zeroed_at(size_t count, size_t size, const char *site);
void *lemica_realloc_array_at(void *pointer, size_t count, size_t size,
                              const char *site);

/* Test hooks (not exported from the shared library), per thread. */
/* The number of successful allocations this thread made. */
unsigned long lemica_alloc_count(void);
/* Make this thread's allocations fail after @count more successful ones:
 * every one from then on (memory stays short), until the next call; a
 * negative @count turns failure injection off. */
void lemica_alloc_fail_after(long count);
/* The same, but only that one allocation fails; later ones succeed again
 * (exercises the clean-up of partly built objects). */
void lemica_alloc_fail_once_after(long count);
/* The site ("file:line") of the first allocation this thread's injection
 * made fail, or NULL if none failed since it was last set. */
const char *lemica_alloc_failed_site(void);

#endif /* LEMICA_ALLOC_INT_H */
