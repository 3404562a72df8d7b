/* SPDX-License-Identifier: MIT */
/* Shared by every Check test file: self-registering suites, one TCase per
 * test (so CK_RUN_CASE=<test name> runs a single test), and assertions that
 * name the failing status. */
#ifndef LEMICA_TEST_COMMON_H
#define LEMICA_TEST_COMMON_H

#include <check.h>
#include <stdint.h>

#include "lemica/lemica.h"

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

#define add_test(suite_, fn_)                                                  \
    do {                                                                       \
        TCase *tc_ = tcase_create(#fn_);                                       \
        tcase_add_test(tc_, fn_);                                              \
        tcase_set_timeout(tc_, 120);                                           \
        suite_add_tcase((suite_), tc_);                                        \
    } while (0)

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

/* Deterministic random numbers for tests (splitmix64): the same sequence
 * on every machine, so a failing seed can be replayed anywhere. */
static inline uint64_t
test_rng_next(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Uniform in [0, bound). */
static inline int
test_rng_below(uint64_t *state, int bound)
{
    return (int)(test_rng_next(state) % (uint64_t)bound);
}

/* Uniform in [0, 1), 53 random bits. */
static inline double
test_rng_unit(uint64_t *state)
{
    return (double)(test_rng_next(state) >> 11) * 0x1.0p-53;
}

#endif /* LEMICA_TEST_COMMON_H */
