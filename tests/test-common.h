/* SPDX-License-Identifier: MIT */
/* Shared by every Check test file: self-registering suites, one TCase per
 * test (so CK_RUN_CASE=<test name> runs a single test), assertions that
 * name the failing status, and the small helpers several suites need
 * (random numbers from test-rng.h, exact bits, unterminated text). */
#ifndef LEMICA_TEST_COMMON_H
#define LEMICA_TEST_COMMON_H

#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lemica/lemica.h"
#include "test-rng.h"

struct lemica_test_suite {
    const char *name;
    void (*setup)(Suite *suite);
    struct lemica_test_suite *next;
};

void lemica_test_register(struct lemica_test_suite *entry);

/* TEST_SUITE(graph) { add_test(suite, test_x); ... } defines and registers
 * the suite "graph"; the runner picks it with CK_RUN_SUITE=graph. */
#define TEST_SUITE(name_)                                                      \
    static void name_##_setup(Suite *suite);                                   \
    static struct lemica_test_suite name_##_entry = {#name_, name_##_setup,    \
                                                     NULL};                    \
    __attribute__((constructor)) static void name_##_register(void)            \
    {                                                                          \
        lemica_test_register(&name_##_entry);                                  \
    }                                                                          \
    static void name_##_setup(Suite *suite)

#define add_test(suite_, fn_) test_add_case((suite_), #fn_, fn_, NULL)

/* The same, with @setup_ run before the test (also when Check does not
 * fork, so a test that failed half-way cannot leave process-wide state,
 * such as the solver's test hooks, to the next one). */
#define add_test_with_setup(suite_, fn_, setup_)                               \
    test_add_case((suite_), #fn_, fn_, (setup_))

static inline void
test_add_case(Suite *suite, const char *name, const TTest *test, SFun setup)
{
    TCase *tc = tcase_create(name);

    if (setup)
        tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test);
    tcase_set_timeout(tc, 120);
    suite_add_tcase(suite, tc);
}

/* Abort the test with the status name and the library's message when a call
 * that must succeed does not. */
#define ck_assert_ok(expr_)                                                    \
    do {                                                                       \
        lemica_status st_ = (expr_);                                           \
        if (st_ != LEMICA_OK)                                                  \
            ck_abort_msg("%s failed: %s: %s", #expr_,                          \
                         lemica_status_name(st_),                              \
                         lemica_last_error_message());                         \
    } while (0)

/* Assert that a call fails with exactly @expected_. */
#define ck_assert_status(expr_, expected_)                                     \
    do {                                                                       \
        lemica_status st_ = (expr_);                                           \
        if (st_ != (expected_))                                                \
            ck_abort_msg("%s returned %s, expected %s (message: %s)", #expr_,  \
                         lemica_status_name(st_),                              \
                         lemica_status_name(expected_),                        \
                         lemica_last_error_message());                         \
    } while (0)

/* Abort the test unless the library's last error message contains
 * @needle_. A macro, so that a failure names the line of the caller. */
#define ck_assert_message_has(needle_)                                         \
    do {                                                                       \
        const char *needle_text_ = (needle_);                                  \
        if (!strstr(lemica_last_error_message(), needle_text_))                \
            ck_abort_msg("message \"%s\" lacks \"%s\"",                        \
                         lemica_last_error_message(), needle_text_);           \
    } while (0)

/* Make the n-th allocation of @attempt_ fail, for n = 0, 1, ... until it
 * succeeds. @attempt_ is a call that returns a status and makes *@out_:
 * each failure must be LEMICA_ERR_NO_MEMORY with *@out_ set to NULL (the
 * valgrind and ASan runs check that it leaks nothing), and at least one
 * allocation must have failed. *@out_ then holds what the call made. A
 * macro, to take any call and any object type; the suite using it
 * includes alloc-int.h. */
#define ck_assert_each_allocation_failure(out_, attempt_)                      \
    do {                                                                       \
        long fail_after_;                                                      \
                                                                               \
        for (fail_after_ = 0;; fail_after_++) {                                \
            lemica_status status_;                                             \
                                                                               \
            /* Not NULL, so that a failure must set it. */                     \
            *(out_) = (void *)(out_);                                          \
            lemica_alloc_fail_after(fail_after_);                              \
            status_ = (attempt_);                                              \
            lemica_alloc_fail_after(-1);                                       \
            if (status_ == LEMICA_OK)                                          \
                break;                                                         \
            ck_assert_status(status_, LEMICA_ERR_NO_MEMORY);                   \
            ck_assert_ptr_null(*(out_));                                       \
        }                                                                      \
        ck_assert_int_gt(fail_after_, 0);                                      \
    } while (0)

/* The bits of a double, to compare values exactly (NaN and -0 included). */
static inline uint64_t
test_bits_of(double value)
{
    uint64_t bits;

    memcpy(&bits, &value, sizeof(bits));
    return bits;
}

/* A heap copy of exactly @length bytes with no NUL after it, so that a
 * parser reading past the end trips valgrind and ASan. free() it. */
static inline char *
test_unterminated_copy(const char *text, size_t length)
{
    char *copy = malloc(length ? length : 1);

    ck_assert_ptr_nonnull(copy);
    if (length)
        memcpy(copy, text, length);
    return copy;
}

/* @budget distinct ascending steps of 0 .. num_steps - 1 into @steps, with
 * 0 and num_steps - 1 (selection sampling over the inner steps): a random
 * valid schedule. */
static inline void
test_random_steps(uint64_t *rng, int num_steps, int budget, int *steps)
{
    int needed = budget - 2;
    int stored = 0;

    steps[stored++] = 0;
    for (int step = 1; step < num_steps - 1; step++) {
        if (test_rng_below(rng, num_steps - 1 - step) < needed) {
            steps[stored++] = step;
            needed--;
        }
    }
    steps[stored++] = num_steps - 1;
    ck_assert_int_eq(stored, budget);
}

#endif /* LEMICA_TEST_COMMON_H */
