/* SPDX-License-Identifier: MIT */
/* Version macros and queries, status codes and the per-thread message.
 * These are the parts of the ABI that bindings hard-code (numbers, names),
 * so they are pinned here value by value. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "test-common.h"

START_TEST(test_version_macros_match_runtime)
{
    ck_assert_uint_eq(lemica_version_number(), LEMICA_VERSION_NUMBER);
    ck_assert_str_eq(lemica_version_string(), LEMICA_VERSION_STRING);
    ck_assert_int_eq(LEMICA_VERSION_NUMBER, LEMICA_VERSION_MAJOR * 10000 +
                                                LEMICA_VERSION_MINOR * 100 +
                                                LEMICA_VERSION_PATCH);
}
END_TEST

START_TEST(test_version_parts_in_range)
{
    /* MAJOR*10000 + MINOR*100 + PATCH is only comparable while minor and
     * patch stay below 100. */
    ck_assert_int_ge(LEMICA_VERSION_MAJOR, 0);
    ck_assert_int_ge(LEMICA_VERSION_MINOR, 0);
    ck_assert_int_lt(LEMICA_VERSION_MINOR, 100);
    ck_assert_int_ge(LEMICA_VERSION_PATCH, 0);
    ck_assert_int_lt(LEMICA_VERSION_PATCH, 100);
}
END_TEST

START_TEST(test_version_string_format)
{
    const char *text = LEMICA_VERSION_STRING;
    char expected[64];
    unsigned major, minor, patch;
    int consumed = -1;

    /* Digits and two dots only: no suffix, no spaces, nothing after. */
    for (const char *c = text; *c; c++)
        ck_assert_msg((*c >= '0' && *c <= '9') || *c == '.',
                      "unexpected character '%c' in \"%s\"", *c, text);
    ck_assert_int_eq(
        sscanf(text, "%u.%u.%u%n", &major, &minor, &patch, &consumed), 3);
    ck_assert_int_eq(consumed, (int)strlen(text));
    ck_assert_uint_eq(major, LEMICA_VERSION_MAJOR);
    ck_assert_uint_eq(minor, LEMICA_VERSION_MINOR);
    ck_assert_uint_eq(patch, LEMICA_VERSION_PATCH);

    snprintf(expected, sizeof(expected), "%d.%d.%d", LEMICA_VERSION_MAJOR,
             LEMICA_VERSION_MINOR, LEMICA_VERSION_PATCH);
    ck_assert_str_eq(text, expected);
    ck_assert_str_eq(lemica_version_string(), expected);
}
END_TEST

START_TEST(test_status_values_pinned)
{
    /* Written out one by one on purpose: changing a number breaks every
     * program and binding compiled against the old one. */
    ck_assert_int_eq(LEMICA_OK, 0);
    ck_assert_int_eq(LEMICA_ERR_INVALID_ARGUMENT, -1);
    ck_assert_int_eq(LEMICA_ERR_OUT_OF_RANGE, -2);
    ck_assert_int_eq(LEMICA_ERR_INVALID_VALUE, -3);
    ck_assert_int_eq(LEMICA_ERR_NO_MEMORY, -4);
    ck_assert_int_eq(LEMICA_ERR_INFEASIBLE, -5);
    ck_assert_int_eq(LEMICA_ERR_NOT_FOUND, -6);
    ck_assert_int_eq(LEMICA_ERR_PARSE, -7);
    ck_assert_int_eq(LEMICA_ERR_BUFFER_TOO_SMALL, -8);
    ck_assert_int_eq(LEMICA_ERR_STATE, -9);
    ck_assert_int_eq(LEMICA_ERR_MISMATCH, -10);
    ck_assert_int_eq(LEMICA_ERR_IO, -11);
    ck_assert_int_eq(LEMICA_ERR_VERSION, -12);
    ck_assert_int_eq(LEMICA_ERR_TOO_LARGE, -13);
    /* ctypes and cffi bindings pass the enum as a C int. */
    ck_assert_uint_eq(sizeof(lemica_status), sizeof(int));
}
END_TEST

START_TEST(test_comparator_values_pinned)
{
    /* Bindings pass comparators as plain ints too. */
    ck_assert_int_eq(LEMICA_COMPARATOR_LEXMAX, 0);
    ck_assert_int_eq(LEMICA_COMPARATOR_SUM, 1);
    ck_assert_int_eq(LEMICA_COMPARATOR_MAX, 2);
    ck_assert_int_eq(LEMICA_COMPARATOR_USER, 3);
    ck_assert_uint_eq(sizeof(lemica_comparator), sizeof(int));
}
END_TEST

struct status_entry {
    lemica_status value;
    const char *name;
    const char *message;
};

#define STATUS_ENTRY_(name_, value_, message_) {name_, #name_, message_},
static const struct status_entry all_statuses[] = {
    LEMICA_STATUS_LIST(STATUS_ENTRY_)};
#undef STATUS_ENTRY_
#define NUM_STATUSES (sizeof(all_statuses) / sizeof(all_statuses[0]))

START_TEST(test_status_list_complete)
{
    /* The list is the source of the enum: 0 and -1 .. -13 with no gaps, so
     * a code added to the enum by hand (outside the list) shows up here. */
    ck_assert_uint_eq(NUM_STATUSES, 14);
    for (size_t i = 0; i < NUM_STATUSES; i++)
        ck_assert_int_eq(all_statuses[i].value, -(int)i);
}
END_TEST

START_TEST(test_status_names_and_messages)
{
    for (size_t i = 0; i < NUM_STATUSES; i++) {
        const struct status_entry *entry = &all_statuses[i];
        const char *name = lemica_status_name(entry->value);
        const char *message = lemica_strerror(entry->value);

        ck_assert_ptr_nonnull(name);
        ck_assert_ptr_nonnull(message);
        ck_assert_str_eq(name, entry->name);
        ck_assert_str_eq(message, entry->message);
        ck_assert_uint_gt(strlen(message), 0);
        if (entry->value == LEMICA_OK)
            ck_assert_str_eq(name, "LEMICA_OK");
        else
            ck_assert_msg(strncmp(name, "LEMICA_ERR_", 11) == 0,
                          "error name %s lacks the LEMICA_ERR_ prefix", name);
        ck_assert_str_ne(name, "LEMICA_ERR_UNKNOWN");
        ck_assert_str_ne(message, "unknown status");
    }
}
END_TEST

START_TEST(test_status_names_and_messages_distinct)
{
    for (size_t i = 0; i < NUM_STATUSES; i++) {
        for (size_t j = i + 1; j < NUM_STATUSES; j++) {
            lemica_status a = all_statuses[i].value;
            lemica_status b = all_statuses[j].value;

            ck_assert_int_ne(a, b);
            ck_assert_str_ne(lemica_status_name(a), lemica_status_name(b));
            ck_assert_str_ne(lemica_strerror(a), lemica_strerror(b));
        }
    }
}
END_TEST

START_TEST(test_status_unknown)
{
    /* Values a newer library (or a corrupted int) could hand to an older
     * caller: never NULL, never another code's text. */
    const int unknown[] = {1, 2, 42, -14, -100, -1000000};

    for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
        lemica_status status = (lemica_status)unknown[i];

        ck_assert_str_eq(lemica_status_name(status), "LEMICA_ERR_UNKNOWN");
        ck_assert_str_eq(lemica_strerror(status), "unknown status");
    }
}
END_TEST

/* What a thread saw, checked by the test's own thread: Check's assertions
 * must not run on other threads (in no-fork mode they longjmp). */
struct thread_report {
    int num_steps;
    int max_skip;
    pthread_barrier_t *barrier;
    char message_at_start[512];
    lemica_status status;
    int graph_was_reset;
    char message_after_failure[512];
    char message_after_barrier[512];
};

static void
copy_message(char *buffer, size_t size)
{
    const char *message = lemica_last_error_message();

    snprintf(buffer, size, "%s", message ? message : "(null)");
}

static void *
fail_in_thread(void *data)
{
    struct thread_report *report = data;
    lemica_graph *graph = (lemica_graph *)&graph;

    copy_message(report->message_at_start, sizeof(report->message_at_start));
    report->status =
        lemica_graph_new(report->num_steps, report->max_skip, &graph);
    report->graph_was_reset = graph == NULL;
    copy_message(report->message_after_failure,
                 sizeof(report->message_after_failure));
    if (report->barrier)
        pthread_barrier_wait(report->barrier);
    /* Both threads have failed by now: each must still see its own text. */
    copy_message(report->message_after_barrier,
                 sizeof(report->message_after_barrier));
    if (report->status == LEMICA_OK)
        lemica_graph_free(graph);
    return NULL;
}

START_TEST(test_last_error_empty_in_new_thread)
{
    struct thread_report report = {.num_steps = 10, .max_skip = 3};
    pthread_t thread;

    /* Make sure this thread has a message, which a new thread must not see. */
    ck_assert_status(lemica_graph_new(0, 1, NULL), LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(pthread_create(&thread, NULL, fail_in_thread, &report), 0);
    ck_assert_int_eq(pthread_join(thread, NULL), 0);
    ck_assert_str_eq(report.message_at_start, "");
    /* A successful call leaves the (empty) message alone. */
    ck_assert_int_eq(report.status, LEMICA_OK);
    ck_assert_str_eq(report.message_after_failure, "");
}
END_TEST

START_TEST(test_last_error_set_by_failure)
{
    lemica_graph *graph = (lemica_graph *)&graph;
    char saved[512];

    ck_assert_status(lemica_graph_new(1, 1, &graph),
                     LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_ptr_null(graph);
    ck_assert_ptr_nonnull(lemica_last_error_message());
    ck_assert_uint_gt(strlen(lemica_last_error_message()), 0);
    copy_message(saved, sizeof(saved));

    /* Success does not clear or change it. */
    ck_assert_ok(lemica_graph_new(10, 3, &graph));
    ck_assert_str_eq(lemica_last_error_message(), saved);

    /* The next failure replaces it. */
    ck_assert_status(lemica_graph_set_weight(graph, 0, 9, 1.0),
                     LEMICA_ERR_OUT_OF_RANGE);
    ck_assert_uint_gt(strlen(lemica_last_error_message()), 0);
    ck_assert_str_ne(lemica_last_error_message(), saved);
    lemica_graph_free(graph);
}
END_TEST

START_TEST(test_last_error_thread_local)
{
    pthread_barrier_t barrier;
    /* Two different failures: too few steps, and a max skip of 0. */
    struct thread_report first = {
        .num_steps = 1, .max_skip = 1, .barrier = &barrier};
    struct thread_report second = {
        .num_steps = 10, .max_skip = 0, .barrier = &barrier};
    pthread_t threads[2];
    lemica_graph *graph = NULL;
    char main_message[512];

    ck_assert_status(lemica_graph_new(LEMICA_MAX_STEPS + 1, 1, &graph),
                     LEMICA_ERR_TOO_LARGE);
    copy_message(main_message, sizeof(main_message));

    ck_assert_int_eq(pthread_barrier_init(&barrier, NULL, 2), 0);
    ck_assert_int_eq(pthread_create(&threads[0], NULL, fail_in_thread, &first),
                     0);
    ck_assert_int_eq(pthread_create(&threads[1], NULL, fail_in_thread, &second),
                     0);
    ck_assert_int_eq(pthread_join(threads[0], NULL), 0);
    ck_assert_int_eq(pthread_join(threads[1], NULL), 0);
    pthread_barrier_destroy(&barrier);

    ck_assert_int_eq(first.status, LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(second.status, LEMICA_ERR_INVALID_ARGUMENT);
    ck_assert(first.graph_was_reset);
    ck_assert(second.graph_was_reset);
    ck_assert_str_eq(first.message_at_start, "");
    ck_assert_str_eq(second.message_at_start, "");
    ck_assert_uint_gt(strlen(first.message_after_failure), 0);
    ck_assert_uint_gt(strlen(second.message_after_failure), 0);
    ck_assert_str_ne(first.message_after_failure, second.message_after_failure);
    ck_assert_str_eq(first.message_after_barrier, first.message_after_failure);
    ck_assert_str_eq(second.message_after_barrier,
                     second.message_after_failure);
    /* Neither thread touched this one's message. */
    ck_assert_str_eq(lemica_last_error_message(), main_message);
}
END_TEST

TEST_SUITE(version)
{
    add_test(suite, test_version_macros_match_runtime);
    add_test(suite, test_version_parts_in_range);
    add_test(suite, test_version_string_format);
    add_test(suite, test_status_values_pinned);
    add_test(suite, test_comparator_values_pinned);
    add_test(suite, test_status_list_complete);
    add_test(suite, test_status_names_and_messages);
    add_test(suite, test_status_names_and_messages_distinct);
    add_test(suite, test_status_unknown);
    add_test(suite, test_last_error_empty_in_new_thread);
    add_test(suite, test_last_error_set_by_failure);
    add_test(suite, test_last_error_thread_local);
}
