/* SPDX-License-Identifier: MIT */
#ifndef LEMICA_THREAD_LOCAL_INT_H
#define LEMICA_THREAD_LOCAL_INT_H

/* Per-thread storage for the library's few globals (the last error
 * message, the allocation test hooks), so that distinct handles on
 * distinct threads never share state. Compilers without C11 threads
 * support or __thread get plain globals. */
#if defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L && \
    !defined(__STDC_NO_THREADS__)
#define LEMICA_THREAD_LOCAL _Thread_local
#elif defined(__GNUC__)
#define LEMICA_THREAD_LOCAL __thread
#else
#define LEMICA_THREAD_LOCAL
#endif

#endif /* LEMICA_THREAD_LOCAL_INT_H */
