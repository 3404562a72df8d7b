/* SPDX-License-Identifier: MIT */
/* Recording the detailed message of a failure (see lemica_last_error_message). */
#ifndef LEMICA_ERROR_INT_H
#define LEMICA_ERROR_INT_H

#include "lemica/lemica-status.h"

#if defined(__GNUC__)
#define LEMICA_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define LEMICA_PRINTF(fmt, args)
#endif

/* Record a printf-style message for this thread and return @status, so a
 * failure path reads "return lemica_fail(LEMICA_ERR_PARSE, ...);". */
lemica_status lemica_fail(lemica_status status, const char *format, ...)
    LEMICA_PRINTF(2, 3);

/* Record an out-of-memory failure of @what. */
lemica_status lemica_fail_no_memory(const char *what);

#endif /* LEMICA_ERROR_INT_H */
