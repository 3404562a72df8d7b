/* SPDX-License-Identifier: MIT */
/* Status names, messages and the per-thread detailed message. */
#include <stdarg.h>
#include <stdio.h>

#include "error-int.h"
#include "thread-local-int.h"

/* Thread-local: each thread sees the message of its own last failure. */
static LEMICA_THREAD_LOCAL char last_message[512];

#define LEMICA_STATUS_MESSAGE_CASE_(name, value, message)                      \
    case name:                                                                 \
        return message;
#define LEMICA_STATUS_NAME_CASE_(name, value, message)                         \
    case name:                                                                 \
        return #name;

const char *
lemica_strerror(lemica_status status)
{
    switch (status) {
        LEMICA_STATUS_LIST(LEMICA_STATUS_MESSAGE_CASE_)
    }
    return "unknown status";
}

const char *
lemica_status_name(lemica_status status)
{
    switch (status) {
        LEMICA_STATUS_LIST(LEMICA_STATUS_NAME_CASE_)
    }
    return "LEMICA_ERR_UNKNOWN";
}

const char *
lemica_last_error_message(void)
{
    return last_message;
}

lemica_status
lemica_fail(lemica_status status, const char *format, ...)
{
    va_list args;

    va_start(args, format);
    vsnprintf(last_message, sizeof(last_message), format, args);
    va_end(args);
    return status;
}

lemica_status
lemica_fail_no_memory(const char *what)
{
    return lemica_fail(LEMICA_ERR_NO_MEMORY, "out of memory allocating %s",
                       what);
}
