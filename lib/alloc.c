/* SPDX-License-Identifier: MIT */
#include <stdint.h>
#include <stdlib.h>

#include "alloc-int.h"
#include "thread-local-int.h"

/* Per thread: the hooks serve single-threaded tests, and handles used on
 * other threads at the same time must not race on them. */
static LEMICA_THREAD_LOCAL unsigned long allocations;
static LEMICA_THREAD_LOCAL long failure_countdown = -1;

static int
should_fail(void)
{
    if (failure_countdown < 0)
        return 0;
    if (failure_countdown == 0)
        return 1;
    failure_countdown--;
    return 0;
}

static int
overflows(size_t count, size_t size)
{
    return size != 0 && count > SIZE_MAX / size;
}

void *
lemica_alloc_array(size_t count, size_t size)
{
    void *pointer;

    if (overflows(count, size) || should_fail())
        return NULL;
    pointer = malloc(count * size != 0 ? count * size : 1);
    if (pointer)
        allocations++;
    return pointer;
}

void *
lemica_alloc_zeroed(size_t count, size_t size)
{
    void *pointer;

    if (overflows(count, size) || should_fail())
        return NULL;
    pointer = calloc(count ? count : 1, size ? size : 1);
    if (pointer)
        allocations++;
    return pointer;
}

void *
lemica_realloc_array(void *pointer, size_t count, size_t size)
{
    void *grown;

    if (overflows(count, size) || should_fail())
        return NULL;
    grown = realloc(pointer, count * size != 0 ? count * size : 1);
    if (grown)
        allocations++;
    return grown;
}

void
lemica_dealloc(void *pointer)
{
    free(pointer);
}

unsigned long
lemica_alloc_count(void)
{
    return allocations;
}

void
lemica_alloc_fail_after(long count)
{
    failure_countdown = count;
}
