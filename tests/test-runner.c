/* SPDX-License-Identifier: MIT */
/* The one test runner: runs every registered suite, or the one named by
 * CK_RUN_SUITE (Check's own variable; CK_RUN_CASE picks one test). */
#include <stdlib.h>
#include <string.h>

#include "test-common.h"

static struct lemica_test_suite *suites;

void
lemica_test_register(struct lemica_test_suite *entry)
{
    struct lemica_test_suite **link = &suites;

    /* Keep the list sorted by name: the run order must not depend on the
     * order the linker placed the constructors in. */
    while (*link && strcmp((*link)->name, entry->name) < 0)
        link = &(*link)->next;
    entry->next = *link;
    *link = entry;
}

int
main(void)
{
    SRunner *runner = srunner_create(NULL);
    int failed;

    for (struct lemica_test_suite *entry = suites; entry; entry = entry->next) {
        Suite *suite = suite_create(entry->name);

        entry->setup(suite);
        srunner_add_suite(runner, suite);
    }
    srunner_run_all(runner, CK_ENV);
    failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
