/* SPDX-License-Identifier: MIT */
#include <stdint.h>
#include <stdlib.h>

#include "alloc-int.h"
#include "thread-local-int.h"

/* Per thread: the hooks serve single-threaded tests, and handles used on
 * other threads at the same time must not race on them. */
static LEMICA_THREAD_LOCAL unsigned long allocations;
static LEMICA_THREAD_LOCAL long failure_countdown = -1;
static LEMICA_THREAD_LOCAL int failure_once;
static LEMICA_THREAD_LOCAL const char *failed_site;

static int
should_fail(const char *site)
{
    if (failure_countdown < 0)
        return 0;
    if (failure_countdown == 0) {
        if (!failed_site)
            failed_site = site;
        if (failure_once)
            failure_countdown = -1;
        return 1;
    }
    failure_countdown--;
    return 0;
}

static int
overflows(size_t count, size_t size)
{
    return size != 0 && count > SIZE_MAX / size;
}

void *
lemica_alloc_array_at(size_t count, size_t size, const char *site)
{
    void *pointer;

    if (overflows(count, size) || should_fail(site))
        return NULL;
    pointer = malloc(count * size != 0 ? count * size : 1);
    if (pointer)
        allocations++;
    return pointer;
}

void *
lemica_alloc_zeroed_at(size_t count, size_t size, const char *site)
{
    void *pointer;

    if (overflows(count, size) || should_fail(site))
        return NULL;
    pointer = calloc(count ? count : 1, size ? size : 1);
    if (pointer)
        allocations++;
    return pointer;
}

void *
lemica_realloc_array_at(void *pointer, size_t count, size_t size,
                        const char *site)
{
    void *grown;

    if (overflows(count, size) || should_fail(site))
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
    failure_once = 0;
    failed_site = NULL;
}

void
lemica_alloc_fail_once_after(long count)
{
    failure_countdown = count;
    failure_once = 1;
    failed_site = NULL;
}

const char *
lemica_alloc_failed_site(void)
{
    return failed_site;
}
